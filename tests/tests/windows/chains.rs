//! Role chains on Windows (tests/tests/e2e/chains.rs is the Linux side): `role_arn` + `source_profile` profiles in
//! %USERPROFILE%\.aws\config on top of the SSO profile `dev`, through `export` and `process` against the fake STS
//! on the same 127.0.0.1 server (`AWS_ENDPOINT_URL_STS`), which checks each hop's SigV4 signature. Every hop names
//! its session, so the fake derives the same keys for both builds; only the expiration (now + the duration) can
//! differ by the second between two runs, and is compared within a few seconds.

use ssocreds_tests::fake_portal::{PortalConfig, StsConfig, StsFault, StsRole};

use crate::linux::Run;
use crate::sandbox::*;
use crate::wine::WinRun;

const DEPLOY: &str = "arn:aws:iam::444455556666:role/Deploy";
const AUDIT: &str = "arn:aws:iam::777788889999:role/team/Audit";
const GUARDED: &str = "arn:aws:iam::444455556666:role/Guarded";
const MFA: &str = "arn:aws:iam::111122223333:mfa/alice";

/// The SSO profiles of `CONFIG`, then a one-hop (`deploy`), a two-hop (`audit`) and an MFA (`guarded`) chain.
fn chain_config() -> String {
    format!(
        "{CONFIG}
[profile deploy]
role_arn = {DEPLOY}
source_profile = dev
role_session_name = win-deploy
region = eu-west-1

[profile audit]
role_arn = {AUDIT}
source_profile = deploy
role_session_name = win-audit
duration_seconds = 1800
external_id = ext-123
region = eu-west-1

[profile guarded]
role_arn = {GUARDED}
source_profile = dev
role_session_name = win-guarded
mfa_serial = {MFA}
region = eu-west-1
"
    )
}

/// STS knows Deploy (any caller), Audit (only from Deploy's account, with external id `ext-123`) and Guarded (with
/// the MFA code 424242), and accepts only signatures for eu-west-1.
fn sts(error: Option<StsFault>) -> StsConfig {
    let mut sts = StsConfig::with_roles(&[DEPLOY, AUDIT]);
    let audit = sts.roles.get_mut(AUDIT).unwrap();
    audit.trusted_accounts = vec!["444455556666".into()];
    audit.external_id = Some("ext-123".into());
    sts.roles.insert(
        GUARDED.into(),
        StsRole {
            mfa_serial: Some(MFA.into()),
            mfa_code: Some("424242".into()),
            ..StsRole::default()
        },
    );
    sts.region = Some("eu-west-1".into());
    sts.error = error;
    sts
}

fn chain_sandbox(error: Option<StsFault>) -> WinSandbox {
    let sandbox = WinSandbox::with_config(PortalConfig {
        sts: sts(error),
        ..portal_config()
    });
    sandbox.linux.write_config(&chain_config().replace('\n', "\r\n"));
    sandbox.write_tokens();
    sandbox
}

/// Both builds with STS at the fake; checks that the SSO role's secrets (the chain's root) are printed by neither.
/// Also returns how many whole seconds the two runs took together: their expirations may be that far apart.
fn both(sandbox: &WinSandbox, args: &[&str]) -> (WinRun, Run, i64) {
    let url = sandbox.linux.portal.url();
    let sts = [("AWS_ENDPOINT_URL_STS", url.as_str())];
    crate::linux::binary(); // built before the clock starts
    let started = std::time::Instant::now();
    let win = sandbox.run_with(args, &sts);
    let linux = sandbox.run_linux_with(args, &sts);
    let apart = i64::try_from(started.elapsed().as_secs()).unwrap() + 1;
    assert_no_root_secret(&win, &linux);
    (win, linux, apart)
}

fn assert_no_root_secret(win: &WinRun, linux: &Run) {
    let texts = [
        String::from_utf8_lossy(&win.stdout).into_owned(),
        win.stderr_text(),
        linux.stdout.clone(),
        linux.stderr.clone(),
    ];
    for text in texts {
        for secret in [CMD_SECRET, CMD_SESSION_TOKEN] {
            assert!(!text.contains(secret), "the SSO role's secret was printed:\n{text}");
        }
    }
}

