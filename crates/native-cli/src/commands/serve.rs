//! `ssocreds serve` and `ssocreds exec --serve`: the container credentials endpoint that the AWS SDKs read through
//! `AWS_CONTAINER_CREDENTIALS_FULL_URI` and `AWS_CONTAINER_AUTHORIZATION_TOKEN`.
//!
//! The core decides (`ContainerEndpoint::check`, `credentials_response`, `FetchFailure`, `RefetchPolicy`); this file
//! owns the socket, the clock and the fetches. Every fetch, the first and each later one, goes through
//! [`super::credentials_for`] with a fresh `now`, so the endpoint gets token refresh and role chains like `export`.
//!
//! How it stays fast: requests are answered from memory. A timer fetches new credentials in the background before the
//! cached ones enter the min-validity window, so in steady state no request waits on the portal. Only a request that
//! finds nothing valid waits, and then every such request shares one fetch. Fetches run on their own thread (the
//! transport is `reqwest::blocking`), never on the server's.

use std::convert::Infallible;
use std::net::{Ipv4Addr, TcpListener as StdListener};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use bytes::Bytes;
use chrono::{DateTime, TimeDelta, Utc};
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::{TokioIo, TokioTimer};
use sso_core::{
    AuthorizationToken, ContainerEndpoint, ContainerResponse, DEFAULT_REFETCH_MARGIN, FetchDecision, FetchFailure,
    IncomingRequest, RefetchPolicy, RequestCheck, RoleCredentials, credentials_response,
};
use tokio::net::TcpListener;
use tokio::sync::{Notify, Semaphore, watch};

use super::output;
use super::resolve::CredentialsPlan;
use crate::cli::ServeArgs;
use crate::failure::{Exit, Failure};
use crate::log::Log;

/// At most this many connections at once; further clients wait in the listen backlog until one closes.
const MAX_CONNECTIONS: usize = 128;
/// A connection must send a whole request head within this long (also the idle limit between keep-alive requests):
/// a half-sent request or an idle client is dropped, and frees its slot.
const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// hyper's smallest read buffer: ample for an SDK's request head, and the most a connection can make us hold.
const MAX_REQUEST_BUFFER: usize = 8 * 1024;
/// After a failed fetch, requests that find nothing valid get the same answer at once for this long instead of
/// calling the portal again (the SDKs give up after 1 to 2 seconds anyway).
const FAILURE_HOLD: Duration = Duration::from_secs(2);
/// After a failed fetch, the next background fetch waits this long (cached credentials are still being served).
const BACKGROUND_RETRY: Duration = Duration::from_secs(30);

/// Background fetches are at least this far apart.
const MIN_BACKGROUND_INTERVAL: TimeDelta = TimeDelta::seconds(1);

/// What `serve` and `exec --serve` set.
pub struct ServeOptions {
    /// `--port`: 0 for a free port.
    pub port: u16,
    /// `--min-validity-minutes`.
    pub min_validity: TimeDelta,
    /// One stderr line per request (`serve` unless `--quiet`; `exec --serve` only with `--verbose`, as its stderr is
    /// the child's).
    pub log_requests: bool,
}

pub fn run(args: &ServeArgs, log: &Log) -> Result<(), Failure> {
    let plan = super::plan_credentials(&args.target, &super::Inputs::read(), log)?;
    let options = ServeOptions {
        port: args.port,
        min_validity: TimeDelta::minutes(args.min_validity_minutes),
        log_requests: !log.quiet,
    };
    let ready = Ready::start(plan, &options, log)?;
    // The format was checked by clap (`process` is not offered); this cannot fail for the two ASCII values.
    let text = ready.endpoint().format_variables(args.format).map_err(Failure::from)?;
    ready.serve_until_stopped(|| output::print_stdout(&text))
}

/// The endpoint with its first credentials, bound, not yet serving.
pub struct Ready {
    runtime: tokio::runtime::Runtime,
    listener: StdListener,
    shared: Arc<Shared>,
}

