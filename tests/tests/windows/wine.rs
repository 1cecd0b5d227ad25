//! Running Windows programs under wine: `wine_run` (one command, waited for) and `wine_spawn` (one command in the
//! background), each with its own environment, arguments and home-folder variables.
//!
//! What wine 8.0 (Debian 12) needs, learnt the hard way:
//! - wine does not pass `HOME`, `USERPROFILE`, `HOMEDRIVE` or `HOMEPATH` from Linux (it sets the last three from
//!   its prefix and drops `HOME`), so they are set in a `.cmd` launcher; every other variable passes through;
//! - the first program of a fresh wineserver starts wine's helper processes, which inherit its pipes and hold
//!   them ~2.5 s after it exits: `wine_ready` starts a persistent wineserver (`wineserver -p`) and a first program
//!   with no pipes, once per test run;
//! - the exit code of a `.cmd` file is the `exit /b` value; the launcher also writes the full 32-bit code to a file,
//!   as wine hands Linux only its low 8 bits.

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// The environment variable scripts/test-windows.sh sets to the cross-built `ssocreds.exe`.
pub const EXE_VARIABLE: &str = "SSOCREDS_WINDOWS_EXE";
/// The folder with the helper programs built by scripts/test-windows.sh (`hold-file.exe`).
pub const HELPERS_VARIABLE: &str = "SSOCREDS_WINDOWS_HELPERS";

/// How long one command may run before the test fails.
const TIMEOUT: Duration = Duration::from_secs(90);

/// The cross-built `ssocreds.exe` (a Linux path). Panics with what to do when it is not set or not there: the wine
/// tests are `#[ignore]`d, so reaching this means someone asked for them.
pub fn exe() -> &'static Path {
    static EXE: OnceLock<PathBuf> = OnceLock::new();
    EXE.get_or_init(|| {
        let path = std::env::var_os(EXE_VARIABLE)
            .map(PathBuf::from)
            .unwrap_or_else(|| panic!("{EXE_VARIABLE} is not set: run the Windows tests with scripts/test-windows.sh"));
        assert!(path.is_file(), "{EXE_VARIABLE}={} is not a file", path.display());
        wine_ready();
        path
    })
}

/// A helper program built by scripts/test-windows.sh, as a Windows path.
pub fn helper(name: &str) -> String {
    let dir = std::env::var_os(HELPERS_VARIABLE)
        .map(PathBuf::from)
        .unwrap_or_else(|| panic!("{HELPERS_VARIABLE} is not set: run scripts/test-windows.sh"));
    let path = dir.join(name);
    assert!(
        path.is_file(),
        "{} is missing: run scripts/test-windows.sh",
        path.display()
    );
    win_path(&path)
}

/// The Windows form of a Linux path: wine maps `/` to drive `Z:`.
pub fn win_path(path: &Path) -> String {
    let absolute = std::path::absolute(path).expect("absolute path");
    format!("Z:{}", absolute.to_str().expect("UTF-8 path").replace('/', "\\"))
}

