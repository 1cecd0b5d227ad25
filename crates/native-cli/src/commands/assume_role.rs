//! A role chain's hops: after the portal call, one STS `AssumeRole` per hop, each signed with the previous hop's
//! credentials (the SSO role's for the first). The core builds and signs each request (`now` is the signing time)
//! and reads each answer; this file sends them through the same transport as the portal call (retries of
//! throttling and server errors, `--timeout` per call) and asks for MFA codes.

use std::io::{BufRead, IsTerminal, Write};
use std::time::Duration;

use chrono::{DateTime, Utc};
use sso_core::{
    ChainHop, RoleChain, RoleCredentials, SecretString, StsError, StsRequestError, assume_role_request,
    format_timestamp, parse_assume_role_response,
};

use super::resolve::CredentialsPlan;
use crate::failure::{Exit, Failure};
use crate::log::Log;
use crate::transport::{Retryable, Transport};

impl Retryable for StsError {
    fn retry_hint(&self) -> (bool, Option<Duration>) {
        (self.is_retryable(), None)
    }
}

/// Assumes every role of `chain` in order, starting from the SSO root's `credentials`; returns the last role's
/// credentials (with its account id, from its ARN).
pub fn assume_chain(
    plan: &CredentialsPlan,
    chain: &RoleChain,
    credentials: RoleCredentials,
    now: DateTime<Utc>,
    log: &Log,
) -> Result<RoleCredentials, Failure> {
    let sts = &chain.sts;
    // Only an override can point at a loopback address; the regional endpoints never do.
    let transport = Transport::new(&plan.network.transport, sts.endpoint.is_loopback())?;
    let mut codes = MfaCodes {
        flag: plan.mfa_code.clone(),
        flag_used: false,
    };
    let mut credentials = credentials;
    for hop in &chain.hops {
        let params = &hop.assume_role;
        let code = match &params.mfa_serial {
            Some(serial) => Some(codes.code_for(hop, serial)?),
            None => None,
        };
        log.verbose(&format!(
            "assuming {} for profile {} as session {} (STS {}, signed for {})",
            params.role_arn, hop.profile_name, params.role_session_name, sts.endpoint, sts.signing_region
        ));
        let request = assume_role_request(sts, params, code.as_ref(), &credentials, now)
            .map_err(|e| in_profile(hop, Failure::from(e)))?;
        let assumed = transport
            .call(&request, log, |response| {
                parse_assume_role_response(response, &params.role_arn, sts.signing_region.as_str())
            })?
            .map_err(|e| in_profile(hop, Failure::from(e)))?;
        log.verbose(&format!(
            "assumed {}; the credentials expire at {}",
            assumed.assumed_role_arn,
            format_timestamp(assumed.credentials.expiration)
        ));
        credentials = assumed.credentials;
    }
    Ok(credentials)
}

/// The failure with the hop's profile named first.
fn in_profile(hop: &ChainHop, failure: Failure) -> Failure {
    Failure::new(
        failure.exit,
        format!("profile {:?}: {}", hop.profile_name, failure.message),
    )
}

/// Where MFA codes come from: `--mfa-code` for the first hop that needs one, then the terminal. AWS takes each
/// code of a device once, so a second hop with `mfa_serial` is asked for its own.
struct MfaCodes {
    flag: Option<SecretString>,
    flag_used: bool,
}

impl MfaCodes {
    fn code_for(&mut self, hop: &ChainHop, serial: &str) -> Result<SecretString, Failure> {
        if let Some(code) = self.flag.take() {
            self.flag_used = true;
            return Ok(code);
        }
        let stdin = std::io::stdin();
        if !stdin.is_terminal() {
            let required = Failure::from(StsRequestError::MfaCodeRequired {
                role_arn: hop.assume_role.role_arn.to_string(),
                serial: serial.to_owned(),
            });
            let mut message = format!(
                "profile {:?} has mfa_serial = {serial}, and standard input is not a terminal to ask for the code: \
                 pass --mfa-code CODE with the six digits the device shows ({})",
                hop.profile_name, required.message
            );
            if self.flag_used {
                message.push_str(
                    "; --mfa-code was used for an earlier hop, and each hop with mfa_serial needs its own code, so \
                     run this on a terminal",
                );
            }
            return Err(Failure::new(required.exit, message));
        }
        let mut stderr = std::io::stderr().lock();
        // The prompt goes to stderr: stdout carries only the command's result.
        let _ = write!(
            stderr,
            "ssocreds: MFA code for {serial} (profile {:?}, role {}): ",
            hop.profile_name, hop.assume_role.role_arn
        );
        let _ = stderr.flush();
        let mut line = String::new();
        let read = stdin.lock().read_line(&mut line);
        match read {
            Ok(n) if n > 0 => Ok(SecretString::new(line.trim())),
            Ok(_) => Err(Failure::new(
                Exit::Usage,
                format!(
                    "no MFA code was entered for profile {:?} (end of input); enter the six digits the device {serial} shows, or pass --mfa-code",
                    hop.profile_name
                ),
            )),
            Err(e) => Err(Failure::new(
                Exit::Usage,
                format!("cannot read the MFA code from the terminal: {e}; pass --mfa-code instead"),
            )),
        }
    }
}
