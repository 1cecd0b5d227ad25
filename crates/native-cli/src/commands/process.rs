//! `ssocreds process`: `credential_process` output, with a role-credentials cache so that the SDKs' repeated calls
//! within the credentials' life cost no portal call. A role chain's credentials are cached the same way, under a
//! key made of the whole chain (`sso_core::chain_cache_file_name`), so that two chains never share an entry.

use std::path::PathBuf;

use chrono::{DateTime, TimeDelta, Utc};
use sso_core::{
    AccountId, ExportFormat, ExportOptions, RoleChain, RoleCredentials, RoleName, chain_cache_file_name,
    format_exports, parse_role_cache, role_cache_document, role_cache_file_name,
};

use super::resolve::CredentialsPlan;
use super::{output, role_credentials, token_source};
use crate::cli::ProcessArgs;
use crate::failure::Failure;
use crate::files;
use crate::log::Log;

/// Where `ssocreds process` keeps role credentials: `~/.aws/ssocreds/cache`.
pub fn role_cache_dir() -> Result<PathBuf, Failure> {
    Ok(files::home()?.join(".aws").join("ssocreds").join("cache"))
}

fn cache_path(start_url: &str, account_id: &AccountId, role_name: &RoleName) -> Result<PathBuf, Failure> {
    Ok(role_cache_dir()?.join(role_cache_file_name(start_url, account_id, role_name)))
}

pub fn run(args: &ProcessArgs, log: &Log) -> Result<(), Failure> {
    let min_validity = TimeDelta::minutes(args.min_validity_minutes);
    let plan = super::plan_credentials(&args.target, &super::Inputs::read(), log)?;
    let target = &plan.target;
    if let Some(chain) = &target.chain {
        return run_chain(args, &plan, chain, min_validity, log);
    }
    // The cache key needs the start URL; with a profile it is known before reading the token.
    let profile_start_url = target.profile.as_ref().map(|p| p.start_url.clone());
    if !args.no_cache
        && let Some(start_url) = &profile_start_url
        && let Some(credentials) = read_cache(
            &cache_path(start_url, &target.account_id, &target.role_name)?,
            min_validity,
            plan.now,
            log,
        )
    {
        return print(&credentials);
    }
    let loaded = token_source::obtain_token(&plan.token, target.profile.as_ref(), &plan.network, plan.now, log)?;
    let start_url = profile_start_url
        .or_else(|| loaded.token.start_url.clone())
        .unwrap_or_else(|| loaded.origin.clone());
    let path = cache_path(&start_url, &target.account_id, &target.role_name)?;
    if !args.no_cache
        && let Some(credentials) = read_cache(&path, min_validity, plan.now, log)
    {
        return print(&credentials);
    }
    let credentials = role_credentials::fetch(&plan, &loaded, log)?;
    if !args.no_cache {
        // A cache that cannot be written costs a portal call next time, nothing more.
        if let Err(failure) = files::write_atomic(&path, role_cache_document(&credentials).as_bytes()) {
            log.warn(&failure.message);
        }
    }
    print(&credentials)
}

/// A role chain: the cache entry of the whole chain if it lasts long enough, else the token, the portal call and
/// every hop, then the entry written.
fn run_chain(
    args: &ProcessArgs,
    plan: &CredentialsPlan,
    chain: &RoleChain,
    min_validity: TimeDelta,
    log: &Log,
) -> Result<(), Failure> {
    let path = role_cache_dir()?.join(chain_cache_file_name(chain));
    if !args.no_cache
        && let Some(credentials) = read_cache(&path, min_validity, plan.now, log)
    {
        return print(&credentials);
    }
    let credentials = super::credentials_for(plan, plan.now, log)?;
    if !args.no_cache {
        // A cache that cannot be written costs the calls again next time, nothing more.
        if let Err(failure) = files::write_atomic(&path, role_cache_document(&credentials).as_bytes()) {
            log.warn(&failure.message);
        }
    }
    print(&credentials)
}

fn read_cache(
    path: &std::path::Path,
    min_validity: TimeDelta,
    now: DateTime<Utc>,
    log: &Log,
) -> Option<RoleCredentials> {
    let bytes = std::fs::read(path).ok()?;
    match parse_role_cache(&bytes, now, min_validity) {
        Ok(Some(credentials)) => {
            log.verbose(&format!("using cached role credentials from {}", path.display()));
            Some(credentials)
        }
        Ok(None) => {
            log.verbose("cached role credentials are too close to expiry; fetching new ones");
            None
        }
        Err(e) => {
            log.verbose(&format!("ignoring {}: {e}", path.display()));
            None
        }
    }
}

fn print(credentials: &RoleCredentials) -> Result<(), Failure> {
    let text = format_exports(credentials, ExportFormat::Process, &ExportOptions::default())?;
    output::print_stdout(&text)
}
