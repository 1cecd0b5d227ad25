//! The OIDC client-registration cache the AWS CLI keeps beside the tokens: `~/.aws/sso/cache/<key>.json` with
//! `clientId`, `clientSecret`, `expiresAt`, and `scopes`/`grantTypes` when they were registered.
//!
//! The file name and the reuse rules are the AWS CLI v2's (`awscli/botocore/utils.py`, `BaseSSOTokenFetcher`,
//! `SSOTokenFetcher`, `SSOTokenFetcherAuth`), so that ssocreds and the AWS CLI share registrations:
//! - key: lower-case hex SHA-1 of Python's `json.dumps({"tool": "botocore", "startUrl": …, "region": …,
//!   "scopes": …, "session_name": …}, sort_keys=True)`, where `scopes` is the sso-session's
//!   `sso_registration_scopes` as parsed (or `null` when the key is absent, and for legacy profiles) and
//!   `session_name` is `null` for legacy profiles;
//! - a cached registration is reused while it has at least 15 minutes left, by the authorization-code flow only if
//!   its `grantTypes` holds `authorization_code`, by the device flow only if it does not.

use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::cache::MAX_CACHE_FILE_BYTES;
use crate::config::SsoProfile;
use crate::document;
use crate::ids::Region;
use crate::oidc::RegisterClientResponse;
use crate::secret::SecretString;
use crate::time::{TimestampError, parse_timestamp};

/// A registration closer to its expiry than this is not reused (the AWS CLI's `_EXPIRY_WINDOW`).
pub const REGISTRATION_EXPIRY_WINDOW: TimeDelta = TimeDelta::minutes(15);

/// Writes a JSON string as Python's `json.dumps` does by default (`ensure_ascii=True`): `\"`, `\\`, `\n`, `\r`,
/// `\t`, `\b`, `\f`, other control characters and everything beyond ASCII as lower-case `\uXXXX` (UTF-16).
fn python_json_string(out: &mut String, text: &str) {
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            ' '..='\u{7e}' => out.push(c),
            _ => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    out.push_str(&format!("\\u{unit:04x}"));
                }
            }
        }
    }
    out.push('"');
}

/// The AWS CLI's client-registration cache key (without `.json`). See the module documentation for the rule.
pub fn registration_cache_key(
    start_url: &str,
    sso_region: &Region,
    scopes: Option<&[String]>,
    session_name: Option<&str>,
) -> String {
    // Keys in sorted order, with Python's default separators `, ` and `: `.
    let mut json = String::from("{\"region\": ");
    python_json_string(&mut json, sso_region.as_str());
    json.push_str(", \"scopes\": ");
    match scopes {
        None => json.push_str("null"),
        Some(scopes) => {
            json.push('[');
            for (i, scope) in scopes.iter().enumerate() {
                if i > 0 {
                    json.push_str(", ");
                }
                python_json_string(&mut json, scope);
            }
            json.push(']');
        }
    }
    json.push_str(", \"session_name\": ");
    match session_name {
        None => json.push_str("null"),
        Some(name) => python_json_string(&mut json, name),
    }
    json.push_str(", \"startUrl\": ");
    python_json_string(&mut json, start_url);
    json.push_str(", \"tool\": \"botocore\"}");
    crate::cache::sha1_hex(json.as_bytes())
}

impl SsoProfile {
    /// The AWS CLI's client-registration cache file name for this profile (`<sha1>.json`).
    pub fn registration_cache_file_name(&self) -> String {
        format!(
            "{}.json",
            registration_cache_key(
                &self.start_url,
                &self.sso_region,
                self.configured_registration_scopes.as_deref(),
                self.session_name.as_deref(),
            )
        )
    }
}

/// The sign-in flow a registration is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoginFlow {
    /// Authorization code with PKCE.
    AuthorizationCode,
    /// Device code.
    DeviceCode,
}

/// Why a registration cache file cannot be used. Callers usually register a new client instead.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RegistrationCacheError {
    /// Larger than any registration file.
    #[error("the file is larger than {limit} bytes, so it is not a client-registration file")]
    TooLarge {
        /// The limit in bytes.
        limit: usize,
    },
    /// Not JSON.
    #[error("the client-registration file is not valid JSON (line {line}, column {column})")]
    InvalidJson {
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
    },
    /// Not an object.
    #[error("the client-registration file is not a JSON object")]
    NotAnObject,
    /// A required field is missing or empty.
    #[error("the client-registration file has no `{field}`")]
    MissingField {
        /// The field.
        field: &'static str,
    },
    /// A field of the wrong type.
    #[error("the `{field}` field of the client-registration file is not {expected}")]
    WrongType {
        /// The field.
        field: &'static str,
        /// What was expected.
        expected: &'static str,
    },
    /// `expiresAt` is not a timestamp.
    #[error("the `expiresAt` field of the client-registration file is not a valid timestamp")]
    InvalidTimestamp(#[source] TimestampError),
}

