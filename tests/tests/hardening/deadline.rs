//! `--timeout` bounds a whole operation: a portal (or OIDC service) that accepts the connection and then never
//! answers, or answers one byte a second, ends every command within `--timeout` + 2 s with exit 7, a message that
//! says how long it waited and how often it tried, nothing on stdout and the HOME folder unchanged byte for byte —
//! however many attempts `--max-attempts` allows.

use std::time::Duration;

use ssocreds_tests::fake_portal::{ClientConfig, Fault, PortalConfig, RefreshGrant};

use crate::harness::*;
use crate::support::{assert_failure, changes, timed, tree};

/// `--timeout` in these tests: short, to keep CI short.
const TIMEOUT: Duration = Duration::from_secs(2);
/// What a run may take beyond `--timeout`: process start, the token file, the answer of the error.
const SLACK: Duration = Duration::from_secs(2);

const CONFIG: &str = "\
[profile dev]
sso_session = corp
sso_account_id = 111122223333
sso_role_name = Admin

[sso-session corp]
sso_start_url = https://e2e.awsapps.com/start
sso_region = us-east-1
";

/// The portal with the OIDC client `cid-e2e` and refresh token `rt-1`, and `fault` on the paths `only` (all when
/// empty).
fn config(fault: Fault, only: &[&str]) -> PortalConfig {
    let mut config = portal_config();
    config.fault = fault;
    config.fault_paths = only.iter().map(|p| (*p).to_owned()).collect();
    config.clients.insert(
        "cid-e2e".into(),
        ClientConfig {
            client_secret: "csecret-e2e".into(),
            client_secret_expires_at: None,
        },
    );
    config.oidc.refresh_tokens.insert(
        "rt-1".into(),
        RefreshGrant {
            access_token: Some(TOKEN.into()),
            expires_in: Some(28_800),
            ..RefreshGrant::default()
        },
    );
    config
}

/// The sso-session `corp`'s token, refreshable, with `seconds_left`.
fn refreshable_token(seconds_left: i64) -> String {
    format!(
        r#"{{"startUrl":"{START_URL}","region":"us-east-1","accessToken":"{TOKEN}","expiresAt":"{}",
"clientId":"cid-e2e","clientSecret":"csecret-e2e","registrationExpiresAt":"{}","refreshToken":"rt-1"}}"#,
        in_seconds(seconds_left),
        in_seconds(86_400)
    )
}

/// A command against a faulty server.
struct Case {
    name: &'static str,
    /// Arguments after the command's `--endpoint-url URL` (when `endpoint`).
    args: &'static [&'static str],
    /// Pass `--endpoint-url`; otherwise the portal and OIDC endpoints come from the environment.
    endpoint: bool,
    /// Paths subject to the fault (all when empty).
    only: &'static [&'static str],
    /// Writes the token and config files the case needs.
    setup: fn(&Sandbox),
}

fn usual_token(sandbox: &Sandbox) {
    sandbox.write_token();
}

fn expired_refreshable_session(sandbox: &Sandbox) {
    sandbox.write_config(CONFIG);
    sandbox.write_cache(&sso_core::cache_file_name("corp"), refreshable_token(-60));
}

fn cases() -> Vec<Case> {
    vec![
        Case {
            name: "export",
            args: &["export", "--account-id", ACCOUNT, "--role-name", "ReadOnly"],
            endpoint: true,
            only: &[],
            setup: usual_token,
        },
        Case {
            name: "process",
            args: &["process", "--account-id", ACCOUNT, "--role-name", "ReadOnly"],
            endpoint: true,
            only: &[],
            setup: usual_token,
        },
        Case {
            name: "write",
            args: &["write", "--account-id", ACCOUNT, "--role-name", "Admin", "--as", "dev"],
            endpoint: true,
            only: &[],
            setup: usual_token,
        },
        Case {
            // ListAccounts, then each account's ListAccountRoles: here the first never ends.
            name: "roles",
            args: &["roles"],
            endpoint: true,
            only: &[],
            setup: usual_token,
        },
        Case {
            // The listing of one account's roles: per account, one --timeout.
            name: "roles of one account",
            args: &["roles", "--account-id", ACCOUNT],
            endpoint: true,
            only: &["/assignment/roles"],
            setup: usual_token,
        },
        Case {
            // The token has expired and the refresh (OIDC CreateToken, a POST) never ends.
            name: "refresh",
            args: &["export", "--profile", "dev"],
            endpoint: false,
            only: &["/token"],
            setup: expired_refreshable_session,
        },
    ]
}

