//! What the fake server should do, as plain data: built in Rust by the e2e tests, or sent as JSON (camelCase)
//! by the Node tests and the `fake-portal` binary. Every field has a default, and unknown fields are refused so
//! that a misspelt option fails loudly instead of being ignored.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::sts::StsConfig;

/// The access token accepted by the `--demo` configuration (see `tests/fixtures/demo-cache.json`).
pub const DEMO_ACCESS_TOKEN: &str = "demo-access-token-not-a-secret";
/// The one account of the demo configuration.
pub const DEMO_ACCOUNT_ID: &str = "111122223333";

/// Behaviour of the fake portal and OIDC server.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct PortalConfig {
    /// Access tokens the portal accepts, with what each can see. Any other token gets 401.
    pub tokens: BTreeMap<String, TokenGrant>,
    /// Fixed credentials by `"accountId/roleName"`, instead of the generated ones.
    pub credentials: BTreeMap<String, CredentialsOverride>,
    /// Lifetime of issued role credentials: `expiration` = now + this (default 3600).
    pub credentials_ttl_seconds: u64,
    /// Delay before every answer (control plane excluded).
    pub latency_ms: u64,
    /// Page size of the list operations when the request has no `max_result` (default 20).
    pub page_size: u32,
    /// 429 `TooManyRequestsException` injection.
    pub throttle: Throttle,
    /// The first n requests get 500 `InternalServerException`.
    #[serde(rename = "failFirstWith500")]
    pub fail_first_with_500: u32,
    /// Network-level misbehaviour.
    pub fault: Fault,
    /// How many requests get `fault` before normal service resumes (`None`: all of them).
    pub fault_count: Option<u32>,
    /// Paths (prefixes) subject to `throttle`, `failFirstWith500` and `fault`; empty means every path
    /// except the control plane.
    pub fault_paths: Vec<String>,
    /// Fills `tokens[token]` with many generated accounts, for discovery benchmarks.
    pub generate_accounts: Option<GenerateAccounts>,
    /// OIDC client registrations known in advance, by `clientId` (clients registered through
    /// `/client/register` are added to these).
    pub clients: BTreeMap<String, ClientConfig>,
    /// What access tokens issued by the device and authorization-code grants can see.
    pub default_assignments: Vec<Account>,
    /// OIDC behaviour.
    pub oidc: OidcConfig,
    /// Accounts whose `ListAccountRoles` always fails with 500, to test that a client reports them.
    pub failing_accounts: Vec<String>,
    /// `ListAccounts` answers every later page with the `nextToken` it was given, as a broken server might.
    pub repeat_next_token: bool,
    /// The fake STS (`POST /` with `Action=AssumeRole`).
    pub sts: StsConfig,
    /// The console federation endpoint (`GET /federation`).
    pub federation: FederationConfig,
}

impl Default for PortalConfig {
    fn default() -> Self {
        PortalConfig {
            tokens: BTreeMap::new(),
            credentials: BTreeMap::new(),
            credentials_ttl_seconds: 3600,
            latency_ms: 0,
            page_size: 20,
            throttle: Throttle::default(),
            fail_first_with_500: 0,
            fault: Fault::None,
            fault_count: None,
            fault_paths: Vec::new(),
            generate_accounts: None,
            clients: BTreeMap::new(),
            default_assignments: Vec::new(),
            oidc: OidcConfig::default(),
            failing_accounts: Vec::new(),
            repeat_next_token: false,
            sts: StsConfig::default(),
            federation: FederationConfig::default(),
        }
    }
}

impl PortalConfig {
    /// The configuration of `fake-portal --demo`: the token of `tests/fixtures/demo-cache.json` sees account
    /// 111122223333 ("demo-account") with roles `ReadOnly` and `Admin`; a fresh login sees the same.
    pub fn demo() -> Self {
        let account = Account {
            account_id: DEMO_ACCOUNT_ID.into(),
            account_name: "demo-account".into(),
            email_address: "demo@example.com".into(),
            roles: vec!["ReadOnly".into(), "Admin".into()],
        };
        PortalConfig {
            tokens: BTreeMap::from([(
                DEMO_ACCESS_TOKEN.into(),
                TokenGrant {
                    assignments: vec![account.clone()],
                    expired: false,
                    expires_at_ms: None,
                },
            )]),
            default_assignments: vec![account],
            ..PortalConfig::default()
        }
    }

    /// A config where `token` sees `assignments`.
    pub fn with_token(token: &str, assignments: Vec<Account>) -> Self {
        let mut config = PortalConfig::default();
        config.tokens.insert(
            token.to_owned(),
            TokenGrant {
                assignments,
                expired: false,
                expires_at_ms: None,
            },
        );
        config
    }

