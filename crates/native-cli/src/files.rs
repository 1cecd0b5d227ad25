//! Files that ssocreds writes: atomically (temporary file in the same folder, fsync, rename), mode 0600 in folders
//! created 0700, and under a lock file so that concurrent ssocreds processes take turns.
//!
//! A file that is a symbolic link (dotfiles managers link `~/.aws/config` and `~/.aws/credentials` into a
//! repository) is written through: [`Destination::of`] follows the link to its final target, and the temporary file,
//! the lock and the rename all happen in the target's folder, so the link stays a link and the target gets the
//! change, as the AWS CLI's writes do. Every writer here resolves through that one function.

use std::fs;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::failure::{Exit, Failure};

/// How long to wait for another ssocreds process to finish with a file.
const LOCK_TIMEOUT: Duration = Duration::from_secs(60);

/// More links than this in a chain is a loop, as the kernel's own limit (`ELOOP`) says.
const MAX_LINKS: usize = 40;

/// Where a write of a path lands: the path itself, or the final target of the link(s) it is.
#[derive(Debug)]
struct Destination {
    /// The path as asked for (`~/.aws/credentials`).
    requested: PathBuf,
    /// The file to replace: `requested`, or the canonical path of the last link's target.
    target: PathBuf,
    /// Whether `requested` is a symbolic link.
    linked: bool,
}

impl Destination {
    /// Follows `path` through any chain of symbolic links (relative ones from their own folder) to the file to
    /// replace. A link's target need not exist yet, but its folder must, and an existing target must be writable:
    /// ssocreds writes into the link's folder on the user's behalf, never into a store it may not change.
    fn of(path: &Path) -> Result<Self, Failure> {
        let mut current = path.to_path_buf();
        let mut hops = 0;
        loop {
            let is_link = match fs::symlink_metadata(&current) {
                Ok(meta) => meta.file_type().is_symlink(),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => false,
                Err(e) => {
                    return Err(Failure::new(
                        Exit::Write,
                        format!("cannot write {}: {e}", current.display()),
                    ));
                }
            };
            if !is_link {
                break;
            }
            hops += 1;
            if hops > MAX_LINKS {
                return Err(Failure::new(
                    Exit::Write,
                    format!(
                        "cannot write {}: more than {MAX_LINKS} symbolic links in a row (a loop?); point it at a file",
                        path.display()
                    ),
                ));
            }
            let link = fs::read_link(&current)
                .map_err(|e| Failure::new(Exit::Write, format!("cannot read the link {}: {e}", current.display())))?;
            // A relative link is relative to the folder that holds it; an absolute one replaces the path.
            current = parent(&current).join(link);
        }
        if hops == 0 {
            return Ok(Self {
                requested: path.to_path_buf(),
                target: current,
                linked: false,
            });
        }
        let mut destination = Self {
            requested: path.to_path_buf(),
            target: current.clone(),
            linked: true,
        };
        let (Some(name), Ok(folder)) = (current.file_name(), fs::canonicalize(parent(&current))) else {
            return Err(destination.failure("its folder does not exist", None));
        };
        destination.target = folder.join(name);
        match fs::metadata(&destination.target) {
            Ok(meta) if meta.is_dir() => return Err(destination.failure("it is a folder", None)),
            Ok(_) => {
                // Opened for writing without truncating: changes nothing, and fails as a write would for a file
                // that is read-only, on a read-only file system, or another user's.
                if let Err(e) = fs::OpenOptions::new().write(true).open(&destination.target) {
                    return Err(destination.failure("it cannot be written", Some(e)));
                }
            }
            Err(_) => {}
        }
        Ok(destination)
    }

    /// The file's folder: created (0700) for a plain path, required to exist for a link's target.
    fn folder(&self) -> Result<&Path, Failure> {
        let folder = parent(&self.target);
        if !self.linked {
            create_private_dir(folder)?;
        }
        Ok(folder)
    }

    /// A failure to write, naming the link and its target when there is a link.
    fn failure(&self, what: &str, error: Option<std::io::Error>) -> Failure {
        let cause = error.map(|e| format!(": {e}")).unwrap_or_default();
        if self.linked {
            Failure::new(
                Exit::Write,
                format!(
                    "cannot write {}: it is a symbolic link to {}, and {what}{cause}. ssocreds writes through links \
                     (as the AWS CLI does) and changed nothing: make {} and its folder writable, or replace the link with a \
                     copy of the file",
                    self.requested.display(),
                    self.target.display(),
                    self.target.display()
                ),
            )
        } else {
            Failure::new(
                Exit::Write,
                format!("cannot write {}: {what}{cause}", self.requested.display()),
            )
        }
    }
}

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

