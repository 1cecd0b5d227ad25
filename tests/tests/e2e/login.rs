//! `ssocreds login` (authorization code with PKCE, device code) and `ssocreds logout`, driven end to end against
//! the fake OIDC server: the test plays the browser with a plain TCP client, following the authorize URL that
//! `--no-browser` prints to the fake, and the fake's redirect to the CLI's loopback listener.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crate::harness::*;
use sso_core::{cache_file_name, registration_cache_key};
use ssocreds_tests::fake_portal::{Account, PortalConfig, grant_types};

const CONFIG: &str = "\
[profile dev]
sso_session = corp
sso_account_id = 111122223333
sso_role_name = ReadOnly

[sso-session corp]
sso_start_url = https://e2e.awsapps.com/start
sso_region = us-east-1
sso_registration_scopes = sso:account:access

[profile legacy]
sso_start_url = https://e2e.awsapps.com/start
sso_region = us-east-1
sso_account_id = 111122223333
sso_role_name = ReadOnly
";

/// The line `--no-browser` prints the URL on (documented in `ssocreds login --help`).
const URL_LINE: &str = "ssocreds: open this URL to sign in: ";

/// Tokens issued by a sign-in see ACCOUNT with ReadOnly and Admin.
fn login_config() -> PortalConfig {
    let mut config = portal_config();
    config.default_assignments = vec![Account::new(ACCOUNT, "e2e", &["ReadOnly", "Admin"])];
    config
}

fn sandbox(config: PortalConfig) -> Sandbox {
    let sandbox = Sandbox::with_config(config);
    sandbox.write_config(CONFIG);
    sandbox
}

fn session_token_path(sandbox: &Sandbox) -> PathBuf {
    sandbox.cache_dir().join(cache_file_name("corp"))
}

fn registration_path(sandbox: &Sandbox) -> PathBuf {
    let region = sso_core::Region::new("us-east-1").unwrap();
    let key = registration_cache_key(
        START_URL,
        &region,
        Some(&["sso:account:access".to_owned()]),
        Some("corp"),
    );
    sandbox.cache_dir().join(format!("{key}.json"))
}

fn read_json(path: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

/// Files in the token cache folder, lock files aside.
fn cache_files(sandbox: &Sandbox) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(sandbox.cache_dir()) else {
        return Vec::new();
    };
    let mut names: Vec<String> = entries
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !n.ends_with(".lock"))
        .collect();
    names.sort();
    names
}

/// A running `ssocreds`, its stderr read line by line as it comes.
struct Running {
    child: Child,
    lines: mpsc::Receiver<String>,
    stderr: Vec<String>,
}

fn spawn(sandbox: &Sandbox, args: &[&str], env: &[(&str, &str)]) -> Running {
    let url = sandbox.portal.url();
    let mut child = Command::new(binary())
        .args(args)
        .env_clear()
        .env("HOME", sandbox.home.path())
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("AWS_ENDPOINT_URL_SSO", &url)
        .env("AWS_ENDPOINT_URL_SSO_OIDC", &url)
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn ssocreds");
    let stderr = child.stderr.take().unwrap();
    let (sender, lines) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines() {
            let Ok(line) = line else { break };
            if sender.send(line).is_err() {
                break;
            }
        }
    });
    Running {
        child,
        lines,
        stderr: Vec::new(),
    }
}

impl Running {
    /// Waits for a stderr line starting with `prefix` and returns the rest of it.
    fn wait_for_line(&mut self, prefix: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    self.stderr.push(line.clone());
                    if let Some(rest) = line.strip_prefix(prefix) {
                        return rest.to_owned();
                    }
                }
                Err(e) => panic!(
                    "no line starting with {prefix:?} ({e}); stderr so far:\n{}",
                    self.stderr.join("\n")
                ),
            }
        }
    }

    fn finish(mut self) -> Run {
        let deadline = Instant::now() + Duration::from_secs(30);
        let status = loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                break status;
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!("ssocreds did not finish; stderr so far:\n{}", self.stderr.join("\n"));
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        let mut stdout = String::new();
        self.child.stdout.take().unwrap().read_to_string(&mut stdout).unwrap();
        // The reader thread ends at end of file, which the exit has caused.
        while let Ok(line) = self.lines.recv_timeout(Duration::from_secs(5)) {
            self.stderr.push(line);
        }
        let mut stderr = self.stderr.join("\n");
        if !stderr.is_empty() {
            stderr.push('\n');
        }
        let run = Run {
            code: status.code().unwrap_or(-1),
            stdout,
            stderr,
        };
        run.assert_no_secret_leak();
        run
    }
}

