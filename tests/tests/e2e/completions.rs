//! `ssocreds completions SHELL` loaded by the real shells, completing commands, flags, `--format` values and the
//! profile names of the config file (read at Tab time); `ssocreds man` rendered by man and groff without warnings.

use std::process::Command;

use crate::harness::*;

const CONFIG: &str = "\
[default]
region = us-east-1

[profile dev]
sso_session = corp
sso_account_id = 111122223333
sso_role_name = ReadOnly

[profile prod-admin]
sso_session = corp
sso_account_id = 444455556666
sso_role_name = Admin

[sso-session corp]
sso_start_url = https://e2e.awsapps.com/start
sso_region = us-east-1
";

fn sandbox() -> Sandbox {
    let sandbox = Sandbox::new();
    sandbox.write_config(CONFIG);
    sandbox
}

/// The script `ssocreds completions SHELL` prints, saved in the sandbox.
fn script(sandbox: &Sandbox, shell: &str) -> String {
    let run = sandbox.run(&["completions", shell]);
    run.assert_success();
    assert!(run.stderr.is_empty(), "{}", run.stderr);
    assert!(run.stdout.contains("SSOCREDS_COMPLETE"), "{}", run.stdout);
    let path = sandbox.home.path().join(format!("completions.{shell}"));
    std::fs::write(&path, &run.stdout).unwrap();
    path.display().to_string()
}

