//! Which of the token files found in the cache folder to use, given their parsed contents. The host reads the
//! folder; this decides, and never guesses between sign-ins.

use crate::CachedToken;

/// Why no token could be chosen.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenChoiceError {
    /// No token at all, or none of the start URL asked for.
    #[error("{}", match .start_url { Some(url) => format!("no SSO token for start URL {url}"), None => "no SSO token found".to_owned() })]
    NoToken {
        /// The start URL asked for, if any.
        start_url: Option<String>,
    },
    /// Tokens of several sign-ins, and nothing says which to use.
    #[error("{} SSO tokens of different sign-ins and nothing says which to use; choose one with --start-url URL (or --cache FILE)", .candidates.len())]
    Ambiguous {
        /// The indexes (into the slice given to [`choose_token`]) of every candidate, in the order given.
        candidates: Vec<usize>,
    },
}

impl TokenChoiceError {
    /// A stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::NoToken { .. } => "TOKEN_NOT_FOUND",
            Self::Ambiguous { .. } => "TOKEN_AMBIGUOUS",
        }
    }
}

/// Whether two start URLs name the same sign-in (a trailing `/` does not count).
pub fn same_start_url(a: &str, b: &str) -> bool {
    a.trim_end_matches('/') == b.trim_end_matches('/')
}

/// Picks the token to use: the only one, or the only sign-in matching `start_url`. When several tokens belong to
/// the same sign-in (a legacy and an sso-session file for one start URL), the one that expires last wins (the last
/// of those on a tie). Anything else is an error that lists the candidates: ssocreds never guesses. Returns an index
/// into `tokens`.
pub fn choose_token(tokens: &[&CachedToken], start_url: Option<&str>) -> Result<usize, TokenChoiceError> {
    let candidates: Vec<usize> = (0..tokens.len())
        .filter(|&i| match start_url {
            Some(wanted) => tokens[i]
                .start_url
                .as_deref()
                .is_some_and(|u| same_start_url(u, wanted)),
            None => true,
        })
        .collect();
    let Some(&first) = candidates.first() else {
        return Err(TokenChoiceError::NoToken {
            start_url: start_url.map(str::to_owned),
        });
    };
    let first_url = tokens[first].start_url.as_deref();
    let one_sign_in = candidates
        .iter()
        .all(|&i| match (tokens[i].start_url.as_deref(), first_url) {
            (Some(a), Some(b)) => same_start_url(a, b),
            _ => false,
        });
    if candidates.len() == 1 || one_sign_in {
        // On a tie, the last file in the order given (the host sorts by name).
        let best = candidates
            .iter()
            .copied()
            .max_by_key(|&i| tokens[i].expires_at)
            .unwrap_or(first);
        return Ok(best);
    }
    Err(TokenChoiceError::Ambiguous { candidates })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse_cached_token;
    #[cfg(all(target_family = "wasm", target_os = "unknown"))]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    fn token(start_url: Option<&str>, expires_at: &str) -> CachedToken {
        let url = start_url.map(|u| format!(r#""startUrl":"{u}","#)).unwrap_or_default();
        parse_cached_token(format!(r#"{{{url}"accessToken":"t","expiresAt":"{expires_at}"}}"#).as_bytes()).unwrap()
    }

    #[test]
    fn no_token_is_an_error_naming_the_start_url() {
        assert_eq!(
            choose_token(&[], None),
            Err(TokenChoiceError::NoToken { start_url: None })
        );
        let a = token(Some("https://a/start"), "2030-01-01T00:00:00Z");
        let err = choose_token(&[&a], Some("https://b/start")).unwrap_err();
        assert_eq!(err.code(), "TOKEN_NOT_FOUND");
        assert_eq!(err.to_string(), "no SSO token for start URL https://b/start");
    }

    #[test]
    fn the_only_token_wins_even_without_a_start_url() {
        let a = token(None, "2020-01-01T00:00:00Z");
        assert_eq!(choose_token(&[&a], None), Ok(0));
    }

    #[test]
    fn one_sign_in_in_two_files_takes_the_later_expiry() {
        let legacy = token(Some("https://a/start"), "2030-01-01T00:00:00Z");
        let session = token(Some("https://a/start/"), "2030-01-01T08:00:00Z");
        assert_eq!(choose_token(&[&legacy, &session], None), Ok(1));
        assert_eq!(choose_token(&[&session, &legacy], None), Ok(0));
        let twin = token(Some("https://a/start"), "2030-01-01T08:00:00Z");
        assert_eq!(choose_token(&[&session, &twin], None), Ok(1), "a tie keeps the last");
    }

    #[test]
    fn several_sign_ins_are_never_guessed_between() {
        let a = token(Some("https://a/start"), "2030-01-01T00:00:00Z");
        let b = token(Some("https://b/start"), "2031-01-01T00:00:00Z");
        let err = choose_token(&[&a, &b], None).unwrap_err();
        assert_eq!(err, TokenChoiceError::Ambiguous { candidates: vec![0, 1] });
        assert_eq!(err.code(), "TOKEN_AMBIGUOUS");
        assert_eq!(choose_token(&[&a, &b], Some("https://b/start/")), Ok(1));
    }

    #[test]
    fn tokens_without_a_start_url_are_not_one_sign_in() {
        let a = token(None, "2030-01-01T00:00:00Z");
        let b = token(None, "2031-01-01T00:00:00Z");
        assert!(matches!(
            choose_token(&[&a, &b], None),
            Err(TokenChoiceError::Ambiguous { .. })
        ));
    }
}
