//! A fake AWS IAM Identity Center: the portal API (`sso`), the OIDC API (`sso-oidc`) and the console federation
//! endpoint (`GET /federation`) on one loopback HTTP server, scripted by a [`PortalConfig`] and recording every
//! request.
//!
//! ```no_run
//! use ssocreds_tests::fake_portal::{Account, FakePortal, PortalConfig};
//!
//! let portal = FakePortal::start(PortalConfig::with_token(
//!     "token",
//!     vec![Account::new("111122223333", "dev", &["ReadOnly"])],
//! ))?;
//! // Point the client at it: AWS_ENDPOINT_URL_SSO / AWS_ENDPOINT_URL_SSO_OIDC = portal.url()
//! assert_eq!(portal.state().credentials_served, 0);
//! # Ok::<(), std::io::Error>(())
//! ```
//!
//! One thread per connection, one request per connection (`Connection: close`).

mod config;
mod control;
mod credentials;
mod errors;
mod faults;
mod federation;
mod http;
mod oidc;
mod portal;
mod state;
mod sts;

use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

pub use config::{
    Account, AuthorizeConfig, ClientConfig, CredentialsOverride, DEMO_ACCESS_TOKEN, DEMO_ACCOUNT_ID, DeviceFlow, Fault,
    FederationAnswer, FederationConfig, GenerateAccounts, OidcConfig, PortalConfig, RefreshGrant, Throttle, TokenGrant,
};
pub use credentials::generated_credentials;
pub use federation::signin_token_for;
pub use oidc::s256;
pub use portal::BEARER_HEADER;
pub use state::{DevicePoll, IssuedToken, RecordedRequest, StateSnapshot};
pub use sts::{AssumedRoleRecord, STS_VERSION, StsConfig, StsFault, StsRole};

use faults::Action;
use http::{Request, Response};
use state::{Inner, Shared};

/// The grant types of `/token`, as the tests spell them.
pub mod grant_types {
    pub use super::oidc::{
        GRANT_CODE as AUTHORIZATION_CODE, GRANT_DEVICE as DEVICE_CODE, GRANT_REFRESH as REFRESH_TOKEN,
    };
}

/// A running fake portal on `127.0.0.1`. Dropping it stops the server.
pub struct FakePortal {
    shared: Arc<Shared>,
    addr: SocketAddr,
    accept_thread: Option<JoinHandle<()>>,
}

impl FakePortal {
    /// Starts a server on a free port.
    pub fn start(config: PortalConfig) -> io::Result<FakePortal> {
        FakePortal::start_on_port(0, config)
    }

    /// Starts a server on `port` of 127.0.0.1 (0: any free port).
    pub fn start_on_port(port: u16, config: PortalConfig) -> io::Result<FakePortal> {
        let listener = TcpListener::bind(("127.0.0.1", port))?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared {
            inner: std::sync::Mutex::new(Inner::new(config)),
            stop: AtomicBool::new(false),
            base_url: format!("http://{addr}"),
        });
        let accept_shared = Arc::clone(&shared);
        let accept_thread = std::thread::Builder::new()
            .name("fake-portal-accept".into())
            .spawn(move || accept_loop(&listener, &accept_shared))?;
        Ok(FakePortal {
            shared,
            addr,
            accept_thread: Some(accept_thread),
        })
    }

    /// `http://127.0.0.1:PORT`, the endpoint of both the portal and OIDC.
    pub fn url(&self) -> String {
        self.shared.base_url.clone()
    }

    /// The port listened on.
    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// Every request received so far, in order (control plane excluded).
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.shared.lock().requests.clone()
    }

    /// Forgets the recorded requests.
    pub fn clear_requests(&self) {
        self.shared.lock().requests.clear();
    }

    /// Replaces the behaviour at runtime; see `PortalConfig` for what carries over.
    pub fn set_config(&self, config: PortalConfig) {
        self.shared.lock().set_config(config);
    }

    /// The current config (with `generateAccounts` not yet expanded).
    pub fn config(&self) -> PortalConfig {
        self.shared.lock().config.clone()
    }

    /// Counters and records of what the server did.
    pub fn state(&self) -> StateSnapshot {
        self.shared.lock().stats.clone()
    }

    /// Whether the portal accepts `access_token` now (configured or issued, not expired, not logged out).
    pub fn token_is_valid(&self, access_token: &str) -> bool {
        self.shared
            .lock()
            .tokens
            .get(access_token)
            .is_some_and(|t| t.is_valid_at(state::now_ms()))
    }
}

impl Drop for FakePortal {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        // Wake the blocking accept() so that it sees the flag.
        let _ = TcpStream::connect_timeout(&self.addr, Duration::from_secs(1));
        if let Some(thread) = self.accept_thread.take() {
            let _ = thread.join();
        }
    }
}

