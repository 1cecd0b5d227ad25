//! STS `AssumeRole` as data: the request, signed with SigV4 by the AWS-maintained `aws-sigv4` crate, and the XML
//! answer read into [`RoleCredentials`] or an [`StsError`].
//!
//! The request is the Query protocol's form: `POST /` with `Content-Type: application/x-www-form-urlencoded;
//! charset=utf-8` and `Action=AssumeRole&Version=2011-06-15&RoleArn=…&RoleSessionName=…` (plus
//! `DurationSeconds`, `ExternalId`, `SerialNumber`, `TokenCode` when set). The signature covers `content-type`,
//! `host`, `x-amz-date` and `x-amz-security-token`; the time comes in as `now`, as everywhere in this crate.

mod endpoint;
mod response;

use std::time::{Duration, SystemTime};

use aws_credential_types::Credentials;
use aws_sigv4::http_request::{SignableBody, SignableRequest, SigningSettings, sign};
use aws_sigv4::sign::v4;
use chrono::{DateTime, Utc};

pub use endpoint::{
    GLOBAL_SIGNING_REGION, GLOBAL_STS_URL, LEGACY_GLOBAL_REGIONS, StsEndpoint, StsEndpointSettings,
    StsRegionalEndpoints,
};
pub use response::{AssumedRole, StsError, StsErrorKind, parse_assume_role_response};

use crate::http::{HttpRequest, Method, percent_encode};
use crate::ids::AccountId;
use crate::portal::RoleCredentials;
use crate::quote::Quoted;
use crate::secret::SecretString;

/// The STS API version of the Query protocol.
pub const STS_API_VERSION: &str = "2011-06-15";

/// The longest session STS grants when the caller's own credentials come from a role ("role chaining"): one hour.
/// Every hop of an ssocreds chain is role chaining, since the root is an SSO role.
pub const ROLE_CHAINING_MAX_DURATION: u32 = 3600;

/// The shortest session STS grants: 15 minutes.
pub const MIN_DURATION: u32 = 900;

/// The service name in the signature's credential scope.
const SIGNING_NAME: &str = "sts";

/// A validated IAM role ARN: `arn:{partition}:iam::{12-digit account}:role/{path/}{name}`.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RoleArn {
    arn: String,
    account_id: AccountId,
}

/// A value that is not a role ARN, or not a valid `AssumeRole` parameter.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{} is not a valid {what}: {reason}", Quoted(.value))]
pub struct InvalidParameter {
    /// What it should be (`role ARN`, `role session name`, …).
    pub what: &'static str,
    /// The value (shortened).
    pub value: String,
    /// What a valid one looks like.
    pub reason: &'static str,
}

impl InvalidParameter {
    fn new(what: &'static str, value: &str, reason: &'static str) -> Self {
        Self {
            what,
            value: value.chars().take(200).collect(),
            reason,
        }
    }
}

impl RoleArn {
    /// Validates a role ARN.
    pub fn new(value: &str) -> Result<Self, InvalidParameter> {
        let invalid = || {
            InvalidParameter::new(
                "role ARN",
                value,
                "expected arn:aws:iam::<12-digit account id>:role/<name>, such as \
                 arn:aws:iam::444455556666:role/Deploy",
            )
        };
        let parts: Vec<&str> = value.splitn(6, ':').collect();
        let [arn, partition, service, region, account, resource] = parts[..] else {
            return Err(invalid());
        };
        let name = resource.strip_prefix("role/").ok_or_else(invalid)?;
        let partition_ok = matches!(partition, "aws" | "aws-cn" | "aws-us-gov")
            || (partition.starts_with("aws-") && partition.bytes().all(|b| b.is_ascii_lowercase() || b == b'-'));
        // IAM role names and paths: letters, digits and `+=,.@_-`, paths also `/`; 512 characters in all.
        let name_ok = !name.is_empty()
            && !name.ends_with('/')
            && value.len() <= 2048
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"+=,.@_-/".contains(&b));
        if arn != "arn" || !partition_ok || service != "iam" || !region.is_empty() || !name_ok {
            return Err(invalid());
        }
        let account_id = AccountId::new(account).map_err(|_| invalid())?;
        Ok(Self {
            arn: value.to_owned(),
            account_id,
        })
    }

    /// The ARN as written.
    pub fn as_str(&self) -> &str {
        &self.arn
    }

    /// The account the role is in.
    pub fn account_id(&self) -> &AccountId {
        &self.account_id
    }
}

impl std::fmt::Display for RoleArn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.arn)
    }
}

