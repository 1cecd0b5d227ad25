//! The `[default]` profile: with no profile named (`--profile`, `AWS_PROFILE`), a `[default]` with SSO settings is
//! used as the SDKs use it — its account and role for export, process, write and exec, its token for token,
//! accounts, roles and populate — while logout still ends every session. Each test also keeps a token of another
//! sign-in in the cache, so that a search of the cache (what happens without a profile) would stop as ambiguous:
//! a success proves the default's own token was used.

use sso_core::cache_file_name;

use crate::harness::*;

const DEFAULT_CONFIG: &str = "\
[default]
sso_session = corp
sso_account_id = 111122223333
sso_role_name = ReadOnly
region = eu-west-2

[profile other]
sso_session = corp
sso_account_id = 111122223333
sso_role_name = Admin

[sso-session corp]
sso_start_url = https://e2e.awsapps.com/start
sso_region = us-east-1
";

const OTHER_START_URL: &str = "https://other.awsapps.com/start";

/// A sandbox with DEFAULT_CONFIG, the token of sso-session `corp`, and a token of another sign-in beside it.
fn sandbox() -> Sandbox {
    let sandbox = Sandbox::new();
    sandbox.write_config(DEFAULT_CONFIG);
    sandbox.write_session_token("corp");
    sandbox.write_cache(
        &cache_file_name(OTHER_START_URL),
        format!(
            r#"{{"startUrl":"{OTHER_START_URL}","region":"us-east-1","accessToken":"tok-other","expiresAt":"2099-01-01T00:00:00Z"}}"#
        ),
    );
    sandbox
}

/// The GetRoleCredentials requests the portal saw, as `account_id`/`role_name` queries.
fn credential_queries(sandbox: &Sandbox) -> Vec<String> {
    sandbox
        .portal
        .requests()
        .into_iter()
        .filter(|r| r.path == "/federation/credentials")
        .map(|r| r.query)
        .collect()
}

