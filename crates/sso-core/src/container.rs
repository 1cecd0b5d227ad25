//! The container credential provider protocol, as data: what `ssocreds serve` answers to the AWS SDKs that read
//! `AWS_CONTAINER_CREDENTIALS_FULL_URI` and `AWS_CONTAINER_AUTHORIZATION_TOKEN`. The host owns the socket and the
//! HTTP server; the core decides what a request deserves ([`ContainerEndpoint::check`]), writes the answers
//! ([`credentials_response`], [`Refusal::response`], [`FetchFailure::response`]), says when to fetch new role
//! credentials ([`RefetchPolicy::decide`]) and prints the two variables ([`ContainerEndpoint::format_variables`]).
//!
//! What the SDKs expect: a `GET` with the token verbatim in `Authorization`; `200` with
//! `{"AccessKeyId", "SecretAccessKey", "Token", "Expiration", "AccountId"}`, `Expiration` in RFC 3339 ending in `Z`
//! (the JavaScript SDK refuses `+00:00`); errors as `{"Code", "Message"}`. botocore refreshes container credentials
//! within 15 minutes of their expiry (10 mandatory), the JavaScript SDK within 5; both give up on an endpoint after
//! 1 to 2 seconds, so a request must never wait on the portal in steady state.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, TimeDelta, Utc};
use serde::Serialize;
use subtle::ConstantTimeEq as _;
use zeroize::Zeroize;

use crate::export::{ExportError, ExportFormat, render_lines};
use crate::portal::{PortalError, PortalErrorKind, RoleCredentials};
use crate::secret::SecretString;
use crate::time::format_timestamp;

/// The path of the credentials on the endpoint: `http://127.0.0.1:PORT/credentials`.
pub const CREDENTIALS_PATH: &str = "/credentials";

/// The variable that tells the SDKs where the endpoint is.
pub const FULL_URI_VARIABLE: &str = "AWS_CONTAINER_CREDENTIALS_FULL_URI";
/// The variable that holds the token the SDKs send in `Authorization`.
pub const AUTHORIZATION_TOKEN_VARIABLE: &str = "AWS_CONTAINER_AUTHORIZATION_TOKEN";

/// Variables a child of `ssocreds exec --serve` must not inherit: the SDKs prefer each of them to the endpoint.
pub const VARIABLES_THAT_SHADOW_THE_ENDPOINT: [&str; 7] = [
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_CREDENTIAL_EXPIRATION",
    "AWS_PROFILE",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
];

/// The token clients must present: 256 bits from the host's random source, base64url without padding (43
/// characters that need no quoting in any shell). `Debug` and `Display` redact it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthorizationToken(SecretString);

impl AuthorizationToken {
    /// A token from 32 random bytes (the host reads them from the operating system's generator).
    pub fn from_entropy(entropy: &[u8; 32]) -> Self {
        Self(SecretString::new(URL_SAFE_NO_PAD.encode(entropy)))
    }

    /// The token, for the variable and for nothing else.
    pub fn expose(&self) -> &str {
        self.0.expose()
    }

    /// Whether `presented` is the token, compared in constant time: how long the comparison takes says nothing
    /// about how much of a guess was right.
    pub fn matches(&self, presented: &[u8]) -> bool {
        bool::from(self.0.expose().as_bytes().ct_eq(presented))
    }
}

/// An HTTP request as the server received it: what the core needs to decide. `Debug` redacts `Authorization`.
#[derive(Clone, Copy)]
pub struct IncomingRequest<'a> {
    /// The method, as sent (`GET`).
    pub method: &'a str,
    /// The request target: the path with its query, if any (`/credentials`).
    pub target: &'a str,
    /// Every header, names in any case, values with surrounding spaces trimmed (as HTTP servers hand them over).
    pub headers: &'a [(&'a str, &'a str)],
}

impl std::fmt::Debug for IncomingRequest<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let headers: Vec<(&str, &str)> = self
            .headers
            .iter()
            .map(|&(name, value)| {
                if name.eq_ignore_ascii_case("authorization") {
                    (name, "** redacted **")
                } else {
                    (name, value)
                }
            })
            .collect();
        f.debug_struct("IncomingRequest")
            .field("method", &self.method)
            .field("target", &self.target)
            .field("headers", &headers)
            .finish()
    }
}

impl IncomingRequest<'_> {
    fn headers_named<'h>(&'h self, name: &'h str) -> impl Iterator<Item = &'h str> + 'h {
        self.headers
            .iter()
            .filter(move |(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| *v)
    }
}

/// What a request deserves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestCheck {
    /// Answer with the credentials (200), fetching them first if [`RefetchPolicy::decide`] says so.
    Serve,
    /// Refuse it with this answer.
    Refuse(Refusal),
}

