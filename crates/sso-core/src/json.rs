//! A small JSON parser that reads exactly what `serde_json::from_slice::<serde_json::Value>` (1.0.154, with
//! `float_roundtrip`) reads and refuses what it refuses, with the same message, line and column.
//!
//! It exists for size: serde_json's deserializer, its float parser and its error machinery are about 9 KB of the
//! WebAssembly module, for documents of a few fields. So this file is non-generic, builds no message at run time,
//! and never turns a number into an `f64` (core's float parser and its tables are several KB of wasm); numbers keep
//! only what the core reads from them, computed with exact decimal arithmetic on the digits.
//!
//! The file depends on `std` alone: the fuzz crate compiles it too (`fuzz_targets/json_differential.rs`) and
//! compares it with serde_json on arbitrary bytes. Each step below names the serde_json function it mirrors, because
//! the error positions come from where serde_json stands in the input when it gives up.

use std::fmt;

/// A JSON document: objects as lists of entries in document order (duplicates kept; [`Json::get`] returns the last,
/// as `serde_json::Value` keeps the last), booleans by kind only.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Json {
    /// `null`.
    Null,
    /// `true` or `false` (the core never needs which).
    Bool,
    /// A number.
    Number(JsonNumber),
    /// A string, escapes decoded.
    String(String),
    /// An array.
    Array(Vec<Json>),
    /// An object's entries in document order, duplicate keys included.
    Object(Vec<(String, Json)>),
}

/// A JSON number, by what the core reads from it: small and `Copy`, and without an `f64`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum JsonNumber {
    /// An integer written without fraction or exponent that fits an `i64`: serde_json's `as_i64` is `Some`.
    /// `-0` is not one, as serde_json reads it as the float `-0.0`.
    Int(i64),
    /// Any other number (fraction, exponent, `-0`, or an integer beyond `i64`), by its value truncated toward zero
    /// if that fits an `i64`.
    Other(Option<i64>),
}

impl JsonNumber {
    /// The number as an `i64` if it is an integer in range written without `.` or exponent, as serde_json's
    /// `as_i64`: `12` yes, `12.0` no, `1e3` no. (The core reads numbers through `truncated_i64`; the tests and the
    /// fuzz target compare this with serde_json.)
    #[cfg_attr(not(test), allow(dead_code))]
    pub(crate) fn as_i64(self) -> Option<i64> {
        match self {
            Self::Int(n) => Some(n),
            Self::Other(_) => None,
        }
    }

    /// The exact decimal value truncated toward zero, if that fits an `i64`: `1.893456e12` is 1893456000000,
    /// `-2.9` is -2, `1e30` is `None`.
    pub(crate) fn truncated_i64(self) -> Option<i64> {
        match self {
            Self::Int(n) => Some(n),
            Self::Other(n) => n,
        }
    }
}

/// Why a document is not JSON, and where: serde_json's `Error` for a syntax error, field for field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct JsonError {
    line: usize,
    column: usize,
    reason: &'static str,
}

impl JsonError {
    /// The 1-based line of the error.
    pub(crate) fn line(&self) -> usize {
        self.line
    }

    /// The column of the error: serde_json's, which counts bytes from the line start and mostly points at the
    /// last byte read (0 when that is the line break before it).
    pub(crate) fn column(&self) -> usize {
        self.column
    }

    /// serde_json's message for the error, without the position.
    pub(crate) fn reason(&self) -> &'static str {
        self.reason
    }
}

impl fmt::Display for JsonError {
    /// As serde_json's `Display` of a syntax error.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at line {} column {}", self.reason, self.line, self.column)
    }
}

impl Json {
    /// Parses a document, as `serde_json::from_slice::<serde_json::Value>` would (with `float_roundtrip`).
    pub(crate) fn parse(bytes: &[u8]) -> Result<Json, JsonError> {
        let mut parser = Parser {
            bytes,
            index: 0,
            remaining_depth: 128,
        };
        let value = parser.value()?;
        // serde_json's `Deserializer::end`.
        if parser.whitespace().is_some() {
            return Err(parser.peek_error(TRAILING_CHARACTERS));
        }
        Ok(value)
    }