/// The `YYYY-MM-DDTHH:MM:SSZ` timestamps in `text`: (byte offset, the time).
fn timestamps(text: &str) -> Vec<(usize, chrono::NaiveDateTime)> {
    let bytes = text.as_bytes();
    (0..bytes.len().saturating_sub(19))
        .filter(|&at| {
            let s = &bytes[at..at + 20];
            s[4] == b'-' && s[7] == b'-' && s[10] == b'T' && s[13] == b':' && s[16] == b':' && s[19] == b'Z'
        })
        .filter_map(|at| {
            chrono::NaiveDateTime::parse_from_str(&text[at..at + 20], "%Y-%m-%dT%H:%M:%SZ")
                .ok()
                .map(|time| (at, time))
        })
        .collect()
}

/// The Windows build's output equals the Linux build's byte for byte, but each expiration may be up to `apart`
/// seconds off (the fake's `now` + duration, at two moments); returns the Windows output.
fn assert_same_but_expiration(win: &WinRun, linux: &Run, apart: i64, what: &str) -> String {
    let win_text = win.stdout_text();
    let (win_times, linux_times) = (timestamps(&win_text), timestamps(&linux.stdout));
    assert_eq!(
        win_times.len(),
        linux_times.len(),
        "{what}:\n{win_text}\n{}",
        linux.stdout
    );
    assert!(!win_times.is_empty(), "{what}: no expiration in\n{win_text}");
    let mut as_linux = win_text.clone().into_bytes();
    for ((at, win_time), (linux_at, linux_time)) in win_times.iter().zip(&linux_times) {
        let seconds = (*linux_time - *win_time).num_seconds();
        assert!(
            (0..=apart).contains(&seconds),
            "{what}: expirations {win_time} and {linux_time}, runs {apart} s apart"
        );
        as_linux[*at..at + 20].copy_from_slice(&linux.stdout.as_bytes()[*linux_at..linux_at + 20]);
    }
    assert_eq!(
        String::from_utf8(as_linux).unwrap(),
        linux.stdout,
        "{what}: the Linux build's bytes"
    );
    win_text
}

#[test]
#[ignore = "needs wine: run scripts/test-windows.sh"]
fn chains_export_the_linux_builds_bytes() {
    let sandbox = chain_sandbox(None);
    let cases: [&[&str]; 6] = [
        &["export", "--profile", "deploy", "--format", "json"],
        &["export", "--profile", "audit", "--format", "json"],
        &["export", "--profile", "audit", "--format", "windows-cmd"],
        &["export", "--profile", "audit", "--format", "powershell"],
        &[
            "export",
            "--profile",
            "guarded",
            "--mfa-code",
            "424242",
            "--format",
            "json",
        ],
        &["process", "--profile", "audit", "--no-cache"],
    ];
    let runs = in_parallel(&cases, |args| both(&sandbox, args));
    for (args, (win, linux, apart)) in cases.iter().zip(runs) {
        win.assert_success();
        linux.assert_success();
        let text = assert_same_but_expiration(&win, &linux, apart, &args.join(" "));
        assert!(
            !text.contains(CMD_ACCESS_KEY),
            "{args:?}: the chain's credentials, not the SSO role's:\n{text}"
        );
    }
    // Each hop was signed with the previous one's keys, the first with the SSO role's; the two-hop chain carried
    // the second profile's settings, the MFA chain the device and code.
    let records = sandbox.linux.portal.state().assumed_roles;
    assert_eq!(records.len(), 2 * (1 + 2 + 2 + 2 + 1 + 2), "{records:#?}");
    for record in &records {
        assert_eq!(record.signing_region, "eu-west-1");
        match record.role_arn.as_str() {
            DEPLOY => {
                assert_eq!(record.caller_access_key_id, CMD_ACCESS_KEY);
                assert_eq!(record.role_session_name, "win-deploy");
            }
            AUDIT => {
                assert_eq!(record.caller_account_id, "444455556666");
                assert_eq!(record.role_session_name, "win-audit");
                assert_eq!(record.duration_seconds, Some(1800));
                assert_eq!(record.external_id.as_deref(), Some("ext-123"));
            }
            GUARDED => {
                assert_eq!(record.caller_access_key_id, CMD_ACCESS_KEY);
                assert_eq!(record.mfa_serial.as_deref(), Some(MFA));
            }
            other => panic!("unexpected role {other}"),
        }
    }
}

