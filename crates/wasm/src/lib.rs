//! `ssocreds` for JavaScript: a thin wasm-bindgen shell over [`sso_core`], published to npm as `ssocreds`.
//!
//! Like `ruff_wasm`, it has no logic of its own. Options objects are read key by key ([`fields`]; not
//! `serde_wasm_bindgen::from_value`, for size, see there), results go out through one serializer ([`to_js`]), and
//! every failure becomes a JavaScript `Error` through [`Failure`] with the core's message and a stable `code`. The one thing the core cannot do, reading the
//! clock, happens here: `now` defaults to `Date.now()`.
//!
//! Sending the request is the JavaScript side's job (`js/client.js` in this crate: `fetch` and retries).
//! Timestamps cross the boundary as RFC 3339 strings in UTC with a `Z` and whole seconds; an input timestamp may
//! also be epoch milliseconds or a `Date`.

mod failure;
mod fields;

use chrono::{DateTime, TimeDelta, Utc};
use serde::Serialize;
use sso_core::{
    AccountId, CallContext, CommandSpec, Endpoint, EndpointOptions, ExportFormat, ExportOptions, HttpResponse, Region,
    RetryDecision, RetryPolicy, RoleCredentials, RoleName, SecretString, TokenStatus, aws_cli_command, cache_file_name,
    curl_command, format_duration, format_exports, format_timestamp, get_role_credentials_request, parse_cached_token,
    parse_get_role_credentials_response, parse_timestamp, resolve_region, ssocreds_export_command,
};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

pub use failure::Failure;
use fields::Fields;

/// What every exported function returns.
pub type JsResult<T> = Result<T, Failure>;

/// The version of the package (the workspace version).
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_owned()
}

/// Results go out through this one serializer: plain objects and arrays, `null` for absent values.
fn to_js<T: Serialize>(value: &T) -> JsResult<JsValue> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| Failure::invalid_argument("ssocreds", "result", e))
}

/// The bytes of a token cache file given as a string, a `Uint8Array` (Node's `Buffer`) or an `ArrayBuffer`.
fn cache_bytes(value: &JsValue, function: &str) -> JsResult<Vec<u8>> {
    if let Some(text) = value.as_string() {
        Ok(text.into_bytes())
    } else if let Some(bytes) = value.dyn_ref::<js_sys::Uint8Array>() {
        Ok(bytes.to_vec())
    } else if let Some(buffer) = value.dyn_ref::<js_sys::ArrayBuffer>() {
        Ok(js_sys::Uint8Array::new(buffer).to_vec())
    } else {
        Err(Failure::invalid_argument(
            function,
            "cache",
            "expected the contents of a token cache file as a string, a Uint8Array or an ArrayBuffer",
        ))
    }
}

fn string_argument(value: &JsValue, function: &str, name: &str) -> JsResult<String> {
    value
        .as_string()
        .ok_or_else(|| Failure::invalid_argument(function, name, "expected a string"))
}

/// An instant given as epoch milliseconds, an RFC 3339 string or a `Date`; `undefined` is now.
fn instant(value: &JsValue, function: &str, name: &str) -> JsResult<DateTime<Utc>> {
    let millis = if value.is_undefined() || value.is_null() {
        js_sys::Date::now()
    } else if let Some(text) = value.as_string() {
        return Ok(parse_timestamp(&text)?);
    } else if let Some(date) = value.dyn_ref::<js_sys::Date>() {
        date.get_time()
    } else if let Some(number) = value.as_f64() {
        number
    } else {
        return Err(Failure::invalid_argument(
            function,
            name,
            "expected epoch milliseconds, an RFC 3339 string or a Date",
        ));
    };
    if !millis.is_finite() {
        return Err(Failure::invalid_argument(function, name, "it is not a valid time"));
    }
    DateTime::from_timestamp_millis(millis as i64)
        .ok_or_else(|| Failure::invalid_argument(function, name, "it is out of range"))
}

