//! Where requests go: the regional portal and OIDC hosts, an override URL, and which region to use.

use crate::ids::{Region, ValidationError};
use crate::quote::Quoted;
use core::net::{Ipv4Addr, Ipv6Addr};

/// Endpoint variants, as botocore's `use_fips_endpoint` and `use_dualstack_endpoint`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EndpointOptions {
    /// Use the FIPS host (`portal.sso-fips.…`).
    pub use_fips: bool,
    /// Use the dual-stack host (`….api.aws`).
    pub use_dual_stack: bool,
}

/// An endpoint override that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EndpointError {
    /// Not an http(s) URL of the expected shape.
    #[error("endpoint URL {} is not usable: {reason}", Quoted(.url))]
    Invalid {
        /// The URL given.
        url: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// Plain HTTP to a host that is not this machine.
    #[error(
        "endpoint URL {} uses http:// to a host that is not this machine; the token would cross the network \
         in clear text. Use https://, or http:// only to 127.0.0.1, [::1] or localhost",
        Quoted(.url)
    )]
    InsecureHttp {
        /// The URL given.
        url: String,
    },
}

impl EndpointError {
    /// A stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Invalid { .. } => "ENDPOINT_INVALID",
            Self::InsecureHttp { .. } => "ENDPOINT_INSECURE_HTTP",
        }
    }
}

/// A base URL requests are sent to, without a trailing slash. Holding one means it was validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint(String);

impl Endpoint {
    /// The IAM Identity Center portal endpoint of a region.
    pub fn portal(region: &Region, options: EndpointOptions) -> Self {
        Self::regional("portal.sso", region, options)
    }

    /// The OIDC endpoint of a region.
    pub fn oidc(region: &Region, options: EndpointOptions) -> Self {
        Self::regional("oidc", region, options)
    }

    fn regional(service: &str, region: &Region, options: EndpointOptions) -> Self {
        let fips = if options.use_fips { "-fips" } else { "" };
        let suffix = match (options.use_dual_stack, region.as_str().starts_with("cn-")) {
            (true, true) => "api.amazonwebservices.com.cn",
            (true, false) => "api.aws",
            (false, _) => region.dns_suffix(),
        };
        Self(format!("https://{service}{fips}.{region}.{suffix}"))
    }

    /// Validates an endpoint override (`--endpoint-url`, `AWS_ENDPOINT_URL_SSO`, `AWS_ENDPOINT_URL`).
    ///
    /// `https://` to any host; `http://` only to a loopback address, for local emulators and tests. No user
    /// information, query or fragment, and nothing but ASCII, so the host cannot be disguised.
    pub fn custom(url: &str) -> Result<Self, EndpointError> {
        let invalid = |reason| EndpointError::Invalid {
            url: url.chars().take(200).collect(),
            reason,
        };
        if !url.is_ascii() {
            return Err(invalid("it contains characters that are not ASCII"));
        }
        if url.bytes().any(|b| b.is_ascii_control() || b == b' ' || b == b'\\') {
            return Err(invalid("it contains spaces, backslashes or control characters"));
        }
        // Slices here and below go through `get`: an index panic would bring the standard library's
        // char-boundary message (with `char`'s `Debug` and Unicode tables) into the WebAssembly module.
        let scheme = |prefix: &str| {
            url.get(..prefix.len())
                .filter(|s| s.eq_ignore_ascii_case(prefix))
                .and_then(|_| url.get(prefix.len()..))
        };
        let (secure, rest) = if let Some(rest) = scheme("https://") {
            (true, rest)
        } else if let Some(rest) = scheme("http://") {
            (false, rest)
        } else {
            return Err(invalid("it must start with https:// (or http:// to this machine)"));
        };
        if rest.contains(['?', '#']) {
            return Err(invalid("it must not have a query or fragment"));
        }
        let (authority, path) = rest.split_once('/').map_or((rest, ""), |(authority, _)| {
            (authority, rest.get(authority.len()..).unwrap_or_default())
        });
        if authority.as_bytes().contains(&b'@') {
            return Err(invalid("it must not contain user information (`@`)"));
        }
        let (host, port) = split_host_port(authority).ok_or_else(|| invalid("its host or port is not valid"))?;
        if !numeric_host_is_canonical(host) {
            return Err(invalid(
                "its host ends in a number but is not a dotted IPv4 address such as 192.0.2.1 (URL parsers read \
                 forms like `0`, `12`, `0x7f.1` or `127.000.000.001` as other addresses)",
            ));
        }
        if let Some(port) = port
            && !(!port.is_empty()
                && port.len() <= 5
                && port.bytes().all(|b| b.is_ascii_digit())
                && port.parse::<u32>().is_ok_and(|p| (1..=65535).contains(&p)))
        {
            return Err(invalid("its port is not a number from 1 to 65535"));
        }
        if !path
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~/%".contains(&b))
            || path.split('/').any(|segment| segment == "..")
        {
            return Err(invalid("its path has characters or segments that are not allowed"));
        }
        if !secure && !is_loopback(host) {
            return Err(EndpointError::InsecureHttp {
                url: url.chars().take(200).collect(),
            });
        }
        Ok(Self(url.trim_end_matches('/').to_owned()))
    }