impl std::fmt::Debug for RoleArn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "RoleArn({})", Quoted(&self.arn))
    }
}

/// Checks a role session name as STS does: 2 to 64 characters of letters, digits and `+=,.@_-`.
pub fn validate_role_session_name(value: &str) -> Result<(), InvalidParameter> {
    let ok = (2..=64).contains(&value.len())
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"+=,.@_-".contains(&b));
    if ok {
        Ok(())
    } else {
        Err(InvalidParameter::new(
            "role session name",
            value,
            "2 to 64 characters of letters, digits and + = , . @ _ -",
        ))
    }
}

/// Checks an external id as STS does: 2 to 1224 characters of letters, digits and `+=,.@:/_-`.
pub fn validate_external_id(value: &str) -> Result<(), InvalidParameter> {
    let ok = (2..=1224).contains(&value.len())
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"+=,.@:/_-".contains(&b));
    if ok {
        Ok(())
    } else {
        Err(InvalidParameter::new(
            "external id",
            value,
            "2 to 1224 characters of letters, digits and + = , . @ : / _ -",
        ))
    }
}

/// Checks an MFA device serial number or ARN as STS does: 9 to 256 characters of letters, digits and
/// `+=/:,.@_-`.
pub fn validate_mfa_serial(value: &str) -> Result<(), InvalidParameter> {
    let ok = (9..=256).contains(&value.len())
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"+=/:,.@_-".contains(&b));
    if ok {
        Ok(())
    } else {
        Err(InvalidParameter::new(
            "MFA serial",
            value,
            "an MFA device ARN such as arn:aws:iam::111122223333:mfa/alice, or a hardware device serial number",
        ))
    }
}

/// Checks an MFA code as STS does: exactly six digits.
pub fn validate_mfa_code(code: &str) -> Result<(), InvalidParameter> {
    if code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        // The code itself is not shown: it is a (short-lived) secret.
        Err(InvalidParameter::new("MFA code", "…", "exactly six digits"))
    }
}

/// The parameters of one `AssumeRole` call, validated.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AssumeRole {
    /// `RoleArn`.
    pub role_arn: RoleArn,
    /// `RoleSessionName`.
    pub role_session_name: String,
    /// `DurationSeconds`; `None`: STS's default (one hour).
    pub duration_seconds: Option<u32>,
    /// `ExternalId`.
    pub external_id: Option<String>,
    /// `SerialNumber` of the MFA device; the code is asked for at call time.
    pub mfa_serial: Option<String>,
}

/// An `AssumeRole` request that cannot be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StsRequestError {
    /// The role needs an MFA code and none was given.
    #[error(
        "assuming {role_arn} needs a code from the MFA device {}: enter it when asked on a terminal, or pass \
         --mfa-code",
        Quoted(.serial)
    )]
    MfaCodeRequired {
        /// The role.
        role_arn: String,
        /// `mfa_serial`.
        serial: String,
    },
    /// The MFA code given is not six digits.
    #[error("the MFA code for {role_arn} is not valid: {source}")]
    InvalidMfaCode {
        /// The role.
        role_arn: String,
        /// Why.
        source: InvalidParameter,
    },
    /// The signer refused the request (a header or URL it cannot sign).
    #[error("the STS request could not be signed: {reason}")]
    Signing {
        /// The signer's message.
        reason: String,
    },
}

impl StsRequestError {
    /// A stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::MfaCodeRequired { .. } => "STS_MFA_CODE_REQUIRED",
            Self::InvalidMfaCode { .. } => "STS_INVALID_MFA_CODE",
            Self::Signing { .. } => "STS_SIGNING_FAILED",
        }
    }
}

