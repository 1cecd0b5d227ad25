//! The line grammar of the AWS shared config and credentials files, as botocore reads them.
//!
//! Used where ssocreds must agree with botocore byte for byte: rewriting `~/.aws/credentials` in place
//! ([`crate::credentials_file`]), and reading the config file the AWS CLI's way to warn where that differs from
//! the AWS SDKs' reading, which is the one ssocreds uses (`config::botocore`).
//!
//! botocore hands both files to Python's `configparser.RawConfigParser()` with its defaults, so this lexer follows
//! that parser's rules (checked against CPython's `configparser._read` and botocore's `configloader.py`):
//! - a line whose stripped text starts with `#` or `;` is a comment, wherever it is indented; there are no inline
//!   comments (`region = us-east-1 # eu` has the value `us-east-1 # eu`);
//! - a line that is indented deeper than the line of the current key is a continuation of that key's value, even
//!   after blank lines and comments; otherwise it starts a new element;
//! - a section header is `[` … `]` (the header is what lies between the first `[` and the last `]`, unstripped, and
//!   text after the last `]` is ignored);
//! - a key line splits at the first `=` or `:`; the key is stripped on the right (and was stripped on the left by
//!   the line strip), the value is stripped;
//! - a key line before any section header, or a line in a section that is none of the above, is a syntax error.
//!
//! Lines end at `\n`; a `\r` before it belongs to the line ending, so CRLF files keep their endings when they are
//! rewritten. A UTF-8 byte-order mark at the start is skipped (Python would fail on it).

/// What one line of the file is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum LineKind<'a> {
    /// Only white space.
    Blank,
    /// A `#` or `;` comment.
    Comment,
    /// `[header]`; `header` is exactly what is between the brackets.
    Section { header: &'a str },
    /// `key = value` inside a section.
    Key { key: &'a str, value: &'a str },
    /// A line indented under a key: part of that key's value (already stripped).
    Continuation { value: &'a str },
    /// A line that is not valid here.
    Invalid { reason: &'static str },
}

/// One line of the file, with its place in the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Line<'a> {
    /// 1-based line number.
    pub number: usize,
    /// Byte offset of the line's first byte in the text given to [`lex`].
    pub start: usize,
    /// Byte offset just past the line's content (before `\r\n` or `\n`).
    pub content_end: usize,
    /// Byte offset just past the line ending (equal to `content_end` on a last line without one).
    pub end: usize,
    /// What the line is.
    pub kind: LineKind<'a>,
}

fn indent_of(line: &str) -> usize {
    line.chars().take_while(|c| c.is_whitespace()).count()
}

/// Splits `text` into classified lines. Never fails: invalid lines are [`LineKind::Invalid`], so that a caller
/// that rewrites the file can still keep them byte for byte.
pub(crate) fn lex(text: &str) -> Vec<Line<'_>> {
    let mut lines = Vec::new();
    let mut offset = if text.starts_with('\u{feff}') {
        '\u{feff}'.len_utf8()
    } else {
        0
    };
    let mut in_section = false;
    // configparser's state: whether a key is open for continuation lines, and the indentation of the last line that
    // was not a continuation (a key, a header or an invalid line: an invalid line does not close the key).
    let mut key_open = false;
    let mut indent_level = 0;
    let mut number = 0;
    while offset < text.len() {
        number += 1;
        let rest = &text[offset..];
        let (raw, end) = match rest.find('\n') {
            Some(pos) => (&rest[..pos], offset + pos + 1),
            None => (rest, text.len()),
        };
        let content = raw.strip_suffix('\r').unwrap_or(raw);
        let stripped = content.trim();
        let indent = indent_of(content);
        let kind = if stripped.is_empty() {
            LineKind::Blank
        } else if stripped.starts_with('#') || stripped.starts_with(';') {
            LineKind::Comment
        } else if key_open && indent > indent_level {
            LineKind::Continuation { value: stripped }
        } else {
            indent_level = indent;
            if let Some(header) = section_header(stripped) {
                in_section = true;
                key_open = false;
                LineKind::Section { header }
            } else if !in_section {
                LineKind::Invalid {
                    reason: "a setting before the first [section] header",
                }
            } else {
                match stripped.find(['=', ':']) {
                    Some(0) => LineKind::Invalid {
                        reason: "a line that starts with `=` (no setting name)",
                    },
                    Some(pos) => {
                        key_open = true;
                        LineKind::Key {
                            key: stripped[..pos].trim_end(),
                            value: stripped[pos + 1..].trim(),
                        }
                    }
                    None => LineKind::Invalid {
                        reason: "a line that is neither `key = value`, a [section] header nor a comment",
                    },
                }
            }
        };
        lines.push(Line {
            number,
            start: offset,
            content_end: offset + content.len(),
            end,
            kind,
        });
        offset = end;
    }
    lines
}