/// Runs `shell -c program` with the sandbox's HOME (so the completer reads its config file); returns stdout.
fn shell(sandbox: &Sandbox, shell: &str, flags: &[&str], program: &str) -> String {
    let output = Command::new(shell)
        .args(flags)
        .arg("-c")
        .arg(program)
        .env_clear()
        .env("HOME", sandbox.home.path())
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .output()
        .unwrap_or_else(|e| panic!("run {shell}: {e}"));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{shell} failed: {stderr}");
    assert!(stderr.is_empty(), "{shell} complained: {stderr}");
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// What bash offers for the words typed so far (the last one being completed), through the function the script
/// registered, called as bash calls it: `COMP_WORDS`, `COMP_CWORD`, then `function command current previous`.
fn bash_complete(sandbox: &Sandbox, script: &str, words: &[&str]) -> Vec<String> {
    let quoted: Vec<String> = words.iter().map(|w| format!("'{w}'")).collect();
    let program = format!(
        "source '{script}'\n\
         COMP_WORDS=({words}); COMP_CWORD={cword}; COMP_TYPE=9\n\
         \"$(complete -p ssocreds | sed 's/.* -F \\([^ ]*\\) .*/\\1/')\" ssocreds \"${{COMP_WORDS[COMP_CWORD]}}\" \"${{COMP_WORDS[COMP_CWORD-1]}}\"\n\
         printf '%s\\n' \"${{COMPREPLY[@]}}\"",
        words = quoted.join(" "),
        cword = words.len() - 1,
    );
    shell(sandbox, "bash", &["--norc", "--noprofile"], &program)
        .lines()
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

#[test]
fn bash_completes_commands_flags_formats_and_profile_names() {
    let sandbox = sandbox();
    let script = script(&sandbox, "bash");
    let registered = shell(
        &sandbox,
        "bash",
        &["--norc", "--noprofile"],
        &format!("source '{script}'; complete -p ssocreds"),
    );
    assert!(
        registered.contains("-F _clap_complete_ssocreds ssocreds"),
        "{registered}"
    );
    assert_eq!(
        bash_complete(&sandbox, &script, &["ssocreds", "ex"]),
        ["export", "exec"]
    );
    assert_eq!(bash_complete(&sandbox, &script, &["ssocreds", "con"]), ["console"]);
    assert_eq!(
        bash_complete(&sandbox, &script, &["ssocreds", "export", "--pro"]),
        ["--profile"]
    );
    assert_eq!(
        bash_complete(&sandbox, &script, &["ssocreds", "export", "--profile", ""]),
        ["default", "dev", "prod-admin"]
    );
    assert_eq!(
        bash_complete(&sandbox, &script, &["ssocreds", "console", "-p", "pr"]),
        ["prod-admin"]
    );
    assert_eq!(
        bash_complete(&sandbox, &script, &["ssocreds", "export", "--format", "p"]),
        ["powershell", "process"]
    );
    assert_eq!(
        bash_complete(&sandbox, &script, &["ssocreds", "login", "--sso-session", ""]),
        ["corp"]
    );
    // Profiles are read when Tab is pressed: a new one shows at once.
    sandbox.write_config(&format!("{CONFIG}\n[profile added-later]\nregion = eu-west-1\n"));
    assert_eq!(
        bash_complete(&sandbox, &script, &["ssocreds", "export", "--profile", "a"]),
        ["added-later"]
    );
}

#[test]
fn fish_completes_commands_flags_and_profile_names() {
    if !has("fish") {
        eprintln!("fish is not installed: skipping (scripts/setup.sh installs it)");
        return;
    }
    let sandbox = sandbox();
    let script = script(&sandbox, "fish");
    let complete = |line: &str| -> Vec<String> {
        shell(
            &sandbox,
            "fish",
            &["--no-config"],
            &format!("source '{script}'; complete -C '{line}'"),
        )
        .lines()
        .map(|l| l.split('\t').next().unwrap_or_default().to_owned())
        .collect()
    };
    assert_eq!(complete("ssocreds ex"), ["export", "exec"]);
    assert_eq!(complete("ssocreds export --pro"), ["--profile"]);
    assert_eq!(complete("ssocreds export --profile "), ["default", "dev", "prod-admin"]);
    assert_eq!(complete("ssocreds export --format e"), ["env", "env-no-export"]);
    // The account and role show beside the profile name.
    let described = shell(
        &sandbox,
        "fish",
        &["--no-config"],
        &format!("source '{script}'; complete -C 'ssocreds console --profile d'"),
    );
    assert!(described.contains("dev\tReadOnly in 111122223333"), "{described}");
}

#[test]
fn zsh_registers_and_completes_commands_flags_and_profile_names() {
    if !has("zsh") {
        eprintln!("zsh is not installed: skipping (scripts/setup.sh installs it)");
        return;
    }
    let sandbox = sandbox();
    let script = script(&sandbox, "zsh");
    let dump = sandbox.home.path().join("zcompdump");
    // compinit loads the completion system; `_describe` (what the script hands its candidates to) is replaced by
    // a printer, since only an interactive line editor can show a menu.
    let complete = |words: &[&str]| -> Vec<String> {
        let quoted: Vec<String> = words.iter().map(|w| format!("'{w}'")).collect();
        shell(
            &sandbox,
            "zsh",
            &["-f"],
            &format!(
                "autoload -U compinit && compinit -u -d '{dump}'\n\
                 source '{script}'\n\
                 [[ $_comps[ssocreds] == _clap_dynamic_completer_ssocreds ]] || {{ print registration missing; exit 1 }}\n\
                 _describe() {{ print -rl -- ${{(P)3}} }}\n\
                 words=({words}); CURRENT={current}\n\
                 _clap_dynamic_completer_ssocreds",
                dump = dump.display(),
                words = quoted.join(" "),
                current = words.len(),
            ),
        )
        .lines()
        .map(|l| l.split(':').next().unwrap_or_default().to_owned())
        .collect()
    };
    assert_eq!(complete(&["ssocreds", "ex"]), ["export", "exec"]);
    assert_eq!(complete(&["ssocreds", "export", "--pro"]), ["--profile"]);
    assert_eq!(
        complete(&["ssocreds", "export", "--profile", ""]),
        ["default", "dev", "prod-admin"]
    );
}

#[test]
fn powershell_and_elvish_scripts_call_ssocreds_back() {
    let sandbox = sandbox();
    for name in ["powershell", "elvish"] {
        let path = script(&sandbox, name);
        let text = std::fs::read_to_string(path).unwrap();
        assert!(text.contains(&binary().display().to_string()), "{name}: {text}");
    }
    let run = sandbox.run(&["completions", "tcsh"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("possible values: bash, zsh, fish, powershell, elvish"),
        "{}",
        run.stderr
    );
}

#[test]
fn the_man_page_renders_without_warnings_and_documents_every_command() {
    if !has("man") || !has("groff") {
        eprintln!("man or groff is not installed: skipping (scripts/setup.sh installs them)");
        return;
    }
    let sandbox = sandbox();
    let run = sandbox.run(&["man"]);
    run.assert_success();
    let page = sandbox.home.path().join("ssocreds.1");
    std::fs::write(&page, &run.stdout).unwrap();
    let groff = Command::new("groff")
        .args(["-man", "-ww", "-z"])
        .arg(&page)
        .output()
        .unwrap();
    assert!(groff.status.success());
    assert_eq!(String::from_utf8_lossy(&groff.stderr), "", "groff warnings");
    let man = Command::new("man")
        .args(["-l", "--warnings"])
        .arg(&page)
        .env("MANWIDTH", "80")
        .env("MANPAGER", "cat")
        .env("PAGER", "cat")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&man.stderr);
    assert!(man.status.success(), "{stderr}");
    assert_eq!(stderr, "", "man warnings");
    let text = String::from_utf8_lossy(&man.stdout);
    for heading in ["NAME", "SYNOPSIS", "OPTIONS", "COMMANDS", "EXIT STATUS"] {
        assert!(text.lines().any(|l| l == heading), "{heading} missing:\n{text}");
    }
    for command in ["login", "export", "console", "completions", "man", "populate", "exec"] {
        assert!(text.contains(&format!("   ssocreds {command}\n")), "{command} missing");
    }
    for flag in [
        "--signin-endpoint <URL>",
        "--destination <SERVICE|URL>",
        "--format <FORMAT>",
        "--refresh-minutes",
    ] {
        assert!(text.contains(flag), "{flag} missing");
    }
    // No line is wider than the page.
    assert!(text.lines().all(|l| l.chars().count() <= 80), "{text}");
}

#[test]
fn the_documented_bash_line_works_with_ssocreds_on_the_path() {
    let sandbox = sandbox();
    let dir = binary().parent().unwrap().display().to_string();
    let path = format!("{dir}:{}", std::env::var("PATH").unwrap_or_default());
    // As in ~/.bashrc: `ssocreds` found through PATH, so the script calls it by name (and follows upgrades).
    let output = Command::new("bash")
        .args(["--norc", "--noprofile", "-c"])
        .arg(
            "source <(ssocreds completions bash)\n\
             declare -f _clap_complete_ssocreds | grep -c '\"ssocreds\" --'\n\
             COMP_WORDS=(ssocreds export --profile pr); COMP_CWORD=3\n\
             _clap_complete_ssocreds ssocreds pr --profile\n\
             printf '%s\\n' \"${COMPREPLY[@]}\"",
        )
        .env_clear()
        .env("HOME", sandbox.home.path())
        .env("PATH", path)
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&output.stderr), "");
    assert_eq!(String::from_utf8_lossy(&output.stdout), "1\nprod-admin\n");
}