    /// The base URL.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether the endpoint is on this machine (127.0.0.0/8, `[::1]`, `localhost`): hosts skip proxies for it.
    pub fn is_loopback(&self) -> bool {
        let after_scheme = self.0.split_once("://").map_or(self.0.as_str(), |(_, rest)| rest);
        let authority = after_scheme.split('/').next().unwrap_or_default();
        split_host_port(authority).is_some_and(|(host, _)| is_loopback(host))
    }
}

impl std::fmt::Display for Endpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Splits `host[:port]`, where host is a DNS name, an IPv4 address or a bracketed IPv6 address.
fn split_host_port(authority: &str) -> Option<(&str, Option<&str>)> {
    let (host, port) = if let Some(rest) = authority.strip_prefix('[') {
        let (inner, after) = rest.split_once(']')?;
        let host = authority.get(..inner.len() + 2)?;
        // A full IPv6 check, not just its alphabet: `[:1]` is no address, and the HTTP client refuses it.
        if inner.parse::<Ipv6Addr>().is_err() {
            return None;
        }
        match after {
            "" => (host, None),
            tail => (host, Some(tail.strip_prefix(':')?)),
        }
    } else {
        match authority.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        }
    };
    let dns_ok = host.starts_with('[')
        || (!host.is_empty()
            && host.split('.').all(|label| {
                !label.is_empty()
                    && label.len() <= 63
                    && label.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
                    && !label.starts_with('-')
                    && !label.ends_with('-')
                    // An `xn--` label is the ASCII form of a non-ASCII name (a look-alike such as `аpple`), and the
                    // URL parser refuses it when it is not valid punycode: only plain ASCII names are accepted.
                    && !label.get(..4).is_some_and(|p| p.eq_ignore_ascii_case("xn--"))
            }));
    dns_ok.then_some((host, port))
}

/// URL parsers (WHATWG, as used by the HTTP client) read a host whose last label is a number (`12`, `0x7f`, `010`)
/// as an IPv4 address, in decimal, octal or hex, with fewer than four parts allowed: `https://12` goes to
/// 0.0.0.12. Such a host is only accepted as four decimal octets without leading zeros, the one form that means the
/// same address to every reader.
fn numeric_host_is_canonical(host: &str) -> bool {
    let last = host.rsplit('.').next().unwrap_or_default();
    let hex = last.get(..2).is_some_and(|p| p.eq_ignore_ascii_case("0x"))
        && last.bytes().skip(2).all(|b| b.is_ascii_hexdigit());
    let numeric = hex || last.bytes().all(|b| b.is_ascii_digit());
    if host.starts_with('[') || !numeric {
        return true;
    }
    // `Ipv4Addr`'s parser takes exactly four decimal octets and refuses leading zeros.
    host.parse::<Ipv4Addr>().is_ok()
}

