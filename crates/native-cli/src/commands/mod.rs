//! One module per subcommand, and the steps they share, each in its own file and each entered once, in order:
//!
//! 1. `mod.rs` ([`Inputs::read`]): the environment snapshot and the clock, read once per command;
//! 2. `config_file.rs`: the AWS config file's text, parsed (only when a profile may be used);
//! 3. `resolve.rs`: flags + environment + config → what to do (a pure function, unit-tested);
//! 4. `token_source.rs`: the token file found and read; `refresh.rs`: refreshed under its lock if due;
//! 5. `role_credentials.rs`: the portal call;
//! 6. the subcommand's own file formats the result, and `output.rs` writes it.

pub mod config_file;
pub mod discover;
pub mod exec;
pub mod export;
pub mod login;
pub mod logout;
pub mod output;
pub mod populate;
pub mod process;
pub mod refresh;
pub mod resolve;
pub mod role_credentials;
pub mod token;
pub mod token_source;
pub mod write;

use chrono::{DateTime, Utc};
use sso_core::RoleCredentials;

use crate::cli::TargetArgs;
use crate::environment::Environment;
use crate::failure::Failure;
use crate::log::Log;
use resolve::{CredentialsPlan, TargetFlags};

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

/// Steps 2 and 3 for `export`, `process`, `write` and `exec`: the flags are checked before any file is read.
pub fn plan_credentials(args: &TargetArgs, inputs: &Inputs, log: &Log) -> Result<CredentialsPlan, Failure> {
    let flags = TargetFlags::parse(args)?;
    let needed = resolve::config_needed(args.profile.as_deref(), &inputs.env, flags.profile_allowed());
    let config = config_file::read_config_if(needed, log)?;
    let plan = resolve::resolve_credentials(args, flags, &inputs.env, config.as_ref())?;
    if let (Some(profile), Some(config)) = (&plan.target.profile, &config) {
        log.verbose(&format!(
            "profile {} from {}",
            profile.profile_name,
            config.path.display()
        ));
    }
    Ok(plan)
}

/// Steps 2 to 5: the plan, the token, the call.
pub fn fetch_credentials(
    args: &TargetArgs,
    inputs: &Inputs,
    log: &Log,
) -> Result<(RoleCredentials, CredentialsPlan), Failure> {
    let plan = plan_credentials(args, inputs, log)?;
    let loaded = token_source::obtain_token(
        &plan.token,
        plan.target.profile.as_ref(),
        &plan.network,
        inputs.now,
        log,
    )?;
    let credentials = role_credentials::fetch(&plan, &loaded, log)?;
    Ok((credentials, plan))
}
