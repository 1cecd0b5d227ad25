//! `ssocreds console` against the fake portal's federation endpoint: the sign-in URL carries the token the fake gave
//! for the credentials the portal issued, and the destination of the profile's region, the service or the
//! partition; the browser gets the URL and the terminal gets no secret; every failure has its exit code.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::time::{Duration, Instant};

use crate::harness::*;
use ssocreds_tests::fake_portal::{FederationAnswer, FederationConfig, PortalConfig, signin_token_for};

/// The access key id of ReadOnly's credentials in the usual portal (see `portal_config`).
const ACCESS_KEY_ID: &str = "ASIAE2EEXAMPLE000001";

const CONFIG: &str = "\
[profile eu]
sso_session = corp
sso_account_id = 111122223333
sso_role_name = ReadOnly
region = eu-west-1

[profile plain]
sso_session = corp
sso_account_id = 111122223333
sso_role_name = ReadOnly

[sso-session corp]
sso_start_url = https://e2e.awsapps.com/start
sso_region = us-east-1
";

/// The token the fake federation endpoint gives for ReadOnly's credentials.
fn expected_token() -> String {
    signin_token_for(ACCESS_KEY_ID, SECRET_KEY, SESSION_TOKEN)
}

fn sandbox_with(config: PortalConfig) -> Sandbox {
    let sandbox = Sandbox::with_config(config);
    sandbox.write_config(CONFIG);
    sandbox.write_session_token("corp");
    sandbox.write_token();
    sandbox
}

/// `ssocreds console` with the portal and the federation endpoint both on the fake.
fn console(sandbox: &Sandbox, extra: &[&str], env: &[(&str, &str)]) -> Run {
    let url = sandbox.portal.url();
    let mut args = vec!["console", "--endpoint-url", &url, "--signin-endpoint", &url];
    args.extend_from_slice(extra);
    let run = sandbox.run_with(&args, env, None);
    assert_no_console_secret(&run);
    run
}

/// Beyond the harness's checks: the credentials as they appear percent-encoded in the federation request, the
/// `Session` JSON's names, and the sign-in token (allowed only on the stdout of a successful `--print`).
fn assert_no_console_secret(run: &Run) {
    for secret in [
        "sk%2F%2B",
        "IQoJb3JpZ2luX2VjE",
        "sessionKey",
        "sessionToken",
        "second line",
    ] {
        assert!(!run.stderr.contains(secret), "{secret} on stderr:\n{}", run.stderr);
        assert!(!run.stdout.contains(secret), "{secret} on stdout:\n{}", run.stdout);
    }
    assert!(
        !run.stderr.contains(&expected_token()),
        "sign-in token on stderr:\n{}",
        run.stderr
    );
    if run.code != 0 {
        assert!(
            !run.stdout.contains("SigninToken"),
            "a sign-in URL on the stdout of a failure"
        );
    }
}

/// What the fake's `Action=login` redirects to: the `Destination` of the URL, decoded by the fake, which also
/// checks that it issued the URL's `SigninToken`.
fn follow(sandbox: &Sandbox, login_url: &str) -> String {
    let target = login_url
        .strip_prefix(&sandbox.portal.url())
        .expect("a login URL on the fake");
    let mut stream = TcpStream::connect(("127.0.0.1", sandbox.portal.port())).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    write!(
        stream,
        "GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 302"), "{answer}");
    answer
        .lines()
        .find_map(|line| {
            line.strip_prefix("Location: ")
                .or_else(|| line.strip_prefix("location: "))
        })
        .expect("a Location header")
        .trim()
        .to_owned()
}

