//! What can go wrong reading the config file or resolving a profile in it.

use crate::ids::ValidationError;
use crate::quote::Quoted;

/// A config file that cannot be read at all, or a profile that cannot be resolved.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    /// A line the shared config file format does not allow (the AWS SDKs reject it too).
    #[error(
        "the config file is not valid at line {line}: {reason}; fix or remove that line (the AWS SDKs reject it too)"
    )]
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
    #[error("`{key}` in [{section}] is not valid")]
    InvalidValue {
        /// The key.
        key: &'static str,
        /// The section header.
        section: String,
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
