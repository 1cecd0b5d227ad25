//! Runs `ssocreds` as a user would: a fresh HOME, no AWS_* variables, the fake portal on 127.0.0.1.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

use ssocreds_tests::fake_portal::{Account, CredentialsOverride, FakePortal, PortalConfig};

/// The access token the fake portal accepts in most tests. Never to be printed.
pub const TOKEN: &str = "tok-E2E-sekrit-7f3a9";
pub const ACCOUNT: &str = "111122223333";
pub const START_URL: &str = "https://e2e.awsapps.com/start";
/// Credentials with characters every shell treats specially.
pub const SECRET_KEY: &str = "sk/+= it's $HOME \"q\" `id` \\ ; & | * ? [a] ~ ! #x ü 🙂";
pub const SESSION_TOKEN: &str = "IQoJb3JpZ2luX2VjE/+==\nsecond line\ttab";

/// Path of the `ssocreds` binary, built once per test run with the same profile as this test.
pub fn binary() -> &'static Path {
    static BINARY: OnceLock<PathBuf> = OnceLock::new();
    BINARY.get_or_init(|| {
        let exe = std::env::current_exe().expect("test binary path");
        let profile_dir = exe.parent().and_then(Path::parent).expect("target/<profile>/deps/..");
        let release = profile_dir.file_name().is_some_and(|n| n == "release");
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let mut build = Command::new(cargo);
        build.args(["build", "--quiet", "-p", "ssocreds"]);
        if release {
            build.arg("--release");
        }
        let status = build.status().expect("run cargo build -p ssocreds");
        assert!(status.success(), "cargo build -p ssocreds failed");
        profile_dir.join(format!("ssocreds{}", std::env::consts::EXE_SUFFIX))
    })
}

/// The usual portal: TOKEN sees ACCOUNT with roles ReadOnly and Admin, and ReadOnly returns awkward credentials.
pub fn portal_config() -> PortalConfig {
    let mut config = PortalConfig::with_token(TOKEN, vec![Account::new(ACCOUNT, "e2e", &["ReadOnly", "Admin"])]);
    config.credentials.insert(
        format!("{ACCOUNT}/ReadOnly"),
        CredentialsOverride {
            access_key_id: "ASIAE2EEXAMPLE000001".into(),
            secret_access_key: SECRET_KEY.into(),
            session_token: SESSION_TOKEN.into(),
            expiration: Some(4_102_444_800_000), // 2100-01-01T00:00:00Z
        },
    );
    config
}

pub struct Sandbox {
    pub home: tempfile::TempDir,
    pub portal: FakePortal,
}

#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Sandbox {
    pub fn new() -> Self {
        Self::with_config(portal_config())
    }

    pub fn with_config(config: PortalConfig) -> Self {
        Self {
            home: tempfile::tempdir().expect("temp HOME"),
            portal: FakePortal::start(config).expect("start fake portal"),
        }
    }

    pub fn cache_dir(&self) -> PathBuf {
        self.home.path().join(".aws/sso/cache")
    }

    /// Writes a file into ~/.aws/sso/cache.
    pub fn write_cache(&self, name: &str, contents: impl AsRef<[u8]>) -> PathBuf {
        let dir = self.cache_dir();
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(name);
        std::fs::write(&path, contents).unwrap();
        path
    }

    /// Writes the usual valid token (region us-east-1) and returns its path.
    pub fn write_token(&self) -> PathBuf {
        self.write_cache("e2e.json", token_json(TOKEN, "2099-01-01T00:00:00Z", "us-east-1"))
    }

    pub fn run(&self, args: &[&str]) -> Run {
        self.run_with(args, &[], None)
    }

    /// Runs ssocreds with a clean environment: HOME, PATH and what `env` adds.
    pub fn run_with(&self, args: &[&str], env: &[(&str, &str)], stdin: Option<&[u8]>) -> Run {
        let mut command = Command::new(binary());
        command
            .args(args)
            .env_clear()
            .env("HOME", self.home.path())
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .envs(env.iter().copied())
            .stdin(if stdin.is_some() { Stdio::piped() } else { Stdio::null() })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = command.spawn().expect("spawn ssocreds");
        if let Some(input) = stdin {
            child.stdin.take().unwrap().write_all(input).unwrap();
        }
        let output = child.wait_with_output().unwrap();
        let run = Run {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        };
        run.assert_no_secret_leak();
        run
    }

    /// `ssocreds export` against the fake portal with the given extra arguments.
    pub fn export(&self, extra: &[&str]) -> Run {
        let url = self.portal.url();
        let mut args = vec!["export", "--endpoint-url", url.as_str(), "--account-id", ACCOUNT];
        args.extend_from_slice(extra);
        self.run(&args)
    }

    /// The run as one text for a snapshot, with the port, HOME and durations made stable.
    pub fn snapshot(&self, run: &Run) -> String {
        let text = format!(
            "exit: {}\n--- stdout\n{}--- stderr\n{}",
            run.code, run.stdout, run.stderr
        );
        text.replace(&self.portal.url(), "http://127.0.0.1:PORT")
            .replace(&self.home.path().display().to_string(), "$HOME")
    }
}

