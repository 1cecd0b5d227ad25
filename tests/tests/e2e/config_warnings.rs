//! Warnings the resolution prints by default (and `--quiet` hides): a config line the AWS CLI reads otherwise than
//! the AWS SDKs (and ssocreds) do, and an account id that is not 12 digits (sent anyway, as the SDKs send it).

use crate::harness::*;

const INLINE_COMMENT_CONFIG: &str = "\
[profile dev]
sso_session = corp
sso_account_id = 111122223333
sso_role_name = ReadOnly # prod

[sso-session corp]
sso_start_url = https://e2e.awsapps.com/start
sso_region = us-east-1
";

#[test]
fn an_inline_comment_is_read_as_the_sdks_read_it_with_one_warning_naming_the_line_and_both_readings() {
    let sandbox = Sandbox::new();
    sandbox.write_config(INLINE_COMMENT_CONFIG);
    sandbox.write_session_token("corp");
    let run = sandbox.run_fake(&["export", "--profile", "dev"]);
    run.assert_success();
    let warnings: Vec<&str> = run.stderr.lines().filter(|l| l.contains("the AWS CLI reads")).collect();
    assert_eq!(warnings.len(), 1, "{}", run.stderr);
    assert!(warnings[0].contains("config:4:"), "{}", warnings[0]);
    assert!(warnings[0].contains("\"ReadOnly # prod\""), "{}", warnings[0]);
    assert!(warnings[0].contains("\"ReadOnly\""), "{}", warnings[0]);
    let queries: Vec<String> = sandbox.portal.requests().into_iter().map(|r| r.query).collect();
    assert_eq!(queries, [format!("role_name=ReadOnly&account_id={ACCOUNT}")]);

    let quiet = sandbox.run_fake(&["--quiet", "export", "--profile", "dev"]);
    quiet.assert_success();
    assert_eq!(quiet.stderr, "", "--quiet hides the warning");
}

#[test]
fn an_account_id_of_fewer_than_12_digits_is_sent_with_a_warning() {
    let sandbox = Sandbox::new();
    sandbox.write_session_token("corp");
    let run = sandbox.run_fake(&["export", "--account-id", "123456789", "--role-name", "ReadOnly"]);
    // The fake portal, like the real one, answers an account the sign-in cannot use with 403 No access.
    assert_eq!(run.code, 5, "{}", run.stderr);
    assert!(
        run.stderr.contains("AWS account ids have 12 digits") && run.stderr.contains("000123456789"),
        "{}",
        run.stderr
    );
    let queries: Vec<String> = sandbox.portal.requests().into_iter().map(|r| r.query).collect();
    assert_eq!(queries, ["role_name=ReadOnly&account_id=123456789"]);
}
