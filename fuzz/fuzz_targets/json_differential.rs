//! The hand-written JSON parser of the WebAssembly build (`sso-core/src/json.rs`) against the parser it replaces,
//! `serde_json::from_slice::<serde_json::Value>` with `float_roundtrip`: on every input both must accept the same
//! document, or both refuse it with the same message, line and column.
#![no_main]

use libfuzzer_sys::fuzz_target;
use serde_json::Value;

// The file itself rather than `sso_core`'s copy: it is `pub(crate)` there, and the fuzzer judges the file.
#[allow(dead_code)]
#[path = "../../crates/sso-core/src/json.rs"]
mod json;

use json::{Json, JsonNumber};

/// 2^62 and 2^63 as `f64`: below the first a truncated `f64` fits an `i64` with room to spare, above the second
/// (by more than rounding can explain) it does not.
const TWO_62: f64 = 4_611_686_018_427_387_904.0;
const TWO_63: f64 = 9_223_372_036_854_775_808.0;

/// Panics unless `number` is what serde_json read as `value`.
fn same_number(number: JsonNumber, value: &serde_json::Number, path: &str) {
    assert_eq!(
        number.as_i64(),
        value.as_i64(),
        "as_i64 at {path}: {number:?} vs {value}"
    );
    if value.is_i64() || value.is_u64() {
        // serde_json kept the integer exactly.
        assert_eq!(
            number.truncated_i64(),
            value.as_i64(),
            "truncation at {path}: {number:?} vs {value}"
        );
        return;
    }
    let f = value.as_f64().expect("a number is an f64");
    assert!(f.is_finite(), "serde_json read a non-finite number at {path}");
    // Where the f64 is within rounding of an integer, its truncation can differ from the exact decimal's.
    let near_integer = (f - f.round()).abs() <= 1e-6 * f.abs().max(1.0);
    if f.abs() < TWO_62 && !near_integer {
        assert_eq!(
            number.truncated_i64(),
            Some(f.trunc() as i64),
            "truncation at {path}: {number:?} vs {f:e}"
        );
    } else if f.abs() > TWO_63 * (1.0 + 1e-6) {
        assert_eq!(
            number.truncated_i64(),
            None,
            "truncation at {path}: {number:?} vs {f:e}"
        );
    }
}

/// Panics unless `json` holds what `value` holds (booleans by kind only, the last of duplicate keys).
fn same(json: &Json, value: &Value, path: &str) {
    match (json, value) {
        (Json::Null, Value::Null) | (Json::Bool, Value::Bool(_)) => {}
        (Json::Number(n), Value::Number(m)) => same_number(*n, m, path),
        (Json::String(a), Value::String(b)) => assert_eq!(a, b, "string at {path}"),
        (Json::Array(a), Value::Array(b)) => {
            assert_eq!(a.len(), b.len(), "array length at {path}");
            for (i, (x, y)) in a.iter().zip(b).enumerate() {
                same(x, y, &format!("{path}[{i}]"));
            }
        }
        (Json::Object(entries), Value::Object(map)) => {
            for (key, _) in entries {
                assert!(map.contains_key(key), "key {key:?} at {path} only in ours");
            }
            for (key, v) in map {
                let ours = json.get(key).unwrap_or_else(|| panic!("key {key:?} at {path} missing"));
                same(ours, v, &format!("{path}.{key:?}"));
            }
        }
        _ => panic!("at {path}: {json:?} vs {value:?}"),
    }
}

fuzz_target!(|data: &[u8]| {
    let ours = Json::parse(data);
    let theirs = serde_json::from_slice::<Value>(data);
    match (&ours, &theirs) {
        (Ok(json), Ok(value)) => same(json, value, "$"),
        (Err(a), Err(b)) => {
            assert_eq!(
                (a.line(), a.column(), a.to_string()),
                (b.line(), b.column(), b.to_string()),
                "error differs"
            );
            assert_eq!(
                format!("{} at line {} column {}", a.reason(), a.line(), a.column()),
                b.to_string()
            );
        }
        _ => panic!("one parser accepts, the other refuses: ours {ours:?}, serde_json {theirs:?}"),
    }
});
