//! Requests and responses as plain data. The host sends them; the core never touches a socket.

use zeroize::Zeroize;

/// An HTTP method used by the portal and OIDC APIs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// `GET`
    Get,
    /// `POST`
    Post,
}

impl Method {
    /// The method's name as sent on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Get => "GET",
            Self::Post => "POST",
        }
    }
}

/// Header names whose values are secrets.
const SECRET_HEADERS: &[&str] = &["x-amz-sso_bearer_token", "authorization"];

/// A request for the host to send.
///
/// It may carry secrets (the bearer token header, OIDC client secrets and refresh tokens in the body), so `Debug`
/// redacts them, [`HttpRequest::redacted_headers`] is what verbose output shows, and everything is wiped on drop.
#[derive(Clone, PartialEq, Eq)]
pub struct HttpRequest {
    /// The method.
    pub method: Method,
    /// The full URL, query string included, percent-encoded.
    pub url: String,
    /// Header names (lower case) and values.
    pub headers: Vec<(String, String)>,
    /// The body, if any (JSON for OIDC calls).
    pub body: Option<Vec<u8>>,
    /// Whether the body holds secrets and must never be shown.
    pub body_is_secret: bool,
}

impl HttpRequest {
    /// The headers with secret values replaced by `** redacted **`, for logs and `--verbose`.
    pub fn redacted_headers(&self) -> Vec<(String, String)> {
        self.headers
            .iter()
            .map(|(name, value)| {
                if SECRET_HEADERS.contains(&name.to_ascii_lowercase().as_str()) {
                    (name.clone(), "** redacted **".to_owned())
                } else {
                    (name.clone(), value.clone())
                }
            })
            .collect()
    }

    /// The body as text for logs: `** redacted **` if it holds secrets.
    pub fn redacted_body(&self) -> Option<String> {
        self.body.as_ref().map(|body| {
            if self.body_is_secret {
                "** redacted **".to_owned()
            } else {
                String::from_utf8_lossy(body).into_owned()
            }
        })
    }
}

impl std::fmt::Debug for HttpRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpRequest")
            .field("method", &self.method)
            .field("url", &self.url)
            .field("headers", &self.redacted_headers())
            .field("body", &self.redacted_body())
            .finish()
    }
}

impl Drop for HttpRequest {
    fn drop(&mut self) {
        for (_, value) in &mut self.headers {
            value.zeroize();
        }
        if let Some(body) = &mut self.body {
            body.zeroize();
        }
    }
}

/// A response as the host received it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HttpResponse {
    /// The status code.
    pub status: u16,
    /// Header names and values; names are matched case-insensitively.
    pub headers: Vec<(String, String)>,
    /// The body bytes.
    pub body: Vec<u8>,
}

impl HttpResponse {
    /// The first value of a header, matched case-insensitively.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Percent-encodes a query component: everything but RFC 3986's unreserved characters.
pub(crate) fn percent_encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// A JSON document as the core's parsers read it: what `serde_json::Value` holds, but with objects as lists of
/// entries (the last of duplicate keys wins, as in a `Value`) and booleans by kind only.
///
/// [`Json::parse`] goes through exactly the parser calls `serde_json::from_slice::<Value>` makes, so it accepts and
/// refuses the same documents with the same errors; it exists because `Value` with its `BTreeMap` and everything
/// it drags in is a large part of the WebAssembly module, for documents of a few fields.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Json {
    Null,
    Bool,
    Number(JsonNumber),
    String(String),
    Array(Vec<Json>),
    Object(Vec<(String, Json)>),
}

/// A JSON number as serde_json reads it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum JsonNumber {
    /// Non-negative integers that fit a `u64`.
    PosInt(u64),
    /// Negative integers that fit an `i64`.
    NegInt(i64),
    /// Everything else.
    Float(f64),
}

impl JsonNumber {
    /// As `serde_json::Number::as_i64`.
    pub(crate) fn as_i64(self) -> Option<i64> {
        match self {
            Self::PosInt(n) => i64::try_from(n).ok(),
            Self::NegInt(n) => Some(n),
            Self::Float(_) => None,
        }
    }

    /// As `serde_json::Number::as_f64`.
    pub(crate) fn as_f64(self) -> f64 {
        match self {
            Self::PosInt(n) => n as f64,
            Self::NegInt(n) => n as f64,
            Self::Float(n) => n,
        }
    }
}

impl Json {
    /// Parses a document, as `serde_json::from_slice::<serde_json::Value>` would.
    pub(crate) fn parse(bytes: &[u8]) -> Result<Self, serde_json::Error> {
        serde_json::from_slice(bytes)
    }

    /// The value of `key` in an object (the last one if the key is repeated); `None` for anything else.
    pub(crate) fn get(&self, key: &str) -> Option<&Json> {
        match self {
            Self::Object(entries) => entries.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// The text of a string.
    pub(crate) fn as_str(&self) -> Option<&str> {
        match self {
            Self::String(s) => Some(s),
            _ => None,
        }
    }

    /// The kind of value, for messages: `null`, `a boolean`, `a number`, `a string`, `an array`, `an object`.
    pub(crate) fn kind(&self) -> &'static str {
        match self {
            Self::Null => "null",
            Self::Bool => "a boolean",
            Self::Number(_) => "a number",
            Self::String(_) => "a string",
            Self::Array(_) => "an array",
            Self::Object(_) => "an object",
        }
    }
}

impl<'de> serde::Deserialize<'de> for Json {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(JsonVisitor)
    }
}

/// The visitor of `serde_json::Value`, call for call (see its `Deserialize` impl), building a [`Json`].
struct JsonVisitor;

