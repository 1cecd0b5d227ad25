//! Reading `~/.aws/config` (or `AWS_CONFIG_FILE`): the I/O half of profile resolution. Parsing is the core's.

use std::path::PathBuf;

use sso_core::parse_config;

use super::resolve::ConfigInput;
use crate::failure::{Exit, Failure, chain};
use crate::files;
use crate::log::Log;

/// Config files are small; this only guards against pointing AWS_CONFIG_FILE at something huge.
pub const MAX_CONFIG_BYTES: u64 = 16 * 1024 * 1024;

/// `AWS_CONFIG_FILE`, else `~/.aws/config`.
pub fn config_path() -> Result<PathBuf, Failure> {
    files::env_path("AWS_CONFIG_FILE", ".aws/config")
}

/// Reads and parses the AWS config file; a missing file reads as `file: None`. Its warnings go to `--verbose`.
pub fn read_config(log: &Log) -> Result<ConfigInput, Failure> {
    let path = config_path()?;
    let Some(text) = files::read_text(&path, MAX_CONFIG_BYTES, "the AWS config file", Exit::Config)? else {
        return Ok(ConfigInput { path, file: None });
    };
    let file =
        parse_config(&text).map_err(|e| Failure::new(Exit::Config, format!("{}: {}", path.display(), chain(&e))))?;
    for warning in file.warnings() {
        log.verbose(&format!("{}:{}: {}", path.display(), warning.line, warning.message));
    }
    Ok(ConfigInput { path, file: Some(file) })
}

/// Reads the config file only when `needed` (a command that uses no profile never fails over a broken one).
pub fn read_config_if(needed: bool, log: &Log) -> Result<Option<ConfigInput>, Failure> {
    needed.then(|| read_config(log)).transpose()
}
