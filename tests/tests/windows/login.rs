//! `login` on Windows: the sign-in URL goes, whole (`&` and all), to the default browser, which is whatever program
//! the registry names for http URLs (scripts/test-windows.sh names `record-url.exe`); the test then plays the
//! browser, and the token lands in %USERPROFILE%\.aws\sso\cache.

use ssocreds_tests::fake_portal::Account;

use crate::linux::ACCOUNT;
use crate::sandbox::*;
use crate::wine::{self, wine_spawn};

/// A GET as the browser sends it: status and `Location`.
fn http_get(url: &str) -> (u16, Option<String>) {
    let answer = crate::http::get(url, &[]);
    (answer.status, answer.header("location").map(str::to_owned))
}

#[test]
#[ignore = "needs wine: run scripts/test-windows.sh"]
fn login_opens_the_default_browser_and_writes_the_token_in_the_profile_folder() {
    let mut config = portal_config();
    config.default_assignments = vec![Account::new(ACCOUNT, "e2e", &["ReadOnly", "Admin"])];
    let sandbox = WinSandbox::with_config(config);
    sandbox.write_config();
    let opened = sandbox.path("opened-url");
    let login = wine_spawn(
        &sandbox
            .command(&["login", "--profile", "dev", "--timeout", "60"])
            .env("SSOCREDS_TEST_URL_FILE", &wine::win_path(&opened)),
    );
    let url = opened_url(&opened);
    let portal = sandbox.linux.portal.url();
    assert!(url.starts_with(&format!("{portal}/authorize?")), "{url}");
    assert!(
        url.contains("&redirect_uri=") && url.contains("&code_challenge="),
        "the whole URL: {url}"
    );
    // The test is the browser: the fake's /authorize redirects to ssocreds' loopback listener.
    let (status, location) = http_get(&url);
    assert_eq!(status, 302);
    let (status, _) = http_get(&location.expect("a redirect"));
    assert_eq!(status, 200);
    let run = login.wait();
    run.assert_success();
    assert!(
        run.stderr_text().contains(&url),
        "the URL is printed too: {}",
        run.stderr_text()
    );
    let token = sandbox.linux.cache_dir().join(sso_core::cache_file_name("corp"));
    assert!(token.is_file(), "the token is in %USERPROFILE%\\.aws\\sso\\cache");
    // ssocreds.exe then uses it.
    sandbox.run(&["export", "--profile", "dev"]).assert_success();
}

#[test]
#[ignore = "needs wine: run scripts/test-windows.sh"]
fn ctrl_c_ends_a_sign_in_with_130_and_writes_no_token() {
    let sandbox = WinSandbox::new();
    sandbox.write_config();
    let opened = sandbox.path("opened-url");
    let mark = format!("login-ctrl-c-{}", std::process::id());
    let login = wine_spawn(
        &sandbox
            .command(&["login", "--profile", "dev", "--timeout", "60"])
            .env("SSOCREDS_TEST_URL_FILE", &wine::win_path(&opened))
            .env(wine::MARK_VARIABLE, &mark),
    );
    // Waiting for the browser: the sign-in has started and the loopback listener is up.
    opened_url(&opened);
    assert_eq!(wine::send_ctrl_c(&mark, "ssocreds.exe"), 1);
    let run = login.wait();
    assert_eq!(run.code, 130, "{run:?}");
    assert!(run.stdout.is_empty(), "{run:?}");
    let cache = sandbox.linux.cache_dir();
    assert!(
        !cache.join(sso_core::cache_file_name("corp")).exists(),
        "no token after an interrupted sign-in"
    );
}