impl Ready {
    /// Fetches credentials (so that a sign-in problem shows at once, with its usual message and exit code), binds
    /// 127.0.0.1 and makes the token.
    pub fn start(plan: CredentialsPlan, options: &ServeOptions, log: &Log) -> Result<Self, Failure> {
        // The first fetch is part of the command: it uses the command's one clock reading.
        let now = plan.now;
        let credentials = super::credentials_for(&plan, now, log)?;
        let listener = bind(options.port)?;
        let port = listener
            .local_addr()
            .map_err(|e| Failure::new(Exit::Internal, format!("cannot read the endpoint's port: {e}")))?
            .port();
        let mut entropy = [0u8; 32];
        getrandom::fill(&mut entropy).map_err(|e| {
            Failure::new(
                Exit::Internal,
                format!("the operating system gave no random bytes for the endpoint's token: {e}"),
            )
        })?;
        let endpoint = ContainerEndpoint::new(port, AuthorizationToken::from_entropy(&entropy));
        entropy.fill(0);
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| Failure::new(Exit::Internal, format!("cannot start the endpoint: {e}")))?;
        let shared = Arc::new(Shared {
            endpoint,
            plan,
            log: *log,
            log_requests: options.log_requests,
            min_validity: options.min_validity,
            state: Mutex::new(State {
                cached: Some(Cached::new(&credentials, now, options.min_validity)),
                fetch: None,
                last_failure: None,
            }),
            schedule_changed: Notify::new(),
        });
        log.verbose(&format!(
            "serving on 127.0.0.1:{port}; credentials expire at {}",
            sso_core::format_timestamp(credentials.expiration)
        ));
        Ok(Self {
            runtime,
            listener,
            shared,
        })
    }

    /// The port and token, for the variables.
    pub fn endpoint(&self) -> &ContainerEndpoint {
        &self.shared.endpoint
    }

    /// Serves until SIGINT or SIGTERM (Ctrl-C on Windows), then closes the port. `announce` runs once the signals
    /// are handled and the server accepts: a client that reads the variables can stop it at once.
    pub fn serve_until_stopped(self, announce: impl FnOnce() -> Result<(), Failure>) -> Result<(), Failure> {
        let Self {
            runtime,
            listener,
            shared,
        } = self;
        let result = runtime.block_on(async move {
            let stop = stop_signal()?;
            spawn_server(listener, shared)?;
            announce()?;
            stop.await;
            Ok(())
        });
        // Dropping the runtime drops the listener and every connection: the port is free when this returns.
        drop(runtime);
        result
    }

    /// Runs `future` (which starts and waits for the child of `exec --serve`) while serving.
    pub fn serve_while<T>(self, future: impl std::future::Future<Output = Result<T, Failure>>) -> Result<T, Failure> {
        let Self {
            runtime,
            listener,
            shared,
        } = self;
        let result = runtime.block_on(async move {
            spawn_server(listener, shared)?;
            future.await
        });
        drop(runtime);
        result
    }
}

fn bind(port: u16) -> Result<StdListener, Failure> {
    let listener = StdListener::bind((Ipv4Addr::LOCALHOST, port)).map_err(|e| {
        let exit = if port == 0 { Exit::Internal } else { Exit::Usage };
        let why = match e.kind() {
            std::io::ErrorKind::AddrInUse => "the port is in use".to_owned(),
            std::io::ErrorKind::PermissionDenied => "permission denied (ports below 1024 need privileges)".to_owned(),
            _ => e.to_string(),
        };
        Failure::new(
            exit,
            format!(
                "cannot listen on 127.0.0.1:{port}: {why}; choose another port with --port, or 0 for any free port"
            ),
        )
    })?;
    listener
        .set_nonblocking(true)
        .map_err(|e| Failure::new(Exit::Internal, format!("cannot set up the endpoint's socket: {e}")))?;
    Ok(listener)
}

