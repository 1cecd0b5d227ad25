//! A fake STS `AssumeRole` (`POST /` with `Action=AssumeRole`, the Query protocol), on the same server as the
//! portal.
//!
//! It accepts only credentials the server issued itself (by `GetRoleCredentials` or an earlier `AssumeRole`), and
//! checks the SigV4 signature by signing the same canonical request again with the secret key it issued, using
//! the AWS-maintained `aws-sigv4` crate. Since ssocreds signs with `aws-sigv4` too, an interop test has botocore
//! (an independent signer) sign against this fake: a bug shared by client and fake then still shows.
//!
//! Then, in order: the signing region (when `sts.region` is set), an injected error, the role (only roles
//! listed in `sts.roles` exist; `trustedAccounts` is the trust policy), the session name, `DurationSeconds`
//! (at most 3600: every caller holds role credentials, so this is role chaining), `ExternalId`, and MFA
//! (`SerialNumber` + `TokenCode` against the expected code). Credentials are derived deterministically from the
//! caller's key, the role and the session name.

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_credential_types::Credentials;
use aws_sigv4::http_request::{SignableBody, SignableRequest, SigningSettings, sign};
use aws_sigv4::sign::v4;
use quick_xml::escape::escape;
use serde::{Deserialize, Serialize};

use super::credentials::generated_credentials;
use super::http::{self, Request, Response};
use super::state::{Inner, now_ms};

/// The STS API version of the Query protocol.
pub const STS_VERSION: &str = "2011-06-15";

/// How far the signing time may be from the server's clock, as STS allows.
const MAX_CLOCK_SKEW: Duration = Duration::from_secs(15 * 60);

/// The longest session of a role assumed with role credentials.
const ROLE_CHAINING_MAX: u64 = 3600;

/// How the fake STS behaves (`PortalConfig::sts`).
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct StsConfig {
    /// The roles that exist, by ARN. Any other role gets `AccessDenied`.
    pub roles: BTreeMap<String, StsRole>,
    /// The only signing region accepted (`SignatureDoesNotMatch` otherwise, as a regional STS endpoint
    /// answers); `None`: any.
    pub region: Option<String>,
    /// Answer `AssumeRole` with this error once the signature checks out.
    pub error: Option<StsFault>,
    /// How many calls get `error` before normal service (`None`: all).
    pub error_count: Option<u32>,
}

impl StsConfig {
    /// A config where each of `role_arns` exists with no conditions.
    pub fn with_roles(role_arns: &[&str]) -> Self {
        StsConfig {
            roles: role_arns
                .iter()
                .map(|arn| ((*arn).to_owned(), StsRole::default()))
                .collect(),
            ..StsConfig::default()
        }
    }
}

/// What assuming one role requires.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct StsRole {
    /// The accounts whose roles may assume it (the trust policy); empty: any account.
    pub trusted_accounts: Vec<String>,
    /// The `ExternalId` the caller must give.
    pub external_id: Option<String>,
    /// The MFA device whose code the caller must give (`SerialNumber`).
    pub mfa_serial: Option<String>,
    /// The code that device shows now (`TokenCode`); default `123456`.
    pub mfa_code: Option<String>,
}

/// The errors the fake STS can be told to answer with.
#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub enum StsFault {
    /// 403 `AccessDenied`.
    AccessDenied,
    /// 400 `ExpiredToken`.
    ExpiredToken,
    /// 403 `RegionDisabledException`.
    RegionDisabledException,
    /// 400 `Throttling`.
    Throttling,
    /// 500 `InternalFailure`.
    InternalFailure,
}

/// One successful `AssumeRole`, as the fake saw it (`StateSnapshot::assumed_roles`).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct AssumedRoleRecord {
    /// The role.
    pub role_arn: String,
    /// `RoleSessionName`.
    pub role_session_name: String,
    /// `DurationSeconds`, if given.
    pub duration_seconds: Option<u64>,
    /// `ExternalId`, if given.
    pub external_id: Option<String>,
    /// `SerialNumber`, if given.
    pub mfa_serial: Option<String>,
    /// The access key that signed the call.
    pub caller_access_key_id: String,
    /// The account of the caller's credentials.
    pub caller_account_id: String,
    /// The region of the signature's credential scope.
    pub signing_region: String,
    /// The `Host` header the call came with.
    pub host: String,
    /// The access key issued.
    pub access_key_id: String,
}

