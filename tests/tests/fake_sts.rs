//! Tests of the fake STS (`POST /`, `Action=AssumeRole`) over real sockets: requests built and signed by
//! `sso-core`'s STS module, answers read by its parser, and an interop test in which botocore resolves the same
//! role-chain profile against the same fake.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Duration;

use chrono::Utc;
use sso_core::{
    AssumeRole, AssumedRole, ChainEnvironment, ChainInputs, Endpoint, HttpRequest, HttpResponse, Region, RoleArn,
    RoleCredentials, SecretString, StsEndpoint, StsErrorKind, assume_role_request, parse_assume_role_response,
    parse_config, resolve_role_chain,
};
use ssocreds_tests::fake_portal::{Account, FakePortal, PortalConfig, StsConfig, StsFault};

const TOKEN: &str = "sts-test-token";
const SSO_ACCOUNT: &str = "111122223333";
const DEPLOY: &str = "arn:aws:iam::444455556666:role/Deploy";
const AUDIT: &str = "arn:aws:iam::777788889999:role/team/Audit";
const MFA: &str = "arn:aws:iam::111122223333:mfa/alice";

fn config(sts: StsConfig) -> PortalConfig {
    let mut config = PortalConfig::with_token(TOKEN, vec![Account::new(SSO_ACCOUNT, "sso", &["Admin"])]);
    config.sts = sts;
    config
}

fn start(sts: StsConfig) -> FakePortal {
    FakePortal::start(config(sts)).expect("the fake portal starts")
}

/// Sends a request to the fake (which closes the connection after answering) and reads the answer.
fn send(portal: &FakePortal, request: &HttpRequest) -> HttpResponse {
    let base = portal.url();
    let path = request.url.strip_prefix(&base).expect("the request goes to the fake");
    let host = base.trim_start_matches("http://");
    let body = request.body.clone().unwrap_or_default();
    let mut head = format!(
        "{} {path} HTTP/1.1\r\nHost: {host}\r\nContent-Length: {}\r\n",
        request.method.as_str(),
        body.len()
    );
    for (name, value) in &request.headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    let mut stream = TcpStream::connect(host).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(&body).unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).unwrap();
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a complete answer");
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut lines = head.split("\r\n");
    let status = lines.next().unwrap().split(' ').nth(1).unwrap().parse().unwrap();
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_owned(), v.trim().to_owned()))
        .collect();
    HttpResponse {
        status,
        headers,
        body: raw[split + 4..].to_vec(),
    }
}

/// The SSO role credentials the portal issues for the test token.
fn sso_credentials(portal: &FakePortal) -> RoleCredentials {
    let request = sso_core::get_role_credentials_request(
        &Endpoint::custom(&portal.url()).unwrap(),
        &SecretString::new(TOKEN),
        &sso_core::AccountId::new(SSO_ACCOUNT).unwrap(),
        &sso_core::RoleName::new("Admin").unwrap(),
    );
    let response = send(portal, &request);
    sso_core::parse_get_role_credentials_response(&response, &sso_core::CallContext::default()).unwrap()
}

fn endpoint(portal: &FakePortal, region: &str) -> StsEndpoint {
    StsEndpoint {
        endpoint: Endpoint::custom(&portal.url()).unwrap(),
        signing_region: Region::new(region).unwrap(),
    }
}

fn params(role: &str) -> AssumeRole {
    AssumeRole {
        role_arn: RoleArn::new(role).unwrap(),
        role_session_name: "sts-test".into(),
        duration_seconds: None,
        external_id: None,
        mfa_serial: None,
    }
}

fn assume(
    portal: &FakePortal,
    params: &AssumeRole,
    mfa_code: Option<&str>,
    source: &RoleCredentials,
) -> Result<AssumedRole, sso_core::StsError> {
    let endpoint = endpoint(portal, "eu-west-1");
    let code = mfa_code.map(SecretString::new);
    let request = assume_role_request(&endpoint, params, code.as_ref(), source, Utc::now()).unwrap();
    let response = send(portal, &request);
    parse_assume_role_response(&response, &params.role_arn, endpoint.signing_region.as_str())
}

mod assume_role {
    use super::*;

