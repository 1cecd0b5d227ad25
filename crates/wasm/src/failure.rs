//! The one way a failure crosses into JavaScript: a real `Error` whose `message` is the core's `Display` text
//! (with its causes) and which carries a stable `code`; portal failures also carry `status`, `errorType`,
//! `retryable` and `retryAfterSeconds`.

use sso_core::{
    CacheError, EndpointError, ExportError, PortalError, RegionError, TimestampError, TokenError, ValidationError,
};
use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const ERROR_TYPES: &str = r#"
/** Stable machine-readable error codes (the same as the CLI's). */
export type ErrorCode =
  // arguments
  | 'INVALID_ARGUMENT'
  | 'INVALID_ACCOUNT_ID'
  | 'INVALID_ROLE_NAME'
  | 'INVALID_REGION'
  | 'INVALID_TIMESTAMP'
  | 'ENDPOINT_INVALID'
  | 'ENDPOINT_INSECURE_HTTP'
  | 'REGION_MISSING'
  // the token cache file
  | 'CACHE_EMPTY'
  | 'CACHE_TOO_LARGE'
  | 'CACHE_INVALID_JSON'
  | 'CACHE_NOT_OBJECT'
  | 'CACHE_IS_CLIENT_REGISTRATION'
  | 'CACHE_MISSING_FIELD'
  | 'CACHE_WRONG_TYPE'
  | 'CACHE_INVALID_TIMESTAMP'
  | 'CACHE_INVALID_REGION'
  | 'TOKEN_EXPIRED'
  // the portal's answer
  | 'PORTAL_UNAUTHORIZED'
  | 'PORTAL_FORBIDDEN'
  | 'PORTAL_NOT_FOUND'
  | 'PORTAL_INVALID_REQUEST'
  | 'PORTAL_THROTTLED'
  | 'PORTAL_SERVER_ERROR'
  | 'PORTAL_UNEXPECTED_RESPONSE'
  // getRoleCredentials only (js/client.js): no HTTP answer at all
  | 'NETWORK_ERROR'
  | 'TIMEOUT'
  // exports
  | 'EXPORT_UNKNOWN_FORMAT'
  | 'EXPORT_UNREPRESENTABLE';

/**
 * What every function throws: a real `Error` whose `message` says what is wrong and what to do, with a stable
 * `code`.
 */
export interface SsoCredsError extends Error {
  code: ErrorCode;
}

/** A failed portal call (`code` starts with `PORTAL_`). */
export interface PortalFailure extends SsoCredsError {
  /** The HTTP status. */
  status: number;
  /** The error type as the AWS SDKs read it, such as "UnauthorizedException", or null. */
  errorType: string | null;
  /** Whether sending again may succeed (429 and 5xx). */
  retryable: boolean;
  /** The server's `Retry-After`, in seconds, or null. */
  retryAfterSeconds: number | null;
  /** Set by getRoleCredentials: how many attempts were made. */
  attempts?: number;
}
"#;

/// A failure on its way to JavaScript: what every exported function returns as its error, and the one place that
/// turns it into a thrown `Error` (`impl From<Failure> for JsValue`).
#[derive(Debug)]
pub struct Failure {
    code: &'static str,
    message: String,
    portal: Option<PortalDetails>,
}

/// The fields a portal failure carries besides `code` (`PortalFailure` in the types).
#[derive(Debug, serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct PortalDetails {
    status: u16,
    error_type: Option<String>,
    retryable: bool,
    retry_after_seconds: Option<u64>,
}

impl Failure {
    /// A JavaScript value of the wrong shape, named after the function and the argument it was given to.
    pub fn invalid_argument(function: &str, argument: &str, reason: impl std::fmt::Display) -> Self {
        Self {
            code: "INVALID_ARGUMENT",
            message: format!("invalid {argument} passed to {function}: {reason}"),
            portal: None,
        }
    }

    /// The code, for the Rust-side tests.
    pub fn code(&self) -> &'static str {
        self.code
    }

    /// The message, for the Rust-side tests.
    pub fn message(&self) -> &str {
        &self.message
    }
}

/// Joins an error's message with its sources' messages, as `Display` does not repeat the cause.
///
/// Takes the error as `&dyn Display` and its source apart, not as `&dyn Error`: a trait object of each core error
/// type would pull its `Debug` impl (and `Debug` for `DateTime`, `Duration`, …) into the module through the
/// vtable, for nothing; and one function serves every error type.
fn chain(error: &dyn std::fmt::Display, mut source: Option<&dyn std::error::Error>) -> String {
    let mut text = error.to_string();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// The one conversion: every core error reaches JavaScript through the core's one error surface, with its code.
impl From<sso_core::Error> for Failure {
    fn from(error: sso_core::Error) -> Self {
        match error {
            // The portal's answer also carries status, error type and retry advice.
            sso_core::Error::Portal(error) => error.into(),
            error => {
                use std::error::Error as _;
                Self {
                    code: error.code(),
                    message: chain(&error, error.source()),
                    portal: None,
                }
            }
        }
    }
}

/// The specific core errors `?` meets in this crate, through [`sso_core::Error`].
macro_rules! through_core_error {
    ($($error:ty),* $(,)?) => {$(
        impl From<$error> for Failure {
            fn from(error: $error) -> Self {
                sso_core::Error::from(error).into()
            }
        }
    )*};
}
through_core_error!(
    CacheError,
    EndpointError,
    ExportError,
    RegionError,
    TimestampError,
    TokenError,
    ValidationError,
);

impl From<PortalError> for Failure {
    fn from(error: PortalError) -> Self {
        Self {
            code: error.code(),
            message: chain(&error, std::error::Error::source(&error)),
            portal: Some(PortalDetails {
                status: error.status,
                error_type: error.error_type.clone(),
                retryable: error.is_retryable(),
                retry_after_seconds: error.retry_after.map(|d| d.as_secs()),
            }),
        }
    }
}

impl From<Failure> for JsValue {
    fn from(failure: Failure) -> Self {
        let error = js_sys::Error::new(&failure.message);
        // Own properties of a fresh, unfrozen Error: setting them cannot fail. The portal's details go out through
        // the package's one serializer, as every result does.
        let _ = js_sys::Reflect::set(&error, &JsValue::from_str("code"), &JsValue::from_str(failure.code));
        if let Some(portal) = &failure.portal {
            js_sys::Object::assign(&error, &crate::boundary::output(portal).into());
        }
        error.into()
    }
}
