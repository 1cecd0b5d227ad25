//! `ssocreds accounts` and `ssocreds roles`: what the token can reach, listed fast and politely.
//!
//! Roles of many accounts are listed by a fixed pool of workers. Each request retries throttling with the core's
//! backoff (jitter, `Retry-After`), with more attempts than a single export gets, because a burst over a thousand
//! accounts is expected to meet the portal's rate limit. An account that still fails is reported by id, never
//! dropped silently.

use std::io::IsTerminal;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use sso_core::{
    AccountId, AccountInfo, CallContext, Endpoint, PortalError, Region, RoleInfo, SecretString,
    list_account_roles_request, list_accounts_request, parse_list_account_roles_response, parse_list_accounts_response,
    resolve_region,
};

use super::resolve::{self, NetworkPlan, TokenPlan};
use super::{Inputs, config_file, output, token_source};
use crate::cli::{AccountsArgs, ListOutput, PortalArgs, RolesArgs};
use crate::failure::{Exit, Failure};
use crate::log::Log;
use crate::token_files::LoadedToken;
use crate::transport::Transport;

/// The largest page the API allows.
const PAGE_SIZE: u8 = 100;
/// A paginated listing that returns the same token twice would loop forever.
const MAX_PAGES: usize = 10_000;

/// A signed-in connection to the portal.
pub(super) struct Portal {
    token: SecretString,
    endpoint: Endpoint,
    transport: Transport,
    region: Region,
    token_region: Option<String>,
}

impl Portal {
    /// Resolves the sign-in (`--profile`, `AWS_PROFILE` or `[default]`, else a search of the cache), obtains its
    /// token and connects.
    fn open(args: &PortalArgs, inputs: &Inputs, log: &Log) -> Result<Self, Failure> {
        let requested = args.region.as_deref().map(Region::new).transpose()?;
        let mut notes = Vec::new();
        let config = config_file::read_config_text();
        let cache_given = args.source.cache.is_some();
        let profile = resolve::resolve_sign_in(args.profile.as_deref(), cache_given, &inputs.env, config, &mut notes)?;
        for note in &notes {
            log.note(note);
        }
        let requested = requested.or_else(|| profile.as_ref().map(|p| p.sso_region.clone()));
        let network = resolve::resolve_network(&args.network, &inputs.env)?;
        let plan = TokenPlan::for_listing(&args.source);
        let loaded = token_source::obtain_token(&plan, profile.as_ref(), &network, inputs.now, log)?;
        Self::connect(&loaded, requested.as_ref(), &network, log)
    }

    /// A portal connection for a token already obtained, in the region asked for (else the token's).
    pub(super) fn connect(
        loaded: &LoadedToken,
        requested: Option<&Region>,
        network: &NetworkPlan,
        log: &Log,
    ) -> Result<Self, Failure> {
        let choice = resolve_region(requested, loaded.token.region.as_deref())?;
        if let Some(warning) = choice.mismatch_warning() {
            log.warn(&warning);
        }
        if let Some((origin, endpoint)) = &network.portal_override {
            log.verbose(&format!("endpoint {endpoint} (from {origin})"));
        }
        let endpoint = network.portal_for(&choice.region);
        let transport = Transport::new(&network.with_default_attempts(LISTING_ATTEMPTS), endpoint.is_loopback())?;
        Ok(Self {
            token: loaded.token.access_token.clone(),
            endpoint,
            transport,
            region: choice.region,
            token_region: choice.token_region,
        })
    }

    fn context(&self, operation: &'static str, account_id: Option<&AccountId>) -> CallContext {
        CallContext {
            operation,
            account_id: account_id.cloned(),
            role_name: None,
            region: Some(self.region.clone()),
            token_region: self.token_region.clone(),
        }
    }

