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
mod chain;
mod config;
mod console;
mod container;
mod credentials_file;
mod device_flow;
mod document;
mod endpoint;
mod error;
mod export;
mod get_role_credentials;
mod http;
mod ids;
mod ini;
mod login_session;
mod oidc;
mod pkce;
mod populate;
mod portal;
mod quote;
mod refresh;
mod registration;
mod retry;
mod role_cache;
mod secret;
mod shell_commands;
mod sts;
mod time;
mod token_choice;

pub use cache::{
    CacheError, CachedToken, MAX_CACHE_FILE_BYTES, SIGN_IN_ADVICE, TokenError, TokenStatus, cache_file_name,
    parse_cached_token,
};
pub use chain::{
    ChainEnvironment, ChainError, ChainHop, ChainInputs, DEFAULT_SESSION_NAME_PREFIX, RoleChain, chain_cache_file_name,
    is_role_profile, resolve_role_chain, static_key_profiles,
};
pub use config::{
    ConfigError, ConfigFile, ConfigValue, ConfigWarning, ConfigWarningKind, DEFAULT_REGISTRATION_SCOPE, Properties,
    SsoProfile, parse_config, parse_registration_scopes, profile_names, resolve_sso_profile, sso_sessions,
    token_cache_key,
};
pub use console::{
    CONSOLE_ISSUER, ConsoleDestination, ConsoleError, ConsoleSessionDuration, CredentialOrigin, LoginUrl, Partition,
    SIGNIN_ENDPOINT_VARIABLE, SigninError, SigninErrorKind, SigninTokenRequest, login_url, parse_signin_token_response,
    signin_endpoint, signin_token_request,
};
pub use container::{
    AUTHORIZATION_TOKEN_VARIABLE, AuthorizationToken, CREDENTIALS_PATH, ContainerEndpoint, ContainerExportError,
    ContainerResponse, DEFAULT_MIN_VALIDITY, DEFAULT_REFETCH_MARGIN, FULL_URI_VARIABLE, FetchDecision, FetchFailure,
    IncomingRequest, RefetchPolicy, Refusal, RequestCheck, VARIABLES_THAT_SHADOW_THE_ENDPOINT, credentials_response,
};
pub use credentials_file::{CredentialsFileError, EXPIRATION_KEY, merge_profile, merge_role_credentials};
pub use device_flow::{
    DEFAULT_POLL_INTERVAL, DeviceAuthorizationExpired, DevicePoll, PollDecision, SLOW_DOWN_INCREMENT,
};
pub use endpoint::{Endpoint, EndpointError, EndpointOptions, RegionChoice, RegionError, resolve_region};
pub use error::Error;
pub use export::{ExportError, ExportFormat, ExportOptions, credential_variables, format_exports};
pub use get_role_credentials::{
    GetRoleCredentialsInput, PortalEndpoint, PreparedGetRoleCredentials, prepare_get_role_credentials,
    prepare_get_role_credentials_from_input,
};
pub use http::{HttpRequest, HttpResponse, Method};
pub use ids::{AccountId, Region, RoleName, ValidationError};
pub use login_session::{SsoSessionError, resolve_sso_session, start_url_sign_in};
pub use oidc::{
    AUTHORIZATION_CODE_GRANT_TYPES, CreateTokenGrant, CreateTokenResponse, DEVICE_CODE_GRANT_TYPE, DeviceAuthorization,
    GrantType, OidcError, OidcErrorKind, OidcOperation, REGISTERED_REDIRECT_URI, RegisterClientResponse,
    create_token_request, parse_create_token_response, parse_register_client_response,
    parse_start_device_authorization_response, register_client_request, start_device_authorization_request,
};
pub use pkce::{
    CallbackError, Pkce, PkceError, authorize_url, loopback_redirect_uri, parse_callback_query, state_from_entropy,
};
pub use populate::{
    DEFAULT_TEMPLATE, PopulateEntry, TemplateError, check_template, newline_of, profile_names_for,
    profiles_outside_block, render_block, replace_block,
};
pub use portal::{
    AccountInfo, CallContext, Page, PortalError, PortalErrorKind, RoleCredentials, RoleInfo,
    get_role_credentials_request, list_account_roles_request, list_accounts_request, logout_request,
    parse_get_role_credentials_response, parse_list_account_roles_response, parse_list_accounts_response,
    parse_logout_response,
};
pub use quote::Quoted;
pub use refresh::{
    DEFAULT_REFRESH_THRESHOLD, RefreshUnavailable, apply_token_response, check_refreshable, needs_refresh,
    new_cached_token, refresh_token_request,
};
pub use registration::{
    CachedRegistration, LoginFlow, REGISTRATION_EXPIRY_WINDOW, RegistrationCacheError, parse_cached_registration,
    registration_cache_key,
};
pub use retry::{RetryDecision, RetryPolicy};
pub use role_cache::{RoleCacheError, parse_role_cache, role_cache_document, role_cache_file_name};
pub use secret::SecretString;
pub use shell_commands::{CommandSpec, aws_cli_command, curl_command, ssocreds_export_command};
pub use sts::{
    AssumeRole, AssumedRole, GLOBAL_SIGNING_REGION, GLOBAL_STS_URL, InvalidParameter, LEGACY_GLOBAL_REGIONS,
    MIN_DURATION, ROLE_CHAINING_MAX_DURATION, RoleArn, STS_API_VERSION, StsEndpoint, StsEndpointSettings, StsError,
    StsErrorKind, StsRegionalEndpoints, StsRequestError, assume_role_request, parse_assume_role_response,
    validate_external_id, validate_mfa_code, validate_mfa_serial, validate_role_session_name,
};
pub use time::{TimestampError, format_duration, format_timestamp, parse_timestamp};
pub use token_choice::{TokenChoiceError, choose_token, same_start_url};

/// The `User-Agent` sent with every request: `ssocreds/<version>`.
pub const USER_AGENT: &str = concat!("ssocreds/", env!("CARGO_PKG_VERSION"));
