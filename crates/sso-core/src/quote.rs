//! Values quoted in messages.

use std::fmt;

/// Shows a value in double quotes with anything that could hide or fake text escaped, for error messages:
/// `"a\"b\n"`.
///
/// What `{:?}` does for ASCII (`\"`, `\\`, `\n`, `\r`, `\t`, `\0`, other control characters as `\u{1b}`), plus
/// the invisible and direction-changing format characters (`\u{202e}` and the like). Other non-ASCII text is shown
/// as it is. Not `{:?}` itself: `str`'s `Debug` brings Unicode's printable-character tables, 3 KB of the
/// WebAssembly module, for messages about account ids and URLs.
#[derive(Clone, Copy)]
pub struct Quoted<'a>(pub &'a str);

impl fmt::Display for Quoted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("\"")?;
        let mut plain_from = 0;
        for (index, c) in self.0.char_indices() {
            let escape = match c {
                '"' => "\\\"",
                '\\' => "\\\\",
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                '\0' => "\\0",
                _ if c.is_control() || is_invisible_format(c) => "",
                _ => continue,
            };
            // `get`: an index panic would bring `char`'s `Debug` into the WebAssembly module.
            f.write_str(self.0.get(plain_from..index).unwrap_or_default())?;
            plain_from = index + c.len_utf8();
            if escape.is_empty() {
                write_unicode_escape(f, c)?;
            } else {
                f.write_str(escape)?;
            }
        }
        f.write_str(self.0.get(plain_from..).unwrap_or_default())?;
        f.write_str("\"")
    }
}

/// Zero-width and bidirectional formatting characters (Unicode category Cf in common use): a message must not
/// let a server or a file reorder or hide what the user reads.
fn is_invisible_format(c: char) -> bool {
    matches!(c,
        '\u{ad}' | '\u{61c}' | '\u{180e}' | '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}'
        | '\u{2060}'..='\u{206f}' | '\u{feff}' | '\u{fff9}'..='\u{fffb}')
}

const HEX_DIGITS: &[u8; 16] = b"0123456789abcdef";

/// `\u{…}` with lower-case hex digits and no leading zeros, as `{:?}` writes it.
fn write_unicode_escape(f: &mut fmt::Formatter<'_>, c: char) -> fmt::Result {
    let mut digits = [0u8; 6];
    let mut value = u32::from(c);
    let mut start = digits.len();
    loop {
        start -= 1;
        digits[start] = HEX_DIGITS[(value % 16) as usize];
        value /= 16;
        if value == 0 {
            break;
        }
    }
    f.write_str("\\u{")?;
    // Only ASCII hex digits were written.
    f.write_str(std::str::from_utf8(&digits[start..]).unwrap_or_default())?;
    f.write_str("}")
}

#[cfg(test)]
mod tests {
    use super::*;
    // On wasm32 the same tests run under wasm-bindgen-test (as quinn-proto does).
    #[cfg(all(target_family = "wasm", target_os = "unknown"))]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn ascii_is_quoted_exactly_as_debug_quotes_it() {
        let all_ascii: String = (0u8..=127).map(char::from).collect();
        for text in [
            "",
            "plain",
            "a\"b",
            "back\\slash",
            "tab\tnew\nline\r",
            "nul\0",
            "\u{1b}[31m",
            &all_ascii,
        ] {
            assert_eq!(Quoted(text).to_string(), format!("{text:?}"));
        }
    }

    #[test]
    fn printable_non_ascii_is_shown_and_hiding_characters_are_escaped() {
        assert_eq!(Quoted("café ☕").to_string(), "\"café ☕\"");
        assert_eq!(Quoted("evil\u{202e}txt.exe").to_string(), "\"evil\\u{202e}txt.exe\"");
        assert_eq!(Quoted("a\u{200b}b\u{feff}").to_string(), "\"a\\u{200b}b\\u{feff}\"");
        assert_eq!(Quoted("\u{85}\u{9f}").to_string(), format!("{:?}", "\u{85}\u{9f}"));
    }
}
