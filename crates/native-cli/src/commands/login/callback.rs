//! The loopback listener that receives the browser's redirect: `GET /oauth/callback?code=…&state=…` on
//! `127.0.0.1:PORT`, and the small page the browser shows afterwards.
//!
//! Each connection is read on its own thread, because browsers open speculative connections that may never send a
//! request; one of those must not hold up the real redirect. Only the first request to `/oauth/callback` counts.

use std::io::{ErrorKind, Read, Write};
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crate::failure::{Exit, Failure};
use crate::log::Log;

/// The path of the registered redirect URI.
const CALLBACK_PATH: &str = "/oauth/callback";

/// A request head larger than this is not a browser's redirect.
const MAX_HEAD_BYTES: usize = 16 * 1024;

/// How long one connection may take to send its request, and to take the answer.
const CONNECTION_TIMEOUT: Duration = Duration::from_secs(10);

/// How often the waiting loop looks at the clock and for new connections.
const TICK: Duration = Duration::from_millis(20);

pub struct Listener {
    listener: TcpListener,
    port: u16,
}

/// Why no callback came.
pub enum WaitError {
    TimedOut,
    Failed(Failure),
}

/// The browser's callback request, waiting for the page that ends the sign-in.
pub struct Browser {
    query: String,
    stream: TcpStream,
}

impl Listener {
    /// Listens on 127.0.0.1 (never on another interface): `port`, or any free port for 0.
    pub fn bind(port: u16) -> Result<Self, Failure> {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, port)).map_err(|e| {
            let exit = if port == 0 { Exit::Internal } else { Exit::Usage };
            let why = match e.kind() {
                ErrorKind::AddrInUse => "the port is in use".to_owned(),
                ErrorKind::PermissionDenied => "permission denied (ports below 1024 need privileges)".to_owned(),
                _ => e.to_string(),
            };
            Failure::new(
                exit,
                format!(
                    "cannot listen on 127.0.0.1:{port} for the browser's redirect: {why}; choose another port with \
                     --redirect-port, or 0 for any free port"
                ),
            )
        })?;
        let fail = |e: std::io::Error| {
            Failure::new(
                Exit::Internal,
                format!("cannot set up the listener for the browser's redirect: {e}"),
            )
        };
        let port = listener.local_addr().map_err(fail)?.port();
        listener.set_nonblocking(true).map_err(fail)?;
        Ok(Self { listener, port })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Waits until `deadline` for a request to `/oauth/callback`. Other requests (a favicon) get a 404 and are
    /// otherwise ignored.
    pub fn wait(self, deadline: Instant, log: &Log) -> Result<Browser, WaitError> {
        let (sender, receiver) = mpsc::channel();
        loop {
            loop {
                match self.listener.accept() {
                    Ok((stream, _)) => {
                        let sender = sender.clone();
                        // A thread per connection; if none can be started, that connection is dropped.
                        let _ = std::thread::Builder::new()
                            .name("login-callback".into())
                            .spawn(move || read_request(stream, &sender));
                    }
                    Err(e) if e.kind() == ErrorKind::WouldBlock => break,
                    Err(e) if matches!(e.kind(), ErrorKind::Interrupted | ErrorKind::ConnectionAborted) => {}
                    Err(e) => {
                        return Err(WaitError::Failed(Failure::new(
                            Exit::Internal,
                            format!("the listener for the browser's redirect failed: {e}"),
                        )));
                    }
                }
            }
            match receiver.recv_timeout(TICK) {
                Ok(browser) => {
                    log.verbose("the browser came back to 127.0.0.1 with the sign-in's answer");
                    return Ok(browser);
                }
                Err(mpsc::RecvTimeoutError::Timeout | mpsc::RecvTimeoutError::Disconnected) => {}
            }
            if Instant::now() >= deadline {
                return Err(WaitError::TimedOut);
            }
        }
    }
}

