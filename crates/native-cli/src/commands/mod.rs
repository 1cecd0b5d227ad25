//! One module per subcommand, and the steps they share.

pub mod discover;
pub mod export;
pub mod token;

use std::io::Write;
use std::time::Duration;

use chrono::{DateTime, Utc};
use sso_core::{
    AccountId, CachedToken, CallContext, Endpoint, EndpointOptions, RegionChoice, RetryPolicy, RoleCredentials,
    RoleName, get_role_credentials_request, parse_get_role_credentials_response,
};

use crate::cli::{NetworkArgs, TokenSource};
use crate::failure::{Exit, Failure};
use crate::log::Log;
use crate::token_files::{self, LoadedToken};
use crate::transport::{Transport, TransportOptions};

/// Loads the token from `--cache`, or finds it in the cache folder.
pub fn load_token(source: &TokenSource, now: DateTime<Utc>, log: &Log) -> Result<LoadedToken, Failure> {
    let loaded = match &source.cache {
        Some(path) => token_files::load_explicit(path)?,
        None => {
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

fn env_flag(name: &str) -> bool {
    std::env::var(name).is_ok_and(|v| v.eq_ignore_ascii_case("true"))
}

/// The portal endpoint: `--endpoint-url`, else `AWS_ENDPOINT_URL_SSO`, else `AWS_ENDPOINT_URL` (as botocore does),
/// else the regional host (FIPS and dual-stack from `AWS_USE_FIPS_ENDPOINT`, `AWS_USE_DUALSTACK_ENDPOINT`).
pub fn portal_endpoint(network: &NetworkArgs, choice: &RegionChoice, log: &Log) -> Result<Endpoint, Failure> {
    let override_url = network
        .endpoint_url
        .clone()
        .map(|u| ("--endpoint-url", u))
        .or_else(|| {
            std::env::var("AWS_ENDPOINT_URL_SSO")
                .ok()
                .map(|u| ("AWS_ENDPOINT_URL_SSO", u))
        })
        .or_else(|| std::env::var("AWS_ENDPOINT_URL").ok().map(|u| ("AWS_ENDPOINT_URL", u)))
        .filter(|(_, u)| !u.is_empty());
    match override_url {
        Some((origin, url)) => {
            let endpoint = Endpoint::custom(&url).map_err(|e| Failure::new(Exit::Usage, format!("{origin}: {e}")))?;
            log.verbose(&format!("endpoint {endpoint} (from {origin})"));
            Ok(endpoint)
        }
        None => Ok(Endpoint::portal(
            &choice.region,
            EndpointOptions {
                use_fips: env_flag("AWS_USE_FIPS_ENDPOINT"),
                use_dual_stack: env_flag("AWS_USE_DUALSTACK_ENDPOINT"),
            },
        )),
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

/// Calls GetRoleCredentials, retrying what is worth retrying, and maps every failure to its advice.
pub fn fetch_role_credentials(
    token: &CachedToken,
    account_id: &AccountId,
    role_name: &RoleName,
    choice: &RegionChoice,
    network: &NetworkArgs,
    log: &Log,
) -> Result<RoleCredentials, Failure> {
    let endpoint = portal_endpoint(network, choice, log)?;
    let transport = transport(network, &endpoint)?;
    let context = CallContext {
        operation: "GetRoleCredentials",
        account_id: Some(account_id.clone()),
        role_name: Some(role_name.clone()),
        region: Some(choice.region.clone()),
        token_region: choice.token_region.clone(),
    };
    let request = get_role_credentials_request(&endpoint, &token.access_token, account_id, role_name);
    let response = transport.send(&request, log, |response| {
        match parse_get_role_credentials_response(response, &context) {
            Ok(_) => (false, None),
            Err(e) => (e.is_retryable(), e.retry_after),
        }
    })?;
    parse_get_role_credentials_response(&response, &context).map_err(Failure::from)
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
