//! How `ssocreds` fails: one message for people and one exit code per kind of failure.

use sso_core::{
    CacheError, CallbackError, ChainError, OidcErrorKind, PortalErrorKind, RegionError, SigninErrorKind, StsErrorKind,
    StsRequestError,
};

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

impl Exit {
    /// Every exit code, in the order the help and the README list them.
    pub const ALL: [Exit; 13] = [
        Self::Internal,
        Self::Usage,
        Self::Cache,
        Self::SignIn,
        Self::NoAccess,
        Self::Throttled,
        Self::Network,
        Self::Config,
        Self::Write,
        Self::Denied,
        Self::NotCompleted,
        Self::CannotRun,
        Self::Cancelled,
    ];

    /// The number the process exits with.
    pub fn code(self) -> u8 {
        self as u8
    }

    /// What the code means, as the README's table says it (Markdown: `code` spans).
    pub fn meaning(self) -> &'static str {
        match self {
            Self::Internal => "unexpected internal error",
            Self::Usage => "usage: bad flag, account id, role name, region or endpoint",
            Self::Cache => "no token cache file, or one that cannot be read or used",
            Self::SignIn => "the token has expired or the portal rejected it (401): sign in again",
            Self::NoAccess => "no access to the account or role (403)",
            Self::Throttled => "still throttled (429) after retries",
            Self::Network => "network failure, timeout, server error (5xx) or unreadable answer",
            Self::Config => "problem in `~/.aws/config` or the profile",
            Self::Write => "a file could not be written",
            Self::Denied => "`login`: the sign-in was denied",
            Self::NotCompleted => "`login`: the sign-in was not completed in time",
            Self::CannotRun => {
                "`exec`: the command could not be started (otherwise `exec` exits with the command's own code); `console`: no browser could be started"
            }
            Self::Cancelled => "`login`: cancelled with Ctrl-C",
        }
    }
}

