//! The AWS config file (`~/.aws/config`): text in, profiles and sso-sessions out, and a profile's SSO settings
//! resolved as the AWS CLI resolves them.
//!
//! Parsing follows botocore (`configloader.py` over Python's `RawConfigParser`; see [`crate::ini`] for the line
//! rules). Where botocore and the other SDKs differ, the choice made here:
//! - `[default]` and `[profile default]` both name the profile `default`; when both exist, the section that comes
//!   later in the file wins as a whole, as in botocore (the Rust SDK would prefer `[profile default]`). A warning
//!   says so.
//! - The same section header twice: botocore refuses the whole file (Python's strict `configparser`); the Rust, Go
//!   and JavaScript SDKs merge the two. Here they merge (a later key wins) and a warning says that botocore will
//!   reject the file. The same for a key repeated in one section.
//! - Section names are trimmed (`[profile  dev ]` is `dev`) and may be quoted (`[profile "my dev"]`), as botocore's
//!   `shlex.split` allows; an unquoted name with inner spaces is ignored, as botocore ignores it.
//! - Keys are kept as written and looked up without regard to ASCII case, since `configparser` lower-cases them.
//! - Lines botocore cannot parse (a setting before any section, a line without `=`, a nested line without `=`)
//!   are errors with their line number: the AWS CLI fails on such a file too.
//! - There are no inline comments, as in botocore: `region = us-east-1 # x` has the value `us-east-1 # x`. An
//!   invalid value that looks like it carries one gets a hint in the error.
//! - Python's special `[DEFAULT]` section (whose keys every section inherits) is not supported; it is ignored.

use crate::ids::{AccountId, Region, RoleName, ValidationError};
use crate::ini::{LineKind, lex};
use crate::quote::Quoted;

/// The scope the AWS CLI asks for when an sso-session sets no `sso_registration_scopes`.
pub const DEFAULT_REGISTRATION_SCOPE: &str = "sso:account:access";

/// How many profile names an "unknown profile" error lists.
const LISTED_NAMES: usize = 10;

/// A config file that cannot be read at all, or a profile that cannot be resolved.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    /// A line botocore would reject too.
    #[error("the config file is not valid at line {line}: {reason}; fix or remove that line (`aws` fails on it too)")]
    Syntax {
        /// 1-based line number.
        line: usize,
        /// What is wrong.
        reason: &'static str,
    },
    /// No such profile.
    #[error("{}", unknown_profile_message(.profile, .available, *.total))]
    UnknownProfile {
        /// The profile asked for.
        profile: String,
        /// Up to ten profiles that do exist, in file order.
        available: Vec<String>,
        /// How many profiles exist.
        total: usize,
    },
    /// The profile exists but has no SSO settings.
    #[error(
        "profile {} has no SSO settings: add `sso_session = NAME` (with an [sso-session NAME] section \
         holding sso_start_url and sso_region), or sso_start_url and sso_region, to [{section}]; \
         `aws configure sso --profile {profile}` writes them",
        Quoted(.profile)
    )]
    NotSso {
        /// The profile.
        profile: String,
        /// The section header (`default` or `profile NAME`).
        section: String,
    },
    /// A required key is missing.
    #[error("[{section}] has no `{key}`: add a line `{key} = {example}` to it")]
    MissingKey {
        /// The key.
        key: &'static str,
        /// The section header it must go in.
        section: String,
        /// An example value.
        example: &'static str,
    },
    /// The profile names an sso-session that does not exist.
    #[error(
        "profile {} uses sso_session = {}, but there is no [sso-session {session}] section{}",
        Quoted(.profile),
        Quoted(.session),
        known_sessions(.available)
    )]
    UnknownSession {
        /// The profile.
        profile: String,
        /// The session named.
        session: String,
        /// The sessions that do exist.
        available: Vec<String>,
    },
    /// A key has different values in the profile and its sso-session.
    #[error(
        "`{key}` is set differently in [{profile_section}] ({}) and in [sso-session {session}] ({}); the AWS \
         CLI refuses this: remove it from the profile, or make both the same",
        Quoted(.profile_value),
        Quoted(.session_value)
    )]
    Conflict {
        /// The key.
        key: String,
        /// The profile's section header.
        profile_section: String,
        /// The value in the profile.
        profile_value: String,
        /// The session's name.
        session: String,
        /// The value in the session.
        session_value: String,
    },
    /// A value is not valid for its key.
    #[error(
        "`{key}` in [{section}] is not valid{}",
        if *.inline_comment { "; comments after a value are not supported by the AWS tools, put the comment on a line of its own" } else { "" }
    )]
    InvalidValue {
        /// The key.
        key: &'static str,
        /// The section header.
        section: String,
        /// Whether the value holds ` #` or ` ;`, which looks like an inline comment.
        inline_comment: bool,
        /// Why the value is not valid (names the value).
        #[source]
        source: ValidationError,
    },
    /// A key that must hold a single value holds a nested block.
    #[error("`{key}` in [{section}] is an indented block of settings, expected a single value")]
    NestedValue {
        /// The key.
        key: &'static str,
        /// The section header.
        section: String,
    },
}

