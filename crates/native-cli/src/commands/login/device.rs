//! The device code flow: `StartDeviceAuthorization`, show the URL and code, then poll `CreateToken` on the core's
//! `DevicePoll` schedule (interval, +5 s on `SlowDown`, on until `expiresIn`).

use chrono::{TimeDelta, Utc};
use sso_core::{
    CachedRegistration, CreateTokenGrant, CreateTokenResponse, DevicePoll, Endpoint, GrantType, PollDecision,
    SsoProfile, create_token_request, format_duration, parse_create_token_response,
    parse_start_device_authorization_response, start_device_authorization_request,
};

use super::{oidc_failure, printable};
use crate::cli::LoginArgs;
use crate::failure::{Exit, Failure};
use crate::log::Log;
use crate::transport::Transport;

/// `transport` sends `StartDeviceAuthorization` (with retries); `poll_transport` sends the polls, without retries of
/// its own, as the poll schedule decides when to send again.
pub fn sign_in(
    profile: &SsoProfile,
    registration: &CachedRegistration,
    endpoint: &Endpoint,
    transport: &Transport,
    poll_transport: &Transport,
    args: &LoginArgs,
    log: &Log,
) -> Result<CreateTokenResponse, Failure> {
    let request = start_device_authorization_request(
        endpoint,
        &registration.client_id,
        &registration.client_secret,
        &profile.start_url,
    );
    let authorization = transport
        .call(&request, log, parse_start_device_authorization_response)?
        .map_err(oidc_failure)?;
    let started = Utc::now();
    let mut poll = DevicePoll::new(&authorization, started);
    let url = authorization
        .verification_uri_complete
        .as_deref()
        .unwrap_or(&authorization.verification_uri);
    super::show_url(url, args.no_browser, log);
    // Not subject to --quiet: the code is what the user checks before approving.
    eprintln!(
        "ssocreds: the page shows the code: {} (approve only if it matches; on another device, open {} and enter it)",
        printable(&authorization.user_code),
        printable(&authorization.verification_uri)
    );
    let deadline = args
        .timeout
        .map(|secs| started + TimeDelta::seconds(i64::try_from(secs).unwrap_or(86_400)));
    let wait = match deadline {
        Some(deadline) if deadline < poll.expires_at() => deadline - started,
        _ => poll.expires_at() - started,
    };
    log.info(&format!(
        "waiting up to {} for the sign-in to be approved (Ctrl-C to cancel)",
        format_duration(wait)
    ));
    let grant = CreateTokenGrant::DeviceCode {
        device_code: authorization.device_code.clone(),
    };
    loop {
        let at = poll.next_poll_at();
        if let Some(deadline) = deadline
            && at > deadline
        {
            return Err(Failure::new(
                Exit::NotCompleted,
                format!(
                    "the sign-in was not approved within {} (--timeout); run the login again and approve it in time",
                    format_duration(deadline - started)
                ),
            ));
        }
        if let Ok(pause) = (at - Utc::now()).to_std() {
            std::thread::sleep(pause);
        }
        let request = create_token_request(endpoint, &registration.client_id, &registration.client_secret, &grant);
        // Every answer is read here, never retried by the transport: the poll schedule decides.
        let answer = poll_transport.call(&request, log, |r| {
            Ok::<_, std::convert::Infallible>(parse_create_token_response(r, GrantType::DeviceCode))
        });
        let (decision, failure) = match answer {
            Err(failure) => (poll.on_transport_error(Utc::now()), failure),
            Ok(Ok(Ok(answer))) => return Ok(answer),
            Ok(Ok(Err(error))) => (poll.on_error(error.kind, Utc::now()), oidc_failure(error)),
        };
        match decision {
            PollDecision::PollAt(_) => log.verbose(&format!(
                "{}; next poll in {}",
                failure.message,
                format_duration(poll.interval())
            )),
            PollDecision::Expired(expired) => return Err(Failure::new(Exit::NotCompleted, expired.to_string())),
            PollDecision::Fail => return Err(failure),
        }
    }
}