    /// Follows `nextToken` to the end, refusing a token that comes back twice.
    fn paginate<T>(
        &self,
        log: &Log,
        context: &CallContext,
        request: impl Fn(Option<&str>) -> sso_core::HttpRequest,
        parse: impl Fn(&sso_core::HttpResponse, &CallContext) -> Result<sso_core::Page<T>, PortalError>,
    ) -> Result<Vec<T>, Failure> {
        let mut items = Vec::new();
        let mut next: Option<String> = None;
        let mut seen = std::collections::HashSet::new();
        // One --timeout for the whole listing (of the accounts, or of one account's roles), all pages together.
        let deadline = self.transport.deadline();
        for _ in 0..MAX_PAGES {
            let page = self
                .transport
                .call_within(&deadline, &request(next.as_deref()), log, |r| parse(r, context))??;
            items.extend(page.items);
            match page.next_token {
                None => return Ok(items),
                Some(token) if !seen.insert(token.clone()) => {
                    return Err(Failure::new(
                        Exit::Network,
                        format!(
                            "the portal returned the same nextToken twice while listing ({}); stopping instead of \
                             looping",
                            context.operation
                        ),
                    ));
                }
                Some(token) => next = Some(token),
            }
        }
        Err(Failure::new(
            Exit::Network,
            format!("more than {MAX_PAGES} pages while listing; stopping"),
        ))
    }

    pub(super) fn accounts(&self, log: &Log) -> Result<Vec<AccountInfo>, Failure> {
        let context = self.context("ListAccounts", None);
        self.paginate(
            log,
            &context,
            |next| list_accounts_request(&self.endpoint, &self.token, next, Some(PAGE_SIZE)),
            parse_list_accounts_response,
        )
    }

    fn roles(&self, log: &Log, account_id: &AccountId) -> Result<Vec<RoleInfo>, Failure> {
        let context = self.context("ListAccountRoles", Some(account_id));
        self.paginate(
            log,
            &context,
            |next| list_account_roles_request(&self.endpoint, &self.token, account_id, next, Some(PAGE_SIZE)),
            parse_list_account_roles_response,
        )
    }
}

/// Listing makes many calls; throttling is expected, so retry longer than a single export does.
const LISTING_ATTEMPTS: u32 = 10;

pub fn accounts(args: &AccountsArgs, log: &Log) -> Result<(), Failure> {
    let portal = Portal::open(&args.portal, &Inputs::read(), log)?;
    let mut accounts = portal.accounts(log)?;
    accounts.sort_by(|a, b| (&a.account_name, &a.account_id).cmp(&(&b.account_name, &b.account_id)));
    let text = match args.output {
        ListOutput::Json => json_lines(&accounts),
        ListOutput::Table => table(
            &["ACCOUNT ID", "NAME", "E-MAIL"],
            accounts
                .iter()
                .map(|a| vec![a.account_id.clone(), a.account_name.clone(), a.email_address.clone()])
                .collect(),
        ),
    };
    output::print_stdout(&text)
}

/// One row of `ssocreds roles` output.
#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct RoleRow {
    pub account_id: String,
    pub account_name: String,
    pub role_name: String,
}

pub fn roles(args: &RolesArgs, log: &Log) -> Result<(), Failure> {
    let only = args.account_id.as_deref().map(AccountId::new).transpose()?;
    let portal = Portal::open(&args.portal, &Inputs::read(), log)?;
    let accounts: Vec<(AccountId, String)> = match only {
        Some(id) => vec![(id, String::new())],
        None => portal
            .accounts(log)?
            .into_iter()
            .filter_map(|a| AccountId::new(&a.account_id).ok().map(|id| (id, a.account_name)))
            .collect(),
    };
    let (mut rows, failures) = list_roles_concurrently(&portal, &accounts, args.concurrency as usize, log);
    rows.sort_by(|a, b| {
        (&a.account_name, &a.account_id, &a.role_name).cmp(&(&b.account_name, &b.account_id, &b.role_name))
    });
    let text = match args.output {
        ListOutput::Json => json_lines(&rows),
        ListOutput::Table => table(
            &["ACCOUNT ID", "ACCOUNT NAME", "ROLE"],
            rows.iter()
                .map(|r| vec![r.account_id.clone(), r.account_name.clone(), r.role_name.clone()])
                .collect(),
        ),
    };
    // When no account could be listed there is nothing to print, not even the header.
    if !rows.is_empty() || failures.is_empty() {
        output::print_stdout(&text)?;
    }
    if failures.is_empty() {
        return Ok(());
    }
    // Report every account that could not be listed; the exit code is that of the first failure.
    let exit = failures[0].1.exit;
    let mut message = format!(
        "the roles of {} of {} account(s) could not be listed (the others are printed above):",
        failures.len(),
        accounts.len()
    );
    for (account, failure) in &failures {
        message.push_str(&format!("\n  {account}: {}", failure.message));
    }
    Err(Failure::new(exit, message))
}

