//! Property tests of the core (proptest): what must hold for every input, not just the examples in the unit tests.
//! Pure, like the core: the shell round trip of the exports runs real shells, so it lives in the `hardening` test
//! binary of `ssocreds-tests`.
#![cfg(not(all(target_family = "wasm", target_os = "unknown")))]

use chrono::{DateTime, FixedOffset, TimeZone as _, Utc};
use proptest::prelude::*;
use serde_json::{Map, Value};
use sso_core::{Endpoint, format_timestamp, merge_profile, parse_cached_token, parse_timestamp};

const KEYS: [&str; 3] = ["aws_access_key_id", "aws_secret_access_key", "aws_session_token"];

/// `n` cases, and no failure files written into the source tree (a failure prints its minimal input instead).
fn cases(n: u32) -> ProptestConfig {
    ProptestConfig {
        cases: n,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Credentials file: merging a profile keeps every byte outside its section.

/// A line inside a section: anything but a section header (headers are generated separately, at column 0).
fn body_line() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        Just("   ".to_owned()),
        "[a-z_]{1,12} ?= ?[ -~]{0,20}".prop_map(|s| s.trim_end().to_owned()),
        "(aws_access_key_id|aws_session_token|aws_security_token|Aws_Secret_Access_Key|region) ?[=:] ?[!-~]{0,12}",
        "[#;][ -~]{0,20}",
        "  +[a-z]{1,8}( = [a-z]{0,8})?",
        "[a-zA-Zéü€ -]{1,16}",
    ]
    .prop_filter("not a section header", |line| !line.trim_start().starts_with('['))
}

/// Section headers other than `[dev]`, some of which only look like it.
fn other_header() -> impl Strategy<Value = String> {
    prop_oneof![
        "\\[[a-z0-9 _-]{1,10}\\]",
        Just("[ dev ]".to_owned()),
        Just("[DEV]".to_owned()),
        Just("[profile dev]".to_owned()),
        Just("[dev2]".to_owned()),
    ]
    .prop_filter("not [dev]", |h| h != "[dev]")
}

/// (header, lines) sections, with at most one `[dev]`, and the file's line ending and final-newline choice.
fn credentials_file() -> impl Strategy<Value = String> {
    let section = |header: BoxedStrategy<String>| (header, prop::collection::vec(body_line(), 0..6));
    (
        prop::collection::vec(section(other_header().boxed()), 0..4),
        prop::option::of(section(Just("[dev]".to_owned()).boxed())),
        any::<prop::sample::Index>(),
        prop_oneof![Just("\n"), Just("\r\n")],
        any::<bool>(),
        prop::option::of("[#;][ -~]{0,20}"),
    )
        .prop_map(|(mut sections, dev, at, eol, final_newline, preamble)| {
            if let Some(dev) = dev {
                let at = at.index(sections.len() + 1);
                sections.insert(at, dev);
            }
            let mut text = preamble.map(|p| format!("{p}{eol}")).unwrap_or_default();
            for (header, lines) in sections {
                text.push_str(&header);
                text.push_str(eol);
                for line in lines {
                    text.push_str(&line);
                    text.push_str(eol);
                }
            }
            if !final_newline && text.ends_with(eol) {
                text.truncate(text.len() - eol.len());
            }
            text
        })
}

/// The byte range of the `[dev]` section: its header line up to the next line that starts with `[`, or the end.
fn dev_section(text: &str) -> Option<std::ops::Range<usize>> {
    let mut offset = 0;
    let mut start = None;
    for line in text.split_inclusive('\n') {
        let content = line.trim_end_matches(['\n', '\r']);
        if let Some(s) = start {
            if content.starts_with('[') {
                return Some(s..offset);
            }
        } else if content == "[dev]" {
            start = Some(offset);
        }
        offset += line.len();
    }
    start.map(|s| s..text.len())
}

/// A value a credentials file can hold: no control character, no white space at either end.
fn credential_value() -> impl Strategy<Value = String> {
    "[!-~]([ -~]{0,30}[!-~])?"
}

