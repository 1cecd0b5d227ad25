//! The commands on Windows: a profile from %USERPROFILE%\.aws\config, `process` and its cache, `token`, `roles`,
//! `accounts` (the Linux build's bytes), `exec` (the child's exit code), and where the home folder is.

use crate::linux::ACCOUNT;
use crate::sandbox::*;
use crate::wine::{self, HomeVars};

#[test]
#[ignore = "needs wine: run scripts/test-windows.sh"]
fn a_profile_from_userprofile_exports_with_its_region() {
    let sandbox = WinSandbox::new();
    sandbox.write_config();
    sandbox.write_tokens();
    let run = sandbox.run(&["export", "--profile", "dev", "--format", "env-no-export"]);
    run.assert_success();
    let text = run.stdout_text();
    assert!(
        text.starts_with(&format!("AWS_ACCESS_KEY_ID={CMD_ACCESS_KEY}\n")),
        "{text}"
    );
    assert!(
        text.ends_with("AWS_REGION=eu-central-1\nAWS_DEFAULT_REGION=eu-central-1\n"),
        "{text}"
    );
    // AWS_PROFILE names the profile, as for the SDKs.
    let run = sandbox.run_command(
        &sandbox
            .command(&["export", "--format", "json"])
            .env("AWS_PROFILE", "legacy"),
    );
    run.assert_success();
    assert!(
        run.stdout_text().contains("\"region\": \"eu-west-2\""),
        "{}",
        run.stdout_text()
    );
}

#[test]
#[ignore = "needs wine: run scripts/test-windows.sh"]
fn paths_in_messages_are_windows_paths() {
    let sandbox = WinSandbox::new();
    let no_config = sandbox.run(&["export", "--profile", "dev"]);
    assert_eq!(no_config.code, 8, "{no_config:?}");
    let expected = format!("there is no AWS config file at {}\\.aws\\config ", sandbox.win_home());
    assert!(
        no_config.stderr_text().contains(&expected),
        "{}",
        no_config.stderr_text()
    );
    sandbox.write_config();
    let no_token = sandbox.run(&["export", "--profile", "dev"]);
    assert_eq!(no_token.code, 3, "{no_token:?}");
    let expected = format!("(expected {}\\.aws\\sso\\cache\\", sandbox.win_home());
    assert!(no_token.stderr_text().contains(&expected), "{}", no_token.stderr_text());
    for run in [&no_config, &no_token] {
        assert!(
            !run.stderr_text().contains('/'),
            "no mixed separators: {}",
            run.stderr_text()
        );
    }
}

#[test]
#[ignore = "needs wine: run scripts/test-windows.sh"]
fn process_caches_role_credentials_in_the_profile_folder_and_both_builds_agree() {
    let sandbox = WinSandbox::new();
    sandbox.write_config();
    sandbox.write_tokens();
    let first = sandbox.run(&["process", "--profile", "dev"]);
    first.assert_success();
    let json: serde_json::Value = serde_json::from_slice(&first.stdout).unwrap();
    assert_eq!(json["Version"], 1);
    assert_eq!(json["SecretAccessKey"], CMD_SECRET);
    assert_eq!(json["Expiration"], "2100-01-01T00:00:00Z");
    let second = sandbox.run(&["process", "--profile", "dev"]);
    second.assert_success();
    assert_eq!(first.stdout, second.stdout);
    assert_eq!(
        sandbox.linux.portal.state().credentials_served,
        1,
        "the second run used the cache"
    );
    let cached: Vec<_> = std::fs::read_dir(sandbox.path(".aws/ssocreds/cache"))
        .unwrap()
        .collect();
    assert_eq!(cached.len(), 1);
    // The Linux build reads the cache the Windows build wrote and prints the same bytes.
    let linux = sandbox.run_linux(&["process", "--profile", "dev"]);
    linux.assert_success();
    assert_eq!(linux.stdout.as_bytes(), first.stdout);
    assert_eq!(sandbox.linux.portal.state().credentials_served, 1);
    // Without the cache, both builds fetch and still agree.
    let win = sandbox.run(&["process", "--profile", "legacy", "--no-cache"]);
    let linux = sandbox.run_linux(&["process", "--profile", "legacy", "--no-cache"]);
    win.assert_success();
    assert_eq!(win.stdout, linux.stdout.as_bytes());
}

