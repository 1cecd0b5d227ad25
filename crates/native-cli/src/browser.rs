//! Opening a URL in the user's browser: `BROWSER` when set (as Python's `webbrowser`, which the AWS CLI uses),
//! else the platform's opener.

use std::process::{Command, Stdio};

/// Starts the browser on `url` without waiting for it: a browser started directly (`BROWSER=firefox`) runs until
/// it is closed. Returns a description of the failure when no program could be started; whether the browser then
/// shows the page is beyond our sight, which is why the caller prints the URL as well.
pub fn open(url: &str) -> Result<(), String> {
    let mut command = match std::env::var("BROWSER").ok().filter(|b| !b.trim().is_empty()) {
        // One program, the URL as its only argument: no shell, so nothing in the URL is interpreted.
        Some(program) => {
            let mut command = Command::new(program.trim());
            command.arg(url);
            command
        }
        None => platform_opener(url),
    };
    command.stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::null());
    let program = command.get_program().to_string_lossy().into_owned();
    command.spawn().map(drop).map_err(|e| format!("{program}: {e}"))
}

#[cfg(target_os = "macos")]
fn platform_opener(url: &str) -> Command {
    let mut command = Command::new("open");
    command.arg(url);
    command
}

/// `cmd /c start` would read the `&` between query parameters as a command separator; the URL protocol handler
/// takes the URL as one argument.
#[cfg(windows)]
fn platform_opener(url: &str) -> Command {
    let mut command = Command::new("rundll32.exe");
    command.arg("url.dll,FileProtocolHandler").arg(url);
    command
}

#[cfg(not(any(target_os = "macos", windows)))]
fn platform_opener(url: &str) -> Command {
    let mut command = Command::new("xdg-open");
    command.arg(url);
    command
}
