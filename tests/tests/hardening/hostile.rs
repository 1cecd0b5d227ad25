//! Hostile input against the real binary. Every case is refused before anything is sent: the portal sees no
//! request, stdout stays empty, the message names what is wrong and the exit code says which kind of problem it is.

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt as _;
use std::os::unix::fs::PermissionsExt as _;
use std::process::Command;
use std::time::{Duration, Instant};

use crate::harness::*;
use crate::support::{assert_failure, timed};

/// The URL of the sandbox's fake portal, substituted into a case's arguments and environment.
const URL: &str = "{url}";

struct Case {
    name: &'static str,
    /// Arguments after `export`; `{url}` is the fake portal. The usual token is in ~/.aws/sso/cache.
    args: &'static [&'static str],
    env: &'static [(&'static str, &'static str)],
    exit: i32,
    /// A word the message must contain.
    needle: &'static str,
}

const fn case(name: &'static str, args: &'static [&'static str], exit: i32, needle: &'static str) -> Case {
    Case {
        name,
        args,
        env: &[],
        exit,
        needle,
    }
}

const ROLE: &str = "ReadOnly";

/// Arguments that try to move the request to another host, or to smuggle something into it.
const CASES: &[Case] = &[
    // Regions become part of a host name.
    case(
        "region_adds_a_label",
        &[
            "--region",
            "us-east-1.evil.com",
            "--account-id",
            ACCOUNT,
            "--role-name",
            ROLE,
        ],
        2,
        "invalid region",
    ),
    case(
        "region_adds_a_path",
        &["--region", "us-east-1/..", "--account-id", ACCOUNT, "--role-name", ROLE],
        2,
        "invalid region",
    ),
    case(
        "region_adds_user_info",
        &["--region", "us-east-1@x", "--account-id", ACCOUNT, "--role-name", ROLE],
        2,
        "invalid region",
    ),
    case(
        "region_adds_a_port",
        &[
            "--region",
            "us-east-1:443",
            "--account-id",
            ACCOUNT,
            "--role-name",
            ROLE,
        ],
        2,
        "invalid region",
    ),
    case(
        "region_cyrillic_a",
        &[
            "--region",
            "us-e\u{430}st-1",
            "--account-id",
            ACCOUNT,
            "--role-name",
            ROLE,
        ],
        2,
        "invalid region",
    ),
    case(
        "region_zero_width_space",
        &[
            "--region",
            "us-east-1\u{200b}",
            "--account-id",
            ACCOUNT,
            "--role-name",
            ROLE,
        ],
        2,
        "invalid region",
    ),
    case(
        "region_fullwidth_digit",
        &[
            "--region",
            "us-east-\u{ff11}",
            "--account-id",
            ACCOUNT,
            "--role-name",
            ROLE,
        ],
        2,
        "invalid region",
    ),
    case(
        "region_newline",
        &[
            "--region",
            "us-east-1\nHost: evil.com",
            "--account-id",
            ACCOUNT,
            "--role-name",
            ROLE,
        ],
        2,
        "invalid region",
    ),
    // Endpoint overrides.
    case(
        "endpoint_http_to_another_host",
        &[
            "--endpoint-url",
            "http://evil.com",
            "--account-id",
            ACCOUNT,
            "--role-name",
            ROLE,
        ],
        2,
        "http://",
    ),
    case(
        "endpoint_http_to_a_private_address",
        &[
            "--endpoint-url",
            "http://10.0.0.1:4949",
            "--account-id",
            ACCOUNT,
            "--role-name",
            ROLE,
        ],
        2,
        "http://",
    ),
    case(
        "endpoint_http_loopback_prefix",
        &[
            "--endpoint-url",
            "http://127.0.0.1.evil.com",
            "--account-id",
            ACCOUNT,
            "--role-name",
            ROLE,
        ],
        2,
        "http://",
    ),
    case(
        "endpoint_http_localhost_prefix",
        &[
            "--endpoint-url",
            "http://localhost.evil.com",
            "--account-id",
            ACCOUNT,
            "--role-name",
            ROLE,
        ],
        2,
        "http://",
    ),
    case(
        "endpoint_user_info",
        &[
            "--endpoint-url",
            "https://127.0.0.1@evil.com",
            "--account-id",
            ACCOUNT,
            "--role-name",
            ROLE,
        ],
        2,
        "user information",
    ),
    case(
        "endpoint_backslash",
        &[
            "--endpoint-url",
            "https://evil.com\\@127.0.0.1",
            "--account-id",
            ACCOUNT,
            "--role-name",
            ROLE,
        ],
        2,
        "backslash",
    ),
    case(
        "endpoint_cyrillic_look_alike",
        &[
            "--endpoint-url",
            "https://ex\u{430}mple.com",
            "--account-id",
            ACCOUNT,
            "--role-name",
            ROLE,
        ],
        2,
        "not ascii",
    ),
    case(
        "endpoint_fullwidth_slash",
        &[
            "--endpoint-url",
            "https://127.0.0.1\u{ff0f}evil.com",
            "--account-id",
            ACCOUNT,
            "--role-name",
            ROLE,
        ],
        2,
        "not ascii",
    ),
    case(
        "endpoint_numeric_host",
        &[
            "--endpoint-url",
            "https://12",
            "--account-id",
            ACCOUNT,
            "--role-name",
            ROLE,
        ],
        2,
        "ipv4",
    ),
    case(
        "endpoint_hex_loopback",
        &[
            "--endpoint-url",
            "http://0x7f.1",
            "--account-id",
            ACCOUNT,
            "--role-name",
            ROLE,
        ],
        2,
        "ipv4",
    ),
    case(
        "endpoint_punycode",
        &[
            "--endpoint-url",
            "https://xn--pple-43d.com",
            "--account-id",
            ACCOUNT,
            "--role-name",
            ROLE,
        ],
        2,
        "endpoint url",
    ),
    case(
        "endpoint_query",
        &[
            "--endpoint-url",
            "https://evil.com?x=",
            "--account-id",
            ACCOUNT,
            "--role-name",
            ROLE,
        ],
        2,
        "query",
    ),
    case(
        "endpoint_dot_dot",
        &[
            "--endpoint-url",
            "https://sso.example.com/../x",
            "--account-id",
            ACCOUNT,
            "--role-name",
            ROLE,
        ],
        2,
        "path",
    ),
    case(
        "endpoint_ftp",
        &[
            "--endpoint-url",
            "ftp://127.0.0.1",
            "--account-id",
            ACCOUNT,
            "--role-name",
            ROLE,
        ],
        2,
        "https://",
    ),
    Case {
        name: "endpoint_env_http_to_another_host",
        args: &["--account-id", ACCOUNT, "--role-name", ROLE],
        env: &[("AWS_ENDPOINT_URL_SSO", "http://evil.com")],
        exit: 2,
        needle: "http://",
    },
    Case {
        name: "endpoint_env_general_user_info",
        args: &["--account-id", ACCOUNT, "--role-name", ROLE],
        env: &[("AWS_ENDPOINT_URL", "https://a@evil.com")],
        exit: 2,
        needle: "user information",
    },
    // Ids go into the query string.
    case(
        "account_id_with_letters",
        &[
            "--endpoint-url",
            URL,
            "--account-id",
            "11112222333a",
            "--role-name",
            ROLE,
        ],
        2,
        "invalid account id",
    ),
    case(
        "account_id_arabic_digits",
        &[
            "--endpoint-url",
            URL,
            "--account-id",
            "\u{661}\u{661}\u{661}\u{661}\u{662}\u{662}\u{662}\u{662}\u{663}\u{663}\u{663}\u{663}",
            "--role-name",
            ROLE,
        ],
        2,
        "invalid account id",
    ),
    case(
        "account_id_query_injection",
        &[
            "--endpoint-url",
            URL,
            "--account-id",
            "111122223333&role_name=Admin",
            "--role-name",
            ROLE,
        ],
        2,
        "invalid account id",
    ),
    case(
        "role_name_with_newline",
        &[
            "--endpoint-url",
            URL,
            "--account-id",
            ACCOUNT,
            "--role-name",
            "Read\nOnly",
        ],
        2,
        "invalid role name",
    ),
    case(
        "role_name_query_injection",
        &[
            "--endpoint-url",
            URL,
            "--account-id",
            ACCOUNT,
            "--role-name",
            "ReadOnly&account_id=999999999999",
        ],
        2,
        "invalid role name",
    ),
    case(
        "role_name_cyrillic_o",
        &[
            "--endpoint-url",
            URL,
            "--account-id",
            ACCOUNT,
            "--role-name",
            "Read\u{41e}nly",
        ],
        2,
        "invalid role name",
    ),
    case(
        "role_name_too_long",
        &[
            "--endpoint-url",
            URL,
            "--account-id",
            ACCOUNT,
            "--role-name",
            "RRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRRR",
        ],
        2,
        "invalid role name",
    ),
];

#[test]
fn hostile_arguments_are_refused_before_any_request() {
    let sandbox = Sandbox::new();
    sandbox.write_token();
    let url = sandbox.portal.url();
    for case in CASES {
        let mut args = vec!["export"];
        args.extend(case.args.iter().map(|a| if *a == URL { url.as_str() } else { a }));
        let run = sandbox.run_with(&args, case.env, None);
        assert_failure(&run, case.exit, case.needle, case.name);
        assert!(
            sandbox.portal.requests().is_empty(),
            "{}: a request reached the portal",
            case.name
        );
    }
    println!("{} hostile arguments refused", CASES.len());
}

/// Cache files that are hostile in content: each is refused (exit 3) with a message, and nothing is sent.
#[test]
fn hostile_cache_files_are_refused_before_any_request() {
    let deep = format!(
        r#"{{"accessToken":"{TOKEN}","expiresAt":"2099-01-01T00:00:00Z","x":{}{}}}"#,
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    let mut not_utf8 = format!(r#"{{"accessToken":"{TOKEN}"#).into_bytes();
    not_utf8.extend_from_slice(b"\xff\xfe\x80\",\"expiresAt\":\"2099-01-01T00:00:00Z\"}");
    let cases: Vec<(&str, Vec<u8>, i32, &str)> = vec![
        ("deeply_nested_json", deep.into_bytes(), 3, "not valid json"),
        ("non_utf8_bytes", not_utf8, 3, "not valid json"),
        (
            "region_in_the_file_adds_a_label",
            token_json(TOKEN, "2099-01-01T00:00:00Z", "us-east-1.evil.com").into_bytes(),
            3,
            "invalid region",
        ),
        (
            "region_in_the_file_with_user_info",
            token_json(TOKEN, "2099-01-01T00:00:00Z", "us-east-1@evil.com").into_bytes(),
            3,
            "invalid region",
        ),
        (
            "expires_at_with_a_five_digit_year",
            token_json(TOKEN, "+12099-01-01T00:00:00Z", "us-east-1").into_bytes(),
            3,
            "timestamp",
        ),
        (
            "nul_in_the_token",
            r#"{"accessToken":"tok\u0000en","expiresAt":"2099-01-01T00:00:00Z","region":"us-east-1"}"#
                .as_bytes()
                .to_vec(),
            -1, // decided below: the header cannot carry it
            "",
        ),
        (
            "utf16_file",
            utf16(&token_json(TOKEN, "2099-01-01T00:00:00Z", "us-east-1")),
            3,
            "not valid json",
        ),
        ("json_array", b"[{\"accessToken\":\"x\"}]".to_vec(), 3, "not an object"),
    ];
    for (name, contents, exit, needle) in cases {
        let sandbox = Sandbox::new();
        let path = sandbox.write_cache("hostile.json", &contents);
        let path = path.to_str().unwrap();
        let run = sandbox.export(&["--role-name", "ReadOnly", "--cache", path]);
        if exit == -1 {
            // A NUL cannot go in an HTTP header: whatever the CLI does, it must not crash or send it.
            assert!(matches!(run.code, 2..=9), "{name}: {run:?}");
            assert!(run.stdout.is_empty(), "{name}: {run:?}");
            assert!(
                sandbox
                    .portal
                    .requests()
                    .iter()
                    .all(|r| !r.headers.values().any(|v| v.contains('\0'))),
                "{name}: a NUL reached the portal"
            );
            continue;
        }
        assert_failure(&run, exit, needle, name);
        assert!(
            sandbox.portal.requests().is_empty(),
            "{name}: a request reached the portal"
        );
    }
}

fn utf16(text: &str) -> Vec<u8> {
    let mut out = vec![0xFF, 0xFE];
    for unit in text.encode_utf16() {
        out.extend_from_slice(&unit.to_le_bytes());
    }
    out
}

/// Duplicate keys: the last one wins, as in Python's `json` (what the AWS CLI that wrote the file reads).
#[test]
fn duplicate_keys_take_the_last_value_as_python_does() {
    let sandbox = Sandbox::new();
    let contents = format!(
        r#"{{"accessToken":"first-token-not-this-one","region":"eu-west-1","expiresAt":"2000-01-01T00:00:00Z",
            "accessToken":"{TOKEN}","region":"us-east-1","expiresAt":"2099-01-01T00:00:00Z"}}"#
    );
    sandbox.write_cache("dup.json", contents);
    sandbox.export(&["--role-name", "ReadOnly"]).assert_success();
    let requests = sandbox.portal.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].header("x-amz-sso_bearer_token"), Some(TOKEN));
}

