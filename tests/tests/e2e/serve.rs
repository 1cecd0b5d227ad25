//! `ssocreds serve` and `ssocreds exec --serve` with real clients on real sockets: botocore from PyPI and the AWS SDK
//! for JavaScript v3 from npm resolve credentials from the endpoint; raw HTTP shows every refusal; the fake portal
//! counts the fetches behind them.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Barrier, Mutex};
use std::time::{Duration, Instant};

use chrono::Utc;
use ssocreds_tests::fake_portal::CredentialsOverride;

use crate::harness::*;

const ROLE: &str = "Admin";

/// A running `ssocreds serve`, killed when dropped.
struct Served {
    child: Child,
    port: u16,
    uri: String,
    token: String,
    stdout: String,
    stderr: Arc<Mutex<String>>,
    /// Kept open while it runs.
    _stdout_pipe: BufReader<std::process::ChildStdout>,
}

impl Sandbox {
    /// Starts `ssocreds serve` for ACCOUNT/`role` against the fake portal, and reads the two variables it prints.
    fn serve(&self, role: &str, format: &str, extra: &[&str]) -> Served {
        self.write_token();
        let url = self.portal.url();
        let mut child = Command::new(binary())
            .args([
                "serve",
                "--endpoint-url",
                &url,
                "--account-id",
                ACCOUNT,
                "--role-name",
                role,
            ])
            .args(["--format", format])
            .args(extra)
            .env_clear()
            .env("HOME", self.home.path())
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn ssocreds serve");
        let stderr = Arc::new(Mutex::new(String::new()));
        let mut pipe = child.stderr.take().unwrap();
        let collected = Arc::clone(&stderr);
        std::thread::spawn(move || {
            let mut buffer = [0u8; 4096];
            while let Ok(n) = pipe.read(&mut buffer) {
                if n == 0 {
                    break;
                }
                collected
                    .lock()
                    .unwrap()
                    .push_str(&String::from_utf8_lossy(&buffer[..n]));
            }
        });
        let mut reader = BufReader::new(child.stdout.take().unwrap());
        let mut stdout = String::new();
        loop {
            let mut line = String::new();
            let n = reader.read_line(&mut line).unwrap();
            stdout.push_str(&line);
            let done = if format == "json" {
                line.starts_with('}')
            } else {
                stdout.lines().count() == 2
            };
            if n == 0 || done {
                break;
            }
        }
        let (uri, token) = parse_variables(format, &stdout).unwrap_or_else(|| {
            panic!(
                "no variables in {format} output:\n{stdout}\nstderr:\n{}",
                stderr.lock().unwrap()
            )
        });
        let port = uri
            .strip_prefix("http://127.0.0.1:")
            .and_then(|rest| rest.strip_suffix("/credentials"))
            .and_then(|port| port.parse().ok())
            .unwrap_or_else(|| panic!("unexpected URI {uri}"));
        Served {
            child,
            port,
            uri,
            token,
            stdout,
            stderr,
            _stdout_pipe: reader,
        }
    }
}

/// The URI and token as each format writes them.
fn parse_variables(format: &str, text: &str) -> Option<(String, String)> {
    if format == "json" {
        let json: serde_json::Value = serde_json::from_str(text).ok()?;
        let object = json.as_object()?;
        assert_eq!(object.len(), 2, "{text}");
        return Some((
            object["AWS_CONTAINER_CREDENTIALS_FULL_URI"].as_str()?.to_owned(),
            object["AWS_CONTAINER_AUTHORIZATION_TOKEN"].as_str()?.to_owned(),
        ));
    }
    let (prefix, separator, quote) = match format {
        "env" => ("export ", "=", ""),
        "env-no-export" | "dotenv" => ("", "=", ""),
        "fish" => ("set -gx ", " ", "\""),
        "powershell" => ("$Env:", "=", "\""),
        "windows-cmd" => ("set ", "=", ""),
        _ => panic!("unknown format {format}"),
    };
    let value = |name: &str| {
        let line = text
            .lines()
            .find(|l| l.starts_with(&format!("{prefix}{name}{separator}")))?;
        let value = &line[prefix.len() + name.len() + separator.len()..];
        Some(value.strip_prefix(quote)?.strip_suffix(quote)?.to_owned())
    };
    let names: Vec<&str> = text.lines().collect();
    assert_eq!(names.len(), 2, "{text}");
    assert!(names[0].contains("AWS_CONTAINER_CREDENTIALS_FULL_URI"), "order: {text}");
    Some((
        value("AWS_CONTAINER_CREDENTIALS_FULL_URI")?,
        value("AWS_CONTAINER_AUTHORIZATION_TOKEN")?,
    ))
}