/// A minimal HTTP/1.1 GET over a plain TCP connection: status, `Location` and body.
fn http_get(url: &str) -> (u16, Option<String>, String) {
    let rest = url.strip_prefix("http://").expect("an http:// URL");
    let (authority, target) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let target = if target.is_empty() { "/" } else { target };
    let mut stream = TcpStream::connect(authority).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    write!(
        stream,
        "GET {target} HTTP/1.1\r\nHost: {authority}\r\nUser-Agent: e2e-browser\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).unwrap();
    let answer = String::from_utf8_lossy(&answer).into_owned();
    let (head, body) = answer.split_once("\r\n\r\n").unwrap_or((&answer, ""));
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    let location = head
        .lines()
        .find_map(|l| l.split_once(':').filter(|(n, _)| n.eq_ignore_ascii_case("location")))
        .map(|(_, v)| v.trim().to_owned());
    (status, location, body.to_owned())
}

/// Plays the browser: opens the authorize URL on the fake, follows its redirect to the CLI's listener, and returns
/// the status and page the CLI answered.
fn browse(authorize_url: &str) -> (u16, String) {
    let (status, location, body) = http_get(authorize_url);
    assert_eq!(status, 302, "the fake's /authorize answered {status}: {body}");
    let location = location.expect("a redirect");
    assert!(location.starts_with("http://127.0.0.1:"), "{location}");
    let (status, _, page) = http_get(&location);
    (status, page)
}

/// Snapshot text of a login run: the authorize URL holds a random state and challenge, the device URL the fake's port.
fn login_snapshot(sandbox: &Sandbox, run: &Run) -> String {
    let text = sandbox.snapshot(run);
    text.lines()
        .map(|line| match line.strip_prefix(URL_LINE) {
            Some(_) => format!("{URL_LINE}[URL]"),
            None => line.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn authorization_code_sign_in_writes_the_aws_cli_cache_and_reuses_the_registration() {
    let sandbox = sandbox(login_config());
    let mut running = spawn(&sandbox, &["login", "--profile", "dev", "--no-browser"], &[]);
    let url = running.wait_for_line(URL_LINE);
    // The authorize URL is the AWS CLI's, pointed at the loopback listener.
    let portal = sandbox.portal.url();
    assert!(
        url.starts_with(&format!("{portal}/authorize?response_type=code&client_id=")),
        "{url}"
    );
    assert!(url.contains("&redirect_uri=http%3A%2F%2F127.0.0.1%3A"), "{url}");
    assert!(
        url.contains("&code_challenge_method=S256&scopes=sso%3Aaccount%3Aaccess&code_challenge="),
        "{url}"
    );
    let (status, page) = browse(&url);
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("Signed in") && page.contains("close this tab"), "{page}");
    let run = running.finish();
    run.assert_success();
    assert!(run.stdout.is_empty());
    settings().bind(|| insta::assert_snapshot!("login_authorization_code", login_snapshot(&sandbox, &run)));

    // The token file: the AWS CLI's name, fields and format, private.
    let token_path = session_token_path(&sandbox);
    let token = read_json(&token_path);
    let keys: Vec<&str> = token.as_object().unwrap().keys().map(String::as_str).collect();
    let mut expected = [
        "accessToken",
        "clientId",
        "clientSecret",
        "expiresAt",
        "refreshToken",
        "region",
        "registrationExpiresAt",
        "startUrl",
    ];
    expected.sort_unstable();
    let mut sorted = keys.clone();
    sorted.sort_unstable();
    assert_eq!(sorted, expected, "{token}");
    assert_eq!(token["startUrl"], START_URL);
    assert_eq!(token["region"], "us-east-1");
    for field in ["expiresAt", "registrationExpiresAt"] {
        let text = token[field].as_str().unwrap();
        assert!(text.ends_with('Z') && text.len() == 20, "{field}: {text}");
    }
    let expires_at = sso_core::parse_timestamp(token["expiresAt"].as_str().unwrap()).unwrap();
    let left = expires_at - chrono::Utc::now();
    assert!(
        left > chrono::TimeDelta::hours(7) && left <= chrono::TimeDelta::hours(8),
        "{left}"
    );
    assert_eq!(mode(&token_path), 0o600);
    assert_eq!(mode(&sandbox.cache_dir()), 0o700);

    // The registration file: the AWS CLI's name and shape, for the authorization-code flow.
    let registration_path = registration_path(&sandbox);
    let registration = read_json(&registration_path);
    assert_eq!(registration["clientId"], token["clientId"]);
    assert_eq!(registration["clientSecret"], token["clientSecret"]);
    assert_eq!(registration["expiresAt"], token["registrationExpiresAt"]);
    assert_eq!(registration["scopes"], serde_json::json!(["sso:account:access"]));
    assert_eq!(
        registration["grantTypes"],
        serde_json::json!(["authorization_code", "refresh_token"])
    );
    assert_eq!(mode(&registration_path), 0o600);

    // What the fake saw: one registration, one code, exchanged once, with the PKCE verifier.
    let state = sandbox.portal.state();
    assert_eq!(
        (
            state.registrations,
            state.authorizations,
            state.authorization_code_grants
        ),
        (1, 1, 1)
    );
    let issued = &state.issued_tokens[0];
    assert_eq!(issued.grant_type, grant_types::AUTHORIZATION_CODE);
    assert_eq!(token["accessToken"], issued.access_token.as_str());
    assert_eq!(token["refreshToken"], issued.refresh_token.as_deref().unwrap());
    let register = sandbox
        .portal
        .requests()
        .into_iter()
        .find(|r| r.path == "/client/register")
        .unwrap();
    let body: serde_json::Value = serde_json::from_str(&register.body).unwrap();
    assert_eq!(body["issuerUrl"], START_URL);
    assert_eq!(
        body["redirectUris"],
        serde_json::json!(["http://127.0.0.1/oauth/callback"])
    );

    // The new token works.
    let export = sandbox.run_fake(&["export", "--profile", "dev"]);
    export.assert_success();
    assert!(export.stdout.contains("export AWS_ACCESS_KEY_ID="), "{}", export.stdout);

    // A second sign-in, through --sso-session and a "browser" program this time, reuses the registration.
    let opener = sandbox.home.path().join("open-browser.sh");
    let opened = sandbox.home.path().join("opened-url");
    std::fs::write(
        &opener,
        format!("#!/bin/sh\nprintf '%s' \"$1\" > {}\n", opened.display()),
    )
    .unwrap();
    let mut permissions = std::fs::metadata(&opener).unwrap().permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut permissions, 0o755);
    std::fs::set_permissions(&opener, permissions).unwrap();
    let mut running = spawn(
        &sandbox,
        &["login", "--sso-session", "corp"],
        &[("BROWSER", opener.to_str().unwrap())],
    );
    let printed = running.wait_for_line(URL_LINE);
    let deadline = Instant::now() + Duration::from_secs(10);
    let opened_url = loop {
        if let Ok(url) = std::fs::read_to_string(&opened)
            && !url.is_empty()
        {
            break url;
        }
        assert!(Instant::now() < deadline, "the browser program was not started");
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(opened_url, printed);
    assert_eq!(browse(&opened_url).0, 200);
    let run = running.finish();
    run.assert_success();
    let state = sandbox.portal.state();
    assert_eq!((state.registrations, state.authorization_code_grants), (1, 2));
    let second = read_json(&token_path);
    assert_ne!(second["accessToken"], token["accessToken"]);
    assert_eq!(second["clientId"], token["clientId"]);
}

#[test]
fn device_code_flow_honours_the_interval_pending_and_slow_down() {
    let mut config = login_config();
    config.oidc.device_flow.interval = 1;
    config.oidc.device_flow.pending_polls = 1;
    config.oidc.device_flow.slow_down_polls = 1;
    // An early poll would be answered SlowDown and show up as an extra poll.
    config.oidc.device_flow.enforce_interval = true;
    let sandbox = sandbox(config);
    let run = sandbox.run_fake(&["login", "--profile", "dev", "--use-device-code", "--no-browser"]);
    run.assert_success();
    assert!(
        run.stderr
            .contains("ssocreds: the page shows the code: AAAA-AAAA (approve only if it matches"),
        "{}",
        run.stderr
    );
    let url = sandbox.portal.url();
    assert!(
        run.stderr
            .contains(&format!("{URL_LINE}{url}/device?user_code=AAAA-AAAA\n")),
        "{}",
        run.stderr
    );

    let polls = sandbox.portal.state().device_polls;
    let outcomes: Vec<&str> = polls.iter().map(|p| p.outcome.as_str()).collect();
    assert_eq!(outcomes, ["authorization_pending", "slow_down", "issued"]);
    let gaps: Vec<u64> = polls.windows(2).map(|w| w[1].at_ms - w[0].at_ms).collect();
    // The interval after AuthorizationPending, then the interval plus 5 s after SlowDown (a little slack for the
    // clocks, none for polling early).
    assert!((990..3000).contains(&gaps[0]), "{gaps:?}");
    assert!((5990..8000).contains(&gaps[1]), "{gaps:?}");

    let token = read_json(&session_token_path(&sandbox));
    assert!(token["refreshToken"].is_string(), "{token}");
    // A device-flow registration carries no grant types, as the AWS CLI writes it.
    let registration = read_json(&registration_path(&sandbox));
    assert!(registration.get("grantTypes").is_none(), "{registration}");
    assert_eq!(registration["clientId"], token["clientId"]);
    let register = sandbox
        .portal
        .requests()
        .into_iter()
        .find(|r| r.path == "/client/register")
        .unwrap();
    let body: serde_json::Value = serde_json::from_str(&register.body).unwrap();
    assert!(
        body.get("grantTypes").is_none() && body.get("redirectUris").is_none(),
        "{body}"
    );
}

#[test]
fn a_legacy_sign_in_uses_the_device_code_and_the_start_url_cache_name() {
    let sandbox = sandbox(login_config());
    for args in [
        &[
            "login",
            "--start-url",
            START_URL,
            "--region",
            "us-east-1",
            "--no-browser",
        ][..],
        &["login", "--profile", "legacy", "--no-browser"][..],
    ] {
        let run = sandbox.run_fake(args);
        run.assert_success();
        assert!(run.stderr.contains("the page shows the code"), "{}", run.stderr);
    }
    let token = read_json(&sandbox.cache_dir().join(cache_file_name(START_URL)));
    assert_eq!(token["startUrl"], START_URL);
    let region = sso_core::Region::new("us-east-1").unwrap();
    let key = registration_cache_key(START_URL, &region, None, None);
    let registration = read_json(&sandbox.cache_dir().join(format!("{key}.json")));
    assert!(registration.get("scopes").is_none(), "{registration}");
    // The second sign-in reused the registration of the first.
    let state = sandbox.portal.state();
    assert_eq!((state.registrations, state.device_code_grants), (1, 2));
    let export = sandbox.run_fake(&["export", "--profile", "legacy"]);
    export.assert_success();
}

#[test]
fn denied_and_expired_device_sign_ins_write_no_token() {
    type Case = (&'static str, fn(&mut PortalConfig), i32);
    let cases: [Case; 3] = [
        ("login_device_denied", |c| c.oidc.device_flow.deny = true, 10),
        ("login_device_expired", |c| c.oidc.device_flow.expire = true, 11),
        // Pending until expiresIn has passed: the CLI stops polling there.
        (
            "login_device_expires_in",
            |c| {
                c.oidc.device_flow.expires_in = 2;
                c.oidc.device_flow.pending_polls = 100;
            },
            11,
        ),
    ];
    for (name, configure, code) in cases {
        let mut config = login_config();
        configure(&mut config);
        let sandbox = sandbox(config);
        let started = Instant::now();
        let run = sandbox.run_fake(&["login", "--profile", "dev", "--use-device-code", "--no-browser"]);
        assert_eq!(run.code, code, "{name}: {run:?}");
        assert!(started.elapsed() < Duration::from_secs(6), "{name}");
        assert!(!session_token_path(&sandbox).exists(), "{name}");
        settings().bind(|| insta::assert_snapshot!(name, login_snapshot(&sandbox, &run)));
    }
}

#[test]
fn a_wrong_state_or_a_denial_in_the_browser_ends_the_sign_in_with_nothing_written() {
    for (name, wrong_state, code, page_says) in [
        ("login_wrong_state", true, 4, "does not match"),
        ("login_denied_in_browser", false, 10, "denied"),
    ] {
        let mut config = login_config();
        config.oidc.authorize.wrong_state = wrong_state;
        config.oidc.authorize.deny = !wrong_state;
        let sandbox = sandbox(config);
        let mut running = spawn(&sandbox, &["login", "--profile", "dev", "--no-browser"], &[]);
        let url = running.wait_for_line(URL_LINE);
        let (status, page) = browse(&url);
        assert_eq!(status, 400, "{page}");
        assert!(page.contains("Sign-in failed") && page.contains(page_says), "{page}");
        let run = running.finish();
        assert_eq!(run.code, code, "{run:?}");
        assert!(!session_token_path(&sandbox).exists());
        assert_eq!(sandbox.portal.state().authorization_code_grants, 0);
        settings().bind(|| insta::assert_snapshot!(name, login_snapshot(&sandbox, &run)));
    }
}

#[test]
fn nobody_opening_the_url_times_out() {
    let sandbox = sandbox(login_config());
    let started = Instant::now();
    let run = sandbox.run_fake(&["login", "--profile", "dev", "--no-browser", "--timeout", "2"]);
    assert_eq!(run.code, 11, "{run:?}");
    let took = started.elapsed();
    assert!(
        took >= Duration::from_secs(2) && took < Duration::from_secs(6),
        "{took:?}"
    );
    assert!(!session_token_path(&sandbox).exists());
    settings().bind(|| insta::assert_snapshot!("login_timeout", login_snapshot(&sandbox, &run)));
}

#[test]
fn a_redirect_port_in_use_is_refused_before_anything_is_registered() {
    let sandbox = sandbox(login_config());
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let run = sandbox.run_fake(&["login", "--profile", "dev", "--no-browser", "--redirect-port", &port]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(sandbox.portal.requests().is_empty());
    assert!(cache_files(&sandbox).is_empty());
    let text = login_snapshot(&sandbox, &run).replace(&port, "[port]");
    settings().bind(|| insta::assert_snapshot!("login_port_in_use", text));
    // --port is the same flag.
    let run = sandbox.run_fake(&["login", "--profile", "dev", "--no-browser", "--port", &port]);
    assert_eq!(run.code, 2, "{run:?}");
}

#[test]
fn ctrl_c_cancels_with_a_message_and_writes_no_token() {
    let sandbox = sandbox(login_config());
    let mut running = spawn(&sandbox, &["login", "--profile", "dev", "--no-browser"], &[]);
    running.wait_for_line(URL_LINE);
    let status = Command::new("kill")
        .args(["-INT", &running.child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let run = running.finish();
    assert_eq!(run.code, 130, "{run:?}");
    assert!(
        run.stderr
            .contains("ssocreds: sign-in cancelled (Ctrl-C); the token cache was not changed"),
        "{}",
        run.stderr
    );
    assert!(!session_token_path(&sandbox).exists());
    // Only the registration, complete; no temporary file.
    let registration = cache_files(&sandbox);
    assert_eq!(registration.len(), 1, "{registration:?}");
    read_json(&registration_path(&sandbox));
}

#[test]
fn logout_ends_the_session_and_removes_tokens_and_role_credentials() {
    let sandbox = sandbox(login_config());
    let mut running = spawn(&sandbox, &["login", "--profile", "dev", "--no-browser"], &[]);
    assert_eq!(browse(&running.wait_for_line(URL_LINE)).0, 200);
    running.finish().assert_success();
    let token_path = session_token_path(&sandbox);
    let access_token = read_json(&token_path)["accessToken"].as_str().unwrap().to_owned();
    assert!(sandbox.portal.token_is_valid(&access_token));
    // Role credentials cached by `ssocreds process`.
    sandbox.run_fake(&["process", "--profile", "dev"]).assert_success();
    let role_cache = sandbox.home.path().join(".aws/ssocreds/cache");
    assert_eq!(std::fs::read_dir(&role_cache).unwrap().count(), 1);

    let run = sandbox.run_fake(&["logout"]);
    run.assert_success();
    settings().bind(|| insta::assert_snapshot!("logout", sandbox.snapshot(&run)));
    assert_eq!(sandbox.portal.state().logouts, 1);
    assert!(!sandbox.portal.token_is_valid(&access_token));
    assert!(!token_path.exists());
    assert!(
        registration_path(&sandbox).exists(),
        "the client registration stays, as with `aws sso logout`"
    );
    assert_eq!(std::fs::read_dir(&role_cache).unwrap().count(), 0);
    let export = sandbox.run_fake(&["export", "--profile", "dev"]);
    assert_eq!(export.code, 3, "{export:?}");
    assert!(
        export.stderr.contains("ssocreds login --profile dev"),
        "{}",
        export.stderr
    );

    // Nothing left: still a success.
    let run = sandbox.run_fake(&["logout", "--profile", "dev"]);
    run.assert_success();
    assert!(run.stderr.contains("nothing to sign out of"), "{}", run.stderr);

    // A token the portal no longer knows (401) is already signed out: not an error, and the file goes.
    sandbox.write_cache(
        &cache_file_name("corp"),
        token_json("tok-unknown", &in_seconds(3600), "us-east-1"),
    );
    let run = sandbox.run_fake(&["logout", "--profile", "dev"]);
    run.assert_success();
    assert!(
        run.stderr.contains("the portal had already ended that session"),
        "{}",
        run.stderr
    );
    assert!(!token_path.exists());
    assert_eq!(sandbox.portal.state().logouts, 1);
}

#[test]
fn logout_without_the_portal_still_removes_the_files_and_says_so() {
    let sandbox = sandbox(login_config());
    let path = sandbox.write_cache(
        &cache_file_name("corp"),
        token_json(TOKEN, &in_seconds(3600), "us-east-1"),
    );
    // A port nobody listens on.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let run = sandbox.run_with(
        &["logout", "--max-attempts", "1"],
        &[("AWS_ENDPOINT_URL_SSO", &url)],
        None,
    );
    assert_eq!(run.code, 7, "{run:?}");
    assert!(!path.exists());
    assert!(
        run.stderr
            .contains("the session stays valid on the server until the token expires"),
        "{}",
        run.stderr
    );
}

#[test]
fn botocore_resolves_credentials_from_the_cache_ssocreds_wrote() {
    let Some(python) = botocore_python() else { return };
    let mut config = login_config();
    // Ten minutes left: inside botocore's 15-minute window, so it refreshes the token with the file's client
    // registration and refresh token, as it would one that `aws sso login` wrote.
    config.oidc.access_token_expires_in = 600;
    let sandbox = sandbox(config);
    let mut running = spawn(&sandbox, &["login", "--profile", "dev", "--no-browser"], &[]);
    assert_eq!(browse(&running.wait_for_line(URL_LINE)).0, 200);
    running.finish().assert_success();

    let script = "import botocore.session\n\
                  c = botocore.session.Session(profile='dev').get_credentials().get_frozen_credentials()\n\
                  print(c.access_key)\n";
    let access_key = sandbox.botocore(&python, script);
    assert!(access_key.trim().starts_with("ASIA"), "{access_key}");
    let state = sandbox.portal.state();
    assert_eq!(
        state.refresh_grants, 1,
        "botocore refreshed through the file's registration"
    );
    assert_eq!(state.credentials_served, 1);
    // botocore wrote the refreshed token back into the same file, which ssocreds still reads.
    let token = read_json(&session_token_path(&sandbox));
    assert_eq!(token["accessToken"], state.issued_tokens[1].access_token.as_str());
    sandbox.run_fake(&["export", "--profile", "dev"]).assert_success();
}
