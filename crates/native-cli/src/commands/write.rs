//! `ssocreds write`: credentials into ~/.aws/credentials for tools that read only that file.

use sso_core::merge_role_credentials;

use crate::cli::WriteArgs;
use crate::failure::{Exit, Failure};
use crate::files;
use crate::log::Log;

/// A credentials file larger than this is not one.
const MAX_CREDENTIALS_BYTES: u64 = 16 * 1024 * 1024;

pub fn run(args: &WriteArgs, log: &Log) -> Result<(), Failure> {
    let (credentials, plan) = super::fetch_credentials(&args.target, log)?;
    let target = &plan.target;
    let section = args
        .as_profile
        .clone()
        .or_else(|| target.profile_name().map(str::to_owned))
        .unwrap_or_else(|| "default".to_owned());
    let path = files::env_path("AWS_SHARED_CREDENTIALS_FILE", ".aws/credentials")?;
    // Read, merge and replace under one lock, so that concurrent writers of other sections lose nothing.
    let _lock = files::FileLock::acquire(&path)?;
    let existing =
        files::read_text(&path, MAX_CREDENTIALS_BYTES, "the credentials file", Exit::Write)?.unwrap_or_default();
    let merged = merge_role_credentials(&existing, &section, &credentials)?;
    files::write_atomic(&path, merged.as_bytes())?;
    // `describe` says "expires in …" (one token); credentials are plural.
    let left = credentials.expiration - plan.now;
    let when = if left > chrono::TimeDelta::zero() {
        format!("they expire in {}", sso_core::format_duration(left))
    } else {
        format!("they expired {} ago", sso_core::format_duration(-left))
    };
    log.info(&format!(
        "wrote credentials for {} to [{section}] in {}; {when}",
        target.describe(),
        path.display(),
    ));
    Ok(())
}
