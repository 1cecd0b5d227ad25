//! Every output format, evaluated the way a user evaluates it, gives back every value byte for byte.

use crate::harness::*;
use ssocreds_tests::fake_portal::CredentialsOverride;

const EXPIRATION: &str = "2100-01-01T00:00:00Z";

fn export_to_file(sandbox: &Sandbox, format: &str, extra: &[&str]) -> std::path::PathBuf {
    sandbox.write_token();
    let mut args = vec!["--role-name", "ReadOnly", "--format", format];
    args.extend_from_slice(extra);
    let run = sandbox.export(&args);
    run.assert_success();
    let path = sandbox.home.path().join(format!("out.{format}"));
    std::fs::write(&path, &run.stdout).unwrap();
    path
}

fn assert_credentials(vars: &std::collections::BTreeMap<String, String>, region: Option<&str>) {
    assert_eq!(vars["AWS_ACCESS_KEY_ID"], "ASIAE2EEXAMPLE000001");
    assert_eq!(vars["AWS_SECRET_ACCESS_KEY"], SECRET_KEY);
    assert_eq!(vars["AWS_SESSION_TOKEN"], SESSION_TOKEN);
    assert_eq!(vars["AWS_CREDENTIAL_EXPIRATION"], EXPIRATION);
    assert_eq!(vars.get("AWS_REGION").map(String::as_str), region);
    assert_eq!(vars.get("AWS_DEFAULT_REGION").map(String::as_str), region);
}

#[test]
fn env_survives_bash_eval() {
    let sandbox = Sandbox::new();
    let file = export_to_file(&sandbox, "env", &["--export-region", "eu-west-2"]);
    let vars = shell_env("bash", &format!("eval \"$(cat '{}')\"; env -0", file.display()));
    assert_credentials(&vars, Some("eu-west-2"));
}

#[test]
fn env_survives_sh_eval() {
    let sandbox = Sandbox::new();
    let file = export_to_file(&sandbox, "env", &[]);
    let vars = shell_env("sh", &format!("eval \"$(cat '{}')\"; env -0", file.display()));
    assert_credentials(&vars, None);
}

#[test]
fn env_no_export_survives_bash_eval() {
    let sandbox = Sandbox::new();
    let file = export_to_file(&sandbox, "env-no-export", &[]);
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(!text.contains("export "), "{text}");
    let vars = shell_env("bash", &format!("set -a; eval \"$(cat '{}')\"; env -0", file.display()));
    assert_credentials(&vars, None);
}

#[test]
fn fish_survives_source() {
    if !has("fish") {
        eprintln!("fish is not installed: skipping the fish round trip (the README's test command installs it)");
        return;
    }
    let sandbox = Sandbox::new();
    let file = export_to_file(&sandbox, "fish", &["--export-region", "ap-southeast-2"]);
    let vars = shell_env("fish", &format!("source '{}'; env -0", file.display()));
    assert_credentials(&vars, Some("ap-southeast-2"));
}

#[test]
fn dotenv_survives_a_posix_shell_when_values_have_no_line_breaks() {
    // dotenv parsers disagree on escapes inside double quotes; values without line breaks are written plain or
    // single-quoted, which every parser (and `set -a; .`) reads literally.
    let mut config = portal_config();
    config.credentials.insert(
        format!("{ACCOUNT}/Admin"),
        CredentialsOverride {
            access_key_id: "ASIAE2EEXAMPLE000002".into(),
            secret_access_key: "a$b \"c\" `d` \\e #f".into(),
            session_token: "plain/+token==".into(),
            expiration: Some(4_102_444_800_000),
        },
    );
    let sandbox = Sandbox::with_config(config);
    sandbox.write_token();
    let run = sandbox.export(&["--role-name", "Admin", "--format", "dotenv"]);
    run.assert_success();
    assert!(
        run.stdout.contains("AWS_SESSION_TOKEN=plain/+token==\n"),
        "{}",
        run.stdout
    );
    let file = sandbox.home.path().join(".env");
    std::fs::write(&file, &run.stdout).unwrap();
    let vars = shell_env("bash", &format!("set -a; . '{}'; env -0", file.display()));
    assert_eq!(vars["AWS_SECRET_ACCESS_KEY"], "a$b \"c\" `d` \\e #f");
    assert_eq!(vars["AWS_SESSION_TOKEN"], "plain/+token==");
}

