//! Role chains: a profile with `role_arn` and `source_profile`, followed to an SSO profile at the root, resolved
//! into the SSO sign-in to start from and the `AssumeRole` hops to make, in order.
//!
//! Semantics are botocore's `AssumeRoleProvider` where the SDKs agree:
//! - a profile with `role_arn` is a hop; its `source_profile` is followed (any depth) until a profile without
//!   `role_arn`, which must be an SSO profile (legacy or `sso_session`); a profile visited twice is a cycle, and
//!   the error names it (`a -> b -> a`);
//! - each hop takes `role_session_name`, `duration_seconds`, `external_id` and `mfa_serial` from its own profile;
//! - every hop goes to the STS endpoint of the profile that was asked for, signed for its region, whatever the
//!   source profiles say: see [`ChainEnvironment`] for the order in which environment and config count;
//! - `credential_source`, `web_identity_token_file` and a root with static keys are not supported: clear errors.

use chrono::{DateTime, Utc};

use crate::config::{ConfigError, ConfigFile, ConfigValue, Properties, SsoProfile, resolve_sso_profile};
use crate::endpoint::{EndpointError, EndpointOptions};
use crate::ids::{Region, ValidationError};
use crate::ini::{LineKind, lex};
use crate::quote::Quoted;
use crate::sts::{
    AssumeRole, InvalidParameter, MIN_DURATION, ROLE_CHAINING_MAX_DURATION, RoleArn, StsEndpoint, StsEndpointSettings,
    StsRegionalEndpoints, validate_external_id, validate_mfa_serial, validate_role_session_name,
};

/// The prefix of the default role session name: `ssocreds-<unix time>`, so that CloudTrail shows which tool made
/// the session (botocore names its sessions `botocore-session-<unix time>`).
pub const DEFAULT_SESSION_NAME_PREFIX: &str = "ssocreds-";

/// The environment variables a chain depends on, read once by the host (`None`: unset). Empty values count as
/// unset.
///
/// Order of precedence, as botocore and the SDKs have it:
/// - region: `AWS_REGION`, then `AWS_DEFAULT_REGION`, then the asked-for profile's `region`; none at all: the
///   global endpoint, signed for us-east-1;
/// - `AWS_STS_REGIONAL_ENDPOINTS` over `sts_regional_endpoints`; `AWS_USE_FIPS_ENDPOINT` over
///   `use_fips_endpoint`; `AWS_USE_DUALSTACK_ENDPOINT` over `use_dualstack_endpoint`;
/// - endpoint URL: `AWS_ENDPOINT_URL_STS`, then `AWS_ENDPOINT_URL`, then the `sts` block's `endpoint_url` in the
///   profile's `[services NAME]` section, then the profile's `endpoint_url`; none of them when
///   `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS` (or `ignore_configured_endpoint_urls`) is `true`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChainEnvironment {
    /// `AWS_REGION`.
    pub aws_region: Option<String>,
    /// `AWS_DEFAULT_REGION`.
    pub aws_default_region: Option<String>,
    /// `AWS_STS_REGIONAL_ENDPOINTS`.
    pub sts_regional_endpoints: Option<String>,
    /// `AWS_USE_FIPS_ENDPOINT`.
    pub use_fips_endpoint: Option<String>,
    /// `AWS_USE_DUALSTACK_ENDPOINT`.
    pub use_dualstack_endpoint: Option<String>,
    /// `AWS_ENDPOINT_URL_STS`.
    pub endpoint_url_sts: Option<String>,
    /// `AWS_ENDPOINT_URL`.
    pub endpoint_url: Option<String>,
    /// `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS`.
    pub ignore_configured_endpoint_urls: Option<String>,
}

/// What else a chain depends on, besides the config file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainInputs<'a> {
    /// The environment.
    pub env: &'a ChainEnvironment,
    /// The profiles of `~/.aws/credentials` that hold `aws_access_key_id` (a chain cannot end there).
    pub static_key_profiles: &'a [String],
    /// Now, for the default session name.
    pub now: DateTime<Utc>,
}

/// One `AssumeRole` of a chain.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ChainHop {
    /// The profile that holds the `role_arn`.
    pub profile_name: String,
    /// The call's parameters.
    pub assume_role: AssumeRole,
    /// Whether `role_session_name` was set in the profile (the default changes with time and is left out of cache
    /// keys).
    pub session_name_configured: bool,
}

/// A resolved chain: sign in with `root`, get its role credentials, then assume each hop's role in order with the
/// previous credentials, at `sts`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleChain {
    /// The profile asked for.
    pub profile_name: String,
    /// The SSO profile at the root (its account and role give the first credentials).
    pub root: SsoProfile,
    /// The hops, from the root's side to the profile asked for (whose role is the last).
    pub hops: Vec<ChainHop>,
    /// Where every hop goes and what it is signed for.
    pub sts: StsEndpoint,
}

impl RoleChain {
    /// The profiles from the one asked for to the root: `prod -> admin -> sso`.
    pub fn path(&self) -> String {
        let mut names: Vec<&str> = self.hops.iter().rev().map(|h| h.profile_name.as_str()).collect();
        names.push(&self.root.profile_name);
        names.join(" -> ")
    }

    /// Whether any hop needs an MFA code (the host then needs a terminal or `--mfa-code`).
    pub fn needs_mfa(&self) -> bool {
        self.hops.iter().any(|h| h.assume_role.mfa_serial.is_some())
    }
}

