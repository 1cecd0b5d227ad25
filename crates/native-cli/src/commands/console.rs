//! `ssocreds console`: role credentials → a sign-in token from the federation endpoint → the console sign-in URL,
//! opened in the browser (or printed with `--print`).
//!
//! The core builds the request, reads the answer and builds the URLs; this file decides the console settings from
//! the flags, the environment snapshot and the credentials plan ([`ConsolePlan::resolve`], pure), and does the I/O.
//! Both the federation request (credentials in its query) and the sign-in URL (a bearer token) are secrets: only
//! their redacted forms are ever logged.

use sso_core::{
    ConsoleDestination, CredentialOrigin, Endpoint, Partition, Region, SigninError, SigninErrorKind, login_url,
    parse_signin_token_response, signin_endpoint, signin_token_request,
};

use super::resolve::CredentialsPlan;
use super::{Inputs, credentials_for, output, plan_credentials};
use crate::cli::ConsoleArgs;
use crate::environment::Environment;
use crate::failure::{Exit, Failure};
use crate::log::Log;
use crate::transport::{Retryable, Transport};

/// Where the federation request goes and which console page opens, decided before any network call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsolePlan {
    pub partition: Partition,
    pub endpoint: Endpoint,
    /// Where the endpoint came from: `--signin-endpoint`, `AWS_ENDPOINT_URL_SIGNIN` or the partition.
    pub endpoint_origin: &'static str,
    pub destination: ConsoleDestination,
    /// Where the region of the destination came from, for `--verbose`.
    pub region_note: Option<String>,
}

impl ConsolePlan {
    /// Flags + environment + the credentials plan → the console settings:
    /// - the partition of the IAM Identity Center region (`--region`, else the profile's `sso_region`); when neither
    ///   names it (the region then comes from the token file, read later), the console region's partition;
    /// - the endpoint: `--signin-endpoint`, else `AWS_ENDPOINT_URL_SIGNIN`, else the partition's;
    /// - the destination, in the profile's `region`, else `AWS_REGION`.
    pub fn resolve(args: &ConsoleArgs, env: &Environment, plan: &CredentialsPlan) -> Result<Self, Failure> {
        let (console_region, region_note) = match plan.target.profile_region() {
            Some(region) => {
                let note = format!("console region {} (the profile's region)", region.as_str());
                (Some(region), Some(note))
            }
            None => match env.chain.aws_region.as_deref() {
                Some(name) => {
                    let region = Region::new(name)
                        .map_err(|e| Failure::new(Exit::Usage, format!("AWS_REGION: {}", crate::failure::chain(&e))))?;
                    (Some(region), Some(format!("console region {name} (from AWS_REGION)")))
                }
                None => (None, None),
            },
        };
        let partition_region = plan.target.requested_region.as_ref().or(console_region.as_ref());
        let partition = match partition_region {
            Some(region) => Partition::of_region(region).map_err(Failure::from)?,
            None => Partition::Aws,
        };
        let (endpoint_origin, override_url) = match (args.signin_endpoint.as_deref(), &env.endpoint_url_signin) {
            (Some(flag), _) if !flag.is_empty() => ("--signin-endpoint", Some(flag)),
            (_, Some(variable)) => (sso_core::SIGNIN_ENDPOINT_VARIABLE, Some(variable.as_str())),
            _ => ("the partition", None),
        };
        let endpoint = signin_endpoint(partition, override_url).map_err(|e| {
            let what = match override_url {
                Some(_) => endpoint_origin,
                None => "the sign-in endpoint",
            };
            Failure::new(Exit::Usage, format!("{what}: {}", crate::failure::chain(&e)))
        })?;
        let destination = ConsoleDestination::resolve(partition, console_region.as_ref(), args.destination.as_deref())
            .map_err(Failure::from)?;
        Ok(Self {
            partition,
            endpoint,
            endpoint_origin,
            destination,
            region_note,
        })
    }
}