fn optional_region(value: Option<&str>) -> JsResult<Option<Region>> {
    Ok(value.map(Region::new).transpose()?)
}

/// What `parseCache` returns. Never the token, nor any other secret.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CacheInfo {
    start_url: Option<String>,
    region: Option<String>,
    expires_at: String,
    has_refresh_token: bool,
    registration_expires_at: Option<String>,
    legacy_cache_file_name: Option<String>,
}

/// Parses a token cache file: its start URL, region and expiry, never the token itself.
#[wasm_bindgen(js_name = parseCache)]
pub fn parse_cache(cache: JsValue) -> JsResult<JsValue> {
    let token = parse_cached_token(&cache_bytes(&cache, "parseCache")?)?;
    to_js(&CacheInfo {
        legacy_cache_file_name: token.start_url.as_deref().map(cache_file_name),
        start_url: token.start_url.clone(),
        region: token.region.clone(),
        expires_at: format_timestamp(token.expires_at),
        has_refresh_token: token.refresh_token.is_some(),
        registration_expires_at: token.registration_expires_at.map(format_timestamp),
    })
}

/// What `checkToken` returns.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct TokenCheck {
    expired: bool,
    expiring_soon: bool,
    expires_at: String,
    expires_in_seconds: i64,
    time_left: String,
    start_url: Option<String>,
    region: Option<String>,
    token_region: Option<String>,
    warnings: Vec<String>,
    code: Option<&'static str>,
    message: Option<String>,
}

/// Compares a token's expiry with `now`. An expired token is a status (`expired: true` with the core's message
/// and code), not an exception; an unreadable file or a bad option throws.
#[wasm_bindgen(js_name = checkToken)]
pub fn check_token(cache: JsValue, options: JsValue) -> JsResult<JsValue> {
    const FUNCTION: &str = "checkToken";
    let options = Fields::optional(options, FUNCTION, "options", &["now", "region", "minValiditySeconds"])?;
    let requested = optional_region(options.string("region")?.as_deref())?;
    let now = instant(&options.get("now"), FUNCTION, "options.now")?;
    let min_validity = match options.number("minValiditySeconds")? {
        None => 15 * 60,
        Some(seconds) if (0.0..=1e9).contains(&seconds) => seconds as i64,
        Some(_) => return Err(options.invalid("minValiditySeconds", "expected a number of seconds from 0 to 1e9")),
    };
    let token = parse_cached_token(&cache_bytes(&cache, FUNCTION)?)?;

    let mut warnings = Vec::new();
    let region = match resolve_region(requested.as_ref(), token.region.as_deref()) {
        Ok(choice) => {
            warnings.extend(choice.mismatch_warning());
            Some(choice.region.as_str().to_owned())
        }
        Err(error) => {
            warnings.push(Failure::from(error).message().to_owned());
            None
        }
    };
    let remaining = token.expires_at - now;
    let (expiring_soon, code, message) = match token.check(now, TimeDelta::seconds(min_validity)) {
        Ok(TokenStatus::Valid { .. }) => (false, None, None),
        Ok(TokenStatus::ExpiringSoon { remaining }) => {
            // The same words as the CLI's warning.
            warnings.push(format!(
                "the SSO token expires in {}; sign in again soon with `aws sso login`",
                format_duration(remaining)
            ));
            (true, None, None)
        }
        Err(expired) => (false, Some(expired.code()), Some(expired.to_string())),
    };
    to_js(&TokenCheck {
        expired: code.is_some(),
        expiring_soon,
        expires_at: format_timestamp(token.expires_at),
        expires_in_seconds: remaining.num_seconds(),
        time_left: format_duration(remaining),
        start_url: token.start_url.clone(),
        region,
        token_region: token.region.clone(),
        warnings,
        code,
        message,
    })
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RequestOut {
    method: &'static str,
    url: String,
    #[serde(serialize_with = "header_object")]
    headers: Vec<(String, String)>,
}

/// Headers as a plain object (`{ name: value }`), in the core's order. Not via a `BTreeMap`: collecting into one
/// pulls the standard library's sort into the module (8 KB).
fn header_object<S: serde::Serializer>(headers: &[(String, String)], serializer: S) -> Result<S::Ok, S::Error> {
    serializer.collect_map(headers.iter().map(|(name, value)| (name, value)))
}

/// What a call was about, so that the answer's errors can name it (the `context` of
/// `parseGetRoleCredentialsResponse`).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ContextOut {
    account_id: String,
    role_name: String,
    region: String,
    token_region: Option<String>,
}

