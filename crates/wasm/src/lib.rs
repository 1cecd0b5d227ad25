//! `ssocreds` for JavaScript: a thin wasm-bindgen shell over [`sso_core`], published to npm as `ssocreds`.
//!
//! Like `ruff_wasm`, it has no logic of its own. Options come in through `serde_wasm_bindgen` into the
//! `#[serde(deny_unknown_fields)]` structs of [`options`] ([`boundary::options`]), results go out from the structs
//! of [`results`] through one serializer ([`boundary::output`]), and every failure becomes a JavaScript `Error`
//! through [`Failure`] with the core's message and a stable `code`. The TypeScript declarations of those structs
//! are generated beside them (tsify) and of the functions from their signatures (wasm-bindgen): build.sh ships them
//! as the package's `ssocreds.d.ts`. The one thing the core cannot do, reading the clock, happens here: `now`
//! defaults to `Date.now()`.
//!
//! Sending the request is the JavaScript side's job (`js/client.js` in this crate: `fetch` and retries; its own
//! declarations are `js/client.d.ts`). Timestamps cross the boundary as RFC 3339 strings in UTC with a `Z` and
//! whole seconds; an input timestamp may also be epoch milliseconds or a `Date`.

mod boundary;
mod failure;
pub mod options;
pub mod results;

use chrono::TimeDelta;
use sso_core::{
    AccountId, CommandSpec, Endpoint, EndpointOptions, ExportFormat, ExportOptions, GetRoleCredentialsInput,
    HttpResponse, Region, RetryDecision, RetryPolicy, RoleName, SecretString, TokenStatus, aws_cli_command,
    cache_file_name, curl_command, format_duration, format_exports, format_timestamp, parse_cached_token,
    parse_get_role_credentials_response, prepare_get_role_credentials_from_input, resolve_region,
    ssocreds_export_command,
};
use wasm_bindgen::prelude::*;

use boundary::{bytes, cache_bytes, instant, output, required, string_argument};
pub use failure::Failure;
use options::{
    CallContext, CheckTokenOptions, CommandsOptions, CredentialsInput, FormatOptions, JsInput, PrepareOptions,
    RequestOptions, ResponseParts,
};
use results::{CacheInfo, Commands, HttpRequest, Prepared, RoleCredentials, TokenCheck};

/// What every exported function returns.
pub type JsResult<T> = Result<T, Failure>;

/// The version of the package (the workspace version); the package exports it as the constant `version`.
#[wasm_bindgen(skip_typescript)]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_owned()
}

fn optional_region(value: Option<&str>) -> JsResult<Option<Region>> {
    Ok(value.map(Region::new).transpose()?)
}

/// Reads a token cache file: start URL, region, expiry. Throws `CACHE_*` errors for anything unusable.
#[wasm_bindgen(js_name = parseCache, unchecked_return_type = "CacheInfo")]
pub fn parse_cache(#[wasm_bindgen(unchecked_param_type = "CacheInput")] cache: JsValue) -> JsResult<JsValue> {
    let token = parse_cached_token(&cache_bytes(&cache, "parseCache", "cache")?)?;
    Ok(output(&CacheInfo::from(&token)))
}

/// Compares the token's expiry with `now`.
// An expired token is a status (`expired: true` with the core's message and code), not an exception; an
// unreadable file or a bad option throws.
#[wasm_bindgen(js_name = checkToken, unchecked_return_type = "TokenCheck")]
pub fn check_token(
    #[wasm_bindgen(unchecked_param_type = "CacheInput")] cache: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "CheckTokenOptions")] options: JsValue,
) -> JsResult<JsValue> {
    const FUNCTION: &str = "checkToken";
    let options: CheckTokenOptions = boundary::options(options, FUNCTION, "options", false)?;
    let requested = optional_region(options.region.as_deref())?;
    let now = instant(&JsInput::or_undefined(options.now), FUNCTION, "options.now")?;
    let min_validity = match options.min_validity_seconds {
        None => 15 * 60,
        Some(seconds) if (0.0..=1e9).contains(&seconds) => seconds as i64,
        Some(_) => {
            return Err(Failure::invalid_argument(
                FUNCTION,
                "options.minValiditySeconds",
                "expected a number of seconds from 0 to 1e9",
            ));
        }
    };
    let token = parse_cached_token(&cache_bytes(&cache, FUNCTION, "cache")?)?;

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
    Ok(output(&TokenCheck {
        expired: code.is_some(),
        expiring_soon,
        expires_at: format_timestamp(token.expires_at),
        // Exact: chrono's range keeps any difference of two instants within 2^53 seconds.
        expires_in_seconds: remaining.num_seconds() as f64,
        time_left: format_duration(remaining),
        start_url: token.start_url,
        region,
        token_region: token.region,
        warnings,
        code,
        message,
    }))
}

