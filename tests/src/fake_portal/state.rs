//! The server's live state: the configuration, what the grants issued, the counters and the recorded traffic.

use std::collections::BTreeMap;
use std::sync::atomic::AtomicBool;
use std::sync::{Mutex, MutexGuard};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::config::{Account, PortalConfig, RefreshGrant, TokenGrant};
use super::federation::FederationState;
use super::http::{self, Request};
use super::sts::{AssumedRoleRecord, IssuedKey};

/// One request as the server received it (control-plane requests excluded).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct RecordedRequest {
    /// `GET`, `POST`, …
    pub method: String,
    /// The path, without the query.
    pub path: String,
    /// The raw query string, undecoded, without `?`.
    pub query: String,
    /// Headers by lower-cased name (repeated headers joined with `, `).
    pub headers: BTreeMap<String, String>,
    /// The body, decoded as UTF-8 (lossily).
    pub body: String,
    /// When the request was read, in epoch milliseconds.
    pub received_at_ms: u64,
    /// The status answered; `None` if no answer was sent (hang, reset) or not yet.
    pub status: Option<u16>,
}

impl RecordedRequest {
    /// A header by lower-case name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(String::as_str)
    }

    /// The decoded query parameters (empty if the query does not decode).
    pub fn query_pairs(&self) -> Vec<(String, String)> {
        http::parse_query(&self.query).unwrap_or_default()
    }
}

/// Counters and records of what the server did, for assertions (`GET /__fake/state`).
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct StateSnapshot {
    /// Requests received, control plane excluded.
    pub requests_received: u64,
    /// Successful GetRoleCredentials answers.
    pub credentials_served: u64,
    /// Successful `refresh_token` grants.
    pub refresh_grants: u64,
    /// Successful device-code grants.
    pub device_code_grants: u64,
    /// Successful authorization-code grants.
    pub authorization_code_grants: u64,
    /// Successful `/client/register` calls.
    pub registrations: u64,
    /// Successful `/device_authorization` calls.
    pub device_authorizations: u64,
    /// Codes issued by `/authorize`.
    pub authorizations: u64,
    /// Successful `/logout` calls.
    pub logouts: u64,
    /// 429 answers injected by `throttle`.
    pub throttled: u64,
    /// 500 answers injected by `failFirstWith500`.
    pub server_errors: u64,
    /// Requests that got `fault`.
    pub faults: u64,
    /// Sign-in tokens given by the federation endpoint (`Action=getSigninToken`).
    pub signin_tokens_issued: u64,
    /// Every poll of the device-code grant, in order.
    pub device_polls: Vec<DevicePoll>,
    /// Every access token issued by `/token`, in order.
    pub issued_tokens: Vec<IssuedToken>,
    /// Access tokens ended by `/logout`, in order.
    pub revoked_tokens: Vec<String>,
    /// Client ids registered through `/client/register`, in order.
    pub registered_clients: Vec<String>,
    /// Successful STS `AssumeRole` calls, in order.
    #[serde(default)]
    pub assumed_roles: Vec<AssumedRoleRecord>,
}

/// One poll of the device-code grant.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct DevicePoll {
    /// The device code polled.
    pub device_code: String,
    /// When, in epoch milliseconds.
    pub at_ms: u64,
    /// `authorization_pending`, `slow_down`, `access_denied`, `expired_token`, `invalid_grant` or `issued`.
    pub outcome: String,
}

/// One access token issued by `/token`.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct IssuedToken {
    /// `refresh_token`, `urn:ietf:params:oauth:grant-type:device_code` or `authorization_code`.
    pub grant_type: String,
    /// The client that asked.
    pub client_id: String,
    /// The access token, now valid on the portal.
    pub access_token: String,
    /// The refresh token returned with it, if any.
    pub refresh_token: Option<String>,
}

/// A registered OIDC client.
#[derive(Clone, Debug)]
pub(crate) struct Client {
    pub secret: String,
    /// Epoch seconds; `None`: never expires.
    pub expires_at: Option<i64>,
    /// `None` when registered without `grantTypes` (or known from the config).
    pub grant_types: Option<Vec<String>>,
}

