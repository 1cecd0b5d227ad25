//! The IAM Identity Center portal API (service `sso`): requests as data, responses parsed from bytes.

use crate::quote::Quoted;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::document;
use crate::endpoint::Endpoint;
use crate::http::{HttpRequest, HttpResponse, Method, percent_encode};
use crate::ids::{AccountId, Region, RoleName};
use crate::secret::SecretString;
use crate::time::format_timestamp;

/// The header that carries the access token: underscore, lower case.
pub(crate) const BEARER_HEADER: &str = "x-amz-sso_bearer_token";

fn portal_request(method: Method, endpoint: &Endpoint, path_and_query: String, token: &SecretString) -> HttpRequest {
    HttpRequest {
        method,
        url: format!("{}{path_and_query}", endpoint.as_str()),
        headers: vec![
            (BEARER_HEADER.to_owned(), token.expose().to_owned()),
            ("user-agent".to_owned(), crate::USER_AGENT.to_owned()),
            ("accept".to_owned(), "application/json".to_owned()),
        ],
        body: None,
        body_is_secret: false,
    }
}

/// `GetRoleCredentials`: `GET /federation/credentials?role_name=R&account_id=A` with the token in a header, never
/// in the URL.
pub fn get_role_credentials_request(
    endpoint: &Endpoint,
    token: &SecretString,
    account_id: &AccountId,
    role_name: &RoleName,
) -> HttpRequest {
    let query = format!(
        "/federation/credentials?role_name={}&account_id={}",
        percent_encode(role_name.as_str()),
        percent_encode(account_id.as_str())
    );
    portal_request(Method::Get, endpoint, query, token)
}

/// `ListAccounts`: `GET /assignment/accounts?next_token=T&max_result=N`. `max_results` is clamped to 1–100.
pub fn list_accounts_request(
    endpoint: &Endpoint,
    token: &SecretString,
    next_token: Option<&str>,
    max_results: Option<u8>,
) -> HttpRequest {
    let mut query = String::from("/assignment/accounts");
    let mut sep = '?';
    if let Some(next) = next_token {
        query.push_str(&format!("{sep}next_token={}", percent_encode(next)));
        sep = '&';
    }
    if let Some(max) = max_results {
        query.push_str(&format!("{sep}max_result={}", max.clamp(1, 100)));
    }
    portal_request(Method::Get, endpoint, query, token)
}

/// `ListAccountRoles`: `GET /assignment/roles?account_id=A&next_token=T&max_result=N`.
pub fn list_account_roles_request(
    endpoint: &Endpoint,
    token: &SecretString,
    account_id: &AccountId,
    next_token: Option<&str>,
    max_results: Option<u8>,
) -> HttpRequest {
    let mut query = format!("/assignment/roles?account_id={}", percent_encode(account_id.as_str()));
    if let Some(next) = next_token {
        query.push_str(&format!("&next_token={}", percent_encode(next)));
    }
    if let Some(max) = max_results {
        query.push_str(&format!("&max_result={}", max.clamp(1, 100)));
    }
    portal_request(Method::Get, endpoint, query, token)
}

/// `Logout`: `POST /logout`, no body.
pub fn logout_request(endpoint: &Endpoint, token: &SecretString) -> HttpRequest {
    portal_request(Method::Post, endpoint, "/logout".to_owned(), token)
}

/// What a call was about, so that an error can name the account, role and regions involved.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CallContext {
    /// The operation, such as `GetRoleCredentials`.
    pub operation: &'static str,
    /// The account asked for.
    pub account_id: Option<AccountId>,
    /// The role asked for.
    pub role_name: Option<RoleName>,
    /// The region called.
    pub region: Option<Region>,
    /// The region the token was issued in, as its cache file says.
    pub token_region: Option<String>,
}

/// Temporary credentials for a role.
///
/// `Debug` redacts the secret key and session token; both are wiped on drop.
#[derive(Clone, PartialEq, Eq)]
pub struct RoleCredentials {
    /// `AWS_ACCESS_KEY_ID`
    pub access_key_id: String,
    /// `AWS_SECRET_ACCESS_KEY`
    pub secret_access_key: SecretString,
    /// `AWS_SESSION_TOKEN`
    pub session_token: SecretString,
    /// When the credentials expire.
    pub expiration: DateTime<Utc>,
    /// The account they are for, when known.
    pub account_id: Option<AccountId>,
}

