//! The config file as the AWS CLI reads it, and where that differs from the AWS SDKs' reading.
//!
//! botocore (`configloader.py`) hands the file to Python's `configparser.RawConfigParser()` with its defaults
//! ([`crate::ini`] has its line rules), then maps sections to profiles in `build_profile_map`. Against the SDK
//! standard ([`super::file`]), that means:
//! - no inline comments: `region = us-east-1 # eu` is `us-east-1 # eu`, and `[profile a] # x` is still `a`;
//! - a repeated section or a key repeated in one section makes the whole file unreadable (strict `configparser`);
//! - `[default]` and `[profile default]` are one profile and the later section wins as a whole;
//! - section names are split like a shell (`shlex`): `[profile "my dev"]` is `my dev`; any name without spaces is
//!   a profile, whatever its characters; setting names may hold spaces;
//! - `key : value` is a setting; an indented line is a continuation only when deeper than its key; blank lines
//!   inside a value are kept and comment lines inside it dropped (the SDKs do the opposite).
//!
//! Only the differences are reported, as [`ConfigWarningKind::AwsCliDiffers`] warnings: what ssocreds uses is
//! always the SDKs' reading.

use super::file::{is_identifier, numbered_lines};
use super::{ConfigFile, ConfigValue, ConfigWarning, ConfigWarningKind, Properties};
use crate::ini::{LineKind, lex};
use crate::quote::Quoted;

/// Why botocore cannot read the file at all.
struct Rejection {
    line: usize,
    /// What botocore objects to.
    what: String,
    /// What the SDKs do instead.
    sdk: &'static str,
}

/// The profiles and sso-sessions botocore sees.
#[derive(Default)]
struct Reading {
    profiles: Vec<(String, Properties)>,
    sso_sessions: Vec<(String, Properties)>,
}

/// What a section header names.
enum SectionName {
    Profile(String),
    SsoSession(String),
    Other,
}