/// Reads one request; hands `/oauth/callback` requests to the waiting loop and answers anything else itself.
fn read_request(mut stream: TcpStream, sender: &mpsc::Sender<Browser>) {
    // Accepted sockets inherit non-blocking mode on some systems.
    if stream.set_nonblocking(false).is_err()
        || stream.set_read_timeout(Some(CONNECTION_TIMEOUT)).is_err()
        || stream.set_write_timeout(Some(CONNECTION_TIMEOUT)).is_err()
    {
        return;
    }
    let mut head = Vec::with_capacity(1024);
    let mut buffer = [0u8; 2048];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        match stream.read(&mut buffer) {
            Ok(0) | Err(_) => return,
            Ok(n) => head.extend_from_slice(&buffer[..n]),
        }
        if head.len() > MAX_HEAD_BYTES {
            respond(
                &mut stream,
                "431 Request Header Fields Too Large",
                &page("Request too large", ""),
            );
            return;
        }
    }
    let line = head.split(|b| *b == b'\r').next().unwrap_or_default();
    let line = String::from_utf8_lossy(line);
    let mut parts = line.split(' ');
    let (method, target) = (parts.next().unwrap_or_default(), parts.next().unwrap_or_default());
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    if path != CALLBACK_PATH {
        respond(
            &mut stream,
            "404 Not Found",
            &page("Not found", "This is ssocreds' sign-in listener."),
        );
        return;
    }
    if method != "GET" {
        respond(&mut stream, "405 Method Not Allowed", &page("Method not allowed", ""));
        return;
    }
    let _ = sender.send(Browser {
        query: query.to_owned(),
        stream,
    });
}

impl Browser {
    /// The query of the callback request, without `?`.
    pub fn query(&self) -> &str {
        &self.query
    }

    pub fn signed_in(mut self) {
        respond(
            &mut self.stream,
            "200 OK",
            &page(
                "Signed in",
                "ssocreds has cached your sign-in. You can close this tab and go back to the terminal.",
            ),
        );
    }

    pub fn failed(mut self, message: &str) {
        respond(
            &mut self.stream,
            "400 Bad Request",
            &page(
                "Sign-in failed",
                &format!("{message}. The terminal says what to do next."),
            ),
        );
    }
}

fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn page(title: &str, message: &str) -> String {
    format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>ssocreds: {title}</title></head>\n\
         <body style=\"font-family: system-ui, sans-serif; max-width: 40em; margin: 4em auto; padding: 0 1em\">\n\
         <h1>{title}</h1>\n<p>{}</p>\n</body></html>\n",
        escape_html(message),
        title = escape_html(title),
    )
}

/// Answers and closes. The page loads nothing, and the URL it answers holds the code: no referrer, no caching.
fn respond(stream: &mut TcpStream, status: &str, body: &str) {
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\
         Cache-Control: no-store\r\nReferrer-Policy: no-referrer\r\n\
         Content-Security-Policy: default-src 'none'; style-src 'unsafe-inline'\r\n\r\n",
        body.len()
    );
    let _ = stream
        .write_all(head.as_bytes())
        .and_then(|()| stream.write_all(body.as_bytes()))
        .and_then(|()| stream.flush());
    let _ = stream.shutdown(std::net::Shutdown::Write);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_escape_what_they_show() {
        let html = page("Sign-in failed", "<script>alert('x')</script> & \"more\"");
        assert!(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;more&quot;"));
        assert!(!html.contains("<script>"));
    }

    #[test]
    fn the_callback_is_received_and_other_paths_are_not() {
        let listener = Listener::bind(0).unwrap();
        let port = listener.port();
        let client = std::thread::spawn(move || {
            let get = |path: &str| {
                let mut stream = TcpStream::connect((Ipv4Addr::LOCALHOST, port)).unwrap();
                write!(stream, "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").unwrap();
                let mut answer = String::new();
                stream.read_to_string(&mut answer).unwrap();
                answer
            };
            // A connection that never sends anything must not hold up the others.
            let _idle = TcpStream::connect((Ipv4Addr::LOCALHOST, port)).unwrap();
            assert!(get("/favicon.ico").starts_with("HTTP/1.1 404"));
            get("/oauth/callback?code=c&state=s")
        });
        let browser = listener
            .wait(Instant::now() + Duration::from_secs(10), &Log::default())
            .ok()
            .unwrap();
        assert_eq!(browser.query(), "code=c&state=s");
        browser.signed_in();
        let answer = client.join().unwrap();
        assert!(answer.starts_with("HTTP/1.1 200 OK\r\n"), "{answer}");
        assert!(answer.contains("<h1>Signed in</h1>"), "{answer}");
    }

    #[test]
    fn nobody_coming_times_out() {
        let listener = Listener::bind(0).unwrap();
        let started = Instant::now();
        assert!(matches!(
            listener.wait(Instant::now() + Duration::from_millis(100), &Log::default()),
            Err(WaitError::TimedOut)
        ));
        assert!(started.elapsed() < Duration::from_secs(2));
    }

    #[test]
    fn a_port_in_use_is_a_usage_error_that_names_the_flag() {
        let taken = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
        let port = taken.local_addr().unwrap().port();
        let failure = Listener::bind(port).err().unwrap();
        assert_eq!(failure.exit, Exit::Usage);
        assert!(failure.message.contains("the port is in use"), "{}", failure.message);
        assert!(failure.message.contains("--redirect-port"), "{}", failure.message);
    }
}
