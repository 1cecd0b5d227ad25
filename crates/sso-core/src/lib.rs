//! The sans-IO core of ssocreds.
//!
//! This crate reads no file, no environment variable, no clock and no network, and it compiles to
//! `wasm32-unknown-unknown` without JavaScript imports of its own. Everything it needs comes in as an
//! argument: file contents as bytes, the current time as a [`chrono::DateTime`], randomness as bytes.
//! Requests go out as plain [`HttpRequest`] values for the caller to send, and responses come back in as
//! an [`HttpResponse`] (status, headers, body bytes) for the core to parse. The native CLI and the
//! WebAssembly package are thin hosts that do the I/O.
//!
//! The usual flow:
//! 1. [`parse_cached_token`] parses a token cache file (`~/.aws/sso/cache/<sha1>.json`);
//! 2. [`CachedToken::check`] compares its expiry with `now`;
//! 3. [`resolve_region`] and [`Endpoint::portal`] pick where to send the call;
//! 4. [`get_role_credentials_request`] builds the request, [`parse_get_role_credentials_response`] reads the
//!    answer into [`RoleCredentials`];
//! 5. [`format_exports`] prints them for a shell, a dotenv file or `credential_process`.

#![warn(missing_docs)]

mod cache;
mod commands;
mod endpoint;
mod export;
mod http;
mod ids;
mod portal;
mod retry;
mod secret;
mod time;

pub use cache::{
    CacheError, CachedToken, MAX_CACHE_FILE_BYTES, TokenError, TokenStatus, cache_file_name,
    parse_cached_token,
};
pub use commands::{CommandSpec, aws_cli_command, curl_command, ssocreds_export_command};
pub use endpoint::{
    Endpoint, EndpointError, EndpointOptions, RegionChoice, RegionError, resolve_region,
};
pub use export::{ExportError, ExportFormat, ExportOptions, format_exports};
pub use http::{HttpRequest, HttpResponse, Method};
pub use ids::{AccountId, Region, RoleName, ValidationError};
pub use portal::{
    AccountInfo, CallContext, Page, PortalError, PortalErrorKind, RoleCredentials, RoleInfo,
    get_role_credentials_request, list_account_roles_request, list_accounts_request,
    logout_request, parse_get_role_credentials_response, parse_list_account_roles_response,
    parse_list_accounts_response, parse_logout_response,
};
pub use retry::{RetryDecision, RetryPolicy};
pub use secret::SecretString;
pub use time::{TimestampError, format_duration, format_timestamp, parse_timestamp};

/// The `User-Agent` sent with every request: `ssocreds/<version>`.
pub const USER_AGENT: &str = concat!("ssocreds/", env!("CARGO_PKG_VERSION"));
