//! Where an STS `AssumeRole` goes, and which region it is signed for.
//!
//! The rules of the AWS SDKs' STS endpoint rule set (botocore's `sts` ruleset, the Rust SDK's `aws-sdk-sts`):
//! - regional by default: `https://sts.{region}.amazonaws.com` (`.amazonaws.com.cn` in China), signed for that
//!   region;
//! - `sts_regional_endpoints = legacy` (or `AWS_STS_REGIONAL_ENDPOINTS=legacy`): the global endpoint
//!   `https://sts.amazonaws.com`, signed for us-east-1, but only for the sixteen regions that had it before
//!   regional endpoints existed (`LEGACY_GLOBAL_REGIONS`); every other region stays regional, and FIPS or
//!   dual-stack always resolve regionally;
//! - FIPS: `sts-fips.{region}.amazonaws.com` (GovCloud: `sts.{region}.amazonaws.com`, which is FIPS already);
//! - dual-stack: `sts.{region}.api.aws` (China: `.api.amazonwebservices.com.cn`), with FIPS
//!   `sts-fips.{region}.api.aws`;
//! - no region at all: the global endpoint, signed for us-east-1;
//! - an endpoint override (`AWS_ENDPOINT_URL_STS`, a `[services]` section's `sts` `endpoint_url`,
//!   `AWS_ENDPOINT_URL`, a profile's `endpoint_url`; the caller picks which one applies) replaces the host and keeps
//!   the signing region (us-east-1 when there is none). It obeys [`Endpoint::custom`]'s rules: `https://`, or
//!   `http://` only to this machine.

use crate::endpoint::{Endpoint, EndpointError, EndpointOptions};
use crate::ids::Region;

/// The regions whose STS calls went to `sts.amazonaws.com` before regional endpoints existed; under
/// `sts_regional_endpoints = legacy` they still do (botocore `_LEGACY_GLOBAL_STS_REGIONS`).
pub const LEGACY_GLOBAL_REGIONS: [&str; 16] = [
    "ap-northeast-1",
    "ap-south-1",
    "ap-southeast-1",
    "ap-southeast-2",
    "aws-global",
    "ca-central-1",
    "eu-central-1",
    "eu-north-1",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "sa-east-1",
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
];

/// The global STS endpoint.
pub const GLOBAL_STS_URL: &str = "https://sts.amazonaws.com";

/// The region the global endpoint is signed for.
pub const GLOBAL_SIGNING_REGION: &str = "us-east-1";

/// `sts_regional_endpoints` / `AWS_STS_REGIONAL_ENDPOINTS`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum StsRegionalEndpoints {
    /// `regional`: every region uses its own endpoint (the default of current SDKs and of this tool).
    #[default]
    Regional,
    /// `legacy`: the sixteen older regions use the global endpoint.
    Legacy,
}

impl StsRegionalEndpoints {
    /// Reads the setting's value (`regional` or `legacy`, any case); `None` for anything else.
    pub fn parse(value: &str) -> Option<Self> {
        let value = value.trim();
        if value.eq_ignore_ascii_case("regional") {
            Some(Self::Regional)
        } else if value.eq_ignore_ascii_case("legacy") {
            Some(Self::Legacy)
        } else {
            None
        }
    }

    /// The value as written in the config file.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Regional => "regional",
            Self::Legacy => "legacy",
        }
    }
}

/// Everything the STS endpoint depends on, already chosen between environment and config by the caller (or by
/// [`crate::resolve_role_chain`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StsEndpointSettings {
    /// The region of the profile asked for; `None`: the global endpoint.
    pub region: Option<Region>,
    /// `sts_regional_endpoints`.
    pub regional_endpoints: StsRegionalEndpoints,
    /// FIPS and dual-stack.
    pub options: EndpointOptions,
    /// An endpoint URL that replaces the host (not yet validated).
    pub endpoint_url: Option<String>,
}

