//! Credentials as shell exports, dotenv lines, `credential_process` JSON or plain JSON.

use crate::ids::{AccountId, Region};
use crate::portal::RoleCredentials;
use crate::quote::Quoted;
use crate::time::format_timestamp;

/// An output format, named as `aws configure export-credentials --format` names them where one exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ExportFormat {
    /// `export NAME=value` for bash, zsh, sh and ksh.
    Env,
    /// `NAME=value` with shell quoting, without `export`.
    EnvNoExport,
    /// `NAME=value` for `.env` files (docker compose, python-dotenv, node dotenv).
    Dotenv,
    /// `set -gx NAME "value"` for fish.
    Fish,
    /// `$Env:NAME="value"` for PowerShell.
    PowerShell,
    /// `set NAME=value` for the Windows command prompt.
    WindowsCmd,
    /// The JSON document `credential_process` expects (`Version: 1`).
    Process,
    /// A JSON object with camelCase keys, for scripts.
    Json,
}

impl ExportFormat {
    /// Every format, in the order the help lists them.
    pub const ALL: [ExportFormat; 8] = [
        Self::Env,
        Self::EnvNoExport,
        Self::Dotenv,
        Self::Fish,
        Self::PowerShell,
        Self::WindowsCmd,
        Self::Process,
        Self::Json,
    ];

    /// The format's name on the command line and in the JavaScript API.
    pub fn name(self) -> &'static str {
        match self {
            Self::Env => "env",
            Self::EnvNoExport => "env-no-export",
            Self::Dotenv => "dotenv",
            Self::Fish => "fish",
            Self::PowerShell => "powershell",
            Self::WindowsCmd => "windows-cmd",
            Self::Process => "process",
            Self::Json => "json",
        }
    }

    /// Looks a format up by name.
    pub fn from_name(name: &str) -> Result<Self, ExportError> {
        Self::ALL
            .into_iter()
            .find(|f| f.name() == name)
            .ok_or_else(|| ExportError::UnknownFormat(name.chars().take(40).collect()))
    }
}

impl std::fmt::Display for ExportFormat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Credentials that cannot be written in the format asked for.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExportError {
    /// No such format.
    #[error(
        "unknown format {}; choose one of env, env-no-export, dotenv, fish, powershell, windows-cmd, process, json",
        Quoted(.0)
    )]
    UnknownFormat(String),
    /// A value holds characters the format cannot carry safely.
    #[error(
        "the value of {name} contains characters that {format} cannot represent safely (quotes, %, !, line breaks \
         or NUL); use another format such as json or process"
    )]
    Unrepresentable {
        /// The variable.
        name: &'static str,
        /// The format.
        format: ExportFormat,
    },
}

impl ExportError {
    /// A stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::UnknownFormat(_) => "EXPORT_UNKNOWN_FORMAT",
            Self::Unrepresentable { .. } => "EXPORT_UNREPRESENTABLE",
        }
    }
}

/// What to add besides the credentials.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExportOptions {
    /// Also set `AWS_REGION` and `AWS_DEFAULT_REGION` (boto3 reads only the latter; the CLI v2 and the Rust SDK read
    /// the former first).
    pub region: Option<Region>,
}

/// Characters that need no quoting in any POSIX shell word (nor in a dotenv value).
fn is_plain(value: &str) -> bool {
    !value.is_empty()
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_-./+=:,@%".contains(&b))
}

fn posix_quote(value: &str) -> String {
    if is_plain(value) {
        value.to_owned()
    } else {
        format!("'{}'", value.replace('\'', r"'\''"))
    }
}

fn fish_quote(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        if matches!(c, '\\' | '"' | '$') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

fn powershell_quote(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        // PowerShell also treats the typographic double quotes as quotes.
        if matches!(c, '`' | '$' | '"' | '\u{201C}' | '\u{201D}' | '\u{201E}') {
            out.push('`');
        }
        out.push(c);
    }
    out.push('"');
    out
}