/// A 1 GiB (sparse) cache file is not read past the 1 MiB limit: refused at once, in little memory.
#[test]
fn a_one_gib_cache_file_is_refused_without_being_read() {
    let sandbox = Sandbox::new();
    let dir = sandbox.cache_dir();
    std::fs::create_dir_all(&dir).unwrap();
    let big = dir.join("big.json");
    std::fs::File::create(&big).unwrap().set_len(1 << 30).unwrap();
    let path = big.to_str().unwrap();

    let (run, elapsed) = timed(
        &sandbox,
        &[
            "export",
            "--endpoint-url",
            &sandbox.portal.url(),
            "--account-id",
            ACCOUNT,
            "--role-name",
            "ReadOnly",
            "--cache",
            path,
        ],
        &[],
    );
    assert_failure(&run, 3, "larger than", "explicit 1 GiB file");
    assert!(elapsed < Duration::from_secs(2), "took {elapsed:?}");
    let rss = peak_rss_kib(
        &[
            "export",
            "--endpoint-url",
            &sandbox.portal.url(),
            "--account-id",
            ACCOUNT,
            "--role-name",
            "ReadOnly",
            "--cache",
            path,
        ],
        sandbox.home.path(),
    );
    if let Some(rss) = rss {
        assert!(rss < 64 * 1024, "peak RSS {rss} KiB reading a 1 GiB file");
        println!("1 GiB cache file: refused in {elapsed:?}, peak RSS {rss} KiB");
    }

    // Beside a good token, during discovery: passed over, and the good one is used.
    sandbox.write_token();
    let (run, elapsed) = timed(
        &sandbox,
        &[
            "export",
            "--endpoint-url",
            &sandbox.portal.url(),
            "--account-id",
            ACCOUNT,
            "--role-name",
            "ReadOnly",
        ],
        &[],
    );
    run.assert_success();
    assert!(elapsed < Duration::from_secs(2), "took {elapsed:?}");
}