/// A resolved STS endpoint: where to send the request and what to sign it for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StsEndpoint {
    /// The base URL; `AssumeRole` is a `POST` to `{url}/`.
    pub endpoint: Endpoint,
    /// The region in the signature's credential scope.
    pub signing_region: Region,
}

impl StsEndpoint {
    /// Resolves the endpoint (see the module documentation for the rules).
    pub fn resolve(settings: &StsEndpointSettings) -> Result<Self, EndpointError> {
        let global_region = || Region::new(GLOBAL_SIGNING_REGION).expect("us-east-1 is a region name");
        if let Some(url) = &settings.endpoint_url {
            return Ok(Self {
                endpoint: Endpoint::custom(url)?,
                signing_region: settings.region.clone().unwrap_or_else(global_region),
            });
        }
        let Some(region) = &settings.region else {
            return Ok(Self {
                endpoint: Endpoint::custom(GLOBAL_STS_URL)?,
                signing_region: global_region(),
            });
        };
        let options = settings.options;
        let plain = !options.use_fips && !options.use_dual_stack;
        if plain
            && settings.regional_endpoints == StsRegionalEndpoints::Legacy
            && LEGACY_GLOBAL_REGIONS.contains(&region.as_str())
        {
            return Ok(Self {
                endpoint: Endpoint::custom(GLOBAL_STS_URL)?,
                signing_region: global_region(),
            });
        }
        let china = region.as_str().starts_with("cn-");
        let gov = region.as_str().starts_with("us-gov-");
        // GovCloud's regular STS hosts are FIPS endpoints already; the rule set sends FIPS there.
        let fips = if options.use_fips && (!gov || options.use_dual_stack) {
            "-fips"
        } else {
            ""
        };
        let suffix = match (options.use_dual_stack, china) {
            (true, true) => "api.amazonwebservices.com.cn",
            (true, false) => "api.aws",
            (false, _) => region.dns_suffix(),
        };
        Ok(Self {
            endpoint: Endpoint::custom(&format!("https://sts{fips}.{region}.{suffix}"))?,
            signing_region: region.clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    // On wasm32 the same tests run under wasm-bindgen-test (as quinn-proto does).
    #[cfg(all(target_family = "wasm", target_os = "unknown"))]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    fn resolve(
        region: Option<&str>,
        legacy: bool,
        fips: bool,
        dual: bool,
        url: Option<&str>,
    ) -> Result<(String, String), EndpointError> {
        let settings = StsEndpointSettings {
            region: region.map(|r| Region::new(r).unwrap()),
            regional_endpoints: if legacy {
                StsRegionalEndpoints::Legacy
            } else {
                StsRegionalEndpoints::Regional
            },
            options: EndpointOptions {
                use_fips: fips,
                use_dual_stack: dual,
            },
            endpoint_url: url.map(str::to_owned),
        };
        StsEndpoint::resolve(&settings).map(|e| (e.endpoint.as_str().to_owned(), e.signing_region.to_string()))
    }

    #[test]
    fn endpoint_table() {
        type Row = (Option<&'static str>, bool, bool, bool, &'static str, &'static str);
        let table: &[Row] = &[
            // region, legacy, fips, dual-stack → url, signing region
            (
                Some("eu-west-1"),
                false,
                false,
                false,
                "https://sts.eu-west-1.amazonaws.com",
                "eu-west-1",
            ),
            (
                Some("us-east-1"),
                false,
                false,
                false,
                "https://sts.us-east-1.amazonaws.com",
                "us-east-1",
            ),
            (
                Some("eu-west-1"),
                true,
                false,
                false,
                "https://sts.amazonaws.com",
                "us-east-1",
            ),
            (
                Some("us-west-2"),
                true,
                false,
                false,
                "https://sts.amazonaws.com",
                "us-east-1",
            ),
            // Opt-in regions never had the global endpoint.
            (
                Some("ap-east-1"),
                true,
                false,
                false,
                "https://sts.ap-east-1.amazonaws.com",
                "ap-east-1",
            ),
            (
                Some("eu-south-1"),
                true,
                false,
                false,
                "https://sts.eu-south-1.amazonaws.com",
                "eu-south-1",
            ),
            (
                Some("cn-north-1"),
                false,
                false,
                false,
                "https://sts.cn-north-1.amazonaws.com.cn",
                "cn-north-1",
            ),
            (
                Some("cn-north-1"),
                true,
                false,
                false,
                "https://sts.cn-north-1.amazonaws.com.cn",
                "cn-north-1",
            ),
            (
                Some("us-east-2"),
                false,
                true,
                false,
                "https://sts-fips.us-east-2.amazonaws.com",
                "us-east-2",
            ),
            // FIPS and dual-stack resolve regionally even under legacy.
            (
                Some("us-east-2"),
                true,
                true,
                false,
                "https://sts-fips.us-east-2.amazonaws.com",
                "us-east-2",
            ),
            (
                Some("eu-west-1"),
                true,
                false,
                true,
                "https://sts.eu-west-1.api.aws",
                "eu-west-1",
            ),
            (
                Some("eu-west-1"),
                false,
                false,
                true,
                "https://sts.eu-west-1.api.aws",
                "eu-west-1",
            ),
            (
                Some("us-east-1"),
                false,
                true,
                true,
                "https://sts-fips.us-east-1.api.aws",
                "us-east-1",
            ),
            (
                Some("cn-northwest-1"),
                false,
                false,
                true,
                "https://sts.cn-northwest-1.api.amazonwebservices.com.cn",
                "cn-northwest-1",
            ),
            (
                Some("us-gov-west-1"),
                false,
                false,
                false,
                "https://sts.us-gov-west-1.amazonaws.com",
                "us-gov-west-1",
            ),
            (
                Some("us-gov-west-1"),
                false,
                true,
                false,
                "https://sts.us-gov-west-1.amazonaws.com",
                "us-gov-west-1",
            ),
            (
                Some("us-gov-west-1"),
                false,
                true,
                true,
                "https://sts-fips.us-gov-west-1.api.aws",
                "us-gov-west-1",
            ),
            (None, false, false, false, "https://sts.amazonaws.com", "us-east-1"),
            (None, true, true, true, "https://sts.amazonaws.com", "us-east-1"),
        ];
        for (region, legacy, fips, dual, url, signing) in table {
            let got = resolve(*region, *legacy, *fips, *dual, None).unwrap();
            assert_eq!(
                got,
                ((*url).to_owned(), (*signing).to_owned()),
                "{region:?} legacy={legacy} fips={fips} dual={dual}"
            );
        }
    }

    #[test]
    fn an_override_keeps_the_signing_region_or_signs_for_us_east_1() {
        assert_eq!(
            resolve(Some("eu-west-1"), true, true, true, Some("http://127.0.0.1:4566/")).unwrap(),
            ("http://127.0.0.1:4566".to_owned(), "eu-west-1".to_owned())
        );
        assert_eq!(
            resolve(None, false, false, false, Some("https://sts.example.test")).unwrap(),
            ("https://sts.example.test".to_owned(), "us-east-1".to_owned())
        );
        assert!(matches!(
            resolve(None, false, false, false, Some("http://sts.example.test")),
            Err(EndpointError::InsecureHttp { .. })
        ));
        assert!(resolve(None, false, false, false, Some("ftp://x")).is_err());
    }

    #[test]
    fn regional_endpoints_setting_parses() {
        assert_eq!(
            StsRegionalEndpoints::parse("legacy"),
            Some(StsRegionalEndpoints::Legacy)
        );
        assert_eq!(
            StsRegionalEndpoints::parse(" Regional "),
            Some(StsRegionalEndpoints::Regional)
        );
        assert_eq!(StsRegionalEndpoints::parse("global"), None);
        assert_eq!(StsRegionalEndpoints::default(), StsRegionalEndpoints::Regional);
    }
}
