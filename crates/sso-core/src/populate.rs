//! `populate`: a generated block of `[profile …]` sections in the AWS config file, one per account and role, that a
//! re-run replaces and nothing else touches.

use std::collections::BTreeSet;

/// One account and role to write a profile for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PopulateEntry {
    /// The 12-digit account id.
    pub account_id: String,
    /// The account's name as the portal gives it.
    pub account_name: String,
    /// The role name.
    pub role_name: String,
}

/// A template that cannot produce profile names.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    /// An unknown `{placeholder}`.
    #[error(
        "unknown placeholder {{{0}}} in the profile name template; use {{account_name}}, {{account_id}}, \
         {{role_name}} and {{session}}"
    )]
    UnknownPlaceholder(String),
    /// A `{` without `}`.
    #[error("the profile name template has a `{{` without a closing `}}`")]
    Unclosed,
    /// No role name in it: profiles of two roles of one account would collide.
    #[error(
        "the profile name template must contain {{role_name}} (and {{account_name}} or {{account_id}}), so that every profile gets its own name"
    )]
    NotUnique,
}

impl TemplateError {
    /// A stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::UnknownPlaceholder(_) => "TEMPLATE_UNKNOWN_PLACEHOLDER",
            Self::Unclosed => "TEMPLATE_UNCLOSED",
            Self::NotUnique => "TEMPLATE_NOT_UNIQUE",
        }
    }
}

/// The default template: `{account_name}.{role_name}`.
pub const DEFAULT_TEMPLATE: &str = "{account_name}.{role_name}";

/// Checks a template before any network call.
pub fn check_template(template: &str) -> Result<(), TemplateError> {
    let sample = PopulateEntry {
        account_id: "111122223333".into(),
        account_name: "a".into(),
        role_name: "r".into(),
    };
    expand(template, &sample, "s")?;
    let has = |p: &str| template.contains(&format!("{{{p}}}"));
    if !has("role_name") || !(has("account_name") || has("account_id")) {
        return Err(TemplateError::NotUnique);
    }
    Ok(())
}