/// Credentials the server issued, so that a signature made with them can be checked.
#[derive(Clone, Debug)]
pub(crate) struct IssuedKey {
    pub secret_access_key: String,
    pub session_token: String,
    pub account_id: String,
    /// Epoch milliseconds.
    pub expires_at_ms: u64,
    /// The ARN of the session (`arn:aws:sts::…:assumed-role/…/…`), for messages.
    pub arn: String,
}

/// An STS error in its XML form.
pub(crate) fn error(status: u16, code: &str, message: &str) -> Response {
    let kind = if status >= 500 { "Receiver" } else { "Sender" };
    let body = format!(
        "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/{STS_VERSION}/\">\n  <Error>\n    <Type>{kind}</Type>\n    \
         <Code>{}</Code>\n    <Message>{}</Message>\n  </Error>\n  <RequestId>fake-sts-request</RequestId>\n\
         </ErrorResponse>\n",
        escape(code),
        escape(message)
    );
    Response::new(status)
        .header("Content-Type", "text/xml")
        .body(body.into_bytes())
}

fn injected(kind: StsFault) -> Response {
    match kind {
        StsFault::AccessDenied => error(
            403,
            "AccessDenied",
            "Not authorized to perform sts:AssumeRole (injected)",
        ),
        StsFault::ExpiredToken => error(
            400,
            "ExpiredToken",
            "The security token included in the request is expired",
        ),
        StsFault::RegionDisabledException => error(
            403,
            "RegionDisabledException",
            "STS is not activated in this region for account. Your account administrator can activate STS in \
             this region using the IAM Console.",
        ),
        StsFault::Throttling => error(400, "Throttling", "Rate exceeded"),
        StsFault::InternalFailure => error(500, "InternalFailure", "An internal error occurred (injected)"),
    }
}

fn validation(message: &str) -> Response {
    error(400, "ValidationError", message)
}

/// The parts of `Authorization: AWS4-HMAC-SHA256 Credential=K/D/R/sts/aws4_request, SignedHeaders=…, Signature=…`.
struct Authorization {
    access_key_id: String,
    date: String,
    region: String,
    service: String,
    signed_headers: Vec<String>,
    signature: String,
}

fn parse_authorization(value: &str) -> Option<Authorization> {
    let rest = value.strip_prefix("AWS4-HMAC-SHA256 ")?;
    let mut credential = None;
    let mut signed_headers = None;
    let mut signature = None;
    for part in rest.split(',') {
        let (name, value) = part.trim().split_once('=')?;
        match name {
            "Credential" => credential = Some(value),
            "SignedHeaders" => signed_headers = Some(value),
            "Signature" => signature = Some(value),
            _ => return None,
        }
    }
    let scope: Vec<&str> = credential?.split('/').collect();
    let [access_key_id, date, region, service, "aws4_request"] = scope[..] else {
        return None;
    };
    Some(Authorization {
        access_key_id: access_key_id.to_owned(),
        date: date.to_owned(),
        region: region.to_owned(),
        service: service.to_owned(),
        signed_headers: signed_headers?.split(';').map(str::to_owned).collect(),
        signature: signature?.to_owned(),
    })
}

/// `20261130T003215Z` as a `SystemTime`.
fn parse_amz_date(value: &str) -> Option<SystemTime> {
    let at = chrono::NaiveDateTime::parse_from_str(value, "%Y%m%dT%H%M%SZ").ok()?;
    let seconds = u64::try_from(at.and_utc().timestamp()).ok()?;
    Some(UNIX_EPOCH + Duration::from_secs(seconds))
}