/// Starts the persistent wineserver and wine's helper processes, once; fails loudly when wine is missing.
fn wine_ready() {
    static READY: OnceLock<()> = OnceLock::new();
    READY.get_or_init(|| {
        assert!(
            std::env::var_os("WINEPREFIX").is_some(),
            "WINEPREFIX is not set: run the Windows tests with scripts/test-windows.sh"
        );
        // A server still lingering after the script's setup would refuse to be made persistent: stop it first.
        // No pipes of ours: the server and wine's helper processes outlive this test run.
        let quiet = |args: &[&str]| {
            base_command("wineserver")
                .args(args)
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|s| s.success())
        };
        let started = (0..20).any(|_| {
            quiet(&["-k"]);
            quiet(&["-p"]) || {
                std::thread::sleep(Duration::from_millis(250));
                false
            }
        });
        assert!(
            started,
            "cannot start wineserver: is wine installed? (scripts/test-windows.sh installs it)"
        );
        let warm = base_command("wine")
            .args(["cmd", "/c", "exit 0"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        assert!(
            warm.is_ok_and(|s| s.success()),
            "wine cannot run cmd: is the prefix ready? (scripts/test-windows.sh prepares it)"
        );
    });
}

/// A Linux command with only what wine itself needs from this environment.
fn base_command(program: &str) -> Command {
    let mut command = Command::new(program);
    command.env_clear();
    for name in [
        "PATH",
        "HOME",
        "USER",
        "WINEPREFIX",
        "WINEDLLOVERRIDES",
        "WINEDEBUG",
        "WINESERVER",
        "WINELOADER",
    ] {
        if let Some(value) = std::env::var_os(name) {
            command.env(name, value);
        }
    }
    command
}

/// The home-folder variables a Windows program sees: `None` leaves one unset (wine's own values are removed too).
#[derive(Clone, Debug, Default)]
pub struct HomeVars {
    pub home: Option<String>,
    pub userprofile: Option<String>,
    pub homedrive: Option<String>,
    pub homepath: Option<String>,
}

impl HomeVars {
    /// As on a usual Windows machine: `USERPROFILE` and `HOMEDRIVE`+`HOMEPATH` name the same folder; no `HOME`.
    pub fn windows_user(home: &Path) -> Self {
        let full = win_path(home);
        let (drive, path) = full.split_at(2);
        Self {
            home: None,
            userprofile: Some(full.clone()),
            homedrive: Some(drive.to_owned()),
            homepath: Some(path.to_owned()),
        }
    }
}

/// One Windows command: a program (a Windows path, or a name found on wine's PATH such as `cmd`), its arguments,
/// environment variables (passed through wine) and home-folder variables (set by the launcher).
#[derive(Clone, Debug)]
pub struct WinCommand {
    pub program: String,
    pub args: Vec<String>,
    pub env: Vec<(String, String)>,
    /// `None`: run the program directly, with wine's own home variables (for arguments that no `.cmd` line can
    /// carry, such as a line break).
    pub home: Option<HomeVars>,
}

impl WinCommand {
    pub fn new(program: impl Into<String>, args: &[&str]) -> Self {
        Self {
            program: program.into(),
            args: args.iter().map(|a| (*a).to_owned()).collect(),
            env: Vec::new(),
            home: None,
        }
    }

    pub fn env(mut self, name: &str, value: &str) -> Self {
        self.env.push((name.to_owned(), value.to_owned()));
        self
    }

    /// The same environment and home folder, another program and arguments.
    pub fn with_program(mut self, program: &str, args: &[&str]) -> Self {
        self.program = program.to_owned();
        self.args = args.iter().map(|a| (*a).to_owned()).collect();
        self
    }

    pub fn home(mut self, home: HomeVars) -> Self {
        self.home = Some(home);
        self
    }
}

/// What a Windows command did.
#[derive(Debug)]
pub struct WinRun {
    /// The full exit code as the launcher saw it (the low 8 bits, as wine gives Linux, when run directly).
    pub code: i64,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
}

impl WinRun {
    pub fn stdout_text(&self) -> String {
        String::from_utf8(self.stdout.clone()).expect("stdout is UTF-8")
    }

    pub fn stderr_text(&self) -> String {
        String::from_utf8_lossy(&self.stderr).into_owned()
    }

    pub fn assert_success(&self) -> &Self {
        assert_eq!(
            self.code,
            0,
            "expected success\nstdout:\n{}\nstderr:\n{}",
            String::from_utf8_lossy(&self.stdout),
            self.stderr_text()
        );
        self
    }
}

/// A Windows command running in the background.
pub struct WinChild {
    child: Child,
    code_file: Option<tempfile::TempDir>,
    stdout: BufReader<std::process::ChildStdout>,
    stderr: std::thread::JoinHandle<Vec<u8>>,
}

impl WinChild {
    /// Reads one line of its stdout (waits for it).
    pub fn read_line(&mut self) -> String {
        let mut line = String::new();
        self.stdout.read_line(&mut line).expect("read stdout");
        line
    }

    /// Waits for the command (at most `TIMEOUT`) and collects what it wrote.
    pub fn wait(mut self) -> WinRun {
        let started = Instant::now();
        let status = loop {
            if let Some(status) = self.child.try_wait().expect("wait for wine") {
                break status;
            }
            if started.elapsed() > TIMEOUT {
                let _ = self.child.kill();
                panic!("a wine command ran for more than {} s", TIMEOUT.as_secs());
            }
            std::thread::sleep(Duration::from_millis(5));
        };
        let mut stdout = Vec::new();
        self.stdout.read_to_end(&mut stdout).expect("read stdout");
        let stderr = self.stderr.join().expect("stderr reader");
        let linux_code = status.code().unwrap_or(-1);
        let code = match &self.code_file {
            Some(dir) => {
                let text = std::fs::read_to_string(dir.path().join("code.txt")).unwrap_or_else(|e| {
                    panic!(
                        "the launcher wrote no exit code ({e}); stderr: {}",
                        String::from_utf8_lossy(&stderr)
                    )
                });
                text.trim().parse().expect("exit code")
            }
            None => i64::from(linux_code),
        };
        assert_eq!(
            code & 0xff,
            i64::from(linux_code) & 0xff,
            "the launcher's and wine's exit codes differ"
        );
        WinRun { code, stdout, stderr }
    }
}

/// Runs a Windows command under wine and waits for it.
pub fn wine_run(command: &WinCommand) -> WinRun {
    wine_spawn(command).wait()
}

/// Starts a Windows command under wine; `WinChild::wait` collects it.
pub fn wine_spawn(command: &WinCommand) -> WinChild {
    wine_ready();
    let mut wine = base_command("wine");
    let mut code_file = None;
    match &command.home {
        Some(home) => {
            let dir = tempfile::tempdir().expect("launcher folder");
            let launcher = dir.path().join("launch.cmd");
            std::fs::write(&launcher, launcher_text(command, home, &dir.path().join("code.txt"))).unwrap();
            wine.args(["cmd", "/c"]).arg(win_path(&launcher));
            code_file = Some(dir);
        }
        None => {
            wine.arg(&command.program).args(&command.args);
        }
    }
    wine.envs(command.env.iter().map(|(k, v)| (k, v)))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = wine.spawn().expect("run wine (is it installed?)");
    let stdout = BufReader::new(child.stdout.take().unwrap());
    let mut stderr_pipe = child.stderr.take().unwrap();
    let stderr = std::thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = stderr_pipe.read_to_end(&mut bytes);
        bytes
    });
    WinChild {
        child,
        code_file,
        stdout,
        stderr,
    }
}

