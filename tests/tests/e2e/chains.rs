//! Role chains (`role_arn` + `source_profile` on top of an SSO profile) through `export`, `process`, `write` and
//! `exec`, against the fake portal and the fake STS on the same 127.0.0.1 server: the fake checks each SigV4
//! signature with the key it issued, so a hop signed with the wrong credentials or for the wrong region fails.

use std::path::Path;
use std::process::Command;

use crate::harness::*;
use serde_json::Value;
use ssocreds_tests::fake_portal::{Account, CredentialsOverride, PortalConfig, StsConfig, StsFault, StsRole};

const DEPLOY: &str = "arn:aws:iam::444455556666:role/Deploy";
const AUDIT: &str = "arn:aws:iam::777788889999:role/team/Audit";
const MFA: &str = "arn:aws:iam::111122223333:mfa/alice";
/// The SSO role's credentials (the root of every chain here): never to be printed, since they are not the result.
const SSO_SECRET: &str = "sso-root-secret-9c1e";
const SSO_SESSION_TOKEN: &str = "sso-root-session-token-4b7d";

const PROFILES: &str = "\
[profile sso]
sso_session = corp
sso_account_id = 111122223333
sso_role_name = Admin
region = us-west-2

[sso-session corp]
sso_start_url = https://e2e.awsapps.com/start
sso_region = us-east-1

[profile deploy]
role_arn = arn:aws:iam::444455556666:role/Deploy
source_profile = sso
region = eu-west-1

[profile audit]
role_arn = arn:aws:iam::777788889999:role/team/Audit
source_profile = deploy
role_session_name = audit-session
duration_seconds = 1800
external_id = ext-123
region = eu-west-1

[profile mfa]
role_arn = arn:aws:iam::444455556666:role/Deploy
source_profile = sso
mfa_serial = arn:aws:iam::111122223333:mfa/alice
region = eu-west-1

[profile no-region]
role_arn = arn:aws:iam::444455556666:role/Deploy
source_profile = sso
";

/// The portal gives the SSO role known credentials; STS knows Deploy (any caller) and Audit (only Deploy's
/// account may assume it, with external id `ext-123`), and accepts only signatures for eu-west-1.
fn portal_config(sts: StsConfig) -> PortalConfig {
    let mut config = PortalConfig::with_token(TOKEN, vec![Account::new(ACCOUNT, "e2e", &["Admin"])]);
    config.credentials.insert(
        format!("{ACCOUNT}/Admin"),
        CredentialsOverride {
            access_key_id: "ASIASSOROOT000000001".into(),
            secret_access_key: SSO_SECRET.into(),
            session_token: SSO_SESSION_TOKEN.into(),
            expiration: Some(4_102_444_800_000),
        },
    );
    config.sts = sts;
    config
}

fn usual_sts() -> StsConfig {
    let mut sts = StsConfig::with_roles(&[DEPLOY, AUDIT]);
    let audit = sts.roles.get_mut(AUDIT).unwrap();
    audit.trusted_accounts = vec!["444455556666".into()];
    audit.external_id = Some("ext-123".into());
    sts.region = Some("eu-west-1".into());
    sts
}

fn sandbox_with(sts: StsConfig, profiles: &str) -> Sandbox {
    let sandbox = Sandbox::with_config(portal_config(sts));
    sandbox.write_config(profiles);
    sandbox.write_session_token("corp");
    sandbox
}

fn sandbox() -> Sandbox {
    sandbox_with(usual_sts(), PROFILES)
}

/// Runs ssocreds with the portal and STS both at the fake, plus `env`; checks that the SSO role's secrets are
/// printed nowhere.
fn run(sandbox: &Sandbox, args: &[&str], env: &[(&str, &str)]) -> Run {
    let url = sandbox.portal.url();
    let mut all = vec![
        ("AWS_ENDPOINT_URL_SSO", url.as_str()),
        ("AWS_ENDPOINT_URL_STS", url.as_str()),
    ];
    all.extend_from_slice(env);
    let run = sandbox.run_with(args, &all, None);
    assert_no_root_secret(&run);
    run
}

fn assert_no_root_secret(run: &Run) {
    for secret in [SSO_SECRET, SSO_SESSION_TOKEN] {
        assert!(
            !run.stdout.contains(secret) && !run.stderr.contains(secret),
            "the SSO role's secret was printed:\n{}\n{}",
            run.stdout,
            run.stderr
        );
    }
}

fn json(run: &Run) -> Value {
    run.assert_success();
    serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("not JSON ({e}):\n{}", run.stdout))
}

fn unix_now() -> i64 {
    chrono::Utc::now().timestamp()
}

