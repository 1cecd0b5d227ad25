//! Tests of the fake console federation endpoint (`GET /federation`), driven by the core's own request builders and
//! parsers over real sockets: the fake must accept what `ssocreds console` will send, and refuse everything else.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use serde_json::json;
use sso_core::{
    AccountId, CallContext, ConsoleDestination, ConsoleSessionDuration, CredentialOrigin, Endpoint, HttpRequest,
    HttpResponse, Method, Partition, RoleCredentials, RoleName, SecretString, SigninErrorKind,
    get_role_credentials_request, login_url, parse_get_role_credentials_response, parse_signin_token_response,
    signin_token_request,
};
use ssocreds_tests::fake_portal::{
    Account, CredentialsOverride, FakePortal, FederationAnswer, FederationConfig, PortalConfig, signin_token_for,
};

const TOKEN: &str = "access-token";
const ACCOUNT: &str = "111122223333";
const ROLE: &str = "Admin";

/// Sends a request over a fresh connection (the fake closes each one after its answer) and reads the answer.
fn send(request: &HttpRequest) -> HttpResponse {
    let rest = request.url.strip_prefix("http://").expect("a loopback http URL");
    let (authority, target) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let mut text = format!(
        "{} {target} HTTP/1.1\r\nHost: {authority}\r\nConnection: close\r\n",
        request.method.as_str()
    );
    for (name, value) in &request.headers {
        text.push_str(&format!("{name}: {value}\r\n"));
    }
    text.push_str("\r\n");
    let mut stream = TcpStream::connect(authority).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    stream.write_all(text.as_bytes()).unwrap();
    let mut bytes = Vec::new();
    stream.read_to_end(&mut bytes).unwrap();
    let end = bytes
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a complete head");
    let head = String::from_utf8(bytes[..end].to_vec()).unwrap();
    let mut lines = head.split("\r\n");
    let status = lines.next().unwrap().split(' ').nth(1).unwrap().parse().unwrap();
    let headers = lines
        .map(|line| {
            let (name, value) = line.split_once(':').unwrap();
            (name.trim().to_owned(), value.trim().to_owned())
        })
        .collect();
    HttpResponse {
        status,
        headers,
        body: bytes[end + 4..].to_vec(),
    }
}

fn get(portal: &FakePortal, target: &str) -> HttpResponse {
    send(&HttpRequest {
        method: Method::Get,
        url: format!("{}{target}", portal.url()),
        headers: vec![],
        body: None,
        body_is_secret: false,
    })
}

fn start(config: PortalConfig) -> FakePortal {
    FakePortal::start(config).unwrap()
}

fn config() -> PortalConfig {
    PortalConfig::with_token(TOKEN, vec![Account::new(ACCOUNT, "dev", &[ROLE])])
}

fn endpoint(portal: &FakePortal) -> Endpoint {
    Endpoint::custom(&portal.url()).unwrap()
}

/// Role credentials from the fake portal, as `ssocreds` fetches them.
fn fetch_credentials(portal: &FakePortal) -> RoleCredentials {
    let account = AccountId::new(ACCOUNT).unwrap();
    let role = RoleName::new(ROLE).unwrap();
    let request = get_role_credentials_request(&endpoint(portal), &SecretString::new(TOKEN), &account, &role);
    let context = CallContext {
        operation: "GetRoleCredentials",
        account_id: Some(account),
        ..CallContext::default()
    };
    parse_get_role_credentials_response(&send(&request), &context).unwrap()
}

fn ask_token(portal: &FakePortal, credentials: &RoleCredentials) -> Result<SecretString, sso_core::SigninError> {
    let request = signin_token_request(&endpoint(portal), credentials, None, CredentialOrigin::Portal).unwrap();
    parse_signin_token_response(&send(request.http_request()))
}

fn with_answer(answer: FederationAnswer) -> PortalConfig {
    PortalConfig {
        federation: FederationConfig { answer },
        ..config()
    }
}

// What `ssocreds console` sends: credentials the portal issued get a predictable token.
mod issued_credentials {
    use super::*;

