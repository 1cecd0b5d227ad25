//! The command line.

use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser};
use clap::{Args, Parser, Subcommand, ValueEnum};
use clap_complete::ArgValueCandidates;
use sso_core::ExportFormat;

use crate::commands::completions::{profile_candidates, sso_session_candidates};
use crate::failure::{Exit, exit_code_help};

/// Turn an AWS IAM Identity Center (SSO) sign-in into temporary role credentials.
#[derive(Debug, Parser)]
#[command(name = "ssocreds", version, after_help = exit_code_help(&Exit::ALL), max_term_width = 110)]
pub struct Cli {
    /// Show each request (token redacted), each answer's status and timing, and which files are used.
    #[arg(short, long, global = true)]
    pub verbose: bool,

    /// Print no warnings (errors are still printed).
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Sign in to IAM Identity Center in the browser and cache the token where the AWS CLI does.
    ///
    /// Writes ~/.aws/sso/cache/<sha1>.json with the fields `aws sso login` writes, so the AWS CLI, the SDKs and
    /// ssocreds all use it. Authorization code with PKCE for sso-session profiles; device code with
    /// --use-device-code, and for legacy profiles (as the AWS CLI does).
    Login(LoginArgs),
    /// Sign out: end the session on the portal, then remove the cached tokens and ssocreds' role credentials.
    Logout(LogoutArgs),
    /// Fetch role credentials and print them as shell exports (or another format) on stdout.
    ///
    /// Use it as: eval "$(ssocreds export --profile dev)" or
    /// eval "$(ssocreds export --account-id 111122223333 --role-name ReadOnly)"
    Export(ExportArgs),
    /// Print credentials for `credential_process`, reusing cached role credentials while they last.
    ///
    /// In ~/.aws/config: credential_process = ssocreds process --profile dev
    Process(ProcessArgs),
    /// Write credentials into ~/.aws/credentials (or AWS_SHARED_CREDENTIALS_FILE), keeping everything else.
    Write(WriteArgs),
    /// Run a command with the credentials (and region) in its environment; its exit code becomes ours.
    Exec(ExecArgs),
    /// Show which token cache file is used, its start URL, region and time left.
    Token(TokenArgs),
    /// List the accounts the token can reach (id, name, e-mail), following every page.
    Accounts(AccountsArgs),
    /// List the roles of one account, or of every account (concurrently, polite to the portal's rate limits).
    Roles(RolesArgs),
    /// Write a profile into ~/.aws/config for every account and role the sign-in can reach.
    ///
    /// The profiles go in a marked block per sso-session: a re-run replaces only that block, your own sections
    /// and comments stay byte for byte, and a run that changes nothing writes nothing.
    Populate(PopulateArgs),
    /// Serve fresh credentials to the AWS SDKs from a local container credentials endpoint on 127.0.0.1.
    ///
    /// Fetches credentials, prints AWS_CONTAINER_CREDENTIALS_FULL_URI and AWS_CONTAINER_AUTHORIZATION_TOKEN, then
    /// serves until SIGINT or SIGTERM; the SDKs ask it again whenever their credentials near expiry, and it fetches
    /// new ones in the background. Use it as: ssocreds serve --profile dev > serve.env & (then . ./serve.env where
    /// the program runs), or run one command with ssocreds exec --serve.
    Serve(ServeArgs),
    /// Open the AWS console as the role, in the browser, without the access portal.
    ///
    /// Fetches role credentials as `export` does, exchanges them for a sign-in token at the AWS federation
    /// endpoint, and opens the sign-in URL with the browser. The URL signs in whoever opens it: it is printed only
    /// with --print.
    Console(ConsoleArgs),
    /// Print the shell completion script (commands, flags, formats and the profile names of ~/.aws/config).
    Completions(CompletionsArgs),
    /// Print the man page (roff), every command and flag included.
    ///
    /// Install it as: ssocreds man > ~/.local/share/man/man1/ssocreds.1
    Man,
}

