//! The OIDC answers: typed, read from the body of a 2xx response.

use chrono::{DateTime, TimeDelta, Utc};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::errors::{OidcError, OidcOperation, oidc_error, unexpected};
use super::requests::GrantType;
use crate::document;
use crate::http::HttpResponse;
use crate::secret::SecretString;

/// A registered OIDC client (`RegisterClient`'s answer). `Debug` redacts the secret.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RegisterClientResponse {
    /// `clientId`
    #[serde(deserialize_with = "document::non_empty")]
    pub client_id: String,
    /// `clientSecret`
    #[serde(deserialize_with = "document::non_empty_secret")]
    pub client_secret: SecretString,
    /// `clientIdIssuedAt`, when given.
    #[serde(default, deserialize_with = "document::optional_epoch_seconds")]
    pub client_id_issued_at: Option<DateTime<Utc>>,
    /// `clientSecretExpiresAt`: when the registration (and every refresh through it) stops working.
    #[serde(deserialize_with = "document::epoch_seconds")]
    pub client_secret_expires_at: DateTime<Utc>,
}

/// A device authorization (`StartDeviceAuthorization`'s answer). `Debug` redacts the device code.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeviceAuthorization {
    /// `deviceCode`: with the client secret, it can be exchanged for a token, so it is kept secret.
    #[serde(deserialize_with = "document::non_empty_secret")]
    pub device_code: SecretString,
    /// `userCode`: what the user compares on the page.
    #[serde(deserialize_with = "document::non_empty")]
    pub user_code: String,
    /// `verificationUri`
    #[serde(deserialize_with = "document::non_empty")]
    pub verification_uri: String,
    /// `verificationUriComplete`: the page with the code filled in, when given.
    #[serde(default, deserialize_with = "document::optional_non_empty")]
    pub verification_uri_complete: Option<String>,
    /// `expiresIn`: how long the user has to approve.
    #[serde(deserialize_with = "document::positive_seconds")]
    pub expires_in: TimeDelta,
    /// `interval`: seconds between polls, when given (the default is 5).
    #[serde(default, deserialize_with = "document::optional_u32")]
    pub interval: Option<u32>,
}

/// A token (`CreateToken`'s answer). `Debug` redacts the tokens.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateTokenResponse {
    /// `accessToken`
    #[serde(deserialize_with = "document::non_empty_secret")]
    pub access_token: SecretString,
    /// `tokenType` (`Bearer`), when given.
    #[serde(default, deserialize_with = "document::optional_non_empty")]
    pub token_type: Option<String>,
    /// `expiresIn`: the access token's lifetime.
    #[serde(deserialize_with = "document::positive_seconds")]
    pub expires_in: TimeDelta,
    /// `refreshToken`, when given.
    #[serde(default, deserialize_with = "document::optional_secret")]
    pub refresh_token: Option<SecretString>,
    /// `idToken`, when given.
    #[serde(default, deserialize_with = "document::optional_secret")]
    pub id_token: Option<SecretString>,
}

/// The typed body of a 2xx answer; any other status is the [`OidcError`] it stands for.
fn success_body<T: DeserializeOwned>(response: &HttpResponse, operation: OidcOperation) -> Result<T, OidcError> {
    if !(200..300).contains(&response.status) {
        return Err(oidc_error(response, operation));
    }
    let value = match serde_json::from_slice(&response.body) {
        Ok(value @ Value::Object(_)) => value,
        Ok(_) => {
            return Err(unexpected(
                response,
                operation,
                "the body is not a JSON object".to_owned(),
            ));
        }
        Err(e) => {
            return Err(unexpected(
                response,
                operation,
                format!("the body is not valid JSON at line {}, column {}", e.line(), e.column()),
            ));
        }
    };
    document::from_value(value).map_err(|e| unexpected(response, operation, e.describe()))
}

/// Parses a `RegisterClient` answer.
pub fn parse_register_client_response(response: &HttpResponse) -> Result<RegisterClientResponse, OidcError> {
    success_body(response, OidcOperation::RegisterClient)
}

/// Parses a `StartDeviceAuthorization` answer.
pub fn parse_start_device_authorization_response(response: &HttpResponse) -> Result<DeviceAuthorization, OidcError> {
    success_body(response, OidcOperation::StartDeviceAuthorization)
}

/// Parses a `CreateToken` answer; `grant` says which call it answers, so that errors give the right advice.
pub fn parse_create_token_response(
    response: &HttpResponse,
    grant: GrantType,
) -> Result<CreateTokenResponse, OidcError> {
    success_body(response, OidcOperation::CreateToken(grant))
}
