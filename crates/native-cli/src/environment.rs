//! The environment variables a command's decisions depend on, read once at its start. Everything after works from
//! this snapshot, so resolution is a pure function of flags, this, the config text and `now`.
//!
//! (Paths — `HOME`, `AWS_CONFIG_FILE`, `AWS_SHARED_CREDENTIALS_FILE` — are read where the files are opened, in
//! `files.rs`; `AWS_CA_BUNDLE` comes in through clap.)

/// What the environment says, as it was when the command started.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Environment {
    /// `AWS_PROFILE`, if set and not empty.
    pub aws_profile: Option<String>,
    /// `AWS_ENDPOINT_URL_SSO`: the portal endpoint.
    pub endpoint_url_sso: Option<String>,
    /// `AWS_ENDPOINT_URL_SSO_OIDC`: the OIDC endpoint.
    pub endpoint_url_sso_oidc: Option<String>,
    /// `AWS_ENDPOINT_URL`: every service's endpoint.
    pub endpoint_url: Option<String>,
    /// `AWS_USE_FIPS_ENDPOINT=true`.
    pub use_fips: bool,
    /// `AWS_USE_DUALSTACK_ENDPOINT=true`.
    pub use_dual_stack: bool,
    /// `AWS_ENDPOINT_URL_SIGNIN`: the console federation endpoint (`console`); `AWS_ENDPOINT_URL` does not apply.
    pub endpoint_url_signin: Option<String>,
    /// The raw values a role chain's STS endpoint and region depend on (`AWS_REGION`, `AWS_DEFAULT_REGION`,
    /// `AWS_STS_REGIONAL_ENDPOINTS`, `AWS_ENDPOINT_URL_STS`, …): the core weighs them against the profile.
    pub chain: sso_core::ChainEnvironment,
}

impl Environment {
    /// Reads the process environment: the only place the commands' decisions look at it.
    pub fn read() -> Self {
        let text = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        let flag = |name: &str| std::env::var(name).is_ok_and(|v| v.eq_ignore_ascii_case("true"));
        Self {
            aws_profile: text("AWS_PROFILE"),
            endpoint_url_sso: text("AWS_ENDPOINT_URL_SSO"),
            endpoint_url_sso_oidc: text("AWS_ENDPOINT_URL_SSO_OIDC"),
            endpoint_url: text("AWS_ENDPOINT_URL"),
            use_fips: flag("AWS_USE_FIPS_ENDPOINT"),
            use_dual_stack: flag("AWS_USE_DUALSTACK_ENDPOINT"),
            endpoint_url_signin: text(sso_core::SIGNIN_ENDPOINT_VARIABLE),
            chain: sso_core::ChainEnvironment {
                aws_region: text("AWS_REGION"),
                aws_default_region: text("AWS_DEFAULT_REGION"),
                sts_regional_endpoints: text("AWS_STS_REGIONAL_ENDPOINTS"),
                use_fips_endpoint: text("AWS_USE_FIPS_ENDPOINT"),
                use_dualstack_endpoint: text("AWS_USE_DUALSTACK_ENDPOINT"),
                endpoint_url_sts: text("AWS_ENDPOINT_URL_STS"),
                endpoint_url: text("AWS_ENDPOINT_URL"),
                ignore_configured_endpoint_urls: text("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"),
            },
        }
    }
}