    /// The value of `key` in an object (the last one if the key is repeated); `None` for anything else.
    pub(crate) fn get(&self, key: &str) -> Option<&Json> {
        match self {
            Self::Object(entries) => entries.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// The text of a string.
    pub(crate) fn as_str(&self) -> Option<&str> {
        match self {
            Self::String(s) => Some(s),
            _ => None,
        }
    }

    /// The kind of value, for messages: `null`, `a boolean`, `a number`, `a string`, `an array`, `an object`.
    pub(crate) fn kind(&self) -> &'static str {
        match self {
            Self::Null => "null",
            Self::Bool => "a boolean",
            Self::Number(_) => "a number",
            Self::String(_) => "a string",
            Self::Array(_) => "an array",
            Self::Object(_) => "an object",
        }
    }
}

// serde_json's `ErrorCode` messages, for the codes a `Value` parse can produce.
const EOF_LIST: &str = "EOF while parsing a list";
const EOF_OBJECT: &str = "EOF while parsing an object";
const EOF_STRING: &str = "EOF while parsing a string";
const EOF_VALUE: &str = "EOF while parsing a value";
const EXPECTED_COLON: &str = "expected `:`";
const EXPECTED_LIST_COMMA_OR_END: &str = "expected `,` or `]`";
const EXPECTED_OBJECT_COMMA_OR_END: &str = "expected `,` or `}`";
const EXPECTED_IDENT: &str = "expected ident";
const EXPECTED_VALUE: &str = "expected value";
const INVALID_ESCAPE: &str = "invalid escape";
const INVALID_NUMBER: &str = "invalid number";
const NUMBER_OUT_OF_RANGE: &str = "number out of range";
const INVALID_UNICODE_CODE_POINT: &str = "invalid unicode code point";
const CONTROL_CHARACTER: &str = "control character (\\u0000-\\u001F) found while parsing a string";
const KEY_MUST_BE_A_STRING: &str = "key must be a string";
const LONE_LEADING_SURROGATE: &str = "lone leading surrogate in hex escape";
const TRAILING_COMMA: &str = "trailing comma";
const TRAILING_CHARACTERS: &str = "trailing characters";
const UNEXPECTED_END_OF_HEX_ESCAPE: &str = "unexpected end of hex escape";
const RECURSION_LIMIT_EXCEEDED: &str = "recursion limit exceeded";

/// The decimal digits of 2^1024 - 2^970, halfway between `f64::MAX` and 2^1024: serde_json's float parser rounds
/// a magnitude from here up (ties to even) to infinity and reports "number out of range"; anything below is a
/// finite `f64`. Comparing digits with it keeps floats out of this file.
const F64_OVERFLOW: &[u8; 309] =
    b"1797693134862315807937289714053034150799341327100378269361737789804449682927647509466490179775872070\
    9633028641669288791094655554785194040263065748867150582068190890200070838367627385484581771153176447\
    5730270069855571366959622842914819860834936475292719074168444365510704342711559699508093042880177904\
    174497792";

/// serde_json's `Deserializer` over a `SliceRead`, reduced to what a `Value` parse does.
struct Parser<'a> {
    bytes: &'a [u8],
    /// The next byte to read.
    index: usize,
    /// serde_json's recursion limit: an array or object opened when this drops to 0 is an error.
    remaining_depth: u8,
}

