//! The OIDC API (service `sso-oidc`): RegisterClient, StartDeviceAuthorization, CreateToken, and the
//! browser-facing `/authorize` of the authorization-code flow with PKCE.

use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Serialize;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use super::config::{Account, RefreshGrant};
use super::errors::{OidcError, to_json};
use super::http::{self, Request, Response};
use super::state::{AuthCode, Client, DeviceCode, DevicePoll, Inner, IssuedToken, now_ms, now_s};

/// `grantType` of the refresh grant.
pub const GRANT_REFRESH: &str = "refresh_token";
/// `grantType` of the device-code grant.
pub const GRANT_DEVICE: &str = "urn:ietf:params:oauth:grant-type:device_code";
/// `grantType` of the authorization-code grant.
pub const GRANT_CODE: &str = "authorization_code";

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RegisterClientBody {
    client_id: String,
    client_secret: String,
    client_id_issued_at: i64,
    client_secret_expires_at: i64,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct DeviceAuthorizationBody {
    device_code: String,
    user_code: String,
    verification_uri: String,
    verification_uri_complete: String,
    expires_in: u64,
    interval: u64,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct TokenBody {
    access_token: String,
    token_type: &'static str,
    expires_in: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    refresh_token: Option<String>,
}

/// The JSON object of a request body, with typed access to its fields.
struct Fields(Map<String, Value>);

impl Fields {
    fn parse(request: &Request) -> Result<Fields, Response> {
        match serde_json::from_slice::<Value>(&request.body) {
            Ok(Value::Object(map)) => Ok(Fields(map)),
            Ok(_) => Err(OidcError::InvalidRequest.response("The request body must be a JSON object")),
            Err(e) => Err(OidcError::InvalidRequest.response(&format!("Invalid JSON body: {e}"))),
        }
    }

    /// An optional string field; present with another type is an error.
    fn string(&self, name: &str) -> Result<Option<&str>, Response> {
        match self.0.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(_) => Err(OidcError::InvalidRequest.response(&format!("{name} must be a string"))),
        }
    }

    fn required(&self, name: &str) -> Result<&str, Response> {
        match self.string(name)? {
            Some(s) if !s.is_empty() => Ok(s),
            _ => Err(OidcError::InvalidRequest.response(&format!("Missing required field: {name}"))),
        }
    }

    fn strings(&self, name: &str) -> Result<Option<Vec<String>>, Response> {
        match self.0.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Array(items)) => items
                .iter()
                .map(|v| v.as_str().map(str::to_owned))
                .collect::<Option<Vec<_>>>()
                .map(Some)
                .ok_or_else(|| OidcError::InvalidRequest.response(&format!("{name} must be a list of strings"))),
            Some(_) => Err(OidcError::InvalidRequest.response(&format!("{name} must be a list of strings"))),
        }
    }
}

/// Checks a client's id and secret, and that its registration has not expired.
fn check_client(inner: &Inner, client_id: &str, client_secret: &str) -> Result<(), Response> {
    let Some(client) = inner.clients.get(client_id) else {
        return Err(OidcError::InvalidClient.response("Client not found"));
    };
    if client.secret != client_secret {
        return Err(OidcError::InvalidClient.response("Invalid client secret"));
    }
    if client.expires_at.is_some_and(|at| at <= now_s()) {
        return Err(OidcError::InvalidClient.response("Client registration has expired"));
    }
    Ok(())
}

