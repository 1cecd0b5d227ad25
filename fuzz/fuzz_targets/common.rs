//! Helpers shared by the fuzz targets (included with `#[path]`, so each target stays one file).
#![allow(dead_code)]

use sso_core::HttpResponse;

/// An HTTP answer from fuzz bytes laid out as text: a status line (`200`), header lines (`Name: value`), an empty
/// line, then the body bytes. A missing or unreadable status becomes 200, so bodies alone also make sense.
pub fn response_from(data: &[u8]) -> HttpResponse {
    let (head, body) = match find(data, b"\n\n") {
        Some(at) => (&data[..at], &data[at + 2..]),
        None => (data, &[][..]),
    };
    let head = String::from_utf8_lossy(head);
    let mut lines = head.split('\n');
    let status = lines.next().and_then(|l| l.trim().parse::<u16>().ok()).unwrap_or(200);
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_owned(), v.trim().to_owned()))
        .collect();
    HttpResponse {
        status,
        headers,
        body: body.to_vec(),
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Splits at the first `\n`: (first line, rest).
pub fn first_line(text: &str) -> (&str, &str) {
    text.split_once('\n').unwrap_or((text, ""))
}

/// Messages built from what a server sent must not carry control characters (they could rewrite a terminal);
/// `allowed` are the line breaks the message itself may use.
pub fn assert_printable(message: &str) {
    assert!(
        !message.chars().any(|c| c.is_control()),
        "control character in a message: {message:?}"
    );
}