impl Parser<'_> {
    /// The next byte, unread.
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.index).copied()
    }

    /// The next byte, read.
    fn next(&mut self) -> Option<u8> {
        let byte = self.peek();
        if byte.is_some() {
            self.index += 1;
        }
        byte
    }

    /// An error about the byte just read (serde_json's `error`: the position of `index`).
    #[cold]
    fn error(&self, reason: &'static str) -> JsonError {
        error_at(self.bytes, self.index, reason)
    }

    /// An error about the byte not yet read (serde_json's `peek_error`: one byte further, capped at the end).
    #[cold]
    fn peek_error(&self, reason: &'static str) -> JsonError {
        error_at(self.bytes, self.bytes.len().min(self.index + 1), reason)
    }

    /// Skips JSON white space (space, tab, line feed, carriage return only) and returns the next byte, unread.
    fn whitespace(&mut self) -> Option<u8> {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.index += 1;
        }
        self.peek()
    }

    /// serde_json's `deserialize_any` with the `Value` visitor.
    fn value(&mut self) -> Result<Json, JsonError> {
        let Some(peek) = self.whitespace() else {
            return Err(self.peek_error(EOF_VALUE));
        };
        let value = match peek {
            b'n' => {
                self.index += 1;
                self.ident(b"ull")?;
                Json::Null
            }
            b't' => {
                self.index += 1;
                self.ident(b"rue")?;
                Json::Bool
            }
            b'f' => {
                self.index += 1;
                self.ident(b"alse")?;
                Json::Bool
            }
            b'-' => {
                self.index += 1;
                Json::Number(self.number(true)?)
            }
            b'0'..=b'9' => Json::Number(self.number(false)?),
            b'"' => {
                self.index += 1;
                Json::String(self.string()?)
            }
            b'[' | b'{' => {
                // serde_json's `check_recursion!`: counted before the bracket is read.
                self.remaining_depth -= 1;
                if self.remaining_depth == 0 {
                    return Err(self.peek_error(RECURSION_LIMIT_EXCEEDED));
                }
                self.index += 1;
                let value = if peek == b'[' { self.array()? } else { self.object()? };
                self.remaining_depth += 1;
                // The closing bracket, which ended the loop (serde_json's `end_seq`/`end_map`).
                self.index += 1;
                value
            }
            _ => return Err(self.peek_error(EXPECTED_VALUE)),
        };
        Ok(value)
    }

    /// serde_json's `parse_ident`: the rest of `null`, `true` or `false`.
    fn ident(&mut self, rest: &[u8]) -> Result<(), JsonError> {
        for &expected in rest {
            match self.next() {
                None => return Err(self.error(EOF_VALUE)),
                Some(byte) if byte != expected => return Err(self.error(EXPECTED_IDENT)),
                Some(_) => {}
            }
        }
        Ok(())
    }

    /// The items of an array after its `[`, up to its `]` (left unread); serde_json's `SeqAccess`.
    fn array(&mut self) -> Result<Json, JsonError> {
        let mut items = Vec::new();
        loop {
            let Some(peek) = self.whitespace() else {
                return Err(self.peek_error(EOF_LIST));
            };
            if peek == b']' {
                return Ok(Json::Array(items));
            }
            if !items.is_empty() {
                if peek != b',' {
                    return Err(self.peek_error(EXPECTED_LIST_COMMA_OR_END));
                }
                self.index += 1;
                match self.whitespace() {
                    Some(b']') => return Err(self.peek_error(TRAILING_COMMA)),
                    Some(_) => {}
                    None => return Err(self.peek_error(EOF_VALUE)),
                }
            }
            items.push(self.value()?);
        }
    }

    /// The entries of an object after its `{`, up to its `}` (left unread); serde_json's `MapAccess`.
    fn object(&mut self) -> Result<Json, JsonError> {
        let mut entries = Vec::new();
        loop {
            let Some(peek) = self.whitespace() else {
                return Err(self.peek_error(EOF_OBJECT));
            };
            if peek == b'}' {
                return Ok(Json::Object(entries));
            }
            if entries.is_empty() {
                if peek != b'"' {
                    return Err(self.peek_error(KEY_MUST_BE_A_STRING));
                }
            } else if peek == b',' {
                self.index += 1;
                match self.whitespace() {
                    Some(b'"') => {}
                    Some(b'}') => return Err(self.peek_error(TRAILING_COMMA)),
                    Some(_) => return Err(self.peek_error(KEY_MUST_BE_A_STRING)),
                    None => return Err(self.peek_error(EOF_VALUE)),
                }
            } else {
                return Err(self.peek_error(EXPECTED_OBJECT_COMMA_OR_END));
            }
            self.index += 1;
            let key = self.string()?;
            // serde_json's `parse_object_colon`.
            match self.whitespace() {
                Some(b':') => self.index += 1,
                Some(_) => return Err(self.peek_error(EXPECTED_COLON)),
                None => return Err(self.peek_error(EOF_OBJECT)),
            }
            let value = self.value()?;
            entries.push((key, value));
        }
    }

    /// A string after its opening quote, through its closing one: serde_json's `SliceRead::parse_str`.
    fn string(&mut self) -> Result<String, JsonError> {
        let mut bytes = Vec::new();
        loop {
            match self.next() {
                None => return Err(self.error(EOF_STRING)),
                Some(b'"') => break,
                Some(b'\\') => self.escape(&mut bytes)?,
                // Reported after the control character, as serde_json does.
                Some(0..=0x1f) => return Err(self.error(CONTROL_CHARACTER)),
                Some(byte) => bytes.push(byte),
            }
        }
        // serde_json checks UTF-8 only once the string is complete, and points back from the closing quote by the
        // number of bytes from the first invalid one to the end of the decoded text (escapes decoded), so the
        // column is approximate when the string has escapes; it is serde_json's all the same.
        String::from_utf8(bytes).map_err(|e| {
            let invalid = e.as_bytes().len() - e.utf8_error().valid_up_to();
            let mut error = self.error(INVALID_UNICODE_CODE_POINT);
            error.column = error.column.saturating_sub(invalid);
            error
        })
    }

    /// An escape after its backslash: serde_json's `parse_escape`.
    fn escape(&mut self, out: &mut Vec<u8>) -> Result<(), JsonError> {
        let byte = match self.next() {
            None => return Err(self.error(EOF_STRING)),
            Some(byte @ (b'"' | b'\\' | b'/')) => byte,
            Some(b'b') => b'\x08',
            Some(b'f') => b'\x0c',
            Some(b'n') => b'\n',
            Some(b'r') => b'\r',
            Some(b't') => b'\t',
            Some(b'u') => return self.unicode_escape(out),
            Some(_) => return Err(self.error(INVALID_ESCAPE)),
        };
        out.push(byte);
        Ok(())
    }

    /// A `\u` escape after its `u`, with the second half of a surrogate pair: serde_json's `parse_unicode_escape`
    /// for a string (lone surrogates are errors).
    fn unicode_escape(&mut self, out: &mut Vec<u8>) -> Result<(), JsonError> {
        let mut code = self.hex4()?;
        match code {
            // serde_json calls a lone trailing surrogate a leading one too.
            0xDC00..=0xDFFF => return Err(self.error(LONE_LEADING_SURROGATE)),
            0xD800..=0xDBFF => {
                // A trailing surrogate must follow as `\uXXXX`; serde_json reads the byte that is not one.
                for expected in *b"\\u" {
                    match self.next() {
                        None => return Err(self.error(EOF_STRING)),
                        Some(byte) if byte != expected => return Err(self.error(UNEXPECTED_END_OF_HEX_ESCAPE)),
                        Some(_) => {}
                    }
                }
                let low = self.hex4()?;
                if !(0xDC00..=0xDFFF).contains(&low) {
                    return Err(self.error(LONE_LEADING_SURROGATE));
                }
                code = 0x10000 + ((code - 0xD800) << 10 | (low - 0xDC00));
            }
            _ => {}
        }
        // UTF-8 by hand: `char::encode_utf8` would bring a panic path for a buffer that is always large enough.
        if code < 0x80 {
            out.push(code as u8);
        } else {
            let (lead, continuations) = match code {
                0x80..=0x7FF => (0xC0 | code >> 6, 1),
                0x800..=0xFFFF => (0xE0 | code >> 12, 2),
                _ => (0xF0 | code >> 18, 3),
            };
            out.push(lead as u8);
            for shift in (0..continuations).rev() {
                out.push(0x80 | (code >> (6 * shift) & 0x3F) as u8);
            }
        }
        Ok(())
    }

    /// Four hex digits: serde_json's `SliceRead::decode_hex_escape`, which reads all four before judging them.
    fn hex4(&mut self) -> Result<u32, JsonError> {
        let Some(digits) = self.bytes.get(self.index..self.index + 4) else {
            self.index = self.bytes.len();
            return Err(self.error(EOF_STRING));
        };
        self.index += 4;
        let mut code = 0;
        for &digit in digits {
            let value = match digit {
                b'0'..=b'9' => digit - b'0',
                b'a'..=b'f' => digit - b'a' + 10,
                b'A'..=b'F' => digit - b'A' + 10,
                _ => return Err(self.error(INVALID_ESCAPE)),
            };
            code = code << 4 | u32::from(value);
        }
        Ok(code)
    }

    /// Reads up to the next byte that is not a decimal digit.
    fn skip_digits(&mut self) {
        while let Some(b'0'..=b'9') = self.peek() {
            self.index += 1;
        }
    }

    /// A number after its optional `-`: serde_json's `parse_integer` and what it calls, with the value kept as
    /// digits rather than an `f64`.
    fn number(&mut self, negative: bool) -> Result<JsonNumber, JsonError> {
        let start = self.index;
        match self.next() {
            None => return Err(self.error(EOF_VALUE)),
            Some(b'0') => {
                // There can be only one leading `0`.
                if let Some(b'0'..=b'9') = self.peek() {
                    return Err(self.peek_error(INVALID_NUMBER));
                }
            }
            Some(b'1'..=b'9') => self.skip_digits(),
            Some(_) => return Err(self.error(INVALID_NUMBER)),
        }
        let integer_digits = self.index - start;
        let mut is_integer = true;
        if self.peek() == Some(b'.') {
            is_integer = false;
            self.index += 1;
            let fraction_start = self.index;
            self.skip_digits();
            if self.index == fraction_start {
                let reason = if self.peek().is_some() {
                    INVALID_NUMBER
                } else {
                    EOF_VALUE
                };
                return Err(self.peek_error(reason));
            }
        }
        // The digits, with the `.` if there is one.
        let digits = &self.bytes[start..self.index];
        let mut exponent: i64 = 0;
        if let Some(b'e' | b'E') = self.peek() {
            is_integer = false;
            self.index += 1;
            let negative_exponent = self.peek() == Some(b'-');
            if let Some(b'-' | b'+') = self.peek() {
                self.index += 1;
            }
            match self.next() {
                None => return Err(self.error(EOF_VALUE)),
                Some(digit @ b'0'..=b'9') => exponent = i64::from(digit - b'0'),
                Some(_) => return Err(self.error(INVALID_NUMBER)),
            }
            while let Some(digit @ b'0'..=b'9') = self.peek() {
                self.index += 1;
                exponent = exponent * 10 + i64::from(digit - b'0');
                if exponent > i64::from(i32::MAX) {
                    // serde_json's `parse_exponent_overflow`: an exponent past `i32::MAX` makes the number infinite
                    // (an error, reported at this digit) or zero, whatever the rest.
                    if !negative_exponent && digits.iter().any(|&d| d != b'0' && d != b'.') {
                        return Err(self.error(NUMBER_OUT_OF_RANGE));
                    }
                    self.skip_digits();
                    return Ok(JsonNumber::Other(Some(0)));
                }
            }
            if negative_exponent {
                exponent = -exponent;
            }
        }
        // How many digits stand before the decimal point once the exponent is applied.
        let point = integer_digits as i64 + exponent;
        let Ok(truncated) = decimal_value(digits, point, negative) else {
            return Err(self.error(NUMBER_OUT_OF_RANGE));
        };
        // serde_json reads `-0` as the float -0.0, and integers beyond `i64` as floats or `u64`.
        Ok(match truncated {
            Some(n) if is_integer && !(negative && n == 0) => JsonNumber::Int(n),
            _ => JsonNumber::Other(truncated),
        })
    }
}