fn accept_loop(listener: &TcpListener, shared: &Arc<Shared>) {
    for stream in listener.incoming() {
        if shared.stop.load(Ordering::SeqCst) {
            break;
        }
        let Ok(stream) = stream else { continue };
        let shared = Arc::clone(shared);
        let spawned = std::thread::Builder::new()
            .name("fake-portal-conn".into())
            .spawn(move || serve_connection(&shared, stream));
        if spawned.is_err() {
            // Out of threads: the dropped stream is the client's problem, as with an overloaded server.
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

/// Sleeps `duration`, waking early when the server stops; returns whether it is stopping.
fn sleep_unless_stopped(shared: &Shared, duration: Duration) -> bool {
    let deadline = Instant::now() + duration;
    loop {
        if shared.stop.load(Ordering::SeqCst) {
            return true;
        }
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return false;
        }
        std::thread::sleep(left.min(Duration::from_millis(20)));
    }
}

fn serve_connection(shared: &Shared, mut stream: TcpStream) {
    let peeked = match http::peek_request(&mut stream) {
        Ok(peeked) => peeked,
        Err(http::ReadError::Malformed(why)) => {
            let response = errors::invalid_request(&format!("Malformed HTTP request: {why}"));
            let _ = response.write_to(&mut stream);
            close_gracefully(stream);
            return;
        }
        Err(http::ReadError::Io) => return,
    };
    let request = &peeked.request;

    if request.path.starts_with(control::PREFIX) {
        if peeked.drain(&mut stream).is_ok() {
            let _ = with_request_id(shared, control::handle(shared, request)).write_to(&mut stream);
        }
        close_gracefully(stream);
        return;
    }

    let index = shared.lock().record(request);
    let latency = shared.lock().config.latency_ms;
    if latency > 0 && sleep_unless_stopped(shared, Duration::from_millis(latency)) {
        return;
    }

    let oidc_path = is_oidc_path(&request.path);
    let action = faults::decide(&mut shared.lock(), &request.path, oidc_path);
    let (response, half) = match action {
        Action::Fault(config::Fault::Hang) => {
            while !sleep_unless_stopped(shared, Duration::from_secs(3600)) {}
            return;
        }
        // The request's bytes are still unread in the socket, so closing it now makes the kernel send a RST.
        Action::Fault(config::Fault::Reset) => return,
        Action::Fault(config::Fault::InvalidJson) => (Response::json(200, r#"{"roleCredentials": {"#.into()), false),
        Action::Fault(config::Fault::HalfBody) => (route(shared, request), true),
        Action::Fault(config::Fault::Trickle) => {
            let response = with_request_id(shared, route(shared, request));
            if peeked.drain(&mut stream).is_ok() {
                trickle(shared, &mut stream, &response.to_bytes());
            }
            return;
        }
        Action::Fault(config::Fault::None) | Action::Serve => (route(shared, request), false),
        Action::Answer(response) => (response, false),
    };
    let response = with_request_id(shared, response);
    if let Some(recorded) = shared.lock().requests.get_mut(index) {
        recorded.status = Some(response.status);
    }
    if peeked.drain(&mut stream).is_err() {
        return;
    }
    let _ = if half {
        response.write_half_to(&mut stream)
    } else {
        response.write_to(&mut stream)
    };
    close_gracefully(stream);
}

/// Writes `bytes` one a second until they are sent, the client hangs up or the server stops.
fn trickle(shared: &Shared, stream: &mut TcpStream, bytes: &[u8]) {
    let _ = stream.set_nodelay(true);
    for byte in bytes {
        if stream.write_all(&[*byte]).is_err() || sleep_unless_stopped(shared, TRICKLE_INTERVAL) {
            return;
        }
    }
}

/// The pause between two bytes of a [`config::Fault::Trickle`] answer.
const TRICKLE_INTERVAL: Duration = Duration::from_secs(1);

/// Sends FIN and lets the client read everything before the socket goes.
fn close_gracefully(mut stream: TcpStream) {
    let _ = stream.shutdown(Shutdown::Write);
    // Anything the client still sends is read and dropped, so that closing does not turn into a reset that
    // could destroy the answer in flight.
    let _ = stream.set_read_timeout(Some(Duration::from_millis(500)));
    let mut sink = [0u8; 1024];
    while matches!(stream.read(&mut sink), Ok(n) if n > 0) {}
}

fn with_request_id(shared: &Shared, response: Response) -> Response {
    let id = shared.lock().fresh_uuid();
    response.header("x-amzn-RequestId", id)
}

fn is_oidc_path(path: &str) -> bool {
    matches!(
        path,
        "/client/register" | "/device_authorization" | "/token" | "/authorize" | "/device"
    )
}

/// Dispatches a request to its operation.
fn route(shared: &Shared, request: &Request) -> Response {
    let method = request.method.as_str();
    let allowed = match request.path.as_str() {
        "/federation/credentials"
        | "/assignment/accounts"
        | "/assignment/roles"
        | "/authorize"
        | "/device"
        | "/federation" => "GET",
        "/logout" | "/client/register" | "/device_authorization" | "/token" | "/" => "POST",
        _ => {
            return errors::portal(
                404,
                "UnknownOperationException",
                &format!("No such operation: {method} {}", request.path),
            );
        }
    };
    if method != allowed {
        return errors::styled(
            is_oidc_path(&request.path),
            405,
            "MethodNotAllowedException",
            "method_not_allowed",
            &format!("{} accepts {allowed} only", request.path),
        )
        .header("Allow", allowed);
    }
    let mut inner = shared.lock();
    match request.path.as_str() {
        "/federation/credentials" => portal::get_role_credentials(&mut inner, request),
        "/assignment/accounts" => portal::list_accounts(&inner, request),
        "/assignment/roles" => portal::list_account_roles(&inner, request),
        "/logout" => portal::logout(&mut inner, request),
        "/client/register" => oidc::register_client(&mut inner, request),
        "/device_authorization" => oidc::start_device_authorization(&mut inner, request, &shared.base_url),
        "/token" => oidc::create_token(&mut inner, request),
        "/authorize" => oidc::authorize(&mut inner, request),
        "/" => sts::handle(&mut inner, request),
        "/federation" => federation::federation(&mut inner, request),
        _ => oidc::device_page(),
    }
}
