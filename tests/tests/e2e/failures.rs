//! Every way `ssocreds export` can fail: the message (snapshot), the exit code, nothing on stdout, no secret.

use crate::harness::*;
use ssocreds_tests::fake_portal::{Fault, PortalConfig, Throttle};

struct Case {
    name: &'static str,
    /// Contents of the file passed with --cache.
    cache: Vec<u8>,
    /// Extra arguments (after the account id).
    args: &'static [&'static str],
    config: fn() -> PortalConfig,
    exit: i32,
}

fn valid() -> Vec<u8> {
    token_json(TOKEN, "2099-01-01T00:00:00Z", "us-east-1").into_bytes()
}

fn cases() -> Vec<Case> {
    let role = &["--role-name", "ReadOnly"];
    let mut garbage: Vec<u8> = (0..=255u8).cycle().take(4096).collect();
    garbage.insert(0, 0x89);
    vec![
        Case {
            name: "empty_file",
            cache: Vec::new(),
            args: role,
            config: portal_config,
            exit: 3,
        },
        Case {
            name: "truncated_json",
            cache: br#"{"accessToken": "tok-E2E-sekrit-7f3a9", "expiresAt": "2099-01-"#.to_vec(),
            args: role,
            config: portal_config,
            exit: 3,
        },
        Case {
            name: "wrong_type",
            cache: br#"{"accessToken": "tok-E2E-sekrit-7f3a9", "expiresAt": 4102444800}"#.to_vec(),
            args: role,
            config: portal_config,
            exit: 3,
        },
        Case {
            name: "missing_access_token",
            cache: br#"{"startUrl": "https://e2e.awsapps.com/start", "expiresAt": "2099-01-01T00:00:00Z"}"#.to_vec(),
            args: role,
            config: portal_config,
            exit: 3,
        },
        Case {
            name: "client_registration_file",
            cache: br#"{"clientId": "abc", "clientSecret": "def", "expiresAt": "2099-01-01T00:00:00Z"}"#.to_vec(),
            args: role,
            config: portal_config,
            exit: 3,
        },
        Case {
            name: "huge_file",
            cache: vec![b' '; 3 * 1024 * 1024],
            args: role,
            config: portal_config,
            exit: 3,
        },
        Case {
            name: "binary_garbage",
            cache: garbage,
            args: role,
            config: portal_config,
            exit: 3,
        },
        Case {
            name: "expired_token",
            cache: token_json(TOKEN, "2020-01-01T00:00:00Z", "us-east-1").into_bytes(),
            args: role,
            config: portal_config,
            exit: 4,
        },
        Case {
            name: "unknown_token",
            cache: token_json("tok-not-known-to-the-portal", "2099-01-01T00:00:00Z", "us-east-1").into_bytes(),
            args: role,
            config: portal_config,
            exit: 4,
        },
        Case {
            name: "revoked_on_the_server",
            cache: valid(),
            args: role,
            config: || {
                let mut config = portal_config();
                config.tokens.get_mut(TOKEN).unwrap().expired = true;
                config
            },
            exit: 4,
        },
        Case {
            // The portal of eu-west-1 does not know a token issued in us-east-1.
            name: "wrong_region",
            cache: valid(),
            args: &["--role-name", "ReadOnly", "--region", "eu-west-1"],
            config: PortalConfig::default,
            exit: 4,
        },
        Case {
            name: "wrong_role",
            cache: valid(),
            args: &["--role-name", "readonly"],
            config: portal_config,
            exit: 5,
        },
        Case {
            name: "invalid_role_name",
            cache: valid(),
            args: &["--role-name", "Read\nOnly"],
            config: portal_config,
            exit: 2,
        },
        Case {
            name: "invalid_region",
            cache: valid(),
            args: &["--role-name", "ReadOnly", "--region", "us-east-1.evil.com"],
            config: portal_config,
            exit: 2,
        },
        Case {
            name: "no_region_anywhere",
            cache: br#"{"accessToken": "tok-E2E-sekrit-7f3a9", "expiresAt": "2099-01-01T00:00:00Z"}"#.to_vec(),
            args: role,
            config: portal_config,
            exit: 2,
        },
        Case {
            name: "server_error",
            cache: valid(),
            args: &["--role-name", "ReadOnly", "--max-attempts", "2"],
            config: || PortalConfig {
                fail_first_with_500: 100,
                ..portal_config()
            },
            exit: 7,
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
            exit: 6,
        },
        Case {
            name: "invalid_json_answer",
            cache: valid(),
            args: role,
            config: || PortalConfig {
                fault: Fault::InvalidJson,
                ..portal_config()
            },
            exit: 7,
        },
    ]
}

#[test]
fn bad_input_table() {
    let settings = settings();
    for case in cases() {
        let sandbox = Sandbox::with_config((case.config)());
        let path = sandbox.home.path().join("token.json");
        std::fs::write(&path, &case.cache).unwrap();
        let mut args = vec!["--cache", path.to_str().unwrap()];
        args.extend_from_slice(case.args);
        let run = sandbox.export(&args);
        assert_eq!(run.code, case.exit, "{}: {run:?}", case.name);
        assert!(
            run.stdout.is_empty(),
            "{}: stdout must stay empty on failure: {}",
            case.name,
            run.stdout
        );
        assert!(run.stderr.starts_with("ssocreds"), "{}: {}", case.name, run.stderr);
        settings.bind(|| insta::assert_snapshot!(case.name, sandbox.snapshot(&run)));
    }
}

#[test]
fn missing_cache_file_says_how_to_search_instead() {
    let sandbox = Sandbox::new();
    let run = sandbox.export(&["--role-name", "ReadOnly", "--cache", "/nonexistent/token.json"]);
    assert_eq!(run.code, 3);
    settings().bind(|| insta::assert_snapshot!("missing_cache_file", sandbox.snapshot(&run)));
}

#[test]
fn plain_http_to_another_host_is_refused_before_any_request() {
    let sandbox = Sandbox::new();
    let path = sandbox.write_token();
    let run = sandbox.run(&[
        "export",
        "--cache",
        path.to_str().unwrap(),
        "--endpoint-url",
        "http://portal.example.com",
        "--account-id",
        ACCOUNT,
        "--role-name",
        "ReadOnly",
    ]);
    assert_eq!(run.code, 2);
    settings().bind(|| insta::assert_snapshot!("insecure_endpoint", sandbox.snapshot(&run)));
}

#[test]
fn usage_errors_exit_2_before_reading_anything() {
    let sandbox = Sandbox::new();
    for args in [
        vec!["export", "--role-name", "ReadOnly"],
        vec!["export", "--account-id", "12a4", "--role-name", "ReadOnly"],
        vec![
            "export",
            "--account-id",
            ACCOUNT,
            "--role-name",
            "ReadOnly",
            "--format",
            "bash",
        ],
        vec!["frobnicate"],
    ] {
        let run = sandbox.run(&args);
        assert_eq!(run.code, 2, "{args:?}: {run:?}");
        assert!(run.stdout.is_empty());
    }
}
