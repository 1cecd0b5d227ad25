//! The OIDC requests as data: `RegisterClient`, `StartDeviceAuthorization` and `CreateToken`.

use serde::Serialize;

use crate::endpoint::Endpoint;
use crate::http::{HttpRequest, Method};
use crate::secret::SecretString;

/// `grantType` of the device code flow.
pub const DEVICE_CODE_GRANT_TYPE: &str = "urn:ietf:params:oauth:grant-type:device_code";

/// The grant types the AWS CLI registers its authorization-code client with.
pub const AUTHORIZATION_CODE_GRANT_TYPES: [&str; 2] = ["authorization_code", "refresh_token"];

/// The redirect URI registered for the authorization-code flow. The port is not part of it: the loopback callback
/// runs on a free port, which goes into the `redirect_uri` of the authorize URL and of `CreateToken`.
pub const REGISTERED_REDIRECT_URI: &str = "http://127.0.0.1/oauth/callback";

fn oidc_request(endpoint: &Endpoint, path: &str, body: Vec<u8>, body_is_secret: bool) -> HttpRequest {
    HttpRequest {
        method: Method::Post,
        url: format!("{}{path}", endpoint.as_str()),
        headers: vec![
            ("content-type".to_owned(), "application/json".to_owned()),
            ("accept".to_owned(), "application/json".to_owned()),
            ("user-agent".to_owned(), crate::USER_AGENT.to_owned()),
        ],
        body: Some(body),
        body_is_secret,
    }
}

/// Serializes a body into a buffer sized up front, so that secrets are not left behind in a reallocated one (the
/// request wipes its own body on drop).
fn json_body(body: &impl Serialize, size_hint: usize) -> Vec<u8> {
    let mut buffer = Vec::with_capacity(2 * size_hint + 512);
    serde_json::to_writer(&mut buffer, body).expect("a struct of strings always serializes");
    buffer
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RegisterClientBody<'a> {
    client_name: &'a str,
    client_type: &'a str,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    scopes: &'a [String],
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    grant_types: &'a [&'a str],
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    redirect_uris: &'a [&'a str],
    #[serde(skip_serializing_if = "Option::is_none")]
    issuer_url: Option<&'a str>,
}

/// `RegisterClient`: `POST /client/register` with `clientType: "public"`. Empty lists and a missing issuer URL are
/// left out of the body. The AWS CLI names its clients `botocore-client-<session name>`.
///
/// For the authorization-code flow pass [`AUTHORIZATION_CODE_GRANT_TYPES`], `[REGISTERED_REDIRECT_URI]` and the
/// start URL as issuer; for the device flow, only the scopes (none for legacy profiles).
pub fn register_client_request(
    endpoint: &Endpoint,
    client_name: &str,
    scopes: &[String],
    grant_types: &[&str],
    redirect_uris: &[&str],
    issuer_url: Option<&str>,
) -> HttpRequest {
    let body = RegisterClientBody {
        client_name,
        client_type: "public",
        scopes,
        grant_types,
        redirect_uris,
        issuer_url,
    };
    oidc_request(endpoint, "/client/register", json_body(&body, 0), false)
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct StartDeviceAuthorizationBody<'a> {
    client_id: &'a str,
    client_secret: &'a str,
    start_url: &'a str,
}

/// `StartDeviceAuthorization`: `POST /device_authorization`. The body carries the client secret.
pub fn start_device_authorization_request(
    endpoint: &Endpoint,
    client_id: &str,
    client_secret: &SecretString,
    start_url: &str,
) -> HttpRequest {
    let body = StartDeviceAuthorizationBody {
        client_id,
        client_secret: client_secret.expose(),
        start_url,
    };
    let size = client_id.len() + client_secret.expose().len() + start_url.len();
    oidc_request(endpoint, "/device_authorization", json_body(&body, size), true)
}

/// Which grant a `CreateToken` call uses; errors are explained differently for each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GrantType {
    /// `refresh_token`
    RefreshToken,
    /// `urn:ietf:params:oauth:grant-type:device_code`
    DeviceCode,
    /// `authorization_code`
    AuthorizationCode,
}

impl GrantType {
    /// The `grantType` value on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::RefreshToken => "refresh_token",
            Self::DeviceCode => DEVICE_CODE_GRANT_TYPE,
            Self::AuthorizationCode => "authorization_code",
        }
    }
}

/// The grant of a `CreateToken` call, with what it needs. `Debug` redacts the secrets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CreateTokenGrant {
    /// Refresh an access token.
    RefreshToken {
        /// The refresh token from the cache file.
        refresh_token: SecretString,
    },
    /// Poll for the token of a device authorization.
    DeviceCode {
        /// The `deviceCode` from `StartDeviceAuthorization`.
        device_code: SecretString,
    },
    /// Exchange an authorization code (PKCE).
    AuthorizationCode {
        /// The `code` from the loopback callback.
        code: SecretString,
        /// The redirect URI used in the authorize URL, port included.
        redirect_uri: String,
        /// The PKCE code verifier.
        code_verifier: SecretString,
    },
}

impl CreateTokenGrant {
    /// The grant's type.
    pub fn grant_type(&self) -> GrantType {
        match self {
            Self::RefreshToken { .. } => GrantType::RefreshToken,
            Self::DeviceCode { .. } => GrantType::DeviceCode,
            Self::AuthorizationCode { .. } => GrantType::AuthorizationCode,
        }
    }
}

#[derive(Serialize, Default)]
#[serde(rename_all = "camelCase")]
struct CreateTokenBody<'a> {
    client_id: &'a str,
    client_secret: &'a str,
    grant_type: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    device_code: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    code: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    refresh_token: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    redirect_uri: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    code_verifier: Option<&'a str>,
}

/// `CreateToken`: `POST /token` for any of the three grants. The body carries secrets.
pub fn create_token_request(
    endpoint: &Endpoint,
    client_id: &str,
    client_secret: &SecretString,
    grant: &CreateTokenGrant,
) -> HttpRequest {
    let mut body = CreateTokenBody {
        client_id,
        client_secret: client_secret.expose(),
        grant_type: grant.grant_type().as_str(),
        ..CreateTokenBody::default()
    };
    let mut size = client_id.len() + client_secret.expose().len();
    match grant {
        CreateTokenGrant::RefreshToken { refresh_token } => {
            body.refresh_token = Some(refresh_token.expose());
            size += refresh_token.expose().len();
        }
        CreateTokenGrant::DeviceCode { device_code } => {
            body.device_code = Some(device_code.expose());
            size += device_code.expose().len();
        }
        CreateTokenGrant::AuthorizationCode {
            code,
            redirect_uri,
            code_verifier,
        } => {
            body.code = Some(code.expose());
            body.redirect_uri = Some(redirect_uri);
            body.code_verifier = Some(code_verifier.expose());
            size += code.expose().len() + redirect_uri.len() + code_verifier.expose().len();
        }
    }
    oidc_request(endpoint, "/token", json_body(&body, size), true)
}