#[test]
#[ignore = "needs wine: run scripts/test-windows.sh"]
fn token_shows_the_same_as_the_linux_build_with_windows_paths() {
    let sandbox = WinSandbox::new();
    sandbox.write_config();
    sandbox.write_tokens();
    let linux_home = sandbox.home().to_str().unwrap().to_owned();
    for args in [
        vec!["token", "--profile", "dev"],
        vec!["token", "--all"],
        vec!["token", "--profile", "dev", "--json"],
    ] {
        let win = sandbox.run(&args);
        let linux = sandbox.run_linux(&args);
        win.assert_success();
        let text = win.stdout_text();
        let cache = format!("{}\\.aws\\sso\\cache", sandbox.win_home());
        let shown = if args.contains(&"--json") {
            cache.replace('\\', "\\\\")
        } else {
            cache.clone()
        };
        assert!(text.contains(&shown), "{args:?}: {text}");
        assert!(!text.contains(".aws/"), "{args:?}: {text}");
        // The same text once the Windows path is written as the Linux one.
        let as_linux = if args.contains(&"--json") {
            text.replace(&shown, &format!("{linux_home}/.aws/sso/cache"))
                .replace("cache\\\\", "cache/")
        } else {
            text.replace(&cache, &format!("{linux_home}/.aws/sso/cache"))
                .replace("cache\\", "cache/")
        };
        if args.contains(&"--json") {
            // The seconds left may differ by one between the two runs.
            let mut win_json: serde_json::Value = serde_json::from_str(&as_linux).unwrap();
            let mut linux_json: serde_json::Value = serde_json::from_str(&linux.stdout).unwrap();
            let left = |json: &mut serde_json::Value| json["expiresInSeconds"].take().as_i64().unwrap();
            assert!((left(&mut win_json) - left(&mut linux_json)).abs() <= 2);
            assert_eq!(win_json, linux_json, "{args:?}");
        } else {
            assert_eq!(as_linux, linux.stdout, "{args:?}");
        }
    }
}

#[test]
#[ignore = "needs wine: run scripts/test-windows.sh"]
fn roles_and_accounts_give_the_linux_builds_bytes() {
    let sandbox = WinSandbox::new();
    sandbox.write_config();
    sandbox.write_tokens();
    for args in [
        vec!["roles", "--profile", "dev"],
        vec!["roles", "--profile", "dev", "--account-id", ACCOUNT, "--output", "json"],
        vec!["accounts", "--profile", "dev"],
        vec!["accounts", "--profile", "dev", "--output", "json"],
    ] {
        let win = sandbox.run(&args);
        let linux = sandbox.run_linux(&args);
        assert_eq!(win.code, i64::from(linux.code), "{args:?}: {win:?}");
        win.assert_success();
        assert_eq!(win.stdout, linux.stdout.as_bytes(), "{args:?}");
        if args[0] == "roles" {
            assert!(win.stdout_text().contains("Plain"), "{args:?}: {}", win.stdout_text());
        }
    }
}

