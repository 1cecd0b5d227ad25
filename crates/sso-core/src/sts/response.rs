//! The STS answer: `AssumeRoleResponse` XML into credentials, `ErrorResponse` XML into an [`StsError`].

use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::RoleArn;
use crate::http::HttpResponse;
use crate::ids::AccountId;
use crate::portal::{RoleCredentials, sanitize};
use crate::quote::Quoted;
use crate::secret::SecretString;
use crate::time::parse_timestamp;

/// Credentials from `AssumeRole`, with the assumed role's identity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssumedRole {
    /// The credentials; `account_id` is the assumed role's account, taken from its ARN.
    pub credentials: RoleCredentials,
    /// `AssumedRoleUser.Arn`: `arn:aws:sts::{account}:assumed-role/{role}/{session}`.
    pub assumed_role_arn: String,
    /// `AssumedRoleUser.AssumedRoleId`, if given.
    pub assumed_role_id: Option<String>,
}

/// What went wrong, as one of the kinds the CLI maps to exit codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StsErrorKind {
    /// `AccessDenied`: the role's trust policy does not let the source assume it (or a wrong MFA code or external
    /// id).
    AccessDenied,
    /// `ExpiredToken`: the source credentials have expired.
    ExpiredToken,
    /// `InvalidClientTokenId`, `SignatureDoesNotMatch`, `IncompleteSignature`, `MissingAuthenticationToken`: STS
    /// did not accept the source credentials or the signature (often a wrong clock).
    InvalidCredentials,
    /// `RegionDisabledException`: STS is not activated in the region the request went to.
    RegionDisabled,
    /// `ValidationError`, `InvalidParameterValue`, `MalformedPolicyDocument`, `PackedPolicyTooLarge`: a parameter
    /// from the config file is not acceptable.
    Validation,
    /// `Throttling` (or HTTP 429): slow down and retry.
    Throttled,
    /// A 5xx answer or `InternalFailure`/`ServiceUnavailable`: retry later.
    Server,
    /// An answer that is not what STS sends.
    UnexpectedResponse,
}

/// A failed `AssumeRole`, with what STS said and what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StsError {
    /// The kind.
    pub kind: StsErrorKind,
    /// The HTTP status.
    pub status: u16,
    /// `Error.Code` from the answer, if any.
    pub error_code: Option<String>,
    /// `Error.Message` (shortened, control characters removed), or a description of an unreadable answer.
    pub message: Option<String>,
    /// The role asked for.
    pub role_arn: String,
    /// The region the request was signed for.
    pub signing_region: String,
}

impl StsError {
    /// A stable machine-readable code. Suggested exit codes: `STS_ACCESS_DENIED` 5, `STS_EXPIRED_TOKEN` and
    /// `STS_INVALID_CREDENTIALS` 4, `STS_REGION_DISABLED` and `STS_VALIDATION` 8, `STS_THROTTLED` 6,
    /// `STS_SERVER_ERROR` and `STS_UNEXPECTED_RESPONSE` 7.
    pub fn code(&self) -> &'static str {
        match self.kind {
            StsErrorKind::AccessDenied => "STS_ACCESS_DENIED",
            StsErrorKind::ExpiredToken => "STS_EXPIRED_TOKEN",
            StsErrorKind::InvalidCredentials => "STS_INVALID_CREDENTIALS",
            StsErrorKind::RegionDisabled => "STS_REGION_DISABLED",
            StsErrorKind::Validation => "STS_VALIDATION",
            StsErrorKind::Throttled => "STS_THROTTLED",
            StsErrorKind::Server => "STS_SERVER_ERROR",
            StsErrorKind::UnexpectedResponse => "STS_UNEXPECTED_RESPONSE",
        }
    }

    /// Whether sending the request again (re-signed) may succeed: throttling and server errors.
    pub fn is_retryable(&self) -> bool {
        matches!(self.kind, StsErrorKind::Throttled | StsErrorKind::Server)
    }

    fn what_sts_said(&self) -> String {
        let mut said = format!("HTTP {}", self.status);
        if let Some(code) = &self.error_code {
            said.push(' ');
            said.push_str(code);
        }
        if let Some(message) = &self.message {
            said.push_str(": ");
            said.push_str(message);
        }
        said
    }
}

