//! Unit tests of the config reader: the SDK standard, the AWS CLI's differences and profile resolution.

use super::*;
// On wasm32 the same tests run under wasm-bindgen-test (as quinn-proto does).
#[cfg(all(target_family = "wasm", target_os = "unknown"))]
use wasm_bindgen_test::wasm_bindgen_test as test;

const MIXED: &str = "\
# my config
[default]
region = eu-west-1

[profile legacy]
sso_start_url = https://legacy.awsapps.com/start
sso_region = us-east-1
sso_account_id = 111122223333
sso_role_name = ReadOnly
region = us-west-2
output = json

[profile dev]
sso_session = corp
sso_account_id = 444455556666
sso_role_name = Admin
s3 =
    addressing_style = path
    signature_version = s3v4

[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = eu-central-1
sso_registration_scopes = sso:account:access, codewhisperer:completions ,

[services local]
sso-oidc =
  endpoint_url = http://127.0.0.1:4000
";

fn resolve(text: &str, profile: &str) -> Result<SsoProfile, ConfigError> {
    resolve_sso_profile(&parse_config(text).unwrap(), profile)
}

#[test]
fn legacy_profile() {
    let p = resolve(MIXED, "legacy").unwrap();
    assert_eq!(p.session_name, None);
    assert_eq!(p.start_url, "https://legacy.awsapps.com/start");
    assert_eq!(p.sso_region.as_str(), "us-east-1");
    assert_eq!(p.account_id.unwrap().as_str(), "111122223333");
    assert_eq!(p.role_name.unwrap().as_str(), "ReadOnly");
    assert_eq!(p.region.unwrap().as_str(), "us-west-2");
    assert!(p.registration_scopes.is_empty());
    assert_eq!(p.configured_registration_scopes, None);
}

#[test]
fn sso_session_profile() {
    let p = resolve(MIXED, "dev").unwrap();
    assert_eq!(p.session_name.as_deref(), Some("corp"));
    assert_eq!(p.start_url, "https://corp.awsapps.com/start");
    assert_eq!(p.sso_region.as_str(), "eu-central-1");
    assert_eq!(p.account_id.as_ref().unwrap().as_str(), "444455556666");
    assert_eq!(
        p.registration_scopes,
        ["sso:account:access", "codewhisperer:completions"]
    );
    assert_eq!(p.configured_registration_scopes.as_ref().unwrap().len(), 2);
    assert_eq!(p.region, None);
    assert_eq!(token_cache_key(&p), "corp");
    assert_eq!(p.cache_file_name(), crate::cache::cache_file_name("corp"));
}

#[test]
fn token_cache_key_of_a_legacy_profile_is_the_exact_start_url() {
    let p = resolve(
        "[profile x]\nsso_start_url = https://a.awsapps.com/start/\nsso_region = us-east-1\n",
        "x",
    )
    .unwrap();
    assert_eq!(token_cache_key(&p), "https://a.awsapps.com/start/");
}

#[test]
fn default_scope_when_the_session_sets_none() {
    let p = resolve(
        "[profile p]\nsso_session = s\n[sso-session s]\nsso_start_url = https://x/start\nsso_region = us-east-1\n",
        "p",
    )
    .unwrap();
    assert_eq!(p.registration_scopes, [DEFAULT_REGISTRATION_SCOPE]);
    assert_eq!(p.configured_registration_scopes, None);
    assert_eq!(p.account_id, None);
    assert_eq!(p.role_name, None);
}

/// The warnings of a file as `(line, kind)`.
fn warning_lines(config: &ConfigFile) -> Vec<(usize, ConfigWarningKind)> {
    config.warnings().iter().map(|w| (w.line, w.kind)).collect()
}

#[test]
fn nested_blocks_and_other_sections_are_kept() {
    let config = parse_config(MIXED).unwrap();
    assert_eq!(profile_names(&config), ["default", "legacy", "dev"]);
    assert_eq!(sso_sessions(&config), ["corp"]);
    let dev = config.profile("dev").unwrap();
    assert_eq!(
        dev.value("s3"),
        Some(&ConfigValue::Nested(vec![
            ("addressing_style".into(), "path".into()),
            ("signature_version".into(), "s3v4".into())
        ]))
    );
    assert_eq!(dev.get("s3"), None);
    assert_eq!(dev.header(), "profile dev");
    assert_eq!(
        config.services("local").unwrap().value("sso-oidc"),
        Some(&ConfigValue::Nested(vec![(
            "endpoint_url".into(),
            "http://127.0.0.1:4000".into()
        )]))
    );
    assert!(config.warnings().is_empty(), "{:?}", config.warnings());
}

// Was `syntax_follows_configparser`: the SDK standard cuts inline comments, keeps indented comment lines, drops
// blank lines inside a value, lower-cases setting names, and refuses `key: value`.
#[test]
fn syntax_follows_the_sdk_standard() {
    let text = "[profile a]\nSSO_Start_URL=https://a/start\nregion = us-east-1 # x\nother = a#b ;c\n\
                multi = one\n  two\n\n  # comment inside\n  three\n";
    let config = parse_config(text).unwrap();
    let a = config.profile("a").unwrap();
    assert_eq!(a.get("sso_start_url"), Some("https://a/start"));
    assert_eq!(a.get("region"), Some("us-east-1"));
    assert_eq!(a.get("other"), Some("a#b"));
    assert_eq!(a.get("multi"), Some("one\ntwo\n# comment inside\nthree"));
    assert_eq!(a.iter().next().unwrap().0, "sso_start_url");
    assert_eq!(a.line_of("REGION"), Some(3));
    // Each line the AWS CLI reads otherwise has its warning.
    assert_eq!(
        warning_lines(&config),
        [
            (3, ConfigWarningKind::AwsCliDiffers),
            (4, ConfigWarningKind::AwsCliDiffers),
            (5, ConfigWarningKind::AwsCliDiffers)
        ]
    );
    let err = parse_config("[profile a]\nsso_region: us-east-1\n").unwrap_err();
    assert!(err.to_string().contains("`key : value` is not accepted"), "{err}");
}

#[test]
fn an_inline_comment_is_cut_and_the_aws_cli_difference_named() {
    let text = "[profile a]\nsso_start_url = https://x/start\nsso_region = us-east-1\nsso_role_name = Admin # prod\n";
    let config = parse_config(text).unwrap();
    assert_eq!(resolve(text, "a").unwrap().role_name.unwrap().as_str(), "Admin");
    let [warning] = config.warnings() else {
        panic!("{:?}", config.warnings())
    };
    assert!(warning.is_aws_cli_difference());
    assert_eq!(
        warning.to_string(),
        "line 4: the AWS CLI reads sso_role_name as \"Admin # prod\" (it keeps inline comments); ssocreds and the \
         AWS SDKs read \"Admin\""
    );
    // After a section header, a comment needs no space; both readers agree there.
    let config = parse_config("[profile a]# x\nk = v\n[profile b] ; y\n").unwrap();
    assert_eq!(profile_names(&config), ["a", "b"]);
    assert!(config.warnings().is_empty(), "{:?}", config.warnings());
}

// Was `names_are_trimmed_and_may_be_quoted`: quoted names are botocore's (shlex) only; the SDKs ignore them.
#[test]
fn names_are_trimmed_and_checked() {
    let config = parse_config(
        "[profile  spaced ]\nk=v\n[profile \"my dev\"]\nk=v\n[sso-session 'q s']\nk=v\n[profile\tok:a/b%c@d+e.f_g-h]\n",
    )
    .unwrap();
    assert_eq!(profile_names(&config), ["spaced", "ok:a/b%c@d+e.f_g-h"]);
    assert!(sso_sessions(&config).is_empty());
    let warnings = config.warnings();
    assert_eq!(
        warning_lines(&config)[..2],
        [
            (3, ConfigWarningKind::AwsCliDiffers),
            (5, ConfigWarningKind::AwsCliDiffers)
        ]
    );
    assert!(
        warnings[0].message.contains(
            "the AWS CLI reads [profile \"my dev\"] as profile \"my dev\"; ssocreds and the AWS SDKs ignore it"
        ),
        "{warnings:?}"
    );
    // Both readers ignore a name with a space; the SDKs say so.
    let config = parse_config("[profile my dev]\nk=v\n[profile foo!bar]\n").unwrap();
    assert!(profile_names(&config).is_empty());
    assert_eq!(
        warning_lines(&config),
        [(1, ConfigWarningKind::Ignored), (3, ConfigWarningKind::AwsCliDiffers)]
    );
    assert!(
        config.warnings()[0].message.contains("not a valid name"),
        "{:?}",
        config.warnings()
    );
    // `[profiles x]` is another kind of section, `[profilex]` and `[Profile x]`'s prefix are not `profile`.
    let config = parse_config("[profiles x]\nk=v\n[profilex]\nk=v\n[Profile y]\n").unwrap();
    assert!(profile_names(&config).is_empty());
    assert!(config.section("profiles", "x").is_some());
    assert_eq!(warning_lines(&config), [(3, ConfigWarningKind::Ignored)]);
}

// Was `default_and_profile_default_are_one_profile_and_the_later_wins`: the SDKs take [profile default] wherever it
// stands and ignore [default]; the AWS CLI takes the later one, which a warning names.
#[test]
fn profile_default_wins_over_default_in_any_order() {
    for text in [
        "[profile default]\nregion = us-east-1\nk = 1\n[default]\nregion = eu-west-1\n",
        "[default]\nregion = eu-west-1\n[profile default]\nregion = us-east-1\nk = 1\n",
    ] {
        let config = parse_config(text).unwrap();
        assert_eq!(profile_names(&config), ["default"]);
        let default = config.profile("default").unwrap();
        assert_eq!(default.header(), "profile default");
        assert_eq!(
            (default.get("region"), default.get("k")),
            (Some("us-east-1"), Some("1"))
        );
        assert!(
            config
                .warnings()
                .iter()
                .any(|w| w.message.contains("[default] is ignored")
                    || w.message.contains("it takes [default], the later section")),
            "{:?}",
            config.warnings()
        );
    }
    // Where [profile default] comes last, the AWS CLI reads the same: only the SDKs' note remains.
    let config = parse_config("[default]\nregion = eu-west-1\n[profile default]\nregion = us-east-1\nk = 1\n").unwrap();
    assert_eq!(warning_lines(&config), [(1, ConfigWarningKind::Ignored)]);
    let config = parse_config("[profile default]\nregion = us-east-1\nk = 1\n[default]\nregion = eu-west-1\n").unwrap();
    assert_eq!(
        config.warnings()[0].message,
        "the AWS CLI reads region as \"eu-west-1\" (it takes [default], the later section, and the SDKs take \
         [profile default]); ssocreds and the AWS SDKs read \"us-east-1\""
    );
}

/// `[profile default]`, `[default]`, `[profile default]` returned only the middle section's keys: the two
/// `[profile default]` sections were merged first, then the bare `[default]` after them replaced the lot.
#[test]
fn mixed_default_sections_kept_only_the_middle_ones_keys() {
    let config =
        parse_config("[profile default]\nname = value\n[default]\nname2 = value2\n[profile default]\nname3 = value3\n")
            .unwrap();
    let default = config.profile("default").unwrap();
    let keys: Vec<&str> = default.iter().map(|(k, _)| k).collect();
    assert_eq!(keys, ["name", "name3"]);
    assert_eq!(
        warning_lines(&config),
        [(3, ConfigWarningKind::Ignored), (5, ConfigWarningKind::AwsCliDiffers)]
    );
    assert!(
        config.warnings()[1]
            .message
            .contains("the AWS CLI cannot read this file")
    );
}

// Was `repeated_sections_merge_with_a_warning`: still merged; botocore cannot read the file, one warning says so.
#[test]
fn repeated_sections_and_keys_merge_and_the_last_value_wins() {
    let config = parse_config("[profile a]\nx = 1\ny = 1\n[profile b]\n[profile a]\ny = 2\nY = 3\n").unwrap();
    let a = config.profile("a").unwrap();
    assert_eq!((a.get("x"), a.get("y")), (Some("1"), Some("3")));
    assert_eq!(warning_lines(&config), [(5, ConfigWarningKind::AwsCliDiffers)]);
    assert_eq!(
        config.warnings()[0].message,
        "the AWS CLI cannot read this file: [profile a] appears a second time (first at line 1); ssocreds and the \
         AWS SDKs merge the two"
    );
    let config = parse_config("[profile a]\nk = 1\nK = 2\n").unwrap();
    assert_eq!(config.profile("a").unwrap().get("k"), Some("2"));
    assert!(
        config.warnings()[0]
            .message
            .contains("\"K\" is set a second time in [profile a] (first at line 2)")
    );
}

#[test]
fn syntax_errors_name_the_line() {
    for (text, line) in [
        ("region = x\n", 1),
        ("[a]\nk = v\nnot a setting\n", 3),
        ("[a]\ns3 =\n  no equals here\n", 3),
        ("[a]\n= v\n", 2),
        ("[profile a]\nk : v\n", 2),
        ("[profile a]\ns3 =\n  = v\n", 3),
        ("[profile a]\ns3 =\n  # a comment here\n", 3),
        ("[profile a\nk = v\n", 1),
        ("[profile a] junk\n", 1),
        ("[profile a]\n  k = v\n", 2),
        ("  k = v\n", 1),
    ] {
        let err = parse_config(text).unwrap_err();
        assert!(
            matches!(err, ConfigError::Syntax { line: l, .. } if l == line),
            "{text:?}: {err:?}"
        );
        assert_eq!(err.code(), "CONFIG_SYNTAX");
        assert!(err.to_string().contains(&format!("at line {line}")), "{err}");
    }
}

// Was `values_join_as_configparser_joins_them`: blank lines inside a value are dropped, and a broken sub-property is
// an error where it stands, even when a later line sets the key again.
#[test]
fn continuation_lines_join_as_the_sdks_join_them() {
    let config = parse_config("[default]\nk = one\n  two\n\n  three\n\nblank =\n\n\nj = x\n").unwrap();
    let default = config.profile("default").unwrap();
    assert_eq!(default.get("k"), Some("one\ntwo\nthree"));
    assert_eq!(default.get("blank"), Some(""));
    assert_eq!(warning_lines(&config), [(2, ConfigWarningKind::AwsCliDiffers)]);
    let err = parse_config("[default]\ns3 =\n  junk\ns3 = plain\n").unwrap_err();
    assert!(matches!(err, ConfigError::Syntax { line: 3, .. }), "{err:?}");
    // Comment lines in the first column do not end a value; sub-properties may have empty values and odd names.
    let config = parse_config("[default]\ns3 =\n  a = 1\n# note\n  in valid =\n").unwrap();
    assert_eq!(
        config.profile("default").unwrap().value("s3"),
        Some(&ConfigValue::Nested(vec![
            ("a".into(), "1".into()),
            ("in valid".into(), String::new())
        ]))
    );
}

#[test]
fn setting_names_outside_the_standard_are_ignored() {
    let config = parse_config("[profile a]\nin valid = x\nok = y\n").unwrap();
    let a = config.profile("a").unwrap();
    assert_eq!(a.iter().count(), 1);
    assert_eq!(warning_lines(&config), [(2, ConfigWarningKind::AwsCliDiffers)]);
    assert_eq!(
        config.warnings()[0].message,
        "the AWS CLI reads in valid as \"x\"; ssocreds and the AWS SDKs ignore it (setting names are letters, digits \
         and _-/.%@:+, without spaces)"
    );
}

#[test]
fn populate_writes_what_both_readers_read_alike() {
    let entry = |id: &str, role: &str| crate::populate::PopulateEntry {
        account_id: id.into(),
        account_name: "n".into(),
        role_name: role.into(),
    };
    let block = crate::populate::render_block(
        "corp",
        &[
            ("Prod.Admin".into(), entry("111122223333", "Admin")),
            ("dev+x@y.ReadOnly".into(), entry("444455556666", "ReadOnly")),
        ],
        Some("eu-west-1"),
        "\n",
    );
    let text = crate::populate::replace_block(MIXED, "corp", &block);
    let config = parse_config(&text).unwrap();
    assert!(config.warnings().is_empty(), "{:?}", config.warnings());
    assert_eq!(
        resolve(&text, "dev+x@y.ReadOnly").unwrap().role_name.unwrap().as_str(),
        "ReadOnly"
    );
}

#[test]
fn unknown_profile_lists_up_to_ten() {
    let mut text = String::new();
    for i in 0..12 {
        text.push_str(&format!("[profile p{i}]\nregion = us-east-1\n"));
    }
    let err = resolve(&text, "nope").unwrap_err();
    assert_eq!(err.code(), "CONFIG_UNKNOWN_PROFILE");
    let message = err.to_string();
    assert!(message.starts_with("there is no profile \"nope\" in the config file; profiles: \"p0\", \"p1\""));
    assert!(message.ends_with("\"p9\" and 2 more"), "{message}");
    assert_eq!(
        resolve("", "dev").unwrap_err().to_string(),
        "there is no profile \"dev\" in the config file (it has no profiles at all); `aws configure sso` creates one"
    );
}

#[test]
fn a_profile_without_sso_settings() {
    let err = resolve(MIXED, "default").unwrap_err();
    assert_eq!(err.code(), "CONFIG_PROFILE_NOT_SSO");
    assert_eq!(
        err.to_string(),
        "profile \"default\" has no SSO settings: add `sso_session = NAME` (with an [sso-session NAME] section \
         holding sso_start_url and sso_region), or sso_start_url and sso_region, to [default]; \
         `aws configure sso --profile default` writes them"
    );
}

#[test]
fn missing_keys_say_where_and_what() {
    let err = resolve(
        "[profile a]\nsso_account_id = 111122223333\nsso_region = us-east-1\n",
        "a",
    )
    .unwrap_err();
    assert_eq!(err.code(), "CONFIG_MISSING_KEY");
    assert_eq!(
        err.to_string(),
        "[profile a] has no `sso_start_url`: add a line `sso_start_url = https://my-sso-portal.awsapps.com/start` \
         to it"
    );
    let err = resolve(
        "[profile a]\nsso_session = s\n[sso-session s]\nsso_start_url = https://x\n",
        "a",
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "[sso-session s] has no `sso_region`: add a line `sso_region = us-east-1` to it"
    );
    let err = resolve("[profile a]\nsso_start_url =\nsso_region = us-east-1\n", "a").unwrap_err();
    assert_eq!(err.code(), "CONFIG_MISSING_KEY");
}

#[test]
fn unknown_session() {
    let err = resolve("[profile a]\nsso_session = typo\n[sso-session corp]\nk = v\n", "a").unwrap_err();
    assert_eq!(err.code(), "CONFIG_UNKNOWN_SSO_SESSION");
    assert_eq!(
        err.to_string(),
        "profile \"a\" uses sso_session = \"typo\", but there is no [sso-session typo] section (sso-sessions: \
         \"corp\")"
    );
    let err = resolve("[profile a]\nsso_session = x\n", "a").unwrap_err();
    assert!(
        err.to_string().ends_with("(the file has no sso-session sections)"),
        "{err}"
    );
}

#[test]
fn a_key_set_differently_in_profile_and_session() {
    let text = "[profile a]\nsso_session = s\nsso_region = us-west-2\n\
                [sso-session s]\nsso_start_url = https://x/start\nsso_region = us-east-1\n";
    let err = resolve(text, "a").unwrap_err();
    assert_eq!(err.code(), "CONFIG_CONFLICT");
    assert_eq!(
        err.to_string(),
        "`sso_region` is set differently in [profile a] (\"us-west-2\") and in [sso-session s] (\"us-east-1\"); \
         the AWS CLI refuses this: remove it from the profile, or make both the same"
    );
    // The same value in both is fine.
    let same = text.replace("us-west-2", "us-east-1");
    assert_eq!(resolve(&same, "a").unwrap().sso_region.as_str(), "us-east-1");
}

// Was `invalid_values_are_validated_and_a_comment_is_hinted`: a 4-digit account id is valid now (the portal
// answers), and an inline comment is cut instead of hinted at.
#[test]
fn invalid_values_are_validated() {
    let base = "[profile a]\nsso_start_url = https://x/start\nsso_region = us-east-1\n";
    let err = resolve(&format!("{base}sso_account_id = 12a4\n"), "a").unwrap_err();
    assert_eq!(err.code(), "CONFIG_INVALID_VALUE");
    assert_eq!(err.to_string(), "`sso_account_id` in [profile a] is not valid");
    let source = std::error::Error::source(&err).unwrap().to_string();
    assert!(source.contains("\"12a4\""), "{source}");
    assert_eq!(
        resolve(&format!("{base}sso_account_id = 1234\n"), "a")
            .unwrap()
            .account_id
            .unwrap()
            .as_str(),
        "1234"
    );

    let err = resolve(&format!("{base}region = mars\n"), "a").unwrap_err();
    assert!(matches!(err, ConfigError::InvalidValue { key: "region", .. }));
    let err = resolve(
        "[profile a]\nsso_start_url = https://x\nsso_region = us-east-1.evil.com\n",
        "a",
    )
    .unwrap_err();
    assert!(matches!(err, ConfigError::InvalidValue { key: "sso_region", .. }));
    let err = resolve(&format!("{base}sso_role_name =\n  a = b\n"), "a").unwrap_err();
    assert_eq!(err.code(), "CONFIG_NESTED_VALUE");
}

#[test]
fn crlf_and_bom_files_parse() {
    let text = "\u{feff}[profile a]\r\nsso_start_url = https://x/start\r\nsso_region = us-east-1\r\n";
    let p = resolve(text, "a").unwrap();
    assert_eq!(p.start_url, "https://x/start");
}

#[test]
fn registration_scopes_parse_as_the_cli_does() {
    assert_eq!(parse_registration_scopes(" a , b,,c ,"), ["a", "b", "c"]);
    assert!(parse_registration_scopes("").is_empty());
}
