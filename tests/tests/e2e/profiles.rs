//! Profiles of ~/.aws/config: legacy and sso-session, broken ones, token refresh, process, write and exec.

use std::process::{Command, Stdio};

use crate::harness::*;
use sso_core::cache_file_name;
use ssocreds_tests::fake_portal::{ClientConfig, PortalConfig, RefreshGrant};

const CONFIG: &str = "\
# A comment the tools must keep.
[profile legacy]
sso_start_url = https://e2e.awsapps.com/start
sso_region = us-east-1
sso_account_id = 111122223333
sso_role_name = ReadOnly
region = eu-west-2

[profile dev]
sso_session = corp
sso_account_id = 111122223333
sso_role_name = Admin
region = eu-central-1

[sso-session corp]
sso_start_url = https://e2e.awsapps.com/start
sso_region = us-east-1
sso_registration_scopes = sso:account:access

[profile broken-session]
sso_session = nope
sso_account_id = 111122223333
sso_role_name = Admin

[profile conflict]
sso_session = corp
sso_start_url = https://other.awsapps.com/start
sso_account_id = 111122223333
sso_role_name = Admin

[profile no-role]
sso_session = corp
sso_account_id = 111122223333

[profile static]
aws_access_key_id = AKIAEXAMPLE
aws_secret_access_key = example
";

/// A token of the sso-session `corp` that can be refreshed: client registration valid, `seconds` left.
fn refreshable_token(access_token: &str, seconds_left: i64, registration_seconds_left: i64) -> String {
    format!(
        r#"{{"startUrl":"{START_URL}","region":"us-east-1","accessToken":"{access_token}","expiresAt":"{}",
"clientId":"cid-e2e","clientSecret":"csecret-e2e","registrationExpiresAt":"{}","refreshToken":"rt-1",
"somethingNew":{{"kept":true}}}}"#,
        in_seconds(seconds_left),
        in_seconds(registration_seconds_left)
    )
}

/// The portal knows TOKEN and `tok-old`, the OIDC client `cid-e2e`, and refresh token `rt-1` → `tok-new` (+ `rt-2`
/// when `rotate`).
fn refresh_config(rotate: bool) -> PortalConfig {
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
            new_refresh_token: rotate.then(|| "rt-2".to_owned()),
            expires_in: Some(28_800),
            assignments_from: Some("tok-old".into()),
            ..RefreshGrant::default()
        },
    );
    config
}

fn session_cache(sandbox: &Sandbox) -> std::path::PathBuf {
    sandbox.cache_dir().join(cache_file_name("corp"))
}

