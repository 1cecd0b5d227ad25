//! The IAM Identity Center OIDC API (service `sso-oidc`): `RegisterClient`, `StartDeviceAuthorization` and
//! `CreateToken` as request data, and their answers parsed from bytes.

use chrono::{DateTime, TimeDelta, Utc};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::document;
use crate::endpoint::Endpoint;
use crate::http::{HttpRequest, HttpResponse, Method};
use crate::portal::{error_type_name, sanitize};
use crate::secret::SecretString;

/// `grantType` of the device code flow.
pub const DEVICE_CODE_GRANT_TYPE: &str = "urn:ietf:params:oauth:grant-type:device_code";

/// The grant types the AWS CLI registers its authorization-code client with.
pub const AUTHORIZATION_CODE_GRANT_TYPES: [&str; 2] = ["authorization_code", "refresh_token"];

/// The redirect URI registered for the authorization-code flow. The port is not part of it: the loopback callback
/// runs on a free port, which goes into the `redirect_uri` of the authorize URL and of `CreateToken`.
pub const REGISTERED_REDIRECT_URI: &str = "http://127.0.0.1/oauth/callback";

fn oidc_request(endpoint: &Endpoint, path: &str, body: Vec<u8>, body_is_secret: bool) -> HttpRequest {
    HttpRequest {
        method: Method::Post,
        url: format!("{}{path}", endpoint.as_str()),
        headers: vec![
            ("content-type".to_owned(), "application/json".to_owned()),
            ("accept".to_owned(), "application/json".to_owned()),
            ("user-agent".to_owned(), crate::USER_AGENT.to_owned()),
        ],
        body: Some(body),
        body_is_secret,
    }
}

/// Serializes a body into a buffer sized up front, so that secrets are not left behind in a reallocated one (the
/// request wipes its own body on drop).
fn json_body(body: &impl Serialize, size_hint: usize) -> Vec<u8> {
    let mut buffer = Vec::with_capacity(2 * size_hint + 512);
    serde_json::to_writer(&mut buffer, body).expect("a struct of strings always serializes");
    buffer
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RegisterClientBody<'a> {
    client_name: &'a str,
    client_type: &'a str,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    scopes: &'a [String],
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    grant_types: &'a [&'a str],
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    redirect_uris: &'a [&'a str],
    #[serde(skip_serializing_if = "Option::is_none")]
    issuer_url: Option<&'a str>,
}

/// `RegisterClient`: `POST /client/register` with `clientType: "public"`. Empty lists and a missing issuer URL are
/// left out of the body. The AWS CLI names its clients `botocore-client-<session name>`.
///
/// For the authorization-code flow pass [`AUTHORIZATION_CODE_GRANT_TYPES`], `[REGISTERED_REDIRECT_URI]` and the
/// start URL as issuer; for the device flow, only the scopes (none for legacy profiles).
pub fn register_client_request(
    endpoint: &Endpoint,
    client_name: &str,
    scopes: &[String],
    grant_types: &[&str],
    redirect_uris: &[&str],
    issuer_url: Option<&str>,
) -> HttpRequest {
    let body = RegisterClientBody {
        client_name,
        client_type: "public",
        scopes,
        grant_types,
        redirect_uris,
        issuer_url,
    };
    oidc_request(endpoint, "/client/register", json_body(&body, 0), false)
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct StartDeviceAuthorizationBody<'a> {
    client_id: &'a str,
    client_secret: &'a str,
    start_url: &'a str,
}

/// `StartDeviceAuthorization`: `POST /device_authorization`. The body carries the client secret.
pub fn start_device_authorization_request(
    endpoint: &Endpoint,
    client_id: &str,
    client_secret: &SecretString,
    start_url: &str,
) -> HttpRequest {
    let body = StartDeviceAuthorizationBody {
        client_id,
        client_secret: client_secret.expose(),
        start_url,
    };
    let size = client_id.len() + client_secret.expose().len() + start_url.len();
    oidc_request(endpoint, "/device_authorization", json_body(&body, size), true)
}

/// Which grant a `CreateToken` call uses; errors are explained differently for each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GrantType {
    /// `refresh_token`
    RefreshToken,
    /// `urn:ietf:params:oauth:grant-type:device_code`
    DeviceCode,
    /// `authorization_code`
    AuthorizationCode,
}

impl GrantType {
    /// The `grantType` value on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::RefreshToken => "refresh_token",
            Self::DeviceCode => DEVICE_CODE_GRANT_TYPE,
            Self::AuthorizationCode => "authorization_code",
        }
    }
}

