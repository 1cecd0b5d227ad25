//! `ssocreds populate`: a profile in ~/.aws/config for every account and role the sign-in can reach.
//!
//! The profiles go in one marked block per sso-session; a re-run replaces that block and nothing else, so the
//! user's own sections and comments stay byte for byte, and a run that changes nothing writes nothing.

use sso_core::{
    AccountId, DEFAULT_REGISTRATION_SCOPE, PopulateEntry, Region, SsoProfile, check_template, newline_of,
    parse_registration_scopes, profile_names_for, profiles_outside_block, render_block, replace_block,
};

use super::discover::{Portal, list_roles_concurrently, listing_refresh, listing_retry_policy};
use crate::cli::{PopulateArgs, TokenSource};
use crate::failure::{Exit, Failure};
use crate::files;
use crate::log::Log;

pub fn run(args: &PopulateArgs, log: &Log) -> Result<(), Failure> {
    check_template(&args.template).map_err(|e| Failure::new(Exit::Usage, e.to_string()))?;
    let profile_region = args.region.as_deref().map(Region::new).transpose()?;
    let session = session_settings(args, log)?;
    let session_name = session
        .session_name
        .clone()
        .expect("session_settings always names the session");

    // List everything first: a partial listing must not delete the profiles of accounts that failed.
    let signed_in = super::sign_in(
        &TokenSource {
            cache: None,
            start_url: None,
        },
        Some(&session),
        Some(&session.sso_region),
        &listing_refresh(),
        &args.network,
        log,
    )?;
    let portal = Portal::connect(signed_in, &args.network, log, listing_retry_policy())?;
    let accounts: Vec<(AccountId, String)> = portal
        .accounts(log)?
        .into_iter()
        .filter_map(|a| AccountId::new(&a.account_id).ok().map(|id| (id, a.account_name)))
        .collect();
    let (rows, failures) = list_roles_concurrently(&portal, &accounts, args.concurrency as usize, log);
    if let Some((_, first)) = failures.first() {
        let ids: Vec<String> = failures.iter().map(|(id, _)| id.to_string()).collect();
        return Err(Failure::new(
            first.exit,
            format!(
                "the roles of {} account(s) could not be listed ({}), so ~/.aws/config was left as it was: {}",
                failures.len(),
                ids.join(", "),
                first.message
            ),
        ));
    }
    let mut entries: Vec<PopulateEntry> = rows
        .into_iter()
        .map(|r| PopulateEntry {
            account_id: r.account_id,
            account_name: r.account_name,
            role_name: r.role_name,
        })
        .collect();
    // Workers finish in any order; names (and the suffixes that keep them unique) must not depend on it.
    entries.sort_by(|a, b| (&a.account_id, &a.role_name).cmp(&(&b.account_id, &b.role_name)));

    let path = super::config_path()?;
    let _lock = files::FileLock::acquire(&path)?;
    let text =
        files::read_text(&path, super::MAX_CONFIG_BYTES, "the AWS config file", Exit::Config)?.unwrap_or_default();
    let taken = profiles_outside_block(&text, &session_name);
    let names = profile_names_for(&args.template, &entries, &session_name, &taken)
        .map_err(|e| Failure::new(Exit::Usage, e.to_string()))?;
    let named: Vec<(String, PopulateEntry)> = names.into_iter().zip(entries).collect();
    let block = render_block(
        &session_name,
        &named,
        profile_region.as_ref().map(Region::as_str),
        newline_of(&text),
    );
    let updated = replace_block(&text, &session_name, &block);
    if args.dry_run {
        let shown = path.display().to_string();
        let diff = similar::TextDiff::from_lines(&text, &updated);
        let text = diff.unified_diff().context_radius(3).header(&shown, &shown).to_string();
        log.info(&format!(
            "dry run: {} profile(s) for sso-session {session_name}; {} not written",
            named.len(),
            path.display()
        ));
        return super::print_stdout(&text);
    }
    if updated == text {
        log.info(&format!(
            "{} is up to date: {} profile(s) for sso-session {session_name}",
            path.display(),
            named.len()
        ));
        return Ok(());
    }
    files::write_atomic(&path, updated.as_bytes())?;
    log.info(&format!(
        "wrote {} profile(s) for sso-session {session_name} to {}",
        named.len(),
        path.display()
    ));
    Ok(())
}

/// The sso-session to populate: `--sso-session S`, or the session of `--profile P` (or AWS_PROFILE).
fn session_settings(args: &PopulateArgs, log: &Log) -> Result<SsoProfile, Failure> {
    if let Some(name) = &args.sso_session {
        let Some((path, config)) = super::load_config(log)? else {
            return Err(Failure::new(
                Exit::Config,
                format!(
                    "there is no AWS config file at {}, so no [sso-session {name}]",
                    super::config_path()?.display()
                ),
            ));
        };
        let section = config.sso_session(name).ok_or_else(|| {
            Failure::new(
                Exit::Config,
                format!("{}: there is no [sso-session {name}] section", path.display()),
            )
        })?;
        let get = |key: &str| {
            section.get(key).map(str::to_owned).ok_or_else(|| {
                Failure::new(
                    Exit::Config,
                    format!(
                        "{}: [sso-session {name}] has no {key}; add `{key} = …` to it",
                        path.display()
                    ),
                )
            })
        };
        let start_url = get("sso_start_url")?;
        let sso_region = Region::new(&get("sso_region")?)
            .map_err(|e| Failure::new(Exit::Config, format!("{}: [sso-session {name}]: {e}", path.display())))?;
        let configured = section.get("sso_registration_scopes").map(parse_registration_scopes);
        return Ok(SsoProfile {
            profile_name: format!("sso-session {name}"),
            session_name: Some(name.clone()),
            start_url,
            sso_region,
            account_id: None,
            role_name: None,
            registration_scopes: configured
                .clone()
                .unwrap_or_else(|| vec![DEFAULT_REGISTRATION_SCOPE.to_owned()]),
            configured_registration_scopes: configured,
            region: None,
        });
    }
    let Some(name) = super::profile_name(args.profile.as_deref(), true) else {
        return Err(Failure::new(
            Exit::Usage,
            "which sign-in? pass --sso-session NAME, or --profile NAME of a profile that uses one",
        ));
    };
    let profile = super::load_profile(&name, log)?;
    if profile.session_name.is_none() {
        return Err(Failure::new(
            Exit::Config,
            format!(
                "profile {name:?} is a legacy SSO profile without sso_session; populate writes sso-session profiles, \
                 so move its sso_start_url and sso_region into an [sso-session NAME] section (`aws configure sso` \
                 does it) and pass --sso-session NAME"
            ),
        ));
    }
    Ok(profile)
}