fn assert_failure(run: &Run, code: i32, words: &[&str]) {
    assert_eq!(
        run.code, code,
        "expected exit {code}\nstdout:\n{}\nstderr:\n{}",
        run.stdout, run.stderr
    );
    assert!(run.stdout.is_empty(), "stdout of a failure: {}", run.stdout);
    for word in words {
        assert!(run.stderr.contains(word), "{word:?} missing from:\n{}", run.stderr);
    }
}

mod resolution {
    use super::*;

    #[test]
    fn one_hop_export_gives_the_assumed_roles_credentials_account_and_region() {
        let sandbox = sandbox();
        let before = unix_now();
        let out = json(&run(
            &sandbox,
            &["export", "--profile", "deploy", "--format", "json"],
            &[],
        ));
        let records = sandbox.portal.state().assumed_roles;
        assert_eq!(records.len(), 1);
        let record = &records[0];
        assert_eq!(record.role_arn, DEPLOY);
        assert_eq!(
            record.caller_access_key_id, "ASIASSOROOT000000001",
            "signed with the SSO role's keys"
        );
        assert_eq!(record.signing_region, "eu-west-1");
        assert_eq!(record.duration_seconds, None);
        assert_eq!(record.external_id, None);
        // The default session name: ssocreds-<unix time>.
        let stamp: i64 = record
            .role_session_name
            .strip_prefix("ssocreds-")
            .unwrap_or_else(|| panic!("{}", record.role_session_name))
            .parse()
            .unwrap();
        assert!((before - 1..=unix_now() + 1).contains(&stamp), "{stamp}");
        assert_eq!(out["accessKeyId"], record.access_key_id.as_str());
        assert_eq!(
            out["accountId"], "444455556666",
            "the role's account, not the SSO account"
        );
        assert_eq!(
            out["region"], "eu-west-1",
            "the role profile's region, not its source's"
        );
        // The portal call was the root's: account and role of profile sso.
        let portal_calls: Vec<_> = sandbox
            .portal
            .requests()
            .into_iter()
            .filter(|r| r.path == "/federation/credentials")
            .collect();
        assert_eq!(portal_calls.len(), 1);
        assert!(portal_calls[0].query.contains("account_id=111122223333"));
        assert!(portal_calls[0].query.contains("role_name=Admin"));
    }

    #[test]
    fn two_hops_with_session_name_duration_and_external_id() {
        let sandbox = sandbox();
        let out = json(&run(&sandbox, &["export", "--profile", "audit", "-f", "json"], &[]));
        let records = sandbox.portal.state().assumed_roles;
        assert_eq!(records.len(), 2);
        let (first, second) = (&records[0], &records[1]);
        assert_eq!(first.role_arn, DEPLOY);
        assert!(
            first.role_session_name.starts_with("ssocreds-"),
            "deploy sets no session name"
        );
        assert_eq!(first.external_id, None, "each hop takes its own profile's settings");
        assert_eq!(second.role_arn, AUDIT);
        assert_eq!(second.role_session_name, "audit-session");
        assert_eq!(second.duration_seconds, Some(1800));
        assert_eq!(second.external_id.as_deref(), Some("ext-123"));
        assert_eq!(
            second.caller_access_key_id, first.access_key_id,
            "the second hop signs with the first's"
        );
        assert_eq!(second.caller_account_id, "444455556666");
        assert_eq!(out["accessKeyId"], second.access_key_id.as_str());
        assert_eq!(out["accountId"], "777788889999");
        let expiration = chrono::DateTime::parse_from_rfc3339(out["expiration"].as_str().unwrap()).unwrap();
        let lifetime = expiration.timestamp() - unix_now();
        assert!(
            (1790..=1800).contains(&lifetime),
            "duration_seconds = 1800 gave {lifetime} s"
        );
    }

    #[test]
    fn env_exports_carry_the_role_profiles_region_and_no_other_secret() {
        let sandbox = sandbox();
        let run = run(&sandbox, &["export", "--profile", "audit", "--verbose"], &[]);
        run.assert_success();
        assert!(run.stdout.contains("export AWS_REGION=eu-west-1\n"), "{}", run.stdout);
        let record = sandbox.portal.state().assumed_roles[1].clone();
        assert!(
            run.stdout
                .contains(&format!("export AWS_ACCESS_KEY_ID={}\n", record.access_key_id))
        );
        // --verbose names the hops, not their secrets: the session token header and signature are redacted.
        assert!(
            run.stderr.contains("role chain audit -> deploy -> sso"),
            "{}",
            run.stderr
        );
        assert!(
            run.stderr.contains(&format!("assuming {AUDIT} for profile audit")),
            "{}",
            run.stderr
        );
        assert!(
            run.stderr.contains("x-amz-security-token: ** redacted **"),
            "{}",
            run.stderr
        );
        assert!(run.stderr.contains("authorization: ** redacted **"), "{}", run.stderr);
        let secret_line = run
            .stdout
            .lines()
            .find(|l| l.starts_with("export AWS_SECRET_ACCESS_KEY="))
            .unwrap();
        let secret = secret_line.trim_start_matches("export AWS_SECRET_ACCESS_KEY=");
        assert!(!run.stderr.contains(secret.trim_matches('\'')));
    }