/// Signs the request again with `secret` and returns the signature `aws-sigv4` computes.
fn expected_signature(
    request: &Request,
    auth: &Authorization,
    key: &IssuedKey,
    time: SystemTime,
) -> Result<String, String> {
    let host = request.header("host").ok_or("no Host header")?;
    let url = format!("http://{host}{}", request.path);
    // The headers the client signed, except those the signer adds itself from the identity and the time.
    let headers: Vec<(&str, &str)> = auth
        .signed_headers
        .iter()
        .filter(|name| !matches!(name.as_str(), "x-amz-date" | "x-amz-security-token"))
        .map(|name| {
            request
                .header(name)
                .map(|value| (name.as_str(), value))
                .ok_or_else(|| format!("signed header {name} is missing"))
        })
        .collect::<Result<_, _>>()?;
    let identity = Credentials::new(
        &auth.access_key_id,
        &key.secret_access_key,
        Some(key.session_token.clone()),
        None,
        "fake-sts",
    )
    .into();
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(&auth.region)
        .name(&auth.service)
        .time(time)
        .settings(SigningSettings::default())
        .build()
        .map_err(|e| e.to_string())?
        .into();
    let signable = SignableRequest::new(
        request.method.as_str(),
        url,
        headers.into_iter(),
        SignableBody::Bytes(&request.body),
    )
    .map_err(|e| e.to_string())?;
    let (instructions, signature) = sign(signable, &params).map_err(|e| e.to_string())?.into_parts();
    // The signer signs exactly the headers it was given plus host, x-amz-date and x-amz-security-token: the
    // client's list must be the same.
    let (headers, _) = instructions.into_parts();
    let authorization = headers
        .iter()
        .find(|h| h.name() == "authorization")
        .map(|h| h.value().to_owned())
        .unwrap_or_default();
    let expected_list = format!("SignedHeaders={}", auth.signed_headers.join(";"));
    if !authorization.contains(&expected_list) {
        return Err(format!("the signed headers differ: {authorization}"));
    }
    Ok(signature)
}

/// `POST /` with a form body: `AssumeRole`, or `InvalidAction` for anything else.
pub(crate) fn handle(inner: &mut Inner, request: &Request) -> Response {
    let result = assume_role(inner, request);
    result.unwrap_or_else(|e| e)
}

