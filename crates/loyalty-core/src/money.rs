//! Money: integer minor units of an ISO 4217 currency.

use serde::{Deserialize, Serialize};
use std::fmt;

/// An amount of money in the currency's minor unit (cents for USD). Never a float.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(transparent)]
pub struct MinorUnits(i64);

impl MinorUnits {
    pub const ZERO: MinorUnits = MinorUnits(0);

    pub const fn new(value: i64) -> Self {
        MinorUnits(value)
    }

    pub const fn get(self) -> i64 {
        self.0
    }

    pub fn is_zero(&self) -> bool {
        self.0 == 0
    }

    pub fn checked_mul(self, factor: i64) -> Option<MinorUnits> {
        self.0.checked_mul(factor).map(MinorUnits)
    }

    pub fn checked_add(self, other: MinorUnits) -> Option<MinorUnits> {
        self.0.checked_add(other.0).map(MinorUnits)
    }
}

/// Spreads `paid` over `amounts` in proportion, to the minor unit: each share is what the
/// running total's share grew by, so the shares add up to `paid` (at most their total).
pub fn spread(paid: MinorUnits, amounts: &[MinorUnits]) -> Vec<MinorUnits> {
    let total: i128 = amounts.iter().map(|a| i128::from(a.get())).sum();
    let paid = i128::from(paid.get()).clamp(0, total.max(0));
    let (mut running, mut given) = (0i128, 0i128);
    amounts
        .iter()
        .map(|amount| {
            running += i128::from(amount.get());
            let due = if total > 0 { paid * running / total } else { 0 };
            let share = i64::try_from(due - given).unwrap_or(0);
            given = due;
            MinorUnits::new(share)
        })
        .collect()
}

/// A currency code with the number of digits of its minor unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Currency {
    code: [u8; 3],
    minor_digits: u8,
}

/// ISO 4217 currencies whose minor unit is not two digits, plus the common two-digit
/// ones; a program may name any other code if it states `currency_minor_digits`.
const KNOWN: &[(&str, u8)] = &[
    ("AED", 2),
    ("ARS", 2),
    ("AUD", 2),
    ("BHD", 3),
    ("BRL", 2),
    ("CAD", 2),
    ("CHF", 2),
    ("CLP", 0),
    ("CNY", 2),
    ("COP", 2),
    ("CZK", 2),
    ("DKK", 2),
    ("EUR", 2),
    ("GBP", 2),
    ("HKD", 2),
    ("HUF", 2),
    ("IDR", 2),
    ("ILS", 2),
    ("INR", 2),
    ("ISK", 0),
    ("JOD", 3),
    ("JPY", 0),
    ("KRW", 0),
    ("KWD", 3),
    ("MXN", 2),
    ("MYR", 2),
    ("NOK", 2),
    ("NZD", 2),
    ("OMR", 3),
    ("PHP", 2),
    ("PLN", 2),
    ("QAR", 2),
    ("RON", 2),
    ("SAR", 2),
    ("SEK", 2),
    ("SGD", 2),
    ("THB", 2),
    ("TND", 3),
    ("TRY", 2),
    ("TWD", 2),
    ("UAH", 2),
    ("UGX", 0),
    ("USD", 2),
    ("VND", 0),
    ("XAF", 0),
    ("XOF", 0),
    ("ZAR", 2),
];

/// Why a currency could not be accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CurrencyError {
    #[error("must be a three-letter upper-case ISO 4217 code such as \"USD\"")]
    NotACode,
    #[error("is not a currency this engine knows; state `currency_minor_digits` to use it")]
    Unknown,
    #[error("minor digits must be between 0 and 4")]
    MinorDigitsOutOfRange,
}

impl Currency {
    /// Parses an ISO code; `minor_digits` overrides (or supplies, for codes not in the
    /// built-in table) the number of digits of the minor unit.
    pub fn parse(code: &str, minor_digits: Option<u8>) -> Result<Currency, CurrencyError> {
        let bytes: [u8; 3] = code.as_bytes().try_into().map_err(|_| CurrencyError::NotACode)?;
        if !bytes.iter().all(u8::is_ascii_uppercase) {
            return Err(CurrencyError::NotACode);
        }
        let known = KNOWN.iter().find(|(c, _)| *c == code).map(|(_, d)| *d);
        let minor_digits = match (minor_digits, known) {
            (Some(d), _) if d > 4 => return Err(CurrencyError::MinorDigitsOutOfRange),
            (Some(d), _) => d,
            (None, Some(d)) => d,
            (None, None) => return Err(CurrencyError::Unknown),
        };
        Ok(Currency { code: bytes, minor_digits })
    }

    pub fn code(&self) -> &str {
        // Only ASCII upper-case letters are ever stored, so this cannot fail.
        std::str::from_utf8(&self.code).unwrap_or("???")
    }

    pub fn minor_digits(&self) -> u8 {
        self.minor_digits
    }

    /// Formats an amount of minor units as a decimal string in major units ("9.50").
    pub fn format(&self, amount: MinorUnits) -> String {
        let digits = u32::from(self.minor_digits);
        let scale = 10i64.pow(digits);
        let value = amount.get();
        let sign = if value < 0 { "-" } else { "" };
        let abs = value.unsigned_abs();
        let scale = scale.unsigned_abs();
        if digits == 0 {
            format!("{sign}{abs}")
        } else {
            let width = digits as usize;
            format!("{sign}{}.{:0width$}", abs / scale, abs % scale)
        }
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_currencies_carry_their_minor_digits() {
        assert_eq!(Currency::parse("USD", None).unwrap().minor_digits(), 2);
        assert_eq!(Currency::parse("JPY", None).unwrap().minor_digits(), 0);
        assert_eq!(Currency::parse("KWD", None).unwrap().minor_digits(), 3);
    }

    #[test]
    fn unknown_or_malformed_codes_are_rejected() {
        assert_eq!(Currency::parse("usd", None), Err(CurrencyError::NotACode));
        assert_eq!(Currency::parse("US", None), Err(CurrencyError::NotACode));
        assert_eq!(Currency::parse("XYZ", None), Err(CurrencyError::Unknown));
        assert_eq!(Currency::parse("XYZ", Some(2)).unwrap().minor_digits(), 2);
        assert_eq!(Currency::parse("XYZ", Some(5)), Err(CurrencyError::MinorDigitsOutOfRange));
    }

    #[test]
    fn amounts_format_in_major_units() {
        let usd = Currency::parse("USD", None).unwrap();
        assert_eq!(usd.format(MinorUnits::new(950)), "9.50");
        assert_eq!(usd.format(MinorUnits::new(5)), "0.05");
        assert_eq!(usd.format(MinorUnits::new(-1234)), "-12.34");
        let jpy = Currency::parse("JPY", None).unwrap();
        assert_eq!(jpy.format(MinorUnits::new(500)), "500");
    }
}
