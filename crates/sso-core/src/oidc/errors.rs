//! OIDC failures: the kinds the service names, and the advice for each.

use super::requests::GrantType;
use crate::http::HttpResponse;
use crate::portal::{error_type_name, sanitize};
use serde_json::Value;

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
    pub(super) fn from_name(name: &str) -> Option<Self> {
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
pub(super) fn oidc_error(response: &HttpResponse, operation: OidcOperation) -> OidcError {
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

pub(super) fn unexpected(response: &HttpResponse, operation: OidcOperation, what: String) -> OidcError {
    OidcError {
        kind: OidcErrorKind::Unexpected,
        operation,
        status: response.status,
        error_type: None,
        message: Some(what),
    }
}
