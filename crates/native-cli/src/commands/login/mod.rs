//! `ssocreds login`: signs in through the IAM Identity Center OIDC service and writes the token cache file that
//! `aws sso login` writes, under the same name and with the same fields.
//!
//! The core builds every request, parses every answer, computes PKCE from entropy and the device polling schedule;
//! this module only does the I/O: entropy from the OS, the loopback listener, the browser, sleeping and the files.
//! Nothing is written before the sign-in succeeds except a new client registration (as the AWS CLI does), and every
//! file is replaced atomically, so a failure, a timeout or Ctrl-C never leaves a half-written cache behind.

mod callback;
mod cancel;
mod device;

use std::path::Path;
use std::time::{Duration, Instant};

use chrono::{TimeDelta, Utc};
use sso_core::{
    AUTHORIZATION_CODE_GRANT_TYPES, CachedRegistration, CallbackError, CreateTokenGrant, CreateTokenResponse, Endpoint,
    GrantType, LoginFlow, OidcError, OidcErrorKind, Pkce, REGISTERED_REDIRECT_URI, REGISTRATION_EXPIRY_WINDOW, Region,
    SsoProfile, authorize_url, create_token_request, format_duration, format_timestamp, loopback_redirect_uri,
    new_cached_token, parse_cached_registration, parse_create_token_response, parse_register_client_response,
    register_client_request, resolve_sso_session, start_url_sign_in, state_from_entropy,
};

use super::{Inputs, config_file, output, resolve};
use crate::cli::{LoginArgs, NetworkArgs};
use crate::failure::{Exit, Failure, chain};
use crate::files;
use crate::log::Log;
use crate::token_files;
use crate::transport::Transport;

/// How long the authorization-code flow waits for the browser when `--timeout` is not given.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(300);

/// Registration files are tiny; this only bounds what a stray file can cost.
const MAX_REGISTRATION_BYTES: u64 = 1024 * 1024;

/// What to sign in to, whichever way it was named.
struct SignInTarget {
    /// The sign-in's settings; for `--sso-session` and `--start-url` a profile made up from them.
    profile: SsoProfile,
    /// How the user named it, for messages: `profile "dev"`, `sso-session "corp"`, `start URL …`.
    label: String,
    /// Whether `profile` is a real profile of the config file (to suggest `ssocreds export --profile` after).
    is_profile: bool,
}

