//! What goes out: the results of the JavaScript API, built from the core's types and written by
//! [`crate::boundary::output`], with their TypeScript declarations generated beside them (tsify).
//!
//! Every timestamp is an RFC 3339 string in UTC with a `Z` and whole seconds (`format_timestamp`), such as
//! "2023-02-14T18:48:59Z"; absent values are `null`.

use serde::Serialize;
use sso_core::{AccountId, CachedToken, HttpRequest as CoreRequest, cache_file_name, format_timestamp};
use tsify::Tsify;

use crate::boundary::Headers;

/// What `parseCache` tells about a token cache file. It never returns the token or any other secret.
#[derive(Serialize, Tsify)]
#[serde(rename_all = "camelCase")]
#[tsify(missing_as_null)]
pub struct CacheInfo {
    pub start_url: Option<String>,
    /// The region the token was issued in, as written in the file.
    pub region: Option<String>,
    /// When the access token expires (RFC 3339, UTC).
    pub expires_at: String,
    pub has_refresh_token: bool,
    /// When the OIDC client registration expires (RFC 3339, UTC), or null.
    pub registration_expires_at: Option<String>,
    /// The file name `aws sso login` gives this token for a legacy profile: the SHA-1 of the start URL, + ".json".
    pub legacy_cache_file_name: Option<String>,
}

impl From<&CachedToken> for CacheInfo {
    fn from(token: &CachedToken) -> Self {
        Self {
            start_url: token.start_url.clone(),
            region: token.region.clone(),
            expires_at: format_timestamp(token.expires_at),
            has_refresh_token: token.refresh_token.is_some(),
            registration_expires_at: token.registration_expires_at.map(format_timestamp),
            legacy_cache_file_name: token.start_url.as_deref().map(cache_file_name),
        }
    }
}

/// How a token stands. An expired token is reported here, not thrown.
#[derive(Serialize, Tsify)]
#[serde(rename_all = "camelCase")]
#[tsify(missing_as_null)]
pub struct TokenCheck {
    pub expired: bool,
    /// Valid, but for less than `minValiditySeconds`.
    pub expiring_soon: bool,
    /// RFC 3339, UTC.
    pub expires_at: String,
    /// Seconds left; negative once expired.
    pub expires_in_seconds: f64,
    /// The time left (or, once expired, the time since) for people: "7 h 59 min".
    pub time_left: String,
    pub start_url: Option<String>,
    /// The region calls go to: the one asked for, else the token's; null when neither is usable.
    pub region: Option<String>,
    /// The region written in the token file.
    pub token_region: Option<String>,
    /// Things to tell the user: time running out, a region other than the token's, no region.
    pub warnings: Vec<String>,
    /// 'TOKEN_EXPIRED' when expired, else null.
    #[tsify(type = "'TOKEN_EXPIRED' | null")]
    pub code: Option<&'static str>,
    /// When expired: when, how long ago, and how to sign in again.
    pub message: Option<String>,
}

/// An HTTP request to send. `headers` carries the access token: do not log it.
#[derive(Serialize, Tsify)]
pub struct HttpRequest {
    #[tsify(type = "'GET' | 'POST'")]
    pub method: &'static str,
    pub url: String,
    #[tsify(type = "Record<string, string>")]
    pub headers: Headers,
}

impl From<CoreRequest> for HttpRequest {
    fn from(mut request: CoreRequest) -> Self {
        // Taken, not cloned: the core's request wipes what is left of it (the token header) when dropped.
        Self {
            method: request.method.as_str(),
            url: std::mem::take(&mut request.url),
            headers: Headers(std::mem::take(&mut request.headers)),
        }
    }
}

/// Temporary role credentials.
#[derive(Serialize, Tsify)]
#[serde(rename_all = "camelCase")]
#[tsify(missing_as_null)]
pub struct RoleCredentials {
    pub access_key_id: String,
    pub secret_access_key: String,
    pub session_token: String,
    /// When they expire (RFC 3339, UTC, whole seconds).
    pub expiration: String,
    /// The account, when known.
    pub account_id: Option<String>,
}

impl From<&sso_core::RoleCredentials> for RoleCredentials {
    fn from(credentials: &sso_core::RoleCredentials) -> Self {
        Self {
            access_key_id: credentials.access_key_id.clone(),
            secret_access_key: credentials.secret_access_key.expose().to_owned(),
            session_token: credentials.session_token.expose().to_owned(),
            expiration: format_timestamp(credentials.expiration),
            account_id: credentials
                .account_id
                .as_ref()
                .map(|id| AccountId::as_str(id).to_owned()),
        }
    }
}

/// POSIX shell commands that fetch the credentials, each reading the token from `cachePath` when run.
#[derive(Serialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct Commands {
    /// `aws sso get-role-credentials … --output json --access-token "$(jq -r .accessToken FILE)"`
    pub aws_cli: String,
    /// `ssocreds export --cache FILE …`
    pub ssocreds: String,
    /// `curl … --header "x-amz-sso_bearer_token: $(jq -r .accessToken FILE)" URL`
    pub curl: String,
    /// The region the commands call.
    pub region: String,
}

/// What `getRoleCredentials` (js/client.js) sends, and the context to pass to the answer.
#[derive(Serialize)]
pub struct Prepared {
    pub request: HttpRequest,
    pub context: crate::options::CallContext,
}
