//! Writing one profile into the shared credentials file (`~/.aws/credentials`) and leaving the rest alone.
//!
//! In that file a section is `[NAME]`, without the `profile ` prefix of the config file, and botocore finds it by
//! its exact header text: `[ dev ]` is not `dev`. Lines are read with the same rules as the config file (see
//! [`crate::ini`]), so a key is whatever botocore would see as a key, and an indented line under a key is part of
//! its value.

use crate::ids::AccountId;
use crate::ini::{Line, LineKind, lex};
use crate::portal::RoleCredentials;
use crate::quote::Quoted;
use crate::time::format_timestamp;

/// The key ssocreds writes the credentials' expiry under. The SDKs ignore keys they do not know, and this one is
/// what saml2aws, gimme-aws-creds and aws-google-auth already write, so scripts may know it.
pub const EXPIRATION_KEY: &str = "x_security_token_expires";

/// A profile name or value that cannot be written safely.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CredentialsFileError {
    /// The profile name could break the file or would not be found again.
    #[error("cannot write a credentials profile named {}: {reason}", Quoted(.name))]
    InvalidProfileName {
        /// The name (shortened).
        name: String,
        /// Why.
        reason: &'static str,
    },
    /// A key name that is not a plain setting name.
    #[error("cannot write the key {} to the credentials file: {reason}", Quoted(.key))]
    InvalidKey {
        /// The key (shortened).
        key: String,
        /// Why.
        reason: &'static str,
    },
    /// A value that would not read back as written. The value itself is never shown: it may be a secret.
    #[error("cannot write the value of {key} to the credentials file: {reason}")]
    InvalidValue {
        /// The key whose value it is.
        key: String,
        /// Why.
        reason: &'static str,
    },
}

impl CredentialsFileError {
    /// A stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::InvalidProfileName { .. } => "CREDENTIALS_FILE_INVALID_PROFILE",
            Self::InvalidKey { .. } => "CREDENTIALS_FILE_INVALID_KEY",
            Self::InvalidValue { .. } => "CREDENTIALS_FILE_INVALID_VALUE",
        }
    }
}

fn shorten(text: &str) -> String {
    text.chars().take(80).collect()
}

fn check_profile_name(name: &str) -> Result<(), CredentialsFileError> {
    let reason = if name.is_empty() {
        Some("the name is empty")
    } else if name.chars().any(char::is_control) {
        Some("it contains a line break or another control character")
    } else if name.contains(']') {
        Some("it contains `]`, which ends a section header")
    } else if name.trim() != name {
        Some("it starts or ends with white space, which the AWS tools would not match")
    } else {
        None
    };
    match reason {
        Some(reason) => Err(CredentialsFileError::InvalidProfileName {
            name: shorten(name),
            reason,
        }),
        None => Ok(()),
    }
}

fn check_entry(key: &str, value: &str) -> Result<(), CredentialsFileError> {
    if key.is_empty() || !key.bytes().all(|b| b.is_ascii_alphanumeric() || b"_-.".contains(&b)) {
        return Err(CredentialsFileError::InvalidKey {
            key: shorten(key),
            reason: "keys are letters, digits, `_`, `-` and `.`",
        });
    }
    if value.chars().any(char::is_control) {
        return Err(CredentialsFileError::InvalidValue {
            key: key.to_owned(),
            reason: "it contains a line break or another control character",
        });
    }
    if value.trim() != value {
        return Err(CredentialsFileError::InvalidValue {
            key: key.to_owned(),
            reason: "it starts or ends with white space, which readers strip",
        });
    }
    Ok(())
}

/// Keys that must go when `key` is written, because a reader prefers them: botocore reads `aws_security_token`
/// before `aws_session_token`, so a stale one would shadow the new session token.
fn superseded_by(key: &str) -> &'static [&'static str] {
    if key.eq_ignore_ascii_case("aws_session_token") {
        &["aws_security_token"]
    } else {
        &[]
    }
}