/// What a number's digits say, given `point`, how many of them stand before the decimal point once the exponent is
/// applied: its value truncated toward zero if that fits an `i64`, or `Err` if its magnitude is at least
/// [`F64_OVERFLOW`]. One pass over the digits (skipping the `.`), with integer arithmetic only.
fn decimal_value(digits: &[u8], point: i64, negative: bool) -> Result<Option<i64>, ()> {
    // The integer part, `None` once it passes `u64`.
    let mut magnitude: Option<u64> = Some(0);
    // Digits seen, and significant digits seen (from the first non-zero one).
    let mut seen: i64 = 0;
    let mut significant = 0;
    // How many digits the value has before its decimal point, from its first significant one: its order of
    // magnitude, to compare with the limit's 309.
    let mut order = 0;
    // How the significant digits compare with the limit's, digit by digit, up to the first that differs.
    let mut versus_limit = std::cmp::Ordering::Equal;
    for &byte in digits {
        if byte == b'.' {
            continue;
        }
        if seen < point {
            magnitude = magnitude.and_then(|m| m.checked_mul(10)?.checked_add(u64::from(byte - b'0')));
        }
        seen += 1;
        if significant == 0 {
            if byte == b'0' {
                continue;
            }
            order = point - (seen - 1);
        }
        if significant < F64_OVERFLOW.len() && versus_limit.is_eq() {
            versus_limit = byte.cmp(&F64_OVERFLOW[significant]);
        }
        significant += 1;
    }
    // A shorter digit string equal so far is smaller, as the limit's last digit is not zero; an equal one is out of
    // range too, as the tie rounds to even, which is infinity.
    let limit = F64_OVERFLOW.len() as i64;
    if significant > 0
        && (order > limit
            || order == limit && (versus_limit.is_gt() || versus_limit.is_eq() && significant >= F64_OVERFLOW.len()))
    {
        return Err(());
    }
    // Zeros the exponent adds after the digits; the exponent can be large, so stop at zero or at overflow.
    while seen < point && magnitude.is_some_and(|m| m != 0) {
        magnitude = magnitude.and_then(|m| m.checked_mul(10));
        seen += 1;
    }
    Ok(magnitude.and_then(|m| {
        if negative {
            0i64.checked_sub_unsigned(m)
        } else {
            i64::try_from(m).ok()
        }
    }))
}