/// A chain that cannot be resolved. Every kind is a config problem (exit 8) except where [`ChainError::code`]
/// says otherwise.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChainError {
    /// `source_profile` leads back to a profile already on the path.
    #[error(
        "the profiles form a cycle: {}; change one of these source_profile settings so that the chain ends in \
         an SSO profile",
        .cycle.join(" -> ")
    )]
    Cycle {
        /// The profiles in order, the first repeated at the end.
        cycle: Vec<String>,
    },
    /// `source_profile` names a profile that does not exist.
    #[error(
        "profile {} has source_profile = {}, but there is no such profile in the config file; add a \
         [profile {source_profile}] section with SSO settings (`aws configure sso --profile {source_profile}` \
         writes one)",
        Quoted(.profile),
        Quoted(.source_profile)
    )]
    MissingSource {
        /// The profile with the `source_profile`.
        profile: String,
        /// The name it gives.
        source_profile: String,
    },
    /// A `role_arn` without `source_profile`, `credential_source` or `web_identity_token_file`.
    #[error(
        "profile {} has role_arn but no source_profile: add `source_profile = NAME`, naming the SSO profile whose \
         credentials assume the role",
        Quoted(.profile)
    )]
    NoSource {
        /// The profile.
        profile: String,
    },
    /// `credential_source` or `web_identity_token_file`.
    #[error(
        "profile {} uses `{key}`, which ssocreds does not support: ssocreds assumes roles only from an SSO \
         profile named by source_profile; use the AWS CLI for this profile",
        Quoted(.profile)
    )]
    Unsupported {
        /// The profile.
        profile: String,
        /// `credential_source` or `web_identity_token_file`.
        key: &'static str,
    },
    /// The chain ends in a profile with static keys.
    #[error(
        "the chain {path} ends in profile {}, which holds static access keys (aws_access_key_id), not SSO \
         settings; ssocreds only starts chains from an SSO profile",
        Quoted(.profile)
    )]
    StaticKeys {
        /// The profile with static keys.
        profile: String,
        /// The chain up to it.
        path: String,
    },
    /// A value of a hop's profile is not valid.
    #[error("`{key}` in profile {} is not valid: {source}", Quoted(.profile))]
    InvalidValue {
        /// The profile.
        profile: String,
        /// The key.
        key: &'static str,
        /// Why.
        source: InvalidParameter,
    },
    /// `duration_seconds` is not a whole number from 900 to 3600.
    #[error(
        "duration_seconds = {} in profile {} is not allowed: a role assumed with role credentials (role \
         chaining, as every ssocreds chain is) lasts at most {max} seconds and at least {min}; set a value from \
         {min} to {max}",
        Quoted(.value),
        Quoted(.profile),
        min = MIN_DURATION,
        max = ROLE_CHAINING_MAX_DURATION
    )]
    InvalidDuration {
        /// The profile.
        profile: String,
        /// The value as written.
        value: String,
    },
    /// `sts_regional_endpoints` (or `AWS_STS_REGIONAL_ENDPOINTS`) is neither `regional` nor `legacy`.
    #[error("{from} is {}: expected `regional` or `legacy`", Quoted(.value))]
    InvalidRegionalEndpoints {
        /// Where it was set.
        from: String,
        /// The value.
        value: String,
    },
    /// The region to sign for is not a region name.
    #[error("the region from {from} is not usable: {source}")]
    InvalidRegion {
        /// Where it was set (`AWS_REGION`, `region in profile "x"`).
        from: String,
        /// Why.
        source: ValidationError,
    },
    /// The STS endpoint override is not usable.
    #[error("the STS endpoint from {from} is not usable: {source}")]
    Endpoint {
        /// Where it was set.
        from: String,
        /// Why.
        source: EndpointError,
    },
    /// The root profile's SSO settings are wrong or missing.
    #[error("{source}{}", chain_suffix(.path))]
    Root {
        /// The chain.
        path: String,
        /// Why (boxed to keep `Result`s small).
        source: Box<ConfigError>,
    },
}

/// ` (in the chain a -> b)`, for a root reached through `source_profile`; nothing for the profile asked for.
fn chain_suffix(path: &str) -> String {
    if path.contains(" -> ") {
        format!(" (in the chain {path})")
    } else {
        String::new()
    }
}

impl ChainError {
    /// A stable machine-readable code. Suggested exit codes: `ENDPOINT_*` as other endpoint errors (2), the
    /// root's `CONFIG_*` as other config errors (8), every other code 8.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Cycle { .. } => "CHAIN_CYCLE",
            Self::MissingSource { .. } => "CHAIN_SOURCE_MISSING",
            Self::NoSource { .. } => "CHAIN_NO_SOURCE",
            Self::Unsupported { .. } => "CHAIN_UNSUPPORTED_SOURCE",
            Self::StaticKeys { .. } => "CHAIN_STATIC_KEYS",
            Self::InvalidValue { .. } => "CHAIN_INVALID_VALUE",
            Self::InvalidDuration { .. } => "CHAIN_INVALID_DURATION",
            Self::InvalidRegionalEndpoints { .. } => "CHAIN_INVALID_STS_REGIONAL_ENDPOINTS",
            Self::InvalidRegion { .. } => "CHAIN_INVALID_REGION",
            Self::Endpoint { source, .. } => source.code(),
            Self::Root { source, .. } => source.code(),
        }
    }
}

/// Whether a profile is a role profile (has `role_arn`): resolve it with [`resolve_role_chain`] rather than
/// [`resolve_sso_profile`].
pub fn is_role_profile(config: &ConfigFile, profile: &str) -> bool {
    config.profile(profile).is_some_and(|p| p.value("role_arn").is_some())
}