/// Replaces `path` (or, when it is a symbolic link, the link's final target) with `contents` atomically: readers
/// see the old file or the new one, never a mix, and a crash leaves the old file in place. The new file has mode
/// 0600.
pub fn write_atomic(path: &Path, contents: &[u8]) -> Result<(), Failure> {
    let destination = Destination::of(path)?;
    let dir = destination.folder()?;
    // tempfile creates the file with mode 0600 on Unix.
    let mut temporary = tempfile::Builder::new()
        .prefix(".ssocreds-")
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(|e| destination.failure("no file can be created in its folder", Some(e)))?;
    let fail = |e: std::io::Error| destination.failure("writing failed", Some(e));
    temporary.write_all(contents).map_err(fail)?;
    temporary.as_file().sync_all().map_err(fail)?;
    crate::platform::replace(temporary, &destination.target).map_err(|e| {
        if !e.held_open {
            return fail(e.error);
        }
        Failure::new(
            Exit::Write,
            format!(
                "cannot replace {}: still refused after {} s ({}); another program (an editor, a sync client, an \
                 antivirus scan) may hold it open, or it is read-only: close that program and run again; the file is \
                 unchanged",
                destination.target.display(),
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

/// An exclusive lock on `<path>.lock` (beside the link's final target when `path` is a link, so that every
/// name of one file shares one lock), held until dropped. The lock file itself stays: removing it would race with a
/// process that is opening it.
pub struct FileLock {
    _file: fs::File,
}

impl FileLock {
    pub fn acquire(path: &Path) -> Result<Self, Failure> {
        let destination = Destination::of(path)?;
        destination.folder()?;
        let lock_path = lock_path(&destination.target);
        let mut options = fs::OpenOptions::new();
        options.create(true).truncate(false).read(true).write(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let file = options.open(&lock_path).map_err(|e| {
            if destination.linked {
                destination.failure("no lock file can be created beside it", Some(e))
            } else {
                Failure::new(
                    Exit::Write,
                    format!("cannot open the lock file {}: {e}", lock_path.display()),
                )
            }
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

#[cfg(all(test, unix))]
mod tests {
    use std::os::unix::fs::symlink;

    use super::*;

    #[test]
    fn a_plain_path_is_its_own_destination() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("credentials");
        let destination = Destination::of(&path).unwrap();
        assert_eq!((destination.target, destination.linked), (path, false));
    }

    #[test]
    fn a_chain_with_a_relative_link_ends_at_the_canonical_target() {
        let dir = tempfile::tempdir().unwrap();
        let root = fs::canonicalize(dir.path()).unwrap();
        fs::create_dir_all(root.join("dotfiles/aws")).unwrap();
        fs::create_dir_all(root.join("home/.aws")).unwrap();
        symlink("../../dotfiles/aws/config", root.join("home/.aws/middle")).unwrap();
        symlink(root.join("home/.aws/middle"), root.join("home/.aws/config")).unwrap();
        // The target need not exist yet: its folder must.
        let destination = Destination::of(&root.join("home/.aws/config")).unwrap();
        assert!(destination.linked);
        assert_eq!(destination.target, root.join("dotfiles/aws/config"));
    }

    #[test]
    fn a_loop_a_missing_folder_and_a_folder_are_refused_naming_the_link() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        symlink(root.join("b"), root.join("a")).unwrap();
        symlink(root.join("a"), root.join("b")).unwrap();
        let failure = Destination::of(&root.join("a")).unwrap_err();
        assert_eq!(failure.exit, Exit::Write);
        assert!(
            failure.message.contains("symbolic links in a row"),
            "{}",
            failure.message
        );

        symlink(root.join("missing/config"), root.join("dangling")).unwrap();
        let failure = Destination::of(&root.join("dangling")).unwrap_err();
        assert!(
            failure.message.contains("its folder does not exist"),
            "{}",
            failure.message
        );
        assert!(failure.message.contains(&root.join("dangling").display().to_string()));

        fs::create_dir(root.join("folder")).unwrap();
        symlink(root.join("folder"), root.join("to-folder")).unwrap();
        let failure = Destination::of(&root.join("to-folder")).unwrap_err();
        assert!(failure.message.contains("it is a folder"), "{}", failure.message);
    }

    #[test]
    fn writing_through_a_link_keeps_the_link_and_locks_beside_the_target() {
        let dir = tempfile::tempdir().unwrap();
        let root = fs::canonicalize(dir.path()).unwrap();
        fs::create_dir(root.join("dotfiles")).unwrap();
        fs::write(root.join("dotfiles/credentials"), "old").unwrap();
        symlink("dotfiles/credentials", root.join("credentials")).unwrap();
        let lock = FileLock::acquire(&root.join("credentials")).unwrap();
        write_atomic(&root.join("credentials"), b"new").unwrap();
        drop(lock);
        assert!(
            fs::symlink_metadata(root.join("credentials"))
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(fs::read_to_string(root.join("dotfiles/credentials")).unwrap(), "new");
        assert!(root.join("dotfiles/credentials.lock").exists());
        assert!(!root.join("credentials.lock").exists());
    }
}
