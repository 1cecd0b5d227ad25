//! Crossing into and out of JavaScript: options in through `serde_wasm_bindgen`, results out through one
//! serializer, and the two inputs that stay JavaScript values (times and file contents, which may be a `Date` or a
//! `Uint8Array`).

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde::de::{DeserializeOwned, DeserializeSeed, MapAccess, Visitor};
use sso_core::parse_timestamp;
use wasm_bindgen::prelude::*;
use wasm_bindgen::{JsCast, UnwrapThrowExt};

use crate::{Failure, JsResult};

#[wasm_bindgen(typescript_custom_section)]
const INPUT_TYPES: &str = r#"
/** An instant: RFC 3339 text, epoch milliseconds or a `Date`. */
export type TimeInput = string | number | Date;

/** The contents of a token cache file (`~/.aws/sso/cache/<sha1>.json`): text, or its bytes. */
export type CacheInput = string | Uint8Array | ArrayBuffer;
"#;

/// Reads the object passed as `argument` to `function` into `T`, one of the `#[serde(deny_unknown_fields)]`
/// structs of [`crate::options`]. `undefined` and `null` are missing when `required`, else an empty object. A
/// failure names the key it concerns: "invalid options.accountId passed to buildCommands: invalid type: …".
pub fn options<T: DeserializeOwned>(
    value: JsValue,
    function: &'static str,
    argument: &'static str,
    required: bool,
) -> JsResult<T> {
    if value.is_undefined() || value.is_null() {
        if required {
            return Err(Failure::invalid_argument(function, argument, "it is missing"));
        }
        return options(js_sys::Object::new().into(), function, argument, true);
    }
    // An array would otherwise be read as `[key, value]` pairs, and a string not at all.
    if !value.is_object() || js_sys::Array::is_array(&value) {
        return Err(Failure::invalid_argument(function, argument, "expected an object"));
    }
    let mut key = None;
    T::deserialize(Entries {
        object: value.into(),
        key: &mut key,
    })
    .map_err(|error| {
        let reason = serde_message(error);
        match key {
            Some(key) => Failure::invalid_argument(function, &format!("{argument}.{key}"), reason),
            None => Failure::invalid_argument(function, argument, reason),
        }
    })
}

/// The words of a serde-wasm-bindgen error: it is a JavaScript `Error`, whose `Display` would add its name
/// ("Error: invalid type: …"). Something else (an exception thrown by a getter of the options) is named as such.
fn serde_message(error: serde_wasm_bindgen::Error) -> String {
    let value = JsValue::from(error);
    match value.dyn_ref::<js_sys::Error>() {
        Some(error) => error.message().into(),
        None => value
            .as_string()
            .unwrap_or_else(|| "reading it threw an exception".to_owned()),
    }
}

/// An options object, read as a map of its entries.
///
/// serde-wasm-bindgen reads a struct by looking up the struct's own field names, so `deny_unknown_fields` never
/// sees a key it does not know (serde-wasm-bindgen issue 39, where its author suggests reading a map instead).
/// Read as a map (`Object.entries`), which the derived visitor takes just as well, every key reaches the struct and
/// a misspelt option fails instead of being dropped. Only the object's own entries are walked here; each key and
/// value is read by serde-wasm-bindgen. `key` is the key being read, for the error message.
struct Entries<'a> {
    object: js_sys::Object,
    key: &'a mut Option<String>,
}

impl<'de> serde::Deserializer<'de> for Entries<'_> {
    type Error = serde_wasm_bindgen::Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        visitor.visit_map(EntryAccess {
            entries: js_sys::Object::entries(&self.object).into_iter(),
            value: None,
            key: self.key,
        })
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf option unit
        unit_struct newtype_struct seq tuple tuple_struct map struct enum identifier ignored_any
    }
}

struct EntryAccess<'a> {
    entries: js_sys::ArrayIntoIter,
    value: Option<JsValue>,
    key: &'a mut Option<String>,
}