    #[test]
    fn aws_profile_and_a_role_default_are_followed() {
        let sandbox = sandbox();
        let out = json(&run(&sandbox, &["export", "-f", "json"], &[("AWS_PROFILE", "deploy")]));
        assert_eq!(out["accountId"], "444455556666");
        let with_default =
            format!("{PROFILES}\n[default]\nrole_arn = {DEPLOY}\nsource_profile = sso\nregion = eu-west-1\n");
        sandbox.write_config(&with_default);
        let out = json(&run(&sandbox, &["export", "-f", "json"], &[]));
        assert_eq!(out["accountId"], "444455556666");
    }

    #[test]
    fn account_and_role_flags_with_a_role_profile_are_refused() {
        let sandbox = sandbox();
        let run = run(
            &sandbox,
            &["export", "--profile", "deploy", "--role-name", "Admin"],
            &[],
        );
        assert_failure(&run, 2, &["role profile", "\"deploy\"", "\"sso\""]);
        assert!(sandbox.portal.requests().is_empty());
    }
}

mod commands {
    use super::*;

    /// `exec --serve` (and so `serve`) fetches through the same step: the endpoint hands the child the chain's
    /// credentials, with the assumed role's account.
    #[test]
    fn exec_serve_serves_the_chains_credentials() {
        let sandbox = sandbox();
        let expected = json(&run(
            &sandbox,
            &["export", "--profile", "deploy", "--format", "process"],
            &[],
        ));
        let fetch = "import json, os, urllib.request\n\
                     r = urllib.request.Request(os.environ['AWS_CONTAINER_CREDENTIALS_FULL_URI'])\n\
                     r.add_header('Authorization', os.environ['AWS_CONTAINER_AUTHORIZATION_TOKEN'])\n\
                     print(urllib.request.urlopen(r).read().decode())";
        let served = run(
            &sandbox,
            &["exec", "--serve", "--profile", "deploy", "--", "python3", "-c", fetch],
            &[("PATH", &std::env::var("PATH").unwrap_or_default())],
        );
        let answer = json(&served);
        assert_eq!(answer["AccessKeyId"], expected["AccessKeyId"]);
        assert_eq!(answer["AccountId"], "444455556666");
        assert!(answer["Expiration"].as_str().unwrap().ends_with('Z'));
    }

    /// `console` goes through the same credentials step: the federation endpoint gets the chain's credentials (the
    /// assumed role's, never the SSO role's), and the destination is the region of the profile asked for.
    #[test]
    fn console_signs_in_as_the_assumed_role_of_the_chain() {
        let sandbox = sandbox();
        let expected = json(&run(
            &sandbox,
            &["export", "--profile", "deploy", "--format", "process"],
            &[],
        ));
        let url = sandbox.portal.url();
        let console = run(
            &sandbox,
            &["console", "--profile", "deploy", "--signin-endpoint", &url, "--print"],
            &[],
        );
        console.assert_success();
        let token = ssocreds_tests::fake_portal::signin_token_for(
            expected["AccessKeyId"].as_str().unwrap(),
            expected["SecretAccessKey"].as_str().unwrap(),
            expected["SessionToken"].as_str().unwrap(),
        );
        let printed = console.stdout.trim();
        assert!(printed.ends_with(&format!("&SigninToken={token}")), "{printed}");
        assert!(
            printed.contains("&Destination=https%3A%2F%2Fconsole.aws.amazon.com%2F%3Fregion%3Deu-west-1&"),
            "{printed}"
        );
        assert!(!console.stderr.contains(expected["SecretAccessKey"].as_str().unwrap()));
        assert_eq!(sandbox.portal.state().signin_tokens_issued, 1);
    }