/// Runs `console --print` and checks the URL: the fake's endpoint, the issuer, the fake's token; returns where
/// the URL leads.
fn printed_destination(sandbox: &Sandbox, extra: &[&str], env: &[(&str, &str)]) -> String {
    let mut args = vec!["--print"];
    args.extend_from_slice(extra);
    let run = console(sandbox, &args, env);
    run.assert_success();
    let url = run.stdout.strip_suffix('\n').expect("one line");
    assert!(!url.contains('\n'));
    let prefix = format!(
        "{}/federation?Action=login&Issuer=ssocreds&Destination=",
        sandbox.portal.url()
    );
    assert!(url.starts_with(&prefix), "{url}");
    assert!(url.ends_with(&format!("&SigninToken={}", expected_token())), "{url}");
    assert!(!run.stderr.contains("opened the console"), "{}", run.stderr);
    follow(sandbox, url)
}

#[test]
fn print_gives_the_fakes_token_and_the_profiles_region() {
    let sandbox = sandbox_with(portal_config());
    assert_eq!(
        printed_destination(&sandbox, &["--profile", "eu"], &[("AWS_REGION", "ap-south-1")]),
        "https://console.aws.amazon.com/?region=eu-west-1"
    );
    // Without a region in the profile: AWS_REGION, else none.
    assert_eq!(
        printed_destination(&sandbox, &["--profile", "plain"], &[("AWS_REGION", "ap-south-1")]),
        "https://console.aws.amazon.com/?region=ap-south-1"
    );
    assert_eq!(
        printed_destination(&sandbox, &["--profile", "plain"], &[]),
        "https://console.aws.amazon.com/"
    );
    // The token was asked for once per run, with the credentials the portal issued.
    assert_eq!(sandbox.portal.state().signin_tokens_issued, 3);
}

#[test]
fn a_service_or_a_console_url_is_the_destination() {
    let sandbox = sandbox_with(portal_config());
    assert_eq!(
        printed_destination(&sandbox, &["--profile", "eu", "--destination", "s3"], &[]),
        "https://console.aws.amazon.com/s3/home?region=eu-west-1"
    );
    let lambda = "https://eu-west-1.console.aws.amazon.com/lambda/home?region=eu-west-1#/functions";
    assert_eq!(
        printed_destination(&sandbox, &["--profile", "eu", "--destination", lambda], &[]),
        lambda
    );
}

#[test]
fn the_identity_center_region_picks_the_partition() {
    let sandbox = sandbox_with(portal_config());
    let target = |region| ["--account-id", ACCOUNT, "--role-name", "ReadOnly", "--region", region];
    let cases = [
        ("us-east-1", None, "https://console.aws.amazon.com/"),
        ("us-gov-west-1", None, "https://console.amazonaws-us-gov.com/"),
        (
            "us-gov-west-1",
            Some("us-gov-east-1"),
            "https://console.amazonaws-us-gov.com/?region=us-gov-east-1",
        ),
        ("cn-north-1", None, "https://console.amazonaws.cn/"),
        (
            "cn-north-1",
            Some("cn-northwest-1"),
            "https://console.amazonaws.cn/?region=cn-northwest-1",
        ),
    ];
    for (sso_region, aws_region, expected) in cases {
        let env: Vec<(&str, &str)> = aws_region.map(|r| ("AWS_REGION", r)).into_iter().collect();
        assert_eq!(
            printed_destination(&sandbox, &target(sso_region), &env),
            expected,
            "{sso_region}"
        );
    }
    let s3 = printed_destination(
        &sandbox,
        &[&target("cn-north-1")[..], &["--destination", "s3"]].concat(),
        &[],
    );
    assert_eq!(s3, "https://console.amazonaws.cn/s3/home");
    // A console URL of another partition is refused.
    let run = console(
        &sandbox,
        &[
            &target("cn-north-1")[..],
            &["--destination", "https://console.aws.amazon.com/s3/home"],
        ]
        .concat(),
        &[],
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("console.amazonaws.cn"), "{}", run.stderr);
}

