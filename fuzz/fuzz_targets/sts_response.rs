//! The STS AssumeRole answer parser (XML through quick-xml) on an arbitrary status, headers and body: it never
//! panics, success only for a 2xx, the credentials' Debug redacts, and error messages carry no control characters
//! from the server.
#![no_main]

#[path = "common.rs"]
mod common;

use libfuzzer_sys::fuzz_target;
use sso_core::RoleArn;

fuzz_target!(|data: &[u8]| {
    let response = common::response_from(data);
    let role = RoleArn::new("arn:aws:iam::444455556666:role/Deploy").unwrap();
    match sso_core::parse_assume_role_response(&response, &role, "eu-west-1") {
        Ok(assumed) => {
            assert!((200..300).contains(&response.status));
            assert_eq!(
                assumed.credentials.account_id.as_ref().map(|a| a.as_str()),
                Some("444455556666")
            );
            assert!(format!("{:?}", assumed.credentials).contains("** redacted **"));
        }
        Err(e) => {
            common::assert_printable(&e.to_string());
            let _ = (e.code(), e.is_retryable());
        }
    }
});
