//! The authorization code flow with PKCE (RFC 7636), as the AWS CLI runs it: the verifier and `state` from entropy
//! the host supplies, the authorize URL, and the loopback callback's query checked.

use crate::quote::Quoted;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest as _, Sha256};

use crate::config::DEFAULT_REGISTRATION_SCOPE;
use crate::endpoint::Endpoint;
use crate::http::percent_encode;
use crate::secret::SecretString;

/// A PKCE code verifier. `Debug` redacts it; the challenge derived from it is public.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pkce {
    verifier: SecretString,
}

/// A code verifier that RFC 7636 does not allow.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a PKCE code verifier is 43 to 128 characters of letters, digits and - . _ ~ (got {length} characters)")]
pub struct PkceError {
    /// The length of what was given (the verifier itself is never shown).
    pub length: usize,
}

impl PkceError {
    /// A stable machine-readable code.
    pub fn code(&self) -> &'static str {
        "PKCE_INVALID_VERIFIER"
    }
}

impl Pkce {
    /// A verifier from 48 random bytes: their base64url encoding, 64 characters of `[A-Za-z0-9_-]` (a subset of
    /// what RFC 7636 allows) carrying all 384 bits, with no modulo bias. The AWS CLI's verifier is also 64 characters.
    pub fn from_entropy(entropy: &[u8; 48]) -> Self {
        Self {
            verifier: SecretString::new(URL_SAFE_NO_PAD.encode(entropy)),
        }
    }

    /// Wraps an existing verifier after checking it against RFC 7636 §4.1.
    pub fn from_verifier(verifier: &str) -> Result<Self, PkceError> {
        let ok = (43..=128).contains(&verifier.len())
            && verifier
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b));
        if ok {
            Ok(Self {
                verifier: SecretString::new(verifier),
            })
        } else {
            Err(PkceError {
                length: verifier.chars().count(),
            })
        }
    }

    /// The verifier, sent with `CreateToken`.
    pub fn verifier(&self) -> &SecretString {
        &self.verifier
    }

    /// The `S256` challenge: base64url of the verifier's SHA-256, without `=` padding.
    pub fn challenge(&self) -> String {
        URL_SAFE_NO_PAD.encode(Sha256::digest(self.verifier.expose().as_bytes()))
    }
}

/// The OAuth `state`: base64url of 16 random bytes (22 characters, 128 bits), for the host to check in the
/// callback with [`parse_callback_query`].
pub fn state_from_entropy(entropy: &[u8; 16]) -> String {
    URL_SAFE_NO_PAD.encode(entropy)
}

/// The redirect URI for a loopback callback on `port`: `http://127.0.0.1:PORT/oauth/callback`.
pub fn loopback_redirect_uri(port: u16) -> String {
    format!("http://127.0.0.1:{port}/oauth/callback")
}

/// The URL to open in the browser: `{oidc endpoint}/authorize?response_type=code&client_id=…&redirect_uri=…&state=…
/// &code_challenge_method=S256&scopes=…&code_challenge=…`, in the AWS CLI's order. Scopes are joined with spaces
/// (`%20`); with none, `sso:account:access` is asked for, as the AWS CLI does.
pub fn authorize_url(
    oidc_endpoint: &Endpoint,
    client_id: &str,
    redirect_uri: &str,
    state: &str,
    challenge: &str,
    scopes: &[String],
) -> String {
    let scopes = if scopes.is_empty() {
        DEFAULT_REGISTRATION_SCOPE.to_owned()
    } else {
        scopes.join(" ")
    };
    format!(
        "{}/authorize?response_type=code&client_id={}&redirect_uri={}&state={}&code_challenge_method=S256&scopes={}\
         &code_challenge={}",
        oidc_endpoint.as_str(),
        percent_encode(client_id),
        percent_encode(redirect_uri),
        percent_encode(state),
        percent_encode(&scopes),
        percent_encode(challenge),
    )
}

