//! Support for the cross-crate and end-to-end tests of ssocreds: chiefly [`fake_portal`], a scriptable fake of
//! the AWS IAM Identity Center portal and OIDC APIs that the CLI, the wasm package and the benchmarks run
//! against, offline.

pub mod fake_portal;