/// Table for people or JSON for scripts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ListOutput {
    /// aligned, sorted columns
    Table,
    /// a JSON array
    Json,
}

/// The token, region and network settings that every portal call needs.
#[derive(Debug, Args, Clone)]
pub struct PortalArgs {
    /// Use the sign-in of this profile of ~/.aws/config [env: AWS_PROFILE].
    #[arg(long, short = 'p', value_name = "NAME", add = ArgValueCandidates::new(profile_candidates))]
    pub profile: Option<String>,

    /// The IAM Identity Center region [default: the profile's sso_region, else the token file's region].
    #[arg(long, value_name = "REGION")]
    pub region: Option<String>,

    #[command(flatten)]
    pub source: TokenSource,

    #[command(flatten)]
    pub network: NetworkArgs,
}

#[derive(Debug, Args)]
pub struct AccountsArgs {
    /// Output format.
    #[arg(long, short = 'o', value_enum, default_value = "table")]
    pub output: ListOutput,

    #[command(flatten)]
    pub portal: PortalArgs,
}

#[derive(Debug, Args)]
pub struct RolesArgs {
    /// Only this account [default: every account the token can reach].
    #[arg(long, value_name = "ID")]
    pub account_id: Option<String>,

    /// Output format.
    #[arg(long, short = 'o', value_enum, default_value = "table")]
    pub output: ListOutput,

    /// How many accounts to list at once.
    #[arg(long, value_name = "N", default_value_t = 16, value_parser = clap::value_parser!(u32).range(1..=64))]
    pub concurrency: u32,

    #[command(flatten)]
    pub portal: PortalArgs,
}

/// Which credentials: a profile of ~/.aws/config, or an account and role with a token.
#[derive(Debug, Args, Clone)]
pub struct TargetArgs {
    /// A profile of ~/.aws/config (or AWS_CONFIG_FILE) with SSO settings, or a role profile (role_arn +
    /// source_profile) on top of one [env: AWS_PROFILE, used when --account-id and --role-name are not both given]
    #[arg(long, short = 'p', value_name = "NAME", add = ArgValueCandidates::new(profile_candidates))]
    pub profile: Option<String>,

    /// The 12-digit AWS account id [default: the profile's sso_account_id].
    #[arg(long, value_name = "ID")]
    pub account_id: Option<String>,

    /// The role (permission set) name, case-sensitive [default: the profile's sso_role_name].
    #[arg(long, value_name = "NAME")]
    pub role_name: Option<String>,

    /// The IAM Identity Center region [default: the profile's sso_region, else the token file's region].
    #[arg(long, value_name = "REGION")]
    pub region: Option<String>,

    /// The six-digit code of the MFA device, for a role profile with mfa_serial [default: ask on the terminal].
    #[arg(long, value_name = "CODE")]
    pub mfa_code: Option<String>,

    #[command(flatten)]
    pub source: TokenSource,

    #[command(flatten)]
    pub refresh: RefreshArgs,

    #[command(flatten)]
    pub network: NetworkArgs,
}

/// When to refresh the SSO token.
#[derive(Debug, Args, Clone)]
pub struct RefreshArgs {
    /// Refresh the SSO token through OIDC when it has less than this many minutes left (possible when its cache
    /// file has a refresh token and an unexpired client registration, as after a sign-in with sso_session).
    #[arg(long, value_name = "MINUTES", default_value_t = 5)]
    pub refresh_minutes: i64,

    /// Never refresh the SSO token (and never write its cache file).
    #[arg(long)]
    pub no_refresh: bool,

    /// Warn when the SSO token has less than this many minutes left.
    #[arg(long, value_name = "MINUTES", default_value_t = 15)]
    pub warn_minutes: i64,
}

