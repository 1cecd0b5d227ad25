//! A console sign-in URL for role credentials, through the federation endpoint (`signin.aws.amazon.com/federation`),
//! as data: the endpoint of the partition, the `getSigninToken` request, its answer, the destination and the login
//! URL. The host sends the request and opens (or prints) the URL.
//!
//! The flow, as the IAM User Guide describes it ("Enable custom identity broker access to the AWS console"):
//! 1. `GET <signin>/federation?Action=getSigninToken&Session=<URL-encoded JSON {sessionId, sessionKey,
//!    sessionToken}>` answers `{"SigninToken": "…"}`;
//! 2. the browser opens `<signin>/federation?Action=login&Issuer=ssocreds&Destination=<console URL>&SigninToken=…`.
//!
//! Both URLs are secrets: the first carries the role credentials in its query, the second is a bearer token for a
//! console session (valid for 15 minutes). Neither `Debug` shows them; [`SigninTokenRequest::redacted_url`] and
//! [`LoginUrl::redacted`] are what logs may show.

use serde::{Deserialize, Serialize};
use url::{Host, Url};
use zeroize::Zeroize;

use crate::endpoint::{Endpoint, EndpointError};
use crate::http::{HttpRequest, HttpResponse, Method, percent_encode};
use crate::ids::Region;
use crate::portal::RoleCredentials;
use crate::quote::Quoted;
use crate::secret::SecretString;

/// The environment variable that overrides the sign-in endpoint, as the SDKs name service-specific endpoint
/// variables (`AWS_ENDPOINT_URL_<SERVICE>`). Plain `AWS_ENDPOINT_URL` does not apply: it points the portal and OIDC
/// calls at an emulator, which has no console.
pub const SIGNIN_ENDPOINT_VARIABLE: &str = "AWS_ENDPOINT_URL_SIGNIN";

/// The `Issuer` of the login URL: where the console sends the user when the session ends.
pub const CONSOLE_ISSUER: &str = "ssocreds";

/// An AWS partition that has a public console and a federation endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Partition {
    /// `aws`: every commercial region.
    Aws,
    /// `aws-us-gov`: `us-gov-west-1`, `us-gov-east-1`.
    AwsUsGov,
    /// `aws-cn`: `cn-north-1`, `cn-northwest-1`.
    AwsCn,
}

impl Partition {
    /// The partition of a region (the IAM Identity Center region: the credentials belong to its partition).
    ///
    /// The isolated partitions (`us-iso-east-1`, `us-isob-east-1`, `eu-isoe-west-1`, `us-isof-south-1`, …) have no
    /// public federation endpoint: an error that says to pass the endpoint.
    pub fn of_region(region: &Region) -> Result<Self, ConsoleError> {
        let name = region.as_str();
        if name.starts_with("cn-") {
            Ok(Self::AwsCn)
        } else if name.starts_with("us-gov-") {
            Ok(Self::AwsUsGov)
        } else if name.split('-').any(|part| part.starts_with("iso")) {
            Err(ConsoleError::UnsupportedPartition {
                region: name.to_owned(),
            })
        } else {
            Ok(Self::Aws)
        }
    }

    /// The partition's name, as in ARNs: `aws`, `aws-us-gov`, `aws-cn`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Aws => "aws",
            Self::AwsUsGov => "aws-us-gov",
            Self::AwsCn => "aws-cn",
        }
    }

    /// The federation endpoint's base URL: `https://signin.aws.amazon.com` and its kin.
    pub fn signin_url(self) -> &'static str {
        match self {
            Self::Aws => "https://signin.aws.amazon.com",
            Self::AwsUsGov => "https://signin.amazonaws-us-gov.com",
            Self::AwsCn => "https://signin.amazonaws.cn",
        }
    }

    /// The console's host: `console.aws.amazon.com` and its kin. Its subdomains (`eu-west-1.console.aws.amazon.com`,
    /// `s3.console.aws.amazon.com`) are the partition's console too.
    pub fn console_host(self) -> &'static str {
        match self {
            Self::Aws => "console.aws.amazon.com",
            Self::AwsUsGov => "console.amazonaws-us-gov.com",
            Self::AwsCn => "console.amazonaws.cn",
        }
    }
}

impl std::fmt::Display for Partition {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// The federation endpoint: `override_url` if given (`--signin-endpoint`, else `AWS_ENDPOINT_URL_SIGNIN`; the host
/// picks, and treats an empty value as unset), else the partition's. An override follows the rules of every other
/// endpoint override ([`Endpoint::custom`]): `https://`, or `http://` to this machine only, since the request
/// carries the role credentials.
pub fn signin_endpoint(partition: Partition, override_url: Option<&str>) -> Result<Endpoint, EndpointError> {
    Endpoint::custom(override_url.unwrap_or(partition.signin_url()))
}

/// Where the role credentials came from, which decides what the federation endpoint accepts with them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CredentialOrigin {
    /// The portal's `GetRoleCredentials` (an `AssumeRole*` session of IAM Identity Center): `SessionDuration` allowed.
    #[default]
    Portal,
    /// `AssumeRole` called with temporary credentials (role chaining): `SessionDuration` makes the federation
    /// endpoint fail, so it is refused here.
    RoleChaining,
}