/// The grant of a `CreateToken` call, with what it needs. `Debug` redacts the secrets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CreateTokenGrant {
    /// Refresh an access token.
    RefreshToken {
        /// The refresh token from the cache file.
        refresh_token: SecretString,
    },
    /// Poll for the token of a device authorization.
    DeviceCode {
        /// The `deviceCode` from `StartDeviceAuthorization`.
        device_code: SecretString,
    },
    /// Exchange an authorization code (PKCE).
    AuthorizationCode {
        /// The `code` from the loopback callback.
        code: SecretString,
        /// The redirect URI used in the authorize URL, port included.
        redirect_uri: String,
        /// The PKCE code verifier.
        code_verifier: SecretString,
    },
}

impl CreateTokenGrant {
    /// The grant's type.
    pub fn grant_type(&self) -> GrantType {
        match self {
            Self::RefreshToken { .. } => GrantType::RefreshToken,
            Self::DeviceCode { .. } => GrantType::DeviceCode,
            Self::AuthorizationCode { .. } => GrantType::AuthorizationCode,
        }
    }
}

#[derive(Serialize, Default)]
#[serde(rename_all = "camelCase")]
struct CreateTokenBody<'a> {
    client_id: &'a str,
    client_secret: &'a str,
    grant_type: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    device_code: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    code: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    refresh_token: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    redirect_uri: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    code_verifier: Option<&'a str>,
}

/// `CreateToken`: `POST /token` for any of the three grants. The body carries secrets.
pub fn create_token_request(
    endpoint: &Endpoint,
    client_id: &str,
    client_secret: &SecretString,
    grant: &CreateTokenGrant,
) -> HttpRequest {
    let mut body = CreateTokenBody {
        client_id,
        client_secret: client_secret.expose(),
        grant_type: grant.grant_type().as_str(),
        ..CreateTokenBody::default()
    };
    let mut size = client_id.len() + client_secret.expose().len();
    match grant {
        CreateTokenGrant::RefreshToken { refresh_token } => {
            body.refresh_token = Some(refresh_token.expose());
            size += refresh_token.expose().len();
        }
        CreateTokenGrant::DeviceCode { device_code } => {
            body.device_code = Some(device_code.expose());
            size += device_code.expose().len();
        }
        CreateTokenGrant::AuthorizationCode {
            code,
            redirect_uri,
            code_verifier,
        } => {
            body.code = Some(code.expose());
            body.redirect_uri = Some(redirect_uri);
            body.code_verifier = Some(code_verifier.expose());
            size += code.expose().len() + redirect_uri.len() + code_verifier.expose().len();
        }
    }
    oidc_request(endpoint, "/token", json_body(&body, size), true)
}

/// A registered OIDC client (`RegisterClient`'s answer). `Debug` redacts the secret.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RegisterClientResponse {
    /// `clientId`
    #[serde(deserialize_with = "document::non_empty")]
    pub client_id: String,
    /// `clientSecret`
    #[serde(deserialize_with = "document::non_empty_secret")]
    pub client_secret: SecretString,
    /// `clientIdIssuedAt`, when given.
    #[serde(default, deserialize_with = "document::optional_epoch_seconds")]
    pub client_id_issued_at: Option<DateTime<Utc>>,
    /// `clientSecretExpiresAt`: when the registration (and every refresh through it) stops working.
    #[serde(deserialize_with = "document::epoch_seconds")]
    pub client_secret_expires_at: DateTime<Utc>,
}

/// A device authorization (`StartDeviceAuthorization`'s answer). `Debug` redacts the device code.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeviceAuthorization {
    /// `deviceCode`: with the client secret, it can be exchanged for a token, so it is kept secret.
    #[serde(deserialize_with = "document::non_empty_secret")]
    pub device_code: SecretString,
    /// `userCode`: what the user compares on the page.
    #[serde(deserialize_with = "document::non_empty")]
    pub user_code: String,
    /// `verificationUri`
    #[serde(deserialize_with = "document::non_empty")]
    pub verification_uri: String,
    /// `verificationUriComplete`: the page with the code filled in, when given.
    #[serde(default, deserialize_with = "document::optional_non_empty")]
    pub verification_uri_complete: Option<String>,
    /// `expiresIn`: how long the user has to approve.
    #[serde(deserialize_with = "document::positive_seconds")]
    pub expires_in: TimeDelta,
    /// `interval`: seconds between polls, when given (the default is 5).
    #[serde(default, deserialize_with = "document::optional_u32")]
    pub interval: Option<u32>,
}

/// A token (`CreateToken`'s answer). `Debug` redacts the tokens.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateTokenResponse {
    /// `accessToken`
    #[serde(deserialize_with = "document::non_empty_secret")]
    pub access_token: SecretString,
    /// `tokenType` (`Bearer`), when given.
    #[serde(default, deserialize_with = "document::optional_non_empty")]
    pub token_type: Option<String>,
    /// `expiresIn`: the access token's lifetime.
    #[serde(deserialize_with = "document::positive_seconds")]
    pub expires_in: TimeDelta,
    /// `refreshToken`, when given.
    #[serde(default, deserialize_with = "document::optional_secret")]
    pub refresh_token: Option<SecretString>,
    /// `idToken`, when given.
    #[serde(default, deserialize_with = "document::optional_secret")]
    pub id_token: Option<SecretString>,
}