impl RegistrationCacheError {
    /// A stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::TooLarge { .. } => "REGISTRATION_TOO_LARGE",
            Self::InvalidJson { .. } => "REGISTRATION_INVALID_JSON",
            Self::NotAnObject => "REGISTRATION_NOT_OBJECT",
            Self::MissingField { .. } => "REGISTRATION_MISSING_FIELD",
            Self::WrongType { .. } => "REGISTRATION_WRONG_TYPE",
            Self::InvalidTimestamp(_) => "REGISTRATION_INVALID_TIMESTAMP",
        }
    }
}

/// A cached client registration. `Debug` redacts the secret; unknown fields are kept for writing back.
#[derive(Clone, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CachedRegistration {
    /// `clientId`
    pub client_id: String,
    /// `clientSecret`
    pub client_secret: SecretString,
    /// `expiresAt`: the registration's expiry (`clientSecretExpiresAt`).
    #[serde(with = "document::timestamp")]
    pub expires_at: DateTime<Utc>,
    /// `scopes`, when the client was registered with scopes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scopes: Option<Vec<String>>,
    /// `grantTypes`, written by the AWS CLI for authorization-code registrations only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grant_types: Option<Vec<String>>,
    /// Every other field of the document, as read.
    #[serde(flatten)]
    other: Map<String, Value>,
}

impl std::fmt::Debug for CachedRegistration {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CachedRegistration")
            .field("client_id", &self.client_id)
            .field("client_secret", &self.client_secret)
            .field("expires_at", &self.expires_at)
            .field("scopes", &self.scopes)
            .field("grant_types", &self.grant_types)
            .finish_non_exhaustive()
    }
}

/// The typed fields of a registration file, by their names in it; the first three are required.
const FIELDS: [&str; 5] = ["clientId", "clientSecret", "expiresAt", "scopes", "grantTypes"];

