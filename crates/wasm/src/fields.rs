//! Options in: JavaScript objects read key by key.
//!
//! This replaces `serde_wasm_bindgen::from_value` on the way in (results still go out through serde). The
//! deserializer and its error machinery took 38 KB of the 259 KB `_bg.wasm` (formatting of floats included), for
//! objects of a few string fields. It also refuses unknown keys, which the
//! deserializer silently ignored, so a misspelt option (`acountId`) fails instead of being dropped.

use wasm_bindgen::{JsCast, JsValue};

use crate::{Failure, JsResult};

/// A plain object passed as `name` to `function`, whose keys were checked against a list.
pub struct Fields {
    object: js_sys::Object,
    function: &'static str,
    name: &'static str,
}

impl Fields {
    /// A required object argument.
    pub fn required(value: JsValue, function: &'static str, name: &'static str, known: &[&str]) -> JsResult<Self> {
        if value.is_undefined() || value.is_null() {
            return Err(Failure::invalid_argument(function, name, "it is missing"));
        }
        Self::read(value, function, name, known)
    }

    /// An optional object argument: `undefined` and `null` are an empty object.
    pub fn optional(value: JsValue, function: &'static str, name: &'static str, known: &[&str]) -> JsResult<Self> {
        if value.is_undefined() || value.is_null() {
            return Self::read(js_sys::Object::new().into(), function, name, known);
        }
        Self::read(value, function, name, known)
    }

    fn read(value: JsValue, function: &'static str, name: &'static str, known: &[&str]) -> JsResult<Self> {
        if !value.is_object() || js_sys::Array::is_array(&value) {
            return Err(Failure::invalid_argument(function, name, "expected an object"));
        }
        let object: js_sys::Object = value.unchecked_into();
        for key in js_sys::Object::keys(&object).iter() {
            let key = key.as_string().unwrap_or_default();
            if !known.contains(&key.as_str()) {
                // Not `known.join(", ")`, which is 1 KB of generic code for this one message.
                let mut keys = String::new();
                for (i, k) in known.iter().enumerate() {
                    if i > 0 {
                        keys.push_str(", ");
                    }
                    keys.push_str(k);
                }
                return Err(Failure::invalid_argument(
                    function,
                    name,
                    format!("unknown key {}; the keys are {keys}", sso_core::Quoted(&key)),
                ));
            }
        }
        Ok(Self { object, function, name })
    }

    /// A failure naming `name.key`.
    pub fn invalid(&self, key: &str, reason: impl std::fmt::Display) -> Failure {
        Failure::invalid_argument(self.function, &format!("{}.{key}", self.name), reason)
    }

    /// The value of `key`, `undefined` when absent.
    pub fn get(&self, key: &str) -> JsValue {
        js_sys::Reflect::get(&self.object, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
    }

    /// An optional string: `undefined` and `null` are `None`.
    pub fn string(&self, key: &str) -> JsResult<Option<String>> {
        let value = self.get(key);
        if value.is_undefined() || value.is_null() {
            return Ok(None);
        }
        value
            .as_string()
            .map(Some)
            .ok_or_else(|| self.invalid(key, "expected a string"))
    }

    /// A required string.
    pub fn required_string(&self, key: &str) -> JsResult<String> {
        self.string(key)?.ok_or_else(|| self.invalid(key, "it is missing"))
    }

    /// An optional finite number.
    pub fn number(&self, key: &str) -> JsResult<Option<f64>> {
        let value = self.get(key);
        if value.is_undefined() || value.is_null() {
            return Ok(None);
        }
        value
            .as_f64()
            .filter(|n| n.is_finite())
            .map(Some)
            .ok_or_else(|| self.invalid(key, "expected a number"))
    }

    /// `[name, value]` pairs of strings (the glue turns `Headers`, `Map`s and objects into these).
    pub fn string_pairs(&self, key: &str) -> JsResult<Vec<(String, String)>> {
        let value = self.get(key);
        if value.is_undefined() || value.is_null() {
            return Ok(Vec::new());
        }
        let expected = "expected [name, value] pairs of strings";
        if !js_sys::Array::is_array(&value) {
            return Err(self.invalid(key, expected));
        }
        js_sys::Array::from(&value)
            .iter()
            .map(|pair| {
                let pair = js_sys::Array::is_array(&pair).then(|| js_sys::Array::from(&pair));
                match pair
                    .as_ref()
                    .map(|p| (p.length(), p.get(0).as_string(), p.get(1).as_string()))
                {
                    Some((2, Some(name), Some(value))) => Ok((name, value)),
                    _ => Err(self.invalid(key, expected)),
                }
            })
            .collect()
    }
}
