//! Timestamps as AWS tools write them, and durations as people read them.

use chrono::{DateTime, FixedOffset, NaiveDateTime, SecondsFormat, TimeDelta, Utc};

/// A timestamp that matches none of the formats found in token cache files.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{value:?} is not a timestamp ssocreds understands; expected RFC 3339 such as \
     \"2023-02-14T18:48:59Z\" (also accepted: a \"UTC\" suffix, fractions, \"+00:00\" or \"+0000\" offsets)"
)]
pub struct TimestampError {
    /// The text that failed to parse (a timestamp, never a secret).
    pub value: String,
}

impl TimestampError {
    /// A stable machine-readable code.
    pub fn code(&self) -> &'static str {
        "INVALID_TIMESTAMP"
    }
}

/// Parses every `expiresAt` variant seen in token cache files and returns it in UTC.
///
/// Accepted: `2020-06-17T10:02:08UTC` (AWS CLI before 2.1.14), `2023-02-14T18:48:59Z`, fractional seconds of any
/// precision, `-08:00`-style offsets, `+0000`-style offsets, a space instead of `T` and lower-case `t`/`z`.
pub fn parse_timestamp(value: &str) -> Result<DateTime<Utc>, TimestampError> {
    let err = || TimestampError {
        value: value.chars().take(64).collect(),
    };
    let trimmed = value.trim();
    if trimmed.len() > 64 || !trimmed.is_ascii() {
        return Err(err());
    }
    let mut text = trimmed.replace(' ', "T");
    // Lower-case `t` and `z` are valid RFC 3339; chrono wants upper case.
    if let Some(pos) = text.find('t') {
        text.replace_range(pos..=pos, "T");
    }
    if text.ends_with('z') {
        text.pop();
        text.push('Z');
    }
    if let Some(stripped) = text.strip_suffix("UTC") {
        let naive = NaiveDateTime::parse_from_str(stripped, "%Y-%m-%dT%H:%M:%S%.f").map_err(|_| err())?;
        return Ok(naive.and_utc());
    }
    if let Ok(parsed) = DateTime::parse_from_rfc3339(&text) {
        return Ok(parsed.with_timezone(&Utc));
    }
    // `+0000` (no colon) is not RFC 3339 but ISO 8601 basic offsets are seen in hand-made files.
    DateTime::<FixedOffset>::parse_from_str(&text, "%Y-%m-%dT%H:%M:%S%.f%z")
        .map(|parsed| parsed.with_timezone(&Utc))
        .map_err(|_| err())
}

/// Formats a timestamp as RFC 3339 in UTC with a `Z` and whole seconds, the form every SDK accepts.
pub fn format_timestamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// Formats a duration for people: `2 h 5 min`, `4 min 10 s`, `12 s`, `3 d 2 h`. Negative durations are shown
/// by magnitude; callers say "ago" or "left".
pub fn format_duration(duration: TimeDelta) -> String {
    let total = duration.num_seconds().unsigned_abs();
    let (days, hours, minutes, seconds) = (total / 86_400, total / 3600 % 24, total / 60 % 60, total % 60);
    if days > 0 {
        format!("{days} d {hours} h")
    } else if hours > 0 {
        format!("{hours} h {minutes} min")
    } else if minutes > 0 {
        format!("{minutes} min {seconds} s")
    } else {
        format!("{seconds} s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    // On wasm32 the same tests run under wasm-bindgen-test (as quinn-proto does).
    #[cfg(all(target_family = "wasm", target_os = "unknown"))]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn every_expires_at_variant_in_the_wild_parses() {
        let cases = [
            ("2020-06-17T10:02:08UTC", "2020-06-17T10:02:08Z"),
            ("2023-02-14T18:48:59Z", "2023-02-14T18:48:59Z"),
            ("2023-02-14T18:48:59.123Z", "2023-02-14T18:48:59.123Z"),
            ("2023-02-14T18:48:59.123456Z", "2023-02-14T18:48:59.123456Z"),
            ("2023-02-14T10:48:59-08:00", "2023-02-14T18:48:59Z"),
            ("2023-02-14T18:48:59+0000", "2023-02-14T18:48:59Z"),
            ("2023-02-14T20:48:59+0200", "2023-02-14T18:48:59Z"),
            ("2023-02-14 18:48:59Z", "2023-02-14T18:48:59Z"),
            ("2023-02-14t18:48:59z", "2023-02-14T18:48:59Z"),
            ("2020-06-17T10:02:08.5UTC", "2020-06-17T10:02:08.5Z"),
        ];
        for (input, expected) in cases {
            assert_eq!(parse_timestamp(input), Ok(utc(expected)), "{input}");
        }
    }

    #[test]
    fn garbage_is_rejected_with_the_value_named() {
        for bad in [
            "",
            "tomorrow",
            "2023-02-14",
            "2023-13-14T18:48:59Z",
            "1676400539",
            "2023-02-14T18:48:59",
        ] {
            let err = parse_timestamp(bad).unwrap_err();
            assert!(err.to_string().contains(&format!("{bad:?}")), "{err}");
        }
    }

    #[test]
    fn output_is_rfc3339_with_z_and_whole_seconds() {
        assert_eq!(
            format_timestamp(utc("2023-02-14T10:48:59.987-08:00")),
            "2023-02-14T18:48:59Z"
        );
    }

    #[test]
    fn durations_read_naturally() {
        assert_eq!(format_duration(TimeDelta::seconds(12)), "12 s");
        assert_eq!(format_duration(TimeDelta::seconds(250)), "4 min 10 s");
        assert_eq!(format_duration(TimeDelta::seconds(7500)), "2 h 5 min");
        assert_eq!(format_duration(TimeDelta::seconds(-(3 * 86_400 + 7200))), "3 d 2 h");
    }
}
