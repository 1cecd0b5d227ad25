//! One module per subcommand, and the steps they share: which profile, account and role; which token (refreshed
//! when it is about to expire); which endpoint; the GetRoleCredentials call.

pub mod discover;
pub mod exec;
pub mod export;
pub mod login;
pub mod logout;
pub mod populate;
pub mod process;
pub mod token;
pub mod write;

use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use sso_core::{
    AccountId, CallContext, ConfigFile, Endpoint, EndpointOptions, GrantType, RefreshUnavailable, Region, RegionChoice,
    RetryPolicy, RoleCredentials, RoleName, SsoProfile, apply_token_response, format_duration,
    get_role_credentials_request, needs_refresh, parse_config, parse_create_token_response,
    parse_get_role_credentials_response, refresh_token_request, resolve_region, resolve_sso_profile,
};

use crate::cli::{NetworkArgs, RefreshArgs, TargetArgs, TokenSource};
use crate::failure::{Exit, Failure};
use crate::files;
use crate::log::Log;
use crate::token_files::{self, LoadedToken};
use crate::transport::{Transport, TransportOptions};

/// Config files are small; this only guards against pointing AWS_CONFIG_FILE at something huge.
pub(super) const MAX_CONFIG_BYTES: u64 = 16 * 1024 * 1024;

/// `AWS_CONFIG_FILE`, else `~/.aws/config`.
pub fn config_path() -> Result<PathBuf, Failure> {
    files::env_path("AWS_CONFIG_FILE", ".aws/config")
}

/// Reads and parses the AWS config file; a missing file is `None`.
pub fn load_config(log: &Log) -> Result<Option<(PathBuf, ConfigFile)>, Failure> {
    let path = config_path()?;
    let Some(text) = files::read_text(&path, MAX_CONFIG_BYTES, "the AWS config file", Exit::Config)? else {
        return Ok(None);
    };
    let config = parse_config(&text).map_err(|e| {
        Failure::new(
            Exit::Config,
            format!("{}: {}", path.display(), crate::failure::chain(&e)),
        )
    })?;
    for warning in config.warnings() {
        log.verbose(&format!("{}:{}: {}", path.display(), warning.line, warning.message));
    }
    Ok(Some((path, config)))
}

/// Resolves a profile's SSO settings.
pub fn load_profile(name: &str, log: &Log) -> Result<SsoProfile, Failure> {
    let Some((path, config)) = load_config(log)? else {
        return Err(Failure::new(
            Exit::Config,
            format!(
                "profile {name:?} is not defined: there is no AWS config file at {} (set AWS_CONFIG_FILE, or create \
                 the profile with `aws configure sso`)",
                config_path()?.display()
            ),
        ));
    };
    let profile = resolve_sso_profile(&config, name).map_err(|e| {
        Failure::new(
            Exit::Config,
            format!("{}: {}", path.display(), crate::failure::chain(&e)),
        )
    })?;
    log.verbose(&format!("profile {name} from {}", path.display()));
    Ok(profile)
}

/// The profile to use: `--profile`, else `AWS_PROFILE` when `env_allowed`.
pub fn profile_name(explicit: Option<&str>, env_allowed: bool) -> Option<String> {
    explicit
        .map(str::to_owned)
        .or_else(|| env_allowed.then(|| std::env::var("AWS_PROFILE").ok()).flatten())
        .filter(|name| !name.is_empty())
}

/// The profile named by `--profile` (else by `AWS_PROFILE` when `env_allowed`), resolved; `None` when none is named.
pub fn optional_profile(explicit: Option<&str>, env_allowed: bool, log: &Log) -> Result<Option<SsoProfile>, Failure> {
    profile_name(explicit, env_allowed)
        .map(|name| load_profile(&name, log))
        .transpose()
}

/// What to fetch, with every default applied.
pub struct Target {
    pub profile: Option<SsoProfile>,
    pub account_id: AccountId,
    pub role_name: RoleName,
    /// The region asked for: `--region`, else the profile's `sso_region`.
    pub requested_region: Option<Region>,
}

