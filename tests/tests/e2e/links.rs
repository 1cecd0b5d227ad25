//! Files kept elsewhere and linked in (dotfiles managers: stow, chezmoi, home-manager): `populate`, `write`, a
//! token refresh and `login` write through a link, a chain of two links and a relative link to the final target,
//! so the links stay links and the target gets the change; a target that cannot be written (a read-only store)
//! is an error naming the link and its target, exit 9, with the link and the target unchanged.

use std::collections::BTreeMap;
use std::os::unix::fs::{MetadataExt, PermissionsExt, symlink};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::harness::*;
use sso_core::cache_file_name;
use ssocreds_tests::fake_portal::{Account, ClientConfig, PortalConfig, RefreshGrant};

const CONFIG: &str = "\
# Kept in a dotfiles repository.
[profile dev]
sso_session = corp
sso_account_id = 111122223333
sso_role_name = Admin

[sso-session corp]
sso_start_url = https://e2e.awsapps.com/start
sso_region = us-east-1
sso_registration_scopes = sso:account:access
";

const CREDENTIALS: &str = "[keep]\naws_access_key_id = AKIAKEEP\n";

/// How the file is linked in.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Layout {
    /// `~/.aws/x -> /abs/dotfiles/x`
    Link,
    /// `~/.aws/x -> ~/links/x -> ../dotfiles/x`
    Chain,
    /// `~/.aws/x -> ../dotfiles/x` (as many `..` as it takes)
    Relative,
    /// A link to a file that cannot be written, in a folder that cannot be written (`/nix/store` style).
    ReadOnly,
    /// A link to a writable file in a folder that cannot be written (no lock, no temporary file there).
    ReadOnlyFolder,
}

/// One command that rewrites one file.
struct Case {
    name: &'static str,
    /// The file it rewrites, relative to HOME.
    file: fn() -> String,
    /// What that file holds before.
    before: fn() -> String,
    /// The other files it needs, written as plain files.
    setup: fn(&Sandbox),
    args: &'static [&'static str],
    /// Whether the target's new contents are what the command writes.
    changed: fn(&str) -> bool,
}

fn token_file() -> String {
    format!(".aws/sso/cache/{}", cache_file_name("corp"))
}

/// The sso-session `corp`'s token `tok-old`, refreshable, with `seconds_left`.
fn refreshable_token(seconds_left: i64) -> String {
    format!(
        r#"{{"startUrl":"{START_URL}","region":"us-east-1","accessToken":"tok-old","expiresAt":"{}",
"clientId":"cid-e2e","clientSecret":"csecret-e2e","registrationExpiresAt":"{}","refreshToken":"rt-1"}}"#,
        in_seconds(seconds_left),
        in_seconds(86_400)
    )
}

fn cases() -> Vec<Case> {
    vec![
        Case {
            name: "populate",
            file: || ".aws/config".to_owned(),
            before: || CONFIG.to_owned(),
            setup: |sandbox| {
                sandbox.write_session_token("corp");
            },
            args: &["populate", "--sso-session", "corp"],
            changed: |text| text.starts_with(CONFIG) && text.contains("sso_role_name = ReadOnly"),
        },
        Case {
            name: "write",
            file: || ".aws/credentials".to_owned(),
            before: || CREDENTIALS.to_owned(),
            setup: |sandbox| {
                sandbox.write_token();
            },
            args: &["write", "--account-id", ACCOUNT, "--role-name", "Admin", "--as", "dev"],
            changed: |text| text.starts_with(CREDENTIALS) && text.contains("[dev]\naws_access_key_id = ASIA"),
        },
        Case {
            name: "refresh",
            file: token_file,
            // A minute left: refreshed before use.
            before: || refreshable_token(60),
            setup: |sandbox| sandbox.write_config(CONFIG),
            args: &["export", "--profile", "dev"],
            changed: |text| text.contains(r#""accessToken": "tok-new""#),
        },
        Case {
            name: "login",
            file: token_file,
            before: || token_json("tok-expired", "2020-01-01T00:00:00Z", "us-east-1"),
            setup: |sandbox| sandbox.write_config(CONFIG),
            args: &["login", "--profile", "dev", "--use-device-code", "--no-browser"],
            changed: |text| !text.contains("tok-expired") && text.contains(r#""refreshToken""#),
        },
    ]
}

/// The usual portal, plus what a refresh (`rt-1` → `tok-new`) and a device-code sign-in need.
fn portal() -> PortalConfig {
    let mut config = portal_config();
    let grant = config.tokens[TOKEN].clone();
    config.tokens.insert("tok-old".into(), grant);
    config.clients.insert(
        "cid-e2e".into(),
        ClientConfig {
            client_secret: "csecret-e2e".into(),
            client_secret_expires_at: None,
        },
    );
    config.oidc.refresh_tokens.insert(
        "rt-1".into(),
        RefreshGrant {
            access_token: Some("tok-new".into()),
            expires_in: Some(28_800),
            assignments_from: Some("tok-old".into()),
            ..RefreshGrant::default()
        },
    );
    config.default_assignments = vec![Account::new(ACCOUNT, "e2e", &["ReadOnly", "Admin"])];
    config.oidc.device_flow.interval = 0;
    config
}

/// Puts `contents` in `~/dotfiles/<name>` and links `~/<file>` to it as `layout` says; returns the target.
fn link_in(home: &Path, file: &str, contents: &str, layout: Layout) -> PathBuf {
    let name = Path::new(file).file_name().unwrap();
    let dotfiles = home.join("dotfiles");
    std::fs::create_dir_all(&dotfiles).unwrap();
    let target = dotfiles.join(name);
    std::fs::write(&target, contents).unwrap();
    let link = home.join(file);
    std::fs::create_dir_all(link.parent().unwrap()).unwrap();
    match layout {
        Layout::Link | Layout::ReadOnly | Layout::ReadOnlyFolder => symlink(&target, &link).unwrap(),
        Layout::Chain => {
            let middle = home.join("links").join(name);
            std::fs::create_dir_all(middle.parent().unwrap()).unwrap();
            symlink(Path::new("../dotfiles").join(name), &middle).unwrap();
            symlink(&middle, &link).unwrap();
        }
        Layout::Relative => {
            let up = "../".repeat(Path::new(file).components().count() - 1);
            symlink(Path::new(&up).join("dotfiles").join(name), &link).unwrap();
        }
    }
    if layout == Layout::ReadOnly {
        std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o444)).unwrap();
    }
    if matches!(layout, Layout::ReadOnly | Layout::ReadOnlyFolder) {
        std::fs::set_permissions(&dotfiles, std::fs::Permissions::from_mode(0o555)).unwrap();
    }
    target
}