    #[test]
    fn process_caches_the_chain_and_reuses_it() {
        let sandbox = sandbox();
        let first = json(&run(&sandbox, &["process", "--profile", "audit"], &[]));
        assert_eq!(first["Version"], 1);
        assert_eq!(first["AccountId"], "777788889999");
        let records = sandbox.portal.state().assumed_roles;
        assert_eq!(first["AccessKeyId"], records[1].access_key_id.as_str());
        let cache = sandbox.home.path().join(".aws/ssocreds/cache");
        let files = cache_files(&cache);
        assert_eq!(files.len(), 1);
        assert_eq!(mode(&files[0]), 0o600);

        let requests = sandbox.portal.requests().len();
        let again = json(&run(&sandbox, &["process", "--profile", "audit"], &[]));
        assert_eq!(again, first, "served from the cache");
        assert_eq!(sandbox.portal.requests().len(), requests, "no portal or STS call");

        // Not while less than --min-validity-minutes is left (the role lasts 30 minutes).
        json(&run(
            &sandbox,
            &["process", "--profile", "audit", "--min-validity-minutes", "40"],
            &[],
        ));
        assert_eq!(sandbox.portal.state().assumed_roles.len(), 4);
        // --no-cache reads and writes nothing.
        std::fs::remove_dir_all(&cache).unwrap();
        json(&run(&sandbox, &["process", "--profile", "audit", "--no-cache"], &[]));
        assert!(!cache.exists());
    }

    #[test]
    fn process_cache_keys_change_with_every_parameter_and_chains_never_share_one() {
        let sandbox = sandbox();
        let cache = sandbox.home.path().join(".aws/ssocreds/cache");
        let mut sts = usual_sts();
        sts.roles.get_mut(AUDIT).unwrap().external_id = None;
        sts.roles.insert(
            "arn:aws:iam::777788889999:role/Other".into(),
            StsRole {
                trusted_accounts: vec!["444455556666".into()],
                ..StsRole::default()
            },
        );
        sandbox.portal.set_config(portal_config(sts));
        let variant = |extra: &str, role: &str| {
            format!(
                "{PROFILES}\n[profile x]\nrole_arn = {role}\nsource_profile = deploy\nregion = eu-west-1\n{extra}\n"
            )
        };
        let variants = [
            variant("", AUDIT),
            variant("role_session_name = one", AUDIT),
            variant("role_session_name = two", AUDIT),
            variant("role_session_name = two\nduration_seconds = 1800", AUDIT),
            variant("role_session_name = two\nduration_seconds = 1801", AUDIT),
            variant(
                "role_session_name = two\nduration_seconds = 1801\nexternal_id = e-1",
                AUDIT,
            ),
            variant(
                "role_session_name = two\nduration_seconds = 1801\nexternal_id = e-2",
                AUDIT,
            ),
            variant("role_session_name = two", "arn:aws:iam::777788889999:role/Other"),
        ];
        let mut keys = std::collections::BTreeSet::new();
        for (n, text) in variants.iter().enumerate() {
            sandbox.write_config(text);
            let calls = sandbox.portal.state().assumed_roles.len();
            let out = json(&run(&sandbox, &["process", "--profile", "x"], &[]));
            assert_eq!(
                sandbox.portal.state().assumed_roles.len(),
                calls + 2,
                "variant {n} reused another chain's entry"
            );
            assert_eq!(cache_files(&cache).len(), n + 1, "variant {n} has its own entry");
            keys.insert(out["AccessKeyId"].as_str().unwrap().to_owned());
            // The same chain again: its own entry is reused.
            json(&run(&sandbox, &["process", "--profile", "x"], &[]));
            assert_eq!(sandbox.portal.state().assumed_roles.len(), calls + 2, "variant {n}");
        }
        // The one-hop chain of deploy is yet another entry.
        sandbox.write_config(PROFILES);
        json(&run(&sandbox, &["process", "--profile", "deploy"], &[]));
        assert_eq!(cache_files(&cache).len(), variants.len() + 1);
        // The default session name changes every second and is not part of the key (variant 0 is reused).
        sandbox.write_config(&variants[0]);
        let calls = sandbox.portal.state().assumed_roles.len();
        json(&run(&sandbox, &["process", "--profile", "x"], &[]));
        assert_eq!(sandbox.portal.state().assumed_roles.len(), calls);
        assert!(keys.len() >= 2);
    }

    #[test]
    fn write_puts_the_chains_credentials_under_the_role_profiles_name() {
        let sandbox = sandbox();
        let run = run(&sandbox, &["write", "--profile", "audit"], &[]);
        run.assert_success();
        let record = sandbox.portal.state().assumed_roles[1].clone();
        let written = std::fs::read_to_string(sandbox.home.path().join(".aws/credentials")).unwrap();
        assert!(written.starts_with("[audit]\n"), "{written}");
        assert!(
            written.contains(&format!("aws_access_key_id = {}\n", record.access_key_id)),
            "{written}"
        );
        assert!(run.stderr.contains(AUDIT), "{}", run.stderr);
        assert!(run.stderr.contains("audit -> deploy -> sso"), "{}", run.stderr);
    }

