//! Finding and reading token cache files. Parsing, and choosing among the files found, is the core's job
//! (`parse_cached_token`, `choose_token`); this module only does the I/O.

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use sso_core::{CacheError, CachedToken, MAX_CACHE_FILE_BYTES, format_duration, parse_cached_token};

use crate::failure::{Exit, Failure, cache_failure};

/// A token and where it came from.
pub struct LoadedToken {
    /// The file, or `-` for standard input.
    pub origin: String,
    /// The file, when the token came from one (a refreshed token is written back there).
    pub path: Option<PathBuf>,
    pub token: CachedToken,
}

/// Reads at most `MAX_CACHE_FILE_BYTES + 1` bytes, so a huge file costs nothing and is still reported as too large.
fn read_limited(reader: impl Read) -> std::io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    reader.take(MAX_CACHE_FILE_BYTES as u64 + 1).read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// Loads `--cache FILE` (or `-` for standard input).
pub fn load_explicit(argument: &str) -> Result<LoadedToken, Failure> {
    if argument != "-" {
        return load_file(Path::new(argument));
    }
    let bytes = read_limited(std::io::stdin().lock()).map_err(|e| io_failure("-", &e))?;
    let token = parse_cached_token(&bytes).map_err(|e| cache_failure("-", &e))?;
    Ok(LoadedToken {
        origin: "-".to_owned(),
        path: None,
        token,
    })
}

/// Loads a token cache file.
pub fn load_file(path: &Path) -> Result<LoadedToken, Failure> {
    let shown = path.display().to_string();
    let metadata = fs::metadata(path).map_err(|e| io_failure(&shown, &e))?;
    if !metadata.is_file() {
        return Err(Failure::new(
            Exit::Cache,
            format!("token cache file {shown} is not a regular file"),
        ));
    }
    let bytes = fs::File::open(path)
        .and_then(read_limited)
        .map_err(|e| io_failure(&shown, &e))?;
    let token = parse_cached_token(&bytes).map_err(|e| cache_failure(&shown, &e))?;
    Ok(LoadedToken {
        origin: shown,
        path: Some(path.to_owned()),
        token,
    })
}

fn io_failure(path: &str, error: &std::io::Error) -> Failure {
    let hint = match error.kind() {
        std::io::ErrorKind::NotFound => "; check the path, or leave out --cache to search ~/.aws/sso/cache",
        std::io::ErrorKind::PermissionDenied => "; check the file's owner and permissions",
        _ => "",
    };
    Failure::new(
        Exit::Cache,
        format!("cannot read token cache file {path}: {error}{hint}"),
    )
}

/// The folder the AWS CLI keeps tokens in: `$HOME/.aws/sso/cache`.
pub fn cache_dir() -> Result<PathBuf, Failure> {
    Ok(crate::files::home()?.join(".aws").join("sso").join("cache"))
}

/// What a scan of the cache folder found.
pub struct Scan {
    pub dir: PathBuf,
    pub tokens: Vec<LoadedToken>,
    /// Files that looked like tokens but could not be used, with the reason (for `--verbose` and error messages).
    pub skipped: Vec<(PathBuf, String)>,
}

/// Reads every `*.json` file in the cache folder, keeping the token files. Client-registration files are passed
/// over silently; unreadable or invalid files are noted and passed over, so one bad file never hides a good one.
pub fn scan(dir: &Path) -> Result<Scan, Failure> {
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Ok(Scan {
                dir: dir.to_owned(),
                tokens: Vec::new(),
                skipped: Vec::new(),
            });
        }
        Err(e) => {
            return Err(Failure::new(
                Exit::Cache,
                format!("cannot list the token cache folder {}: {e}", dir.display()),
            ));
        }
    };
    let mut paths: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .filter(|path| {
            !path
                .file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("botocore-client-id-"))
        })
        .collect();
    paths.sort();
    let mut tokens = Vec::new();
    let mut skipped = Vec::new();
    let owner = fs::metadata(dir).ok();
    for path in paths {
        let read = fs::metadata(&path).and_then(|m| {
            if !m.is_file() {
                Err(std::io::Error::other("not a regular file"))
            } else if let Some(why) = untrusted(&m, owner.as_ref()) {
                Err(std::io::Error::other(why))
            } else {
                fs::File::open(&path).and_then(read_limited)
            }
        });
        match read.map(|bytes| parse_cached_token(&bytes)) {
            Ok(Ok(token)) => tokens.push(LoadedToken {
                origin: path.display().to_string(),
                path: Some(path.clone()),
                token,
            }),
            Ok(Err(CacheError::ClientRegistration)) => {}
            Ok(Err(e)) => skipped.push((path, crate::failure::chain(&e))),
            Err(e) => skipped.push((path, e.to_string())),
        }
    }
    Ok(Scan {
        dir: dir.to_owned(),
        tokens,
        skipped,
    })
}

/// Why a token file found by the search must not be used: another user could have planted it (directly or as a
/// symlink) to make ssocreds fetch credentials for *their* account, where the user would then put data. Files not
/// owned by the owner of the cache folder, or that anyone may write to, are passed over.
#[cfg(unix)]
fn untrusted(file: &fs::Metadata, folder: Option<&fs::Metadata>) -> Option<String> {
    use std::os::unix::fs::MetadataExt;
    if let Some(folder) = folder
        && file.uid() != folder.uid()
    {
        return Some(format!(
            "owned by another user (uid {}, the cache folder's owner is uid {}); pass it with --cache to use it anyway",
            file.uid(),
            folder.uid()
        ));
    }
    (file.mode() & 0o002 != 0).then(|| "writable by every user of this machine; run chmod 600 on it".to_owned())
}

#[cfg(not(unix))]
fn untrusted(_file: &fs::Metadata, _folder: Option<&fs::Metadata>) -> Option<String> {
    None
}

/// `expires in 7 h 59 min` or `expired 2 h 3 min ago`.
pub fn describe_expiry(expires_at: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let left = expires_at - now;
    if left > chrono::TimeDelta::zero() {
        format!("expires in {}", format_duration(left))
    } else {
        format!("expired {} ago", format_duration(left))
    }
}