fn expand(template: &str, entry: &PopulateEntry, session: &str) -> Result<String, TemplateError> {
    let mut out = String::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let close = rest[open..].find('}').ok_or(TemplateError::Unclosed)? + open;
        let value = match &rest[open + 1..close] {
            "account_name" => &entry.account_name,
            "account_id" => &entry.account_id,
            "role_name" => &entry.role_name,
            "session" => session,
            other => return Err(TemplateError::UnknownPlaceholder(other.chars().take(40).collect())),
        };
        out.push_str(value);
        rest = &rest[close + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

/// Makes a name safe for a section header and for shells: letters, digits and `._-+@` are kept, runs of anything
/// else become one `-`, and no name starts or ends with `-` or `.`. May return an empty string.
fn clean(raw: &str) -> String {
    let mut out = String::new();
    for c in raw.chars() {
        if c.is_ascii_alphanumeric() || "._+@".contains(c) {
            out.push(c);
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_matches(|c| c == '-' || c == '.').to_owned()
}

/// Profile names for `entries`, in order: the template expanded and made safe, then made unique, against each other
/// and against `taken` (the user's own profiles), by appending the account id and then a number.
pub fn profile_names_for(
    template: &str,
    entries: &[PopulateEntry],
    session: &str,
    taken: &BTreeSet<String>,
) -> Result<Vec<String>, TemplateError> {
    let mut used = taken.clone();
    let mut names = Vec::with_capacity(entries.len());
    for entry in entries {
        // Each value is made safe on its own, so that "Prod (EU)" gives "Prod-EU", not "Prod-EU-".
        let account_name = clean(&entry.account_name);
        let safe = PopulateEntry {
            account_id: entry.account_id.clone(),
            // A name with nothing usable in it (all punctuation, or all non-ASCII) falls back to the id.
            account_name: if account_name.is_empty() {
                entry.account_id.clone()
            } else {
                account_name
            },
            role_name: clean(&entry.role_name),
        };
        let base = clean(&expand(template, &safe, &clean(session))?);
        let mut name = base.clone();
        if used.contains(&name) {
            name = format!("{base}-{}", entry.account_id);
        }
        let mut n = 2;
        while used.contains(&name) {
            name = format!("{base}-{}-{n}", entry.account_id);
            n += 1;
        }
        used.insert(name.clone());
        names.push(name);
    }
    Ok(names)
}

fn begin_marker(session: &str) -> String {
    format!("# BEGIN ssocreds populate: sso-session {session}")
}

fn end_marker(session: &str) -> String {
    format!("# END ssocreds populate: sso-session {session}")
}

/// The generated block for one sso-session, entries sorted by profile name, with `newline` line endings.
pub fn render_block(session: &str, entries: &[(String, PopulateEntry)], region: Option<&str>, newline: &str) -> String {
    let mut sorted: Vec<&(String, PopulateEntry)> = entries.iter().collect();
    sorted.sort_by(|a, b| a.0.cmp(&b.0));
    let mut out = String::new();
    let mut line = |text: &str| {
        out.push_str(text);
        out.push_str(newline);
    };
    line(&begin_marker(session));
    line("# Written by `ssocreds populate`: edits inside this block are lost when it runs again.");
    for (name, entry) in sorted {
        line("");
        line(&format!("[profile {name}]"));
        line(&format!("sso_session = {session}"));
        line(&format!("sso_account_id = {}", entry.account_id));
        line(&format!("sso_role_name = {}", entry.role_name));
        if let Some(region) = region {
            line(&format!("region = {region}"));
        }
    }
    line(&end_marker(session));
    out
}

/// The names of the profiles that `text` defines outside the generated block of `session`, which populate must not
/// reuse.
pub fn profiles_outside_block(text: &str, session: &str) -> BTreeSet<String> {
    let (before, _, after) = split_block(text, session);
    [before, after]
        .iter()
        .flat_map(|part| part.lines())
        .filter_map(|line| {
            let inner = line.trim().strip_prefix('[')?.strip_suffix(']')?.trim();
            let name = inner
                .strip_prefix("profile ")
                .map(str::trim)
                .or((inner == "default").then_some(inner))?;
            Some(name.to_owned())
        })
        .collect()
}

/// Splits `text` into what comes before the block of `session`, the block (markers included, up to the end of the
/// END line), and what comes after. Without a block, everything is "before".
fn split_block<'a>(text: &'a str, session: &str) -> (&'a str, &'a str, &'a str) {
    let begin = begin_marker(session);
    let end = end_marker(session);
    let line_start = |pos: usize| pos == 0 || text.as_bytes()[pos - 1] == b'\n';
    let Some(start) = text.match_indices(&begin).map(|(i, _)| i).find(|&i| line_start(i)) else {
        return (text, "", "");
    };
    let Some(end_at) = text[start..]
        .match_indices(&end)
        .map(|(i, _)| i + start)
        .find(|&i| line_start(i))
    else {
        // A BEGIN without an END: treat the block as running to the end of the file.
        return (&text[..start], &text[start..], "");
    };
    let stop = text[end_at..].find('\n').map_or(text.len(), |i| end_at + i + 1);
    (&text[..start], &text[start..stop], &text[stop..])
}

/// The config text with the block of `session` replaced by `block` (or appended, after one blank line). Every byte
/// outside the block is kept.
pub fn replace_block(text: &str, session: &str, block: &str) -> String {
    let (before, old, after) = split_block(text, session);
    if old.is_empty() {
        let newline = newline_of(text);
        let mut out = text.to_owned();
        if !out.is_empty() {
            if !out.ends_with('\n') {
                out.push_str(newline);
            }
            out.push_str(newline);
        }
        out.push_str(block);
        return out;
    }
    format!("{before}{block}{after}")
}

/// The line ending a text mostly uses: `\r\n` or `\n`.
pub fn newline_of(text: &str) -> &'static str {
    let crlf = text.matches("\r\n").count();
    if crlf > 0 && crlf * 2 >= text.matches('\n').count() {
        "\r\n"
    } else {
        "\n"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    // On wasm32 the same tests run under wasm-bindgen-test (as quinn-proto does).
    #[cfg(all(target_family = "wasm", target_os = "unknown"))]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    fn entry(id: &str, name: &str, role: &str) -> PopulateEntry {
        PopulateEntry {
            account_id: id.into(),
            account_name: name.into(),
            role_name: role.into(),
        }
    }

    #[test]
    fn templates_are_checked() {
        assert!(check_template(DEFAULT_TEMPLATE).is_ok());
        assert!(check_template("{account_id}-{role_name}-{session}").is_ok());
        assert_eq!(
            check_template("{acount_name}.{role_name}").unwrap_err().code(),
            "TEMPLATE_UNKNOWN_PLACEHOLDER"
        );
        assert_eq!(check_template("{account_name").unwrap_err().code(), "TEMPLATE_UNCLOSED");
        assert_eq!(
            check_template("{account_name}").unwrap_err().code(),
            "TEMPLATE_NOT_UNIQUE"
        );
    }

    #[test]
    fn names_are_safe_and_unique() {
        let entries = [
            entry("111122223333", "Prod Account (EU)", "Admin"),
            entry("444455556666", "prod account  eu", "Admin"),
            entry("777788889999", "Prod Account (EU)", "Admin"),
            entry("000011112222", "ünïcode ]x[", "Read+Only"),
            entry("000011113333", "---", "R"),
            entry("000011114444", "mine", "Dev"),
        ];
        let taken = BTreeSet::from(["mine.Dev".to_owned()]);
        let names = profile_names_for(DEFAULT_TEMPLATE, &entries, "corp", &taken).unwrap();
        assert_eq!(
            names,
            [
                "Prod-Account-EU.Admin".to_owned(),
                "prod-account-eu.Admin".to_owned(),
                "Prod-Account-EU.Admin-777788889999".to_owned(),
                "n-code-x.Read+Only".to_owned(),
                "000011113333.R".to_owned(),
                "mine.Dev-000011114444".to_owned(),
            ]
        );
    }

    #[test]
    fn the_block_is_appended_once_and_replaced_after() {
        let user = "# my settings\n[default]\nregion = eu-west-1\n";
        let first = render_block("corp", &[("a.R".into(), entry("111122223333", "a", "R"))], None, "\n");
        let once = replace_block(user, "corp", &first);
        assert!(once.starts_with(user) && once.ends_with(&first), "{once}");
        assert_eq!(replace_block(&once, "corp", &first), once, "idempotent");
        let second = render_block(
            "corp",
            &[("b.R".into(), entry("444455556666", "b", "R"))],
            Some("us-west-2"),
            "\n",
        );
        let twice = replace_block(&format!("{once}[profile after]\nx = 1\n"), "corp", &second);
        assert!(!twice.contains("a.R") && twice.contains("[profile b.R]") && twice.contains("region = us-west-2"));
        assert!(
            twice.starts_with(user) && twice.ends_with("[profile after]\nx = 1\n"),
            "{twice}"
        );
        // Other sessions' blocks are left alone.
        let other = render_block("other", &[("c.R".into(), entry("777788889999", "c", "R"))], None, "\n");
        let both = replace_block(&twice, "other", &other);
        assert_eq!(replace_block(&both, "corp", &second), both);
        assert!(both.contains("[profile b.R]") && both.contains("[profile c.R]"));
    }

    #[test]
    fn line_endings_and_a_missing_final_newline_are_respected() {
        let user = "[default]\r\nregion = eu-west-1";
        let block = render_block(
            "corp",
            &[("a.R".into(), entry("111122223333", "a", "R"))],
            None,
            newline_of(user),
        );
        let out = replace_block(user, "corp", &block);
        assert!(
            out.starts_with("[default]\r\nregion = eu-west-1\r\n\r\n# BEGIN"),
            "{out:?}"
        );
        assert!(!out.replace("\r\n", "").contains('\n'), "{out:?}");
    }

    #[test]
    fn user_profiles_outside_the_block_are_found() {
        let block = render_block(
            "corp",
            &[("gen.R".into(), entry("111122223333", "gen", "R"))],
            None,
            "\n",
        );
        let text = replace_block("[profile mine]\nx=1\n[default]\n", "corp", &block);
        let names = profiles_outside_block(&text, "corp");
        assert_eq!(names, BTreeSet::from(["default".to_owned(), "mine".to_owned()]));
    }
}