/// The length of the console session (`SessionDuration`): 900 to 43,200 seconds (15 minutes to 12 hours).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct ConsoleSessionDuration(u32);

impl ConsoleSessionDuration {
    /// The shortest session the federation endpoint accepts, in seconds.
    pub const MIN_SECONDS: u32 = 900;
    /// The longest session the federation endpoint accepts, in seconds.
    pub const MAX_SECONDS: u32 = 43_200;

    /// Checks a duration in seconds against the federation endpoint's range.
    pub fn from_seconds(seconds: u32) -> Result<Self, ConsoleError> {
        if (Self::MIN_SECONDS..=Self::MAX_SECONDS).contains(&seconds) {
            Ok(Self(seconds))
        } else {
            Err(ConsoleError::InvalidSessionDuration { seconds })
        }
    }

    /// The duration in seconds.
    pub fn seconds(self) -> u32 {
        self.0
    }
}

/// A console request that cannot be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConsoleError {
    /// An isolated partition: no public federation endpoint is known.
    #[error(
        "no console sign-in endpoint is known for region {region} (an isolated partition); pass the federation \
         endpoint with --signin-endpoint or AWS_ENDPOINT_URL_SIGNIN"
    )]
    UnsupportedPartition {
        /// The region.
        region: String,
    },
    /// `--destination` is neither a service name nor a console URL of the partition.
    #[error(
        "console destination {}: {reason}. Give a service name such as s3 or ec2, or a full https:// URL on \
         {console_host} (or one of its regional hosts such as eu-west-1.{console_host})",
        Quoted(.value)
    )]
    InvalidDestination {
        /// What was given (shortened).
        value: String,
        /// What is wrong with it.
        reason: &'static str,
        /// The partition's console host.
        console_host: &'static str,
    },
    /// A `SessionDuration` out of range.
    #[error("a console session lasts 900 to 43200 seconds (15 minutes to 12 hours); {seconds} seconds is outside that")]
    InvalidSessionDuration {
        /// The seconds asked for.
        seconds: u32,
    },
    /// A `SessionDuration` with credentials from role chaining, which the federation endpoint refuses.
    #[error(
        "a console session duration cannot be set for credentials from role chaining (the federation endpoint \
         refuses it); leave the duration out and the console session lasts as long as the credentials"
    )]
    SessionDurationWithRoleChaining,
}

impl ConsoleError {
    /// A stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::UnsupportedPartition { .. } => "CONSOLE_UNSUPPORTED_PARTITION",
            Self::InvalidDestination { .. } => "CONSOLE_INVALID_DESTINATION",
            Self::InvalidSessionDuration { .. } => "CONSOLE_INVALID_SESSION_DURATION",
            Self::SessionDurationWithRoleChaining => "CONSOLE_SESSION_DURATION_WITH_ROLE_CHAINING",
        }
    }
}

/// The `Session` parameter: the role credentials under the names the federation endpoint reads.
#[derive(Serialize)]
struct Session<'a> {
    #[serde(rename = "sessionId")]
    session_id: &'a str,
    #[serde(rename = "sessionKey")]
    session_key: &'a str,
    #[serde(rename = "sessionToken")]
    session_token: &'a str,
}

/// The `getSigninToken` request. It holds the role credentials in its URL: `Debug` shows
/// [`redacted_url`](Self::redacted_url) only, and the URL is wiped on drop.
#[derive(Clone, PartialEq, Eq)]
pub struct SigninTokenRequest {
    request: HttpRequest,
    redacted_url: String,
}

impl SigninTokenRequest {
    /// The request to send. Its `url` holds the credentials: log [`redacted_url`](Self::redacted_url) instead, and
    /// keep the URL out of transport error messages.
    pub fn http_request(&self) -> &HttpRequest {
        &self.request
    }

    /// The URL with the `Session` value replaced by `** redacted **`, for `--verbose`.
    pub fn redacted_url(&self) -> &str {
        &self.redacted_url
    }
}

impl std::fmt::Debug for SigninTokenRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigninTokenRequest")
            .field("method", &self.request.method)
            .field("url", &self.redacted_url)
            .field("headers", &self.request.redacted_headers())
            .finish()
    }
}

impl Drop for SigninTokenRequest {
    fn drop(&mut self) {
        // `HttpRequest` wipes its headers and body; only this request has a secret URL.
        self.request.url.zeroize();
    }
}