impl<'de> serde::de::Visitor<'de> for JsonVisitor {
    type Value = Json;

    fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str("any valid JSON value")
    }

    fn visit_bool<E>(self, _: bool) -> Result<Json, E> {
        Ok(Json::Bool)
    }

    fn visit_i64<E>(self, value: i64) -> Result<Json, E> {
        Ok(Json::Number(match u64::try_from(value) {
            Ok(n) => JsonNumber::PosInt(n),
            Err(_) => JsonNumber::NegInt(value),
        }))
    }

    fn visit_u64<E>(self, value: u64) -> Result<Json, E> {
        Ok(Json::Number(JsonNumber::PosInt(value)))
    }

    fn visit_f64<E>(self, value: f64) -> Result<Json, E> {
        // serde_json never produces a non-finite number; `Value` would hold one as null.
        Ok(if value.is_finite() {
            Json::Number(JsonNumber::Float(value))
        } else {
            Json::Null
        })
    }

    fn visit_str<E>(self, value: &str) -> Result<Json, E> {
        Ok(Json::String(value.to_owned()))
    }

    fn visit_string<E>(self, value: String) -> Result<Json, E> {
        Ok(Json::String(value))
    }

    fn visit_none<E>(self) -> Result<Json, E> {
        Ok(Json::Null)
    }

    fn visit_some<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<Json, D::Error> {
        serde::Deserialize::deserialize(deserializer)
    }

    fn visit_unit<E>(self) -> Result<Json, E> {
        Ok(Json::Null)
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Json, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Json::Array(items))
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Json, A::Error> {
        let mut entries = Vec::new();
        while let Some(entry) = map.next_entry::<String, Json>()? {
            entries.push(entry);
        }
        Ok(Json::Object(entries))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    // On wasm32 the same tests run under wasm-bindgen-test (as quinn-proto does).
    #[cfg(all(target_family = "wasm", target_os = "unknown"))]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn percent_encoding_keeps_only_unreserved() {
        assert_eq!(percent_encode("a+b=c,d.e@f_g-h~"), "a%2Bb%3Dc%2Cd.e%40f_g-h~");
        assert_eq!(percent_encode("é /"), "%C3%A9%20%2F");
    }

    /// Whether a [`Json`] holds what a `serde_json::Value` holds (booleans by kind only).
    fn same(json: &Json, value: &serde_json::Value) -> bool {
        use serde_json::Value;
        match (json, value) {
            (Json::Null, Value::Null) | (Json::Bool, Value::Bool(_)) => true,
            (Json::Number(n), Value::Number(v)) => n.as_i64() == v.as_i64() && Some(n.as_f64()) == v.as_f64(),
            (Json::String(s), Value::String(v)) => s == v,
            (Json::Array(items), Value::Array(values)) => {
                items.len() == values.len() && items.iter().zip(values).all(|(i, v)| same(i, v))
            }
            // Duplicate keys: `Value` keeps the last, as `Json::get` does.
            (Json::Object(entries), Value::Object(map)) => {
                entries.iter().all(|(k, _)| map.contains_key(k))
                    && map.iter().all(|(k, v)| json.get(k).is_some_and(|j| same(j, v)))
            }
            _ => false,
        }
    }

    #[test]
    fn json_reads_what_serde_json_value_reads_with_the_same_errors() {
        let deep_array = format!("{}{}", "[".repeat(200), "]".repeat(200));
        let deep_object = format!("{}1{}", "{\"a\":".repeat(200), "}".repeat(200));
        let inputs: &[&[u8]] = &[
            b"{}",
            b"[]",
            b"null",
            b"true",
            b"-0",
            b"12",
            b"-12",
            b"1.5e3",
            b"18446744073709551615",
            b"18446744073709551616",
            b"-9223372036854775809",
            b"1e400",
            b"-1e400",
            b"\"a\\u00e9\\n\"",
            b"\"\\ud800\"",
            b"\"\\ud83d\\ude00\"",
            b"\"\xff\"",
            b"\"\x01\"",
            b"{\"a\":1,\"a\":\"two\",\"b\":[1,{\"c\":null}],\"\\u0061\":false}",
            b"{\"accessToken\":\"t\",\"expiresAt\":\"2023-02-14T18:48:59Z\",\"n\":[1e300,-2.5,0]}",
            b"",
            b" ",
            b"{",
            b"{\"a\"}",
            b"{\"a\":1,}",
            b"[1,]",
            b"{} x",
            b"{\"a\" 1}",
            b"{1:2}",
            b"nul",
            b"01",
            b"1.",
            b"-",
            b"\xef\xbb\xbf{}",
            deep_array.as_bytes(),
            deep_object.as_bytes(),
        ];
        for input in inputs {
            let label = String::from_utf8_lossy(input);
            match (Json::parse(input), serde_json::from_slice::<serde_json::Value>(input)) {
                (Ok(json), Ok(value)) => assert!(same(&json, &value), "{label}: {json:?} vs {value:?}"),
                (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string(), "{label}"),
                (a, b) => panic!("{label}: {a:?} vs {b:?}"),
            }
        }
    }

    #[test]
    fn debug_redacts_secret_headers_and_bodies() {
        let request = HttpRequest {
            method: Method::Post,
            url: "https://x/y".into(),
            headers: vec![
                ("x-amz-sso_bearer_token".into(), "tok123".into()),
                ("user-agent".into(), "u".into()),
            ],
            body: Some(b"{\"clientSecret\":\"s3cr3t\"}".to_vec()),
            body_is_secret: true,
        };
        let debug = format!("{request:?}");
        assert!(!debug.contains("tok123") && !debug.contains("s3cr3t"), "{debug}");
        assert!(debug.contains("user-agent"));
    }
}