    #[test]
    fn one_hop_gives_credentials_of_the_role_account_and_is_recorded() {
        let portal = start(StsConfig::with_roles(&[DEPLOY]));
        let source = sso_credentials(&portal);
        let mut asked = params(DEPLOY);
        asked.duration_seconds = Some(900);
        let before = Utc::now();
        let assumed = assume(&portal, &asked, None, &source).unwrap();
        let credentials = &assumed.credentials;
        assert_eq!(credentials.account_id.as_ref().unwrap().as_str(), "444455556666");
        assert_ne!(credentials.access_key_id, source.access_key_id);
        assert_eq!(
            assumed.assumed_role_arn,
            "arn:aws:sts::444455556666:assumed-role/Deploy/sts-test"
        );
        let lifetime = (credentials.expiration - before).num_seconds();
        assert!((895..=905).contains(&lifetime), "{lifetime}");

        let records = portal.state().assumed_roles;
        assert_eq!(records.len(), 1);
        let record = &records[0];
        assert_eq!(record.role_arn, DEPLOY);
        assert_eq!(record.role_session_name, "sts-test");
        assert_eq!(record.duration_seconds, Some(900));
        assert_eq!(record.caller_access_key_id, source.access_key_id);
        assert_eq!(record.caller_account_id, SSO_ACCOUNT);
        assert_eq!(record.signing_region, "eu-west-1");
        assert_eq!(record.access_key_id, credentials.access_key_id);

        // Deterministic: the same caller, role and session name get the same keys.
        let again = assume(&portal, &asked, None, &source).unwrap();
        assert_eq!(again.credentials.secret_access_key, credentials.secret_access_key);
        let mut other_session = asked.clone();
        other_session.role_session_name = "other".into();
        let other = assume(&portal, &other_session, None, &source).unwrap();
        assert_ne!(other.credentials.access_key_id, credentials.access_key_id);
    }

    #[test]
    fn two_hops_sign_the_second_with_the_first_hops_credentials() {
        let mut sts = StsConfig::with_roles(&[DEPLOY, AUDIT]);
        // Only the Deploy role's account may assume Audit: the SSO role itself may not.
        sts.roles.get_mut(AUDIT).unwrap().trusted_accounts = vec!["444455556666".into()];
        let portal = start(sts);
        let source = sso_credentials(&portal);
        let denied = assume(&portal, &params(AUDIT), None, &source).unwrap_err();
        assert_eq!(denied.kind, StsErrorKind::AccessDenied);
        let first = assume(&portal, &params(DEPLOY), None, &source).unwrap();
        let second = assume(&portal, &params(AUDIT), None, &first.credentials).unwrap();
        assert_eq!(second.credentials.account_id.as_ref().unwrap().as_str(), "777788889999");
        assert_eq!(
            second.assumed_role_arn,
            "arn:aws:sts::777788889999:assumed-role/Audit/sts-test"
        );
        let records = portal.state().assumed_roles;
        assert_eq!(records[1].caller_access_key_id, first.credentials.access_key_id);
        assert_eq!(records[1].caller_account_id, "444455556666");
    }

    #[test]
    fn a_role_that_does_not_exist_is_access_denied() {
        let portal = start(StsConfig::with_roles(&[DEPLOY]));
        let source = sso_credentials(&portal);
        let err = assume(&portal, &params("arn:aws:iam::444455556666:role/Nope"), None, &source).unwrap_err();
        assert_eq!(err.kind, StsErrorKind::AccessDenied);
        assert!(
            err.message
                .unwrap()
                .contains("is not authorized to perform: sts:AssumeRole")
        );
    }

    #[test]
    fn external_id_must_match() {
        let mut sts = StsConfig::with_roles(&[DEPLOY]);
        sts.roles.get_mut(DEPLOY).unwrap().external_id = Some("ext-123".into());
        let portal = start(sts);
        let source = sso_credentials(&portal);
        let mut asked = params(DEPLOY);
        assert_eq!(
            assume(&portal, &asked, None, &source).unwrap_err().kind,
            StsErrorKind::AccessDenied
        );
        asked.external_id = Some("ext-124".into());
        assert_eq!(
            assume(&portal, &asked, None, &source).unwrap_err().kind,
            StsErrorKind::AccessDenied
        );
        asked.external_id = Some("ext-123".into());
        assume(&portal, &asked, None, &source).unwrap();
        assert_eq!(portal.state().assumed_roles[0].external_id.as_deref(), Some("ext-123"));
    }

