//! `ssocreds serve` and `exec --serve` on Windows (tests/tests/e2e/serve.rs is the Linux side): the endpoint of
//! the `.exe` under wine answers the test process, a Linux client on 127.0.0.1, with the role's credentials.
//!
//! How a Windows `serve` is stopped: Ctrl-C (`SetConsoleCtrlHandler`, through tokio). Under wine a program whose
//! output goes to pipes has no console to press it in; SIGINT to the Linux process that runs the `.exe` is turned
//! by wine into the same `CTRL_C_EVENT` (`wine::send_ctrl_c`), and serve exits 0 with its port closed. Tried and
//! not used: closing its stdin does not stop it (the harness's stdin is closed from the start); wine's `taskkill
//! /im ssocreds.exe` only sends a close message to the program's windows (it has none: it keeps serving), and
//! `taskkill /f` terminates it at once (no clean stop: the system frees the port).

use std::time::{Duration, Instant};

use crate::linux::ACCOUNT;
use crate::sandbox::*;
use crate::wine::{self, MARK_VARIABLE, WinChild, wine_spawn};

/// A running `serve`: its port and token, as printed.
struct Served {
    child: WinChild,
    mark: String,
    port: u16,
    token: String,
}

/// Starts `ssocreds serve --profile dev --format FORMAT` and reads the two variables it prints, checking their
/// exact lines.
fn serve(sandbox: &WinSandbox, format: &str) -> Served {
    let mark = format!("serve-{format}-{}", std::process::id());
    let mut child = wine_spawn(
        &sandbox
            .command(&["serve", "--profile", "dev", "--format", format])
            .env(MARK_VARIABLE, &mark),
    );
    let (uri_line, token_line) = (child.read_line(), child.read_line());
    let (uri, token) = match format {
        "windows-cmd" => (
            uri_line.strip_prefix("set AWS_CONTAINER_CREDENTIALS_FULL_URI="),
            token_line.strip_prefix("set AWS_CONTAINER_AUTHORIZATION_TOKEN="),
        ),
        "powershell" => (
            uri_line.strip_prefix("$Env:AWS_CONTAINER_CREDENTIALS_FULL_URI=\""),
            token_line.strip_prefix("$Env:AWS_CONTAINER_AUTHORIZATION_TOKEN=\""),
        ),
        _ => panic!("{format}"),
    };
    let end = if format == "powershell" { "\"\n" } else { "\n" };
    let uri = uri
        .and_then(|u| u.strip_suffix(end))
        .unwrap_or_else(|| panic!("{format}: {uri_line:?}"));
    let token = token
        .and_then(|t| t.strip_suffix(end))
        .unwrap_or_else(|| panic!("{format}: {token_line:?}"));
    let port = uri
        .strip_prefix("http://127.0.0.1:")
        .and_then(|rest| rest.strip_suffix("/credentials"))
        .and_then(|port| port.parse().ok())
        .unwrap_or_else(|| panic!("{format}: {uri}"));
    assert_eq!(token.len(), 43, "{format}: 256 bits, base64url: {token}");
    assert!(
        token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'),
        "{format}: {token}"
    );
    Served {
        child,
        mark,
        port,
        token: token.to_owned(),
    }
}

/// `GET /credentials` from this (Linux) process.
fn get_credentials(port: u16, token: Option<&str>) -> crate::http::Answer {
    let url = format!("http://127.0.0.1:{port}/credentials");
    match token {
        Some(token) => crate::http::get(&url, &[("Authorization", token)]),
        None => crate::http::get(&url, &[]),
    }
}

/// The endpoint answers the token with the credentials of role Admin, and refuses another token with 401.
fn assert_serves(port: u16, token: &str, what: &str) {
    let answer = get_credentials(port, Some(token));
    assert_eq!(answer.status, 200, "{what}: {answer:?}");
    let json: serde_json::Value = serde_json::from_slice(&answer.body).unwrap();
    assert_eq!(json["AccessKeyId"], CMD_ACCESS_KEY, "{what}");
    assert_eq!(json["SecretAccessKey"], CMD_SECRET, "{what}");
    assert_eq!(json["Token"], CMD_SESSION_TOKEN, "{what}");
    assert_eq!(json["Expiration"], "2100-01-01T00:00:00Z", "{what}");
    assert_eq!(json["AccountId"], ACCOUNT, "{what}");
    let wrong = format!("{}x", &token[..42]);
    let refused = get_credentials(port, Some(&wrong));
    assert_eq!(refused.status, 401, "{what}: {refused:?}");
    assert!(!String::from_utf8_lossy(&refused.body).contains(CMD_ACCESS_KEY));
    assert_eq!(get_credentials(port, None).status, 401, "{what}");
}