/// Every entry under `root`: links with what they point to, files with mode and contents.
fn entries(root: &Path) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            let path = entry.path();
            let meta = std::fs::symlink_metadata(&path).unwrap();
            let name = path.strip_prefix(root).unwrap().display().to_string();
            let what = if meta.file_type().is_symlink() {
                format!("-> {}", std::fs::read_link(&path).unwrap().display())
            } else if meta.is_dir() {
                stack.push(path.clone());
                format!("dir {:o}", meta.mode() & 0o7777)
            } else {
                format!(
                    "file {:o} {}",
                    meta.mode() & 0o7777,
                    String::from_utf8_lossy(&std::fs::read(&path).unwrap())
                )
            };
            out.insert(name, what);
        }
    }
    out
}

/// The links and the dotfiles: what a write through the link may change (the target) and may not (the links).
fn links_and_dotfiles(home: &Path, file: &str) -> BTreeMap<String, String> {
    let mut out = entries(&home.join("dotfiles"));
    for link in [
        home.join(file),
        home.join("links").join(Path::new(file).file_name().unwrap()),
    ] {
        if let Ok(to) = std::fs::read_link(&link) {
            out.insert(link.display().to_string(), format!("-> {}", to.display()));
        }
    }
    out
}

/// Whether this process runs as root, which writes anywhere unless it gives up CAP_DAC_OVERRIDE.
fn is_root(sandbox: &Sandbox) -> bool {
    std::fs::metadata(sandbox.home.path()).unwrap().uid() == 0
}

/// Runs ssocreds against the fake portal and OIDC service; `unprivileged` drops root's right to write read-only
/// files (CAP_DAC_OVERRIDE) so that a read-only target is read-only for it too.
fn run(sandbox: &Sandbox, args: &[&str], unprivileged: bool) -> Run {
    let url = sandbox.portal.url();
    let mut command = if unprivileged && is_root(sandbox) {
        let mut command = Command::new("setpriv");
        command.args(["--bounding-set=-dac_override", "--"]).arg(binary());
        command
    } else {
        Command::new(binary())
    };
    let output = command
        .args(args)
        .env_clear()
        .env("HOME", sandbox.home.path())
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("AWS_ENDPOINT_URL_SSO", &url)
        .env("AWS_ENDPOINT_URL_SSO_OIDC", &url)
        .stdin(Stdio::null())
        .output()
        .expect("run ssocreds");
    let run = Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    };
    run.assert_no_secret_leak();
    run
}

/// No temporary file of an atomic write is left anywhere under HOME.
fn assert_no_temporary_files(home: &Path, what: &str) {
    let left: Vec<String> = entries(home)
        .into_keys()
        .filter(|name| name.contains(".ssocreds-") && name.ends_with(".tmp"))
        .collect();
    assert!(left.is_empty(), "{what}: temporary files left: {left:?}");
}

