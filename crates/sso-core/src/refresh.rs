//! Refreshing a cached token: when to, the `CreateToken` request, and the cache document to write back. Also the
//! cache document of a brand-new sign-in.

use chrono::{DateTime, TimeDelta, Utc};

use crate::cache::{CacheError, CachedToken, parse_cached_token};
use crate::endpoint::Endpoint;
use crate::http::HttpRequest;
use crate::ids::Region;
use crate::oidc::{CreateTokenGrant, CreateTokenResponse, create_token_request};
use crate::registration::CachedRegistration;
use crate::time::format_timestamp;

/// Refresh when less than this is left: the Rust and JavaScript SDKs' window (botocore uses 15 minutes).
pub const DEFAULT_REFRESH_THRESHOLD: TimeDelta = TimeDelta::minutes(5);

/// Whether `token` has less than `threshold` left at `now` (or has expired).
pub fn needs_refresh(token: &CachedToken, now: DateTime<Utc>, threshold: TimeDelta) -> bool {
    token.expires_at - now < threshold
}

/// Why a token cannot be refreshed; every case ends in signing in again. `Display` is the whole sentence;
/// [`RefreshUnavailable::reason`] is only the why, for a host that words the rest itself.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "the token cannot be refreshed: {}; sign in again with `ssocreds login` (or `aws sso login`)",
    self.reason()
)]
pub enum RefreshUnavailable {
    /// No `refreshToken` (a legacy sign-in, or one without `sso-session`).
    NoRefreshToken,
    /// No `clientId`/`clientSecret`.
    NoClientRegistration,
    /// `registrationExpiresAt` has passed (or is missing).
    RegistrationExpired {
        /// When it expired, if the file says.
        expired_at: Option<DateTime<Utc>>,
    },
}

impl RefreshUnavailable {
    /// Why, in a few lower-case words: `its client registration expired at 2024-05-01T00:00:00Z`.
    pub fn reason(&self) -> String {
        match self {
            Self::NoRefreshToken => "the cache file has no refresh token (sign-ins of legacy profiles without \
                                     sso_session never get one)"
                .to_owned(),
            Self::NoClientRegistration => {
                "the cache file has no client registration (clientId and clientSecret)".to_owned()
            }
            Self::RegistrationExpired { expired_at: Some(at) } => {
                format!("its client registration expired at {}", format_timestamp(*at))
            }
            Self::RegistrationExpired { expired_at: None } => {
                "its client registration has no expiry (registrationExpiresAt)".to_owned()
            }
        }
    }

    /// A stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::NoRefreshToken => "REFRESH_NO_REFRESH_TOKEN",
            Self::NoClientRegistration => "REFRESH_NO_CLIENT_REGISTRATION",
            Self::RegistrationExpired { .. } => "REFRESH_REGISTRATION_EXPIRED",
        }
    }
}

/// Whether `token` can be refreshed at `now`, and if not why: a refresh token, a client registration, and a
/// registration that has not expired (the conditions of [`CachedToken::can_refresh`]).
pub fn check_refreshable(token: &CachedToken, now: DateTime<Utc>) -> Result<(), RefreshUnavailable> {
    if token.refresh_token.is_none() {
        return Err(RefreshUnavailable::NoRefreshToken);
    }
    if token.client_id.is_none() || token.client_secret.is_none() {
        return Err(RefreshUnavailable::NoClientRegistration);
    }
    match token.registration_expires_at {
        Some(at) if at > now => Ok(()),
        expired_at => Err(RefreshUnavailable::RegistrationExpired { expired_at }),
    }
}

/// The `CreateToken` refresh request for a cached token, or why there can be none (the same conditions as
/// [`CachedToken::can_refresh`]). Parse the answer with [`crate::parse_create_token_response`] and
/// [`crate::GrantType::RefreshToken`].
pub fn refresh_token_request(
    oidc_endpoint: &Endpoint,
    token: &CachedToken,
    now: DateTime<Utc>,
) -> Result<HttpRequest, RefreshUnavailable> {
    check_refreshable(token, now)?;
    let (Some(refresh_token), Some(client_id), Some(client_secret)) =
        (&token.refresh_token, &token.client_id, &token.client_secret)
    else {
        unreachable!("check_refreshable found a refresh token and a client registration");
    };
    let grant = CreateTokenGrant::RefreshToken {
        refresh_token: refresh_token.clone(),
    };
    Ok(create_token_request(oidc_endpoint, client_id, client_secret, &grant))
}