#[test]
fn process_is_credential_process_json() {
    let sandbox = Sandbox::new();
    let file = export_to_file(&sandbox, "process", &[]);
    let json: serde_json::Value = serde_json::from_slice(&std::fs::read(file).unwrap()).unwrap();
    assert_eq!(json["Version"], 1);
    assert_eq!(json["AccessKeyId"], "ASIAE2EEXAMPLE000001");
    assert_eq!(json["SecretAccessKey"], SECRET_KEY);
    assert_eq!(json["SessionToken"], SESSION_TOKEN);
    assert_eq!(json["Expiration"], EXPIRATION);
    assert_eq!(json["AccountId"], ACCOUNT);
}

#[test]
fn json_carries_account_and_region() {
    let sandbox = Sandbox::new();
    let file = export_to_file(&sandbox, "json", &["--export-region", "us-west-2"]);
    let json: serde_json::Value = serde_json::from_slice(&std::fs::read(file).unwrap()).unwrap();
    assert_eq!(json["secretAccessKey"], SECRET_KEY);
    assert_eq!(json["sessionToken"], SESSION_TOKEN);
    assert_eq!(json["expiration"], EXPIRATION);
    assert_eq!(json["accountId"], ACCOUNT);
    assert_eq!(json["region"], "us-west-2");
}

#[test]
fn powershell_and_cmd_lines_have_the_documented_shape() {
    // No PowerShell or cmd here: the quoting rules are unit-tested in sso-core; this checks the CLI wiring.
    let sandbox = Sandbox::new();
    let file = export_to_file(&sandbox, "powershell", &[]);
    let text = std::fs::read_to_string(file).unwrap();
    assert!(
        text.starts_with("$Env:AWS_ACCESS_KEY_ID=\"ASIAE2EEXAMPLE000001\"\n"),
        "{text}"
    );
    assert!(text.contains("`$HOME"), "{text}");

    let run = sandbox.export(&["--role-name", "ReadOnly", "--format", "windows-cmd"]);
    assert_eq!(run.code, 2, "cmd cannot carry a line break or quotes: {run:?}");
    assert!(run.stderr.contains("windows-cmd cannot represent"), "{}", run.stderr);
    assert!(run.stdout.is_empty());
}

#[test]
fn every_expires_at_variant_is_accepted() {
    let sandbox = Sandbox::new();
    for (i, expires_at) in [
        "2099-06-17T10:02:08UTC",
        "2099-02-14T18:48:59Z",
        "2099-02-14T18:48:59.123Z",
        "2099-02-14T18:48:59.123456Z",
        "2099-02-14T10:48:59-08:00",
        "2099-02-14T18:48:59+0000",
    ]
    .iter()
    .enumerate()
    {
        let path = sandbox.home.path().join(format!("variant-{i}.json"));
        std::fs::write(&path, token_json(TOKEN, expires_at, "us-east-1")).unwrap();
        let run = sandbox.export(&["--role-name", "Admin", "--cache", path.to_str().unwrap()]);
        run.assert_success();
        assert!(
            run.stdout.starts_with("export AWS_ACCESS_KEY_ID=ASIA"),
            "{expires_at}: {}",
            run.stdout
        );
    }
}

#[test]
fn cache_from_standard_input() {
    let sandbox = Sandbox::new();
    let url = sandbox.portal.url();
    let token = token_json(TOKEN, "2099-01-01T00:00:00Z", "us-east-1");
    let run = sandbox.run_with(
        &[
            "export",
            "--cache",
            "-",
            "--endpoint-url",
            &url,
            "--account-id",
            ACCOUNT,
            "--role-name",
            "Admin",
        ],
        &[],
        Some(token.as_bytes()),
    );
    run.assert_success();
    assert_eq!(run.stdout.lines().count(), 4);
}
