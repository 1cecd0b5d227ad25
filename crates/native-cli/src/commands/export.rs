//! `ssocreds export`: profile or account and role → GetRoleCredentials → exports on stdout.

use sso_core::{ExportOptions, Region, format_exports};

use super::{fetch_credentials, output};
use crate::cli::ExportArgs;
use crate::failure::Failure;
use crate::log::Log;

pub fn run(args: &ExportArgs, log: &Log) -> Result<(), Failure> {
    let export_region = args.export_region.as_deref().map(Region::new).transpose()?;
    let (credentials, plan) = fetch_credentials(&args.target, log)?;
    let options = ExportOptions {
        region: export_region.or_else(|| plan.target.profile_region()),
    };
    let text = format_exports(&credentials, args.format, &options)?;
    output::print_stdout(&text)
}