pub fn run(args: &LoginArgs, log: &Log) -> Result<(), Failure> {
    let inputs = Inputs::read();
    let target = resolve_target(args, &inputs, log)?;
    let profile = &target.profile;
    // The AWS CLI signs legacy profiles (no sso_session) in with the device code flow only: their tokens carry no
    // refresh token, and the authorization-code client is registered per sso-session.
    let flow = if args.use_device_code || profile.session_name.is_none() {
        LoginFlow::DeviceCode
    } else {
        LoginFlow::AuthorizationCode
    };
    let endpoint = match resolve::oidc_override(&inputs.env).map_err(|message| Failure::new(Exit::Usage, message))? {
        Some(endpoint) => endpoint,
        None => Endpoint::oidc(&profile.sso_region, resolve::endpoint_options(&inputs.env)),
    };
    let network = resolve::transport_options(&NetworkArgs {
        endpoint_url: None,
        ca_bundle: args.ca_bundle.clone(),
        timeout: 30,
        connect_timeout: args.connect_timeout,
        max_attempts: None,
    });
    let transport = Transport::new(&network, endpoint.is_loopback())?;
    let cache_dir = token_files::cache_dir()?;
    let token_path = cache_dir.join(profile.cache_file_name());
    cancel::install()?;
    // Listen before anything else: a port in use fails before a client is registered or a file is written.
    let listener = match flow {
        LoginFlow::AuthorizationCode => Some(callback::Listener::bind(args.redirect_port)?),
        LoginFlow::DeviceCode => None,
    };
    log.info(&format!(
        "signing in to {} ({}) for {}",
        profile.start_url, profile.sso_region, target.label
    ));
    let registration = obtain_registration(flow, profile, &endpoint, &transport, &cache_dir, inputs.now, log)?;
    let (answer, browser) = match listener {
        Some(listener) => {
            let (answer, browser) =
                authorization_code(listener, profile, &registration, &endpoint, &transport, args, log)?;
            (answer, Some(browser))
        }
        None => {
            // Polling has its own schedule (interval, SlowDown): the transport must not retry on its own.
            let mut poll_network = network.clone();
            poll_network.retry.max_attempts = 1;
            let poll_transport = Transport::new(&poll_network, endpoint.is_loopback())?;
            let answer = device::sign_in(
                profile,
                &registration,
                &endpoint,
                &transport,
                &poll_transport,
                args,
                log,
            )?;
            (answer, None)
        }
    };
    // A second reading of the clock, needed for correctness: the sign-in took minutes in the browser, and the
    // token's `expiresIn` counts from now, not from the start of the command.
    let signed_in_at = Utc::now();
    let written = write_token(profile, &registration, &answer, &token_path, signed_in_at);
    match (&written, browser) {
        (Ok(_), Some(browser)) => browser.signed_in(),
        (Err(failure), Some(browser)) => browser.failed(&failure.message),
        (_, None) => {}
    }
    let expires_at = written?;
    log.info(&format!(
        "signed in to {}; the token {} ({}) and is cached in {}",
        profile.start_url,
        output::describe(expires_at, signed_in_at),
        format_timestamp(expires_at),
        token_path.display()
    ));
    if target.is_profile && profile.account_id.is_some() && profile.role_name.is_some() {
        log.info(&format!(
            "to use it: eval \"$(ssocreds export --profile {})\"",
            profile.profile_name
        ));
    }
    Ok(())
}

/// `--start-url` with `--region`, else `--sso-session`, else `--profile`, `AWS_PROFILE` or the profile `default`.
fn resolve_target(args: &LoginArgs, inputs: &Inputs, log: &Log) -> Result<SignInTarget, Failure> {
    if let Some(start_url) = &args.start_url {
        let region = Region::new(args.region.as_deref().unwrap_or_default())?;
        if start_url.trim().is_empty() {
            return Err(Failure::new(Exit::Usage, "--start-url is empty"));
        }
        return Ok(SignInTarget {
            profile: start_url_sign_in(start_url, region),
            label: format!("start URL {start_url}"),
            is_profile: false,
        });
    }
    let config = config_file::read_config(log)?;
    if let Some(session) = &args.sso_session {
        let Some(file) = &config.file else {
            return Err(Failure::new(
                Exit::Config,
                format!(
                    "sso-session {session:?} is not defined: there is no AWS config file at {} (set \
                     AWS_CONFIG_FILE, or create it with `aws configure sso-session`)",
                    config.path.display()
                ),
            ));
        };
        let profile = resolve_sso_session(file, session)
            .map_err(|e| Failure::new(Exit::Config, format!("{}: {e}", config.path.display())))?;
        return Ok(SignInTarget {
            profile,
            label: format!("sso-session {session:?}"),
            is_profile: false,
        });
    }
    let name = match resolve::profile_name(args.profile.as_deref(), &inputs.env, true) {
        Some(name) => name,
        None => match &config.file {
            Some(file) if file.profile("default").is_some() => "default".to_owned(),
            _ => {
                return Err(Failure::new(
                    Exit::Usage,
                    "which sign-in? pass --profile NAME (or set AWS_PROFILE), --sso-session NAME, or --start-url URL \
                     --region REGION",
                ));
            }
        },
    };
    let profile = resolve::named_profile(&name, &config)?;
    log.verbose(&format!("profile {name} from {}", config.path.display()));
    Ok(SignInTarget {
        profile,
        label: format!("profile {name:?}"),
        is_profile: true,
    })
}

