//! Secrets: every error path reachable from the command line, with and without `--verbose`, prints no token, secret
//! key or session token (the harness checks every run), and creates no file; files ssocreds does create are 0600 in
//! 0700 folders, even under `umask 000`.

use std::os::unix::fs::PermissionsExt as _;
use std::process::Command;

use ssocreds_tests::fake_portal::{Fault, PortalConfig, Throttle, TokenGrant};

use crate::harness::*;
use crate::support::{changes, has_command, tree};

struct Scenario {
    name: &'static str,
    config: fn(&mut PortalConfig),
    /// The token file written to ~/.aws/sso/cache, if any.
    cache: Option<fn() -> String>,
    /// Arguments after the subcommand and `--endpoint-url`.
    args: &'static [&'static str],
}

fn valid() -> String {
    token_json(TOKEN, "2099-01-01T00:00:00Z", "us-east-1")
}

fn scenarios() -> Vec<Scenario> {
    let role: &'static [&'static str] = &[
        "--account-id",
        ACCOUNT,
        "--role-name",
        "ReadOnly",
        "--max-attempts",
        "2",
    ];
    vec![
        Scenario {
            name: "success",
            config: |_| {},
            cache: Some(valid),
            args: role,
        },
        Scenario {
            name: "expired_token",
            config: |_| {},
            cache: Some(|| token_json(TOKEN, "2020-01-01T00:00:00Z", "us-east-1")),
            args: role,
        },
        Scenario {
            name: "revoked_token_401",
            config: |c| {
                c.tokens.insert(
                    TOKEN.into(),
                    TokenGrant {
                        expired: true,
                        ..TokenGrant::default()
                    },
                );
            },
            cache: Some(valid),
            args: role,
        },
        Scenario {
            name: "wrong_region_401",
            config: |c| {
                c.tokens.insert(
                    TOKEN.into(),
                    TokenGrant {
                        expired: true,
                        ..TokenGrant::default()
                    },
                );
            },
            cache: Some(valid),
            args: &[
                "--account-id",
                ACCOUNT,
                "--role-name",
                "ReadOnly",
                "--region",
                "eu-west-1",
            ],
        },
        Scenario {
            name: "no_access_403",
            config: |_| {},
            cache: Some(valid),
            args: &["--account-id", ACCOUNT, "--role-name", "NotMine"],
        },
        Scenario {
            name: "throttled_429",
            config: |c| {
                c.throttle = Throttle {
                    fail_first: 100,
                    ..Throttle::default()
                }
            },
            cache: Some(valid),
            args: role,
        },
        Scenario {
            name: "server_500",
            config: |c| c.fail_first_with_500 = 100,
            cache: Some(valid),
            args: role,
        },
        Scenario {
            name: "invalid_json",
            config: |c| c.fault = Fault::InvalidJson,
            cache: Some(valid),
            args: role,
        },
        Scenario {
            name: "half_body",
            config: |c| c.fault = Fault::HalfBody,
            cache: Some(valid),
            args: role,
        },
        Scenario {
            name: "reset",
            config: |c| c.fault = Fault::Reset,
            cache: Some(valid),
            args: role,
        },
        Scenario {
            name: "no_cache_file",
            config: |_| {},
            cache: None,
            args: role,
        },
        Scenario {
            name: "broken_cache_file",
            config: |_| {},
            cache: Some(|| format!(r#"{{"accessToken": "{TOKEN}", "expiresAt": 12"#)),
            args: role,
        },
        Scenario {
            name: "bad_timestamp_in_cache",
            config: |_| {},
            cache: Some(|| token_json(TOKEN, "soon", "us-east-1")),
            args: role,
        },
        Scenario {
            name: "bad_role_name",
            config: |_| {},
            cache: Some(valid),
            args: &["--account-id", ACCOUNT, "--role-name", "a b"],
        },
        Scenario {
            name: "windows_cmd_cannot_carry_the_secret",
            config: |_| {},
            cache: Some(valid),
            args: &[
                "--account-id",
                ACCOUNT,
                "--role-name",
                "ReadOnly",
                "--format",
                "windows-cmd",
            ],
        },
    ]
}

/// Commands that only read (export, token, accounts, roles): no file may appear, change or vanish under HOME.
#[test]
fn error_and_verbose_paths_print_no_secret_and_write_no_file() {
    let mut runs = 0;
    for scenario in scenarios() {
        let mut config = portal_config();
        (scenario.config)(&mut config);
        let sandbox = Sandbox::with_config(config);
        if let Some(cache) = scenario.cache {
            sandbox.write_cache("e2e.json", cache());
        }
        let before = tree(sandbox.home.path());
        let url = sandbox.portal.url();
        for verbose in [false, true] {
            let mut commands: Vec<Vec<&str>> = vec![
                [&["export", "--endpoint-url", url.as_str()][..], scenario.args].concat(),
                vec!["token"],
                vec!["accounts", "--endpoint-url", &url, "--max-attempts", "2"],
                vec![
                    "roles",
                    "--endpoint-url",
                    &url,
                    "--account-id",
                    ACCOUNT,
                    "--max-attempts",
                    "2",
                ],
            ];
            for format in ["json", "process", "fish", "powershell", "dotenv"] {
                commands.push([&commands[0][..], &["--format", format]].concat());
            }
            for mut args in commands {
                if verbose {
                    args.push("--verbose");
                }
                // The harness asserts that no token or secret is on stderr, nor on stdout unless it succeeded.
                let run = sandbox.run(&args);
                runs += 1;
                if verbose && run.code == 0 && args[0] == "export" {
                    assert!(
                        run.stderr.contains("redacted") || !run.stderr.contains("sso_bearer"),
                        "{}: verbose output shows the bearer header without redaction:\n{}",
                        scenario.name,
                        run.stderr
                    );
                }
                assert!(!run.stderr.contains("panicked"), "{}: {run:?}", scenario.name);
            }
        }
        let (added, removed, modified) = changes(&before, &tree(sandbox.home.path()));
        assert!(
            added.is_empty() && removed.is_empty() && modified.is_empty(),
            "{}: files changed: added {added:?}, removed {removed:?}, modified {modified:?}",
            scenario.name
        );
    }
    println!("{runs} runs, no secret printed, no file written");
}

/// Runs ssocreds under `umask 000`, so that only the modes it sets itself protect what it writes.
fn run_with_umask_000(sandbox: &Sandbox, args: &[&str]) -> std::process::Output {
    Command::new("sh")
        .arg("-c")
        .arg("umask 000; exec \"$0\" \"$@\"")
        .arg(binary())
        .args(args)
        .env_clear()
        .env("HOME", sandbox.home.path())
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .output()
        .unwrap()
}

/// Files that `process` and `write` create are 0600, their new folders 0700, and no secret lands anywhere else.
#[test]
fn files_ssocreds_creates_are_private() {
    let probe = Sandbox::new();
    let commands: Vec<&str> = ["process", "write"]
        .into_iter()
        .filter(|c| has_command(&probe, c))
        .collect();
    if commands.is_empty() {
        println!("skipped: neither `ssocreds process` nor `ssocreds write` exists yet");
        return;
    }
    for command in commands {
        let sandbox = Sandbox::new();
        sandbox.write_token();
        let before = tree(sandbox.home.path());
        let url = sandbox.portal.url();
        // Admin's generated credentials: ReadOnly's session token has a line break, which `write` rightly refuses.
        let mut args = vec![
            command,
            "--endpoint-url",
            &url,
            "--account-id",
            ACCOUNT,
            "--role-name",
            "Admin",
        ];
        if command == "write" {
            args.extend(["--as", "dev"]);
        }
        let output = run_with_umask_000(&sandbox, &args);
        assert!(
            output.status.success(),
            "{command}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            !stderr.contains(TOKEN) && !stderr.contains("IQoJb3JpZ2luX2VjE"),
            "{command}: {stderr}"
        );
        let after = tree(sandbox.home.path());
        let (added, _, modified) = changes(&before, &after);
        assert!(!added.is_empty() || !modified.is_empty(), "{command} wrote nothing");
        for name in added.iter().chain(&modified) {
            let (mode, contents) = &after[name];
            if name.ends_with('/') {
                assert_eq!(mode & 0o777, 0o700, "{command}: folder {name} is {mode:o}");
            } else {
                assert_eq!(mode & 0o777, 0o600, "{command}: file {name} is {mode:o}");
                let text = String::from_utf8_lossy(contents.as_deref().unwrap_or_default());
                assert!(!text.contains(TOKEN), "{command}: the SSO token was written to {name}");
            }
        }
        // Temporary files of an atomic write do not stay behind.
        assert!(
            !after.keys().any(|k| k.contains(".tmp") || k.ends_with('~')),
            "{command}: leftovers: {:?}",
            after.keys().collect::<Vec<_>>()
        );
        println!(
            "{command}: created or changed {:?}, all private",
            [added, modified].concat()
        );
    }
}

/// An existing credentials file that others could read ends up 0600 once `write` has put a session token in it.
#[test]
fn an_existing_credentials_file_ends_up_private() {
    let sandbox = Sandbox::new();
    if !has_command(&sandbox, "write") {
        println!("skipped: `ssocreds write` does not exist yet");
        return;
    }
    sandbox.write_token();
    let credentials = sandbox.home.path().join(".aws/credentials");
    std::fs::write(&credentials, "[other]\naws_access_key_id = AKIAOTHER\n").unwrap();
    std::fs::set_permissions(&credentials, std::fs::Permissions::from_mode(0o644)).unwrap();
    let url = sandbox.portal.url();
    let output = run_with_umask_000(
        &sandbox,
        &[
            "write",
            "--endpoint-url",
            &url,
            "--account-id",
            ACCOUNT,
            "--role-name",
            "Admin",
            "--as",
            "dev",
        ],
    );
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let mode = std::fs::metadata(&credentials).unwrap().permissions().mode() & 0o777;
    let text = std::fs::read_to_string(&credentials).unwrap();
    assert!(text.starts_with("[other]\naws_access_key_id = AKIAOTHER\n"), "{text}");
    println!("an existing 0644 credentials file is {mode:o} after `write`");
    assert_eq!(
        mode, 0o600,
        "the credentials file now holds a session token but is {mode:o}"
    );
}
