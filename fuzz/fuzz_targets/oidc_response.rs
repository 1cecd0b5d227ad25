//! The OIDC answer parsers (RegisterClient, StartDeviceAuthorization, CreateToken for each grant) on an arbitrary
//! status, headers and body. Errors must print without control characters from the server.
#![no_main]

#[path = "common.rs"]
mod common;

use libfuzzer_sys::fuzz_target;
use sso_core::GrantType;

fuzz_target!(|data: &[u8]| {
    let response = common::response_from(data);
    let check = |e: &sso_core::OidcError| {
        common::assert_printable(&e.to_string());
        let _ = (e.code(), e.is_retryable());
    };
    match sso_core::parse_register_client_response(&response) {
        Ok(r) => {
            let _ = format!("{r:?}");
        }
        Err(e) => check(&e),
    }
    match sso_core::parse_start_device_authorization_response(&response) {
        Ok(auth) => {
            let poll = sso_core::DevicePoll::new(&auth, chrono::DateTime::UNIX_EPOCH);
            let _ = (poll.next_poll_at(), poll.expires_at(), poll.interval());
        }
        Err(e) => check(&e),
    }
    for grant in [
        GrantType::RefreshToken,
        GrantType::DeviceCode,
        GrantType::AuthorizationCode,
    ] {
        match sso_core::parse_create_token_response(&response, grant) {
            Ok(token) => {
                let _ = format!("{token:?}");
            }
            Err(e) => check(&e),
        }
    }
});
