//! A deliberately small HTTP/1.1 server side: one request per connection, `Connection: close`.
//!
//! Written by hand on `std::net` rather than with a framework because the tests need to misbehave at the
//! byte level (reset a connection, send half a body, never answer), which frameworks exist to prevent.

use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

/// Largest request (head and body) the server accepts; the clients under test send a few hundred bytes.
const MAX_REQUEST_BYTES: usize = 1024 * 1024;
/// How long a client may take to send its whole request.
const REQUEST_DEADLINE: Duration = Duration::from_secs(30);

/// A parsed request. Header names are lower-cased; the query is kept raw (undecoded).
#[derive(Clone, Debug)]
pub(crate) struct Request {
    pub method: String,
    pub path: String,
    pub query: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Request {
    /// The first header of that (lower-case) name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }
}

/// Why a request could not be read.
#[derive(Debug)]
pub(crate) enum ReadError {
    /// The peer closed, went quiet or the socket failed: nothing to answer.
    Io,
    /// The bytes are not an HTTP/1.1 request we understand: answer 400 with this text.
    Malformed(String),
}

impl From<io::Error> for ReadError {
    fn from(_: io::Error) -> Self {
        ReadError::Io
    }
}

/// A request whose bytes are still in the socket's receive buffer (it was only peeked at).
///
/// Keeping them unread until the server decides how to answer is what lets the `reset` fault produce a real
/// TCP RST: closing a socket that still holds unread data makes the kernel reset the connection, whereas
/// closing a drained socket only sends a FIN.
pub(crate) struct PeekedRequest {
    pub request: Request,
    len: usize,
}

impl PeekedRequest {
    /// Consumes the request's bytes from the socket, so that a later close is an orderly one.
    pub fn drain(&self, stream: &mut TcpStream) -> io::Result<()> {
        let mut left = self.len;
        let mut buf = [0u8; 8192];
        while left > 0 {
            let want = left.min(buf.len());
            let n = stream.read(&mut buf[..want])?;
            if n == 0 {
                return Err(io::ErrorKind::UnexpectedEof.into());
            }
            left -= n;
        }
        Ok(())
    }
}

/// Waits for a whole request to sit in the socket's receive buffer and parses it, without consuming it.
pub(crate) fn peek_request(stream: &mut TcpStream) -> Result<PeekedRequest, ReadError> {
    stream.set_read_timeout(Some(Duration::from_millis(200)))?;
    let deadline = Instant::now() + REQUEST_DEADLINE;
    let mut buf = vec![0u8; 16 * 1024];
    let mut seen = 0;
    let mut sent_continue = false;
    loop {
        let n = match stream.peek(&mut buf) {
            Ok(n) => n,
            Err(e) if matches!(e.kind(), io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut) => {
                if Instant::now() > deadline {
                    return Err(ReadError::Io);
                }
                continue;
            }
            Err(_) => return Err(ReadError::Io),
        };
        if n == 0 {
            return Err(ReadError::Io);
        }
        if let Some(parsed) = parse(&buf[..n])? {
            stream.set_read_timeout(None)?;
            return Ok(parsed);
        }
        if !sent_continue && expects_continue(&buf[..n]) {
            // curl holds larger bodies back until told to go on.
            stream.write_all(b"HTTP/1.1 100 Continue\r\n\r\n")?;
            sent_continue = true;
        }
        if n == buf.len() {
            if buf.len() >= MAX_REQUEST_BYTES {
                return Err(ReadError::Malformed("request too large".into()));
            }
            let larger = (buf.len() * 2).min(MAX_REQUEST_BYTES);
            buf.resize(larger, 0);
        } else if n == seen {
            // Part of the request is there and the rest is on its way: peek would return at once, so wait.
            if Instant::now() > deadline {
                return Err(ReadError::Io);
            }
            std::thread::sleep(Duration::from_millis(1));
        }
        seen = n;
    }
}

/// Whether a complete head asks for `100 Continue` before the body.
fn expects_continue(bytes: &[u8]) -> bool {
    find(bytes, b"\r\n\r\n").is_some_and(|end| {
        String::from_utf8_lossy(&bytes[..end])
            .to_ascii_lowercase()
            .contains("\r\nexpect: 100-continue")
    })
}

/// Parses a complete request from `bytes`, or says more bytes are needed (`None`).
fn parse(bytes: &[u8]) -> Result<Option<PeekedRequest>, ReadError> {
    let Some(head_end) = find(bytes, b"\r\n\r\n") else {
        if bytes.len() >= MAX_REQUEST_BYTES {
            return Err(ReadError::Malformed("request head too large".into()));
        }
        return Ok(None);
    };
    let head = std::str::from_utf8(&bytes[..head_end])
        .map_err(|_| ReadError::Malformed("request head is not UTF-8".into()))?;
    let mut lines = head.split("\r\n");
    let request_line = lines.next().unwrap_or_default();
    let mut parts = request_line.split(' ');
    let (Some(method), Some(target), Some(version), None) = (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(ReadError::Malformed(format!("bad request line {request_line:?}")));
    };
    if version != "HTTP/1.1" && version != "HTTP/1.0" {
        return Err(ReadError::Malformed(format!("unsupported version {version:?}")));
    }
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let mut headers = Vec::new();
    for line in lines {
        let Some((name, value)) = line.split_once(':') else {
            return Err(ReadError::Malformed(format!("bad header line {line:?}")));
        };
        headers.push((name.trim().to_ascii_lowercase(), value.trim().to_owned()));
    }
    let mut request = Request {
        method: method.to_owned(),
        path: path.to_owned(),
        query: query.to_owned(),
        headers,
        body: Vec::new(),
    };
    let body_start = head_end + 4;
    let rest = &bytes[body_start..];
    let chunked = request
        .header("transfer-encoding")
        .is_some_and(|v| v.to_ascii_lowercase().contains("chunked"));
    let body_len = if chunked {
        match dechunk(rest)? {
            Some((body, used)) => {
                request.body = body;
                used
            }
            None => return Ok(None),
        }
    } else {
        let len = match request.header("content-length") {
            Some(v) => v
                .parse::<usize>()
                .map_err(|_| ReadError::Malformed(format!("bad content-length {v:?}")))?,
            None => 0,
        };
        if body_start + len > MAX_REQUEST_BYTES {
            return Err(ReadError::Malformed("request body too large".into()));
        }
        if rest.len() < len {
            return Ok(None);
        }
        request.body = rest[..len].to_vec();
        len
    };
    Ok(Some(PeekedRequest {
        request,
        len: body_start + body_len,
    }))
}

/// Decodes a chunked body; `None` while incomplete. Returns the body and the number of bytes it used.
fn dechunk(mut bytes: &[u8]) -> Result<Option<(Vec<u8>, usize)>, ReadError> {
    let total = bytes.len();
    let mut body = Vec::new();
    loop {
        let Some(line_end) = find(bytes, b"\r\n") else {
            return Ok(None);
        };
        let size_text = std::str::from_utf8(&bytes[..line_end]).unwrap_or("");
        let size_text = size_text.split(';').next().unwrap_or("").trim();
        let size = usize::from_str_radix(size_text, 16)
            .map_err(|_| ReadError::Malformed(format!("bad chunk size {size_text:?}")))?;
        bytes = &bytes[line_end + 2..];
        if size == 0 {
            // Trailers (none expected) end with an empty line.
            let Some(end) = find(bytes, b"\r\n") else {
                return Ok(None);
            };
            if end != 0 {
                let Some(trailer_end) = find(bytes, b"\r\n\r\n") else {
                    return Ok(None);
                };
                bytes = &bytes[trailer_end + 4..];
            } else {
                bytes = &bytes[2..];
            }
            return Ok(Some((body, total - bytes.len())));
        }
        if bytes.len() < size + 2 {
            return Ok(None);
        }
        body.extend_from_slice(&bytes[..size]);
        bytes = &bytes[size + 2..];
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// A response to write back. `Content-Length`, `Connection: close` and `Date`-less framing are added on write.
#[derive(Clone, Debug)]
pub(crate) struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    pub fn new(status: u16) -> Self {
        Response {
            status,
            headers: Vec::new(),
            body: Vec::new(),
        }
    }

    pub fn json(status: u16, body: String) -> Self {
        Response::new(status)
            .header("Content-Type", "application/json")
            .body(body.into_bytes())
    }

    pub fn header(mut self, name: &str, value: impl Into<String>) -> Self {
        self.headers.push((name.to_owned(), value.into()));
        self
    }

    pub fn body(mut self, body: Vec<u8>) -> Self {
        self.body = body;
        self
    }

    /// The status line and headers, with `Content-Length: content_length`.
    fn head(&self, content_length: usize) -> Vec<u8> {
        let mut head = format!("HTTP/1.1 {} {}\r\n", self.status, reason(self.status));
        for (name, value) in &self.headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        head.push_str(&format!(
            "Content-Length: {content_length}\r\nConnection: close\r\n\r\n"
        ));
        head.into_bytes()
    }

    pub fn write_to(&self, stream: &mut TcpStream) -> io::Result<()> {
        stream.write_all(&self.to_bytes())?;
        stream.flush()
    }

    /// The whole answer as it goes on the wire.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut bytes = self.head(self.body.len());
        bytes.extend_from_slice(&self.body);
        bytes
    }

    /// Announces the whole body but sends only its first half (at least one byte short).
    pub fn write_half_to(&self, stream: &mut TcpStream) -> io::Result<()> {
        let announced = self.body.len().max(2);
        let mut bytes = self.head(announced);
        bytes.extend_from_slice(&self.body[..self.body.len() / 2]);
        stream.write_all(&bytes)?;
        stream.flush()
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        100 => "Continue",
        200 => "OK",
        302 => "Found",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        _ => "Unknown",
    }
}

/// Why a query string was rejected.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum QueryError {
    BadEscape(String),
    Duplicate(String),
}

