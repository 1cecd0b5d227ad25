//! The config-file scenarios in `tests/scenarios/<case>/`, in the style of aws-config's `test-data`: each folder
//! holds `env.json` (the environment: `HOME`, and optionally `AWS_CONFIG_FILE` and `AWS_PROFILE`), the files under
//! `fs/` (`fs/home/.aws/config`), and `expected.json`: the profiles, sso-sessions and other sections with their
//! properties, the warnings (line, kind, message), and with `AWS_PROFILE` the resolved SSO profile; or the error.
//!
//! One test replays every folder. `SSOCREDS_BLESS=1 cargo test -p sso-core --test scenarios` writes the
//! `expected.json` of the folders that lack one (never overwrites): read what it wrote before committing it.
//! Native only: the scenarios are files, and the core's wasm tests run without a file system.
#![cfg(not(all(target_family = "wasm", target_os = "unknown")))]

use serde_json::{Map, Value, json};
use sso_core::{ConfigFile, ConfigValue, ConfigWarningKind, Properties, parse_config, resolve_sso_profile};
use std::path::{Path, PathBuf};

fn scenarios_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/scenarios")
}

fn properties(section: &Properties) -> Value {
    let mut out = Map::new();
    for (key, value) in section.iter() {
        let value = match value {
            ConfigValue::Text(text) => Value::String(text.clone()),
            ConfigValue::Nested(entries) => Value::Object(
                entries
                    .iter()
                    .map(|(k, v)| (k.clone(), Value::String(v.clone())))
                    .collect(),
            ),
        };
        out.insert(key.to_owned(), value);
    }
    Value::Object(out)
}

fn kind(kind: ConfigWarningKind) -> &'static str {
    match kind {
        ConfigWarningKind::AwsCliDiffers => "aws_cli_differs",
        ConfigWarningKind::Ignored => "ignored",
        _ => "other",
    }
}

fn config_json(config: &ConfigFile) -> Value {
    let profiles: Map<String, Value> = sso_core::profile_names(config)
        .into_iter()
        .map(|name| (name.to_owned(), properties(config.profile(name).unwrap())))
        .collect();
    let sessions: Map<String, Value> = sso_core::sso_sessions(config)
        .into_iter()
        .map(|name| (name.to_owned(), properties(config.sso_session(name).unwrap())))
        .collect();
    let sections: Map<String, Value> = config
        .other_sections()
        .map(|(prefix, name, section)| (format!("{prefix} {name}"), properties(section)))
        .collect();
    let warnings: Vec<Value> = config
        .warnings()
        .iter()
        .map(|w| json!({"line": w.line, "kind": kind(w.kind), "message": w.message}))
        .collect();
    json!({
        "profiles": profiles,
        "sso_sessions": sessions,
        "sections": sections,
        "warnings": warnings,
    })
}

/// What one scenario folder yields.
fn run(dir: &Path) -> Value {
    let env: Map<String, Value> =
        serde_json::from_str(&std::fs::read_to_string(dir.join("env.json")).expect("env.json")).expect("env.json");
    let var = |name: &str| env.get(name).and_then(Value::as_str);
    let home = var("HOME").unwrap_or("/home");
    let config_path = match var("AWS_CONFIG_FILE") {
        Some(path) => path.replacen('~', home, 1),
        None => format!("{home}/.aws/config"),
    };
    let fs_path = dir.join("fs").join(config_path.trim_start_matches('/'));
    let text = std::fs::read_to_string(&fs_path).unwrap_or_else(|e| panic!("{}: {e}", fs_path.display()));
    let config = match parse_config(&text) {
        Ok(config) => config,
        Err(error) => {
            let line = match &error {
                sso_core::ConfigError::Syntax { line, .. } => json!(line),
                _ => Value::Null,
            };
            return json!({"error": {"code": error.code(), "line": line, "message": error.to_string()}});
        }
    };
    let mut out = config_json(&config);
    if let Some(profile) = var("AWS_PROFILE") {
        out["sso_profile"] = match resolve_sso_profile(&config, profile) {
            Ok(p) => json!({
                "profile_name": p.profile_name,
                "session_name": p.session_name,
                "start_url": p.start_url,
                "sso_region": p.sso_region.as_str(),
                "account_id": p.account_id.as_ref().map(|a| a.as_str()),
                "account_id_warning": p.account_id.as_ref().and_then(|a| a.length_warning()),
                "role_name": p.role_name.as_ref().map(|r| r.as_str()),
                "region": p.region.as_ref().map(|r| r.as_str()),
                "registration_scopes": p.registration_scopes,
            }),
            Err(error) => json!({"error": {"code": error.code(), "message": error.to_string()}}),
        };
    }
    out
}

#[test]
fn config_scenarios() {
    let bless = std::env::var_os("SSOCREDS_BLESS").is_some();
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(scenarios_dir())
        .expect("tests/scenarios")
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.is_dir())
        .collect();
    dirs.sort();
    assert!(dirs.len() >= 20, "only {} scenarios found", dirs.len());
    let mut failures = Vec::new();
    for dir in &dirs {
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let actual = run(dir);
        let expected_path = dir.join("expected.json");
        if !expected_path.exists() && bless {
            std::fs::write(&expected_path, serde_json::to_string_pretty(&actual).unwrap() + "\n").unwrap();
            continue;
        }
        let expected: Value = serde_json::from_str(
            &std::fs::read_to_string(&expected_path).unwrap_or_else(|e| panic!("{name}/expected.json: {e}")),
        )
        .unwrap_or_else(|e| panic!("{name}/expected.json: {e}"));
        if actual != expected {
            failures.push(format!(
                "{name}:\nexpected {}\nactual   {}",
                serde_json::to_string_pretty(&expected).unwrap(),
                serde_json::to_string_pretty(&actual).unwrap()
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} scenario(s) differ:\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}
