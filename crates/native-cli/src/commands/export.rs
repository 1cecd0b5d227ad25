//! `ssocreds export`: token file → GetRoleCredentials → exports on stdout.

use chrono::{TimeDelta, Utc};
use sso_core::{
    AccountId, ExportOptions, Region, RoleName, TokenStatus, format_duration, format_exports, resolve_region,
};

use crate::cli::ExportArgs;
use crate::failure::Failure;
use crate::log::Log;

pub fn run(args: &ExportArgs, log: &Log) -> Result<(), Failure> {
    // Check everything the user typed before touching files or the network.
    let account_id = AccountId::new(&args.account_id)?;
    let role_name = RoleName::new(&args.role_name)?;
    let requested_region = args.region.as_deref().map(Region::new).transpose()?;
    let export_region = args.export_region.as_deref().map(Region::new).transpose()?;

    let now = Utc::now();
    let loaded = super::load_token(&args.source, now, log)?;
    if let TokenStatus::ExpiringSoon { remaining } = loaded.token.check(now, TimeDelta::minutes(args.warn_minutes))? {
        log.warn(&format!(
            "the SSO token expires in {}; sign in again soon with `aws sso login`",
            format_duration(remaining)
        ));
    }
    let choice = resolve_region(requested_region.as_ref(), loaded.token.region.as_deref())?;
    if let Some(warning) = choice.mismatch_warning() {
        log.warn(&warning);
    }
    let credentials =
        super::fetch_role_credentials(&loaded.token, &account_id, &role_name, &choice, &args.network, log)?;
    log.verbose(&format!(
        "credentials for {role_name} in {account_id} expire at {}",
        sso_core::format_timestamp(credentials.expiration)
    ));
    let text = format_exports(
        &credentials,
        args.format.into(),
        &ExportOptions { region: export_region },
    )?;
    super::print_stdout(&text)
}