impl std::fmt::Debug for RoleCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RoleCredentials")
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &self.secret_access_key)
            .field("session_token", &self.session_token)
            .field("expiration", &format_timestamp(self.expiration))
            .field("account_id", &self.account_id)
            .finish()
    }
}

/// An account the token can reach (`ListAccounts`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AccountInfo {
    /// The 12-digit id.
    #[serde(deserialize_with = "document::non_empty")]
    pub account_id: String,
    /// The account's name (empty when the answer has none).
    #[serde(default, deserialize_with = "document::string_or_empty")]
    pub account_name: String,
    /// The account's root e-mail address (empty when the answer has none).
    #[serde(default, deserialize_with = "document::string_or_empty")]
    pub email_address: String,
}

/// A role the token can assume in an account (`ListAccountRoles`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RoleInfo {
    /// The role name.
    #[serde(deserialize_with = "document::non_empty")]
    pub role_name: String,
    /// The account id.
    #[serde(deserialize_with = "document::non_empty")]
    pub account_id: String,
}

/// One page of a list call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<T> {
    /// The items on this page.
    pub items: Vec<T>,
    /// The token for the next page; `None` on the last page.
    pub next_token: Option<String>,
}

/// The kind of a portal failure; each maps to one piece of advice and one exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PortalErrorKind {
    /// 401 `UnauthorizedException`: sign in again, or the wrong region.
    Unauthorized,
    /// 403 `ForbiddenException` "No access": wrong account or role, or an assignment not yet propagated.
    Forbidden,
    /// 404 `ResourceNotFoundException`.
    NotFound,
    /// 400 `InvalidRequestException`.
    InvalidRequest,
    /// 429 `TooManyRequestsException`.
    TooManyRequests,
    /// A 5xx answer.
    Server,
    /// An answer that is not what the API defines (wrong status, unreadable body).
    UnexpectedResponse,
}

/// A failed portal call, with what the server said and what the user should do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortalError {
    /// The kind.
    pub kind: PortalErrorKind,
    /// The HTTP status.
    pub status: u16,
    /// The error type as the SDKs find it (`UnauthorizedException`), if any.
    pub error_type: Option<String>,
    /// The server's message (shortened, control characters removed), or a description of an unreadable answer.
    pub message: Option<String>,
    /// The `Retry-After` delay, when the server gave one in seconds.
    pub retry_after: Option<Duration>,
    /// What was asked for (boxed to keep `Result`s small).
    pub context: Box<CallContext>,
}

impl PortalError {
    /// A stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self.kind {
            PortalErrorKind::Unauthorized => "PORTAL_UNAUTHORIZED",
            PortalErrorKind::Forbidden => "PORTAL_FORBIDDEN",
            PortalErrorKind::NotFound => "PORTAL_NOT_FOUND",
            PortalErrorKind::InvalidRequest => "PORTAL_INVALID_REQUEST",
            PortalErrorKind::TooManyRequests => "PORTAL_THROTTLED",
            PortalErrorKind::Server => "PORTAL_SERVER_ERROR",
            PortalErrorKind::UnexpectedResponse => "PORTAL_UNEXPECTED_RESPONSE",
        }
    }

    /// Whether sending the same request again may succeed (throttling and server errors).
    pub fn is_retryable(&self) -> bool {
        matches!(self.kind, PortalErrorKind::TooManyRequests | PortalErrorKind::Server)
    }

    fn what_server_said(&self) -> String {
        let mut said = format!("HTTP {}", self.status);
        if let Some(t) = &self.error_type {
            said.push(' ');
            said.push_str(t);
        }
        if let Some(m) = &self.message {
            said.push_str(": ");
            said.push_str(m);
        }
        said
    }
}

