//! The wrapper on wasm32 (`cargo test -p ssocreds-wasm --target wasm32-unknown-unknown`, run in Node by
//! wasm-bindgen-test): options in, results out, and every failure as a JavaScript `Error` with its `code`.
//! The JavaScript API as users see it (require, import, fetch, retries) is tested by `crates/wasm/test/*.mjs`.
#![cfg(all(target_family = "wasm", target_os = "unknown"))]

use js_sys::{Array, Object, Reflect};
use ssocreds_wasm::{
    build_commands, build_get_role_credentials_request, cache_file_name_js, check_token, export_formats,
    format_exports_js, parse_cache, parse_get_role_credentials_response_js, prepare_get_role_credentials,
    retry_delay_ms,
};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::wasm_bindgen_test;

const CACHE: &str = r#"{"startUrl":"https://my-sso-portal.awsapps.com/start","region":"eu-west-1",
    "accessToken":"secret-token","expiresAt":"2023-02-14T18:48:59UTC","refreshToken":"r"}"#;

/// A plain object from key/value pairs.
fn object(pairs: &[(&str, JsValue)]) -> JsValue {
    let object = Object::new();
    for (key, value) in pairs {
        Reflect::set(&object, &JsValue::from_str(key), value).unwrap();
    }
    object.into()
}

fn s(text: &str) -> JsValue {
    JsValue::from_str(text)
}

fn get(value: &JsValue, key: &str) -> JsValue {
    Reflect::get(value, &s(key)).unwrap()
}

fn text(value: &JsValue, key: &str) -> String {
    get(value, key)
        .as_string()
        .unwrap_or_else(|| panic!("{key} is not a string"))
}

/// The thrown value: a real `Error` with `code`; returns (code, message).
fn thrown(result: Result<impl std::fmt::Debug, ssocreds_wasm::Failure>) -> (String, String) {
    let failure = result.expect_err("expected a failure");
    let value: JsValue = failure.into();
    let error = value.dyn_ref::<js_sys::Error>().expect("a real Error");
    (text(&value, "code"), error.message().into())
}

fn now() -> JsValue {
    s("2023-02-14T10:48:59Z")
}

#[wasm_bindgen_test]
fn parse_cache_reads_the_file_but_never_returns_the_token() {
    let info = parse_cache(s(CACHE)).unwrap();
    assert_eq!(text(&info, "startUrl"), "https://my-sso-portal.awsapps.com/start");
    assert_eq!(text(&info, "region"), "eu-west-1");
    assert_eq!(text(&info, "expiresAt"), "2023-02-14T18:48:59Z");
    assert_eq!(get(&info, "hasRefreshToken"), JsValue::TRUE);
    assert!(get(&info, "registrationExpiresAt").is_null());
    let json = js_sys::JSON::stringify(&info).unwrap().as_string().unwrap();
    assert!(!json.contains("secret-token"), "{json}");
}

#[wasm_bindgen_test]
fn parse_cache_takes_bytes_too() {
    let bytes = js_sys::Uint8Array::from(CACHE.as_bytes());
    assert_eq!(text(&parse_cache(bytes.into()).unwrap(), "region"), "eu-west-1");
}

