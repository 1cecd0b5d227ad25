//! The AWS config file (`~/.aws/config`): text in, profiles and sso-sessions out, and a profile's SSO settings
//! resolved from them.
//!
//! The file is read as the AWS SDKs read it: the "shared config and credentials files" standard of the AWS SDKs
//! and Tools reference guide, whose reference implementation is the Rust SDK's `aws-config` profile parser
//! ([`file`] has the rules). The AWS CLI reads the same text with Python's `configparser` (botocore), which
//! differs in places (inline comments, `[default]` against `[profile default]`, repeated sections, …). Where it
//! does, the file is still read as the SDKs read it, and [`ConfigFile::warnings`] holds one
//! [`ConfigWarningKind::AwsCliDiffers`] warning per line whose reading differs, naming both readings
//! ([`botocore`] reads the file the AWS CLI's way to find them).
//!
//! - [`file`]: text to sections and properties (the SDK standard);
//! - [`botocore`]: the AWS CLI's reading, compared with the SDKs';
//! - [`profile`]: a profile's SSO settings and its sso-session;
//! - [`errors`]: what can go wrong.

mod botocore;
mod errors;
mod file;
mod profile;

use std::fmt;

pub use errors::ConfigError;
pub use profile::{
    DEFAULT_REGISTRATION_SCOPE, SsoProfile, parse_registration_scopes, resolve_sso_profile, token_cache_key,
};

/// Which kind of warning a [`ConfigWarning`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ConfigWarningKind {
    /// The AWS CLI (botocore) reads this line differently from ssocreds and the AWS SDKs, or cannot read the file
    /// at all. Worth showing by default: it explains why `aws` fails where ssocreds works, or the other way round.
    AwsCliDiffers,
    /// Something the SDK standard ignores (a section or setting whose name it does not allow, a bare `[default]`
    /// beside `[profile default]`). Worth showing with `--verbose`.
    Ignored,
}

/// Something the parser accepted but a user may not expect: worth telling, not worth failing for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigWarning {
    /// 1-based line number it is about.
    pub line: usize,
    /// What kind of warning it is: hosts show [`ConfigWarningKind::AwsCliDiffers`] by default, the rest when
    /// asked for detail.
    pub kind: ConfigWarningKind,
    /// What and why, in lower case, without the line number (the host adds the file and line).
    pub message: String,
}

impl ConfigWarning {
    /// Whether the AWS CLI reads this line differently ([`ConfigWarningKind::AwsCliDiffers`]).
    pub fn is_aws_cli_difference(&self) -> bool {
        self.kind == ConfigWarningKind::AwsCliDiffers
    }
}

/// `line 12: the AWS CLI reads …`; a host that knows the file writes `~/.aws/config:12: …` instead.
impl fmt::Display for ConfigWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

/// A value in the config file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfigValue {
    /// `key = value`; continuation lines, if any, joined with `\n`.
    Text(String),
    /// `key =` followed by indented `sub_key = value` lines (sub-properties, as in `s3 =` blocks), in file order;
    /// a sub-key given twice keeps its last value in the place of its first.
    Nested(Vec<(String, String)>),
}

/// The settings of one profile, sso-session or other section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Properties {
    header: String,
    line: usize,
    /// Lower-case key, value, 1-based line of the key.
    entries: Vec<(String, ConfigValue, usize)>,
}

impl Properties {
    fn new(header: &str, line: usize) -> Self {
        Self {
            header: header.to_owned(),
            line,
            entries: Vec::new(),
        }
    }

    /// The section header the settings came from (`default`, `profile dev`, `sso-session corp`), trimmed; for a
    /// section given more than once, its first header.
    pub fn header(&self) -> &str {
        &self.header
    }

    /// The 1-based line of the section header (its first, for a section given more than once).
    pub fn line(&self) -> usize {
        self.line
    }

    /// A value, its key matched without regard to ASCII case.
    pub fn value(&self, key: &str) -> Option<&ConfigValue> {
        self.entry(key).map(|(_, v, _)| v)
    }

    /// The 1-based line a key's value was set on (the last line that set it).
    pub fn line_of(&self, key: &str) -> Option<usize> {
        self.entry(key).map(|(_, _, line)| *line)
    }

