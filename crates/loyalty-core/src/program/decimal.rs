//! Decimals in program definitions: written as integers (`2`) or strings (`"1.25"`), never
//! as floating-point numbers, whose binary value is not the number the marketer wrote.

use rust_decimal::Decimal;
use serde::de::{self, Visitor};
use serde::{Deserializer, Serializer};
use std::fmt;
use std::str::FromStr;

pub fn serialize<S: Serializer>(value: &Decimal, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.collect_str(&value.normalize())
}

pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Decimal, D::Error> {
    deserializer.deserialize_any(DecimalVisitor)
}

struct DecimalVisitor;

impl Visitor<'_> for DecimalVisitor {
    type Value = Decimal;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an integer or a decimal written as a string, such as \"1.25\"")
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Decimal, E> {
        Ok(Decimal::from(v))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Decimal, E> {
        Ok(Decimal::from(v))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Decimal, E> {
        Decimal::from_str(v.trim()).map_err(|_| E::invalid_value(de::Unexpected::Str(v), &self))
    }
}

/// A decimal that deserialises strictly (as the functions above), for use inside maps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Strict(pub Decimal);

impl serde::Serialize for Strict {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serialize(&self.0, serializer)
    }
}

impl<'de> serde::Deserialize<'de> for Strict {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserialize(deserializer).map(Strict)
    }
}

#[cfg(test)]
mod tests {
    use rust_decimal::Decimal;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
    struct Holder {
        #[serde(with = "super")]
        #[cfg_attr(feature = "schema", schemars(with = "crate::program::decimal::Strict"))]
        value: Decimal,
    }

    #[test]
    fn accepts_integers_and_strings() {
        let h: Holder = serde_json::from_str(r#"{"value": 2}"#).unwrap();
        assert_eq!(h.value, Decimal::from(2));
        let h: Holder = serde_json::from_str(r#"{"value": "1.25"}"#).unwrap();
        assert_eq!(h.value.to_string(), "1.25");
    }

    #[test]
    fn refuses_floats_with_a_hint() {
        let err = serde_json::from_str::<Holder>(r#"{"value": 1.5}"#).unwrap_err();
        assert!(err.to_string().contains("decimal written as a string"), "{err}");
    }
}