impl Retryable for SigninError {
    fn retry_hint(&self) -> (bool, Option<std::time::Duration>) {
        let retryable = matches!(self.kind, SigninErrorKind::TooManyRequests | SigninErrorKind::Server);
        (retryable, None)
    }
}

/// Where the plan's credentials come from: the portal, or a role chain (the federation endpoint refuses a
/// `SessionDuration` with role-chained credentials; `console` sends none today).
fn credential_origin(plan: &CredentialsPlan) -> CredentialOrigin {
    if plan.target.chain.is_some() {
        CredentialOrigin::RoleChaining
    } else {
        CredentialOrigin::Portal
    }
}

pub fn run(args: &ConsoleArgs, log: &Log) -> Result<(), Failure> {
    // The credentials go through the steps every command shares (plan, then token and call, then the role chain);
    // console's own two variables (AWS_ENDPOINT_URL_SIGNIN, AWS_REGION) come from the same one snapshot.
    let inputs = Inputs::read();
    let plan = plan_credentials(&args.target, &inputs, log)?;
    let console = ConsolePlan::resolve(args, &inputs.env, &plan)?;
    if let Some(note) = &console.region_note {
        log.verbose(note);
    }
    log.verbose(&format!(
        "partition {}, federation endpoint {} (from {})",
        console.partition,
        console.endpoint.as_str(),
        console.endpoint_origin
    ));
    log.verbose(&format!("destination {}", console.destination));

    let credentials = credentials_for(&plan, plan.now, log)?;
    let request =
        signin_token_request(&console.endpoint, &credentials, None, credential_origin(&plan)).map_err(Failure::from)?;
    drop(credentials);
    // Only an override can point at a loopback address; the partitions' endpoints never do.
    let transport = Transport::new(&plan.network.transport, console.endpoint.is_loopback())?;
    let token = transport
        .call_with_secret_url(
            request.http_request(),
            request.redacted_url(),
            log,
            parse_signin_token_response,
        )?
        .map_err(Failure::from)?;
    drop(request);
    let login = login_url(&console.endpoint, &console.destination, &token);
    log.verbose(&format!("sign-in URL {}", login.redacted()));

    if args.print {
        return output::print_stdout(&format!("{}\n", login.expose()));
    }
    crate::browser::open(login.expose()).map_err(|why| {
        Failure::new(
            Exit::CannotRun,
            format!(
                "could not start a browser ({why}); set BROWSER to the program that opens URLs, or run again with \
                 --print and open the URL yourself (it signs in whoever opens it: share it with no one)"
            ),
        )
    })?;
    log.info(&format!("opened the console for {}", plan.target.describe()));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::{Cli, Command};
    use crate::commands::resolve::{ConfigText, resolve_credentials};
    use clap::Parser;

    const CONFIG: &str = "\
[profile eu]
sso_start_url = https://example.awsapps.com/start
sso_region = us-east-1
sso_account_id = 111122223333
sso_role_name = ReadOnly
region = eu-west-1

[profile gov]
sso_start_url = https://example.awsapps.com/start
sso_region = us-gov-west-1
sso_account_id = 111122223333
sso_role_name = ReadOnly
";

    fn resolve(args: &[&str], env: &Environment) -> Result<ConsolePlan, Failure> {
        let mut argv = vec!["ssocreds", "console"];
        argv.extend_from_slice(args);
        let Command::Console(console) = Cli::try_parse_from(argv).unwrap().command else {
            unreachable!()
        };
        let config = ConfigText(Ok(("config".into(), Some(CONFIG.to_owned()))));
        let plan = resolve_credentials(&console.target, env, chrono::Utc::now(), config, &Vec::new)?;
        ConsolePlan::resolve(&console, env, &plan)
    }

    #[test]
    fn the_profile_region_wins_over_aws_region() {
        let env = Environment {
            chain: sso_core::ChainEnvironment {
                aws_region: Some("ap-south-1".into()),
                ..Default::default()
            },
            ..Environment::default()
        };
        let plan = resolve(&["--profile", "eu"], &env).unwrap();
        assert_eq!(
            plan.destination.as_str(),
            "https://console.aws.amazon.com/?region=eu-west-1"
        );
        assert_eq!(plan.endpoint.as_str(), "https://signin.aws.amazon.com");
        let plan = resolve(&["--profile", "gov"], &env).unwrap();
        assert_eq!(
            plan.destination.as_str(),
            "https://console.amazonaws-us-gov.com/?region=ap-south-1"
        );
        assert_eq!(plan.endpoint.as_str(), "https://signin.amazonaws-us-gov.com");
    }

    #[test]
    fn the_sso_region_picks_the_partition_and_region_does_not_open_the_console_there() {
        let args = [
            "--account-id",
            "111122223333",
            "--role-name",
            "R",
            "--region",
            "cn-north-1",
        ];
        let plan = resolve(&args, &Environment::default()).unwrap();
        assert_eq!(plan.partition, Partition::AwsCn);
        assert_eq!(plan.destination.as_str(), "https://console.amazonaws.cn/");
    }

    #[test]
    fn the_flag_wins_over_the_variable_and_plain_endpoint_url_does_not_apply() {
        let env = Environment {
            endpoint_url_signin: Some("http://127.0.0.1:1".into()),
            endpoint_url: Some("http://127.0.0.1:2".into()),
            ..Environment::default()
        };
        let plan = resolve(&["--profile", "eu"], &env).unwrap();
        assert_eq!(plan.endpoint.as_str(), "http://127.0.0.1:1");
        assert_eq!(plan.endpoint_origin, "AWS_ENDPOINT_URL_SIGNIN");
        let plan = resolve(&["--profile", "eu", "--signin-endpoint", "http://localhost:3"], &env).unwrap();
        assert_eq!(plan.endpoint_origin, "--signin-endpoint");
        let env = Environment {
            endpoint_url: Some("http://127.0.0.1:2".into()),
            ..Environment::default()
        };
        assert_eq!(
            resolve(&["--profile", "eu"], &env).unwrap().endpoint.as_str(),
            "https://signin.aws.amazon.com"
        );
    }

    #[test]
    fn plain_http_away_from_this_machine_and_foreign_destinations_are_usage_errors() {
        let env = Environment::default();
        let error = resolve(&["--profile", "eu", "--signin-endpoint", "http://signin.example"], &env).unwrap_err();
        assert_eq!(error.exit, Exit::Usage);
        assert!(error.message.starts_with("--signin-endpoint: "), "{}", error.message);
        let error = resolve(
            &[
                "--profile",
                "eu",
                "--destination",
                "https://console.aws.amazon.com.evil.example/",
            ],
            &env,
        )
        .unwrap_err();
        assert_eq!(error.exit, Exit::Usage);
        let env = Environment {
            chain: sso_core::ChainEnvironment {
                aws_region: Some("not a region".into()),
                ..Default::default()
            },
            ..Environment::default()
        };
        let args = ["--account-id", "111122223333", "--role-name", "R"];
        assert_eq!(resolve(&args, &env).unwrap_err().exit, Exit::Usage);
    }

    #[test]
    fn each_signin_error_has_its_exit_code() {
        let cases = [
            (SigninErrorKind::CredentialsRefused, Exit::SignIn),
            (SigninErrorKind::Forbidden, Exit::NoAccess),
            (SigninErrorKind::TooManyRequests, Exit::Throttled),
            (SigninErrorKind::Server, Exit::Network),
            (SigninErrorKind::UnexpectedResponse, Exit::Network),
        ];
        for (kind, exit) in cases {
            let error = SigninError {
                kind,
                status: 400,
                detail: None,
            };
            assert_eq!(Failure::from(error).exit, exit, "{kind:?}");
        }
    }
}