impl std::fmt::Display for StsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let said = self.what_sts_said();
        let role = &self.role_arn;
        match self.kind {
            StsErrorKind::AccessDenied => write!(
                f,
                "STS refused to let the source credentials assume {role} ({said}). Check that the role's trust \
                 policy allows the source role, and the external_id and MFA code if the role needs them"
            ),
            StsErrorKind::ExpiredToken => write!(
                f,
                "the credentials used to assume {role} have expired ({said}); sign in again with `ssocreds login` \
                 or `aws sso login`"
            ),
            StsErrorKind::InvalidCredentials => write!(
                f,
                "STS did not accept the credentials or the signature used to assume {role} ({said}). Check that \
                 this machine's clock is right, then sign in again with `ssocreds login` or `aws sso login`"
            ),
            StsErrorKind::RegionDisabled => write!(
                f,
                "STS is not activated in {} ({said}). Activate the region for STS in the IAM console of the \
                 source account, or set another `region` (or `sts_regional_endpoints = legacy`) in the profile",
                self.signing_region
            ),
            StsErrorKind::Validation => write!(
                f,
                "STS rejected a parameter for {role} ({said}); check role_arn, role_session_name, \
                 duration_seconds (at most 3600 when chaining roles), external_id and mfa_serial in the profile"
            ),
            StsErrorKind::Throttled => {
                write!(f, "STS is throttling requests ({said}); wait a little and try again")
            }
            StsErrorKind::Server => write!(f, "STS failed ({said}); try again later"),
            StsErrorKind::UnexpectedResponse => {
                write!(
                    f,
                    "the answer of STS to AssumeRole {role} could not be understood ({said})"
                )
            }
        }
    }
}

impl std::error::Error for StsError {}

// The documents, as STS sends them. No `Debug`: they hold the secret key and session token until they move into
// `SecretString`s.
#[derive(Deserialize)]
struct AssumeRoleResponseXml {
    #[serde(rename = "AssumeRoleResult")]
    result: AssumeRoleResultXml,
}

#[derive(Deserialize)]
struct AssumeRoleResultXml {
    #[serde(rename = "Credentials")]
    credentials: CredentialsXml,
    #[serde(rename = "AssumedRoleUser")]
    assumed_role_user: AssumedRoleUserXml,
}

#[derive(Deserialize)]
struct CredentialsXml {
    #[serde(rename = "AccessKeyId")]
    access_key_id: String,
    #[serde(rename = "SecretAccessKey")]
    secret_access_key: String,
    #[serde(rename = "SessionToken")]
    session_token: String,
    #[serde(rename = "Expiration")]
    expiration: String,
}

#[derive(Deserialize)]
struct AssumedRoleUserXml {
    #[serde(rename = "Arn")]
    arn: String,
    #[serde(rename = "AssumedRoleId")]
    assumed_role_id: Option<String>,
}

#[derive(Deserialize)]
struct ErrorResponseXml {
    #[serde(rename = "Error")]
    error: ErrorXml,
}

#[derive(Deserialize)]
struct ErrorXml {
    #[serde(rename = "Code")]
    code: Option<String>,
    #[serde(rename = "Message")]
    message: Option<String>,
}

/// The account of an assumed-role ARN: `arn:{partition}:sts::{account}:assumed-role/{role}/{session}`.
fn assumed_role_account(arn: &str) -> Option<AccountId> {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    match parts[..] {
        ["arn", _, "sts", "", account, resource] if resource.starts_with("assumed-role/") => {
            AccountId::new(account).ok()
        }
        _ => None,
    }
}