    /// `tokens` with `generateAccounts` applied.
    pub(crate) fn effective_tokens(&self) -> BTreeMap<String, TokenGrant> {
        let mut tokens = self.tokens.clone();
        if let Some(generate) = &self.generate_accounts {
            let grant = tokens.entry(generate.token.clone()).or_default();
            grant
                .assignments
                .extend((0..generate.count).map(|i| generate.account(i)));
        }
        tokens
    }
}

/// What one access token can see.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct TokenGrant {
    /// Accounts and, in each, the roles the token may assume.
    pub assignments: Vec<Account>,
    /// Server-side expiry or revocation: the portal answers 401 whatever the cache file says.
    pub expired: bool,
    /// The portal answers 401 from this instant on (epoch milliseconds); set on the tokens `/token` issues,
    /// from their `expiresIn`. `None`: no time limit.
    pub expires_at_ms: Option<u64>,
}

impl TokenGrant {
    /// Whether the portal accepts the token at `now_ms`.
    pub fn is_valid_at(&self, now_ms: u64) -> bool {
        !self.expired && self.expires_at_ms.is_none_or(|at| now_ms < at)
    }
}

/// One account assignment.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct Account {
    /// 12 digits.
    pub account_id: String,
    /// Display name.
    pub account_name: String,
    /// Root e-mail address.
    pub email_address: String,
    /// Role names assignable in this account.
    pub roles: Vec<String>,
}

impl Account {
    /// An account with an e-mail address derived from its name.
    pub fn new(account_id: &str, account_name: &str, roles: &[&str]) -> Self {
        Account {
            account_id: account_id.to_owned(),
            account_name: account_name.to_owned(),
            email_address: format!("{account_name}@example.com"),
            roles: roles.iter().map(|r| (*r).to_owned()).collect(),
        }
    }
}

/// Credentials to return verbatim for one account and role.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct CredentialsOverride {
    /// `accessKeyId` to return.
    pub access_key_id: String,
    /// `secretAccessKey` to return.
    pub secret_access_key: String,
    /// `sessionToken` to return.
    pub session_token: String,
    /// `expiration` in epoch milliseconds; default now + `credentialsTtlSeconds`.
    pub expiration: Option<i64>,
}

/// 429 injection.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct Throttle {
    /// The first n requests (since the config was set) are answered 429.
    pub fail_first: u32,
    /// Token bucket: at most this many requests a second (burst of the same size); the excess gets 429.
    pub budget_per_second: Option<u32>,
    /// `Retry-After` header value on 429 answers.
    pub retry_after_seconds: Option<u64>,
}

/// Network-level misbehaviour, applied after the request was read.
#[derive(Clone, Copy, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub enum Fault {
    /// Answer normally.
    #[default]
    None,
    /// Never answer; the connection stays open until the server stops.
    Hang,
    /// Close the connection without an answer; the client sees a TCP reset.
    Reset,
    /// Send the head with the full `Content-Length` but only half the body, then close. The request is
    /// processed (a refresh grant is counted, a logout revokes).
    HalfBody,
    /// Answer 200 with the body `{"roleCredentials": {`.
    InvalidJson,
    /// Send the whole answer (head and body) one byte a second, slower than any patience but never idle
    /// long enough to trip a read timeout. The request is processed.
    Trickle,
}

/// The console federation endpoint's behaviour.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct FederationConfig {
    /// How `Action=getSigninToken` answers.
    pub answer: FederationAnswer,
}

/// How the federation endpoint answers `getSigninToken`.
#[derive(Clone, Copy, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub enum FederationAnswer {
    /// A sign-in token for credentials the portal issued (400 for any others).
    #[default]
    Token,
    /// 400, whatever the credentials (the real endpoint's answer to credentials it refuses).
    BadRequest,
    /// 403.
    Forbidden,
    /// 500.
    ServerError,
    /// 200 with an HTML page and no token (a captive portal or a proxy's page).
    Html,
}

/// Generated accounts for one token.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct GenerateAccounts {
    /// Number of accounts: ids `100000000000 + i`, names `account-{i}`.
    pub count: u32,
    /// Roles `Role0`.. in each account.
    pub roles_per_account: u32,
    /// The access token that sees them.
    pub token: String,
}

impl GenerateAccounts {
    fn account(&self, i: u32) -> Account {
        Account {
            account_id: format!("{:012}", 100_000_000_000u64 + u64::from(i)),
            account_name: format!("account-{i}"),
            email_address: format!("account-{i}@example.com"),
            roles: (0..self.roles_per_account).map(|j| format!("Role{j}")).collect(),
        }
    }
}

/// A client registration known in advance.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct ClientConfig {
    /// The secret the client must present.
    pub client_secret: String,
    /// Epoch seconds after which the registration is refused with 401 `InvalidClientException`;
    /// `None`: never.
    pub client_secret_expires_at: Option<i64>,
}