/// The reused client registration, or a new one (written to the AWS CLI's registration cache file).
fn obtain_registration(
    flow: LoginFlow,
    profile: &SsoProfile,
    endpoint: &Endpoint,
    transport: &Transport,
    cache_dir: &Path,
    now: chrono::DateTime<Utc>,
    log: &Log,
) -> Result<CachedRegistration, Failure> {
    let path = cache_dir.join(profile.registration_cache_file_name());
    match read_small(&path) {
        Ok(bytes) => match parse_cached_registration(&bytes) {
            Ok(cached) if cached.is_usable(flow, now) => {
                log.verbose(&format!("reusing the client registration in {}", path.display()));
                return Ok(cached);
            }
            Ok(cached) if cached.expires_at - now < REGISTRATION_EXPIRY_WINDOW => log.verbose(&format!(
                "the client registration in {} expires at {}; registering a new client",
                path.display(),
                format_timestamp(cached.expires_at)
            )),
            Ok(_) => log.verbose(&format!(
                "the client registration in {} is for the other sign-in flow; registering a new client",
                path.display()
            )),
            Err(e) => log.verbose(&format!(
                "ignoring {}: {}; registering a new client",
                path.display(),
                chain(&e)
            )),
        },
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => log.verbose(&format!(
            "cannot read {}: {e}; registering a new client",
            path.display()
        )),
    }
    // The AWS CLI names its clients `botocore-client-<session or time>`; ours say who registered them.
    let client_name = format!(
        "ssocreds-client-{}",
        profile
            .session_name
            .clone()
            .unwrap_or_else(|| now.timestamp().to_string())
    );
    let (grant_types, redirect_uris, issuer_url): (&[&str], &[&str], Option<&str>) = match flow {
        LoginFlow::AuthorizationCode => (
            &AUTHORIZATION_CODE_GRANT_TYPES,
            &[REGISTERED_REDIRECT_URI],
            Some(&profile.start_url),
        ),
        LoginFlow::DeviceCode => (&[], &[], None),
    };
    let request = register_client_request(
        endpoint,
        &client_name,
        &profile.registration_scopes,
        grant_types,
        redirect_uris,
        issuer_url,
    );
    let registered = transport
        .call(&request, log, parse_register_client_response)?
        .map_err(oidc_failure)?;
    let scopes = (!profile.registration_scopes.is_empty()).then(|| profile.registration_scopes.clone());
    let grant_types =
        (flow == LoginFlow::AuthorizationCode).then(|| grant_types.iter().map(|g| (*g).to_owned()).collect());
    let registration = CachedRegistration::from_response(&registered, scopes, grant_types);
    cancel::uninterrupted(false, || files::write_atomic(&path, registration.to_json().as_bytes()))?;
    log.verbose(&format!(
        "registered client {} until {}, cached in {}",
        registration.client_id,
        format_timestamp(registration.expires_at),
        path.display()
    ));
    Ok(registration)
}

fn read_small(path: &Path) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let mut bytes = Vec::new();
    std::fs::File::open(path)?
        .take(MAX_REGISTRATION_BYTES)
        .read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// Authorization code with PKCE: the browser signs in and is redirected to our listener with a code, which