proptest! {
    #![proptest_config(cases(512))]

    #[test]
    fn merging_a_profile_keeps_every_byte_outside_its_section(
        existing in credentials_file(),
        values in prop::collection::vec(credential_value(), 3),
    ) {
        let pairs: Vec<(&str, &str)> = KEYS.iter().copied().zip(values.iter().map(String::as_str)).collect();
        let merged = merge_profile(&existing, "dev", &pairs).unwrap();
        match dev_section(&existing) {
            Some(old) => {
                let new = dev_section(&merged).expect("[dev] is still there");
                prop_assert_eq!(&merged[..new.start], &existing[..old.start]);
                prop_assert_eq!(&merged[new.end..], &existing[old.end..]);
            }
            None => {
                let kept = existing.trim_end_matches(['\r', '\n']);
                prop_assert!(merged.starts_with(kept));
                prop_assert!(merged[kept.len()..].trim_start().starts_with("[dev]"));
            }
        }
        // A reader finds each key (its spelling in the file may differ in case) with the new value.
        let section = &merged[dev_section(&merged).unwrap()];
        for (key, value) in &pairs {
            let found = section.lines().any(|line| {
                line.split_once(['=', ':']).is_some_and(|(k, v)| k.trim().eq_ignore_ascii_case(key) && v.trim() == *value)
            });
            prop_assert!(found, "{} = {} in {:?}", key, value, section);
        }
        prop_assert_eq!(merge_profile(&merged, "dev", &pairs).unwrap(), merged, "merging twice changes nothing");
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Token cache: parsing then writing back keeps every unknown field, with its value.

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        any::<String>().prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map("[a-zA-Z_]{1,8}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect::<Map<String, Value>>())),
        ]
    })
}

const KNOWN_FIELDS: [&str; 8] = [
    "accessToken",
    "expiresAt",
    "startUrl",
    "region",
    "clientId",
    "clientSecret",
    "registrationExpiresAt",
    "refreshToken",
];