/// OIDC behaviour.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct OidcConfig {
    /// Refresh tokens the `refresh_token` grant accepts (tokens issued by the other grants are added).
    pub refresh_tokens: BTreeMap<String, RefreshGrant>,
    /// `expiresIn` of issued access tokens, in seconds (default 28800).
    pub access_token_expires_in: u64,
    /// Lifetime of registrations made through `/client/register` (default 90 days).
    pub client_secret_ttl_seconds: u64,
    /// Device-authorization grant.
    pub device_flow: DeviceFlow,
    /// `/authorize` (authorization code with PKCE).
    pub authorize: AuthorizeConfig,
}

impl Default for OidcConfig {
    fn default() -> Self {
        OidcConfig {
            refresh_tokens: BTreeMap::new(),
            access_token_expires_in: 28_800,
            client_secret_ttl_seconds: 90 * 24 * 3600,
            device_flow: DeviceFlow::default(),
            authorize: AuthorizeConfig::default(),
        }
    }
}

/// What a refresh token yields.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct RefreshGrant {
    /// The access token to issue; `None`: a new generated one each time.
    pub access_token: Option<String>,
    /// A `refreshToken` to return (it then works too, yielding the same as this entry); `None`: the response
    /// has no `refreshToken`, so the client keeps the old one.
    pub new_refresh_token: Option<String>,
    /// `expiresIn` of the issued token; default `oidc.accessTokenExpiresIn`.
    pub expires_in: Option<u64>,
    /// What the issued access token sees. Default: the assignments of the token named by `assignmentsFrom`,
    /// else of the entry of `tokens` named like `accessToken`, else `defaultAssignments`.
    pub assignments: Option<Vec<Account>>,
    /// A token of `tokens` whose assignments the issued access token gets (typically the expired one).
    pub assignments_from: Option<String>,
    /// Only this client may use it; `None`: any valid client.
    pub client_id: Option<String>,
    /// The refresh token works once; the next use gets `invalid_grant`.
    pub single_use: bool,
}

/// Device-authorization grant behaviour.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct DeviceFlow {
    /// `interval` returned by `/device_authorization`, in seconds (default 1; 0 allowed).
    pub interval: u64,
    /// `expiresIn` of the device code, in seconds (default 600); polls after that get `ExpiredTokenException`.
    pub expires_in: u64,
    /// The first n polls of a device code get `AuthorizationPendingException`.
    pub pending_polls: u32,
    /// The next n polls get `SlowDownException`.
    pub slow_down_polls: u32,
    /// After those, `AccessDeniedException` instead of a token.
    pub deny: bool,
    /// After those, `ExpiredTokenException` instead of a token.
    pub expire: bool,
    /// Answer `SlowDownException` to a poll that comes sooner than `interval` after the previous one.
    pub enforce_interval: bool,
}

impl Default for DeviceFlow {
    fn default() -> Self {
        DeviceFlow {
            interval: 1,
            expires_in: 600,
            pending_polls: 0,
            slow_down_polls: 0,
            deny: false,
            expire: false,
            enforce_interval: false,
        }
    }
}

/// `/authorize` behaviour.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct AuthorizeConfig {
    /// Redirect with `error=access_denied` instead of a code.
    pub deny: bool,
    /// Redirect with a `state` other than the one received.
    pub wrong_state: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_names_are_camel_case_and_defaults_apply() {
        let config: PortalConfig = serde_json::from_str(
            r#"{"failFirstWith500": 2, "throttle": {"failFirst": 1, "retryAfterSeconds": 3},
                "fault": "halfBody", "oidc": {"deviceFlow": {"pendingPolls": 2}},
                "generateAccounts": {"count": 3, "rolesPerAccount": 2, "token": "t"}}"#,
        )
        .unwrap();
        assert_eq!(config.fail_first_with_500, 2);
        assert_eq!(config.fault, Fault::HalfBody);
        assert_eq!(config.page_size, 20);
        assert_eq!(config.credentials_ttl_seconds, 3600);
        assert_eq!(config.oidc.device_flow.interval, 1);
        assert_eq!(config.oidc.device_flow.pending_polls, 2);
        let tokens = config.effective_tokens();
        let accounts = &tokens["t"].assignments;
        assert_eq!(accounts.len(), 3);
        assert_eq!(accounts[2].account_id, "100000000002");
        assert_eq!(accounts[2].roles, ["Role0", "Role1"]);
    }

    #[test]
    fn misspelt_fields_are_refused() {
        assert!(serde_json::from_str::<PortalConfig>(r#"{"pagesize": 3}"#).is_err());
        assert!(serde_json::from_str::<PortalConfig>(r#"{"deviceFlow": {}}"#).is_err());
    }

    #[test]
    fn round_trips() {
        let config = PortalConfig::demo();
        let json = serde_json::to_string(&config).unwrap();
        assert_eq!(serde_json::from_str::<PortalConfig>(&json).unwrap(), config);
    }
}
