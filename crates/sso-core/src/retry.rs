//! When to try again: capped exponential backoff with jitter, honouring `Retry-After`. Randomness comes in as an
//! argument so that the core stays deterministic.

use std::time::Duration;

/// The retry policy shared by the CLI and the JavaScript package.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Total attempts, the first included.
    pub max_attempts: u32,
    /// The delay before the first retry, before jitter.
    pub base_delay: Duration,
    /// No computed delay exceeds this.
    pub max_delay: Duration,
    /// A `Retry-After` longer than this is not waited for: the attempt fails instead.
    pub max_retry_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 4,
            base_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(5),
            max_retry_after: Duration::from_secs(30),
        }
    }
}

/// What to do after a failed attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RetryDecision {
    /// Wait this long, then send again.
    RetryAfter(Duration),
    /// Stop and report the failure.
    GiveUp,
}

impl RetryPolicy {
    /// Decides after failed attempt number `attempt` (1-based). `retryable` says whether the failure is worth
    /// retrying; `retry_after` is the server's `Retry-After`; `jitter` is any random `u32` from the host.
    ///
    /// The delay is "equal jitter": half of `min(max_delay, base_delay * 2^(attempt-1))` plus a random share of the
    /// other half, and never less than `Retry-After`.
    pub fn decide(&self, attempt: u32, retryable: bool, retry_after: Option<Duration>, jitter: u32) -> RetryDecision {
        if !retryable || attempt >= self.max_attempts {
            return RetryDecision::GiveUp;
        }
        let exponent = attempt.saturating_sub(1).min(16);
        let ceiling = self.base_delay.saturating_mul(1 << exponent).min(self.max_delay);
        let half = ceiling / 2;
        // half * jitter / u32::MAX in microseconds, in integers: no `mul_f64`, whose float-to-Duration checks add
        // panic paths and their messages to the WebAssembly module. (A half over 71 minutes would overflow the
        // product; it then takes the whole half.)
        let half_micros = u64::try_from(half.as_micros()).unwrap_or(u64::MAX);
        let random_share = Duration::from_micros(
            half_micros
                .checked_mul(u64::from(jitter))
                .map_or(half_micros, |product| product / u64::from(u32::MAX)),
        );
        let computed = half + random_share;
        match retry_after {
            Some(wait) if wait > self.max_retry_after => RetryDecision::GiveUp,
            Some(wait) => RetryDecision::RetryAfter(wait.max(computed)),
            None => RetryDecision::RetryAfter(computed),
        }
    }

    /// [`decide`](Self::decide) for an operation with a deadline: `time_left` is what remains of it after the
    /// failed attempt. A wait that would reach the deadline is not waited (the next attempt would have no time to
    /// run), so the operation gives up at once instead of sleeping into a certain timeout.
    pub fn decide_within(
        &self,
        attempt: u32,
        retryable: bool,
        retry_after: Option<Duration>,
        jitter: u32,
        time_left: Duration,
    ) -> RetryDecision {
        match self.decide(attempt, retryable, retry_after, jitter) {
            RetryDecision::RetryAfter(wait) if wait < time_left => RetryDecision::RetryAfter(wait),
            _ => RetryDecision::GiveUp,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    // On wasm32 the same tests run under wasm-bindgen-test (as quinn-proto does).
    #[cfg(all(target_family = "wasm", target_os = "unknown"))]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn backoff_grows_is_capped_and_jittered() {
        let policy = RetryPolicy {
            max_attempts: 10,
            ..RetryPolicy::default()
        };
        let at = |attempt, jitter| match policy.decide(attempt, true, None, jitter) {
            RetryDecision::RetryAfter(d) => d,
            RetryDecision::GiveUp => panic!("gave up"),
        };
        assert_eq!(at(1, 0), Duration::from_millis(100));
        assert_eq!(at(1, u32::MAX), Duration::from_millis(200));
        assert_eq!(at(2, 0), Duration::from_millis(200));
        assert_eq!(at(9, u32::MAX), Duration::from_secs(5));
        assert!(at(3, u32::MAX / 2) > at(3, 0));
    }

    #[test]
    fn gives_up_when_told_or_out_of_attempts() {
        let policy = RetryPolicy::default();
        assert_eq!(policy.decide(1, false, None, 0), RetryDecision::GiveUp);
        assert_eq!(policy.decide(4, true, None, 0), RetryDecision::GiveUp);
        assert!(matches!(policy.decide(3, true, None, 0), RetryDecision::RetryAfter(_)));
    }

    #[test]
    fn a_wait_that_reaches_the_deadline_is_not_waited() {
        let policy = RetryPolicy::default();
        let secs = Duration::from_secs;
        // Backoff of attempt 1 is 100–200 ms: waited with time to spare, not with 150 ms or nothing left.
        assert_eq!(
            policy.decide_within(1, true, None, 0, secs(2)),
            RetryDecision::RetryAfter(Duration::from_millis(100))
        );
        assert_eq!(
            policy.decide_within(1, true, None, u32::MAX, Duration::from_millis(150)),
            RetryDecision::GiveUp
        );
        assert_eq!(
            policy.decide_within(1, true, None, 0, Duration::ZERO),
            RetryDecision::GiveUp
        );
        // A Retry-After of 5 s with 2 s left: give up now rather than sleep past the deadline.
        assert_eq!(
            policy.decide_within(1, true, Some(secs(5)), 0, secs(2)),
            RetryDecision::GiveUp
        );
        assert_eq!(
            policy.decide_within(1, true, Some(secs(1)), 0, secs(2)),
            RetryDecision::RetryAfter(secs(1))
        );
        // Time left never turns a refusal into a retry.
        assert_eq!(policy.decide_within(1, false, None, 0, secs(60)), RetryDecision::GiveUp);
        assert_eq!(policy.decide_within(4, true, None, 0, secs(60)), RetryDecision::GiveUp);
    }

    #[test]
    fn retry_after_is_honoured_up_to_a_limit() {
        let policy = RetryPolicy::default();
        assert_eq!(
            policy.decide(1, true, Some(Duration::from_secs(2)), 0),
            RetryDecision::RetryAfter(Duration::from_secs(2))
        );
        assert_eq!(
            policy.decide(1, true, Some(Duration::from_secs(600)), 0),
            RetryDecision::GiveUp
        );
    }
}
