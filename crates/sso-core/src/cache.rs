//! The token cache file `~/.aws/sso/cache/<sha1>.json`: parsing, expiry and the file name rule.

use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::document::{self, kind, syntax_reason};
use crate::secret::SecretString;
use crate::time::{TimestampError, format_duration, format_timestamp, parse_timestamp};

/// Token cache files are a few hundred bytes; anything past this is not one, and is not read further.
pub const MAX_CACHE_FILE_BYTES: usize = 1024 * 1024;

/// Why a token cache file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum CacheError {
    /// The file is empty or only white space.
    #[error("the token cache file is empty; sign in again with `ssocreds login` or `aws sso login`")]
    Empty,
    /// The file is larger than [`MAX_CACHE_FILE_BYTES`].
    #[error("the file is larger than {limit} bytes, so it is not an SSO token cache file")]
    TooLarge {
        /// The limit in bytes.
        limit: usize,
    },
    /// The file is not JSON.
    #[error("the token cache file is not valid JSON (line {line}, column {column}): {reason}")]
    InvalidJson {
        /// 1-based line of the error.
        line: usize,
        /// 1-based column of the error.
        column: usize,
        /// What the JSON parser found wrong.
        reason: String,
    },
    /// The JSON is not an object.
    #[error("the token cache file holds JSON {found}, not an object with accessToken and expiresAt")]
    NotAnObject {
        /// The kind of JSON value found.
        found: &'static str,
    },
    /// A client-registration file (clientId and clientSecret, no accessToken) was given.
    #[error(
        "this is an SSO client-registration file (it has clientId and clientSecret but no accessToken), not a \
         token cache file; token files sit beside it in ~/.aws/sso/cache"
    )]
    ClientRegistration,
    /// A required field is missing.
    #[error("the token cache file has no `{field}` field; sign in again with `ssocreds login` or `aws sso login`")]
    MissingField {
        /// The missing field.
        field: &'static str,
    },
    /// A field has the wrong JSON type.
    #[error("the `{field}` field of the token cache file is {found}, expected {expected}")]
    WrongType {
        /// The field.
        field: &'static str,
        /// The JSON type expected.
        expected: &'static str,
        /// The JSON type found.
        found: &'static str,
    },
    /// A timestamp field could not be parsed.
    ///
    /// The parse failure is part of the message rather than a `source()`: an `Error` trait object of it would bring
    /// its `Debug` (and `str`'s, with Unicode tables) into the WebAssembly module.
    #[error("the `{field}` field of the token cache file is not a valid timestamp: {reason}")]
    InvalidTimestamp {
        /// The field.
        field: &'static str,
        /// The parse failure, which names the value.
        reason: TimestampError,
    },
}

impl CacheError {
    /// A stable machine-readable code for this error: what [`crate::Error::code`] gives and the JavaScript API throws
    /// as `code`.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Empty => "CACHE_EMPTY",
            Self::TooLarge { .. } => "CACHE_TOO_LARGE",
            Self::InvalidJson { .. } => "CACHE_INVALID_JSON",
            Self::NotAnObject { .. } => "CACHE_NOT_OBJECT",
            Self::ClientRegistration => "CACHE_IS_CLIENT_REGISTRATION",
            Self::MissingField { .. } => "CACHE_MISSING_FIELD",
            Self::WrongType { .. } => "CACHE_WRONG_TYPE",
            Self::InvalidTimestamp { .. } => "CACHE_INVALID_TIMESTAMP",
        }
    }
}