/// The OIDC call an error came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OidcOperation {
    /// `RegisterClient`
    RegisterClient,
    /// `StartDeviceAuthorization`
    StartDeviceAuthorization,
    /// `CreateToken` with the given grant.
    CreateToken(GrantType),
}

impl OidcOperation {
    fn name(self) -> &'static str {
        match self {
            Self::RegisterClient => "RegisterClient",
            Self::StartDeviceAuthorization => "StartDeviceAuthorization",
            Self::CreateToken(_) => "CreateToken",
        }
    }
}

/// The kind of an OIDC failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OidcErrorKind {
    /// `AuthorizationPendingException` / `authorization_pending`: the user has not approved yet; keep polling.
    AuthorizationPending,
    /// `SlowDownException` / `slow_down`: poll 5 s less often.
    SlowDown,
    /// `AccessDeniedException` / `access_denied`: the user denied the sign-in.
    AccessDenied,
    /// `ExpiredTokenException` / `expired_token`: the device code, or the refresh token, has expired.
    ExpiredToken,
    /// `InvalidGrantException` / `invalid_grant`: the refresh token, device code or authorization code was rejected.
    InvalidGrant,
    /// `InvalidClientException` / `invalid_client`: the client registration is unknown or has expired.
    InvalidClient,
    /// `InvalidClientMetadataException`: `RegisterClient` refused the client's settings.
    InvalidClientMetadata,
    /// `InvalidRedirectUriException`: the redirect URI does not match the registration.
    InvalidRedirectUri,
    /// `InvalidRequestException` / `invalid_request`.
    InvalidRequest,
    /// `InvalidRequestRegionException`: the call went to a region other than the instance's.
    InvalidRequestRegion,
    /// `InvalidScopeException` / `invalid_scope`.
    InvalidScope,
    /// `UnauthorizedClientException` / `unauthorized_client`: the client may not use this grant.
    UnauthorizedClient,
    /// `UnsupportedGrantTypeException` / `unsupported_grant_type`.
    UnsupportedGrantType,
    /// `InternalServerException` or another 5xx answer.
    InternalServer,
    /// A 429 or a throttling exception.
    TooManyRequests,
    /// Anything else, or an answer that could not be read.
    Unexpected,
}

impl OidcErrorKind {
    /// Maps an AWS exception name (`InvalidGrantException`) or an OAuth error code (`invalid_grant`).
    fn from_name(name: &str) -> Option<Self> {
        let name = name.strip_suffix("Exception").unwrap_or(name);
        Some(match name {
            "AuthorizationPending" | "authorization_pending" => Self::AuthorizationPending,
            "SlowDown" | "slow_down" => Self::SlowDown,
            "AccessDenied" | "access_denied" => Self::AccessDenied,
            "ExpiredToken" | "expired_token" => Self::ExpiredToken,
            "InvalidGrant" | "invalid_grant" => Self::InvalidGrant,
            "InvalidClient" | "invalid_client" => Self::InvalidClient,
            "InvalidClientMetadata" | "invalid_client_metadata" => Self::InvalidClientMetadata,
            "InvalidRedirectUri" | "invalid_redirect_uri" => Self::InvalidRedirectUri,
            "InvalidRequest" | "invalid_request" => Self::InvalidRequest,
            "InvalidRequestRegion" => Self::InvalidRequestRegion,
            "InvalidScope" | "invalid_scope" => Self::InvalidScope,
            "UnauthorizedClient" | "unauthorized_client" => Self::UnauthorizedClient,
            "UnsupportedGrantType" | "unsupported_grant_type" => Self::UnsupportedGrantType,
            "InternalServer" | "server_error" | "internal_server_error" => Self::InternalServer,
            "TooManyRequests" | "Throttling" | "temporarily_unavailable" => Self::TooManyRequests,
            _ => return None,
        })
    }

    fn from_status(status: u16) -> Self {
        match status {
            400 => Self::InvalidRequest,
            401 => Self::InvalidClient,
            403 => Self::AccessDenied,
            429 => Self::TooManyRequests,
            500..=599 => Self::InternalServer,
            _ => Self::Unexpected,
        }
    }
}

/// A failed OIDC call: what the server said, and what the user should do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OidcError {
    /// The kind.
    pub kind: OidcErrorKind,
    /// The call.
    pub operation: OidcOperation,
    /// The HTTP status.
    pub status: u16,
    /// The error type as the server named it (`InvalidGrantException`, `invalid_grant`), if it did.
    pub error_type: Option<String>,
    /// The server's message (shortened, control characters removed), or what was wrong with the answer.
    pub message: Option<String>,
}

