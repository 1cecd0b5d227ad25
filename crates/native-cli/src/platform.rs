//! What differs between Windows and Unix, in one place: where the home folder is, how a path under it is built
//! (so that Windows users see `C:\Users\me\.aws\credentials`, never `C:\Users\me\.aws/credentials`), replacing a
//! file that another program holds open, and waiting for the child of `ssocreds exec`.
//!
//! The rules are plain functions of their inputs (the environment comes in as a lookup function), so they are
//! unit-tested on every system; only the thin callers read the real environment.

use std::ffi::OsString;
use std::io;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// How long `replace` keeps trying while another program holds the target file open.
pub const REPLACE_RETRY_FOR: Duration = Duration::from_secs(5);

/// The home folder as the AWS SDKs' shared file-location rule has it: `HOME` on every system, then on Windows
/// `USERPROFILE`, then `HOMEDRIVE` + `HOMEPATH`. Empty values count as unset. `None` when none of them is set.
pub fn home_from(var: impl Fn(&str) -> Option<OsString>, windows: bool) -> Option<PathBuf> {
    let set = |name: &str| var(name).filter(|value| !value.is_empty());
    if let Some(home) = set("HOME") {
        return Some(PathBuf::from(home));
    }
    if !windows {
        return None;
    }
    if let Some(profile) = set("USERPROFILE") {
        return Some(PathBuf::from(profile));
    }
    match (set("HOMEDRIVE"), set("HOMEPATH")) {
        (Some(mut drive), Some(path)) => {
            drive.push(path);
            Some(PathBuf::from(drive))
        }
        _ => None,
    }
}

/// The home folder of this process: the SDKs' rule, else what the operating system says (the password database on
/// Unix; the profile folder of the signed-in user on Windows).
pub fn home() -> Option<PathBuf> {
    home_from(|name| std::env::var_os(name), cfg!(windows)).or_else(std::env::home_dir)
}

/// What to tell a user whose home folder cannot be found.
pub const HOME_VARIABLES: &str = if cfg!(windows) {
    "none of HOME, USERPROFILE, HOMEDRIVE and HOMEPATH is set"
} else {
    "HOME is not set"
};

/// `base` joined with a relative path written with `/` (`.aws/config`), one component at a time, so that the result
/// uses the platform's separator throughout.
pub fn join_relative(base: &Path, relative: &str) -> PathBuf {
    let mut path = base.to_owned();
    for component in relative
        .split(['/', std::path::MAIN_SEPARATOR])
        .filter(|c| !c.is_empty())
    {
        path.push(component);
    }
    path
}

/// The rest of a path that starts with the home folder's `~`: after `~/`, and on Windows also after `~\` (as the
/// SDKs' rule says).
pub fn strip_tilde(value: &str, windows: bool) -> Option<&str> {
    value
        .strip_prefix("~/")
        .or_else(|| if windows { value.strip_prefix("~\\") } else { None })
}

/// Whether an error from replacing a file means that another program has the file open (Windows refuses to
/// replace or rename over a file opened without `FILE_SHARE_DELETE`): `ERROR_ACCESS_DENIED` (5),
/// `ERROR_SHARING_VIOLATION` (32) or `ERROR_LOCK_VIOLATION` (33). Never on Unix, where renaming over an open file
/// always works.
pub fn held_by_another_program(error: &io::Error) -> bool {
    cfg!(windows) && matches!(error.raw_os_error(), Some(5 | 32 | 33))
}

/// Why replacing a file failed.
#[derive(Debug)]
pub struct ReplaceError {
    pub error: io::Error,
    /// Another program held the file open for all of `REPLACE_RETRY_FOR`.
    pub held_open: bool,
}

/// Renames a finished temporary file over `path`. While another program holds `path` open (an editor, an
/// antivirus scan, a sync client: common on Windows), tries again with a short growing pause, for at most
/// `REPLACE_RETRY_FOR`. On failure the temporary file is removed (dropped) and `path` is as it was: never a
/// half-written file.
pub fn replace(temporary: tempfile::NamedTempFile, path: &Path) -> Result<(), ReplaceError> {
    replace_with(temporary, path, REPLACE_RETRY_FOR, held_by_another_program)
}

fn replace_with(
    mut temporary: tempfile::NamedTempFile,
    path: &Path,
    retry_for: Duration,
    transient: impl Fn(&io::Error) -> bool,
) -> Result<(), ReplaceError> {
    let started = Instant::now();
    let mut pause = Duration::from_millis(10);
    loop {
        match temporary.persist(path) {
            Ok(_) => return Ok(()),
            Err(e) if transient(&e.error) => {
                if started.elapsed() + pause > retry_for {
                    return Err(ReplaceError {
                        error: e.error,
                        held_open: true,
                    });
                }
                temporary = e.file;
                std::thread::sleep(pause);
                pause = (pause * 2).min(Duration::from_millis(250));
            }
            Err(e) => {
                return Err(ReplaceError {
                    error: e.error,
                    held_open: false,
                });
            }
        }
    }
}

