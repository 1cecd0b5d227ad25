//! Listing accounts and roles: every page, every account, throttling absorbed, failures named.

use crate::harness::*;
use ssocreds_tests::fake_portal::{Account, GenerateAccounts, PortalConfig, Throttle};

fn generated(count: u32, roles: u32) -> PortalConfig {
    PortalConfig {
        generate_accounts: Some(GenerateAccounts {
            count,
            roles_per_account: roles,
            token: TOKEN.into(),
        }),
        ..PortalConfig::default()
    }
}

fn list(sandbox: &Sandbox, args: &[&str]) -> Run {
    let url = sandbox.portal.url();
    let mut all = args.to_vec();
    all.extend_from_slice(&["--endpoint-url", &url, "--output", "json"]);
    sandbox.run(&all)
}

fn json(run: &Run) -> Vec<serde_json::Value> {
    serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {}", run.stdout))
}

#[test]
fn no_accounts_is_an_empty_list() {
    let sandbox = Sandbox::with_config(PortalConfig::with_token(TOKEN, Vec::new()));
    sandbox.write_token();
    let run = list(&sandbox, &["accounts"]);
    run.assert_success();
    assert!(json(&run).is_empty());
    let run = list(&sandbox, &["roles"]);
    run.assert_success();
    assert!(json(&run).is_empty());
}

#[test]
fn one_page_and_many_pages_list_every_account_once() {
    for count in [1, 99, 100, 101, 250] {
        let sandbox = Sandbox::with_config(generated(count, 0));
        sandbox.write_token();
        let run = list(&sandbox, &["accounts"]);
        run.assert_success();
        let ids: std::collections::BTreeSet<String> = json(&run)
            .iter()
            .map(|a| a["accountId"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(ids.len(), count as usize, "{count} accounts");
        let pages = sandbox.portal.requests().len();
        assert_eq!(pages, (count as usize).div_ceil(100).max(1), "{count} accounts");
    }
}

#[test]
fn a_repeating_next_token_stops_with_an_error_instead_of_looping() {
    let sandbox = Sandbox::with_config(PortalConfig {
        repeat_next_token: true,
        ..generated(250, 0)
    });
    sandbox.write_token();
    let run = list(&sandbox, &["accounts"]);
    assert_eq!(run.code, 7, "{run:?}");
    assert!(run.stderr.contains("same nextToken twice"), "{}", run.stderr);
    assert!(sandbox.portal.requests().len() <= 3);
}

#[test]
fn roles_of_every_account_survive_a_throttling_storm() {
    let config = PortalConfig {
        throttle: Throttle {
            budget_per_second: Some(100),
            ..Throttle::default()
        },
        ..generated(150, 3)
    };
    let sandbox = Sandbox::with_config(config);
    sandbox.write_token();
    let run = list(&sandbox, &["roles", "--concurrency", "32"]);
    run.assert_success();
    assert_eq!(json(&run).len(), 450);
    assert!(
        sandbox.portal.state().throttled > 0,
        "the storm did not happen; raise the load"
    );
}

#[test]
fn a_failing_account_is_named_and_the_others_are_printed() {
    let config = PortalConfig {
        failing_accounts: vec!["100000000005".into()],
        ..generated(10, 2)
    };
    let sandbox = Sandbox::with_config(config);
    sandbox.write_token();
    let run = list(&sandbox, &["roles", "--max-attempts", "2"]);
    assert_eq!(run.code, 7, "{run:?}");
    assert_eq!(json(&run).len(), 18);
    assert!(
        run.stderr
            .contains("the roles of 1 of 10 account(s) could not be listed"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("100000000005: the portal failed"), "{}", run.stderr);
}

#[test]
fn roles_of_one_account_and_a_table_for_people() {
    let accounts = vec![
        Account::new(ACCOUNT, "zeta prod", &["ReadOnly", "Admin"]),
        Account::new("444455556666", "alpha\u{1b}[31mdev", &["Dev+Ops@x"]),
    ];
    let sandbox = Sandbox::with_config(PortalConfig::with_token(TOKEN, accounts));
    sandbox.write_token();
    let url = sandbox.portal.url();
    let run = sandbox.run(&["roles", "--endpoint-url", &url]);
    run.assert_success();
    // Sorted by account name; aligned; the escape sequence from the server is neutralised; no colour in a pipe.
    assert_eq!(
        run.stdout,
        "ACCOUNT ID    ACCOUNT NAME   ROLE\n\
         444455556666  alpha?[31mdev  Dev+Ops@x\n\
         111122223333  zeta prod      Admin\n\
         111122223333  zeta prod      ReadOnly\n"
    );
    let run = list(&sandbox, &["roles", "--account-id", ACCOUNT]);
    run.assert_success();
    assert_eq!(json(&run).len(), 2);
    let run = list(&sandbox, &["roles", "--account-id", "999988887777"]);
    assert_eq!(run.code, 5, "{run:?}");
}

#[test]
fn a_terminal_gets_a_progress_counter_and_a_bold_header_unless_no_color() {
    if !has("script") {
        eprintln!("skipped: `script` (util-linux) is needed to run ssocreds on a pseudo-terminal");
        return;
    }
    let sandbox = Sandbox::with_config(generated(30, 1));
    sandbox.write_token();
    let command = format!("{} roles --endpoint-url {}", binary().display(), sandbox.portal.url());
    let on_a_terminal = |no_color: bool| {
        let mut script = std::process::Command::new("script");
        script
            .args(["-qec", &command, "/dev/null"])
            .env_clear()
            .env("HOME", sandbox.home.path())
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("TERM", "xterm");
        if no_color {
            script.env("NO_COLOR", "1");
        }
        let output = script.output().unwrap();
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stdout));
        String::from_utf8_lossy(&output.stdout).into_owned()
    };
    let screen = on_a_terminal(false);
    assert!(screen.contains("listing roles: 30/30 accounts"), "{screen:?}");
    assert!(screen.contains("\u{1b}[1mACCOUNT ID"), "{screen:?}");
    let plain = on_a_terminal(true);
    assert!(
        !plain.contains("\u{1b}[1m") && plain.contains("ACCOUNT ID"),
        "{plain:?}"
    );
}