/// Maps a header as botocore's `build_profile_map` does: `default`, or a `profile`/`sso-session` prefix followed
/// by exactly one (possibly quoted) word (`shlex.split`); a name of several words is no profile at all.
fn classify(header: &str) -> SectionName {
    let trimmed = header.trim();
    if trimmed == "default" {
        return SectionName::Profile("default".to_owned());
    }
    for (prefix, profile) in [("profile", true), ("sso-session", false)] {
        let Some(rest) = trimmed.strip_prefix(prefix) else {
            continue;
        };
        if !rest.starts_with(char::is_whitespace) {
            continue;
        }
        let Some(name) = single_word(rest.trim()) else {
            return SectionName::Other;
        };
        return if profile {
            SectionName::Profile(name)
        } else {
            SectionName::SsoSession(name)
        };
    }
    SectionName::Other
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
fn parse_nested(lines: &[(usize, &str)]) -> Result<Vec<(String, String)>, Rejection> {
    let mut nested: Vec<(String, String)> = Vec::new();
    for &(line, text) in lines.iter().filter(|(_, text)| !text.is_empty()) {
        let (key, value) = text.split_once('=').ok_or_else(|| Rejection {
            line,
            what: "an indented line under `key =` has no `=`".to_owned(),
            sdk: "read it as part of the value",
        })?;
        let (key, value) = (key.trim().to_owned(), value.trim().to_owned());
        match nested.iter_mut().find(|(k, _)| *k == key) {
            Some(entry) => entry.1 = value,
            None => nested.push((key, value)),
        }
    }
    Ok(nested)
}

/// Reads the file as botocore does, or says why botocore cannot.
fn read(text: &str) -> Result<Reading, Rejection> {
    // First as configparser does: sections by exact header. A repeated header or key is an error at once.
    let mut sections: Vec<Properties> = Vec::new();
    let mut current: Option<usize> = None;
    // The key whose value is being read: (line, key, first-line value, continuation lines).
    type Pending<'a> = (usize, &'a str, &'a str, Vec<(usize, &'a str)>);
    let mut pending: Option<Pending<'_>> = None;
    // Nested blocks are parsed once the whole file is read, as botocore does after configparser.
    let mut nested_errors: Vec<Rejection> = Vec::new();
    let mut syntax: Option<Rejection> = None;

    let mut finish = |pending: Option<Pending<'_>>, section: Option<&mut Properties>| -> Result<(), Rejection> {
        let (Some((line, key, first, more)), Some(section)) = (pending, section) else {
            return Ok(());
        };
        if let Some(earlier) = section.line_of(key) {
            return Err(Rejection {
                line,
                what: format!(
                    "{} is set a second time in [{}] (first at line {earlier})",
                    Quoted(key),
                    section.header()
                ),
                sdk: "use the last value",
            });
        }
        // As configparser: continuation lines (blank ones included) joined with `\n`, trailing white space
        // stripped; a value that then starts with `\n` is a nested block (botocore's `raw_config_parse`).
        let mut text = first.to_owned();
        for (_, continuation) in &more {
            text.push('\n');
            text.push_str(continuation);
        }
        let text = text.trim_end();
        let value = if text.starts_with('\n') {
            match parse_nested(&more) {
                Ok(nested) => ConfigValue::Nested(nested),
                Err(rejection) => {
                    nested_errors.push(rejection);
                    ConfigValue::Nested(Vec::new())
                }
            }
        } else {
            ConfigValue::Text(text.to_owned())
        };
        section.set(key, value, line);
        Ok(())
    };

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
            // configparser reads on and reports every such line at the end.
            LineKind::Invalid { reason } => {
                syntax.get_or_insert(Rejection {
                    line: line.number,
                    what: reason.to_owned(),
                    sdk: "read it",
                });
            }
            LineKind::Section { header } => {
                finish(pending.take(), current.map(|i| &mut sections[i]))?;
                if let Some(first) = sections.iter().find(|s| s.header() == header) {
                    return Err(Rejection {
                        line: line.number,
                        what: format!("[{header}] appears a second time (first at line {})", first.line()),
                        sdk: "merge the two",
                    });
                }
                sections.push(Properties::new(header, line.number));
                current = Some(sections.len() - 1);
            }
            LineKind::Key { key, value } => {
                finish(pending.take(), current.map(|i| &mut sections[i]))?;
                pending = Some((line.number, key, value, Vec::new()));
            }
        }
    }
    finish(pending.take(), current.map(|i| &mut sections[i]))?;
    if let Some(rejection) = syntax {
        return Err(rejection);
    }
    if let Some(rejection) = nested_errors.into_iter().min_by_key(|r| r.line) {
        return Err(rejection);
    }

    // Then as build_profile_map does: a later section replaces an earlier one of the same name.
    let mut reading = Reading::default();
    for section in sections {
        let (list, name) = match classify(section.header()) {
            SectionName::Profile(name) => (&mut reading.profiles, name),
            SectionName::SsoSession(name) => (&mut reading.sso_sessions, name),
            SectionName::Other => continue,
        };
        match list.iter_mut().find(|(n, _)| *n == name) {
            Some(entry) => entry.1 = section,
            None => list.push((name, section)),
        }
    }
    Ok(reading)
}

fn differs(line: usize, message: String) -> ConfigWarning {
    ConfigWarning {
        line,
        kind: ConfigWarningKind::AwsCliDiffers,
        message,
    }
}

/// A value for a message.
fn shown(value: &ConfigValue) -> String {
    match value {
        ConfigValue::Text(text) => Quoted(text).to_string(),
        ConfigValue::Nested(entries) => {
            let parts: Vec<String> = entries.iter().map(|(k, v)| format!("{k} = {v}")).collect();
            format!("the sub-settings {}", Quoted(&parts.join(", ")))
        }
    }
}

/// Why botocore's value differs from the SDKs', if it can be told from the two values.
fn value_reason(sdk: &ConfigValue, cli: &ConfigValue) -> Option<&'static str> {
    if let (ConfigValue::Text(sdk), ConfigValue::Text(cli)) = (sdk, cli)
        && let Some(rest) = cli.strip_prefix(sdk.as_str())
        && rest.starts_with(char::is_whitespace)
        && rest.trim_start().starts_with(['#', ';'])
    {
        return Some("it keeps inline comments");
    }
    let multi_line =
        |v: &ConfigValue| matches!(v, ConfigValue::Nested(_)) || matches!(v, ConfigValue::Text(t) if t.contains('\n'));
    (multi_line(sdk) || multi_line(cli)).then_some(
        "it keeps blank lines and drops comment lines inside an indented value, and the SDKs do the opposite",
    )
}

