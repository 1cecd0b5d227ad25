//! `ssocreds populate` writes a profile per account and role into ~/.aws/config, touching nothing else.

use crate::harness::*;
use ssocreds_tests::fake_portal::{Account, PortalConfig};

const USER_CONFIG: &str = "\
# My own settings; populate must keep this comment.
[default]
region = eu-west-1

[sso-session corp]
sso_start_url = https://e2e.awsapps.com/start
sso_region = us-east-1

[profile prod-eu.Admin]
# a hand-written profile whose name the generated one would take
sso_session = corp
sso_account_id = 111122223333
sso_role_name = Admin
";

fn accounts() -> Vec<Account> {
    vec![
        Account::new(ACCOUNT, "Prod EU", &["Admin", "ReadOnly"]),
        Account::new("444455556666", "dev (sandbox)", &["Dev+Ops@x"]),
        Account::new("777788889999", "Prod EU", &["Admin"]),
    ]
}

fn sandbox(accounts: Vec<Account>) -> Sandbox {
    let sandbox = Sandbox::with_config(PortalConfig::with_token(TOKEN, accounts));
    sandbox.write_config(USER_CONFIG);
    sandbox.write_session_token("corp");
    sandbox
}

fn config(sandbox: &Sandbox) -> String {
    std::fs::read_to_string(sandbox.home.path().join(".aws/config")).unwrap()
}

#[test]
fn populate_writes_a_block_and_a_second_run_changes_nothing() {
    let sandbox = sandbox(accounts());
    let run = sandbox.run_fake(&["populate", "--sso-session", "corp", "--region", "eu-central-1"]);
    run.assert_success();
    assert!(
        run.stderr.contains("wrote 4 profile(s) for sso-session corp"),
        "{}",
        run.stderr
    );
    let after = config(&sandbox);
    assert!(
        after.starts_with(USER_CONFIG),
        "the user's text is kept byte for byte:\n{after}"
    );
    settings().bind(|| insta::assert_snapshot!("populate_block", &after[USER_CONFIG.len()..]));

    let run = sandbox.run_fake(&["populate", "--sso-session", "corp", "--region", "eu-central-1"]);
    run.assert_success();
    assert!(run.stderr.contains("is up to date"), "{}", run.stderr);
    assert_eq!(config(&sandbox), after);

    // A generated profile works.
    sandbox
        .run_fake(&["export", "--profile", "dev-sandbox.Dev+Ops@x"])
        .assert_success();
}

#[test]
fn a_rerun_replaces_only_the_block_and_dry_run_shows_a_diff() {
    let sandbox = sandbox(accounts());
    sandbox
        .run_fake(&["populate", "--sso-session", "corp"])
        .assert_success();
    // The user adds a section after the block; the portal gains an account and loses one.
    let with_user_tail = format!("{}[profile mine]\nregion = us-west-2\n", config(&sandbox));
    std::fs::write(sandbox.home.path().join(".aws/config"), &with_user_tail).unwrap();
    let mut changed = accounts();
    changed.remove(2);
    changed.push(Account::new("121212121212", "new one", &["ReadOnly"]));
    sandbox.portal.set_config(PortalConfig::with_token(TOKEN, changed));

    let run = sandbox.run_fake(&["populate", "--sso-session", "corp", "--dry-run"]);
    run.assert_success();
    assert!(run.stdout.contains("+[profile new-one.ReadOnly]"), "{}", run.stdout);
    assert!(
        run.stdout.contains("-[profile Prod-EU.Admin-777788889999]"),
        "{}",
        run.stdout
    );
    assert_eq!(config(&sandbox), with_user_tail, "--dry-run writes nothing");

    sandbox
        .run_fake(&["populate", "--sso-session", "corp"])
        .assert_success();
    let after = config(&sandbox);
    assert!(
        after.starts_with(USER_CONFIG) && after.ends_with("[profile mine]\nregion = us-west-2\n"),
        "{after}"
    );
    assert!(
        after.contains("[profile new-one.ReadOnly]") && !after.contains("777788889999"),
        "{after}"
    );
    assert_eq!(after.matches("# BEGIN ssocreds populate").count(), 1);
}

#[test]
fn a_failing_account_leaves_the_config_untouched() {
    let mut portal = PortalConfig::with_token(TOKEN, accounts());
    portal.failing_accounts = vec!["444455556666".into()];
    let sandbox = sandbox(accounts());
    sandbox.portal.set_config(portal);
    let run = sandbox.run_fake(&["populate", "--sso-session", "corp", "--max-attempts", "1"]);
    assert_eq!(run.code, 7, "{run:?}");
    assert!(
        run.stderr.contains("444455556666") && run.stderr.contains("left as it was"),
        "{}",
        run.stderr
    );
    assert_eq!(config(&sandbox), USER_CONFIG);
}

#[test]
fn bad_templates_and_legacy_profiles_are_refused_before_any_request() {
    let sandbox = sandbox(accounts());
    let run = sandbox.run_fake(&["populate", "--sso-session", "corp", "--template", "{account_name}"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("must contain {role_name}"), "{}", run.stderr);
    let run = sandbox.run_fake(&["populate", "--sso-session", "nope"]);
    assert_eq!(run.code, 8);
    assert!(sandbox.portal.requests().is_empty());
}

#[test]
fn concurrent_populates_of_two_sessions_keep_both_blocks_and_the_user_text() {
    let sandbox = sandbox(accounts());
    let config = format!("{USER_CONFIG}\n[sso-session other]\nsso_start_url = {START_URL}\nsso_region = us-east-1\n");
    sandbox.write_config(&config);
    sandbox.write_session_token("other");
    let url = sandbox.portal.url();
    let children: Vec<_> = (0..8)
        .map(|i| {
            let session = if i % 2 == 0 { "corp" } else { "other" };
            std::process::Command::new(binary())
                .args([
                    "populate",
                    "--sso-session",
                    session,
                    "--template",
                    "{session}-{account_id}-{role_name}",
                ])
                .env_clear()
                .env("HOME", sandbox.home.path())
                .env("AWS_ENDPOINT_URL_SSO", &url)
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for child in children {
        let output = child.wait_with_output().unwrap();
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    }
    let after = std::fs::read_to_string(sandbox.home.path().join(".aws/config")).unwrap();
    assert!(after.starts_with(&config), "{after}");
    for session in ["corp", "other"] {
        assert_eq!(
            after
                .matches(&format!("# BEGIN ssocreds populate: sso-session {session}\n"))
                .count(),
            1
        );
        assert_eq!(
            after
                .matches(&format!("# END ssocreds populate: sso-session {session}\n"))
                .count(),
            1
        );
        assert_eq!(after.matches(&format!("[profile {session}-")).count(), 4, "{after}");
    }
}
