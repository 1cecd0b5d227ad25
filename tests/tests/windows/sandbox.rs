//! One temporary home folder and one fake portal, seen by the Windows build as `%USERPROFILE%` (a `Z:\` path under
//! wine) and by the Linux build as `$HOME`, so the two builds can be compared on the very same files.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use ssocreds_tests::fake_portal::{CredentialsOverride, PortalConfig};

use crate::linux::{self, ACCOUNT, Run, TOKEN};
use crate::wine::{self, HomeVars, WinCommand, WinRun};

/// Credentials of role `Admin`: every character cmd treats specially that a `set "NAME=value"` line can carry
/// (`"`, `%`, `!` and line breaks it cannot).
pub const CMD_SECRET: &str = "a&b|c<d>e^f(g)h it's $HOME `id` \\ ; * ? [a] ~ #x/+=";
pub const CMD_SESSION_TOKEN: &str = "IQoJb3JpZ2luX2Vj/+== (x) & y";
pub const CMD_ACCESS_KEY: &str = "ASIAE2EEXAMPLE000002";

/// The e2e tests' portal (`ReadOnly` with credentials full of quotes, `$`, line breaks and emoji), plus `Admin`
/// with cmd metacharacters and `Plain` with generated credentials, as real ones look.
pub fn portal_config() -> PortalConfig {
    let mut config = linux::portal_config();
    config.tokens.get_mut(TOKEN).unwrap().assignments[0]
        .roles
        .push("Plain".into());
    config.credentials.insert(
        format!("{ACCOUNT}/Admin"),
        CredentialsOverride {
            access_key_id: CMD_ACCESS_KEY.into(),
            secret_access_key: CMD_SECRET.into(),
            session_token: CMD_SESSION_TOKEN.into(),
            expiration: Some(4_102_444_800_000),
        },
    );
    config
}

/// Profiles of the e2e tests, plus `plain`.
pub const CONFIG: &str = "\
# A comment the tools must keep.
[profile legacy]
sso_start_url = https://e2e.awsapps.com/start
sso_region = us-east-1
sso_account_id = 111122223333
sso_role_name = ReadOnly
region = eu-west-2

[profile dev]
sso_session = corp
sso_account_id = 111122223333
sso_role_name = Admin
region = eu-central-1

[profile plain]
sso_session = corp
sso_account_id = 111122223333
sso_role_name = Plain
region = ap-southeast-2

[sso-session corp]
sso_start_url = https://e2e.awsapps.com/start
sso_region = us-east-1
sso_registration_scopes = sso:account:access
";

pub struct WinSandbox {
    pub linux: linux::Sandbox,
}

impl WinSandbox {
    pub fn new() -> Self {
        Self::with_config(portal_config())
    }

    pub fn with_config(config: PortalConfig) -> Self {
        wine::exe();
        Self {
            linux: linux::Sandbox::with_config(config),
        }
    }

    /// The home folder, as a Linux path.
    pub fn home(&self) -> &Path {
        self.linux.home.path()
    }

    /// The home folder as the Windows build sees it.
    pub fn win_home(&self) -> String {
        wine::win_path(self.home())
    }

    pub fn path(&self, relative: &str) -> PathBuf {
        self.home().join(relative)
    }

    /// `ssocreds.exe` with these arguments, a Windows user's home folder and the fake portal's endpoints: add
    /// environment variables or other home variables before `wine::wine_run`.
    pub fn command(&self, args: &[&str]) -> WinCommand {
        let url = self.linux.portal.url();
        WinCommand::new(wine::win_path(wine::exe()), args)
            .env("AWS_ENDPOINT_URL_SSO", &url)
            .env("AWS_ENDPOINT_URL_SSO_OIDC", &url)
            .home(HomeVars::windows_user(self.home()))
    }

    /// Runs `ssocreds.exe`; checks that no secret reached stderr (or stdout of a failure).
    pub fn run(&self, args: &[&str]) -> WinRun {
        self.run_command(&self.command(args))
    }

