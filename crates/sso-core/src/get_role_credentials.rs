//! One "prepare GetRoleCredentials" step for both hosts: validate what the caller typed, parse the token cache,
//! pick the region and endpoint, and build the request with the context its answer's errors will name.

use crate::{
    AccountId, CachedToken, CallContext, Endpoint, EndpointOptions, Error, HttpRequest, Region, RegionChoice, RoleName,
    get_role_credentials_request, parse_cached_token, resolve_region,
};

/// A `GetRoleCredentials` call ready to send. Parse its answer with
/// [`crate::parse_get_role_credentials_response`] and [`PreparedGetRoleCredentials::context`].
#[derive(Debug, Clone)]
pub struct PreparedGetRoleCredentials {
    /// The request; the token is in its `x-amz-sso_bearer_token` header.
    pub request: HttpRequest,
    /// What the call is about: operation, account, role, the region called and the token's own region.
    pub context: CallContext,
    /// The region called and the token's region ([`RegionChoice::mismatch_warning`] says when they differ).
    pub region: RegionChoice,
}

/// Where to send the call: `endpoint` when the caller overrides it, else the portal of the region chosen.
#[derive(Debug, Clone, Default)]
pub struct PortalEndpoint {
    /// An endpoint that replaces the regional one (`--endpoint-url`, `AWS_ENDPOINT_URL_SSO`, the `endpoint` option).
    pub custom: Option<Endpoint>,
    /// FIPS and dual-stack, for the regional endpoint.
    pub options: EndpointOptions,
}

/// Prepares the call for an already parsed (and, if the host refreshes, refreshed) token: the region asked for
/// (`--region`, a profile's `sso_region`), else the token's; the endpoint; the request and its context.
pub fn prepare_get_role_credentials(
    token: &CachedToken,
    account_id: &AccountId,
    role_name: &RoleName,
    requested_region: Option<&Region>,
    endpoint: &PortalEndpoint,
) -> Result<PreparedGetRoleCredentials, Error> {
    let region = resolve_region(requested_region, token.region.as_deref())?;
    let target = match &endpoint.custom {
        Some(custom) => custom.clone(),
        None => Endpoint::portal(&region.region, endpoint.options),
    };
    let request = get_role_credentials_request(&target, &token.access_token, account_id, role_name);
    let context = CallContext {
        operation: "GetRoleCredentials",
        account_id: Some(account_id.clone()),
        role_name: Some(role_name.clone()),
        region: Some(region.region.clone()),
        token_region: region.token_region.clone(),
    };
    Ok(PreparedGetRoleCredentials {
        request,
        context,
        region,
    })
}

/// What a caller types for one `GetRoleCredentials` call, unchecked: the shape of the npm package's options.
#[derive(Debug, Clone, Copy, Default)]
pub struct GetRoleCredentialsInput<'a> {
    /// The token cache file's bytes.
    pub cache: &'a [u8],
    /// The account id.
    pub account_id: &'a str,
    /// The role name.
    pub role_name: &'a str,
    /// The region to call, else the token's.
    pub region: Option<&'a str>,
    /// An endpoint URL that replaces the regional portal.
    pub endpoint: Option<&'a str>,
    /// FIPS and dual-stack, for the regional endpoint.
    pub endpoint_options: EndpointOptions,
}

/// Validates the ids, region and endpoint first (so a typing mistake is reported before anything about the
/// file), then parses the cache and prepares the call. Returns the parsed token too, for the caller's expiry check.
pub fn prepare_get_role_credentials_from_input(
    input: &GetRoleCredentialsInput<'_>,
) -> Result<(CachedToken, PreparedGetRoleCredentials), Error> {
    let account_id = AccountId::new(input.account_id)?;
    let role_name = RoleName::new(input.role_name)?;
    let region = input.region.map(Region::new).transpose()?;
    let custom = input.endpoint.map(Endpoint::custom).transpose()?;
    let token = parse_cached_token(input.cache)?;
    let endpoint = PortalEndpoint {
        custom,
        options: input.endpoint_options,
    };
    let prepared = prepare_get_role_credentials(&token, &account_id, &role_name, region.as_ref(), &endpoint)?;
    Ok((token, prepared))
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(all(target_family = "wasm", target_os = "unknown"))]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    const CACHE: &[u8] = br#"{"accessToken":"tok","expiresAt":"2030-01-01T00:00:00Z","region":"eu-west-1"}"#;

    fn input() -> GetRoleCredentialsInput<'static> {
        GetRoleCredentialsInput {
            cache: CACHE,
            account_id: "111122223333",
            role_name: "Admin",
            ..GetRoleCredentialsInput::default()
        }
    }

    #[test]
    fn the_token_region_is_the_fallback() {
        let (token, prepared) = prepare_get_role_credentials_from_input(&input()).unwrap();
        assert_eq!(token.region.as_deref(), Some("eu-west-1"));
        assert_eq!(
            prepared.request.url,
            "https://portal.sso.eu-west-1.amazonaws.com/federation/credentials?role_name=Admin&account_id=111122223333"
        );
        assert_eq!(prepared.context.operation, "GetRoleCredentials");
        assert_eq!(prepared.context.region.as_ref().map(Region::as_str), Some("eu-west-1"));
        assert_eq!(
            prepared.context.account_id.as_ref().map(AccountId::as_str),
            Some("111122223333")
        );
        assert_eq!(prepared.region.mismatch_warning(), None);
    }

    #[test]
    fn the_region_asked_for_wins_and_the_mismatch_is_known() {
        let (_, prepared) = prepare_get_role_credentials_from_input(&GetRoleCredentialsInput {
            region: Some("us-east-1"),
            ..input()
        })
        .unwrap();
        assert!(
            prepared
                .request
                .url
                .starts_with("https://portal.sso.us-east-1.amazonaws.com/")
        );
        assert_eq!(prepared.context.token_region.as_deref(), Some("eu-west-1"));
        assert!(prepared.region.mismatch_warning().is_some());
    }

    #[test]
    fn a_custom_endpoint_replaces_the_regional_one_and_fips_applies_otherwise() {
        let (_, prepared) = prepare_get_role_credentials_from_input(&GetRoleCredentialsInput {
            endpoint: Some("http://127.0.0.1:9/"),
            ..input()
        })
        .unwrap();
        assert!(
            prepared
                .request
                .url
                .starts_with("http://127.0.0.1:9/federation/credentials?")
        );
        let (_, fips) = prepare_get_role_credentials_from_input(&GetRoleCredentialsInput {
            endpoint_options: EndpointOptions {
                use_fips: true,
                use_dual_stack: false,
            },
            ..input()
        })
        .unwrap();
        assert!(fips.request.url.starts_with("https://portal.sso-fips.eu-west-1."));
    }

    #[test]
    fn typed_input_is_checked_before_the_file() {
        let bad = GetRoleCredentialsInput {
            cache: b"not json",
            account_id: "12x",
            ..input()
        };
        assert_eq!(
            prepare_get_role_credentials_from_input(&bad).unwrap_err().code(),
            "INVALID_ACCOUNT_ID"
        );
        let bad = GetRoleCredentialsInput {
            cache: b"not json",
            ..input()
        };
        assert!(matches!(
            prepare_get_role_credentials_from_input(&bad).unwrap_err(),
            Error::Cache(_)
        ));
        let no_region = GetRoleCredentialsInput {
            cache: br#"{"accessToken":"t","expiresAt":"2030-01-01T00:00:00Z"}"#,
            ..input()
        };
        assert_eq!(
            prepare_get_role_credentials_from_input(&no_region).unwrap_err().code(),
            "REGION_MISSING"
        );
    }
}