/// The accept loop and the refetch timer, as tasks of the current runtime.
fn spawn_server(listener: StdListener, shared: Arc<Shared>) -> Result<(), Failure> {
    let listener = TcpListener::from_std(listener)
        .map_err(|e| Failure::new(Exit::Internal, format!("cannot set up the endpoint's socket: {e}")))?;
    tokio::spawn(refetch_timer(Arc::clone(&shared)));
    tokio::spawn(accept_loop(listener, shared));
    Ok(())
}

/// Resolves on SIGINT or SIGTERM.
#[cfg(unix)]
fn stop_signal() -> Result<impl std::future::Future<Output = ()>, Failure> {
    use tokio::signal::unix::{SignalKind, signal};
    let cannot = |e: std::io::Error| Failure::new(Exit::Internal, format!("cannot handle signals: {e}"));
    let mut interrupt = signal(SignalKind::interrupt()).map_err(cannot)?;
    let mut terminate = signal(SignalKind::terminate()).map_err(cannot)?;
    Ok(async move {
        tokio::select! {
            _ = interrupt.recv() => {}
            _ = terminate.recv() => {}
        }
    })
}

/// Resolves on Ctrl-C (CTRL_C_EVENT). Closing the console or shutting down ends the process anyway, and the port with
/// it.
#[cfg(not(unix))]
fn stop_signal() -> Result<impl std::future::Future<Output = ()>, Failure> {
    Ok(async {
        let _ = tokio::signal::ctrl_c().await;
    })
}

