//! Diagnostics on stderr. Standard output carries only the command's result, so `eval "$(ssocreds export …)"` works.

use std::time::Duration;

use sso_core::{HttpRequest, HttpResponse};

/// Where warnings and `--verbose` lines go. Nothing here ever prints a secret: requests are shown through the core's
/// redacting accessors, and response bodies are never shown.
#[derive(Debug, Clone, Copy, Default)]
pub struct Log {
    pub verbose: bool,
    pub quiet: bool,
}

impl Log {
    /// A line shown only with `--verbose`.
    pub fn verbose(&self, message: &str) {
        if self.verbose {
            eprintln!("ssocreds: {message}");
        }
    }

    /// A warning, shown unless `--quiet`.
    pub fn warn(&self, message: &str) {
        if !self.quiet {
            eprintln!("ssocreds: warning: {message}");
        }
    }

    /// What the resolution had to say: details for `--verbose`, warnings unless `--quiet`.
    pub fn note(&self, note: &crate::commands::resolve::Note) {
        match note {
            crate::commands::resolve::Note::Detail(text) => self.verbose(text),
            crate::commands::resolve::Note::Warning(text) => self.warn(text),
        }
    }

    /// A note about what was done, shown unless `--quiet`.
    pub fn info(&self, message: &str) {
        if !self.quiet {
            eprintln!("ssocreds: {message}");
        }
    }

    pub fn request(&self, request: &HttpRequest, attempt: u32) {
        if !self.verbose {
            return;
        }
        eprintln!(
            "ssocreds: > {} {} (attempt {attempt})",
            request.method.as_str(),
            request.url
        );
        for (name, value) in request.redacted_headers() {
            eprintln!("ssocreds: > {name}: {value}");
        }
        if let Some(body) = request.redacted_body() {
            eprintln!("ssocreds: > body: {body}");
        }
    }

    pub fn response(&self, response: &HttpResponse, elapsed: Duration) {
        if !self.verbose {
            return;
        }
        eprintln!(
            "ssocreds: < HTTP {} ({} bytes, {} ms)",
            response.status,
            response.body.len(),
            elapsed.as_millis()
        );
        for name in ["content-type", "x-amzn-errortype", "x-amzn-requestid", "retry-after"] {
            if let Some(value) = response.header(name) {
                eprintln!("ssocreds: < {name}: {value}");
            }
        }
    }
}