/// The `endpoint_url` of the `sts =` block in the `[services NAME]` section a profile names with `services = NAME`.
fn services_sts_endpoint_url<'a>(config: &'a ConfigFile, properties: &Properties) -> Option<&'a str> {
    let services = config.services(text(properties, "services")?)?;
    match services.value("sts")? {
        ConfigValue::Nested(settings) => settings
            .iter()
            .rev()
            .find(|(key, _)| key.eq_ignore_ascii_case("endpoint_url"))
            .map(|(_, url)| url.trim())
            .filter(|url| !url.is_empty()),
        ConfigValue::Text(_) => None,
    }
}

/// The profiles of a shared credentials file (`~/.aws/credentials`) that hold `aws_access_key_id`: what
/// [`ChainInputs::static_key_profiles`] wants. Sections are named as written (`[name]`, no `profile` prefix).
pub fn static_key_profiles(credentials_text: &str) -> Vec<String> {
    let mut current: Option<&str> = None;
    let mut names: Vec<String> = Vec::new();
    for line in lex(credentials_text) {
        match line.kind {
            LineKind::Section { header } => current = Some(header.trim()),
            LineKind::Key { key, value } if key.eq_ignore_ascii_case("aws_access_key_id") && !value.is_empty() => {
                if let Some(name) = current
                    && !names.iter().any(|n| n == name)
                {
                    names.push(name.to_owned());
                }
            }
            _ => {}
        }
    }
    names
}

fn text<'a>(properties: &'a Properties, key: &str) -> Option<&'a str> {
    match properties.value(key)? {
        ConfigValue::Text(text) => Some(text.trim()).filter(|t| !t.is_empty()),
        ConfigValue::Nested(_) => None,
    }
}

