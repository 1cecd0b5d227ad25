//! `fake-portal`: the fake IAM Identity Center portal and OIDC server as a process, for the Node tests and
//! the offline demo.
//!
//! ```text
//! fake-portal [--port N] [--config FILE.json | --demo]
//!     Print `http://127.0.0.1:PORT` on one line of stdout, then serve until killed.
//! fake-portal run [--port N] [--config FILE.json | --demo] -- CMD [ARGS...]
//!     Serve while CMD runs with AWS_ENDPOINT_URL_SSO and AWS_ENDPOINT_URL_SSO_OIDC pointing here; exit with
//!     its exit code.
//! ```

use std::io::Write as _;
use std::path::PathBuf;
use std::process::{Command, ExitCode};

use ssocreds_tests::fake_portal::{FakePortal, PortalConfig};

const USAGE: &str = "\
usage: fake-portal [--port N] [--config FILE.json | --demo]
       fake-portal run [--port N] [--config FILE.json | --demo] -- CMD [ARGS...]

Serves a fake AWS IAM Identity Center portal and OIDC API on 127.0.0.1.

  --port N            listen on port N (default: any free port)
  --config FILE.json  behaviour, as the JSON of PortalConfig (camelCase)
  --demo              accept the token of tests/fixtures/demo-cache.json: account
                      111122223333 (demo-account), roles ReadOnly and Admin

Without `run`, prints the server URL on one line of stdout and serves until killed;
POST /__fake/config, GET /__fake/requests and GET /__fake/state drive it.
With `run`, runs CMD with AWS_ENDPOINT_URL_SSO and AWS_ENDPOINT_URL_SSO_OIDC set to the
server URL and exits with its code. A CMD without a path is looked up first beside this
executable (the workspace's target directory), then on PATH.";

struct Options {
    port: u16,
    config: PortalConfig,
    command: Option<Vec<String>>,
}

fn parse_args(args: Vec<String>) -> Result<Options, String> {
    let mut args = args.into_iter().peekable();
    let run = args.peek().is_some_and(|a| a == "run");
    if run {
        args.next();
    }
    let mut port = 0;
    let mut config_file = None;
    let mut demo = false;
    let mut command = None;
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "-h" | "--help" => return Err(String::new()),
            "--port" => {
                let value = args.next().ok_or("--port needs a value")?;
                port = value.parse().map_err(|_| format!("invalid port {value:?}"))?;
            }
            "--config" => config_file = Some(args.next().ok_or("--config needs a file")?),
            "--demo" => demo = true,
            "--" if run => {
                command = Some(args.by_ref().collect::<Vec<_>>());
            }
            other => return Err(format!("unexpected argument {other:?}")),
        }
    }
    let config = match (config_file, demo) {
        (Some(_), true) => return Err("--config and --demo exclude each other".into()),
        (Some(path), false) => {
            let text = std::fs::read_to_string(&path).map_err(|e| format!("cannot read {path}: {e}"))?;
            serde_json::from_str(&text).map_err(|e| format!("invalid config in {path}: {e}"))?
        }
        (None, true) => PortalConfig::demo(),
        (None, false) => PortalConfig::default(),
    };
    if run && command.as_ref().is_none_or(Vec::is_empty) {
        return Err("`run` needs a command after `--`".into());
    }
    Ok(Options { port, config, command })
}

/// A bare program name is looked up beside this executable first, so that the demo runs the `ssocreds`
/// built in the same target directory rather than whatever is installed.
fn resolve(program: &str) -> PathBuf {
    if !program.contains(std::path::MAIN_SEPARATOR) && !program.contains('/') {
        let sibling = std::env::current_exe().ok().and_then(|exe| {
            exe.parent()
                .map(|dir| dir.join(format!("{program}{}", std::env::consts::EXE_SUFFIX)))
        });
        if let Some(sibling) = sibling.filter(|p| p.is_file()) {
            return sibling;
        }
    }
    PathBuf::from(program)
}

fn run_command(url: &str, command: &[String]) -> ExitCode {
    let (program, args) = command.split_first().expect("checked non-empty");
    let mut child = match Command::new(resolve(program))
        .args(args)
        .env("AWS_ENDPOINT_URL_SSO", url)
        .env("AWS_ENDPOINT_URL_SSO_OIDC", url)
        .spawn()
    {
        Ok(child) => child,
        Err(e) => {
            eprintln!("fake-portal: cannot run {program}: {e} (is it built? try `cargo build --workspace`)");
            return ExitCode::from(127);
        }
    };
    match child.wait() {
        Ok(status) => ExitCode::from(exit_code(status)),
        Err(e) => {
            eprintln!("fake-portal: waiting for {program}: {e}");
            ExitCode::from(1)
        }
    }
}

fn exit_code(status: std::process::ExitStatus) -> u8 {
    if let Some(code) = status.code() {
        return u8::try_from(code & 0xff).unwrap_or(1);
    }
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt as _;
        if let Some(signal) = status.signal() {
            return u8::try_from(128 + (signal & 0x7f)).unwrap_or(1);
        }
    }
    1
}

fn main() -> ExitCode {
    let options = match parse_args(std::env::args().skip(1).collect()) {
        Ok(options) => options,
        Err(message) if message.is_empty() => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            eprintln!("fake-portal: {message}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let portal = match FakePortal::start_on_port(options.port, options.config) {
        Ok(portal) => portal,
        Err(e) => {
            eprintln!("fake-portal: cannot listen on 127.0.0.1:{}: {e}", options.port);
            return ExitCode::from(1);
        }
    };
    let url = portal.url();
    if let Some(command) = options.command {
        return run_command(&url, &command);
    }
    let mut stdout = std::io::stdout();
    if writeln!(stdout, "{url}").and_then(|()| stdout.flush()).is_err() {
        return ExitCode::from(1);
    }
    loop {
        std::thread::park();
    }
}