/// Peak resident memory of one run, from `/usr/bin/time` when it exists.
fn peak_rss_kib(args: &[&str], home: &std::path::Path) -> Option<u64> {
    if !std::path::Path::new("/usr/bin/time").exists() {
        return None;
    }
    let output = Command::new("/usr/bin/time")
        .arg("-f")
        .arg("RSS=%M")
        .arg(binary())
        .args(args)
        .env_clear()
        .env("HOME", home)
        .output()
        .ok()?;
    let stderr = String::from_utf8_lossy(&output.stderr);
    stderr.lines().find_map(|l| l.strip_prefix("RSS=")?.trim().parse().ok())
}

/// Special files: a FIFO in the cache folder would block a reader forever; /dev/zero never ends.
#[test]
fn special_files_neither_block_nor_exhaust() {
    let sandbox = Sandbox::new();
    sandbox.write_token();
    let fifo = sandbox.cache_dir().join("fifo.json");
    assert!(Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    let start = Instant::now();
    sandbox.export(&["--role-name", "ReadOnly"]).assert_success();
    assert!(start.elapsed() < Duration::from_secs(5));

    let run = sandbox.export(&["--role-name", "ReadOnly", "--cache", fifo.to_str().unwrap()]);
    assert_failure(&run, 3, "not a regular file", "--cache FIFO");
    let run = sandbox.export(&["--role-name", "ReadOnly", "--cache", "/dev/zero"]);
    assert_failure(&run, 3, "not a regular file", "--cache /dev/zero");
}

/// Arguments that are not UTF-8 at all: a usage error, not a crash.
#[test]
fn non_utf8_arguments_are_a_usage_error() {
    let sandbox = Sandbox::new();
    sandbox.write_token();
    for (flag, value) in [
        ("--role-name", OsStr::from_bytes(b"Read\xffOnly")),
        ("--region", OsStr::from_bytes(b"us-east-\xff")),
        ("--endpoint-url", OsStr::from_bytes(b"http://127.0.0.1\xff")),
    ] {
        let output = Command::new(binary())
            .args(["export", "--account-id", ACCOUNT])
            .arg(flag)
            .arg(value)
            .env_clear()
            .env("HOME", sandbox.home.path())
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2), "{flag}: {output:?}");
        assert!(output.stdout.is_empty());
        assert!(!String::from_utf8_lossy(&output.stderr).contains("panicked"));
    }
    assert!(sandbox.portal.requests().is_empty());
}