fn env_text(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

/// botocore's `ensure_boolean`: `true` in any case is true, anything else false.
fn is_true(value: &str) -> bool {
    value.trim().eq_ignore_ascii_case("true")
}

/// Resolves the chain of `profile`: the SSO root, the hops and the STS endpoint.
///
/// A profile without `role_arn` gives a chain with no hops (its own SSO settings at the root), so a host may call
/// this for every profile.
pub fn resolve_role_chain(
    config: &ConfigFile,
    profile: &str,
    inputs: &ChainInputs<'_>,
) -> Result<RoleChain, ChainError> {
    let mut visited: Vec<String> = Vec::new();
    let mut hops: Vec<ChainHop> = Vec::new();
    let mut current = profile.to_owned();
    let root = loop {
        if visited.contains(&current) {
            let start = visited.iter().position(|p| p == &current).unwrap_or(0);
            let mut cycle: Vec<String> = visited[start..].to_vec();
            cycle.push(current);
            return Err(ChainError::Cycle { cycle });
        }
        let path_so_far = || {
            let mut names = visited.clone();
            names.push(current.clone());
            names.join(" -> ")
        };
        let Some(properties) = config.profile(&current) else {
            if inputs.static_key_profiles.contains(&current) {
                return Err(ChainError::StaticKeys {
                    profile: current.clone(),
                    path: path_so_far(),
                });
            }
            if let Some(parent) = visited.last() {
                return Err(ChainError::MissingSource {
                    profile: parent.clone(),
                    source_profile: current,
                });
            }
            // The profile asked for does not exist: the config module's error lists the ones that do.
            return Err(ChainError::Root {
                path: current.clone(),
                source: Box::new(resolve_sso_profile(config, &current).expect_err("the profile does not exist")),
            });
        };
        let Some(role_arn) = properties.value("role_arn") else {
            // The root. Static keys (here or in the credentials file) win over SSO settings in botocore's
            // provider chain, so a root with them is refused whatever else it has.
            let static_keys =
                inputs.static_key_profiles.contains(&current) || properties.value("aws_access_key_id").is_some();
            if static_keys && !visited.is_empty() {
                return Err(ChainError::StaticKeys {
                    profile: current.clone(),
                    path: path_so_far(),
                });
            }
            let path = path_so_far();
            let root = resolve_sso_profile(config, &current).map_err(|source| ChainError::Root {
                path: path.clone(),
                source: Box::new(source),
            })?;
            // A root reached through source_profile must name its account and role (botocore's SSO provider
            // needs both); the profile asked for may leave them to command-line flags.
            if !visited.is_empty() {
                let missing = if root.account_id.is_none() {
                    Some(("sso_account_id", "111122223333"))
                } else if root.role_name.is_none() {
                    Some(("sso_role_name", "AdministratorAccess"))
                } else {
                    None
                };
                if let Some((key, example)) = missing {
                    return Err(ChainError::Root {
                        path,
                        source: Box::new(ConfigError::MissingKey {
                            key,
                            section: properties.header().to_owned(),
                            example,
                        }),
                    });
                }
            }
            break root;
        };
        for key in ["credential_source", "web_identity_token_file"] {
            if properties.value(key).is_some() {
                return Err(ChainError::Unsupported {
                    profile: current.clone(),
                    key,
                });
            }
        }
        let role_arn = match role_arn {
            ConfigValue::Text(text) => text.trim(),
            ConfigValue::Nested(_) => "",
        };
        hops.push(hop(&current, properties, role_arn, inputs.now)?);
        let Some(source) = text(properties, "source_profile") else {
            return Err(ChainError::NoSource { profile: current });
        };
        let source = source.to_owned();
        visited.push(std::mem::replace(&mut current, source));
    };
    hops.reverse();
    let asked = config.profile(profile).expect("the profile asked for was found above");
    let sts = sts_endpoint(config, profile, asked, inputs)?;
    Ok(RoleChain {
        profile_name: profile.to_owned(),
        root,
        hops,
        sts,
    })
}

fn hop(profile: &str, properties: &Properties, role_arn: &str, now: DateTime<Utc>) -> Result<ChainHop, ChainError> {
    let invalid = |key, source| ChainError::InvalidValue {
        profile: profile.to_owned(),
        key,
        source,
    };
    let role_arn = RoleArn::new(role_arn).map_err(|e| invalid("role_arn", e))?;
    let configured_name = text(properties, "role_session_name");
    let role_session_name = match configured_name {
        Some(name) => {
            validate_role_session_name(name).map_err(|e| invalid("role_session_name", e))?;
            name.to_owned()
        }
        None => format!("{DEFAULT_SESSION_NAME_PREFIX}{}", now.timestamp()),
    };
    let duration_seconds = match text(properties, "duration_seconds") {
        None => None,
        Some(value) => match value.parse::<u32>() {
            Ok(seconds) if (MIN_DURATION..=ROLE_CHAINING_MAX_DURATION).contains(&seconds) => Some(seconds),
            _ => {
                return Err(ChainError::InvalidDuration {
                    profile: profile.to_owned(),
                    value: value.chars().take(40).collect(),
                });
            }
        },
    };
    let external_id = text(properties, "external_id")
        .map(|id| validate_external_id(id).map(|()| id.to_owned()))
        .transpose()
        .map_err(|e| invalid("external_id", e))?;
    let mfa_serial = text(properties, "mfa_serial")
        .map(|serial| validate_mfa_serial(serial).map(|()| serial.to_owned()))
        .transpose()
        .map_err(|e| invalid("mfa_serial", e))?;
    Ok(ChainHop {
        profile_name: profile.to_owned(),
        assume_role: AssumeRole {
            role_arn,
            role_session_name,
            duration_seconds,
            external_id,
            mfa_serial,
        },
        session_name_configured: configured_name.is_some(),
    })
}

/// The STS endpoint of the profile asked for (see [`ChainEnvironment`] for the order).
fn sts_endpoint(
    config: &ConfigFile,
    profile: &str,
    properties: &Properties,
    inputs: &ChainInputs<'_>,
) -> Result<StsEndpoint, ChainError> {
    let env = inputs.env;
    let in_profile = |key: &str| format!("`{key}` in profile {}", Quoted(profile));
    let region_source = env_text(&env.aws_region)
        .map(|r| (r, "AWS_REGION".to_owned()))
        .or_else(|| env_text(&env.aws_default_region).map(|r| (r, "AWS_DEFAULT_REGION".to_owned())))
        .or_else(|| text(properties, "region").map(|r| (r, in_profile("region"))));
    let region = region_source
        .map(|(value, from)| Region::new(value).map_err(|source| ChainError::InvalidRegion { from, source }))
        .transpose()?;

    let regional_endpoints = match env_text(&env.sts_regional_endpoints)
        .map(|v| (v, "AWS_STS_REGIONAL_ENDPOINTS".to_owned()))
        .or_else(|| text(properties, "sts_regional_endpoints").map(|v| (v, in_profile("sts_regional_endpoints"))))
    {
        None => StsRegionalEndpoints::default(),
        Some((value, from)) => {
            StsRegionalEndpoints::parse(value).ok_or_else(|| ChainError::InvalidRegionalEndpoints {
                from,
                value: value.chars().take(40).collect(),
            })?
        }
    };
    let flag = |env_value: &Option<String>, key: &str| {
        env_text(env_value)
            .or_else(|| text(properties, key))
            .is_some_and(is_true)
    };
    let options = EndpointOptions {
        use_fips: flag(&env.use_fips_endpoint, "use_fips_endpoint"),
        use_dual_stack: flag(&env.use_dualstack_endpoint, "use_dualstack_endpoint"),
    };

    let ignore_urls = flag(&env.ignore_configured_endpoint_urls, "ignore_configured_endpoint_urls");
    let endpoint_url = if ignore_urls {
        None
    } else {
        env_text(&env.endpoint_url_sts)
            .map(|u| (u, "AWS_ENDPOINT_URL_STS".to_owned()))
            .or_else(|| env_text(&env.endpoint_url).map(|u| (u, "AWS_ENDPOINT_URL".to_owned())))
            .or_else(|| {
                services_sts_endpoint_url(config, properties).map(|u| {
                    (
                        u,
                        format!(
                            "the `sts` endpoint_url of the services section of profile {}",
                            Quoted(profile)
                        ),
                    )
                })
            })
            .or_else(|| text(properties, "endpoint_url").map(|u| (u, in_profile("endpoint_url"))))
    };
    let settings = StsEndpointSettings {
        region,
        regional_endpoints,
        options,
        endpoint_url: endpoint_url.as_ref().map(|(u, _)| (*u).to_owned()),
    };
    StsEndpoint::resolve(&settings).map_err(|source| ChainError::Endpoint {
        from: endpoint_url.map_or_else(|| "the region".to_owned(), |(_, from)| from),
        source,
    })
}

/// The name of the `process` cache file for the assumed-role credentials of a chain: hex SHA-1 of everything that
/// decides which credentials come back, plus `.json`.
///
/// The key covers the root's sign-in (start URL, or session name for `sso_session` profiles), account and role;
/// then every hop's role ARN, session name (when configured: the default one changes every second), duration,
/// external id and MFA serial, in order; and the STS endpoint and signing region. Each part is length-prefixed,
/// so no two different chains give the same text.
pub fn chain_cache_file_name(chain: &RoleChain) -> String {
    let mut key = String::from("ssocreds-role-chain-v1\n");
    let mut part = |value: &str| {
        key.push_str(&value.len().to_string());
        key.push(':');
        key.push_str(value);
        key.push('\n');
    };
    part(chain.root.token_cache_key());
    part(&chain.root.start_url);
    part(chain.root.account_id.as_ref().map_or("", |a| a.as_str()));
    part(chain.root.role_name.as_ref().map_or("", |r| r.as_str()));
    part(&chain.hops.len().to_string());
    for hop in &chain.hops {
        let params = &hop.assume_role;
        part(params.role_arn.as_str());
        part(if hop.session_name_configured {
            &params.role_session_name
        } else {
            ""
        });
        part(&params.duration_seconds.map(|d| d.to_string()).unwrap_or_default());
        part(params.external_id.as_deref().map_or("-", |e| e));
        part(params.mfa_serial.as_deref().map_or("-", |s| s));
    }
    part(chain.sts.endpoint.as_str());
    part(chain.sts.signing_region.as_str());
    format!("{}.json", sha1_smol::Sha1::from(key.as_bytes()).digest())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::parse_config;
    use crate::time::parse_timestamp;
    // On wasm32 the same tests run under wasm-bindgen-test (as quinn-proto does).
    #[cfg(all(target_family = "wasm", target_os = "unknown"))]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    const CONFIG: &str = "\
[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = us-east-1

[profile sso-admin]
sso_session = corp
sso_account_id = 111122223333
sso_role_name = Admin
region = us-west-2

[profile legacy]
sso_start_url = https://legacy.awsapps.com/start
sso_region = eu-central-1
sso_account_id = 111122223333
sso_role_name = ReadOnly

[profile prod-deploy]
role_arn = arn:aws:iam::444455556666:role/Deploy
source_profile = sso-admin
region = eu-west-1

[profile prod-audit]
role_arn = arn:aws:iam::777788889999:role/Audit
source_profile = prod-deploy
role_session_name = alice
duration_seconds = 1800
external_id = ext-123
mfa_serial = arn:aws:iam::111122223333:mfa/alice

[profile from-legacy]
role_arn = arn:aws:iam::444455556666:role/Deploy
source_profile = legacy

[profile no-region]
role_arn = arn:aws:iam::444455556666:role/Deploy
source_profile = sso-admin
";

    fn now() -> DateTime<Utc> {
        parse_timestamp("2026-11-30T00:00:00Z").unwrap()
    }

    fn resolve_with(
        text: &str,
        profile: &str,
        env: &ChainEnvironment,
        statics: &[String],
    ) -> Result<RoleChain, ChainError> {
        let config = parse_config(text).unwrap();
        let inputs = ChainInputs {
            env,
            static_key_profiles: statics,
            now: now(),
        };
        resolve_role_chain(&config, profile, &inputs)
    }

    fn resolve(profile: &str) -> Result<RoleChain, ChainError> {
        resolve_with(CONFIG, profile, &ChainEnvironment::default(), &[])
    }

    #[test]
    fn one_hop_chain_with_defaults() {
        let chain = resolve("prod-deploy").unwrap();
        assert_eq!(chain.root.profile_name, "sso-admin");
        assert_eq!(chain.root.session_name.as_deref(), Some("corp"));
        assert_eq!(chain.hops.len(), 1);
        let hop = &chain.hops[0];
        assert_eq!(hop.profile_name, "prod-deploy");
        assert_eq!(
            hop.assume_role.role_arn.as_str(),
            "arn:aws:iam::444455556666:role/Deploy"
        );
        assert_eq!(hop.assume_role.role_arn.account_id().as_str(), "444455556666");
        assert_eq!(
            hop.assume_role.role_session_name,
            format!("ssocreds-{}", now().timestamp())
        );
        assert!(!hop.session_name_configured);
        assert_eq!(hop.assume_role.duration_seconds, None);
        assert_eq!(hop.assume_role.external_id, None);
        assert_eq!(hop.assume_role.mfa_serial, None);
        assert!(!chain.needs_mfa());
        assert_eq!(chain.path(), "prod-deploy -> sso-admin");
        // Signed for the region of the profile asked for, not the source's us-west-2.
        assert_eq!(chain.sts.endpoint.as_str(), "https://sts.eu-west-1.amazonaws.com");
        assert_eq!(chain.sts.signing_region.as_str(), "eu-west-1");
    }

    #[test]
    fn two_hop_chain_keeps_each_hops_own_settings() {
        let chain = resolve("prod-audit").unwrap();
        assert_eq!(chain.path(), "prod-audit -> prod-deploy -> sso-admin");
        let names: Vec<&str> = chain.hops.iter().map(|h| h.profile_name.as_str()).collect();
        assert_eq!(names, ["prod-deploy", "prod-audit"]);
        let first = &chain.hops[0].assume_role;
        assert_eq!(first.external_id, None);
        let last = &chain.hops[1];
        assert_eq!(last.assume_role.role_session_name, "alice");
        assert!(last.session_name_configured);
        assert_eq!(last.assume_role.duration_seconds, Some(1800));
        assert_eq!(last.assume_role.external_id.as_deref(), Some("ext-123"));
        assert_eq!(
            last.assume_role.mfa_serial.as_deref(),
            Some("arn:aws:iam::111122223333:mfa/alice")
        );
        assert!(chain.needs_mfa());
        // prod-audit has no region: every hop goes to the global endpoint, not prod-deploy's eu-west-1.
        assert_eq!(chain.sts.endpoint.as_str(), "https://sts.amazonaws.com");
        assert_eq!(chain.sts.signing_region.as_str(), "us-east-1");
    }

    #[test]
    fn a_legacy_sso_profile_can_be_the_root_and_a_plain_sso_profile_has_no_hops() {
        let chain = resolve("from-legacy").unwrap();
        assert_eq!(chain.root.profile_name, "legacy");
        assert_eq!(chain.root.session_name, None);
        let plain = resolve("sso-admin").unwrap();
        assert!(plain.hops.is_empty());
        let config = parse_config(CONFIG).unwrap();
        assert!(is_role_profile(&config, "prod-deploy"));
        assert!(!is_role_profile(&config, "sso-admin"));
        assert!(!is_role_profile(&config, "nope"));
    }

    #[test]
    fn region_rule_environment_first_then_the_asked_for_profile_then_global() {
        let env = ChainEnvironment {
            aws_default_region: Some("ap-southeast-2".into()),
            ..ChainEnvironment::default()
        };
        let chain = resolve_with(CONFIG, "no-region", &env, &[]).unwrap();
        assert_eq!(chain.sts.signing_region.as_str(), "ap-southeast-2");
        let env = ChainEnvironment {
            aws_region: Some("eu-north-1".into()),
            aws_default_region: Some("ap-southeast-2".into()),
            ..ChainEnvironment::default()
        };
        assert_eq!(
            resolve_with(CONFIG, "prod-deploy", &env, &[])
                .unwrap()
                .sts
                .endpoint
                .as_str(),
            "https://sts.eu-north-1.amazonaws.com"
        );
        // The source's region (us-west-2) never counts.
        let chain = resolve("no-region").unwrap();
        assert_eq!(chain.sts.endpoint.as_str(), "https://sts.amazonaws.com");
        assert_eq!(chain.sts.signing_region.as_str(), "us-east-1");
        let env = ChainEnvironment {
            aws_region: Some("Mars".into()),
            ..ChainEnvironment::default()
        };
        let err = resolve_with(CONFIG, "prod-deploy", &env, &[]).unwrap_err();
        assert_eq!(err.code(), "CHAIN_INVALID_REGION");
        assert!(err.to_string().contains("AWS_REGION"), "{err}");
    }

    #[test]
    fn endpoint_settings_and_overrides() {
        let with = |extra: &str| {
            format!(
                "{CONFIG}\n[profile x]\nrole_arn = arn:aws:iam::444455556666:role/Deploy\nsource_profile = sso-admin\nregion = eu-west-1\n{extra}\n"
            )
        };
        let url = |text: &str, env: &ChainEnvironment, services: Option<&str>| {
            // The profile x ends the text: a services section named by it goes after.
            let text = match services {
                Some(url) => format!("{text}services = svc\n[services svc]\nsts =\n  endpoint_url = {url}\n"),
                None => text.to_owned(),
            };
            let config = parse_config(&text).unwrap();
            let inputs = ChainInputs {
                env,
                static_key_profiles: &[],
                now: now(),
            };
            resolve_role_chain(&config, "x", &inputs).map(|c| c.sts.endpoint.as_str().to_owned())
        };
        let none = ChainEnvironment::default();
        assert_eq!(
            url(&with(""), &none, None).unwrap(),
            "https://sts.eu-west-1.amazonaws.com"
        );
        assert_eq!(
            url(&with("sts_regional_endpoints = legacy"), &none, None).unwrap(),
            "https://sts.amazonaws.com"
        );
        let legacy_env = ChainEnvironment {
            sts_regional_endpoints: Some("legacy".into()),
            ..none.clone()
        };
        assert_eq!(url(&with(""), &legacy_env, None).unwrap(), "https://sts.amazonaws.com");
        let regional_env = ChainEnvironment {
            sts_regional_endpoints: Some("regional".into()),
            ..none.clone()
        };
        assert_eq!(
            url(&with("sts_regional_endpoints = legacy"), &regional_env, None).unwrap(),
            "https://sts.eu-west-1.amazonaws.com",
            "the environment wins"
        );
        assert_eq!(
            url(&with("use_fips_endpoint = true"), &none, None).unwrap(),
            "https://sts-fips.eu-west-1.amazonaws.com"
        );
        assert_eq!(
            url(&with("use_dualstack_endpoint = TRUE"), &none, None).unwrap(),
            "https://sts.eu-west-1.api.aws"
        );
        let fips_env = ChainEnvironment {
            use_fips_endpoint: Some("true".into()),
            use_dualstack_endpoint: Some("true".into()),
            ..none.clone()
        };
        assert_eq!(
            url(&with(""), &fips_env, None).unwrap(),
            "https://sts-fips.eu-west-1.api.aws"
        );

        // Overrides, in order: AWS_ENDPOINT_URL_STS, AWS_ENDPOINT_URL, services, endpoint_url.
        let profile_url = with("endpoint_url = http://127.0.0.1:4001");
        assert_eq!(url(&profile_url, &none, None).unwrap(), "http://127.0.0.1:4001");
        assert_eq!(
            url(&profile_url, &none, Some("http://127.0.0.1:4002")).unwrap(),
            "http://127.0.0.1:4002"
        );
        let global_env = ChainEnvironment {
            endpoint_url: Some("http://127.0.0.1:4003".into()),
            ..none.clone()
        };
        assert_eq!(
            url(&profile_url, &global_env, Some("http://127.0.0.1:4002")).unwrap(),
            "http://127.0.0.1:4003"
        );
        let sts_env = ChainEnvironment {
            endpoint_url_sts: Some("http://127.0.0.1:4004".into()),
            ..global_env.clone()
        };
        assert_eq!(
            url(&profile_url, &sts_env, Some("http://127.0.0.1:4002")).unwrap(),
            "http://127.0.0.1:4004"
        );
        let ignore = with("endpoint_url = http://127.0.0.1:4001\nignore_configured_endpoint_urls = true");
        assert_eq!(
            url(&ignore, &sts_env, Some("http://127.0.0.1:4002")).unwrap(),
            "https://sts.eu-west-1.amazonaws.com"
        );
        let ignore_env = ChainEnvironment {
            ignore_configured_endpoint_urls: Some("true".into()),
            ..sts_env.clone()
        };
        assert_eq!(
            url(&profile_url, &ignore_env, None).unwrap(),
            "https://sts.eu-west-1.amazonaws.com"
        );

        let err = url(&with("endpoint_url = http://sts.example.test"), &none, None).unwrap_err();
        assert_eq!(err.code(), "ENDPOINT_INSECURE_HTTP");
        assert!(err.to_string().contains("endpoint_url"), "{err}");
        let err = url(&with("sts_regional_endpoints = global"), &none, None).unwrap_err();
        assert_eq!(err.code(), "CHAIN_INVALID_STS_REGIONAL_ENDPOINTS");
    }

    #[test]
    fn role_arn_wins_over_sso_settings_in_the_same_profile() {
        let text = format!(
            "{CONFIG}\n[profile both]\nrole_arn = arn:aws:iam::444455556666:role/Deploy\nsource_profile = legacy\n\
             sso_start_url = https://x.awsapps.com/start\nsso_region = us-east-1\n"
        );
        let chain = resolve_with(&text, "both", &ChainEnvironment::default(), &[]).unwrap();
        assert_eq!(chain.path(), "both -> legacy");
        assert_eq!(chain.hops.len(), 1);
    }

    #[test]
    fn cycles_are_named() {
        let text = "\
[profile a]
role_arn = arn:aws:iam::444455556666:role/A
source_profile = b
[profile b]
role_arn = arn:aws:iam::444455556666:role/B
source_profile = a
[profile c]
role_arn = arn:aws:iam::444455556666:role/C
source_profile = a
[profile self]
role_arn = arn:aws:iam::444455556666:role/S
source_profile = self
";
        let env = ChainEnvironment::default();
        let err = resolve_with(text, "a", &env, &[]).unwrap_err();
        assert_eq!(err.code(), "CHAIN_CYCLE");
        assert!(err.to_string().contains("a -> b -> a"), "{err}");
        let err = resolve_with(text, "c", &env, &[]).unwrap_err();
        assert!(
            err.to_string().contains("a -> b -> a") && !err.to_string().contains("c ->"),
            "{err}"
        );
        let err = resolve_with(text, "self", &env, &[]).unwrap_err();
        assert!(err.to_string().contains("self -> self"), "{err}");
    }

    #[test]
    fn missing_and_unsupported_sources() {
        let text = "\
[profile missing]
role_arn = arn:aws:iam::444455556666:role/A
source_profile = ghost
[profile nosource]
role_arn = arn:aws:iam::444455556666:role/A
[profile instance]
role_arn = arn:aws:iam::444455556666:role/A
credential_source = Ec2InstanceMetadata
[profile web]
role_arn = arn:aws:iam::444455556666:role/A
web_identity_token_file = /var/run/token
[profile static-root]
role_arn = arn:aws:iam::444455556666:role/A
source_profile = keys
[profile keys]
aws_access_key_id = AKIAEXAMPLE
aws_secret_access_key = x
[profile from-credentials-file]
role_arn = arn:aws:iam::444455556666:role/A
source_profile = only-in-credentials
[profile not-sso]
role_arn = arn:aws:iam::444455556666:role/A
source_profile = plain
[profile plain]
region = eu-west-1
[profile no-account]
role_arn = arn:aws:iam::444455556666:role/A
source_profile = login-only
[profile login-only]
sso_start_url = https://corp.awsapps.com/start
sso_region = us-east-1
";
        let env = ChainEnvironment::default();
        let statics = vec!["only-in-credentials".to_owned()];
        let check = |profile: &str, code: &str, words: &[&str]| {
            let err = resolve_with(text, profile, &env, &statics).unwrap_err();
            assert_eq!(err.code(), code, "{profile}: {err}");
            let message = err.to_string();
            for word in words {
                assert!(message.contains(word), "{profile}: {message}");
            }
        };
        check("missing", "CHAIN_SOURCE_MISSING", &["\"missing\"", "\"ghost\""]);
        check("nosource", "CHAIN_NO_SOURCE", &["source_profile"]);
        check("instance", "CHAIN_UNSUPPORTED_SOURCE", &["credential_source"]);
        check("web", "CHAIN_UNSUPPORTED_SOURCE", &["web_identity_token_file"]);
        check("static-root", "CHAIN_STATIC_KEYS", &["\"keys\"", "static-root -> keys"]);
        check("from-credentials-file", "CHAIN_STATIC_KEYS", &["only-in-credentials"]);
        check("not-sso", "CONFIG_PROFILE_NOT_SSO", &["\"plain\"", "not-sso -> plain"]);
        check("nobody", "CONFIG_UNKNOWN_PROFILE", &["nobody"]);
        let err = resolve_with(text, "nobody", &env, &statics).unwrap_err();
        assert!(!err.to_string().contains("chain"), "{err}");
        check(
            "no-account",
            "CONFIG_MISSING_KEY",
            &["sso_account_id", "[profile login-only]"],
        );
    }

    #[test]
    fn hop_values_are_validated_and_duration_is_capped_by_an_error() {
        let with = |extra: &str| format!("{CONFIG}\n[profile x]\nsource_profile = sso-admin\n{extra}\n");
        let env = ChainEnvironment::default();
        let err = |extra: &str| resolve_with(&with(extra), "x", &env, &[]).unwrap_err();
        let arn = "role_arn = arn:aws:iam::444455556666:role/Deploy";
        assert_eq!(err("role_arn = Deploy").code(), "CHAIN_INVALID_VALUE");
        assert!(err("role_arn = Deploy").to_string().contains("role_arn"));
        for bad in ["7200", "43200", "899", "1h", "-1"] {
            let e = err(&format!("{arn}\nduration_seconds = {bad}"));
            assert_eq!(e.code(), "CHAIN_INVALID_DURATION", "{bad}");
            assert!(e.to_string().contains("3600"), "{e}");
        }
        for ok in ["900", "3600"] {
            let chain = resolve_with(&with(&format!("{arn}\nduration_seconds = {ok}")), "x", &env, &[]).unwrap();
            assert_eq!(chain.hops[0].assume_role.duration_seconds, Some(ok.parse().unwrap()));
        }
        assert_eq!(
            err(&format!("{arn}\nrole_session_name = has space")).code(),
            "CHAIN_INVALID_VALUE"
        );
        assert_eq!(err(&format!("{arn}\nexternal_id = x")).code(), "CHAIN_INVALID_VALUE");
        assert_eq!(err(&format!("{arn}\nmfa_serial = abc")).code(), "CHAIN_INVALID_VALUE");
    }

    #[test]
    fn services_sections_and_credentials_files_are_read_for_what_a_chain_needs() {
        let sections = "\
[services other]
sts =
  endpoint_url = http://127.0.0.1:1
[services local]
s3 =
  endpoint_url = http://127.0.0.1:2
sts =
  Endpoint_URL = http://127.0.0.1:3
region = eu-west-1
[services plain]
sts = x
";
        let url_for = |services: &str| {
            let config = parse_config(&format!("[profile x]\nservices = {services}\n{sections}")).unwrap();
            let properties = config.profile("x").unwrap();
            services_sts_endpoint_url(&config, properties).map(str::to_owned)
        };
        assert_eq!(url_for("local").as_deref(), Some("http://127.0.0.1:3"));
        assert_eq!(url_for("other").as_deref(), Some("http://127.0.0.1:1"));
        assert_eq!(url_for("nope"), None);
        assert_eq!(url_for("plain"), None);

        let credentials = "\
[keys]
aws_access_key_id = AKIAEXAMPLE
aws_secret_access_key = x
[written-by-ssocreds]
aws_access_key_id = ASIAEXAMPLE
[empty]
aws_access_key_id =
[region-only]
region = eu-west-1
[keys]
aws_access_key_id = AKIAOTHER
";
        assert_eq!(static_key_profiles(credentials), ["keys", "written-by-ssocreds"]);
        assert!(static_key_profiles("").is_empty());
    }

    #[test]
    fn cache_key_changes_with_every_parameter() {
        let base = resolve("prod-audit").unwrap();
        let key = chain_cache_file_name(&base);
        assert!(key.ends_with(".json") && key.len() == 45, "{key}");
        assert_eq!(key, chain_cache_file_name(&resolve("prod-audit").unwrap()));
        let mut variants: Vec<(&str, RoleChain)> = Vec::new();
        let mut changed = |what, edit: &dyn Fn(&mut RoleChain)| {
            let mut chain = base.clone();
            edit(&mut chain);
            variants.push((what, chain));
        };
        changed("role arn", &|c| {
            c.hops[1].assume_role.role_arn = RoleArn::new("arn:aws:iam::777788889999:role/Other").unwrap();
        });
        changed("first hop's role arn", &|c| {
            c.hops[0].assume_role.role_arn = RoleArn::new("arn:aws:iam::444455556666:role/Other").unwrap();
        });
        changed("session name", &|c| {
            c.hops[1].assume_role.role_session_name = "bob".into()
        });
        changed("external id", &|c| {
            c.hops[1].assume_role.external_id = Some("ext-124".into())
        });
        changed("no external id", &|c| c.hops[1].assume_role.external_id = None);
        changed("duration", &|c| c.hops[1].assume_role.duration_seconds = Some(1801));
        changed("default duration", &|c| c.hops[1].assume_role.duration_seconds = None);
        changed("mfa serial", &|c| {
            c.hops[1].assume_role.mfa_serial = Some("arn:aws:iam::111122223333:mfa/bob".into());
        });
        changed("no mfa", &|c| c.hops[1].assume_role.mfa_serial = None);
        changed("one hop fewer", &|c| {
            c.hops.remove(0);
        });
        changed("root account", &|c| {
            c.root.account_id = Some(crate::ids::AccountId::new("999999999999").unwrap())
        });
        changed("root role", &|c| {
            c.root.role_name = Some(crate::ids::RoleName::new("ReadOnly").unwrap())
        });
        changed("root start url", &|c| {
            c.root.start_url = "https://other.awsapps.com/start".into()
        });
        changed("root session", &|c| c.root.session_name = Some("other".into()));
        changed("endpoint", &|c| {
            c.sts.endpoint = crate::endpoint::Endpoint::custom("http://127.0.0.1:1").unwrap()
        });
        changed("signing region", &|c| {
            c.sts.signing_region = Region::new("eu-west-1").unwrap()
        });
        let mut seen = std::collections::BTreeSet::from([key.clone()]);
        for (what, chain) in &variants {
            let other = chain_cache_file_name(chain);
            assert!(seen.insert(other), "{what} did not change the key");
        }
        // The default session name changes every second; it must not change the key.
        let mut later = resolve("prod-deploy").unwrap();
        let first = chain_cache_file_name(&later);
        later.hops[0].assume_role.role_session_name = "ssocreds-1".into();
        assert_eq!(first, chain_cache_file_name(&later));
    }
}
