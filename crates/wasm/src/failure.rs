//! The one way a failure crosses into JavaScript: a real `Error` whose `message` is the core's `Display` text
//! (with its causes) and which carries a stable `code`; portal failures also carry `status`, `errorType`,
//! `retryable` and `retryAfterSeconds`.

use sso_core::{
    CacheError, EndpointError, ExportError, PortalError, RegionError, TimestampError, TokenError, ValidationError,
};
use wasm_bindgen::JsValue;

/// A failure on its way to JavaScript.
#[derive(Debug)]
pub struct Failure {
    code: &'static str,
    message: String,
    portal: Option<PortalDetails>,
}

#[derive(Debug)]
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

macro_rules! coded_errors {
    ($($error:ty),* $(,)?) => {$(
        impl From<$error> for Failure {
            fn from(error: $error) -> Self {
                use std::error::Error as _;
                Self { code: error.code(), message: chain(&error, error.source()), portal: None }
            }
        }
    )*};
}
coded_errors!(
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
        let set = |key: &str, value: JsValue| {
            // Setting a property on a fresh, unfrozen Error cannot fail.
            let _ = js_sys::Reflect::set(&error, &JsValue::from_str(key), &value);
        };
        set("code", JsValue::from_str(failure.code));
        if let Some(portal) = failure.portal {
            set("status", JsValue::from(portal.status));
            set(
                "errorType",
                portal.error_type.as_deref().map_or(JsValue::NULL, JsValue::from_str),
            );
            set("retryable", JsValue::from_bool(portal.retryable));
            set(
                "retryAfterSeconds",
                portal
                    .retry_after_seconds
                    .map_or(JsValue::NULL, |s| JsValue::from_f64(s as f64)),
            );
        }
        error.into()
    }
}