/// `POST /client/register`
pub(crate) fn register_client(inner: &mut Inner, request: &Request) -> Response {
    let result = (|| {
        let fields = Fields::parse(request)?;
        fields.required("clientName")?;
        let client_type = fields.required("clientType")?;
        if client_type != "public" {
            return Err(OidcError::InvalidClientMetadata.response(&format!("Unsupported clientType: {client_type:?}")));
        }
        fields.strings("scopes")?;
        fields.string("issuerUrl")?;
        let grant_types = fields.strings("grantTypes")?;
        let redirect_uris = fields.strings("redirectUris")?;
        if let Some(unknown) = grant_types
            .iter()
            .flatten()
            .find(|g| ![GRANT_REFRESH, GRANT_DEVICE, GRANT_CODE].contains(&g.as_str()))
        {
            return Err(OidcError::InvalidClientMetadata.response(&format!("Unsupported grant type: {unknown}")));
        }
        let wants_code = grant_types.iter().flatten().any(|g| g == GRANT_CODE);
        if wants_code && redirect_uris.is_none_or(|r| r.is_empty()) {
            return Err(OidcError::InvalidRequest.response("redirectUris is required for the authorization_code grant"));
        }
        let client_id = inner.fresh_id("client-id");
        let client_secret = inner.fresh_id("client-secret");
        let issued_at = now_s();
        let expires_at =
            issued_at.saturating_add(i64::try_from(inner.config.oidc.client_secret_ttl_seconds).unwrap_or(i64::MAX));
        let client = Client {
            secret: client_secret.clone(),
            expires_at: Some(expires_at),
            grant_types,
        };
        inner.registered.insert(client_id.clone(), client.clone());
        inner.clients.insert(client_id.clone(), client);
        inner.stats.registrations += 1;
        inner.stats.registered_clients.push(client_id.clone());
        Ok(Response::json(
            200,
            to_json(&RegisterClientBody {
                client_id,
                client_secret,
                client_id_issued_at: issued_at,
                client_secret_expires_at: expires_at,
            }),
        ))
    })();
    result.unwrap_or_else(|e| e)
}

/// `POST /device_authorization`
pub(crate) fn start_device_authorization(inner: &mut Inner, request: &Request, base_url: &str) -> Response {
    let result = (|| {
        let fields = Fields::parse(request)?;
        let client_id = fields.required("clientId")?;
        let client_secret = fields.required("clientSecret")?;
        fields.required("startUrl")?;
        check_client(inner, client_id, client_secret)?;
        let flow = inner.config.oidc.device_flow.clone();
        let device_code = inner.fresh_id("device-code");
        let user_code = user_code(inner.device_codes.len());
        inner.device_codes.insert(
            device_code.clone(),
            DeviceCode {
                client_id: client_id.to_owned(),
                created: Instant::now(),
                expires_in: flow.expires_in,
                interval: flow.interval,
                scripted_polls: 0,
                last_poll: None,
                redeemed: false,
            },
        );
        inner.stats.device_authorizations += 1;
        let verification_uri = format!("{base_url}/device");
        Ok(Response::json(
            200,
            to_json(&DeviceAuthorizationBody {
                verification_uri_complete: format!("{verification_uri}?user_code={user_code}"),
                verification_uri,
                device_code,
                user_code,
                expires_in: flow.expires_in,
                interval: flow.interval,
            }),
        ))
    })();
    result.unwrap_or_else(|e| e)
}

/// `ABCD-EFGH`-shaped user codes, distinct per device authorization.
fn user_code(n: usize) -> String {
    let mut letters = [b'A'; 8];
    let mut rest = n;
    for slot in letters.iter_mut().rev() {
        *slot = b'A' + u8::try_from(rest % 26).unwrap_or(0);
        rest /= 26;
    }
    let text = String::from_utf8_lossy(&letters).into_owned();
    format!("{}-{}", &text[..4], &text[4..])
}

/// `POST /token`
pub(crate) fn create_token(inner: &mut Inner, request: &Request) -> Response {
    let result = (|| {
        let fields = Fields::parse(request)?;
        let client_id = fields.required("clientId")?;
        let client_secret = fields.required("clientSecret")?;
        let grant_type = fields.required("grantType")?;
        check_client(inner, client_id, client_secret)?;
        match grant_type {
            GRANT_REFRESH => refresh_grant(inner, &fields, client_id),
            GRANT_DEVICE => device_grant(inner, &fields, client_id),
            GRANT_CODE => code_grant(inner, &fields, client_id),
            other => Err(OidcError::UnsupportedGrantType.response(&format!("Unsupported grant type: {other}"))),
        }
    })();
    result.unwrap_or_else(|e| e)
}