fn assume_role(inner: &mut Inner, request: &Request) -> Result<Response, Response> {
    let body = std::str::from_utf8(&request.body).map_err(|_| validation("The body is not UTF-8"))?;
    let form = http::parse_query(body).map_err(|_| error(400, "MalformedQueryString", "The form body is malformed"))?;
    let field = |name: &str| form.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str());
    if field("Action") != Some("AssumeRole") {
        return Err(error(
            400,
            "InvalidAction",
            &format!(
                "Could not find operation {} for version {STS_VERSION}",
                field("Action").unwrap_or("")
            ),
        ));
    }
    if field("Version") != Some(STS_VERSION) {
        return Err(error(400, "InvalidAction", "Unsupported or missing Version"));
    }

    // Who is calling, and did they sign it?
    let Some(authorization) = request.header("authorization") else {
        return Err(error(
            403,
            "MissingAuthenticationToken",
            "Request is missing Authentication Token",
        ));
    };
    let auth = parse_authorization(authorization).ok_or_else(|| {
        error(
            403,
            "IncompleteSignature",
            "Authorization header requires Credential, SignedHeaders and Signature",
        )
    })?;
    let invalid_token = || {
        error(
            403,
            "InvalidClientTokenId",
            "The security token included in the request is invalid.",
        )
    };
    let key = inner
        .issued_keys
        .get(&auth.access_key_id)
        .cloned()
        .ok_or_else(invalid_token)?;
    if request.header("x-amz-security-token") != Some(key.session_token.as_str()) {
        return Err(invalid_token());
    }
    let amz_date = request.header("x-amz-date").unwrap_or_default();
    let time = parse_amz_date(amz_date)
        .filter(|_| amz_date.starts_with(&auth.date))
        .ok_or_else(|| {
            error(
                403,
                "IncompleteSignature",
                "X-Amz-Date is missing or does not match the credential scope",
            )
        })?;
    let now = UNIX_EPOCH + Duration::from_millis(now_ms());
    let skew = now
        .duration_since(time)
        .or_else(|e| Ok::<_, ()>(e.duration()))
        .unwrap_or_default();
    if skew > MAX_CLOCK_SKEW {
        return Err(error(
            403,
            "SignatureDoesNotMatch",
            &format!("Signature expired: {amz_date} is now earlier or later than the server time allows (15 min)"),
        ));
    }
    if auth.service != "sts" {
        return Err(error(
            403,
            "SignatureDoesNotMatch",
            "Credential should be scoped to correct service: 'sts'.",
        ));
    }
    let expected = expected_signature(request, &auth, &key, time).map_err(|why| {
        error(
            403,
            "SignatureDoesNotMatch",
            &format!("The request signature we calculated does not match ({why})"),
        )
    })?;
    if expected != auth.signature {
        return Err(error(
            403,
            "SignatureDoesNotMatch",
            "The request signature we calculated does not match the signature you provided. Check your AWS Secret \
             Access Key and signing method.",
        ));
    }
    if key.expires_at_ms <= now_ms() {
        return Err(error(
            400,
            "ExpiredToken",
            "The security token included in the request is expired",
        ));
    }
    let config = inner.config.sts.clone();
    if let Some(region) = &config.region
        && region != &auth.region
    {
        return Err(error(
            403,
            "SignatureDoesNotMatch",
            "Credential should be scoped to a valid region.",
        ));
    }
    if let Some(kind) = config.error
        && config.error_count.is_none_or(|n| inner.sts_errors_served < n)
    {
        inner.sts_errors_served += 1;
        return Err(injected(kind));
    }

    // What is asked for.
    let role_arn = field("RoleArn").ok_or_else(|| validation("1 validation error detected: RoleArn is required"))?;
    let session_name = field("RoleSessionName")
        .ok_or_else(|| validation("1 validation error detected: RoleSessionName is required"))?;
    let session_ok = (2..=64).contains(&session_name.len())
        && session_name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"+=,.@_-".contains(&b));
    if !session_ok {
        return Err(validation(
            "1 validation error detected: Value at 'roleSessionName' failed to satisfy constraint: Member must \
             satisfy regular expression pattern: [\\w+=,.@-]*",
        ));
    }
    let access_denied = || {
        error(
            403,
            "AccessDenied",
            &format!(
                "User: {} is not authorized to perform: sts:AssumeRole on resource: {role_arn}",
                key.arn
            ),
        )
    };
    let role = config.roles.get(role_arn).ok_or_else(access_denied)?;
    if !role.trusted_accounts.is_empty() && !role.trusted_accounts.contains(&key.account_id) {
        return Err(access_denied());
    }
    let duration = match field("DurationSeconds") {
        None => None,
        Some(text) => match text.parse::<u64>() {
            Ok(d) if d < 900 => {
                return Err(validation(
                    "1 validation error detected: Value at 'durationSeconds' failed to satisfy constraint: Member \
                     must have value greater than or equal to 900",
                ));
            }
            Ok(d) if d > ROLE_CHAINING_MAX => {
                return Err(validation(
                    "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role \
                     chaining.",
                ));
            }
            Ok(d) => Some(d),
            Err(_) => return Err(validation("DurationSeconds is not a number")),
        },
    };
    if role.external_id.is_some() && field("ExternalId") != role.external_id.as_deref() {
        return Err(access_denied());
    }
    if let Some(serial) = &role.mfa_serial {
        let (Some(given_serial), Some(code)) = (field("SerialNumber"), field("TokenCode")) else {
            return Err(error(
                403,
                "AccessDenied",
                "MultiFactorAuthentication failed, must provide both MFA serial number and one time pass code.",
            ));
        };
        let expected = role.mfa_code.as_deref().unwrap_or("123456");
        if given_serial != serial || code != expected {
            return Err(error(
                403,
                "AccessDenied",
                "MultiFactorAuthentication failed with invalid MFA one time pass code.",
            ));
        }
    }

    // The answer.
    let (account_id, role_name) = role_parts(role_arn).ok_or_else(|| validation("RoleArn is not a role ARN"))?;
    let seed = format!("sts\n{}\n{session_name}", auth.access_key_id);
    let (access_key_id, secret_access_key, session_token) = generated_credentials(&seed, account_id, role_name);
    let expires_at_ms = now_ms().saturating_add(duration.unwrap_or(ROLE_CHAINING_MAX).saturating_mul(1000));
    let assumed_arn = format!("arn:aws:sts::{account_id}:assumed-role/{role_name}/{session_name}");
    let role_id = format!("AROA{}", &access_key_id[4..20]);
    let expiration = chrono::DateTime::from_timestamp_millis(i64::try_from(expires_at_ms).unwrap_or(i64::MAX))
        .unwrap_or_default()
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string();
    inner.issued_keys.insert(
        access_key_id.clone(),
        IssuedKey {
            secret_access_key: secret_access_key.clone(),
            session_token: session_token.clone(),
            account_id: account_id.to_owned(),
            expires_at_ms,
            arn: assumed_arn.clone(),
        },
    );
    inner.stats.assumed_roles.push(AssumedRoleRecord {
        role_arn: role_arn.to_owned(),
        role_session_name: session_name.to_owned(),
        duration_seconds: duration,
        external_id: field("ExternalId").map(str::to_owned),
        mfa_serial: field("SerialNumber").map(str::to_owned),
        caller_access_key_id: auth.access_key_id.clone(),
        caller_account_id: key.account_id.clone(),
        signing_region: auth.region.clone(),
        host: request.header("host").unwrap_or_default().to_owned(),
        access_key_id: access_key_id.clone(),
    });
    let body = format!(
        "<AssumeRoleResponse xmlns=\"https://sts.amazonaws.com/doc/{STS_VERSION}/\">\n  <AssumeRoleResult>\n    \
         <AssumedRoleUser>\n      <AssumedRoleId>{role_id}:{session}</AssumedRoleId>\n      <Arn>{arn}</Arn>\n    \
         </AssumedRoleUser>\n    <Credentials>\n      <AccessKeyId>{access_key_id}</AccessKeyId>\n      \
         <SecretAccessKey>{secret}</SecretAccessKey>\n      <SessionToken>{token}</SessionToken>\n      \
         <Expiration>{expiration}</Expiration>\n    </Credentials>\n  </AssumeRoleResult>\n  <ResponseMetadata>\n    \
         <RequestId>fake-sts-request</RequestId>\n  </ResponseMetadata>\n</AssumeRoleResponse>\n",
        session = escape(session_name),
        arn = escape(&assumed_arn),
        secret = escape(&secret_access_key),
        token = escape(&session_token),
    );
    Ok(Response::new(200)
        .header("Content-Type", "text/xml")
        .body(body.into_bytes()))
}

