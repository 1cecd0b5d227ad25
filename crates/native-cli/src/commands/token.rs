//! `ssocreds token`: which token file is used, for which sign-in, and how long it lasts.

use chrono::{TimeDelta, Utc};
use sso_core::format_timestamp;

use crate::cli::TokenArgs;
use crate::failure::{Exit, Failure};
use crate::log::Log;
use crate::token_files::describe_expiry;

pub fn run(args: &TokenArgs, log: &Log) -> Result<(), Failure> {
    let now = Utc::now();
    let loaded = super::load_token(&args.source, now, log)?;
    let token = &loaded.token;
    let remaining = token.expires_at - now;
    let expired = remaining <= TimeDelta::zero();
    let text = if args.json {
        let value = serde_json::json!({
            "file": loaded.origin,
            "startUrl": token.start_url,
            "region": token.region,
            "expiresAt": format_timestamp(token.expires_at),
            "expiresInSeconds": remaining.num_seconds().max(0),
            "expired": expired,
            "canRefresh": token.can_refresh(now),
        });
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
    super::print_stdout(&text)?;
    if expired {
        return Err(Failure::new(
            Exit::SignIn,
            "the SSO token has expired; sign in again with `aws sso login`",
        ));
    }
    Ok(())
}
