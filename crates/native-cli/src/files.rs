//! Files that ssocreds writes: atomically (temporary file in the same folder, fsync, rename), mode 0600 in folders
//! created 0700, and under a lock file so that concurrent ssocreds processes take turns.

use std::fs;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::failure::{Exit, Failure};

/// How long to wait for another ssocreds process to finish with a file.
const LOCK_TIMEOUT: Duration = Duration::from_secs(60);

/// Creates `dir` and its missing parents with mode 0700.
pub fn create_private_dir(dir: &Path) -> Result<(), Failure> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder
        .create(dir)
        .map_err(|e| Failure::new(Exit::Write, format!("cannot create the folder {}: {e}", dir.display())))
}

/// Replaces `path` with `contents` atomically: readers see the old file or the new one, never a mix, and a crash
/// leaves the old file in place. The new file has mode 0600.
pub fn write_atomic(path: &Path, contents: &[u8]) -> Result<(), Failure> {
    let dir = parent(path);
    create_private_dir(dir)?;
    let fail = |e: std::io::Error| Failure::new(Exit::Write, format!("cannot write {}: {e}", path.display()));
    // tempfile creates the file with mode 0600 on Unix.
    let mut temporary = tempfile::Builder::new()
        .prefix(".ssocreds-")
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(fail)?;
    temporary.write_all(contents).map_err(fail)?;
    temporary.as_file().sync_all().map_err(fail)?;
    crate::platform::replace(temporary, path).map_err(|e| {
        if !e.held_open {
            return fail(e.error);
        }
        Failure::new(
            Exit::Write,
            format!(
                "cannot replace {}: still refused after {} s ({}); another program (an editor, a sync client, an \
                 antivirus scan) may hold it open, or it is read-only: close that program and run again; the file is \
                 unchanged",
                path.display(),
                crate::platform::REPLACE_RETRY_FOR.as_secs(),
                e.error
            ),
        )
    })
}

fn parent(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// An exclusive lock on `<path>.lock`, held until dropped. The lock file itself stays: removing it would race with
/// a process that is opening it.
pub struct FileLock {
    _file: fs::File,
}

impl FileLock {
    pub fn acquire(path: &Path) -> Result<Self, Failure> {
        let lock_path = lock_path(path);
        create_private_dir(parent(&lock_path))?;
        let mut options = fs::OpenOptions::new();
        options.create(true).truncate(false).read(true).write(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let file = options.open(&lock_path).map_err(|e| {
            Failure::new(
                Exit::Write,
                format!("cannot open the lock file {}: {e}", lock_path.display()),
            )
        })?;
        let started = Instant::now();
        loop {
            match file.try_lock() {
                Ok(()) => return Ok(Self { _file: file }),
                Err(fs::TryLockError::WouldBlock) if started.elapsed() < LOCK_TIMEOUT => {
                    std::thread::sleep(Duration::from_millis(10));
                }
                Err(fs::TryLockError::WouldBlock) => {
                    return Err(Failure::new(
                        Exit::Write,
                        format!(
                            "another process has held {} for {} s; if no ssocreds is running, remove that file",
                            lock_path.display(),
                            LOCK_TIMEOUT.as_secs()
                        ),
                    ));
                }
                Err(fs::TryLockError::Error(e)) => {
                    return Err(Failure::new(
                        Exit::Write,
                        format!("cannot lock {}: {e}", lock_path.display()),
                    ));
                }
            }
        }
    }
}

fn lock_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".lock");
    path.with_file_name(name)
}

/// Reads a text file of at most `limit` bytes; a missing file reads as `None`.
pub fn read_text(path: &Path, limit: u64, what: &str, exit: Exit) -> Result<Option<String>, Failure> {
    let file = match fs::File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            return Err(Failure::new(
                exit,
                format!("cannot read {what} {}: {e}", path.display()),
            ));
        }
    };
    let mut bytes = Vec::new();
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Failure::new(exit, format!("cannot read {what} {}: {e}", path.display())))?;
    if bytes.len() as u64 > limit {
        return Err(Failure::new(
            exit,
            format!(
                "{what} {} is larger than {limit} bytes; is it the right file?",
                path.display()
            ),
        ));
    }
    String::from_utf8(bytes)
        .map(Some)
        .map_err(|_| Failure::new(exit, format!("{what} {} is not UTF-8 text", path.display())))
}

/// The home folder: `HOME`, then on Windows `USERPROFILE`, then `HOMEDRIVE`+`HOMEPATH`, else what the OS says.
pub fn home() -> Result<PathBuf, Failure> {
    crate::platform::home().ok_or_else(|| {
        Failure::new(
            Exit::Cache,
            format!("cannot find the home folder: {}", crate::platform::HOME_VARIABLES),
        )
    })
}

/// A path from an environment variable, else `~/<default>`; `~/` (on Windows also `~\\`) at the start of the variable
/// is expanded.
pub fn env_path(variable: &str, default: &str) -> Result<PathBuf, Failure> {
    match std::env::var(variable).ok().filter(|v| !v.is_empty()) {
        Some(value) => match crate::platform::strip_tilde(&value, cfg!(windows)) {
            Some(rest) => Ok(crate::platform::join_relative(&home()?, rest)),
            None => Ok(PathBuf::from(value)),
        },
        None => Ok(crate::platform::join_relative(&home()?, default)),
    }
}