/// Runs the child of `ssocreds exec` and returns its exit code: Windows has no `exec()`, so ssocreds waits for the
/// child. Ctrl-C and Ctrl-Break reach every process of the console: ssocreds ignores them meanwhile, so the child
/// decides what they mean and ssocreds still reports the child's exit code.
#[cfg(not(unix))]
pub fn run_child(command: &mut std::process::Command) -> io::Result<i32> {
    // Fails only when a handler is already installed, which then keeps ssocreds alive just as well.
    let _ = ctrlc::set_handler(|| {});
    let status = command.status()?;
    Ok(status.code().unwrap_or(1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn lookup(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<OsString> {
        let map: HashMap<String, OsString> = vars.iter().map(|(k, v)| ((*k).to_owned(), (*v).into())).collect();
        move |name| map.get(name).cloned()
    }

    #[test]
    fn home_follows_the_sdks_order_on_windows() {
        let all = [
            ("HOME", r"D:\home"),
            ("USERPROFILE", r"C:\Users\me"),
            ("HOMEDRIVE", "E:"),
            ("HOMEPATH", r"\Users\me"),
        ];
        assert_eq!(home_from(lookup(&all), true), Some(PathBuf::from(r"D:\home")));
        assert_eq!(home_from(lookup(&all[1..]), true), Some(PathBuf::from(r"C:\Users\me")));
        assert_eq!(home_from(lookup(&all[2..]), true), Some(PathBuf::from(r"E:\Users\me")));
        assert_eq!(home_from(lookup(&all[3..]), true), None, "HOMEPATH alone is no home");
        assert_eq!(home_from(lookup(&[]), true), None);
    }

    #[test]
    fn empty_variables_count_as_unset() {
        let vars = [
            ("HOME", ""),
            ("USERPROFILE", ""),
            ("HOMEDRIVE", "C:"),
            ("HOMEPATH", r"\Users\me"),
        ];
        assert_eq!(home_from(lookup(&vars), true), Some(PathBuf::from(r"C:\Users\me")));
    }

    #[test]
    fn unix_reads_only_home() {
        let vars = [
            ("USERPROFILE", r"C:\Users\me"),
            ("HOMEDRIVE", "C:"),
            ("HOMEPATH", r"\x"),
        ];
        assert_eq!(home_from(lookup(&vars), false), None);
        assert_eq!(
            home_from(lookup(&[("HOME", "/home/me")]), false),
            Some(PathBuf::from("/home/me"))
        );
    }

    #[test]
    fn relative_paths_join_with_the_platform_separator() {
        let joined = join_relative(Path::new("base"), ".aws/sso/cache");
        let expected: PathBuf = ["base", ".aws", "sso", "cache"].iter().collect();
        assert_eq!(joined, expected);
        assert!(
            !joined
                .to_string_lossy()
                .contains(if cfg!(windows) { '/' } else { '\\' })
        );
    }

    #[test]
    fn tilde_takes_a_backslash_only_on_windows() {
        assert_eq!(strip_tilde("~/a/b", false), Some("a/b"));
        assert_eq!(strip_tilde(r"~\a", false), None);
        assert_eq!(strip_tilde(r"~\a", true), Some("a"));
        assert_eq!(strip_tilde("~user/a", true), None);
    }

    fn temporary_in(dir: &Path, text: &str) -> tempfile::NamedTempFile {
        let mut file = tempfile::NamedTempFile::new_in(dir).unwrap();
        std::io::Write::write_all(&mut file, text.as_bytes()).unwrap();
        file
    }

    #[test]
    fn replace_retries_while_the_error_lasts_then_succeeds() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("credentials");
        let calls = std::cell::Cell::new(0);
        // Pretend the first three attempts met a program holding the file.
        let transient = |_: &io::Error| {
            calls.set(calls.get() + 1);
            true
        };
        // A folder in the way makes persist fail the same way every time, so unblock it after three attempts.
        std::fs::create_dir(&target).unwrap();
        let unblock = std::thread::spawn({
            let target = target.clone();
            move || {
                std::thread::sleep(Duration::from_millis(50));
                std::fs::remove_dir(&target).unwrap();
            }
        });
        let result = replace_with(
            temporary_in(dir.path(), "new"),
            &target,
            Duration::from_secs(5),
            transient,
        );
        unblock.join().unwrap();
        assert!(result.is_ok());
        assert!(calls.get() >= 1);
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "new");
    }

    #[test]
    fn replace_gives_up_after_the_bound_and_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("credentials");
        std::fs::create_dir(&target).unwrap();
        let started = Instant::now();
        let error = replace_with(
            temporary_in(dir.path(), "new"),
            &target,
            Duration::from_millis(300),
            |_| true,
        )
        .expect_err("the folder stays in the way");
        assert!(error.held_open);
        let took = started.elapsed();
        assert!(
            took >= Duration::from_millis(150) && took < Duration::from_secs(2),
            "{took:?}"
        );
        let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(left.len(), 1, "only the folder in the way remains");
    }

    #[test]
    fn replace_does_not_retry_other_errors() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("credentials");
        std::fs::create_dir(&target).unwrap();
        let started = Instant::now();
        let error = replace_with(temporary_in(dir.path(), "new"), &target, Duration::from_secs(5), |_| {
            false
        })
        .expect_err("not retried");
        assert!(!error.held_open);
        assert!(started.elapsed() < Duration::from_secs(1));
    }
}