    #[test]
    fn exec_runs_the_command_with_the_chains_credentials_and_region() {
        let sandbox = sandbox();
        let run = run(
            &sandbox,
            &[
                "exec",
                "--profile",
                "audit",
                "--",
                "sh",
                "-c",
                "echo \"$AWS_ACCESS_KEY_ID $AWS_REGION ${AWS_PROFILE:-none}\"",
            ],
            &[("AWS_PROFILE", "audit")],
        );
        run.assert_success();
        let record = sandbox.portal.state().assumed_roles[1].clone();
        assert_eq!(run.stdout, format!("{} eu-west-1 none\n", record.access_key_id));
    }

    #[test]
    fn a_static_key_root_in_the_credentials_file_is_named() {
        let sandbox = sandbox();
        let text = format!("{PROFILES}\n[profile from-keys]\nrole_arn = {DEPLOY}\nsource_profile = keys\n");
        sandbox.write_config(&text);
        std::fs::write(
            sandbox.home.path().join(".aws/credentials"),
            "[keys]\naws_access_key_id = AKIAEXAMPLE\naws_secret_access_key = x\n",
        )
        .unwrap();
        let run = run(&sandbox, &["export", "--profile", "from-keys"], &[]);
        assert_failure(&run, 8, &["static access keys", "\"keys\"", "from-keys -> keys"]);
    }
}

mod mfa {
    use super::*;

    fn mfa_sandbox() -> Sandbox {
        let mut sts = usual_sts();
        let deploy = sts.roles.get_mut(DEPLOY).unwrap();
        deploy.mfa_serial = Some(MFA.into());
        deploy.mfa_code = Some("424242".into());
        sandbox_with(sts, PROFILES)
    }

    #[test]
    fn the_code_from_the_flag_goes_with_the_serial() {
        let sandbox = mfa_sandbox();
        let out = json(&run(
            &sandbox,
            &[
                "export",
                "--profile",
                "mfa",
                "-f",
                "json",
                "--mfa-code",
                "424242",
                "--verbose",
            ],
            &[],
        ));
        assert_eq!(out["accountId"], "444455556666");
        let records = sandbox.portal.state().assumed_roles;
        assert_eq!(records[0].mfa_serial.as_deref(), Some(MFA));
    }

    #[test]
    fn the_code_is_never_printed_even_with_verbose() {
        let sandbox = mfa_sandbox();
        let run = run(
            &sandbox,
            &["export", "--profile", "mfa", "--mfa-code", "424242", "--verbose"],
            &[],
        );
        run.assert_success();
        assert!(!run.stderr.contains("424242"), "{}", run.stderr);
        assert!(run.stderr.contains("body: ** redacted **"), "{}", run.stderr);
    }

    #[test]
    fn without_a_terminal_and_without_the_flag_it_is_a_usage_error_naming_profile_and_device() {
        let sandbox = mfa_sandbox();
        let run = run(&sandbox, &["export", "--profile", "mfa"], &[]);
        assert_failure(&run, 2, &["\"mfa\"", MFA, "not a terminal", "--mfa-code"]);
        assert!(sandbox.portal.state().assumed_roles.is_empty());
    }

    #[test]
    fn a_wrong_code_is_access_denied_and_a_malformed_one_a_usage_error() {
        let sandbox = mfa_sandbox();
        let run_wrong = run(&sandbox, &["export", "--profile", "mfa", "--mfa-code", "000000"], &[]);
        assert_failure(&run_wrong, 5, &["invalid MFA one time pass code"]);
        let run_bad = run(&sandbox, &["export", "--profile", "mfa", "--mfa-code", "12ab56"], &[]);
        assert_failure(&run_bad, 2, &["--mfa-code", "six digits"]);
        assert!(!run_bad.stderr.contains("12ab56"));
    }

    #[test]
    fn a_terminal_is_asked_for_the_code() {
        // util-linux `script` gives the command a pseudo-terminal; the code is typed into it.
        if !has("script") {
            eprintln!("SKIPPED: no `script` to run ssocreds on a pseudo-terminal");
            return;
        }
        let sandbox = mfa_sandbox();
        let url = sandbox.portal.url();
        let command = format!("{} export --profile mfa --format json", binary().display());
        let output = Command::new("script")
            .args(["-qec", &command, "/dev/null"])
            .env_clear()
            .env("HOME", sandbox.home.path())
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("AWS_ENDPOINT_URL_SSO", &url)
            .env("AWS_ENDPOINT_URL_STS", &url)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .and_then(|mut child| {
                use std::io::Write;
                // Give the prompt time to appear before typing, as a person would.
                std::thread::sleep(std::time::Duration::from_millis(1500));
                child.stdin.take().unwrap().write_all(b"424242\n")?;
                child.wait_with_output()
            })
            .unwrap();
        let text = String::from_utf8_lossy(&output.stdout);
        assert!(
            output.status.success(),
            "{text}\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(text.contains(&format!("MFA code for {MFA}")), "{text}");
        assert!(text.contains("\"accountId\": \"444455556666\""), "{text}");
        assert_eq!(sandbox.portal.state().assumed_roles[0].mfa_serial.as_deref(), Some(MFA));
    }
}

mod endpoints {
    use super::*;

