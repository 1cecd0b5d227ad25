//! `ssocreds exec`: run a command with the credentials in its environment.

use std::process::Command;

use sso_core::{ExportOptions, Region, credential_variables};

use crate::cli::ExecArgs;
use crate::failure::{Exit, Failure};
use crate::log::Log;

pub fn run(args: &ExecArgs, log: &Log) -> Result<(), Failure> {
    let export_region = args.export_region.as_deref().map(Region::new).transpose()?;
    let (credentials, plan) = super::fetch_credentials(&args.target, log)?;
    let options = ExportOptions {
        region: export_region.or_else(|| plan.target.profile_region()),
    };
    // The same variables as `export`, set directly: no shell in between, so every byte reaches the child as is.
    let vars = credential_variables(&credentials, &options);
    let (program, rest) = args.command.split_first().expect("clap requires a command");
    let mut command = Command::new(program);
    command.args(rest).envs(vars);
    // A profile variable left in the child's environment would make some tools look for the profile's own
    // credentials instead of these.
    command.env_remove("AWS_PROFILE").env_remove("AWS_DEFAULT_PROFILE");
    log.verbose(&format!("running {}", program.to_string_lossy()));
    exec(command, program)
}

#[cfg(unix)]
fn exec(mut command: Command, program: &std::ffi::OsStr) -> Result<(), Failure> {
    // Replacing this process passes signals, the exit code and the terminal straight through.
    let error = std::os::unix::process::CommandExt::exec(&mut command);
    Err(cannot_run(program, &error))
}

#[cfg(not(unix))]
fn exec(mut command: Command, program: &std::ffi::OsStr) -> Result<(), Failure> {
    let code = crate::platform::run_child(&mut command).map_err(|e| cannot_run(program, &e))?;
    std::process::exit(code);
}

fn cannot_run(program: &std::ffi::OsStr, error: &std::io::Error) -> Failure {
    let hint = if error.kind() == std::io::ErrorKind::NotFound {
        " (not found on PATH)"
    } else {
        ""
    };
    Failure::new(
        Exit::CannotRun,
        format!("cannot run {}{hint}: {error}", program.to_string_lossy()),
    )
}
