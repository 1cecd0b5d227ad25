//! Finding the token in ~/.aws/sso/cache without --cache.

use crate::harness::*;

#[test]
fn skips_client_registrations_and_bad_files_and_uses_the_one_token() {
    let sandbox = Sandbox::new();
    sandbox.write_cache(
        "botocore-client-id-us-east-1.json",
        r#"{"clientId":"c","clientSecret":"s","expiresAt":"2099-01-01T00:00:00Z"}"#,
    );
    sandbox.write_cache(
        "0123456789abcdef0123456789abcdef01234567.json",
        r#"{"clientId":"c","clientSecret":"s","expiresAt":"2099-01-01T00:00:00Z","scopes":["sso:account:access"]}"#,
    );
    sandbox.write_cache("broken.json", "{ not json");
    sandbox.write_cache("empty.json", "");
    sandbox.write_cache("notes.txt", "not a json file");
    std::fs::create_dir_all(sandbox.cache_dir().join("folder.json")).unwrap();
    sandbox.write_token();
    let run = sandbox.export(&["--role-name", "ReadOnly", "--verbose"]);
    run.assert_success();
    assert!(
        run.stderr.contains("skipped") && run.stderr.contains("broken.json"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("using token file") && run.stderr.contains("e2e.json"),
        "{}",
        run.stderr
    );
}

#[test]
fn no_token_says_how_to_sign_in() {
    let sandbox = Sandbox::new();
    sandbox.write_cache("broken.json", "{ not json");
    let run = sandbox.export(&["--role-name", "ReadOnly"]);
    assert_eq!(run.code, 3);
    settings().bind(|| insta::assert_snapshot!("no_token_found", sandbox.snapshot(&run)));
}

#[test]
fn several_sign_ins_are_listed_never_guessed() {
    let sandbox = Sandbox::new();
    sandbox.write_token();
    sandbox.write_cache(
        "other.json",
        r#"{"startUrl":"https://other.awsapps.com/start","region":"eu-west-1","accessToken":"tok-other","expiresAt":"2099-01-01T00:00:00Z"}"#,
    );
    let run = sandbox.export(&["--role-name", "ReadOnly"]);
    assert_eq!(run.code, 3);
    assert!(!run.stderr.contains("tok-other"));
    settings().bind(|| insta::assert_snapshot!("several_sign_ins", sandbox.snapshot(&run)));

    // --start-url chooses (a trailing slash does not matter).
    let run = sandbox.export(&["--role-name", "ReadOnly", "--start-url", &format!("{START_URL}/")]);
    run.assert_success();
}

#[test]
fn two_files_of_one_sign_in_use_the_later_expiry() {
    let sandbox = Sandbox::new();
    sandbox.write_cache(
        "legacy.json",
        token_json("tok-old", "2098-01-01T00:00:00Z", "us-east-1"),
    );
    sandbox.write_token(); // expires 2099, the token the portal knows
    let run = sandbox.export(&["--role-name", "ReadOnly"]);
    run.assert_success();
}

#[test]
fn token_command_shows_file_start_url_region_and_time_left() {
    let sandbox = Sandbox::new();
    let path = sandbox.write_token();
    let run = sandbox.run(&["token"]);
    run.assert_success();
    assert!(run.stdout.contains(&path.display().to_string()), "{}", run.stdout);
    assert!(
        run.stdout.contains(START_URL) && run.stdout.contains("us-east-1"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("expires in"), "{}", run.stdout);

    let run = sandbox.run(&["token", "--json"]);
    run.assert_success();
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(json["region"], "us-east-1");
    assert_eq!(json["expired"], false);
    assert!(!run.stdout.contains(TOKEN));
}

#[test]
fn token_command_exits_4_for_an_expired_token() {
    let sandbox = Sandbox::new();
    sandbox.write_cache("old.json", token_json(TOKEN, "2020-06-17T10:02:08UTC", "us-east-1"));
    let run = sandbox.run(&["token"]);
    assert_eq!(run.code, 4);
    assert!(run.stdout.contains("expired"), "{}", run.stdout);
    assert!(run.stderr.contains("sign in again"), "{}", run.stderr);
}