/// A request built from validated options, and what the answer's errors should name.
struct Prepared {
    request: RequestOut,
    context: ContextOut,
    token: sso_core::CachedToken,
}

const REQUEST_KEYS: &[&str] = &["cache", "accountId", "roleName", "region", "endpoint"];

fn prepare(options: &Fields, function: &str) -> JsResult<Prepared> {
    // As the CLI does: check what the user typed before reading the file.
    let account_id = AccountId::new(&options.required_string("accountId")?)?;
    let role_name = RoleName::new(&options.required_string("roleName")?)?;
    let requested = optional_region(options.string("region")?.as_deref())?;
    let endpoint = options
        .string("endpoint")?
        .as_deref()
        .map(Endpoint::custom)
        .transpose()?;
    let token = parse_cached_token(&cache_bytes(&options.get("cache"), function)?)?;
    let choice = resolve_region(requested.as_ref(), token.region.as_deref())?;
    let endpoint = endpoint.unwrap_or_else(|| Endpoint::portal(&choice.region, EndpointOptions::default()));
    let request = get_role_credentials_request(&endpoint, &token.access_token, &account_id, &role_name);
    Ok(Prepared {
        request: RequestOut {
            method: request.method.as_str(),
            url: request.url.clone(),
            headers: request.headers.clone(),
        },
        context: ContextOut {
            account_id: account_id.as_str().to_owned(),
            role_name: role_name.as_str().to_owned(),
            region: choice.region.as_str().to_owned(),
            token_region: choice.token_region,
        },
        token,
    })
}

/// Builds the `GetRoleCredentials` request: `{ method, url, headers }`, the token in the
/// `x-amz-sso_bearer_token` header. Does not look at the clock.
#[wasm_bindgen(js_name = buildGetRoleCredentialsRequest)]
pub fn build_get_role_credentials_request(options: JsValue) -> JsResult<JsValue> {
    const FUNCTION: &str = "buildGetRoleCredentialsRequest";
    let options = Fields::required(options, FUNCTION, "options", REQUEST_KEYS)?;
    to_js(&prepare(&options, FUNCTION)?.request)
}

/// For the package's own `getRoleCredentials`: refuses an expired token (`TOKEN_EXPIRED`), then returns
/// `{ request, context }`, the context to pass to `parseGetRoleCredentialsResponse`.
#[wasm_bindgen(js_name = prepareGetRoleCredentials)]
pub fn prepare_get_role_credentials(options: JsValue) -> JsResult<JsValue> {
    const FUNCTION: &str = "getRoleCredentials";
    let options = Fields::required(
        options,
        FUNCTION,
        "options",
        &["cache", "accountId", "roleName", "region", "endpoint", "now"],
    )?;
    let prepared = prepare(&options, FUNCTION)?;
    let now = instant(&options.get("now"), FUNCTION, "options.now")?;
    prepared.token.check(now, TimeDelta::zero())?;
    #[derive(Serialize)]
    struct Out<'a> {
        request: &'a RequestOut,
        context: &'a ContextOut,
    }
    to_js(&Out {
        request: &prepared.request,
        context: &prepared.context,
    })
}

