//! For arbitrary strings (anything but NUL), the `env` export evaluated by a real bash, and the `fish` export by a
//! real fish, give back every byte (proptest, few cases: each one starts a shell).

use proptest::prelude::*;
use sso_core::{AccountId, ExportFormat, ExportOptions, RoleCredentials, SecretString, format_exports};

use crate::harness::{has, shell_env};

fn value() -> impl Strategy<Value = String> {
    prop_oneof![
        // Anything at all but NUL.
        any::<String>().prop_map(|s| s.replace('\0', "")),
        // Shell-significant ASCII, densely.
        "[ -~\\t\\n\\r]{0,40}",
        // Quotes and escapes in runs.
        "['\"\\\\$`!\\n ]{1,12}",
    ]
}

fn credentials(secret: &str, session: &str) -> RoleCredentials {
    RoleCredentials {
        access_key_id: "ASIAPROPTEST".into(),
        secret_access_key: SecretString::new(secret),
        session_token: SecretString::new(session),
        expiration: chrono::DateTime::from_timestamp(4_102_444_800, 0).unwrap(),
        account_id: Some(AccountId::new("111122223333").unwrap()),
    }
}

fn round_trip(
    shell: &str,
    format: ExportFormat,
    script: &str,
    secret: &str,
    session: &str,
) -> Result<(), TestCaseError> {
    let exports = format_exports(&credentials(secret, session), format, &ExportOptions::default()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("exports");
    std::fs::write(&file, &exports).unwrap();
    let env = shell_env(shell, &script.replace("FILE", file.to_str().unwrap()));
    prop_assert_eq!(
        env.get("AWS_SECRET_ACCESS_KEY").map(String::as_str),
        Some(secret),
        "{}",
        exports
    );
    prop_assert_eq!(
        env.get("AWS_SESSION_TOKEN").map(String::as_str),
        Some(session),
        "{}",
        exports
    );
    prop_assert_eq!(
        env.get("AWS_CREDENTIAL_EXPIRATION").map(String::as_str),
        Some("2100-01-01T00:00:00Z")
    );
    Ok(())
}

fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config(64))]

    #[test]
    fn env_exports_round_trip_through_bash(secret in value(), session in value()) {
        round_trip("bash", ExportFormat::Env, r#"eval "$(cat FILE)"; env -0"#, &secret, &session)?;
    }

    #[test]
    fn env_no_export_lines_round_trip_through_bash_with_allexport(secret in value(), session in value()) {
        round_trip("bash", ExportFormat::EnvNoExport, r#"set -a; eval "$(cat FILE)"; env -0"#, &secret, &session)?;
    }
}

proptest! {
    #![proptest_config(config(48))]

    #[test]
    fn fish_exports_round_trip_through_fish(secret in value(), session in value()) {
        if !has("fish") {
            return Ok(());
        }
        round_trip("fish", ExportFormat::Fish, "source FILE; env -0", &secret, &session)?;
    }
}
