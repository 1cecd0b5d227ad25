//! When to poll `CreateToken` in the device code flow, as data: the host sleeps until [`DevicePoll::next_poll_at`],
//! sends the request, and tells the poll what came back.

use chrono::{DateTime, TimeDelta, Utc};

use crate::oidc::{DeviceAuthorization, OidcErrorKind};
use crate::time::format_duration;

/// The interval when `StartDeviceAuthorization` gives none (RFC 8628 §3.2).
pub const DEFAULT_POLL_INTERVAL: TimeDelta = TimeDelta::seconds(5);

/// What `SlowDown` adds to the interval (RFC 8628 §3.5).
pub const SLOW_DOWN_INCREMENT: TimeDelta = TimeDelta::seconds(5);

/// What to do after a poll that did not give a token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PollDecision {
    /// Poll again at this time.
    PollAt(DateTime<Utc>),
    /// Stop: the sign-in window has closed (or will have by the next poll).
    Expired(DeviceAuthorizationExpired),
    /// Stop and report the error that came back.
    Fail,
}

/// The user did not approve the sign-in in time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error(
    "the sign-in was not approved within {}; start the sign-in again and approve it in the browser in time",
    format_duration(*.allowed)
)]
pub struct DeviceAuthorizationExpired {
    /// How long the user had (`expiresIn`).
    pub allowed: TimeDelta,
}

impl DeviceAuthorizationExpired {
    /// A stable machine-readable code.
    pub fn code(&self) -> &'static str {
        "OIDC_DEVICE_AUTHORIZATION_EXPIRED"
    }
}

/// The polling schedule of one device authorization.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DevicePoll {
    started_at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
    interval: TimeDelta,
    next_poll_at: DateTime<Utc>,
}

impl DevicePoll {
    /// Starts polling for `authorization`, received at `now`. The first poll is one interval away; an interval of
    /// 0 is taken as 1 s so that a host never spins.
    pub fn new(authorization: &DeviceAuthorization, now: DateTime<Utc>) -> Self {
        let interval = authorization
            .interval
            .map_or(DEFAULT_POLL_INTERVAL, |secs| TimeDelta::seconds(i64::from(secs.max(1))));
        Self {
            started_at: now,
            expires_at: now + authorization.expires_in,
            interval,
            next_poll_at: now + interval,
        }
    }

    /// When to send the next `CreateToken`.
    pub fn next_poll_at(&self) -> DateTime<Utc> {
        self.next_poll_at
    }

    /// When the device code stops working.
    pub fn expires_at(&self) -> DateTime<Utc> {
        self.expires_at
    }

    /// The current interval between polls.
    pub fn interval(&self) -> TimeDelta {
        self.interval
    }

    /// Whether the sign-in window has closed at `now`.
    pub fn is_expired(&self, now: DateTime<Utc>) -> bool {
        now >= self.expires_at
    }

    fn schedule(&mut self, now: DateTime<Utc>) -> PollDecision {
        let at = now + self.interval;
        if at >= self.expires_at {
            return PollDecision::Expired(self.expired());
        }
        self.next_poll_at = at;
        PollDecision::PollAt(at)
    }

    fn expired(&self) -> DeviceAuthorizationExpired {
        DeviceAuthorizationExpired {
            allowed: self.expires_at - self.started_at,
        }
    }

    /// Decides after a poll at `now` that failed with `kind`:
    /// `AuthorizationPending` keeps the interval; `SlowDown` and throttling add 5 s to it; a server error polls again
    /// at the same interval; `ExpiredToken` means the window closed; anything else (denied, invalid client, …) ends
    /// the flow with that error. No poll is scheduled at or after `expiresIn`.
    pub fn on_error(&mut self, kind: OidcErrorKind, now: DateTime<Utc>) -> PollDecision {
        match kind {
            OidcErrorKind::AuthorizationPending | OidcErrorKind::InternalServer => self.schedule(now),
            OidcErrorKind::SlowDown | OidcErrorKind::TooManyRequests => {
                self.interval += SLOW_DOWN_INCREMENT;
                self.schedule(now)
            }
            OidcErrorKind::ExpiredToken => PollDecision::Expired(self.expired()),
            _ => PollDecision::Fail,
        }
    }