impl Run {
    /// The token and the secret parts of the credentials never appear on stderr, nor on stdout unless the run
    /// succeeded (when stdout is the exports themselves).
    pub fn assert_no_secret_leak(&self) {
        assert!(!self.stderr.contains(TOKEN), "token on stderr:\n{}", self.stderr);
        assert!(!self.stdout.contains(TOKEN), "token on stdout:\n{}", self.stdout);
        for secret in ["sk/+= it's", "IQoJb3JpZ2luX2VjE"] {
            assert!(!self.stderr.contains(secret), "secret on stderr:\n{}", self.stderr);
            if self.code != 0 {
                assert!(
                    !self.stdout.contains(secret),
                    "secret on stdout of a failure:\n{}",
                    self.stdout
                );
            }
        }
    }

    pub fn assert_success(&self) -> &Self {
        assert_eq!(
            self.code, 0,
            "expected success\nstdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        self
    }
}

pub fn token_json(token: &str, expires_at: &str, region: &str) -> String {
    format!(r#"{{"startUrl":"{START_URL}","region":"{region}","accessToken":"{token}","expiresAt":"{expires_at}"}}"#)
}

/// Snapshot settings: durations such as "(2521 d 3 h ago)" change every day.
pub fn settings() -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    settings.add_filter(r"\d+ (d|h|min|s) \d+ (h|min|s)", "[duration]");
    settings.add_filter(r"\(\d+ ms\)", "([elapsed])");
    settings.add_filter(r"20\d\d-\d\d-\d\dT\d\d:\d\d:\d\dZ", "[timestamp]");
    settings.set_prepend_module_to_snapshot(false);
    settings
}

/// Environment variables of a shell after evaluating `script`, read back through `env -0`.
pub fn shell_env(shell: &str, script: &str) -> BTreeMap<String, String> {
    let output = Command::new(shell)
        .arg("-c")
        .arg(script)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", "/nonexistent")
        .output()
        .unwrap_or_else(|e| panic!("run {shell}: {e}"));
    assert!(
        output.status.success(),
        "{shell} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output
        .stdout
        .split(|b| *b == 0)
        .filter(|entry| !entry.is_empty())
        .filter_map(|entry| {
            let text = String::from_utf8(entry.to_vec()).ok()?;
            let (name, value) = text.split_once('=')?;
            Some((name.to_owned(), value.to_owned()))
        })
        .collect()
}

pub fn has(program: &str) -> bool {
    Command::new("sh")
        .arg("-c")
        .arg(format!("command -v {program}"))
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

impl Sandbox {
    /// Writes ~/.aws/config.
    pub fn write_config(&self, text: &str) {
        let dir = self.home.path().join(".aws");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("config"), text).unwrap();
    }

    /// Writes the usual valid token (region us-east-1) as the token of sso-session `session`.
    pub fn write_session_token(&self, session: &str) -> PathBuf {
        self.write_cache(
            &sso_core::cache_file_name(session),
            token_json(TOKEN, "2099-01-01T00:00:00Z", "us-east-1"),
        )
    }

    /// Runs a Python snippet with botocore against the fake portal; returns its stdout.
    pub fn botocore(&self, python: &Path, script: &str) -> String {
        let url = self.portal.url();
        let output = Command::new(python)
            .args(["-c", script])
            .env_clear()
            .env("HOME", self.home.path())
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("AWS_ENDPOINT_URL_SSO", &url)
            .env("AWS_ENDPOINT_URL_SSO_OIDC", &url)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(output.status.success(), "botocore failed:\n{stderr}");
        String::from_utf8_lossy(&output.stdout).trim().to_owned()
    }

    /// Runs ssocreds with both the portal and OIDC endpoints pointing at the fake.
    pub fn run_fake(&self, args: &[&str]) -> Run {
        let url = self.portal.url();
        self.run_with(
            args,
            &[("AWS_ENDPOINT_URL_SSO", &url), ("AWS_ENDPOINT_URL_SSO_OIDC", &url)],
            None,
        )
    }
}

/// RFC 3339 (with Z) of now plus `seconds`.
pub fn in_seconds(seconds: i64) -> String {
    sso_core::format_timestamp(chrono::Utc::now() + chrono::TimeDelta::seconds(seconds))
}

/// Unix permission bits of a path.
pub fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

/// The Python of a virtual environment with botocore, made once under target/ and reused; `None` (with a message)
/// when Python, venv or pip are not available.
pub fn botocore_python() -> Option<PathBuf> {
    // Made once per test run: tests run in parallel threads, and two venvs made in one folder at once break each
    // other (seen as a botocore test failing with no output on a fresh clone).
    static PYTHON: OnceLock<Option<PathBuf>> = OnceLock::new();
    PYTHON.get_or_init(make_botocore_venv).clone()
}

fn make_botocore_venv() -> Option<PathBuf> {
    let target = binary().parent()?.parent()?.to_owned();
    let venv = target.join("botocore-venv");
    let python = venv.join("bin/python");
    let works = |python: &Path| {
        Command::new(python)
            .args(["-c", "import botocore"])
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    };
    if works(&python) {
        return Some(python);
    }
    let made = Command::new("python3").args(["-m", "venv"]).arg(&venv).status();
    let installed = made.is_ok_and(|s| s.success())
        && Command::new(venv.join("bin/pip"))
            .args(["install", "--quiet", "--disable-pip-version-check", "botocore>=1.31"])
            .status()
            .is_ok_and(|s| s.success());
    if installed && works(&python) {
        Some(python)
    } else {
        eprintln!(
            "SKIPPED: botocore interop: could not make a venv with botocore under {}",
            venv.display()
        );
        None
    }
}
