//! Tests of the fake IAM Identity Center server itself, over real sockets with a tiny hand-written client,
//! so that the e2e tests can trust what it answers.

use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use ssocreds_tests::fake_portal::{
    Account, FakePortal, PortalConfig, RefreshGrant, TokenGrant, generated_credentials, s256,
};

const UNAUTHORIZED_BODY: &str = r#"{"message":"Session token not found or invalid","__type":"com.amazonaws.switchboard.portal#UnauthorizedException"}"#;
const FORBIDDEN_BODY: &str =
    r#"{"message":"No access","__type":"com.amazonaws.switchboard.portal#ForbiddenException"}"#;
const CORAL: &str = ":http://internal.amazon.com/coral/com.amazonaws.switchboard.portal/";

/// An HTTP answer as the tiny client read it.
#[derive(Debug)]
struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Reply {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("body is not JSON ({e}): {}", self.body))
    }

    /// The OIDC `error` code, or the portal exception name from `__type`.
    fn error(&self) -> String {
        let body = self.json();
        if let Some(code) = body["error"].as_str() {
            return code.to_owned();
        }
        let kind = body["__type"].as_str().unwrap_or_default();
        kind.rsplit('#').next().unwrap_or_default().to_owned()
    }
}

fn addr(portal: &FakePortal) -> String {
    portal.url().trim_start_matches("http://").to_owned()
}

/// Sends raw bytes and reads until the server closes.
fn raw(portal: &FakePortal, bytes: &[u8], timeout: Duration) -> io::Result<Vec<u8>> {
    let mut stream = TcpStream::connect(addr(portal))?;
    stream.set_read_timeout(Some(timeout))?;
    stream.write_all(bytes)?;
    let mut out = Vec::new();
    stream.read_to_end(&mut out)?;
    Ok(out)
}

fn parse_reply(bytes: &[u8]) -> Reply {
    let text = String::from_utf8_lossy(bytes);
    let (head, body) = text
        .split_once("\r\n\r\n")
        .unwrap_or_else(|| panic!("no complete head in {text:?}"));
    let mut lines = head.split("\r\n");
    let status = lines.next().unwrap().split(' ').nth(1).unwrap().parse().unwrap();
    let headers: Vec<(String, String)> = lines
        .map(|l| {
            let (n, v) = l.split_once(':').unwrap();
            (n.trim().to_owned(), v.trim().to_owned())
        })
        .collect();
    let reply = Reply {
        status,
        headers,
        body: body.to_owned(),
    };
    let length: usize = reply.header("content-length").unwrap().parse().unwrap();
    assert_eq!(length, reply.body.len(), "Content-Length must match the body");
    reply
}

