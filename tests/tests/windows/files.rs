//! Files on Windows: `write` keeps every other byte of a CRLF credentials file; a credentials file held open by
//! another program is replaced once it is let go (within 5 s), else left as it was with a message naming it (exit
//! 9); concurrent runs refresh a token once and lose no section, under Windows file locks.

use std::time::{Duration, Instant};

use sso_core::cache_file_name;
use ssocreds_tests::fake_portal::{ClientConfig, PortalConfig, RefreshGrant};

use crate::linux::{START_URL, TOKEN, in_seconds};
use crate::sandbox::*;
use crate::wine::{self, WinCommand, wine_spawn};

const CREDENTIALS_BEFORE: &str = "\
# my keys, keep this comment\r
[personal]\r
aws_access_key_id = AKIAPERSONAL\r
aws_secret_access_key = personal-secret ; not a comment\r
\r
; another comment\r
[dev]\r
region = eu-west-1\r
aws_access_key_id = OLD\r
\r
[after]\r
output = json";

#[test]
#[ignore = "needs wine: run scripts/test-windows.sh"]
fn write_keeps_every_other_byte_of_a_crlf_file_as_the_linux_build_does() {
    let sandbox = WinSandbox::new();
    sandbox.write_config();
    sandbox.write_tokens();
    let path = sandbox.path(".aws/credentials");
    std::fs::write(&path, CREDENTIALS_BEFORE).unwrap();
    let run = sandbox.run(&["write", "--profile", "dev"]);
    run.assert_success();
    assert!(run.stdout.is_empty());
    let shown = format!("{}\\.aws\\credentials", sandbox.win_home());
    assert!(
        run.stderr_text().contains(&format!("to [dev] in {shown}; they expire")),
        "the path in Windows form: {}",
        run.stderr_text()
    );
    let after = std::fs::read_to_string(&path).unwrap();
    assert!(
        after.starts_with(
            "# my keys, keep this comment\r\n[personal]\r\naws_access_key_id = AKIAPERSONAL\r\n\
             aws_secret_access_key = personal-secret ; not a comment\r\n\r\n; another comment\r\n[dev]\r\n\
             region = eu-west-1\r\n"
        ),
        "{after:?}"
    );
    assert!(
        after.contains(&format!("aws_secret_access_key = {CMD_SECRET}\r\n")),
        "{after:?}"
    );
    assert!(after.ends_with("[after]\r\noutput = json"), "{after:?}");
    assert!(!after.contains("OLD"));

    // The Linux build, given the same file, writes the same bytes.
    let linux_path = sandbox.path("linux-credentials");
    std::fs::write(&linux_path, CREDENTIALS_BEFORE).unwrap();
    let url = sandbox.linux.portal.url();
    sandbox
        .linux
        .run_with(
            &["write", "--profile", "dev"],
            &[
                ("AWS_ENDPOINT_URL_SSO", &url),
                ("AWS_SHARED_CREDENTIALS_FILE", linux_path.to_str().unwrap()),
            ],
            None,
        )
        .assert_success();
    assert_eq!(std::fs::read_to_string(&linux_path).unwrap(), after);
    assert_no_temporary_files(&sandbox);
}