#[test]
fn aws_endpoint_url_signin_is_the_endpoint_when_no_flag_is_given() {
    let sandbox = sandbox_with(portal_config());
    let url = sandbox.portal.url();
    let run = sandbox.run_with(
        &["console", "--endpoint-url", &url, "--profile", "eu", "--print"],
        &[("AWS_ENDPOINT_URL_SIGNIN", &url)],
        None,
    );
    assert_no_console_secret(&run);
    run.assert_success();
    assert!(run.stdout.contains(&expected_token()));
    assert_eq!(
        follow(&sandbox, run.stdout.trim()),
        "https://console.aws.amazon.com/?region=eu-west-1"
    );
}

/// A `BROWSER` that writes its one argument into `$HOME/opened`.
fn recording_browser(sandbox: &Sandbox) -> String {
    let path = sandbox.home.path().join("browser.sh");
    let record = sandbox.home.path().join("opened");
    std::fs::write(
        &path,
        format!(
            "#!/bin/sh\nprintf '%s' \"$1\" > '{}.tmp'\nmv '{0}.tmp' '{0}'\n",
            record.display()
        ),
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    path.display().to_string()
}

/// What the browser was given: the browser runs on after ssocreds exits, so wait for its file.
fn opened(home: &Path) -> String {
    let record = home.join("opened");
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(10) {
        if let Ok(text) = std::fs::read_to_string(&record) {
            return text;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    panic!("the browser was not started");
}

#[test]
fn without_print_the_browser_gets_the_url_and_the_terminal_only_a_note() {
    let sandbox = sandbox_with(portal_config());
    let browser = recording_browser(&sandbox);
    let run = console(
        &sandbox,
        &["--profile", "eu", "--destination", "ec2"],
        &[("BROWSER", &browser)],
    );
    run.assert_success();
    assert_eq!(run.stdout, "");
    assert_eq!(
        run.stderr,
        "ssocreds: opened the console for ReadOnly in 111122223333\n"
    );
    let url = opened(sandbox.home.path());
    assert!(url.ends_with(&format!("&SigninToken={}", expected_token())), "{url}");
    assert_eq!(
        follow(&sandbox, &url),
        "https://console.aws.amazon.com/ec2/home?region=eu-west-1"
    );
}

#[test]
fn verbose_shows_the_requests_redacted() {
    let sandbox = sandbox_with(portal_config());
    let browser = recording_browser(&sandbox);
    let run = console(&sandbox, &["--profile", "eu", "--verbose"], &[("BROWSER", &browser)]);
    run.assert_success();
    assert!(
        run.stderr
            .contains("/federation?Action=getSigninToken&Session=** redacted **"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("&SigninToken=** redacted **"), "{}", run.stderr);
    assert!(
        run.stderr.contains("console region eu-west-1 (the profile's region)"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .ends_with("ssocreds: opened the console for ReadOnly in 111122223333\n")
    );
    assert!(opened(sandbox.home.path()).contains(&expected_token()));
}

#[test]
fn without_a_browser_the_url_is_not_printed_and_print_is_suggested() {
    let sandbox = sandbox_with(portal_config());
    let missing = sandbox.home.path().join("no-such-browser").display().to_string();
    let run = console(&sandbox, &["--profile", "eu"], &[("BROWSER", &missing)]);
    assert_eq!(run.code, 127, "{}", run.stderr);
    assert!(run.stderr.contains("could not start a browser"), "{}", run.stderr);
    assert!(run.stderr.contains("--print"), "{}", run.stderr);
    assert!(!run.stderr.contains("federation?"), "{}", run.stderr);
    assert_eq!(run.stdout, "");
}

fn with_answer(answer: FederationAnswer) -> PortalConfig {
    PortalConfig {
        federation: FederationConfig { answer },
        ..portal_config()
    }
}

#[test]
fn each_answer_of_the_federation_endpoint_has_its_exit_code_and_no_secret() {
    let cases = [
        (
            FederationAnswer::BadRequest,
            4,
            "refused the role credentials (HTTP 400)",
        ),
        (FederationAnswer::Forbidden, 5, "denied the sign-in (HTTP 403)"),
        (FederationAnswer::ServerError, 7, "failed (HTTP 500)"),
        (FederationAnswer::Html, 7, "HTTP 200 with an HTML page"),
    ];
    for (answer, code, message) in cases {
        let sandbox = sandbox_with(with_answer(answer));
        let browser = recording_browser(&sandbox);
        for verbose in [false, true] {
            let mut args = vec!["--profile", "eu", "--max-attempts", "2"];
            if verbose {
                args.push("--verbose");
            }
            let run = console(&sandbox, &args, &[("BROWSER", &browser)]);
            assert_eq!(run.code, code, "{answer:?}: {}", run.stderr);
            assert!(run.stderr.contains(message), "{answer:?}: {}", run.stderr);
            assert_eq!(run.stdout, "");
            // Nothing of the page is echoed.
            assert!(!run.stderr.contains("configured"), "{}", run.stderr);
        }
        assert!(
            !sandbox.home.path().join("opened").exists(),
            "{answer:?}: a browser was opened"
        );
    }
}

#[test]
fn a_server_error_is_retried() {
    let sandbox = sandbox_with(with_answer(FederationAnswer::ServerError));
    let run = console(&sandbox, &["--profile", "eu", "--max-attempts", "2", "--print"], &[]);
    assert_eq!(run.code, 7);
    let federation_calls = sandbox
        .portal
        .requests()
        .iter()
        .filter(|r| r.path == "/federation")
        .count();
    assert_eq!(federation_calls, 2);
}

#[test]
fn bad_destinations_and_endpoints_fail_before_any_request() {
    let sandbox = sandbox_with(portal_config());
    let url = sandbox.portal.url();
    // (extra arguments, environment, what the message names)
    type Case<'a> = (&'a [&'a str], &'a [(&'a str, &'a str)], &'a str);
    let cases: [Case; 5] = [
        (
            &["--destination", "https://console.aws.amazon.com.evil.example/"],
            &[],
            "console destination",
        ),
        (
            &["--destination", "https://user@console.aws.amazon.com/"],
            &[],
            "user information",
        ),
        (
            &["--signin-endpoint", "http://signin.example"],
            &[],
            "--signin-endpoint",
        ),
        (
            &[],
            &[("AWS_ENDPOINT_URL_SIGNIN", "http://signin.example")],
            "AWS_ENDPOINT_URL_SIGNIN",
        ),
        (&[], &[("AWS_REGION", "not a region")], "AWS_REGION"),
    ];
    for (extra, env, message) in cases {
        for verbose in [false, true] {
            let mut args = vec!["console", "--endpoint-url", &url, "--profile", "plain"];
            args.extend_from_slice(extra);
            if verbose {
                args.push("--verbose");
            }
            let run = sandbox.run_with(&args, env, None);
            assert_no_console_secret(&run);
            assert_eq!(run.code, 2, "{extra:?} {env:?}: {}", run.stderr);
            assert!(run.stderr.contains(message), "{message}: {}", run.stderr);
            assert_eq!(run.stdout, "");
        }
    }
    assert!(sandbox.portal.requests().is_empty(), "a request was sent");
}

#[test]
fn an_unreachable_endpoint_is_a_network_failure_that_does_not_show_the_request() {
    let sandbox = sandbox_with(portal_config());
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let signin = format!("http://127.0.0.1:{port}");
    let url = sandbox.portal.url();
    let run = sandbox.run_with(
        &[
            "console",
            "--endpoint-url",
            &url,
            "--signin-endpoint",
            &signin,
            "--profile",
            "eu",
            "--max-attempts",
            "1",
            "--verbose",
        ],
        &[],
        None,
    );
    assert_no_console_secret(&run);
    assert_eq!(run.code, 7, "{}", run.stderr);
    assert!(
        run.stderr.contains(&format!("no answer from 127.0.0.1:{port}")),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("Session=%7B"), "{}", run.stderr);
}