/// Parses a client-registration cache file.
pub fn parse_cached_registration(bytes: &[u8]) -> Result<CachedRegistration, RegistrationCacheError> {
    if bytes.len() > MAX_CACHE_FILE_BYTES {
        return Err(RegistrationCacheError::TooLarge {
            limit: MAX_CACHE_FILE_BYTES,
        });
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let value: Value = serde_json::from_slice(bytes).map_err(|e| RegistrationCacheError::InvalidJson {
        line: e.line(),
        column: e.column(),
    })?;
    let Value::Object(object) = value else {
        return Err(RegistrationCacheError::NotAnObject);
    };
    // A required field that is absent, `null` or empty is missing, whatever else is wrong.
    let missing = |field: &str| match object.get(field) {
        None | Some(Value::Null) => true,
        Some(Value::String(text)) => text.is_empty(),
        Some(_) => false,
    };
    if let Some(field) = FIELDS[..3].iter().find(|field| missing(field)) {
        return Err(RegistrationCacheError::MissingField { field });
    }
    document::from_value(Value::Object(object.clone())).map_err(|error| {
        let field = FIELDS
            .into_iter()
            .find(|field| *field == error.path)
            .unwrap_or("expiresAt");
        match object.get(field).and_then(Value::as_str) {
            Some(text) if field == "expiresAt" => match parse_timestamp(text) {
                Err(reason) => RegistrationCacheError::InvalidTimestamp(reason),
                Ok(_) => RegistrationCacheError::WrongType {
                    field,
                    expected: "a timestamp",
                },
            },
            _ => RegistrationCacheError::WrongType {
                field,
                expected: if matches!(field, "scopes" | "grantTypes") {
                    "a list of strings"
                } else {
                    "a string"
                },
            },
        }
    })
}

impl CachedRegistration {
    /// The document for a new registration, as the AWS CLI writes it: pass the scopes and grant types the client
    /// was registered with (`None` when the request had none, as in the device flow of a legacy profile).
    pub fn from_response(
        response: &RegisterClientResponse,
        scopes: Option<Vec<String>>,
        grant_types: Option<Vec<String>>,
    ) -> Self {
        Self {
            client_id: response.client_id.clone(),
            client_secret: response.client_secret.clone(),
            expires_at: response.client_secret_expires_at,
            scopes,
            grant_types,
            other: Map::new(),
        }
    }

    /// Whether the AWS CLI would reuse this registration for `flow` at `now`: at least
    /// [`REGISTRATION_EXPIRY_WINDOW`] left, and registered for that flow.
    pub fn is_usable(&self, flow: LoginFlow, now: DateTime<Utc>) -> bool {
        let for_auth_code = self
            .grant_types
            .as_ref()
            .is_some_and(|types| types.iter().any(|t| t == "authorization_code"));
        let right_flow = match flow {
            LoginFlow::AuthorizationCode => for_auth_code,
            LoginFlow::DeviceCode => !for_auth_code,
        };
        right_flow && self.expires_at - now >= REGISTRATION_EXPIRY_WINDOW
    }

    /// The cache document as JSON, unknown fields kept, `expiresAt` as RFC 3339 with `Z`.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("a registration document always serializes")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{parse_config, resolve_sso_profile};
    // On wasm32 the same tests run under wasm-bindgen-test (as quinn-proto does).
    #[cfg(all(target_family = "wasm", target_os = "unknown"))]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    fn region(s: &str) -> Region {
        Region::new(s).unwrap()
    }

    #[test]
    fn key_is_sha1_of_pythons_sorted_json() {
        // The exact text Python's json.dumps(args, sort_keys=True) produces for these arguments.
        let text = r#"{"region": "us-east-1", "scopes": ["sso:account:access"], "session_name": "my-sso", "startUrl": "https://d-123.awsapps.com/start", "tool": "botocore"}"#;
        assert_eq!(
            registration_cache_key(
                "https://d-123.awsapps.com/start",
                &region("us-east-1"),
                Some(&["sso:account:access".to_owned()]),
                Some("my-sso")
            ),
            sha1_smol::Sha1::from(text).digest().to_string()
        );
        // Computed with CPython 3: hashlib.sha1(json.dumps(args, sort_keys=True).encode()).hexdigest().
        assert_eq!(
            registration_cache_key(
                "https://d-123.awsapps.com/start",
                &region("us-east-1"),
                Some(&["sso:account:access".to_owned()]),
                Some("my-sso")
            ),
            "41703fba9789c2c8f9b7faa73b70bebb72c62cc9"
        );
        let legacy = r#"{"region": "eu-west-1", "scopes": null, "session_name": null, "startUrl": "https://x/start", "tool": "botocore"}"#;
        assert_eq!(
            registration_cache_key("https://x/start", &region("eu-west-1"), None, None),
            sha1_smol::Sha1::from(legacy).digest().to_string()
        );
        let empty =
            r#"{"region": "eu-west-1", "scopes": [], "session_name": "s", "startUrl": "u", "tool": "botocore"}"#;
        assert_eq!(
            registration_cache_key("u", &region("eu-west-1"), Some(&[]), Some("s")),
            sha1_smol::Sha1::from(empty).digest().to_string()
        );
    }

    #[test]
    fn key_escapes_like_python() {
        let mut out = String::new();
        python_json_string(&mut out, "a\"b\\c\nd\u{1}é😀/\u{7f}");
        // What Python 3 prints for json.dumps("a\"b\\c\nd\x01é😀/\x7f").
        assert_eq!(out, r#""a\"b\\c\nd\u0001\u00e9\ud83d\ude00/\u007f""#);
    }

    #[test]
    fn profile_file_name_uses_the_scopes_as_configured() {
        let config = parse_config(
            "[profile a]\nsso_session = s\n[sso-session s]\nsso_start_url = https://x/start\nsso_region = us-east-1\n\
             [profile b]\nsso_session = t\n[sso-session t]\nsso_start_url = https://x/start\nsso_region = us-east-1\n\
             sso_registration_scopes = sso:account:access\n",
        )
        .unwrap();
        let a = resolve_sso_profile(&config, "a").unwrap();
        assert_eq!(
            a.registration_cache_file_name(),
            format!(
                "{}.json",
                registration_cache_key("https://x/start", &region("us-east-1"), None, Some("s"))
            )
        );
        let b = resolve_sso_profile(&config, "b").unwrap();
        assert_eq!(
            b.registration_cache_file_name(),
            format!(
                "{}.json",
                registration_cache_key(
                    "https://x/start",
                    &region("us-east-1"),
                    Some(&["sso:account:access".to_owned()]),
                    Some("t")
                )
            )
        );
    }

    const AUTH_CODE: &str = r#"{"clientId": "cid", "clientSecret": "csecret", "expiresAt": "2024-04-01T00:00:00Z", "scopes": ["sso:account:access"], "grantTypes": ["authorization_code", "refresh_token"], "extra": 1}"#;

    fn at(s: &str) -> DateTime<Utc> {
        parse_timestamp(s).unwrap()
    }

    #[test]
    fn parses_reuses_and_writes_back() {
        let registration = parse_cached_registration(AUTH_CODE.as_bytes()).unwrap();
        assert_eq!(registration.client_id, "cid");
        assert!(!format!("{registration:?}").contains("csecret"));
        assert!(registration.is_usable(LoginFlow::AuthorizationCode, at("2024-03-31T23:45:00Z")));
        assert!(!registration.is_usable(LoginFlow::AuthorizationCode, at("2024-03-31T23:45:01Z")));
        assert!(!registration.is_usable(LoginFlow::DeviceCode, at("2024-01-01T00:00:00Z")));
        let again: Value = serde_json::from_str(&registration.to_json()).unwrap();
        assert_eq!(again, serde_json::from_str::<Value>(AUTH_CODE).unwrap());

        let device =
            parse_cached_registration(br#"{"clientId":"c","clientSecret":"s","expiresAt":"2024-04-01T00:00:00UTC"}"#)
                .unwrap();
        assert!(device.is_usable(LoginFlow::DeviceCode, at("2024-01-01T00:00:00Z")));
        assert!(!device.is_usable(LoginFlow::AuthorizationCode, at("2024-01-01T00:00:00Z")));
    }

    #[test]
    fn a_new_registration_is_written_as_the_cli_writes_it() {
        let response = RegisterClientResponse {
            client_id: "cid".into(),
            client_secret: SecretString::new("cs"),
            client_id_issued_at: None,
            client_secret_expires_at: at("2024-04-01T00:00:00Z"),
        };
        let registration = CachedRegistration::from_response(
            &response,
            Some(vec!["sso:account:access".into()]),
            Some(vec!["authorization_code".into(), "refresh_token".into()]),
        );
        assert_eq!(
            serde_json::from_str::<Value>(&registration.to_json()).unwrap(),
            serde_json::json!({"clientId": "cid", "clientSecret": "cs", "expiresAt": "2024-04-01T00:00:00Z",
                "scopes": ["sso:account:access"], "grantTypes": ["authorization_code", "refresh_token"]})
        );
        let device = CachedRegistration::from_response(&response, None, None);
        assert_eq!(
            serde_json::from_str::<Value>(&device.to_json()).unwrap(),
            serde_json::json!({"clientId": "cid", "clientSecret": "cs", "expiresAt": "2024-04-01T00:00:00Z"})
        );
    }

    #[test]
    fn broken_files_are_named() {
        for (bytes, code) in [
            (&b"{"[..], "REGISTRATION_INVALID_JSON"),
            (b"[1]", "REGISTRATION_NOT_OBJECT"),
            (
                br#"{"clientSecret":"s","expiresAt":"2024-04-01T00:00:00Z"}"#,
                "REGISTRATION_MISSING_FIELD",
            ),
            (
                br#"{"clientId":"c","clientSecret":"s","expiresAt":"soon"}"#,
                "REGISTRATION_INVALID_TIMESTAMP",
            ),
            (
                br#"{"clientId":"c","clientSecret":"s","expiresAt":"2024-04-01T00:00:00Z","scopes":"x"}"#,
                "REGISTRATION_WRONG_TYPE",
            ),
            (
                br#"{"clientId":1,"clientSecret":"s","expiresAt":"2024-04-01T00:00:00Z"}"#,
                "REGISTRATION_WRONG_TYPE",
            ),
        ] {
            let err = parse_cached_registration(bytes).unwrap_err();
            assert_eq!(err.code(), code, "{err}");
        }
        assert_eq!(
            parse_cached_registration(br#"{"clientSecret":"s","expiresAt":"2024-04-01T00:00:00Z"}"#)
                .unwrap_err()
                .to_string(),
            "the client-registration file has no `clientId`"
        );
    }
}
