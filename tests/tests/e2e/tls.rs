//! A real TLS portal with a self-signed CA: refused without `--ca-bundle`, trusted with it; reached through an
//! HTTPS_PROXY with CONNECT. Needs `openssl` and `python3`; skipped with a note without them.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use crate::harness::*;

const HOST: &str = "portal.ssocreds-tls.test";

struct TlsPortal {
    child: Child,
    proxy_port: u16,
    tls_port: u16,
    ca: std::path::PathBuf,
    _dir: tempfile::TempDir,
}

impl Drop for TlsPortal {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start() -> Option<TlsPortal> {
    if !has("openssl") || !has("python3") {
        eprintln!("skipped: the TLS tests need openssl and python3");
        return None;
    }
    // A CA, and a server certificate it signs (webpki refuses a CA certificate used as the server's own).
    let dir = tempfile::tempdir().unwrap();
    let path = |name: &str| dir.path().join(name);
    std::fs::write(
        path("leaf.ext"),
        format!("subjectAltName=DNS:{HOST},IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n"),
    )
    .unwrap();
    let ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
    let steps: [Vec<&str>; 3] = [
        [
            &["req", "-x509"][..],
            &ec,
            &["-days", "2", "-subj", "/CN=ssocreds test CA"],
        ]
        .concat(),
        [&["req"][..], &ec, &["-subj", "/CN=portal"]].concat(),
        vec!["x509", "-req", "-days", "2", "-CAcreateserial"],
    ];
    let files: [&[(&str, &str)]; 3] = [
        &[("-keyout", "ca.key"), ("-out", "ca.pem")],
        &[("-keyout", "key.pem"), ("-out", "leaf.csr")],
        &[
            ("-in", "leaf.csr"),
            ("-CA", "ca.pem"),
            ("-CAkey", "ca.key"),
            ("-extfile", "leaf.ext"),
            ("-out", "cert.pem"),
        ],
    ];
    for (step, files) in steps.iter().zip(files) {
        let mut command = Command::new("openssl");
        command.args(step).stderr(Stdio::null()).stdout(Stdio::null());
        for (flag, name) in files {
            command.arg(flag).arg(path(name));
        }
        assert!(command.status().unwrap().success(), "openssl {step:?} failed");
    }
    let (cert, key) = (path("cert.pem"), path("key.pem"));
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/tls_portal.py");
    let mut child = Command::new("python3")
        .arg(script)
        .arg(&cert)
        .arg(&key)
        .arg(TOKEN)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let mut ports = line.split_whitespace().map(|p| p.parse::<u16>().unwrap());
    let (proxy_port, tls_port) = (ports.next().unwrap(), ports.next().unwrap());
    let ca = path("ca.pem");
    Some(TlsPortal {
        child,
        proxy_port,
        tls_port,
        ca,
        _dir: dir,
    })
}

#[test]
fn an_untrusted_certificate_is_refused_and_a_ca_bundle_makes_it_trusted() {
    let Some(portal) = start() else { return };
    let sandbox = Sandbox::new();
    let token = sandbox.write_token();
    let url = format!("https://127.0.0.1:{}", portal.tls_port);
    let args = |extra: &[&str]| {
        let mut args = vec!["export", "--cache", token.to_str().unwrap(), "--endpoint-url", &url];
        args.extend_from_slice(&[
            "--account-id",
            ACCOUNT,
            "--role-name",
            "ReadOnly",
            "--max-attempts",
            "1",
        ]);
        args.extend_from_slice(extra);
        args.into_iter().map(str::to_owned).collect::<Vec<_>>()
    };
    let refused = sandbox.run(&args(&[]).iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(refused.code, 7, "{refused:?}");
    assert!(
        refused.stderr.contains("--ca-bundle"),
        "the message points at the fix: {}",
        refused.stderr
    );

    let ca = portal.ca.to_str().unwrap().to_owned();
    let trusted = sandbox.run(
        &args(&["--ca-bundle", &ca])
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>(),
    );
    trusted.assert_success();
    assert!(
        trusted.stdout.contains("AWS_ACCESS_KEY_ID=ASIATLSEXAMPLE000001"),
        "{}",
        trusted.stdout
    );

    // AWS_CA_BUNDLE does the same.
    let plain: Vec<String> = args(&[]);
    let via_env = sandbox.run_with(
        &plain.iter().map(String::as_str).collect::<Vec<_>>(),
        &[("AWS_CA_BUNDLE", &ca)],
        None,
    );
    via_env.assert_success();

    // A file that is not PEM is a usage error before any request.
    let not_pem = sandbox.home.path().join("not.pem");
    std::fs::write(&not_pem, "hello").unwrap();
    let bad = sandbox.run(
        &args(&["--ca-bundle", not_pem.to_str().unwrap()])
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>(),
    );
    assert_eq!(bad.code, 2, "{bad:?}");
    assert!(bad.stderr.contains("holds no PEM certificate"), "{}", bad.stderr);
}

#[test]
fn requests_go_through_https_proxy_with_connect() {
    let Some(portal) = start() else { return };
    let sandbox = Sandbox::new();
    let token = sandbox.write_token();
    let proxy = format!("http://127.0.0.1:{}", portal.proxy_port);
    // The host has no DNS entry: only the proxy can reach it (it tunnels every CONNECT to the local TLS server).
    let url = format!("https://{HOST}");
    let args = [
        "export",
        "--cache",
        token.to_str().unwrap(),
        "--endpoint-url",
        &url,
        "--account-id",
        ACCOUNT,
        "--role-name",
        "ReadOnly",
        "--ca-bundle",
        portal.ca.to_str().unwrap(),
    ];
    let run = sandbox.run_with(&args, &[("HTTPS_PROXY", &proxy)], None);
    run.assert_success();
    assert!(run.stdout.contains("ASIATLSEXAMPLE000001"), "{}", run.stdout);
}
