//! Hardening tests: the real `ssocreds` binary against hostile input, a misbehaving portal and attempts to make it
//! print or scatter secrets. Each module is a table of cases; every run also goes through the e2e harness's check
//! that no token or secret reaches stdout or stderr.

// Running the binary, temporary homes, the fake portal (shared with the e2e tests, used read-only). Which of its
// helpers a binary uses differs, so the unused ones are allowed here.
#[allow(dead_code)]
#[path = "../e2e/harness.rs"]
mod harness;

// Helpers this binary adds: timing, listing a HOME, file modes.
mod support;

// Regions, endpoints, ids and cache files that try to change the host, crash the parser or exhaust memory: each is
// refused with its exit code and message, and sends nothing to the portal.
mod hostile;

// The portal never answers, resets, sends half a body or invalid JSON, fails then recovers, throttles: each run ends
// within its timeouts, with a clear message, the right exit code, nothing on stdout and nothing half written.
mod faults;

// --timeout bounds each operation, all attempts and waits together: a server that never answers or trickles one
// byte a second ends export, process, write, roles and a token refresh within --timeout + 2 s, changing nothing.
mod deadline;

// Every reachable error path, with and without --verbose: no secret in the output, no file created but the
// intended ones; files ssocreds writes are 0600 in 0700 folders.
mod secrets;

// Exports of arbitrary strings evaluated by real bash (and fish) give back every byte (proptest).
mod shell_round_trip;
