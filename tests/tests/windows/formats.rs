//! Every export format gives the Linux build's bytes (LF line ends included); the `windows-cmd` lines, run by cmd,
//! set every variable byte for byte. PowerShell does not run under wine: its format is checked against the Linux
//! build's bytes only (its quoting is unit-tested in sso-core).

use ssocreds_tests::fake_portal::generated_credentials;

use crate::linux::{ACCOUNT, TOKEN};
use crate::sandbox::*;
use crate::wine;

const FORMATS: &[&str] = &[
    "env",
    "env-no-export",
    "dotenv",
    "fish",
    "powershell",
    "windows-cmd",
    "process",
    "json",
];

#[test]
#[ignore = "needs wine: run scripts/test-windows.sh"]
fn every_format_gives_the_linux_builds_bytes() {
    let sandbox = WinSandbox::new();
    let token = sandbox.linux.write_token();
    let url = sandbox.linux.portal.url();
    let win_token = wine::win_path(&token);
    let cases = FORMATS
        .iter()
        .flat_map(|format| [("ReadOnly", *format, None), ("Admin", *format, None)])
        .chain([
            ("Admin", "windows-cmd", Some("eu-west-2")),
            ("ReadOnly", "powershell", Some("eu-west-2")),
        ]);
    for (role, format, region) in cases {
        let run_args = |cache: &str| {
            let mut args = vec![
                "export".to_owned(),
                "--cache".into(),
                cache.into(),
                "--endpoint-url".into(),
                url.clone(),
                "--account-id".into(),
                ACCOUNT.into(),
                "--role-name".into(),
                role.into(),
                "--format".into(),
                format.into(),
            ];
            if let Some(region) = region {
                args.extend(["--export-region".to_owned(), region.to_owned()]);
            }
            args
        };
        let win_args = run_args(&win_token);
        let linux_args = run_args(token.to_str().unwrap());
        let win = sandbox.run(&win_args.iter().map(String::as_str).collect::<Vec<_>>());
        let linux = sandbox.run_linux(&linux_args.iter().map(String::as_str).collect::<Vec<_>>());
        let what = format!("{role} as {format} (region {region:?})");
        assert_eq!(win.code, i64::from(linux.code), "{what}: {win:?}");
        assert_eq!(win.stdout, linux.stdout.as_bytes(), "{what}: stdout differs");
        assert_eq!(win.stderr_text(), linux.stderr, "{what}: stderr differs");
        assert!(!win.stdout.contains(&b'\r'), "{what}: LF lines only");
        // ReadOnly's line break and quotes cannot be written for cmd: exit 2 on both; everything else works.
        let expected = if format == "windows-cmd" && role == "ReadOnly" {
            2
        } else {
            0
        };
        assert_eq!(win.code, expected, "{what}: {}", win.stderr_text());
    }
}

/// The variables the `windows-cmd` lines of role Admin must set.
fn admin_variables(region: &str) -> Vec<(&'static str, String)> {
    vec![
        ("AWS_ACCESS_KEY_ID", CMD_ACCESS_KEY.to_owned()),
        ("AWS_CREDENTIAL_EXPIRATION", "2100-01-01T00:00:00Z".to_owned()),
        ("AWS_DEFAULT_REGION", region.to_owned()),
        ("AWS_REGION", region.to_owned()),
        ("AWS_SECRET_ACCESS_KEY", CMD_SECRET.to_owned()),
        ("AWS_SESSION_TOKEN", CMD_SESSION_TOKEN.to_owned()),
    ]
}

#[test]
#[ignore = "needs wine: run scripts/test-windows.sh"]
fn windows_cmd_output_saved_and_called_by_cmd_sets_every_byte() {
    let sandbox = WinSandbox::new();
    let token = wine::win_path(&sandbox.linux.write_token());
    let out = sandbox.path("creds.cmd");
    let vars = sandbox.path("vars.txt");
    // As a user would: redirect into a .cmd file, CALL it, then look. (`set AWS_>f`: wine's cmd mis-parses
    // `set AWS_ > f`.)
    let script = write_script(
        &sandbox,
        "save-and-call.cmd",
        &[
            "@echo off".to_owned(),
            format!(
                "\"{}\" export --cache \"{token}\" --account-id {ACCOUNT} --role-name Admin --format windows-cmd \
                 --export-region eu-west-2 >\"{}\"",
                wine::win_path(wine::exe()),
                wine::win_path(&out)
            ),
            "if errorlevel 1 exit /b 1".to_owned(),
            format!("call \"{}\"", wine::win_path(&out)),
            format!("set AWS_>\"{}\"", wine::win_path(&vars)),
        ],
    );
    sandbox
        .run_command(&sandbox.command(&[]).with_program("cmd", &["/c", &script]))
        .assert_success();
    let got = read_set_output(&vars);
    let want = admin_variables("eu-west-2");
    assert_eq!(
        got.iter().map(|(k, v)| (k.as_str(), v.clone())).collect::<Vec<_>>(),
        want,
        "the variables cmd set, byte for byte (and no other AWS_ variable)"
    );
    // The file cmd ran is the Linux build's output, byte for byte.
    let linux = sandbox.run_linux(&[
        "export",
        "--cache",
        sandbox.linux.cache_dir().join("e2e.json").to_str().unwrap(),
        "--account-id",
        ACCOUNT,
        "--role-name",
        "Admin",
        "--format",
        "windows-cmd",
        "--export-region",
        "eu-west-2",
    ]);
    assert_eq!(std::fs::read(&out).unwrap(), linux.stdout.as_bytes());
}

#[test]
#[ignore = "needs wine: run scripts/test-windows.sh"]
fn windows_cmd_through_for_f_with_a_profile_sets_the_variables() {
    // The one-line form of docs/windows.md, in a .cmd file (`%%L`), with a profile of %USERPROFILE%\.aws\config
    // and generated credentials such as real ones. wine's cmd cannot run `set` from `do %%L`; `do call %%L`
    // works in both.
    let sandbox = WinSandbox::new();
    sandbox.write_config();
    sandbox.write_tokens();
    let vars = sandbox.path("vars.txt");
    let script = write_script(
        &sandbox,
        "for-f.cmd",
        &[
            "@echo off".to_owned(),
            format!(
                "for /f \"delims=\" %%L in ('{} export --profile plain --format windows-cmd') do call %%L",
                wine::win_path(wine::exe())
            ),
            format!("set AWS_>\"{}\"", wine::win_path(&vars)),
        ],
    );
    sandbox
        .run_command(&sandbox.command(&[]).with_program("cmd", &["/c", &script]))
        .assert_success();
    let got = read_set_output(&vars);
    let (key, secret, session) = generated_credentials(TOKEN, ACCOUNT, "Plain");
    assert_eq!(got["AWS_ACCESS_KEY_ID"], key);
    assert_eq!(got["AWS_SECRET_ACCESS_KEY"], secret);
    assert_eq!(got["AWS_SESSION_TOKEN"], session);
    assert_eq!(got["AWS_REGION"], "ap-southeast-2");
    assert_eq!(got["AWS_DEFAULT_REGION"], "ap-southeast-2");
    assert!(got["AWS_CREDENTIAL_EXPIRATION"].ends_with('Z'));
    assert_eq!(got.len(), 6, "{got:?}");
}