fn unknown_profile_message(profile: &str, available: &[String], total: usize) -> String {
    let mut message = format!("there is no profile {} in the config file", Quoted(profile));
    if available.is_empty() {
        message.push_str(" (it has no profiles at all); `aws configure sso` creates one");
        return message;
    }
    let names: Vec<String> = available.iter().map(|n| Quoted(n).to_string()).collect();
    message.push_str(&format!("; profiles: {}", names.join(", ")));
    if total > available.len() {
        message.push_str(&format!(" and {} more", total - available.len()));
    }
    message
}

fn known_sessions(available: &[String]) -> String {
    if available.is_empty() {
        " (the file has no sso-session sections)".to_owned()
    } else {
        let names: Vec<String> = available.iter().map(|n| Quoted(n).to_string()).collect();
        format!(" (sso-sessions: {})", names.join(", "))
    }
}

impl ConfigError {
    /// A stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Syntax { .. } => "CONFIG_SYNTAX",
            Self::UnknownProfile { .. } => "CONFIG_UNKNOWN_PROFILE",
            Self::NotSso { .. } => "CONFIG_PROFILE_NOT_SSO",
            Self::MissingKey { .. } => "CONFIG_MISSING_KEY",
            Self::UnknownSession { .. } => "CONFIG_UNKNOWN_SSO_SESSION",
            Self::Conflict { .. } => "CONFIG_CONFLICT",
            Self::InvalidValue { .. } => "CONFIG_INVALID_VALUE",
            Self::NestedValue { .. } => "CONFIG_NESTED_VALUE",
        }
    }
}

/// Something the parser accepted that another AWS tool may not: worth telling the user, not worth failing for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigWarning {
    /// 1-based line number it is about.
    pub line: usize,
    /// What and why, in lower case.
    pub message: String,
}

/// A value in the config file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfigValue {
    /// `key = value`; continuation lines, if any, joined with `\n`.
    Text(String),
    /// `key =` followed by indented `sub_key = value` lines (as in `s3 =` blocks), in file order.
    Nested(Vec<(String, String)>),
}

/// The settings of one profile or sso-session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Properties {
    header: String,
    line: usize,
    entries: Vec<(String, ConfigValue)>,
}

impl Properties {
    /// The section header the settings came from (`default`, `profile dev`, `sso-session corp`).
    pub fn header(&self) -> &str {
        &self.header
    }

    /// The 1-based line of the section header.
    pub fn line(&self) -> usize {
        self.line
    }

    /// A value, its key matched without regard to ASCII case.
    pub fn value(&self, key: &str) -> Option<&ConfigValue> {
        self.entries
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v)
    }

    /// A single-line or multi-line text value; `None` when absent or nested.
    pub fn get(&self, key: &str) -> Option<&str> {
        match self.value(key)? {
            ConfigValue::Text(text) => Some(text),
            ConfigValue::Nested(_) => None,
        }
    }

    /// Every key and value, in file order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &ConfigValue)> {
        self.entries.iter().map(|(k, v)| (k.as_str(), v))
    }

    fn set(&mut self, key: &str, value: ConfigValue) -> bool {
        match self.entries.iter_mut().find(|(k, _)| k.eq_ignore_ascii_case(key)) {
            Some(entry) => {
                entry.1 = value;
                true
            }
            None => {
                self.entries.push((key.to_owned(), value));
                false
            }
        }
    }
}

/// A parsed config file: profiles and sso-sessions by name. Other sections (`[services x]`, `[plugins]`, …) are
/// read and ignored.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConfigFile {
    profiles: Vec<(String, Properties)>,
    sso_sessions: Vec<(String, Properties)>,
    warnings: Vec<ConfigWarning>,
}

impl ConfigFile {
    /// A profile's settings by name (`default` for `[default]`).
    pub fn profile(&self, name: &str) -> Option<&Properties> {
        self.profiles.iter().find(|(n, _)| n == name).map(|(_, p)| p)
    }

    /// An sso-session's settings by name.
    pub fn sso_session(&self, name: &str) -> Option<&Properties> {
        self.sso_sessions.iter().find(|(n, _)| n == name).map(|(_, p)| p)
    }

    /// What was accepted but may trouble another AWS tool.
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

/// What a section header names.
enum SectionName {
    Profile(String),
    SsoSession(String),
    Other,
}

/// Maps a header as botocore's `build_profile_map` does: `default`, or a `profile`/`sso-session` prefix followed
/// by exactly one (possibly quoted) word.
fn classify(header: &str) -> Result<SectionName, &'static str> {
    let trimmed = header.trim();
    if trimmed == "default" {
        return Ok(SectionName::Profile("default".to_owned()));
    }
    for (prefix, profile) in [("profile", true), ("sso-session", false)] {
        let Some(rest) = trimmed.strip_prefix(prefix) else {
            continue;
        };
        if !rest.starts_with(char::is_whitespace) {
            continue;
        }
        let name = single_word(rest.trim()).ok_or(
            "the name has spaces and is not quoted, so the AWS tools ignore this section; quote it (\"my name\")",
        )?;
        return Ok(if profile {
            SectionName::Profile(name)
        } else {
            SectionName::SsoSession(name)
        });
    }
    Ok(SectionName::Other)
}