fn read_json(path: &std::path::Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

#[test]
fn legacy_and_sso_session_profiles_export_with_the_profile_region() {
    let sandbox = Sandbox::new();
    sandbox.write_config(CONFIG);
    sandbox.write_cache(
        &cache_file_name(START_URL),
        token_json(TOKEN, "2099-01-01T00:00:00Z", "us-east-1"),
    );
    let run = sandbox.run_fake(&["export", "--profile", "legacy"]);
    run.assert_success();
    assert!(
        run.stdout.contains("AWS_ACCESS_KEY_ID=ASIAE2EEXAMPLE000001\n"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("export AWS_REGION=eu-west-2\nexport AWS_DEFAULT_REGION=eu-west-2\n")
    );

    sandbox.write_session_token("corp");
    let run = sandbox.run_fake(&["export", "--profile", "dev", "--format", "json"]);
    run.assert_success();
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(json["region"], "eu-central-1");
    assert!(json["accessKeyId"].as_str().unwrap().starts_with("ASIA"));
    let last = sandbox.portal.requests().pop().unwrap();
    assert!(last.query.contains("role_name=Admin"), "{}", last.query);
}

#[test]
fn aws_profile_is_used_and_flags_override_the_profile() {
    let sandbox = Sandbox::new();
    sandbox.write_config(CONFIG);
    sandbox.write_session_token("corp");
    let url = sandbox.portal.url();
    let env = [("AWS_ENDPOINT_URL_SSO", url.as_str()), ("AWS_PROFILE", "dev")];
    sandbox.run_with(&["export"], &env, None).assert_success();
    sandbox
        .run_with(&["export", "--role-name", "ReadOnly"], &env, None)
        .assert_success();
    let roles: Vec<String> = sandbox.portal.requests().iter().map(|r| r.query.clone()).collect();
    assert!(
        roles[0].contains("role_name=Admin") && roles[1].contains("role_name=ReadOnly"),
        "{roles:?}"
    );
    // AWS_CONFIG_FILE moves the config file.
    let elsewhere = sandbox.home.path().join("elsewhere.ini");
    std::fs::write(&elsewhere, CONFIG).unwrap();
    std::fs::remove_file(sandbox.home.path().join(".aws/config")).unwrap();
    let config = elsewhere.to_str().unwrap();
    sandbox
        .run_with(
            &["export", "--profile", "dev"],
            &[("AWS_ENDPOINT_URL_SSO", &url), ("AWS_CONFIG_FILE", config)],
            None,
        )
        .assert_success();
}

#[test]
fn broken_profiles_say_what_to_fix() {
    let sandbox = Sandbox::new();
    sandbox.write_config(CONFIG);
    let settings = settings();
    for (profile, exit) in [
        ("missing", 8),
        ("broken-session", 8),
        ("conflict", 8),
        ("no-role", 2),
        ("static", 8),
        ("dev", 3), // no token file for it yet
    ] {
        let run = sandbox.run_fake(&["export", "--profile", profile]);
        assert_eq!(run.code, exit, "{profile}: {run:?}");
        assert!(run.stdout.is_empty());
        settings.bind(|| insta::assert_snapshot!(format!("profile_{profile}"), sandbox.snapshot(&run)));
    }
    assert!(sandbox.portal.requests().is_empty(), "no request for a broken profile");
}

#[test]
fn a_token_about_to_expire_is_refreshed_and_written_back() {
    let sandbox = Sandbox::with_config(refresh_config(true));
    sandbox.write_config(CONFIG);
    let path = session_cache(&sandbox);
    sandbox.write_cache(&cache_file_name("corp"), refreshable_token("tok-old", 120, 86_400));
    sandbox.run_fake(&["export", "--profile", "dev"]).assert_success();
    assert_eq!(sandbox.portal.state().refresh_grants, 1);
    let cache = read_json(&path);
    assert_eq!(cache["accessToken"], "tok-new");
    assert_eq!(cache["refreshToken"], "rt-2");
    assert_eq!(
        cache["somethingNew"]["kept"], true,
        "unknown fields survive the rewrite"
    );
    assert_eq!(cache["clientId"], "cid-e2e");
    let expires = chrono::DateTime::parse_from_rfc3339(cache["expiresAt"].as_str().unwrap()).unwrap();
    assert!(expires.timestamp() - chrono::Utc::now().timestamp() > 7 * 3600);
    assert!(cache["expiresAt"].as_str().unwrap().ends_with('Z'));
    assert_eq!(mode(&path), 0o600);
    let last = sandbox.portal.requests().pop().unwrap();
    assert_eq!(
        last.header("x-amz-sso_bearer_token"),
        Some("tok-new"),
        "the portal call uses the new token"
    );
    // A second run finds a fresh token and does not refresh again.
    sandbox.run_fake(&["export", "--profile", "dev"]).assert_success();
    assert_eq!(sandbox.portal.state().refresh_grants, 1);
}

#[test]
fn a_refresh_without_a_new_refresh_token_keeps_the_old_one() {
    let sandbox = Sandbox::with_config(refresh_config(false));
    sandbox.write_config(CONFIG);
    sandbox.write_cache(&cache_file_name("corp"), refreshable_token("tok-old", 60, 86_400));
    sandbox.run_fake(&["export", "--profile", "dev"]).assert_success();
    let cache = read_json(&session_cache(&sandbox));
    assert_eq!(
        (cache["accessToken"].as_str(), cache["refreshToken"].as_str()),
        (Some("tok-new"), Some("rt-1"))
    );
}

#[test]
fn an_expired_registration_means_no_refresh_and_a_clear_message() {
    let sandbox = Sandbox::with_config(refresh_config(true));
    sandbox.write_config(CONFIG);
    // Still valid for 2 minutes: used as it is, with a warning, and no OIDC call.
    sandbox.write_cache(&cache_file_name("corp"), refreshable_token("tok-old", 120, -60));
    let run = sandbox.run_fake(&["export", "--profile", "dev"]);
    run.assert_success();
    assert!(run.stderr.contains("expires in"), "{}", run.stderr);
    assert_eq!(sandbox.portal.state().refresh_grants, 0);
    // Expired: exit 4, saying why it could not be refreshed and how to sign in.
    sandbox.write_cache(&cache_file_name("corp"), refreshable_token("tok-old", -60, -60));
    let run = sandbox.run_fake(&["export", "--profile", "dev"]);
    assert_eq!(run.code, 4);
    settings().bind(|| insta::assert_snapshot!("refresh_registration_expired", sandbox.snapshot(&run)));
}

#[test]
fn a_rejected_refresh_warns_while_the_token_lasts_and_fails_after() {
    let mut config = refresh_config(true);
    config.oidc.refresh_tokens.clear(); // rt-1 unknown: 400 invalid_grant
    let sandbox = Sandbox::with_config(config);
    sandbox.write_config(CONFIG);
    sandbox.write_cache(&cache_file_name("corp"), refreshable_token("tok-old", 120, 86_400));
    let run = sandbox.run_fake(&["export", "--profile", "dev"]);
    run.assert_success();
    assert!(run.stderr.contains("could not refresh the SSO token"), "{}", run.stderr);
    assert_eq!(
        read_json(&session_cache(&sandbox))["accessToken"],
        "tok-old",
        "nothing written on failure"
    );

    sandbox.write_cache(&cache_file_name("corp"), refreshable_token("tok-old", -10, 86_400));
    let run = sandbox.run_fake(&["export", "--profile", "dev"]);
    assert_eq!(run.code, 4, "{run:?}");
    settings().bind(|| insta::assert_snapshot!("refresh_rejected", sandbox.snapshot(&run)));
}

#[test]
fn twenty_concurrent_exports_refresh_exactly_once() {
    let sandbox = Sandbox::with_config(refresh_config(true));
    sandbox.write_config(CONFIG);
    sandbox.write_cache(&cache_file_name("corp"), refreshable_token("tok-old", 90, 86_400));
    let url = sandbox.portal.url();
    let children: Vec<_> = (0..20)
        .map(|_| {
            Command::new(binary())
                .args(["export", "--profile", "dev"])
                .env_clear()
                .env("HOME", sandbox.home.path())
                .env("AWS_ENDPOINT_URL_SSO", &url)
                .env("AWS_ENDPOINT_URL_SSO_OIDC", &url)
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for child in children {
        let output = child.wait_with_output().unwrap();
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        assert!(String::from_utf8_lossy(&output.stdout).starts_with("export AWS_ACCESS_KEY_ID="));
    }
    assert_eq!(sandbox.portal.state().refresh_grants, 1);
    assert_eq!(read_json(&session_cache(&sandbox))["accessToken"], "tok-new");
}

#[test]
fn process_reuses_cached_role_credentials_while_they_last() {
    let sandbox = Sandbox::new();
    sandbox.write_config(CONFIG);
    sandbox.write_session_token("corp");
    let first = sandbox.run_fake(&["process", "--profile", "dev"]);
    first.assert_success();
    let json: serde_json::Value = serde_json::from_str(&first.stdout).unwrap();
    assert_eq!(json["Version"], 1);
    let second = sandbox.run_fake(&["process", "--profile", "dev"]);
    second.assert_success();
    assert_eq!(first.stdout, second.stdout);
    assert_eq!(
        sandbox.portal.state().credentials_served,
        1,
        "the second call came from the cache"
    );
    let dir = sandbox.home.path().join(".aws/ssocreds/cache");
    assert_eq!(mode(&dir), 0o700);
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        assert_eq!(mode(&path), 0o600, "{}", path.display());
    }
    // Credentials of 1 h do not satisfy a minimum of 2 h: fetched again.
    sandbox
        .run_fake(&["process", "--profile", "dev", "--min-validity-minutes", "120"])
        .assert_success();
    assert_eq!(sandbox.portal.state().credentials_served, 2);
    // --no-cache always calls the portal.
    sandbox
        .run_fake(&["process", "--profile", "dev", "--no-cache"])
        .assert_success();
    assert_eq!(sandbox.portal.state().credentials_served, 3);
}

const CREDENTIALS_BEFORE: &str = "\
# my keys, keep this comment\r
[personal]\r
aws_access_key_id = AKIAPERSONAL\r
aws_secret_access_key = personal-secret\r
\r
[dev]\r
region = eu-west-1\r
aws_access_key_id = OLD\r
";

#[test]
fn write_merges_into_the_credentials_file_and_keeps_everything_else() {
    let sandbox = Sandbox::new();
    sandbox.write_config(CONFIG);
    sandbox.write_session_token("corp");
    let path = sandbox.home.path().join(".aws/credentials");
    std::fs::write(&path, CREDENTIALS_BEFORE).unwrap();
    let run = sandbox.run_fake(&["write", "--profile", "dev"]);
    run.assert_success();
    assert!(run.stdout.is_empty());
    assert!(
        run.stderr
            .contains("wrote credentials for Admin in 111122223333 to [dev]"),
        "{}",
        run.stderr
    );
    let after = std::fs::read_to_string(&path).unwrap();
    assert!(after.starts_with("# my keys, keep this comment\r\n[personal]\r\naws_access_key_id = AKIAPERSONAL\r\n"));
    assert!(after.contains("region = eu-west-1\r\n"), "{after}");
    assert!(!after.contains("OLD"), "{after}");
    assert!(after.contains("aws_session_token = "), "{after}");
    assert_eq!(mode(&path), 0o600);
    // --as writes another section; AWS_SHARED_CREDENTIALS_FILE moves the file.
    let other = sandbox.home.path().join("shared-creds");
    let url = sandbox.portal.url();
    sandbox
        .run_with(
            &["write", "--profile", "dev", "--as", "ci"],
            &[
                ("AWS_ENDPOINT_URL_SSO", &url),
                ("AWS_SHARED_CREDENTIALS_FILE", other.to_str().unwrap()),
            ],
            None,
        )
        .assert_success();
    assert!(std::fs::read_to_string(&other).unwrap().starts_with("[ci]\n"));
}

#[test]
fn twenty_concurrent_writes_of_different_sections_lose_none() {
    let sandbox = Sandbox::new();
    sandbox.write_config(CONFIG);
    sandbox.write_session_token("corp");
    let url = sandbox.portal.url();
    let children: Vec<_> = (0..20)
        .map(|i| {
            Command::new(binary())
                .args(["write", "--profile", "dev", "--as", &format!("p{i}")])
                .env_clear()
                .env("HOME", sandbox.home.path())
                .env("AWS_ENDPOINT_URL_SSO", &url)
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for child in children {
        let output = child.wait_with_output().unwrap();
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    }
    let text = std::fs::read_to_string(sandbox.home.path().join(".aws/credentials")).unwrap();
    for i in 0..20 {
        assert_eq!(
            text.matches(&format!("[p{i}]\n")).count(),
            1,
            "section p{i} in:\n{text}"
        );
    }
    assert_eq!(text.matches("aws_session_token = ").count(), 20);
    let leftovers: Vec<_> = std::fs::read_dir(sandbox.home.path().join(".aws"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
}

#[test]
fn exec_runs_the_command_with_the_credentials_and_passes_its_exit_code() {
    let sandbox = Sandbox::new();
    sandbox.write_config(CONFIG);
    sandbox.write_session_token("corp");
    let url = sandbox.portal.url();
    let run = sandbox.run_with(
        &[
            "exec",
            "--profile",
            "dev",
            "--",
            "sh",
            "-c",
            "printf '%s|%s|%s' \"$AWS_ACCESS_KEY_ID\" \"$AWS_REGION\" \"${AWS_PROFILE-unset}\"; exit 3",
        ],
        &[("AWS_ENDPOINT_URL_SSO", &url), ("AWS_PROFILE", "dev")],
        None,
    );
    assert_eq!(run.code, 3, "{run:?}");
    assert!(
        run.stdout.starts_with("ASIA") && run.stdout.ends_with("|eu-central-1|unset"),
        "{}",
        run.stdout
    );

    let run = sandbox.run_fake(&["exec", "--profile", "dev", "--", "no-such-command-xyz"]);
    assert_eq!(run.code, 127);
    assert!(run.stderr.contains("not found on PATH"), "{}", run.stderr);
}

#[test]
fn token_all_lists_every_token_with_its_session() {
    let sandbox = Sandbox::new();
    sandbox.write_config(CONFIG);
    sandbox.write_session_token("corp");
    sandbox.write_cache(
        &cache_file_name(START_URL),
        token_json("tok-legacy", "2020-01-01T00:00:00Z", "us-east-1"),
    );
    sandbox.write_cache(
        "botocore-client-id-us-east-1.json",
        r#"{"clientId":"c","clientSecret":"s","expiresAt":"2099-01-01T00:00:00Z"}"#,
    );
    let run = sandbox.run(&["token", "--all"]);
    run.assert_success();
    assert!(run.stdout.contains("used by    sso-session corp"), "{}", run.stdout);
    assert!(run.stdout.contains("used by    profile legacy"), "{}", run.stdout);
    assert!(run.stdout.contains("expired"), "{}", run.stdout);
    assert!(!run.stdout.contains("tok-legacy"));
    let run = sandbox.run(&["token", "--all", "--json"]);
    run.assert_success();
    let json: Vec<serde_json::Value> = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(json.len(), 2);
    // --profile shows that profile's token.
    let run = sandbox.run(&["token", "--profile", "dev"]);
    run.assert_success();
    assert!(run.stdout.contains(&cache_file_name("corp")), "{}", run.stdout);
}

fn access_key_of(profile: &str) -> String {
    format!(
        "import botocore.session\n\
         c = botocore.session.Session(profile='{profile}').get_credentials().get_frozen_credentials()\n\
         print(c.access_key + ' ' + c.token[:12])\n"
    )
}

/// botocore reads everything ssocreds writes: the credentials file, `credential_process` output (with the role
/// cache), and a token cache ssocreds refreshed.
#[test]
fn botocore_reads_the_files_ssocreds_writes() {
    let Some(python) = botocore_python() else { return };
    let sandbox = Sandbox::with_config(refresh_config(true));
    let config = format!(
        "{CONFIG}\n[profile via-process]\ncredential_process = {} process --profile dev\n",
        binary().display()
    );
    sandbox.write_config(&config);
    sandbox.write_cache(&cache_file_name("corp"), refreshable_token("tok-old", 120, 86_400));

    // 1. ssocreds refreshes the token (2 minutes left) and writes it back; botocore then uses that file as is
    //    (8 hours left: outside its refresh window) for its own GetRoleCredentials call.
    sandbox.run_fake(&["export", "--profile", "dev"]).assert_success();
    assert_eq!(sandbox.portal.state().refresh_grants, 1);
    let served = sandbox.portal.state().credentials_served;
    let from_sso = sandbox.botocore(&python, &access_key_of("dev"));
    assert!(from_sso.starts_with("ASIA"), "{from_sso}");
    assert_eq!(
        sandbox.portal.state().refresh_grants,
        1,
        "botocore did not need to refresh again"
    );
    assert_eq!(sandbox.portal.state().credentials_served, served + 1);
    let last = sandbox.portal.requests().pop().unwrap();
    assert_eq!(
        last.header("x-amz-sso_bearer_token"),
        Some("tok-new"),
        "botocore used the refreshed token"
    );

    // 2. credential_process = ssocreds process --profile dev: botocore gets the same credentials ssocreds prints,
    //    and a second botocore process is served from ssocreds' role cache.
    let first = sandbox.botocore(&python, &access_key_of("via-process"));
    let served = sandbox.portal.state().credentials_served;
    let second = sandbox.botocore(&python, &access_key_of("via-process"));
    assert_eq!(first, second);
    assert_eq!(
        sandbox.portal.state().credentials_served,
        served,
        "the second call came from the role cache"
    );
    let printed = sandbox.run_fake(&["process", "--profile", "dev"]);
    let json: serde_json::Value = serde_json::from_str(&printed.stdout).unwrap();
    assert!(
        first.starts_with(json["AccessKeyId"].as_str().unwrap()),
        "{first} vs {}",
        printed.stdout
    );

    // 3. ssocreds write: botocore reads the section from ~/.aws/credentials.
    std::fs::write(
        sandbox.home.path().join(".aws/credentials"),
        "[other]\naws_access_key_id = AKIAOTHER\n",
    )
    .unwrap();
    sandbox
        .run_fake(&["write", "--profile", "dev", "--as", "written"])
        .assert_success();
    let written = sandbox.botocore(&python, &access_key_of("written"));
    assert_eq!(
        written, first,
        "the same cached credentials, now read from the credentials file"
    );
}