    #[test]
    fn mfa_needs_the_serial_and_the_current_code() {
        let mut sts = StsConfig::with_roles(&[DEPLOY]);
        let role = sts.roles.get_mut(DEPLOY).unwrap();
        role.mfa_serial = Some(MFA.into());
        role.mfa_code = Some("424242".into());
        let portal = start(sts);
        let source = sso_credentials(&portal);
        let without = assume(&portal, &params(DEPLOY), None, &source).unwrap_err();
        assert_eq!(without.kind, StsErrorKind::AccessDenied);
        assert!(without.message.unwrap().contains("must provide both MFA serial number"));
        let mut asked = params(DEPLOY);
        asked.mfa_serial = Some(MFA.into());
        let wrong = assume(&portal, &asked, Some("123456"), &source).unwrap_err();
        assert!(wrong.message.unwrap().contains("invalid MFA one time pass code"));
        let mut other_device = asked.clone();
        other_device.mfa_serial = Some("arn:aws:iam::111122223333:mfa/bob".into());
        assert!(assume(&portal, &other_device, Some("424242"), &source).is_err());
        assume(&portal, &asked, Some("424242"), &source).unwrap();
        assert_eq!(portal.state().assumed_roles[0].mfa_serial.as_deref(), Some(MFA));
    }

    #[test]
    fn role_chaining_is_capped_at_one_hour() {
        let portal = start(StsConfig::with_roles(&[DEPLOY]));
        let source = sso_credentials(&portal);
        let mut asked = params(DEPLOY);
        asked.duration_seconds = Some(3601);
        let err = assume(&portal, &asked, None, &source).unwrap_err();
        assert_eq!(err.kind, StsErrorKind::Validation);
        assert!(err.message.unwrap().contains("1 hour session limit"));
        asked.duration_seconds = Some(3600);
        assume(&portal, &asked, None, &source).unwrap();
    }

    #[test]
    fn an_expired_source_is_expired_token() {
        let mut config = config(StsConfig::with_roles(&[DEPLOY]));
        config.credentials_ttl_seconds = 0;
        let portal = FakePortal::start(config).unwrap();
        let source = sso_credentials(&portal);
        let err = assume(&portal, &params(DEPLOY), None, &source).unwrap_err();
        assert_eq!(err.kind, StsErrorKind::ExpiredToken);
        assert_eq!(err.code(), "STS_EXPIRED_TOKEN");
    }

    #[test]
    fn each_injected_error_reaches_the_core_as_its_kind() {
        let table = [
            (StsFault::AccessDenied, 403, StsErrorKind::AccessDenied),
            (StsFault::ExpiredToken, 400, StsErrorKind::ExpiredToken),
            (StsFault::RegionDisabledException, 403, StsErrorKind::RegionDisabled),
            (StsFault::Throttling, 400, StsErrorKind::Throttled),
            (StsFault::InternalFailure, 500, StsErrorKind::Server),
        ];
        let portal = start(StsConfig::with_roles(&[DEPLOY]));
        let source = sso_credentials(&portal);
        for (fault, status, kind) in table {
            let mut sts = StsConfig::with_roles(&[DEPLOY]);
            sts.error = Some(fault);
            sts.error_count = Some(1);
            portal.set_config(config(sts));
            let err = assume(&portal, &params(DEPLOY), None, &source).unwrap_err();
            assert_eq!((err.status, err.kind), (status, kind), "{fault:?}");
            assert_eq!(
                err.is_retryable(),
                matches!(fault, StsFault::Throttling | StsFault::InternalFailure)
            );
            // errorCount 1: the next call goes through.
            assume(&portal, &params(DEPLOY), None, &source).unwrap();
        }
    }
}

mod signature {
    use super::*;

    fn signed(portal: &FakePortal, source: &RoleCredentials, region: &str) -> HttpRequest {
        assume_role_request(&endpoint(portal, region), &params(DEPLOY), None, source, Utc::now()).unwrap()
    }

    fn code_of(response: &HttpResponse) -> String {
        let body = String::from_utf8_lossy(&response.body);
        body.split("<Code>")
            .nth(1)
            .and_then(|s| s.split("</Code>").next())
            .unwrap_or_default()
            .to_owned()
    }

    #[test]
    fn a_wrong_secret_is_signature_does_not_match() {
        let portal = start(StsConfig::with_roles(&[DEPLOY]));
        let mut source = sso_credentials(&portal);
        source.secret_access_key = SecretString::new("not-the-issued-secret");
        let response = send(&portal, &signed(&portal, &source, "eu-west-1"));
        assert_eq!(
            (response.status, code_of(&response).as_str()),
            (403, "SignatureDoesNotMatch")
        );
        let err = parse_assume_role_response(&response, &RoleArn::new(DEPLOY).unwrap(), "eu-west-1").unwrap_err();
        assert_eq!(err.kind, StsErrorKind::InvalidCredentials);
        assert!(portal.state().assumed_roles.is_empty());
    }

