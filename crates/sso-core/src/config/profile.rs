//! A profile's SSO settings, resolved from the profile and its sso-session as the AWS CLI and SDKs resolve them.

use super::{ConfigError, ConfigFile, ConfigValue, Properties, profile_names, sso_sessions};
use crate::ids::{AccountId, Region, RoleName, ValidationError};

/// The scope the AWS CLI asks for when an sso-session sets no `sso_registration_scopes`.
pub const DEFAULT_REGISTRATION_SCOPE: &str = "sso:account:access";

/// How many profile names an "unknown profile" error lists.
const LISTED_NAMES: usize = 10;

/// A profile's SSO settings, resolved from the profile and its sso-session.
///
/// Account and role are optional here: a profile may only sign in, and command-line flags override them later.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SsoProfile {
    /// The profile's name.
    pub profile_name: String,
    /// The sso-session's name, for `sso_session` profiles; `None` for legacy profiles.
    pub session_name: Option<String>,
    /// The start URL, exactly as written (it names the token cache file of legacy profiles).
    pub start_url: String,
    /// The region of the IAM Identity Center instance (`sso_region`): where the portal and OIDC calls go.
    pub sso_region: Region,
    /// `sso_account_id`, if set.
    pub account_id: Option<AccountId>,
    /// `sso_role_name`, if set.
    pub role_name: Option<RoleName>,
    /// The scopes to register a client with: the sso-session's `sso_registration_scopes`, or
    /// [`DEFAULT_REGISTRATION_SCOPE`] when it sets none. Empty for legacy profiles, which the AWS CLI registers
    /// without scopes (their tokens cannot be refreshed).
    pub registration_scopes: Vec<String>,
    /// `sso_registration_scopes` exactly as the AWS CLI parses it (comma-split, trimmed, empty parts dropped), or
    /// `None` when the key is absent or the profile is legacy: the value the AWS CLI hashes into its
    /// client-registration cache key.
    pub configured_registration_scopes: Option<Vec<String>>,
    /// The profile's `region` (the region for AWS API calls, exported as `AWS_REGION`), if set.
    pub region: Option<Region>,
}

impl SsoProfile {
    /// The text whose SHA-1 names the token cache file: see [`token_cache_key`].
    pub fn token_cache_key(&self) -> &str {
        token_cache_key(self)
    }

    /// The token cache file name (`<sha1>.json`) for this profile.
    pub fn cache_file_name(&self) -> String {
        crate::cache::cache_file_name(self.token_cache_key())
    }
}

/// The text whose SHA-1 names a profile's token cache file: the session name for `sso_session` profiles, the exact
/// start URL for legacy ones (botocore `SSOTokenLoader._generate_cache_key`, the SDKs' `sso-session` token provider). Pass it to
/// [`crate::cache_file_name`].
pub fn token_cache_key(profile: &SsoProfile) -> &str {
    profile.session_name.as_deref().unwrap_or(&profile.start_url)
}

