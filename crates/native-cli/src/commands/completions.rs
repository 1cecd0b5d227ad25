//! `ssocreds completions SHELL`: the shell's completion script, from clap_complete's dynamic engine.
//!
//! The script the shell sources is a small function that runs `SSOCREDS_COMPLETE=<shell> ssocreds -- <words>` at
//! each Tab; [`complete_if_asked`], the first thing `main` does, answers it from the same clap definitions the
//! parser uses. So commands, flags and `--format` values never go stale, and profile and sso-session names are read
//! from the config file at the moment of completion. (The static scripts of `clap_complete::generate` cannot call
//! back for values, so profile names would need a hand-patched script per shell.)

use std::ffi::OsString;

use clap::CommandFactory;
use clap_complete::CompletionCandidate;
use clap_complete::env::{Bash, CompleteEnv, Elvish, EnvCompleter, Fish, Powershell, Zsh};

use super::config_file;
use crate::cli::{Cli, CompletionShell, CompletionsArgs};
use crate::failure::{Exit, Failure};

/// The variable that turns a run into a completion request. Not clap's default `COMPLETE`, which a user's
/// environment (or another program's) might set for its own purposes.
pub const COMPLETE_VARIABLE: &str = "SSOCREDS_COMPLETE";

/// Answers a completion request and exits, when `SSOCREDS_COMPLETE` names a shell; otherwise returns.
pub fn complete_if_asked() {
    CompleteEnv::with_factory(Cli::command)
        .var(COMPLETE_VARIABLE)
        .complete();
}

pub fn run(args: &CompletionsArgs) -> Result<(), Failure> {
    let (name, shell): (&str, &dyn EnvCompleter) = match args.shell {
        CompletionShell::Bash => ("bash", &Bash),
        CompletionShell::Zsh => ("zsh", &Zsh),
        CompletionShell::Fish => ("fish", &Fish),
        CompletionShell::PowerShell => ("powershell", &Powershell),
        CompletionShell::Elvish => ("elvish", &Elvish),
    };
    let mut script = Vec::new();
    shell
        .write_registration(
            COMPLETE_VARIABLE,
            "ssocreds",
            "ssocreds",
            &completer_path(),
            &mut script,
        )
        .map_err(|e| Failure::new(Exit::Internal, format!("cannot write the {name} script: {e}")))?;
    super::output::print_stdout(&String::from_utf8_lossy(&script))
}

/// The program the script calls at Tab time: `ssocreds` as it was run here, so a script made by `ssocreds` on the
/// PATH keeps calling the one on the PATH (and follows upgrades), and one made by `./target/debug/ssocreds` calls
/// that file by its absolute path (as clap_complete's own `COMPLETE=bash ssocreds` does).
fn completer_path() -> String {
    let argv0 = std::env::args_os().next().unwrap_or_else(|| OsString::from("ssocreds"));
    let mut path = std::path::PathBuf::from(argv0);
    if path.components().count() > 1
        && let Ok(dir) = std::env::current_dir()
    {
        path = dir.join(path);
    }
    path.to_string_lossy().into_owned()
}

/// The profiles of the config file, with their account and role as help (zsh and fish show it), for `--profile`.
/// A missing or broken config file completes nothing rather than failing the shell's completion.
pub fn profile_candidates() -> Vec<CompletionCandidate> {
    let Some(config) = read_config() else {
        return Vec::new();
    };
    sso_core::profile_names(&config)
        .into_iter()
        .map(|name| {
            let properties = config.profile(name);
            let field = |key| properties.and_then(|p| p.get(key));
            let help = match (field("sso_account_id"), field("sso_role_name")) {
                (Some(account), Some(role)) => Some(format!("{role} in {account}")),
                _ => field("sso_session").map(|session| format!("sso-session {session}")),
            };
            CompletionCandidate::new(name).help(help.map(Into::into))
        })
        .collect()
}

/// The `[sso-session NAME]` sections of the config file, for `--sso-session`.
pub fn sso_session_candidates() -> Vec<CompletionCandidate> {
    let Some(config) = read_config() else {
        return Vec::new();
    };
    sso_core::sso_sessions(&config)
        .into_iter()
        .map(CompletionCandidate::new)
        .collect()
}

fn read_config() -> Option<sso_core::ConfigFile> {
    let (_, text) = config_file::read_config_text().0.ok()?;
    sso_core::parse_config(&text?).ok()
}