/// One section (profile or sso-session) in both readings: a warning per differing key.
fn compare_section(out: &mut Vec<ConfigWarning>, sdk: &Properties, cli: &Properties) {
    // The SDKs take [profile default] over [default] wherever it stands; botocore takes the later one.
    let other_section = (sdk.header() != cli.header().trim()).then(|| {
        format!(
            "it takes [{}], the later section, and the SDKs take [{}]",
            cli.header().trim(),
            sdk.header()
        )
    });
    for (key, sdk_value, line) in &sdk.entries {
        let cli_value = cli.value(key);
        if cli_value == Some(sdk_value) {
            continue;
        }
        let reason = other_section
            .clone()
            .or_else(|| match cli_value {
                Some(c) => value_reason(sdk_value, c).map(str::to_owned),
                None => key
                    .contains(':')
                    .then(|| "it ends a setting name at `:` as well as at `=`".to_owned()),
            })
            .map(|r| format!(" ({r})"))
            .unwrap_or_default();
        let cli_part = match cli_value {
            Some(value) => format!("reads {key} as {}", shown(value)),
            None => format!("does not set {key}"),
        };
        out.push(differs(
            *line,
            format!(
                "the AWS CLI {cli_part}{reason}; ssocreds and the AWS SDKs read {}",
                shown(sdk_value)
            ),
        ));
    }
    for (key, cli_value, line) in &cli.entries {
        if sdk.value(key).is_some() {
            continue;
        }
        let (reason, sdk_part) = if !is_identifier(key) {
            (
                String::new(),
                "ignore it (setting names are letters, digits and _-/.%@:+, without spaces)",
            )
        } else {
            (
                other_section.as_ref().map(|r| format!(" ({r})")).unwrap_or_default(),
                "do not set it",
            )
        };
        out.push(differs(
            *line,
            format!(
                "the AWS CLI reads {key} as {}{reason}; ssocreds and the AWS SDKs {sdk_part}",
                shown(cli_value)
            ),
        ));
    }
}

/// Profiles or sso-sessions in both readings.
fn compare(out: &mut Vec<ConfigWarning>, kind: &str, sdk: &[(String, Properties)], cli: &[(String, Properties)]) {
    for (name, sdk_section) in sdk {
        match cli.iter().find(|(n, _)| n == name) {
            Some((_, cli_section)) => compare_section(out, sdk_section, cli_section),
            None => out.push(differs(
                sdk_section.line(),
                format!(
                    "the AWS CLI does not read [{}] as {kind} {}; ssocreds and the AWS SDKs do",
                    sdk_section.header(),
                    Quoted(name)
                ),
            )),
        }
    }
    for (name, cli_section) in cli.iter().filter(|(n, _)| !sdk.iter().any(|(s, _)| s == n)) {
        let why = if is_identifier(name) {
            String::new()
        } else {
            " (names are letters, digits and _-/.%@:+)".to_owned()
        };
        out.push(differs(
            cli_section.line(),
            format!(
                "the AWS CLI reads [{}] as {kind} {}; ssocreds and the AWS SDKs ignore it{why}",
                cli_section.header().trim(),
                Quoted(name)
            ),
        ));
    }
}

/// One [`ConfigWarningKind::AwsCliDiffers`] warning per line the AWS CLI reads differently from `sdk` (the SDKs'
/// reading of `text`), in line order; or a single one when the AWS CLI cannot read the file at all.
pub(super) fn differences(text: &str, sdk: &ConfigFile) -> Vec<ConfigWarning> {
    let reading = match read(text) {
        Ok(reading) => reading,
        Err(rejection) => {
            return vec![differs(
                rejection.line,
                format!(
                    "the AWS CLI cannot read this file: {}; ssocreds and the AWS SDKs {}",
                    rejection.what, rejection.sdk
                ),
            )];
        }
    };
    let mut out = Vec::new();
    compare(&mut out, "profile", &sdk.profiles, &reading.profiles);
    compare(&mut out, "sso-session", &sdk.sso_sessions, &reading.sso_sessions);
    out.sort_by_key(|w| w.line);
    out.dedup_by_key(|w| w.line);
    debug_assert!(out.iter().all(|w| w.line <= numbered_lines(text).count().max(1)));
    out
}