impl std::fmt::Display for PortalError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let said = self.what_server_said();
        let ctx = &self.context;
        let account = ctx.account_id.as_ref().map(AccountId::as_str).unwrap_or("?");
        match self.kind {
            PortalErrorKind::Unauthorized => {
                write!(f, "the portal rejected the SSO token ({said}). ")?;
                let mismatch = match (&ctx.region, ctx.token_region.as_deref()) {
                    (Some(region), Some(token_region)) if region.as_str() != token_region => {
                        Some((region, token_region))
                    }
                    _ => None,
                };
                if let Some((region, token_region)) = mismatch {
                    write!(
                        f,
                        "The token was issued in {token_region} but the call went to {region}: a token is only valid \
                         in its own region, so use --region {token_region}. If that is not it, the"
                    )?;
                } else {
                    write!(f, "The")?;
                }
                write!(
                    f,
                    " session has ended or was revoked on the server, whatever the cache file's expiresAt says; \
                     sign in again with `ssocreds login` or `aws sso login`"
                )?;
                if let (Some(region), None) = (&ctx.region, &mismatch) {
                    write!(f, " (region called: {region})")?;
                }
                Ok(())
            }
            PortalErrorKind::Forbidden => {
                let role = ctx.role_name.as_ref().map(RoleName::as_str).unwrap_or("?");
                write!(
                    f,
                    "no access to role {} in account {account} ({said}). Check the account id and the role name \
                     (role names are case-sensitive); `ssocreds roles --account-id {account}` lists the roles you \
                     can use there. A new assignment can take a few minutes to reach the portal",
                    Quoted(role)
                )
            }
            PortalErrorKind::NotFound => write!(
                f,
                "the portal found no such resource ({said}); check the account id {account} and the role name"
            ),
            PortalErrorKind::InvalidRequest => {
                write!(f, "the portal rejected the request as invalid ({said})")
            }
            PortalErrorKind::TooManyRequests => write!(
                f,
                "the portal is throttling requests ({said}); wait a little and try again"
            ),
            PortalErrorKind::Server => write!(f, "the portal failed ({said}); try again later"),
            PortalErrorKind::UnexpectedResponse => {
                write!(
                    f,
                    "the portal's answer to {} could not be understood ({said})",
                    ctx.operation
                )
            }
        }
    }
}

impl std::error::Error for PortalError {}

