//! One module per subcommand, and the steps they share, each in its own file and each entered once, in order:
//!
//! 1. `mod.rs` ([`Inputs::read`]): the environment snapshot and the clock, read once per command;
//! 2. `config_file.rs`: the AWS config file's text;
//! 3. `resolve.rs`: flags + environment + config text + `now` → what to do (a pure function, unit-tested; the
//!    config is parsed there, and only when a profile may be used);
//! 4. `token_source.rs`: the token file found and read; `refresh.rs`: refreshed under its lock if due;
//! 5. `role_credentials.rs`: the portal call; then, for a role profile, `assume_role.rs`: one STS `AssumeRole` per
//!    hop of the chain, each with the previous credentials;
//! 6. the subcommand's own file formats the result, and `output.rs` writes it.

pub mod assume_role;
pub mod completions;
pub mod config_file;
pub mod console;
pub mod discover;
pub mod exec;
pub mod export;
pub mod login;
pub mod logout;
pub mod man;
pub mod output;
pub mod populate;
pub mod process;
pub mod refresh;
pub mod resolve;
pub mod role_credentials;
pub mod serve;
pub mod token;
pub mod token_source;
pub mod write;

use chrono::{DateTime, Utc};
use sso_core::RoleCredentials;

use crate::cli::TargetArgs;
use crate::environment::Environment;
use crate::failure::Failure;
use crate::log::Log;
use resolve::CredentialsPlan;

/// What a command reads from the process before it decides anything.
pub struct Inputs {
    pub env: Environment,
    /// The clock, read once: every expiry check and message of the command uses it.
    pub now: DateTime<Utc>,
}

impl Inputs {
    pub fn read() -> Self {
        Self {
            env: Environment::read(),
            now: Utc::now(),
        }
    }
}

/// Steps 2 and 3 for the commands that fetch role credentials: config text, resolution (step 1, the inputs, is the
/// caller's `Inputs::read()`, so that a command needing more of the environment reads it in that one snapshot).
pub fn plan_credentials(args: &TargetArgs, inputs: &Inputs, log: &Log) -> Result<CredentialsPlan, Failure> {
    let plan = resolve::resolve_credentials(
        args,
        &inputs.env,
        inputs.now,
        config_file::read_config_text(),
        &config_file::read_static_key_profiles,
    )?;
    for note in &plan.notes {
        log.note(note);
    }
    Ok(plan)
}

/// Steps 1 to 5: the plan, the token, the call.
pub fn fetch_credentials(args: &TargetArgs, log: &Log) -> Result<(RoleCredentials, CredentialsPlan), Failure> {
    let plan = plan_credentials(args, &Inputs::read(), log)?;
    let credentials = credentials_for(&plan, plan.now, log)?;
    Ok((credentials, plan))
}

/// Steps 4 and 5 for a resolved plan at `now`: the token (refreshed if due), then the call, then the role chain's
/// `AssumeRole` calls if the profile is a role profile. Commands that fetch more than once (`serve`) call this
/// again with a new `now`; every command gets its credentials through here.
pub fn credentials_for(plan: &CredentialsPlan, now: DateTime<Utc>, log: &Log) -> Result<RoleCredentials, Failure> {
    let profile = plan.target.profile.as_ref();
    let loaded = token_source::obtain_token(&plan.token, profile, &plan.network, now, log)?;
    let credentials = role_credentials::fetch(plan, &loaded, log)?;
    match &plan.target.chain {
        Some(chain) => assume_role::assume_chain(plan, chain, credentials, now, log),
        None => Ok(credentials),
    }
}