impl OidcError {
    /// A stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self.kind {
            OidcErrorKind::AuthorizationPending => "OIDC_AUTHORIZATION_PENDING",
            OidcErrorKind::SlowDown => "OIDC_SLOW_DOWN",
            OidcErrorKind::AccessDenied => "OIDC_ACCESS_DENIED",
            OidcErrorKind::ExpiredToken => "OIDC_EXPIRED_TOKEN",
            OidcErrorKind::InvalidGrant => "OIDC_INVALID_GRANT",
            OidcErrorKind::InvalidClient => "OIDC_INVALID_CLIENT",
            OidcErrorKind::InvalidClientMetadata => "OIDC_INVALID_CLIENT_METADATA",
            OidcErrorKind::InvalidRedirectUri => "OIDC_INVALID_REDIRECT_URI",
            OidcErrorKind::InvalidRequest => "OIDC_INVALID_REQUEST",
            OidcErrorKind::InvalidRequestRegion => "OIDC_INVALID_REQUEST_REGION",
            OidcErrorKind::InvalidScope => "OIDC_INVALID_SCOPE",
            OidcErrorKind::UnauthorizedClient => "OIDC_UNAUTHORIZED_CLIENT",
            OidcErrorKind::UnsupportedGrantType => "OIDC_UNSUPPORTED_GRANT_TYPE",
            OidcErrorKind::InternalServer => "OIDC_SERVER_ERROR",
            OidcErrorKind::TooManyRequests => "OIDC_THROTTLED",
            OidcErrorKind::Unexpected => "OIDC_UNEXPECTED_RESPONSE",
        }
    }

    /// Whether sending the same request again later may succeed (throttling and server errors). Polling answers
    /// (`AuthorizationPending`, `SlowDown`) are not retries: [`crate::DevicePoll`] handles them.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self.kind,
            OidcErrorKind::InternalServer | OidcErrorKind::TooManyRequests
        )
    }

    fn what_server_said(&self) -> String {
        let mut said = format!("HTTP {}", self.status);
        if let Some(t) = &self.error_type {
            said.push(' ');
            said.push_str(t);
        }
        if let Some(m) = &self.message {
            said.push_str(": ");
            said.push_str(m);
        }
        said
    }
}

/// What to run to sign in again.
const SIGN_IN_AGAIN: &str = "sign in again with `ssocreds login` (or `aws sso login`)";

impl std::fmt::Display for OidcError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use GrantType::{AuthorizationCode, DeviceCode, RefreshToken};
        use OidcOperation::CreateToken;
        let said = self.what_server_said();
        match (self.kind, self.operation) {
            (OidcErrorKind::AuthorizationPending, _) => {
                write!(f, "the sign-in has not been approved in the browser yet ({said})")
            }
            (OidcErrorKind::SlowDown, _) => write!(f, "the OIDC service asked to poll less often ({said})"),
            (OidcErrorKind::AccessDenied, _) => write!(
                f,
                "the sign-in was denied ({said}); run the sign-in again and choose Allow in the browser, or check \
                 that your user may use this IAM Identity Center instance"
            ),
            (OidcErrorKind::ExpiredToken, CreateToken(RefreshToken)) => {
                write!(f, "the refresh token has expired ({said}); {SIGN_IN_AGAIN}")
            }
            (OidcErrorKind::ExpiredToken, _) => write!(
                f,
                "the sign-in request expired before it was approved ({said}); start the sign-in again and approve it \
                 in time"
            ),
            (OidcErrorKind::InvalidGrant, CreateToken(RefreshToken)) => write!(
                f,
                "the refresh token was rejected ({said}): the session has ended or was revoked; {SIGN_IN_AGAIN}"
            ),
            (OidcErrorKind::InvalidGrant, CreateToken(AuthorizationCode)) => write!(
                f,
                "the authorization code was rejected ({said}): it was already used, has expired, or the PKCE \
                 verifier did not match; sign in again"
            ),
            (OidcErrorKind::InvalidGrant, CreateToken(DeviceCode)) => {
                write!(f, "the device code was rejected ({said}); start the sign-in again")
            }
            (OidcErrorKind::InvalidGrant, _) => write!(f, "the OIDC service rejected the grant ({said})"),
            (OidcErrorKind::InvalidClient, _) => write!(
                f,
                "the OIDC client registration was rejected ({said}): it has expired or is unknown to this region; \
                 {SIGN_IN_AGAIN}, which registers a new client"
            ),
            (OidcErrorKind::InvalidClientMetadata, _) => {
                write!(f, "the OIDC service refused to register the client ({said})")
            }
            (OidcErrorKind::InvalidRedirectUri, _) => write!(
                f,
                "the redirect URI does not match the client registration ({said}); sign in again to register a new \
                 client"
            ),
            (OidcErrorKind::InvalidRequest, _) => {
                write!(
                    f,
                    "the OIDC service rejected the {} request as invalid ({said})",
                    self.operation.name()
                )
            }
            (OidcErrorKind::InvalidRequestRegion, _) => write!(
                f,
                "the OIDC call went to the wrong region ({said}); set sso_region to the region of your IAM Identity \
                 Center instance"
            ),
            (OidcErrorKind::InvalidScope, _) => write!(
                f,
                "the requested scopes were rejected ({said}); check sso_registration_scopes in the [sso-session] \
                 section"
            ),
            (OidcErrorKind::UnauthorizedClient, _) => write!(
                f,
                "the OIDC client may not use this grant ({said}); {SIGN_IN_AGAIN}, which registers a new client"
            ),
            (OidcErrorKind::UnsupportedGrantType, _) => {
                write!(f, "the OIDC service does not support this grant type ({said})")
            }
            (OidcErrorKind::InternalServer, _) => write!(f, "the OIDC service failed ({said}); try again later"),
            (OidcErrorKind::TooManyRequests, _) => {
                write!(
                    f,
                    "the OIDC service is throttling requests ({said}); wait a little and try again"
                )
            }
            (OidcErrorKind::Unexpected, _) => write!(
                f,
                "the OIDC service's answer to {} could not be understood ({said})",
                self.operation.name()
            ),
        }
    }
}

