//! Timestamps as AWS tools write them, and durations as people read them.

use crate::quote::Quoted;
use chrono::{DateTime, Datelike, SecondsFormat, TimeDelta, Utc};

/// A timestamp that matches none of the formats found in token cache files.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{} is not a timestamp ssocreds understands; expected RFC 3339 such as \"2023-02-14T18:48:59Z\" (also \
     accepted: a \"UTC\" suffix, fractions, \"+00:00\" or \"+0000\" offsets)",
    Quoted(.value)
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
/// The instant must fall within the years 0000–9999 in UTC, so that [`format_timestamp`] writes it in a form this
/// function reads back.
pub fn parse_timestamp(value: &str) -> Result<DateTime<Utc>, TimestampError> {
    let err = || TimestampError {
        value: value.chars().take(64).collect(),
    };
    let text = value.trim();
    if text.len() > 64 || !text.is_ascii() {
        return Err(err());
    }
    // RFC 3339 as chrono reads it, after two rewrites: a `UTC` suffix becomes `Z`, and a `+hhmm` offset `+hh:mm`.
    let mut normalised = text.to_owned();
    if normalised.len() >= 3 && normalised[normalised.len() - 3..].eq_ignore_ascii_case("utc") {
        normalised.truncate(normalised.len() - 3);
        normalised.push('Z');
    } else if let Some(offset) = normalised.len().checked_sub(5).and_then(|at| normalised.get(at..))
        && offset.starts_with(['+', '-'])
        && offset[1..].bytes().all(|b| b.is_ascii_digit())
    {
        normalised.insert(normalised.len() - 2, ':');
    }
    let at = DateTime::parse_from_rfc3339(&normalised)
        .map_err(|_| err())?
        .with_timezone(&Utc);
    // An offset can carry a four-digit local year out of 0000–9999 in UTC, which `format_timestamp` writes in a
    // form no reader (this one included) accepts: a cache file written back would no longer parse.
    if !(0..=9999).contains(&at.year()) {
        return Err(err());
    }
    Ok(at)
}

/// Formats a timestamp as RFC 3339 in UTC with a `Z` and whole seconds, the form every SDK accepts.
///
/// Years outside 0000–9999 (which no token file holds, but epoch milliseconds from JavaScript can) are written as
/// chrono writes them: a sign and at least four digits.
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
    fn regression_an_offset_that_moves_the_year_out_of_0000_to_9999_is_rejected() {
        // Found by fuzzing (fuzz/parse_timestamp): "0000-01-01T00:00:00+01:00" parsed to the year -1, which
        // `format_timestamp` writes as "-0001-12-31T23:00:00Z", and that does not parse: a cache file written back
        // after a refresh (registrationExpiresAt is kept) would no longer load.
        assert!(parse_timestamp("0000-01-01T00:00:00+01:00").is_err());
        assert!(parse_timestamp("9999-12-31T23:59:59-01:00").is_err());
        for edge in [
            "0000-01-01T00:00:00Z",
            "9999-12-31T23:59:59Z",
            "0000-01-01T01:00:00+01:00",
        ] {
            let at = parse_timestamp(edge).unwrap();
            assert_eq!(parse_timestamp(&format_timestamp(at)), Ok(at), "{edge}");
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
    fn impossible_dates_and_times_are_rejected() {
        for bad in [
            "2023-02-29T00:00:00Z",
            "1900-02-29T00:00:00Z",
            "2023-04-31T00:00:00Z",
            "2023-00-10T00:00:00Z",
            "2023-01-00T00:00:00Z",
            "2023-01-32T00:00:00Z",
            "2023-01-01T24:00:00Z",
            "2023-01-01T00:60:00Z",
            "2023-01-01T00:00:61Z",
        ] {
            assert!(parse_timestamp(bad).is_err(), "{bad}");
        }
        for good in ["2024-02-29T00:00:00Z", "2000-02-29T00:00:00Z", "0000-02-29T00:00:00Z"] {
            assert!(parse_timestamp(good).is_ok(), "{good}");
        }
    }

    #[test]
    fn a_leap_second_is_kept_and_written_back_as_60() {
        let at = parse_timestamp("2016-12-31T23:59:60Z").unwrap();
        assert_eq!(
            at.timestamp(),
            parse_timestamp("2016-12-31T23:59:59Z").unwrap().timestamp()
        );
        assert_eq!(format_timestamp(at), "2016-12-31T23:59:60Z");
        assert_eq!(parse_timestamp("2017-01-01T00:59:60+01:00"), Ok(at));
    }

    #[test]
    fn durations_read_naturally() {
        assert_eq!(format_duration(TimeDelta::seconds(12)), "12 s");
        assert_eq!(format_duration(TimeDelta::seconds(250)), "4 min 10 s");
        assert_eq!(format_duration(TimeDelta::seconds(7500)), "2 h 5 min");
        assert_eq!(format_duration(TimeDelta::seconds(-(3 * 86_400 + 7200))), "3 d 2 h");
    }
}
