//! `Debug` of every type that holds a secret shows `** redacted **` instead, whatever the secret looks like (as
//! aws-config's `redact_fields_in_token_debug`). A secret that reached a log through `{:?}` would be a leak.
#![cfg(not(all(target_family = "wasm", target_os = "unknown")))]

use chrono::{DateTime, Utc};
use sso_core::{
    AccountId, CachedRegistration, CreateTokenGrant, Endpoint, EndpointOptions, GrantType, HttpResponse, Pkce, Region,
    RoleCredentials, RoleName, SecretString, create_token_request, get_role_credentials_request,
    parse_cached_registration, parse_cached_token, parse_create_token_response, parse_register_client_response,
    parse_start_device_authorization_response, refresh_token_request, register_client_request,
};

const SECRETS: [&str; 8] = [
    "SECRET-access-token-1",
    "SECRET-refresh-token-2",
    "SECRET-client-secret-3",
    "SECRET-secret-key-4",
    "SECRET-session-token-5",
    "SECRET-device-code-6",
    "SECRET-auth-code-7",
    "SECRET-id-token-8",
];

fn assert_redacted(what: &str, debug: String) {
    for secret in SECRETS {
        assert!(!debug.contains(secret), "{what} shows {secret}: {debug}");
    }
    // Not even a part of one.
    assert!(!debug.contains("SECRET-"), "{what}: {debug}");
    assert!(
        debug.contains("** redacted **"),
        "{what} shows no redaction marker: {debug}"
    );
}

fn ok(body: &str) -> HttpResponse {
    HttpResponse {
        status: 200,
        headers: vec![],
        body: body.as_bytes().to_vec(),
    }
}

fn at(text: &str) -> DateTime<Utc> {
    sso_core::parse_timestamp(text).unwrap()
}

#[test]
fn secret_string() {
    let secret = SecretString::new(SECRETS[0]);
    assert_eq!(format!("{secret:?}"), "** redacted **");
    assert_eq!(format!("{secret}"), "** redacted **");
    assert_eq!(format!("{:?}", Some(secret.clone())), "Some(** redacted **)");
}

#[test]
fn cached_token_and_the_refresh_request() {
    let file = format!(
        r#"{{"accessToken":"{}","refreshToken":"{}","clientId":"cid","clientSecret":"{}",
            "expiresAt":"2099-01-01T00:00:00Z","registrationExpiresAt":"2099-01-01T00:00:00Z","region":"us-east-1"}}"#,
        SECRETS[0], SECRETS[1], SECRETS[2]
    );
    let token = parse_cached_token(file.as_bytes()).unwrap();
    assert_redacted("CachedToken", format!("{token:?}"));
    assert_redacted("CachedToken (pretty)", format!("{token:#?}"));
    let endpoint = Endpoint::oidc(&Region::new("us-east-1").unwrap(), EndpointOptions::default());
    let request = refresh_token_request(&endpoint, &token, at("2024-01-01T00:00:00Z")).unwrap();
    assert_redacted("HttpRequest (refresh)", format!("{request:?}"));
    assert_eq!(request.redacted_body().as_deref(), Some("** redacted **"));
}

#[test]
fn role_credentials_and_the_portal_request() {
    let credentials = RoleCredentials {
        access_key_id: "ASIAEXAMPLE".into(),
        secret_access_key: SecretString::new(SECRETS[3]),
        session_token: SecretString::new(SECRETS[4]),
        expiration: at("2099-01-01T00:00:00Z"),
        account_id: Some(AccountId::new("111122223333").unwrap()),
    };
    assert_redacted("RoleCredentials", format!("{credentials:?}"));
    let endpoint = Endpoint::portal(&Region::new("us-east-1").unwrap(), EndpointOptions::default());
    let request = get_role_credentials_request(
        &endpoint,
        &SecretString::new(SECRETS[0]),
        &AccountId::new("111122223333").unwrap(),
        &RoleName::new("ReadOnly").unwrap(),
    );
    assert_redacted("HttpRequest (GetRoleCredentials)", format!("{request:?}"));
    assert!(!request.url.contains("SECRET-"), "the token never goes in the URL");
    for (_, value) in request.redacted_headers() {
        assert!(!value.contains("SECRET-"));
    }
}

#[test]
fn oidc_requests_and_responses() {
    let endpoint = Endpoint::oidc(&Region::new("eu-west-1").unwrap(), EndpointOptions::default());
    let client_secret = SecretString::new(SECRETS[2]);
    let grants = [
        CreateTokenGrant::RefreshToken {
            refresh_token: SecretString::new(SECRETS[1]),
        },
        CreateTokenGrant::DeviceCode {
            device_code: SecretString::new(SECRETS[5]),
        },
        CreateTokenGrant::AuthorizationCode {
            code: SecretString::new(SECRETS[6]),
            redirect_uri: "http://127.0.0.1:1/oauth/callback".into(),
            code_verifier: SecretString::new(SECRETS[0]),
        },
    ];
    for grant in &grants {
        assert_redacted("CreateTokenGrant", format!("{grant:?}"));
        let request = create_token_request(&endpoint, "cid", &client_secret, grant);
        assert_redacted("HttpRequest (CreateToken)", format!("{request:?}"));
    }
    // RegisterClient carries no secret: its Debug shows the body, which is fine.
    let register = register_client_request(&endpoint, "botocore-client-x", &[], &[], &[], None);
    assert!(!format!("{register:?}").contains("SECRET-"));

    let registered = parse_register_client_response(&ok(&format!(
        r#"{{"clientId":"cid","clientSecret":"{}","clientIdIssuedAt":1,"clientSecretExpiresAt":4102444800}}"#,
        SECRETS[2]
    )))
    .unwrap();
    assert_redacted("RegisterClientResponse", format!("{registered:?}"));
    let cached = CachedRegistration::from_response(&registered, None, None);
    assert_redacted("CachedRegistration", format!("{cached:?}"));

    let device = parse_start_device_authorization_response(&ok(&format!(
        r#"{{"deviceCode":"{}","userCode":"ABCD-EFGH","verificationUri":"https://d/","expiresIn":600,"interval":1}}"#,
        SECRETS[5]
    )))
    .unwrap();
    assert_redacted("DeviceAuthorization", format!("{device:?}"));

    let token = parse_create_token_response(
        &ok(&format!(
            r#"{{"accessToken":"{}","tokenType":"Bearer","expiresIn":28800,"refreshToken":"{}","idToken":"{}"}}"#,
            SECRETS[0], SECRETS[1], SECRETS[7]
        )),
        GrantType::RefreshToken,
    )
    .unwrap();
    assert_redacted("CreateTokenResponse", format!("{token:?}"));
}

#[test]
fn cached_registration_file_and_pkce() {
    let registration = parse_cached_registration(
        format!(
            r#"{{"clientId":"cid","clientSecret":"{}","expiresAt":"2099-01-01T00:00:00Z","scopes":["sso:account:access"]}}"#,
            SECRETS[2]
        )
        .as_bytes(),
    )
    .unwrap();
    assert_redacted("CachedRegistration (file)", format!("{registration:?}"));
    let pkce = Pkce::from_verifier("SECRET-auth-code-7-padded-to-forty-three-characters-x").unwrap();
    assert_redacted("Pkce", format!("{pkce:?}"));
}

#[test]
fn callback_code() {
    let code = sso_core::parse_callback_query(&format!("code={}&state=s", SECRETS[6]), "s").unwrap();
    assert_eq!(format!("{code:?}"), "** redacted **");
}