/// A device code from `/device_authorization`.
#[derive(Clone, Debug)]
pub(crate) struct DeviceCode {
    pub client_id: String,
    pub created: Instant,
    pub expires_in: u64,
    pub interval: u64,
    /// Polls that went through the pending/slow-down script (early polls under `enforceInterval` excluded).
    pub scripted_polls: u32,
    pub last_poll: Option<Instant>,
    pub redeemed: bool,
}

/// A code from `/authorize`.
#[derive(Clone, Debug)]
pub(crate) struct AuthCode {
    pub client_id: String,
    pub redirect_uri: String,
    pub code_challenge: String,
    pub redeemed: bool,
}

/// Progress through the fault scripts of the current config (reset by `set_config`).
#[derive(Clone, Debug)]
pub(crate) struct FaultProgress {
    pub faults: u32,
    pub server_errors: u32,
    pub throttled_first: u32,
    pub bucket_tokens: f64,
    pub bucket_refilled: Instant,
}

impl FaultProgress {
    fn new(config: &PortalConfig) -> Self {
        FaultProgress {
            faults: 0,
            server_errors: 0,
            throttled_first: 0,
            bucket_tokens: f64::from(config.throttle.budget_per_second.unwrap_or(0)),
            bucket_refilled: Instant::now(),
        }
    }
}

/// Everything behind the lock.
pub(crate) struct Inner {
    pub config: PortalConfig,
    /// Tokens the portal accepts now: the config's, plus `issued`, minus logged-out ones.
    pub tokens: BTreeMap<String, TokenGrant>,
    /// Access tokens issued by `/token`; they survive `set_config`.
    pub issued: BTreeMap<String, TokenGrant>,
    /// Refresh tokens accepted now: the config's plus `issued_refresh`, minus used single-use ones.
    pub refresh_tokens: BTreeMap<String, RefreshGrant>,
    /// Refresh tokens issued by `/token`; they survive `set_config`.
    pub issued_refresh: BTreeMap<String, RefreshGrant>,
    /// The config's clients plus `registered`.
    pub clients: BTreeMap<String, Client>,
    pub registered: BTreeMap<String, Client>,
    pub device_codes: BTreeMap<String, DeviceCode>,
    pub auth_codes: BTreeMap<String, AuthCode>,
    pub progress: FaultProgress,
    pub stats: StateSnapshot,
    pub requests: Vec<RecordedRequest>,
    /// Credentials issued by `GetRoleCredentials` and `AssumeRole`, by access key id, for the STS signature check;
    /// they survive `set_config`.
    pub issued_keys: BTreeMap<String, IssuedKey>,
    /// STS errors injected by `sts.error` since the last `set_config`.
    pub sts_errors_served: u32,
    /// Credentials issued and sign-in tokens given, for the federation endpoint.
    pub federation: FederationState,
    seed: u128,
    sequence: u64,
}

impl Inner {
    pub fn new(config: PortalConfig) -> Self {
        let seed = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default();
        let mut inner = Inner {
            progress: FaultProgress::new(&config),
            config: PortalConfig::default(),
            tokens: BTreeMap::new(),
            issued: BTreeMap::new(),
            refresh_tokens: BTreeMap::new(),
            issued_refresh: BTreeMap::new(),
            clients: BTreeMap::new(),
            registered: BTreeMap::new(),
            device_codes: BTreeMap::new(),
            auth_codes: BTreeMap::new(),
            stats: StateSnapshot::default(),
            requests: Vec::new(),
            issued_keys: BTreeMap::new(),
            sts_errors_served: 0,
            federation: FederationState::default(),
            seed,
            sequence: 0,
        };
        inner.set_config(config);
        inner
    }

