//! The Windows build (`ssocreds.exe`, cross-built for x86_64-pc-windows-gnu) run under wine against the fake portal
//! on 127.0.0.1, side by side with the Linux build: same bytes out, same exit codes, Windows paths and behaviour.
//!
//! Every test here is `#[ignore]`d, so a plain `cargo test --workspace` does not run them: they need wine, the
//! cross-built `.exe` and a prepared wine prefix. `scripts/test-windows.sh` provides all three and runs them with
//! `--ignored`; run that way without them, they fail loudly rather than pass.
//!
//! To cover a new command under wine: `WinSandbox::run(&[...])` runs the `.exe` with a Windows user's home folder
//! and the fake portal's endpoints, `WinSandbox::run_linux` the Linux build on the same files; `wine::wine_run`
//! runs any Windows command line with its own environment and home-folder variables.

/// The end-to-end tests' harness: the Linux build, the fake portal's usual configuration, tokens and snapshots.
#[path = "../e2e/harness.rs"]
#[expect(dead_code, reason = "shared with the end-to-end tests, which use all of it")]
mod linux;

// Running Windows programs under wine: the `.cmd` launcher, the persistent wineserver, exit codes.
mod wine;

// A temporary home folder and fake portal shared by a Windows and a Linux run.
mod sandbox;

// The tests' own HTTP requests to 127.0.0.1 (playing the browser).
mod http;

// Every export format: the Linux build's bytes; `windows-cmd` run by cmd (saved and CALLed, and through `for /f`).
mod formats;

// `write` into a CRLF credentials file and while another program holds it open; refreshes and writes under the
// lock with concurrent runs.
mod files;

// Profiles from %USERPROFILE%\.aws\config, `process`, `token`, `roles`, `accounts`, `exec`, the home-folder order.
mod commands;

// `login`: the default browser (the registry's http handler) gets the whole URL; the token lands in the profile.
mod login;

// The bad-input table of the end-to-end tests: the Linux build's exit codes and messages.
mod failures;

// `console`: `--print` gives the Linux build's URL; the default browser gets it otherwise; refusals' exit codes.
mod console;

// Role chains from %USERPROFILE%\.aws\config through `export` and `process` against the fake STS: the Linux build's
// bytes, `--mfa-code`, STS errors' exit codes, the chain's cache in the profile folder.
mod chains;

// `completions SHELL` and `man`: the Linux build's bytes; PowerShell's Tab request reads the profile names.
mod completions;

// `serve` (the variables for cmd and PowerShell, a Linux client's GET, 401, Ctrl-C) and `exec --serve`.
mod serve;