fn dotenv_quote(value: &str) -> String {
    if is_plain(value) {
        value.to_owned()
    } else if !value.contains(['\'', '\n', '\r']) {
        format!("'{value}'")
    } else {
        let mut out = String::from("\"");
        for c in value.chars() {
            match c {
                '\\' => out.push_str(r"\\"),
                '"' => out.push_str("\\\""),
                '$' => out.push_str(r"\$"),
                '\n' => out.push_str(r"\n"),
                '\r' => out.push_str(r"\r"),
                c => out.push(c),
            }
        }
        out.push('"');
        out
    }
}

/// The `set` line's opening and closing for a value (`set NAME=value`, or `set "NAME=value"` when the value holds
/// characters the prompt would interpret), or why the value cannot be written for the Windows command prompt.
fn cmd_quotes(name: &'static str, value: &str) -> Result<(&'static str, &'static str), ExportError> {
    if value.contains(['"', '%', '!', '\n', '\r']) {
        return Err(ExportError::Unrepresentable {
            name,
            format: ExportFormat::WindowsCmd,
        });
    }
    if value.contains(['&', '|', '<', '>', '^', '(', ')']) || value.ends_with(' ') {
        Ok(("set \"", "\""))
    } else {
        Ok(("set ", ""))
    }
}

/// The environment variables for credentials, in the documented order: `AWS_ACCESS_KEY_ID`,
/// `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`, `AWS_CREDENTIAL_EXPIRATION`, then `AWS_REGION` and
/// `AWS_DEFAULT_REGION` when a region is given. Every export format and `ssocreds exec` use this one list.
pub fn credential_variables(credentials: &RoleCredentials, options: &ExportOptions) -> Vec<(&'static str, String)> {
    let mut vars = vec![
        ("AWS_ACCESS_KEY_ID", credentials.access_key_id.clone()),
        (
            "AWS_SECRET_ACCESS_KEY",
            credentials.secret_access_key.expose().to_owned(),
        ),
        ("AWS_SESSION_TOKEN", credentials.session_token.expose().to_owned()),
        ("AWS_CREDENTIAL_EXPIRATION", format_timestamp(credentials.expiration)),
    ];
    if let Some(region) = &options.region {
        vars.push(("AWS_REGION", region.as_str().to_owned()));
        vars.push(("AWS_DEFAULT_REGION", region.as_str().to_owned()));
    }
    vars
}

/// Formats credentials (and optionally the region) in `format`. Every value survives evaluation by the shell it is
/// meant for byte for byte; a value that cannot (only possible for `windows-cmd`, or a NUL anywhere) is an error.
pub fn format_exports(
    credentials: &RoleCredentials,
    format: ExportFormat,
    options: &ExportOptions,
) -> Result<String, ExportError> {
    let mut vars = credential_variables(credentials, options);
    let text = render(&vars, credentials, format, options);
    for (_, value) in &mut vars {
        zeroize::Zeroize::zeroize(value);
    }
    text
}

