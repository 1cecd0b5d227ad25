//! Error answers in the two wire styles: the portal's (`message` + `__type`) and OIDC's (`error` +
//! `error_description`). Both also name the type in `x-amzn-ErrorType`, which is where the SDKs look first.

use serde::Serialize;

use super::http::Response;

const CORAL_SUFFIX: &str = ":http://internal.amazon.com/coral/com.amazonaws.switchboard.portal/";
const PORTAL_NAMESPACE: &str = "com.amazonaws.switchboard.portal#";

/// The exact message of the portal's 401, which clients show users.
pub(crate) const SESSION_NOT_FOUND: &str = "Session token not found or invalid";

#[derive(Serialize)]
struct PortalErrorBody<'a> {
    message: &'a str,
    #[serde(rename = "__type")]
    kind: String,
}

#[derive(Serialize)]
struct OidcErrorBody<'a> {
    error: &'a str,
    error_description: &'a str,
}

/// A portal error: `{"message":…,"__type":"com.amazonaws.switchboard.portal#<kind>"}`.
pub(crate) fn portal(status: u16, kind: &str, message: &str) -> Response {
    let body = PortalErrorBody {
        message,
        kind: format!("{PORTAL_NAMESPACE}{kind}"),
    };
    Response::json(status, to_json(&body)).header("x-amzn-ErrorType", format!("{kind}{CORAL_SUFFIX}"))
}

pub(crate) fn unauthorized() -> Response {
    portal(401, "UnauthorizedException", SESSION_NOT_FOUND)
}

pub(crate) fn forbidden() -> Response {
    portal(403, "ForbiddenException", "No access")
}

pub(crate) fn invalid_request(message: &str) -> Response {
    portal(400, "InvalidRequestException", message)
}

/// The OIDC error kinds: exception name, `error` code and status.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum OidcError {
    InvalidRequest,
    InvalidClient,
    InvalidClientMetadata,
    InvalidGrant,
    UnsupportedGrantType,
    AuthorizationPending,
    SlowDown,
    AccessDenied,
    ExpiredToken,
}

impl OidcError {
    fn parts(self) -> (u16, &'static str, &'static str) {
        match self {
            OidcError::InvalidRequest => (400, "InvalidRequestException", "invalid_request"),
            OidcError::InvalidClient => (401, "InvalidClientException", "invalid_client"),
            OidcError::InvalidClientMetadata => (400, "InvalidClientMetadataException", "invalid_client_metadata"),
            OidcError::InvalidGrant => (400, "InvalidGrantException", "invalid_grant"),
            OidcError::UnsupportedGrantType => (400, "UnsupportedGrantTypeException", "unsupported_grant_type"),
            OidcError::AuthorizationPending => (400, "AuthorizationPendingException", "authorization_pending"),
            OidcError::SlowDown => (400, "SlowDownException", "slow_down"),
            OidcError::AccessDenied => (400, "AccessDeniedException", "access_denied"),
            OidcError::ExpiredToken => (400, "ExpiredTokenException", "expired_token"),
        }
    }

    /// The `error` code, as recorded in the device polls.
    pub fn code(self) -> &'static str {
        self.parts().2
    }

    pub fn response(self, description: &str) -> Response {
        let (status, kind, code) = self.parts();
        oidc(status, kind, code, description)
    }
}

/// An OIDC error: `{"error":<code>,"error_description":…}`.
pub(crate) fn oidc(status: u16, kind: &str, code: &str, description: &str) -> Response {
    let body = OidcErrorBody {
        error: code,
        error_description: description,
    };
    Response::json(status, to_json(&body)).header("x-amzn-ErrorType", format!("{kind}{CORAL_SUFFIX}"))
}

/// An error in the style the path's service uses.
pub(crate) fn styled(oidc_path: bool, status: u16, kind: &str, code: &str, message: &str) -> Response {
    if oidc_path {
        oidc(status, kind, code, message)
    } else {
        portal(status, kind, message)
    }
}

pub(crate) fn to_json<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|e| format!("{{\"serializationError\":\"{e}\"}}"))
}
