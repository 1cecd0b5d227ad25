//! The role-credentials cache of `ssocreds process`: the AWS CLI's document shape, so that anything that reads
//! `~/.aws/cli/cache` files can read ours too.

use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};

use crate::document;
use crate::ids::{AccountId, RoleName};
use crate::portal::RoleCredentials;
use crate::secret::SecretString;

/// A role-credentials cache file that cannot be used (it is then ignored and replaced).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the role-credentials cache file is not usable: {reason}")]
pub struct RoleCacheError {
    /// What is wrong with it, and where.
    pub reason: String,
}

/// The AWS CLI's role-credentials cache document.
#[derive(Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
struct RoleCacheDocument {
    #[serde(default)]
    provider_type: Option<String>,
    credentials: CachedCredentials,
}

#[derive(Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
struct CachedCredentials {
    #[serde(deserialize_with = "document::non_empty")]
    access_key_id: String,
    #[serde(deserialize_with = "document::non_empty_secret")]
    secret_access_key: SecretString,
    #[serde(deserialize_with = "document::non_empty_secret")]
    session_token: SecretString,
    #[serde(with = "document::timestamp")]
    expiration: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    account_id: Option<String>,
}

/// The cache file name for one sign-in, account and role: hex SHA-1 of `start_url`, account and role joined by
/// newlines (none of the three can hold a newline), plus `.json`.
pub fn role_cache_file_name(start_url: &str, account_id: &AccountId, role_name: &RoleName) -> String {
    let key = format!("{start_url}\n{account_id}\n{role_name}");
    format!("{}.json", crate::cache::sha1_hex(key.as_bytes()))
}

/// The document to write: `{"ProviderType": "sso", "Credentials": {AccessKeyId, SecretAccessKey, SessionToken,
/// Expiration, AccountId}}`.
pub fn role_cache_document(credentials: &RoleCredentials) -> String {
    let document = RoleCacheDocument {
        provider_type: Some("sso".to_owned()),
        credentials: CachedCredentials {
            access_key_id: credentials.access_key_id.clone(),
            secret_access_key: credentials.secret_access_key.clone(),
            session_token: credentials.session_token.clone(),
            expiration: credentials.expiration,
            account_id: credentials.account_id.as_ref().map(|a| a.as_str().to_owned()),
        },
    };
    serde_json::to_string_pretty(&document).expect("a role cache document always serializes")
}

/// Reads a cached document back, if it still has more than `min_validity` left at `now`; `Ok(None)` when it is
/// too close to expiry.
pub fn parse_role_cache(
    bytes: &[u8],
    now: DateTime<Utc>,
    min_validity: TimeDelta,
) -> Result<Option<RoleCredentials>, RoleCacheError> {
    let value: serde_json::Value = serde_json::from_slice(bytes).map_err(|e| RoleCacheError {
        reason: format!("not JSON ({})", document::syntax_reason(&e)),
    })?;
    let document: RoleCacheDocument =
        document::from_value(value).map_err(|e| RoleCacheError { reason: e.describe() })?;
    let credentials = document.credentials;
    if credentials.expiration - now <= min_validity {
        return Ok(None);
    }
    Ok(Some(RoleCredentials {
        access_key_id: credentials.access_key_id,
        secret_access_key: credentials.secret_access_key,
        session_token: credentials.session_token,
        expiration: credentials.expiration,
        account_id: credentials.account_id.and_then(|a| AccountId::new(&a).ok()),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::parse_timestamp;
    use serde_json::Value;
    // On wasm32 the same tests run under wasm-bindgen-test (as quinn-proto does).
    #[cfg(all(target_family = "wasm", target_os = "unknown"))]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    fn creds() -> RoleCredentials {
        RoleCredentials {
            access_key_id: "ASIA1".into(),
            secret_access_key: SecretString::new("sk"),
            session_token: SecretString::new("st"),
            expiration: parse_timestamp("2030-01-01T01:00:00Z").unwrap(),
            account_id: Some(AccountId::new("111122223333").unwrap()),
        }
    }

    #[test]
    fn round_trip_while_valid_and_none_when_too_close() {
        let doc = role_cache_document(&creds());
        let now = parse_timestamp("2030-01-01T00:00:00Z").unwrap();
        let back = parse_role_cache(doc.as_bytes(), now, TimeDelta::minutes(15))
            .unwrap()
            .unwrap();
        assert_eq!(back, creds());
        assert_eq!(
            parse_role_cache(doc.as_bytes(), now, TimeDelta::minutes(61)).unwrap(),
            None
        );
        let value: Value = serde_json::from_str(&doc).unwrap();
        assert_eq!(value["ProviderType"], "sso");
        assert_eq!(value["Credentials"]["Expiration"], "2030-01-01T01:00:00Z");
    }

    #[test]
    fn broken_documents_are_errors() {
        let now = parse_timestamp("2030-01-01T00:00:00Z").unwrap();
        for bad in [
            "",
            "[]",
            "{}",
            r#"{"Credentials":{"Expiration":"x"}}"#,
            r#"{"Credentials":{"Expiration":"2031-01-01T00:00:00Z"}}"#,
        ] {
            assert!(
                parse_role_cache(bad.as_bytes(), now, TimeDelta::zero()).is_err(),
                "{bad}"
            );
        }
    }

    #[test]
    fn file_names_differ_by_each_part() {
        let a = AccountId::new("111122223333").unwrap();
        let b = AccountId::new("444455556666").unwrap();
        let r = RoleName::new("Admin").unwrap();
        assert_ne!(role_cache_file_name("u", &a, &r), role_cache_file_name("u", &b, &r));
        assert_ne!(role_cache_file_name("u", &a, &r), role_cache_file_name("v", &a, &r));
    }
}
