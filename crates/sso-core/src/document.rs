//! JSON documents (cache files, portal and OIDC answers) into typed structs: serde_json is the one reader.
//!
//! A document is parsed into a [`serde_json::Value`] first and then into its type. Two steps rather than one: a key
//! given twice then keeps the last value, as Python's `json` (which wrote the file) reads it, and a caller can look
//! at the value a field held to say what was wrong with it.

use chrono::{DateTime, TimeDelta, Utc};
use serde::de::{DeserializeOwned, Error as _};
use serde::{Deserialize, Deserializer, Serializer};
use serde_json::Value;

use crate::secret::SecretString;
use crate::time::{format_timestamp, parse_timestamp};

/// A document that does not fit its type: where, and what serde found wrong there.
pub(crate) struct FieldError {
    /// The field as a path (`roleCredentials.expiration`, `accountList[0].accountId`); empty for the document
    /// itself (a required field missing from it).
    pub path: String,
    /// serde's description (`invalid type: integer `5`, expected a string`, `missing field `clientId``).
    pub reason: String,
}

impl FieldError {
    /// `roleCredentials.secretAccessKey is missing`, `expiresIn is empty`, `accountList[0]: invalid type: …`.
    pub fn describe(&self) -> String {
        let at = |name: &str| {
            if self.path.is_empty() {
                name.to_owned()
            } else {
                format!("{}.{name}", self.path)
            }
        };
        if let Some(name) = self
            .reason
            .strip_prefix("missing field `")
            .and_then(|r| r.strip_suffix('`'))
        {
            format!("{} is missing", at(name))
        } else if self.path.is_empty() {
            self.reason.clone()
        } else if self.reason.starts_with("is ") {
            // This module's own messages, written to follow the field's name.
            format!("{} {}", self.path, self.reason)
        } else {
            format!("{}: {}", self.path, self.reason)
        }
    }
}

/// The text of a serde_json parse error without its ` at line L column C` (callers say where in their own words).
pub(crate) fn syntax_reason(error: &serde_json::Error) -> String {
    let text = error.to_string();
    let position = format!(" at line {} column {}", error.line(), error.column());
    text.strip_suffix(&position).map(str::to_owned).unwrap_or(text)
}

/// Deserializes a parsed document into `T`, naming the field that does not fit.
pub(crate) fn from_value<T: DeserializeOwned>(value: Value) -> Result<T, FieldError> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        FieldError {
            path: if path == "." { String::new() } else { path },
            reason: without_string_value(e.into_inner().to_string()),
        }
    })
}

/// serde names the string it did not expect (`invalid type: string "…", expected …`): a field of an answer or a
/// file can hold a secret in the wrong place, and a message must never show one. The value becomes `a string`.
fn without_string_value(reason: String) -> String {
    for prefix in ["invalid type: string \"", "invalid value: string \""] {
        if let Some(rest) = reason.strip_prefix(prefix)
            && let Some(end) = rest.rfind("\", expected ")
        {
            let kind = prefix.trim_end_matches("string \"");
            return format!("{kind}a string{}", &rest[end + 1..]);
        }
    }
    reason
}

/// What kind of JSON value `value` is, for messages: `a string`, `a number`, `null`.
pub(crate) fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// A string that must not be empty.
pub(crate) fn non_empty<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    let text = String::deserialize(deserializer)?;
    if text.is_empty() {
        return Err(D::Error::custom("is empty"));
    }
    Ok(text)
}

/// A secret that must not be empty.
pub(crate) fn non_empty_secret<'de, D: Deserializer<'de>>(deserializer: D) -> Result<SecretString, D::Error> {
    non_empty(deserializer).map(SecretString::new)
}

/// An optional secret where empty means absent.
pub(crate) fn optional_secret<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<SecretString>, D::Error> {
    Ok(optional_non_empty(deserializer)?.map(SecretString::new))
}

/// An optional string where empty means absent.
pub(crate) fn optional_non_empty<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    Ok(Option::<String>::deserialize(deserializer)?.filter(|text| !text.is_empty()))
}

/// Any value: a string as it is, anything else as the empty string (display-only fields of an answer).
pub(crate) fn string_or_empty<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    Ok(match Value::deserialize(deserializer)? {
        Value::String(text) => text,
        _ => String::new(),
    })
}

/// A whole number of seconds or milliseconds: an integer, or a finite float cut to one.
fn whole_number(value: &serde_json::Number) -> Option<i64> {
    value
        .as_i64()
        .or_else(|| value.as_f64().filter(|f| f.is_finite()).map(|f| f as i64))
}