/// A cache file that is a symlink to a file another user owns: someone who can write to the cache folder could plant
/// a token of *their* account, and the user would then put data there. The search passes such files over.
#[test]
fn a_symlink_to_another_users_file_in_the_cache_folder_is_not_used() {
    if !is_root() {
        println!("skipped: not root, cannot chown a file to another user");
        return;
    }
    let sandbox = Sandbox::new();
    let elsewhere = tempfile::tempdir().unwrap();
    let target = elsewhere.path().join("theirs.json");
    std::fs::write(&target, token_json(TOKEN, "2099-01-01T00:00:00Z", "us-east-1")).unwrap();
    std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o600)).unwrap();
    assert!(
        Command::new("chown")
            .arg("65534")
            .arg(&target)
            .status()
            .unwrap()
            .success()
    );
    std::fs::create_dir_all(sandbox.cache_dir()).unwrap();
    std::os::unix::fs::symlink(&target, sandbox.cache_dir().join("link.json")).unwrap();

    let run = sandbox.export(&["--role-name", "ReadOnly", "--verbose"]);
    assert_eq!(run.code, 3, "{run:?}");
    assert!(
        run.stderr.contains("owned by another user (uid 65534"),
        "{}",
        run.stderr
    );
    assert!(sandbox.portal.requests().is_empty(), "no request with a planted token");

    // A file anyone can write to is passed over too.
    let open = sandbox.write_cache("open.json", token_json(TOKEN, "2099-01-01T00:00:00Z", "us-east-1"));
    std::fs::set_permissions(&open, std::fs::Permissions::from_mode(0o666)).unwrap();
    let run = sandbox.export(&["--role-name", "ReadOnly", "--verbose"]);
    assert_eq!(run.code, 3, "{run:?}");
    assert!(run.stderr.contains("writable by every user"), "{}", run.stderr);

    // Named explicitly with --cache, the user's intent is clear: it is used.
    let run = sandbox.export(&["--role-name", "ReadOnly", "--cache", target.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{run:?}");
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}