/// Where the SSO access token comes from.
#[derive(Debug, Args, Clone)]
pub struct TokenSource {
    /// Token cache file to use, or - for standard input [default: search ~/.aws/sso/cache]
    #[arg(long, value_name = "FILE")]
    pub cache: Option<String>,

    /// When searching the cache folder, use the token of this start URL.
    #[arg(long, value_name = "URL")]
    pub start_url: Option<String>,
}

/// How to reach the portal.
#[derive(Debug, Args, Clone)]
pub struct NetworkArgs {
    /// Send requests here instead of the regional portal [env: AWS_ENDPOINT_URL_SSO, AWS_ENDPOINT_URL].
    /// https:// only, except http:// to 127.0.0.1, [::1] or localhost.
    #[arg(long, value_name = "URL")]
    pub endpoint_url: Option<String>,

    /// Extra trusted CA certificates (PEM), for corporate TLS inspection.
    #[arg(long, value_name = "FILE", env = "AWS_CA_BUNDLE")]
    pub ca_bundle: Option<String>,

    /// Give up on an operation after this many seconds, all attempts and waits together (listings: per account).
    #[arg(long, value_name = "SECONDS", default_value_t = 30)]
    pub timeout: u64,

    /// Give up connecting after this many seconds, per connection.
    #[arg(long, value_name = "SECONDS", default_value_t = 5)]
    pub connect_timeout: u64,

    /// Attempts in all for throttling, server errors and connection failures, 1 = no retry [default: 4; 10 for
    /// accounts and roles, which expect throttling]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=20))]
    pub max_attempts: Option<u32>,
}

/// `--format`: the core's own format names (`ExportFormat::ALL`), each with a line of help.
fn export_format_parser() -> impl TypedValueParser<Value = ExportFormat> {
    let values = ExportFormat::ALL.map(|format| {
        let help = match format {
            ExportFormat::Env => "export NAME=value (bash, zsh, sh)",
            ExportFormat::EnvNoExport => "NAME=value with shell quoting",
            ExportFormat::Dotenv => "NAME=value for .env files",
            ExportFormat::Fish => "set -gx NAME \"value\" (fish)",
            ExportFormat::PowerShell => "$Env:NAME=\"value\" (PowerShell)",
            ExportFormat::WindowsCmd => "set NAME=value (Windows cmd)",
            ExportFormat::Process => "credential_process JSON (Version 1)",
            ExportFormat::Json => "a JSON object for scripts",
        };
        PossibleValue::new(format.name()).help(help)
    });
    // Only the names above get through the first parser, so the lookup cannot fail.
    PossibleValuesParser::new(values).try_map(|name| ExportFormat::from_name(&name))
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Output format.
    #[arg(long, short = 'f', default_value = "env", value_parser = export_format_parser())]
    pub format: ExportFormat,

    /// Also set AWS_REGION and AWS_DEFAULT_REGION to this region [default: the profile's region, if any].
    #[arg(long, value_name = "REGION")]
    pub export_region: Option<String>,

    #[command(flatten)]
    pub target: TargetArgs,
}

/// `serve --format`: the export formats that can carry the endpoint's two variables (all but `process`).
fn serve_format_parser() -> impl TypedValueParser<Value = ExportFormat> {
    let values = ExportFormat::ALL
        .into_iter()
        .filter(|format| *format != ExportFormat::Process)
        .map(|format| {
            let help = match format {
                ExportFormat::Env => "export NAME=value (bash, zsh, sh)",
                ExportFormat::EnvNoExport => "NAME=value with shell quoting",
                ExportFormat::Dotenv => "NAME=value for .env files and compose's env_file",
                ExportFormat::Fish => "set -gx NAME \"value\" (fish)",
                ExportFormat::PowerShell => "$Env:NAME=\"value\" (PowerShell)",
                ExportFormat::WindowsCmd => "set NAME=value (Windows cmd)",
                _ => "one JSON object with the two variable names as keys",
            };
            PossibleValue::new(format.name()).help(help)
        });
    // Only the names above get through the first parser, so the lookup cannot fail.
    PossibleValuesParser::new(values).try_map(|name| ExportFormat::from_name(&name))
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The port on 127.0.0.1, 0 for any free port (printed in the URI).
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub port: u16,

    /// How the two variables are printed.
    #[arg(long, short = 'f', default_value = "env", value_parser = serve_format_parser())]
    pub format: ExportFormat,

    /// Serve role credentials only while they have more than this many minutes left; fetch new ones before.
    #[arg(long, value_name = "MINUTES", default_value_t = 15, value_parser = clap::value_parser!(i64).range(0..=600))]
    pub min_validity_minutes: i64,

    #[command(flatten)]
    pub target: TargetArgs,
}