/// An optional integer (a float is cut to one).
pub(crate) fn optional_integer<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<i64>, D::Error> {
    match Option::<serde_json::Number>::deserialize(deserializer)? {
        None => Ok(None),
        Some(number) => whole_number(&number)
            .map(Some)
            .ok_or_else(|| D::Error::custom("is out of range")),
    }
}

/// Optional epoch seconds.
pub(crate) fn optional_epoch_seconds<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<DateTime<Utc>>, D::Error> {
    optional_integer(deserializer)?
        .map(|seconds| DateTime::<Utc>::from_timestamp(seconds, 0).ok_or_else(|| D::Error::custom("is out of range")))
        .transpose()
}

/// Epoch seconds, required.
pub(crate) fn epoch_seconds<'de, D: Deserializer<'de>>(deserializer: D) -> Result<DateTime<Utc>, D::Error> {
    optional_epoch_seconds(deserializer)?.ok_or_else(|| D::Error::custom("is null"))
}

/// An optional number of seconds that fits a `u32` (a poll interval).
pub(crate) fn optional_u32<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<u32>, D::Error> {
    optional_integer(deserializer)?
        .map(|i| u32::try_from(i).map_err(|_| D::Error::custom(format!("is {i}, not a number of seconds"))))
        .transpose()
}

/// A lifetime in seconds: 1 s to 10 years.
pub(crate) fn positive_seconds<'de, D: Deserializer<'de>>(deserializer: D) -> Result<TimeDelta, D::Error> {
    let seconds = optional_integer(deserializer)?.ok_or_else(|| D::Error::custom("is null"))?;
    if !(1..=10 * 365 * 86_400).contains(&seconds) {
        return Err(D::Error::custom(format!(
            "is {seconds}, not a positive number of seconds"
        )));
    }
    Ok(TimeDelta::seconds(seconds))
}

/// Epoch milliseconds as a number or a string of digits (the portal's `expiration`).
pub(crate) fn epoch_milliseconds<'de, D: Deserializer<'de>>(deserializer: D) -> Result<DateTime<Utc>, D::Error> {
    let millis = match Value::deserialize(deserializer)? {
        Value::Number(number) => whole_number(&number),
        Value::String(text) => text.trim().parse::<i64>().ok(),
        _ => None,
    }
    .ok_or_else(|| D::Error::custom("is not epoch milliseconds"))?;
    DateTime::<Utc>::from_timestamp_millis(millis).ok_or_else(|| D::Error::custom("is out of range"))
}

/// Timestamps in documents: read with [`parse_timestamp`] (every form in the wild), written with
/// [`format_timestamp`] (RFC 3339 with `Z`).
pub(crate) mod timestamp {
    use super::*;

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<DateTime<Utc>, D::Error> {
        let text = String::deserialize(deserializer)?;
        parse_timestamp(&text).map_err(D::Error::custom)
    }

    pub(crate) fn serialize<S: Serializer>(at: &DateTime<Utc>, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&format_timestamp(*at))
    }

    /// The same for an optional field (absent or `null` is `None`).
    pub(crate) mod option {
        use super::*;

        pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
            deserializer: D,
        ) -> Result<Option<DateTime<Utc>>, D::Error> {
            Option::<String>::deserialize(deserializer)?
                .map(|text| parse_timestamp(&text).map_err(D::Error::custom))
                .transpose()
        }

        pub(crate) fn serialize<S: Serializer>(at: &Option<DateTime<Utc>>, serializer: S) -> Result<S::Ok, S::Error> {
            match at {
                Some(at) => serializer.serialize_str(&format_timestamp(*at)),
                None => serializer.serialize_none(),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    // On wasm32 the same tests run under wasm-bindgen-test (as quinn-proto does).
    #[cfg(all(target_family = "wasm", target_os = "unknown"))]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[derive(Debug, Deserialize)]
    #[serde(rename_all = "camelCase")]
    #[allow(dead_code)]
    struct Answer {
        #[serde(deserialize_with = "positive_seconds")]
        expires_in: TimeDelta,
    }

    fn describe(json: &str) -> String {
        from_value::<Answer>(serde_json::from_str(json).unwrap())
            .unwrap_err()
            .describe()
    }

    #[test]
    fn errors_name_the_field_and_never_show_a_string_value() {
        assert_eq!(describe("{}"), "expiresIn is missing");
        assert_eq!(
            describe(r#"{"expiresIn":"se\"cr, expected et"}"#),
            "expiresIn: invalid type: a string, expected a JSON number"
        );
        assert_eq!(
            describe(r#"{"expiresIn":0}"#),
            "expiresIn is 0, not a positive number of seconds"
        );
    }
}
