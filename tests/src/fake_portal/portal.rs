//! The portal API (service `sso`): GetRoleCredentials, ListAccounts, ListAccountRoles, Logout.
//!
//! Strict on purpose: parameters are checked as the real service is believed to check them, and anything
//! else a client sends (an extra query parameter, a token in the URL) is a 400, so client bugs show up here
//! rather than in production.

use serde::Serialize;

use super::config::{Account, TokenGrant};
use super::credentials::generated_credentials;
use super::errors::{self, to_json};
use super::http::{self, Request, Response};
use super::state::{Inner, now_ms};
use super::sts;

/// The header that carries the access token (underscore, lower case).
pub const BEARER_HEADER: &str = "x-amz-sso_bearer_token";

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RoleCredentialsBody {
    role_credentials: RoleCredentials,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RoleCredentials {
    access_key_id: String,
    secret_access_key: String,
    session_token: String,
    expiration: i64,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct AccountListBody<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    next_token: Option<String>,
    account_list: Vec<AccountEntry<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct AccountEntry<'a> {
    account_id: &'a str,
    account_name: &'a str,
    email_address: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RoleListBody<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    next_token: Option<String>,
    role_list: Vec<RoleEntry<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RoleEntry<'a> {
    role_name: &'a str,
    account_id: &'a str,
}

/// Query parameters, checked against the operation's allowed set.
struct Params(Vec<(String, String)>);

impl Params {
    fn parse(query: &str, allowed: &[&str]) -> Result<Params, Response> {
        let pairs = http::parse_query(query).map_err(|e| match e {
            http::QueryError::BadEscape(part) => errors::invalid_request(&format!("Malformed query parameter: {part}")),
            http::QueryError::Duplicate(name) => {
                errors::invalid_request(&format!("Query parameter {name} given more than once"))
            }
        })?;
        if let Some((name, _)) = pairs.iter().find(|(n, _)| !allowed.contains(&n.as_str())) {
            return Err(errors::invalid_request(&format!("Unexpected query parameter: {name}")));
        }
        Ok(Params(pairs))
    }

    fn get(&self, name: &str) -> Option<&str> {
        self.0.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }

    fn required(&self, name: &str) -> Result<&str, Response> {
        match self.get(name) {
            Some(v) if !v.is_empty() => Ok(v),
            _ => Err(errors::invalid_request(&format!("Missing required parameter: {name}"))),
        }
    }

    /// Any non-empty `account_id`: like the real portal, one the token cannot use (a short id, a typo) is
    /// answered 403 `ForbiddenException` "No access" by the operation, not 400.
    fn account_id(&self) -> Result<&str, Response> {
        self.required("account_id")
    }

    /// `max_result`, 1 to 100, or the configured page size.
    fn max_result(&self, default: u32) -> Result<usize, Response> {
        let Some(text) = self.get("max_result") else {
            return Ok(usize::try_from(default.max(1)).unwrap_or(20));
        };
        match text.parse::<usize>() {
            Ok(n) if (1..=100).contains(&n) => Ok(n),
            _ => Err(errors::invalid_request(&format!(
                "Invalid max_result: {text:?} (1 to 100)"
            ))),
        }
    }
}

/// The token of the request, if the portal accepts it.
fn authenticate<'a>(inner: &'a Inner, request: &Request) -> Result<(String, &'a TokenGrant), Response> {
    let token = request
        .header(BEARER_HEADER)
        .filter(|t| !t.is_empty())
        .ok_or_else(errors::unauthorized)?;
    match inner.tokens.get(token) {
        Some(grant) if grant.is_valid_at(now_ms()) => Ok((token.to_owned(), grant)),
        _ => Err(errors::unauthorized()),
    }
}

/// The window of a list after `next_token`, and the token of the next page.
fn page(
    len: usize,
    next_token: Option<&str>,
    prefix: &str,
    max: usize,
) -> Result<(std::ops::Range<usize>, Option<String>), Response> {
    let start = match next_token {
        None => 0,
        Some(token) => token
            .strip_prefix(prefix)
            .and_then(|n| n.parse::<usize>().ok())
            .filter(|n| *n > 0 && *n < len)
            .ok_or_else(|| errors::invalid_request(&format!("Invalid next_token: {token:?}")))?,
    };
    let end = (start + max).min(len);
    let next = (end < len).then(|| format!("{prefix}{end}"));
    Ok((start..end, next))
}

fn find_account<'a>(grant: &'a TokenGrant, account_id: &str) -> Option<&'a Account> {
    grant.assignments.iter().find(|a| a.account_id == account_id)
}

