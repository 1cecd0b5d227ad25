//! `ssocreds export`: profile or account and role → GetRoleCredentials → exports on stdout.

use sso_core::{ExportOptions, Region, format_exports};

use crate::cli::ExportArgs;
use crate::failure::Failure;
use crate::log::Log;

pub fn run(args: &ExportArgs, log: &Log) -> Result<(), Failure> {
    let export_region = args.export_region.as_deref().map(Region::new).transpose()?;
    let (credentials, target, _) = super::fetch_credentials(&args.target, log)?;
    let options = ExportOptions {
        region: export_region.or_else(|| target.profile_region()),
    };
    let text = format_exports(&credentials, args.format.into(), &options)?;
    super::print_stdout(&text)
}