fn is_loopback(host: &str) -> bool {
    if host.eq_ignore_ascii_case("localhost") || host == "[::1]" {
        return true;
    }
    host.parse::<Ipv4Addr>().is_ok_and(|address| address.is_loopback())
}

/// The region a call goes to, and how it relates to the token's own region.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegionChoice {
    /// The region to call.
    pub region: Region,
    /// The region written in the token cache file, if any.
    pub token_region: Option<String>,
}

impl RegionChoice {
    /// A warning when the region asked for is not the one the token was issued in: the usual cause of
    /// `UnauthorizedException: Session token not found or invalid`.
    pub fn mismatch_warning(&self) -> Option<String> {
        let token_region = self.token_region.as_deref()?;
        (token_region != self.region.as_str()).then(|| {
            format!(
                "the token was issued in {token_region} but the call goes to {}; the portal only accepts a token \
                 in the region it was issued in (use --region {token_region}, or fix sso_region)",
                self.region
            )
        })
    }
}

/// No usable region.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RegionError {
    /// Neither the caller nor the token gave one.
    #[error(
        "no region: the token cache file has no `region` field; pass --region with the region of your IAM \
         Identity Center (sso_region in ~/.aws/config)"
    )]
    Missing,
    /// The token cache file's region is not a region name. (The reason is in the message, not a `source()`; see
    /// `CacheError::InvalidTimestamp`.)
    #[error("the token cache file's `region` field is not usable: {0}")]
    InvalidInCache(ValidationError),
}

impl RegionError {
    /// A stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Missing => "REGION_MISSING",
            Self::InvalidInCache(_) => "CACHE_INVALID_REGION",
        }
    }
}

