//! Endpoint overrides on arbitrary text. What `Endpoint::custom` accepts must mean one host to everyone: the URL
//! parser the HTTP client uses (WHATWG, the `url` crate) must see the same host, no user information, and for
//! `http://` a loopback host.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sso_core::Endpoint;

/// The host as a plain reading of the accepted text sees it: between `://` and the first `/`, before any port.
fn naive_host(text: &str) -> String {
    let rest = text.split_once("://").map_or(text, |(_, r)| r);
    let authority = rest.split('/').next().unwrap_or_default();
    let host = if authority.starts_with('[') {
        authority.split(']').next().map(|h| format!("{h}]")).unwrap_or_default()
    } else {
        authority.split(':').next().unwrap_or_default().to_owned()
    };
    host.to_ascii_lowercase()
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(endpoint) = Endpoint::custom(text) else {
        return;
    };
    let base = endpoint.as_str();
    let parsed = url::Url::parse(&format!("{base}/federation/credentials")).expect("an accepted endpoint parses");
    assert!(parsed.username().is_empty() && parsed.password().is_none(), "{base}");
    let strict_host = parsed
        .host_str()
        .expect("an accepted endpoint has a host")
        .to_ascii_lowercase();
    let naive = naive_host(base);
    // The WHATWG parser writes IPv6 addresses in their shortest form (`[::0]` is `[::]`): compare those as
    // addresses.
    let same = strict_host == naive
        || match (parsed.host(), naive.strip_prefix('[').and_then(|h| h.strip_suffix(']'))) {
            (Some(url::Host::Ipv6(seen)), Some(inner)) => inner.parse::<std::net::Ipv6Addr>() == Ok(seen),
            _ => false,
        };
    assert!(
        same,
        "{base:?}: the URL parser sees host {strict_host:?}, the endpoint check saw {naive:?}"
    );
    if parsed.scheme() == "http" {
        let loopback = match parsed.host() {
            Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
            Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
            Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
            None => false,
        };
        assert!(loopback, "{base:?} is http:// to a host that is not loopback");
        assert!(endpoint.is_loopback());
    }
    if endpoint.is_loopback() {
        let loopback = match parsed.host() {
            Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
            Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
            Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
            None => false,
        };
        assert!(loopback, "{base:?} claims to be loopback (so skips proxies) but is not");
    }
});