enum Edit {
    Keep,
    Remove,
    /// New content for the line (its line ending is kept).
    Replace(String),
}

/// The index range of a section's lines after its header: up to the next header or the end.
fn section_body(lines: &[Line<'_>], header: usize) -> std::ops::Range<usize> {
    let end = lines[header + 1..]
        .iter()
        .position(|l| matches!(l.kind, LineKind::Section { .. }))
        .map_or(lines.len(), |p| header + 1 + p);
    header + 1..end
}

/// Marks a key line and its continuation lines for removal. The key stays open across blank, comment and invalid
/// lines, as in botocore's parser, so its continuation lines run up to the next key or header.
fn remove_key(lines: &[Line<'_>], edits: &mut [Edit], at: usize, body_end: usize) {
    edits[at] = Edit::Remove;
    for i in at + 1..body_end {
        match lines[i].kind {
            LineKind::Continuation { .. } => edits[i] = Edit::Remove,
            LineKind::Key { .. } | LineKind::Section { .. } => break,
            LineKind::Blank | LineKind::Comment | LineKind::Invalid { .. } => {}
        }
    }
}

/// Where a key line's value starts: after the first `=` or `:` and the white space that follows it.
fn value_start(content: &str) -> usize {
    let delimiter = content.find(['=', ':']).unwrap_or(content.len().saturating_sub(1));
    let after = &content[delimiter + 1..];
    delimiter + 1 + (after.len() - after.trim_start().len())
}

/// The leading white space of a line.
fn indentation<'t>(text: &'t str, line: &Line<'_>) -> &'t str {
    let content = &text[line.start..line.content_end];
    &content[..content.len() - content.trim_start().len()]
}

/// Where new keys go in a section, and with what indentation, so that botocore's parser reads every line after
/// them as it did before: no invalid line and no indented next header may become a continuation of a new key
/// (that parser continues a value on any line deeper than the last line that was not a continuation).
///
/// With a remaining key in the section, the new lines go after it (and its continuation lines), indented like the
/// deepest of the invalid lines and next header that follow; those are never deeper than that key's line, so the
/// new lines cannot continue it. Without one, no key is open: the new lines go after the section's last invalid
/// line, indented like the next header.
fn insertion_point<'t>(
    text: &'t str,
    lines: &[Line<'_>],
    edits: &[Edit],
    header: usize,
    body: std::ops::Range<usize>,
) -> (usize, &'t str) {
    let next_header = lines.get(body.end).map(|line| indentation(text, line));
    let last_key = body.clone().rev().find(|&i| {
        matches!(lines[i].kind, LineKind::Key { .. } | LineKind::Continuation { .. })
            && !matches!(edits[i], Edit::Remove)
    });
    match last_key {
        Some(anchor) => {
            let deepest = body
                .filter(|&i| i > anchor && matches!(lines[i].kind, LineKind::Invalid { .. }))
                .map(|i| indentation(text, &lines[i]))
                .chain(next_header)
                .max_by_key(|prefix| prefix.chars().count())
                .unwrap_or("");
            (anchor, deepest)
        }
        None => {
            let anchor = body
                .rev()
                .find(|&i| matches!(lines[i].kind, LineKind::Invalid { .. }))
                .unwrap_or(header);
            (anchor, next_header.unwrap_or(""))
        }
    }
}

/// Replaces (or appends) the section `[profile]` of a credentials file with the given keys, and keeps every other
/// byte: other sections, comments, blank lines, CRLF line endings, a missing final newline.
///
/// Within the section, a key that is given replaces the value of its first occurrence in place (its indentation
/// and `key = ` spelling kept, its continuation lines dropped), keys that are not given (`region`, …) and comments
/// stay where they are, and given keys that are missing are added after the section's last setting. Keys match
/// without regard to ASCII case, as botocore lower-cases them. Writing `aws_session_token` also removes
/// `aws_security_token`, which botocore would read first.
///
/// A profile that appears in several `[profile]` sections (botocore refuses such a file; other SDKs merge them):
/// the first is updated, and the given keys are removed from the later ones, so that no reader can pick up a stale
/// value from them whichever way it merges. Everything else in them stays.
pub fn merge_profile(existing: &str, profile: &str, values: &[(&str, &str)]) -> Result<String, CredentialsFileError> {
    check_profile_name(profile)?;
    for (i, (key, value)) in values.iter().enumerate() {
        check_entry(key, value)?;
        if values[..i].iter().any(|(k, _)| k.eq_ignore_ascii_case(key)) {
            return Err(CredentialsFileError::InvalidKey {
                key: shorten(key),
                reason: "it is given twice (keys match without regard to case)",
            });
        }
    }
    let lines = lex(existing);
    let eol = lines
        .iter()
        .map(|l| &existing[l.content_end..l.end])
        // A lone `\r` on an unterminated last line is not a line ending (lines end at `\n`).
        .find(|e| e.ends_with('\n'))
        .unwrap_or("\n");
    let is_managed = |key: &str| {
        values
            .iter()
            .any(|(k, _)| k.eq_ignore_ascii_case(key) || superseded_by(k).iter().any(|s| s.eq_ignore_ascii_case(key)))
    };

    let headers: Vec<usize> = lines
        .iter()
        .enumerate()
        .filter(|(_, l)| l.kind == LineKind::Section { header: profile })
        .map(|(i, _)| i)
        .collect();
    let mut edits: Vec<Edit> = lines.iter().map(|_| Edit::Keep).collect();
    let mut insert_after: Option<(usize, Vec<String>)> = None;

    if let Some((&first, later)) = headers.split_first() {
        let body = section_body(&lines, first);
        let mut written = vec![false; values.len()];
        for i in body.clone() {
            let LineKind::Key { key, .. } = lines[i].kind else {
                continue;
            };
            if !is_managed(key) || matches!(edits[i], Edit::Remove) {
                continue;
            }
            match values.iter().position(|(k, _)| k.eq_ignore_ascii_case(key)) {
                Some(v) if !written[v] => {
                    written[v] = true;
                    let content = &existing[lines[i].start..lines[i].content_end];
                    remove_key(&lines, &mut edits, i, body.end);
                    edits[i] = Edit::Replace(format!("{}{}", &content[..value_start(content)], values[v].1));
                }
                // A repeated given key, or a superseded one.
                _ => remove_key(&lines, &mut edits, i, body.end),
            }
        }
        let missing: Vec<String> = values
            .iter()
            .zip(&written)
            .filter(|(_, done)| !**done)
            .map(|((k, v), _)| format!("{k} = {v}"))
            .collect();
        if !missing.is_empty() {
            let (anchor, indent) = insertion_point(existing, &lines, &edits, first, body.clone());
            let missing = missing.into_iter().map(|entry| format!("{indent}{entry}")).collect();
            insert_after = Some((anchor, missing));
        }
        for &header in later {
            let body = section_body(&lines, header);
            for i in body.clone() {
                if let LineKind::Key { key, .. } = lines[i].kind
                    && is_managed(key)
                {
                    remove_key(&lines, &mut edits, i, body.end);
                }
            }
        }
    }

    let mut out = String::with_capacity(existing.len() + 256);
    out.push_str(&existing[..lines.first().map_or(existing.len(), |l| l.start)]);
    for (i, line) in lines.iter().enumerate() {
        match &edits[i] {
            Edit::Keep => out.push_str(&existing[line.start..line.end]),
            Edit::Remove => {}
            Edit::Replace(content) => {
                out.push_str(content);
                out.push_str(&existing[line.content_end..line.end]);
            }
        }
        if let Some((anchor, missing)) = &insert_after
            && *anchor == i
        {
            // Only a `\n` ends a line: a last line ending in a lone `\r` still needs a line break before new keys.
            let terminated = existing[..line.end].ends_with('\n');
            for entry in missing {
                if !terminated {
                    out.push_str(eol);
                }
                out.push_str(entry);
                if terminated {
                    out.push_str(eol);
                }
            }
        }
    }

    if headers.is_empty() {
        if !out.is_empty() && !out.ends_with('\n') {
            out.push_str(eol);
        }
        let last_is_blank = lines.last().is_some_and(|l| l.kind == LineKind::Blank);
        if !out.is_empty() && !last_is_blank {
            out.push_str(eol);
        }
        out.push_str(&format!("[{profile}]{eol}"));
        for (key, value) in values {
            out.push_str(&format!("{key} = {value}{eol}"));
        }
    }
    Ok(out)
}

/// [`merge_profile`] with role credentials: `aws_access_key_id`, `aws_secret_access_key`, `aws_session_token`
/// and [`EXPIRATION_KEY`] (RFC 3339 with `Z`). `aws_account_id` is written too when the account is known: botocore
/// reads it for account-based endpoints and ignores it otherwise.
pub fn merge_role_credentials(
    existing: &str,
    profile: &str,
    credentials: &RoleCredentials,
) -> Result<String, CredentialsFileError> {
    let expiration = format_timestamp(credentials.expiration);
    let mut values = vec![
        ("aws_access_key_id", credentials.access_key_id.as_str()),
        ("aws_secret_access_key", credentials.secret_access_key.expose()),
        ("aws_session_token", credentials.session_token.expose()),
        (EXPIRATION_KEY, expiration.as_str()),
    ];
    if let Some(account) = credentials.account_id.as_ref().map(AccountId::as_str) {
        values.push(("aws_account_id", account));
    }
    merge_profile(existing, profile, &values)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secret::SecretString;
    // On wasm32 the same tests run under wasm-bindgen-test (as quinn-proto does).
    #[cfg(all(target_family = "wasm", target_os = "unknown"))]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    const KEYS: [(&str, &str); 3] = [
        ("aws_access_key_id", "ASIANEW"),
        ("aws_secret_access_key", "secretNEW"),
        ("aws_session_token", "tokenNEW"),
    ];

    fn merge(existing: &str, profile: &str) -> String {
        merge_profile(existing, profile, &KEYS).unwrap()
    }

    /// What botocore would read: section header → (lower-case key → value), later keys winning.
    fn read(text: &str) -> Vec<(String, Vec<(String, String)>)> {
        let mut sections: Vec<(String, Vec<(String, String)>)> = Vec::new();
        for line in lex(text) {
            match line.kind {
                LineKind::Section { header } => sections.push((header.to_owned(), Vec::new())),
                LineKind::Key { key, value } => {
                    let entries = &mut sections.last_mut().unwrap().1;
                    entries.retain(|(k, _)| *k != key.to_ascii_lowercase());
                    entries.push((key.to_ascii_lowercase(), value.to_owned()));
                }
                LineKind::Continuation { value } => {
                    let last = sections.last_mut().unwrap().1.last_mut().unwrap();
                    last.1.push('\n');
                    last.1.push_str(value);
                }
                _ => {}
            }
        }
        sections
    }

    fn section<'a>(read: &'a [(String, Vec<(String, String)>)], name: &str) -> &'a [(String, String)] {
        &read.iter().find(|(h, _)| h == name).unwrap().1
    }

    #[test]
    fn replaces_in_place_and_keeps_everything_else() {
        let existing = "# credentials\n[other]\naws_access_key_id = KEEP\n\n[dev]\n# why dev\n\
                        aws_access_key_id=OLD\nregion = eu-west-1\naws_session_token   =   OLDTOKEN\n\n[last]\nk = v";
        let merged = merge(existing, "dev");
        assert_eq!(
            merged,
            "# credentials\n[other]\naws_access_key_id = KEEP\n\n[dev]\n# why dev\n\
             aws_access_key_id=ASIANEW\nregion = eu-west-1\naws_session_token   =   tokenNEW\n\
             aws_secret_access_key = secretNEW\n\n[last]\nk = v"
        );
    }

    #[test]
    fn appends_a_missing_section() {
        assert_eq!(
            merge("", "dev"),
            "[dev]\naws_access_key_id = ASIANEW\naws_secret_access_key = secretNEW\naws_session_token = tokenNEW\n"
        );
        assert_eq!(
            merge("[a]\nk = v", "dev"),
            format!("[a]\nk = v\n\n{}", merge("", "dev"))
        );
        assert_eq!(
            merge("[a]\nk = v\n\n", "dev"),
            format!("[a]\nk = v\n\n{}", merge("", "dev"))
        );
        // `[ dev ]` is another section for botocore, so `dev` is added beside it.
        let merged = merge("[ dev ]\nk = v\n", "dev");
        assert!(merged.starts_with("[ dev ]\nk = v\n\n[dev]\n"), "{merged}");
    }

    #[test]
    fn keeps_crlf_and_a_missing_final_newline() {
        let merged = merge("[a]\r\nk = v\r\n[dev]\r\nregion = x", "dev");
        assert_eq!(
            merged,
            "[a]\r\nk = v\r\n[dev]\r\nregion = x\r\naws_access_key_id = ASIANEW\r\naws_secret_access_key = \
             secretNEW\r\naws_session_token = tokenNEW"
        );
        let merged = merge("[a]\r\nk = v\r\n", "dev");
        assert_eq!(
            merged,
            "[a]\r\nk = v\r\n\r\n[dev]\r\naws_access_key_id = ASIANEW\r\naws_secret_access_key = secretNEW\r\naws_session_token = tokenNEW\r\n"
        );
        let merged = merge("[dev]", "dev");
        assert_eq!(
            merged,
            "[dev]\naws_access_key_id = ASIANEW\naws_secret_access_key = secretNEW\naws_session_token = tokenNEW"
        );
    }

    #[test]
    fn continuation_lines_of_a_replaced_value_go_and_stale_security_tokens_too() {
        let existing = "[dev]\naws_session_token = a\n  b\n\n  c\nAWS_SECURITY_TOKEN = stale\nregion = x\n\
                        aws_access_key_id = dup1\naws_access_key_id = dup2\n";
        let merged = merge(existing, "dev");
        assert_eq!(
            merged,
            "[dev]\naws_session_token = tokenNEW\n\nregion = x\naws_access_key_id = ASIANEW\n\
             aws_secret_access_key = secretNEW\n"
        );
    }

    #[test]
    fn later_duplicate_sections_lose_the_managed_keys_only() {
        let existing = "[dev]\naws_access_key_id = A\n[x]\n[dev]\naws_secret_access_key = B\nregion = r\n";
        let merged = merge(existing, "dev");
        assert_eq!(
            merged,
            "[dev]\naws_access_key_id = ASIANEW\naws_secret_access_key = secretNEW\naws_session_token = tokenNEW\n\
             [x]\n[dev]\nregion = r\n"
        );
    }

    #[test]
    fn rejects_names_and_values_that_could_break_the_file() {
        for (name, code) in [
            ("", "CREDENTIALS_FILE_INVALID_PROFILE"),
            ("a]b", "CREDENTIALS_FILE_INVALID_PROFILE"),
            ("a\nb", "CREDENTIALS_FILE_INVALID_PROFILE"),
            (" a", "CREDENTIALS_FILE_INVALID_PROFILE"),
            ("a ", "CREDENTIALS_FILE_INVALID_PROFILE"),
        ] {
            assert_eq!(merge_profile("", name, &KEYS).unwrap_err().code(), code, "{name:?}");
        }
        let err = merge_profile("", "dev", &[("aws_session_token", "abc\n[evil]")]).unwrap_err();
        assert_eq!(err.code(), "CREDENTIALS_FILE_INVALID_VALUE");
        assert_eq!(
            err.to_string(),
            "cannot write the value of aws_session_token to the credentials file: it contains a line break or \
             another control character"
        );
        assert!(!err.to_string().contains("evil"));
        let err = merge_profile("", "dev", &[("k", " padded")]).unwrap_err();
        assert_eq!(err.code(), "CREDENTIALS_FILE_INVALID_VALUE");
        let err = merge_profile("", "dev", &[("k = x\n", "v")]).unwrap_err();
        assert_eq!(err.code(), "CREDENTIALS_FILE_INVALID_KEY");
        assert_eq!(
            merge_profile("", "a]b", &KEYS).unwrap_err().to_string(),
            "cannot write a credentials profile named \"a]b\": it contains `]`, which ends a section header"
        );
        // Names with inner spaces and other punctuation are fine.
        assert!(merge_profile("", "my dev #1", &KEYS).is_ok());
    }

    #[test]
    fn role_credentials_are_written_with_their_expiry() {
        let credentials = RoleCredentials {
            access_key_id: "ASIA1".into(),
            secret_access_key: SecretString::new("sk"),
            session_token: SecretString::new("st"),
            expiration: crate::time::parse_timestamp("2024-01-02T03:04:05Z").unwrap(),
            account_id: Some(AccountId::new("111122223333").unwrap()),
        };
        let merged = merge_role_credentials("", "dev", &credentials).unwrap();
        assert_eq!(
            merged,
            "[dev]\naws_access_key_id = ASIA1\naws_secret_access_key = sk\naws_session_token = st\n\
             x_security_token_expires = 2024-01-02T03:04:05Z\naws_account_id = 111122223333\n"
        );
    }

    #[test]
    fn regression_last_line_ending_in_a_lone_cr_gets_a_line_break_before_new_keys() {
        // Found by fuzzing (fuzz/merge_profile): the new keys were glued to the last line after its `\r`, so they
        // became part of that line's value and a second merge added them again.
        let existing = "[dev]\nregion = eu-west-1\r";
        let merged = merge(existing, "dev");
        assert_eq!(
            merged,
            "[dev]\nregion = eu-west-1\r\naws_access_key_id = ASIANEW\naws_secret_access_key = secretNEW\n\
             aws_session_token = tokenNEW"
        );
        assert_eq!(merge(&merged, "dev"), merged);
        // Nor is a lone `\r` the file's line ending: a new section written with `\r` endings was one line with
        // the rest, so it was not found again and was appended a second time.
        let merged = merge("[a]\rk = v\r", "dev");
        assert_eq!(
            merged,
            "[a]\rk = v\r\n\n[dev]\naws_access_key_id = ASIANEW\naws_secret_access_key = secretNEW\n\
             aws_session_token = tokenNEW\n"
        );
        assert_eq!(merge(&merged, "dev"), merged);
    }

    #[test]
    fn regression_a_key_given_twice_is_refused() {
        // Found by fuzzing (fuzz/merge_profile): with the same key given twice, the first merge wrote both lines and
        // the second moved one of them, so merging was not stable, and which value a reader sees was unclear.
        let err = merge_profile("", "dev", &[("k", "a"), ("x", "b"), ("K", "c")]).unwrap_err();
        assert_eq!(err.code(), "CREDENTIALS_FILE_INVALID_KEY");
        assert!(err.to_string().contains("given twice"), "{err}");
    }

    /// A tiny deterministic generator (xorshift), so the property tests need no dependency.
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
        fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
            items[(self.next() % items.len() as u64) as usize]
        }
    }

    /// A random credentials file with at most one `[dev]` section.
    fn random_file(rng: &mut Rng, with_dev: bool) -> String {
        let eol = rng.pick(&["\n", "\r\n"]);
        let headers = ["[a]", "[ dev ]", "[dev2]", "[profile dev]", "  [b] ; c", "[DEV]"];
        let lines = [
            "k = v",
            "aws_access_key_id = X",
            "aws_session_token=Y",
            "aws_security_token : Z",
            "region = us-east-1",
            "# comment",
            "; comment",
            "",
            "   ",
            "  continued",
            "s3 =",
            "    addressing_style = path",
            "  Aws_Secret_Access_Key = S",
            "weird line without equals",
            "x = [dev]",
        ];
        let mut sections = Vec::new();
        let count = rng.next() % 4;
        for _ in 0..count {
            sections.push(rng.pick(&headers).to_owned());
        }
        if with_dev {
            let at = (rng.next() % (sections.len() as u64 + 1)) as usize;
            sections.insert(at, rng.pick(&["[dev]", "[dev]", "  [dev] # x"]).to_owned());
        }
        let mut text = String::new();
        if rng.next().is_multiple_of(3) {
            text.push_str(rng.pick(&["# header comment", "", "; x"]));
            text.push_str(eol);
        }
        for header in sections {
            text.push_str(&header);
            text.push_str(eol);
            for _ in 0..rng.next() % 6 {
                text.push_str(rng.pick(&lines));
                text.push_str(eol);
            }
        }
        if rng.next().is_multiple_of(2) && text.ends_with(eol) {
            text.truncate(text.len() - eol.len());
        }
        text
    }

    /// The byte range of the `[dev]` section: its header line to the next header or the end.
    fn dev_range(text: &str) -> Option<std::ops::Range<usize>> {
        let lines = lex(text);
        let header = lines
            .iter()
            .position(|l| l.kind == LineKind::Section { header: "dev" })?;
        let body = section_body(&lines, header);
        let end = if body.end < lines.len() {
            lines[body.end].start
        } else {
            text.len()
        };
        Some(lines[header].start..end)
    }

    #[test]
    fn property_every_byte_outside_the_section_is_preserved() {
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        for round in 0..3000 {
            let with_dev = round % 3 != 0;
            let existing = random_file(&mut rng, with_dev);
            let merged = merge(&existing, "dev");
            let context = format!("round {round}\n--- existing\n{existing:?}\n--- merged\n{merged:?}");

            match dev_range(&existing) {
                Some(old) => {
                    let new = dev_range(&merged).expect(&context);
                    assert_eq!(&merged[..new.start], &existing[..old.start], "{context}");
                    assert_eq!(&merged[new.end..], &existing[old.end..], "{context}");
                    // Only managed keys were removed or changed inside the section.
                    let before = read(&existing);
                    let before = section(&before, "dev");
                    let after = read(&merged);
                    for (k, v) in section(&after, "dev") {
                        if !KEYS.iter().any(|(m, _)| m == k) {
                            assert!(before.contains(&(k.clone(), v.clone())), "{context}");
                        }
                    }
                    for (k, v) in before {
                        let managed = KEYS.iter().any(|(m, _)| m == k) || k == "aws_security_token";
                        if !managed {
                            assert!(
                                section(&after, "dev").contains(&(k.clone(), v.clone())),
                                "{k} {context}"
                            );
                        }
                    }
                }
                None => {
                    let kept = existing.trim_end_matches(['\r', '\n']);
                    assert!(merged.starts_with(kept), "{context}");
                    assert!(merged.ends_with("aws_session_token = tokenNEW\n") || merged.ends_with("tokenNEW\r\n"));
                }
            }
            // What a reader sees in [dev] is exactly the new credentials, with no stale security token.
            let after = read(&merged);
            let dev = section(&after, "dev");
            for (k, v) in KEYS {
                assert!(dev.contains(&(k.to_owned(), v.to_owned())), "{k} {context}");
            }
            assert!(!dev.iter().any(|(k, _)| k == "aws_security_token"), "{context}");
            // Every other section reads as before.
            let others = |sections: Vec<(String, Vec<(String, String)>)>| {
                sections.into_iter().filter(|(h, _)| h != "dev").collect::<Vec<_>>()
            };
            assert_eq!(others(read(&merged)), others(read(&existing)), "{context}");
            // Writing again changes nothing.
            assert_eq!(merge(&merged, "dev"), merged, "{context}");
        }
    }
}