async fn accept_loop(listener: TcpListener, shared: Arc<Shared>) {
    let slots = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    loop {
        // The semaphore is never closed.
        let Ok(slot) = Arc::clone(&slots).acquire_owned().await else {
            return;
        };
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            Err(e) => {
                // Out of file descriptors, or a connection reset before it was accepted: wait a little, go on.
                shared.log.verbose(&format!("accepting a connection failed: {e}"));
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        // Each answer is one small write: without this, a kept-alive client waits on a delayed ACK.
        let _ = stream.set_nodelay(true);
        let shared = Arc::clone(&shared);
        tokio::spawn(async move {
            let service = service_fn(move |request| {
                let shared = Arc::clone(&shared);
                async move { Ok::<_, Infallible>(shared.answer(&request).await) }
            });
            // Errors here are a client's (a timeout, a reset, a malformed request): nothing to report.
            let _ = http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(HEADER_READ_TIMEOUT)
                .max_buf_size(MAX_REQUEST_BUFFER)
                .serve_connection(TokioIo::new(stream), service)
                .await;
            drop(slot);
        });
    }
}

/// Fetches in the background when the cached credentials are due, so that requests find fresh ones.
async fn refetch_timer(shared: Arc<Shared>) {
    loop {
        let due = shared.next_background_fetch();
        match due {
            Some(at) => {
                tokio::select! {
                    () = tokio::time::sleep_until(at.into()) => { shared.lock().start_fetch(&shared); }
                    () = shared.schedule_changed.notified() => {}
                }
            }
            None => shared.schedule_changed.notified().await,
        }
    }
}

struct Shared {
    endpoint: ContainerEndpoint,
    plan: CredentialsPlan,
    log: Log,
    log_requests: bool,
    min_validity: TimeDelta,
    state: Mutex<State>,
    /// Told when a fetch ends, so the timer computes its next wake-up.
    schedule_changed: Notify,
}

struct State {
    cached: Option<Cached>,
    /// While a fetch runs: becomes `true` when it has ended and `cached`/`last_failure` say how.
    fetch: Option<watch::Receiver<bool>>,
    last_failure: Option<(Instant, FetchFailure)>,
}

/// Credentials in memory, with their 200 answer made once.
struct Cached {
    expiration: DateTime<Utc>,
    policy: RefetchPolicy,
    /// When a background fetch is due; `None` when the credentials are too short-lived to be served without one
    /// (each request then fetches).
    refetch_at: Option<DateTime<Utc>>,
    response: Arc<ContainerResponse>,
}

impl Cached {
    fn new(credentials: &RoleCredentials, fetched_at: DateTime<Utc>, min_validity: TimeDelta) -> Self {
        // The core's margin is 10 minutes; credentials that the portal issues for less than min-validity + 20
        // minutes get half their servable life instead, so a background fetch neither starts at once (and again,
        // and again) nor too late.
        let servable = credentials.expiration - fetched_at - min_validity;
        let refetch_margin = DEFAULT_REFETCH_MARGIN.min(servable / 2).max(TimeDelta::zero());
        let policy = RefetchPolicy {
            min_validity,
            refetch_margin,
        };
        // A portal that answers with the same expiration again would otherwise halve the wait each time.
        let refetch_at = (servable > MIN_BACKGROUND_INTERVAL * 2).then(|| {
            policy
                .refetch_at(credentials.expiration)
                .max(fetched_at + MIN_BACKGROUND_INTERVAL)
        });
        Self {
            expiration: credentials.expiration,
            policy,
            refetch_at,
            response: Arc::new(credentials_response(credentials)),
        }
    }
}

/// The 200 answer's body, shared by every response without a copy; the core wipes it when the last one is dropped.
struct SharedBody(Arc<ContainerResponse>);

impl AsRef<[u8]> for SharedBody {
    fn as_ref(&self) -> &[u8] {
        &self.0.body
    }
}

impl State {
    /// Starts a fetch unless one runs; returns what to wait on.
    fn start_fetch(&mut self, shared: &Arc<Shared>) -> watch::Receiver<bool> {
        if let Some(fetch) = &self.fetch {
            return fetch.clone();
        }
        let (done, receiver) = watch::channel(false);
        self.fetch = Some(receiver.clone());
        let shared = Arc::clone(shared);
        let spawned = std::thread::Builder::new().name("fetch".into()).spawn(move || {
            let now = Utc::now();
            let result = super::credentials_for(&shared.plan, now, &shared.log);
            shared.finish_fetch(result, now);
            let _ = done.send(true);
        });
        if let Err(e) = spawned {
            self.fetch = None;
            self.last_failure = Some((
                Instant::now(),
                FetchFailure::Portal(format!("cannot start a fetch: {e}")),
            ));
        }
        receiver
    }

    fn recent_failure(&self, within: Duration) -> Option<&FetchFailure> {
        self.last_failure
            .as_ref()
            .filter(|(at, _)| at.elapsed() < within)
            .map(|(_, failure)| failure)
    }

    /// The cached answer while the credentials still work, else the last failure's.
    fn still_valid_or_failure(&self, now: DateTime<Utc>) -> Response<Full<Bytes>> {
        match &self.cached {
            Some(cached) if cached.policy.still_valid(cached.expiration, now) => ok_response(cached),
            _ => match &self.last_failure {
                Some((_, failure)) => to_hyper(&failure.response()),
                None => to_hyper(&FetchFailure::Portal("the fetch ended without credentials".into()).response()),
            },
        }
    }
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock leaves plain data behind: keep serving.
        self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    async fn answer(self: &Arc<Self>, request: &Request<Incoming>) -> Response<Full<Bytes>> {
        let started = Instant::now();
        let headers: Vec<(&str, &str)> = request
            .headers()
            .iter()
            .filter_map(|(name, value)| Some((name.as_str(), value.to_str().ok()?.trim())))
            .collect();
        let target = request.uri().path_and_query().map_or("/", |p| p.as_str());
        let incoming = IncomingRequest {
            method: request.method().as_str(),
            target,
            headers: &headers,
        };
        let response = match self.endpoint.check(&incoming) {
            RequestCheck::Refuse(refusal) => to_hyper(&refusal.response()),
            RequestCheck::Serve => self.credentials().await,
        };
        if self.log_requests {
            self.log_request(request, response.status().as_u16(), started.elapsed());
        }
        response
    }

    /// One line: when, what, the status, how long. The path is shown without its query and escaped; headers (the
    /// token) never.
    fn log_request(&self, request: &Request<Incoming>, status: u16, elapsed: Duration) {
        let path: String = request
            .uri()
            .path()
            .chars()
            .take(80)
            .flat_map(char::escape_debug)
            .collect();
        let method: String = request
            .method()
            .as_str()
            .chars()
            .take(16)
            .flat_map(char::escape_debug)
            .collect();
        eprintln!(
            "ssocreds: {} {method} {path} {status} {:.1} ms",
            Utc::now().format("%Y-%m-%dT%H:%M:%S%.3fZ"),
            elapsed.as_secs_f64() * 1000.0
        );
    }

    /// The answer to an authorized request.
    async fn credentials(self: &Arc<Self>) -> Response<Full<Bytes>> {
        let mut fetch = {
            let mut state = self.lock();
            let now = Utc::now();
            let decision = match &state.cached {
                Some(cached) => cached.policy.decide(Some(cached.expiration), now),
                None => FetchDecision::MustFetch,
            };
            match (decision, &state.cached) {
                (FetchDecision::Serve, Some(cached)) => return ok_response(cached),
                (FetchDecision::ServeAndRefetchInBackground, Some(cached)) => {
                    let response = ok_response(cached);
                    // The timer normally has started it already; a request starts it when the timer was late (a
                    // suspended laptop), unless a fetch failed a moment ago.
                    if state.fetch.is_none() && state.recent_failure(BACKGROUND_RETRY).is_none() {
                        state.start_fetch(self);
                    }
                    return response;
                }
                _ => {}
            }
            if state.fetch.is_none() && state.recent_failure(FAILURE_HOLD).is_some() {
                return state.still_valid_or_failure(now);
            }
            state.start_fetch(self)
        };
        // The sender is dropped only after it has said `true`, or with the process.
        let _ = fetch.wait_for(|done| *done).await;
        self.lock().still_valid_or_failure(Utc::now())
    }

    /// Called on the fetch thread when the portal has answered.
    fn finish_fetch(&self, result: Result<RoleCredentials, Failure>, fetched_at: DateTime<Utc>) {
        let mut state = self.lock();
        state.fetch = None;
        match result {
            Ok(credentials) => {
                self.log.verbose(&format!(
                    "fetched new credentials; they expire at {}",
                    sso_core::format_timestamp(credentials.expiration)
                ));
                state.cached = Some(Cached::new(&credentials, fetched_at, self.min_validity));
                state.last_failure = None;
            }
            Err(failure) => {
                let failure_answer = fetch_failure(&failure);
                let now = Utc::now();
                match &state.cached {
                    Some(cached) if cached.policy.still_valid(cached.expiration, now) => self.log.warn(&format!(
                        "could not fetch new role credentials ({}); serving the cached ones, which {}",
                        failure.message,
                        output::describe(cached.expiration, now)
                    )),
                    _ => self.log.warn(&failure_answer.message()),
                }
                state.last_failure = Some((Instant::now(), failure_answer));
            }
        }
        drop(state);
        self.schedule_changed.notify_one();
    }

    /// When the timer should start the next fetch: the cached credentials' refetch time, but not sooner than
    /// [`BACKGROUND_RETRY`] after a failure; `None` while a fetch runs or when there is nothing to wait for.
    fn next_background_fetch(&self) -> Option<Instant> {
        let state = self.lock();
        if state.fetch.is_some() {
            return None;
        }
        let cached = state.cached.as_ref()?;
        let refetch_at = cached.refetch_at?;
        if !cached.policy.still_valid(cached.expiration, Utc::now()) {
            // Expired: the next request fetches.
            return None;
        }
        let wait = (refetch_at - Utc::now()).to_std().unwrap_or(Duration::ZERO);
        let mut at = Instant::now() + wait;
        if let Some((failed_at, _)) = &state.last_failure {
            at = at.max(*failed_at + BACKGROUND_RETRY);
        }
        Some(at)
    }
}

/// What a failed fetch tells the SDK: a sign-in problem (expired, rejected, signed out) is 503 with the advice to
/// run `ssocreds login`; anything else is the portal's (502).
fn fetch_failure(failure: &Failure) -> FetchFailure {
    match failure.exit {
        Exit::SignIn | Exit::Cache => FetchFailure::SignInExpired,
        Exit::Throttled => FetchFailure::Throttled(failure.message.clone()),
        _ => FetchFailure::Portal(failure.message.clone()),
    }
}

fn ok_response(cached: &Cached) -> Response<Full<Bytes>> {
    let body = Bytes::from_owner(SharedBody(Arc::clone(&cached.response)));
    build(&cached.response, body)
}

fn to_hyper(response: &ContainerResponse) -> Response<Full<Bytes>> {
    build(response, Bytes::copy_from_slice(&response.body))
}

fn build(response: &ContainerResponse, body: Bytes) -> Response<Full<Bytes>> {
    let mut builder = Response::builder().status(response.status);
    for (name, value) in &response.headers {
        builder = builder.header(name, value);
    }
    // The core's statuses and header names are valid; should one ever not be, the client gets a bare 500.
    builder.body(Full::new(body)).unwrap_or_else(|_| {
        let mut fallback = Response::new(Full::new(Bytes::new()));
        *fallback.status_mut() = hyper::StatusCode::INTERNAL_SERVER_ERROR;
        fallback
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use sso_core::SecretString;

    fn at(text: &str) -> DateTime<Utc> {
        sso_core::parse_timestamp(text).unwrap()
    }

    fn cached(fetched_at: &str, expiration: &str, min_validity_minutes: i64) -> Cached {
        let credentials = RoleCredentials {
            access_key_id: "ASIAEXAMPLE".into(),
            secret_access_key: SecretString::new("secret"),
            session_token: SecretString::new("session"),
            expiration: at(expiration),
            account_id: None,
        };
        Cached::new(&credentials, at(fetched_at), TimeDelta::minutes(min_validity_minutes))
    }

    #[test]
    fn when_the_timer_fetches() {
        // An hour: ten minutes before the 15-minute window, as the core says.
        let hour = cached("2024-03-01T12:00:00Z", "2024-03-01T13:00:00Z", 15);
        assert_eq!(hour.refetch_at, Some(at("2024-03-01T12:35:00Z")));
        // 20 minutes: servable for 5, refetched halfway.
        let short = cached("2024-03-01T12:00:00Z", "2024-03-01T12:20:00Z", 15);
        assert_eq!(short.refetch_at, Some(at("2024-03-01T12:02:30Z")));
        assert_eq!(
            short.policy.decide(Some(short.expiration), at("2024-03-01T12:02:29Z")),
            FetchDecision::Serve
        );
        // Shorter than the window: every request fetches, no timer.
        assert_eq!(
            cached("2024-03-01T12:00:00Z", "2024-03-01T12:10:00Z", 15).refetch_at,
            None
        );
        // Two seconds of servable life are not worth a background fetch; three get one, no sooner than a second on.
        assert_eq!(
            cached("2024-03-01T12:00:00Z", "2024-03-01T12:15:02Z", 15).refetch_at,
            None
        );
        assert_eq!(
            cached("2024-03-01T12:00:00Z", "2024-03-01T12:15:03Z", 15).refetch_at,
            Some(at("2024-03-01T12:00:01.5Z"))
        );
    }

    #[test]
    fn fetch_failures_become_the_cores_answers() {
        let failure = |exit| fetch_failure(&Failure::new(exit, "m"));
        assert_eq!(failure(Exit::SignIn), FetchFailure::SignInExpired);
        assert_eq!(failure(Exit::Cache), FetchFailure::SignInExpired);
        assert_eq!(failure(Exit::Throttled), FetchFailure::Throttled("m".into()));
        assert_eq!(failure(Exit::Network), FetchFailure::Portal("m".into()));
        assert_eq!(failure(Exit::NoAccess), FetchFailure::Portal("m".into()));
    }
}