fn refresh_grant(inner: &mut Inner, fields: &Fields, client_id: &str) -> Result<Response, Response> {
    let refresh_token = fields.required("refreshToken")?;
    let invalid = || OidcError::InvalidGrant.response("Invalid refresh token provided");
    let grant = inner.refresh_tokens.get(refresh_token).cloned().ok_or_else(invalid)?;
    if grant.client_id.as_deref().is_some_and(|c| c != client_id) {
        return Err(invalid());
    }
    if grant.single_use {
        inner.refresh_tokens.remove(refresh_token);
        inner.issued_refresh.remove(refresh_token);
    }
    let access_token = match &grant.access_token {
        Some(token) => token.clone(),
        None => inner.fresh_id("access-token"),
    };
    let assignments = grant
        .assignments
        .clone()
        .or_else(|| {
            let from = grant.assignments_from.as_deref().unwrap_or(&access_token);
            inner.tokens.get(from).map(|t| t.assignments.clone())
        })
        .unwrap_or_else(|| inner.config.default_assignments.clone());
    if let Some(new_refresh) = &grant.new_refresh_token
        && !inner.refresh_tokens.contains_key(new_refresh)
    {
        let follow_up = RefreshGrant {
            new_refresh_token: None,
            assignments: Some(assignments.clone()),
            ..grant.clone()
        };
        inner.issue_refresh_token(new_refresh, follow_up);
    }
    inner.stats.refresh_grants += 1;
    let expires_in = grant.expires_in.unwrap_or(inner.config.oidc.access_token_expires_in);
    Ok(issue(
        inner,
        GRANT_REFRESH,
        client_id,
        access_token,
        assignments,
        grant.new_refresh_token.clone(),
        expires_in,
    ))
}

fn device_grant(inner: &mut Inner, fields: &Fields, client_id: &str) -> Result<Response, Response> {
    let device_code = fields.required("deviceCode")?.to_owned();
    let flow = inner.config.oidc.device_flow.clone();
    let now = Instant::now();
    let outcome = match inner.device_codes.get_mut(&device_code) {
        None => Err(OidcError::InvalidGrant),
        Some(code) if code.redeemed || code.client_id != client_id => Err(OidcError::InvalidGrant),
        Some(code) => {
            let too_soon = flow.enforce_interval
                && code
                    .last_poll
                    .is_some_and(|last| now.duration_since(last) < Duration::from_secs(code.interval));
            code.last_poll = Some(now);
            if now.duration_since(code.created) > Duration::from_secs(code.expires_in) {
                Err(OidcError::ExpiredToken)
            } else if too_soon {
                Err(OidcError::SlowDown)
            } else {
                let n = code.scripted_polls;
                code.scripted_polls += 1;
                if n < flow.pending_polls {
                    Err(OidcError::AuthorizationPending)
                } else if n < flow.pending_polls.saturating_add(flow.slow_down_polls) {
                    Err(OidcError::SlowDown)
                } else if flow.deny {
                    Err(OidcError::AccessDenied)
                } else if flow.expire {
                    Err(OidcError::ExpiredToken)
                } else {
                    code.redeemed = true;
                    Ok(())
                }
            }
        }
    };
    inner.stats.device_polls.push(DevicePoll {
        device_code,
        at_ms: now_ms(),
        outcome: match outcome {
            Ok(()) => "issued".to_owned(),
            Err(e) => e.code().to_owned(),
        },
    });
    if let Err(error) = outcome {
        let description = match error {
            OidcError::AuthorizationPending => "Authorization is still pending",
            OidcError::SlowDown => "Client is polling too fast",
            OidcError::AccessDenied => "The user denied the authorization request",
            OidcError::ExpiredToken => "The device code has expired",
            _ => "Invalid device code provided",
        };
        return Err(error.response(description));
    }
    inner.stats.device_code_grants += 1;
    Ok(issue_with_refresh(inner, GRANT_DEVICE, client_id))
}