    fn entry(&self, key: &str) -> Option<&(String, ConfigValue, usize)> {
        self.entries.iter().find(|(k, _, _)| k.eq_ignore_ascii_case(key))
    }

    /// A single-line or multi-line text value; `None` when absent or nested.
    pub fn get(&self, key: &str) -> Option<&str> {
        match self.value(key)? {
            ConfigValue::Text(text) => Some(text),
            ConfigValue::Nested(_) => None,
        }
    }

    /// Every key (in lower case, as the SDKs keep them) and value, in the order the keys first appear.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &ConfigValue)> {
        self.entries.iter().map(|(k, v, _)| (k.as_str(), v))
    }

    /// Sets a key (lower-cased); the last value wins, in the place of the first.
    fn set(&mut self, key: &str, value: ConfigValue, line: usize) {
        let key = key.to_ascii_lowercase();
        match self.entries.iter_mut().find(|(k, _, _)| *k == key) {
            Some(entry) => {
                entry.1 = value;
                entry.2 = line;
            }
            None => self.entries.push((key, value, line)),
        }
    }
}

/// A parsed config file: profiles, sso-sessions and other prefixed sections (`[services NAME]`, …) by name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConfigFile {
    profiles: Vec<(String, Properties)>,
    sso_sessions: Vec<(String, Properties)>,
    /// `(prefix, name)` of `[prefix name]` sections other than `profile` and `sso-session`.
    other_sections: Vec<((String, String), Properties)>,
    warnings: Vec<ConfigWarning>,
}

impl ConfigFile {
    /// A profile's settings by name (`default` for `[profile default]`, or `[default]` without it).
    pub fn profile(&self, name: &str) -> Option<&Properties> {
        self.profiles.iter().find(|(n, _)| n == name).map(|(_, p)| p)
    }

    /// An sso-session's settings by name.
    pub fn sso_session(&self, name: &str) -> Option<&Properties> {
        self.sso_sessions.iter().find(|(n, _)| n == name).map(|(_, p)| p)
    }

    /// A `[services NAME]` section (service-specific settings, such as `s3 =` then `  endpoint_url = …`).
    pub fn services(&self, name: &str) -> Option<&Properties> {
        self.section("services", name)
    }

    /// Any `[PREFIX NAME]` section other than a profile or sso-session.
    pub fn section(&self, prefix: &str, name: &str) -> Option<&Properties> {
        self.other_sections
            .iter()
            .find(|((p, n), _)| p == prefix && n == name)
            .map(|(_, s)| s)
    }

    /// Every `[PREFIX NAME]` section other than a profile or sso-session, as `(prefix, name, settings)`, in file
    /// order.
    pub fn other_sections(&self) -> impl Iterator<Item = (&str, &str, &Properties)> {
        self.other_sections
            .iter()
            .map(|((prefix, name), section)| (prefix.as_str(), name.as_str(), section))
    }

    /// What was accepted but may surprise: where the AWS CLI reads the file differently, what was ignored. In line
    /// order, at most one per line.
    pub fn warnings(&self) -> &[ConfigWarning] {
        &self.warnings
    }
}

/// The profile names in the file, in file order.
pub fn profile_names(config: &ConfigFile) -> Vec<&str> {
    config.profiles.iter().map(|(n, _)| n.as_str()).collect()
}

/// The sso-session names in the file, in file order.
pub fn sso_sessions(config: &ConfigFile) -> Vec<&str> {
    config.sso_sessions.iter().map(|(n, _)| n.as_str()).collect()
}

/// Parses the text of a config file as the AWS SDKs do, with a warning for each line the AWS CLI reads otherwise.
pub fn parse_config(text: &str) -> Result<ConfigFile, ConfigError> {
    let mut config = file::parse(text)?;
    let differences = botocore::differences(text, &config);
    let mut warnings = differences;
    // One warning per line: where the AWS CLI differs, that says more than "ignored".
    for warning in std::mem::take(&mut config.warnings) {
        if !warnings.iter().any(|w| w.line == warning.line) {
            warnings.push(warning);
        }
    }
    warnings.sort_by_key(|w| w.line);
    config.warnings = warnings;
    Ok(config)
}

#[cfg(test)]
mod tests;
