//! How numbers, money and instants read on a page: points with thousands separators, money
//! in the currency's own decimals, instants in the program's time zone.

use jiff::Timestamp;
use jiff::civil::DateTime;
use jiff::tz::TimeZone;
use loyalty_core::money::{Currency, MinorUnits};

/// `1234567` → `1,234,567`.
pub fn points(n: i64) -> String {
    let sign = if n < 0 { "-" } else { "" };
    format!("{sign}{}", grouped(&n.unsigned_abs().to_string()))
}

/// `1120` minor units of `EUR` → `11.20 EUR`; `500` of `JPY` → `500 JPY`: the program's
/// own currency formats the amount (it knows the minor digits a program may have stated),
/// and thousands are grouped here.
pub fn money(minor: i64, currency: Currency) -> String {
    let decimal = currency.format(MinorUnits::new(minor));
    let (sign, unsigned) = decimal.strip_prefix('-').map_or(("", decimal.as_str()), |rest| ("-", rest));
    match unsigned.split_once('.') {
        Some((whole, fraction)) => format!("{sign}{}.{fraction} {currency}", grouped(whole)),
        None => format!("{sign}{} {currency}", grouped(unsigned)),
    }
}

/// A run of digits with a comma before each group of three from the right.
fn grouped(digits: &str) -> String {
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

/// One whole unit of `currency` in its minor units: 100 for EUR, 1 for JPY.
pub fn minor_per_unit(currency: Currency) -> i64 {
    10_i64.pow(u32::from(currency.minor_digits()))
}

/// An RFC 3339 instant as a date and time in `zone` (`2026-12-04 22:26`); the text itself
/// if it is not one.
pub fn datetime(text: &str, zone: &str) -> String {
    local(text, zone).map_or_else(
        || text.to_owned(),
        |t| format!("{:04}-{:02}-{:02} {:02}:{:02}", t.year(), t.month(), t.day(), t.hour(), t.minute()),
    )
}

/// An RFC 3339 instant as a date in `zone`; the text itself if it is not one.
pub fn date(text: &str, zone: &str) -> String {
    local(text, zone).map_or_else(|| text.to_owned(), |t| t.date().to_string())
}

fn local(text: &str, zone: &str) -> Option<DateTime> {
    let at: Timestamp = text.parse().ok()?;
    Some(TimeZone::get(zone).unwrap_or(TimeZone::UTC).to_datetime(at))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn points_are_grouped_by_thousands() {
        assert_eq!(points(0), "0");
        assert_eq!(points(999), "999");
        assert_eq!(points(1000), "1,000");
        assert_eq!(points(-1234567), "-1,234,567");
    }

    #[test]
    fn money_has_the_currency_s_decimals() {
        let known = |code| Currency::parse(code, None).unwrap();
        assert_eq!(money(1120, known("EUR")), "11.20 EUR");
        assert_eq!(money(-5, known("EUR")), "-0.05 EUR");
        assert_eq!(money(-123456, known("EUR")), "-1,234.56 EUR");
        assert_eq!(money(123456789, known("USD")), "1,234,567.89 USD");
        assert_eq!(money(500, known("JPY")), "500 JPY");
        assert_eq!(money(-1234567, known("JPY")), "-1,234,567 JPY");
        assert_eq!(money(1234, known("KWD")), "1.234 KWD");
    }

    #[test]
    fn money_has_the_decimals_a_program_states() {
        // A code outside the built-in table, with the minor digits the program states.
        let stated = Currency::parse("XTS", Some(3)).unwrap();
        assert_eq!(money(1234567, stated), "1,234.567 XTS");
        assert_eq!(minor_per_unit(stated), 1000);
        assert_eq!(minor_per_unit(Currency::parse("JPY", None).unwrap()), 1);
    }

    #[test]
    fn instants_read_in_the_program_s_zone() {
        assert_eq!(datetime("2026-12-04T23:30:00Z", "Europe/Paris"), "2026-12-05 00:30");
        assert_eq!(date("2026-12-04T23:30:00Z", "Europe/Paris"), "2026-12-05");
        assert_eq!(date("not a time", "Europe/Paris"), "not a time");
    }
}
