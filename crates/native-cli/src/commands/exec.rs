//! `ssocreds exec`: run a command with the credentials in its environment; with `--serve`, with a container
//! credentials endpoint instead, for as long as the command runs.

use std::process::Command;

use chrono::TimeDelta;
use sso_core::{ExportOptions, Region, VARIABLES_THAT_SHADOW_THE_ENDPOINT, credential_variables};

use super::serve::{Ready, ServeOptions};
use crate::cli::ExecArgs;
use crate::failure::{Exit, Failure};
use crate::log::Log;

pub fn run(args: &ExecArgs, log: &Log) -> Result<(), Failure> {
    if args.serve {
        return run_with_endpoint(args, log);
    }
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

/// `exec --serve`: the endpoint on a free port, the child with its two variables, signals passed on, the child's
/// exit code (or 128 + the signal that ended it) as ours.
fn run_with_endpoint(args: &ExecArgs, log: &Log) -> Result<(), Failure> {
    let export_region = args.export_region.as_deref().map(Region::new).transpose()?;
    let plan = super::plan_credentials(&args.target, &super::Inputs::read(), log)?;
    let region = export_region.or_else(|| plan.target.profile_region());
    let options = ServeOptions {
        port: 0,
        min_validity: TimeDelta::minutes(args.min_validity_minutes),
        // The child's stderr is ours: request lines only when asked for.
        log_requests: log.verbose,
    };
    let ready = Ready::start(plan, &options, log)?;
    let (program, rest) = args.command.split_first().expect("clap requires a command");
    let mut command = tokio::process::Command::new(program);
    command.args(rest);
    // The SDKs prefer static keys, a profile and the other container variables to the endpoint.
    for name in VARIABLES_THAT_SHADOW_THE_ENDPOINT {
        command.env_remove(name);
    }
    command.env_remove("AWS_DEFAULT_PROFILE");
    command.envs(ready.endpoint().variables());
    if let Some(region) = &region {
        command
            .env("AWS_REGION", region.as_str())
            .env("AWS_DEFAULT_REGION", region.as_str());
    }
    log.verbose(&format!(
        "running {} with the endpoint on 127.0.0.1:{}",
        program.to_string_lossy(),
        ready.endpoint().port()
    ));
    let program = program.clone();
    let code = ready.serve_while(async move { run_child(command, &program).await })?;
    std::process::exit(code);
}

/// Starts the child and waits for it, passing SIGTERM and SIGHUP on; SIGINT is ignored here (Ctrl-C reaches the
/// child through the terminal, and this process must outlive it to report its exit code).
#[cfg(unix)]
async fn run_child(mut command: tokio::process::Command, program: &std::ffi::OsStr) -> Result<i32, Failure> {
    use nix::sys::signal::{Signal, kill};
    use nix::unistd::Pid;
    use std::os::unix::process::ExitStatusExt;
    use tokio::signal::unix::{SignalKind, signal};

    let cannot = |e: std::io::Error| Failure::new(Exit::Internal, format!("cannot handle signals: {e}"));
    // Registered before the child starts, so that no signal falls between.
    let mut terminate = signal(SignalKind::terminate()).map_err(cannot)?;
    let mut hangup = signal(SignalKind::hangup()).map_err(cannot)?;
    let mut interrupt = signal(SignalKind::interrupt()).map_err(cannot)?;
    let mut child = command.spawn().map_err(|e| cannot_run(program, &e))?;
    let pid = child.id().and_then(|id| i32::try_from(id).ok()).map(Pid::from_raw);
    let forward = |signal: Signal| {
        if let Some(pid) = pid {
            // The child may have just ended: nothing to do then.
            let _ = kill(pid, signal);
        }
    };
    let status = loop {
        tokio::select! {
            status = child.wait() => break status,
            _ = terminate.recv() => forward(Signal::SIGTERM),
            _ = hangup.recv() => forward(Signal::SIGHUP),
            _ = interrupt.recv() => {}
        }
    }
    .map_err(|e| {
        Failure::new(
            Exit::Internal,
            format!("cannot wait for {}: {e}", program.to_string_lossy()),
        )
    })?;
    Ok(status
        .code()
        .or_else(|| status.signal().map(|signal| 128 + signal))
        .unwrap_or(1))
}

#[cfg(not(unix))]
async fn run_child(mut command: tokio::process::Command, program: &std::ffi::OsStr) -> Result<i32, Failure> {
    let mut child = command.spawn().map_err(|e| cannot_run(program, &e))?;
    let status = child.wait().await.map_err(|e| {
        Failure::new(
            Exit::Internal,
            format!("cannot wait for {}: {e}", program.to_string_lossy()),
        )
    })?;
    Ok(status.code().unwrap_or(1))
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
