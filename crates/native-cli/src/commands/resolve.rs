//! Resolution: flags, the environment snapshot, the config file's text (parsed) and `now` become what a command
//! will do — which profile, account, role and region; where the token comes from and whether to refresh it; which
//! endpoints and network settings. Pure: no file, clock, environment or network is touched here, so every rule is
//! unit-tested below. The I/O steps (`token_source`, `refresh`, `role_credentials`, `output`) only read the result.

use std::path::PathBuf;
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use sso_core::{
    AccountId, ChainInputs, ConfigFile, Endpoint, EndpointOptions, PortalEndpoint, Properties, Region, RetryPolicy,
    RoleChain, RoleName, SecretString, SsoProfile, is_role_profile, parse_config, resolve_role_chain,
    resolve_sso_profile, validate_mfa_code,
};

use crate::cli::{NetworkArgs, RefreshArgs, TargetArgs, TokenSource};
use crate::environment::Environment;
use crate::failure::{Exit, Failure, chain};
use crate::transport::TransportOptions;

/// The AWS config file as read, not yet parsed: its path and text (`None` when there is no file), or why it could
/// not be read. Parsed only when a profile may be used, so that a command naming account and role never fails over
/// the config file.
pub struct ConfigText(pub Result<(PathBuf, Option<String>), Failure>);

/// The AWS config file parsed: where it is, and its contents (`None` when there is no file).
pub struct ConfigInput {
    pub path: PathBuf,
    pub file: Option<ConfigFile>,
}

/// Something the resolution has to tell the user: a detail for `--verbose`, or a warning shown unless `--quiet`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Note {
    Detail(String),
    Warning(String),
}

/// Parses the config text. Lines the AWS CLI reads otherwise are warnings (so a user learns why the AWS CLI fails
/// where ssocreds works); the other config warnings are details for `--verbose`.
pub fn parse_config_text(text: ConfigText, notes: &mut Vec<Note>) -> Result<ConfigInput, Failure> {
    let (path, text) = text.0?;
    let Some(text) = text else {
        return Ok(ConfigInput { path, file: None });
    };
    let file =
        parse_config(&text).map_err(|e| Failure::new(Exit::Config, format!("{}: {}", path.display(), chain(&e))))?;
    notes.extend(file.warnings().iter().map(|warning| {
        let text = format!("{}:{}: {}", path.display(), warning.line, warning.message);
        if warning.is_aws_cli_difference() {
            Note::Warning(text)
        } else {
            Note::Detail(text)
        }
    }));
    Ok(ConfigInput { path, file: Some(file) })
}

/// The profile named by `--profile`, else by `AWS_PROFILE` when `env_allowed`.
pub fn profile_name(explicit: Option<&str>, env: &Environment, env_allowed: bool) -> Option<String> {
    explicit
        .map(str::to_owned)
        .or_else(|| env.aws_profile.clone().filter(|_| env_allowed))
        .filter(|name| !name.is_empty())
}

/// Whether a command must read the config file: a profile is named, or `[default]` may stand in for one.
pub fn config_needed(explicit: Option<&str>, env: &Environment, env_allowed: bool) -> bool {
    profile_name(explicit, env, env_allowed).is_some() || env_allowed
}

/// A named profile's SSO settings.
pub fn named_profile(name: &str, config: &ConfigInput) -> Result<SsoProfile, Failure> {
    let Some(file) = &config.file else {
        return Err(Failure::new(
            Exit::Config,
            format!(
                "profile {name:?} is not defined: there is no AWS config file at {} (set AWS_CONFIG_FILE, or create \
                 the profile with `aws configure sso`)",
                config.path.display()
            ),
        ));
    };
    resolve_sso_profile(file, name)
        .map_err(|e| Failure::new(Exit::Config, format!("{}: {}", config.path.display(), chain(&e))))
}

/// Whether a section has SSO settings: any `sso_` key (a `[default]` with only `region` or static keys has none).
fn has_sso_settings(properties: &Properties) -> bool {
    properties.iter().any(|(key, _)| key.starts_with("sso_"))
}

/// The profile to use, as the SDKs pick it: the one named (`--profile`, else `AWS_PROFILE` when `env_allowed`);
/// else, when `env_allowed`, `[default]` if it has SSO settings; else none (flags and a search of the cache).
pub fn choose_profile(
    explicit: Option<&str>,
    env: &Environment,
    env_allowed: bool,
    config: Option<&ConfigInput>,
) -> Result<Option<SsoProfile>, Failure> {
    let Some(config) = config else {
        return Ok(None);
    };
    if let Some(name) = profile_name(explicit, env, env_allowed) {
        return named_profile(&name, config).map(Some);
    }
    let default = config.file.as_ref().and_then(|file| file.profile("default"));
    match default {
        Some(properties) if env_allowed && has_sso_settings(properties) => named_profile("default", config).map(Some),
        _ => Ok(None),
    }
}

/// What a missing account or role means when no profile supplied it: how to name one, and why `[default]` did not.
fn no_profile_hint(config: Option<&ConfigInput>) -> String {
    let place = config.map_or_else(|| "~/.aws/config".to_owned(), |c| c.path.display().to_string());
    format!("there is no [default] profile with SSO settings in {place}")
}