fn render(
    vars: &[(&'static str, String)],
    credentials: &RoleCredentials,
    format: ExportFormat,
    options: &ExportOptions,
) -> Result<String, ExportError> {
    // A byte search: `contains('\0')` also links the substring searcher (3 KB of WebAssembly) for wide chars.
    if let Some((name, _)) = vars.iter().find(|(_, v)| v.as_bytes().contains(&0)) {
        return Err(ExportError::Unrepresentable { name, format });
    }
    let expiration = format_timestamp(credentials.expiration);
    match format {
        ExportFormat::Process => Ok(process_json(credentials, &expiration)),
        ExportFormat::Json => Ok(plain_json(credentials, &expiration, options)),
        _ => render_lines(vars, format),
    }
}

/// Variables as lines of one of the shell and dotenv formats, quoted for it. Also used for the variables of
/// `ssocreds serve` (container.rs). `Process` and `Json` are documents, not lines: callers write those themselves.
pub(crate) fn render_lines(vars: &[(&'static str, String)], format: ExportFormat) -> Result<String, ExportError> {
    if let Some((name, _)) = vars.iter().find(|(_, v)| v.as_bytes().contains(&0)) {
        return Err(ExportError::Unrepresentable { name, format });
    }
    let mut out = String::new();
    // Each line is `{prefix}{name}{separator}{value}{suffix}`, pushed piece by piece rather than through
    // one `format!` per format: the same text, in half the code.
    for &(name, ref value) in vars {
        let quoted = match format {
            ExportFormat::Env | ExportFormat::EnvNoExport => posix_quote(value),
            ExportFormat::Dotenv => dotenv_quote(value),
            ExportFormat::Fish => fish_quote(value),
            ExportFormat::PowerShell => powershell_quote(value),
            _ => value.clone(),
        };
        let (prefix, separator, suffix) = match format {
            ExportFormat::Env => ("export ", "=", ""),
            ExportFormat::EnvNoExport | ExportFormat::Dotenv => ("", "=", ""),
            ExportFormat::Fish => ("set -gx ", " ", ""),
            ExportFormat::PowerShell => ("$Env:", "=", ""),
            ExportFormat::WindowsCmd => {
                let (prefix, suffix) = cmd_quotes(name, value)?;
                (prefix, "=", suffix)
            }
            ExportFormat::Process | ExportFormat::Json => unreachable!("documents are written by the callers"),
        };
        for piece in [prefix, name, separator, &quoted, suffix, "\n"] {
            out.push_str(piece);
        }
    }
    Ok(out)
}

/// A JSON string literal, as serde_json writes it.
fn json_string(value: &str) -> String {
    serde_json::to_string(value).expect("a string always serializes to JSON")
}

fn process_json(credentials: &RoleCredentials, expiration: &str) -> String {
    let mut out = format!(
        "{{\n  \"Version\": 1,\n  \"AccessKeyId\": {},\n  \"SecretAccessKey\": {},\n  \"SessionToken\": {},\n  \"Expiration\": {}",
        json_string(&credentials.access_key_id),
        json_string(credentials.secret_access_key.expose()),
        json_string(credentials.session_token.expose()),
        json_string(expiration),
    );
    if let Some(account) = &credentials.account_id {
        out.push_str(&format!(",\n  \"AccountId\": {}", json_string(account.as_str())));
    }
    out.push_str("\n}\n");
    out
}

fn plain_json(credentials: &RoleCredentials, expiration: &str, options: &ExportOptions) -> String {
    let mut out = format!(
        "{{\n  \"accessKeyId\": {},\n  \"secretAccessKey\": {},\n  \"sessionToken\": {},\n  \"expiration\": {}",
        json_string(&credentials.access_key_id),
        json_string(credentials.secret_access_key.expose()),
        json_string(credentials.session_token.expose()),
        json_string(expiration),
    );
    if let Some(account) = credentials.account_id.as_ref().map(AccountId::as_str) {
        out.push_str(&format!(",\n  \"accountId\": {}", json_string(account)));
    }
    if let Some(region) = &options.region {
        out.push_str(&format!(",\n  \"region\": {}", json_string(region.as_str())));
    }
    out.push_str("\n}\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    // On wasm32 the same tests run under wasm-bindgen-test (as quinn-proto does).
    use crate::secret::SecretString;
    use chrono::DateTime;
    #[cfg(all(target_family = "wasm", target_os = "unknown"))]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    fn creds(secret: &str) -> RoleCredentials {
        RoleCredentials {
            access_key_id: "ASIAEXAMPLE".into(),
            secret_access_key: SecretString::new(secret),
            session_token: SecretString::new("IQo/Jb3+JpZ2luX2Vj=="),
            expiration: DateTime::from_timestamp_millis(1_676_400_539_123).unwrap(),
            account_id: Some(AccountId::new("111122223333").unwrap()),
        }
    }

    fn region() -> ExportOptions {
        ExportOptions {
            region: Some(Region::new("eu-west-1").unwrap()),
        }
    }

    #[test]
    fn env_matches_the_aws_cli_for_ordinary_values() {
        let out = format_exports(&creds("wJalr/K7MDENG+bPxRfi"), ExportFormat::Env, &region()).unwrap();
        assert_eq!(
            out,
            "export AWS_ACCESS_KEY_ID=ASIAEXAMPLE\n\
             export AWS_SECRET_ACCESS_KEY=wJalr/K7MDENG+bPxRfi\n\
             export AWS_SESSION_TOKEN=IQo/Jb3+JpZ2luX2Vj==\n\
             export AWS_CREDENTIAL_EXPIRATION=2023-02-14T18:48:59Z\n\
             export AWS_REGION=eu-west-1\n\
             export AWS_DEFAULT_REGION=eu-west-1\n"
        );
    }

    #[test]
    fn every_format_for_an_awkward_value() {
        let c = creds("it's $HOME \"q\" `x`");
        let line = |format| {
            format_exports(&c, format, &ExportOptions::default())
                .unwrap()
                .lines()
                .nth(1)
                .unwrap()
                .to_owned()
        };
        assert_eq!(
            line(ExportFormat::Env),
            r#"export AWS_SECRET_ACCESS_KEY='it'\''s $HOME "q" `x`'"#
        );
        assert_eq!(
            line(ExportFormat::EnvNoExport),
            r#"AWS_SECRET_ACCESS_KEY='it'\''s $HOME "q" `x`'"#
        );
        assert_eq!(
            line(ExportFormat::Fish),
            r#"set -gx AWS_SECRET_ACCESS_KEY "it's \$HOME \"q\" `x`""#
        );
        assert_eq!(
            line(ExportFormat::PowerShell),
            r#"$Env:AWS_SECRET_ACCESS_KEY="it's `$HOME `"q`" ``x``""#
        );
        assert_eq!(
            line(ExportFormat::Dotenv),
            r#"AWS_SECRET_ACCESS_KEY="it's \$HOME \"q\" `x`""#
        );
        assert_eq!(
            format_exports(&c, ExportFormat::WindowsCmd, &ExportOptions::default())
                .unwrap_err()
                .code(),
            "EXPORT_UNREPRESENTABLE"
        );
    }

    #[test]
    fn cmd_quotes_metacharacters() {
        let out = format_exports(&creds("a&b"), ExportFormat::WindowsCmd, &ExportOptions::default()).unwrap();
        assert!(out.contains("set \"AWS_SECRET_ACCESS_KEY=a&b\"\n"), "{out}");
        assert!(out.starts_with("set AWS_ACCESS_KEY_ID=ASIAEXAMPLE\n"), "{out}");
    }

    #[test]
    fn process_json_is_what_credential_process_expects() {
        let out = format_exports(&creds("s\"k"), ExportFormat::Process, &region()).unwrap();
        let parsed: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(parsed["Version"], 1);
        assert_eq!(parsed["SecretAccessKey"], "s\"k");
        assert_eq!(parsed["Expiration"], "2023-02-14T18:48:59Z");
        assert_eq!(parsed["AccountId"], "111122223333");
        assert!(out.starts_with("{\n  \"Version\": 1,\n  \"AccessKeyId\""), "{out}");
    }

    #[test]
    fn json_has_region_when_asked() {
        let out = format_exports(&creds("sk"), ExportFormat::Json, &region()).unwrap();
        let parsed: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(parsed["region"], "eu-west-1");
        assert_eq!(parsed["sessionToken"], "IQo/Jb3+JpZ2luX2Vj==");
    }

    #[test]
    fn nul_is_refused_everywhere() {
        for format in ExportFormat::ALL {
            assert!(
                format_exports(&creds("a\0b"), format, &ExportOptions::default()).is_err(),
                "{format}"
            );
        }
    }

    #[test]
    fn names_round_trip() {
        for format in ExportFormat::ALL {
            assert_eq!(ExportFormat::from_name(format.name()), Ok(format));
        }
        assert!(ExportFormat::from_name("bash").is_err());
    }
}