    /// Decides after a poll that could not be sent or whose answer was lost (a network error): poll again at the
    /// same interval until the window closes.
    pub fn on_transport_error(&mut self, now: DateTime<Utc>) -> PollDecision {
        self.schedule(now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secret::SecretString;
    // On wasm32 the same tests run under wasm-bindgen-test (as quinn-proto does).
    #[cfg(all(target_family = "wasm", target_os = "unknown"))]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    fn authorization(expires_in: i64, interval: Option<u32>) -> DeviceAuthorization {
        DeviceAuthorization {
            device_code: SecretString::new("dc"),
            user_code: "ABCD-EFGH".into(),
            verification_uri: "https://device.sso.us-east-1.amazonaws.com/".into(),
            verification_uri_complete: None,
            expires_in: TimeDelta::seconds(expires_in),
            interval,
        }
    }

    fn t0() -> DateTime<Utc> {
        DateTime::from_timestamp(1_700_000_000, 0).unwrap()
    }

    #[test]
    fn pending_keeps_the_interval_and_slow_down_adds_five_seconds() {
        let now = t0();
        let mut poll = DevicePoll::new(&authorization(600, Some(2)), now);
        assert_eq!(poll.next_poll_at(), now + TimeDelta::seconds(2));
        let at = now + TimeDelta::seconds(2);
        assert_eq!(
            poll.on_error(OidcErrorKind::AuthorizationPending, at),
            PollDecision::PollAt(at + TimeDelta::seconds(2))
        );
        let at = at + TimeDelta::seconds(2);
        assert_eq!(
            poll.on_error(OidcErrorKind::SlowDown, at),
            PollDecision::PollAt(at + TimeDelta::seconds(7))
        );
        assert_eq!(poll.interval(), TimeDelta::seconds(7));
        assert_eq!(poll.next_poll_at(), at + TimeDelta::seconds(7));
        let at = at + TimeDelta::seconds(7);
        assert_eq!(
            poll.on_error(OidcErrorKind::TooManyRequests, at),
            PollDecision::PollAt(at + TimeDelta::seconds(12))
        );
        assert_eq!(
            poll.on_transport_error(at),
            PollDecision::PollAt(at + TimeDelta::seconds(12))
        );
    }

    #[test]
    fn default_and_zero_intervals() {
        let now = t0();
        assert_eq!(
            DevicePoll::new(&authorization(600, None), now).interval(),
            DEFAULT_POLL_INTERVAL
        );
        assert_eq!(
            DevicePoll::new(&authorization(600, Some(0)), now).interval(),
            TimeDelta::seconds(1)
        );
    }

    #[test]
    fn stops_at_expires_in() {
        let now = t0();
        let mut poll = DevicePoll::new(&authorization(12, Some(5)), now);
        assert_eq!(poll.expires_at(), now + TimeDelta::seconds(12));
        let at = now + TimeDelta::seconds(5);
        assert_eq!(
            poll.on_error(OidcErrorKind::AuthorizationPending, at),
            PollDecision::PollAt(at + TimeDelta::seconds(5))
        );
        let at = at + TimeDelta::seconds(5);
        let decision = poll.on_error(OidcErrorKind::AuthorizationPending, at);
        let PollDecision::Expired(expired) = decision else {
            panic!("{decision:?}");
        };
        assert_eq!(expired.code(), "OIDC_DEVICE_AUTHORIZATION_EXPIRED");
        assert_eq!(
            expired.to_string(),
            "the sign-in was not approved within 12 s; start the sign-in again and approve it in the browser in time"
        );
        assert!(poll.is_expired(now + TimeDelta::seconds(12)));
        assert!(!poll.is_expired(now + TimeDelta::seconds(11)));
    }

    #[test]
    fn expired_token_and_denial_stop() {
        let now = t0();
        let mut poll = DevicePoll::new(&authorization(600, None), now);
        assert!(matches!(
            poll.on_error(OidcErrorKind::ExpiredToken, now),
            PollDecision::Expired(_)
        ));
        for kind in [
            OidcErrorKind::AccessDenied,
            OidcErrorKind::InvalidClient,
            OidcErrorKind::InvalidGrant,
            OidcErrorKind::Unexpected,
        ] {
            assert_eq!(poll.on_error(kind, now), PollDecision::Fail, "{kind:?}");
        }
    }
}
