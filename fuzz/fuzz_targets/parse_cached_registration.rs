//! The client-registration cache parser on arbitrary bytes; what parses writes back and parses again.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(registration) = sso_core::parse_cached_registration(data) else {
        return;
    };
    let _ = format!("{registration:?}");
    let json = registration.to_json();
    let again = sso_core::parse_cached_registration(json.as_bytes()).expect("to_json output parses");
    assert_eq!(again.client_id, registration.client_id);
    assert_eq!(again.client_secret, registration.client_secret);
    assert_eq!(again.scopes, registration.scopes);
    assert_eq!(again.grant_types, registration.grant_types);
    assert_eq!(again.to_json(), json);
});