/// What to fetch, with every default applied.
///
/// For a role profile (`role_arn` + `source_profile`), `profile`, `account_id` and `role_name` are the SSO root's:
/// the sign-in whose token is used and the role the portal gives credentials for; `chain` holds the `AssumeRole`
/// hops made with them afterwards (`commands::assume_role`).
pub struct Target {
    pub profile: Option<SsoProfile>,
    pub account_id: AccountId,
    pub role_name: RoleName,
    /// The region asked for: `--region`, else the profile's `sso_region`.
    pub requested_region: Option<Region>,
    /// The role chain, when the profile asked for is a role profile.
    pub chain: Option<RoleChain>,
    /// The `region` of the role profile asked for (not its source's), for a chain.
    chain_region: Option<Region>,
}

impl Target {
    /// The `region` of the profile asked for, for AWS_REGION in exports: the role profile's for a chain (never
    /// its source's), else the SSO profile's.
    pub fn profile_region(&self) -> Option<Region> {
        match &self.chain {
            Some(_) => self.chain_region.clone(),
            None => self.profile.as_ref().and_then(|p| p.region.clone()),
        }
    }

    /// The name of the profile asked for (the role profile for a chain), if any.
    pub fn profile_name(&self) -> Option<&str> {
        match &self.chain {
            Some(chain) => Some(&chain.profile_name),
            None => self.profile.as_ref().map(|p| p.profile_name.as_str()),
        }
    }

    /// The role the credentials are for, for messages: `ReadOnly in 111122223333`, or for a chain
    /// `arn:aws:iam::444455556666:role/Deploy (profile prod -> sso)`.
    pub fn describe(&self) -> String {
        match self.chain.as_ref().and_then(|c| c.hops.last().map(|hop| (c, hop))) {
            Some((chain, hop)) => format!("{} (profile {})", hop.assume_role.role_arn, chain.path()),
            None => format!("{} in {}", self.role_name, self.account_id),
        }
    }
}

/// The account, role and region flags, checked before any file is read.
pub struct TargetFlags {
    account_id: Option<AccountId>,
    role_name: Option<RoleName>,
    region: Option<Region>,
}

impl TargetFlags {
    /// Checks what the user typed.
    pub fn parse(args: &TargetArgs) -> Result<Self, Failure> {
        Ok(Self {
            account_id: args.account_id.as_deref().map(AccountId::new).transpose()?,
            role_name: args.role_name.as_deref().map(RoleName::new).transpose()?,
            region: args.region.as_deref().map(Region::new).transpose()?,
        })
    }

    /// A profile (named, or `[default]`) is consulted only when the flags do not name both account and role.
    pub fn profile_allowed(&self) -> bool {
        self.account_id.is_none() || self.role_name.is_none()
    }
}

/// The role profile to follow, if the profile that [`choose_profile`] would pick (the one named, else
/// `[default]`) has `role_arn`.
fn role_profile_name<'a>(
    explicit: Option<&str>,
    env: &Environment,
    env_allowed: bool,
    config: Option<&'a ConfigInput>,
) -> Option<(String, &'a ConfigFile)> {
    let file = config?.file.as_ref()?;
    let name = profile_name(explicit, env, env_allowed).or_else(|| env_allowed.then(|| "default".to_owned()))?;
    is_role_profile(file, &name).then_some((name, file))
}

/// What a chain depends on besides the config file and the environment.
pub struct ChainContext<'a> {
    /// Reads the profiles of `~/.aws/credentials` with static keys (a chain cannot start there): called only when a
    /// role profile is resolved, so that the commands that use no chain never read that file.
    pub static_key_profiles: &'a dyn Fn() -> Vec<String>,
    /// The command's `now`, for the default session name.
    pub now: DateTime<Utc>,
}

/// The target of a role profile: the chain resolved by the core, the portal call for its SSO root.
///
/// `--account-id` and `--role-name` are refused here: they would name the SSO role of the first hop, which the
/// chain's root profile already names, and silently starting the chain from another role would assume the roles
/// with credentials the trust policies were not written for.
fn resolve_chain_target(
    name: &str,
    file: &ConfigFile,
    flags: TargetFlags,
    env: &Environment,
    config: &ConfigInput,
    context: &ChainContext<'_>,
) -> Result<Target, Failure> {
    let properties = file.profile(name).expect("a role profile exists");
    if flags.account_id.is_some() || flags.role_name.is_some() {
        let source = properties.get("source_profile").map_or("", str::trim);
        return Err(Failure::new(
            Exit::Usage,
            format!(
                "--account-id and --role-name name an SSO role directly, but profile {name:?} is a role profile \
                 (role_arn, with its first credentials from profile {source:?}): leave both flags out to follow \
                 the chain, or name the SSO profile or the account and role without the role profile"
            ),
        ));
    }
    let in_file = |failure: Failure| match failure.exit {
        Exit::Config => Failure::new(failure.exit, format!("{}: {}", config.path.display(), failure.message)),
        _ => failure,
    };
    let static_key_profiles = (context.static_key_profiles)();
    let inputs = ChainInputs {
        env: &env.chain,
        static_key_profiles: &static_key_profiles,
        now: context.now,
    };
    let chain = resolve_role_chain(file, name, &inputs).map_err(|e| in_file(Failure::from(e)))?;
    let root = &chain.root;
    let (Some(account_id), Some(role_name)) = (root.account_id.clone(), root.role_name.clone()) else {
        // The core requires both of a root reached through source_profile.
        return Err(Failure::new(
            Exit::Config,
            format!(
                "profile {:?} names no sso_account_id or sso_role_name",
                root.profile_name
            ),
        ));
    };
    let chain_region = properties
        .get("region")
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .map(|r| {
            Region::new(r).map_err(|e| {
                Failure::new(
                    Exit::Config,
                    format!(
                        "{}: `region` in profile {name:?} is not usable: {e}",
                        config.path.display()
                    ),
                )
            })
        })
        .transpose()?;
    Ok(Target {
        profile: Some(root.clone()),
        account_id,
        role_name,
        requested_region: flags.region.or_else(|| Some(root.sso_region.clone())),
        chain: Some(chain),
        chain_region,
    })
}

