//! Identifiers and short texts that enter the core from outside. Each is parsed once at
//! the edge; a value of one of these types is valid by construction.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Why a text was refused, phrased to follow the field's name in a message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {problem}")]
pub struct FieldError {
    pub field: &'static str,
    pub problem: String,
}

const TOKEN_PUNCTUATION: &str = "-_.:@+=~|";

fn is_token_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || TOKEN_PUNCTUATION.contains(c)
}

fn is_slug_char(c: char) -> bool {
    c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_'
}

fn check_token(field: &'static str, value: &str, max: usize) -> Result<(), FieldError> {
    if value.is_empty() || value.len() > max || !value.chars().all(is_token_char) {
        return Err(FieldError {
            field,
            problem: format!("must be 1 to {max} characters of letters, digits and {TOKEN_PUNCTUATION}"),
        });
    }
    Ok(())
}

/// Checks a slug (lower-case letters, digits, `-`, `_`), as used for codes in programs.
pub fn check_slug(field: &'static str, value: &str, max: usize) -> Result<(), FieldError> {
    if value.is_empty() || value.len() > max || !value.chars().all(is_slug_char) {
        return Err(FieldError {
            field,
            problem: format!("must be 1 to {max} characters of a-z, 0-9, - and _"),
        });
    }
    Ok(())
}

fn check_visible_ascii(field: &'static str, value: &str, max: usize) -> Result<(), FieldError> {
    if value.is_empty() || value.len() > max || !value.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(FieldError {
            field,
            problem: format!("must be 1 to {max} visible ASCII characters without spaces"),
        });
    }
    Ok(())
}

fn check_text(field: &'static str, value: &str, max_chars: usize) -> Result<(), FieldError> {
    let count = value.chars().count();
    if value.trim().is_empty() || count > max_chars || value.chars().any(char::is_control) {
        return Err(FieldError {
            field,
            problem: format!("must be 1 to {max_chars} characters without control characters"),
        });
    }
    Ok(())
}

/// What `check_token` takes, as a JSON Schema pattern (with lengths 1 to the maximum).
#[cfg(feature = "schema")]
const TOKEN_PATTERN: &str = r"^[A-Za-z0-9._:@+=~|-]+$";
/// What `check_slug` takes.
#[cfg(feature = "schema")]
const SLUG_PATTERN: &str = r"^[a-z0-9_-]+$";
/// What `check_visible_ascii` takes.
#[cfg(feature = "schema")]
const VISIBLE_ASCII_PATTERN: &str = r"^[!-~]+$";
/// What `check_text` takes: no control character (Unicode's Cc: U+0000 to U+001F and
/// U+007F to U+009F), and one character at least that is neither that nor white space
/// (what `str::trim` removes).
#[cfg(feature = "schema")]
const TEXT_PATTERN: &str = concat!(
    r"^[^\u0000-\u001f\u007f-\u009f]*",
    r"[^\u0000-\u0020\u007f-\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]",
    r"[^\u0000-\u001f\u007f-\u009f]*$"
);
/// What `Email::parse` takes: no white space or control character, one `@` after one
/// character at least, a dot after it.
#[cfg(feature = "schema")]
const EMAIL_PATTERN: &str = concat!(
    r"^[^@\u0000-\u0020\u007f-\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+@",
    r"[^@\u0000-\u0020\u007f-\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*\.",
    r"[^@\u0000-\u0020\u007f-\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$"
);

/// The pattern of a text type's check, for its schema.
#[cfg(feature = "schema")]
macro_rules! pattern_of {
    (check_token) => {
        TOKEN_PATTERN
    };
    (check_slug) => {
        SLUG_PATTERN
    };
    (check_visible_ascii) => {
        VISIBLE_ASCII_PATTERN
    };
    (check_text) => {
        TEXT_PATTERN
    };
}

/// A schema transform saying what a text type's check takes, so that the API document
/// refuses what the engine refuses: the pattern, and 1 to `max` characters.
#[cfg(feature = "schema")]
fn shape(pattern: &'static str, max: usize) -> impl FnMut(&mut schemars::Schema) {
    move |schema| {
        schema.insert("pattern".into(), pattern.into());
        schema.insert("minLength".into(), 1.into());
        schema.insert("maxLength".into(), max.into());
    }
}