/// Parses the answer to an `AssumeRole` for `role_arn`, signed for `signing_region`.
///
/// The credentials' account is the assumed role's (from `AssumedRoleUser.Arn`), never the source's; it must be
/// the account of `role_arn`.
pub fn parse_assume_role_response(
    response: &HttpResponse,
    role_arn: &RoleArn,
    signing_region: &str,
) -> Result<AssumedRole, StsError> {
    let error = |kind, error_code, message| StsError {
        kind,
        status: response.status,
        error_code,
        message,
        role_arn: role_arn.to_string(),
        signing_region: signing_region.to_owned(),
    };
    let text = std::str::from_utf8(&response.body);
    if !(200..300).contains(&response.status) {
        let parsed = text
            .ok()
            .and_then(|t| quick_xml::de::from_str::<ErrorResponseXml>(t).ok());
        let (code, message) = parsed.map_or((None, None), |p| (p.error.code, p.error.message));
        let code = code.map(|c| sanitize(c.trim())).filter(|c| !c.is_empty());
        let message = message.map(|m| sanitize(m.trim()));
        let kind = match code.as_deref() {
            Some("AccessDenied" | "AccessDeniedException") => StsErrorKind::AccessDenied,
            Some("ExpiredToken" | "ExpiredTokenException") => StsErrorKind::ExpiredToken,
            Some(
                "InvalidClientTokenId"
                | "SignatureDoesNotMatch"
                | "IncompleteSignature"
                | "MissingAuthenticationToken"
                | "UnrecognizedClientException",
            ) => StsErrorKind::InvalidCredentials,
            Some("RegionDisabledException") => StsErrorKind::RegionDisabled,
            Some(
                "ValidationError"
                | "InvalidParameterValue"
                | "MalformedPolicyDocument"
                | "PackedPolicyTooLarge"
                | "InvalidAction"
                | "MissingParameter",
            ) => StsErrorKind::Validation,
            Some(
                "Throttling"
                | "ThrottlingException"
                | "RequestLimitExceeded"
                | "TooManyRequestsException"
                | "PriorRequestNotComplete",
            ) => StsErrorKind::Throttled,
            Some("InternalFailure" | "InternalError" | "ServiceUnavailable") => StsErrorKind::Server,
            _ => match response.status {
                429 => StsErrorKind::Throttled,
                500..=599 => StsErrorKind::Server,
                403 => StsErrorKind::AccessDenied,
                _ => StsErrorKind::UnexpectedResponse,
            },
        };
        let message = match (&code, message) {
            (None, None) if kind == StsErrorKind::UnexpectedResponse => {
                Some("the body is not an STS ErrorResponse".to_owned())
            }
            (_, message) => message,
        };
        return Err(error(kind, code, message));
    }
    let unexpected = |what: String| error(StsErrorKind::UnexpectedResponse, None, Some(what));
    let text = text.map_err(|_| unexpected("the body is not UTF-8".into()))?;
    let parsed: AssumeRoleResponseXml = quick_xml::de::from_str(text).map_err(|e| {
        unexpected(format!(
            "the body is not an AssumeRoleResponse: {}",
            sanitize(&e.to_string())
        ))
    })?;
    let result = parsed.result;
    let credentials = result.credentials;
    let access_key_id = credentials.access_key_id.trim().to_owned();
    let secret_access_key = SecretString::new(credentials.secret_access_key);
    let session_token = SecretString::new(credentials.session_token);
    if access_key_id.is_empty() || secret_access_key.is_empty() || session_token.is_empty() {
        return Err(unexpected("a credential field is empty".into()));
    }
    let expiration: DateTime<Utc> = parse_timestamp(credentials.expiration.trim()).map_err(|_| {
        unexpected(format!(
            "Expiration {} is not a timestamp",
            Quoted(&sanitize(&credentials.expiration))
        ))
    })?;
    let assumed_role_arn = result.assumed_role_user.arn.trim().to_owned();
    let account_id = assumed_role_account(&assumed_role_arn).ok_or_else(|| {
        unexpected(format!(
            "AssumedRoleUser.Arn {} is not an assumed-role ARN",
            Quoted(&sanitize(&assumed_role_arn))
        ))
    })?;
    if &account_id != role_arn.account_id() {
        return Err(unexpected(format!(
            "the assumed role is in account {account_id}, not in {} as asked",
            role_arn.account_id()
        )));
    }
    Ok(AssumedRole {
        credentials: RoleCredentials {
            access_key_id,
            secret_access_key,
            session_token,
            expiration,
            account_id: Some(account_id),
        },
        assumed_role_arn,
        assumed_role_id: result.assumed_role_user.assumed_role_id.map(|id| id.trim().to_owned()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    // On wasm32 the same tests run under wasm-bindgen-test (as quinn-proto does).
    #[cfg(all(target_family = "wasm", target_os = "unknown"))]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    const SUCCESS: &str = r#"<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleResult>
    <SourceIdentity>Alice</SourceIdentity>
    <AssumedRoleUser>
      <Arn>arn:aws:sts::444455556666:assumed-role/Deploy/ssocreds-1700000000</Arn>
      <AssumedRoleId>ARO123EXAMPLE123:ssocreds-1700000000</AssumedRoleId>
    </AssumedRoleUser>
    <Credentials>
      <AccessKeyId>ASIAIOSFODNN7EXAMPLE</AccessKeyId>
      <SecretAccessKey>wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY</SecretAccessKey>
      <SessionToken>IQoJb3JpZ2luX2VjEOz////////////+/=</SessionToken>
      <Expiration>2026-11-30T01:32:15Z</Expiration>
    </Credentials>
    <PackedPolicySize>6</PackedPolicySize>
  </AssumeRoleResult>
  <ResponseMetadata>
    <RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId>
  </ResponseMetadata>
</AssumeRoleResponse>"#;

    fn arn() -> RoleArn {
        RoleArn::new("arn:aws:iam::444455556666:role/Deploy").unwrap()
    }

    fn response(status: u16, body: &str) -> HttpResponse {
        HttpResponse {
            status,
            headers: vec![("content-type".into(), "text/xml".into())],
            body: body.as_bytes().to_vec(),
        }
    }

    fn error_body(code: &str, message: &str) -> String {
        format!(
            "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\n  <Error>\n    <Type>Sender</Type>\n    \
             <Code>{code}</Code>\n    <Message>{message}</Message>\n  </Error>\n  <RequestId>r-1</RequestId>\n</ErrorResponse>"
        )
    }

    #[test]
    fn success_gives_credentials_of_the_role_account() {
        let assumed = parse_assume_role_response(&response(200, SUCCESS), &arn(), "eu-west-1").unwrap();
        let c = &assumed.credentials;
        assert_eq!(c.access_key_id, "ASIAIOSFODNN7EXAMPLE");
        assert_eq!(
            c.secret_access_key.expose(),
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY"
        );
        assert_eq!(c.session_token.expose(), "IQoJb3JpZ2luX2VjEOz////////////+/=");
        assert_eq!(c.expiration, parse_timestamp("2026-11-30T01:32:15Z").unwrap());
        assert_eq!(c.account_id.as_ref().unwrap().as_str(), "444455556666");
        assert_eq!(
            assumed.assumed_role_arn,
            "arn:aws:sts::444455556666:assumed-role/Deploy/ssocreds-1700000000"
        );
        assert_eq!(
            assumed.assumed_role_id.as_deref(),
            Some("ARO123EXAMPLE123:ssocreds-1700000000")
        );
        let debug = format!("{assumed:?}");
        assert!(!debug.contains("wJalrXUtnFEMI") && !debug.contains("IQoJb3"), "{debug}");
    }

    #[test]
    fn fractional_expirations_and_a_missing_role_id_parse() {
        let body = SUCCESS
            .replace("2026-11-30T01:32:15Z", "2026-11-30T01:32:15.123Z")
            .replace(
                "<AssumedRoleId>ARO123EXAMPLE123:ssocreds-1700000000</AssumedRoleId>",
                "",
            );
        let assumed = parse_assume_role_response(&response(200, &body), &arn(), "eu-west-1").unwrap();
        assert_eq!(assumed.assumed_role_id, None);
        assert_eq!(assumed.credentials.expiration.timestamp_subsec_millis(), 123);
    }

    #[test]
    fn broken_success_answers_are_unexpected() {
        let other_account = SUCCESS.replace("sts::444455556666:", "sts::111122223333:");
        let not_assumed = SUCCESS.replace("assumed-role/Deploy", "federated-user/Deploy");
        let no_secret = SUCCESS.replace("wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY", "");
        let bad_time = SUCCESS.replace("2026-11-30T01:32:15Z", "tomorrow");
        let no_credentials = SUCCESS.replace("Credentials>", "Creds>");
        for body in [
            "",
            "not xml",
            "{\"json\":1}",
            other_account.as_str(),
            not_assumed.as_str(),
            no_secret.as_str(),
            bad_time.as_str(),
            no_credentials.as_str(),
        ] {
            let err = parse_assume_role_response(&response(200, body), &arn(), "eu-west-1").unwrap_err();
            assert_eq!(err.kind, StsErrorKind::UnexpectedResponse, "{body}");
            assert_eq!(err.code(), "STS_UNEXPECTED_RESPONSE");
            assert!(!err.to_string().contains("wJalrXUtnFEMI"), "{err}");
        }
    }

    #[test]
    fn each_error_has_its_kind_code_and_advice() {
        let table = [
            (
                403,
                "AccessDenied",
                StsErrorKind::AccessDenied,
                "STS_ACCESS_DENIED",
                "trust policy",
                false,
            ),
            (
                400,
                "ExpiredToken",
                StsErrorKind::ExpiredToken,
                "STS_EXPIRED_TOKEN",
                "sign in again",
                false,
            ),
            (
                403,
                "InvalidClientTokenId",
                StsErrorKind::InvalidCredentials,
                "STS_INVALID_CREDENTIALS",
                "clock",
                false,
            ),
            (
                403,
                "SignatureDoesNotMatch",
                StsErrorKind::InvalidCredentials,
                "STS_INVALID_CREDENTIALS",
                "clock",
                false,
            ),
            (
                403,
                "RegionDisabledException",
                StsErrorKind::RegionDisabled,
                "STS_REGION_DISABLED",
                "eu-west-1",
                false,
            ),
            (
                400,
                "ValidationError",
                StsErrorKind::Validation,
                "STS_VALIDATION",
                "duration_seconds",
                false,
            ),
            (
                400,
                "Throttling",
                StsErrorKind::Throttled,
                "STS_THROTTLED",
                "try again",
                true,
            ),
            (
                500,
                "InternalFailure",
                StsErrorKind::Server,
                "STS_SERVER_ERROR",
                "try again later",
                true,
            ),
            (
                503,
                "ServiceUnavailable",
                StsErrorKind::Server,
                "STS_SERVER_ERROR",
                "try again later",
                true,
            ),
        ];
        for (status, code, kind, stable, advice, retryable) in table {
            let body = error_body(code, "Something about it.");
            let err = parse_assume_role_response(&response(status, &body), &arn(), "eu-west-1").unwrap_err();
            assert_eq!(err.kind, kind, "{code}");
            assert_eq!(err.code(), stable);
            assert_eq!(err.is_retryable(), retryable, "{code}");
            assert_eq!(err.error_code.as_deref(), Some(code));
            assert_eq!(err.message.as_deref(), Some("Something about it."));
            let text = err.to_string();
            assert!(text.contains(advice), "{text}");
            assert!(
                text.contains(code) && text.contains(&format!("HTTP {status}")),
                "{text}"
            );
        }
    }

    #[test]
    fn errors_without_a_document_fall_back_on_the_status() {
        for (status, kind) in [
            (500, StsErrorKind::Server),
            (502, StsErrorKind::Server),
            (429, StsErrorKind::Throttled),
            (403, StsErrorKind::AccessDenied),
            (404, StsErrorKind::UnexpectedResponse),
        ] {
            let err = parse_assume_role_response(&response(status, "<html>oops</html>"), &arn(), "x").unwrap_err();
            assert_eq!(err.kind, kind, "{status}");
            assert_eq!(err.error_code, None);
        }
    }

    #[test]
    fn server_text_is_sanitized() {
        let body = error_body("AccessDenied", "evil\u{1b}[2Jtext");
        let err = parse_assume_role_response(&response(403, &body), &arn(), "x").unwrap_err();
        assert!(!err.to_string().contains('\u{1b}'));
    }
}
