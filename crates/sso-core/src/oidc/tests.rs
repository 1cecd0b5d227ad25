//! The OIDC requests, answers and errors together.

use super::*;
use crate::endpoint::{Endpoint, EndpointOptions};
use crate::http::{HttpRequest, HttpResponse, Method};
use crate::ids::Region;
use crate::secret::SecretString;
use chrono::TimeDelta;
use serde_json::Value;
// On wasm32 the same tests run under wasm-bindgen-test (as quinn-proto does).
#[cfg(all(target_family = "wasm", target_os = "unknown"))]
use wasm_bindgen_test::wasm_bindgen_test as test;

fn endpoint() -> Endpoint {
    Endpoint::oidc(&Region::new("eu-west-1").unwrap(), EndpointOptions::default())
}

fn response(status: u16, headers: &[(&str, &str)], body: &str) -> HttpResponse {
    HttpResponse {
        status,
        headers: headers.iter().map(|(n, v)| (n.to_string(), v.to_string())).collect(),
        body: body.as_bytes().to_vec(),
    }
}

fn body_json(request: &HttpRequest) -> Value {
    serde_json::from_slice(request.body.as_ref().unwrap()).unwrap()
}

#[test]
fn register_client_for_the_authorization_code_flow() {
    let request = register_client_request(
        &endpoint(),
        "botocore-client-corp",
        &["sso:account:access".to_owned()],
        &AUTHORIZATION_CODE_GRANT_TYPES,
        &[REGISTERED_REDIRECT_URI],
        Some("https://corp.awsapps.com/start"),
    );
    assert_eq!(request.method, Method::Post);
    assert_eq!(request.url, "https://oidc.eu-west-1.amazonaws.com/client/register");
    assert!(!request.body_is_secret);
    assert!(
        request
            .headers
            .contains(&("content-type".into(), "application/json".into()))
    );
    assert!(
        request
            .headers
            .iter()
            .any(|(n, v)| n == "user-agent" && v.starts_with("ssocreds/"))
    );
    assert_eq!(
        body_json(&request),
        serde_json::json!({
            "clientName": "botocore-client-corp",
            "clientType": "public",
            "scopes": ["sso:account:access"],
            "grantTypes": ["authorization_code", "refresh_token"],
            "redirectUris": ["http://127.0.0.1/oauth/callback"],
            "issuerUrl": "https://corp.awsapps.com/start"
        })
    );
    // The device flow of a legacy profile sends neither scopes nor grant types.
    let request = register_client_request(&endpoint(), "botocore-client-1700000000", &[], &[], &[], None);
    assert_eq!(
        body_json(&request),
        serde_json::json!({"clientName": "botocore-client-1700000000", "clientType": "public"})
    );
}

#[test]
fn device_authorization_and_token_requests_carry_secrets_in_the_body_only() {
    let secret = SecretString::new("csecret");
    let request = start_device_authorization_request(&endpoint(), "cid", &secret, "https://x/start");
    assert_eq!(request.url, "https://oidc.eu-west-1.amazonaws.com/device_authorization");
    assert!(request.body_is_secret);
    assert_eq!(
        body_json(&request),
        serde_json::json!({"clientId": "cid", "clientSecret": "csecret", "startUrl": "https://x/start"})
    );
    assert!(!format!("{request:?}").contains("csecret"));

    let cases = [
        (
            CreateTokenGrant::RefreshToken {
                refresh_token: SecretString::new("rt"),
            },
            serde_json::json!({"clientId": "cid", "clientSecret": "csecret", "grantType": "refresh_token",
                "refreshToken": "rt"}),
        ),
        (
            CreateTokenGrant::DeviceCode {
                device_code: SecretString::new("dc"),
            },
            serde_json::json!({"clientId": "cid", "clientSecret": "csecret",
                "grantType": "urn:ietf:params:oauth:grant-type:device_code", "deviceCode": "dc"}),
        ),
        (
            CreateTokenGrant::AuthorizationCode {
                code: SecretString::new("ac"),
                redirect_uri: "http://127.0.0.1:4321/oauth/callback".into(),
                code_verifier: SecretString::new("cv"),
            },
            serde_json::json!({"clientId": "cid", "clientSecret": "csecret", "grantType": "authorization_code",
                "code": "ac", "redirectUri": "http://127.0.0.1:4321/oauth/callback", "codeVerifier": "cv"}),
        ),
    ];
    for (grant, expected) in cases {
        let request = create_token_request(&endpoint(), "cid", &secret, &grant);
        assert_eq!(request.url, "https://oidc.eu-west-1.amazonaws.com/token");
        assert!(request.body_is_secret);
        assert_eq!(body_json(&request), expected);
        let debug = format!("{grant:?}");
        for leaked in ["\"rt\"", "\"dc\"", "\"ac\"", "\"cv\""] {
            assert!(!debug.contains(leaked), "{debug}");
        }
    }
}

