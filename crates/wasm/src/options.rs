//! What comes in: the options objects of the JavaScript API, read by [`crate::boundary::options`], with their
//! TypeScript declarations generated beside them (tsify).
//!
//! Fields JavaScript may leave out are `Option`s, including the ones a call needs: for a JavaScript caller
//! `undefined` and `null` both mean "not given", and the call says which one is missing
//! ([`crate::boundary::required`]). Times and file contents stay JavaScript values ([`JsInput`]): they may be a
//! `Date` or bytes, read by [`crate::boundary`].

use serde::{Deserialize, Serialize};
use tsify::Tsify;
use wasm_bindgen::JsValue;

/// A value passed on as it is (`serde_wasm_bindgen::preserve`), for [`crate::boundary`] to read: a time or a file's
/// contents. In an `Option`, so that a missing one is `None` (as `undefined` and `null` are) without a serde
/// `default`, which would also make the field optional in the TypeScript declarations.
#[derive(Deserialize)]
pub struct JsInput(#[serde(with = "serde_wasm_bindgen::preserve")] pub JsValue);

impl JsInput {
    /// The value, `undefined` when missing.
    pub fn or_undefined(value: Option<Self>) -> JsValue {
        value.map_or(JsValue::UNDEFINED, |v| v.0)
    }
}

/// Options of `checkToken`.
#[derive(Deserialize, Tsify)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct CheckTokenOptions {
    /// The time to compare with; default: now.
    #[tsify(optional, type = "TimeInput")]
    pub now: Option<JsInput>,
    /// The region calls will go to (sso_region); default: the token's own.
    #[tsify(optional)]
    pub region: Option<String>,
    /// Warn (`expiringSoon`) when less than this is left; default 900 (15 minutes, as the CLI).
    #[tsify(optional)]
    pub min_validity_seconds: Option<f64>,
}

/// What a request for role credentials needs: the options of `buildGetRoleCredentialsRequest`.
#[derive(Deserialize, Tsify)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RequestOptions {
    /// The token cache file's contents.
    #[tsify(type = "CacheInput")]
    pub cache: Option<JsInput>,
    /// The account id: 1 to 12 digits (AWS issues 12).
    #[tsify(type = "string")]
    pub account_id: Option<String>,
    /// The role (permission set) name, case-sensitive.
    #[tsify(type = "string")]
    pub role_name: Option<String>,
    /// The IAM Identity Center region (sso_region); default: the token's.
    #[tsify(optional)]
    pub region: Option<String>,
    /// Send to this base URL instead of the regional portal: https://, or http:// only to this machine.
    #[tsify(optional)]
    pub endpoint: Option<String>,
}

/// The options of the package's own `getRoleCredentials` that reach the core (js/client.js keeps the transport
/// ones, and declares the whole as `GetRoleCredentialsOptions`).
#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct PrepareOptions {
    pub cache: Option<JsInput>,
    pub account_id: Option<String>,
    pub role_name: Option<String>,
    pub region: Option<String>,
    pub endpoint: Option<String>,
    /// Refuse a token that has expired at this time (default: now) without sending anything.
    pub now: Option<JsInput>,
}

impl PrepareOptions {
    /// The request part, and `now`.
    pub fn split(self) -> (RequestOptions, Option<JsInput>) {
        let request = RequestOptions {
            cache: self.cache,
            account_id: self.account_id,
            role_name: self.role_name,
            region: self.region,
            endpoint: self.endpoint,
        };
        (request, self.now)
    }
}

/// Options of `buildCommands`: those of a request, and what the commands need besides.
#[derive(Deserialize, Tsify)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct CommandsOptions {
    /// The token cache file's contents.
    #[tsify(type = "CacheInput")]
    pub cache: Option<JsInput>,
    /// The account id: 1 to 12 digits (AWS issues 12).
    #[tsify(type = "string")]
    pub account_id: Option<String>,
    /// The role (permission set) name, case-sensitive.
    #[tsify(type = "string")]
    pub role_name: Option<String>,
    /// The IAM Identity Center region (sso_region); default: the token's.
    #[tsify(optional)]
    pub region: Option<String>,
    /// Send to this base URL instead of the regional portal: https://, or http:// only to this machine.
    #[tsify(optional)]
    pub endpoint: Option<String>,
    /// Where the user's shell finds the token cache file, such as "~/.aws/sso/cache/<sha1>.json".
    #[tsify(type = "string")]
    pub cache_path: Option<String>,
    /// The format for `ssocreds export`; default "env".
    #[tsify(optional, type = "ExportFormat")]
    pub format: Option<String>,
    /// For `ssocreds export`: also export AWS_REGION and AWS_DEFAULT_REGION as this region.
    #[tsify(optional)]
    pub export_region: Option<String>,
}

/// What was asked for, so that an error can name the account, role and regions. All optional.
///
/// Also what `getRoleCredentials` passes from the request to the answer, so it goes out too.
#[derive(Deserialize, Serialize, Tsify)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct CallContext {
    #[tsify(optional)]
    pub account_id: Option<String>,
    #[tsify(optional)]
    pub role_name: Option<String>,
    /// The region called.
    #[tsify(optional)]
    pub region: Option<String>,
    /// The region the token was issued in.
    #[tsify(optional)]
    pub token_region: Option<String>,
}

/// The portal's answer as the JavaScript side passes it on: js/client.js turns any headers into `[name, value]`
/// pairs first, and declares what users may pass (`HttpResponseInput`).
#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ResponseParts {
    pub status: Option<f64>,
    pub headers: Option<Vec<(String, String)>>,
    /// Text or bytes.
    pub body: Option<JsInput>,
}

/// Credentials to format: `RoleCredentials`, with `expiration` in any `TimeInput` form.
#[derive(Deserialize, Tsify)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct CredentialsInput {
    #[tsify(type = "string")]
    pub access_key_id: Option<String>,
    #[tsify(type = "string")]
    pub secret_access_key: Option<String>,
    #[tsify(type = "string")]
    pub session_token: Option<String>,
    #[tsify(type = "TimeInput")]
    pub expiration: Option<JsInput>,
    #[tsify(optional, type = "string | null")]
    pub account_id: Option<String>,
}

/// Options of `formatExports`.
#[derive(Deserialize, Tsify)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct FormatOptions {
    /// Also set AWS_REGION and AWS_DEFAULT_REGION (the CLI's `--export-region`).
    #[tsify(optional)]
    pub region: Option<String>,
}