/// The header of a section line: what lies between the first `[` and the last `]` (Python's permissive
/// `\[(?P<header>.+)\]`, matched at the start of the stripped line). Empty headers are not headers.
fn section_header(stripped: &str) -> Option<&str> {
    let inner = stripped.strip_prefix('[')?;
    let close = inner.rfind(']')?;
    let header = &inner[..close];
    (!header.is_empty()).then_some(header)
}

#[cfg(test)]
mod tests {
    use super::*;
    // On wasm32 the same tests run under wasm-bindgen-test (as quinn-proto does).
    #[cfg(all(target_family = "wasm", target_os = "unknown"))]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    fn kinds(text: &str) -> Vec<LineKind<'_>> {
        lex(text).into_iter().map(|l| l.kind).collect()
    }

    #[test]
    fn classifies_lines_as_configparser_does() {
        let text = "# top\n[default]\nregion=us-east-1\n  ; indented comment\ns3 =\n    addressing_style = path\n\n    \
                    signature_version: s3v4\nkey: v # not a comment\n[profile x] ; trailing\n";
        assert_eq!(
            kinds(text),
            vec![
                LineKind::Comment,
                LineKind::Section { header: "default" },
                LineKind::Key {
                    key: "region",
                    value: "us-east-1"
                },
                LineKind::Comment,
                LineKind::Key { key: "s3", value: "" },
                LineKind::Continuation {
                    value: "addressing_style = path"
                },
                LineKind::Blank,
                LineKind::Continuation {
                    value: "signature_version: s3v4"
                },
                LineKind::Key {
                    key: "key",
                    value: "v # not a comment"
                },
                LineKind::Section { header: "profile x" },
            ]
        );
    }

    #[test]
    fn indentation_alone_does_not_make_a_continuation() {
        // An indented key right after a header is a key: there is no open key to continue.
        assert_eq!(
            kinds("[a]\n  k = v\n  j = w\n"),
            vec![
                LineKind::Section { header: "a" },
                LineKind::Key { key: "k", value: "v" },
                LineKind::Key { key: "j", value: "w" },
            ]
        );
    }

    #[test]
    fn offsets_cover_every_byte_and_keep_crlf_apart() {
        let text = "\u{feff}[a]\r\nk = v\r\nlast";
        let lines = lex(text);
        assert_eq!(lines[0].start, 3);
        assert_eq!(&text[lines[0].start..lines[0].content_end], "[a]");
        assert_eq!(&text[lines[0].content_end..lines[0].end], "\r\n");
        assert_eq!(&text[lines[2].start..lines[2].end], "last");
        assert_eq!(lines[2].end, text.len());
        for pair in lines.windows(2) {
            assert_eq!(pair[0].end, pair[1].start);
        }
    }

    #[test]
    fn an_invalid_line_does_not_close_the_open_key() {
        // As in configparser: the invalid line lowers the indentation level, and the next deeper line continues
        // the key that is still open.
        assert_eq!(
            kinds("[a]\n  k = v\n junk\n  more\n")[2..],
            [
                LineKind::Invalid {
                    reason: "a line that is neither `key = value`, a [section] header nor a comment"
                },
                LineKind::Continuation { value: "more" },
            ]
        );
    }

    #[test]
    fn invalid_lines_are_named() {
        assert!(matches!(kinds("k = v\n")[0], LineKind::Invalid { .. }));
        assert!(matches!(kinds("[a]\njunk\n")[1], LineKind::Invalid { .. }));
        assert!(matches!(kinds("[a]\n= v\n")[1], LineKind::Invalid { .. }));
        assert!(matches!(kinds("[]\n")[0], LineKind::Invalid { .. }));
    }
}
