//! `~/.aws/config` parsing and profile resolution on arbitrary text: every profile found resolves or fails with a
//! message, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let Ok(config) = sso_core::parse_config(&text) else {
        return;
    };
    for warning in config.warnings() {
        let _ = format!("{warning:?}");
    }
    let _ = sso_core::sso_sessions(&config);
    let mut names: Vec<String> = sso_core::profile_names(&config)
        .into_iter()
        .map(str::to_owned)
        .collect();
    names.push("default".into());
    names.push("missing-profile".into());
    for name in names {
        match sso_core::resolve_sso_profile(&config, &name) {
            Ok(profile) => {
                let _ = profile.cache_file_name();
                let _ = profile.registration_cache_file_name();
                let _ = sso_core::parse_registration_scopes(&profile.registration_scopes.join(","));
            }
            Err(e) => {
                let _ = (e.to_string(), e.code());
            }
        }
    }
});
