//! Exports of arbitrary credentials in every format: no panic, and where this file can read the format back
//! (POSIX single quotes, fish and PowerShell double quotes, both JSON forms), every value comes back byte for byte.
//! Input: access key id, secret key and session token separated by 0xFF bytes, then 8 bytes of expiry.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sso_core::{AccountId, ExportFormat, ExportOptions, Region, RoleCredentials, SecretString};

/// Reads one POSIX shell word as `posix_quote` writes it (plain, or `'...'` with `'\''` for a quote) from the start of
/// `text`, up to the line break that ends it; returns the value and what follows the line break.
fn posix_word(text: &str) -> (String, &str) {
    let mut out = String::new();
    let mut rest = text;
    loop {
        if let Some(after) = rest.strip_prefix('\'') {
            let end = after.find('\'').expect("closing quote");
            out.push_str(&after[..end]);
            rest = &after[end + 1..];
        } else if let Some(after) = rest.strip_prefix("\\'") {
            out.push('\'');
            rest = after;
        } else if let Some(after) = rest.strip_prefix('\n') {
            return (out, after);
        } else {
            let end = rest.find(['\'', '\\', '\n']).expect("the line ends");
            assert!(end > 0, "unexpected character in {text:?}");
            out.push_str(&rest[..end]);
            rest = &rest[end..];
        }
    }
}

/// Reads one double-quoted word whose escape character is `escape` (`\` for fish, `` ` `` for PowerShell) from the
/// start of `text`; it must be followed by a line break. Returns the value and what follows the line break.
fn double_quoted_word(text: &str, escape: char) -> (String, &str) {
    let mut chars = text.strip_prefix('"').expect("opening quote").char_indices();
    let mut out = String::new();
    while let Some((i, c)) = chars.next() {
        if c == escape {
            out.push(chars.next().expect("escaped character").1);
        } else if c == '"' {
            let rest = &text[1 + i + 1..];
            return (out, rest.strip_prefix('\n').expect("line break after the value"));
        } else {
            out.push(c);
        }
    }
    panic!("no closing quote in {text:?}");
}

fuzz_target!(|data: &[u8]| {
    let (text, millis) = data.split_at(data.len().saturating_sub(8));
    let millis = i64::from_le_bytes(millis.try_into().unwrap_or([0; 8])) % 8_000_000_000_000;
    let Ok(text) = std::str::from_utf8(text) else {
        return;
    };
    let mut parts = text.split('\u{FFFF}');
    let (access, secret, session) = (
        parts.next().unwrap_or_default(),
        parts.next().unwrap_or_default(),
        parts.next().unwrap_or_default(),
    );
    let Some(expiration) = chrono::DateTime::from_timestamp_millis(millis) else {
        return;
    };
    let credentials = RoleCredentials {
        access_key_id: access.to_owned(),
        secret_access_key: SecretString::new(secret),
        session_token: SecretString::new(session),
        expiration,
        account_id: Some(AccountId::new("111122223333").unwrap()),
    };
    let options = ExportOptions {
        region: Some(Region::new("eu-west-1").unwrap()),
    };
    let expected = [access, secret, session];
    for format in ExportFormat::ALL {
        let Ok(out) = sso_core::format_exports(&credentials, format, &options) else {
            continue;
        };
        match format {
            ExportFormat::Json | ExportFormat::Process => {
                let value: serde_json::Value = serde_json::from_str(&out).expect("valid JSON");
                let keys: [&str; 3] = if format == ExportFormat::Json {
                    ["accessKeyId", "secretAccessKey", "sessionToken"]
                } else {
                    ["AccessKeyId", "SecretAccessKey", "SessionToken"]
                };
                for (key, want) in keys.iter().zip(expected) {
                    assert_eq!(value[key].as_str(), Some(want), "{format} {key}");
                }
            }
            ExportFormat::Env | ExportFormat::EnvNoExport | ExportFormat::Fish | ExportFormat::PowerShell => {
                let (prefix, separator) = match format {
                    ExportFormat::Env => ("export ", "="),
                    ExportFormat::EnvNoExport => ("", "="),
                    ExportFormat::Fish => ("set -gx ", " "),
                    _ => ("$Env:", "="),
                };
                let mut rest = out.as_str();
                for (name, want) in ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"]
                    .iter()
                    .zip(expected)
                {
                    let start = format!("{prefix}{name}{separator}");
                    let word = rest
                        .strip_prefix(&start)
                        .unwrap_or_else(|| panic!("{start} next in {out:?}"));
                    let (got, after) = match format {
                        ExportFormat::Fish => double_quoted_word(word, '\\'),
                        ExportFormat::PowerShell => double_quoted_word(word, '`'),
                        _ => posix_word(word),
                    };
                    assert_eq!(got, want, "{format} {name} in {out:?}");
                    rest = after;
                }
            }
            _ => {}
        }
    }
});