#[derive(Debug, Args)]
pub struct ProcessArgs {
    /// Reuse cached role credentials only while they have more than this many minutes left.
    #[arg(long, value_name = "MINUTES", default_value_t = 15)]
    pub min_validity_minutes: i64,

    /// Neither read nor write the role-credentials cache.
    #[arg(long)]
    pub no_cache: bool,

    #[command(flatten)]
    pub target: TargetArgs,
}

#[derive(Debug, Args)]
pub struct WriteArgs {
    /// The section to write [default: the profile's name, else "default"].
    #[arg(long = "as", value_name = "NAME")]
    pub as_profile: Option<String>,

    #[command(flatten)]
    pub target: TargetArgs,
}

#[derive(Debug, Args)]
pub struct ExecArgs {
    /// Also set AWS_REGION and AWS_DEFAULT_REGION to this region [default: the profile's region, if any].
    #[arg(long, value_name = "REGION")]
    pub export_region: Option<String>,

    /// Instead of static keys, give the command a container credentials endpoint on 127.0.0.1 for its lifetime
    /// (AWS_CONTAINER_CREDENTIALS_FULL_URI and AWS_CONTAINER_AUTHORIZATION_TOKEN): its SDK gets fresh credentials
    /// for as long as it runs.
    #[arg(long)]
    pub serve: bool,

    /// With --serve: serve role credentials only while they have more than this many minutes left.
    #[arg(long, value_name = "MINUTES", default_value_t = 15, requires = "serve",
          value_parser = clap::value_parser!(i64).range(0..=600))]
    pub min_validity_minutes: i64,

    #[command(flatten)]
    pub target: TargetArgs,

    /// The command and its arguments, after `--`.
    #[arg(last = true, required = true, value_name = "COMMAND")]
    pub command: Vec<std::ffi::OsString>,
}

#[derive(Debug, Args)]
pub struct PopulateArgs {
    /// The sso-session to populate.
    #[arg(long, value_name = "NAME", conflicts_with = "profile", add = ArgValueCandidates::new(sso_session_candidates))]
    pub sso_session: Option<String>,

    /// Populate the sso-session of this profile [env: AWS_PROFILE].
    #[arg(long, short = 'p', value_name = "NAME", add = ArgValueCandidates::new(profile_candidates))]
    pub profile: Option<String>,

    /// Profile names: {account_name}, {account_id}, {role_name} and {session}; made safe and unique.
    #[arg(long, value_name = "TEMPLATE", default_value = sso_core::DEFAULT_TEMPLATE)]
    pub template: String,

    /// Write `region = REGION` into each profile.
    #[arg(long, value_name = "REGION")]
    pub region: Option<String>,

    /// Print the change as a unified diff instead of writing it.
    #[arg(long)]
    pub dry_run: bool,

    /// How many accounts to list at once.
    #[arg(long, value_name = "N", default_value_t = 16, value_parser = clap::value_parser!(u32).range(1..=64))]
    pub concurrency: u32,

    #[command(flatten)]
    pub network: NetworkArgs,
}