#[test]
#[ignore = "needs wine: run scripts/test-windows.sh"]
fn exec_returns_the_childs_exit_code_with_the_credentials_in_its_environment() {
    let sandbox = WinSandbox::new();
    sandbox.write_config();
    sandbox.write_tokens();
    let vars = sandbox.path("child-vars.txt");
    let child = write_script(
        &sandbox,
        "child.cmd",
        &[
            "@echo off".to_owned(),
            format!("set AWS_>\"{}\"", wine::win_path(&vars)),
            "echo child output".to_owned(),
            "exit /b %1".to_owned(),
        ],
    );
    for code in ["0", "7", "300"] {
        let command = sandbox
            .command(&["exec", "--profile", "dev", "--", "cmd", "/c", &child, code])
            .env("AWS_PROFILE", "dev");
        let run = sandbox.run_command(&command);
        assert_eq!(run.code.to_string(), code, "{run:?}");
        assert_eq!(run.stdout_text(), "child output\r\n");
        let got = read_set_output(&vars);
        assert_eq!(got["AWS_ACCESS_KEY_ID"], CMD_ACCESS_KEY);
        assert_eq!(got["AWS_SECRET_ACCESS_KEY"], CMD_SECRET);
        assert_eq!(got["AWS_SESSION_TOKEN"], CMD_SESSION_TOKEN);
        assert_eq!(got["AWS_REGION"], "eu-central-1");
        assert!(!got.contains_key("AWS_PROFILE"), "AWS_PROFILE is removed: {got:?}");
    }
    let run = sandbox.run(&["exec", "--profile", "dev", "--", "no-such-command-xyz"]);
    assert_eq!(run.code, 127, "{run:?}");
    assert!(run.stderr_text().contains("not found on PATH"), "{}", run.stderr_text());
}

#[test]
#[ignore = "needs wine: run scripts/test-windows.sh"]
fn the_home_folder_is_home_then_userprofile_then_homedrive_and_homepath() {
    let sandbox = WinSandbox::new();
    let folder = |name: &str| {
        let path = sandbox.path(name);
        std::fs::create_dir_all(&path).unwrap();
        wine::win_path(&path)
    };
    let (a, b, c) = (folder("a"), folder("b"), folder("c"));
    let (drive, path) = c.split_at(2);
    let all = HomeVars {
        home: Some(a.clone()),
        userprofile: Some(b.clone()),
        homedrive: Some(drive.to_owned()),
        homepath: Some(path.to_owned()),
    };
    let cases = [
        (all.clone(), a.clone()),
        (
            HomeVars {
                home: None,
                ..all.clone()
            },
            b.clone(),
        ),
        (
            HomeVars {
                home: None,
                userprofile: None,
                ..all.clone()
            },
            c.clone(),
        ),
    ];
    for (home, expected) in cases {
        // With no config file anywhere, the message names the config file it looked for.
        let run = sandbox.run_command(&sandbox.command(&["export", "--profile", "dev"]).home(home.clone()));
        assert_eq!(run.code, 8, "{home:?}: {run:?}");
        let wanted = format!("there is no AWS config file at {expected}\\.aws\\config ");
        assert!(run.stderr_text().contains(&wanted), "{home:?}: {}", run.stderr_text());
    }
    // None of them (HOMEPATH without HOMEDRIVE is none): the signed-in user's profile folder, as Windows says.
    let run = sandbox.run_command(&sandbox.command(&["export", "--profile", "dev"]).home(HomeVars {
        homepath: Some(path.to_owned()),
        ..HomeVars::default()
    }));
    assert_eq!(run.code, 8, "{run:?}");
    let stderr = run.stderr_text();
    assert!(
        stderr.contains("there is no AWS config file at C:\\users\\"),
        "{stderr}"
    );
    assert!(stderr.contains("\\.aws\\config "), "{stderr}");

    // A real file proves it: the config and token under USERPROFILE are used when HOME is not set.
    let b_home = sandbox.path("b");
    std::fs::create_dir_all(b_home.join(".aws/sso/cache")).unwrap();
    std::fs::write(b_home.join(".aws/config"), CONFIG.replace('\n', "\r\n")).unwrap();
    std::fs::write(
        b_home.join(".aws/sso/cache").join(sso_core::cache_file_name("corp")),
        crate::linux::token_json(crate::linux::TOKEN, "2099-01-01T00:00:00Z", "us-east-1"),
    )
    .unwrap();
    let run = sandbox.run_command(
        &sandbox
            .command(&["export", "--profile", "dev"])
            .home(HomeVars { home: None, ..all }),
    );
    run.assert_success();
    assert!(run.stdout_text().contains(CMD_ACCESS_KEY));
}