    #[test]
    fn a_body_changed_after_signing_is_refused() {
        let portal = start(StsConfig::with_roles(&[DEPLOY]));
        let source = sso_credentials(&portal);
        let mut request = signed(&portal, &source, "eu-west-1");
        let body = String::from_utf8(request.body.clone().unwrap()).unwrap();
        request.body = Some(body.replace("Deploy", "Admin1").into_bytes());
        let response = send(&portal, &request);
        assert_eq!(code_of(&response), "SignatureDoesNotMatch");
    }

    #[test]
    fn a_signed_header_changed_after_signing_is_refused() {
        let portal = start(StsConfig::with_roles(&[DEPLOY]));
        let source = sso_credentials(&portal);
        let mut request = signed(&portal, &source, "eu-west-1");
        for (name, value) in &mut request.headers {
            if name == "content-type" {
                *value = "application/x-www-form-urlencoded".into();
            }
        }
        assert_eq!(code_of(&send(&portal, &request)), "SignatureDoesNotMatch");
    }

    #[test]
    fn an_unknown_key_or_session_token_is_invalid_client_token_id() {
        let portal = start(StsConfig::with_roles(&[DEPLOY]));
        let source = sso_credentials(&portal);
        let mut unknown = source.clone();
        unknown.access_key_id = "ASIAUNKNOWN000000000".into();
        assert_eq!(
            code_of(&send(&portal, &signed(&portal, &unknown, "eu-west-1"))),
            "InvalidClientTokenId"
        );
        let mut wrong_token = source.clone();
        wrong_token.session_token = SecretString::new("another-token");
        assert_eq!(
            code_of(&send(&portal, &signed(&portal, &wrong_token, "eu-west-1"))),
            "InvalidClientTokenId"
        );
    }

    #[test]
    fn an_unsigned_request_is_missing_authentication_token() {
        let portal = start(StsConfig::with_roles(&[DEPLOY]));
        let source = sso_credentials(&portal);
        let mut request = signed(&portal, &source, "eu-west-1");
        request.headers.retain(|(name, _)| name != "authorization");
        assert_eq!(code_of(&send(&portal, &request)), "MissingAuthenticationToken");
    }

    #[test]
    fn a_signing_time_far_from_now_is_refused() {
        let portal = start(StsConfig::with_roles(&[DEPLOY]));
        let source = sso_credentials(&portal);
        let old = Utc::now() - chrono::TimeDelta::minutes(20);
        let request =
            assume_role_request(&endpoint(&portal, "eu-west-1"), &params(DEPLOY), None, &source, old).unwrap();
        let response = send(&portal, &request);
        assert_eq!(code_of(&response), "SignatureDoesNotMatch");
        assert!(String::from_utf8_lossy(&response.body).contains("Signature expired"));
    }

    #[test]
    fn the_signing_region_must_be_the_endpoints_when_configured() {
        let mut sts = StsConfig::with_roles(&[DEPLOY]);
        sts.region = Some("eu-west-1".into());
        let portal = start(sts);
        let source = sso_credentials(&portal);
        let response = send(&portal, &signed(&portal, &source, "us-east-1"));
        assert_eq!(code_of(&response), "SignatureDoesNotMatch");
        assert!(String::from_utf8_lossy(&response.body).contains("valid region"));
        assert_eq!(send(&portal, &signed(&portal, &source, "eu-west-1")).status, 200);
    }

    #[test]
    fn other_actions_and_methods_are_refused() {
        let portal = start(StsConfig::with_roles(&[DEPLOY]));
        let request = HttpRequest {
            method: sso_core::Method::Post,
            url: format!("{}/", portal.url()),
            headers: vec![("content-type".into(), "application/x-www-form-urlencoded".into())],
            body: Some(b"Action=GetCallerIdentity&Version=2011-06-15".to_vec()),
            body_is_secret: false,
        };
        let response = send(&portal, &request);
        assert_eq!((response.status, code_of(&response).as_str()), (400, "InvalidAction"));
        let mut get = request.clone();
        get.method = sso_core::Method::Get;
        get.body = None;
        assert_eq!(send(&portal, &get).status, 405);
    }
}

/// botocore resolves a two-hop chain (SSO root, then two `AssumeRole`s) from a config file against the fake, and
/// sso-core resolves the same file to the same hops: both must end with the same role and the same keys (the fake
/// derives them from the caller's key and the session name, so any difference in the path shows). botocore signs
/// with its own SigV4 code, which the fake checks with aws-sigv4.
mod interop {
    use super::*;