/// Chooses the region to call: the one asked for (`--region`, a profile's `sso_region`) if any, else the token's.
pub fn resolve_region(requested: Option<&Region>, token_region: Option<&str>) -> Result<RegionChoice, RegionError> {
    let region = match (requested, token_region) {
        (Some(region), _) => region.clone(),
        (None, Some(text)) => Region::new(text).map_err(RegionError::InvalidInCache)?,
        (None, None) => return Err(RegionError::Missing),
    };
    Ok(RegionChoice {
        region,
        token_region: token_region.map(str::to_owned),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    // On wasm32 the same tests run under wasm-bindgen-test (as quinn-proto does).
    #[cfg(all(target_family = "wasm", target_os = "unknown"))]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    fn region(s: &str) -> Region {
        Region::new(s).unwrap()
    }

    #[test]
    fn regional_hosts_for_every_partition_and_variant() {
        let plain = EndpointOptions::default();
        let fips = EndpointOptions {
            use_fips: true,
            ..plain
        };
        let dual = EndpointOptions {
            use_dual_stack: true,
            ..plain
        };
        let cases = [
            (
                Endpoint::portal(&region("us-east-1"), plain),
                "https://portal.sso.us-east-1.amazonaws.com",
            ),
            (
                Endpoint::portal(&region("cn-north-1"), plain),
                "https://portal.sso.cn-north-1.amazonaws.com.cn",
            ),
            (
                Endpoint::portal(&region("us-gov-west-1"), fips),
                "https://portal.sso-fips.us-gov-west-1.amazonaws.com",
            ),
            (
                Endpoint::portal(&region("eu-west-1"), dual),
                "https://portal.sso.eu-west-1.api.aws",
            ),
            (
                Endpoint::oidc(&region("eu-west-1"), plain),
                "https://oidc.eu-west-1.amazonaws.com",
            ),
        ];
        for (endpoint, expected) in cases {
            assert_eq!(endpoint.as_str(), expected);
        }
    }

    #[test]
    fn overrides_accept_https_anywhere_and_http_only_to_loopback() {
        for good in [
            "https://sso.example.com",
            "https://sso.example.com:8443/base/",
            "http://127.0.0.1:4949",
            "http://127.1.2.3",
            "http://localhost:80",
            "http://[::1]:9000",
            "HTTPS://EXAMPLE.COM",
        ] {
            assert!(Endpoint::custom(good).is_ok(), "{good}");
        }
        assert_eq!(
            Endpoint::custom("https://x.example/base/").unwrap().as_str(),
            "https://x.example/base"
        );
        assert!(Endpoint::custom("http://127.0.0.1:9/x").unwrap().is_loopback());
        assert!(Endpoint::custom("https://[::1]").unwrap().is_loopback());
        assert!(!Endpoint::custom("https://example.com").unwrap().is_loopback());
        assert!(!Endpoint::portal(&region("us-east-1"), EndpointOptions::default()).is_loopback());
        for bad in [
            "http://example.com",
            "http://10.0.0.1",
            "http://127.0.0.1.evil.com",
            "http://localhost.evil.com",
            "https://user:pw@example.com",
            "https://127.0.0.1@evil.com",
            "https://exаmple.com", // Cyrillic а
            "https://example.com?x=1",
            "https://example.com#x",
            "https://example.com:99999",
            "https://example.com:",
            "https://example.com/../x",
            "ftp://example.com",
            "example.com",
            "https://",
            "https://exa mple.com",
            "https://example.com\\@evil.com",
        ] {
            assert!(Endpoint::custom(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn regression_numeric_hosts_that_url_parsers_read_as_other_addresses_are_refused() {
        // Found by fuzzing (fuzz/endpoint_custom): `https://12/` and `https://0` were accepted as DNS names, but the
        // HTTP client's URL parser sends them to 0.0.0.12 and 0.0.0.0. Likewise `0x7f.1` is 127.0.0.1 and
        // `127.0.0.010` is 127.0.0.8.
        for bad in [
            "https://12/7.ii.",
            "https://0",
            "https://0x7f.1",
            "https://2130706433",
            "https://127.1",
            "http://127.1.2",
            "http://127.0.0.010",
            "https://example.0x10",
            "https://1.2.3.4.5",
            // Found by fuzzing too: brackets around something that is not an IPv6 address.
            "https://[:1]/X.co0",
            "https://[1:2]",
            "https://[::1.2]",
            // And invalid punycode, which the URL parser refuses (`xn--` names are refused altogether).
            "httpS://XN--FFFFFFFFFFFsWWWWF",
            "https://xn--pple-43d.com",
        ] {
            assert!(Endpoint::custom(bad).is_err(), "{bad}");
        }
        for good in [
            "https://192.0.2.1",
            "http://127.0.0.1:4949",
            "https://a1.example.com",
            "https://1a",
            "https://[2001:db8::1]:8443",
            "https://[0:0:0:0:0:0:0:1]",
        ] {
            assert!(Endpoint::custom(good).is_ok(), "{good}");
        }
    }

    #[test]
    fn requested_region_wins_and_a_mismatch_is_named() {
        let choice = resolve_region(Some(&region("eu-west-1")), Some("us-east-1")).unwrap();
        assert_eq!(choice.region.as_str(), "eu-west-1");
        let warning = choice.mismatch_warning().unwrap();
        assert!(
            warning.contains("us-east-1") && warning.contains("eu-west-1"),
            "{warning}"
        );

        let choice = resolve_region(None, Some("us-east-1")).unwrap();
        assert_eq!(choice.region.as_str(), "us-east-1");
        assert_eq!(choice.mismatch_warning(), None);

        assert_eq!(resolve_region(None, None), Err(RegionError::Missing));
        assert!(matches!(
            resolve_region(None, Some("us-east-1.evil.com")),
            Err(RegionError::InvalidInCache(_))
        ));
    }
}
