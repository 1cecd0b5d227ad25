//! Validated identifiers. Holding one of these means the value was checked once, at the edge.

use crate::quote::Quoted;
use std::fmt;

/// An identifier that failed validation. The value is shown escaped, so a newline or a look-alike character
/// is visible in the message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ValidationError {
    /// Not 1 to 12 ASCII digits.
    #[error(
        "invalid account id {}: an AWS account id is 12 digits (0-9 only), such as 111122223333",
        Quoted(.0)
    )]
    AccountId(String),
    /// Not a valid IAM role name.
    #[error(
        "invalid role name {}: IAM role names are 1 to 64 characters of letters, digits and + = , . @ _ -",
        Quoted(.0)
    )]
    RoleName(String),
    /// Not a region name.
    #[error(
        "invalid region {}: expected a region name such as us-east-1 or eu-west-2 (lower-case letters, \
         dashes and a final number)",
        Quoted(.0)
    )]
    Region(String),
}

impl ValidationError {
    /// A stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::AccountId(_) => "INVALID_ACCOUNT_ID",
            Self::RoleName(_) => "INVALID_ROLE_NAME",
            Self::Region(_) => "INVALID_REGION",
        }
    }
}

/// Shortens what a user typed before it goes into a message.
fn shown(value: &str) -> String {
    value.chars().take(80).collect()
}

/// An AWS account id: 1 to 12 ASCII digits.
///
/// AWS account ids have 12 digits, but a shorter one is accepted and sent as it is, as the AWS SDKs and the AWS CLI
/// do (the portal answers 403 for an account the sign-in cannot use): a spreadsheet or a number type often drops
/// leading zeros, and [`AccountId::length_warning`] says how to put them back. Anything but ASCII digits could
/// change the request (`&`, `/`) or hide in a message, so it stays an error.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct AccountId(String);

impl AccountId {
    /// How many digits an AWS account id has.
    pub const DIGITS: usize = 12;

    /// Validates an account id: 1 to 12 ASCII digits.
    pub fn new(value: &str) -> Result<Self, ValidationError> {
        if (1..=Self::DIGITS).contains(&value.len()) && value.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Self(value.to_owned()))
        } else {
            Err(ValidationError::AccountId(shown(value)))
        }
    }

    /// A warning to show once when the id is shorter than 12 digits (it is still sent as it is); `None` for a
    /// 12-digit id.
    pub fn length_warning(&self) -> Option<String> {
        let digits = self.0.len();
        (digits != Self::DIGITS).then(|| {
            format!(
                "AWS account ids have 12 digits and {} has {digits}; if a leading zero was lost, use {:0>width$}",
                self.0,
                self.0,
                width = Self::DIGITS
            )
        })
    }

    /// The account id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An IAM role name: 1 to 64 characters of `[A-Za-z0-9+=,.@_-]`.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RoleName(String);

impl RoleName {
    /// Validates a role name against IAM's rules.
    pub fn new(value: &str) -> Result<Self, ValidationError> {
        let ok = (1..=64).contains(&value.len())
            && value
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"+=,.@_-".contains(&b));
        if ok {
            Ok(Self(value.to_owned()))
        } else {
            Err(ValidationError::RoleName(shown(value)))
        }
    }

    /// The role name as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An AWS region name such as `us-east-1`, `cn-north-1` or `us-gov-west-1`.
///
/// The pattern is strict on purpose: the region becomes part of a host name, so nothing that could add a label,
/// a port, a path or user information (`us-east-1.evil.com`, `us-east-1/..`, `us-east-1@x`, look-alike
/// letters) can pass.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Region(String);

impl Region {
    /// Validates a region name: two or more groups of lower-case ASCII letters joined by `-`, then `-` and a
    /// number of one or two digits; at most 32 characters.
    pub fn new(value: &str) -> Result<Self, ValidationError> {
        if Self::is_valid(value) {
            Ok(Self(value.to_owned()))
        } else {
            Err(ValidationError::Region(shown(value)))
        }
    }