/// Flags win over the profile; `AWS_PROFILE` and `[default]` are consulted only when the flags do not name both
/// account and role. `config` is `None` when [`config_needed`] said it was not. A role profile (named, or
/// `[default]`) becomes a chain on top of its SSO root.
pub fn resolve_target(
    args: &TargetArgs,
    flags: TargetFlags,
    env: &Environment,
    config: Option<&ConfigInput>,
    context: &ChainContext<'_>,
) -> Result<Target, Failure> {
    if let Some((name, file)) = role_profile_name(args.profile.as_deref(), env, flags.profile_allowed(), config) {
        let config = config.expect("a role profile comes from the config file");
        return resolve_chain_target(&name, file, flags, env, config, context);
    }
    let profile = choose_profile(args.profile.as_deref(), env, flags.profile_allowed(), config)?;
    let missing = |flag: &str, key: &str| {
        let how = match &profile {
            Some(p) => format!(
                "profile {:?} has no {key}; pass {flag}, or add `{key} = …` to it",
                p.profile_name
            ),
            None => format!(
                "pass {flag}, or name a profile with --profile NAME (or AWS_PROFILE); {}",
                no_profile_hint(config)
            ),
        };
        Failure::new(Exit::Usage, format!("which {}? {how}", &flag[2..].replace('-', " ")))
    };
    let Some(account_id) = flags
        .account_id
        .or_else(|| profile.as_ref().and_then(|p| p.account_id.clone()))
    else {
        return Err(missing("--account-id", "sso_account_id"));
    };
    let Some(role_name) = flags
        .role_name
        .or_else(|| profile.as_ref().and_then(|p| p.role_name.clone()))
    else {
        return Err(missing("--role-name", "sso_role_name"));
    };
    let requested_region = flags.region.or_else(|| profile.as_ref().map(|p| p.sso_region.clone()));
    Ok(Target {
        profile,
        account_id,
        role_name,
        requested_region,
        chain: None,
        chain_region: None,
    })
}

/// Where the token comes from and what to do with it.
#[derive(Debug, Clone)]
pub struct TokenPlan {
    /// `--cache FILE` (or `-`).
    pub cache: Option<String>,
    /// `--start-url`, for a search of the cache folder.
    pub start_url: Option<String>,
    /// Refresh when less than this is left; `None` with `--no-refresh`.
    pub refresh_within: Option<TimeDelta>,
    /// Warn when less than this is left.
    pub warn_within: TimeDelta,
}

impl TokenPlan {
    pub fn new(source: &TokenSource, refresh: &RefreshArgs) -> Self {
        Self {
            cache: source.cache.clone(),
            start_url: source.start_url.clone(),
            refresh_within: (!refresh.no_refresh).then(|| TimeDelta::minutes(refresh.refresh_minutes)),
            warn_within: TimeDelta::minutes(refresh.warn_minutes),
        }
    }

    /// As for listings: refresh as export does, but do not warn about a token that lasts longer than the listing.
    pub fn for_listing(source: &TokenSource) -> Self {
        Self {
            cache: source.cache.clone(),
            start_url: source.start_url.clone(),
            refresh_within: Some(TimeDelta::minutes(5)),
            warn_within: TimeDelta::zero(),
        }
    }
}

/// Endpoints and network settings.
pub struct NetworkPlan {
    /// The portal endpoint override and where it came from (`--endpoint-url`, `AWS_ENDPOINT_URL_SSO`, …).
    pub portal_override: Option<(&'static str, Endpoint)>,
    /// The OIDC endpoint override, or why it cannot be used. Kept as a result: it matters only when a token is
    /// refreshed, and a command that refreshes nothing must not fail over it.
    pub oidc_override: Result<Option<Endpoint>, String>,
    /// FIPS and dual-stack for the regional endpoints.
    pub endpoint_options: EndpointOptions,
    /// Timeouts, CA bundle and retries.
    pub transport: TransportOptions,
    /// Whether `--max-attempts` was given (listings retry longer by default).
    pub max_attempts_given: bool,
}

impl NetworkPlan {
    /// The portal endpoint for a region: the override if any, else the regional one.
    pub fn portal(&self) -> PortalEndpoint {
        PortalEndpoint {
            custom: self.portal_override.as_ref().map(|(_, endpoint)| endpoint.clone()),
            options: self.endpoint_options,
        }
    }

    /// The portal endpoint of a region, unless an override says otherwise.
    pub fn portal_for(&self, region: &Region) -> Endpoint {
        match &self.portal_override {
            Some((_, endpoint)) => endpoint.clone(),
            None => Endpoint::portal(region, self.endpoint_options),
        }
    }