fn code_grant(inner: &mut Inner, fields: &Fields, client_id: &str) -> Result<Response, Response> {
    let code = fields.required("code")?;
    let redirect_uri = fields.required("redirectUri")?;
    let verifier = fields.required("codeVerifier")?;
    let invalid = |why: &str| OidcError::InvalidGrant.response(why);
    let auth = inner
        .auth_codes
        .get_mut(code)
        .filter(|a| !a.redeemed)
        .ok_or_else(|| invalid("Invalid authorization code provided"))?;
    if auth.client_id != client_id {
        return Err(invalid("The authorization code was issued to another client"));
    }
    if auth.redirect_uri != redirect_uri {
        return Err(invalid("redirectUri does not match the one given to /authorize"));
    }
    let verifier_ok = (43..=128).contains(&verifier.len())
        && verifier
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'));
    if !verifier_ok || s256(verifier) != auth.code_challenge {
        return Err(invalid("codeVerifier does not match the code challenge"));
    }
    auth.redeemed = true;
    inner.stats.authorization_code_grants += 1;
    Ok(issue_with_refresh(inner, GRANT_CODE, client_id))
}

/// base64url(SHA-256(verifier)) without padding.
pub fn s256(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// Issues a new access token with `defaultAssignments` and a refresh token bound to the client.
fn issue_with_refresh(inner: &mut Inner, grant_type: &str, client_id: &str) -> Response {
    let access_token = inner.fresh_id("access-token");
    let refresh_token = inner.fresh_id("refresh-token");
    let assignments = inner.config.default_assignments.clone();
    inner.issue_refresh_token(
        &refresh_token,
        RefreshGrant {
            assignments: Some(assignments.clone()),
            client_id: Some(client_id.to_owned()),
            ..RefreshGrant::default()
        },
    );
    let expires_in = inner.config.oidc.access_token_expires_in;
    issue(
        inner,
        grant_type,
        client_id,
        access_token,
        assignments,
        Some(refresh_token),
        expires_in,
    )
}

fn issue(
    inner: &mut Inner,
    grant_type: &str,
    client_id: &str,
    access_token: String,
    assignments: Vec<Account>,
    refresh_token: Option<String>,
    expires_in: u64,
) -> Response {
    inner.issue_access_token(&access_token, assignments, expires_in);
    inner.stats.issued_tokens.push(IssuedToken {
        grant_type: grant_type.to_owned(),
        client_id: client_id.to_owned(),
        access_token: access_token.clone(),
        refresh_token: refresh_token.clone(),
    });
    Response::json(
        200,
        to_json(&TokenBody {
            access_token,
            token_type: "Bearer",
            expires_in,
            refresh_token,
        }),
    )
}

/// `GET /authorize?response_type=code&client_id=…&redirect_uri=…&state=…&code_challenge_method=S256&scopes=…&code_challenge=…`
pub(crate) fn authorize(inner: &mut Inner, request: &Request) -> Response {
    let result = (|| {
        let bad = |why: String| OidcError::InvalidRequest.response(&why);
        let pairs = http::parse_query(&request.query).map_err(|e| bad(format!("Malformed query: {e:?}")))?;
        const ALLOWED: [&str; 7] = [
            "response_type",
            "client_id",
            "redirect_uri",
            "state",
            "code_challenge_method",
            "code_challenge",
            "scopes",
        ];
        if let Some((name, _)) = pairs.iter().find(|(n, _)| !ALLOWED.contains(&n.as_str())) {
            return Err(bad(format!("Unexpected query parameter: {name}")));
        }
        let get = |name: &str| {
            pairs
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.as_str())
                .filter(|v| !v.is_empty())
                .ok_or_else(|| bad(format!("Missing required parameter: {name}")))
        };
        if get("response_type")? != "code" {
            return Err(bad("response_type must be code".into()));
        }
        if get("code_challenge_method")? != "S256" {
            return Err(bad("code_challenge_method must be S256".into()));
        }
        let challenge = get("code_challenge")?;
        if challenge.len() != 43
            || !challenge
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            return Err(bad("code_challenge must be 43 base64url characters".into()));
        }
        let state = get("state")?;
        let redirect_uri = get("redirect_uri")?;
        if !is_loopback_callback(redirect_uri) {
            return Err(bad(format!(
                "redirect_uri must be http://127.0.0.1:PORT/oauth/callback, got {redirect_uri:?}"
            )));
        }
        let client_id = get("client_id")?;
        let client = inner
            .clients
            .get(client_id)
            .ok_or_else(|| OidcError::InvalidClient.response("Client not found"))?;
        if client.expires_at.is_some_and(|at| at <= now_s()) {
            return Err(OidcError::InvalidClient.response("Client registration has expired"));
        }
        if client
            .grant_types
            .as_ref()
            .is_some_and(|g| !g.iter().any(|g| g == GRANT_CODE))
        {
            return Err(bad(
                "The client is not registered for the authorization_code grant".into()
            ));
        }
        let behaviour = inner.config.oidc.authorize.clone();
        let location = if behaviour.deny {
            format!(
                "{redirect_uri}?error=access_denied&error_description={}&state={}",
                http::percent_encode("The user denied the request"),
                http::percent_encode(state)
            )
        } else {
            let code = inner.fresh_id("authorization-code");
            inner.auth_codes.insert(
                code.clone(),
                AuthCode {
                    client_id: client_id.to_owned(),
                    redirect_uri: redirect_uri.to_owned(),
                    code_challenge: challenge.to_owned(),
                    redeemed: false,
                },
            );
            inner.stats.authorizations += 1;
            let state = if behaviour.wrong_state {
                format!("not-{state}")
            } else {
                state.to_owned()
            };
            format!(
                "{redirect_uri}?code={}&state={}",
                http::percent_encode(&code),
                http::percent_encode(&state)
            )
        };
        Ok(Response::new(302).header("Location", location))
    })();
    result.unwrap_or_else(|e| e)
}