/// One shell word: `"quoted name"`, `'quoted name'` or a word without white space.
fn single_word(text: &str) -> Option<String> {
    for quote in ['"', '\''] {
        if let Some(inner) = text.strip_prefix(quote).and_then(|t| t.strip_suffix(quote))
            && !inner.contains(quote)
        {
            return Some(inner.to_owned());
        }
    }
    (!text.is_empty() && !text.contains(char::is_whitespace) && !text.contains(['"', '\''])).then(|| text.to_owned())
}

/// Parses a nested block (`key =` then indented `k = v` lines) as botocore's `_parse_nested`: each non-blank
/// line splits at its first `=`; blank lines are skipped.
fn parse_nested(lines: &[(usize, &str)]) -> Result<Vec<(String, String)>, ConfigError> {
    let mut nested: Vec<(String, String)> = Vec::new();
    for &(line, text) in lines.iter().filter(|(_, text)| !text.is_empty()) {
        let (key, value) = text.split_once('=').ok_or(ConfigError::Syntax {
            line,
            reason: "an indented line under `key =` without `=` (nested settings are `name = value`)",
        })?;
        let (key, value) = (key.trim().to_owned(), value.trim().to_owned());
        match nested.iter_mut().find(|(k, _)| *k == key) {
            Some(entry) => entry.1 = value,
            None => nested.push((key, value)),
        }
    }
    Ok(nested)
}

/// Parses the text of a config file.
pub fn parse_config(text: &str) -> Result<ConfigFile, ConfigError> {
    // First as configparser does: sections by exact header, merged when repeated.
    let mut sections: Vec<Properties> = Vec::new();
    let mut warnings = Vec::new();
    let mut current: Option<usize> = None;
    // The key whose value is being read: (line, key, first-line value, continuation lines).
    type Pending<'a> = (usize, &'a str, &'a str, Vec<(usize, &'a str)>);
    let mut pending: Option<Pending<'_>> = None;
    let mut keys: Vec<(usize, String, Option<ConfigError>)> = Vec::new();

    // Nested blocks are parsed once a key's value is final, as botocore does after configparser has read the whole
    // file: a broken block that a later line of the same key replaces is no error. `keys` holds, per section index,
    // each lower-case key and the error of its current value, if any.
    fn finish(
        pending: Option<Pending<'_>>,
        section: Option<&mut Properties>,
        keys: &mut Vec<(usize, String, Option<ConfigError>)>,
        section_index: usize,
        warnings: &mut Vec<ConfigWarning>,
    ) {
        let (Some((line, key, first, more)), Some(section)) = (pending, section) else {
            return;
        };
        // As configparser: continuation lines (blank ones included) joined with `\n`, trailing white space
        // stripped; a value that then starts with `\n` is a nested block (botocore's `raw_config_parse`).
        let mut text = first.to_owned();
        for (_, continuation) in &more {
            text.push('\n');
            text.push_str(continuation);
        }
        let text = text.trim_end();
        let (value, error) = if text.starts_with('\n') {
            match parse_nested(&more) {
                Ok(nested) => (ConfigValue::Nested(nested), None),
                Err(error) => (ConfigValue::Nested(Vec::new()), Some(error)),
            }
        } else {
            (ConfigValue::Text(text.to_owned()), None)
        };
        let lower = key.to_ascii_lowercase();
        match keys.iter_mut().find(|(i, k, _)| *i == section_index && *k == lower) {
            Some(entry) => {
                entry.2 = error;
                warnings.push(ConfigWarning {
                    line,
                    message: format!(
                        "`{key}` is set twice in [{}]; the later value is used, but botocore (the AWS CLI, boto3) \
                         rejects a file with a repeated key",
                        section.header
                    ),
                });
            }
            None => keys.push((section_index, lower, error)),
        }
        section.set(key, value);
    }

    for line in lex(text) {
        match line.kind {
            // A blank line inside a value is part of it, as in configparser; a comment line is not.
            LineKind::Blank => {
                if let Some((_, _, _, more)) = &mut pending {
                    more.push((line.number, ""));
                }
            }
            LineKind::Comment => {}
            LineKind::Continuation { value } => {
                if let Some((_, _, _, more)) = &mut pending {
                    more.push((line.number, value));
                }
            }
            LineKind::Invalid { reason } => {
                return Err(ConfigError::Syntax {
                    line: line.number,
                    reason,
                });
            }
            LineKind::Section { header } => {
                let index = current.unwrap_or(0);
                finish(
                    pending.take(),
                    current.map(|i| &mut sections[i]),
                    &mut keys,
                    index,
                    &mut warnings,
                );
                current = Some(match sections.iter().position(|s| s.header == header) {
                    Some(existing) => {
                        warnings.push(ConfigWarning {
                            line: line.number,
                            message: format!(
                                "[{header}] appears again (first at line {}); the two are merged, but botocore (the \
                                 AWS CLI, boto3) rejects a file with a repeated section",
                                sections[existing].line
                            ),
                        });
                        existing
                    }
                    None => {
                        sections.push(Properties {
                            header: header.to_owned(),
                            line: line.number,
                            entries: Vec::new(),
                        });
                        sections.len() - 1
                    }
                });
            }
            LineKind::Key { key, value } => {
                let index = current.unwrap_or(0);
                finish(
                    pending.take(),
                    current.map(|i| &mut sections[i]),
                    &mut keys,
                    index,
                    &mut warnings,
                );
                pending = Some((line.number, key, value, Vec::new()));
            }
        }
    }
    let index = current.unwrap_or(0);
    finish(
        pending.take(),
        current.map(|i| &mut sections[i]),
        &mut keys,
        index,
        &mut warnings,
    );

    if let Some(error) = keys
        .into_iter()
        .filter_map(|(_, _, error)| error)
        .min_by_key(|error| match error {
            ConfigError::Syntax { line, .. } => *line,
            _ => 0,
        })
    {
        return Err(error);
    }

    // Then as build_profile_map does: sections to profile and sso-session names, a later section replacing an
    // earlier one of the same name.
    let mut config = ConfigFile::default();
    for section in sections {
        let (list, name, kind) = match classify(&section.header) {
            Ok(SectionName::Profile(name)) => (&mut config.profiles, name, "profile"),
            Ok(SectionName::SsoSession(name)) => (&mut config.sso_sessions, name, "sso-session"),
            Ok(SectionName::Other) => continue,
            Err(reason) => {
                warnings.push(ConfigWarning {
                    line: section.line,
                    message: format!("[{}] is ignored: {reason}", section.header),
                });
                continue;
            }
        };
        match list.iter_mut().find(|(n, _)| *n == name) {
            Some(entry) => {
                warnings.push(ConfigWarning {
                    line: section.line,
                    message: format!(
                        "[{}] and [{}] (line {}) both define {kind} {}; the later one is used as a whole, as \
                         botocore does",
                        section.header,
                        entry.1.header,
                        entry.1.line,
                        Quoted(&name)
                    ),
                });
                entry.1 = section;
            }
            None => list.push((name, section)),
        }
    }
    warnings.sort_by_key(|w| w.line);
    config.warnings = warnings;
    Ok(config)
}

