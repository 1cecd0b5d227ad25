//! The config file's text into sections and properties, by the AWS SDKs' shared standard ("shared config and
//! credentials files", AWS SDKs and Tools reference guide; the Rust SDK's `aws-config` profile parser and its
//! `profile-parser-tests.json` are the reference).
//!
//! Lines (a `\r` before `\n` belongs to the line ending; a UTF-8 byte-order mark at the start is skipped):
//! - blank (only spaces and tabs), or starting with `#` or `;` in the first column: skipped, without ending the
//!   property above (a continuation line may follow);
//! - starting with `[`: a section header. Anything from the first `#` or `;` on is a comment (`[profile a]# x`);
//!   the rest, trimmed, must end with `]`;
//! - starting with a space or a tab: a continuation of the property above, appended after `\n`, trimmed, comments
//!   kept. Under a property whose value on its own line is empty (`s3 =`), continuation lines are sub-properties
//!   and must be `name = value` with a name;
//! - anything else: a property, `name = value`. A `#` or `;` after white space starts a comment (`region =
//!   us-east-1 # eu` is `us-east-1`); one right after a character is part of the value (`a#b`). No `=` (for
//!   example `key : value`) or no name is an error. Names are trimmed and lower-cased; values are trimmed.
//!
//! Sections (config file): `[default]`, `[profile NAME]`, `[sso-session NAME]` and any other `[PREFIX NAME]` such
//! as `[services NAME]`; the prefix is separated by spaces or tabs and is case-sensitive, like names. NAME and
//! property names must be made of `A-Za-z0-9_-/.%@:+`; a section or property with another name is ignored with a
//! warning, and so is a section without a prefix other than `[default]`. A section or property given twice is
//! merged, the last value winning. `[profile default]` takes priority over `[default]` wherever it stands: when
//! both exist, every `[default]` is ignored with a warning.

use super::errors::ConfigError;
use super::{ConfigFile, ConfigValue, ConfigWarning, ConfigWarningKind, Properties};
use crate::quote::Quoted;

/// White space for the standard: only spaces and tabs.
const WHITESPACE: &[char] = &[' ', '\t'];
const COMMENT: &[char] = &['#', ';'];

/// A property as written on its line(s).
struct RawProperty<'a> {
    line: usize,
    key: &'a str,
    value: String,
    /// The value on the key's own line was empty: continuation lines are sub-properties.
    sub_properties: bool,
}

/// One `[header]` occurrence and the properties under it.
struct RawSection<'a> {
    line: usize,
    header: &'a str,
    properties: Vec<RawProperty<'a>>,
}

/// Trims the standard's white space and cuts a trailing comment: one starting at any `#`/`;` for a header, only
/// at one after white space for a property.
pub(super) fn prepare_line(line: &str, comments_need_whitespace: bool) -> &str {
    let line = line.trim_matches(WHITESPACE);
    let mut after_whitespace = false;
    for (index, c) in line.char_indices() {
        if COMMENT.contains(&c) && (after_whitespace || !comments_need_whitespace) {
            return line[..index].trim_matches(WHITESPACE);
        }
        after_whitespace = c.is_whitespace();
    }
    line
}

/// `name = value` (comment cut): the trimmed name and value, or why not.
fn property_line(line: &str, sub_property: bool) -> Result<(&str, &str), &'static str> {
    let line = prepare_line(line, true);
    let (key, value) = line.split_once('=').ok_or(if sub_property {
        "an indented line under `key =` without `=` (sub-properties are `name = value`; a comment there must start \
         in the first column)"
    } else {
        "a setting without `=` (`key : value` is not accepted by the AWS SDKs; write `key = value`)"
    })?;
    let key = key.trim_matches(WHITESPACE);
    if key.is_empty() {
        return Err(if sub_property {
            "a sub-property without a name (`= value`)"
        } else {
            "a setting without a name (`= value`)"
        });
    }
    Ok((key, value.trim_matches(WHITESPACE)))
}

/// The lines of `text`, numbered from 1: `\n`-separated, a `\r` before the `\n` dropped, a byte-order mark skipped.
pub(super) fn numbered_lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let text = text.strip_suffix('\n').unwrap_or(text);
    text.split('\n')
        .map(|line| line.strip_suffix('\r').unwrap_or(line))
        .enumerate()
        .map(|(index, line)| (index + 1, line))
}

fn syntax(line: usize, reason: &'static str) -> ConfigError {
    ConfigError::Syntax { line, reason }
}

/// Reads the lines into section occurrences, in file order.
fn read_sections(text: &str) -> Result<Vec<RawSection<'_>>, ConfigError> {
    let mut sections: Vec<RawSection<'_>> = Vec::new();
    for (number, line) in numbered_lines(text) {
        if line.trim_matches(WHITESPACE).is_empty() || line.starts_with(COMMENT) {
            continue;
        }
        if line.starts_with('[') {
            let header = prepare_line(line, false)
                .strip_prefix('[')
                .and_then(|h| h.strip_suffix(']'))
                .ok_or_else(|| {
                    syntax(
                        number,
                        "a section header that does not end with `]` (only a comment may follow it)",
                    )
                })?;
            sections.push(RawSection {
                line: number,
                header,
                properties: Vec::new(),
            });
            continue;
        }
        let Some(section) = sections.last_mut() else {
            return Err(syntax(number, "a setting before the first [section] header"));
        };
        if line.starts_with(WHITESPACE) {
            let Some(property) = section.properties.last_mut() else {
                return Err(syntax(
                    number,
                    "an indented line right after a [section] header (indented lines continue the `key = value` \
                     above them; remove the indentation)",
                ));
            };
            if property.sub_properties {
                property_line(line, true).map_err(|reason| syntax(number, reason))?;
            }
            property.value.push('\n');
            property.value.push_str(line.trim_matches(WHITESPACE));
        } else {
            let (key, value) = property_line(line, false).map_err(|reason| syntax(number, reason))?;
            section.properties.push(RawProperty {
                line: number,
                key,
                value: value.to_owned(),
                sub_properties: value.is_empty(),
            });
        }
    }
    Ok(sections)
}