/// `GET /federation/credentials?role_name=R&account_id=A`
pub(crate) fn get_role_credentials(inner: &mut Inner, request: &Request) -> Response {
    let result = (|| {
        let params = Params::parse(&request.query, &["role_name", "account_id"])?;
        let role_name = params.required("role_name")?;
        let account_id = params.account_id()?;
        let (token, grant) = authenticate(inner, request)?;
        let allowed = find_account(grant, account_id).is_some_and(|a| a.roles.iter().any(|r| r == role_name));
        if !allowed {
            return Err(errors::forbidden());
        }
        let config = &inner.config;
        let default_expiration = i64::try_from(now_ms())
            .unwrap_or(i64::MAX)
            .saturating_add(i64::try_from(config.credentials_ttl_seconds.saturating_mul(1000)).unwrap_or(i64::MAX));
        let credentials = match config.credentials.get(&format!("{account_id}/{role_name}")) {
            Some(fixed) => RoleCredentials {
                access_key_id: fixed.access_key_id.clone(),
                secret_access_key: fixed.secret_access_key.clone(),
                session_token: fixed.session_token.clone(),
                expiration: fixed.expiration.unwrap_or(default_expiration),
            },
            None => {
                let (access_key_id, secret_access_key, session_token) =
                    generated_credentials(&token, account_id, role_name);
                RoleCredentials {
                    access_key_id,
                    secret_access_key,
                    session_token,
                    expiration: default_expiration,
                }
            }
        };
        let issued = sts::IssuedKey {
            secret_access_key: credentials.secret_access_key.clone(),
            session_token: credentials.session_token.clone(),
            account_id: account_id.to_owned(),
            expires_at_ms: u64::try_from(credentials.expiration).unwrap_or_default(),
            arn: format!("arn:aws:sts::{account_id}:assumed-role/{role_name}/sso-user"),
        };
        inner.issued_keys.insert(credentials.access_key_id.clone(), issued);
        Ok(Response::json(
            200,
            to_json(&RoleCredentialsBody {
                role_credentials: credentials,
            }),
        ))
    })();
    if result.is_ok() {
        inner.stats.credentials_served += 1;
    }
    result.unwrap_or_else(|e| e)
}

/// `GET /assignment/accounts?next_token=T&max_result=N`
pub(crate) fn list_accounts(inner: &Inner, request: &Request) -> Response {
    let result = (|| {
        let params = Params::parse(&request.query, &["next_token", "max_result"])?;
        let max = params.max_result(inner.config.page_size)?;
        let (_, grant) = authenticate(inner, request)?;
        let accounts = &grant.assignments;
        let (range, mut next_token) = page(accounts.len(), params.get("next_token"), "acct-page-", max)?;
        if inner.config.repeat_next_token && params.get("next_token").is_some() {
            next_token = params.get("next_token").map(str::to_owned);
        }
        let body = AccountListBody {
            next_token,
            account_list: accounts[range]
                .iter()
                .map(|a| AccountEntry {
                    account_id: &a.account_id,
                    account_name: &a.account_name,
                    email_address: &a.email_address,
                })
                .collect(),
        };
        Ok(Response::json(200, to_json(&body)))
    })();
    result.unwrap_or_else(|e| e)
}

/// `GET /assignment/roles?account_id=A&next_token=T&max_result=N`. An account the token does not see gets
/// 403 `ForbiddenException` "No access", like a role it may not assume.
pub(crate) fn list_account_roles(inner: &Inner, request: &Request) -> Response {
    let result = (|| {
        let params = Params::parse(&request.query, &["account_id", "next_token", "max_result"])?;
        let account_id = params.account_id()?;
        let max = params.max_result(inner.config.page_size)?;
        let (_, grant) = authenticate(inner, request)?;
        let account = find_account(grant, account_id).ok_or_else(errors::forbidden)?;
        if inner.config.failing_accounts.iter().any(|a| a == account_id) {
            return Err(errors::portal(
                500,
                "InternalServerException",
                "An internal error occurred",
            ));
        }
        let (range, next_token) = page(account.roles.len(), params.get("next_token"), "role-page-", max)?;
        let body = RoleListBody {
            next_token,
            role_list: account.roles[range]
                .iter()
                .map(|role_name| RoleEntry {
                    role_name,
                    account_id: &account.account_id,
                })
                .collect(),
        };
        Ok(Response::json(200, to_json(&body)))
    })();
    result.unwrap_or_else(|e| e)
}

/// `POST /logout`: ends the session; the token gets 401 from then on.
pub(crate) fn logout(inner: &mut Inner, request: &Request) -> Response {
    let token = match authenticate(inner, request) {
        Ok((token, _)) => token,
        Err(response) => return response,
    };
    inner.tokens.remove(&token);
    inner.issued.remove(&token);
    inner.stats.logouts += 1;
    inner.stats.revoked_tokens.push(token);
    Response::new(200)
}