/// Why a request is refused. Each has a status, a `Code` and a message, none of which holds a secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// 403: `Host` is not `127.0.0.1:PORT` or `localhost:PORT` (or is missing or repeated): a page that rebinds its
    /// DNS name to 127.0.0.1 sends its own name.
    ForeignHost,
    /// 403: the request has an `Origin` (or `Sec-Fetch-Site`) header: it comes from a browser, which no SDK is.
    BrowserRequest,
    /// 404: another path.
    NotFound,
    /// 405: another method.
    MethodNotAllowed,
    /// 401: no `Authorization` header (or more than one).
    MissingToken,
    /// 401: an `Authorization` header that is not the token.
    WrongToken,
}

impl Refusal {
    /// The HTTP status.
    pub fn status(self) -> u16 {
        match self {
            Self::ForeignHost | Self::BrowserRequest => 403,
            Self::NotFound => 404,
            Self::MethodNotAllowed => 405,
            Self::MissingToken | Self::WrongToken => 401,
        }
    }

    /// The `Code` of the JSON answer.
    pub fn code(self) -> &'static str {
        match self {
            Self::ForeignHost => "ForbiddenHost",
            Self::BrowserRequest => "ForbiddenOrigin",
            Self::NotFound => "NotFound",
            Self::MethodNotAllowed => "MethodNotAllowed",
            Self::MissingToken => "MissingAuthorizationToken",
            Self::WrongToken => "InvalidAuthorizationToken",
        }
    }

    /// The `Message` of the JSON answer, also fit for the server's log line.
    pub fn message(self) -> &'static str {
        match self {
            Self::ForeignHost => {
                "the Host header must be 127.0.0.1:PORT or localhost:PORT for the port this endpoint listens on"
            }
            Self::BrowserRequest => "requests from web pages (with an Origin header) are refused",
            Self::NotFound => "no such path; the credentials are at /credentials",
            Self::MethodNotAllowed => "only GET is allowed",
            Self::MissingToken => {
                "no Authorization header; send the value of AWS_CONTAINER_AUTHORIZATION_TOKEN printed by ssocreds serve"
            }
            Self::WrongToken => {
                "the Authorization header is not the token of this endpoint; use the AWS_CONTAINER_AUTHORIZATION_TOKEN \
                 printed by this ssocreds serve"
            }
        }
    }

    /// The answer: `{"Code", "Message"}` with the status.
    pub fn response(self) -> ContainerResponse {
        let mut response = error_response(self.status(), self.code(), self.message());
        if self == Self::MethodNotAllowed {
            response.headers.push(("Allow".to_owned(), "GET".to_owned()));
        }
        response
    }
}

/// The endpoint as the SDKs see it: its port on 127.0.0.1 and its token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContainerEndpoint {
    port: u16,
    token: AuthorizationToken,
}

impl ContainerEndpoint {
    /// The endpoint listening on `127.0.0.1:port` (the port actually bound) with `token`.
    pub fn new(port: u16, token: AuthorizationToken) -> Self {
        Self { port, token }
    }

    /// The port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The token.
    pub fn token(&self) -> &AuthorizationToken {
        &self.token
    }

    /// `http://127.0.0.1:PORT/credentials`, the value of `AWS_CONTAINER_CREDENTIALS_FULL_URI`. Plain http is what the
    /// SDKs allow for a loopback host.
    pub fn full_uri(&self) -> String {
        format!("http://127.0.0.1:{}{CREDENTIALS_PATH}", self.port)
    }

    /// Decides what a request deserves, in this order: a foreign `Host` or a browser (403), the path (404), the
    /// method (405), the token (401). The first two come first because they are about who is asking at all; the
    /// token comes last so that a client with the right token learns what else is wrong.
    pub fn check(&self, request: &IncomingRequest<'_>) -> RequestCheck {
        let refuse = RequestCheck::Refuse;
        let mut hosts = request.headers_named("host");
        let host_ok = match (hosts.next(), hosts.next()) {
            (Some(host), None) => self.is_own_host(host),
            _ => false,
        };
        if !host_ok {
            return refuse(Refusal::ForeignHost);
        }
        if request.headers_named("origin").next().is_some() || request.headers_named("sec-fetch-site").next().is_some()
        {
            return refuse(Refusal::BrowserRequest);
        }
        let path = request.target.split(['?', '#']).next().unwrap_or_default();
        if path != CREDENTIALS_PATH {
            return refuse(Refusal::NotFound);
        }
        if request.method != "GET" {
            return refuse(Refusal::MethodNotAllowed);
        }
        let mut tokens = request.headers_named("authorization");
        match (tokens.next(), tokens.next()) {
            (Some(presented), None) if self.token.matches(presented.as_bytes()) => RequestCheck::Serve,
            (Some(_), None) => refuse(Refusal::WrongToken),
            _ => refuse(Refusal::MissingToken),
        }
    }