    /// Replaces the behaviour. Tokens, refresh tokens and clients are rebuilt from the config plus what the
    /// server issued itself; a logged-out config token is valid again if the new config lists it. Fault
    /// scripts (`failFirst`, `faultCount`, …) start over; counters and recorded requests are kept.
    pub fn set_config(&mut self, config: PortalConfig) {
        self.tokens = config.effective_tokens();
        self.tokens
            .extend(self.issued.iter().map(|(k, v)| (k.clone(), v.clone())));
        self.refresh_tokens = config.oidc.refresh_tokens.clone();
        self.refresh_tokens
            .extend(self.issued_refresh.iter().map(|(k, v)| (k.clone(), v.clone())));
        self.clients = config
            .clients
            .iter()
            .map(|(id, c)| {
                let client = Client {
                    secret: c.client_secret.clone(),
                    expires_at: c.client_secret_expires_at,
                    grant_types: None,
                };
                (id.clone(), client)
            })
            .collect();
        self.clients
            .extend(self.registered.iter().map(|(k, v)| (k.clone(), v.clone())));
        self.progress = FaultProgress::new(&config);
        self.sts_errors_served = 0;
        self.config = config;
    }

    /// A fresh identifier such as `fake-access-token-3-1a2b3c4d5e6f`, unique across servers and runs.
    pub fn fresh_id(&mut self, kind: &str) -> String {
        let hex = self.fresh_hex();
        format!("fake-{kind}-{}-{}", self.sequence, &hex[..12])
    }

    /// A fresh UUID-shaped identifier, as in `x-amzn-RequestId`.
    pub fn fresh_uuid(&mut self) -> String {
        let hex = self.fresh_hex();
        format!(
            "{}-{}-4{}-8{}-{}",
            &hex[..8],
            &hex[8..12],
            &hex[13..16],
            &hex[17..20],
            &hex[20..32]
        )
    }

    fn fresh_hex(&mut self) -> String {
        self.sequence += 1;
        let digest = Sha256::new()
            .chain_update(self.seed.to_le_bytes())
            .chain_update(self.sequence.to_le_bytes())
            .finalize();
        digest[..16].iter().map(|b| format!("{b:02x}")).collect()
    }

    /// Makes `access_token` valid on the portal with `assignments` for `expires_in` seconds, surviving
    /// `set_config`.
    pub fn issue_access_token(&mut self, access_token: &str, assignments: Vec<Account>, expires_in: u64) {
        let grant = TokenGrant {
            assignments,
            expired: false,
            expires_at_ms: Some(now_ms().saturating_add(expires_in.saturating_mul(1000))),
        };
        self.issued.insert(access_token.to_owned(), grant.clone());
        self.tokens.insert(access_token.to_owned(), grant);
    }

    /// Makes `refresh_token` usable, surviving `set_config`.
    pub fn issue_refresh_token(&mut self, refresh_token: &str, grant: RefreshGrant) {
        self.issued_refresh.insert(refresh_token.to_owned(), grant.clone());
        self.refresh_tokens.insert(refresh_token.to_owned(), grant);
    }

    /// Records a request and returns its index, to set its status later.
    pub fn record(&mut self, request: &Request) -> usize {
        let mut headers: BTreeMap<String, String> = BTreeMap::new();
        for (name, value) in &request.headers {
            headers
                .entry(name.clone())
                .and_modify(|v| {
                    v.push_str(", ");
                    v.push_str(value);
                })
                .or_insert_with(|| value.clone());
        }
        self.requests.push(RecordedRequest {
            method: request.method.clone(),
            path: request.path.clone(),
            query: request.query.clone(),
            headers,
            body: String::from_utf8_lossy(&request.body).into_owned(),
            received_at_ms: now_ms(),
            status: None,
        });
        self.stats.requests_received += 1;
        self.requests.len() - 1
    }
}

/// The state shared by the accept loop, the connection threads and the `FakePortal` handle.
pub(crate) struct Shared {
    pub inner: Mutex<Inner>,
    pub stop: AtomicBool,
    pub base_url: String,
}

impl Shared {
    /// Locks the state; a panic in another connection thread does not poison the server for the test.
    pub fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// Now, in epoch milliseconds.
pub(crate) fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
        .unwrap_or_default()
}

/// Now, in epoch seconds.
pub(crate) fn now_s() -> i64 {
    i64::try_from(now_ms() / 1000).unwrap_or(i64::MAX)
}