impl std::error::Error for OidcError {}

/// Finds the error type: header `x-amzn-ErrorType` (cut at the first `:`, keep what follows `#`), then the OAuth
/// `error` field, then `__type`, then `code`. The message comes from `error_description`, `message`, `Message` or
/// `errorMessage`.
fn oidc_error(response: &HttpResponse, operation: OidcOperation) -> OidcError {
    let body: Option<Value> = serde_json::from_slice(&response.body).ok();
    let field = |name: &str| {
        body.as_ref()
            .and_then(|b| b.get(name))
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    let candidates = [
        response.header("x-amzn-errortype").map(str::to_owned),
        field("error"),
        field("__type"),
        field("code"),
    ];
    let error_type = candidates.into_iter().flatten().find_map(|raw| error_type_name(&raw));
    let kind = error_type
        .as_deref()
        .and_then(OidcErrorKind::from_name)
        .unwrap_or_else(|| OidcErrorKind::from_status(response.status));
    let message = ["error_description", "message", "Message", "errorMessage"]
        .iter()
        .find_map(|name| field(name))
        .map(|m| sanitize(&m));
    OidcError {
        kind,
        operation,
        status: response.status,
        error_type,
        message,
    }
}

fn unexpected(response: &HttpResponse, operation: OidcOperation, what: String) -> OidcError {
    OidcError {
        kind: OidcErrorKind::Unexpected,
        operation,
        status: response.status,
        error_type: None,
        message: Some(what),
    }
}

/// The typed body of a 2xx answer; any other status is the [`OidcError`] it stands for.
fn success_body<T: DeserializeOwned>(response: &HttpResponse, operation: OidcOperation) -> Result<T, OidcError> {
    if !(200..300).contains(&response.status) {
        return Err(oidc_error(response, operation));
    }
    let value = match serde_json::from_slice(&response.body) {
        Ok(value @ Value::Object(_)) => value,
        Ok(_) => {
            return Err(unexpected(
                response,
                operation,
                "the body is not a JSON object".to_owned(),
            ));
        }
        Err(e) => {
            return Err(unexpected(
                response,
                operation,
                format!("the body is not valid JSON at line {}, column {}", e.line(), e.column()),
            ));
        }
    };
    document::from_value(value).map_err(|e| unexpected(response, operation, e.describe()))
}

/// Parses a `RegisterClient` answer.
pub fn parse_register_client_response(response: &HttpResponse) -> Result<RegisterClientResponse, OidcError> {
    success_body(response, OidcOperation::RegisterClient)
}

/// Parses a `StartDeviceAuthorization` answer.
pub fn parse_start_device_authorization_response(response: &HttpResponse) -> Result<DeviceAuthorization, OidcError> {
    success_body(response, OidcOperation::StartDeviceAuthorization)
}

/// Parses a `CreateToken` answer; `grant` says which call it answers, so that errors give the right advice.
pub fn parse_create_token_response(
    response: &HttpResponse,
    grant: GrantType,
) -> Result<CreateTokenResponse, OidcError> {
    success_body(response, OidcOperation::CreateToken(grant))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::endpoint::EndpointOptions;
    use crate::ids::Region;
    // On wasm32 the same tests run under wasm-bindgen-test (as quinn-proto does).
    #[cfg(all(target_family = "wasm", target_os = "unknown"))]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    fn endpoint() -> Endpoint {
        Endpoint::oidc(&Region::new("eu-west-1").unwrap(), EndpointOptions::default())
    }

    fn response(status: u16, headers: &[(&str, &str)], body: &str) -> HttpResponse {
        HttpResponse {
            status,
            headers: headers.iter().map(|(n, v)| (n.to_string(), v.to_string())).collect(),
            body: body.as_bytes().to_vec(),
        }
    }

    fn body_json(request: &HttpRequest) -> Value {
        serde_json::from_slice(request.body.as_ref().unwrap()).unwrap()
    }

    #[test]
    fn register_client_for_the_authorization_code_flow() {
        let request = register_client_request(
            &endpoint(),
            "botocore-client-corp",
            &["sso:account:access".to_owned()],
            &AUTHORIZATION_CODE_GRANT_TYPES,
            &[REGISTERED_REDIRECT_URI],
            Some("https://corp.awsapps.com/start"),
        );
        assert_eq!(request.method, Method::Post);
        assert_eq!(request.url, "https://oidc.eu-west-1.amazonaws.com/client/register");
        assert!(!request.body_is_secret);
        assert!(
            request
                .headers
                .contains(&("content-type".into(), "application/json".into()))
        );
        assert!(
            request
                .headers
                .iter()
                .any(|(n, v)| n == "user-agent" && v.starts_with("ssocreds/"))
        );
        assert_eq!(
            body_json(&request),
            serde_json::json!({
                "clientName": "botocore-client-corp",
                "clientType": "public",
                "scopes": ["sso:account:access"],
                "grantTypes": ["authorization_code", "refresh_token"],
                "redirectUris": ["http://127.0.0.1/oauth/callback"],
                "issuerUrl": "https://corp.awsapps.com/start"
            })
        );
        // The device flow of a legacy profile sends neither scopes nor grant types.
        let request = register_client_request(&endpoint(), "botocore-client-1700000000", &[], &[], &[], None);
        assert_eq!(
            body_json(&request),
            serde_json::json!({"clientName": "botocore-client-1700000000", "clientType": "public"})
        );
    }

    #[test]
    fn device_authorization_and_token_requests_carry_secrets_in_the_body_only() {
        let secret = SecretString::new("csecret");
        let request = start_device_authorization_request(&endpoint(), "cid", &secret, "https://x/start");
        assert_eq!(request.url, "https://oidc.eu-west-1.amazonaws.com/device_authorization");
        assert!(request.body_is_secret);
        assert_eq!(
            body_json(&request),
            serde_json::json!({"clientId": "cid", "clientSecret": "csecret", "startUrl": "https://x/start"})
        );
        assert!(!format!("{request:?}").contains("csecret"));

        let cases = [
            (
                CreateTokenGrant::RefreshToken {
                    refresh_token: SecretString::new("rt"),
                },
                serde_json::json!({"clientId": "cid", "clientSecret": "csecret", "grantType": "refresh_token",
                    "refreshToken": "rt"}),
            ),
            (
                CreateTokenGrant::DeviceCode {
                    device_code: SecretString::new("dc"),
                },
                serde_json::json!({"clientId": "cid", "clientSecret": "csecret",
                    "grantType": "urn:ietf:params:oauth:grant-type:device_code", "deviceCode": "dc"}),
            ),
            (
                CreateTokenGrant::AuthorizationCode {
                    code: SecretString::new("ac"),
                    redirect_uri: "http://127.0.0.1:4321/oauth/callback".into(),
                    code_verifier: SecretString::new("cv"),
                },
                serde_json::json!({"clientId": "cid", "clientSecret": "csecret", "grantType": "authorization_code",
                    "code": "ac", "redirectUri": "http://127.0.0.1:4321/oauth/callback", "codeVerifier": "cv"}),
            ),
        ];
        for (grant, expected) in cases {
            let request = create_token_request(&endpoint(), "cid", &secret, &grant);
            assert_eq!(request.url, "https://oidc.eu-west-1.amazonaws.com/token");
            assert!(request.body_is_secret);
            assert_eq!(body_json(&request), expected);
            let debug = format!("{grant:?}");
            for leaked in ["\"rt\"", "\"dc\"", "\"ac\"", "\"cv\""] {
                assert!(!debug.contains(leaked), "{debug}");
            }
        }
    }

    #[test]
    fn successful_answers_parse_and_redact() {
        let registered = parse_register_client_response(&response(
            200,
            &[],
            r#"{"clientId":"cid","clientSecret":"csecret","clientIdIssuedAt":1700000000,"clientSecretExpiresAt":1707776000}"#,
        ))
        .unwrap();
        assert_eq!(registered.client_id, "cid");
        assert_eq!(registered.client_secret_expires_at.timestamp(), 1_707_776_000);
        assert!(!format!("{registered:?}").contains("csecret"));

        let device = parse_start_device_authorization_response(&response(
            200,
            &[],
            r#"{"deviceCode":"dc","userCode":"ABCD-EFGH","verificationUri":"https://device.sso.eu-west-1.amazonaws.com/","verificationUriComplete":"https://device.sso.eu-west-1.amazonaws.com/?user_code=ABCD-EFGH","expiresIn":600,"interval":1}"#,
        ))
        .unwrap();
        assert_eq!((device.user_code.as_str(), device.interval), ("ABCD-EFGH", Some(1)));
        assert_eq!(device.expires_in, TimeDelta::seconds(600));
        assert!(!format!("{device:?}").contains("\"dc\""));

        let token = parse_create_token_response(
            &response(
                200,
                &[],
                r#"{"accessToken":"at","tokenType":"Bearer","expiresIn":28800,"refreshToken":"rt"}"#,
            ),
            GrantType::RefreshToken,
        )
        .unwrap();
        assert_eq!(token.access_token.expose(), "at");
        assert_eq!(token.refresh_token.as_ref().unwrap().expose(), "rt");
        assert_eq!(token.expires_in, TimeDelta::hours(8));
        let debug = format!("{token:?}");
        assert!(!debug.contains("\"at\"") && !debug.contains("\"rt\""), "{debug}");

        let token = parse_create_token_response(
            &response(200, &[], r#"{"accessToken":"at","expiresIn":3600}"#),
            GrantType::DeviceCode,
        )
        .unwrap();
        assert!(token.refresh_token.is_none());
    }

    #[test]
    fn malformed_successes_are_unexpected_and_say_why() {
        for (body, why) in [
            ("{", "not valid JSON at line 1"),
            ("[]", "not a JSON object"),
            (r#"{"expiresIn":60}"#, "missing field `accessToken`"),
            (
                r#"{"accessToken":"","expiresIn":60}"#,
                "accessToken: the string is empty",
            ),
            (r#"{"accessToken":"a"}"#, "missing field `expiresIn`"),
            (
                r#"{"accessToken":"a","expiresIn":-5}"#,
                "expiresIn: -5 is not a positive number of seconds",
            ),
            (
                r#"{"accessToken":"a","expiresIn":"60"}"#,
                "expiresIn: invalid type: string",
            ),
        ] {
            let err = parse_create_token_response(&response(200, &[], body), GrantType::RefreshToken).unwrap_err();
            assert_eq!(err.kind, OidcErrorKind::Unexpected, "{body}");
            assert_eq!(err.code(), "OIDC_UNEXPECTED_RESPONSE");
            assert!(err.to_string().contains(why), "{err}");
            assert!(
                err.to_string()
                    .starts_with("the OIDC service's answer to CreateToken could not be understood")
            );
        }
        let err =
            parse_register_client_response(&response(200, &[], r#"{"clientId":"c","clientSecret":"s"}"#)).unwrap_err();
        assert!(
            err.to_string().contains("missing field `clientSecretExpiresAt`"),
            "{err}"
        );
    }

    #[test]
    fn error_kind_comes_from_header_then_error_then_type_then_status() {
        let grant = GrantType::DeviceCode;
        let err = parse_create_token_response(
            &response(
                400,
                &[(
                    "X-Amzn-ErrorType",
                    "AuthorizationPendingException:http://internal.amazon.com/coral/x/",
                )],
                r#"{"error":"slow_down","error_description":"wait"}"#,
            ),
            grant,
        )
        .unwrap_err();
        assert_eq!(err.kind, OidcErrorKind::AuthorizationPending);
        assert_eq!(err.error_type.as_deref(), Some("AuthorizationPendingException"));
        assert_eq!(err.message.as_deref(), Some("wait"));

        let err = parse_create_token_response(&response(400, &[], r#"{"error":"slow_down"}"#), grant).unwrap_err();
        assert_eq!(err.kind, OidcErrorKind::SlowDown);

        let err = parse_create_token_response(
            &response(
                400,
                &[],
                r#"{"__type":"com.amazonaws.sso.oidc#ExpiredTokenException","message":"m"}"#,
            ),
            grant,
        )
        .unwrap_err();
        assert_eq!(
            (err.kind, err.message.as_deref()),
            (OidcErrorKind::ExpiredToken, Some("m"))
        );

        let err =
            parse_create_token_response(&response(400, &[], r#"{"code":"InvalidScopeException"}"#), grant).unwrap_err();
        assert_eq!(err.kind, OidcErrorKind::InvalidScope);

        for (status, kind) in [
            (400, OidcErrorKind::InvalidRequest),
            (401, OidcErrorKind::InvalidClient),
            (403, OidcErrorKind::AccessDenied),
            (429, OidcErrorKind::TooManyRequests),
            (503, OidcErrorKind::InternalServer),
            (302, OidcErrorKind::Unexpected),
        ] {
            let err = parse_create_token_response(&response(status, &[], "<html/>"), grant).unwrap_err();
            assert_eq!(err.kind, kind, "{status}");
        }
        // An unknown name falls back to the status.
        let err = parse_create_token_response(&response(500, &[], r#"{"error":"weird"}"#), grant).unwrap_err();
        assert_eq!(
            (err.kind, err.error_type.as_deref()),
            (OidcErrorKind::InternalServer, Some("weird"))
        );
    }

    #[test]
    fn every_oauth_error_code_maps() {
        for (name, kind) in [
            ("authorization_pending", OidcErrorKind::AuthorizationPending),
            ("slow_down", OidcErrorKind::SlowDown),
            ("access_denied", OidcErrorKind::AccessDenied),
            ("expired_token", OidcErrorKind::ExpiredToken),
            ("invalid_grant", OidcErrorKind::InvalidGrant),
            ("invalid_client", OidcErrorKind::InvalidClient),
            ("invalid_request", OidcErrorKind::InvalidRequest),
            ("invalid_scope", OidcErrorKind::InvalidScope),
            ("unauthorized_client", OidcErrorKind::UnauthorizedClient),
            ("unsupported_grant_type", OidcErrorKind::UnsupportedGrantType),
            ("InvalidRequestRegionException", OidcErrorKind::InvalidRequestRegion),
            ("InvalidRedirectUriException", OidcErrorKind::InvalidRedirectUri),
            ("InvalidClientMetadataException", OidcErrorKind::InvalidClientMetadata),
            ("InternalServerException", OidcErrorKind::InternalServer),
        ] {
            assert_eq!(OidcErrorKind::from_name(name), Some(kind), "{name}");
        }
    }

    fn error_text(kind_header: &str, status: u16, grant: GrantType) -> OidcError {
        parse_create_token_response(
            &response(
                status,
                &[("x-amzn-errortype", kind_header)],
                r#"{"error":"x","error_description":"Invalid grant provided"}"#,
            ),
            grant,
        )
        .unwrap_err()
    }

    #[test]
    fn messages_give_advice_for_the_grant() {
        let err = error_text("InvalidGrantException", 400, GrantType::RefreshToken);
        assert_eq!(err.code(), "OIDC_INVALID_GRANT");
        assert!(!err.is_retryable());
        assert_eq!(
            err.to_string(),
            "the refresh token was rejected (HTTP 400 InvalidGrantException: Invalid grant provided): the session has \
             ended or was revoked; sign in again with `ssocreds login` (or `aws sso login`)"
        );
        let text = error_text("InvalidGrantException", 400, GrantType::AuthorizationCode).to_string();
        assert!(
            text.starts_with("the authorization code was rejected") && text.contains("PKCE"),
            "{text}"
        );
        let text = error_text("ExpiredTokenException", 400, GrantType::DeviceCode).to_string();
        assert!(
            text.starts_with("the sign-in request expired before it was approved"),
            "{text}"
        );
        let text = error_text("ExpiredTokenException", 400, GrantType::RefreshToken).to_string();
        assert!(
            text.starts_with("the refresh token has expired") && text.contains("ssocreds login"),
            "{text}"
        );
        let err = error_text("InvalidClientException", 401, GrantType::RefreshToken);
        assert_eq!(
            err.to_string(),
            "the OIDC client registration was rejected (HTTP 401 InvalidClientException: Invalid grant provided): it \
             has expired or is unknown to this region; sign in again with `ssocreds login` (or `aws sso login`), \
             which registers a new client"
        );
        let text = error_text("AccessDeniedException", 400, GrantType::DeviceCode).to_string();
        assert!(text.contains("choose Allow"), "{text}");
        let err = error_text("InternalServerException", 500, GrantType::RefreshToken);
        assert!(err.is_retryable());
        assert!(err.to_string().ends_with("try again later"));
        let err = error_text("ThrottlingException", 400, GrantType::RefreshToken);
        assert_eq!((err.kind, err.is_retryable()), (OidcErrorKind::TooManyRequests, true));
    }

    #[test]
    fn server_text_cannot_inject_control_characters() {
        let err = parse_create_token_response(
            &response(
                400,
                &[],
                "{\"error\":\"invalid_grant\",\"error_description\":\"a\\u001b[2Jb\"}",
            ),
            GrantType::RefreshToken,
        )
        .unwrap_err();
        assert!(!err.to_string().contains('\u{1b}'));
    }
}
