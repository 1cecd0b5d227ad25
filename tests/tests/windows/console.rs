//! `ssocreds console` on Windows, against the fake portal's federation endpoint (tests/tests/e2e/console.rs is the
//! Linux side): `--print` gives the Linux build's URL byte for byte; without it the default browser (the prefix's
//! http handler, record-url.exe) gets the URL and the terminal only a note; the federation endpoint's refusals
//! exit as on Linux.

use ssocreds_tests::fake_portal::{FederationAnswer, FederationConfig, PortalConfig, signin_token_for};

use crate::linux::ACCOUNT;
use crate::sandbox::*;
use crate::wine::{self, WinRun};

/// The token the fake federation endpoint gives for the credentials of role `Admin` (profile `dev`).
fn admin_token() -> String {
    signin_token_for(CMD_ACCESS_KEY, CMD_SECRET, CMD_SESSION_TOKEN)
}

fn console_sandbox(answer: FederationAnswer) -> WinSandbox {
    let sandbox = WinSandbox::with_config(PortalConfig {
        federation: FederationConfig { answer },
        ..portal_config()
    });
    sandbox.write_config();
    sandbox.write_tokens();
    sandbox
}

/// `console` with the federation endpoint on the fake, then `extra`.
fn console_args<'a>(url: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec!["console", "--signin-endpoint", url];
    args.extend_from_slice(extra);
    args
}

/// No credential and no sign-in token on stderr; on stdout only the URL of a successful `--print`.
fn assert_no_console_secret(run: &WinRun, stdout_may_hold_the_url: bool) {
    let stderr = run.stderr_text();
    let stdout = String::from_utf8_lossy(&run.stdout);
    for secret in [CMD_SECRET, CMD_SESSION_TOKEN, "sessionKey", "sessionToken"] {
        assert!(!stderr.contains(secret), "{secret} on stderr:\n{stderr}");
        assert!(!stdout.contains(secret), "{secret} on stdout:\n{stdout}");
    }
    assert!(
        !stderr.contains(&admin_token()),
        "the sign-in token on stderr:\n{stderr}"
    );
    if !stdout_may_hold_the_url {
        assert!(!stdout.contains("SigninToken"), "a sign-in URL on stdout:\n{stdout}");
    }
}

/// Where the fake's `Action=login` (which checks that it issued the URL's token) redirects.
fn destination_of(login_url: &str) -> String {
    let answer = crate::http::get(login_url, &[]);
    assert_eq!(answer.status, 302, "{answer:?}");
    answer.header("location").expect("a Location header").to_owned()
}

#[test]
#[ignore = "needs wine: run scripts/test-windows.sh"]
fn console_print_gives_the_linux_builds_url() {
    let sandbox = console_sandbox(FederationAnswer::Token);
    let url = sandbox.linux.portal.url();
    let cases: [(&[&str], &str); 2] = [
        (
            &["--profile", "dev", "--print"],
            "https://console.aws.amazon.com/?region=eu-central-1",
        ),
        (
            &["--profile", "dev", "--destination", "s3", "--print"],
            "https://console.aws.amazon.com/s3/home?region=eu-central-1",
        ),
    ];
    let runs = in_parallel(&cases, |(extra, _)| sandbox.run(&console_args(&url, extra)));
    for ((extra, destination), win) in cases.iter().zip(runs) {
        win.assert_success();
        assert_no_console_secret(&win, true);
        let linux = sandbox.run_linux(&console_args(&url, extra));
        linux.assert_success();
        assert_eq!(
            win.stdout,
            linux.stdout.as_bytes(),
            "{extra:?}: the Linux build's bytes"
        );
        assert_eq!(win.stderr_text(), linux.stderr, "{extra:?}");
        let text = win.stdout_text();
        let login_url = text.strip_suffix('\n').expect("one line, LF");
        assert!(
            login_url.starts_with(&format!("{url}/federation?Action=login&Issuer=ssocreds&Destination=")),
            "{login_url}"
        );
        assert!(
            login_url.ends_with(&format!("&SigninToken={}", admin_token())),
            "{login_url}"
        );
        assert_eq!(&destination_of(login_url), destination, "{extra:?}");
    }
    assert_eq!(sandbox.linux.portal.state().signin_tokens_issued, 4);
}

#[test]
#[ignore = "needs wine: run scripts/test-windows.sh"]
fn console_opens_the_default_browser_and_prints_no_secret() {
    let sandbox = console_sandbox(FederationAnswer::Token);
    let url = sandbox.linux.portal.url();
    let opened = sandbox.path("opened-url");
    let command = sandbox
        .command(&console_args(&url, &["--profile", "dev", "--destination", "ec2"]))
        .env("SSOCREDS_TEST_URL_FILE", &wine::win_path(&opened));
    let run = sandbox.run_command(&command);
    run.assert_success();
    assert_no_console_secret(&run, false);
    assert!(run.stdout.is_empty(), "{run:?}");
    assert_eq!(
        run.stderr_text(),
        format!("ssocreds: opened the console for Admin in {ACCOUNT}\n")
    );
    // The browser got the whole URL (`&` and all), the one the Linux build prints.
    let linux = sandbox.run_linux(&console_args(
        &url,
        &["--profile", "dev", "--destination", "ec2", "--print"],
    ));
    linux.assert_success();
    let browser_url = opened_url(&opened);
    assert_eq!(format!("{browser_url}\n"), linux.stdout);
    assert_eq!(
        destination_of(&browser_url),
        "https://console.aws.amazon.com/ec2/home?region=eu-central-1"
    );
}

#[test]
#[ignore = "needs wine: run scripts/test-windows.sh"]
fn console_refusals_exit_as_the_linux_build_does() {
    let cases = [
        (FederationAnswer::BadRequest, 4),
        (FederationAnswer::Forbidden, 5),
        (FederationAnswer::ServerError, 7),
    ];
    in_parallel(&cases, |(answer, code)| {
        let sandbox = console_sandbox(*answer);
        let url = sandbox.linux.portal.url();
        let opened = sandbox.path("opened-url");
        let args = console_args(&url, &["--profile", "dev", "--max-attempts", "2"]);
        let win = sandbox.run_command(
            &sandbox
                .command(&args)
                .env("SSOCREDS_TEST_URL_FILE", &wine::win_path(&opened)),
        );
        let linux = sandbox.run_linux(&args);
        assert_no_console_secret(&win, false);
        assert_eq!(win.code, i64::from(*code), "{answer:?}: {win:?}");
        assert_eq!(linux.code, *code, "{answer:?}: {linux:?}");
        assert_eq!(win.stderr_text(), linux.stderr, "{answer:?}: the same message");
        assert!(win.stdout.is_empty(), "{answer:?}: {win:?}");
        assert!(!opened.exists(), "{answer:?}: a browser was opened");
    });
}