/// `GET <signin>/federation?Action=getSigninToken[&SessionDuration=N]&Session=<URL-encoded JSON>`.
///
/// `SessionDuration` is sent only when asked for: without it the console session lasts as long as the credentials
/// (the IAM User Guide), and with credentials from role chaining the federation endpoint refuses it.
pub fn signin_token_request(
    endpoint: &Endpoint,
    credentials: &RoleCredentials,
    session_duration: Option<ConsoleSessionDuration>,
    origin: CredentialOrigin,
) -> Result<SigninTokenRequest, ConsoleError> {
    if session_duration.is_some() && origin == CredentialOrigin::RoleChaining {
        return Err(ConsoleError::SessionDurationWithRoleChaining);
    }
    let session = Session {
        session_id: &credentials.access_key_id,
        session_key: credentials.secret_access_key.expose(),
        session_token: credentials.session_token.expose(),
    };
    // Serializing a struct of strings cannot fail.
    let mut json = serde_json::to_string(&session).unwrap_or_default();
    let mut encoded = percent_encode(&json);
    json.zeroize();
    let base = format!("{}/federation?Action=getSigninToken", endpoint.as_str());
    let duration = session_duration
        .map(|d| format!("&SessionDuration={}", d.seconds()))
        .unwrap_or_default();
    let url = format!("{base}{duration}&Session={encoded}");
    encoded.zeroize();
    Ok(SigninTokenRequest {
        redacted_url: format!("{base}{duration}&Session=** redacted **"),
        request: HttpRequest {
            method: Method::Get,
            url,
            headers: vec![
                ("user-agent".to_owned(), crate::USER_AGENT.to_owned()),
                ("accept".to_owned(), "application/json".to_owned()),
            ],
            body: None,
            body_is_secret: false,
        },
    })
}

/// The kind of a failed `getSigninToken`; each maps to one exit code of the CLI.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SigninErrorKind {
    /// 400: the federation endpoint refused the credentials (expired, revoked, or not allowed a console session).
    /// Exit 4, as a rejected sign-in.
    CredentialsRefused,
    /// 403: the console sign-in was denied. Exit 5, as a refused role.
    Forbidden,
    /// 429: throttled. Exit 6.
    TooManyRequests,
    /// 5xx. Exit 7.
    Server,
    /// Any other status, or a 2xx answer without a `SigninToken` (an HTML page, a proxy's answer). Exit 7.
    UnexpectedResponse,
}

/// A failed `getSigninToken`. The answer's body is never shown: nothing an endpoint echoes can leak.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SigninError {
    /// The kind.
    pub kind: SigninErrorKind,
    /// The HTTP status.
    pub status: u16,
    /// What the answer looked like when it was unusable (`an HTML page`, `JSON without SigninToken`).
    pub detail: Option<&'static str>,
}

impl SigninError {
    /// A stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self.kind {
            SigninErrorKind::CredentialsRefused => "SIGNIN_CREDENTIALS_REFUSED",
            SigninErrorKind::Forbidden => "SIGNIN_FORBIDDEN",
            SigninErrorKind::TooManyRequests => "SIGNIN_THROTTLED",
            SigninErrorKind::Server => "SIGNIN_SERVER_ERROR",
            SigninErrorKind::UnexpectedResponse => "SIGNIN_UNEXPECTED_RESPONSE",
        }
    }
}

impl std::fmt::Display for SigninError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let status = self.status;
        match self.kind {
            SigninErrorKind::CredentialsRefused => write!(
                f,
                "the console federation endpoint refused the role credentials (HTTP {status}): they may have \
                 expired or been revoked, or the role session may not be allowed a console session. Run the \
                 command again for fresh credentials; if it fails again, sign in again with `ssocreds login`"
            ),
            SigninErrorKind::Forbidden => write!(
                f,
                "the console federation endpoint denied the sign-in (HTTP {status}): the role, a permissions \
                 boundary or an organization policy may not allow console access. Ask your administrator, or use \
                 the access portal"
            ),
            SigninErrorKind::TooManyRequests => write!(
                f,
                "the console federation endpoint is throttling requests (HTTP {status}); wait a minute and try again"
            ),
            SigninErrorKind::Server => write!(
                f,
                "the console federation endpoint failed (HTTP {status}); try again later"
            ),
            SigninErrorKind::UnexpectedResponse => {
                write!(f, "the console federation endpoint answered HTTP {status}")?;
                if let Some(detail) = self.detail {
                    write!(f, " with {detail}")?;
                }
                write!(
                    f,
                    " and no sign-in token; check that --signin-endpoint or AWS_ENDPOINT_URL_SIGNIN (if set) is the \
                     federation endpoint, such as https://signin.aws.amazon.com, and that no proxy answers in its \
                     place"
                )
            }
        }
    }
}