/// A profile's SSO settings, resolved from the profile and its sso-session.
///
/// Account and role are optional here: a profile may only sign in, and command-line flags override them later.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SsoProfile {
    /// The profile's name.
    pub profile_name: String,
    /// The sso-session's name, for `sso_session` profiles; `None` for legacy profiles.
    pub session_name: Option<String>,
    /// The start URL, exactly as written (it names the token cache file of legacy profiles).
    pub start_url: String,
    /// The region of the IAM Identity Center instance (`sso_region`): where the portal and OIDC calls go.
    pub sso_region: Region,
    /// `sso_account_id`, if set.
    pub account_id: Option<AccountId>,
    /// `sso_role_name`, if set.
    pub role_name: Option<RoleName>,
    /// The scopes to register a client with: the sso-session's `sso_registration_scopes`, or
    /// [`DEFAULT_REGISTRATION_SCOPE`] when it sets none. Empty for legacy profiles, which the AWS CLI registers
    /// without scopes (their tokens cannot be refreshed).
    pub registration_scopes: Vec<String>,
    /// `sso_registration_scopes` exactly as the AWS CLI parses it (comma-split, trimmed, empty parts dropped), or
    /// `None` when the key is absent or the profile is legacy: the value the AWS CLI hashes into its
    /// client-registration cache key.
    pub configured_registration_scopes: Option<Vec<String>>,
    /// The profile's `region` (the region for AWS API calls, exported as `AWS_REGION`), if set.
    pub region: Option<Region>,
}

impl SsoProfile {
    /// The text whose SHA-1 names the token cache file: see [`token_cache_key`].
    pub fn token_cache_key(&self) -> &str {
        token_cache_key(self)
    }

    /// The token cache file name (`<sha1>.json`) for this profile.
    pub fn cache_file_name(&self) -> String {
        crate::cache::cache_file_name(self.token_cache_key())
    }
}

/// The text whose SHA-1 names a profile's token cache file: the session name for `sso_session` profiles, the exact
/// start URL for legacy ones (PROTOCOL.md; botocore `SSOTokenLoader._generate_cache_key`). Pass it to
/// [`crate::cache_file_name`].
pub fn token_cache_key(profile: &SsoProfile) -> &str {
    profile.session_name.as_deref().unwrap_or(&profile.start_url)
}

