//! `ssocreds populate`: a profile in ~/.aws/config for every account and role the sign-in can reach.
//!
//! The profiles go in one marked block per sso-session; a re-run replaces that block and nothing else, so the
//! user's own sections and comments stay byte for byte, and a run that changes nothing writes nothing.

use sso_core::{
    AccountId, PopulateEntry, Region, SsoProfile, check_template, newline_of, profile_names_for,
    profiles_outside_block, render_block, replace_block, resolve_sso_session,
};

use super::discover::{Portal, list_roles_concurrently};
use super::resolve::{self, ConfigInput, TokenPlan};
use super::{Inputs, config_file, output, token_source};
use crate::cli::{PopulateArgs, TokenSource};
use crate::failure::{Exit, Failure};
use crate::files;
use crate::log::Log;

pub fn run(args: &PopulateArgs, log: &Log) -> Result<(), Failure> {
    check_template(&args.template).map_err(|e| Failure::new(Exit::Usage, e.to_string()))?;
    let profile_region = args.region.as_deref().map(Region::new).transpose()?;
    let inputs = Inputs::read();
    let config = config_file::read_config(log)?;
    let session = session_settings(args, &inputs, &config)?;
    let session_name = session
        .session_name
        .clone()
        .expect("session_settings always names the session");
    let network = resolve::resolve_network(&args.network, &inputs.env)?;

    // List everything first: a partial listing must not delete the profiles of accounts that failed.
    let source = TokenSource {
        cache: None,
        start_url: None,
    };
    let loaded = token_source::obtain_token(
        &TokenPlan::for_listing(&source),
        Some(&session),
        &network,
        inputs.now,
        log,
    )?;
    let portal = Portal::connect(&loaded, Some(&session.sso_region), &network, log)?;
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

    // Read again under the lock: the file may have changed while the listing ran.
    let path = config.path;
    let _lock = files::FileLock::acquire(&path)?;
    let text = files::read_text(
        &path,
        config_file::MAX_CONFIG_BYTES,
        "the AWS config file",
        Exit::Config,
    )?
    .unwrap_or_default();
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
        return output::print_stdout(&text);
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

/// The sso-session to populate: `--sso-session S`, or the session of `--profile P` (or `AWS_PROFILE`, else
/// `[default]` when it has SSO settings).
fn session_settings(args: &PopulateArgs, inputs: &Inputs, config: &ConfigInput) -> Result<SsoProfile, Failure> {
    if let Some(name) = &args.sso_session {
        let Some(file) = &config.file else {
            return Err(Failure::new(
                Exit::Config,
                format!(
                    "there is no AWS config file at {}, so no [sso-session {name}]",
                    config.path.display()
                ),
            ));
        };
        let mut session = resolve_sso_session(file, name)
            .map_err(|e| Failure::new(Exit::Config, format!("{}: {e}", config.path.display())))?;
        session.profile_name = format!("sso-session {name}");
        return Ok(session);
    }
    let Some(profile) = resolve::choose_profile(args.profile.as_deref(), &inputs.env, true, Some(config))? else {
        return Err(Failure::new(
            Exit::Usage,
            format!(
                "which sign-in? pass --sso-session NAME, or --profile NAME of a profile that uses one; there is no \
                 [default] profile with SSO settings in {}",
                config.path.display()
            ),
        ));
    };
    if profile.session_name.is_none() {
        return Err(Failure::new(
            Exit::Config,
            format!(
                "profile {:?} is a legacy SSO profile without sso_session; populate writes sso-session profiles, \
                 so move its sso_start_url and sso_region into an [sso-session NAME] section (`aws configure sso` \
                 does it) and pass --sso-session NAME",
                profile.profile_name
            ),
        ));
    }
    Ok(profile)
}