    /// Runs with no STS override, with HTTPS_PROXY at the fake: the STS call leaves as a CONNECT to the host it
    /// resolved to (which the fake refuses), so the host shows without anything leaving 127.0.0.1. Returns the
    /// host of the CONNECT and the run.
    fn resolved_host(profile: &str, env: &[(&str, &str)]) -> (String, Run) {
        let sandbox = sandbox();
        let url = sandbox.portal.url();
        let mut all = vec![("AWS_ENDPOINT_URL_SSO", url.as_str()), ("HTTPS_PROXY", url.as_str())];
        all.extend_from_slice(env);
        let run = sandbox.run_with(
            &["export", "--profile", profile, "--verbose", "--max-attempts", "1"],
            &all,
            None,
        );
        assert_no_root_secret(&run);
        assert_eq!(run.code, 7, "unreachable STS is a network failure:\n{}", run.stderr);
        let connects: Vec<String> = sandbox
            .portal
            .requests()
            .into_iter()
            .filter(|r| r.method == "CONNECT")
            .map(|r| r.path)
            .collect();
        assert_eq!(connects.len(), 1, "{connects:?}");
        (connects[0].clone(), run)
    }

    #[test]
    fn regional_by_default_signed_for_the_profiles_region() {
        let (host, run) = resolved_host("deploy", &[]);
        assert_eq!(host, "sts.eu-west-1.amazonaws.com:443");
        assert!(
            run.stderr.contains("> POST https://sts.eu-west-1.amazonaws.com/"),
            "{}",
            run.stderr
        );
        assert!(run.stderr.contains("signed for eu-west-1"), "{}", run.stderr);
    }

    #[test]
    fn legacy_sends_the_old_regions_to_the_global_endpoint() {
        let (host, run) = resolved_host("deploy", &[("AWS_STS_REGIONAL_ENDPOINTS", "legacy")]);
        assert_eq!(host, "sts.amazonaws.com:443");
        assert!(run.stderr.contains("signed for us-east-1"), "{}", run.stderr);
    }

    #[test]
    fn fips_and_dual_stack() {
        let (host, _) = resolved_host("deploy", &[("AWS_USE_FIPS_ENDPOINT", "true")]);
        assert_eq!(host, "sts-fips.eu-west-1.amazonaws.com:443");
        let (host, _) = resolved_host("deploy", &[("AWS_USE_DUALSTACK_ENDPOINT", "true")]);
        assert_eq!(host, "sts.eu-west-1.api.aws:443");
        let (host, _) = resolved_host(
            "deploy",
            &[
                ("AWS_USE_DUALSTACK_ENDPOINT", "true"),
                ("AWS_USE_FIPS_ENDPOINT", "true"),
            ],
        );
        assert_eq!(host, "sts-fips.eu-west-1.api.aws:443");
    }

    #[test]
    fn the_environments_region_wins_and_no_region_is_the_global_endpoint() {
        let (host, _) = resolved_host("deploy", &[("AWS_REGION", "ap-southeast-2")]);
        assert_eq!(host, "sts.ap-southeast-2.amazonaws.com:443");
        let (host, run) = resolved_host("no-region", &[]);
        assert_eq!(host, "sts.amazonaws.com:443");
        assert!(run.stderr.contains("signed for us-east-1"), "{}", run.stderr);
    }