#[derive(Debug, Args)]
pub struct TokenArgs {
    /// The token of this profile of ~/.aws/config [env: AWS_PROFILE].
    #[arg(long, short = 'p', value_name = "NAME", conflicts_with = "all", add = ArgValueCandidates::new(profile_candidates))]
    pub profile: Option<String>,

    /// Every token file in the cache folder, with start URL, sso-session, region and time left.
    #[arg(long)]
    pub all: bool,

    #[command(flatten)]
    pub source: TokenSource,

    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
#[command(after_help = format!("{LOGIN_HELP}\n\n{}", exit_code_help(&LOGIN_EXIT_CODES)))]
pub struct LoginArgs {
    /// Sign in for this profile of ~/.aws/config [env: AWS_PROFILE; default: the profile `default`].
    #[arg(long, short = 'p', value_name = "NAME", conflicts_with_all = ["sso_session", "start_url"], add = ArgValueCandidates::new(profile_candidates))]
    pub profile: Option<String>,

    /// Sign in for this [sso-session NAME] of ~/.aws/config.
    #[arg(long, value_name = "NAME", conflicts_with = "start_url", add = ArgValueCandidates::new(sso_session_candidates))]
    pub sso_session: Option<String>,

    /// Sign in to this start URL without a profile (with --region): a legacy sign-in, cached under the start
    /// URL's name, with the device code flow.
    #[arg(long, value_name = "URL", requires = "region")]
    pub start_url: Option<String>,

    /// The IAM Identity Center region of --start-url.
    #[arg(long, value_name = "REGION", requires = "start_url")]
    pub region: Option<String>,

    /// Use the device code flow: approve a code shown here, in a browser on any device.
    #[arg(long)]
    pub use_device_code: bool,

    /// Do not open a browser; only print the URL to open.
    #[arg(long)]
    pub no_browser: bool,

    /// Give up when the sign-in is not completed in the browser within this many seconds [default: 300; device
    /// code flow: until the code expires]
    #[arg(long, value_name = "SECONDS", value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub timeout: Option<u64>,

    /// The 127.0.0.1 port that receives the browser's redirect, 0 for any free port.
    #[arg(
        long = "redirect-port",
        visible_alias = "port",
        value_name = "PORT",
        default_value_t = 0
    )]
    pub redirect_port: u16,

    /// Extra trusted CA certificates (PEM), for corporate TLS inspection.
    #[arg(long, value_name = "FILE", env = "AWS_CA_BUNDLE")]
    pub ca_bundle: Option<String>,

    /// Give up connecting to the OIDC service after this many seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 5)]
    pub connect_timeout: u64,
}

const LOGIN_HELP: &str = "\
What it prints (on stderr; stdout stays empty):
  ssocreds: open this URL to sign in: <URL>     always, also when a browser is opened
  ssocreds: the page shows the code: <CODE> …   device code flow
  ssocreds: signed in to <start URL>; …         at the end

The OIDC endpoint is AWS_ENDPOINT_URL_SSO_OIDC, else AWS_ENDPOINT_URL, else https://oidc.<region>.amazonaws.com. \
The client registration is cached beside the token, in the AWS CLI's file, and reused while it is valid. BROWSER, \
when set, is the program that opens the URL (else xdg-open, open or rundll32).

Nothing is written unless the sign-in succeeds, except a new client registration. A --redirect-port in use exits \
2; a rejected code or a wrong state exits 4.";

/// The exit codes `login` can end with.
const LOGIN_EXIT_CODES: [Exit; 8] = [
    Exit::Usage,
    Exit::SignIn,
    Exit::Network,
    Exit::Config,
    Exit::Write,
    Exit::Denied,
    Exit::NotCompleted,
    Exit::Cancelled,
];

