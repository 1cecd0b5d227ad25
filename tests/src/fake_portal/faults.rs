//! Decides, per request, whether the configured misbehaviour applies before normal service.

use std::time::Instant;

use super::config::Fault;
use super::errors;
use super::http::Response;
use super::state::Inner;

/// What to do with a request.
pub(crate) enum Action {
    /// Serve it normally.
    Serve,
    /// Answer this (an injected 429 or 500) without serving.
    Answer(Response),
    /// Apply a network fault.
    Fault(Fault),
}

/// Walks the fault scripts in order: `fault`, `failFirstWith500`, `throttle.failFirst`, then the
/// `throttle.budgetPerSecond` token bucket.
pub(crate) fn decide(inner: &mut Inner, path: &str, oidc_path: bool) -> Action {
    let config = &inner.config;
    let applies = config.fault_paths.is_empty() || config.fault_paths.iter().any(|p| path.starts_with(p.as_str()));
    if !applies {
        return Action::Serve;
    }
    let progress = &mut inner.progress;
    if config.fault != Fault::None && config.fault_count.is_none_or(|n| progress.faults < n) {
        progress.faults += 1;
        inner.stats.faults += 1;
        return Action::Fault(config.fault);
    }
    if progress.server_errors < config.fail_first_with_500 {
        progress.server_errors += 1;
        inner.stats.server_errors += 1;
        return Action::Answer(errors::styled(
            oidc_path,
            500,
            "InternalServerException",
            "server_error",
            "An internal error occurred (injected by the fake portal)",
        ));
    }
    let throttle = &config.throttle;
    let mut throttled = false;
    if progress.throttled_first < throttle.fail_first {
        progress.throttled_first += 1;
        throttled = true;
    } else if let Some(budget) = throttle.budget_per_second {
        let now = Instant::now();
        let elapsed = now.duration_since(progress.bucket_refilled).as_secs_f64();
        progress.bucket_refilled = now;
        let capacity = f64::from(budget);
        progress.bucket_tokens = (progress.bucket_tokens + elapsed * capacity).min(capacity);
        if progress.bucket_tokens >= 1.0 {
            progress.bucket_tokens -= 1.0;
        } else {
            throttled = true;
        }
    }
    if !throttled {
        return Action::Serve;
    }
    inner.stats.throttled += 1;
    let mut response = errors::styled(
        oidc_path,
        429,
        "TooManyRequestsException",
        "too_many_requests",
        "Rate exceeded",
    );
    if let Some(seconds) = throttle.retry_after_seconds {
        response = response.header("Retry-After", seconds.to_string());
    }
    Action::Answer(response)
}