fn writes_through(case: &Case, layout: Layout) {
    let what = format!("{} through {layout:?}", case.name);
    let sandbox = Sandbox::with_config(portal());
    let home = sandbox.home.path();
    (case.setup)(&sandbox);
    let file = (case.file)();
    let target = link_in(home, &file, &(case.before)(), layout);
    let links_before: Vec<_> = [home.join(&file), home.join("links").join(target.file_name().unwrap())]
        .into_iter()
        .map(|link| std::fs::read_link(link).ok())
        .collect();

    let run = run(&sandbox, case.args, false);
    assert_eq!(run.code, 0, "{what}\nstdout:\n{}\nstderr:\n{}", run.stdout, run.stderr);

    let links_after: Vec<_> = [home.join(&file), home.join("links").join(target.file_name().unwrap())]
        .into_iter()
        .map(|link| std::fs::read_link(link).ok())
        .collect();
    assert_eq!(links_after, links_before, "{what}: the links must stay as they were");
    assert!(
        std::fs::symlink_metadata(home.join(&file))
            .unwrap()
            .file_type()
            .is_symlink(),
        "{what}: {file} is no longer a link"
    );
    let text = std::fs::read_to_string(&target).unwrap();
    assert!(
        (case.changed)(&text),
        "{what}: the target did not get the change:\n{text}"
    );
    assert_eq!(mode(&target), 0o600, "{what}: the target's mode");
    assert_no_temporary_files(home, &what);
}

fn refuses_a_read_only_target(case: &Case, layout: Layout) {
    let what = format!("{} through {layout:?}", case.name);
    let sandbox = Sandbox::with_config(portal());
    let home = sandbox.home.path();
    if is_root(&sandbox) && !has("setpriv") {
        eprintln!("SKIPPED: {what}: running as root without setpriv, so nothing is read-only");
        return;
    }
    (case.setup)(&sandbox);
    let file = (case.file)();
    let target = link_in(home, &file, &(case.before)(), layout);
    let before = links_and_dotfiles(home, &file);

    let run = run(&sandbox, case.args, true);
    // Make the folder removable again before any assertion can fail.
    std::fs::set_permissions(home.join("dotfiles"), std::fs::Permissions::from_mode(0o755)).unwrap();
    assert_eq!(run.code, 9, "{what}\nstdout:\n{}\nstderr:\n{}", run.stdout, run.stderr);
    assert!(run.stdout.is_empty(), "{what}: stdout of a failure:\n{}", run.stdout);
    let link = home.join(&file);
    let canonical_target = std::fs::canonicalize(&target).unwrap();
    assert!(
        run.stderr.contains(&format!(
            "cannot write {}: it is a symbolic link to {}",
            link.display(),
            canonical_target.display()
        )),
        "{what}: the message must name the link and its target:\n{}",
        run.stderr
    );
    std::fs::set_permissions(home.join("dotfiles"), std::fs::Permissions::from_mode(0o555)).unwrap();
    assert_eq!(
        links_and_dotfiles(home, &file),
        before,
        "{what}: the link or the target changed"
    );
    std::fs::set_permissions(home.join("dotfiles"), std::fs::Permissions::from_mode(0o755)).unwrap();
    assert_no_temporary_files(home, &what);
}

fn case(name: &str) -> Case {
    cases()
        .into_iter()
        .find(|c| c.name == name)
        .expect("a case of that name")
}

fn every_layout(name: &str) {
    let case = case(name);
    for layout in [Layout::Link, Layout::Chain, Layout::Relative] {
        writes_through(&case, layout);
    }
    refuses_a_read_only_target(&case, Layout::ReadOnly);
    refuses_a_read_only_target(&case, Layout::ReadOnlyFolder);
}

#[test]
fn populate_writes_through_links() {
    every_layout("populate");
}

#[test]
fn write_writes_through_links() {
    every_layout("write");
}

#[test]
fn a_refresh_writes_through_links() {
    every_layout("refresh");
}

#[test]
fn login_writes_through_links() {
    every_layout("login");
}

/// A link whose target does not exist yet (a fresh dotfiles checkout): the target is created, the link kept.
#[test]
fn a_dangling_link_gets_its_target_created() {
    let sandbox = Sandbox::with_config(portal());
    let home = sandbox.home.path();
    sandbox.write_token();
    std::fs::create_dir_all(home.join("dotfiles")).unwrap();
    std::fs::create_dir_all(home.join(".aws")).unwrap();
    symlink("../dotfiles/credentials", home.join(".aws/credentials")).unwrap();
    let run = run(
        &sandbox,
        &["write", "--account-id", ACCOUNT, "--role-name", "Admin", "--as", "dev"],
        false,
    );
    run.assert_success();
    assert!(
        std::fs::symlink_metadata(home.join(".aws/credentials"))
            .unwrap()
            .file_type()
            .is_symlink()
    );
    let text = std::fs::read_to_string(home.join("dotfiles/credentials")).unwrap();
    assert!(text.starts_with("[dev]\n"), "{text}");
}

/// The message after `write` is grammatical ("they expires in 59 min" was printed before).
#[test]
fn write_says_when_the_credentials_expire_in_good_english() {
    let sandbox = Sandbox::with_config(portal());
    sandbox.write_token();
    let run = run(
        &sandbox,
        &["write", "--account-id", ACCOUNT, "--role-name", "Admin", "--as", "dev"],
        false,
    );
    run.assert_success();
    assert!(!run.stderr.contains("they expires"), "{}", run.stderr);
    assert!(run.stderr.contains("; they expire in "), "{}", run.stderr);
}
