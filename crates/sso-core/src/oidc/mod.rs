//! The IAM Identity Center OIDC API (service `sso-oidc`): `RegisterClient`, `StartDeviceAuthorization` and
//! `CreateToken` as request data (`requests`), their answers parsed from bytes (`answers`), and the failures
//! the service reports (`errors`).

mod answers;
mod errors;
mod requests;

pub use answers::{
    CreateTokenResponse, DeviceAuthorization, RegisterClientResponse, parse_create_token_response,
    parse_register_client_response, parse_start_device_authorization_response,
};
pub use errors::{OidcError, OidcErrorKind, OidcOperation};
pub use requests::{
    AUTHORIZATION_CODE_GRANT_TYPES, CreateTokenGrant, DEVICE_CODE_GRANT_TYPE, GrantType, REGISTERED_REDIRECT_URI,
    create_token_request, register_client_request, start_device_authorization_request,
};

#[cfg(test)]
mod tests;