/// `CreateToken` exchanges. Returns the token and the browser's request, still waiting for its answer page.
fn authorization_code(
    listener: callback::Listener,
    profile: &SsoProfile,
    registration: &CachedRegistration,
    endpoint: &Endpoint,
    transport: &Transport,
    args: &LoginArgs,
    log: &Log,
) -> Result<(CreateTokenResponse, callback::Browser), Failure> {
    let mut entropy = [0u8; 64];
    getrandom::fill(&mut entropy).map_err(|e| {
        Failure::new(
            Exit::Internal,
            format!("the operating system gave no random bytes for the sign-in: {e}"),
        )
    })?;
    let (verifier_entropy, state_entropy) = entropy.split_at(48);
    let pkce = Pkce::from_entropy(verifier_entropy.try_into().expect("48 bytes"));
    let state = state_from_entropy(state_entropy.try_into().expect("16 bytes"));
    entropy.fill(0);
    let redirect_uri = loopback_redirect_uri(listener.port());
    let url = authorize_url(
        endpoint,
        &registration.client_id,
        &redirect_uri,
        &state,
        &pkce.challenge(),
        &profile.registration_scopes,
    );
    show_url(&url, args.no_browser, log);
    let timeout = args.timeout.map_or(DEFAULT_TIMEOUT, Duration::from_secs);
    let timeout_text = format_duration(TimeDelta::seconds(i64::try_from(timeout.as_secs()).unwrap_or(86_400)));
    log.info(&format!(
        "waiting up to {timeout_text} for the sign-in in the browser (Ctrl-C to cancel)"
    ));
    let browser = listener.wait(Instant::now() + timeout, log).map_err(|e| match e {
        callback::WaitError::TimedOut => Failure::new(
            Exit::NotCompleted,
            format!(
                "the sign-in was not completed in the browser within {timeout_text} (--timeout); run the login \
                 again and open the URL it prints"
            ),
        ),
        callback::WaitError::Failed(failure) => failure,
    })?;
    let code = match sso_core::parse_callback_query(browser.query(), &state) {
        Ok(code) => code,
        Err(e) => {
            let failure = callback_failure(&e);
            browser.failed(&failure.message);
            return Err(failure);
        }
    };
    let grant = CreateTokenGrant::AuthorizationCode {
        code,
        redirect_uri,
        code_verifier: pkce.verifier().clone(),
    };
    let request = create_token_request(endpoint, &registration.client_id, &registration.client_secret, &grant);
    let exchanged = transport
        .call(&request, log, |r| {
            parse_create_token_response(r, GrantType::AuthorizationCode)
        })
        .and_then(|answer| answer.map_err(oidc_failure));
    match exchanged {
        Ok(answer) => Ok((answer, browser)),
        Err(failure) => {
            browser.failed(&failure.message);
            Err(failure)
        }
    }
}

/// Prints the URL (always, in a fixed format that scripts and tests read) and opens the browser unless told not to.
fn show_url(url: &str, no_browser: bool, log: &Log) {
    if !no_browser {
        match crate::browser::open(url) {
            Ok(()) => log.info("opening the browser; if it does not open, open the URL below yourself"),
            Err(why) => log.warn(&format!(
                "could not open a browser ({why}); open the URL below yourself"
            )),
        }
    }
    // Not subject to --quiet: without it there is no way to sign in.
    eprintln!("ssocreds: open this URL to sign in: {}", printable(url));
}

/// Text from a server, made safe to print on a terminal: no control characters, at most 2,000 characters.
fn printable(text: &str) -> String {
    text.chars().filter(|c| !c.is_control()).take(2000).collect()
}

/// Writes the new token cache file under the token's lock; returns its expiry.
fn write_token(
    profile: &SsoProfile,
    registration: &CachedRegistration,
    answer: &CreateTokenResponse,
    path: &Path,
    now: chrono::DateTime<Utc>,
) -> Result<chrono::DateTime<Utc>, Failure> {
    let token = new_cached_token(&profile.start_url, &profile.sso_region, registration, answer, now).map_err(|e| {
        Failure::new(
            Exit::Internal,
            format!("cannot build the token cache file: {}", chain(&e)),
        )
    })?;
    // Taken outside the Ctrl-C guard: waiting for another process's lock must stay cancellable.
    let _lock = files::FileLock::acquire(path)?;
    cancel::uninterrupted(true, || files::write_atomic(path, token.to_json().as_bytes()))?;
    Ok(token.expires_at)
}

/// A denial has its own exit code; every other OIDC failure keeps the usual one.
fn oidc_failure(error: OidcError) -> Failure {
    match error.kind {
        OidcErrorKind::AccessDenied => Failure::new(Exit::Denied, chain(&error)),
        _ => Failure::from(error),
    }
}

fn callback_failure(error: &CallbackError) -> Failure {
    Failure::from(error.clone())
}