fn run_case(case: &Case, fault: Fault) {
    let sandbox = Sandbox::with_config(config(fault, case.only));
    (case.setup)(&sandbox);
    let credentials = sandbox.home.path().join(".aws/credentials");
    std::fs::create_dir_all(credentials.parent().unwrap()).unwrap();
    std::fs::write(&credentials, "[keep]\naws_access_key_id = AKIAKEEP\n").unwrap();
    let before = tree(sandbox.home.path());
    let url = sandbox.portal.url();
    let timeout = TIMEOUT.as_secs().to_string();
    let mut args: Vec<&str> = vec![case.args[0]];
    if case.endpoint {
        args.extend(["--endpoint-url", &url]);
    }
    args.extend_from_slice(&case.args[1..]);
    // Attempts enough for minutes of per-attempt timeouts: the deadline, not the count, must end the run.
    args.extend(["--timeout", &timeout, "--max-attempts", "10"]);
    let env = [
        ("AWS_ENDPOINT_URL_SSO", url.as_str()),
        ("AWS_ENDPOINT_URL_SSO_OIDC", url.as_str()),
    ];
    let (run, elapsed) = timed(&sandbox, &args, if case.endpoint { &[] } else { &env });
    let what = format!("{} under {fault:?}", case.name);
    assert_failure(&run, 7, "timed out", &what);
    assert!(
        run.stderr.contains("after 1 attempt(s) in ") && run.stderr.contains("--timeout 2 s"),
        "{what}: the message does not say how long and how often:\n{}",
        run.stderr
    );
    let (mut added, removed, modified) = changes(&before, &tree(sandbox.home.path()));
    // The refresh's lock file is empty and stays by design (removing it would race with a process opening it).
    added.retain(|name| !name.ends_with(".json.lock"));
    assert!(
        added.is_empty() && removed.is_empty() && modified.is_empty(),
        "{what}: files changed: added {added:?}, removed {removed:?}, modified {modified:?}"
    );
    assert!(
        elapsed < TIMEOUT + SLACK,
        "{what}: took {elapsed:?}, limit {:?}",
        TIMEOUT + SLACK
    );
    // Timers may fire a little early.
    assert!(
        elapsed + Duration::from_millis(100) >= TIMEOUT,
        "{what}: gave up after only {elapsed:?}"
    );
    let faulted = sandbox.portal.state().faults;
    assert_eq!(faulted, 1, "{what}: requests that met the fault");
    println!("{what}: exit 7 in {elapsed:.2?} after {faulted} faulty request(s)");
}

fn run_both(name: &str) {
    let case = cases()
        .into_iter()
        .find(|c| c.name == name)
        .expect("a case of that name");
    run_case(&case, Fault::Hang);
    run_case(&case, Fault::Trickle);
}

#[test]
fn export_ends_within_the_timeout() {
    run_both("export");
}

#[test]
fn process_ends_within_the_timeout() {
    run_both("process");
}

#[test]
fn write_ends_within_the_timeout() {
    run_both("write");
}

#[test]
fn roles_end_within_the_timeout() {
    run_both("roles");
    run_both("roles of one account");
}

#[test]
fn a_refresh_ends_within_the_timeout() {
    run_both("refresh");
}

/// A refresh that hangs while the token still has time left costs one --timeout, then the token is used as it is
/// and the portal call gets its own --timeout.
#[test]
fn a_hanging_refresh_of_a_valid_token_costs_one_timeout() {
    let sandbox = Sandbox::with_config(config(Fault::Hang, &["/token"]));
    sandbox.write_config(CONFIG);
    sandbox.write_cache(&sso_core::cache_file_name("corp"), refreshable_token(120));
    let (run, elapsed) = timed(
        &sandbox,
        &["export", "--profile", "dev", "--timeout", "2"],
        &[
            ("AWS_ENDPOINT_URL_SSO", &sandbox.portal.url()),
            ("AWS_ENDPOINT_URL_SSO_OIDC", &sandbox.portal.url()),
        ],
    );
    run.assert_success();
    assert!(
        run.stderr.contains("could not refresh the SSO token") && run.stderr.contains("timed out"),
        "{}",
        run.stderr
    );
    assert!(elapsed < TIMEOUT + SLACK, "took {elapsed:?}");
    assert!(elapsed + Duration::from_millis(100) >= TIMEOUT, "took only {elapsed:?}");
    println!("hanging refresh, then export: exit 0 in {elapsed:.2?}");
}
