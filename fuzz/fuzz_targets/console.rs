//! The console: a destination the user gives (any text) and the federation endpoint's answer (arbitrary status,
//! headers and body). A destination is accepted only as an https URL on the partition's console hosts or a service
//! name; the answer parser never panics and its messages carry no control characters from the server.
#![no_main]

#[path = "common.rs"]
mod common;

use libfuzzer_sys::fuzz_target;
use sso_core::{ConsoleDestination, Partition, Region};

fuzz_target!(|data: &[u8]| {
    let (first, _) = common::first_line(std::str::from_utf8(data).unwrap_or_default());
    let region = Region::new("eu-west-1").unwrap();
    if let Ok(destination) = ConsoleDestination::resolve(Partition::Aws, Some(&region), Some(first)) {
        let url = destination.as_str();
        assert!(url.starts_with("https://"), "{url}");
        let host = url["https://".len()..].split(['/', '?', '#']).next().unwrap();
        assert!(
            host == "console.aws.amazon.com" || host.ends_with(".console.aws.amazon.com"),
            "{url}"
        );
    }
    let response = common::response_from(data);
    match sso_core::parse_signin_token_response(&response) {
        Ok(token) => assert!(format!("{token:?}").contains("redacted")),
        Err(e) => {
            common::assert_printable(&e.to_string());
            let _ = e.code();
        }
    }
});