impl std::error::Error for SigninError {}

#[derive(Deserialize)]
struct SigninTokenAnswer {
    #[serde(rename = "SigninToken")]
    signin_token: Option<String>,
}

/// Reads the `getSigninToken` answer: `{"SigninToken": "…"}` on 200. The token is a secret.
pub fn parse_signin_token_response(response: &HttpResponse) -> Result<SecretString, SigninError> {
    let error = |kind, detail| SigninError {
        kind,
        status: response.status,
        detail,
    };
    match response.status {
        200..=299 => {}
        400 => return Err(error(SigninErrorKind::CredentialsRefused, None)),
        403 => return Err(error(SigninErrorKind::Forbidden, None)),
        429 => return Err(error(SigninErrorKind::TooManyRequests, None)),
        500..=599 => return Err(error(SigninErrorKind::Server, None)),
        _ => return Err(error(SigninErrorKind::UnexpectedResponse, None)),
    }
    let is_html = response
        .header("content-type")
        .is_some_and(|t| t.to_ascii_lowercase().contains("html"))
        || response.body.trim_ascii_start().first() == Some(&b'<');
    if is_html {
        return Err(error(SigninErrorKind::UnexpectedResponse, Some("an HTML page")));
    }
    match serde_json::from_slice::<SigninTokenAnswer>(&response.body) {
        Ok(SigninTokenAnswer {
            signin_token: Some(token),
        }) if !token.is_empty() => Ok(SecretString::new(token)),
        Ok(_) => Err(error(
            SigninErrorKind::UnexpectedResponse,
            Some("JSON without a SigninToken"),
        )),
        Err(_) => Err(error(
            SigninErrorKind::UnexpectedResponse,
            Some("a body that is not JSON"),
        )),
    }
}

/// The console page to open after the sign-in: a URL on the partition's console.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsoleDestination(String);

impl ConsoleDestination {
    /// The destination for `requested` (`--destination`):
    /// - none: the partition's console home, `https://console.aws.amazon.com/` (`?region=R` when a region is known);
    /// - a service name such as `s3`: `https://console.aws.amazon.com/s3/home` (`?region=R`);
    /// - a full URL: kept as the browser will read it, if it is `https://` on the partition's console host or one of
    ///   its subdomains (`eu-west-1.console.aws.amazon.com`), with no user information and no port. Anything else
    ///   (`console.aws.amazon.com.evil.example`, `user@host`, `http://`) is refused.
    ///
    /// `region` is where the console opens (the profile's `region`, else `AWS_REGION`), not the IAM Identity Center
    /// region.
    pub fn resolve(
        partition: Partition,
        region: Option<&Region>,
        requested: Option<&str>,
    ) -> Result<Self, ConsoleError> {
        let console_host = partition.console_host();
        let region_query = region.map(|r| format!("?region={}", r.as_str())).unwrap_or_default();
        let Some(requested) = requested.map(str::trim).filter(|r| !r.is_empty()) else {
            return Ok(Self(format!("https://{console_host}/{region_query}")));
        };
        let invalid = |reason| ConsoleError::InvalidDestination {
            value: requested.chars().take(200).collect(),
            reason,
            console_host,
        };
        if is_service_name(requested) {
            let service = requested.to_ascii_lowercase();
            return Ok(Self(format!("https://{console_host}/{service}/home{region_query}")));
        }
        // Parsed as the browser will parse it (WHATWG URL Standard), so the host checked here is the host the
        // browser goes to: `https://console.aws.amazon.com\@evil.example` is that host with the path `/@evil.example`
        // for both, and `https://console.aws.amazon.com@evil.example` is evil.example for both.
        let url = Url::parse(requested)
            .map_err(|_| invalid("it is not a service name (letters, digits and -) nor a full URL"))?;
        if url.scheme() != "https" {
            return Err(invalid("only https:// console URLs are accepted"));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(invalid("it must not contain user information (`user@`)"));
        }
        if url.port().is_some() {
            return Err(invalid("it must not name a port"));
        }
        let on_console = match url.host() {
            Some(Host::Domain(host)) => is_on_console_host(host, console_host),
            _ => false,
        };
        if !on_console {
            return Err(invalid("its host is not the partition's console"));
        }
        Ok(Self(url.into()))
    }