impl Served {
    /// Sends `signal` (`TERM`, `INT`) and waits: the exit code and everything written on stderr.
    fn stop(mut self, signal: &str) -> (i32, String) {
        let status = Command::new("kill")
            .args([format!("-{signal}"), self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
        let code = wait_with_deadline(&mut self.child, Duration::from_secs(10)).expect("serve did not stop");
        // Let the stderr thread read the last lines.
        std::thread::sleep(Duration::from_millis(100));
        let stderr = self.stderr.lock().unwrap().clone();
        assert!(!stderr.contains(TOKEN) && !stderr.contains(&self.token), "{stderr}");
        (code, stderr)
    }

    /// A GET with the token, as an SDK sends it.
    fn get(&self) -> Answer {
        http(
            self.port,
            &format!(
                "GET /credentials HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nAuthorization: {}\r\nConnection: close\r\n\r\n",
                self.port, self.token
            ),
        )
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn wait_with_deadline(child: &mut Child, limit: Duration) -> Option<i32> {
    let deadline = Instant::now() + limit;
    while Instant::now() < deadline {
        if let Some(status) = child.try_wait().unwrap() {
            use std::os::unix::process::ExitStatusExt;
            return Some(status.code().unwrap_or_else(|| 128 + status.signal().unwrap_or(0)));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    None
}

#[derive(Debug)]
struct Answer {
    status: u16,
    head: String,
    body: String,
}

impl Answer {
    fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {self:?}"))
    }
}

/// One raw request on a new connection; the whole answer (the request says `Connection: close`).
fn http(port: u16, request: &str) -> Answer {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    stream.write_all(request.as_bytes()).unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).unwrap();
    parse_answer(&String::from_utf8_lossy(&raw))
}

fn parse_answer(text: &str) -> Answer {
    let (head, body) = text
        .split_once("\r\n\r\n")
        .unwrap_or_else(|| panic!("no answer: {text:?}"));
    let status = head.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap();
    Answer {
        status,
        head: head.to_owned(),
        body: body.to_owned(),
    }
}

/// A portal whose `Admin` credentials live `ttl` seconds.
fn sandbox_with_ttl(ttl: u64) -> Sandbox {
    let mut config = portal_config();
    config.credentials_ttl_seconds = ttl;
    Sandbox::with_config(config)
}

/// Makes `Admin` credentials that expire `seconds` from now.
fn expire_admin_in(sandbox: &Sandbox, seconds: i64) {
    let mut config = sandbox.portal.config();
    config.credentials.insert(
        format!("{ACCOUNT}/{ROLE}"),
        CredentialsOverride {
            access_key_id: "ASIASHORTLIVED000001".into(),
            secret_access_key: "short/lived+secret".into(),
            session_token: "short-lived-session".into(),
            expiration: Some((Utc::now() + chrono::TimeDelta::seconds(seconds)).timestamp_millis()),
        },
    );
    sandbox.portal.set_config(config);
}

fn credentials_served(sandbox: &Sandbox) -> u64 {
    sandbox.portal.state().credentials_served
}

// --- the answers --------------------------------------------------------------------------------------------------

#[test]
fn the_endpoint_answers_what_the_sdks_read() {
    let sandbox = Sandbox::new();
    let served = sandbox.serve(ROLE, "env", &[]);
    assert_eq!(served.token.len(), 43, "256 bits in base64url: {}", served.token);
    let answer = served.get();
    assert_eq!(answer.status, 200, "{answer:?}");
    assert!(
        answer
            .head
            .to_ascii_lowercase()
            .contains("content-type: application/json"),
        "{answer:?}"
    );
    let body = answer.json();
    let keys: Vec<&String> = body.as_object().unwrap().keys().collect();
    assert_eq!(keys.len(), 5, "{body}");
    assert!(body["AccessKeyId"].as_str().unwrap().starts_with("ASIA"));
    assert!(!body["SecretAccessKey"].as_str().unwrap().is_empty());
    assert!(!body["Token"].as_str().unwrap().is_empty());
    assert_eq!(body["AccountId"], ACCOUNT);
    let expiration = body["Expiration"].as_str().unwrap();
    assert!(expiration.ends_with('Z') && !expiration.contains('+'), "{expiration}");
    // The first fetch happened before the variables were printed; the request cost no portal call.
    assert_eq!(credentials_served(&sandbox), 1);
    let (code, stderr) = served.stop("TERM");
    assert_eq!(code, 0, "{stderr}");
}

#[test]
fn each_refusal_has_its_status_and_no_secret() {
    let sandbox = Sandbox::new();
    let served = sandbox.serve("ReadOnly", "env", &[]);
    let port = served.port;
    let token = served.token.clone();
    let host = format!("127.0.0.1:{port}");
    let wrong_token = format!("{}x", &token[..42]);
    let cases: Vec<(String, u16, &str)> = vec![
        (
            format!("GET /credentials HTTP/1.1\r\nHost: {host}\r\n"),
            401,
            "MissingAuthorizationToken",
        ),
        (
            format!("GET /credentials HTTP/1.1\r\nHost: {host}\r\nAuthorization: {wrong_token}\r\n"),
            401,
            "InvalidAuthorizationToken",
        ),
        (
            format!("GET /credentials HTTP/1.1\r\nHost: evil.example:{port}\r\nAuthorization: {token}\r\n"),
            403,
            "ForbiddenHost",
        ),
        (
            format!(
                "GET /credentials HTTP/1.1\r\nHost: {host}\r\nAuthorization: {token}\r\nOrigin: http://evil.example\r\n"
            ),
            403,
            "ForbiddenOrigin",
        ),
        (
            format!("POST /credentials HTTP/1.1\r\nHost: {host}\r\nAuthorization: {token}\r\nContent-Length: 0\r\n"),
            405,
            "MethodNotAllowed",
        ),
        (
            format!("GET /other HTTP/1.1\r\nHost: {host}\r\nAuthorization: {token}\r\n"),
            404,
            "NotFound",
        ),
        (
            format!("GET /credentials HTTP/1.1\r\nHost: localhost:{port}\r\nAuthorization: {token}\r\n"),
            200,
            "",
        ),
    ];
    for (request, status, code) in cases {
        let answer = http(port, &format!("{request}Connection: close\r\n\r\n"));
        assert_eq!(answer.status, status, "{request}\n{answer:?}");
        let lower = answer.head.to_ascii_lowercase();
        assert!(!lower.contains("access-control-"), "no CORS: {answer:?}");
        if status == 200 {
            continue;
        }
        assert!(lower.contains("content-type: application/json"), "{answer:?}");
        let body = answer.json();
        assert_eq!(body["Code"], code, "{answer:?}");
        assert!(!body["Message"].as_str().unwrap().is_empty());
        for secret in [token.as_str(), "sk/+= it's", "IQoJb3JpZ2luX2VjE", "ASIAE2EEXAMPLE"] {
            assert!(
                !answer.body.contains(secret) && !answer.head.contains(secret),
                "{answer:?}"
            );
        }
    }
    let (code, _) = served.stop("TERM");
    assert_eq!(code, 0);
}

#[test]
fn every_format_prints_the_two_variables() {
    let sandbox = Sandbox::new();
    for format in [
        "env",
        "env-no-export",
        "dotenv",
        "fish",
        "powershell",
        "windows-cmd",
        "json",
    ] {
        let served = sandbox.serve(ROLE, format, &["--quiet"]);
        assert_eq!(served.uri, format!("http://127.0.0.1:{}/credentials", served.port));
        assert_eq!(served.get().status, 200, "{format}: the printed token works");
        // Where a shell for the format is at hand, it reads the same values back.
        let script = match format {
            "env" => Some(("sh", format!("{}\nenv -0", served.stdout))),
            "env-no-export" | "dotenv" => Some(("sh", format!("set -a\n{}\nset +a\nenv -0", served.stdout))),
            "fish" if has("fish") => Some(("fish", format!("{}\nenv -0", served.stdout))),
            _ => None,
        };
        if let Some((shell, script)) = script {
            let vars = shell_env(shell, &script);
            assert_eq!(vars["AWS_CONTAINER_CREDENTIALS_FULL_URI"], served.uri, "{format}");
            assert_eq!(vars["AWS_CONTAINER_AUTHORIZATION_TOKEN"], served.token, "{format}");
        }
        let (code, stderr) = served.stop("TERM");
        assert_eq!((code, stderr.as_str()), (0, ""), "{format}: --quiet logs nothing");
    }
    // `process` is a credentials document, not variables: clap refuses it.
    sandbox.write_token();
    let run = sandbox.run(&[
        "serve",
        "--format",
        "process",
        "--account-id",
        ACCOUNT,
        "--role-name",
        ROLE,
    ]);
    assert_eq!(run.code, 2, "{run:?}");
}

#[test]
fn one_log_line_per_request_and_none_with_quiet() {
    let sandbox = Sandbox::new();
    let served = sandbox.serve(ROLE, "env", &[]);
    assert_eq!(served.get().status, 200);
    let port = served.port;
    let missing = http(
        port,
        &format!("GET /credentials HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n"),
    );
    assert_eq!(missing.status, 401);
    let other = http(
        port,
        &format!("GET /x?token=abc HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n"),
    );
    assert_eq!(other.status, 404);
    let (code, stderr) = served.stop("INT");
    assert_eq!(code, 0, "SIGINT ends it too: {stderr}");
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 3, "{stderr}");
    for (line, (path, status)) in lines
        .iter()
        .zip([("/credentials", 200), ("/credentials", 401), ("/x", 404)])
    {
        assert!(line.starts_with("ssocreds: 20"), "a timestamp: {line}");
        assert!(
            line.contains(&format!(" GET {path} {status} ")) && line.ends_with(" ms"),
            "{line}"
        );
        assert!(!line.contains("token=abc"), "no query: {line}");
    }

    let served = sandbox.serve(ROLE, "env", &["--quiet"]);
    assert_eq!(served.get().status, 200);
    let (code, stderr) = served.stop("TERM");
    assert_eq!((code, stderr.as_str()), (0, ""));
}

#[test]
fn sigterm_exits_0_and_frees_the_port() {
    let sandbox = Sandbox::new();
    let served = sandbox.serve(ROLE, "env", &[]);
    let port = served.port;
    // A kept-alive connection does not keep it running.
    let mut idle = TcpStream::connect(("127.0.0.1", port)).unwrap();
    idle.write_all(format!("GET /credentials HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n").as_bytes())
        .unwrap();
    let (code, stderr) = served.stop("TERM");
    assert_eq!(code, 0, "{stderr}");
    std::net::TcpListener::bind(("127.0.0.1", port)).expect("the port is free again");

    // A given --port is used.
    let free = std::net::TcpListener::bind(("127.0.0.1", 0))
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let served = sandbox.serve(ROLE, "env", &["--port", &free.to_string()]);
    assert_eq!(served.port, free);
    // The same port again: the usual message, usage exit code.
    let run = sandbox.run(&[
        "serve",
        "--endpoint-url",
        &sandbox.portal.url(),
        "--account-id",
        ACCOUNT,
        "--role-name",
        ROLE,
        "--port",
        &free.to_string(),
    ]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("the port is in use"), "{}", run.stderr);
    assert_eq!(served.stop("TERM").0, 0);
}

#[test]
fn a_sign_in_problem_shows_before_serving() {
    let sandbox = Sandbox::new();
    sandbox.write_cache("e2e.json", token_json(TOKEN, "2020-01-01T00:00:00Z", "us-east-1"));
    let run = sandbox.run(&[
        "serve",
        "--endpoint-url",
        &sandbox.portal.url(),
        "--account-id",
        ACCOUNT,
        "--role-name",
        ROLE,
        "--cache",
        &sandbox.cache_dir().join("e2e.json").display().to_string(),
    ]);
    assert_eq!(run.code, 4, "{run:?}");
    assert!(run.stdout.is_empty(), "nothing printed: {run:?}");
    assert!(run.stderr.contains("ssocreds login"), "{}", run.stderr);
}

// --- fetching -----------------------------------------------------------------------------------------------------

#[test]
fn fifty_concurrent_clients_while_stale_cost_one_portal_call() {
    // Credentials that live 10 minutes are always inside the 15-minute window: every request finds them stale.
    let sandbox = sandbox_with_ttl(600);
    let served = Arc::new(sandbox.serve(ROLE, "env", &["--quiet"]));
    assert_eq!(credentials_served(&sandbox), 1);
    let mut config = sandbox.portal.config();
    config.latency_ms = 1500;
    sandbox.portal.set_config(config);
    let barrier = Arc::new(Barrier::new(50));
    let clients: Vec<_> = (0..50)
        .map(|_| {
            let served = Arc::clone(&served);
            let barrier = Arc::clone(&barrier);
            std::thread::spawn(move || {
                barrier.wait();
                served.get()
            })
        })
        .collect();
    let answers: Vec<Answer> = clients.into_iter().map(|c| c.join().unwrap()).collect();
    assert!(answers.iter().all(|a| a.status == 200), "{answers:?}");
    assert_eq!(credentials_served(&sandbox), 2, "one portal call for 50 requests");
}

#[test]
fn the_background_fetch_keeps_requests_off_the_portal() {
    // 15 minutes + 6 seconds: servable for 6 seconds, so the timer fetches after 3 with no request asking.
    let sandbox = sandbox_with_ttl(15 * 60 + 6);
    let served = sandbox.serve(ROLE, "env", &["--quiet"]);
    let first = served.get().json()["Expiration"].as_str().unwrap().to_owned();
    std::thread::sleep(Duration::from_millis(4500));
    assert!(credentials_served(&sandbox) >= 2, "fetched in the background");
    // A slow portal from now on: answers still come from memory at once.
    let mut config = sandbox.portal.config();
    config.latency_ms = 3000;
    sandbox.portal.set_config(config);
    let started = Instant::now();
    let second = served.get().json()["Expiration"].as_str().unwrap().to_owned();
    assert!(
        started.elapsed() < Duration::from_millis(500),
        "{:?}",
        started.elapsed()
    );
    assert!(second > first, "{first} then {second}");
}

#[test]
fn an_expired_sign_in_answers_503_saying_ssocreds_login() {
    let sandbox = Sandbox::new();
    expire_admin_in(&sandbox, 3);
    let served = sandbox.serve(ROLE, "env", &[]);
    assert_eq!(served.get().status, 200);
    let mut config = sandbox.portal.config();
    config.tokens.get_mut(TOKEN).unwrap().expired = true;
    sandbox.portal.set_config(config);
    std::thread::sleep(Duration::from_millis(3200));
    let started = Instant::now();
    let answer = served.get();
    assert!(started.elapsed() < Duration::from_secs(1), "{:?}", started.elapsed());
    assert_eq!(answer.status, 503, "{answer:?}");
    assert_eq!(answer.json()["Code"], "SignInExpired");
    assert!(answer.body.contains("ssocreds login"), "{answer:?}");
    // The next request within the hold gets the same answer without another portal call.
    let calls = sandbox.portal.requests().len();
    assert_eq!(served.get().status, 503);
    assert_eq!(sandbox.portal.requests().len(), calls);
    let (code, stderr) = served.stop("TERM");
    assert_eq!(code, 0);
    assert!(stderr.contains("ssocreds login"), "logged too: {stderr}");
}

#[test]
fn still_valid_credentials_are_served_when_a_fetch_fails() {
    let sandbox = Sandbox::new();
    // 65 seconds with --min-validity-minutes 1: stale after 5 seconds, valid for 65.
    expire_admin_in(&sandbox, 65);
    let served = sandbox.serve(ROLE, "env", &["--min-validity-minutes", "1", "--max-attempts", "1"]);
    let first = served.get().json();
    let mut config = sandbox.portal.config();
    config.fail_first_with_500 = 1000;
    sandbox.portal.set_config(config);
    std::thread::sleep(Duration::from_secs(6));
    let answer = served.get();
    assert_eq!(answer.status, 200, "{answer:?}");
    assert_eq!(answer.json(), first, "the cached ones");
    assert!(sandbox.portal.state().server_errors >= 1, "a fetch was tried");
    let (code, stderr) = served.stop("TERM");
    assert_eq!(code, 0);
    assert!(
        stderr.contains("warning: could not fetch new role credentials") && stderr.contains("serving the cached ones"),
        "{stderr}"
    );
}

#[test]
fn no_valid_credentials_and_a_failing_portal_answer_502_at_once() {
    let sandbox = Sandbox::new();
    expire_admin_in(&sandbox, 2);
    let served = sandbox.serve(ROLE, "env", &["--max-attempts", "1", "--quiet"]);
    let mut config = sandbox.portal.config();
    config.fail_first_with_500 = 1000;
    sandbox.portal.set_config(config);
    std::thread::sleep(Duration::from_millis(2200));
    let started = Instant::now();
    let answer = served.get();
    assert!(started.elapsed() < Duration::from_secs(1), "{:?}", started.elapsed());
    assert_eq!(answer.status, 502, "{answer:?}");
    assert_eq!(answer.json()["Code"], "PortalError");
    assert!(!answer.body.contains(TOKEN));
}

// --- slow clients -------------------------------------------------------------------------------------------------

#[test]
fn slow_and_idle_clients_do_not_hold_the_server() {
    let sandbox = Sandbox::new();
    let served = Arc::new(sandbox.serve(ROLE, "env", &["--quiet"]));
    let port = served.port;
    let idle: Vec<TcpStream> = (0..20)
        .map(|_| TcpStream::connect(("127.0.0.1", port)).unwrap())
        .collect();
    // One client trickles a request head, a byte every 200 ms.
    let mut trickler = TcpStream::connect(("127.0.0.1", port)).unwrap();
    let head = format!("GET /credentials HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nX-Slow: ");
    trickler.write_all(head.as_bytes()).unwrap();
    let started = Instant::now();
    let trickle = std::thread::spawn(move || {
        // Until the server closes the connection (a write then fails), or 40 s.
        while started.elapsed() < Duration::from_secs(40) {
            if trickler.write_all(b"a").is_err() {
                return started.elapsed();
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        started.elapsed()
    });
    for _ in 0..5 {
        let asked = Instant::now();
        assert_eq!(served.get().status, 200);
        assert!(asked.elapsed() < Duration::from_secs(2), "{:?}", asked.elapsed());
        std::thread::sleep(Duration::from_millis(300));
    }
    let dropped_after = trickle.join().unwrap();
    assert!(
        dropped_after < Duration::from_secs(30),
        "half-sent request kept {dropped_after:?}"
    );
    // The idle connections were closed too.
    for mut stream in idle {
        stream.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
        let mut buffer = [0u8; 16];
        assert!(matches!(stream.read(&mut buffer), Ok(0) | Err(_)));
    }
}

#[test]
fn connections_are_bounded() {
    let sandbox = Sandbox::new();
    let served = sandbox.serve(ROLE, "env", &["--quiet"]);
    let port = served.port;
    // 128 kept-alive connections each get an answer; the 129th waits until one of them closes.
    let request = format!(
        "GET /credentials HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAuthorization: {}\r\n\r\n",
        served.token
    );
    let mut held = Vec::new();
    for _ in 0..128 {
        let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
        stream.write_all(request.as_bytes()).unwrap();
        stream.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        let mut buffer = [0u8; 4096];
        assert!(stream.read(&mut buffer).unwrap() > 0);
        held.push(stream);
    }
    let mut extra = TcpStream::connect(("127.0.0.1", port)).unwrap();
    extra.write_all(request.as_bytes()).unwrap();
    extra.set_read_timeout(Some(Duration::from_millis(700))).unwrap();
    let mut buffer = [0u8; 4096];
    assert!(
        extra.read(&mut buffer).is_err(),
        "the 129th connection is not served while 128 are open"
    );
    held.pop();
    extra.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let n = extra.read(&mut buffer).unwrap();
    assert!(String::from_utf8_lossy(&buffer[..n]).starts_with("HTTP/1.1 200"));
}

// --- real SDKs ----------------------------------------------------------------------------------------------------

/// The AWS SDK for JavaScript v3's HTTP (container) credential provider, installed with npm under target/ once;
/// `None` (with a message) when node or npm cannot provide it.
fn javascript_sdk() -> Option<PathBuf> {
    // Installed once per test run: tests run in parallel threads, and two npm installs into one folder break it
    // (a fresh clone saw one install read the other's half-written node_modules).
    static SDK: std::sync::OnceLock<Option<PathBuf>> = std::sync::OnceLock::new();
    SDK.get_or_init(install_javascript_sdk).clone()
}

fn install_javascript_sdk() -> Option<PathBuf> {
    let dir = binary().parent()?.parent()?.join("serve-npm");
    let module = dir.join("node_modules/@aws-sdk/credential-provider-http");
    if module.join("package.json").exists() {
        return Some(dir);
    }
    std::fs::create_dir_all(&dir).ok()?;
    if !dir.join("package.json").exists() {
        std::fs::write(dir.join("package.json"), "{\"private\": true}\n").ok()?;
    }
    let installed = Command::new("npm")
        .args([
            "install",
            "--no-audit",
            "--no-fund",
            "--silent",
            "@aws-sdk/credential-provider-http@3",
        ])
        .current_dir(&dir)
        .status()
        .is_ok_and(|s| s.success());
    if installed && module.join("package.json").exists() {
        Some(dir)
    } else {
        eprintln!("SKIPPED: JavaScript SDK interop: npm could not install @aws-sdk/credential-provider-http");
        None
    }
}

/// botocore: where the credentials came from, the key, then the expiration before and after `sleep` seconds (the
/// SDK refreshes on its own when they near expiry).
const BOTOCORE_SCRIPT: &str = r#"
import sys, time, botocore.session
session = botocore.session.Session()
credentials = session.get_credentials()
first = credentials.get_frozen_credentials()
before = credentials._expiry_time.isoformat()
time.sleep(float(sys.argv[1]))
credentials.get_frozen_credentials()
print(credentials.method, first.access_key, before, credentials._expiry_time.isoformat())
"#;

/// JavaScript: the key, and the expiration before and after `sleep` milliseconds.
const JAVASCRIPT_SCRIPT: &str = r#"
const { fromHttp } = require("@aws-sdk/credential-provider-http");
const provider = fromHttp({});
(async () => {
  const first = await provider();
  await new Promise((r) => setTimeout(r, Number(process.argv[1])));
  const second = await provider();
  console.log(first.accessKeyId, first.expiration.toISOString(), second.expiration.toISOString());
})().catch((e) => { console.error(e); process.exit(1); });
"#;

fn sdk_env(command: &mut Command, sandbox: &Sandbox, served: Option<&Served>) {
    command
        .env_clear()
        .env("HOME", sandbox.home.path())
        .env("PATH", std::env::var_os("PATH").unwrap_or_default());
    if let Some(served) = served {
        command
            .env("AWS_CONTAINER_CREDENTIALS_FULL_URI", &served.uri)
            .env("AWS_CONTAINER_AUTHORIZATION_TOKEN", &served.token);
    }
}

fn assert_refreshed(output: &str, fields_before: usize) {
    let fields: Vec<&str> = output.split_whitespace().collect();
    assert_eq!(fields.len(), fields_before + 2, "{output}");
    let (before, after) = (fields[fields_before], fields[fields_before + 1]);
    assert!(after > before, "the SDK got the next credentials: {output}");
}

#[test]
fn botocore_reads_serve_and_gets_the_next_credentials() {
    let Some(python) = botocore_python() else { return };
    // 15 minutes + 6 s: botocore wants new ones after 6 s (its 15-minute window); the endpoint fetched them at 3.
    let sandbox = sandbox_with_ttl(15 * 60 + 6);
    let served = sandbox.serve(ROLE, "env", &["--quiet"]);
    let mut command = Command::new(&python);
    command.args(["-c", BOTOCORE_SCRIPT, "7"]);
    sdk_env(&mut command, &sandbox, Some(&served));
    let output = command.output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(stdout.starts_with("container-role ASIA"), "{stdout}");
    assert_refreshed(&stdout, 2);
}

#[test]
fn javascript_sdk_reads_serve_and_gets_the_next_credentials() {
    let Some(dir) = javascript_sdk() else { return };
    let sandbox = sandbox_with_ttl(15 * 60 + 6);
    let served = sandbox.serve(ROLE, "env", &["--quiet"]);
    let mut command = Command::new("node");
    command.args(["-e", JAVASCRIPT_SCRIPT, "4500"]).current_dir(&dir);
    sdk_env(&mut command, &sandbox, Some(&served));
    let output = command.output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(stdout.starts_with("ASIA"), "{stdout}");
    assert_refreshed(&stdout, 1);
}

/// `exec --serve` runs `program args` with static keys and a profile in the inherited environment.
fn exec_serve(sandbox: &Sandbox, program: &str, args: &[&str], dir: Option<&PathBuf>) -> Run {
    sandbox.write_token();
    let url = sandbox.portal.url();
    let mut command = Command::new(binary());
    command
        .args([
            "exec",
            "--serve",
            "--endpoint-url",
            &url,
            "--account-id",
            ACCOUNT,
            "--role-name",
            ROLE,
        ])
        .args(["--export-region", "eu-west-1", "--", program])
        .args(args);
    sdk_env(&mut command, sandbox, None);
    command
        .env("AWS_ACCESS_KEY_ID", "AKIAINHERITEDSTATIC1")
        .env("AWS_SECRET_ACCESS_KEY", "inherited-secret")
        .env("AWS_SESSION_TOKEN", "inherited-session")
        .env("AWS_CREDENTIAL_EXPIRATION", "2099-01-01T00:00:00Z")
        .env("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/v2/credentials/x")
        .env("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", "/nonexistent")
        .env("KEPT", "yes");
    if let Some(dir) = dir {
        command.current_dir(dir);
    }
    let output = command.output().unwrap();
    let run = Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    };
    run.assert_no_secret_leak();
    run
}

#[test]
fn botocore_inside_exec_serve_gets_the_next_credentials() {
    let Some(python) = botocore_python() else { return };
    let sandbox = sandbox_with_ttl(15 * 60 + 6);
    let run = exec_serve(&sandbox, python.to_str().unwrap(), &["-c", BOTOCORE_SCRIPT, "7"], None);
    run.assert_success();
    assert!(run.stdout.starts_with("container-role ASIA"), "{run:?}");
    assert_refreshed(run.stdout.trim(), 2);
}

#[test]
fn javascript_sdk_inside_exec_serve_gets_the_next_credentials() {
    let Some(dir) = javascript_sdk() else { return };
    let sandbox = sandbox_with_ttl(15 * 60 + 6);
    let run = exec_serve(&sandbox, "node", &["-e", JAVASCRIPT_SCRIPT, "4500"], Some(&dir));
    run.assert_success();
    assert!(run.stdout.starts_with("ASIA"), "{run:?}");
    assert_refreshed(run.stdout.trim(), 1);
}

#[test]
fn exec_serve_replaces_the_inherited_variables() {
    let sandbox = Sandbox::new();
    let run = exec_serve(&sandbox, "sh", &["-c", "env; exit 3"], None);
    assert_eq!(run.code, 3, "the child's exit code: {run:?}");
    let vars: std::collections::BTreeMap<&str, &str> =
        run.stdout.lines().filter_map(|line| line.split_once('=')).collect();
    for name in sso_core::VARIABLES_THAT_SHADOW_THE_ENDPOINT {
        assert!(!vars.contains_key(name), "{name} inherited: {run:?}");
    }
    assert!(vars["AWS_CONTAINER_CREDENTIALS_FULL_URI"].starts_with("http://127.0.0.1:"));
    assert_eq!(vars["AWS_CONTAINER_AUTHORIZATION_TOKEN"].len(), 43);
    assert_eq!(vars["AWS_REGION"], "eu-west-1");
    assert_eq!(vars["AWS_DEFAULT_REGION"], "eu-west-1");
    assert_eq!(vars["KEPT"], "yes");
    // The endpoint is gone with the child.
    let port: u16 = vars["AWS_CONTAINER_CREDENTIALS_FULL_URI"]
        .trim_start_matches("http://127.0.0.1:")
        .trim_end_matches("/credentials")
        .parse()
        .unwrap();
    assert!(TcpStream::connect(("127.0.0.1", port)).is_err());
}

#[test]
fn exec_serve_exits_with_128_plus_the_signal_that_ended_the_child() {
    let sandbox = Sandbox::new();
    let run = exec_serve(&sandbox, "sh", &["-c", "kill -TERM $$"], None);
    assert_eq!(run.code, 128 + 15, "{run:?}");
    let run = exec_serve(&sandbox, "sh", &["-c", "kill -KILL $$"], None);
    assert_eq!(run.code, 128 + 9, "{run:?}");
    let run = exec_serve(&sandbox, "no-such-program-here", &[], None);
    assert_eq!(run.code, 127, "{run:?}");
}

#[test]
fn exec_serve_passes_sigterm_and_sighup_to_the_child() {
    let sandbox = Sandbox::new();
    sandbox.write_token();
    let url = sandbox.portal.url();
    for (signal, code) in [("TERM", 42), ("HUP", 43), ("INT", 0)] {
        let script = "trap 'exit 42' TERM; trap 'exit 43' HUP; echo ready; i=0; \
                      while [ $i -lt 30 ]; do sleep 0.1; i=$((i+1)); done; exit 0";
        let mut command = Command::new(binary());
        command
            .args([
                "exec",
                "--serve",
                "--endpoint-url",
                &url,
                "--account-id",
                ACCOUNT,
                "--role-name",
                ROLE,
            ])
            .args(["--", "sh", "-c", script])
            .stdout(Stdio::piped());
        sdk_env(&mut command, &sandbox, None);
        let mut child = command.spawn().unwrap();
        let mut reader = BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        reader.read_line(&mut line).unwrap();
        assert_eq!(line, "ready\n");
        Command::new("kill")
            .args([format!("-{signal}"), child.id().to_string()])
            .status()
            .unwrap();
        // SIGINT is not passed on (the terminal sends it to the child itself): the child runs to its end.
        let code_seen = wait_with_deadline(&mut child, Duration::from_secs(10)).expect("exec --serve ended");
        assert_eq!(code_seen, code, "SIG{signal}");
    }
}