/// Reads the error type and message the way the AWS SDKs do: header `x-amzn-ErrorType`, then body `code`, then
/// body `__type`; cut at the first `:` and keep what follows `#`. Message from `message`, `Message` or
/// `errorMessage`.
pub(crate) fn error_type_and_message(response: &HttpResponse) -> (Option<String>, Option<String>) {
    let body: Option<Value> = serde_json::from_slice(&response.body).ok();
    let field = |name: &str| {
        body.as_ref()
            .and_then(|b| b.get(name))
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    let raw_type = response
        .header("x-amzn-errortype")
        .map(str::to_owned)
        .or_else(|| field("code"))
        .or_else(|| field("__type"));
    let error_type = raw_type.as_deref().and_then(error_type_name);
    let message = ["message", "Message", "errorMessage"]
        .iter()
        .find_map(|name| field(name))
        .map(|m| sanitize(&m));
    (error_type, message)
}

/// The error type as the SDKs name it: cut at the first `:` and keep what follows `#`
/// (`com.amazonaws.switchboard.portal#UnauthorizedException` → `UnauthorizedException`); `None` when nothing is left.
pub(crate) fn error_type_name(raw: &str) -> Option<String> {
    let before_colon = raw.split(':').next().unwrap_or_default();
    let after_hash = before_colon.rsplit('#').next().unwrap_or_default().trim();
    (!after_hash.is_empty()).then(|| sanitize(after_hash))
}

/// Shortens a server-provided string and removes control characters, so that it cannot rewrite a terminal.
pub(crate) fn sanitize(text: &str) -> String {
    let mut out: String = text.chars().filter(|c| !c.is_control()).take(300).collect();
    if text.chars().count() > 300 {
        out.push('…');
    }
    out
}

fn retry_after(response: &HttpResponse) -> Option<Duration> {
    let value = response.header("retry-after")?.trim();
    value.parse::<u64>().ok().map(Duration::from_secs)
}

fn portal_error(response: &HttpResponse, context: &CallContext) -> PortalError {
    let (error_type, message) = error_type_and_message(response);
    let kind = match error_type.as_deref() {
        Some("UnauthorizedException") => PortalErrorKind::Unauthorized,
        Some("ForbiddenException" | "AccessDeniedException") => PortalErrorKind::Forbidden,
        Some("ResourceNotFoundException") => PortalErrorKind::NotFound,
        Some("InvalidRequestException") => PortalErrorKind::InvalidRequest,
        Some("TooManyRequestsException" | "ThrottlingException") => PortalErrorKind::TooManyRequests,
        _ => match response.status {
            401 => PortalErrorKind::Unauthorized,
            403 => PortalErrorKind::Forbidden,
            404 => PortalErrorKind::NotFound,
            400 => PortalErrorKind::InvalidRequest,
            429 => PortalErrorKind::TooManyRequests,
            500..=599 => PortalErrorKind::Server,
            _ => PortalErrorKind::UnexpectedResponse,
        },
    };
    PortalError {
        kind,
        status: response.status,
        error_type,
        message,
        retry_after: retry_after(response),
        context: Box::new(context.clone()),
    }
}

fn unexpected(response: &HttpResponse, context: &CallContext, what: String) -> PortalError {
    PortalError {
        kind: PortalErrorKind::UnexpectedResponse,
        status: response.status,
        error_type: None,
        message: Some(what),
        retry_after: None,
        context: Box::new(context.clone()),
    }
}

/// The typed body of a 2xx answer; any other status is the [`PortalError`] it stands for.
fn success_body<T: serde::de::DeserializeOwned>(
    response: &HttpResponse,
    context: &CallContext,
) -> Result<T, PortalError> {
    if !(200..300).contains(&response.status) {
        return Err(portal_error(response, context));
    }
    let value: Value = serde_json::from_slice(&response.body).map_err(|e| {
        unexpected(
            response,
            context,
            format!("the body is not valid JSON at line {}, column {}", e.line(), e.column()),
        )
    })?;
    document::from_value(value).map_err(|e| unexpected(response, context, e.describe()))
}

/// `GetRoleCredentials`' answer.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct GetRoleCredentialsAnswer {
    role_credentials: RoleCredentialsAnswer,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RoleCredentialsAnswer {
    #[serde(deserialize_with = "document::non_empty")]
    access_key_id: String,
    #[serde(deserialize_with = "document::non_empty")]
    secret_access_key: String,
    #[serde(deserialize_with = "document::non_empty")]
    session_token: String,
    /// Epoch milliseconds on the wire, as a number or a string of digits.
    #[serde(deserialize_with = "document::epoch_milliseconds")]
    expiration: DateTime<Utc>,
}

/// Parses a `GetRoleCredentials` answer: credentials on 2xx, else a [`PortalError`] that names what was asked for.
///
/// `expiration` is epoch milliseconds on the wire; a number, or a string of digits, is accepted.
pub fn parse_get_role_credentials_response(
    response: &HttpResponse,
    context: &CallContext,
) -> Result<RoleCredentials, PortalError> {
    let answer: GetRoleCredentialsAnswer = success_body(response, context)?;
    let credentials = answer.role_credentials;
    Ok(RoleCredentials {
        access_key_id: credentials.access_key_id,
        secret_access_key: SecretString::new(credentials.secret_access_key),
        session_token: SecretString::new(credentials.session_token),
        expiration: credentials.expiration,
        account_id: context.account_id.clone(),
    })
}

/// `ListAccounts`' answer.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ListAccountsAnswer {
    #[serde(default)]
    account_list: Option<Vec<AccountInfo>>,
    #[serde(default, deserialize_with = "document::string_or_empty")]
    next_token: String,
}

/// `ListAccountRoles`' answer.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ListAccountRolesAnswer {
    #[serde(default)]
    role_list: Option<Vec<RoleInfo>>,
    #[serde(default, deserialize_with = "document::string_or_empty")]
    next_token: String,
}

/// A page: no list (or `null`) is an empty one, an empty `nextToken` is the last page.
fn page<T>(items: Option<Vec<T>>, next_token: String) -> Page<T> {
    Page {
        items: items.unwrap_or_default(),
        next_token: (!next_token.is_empty()).then_some(next_token),
    }
}

/// Parses a `ListAccounts` page.
pub fn parse_list_accounts_response(
    response: &HttpResponse,
    context: &CallContext,
) -> Result<Page<AccountInfo>, PortalError> {
    let answer: ListAccountsAnswer = success_body(response, context)?;
    Ok(page(answer.account_list, answer.next_token))
}