    #[test]
    fn get_a_token_that_depends_only_on_the_credentials() {
        let portal = start(config());
        let credentials = fetch_credentials(&portal);
        let token = ask_token(&portal, &credentials).unwrap();
        assert_eq!(
            token.expose(),
            signin_token_for(
                &credentials.access_key_id,
                credentials.secret_access_key.expose(),
                credentials.session_token.expose()
            )
        );
        assert_eq!(ask_token(&portal, &credentials).unwrap(), token);
        assert_eq!(portal.state().signin_tokens_issued, 2);
        let recorded = portal.requests().pop().unwrap();
        assert_eq!(
            (recorded.method.as_str(), recorded.path.as_str()),
            ("GET", "/federation")
        );
        assert_eq!(recorded.status, Some(200));
    }

    #[test]
    fn a_session_duration_in_range_is_accepted_and_one_out_of_range_is_not() {
        let portal = start(config());
        let credentials = fetch_credentials(&portal);
        let hour = ConsoleSessionDuration::from_seconds(3600).unwrap();
        let request =
            signin_token_request(&endpoint(&portal), &credentials, Some(hour), CredentialOrigin::Portal).unwrap();
        assert!(parse_signin_token_response(&send(request.http_request())).is_ok());
        let url = request
            .http_request()
            .url
            .replace("SessionDuration=3600", "SessionDuration=60");
        let mut altered = request.http_request().clone();
        altered.url = url;
        let short = send(&altered);
        assert_eq!(short.status, 400);
    }

    #[test]
    fn the_login_url_redirects_to_the_destination() {
        let portal = start(config());
        let credentials = fetch_credentials(&portal);
        let token = ask_token(&portal, &credentials).unwrap();
        let destination = ConsoleDestination::resolve(Partition::Aws, None, Some("s3")).unwrap();
        let login = login_url(&endpoint(&portal), &destination, &token);
        let answer = send(&HttpRequest {
            method: Method::Get,
            url: login.expose().to_owned(),
            headers: vec![],
            body: None,
            body_is_secret: false,
        });
        assert_eq!(answer.status, 302);
        assert_eq!(answer.header("location"), Some(destination.as_str()));
        let unknown = login.expose().replace("SigninToken=fake-signin-", "SigninToken=other-");
        assert_eq!(get(&portal, unknown.strip_prefix(&portal.url()).unwrap()).status, 400);
    }
}

// Credentials the portal did not issue, or issued and since expired, are refused with 400.
mod refused_credentials {
    use super::*;

    #[test]
    fn altered_or_unknown_credentials_get_400() {
        let portal = start(config());
        let issued = fetch_credentials(&portal);
        let mut wrong_secret = issued.clone();
        wrong_secret.secret_access_key = SecretString::new("not-the-secret");
        let mut wrong_token = issued.clone();
        wrong_token.session_token = SecretString::new(format!("{}x", issued.session_token.expose()));
        let mut unknown_id = issued.clone();
        unknown_id.access_key_id = "ASIANEVERISSUED0000".into();
        for credentials in [wrong_secret, wrong_token, unknown_id] {
            let error = ask_token(&portal, &credentials).unwrap_err();
            assert_eq!((error.kind, error.status), (SigninErrorKind::CredentialsRefused, 400));
        }
        assert_eq!(portal.state().signin_tokens_issued, 0);
    }

    #[test]
    fn expired_credentials_get_400() {
        let mut config = config();
        config.credentials.insert(
            format!("{ACCOUNT}/{ROLE}"),
            CredentialsOverride {
                access_key_id: "ASIAEXPIRED000000000".into(),
                secret_access_key: "secret".into(),
                session_token: "session".into(),
                expiration: Some(1_000),
            },
        );
        let portal = start(config);
        let credentials = fetch_credentials(&portal);
        let error = ask_token(&portal, &credentials).unwrap_err();
        assert_eq!(error.kind, SigninErrorKind::CredentialsRefused);
    }

