//! `ssocreds logout`: ends each cached session on the portal (`POST /logout`), then removes the token files and
//! ssocreds' cached role credentials. Local files go whatever the portal says: a user who signs out wants the
//! tokens off this machine even when the portal cannot be reached, and is told when the session stays valid on
//! the server.

use std::path::{Path, PathBuf};

use sso_core::{
    CachedToken, CallContext, PortalErrorKind, SsoProfile, cache_file_name, logout_request, parse_logout_response,
    resolve_region,
};

use super::resolve::{self, NetworkPlan};
use super::{Inputs, config_file, output};
use crate::cli::LogoutArgs;
use crate::failure::{Exit, Failure};
use crate::log::Log;
use crate::token_files;
use crate::transport::Transport;

/// A token file to remove, and its token when it could be read.
struct TokenFile {
    path: PathBuf,
    token: Option<CachedToken>,
}

pub fn run(args: &LogoutArgs, log: &Log) -> Result<(), Failure> {
    let inputs = Inputs::read();
    let now = inputs.now;
    let dir = token_files::cache_dir()?;
    // Only `--profile` narrows a logout (not AWS_PROFILE, not [default]): without it every sign-in ends.
    let profile = match args.profile.as_deref() {
        Some(name) => Some(resolve::named_profile(name, &config_file::read_config(log)?)?),
        None => None,
    };
    let network = resolve::resolve_network(&args.network, &inputs.env)?;
    let selected = match (&profile, &args.sso_session) {
        (Some(profile), _) => Some((
            dir.join(profile.cache_file_name()),
            format!("profile {:?}", profile.profile_name),
        )),
        (None, Some(session)) => Some((dir.join(cache_file_name(session)), format!("sso-session {session:?}"))),
        (None, None) => None,
    };
    let files = match &selected {
        Some((path, _)) => match std::fs::symlink_metadata(path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
            _ => vec![TokenFile {
                path: path.clone(),
                // A file that cannot be read is still the sign-in's file: it goes too.
                token: token_files::load_file(path).ok().map(|loaded| loaded.token),
            }],
        },
        None => {
            let scan = token_files::scan(&dir)?;
            for (path, why) in &scan.skipped {
                log.verbose(&format!("leaving {} alone: {why}", path.display()));
            }
            scan.tokens
                .into_iter()
                .map(|loaded| TokenFile {
                    token: Some(loaded.token),
                    path: loaded.path.unwrap_or_default(),
                })
                .collect()
        }
    };

    let mut failures = Vec::new();
    let mut ended: Vec<&CachedToken> = Vec::new();
    for file in &files {
        let Some(token) = &file.token else { continue };
        // Two files of one sign-in (legacy and sso-session names) hold the same token: end it once.
        if ended.iter().any(|t| t.access_token == token.access_token) {
            continue;
        }
        ended.push(token);
        if token.expires_at <= now {
            log.verbose(&format!(
                "{}: the token has expired, so there is no session to end on the portal",
                file.path.display()
            ));
            continue;
        }
        let start_url = token.start_url.as_deref().unwrap_or("(no start URL)");
        match end_session(token, profile.as_ref(), &network, log) {
            Ok(true) => log.info(&format!("signed out of {start_url} on the portal")),
            Ok(false) => log.info(&format!("{start_url}: the portal had already ended that session")),
            Err(failure) => failures.push((start_url.to_owned(), token.expires_at, failure)),
        }
    }

    let mut removed = 0;
    for file in &files {
        match std::fs::remove_file(&file.path) {
            Ok(()) => removed += 1,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => failures.push((
                String::new(),
                now,
                Failure::new(Exit::Write, format!("cannot remove {}: {e}", file.path.display())),
            )),
        }
    }
    let role_files = remove_role_cache(log)?;
    match (&selected, files.is_empty()) {
        (Some((path, label)), true) => log.info(&format!(
            "no SSO token cached for {label} ({}); nothing to sign out of",
            path.display()
        )),
        (None, true) => log.info(&format!(
            "no SSO token cached in {}; nothing to sign out of",
            dir.display()
        )),
        (_, false) => log.info(&format!("removed {removed} token file(s) from {}", dir.display())),
    }
    if role_files > 0 {
        log.info(&format!("removed {role_files} cached role credential file(s)"));
    }

    let Some((start_url, expires_at, first)) = failures.into_iter().next() else {
        return Ok(());
    };
    if start_url.is_empty() {
        return Err(first);
    }
    Err(Failure::new(
        first.exit,
        format!(
            "could not end the session of {start_url} on the portal: {}. The token files are removed from this \
             machine, but the session stays valid on the server until the token expires at {} ({})",
            first.message,
            sso_core::format_timestamp(expires_at),
            output::describe(expires_at, now)
        ),
    ))
}

/// Calls Logout; `Ok(false)` when the portal no longer knew the token (401: already signed out).
fn end_session(
    token: &CachedToken,
    profile: Option<&SsoProfile>,
    network: &NetworkPlan,
    log: &Log,
) -> Result<bool, Failure> {
    let choice = resolve_region(profile.map(|p| &p.sso_region), token.region.as_deref())?;
    if let Some((origin, endpoint)) = &network.portal_override {
        log.verbose(&format!("endpoint {endpoint} (from {origin})"));
    }
    let endpoint = network.portal_for(&choice.region);
    let transport = Transport::new(&network.transport, endpoint.is_loopback())?;
    let context = CallContext {
        operation: "Logout",
        region: Some(choice.region.clone()),
        token_region: choice.token_region.clone(),
        ..CallContext::default()
    };
    let request = logout_request(&endpoint, &token.access_token);
    match transport.call(&request, log, |r| parse_logout_response(r, &context))? {
        Ok(()) => Ok(true),
        Err(e) if e.kind == PortalErrorKind::Unauthorized => Ok(false),
        Err(e) => Err(Failure::from(e)),
    }
}

/// Removes the role credentials `ssocreds process` cached; returns how many files went.
fn remove_role_cache(log: &Log) -> Result<usize, Failure> {
    let dir = super::process::role_cache_dir()?;
    let entries = match std::fs::read_dir(&dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(0),
        Err(e) => {
            return Err(Failure::new(
                Exit::Write,
                format!(
                    "cannot list {} to remove the cached role credentials: {e}",
                    dir.display()
                ),
            ));
        }
    };
    let mut removed = 0;
    for path in entries.filter_map(Result::ok).map(|entry| entry.path()) {
        if !is_json(&path) {
            continue;
        }
        match std::fs::remove_file(&path) {
            Ok(()) => removed += 1,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => {
                return Err(Failure::new(
                    Exit::Write,
                    format!("cannot remove the cached role credentials {}: {e}", path.display()),
                ));
            }
        }
    }
    log.verbose(&format!("removed {removed} file(s) from {}", dir.display()));
    Ok(removed)
}

fn is_json(path: &Path) -> bool {
    path.extension().is_some_and(|ext| ext == "json")
}
