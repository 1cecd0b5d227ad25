//! End-to-end tests: the real `ssocreds` binary, a temporary HOME, and the fake portal on 127.0.0.1.

// Running the binary, temporary homes, snapshot filters.
mod harness;

// Every output format, evaluated by a real shell, gives back every value byte for byte.
mod formats;

// Empty, truncated, mistyped, huge and binary cache files; expired and rejected tokens; wrong region and role;
// server errors and throttling: each with its message, exit code, and no secret printed.
mod failures;

// Finding the token in ~/.aws/sso/cache: client registrations, bad files, several sign-ins.
mod discovery;

// Endpoints, retries, Retry-After, what goes on the wire.
mod network;

// `ssocreds accounts` and `ssocreds roles`: pagination edges, throttling storms, failing accounts.
mod listing;

// Profiles of ~/.aws/config, token refresh through OIDC (once, under concurrency), process, write, exec.
mod profiles;

// The `[default]` profile when no profile is named: for every command.
mod default_profile;
// Warnings shown by default: config lines the AWS CLI reads otherwise, account ids that are not 12 digits.
mod config_warnings;

// `ssocreds populate`: generated profiles in a marked block, idempotent, user text kept byte for byte.
mod populate;

// `ssocreds login` (authorization code with PKCE, device code) and `logout` against the fake OIDC server, with
// the test as the browser; botocore reads the cache they write.
mod login;

// TLS with an extra CA bundle (corporate TLS inspection) and proxies from the environment.
mod tls;

// Files linked in from a dotfiles repository: populate, write, a refresh and login write through the link to its
// final target; a read-only target is refused with both paths named and nothing changed.
mod links;

// `ssocreds console`: the sign-in URL from the fake federation endpoint, its destination per profile, service and
// partition, the browser, and every failure with its exit code and no secret.
mod console;

// `ssocreds completions` loaded by real bash, fish and zsh (commands, flags, profile names); `ssocreds man`
// rendered by man without warnings.
mod completions;

// Role chains (role_arn + source_profile on top of an SSO profile) through export, process, write and exec against
// the fake STS: session names, durations, external ids, MFA, STS endpoints, the process cache's keys, each error's
// exit code, and botocore resolving the same profile to the same role.
mod chains;

// `ssocreds serve` and `exec --serve`: botocore and the JavaScript SDK read the container endpoint and get the next
// credentials; refusals, one portal call under concurrency, slow clients, signals, formats, exit codes.
mod serve;