impl Target {
    /// The profile's `region`, for AWS_REGION in exports.
    pub fn profile_region(&self) -> Option<Region> {
        self.profile.as_ref().and_then(|p| p.region.clone())
    }
}

/// Flags win over the profile; `AWS_PROFILE` is consulted only when the flags do not name both account and role.
pub fn resolve_target(args: &TargetArgs, log: &Log) -> Result<Target, Failure> {
    // Check what the user typed before reading any file.
    let account_flag = args.account_id.as_deref().map(AccountId::new).transpose()?;
    let role_flag = args.role_name.as_deref().map(RoleName::new).transpose()?;
    let region_flag = args.region.as_deref().map(Region::new).transpose()?;
    let env_allowed = account_flag.is_none() || role_flag.is_none();
    let profile = optional_profile(args.profile.as_deref(), env_allowed, log)?;
    let missing = |flag: &str, key: &str| {
        let how = match &profile {
            Some(p) => format!(
                "profile {:?} has no {key}; pass {flag}, or add `{key} = …` to it",
                p.profile_name
            ),
            None => format!("pass {flag}, or --profile NAME for a profile of ~/.aws/config"),
        };
        Failure::new(Exit::Usage, format!("which {}? {how}", &flag[2..].replace('-', " ")))
    };
    let account_id = match account_flag.or_else(|| profile.as_ref().and_then(|p| p.account_id.clone())) {
        Some(id) => id,
        None => return Err(missing("--account-id", "sso_account_id")),
    };
    let role_name = match role_flag.or_else(|| profile.as_ref().and_then(|p| p.role_name.clone())) {
        Some(role) => role,
        None => return Err(missing("--role-name", "sso_role_name")),
    };
    let requested_region = region_flag.or_else(|| profile.as_ref().map(|p| p.sso_region.clone()));
    Ok(Target {
        profile,
        account_id,
        role_name,
        requested_region,
    })
}

/// Finds and reads the token, as it is: `--cache`, else the profile's cache file, else a search of the cache folder.
pub fn locate_token(source: &TokenSource, profile: Option<&SsoProfile>, log: &Log) -> Result<LoadedToken, Failure> {
    let now = Utc::now();
    let loaded = match (&source.cache, profile) {
        (Some(path), _) => token_files::load_explicit(path)?,
        (None, Some(profile)) => {
            let path = token_files::cache_dir()?.join(profile.cache_file_name());
            if !path.exists() {
                return Err(Failure::new(
                    Exit::Cache,
                    format!(
                        "no SSO token for profile {:?} (expected {}); sign in with {}",
                        profile.profile_name,
                        path.display(),
                        sign_in_advice(Some(profile))
                    ),
                ));
            }
            token_files::load_file(&path)?
        }
        (None, None) => {
            let dir = token_files::cache_dir()?;
            let scan = token_files::scan(&dir)?;
            for (path, why) in &scan.skipped {
                log.verbose(&format!("skipped {}: {why}", path.display()));
            }
            token_files::choose(scan, source.start_url.as_deref(), now)?
        }
    };
    log.verbose(&format!("using token file {}", loaded.origin));
    Ok(loaded)
}

