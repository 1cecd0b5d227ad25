//! The token cache parser on arbitrary bytes; what parses must write back (`to_json`) and parse again to the same
//! token, unknown fields included.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(token) = sso_core::parse_cached_token(data) else {
        return;
    };
    let _ = format!("{token:?}");
    let json = token.to_json();
    let again = sso_core::parse_cached_token(json.as_bytes()).expect("to_json output parses");
    assert_eq!(again.access_token, token.access_token);
    assert_eq!(again.refresh_token, token.refresh_token);
    assert_eq!(again.client_secret, token.client_secret);
    assert_eq!(again.start_url, token.start_url);
    assert_eq!(again.region, token.region);
    // Written timestamps have whole seconds.
    assert_eq!(again.expires_at.timestamp(), token.expires_at.timestamp());
    assert_eq!(again.to_json(), json, "writing twice changes nothing");
});