/// The exit-code table of `--help`, made from [`Exit`]: `0` and then each code with its meaning.
pub fn exit_code_help(codes: &[Exit]) -> String {
    let mut text = String::from("Exit codes:\n    0  success");
    for exit in codes {
        text.push_str(&format!("\n  {:>3}  {}", exit.code(), exit.meaning().replace('`', "")));
    }
    text
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

/// Every core error becomes a failure here, and only here: one match from the error to its exit code.
impl From<sso_core::Error> for Failure {
    fn from(error: sso_core::Error) -> Self {
        use sso_core::Error as E;
        let exit = match &error {
            E::Validation(_) | E::Export(_) | E::CredentialsFile(_) | E::Endpoint(_) | E::Template(_) => Exit::Usage,
            E::Region(RegionError::Missing) => Exit::Usage,
            E::Region(_) | E::Cache(_) | E::TokenChoice(_) | E::Timestamp(_) => Exit::Cache,
            E::RegistrationCache(_) | E::RoleCache(_) => Exit::Cache,
            E::Token(_) | E::RefreshUnavailable(_) | E::Pkce(_) => Exit::SignIn,
            E::Callback(CallbackError::Denied { .. }) => Exit::Denied,
            E::Callback(_) => Exit::SignIn,
            E::DeviceAuthorizationExpired(_) => Exit::NotCompleted,
            E::Config(_) | E::SsoSession(_) => Exit::Config,
            E::Portal(e) => match e.kind {
                PortalErrorKind::Unauthorized => Exit::SignIn,
                PortalErrorKind::Forbidden | PortalErrorKind::NotFound => Exit::NoAccess,
                PortalErrorKind::TooManyRequests => Exit::Throttled,
                PortalErrorKind::InvalidRequest => Exit::Usage,
                PortalErrorKind::Server | PortalErrorKind::UnexpectedResponse => Exit::Network,
            },
            E::Oidc(e) => match e.kind {
                OidcErrorKind::TooManyRequests => Exit::Throttled,
                OidcErrorKind::InternalServer | OidcErrorKind::Unexpected => Exit::Network,
                OidcErrorKind::InvalidRequestRegion => Exit::Usage,
                _ => Exit::SignIn,
            },
            // A role chain: an endpoint override is a usage error as elsewhere; every other problem (a cycle, a
            // missing source, an unsupported source, a bad value, the root's SSO settings) is in the config file.
            E::Chain(ChainError::Endpoint { .. }) => Exit::Usage,
            E::Chain(_) => Exit::Config,
            E::Sts(e) => match e.kind {
                StsErrorKind::AccessDenied => Exit::NoAccess,
                StsErrorKind::ExpiredToken | StsErrorKind::InvalidCredentials => Exit::SignIn,
                StsErrorKind::RegionDisabled | StsErrorKind::Validation => Exit::Config,
                StsErrorKind::Throttled => Exit::Throttled,
                StsErrorKind::Server | StsErrorKind::UnexpectedResponse => Exit::Network,
            },
            // An MFA code missing (no terminal to ask on) or malformed: what to type is the user's to fix.
            E::StsRequest(StsRequestError::MfaCodeRequired { .. } | StsRequestError::InvalidMfaCode { .. }) => {
                Exit::Usage
            }
            E::InvalidParameter(_) | E::Console(_) | E::ContainerExport(_) => Exit::Usage,
            E::Signin(e) => match e.kind {
                SigninErrorKind::CredentialsRefused => Exit::SignIn,
                SigninErrorKind::Forbidden => Exit::NoAccess,
                SigninErrorKind::TooManyRequests => Exit::Throttled,
                SigninErrorKind::Server | SigninErrorKind::UnexpectedResponse => Exit::Network,
            },
            // A new kind of core error: still reported, with the catch-all code until it gets its own.
            _ => Exit::Internal,
        };
        Self::new(exit, chain(&error))
    }
}

/// The core's specific errors reach `?` directly; each goes through the one mapping above.
macro_rules! through_core_error {
    ($($error:ty),* $(,)?) => {
        $(impl From<$error> for Failure {
            fn from(error: $error) -> Self {
                Self::from(sso_core::Error::from(error))
            }
        })*
    };
}

through_core_error!(
    sso_core::ValidationError,
    sso_core::ExportError,
    sso_core::TokenError,
    sso_core::RegionError,
    sso_core::PortalError,
    sso_core::ConfigError,
    sso_core::CredentialsFileError,
    sso_core::OidcError,
    sso_core::SsoSessionError,
    sso_core::TemplateError,
    sso_core::CallbackError,
    sso_core::ChainError,
    sso_core::StsError,
    sso_core::StsRequestError,
    sso_core::InvalidParameter,
    sso_core::ConsoleError,
    sso_core::SigninError,
    sso_core::ContainerExportError,
);

/// A cache file that could not be used, with its path.
pub fn cache_failure(path: &str, error: &CacheError) -> Failure {
    Failure::new(
        Exit::Cache,
        format!("cannot use token cache file {path}: {}", chain(error)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The rows of the README's "Exit codes" table: `(code, meaning)`.
    fn readme_table() -> Vec<(u8, String)> {
        let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../README.md")).unwrap();
        let section = readme
            .split("## Exit codes")
            .nth(1)
            .expect("the README has an \"Exit codes\" section");
        section
            .lines()
            .skip_while(|line| !line.starts_with('|'))
            .take_while(|line| line.starts_with('|'))
            .filter_map(|line| {
                let cells: Vec<&str> = line.trim_matches('|').split('|').map(str::trim).collect();
                Some((cells[0].parse().ok()?, cells[1].to_owned()))
            })
            .collect()
    }

    #[test]
    fn the_readme_exit_code_table_agrees_with_the_enum() {
        let mut expected = vec![(0, "success".to_owned())];
        expected.extend(Exit::ALL.iter().map(|e| (e.code(), e.meaning().to_owned())));
        assert_eq!(readme_table(), expected);
    }

    #[test]
    fn every_exit_is_listed_once_and_in_order() {
        let codes: Vec<u8> = Exit::ALL.iter().map(|e| e.code()).collect();
        let mut sorted = codes.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(codes, sorted);
    }

    #[test]
    fn the_help_table_is_made_from_the_enum() {
        let help = exit_code_help(&Exit::ALL);
        assert!(
            help.starts_with("Exit codes:\n    0  success\n    1  unexpected internal error\n"),
            "{help}"
        );
        assert!(
            help.contains("\n  127  exec: the command could not be started"),
            "{help}"
        );
        assert!(help.ends_with("\n  130  login: cancelled with Ctrl-C"), "{help}");
        assert!(!help.contains('`'));
    }

    #[test]
    fn core_errors_map_to_their_exit_codes() {
        let usage = Failure::from(sso_core::ValidationError::AccountId("x".into()));
        assert_eq!(usage.exit, Exit::Usage);
        assert_eq!(Failure::from(sso_core::RegionError::Missing).exit, Exit::Usage);
        let expired = sso_core::Error::from(sso_core::RefreshUnavailable::NoRefreshToken);
        assert_eq!(Failure::from(expired).exit, Exit::SignIn);
        let ambiguous = sso_core::Error::from(sso_core::TokenChoiceError::Ambiguous { candidates: vec![0, 1] });
        assert_eq!(Failure::from(ambiguous).exit, Exit::Cache);
    }

    #[test]
    fn chain_and_sts_errors_map_to_their_exit_codes() {
        let cycle = ChainError::Cycle {
            cycle: vec!["a".into(), "b".into(), "a".into()],
        };
        assert_eq!(Failure::from(cycle).exit, Exit::Config);
        let missing = ChainError::MissingSource {
            profile: "a".into(),
            source_profile: "ghost".into(),
        };
        assert_eq!(Failure::from(missing).exit, Exit::Config);
        let insecure = sso_core::Endpoint::custom("http://sts.example.test").unwrap_err();
        let endpoint = ChainError::Endpoint {
            from: "AWS_ENDPOINT_URL_STS".into(),
            source: insecure,
        };
        assert_eq!(Failure::from(endpoint).exit, Exit::Usage);
        let mfa = StsRequestError::MfaCodeRequired {
            role_arn: "arn:aws:iam::444455556666:role/Deploy".into(),
            serial: "arn:aws:iam::111122223333:mfa/alice".into(),
        };
        assert_eq!(Failure::from(mfa).exit, Exit::Usage);
        let arn = sso_core::RoleArn::new("arn:aws:iam::444455556666:role/Deploy").unwrap();
        let table = [
            (403, "AccessDenied", Exit::NoAccess),
            (400, "ExpiredToken", Exit::SignIn),
            (403, "SignatureDoesNotMatch", Exit::SignIn),
            (403, "RegionDisabledException", Exit::Config),
            (400, "ValidationError", Exit::Config),
            (400, "Throttling", Exit::Throttled),
            (500, "InternalFailure", Exit::Network),
            (502, "", Exit::Network),
        ];
        for (status, code, exit) in table {
            let body = format!("<ErrorResponse><Error><Code>{code}</Code><Message>m</Message></Error></ErrorResponse>");
            let response = sso_core::HttpResponse {
                status,
                headers: Vec::new(),
                body: body.into_bytes(),
            };
            let error = sso_core::parse_assume_role_response(&response, &arn, "eu-west-1").unwrap_err();
            assert_eq!(Failure::from(error).exit, exit, "{code}");
        }
    }
}
