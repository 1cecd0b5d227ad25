//! Sends the core's requests: reqwest with rustls, timeouts, proxies from the environment, an extra CA bundle,
//! and retries of throttling and server errors as the core's `RetryPolicy` decides.
//!
//! Time is bounded per operation, not per attempt: an operation (one call, or one listing's pages) gets a
//! [`Deadline`] of `--timeout`, and every attempt, backoff and `Retry-After` wait comes out of it. Each attempt's
//! reqwest timeout is the time left, which bounds the whole exchange (connect, head and body), so a server that
//! never answers or trickles one byte at a time costs at most `--timeout`, whatever `--max-attempts` says.

use std::io::Read;
use std::time::{Duration, Instant};

use sso_core::{HttpRequest, HttpResponse, Method, RetryDecision, RetryPolicy};

use crate::failure::{Exit, Failure};
use crate::log::Log;

/// Answers larger than this are cut off: no portal or OIDC answer comes close.
const MAX_RESPONSE_BYTES: u64 = 4 * 1024 * 1024;

/// Network settings from flags and environment.
#[derive(Debug, Clone)]
pub struct TransportOptions {
    /// Per connection attempt.
    pub connect_timeout: Duration,
    /// Per operation: all attempts and waits together.
    pub timeout: Duration,
    /// PEM file with extra trusted CA certificates (`--ca-bundle`, `AWS_CA_BUNDLE`).
    pub ca_bundle: Option<String>,
    pub retry: RetryPolicy,
}

pub struct Transport {
    client: reqwest::blocking::Client,
    retry: RetryPolicy,
    timeout: Duration,
}

/// When an operation must be over: its start plus `--timeout`.
#[derive(Debug, Clone, Copy)]
pub struct Deadline {
    started: Instant,
    budget: Duration,
}

impl Deadline {
    /// A deadline `budget` from now.
    pub fn after(budget: Duration) -> Self {
        Self {
            started: Instant::now(),
            budget,
        }
    }

    /// What is left of it (zero once it has passed).
    pub fn left(&self) -> Duration {
        self.budget.saturating_sub(self.started.elapsed())
    }
}

/// Why no complete HTTP answer came back.
struct SendError {
    message: String,
    timeout: bool,
    connect: bool,
}

impl SendError {
    /// The deadline passed before an attempt could start (a later page of a listing).
    fn out_of_time() -> Self {
        Self {
            message: "no time left".to_owned(),
            timeout: true,
            connect: false,
        }
    }
}

impl SendError {
    /// The message with nothing of a secret URL in it: reqwest names the URL in some errors (`… for url (…)`), so
    /// a message that still shows any of its query after removing it whole is replaced by a plain one.
    fn without_url(mut self, url: &str) -> Self {
        self.message = self.message.replace(url, "(the URL)");
        let query = url.split_once('?').map_or("", |(_, query)| query);
        let leaks = query
            .split('&')
            .filter_map(|pair| pair.split_once('=').map(|(_, value)| value))
            .any(|value| value.len() >= 8 && self.message.contains(value));
        if leaks || self.message.contains("url (") {
            self.message =
                "the request failed (the details would show the request's URL, which holds secrets)".to_owned();
        }
        self
    }
}

impl From<reqwest::Error> for SendError {
    fn from(error: reqwest::Error) -> Self {
        // reqwest's own message repeats the URL; the innermost cause ("Connection refused") is what helps.
        let mut cause: &dyn std::error::Error = &error;
        while let Some(next) = cause.source() {
            cause = next;
        }
        Self {
            message: cause.to_string(),
            timeout: error.is_timeout(),
            connect: error.is_connect(),
        }
    }
}

/// A failure to get any HTTP answer, saying how long it waited and how often it tried.
fn transport_failure(url: &str, error: &SendError, attempts: u32, deadline: &Deadline) -> Failure {
    let host = url.split('/').nth(2).unwrap_or(url);
    let waited = deadline.started.elapsed();
    let what = if error.timeout {
        format!(
            "the request timed out (--timeout {} s bounds all attempts and waits together; raise it for a slow network)",
            deadline.budget.as_secs_f64()
        )
    } else if error.connect {
        format!("could not connect: {}", error.message)
    } else {
        error.message.clone()
    };
    Failure::new(
        Exit::Network,
        format!(
            "no answer from {host} after {attempts} attempt(s) in {:.1} s: {what}. Check the network, a proxy \
             (HTTPS_PROXY, NO_PROXY) or a corporate CA (--ca-bundle, AWS_CA_BUNDLE); --verbose shows each attempt",
            waited.as_secs_f64()
        ),
    )
}

