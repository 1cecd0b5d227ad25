//! The token: found (`--cache`, the profile's cache file, or a search of the cache folder), refreshed when it is
//! about to expire (`refresh.rs`), then checked. The files are read here; which file wins is the core's decision
//! (`sso_core::choose_token`).

use chrono::{DateTime, Utc};
use sso_core::{SsoProfile, TokenChoiceError, check_refreshable, choose_token, format_duration};

use super::refresh;
use super::resolve::{NetworkPlan, TokenPlan, sign_in_advice};
use crate::failure::{Exit, Failure};
use crate::log::Log;
use crate::token_files::{self, LoadedToken, Scan, describe_expiry};

/// Finds and reads the token, as it is: `--cache`, else the profile's cache file, else a search of the cache folder.
pub fn locate_token(
    plan: &TokenPlan,
    profile: Option<&SsoProfile>,
    now: DateTime<Utc>,
    log: &Log,
) -> Result<LoadedToken, Failure> {
    let loaded = match (&plan.cache, profile) {
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
            let scan = token_files::scan(&token_files::cache_dir()?)?;
            for (path, why) in &scan.skipped {
                log.verbose(&format!("skipped {}: {why}", path.display()));
            }
            choose(scan, plan.start_url.as_deref(), now)?
        }
    };
    log.verbose(&format!("using token file {}", loaded.origin));
    Ok(loaded)
}

/// The core's choice among the scanned tokens, with the folder, the files passed over and the candidates named.
fn choose(scan: Scan, start_url: Option<&str>, now: DateTime<Utc>) -> Result<LoadedToken, Failure> {
    let Scan {
        dir,
        mut tokens,
        skipped,
    } = scan;
    let parsed: Vec<_> = tokens.iter().map(|t| &t.token).collect();
    match choose_token(&parsed, start_url) {
        Ok(index) => Ok(tokens.swap_remove(index)),
        Err(error @ TokenChoiceError::NoToken { .. }) => {
            let mut message = format!("{error} in {}", dir.display());
            if !skipped.is_empty() {
                message.push_str(&format!(" ({} file(s) there could not be used: ", skipped.len()));
                let reasons: Vec<String> = skipped
                    .iter()
                    .take(3)
                    .map(|(p, why)| format!("{}: {why}", p.display()))
                    .collect();
                message.push_str(&reasons.join("; "));
                message.push(')');
            }
            message.push_str(
                "; sign in with `ssocreds login --profile <profile>` (or `aws sso login --profile <profile>`), or \
                 pass --cache FILE",
            );
            Err(Failure::new(Exit::Cache, message))
        }
        Err(TokenChoiceError::Ambiguous { candidates }) => {
            let mut message = format!(
                "{} SSO tokens found in {} and nothing says which to use:\n",
                candidates.len(),
                dir.display()
            );
            for c in candidates.iter().map(|&i| &tokens[i]) {
                message.push_str(&format!(
                    "  {}  start URL {}  region {}  {}\n",
                    c.origin,
                    c.token.start_url.as_deref().unwrap_or("(none)"),
                    c.token.region.as_deref().unwrap_or("(none)"),
                    describe_expiry(c.token.expires_at, now)
                ));
            }
            message.push_str("choose one with --start-url URL (or --cache FILE)");
            Err(Failure::new(Exit::Cache, message))
        }
    }
}

/// Finds the token, refreshes it when it is about to expire and can be refreshed, then checks that it has not
/// expired (warning when little is left).
pub fn obtain_token(
    plan: &TokenPlan,
    profile: Option<&SsoProfile>,
    network: &NetworkPlan,
    now: DateTime<Utc>,
    log: &Log,
) -> Result<LoadedToken, Failure> {
    let loaded = locate_token(plan, profile, now, log)?;
    let loaded = match plan.refresh_within {
        Some(threshold) => refresh::maybe_refresh(loaded, profile, threshold, network, now, log)?,
        None => loaded,
    };
    match loaded.token.check(now, plan.warn_within) {
        Ok(status) => {
            if let Some(warning) = status.warning(&sign_in_advice(profile)) {
                log.warn(&warning);
            }
            Ok(loaded)
        }
        Err(expired) => {
            let mut message = format!(
                "the SSO token expired at {} ({} ago)",
                sso_core::format_timestamp(expired.expired_at),
                format_duration(expired.ago)
            );
            // Say why no refresh happened when the file looked refreshable (a plain legacy token never is).
            if loaded.token.refresh_token.is_some()
                && plan.refresh_within.is_some()
                && let Err(why) = check_refreshable(&loaded.token, now)
            {
                message.push_str(&format!(" and cannot be refreshed: {}", why.reason()));
            }
            message.push_str(&format!("; sign in again with {}", sign_in_advice(profile)));
            if let Some(url) = &loaded.token.start_url {
                message.push_str(&format!("; start URL {url}"));
            }
            Err(Failure::new(Exit::SignIn, message))
        }
    }
}