fn request(portal: &FakePortal, method: &str, target: &str, headers: &[(&str, &str)], body: &str) -> Reply {
    let mut text = format!("{method} {target} HTTP/1.1\r\nHost: {}\r\n", addr(portal));
    for (name, value) in headers {
        text.push_str(&format!("{name}: {value}\r\n"));
    }
    if !body.is_empty() || method == "POST" {
        text.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    text.push_str("\r\n");
    text.push_str(body);
    parse_reply(&raw(portal, text.as_bytes(), Duration::from_secs(5)).unwrap())
}

/// A portal call with the bearer header (none when `token` is empty).
fn portal_get(portal: &FakePortal, target: &str, token: &str) -> Reply {
    if token.is_empty() {
        request(portal, "GET", target, &[], "")
    } else {
        request(portal, "GET", target, &[("x-amz-sso_bearer_token", token)], "")
    }
}

fn oidc_post(portal: &FakePortal, path: &str, body: &Value) -> Reply {
    request(
        portal,
        "POST",
        path,
        &[("Content-Type", "application/json")],
        &body.to_string(),
    )
}

fn dev_account() -> Account {
    Account::new("111122223333", "dev", &["ReadOnly", "Admin+Ops"])
}

fn start(config: PortalConfig) -> FakePortal {
    FakePortal::start(config).unwrap()
}

fn now_ms() -> i64 {
    i64::try_from(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_millis(),
    )
    .unwrap()
}

// The portal API: GetRoleCredentials, ListAccounts, ListAccountRoles, Logout.
mod portal_api {
    use super::*;

    #[test]
    fn get_role_credentials_answers_deterministic_credentials() {
        let portal = start(PortalConfig::with_token("tok", vec![dev_account()]));
        let reply = portal_get(
            &portal,
            "/federation/credentials?role_name=ReadOnly&account_id=111122223333",
            "tok",
        );
        assert_eq!(reply.status, 200, "{}", reply.body);
        assert_eq!(reply.header("content-type"), Some("application/json"));
        let creds = &reply.json()["roleCredentials"];
        let (id, secret, token) = generated_credentials("tok", "111122223333", "ReadOnly");
        assert_eq!(creds["accessKeyId"], id.as_str());
        assert_eq!(creds["secretAccessKey"], secret.as_str());
        assert_eq!(creds["sessionToken"], token.as_str());
        let expiration = creds["expiration"].as_i64().expect("integer milliseconds");
        assert!((expiration - (now_ms() + 3_600_000)).abs() < 10_000);

        // Order of parameters is free.
        let again = portal_get(
            &portal,
            "/federation/credentials?account_id=111122223333&role_name=ReadOnly",
            "tok",
        );
        assert_eq!(again.json()["roleCredentials"]["accessKeyId"], id.as_str());

        let recorded = portal.requests();
        assert_eq!(recorded.len(), 2);
        assert_eq!(recorded[0].method, "GET");
        assert_eq!(recorded[0].path, "/federation/credentials");
        assert_eq!(recorded[0].query, "role_name=ReadOnly&account_id=111122223333");
        assert_eq!(recorded[0].header("x-amz-sso_bearer_token"), Some("tok"));
        assert_eq!(recorded[0].status, Some(200));
        assert_eq!(portal.state().credentials_served, 2);
    }

    #[test]
    fn role_names_are_percent_decoded_and_a_raw_plus_is_a_space() {
        let portal = start(PortalConfig::with_token("tok", vec![dev_account()]));
        let encoded = portal_get(
            &portal,
            "/federation/credentials?role_name=Admin%2BOps&account_id=111122223333",
            "tok",
        );
        assert_eq!(encoded.status, 200, "{}", encoded.body);
        let raw_plus = portal_get(
            &portal,
            "/federation/credentials?role_name=Admin+Ops&account_id=111122223333",
            "tok",
        );
        assert_eq!(raw_plus.status, 403);
    }

    #[test]
    fn unauthorized_answers_match_the_real_service() {
        let mut config = PortalConfig::with_token("tok", vec![dev_account()]);
        config.tokens.insert(
            "old".into(),
            TokenGrant {
                assignments: vec![dev_account()],
                expired: true,
                expires_at_ms: None,
            },
        );
        let portal = start(config);
        let target = "/federation/credentials?role_name=ReadOnly&account_id=111122223333";
        for token in ["", "unknown", "old"] {
            let reply = portal_get(&portal, target, token);
            assert_eq!(reply.status, 401, "token {token:?}");
            assert_eq!(reply.body, UNAUTHORIZED_BODY);
            assert_eq!(
                reply.header("x-amzn-ErrorType"),
                Some(format!("UnauthorizedException{CORAL}").as_str())
            );
            assert_eq!(reply.header("content-type"), Some("application/json"));
        }
        let accounts = portal_get(&portal, "/assignment/accounts", "unknown");
        assert_eq!(accounts.status, 401);
        assert_eq!(accounts.body, UNAUTHORIZED_BODY);
    }

    #[test]
    fn forbidden_for_a_role_or_account_not_assigned() {
        let portal = start(PortalConfig::with_token("tok", vec![dev_account()]));
        for target in [
            "/federation/credentials?role_name=Nope&account_id=111122223333",
            "/federation/credentials?role_name=ReadOnly&account_id=999999999999",
            "/assignment/roles?account_id=999999999999",
            // Not 12 digits: an account the sign-in cannot use, as the real portal answers it (not 400).
            "/federation/credentials?role_name=ReadOnly&account_id=11112222333",
            "/federation/credentials?role_name=ReadOnly&account_id=11112222333x",
            "/assignment/roles?account_id=1",
        ] {
            let reply = portal_get(&portal, target, "tok");
            assert_eq!(reply.status, 403, "{target}");
            assert_eq!(reply.body, FORBIDDEN_BODY);
            assert_eq!(
                reply.header("x-amzn-ErrorType"),
                Some(format!("ForbiddenException{CORAL}").as_str())
            );
        }
        assert_eq!(portal.state().credentials_served, 0);
    }

    #[test]
    fn invalid_requests_get_400() {
        let portal = start(PortalConfig::with_token("tok", vec![dev_account()]));
        for target in [
            "/federation/credentials?role_name=ReadOnly",
            "/federation/credentials?account_id=111122223333",
            "/federation/credentials?role_name=&account_id=111122223333",
            "/federation/credentials?role_name=ReadOnly&account_id=111122223333&extra=1",
            "/federation/credentials?role_name=ReadOnly&account_id=111122223333&access_token=tok",
            "/federation/credentials?role_name=ReadOnly&role_name=Admin&account_id=111122223333",
            "/federation/credentials?role_name=Read%zzOnly&account_id=111122223333",
            "/assignment/accounts?max_result=0",
            "/assignment/accounts?max_result=101",
            "/assignment/accounts?max_result=ten",
            "/assignment/accounts?next_token=bogus",
            "/assignment/accounts?foo=bar",
            "/assignment/roles",
            "/assignment/roles?account_id=111122223333&next_token=role-page-99",
        ] {
            let reply = portal_get(&portal, target, "tok");
            assert_eq!(reply.status, 400, "{target}: {}", reply.body);
            assert_eq!(reply.error(), "InvalidRequestException", "{target}");
            assert!(
                reply
                    .header("x-amzn-ErrorType")
                    .unwrap()
                    .starts_with("InvalidRequestException:")
            );
        }
    }

    #[test]
    fn credentials_overrides_and_ttl() {
        let mut config = PortalConfig::with_token("tok", vec![dev_account()]);
        config.credentials_ttl_seconds = 60;
        config.credentials.insert(
            "111122223333/Admin+Ops".into(),
            serde_json::from_value(json!({
                "accessKeyId": "AKIA\"quoted\"",
                "secretAccessKey": "se$cret \\ with 'quotes' and spaces",
                "sessionToken": "tøken/+=`$(id)`",
                "expiration": 1_700_000_000_000_i64
            }))
            .unwrap(),
        );
        let portal = start(config);
        let fixed = portal_get(
            &portal,
            "/federation/credentials?role_name=Admin%2BOps&account_id=111122223333",
            "tok",
        )
        .json();
        assert_eq!(fixed["roleCredentials"]["accessKeyId"], "AKIA\"quoted\"");
        assert_eq!(
            fixed["roleCredentials"]["secretAccessKey"],
            "se$cret \\ with 'quotes' and spaces"
        );
        assert_eq!(fixed["roleCredentials"]["sessionToken"], "tøken/+=`$(id)`");
        assert_eq!(fixed["roleCredentials"]["expiration"], 1_700_000_000_000_i64);

        let generated = portal_get(
            &portal,
            "/federation/credentials?role_name=ReadOnly&account_id=111122223333",
            "tok",
        )
        .json();
        let expiration = generated["roleCredentials"]["expiration"].as_i64().unwrap();
        assert!((expiration - (now_ms() + 60_000)).abs() < 10_000);
    }

    #[test]
    fn list_accounts_paginates_with_opaque_tokens() {
        let config: PortalConfig = serde_json::from_value(json!({
            "generateAccounts": {"count": 45, "rolesPerAccount": 2, "token": "many"}
        }))
        .unwrap();
        let portal = start(config);
        let mut ids = Vec::new();
        let mut next: Option<String> = None;
        let mut pages = 0;
        loop {
            let target = match &next {
                Some(t) => format!("/assignment/accounts?next_token={t}"),
                None => "/assignment/accounts".to_owned(),
            };
            let reply = portal_get(&portal, &target, "many");
            assert_eq!(reply.status, 200, "{}", reply.body);
            let body = reply.json();
            pages += 1;
            for account in body["accountList"].as_array().unwrap() {
                ids.push(account["accountId"].as_str().unwrap().to_owned());
                assert!(account["accountName"].as_str().unwrap().starts_with("account-"));
                assert!(account["emailAddress"].as_str().unwrap().contains('@'));
            }
            match body.get("nextToken") {
                Some(token) => next = Some(token.as_str().unwrap().to_owned()),
                None => break,
            }
        }
        assert_eq!(pages, 3, "default page size is 20");
        assert_eq!(ids.len(), 45);
        assert_eq!(ids[0], "100000000000");
        assert_eq!(ids[44], "100000000044");

        let one_page = portal_get(&portal, "/assignment/accounts?max_result=100", "many").json();
        assert_eq!(one_page["accountList"].as_array().unwrap().len(), 45);
        assert!(one_page.get("nextToken").is_none());

        let page_of_one = portal_get(&portal, "/assignment/accounts?max_result=1", "many").json();
        assert_eq!(page_of_one["accountList"].as_array().unwrap().len(), 1);
        assert!(page_of_one["nextToken"].is_string());
    }

    #[test]
    fn page_size_is_configurable() {
        let config: PortalConfig = serde_json::from_value(json!({
            "pageSize": 7,
            "generateAccounts": {"count": 10, "rolesPerAccount": 1, "token": "t"}
        }))
        .unwrap();
        let portal = start(config);
        let body = portal_get(&portal, "/assignment/accounts", "t").json();
        assert_eq!(body["accountList"].as_array().unwrap().len(), 7);
    }

    #[test]
    fn list_account_roles_paginates() {
        let config: PortalConfig = serde_json::from_value(json!({
            "generateAccounts": {"count": 2, "rolesPerAccount": 5, "token": "t"}
        }))
        .unwrap();
        let portal = start(config);
        let mut roles = Vec::new();
        let mut target = "/assignment/roles?account_id=100000000001&max_result=2".to_owned();
        loop {
            let body = portal_get(&portal, &target, "t").json();
            for role in body["roleList"].as_array().unwrap() {
                assert_eq!(role["accountId"], "100000000001");
                roles.push(role["roleName"].as_str().unwrap().to_owned());
            }
            match body.get("nextToken").and_then(Value::as_str) {
                Some(token) => {
                    target = format!("/assignment/roles?max_result=2&next_token={token}&account_id=100000000001");
                }
                None => break,
            }
        }
        assert_eq!(roles, ["Role0", "Role1", "Role2", "Role3", "Role4"]);
    }

    #[test]
    fn logout_ends_the_session() {
        let portal = start(PortalConfig::with_token("tok", vec![dev_account()]));
        let reply = request(&portal, "POST", "/logout", &[("x-amz-sso_bearer_token", "tok")], "");
        assert_eq!(reply.status, 200);
        assert_eq!(reply.body, "");
        assert!(!portal.token_is_valid("tok"));
        let after = portal_get(&portal, "/assignment/accounts", "tok");
        assert_eq!(after.status, 401);
        let again = request(&portal, "POST", "/logout", &[("x-amz-sso_bearer_token", "tok")], "");
        assert_eq!(again.status, 401);
        let state = portal.state();
        assert_eq!(state.logouts, 1);
        assert_eq!(state.revoked_tokens, ["tok"]);
        assert_eq!(portal.requests()[0].path, "/logout");
    }

    #[test]
    fn unknown_paths_and_wrong_methods() {
        let portal = start(PortalConfig::with_token("tok", vec![dev_account()]));
        let missing = portal_get(&portal, "/federation/credential", "tok");
        assert_eq!(missing.status, 404);
        assert!(missing.json()["message"].is_string());
        let wrong = request(
            &portal,
            "POST",
            "/federation/credentials?role_name=ReadOnly&account_id=111122223333",
            &[("x-amz-sso_bearer_token", "tok")],
            "",
        );
        assert_eq!(wrong.status, 405);
        assert_eq!(wrong.header("allow"), Some("GET"));
        let get_logout = portal_get(&portal, "/logout", "tok");
        assert_eq!(get_logout.status, 405);
        let get_token = portal_get(&portal, "/token", "");
        assert_eq!(get_token.status, 405);
        assert_eq!(get_token.error(), "method_not_allowed");
    }

    #[test]
    fn malformed_http_gets_400() {
        let portal = start(PortalConfig::default());
        let bytes = raw(&portal, b"NONSENSE\r\n\r\n", Duration::from_secs(5)).unwrap();
        assert_eq!(parse_reply(&bytes).status, 400);
    }
}

// The OIDC API: RegisterClient, StartDeviceAuthorization, CreateToken, /authorize.
mod oidc_api {
    use super::*;

    fn register(portal: &FakePortal, extra: Value) -> (String, String) {
        let mut body = json!({"clientName": "ssocreds", "clientType": "public"});
        for (k, v) in extra.as_object().unwrap() {
            body[k] = v.clone();
        }
        let reply = oidc_post(portal, "/client/register", &body);
        assert_eq!(reply.status, 200, "{}", reply.body);
        let body = reply.json();
        (
            body["clientId"].as_str().unwrap().to_owned(),
            body["clientSecret"].as_str().unwrap().to_owned(),
        )
    }

    fn assert_oidc_error(reply: &Reply, status: u16, code: &str, exception: &str) {
        assert_eq!(reply.status, status, "{}", reply.body);
        assert_eq!(reply.json()["error"], code, "{}", reply.body);
        assert!(reply.json()["error_description"].is_string());
        assert_eq!(
            reply.header("x-amzn-ErrorType"),
            Some(format!("{exception}{CORAL}").as_str())
        );
    }

    #[test]
    fn register_client_issues_a_90_day_registration() {
        let portal = start(PortalConfig::default());
        let reply = oidc_post(
            &portal,
            "/client/register",
            &json!({"clientName": "ssocreds", "clientType": "public", "scopes": ["sso:account:access"]}),
        );
        assert_eq!(reply.status, 200, "{}", reply.body);
        let body = reply.json();
        let issued = body["clientIdIssuedAt"].as_i64().unwrap();
        let expires = body["clientSecretExpiresAt"].as_i64().unwrap();
        assert_eq!(expires - issued, 90 * 24 * 3600);
        assert!((issued - now_ms() / 1000).abs() < 10);
        assert!(body["clientId"].is_string() && body["clientSecret"].is_string());
        assert_eq!(portal.state().registrations, 1);

        for bad in [
            json!({"clientType": "public"}),
            json!({"clientName": "x"}),
            json!({"clientName": 3, "clientType": "public"}),
            json!({"clientName": "x", "clientType": "public", "grantTypes": ["authorization_code"]}),
            json!([]),
        ] {
            let reply = oidc_post(&portal, "/client/register", &bad);
            assert_oidc_error(&reply, 400, "invalid_request", "InvalidRequestException");
        }
        let confidential = oidc_post(
            &portal,
            "/client/register",
            &json!({"clientName": "x", "clientType": "confidential"}),
        );
        assert_eq!(confidential.status, 400);
        let not_json = request(&portal, "POST", "/client/register", &[], "{");
        assert_oidc_error(&not_json, 400, "invalid_request", "InvalidRequestException");
    }

    #[test]
    fn device_flow_scripts_pending_slow_down_then_issues_a_token() {
        let mut config = PortalConfig {
            default_assignments: vec![dev_account()],
            ..PortalConfig::default()
        };
        config.oidc.device_flow.pending_polls = 2;
        config.oidc.device_flow.slow_down_polls = 1;
        config.oidc.device_flow.interval = 0;
        let portal = start(config);
        let (client_id, client_secret) = register(&portal, json!({}));
        let start_reply = oidc_post(
            &portal,
            "/device_authorization",
            &json!({"clientId": client_id, "clientSecret": client_secret, "startUrl": "https://x.awsapps.com/start"}),
        );
        assert_eq!(start_reply.status, 200, "{}", start_reply.body);
        let auth = start_reply.json();
        assert_eq!(auth["interval"], 0);
        assert_eq!(auth["expiresIn"], 600);
        assert!(auth["userCode"].as_str().unwrap().contains('-'));
        assert!(
            auth["verificationUriComplete"]
                .as_str()
                .unwrap()
                .starts_with(auth["verificationUri"].as_str().unwrap())
        );
        let page = portal_get(
            &portal,
            auth["verificationUri"]
                .as_str()
                .unwrap()
                .trim_start_matches(&portal.url()),
            "",
        );
        assert_eq!(page.status, 200);

        let poll = json!({
            "clientId": client_id, "clientSecret": client_secret,
            "grantType": "urn:ietf:params:oauth:grant-type:device_code",
            "deviceCode": auth["deviceCode"],
        });
        for (code, exception) in [
            ("authorization_pending", "AuthorizationPendingException"),
            ("authorization_pending", "AuthorizationPendingException"),
            ("slow_down", "SlowDownException"),
        ] {
            assert_oidc_error(&oidc_post(&portal, "/token", &poll), 400, code, exception);
        }
        let token = oidc_post(&portal, "/token", &poll);
        assert_eq!(token.status, 200, "{}", token.body);
        let token = token.json();
        assert_eq!(token["tokenType"], "Bearer");
        assert_eq!(token["expiresIn"], 28800);
        let access_token = token["accessToken"].as_str().unwrap();
        assert!(token["refreshToken"].is_string());
        let creds = portal_get(
            &portal,
            "/federation/credentials?role_name=ReadOnly&account_id=111122223333",
            access_token,
        );
        assert_eq!(creds.status, 200, "{}", creds.body);

        // The device code is spent.
        assert_oidc_error(
            &oidc_post(&portal, "/token", &poll),
            400,
            "invalid_grant",
            "InvalidGrantException",
        );
        let state = portal.state();
        assert_eq!(state.device_code_grants, 1);
        assert_eq!(state.device_authorizations, 1);
        let outcomes: Vec<&str> = state.device_polls.iter().map(|p| p.outcome.as_str()).collect();
        assert_eq!(
            outcomes,
            [
                "authorization_pending",
                "authorization_pending",
                "slow_down",
                "issued",
                "invalid_grant"
            ]
        );
        assert!(state.device_polls.windows(2).all(|w| w[0].at_ms <= w[1].at_ms));
        assert_eq!(state.issued_tokens[0].access_token, access_token);
    }

    #[test]
    fn device_flow_denied_expired_and_too_fast() {
        let mut config = PortalConfig::default();
        config.oidc.device_flow.deny = true;
        let portal = start(config);
        let (client_id, client_secret) = register(&portal, json!({}));
        let start_flow = |portal: &FakePortal| {
            let auth = oidc_post(
                portal,
                "/device_authorization",
                &json!({"clientId": client_id, "clientSecret": client_secret, "startUrl": "https://x"}),
            )
            .json();
            json!({
                "clientId": client_id, "clientSecret": client_secret,
                "grantType": "urn:ietf:params:oauth:grant-type:device_code",
                "deviceCode": auth["deviceCode"],
            })
        };
        let poll = start_flow(&portal);
        assert_oidc_error(
            &oidc_post(&portal, "/token", &poll),
            400,
            "access_denied",
            "AccessDeniedException",
        );

        let mut config = PortalConfig::default();
        config.oidc.device_flow.expire = true;
        portal.set_config(config);
        let poll = start_flow(&portal);
        assert_oidc_error(
            &oidc_post(&portal, "/token", &poll),
            400,
            "expired_token",
            "ExpiredTokenException",
        );

        let mut config = PortalConfig::default();
        config.oidc.device_flow.expires_in = 0;
        portal.set_config(config);
        let poll = start_flow(&portal);
        std::thread::sleep(Duration::from_millis(5));
        assert_oidc_error(
            &oidc_post(&portal, "/token", &poll),
            400,
            "expired_token",
            "ExpiredTokenException",
        );

        let mut config = PortalConfig::default();
        config.oidc.device_flow.enforce_interval = true;
        config.oidc.device_flow.pending_polls = 5;
        portal.set_config(config);
        let poll = start_flow(&portal);
        assert_eq!(oidc_post(&portal, "/token", &poll).error(), "authorization_pending");
        assert_eq!(oidc_post(&portal, "/token", &poll).error(), "slow_down");

        let foreign = json!({
            "clientId": client_id, "clientSecret": client_secret,
            "grantType": "urn:ietf:params:oauth:grant-type:device_code", "deviceCode": "made-up",
        });
        assert_eq!(oidc_post(&portal, "/token", &foreign).error(), "invalid_grant");
    }

    #[test]
    fn clients_are_checked() {
        let config: PortalConfig = serde_json::from_value(json!({
            "clients": {
                "old-client": {"clientSecret": "s", "clientSecretExpiresAt": 1_000_000_000},
                "good-client": {"clientSecret": "s"}
            },
            "oidc": {"refreshTokens": {"r": {}}}
        }))
        .unwrap();
        let portal = start(config);
        for (id, secret) in [("old-client", "s"), ("good-client", "wrong"), ("nobody", "s")] {
            let start_reply = oidc_post(
                &portal,
                "/device_authorization",
                &json!({"clientId": id, "clientSecret": secret, "startUrl": "https://x"}),
            );
            assert_oidc_error(&start_reply, 401, "invalid_client", "InvalidClientException");
            let refresh = oidc_post(
                &portal,
                "/token",
                &json!({"clientId": id, "clientSecret": secret, "grantType": "refresh_token", "refreshToken": "r"}),
            );
            assert_oidc_error(&refresh, 401, "invalid_client", "InvalidClientException");
        }
        let missing_start_url = oidc_post(
            &portal,
            "/device_authorization",
            &json!({"clientId": "good-client", "clientSecret": "s"}),
        );
        assert_oidc_error(&missing_start_url, 400, "invalid_request", "InvalidRequestException");
        let unsupported = oidc_post(
            &portal,
            "/token",
            &json!({"clientId": "good-client", "clientSecret": "s", "grantType": "password"}),
        );
        assert_oidc_error(
            &unsupported,
            400,
            "unsupported_grant_type",
            "UnsupportedGrantTypeException",
        );
        assert_eq!(portal.state().refresh_grants, 0);
    }

    #[test]
    fn refresh_grant_issues_a_token_with_the_old_tokens_assignments() {
        let config: PortalConfig = serde_json::from_value(json!({
            "tokens": {"old": {"assignments": [{"accountId": "111122223333", "accountName": "dev",
                                                 "emailAddress": "dev@example.com", "roles": ["ReadOnly"]}],
                               "expired": true}},
            "clients": {"c": {"clientSecret": "s"}},
            "oidc": {"refreshTokens": {
                "r1": {"accessToken": "new", "assignmentsFrom": "old", "newRefreshToken": "r2", "expiresIn": 900},
                "r-plain": {},
                "r-short": {"accessToken": "short", "assignmentsFrom": "old", "expiresIn": 0}
            }}
        }))
        .unwrap();
        let portal = start(config);
        let target = "/federation/credentials?role_name=ReadOnly&account_id=111122223333";
        assert_eq!(portal_get(&portal, target, "old").status, 401);

        let refresh = |token: &str| {
            oidc_post(
                &portal,
                "/token",
                &json!({"clientId": "c", "clientSecret": "s", "grantType": "refresh_token", "refreshToken": token}),
            )
        };
        let reply = refresh("r1");
        assert_eq!(reply.status, 200, "{}", reply.body);
        assert_eq!(
            reply.json(),
            json!({"accessToken": "new", "tokenType": "Bearer", "expiresIn": 900, "refreshToken": "r2"})
        );
        assert_eq!(portal.state().refresh_grants, 1);
        assert_eq!(portal_get(&portal, target, "new").status, 200);

        // The rotated refresh token works too; a grant without newRefreshToken returns none.
        assert_eq!(refresh("r2").status, 200);
        let plain = refresh("r-plain").json();
        assert!(plain.get("refreshToken").is_none());
        assert_eq!(plain["expiresIn"], 28800);
        assert_eq!(portal.state().refresh_grants, 3);

        // Issued tokens expire on the server after expiresIn.
        assert_eq!(refresh("r-short").json()["expiresIn"], 0);
        assert_eq!(portal_get(&portal, target, "short").status, 401);
        assert_eq!(portal.state().refresh_grants, 4);

        let unknown = refresh("nope");
        assert_oidc_error(&unknown, 400, "invalid_grant", "InvalidGrantException");
        assert_eq!(portal.state().refresh_grants, 4);
        let missing = oidc_post(
            &portal,
            "/token",
            &json!({"clientId": "c", "clientSecret": "s", "grantType": "refresh_token"}),
        );
        assert_oidc_error(&missing, 400, "invalid_request", "InvalidRequestException");
    }

    #[test]
    fn single_use_and_client_bound_refresh_tokens() {
        let mut config = PortalConfig::default();
        for id in ["a", "b"] {
            config
                .clients
                .insert(id.into(), serde_json::from_value(json!({"clientSecret": "s"})).unwrap());
        }
        config.oidc.refresh_tokens.insert(
            "once".into(),
            RefreshGrant {
                single_use: true,
                ..RefreshGrant::default()
            },
        );
        config.oidc.refresh_tokens.insert(
            "for-a".into(),
            RefreshGrant {
                client_id: Some("a".into()),
                ..RefreshGrant::default()
            },
        );
        let portal = start(config);
        let refresh = |client: &str, token: &str| {
            oidc_post(
                &portal,
                "/token",
                &json!({"clientId": client, "clientSecret": "s", "grantType": "refresh_token", "refreshToken": token}),
            )
        };
        let first = refresh("a", "once");
        assert_eq!(first.status, 200);
        let generated = first.json()["accessToken"].as_str().unwrap().to_owned();
        assert!(portal.token_is_valid(&generated));
        assert_eq!(refresh("a", "once").error(), "invalid_grant");
        assert_eq!(refresh("b", "for-a").error(), "invalid_grant");
        assert_eq!(refresh("a", "for-a").status, 200);
    }

    fn authorize_target(client_id: &str, redirect: &str, state: &str, challenge: &str) -> String {
        format!(
            "/authorize?response_type=code&client_id={client_id}&redirect_uri={}&state={state}\
             &code_challenge_method=S256&scopes=sso%3Aaccount%3Aaccess&code_challenge={challenge}",
            redirect.replace(':', "%3A").replace('/', "%2F")
        )
    }

    fn query_param(location: &str, name: &str) -> Option<String> {
        location
            .split_once('?')?
            .1
            .split('&')
            .find_map(|p| p.strip_prefix(&format!("{name}=")).map(str::to_owned))
    }

    #[test]
    fn authorization_code_with_pkce() {
        let portal = start(PortalConfig {
            default_assignments: vec![dev_account()],
            ..PortalConfig::default()
        });
        let (client_id, client_secret) = register(
            &portal,
            json!({"grantTypes": ["authorization_code", "refresh_token"],
                   "redirectUris": ["http://127.0.0.1/oauth/callback"],
                   "issuerUrl": "https://x.awsapps.com/start"}),
        );
        let verifier = "v".repeat(20) + &"A-._~".repeat(9);
        let challenge = s256(&verifier);
        let redirect = "http://127.0.0.1:4242/oauth/callback";
        let reply = portal_get(&portal, &authorize_target(&client_id, redirect, "st8", &challenge), "");
        assert_eq!(reply.status, 302, "{}", reply.body);
        let location = reply.header("location").unwrap().to_owned();
        assert!(location.starts_with(&format!("{redirect}?code=")), "{location}");
        assert_eq!(query_param(&location, "state").as_deref(), Some("st8"));
        let code = query_param(&location, "code").unwrap();

        let exchange = |code: &str, redirect: &str, verifier: &str| {
            oidc_post(
                &portal,
                "/token",
                &json!({"clientId": client_id, "clientSecret": client_secret, "grantType": "authorization_code",
                        "code": code, "redirectUri": redirect, "codeVerifier": verifier}),
            )
        };
        let wrong_verifier = "w".repeat(64);
        assert_eq!(exchange(&code, redirect, &wrong_verifier).error(), "invalid_grant");
        assert_eq!(
            exchange(&code, "http://127.0.0.1:4243/oauth/callback", &verifier).error(),
            "invalid_grant"
        );
        let token = exchange(&code, redirect, &verifier);
        assert_eq!(token.status, 200, "{}", token.body);
        let access_token = token.json()["accessToken"].as_str().unwrap().to_owned();
        assert!(portal.token_is_valid(&access_token));
        assert_eq!(
            exchange(&code, redirect, &verifier).error(),
            "invalid_grant",
            "codes are single-use"
        );
        assert_eq!(exchange("made-up", redirect, &verifier).error(), "invalid_grant");
        let state = portal.state();
        assert_eq!(state.authorization_code_grants, 1);
        assert_eq!(state.authorizations, 1);

        // The refresh token of the authorization-code grant works for that client.
        let refresh_token = token.json()["refreshToken"].as_str().unwrap().to_owned();
        let refreshed = oidc_post(
            &portal,
            "/token",
            &json!({"clientId": client_id, "clientSecret": client_secret, "grantType": "refresh_token",
                    "refreshToken": refresh_token}),
        );
        assert_eq!(refreshed.status, 200, "{}", refreshed.body);
    }

    #[test]
    fn authorize_denies_misleads_and_validates() {
        let portal = start(PortalConfig::default());
        let (client_id, _) = register(
            &portal,
            json!({"grantTypes": ["authorization_code", "refresh_token"],
                   "redirectUris": ["http://127.0.0.1/oauth/callback"]}),
        );
        let (device_only, _) = register(&portal, json!({"grantTypes": ["refresh_token"]}));
        let challenge = s256(&"x".repeat(64));
        let redirect = "http://127.0.0.1:5555/oauth/callback";

        let mut config = PortalConfig::default();
        config.oidc.authorize.deny = true;
        portal.set_config(config);
        let denied = portal_get(&portal, &authorize_target(&client_id, redirect, "s1", &challenge), "");
        assert_eq!(denied.status, 302);
        let location = denied.header("location").unwrap();
        assert_eq!(query_param(location, "error").as_deref(), Some("access_denied"));
        assert_eq!(query_param(location, "state").as_deref(), Some("s1"));
        assert!(query_param(location, "code").is_none());

        let mut config = PortalConfig::default();
        config.oidc.authorize.wrong_state = true;
        portal.set_config(config);
        let misled = portal_get(&portal, &authorize_target(&client_id, redirect, "s1", &challenge), "");
        let state = query_param(misled.header("location").unwrap(), "state").unwrap();
        assert_ne!(state, "s1");

        portal.set_config(PortalConfig::default());
        for target in [
            authorize_target(&client_id, "http://127.0.0.1/oauth/callback", "s", &challenge),
            authorize_target(&client_id, "http://localhost:5555/oauth/callback", "s", &challenge),
            authorize_target(&client_id, redirect, "", &challenge),
            authorize_target(&client_id, redirect, "s", "short"),
            authorize_target(&device_only, redirect, "s", &challenge),
            authorize_target(&client_id, redirect, "s", &challenge).replace("S256", "plain"),
            authorize_target(&client_id, redirect, "s", &challenge) + "&extra=1",
        ] {
            let reply = portal_get(&portal, &target, "");
            assert_eq!(reply.status, 400, "{target}: {}", reply.body);
        }
        let unknown = portal_get(&portal, &authorize_target("nobody", redirect, "s", &challenge), "");
        assert_eq!(unknown.error(), "invalid_client");
    }
}

// Injected misbehaviour: throttling, server errors, network faults, latency.
mod faults {
    use super::*;

    const CREDS: &str = "/federation/credentials?role_name=ReadOnly&account_id=111122223333";

    fn base() -> PortalConfig {
        PortalConfig::with_token("tok", vec![dev_account()])
    }

    #[test]
    fn fail_first_throttles_then_serves() {
        let mut config = base();
        config.throttle.fail_first = 2;
        config.throttle.retry_after_seconds = Some(3);
        let portal = start(config);
        for _ in 0..2 {
            let reply = portal_get(&portal, CREDS, "tok");
            assert_eq!(reply.status, 429);
            assert_eq!(reply.error(), "TooManyRequestsException");
            assert_eq!(reply.header("retry-after"), Some("3"));
            assert!(
                reply
                    .header("x-amzn-ErrorType")
                    .unwrap()
                    .starts_with("TooManyRequestsException:")
            );
        }
        assert_eq!(portal_get(&portal, CREDS, "tok").status, 200);
        assert_eq!(portal.state().throttled, 2);
        assert_eq!(portal.state().credentials_served, 1);
        let statuses: Vec<_> = portal.requests().iter().map(|r| r.status).collect();
        assert_eq!(statuses, [Some(429), Some(429), Some(200)]);
    }

    #[test]
    fn budget_per_second_is_a_token_bucket() {
        let mut config = base();
        config.throttle.budget_per_second = Some(3);
        let portal = start(config);
        let statuses: Vec<u16> = (0..5).map(|_| portal_get(&portal, CREDS, "tok").status).collect();
        assert_eq!(&statuses[..3], [200, 200, 200]);
        assert!(statuses[3..].contains(&429), "{statuses:?}");
        std::thread::sleep(Duration::from_millis(400));
        assert_eq!(portal_get(&portal, CREDS, "tok").status, 200);
    }

    #[test]
    fn fail_first_with_500_in_each_services_style() {
        let mut config = base();
        config.fail_first_with_500 = 1;
        let portal = start(config.clone());
        let reply = portal_get(&portal, CREDS, "tok");
        assert_eq!(reply.status, 500);
        assert_eq!(reply.error(), "InternalServerException");
        assert_eq!(portal_get(&portal, CREDS, "tok").status, 200);

        portal.set_config(config);
        let reply = oidc_post(&portal, "/token", &json!({}));
        assert_eq!(reply.status, 500);
        assert_eq!(reply.error(), "server_error");
        assert_eq!(portal.state().server_errors, 2);
    }

    #[test]
    fn reset_closes_with_a_tcp_reset_then_fault_count_restores_service() {
        let mut config = base();
        config.fault = ssocreds_tests::fake_portal::Fault::Reset;
        config.fault_count = Some(1);
        let portal = start(config);
        let request = format!("GET {CREDS} HTTP/1.1\r\nHost: x\r\nx-amz-sso_bearer_token: tok\r\n\r\n");
        let error = raw(&portal, request.as_bytes(), Duration::from_secs(5)).unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::ConnectionReset, "{error}");
        assert_eq!(portal_get(&portal, CREDS, "tok").status, 200);
        assert_eq!(portal.state().faults, 1);
        assert_eq!(portal.requests()[0].status, None);
    }

    #[test]
    fn half_body_announces_more_than_it_sends() {
        let mut config = base();
        config.fault = ssocreds_tests::fake_portal::Fault::HalfBody;
        let portal = start(config);
        let request = format!("GET {CREDS} HTTP/1.1\r\nHost: x\r\nx-amz-sso_bearer_token: tok\r\n\r\n");
        let bytes = raw(&portal, request.as_bytes(), Duration::from_secs(5)).unwrap();
        let text = String::from_utf8(bytes).unwrap();
        let (head, body) = text.split_once("\r\n\r\n").unwrap();
        assert!(head.starts_with("HTTP/1.1 200"));
        let length: usize = head
            .lines()
            .find_map(|l| l.strip_prefix("Content-Length: "))
            .unwrap()
            .parse()
            .unwrap();
        assert!(body.len() < length, "{} < {length}", body.len());
        assert!(body.starts_with(r#"{"roleCredentials":"#));
    }

    #[test]
    fn invalid_json_is_a_200_with_a_truncated_body() {
        let mut config = base();
        config.fault = ssocreds_tests::fake_portal::Fault::InvalidJson;
        let portal = start(config);
        let reply = portal_get(&portal, CREDS, "tok");
        assert_eq!(reply.status, 200);
        assert_eq!(reply.body, r#"{"roleCredentials": {"#);
    }

    #[test]
    fn hang_never_answers_and_drop_still_stops_the_server() {
        let mut config = base();
        config.fault = ssocreds_tests::fake_portal::Fault::Hang;
        let portal = start(config);
        let request = format!("GET {CREDS} HTTP/1.1\r\nHost: x\r\nx-amz-sso_bearer_token: tok\r\n\r\n");
        let error = raw(&portal, request.as_bytes(), Duration::from_millis(300)).unwrap_err();
        assert!(
            matches!(error.kind(), io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut),
            "{error}"
        );
        let address = addr(&portal);
        let started = Instant::now();
        drop(portal);
        assert!(started.elapsed() < Duration::from_secs(2));
        assert!(TcpStream::connect(address).is_err(), "server stopped");
    }

    #[test]
    fn fault_paths_limit_where_faults_apply() {
        let mut config = base();
        config.fault = ssocreds_tests::fake_portal::Fault::InvalidJson;
        config.fault_paths = vec!["/federation/".into()];
        config.throttle.fail_first = 1;
        let portal = start(config);
        assert_eq!(portal_get(&portal, "/assignment/accounts", "tok").status, 200);
        assert_eq!(portal_get(&portal, CREDS, "tok").body, r#"{"roleCredentials": {"#);
    }

    #[test]
    fn latency_delays_answers() {
        let mut config = base();
        config.latency_ms = 150;
        let portal = start(config);
        let started = Instant::now();
        assert_eq!(portal_get(&portal, CREDS, "tok").status, 200);
        assert!(started.elapsed() >= Duration::from_millis(150));
    }
}

// HTTP details the clients under test may rely on.
mod http_details {
    use super::*;

    #[test]
    fn chunked_bodies_and_expect_continue() {
        let portal = start(PortalConfig::default());
        let body = r#"{"clientName":"x","clientType":"public"}"#;
        let chunked = format!(
            "POST /client/register HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n{:x}\r\n{body}\r\n0\r\n\r\n",
            body.len()
        );
        let reply = parse_reply(&raw(&portal, chunked.as_bytes(), Duration::from_secs(5)).unwrap());
        assert_eq!(reply.status, 200, "{}", reply.body);

        // A client that waits for 100 Continue before sending the body.
        let mut stream = TcpStream::connect(addr(&portal)).unwrap();
        stream.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        write!(
            stream,
            "POST /client/register HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: {}\r\n\r\n",
            body.len()
        )
        .unwrap();
        let mut interim = [0u8; 25];
        stream.read_exact(&mut interim).unwrap();
        assert_eq!(&interim, b"HTTP/1.1 100 Continue\r\n\r\n");
        stream.write_all(body.as_bytes()).unwrap();
        let mut rest = Vec::new();
        stream.read_to_end(&mut rest).unwrap();
        assert_eq!(parse_reply(&rest).status, 200);
    }

    #[test]
    fn every_answer_closes_the_connection_and_has_a_request_id() {
        let portal = start(PortalConfig::default());
        let reply = portal_get(&portal, "/assignment/accounts", "");
        assert_eq!(reply.header("connection"), Some("close"));
        assert!(reply.header("x-amzn-RequestId").is_some());
    }
}

// The control plane used by the Node tests and the binary.
mod control_plane {
    use super::*;

    #[test]
    fn config_requests_and_state_over_http() {
        let portal = start(PortalConfig::default());
        let target = "/federation/credentials?role_name=ReadOnly&account_id=111122223333";
        assert_eq!(portal_get(&portal, target, "tok").status, 401);

        let config = json!({"tokens": {"tok": {"assignments": [
            {"accountId": "111122223333", "accountName": "dev", "emailAddress": "d@example.com", "roles": ["ReadOnly"]}
        ]}}});
        let set = oidc_post(&portal, "/__fake/config", &config);
        assert_eq!(set.status, 200, "{}", set.body);
        assert_eq!(portal_get(&portal, target, "tok").status, 200);

        let bad = oidc_post(&portal, "/__fake/config", &json!({"pageSise": 3}));
        assert_eq!(bad.status, 400);
        assert!(bad.json()["message"].as_str().unwrap().contains("pageSise"));

        let requests = portal_get(&portal, "/__fake/requests", "").json();
        let requests = requests.as_array().unwrap();
        assert_eq!(requests.len(), 2, "control-plane requests are not recorded");
        assert_eq!(requests[1]["path"], "/federation/credentials");
        assert_eq!(requests[1]["headers"]["x-amz-sso_bearer_token"], "tok");
        assert_eq!(requests[1]["status"], 200);
        assert!(requests[1]["receivedAtMs"].is_u64());

        let state = portal_get(&portal, "/__fake/state", "").json();
        assert_eq!(state["credentialsServed"], 1);
        assert_eq!(state["requestsReceived"], 2);

        let current = portal_get(&portal, "/__fake/config", "").json();
        assert_eq!(current["pageSize"], 20);

        assert_eq!(request(&portal, "DELETE", "/__fake/requests", &[], "").status, 200);
        assert!(portal.requests().is_empty());
        assert_eq!(portal_get(&portal, "/__fake/nothing", "").status, 404);
    }

    #[test]
    fn set_config_keeps_tokens_the_server_issued() {
        let config: PortalConfig = serde_json::from_value(json!({
            "clients": {"c": {"clientSecret": "s"}},
            "defaultAssignments": [{"accountId": "111122223333", "accountName": "dev",
                                    "emailAddress": "d@example.com", "roles": ["ReadOnly"]}],
            "oidc": {"refreshTokens": {"r": {"accessToken": "issued"}}}
        }))
        .unwrap();
        let portal = start(config);
        let reply = oidc_post(
            &portal,
            "/token",
            &json!({"clientId": "c", "clientSecret": "s", "grantType": "refresh_token", "refreshToken": "r"}),
        );
        assert_eq!(reply.status, 200, "{}", reply.body);
        portal.set_config(PortalConfig::default());
        assert!(portal.token_is_valid("issued"));
        assert!(!portal.token_is_valid("r"));
    }
}

// The `fake-portal` binary.
mod binary {
    use super::*;
    use std::io::BufRead;
    use std::process::{Command, Stdio};

    const BIN: &str = env!("CARGO_BIN_EXE_fake-portal");

    #[test]
    fn demo_fixture_matches_the_demo_config() {
        let fixture: Value = serde_json::from_str(
            &std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/demo-cache.json")).unwrap(),
        )
        .unwrap();
        let config = PortalConfig::demo();
        let token = fixture["accessToken"].as_str().unwrap();
        assert!(config.tokens.contains_key(token));
        assert_eq!(config.tokens[token].assignments[0].roles, ["ReadOnly", "Admin"]);
    }

    #[test]
    fn serves_and_prints_its_url() {
        let mut child = Command::new(BIN).arg("--demo").stdout(Stdio::piped()).spawn().unwrap();
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let url = line.trim_end().to_owned();
        let result = std::panic::catch_unwind(|| {
            assert!(url.starts_with("http://127.0.0.1:"), "{url}");
            let request = "GET /federation/credentials?role_name=Admin&account_id=111122223333 HTTP/1.1\r\n\
                 Host: x\r\nx-amz-sso_bearer_token: demo-access-token-not-a-secret\r\n\r\n";
            let mut stream = TcpStream::connect(url.trim_start_matches("http://")).unwrap();
            stream.write_all(request.as_bytes()).unwrap();
            let mut out = Vec::new();
            stream.read_to_end(&mut out).unwrap();
            assert_eq!(parse_reply(&out).status, 200);
        });
        child.kill().unwrap();
        child.wait().unwrap();
        result.unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn run_passes_the_endpoints_and_the_exit_code() {
        let output = Command::new(BIN)
            .args([
                "run",
                "--demo",
                "--",
                "sh",
                "-c",
                "echo \"$AWS_ENDPOINT_URL_SSO $AWS_ENDPOINT_URL_SSO_OIDC\"; exit 3",
            ])
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(3));
        let stdout = String::from_utf8(output.stdout).unwrap();
        let urls: Vec<&str> = stdout.split_whitespace().collect();
        assert_eq!(urls.len(), 2, "{stdout}");
        assert!(urls[0].starts_with("http://127.0.0.1:"));
        assert_eq!(urls[0], urls[1]);
    }

    #[test]
    fn bad_arguments_exit_2() {
        let output = Command::new(BIN).arg("--bogus").output().unwrap();
        assert_eq!(output.status.code(), Some(2));
        let output = Command::new(BIN).args(["run", "--demo"]).output().unwrap();
        assert_eq!(output.status.code(), Some(2));
    }
}
