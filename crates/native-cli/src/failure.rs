//! How `ssocreds` fails: one message for people and one exit code per kind of failure.

use sso_core::{CacheError, ExportError, PortalError, PortalErrorKind, RegionError, TokenError, ValidationError};

/// Exit codes. Documented in the README and `ssocreds --help`; never renumber one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Something ssocreds did not expect (a bug, or a failure with no better code).
    Internal = 1,
    /// Bad command line: unknown flag, invalid account id, role name, region or endpoint.
    Usage = 2,
    /// No token cache file, or one that cannot be read or used.
    Cache = 3,
    /// The token has expired or the portal rejected it: sign in again.
    SignIn = 4,
    /// The portal refused access to the account or role.
    NoAccess = 5,
    /// Still throttled after retrying.
    Throttled = 6,
    /// The portal could not be reached, timed out, failed (5xx) or answered something unreadable.
    Network = 7,
    /// A problem in ~/.aws/config or a profile.
    Config = 8,
    /// A file could not be written.
    Write = 9,
    /// `login`: the sign-in was denied in the browser (or by the OIDC service).
    Denied = 10,
    /// `login`: the sign-in was not completed in time (`--timeout`, or the device code expired).
    NotCompleted = 11,
    /// `ssocreds exec` could not start the command (as shells do, 127).
    CannotRun = 127,
    /// `login` was cancelled with Ctrl-C (128 + SIGINT, as shells report it).
    Cancelled = 130,
}

/// A failure to report: the message is printed after `ssocreds: error: ` on stderr.
#[derive(Debug)]
pub struct Failure {
    /// The exit code.
    pub exit: Exit,
    /// What went wrong and what to do next.
    pub message: String,
}

impl Failure {
    pub fn new(exit: Exit, message: impl Into<String>) -> Self {
        Self {
            exit,
            message: message.into(),
        }
    }
}

/// Joins an error's message with its sources' messages, as `Display` does not repeat the cause.
pub fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

impl From<ValidationError> for Failure {
    fn from(e: ValidationError) -> Self {
        Self::new(Exit::Usage, e.to_string())
    }
}

impl From<ExportError> for Failure {
    fn from(e: ExportError) -> Self {
        Self::new(Exit::Usage, e.to_string())
    }
}

impl From<TokenError> for Failure {
    fn from(e: TokenError) -> Self {
        Self::new(Exit::SignIn, e.to_string())
    }
}

impl From<RegionError> for Failure {
    fn from(e: RegionError) -> Self {
        let exit = match e {
            RegionError::Missing => Exit::Usage,
            RegionError::InvalidInCache(_) => Exit::Cache,
        };
        Self::new(exit, chain(&e))
    }
}

impl From<PortalError> for Failure {
    fn from(e: PortalError) -> Self {
        let exit = match e.kind {
            PortalErrorKind::Unauthorized => Exit::SignIn,
            PortalErrorKind::Forbidden | PortalErrorKind::NotFound => Exit::NoAccess,
            PortalErrorKind::TooManyRequests => Exit::Throttled,
            PortalErrorKind::InvalidRequest => Exit::Usage,
            PortalErrorKind::Server | PortalErrorKind::UnexpectedResponse => Exit::Network,
        };
        Self::new(exit, e.to_string())
    }
}

/// A cache file that could not be used, with its path.
pub fn cache_failure(path: &str, error: &CacheError) -> Failure {
    Failure::new(
        Exit::Cache,
        format!("cannot use token cache file {path}: {}", chain(error)),
    )
}

impl From<sso_core::ConfigError> for Failure {
    fn from(e: sso_core::ConfigError) -> Self {
        Self::new(Exit::Config, chain(&e))
    }
}

impl From<sso_core::CredentialsFileError> for Failure {
    fn from(e: sso_core::CredentialsFileError) -> Self {
        Self::new(Exit::Usage, chain(&e))
    }
}

impl From<sso_core::OidcError> for Failure {
    fn from(e: sso_core::OidcError) -> Self {
        use sso_core::OidcErrorKind as K;
        let exit = match e.kind {
            K::TooManyRequests => Exit::Throttled,
            K::InternalServer | K::Unexpected => Exit::Network,
            K::InvalidRequestRegion => Exit::Usage,
            _ => Exit::SignIn,
        };
        Self::new(exit, chain(&e))
    }
}
