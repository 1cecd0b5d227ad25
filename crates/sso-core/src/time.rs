//! Timestamps as AWS tools write them, and durations as people read them.

use crate::quote::Quoted;
use chrono::{DateTime, TimeDelta, Utc};

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
        // `get`, not `[19..]`: see `Endpoint::custom` on slicing in this crate.
        let mut rest = text.get(19..)?;
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
            rest = fraction.get(digits..)?;
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
        if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
            return None;
        }
        if hour > 23 || minute > 59 || second > 60 {
            return None;
        }
        // A leap second, as RFC 3339 allows: chrono keeps it as 59 s and a second's worth of nanoseconds.
        if second == 60 {
            second = 59;
            nanos += 1_000_000_000;
        }
        let local =
            days_from_civil(i64::from(year), month, day) * 86_400 + i64::from(hour * 3600 + minute * 60 + second);
        let utc = local - offset_seconds;
        // An offset can carry a four-digit local year out of 0000–9999 in UTC, which `format_timestamp` writes in
        // a form no reader (this one included) accepts: a cache file written back would no longer parse.
        if !(FIRST_SECOND_OF_YEAR_0..=LAST_SECOND_OF_YEAR_9999).contains(&utc) {
            return None;
        }
        DateTime::from_timestamp(utc, nanos)
    };
    parse().ok_or_else(err)
}

/// 0000-01-01T00:00:00Z and 9999-12-31T23:59:59Z in seconds since the Unix epoch.
const FIRST_SECOND_OF_YEAR_0: i64 = -62_167_219_200;
const LAST_SECOND_OF_YEAR_9999: i64 = 253_402_300_799;

/// Days from 1970-01-01 to a date of the proleptic Gregorian calendar (H. Hinnant's `days_from_civil`).
///
/// Calendar arithmetic by hand rather than through chrono's `NaiveDate`: its month/day tables and date formatting
/// are 4 KB of the WebAssembly module, for the two conversions this module needs.
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let day_of_year = (153 * i64::from((month + 9) % 12) + 2) / 5 + i64::from(day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The date `days` after 1970-01-01 as (year, month, day) (H. Hinnant's `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let days = days + 719_468;
    let era = days.div_euclid(146_097);
    let day_of_era = days - era * 146_097;
    let year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let shifted_month = (5 * day_of_year + 2) / 153;
    // Both in range by construction: day 1..=31, month 1..=12.
    let day = (day_of_year - (153 * shifted_month + 2) / 5 + 1) as u32;
    let month = if shifted_month < 10 {
        shifted_month + 3
    } else {
        shifted_month - 9
    } as u32;
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        2 if year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400)) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// The value of a run of ASCII digits; `None` if any byte is not one.
fn number_of(digits: &[u8]) -> Option<u32> {
    digits
        .iter()
        .all(u8::is_ascii_digit)
        .then(|| digits.iter().fold(0, |n, d| n * 10 + u32::from(d - b'0')))
}

/// Formats a timestamp as RFC 3339 in UTC with a `Z` and whole seconds, the form every SDK accepts.
///
/// Years outside 0000–9999 (which no token file holds, but epoch milliseconds from JavaScript can) are written as
/// chrono's `to_rfc3339` writes them: a sign and at least four digits.
pub fn format_timestamp(at: DateTime<Utc>) -> String {
    let seconds = at.timestamp();
    let (year, month, day) = civil_from_days(seconds.div_euclid(86_400));
    let of_day = seconds.rem_euclid(86_400);
    // A leap second is held as 59 s plus a second's worth of nanoseconds.
    let second = of_day % 60 + i64::from(at.timestamp_subsec_nanos() >= 1_000_000_000);
    let mut out = String::with_capacity(24);
    if !(0..=9999).contains(&year) {
        out.push(if year < 0 { '-' } else { '+' });
    }
    let digits = year.unsigned_abs().to_string();
    for _ in digits.len()..4 {
        out.push('0');
    }
    out.push_str(&digits);
    for (separator, value) in [
        ('-', i64::from(month)),
        ('-', i64::from(day)),
        ('T', of_day / 3600),
        (':', of_day / 60 % 60),
        (':', second),
    ] {
        out.push(separator);
        out.push(char::from(b'0' + (value / 10) as u8));
        out.push(char::from(b'0' + (value % 10) as u8));
    }
    out.push('Z');
    out
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
    fn hand_written_calendar_agrees_with_chrono() {
        use chrono::{NaiveDate, SecondsFormat};
        // Every day of 0000-01-01..=9999-12-31 would be 3.6 million; steps of 29 days (with a 1-day step now and
        // then, so every day of the month comes up) cover every month, day and leap rule while staying fast on wasm.
        let first = NaiveDate::from_ymd_opt(0, 1, 1).unwrap();
        let last = NaiveDate::from_ymd_opt(9999, 12, 31).unwrap();
        let mut date = first;
        let mut step = 0u64;
        while date <= last {
            for at in [
                date.and_hms_opt(0, 0, 0).unwrap(),
                date.and_hms_opt(23, 59, 59).unwrap(),
            ] {
                let at = at.and_utc();
                let text = format_timestamp(at);
                assert_eq!(text, at.to_rfc3339_opts(SecondsFormat::Secs, true));
                assert_eq!(parse_timestamp(&text), Ok(at), "{text}");
            }
            step += 1;
            date = date + chrono::Days::new(if step.is_multiple_of(50) { 1 } else { 29 });
        }
        for at in [
            last.and_hms_opt(23, 59, 59).unwrap(),
            first.and_hms_opt(0, 0, 0).unwrap(),
        ] {
            assert_eq!(
                format_timestamp(at.and_utc()),
                at.and_utc().to_rfc3339_opts(SecondsFormat::Secs, true)
            );
        }
        // Beyond 0000–9999 (epoch milliseconds from JavaScript can be): as chrono writes them.
        for millis in [
            -62_167_219_200_001,
            253_402_300_800_000,
            8_000_000_000_000_000,
            -8_000_000_000_000_000,
        ] {
            let at = DateTime::from_timestamp_millis(millis).unwrap();
            assert_eq!(
                format_timestamp(at),
                at.to_rfc3339_opts(SecondsFormat::Secs, true),
                "{millis}"
            );
        }
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
