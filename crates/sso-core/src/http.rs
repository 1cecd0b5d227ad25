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
/// `x-amz-security-token` is the session token of the credentials that sign an STS request.
const SECRET_HEADERS: &[&str] = &["x-amz-sso_bearer_token", "authorization", "x-amz-security-token"];

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