/// The refreshed cache document: the new access token, `expiresAt = now + expiresIn`, the new refresh token or
/// the old one when none came back, and every other field (unknown ones included) as it was.
pub fn apply_token_response(token: &CachedToken, response: &CreateTokenResponse, now: DateTime<Utc>) -> CachedToken {
    let mut refreshed = token.clone();
    refreshed.access_token = response.access_token.clone();
    refreshed.expires_at = now + response.expires_in;
    if let Some(refresh_token) = &response.refresh_token {
        refreshed.refresh_token = Some(refresh_token.clone());
    }
    refreshed
}

/// The cache document of a new sign-in, with the AWS CLI's fields: `startUrl`, `region`, `accessToken`,
/// `expiresAt` (`now + expiresIn`), `clientId`, `clientSecret`, `registrationExpiresAt` and, when one came back,
/// `refreshToken`. Write [`CachedToken::to_json`] under the profile's cache file name.
///
/// Fails only for a response without an access token, which [`crate::parse_create_token_response`] never returns.
pub fn new_cached_token(
    start_url: &str,
    sso_region: &Region,
    registration: &CachedRegistration,
    response: &CreateTokenResponse,
    now: DateTime<Utc>,
) -> Result<CachedToken, CacheError> {
    let mut document = serde_json::json!({
        "startUrl": start_url,
        "region": sso_region.as_str(),
        "accessToken": response.access_token.expose(),
        "expiresAt": format_timestamp(now + response.expires_in),
        "clientId": registration.client_id,
        "clientSecret": registration.client_secret.expose(),
        "registrationExpiresAt": format_timestamp(registration.expires_at),
    });
    if let Some(refresh_token) = &response.refresh_token {
        document["refreshToken"] = serde_json::Value::String(refresh_token.expose().to_owned());
    }
    // Built through the parser so that the token is exactly what reading the file back gives.
    let mut bytes = serde_json::to_vec(&document).expect("a JSON object always serializes");
    let token = parse_cached_token(&bytes);
    zeroize::Zeroize::zeroize(&mut bytes);
    token
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::endpoint::EndpointOptions;
    use crate::http::HttpResponse;
    use crate::oidc::{GrantType, parse_create_token_response};
    use crate::registration::parse_cached_registration;
    use crate::secret::SecretString;
    use crate::time::parse_timestamp;
    use serde_json::Value;
    // On wasm32 the same tests run under wasm-bindgen-test (as quinn-proto does).
    #[cfg(all(target_family = "wasm", target_os = "unknown"))]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    const CACHED: &str = r#"{
        "startUrl": "https://corp.awsapps.com/start",
        "region": "eu-west-1",
        "accessToken": "old-at",
        "expiresAt": "2024-03-01T12:00:00Z",
        "clientId": "cid",
        "clientSecret": "csecret",
        "registrationExpiresAt": "2024-05-01T00:00:00Z",
        "refreshToken": "old-rt",
        "somethingNew": {"kept": true}
    }"#;

    fn at(s: &str) -> DateTime<Utc> {
        parse_timestamp(s).unwrap()
    }

    fn endpoint() -> Endpoint {
        Endpoint::oidc(&Region::new("eu-west-1").unwrap(), EndpointOptions::default())
    }

    fn token_response(body: &str) -> CreateTokenResponse {
        let response = HttpResponse {
            status: 200,
            headers: vec![],
            body: body.as_bytes().to_vec(),
        };
        parse_create_token_response(&response, GrantType::RefreshToken).unwrap()
    }

    #[test]
    fn refresh_is_due_inside_the_threshold() {
        let token = parse_cached_token(CACHED.as_bytes()).unwrap();
        assert!(!needs_refresh(
            &token,
            at("2024-03-01T11:54:59Z"),
            DEFAULT_REFRESH_THRESHOLD
        ));
        assert!(needs_refresh(
            &token,
            at("2024-03-01T11:55:01Z"),
            DEFAULT_REFRESH_THRESHOLD
        ));
        assert!(needs_refresh(
            &token,
            at("2024-03-01T13:00:00Z"),
            DEFAULT_REFRESH_THRESHOLD
        ));
    }

    #[test]
    fn refresh_request_uses_the_cached_registration() {
        let token = parse_cached_token(CACHED.as_bytes()).unwrap();
        let request = refresh_token_request(&endpoint(), &token, at("2024-03-01T11:58:00Z")).unwrap();
        assert_eq!(request.url, "https://oidc.eu-west-1.amazonaws.com/token");
        let body: Value = serde_json::from_slice(request.body.as_ref().unwrap()).unwrap();
        assert_eq!(
            body,
            serde_json::json!({"clientId": "cid", "clientSecret": "csecret", "grantType": "refresh_token",
                "refreshToken": "old-rt"})
        );
    }

    #[test]
    fn refresh_unavailable_says_why_and_how_to_sign_in() {
        let now = at("2024-03-01T11:58:00Z");
        let mut token = parse_cached_token(CACHED.as_bytes()).unwrap();
        let err = refresh_token_request(&endpoint(), &token, at("2024-05-01T00:00:00Z")).unwrap_err();
        assert_eq!(err.code(), "REFRESH_REGISTRATION_EXPIRED");
        assert_eq!(
            err.to_string(),
            "the token cannot be refreshed: its client registration expired at 2024-05-01T00:00:00Z; sign in again \
             with `ssocreds login` (or `aws sso login`)"
        );
        token.registration_expires_at = None;
        assert_eq!(
            refresh_token_request(&endpoint(), &token, now).unwrap_err(),
            RefreshUnavailable::RegistrationExpired { expired_at: None }
        );
        token.client_secret = None;
        assert_eq!(
            refresh_token_request(&endpoint(), &token, now).unwrap_err(),
            RefreshUnavailable::NoClientRegistration
        );
        token.refresh_token = None;
        let err = refresh_token_request(&endpoint(), &token, now).unwrap_err();
        assert_eq!(err.code(), "REFRESH_NO_REFRESH_TOKEN");
        assert!(err.to_string().contains("ssocreds login"));
    }

    #[test]
    fn refreshable_agrees_with_can_refresh_and_gives_the_reason() {
        let mut token = parse_cached_token(CACHED.as_bytes()).unwrap();
        let now = at("2024-03-01T11:58:00Z");
        assert_eq!(check_refreshable(&token, now), Ok(()));
        assert!(token.can_refresh(now));
        let later = at("2024-06-01T00:00:00Z");
        let why = check_refreshable(&token, later).unwrap_err();
        assert!(!token.can_refresh(later));
        assert_eq!(why.reason(), "its client registration expired at 2024-05-01T00:00:00Z");
        token.client_id = None;
        assert_eq!(
            check_refreshable(&token, now).unwrap_err().reason(),
            "the cache file has no client registration (clientId and clientSecret)"
        );
    }

    #[test]
    fn applying_a_response_keeps_the_old_refresh_token_and_unknown_fields() {
        let token = parse_cached_token(CACHED.as_bytes()).unwrap();
        let now = at("2024-03-01T11:58:00Z");
        let refreshed = apply_token_response(
            &token,
            &token_response(r#"{"accessToken":"new-at","expiresIn":3600}"#),
            now,
        );
        let written: Value = serde_json::from_str(&refreshed.to_json()).unwrap();
        assert_eq!(written["accessToken"], "new-at");
        assert_eq!(written["expiresAt"], "2024-03-01T12:58:00Z");
        assert_eq!(written["refreshToken"], "old-rt");
        assert_eq!(written["somethingNew"]["kept"], true);
        assert_eq!(written["registrationExpiresAt"], "2024-05-01T00:00:00Z");
        assert_eq!(written["clientSecret"], "csecret");

        let rotated = apply_token_response(
            &token,
            &token_response(r#"{"accessToken":"new-at","expiresIn":3600,"refreshToken":"new-rt"}"#),
            now,
        );
        assert_eq!(rotated.refresh_token, Some(SecretString::new("new-rt")));
    }

    #[test]
    fn a_new_sign_in_writes_the_aws_cli_fields() {
        let registration = parse_cached_registration(
            br#"{"clientId":"cid","clientSecret":"cs","expiresAt":"2024-06-01T00:00:00Z","scopes":["sso:account:access"]}"#,
        )
        .unwrap();
        let token = new_cached_token(
            "https://corp.awsapps.com/start",
            &Region::new("eu-west-1").unwrap(),
            &registration,
            &token_response(r#"{"accessToken":"at","expiresIn":28800,"refreshToken":"rt","tokenType":"Bearer"}"#),
            at("2024-03-01T10:00:00.250Z"),
        )
        .unwrap();
        assert!(token.can_refresh(at("2024-03-01T10:00:00Z")));
        let written: Value = serde_json::from_str(&token.to_json()).unwrap();
        assert_eq!(
            written,
            serde_json::json!({
                "startUrl": "https://corp.awsapps.com/start",
                "region": "eu-west-1",
                "accessToken": "at",
                "expiresAt": "2024-03-01T18:00:00Z",
                "clientId": "cid",
                "clientSecret": "cs",
                "registrationExpiresAt": "2024-06-01T00:00:00Z",
                "refreshToken": "rt"
            })
        );
        let without = new_cached_token(
            "u",
            &Region::new("eu-west-1").unwrap(),
            &registration,
            &token_response(r#"{"accessToken":"at","expiresIn":60}"#),
            at("2024-03-01T10:00:00Z"),
        )
        .unwrap();
        assert!(without.refresh_token.is_none());
    }
}
