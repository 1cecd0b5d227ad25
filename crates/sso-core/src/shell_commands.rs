//! The exact command lines that fetch role credentials, for a user to copy: the AWS CLI's
//! `aws sso get-role-credentials`, `ssocreds export` and a `curl` call of the portal API.
//!
//! The access token never appears in a command: each one reads it from the token cache file at the time it runs
//! (`jq -r .accessToken FILE` for the AWS CLI and curl, `--cache FILE` for ssocreds), so it stays out of shell
//! history and out of anything the user pastes into a chat. The commands are POSIX shell (bash, zsh, sh; fish
//! accepts `$(…)` since 3.4).

use crate::endpoint::{Endpoint, EndpointOptions};
use crate::export::ExportFormat;
use crate::ids::{AccountId, Region, RoleName};
use crate::portal::{BEARER_HEADER, get_role_credentials_request};
use crate::secret::SecretString;

/// What the commands are about. Every field was validated where it was built, so a command cannot carry shell
/// syntax from its inputs except through `cache_path`, which is quoted.
#[derive(Debug, Clone, Copy)]
pub struct CommandSpec<'a> {
    /// The token cache file, as the user's shell should find it (`~/` is kept unquoted so that it expands).
    pub cache_path: &'a str,
    /// The account to get credentials for.
    pub account_id: &'a AccountId,
    /// The role to assume.
    pub role_name: &'a RoleName,
    /// The region of the IAM Identity Center instance (the token's region).
    pub region: &'a Region,
    /// An endpoint override; `None` means the region's portal.
    pub endpoint: Option<&'a Endpoint>,
    /// The export format for `ssocreds export`.
    pub format: ExportFormat,
    /// For `ssocreds export`: also set `AWS_REGION` and `AWS_DEFAULT_REGION` to this region (`--export-region`).
    pub export_region: Option<&'a Region>,
}

impl CommandSpec<'_> {
    fn endpoint(&self) -> Endpoint {
        self.endpoint
            .cloned()
            .unwrap_or_else(|| Endpoint::portal(self.region, EndpointOptions::default()))
    }

    /// `"$(jq -r .accessToken FILE)"`: the token, read when the command runs.
    fn token_from_file(&self) -> String {
        format!("\"$(jq -r .accessToken {})\"", shell_path(self.cache_path))
    }
}

/// `aws sso get-role-credentials …` with `--output json`, so that the answer is the JSON document the page and
/// `parse_get_role_credentials_response` read whatever the user's default output format is. Needs `jq`.
pub fn aws_cli_command(spec: &CommandSpec<'_>) -> String {
    let mut command = format!(
        "aws sso get-role-credentials --account-id {} --role-name {} --region {} --output json --access-token {}",
        spec.account_id,
        shell_word(spec.role_name.as_str()),
        spec.region,
        spec.token_from_file(),
    );
    if let Some(endpoint) = spec.endpoint {
        command.push_str(&format!(" --endpoint-url {}", shell_word(endpoint.as_str())));
    }
    command
}

/// `ssocreds export …`, which reads the cache file itself and prints the exports in `spec.format`.
pub fn ssocreds_export_command(spec: &CommandSpec<'_>) -> String {
    let mut command = format!(
        "ssocreds export --cache {} --account-id {} --role-name {} --region {} --format {}",
        shell_path(spec.cache_path),
        spec.account_id,
        shell_word(spec.role_name.as_str()),
        spec.region,
        spec.format.name(),
    );
    if let Some(region) = spec.export_region {
        command.push_str(&format!(" --export-region {region}"));
    }
    if let Some(endpoint) = spec.endpoint {
        command.push_str(&format!(" --endpoint-url {}", shell_word(endpoint.as_str())));
    }
    command
}

/// A `curl` call of `GetRoleCredentials`, with the token in the `x-amz-sso_bearer_token` header (never in the
/// URL). Prints the same JSON as the AWS CLI command. Needs `jq` and curl 7.76 or later (`--fail-with-body`).
pub fn curl_command(spec: &CommandSpec<'_>) -> String {
    // The URL comes from the request builder itself, so it cannot drift from what ssocreds sends.
    let request = get_role_credentials_request(
        &spec.endpoint(),
        &SecretString::new(String::new()),
        spec.account_id,
        spec.role_name,
    );
    format!(
        "curl --silent --show-error --fail-with-body --header \"{BEARER_HEADER}: $(jq -r .accessToken {})\" {}",
        shell_path(spec.cache_path),
        shell_word(&request.url),
    )
}

/// Characters that need no quoting in a POSIX shell word.
fn is_plain(value: &str) -> bool {
    !value.is_empty()
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_-./+=:,@%".contains(&b))
}

/// A POSIX shell word: unchanged when plain, otherwise single-quoted.
fn shell_word(value: &str) -> String {
    if is_plain(value) {
        value.to_owned()
    } else {
        format!("'{}'", value.replace('\'', r"'\''"))
    }
}