    pub fn run_command(&self, command: &WinCommand) -> WinRun {
        let run = wine::wine_run(command);
        as_run(&run).assert_no_secret_leak();
        run
    }

    /// Runs `ssocreds.exe` with these environment variables too.
    pub fn run_with(&self, args: &[&str], env: &[(&str, &str)]) -> WinRun {
        let command = env
            .iter()
            .fold(self.command(args), |command, (name, value)| command.env(name, value));
        self.run_command(&command)
    }

    /// Runs the Linux build on the same home folder and portal.
    pub fn run_linux(&self, args: &[&str]) -> Run {
        self.linux.run_fake(args)
    }

    /// Runs the Linux build with the fake portal's endpoints and these environment variables too.
    pub fn run_linux_with(&self, args: &[&str], env: &[(&str, &str)]) -> Run {
        let url = self.linux.portal.url();
        let mut all = vec![
            ("AWS_ENDPOINT_URL_SSO", url.as_str()),
            ("AWS_ENDPOINT_URL_SSO_OIDC", url.as_str()),
        ];
        all.extend_from_slice(env);
        self.linux.run_with(args, &all, None)
    }

    /// Writes the usual token as the token of sso-session `corp` and of the legacy profile's start URL.
    pub fn write_tokens(&self) {
        self.linux.write_session_token("corp");
        self.linux.write_cache(
            &sso_core::cache_file_name(linux::START_URL),
            linux::token_json(TOKEN, "2099-01-01T00:00:00Z", "us-east-1"),
        );
    }

    /// Writes `CONFIG` to `.aws\\config` with CRLF line ends, as Windows editors save it.
    pub fn write_config(&self) {
        self.linux.write_config(&CONFIG.replace('\n', "\r\n"));
    }
}

/// A Windows run in the e2e harness's form, for its checks.
pub fn as_run(run: &WinRun) -> Run {
    Run {
        code: i32::try_from(run.code).unwrap_or(-1),
        stdout: String::from_utf8_lossy(&run.stdout).into_owned(),
        stderr: run.stderr_text(),
    }
}

/// The variables a `set AWS_>file` wrote (`NAME=value` lines ending in CRLF), but the endpoint variables the
/// tests pass to every run.
pub fn read_set_output(path: &Path) -> std::collections::BTreeMap<String, String> {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let text = String::from_utf8(bytes).expect("cmd wrote UTF-8 (ASCII) text");
    text.split("\r\n")
        .filter(|line| !line.is_empty())
        .map(|line| {
            let (name, value) = line.split_once('=').expect("NAME=value");
            (name.to_owned(), value.to_owned())
        })
        .filter(|(name, _)| !name.starts_with("AWS_ENDPOINT_URL"))
        .collect()
}

/// Writes a `.cmd` script (CRLF lines) into the home folder and returns its Windows path.
pub fn write_script(sandbox: &WinSandbox, name: &str, lines: &[String]) -> String {
    let path = sandbox.path(name);
    let mut text = lines.join("\r\n");
    text.push_str("\r\n");
    std::fs::write(&path, text).unwrap();
    wine::win_path(&path)
}

/// What the default browser (record-url.exe, with `SSOCREDS_TEST_URL_FILE` naming `path`) was given: it runs on
/// after the program that started it exits, so this waits up to 30 s for its file.
pub fn opened_url(path: &Path) -> String {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Ok(url) = std::fs::read_to_string(path)
            && !url.is_empty()
        {
            return url;
        }
        assert!(Instant::now() < deadline, "the default browser was not started");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// `run` on every item at once, each in its own thread (a wine run waits mostly for wine to start); the results in
/// the items' order, a panic passed on.
pub fn in_parallel<T: Sync, R: Send>(items: &[T], run: impl Fn(&T) -> R + Sync) -> Vec<R> {
    std::thread::scope(|scope| {
        let handles: Vec<_> = items.iter().map(|item| scope.spawn(|| run(item))).collect();
        handles
            .into_iter()
            .map(|handle| handle.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    })
}