/// `http://127.0.0.1:PORT/oauth/callback` with a port from 1 to 65535.
fn is_loopback_callback(uri: &str) -> bool {
    uri.strip_prefix("http://127.0.0.1:")
        .and_then(|rest| rest.strip_suffix("/oauth/callback"))
        .is_some_and(|port| {
            !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit()) && port.parse::<u16>().is_ok_and(|p| p > 0)
        })
}

/// `GET /device`: the page a user would open to approve a device code (approval is scripted instead).
pub(crate) fn device_page() -> Response {
    Response::new(200)
        .header("Content-Type", "text/html; charset=utf-8")
        .body(
            b"<!doctype html><title>fake portal</title><p>Device authorization is approved by the test script.</p>"
                .to_vec(),
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn s256_matches_rfc7636_appendix_b() {
        assert_eq!(
            s256("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }

    #[test]
    fn loopback_callbacks() {
        assert!(is_loopback_callback("http://127.0.0.1:4242/oauth/callback"));
        assert!(!is_loopback_callback("http://127.0.0.1/oauth/callback"));
        assert!(!is_loopback_callback("http://localhost:4242/oauth/callback"));
        assert!(!is_loopback_callback("http://127.0.0.1:70000/oauth/callback"));
        assert!(!is_loopback_callback("http://127.0.0.1:0/oauth/callback"));
        assert!(!is_loopback_callback("http://127.0.0.1:42/oauth/callback/x"));
    }

    #[test]
    fn user_codes_are_distinct() {
        assert_eq!(user_code(0), "AAAA-AAAA");
        assert_eq!(user_code(27), "AAAA-AABB");
    }
}
