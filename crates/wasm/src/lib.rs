//! `ssocreds` for JavaScript: a thin wasm-bindgen shell over [`sso_core`], published to npm as `ssocreds`.
//!
//! Like `ruff_wasm`, it has no logic of its own. Options objects are read key by key ([`fields`]; not
//! `serde_wasm_bindgen::from_value`, for size, see there), results go out as plain objects built key by key
//! ([`Out`]), and every failure becomes a JavaScript `Error` through [`Failure`] with the core's message and a
//! stable `code`. The one thing the core cannot do, reading the clock, happens here: `now` defaults to
//! `Date.now()`.
//!
//! Sending the request is the JavaScript side's job (`js/client.js` in this crate: `fetch` and retries).
//! Timestamps cross the boundary as RFC 3339 strings in UTC with a `Z` and whole seconds; an input timestamp may
//! also be epoch milliseconds or a `Date`.

mod failure;
mod fields;

use chrono::{DateTime, TimeDelta, Utc};
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

/// A result on its way out: a plain object whose keys are set in the order given, as `JSON.stringify` shows them.
///
/// Built key by key rather than through serde: serde-wasm-bindgen's serializer (with its key cache, a hash map)
/// took about 8 KB of the module for a handful of flat objects.
struct Out(js_sys::Object);

impl Out {
    fn new() -> Self {
        Self(js_sys::Object::new())
    }

    fn set(self, key: &str, value: JsValue) -> Self {
        // Setting a property on a fresh plain object cannot fail.
        let _ = js_sys::Reflect::set(&self.0, &JsValue::from_str(key), &value);
        self
    }

    fn text(self, key: &str, value: &str) -> Self {
        self.set(key, JsValue::from_str(value))
    }

    /// A string, or `null` when absent.
    fn optional(self, key: &str, value: Option<&str>) -> Self {
        self.set(key, value.map_or(JsValue::NULL, JsValue::from_str))
    }