    /// The OIDC endpoint of a region, unless an override says otherwise.
    pub fn oidc(&self, region: &Region) -> Result<Endpoint, Failure> {
        match &self.oidc_override {
            Ok(Some(endpoint)) => Ok(endpoint.clone()),
            Ok(None) => Ok(Endpoint::oidc(region, self.endpoint_options)),
            Err(message) => Err(Failure::new(Exit::Usage, message.clone())),
        }
    }

    /// The OIDC endpoint override, if any.
    pub fn oidc_override(&self) -> Result<Option<Endpoint>, Failure> {
        self.oidc_override
            .clone()
            .map_err(|message| Failure::new(Exit::Usage, message))
    }

    /// The transport settings with a different default number of attempts (when `--max-attempts` was not given).
    pub fn with_default_attempts(&self, attempts: u32) -> TransportOptions {
        let mut options = self.transport.clone();
        if !self.max_attempts_given {
            options.retry.max_attempts = attempts;
        }
        options
    }
}

/// The first endpoint override that is set: `flag` (`--endpoint-url`, for the portal), then the environment
/// variables in botocore's order, with where it came from.
fn endpoint_override(
    flag: Option<&str>,
    variables: &[(&'static str, Option<&String>)],
) -> Result<Option<(&'static str, Endpoint)>, String> {
    let chosen = flag
        .filter(|u| !u.is_empty())
        .map(|u| ("--endpoint-url", u))
        .or_else(|| {
            variables
                .iter()
                .find_map(|(name, value)| value.map(|v| (*name, v.as_str())))
        });
    chosen
        .map(|(origin, url)| match Endpoint::custom(url) {
            Ok(endpoint) => Ok((origin, endpoint)),
            Err(e) => Err(format!("{origin}: {e}")),
        })
        .transpose()
}

/// The OIDC endpoint override: `AWS_ENDPOINT_URL_SSO_OIDC`, else `AWS_ENDPOINT_URL`, or why it cannot be used.
pub fn oidc_override(env: &Environment) -> Result<Option<Endpoint>, String> {
    endpoint_override(
        None,
        &[
            ("AWS_ENDPOINT_URL_SSO_OIDC", env.endpoint_url_sso_oidc.as_ref()),
            ("AWS_ENDPOINT_URL", env.endpoint_url.as_ref()),
        ],
    )
    .map(|chosen| chosen.map(|(_, endpoint)| endpoint))
}

/// FIPS and dual-stack, from the environment.
pub fn endpoint_options(env: &Environment) -> EndpointOptions {
    EndpointOptions {
        use_fips: env.use_fips,
        use_dual_stack: env.use_dual_stack,
    }
}

/// Timeouts, CA bundle and attempts from the flags.
pub fn transport_options(args: &NetworkArgs) -> TransportOptions {
    TransportOptions {
        connect_timeout: Duration::from_secs(args.connect_timeout),
        timeout: Duration::from_secs(args.timeout),
        ca_bundle: args.ca_bundle.clone().filter(|p| !p.is_empty()),
        retry: RetryPolicy {
            max_attempts: args.max_attempts.unwrap_or(RetryPolicy::default().max_attempts),
            ..RetryPolicy::default()
        },
    }
}

/// Endpoints from `--endpoint-url` and the environment (as botocore: the service's variable, then
/// `AWS_ENDPOINT_URL`), and the transport settings from the flags.
pub fn resolve_network(args: &NetworkArgs, env: &Environment) -> Result<NetworkPlan, Failure> {
    let portal_override = endpoint_override(
        args.endpoint_url.as_deref(),
        &[
            ("AWS_ENDPOINT_URL_SSO", env.endpoint_url_sso.as_ref()),
            ("AWS_ENDPOINT_URL", env.endpoint_url.as_ref()),
        ],
    )
    .map_err(|message| Failure::new(Exit::Usage, message))?;
    let oidc_override = oidc_override(env);
    Ok(NetworkPlan {
        portal_override,
        oidc_override,
        endpoint_options: endpoint_options(env),
        transport: transport_options(args),
        max_attempts_given: args.max_attempts.is_some(),
    })
}

/// Everything a command that fetches role credentials needs, resolved.
pub struct CredentialsPlan {
    pub target: Target,
    pub token: TokenPlan,
    pub network: NetworkPlan,
    /// The command's one reading of the clock.
    pub now: DateTime<Utc>,
    /// What the resolution has to say: config warnings, which profile from which file, an odd account id, a flag
    /// that is not used.
    pub notes: Vec<Note>,
    /// `--mfa-code`, checked to be six digits.
    pub mfa_code: Option<SecretString>,
}

/// `export`, `process`, `write` and `exec`: flags (checked before anything about a file is reported), the
/// environment, the config text and `now` → the target, the token's source and refresh policy, the network.
///
/// `static_key_profiles` reads the profiles of `~/.aws/credentials` that hold static keys (a chain that ends in one
/// of them is refused with an error that says so); it is called only for a role profile.
pub fn resolve_credentials(
    args: &TargetArgs,
    env: &Environment,
    now: DateTime<Utc>,
    config: ConfigText,
    static_key_profiles: &dyn Fn() -> Vec<String>,
) -> Result<CredentialsPlan, Failure> {
    let flags = TargetFlags::parse(args)?;
    let mfa_code = args
        .mfa_code
        .as_deref()
        .map(|code| {
            validate_mfa_code(code.trim())
                .map(|()| SecretString::new(code.trim()))
                .map_err(|e| Failure::new(Exit::Usage, format!("--mfa-code: {e}")))
        })
        .transpose()?;
    let mut notes = Vec::new();
    let config = if config_needed(args.profile.as_deref(), env, flags.profile_allowed()) {
        Some(parse_config_text(config, &mut notes)?)
    } else {
        None
    };
    let context = ChainContext {
        static_key_profiles,
        now,
    };
    let target = resolve_target(args, flags, env, config.as_ref(), &context)?;
    if let (Some(profile), Some(config)) = (&target.profile, &config) {
        notes.push(Note::Detail(format!(
            "profile {} from {}",
            profile.profile_name,
            config.path.display()
        )));
    }
    if let Some(warning) = target.account_id.length_warning() {
        notes.push(Note::Warning(warning));
    }
    if let Some(chain) = &target.chain {
        notes.push(Note::Detail(format!(
            "role chain {}: {} AssumeRole call(s) at {} signed for {}",
            chain.path(),
            chain.hops.len(),
            chain.sts.endpoint,
            chain.sts.signing_region
        )));
    }
    if mfa_code.is_some() && !target.chain.as_ref().is_some_and(RoleChain::needs_mfa) {
        notes.push(Note::Warning(match &target.chain {
            Some(chain) => format!(
                "--mfa-code is not used: no profile of the chain {} has mfa_serial",
                chain.path()
            ),
            None => "--mfa-code is not used: it is for role profiles with mfa_serial".to_owned(),
        }));
    }
    Ok(CredentialsPlan {
        target,
        token: TokenPlan::new(&args.source, &args.refresh),
        network: resolve_network(&args.network, env)?,
        now,
        notes,
        mfa_code,
    })
}

/// `token`, `accounts`, `roles`: the sign-in whose token to use — `--profile`, else (when no `--cache` names the
/// token) `AWS_PROFILE`, else `[default]` with SSO settings, else none (a search of the cache).
pub fn resolve_sign_in(
    explicit: Option<&str>,
    cache_given: bool,
    env: &Environment,
    config: ConfigText,
    notes: &mut Vec<Note>,
) -> Result<Option<SsoProfile>, Failure> {
    let env_allowed = !cache_given;
    if !config_needed(explicit, env, env_allowed) {
        return Ok(None);
    }
    let config = parse_config_text(config, notes)?;
    let profile = choose_profile(explicit, env, env_allowed, Some(&config))?;
    if let Some(profile) = &profile {
        notes.push(Note::Detail(format!(
            "profile {} from {}",
            profile.profile_name,
            config.path.display()
        )));
    }
    Ok(profile)
}

/// How to sign in again, naming the profile when there is one.
pub fn sign_in_advice(profile: Option<&SsoProfile>) -> String {
    match profile {
        Some(p) => format!(
            "`ssocreds login --profile {name}` (or `aws sso login --profile {name}`)",
            name = p.profile_name
        ),
        None => sso_core::SIGN_IN_ADVICE.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    /// The plan's warnings (shown unless `--quiet`).
    fn warnings(plan: &CredentialsPlan) -> Vec<&str> {
        plan.notes
            .iter()
            .filter_map(|note| match note {
                Note::Warning(text) => Some(text.as_str()),
                Note::Detail(_) => None,
            })
            .collect()
    }

    const CONFIG: &str = "\
[default]
sso_session = corp
sso_account_id = 111122223333
sso_role_name = Admin
region = eu-west-2

[profile dev]
sso_session = corp
sso_account_id = 444455556666
sso_role_name = Dev

[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = us-east-1
";

    fn config(text: &str) -> ConfigText {
        ConfigText(Ok((PathBuf::from("/home/u/.aws/config"), Some(text.to_owned()))))
    }

    fn no_config() -> ConfigText {
        ConfigText(Ok((PathBuf::from("/nowhere/config"), None)))
    }

    fn now() -> DateTime<Utc> {
        sso_core::parse_timestamp("2030-01-01T00:00:00Z").unwrap()
    }

    fn target_args(args: &[&str]) -> TargetArgs {
        #[derive(Parser)]
        struct Wrapper {
            #[command(flatten)]
            target: TargetArgs,
        }
        let mut argv = vec!["ssocreds"];
        argv.extend(args);
        Wrapper::parse_from(argv).target
    }

    fn resolve(args: &[&str], env: &Environment, config: ConfigText) -> Result<Target, Failure> {
        resolve_credentials(&target_args(args), env, now(), config, &Vec::new).map(|plan| plan.target)
    }

    fn env_with_profile(name: &str) -> Environment {
        Environment {
            aws_profile: Some(name.to_owned()),
            ..Environment::default()
        }
    }

    #[test]
    fn with_no_profile_named_default_supplies_account_role_and_region() {
        let target = resolve(&[], &Environment::default(), config(CONFIG)).unwrap();
        assert_eq!(target.account_id.as_str(), "111122223333");
        assert_eq!(target.role_name.as_str(), "Admin");
        assert_eq!(target.requested_region.unwrap().as_str(), "us-east-1");
        assert_eq!(target.profile.as_ref().unwrap().profile_name, "default");
        assert_eq!(target.profile.unwrap().region.unwrap().as_str(), "eu-west-2");
    }

    #[test]
    fn a_named_profile_wins_over_default_and_the_flag_over_the_environment() {
        let target = resolve(&[], &env_with_profile("dev"), config(CONFIG)).unwrap();
        assert_eq!(target.role_name.as_str(), "Dev");
        let target = resolve(&["--profile", "default"], &env_with_profile("dev"), config(CONFIG)).unwrap();
        assert_eq!(target.role_name.as_str(), "Admin");
    }

    #[test]
    fn flags_naming_account_and_role_use_no_profile_unless_one_is_named() {
        let flags = ["--account-id", "999988887777", "--role-name", "Flag"];
        let target = resolve(&flags, &env_with_profile("dev"), config(CONFIG)).unwrap();
        assert!(target.profile.is_none());
        assert!(target.requested_region.is_none());
        let mut named = flags.to_vec();
        named.extend(["--profile", "dev"]);
        let target = resolve(&named, &Environment::default(), config(CONFIG)).unwrap();
        assert_eq!(target.profile.unwrap().profile_name, "dev");
        assert_eq!(target.role_name.as_str(), "Flag", "flags still win over the profile");
    }

    #[test]
    fn one_flag_and_default_fill_the_other() {
        let target = resolve(&["--role-name", "Other"], &Environment::default(), config(CONFIG)).unwrap();
        assert_eq!(target.account_id.as_str(), "111122223333");
        assert_eq!(target.role_name.as_str(), "Other");
    }

    #[test]
    fn a_default_without_sso_settings_is_not_used_and_the_error_says_so() {
        let plain = config("[default]\nregion = eu-west-1\n");
        let err = resolve(&["--role-name", "R"], &Environment::default(), plain)
            .err()
            .unwrap();
        assert_eq!(err.exit, Exit::Usage);
        assert_eq!(
            err.message,
            "which account id? pass --account-id, or name a profile with --profile NAME (or AWS_PROFILE); there is \
             no [default] profile with SSO settings in /home/u/.aws/config"
        );
        let err = resolve(&["--account-id", "111122223333"], &Environment::default(), no_config())
            .err()
            .unwrap();
        assert!(
            err.message.starts_with("which role name? pass --role-name"),
            "{}",
            err.message
        );
    }

    #[test]
    fn a_broken_default_with_sso_settings_is_a_config_error() {
        let broken = config("[default]\nsso_account_id = 111122223333\n");
        let err = resolve(&[], &Environment::default(), broken).err().unwrap();
        assert_eq!(err.exit, Exit::Config);
    }

    #[test]
    fn a_named_profile_that_does_not_exist_is_a_config_error() {
        let err = resolve(&[], &env_with_profile("dev"), no_config()).err().unwrap();
        assert_eq!(err.exit, Exit::Config);
        assert!(err.message.contains("no AWS config file at /nowhere/config"));
    }

    #[test]
    fn typed_values_are_checked_before_the_config() {
        let err = resolve(&["--account-id", "12x"], &Environment::default(), config(CONFIG))
            .err()
            .unwrap();
        assert_eq!(err.exit, Exit::Usage);
    }

    #[test]
    fn a_config_that_cannot_be_read_or_parsed_matters_only_when_a_profile_may_be_used() {
        let unreadable = || ConfigText(Err(Failure::new(Exit::Config, "cannot read the AWS config file")));
        let both = ["--account-id", "111122223333", "--role-name", "R"];
        assert!(resolve(&both, &env_with_profile("dev"), unreadable()).is_ok());
        assert!(resolve(&both, &Environment::default(), config("[broken")).is_ok());
        let err = resolve(&["--role-name", "R"], &Environment::default(), unreadable())
            .err()
            .unwrap();
        assert_eq!(err.exit, Exit::Config);
    }

    #[test]
    fn listings_use_default_unless_a_cache_file_is_given() {
        let mut notes = Vec::new();
        let profile = resolve_sign_in(None, false, &Environment::default(), config(CONFIG), &mut notes).unwrap();
        assert_eq!(profile.unwrap().profile_name, "default");
        assert_eq!(
            notes,
            [Note::Detail("profile default from /home/u/.aws/config".to_owned())]
        );
        let profile = resolve_sign_in(None, true, &env_with_profile("dev"), config(CONFIG), &mut notes).unwrap();
        assert!(
            profile.is_none(),
            "--cache names the token: neither AWS_PROFILE nor [default] is used"
        );
        let profile = resolve_sign_in(Some("dev"), true, &Environment::default(), config(CONFIG), &mut notes).unwrap();
        assert_eq!(profile.unwrap().profile_name, "dev");
        let profile = resolve_sign_in(None, false, &Environment::default(), no_config(), &mut notes).unwrap();
        assert!(profile.is_none());
    }

    #[test]
    fn the_config_is_read_only_when_a_profile_may_be_used() {
        let env = Environment::default();
        assert!(config_needed(None, &env, true));
        assert!(!config_needed(None, &env_with_profile("dev"), false));
        assert!(config_needed(Some("dev"), &env, false));
    }

    #[test]
    fn endpoint_overrides_follow_botocore_order() {
        let args = target_args(&[]);
        let env = Environment {
            endpoint_url: Some("http://127.0.0.1:1".into()),
            endpoint_url_sso_oidc: Some("http://127.0.0.1:2".into()),
            ..Environment::default()
        };
        let plan = resolve_network(&args.network, &env).unwrap();
        let (origin, portal) = plan.portal_override.as_ref().unwrap();
        assert_eq!(
            (*origin, portal.to_string().as_str()),
            ("AWS_ENDPOINT_URL", "http://127.0.0.1:1")
        );
        let region = Region::new("us-east-1").unwrap();
        assert_eq!(plan.oidc(&region).unwrap().to_string(), "http://127.0.0.1:2");

        let flagged = target_args(&["--endpoint-url", "http://127.0.0.1:3"]);
        let plan = resolve_network(&flagged.network, &env).unwrap();
        assert_eq!(plan.portal_override.unwrap().0, "--endpoint-url");

        let fips = Environment {
            use_fips: true,
            ..Environment::default()
        };
        let plan = resolve_network(&args.network, &fips).unwrap();
        assert!(plan.oidc(&region).unwrap().to_string().contains("oidc-fips.us-east-1"));
    }

    #[test]
    fn a_bad_oidc_override_fails_only_when_used() {
        let env = Environment {
            endpoint_url_sso_oidc: Some("http://evil.example".into()),
            ..Environment::default()
        };
        let plan = resolve_network(&target_args(&[]).network, &env).unwrap();
        let err = plan.oidc(&Region::new("us-east-1").unwrap()).err().unwrap();
        assert_eq!(err.exit, Exit::Usage);
        assert!(
            err.message.starts_with("AWS_ENDPOINT_URL_SSO_OIDC: "),
            "{}",
            err.message
        );
        let env = Environment {
            endpoint_url_sso: Some("http://evil.example".into()),
            ..Environment::default()
        };
        assert!(resolve_network(&target_args(&[]).network, &env).is_err());
    }

    #[test]
    fn listings_retry_longer_unless_told() {
        let plan = resolve_network(&target_args(&[]).network, &Environment::default()).unwrap();
        assert_eq!(plan.with_default_attempts(10).retry.max_attempts, 10);
        let plan = resolve_network(&target_args(&["--max-attempts", "2"]).network, &Environment::default()).unwrap();
        assert_eq!(plan.with_default_attempts(10).retry.max_attempts, 2);
    }

    const CHAIN: &str = "\
[profile sso-admin]
sso_session = corp
sso_account_id = 111122223333
sso_role_name = Admin
region = us-west-2

[profile prod]
role_arn = arn:aws:iam::444455556666:role/Deploy
source_profile = sso-admin
region = eu-west-1
services = local

[profile audit]
role_arn = arn:aws:iam::777788889999:role/Audit
source_profile = prod
mfa_serial = arn:aws:iam::111122223333:mfa/alice

[default]
role_arn = arn:aws:iam::444455556666:role/Default
source_profile = sso-admin

[profile loop]
role_arn = arn:aws:iam::444455556666:role/Loop
source_profile = loop

[services local]
sts =
  endpoint_url = http://127.0.0.1:4566

[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = us-east-1
";

    fn plan(args: &[&str], env: &Environment, text: &str, statics: &[String]) -> Result<CredentialsPlan, Failure> {
        resolve_credentials(&target_args(args), env, now(), config(text), &|| statics.to_vec())
    }

    #[test]
    fn a_role_profile_resolves_to_its_sso_root_and_its_hops() {
        let plan = plan(&["--profile", "audit"], &Environment::default(), CHAIN, &[]).unwrap();
        let target = &plan.target;
        // The portal call is the root's.
        assert_eq!(target.profile.as_ref().unwrap().profile_name, "sso-admin");
        assert_eq!(target.account_id.as_str(), "111122223333");
        assert_eq!(target.role_name.as_str(), "Admin");
        assert_eq!(target.requested_region.as_ref().unwrap().as_str(), "us-east-1");
        let chain = target.chain.as_ref().unwrap();
        assert_eq!(chain.path(), "audit -> prod -> sso-admin");
        let roles: Vec<&str> = chain.hops.iter().map(|h| h.assume_role.role_arn.as_str()).collect();
        assert_eq!(
            roles,
            [
                "arn:aws:iam::444455556666:role/Deploy",
                "arn:aws:iam::777788889999:role/Audit"
            ]
        );
        assert_eq!(chain.hops[0].assume_role.role_session_name, "ssocreds-1893456000");
        // audit has no region: no AWS_REGION for exports (not prod's, not sso-admin's), the global STS endpoint.
        assert_eq!(target.profile_region(), None);
        assert_eq!(chain.sts.endpoint.as_str(), "https://sts.amazonaws.com");
        assert_eq!(target.profile_name(), Some("audit"));
        assert_eq!(
            target.describe(),
            "arn:aws:iam::777788889999:role/Audit (profile audit -> prod -> sso-admin)"
        );
        assert!(
            plan.notes
                .iter()
                .any(|n| matches!(n, Note::Detail(text) if text.starts_with("role chain audit -> prod -> sso-admin: 2 AssumeRole")))
        );
    }

    #[test]
    fn the_asked_for_profile_gives_region_and_sts_endpoint_and_its_services_section_counts() {
        let plan = plan(&["--profile", "prod"], &Environment::default(), CHAIN, &[]).unwrap();
        let target = &plan.target;
        assert_eq!(target.profile_region().unwrap().as_str(), "eu-west-1");
        let chain = target.chain.as_ref().unwrap();
        assert_eq!(
            chain.sts.endpoint.as_str(),
            "http://127.0.0.1:4566",
            "from [services local]"
        );
        assert_eq!(chain.sts.signing_region.as_str(), "eu-west-1");
        let env = Environment {
            chain: sso_core::ChainEnvironment {
                endpoint_url_sts: Some("http://127.0.0.1:9".into()),
                aws_region: Some("ap-southeast-2".into()),
                ..sso_core::ChainEnvironment::default()
            },
            ..Environment::default()
        };
        let plan = super::tests::plan(&["--profile", "prod"], &env, CHAIN, &[]).unwrap();
        let chain = plan.target.chain.as_ref().unwrap();
        assert_eq!(chain.sts.endpoint.as_str(), "http://127.0.0.1:9");
        assert_eq!(chain.sts.signing_region.as_str(), "ap-southeast-2");
        // AWS_REGION decides where STS is called, not what is exported: that stays the profile's.
        assert_eq!(plan.target.profile_region().unwrap().as_str(), "eu-west-1");
    }

    #[test]
    fn aws_profile_and_a_role_default_are_followed_too() {
        let env = env_with_profile("prod");
        let target = plan(&[], &env, CHAIN, &[]).unwrap().target;
        assert_eq!(target.chain.unwrap().profile_name, "prod");
        let target = plan(&[], &Environment::default(), CHAIN, &[]).unwrap().target;
        assert_eq!(
            target.chain.unwrap().hops[0].assume_role.role_arn.as_str(),
            "arn:aws:iam::444455556666:role/Default"
        );
        // A plain SSO profile stays a plain target.
        let target = plan(&["--profile", "sso-admin"], &Environment::default(), CHAIN, &[])
            .unwrap()
            .target;
        assert!(target.chain.is_none());
        assert_eq!(target.profile_region().unwrap().as_str(), "us-west-2");
        // Account and role flags without a profile never consult AWS_PROFILE, so no chain either.
        let both = ["--account-id", "999988887777", "--role-name", "R"];
        assert!(plan(&both, &env, CHAIN, &[]).unwrap().target.chain.is_none());
    }

    #[test]
    fn account_or_role_flags_with_a_role_profile_are_a_usage_error() {
        for flags in [
            &["--profile", "prod", "--account-id", "999988887777"][..],
            &["--profile", "prod", "--role-name", "Other"],
            &["--role-name", "Other"],
        ] {
            let err = plan(flags, &Environment::default(), CHAIN, &[]).err().unwrap();
            assert_eq!(err.exit, Exit::Usage, "{flags:?}");
            assert!(err.message.contains("role profile"), "{}", err.message);
        }
        // --region is the portal's region, and applies to the root's call.
        let plan = plan(
            &["--profile", "prod", "--region", "eu-central-1"],
            &Environment::default(),
            CHAIN,
            &[],
        );
        assert_eq!(plan.unwrap().target.requested_region.unwrap().as_str(), "eu-central-1");
    }

    #[test]
    fn chain_errors_are_config_errors_naming_the_file() {
        let err = plan(&["--profile", "loop"], &Environment::default(), CHAIN, &[])
            .err()
            .unwrap();
        assert_eq!(err.exit, Exit::Config);
        assert!(
            err.message
                .starts_with("/home/u/.aws/config: the profiles form a cycle: loop -> loop"),
            "{}",
            err.message
        );
        let text = format!(
            "{CHAIN}\n[profile ghostly]\nrole_arn = arn:aws:iam::444455556666:role/G\nsource_profile = ghost\n"
        );
        let err = plan(&["--profile", "ghostly"], &Environment::default(), &text, &[])
            .err()
            .unwrap();
        assert_eq!(err.exit, Exit::Config);
        assert!(err.message.contains("\"ghost\""), "{}", err.message);
        let statics = vec!["ghost".to_owned()];
        let err = plan(&["--profile", "ghostly"], &Environment::default(), &text, &statics)
            .err()
            .unwrap();
        assert!(err.message.contains("static access keys"), "{}", err.message);
        let bad_url = Environment {
            chain: sso_core::ChainEnvironment {
                endpoint_url_sts: Some("http://sts.example.test".into()),
                ..sso_core::ChainEnvironment::default()
            },
            ..Environment::default()
        };
        let err = plan(&["--profile", "audit"], &bad_url, CHAIN, &[]).err().unwrap();
        assert_eq!(err.exit, Exit::Usage);
        assert!(
            err.message.starts_with("the STS endpoint from AWS_ENDPOINT_URL_STS"),
            "{}",
            err.message
        );
    }

    #[test]
    fn the_mfa_code_flag_is_checked_and_unused_codes_are_warned_about() {
        let plan_with = |args: &[&str]| plan(args, &Environment::default(), CHAIN, &[]);
        let err = plan_with(&["--profile", "audit", "--mfa-code", "12345"]).err().unwrap();
        assert_eq!(err.exit, Exit::Usage);
        assert!(err.message.starts_with("--mfa-code: "), "{}", err.message);
        assert!(!err.message.contains("12345"), "the code is not echoed");
        let plan = plan_with(&["--profile", "audit", "--mfa-code", "123456"]).unwrap();
        assert_eq!(plan.mfa_code.as_ref().unwrap().expose(), "123456");
        assert!(warnings(&plan).is_empty());
        let plan = plan_with(&["--profile", "prod", "--mfa-code", "123456"]).unwrap();
        assert_eq!(
            warnings(&plan),
            ["--mfa-code is not used: no profile of the chain prod -> sso-admin has mfa_serial"]
        );
    }
}