/// The `.cmd` launcher: sets (or clears) the home variables, runs the program with its arguments quoted for cmd
/// and for the program's own command-line parser, writes the full exit code, and exits with it.
fn launcher_text(command: &WinCommand, home: &HomeVars, code_file: &Path) -> String {
    let mut lines = vec!["@echo off".to_owned()];
    for (name, value) in [
        ("HOME", &home.home),
        ("USERPROFILE", &home.userprofile),
        ("HOMEDRIVE", &home.homedrive),
        ("HOMEPATH", &home.homepath),
    ] {
        match value {
            Some(value) => lines.push(format!("set \"{name}={}\"", cmd_safe(value))),
            None => lines.push(format!("set {name}=")),
        }
    }
    let mut call = quote_arg(&command.program);
    for arg in &command.args {
        call.push(' ');
        call.push_str(&quote_arg(arg));
    }
    lines.push(call);
    // In a .cmd file `set` resets ERRORLEVEL, so the code is expanded into the line before that happens.
    lines.push("set SSOCREDS_TEST_CODE=%ERRORLEVEL%".to_owned());
    lines.push(format!(">\"{}\" echo %SSOCREDS_TEST_CODE%", win_path(code_file)));
    lines.push("exit /b %SSOCREDS_TEST_CODE%".to_owned());
    let mut text = lines.join("\r\n");
    text.push_str("\r\n");
    text
}

/// A value inside a `.cmd` line within double quotes: `%` doubled; what cmd cannot carry is refused.
fn cmd_safe(value: &str) -> String {
    assert!(
        !value.contains(['"', '\n', '\r', '\0']),
        "a .cmd line cannot carry {value:?}: run the command without the launcher (home: None)"
    );
    value.replace('%', "%%")
}

/// One argument in double quotes, as the Microsoft C runtime (and Rust's std) reads the command line: backslashes
/// before the closing quote doubled.
fn quote_arg(arg: &str) -> String {
    let safe = cmd_safe(arg);
    let trailing = safe.len() - safe.trim_end_matches('\\').len();
    format!("\"{safe}{}\"", "\\".repeat(trailing))
}

/// The variable that marks the Linux processes of one Windows command, for `send_ctrl_c`: wine gives a Windows
/// process's environment to the Linux process that runs it.
pub const MARK_VARIABLE: &str = "SSOCREDS_TEST_MARK";

/// Ctrl-C for a Windows program under wine, which has no console to press it in when its output goes to pipes:
/// SIGINT to the Linux process that runs it (found by `MARK_VARIABLE=mark` in its environment and `program` in its
/// command line), which wine turns into a `CTRL_C_EVENT` for the handlers the program registered
/// (`SetConsoleCtrlHandler`), as a Ctrl-C in a console would. Returns how many processes were signalled.
pub fn send_ctrl_c(mark: &str, program: &str) -> usize {
    let wanted = format!("{MARK_VARIABLE}={mark}");
    let pids: Vec<String> = std::fs::read_dir("/proc")
        .expect("/proc")
        .filter_map(Result::ok)
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .filter(|pid| pid.bytes().all(|b| b.is_ascii_digit()))
        .filter(|pid| {
            let read = |what: &str| std::fs::read(format!("/proc/{pid}/{what}")).unwrap_or_default();
            let environ = read("environ");
            let cmdline = String::from_utf8_lossy(&read("cmdline")).into_owned();
            environ.split(|b| *b == 0).any(|v| v == wanted.as_bytes()) && cmdline.contains(program)
        })
        .collect();
    for pid in &pids {
        let status = Command::new("kill").args(["-INT", pid]).status().expect("run kill");
        assert!(status.success(), "kill -INT {pid}");
    }
    pids.len()
}