/// A path as a shell word, leaving a leading `~/` unquoted so that the shell expands it.
fn shell_path(path: &str) -> String {
    match path.strip_prefix("~/") {
        Some(rest) if !rest.is_empty() => format!("~/{}", shell_word(rest)),
        _ => shell_word(path),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    // On wasm32 the same tests run under wasm-bindgen-test (as quinn-proto does).
    #[cfg(all(target_family = "wasm", target_os = "unknown"))]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    struct Ids {
        account: AccountId,
        role: RoleName,
        region: Region,
    }

    fn ids() -> Ids {
        Ids {
            account: AccountId::new("111122223333").unwrap(),
            role: RoleName::new("ReadOnly").unwrap(),
            region: Region::new("eu-west-1").unwrap(),
        }
    }

    fn spec<'a>(ids: &'a Ids, path: &'a str, endpoint: Option<&'a Endpoint>) -> CommandSpec<'a> {
        CommandSpec {
            cache_path: path,
            account_id: &ids.account,
            role_name: &ids.role,
            region: &ids.region,
            endpoint,
            format: ExportFormat::Fish,
            export_region: None,
        }
    }

    const PATH: &str = "~/.aws/sso/cache/0123abcd.json";

    #[test]
    fn aws_cli_reads_the_token_from_the_file() {
        let ids = ids();
        assert_eq!(
            aws_cli_command(&spec(&ids, PATH, None)),
            "aws sso get-role-credentials --account-id 111122223333 --role-name ReadOnly --region eu-west-1 \
             --output json --access-token \"$(jq -r .accessToken ~/.aws/sso/cache/0123abcd.json)\""
        );
    }

    #[test]
    fn ssocreds_export_names_the_format() {
        let ids = ids();
        assert_eq!(
            ssocreds_export_command(&spec(&ids, PATH, None)),
            "ssocreds export --cache ~/.aws/sso/cache/0123abcd.json --account-id 111122223333 --role-name ReadOnly \
             --region eu-west-1 --format fish"
        );
    }

    #[test]
    fn curl_sends_the_token_in_the_header_to_the_regional_portal() {
        let ids = ids();
        assert_eq!(
            curl_command(&spec(&ids, PATH, None)),
            "curl --silent --show-error --fail-with-body --header \"x-amz-sso_bearer_token: $(jq -r .accessToken \
             ~/.aws/sso/cache/0123abcd.json)\" \
             'https://portal.sso.eu-west-1.amazonaws.com/federation/credentials?role_name=ReadOnly&account_id=111122223333'"
        );
    }

    #[test]
    fn export_region_is_passed_to_ssocreds_only() {
        let ids = ids();
        let spec = CommandSpec {
            export_region: Some(&ids.region),
            ..spec(&ids, PATH, None)
        };
        assert!(ssocreds_export_command(&spec).ends_with(" --format fish --export-region eu-west-1"));
        assert!(!aws_cli_command(&spec).contains("export-region"));
    }

    #[test]
    fn an_endpoint_override_is_passed_on() {
        let ids = ids();
        let endpoint = Endpoint::custom("http://127.0.0.1:8080").unwrap();
        let spec = spec(&ids, PATH, Some(&endpoint));
        assert!(aws_cli_command(&spec).ends_with(" --endpoint-url http://127.0.0.1:8080"));
        assert!(ssocreds_export_command(&spec).ends_with(" --endpoint-url http://127.0.0.1:8080"));
        assert!(
            curl_command(&spec).ends_with(
                " 'http://127.0.0.1:8080/federation/credentials?role_name=ReadOnly&account_id=111122223333'"
            )
        );
    }

    #[test]
    fn awkward_paths_are_quoted_but_tilde_still_expands() {
        let ids = ids();
        let command = ssocreds_export_command(&spec(&ids, "~/my cache/it's.json", None));
        assert!(command.contains(r"--cache ~/'my cache/it'\''s.json' "), "{command}");
        let command = aws_cli_command(&spec(&ids, "/tmp/$(rm -rf x).json", None));
        assert!(
            command.contains(r#""$(jq -r .accessToken '/tmp/$(rm -rf x).json')""#),
            "{command}"
        );
        assert_eq!(shell_path("~/"), "'~/'");
    }

    #[test]
    fn role_names_with_shell_characters_are_quoted() {
        let ids = Ids {
            role: RoleName::new("a+b=c,d.e@f_g-h").unwrap(),
            ..ids()
        };
        // Every IAM role name character is plain in POSIX shells, so nothing needs quoting.
        assert!(aws_cli_command(&spec(&ids, PATH, None)).contains("--role-name a+b=c,d.e@f_g-h "));
        assert!(curl_command(&spec(&ids, PATH, None)).contains("role_name=a%2Bb%3Dc%2Cd.e%40f_g-h&"));
    }
}