#[test]
fn export_uses_the_default_profile_account_role_and_region() {
    let sandbox = sandbox();
    let run = sandbox.run_fake(&["export"]);
    run.assert_success();
    assert!(
        run.stdout.contains("AWS_ACCESS_KEY_ID=ASIAE2EEXAMPLE000001\n"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("export AWS_REGION=eu-west-2\n"), "{}", run.stdout);
    assert_eq!(
        credential_queries(&sandbox),
        [format!("role_name=ReadOnly&account_id={ACCOUNT}")]
    );
}

#[test]
fn a_named_profile_wins_over_default() {
    let sandbox = sandbox();
    let url = sandbox.portal.url();
    let run = sandbox.run_with(
        &["export", "--format", "json"],
        &[("AWS_ENDPOINT_URL_SSO", &url), ("AWS_PROFILE", "other")],
        None,
    );
    run.assert_success();
    assert_eq!(
        credential_queries(&sandbox),
        [format!("role_name=Admin&account_id={ACCOUNT}")]
    );
}

#[test]
fn one_flag_takes_the_other_value_from_default() {
    let sandbox = sandbox();
    sandbox.run_fake(&["export", "--role-name", "Admin"]).assert_success();
    assert_eq!(
        credential_queries(&sandbox),
        [format!("role_name=Admin&account_id={ACCOUNT}")]
    );
}

#[test]
fn flags_naming_account_and_role_use_no_profile() {
    let sandbox = sandbox();
    // Without a profile the token comes from a search of the cache: the two sign-ins make it ambiguous.
    let run = sandbox.run_fake(&["export", "--account-id", ACCOUNT, "--role-name", "ReadOnly"]);
    assert_eq!(run.code, 3, "{run:?}");
    assert!(run.stderr.contains("2 SSO tokens found"), "{}", run.stderr);
    let run = sandbox.run_fake(&[
        "export",
        "--account-id",
        ACCOUNT,
        "--role-name",
        "ReadOnly",
        "--start-url",
        START_URL,
    ]);
    run.assert_success();
    assert!(
        !run.stdout.contains("AWS_REGION"),
        "the default profile's region is not used: {}",
        run.stdout
    );
}

#[test]
fn process_uses_the_default_profile() {
    let sandbox = sandbox();
    let run = sandbox.run_fake(&["process"]);
    run.assert_success();
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(json["Version"], 1);
    assert_eq!(json["AccessKeyId"], "ASIAE2EEXAMPLE000001");
    assert_eq!(credential_queries(&sandbox).len(), 1);
    // The second call is answered from the role-credentials cache of the default's sign-in.
    sandbox.run_fake(&["process"]).assert_success();
    assert_eq!(credential_queries(&sandbox).len(), 1);
}

#[test]
fn write_uses_the_default_profile_and_writes_its_section() {
    let sandbox = sandbox();
    // ReadOnly's test credentials hold a line break, which no credentials file can; Admin's are plain.
    let run = sandbox.run_fake(&["write", "--role-name", "Admin"]);
    run.assert_success();
    let written = std::fs::read_to_string(sandbox.home.path().join(".aws/credentials")).unwrap();
    assert!(written.starts_with("[default]\n"), "{written}");
    assert!(written.contains("aws_access_key_id = ASIA"), "{written}");
    assert_eq!(
        credential_queries(&sandbox),
        [format!("role_name=Admin&account_id={ACCOUNT}")],
        "the account comes from [default]"
    );
}

#[test]
fn exec_uses_the_default_profile() {
    let sandbox = sandbox();
    let run = sandbox.run_fake(&[
        "exec",
        "--",
        "sh",
        "-c",
        "printf '%s %s' \"$AWS_ACCESS_KEY_ID\" \"$AWS_REGION\"",
    ]);
    run.assert_success();
    assert_eq!(run.stdout, "ASIAE2EEXAMPLE000001 eu-west-2");
}

#[test]
fn token_shows_the_default_profile_token() {
    let sandbox = sandbox();
    let run = sandbox.run(&["token", "--json"]);
    run.assert_success();
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert!(
        json["file"].as_str().unwrap().ends_with(&cache_file_name("corp")),
        "{json}"
    );
    assert_eq!(json["startUrl"], START_URL);
}

#[test]
fn accounts_and_roles_use_the_default_profile_token() {
    let sandbox = sandbox();
    let run = sandbox.run_fake(&["accounts", "--output", "json"]);
    run.assert_success();
    let accounts: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(accounts[0]["accountId"], ACCOUNT);
    let run = sandbox.run_fake(&["roles", "--output", "json"]);
    run.assert_success();
    let roles: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(roles.as_array().unwrap().len(), 2, "{roles}");
    let tokens: Vec<String> = sandbox
        .portal
        .requests()
        .into_iter()
        .filter_map(|r| r.headers.get("x-amz-sso_bearer_token").cloned())
        .collect();
    assert!(!tokens.is_empty());
    assert!(tokens.iter().all(|t| t == TOKEN), "only the default's token is sent");
}

#[test]
fn populate_uses_the_default_profile_session() {
    let sandbox = sandbox();
    let run = sandbox.run_fake(&["populate"]);
    run.assert_success();
    assert!(
        run.stderr.contains("wrote 2 profile(s) for sso-session corp"),
        "{}",
        run.stderr
    );
    let config = std::fs::read_to_string(sandbox.home.path().join(".aws/config")).unwrap();
    assert!(config.starts_with(DEFAULT_CONFIG), "{config}");
    assert!(
        config.contains("# BEGIN ssocreds populate: sso-session corp"),
        "{config}"
    );
}

#[test]
fn logout_still_ends_every_session() {
    let sandbox = sandbox();
    let run = sandbox.run_fake(&["logout"]);
    run.assert_success();
    assert!(run.stderr.contains("removed 2 token file(s)"), "{}", run.stderr);
    assert!(!sandbox.cache_dir().join(cache_file_name("corp")).exists());
    assert!(!sandbox.cache_dir().join(cache_file_name(OTHER_START_URL)).exists());
}

#[test]
fn without_sso_settings_in_default_everything_works_as_before() {
    let sandbox = Sandbox::new();
    sandbox.write_config("[default]\nregion = eu-west-1\n");
    sandbox.write_token();
    // Flags and a search of the cache, as without any config.
    let run = sandbox.run_fake(&["export", "--account-id", ACCOUNT, "--role-name", "ReadOnly"]);
    run.assert_success();
    assert!(!run.stdout.contains("AWS_REGION"), "{}", run.stdout);
    sandbox.run_fake(&["accounts"]).assert_success();
    // A missing role is named, with why [default] did not supply it and how to name a profile.
    let run = sandbox.run_fake(&["export", "--account-id", ACCOUNT]);
    assert_eq!(run.code, 2, "{run:?}");
    assert_eq!(
        sandbox.snapshot(&run),
        "exit: 2\n--- stdout\n--- stderr\nssocreds: error: which role name? pass --role-name, or name a profile \
         with --profile NAME (or AWS_PROFILE); there is no [default] profile with SSO settings in \
         $HOME/.aws/config\n"
    );
    let run = sandbox.run_fake(&["populate"]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(
        run.stderr.contains("there is no [default] profile with SSO settings"),
        "{}",
        run.stderr
    );
}