/// An error at byte `index`, positioned as serde_json's `SliceRead::position_of_index`: the line is 1 plus the line
/// feeds before `index`, the column the number of bytes between the last of them and `index`.
fn error_at(bytes: &[u8], index: usize, reason: &'static str) -> JsonError {
    let mut line = 1;
    let mut line_start = 0;
    for (i, &byte) in bytes.iter().enumerate().take(index) {
        if byte == b'\n' {
            line += 1;
            line_start = i + 1;
        }
    }
    JsonError {
        line,
        column: index - line_start,
        reason,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    // On wasm32 the same tests run under wasm-bindgen-test (as quinn-proto does).
    #[cfg(all(target_family = "wasm", target_os = "unknown"))]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    fn number(text: &str) -> JsonNumber {
        match Json::parse(text.as_bytes()) {
            Ok(Json::Number(n)) => n,
            other => panic!("{text}: {other:?}"),
        }
    }

    fn error(text: &[u8]) -> (usize, usize, String) {
        let e = Json::parse(text).expect_err("an error");
        (e.line(), e.column(), e.to_string())
    }

    #[test]
    fn parses_a_document() {
        let json = Json::parse(br#"{"a": [1, -2.5, "x\u00e9\ud83d\ude00", true, null, {}], "a": "last", "b": false}"#)
            .unwrap();
        assert_eq!(json.get("a").and_then(Json::as_str), Some("last"));
        assert_eq!(json.get("b"), Some(&Json::Bool));
        assert_eq!(json.get("c"), None);
        assert_eq!(json.kind(), "an object");
        let Json::Object(entries) = &json else { panic!() };
        assert_eq!(entries.len(), 3, "duplicates are kept");
        assert_eq!(
            entries[0].1,
            Json::Array(vec![
                Json::Number(JsonNumber::Int(1)),
                Json::Number(JsonNumber::Other(Some(-2))),
                Json::String("xé😀".to_owned()),
                Json::Bool,
                Json::Null,
                Json::Object(vec![]),
            ])
        );
        assert_eq!(Json::Null.get("a"), None);
        assert_eq!(Json::Null.as_str(), None);
    }

    #[test]
    fn as_i64_is_for_integer_literals_only() {
        for (text, expected) in [
            ("12", Some(12)),
            ("-12", Some(-12)),
            ("0", Some(0)),
            ("-0", None),
            ("12.0", None),
            ("1e3", None),
            ("9223372036854775807", Some(i64::MAX)),
            ("9223372036854775808", None),
            ("18446744073709551615", None),
            ("-9223372036854775808", Some(i64::MIN)),
            ("-9223372036854775809", None),
            ("123456789012345678901234567890", None),
        ] {
            assert_eq!(number(text).as_i64(), expected, "{text}");
        }
    }

    #[test]
    fn truncated_i64_is_exact() {
        for (text, expected) in [
            ("1.893456e12", Some(1_893_456_000_000)),
            ("-2.9", Some(-2)),
            ("12", Some(12)),
            ("1e30", None),
            ("-0.5", Some(0)),
            ("0.5", Some(0)),
            ("-0", Some(0)),
            ("9223372036854775807", Some(i64::MAX)),
            ("9223372036854775808", None),
            ("-9223372036854775808", Some(i64::MIN)),
            ("-9223372036854775809", None),
            ("9223372036854775807.999", Some(i64::MAX)),
            ("-9223372036854775808.999", Some(i64::MIN)),
            ("92233720368547758.07e2", Some(i64::MAX)),
            ("0.92233720368547758079e19", Some(i64::MAX)),
            ("1e18", Some(1_000_000_000_000_000_000)),
            ("1e19", None),
            ("123.456e1", Some(1234)),
            ("123.456e-1", Some(12)),
            ("123.456e-3", Some(0)),
            ("0e999999999999", Some(0)),
            ("0.000e2147483647", Some(0)),
            ("1e-999999999999", Some(0)),
            ("-1e-2147483648", Some(0)),
            ("1E+2", Some(100)),
            ("1e+0", Some(1)),
            ("0.0000000000000000000000000000001e31", Some(1)),
            ("100000000000000000000000000000e-29", Some(1)),
            ("18446744073709551616e-1", Some(1_844_674_407_370_955_161)),
            ("1.7976931348623157e308", None),
        ] {
            assert_eq!(number(text).truncated_i64(), expected, "{text}");
        }
    }

    #[test]
    fn out_of_range_is_at_the_halfway_point_above_f64_max() {
        let limit = std::str::from_utf8(F64_OVERFLOW).unwrap();
        let below = format!("{}1", &limit[..308]);
        assert!(matches!(Json::parse(below.as_bytes()), Ok(Json::Number(_))));
        assert!(Json::parse(format!("{below}.999999999999999999999").as_bytes()).is_ok());
        assert_eq!(
            error(limit.as_bytes()),
            (1, 309, "number out of range at line 1 column 309".to_owned())
        );
        assert!(Json::parse(format!("-{limit}").as_bytes()).is_err());
        assert!(Json::parse(format!("0.{limit}e309").as_bytes()).is_err());
        assert!(Json::parse(format!("{}e1", &limit[..308]).as_bytes()).is_ok());
        assert!(Json::parse(format!("{}.2e1", &limit[..308]).as_bytes()).is_err());
        assert!(Json::parse(format!("{}.9e1", &limit[..307]).as_bytes()).is_ok());
        assert!(Json::parse(b"1e309").is_err());
        assert!(Json::parse(b"1.7976931348623159e308").is_err());
        assert!(Json::parse(b"1.7976931348623158e308").is_ok());
    }

    #[test]
    fn errors_have_serde_json_positions() {
        for (text, line, column, message) in [
            (&b""[..], 1, 0, "EOF while parsing a value"),
            (b"  \n ", 2, 1, "EOF while parsing a value"),
            (b"[1,]", 1, 4, "trailing comma"),
            (b"{\"a\":1,}", 1, 8, "trailing comma"),
            (b"{1:2}", 1, 2, "key must be a string"),
            (b"nul", 1, 3, "EOF while parsing a value"),
            (b"nulL", 1, 4, "expected ident"),
            (b"[tru]", 1, 5, "expected ident"),
            (b"-", 1, 1, "EOF while parsing a value"),
            (b"-x", 1, 2, "invalid number"),
            (b"01", 1, 2, "invalid number"),
            (b"1.", 1, 2, "EOF while parsing a value"),
            (b"1.]", 1, 3, "invalid number"),
            (b"1e", 1, 2, "EOF while parsing a value"),
            (b"1e+x", 1, 4, "invalid number"),
            (b"1e99999999999", 1, 12, "number out of range"),
            (
                b"\"a\nb\"",
                2,
                0,
                "control character (\\u0000-\\u001F) found while parsing a string",
            ),
            (b"\"\\x\"", 1, 3, "invalid escape"),
            (b"\"\\u12x4\"", 1, 7, "invalid escape"),
            (b"\"\\u12", 1, 5, "EOF while parsing a string"),
            (b"\"\\udc00\"", 1, 7, "lone leading surrogate in hex escape"),
            (b"\"\\ud800\"", 1, 8, "unexpected end of hex escape"),
            (b"\"\\ud800\\n\"", 1, 9, "unexpected end of hex escape"),
            (b"\"\\ud800\\u0041\"", 1, 13, "lone leading surrogate in hex escape"),
            (b"\"ab\xff\"", 1, 4, "invalid unicode code point"),
            (b"[1 2]", 1, 4, "expected `,` or `]`"),
            (b"{\"a\" 1}", 1, 6, "expected `:`"),
            (b"{\"a\":1 \"b\"}", 1, 8, "expected `,` or `}`"),
            (b"[\n", 2, 0, "EOF while parsing a list"),
            (b"{", 1, 1, "EOF while parsing an object"),
            (b"{}x", 1, 3, "trailing characters"),
            (b"1 2", 1, 3, "trailing characters"),
            (b"\xef\xbb\xbf{}", 1, 1, "expected value"),
        ] {
            let expected = (line, column, format!("{message} at line {line} column {column}"));
            assert_eq!(error(text), expected, "{}", String::from_utf8_lossy(text));
            assert_eq!(Json::parse(text).unwrap_err().reason(), message);
        }
    }

    #[test]
    fn recursion_limit_is_serde_jsons() {
        let ok = format!("{}{}", "[".repeat(127), "]".repeat(127));
        assert!(Json::parse(ok.as_bytes()).is_ok());
        let deep = "[".repeat(128);
        assert_eq!(
            error(deep.as_bytes()),
            (1, 128, "recursion limit exceeded at line 1 column 128".to_owned())
        );
        let deep = format!("{}{{\"a\":{}", "[".repeat(126), "[".repeat(3));
        assert_eq!(
            error(deep.as_bytes()).2,
            "recursion limit exceeded at line 1 column 132"
        );
    }

    /// The same documents through serde_json, which is what this parser must match (natively, where serde_json
    /// has `float_roundtrip`).
    #[cfg(not(all(target_family = "wasm", target_os = "unknown")))]
    mod against_serde_json {
        use super::super::*;

        /// Whether `json` holds what `value` holds (booleans by kind only; numbers by `as_i64` and, where an
        /// `f64` can say it, by their truncation).
        fn same(json: &Json, value: &serde_json::Value) -> bool {
            use serde_json::Value;
            match (json, value) {
                (Json::Null, Value::Null) | (Json::Bool, Value::Bool(_)) => true,
                (Json::Number(n), Value::Number(m)) => {
                    let f = m.as_f64().unwrap();
                    n.as_i64() == m.as_i64()
                        && (!f.is_finite()
                            || f.abs() >= 2f64.powi(62)
                            || (f - f.round()).abs() <= 1e-6 * f.abs().max(1.0)
                            || n.truncated_i64() == Some(f.trunc() as i64))
                }
                (Json::String(a), Value::String(b)) => a == b,
                (Json::Array(a), Value::Array(b)) => a.len() == b.len() && a.iter().zip(b).all(|(x, y)| same(x, y)),
                (Json::Object(entries), Value::Object(map)) => {
                    entries.iter().all(|(k, _)| map.contains_key(k))
                        && map.iter().all(|(k, v)| json.get(k).is_some_and(|j| same(j, v)))
                }
                _ => false,
            }
        }

        fn check(text: &[u8]) {
            let ours = Json::parse(text);
            let theirs = serde_json::from_slice::<serde_json::Value>(text);
            let shown = String::from_utf8_lossy(text);
            match (&ours, &theirs) {
                (Ok(json), Ok(value)) => assert!(same(json, value), "{shown}: {json:?} vs {value:?}"),
                (Err(a), Err(b)) => {
                    assert_eq!(
                        (a.line(), a.column(), a.to_string()),
                        (b.line(), b.column(), b.to_string()),
                        "{shown}"
                    )
                }
                _ => panic!("{shown}: {ours:?} vs {theirs:?}"),
            }
        }

        #[test]
        fn tricky_inputs_match() {
            let limit = std::str::from_utf8(F64_OVERFLOW).unwrap();
            let texts: Vec<Vec<u8>> = [
                "",
                " ",
                "\t\n\r ",
                "\u{c}1",
                "\u{a0}1",
                "null",
                "nul",
                "nulx",
                "true",
                "tru",
                "trUe",
                "false",
                "falsy",
                "1",
                "-1",
                "-",
                "--1",
                "+1",
                "01",
                "-01",
                "00",
                "0",
                "-0",
                "0.",
                "0.0",
                "-0.0",
                ".5",
                "1.e1",
                "1e",
                "1e+",
                "1e-",
                "1E+2",
                "1e-2",
                "1e+-2",
                "1.5e2.5",
                "1ee2",
                "0x10",
                "1_000",
                "Infinity",
                "NaN",
                "-Infinity",
                "18446744073709551615",
                "18446744073709551616",
                "-9223372036854775808",
                "-9223372036854775809",
                "123456789012345678901234567890.5e-3",
                "1e2147483647",
                "1e2147483648",
                "0e2147483648",
                "0.0e99999999999999",
                "1e-2147483648",
                "1e-99999999999999",
                "-1e99999999999999",
                "1.5e-400",
                "4.9e-324",
                "2e-324",
                "1.7976931348623157e308",
                "1.7976931348623158e308",
                "1.797693134862315807e308",
                "-1.797693134862315807e308",
                "1e309",
                "0.1e310",
                "1000e306",
                "\"\"",
                "\"abc",
                "\"\\",
                "\"\\u",
                "\"\\u00",
                "\"\\u004",
                "\"\\u0041\"",
                "\"\\u00E9\"",
                "\"\\uD83D\\uDE00\"",
                "\"\\uD83D\"",
                "\"\\uD83D\\\"",
                "\"\\uD83D\\u",
                "\"\\uD83D\\uDE0\"",
                "\"\\uD83D\\uD83D\"",
                "\"\\uDE00\"",
                "\"\\uD83Dx\"",
                "\"\\uD83D\\x\"",
                "\"\\uG000\"",
                "\"\\u000G\"",
                "\"\\/\\b\\f\\n\\r\\t\\\"\\\\\"",
                "\"\\a\"",
                "\"\t\"",
                "\"\u{7f}\"",
                "\"\u{1f}\"",
                "\"\n\"",
                "[",
                "[1",
                "[1,",
                "[1,]",
                "[,1]",
                "[1 2]",
                "[1,2]",
                "[ ]",
                "[1]]",
                "[1]x",
                "[\n1,\n]",
                "{",
                "{\"a\"",
                "{\"a\":",
                "{\"a\":1",
                "{\"a\":1,",
                "{\"a\":1,}",
                "{,}",
                "{1:1}",
                "{\"a\" 1}",
                "{\"a\":1 \"b\":2}",
                "{\"a\":1,\"a\":2}",
                "{\"a\":1,2:3}",
                "{\"a\":1}}",
                "{}  \n",
                "{} x",
                "[]\r\n ,",
                "[\"a\\u0000b\"]",
                "{\"\\uD83D\":1}",
                "{\"k\u{e9}\":\"v\"}",
                "\u{feff}{}",
                "[[[[]]]]",
                "[{\"a\":[{\"b\":null}]}]",
            ]
            .iter()
            .map(|s| s.as_bytes().to_vec())
            .chain([
                b"\"\xff\"".to_vec(),
                b"\"a\xc3\"".to_vec(),
                b"\"\xc3\xa9\"".to_vec(),
                b"\"\\n\xe2\x82\"".to_vec(),
                b"\"\xed\xa0\x80\"".to_vec(),
                b"[\"ok\", \"b\xf0\x9f\x98\"]".to_vec(),
                b"\n\n  \"\\u00e9\\u00e9\\u00e9\xffxyz\"".to_vec(),
                b"{\"\xff\":1}".to_vec(),
                b"\"\xff\n".to_vec(),
                "[".repeat(127).into_bytes(),
                "[".repeat(128).into_bytes(),
                format!("{}{}", "[".repeat(127), "]".repeat(127)).into_bytes(),
                format!("{}{}", "{\"a\":".repeat(127), "}".repeat(127)).into_bytes(),
                format!("{}{}", "{\"a\":".repeat(128), "}".repeat(128)).into_bytes(),
                limit.as_bytes().to_vec(),
                format!("{}1", &limit[..308]).into_bytes(),
                format!("{}3", &limit[..308]).into_bytes(),
                format!("{limit}0").into_bytes(),
                format!("{limit}e-1").into_bytes(),
                format!("{}1e-1", &limit[..308]).into_bytes(),
                format!("-{limit}.0").into_bytes(),
                // Past the 768 digits serde_json's float parser reads exactly.
                format!("{limit}.{}1", "0".repeat(900)).into_bytes(),
                format!("{}1{}e-900", &limit[..308], "9".repeat(900)).into_bytes(),
                format!("0.{}{limit}e1309", "0".repeat(1000)).into_bytes(),
                format!("0.{}", "0".repeat(400)).into_bytes(),
                format!("0.{}1e400", "0".repeat(400)).into_bytes(),
                format!("{}.5", "9".repeat(400)).into_bytes(),
                format!("{}e-100", "9".repeat(400)).into_bytes(),
                format!("1{}", "0".repeat(308)).into_bytes(),
                format!("1{}", "0".repeat(309)).into_bytes(),
                format!("0.{}e2147483647", "0".repeat(30)).into_bytes(),
                format!("{}e-2147483647", "1".repeat(30)).into_bytes(),
                format!("1.{}e2147483647", "0".repeat(30)).into_bytes(),
                b"9223372036854775807.5".to_vec(),
                b"-9223372036854775808.5".to_vec(),
                b"4611686018427387904.9".to_vec(),
                b"1893456000.123e3".to_vec(),
            ])
            .collect();
            for text in &texts {
                check(text);
            }
        }
    }
}