/// Builds the signed `AssumeRole` request: `source` are the credentials of the previous hop (the SSO role's for
/// the first), `mfa_code` the code from the device when the role has an `mfa_serial`, `now` the signing time.
///
/// The request carries the source's secret (session token header, signature) and, with MFA, the code in its body:
/// both are marked secret, so its `Debug` shows neither.
pub fn assume_role_request(
    endpoint: &StsEndpoint,
    params: &AssumeRole,
    mfa_code: Option<&SecretString>,
    source: &RoleCredentials,
    now: DateTime<Utc>,
) -> Result<HttpRequest, StsRequestError> {
    let mut body = format!(
        "Action=AssumeRole&Version={STS_API_VERSION}&RoleArn={}&RoleSessionName={}",
        percent_encode(params.role_arn.as_str()),
        percent_encode(&params.role_session_name)
    );
    if let Some(seconds) = params.duration_seconds {
        body.push_str(&format!("&DurationSeconds={seconds}"));
    }
    if let Some(external_id) = &params.external_id {
        body.push_str(&format!("&ExternalId={}", percent_encode(external_id)));
    }
    if let Some(serial) = &params.mfa_serial {
        let code = mfa_code.ok_or_else(|| StsRequestError::MfaCodeRequired {
            role_arn: params.role_arn.to_string(),
            serial: serial.clone(),
        })?;
        validate_mfa_code(code.expose()).map_err(|source| StsRequestError::InvalidMfaCode {
            role_arn: params.role_arn.to_string(),
            source,
        })?;
        body.push_str(&format!(
            "&SerialNumber={}&TokenCode={}",
            percent_encode(serial),
            code.expose()
        ));
    }
    let url = format!("{}/", endpoint.endpoint.as_str());
    let headers = vec![(
        "content-type".to_owned(),
        "application/x-www-form-urlencoded; charset=utf-8".to_owned(),
    )];
    let signed = sign_headers(&url, &headers, body.as_bytes(), endpoint, source, now)?;
    let mut all_headers = headers;
    all_headers.extend(signed);
    all_headers.push(("user-agent".to_owned(), crate::USER_AGENT.to_owned()));
    Ok(HttpRequest {
        method: Method::Post,
        url,
        headers: all_headers,
        body: Some(body.into_bytes()),
        body_is_secret: params.mfa_serial.is_some(),
    })
}