macro_rules! text_type {
    ($(#[$doc:meta])* $name:ident, $field:literal, $check:ident, $max:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
        #[cfg_attr(feature = "schema", schemars(transform = shape(pattern_of!($check), $max)))]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            pub const MAX_LEN: usize = $max;

            pub fn parse(value: impl Into<String>) -> Result<Self, FieldError> {
                let value = value.into();
                $check($field, &value, $max)?;
                Ok(Self(value))
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = FieldError;
            fn try_from(value: String) -> Result<Self, FieldError> {
                Self::parse(value)
            }
        }

        impl From<$name> for String {
            fn from(value: $name) -> String {
                value.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }
    };
}

text_type!(
    /// The merchant's own identifier of a member (their customer id).
    ExternalId, "external_id", check_token, 128
);
text_type!(
    /// The merchant's order number; unique per program.
    OrderId, "order_id", check_token, 128
);
text_type!(
    /// A stock-keeping unit as the merchant's till names it.
    Sku, "sku", check_token, 64
);
text_type!(
    /// A product category that earning rules may target.
    Category, "category", check_token, 64
);
text_type!(
    /// The code of a reward in the program's catalogue.
    RewardCode, "reward", check_slug, 64
);
text_type!(
    /// The code printed on an issued reward, which the till later accepts.
    InstanceCode, "code", check_token, 64
);
text_type!(
    /// A checkout hold's id, made at the edge like reward codes.
    HoldId, "hold_id", check_token, 64
);
text_type!(
    /// A segment a member belongs to (`vip`, `staff`), which campaigns may target.
    Tag, "tag", check_slug, 40
);
text_type!(
    /// The code of a tier (`gold`).
    TierCode, "tier", check_slug, 40
);
text_type!(
    /// The code a member shares to refer friends.
    ReferralCode, "referral_code", check_token, 32
);
text_type!(
    /// A kind of activity that earns points (`review`, `social_follow`, or the program's own).
    ActivityKind, "kind", check_slug, 40
);
text_type!(
    /// What an activity was about, when that matters (`instagram` for a social follow).
    ActivityTarget, "target", check_token, 128
);
text_type!(
    /// The client's key that makes a retried write safe (the `Idempotency-Key` header).
    IdempotencyKey, "Idempotency-Key", check_visible_ascii, 255
);
text_type!(
    /// Why an administrator adjusted a balance.
    Reason, "reason", check_text, 500
);
text_type!(
    /// A member's display name.
    PersonName, "name", check_text, 200
);
text_type!(
    /// The name a member chose to be shown by on leaderboards (trimmed at the edge).
    Nickname, "nickname", check_text, 32
);
text_type!(
    /// What an API key is for (`till 4, Main Street`), as an administrator named it.
    KeyName, "name", check_text, 64
);
text_type!(
    /// The code of one of the program's surveys (`nps`).
    SurveyCode, "survey", check_slug, 64
);
text_type!(
    /// What a member wrote beside a survey's score.
    Comment, "comment", check_text, 1000
);

/// A member's e-mail address. Only its shape is checked; delivery is not our concern.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(transform = shape(EMAIL_PATTERN, Email::MAX_LEN)))]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);

impl Email {
    pub const MAX_LEN: usize = 254;

    pub fn parse(value: impl Into<String>) -> Result<Self, FieldError> {
        let value = value.into();
        // Characters, as the API document's `maxLength` counts them.
        let shaped = value.chars().count() <= Self::MAX_LEN
            && !value.chars().any(|c| c.is_whitespace() || c.is_control())
            && value.split_once('@').is_some_and(|(local, domain)| {
                !local.is_empty() && domain.contains('.') && !domain.contains('@')
            });
        if !shaped {
            return Err(FieldError {
                field: "email",
                problem: format!(
                    "must be an address like name@example.com of at most {} characters",
                    Self::MAX_LEN
                ),
            });
        }
        Ok(Email(value))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Email {
    type Error = FieldError;
    fn try_from(value: String) -> Result<Self, FieldError> {
        Email::parse(value)
    }
}

impl From<Email> for String {
    fn from(value: Email) -> String {
        value.0
    }
}

/// The engine's own id of a member (a database key); never shown to merchants.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(transparent)]
pub struct MemberId(pub i64);

/// The engine's own id of a lot of points.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(transparent)]
pub struct LotId(pub i64);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_accept_merchant_style_ids() {
        for ok in ["c-1001", "cust_42", "12345", "a.b:c@d+e=f~g|h"] {
            assert_eq!(ExternalId::parse(ok).unwrap().as_str(), ok);
        }
    }

    #[test]
    fn tokens_refuse_empty_long_or_odd_characters() {
        let too_long = "x".repeat(129);
        for bad in ["", "has space", "slash/in", "ünïcode", too_long.as_str()] {
            let err = ExternalId::parse(bad).unwrap_err();
            assert_eq!(err.field, "external_id");
        }
    }

    #[test]
    fn reward_codes_are_slugs() {
        assert!(RewardCode::parse("free-drink").is_ok());
        assert!(RewardCode::parse("Free-Drink").is_err());
    }

    #[test]
    fn emails_need_a_local_part_and_a_dotted_domain() {
        assert!(Email::parse("ada@example.com").is_ok());
        for bad in ["ada", "@example.com", "ada@localhost", "a da@example.com", "a@b@c.com"] {
            assert!(Email::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn deserialising_checks_the_same_rules() {
        let err = serde_json::from_str::<Sku>("\"bad sku\"").unwrap_err();
        assert!(err.to_string().contains("sku: must be"), "{err}");
    }
}
