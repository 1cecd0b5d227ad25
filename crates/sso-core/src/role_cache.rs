//! The role-credentials cache of `ssocreds process`: the AWS CLI's document shape, so that anything that reads
//! `~/.aws/cli/cache` files can read ours too.

use chrono::{DateTime, TimeDelta, Utc};
use serde_json::Value;

use crate::ids::{AccountId, RoleName};
use crate::portal::RoleCredentials;
use crate::secret::SecretString;
use crate::time::{format_timestamp, parse_timestamp};

/// A role-credentials cache file that cannot be used (it is then ignored and replaced).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the role-credentials cache file is not usable: {reason}")]
pub struct RoleCacheError {
    /// What is wrong with it.
    pub reason: &'static str,
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
    let mut inner = serde_json::Map::new();
    inner.insert("AccessKeyId".into(), credentials.access_key_id.clone().into());
    inner.insert("SecretAccessKey".into(), credentials.secret_access_key.expose().into());
    inner.insert("SessionToken".into(), credentials.session_token.expose().into());
    inner.insert("Expiration".into(), format_timestamp(credentials.expiration).into());
    if let Some(account) = &credentials.account_id {
        inner.insert("AccountId".into(), account.as_str().into());
    }
    let document = serde_json::json!({ "ProviderType": "sso", "Credentials": Value::Object(inner) });
    serde_json::to_string_pretty(&document).expect("a JSON object always serializes")
}

/// Reads a cached document back, if it still has more than `min_validity` left at `now`; `Ok(None)` when it is
/// too close to expiry.
pub fn parse_role_cache(
    bytes: &[u8],
    now: DateTime<Utc>,
    min_validity: TimeDelta,
) -> Result<Option<RoleCredentials>, RoleCacheError> {
    let err = |reason| RoleCacheError { reason };
    let document: Value = serde_json::from_slice(bytes).map_err(|_| err("not JSON"))?;
    let credentials = document.get("Credentials").ok_or(err("no Credentials"))?;
    let text = |name: &str| {
        credentials
            .get(name)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    let expiration = text("Expiration")
        .and_then(|e| parse_timestamp(&e).ok())
        .ok_or(err("no valid Expiration"))?;
    if expiration - now <= min_validity {
        return Ok(None);
    }
    Ok(Some(RoleCredentials {
        access_key_id: text("AccessKeyId").ok_or(err("no AccessKeyId"))?,
        secret_access_key: SecretString::new(text("SecretAccessKey").ok_or(err("no SecretAccessKey"))?),
        session_token: SecretString::new(text("SessionToken").ok_or(err("no SessionToken"))?),
        expiration,
        account_id: text("AccountId").and_then(|a| AccountId::new(&a).ok()),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
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