/// Whether a profile, section or property name is allowed: `A-Za-z0-9_-/.%@:+`, at least one.
pub(super) fn is_identifier(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_-/.%@:+".contains(&b))
}

/// What a header names: `(prefix, name)`, split at the first space or tab after trimming.
fn split_header(header: &str) -> (Option<&str>, &str) {
    let header = header.trim_matches(WHITESPACE);
    match header.split_once(WHITESPACE) {
        Some((prefix, name)) => (Some(prefix), name.trim_matches(WHITESPACE)),
        None => (None, header),
    }
}

/// A value as stored: a text, or sub-properties when it was `key =` followed by indented lines.
fn to_value(property: &RawProperty<'_>) -> ConfigValue {
    match property.value.strip_prefix('\n') {
        Some(block) if property.sub_properties => {
            let mut nested: Vec<(String, String)> = Vec::new();
            for (key, value) in block.split('\n').filter_map(|l| l.split_once('=')) {
                let (key, value) = (key.trim_matches(WHITESPACE), value.trim_matches(WHITESPACE));
                match nested.iter_mut().find(|(k, _)| k == key) {
                    Some(entry) => entry.1 = value.to_owned(),
                    None => nested.push((key.to_owned(), value.to_owned())),
                }
            }
            ConfigValue::Nested(nested)
        }
        _ => ConfigValue::Text(property.value.clone()),
    }
}

fn ignored(line: usize, message: String) -> ConfigWarning {
    ConfigWarning {
        line,
        kind: ConfigWarningKind::Ignored,
        message,
    }
}

/// Where a section's properties go.
enum Target {
    Profile(String),
    SsoSession(String),
    Other(String, String),
}

/// Parses a config file by the SDK standard. Warnings are [`ConfigWarningKind::Ignored`] ones only.
pub(super) fn parse(text: &str) -> Result<ConfigFile, ConfigError> {
    let sections = read_sections(text)?;
    let mut config = ConfigFile::default();
    let mut warnings = Vec::new();

    let targets: Vec<Option<Target>> = sections
        .iter()
        .map(|section| match split_header(section.header) {
            (None, "default") => Some(Target::Profile("default".to_owned())),
            (None, name) => {
                warnings.push(ignored(
                    section.line,
                    format!(
                        "[{}] is ignored: sections of the config file need a prefix, as in [profile {}] (only \
                         [default] may go without)",
                        section.header.trim_matches(WHITESPACE),
                        name
                    ),
                ));
                None
            }
            (Some(prefix), name) if !is_identifier(name) => {
                warnings.push(ignored(
                    section.line,
                    format!(
                        "[{prefix} {name}] is ignored: {} is not a valid name (names are letters, digits and \
                         _-/.%@:+)",
                        Quoted(name)
                    ),
                ));
                None
            }
            (Some("profile"), name) => Some(Target::Profile(name.to_owned())),
            (Some("sso-session"), name) => Some(Target::SsoSession(name.to_owned())),
            (Some(prefix), name) => Some(Target::Other(prefix.to_owned(), name.to_owned())),
        })
        .collect();
    let has_profile_default = sections
        .iter()
        .any(|s| matches!(split_header(s.header), (Some("profile"), "default")));

    for (section, target) in sections.iter().zip(targets) {
        let Some(target) = target else { continue };
        if has_profile_default && split_header(section.header) == (None, "default") {
            warnings.push(ignored(
                section.line,
                "[default] is ignored: the file also has [profile default], which takes priority (as in the AWS \
                 SDKs)"
                    .to_owned(),
            ));
            continue;
        }
        let header = section.header.trim_matches(WHITESPACE);
        let (list, name) = match target {
            Target::Profile(name) => (&mut config.profiles, name),
            Target::SsoSession(name) => (&mut config.sso_sessions, name),
            Target::Other(prefix, name) => {
                let key = (prefix, name);
                let index = match config.other_sections.iter().position(|(k, _)| *k == key) {
                    Some(index) => index,
                    None => {
                        config.other_sections.push((key, Properties::new(header, section.line)));
                        config.other_sections.len() - 1
                    }
                };
                merge(&mut config.other_sections[index].1, section, &mut warnings);
                continue;
            }
        };
        let index = match list.iter().position(|(n, _)| *n == name) {
            Some(index) => index,
            None => {
                list.push((name, Properties::new(header, section.line)));
                list.len() - 1
            }
        };
        merge(&mut list[index].1, section, &mut warnings);
    }
    config.warnings = warnings;
    Ok(config)
}

/// Adds a section occurrence's properties, the last value of a key winning.
fn merge(target: &mut Properties, section: &RawSection<'_>, warnings: &mut Vec<ConfigWarning>) {
    for property in &section.properties {
        if is_identifier(property.key) {
            target.set(property.key, to_value(property), property.line);
        } else {
            warnings.push(ignored(
                property.line,
                format!(
                    "the setting {} in [{}] is ignored: setting names are letters, digits and _-/.%@:+, without \
                     spaces",
                    Quoted(property.key),
                    section.header.trim_matches(WHITESPACE)
                ),
            ));
        }
    }
}