    #[test]
    fn overrides_profile_endpoint_url_services_section_and_the_environment() {
        let sandbox = sandbox();
        let url = sandbox.portal.url();
        let sso_only = [("AWS_ENDPOINT_URL_SSO", url.as_str())];
        // The profile's endpoint_url.
        let text = format!(
            "{PROFILES}\n[profile local]\nrole_arn = {DEPLOY}\nsource_profile = sso\nregion = eu-west-1\nendpoint_url = {url}\n"
        );
        sandbox.write_config(&text);
        json(&sandbox.run_with(&["export", "--profile", "local", "-f", "json"], &sso_only, None));
        // A [services] section's sts endpoint_url wins over the profile's (here a dead port).
        let text = format!(
            "{PROFILES}\n[profile local]\nrole_arn = {DEPLOY}\nsource_profile = sso\nregion = eu-west-1\n\
             endpoint_url = http://127.0.0.1:9\nservices = fake\n[services fake]\nsts =\n  endpoint_url = {url}\n"
        );
        sandbox.write_config(&text);
        json(&sandbox.run_with(&["export", "--profile", "local", "-f", "json"], &sso_only, None));
        // AWS_ENDPOINT_URL_STS wins over both.
        let text = format!(
            "{PROFILES}\n[profile local]\nrole_arn = {DEPLOY}\nsource_profile = sso\nregion = eu-west-1\n\
             endpoint_url = http://127.0.0.1:9\n"
        );
        sandbox.write_config(&text);
        json(&run(&sandbox, &["export", "--profile", "local", "-f", "json"], &[]));
        let records = sandbox.portal.state().assumed_roles;
        assert_eq!(records.len(), 3);
        let host = url.trim_start_matches("http://");
        assert!(
            records
                .iter()
                .all(|r| r.host == host && r.signing_region == "eu-west-1")
        );
        // An override that is neither https nor loopback is refused before any call.
        let run = run(
            &sandbox,
            &["export", "--profile", "deploy"],
            &[("AWS_ENDPOINT_URL_STS", "http://sts.example.test")],
        );
        assert_failure(&run, 2, &["AWS_ENDPOINT_URL_STS"]);
    }
}

mod errors {
    use super::*;

    fn with_fault(fault: StsFault) -> Sandbox {
        let mut sts = usual_sts();
        sts.error = Some(fault);
        sandbox_with(sts, PROFILES)
    }

    #[test]
    fn each_sts_error_has_its_exit_code() {
        let table: [(StsFault, i32, &[&str]); 5] = [
            (StsFault::AccessDenied, 5, &["AccessDenied", DEPLOY, "trust policy"]),
            (StsFault::ExpiredToken, 4, &["ExpiredToken", "sign in again"]),
            (
                StsFault::RegionDisabledException,
                8,
                &["RegionDisabledException", "eu-west-1"],
            ),
            (StsFault::Throttling, 6, &["Throttling"]),
            (StsFault::InternalFailure, 7, &["InternalFailure", "try again later"]),
        ];
        for (fault, code, words) in table {
            let sandbox = with_fault(fault);
            let run = run(&sandbox, &["export", "--profile", "deploy", "--max-attempts", "2"], &[]);
            let mut words = words.to_vec();
            words.push("profile \"deploy\"");
            assert_failure(&run, code, &words);
        }
    }

    #[test]
    fn throttling_and_server_errors_are_retried() {
        for fault in [StsFault::Throttling, StsFault::InternalFailure] {
            let mut sts = usual_sts();
            sts.error = Some(fault);
            sts.error_count = Some(1);
            let sandbox = sandbox_with(sts, PROFILES);
            let run = run(&sandbox, &["export", "--profile", "deploy"], &[]);
            run.assert_success();
            let sts_calls = sandbox.portal.requests().iter().filter(|r| r.path == "/").count();
            assert_eq!(sts_calls, 2, "{fault:?}");
        }
    }

    #[test]
    fn a_role_the_trust_policy_refuses_is_access_denied() {
        let sandbox = sandbox();
        // Audit trusts only Deploy's account: assumed straight from the SSO role, it is refused.
        let text = format!(
            "{PROFILES}\n[profile direct]\nrole_arn = {AUDIT}\nsource_profile = sso\nexternal_id = ext-123\nregion = eu-west-1\n"
        );
        sandbox.write_config(&text);
        let run = run(&sandbox, &["export", "--profile", "direct"], &[]);
        assert_failure(&run, 5, &["is not authorized to perform: sts:AssumeRole", AUDIT]);
        // A wrong external id too.
        let text = PROFILES.replace("external_id = ext-123", "external_id = ext-999");
        sandbox.write_config(&text);
        let run = super::run(&sandbox, &["export", "--profile", "audit"], &[]);
        assert_eq!(run.code, 5, "{}", run.stderr);
    }

    #[test]
    fn expired_source_credentials_are_expired_token() {
        let mut config = portal_config(usual_sts());
        config.credentials.clear();
        config.credentials_ttl_seconds = 0;
        let sandbox = Sandbox::with_config(config);
        sandbox.write_config(PROFILES);
        sandbox.write_session_token("corp");
        let run = run(&sandbox, &["export", "--profile", "deploy"], &[]);
        assert_failure(&run, 4, &["ExpiredToken", "sign in again"]);
    }