/// What credentials look like on the JavaScript side.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CredentialsOut {
    access_key_id: String,
    secret_access_key: String,
    session_token: String,
    expiration: String,
    account_id: Option<String>,
}

impl From<&RoleCredentials> for CredentialsOut {
    fn from(credentials: &RoleCredentials) -> Self {
        Self {
            access_key_id: credentials.access_key_id.clone(),
            secret_access_key: credentials.secret_access_key.expose().to_owned(),
            session_token: credentials.session_token.expose().to_owned(),
            expiration: format_timestamp(credentials.expiration),
            account_id: credentials.account_id.as_ref().map(|a| a.as_str().to_owned()),
        }
    }
}

/// Parses the portal's answer (`{ status, headers, body }`, `headers` as `[name, value]` pairs, `body` as text or
/// bytes) into credentials, or throws the portal error naming what `context` says was asked for.
#[wasm_bindgen(js_name = parseGetRoleCredentialsResponse)]
pub fn parse_get_role_credentials_response_js(response: JsValue, context: JsValue) -> JsResult<JsValue> {
    const FUNCTION: &str = "parseGetRoleCredentialsResponse";
    let response = Fields::required(response, FUNCTION, "response", &["status", "headers", "body"])?;
    let context = Fields::optional(
        context,
        FUNCTION,
        "context",
        &["accountId", "roleName", "region", "tokenRegion"],
    )?;
    let status = match response.number("status")? {
        Some(status) if (100.0..=599.0).contains(&status) && status.fract() == 0.0 => status as u16,
        _ => return Err(response.invalid("status", "expected an HTTP status code from 100 to 599")),
    };
    let body = response.get("body");
    let body = if body.is_undefined() || body.is_null() {
        Vec::new()
    } else {
        cache_bytes(&body, FUNCTION)
            .map_err(|_| response.invalid("body", "expected a string, a Uint8Array or an ArrayBuffer"))?
    };
    let context = CallContext {
        operation: "GetRoleCredentials",
        account_id: context
            .string("accountId")?
            .as_deref()
            .map(AccountId::new)
            .transpose()?,
        role_name: context.string("roleName")?.as_deref().map(RoleName::new).transpose()?,
        region: optional_region(context.string("region")?.as_deref())?,
        token_region: context.string("tokenRegion")?,
    };
    let http = HttpResponse {
        status,
        headers: response.string_pairs("headers")?,
        body,
    };
    let credentials = parse_get_role_credentials_response(&http, &context)?;
    to_js(&CredentialsOut::from(&credentials))
}

/// Formats credentials as the CLI's `export --format` does, byte for byte.
#[wasm_bindgen(js_name = formatExports)]
pub fn format_exports_js(credentials: JsValue, format: JsValue, options: JsValue) -> JsResult<String> {
    const FUNCTION: &str = "formatExports";
    let input = Fields::required(
        credentials,
        FUNCTION,
        "credentials",
        &[
            "accessKeyId",
            "secretAccessKey",
            "sessionToken",
            "expiration",
            "accountId",
        ],
    )?;
    let format = ExportFormat::from_name(&string_argument(&format, FUNCTION, "format")?)?;
    let options = Fields::optional(options, FUNCTION, "options", &["region"])?;
    let expiration = input.get("expiration");
    if expiration.is_undefined() || expiration.is_null() {
        return Err(input.invalid("expiration", "it is missing"));
    }
    let credentials = RoleCredentials {
        access_key_id: input.required_string("accessKeyId")?,
        secret_access_key: SecretString::new(input.required_string("secretAccessKey")?),
        session_token: SecretString::new(input.required_string("sessionToken")?),
        expiration: instant(&expiration, FUNCTION, "credentials.expiration")?,
        account_id: input.string("accountId")?.as_deref().map(AccountId::new).transpose()?,
    };
    let export_options = ExportOptions {
        region: optional_region(options.string("region")?.as_deref())?,
    };
    Ok(format_exports(&credentials, format, &export_options)?)
}