    fn python_with_botocore() -> Option<PathBuf> {
        let works = |python: &std::path::Path| {
            Command::new(python)
                .args(["-c", "import botocore"])
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|s| s.success())
        };
        // The e2e tests' virtual environment, if they made one, else the system's Python.
        let exe = std::env::current_exe().ok()?;
        let venv = exe.parent()?.parent()?.parent()?.join("botocore-venv/bin/python");
        [venv, PathBuf::from("python3")].into_iter().find(|p| works(p))
    }

    const PROFILES: &str = "\
[profile sso]
sso_start_url = https://fake.awsapps.com/start
sso_region = us-east-1
sso_account_id = 111122223333
sso_role_name = Admin

[profile deploy]
role_arn = arn:aws:iam::444455556666:role/Deploy
source_profile = sso
role_session_name = interop-deploy

[profile audit]
role_arn = arn:aws:iam::777788889999:role/team/Audit
source_profile = deploy
role_session_name = interop-audit
external_id = ext-123
duration_seconds = 1800
region = eu-west-1
sts_regional_endpoints = regional
";

    #[test]
    fn botocore_and_sso_core_resolve_the_same_chain_to_the_same_role() {
        let Some(python) = python_with_botocore() else {
            eprintln!("SKIPPED: botocore interop: no Python with botocore");
            return;
        };
        let mut sts = StsConfig::with_roles(&[DEPLOY, AUDIT]);
        sts.roles.get_mut(AUDIT).unwrap().external_id = Some("ext-123".into());
        sts.region = Some("eu-west-1".into());
        let portal = start(sts);

        // botocore: HOME with the config file and the token cache of the legacy profile.
        let home = tempfile::tempdir().unwrap();
        let aws = home.path().join(".aws");
        std::fs::create_dir_all(aws.join("sso/cache")).unwrap();
        std::fs::write(aws.join("config"), PROFILES).unwrap();
        let cache = format!(
            r#"{{"accessToken": "{TOKEN}", "expiresAt": "2099-01-01T00:00:00Z", "region": "us-east-1", "startUrl": "https://fake.awsapps.com/start"}}"#
        );
        std::fs::write(
            aws.join("sso/cache")
                .join(sso_core::cache_file_name("https://fake.awsapps.com/start")),
            cache,
        )
        .unwrap();
        let script = "import botocore.session\n\
                      s = botocore.session.Session(profile='audit')\n\
                      c = s.get_credentials().get_frozen_credentials()\n\
                      print(c.access_key)\n";
        let output = Command::new(&python)
            .args(["-c", script])
            .env_clear()
            .env("HOME", home.path())
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("AWS_ENDPOINT_URL_SSO", portal.url())
            .env("AWS_ENDPOINT_URL_STS", portal.url())
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "botocore failed:\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let botocore_key = String::from_utf8_lossy(&output.stdout).trim().to_owned();
        let by_botocore = portal.state().assumed_roles;
        assert_eq!(by_botocore.len(), 2, "botocore made two AssumeRole calls");

        // sso-core: the same file, the same environment.
        let config = parse_config(PROFILES).unwrap();
        let env = ChainEnvironment {
            endpoint_url_sts: Some(portal.url()),
            ..ChainEnvironment::default()
        };
        let inputs = ChainInputs {
            env: &env,
            static_key_profiles: &[],
            now: Utc::now(),
        };
        let chain = resolve_role_chain(&config, "audit", &inputs).unwrap();
        assert_eq!(chain.root.profile_name, "sso");
        let mut credentials = sso_credentials(&portal);
        for hop in &chain.hops {
            let request = assume_role_request(&chain.sts, &hop.assume_role, None, &credentials, Utc::now()).unwrap();
            let response = send(&portal, &request);
            credentials =
                parse_assume_role_response(&response, &hop.assume_role.role_arn, chain.sts.signing_region.as_str())
                    .unwrap()
                    .credentials;
        }
        assert_eq!(
            credentials.access_key_id, botocore_key,
            "botocore and ssocreds got different credentials"
        );
        assert_eq!(credentials.account_id.unwrap().as_str(), "777788889999");

        // The same calls, hop by hop: role, session, duration, external id, and every hop signed for eu-west-1,
        // the region of the profile asked for (not the source's).
        let all = portal.state().assumed_roles;
        let by_core = &all[2..];
        for (ours, theirs) in by_core.iter().zip(&by_botocore) {
            assert_eq!(ours.role_arn, theirs.role_arn);
            assert_eq!(ours.role_session_name, theirs.role_session_name);
            assert_eq!(ours.duration_seconds, theirs.duration_seconds);
            assert_eq!(ours.external_id, theirs.external_id);
            assert_eq!(ours.signing_region, theirs.signing_region);
            assert_eq!(ours.access_key_id, theirs.access_key_id);
            assert_eq!(ours.signing_region, "eu-west-1");
        }
    }
}