fn assert_no_temporary_files(sandbox: &WinSandbox) {
    let leftovers: Vec<_> = std::fs::read_dir(sandbox.path(".aws"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
}

/// Starts `hold-file.exe` on the credentials file for `seconds` and waits until it has the file open.
fn hold(sandbox: &WinSandbox, seconds: &str) -> wine::WinChild {
    let file = wine::win_path(&sandbox.path(".aws/credentials"));
    let mut holder = wine_spawn(&WinCommand::new(wine::helper("hold-file.exe"), &[&file, seconds]));
    assert_eq!(holder.read_line().trim(), "held", "hold-file.exe did not open the file");
    holder
}

#[test]
#[ignore = "needs wine: run scripts/test-windows.sh"]
fn write_waits_for_a_program_that_holds_the_file_for_a_moment() {
    let sandbox = WinSandbox::new();
    sandbox.write_config();
    sandbox.write_tokens();
    let path = sandbox.path(".aws/credentials");
    std::fs::write(&path, CREDENTIALS_BEFORE).unwrap();
    let holder = hold(&sandbox, "2");
    let started = Instant::now();
    let run = sandbox.run(&["write", "--profile", "dev"]);
    let took = started.elapsed();
    holder.wait().assert_success();
    run.assert_success();
    assert!(
        took >= Duration::from_millis(1000),
        "it cannot have replaced a held file: {took:?}"
    );
    let after = std::fs::read_to_string(&path).unwrap();
    assert!(
        after.contains(&format!("aws_secret_access_key = {CMD_SECRET}\r\n")),
        "{after:?}"
    );
    assert_no_temporary_files(&sandbox);
}

#[test]
#[ignore = "needs wine: run scripts/test-windows.sh"]
fn write_gives_up_on_a_file_held_open_too_long_and_leaves_it_as_it_was() {
    let sandbox = WinSandbox::new();
    sandbox.write_config();
    sandbox.write_tokens();
    let path = sandbox.path(".aws/credentials");
    std::fs::write(&path, CREDENTIALS_BEFORE).unwrap();
    let holder = hold(&sandbox, "9");
    let started = Instant::now();
    let run = sandbox.run(&["write", "--profile", "dev"]);
    let took = started.elapsed();
    assert_eq!(run.code, 9, "{run:?}");
    assert!(run.stdout.is_empty());
    let stderr = run.stderr_text();
    let shown = format!("{}\\.aws\\credentials", sandbox.win_home());
    assert!(
        stderr.starts_with(&format!("ssocreds: error: cannot replace {shown}: ")),
        "names the file: {stderr}"
    );
    assert!(
        stderr.contains("still refused after 5 s (")
            && stderr.contains("another program")
            && stderr.contains("the file is unchanged"),
        "names the cause: {stderr}"
    );
    assert!(
        took >= Duration::from_millis(4500) && took < Duration::from_secs(9),
        "about 5 s of retries: {took:?}"
    );
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        CREDENTIALS_BEFORE,
        "the file is as it was"
    );
    assert_no_temporary_files(&sandbox);
    holder.wait().assert_success();
}

/// A token of sso-session `corp` that can be refreshed, `seconds_left` before it expires.
fn refreshable_token(seconds_left: i64) -> String {
    format!(
        r#"{{"startUrl":"{START_URL}","region":"us-east-1","accessToken":"tok-old","expiresAt":"{}",
"clientId":"cid-e2e","clientSecret":"csecret-e2e","registrationExpiresAt":"{}","refreshToken":"rt-1"}}"#,
        in_seconds(seconds_left),
        in_seconds(86_400)
    )
}

/// The portal knows `tok-old` (as TOKEN) and refresh token `rt-1` of client `cid-e2e`, which gives `tok-new`.
fn refresh_config() -> PortalConfig {
    let mut config = portal_config();
    let grant = config.tokens[TOKEN].clone();
    config.tokens.insert("tok-old".into(), grant);
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
            access_token: Some("tok-new".into()),
            new_refresh_token: Some("rt-2".into()),
            expires_in: Some(28_800),
            assignments_from: Some("tok-old".into()),
            ..RefreshGrant::default()
        },
    );
    config
}

#[test]
#[ignore = "needs wine: run scripts/test-windows.sh"]
fn concurrent_runs_refresh_the_token_once_under_the_lock() {
    let sandbox = WinSandbox::with_config(refresh_config());
    sandbox.write_config();
    let cache = sandbox
        .linux
        .write_cache(&cache_file_name("corp"), refreshable_token(90));
    let children: Vec<_> = (0..8)
        .map(|_| wine_spawn(&sandbox.command(&["export", "--profile", "dev", "--format", "process"])))
        .collect();
    for child in children {
        let run = child.wait();
        run.assert_success();
        assert!(run.stdout_text().contains(CMD_ACCESS_KEY));
    }
    assert_eq!(sandbox.linux.portal.state().refresh_grants, 1, "one refresh for 8 runs");
    let json: serde_json::Value = serde_json::from_slice(&std::fs::read(&cache).unwrap()).unwrap();
    assert_eq!(json["accessToken"], "tok-new");
    assert_eq!(json["refreshToken"], "rt-2");
}

#[test]
#[ignore = "needs wine: run scripts/test-windows.sh"]
fn concurrent_writes_of_different_sections_lose_none() {
    let sandbox = WinSandbox::new();
    sandbox.write_config();
    sandbox.write_tokens();
    let children: Vec<_> = (0..8)
        .map(|i| wine_spawn(&sandbox.command(&["write", "--profile", "dev", "--as", &format!("p{i}")])))
        .collect();
    for child in children {
        child.wait().assert_success();
    }
    let text = std::fs::read_to_string(sandbox.path(".aws/credentials")).unwrap();
    for i in 0..8 {
        assert_eq!(
            text.matches(&format!("[p{i}]\n")).count(),
            1,
            "section p{i} in:\n{text}"
        );
    }
    assert_no_temporary_files(&sandbox);
}
