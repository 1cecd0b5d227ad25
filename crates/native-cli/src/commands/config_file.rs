//! Reading `~/.aws/config` (or `AWS_CONFIG_FILE`): the I/O half of profile resolution. The text is parsed in
//! `resolve.rs`, and only when a profile may be used.

use std::path::PathBuf;

use super::resolve::{self, ConfigInput, ConfigText};
use crate::failure::{Exit, Failure};
use crate::files;
use crate::log::Log;

/// Config files are small; this only guards against pointing AWS_CONFIG_FILE at something huge.
pub const MAX_CONFIG_BYTES: u64 = 16 * 1024 * 1024;

/// `AWS_CONFIG_FILE`, else `~/.aws/config`.
pub fn config_path() -> Result<PathBuf, Failure> {
    files::env_path("AWS_CONFIG_FILE", ".aws/config")
}

/// Reads the config file's text; a missing file reads as `None`. A failure is kept in the result, to be reported
/// only if resolution needs the file.
pub fn read_config_text() -> ConfigText {
    ConfigText(config_path().and_then(|path| {
        let text = files::read_text(&path, MAX_CONFIG_BYTES, "the AWS config file", Exit::Config)?;
        Ok((path, text))
    }))
}

/// Reads and parses the config file, for commands that always need it; its notes go to the log (see `Log::note`).
pub fn read_config(log: &Log) -> Result<ConfigInput, Failure> {
    let mut notes = Vec::new();
    let config = resolve::parse_config_text(read_config_text(), &mut notes)?;
    for note in &notes {
        log.note(note);
    }
    Ok(config)
}

/// A credentials file larger than this is not one.
const MAX_CREDENTIALS_BYTES: u64 = 16 * 1024 * 1024;

/// The profiles of `AWS_SHARED_CREDENTIALS_FILE` (else `~/.aws/credentials`) that hold static keys, for a role
/// chain's error messages. A missing or unreadable file reads as none: it only sharpens an error.
pub fn read_static_key_profiles() -> Vec<String> {
    files::env_path("AWS_SHARED_CREDENTIALS_FILE", ".aws/credentials")
        .and_then(|path| files::read_text(&path, MAX_CREDENTIALS_BYTES, "the credentials file", Exit::Config))
        .ok()
        .flatten()
        .map(|text| sso_core::static_key_profiles(&text))
        .unwrap_or_default()
}