impl Transport {
    /// Builds the HTTP client. Requests to a loopback address never go through a proxy.
    pub fn new(options: &TransportOptions, loopback: bool) -> Result<Self, Failure> {
        // ring keeps the binary small and the build quick; installing twice is harmless.
        let _ = rustls::crypto::ring::default_provider().install_default();
        // No client-wide timeout: each attempt sets its own, from the time its operation has left.
        let mut builder = reqwest::blocking::Client::builder()
            .connect_timeout(options.connect_timeout)
            .timeout(None)
            .user_agent(sso_core::USER_AGENT)
            .redirect(reqwest::redirect::Policy::none())
            .https_only(!loopback);
        if loopback {
            builder = builder.no_proxy();
        }
        if let Some(path) = &options.ca_bundle {
            let pem = std::fs::read(path)
                .map_err(|e| Failure::new(Exit::Usage, format!("cannot read the CA bundle {path}: {e}")))?;
            let certificates = reqwest::Certificate::from_pem_bundle(&pem).map_err(|e| {
                Failure::new(
                    Exit::Usage,
                    format!("the CA bundle {path} is not a PEM certificate file: {e}"),
                )
            })?;
            if certificates.is_empty() {
                return Err(Failure::new(
                    Exit::Usage,
                    format!("the CA bundle {path} holds no PEM certificate (-----BEGIN CERTIFICATE-----)"),
                ));
            }
            for certificate in certificates {
                builder = builder.add_root_certificate(certificate);
            }
        }
        let client = builder.build().map_err(|e| {
            Failure::new(
                Exit::Internal,
                format!("cannot set up HTTPS: {}", crate::failure::chain(&e)),
            )
        })?;
        Ok(Self {
            client,
            retry: options.retry,
            timeout: options.timeout,
        })
    }

    /// A deadline of `--timeout` from now, for an operation of several calls (a listing's pages).
    pub fn deadline(&self) -> Deadline {
        Deadline::after(self.timeout)
    }

