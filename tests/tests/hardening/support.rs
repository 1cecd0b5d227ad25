//! Helpers the e2e harness lacks.

use std::collections::BTreeMap;
use std::os::unix::fs::PermissionsExt as _;
use std::path::Path;
use std::time::{Duration, Instant};

use crate::harness::{Run, Sandbox};

/// Every file and folder under `root`, relative, with its mode bits and (for files) contents.
pub fn tree(root: &Path) -> BTreeMap<String, (u32, Option<Vec<u8>>)> {
    let mut out = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let Ok(meta) = std::fs::symlink_metadata(&path) else {
                continue;
            };
            let name = path.strip_prefix(root).unwrap().display().to_string();
            let mode = meta.permissions().mode() & 0o7777;
            if meta.is_dir() {
                stack.push(path.clone());
                out.insert(format!("{name}/"), (mode, None));
            } else if meta.is_file() {
                out.insert(name, (mode, std::fs::read(&path).ok()));
            } else {
                out.insert(name, (mode, None));
            }
        }
    }
    out
}

/// What changed between two [`tree`]s: (added, removed, modified) names.
pub fn changes(
    before: &BTreeMap<String, (u32, Option<Vec<u8>>)>,
    after: &BTreeMap<String, (u32, Option<Vec<u8>>)>,
) -> (Vec<String>, Vec<String>, Vec<String>) {
    let added = after.keys().filter(|k| !before.contains_key(*k)).cloned().collect();
    let removed = before.keys().filter(|k| !after.contains_key(*k)).cloned().collect();
    let modified = after
        .iter()
        .filter(|(k, v)| before.get(*k).is_some_and(|old| old != *v))
        .map(|(k, _)| k.clone())
        .collect();
    (added, removed, modified)
}

/// Runs `ssocreds` and measures the wall time.
pub fn timed(sandbox: &Sandbox, args: &[&str], env: &[(&str, &str)]) -> (Run, Duration) {
    // The first call builds the binary: not part of the time measured.
    crate::harness::binary();
    let start = Instant::now();
    let run = sandbox.run_with(args, env, None);
    (run, start.elapsed())
}

/// Whether `ssocreds --help` lists a subcommand (commands other engineers are still adding).
pub fn has_command(sandbox: &Sandbox, name: &str) -> bool {
    let help = sandbox.run(&["--help"]);
    help.stdout
        .lines()
        .any(|line| line.split_whitespace().next() == Some(name))
}

/// Asserts a failed run: the exit code, a message on stderr naming `needle`, nothing on stdout.
pub fn assert_failure(run: &Run, exit: i32, needle: &str, what: &str) {
    assert_eq!(
        run.code, exit,
        "{what}: expected exit {exit}\nstdout:\n{}\nstderr:\n{}",
        run.stdout, run.stderr
    );
    assert!(run.stdout.is_empty(), "{what}: stdout of a failure:\n{}", run.stdout);
    assert!(
        run.stderr.to_lowercase().contains(&needle.to_lowercase()),
        "{what}: stderr does not mention {needle:?}:\n{}",
        run.stderr
    );
    assert!(
        run.stderr.starts_with("ssocreds: error:")
            || run.stderr.contains("\nssocreds: error:")
            || run.stderr.starts_with("error:"),
        "{what}: not an error message:\n{}",
        run.stderr
    );
}