/// The account and role name of `arn:aws:iam::ACCOUNT:role/PATH/NAME`.
fn role_parts(arn: &str) -> Option<(&str, &str)> {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    let ["arn", _, "iam", "", account, resource] = parts[..] else {
        return None;
    };
    let path = resource.strip_prefix("role/")?;
    let name = path.rsplit('/').next()?;
    (account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit()) && !name.is_empty()).then_some((account, name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn authorization_header_parses() {
        let auth = parse_authorization(
            "AWS4-HMAC-SHA256 Credential=ASIA1/20261130/eu-west-1/sts/aws4_request, \
             SignedHeaders=content-type;host;x-amz-date, Signature=abc",
        )
        .unwrap();
        assert_eq!(auth.access_key_id, "ASIA1");
        assert_eq!(auth.date, "20261130");
        assert_eq!(auth.region, "eu-west-1");
        assert_eq!(auth.signed_headers, ["content-type", "host", "x-amz-date"]);
        assert_eq!(auth.signature, "abc");
        assert!(parse_authorization("Bearer x").is_none());
        assert!(parse_authorization("AWS4-HMAC-SHA256 Credential=a/b/c, Signature=x").is_none());
    }

    #[test]
    fn role_arn_parts() {
        assert_eq!(
            role_parts("arn:aws:iam::444455556666:role/path/Deploy"),
            Some(("444455556666", "Deploy"))
        );
        assert_eq!(role_parts("arn:aws:iam::4444:role/Deploy"), None);
        assert_eq!(role_parts("arn:aws:iam::444455556666:user/x"), None);
    }

    #[test]
    fn amz_dates() {
        let t = parse_amz_date("20261130T003215Z").unwrap();
        assert_eq!(t.duration_since(UNIX_EPOCH).unwrap().as_secs(), 1_795_998_735);
        assert!(parse_amz_date("2026-11-30").is_none());
    }
}
