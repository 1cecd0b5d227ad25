//! The console federation endpoint (`signin.aws.amazon.com/federation`), on the same server as the portal.
//!
//! `GET /federation?Action=getSigninToken&Session=<JSON>[&SessionDuration=N]` answers `{"SigninToken": "…"}` when the
//! `Session` JSON (`sessionId`, `sessionKey`, `sessionToken`) holds role credentials this fake issued (portal or STS)
//! and that have not expired; the token is the same for the same credentials ([`signin_token_for`]), so tests can
//! predict it.
//! Anything else is a 400, as the real endpoint answers credentials it does not accept. `federation.answer` in the
//! config replaces the answer with a 400, 403, 500 or an HTML page, for the client's error paths.
//!
//! `GET /federation?Action=login&Issuer=…&Destination=…&SigninToken=…` (what the browser opens) redirects to
//! `Destination` when the token was issued here, so a test can follow the login URL.

use std::collections::BTreeMap;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::config::FederationAnswer;
use super::errors::to_json;
use super::http::{self, Request, Response};
use super::state::{Inner, now_ms};

/// The sign-in token the fake federation endpoint gives for these credentials: always the same for the same ones.
pub fn signin_token_for(access_key_id: &str, secret_access_key: &str, session_token: &str) -> String {
    let digest = Sha256::new()
        .chain_update(b"fake-signin-token\n")
        .chain_update(access_key_id.as_bytes())
        .chain_update(b"\n")
        .chain_update(secret_access_key.as_bytes())
        .chain_update(b"\n")
        .chain_update(session_token.as_bytes())
        .finalize();
    // Real tokens are long and URL-safe but for `-` and `_`; a `-` here keeps clients from assuming letters only.
    format!("fake-signin-{}", URL_SAFE_NO_PAD.encode(digest))
}

/// What the federation endpoint adds to what the fake knows (the credentials the portal and the fake STS issued,
/// `Inner::issued_keys`): the sign-in tokens it gave. Not cleared by `set_config`.
#[derive(Clone, Debug, Default)]
pub(crate) struct FederationState {
    /// Sign-in token → the access key id it was given for.
    signin_tokens: BTreeMap<String, String>,
}

/// The `Session` parameter: exactly these three strings.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Session {
    #[serde(rename = "sessionId")]
    session_id: String,
    #[serde(rename = "sessionKey")]
    session_key: String,
    #[serde(rename = "sessionToken")]
    session_token: String,
}

#[derive(Serialize)]
struct SigninTokenBody {
    #[serde(rename = "SigninToken")]
    signin_token: String,
}

/// A page as the real endpoint answers errors: HTML, not JSON.
fn html(status: u16, title: &str) -> Response {
    Response::new(status)
        .header("Content-Type", "text/html;charset=UTF-8")
        .body(
            format!("<!DOCTYPE html><html><head><title>{title}</title></head><body><h1>{title}</h1></body></html>")
                .into_bytes(),
        )
}

fn bad_request(why: &str) -> Response {
    html(400, &format!("Bad Request: {why}"))
}

/// `GET /federation`.
pub(crate) fn federation(inner: &mut Inner, request: &Request) -> Response {
    let params = match http::parse_query(&request.query) {
        Ok(params) => params,
        Err(_) => return bad_request("malformed query"),
    };
    let get = |name: &str| params.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str());
    match get("Action") {
        Some("getSigninToken") => get_signin_token(inner, &params),
        Some("login") => login(inner, &params),
        _ => bad_request("unknown Action"),
    }
}

fn get_signin_token(inner: &mut Inner, params: &[(String, String)]) -> Response {
    match inner.config.federation.answer {
        FederationAnswer::Token => {}
        FederationAnswer::BadRequest => return bad_request("Invalid credentials parameter (configured)"),
        FederationAnswer::Forbidden => return html(403, "Forbidden (configured)"),
        FederationAnswer::ServerError => return html(500, "Internal Server Error (configured)"),
        FederationAnswer::Html => return html(200, "Amazon Web Services Sign-In"),
    }
    if let Some((name, _)) = params
        .iter()
        .find(|(n, _)| !matches!(n.as_str(), "Action" | "Session" | "SessionDuration"))
    {
        return bad_request(&format!("unexpected parameter {name}"));
    }
    let get = |name: &str| params.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str());
    if let Some(duration) = get("SessionDuration") {
        let ok = !duration.is_empty()
            && duration.bytes().all(|b| b.is_ascii_digit())
            && duration.parse::<u32>().is_ok_and(|d| (900..=43_200).contains(&d));
        if !ok {
            return bad_request("SessionDuration must be 900 to 43200 seconds");
        }
    }
    let Some(session) = get("Session") else {
        return bad_request("missing Session");
    };
    let Ok(session) = serde_json::from_str::<Session>(session) else {
        return bad_request("Session is not the JSON object {sessionId, sessionKey, sessionToken}");
    };
    // Credentials of the portal (GetRoleCredentials) or of the fake STS (AssumeRole, for role chains).
    let accepted = inner.issued_keys.get(&session.session_id).is_some_and(|issued| {
        issued.secret_access_key == session.session_key
            && issued.session_token == session.session_token
            && now_ms() < issued.expires_at_ms
    });
    if !accepted {
        return bad_request("Invalid credentials parameter");
    }
    let token = signin_token_for(&session.session_id, &session.session_key, &session.session_token);
    inner
        .federation
        .signin_tokens
        .insert(token.clone(), session.session_id.clone());
    inner.stats.signin_tokens_issued += 1;
    Response::json(200, to_json(&SigninTokenBody { signin_token: token }))
}

fn login(inner: &Inner, params: &[(String, String)]) -> Response {
    let get = |name: &str| params.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str());
    let (Some(token), Some(destination)) = (get("SigninToken"), get("Destination")) else {
        return bad_request("login needs SigninToken and Destination");
    };
    if destination.chars().any(char::is_control) {
        return bad_request("Destination holds control characters");
    }
    if !inner.federation.signin_tokens.contains_key(token) {
        return bad_request("unknown SigninToken");
    }
    Response::new(302).header("Location", destination)
}