#[wasm_bindgen_test]
fn cache_errors_carry_the_core_code_and_message() {
    assert_eq!(thrown(parse_cache(s("  "))).0, "CACHE_EMPTY");
    let (code, message) = thrown(parse_cache(s("{")));
    assert_eq!(code, "CACHE_INVALID_JSON");
    assert!(
        message.starts_with("the token cache file is not valid JSON (line 1, column 1)"),
        "{message}"
    );
    let (code, message) = thrown(parse_cache(s(r#"{"accessToken":"t","expiresAt":"soon"}"#)));
    assert_eq!(code, "CACHE_INVALID_TIMESTAMP");
    // The cause is joined to the message, as the CLI does.
    assert!(message.contains(r#""soon" is not a timestamp"#), "{message}");
    assert_eq!(thrown(parse_cache(JsValue::from_f64(3.0))).0, "INVALID_ARGUMENT");
}

#[wasm_bindgen_test]
fn check_token_reports_time_left_warnings_and_expiry() {
    let status = check_token(s(CACHE), object(&[("now", now())])).unwrap();
    assert_eq!(get(&status, "expired"), JsValue::FALSE);
    assert_eq!(get(&status, "expiresInSeconds").as_f64(), Some(8.0 * 3600.0));
    assert_eq!(text(&status, "timeLeft"), "8 h 0 min");
    assert_eq!(Array::from(&get(&status, "warnings")).length(), 0);

    let soon = check_token(
        s(CACHE),
        object(&[("now", s("2023-02-14T18:40:00Z")), ("region", s("us-east-1"))]),
    )
    .unwrap();
    assert_eq!(get(&soon, "expiringSoon"), JsValue::TRUE);
    let warnings: Vec<String> = Array::from(&get(&soon, "warnings"))
        .iter()
        .filter_map(|w| w.as_string())
        .collect();
    assert_eq!(warnings.len(), 2, "{warnings:?}");
    assert!(
        warnings.iter().any(|w| w.contains("issued in eu-west-1")),
        "{warnings:?}"
    );
    assert!(
        warnings.iter().any(|w| w.contains("expires in 8 min 59 s")),
        "{warnings:?}"
    );

    let expired = check_token(s(CACHE), object(&[("now", JsValue::from_f64(1_700_000_000_000.0))])).unwrap();
    assert_eq!(get(&expired, "expired"), JsValue::TRUE);
    assert_eq!(text(&expired, "code"), "TOKEN_EXPIRED");
    assert!(text(&expired, "message").contains("sign in again with `ssocreds login` or `aws sso login`"));
}

#[wasm_bindgen_test]
fn check_token_refuses_unknown_and_mistyped_options() {
    let (code, message) = thrown(check_token(
        s(CACHE),
        object(&[("minValidity", JsValue::from_f64(1.0))]),
    ));
    assert_eq!(code, "INVALID_ARGUMENT");
    assert_eq!(
        message,
        "invalid options.minValidity passed to checkToken: unknown field `minValidity`, expected one of `now`, \
         `region`, `minValiditySeconds`"
    );
    assert_eq!(
        thrown(check_token(s(CACHE), object(&[("region", s("Mars"))]))).0,
        "INVALID_REGION"
    );
    assert_eq!(
        thrown(check_token(s(CACHE), object(&[("now", s("yesterday"))]))).0,
        "INVALID_TIMESTAMP"
    );
}

fn request_options(extra: &[(&str, JsValue)]) -> JsValue {
    let mut pairs = vec![
        ("cache", s(CACHE)),
        ("accountId", s("111122223333")),
        ("roleName", s("ReadOnly")),
    ];
    pairs.extend(extra.iter().cloned());
    object(&pairs)
}

#[wasm_bindgen_test]
fn the_request_goes_to_the_token_region_with_the_token_in_a_header() {
    let request = build_get_role_credentials_request(request_options(&[])).unwrap();
    assert_eq!(text(&request, "method"), "GET");
    assert_eq!(
        text(&request, "url"),
        "https://portal.sso.eu-west-1.amazonaws.com/federation/credentials?role_name=ReadOnly&account_id=111122223333"
    );
    assert_eq!(
        text(&get(&request, "headers"), "x-amz-sso_bearer_token"),
        "secret-token"
    );
    let custom =
        build_get_role_credentials_request(request_options(&[("endpoint", s("http://127.0.0.1:9/"))])).unwrap();
    assert!(text(&custom, "url").starts_with("http://127.0.0.1:9/federation/credentials?"));
}

#[wasm_bindgen_test]
fn request_options_are_validated_like_the_cli() {
    let bad = |pairs: &[(&str, JsValue)]| thrown(build_get_role_credentials_request(request_options(pairs))).0;
    assert_eq!(bad(&[("accountId", s("12a4"))]), "INVALID_ACCOUNT_ID");
    assert_eq!(bad(&[("roleName", s("Read Only"))]), "INVALID_ROLE_NAME");
    assert_eq!(bad(&[("endpoint", s("http://example.com"))]), "ENDPOINT_INSECURE_HTTP");
    assert_eq!(bad(&[("endpoint", s("ftp://x"))]), "ENDPOINT_INVALID");
    assert_eq!(
        bad(&[("accountId", JsValue::from_f64(111122223333.0))]),
        "INVALID_ARGUMENT"
    );
    let no_region = object(&[
        ("cache", s(r#"{"accessToken":"t","expiresAt":"2099-01-01T00:00:00Z"}"#)),
        ("accountId", s("111122223333")),
        ("roleName", s("R")),
    ]);
    assert_eq!(
        thrown(build_get_role_credentials_request(no_region)).0,
        "REGION_MISSING"
    );
    assert_eq!(
        thrown(build_get_role_credentials_request(JsValue::UNDEFINED)).0,
        "INVALID_ARGUMENT"
    );
}

#[wasm_bindgen_test]
fn option_failures_name_the_key_and_undefined_is_not_given() {
    // serde's words, with the key that was wrong.
    let (code, message) = thrown(build_get_role_credentials_request(request_options(&[(
        "roleName",
        JsValue::TRUE,
    )])));
    assert_eq!(code, "INVALID_ARGUMENT");
    assert!(
        message.starts_with("invalid options.roleName passed to buildGetRoleCredentialsRequest: invalid type:"),
        "{message}"
    );
    let (_, message) = thrown(build_get_role_credentials_request(request_options(&[(
        "roleName",
        JsValue::UNDEFINED,
    )])));
    assert_eq!(
        message,
        "invalid options.roleName passed to buildGetRoleCredentialsRequest: it is missing"
    );
    // A key set to undefined is a key not given, as the page passes `region: region || undefined`.
    let request = build_get_role_credentials_request(request_options(&[("region", JsValue::UNDEFINED)])).unwrap();
    assert!(text(&request, "url").starts_with("https://portal.sso.eu-west-1.amazonaws.com/"));
    // Not an object: an array is not read as pairs, a string not at all.
    for options in [Array::new().into(), s("accountId=111122223333")] {
        let (code, message) = thrown(check_token(s(CACHE), options));
        assert_eq!(code, "INVALID_ARGUMENT");
        assert_eq!(message, "invalid options passed to checkToken: expected an object");
    }
    // Headers that are not [name, value] pairs of strings.
    let bad_headers = object(&[
        ("status", JsValue::from_f64(200.0)),
        ("headers", Array::of1(&s("x-a: b")).into()),
    ]);
    let (code, message) = thrown(parse_get_role_credentials_response_js(bad_headers, JsValue::UNDEFINED));
    assert_eq!(code, "INVALID_ARGUMENT");
    assert!(
        message.starts_with("invalid response.headers passed to parseGetRoleCredentialsResponse:"),
        "{message}"
    );
}

#[wasm_bindgen_test]
fn prepare_refuses_an_expired_token_and_returns_the_context() {
    let (code, _) = thrown(prepare_get_role_credentials(request_options(&[(
        "now",
        s("2024-01-01T00:00:00Z"),
    )])));
    assert_eq!(code, "TOKEN_EXPIRED");
    let prepared = prepare_get_role_credentials(request_options(&[("now", now())])).unwrap();
    let context = get(&prepared, "context");
    assert_eq!(text(&context, "region"), "eu-west-1");
    assert_eq!(text(&context, "tokenRegion"), "eu-west-1");
}

fn response(status: f64, body: &str) -> JsValue {
    object(&[("status", JsValue::from_f64(status)), ("body", s(body))])
}

#[wasm_bindgen_test]
fn responses_become_credentials_or_portal_errors() {
    let body = r#"{"roleCredentials":{"accessKeyId":"ASIA1","secretAccessKey":"sk","sessionToken":"st",
        "expiration":1676400539000}}"#;
    let context = object(&[("accountId", s("111122223333")), ("roleName", s("ReadOnly"))]);
    let credentials = parse_get_role_credentials_response_js(response(200.0, body), context.clone()).unwrap();
    assert_eq!(text(&credentials, "expiration"), "2023-02-14T18:48:59Z");
    assert_eq!(text(&credentials, "accountId"), "111122223333");

    let forbidden = parse_get_role_credentials_response_js(response(403.0, r#"{"message":"No access"}"#), context);
    let value: JsValue = forbidden.unwrap_err().into();
    assert_eq!(text(&value, "code"), "PORTAL_FORBIDDEN");
    assert_eq!(get(&value, "status").as_f64(), Some(403.0));
    assert_eq!(get(&value, "retryable"), JsValue::FALSE);

    let throttled = object(&[
        ("status", JsValue::from_f64(429.0)),
        ("headers", Array::of1(&Array::of2(&s("Retry-After"), &s("3"))).into()),
        ("body", s("{}")),
    ]);
    let value: JsValue = parse_get_role_credentials_response_js(throttled, JsValue::UNDEFINED)
        .unwrap_err()
        .into();
    assert_eq!(text(&value, "code"), "PORTAL_THROTTLED");
    assert_eq!(get(&value, "retryable"), JsValue::TRUE);
    assert_eq!(get(&value, "retryAfterSeconds").as_f64(), Some(3.0));

    assert_eq!(
        thrown(parse_get_role_credentials_response_js(
            response(200.0, "{"),
            JsValue::UNDEFINED
        ))
        .0,
        "PORTAL_UNEXPECTED_RESPONSE"
    );
    assert_eq!(
        thrown(parse_get_role_credentials_response_js(
            response(99.0, "{}"),
            JsValue::UNDEFINED
        ))
        .0,
        "INVALID_ARGUMENT"
    );
}

fn credentials(expiration: JsValue) -> JsValue {
    object(&[
        ("accessKeyId", s("ASIA1")),
        ("secretAccessKey", s("it's")),
        ("sessionToken", s("st")),
        ("expiration", expiration),
        ("accountId", s("111122223333")),
    ])
}

#[wasm_bindgen_test]
fn exports_in_every_format_and_time_form() {
    let env = format_exports_js(credentials(s("2023-02-14T18:48:59Z")), s("env"), JsValue::UNDEFINED).unwrap();
    assert_eq!(
        env,
        "export AWS_ACCESS_KEY_ID=ASIA1\nexport AWS_SECRET_ACCESS_KEY='it'\\''s'\nexport AWS_SESSION_TOKEN=st\n\
         export AWS_CREDENTIAL_EXPIRATION=2023-02-14T18:48:59Z\n"
    );
    let from_millis = format_exports_js(
        credentials(JsValue::from_f64(1_676_400_539_000.0)),
        s("env"),
        JsValue::UNDEFINED,
    )
    .unwrap();
    let from_date = format_exports_js(
        credentials(js_sys::Date::new(&JsValue::from_f64(1_676_400_539_000.0)).into()),
        s("env"),
        JsValue::UNDEFINED,
    )
    .unwrap();
    assert_eq!(env, from_millis);
    assert_eq!(env, from_date);
    let formats: Vec<String> = export_formats().iter().map(|f| f.as_string().unwrap()).collect();
    assert_eq!(formats.len(), 8, "{formats:?}");
    for format in formats {
        let out = format_exports_js(credentials(now()), s(&format), object(&[("region", s("eu-west-1"))]));
        // `it's` cannot be written safely for cmd.exe only if it had quotes, %, ! or newlines: it has none.
        assert!(out.is_ok(), "{format}");
    }
    assert_eq!(
        thrown(format_exports_js(credentials(now()), s("bash"), JsValue::UNDEFINED)).0,
        "EXPORT_UNKNOWN_FORMAT"
    );
    let with_percent = object(&[
        ("accessKeyId", s("A")),
        ("secretAccessKey", s("50%")),
        ("sessionToken", s("t")),
        ("expiration", now()),
    ]);
    assert_eq!(
        thrown(format_exports_js(with_percent, s("windows-cmd"), JsValue::UNDEFINED)).0,
        "EXPORT_UNREPRESENTABLE"
    );
}

#[wasm_bindgen_test]
fn commands_and_file_names() {
    let commands = build_commands(request_options(&[
        ("cachePath", s("~/.aws/sso/cache/abc.json")),
        ("format", s("fish")),
    ]))
    .unwrap();
    assert!(text(&commands, "awsCli").starts_with("aws sso get-role-credentials --account-id 111122223333"));
    assert!(text(&commands, "ssocreds").ends_with("--format fish"));
    assert!(!text(&commands, "curl").contains("secret-token"));
    assert_eq!(
        cache_file_name_js(s("")).unwrap(),
        "da39a3ee5e6b4b0d3255bfef95601890afd80709.json"
    );
}

#[wasm_bindgen_test]
fn retry_delays_follow_the_core_policy() {
    assert_eq!(retry_delay_ms(1, false, None, 0, None), None);
    assert_eq!(retry_delay_ms(1, true, None, 0, None), Some(100.0));
    assert_eq!(retry_delay_ms(1, true, Some(2.0), 0, None), Some(2000.0));
    assert_eq!(retry_delay_ms(4, true, None, 0, None), None);
    assert_eq!(retry_delay_ms(1, true, None, 0, Some(1)), None);
}