    #[test]
    fn malformed_requests_get_400_or_405() {
        let portal = start(config());
        let credentials = fetch_credentials(&portal);
        let session = |value: serde_json::Value| {
            let text = value.to_string();
            let encoded: String = text
                .bytes()
                .map(|b| {
                    if b.is_ascii_alphanumeric() {
                        char::from(b).to_string()
                    } else {
                        format!("%{b:02X}")
                    }
                })
                .collect();
            format!("/federation?Action=getSigninToken&Session={encoded}")
        };
        let good = json!({
            "sessionId": credentials.access_key_id,
            "sessionKey": credentials.secret_access_key.expose(),
            "sessionToken": credentials.session_token.expose(),
        });
        assert_eq!(get(&portal, &session(good.clone())).status, 200);
        let mut extra = good.clone();
        extra["extra"] = json!("x");
        let mut missing = good.clone();
        missing.as_object_mut().unwrap().remove("sessionToken");
        for target in [
            session(extra),
            session(missing),
            session(json!(["not", "an", "object"])),
            "/federation?Action=getSigninToken".to_owned(),
            "/federation?Action=getSigninToken&Session=%7B".to_owned(),
            format!("{}&Other=1", session(good.clone())),
            format!("{}&SessionDuration=abc", session(good.clone())),
            "/federation?Action=unknown".to_owned(),
            "/federation".to_owned(),
            "/federation?Action=login&SigninToken=x".to_owned(),
        ] {
            let answer = get(&portal, &target);
            assert_eq!(answer.status, 400, "{target}");
            assert!(
                answer.header("content-type").unwrap().starts_with("text/html"),
                "{target}"
            );
        }
        let post = send(&HttpRequest {
            method: Method::Post,
            url: format!("{}{}", portal.url(), session(good)),
            headers: vec![("content-length".into(), "0".into())],
            body: None,
            body_is_secret: false,
        });
        assert_eq!(post.status, 405);
    }
}

// `federation.answer` scripts the error paths of `ssocreds console`.
mod configured_answers {
    use super::*;

    #[test]
    fn each_answer_reaches_the_client_as_its_kind() {
        for (answer, status, kind) in [
            (FederationAnswer::BadRequest, 400, SigninErrorKind::CredentialsRefused),
            (FederationAnswer::Forbidden, 403, SigninErrorKind::Forbidden),
            (FederationAnswer::ServerError, 500, SigninErrorKind::Server),
            (FederationAnswer::Html, 200, SigninErrorKind::UnexpectedResponse),
        ] {
            let portal = start(with_answer(answer));
            let credentials = fetch_credentials(&portal);
            let error = ask_token(&portal, &credentials).unwrap_err();
            assert_eq!((error.kind, error.status), (kind, status), "{answer:?}");
            assert_eq!(portal.state().signin_tokens_issued, 0);
        }
        let portal = start(with_answer(FederationAnswer::Html));
        let error = ask_token(&portal, &fetch_credentials(&portal)).unwrap_err();
        assert!(error.to_string().contains("an HTML page"), "{error}");
    }

    #[test]
    fn answers_can_change_at_runtime_and_faults_apply_to_the_path() {
        let portal = start(config());
        let credentials = fetch_credentials(&portal);
        portal.set_config(with_answer(FederationAnswer::ServerError));
        assert_eq!(
            ask_token(&portal, &credentials).unwrap_err().kind,
            SigninErrorKind::Server
        );
        portal.set_config(PortalConfig {
            fail_first_with_500: 1,
            fault_paths: vec!["/federation".into()],
            ..config()
        });
        // The credentials were issued before the config changed: they stay known.
        assert_eq!(
            ask_token(&portal, &credentials).unwrap_err().kind,
            SigninErrorKind::Server
        );
        assert!(ask_token(&portal, &credentials).is_ok());
    }

    #[test]
    fn the_config_names_are_camel_case() {
        for (name, answer) in [
            ("token", FederationAnswer::Token),
            ("badRequest", FederationAnswer::BadRequest),
            ("forbidden", FederationAnswer::Forbidden),
            ("serverError", FederationAnswer::ServerError),
            ("html", FederationAnswer::Html),
        ] {
            let config: PortalConfig = serde_json::from_value(json!({ "federation": { "answer": name } })).unwrap();
            assert_eq!(config.federation.answer, answer);
        }
        assert!(serde_json::from_value::<PortalConfig>(json!({ "federation": { "anwser": "html" } })).is_err());
        assert!(serde_json::from_value::<PortalConfig>(json!({ "federation": { "answer": "teapot" } })).is_err());
        assert_eq!(PortalConfig::default().federation.answer, FederationAnswer::Token);
    }
}
