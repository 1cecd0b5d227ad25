//! Refreshing a token that is about to expire, under a lock so that concurrent ssocreds processes refresh once:
//! the first refreshes and writes the file; the others, once they get the lock, read the fresh file and use it.

use chrono::{DateTime, TimeDelta, Utc};
use sso_core::{
    Endpoint, GrantType, Region, SsoProfile, apply_token_response, format_duration, needs_refresh,
    parse_create_token_response, refresh_token_request,
};

use super::resolve::NetworkPlan;
use crate::failure::{Exit, Failure};
use crate::files;
use crate::log::Log;
use crate::token_files::{self, LoadedToken};
use crate::transport::Transport;

/// The OIDC endpoint: the override (`AWS_ENDPOINT_URL_SSO_OIDC`, `AWS_ENDPOINT_URL`), else the token's region,
/// else the profile's.
fn oidc_endpoint(
    loaded: &LoadedToken,
    profile: Option<&SsoProfile>,
    network: &NetworkPlan,
) -> Result<Endpoint, Failure> {
    // An override needs no region: a token without one can still be refreshed through it.
    if let Some(endpoint) = network.oidc_override()? {
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
    network.oidc(&region)
}

/// Refreshes `loaded` when less than `threshold` is left at `now` and it can be refreshed; otherwise returns it as
/// it is. A failed refresh of a token that is still valid is a warning, not an error.
pub fn maybe_refresh(
    loaded: LoadedToken,
    profile: Option<&SsoProfile>,
    threshold: TimeDelta,
    network: &NetworkPlan,
    now: DateTime<Utc>,
    log: &Log,
) -> Result<LoadedToken, Failure> {
    let Some(path) = loaded.path.clone() else {
        return Ok(loaded);
    };
    if !needs_refresh(&loaded.token, now, threshold) || !loaded.token.can_refresh(now) {
        return Ok(loaded);
    }
    let _lock = files::FileLock::acquire(&path)?;
    let current = token_files::load_file(&path)?;
    if !needs_refresh(&current.token, now, threshold) {
        log.verbose("another process has refreshed the token meanwhile");
        return Ok(current);
    }
    let endpoint = oidc_endpoint(&current, profile, network)?;
    let Ok(request) = refresh_token_request(&endpoint, &current.token, now) else {
        return Ok(current);
    };
    log.verbose(&format!(
        "refreshing the SSO token ({} left)",
        format_duration(current.token.expires_at - now)
    ));
    let still_valid = current.token.expires_at > now;
    let transport = Transport::new(&network.transport, endpoint.is_loopback())?;
    let answer = transport.call(&request, log, |r| {
        parse_create_token_response(r, GrantType::RefreshToken)
    });
    // The second reading of the clock in a command, and the only one: `expiresIn` counts from the answer, which
    // may come many seconds (retries, a slow server) after `now`; dating it from `now` would claim less life than
    // the token has, and the warning below must not claim more than is left.
    let answered_at = Utc::now();
    let give_up = |failure: Failure, current: LoadedToken| {
        if still_valid {
            log.warn(&format!(
                "could not refresh the SSO token, using it for the {} it has left: {}",
                format_duration(current.token.expires_at - answered_at),
                failure.message
            ));
            Ok(current)
        } else {
            Err(failure)
        }
    };
    match answer {
        Err(failure) => give_up(failure, current),
        Ok(Err(e)) => give_up(Failure::from(e), current),
        Ok(Ok(answer)) => {
            let refreshed = apply_token_response(&current.token, &answer, answered_at);
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
    }
}