/// Finds the token: `--cache`, else the profile's cache file, else a search of the cache folder. Refreshes it when
/// it is about to expire and can be refreshed, then checks that it has not expired.
pub fn obtain_token(
    source: &TokenSource,
    profile: Option<&SsoProfile>,
    refresh: &RefreshArgs,
    network: &NetworkArgs,
    log: &Log,
) -> Result<LoadedToken, Failure> {
    let loaded = locate_token(source, profile, log)?;
    let loaded = if refresh.no_refresh {
        loaded
    } else {
        maybe_refresh(loaded, profile, refresh, network, log)?
    };
    match loaded.token.check(Utc::now(), TimeDelta::minutes(refresh.warn_minutes)) {
        Ok(status) => {
            if let Some(warning) = status.warning(&sign_in_advice(profile)) {
                log.warn(&warning);
            }
        }
        Err(expired) => {
            let mut message = format!(
                "the SSO token expired at {} ({} ago)",
                sso_core::format_timestamp(expired.expired_at),
                format_duration(expired.ago)
            );
            // Say why no refresh happened when the file looked refreshable (a plain legacy token never is).
            if loaded.token.refresh_token.is_some() && !refresh.no_refresh {
                let why = match refresh_token_request(&oidc_endpoint(&loaded, profile)?, &loaded.token, Utc::now()) {
                    Err(RefreshUnavailable::RegistrationExpired { expired_at: Some(at) }) => {
                        format!("its client registration expired at {}", sso_core::format_timestamp(at))
                    }
                    Err(RefreshUnavailable::RegistrationExpired { expired_at: None }) => {
                        "the file does not say until when its client registration is valid".to_owned()
                    }
                    Err(RefreshUnavailable::NoClientRegistration) => "the file has no client registration".to_owned(),
                    Err(RefreshUnavailable::NoRefreshToken) | Ok(_) => String::new(),
                };
                if !why.is_empty() {
                    message.push_str(&format!(" and cannot be refreshed: {why}"));
                }
            }
            message.push_str(&format!("; sign in again with {}", sign_in_advice(profile)));
            if let Some(url) = &loaded.token.start_url {
                message.push_str(&format!("; start URL {url}"));
            }
            return Err(Failure::new(Exit::SignIn, message));
        }
    }
    Ok(loaded)
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

/// The OIDC endpoint set by `AWS_ENDPOINT_URL_SSO_OIDC`, else `AWS_ENDPOINT_URL`, if any.
/// The first endpoint override that is set and not empty: `--endpoint-url` (for the portal), then the environment
/// variables in botocore's order, with where it came from.
fn endpoint_override(
    flag: Option<&str>,
    variables: &[&'static str],
) -> Result<Option<(&'static str, Endpoint)>, Failure> {
    let chosen = flag
        .filter(|u| !u.is_empty())
        .map(|u| ("--endpoint-url", u.to_owned()))
        .or_else(|| {
            variables
                .iter()
                .find_map(|name| std::env::var(name).ok().filter(|u| !u.is_empty()).map(|u| (*name, u)))
        });
    chosen
        .map(|(origin, url)| match Endpoint::custom(&url) {
            Ok(endpoint) => Ok((origin, endpoint)),
            Err(e) => Err(Failure::new(Exit::Usage, format!("{origin}: {e}"))),
        })
        .transpose()
}

const OIDC_ENDPOINT_VARIABLES: &[&str] = &["AWS_ENDPOINT_URL_SSO_OIDC", "AWS_ENDPOINT_URL"];
const PORTAL_ENDPOINT_VARIABLES: &[&str] = &["AWS_ENDPOINT_URL_SSO", "AWS_ENDPOINT_URL"];

/// The OIDC endpoint of a region, unless `AWS_ENDPOINT_URL_SSO_OIDC` or `AWS_ENDPOINT_URL` says otherwise.
pub fn oidc_endpoint_for(region: &Region) -> Result<Endpoint, Failure> {
    Ok(match endpoint_override(None, OIDC_ENDPOINT_VARIABLES)? {
        Some((_, endpoint)) => endpoint,
        None => Endpoint::oidc(region, endpoint_options()),
    })
}

/// The OIDC endpoint: `AWS_ENDPOINT_URL_SSO_OIDC`, else `AWS_ENDPOINT_URL`, else the token's (or profile's) region.
fn oidc_endpoint(loaded: &LoadedToken, profile: Option<&SsoProfile>) -> Result<Endpoint, Failure> {
    if let Some((_, endpoint)) = endpoint_override(None, OIDC_ENDPOINT_VARIABLES)? {
        return Ok(endpoint);
    }
    let region = match (&loaded.token.region, profile) {
        (Some(text), _) => Region::new(text).map_err(|e| {
            Failure::new(
                Exit::Cache,
                format!("the token cache file {} has an unusable region: {e}", loaded.origin),
            )
        })?,
        (None, Some(profile)) => profile.sso_region.clone(),
        (None, None) => {
            return Err(Failure::new(
                Exit::Cache,
                format!(
                    "the token cache file {} has no region to refresh the token in",
                    loaded.origin
                ),
            ));
        }
    };
    Ok(Endpoint::oidc(&region, endpoint_options()))
}

/// Refreshes a token that is about to expire, under a lock so that concurrent ssocreds processes refresh once: the
/// first refreshes and writes the file; the others, once they get the lock, read the fresh file and use it.
fn maybe_refresh(
    loaded: LoadedToken,
    profile: Option<&SsoProfile>,
    refresh: &RefreshArgs,
    network: &NetworkArgs,
    log: &Log,
) -> Result<LoadedToken, Failure> {
    let threshold = TimeDelta::minutes(refresh.refresh_minutes);
    let now = Utc::now();
    let Some(path) = loaded.path.clone() else {
        return Ok(loaded);
    };
    if !needs_refresh(&loaded.token, now, threshold) || !loaded.token.can_refresh(now) {
        return Ok(loaded);
    }
    let _lock = files::FileLock::acquire(&path)?;
    let current = token_files::load_file(&path)?;
    let now = Utc::now();
    if !needs_refresh(&current.token, now, threshold) {
        log.verbose("another process has refreshed the token meanwhile");
        return Ok(current);
    }
    let endpoint = oidc_endpoint(&current, profile)?;
    let Ok(request) = refresh_token_request(&endpoint, &current.token, now) else {
        return Ok(current);
    };
    log.verbose(&format!(
        "refreshing the SSO token ({} left)",
        format_duration(current.token.expires_at - now)
    ));
    let still_valid = current.token.expires_at > now;
    let give_up = |failure: Failure, current: LoadedToken| {
        if still_valid {
            log.warn(&format!(
                "could not refresh the SSO token, using it for the {} it has left: {}",
                format_duration(current.token.expires_at - Utc::now()),
                failure.message
            ));
            Ok(current)
        } else {
            Err(failure)
        }
    };
    let transport = transport(network, &endpoint)?;
    let answer = match transport.call(&request, log, |r| {
        parse_create_token_response(r, GrantType::RefreshToken)
    }) {
        Ok(answer) => answer,
        Err(failure) => return give_up(failure, current),
    };
    match answer {
        Ok(answer) => {
            let refreshed = apply_token_response(&current.token, &answer, Utc::now());
            files::write_atomic(&path, refreshed.to_json().as_bytes())?;
            log.verbose(&format!(
                "refreshed the SSO token; it now expires at {}",
                sso_core::format_timestamp(refreshed.expires_at)
            ));
            Ok(LoadedToken {
                origin: current.origin,
                path: current.path,
                token: refreshed,
            })
        }
        Err(e) => give_up(Failure::from(e), current),
    }
}

fn env_flag(name: &str) -> bool {
    std::env::var(name).is_ok_and(|v| v.eq_ignore_ascii_case("true"))
}

fn endpoint_options() -> EndpointOptions {
    EndpointOptions {
        use_fips: env_flag("AWS_USE_FIPS_ENDPOINT"),
        use_dual_stack: env_flag("AWS_USE_DUALSTACK_ENDPOINT"),
    }
}

/// The portal endpoint: `--endpoint-url`, else `AWS_ENDPOINT_URL_SSO`, else `AWS_ENDPOINT_URL` (as botocore does),
/// else the regional host (FIPS and dual-stack from `AWS_USE_FIPS_ENDPOINT`, `AWS_USE_DUALSTACK_ENDPOINT`).
pub fn portal_endpoint(network: &NetworkArgs, choice: &RegionChoice, log: &Log) -> Result<Endpoint, Failure> {
    match endpoint_override(network.endpoint_url.as_deref(), PORTAL_ENDPOINT_VARIABLES)? {
        Some((origin, endpoint)) => {
            log.verbose(&format!("endpoint {endpoint} (from {origin})"));
            Ok(endpoint)
        }
        None => Ok(Endpoint::portal(&choice.region, endpoint_options())),
    }
}

pub fn transport(network: &NetworkArgs, endpoint: &Endpoint) -> Result<Transport, Failure> {
    Transport::new(
        &TransportOptions {
            connect_timeout: Duration::from_secs(network.connect_timeout),
            timeout: Duration::from_secs(network.timeout),
            ca_bundle: network.ca_bundle.clone().filter(|p| !p.is_empty()),
            retry: RetryPolicy {
                max_attempts: network.max_attempts.unwrap_or(RetryPolicy::default().max_attempts),
                ..RetryPolicy::default()
            },
        },
        endpoint.is_loopback(),
    )
}

/// A token ready for portal calls, with the region to call.
pub struct SignedIn {
    pub loaded: LoadedToken,
    pub choice: RegionChoice,
}

/// Token and region for a target: the shared first half of every command that calls the portal.
pub fn sign_in(
    source: &TokenSource,
    profile: Option<&SsoProfile>,
    requested_region: Option<&Region>,
    refresh: &RefreshArgs,
    network: &NetworkArgs,
    log: &Log,
) -> Result<SignedIn, Failure> {
    let loaded = obtain_token(source, profile, refresh, network, log)?;
    let choice = resolve_region(requested_region, loaded.token.region.as_deref())?;
    if let Some(warning) = choice.mismatch_warning() {
        log.warn(&warning);
    }
    Ok(SignedIn { loaded, choice })
}

/// Signs in and calls GetRoleCredentials, retrying what is worth retrying; every failure maps to its advice.
pub fn fetch_credentials(args: &TargetArgs, log: &Log) -> Result<(RoleCredentials, Target, SignedIn), Failure> {
    let target = resolve_target(args, log)?;
    let signed_in = sign_in(
        &args.source,
        target.profile.as_ref(),
        target.requested_region.as_ref(),
        &args.refresh,
        &args.network,
        log,
    )?;
    let credentials = fetch_role_credentials(&signed_in, &target.account_id, &target.role_name, &args.network, log)?;
    log.verbose(&format!(
        "credentials for {} in {} expire at {}",
        target.role_name,
        target.account_id,
        sso_core::format_timestamp(credentials.expiration)
    ));
    Ok((credentials, target, signed_in))
}

pub fn fetch_role_credentials(
    signed_in: &SignedIn,
    account_id: &AccountId,
    role_name: &RoleName,
    network: &NetworkArgs,
    log: &Log,
) -> Result<RoleCredentials, Failure> {
    let endpoint = portal_endpoint(network, &signed_in.choice, log)?;
    let transport = transport(network, &endpoint)?;
    let context = CallContext {
        operation: "GetRoleCredentials",
        account_id: Some(account_id.clone()),
        role_name: Some(role_name.clone()),
        region: Some(signed_in.choice.region.clone()),
        token_region: signed_in.choice.token_region.clone(),
    };
    let request = get_role_credentials_request(&endpoint, &signed_in.loaded.token.access_token, account_id, role_name);
    Ok(transport.call(&request, log, |r| parse_get_role_credentials_response(r, &context))??)
}

/// Writes the command's result to stdout in one piece. A closed pipe (`ssocreds … | head -1`) is not an error.
pub fn print_stdout(text: &str) -> Result<(), Failure> {
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(text.as_bytes()).and_then(|()| stdout.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(Failure::new(
            Exit::Write,
            format!("cannot write to standard output: {e}"),
        )),
        _ => Ok(()),
    }
}

/// `expires in …` or `expired … ago`, for messages.
pub fn describe(at: DateTime<Utc>) -> String {
    token_files::describe_expiry(at, Utc::now())
}