    #[test]
    fn config_problems_exit_8_and_name_what_to_fix() {
        let sandbox = sandbox();
        let text = format!(
            "{PROFILES}\n\
             [profile a]\nrole_arn = {DEPLOY}\nsource_profile = b\n\
             [profile b]\nrole_arn = {DEPLOY}\nsource_profile = a\n\
             [profile ghostly]\nrole_arn = {DEPLOY}\nsource_profile = ghost\n\
             [profile instance]\nrole_arn = {DEPLOY}\ncredential_source = Ec2InstanceMetadata\n\
             [profile web]\nrole_arn = {DEPLOY}\nweb_identity_token_file = /var/run/token\n\
             [profile long]\nrole_arn = {DEPLOY}\nsource_profile = sso\nduration_seconds = 7200\n\
             [profile bad-arn]\nrole_arn = Deploy\nsource_profile = sso\n"
        );
        sandbox.write_config(&text);
        let cases: [(&str, &[&str]); 6] = [
            ("a", &["cycle", "a -> b -> a"]),
            ("ghostly", &["\"ghost\"", "no such profile"]),
            ("instance", &["credential_source", "not support"]),
            ("web", &["web_identity_token_file"]),
            ("long", &["duration_seconds = \"7200\"", "3600"]),
            ("bad-arn", &["role_arn", "arn:aws:iam::"]),
        ];
        for (profile, words) in cases {
            let run = run(&sandbox, &["export", "--profile", profile], &[]);
            assert_failure(&run, 8, words);
        }
        assert!(
            sandbox.portal.requests().is_empty(),
            "nothing is called for a broken chain"
        );
    }

    #[test]
    fn an_expired_sso_token_at_the_root_says_to_sign_in_to_the_root() {
        let sandbox = sandbox();
        sandbox.write_cache(
            &sso_core::cache_file_name("corp"),
            token_json(TOKEN, "2020-01-01T00:00:00Z", "us-east-1"),
        );
        let run = run(&sandbox, &["export", "--profile", "audit", "--no-refresh"], &[]);
        assert_failure(&run, 4, &["expired", "ssocreds login --profile sso"]);
        assert!(sandbox.portal.requests().is_empty());
    }
}

mod interop {
    use super::*;

    /// Every hop names its session, so that botocore's calls and ours are the same calls (the fake derives keys
    /// from the caller's key and the session name, so the same path gives the same keys).
    const NAMED: &str = "\
[profile sso]
sso_session = corp
sso_account_id = 111122223333
sso_role_name = Admin

[sso-session corp]
sso_start_url = https://e2e.awsapps.com/start
sso_region = us-east-1

[profile deploy]
role_arn = arn:aws:iam::444455556666:role/Deploy
source_profile = sso
role_session_name = interop-deploy

[profile audit]
role_arn = arn:aws:iam::777788889999:role/team/Audit
source_profile = deploy
role_session_name = interop-audit
external_id = ext-123
duration_seconds = 1800
region = eu-west-1
sts_regional_endpoints = regional
";

    #[test]
    fn botocore_resolves_the_same_profile_to_the_same_role_and_keys() {
        let Some(python) = botocore_python() else {
            return;
        };
        let sandbox = sandbox_with(usual_sts(), NAMED);
        let url = sandbox.portal.url();
        let script = "import botocore.session\n\
                      s = botocore.session.Session(profile='audit')\n\
                      c = s.get_credentials().get_frozen_credentials()\n\
                      print(c.access_key)\n";
        let output = Command::new(&python)
            .args(["-c", script])
            .env_clear()
            .env("HOME", sandbox.home.path())
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("AWS_ENDPOINT_URL_SSO", &url)
            .env("AWS_ENDPOINT_URL_STS", &url)
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "botocore failed:\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let botocore_key = String::from_utf8_lossy(&output.stdout).trim().to_owned();
        let by_botocore = sandbox.portal.state().assumed_roles;
        assert_eq!(by_botocore.len(), 2);

        let out = json(&run(&sandbox, &["export", "--profile", "audit", "-f", "json"], &[]));
        let all = sandbox.portal.state().assumed_roles;
        let ours = &all[2..];
        assert_eq!(
            out["accessKeyId"],
            botocore_key.as_str(),
            "botocore and ssocreds got different keys"
        );
        assert_eq!(out["accountId"], "777788889999");
        for (ours, theirs) in ours.iter().zip(&by_botocore) {
            assert_eq!(ours.role_arn, theirs.role_arn);
            assert_eq!(ours.role_session_name, theirs.role_session_name);
            assert_eq!(ours.duration_seconds, theirs.duration_seconds);
            assert_eq!(ours.external_id, theirs.external_id);
            assert_eq!(ours.signing_region, theirs.signing_region);
            assert_eq!(ours.caller_account_id, theirs.caller_account_id);
        }
        assert_eq!(ours[1].role_arn, AUDIT);
    }
}

fn cache_files(dir: &Path) -> Vec<std::path::PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<_> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    files
}