/// Why the loopback callback does not carry a usable authorization code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CallbackError {
    /// The user denied access (`error=access_denied`).
    #[error("the sign-in was denied in the browser{}; run the sign-in again and choose Allow", described(.description))]
    Denied {
        /// `error_description`, if any (shortened, control characters removed).
        description: Option<String>,
    },
    /// Another OAuth error came back.
    #[error("the sign-in failed in the browser with {}{}", Quoted(.error), described(.description))]
    Authorization {
        /// `error`
        error: String,
        /// `error_description`, if any.
        description: Option<String>,
    },
    /// No `state`.
    #[error("the sign-in callback has no `state`; it did not come from this sign-in, so it was ignored")]
    MissingState,
    /// A `state` that is not the one sent.
    #[error(
        "the sign-in callback's `state` does not match this sign-in (another sign-in, or a forged request); it was \
         ignored: run the sign-in again"
    )]
    StateMismatch,
    /// No `code`.
    #[error("the sign-in callback has neither an authorization `code` nor an `error`")]
    MissingCode,
    /// A parameter that must appear once appears more often.
    #[error("the sign-in callback has `{0}` more than once, so it was ignored")]
    Repeated(&'static str),
    /// Percent-encoding that does not decode to UTF-8.
    #[error("the sign-in callback's query is not valid percent-encoded UTF-8")]
    Malformed,
}

fn described(description: &Option<String>) -> String {
    description.as_deref().map(|d| format!(" ({d})")).unwrap_or_default()
}

impl CallbackError {
    /// A stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Denied { .. } => "LOGIN_DENIED",
            Self::Authorization { .. } => "LOGIN_AUTHORIZATION_ERROR",
            Self::MissingState => "LOGIN_CALLBACK_MISSING_STATE",
            Self::StateMismatch => "LOGIN_CALLBACK_STATE_MISMATCH",
            Self::MissingCode => "LOGIN_CALLBACK_MISSING_CODE",
            Self::Repeated(_) => "LOGIN_CALLBACK_REPEATED_PARAMETER",
            Self::Malformed => "LOGIN_CALLBACK_MALFORMED",
        }
    }
}

/// Decodes `application/x-www-form-urlencoded` text: `+` is a space, `%XX` a byte.
fn form_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = bytes.get(i + 1..i + 3)?;
                let hex = std::str::from_utf8(hex).ok()?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).ok()
}