/// A parsed SSO token cache file.
///
/// Secrets (`accessToken`, `refreshToken`, `clientSecret`) are [`SecretString`]s; `Debug` redacts them. Fields this
/// version does not know are kept, in their order, so that writing the token back (after a refresh) loses nothing.
/// Serialized, it is the cache document (secrets included): the fields below in the AWS CLI's order, absent ones
/// left out, then the unknown ones.
#[derive(Clone, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CachedToken {
    /// The start URL the token was issued for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_url: Option<String>,
    /// The region the token was issued in, as written in the file (validate with [`crate::Region::new`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// The bearer token for the portal.
    pub access_token: SecretString,
    /// When the access token expires, in UTC.
    #[serde(with = "document::timestamp")]
    pub expires_at: DateTime<Utc>,
    /// The OIDC client id used to sign in (newer logins).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// The OIDC client secret (newer logins).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<SecretString>,
    /// When the OIDC client registration expires.
    #[serde(
        default,
        with = "document::timestamp::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub registration_expires_at: Option<DateTime<Utc>>,
    /// The refresh token (newer logins).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<SecretString>,
    /// Every other field of the document, as read.
    #[serde(flatten)]
    other: Map<String, Value>,
}

impl std::fmt::Debug for CachedToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CachedToken")
            .field("access_token", &self.access_token)
            .field("expires_at", &self.expires_at)
            .field("start_url", &self.start_url)
            .field("region", &self.region)
            .field("client_id", &self.client_id)
            .field("client_secret", &self.client_secret)
            .field("registration_expires_at", &self.registration_expires_at)
            .field("refresh_token", &self.refresh_token)
            .finish_non_exhaustive()
    }
}

/// The typed fields of a token cache file, by their names in it.
const FIELDS: [&str; 8] = [
    "startUrl",
    "region",
    "accessToken",
    "expiresAt",
    "clientId",
    "clientSecret",
    "registrationExpiresAt",
    "refreshToken",
];

/// Parses a token cache file from its bytes. A UTF-8 byte-order mark is skipped, unknown fields are kept, and only
/// `accessToken` and `expiresAt` are required.
pub fn parse_cached_token(bytes: &[u8]) -> Result<CachedToken, CacheError> {
    if bytes.len() > MAX_CACHE_FILE_BYTES {
        return Err(CacheError::TooLarge {
            limit: MAX_CACHE_FILE_BYTES,
        });
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(CacheError::Empty);
    }
    let value: Value = serde_json::from_slice(bytes).map_err(|e| CacheError::InvalidJson {
        line: e.line(),
        column: e.column(),
        reason: syntax_reason(&e),
    })?;
    let Value::Object(object) = value else {
        return Err(CacheError::NotAnObject { found: kind(&value) });
    };
    let absent = |field: &str| matches!(object.get(field), None | Some(Value::Null));
    if absent("accessToken") && (object.contains_key("clientId") || object.contains_key("clientSecret")) {
        return Err(CacheError::ClientRegistration);
    }
    let token: CachedToken = match document::from_value(Value::Object(object.clone())) {
        Ok(token) => token,
        Err(error) => return Err(field_error(&object, &error.path)),
    };
    if token.access_token.is_empty() {
        return Err(CacheError::MissingField { field: "accessToken" });
    }
    Ok(token)
}

/// The error for a document whose field at `path` does not fit (an empty path: a required field is missing).
fn field_error(object: &Map<String, Value>, path: &str) -> CacheError {
    let Some(field) = FIELDS.into_iter().find(|field| *field == path) else {
        let field = if matches!(object.get("accessToken"), None | Some(Value::Null)) {
            "accessToken"
        } else {
            "expiresAt"
        };
        return CacheError::MissingField { field };
    };
    match object.get(field) {
        None | Some(Value::Null) => CacheError::MissingField { field },
        Some(value) => match value.as_str().map(parse_timestamp) {
            Some(Err(reason)) => CacheError::InvalidTimestamp { field, reason },
            _ => CacheError::WrongType {
                field,
                expected: "a string",
                found: kind(value),
            },
        },
    }
}

/// How a token stands at a given moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenStatus {
    /// Valid for longer than the threshold.
    Valid {
        /// Time left.
        remaining: TimeDelta,
    },
    /// Still valid, but for less than the threshold: refresh or sign in soon.
    ExpiringSoon {
        /// Time left.
        remaining: TimeDelta,
    },
}

impl TokenStatus {
    /// Time left before the token expires.
    pub fn remaining(&self) -> TimeDelta {
        match *self {
            Self::Valid { remaining } | Self::ExpiringSoon { remaining } => remaining,
        }
    }

