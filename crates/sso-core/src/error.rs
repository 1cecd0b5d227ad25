//! One error surface for the whole core, after rustls' `Error`: every specific error folds into [`Error`] through
//! `From`, so a host converts errors in one place (the CLI maps each to an exit code, the wasm wrapper to a
//! JavaScript `Error` with [`Error::code`]). The specific types stay public: they carry the details a caller may
//! want to match on.

// Through the crate root's re-exports, so that moving an error between modules does not touch this file.
use crate::{
    CacheError, CallbackError, ChainError, ConfigError, ConsoleError, ContainerExportError, CredentialsFileError,
    DeviceAuthorizationExpired, EndpointError, ExportError, InvalidParameter, OidcError, PkceError, PortalError,
    RefreshUnavailable, RegionError, RegistrationCacheError, RoleCacheError, SigninError, SsoSessionError, StsError,
    StsRequestError, TemplateError, TimestampError, TokenChoiceError, TokenError, ValidationError,
};

/// Any error of the core. `Display` is the specific error's message and `source()` its cause; match on the
/// variant for details, or use [`Error::code`] for a stable machine-readable code.
#[non_exhaustive]
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// An account id, role name or region that is not one.
    #[error(transparent)]
    Validation(#[from] ValidationError),
    /// A token cache file that cannot be used.
    #[error(transparent)]
    Cache(#[from] CacheError),
    /// A token that has expired.
    #[error(transparent)]
    Token(#[from] TokenError),
    /// No usable region.
    #[error(transparent)]
    Region(#[from] RegionError),
    /// An endpoint URL that cannot be used.
    #[error(transparent)]
    Endpoint(#[from] EndpointError),
    /// An error answer (or an unreadable one) of the portal.
    #[error(transparent)]
    Portal(#[from] PortalError),
    /// An error answer (or an unreadable one) of the OIDC service.
    #[error(transparent)]
    Oidc(#[from] OidcError),
    /// A token that cannot be refreshed.
    #[error(transparent)]
    RefreshUnavailable(#[from] RefreshUnavailable),
    /// No token file, or several sign-ins and nothing to choose between them.
    #[error(transparent)]
    TokenChoice(#[from] TokenChoiceError),
    /// A problem in the config file or a profile.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// An `[sso-session]` that cannot be signed in to.
    #[error(transparent)]
    SsoSession(#[from] SsoSessionError),
    /// A credentials file that cannot be merged into.
    #[error(transparent)]
    CredentialsFile(#[from] CredentialsFileError),
    /// An export format that does not exist, or credentials it cannot hold.
    #[error(transparent)]
    Export(#[from] ExportError),
    /// A timestamp that cannot be parsed.
    #[error(transparent)]
    Timestamp(#[from] TimestampError),
    /// A client-registration cache file that cannot be used.
    #[error(transparent)]
    RegistrationCache(#[from] RegistrationCacheError),
    /// A role-credentials cache file that cannot be used.
    #[error(transparent)]
    RoleCache(#[from] RoleCacheError),
    /// The device code expired before the sign-in was approved.
    #[error(transparent)]
    DeviceAuthorizationExpired(#[from] DeviceAuthorizationExpired),
    /// Bad PKCE input.
    #[error(transparent)]
    Pkce(#[from] PkceError),
    /// The browser's redirect to the loopback listener cannot be used.
    #[error(transparent)]
    Callback(#[from] CallbackError),
    /// A `populate` name template that cannot be used.
    #[error(transparent)]
    Template(#[from] TemplateError),
    /// A role chain (`role_arn` + `source_profile`) that cannot be resolved.
    #[error(transparent)]
    Chain(#[from] ChainError),
    /// An error answer (or an unreadable one) of STS `AssumeRole`.
    #[error(transparent)]
    Sts(#[from] StsError),
    /// An `AssumeRole` request that cannot be built (an MFA code missing or malformed).
    #[error(transparent)]
    StsRequest(#[from] StsRequestError),
    /// A role ARN, session name, external id, MFA serial or MFA code that is not valid.
    #[error(transparent)]
    InvalidParameter(#[from] InvalidParameter),
    /// A console sign-in that cannot be asked for: a partition, destination or session duration that cannot be used.
    #[error(transparent)]
    Console(#[from] ConsoleError),
    /// An error answer (or an unreadable one) of the console federation endpoint.
    #[error(transparent)]
    Signin(#[from] SigninError),
    /// The container endpoint's variables cannot be written in the format asked for.
    #[error(transparent)]
    ContainerExport(#[from] ContainerExportError),
}

impl Error {
    /// The stable machine-readable code of the specific error (the same strings as its own `code()`).
    pub fn code(&self) -> &'static str {
        match self {
            Self::Validation(e) => e.code(),
            Self::Cache(e) => e.code(),
            Self::Token(e) => e.code(),
            Self::Region(e) => e.code(),
            Self::Endpoint(e) => e.code(),
            Self::Portal(e) => e.code(),
            Self::Oidc(e) => e.code(),
            Self::RefreshUnavailable(e) => e.code(),
            Self::TokenChoice(e) => e.code(),
            Self::Config(e) => e.code(),
            Self::SsoSession(e) => e.code(),
            Self::CredentialsFile(e) => e.code(),
            Self::Export(e) => e.code(),
            Self::Timestamp(e) => e.code(),
            Self::RegistrationCache(e) => e.code(),
            Self::RoleCache(_) => "ROLE_CACHE_INVALID",
            Self::DeviceAuthorizationExpired(e) => e.code(),
            Self::Pkce(e) => e.code(),
            Self::Callback(e) => e.code(),
            Self::Template(e) => e.code(),
            Self::Chain(e) => e.code(),
            Self::Sts(e) => e.code(),
            Self::StsRequest(e) => e.code(),
            Self::InvalidParameter(_) => "INVALID_PARAMETER",
            Self::Console(e) => e.code(),
            Self::Signin(e) => e.code(),
            Self::ContainerExport(e) => e.code(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(all(target_family = "wasm", target_os = "unknown"))]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn a_folded_error_keeps_its_code_message_and_source() {
        let specific = ValidationError::AccountId("12".to_owned());
        let error = Error::from(specific.clone());
        assert_eq!(error.code(), specific.code());
        assert_eq!(error.to_string(), specific.to_string());

        let cache = crate::parse_cached_token(b"{").unwrap_err();
        let (code, source) = (cache.code(), std::error::Error::source(&cache).map(ToString::to_string));
        let error = Error::from(cache);
        assert_eq!(error.code(), code);
        assert_eq!(std::error::Error::source(&error).map(ToString::to_string), source);
    }

    #[test]
    fn chain_and_sts_errors_fold_with_their_codes() {
        let cycle = ChainError::Cycle {
            cycle: vec!["a".into(), "b".into(), "a".into()],
        };
        let error = Error::from(cycle.clone());
        assert_eq!((error.code(), error.to_string()), ("CHAIN_CYCLE", cycle.to_string()));
        let mfa = StsRequestError::MfaCodeRequired {
            role_arn: "arn:aws:iam::444455556666:role/Deploy".into(),
            serial: "arn:aws:iam::111122223333:mfa/alice".into(),
        };
        assert_eq!(Error::from(mfa).code(), "STS_MFA_CODE_REQUIRED");
        let invalid = crate::RoleArn::new("Deploy").unwrap_err();
        assert_eq!(Error::from(invalid).code(), "INVALID_PARAMETER");
        let response = crate::HttpResponse {
            status: 403,
            headers: Vec::new(),
            body: b"<ErrorResponse><Error><Code>AccessDenied</Code><Message>no</Message></Error></ErrorResponse>"
                .to_vec(),
        };
        let arn = crate::RoleArn::new("arn:aws:iam::444455556666:role/Deploy").unwrap();
        let sts = crate::parse_assume_role_response(&response, &arn, "eu-west-1").unwrap_err();
        assert_eq!(Error::from(sts).code(), "STS_ACCESS_DENIED");
    }

    #[test]
    fn refresh_unavailable_folds_with_its_code() {
        let error = Error::from(RefreshUnavailable::NoRefreshToken);
        assert_eq!(error.code(), "REFRESH_NO_REFRESH_TOKEN");
        assert!(matches!(error, Error::RefreshUnavailable(_)));
    }
}