    fn is_valid(value: &str) -> bool {
        if value.len() > 32 {
            return false;
        }
        let mut parts: Vec<&str> = value.split('-').collect();
        let Some(number) = parts.pop() else {
            return false;
        };
        let number_ok = (1..=2).contains(&number.len()) && number.bytes().all(|b| b.is_ascii_digit());
        let words_ok = parts.len() >= 2
            && parts
                .iter()
                .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase()));
        number_ok && words_ok
    }

    /// The region name as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The DNS suffix of the region's partition: `amazonaws.com.cn` for China, `amazonaws.com` elsewhere.
    pub fn dns_suffix(&self) -> &'static str {
        if self.0.starts_with("cn-") {
            "amazonaws.com.cn"
        } else {
            "amazonaws.com"
        }
    }
}

macro_rules! display_as_str {
    ($($ty:ty),*) => {$(
        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
        impl fmt::Debug for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Debug::fmt(&self.0, f)
            }
        }
        impl std::str::FromStr for $ty {
            type Err = ValidationError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::new(s)
            }
        }
    )*};
}
display_as_str!(AccountId, RoleName, Region);

#[cfg(test)]
mod tests {
    use super::*;
    // On wasm32 the same tests run under wasm-bindgen-test (as quinn-proto does).
    #[cfg(all(target_family = "wasm", target_os = "unknown"))]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn account_ids() {
        assert_eq!(AccountId::new("111122223333").unwrap().length_warning(), None);
        for short in ["0", "123456789", "11112222333"] {
            assert!(AccountId::new(short).is_ok(), "{short}");
        }
        assert_eq!(
            AccountId::new("123456789").unwrap().length_warning().unwrap(),
            "AWS account ids have 12 digits and 123456789 has 9; if a leading zero was lost, use 000123456789"
        );
        for bad in [
            "",
            "1111222233334",
            "11112222333a",
            "١١١١٢٢٢٢٣٣٣٣",
            "١٢",
            " 111122223333",
            "1234&role_name=x",
            "-1",
            "1e5",
        ] {
            let err = AccountId::new(bad).unwrap_err();
            assert!(err.to_string().contains("12 digits (0-9 only)"), "{err}");
        }
    }

    #[test]
    fn role_names() {
        for good in [
            "ReadOnly",
            "AWSReservedSSO_Admin_0123",
            "a+b=c,d.e@f_g-h",
            &"r".repeat(64),
        ] {
            assert!(RoleName::new(good).is_ok(), "{good}");
        }
        for bad in ["", "Read Only", "Admin\n", "a/b", &"r".repeat(65), "Rôle"] {
            assert!(RoleName::new(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn regions_cannot_change_the_host_name() {
        for good in [
            "us-east-1",
            "eu-west-2",
            "cn-north-1",
            "us-gov-west-1",
            "ap-southeast-4",
            "us-isob-east-1",
        ] {
            assert!(Region::new(good).is_ok(), "{good}");
        }
        for bad in [
            "",
            "us-east-1.evil.com",
            "us-east-1/..",
            "us-east-1@x",
            "us-east-1:443",
            "US-EAST-1",
            "us-eаst-1", // Cyrillic а
            "us-east",
            "east-1",
            "us--east-1",
            "us-east-123",
            "us-east-1\n",
        ] {
            assert!(Region::new(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn messages_escape_the_value() {
        let err = RoleName::new("Admin\nx").unwrap_err();
        assert!(err.to_string().contains(r#""Admin\nx""#), "{err}");
    }

    #[test]
    fn china_has_its_own_dns_suffix() {
        assert_eq!(Region::new("cn-northwest-1").unwrap().dns_suffix(), "amazonaws.com.cn");
        assert_eq!(Region::new("eu-west-1").unwrap().dns_suffix(), "amazonaws.com");
    }
}