#[test]
fn successful_answers_parse_and_redact() {
    let registered = parse_register_client_response(&response(
        200,
        &[],
        r#"{"clientId":"cid","clientSecret":"csecret","clientIdIssuedAt":1700000000,"clientSecretExpiresAt":1707776000}"#,
    ))
    .unwrap();
    assert_eq!(registered.client_id, "cid");
    assert_eq!(registered.client_secret_expires_at.timestamp(), 1_707_776_000);
    assert!(!format!("{registered:?}").contains("csecret"));

    let device = parse_start_device_authorization_response(&response(
        200,
        &[],
        r#"{"deviceCode":"dc","userCode":"ABCD-EFGH","verificationUri":"https://device.sso.eu-west-1.amazonaws.com/","verificationUriComplete":"https://device.sso.eu-west-1.amazonaws.com/?user_code=ABCD-EFGH","expiresIn":600,"interval":1}"#,
    ))
    .unwrap();
    assert_eq!((device.user_code.as_str(), device.interval), ("ABCD-EFGH", Some(1)));
    assert_eq!(device.expires_in, TimeDelta::seconds(600));
    assert!(!format!("{device:?}").contains("\"dc\""));

    let token = parse_create_token_response(
        &response(
            200,
            &[],
            r#"{"accessToken":"at","tokenType":"Bearer","expiresIn":28800,"refreshToken":"rt"}"#,
        ),
        GrantType::RefreshToken,
    )
    .unwrap();
    assert_eq!(token.access_token.expose(), "at");
    assert_eq!(token.refresh_token.as_ref().unwrap().expose(), "rt");
    assert_eq!(token.expires_in, TimeDelta::hours(8));
    let debug = format!("{token:?}");
    assert!(!debug.contains("\"at\"") && !debug.contains("\"rt\""), "{debug}");

    let token = parse_create_token_response(
        &response(200, &[], r#"{"accessToken":"at","expiresIn":3600}"#),
        GrantType::DeviceCode,
    )
    .unwrap();
    assert!(token.refresh_token.is_none());
}

#[test]
fn malformed_successes_are_unexpected_and_say_why() {
    for (body, why) in [
        ("{", "not valid JSON at line 1"),
        ("[]", "not a JSON object"),
        (r#"{"expiresIn":60}"#, "accessToken is missing"),
        (r#"{"accessToken":"","expiresIn":60}"#, "accessToken is empty"),
        (r#"{"accessToken":"a"}"#, "expiresIn is missing"),
        (
            r#"{"accessToken":"a","expiresIn":-5}"#,
            "expiresIn is -5, not a positive number of seconds",
        ),
        (
            r#"{"accessToken":"a","expiresIn":"60"}"#,
            "expiresIn: invalid type: a string, expected a JSON number",
        ),
    ] {
        let err = parse_create_token_response(&response(200, &[], body), GrantType::RefreshToken).unwrap_err();
        assert_eq!(err.kind, OidcErrorKind::Unexpected, "{body}");
        assert_eq!(err.code(), "OIDC_UNEXPECTED_RESPONSE");
        assert!(err.to_string().contains(why), "{err}");
        assert!(
            err.to_string()
                .starts_with("the OIDC service's answer to CreateToken could not be understood")
        );
    }
    let err =
        parse_register_client_response(&response(200, &[], r#"{"clientId":"c","clientSecret":"s"}"#)).unwrap_err();
    assert!(err.to_string().contains("clientSecretExpiresAt is missing"), "{err}");
}

#[test]
fn error_kind_comes_from_header_then_error_then_type_then_status() {
    let grant = GrantType::DeviceCode;
    let err = parse_create_token_response(
        &response(
            400,
            &[(
                "X-Amzn-ErrorType",
                "AuthorizationPendingException:http://internal.amazon.com/coral/x/",
            )],
            r#"{"error":"slow_down","error_description":"wait"}"#,
        ),
        grant,
    )
    .unwrap_err();
    assert_eq!(err.kind, OidcErrorKind::AuthorizationPending);
    assert_eq!(err.error_type.as_deref(), Some("AuthorizationPendingException"));
    assert_eq!(err.message.as_deref(), Some("wait"));

    let err = parse_create_token_response(&response(400, &[], r#"{"error":"slow_down"}"#), grant).unwrap_err();
    assert_eq!(err.kind, OidcErrorKind::SlowDown);

    let err = parse_create_token_response(
        &response(
            400,
            &[],
            r#"{"__type":"com.amazonaws.sso.oidc#ExpiredTokenException","message":"m"}"#,
        ),
        grant,
    )
    .unwrap_err();
    assert_eq!(
        (err.kind, err.message.as_deref()),
        (OidcErrorKind::ExpiredToken, Some("m"))
    );

    let err =
        parse_create_token_response(&response(400, &[], r#"{"code":"InvalidScopeException"}"#), grant).unwrap_err();
    assert_eq!(err.kind, OidcErrorKind::InvalidScope);

    for (status, kind) in [
        (400, OidcErrorKind::InvalidRequest),
        (401, OidcErrorKind::InvalidClient),
        (403, OidcErrorKind::AccessDenied),
        (429, OidcErrorKind::TooManyRequests),
        (503, OidcErrorKind::InternalServer),
        (302, OidcErrorKind::Unexpected),
    ] {
        let err = parse_create_token_response(&response(status, &[], "<html/>"), grant).unwrap_err();
        assert_eq!(err.kind, kind, "{status}");
    }
    // An unknown name falls back to the status.
    let err = parse_create_token_response(&response(500, &[], r#"{"error":"weird"}"#), grant).unwrap_err();
    assert_eq!(
        (err.kind, err.error_type.as_deref()),
        (OidcErrorKind::InternalServer, Some("weird"))
    );
}

#[test]
fn every_oauth_error_code_maps() {
    for (name, kind) in [
        ("authorization_pending", OidcErrorKind::AuthorizationPending),
        ("slow_down", OidcErrorKind::SlowDown),
        ("access_denied", OidcErrorKind::AccessDenied),
        ("expired_token", OidcErrorKind::ExpiredToken),
        ("invalid_grant", OidcErrorKind::InvalidGrant),
        ("invalid_client", OidcErrorKind::InvalidClient),
        ("invalid_request", OidcErrorKind::InvalidRequest),
        ("invalid_scope", OidcErrorKind::InvalidScope),
        ("unauthorized_client", OidcErrorKind::UnauthorizedClient),
        ("unsupported_grant_type", OidcErrorKind::UnsupportedGrantType),
        ("InvalidRequestRegionException", OidcErrorKind::InvalidRequestRegion),
        ("InvalidRedirectUriException", OidcErrorKind::InvalidRedirectUri),
        ("InvalidClientMetadataException", OidcErrorKind::InvalidClientMetadata),
        ("InternalServerException", OidcErrorKind::InternalServer),
    ] {
        assert_eq!(OidcErrorKind::from_name(name), Some(kind), "{name}");
    }
}

fn error_text(kind_header: &str, status: u16, grant: GrantType) -> OidcError {
    parse_create_token_response(
        &response(
            status,
            &[("x-amzn-errortype", kind_header)],
            r#"{"error":"x","error_description":"Invalid grant provided"}"#,
        ),
        grant,
    )
    .unwrap_err()
}

#[test]
fn messages_give_advice_for_the_grant() {
    let err = error_text("InvalidGrantException", 400, GrantType::RefreshToken);
    assert_eq!(err.code(), "OIDC_INVALID_GRANT");
    assert!(!err.is_retryable());
    assert_eq!(
        err.to_string(),
        "the refresh token was rejected (HTTP 400 InvalidGrantException: Invalid grant provided): the session has \
         ended or was revoked; sign in again with `ssocreds login` (or `aws sso login`)"
    );
    let text = error_text("InvalidGrantException", 400, GrantType::AuthorizationCode).to_string();
    assert!(
        text.starts_with("the authorization code was rejected") && text.contains("PKCE"),
        "{text}"
    );
    let text = error_text("ExpiredTokenException", 400, GrantType::DeviceCode).to_string();
    assert!(
        text.starts_with("the sign-in request expired before it was approved"),
        "{text}"
    );
    let text = error_text("ExpiredTokenException", 400, GrantType::RefreshToken).to_string();
    assert!(
        text.starts_with("the refresh token has expired") && text.contains("ssocreds login"),
        "{text}"
    );
    let err = error_text("InvalidClientException", 401, GrantType::RefreshToken);
    assert_eq!(
        err.to_string(),
        "the OIDC client registration was rejected (HTTP 401 InvalidClientException: Invalid grant provided): it \
         has expired or is unknown to this region; sign in again with `ssocreds login` (or `aws sso login`), \
         which registers a new client"
    );
    let text = error_text("AccessDeniedException", 400, GrantType::DeviceCode).to_string();
    assert!(text.contains("choose Allow"), "{text}");
    let err = error_text("InternalServerException", 500, GrantType::RefreshToken);
    assert!(err.is_retryable());
    assert!(err.to_string().ends_with("try again later"));
    let err = error_text("ThrottlingException", 400, GrantType::RefreshToken);
    assert_eq!((err.kind, err.is_retryable()), (OidcErrorKind::TooManyRequests, true));
}

#[test]
fn server_text_cannot_inject_control_characters() {
    let err = parse_create_token_response(
        &response(
            400,
            &[],
            "{\"error\":\"invalid_grant\",\"error_description\":\"a\\u001b[2Jb\"}",
        ),
        GrantType::RefreshToken,
    )
    .unwrap_err();
    assert!(!err.to_string().contains('\u{1b}'));
}
