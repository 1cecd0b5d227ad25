//! What a sign-in needs when it is named by an `[sso-session NAME]` or by a bare start URL rather than by a
//! profile: the settings a profile using that session would resolve to.

use crate::{
    ConfigFile, DEFAULT_REGISTRATION_SCOPE, Region, SsoProfile, ValidationError, parse_registration_scopes,
    sso_sessions,
};

/// Why an `[sso-session]` cannot be signed in to. The messages do not name the file: the host prefixes its path.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SsoSessionError {
    /// No such section.
    #[error("there is no [sso-session {name}] ({})", if .known.is_empty() { "it defines none".to_owned() } else { format!("it defines {}", .known.join(", ")) })]
    NotDefined {
        /// The session asked for.
        name: String,
        /// The sessions the file defines.
        known: Vec<String>,
    },
    /// A required key is missing (or empty).
    #[error("[sso-session {name}] has no {key}; add `{key} = {example}`")]
    MissingKey {
        /// The session.
        name: String,
        /// The key: `sso_start_url` or `sso_region`.
        key: &'static str,
        /// An example value.
        example: &'static str,
    },
    /// `sso_region` is not a region name.
    #[error("sso_region of [sso-session {name}]: {error}")]
    InvalidRegion {
        /// The session.
        name: String,
        /// Why.
        error: ValidationError,
    },
}

impl SsoSessionError {
    /// A stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::NotDefined { .. } => "SSO_SESSION_NOT_DEFINED",
            Self::MissingKey { .. } => "SSO_SESSION_MISSING_KEY",
            Self::InvalidRegion { .. } => "SSO_SESSION_INVALID_REGION",
        }
    }
}

/// The settings of `[sso-session NAME]`, as a profile that uses that session (and names no account or role) would
/// have them; its `profile_name` is the session's name.
pub fn resolve_sso_session(config: &ConfigFile, name: &str) -> Result<SsoProfile, SsoSessionError> {
    let Some(session) = config.sso_session(name) else {
        return Err(SsoSessionError::NotDefined {
            name: name.to_owned(),
            known: sso_sessions(config).into_iter().map(str::to_owned).collect(),
        });
    };
    let missing = |key, example| SsoSessionError::MissingKey {
        name: name.to_owned(),
        key,
        example,
    };
    let start_url = session
        .get("sso_start_url")
        .filter(|u| !u.is_empty())
        .ok_or_else(|| missing("sso_start_url", "https://my-sso-portal.awsapps.com/start"))?;
    let region = session
        .get("sso_region")
        .ok_or_else(|| missing("sso_region", "us-east-1"))?;
    let region = Region::new(region).map_err(|error| SsoSessionError::InvalidRegion {
        name: name.to_owned(),
        error,
    })?;
    let scopes = session.get("sso_registration_scopes").map(parse_registration_scopes);
    Ok(sign_in_profile(
        start_url.to_owned(),
        region,
        Some(name.to_owned()),
        scopes,
    ))
}

/// A sign-in to a bare start URL (no profile, no session): a legacy sign-in, cached under the start URL's name.
pub fn start_url_sign_in(start_url: &str, sso_region: Region) -> SsoProfile {
    sign_in_profile(start_url.to_owned(), sso_region, None, None)
}

fn sign_in_profile(
    start_url: String,
    sso_region: Region,
    session_name: Option<String>,
    configured_scopes: Option<Vec<String>>,
) -> SsoProfile {
    // As the AWS CLI registers them: legacy sign-ins without scopes, sessions with theirs or the default.
    let registration_scopes = match (&session_name, &configured_scopes) {
        (None, _) => Vec::new(),
        (Some(_), Some(scopes)) if !scopes.is_empty() => scopes.clone(),
        (Some(_), _) => vec![DEFAULT_REGISTRATION_SCOPE.to_owned()],
    };
    SsoProfile {
        profile_name: session_name.clone().unwrap_or_else(|| start_url.clone()),
        session_name,
        start_url,
        sso_region,
        account_id: None,
        role_name: None,
        registration_scopes,
        configured_registration_scopes: configured_scopes,
        region: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse_config;
    #[cfg(all(target_family = "wasm", target_os = "unknown"))]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn a_session_resolves_to_what_login_needs() {
        let config = parse_config(
            "[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = eu-west-1\n\
             sso_registration_scopes = sso:account:access, codewhisperer:completions\n",
        )
        .unwrap();
        let profile = resolve_sso_session(&config, "corp").unwrap();
        assert_eq!(profile.profile_name, "corp");
        assert_eq!(profile.session_name.as_deref(), Some("corp"));
        assert_eq!(profile.start_url, "https://corp.awsapps.com/start");
        assert_eq!(profile.sso_region.as_str(), "eu-west-1");
        assert_eq!(
            profile.registration_scopes,
            ["sso:account:access", "codewhisperer:completions"]
        );
        assert_eq!(profile.cache_file_name(), crate::cache_file_name("corp"));
    }

    #[test]
    fn a_session_without_scopes_registers_the_default_scope() {
        let config =
            parse_config("[sso-session s]\nsso_start_url = https://s/start\nsso_region = us-east-1\n").unwrap();
        let profile = resolve_sso_session(&config, "s").unwrap();
        assert_eq!(profile.registration_scopes, [DEFAULT_REGISTRATION_SCOPE]);
        assert_eq!(profile.configured_registration_scopes, None);
    }

    #[test]
    fn what_is_missing_is_named() {
        let config = parse_config(
            "[sso-session a]\nsso_region = us-east-1\n[sso-session b]\nsso_start_url = https://b/start\n\
             [sso-session c]\nsso_start_url = https://c/start\nsso_region = Mars\n",
        )
        .unwrap();
        let err = resolve_sso_session(&config, "a").unwrap_err();
        assert_eq!(
            err.to_string(),
            "[sso-session a] has no sso_start_url; add `sso_start_url = https://my-sso-portal.awsapps.com/start`"
        );
        assert_eq!(
            resolve_sso_session(&config, "b").unwrap_err().code(),
            "SSO_SESSION_MISSING_KEY"
        );
        assert_eq!(
            resolve_sso_session(&config, "c").unwrap_err().code(),
            "SSO_SESSION_INVALID_REGION"
        );
        let err = resolve_sso_session(&config, "d").unwrap_err();
        assert_eq!(err.to_string(), "there is no [sso-session d] (it defines a, b, c)");
        let empty = parse_config("").unwrap();
        assert_eq!(
            resolve_sso_session(&empty, "d").unwrap_err().to_string(),
            "there is no [sso-session d] (it defines none)"
        );
    }

    #[test]
    fn a_bare_start_url_is_a_legacy_sign_in() {
        let profile = start_url_sign_in("https://x/start", Region::new("us-west-2").unwrap());
        assert_eq!(profile.session_name, None);
        assert!(profile.registration_scopes.is_empty());
        assert_eq!(profile.cache_file_name(), crate::cache_file_name("https://x/start"));
    }
}