    /// `127.0.0.1:PORT` or `localhost:PORT` (any case), or the bare name when the port is 80, where clients leave
    /// the port out.
    fn is_own_host(&self, host: &str) -> bool {
        let (name, port) = match host.rsplit_once(':') {
            Some((name, port)) => (name, Some(port)),
            None => (host, None),
        };
        let port_ok = match port {
            Some(port) => port.parse::<u16>().is_ok_and(|p| p == self.port) && !port.starts_with('+'),
            None => self.port == 80,
        };
        port_ok && (name == "127.0.0.1" || name.eq_ignore_ascii_case("localhost"))
    }

    /// The two variables, in the order they are printed: `AWS_CONTAINER_CREDENTIALS_FULL_URI`, then
    /// `AWS_CONTAINER_AUTHORIZATION_TOKEN`. `ssocreds exec --serve` sets these in the child's environment.
    pub fn variables(&self) -> Vec<(&'static str, String)> {
        vec![
            (FULL_URI_VARIABLE, self.full_uri()),
            (AUTHORIZATION_TOKEN_VARIABLE, self.token.expose().to_owned()),
        ]
    }

    /// The two variables in an export format, quoted as `ssocreds export` quotes credentials; `json` is one object
    /// with the two names as keys. `process` is a credentials document and has no meaning here.
    pub fn format_variables(&self, format: ExportFormat) -> Result<String, ContainerExportError> {
        let mut vars = self.variables();
        let text = match format {
            ExportFormat::Process => Err(ContainerExportError::ProcessFormat),
            ExportFormat::Json => {
                #[derive(Serialize)]
                struct Variables<'a> {
                    #[serde(rename = "AWS_CONTAINER_CREDENTIALS_FULL_URI")]
                    full_uri: &'a str,
                    #[serde(rename = "AWS_CONTAINER_AUTHORIZATION_TOKEN")]
                    token: &'a str,
                }
                let document = Variables {
                    full_uri: &vars[0].1,
                    token: &vars[1].1,
                };
                // Serializing a struct of strings cannot fail.
                let mut text = serde_json::to_string_pretty(&document).unwrap_or_default();
                text.push('\n');
                Ok(text)
            }
            _ => render_lines(&vars, format).map_err(ContainerExportError::Export),
        };
        for (_, value) in &mut vars {
            value.zeroize();
        }
        text
    }
}

/// The variables cannot be written in the format asked for.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ContainerExportError {
    /// `process` was asked for.
    #[error(
        "the process format is a credentials document; ssocreds serve prints variables: choose env, env-no-export, \
         dotenv, fish, powershell, windows-cmd or json"
    )]
    ProcessFormat,
    /// The format cannot carry a value (not expected: both values are plain ASCII).
    #[error(transparent)]
    Export(ExportError),
}

impl ContainerExportError {
    /// A stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::ProcessFormat => "SERVE_PROCESS_FORMAT",
            Self::Export(e) => e.code(),
        }
    }
}

/// An answer for the host's HTTP server to send: the status, the headers (`Content-Type: application/json` and
/// `Cache-Control: no-store` on every one) and the body. A 200 body holds the credentials: `Debug` redacts it and
/// it is wiped on drop.
#[derive(Clone, PartialEq, Eq)]
pub struct ContainerResponse {
    /// The status.
    pub status: u16,
    /// Header names and values.
    pub headers: Vec<(String, String)>,
    /// The JSON body.
    pub body: Vec<u8>,
}

impl ContainerResponse {
    fn json(status: u16, body: Vec<u8>) -> Self {
        Self {
            status,
            headers: vec![
                ("Content-Type".to_owned(), "application/json".to_owned()),
                ("Cache-Control".to_owned(), "no-store".to_owned()),
            ],
            body,
        }
    }
}

impl std::fmt::Debug for ContainerResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let body = if self.status == 200 {
            "** redacted **".to_owned()
        } else {
            String::from_utf8_lossy(&self.body).into_owned()
        };
        f.debug_struct("ContainerResponse")
            .field("status", &self.status)
            .field("headers", &self.headers)
            .field("body", &body)
            .finish()
    }
}

impl Drop for ContainerResponse {
    fn drop(&mut self) {
        self.body.zeroize();
    }
}

#[derive(Serialize)]
struct ErrorBody<'a> {
    #[serde(rename = "Code")]
    code: &'a str,
    #[serde(rename = "Message")]
    message: &'a str,
}

fn error_response(status: u16, code: &str, message: &str) -> ContainerResponse {
    // Serializing a struct of strings cannot fail.
    ContainerResponse::json(
        status,
        serde_json::to_vec(&ErrorBody { code, message }).unwrap_or_default(),
    )
}