    /// The warning to show for a token that expires soon: `sign_in` is the command to advise (the CLI names the
    /// profile; the JavaScript API uses [`SIGN_IN_ADVICE`]).
    pub fn warning(&self, sign_in: &str) -> Option<String> {
        match *self {
            Self::Valid { .. } => None,
            Self::ExpiringSoon { remaining } => Some(format!(
                "the SSO token expires in {}; sign in again soon with {sign_in}",
                format_duration(remaining)
            )),
        }
    }
}

/// How to sign in again when no profile is known.
pub const SIGN_IN_ADVICE: &str = "`ssocreds login` or `aws sso login`";

/// A token that cannot be used at `now`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "the SSO token expired at {} ({} ago); sign in again with `ssocreds login` or `aws sso login`{}",
    format_timestamp(*.expired_at),
    format_duration(*.ago),
    .start_url.as_deref().map(|u| format!(" (start URL {u})")).unwrap_or_default()
)]
pub struct TokenError {
    /// When it expired.
    pub expired_at: DateTime<Utc>,
    /// How long ago.
    pub ago: TimeDelta,
    /// The start URL, to tell the user which sign-in is meant.
    pub start_url: Option<String>,
}

impl TokenError {
    /// A stable machine-readable code, like the other errors' `code()`.
    pub fn code(&self) -> &'static str {
        "TOKEN_EXPIRED"
    }
}

impl CachedToken {
    /// Compares the token's expiry with `now`. A token that expires within `warn_within` is
    /// [`TokenStatus::ExpiringSoon`]; one that has expired (at or before `now`) is an error.
    pub fn check(&self, now: DateTime<Utc>, warn_within: TimeDelta) -> Result<TokenStatus, TokenError> {
        let remaining = self.expires_at - now;
        if remaining <= TimeDelta::zero() {
            return Err(TokenError {
                expired_at: self.expires_at,
                ago: -remaining,
                start_url: self.start_url.clone(),
            });
        }
        if remaining < warn_within {
            Ok(TokenStatus::ExpiringSoon { remaining })
        } else {
            Ok(TokenStatus::Valid { remaining })
        }
    }

    /// Whether the file carries what an OIDC refresh needs: a refresh token, a client id and secret, and a
    /// registration that has not expired at `now`.
    pub fn can_refresh(&self, now: DateTime<Utc>) -> bool {
        self.refresh_token.is_some()
            && self.client_id.is_some()
            && self.client_secret.is_some()
            && self.registration_expires_at.is_some_and(|at| at > now)
    }

    /// The cache document as JSON, with every field read (including unknown ones) and the typed fields as they
    /// are now: the form to write back after a refresh. Timestamps are written as RFC 3339 with `Z`.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a cache document always serializes")
    }
}

/// The file name of a token cache: the lower-case hex SHA-1 of the session name (for `sso_session` profiles) or of
/// the exact start URL (legacy profiles), plus `.json`. No normalisation: a trailing slash changes the name, as it
/// does for the AWS CLI.
pub fn cache_file_name(session_name_or_start_url: &str) -> String {
    format!("{}.json", sha1_hex(session_name_or_start_url.as_bytes()))
}