/// A request built from validated options, and what the answer's errors should name.
struct Prepare {
    request: HttpRequest,
    context: CallContext,
    token: sso_core::CachedToken,
}

fn prepare(options: RequestOptions, function: &str) -> JsResult<Prepare> {
    let account_id = required(options.account_id, function, "options.accountId")?;
    let role_name = required(options.role_name, function, "options.roleName")?;
    let cache = cache_bytes(&JsInput::or_undefined(options.cache), function, "cache")?;
    // The core's one preparation step, as the CLI's: ids, region and endpoint are checked before the file is read.
    let (token, prepared) = prepare_get_role_credentials_from_input(&GetRoleCredentialsInput {
        cache: &cache,
        account_id: &account_id,
        role_name: &role_name,
        region: options.region.as_deref(),
        endpoint: options.endpoint.as_deref(),
        endpoint_options: EndpointOptions::default(),
    })?;
    let context = prepared.context;
    Ok(Prepare {
        request: prepared.request.into(),
        context: CallContext {
            account_id: context.account_id.map(|id| id.as_str().to_owned()),
            role_name: context.role_name.map(|role| role.as_str().to_owned()),
            region: context.region.map(|region| region.as_str().to_owned()),
            token_region: context.token_region,
        },
        token,
    })
}

/// Builds the GetRoleCredentials request, for callers that send it themselves. Does not look at the clock.
#[wasm_bindgen(js_name = buildGetRoleCredentialsRequest, unchecked_return_type = "HttpRequest")]
pub fn build_get_role_credentials_request(
    #[wasm_bindgen(unchecked_param_type = "RequestOptions")] options: JsValue,
) -> JsResult<JsValue> {
    const FUNCTION: &str = "buildGetRoleCredentialsRequest";
    let options = boundary::options(options, FUNCTION, "options", true)?;
    Ok(output(&prepare(options, FUNCTION)?.request))
}

/// For the package's own `getRoleCredentials`: refuses an expired token (`TOKEN_EXPIRED`), then returns
/// `{ request, context }`, the context to pass to `parseGetRoleCredentialsResponse`.
#[wasm_bindgen(js_name = prepareGetRoleCredentials, skip_typescript)]
pub fn prepare_get_role_credentials(options: JsValue) -> JsResult<JsValue> {
    const FUNCTION: &str = "getRoleCredentials";
    let (options, now) = boundary::options::<PrepareOptions>(options, FUNCTION, "options", true)?.split();
    let prepared = prepare(options, FUNCTION)?;
    let now = instant(&JsInput::or_undefined(now), FUNCTION, "options.now")?;
    prepared.token.check(now, TimeDelta::zero())?;
    Ok(output(&Prepared {
        request: prepared.request,
        context: prepared.context,
    }))
}

/// Parses the portal's answer (`{ status, headers, body }`, `headers` as `[name, value]` pairs, `body` as text or
/// bytes) into credentials, or throws the portal error naming what `context` says was asked for. js/client.js
/// wraps it (any kind of headers) and declares it.
#[wasm_bindgen(js_name = parseGetRoleCredentialsResponse, skip_typescript)]
pub fn parse_get_role_credentials_response_js(response: JsValue, context: JsValue) -> JsResult<JsValue> {
    const FUNCTION: &str = "parseGetRoleCredentialsResponse";
    let response: ResponseParts = boundary::options(response, FUNCTION, "response", true)?;
    let context: CallContext = boundary::options(context, FUNCTION, "context", false)?;
    let status = match response.status {
        Some(status) if (100.0..=599.0).contains(&status) && status.fract() == 0.0 => status as u16,
        _ => {
            return Err(Failure::invalid_argument(
                FUNCTION,
                "response.status",
                "expected an HTTP status code from 100 to 599",
            ));
        }
    };
    let body = match response.body {
        None => Vec::new(),
        Some(body) => bytes(&body.0).ok_or_else(|| {
            Failure::invalid_argument(
                FUNCTION,
                "response.body",
                "expected a string, a Uint8Array or an ArrayBuffer",
            )
        })?,
    };
    let context = sso_core::CallContext {
        operation: "GetRoleCredentials",
        account_id: context.account_id.as_deref().map(AccountId::new).transpose()?,
        role_name: context.role_name.as_deref().map(RoleName::new).transpose()?,
        region: optional_region(context.region.as_deref())?,
        token_region: context.token_region,
    };
    let http = HttpResponse {
        status,
        headers: response.headers.unwrap_or_default(),
        body,
    };
    let credentials = parse_get_role_credentials_response(&http, &context)?;
    Ok(output(&RoleCredentials::from(&credentials)))
}

