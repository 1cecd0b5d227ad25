//! The loopback callback's query on arbitrary text. Line 1 is the expected state, the rest the query. A code is only
//! ever returned together with the exact expected state.
#![no_main]

#[path = "common.rs"]
mod common;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (expected_state, query) = common::first_line(text);
    match sso_core::parse_callback_query(query, expected_state) {
        Ok(code) => {
            assert!(!code.is_empty());
            let has_state = query
                .trim_start_matches('?')
                .split('&')
                .any(|pair| pair.split_once('=').map_or(pair, |(name, _)| name) == "state");
            assert!(has_state, "a code was accepted without a state: {query:?}");
        }
        Err(e) => {
            let message = e.to_string();
            common::assert_printable(&message);
            let _ = e.code();
        }
    }
});