/// The SHA-1 digest of `data` as 40 lower-case hex digits: the AWS CLI's cache file names (never for security).
pub(crate) fn sha1_hex(data: &[u8]) -> String {
    sha1_smol::Sha1::from(data).digest().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    // On wasm32 the same tests run under wasm-bindgen-test (as quinn-proto does).
    #[cfg(all(target_family = "wasm", target_os = "unknown"))]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    const FULL: &str = r#"{
        "startUrl": "https://my-sso-portal.awsapps.com/start",
        "region": "us-east-1",
        "accessToken": "eyJsecret",
        "expiresAt": "2023-02-14T18:48:59Z",
        "clientId": "cid",
        "clientSecret": "csecret",
        "registrationExpiresAt": "2023-05-14T18:48:59Z",
        "refreshToken": "rsecret",
        "somethingNew": {"nested": [1, 2]}
    }"#;

    fn at(s: &str) -> DateTime<Utc> {
        parse_timestamp(s).unwrap()
    }

    #[test]
    fn parses_every_field() {
        let token = parse_cached_token(FULL.as_bytes()).unwrap();
        assert_eq!(token.access_token.expose(), "eyJsecret");
        assert_eq!(token.expires_at, at("2023-02-14T18:48:59Z"));
        assert_eq!(
            token.start_url.as_deref(),
            Some("https://my-sso-portal.awsapps.com/start")
        );
        assert_eq!(token.region.as_deref(), Some("us-east-1"));
        assert_eq!(token.client_id.as_deref(), Some("cid"));
        assert_eq!(token.client_secret.as_ref().unwrap().expose(), "csecret");
        assert_eq!(token.registration_expires_at, Some(at("2023-05-14T18:48:59Z")));
        assert_eq!(token.refresh_token.as_ref().unwrap().expose(), "rsecret");
    }

    #[test]
    fn debug_redacts_every_secret() {
        let token = parse_cached_token(FULL.as_bytes()).unwrap();
        let debug = format!("{token:?}");
        for secret in ["eyJsecret", "csecret", "rsecret"] {
            assert!(!debug.contains(secret), "{debug}");
        }
        assert!(debug.contains("** redacted **"));
    }

    #[test]
    fn only_access_token_and_expires_at_are_required_and_a_bom_is_skipped() {
        let token = parse_cached_token(b"\xEF\xBB\xBF{\"accessToken\":\"t\",\"expiresAt\":\"2020-06-17T10:02:08UTC\"}")
            .unwrap();
        assert_eq!(token.expires_at, at("2020-06-17T10:02:08Z"));
        assert!(token.start_url.is_none() && token.region.is_none() && token.refresh_token.is_none());
    }

    #[test]
    fn errors_are_specific() {
        let cases: &[(&[u8], &str)] = &[
            (b"", "CACHE_EMPTY"),
            (b"  \n", "CACHE_EMPTY"),
            (b"{\"accessToken\": \"t\",", "CACHE_INVALID_JSON"),
            (b"[1]", "CACHE_NOT_OBJECT"),
            (b"{\"expiresAt\":\"2023-02-14T18:48:59Z\"}", "CACHE_MISSING_FIELD"),
            (b"{\"accessToken\":\"t\"}", "CACHE_MISSING_FIELD"),
            (
                b"{\"accessToken\":\"\",\"expiresAt\":\"2023-02-14T18:48:59Z\"}",
                "CACHE_MISSING_FIELD",
            ),
            (
                b"{\"accessToken\":5,\"expiresAt\":\"2023-02-14T18:48:59Z\"}",
                "CACHE_WRONG_TYPE",
            ),
            (b"{\"accessToken\":\"t\",\"expiresAt\":1676400539}", "CACHE_WRONG_TYPE"),
            (
                b"{\"accessToken\":\"t\",\"expiresAt\":\"soon\"}",
                "CACHE_INVALID_TIMESTAMP",
            ),
            (
                b"{\"clientId\":\"c\",\"clientSecret\":\"s\",\"expiresAt\":\"2023-02-14T18:48:59Z\"}",
                "CACHE_IS_CLIENT_REGISTRATION",
            ),
            (b"\xff\xfe{}", "CACHE_INVALID_JSON"),
        ];
        for (input, code) in cases {
            let err = parse_cached_token(input).unwrap_err();
            assert_eq!(err.code(), *code, "{:?}: {err}", String::from_utf8_lossy(input));
        }
    }

    #[test]
    fn invalid_json_names_line_and_column_and_never_echoes_the_input() {
        let err = parse_cached_token(b"{\n  \"accessToken\": \"supersecret\"\n  \"expiresAt\": 1\n}").unwrap_err();
        let text = err.to_string();
        assert!(text.contains("line 3, column 3"), "{text}");
        assert!(!text.contains("supersecret"), "{text}");
    }

    #[test]
    fn huge_input_is_refused_before_parsing() {
        let big = vec![b' '; MAX_CACHE_FILE_BYTES + 1];
        assert_eq!(parse_cached_token(&big).unwrap_err().code(), "CACHE_TOO_LARGE");
    }

    #[test]
    fn deeply_nested_json_is_an_error_not_a_crash() {
        let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        assert_eq!(
            parse_cached_token(deep.as_bytes()).unwrap_err().code(),
            "CACHE_INVALID_JSON"
        );
    }

    #[test]
    fn check_against_now() {
        let token = parse_cached_token(FULL.as_bytes()).unwrap();
        let warn = TimeDelta::minutes(15);
        assert_eq!(
            token.check(at("2023-02-14T10:48:59Z"), warn),
            Ok(TokenStatus::Valid {
                remaining: TimeDelta::hours(8)
            })
        );
        assert_eq!(
            token.check(at("2023-02-14T18:40:00Z"), warn),
            Ok(TokenStatus::ExpiringSoon {
                remaining: TimeDelta::seconds(539)
            })
        );
        let err = token.check(at("2023-02-14T21:00:00Z"), warn).unwrap_err();
        assert_eq!(
            err.to_string(),
            "the SSO token expired at 2023-02-14T18:48:59Z (2 h 11 min ago); sign in again with `ssocreds login` or `aws sso login` \
             (start URL https://my-sso-portal.awsapps.com/start)"
        );
        // Expiring exactly now counts as expired, as in the AWS SDKs.
        assert!(token.check(at("2023-02-14T18:48:59Z"), warn).is_err());
    }

    #[test]
    fn refresh_needs_an_unexpired_registration() {
        let token = parse_cached_token(FULL.as_bytes()).unwrap();
        assert!(token.can_refresh(at("2023-02-14T18:00:00Z")));
        assert!(!token.can_refresh(at("2023-06-01T00:00:00Z")));
    }

    #[test]
    fn writing_back_keeps_unknown_fields() {
        let mut token = parse_cached_token(FULL.as_bytes()).unwrap();
        token.access_token = SecretString::new("new");
        let again: Value = serde_json::from_str(&token.to_json()).unwrap();
        assert_eq!(again["accessToken"], "new");
        assert_eq!(again["somethingNew"]["nested"][1], 2);
        assert_eq!(again["refreshToken"], "rsecret");
        assert_eq!(again["expiresAt"], "2023-02-14T18:48:59Z");
    }

    // Writing a file back is the CLI's job: serde_json's preserve_order is on for native builds only (Cargo.toml).
    #[cfg(not(all(target_family = "wasm", target_os = "unknown")))]
    #[test]
    fn writing_back_keeps_the_cli_order_then_unknown_fields_in_theirs() {
        let token = parse_cached_token(
            br#"{"zeta":1,"expiresAt":"2023-02-14T18:48:59Z","alpha":0.1,"accessToken":"t","region":"us-east-1"}"#,
        )
        .unwrap();
        let text = token.to_json();
        let order: Vec<usize> = [
            "\"region\"",
            "\"accessToken\"",
            "\"expiresAt\"",
            "\"zeta\"",
            "\"alpha\": 0.1",
        ]
        .iter()
        .map(|key| text.find(key).unwrap_or_else(|| panic!("{key} in {text}")))
        .collect();
        assert!(order.is_sorted(), "{text}");
    }

    #[test]
    fn a_repeated_key_keeps_its_last_value() {
        let token = parse_cached_token(
            br#"{"accessToken":"first","expiresAt":"2000-01-01T00:00:00Z","accessToken":"last","expiresAt":"2099-01-01T00:00:00Z"}"#,
        )
        .unwrap();
        assert_eq!(token.access_token.expose(), "last");
        assert_eq!(token.expires_at, at("2099-01-01T00:00:00Z"));
    }

    #[test]
    fn cache_file_name_is_sha1_of_the_exact_text() {
        // SHA-1 of the empty string, a value anyone can check.
        assert_eq!(cache_file_name(""), "da39a3ee5e6b4b0d3255bfef95601890afd80709.json");
        assert_ne!(
            cache_file_name("https://example.awsapps.com/start"),
            cache_file_name("https://example.awsapps.com/start/")
        );
    }
}