    /// The URL.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for ConsoleDestination {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A console service's path segment, as `s3`, `ec2` or `cloudformation`: 1 to 64 ASCII letters, digits and `-`.
fn is_service_name(text: &str) -> bool {
    (1..=64).contains(&text.len())
        && text.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        && !text.starts_with('-')
}

/// `host` is `console_host` or a subdomain of it (its labels already checked by the URL parser: lower case, ASCII,
/// punycode for anything else).
fn is_on_console_host(host: &str, console_host: &str) -> bool {
    host == console_host
        || host
            .strip_suffix(console_host)
            .and_then(|prefix| prefix.strip_suffix('.'))
            .is_some_and(|prefix| {
                !prefix.is_empty()
                    && prefix
                        .split('.')
                        .all(|label| !label.is_empty() && label.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'))
            })
}

/// The URL that signs the browser in: a bearer secret for 15 minutes. `Debug` shows [`redacted`](Self::redacted).
#[derive(Clone, PartialEq, Eq)]
pub struct LoginUrl {
    url: SecretString,
    redacted: String,
}

impl LoginUrl {
    /// The URL itself, to hand to the browser or print with `--print`.
    pub fn expose(&self) -> &str {
        self.url.expose()
    }

    /// The URL with the token replaced by `** redacted **`, for logs.
    pub fn redacted(&self) -> &str {
        &self.redacted
    }
}

impl std::fmt::Debug for LoginUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("LoginUrl").field(&self.redacted).finish()
    }
}