/// Formats credentials exactly as `ssocreds export --format <format>` prints them (lines end with "\n").
#[wasm_bindgen(js_name = formatExports)]
pub fn format_exports_js(
    #[wasm_bindgen(unchecked_param_type = "CredentialsInput")] credentials: JsValue,
    #[wasm_bindgen(unchecked_param_type = "ExportFormat")] format: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "FormatOptions")] options: JsValue,
) -> JsResult<String> {
    const FUNCTION: &str = "formatExports";
    let input: CredentialsInput = boundary::options(credentials, FUNCTION, "credentials", true)?;
    let format = ExportFormat::from_name(&string_argument(&format, FUNCTION, "format")?)?;
    let options: FormatOptions = boundary::options(options, FUNCTION, "options", false)?;
    let expiration = required(input.expiration, FUNCTION, "credentials.expiration")?;
    let credentials = sso_core::RoleCredentials {
        access_key_id: required(input.access_key_id, FUNCTION, "credentials.accessKeyId")?,
        secret_access_key: SecretString::new(required(
            input.secret_access_key,
            FUNCTION,
            "credentials.secretAccessKey",
        )?),
        session_token: SecretString::new(required(input.session_token, FUNCTION, "credentials.sessionToken")?),
        expiration: instant(&expiration.0, FUNCTION, "credentials.expiration")?,
        account_id: input.account_id.as_deref().map(AccountId::new).transpose()?,
    };
    let export_options = ExportOptions {
        region: optional_region(options.region.as_deref())?,
    };
    Ok(format_exports(&credentials, format, &export_options)?)
}

#[wasm_bindgen(typescript_custom_section)]
const EXPORT_FORMAT: &str = r#"
/** The export formats, as the CLI's `--format` names them (`exportFormats()` lists them; a test checks both agree). */
export type ExportFormat =
  | 'env'
  | 'env-no-export'
  | 'dotenv'
  | 'fish'
  | 'powershell'
  | 'windows-cmd'
  | 'process'
  | 'json';
"#;

/// Every format `formatExports` accepts, in the CLI's order.
#[wasm_bindgen(js_name = exportFormats, unchecked_return_type = "ExportFormat[]")]
pub fn export_formats() -> js_sys::Array {
    // A `js_sys::Array` of strings rather than `Vec<String>`, whose conversion glue is 1 KB of the module.
    ExportFormat::ALL.iter().map(|f| JsValue::from_str(f.name())).collect()
}

/// The cache file name `aws sso login` uses for a session name or a legacy profile's start URL.
#[wasm_bindgen(js_name = cacheFileName)]
pub fn cache_file_name_js(
    #[wasm_bindgen(js_name = sessionNameOrStartUrl, unchecked_param_type = "string")]
    session_name_or_start_url: JsValue,
) -> JsResult<String> {
    let text = string_argument(&session_name_or_start_url, "cacheFileName", "sessionNameOrStartUrl")?;
    Ok(cache_file_name(&text))
}

/// The commands that fetch these credentials with the AWS CLI, ssocreds or curl, each reading the token from
/// `cachePath` when it runs rather than holding it.
#[wasm_bindgen(js_name = buildCommands, unchecked_return_type = "Commands")]
pub fn build_commands(#[wasm_bindgen(unchecked_param_type = "CommandsOptions")] options: JsValue) -> JsResult<JsValue> {
    const FUNCTION: &str = "buildCommands";
    let options: CommandsOptions = boundary::options(options, FUNCTION, "options", true)?;
    let account_id = AccountId::new(&required(options.account_id, FUNCTION, "options.accountId")?)?;
    let role_name = RoleName::new(&required(options.role_name, FUNCTION, "options.roleName")?)?;
    let requested = optional_region(options.region.as_deref())?;
    let export_region = optional_region(options.export_region.as_deref())?;
    let endpoint = options.endpoint.as_deref().map(Endpoint::custom).transpose()?;
    let format = ExportFormat::from_name(options.format.as_deref().unwrap_or("env"))?;
    let cache_path = required(options.cache_path, FUNCTION, "options.cachePath")?;
    let token = parse_cached_token(&cache_bytes(&JsInput::or_undefined(options.cache), FUNCTION, "cache")?)?;
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
    Ok(output(&Commands {
        aws_cli: aws_cli_command(&spec),
        ssocreds: ssocreds_export_command(&spec),
        curl: curl_command(&spec),
        region: choice.region.as_str().to_owned(),
    }))
}

/// The delay before retrying after failed attempt `attempt`, in milliseconds, or `undefined` to give up: the
/// core's [`RetryPolicy`], the one the CLI uses. `jitter` is any random 32-bit unsigned integer.
#[wasm_bindgen(js_name = retryDelayMs, skip_typescript)]
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