/// Splits and percent-decodes a query string. `+` decodes to a space, as form decoding does: a client that
/// forgets to escape the `+` allowed in IAM role names then asks for the wrong role, as it would in production.
pub(crate) fn parse_query(query: &str) -> Result<Vec<(String, String)>, QueryError> {
    let mut pairs: Vec<(String, String)> = Vec::new();
    for part in query.split('&').filter(|p| !p.is_empty()) {
        let (name, value) = part.split_once('=').unwrap_or((part, ""));
        let name = percent_decode(name).ok_or_else(|| QueryError::BadEscape(part.to_owned()))?;
        let value = percent_decode(value).ok_or_else(|| QueryError::BadEscape(part.to_owned()))?;
        if pairs.iter().any(|(n, _)| *n == name) {
            return Err(QueryError::Duplicate(name));
        }
        pairs.push((name, value));
    }
    Ok(pairs)
}

/// Decodes `%XX` escapes and `+`; `None` on a broken escape or bytes that are not UTF-8.
pub(crate) fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let hex = bytes.get(i + 1..i + 3)?;
                let hex = std::str::from_utf8(hex).ok()?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

/// Escapes everything but RFC 3986 unreserved characters.
pub(crate) fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_request_with_a_body() {
        let raw = b"POST /token?x=1 HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\nX-Amz-SSO_bearer_token: t\r\n\r\n{}";
        let peeked = parse(raw).unwrap().unwrap();
        assert_eq!(peeked.len, raw.len());
        assert_eq!(peeked.request.path, "/token");
        assert_eq!(peeked.request.query, "x=1");
        assert_eq!(peeked.request.header("x-amz-sso_bearer_token"), Some("t"));
        assert_eq!(peeked.request.body, b"{}");
    }

    #[test]
    fn waits_for_the_rest_of_the_body() {
        let raw = b"POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\n{}";
        assert!(parse(raw).unwrap().is_none());
        assert!(parse(b"GET / HTTP/1.1\r\nHost").unwrap().is_none());
    }

    #[test]
    fn decodes_chunked_bodies() {
        let raw = b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{\"\r\n3\r\na\":\r\n0\r\n\r\n";
        let peeked = parse(raw).unwrap().unwrap();
        assert_eq!(peeked.request.body, b"{\"a\":");
        assert_eq!(peeked.len, raw.len());
        let partial = b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{\"\r\n";
        assert!(parse(partial).unwrap().is_none());
    }

    #[test]
    fn query_decoding() {
        assert_eq!(
            parse_query("role_name=a%2Bb+c&account_id=1").unwrap(),
            vec![("role_name".into(), "a+b c".into()), ("account_id".into(), "1".into())]
        );
        assert_eq!(parse_query("a=1&a=2"), Err(QueryError::Duplicate("a".into())));
        assert!(parse_query("a=%zz").is_err());
        assert!(parse_query("a=%2").is_err());
        assert_eq!(percent_encode("a b/é"), "a%20b%2F%C3%A9");
    }
}
