//! The GetRoleCredentials call: the core prepares it (region, endpoint, request, context), the transport sends it,
//! the core reads the answer.

use sso_core::{RoleCredentials, parse_get_role_credentials_response, prepare_get_role_credentials};

use super::resolve::CredentialsPlan;
use crate::failure::Failure;
use crate::log::Log;
use crate::token_files::LoadedToken;
use crate::transport::Transport;

/// Calls GetRoleCredentials with the token for the plan's account and role, retrying what is worth retrying.
pub fn fetch(plan: &CredentialsPlan, loaded: &LoadedToken, log: &Log) -> Result<RoleCredentials, Failure> {
    let target = &plan.target;
    let prepared = prepare_get_role_credentials(
        &loaded.token,
        &target.account_id,
        &target.role_name,
        target.requested_region.as_ref(),
        &plan.network.portal(),
    )?;
    if let Some(warning) = prepared.region.mismatch_warning() {
        log.warn(&warning);
    }
    if let Some((origin, endpoint)) = &plan.network.portal_override {
        log.verbose(&format!("endpoint {endpoint} (from {origin})"));
    }
    // Only an override can point at a loopback address; regional endpoints never do.
    let loopback = plan
        .network
        .portal_override
        .as_ref()
        .is_some_and(|(_, endpoint)| endpoint.is_loopback());
    let transport = Transport::new(&plan.network.transport, loopback)?;
    let credentials = transport.call(&prepared.request, log, |r| {
        parse_get_role_credentials_response(r, &prepared.context)
    })??;
    log.verbose(&format!(
        "credentials for {} in {} expire at {}",
        target.role_name,
        target.account_id,
        sso_core::format_timestamp(credentials.expiration)
    ));
    Ok(credentials)
}
