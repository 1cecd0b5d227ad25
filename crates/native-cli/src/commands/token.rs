//! `ssocreds token`: which token file is used, for which sign-in, and how long it lasts; `--all` lists them all.

use std::collections::BTreeMap;

use chrono::{DateTime, TimeDelta, Utc};
use sso_core::{CachedToken, cache_file_name, format_timestamp, profile_names, resolve_sso_profile, sso_sessions};

use super::resolve::{self, TokenPlan};
use super::{Inputs, config_file, output, token_source};
use crate::cli::TokenArgs;
use crate::failure::{Exit, Failure};
use crate::log::Log;
use crate::token_files::{self, describe_expiry};

pub fn run(args: &TokenArgs, log: &Log) -> Result<(), Failure> {
    if args.all {
        return all(args, Inputs::read().now, log);
    }
    let Inputs { env, now } = Inputs::read();
    let mut notes = Vec::new();
    let config = config_file::read_config_text();
    let profile = resolve::resolve_sign_in(
        args.profile.as_deref(),
        args.source.cache.is_some(),
        &env,
        config,
        &mut notes,
    )?;
    for note in &notes {
        log.note(note);
    }
    // Shown as it is: never refreshed here; an expired token is still shown, and reported through the exit code.
    let plan = TokenPlan::for_listing(&args.source);
    let loaded = token_source::locate_token(&plan, profile.as_ref(), now, log)?;
    let token = &loaded.token;
    let remaining = token.expires_at - now;
    let expired = remaining <= TimeDelta::zero();
    let text = if args.json {
        let value = token_json(&loaded.origin, token, now);
        format!(
            "{}\n",
            serde_json::to_string_pretty(&value).expect("JSON values serialize")
        )
    } else {
        let refresh = if token.can_refresh(now) {
            "possible (refresh token and client registration present)"
        } else {
            "not possible (sign in again when it expires)"
        };
        format!(
            "token file  {}\nstart URL   {}\nregion      {}\nexpires at  {} ({})\nrefresh     {refresh}\n",
            loaded.origin,
            token.start_url.as_deref().unwrap_or("(not in the file)"),
            token.region.as_deref().unwrap_or("(not in the file)"),
            format_timestamp(token.expires_at),
            describe_expiry(token.expires_at, now),
        )
    };
    output::print_stdout(&text)?;
    if expired {
        return Err(Failure::new(
            Exit::SignIn,
            "the SSO token has expired; sign in again with `ssocreds login` or `aws sso login`",
        ));
    }
    Ok(())
}

/// Every token file, named by the sso-session or legacy profiles of ~/.aws/config whose cache key it matches.
fn all(args: &TokenArgs, now: DateTime<Utc>, log: &Log) -> Result<(), Failure> {
    let dir = token_files::cache_dir()?;
    let scan = token_files::scan(&dir)?;
    let mut names: BTreeMap<String, Vec<String>> = BTreeMap::new();
    if let Some(config) = config_file::read_config(log)?.file {
        for session in sso_sessions(&config) {
            names
                .entry(cache_file_name(session))
                .or_default()
                .push(format!("sso-session {session}"));
        }
        for profile in profile_names(&config) {
            if let Ok(resolved) = resolve_sso_profile(&config, profile)
                && resolved.session_name.is_none()
            {
                names
                    .entry(resolved.cache_file_name())
                    .or_default()
                    .push(format!("profile {profile}"));
            }
        }
    }
    let rows: Vec<(String, Option<String>, &CachedToken)> = scan
        .tokens
        .iter()
        .map(|t| {
            let file_name = t
                .path
                .as_deref()
                .and_then(|p| p.file_name())
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let used_by = names.get(&file_name).map(|n| n.join(", "));
            (file_name, used_by, &t.token)
        })
        .collect();
    let text = if args.json {
        let items: Vec<_> = rows
            .iter()
            .map(|(file, session, token)| {
                let mut value = token_json(&dir.join(file).display().to_string(), token, now);
                value["session"] = serde_json::json!(session);
                value
            })
            .collect();
        format!(
            "{}\n",
            serde_json::to_string_pretty(&items).expect("JSON values serialize")
        )
    } else if rows.is_empty() {
        log.info(&format!(
            "no SSO token in {}; sign in with `ssocreds login` or `aws sso login`",
            dir.display()
        ));
        String::new()
    } else {
        let mut text = format!("{}:\n", dir.display());
        for (file, session, token) in rows {
            text.push_str(&format!(
                "{file}\n  start URL  {}\n  used by    {}\n  region     {}\n  {}\n",
                token.start_url.as_deref().unwrap_or("(not in the file)"),
                session.as_deref().unwrap_or("(no profile of the config file)"),
                token.region.as_deref().unwrap_or("(not in the file)"),
                describe_expiry(token.expires_at, now),
            ));
        }
        text
    };
    for (path, why) in &scan.skipped {
        log.verbose(&format!("skipped {}: {why}", path.display()));
    }
    output::print_stdout(&text)
}

/// The JSON of one token for `--json`: where it is and how long it lasts, never the token itself.
fn token_json(file: &str, token: &CachedToken, now: DateTime<Utc>) -> serde_json::Value {
    serde_json::json!({
        "file": file,
        "startUrl": token.start_url,
        "region": token.region,
        "expiresAt": format_timestamp(token.expires_at),
        "expiresInSeconds": (token.expires_at - now).num_seconds().max(0),
        "expired": token.expires_at <= now,
        "canRefresh": token.can_refresh(now),
    })
}
