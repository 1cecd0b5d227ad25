//! What goes on the wire, endpoint overrides, retries and Retry-After.

use crate::harness::*;
use ssocreds_tests::fake_portal::{PortalConfig, Throttle};

#[test]
fn the_token_travels_only_in_its_header() {
    let sandbox = Sandbox::new();
    sandbox.write_token();
    sandbox.export(&["--role-name", "ReadOnly"]).assert_success();
    let requests = sandbox.portal.requests();
    assert_eq!(requests.len(), 1);
    let request = &requests[0];
    assert_eq!(
        (request.method.as_str(), request.path.as_str()),
        ("GET", "/federation/credentials")
    );
    assert!(!request.query.contains(TOKEN));
    assert_eq!(request.header("x-amz-sso_bearer_token"), Some(TOKEN));
    assert!(
        request
            .header("user-agent")
            .is_some_and(|ua| ua.starts_with("ssocreds/"))
    );
}

#[test]
fn endpoint_from_the_environment_as_botocore_does() {
    let sandbox = Sandbox::new();
    sandbox.write_token();
    let url = sandbox.portal.url();
    let base = ["export", "--account-id", ACCOUNT, "--role-name", "ReadOnly"];
    sandbox
        .run_with(&base, &[("AWS_ENDPOINT_URL_SSO", &url)], None)
        .assert_success();
    sandbox
        .run_with(&base, &[("AWS_ENDPOINT_URL", &url)], None)
        .assert_success();
    // The service-specific variable wins over the general one.
    sandbox
        .run_with(
            &base,
            &[
                ("AWS_ENDPOINT_URL_SSO", &url),
                ("AWS_ENDPOINT_URL", "http://127.0.0.1:9"),
            ],
            None,
        )
        .assert_success();
    assert_eq!(sandbox.portal.requests().len(), 3);
}

#[test]
fn throttling_then_success_is_retried_with_retry_after() {
    let config = PortalConfig {
        throttle: Throttle {
            fail_first: 2,
            retry_after_seconds: Some(1),
            ..Throttle::default()
        },
        ..portal_config()
    };
    let sandbox = Sandbox::with_config(config);
    sandbox.write_token();
    sandbox.export(&["--role-name", "ReadOnly"]).assert_success();
    let requests = sandbox.portal.requests();
    assert_eq!(requests.len(), 3);
    for pair in requests.windows(2) {
        let gap = pair[1].received_at_ms - pair[0].received_at_ms;
        assert!(gap >= 1000, "Retry-After: 1 not honoured, gap {gap} ms");
    }
}

#[test]
fn server_errors_then_success_are_retried() {
    let sandbox = Sandbox::with_config(PortalConfig {
        fail_first_with_500: 2,
        ..portal_config()
    });
    sandbox.write_token();
    sandbox.export(&["--role-name", "ReadOnly"]).assert_success();
    assert_eq!(sandbox.portal.requests().len(), 3);
}

#[test]
fn a_403_is_not_retried() {
    let sandbox = Sandbox::new();
    sandbox.write_token();
    assert_eq!(sandbox.export(&["--role-name", "Nope"]).code, 5);
    assert_eq!(sandbox.portal.requests().len(), 1);
}

#[test]
fn verbose_shows_the_request_with_the_token_redacted() {
    let sandbox = Sandbox::new();
    sandbox.write_token();
    let run = sandbox.export(&["--role-name", "ReadOnly", "--verbose"]);
    run.assert_success();
    assert!(run.stderr.contains("> GET http://127.0.0.1"), "{}", run.stderr);
    assert!(
        run.stderr.contains("x-amz-sso_bearer_token: ** redacted **"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("< HTTP 200"), "{}", run.stderr);
}

#[test]
fn a_warning_names_a_region_mismatch_before_calling() {
    let sandbox = Sandbox::new();
    sandbox.write_token();
    let run = sandbox.export(&["--role-name", "ReadOnly", "--region", "eu-west-1"]);
    run.assert_success(); // the fake portal does not check regions; the warning is what matters here
    assert!(
        run.stderr
            .contains("issued in us-east-1 but the call goes to eu-west-1"),
        "{}",
        run.stderr
    );
}
