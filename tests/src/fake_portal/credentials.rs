//! Deterministic role credentials: the same (token, account, role) always gets the same keys, so tests can
//! predict them, and the keys are full of the characters that break naive quoting (`/`, `+`, `=`).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use sha2::{Digest, Sha256};

/// The generated `accessKeyId`, `secretAccessKey` and `sessionToken` for a token, account and role.
pub fn generated_credentials(token: &str, account_id: &str, role_name: &str) -> (String, String, String) {
    let seed = format!("{token}\n{account_id}\n{role_name}");

    const KEY_ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    let access_key_id: String = "ASIA"
        .chars()
        .chain(
            stream(&seed, "access-key-id", 16)
                .iter()
                .map(|b| char::from(KEY_ALPHABET[usize::from(*b) % KEY_ALPHABET.len()])),
        )
        .collect();

    // 30 bytes encode to exactly 40 base64 characters; two are forced so every secret needs quoting care.
    let mut secret: Vec<char> = STANDARD.encode(stream(&seed, "secret", 30)).chars().collect();
    secret[10] = '/';
    secret[20] = '+';
    let secret_access_key: String = secret.into_iter().collect();

    // Real session tokens start with "IQoJb3JpZ2luX2Vj" (base64 of "!\n\torigin_ec"); the bytes FB FF BF then
    // encode to "+/+/", and 224 bytes in all give 300 characters ending in one '='.
    let mut token_bytes = b"!\n\torigin_ec".to_vec();
    token_bytes.extend([0xFB, 0xFF, 0xBF]);
    token_bytes.extend(stream(&seed, "session-token", 209));
    let session_token = STANDARD.encode(token_bytes);

    (access_key_id, secret_access_key, session_token)
}

/// `len` pseudo-random bytes from SHA-256 in counter mode.
fn stream(seed: &str, label: &str, len: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(len + 32);
    let mut counter = 0u32;
    while out.len() < len {
        let block = Sha256::new()
            .chain_update(seed.as_bytes())
            .chain_update(label.as_bytes())
            .chain_update(counter.to_le_bytes())
            .finalize();
        out.extend_from_slice(&block);
        counter += 1;
    }
    out.truncate(len);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_and_determinism() {
        let (id, secret, token) = generated_credentials("t", "111122223333", "Admin");
        assert_eq!(id.len(), 20);
        assert!(id.starts_with("ASIA"));
        assert!(id[4..].bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()));
        assert_eq!(secret.len(), 40);
        assert!(
            secret
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'/' || b == b'+')
        );
        assert!(secret.contains('/') && secret.contains('+'));
        assert_eq!(token.len(), 300);
        assert!(token.starts_with("IQoJb3JpZ2luX2Vj+/+/") && token.ends_with('=') && !token.ends_with("=="));
        assert_eq!(generated_credentials("t", "111122223333", "Admin").1, secret);
        assert_ne!(generated_credentials("t", "111122223333", "ReadOnly").1, secret);
    }
}