/// `<signin>/federation?Action=login&Issuer=ssocreds&Destination=<URL-encoded console URL>&SigninToken=<token>`, on
/// the endpoint the token came from.
pub fn login_url(endpoint: &Endpoint, destination: &ConsoleDestination, signin_token: &SecretString) -> LoginUrl {
    let base = format!(
        "{}/federation?Action=login&Issuer={}&Destination={}",
        endpoint.as_str(),
        percent_encode(CONSOLE_ISSUER),
        percent_encode(destination.as_str()),
    );
    let mut token = percent_encode(signin_token.expose());
    let url = SecretString::new(format!("{base}&SigninToken={token}"));
    token.zeroize();
    LoginUrl {
        url,
        redacted: format!("{base}&SigninToken=** redacted **"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::AccountId;
    use chrono::DateTime;
    // On wasm32 the same tests run under wasm-bindgen-test (as quinn-proto does).
    #[cfg(all(target_family = "wasm", target_os = "unknown"))]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    fn region(name: &str) -> Region {
        Region::new(name).unwrap()
    }

    fn credentials() -> RoleCredentials {
        RoleCredentials {
            access_key_id: "ASIAEXAMPLE".into(),
            secret_access_key: SecretString::new("SECRET/key+with=chars"),
            session_token: SecretString::new("SECRET-token\"quote\\"),
            expiration: DateTime::from_timestamp(1_700_000_000, 0).unwrap(),
            account_id: Some(AccountId::new("111122223333").unwrap()),
        }
    }

    fn response(status: u16, content_type: &str, body: &str) -> HttpResponse {
        HttpResponse {
            status,
            headers: vec![("Content-Type".into(), content_type.into())],
            body: body.as_bytes().to_vec(),
        }
    }

    /// Decodes `%XX` (test only: the reverse of `percent_encode`).
    fn percent_decode(text: &str) -> String {
        let bytes = text.as_bytes();
        let mut out = Vec::new();
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] == b'%' {
                out.push(u8::from_str_radix(&text[i + 1..i + 3], 16).unwrap());
                i += 3;
            } else {
                out.push(bytes[i]);
                i += 1;
            }
        }
        String::from_utf8(out).unwrap()
    }

    fn query_value<'a>(url: &'a str, name: &str) -> Option<&'a str> {
        let query = url.split_once('?')?.1;
        query
            .split('&')
            .find_map(|pair| pair.strip_prefix(name).and_then(|rest| rest.strip_prefix('=')))
    }

    #[test]
    fn partitions_of_regions() {
        for (name, partition) in [
            ("us-east-1", Partition::Aws),
            ("eu-west-1", Partition::Aws),
            ("ap-southeast-5", Partition::Aws),
            ("us-gov-west-1", Partition::AwsUsGov),
            ("us-gov-east-1", Partition::AwsUsGov),
            ("cn-north-1", Partition::AwsCn),
            ("cn-northwest-1", Partition::AwsCn),
        ] {
            assert_eq!(Partition::of_region(&region(name)), Ok(partition), "{name}");
        }
        for isolated in ["us-iso-east-1", "us-isob-east-1", "eu-isoe-west-1", "us-isof-south-1"] {
            let error = Partition::of_region(&region(isolated)).unwrap_err();
            assert_eq!(error.code(), "CONSOLE_UNSUPPORTED_PARTITION");
            assert!(error.to_string().contains("--signin-endpoint"), "{error}");
        }
    }

    #[test]
    fn signin_endpoints_by_partition_and_override() {
        let cases = [
            (Partition::Aws, "https://signin.aws.amazon.com"),
            (Partition::AwsUsGov, "https://signin.amazonaws-us-gov.com"),
            (Partition::AwsCn, "https://signin.amazonaws.cn"),
        ];
        for (partition, expected) in cases {
            assert_eq!(signin_endpoint(partition, None).unwrap().as_str(), expected);
        }
        assert_eq!(
            signin_endpoint(Partition::Aws, Some("http://127.0.0.1:4949/"))
                .unwrap()
                .as_str(),
            "http://127.0.0.1:4949"
        );
        assert_eq!(
            signin_endpoint(Partition::AwsCn, Some("https://signin.example.com"))
                .unwrap()
                .as_str(),
            "https://signin.example.com"
        );
        // The credentials must not cross the network in clear text, and the override must be a plain base URL.
        for bad in [
            "http://signin.example.com",
            "http://10.0.0.1",
            "https://user@signin.example.com",
            "https://signin.example.com/?x=1",
            "ftp://signin.example.com",
        ] {
            assert!(signin_endpoint(Partition::Aws, Some(bad)).is_err(), "{bad}");
        }
        assert_eq!(
            signin_endpoint(Partition::Aws, Some("http://example.com"))
                .unwrap_err()
                .code(),
            "ENDPOINT_INSECURE_HTTP"
        );
    }

    #[test]
    fn signin_token_request_carries_the_credentials_as_json_in_the_query() {
        let endpoint = signin_endpoint(Partition::Aws, None).unwrap();
        let request = signin_token_request(&endpoint, &credentials(), None, CredentialOrigin::Portal).unwrap();
        let http = request.http_request();
        assert_eq!(http.method, Method::Get);
        assert!(
            http.url
                .starts_with("https://signin.aws.amazon.com/federation?Action=getSigninToken&Session=%7B"),
            "{}",
            http.url
        );
        assert!(!http.url.contains("SessionDuration"));
        assert!(http.body.is_none());
        let session = percent_decode(query_value(&http.url, "Session").unwrap());
        let parsed: serde_json::Value = serde_json::from_str(&session).unwrap();
        assert_eq!(
            parsed,
            serde_json::json!({
                "sessionId": "ASIAEXAMPLE",
                "sessionKey": "SECRET/key+with=chars",
                "sessionToken": "SECRET-token\"quote\\",
            })
        );
        // Only unreserved characters and escapes: a `+` or `/` of the secret key cannot be misread.
        let raw = query_value(&http.url, "Session").unwrap();
        assert!(
            raw.bytes().all(|b| b.is_ascii_alphanumeric() || b"-._~%".contains(&b)),
            "{raw}"
        );
    }

    #[test]
    fn signin_token_request_never_shows_the_credentials() {
        let endpoint = signin_endpoint(Partition::Aws, None).unwrap();
        let request = signin_token_request(&endpoint, &credentials(), None, CredentialOrigin::Portal).unwrap();
        assert_eq!(
            request.redacted_url(),
            "https://signin.aws.amazon.com/federation?Action=getSigninToken&Session=** redacted **"
        );
        let debug = format!("{request:?}");
        assert!(!debug.contains("SECRET") && !debug.contains("ASIAEXAMPLE"), "{debug}");
        assert!(debug.contains("** redacted **"), "{debug}");
    }

    #[test]
    fn session_duration_follows_the_iam_user_guide() {
        let endpoint = signin_endpoint(Partition::Aws, None).unwrap();
        let hour = ConsoleSessionDuration::from_seconds(3600).unwrap();
        let request = signin_token_request(&endpoint, &credentials(), Some(hour), CredentialOrigin::Portal).unwrap();
        assert_eq!(
            query_value(&request.http_request().url, "SessionDuration"),
            Some("3600")
        );
        assert!(
            request
                .redacted_url()
                .ends_with("Action=getSigninToken&SessionDuration=3600&Session=** redacted **")
        );
        assert_eq!(
            signin_token_request(&endpoint, &credentials(), Some(hour), CredentialOrigin::RoleChaining).unwrap_err(),
            ConsoleError::SessionDurationWithRoleChaining
        );
        assert!(signin_token_request(&endpoint, &credentials(), None, CredentialOrigin::RoleChaining).is_ok());
        assert!(ConsoleSessionDuration::from_seconds(900).is_ok());
        assert!(ConsoleSessionDuration::from_seconds(43_200).is_ok());
        for bad in [0, 899, 43_201, u32::MAX] {
            assert_eq!(
                ConsoleSessionDuration::from_seconds(bad),
                Err(ConsoleError::InvalidSessionDuration { seconds: bad })
            );
        }
    }

    #[test]
    fn a_signin_token_is_read_from_the_answer() {
        let token = parse_signin_token_response(&response(
            200,
            "application/json",
            r#"{"SigninToken":"VCQgs5qZZt3Q6fn8Tr5EXAMPLE-_"}"#,
        ))
        .unwrap();
        assert_eq!(token.expose(), "VCQgs5qZZt3Q6fn8Tr5EXAMPLE-_");
        assert_eq!(format!("{token:?}"), "** redacted **");
        // The real endpoint has answered `text/plain`-ish types before: the JSON is what counts.
        assert!(parse_signin_token_response(&response(200, "text/plain", r#"{"SigninToken":"x"}"#)).is_ok());
    }

    #[test]
    fn every_failed_answer_has_its_kind_and_no_body_in_the_message() {
        let cases = [
            (
                400,
                "application/json",
                r#"{"message":"SECRET echoed"}"#,
                SigninErrorKind::CredentialsRefused,
            ),
            (403, "text/html", "<html>SECRET</html>", SigninErrorKind::Forbidden),
            (429, "application/json", "{}", SigninErrorKind::TooManyRequests),
            (500, "text/html", "<html>oops SECRET</html>", SigninErrorKind::Server),
            (503, "", "", SigninErrorKind::Server),
            (302, "", "", SigninErrorKind::UnexpectedResponse),
            (
                404,
                "text/html",
                "<html>SECRET</html>",
                SigninErrorKind::UnexpectedResponse,
            ),
            (
                200,
                "text/html; charset=utf-8",
                "<!DOCTYPE html><p>SECRET sign in</p>",
                SigninErrorKind::UnexpectedResponse,
            ),
            (
                200,
                "application/json",
                "  <html>SECRET</html>",
                SigninErrorKind::UnexpectedResponse,
            ),
            (
                200,
                "application/json",
                r#"{"Other":"SECRET"}"#,
                SigninErrorKind::UnexpectedResponse,
            ),
            (
                200,
                "application/json",
                r#"{"SigninToken":""}"#,
                SigninErrorKind::UnexpectedResponse,
            ),
            (
                200,
                "application/json",
                r#"{"SigninToken":7}"#,
                SigninErrorKind::UnexpectedResponse,
            ),
            (
                200,
                "application/json",
                "not json SECRET",
                SigninErrorKind::UnexpectedResponse,
            ),
        ];
        for (status, content_type, body, kind) in cases {
            let error = parse_signin_token_response(&response(status, content_type, body)).unwrap_err();
            assert_eq!(error.kind, kind, "{status} {body}");
            assert_eq!(error.status, status);
            let message = error.to_string();
            assert!(!message.contains("SECRET"), "{message}");
            assert!(message.contains(&format!("HTTP {status}")), "{message}");
        }
        let html = parse_signin_token_response(&response(200, "text/html", "<html></html>")).unwrap_err();
        assert!(html.to_string().contains("an HTML page"), "{html}");
        assert!(html.to_string().contains("AWS_ENDPOINT_URL_SIGNIN"), "{html}");
        let refused = parse_signin_token_response(&response(400, "", "")).unwrap_err();
        assert!(refused.to_string().contains("ssocreds login"), "{refused}");
        assert_eq!(refused.code(), "SIGNIN_CREDENTIALS_REFUSED");
    }

    #[test]
    fn the_console_home_of_each_partition() {
        let eu = region("eu-west-1");
        let cases = [
            (Partition::Aws, None, "https://console.aws.amazon.com/"),
            (
                Partition::Aws,
                Some(&eu),
                "https://console.aws.amazon.com/?region=eu-west-1",
            ),
            (
                Partition::AwsUsGov,
                Some(&region("us-gov-west-1")),
                "https://console.amazonaws-us-gov.com/?region=us-gov-west-1",
            ),
            (Partition::AwsCn, None, "https://console.amazonaws.cn/"),
        ];
        for (partition, region, expected) in cases {
            assert_eq!(
                ConsoleDestination::resolve(partition, region, None).unwrap().as_str(),
                expected
            );
            assert_eq!(
                ConsoleDestination::resolve(partition, region, Some("  "))
                    .unwrap()
                    .as_str(),
                expected
            );
        }
    }

    #[test]
    fn a_service_name_opens_its_home_page() {
        let eu = region("eu-west-1");
        let cn = region("cn-north-1");
        let resolve = |partition, region, service| {
            ConsoleDestination::resolve(partition, region, Some(service))
                .unwrap()
                .to_string()
        };
        assert_eq!(
            resolve(Partition::Aws, Some(&eu), "s3"),
            "https://console.aws.amazon.com/s3/home?region=eu-west-1"
        );
        assert_eq!(
            resolve(Partition::Aws, None, "EC2"),
            "https://console.aws.amazon.com/ec2/home"
        );
        assert_eq!(
            resolve(Partition::AwsCn, Some(&cn), "cloudformation"),
            "https://console.amazonaws.cn/cloudformation/home?region=cn-north-1"
        );
        assert_eq!(
            resolve(Partition::AwsUsGov, None, "iam"),
            "https://console.amazonaws-us-gov.com/iam/home"
        );
    }

    #[test]
    fn a_full_url_is_kept_only_on_the_partitions_console() {
        let good = [
            (
                Partition::Aws,
                "https://console.aws.amazon.com/ec2/home?region=us-east-1#Instances:",
            ),
            (
                Partition::Aws,
                "https://eu-west-1.console.aws.amazon.com/lambda/home?region=eu-west-1",
            ),
            (
                Partition::Aws,
                "https://s3.console.aws.amazon.com/s3/buckets?region=eu-west-1",
            ),
            (Partition::Aws, "https://console.aws.amazon.com"),
            (Partition::AwsUsGov, "https://console.amazonaws-us-gov.com/s3/home"),
            (Partition::AwsCn, "https://cn-north-1.console.amazonaws.cn/ec2/home"),
        ];
        for (partition, url) in good {
            let destination = ConsoleDestination::resolve(partition, None, Some(url)).unwrap();
            assert!(destination.as_str().starts_with("https://"), "{url}");
        }
        // Normalized as the browser reads it.
        assert_eq!(
            ConsoleDestination::resolve(Partition::Aws, None, Some("HTTPS://Console.AWS.Amazon.com:443/s3"))
                .unwrap()
                .as_str(),
            "https://console.aws.amazon.com/s3"
        );
        assert_eq!(
            ConsoleDestination::resolve(
                Partition::Aws,
                None,
                Some("https://console.aws.amazon.com\\@evil.example")
            )
            .unwrap()
            .as_str(),
            "https://console.aws.amazon.com/@evil.example"
        );
        let bad = [
            (Partition::Aws, "https://console.aws.amazon.com.evil.example/"),
            (Partition::Aws, "https://evil.example/console.aws.amazon.com"),
            (Partition::Aws, "https://console.aws.amazon.com@evil.example/"),
            (Partition::Aws, "https://user@console.aws.amazon.com/"),
            (Partition::Aws, "https://user:pw@console.aws.amazon.com/"),
            (Partition::Aws, "user@console.aws.amazon.com"),
            (Partition::Aws, "http://console.aws.amazon.com/"),
            (Partition::Aws, "https://console.aws.amazon.com:8443/"),
            (Partition::Aws, "https://evilconsole.aws.amazon.com/"),
            (Partition::Aws, "https://aws.amazon.com/"),
            (Partition::Aws, "https://console.aws.amazon.com./"),
            (Partition::Aws, "https://console.amazonaws.cn/"),
            (Partition::AwsCn, "https://console.aws.amazon.com/"),
            (Partition::AwsUsGov, "https://console.aws.amazon.com/"),
            (Partition::Aws, "https://127.0.0.1/"),
            (Partition::Aws, "https://[::1]/"),
            (Partition::Aws, "javascript:alert(1)"),
            (Partition::Aws, "data:text/html,hi"),
            (Partition::Aws, "//console.aws.amazon.com/"),
            (Partition::Aws, "console.aws.amazon.com/s3"),
            (Partition::Aws, "s3/home"),
            (Partition::Aws, "-s3"),
            (Partition::Aws, "file:///etc/passwd"),
        ];
        for (partition, url) in bad {
            let error = ConsoleDestination::resolve(partition, None, Some(url)).unwrap_err();
            assert_eq!(error.code(), "CONSOLE_INVALID_DESTINATION", "{url}");
            assert!(error.to_string().contains(partition.console_host()), "{error}");
        }
    }

    #[test]
    fn the_login_url_carries_issuer_destination_and_token() {
        let endpoint = signin_endpoint(Partition::Aws, None).unwrap();
        let destination = ConsoleDestination::resolve(Partition::Aws, Some(&region("eu-west-1")), Some("s3")).unwrap();
        let token = SecretString::new("SECRET-tok+en/=");
        let login = login_url(&endpoint, &destination, &token);
        assert_eq!(
            login.expose(),
            "https://signin.aws.amazon.com/federation?Action=login&Issuer=ssocreds\
             &Destination=https%3A%2F%2Fconsole.aws.amazon.com%2Fs3%2Fhome%3Fregion%3Deu-west-1\
             &SigninToken=SECRET-tok%2Ben%2F%3D"
        );
        assert_eq!(
            percent_decode(query_value(login.expose(), "Destination").unwrap()),
            destination.as_str()
        );
        assert_eq!(
            percent_decode(query_value(login.expose(), "SigninToken").unwrap()),
            "SECRET-tok+en/="
        );
        assert!(login.redacted().ends_with("&SigninToken=** redacted **"));
        let debug = format!("{login:?}");
        assert!(!debug.contains("SECRET"), "{debug}");
        let local = signin_endpoint(Partition::Aws, Some("http://127.0.0.1:9")).unwrap();
        assert!(
            login_url(&local, &destination, &token)
                .expose()
                .starts_with("http://127.0.0.1:9/federation?Action=login&")
        );
    }
}
