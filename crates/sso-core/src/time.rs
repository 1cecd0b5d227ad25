//! Timestamps as AWS tools write them, and durations as people read them.

use chrono::{DateTime, Datelike as _, NaiveDate, NaiveDateTime, NaiveTime, SecondsFormat, TimeDelta, Utc};

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
    let text = value.trim();
    if text.len() > 64 || !text.is_ascii() {
        return Err(err());
    }
    // Hand-written rather than chrono's strftime parser: that parser is a third of the WebAssembly module.
    let bytes = text.as_bytes();
    let number = |from: usize, to: usize| number_of(bytes.get(from..to)?);
    let at = |index: usize, allowed: &[u8]| bytes.get(index).is_some_and(|b| allowed.contains(b));
    let parse = || -> Option<DateTime<Utc>> {
        let (year, month, day) = (number(0, 4)?, number(5, 7)?, number(8, 10)?);
        let (hour, minute, mut second) = (number(11, 13)?, number(14, 16)?, number(17, 19)?);
        if !(at(4, b"-") && at(7, b"-") && at(10, b"Tt ") && at(13, b":") && at(16, b":")) {
            return None;
        }
        let mut rest = &text[19..];
        let mut nanos = 0;
        if let Some(fraction) = rest.strip_prefix('.') {
            let digits = fraction.bytes().take_while(u8::is_ascii_digit).count();
            if digits == 0 {
                return None;
            }
            nanos = fraction
                .bytes()
                .take(9)
                .take_while(u8::is_ascii_digit)
                .chain(std::iter::repeat(b'0'))
                .take(9)
                .fold(0, |n, d| n * 10 + u32::from(d - b'0'));
            rest = &fraction[digits..];
        }
        let offset_seconds = match rest {
            "Z" | "z" | "UTC" => 0,
            _ => {
                let sign = match rest.as_bytes().first()? {
                    b'+' => 1,
                    b'-' => -1,
                    _ => return None,
                };
                let zone = &rest.as_bytes()[1..];
                let (hours, minutes) = match zone.len() {
                    5 if zone[2] == b':' => (number_of(&zone[0..2])?, number_of(&zone[3..5])?),
                    4 => (number_of(&zone[0..2])?, number_of(&zone[2..4])?),
                    _ => return None,
                };
                if hours > 23 || minutes > 59 {
                    return None;
                }
                sign * i64::from(hours * 3600 + minutes * 60)
            }
        };
        // A leap second, as RFC 3339 allows: chrono keeps it as 59 s and a second's worth of nanoseconds.
        if second == 60 {
            second = 59;
            nanos += 1_000_000_000;
        }
        let date = NaiveDate::from_ymd_opt(i32::try_from(year).ok()?, month, day)?;
        let time = NaiveTime::from_hms_nano_opt(hour, minute, second, nanos)?;
        let local = NaiveDateTime::new(date, time);
        Some(local.checked_sub_signed(TimeDelta::seconds(offset_seconds))?.and_utc())
    };
    // An offset can carry a four-digit local year out of 0000–9999 in UTC, which `format_timestamp` writes in a
    // form no reader (this one included) accepts: a cache file written back would no longer parse.
    parse().filter(|at| (0..=9999).contains(&at.year())).ok_or_else(err)
}

/// The value of a run of ASCII digits; `None` if any byte is not one.
fn number_of(digits: &[u8]) -> Option<u32> {
    digits
        .iter()
        .all(u8::is_ascii_digit)
        .then(|| digits.iter().fold(0, |n, d| n * 10 + u32::from(d - b'0')))
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
    fn durations_read_naturally() {
        assert_eq!(format_duration(TimeDelta::seconds(12)), "12 s");
        assert_eq!(format_duration(TimeDelta::seconds(250)), "4 min 10 s");
        assert_eq!(format_duration(TimeDelta::seconds(7500)), "2 h 5 min");
        assert_eq!(format_duration(TimeDelta::seconds(-(3 * 86_400 + 7200))), "3 d 2 h");
    }
}