#[test]
#[ignore = "needs wine: run scripts/test-windows.sh"]
fn chain_failures_exit_as_the_linux_build_does() {
    let denied = chain_sandbox(Some(StsFault::AccessDenied));
    let usual = chain_sandbox(None);
    // (sandbox, arguments, exit code, words of the message)
    let cases: [(&WinSandbox, &[&str], i64, &[&str]); 5] = [
        (
            &denied,
            &["export", "--profile", "deploy"],
            5,
            &["AccessDenied", DEPLOY],
        ),
        (
            &denied,
            &["process", "--profile", "audit"],
            5,
            &["AccessDenied", DEPLOY],
        ),
        (
            &usual,
            &["export", "--profile", "guarded", "--mfa-code", "000000"],
            5,
            &["invalid MFA one time pass code"],
        ),
        // No --mfa-code and no terminal (stdin is not one): a usage error naming the profile and the device.
        (
            &usual,
            &["export", "--profile", "guarded"],
            2,
            &["\"guarded\"", MFA, "--mfa-code"],
        ),
        (
            &usual,
            &["export", "--profile", "guarded", "--mfa-code", "12ab56"],
            2,
            &["six digits"],
        ),
    ];
    let runs = in_parallel(&cases, |(sandbox, args, _, _)| both(sandbox, args));
    for ((_, args, code, words), (win, linux, _)) in cases.iter().zip(runs) {
        assert_eq!(win.code, *code, "{args:?}: {win:?}");
        assert_eq!(i64::from(linux.code), *code, "{args:?}: {linux:?}");
        assert_eq!(win.stderr_text(), linux.stderr, "{args:?}: the same message");
        assert!(win.stdout.is_empty(), "{args:?}: {win:?}");
        for word in *words {
            assert!(
                win.stderr_text().contains(word),
                "{args:?}: {word:?} in {}",
                win.stderr_text()
            );
        }
    }
    assert!(
        !denied.path(".aws/ssocreds/cache").exists()
            || std::fs::read_dir(denied.path(".aws/ssocreds/cache"))
                .unwrap()
                .next()
                .is_none(),
        "nothing cached for a refused chain"
    );
}

#[test]
#[ignore = "needs wine: run scripts/test-windows.sh"]
fn process_caches_a_chain_in_the_profile_folder_and_the_linux_build_reads_it() {
    let sandbox = chain_sandbox(None);
    let cache = sandbox.path(".aws/ssocreds/cache");
    let mut entries = 0;
    for (profile, hops) in [("audit", 2), ("deploy", 1)] {
        let calls = sandbox.linux.portal.state().assumed_roles.len();
        let url = sandbox.linux.portal.url();
        let first = sandbox.run_with(&["process", "--profile", profile], &[("AWS_ENDPOINT_URL_STS", &url)]);
        first.assert_success();
        let json: serde_json::Value = serde_json::from_slice(&first.stdout).unwrap();
        assert_eq!(json["Version"], 1, "{profile}");
        assert_ne!(json["AccessKeyId"], CMD_ACCESS_KEY, "{profile}");
        assert_eq!(
            sandbox.linux.portal.state().assumed_roles.len(),
            calls + hops,
            "{profile}"
        );
        entries += 1;
        assert_eq!(
            std::fs::read_dir(&cache).unwrap().count(),
            entries,
            "{profile}: one entry per chain in %USERPROFILE%\\.aws\\ssocreds\\cache"
        );
        // Again, and by the Linux build: the same bytes from the cache, no STS call.
        let (again, linux, _) = both(&sandbox, &["process", "--profile", profile]);
        again.assert_success();
        linux.assert_success();
        assert_eq!(again.stdout, first.stdout, "{profile}");
        assert_eq!(linux.stdout.as_bytes(), first.stdout, "{profile}");
        assert_eq!(
            sandbox.linux.portal.state().assumed_roles.len(),
            calls + hops,
            "{profile}"
        );
    }
}