    fn done(self) -> JsValue {
        self.0.into()
    }
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

/// Parses a token cache file: its start URL, region and expiry, never the token itself (nor any other secret).
#[wasm_bindgen(js_name = parseCache)]
pub fn parse_cache(cache: JsValue) -> JsResult<JsValue> {
    let token = parse_cached_token(&cache_bytes(&cache, "parseCache")?)?;
    Ok(Out::new()
        .optional("startUrl", token.start_url.as_deref())
        .optional("region", token.region.as_deref())
        .text("expiresAt", &format_timestamp(token.expires_at))
        .set("hasRefreshToken", JsValue::from_bool(token.refresh_token.is_some()))
        .optional(
            "registrationExpiresAt",
            token.registration_expires_at.map(format_timestamp).as_deref(),
        )
        .optional(
            "legacyCacheFileName",
            token.start_url.as_deref().map(cache_file_name).as_deref(),
        )
        .done())
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
    // `try_seconds`: `seconds` would bring a panic path (and its message) for a value checked above anyway.
    let min_validity = TimeDelta::try_seconds(min_validity).unwrap_or_default();
    let (expiring_soon, code, message) = match token.check(now, min_validity) {
        Ok(TokenStatus::Valid { .. }) => (false, None, None),
        Ok(status @ TokenStatus::ExpiringSoon { .. }) => {
            warnings.extend(status.warning(sso_core::SIGN_IN_ADVICE));
            (true, None, None)
        }
        Err(expired) => (false, Some(expired.code()), Some(expired.to_string())),
    };
    Ok(Out::new()
        .set("expired", JsValue::from_bool(code.is_some()))
        .set("expiringSoon", JsValue::from_bool(expiring_soon))
        .text("expiresAt", &format_timestamp(token.expires_at))
        // Exact: chrono's range keeps any difference of two instants within 2^53 seconds.
        .set("expiresInSeconds", JsValue::from_f64(remaining.num_seconds() as f64))
        .text("timeLeft", &format_duration(remaining))
        .optional("startUrl", token.start_url.as_deref())
        .optional("region", region.as_deref())
        .optional("tokenRegion", token.region.as_deref())
        .set(
            "warnings",
            warnings
                .iter()
                .map(|w| JsValue::from_str(w))
                .collect::<js_sys::Array>()
                .into(),
        )
        .optional("code", code)
        .optional("message", message.as_deref())
        .done())
}

/// A request built from validated options, and what the answer's errors should name.
struct Prepared {
    /// `{ method, url, headers }`, the headers as a plain object (`{ name: value }`) in the core's order.
    request: JsValue,
    /// What the call is about, so that the answer's errors can name it (the `context` of
    /// `parseGetRoleCredentialsResponse`): `{ accountId, roleName, region, tokenRegion }`.
    context: JsValue,
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
    let headers = request
        .headers
        .iter()
        .fold(Out::new(), |headers, (name, value)| headers.text(name, value));
    Ok(Prepared {
        request: Out::new()
            .text("method", request.method.as_str())
            .text("url", &request.url)
            .set("headers", headers.done())
            .done(),
        context: Out::new()
            .text("accountId", account_id.as_str())
            .text("roleName", role_name.as_str())
            .text("region", choice.region.as_str())
            .optional("tokenRegion", choice.token_region.as_deref())
            .done(),
        token,
    })
}

/// Builds the `GetRoleCredentials` request: `{ method, url, headers }`, the token in the
/// `x-amz-sso_bearer_token` header. Does not look at the clock.
#[wasm_bindgen(js_name = buildGetRoleCredentialsRequest)]
pub fn build_get_role_credentials_request(options: JsValue) -> JsResult<JsValue> {
    const FUNCTION: &str = "buildGetRoleCredentialsRequest";
    let options = Fields::required(options, FUNCTION, "options", REQUEST_KEYS)?;
    Ok(prepare(&options, FUNCTION)?.request)
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
    Ok(Out::new()
        .set("request", prepared.request)
        .set("context", prepared.context)
        .done())
}

/// What credentials look like on the JavaScript side.
fn credentials_out(credentials: &RoleCredentials) -> JsValue {
    Out::new()
        .text("accessKeyId", &credentials.access_key_id)
        .text("secretAccessKey", credentials.secret_access_key.expose())
        .text("sessionToken", credentials.session_token.expose())
        .text("expiration", &format_timestamp(credentials.expiration))
        .optional("accountId", credentials.account_id.as_ref().map(AccountId::as_str))
        .done()
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
    Ok(credentials_out(&credentials))
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
pub fn export_formats() -> js_sys::Array {
    // A `js_sys::Array` of strings rather than `Vec<String>`, whose conversion glue is 1 KB of the module.
    ExportFormat::ALL.iter().map(|f| JsValue::from_str(f.name())).collect()
}

/// The cache file name `aws sso login` uses for a session name (sso-session profiles) or a start URL (legacy).
#[wasm_bindgen(js_name = cacheFileName)]
pub fn cache_file_name_js(session_name_or_start_url: JsValue) -> JsResult<String> {
    let text = string_argument(&session_name_or_start_url, "cacheFileName", "sessionNameOrStartUrl")?;
    Ok(cache_file_name(&text))
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
    Ok(Out::new()
        .text("awsCli", &aws_cli_command(&spec))
        .text("ssocreds", &ssocreds_export_command(&spec))
        .text("curl", &curl_command(&spec))
        .text("region", choice.region.as_str())
        .done())
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

/// The allocator: talc, maintained, checked with Miri, and built for single-threaded WebAssembly, instead of the
/// standard library's dlmalloc (7 KB of the module against talc's 1.3 KB). Not lol_alloc or wee_alloc: the first is
/// little used, the second unmaintained and known to leak.
#[cfg(all(target_family = "wasm", target_os = "unknown", not(target_feature = "atomics")))]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();
