//! Where requests go: the regional portal and OIDC hosts, an override URL, and which region to use.

use crate::ids::{Region, ValidationError};
use crate::quote::Quoted;

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
        if !is_ipv6_address(inner) {
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

/// Whether `text` is an IPv6 address in a form `std::net::Ipv6Addr` accepts: eight groups of 1 to 4 hex digits,
/// or fewer around one `::` that stands for at least one group, the last two groups optionally written as a dotted
/// IPv4 address (four decimal octets, no leading zeros). No zone id.
///
/// By hand rather than `str::parse::<Ipv6Addr>`: the standard library's address parser is 3 KB of the WebAssembly
/// module, for a check that only bracketed endpoint hosts need. The tests compare the two on many generated inputs.
fn is_ipv6_address(text: &str) -> bool {
    /// The number of 16-bit groups in `part` (a run of groups separated by single colons; empty is none), or `None`
    /// if it is not one. A dotted IPv4 address counts as two groups and may only come last, where `ipv4_last` says.
    fn groups(part: &str, ipv4_last: bool) -> Option<usize> {
        if part.is_empty() {
            return Some(0);
        }
        let pieces: Vec<&str> = part.split(':').collect();
        let mut count = 0;
        for (index, piece) in pieces.iter().enumerate() {
            if ipv4_last && index == pieces.len() - 1 && piece.contains('.') {
                let octets: Vec<&str> = piece.split('.').collect();
                let octet_ok = |o: &&str| {
                    (1..=3).contains(&o.len())
                        && o.bytes().all(|b| b.is_ascii_digit())
                        && (o.len() == 1 || !o.starts_with('0'))
                        && o.parse::<u8>().is_ok()
                };
                if octets.len() != 4 || !octets.iter().all(octet_ok) {
                    return None;
                }
                count += 2;
            } else if (1..=4).contains(&piece.len()) && piece.bytes().all(|b| b.is_ascii_hexdigit()) {
                count += 1;
            } else {
                return None;
            }
        }
        Some(count)
    }
    // A byte search, not `split_once("::")`: a string pattern brings the standard library's two-way searcher.
    match text.as_bytes().windows(2).position(|pair| pair == b"::") {
        None => groups(text, true) == Some(8),
        Some(at) => match (
            groups(text.get(..at).unwrap_or_default(), false),
            groups(text.get(at + 2..).unwrap_or_default(), true),
        ) {
            (Some(head), Some(tail)) => head + tail <= 7,
            _ => false,
        },
    }
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
    let octets: Vec<&str> = host.split('.').collect();
    octets.len() == 4
        && octets.iter().all(|o| {
            !o.is_empty()
                && o.len() <= 3
                && o.bytes().all(|b| b.is_ascii_digit())
                && (o.len() == 1 || !o.starts_with('0'))
                && o.parse::<u8>().is_ok()
        })
}

fn is_loopback(host: &str) -> bool {
    if host.eq_ignore_ascii_case("localhost") || host == "[::1]" {
        return true;
    }
    let octets: Vec<&str> = host.split('.').collect();
    octets.len() == 4
        && octets[0] == "127"
        && octets
            .iter()
            .all(|o| !o.is_empty() && o.len() <= 3 && o.parse::<u8>().is_ok())
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
    fn ipv6_check_agrees_with_the_standard_library() {
        let fixed = [
            "::",
            "::1",
            "1::",
            "1:2:3:4:5:6:7:8",
            "1:2:3:4:5:6:7::",
            "::2:3:4:5:6:7:8",
            "1::8",
            "::ffff:1.2.3.4",
            "1:2:3:4:5:6:1.2.3.4",
            "1:2:3:4:5:6:7:1.2.3.4",
            "::1.2.3.4",
            "1.2.3.4::",
            ":1",
            "1:",
            ":::",
            "1:::2",
            "1::2::3",
            "12345::",
            "0000::00",
            "::01.2.3.4",
            "::1.2.3.256",
            "::1.2.3",
            "g::",
            "1:2:3:4:5:6:7:8:9",
            "1:2:3:4:5:6:7:8::",
            "::1:2:3:4:5:6:7",
            "::1:2:3:4:5:6:7:8",
            "",
            ":",
            "[::1]",
            "fe80::1%1",
        ];
        let mut seed = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = |bound: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % bound
        };
        let mut generated = Vec::new();
        for _ in 0..60_000 {
            // Up to 9 groups of 0 to 5 hex digits, a `::` somewhere now and then, an IPv4 tail now and then, and a
            // stray character now and then: valid and almost-valid addresses both come up often.
            let mut text = String::new();
            let groups = next(10);
            let gap = next(12);
            for group in 0..groups {
                if group > 0 {
                    text.push(':');
                }
                if group == gap {
                    text.push(':');
                }
                for _ in 0..next(6).max(u64::from(next(8) != 0)) {
                    text.push(char::from(b"0123456789abcdefABCDEF"[next(22) as usize]));
                }
            }
            if next(4) == 0 {
                text.push_str(if text.is_empty() || next(3) == 0 { "::" } else { ":" });
                let octets: Vec<String> = (0..3 + next(3))
                    .map(|_| ["0", "01", "255", "256", "7", "10"][next(6) as usize].to_owned())
                    .collect();
                text.push_str(&octets.join("."));
            }
            if next(8) == 0 && !text.is_empty() {
                let at = next(text.len() as u64) as usize;
                text.insert(at, char::from(b":.g0"[next(4) as usize]));
            }
            generated.push(text);
        }
        let mut valid = 0;
        for text in fixed.iter().map(|s| s.to_string()).chain(generated) {
            let expected = text.parse::<std::net::Ipv6Addr>().is_ok();
            assert_eq!(is_ipv6_address(&text), expected, "{text:?}");
            valid += usize::from(expected);
        }
        // The generator must produce both kinds in numbers, or the comparison says little.
        assert!(valid > 2_000, "only {valid} valid addresses generated");
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