#[derive(Debug, Args)]
#[command(after_help = LOGOUT_HELP)]
pub struct LogoutArgs {
    /// Sign out of this profile's sign-in only (AWS_PROFILE is not consulted) [default: every sign-in].
    #[arg(long, short = 'p', value_name = "NAME", conflicts_with = "sso_session", add = ArgValueCandidates::new(profile_candidates))]
    pub profile: Option<String>,

    /// Sign out of this sso-session's sign-in only.
    #[arg(long, value_name = "NAME", add = ArgValueCandidates::new(sso_session_candidates))]
    pub sso_session: Option<String>,

    #[command(flatten)]
    pub network: NetworkArgs,
}

const LOGOUT_HELP: &str = "\
Without --profile or --sso-session, every token file in ~/.aws/sso/cache is signed out of and removed, as `aws sso \
logout` does; client-registration files and files that are not tokens stay. ssocreds' cached role credentials \
(~/.aws/ssocreds/cache) are removed in every case. Role credentials already handed out stay valid until they \
expire: logging out cannot revoke them.

Each unexpired token is sent to the portal's Logout first; a token the portal no longer knows (401) was already \
signed out. When the portal cannot be reached, the files are still removed, and ssocreds says so and exits 7: the \
session then stays valid on the server until the token expires.";

#[derive(Debug, Args)]
#[command(after_help = format!("{CONSOLE_HELP}\n\n{}", exit_code_help(&CONSOLE_EXIT_CODES)))]
pub struct ConsoleArgs {
    /// The console page to open: a service name such as s3 or ec2, or a full https:// URL on the partition's
    /// console [default: the console home]
    #[arg(long, value_name = "SERVICE|URL")]
    pub destination: Option<String>,

    /// The federation endpoint, without /federation [env: AWS_ENDPOINT_URL_SIGNIN; default: the partition's, such as
    /// https://signin.aws.amazon.com]. https:// only, except http:// to 127.0.0.1, [::1] or localhost.
    #[arg(long, value_name = "URL")]
    pub signin_endpoint: Option<String>,

    /// Write the sign-in URL to stdout instead of opening the browser. The URL signs in whoever opens it.
    #[arg(long)]
    pub print: bool,

    #[command(flatten)]
    pub target: TargetArgs,
}

const CONSOLE_HELP: &str = "\
The console opens in the profile's region, else AWS_REGION (--region is the IAM Identity Center region, as in \
export). The federation endpoint follows the partition of the IAM Identity Center region (aws, aws-us-gov, aws-cn). \
BROWSER, when set, is the program that opens the URL (else xdg-open, open or rundll32). Without --print, only \
\"opened the console for ROLE in ACCOUNT\" is printed, on stderr.";

/// The exit codes `console` can end with.
const CONSOLE_EXIT_CODES: [Exit; 8] = [
    Exit::Internal,
    Exit::Usage,
    Exit::Cache,
    Exit::SignIn,
    Exit::NoAccess,
    Exit::Throttled,
    Exit::Network,
    Exit::Config,
];

/// A shell `completions` writes a script for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CompletionShell {
    Bash,
    Zsh,
    Fish,
    #[value(name = "powershell")]
    PowerShell,
    Elvish,
}

#[derive(Debug, Args)]
#[command(after_help = COMPLETIONS_HELP)]
pub struct CompletionsArgs {
    /// The shell.
    #[arg(value_enum)]
    pub shell: CompletionShell,
}

const COMPLETIONS_HELP: &str = "\
Load it at shell start-up, in ~/.bashrc, ~/.zshrc (after compinit), ~/.config/fish/config.fish, \
~/.config/elvish/rc.elv or $PROFILE. At each Tab the script asks ssocreds for the candidates, so profile names are \
read from the config file when you press Tab.
  bash:        source <(ssocreds completions bash)
  zsh:         source <(ssocreds completions zsh)
  fish:        ssocreds completions fish | source
  elvish:      eval (ssocreds completions elvish | slurp)
  PowerShell:  ssocreds completions powershell | Out-String | iex";