/// The format names `formatExports` accepts, in the CLI's order.
#[wasm_bindgen(js_name = exportFormats)]
pub fn export_formats() -> Vec<String> {
    ExportFormat::ALL.iter().map(|f| f.name().to_owned()).collect()
}

/// The cache file name `aws sso login` uses for a session name (sso-session profiles) or a start URL (legacy).
#[wasm_bindgen(js_name = cacheFileName)]
pub fn cache_file_name_js(session_name_or_start_url: JsValue) -> JsResult<String> {
    let text = string_argument(&session_name_or_start_url, "cacheFileName", "sessionNameOrStartUrl")?;
    Ok(cache_file_name(&text))
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CommandsOut {
    aws_cli: String,
    ssocreds: String,
    curl: String,
    region: String,
}

/// The commands that fetch these credentials (`aws sso get-role-credentials`, `ssocreds export`, `curl`), each
/// reading the token from `cachePath` when it runs rather than holding it.
#[wasm_bindgen(js_name = buildCommands)]
pub fn build_commands(options: JsValue) -> JsResult<JsValue> {
    const FUNCTION: &str = "buildCommands";
    let options = Fields::required(
        options,
        FUNCTION,
        "options",
        &[
            "cache",
            "cachePath",
            "accountId",
            "roleName",
            "region",
            "endpoint",
            "format",
            "exportRegion",
        ],
    )?;
    let account_id = AccountId::new(&options.required_string("accountId")?)?;
    let role_name = RoleName::new(&options.required_string("roleName")?)?;
    let requested = optional_region(options.string("region")?.as_deref())?;
    let export_region = optional_region(options.string("exportRegion")?.as_deref())?;
    let endpoint = options
        .string("endpoint")?
        .as_deref()
        .map(Endpoint::custom)
        .transpose()?;
    let format = ExportFormat::from_name(options.string("format")?.as_deref().unwrap_or("env"))?;
    let cache_path = options.required_string("cachePath")?;
    let token = parse_cached_token(&cache_bytes(&options.get("cache"), FUNCTION)?)?;
    let choice = resolve_region(requested.as_ref(), token.region.as_deref())?;
    let spec = CommandSpec {
        cache_path: &cache_path,
        account_id: &account_id,
        role_name: &role_name,
        region: &choice.region,
        endpoint: endpoint.as_ref(),
        format,
        export_region: export_region.as_ref(),
    };
    to_js(&CommandsOut {
        aws_cli: aws_cli_command(&spec),
        ssocreds: ssocreds_export_command(&spec),
        curl: curl_command(&spec),
        region: choice.region.as_str().to_owned(),
    })
}

/// The delay before retrying after failed attempt `attempt`, in milliseconds, or `undefined` to give up: the
/// core's [`RetryPolicy`], the one the CLI uses. `jitter` is any random 32-bit unsigned integer.
#[wasm_bindgen(js_name = retryDelayMs)]
pub fn retry_delay_ms(
    attempt: u32,
    retryable: bool,
    retry_after_seconds: Option<f64>,
    jitter: u32,
    max_attempts: Option<u32>,
) -> Option<f64> {
    let policy = RetryPolicy {
        max_attempts: max_attempts.unwrap_or(RetryPolicy::default().max_attempts),
        ..RetryPolicy::default()
    };
    // Whole seconds, as the core reads `Retry-After`; no float-to-Duration conversion (it can panic).
    let retry_after = retry_after_seconds
        .filter(|s| s.is_finite() && *s >= 0.0)
        .map(|s| std::time::Duration::from_secs(s.ceil() as u64));
    match policy.decide(attempt, retryable, retry_after, jitter) {
        RetryDecision::RetryAfter(delay) => Some(delay.as_millis() as f64),
        RetryDecision::GiveUp => None,
    }
}
