//! How numbers, money and instants read on a page: points with thousands separators, money
//! in the currency's own decimals, instants in the program's time zone.

use iso_currency::Currency;
use jiff::Timestamp;
use jiff::civil::DateTime;
use jiff::tz::TimeZone;

/// `1234567` → `1,234,567`.
pub fn points(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut grouped = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        grouped.push('-');
    }
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    grouped
}

/// Minor units in one whole unit of `currency`: 100 for EUR, 1 for JPY.
pub fn minor_per_unit(currency: &str) -> i64 {
    let exponent = Currency::from_code(currency).and_then(|c| c.exponent()).unwrap_or(2);
    10_i64.pow(u32::from(exponent))
}

/// `1120` minor units of `EUR` → `11.20 EUR`; `500` of `JPY` → `500 JPY`.
pub fn money(minor: i64, currency: &str) -> String {
    let scale = minor_per_unit(currency);
    if scale == 1 {
        return format!("{} {currency}", points(minor));
    }
    let exponent = scale.ilog10() as usize;
    let whole = points((minor / scale).abs());
    let fraction = (minor % scale).abs();
    let sign = if minor < 0 { "-" } else { "" };
    format!("{sign}{whole}.{fraction:0width$} {currency}", width = exponent)
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
        assert_eq!(money(1120, "EUR"), "11.20 EUR");
        assert_eq!(money(-5, "EUR"), "-0.05 EUR");
        assert_eq!(money(123456789, "USD"), "1,234,567.89 USD");
        assert_eq!(money(500, "JPY"), "500 JPY");
        assert_eq!(money(1234, "KWD"), "1.234 KWD");
    }

    #[test]
    fn instants_read_in_the_program_s_zone() {
        assert_eq!(datetime("2026-12-04T23:30:00Z", "Europe/Paris"), "2026-12-05 00:30");
        assert_eq!(date("2026-12-04T23:30:00Z", "Europe/Paris"), "2026-12-05");
        assert_eq!(date("not a time", "Europe/Paris"), "not a time");
    }
}
