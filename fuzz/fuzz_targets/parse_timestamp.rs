//! `expiresAt` parsing on arbitrary text; what parses formats as RFC 3339 `Z` and parses back to the same second.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match sso_core::parse_timestamp(text) {
        Ok(at) => {
            let formatted = sso_core::format_timestamp(at);
            assert!(formatted.ends_with('Z'), "{formatted}");
            let again = sso_core::parse_timestamp(&formatted).expect("formatted timestamp parses");
            assert_eq!(again.timestamp(), at.timestamp());
        }
        Err(e) => {
            // The message names the value, shortened.
            assert!(e.value.chars().count() <= 64);
            let _ = e.to_string();
        }
    }
});
