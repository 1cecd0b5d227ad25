//! The portal answer parsers (GetRoleCredentials, ListAccounts, ListAccountRoles, Logout) on an arbitrary status,
//! headers and body. Errors must print without control characters from the server.
#![no_main]

#[path = "common.rs"]
mod common;

use libfuzzer_sys::fuzz_target;
use sso_core::{AccountId, CallContext, Region, RoleName};

fuzz_target!(|data: &[u8]| {
    let response = common::response_from(data);
    let context = CallContext {
        operation: "GetRoleCredentials",
        account_id: Some(AccountId::new("111122223333").unwrap()),
        role_name: Some(RoleName::new("ReadOnly").unwrap()),
        region: Some(Region::new("eu-west-1").unwrap()),
        token_region: Some("us-east-1".into()),
    };
    let check = |e: &sso_core::PortalError| {
        let text = e.to_string();
        common::assert_printable(&text);
        let _ = (e.code(), e.is_retryable());
    };
    match sso_core::parse_get_role_credentials_response(&response, &context) {
        Ok(credentials) => {
            assert!((200..300).contains(&response.status));
            assert!(format!("{credentials:?}").contains("** redacted **"));
        }
        Err(e) => check(&e),
    }
    if let Err(e) = sso_core::parse_list_accounts_response(&response, &context) {
        check(&e);
    }
    if let Err(e) = sso_core::parse_list_account_roles_response(&response, &context) {
        check(&e);
    }
    if let Err(e) = sso_core::parse_logout_response(&response, &CallContext::default()) {
        check(&e);
    }
});