/// Parses a `ListAccountRoles` page.
pub fn parse_list_account_roles_response(
    response: &HttpResponse,
    context: &CallContext,
) -> Result<Page<RoleInfo>, PortalError> {
    let answer: ListAccountRolesAnswer = success_body(response, context)?;
    Ok(page(answer.role_list, answer.next_token))
}

/// Parses a `Logout` answer (2xx, any body).
pub fn parse_logout_response(response: &HttpResponse, context: &CallContext) -> Result<(), PortalError> {
    if (200..300).contains(&response.status) {
        Ok(())
    } else {
        Err(portal_error(response, context))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    // On wasm32 the same tests run under wasm-bindgen-test (as quinn-proto does).
    use crate::endpoint::EndpointOptions;
    #[cfg(all(target_family = "wasm", target_os = "unknown"))]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    fn ctx() -> CallContext {
        CallContext {
            operation: "GetRoleCredentials",
            account_id: Some(AccountId::new("111122223333").unwrap()),
            role_name: Some(RoleName::new("Admin").unwrap()),
            region: Some(Region::new("us-east-1").unwrap()),
            token_region: Some("us-east-1".into()),
        }
    }

    fn response(status: u16, headers: &[(&str, &str)], body: &str) -> HttpResponse {
        HttpResponse {
            status,
            headers: headers.iter().map(|(n, v)| (n.to_string(), v.to_string())).collect(),
            body: body.as_bytes().to_vec(),
        }
    }

    #[test]
    fn request_carries_the_token_in_the_header_only() {
        let endpoint = Endpoint::portal(&Region::new("eu-west-1").unwrap(), EndpointOptions::default());
        let token = SecretString::new("tok/+=");
        let request = get_role_credentials_request(
            &endpoint,
            &token,
            &AccountId::new("111122223333").unwrap(),
            &RoleName::new("Dev+Ops=1,a@b").unwrap(),
        );
        assert_eq!(request.method, Method::Get);
        assert_eq!(
            request.url,
            "https://portal.sso.eu-west-1.amazonaws.com/federation/credentials?role_name=Dev%2BOps%3D1%2Ca%40b&account_id=111122223333"
        );
        assert!(
            request
                .headers
                .contains(&("x-amz-sso_bearer_token".into(), "tok/+=".into()))
        );
        assert!(
            request
                .headers
                .iter()
                .any(|(n, v)| n == "user-agent" && v.starts_with("ssocreds/"))
        );
        assert!(!request.url.contains("tok"));
        assert!(request.body.is_none());
    }

    #[test]
    fn success_parses_epoch_milliseconds() {
        let ok = response(
            200,
            &[],
            r#"{"roleCredentials":{"accessKeyId":"ASIA1","secretAccessKey":"sk","sessionToken":"st","expiration":1676400539000}}"#,
        );
        let creds = parse_get_role_credentials_response(&ok, &ctx()).unwrap();
        assert_eq!(creds.access_key_id, "ASIA1");
        assert_eq!(format_timestamp(creds.expiration), "2023-02-14T18:48:59Z");
        let debug = format!("{creds:?}");
        assert!(!debug.contains("\"sk\"") && !debug.contains("\"st\""), "{debug}");
    }

    #[test]
    fn error_type_lookup_follows_the_sdk_order() {
        // Header beats body; text after ':' is cut; text after '#' is kept.
        let r = response(
            400,
            &[(
                "X-Amzn-ErrorType",
                "TooManyRequestsException:http://internal.amazon.com/coral/x/",
            )],
            r#"{"__type":"com.amazonaws.switchboard.portal#UnauthorizedException","message":"m"}"#,
        );
        assert_eq!(
            error_type_and_message(&r),
            (Some("TooManyRequestsException".into()), Some("m".into()))
        );
        let r = response(401, &[], r#"{"code":"A","__type":"x#B","Message":"M"}"#);
        assert_eq!(error_type_and_message(&r), (Some("A".into()), Some("M".into())));
        let r = response(
            401,
            &[],
            r#"{"__type":"com.amazonaws.switchboard.portal#UnauthorizedException","errorMessage":"E"}"#,
        );
        assert_eq!(
            error_type_and_message(&r),
            (Some("UnauthorizedException".into()), Some("E".into()))
        );
        let r = response(502, &[], "<html>bad gateway</html>");
        assert_eq!(error_type_and_message(&r), (None, None));
    }

    #[test]
    fn each_status_maps_to_advice() {
        let body_401 = r#"{"message":"Session token not found or invalid","__type":"com.amazonaws.switchboard.portal#UnauthorizedException"}"#;
        let err = parse_get_role_credentials_response(&response(401, &[], body_401), &ctx()).unwrap_err();
        assert_eq!(err.kind, PortalErrorKind::Unauthorized);
        assert!(!err.is_retryable());
        let text = err.to_string();
        assert!(
            text.contains("Session token not found or invalid") && text.contains("aws sso login"),
            "{text}"
        );
        assert!(text.contains("region called: us-east-1"), "{text}");

        let mut other_region = ctx();
        other_region.region = Some(Region::new("eu-west-1").unwrap());
        let text = parse_get_role_credentials_response(&response(401, &[], body_401), &other_region)
            .unwrap_err()
            .to_string();
        assert!(
            text.contains("issued in us-east-1 but the call went to eu-west-1") && text.contains("--region us-east-1"),
            "{text}"
        );

        let err = parse_get_role_credentials_response(
            &response(
                403,
                &[],
                r#"{"message":"No access","__type":"com.amazonaws.switchboard.portal#ForbiddenException"}"#,
            ),
            &ctx(),
        )
        .unwrap_err();
        assert_eq!(err.kind, PortalErrorKind::Forbidden);
        let text = err.to_string();
        assert!(
            text.contains("\"Admin\"") && text.contains("111122223333") && text.contains("ssocreds roles"),
            "{text}"
        );

        let err =
            parse_get_role_credentials_response(&response(429, &[("Retry-After", "3")], "{}"), &ctx()).unwrap_err();
        assert_eq!(
            (err.kind, err.retry_after, err.is_retryable()),
            (PortalErrorKind::TooManyRequests, Some(Duration::from_secs(3)), true)
        );

        let err = parse_get_role_credentials_response(&response(503, &[], ""), &ctx()).unwrap_err();
        assert_eq!((err.kind, err.is_retryable()), (PortalErrorKind::Server, true));

        let err =
            parse_get_role_credentials_response(&response(200, &[], "{\"roleCredentials\": {"), &ctx()).unwrap_err();
        assert_eq!(err.kind, PortalErrorKind::UnexpectedResponse);
        let err = parse_get_role_credentials_response(
            &response(200, &[], r#"{"roleCredentials":{"accessKeyId":"A"}}"#),
            &ctx(),
        )
        .unwrap_err();
        assert!(
            err.to_string().contains("roleCredentials.secretAccessKey is missing"),
            "{err}"
        );
    }

    #[test]
    fn server_messages_cannot_inject_control_characters() {
        let r = response(500, &[], "{\"message\":\"bad\\u001b[2Jthing\"}");
        let err = parse_get_role_credentials_response(&r, &ctx()).unwrap_err();
        assert!(!err.to_string().contains('\u{1b}'));
    }

    #[test]
    fn list_pages_follow_next_token() {
        let endpoint = Endpoint::custom("http://127.0.0.1:1").unwrap();
        let token = SecretString::new("t");
        let req = list_accounts_request(&endpoint, &token, Some("a b"), Some(200));
        assert_eq!(
            req.url,
            "http://127.0.0.1:1/assignment/accounts?next_token=a%20b&max_result=100"
        );
        let page = parse_list_accounts_response(
            &response(200, &[], r#"{"nextToken":"n2","accountList":[{"accountId":"111122223333","accountName":"dev","emailAddress":"d@x"}]}"#),
            &ctx(),
        )
        .unwrap();
        assert_eq!(page.next_token.as_deref(), Some("n2"));
        assert_eq!(page.items[0].account_name, "dev");
        let roles = parse_list_account_roles_response(&response(200, &[], r#"{"roleList":[]}"#), &ctx()).unwrap();
        assert!(roles.items.is_empty() && roles.next_token.is_none());
    }
}