pub(super) fn list_roles_concurrently(
    portal: &Portal,
    accounts: &[(AccountId, String)],
    concurrency: usize,
    log: &Log,
) -> (Vec<RoleRow>, Vec<(AccountId, Failure)>) {
    let next = AtomicUsize::new(0);
    let done = AtomicUsize::new(0);
    let rows = Mutex::new(Vec::new());
    let failures = Mutex::new(Vec::new());
    let progress = Progress::new(accounts.len(), log);
    std::thread::scope(|scope| {
        for _ in 0..concurrency.min(accounts.len().max(1)) {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some((account_id, account_name)) = accounts.get(i) else {
                        break;
                    };
                    match portal.roles(log, account_id) {
                        Ok(roles) => rows
                            .lock()
                            .expect("no worker panics")
                            .extend(roles.into_iter().map(|r| RoleRow {
                                account_id: r.account_id,
                                account_name: account_name.clone(),
                                role_name: r.role_name,
                            })),
                        Err(failure) => failures
                            .lock()
                            .expect("no worker panics")
                            .push((account_id.clone(), failure)),
                    }
                    progress.tick(done.fetch_add(1, Ordering::Relaxed) + 1);
                }
            });
        }
    });
    progress.finish();
    let mut failures = failures.into_inner().expect("no worker panics");
    failures.sort_by(|a, b| a.0.cmp(&b.0));
    (rows.into_inner().expect("no worker panics"), failures)
}

/// A one-line progress counter on stderr, only when stderr is a terminal.
struct Progress {
    total: usize,
    enabled: bool,
}

impl Progress {
    fn new(total: usize, log: &Log) -> Self {
        Self {
            total,
            enabled: total > 1 && !log.quiet && std::io::stderr().is_terminal(),
        }
    }

    fn tick(&self, done: usize) {
        if self.enabled {
            eprint!("\rlisting roles: {done}/{} accounts", self.total);
        }
    }

    fn finish(&self) {
        if self.enabled {
            eprint!("\r\x1b[2K");
        }
    }
}

fn json_lines<T: serde::Serialize>(items: &[T]) -> String {
    format!("{}\n", serde_json::to_string_pretty(items).expect("rows serialize"))
}

/// Aligned columns; the header is bold on a terminal unless `NO_COLOR` is set.
fn table(header: &[&str], rows: Vec<Vec<String>>) -> String {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in &rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let color = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    let line = |cells: Vec<String>| {
        let mut text = String::new();
        for (i, (cell, width)) in cells.iter().zip(&widths).enumerate() {
            if i + 1 == cells.len() {
                text.push_str(cell);
            } else {
                text.push_str(&format!("{cell:<width$}  ", width = *width));
            }
        }
        text.trim_end().to_owned() + "\n"
    };
    let mut out = line(header.iter().map(|h| (*h).to_owned()).collect());
    if color {
        out = format!("\x1b[1m{}\x1b[0m\n", out.trim_end());
    }
    for row in rows {
        out.push_str(&line(row.into_iter().map(|c| sanitize_cell(&c)).collect()));
    }
    out
}

/// Account names come from the server: keep control characters out of the terminal.
fn sanitize_cell(text: &str) -> String {
    text.chars().map(|c| if c.is_control() { '?' } else { c }).collect()
}
