//! The bad-input table of tests/tests/e2e/failures.rs (keep the two in step), run by both builds: the same exit code,
//! the same message (once the cache file's path is written the Linux way), nothing on stdout.

use ssocreds_tests::fake_portal::{Fault, PortalConfig, Throttle};

use crate::linux::{TOKEN, token_json};
use crate::sandbox::*;
use crate::wine;

struct Case {
    name: &'static str,
    cache: Vec<u8>,
    args: &'static [&'static str],
    config: fn() -> PortalConfig,
}

fn valid() -> Vec<u8> {
    token_json(TOKEN, "2099-01-01T00:00:00Z", "us-east-1").into_bytes()
}

fn cases() -> Vec<Case> {
    let role = &["--role-name", "ReadOnly"];
    let mut garbage: Vec<u8> = (0..=255u8).cycle().take(4096).collect();
    garbage.insert(0, 0x89);
    let case = |name, cache, args| Case {
        name,
        cache,
        args,
        config: portal_config,
    };
    vec![
        case("empty_file", Vec::new(), role),
        case(
            "truncated_json",
            br#"{"accessToken": "tok-E2E-sekrit-7f3a9", "expiresAt": "2099-01-"#.to_vec(),
            role,
        ),
        case(
            "wrong_type",
            br#"{"accessToken": "tok-E2E-sekrit-7f3a9", "expiresAt": 4102444800}"#.to_vec(),
            role,
        ),
        case(
            "missing_access_token",
            br#"{"startUrl": "https://e2e.awsapps.com/start", "expiresAt": "2099-01-01T00:00:00Z"}"#.to_vec(),
            role,
        ),
        case(
            "client_registration_file",
            br#"{"clientId": "abc", "clientSecret": "def", "expiresAt": "2099-01-01T00:00:00Z"}"#.to_vec(),
            role,
        ),
        case("huge_file", vec![b' '; 3 * 1024 * 1024], role),
        case("binary_garbage", garbage, role),
        case(
            "expired_token",
            token_json(TOKEN, "2020-01-01T00:00:00Z", "us-east-1").into_bytes(),
            role,
        ),
        case(
            "unknown_token",
            token_json("tok-not-known-to-the-portal", "2099-01-01T00:00:00Z", "us-east-1").into_bytes(),
            role,
        ),
        Case {
            name: "revoked_on_the_server",
            cache: valid(),
            args: role,
            config: || {
                let mut config = portal_config();
                config.tokens.get_mut(TOKEN).unwrap().expired = true;
                config
            },
        },
        Case {
            name: "wrong_region",
            cache: valid(),
            args: &["--role-name", "ReadOnly", "--region", "eu-west-1"],
            config: PortalConfig::default,
        },
        case("wrong_role", valid(), &["--role-name", "readonly"]),
        case("invalid_role_name", valid(), &["--role-name", "Read\nOnly"]),
        case(
            "invalid_region",
            valid(),
            &["--role-name", "ReadOnly", "--region", "us-east-1.evil.com"],
        ),
        case(
            "no_region_anywhere",
            br#"{"accessToken": "tok-E2E-sekrit-7f3a9", "expiresAt": "2099-01-01T00:00:00Z"}"#.to_vec(),
            role,
        ),
        Case {
            name: "server_error",
            cache: valid(),
            args: &["--role-name", "ReadOnly", "--max-attempts", "2"],
            config: || PortalConfig {
                fail_first_with_500: 100,
                ..portal_config()
            },
        },
        Case {
            name: "throttled",
            cache: valid(),
            args: &["--role-name", "ReadOnly", "--max-attempts", "2"],
            config: || PortalConfig {
                throttle: Throttle {
                    fail_first: 100,
                    ..Throttle::default()
                },
                ..portal_config()
            },
        },
        Case {
            name: "invalid_json_answer",
            cache: valid(),
            args: role,
            config: || PortalConfig {
                fault: Fault::InvalidJson,
                ..portal_config()
            },
        },
    ]
}

/// Runs one case on both builds; returns the Windows build's exit code.
fn run_case(case: &Case) -> i64 {
    let sandbox = WinSandbox::with_config((case.config)());
    let path = sandbox.path("token.json");
    std::fs::write(&path, &case.cache).unwrap();
    let url = sandbox.linux.portal.url();
    let build_args = |cache: &str| {
        let mut args = vec![
            "export".to_owned(),
            "--endpoint-url".into(),
            url.clone(),
            "--account-id".into(),
            crate::linux::ACCOUNT.into(),
            "--cache".into(),
            cache.into(),
        ];
        args.extend(case.args.iter().map(|a| (*a).to_owned()));
        args
    };
    let win_cache = wine::win_path(&path);
    let win_args = build_args(&win_cache);
    let linux_args = build_args(path.to_str().unwrap());
    let mut command = sandbox.command(&win_args.iter().map(String::as_str).collect::<Vec<_>>());
    if case.args.iter().any(|a| a.contains('\n')) {
        // No .cmd line can carry a line break: run it directly (the home folder plays no part here).
        command.home = None;
    }
    let win = sandbox.run_command(&command);
    let linux = sandbox.run_linux(&linux_args.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(
        win.code,
        i64::from(linux.code),
        "{}: {win:?}\nLinux: {linux:?}",
        case.name
    );
    assert!(win.stdout.is_empty(), "{}: stdout must stay empty: {win:?}", case.name);
    let stderr = win.stderr_text().replace(&win_cache, path.to_str().unwrap());
    assert_eq!(stderr, linux.stderr, "{}: the same message", case.name);
    win.code
}

#[test]
#[ignore = "needs wine: run scripts/test-windows.sh"]
fn bad_input_table_exits_as_the_linux_build_does() {
    let cases = cases();
    // Six cases at a time: each waits mostly for wine to start.
    let codes: Vec<i64> = cases
        .chunks(6)
        .flat_map(|chunk| {
            std::thread::scope(|scope| {
                let runs: Vec<_> = chunk.iter().map(|case| scope.spawn(|| run_case(case))).collect();
                runs.into_iter()
                    .map(|run| run.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    // The codes of the e2e table, as a check that the two tables are in step.
    let expected = [3, 3, 3, 3, 3, 3, 3, 4, 4, 4, 4, 5, 2, 2, 2, 7, 6, 7];
    let names: Vec<_> = cases.iter().map(|c| c.name).collect();
    assert_eq!(codes, expected, "{names:?}");
}