#[derive(Serialize)]
struct CredentialsBody<'a> {
    #[serde(rename = "AccessKeyId")]
    access_key_id: &'a str,
    #[serde(rename = "SecretAccessKey")]
    secret_access_key: &'a str,
    #[serde(rename = "Token")]
    token: &'a str,
    #[serde(rename = "Expiration")]
    expiration: String,
    #[serde(rename = "AccountId", skip_serializing_if = "Option::is_none")]
    account_id: Option<&'a str>,
}

/// The 200 answer: `{"AccessKeyId", "SecretAccessKey", "Token", "Expiration", "AccountId"}`, `Expiration` in RFC 3339
/// ending in `Z`; `AccountId` when known.
pub fn credentials_response(credentials: &RoleCredentials) -> ContainerResponse {
    let body = CredentialsBody {
        access_key_id: &credentials.access_key_id,
        secret_access_key: credentials.secret_access_key.expose(),
        token: credentials.session_token.expose(),
        expiration: format_timestamp(credentials.expiration),
        account_id: credentials.account_id.as_ref().map(|a| a.as_str()),
    };
    // Serializing a struct of strings cannot fail.
    ContainerResponse::json(200, serde_json::to_vec(&body).unwrap_or_default())
}

/// Why no credentials could be served: the answer when none are cached that are still valid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FetchFailure {
    /// 503: the IAM Identity Center sign-in has expired and could not be refreshed (or the portal rejected the
    /// token). Only `ssocreds login` helps.
    SignInExpired,
    /// 502: the portal is throttling (429), with what the host says about it.
    Throttled(String),
    /// 502: the portal failed, could not be reached or refused the role, with what the host says about it (a
    /// message without secrets, such as a [`PortalError`]'s).
    Portal(String),
}

impl FetchFailure {
    /// The failure for a portal error: a rejected token means signing in again; anything else is the portal's.
    pub fn from_portal_error(error: &PortalError) -> Self {
        match error.kind {
            PortalErrorKind::Unauthorized => Self::SignInExpired,
            PortalErrorKind::TooManyRequests => Self::Throttled(error.to_string()),
            _ => Self::Portal(error.to_string()),
        }
    }

    /// The HTTP status: 503 for an expired sign-in, 502 for the rest.
    pub fn status(&self) -> u16 {
        match self {
            Self::SignInExpired => 503,
            Self::Throttled(_) | Self::Portal(_) => 502,
        }
    }

    /// The `Code` of the JSON answer.
    pub fn code(&self) -> &'static str {
        match self {
            Self::SignInExpired => "SignInExpired",
            Self::Throttled(_) => "PortalThrottled",
            Self::Portal(_) => "PortalError",
        }
    }

    /// The `Message`: what happened and what to do. The host logs it on stderr too.
    pub fn message(&self) -> String {
        match self {
            Self::SignInExpired => "the IAM Identity Center sign-in has expired and could not be refreshed; run \
                                    `ssocreds login` (this endpoint picks the new sign-in up on the next request)"
                .to_owned(),
            Self::Throttled(detail) => format!("could not fetch role credentials: {detail}"),
            Self::Portal(detail) => format!("could not fetch role credentials: {detail}"),
        }
    }

    /// The answer: `{"Code", "Message"}` with the status.
    pub fn response(&self) -> ContainerResponse {
        error_response(self.status(), self.code(), &self.message())
    }
}

/// When to fetch new role credentials.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RefetchPolicy {
    /// Credentials are served only while they have more than this left (`--min-validity-minutes`, 15 by default:
    /// botocore would otherwise ask again at once).
    pub min_validity: TimeDelta,
    /// A fetch starts in the background this long before the credentials reach `min_validity`, so that requests
    /// never wait on the portal while a fetch runs.
    pub refetch_margin: TimeDelta,
}

/// The default `min_validity`: 15 minutes, botocore's advisory refresh window.
pub const DEFAULT_MIN_VALIDITY: TimeDelta = TimeDelta::minutes(15);
/// The default `refetch_margin`: 10 minutes, room for a slow portal and a few retries.
pub const DEFAULT_REFETCH_MARGIN: TimeDelta = TimeDelta::minutes(10);

impl Default for RefetchPolicy {
    fn default() -> Self {
        Self {
            min_validity: DEFAULT_MIN_VALIDITY,
            refetch_margin: DEFAULT_REFETCH_MARGIN,
        }
    }
}

/// What to do with the cached credentials for a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FetchDecision {
    /// Serve them.
    Serve,
    /// Serve them, and start a fetch in the background unless one is running.
    ServeAndRefetchInBackground,
    /// None, or too close to their expiry: fetch (one fetch for all waiting requests) and serve the result. If the
    /// fetch fails, serve the cached ones while [`RefetchPolicy::still_valid`] says so (and warn), else answer the
    /// [`FetchFailure`].
    MustFetch,
}