/// Splits `sso_registration_scopes` as the AWS CLI's `parse_sso_registration_scopes` does.
pub fn parse_registration_scopes(raw: &str) -> Vec<String> {
    raw.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Reads an optional single-valued key and validates it.
fn typed<T>(
    properties: &Properties,
    key: &'static str,
    parse: fn(&str) -> Result<T, ValidationError>,
) -> Result<Option<T>, ConfigError> {
    match properties.value(key) {
        None => Ok(None),
        Some(ConfigValue::Nested(_)) => Err(ConfigError::NestedValue {
            key,
            section: properties.header().to_owned(),
        }),
        Some(ConfigValue::Text(text)) => parse(text).map(Some).map_err(|source| ConfigError::InvalidValue {
            key,
            section: properties.header().to_owned(),
            source,
        }),
    }
}

fn value_text(value: &ConfigValue) -> String {
    match value {
        ConfigValue::Text(text) => text.clone(),
        ConfigValue::Nested(entries) => {
            let parts: Vec<String> = entries.iter().map(|(k, v)| format!("{k} = {v}")).collect();
            parts.join("; ")
        }
    }
}

/// The keys that make a profile an SSO profile for botocore's SSO credential provider, plus `sso_session`.
const SSO_KEYS: [&str; 5] = [
    "sso_session",
    "sso_start_url",
    "sso_region",
    "sso_account_id",
    "sso_role_name",
];

/// Resolves a profile's SSO settings as botocore's SSO providers and `aws sso login` do.
///
/// A profile with `sso_session = NAME` takes `sso_start_url`, `sso_region` and `sso_registration_scopes` from
/// `[sso-session NAME]`; every key the session sets must not be set to another value in the profile (botocore
/// `_resolve_sso_session_reference` compares them all). A legacy profile has `sso_start_url` and `sso_region`
/// itself.
pub fn resolve_sso_profile(config: &ConfigFile, profile: &str) -> Result<SsoProfile, ConfigError> {
    let Some(properties) = config.profile(profile) else {
        let names = profile_names(config);
        return Err(ConfigError::UnknownProfile {
            profile: profile.to_owned(),
            available: names.iter().take(LISTED_NAMES).map(|n| (*n).to_owned()).collect(),
            total: names.len(),
        });
    };
    if SSO_KEYS.iter().all(|key| properties.value(key).is_none()) {
        return Err(ConfigError::NotSso {
            profile: profile.to_owned(),
            section: properties.header().to_owned(),
        });
    }
    let session_name = match properties.value("sso_session") {
        None => None,
        Some(ConfigValue::Nested(_)) => {
            return Err(ConfigError::NestedValue {
                key: "sso_session",
                section: properties.header().to_owned(),
            });
        }
        Some(ConfigValue::Text(name)) => Some(name.clone()),
    };

    let (source, configured_scopes) = match &session_name {
        Some(name) => {
            let Some(session) = config.sso_session(name) else {
                return Err(ConfigError::UnknownSession {
                    profile: profile.to_owned(),
                    session: name.clone(),
                    available: sso_sessions(config).iter().map(|n| (*n).to_owned()).collect(),
                });
            };
            for (key, session_value) in session.iter() {
                if let Some(profile_value) = properties.value(key)
                    && profile_value != session_value
                {
                    return Err(ConfigError::Conflict {
                        key: key.to_owned(),
                        profile_section: properties.header().to_owned(),
                        profile_value: value_text(profile_value),
                        session: name.clone(),
                        session_value: value_text(session_value),
                    });
                }
            }
            let scopes = match session.value("sso_registration_scopes") {
                None => None,
                Some(ConfigValue::Text(raw)) => Some(parse_registration_scopes(raw)),
                Some(ConfigValue::Nested(_)) => {
                    return Err(ConfigError::NestedValue {
                        key: "sso_registration_scopes",
                        section: session.header().to_owned(),
                    });
                }
            };
            (session, scopes)
        }
        None => (properties, None),
    };

    let start_url = match source.value("sso_start_url") {
        Some(ConfigValue::Text(url)) if !url.is_empty() => url.clone(),
        Some(ConfigValue::Nested(_)) => {
            return Err(ConfigError::NestedValue {
                key: "sso_start_url",
                section: source.header().to_owned(),
            });
        }
        _ => {
            return Err(ConfigError::MissingKey {
                key: "sso_start_url",
                section: source.header().to_owned(),
                example: "https://my-sso-portal.awsapps.com/start",
            });
        }
    };
    let sso_region = typed(source, "sso_region", Region::new)?.ok_or_else(|| ConfigError::MissingKey {
        key: "sso_region",
        section: source.header().to_owned(),
        example: "us-east-1",
    })?;
    let registration_scopes = match (&session_name, &configured_scopes) {
        (None, _) => Vec::new(),
        (Some(_), Some(scopes)) if !scopes.is_empty() => scopes.clone(),
        (Some(_), _) => vec![DEFAULT_REGISTRATION_SCOPE.to_owned()],
    };
    Ok(SsoProfile {
        profile_name: profile.to_owned(),
        session_name,
        start_url,
        sso_region,
        account_id: typed(properties, "sso_account_id", AccountId::new)?,
        role_name: typed(properties, "sso_role_name", RoleName::new)?,
        registration_scopes,
        configured_registration_scopes: configured_scopes,
        region: typed(properties, "region", Region::new)?,
    })
}