#[test]
#[ignore = "needs wine: run scripts/test-windows.sh"]
fn serve_prints_the_variables_answers_a_linux_client_and_stops_on_ctrl_c() {
    let sandbox = WinSandbox::new();
    sandbox.write_config();
    sandbox.write_tokens();
    let formats = ["windows-cmd", "powershell"];
    let served = in_parallel(&formats, |format| serve(&sandbox, format));
    let mut ports = Vec::new();
    for (format, served) in formats.iter().zip(served) {
        assert_serves(served.port, &served.token, format);
        assert_eq!(
            wine::send_ctrl_c(&served.mark, "ssocreds.exe"),
            1,
            "{format}: one process"
        );
        let run = served.child.wait();
        assert_eq!(run.code, 0, "{format}: Ctrl-C ends serve with 0: {run:?}");
        assert!(run.stdout.is_empty(), "{format}: nothing more on stdout: {run:?}");
        let stderr = run.stderr_text();
        assert!(
            !stderr.contains(&served.token),
            "{format}: the token on stderr:\n{stderr}"
        );
        for status in [200, 401] {
            assert!(
                stderr.contains(&format!(" GET /credentials {status} ")),
                "{format}: one line per request:\n{stderr}"
            );
        }
        ports.push(served.port);
    }
    // The ports are free once serve has exited.
    for port in ports {
        assert!(
            std::net::TcpStream::connect(("127.0.0.1", port)).is_err(),
            "port {port} still open"
        );
    }
    assert_eq!(
        sandbox.linux.portal.state().credentials_served,
        2,
        "one fetch per serve"
    );
}

#[test]
#[ignore = "needs wine: run scripts/test-windows.sh"]
fn exec_serve_gives_the_child_the_endpoint_and_returns_its_exit_code() {
    let sandbox = WinSandbox::new();
    sandbox.write_config();
    sandbox.write_tokens();
    let vars = sandbox.path("child-vars.txt");
    let go = sandbox.path("go");
    let nap = sandbox.path("nap.txt");
    std::fs::write(&nap, "").unwrap();
    let hold = wine::helper("hold-file.exe");
    // The child writes its AWS_ variables, echoes the URI, waits for the test to have used the endpoint (napping
    // 0.2 s at a time in hold-file.exe), and exits with its argument.
    let child = write_script(
        &sandbox,
        "child.cmd",
        &[
            "@echo off".to_owned(),
            format!("set AWS_>\"{}.tmp\"", wine::win_path(&vars)),
            format!("move /y \"{0}.tmp\" \"{0}\" >nul", wine::win_path(&vars)),
            "echo %AWS_CONTAINER_CREDENTIALS_FULL_URI%".to_owned(),
            ":wait".to_owned(),
            format!("if exist \"{}\" goto done", wine::win_path(&go)),
            format!("\"{hold}\" \"{}\" 0.2 >nul", wine::win_path(&nap)),
            "goto wait".to_owned(),
            ":done".to_owned(),
            "exit /b %1".to_owned(),
        ],
    );
    let exec = wine_spawn(
        &sandbox
            .command(&["exec", "--serve", "--profile", "dev", "--", "cmd", "/c", &child, "7"])
            .env("AWS_PROFILE", "dev")
            .env("AWS_ACCESS_KEY_ID", "AKIASHADOWSTHEENDPOINT"),
    );
    let deadline = Instant::now() + Duration::from_secs(60);
    while !vars.exists() {
        assert!(Instant::now() < deadline, "the child did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
    let got = read_set_output(&vars);
    let uri = &got["AWS_CONTAINER_CREDENTIALS_FULL_URI"];
    let port: u16 = uri
        .strip_prefix("http://127.0.0.1:")
        .and_then(|rest| rest.strip_suffix("/credentials"))
        .and_then(|port| port.parse().ok())
        .unwrap_or_else(|| panic!("{uri}"));
    // The endpoint serves while the child runs.
    assert_serves(port, &got["AWS_CONTAINER_AUTHORIZATION_TOKEN"], "exec --serve");
    std::fs::write(&go, "").unwrap();
    let run = exec.wait();
    assert_eq!(run.code, 7, "the child's exit code: {run:?}");
    assert_eq!(run.stdout_text(), format!("{uri}\r\n"));
    assert_eq!(got["AWS_REGION"], "eu-central-1");
    for shadowing in [
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_PROFILE",
    ] {
        assert!(!got.contains_key(shadowing), "{shadowing} reached the child: {got:?}");
    }
    assert!(
        std::net::TcpStream::connect(("127.0.0.1", port)).is_err(),
        "the endpoint closes with the child"
    );
}