/// Compares without stopping at the first difference, so the time taken says nothing about the expected value.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Reads the loopback callback's query (with or without the leading `?`) and returns the authorization code.
///
/// `state` must be present and equal to `expected_state`, so a request from anything but this sign-in's
/// browser redirect is ignored. An `error` is reported even without `state` (it can only end the sign-in, never
/// inject a code); with a wrong `state` it is treated as forged.
pub fn parse_callback_query(query: &str, expected_state: &str) -> Result<SecretString, CallbackError> {
    let query = query.strip_prefix('?').unwrap_or(query);
    let (mut code, mut state, mut error, mut description) = (None, None, None, None);
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        let slot = match name {
            "code" => &mut code,
            "state" => &mut state,
            "error" => &mut error,
            "error_description" => &mut description,
            _ => continue,
        };
        if slot.is_some() {
            return Err(CallbackError::Repeated(match name {
                "code" => "code",
                "state" => "state",
                "error" => "error",
                _ => "error_description",
            }));
        }
        *slot = Some(form_decode(value).ok_or(CallbackError::Malformed)?);
    }
    match &state {
        Some(state) if !same(state, expected_state) => return Err(CallbackError::StateMismatch),
        None if error.is_none() => return Err(CallbackError::MissingState),
        _ => {}
    }
    if let Some(error) = error {
        let description = description.map(|d| crate::portal::sanitize(&d));
        return Err(if error == "access_denied" {
            CallbackError::Denied { description }
        } else {
            CallbackError::Authorization {
                error: crate::portal::sanitize(&error),
                description,
            }
        });
    }
    match code {
        Some(code) if !code.is_empty() => Ok(SecretString::new(code)),
        _ => Err(CallbackError::MissingCode),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::endpoint::EndpointOptions;
    use crate::ids::Region;
    // On wasm32 the same tests run under wasm-bindgen-test (as quinn-proto does).
    #[cfg(all(target_family = "wasm", target_os = "unknown"))]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn rfc_7636_appendix_b() {
        let pkce = Pkce::from_verifier("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk").unwrap();
        assert_eq!(pkce.challenge(), "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
    }

    #[test]
    fn verifier_from_entropy_is_64_allowed_characters_and_redacted() {
        let mut entropy = [0u8; 48];
        for (i, b) in entropy.iter_mut().enumerate() {
            *b = (i * 37 + 250) as u8;
        }
        let pkce = Pkce::from_entropy(&entropy);
        let verifier = pkce.verifier().expose();
        assert_eq!(verifier.len(), 64);
        assert!(Pkce::from_verifier(verifier).is_ok());
        assert_ne!(
            Pkce::from_entropy(&[0; 48]).verifier(),
            Pkce::from_entropy(&[1; 48]).verifier()
        );
        assert!(!format!("{pkce:?}").contains(verifier));
        assert_eq!(pkce.challenge().len(), 43);
        assert!(!pkce.challenge().contains('='));
    }

    #[test]
    fn invalid_verifiers_are_refused_without_echo() {
        for bad in ["short", &"a".repeat(129), &format!("{}+", "a".repeat(50))] {
            let err = Pkce::from_verifier(bad).unwrap_err();
            assert_eq!(err.code(), "PKCE_INVALID_VERIFIER");
            assert!(!err.to_string().contains(bad));
        }
    }

    #[test]
    fn state_is_22_url_safe_characters() {
        let state = state_from_entropy(&[0xff; 16]);
        assert_eq!(state, "_____________________w");
    }

    #[test]
    fn authorize_url_matches_the_aws_cli() {
        let endpoint = Endpoint::oidc(&Region::new("us-east-1").unwrap(), EndpointOptions::default());
        let url = authorize_url(
            &endpoint,
            "cid/+",
            &loopback_redirect_uri(51234),
            "st",
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
            &["sso:account:access".to_owned(), "codewhisperer:completions".to_owned()],
        );
        assert_eq!(
            url,
            "https://oidc.us-east-1.amazonaws.com/authorize?response_type=code&client_id=cid%2F%2B&redirect_uri=\
             http%3A%2F%2F127.0.0.1%3A51234%2Foauth%2Fcallback&state=st&code_challenge_method=S256&scopes=\
             sso%3Aaccount%3Aaccess%20codewhisperer%3Acompletions&code_challenge=\
             E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
        let url = authorize_url(&endpoint, "c", "r", "s", "x", &[]);
        assert!(url.contains("&scopes=sso%3Aaccount%3Aaccess&"), "{url}");
    }

    #[test]
    fn callback_returns_the_code_when_state_matches() {
        let code = parse_callback_query("?code=abc%2Bdef&state=xyz&extra=1", "xyz").unwrap();
        assert_eq!(code.expose(), "abc+def");
        let code = parse_callback_query("state=xyz&code=a+b", "xyz").unwrap();
        assert_eq!(code.expose(), "a b");
    }

    #[test]
    fn callback_failures() {
        let cases: [(&str, CallbackError); 8] = [
            ("code=abc&state=other", CallbackError::StateMismatch),
            ("code=abc", CallbackError::MissingState),
            ("state=xyz", CallbackError::MissingCode),
            ("state=xyz&code=", CallbackError::MissingCode),
            ("state=xyz&code=a&code=b", CallbackError::Repeated("code")),
            ("state=xyz&code=%ZZ", CallbackError::Malformed),
            (
                "error=access_denied&error_description=User+denied&state=xyz",
                CallbackError::Denied {
                    description: Some("User denied".into()),
                },
            ),
            (
                "error=server_error",
                CallbackError::Authorization {
                    error: "server_error".into(),
                    description: None,
                },
            ),
        ];
        for (query, expected) in cases {
            assert_eq!(parse_callback_query(query, "xyz").unwrap_err(), expected, "{query}");
        }
        // An error with a wrong state is not believed.
        assert_eq!(
            parse_callback_query("error=access_denied&state=evil", "xyz").unwrap_err(),
            CallbackError::StateMismatch
        );
    }

    #[test]
    fn callback_messages() {
        let err =
            parse_callback_query("error=access_denied&error_description=User+denied&state=xyz", "xyz").unwrap_err();
        assert_eq!(err.code(), "LOGIN_DENIED");
        assert_eq!(
            err.to_string(),
            "the sign-in was denied in the browser (User denied); run the sign-in again and choose Allow"
        );
        let err = parse_callback_query("code=abc&state=FORGED", "EXPECTED").unwrap_err();
        assert_eq!(err.code(), "LOGIN_CALLBACK_STATE_MISMATCH");
        assert!(!err.to_string().contains("FORGED") && !err.to_string().contains("EXPECTED"));
        assert_eq!(
            CallbackError::Authorization {
                error: "invalid_scope".into(),
                description: None
            }
            .to_string(),
            "the sign-in failed in the browser with \"invalid_scope\""
        );
    }
}