/// Splits `sso_registration_scopes` as the AWS CLI's `parse_sso_registration_scopes` does.
pub fn parse_registration_scopes(raw: &str) -> Vec<String> {
    raw.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

fn looks_like_inline_comment(value: &str) -> bool {
    value.contains(" #") || value.contains(" ;") || value.contains("\t#") || value.contains("\t;")
}

/// Reads an optional single-valued key and validates it.
fn typed<T>(
    properties: &Properties,
    key: &'static str,
    parse: fn(&str) -> Result<T, ValidationError>,
) -> Result<Option<T>, ConfigError> {
    match properties.value(key) {
        None => Ok(None),
        Some(ConfigValue::Nested(_)) => Err(ConfigError::NestedValue {
            key,
            section: properties.header.clone(),
        }),
        Some(ConfigValue::Text(text)) => parse(text).map(Some).map_err(|source| ConfigError::InvalidValue {
            key,
            section: properties.header.clone(),
            inline_comment: looks_like_inline_comment(text),
            source,
        }),
    }
}

fn value_text(value: &ConfigValue) -> String {
    match value {
        ConfigValue::Text(text) => text.clone(),
        ConfigValue::Nested(entries) => {
            let parts: Vec<String> = entries.iter().map(|(k, v)| format!("{k} = {v}")).collect();
            parts.join("; ")
        }
    }
}

/// The keys that make a profile an SSO profile for botocore's SSO credential provider, plus `sso_session`.
const SSO_KEYS: [&str; 5] = [
    "sso_session",
    "sso_start_url",
    "sso_region",
    "sso_account_id",
    "sso_role_name",
];

/// Resolves a profile's SSO settings as botocore's SSO providers and `aws sso login` do.
///
/// A profile with `sso_session = NAME` takes `sso_start_url`, `sso_region` and `sso_registration_scopes` from
/// `[sso-session NAME]`; every key the session sets must not be set to another value in the profile (botocore
/// `_resolve_sso_session_reference` compares them all). A legacy profile has `sso_start_url` and `sso_region`
/// itself.
pub fn resolve_sso_profile(config: &ConfigFile, profile: &str) -> Result<SsoProfile, ConfigError> {
    let Some(properties) = config.profile(profile) else {
        let names = profile_names(config);
        return Err(ConfigError::UnknownProfile {
            profile: profile.to_owned(),
            available: names.iter().take(LISTED_NAMES).map(|n| (*n).to_owned()).collect(),
            total: names.len(),
        });
    };
    if SSO_KEYS.iter().all(|key| properties.value(key).is_none()) {
        return Err(ConfigError::NotSso {
            profile: profile.to_owned(),
            section: properties.header.clone(),
        });
    }
    let session_name = match properties.value("sso_session") {
        None => None,
        Some(ConfigValue::Nested(_)) => {
            return Err(ConfigError::NestedValue {
                key: "sso_session",
                section: properties.header.clone(),
            });
        }
        Some(ConfigValue::Text(name)) => Some(name.clone()),
    };

    let (source, configured_scopes) = match &session_name {
        Some(name) => {
            let Some(session) = config.sso_session(name) else {
                return Err(ConfigError::UnknownSession {
                    profile: profile.to_owned(),
                    session: name.clone(),
                    available: sso_sessions(config).iter().map(|n| (*n).to_owned()).collect(),
                });
            };
            for (key, session_value) in session.iter() {
                if let Some(profile_value) = properties.value(key)
                    && profile_value != session_value
                {
                    return Err(ConfigError::Conflict {
                        key: key.to_owned(),
                        profile_section: properties.header.clone(),
                        profile_value: value_text(profile_value),
                        session: name.clone(),
                        session_value: value_text(session_value),
                    });
                }
            }
            let scopes = match session.value("sso_registration_scopes") {
                None => None,
                Some(ConfigValue::Text(raw)) => Some(parse_registration_scopes(raw)),
                Some(ConfigValue::Nested(_)) => {
                    return Err(ConfigError::NestedValue {
                        key: "sso_registration_scopes",
                        section: session.header.clone(),
                    });
                }
            };
            (session, scopes)
        }
        None => (properties, None),
    };

    let start_url = match source.value("sso_start_url") {
        Some(ConfigValue::Text(url)) if !url.is_empty() => url.clone(),
        Some(ConfigValue::Nested(_)) => {
            return Err(ConfigError::NestedValue {
                key: "sso_start_url",
                section: source.header.clone(),
            });
        }
        _ => {
            return Err(ConfigError::MissingKey {
                key: "sso_start_url",
                section: source.header.clone(),
                example: "https://my-sso-portal.awsapps.com/start",
            });
        }
    };
    let sso_region = typed(source, "sso_region", Region::new)?.ok_or_else(|| ConfigError::MissingKey {
        key: "sso_region",
        section: source.header.clone(),
        example: "us-east-1",
    })?;
    let registration_scopes = match (&session_name, &configured_scopes) {
        (None, _) => Vec::new(),
        (Some(_), Some(scopes)) if !scopes.is_empty() => scopes.clone(),
        (Some(_), _) => vec![DEFAULT_REGISTRATION_SCOPE.to_owned()],
    };
    Ok(SsoProfile {
        profile_name: profile.to_owned(),
        session_name,
        start_url,
        sso_region,
        account_id: typed(properties, "sso_account_id", AccountId::new)?,
        role_name: typed(properties, "sso_role_name", RoleName::new)?,
        registration_scopes,
        configured_registration_scopes: configured_scopes,
        region: typed(properties, "region", Region::new)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    // On wasm32 the same tests run under wasm-bindgen-test (as quinn-proto does).
    #[cfg(all(target_family = "wasm", target_os = "unknown"))]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    const MIXED: &str = "\
# my config
[default]
region = eu-west-1

[profile legacy]
sso_start_url = https://legacy.awsapps.com/start
sso_region = us-east-1
sso_account_id = 111122223333
sso_role_name = ReadOnly
region = us-west-2
output = json

[profile dev]
sso_session = corp
sso_account_id = 444455556666
sso_role_name = Admin
s3 =
    addressing_style = path
    signature_version = s3v4

[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = eu-central-1
sso_registration_scopes = sso:account:access, codewhisperer:completions ,

[services local]
sso-oidc =
  endpoint_url = http://127.0.0.1:4000
";

    fn resolve(text: &str, profile: &str) -> Result<SsoProfile, ConfigError> {
        resolve_sso_profile(&parse_config(text).unwrap(), profile)
    }

    #[test]
    fn legacy_profile() {
        let p = resolve(MIXED, "legacy").unwrap();
        assert_eq!(p.session_name, None);
        assert_eq!(p.start_url, "https://legacy.awsapps.com/start");
        assert_eq!(p.sso_region.as_str(), "us-east-1");
        assert_eq!(p.account_id.unwrap().as_str(), "111122223333");
        assert_eq!(p.role_name.unwrap().as_str(), "ReadOnly");
        assert_eq!(p.region.unwrap().as_str(), "us-west-2");
        assert!(p.registration_scopes.is_empty());
        assert_eq!(p.configured_registration_scopes, None);
    }

    #[test]
    fn sso_session_profile() {
        let p = resolve(MIXED, "dev").unwrap();
        assert_eq!(p.session_name.as_deref(), Some("corp"));
        assert_eq!(p.start_url, "https://corp.awsapps.com/start");
        assert_eq!(p.sso_region.as_str(), "eu-central-1");
        assert_eq!(p.account_id.as_ref().unwrap().as_str(), "444455556666");
        assert_eq!(
            p.registration_scopes,
            ["sso:account:access", "codewhisperer:completions"]
        );
        assert_eq!(p.configured_registration_scopes.as_ref().unwrap().len(), 2);
        assert_eq!(p.region, None);
        assert_eq!(token_cache_key(&p), "corp");
        assert_eq!(p.cache_file_name(), crate::cache::cache_file_name("corp"));
    }

    #[test]
    fn token_cache_key_of_a_legacy_profile_is_the_exact_start_url() {
        let p = resolve(
            "[profile x]\nsso_start_url = https://a.awsapps.com/start/\nsso_region = us-east-1\n",
            "x",
        )
        .unwrap();
        assert_eq!(token_cache_key(&p), "https://a.awsapps.com/start/");
    }

    #[test]
    fn default_scope_when_the_session_sets_none() {
        let p = resolve(
            "[profile p]\nsso_session = s\n[sso-session s]\nsso_start_url = https://x/start\nsso_region = us-east-1\n",
            "p",
        )
        .unwrap();
        assert_eq!(p.registration_scopes, [DEFAULT_REGISTRATION_SCOPE]);
        assert_eq!(p.configured_registration_scopes, None);
        assert_eq!(p.account_id, None);
        assert_eq!(p.role_name, None);
    }

    #[test]
    fn nested_blocks_and_other_sections_are_kept_or_ignored() {
        let config = parse_config(MIXED).unwrap();
        assert_eq!(profile_names(&config), ["default", "legacy", "dev"]);
        assert_eq!(sso_sessions(&config), ["corp"]);
        let dev = config.profile("dev").unwrap();
        assert_eq!(
            dev.value("s3"),
            Some(&ConfigValue::Nested(vec![
                ("addressing_style".into(), "path".into()),
                ("signature_version".into(), "s3v4".into())
            ]))
        );
        assert_eq!(dev.get("s3"), None);
        assert_eq!(dev.header(), "profile dev");
        assert!(config.warnings().is_empty(), "{:?}", config.warnings());
    }

    #[test]
    fn syntax_follows_configparser() {
        let text = "[profile a]\nSSO_Start_URL=https://a/start\nsso_region: us-east-1\nregion = us-east-1 # x\n\
                    multi = one\n  two\n\n  # comment inside\n  three\n";
        let config = parse_config(text).unwrap();
        let a = config.profile("a").unwrap();
        assert_eq!(a.get("sso_start_url"), Some("https://a/start"));
        assert_eq!(a.get("sso_region"), Some("us-east-1"));
        assert_eq!(a.get("region"), Some("us-east-1 # x"));
        assert_eq!(
            a.get("multi"),
            Some("one\ntwo\n\nthree"),
            "a blank line stays, a comment line goes"
        );
        assert_eq!(a.iter().next().unwrap().0, "SSO_Start_URL");
    }

    #[test]
    fn names_are_trimmed_and_may_be_quoted() {
        let config =
            parse_config("[profile  spaced ]\nk=v\n[profile \"my dev\"]\nk=v\n[sso-session 'q s']\nk=v\n").unwrap();
        assert_eq!(profile_names(&config), ["spaced", "my dev"]);
        assert_eq!(sso_sessions(&config), ["q s"]);
        let config = parse_config("[profile my dev]\nk=v\n").unwrap();
        assert!(profile_names(&config).is_empty());
        assert!(
            config.warnings()[0].message.contains("quote it"),
            "{:?}",
            config.warnings()
        );
        // `[profiles x]` and `[profilex]` are not profiles.
        let config = parse_config("[profiles x]\nk=v\n[profilex]\nk=v\n").unwrap();
        assert!(profile_names(&config).is_empty());
    }

    #[test]
    fn default_and_profile_default_are_one_profile_and_the_later_wins() {
        let config =
            parse_config("[profile default]\nregion = us-east-1\nk = 1\n[default]\nregion = eu-west-1\n").unwrap();
        assert_eq!(profile_names(&config), ["default"]);
        let default = config.profile("default").unwrap();
        assert_eq!(default.get("region"), Some("eu-west-1"));
        assert_eq!(default.get("k"), None, "sections replace, they do not merge");
        assert_eq!(config.warnings().len(), 1);
        assert!(config.warnings()[0].message.contains("later one is used"));
    }

    #[test]
    fn repeated_sections_merge_with_a_warning() {
        let config = parse_config("[profile a]\nx = 1\ny = 1\n[profile b]\n[profile a]\ny = 2\nY = 3\n").unwrap();
        let a = config.profile("a").unwrap();
        assert_eq!((a.get("x"), a.get("y")), (Some("1"), Some("3")));
        let lines: Vec<usize> = config.warnings().iter().map(|w| w.line).collect();
        assert_eq!(lines, [5, 6, 7]);
        assert!(
            config.warnings()[0]
                .message
                .contains("rejects a file with a repeated section")
        );
        assert!(config.warnings()[2].message.contains("`Y` is set twice in [profile a]"));
    }

    #[test]
    fn syntax_errors_name_the_line() {
        for (text, line) in [
            ("region = x\n", 1),
            ("[a]\nk = v\nnot a setting\n", 3),
            ("[a]\ns3 =\n  no equals here\n", 3),
            ("[a]\n= v\n", 2),
        ] {
            let err = parse_config(text).unwrap_err();
            assert!(
                matches!(err, ConfigError::Syntax { line: l, .. } if l == line),
                "{err:?}"
            );
            assert_eq!(err.code(), "CONFIG_SYNTAX");
            assert!(err.to_string().contains(&format!("at line {line}")), "{err}");
        }
    }

    #[test]
    fn values_join_as_configparser_joins_them() {
        // Checked against CPython's configparser and botocore's nested parse on thousands of generated files.
        let config = parse_config("[default]\nk = one\n  two\n\n  three\n\nblank =\n\n\nj = x\n").unwrap();
        let default = config.profile("default").unwrap();
        assert_eq!(default.get("k"), Some("one\ntwo\n\nthree"));
        assert_eq!(default.get("blank"), Some(""));
        // A broken nested block that a later line of the same key replaces is no error, as in botocore.
        let config = parse_config("[default]\ns3 =\n  junk\ns3 = plain\n").unwrap();
        assert_eq!(config.profile("default").unwrap().get("s3"), Some("plain"));
    }

    #[test]
    fn unknown_profile_lists_up_to_ten() {
        let mut text = String::new();
        for i in 0..12 {
            text.push_str(&format!("[profile p{i}]\nregion = us-east-1\n"));
        }
        let err = resolve(&text, "nope").unwrap_err();
        assert_eq!(err.code(), "CONFIG_UNKNOWN_PROFILE");
        let message = err.to_string();
        assert!(message.starts_with("there is no profile \"nope\" in the config file; profiles: \"p0\", \"p1\""));
        assert!(message.ends_with("\"p9\" and 2 more"), "{message}");
        assert_eq!(
            resolve("", "dev").unwrap_err().to_string(),
            "there is no profile \"dev\" in the config file (it has no profiles at all); `aws configure sso` creates one"
        );
    }

    #[test]
    fn a_profile_without_sso_settings() {
        let err = resolve(MIXED, "default").unwrap_err();
        assert_eq!(err.code(), "CONFIG_PROFILE_NOT_SSO");
        assert_eq!(
            err.to_string(),
            "profile \"default\" has no SSO settings: add `sso_session = NAME` (with an [sso-session NAME] section \
             holding sso_start_url and sso_region), or sso_start_url and sso_region, to [default]; \
             `aws configure sso --profile default` writes them"
        );
    }

    #[test]
    fn missing_keys_say_where_and_what() {
        let err = resolve(
            "[profile a]\nsso_account_id = 111122223333\nsso_region = us-east-1\n",
            "a",
        )
        .unwrap_err();
        assert_eq!(err.code(), "CONFIG_MISSING_KEY");
        assert_eq!(
            err.to_string(),
            "[profile a] has no `sso_start_url`: add a line `sso_start_url = https://my-sso-portal.awsapps.com/start` \
             to it"
        );
        let err = resolve(
            "[profile a]\nsso_session = s\n[sso-session s]\nsso_start_url = https://x\n",
            "a",
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "[sso-session s] has no `sso_region`: add a line `sso_region = us-east-1` to it"
        );
        let err = resolve("[profile a]\nsso_start_url =\nsso_region = us-east-1\n", "a").unwrap_err();
        assert_eq!(err.code(), "CONFIG_MISSING_KEY");
    }

    #[test]
    fn unknown_session() {
        let err = resolve("[profile a]\nsso_session = typo\n[sso-session corp]\nk = v\n", "a").unwrap_err();
        assert_eq!(err.code(), "CONFIG_UNKNOWN_SSO_SESSION");
        assert_eq!(
            err.to_string(),
            "profile \"a\" uses sso_session = \"typo\", but there is no [sso-session typo] section (sso-sessions: \
             \"corp\")"
        );
        let err = resolve("[profile a]\nsso_session = x\n", "a").unwrap_err();
        assert!(
            err.to_string().ends_with("(the file has no sso-session sections)"),
            "{err}"
        );
    }

    #[test]
    fn a_key_set_differently_in_profile_and_session() {
        let text = "[profile a]\nsso_session = s\nsso_region = us-west-2\n\
                    [sso-session s]\nsso_start_url = https://x/start\nsso_region = us-east-1\n";
        let err = resolve(text, "a").unwrap_err();
        assert_eq!(err.code(), "CONFIG_CONFLICT");
        assert_eq!(
            err.to_string(),
            "`sso_region` is set differently in [profile a] (\"us-west-2\") and in [sso-session s] (\"us-east-1\"); \
             the AWS CLI refuses this: remove it from the profile, or make both the same"
        );
        // The same value in both is fine.
        let same = text.replace("us-west-2", "us-east-1");
        assert_eq!(resolve(&same, "a").unwrap().sso_region.as_str(), "us-east-1");
    }

    #[test]
    fn invalid_values_are_validated_and_a_comment_is_hinted() {
        let base = "[profile a]\nsso_start_url = https://x/start\nsso_region = us-east-1\n";
        let err = resolve(&format!("{base}sso_account_id = 1234\n"), "a").unwrap_err();
        assert_eq!(err.code(), "CONFIG_INVALID_VALUE");
        assert_eq!(err.to_string(), "`sso_account_id` in [profile a] is not valid");
        let source = std::error::Error::source(&err).unwrap().to_string();
        assert!(source.contains("\"1234\""), "{source}");

        let err = resolve(&format!("{base}sso_role_name = Admin # prod\n"), "a").unwrap_err();
        assert!(
            err.to_string().contains("put the comment on a line of its own"),
            "{err}"
        );
        let err = resolve(&format!("{base}region = mars\n"), "a").unwrap_err();
        assert!(matches!(err, ConfigError::InvalidValue { key: "region", .. }));
        let err = resolve(
            "[profile a]\nsso_start_url = https://x\nsso_region = us-east-1.evil.com\n",
            "a",
        )
        .unwrap_err();
        assert!(matches!(err, ConfigError::InvalidValue { key: "sso_region", .. }));
        let err = resolve(&format!("{base}sso_role_name =\n  a = b\n"), "a").unwrap_err();
        assert_eq!(err.code(), "CONFIG_NESTED_VALUE");
    }

    #[test]
    fn crlf_and_bom_files_parse() {
        let text = "\u{feff}[profile a]\r\nsso_start_url = https://x/start\r\nsso_region = us-east-1\r\n";
        let p = resolve(text, "a").unwrap();
        assert_eq!(p.start_url, "https://x/start");
    }

    #[test]
    fn registration_scopes_parse_as_the_cli_does() {
        assert_eq!(parse_registration_scopes(" a , b,,c ,"), ["a", "b", "c"]);
        assert!(parse_registration_scopes("").is_empty());
    }
}