    /// One attempt, given `time_left`: reqwest's timeout covers connecting, the head and the whole body (a
    /// trickling answer included), so the attempt ends by then.
    fn send_once(&self, request: &HttpRequest, time_left: Duration) -> Result<HttpResponse, SendError> {
        let mut builder = match request.method {
            Method::Get => self.client.get(&request.url),
            Method::Post => self.client.post(&request.url),
        };
        builder = builder.timeout(time_left);
        for (name, value) in &request.headers {
            builder = builder.header(name, value);
        }
        if let Some(body) = &request.body {
            builder = builder.body(body.clone());
        }
        let response = builder.send()?;
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .map(|(n, v)| {
                (
                    n.as_str().to_owned(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();
        let mut body = Vec::new();
        response
            .take(MAX_RESPONSE_BYTES)
            .read_to_end(&mut body)
            .map_err(|e| SendError {
                message: format!("the answer was cut off ({e})"),
                timeout: e.kind() == std::io::ErrorKind::TimedOut,
                connect: false,
            })?;
        Ok(HttpResponse { status, headers, body })
    }

    /// Sends a request and parses each answer once with `parse`, retrying connection failures and the answers
    /// whose parse error says a retry may help (throttling, server errors), all within `--timeout` from now.
    /// Returns the last parse result; `Err` only when no answer came at all.
    pub fn call<T, E: Retryable>(
        &self,
        request: &HttpRequest,
        log: &Log,
        parse: impl Fn(&HttpResponse) -> Result<T, E>,
    ) -> Result<Result<T, E>, Failure> {
        self.call_within(&self.deadline(), request, log, parse)
    }

    /// [`call`](Self::call) as one step of a longer operation that must end by `deadline`.
    pub fn call_within<T, E: Retryable>(
        &self,
        deadline: &Deadline,
        request: &HttpRequest,
        log: &Log,
        parse: impl Fn(&HttpResponse) -> Result<T, E>,
    ) -> Result<Result<T, E>, Failure> {
        self.call_shown_as(deadline, request, None, log, parse)
    }

    /// [`call`](Self::call) for a request whose URL itself is a secret (the console federation request carries the
    /// role credentials in its query): `--verbose` shows `display_url` in its place, and no message repeats it.
    pub fn call_with_secret_url<T, E: Retryable>(
        &self,
        request: &HttpRequest,
        display_url: &str,
        log: &Log,
        parse: impl Fn(&HttpResponse) -> Result<T, E>,
    ) -> Result<Result<T, E>, Failure> {
        self.call_shown_as(&self.deadline(), request, Some(display_url), log, parse)
    }

    fn call_shown_as<T, E: Retryable>(
        &self,
        deadline: &Deadline,
        request: &HttpRequest,
        display_url: Option<&str>,
        log: &Log,
        parse: impl Fn(&HttpResponse) -> Result<T, E>,
    ) -> Result<Result<T, E>, Failure> {
        // What `--verbose` and the failure message show: the request itself, or a copy with the redacted URL.
        let shown_copy = display_url.map(|url| HttpRequest {
            method: request.method,
            url: url.to_owned(),
            headers: request.headers.clone(),
            body: request.body.clone(),
            body_is_secret: request.body_is_secret,
        });
        let shown = shown_copy.as_ref().unwrap_or(request);
        let mut attempt = 1;
        let mut sent = 0;
        loop {
            let time_left = deadline.left();
            let outcome = if time_left.is_zero() {
                Err(SendError::out_of_time())
            } else {
                log.request(shown, attempt);
                sent += 1;
                let started = Instant::now();
                self.send_once(request, time_left).map(|response| {
                    log.response(&response, started.elapsed());
                    parse(&response)
                })
            };
            let outcome = outcome.map_err(|error| match display_url {
                Some(_) => error.without_url(&request.url),
                None => error,
            });
            let (retryable, retry_after) = match &outcome {
                Ok(Ok(_)) => (false, None),
                Ok(Err(error)) => error.retry_hint(),
                Err(error) => {
                    log.verbose(&format!("attempt {attempt} failed: {}", error.message));
                    // A request that may have reached the server is retried only when repeating it is harmless.
                    (request.method == Method::Get || error.connect, None)
                }
            };
            let time_left = deadline.left();
            let jitter = jitter();
            match self
                .retry
                .decide_within(attempt, retryable, retry_after, jitter, time_left)
            {
                RetryDecision::RetryAfter(delay) => {
                    log.verbose(&format!("retrying in {} ms", delay.as_millis()));
                    std::thread::sleep(delay);
                    attempt += 1;
                }
                RetryDecision::GiveUp => {
                    if self.retry.decide(attempt, retryable, retry_after, jitter) != RetryDecision::GiveUp {
                        log.verbose(&format!(
                            "not retrying: {:.1} s of the --timeout of {} s left",
                            time_left.as_secs_f64(),
                            deadline.budget.as_secs_f64()
                        ));
                    }
                    return outcome.map_err(|error| transport_failure(&shown.url, &error, sent, deadline));
                }
            }
        }
    }
}

/// A failed parse of an answer that knows whether sending the request again may help.
pub trait Retryable {
    /// Whether to retry, and the server's `Retry-After`.
    fn retry_hint(&self) -> (bool, Option<Duration>);
}

impl Retryable for sso_core::PortalError {
    fn retry_hint(&self) -> (bool, Option<Duration>) {
        (self.is_retryable(), self.retry_after)
    }
}

impl Retryable for sso_core::OidcError {
    fn retry_hint(&self) -> (bool, Option<Duration>) {
        (self.is_retryable(), None)
    }
}

/// For callers that read every answer themselves and never retry one (device-code polling has its own schedule).
impl Retryable for std::convert::Infallible {
    fn retry_hint(&self) -> (bool, Option<Duration>) {
        match *self {}
    }
}

fn jitter() -> u32 {
    let mut bytes = [0u8; 4];
    // Without entropy the jitter is merely zero; retries still work.
    let _ = getrandom::fill(&mut bytes);
    u32::from_le_bytes(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error(message: &str) -> SendError {
        SendError {
            message: message.to_owned(),
            timeout: false,
            connect: true,
        }
    }

    #[test]
    fn a_secret_url_never_shows_in_a_send_error() {
        let url =
            "https://signin.example/federation?Action=getSigninToken&Session=%7B%22sessionKey%22%3A%22SECRETKEY%22%7D";
        let whole = error(&format!("error sending request for url ({url})")).without_url(url);
        assert!(!whole.message.contains("SECRET"), "{}", whole.message);
        // reqwest prints the parsed URL, which may differ from the string sent; any value of the query gives it away.
        let reparsed = error("builder error for url (https://signin.example/federation?Session=%7B%22sessionKey%22%3A%22SECRETKEY%22%7D)")
            .without_url(url);
        assert!(!reparsed.message.contains("SECRET"), "{}", reparsed.message);
        assert!(reparsed.connect);
        let plain = error("Connection refused (os error 111)").without_url(url);
        assert_eq!(plain.message, "Connection refused (os error 111)");
    }
}