impl<'de> MapAccess<'de> for EntryAccess<'_> {
    type Error = serde_wasm_bindgen::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, Self::Error> {
        let Some(entry) = self.entries.next() else {
            // Past the last key: a failure now (a missing field) concerns the whole object.
            *self.key = None;
            return Ok(None);
        };
        let entry: js_sys::Array = entry.unchecked_into();
        let key = entry.get(0);
        *self.key = key.as_string();
        self.value = Some(entry.get(1));
        seed.deserialize(serde_wasm_bindgen::Deserializer::from(key)).map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Self::Error> {
        let value = self.value.take().unwrap_or(JsValue::UNDEFINED);
        seed.deserialize(serde_wasm_bindgen::Deserializer::from(value))
    }
}

/// A result on its way out, through the one serializer of the package: `json_compatible`, so that absent values
/// are `null` and maps are plain objects, as `JSON.stringify` shows them. Timestamps are already RFC 3339 strings.
pub fn output<T: Serialize>(value: &T) -> JsValue {
    const SERIALIZER: serde_wasm_bindgen::Serializer = serde_wasm_bindgen::Serializer::json_compatible();
    // The results are structs of strings, booleans, numbers, optional strings, lists and string maps, none of
    // which the serializer can refuse; were it to, this throws an Error rather than panicking.
    value
        .serialize(&SERIALIZER)
        .expect_throw("ssocreds could not convert its result to JavaScript")
}

/// `[name, value]` pairs that go out as a plain object (`{ name: value }`), in their order.
pub struct Headers(pub Vec<(String, String)>);

impl Serialize for Headers {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.0.iter().map(|(name, value)| (name, value)))
    }
}

/// The bytes of a token cache file given as a string, a `Uint8Array` (Node's `Buffer`) or an `ArrayBuffer`.
pub fn cache_bytes(value: &JsValue, function: &str, argument: &str) -> JsResult<Vec<u8>> {
    bytes(value).ok_or_else(|| {
        Failure::invalid_argument(
            function,
            argument,
            "expected the contents of a token cache file as a string, a Uint8Array or an ArrayBuffer",
        )
    })
}

/// Text or bytes as bytes: a string, a `Uint8Array` or an `ArrayBuffer`.
pub fn bytes(value: &JsValue) -> Option<Vec<u8>> {
    if let Some(text) = value.as_string() {
        Some(text.into_bytes())
    } else if let Some(bytes) = value.dyn_ref::<js_sys::Uint8Array>() {
        Some(bytes.to_vec())
    } else {
        value
            .dyn_ref::<js_sys::ArrayBuffer>()
            .map(|buffer| js_sys::Uint8Array::new(buffer).to_vec())
    }
}

/// A string argument.
pub fn string_argument(value: &JsValue, function: &str, argument: &str) -> JsResult<String> {
    value
        .as_string()
        .ok_or_else(|| Failure::invalid_argument(function, argument, "expected a string"))
}

/// A field that JavaScript may leave out but this call needs: `undefined` and `null` are missing.
pub fn required<T>(value: Option<T>, function: &str, argument: &str) -> JsResult<T> {
    value.ok_or_else(|| Failure::invalid_argument(function, argument, "it is missing"))
}

/// An instant given as epoch milliseconds, an RFC 3339 string or a `Date`; `undefined` and `null` are now, the
/// one reading of the clock in the package.
pub fn instant(value: &JsValue, function: &str, argument: &str) -> JsResult<DateTime<Utc>> {
    let millis = if value.is_undefined() || value.is_null() {
        js_sys::Date::now()
    } else if let Some(text) = value.as_string() {
        return Ok(parse_timestamp(&text)?);
    } else if let Some(date) = value.dyn_ref::<js_sys::Date>() {
        date.get_time()
    } else if let Some(number) = value.as_f64() {
        number
    } else {
        return Err(Failure::invalid_argument(
            function,
            argument,
            "expected epoch milliseconds, an RFC 3339 string or a Date",
        ));
    };
    if !millis.is_finite() {
        return Err(Failure::invalid_argument(function, argument, "it is not a valid time"));
    }
    DateTime::from_timestamp_millis(millis as i64)
        .ok_or_else(|| Failure::invalid_argument(function, argument, "it is out of range"))
}
