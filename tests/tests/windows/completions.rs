//! `ssocreds completions SHELL` and `ssocreds man` on Windows: the Linux build's bytes (PowerShell does not run under
//! wine, so its script is checked by bytes only), and the completion request PowerShell's script makes at each Tab
//! (`SSOCREDS_COMPLETE=powershell ssocreds -- WORDS`), which reads the profile names from
//! %USERPROFILE%\.aws\config, answered as on Linux.
//!
//! The script names the program as it was started: both builds are started as plain `ssocreds`, found on `PATH`,
//! as a user starts them (a script made by `Z:\…\ssocreds.exe` would name that path).

use std::process::Command;

use crate::sandbox::*;
use crate::wine::{self, HomeVars, WinCommand};

/// The outputs compared: a file name and the arguments (with `SSOCREDS_COMPLETE`, when set, for a Tab request).
const OUTPUTS: [(&str, Option<&str>, &[&str]); 8] = [
    ("powershell.ps1", None, &["completions", "powershell"]),
    ("bash.sh", None, &["completions", "bash"]),
    ("zsh.zsh", None, &["completions", "zsh"]),
    ("fish.fish", None, &["completions", "fish"]),
    ("elvish.elv", None, &["completions", "elvish"]),
    ("ssocreds.1", None, &["man"]),
    (
        "tab-profile.txt",
        Some("powershell"),
        &["--", "ssocreds", "export", "--profile", ""],
    ),
    ("tab-command.txt", Some("powershell"), &["--", "ssocreds", "ex"]),
];

/// One argument of a `.cmd` line: plain when it needs no quotes, else in double quotes.
fn cmd_arg(arg: &str) -> String {
    if !arg.is_empty() && arg.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b)) {
        arg.to_owned()
    } else {
        format!("\"{arg}\"")
    }
}

#[test]
#[ignore = "needs wine: run scripts/test-windows.sh"]
fn completions_and_man_give_the_linux_builds_bytes() {
    let sandbox = WinSandbox::new();
    sandbox.write_config();
    let win_dir = sandbox.path("win");
    std::fs::create_dir_all(&win_dir).unwrap();
    let exe_dir = wine::win_path(wine::exe().parent().unwrap());
    // One cmd for every output: each wine start costs more than the runs themselves.
    let mut lines = vec!["@echo off".to_owned(), format!("set \"PATH={exe_dir};%PATH%\"")];
    for (file, complete, args) in OUTPUTS {
        lines.push(format!("set SSOCREDS_COMPLETE={}", complete.unwrap_or("")));
        let args: Vec<String> = args.iter().map(|a| cmd_arg(a)).collect();
        let out = wine::win_path(&win_dir.join(file));
        // Not `… || exit /b 1`: wine's cmd takes that branch after a redirected command that succeeded.
        lines.push(format!("ssocreds {} >\"{out}\"", args.join(" ")));
        lines.push("if %ERRORLEVEL% neq 0 exit /b %ERRORLEVEL%".to_owned());
    }
    let script = write_script(&sandbox, "outputs.cmd", &lines);
    let run = wine::wine_run(&WinCommand::new("cmd", &["/c", &script]).home(HomeVars::windows_user(sandbox.home())));
    run.assert_success();
    assert!(run.stderr.is_empty(), "{}", run.stderr_text());

    let linux_dir = crate::linux::binary().parent().unwrap();
    let path = std::env::join_paths(
        std::iter::once(linux_dir.to_path_buf()).chain(std::env::split_paths(&std::env::var_os("PATH").unwrap())),
    )
    .unwrap();
    for (file, complete, args) in OUTPUTS {
        let mut linux = Command::new("ssocreds");
        linux
            .args(args)
            .env_clear()
            .env("HOME", sandbox.home())
            .env("PATH", &path);
        if let Some(shell) = complete {
            linux.env("SSOCREDS_COMPLETE", shell);
        }
        let linux = linux.output().unwrap();
        assert!(linux.status.success(), "{file}: {linux:?}");
        let win = std::fs::read(win_dir.join(file)).unwrap();
        assert!(!win.is_empty(), "{file} is empty");
        assert_eq!(
            String::from_utf8_lossy(&win),
            String::from_utf8_lossy(&linux.stdout),
            "{file}: the Linux build's bytes"
        );
        assert_eq!(win, linux.stdout, "{file}");
    }
    let tab = std::fs::read_to_string(win_dir.join("tab-profile.txt")).unwrap();
    for profile in ["dev", "legacy", "plain"] {
        assert!(
            tab.lines().any(|line| line.split('\t').next() == Some(profile)),
            "the profiles of %USERPROFILE%\\.aws\\config: {tab}"
        );
    }
    let tab = std::fs::read_to_string(win_dir.join("tab-command.txt")).unwrap();
    assert!(tab.lines().any(|line| line.starts_with("export")), "{tab}");
    assert!(tab.lines().any(|line| line.starts_with("exec")), "{tab}");
}