proptest! {
    #![proptest_config(cases(256))]

    #[test]
    fn parsing_then_writing_a_cache_keeps_unknown_fields(
        unknown in prop::collection::btree_map("[a-zA-Z_][a-zA-Z0-9_ ]{0,12}", json_value(), 0..6),
        token in "[ -~]{1,40}",
        refresh in prop::option::of("[ -~]{1,40}"),
    ) {
        let mut object: Map<String, Value> = unknown
            .iter()
            .filter(|(k, _)| !KNOWN_FIELDS.contains(&k.as_str()))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        object.insert("accessToken".into(), token.clone().into());
        object.insert("expiresAt".into(), "2023-02-14T18:48:59Z".into());
        if let Some(refresh) = &refresh {
            object.insert("refreshToken".into(), refresh.clone().into());
        }
        let bytes = serde_json::to_vec(&Value::Object(object.clone())).unwrap();
        let parsed = parse_cached_token(&bytes).unwrap();
        let written: Value = serde_json::from_str(&parsed.to_json()).unwrap();
        for (key, value) in &object {
            prop_assert_eq!(&written[key], value, "{}", key);
        }
        prop_assert_eq!(written.as_object().unwrap().len(), object.len());
        prop_assert_eq!(parse_cached_token(parsed.to_json().as_bytes()).unwrap().to_json(), parsed.to_json());
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Timestamps: what is written reads back; every written variant of an instant reads as that instant.

/// 0001-01-02 to 9998-12-30 in whole seconds, so that any offset keeps the local date within four-digit years.
fn instant() -> impl Strategy<Value = DateTime<Utc>> {
    (-62_135_510_400i64..253_402_041_600).prop_map(|s| Utc.timestamp_opt(s, 0).unwrap())
}

proptest! {
    #![proptest_config(cases(2048))]

    #[test]
    fn timestamps_format_then_parse_to_the_same_instant(at in instant()) {
        prop_assert_eq!(parse_timestamp(&format_timestamp(at)), Ok(at));
    }

    #[test]
    fn every_written_variant_parses_to_the_same_instant(
        at in instant(),
        offset_minutes in -(23 * 60 + 59)..=(23 * 60 + 59i32),
        nanos in 0u32..1_000_000_000,
        style in 0usize..5,
    ) {
        let at = at + chrono::TimeDelta::nanoseconds(nanos.into());
        let local = at.with_timezone(&FixedOffset::east_opt(offset_minutes * 60).unwrap());
        let text = match style {
            0 => local.format("%Y-%m-%dT%H:%M:%S%.f%:z").to_string(),
            1 => local.format("%Y-%m-%dT%H:%M:%S%.f%z").to_string(),
            2 => at.format("%Y-%m-%dT%H:%M:%S%.fUTC").to_string(),
            3 => at.format("%Y-%m-%d %H:%M:%S%.3fZ").to_string(),
            _ => at.format("%Y-%m-%dt%H:%M:%S%.fz").to_string(),
        };
        let parsed = parse_timestamp(&text).map_err(|e| TestCaseError::fail(e.to_string()))?;
        if style == 3 {
            prop_assert_eq!(parsed.timestamp_millis(), at.timestamp_millis(), "{}", text);
        } else {
            prop_assert_eq!(parsed, at, "{}", text);
        }
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Endpoints: an accepted override means one host to every reader, and http:// only ever goes to this machine.

fn url_piece() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        "127.0.0.1",
        "127.1",
        "0x7f",
        "0",
        "12",
        "evil.com",
        "example.com",
        "localhost",
        "@",
        ":",
        "80",
        "443",
        "[::1]",
        "[",
        "]",
        "::1",
        ".",
        "..",
        "/",
        "\\",
        "%2e",
        "%40",
        "#",
        "?",
        "user",
        "a",
        "-",
        "1",
        "00",
        "é",
        "ｅ",
        "\u{2024}",
        "\t",
        " ",
        "x.",
        "sso",
        "portal.sso.us-east-1.amazonaws.com",
    ])
}

fn is_loopback(host: &url::Host<&str>) -> bool {
    match host {
        url::Host::Ipv4(ip) => ip.is_loopback(),
        url::Host::Ipv6(ip) => ip.is_loopback(),
        url::Host::Domain(d) => d.eq_ignore_ascii_case("localhost"),
    }
}

proptest! {
    #![proptest_config(cases(4096))]

    #[test]
    fn an_accepted_endpoint_has_the_host_a_strict_parser_sees(
        scheme in prop::sample::select(vec!["https://", "http://", "HTTPS://", "hTTp://", "https:/", "https:\\\\"]),
        pieces in prop::collection::vec(url_piece(), 1..6),
    ) {
        let text = format!("{scheme}{}", pieces.concat());
        let Ok(endpoint) = Endpoint::custom(&text) else {
            return Ok(());
        };
        let base = endpoint.as_str();
        let parsed = url::Url::parse(&format!("{base}/federation/credentials"))
            .map_err(|e| TestCaseError::fail(format!("{base:?} accepted but the URL parser says {e}")))?;
        prop_assert!(parsed.username().is_empty() && parsed.password().is_none(), "{}", base);
        let host = parsed.host().expect("a host");
        let strict = parsed.host_str().unwrap().to_ascii_lowercase();
        let rest = base.split_once("://").unwrap().1;
        let authority = rest.split('/').next().unwrap();
        let naive = if authority.starts_with('[') {
            format!("{}]", authority.split(']').next().unwrap())
        } else {
            authority.split(':').next().unwrap().to_owned()
        };
        // IPv6 hosts are compared as addresses: the URL parser writes them in their shortest form.
        let same = match (&host, naive.strip_prefix('[').and_then(|h| h.strip_suffix(']'))) {
            (url::Host::Ipv6(seen), Some(inner)) => inner.parse::<std::net::Ipv6Addr>() == Ok(*seen),
            _ => strict == naive.to_ascii_lowercase(),
        };
        prop_assert!(same, "{}: the URL parser sees {}", base, strict);
        if parsed.scheme() == "http" {
            prop_assert!(is_loopback(&host), "http:// to {}", strict);
        }
        prop_assert_eq!(endpoint.is_loopback(), is_loopback(&host), "{}", base);
    }
}
