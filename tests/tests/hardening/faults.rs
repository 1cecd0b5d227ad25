//! A misbehaving portal: each fault ends the run within its timeouts, with exit 7 (network, timeout, server error
//! or unreadable answer) or 6 (still throttled), a message, nothing on stdout and no file written; and the
//! recoverable ones (500 then 200, 429 with Retry-After) succeed after the right number of attempts.

use std::time::Duration;

use ssocreds_tests::fake_portal::{Fault, PortalConfig, Throttle};

use crate::harness::*;
use crate::support::{assert_failure, changes, has_command, timed, tree};

struct Case {
    name: &'static str,
    config: fn(&mut PortalConfig),
    /// Network flags.
    args: &'static [&'static str],
    exit: i32,
    /// A word the message must contain (failures only).
    needle: &'static str,
    /// Requests the portal must have seen.
    attempts: usize,
    /// The run must end before this.
    within: Duration,
    /// And not before this (Retry-After honoured).
    not_before: Duration,
}

const FAST: &[&str] = &["--timeout", "2", "--connect-timeout", "2"];

fn cases() -> Vec<Case> {
    let secs = Duration::from_secs;
    vec![
        // --timeout bounds the operation, not each attempt: one attempt uses it all, however many are allowed.
        Case {
            name: "never_answers",
            config: |c| c.fault = Fault::Hang,
            args: &["--timeout", "2", "--connect-timeout", "2", "--max-attempts", "2"],
            exit: 7,
            needle: "timed out",
            attempts: 1,
            within: secs(4),
            not_before: secs(2),
        },
        Case {
            name: "trickles_one_byte_a_second",
            config: |c| c.fault = Fault::Trickle,
            args: &["--timeout", "2", "--connect-timeout", "2", "--max-attempts", "4"],
            exit: 7,
            needle: "timed out",
            attempts: 1,
            within: secs(4),
            not_before: secs(2),
        },
        Case {
            name: "resets_the_connection",
            config: |c| c.fault = Fault::Reset,
            args: FAST,
            exit: 7,
            needle: "",
            attempts: 4,
            within: secs(10),
            not_before: Duration::ZERO,
        },
        Case {
            name: "half_a_body",
            config: |c| c.fault = Fault::HalfBody,
            args: FAST,
            exit: 7,
            needle: "",
            attempts: 0,
            within: secs(10),
            not_before: Duration::ZERO,
        },
        Case {
            name: "invalid_json",
            config: |c| c.fault = Fault::InvalidJson,
            args: FAST,
            exit: 7,
            needle: "could not be understood",
            attempts: 1,
            within: secs(3),
            not_before: Duration::ZERO,
        },
        Case {
            name: "slower_than_the_timeout",
            config: |c| c.latency_ms = 4_000,
            args: &["--timeout", "1", "--max-attempts", "1"],
            exit: 7,
            needle: "timed out",
            attempts: 1,
            within: secs(3),
            not_before: secs(1),
        },
        Case {
            name: "always_500",
            config: |c| c.fail_first_with_500 = 100,
            args: FAST,
            exit: 7,
            needle: "500",
            attempts: 4,
            within: secs(10),
            not_before: Duration::ZERO,
        },
        Case {
            name: "500_then_200",
            config: |c| c.fail_first_with_500 = 1,
            args: FAST,
            exit: 0,
            needle: "",
            attempts: 2,
            within: secs(5),
            not_before: Duration::ZERO,
        },
        Case {
            name: "429_with_retry_after_then_200",
            config: |c| {
                c.throttle = Throttle {
                    fail_first: 1,
                    retry_after_seconds: Some(1),
                    ..Throttle::default()
                }
            },
            args: FAST,
            exit: 0,
            needle: "",
            attempts: 2,
            within: secs(5),
            not_before: secs(1),
        },
        // A Retry-After that would pass the deadline is not waited: the throttling is reported at once.
        Case {
            name: "429_with_a_retry_after_past_the_deadline",
            config: |c| {
                c.throttle = Throttle {
                    fail_first: 100,
                    retry_after_seconds: Some(5),
                    ..Throttle::default()
                }
            },
            args: FAST,
            exit: 6,
            needle: "throttl",
            attempts: 1,
            within: secs(2),
            not_before: Duration::ZERO,
        },
        // Backoff that would pass the deadline ends the retries before --max-attempts does.
        Case {
            name: "500_until_the_deadline",
            config: |c| c.fail_first_with_500 = 100,
            args: &["--timeout", "1", "--max-attempts", "20"],
            exit: 7,
            needle: "500",
            attempts: 0,
            within: secs(3),
            not_before: Duration::ZERO,
        },
        Case {
            name: "429_until_the_attempts_run_out",
            config: |c| {
                c.throttle = Throttle {
                    fail_first: 100,
                    retry_after_seconds: Some(1),
                    ..Throttle::default()
                }
            },
            args: &["--timeout", "2", "--max-attempts", "2"],
            exit: 6,
            needle: "throttl",
            attempts: 2,
            within: secs(6),
            not_before: secs(1),
        },
    ]
}

/// Runs every fault against `command` (`export`, or `write`/`process` once they exist) and checks the HOME tree:
/// unchanged after a failure.
fn run_faults(command: &str, role: &str, extra: &[&str]) {
    for case in cases() {
        let mut config = portal_config();
        (case.config)(&mut config);
        let sandbox = Sandbox::with_config(config);
        sandbox.write_token();
        let credentials = sandbox.home.path().join(".aws/credentials");
        std::fs::write(&credentials, "[keep]\naws_access_key_id = AKIAKEEP\n").unwrap();
        let before = tree(sandbox.home.path());
        let url = sandbox.portal.url();
        let mut args = vec![
            command,
            "--endpoint-url",
            &url,
            "--account-id",
            ACCOUNT,
            "--role-name",
            role,
        ];
        args.extend_from_slice(extra);
        args.extend_from_slice(case.args);
        let (run, elapsed) = timed(&sandbox, &args, &[]);
        let what = format!("{command} {}", case.name);
        if case.exit == 0 {
            run.assert_success();
        } else {
            assert_failure(&run, case.exit, case.needle, &what);
            let (added, removed, modified) = changes(&before, &tree(sandbox.home.path()));
            assert!(
                added.is_empty() && removed.is_empty() && modified.is_empty(),
                "{what}: files changed after a failure: added {added:?}, removed {removed:?}, modified {modified:?}"
            );
        }
        assert!(
            elapsed < case.within,
            "{what}: took {elapsed:?}, limit {:?}",
            case.within
        );
        // Timers may fire a little early; a Retry-After of 1 s that is ignored shows as a few milliseconds.
        assert!(
            elapsed + Duration::from_millis(100) >= case.not_before,
            "{what}: took only {elapsed:?}"
        );
        let requests = sandbox.portal.requests().len();
        if case.attempts > 0 {
            assert_eq!(requests, case.attempts, "{what}: attempts");
        }
        println!("{what}: exit {} in {elapsed:.1?} after {requests} request(s)", run.code);
    }
}

#[test]
fn export_under_every_fault() {
    run_faults("export", "ReadOnly", &[]);
}

#[test]
fn write_under_every_fault_leaves_the_credentials_file_alone() {
    let sandbox = Sandbox::new();
    if !has_command(&sandbox, "write") {
        println!("skipped: `ssocreds write` does not exist yet");
        return;
    }
    // Admin's generated credentials: ReadOnly's session token has a line break, which no credentials file can hold.
    run_faults("write", "Admin", &["--as", "dev"]);
}