impl RefetchPolicy {
    /// What to do at `now` with credentials that expire at `expiration` (`None`: nothing cached).
    pub fn decide(&self, expiration: Option<DateTime<Utc>>, now: DateTime<Utc>) -> FetchDecision {
        let Some(expiration) = expiration else {
            return FetchDecision::MustFetch;
        };
        let left = expiration - now;
        if left <= self.min_validity {
            FetchDecision::MustFetch
        } else if left <= self.min_validity + self.refetch_margin {
            FetchDecision::ServeAndRefetchInBackground
        } else {
            FetchDecision::Serve
        }
    }

    /// When a background fetch is due for credentials that expire at `expiration`: a host can start it then
    /// without waiting for a request (credentials shorter-lived than the window are due at once).
    pub fn refetch_at(&self, expiration: DateTime<Utc>) -> DateTime<Utc> {
        expiration - self.min_validity - self.refetch_margin
    }

    /// Whether credentials that expire at `expiration` may still be served at `now` when a fetch has failed: they
    /// work until they expire, which beats an error for the client.
    pub fn still_valid(&self, expiration: DateTime<Utc>, now: DateTime<Utc>) -> bool {
        expiration > now
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::HttpResponse;
    use crate::ids::AccountId;
    use crate::portal::{CallContext, parse_get_role_credentials_response};
    // On wasm32 the same tests run under wasm-bindgen-test (as quinn-proto does).
    #[cfg(all(target_family = "wasm", target_os = "unknown"))]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    const TOKEN_BYTES: [u8; 32] = [7; 32];

    fn endpoint() -> ContainerEndpoint {
        ContainerEndpoint::new(4949, AuthorizationToken::from_entropy(&TOKEN_BYTES))
    }

    fn at(text: &str) -> DateTime<Utc> {
        crate::time::parse_timestamp(text).unwrap()
    }

    fn credentials() -> RoleCredentials {
        RoleCredentials {
            access_key_id: "ASIAEXAMPLE".into(),
            secret_access_key: SecretString::new("SECRET/key+="),
            session_token: SecretString::new("SECRET-session\"token"),
            expiration: DateTime::from_timestamp_millis(1_676_400_539_123).unwrap(),
            account_id: Some(AccountId::new("111122223333").unwrap()),
        }
    }

    fn check(method: &str, target: &str, headers: &[(&str, &str)]) -> RequestCheck {
        endpoint().check(&IncomingRequest {
            method,
            target,
            headers,
        })
    }

    fn body_json(response: &ContainerResponse) -> serde_json::Value {
        serde_json::from_slice(&response.body).unwrap()
    }

    #[test]
    fn tokens_are_256_bits_of_url_safe_base64() {
        let token = AuthorizationToken::from_entropy(&TOKEN_BYTES);
        assert_eq!(token.expose().len(), 43);
        assert!(
            token
                .expose()
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        );
        assert_ne!(AuthorizationToken::from_entropy(&[8; 32]), token);
        assert_eq!(format!("{token:?}"), "AuthorizationToken(** redacted **)");
        assert!(token.matches(token.expose().as_bytes()));
        assert!(!token.matches(b""));
        assert!(!token.matches(&token.expose().as_bytes()[..42]));
        let mut longer = token.expose().as_bytes().to_vec();
        longer.push(b'A');
        assert!(!token.matches(&longer));
        let mut flipped = token.expose().as_bytes().to_vec();
        flipped[42] ^= 1;
        assert!(!token.matches(&flipped));
    }

    #[test]
    fn the_full_uri_is_loopback_http_on_the_credentials_path() {
        assert_eq!(endpoint().full_uri(), "http://127.0.0.1:4949/credentials");
        assert_eq!(endpoint().port(), 4949);
    }

    #[test]
    fn a_good_request_is_served() {
        let token = AuthorizationToken::from_entropy(&TOKEN_BYTES);
        for host in ["127.0.0.1:4949", "localhost:4949", "LocalHost:4949"] {
            assert_eq!(
                check(
                    "GET",
                    "/credentials",
                    &[
                        ("Host", host),
                        ("authorization", token.expose()),
                        ("User-Agent", "Boto3")
                    ]
                ),
                RequestCheck::Serve,
                "{host}"
            );
        }
        assert_eq!(
            check(
                "GET",
                "/credentials?x=1",
                &[("HOST", "127.0.0.1:4949"), ("Authorization", token.expose())]
            ),
            RequestCheck::Serve
        );
    }

    #[test]
    fn each_bad_request_gets_its_refusal() {
        let token = AuthorizationToken::from_entropy(&TOKEN_BYTES);
        let token = token.expose();
        let host = ("Host", "127.0.0.1:4949");
        let auth = ("Authorization", token);
        type Case<'a> = (&'a str, &'a str, Vec<(&'a str, &'a str)>, Refusal);
        let cases: Vec<Case> = vec![
            ("GET", "/credentials", vec![host], Refusal::MissingToken),
            (
                "GET",
                "/credentials",
                vec![host, ("Authorization", "")],
                Refusal::WrongToken,
            ),
            (
                "GET",
                "/credentials",
                vec![host, ("Authorization", "guess")],
                Refusal::WrongToken,
            ),
            ("GET", "/credentials", vec![host, auth, auth], Refusal::MissingToken),
            (
                "GET",
                "/credentials",
                vec![("Host", "evil.example:4949"), auth],
                Refusal::ForeignHost,
            ),
            (
                "GET",
                "/credentials",
                vec![("Host", "127.0.0.1:4948"), auth],
                Refusal::ForeignHost,
            ),
            (
                "GET",
                "/credentials",
                vec![("Host", "127.0.0.1"), auth],
                Refusal::ForeignHost,
            ),
            (
                "GET",
                "/credentials",
                vec![("Host", "127.0.0.1:+4949"), auth],
                Refusal::ForeignHost,
            ),
            (
                "GET",
                "/credentials",
                vec![("Host", "localhost.evil.example:4949"), auth],
                Refusal::ForeignHost,
            ),
            (
                "GET",
                "/credentials",
                vec![("Host", "[::1]:4949"), auth],
                Refusal::ForeignHost,
            ),
            ("GET", "/credentials", vec![auth], Refusal::ForeignHost),
            ("GET", "/credentials", vec![host, host, auth], Refusal::ForeignHost),
            (
                "GET",
                "/credentials",
                vec![host, auth, ("Origin", "http://127.0.0.1:4949")],
                Refusal::BrowserRequest,
            ),
            (
                "GET",
                "/credentials",
                vec![host, auth, ("origin", "null")],
                Refusal::BrowserRequest,
            ),
            (
                "GET",
                "/credentials",
                vec![host, auth, ("Sec-Fetch-Site", "same-origin")],
                Refusal::BrowserRequest,
            ),
            (
                "OPTIONS",
                "/credentials",
                vec![host, ("Origin", "https://evil.example")],
                Refusal::BrowserRequest,
            ),
            ("GET", "/", vec![host, auth], Refusal::NotFound),
            ("GET", "/credentials/", vec![host, auth], Refusal::NotFound),
            ("GET", "/CREDENTIALS", vec![host, auth], Refusal::NotFound),
            ("POST", "/credentials", vec![host, auth], Refusal::MethodNotAllowed),
            ("get", "/credentials", vec![host, auth], Refusal::MethodNotAllowed),
            ("HEAD", "/credentials", vec![host, auth], Refusal::MethodNotAllowed),
            // Without a token, another path or method is still named: neither is a secret.
            ("DELETE", "/other", vec![host], Refusal::NotFound),
            ("DELETE", "/credentials", vec![host], Refusal::MethodNotAllowed),
        ];
        for (method, target, headers, refusal) in cases {
            assert_eq!(
                check(method, target, &headers),
                RequestCheck::Refuse(refusal),
                "{method} {target} {headers:?}"
            );
        }
    }

    #[test]
    fn debug_of_a_request_redacts_the_token() {
        let request = IncomingRequest {
            method: "GET",
            target: "/credentials",
            headers: &[("Host", "127.0.0.1:4949"), ("AUTHORIZATION", "SECRET-token")],
        };
        let debug = format!("{request:?}");
        assert!(!debug.contains("SECRET") && debug.contains("** redacted **"), "{debug}");
        assert!(debug.contains("127.0.0.1:4949"), "{debug}");
    }

    #[test]
    fn port_80_may_be_left_out_of_host() {
        let endpoint = ContainerEndpoint::new(80, AuthorizationToken::from_entropy(&TOKEN_BYTES));
        let token = endpoint.token().expose().to_owned();
        for host in ["127.0.0.1", "localhost", "127.0.0.1:80"] {
            let request = IncomingRequest {
                method: "GET",
                target: "/credentials",
                headers: &[("Host", host), ("Authorization", &token)],
            };
            assert_eq!(endpoint.check(&request), RequestCheck::Serve, "{host}");
        }
    }

    #[test]
    fn refusals_are_json_with_code_and_message() {
        for (refusal, status) in [
            (Refusal::ForeignHost, 403),
            (Refusal::BrowserRequest, 403),
            (Refusal::NotFound, 404),
            (Refusal::MethodNotAllowed, 405),
            (Refusal::MissingToken, 401),
            (Refusal::WrongToken, 401),
        ] {
            let response = refusal.response();
            assert_eq!(response.status, status);
            assert!(
                response
                    .headers
                    .contains(&("Content-Type".to_owned(), "application/json".to_owned()))
            );
            assert!(!response.headers.iter().any(|(n, _)| n.starts_with("Access-Control")));
            let body = body_json(&response);
            assert_eq!(body["Code"], refusal.code());
            assert_eq!(body["Message"], refusal.message());
            assert_eq!(body.as_object().unwrap().len(), 2);
        }
        assert!(
            Refusal::MethodNotAllowed
                .response()
                .headers
                .contains(&("Allow".to_owned(), "GET".to_owned()))
        );
    }

    #[test]
    fn the_credentials_answer_is_what_the_sdks_read() {
        let response = credentials_response(&credentials());
        assert_eq!(response.status, 200);
        let body = body_json(&response);
        assert_eq!(
            body,
            serde_json::json!({
                "AccessKeyId": "ASIAEXAMPLE",
                "SecretAccessKey": "SECRET/key+=",
                "Token": "SECRET-session\"token",
                "Expiration": "2023-02-14T18:48:59Z",
                "AccountId": "111122223333",
            })
        );
        let debug = format!("{response:?}");
        assert!(!debug.contains("SECRET"), "{debug}");
        let mut without_account = credentials();
        without_account.account_id = None;
        let body = body_json(&credentials_response(&without_account));
        assert!(body.get("AccountId").is_none(), "{body}");
    }

    #[test]
    fn regression_expiration_always_ends_in_z() {
        // The JavaScript SDK refuses `+00:00`; whatever the portal's milliseconds, the answer says `Z`.
        for millis in [0, 1, 999, 1_676_400_539_000, 4_102_444_800_000] {
            let mut creds = credentials();
            creds.expiration = DateTime::from_timestamp_millis(millis).unwrap();
            let body = body_json(&credentials_response(&creds));
            let expiration = body["Expiration"].as_str().unwrap();
            assert!(expiration.ends_with('Z') && !expiration.contains('+'), "{expiration}");
            assert_eq!(
                DateTime::parse_from_rfc3339(expiration).unwrap().timestamp(),
                millis / 1000
            );
        }
    }

    #[test]
    fn fetch_failures_map_to_502_and_503() {
        let expired = FetchFailure::SignInExpired.response();
        assert_eq!(expired.status, 503);
        let body = body_json(&expired);
        assert_eq!(body["Code"], "SignInExpired");
        assert!(body["Message"].as_str().unwrap().contains("ssocreds login"), "{body}");

        let context = CallContext {
            operation: "GetRoleCredentials",
            ..CallContext::default()
        };
        let portal_answer = |status: u16, kind: &str| HttpResponse {
            status,
            headers: vec![("x-amzn-ErrorType".into(), kind.into())],
            body: br#"{"message":"m"}"#.to_vec(),
        };
        let failure = |status, kind| {
            FetchFailure::from_portal_error(
                &parse_get_role_credentials_response(&portal_answer(status, kind), &context).unwrap_err(),
            )
        };
        assert_eq!(failure(401, "UnauthorizedException"), FetchFailure::SignInExpired);
        let throttled = failure(429, "TooManyRequestsException");
        assert!(matches!(throttled, FetchFailure::Throttled(_)), "{throttled:?}");
        assert_eq!(throttled.status(), 502);
        assert_eq!(body_json(&throttled.response())["Code"], "PortalThrottled");
        for (status, kind) in [(500, "InternalServerException"), (403, "ForbiddenException")] {
            let failure = failure(status, kind);
            assert!(matches!(failure, FetchFailure::Portal(_)), "{failure:?}");
            let response = failure.response();
            assert_eq!(response.status, 502);
            let body = body_json(&response);
            assert_eq!(body["Code"], "PortalError");
            assert!(
                body["Message"]
                    .as_str()
                    .unwrap()
                    .starts_with("could not fetch role credentials: ")
            );
        }
    }

    #[test]
    fn when_to_fetch() {
        let policy = RefetchPolicy::default();
        let now = at("2024-03-01T12:00:00Z");
        let cases = [
            (None, FetchDecision::MustFetch),
            (Some("2024-03-01T11:00:00Z"), FetchDecision::MustFetch),
            (Some("2024-03-01T12:00:00Z"), FetchDecision::MustFetch),
            (Some("2024-03-01T12:15:00Z"), FetchDecision::MustFetch),
            (Some("2024-03-01T12:15:01Z"), FetchDecision::ServeAndRefetchInBackground),
            (Some("2024-03-01T12:25:00Z"), FetchDecision::ServeAndRefetchInBackground),
            (Some("2024-03-01T12:25:01Z"), FetchDecision::Serve),
            (Some("2024-03-01T13:00:00Z"), FetchDecision::Serve),
        ];
        for (expiration, decision) in cases {
            assert_eq!(policy.decide(expiration.map(at), now), decision, "{expiration:?}");
        }
        let expiration = at("2024-03-01T13:00:00Z");
        assert_eq!(policy.refetch_at(expiration), at("2024-03-01T12:35:00Z"));
        assert_eq!(
            policy.decide(Some(expiration), policy.refetch_at(expiration)),
            FetchDecision::ServeAndRefetchInBackground
        );
        assert!(policy.still_valid(expiration, at("2024-03-01T12:59:59Z")));
        assert!(!policy.still_valid(expiration, expiration));

        let custom = RefetchPolicy {
            min_validity: TimeDelta::minutes(5),
            refetch_margin: TimeDelta::zero(),
        };
        assert_eq!(
            custom.decide(Some(at("2024-03-01T12:05:01Z")), now),
            FetchDecision::Serve
        );
        assert_eq!(
            custom.decide(Some(at("2024-03-01T12:05:00Z")), now),
            FetchDecision::MustFetch
        );
    }

    #[test]
    fn steady_state_never_waits_on_the_portal() {
        // Credentials of one hour, requests every 10 seconds, a background fetch that takes 30 seconds: no request
        // between the first fetch and the end of the day is ever told to wait.
        let policy = RefetchPolicy::default();
        let mut now = at("2024-03-01T00:00:00Z");
        let mut expiration = now + TimeDelta::hours(1);
        let mut fetch_done_at: Option<DateTime<Utc>> = None;
        let end = now + TimeDelta::hours(24);
        let mut fetches = 0;
        while now < end {
            if let Some(done) = fetch_done_at
                && now >= done
            {
                expiration = done + TimeDelta::hours(1);
                fetch_done_at = None;
            }
            match policy.decide(Some(expiration), now) {
                FetchDecision::Serve => {}
                FetchDecision::ServeAndRefetchInBackground => {
                    if fetch_done_at.is_none() {
                        fetch_done_at = Some(now + TimeDelta::seconds(30));
                        fetches += 1;
                    }
                }
                FetchDecision::MustFetch => panic!("a request waited at {now}"),
            }
            now += TimeDelta::seconds(10);
        }
        // About one fetch per 35 minutes of credentials life.
        assert!((40..=45).contains(&fetches), "{fetches}");
    }

    #[test]
    fn the_variables_in_every_format() {
        let endpoint = endpoint();
        let token = endpoint.token().expose().to_owned();
        let uri = "http://127.0.0.1:4949/credentials";
        let expected = [
            (
                ExportFormat::Env,
                format!("export {FULL_URI_VARIABLE}={uri}\nexport {AUTHORIZATION_TOKEN_VARIABLE}={token}\n"),
            ),
            (
                ExportFormat::EnvNoExport,
                format!("{FULL_URI_VARIABLE}={uri}\n{AUTHORIZATION_TOKEN_VARIABLE}={token}\n"),
            ),
            (
                ExportFormat::Dotenv,
                format!("{FULL_URI_VARIABLE}={uri}\n{AUTHORIZATION_TOKEN_VARIABLE}={token}\n"),
            ),
            (
                ExportFormat::Fish,
                format!("set -gx {FULL_URI_VARIABLE} \"{uri}\"\nset -gx {AUTHORIZATION_TOKEN_VARIABLE} \"{token}\"\n"),
            ),
            (
                ExportFormat::PowerShell,
                format!("$Env:{FULL_URI_VARIABLE}=\"{uri}\"\n$Env:{AUTHORIZATION_TOKEN_VARIABLE}=\"{token}\"\n"),
            ),
            (
                ExportFormat::WindowsCmd,
                format!("set {FULL_URI_VARIABLE}={uri}\nset {AUTHORIZATION_TOKEN_VARIABLE}={token}\n"),
            ),
        ];
        for (format, text) in expected {
            assert_eq!(endpoint.format_variables(format).unwrap(), text, "{format}");
        }
        let json: serde_json::Value =
            serde_json::from_str(&endpoint.format_variables(ExportFormat::Json).unwrap()).unwrap();
        assert_eq!(
            json,
            serde_json::json!({ FULL_URI_VARIABLE: uri, AUTHORIZATION_TOKEN_VARIABLE: token })
        );
        assert_eq!(
            endpoint.format_variables(ExportFormat::Process),
            Err(ContainerExportError::ProcessFormat)
        );
        assert_eq!(
            endpoint.variables(),
            vec![
                (FULL_URI_VARIABLE, uri.to_owned()),
                (AUTHORIZATION_TOKEN_VARIABLE, token.clone())
            ]
        );
    }
}
