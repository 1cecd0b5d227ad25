//! Writing a profile into an arbitrary credentials file. Input: line 1 the profile name, line 2 `key=value` pairs
//! separated by `;`, the rest the existing file. A merge that succeeds must be stable: merging the same values
//! again changes nothing.
#![no_main]

#[path = "common.rs"]
mod common;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (profile, rest) = common::first_line(text);
    let (pairs, existing) = common::first_line(rest);
    let mut values: Vec<(&str, &str)> = pairs.split(';').filter_map(|pair| pair.split_once('=')).collect();
    if values.is_empty() {
        values = vec![
            ("aws_access_key_id", "ASIAFUZZ"),
            ("aws_secret_access_key", "secret"),
            ("aws_session_token", "token"),
        ];
    }
    let Ok(merged) = sso_core::merge_profile(existing, profile, &values) else {
        return;
    };
    let again = sso_core::merge_profile(&merged, profile, &values).expect("a merged file merges again");
    assert_eq!(again, merged, "merging twice changed the file");
});