/// The headers `aws-sigv4` adds: `x-amz-date`, `x-amz-security-token` and `authorization`.
fn sign_headers(
    url: &str,
    headers: &[(String, String)],
    body: &[u8],
    endpoint: &StsEndpoint,
    source: &RoleCredentials,
    now: DateTime<Utc>,
) -> Result<Vec<(String, String)>, StsRequestError> {
    let signing_error = |e: &dyn std::fmt::Display| StsRequestError::Signing { reason: e.to_string() };
    let identity = Credentials::new(
        &source.access_key_id,
        source.secret_access_key.expose(),
        Some(source.session_token.expose().to_owned()),
        None,
        "ssocreds",
    )
    .into();
    // A `SystemTime` built from the given instant, never read from the clock (which does not exist on wasm32).
    let seconds = u64::try_from(now.timestamp()).map_err(|_| StsRequestError::Signing {
        reason: "the signing time is before 1970".into(),
    })?;
    let time = SystemTime::UNIX_EPOCH + Duration::from_secs(seconds);
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(endpoint.signing_region.as_str())
        .name(SIGNING_NAME)
        .time(time)
        .settings(SigningSettings::default())
        .build()
        .map_err(|e| signing_error(&e))?
        .into();
    let signable = SignableRequest::new(
        "POST",
        url,
        headers.iter().map(|(name, value)| (name.as_str(), value.as_str())),
        SignableBody::Bytes(body),
    )
    .map_err(|e| signing_error(&e))?;
    let (instructions, _signature) = sign(signable, &params).map_err(|e| signing_error(&e))?.into_parts();
    let (signed_headers, _params) = instructions.into_parts();
    Ok(signed_headers
        .into_iter()
        .map(|header| (header.name().to_owned(), header.value().to_owned()))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::endpoint::Endpoint;
    use crate::ids::Region;
    use crate::time::parse_timestamp;
    // On wasm32 the same tests run under wasm-bindgen-test (as quinn-proto does).
    #[cfg(all(target_family = "wasm", target_os = "unknown"))]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    fn source() -> RoleCredentials {
        RoleCredentials {
            access_key_id: "ASIASOURCEKEY0000001".into(),
            secret_access_key: SecretString::new("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"),
            session_token: SecretString::new("IQoJb3JpZ2luX2VjSESSION+/="),
            expiration: parse_timestamp("2030-01-01T01:00:00Z").unwrap(),
            account_id: Some(AccountId::new("111122223333").unwrap()),
        }
    }

    fn params() -> AssumeRole {
        AssumeRole {
            role_arn: RoleArn::new("arn:aws:iam::444455556666:role/Deploy").unwrap(),
            role_session_name: "ssocreds-1700000000".into(),
            duration_seconds: Some(1800),
            external_id: Some("ext/id:1".into()),
            mfa_serial: None,
        }
    }

    fn endpoint() -> StsEndpoint {
        StsEndpoint {
            endpoint: Endpoint::custom("https://sts.eu-west-1.amazonaws.com").unwrap(),
            signing_region: Region::new("eu-west-1").unwrap(),
        }
    }

    fn header<'a>(request: &'a HttpRequest, name: &str) -> Option<&'a str> {
        request
            .headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    #[test]
    fn role_arns() {
        let arn = RoleArn::new("arn:aws:iam::444455556666:role/path/to/Deploy").unwrap();
        assert_eq!(arn.account_id().as_str(), "444455556666");
        assert!(RoleArn::new("arn:aws-cn:iam::444455556666:role/x").is_ok());
        assert!(RoleArn::new("arn:aws-us-gov:iam::444455556666:role/x").is_ok());
        // The account part is an AccountId: 1 to 12 digits pass (sent as written, as the SDKs send it).
        assert!(RoleArn::new("arn:aws:iam::44445555666:role/Deploy").is_ok());
        for bad in [
            "",
            "Deploy",
            "arn:aws:sts::444455556666:role/Deploy",
            "arn:aws:iam:eu-west-1:444455556666:role/Deploy",
            "arn:aws:iam::444455556666:user/alice",
            "arn:aws:iam::444455556666:role/",
            "arn:aws:iam::444455556666:role/a b",
            "arn:AWS:iam::444455556666:role/x",
        ] {
            assert!(RoleArn::new(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn parameter_checks() {
        assert!(validate_role_session_name("ssocreds-1700000000").is_ok());
        assert!(validate_role_session_name("a").is_err());
        assert!(validate_role_session_name("has space").is_err());
        assert!(validate_role_session_name(&"x".repeat(65)).is_err());
        assert!(validate_external_id("abc:/=").is_ok());
        assert!(validate_external_id("a").is_err());
        assert!(validate_mfa_serial("arn:aws:iam::111122223333:mfa/alice").is_ok());
        assert!(validate_mfa_serial("short").is_err());
        assert!(validate_mfa_code("123456").is_ok());
        for bad in ["12345", "1234567", "12345a", ""] {
            let err = validate_mfa_code(bad).unwrap_err();
            assert!(bad.is_empty() || !err.to_string().contains(bad), "{err}");
        }
    }

    #[test]
    fn request_is_a_signed_form_post() {
        let now = parse_timestamp("2026-11-30T00:32:15Z").unwrap();
        let request = assume_role_request(&endpoint(), &params(), None, &source(), now).unwrap();
        assert_eq!(request.method, Method::Post);
        assert_eq!(request.url, "https://sts.eu-west-1.amazonaws.com/");
        let body = String::from_utf8(request.body.clone().unwrap()).unwrap();
        assert_eq!(
            body,
            "Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A444455556666%3Arole%2FDeploy\
             &RoleSessionName=ssocreds-1700000000&DurationSeconds=1800&ExternalId=ext%2Fid%3A1"
        );
        assert!(!request.body_is_secret);
        assert_eq!(
            header(&request, "content-type"),
            Some("application/x-www-form-urlencoded; charset=utf-8")
        );
        assert_eq!(header(&request, "x-amz-date"), Some("20261130T003215Z"));
        assert_eq!(
            header(&request, "x-amz-security-token"),
            Some("IQoJb3JpZ2luX2VjSESSION+/=")
        );
        let authorization = header(&request, "authorization").unwrap();
        assert!(
            authorization.starts_with(
                "AWS4-HMAC-SHA256 Credential=ASIASOURCEKEY0000001/20261130/eu-west-1/sts/aws4_request, \
                 SignedHeaders=content-type;host;x-amz-date;x-amz-security-token, Signature="
            ),
            "{authorization}"
        );
        let signature = authorization.rsplit("Signature=").next().unwrap();
        assert_eq!(signature.len(), 64);
        assert!(
            signature
                .bytes()
                .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
        );
        assert!(
            !request.headers.iter().any(|(n, _)| n == "host"),
            "the HTTP client sets Host"
        );
        // The secret never shows.
        let debug = format!("{request:?}");
        assert!(
            !debug.contains("wJalrXUtnFEMI") && !debug.contains(signature) && !debug.contains("IQoJb3JpZ2luX2Vj"),
            "{debug}"
        );
        assert!(
            debug.contains("x-amz-date") && debug.contains("20261130T003215Z"),
            "{debug}"
        );
    }

    #[test]
    fn signature_depends_on_time_region_secret_and_body() {
        let now = parse_timestamp("2026-11-30T00:32:15Z").unwrap();
        let signature = |endpoint: &StsEndpoint, params: &AssumeRole, source: &RoleCredentials, now| {
            let request = assume_role_request(endpoint, params, None, source, now).unwrap();
            header(&request, "authorization").unwrap().to_owned()
        };
        let base = signature(&endpoint(), &params(), &source(), now);
        assert_eq!(base, signature(&endpoint(), &params(), &source(), now), "deterministic");
        let later = now + chrono::TimeDelta::seconds(1);
        assert_ne!(base, signature(&endpoint(), &params(), &source(), later));
        let mut other_region = endpoint();
        other_region.signing_region = Region::new("us-east-1").unwrap();
        assert_ne!(base, signature(&other_region, &params(), &source(), now));
        let mut other_secret = source();
        other_secret.secret_access_key = SecretString::new("another");
        assert_ne!(base, signature(&endpoint(), &params(), &other_secret, now));
        let mut other_params = params();
        other_params.duration_seconds = Some(900);
        assert_ne!(base, signature(&endpoint(), &other_params, &source(), now));
    }

    /// A known answer from an independent signer: botocore 1.43.11's `SigV4Auth(creds, "sts", "eu-west-1")` over
    /// the same `AWSRequest` (POST, same URL, body and `Content-Type`, `get_current_datetime` fixed at
    /// 2026-11-30T00:32:15) gives exactly this header. A change in what is signed (a header added or dropped, another
    /// body encoding) shows here.
    #[test]
    fn signature_matches_botocores_for_the_same_request() {
        let now = parse_timestamp("2026-11-30T00:32:15Z").unwrap();
        let request = assume_role_request(&endpoint(), &params(), None, &source(), now).unwrap();
        let authorization = header(&request, "authorization").unwrap();
        assert_eq!(
            authorization,
            "AWS4-HMAC-SHA256 Credential=ASIASOURCEKEY0000001/20261130/eu-west-1/sts/aws4_request, \
             SignedHeaders=content-type;host;x-amz-date;x-amz-security-token, \
             Signature=16f74da75e67b5537694a6a37dbe704b481c3fba65ca378567ce28bbc9183af8"
        );
    }

    #[test]
    fn mfa_code_is_required_checked_and_secret() {
        let now = parse_timestamp("2026-11-30T00:32:15Z").unwrap();
        let mut with_mfa = params();
        with_mfa.mfa_serial = Some("arn:aws:iam::111122223333:mfa/alice".into());
        let err = assume_role_request(&endpoint(), &with_mfa, None, &source(), now).unwrap_err();
        assert_eq!(err.code(), "STS_MFA_CODE_REQUIRED");
        assert!(err.to_string().contains("mfa/alice"), "{err}");
        let bad = SecretString::new("12ab56");
        let err = assume_role_request(&endpoint(), &with_mfa, Some(&bad), &source(), now).unwrap_err();
        assert_eq!(err.code(), "STS_INVALID_MFA_CODE");
        assert!(!err.to_string().contains("12ab56"));
        let code = SecretString::new("123456");
        let request = assume_role_request(&endpoint(), &with_mfa, Some(&code), &source(), now).unwrap();
        let body = String::from_utf8(request.body.clone().unwrap()).unwrap();
        assert!(body.ends_with("&SerialNumber=arn%3Aaws%3Aiam%3A%3A111122223333%3Amfa%2Falice&TokenCode=123456"));
        assert!(request.body_is_secret);
        assert!(!format!("{request:?}").contains("123456"));
    }

    #[test]
    fn no_optional_parameters_when_unset() {
        let now = parse_timestamp("2026-11-30T00:32:15Z").unwrap();
        let mut bare = params();
        bare.duration_seconds = None;
        bare.external_id = None;
        let request = assume_role_request(&endpoint(), &bare, None, &source(), now).unwrap();
        let body = String::from_utf8(request.body.clone().unwrap()).unwrap();
        assert!(!body.contains("DurationSeconds") && !body.contains("ExternalId") && !body.contains("Serial"));
    }

    #[test]
    fn a_loopback_override_with_a_port_is_signed_with_the_port() {
        let now = parse_timestamp("2026-11-30T00:32:15Z").unwrap();
        let local = StsEndpoint {
            endpoint: Endpoint::custom("http://127.0.0.1:4566").unwrap(),
            signing_region: Region::new("us-east-1").unwrap(),
        };
        let request = assume_role_request(&local, &params(), None, &source(), now).unwrap();
        assert_eq!(request.url, "http://127.0.0.1:4566/");
        assert!(header(&request, "authorization").unwrap().contains("/us-east-1/sts/"));
    }
}
