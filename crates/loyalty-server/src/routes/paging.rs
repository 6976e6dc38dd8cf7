//! What paged routes share: the `limit` of a page and opaque cursors.

use crate::error::ApiError;
use axum::http::StatusCode;

/// A page's `limit` from the query: `default` if absent, else a whole number from 1 to `max`.
pub fn limit<N>(text: Option<&str>, default: N, max: N) -> Result<N, ApiError>
where
    N: std::str::FromStr + PartialOrd + From<u8> + std::fmt::Display + Copy,
{
    let Some(text) = text else { return Ok(default) };
    text.parse::<N>().ok().filter(|l| *l >= N::from(1) && *l <= max).ok_or_else(|| {
        ApiError::invalid_request(format!("limit: must be a whole number from 1 to {max}, not `{text}`"))
    })
}

/// A cursor: opaque to clients; inside, the positive row id to continue from, in
/// lower-case hex, behind a letter naming what it pages through, so one route's cursor is
/// refused by another. The query fields document it as the pattern
/// `^K0*([1-9a-f][0-9a-f]{0,14}|[1-7][0-9a-f]{15})$` (K the letter): exactly what
/// `decode_cursor` takes.
pub fn encode_cursor(kind: char, id: i64) -> String {
    format!("{kind}{id:x}")
}

pub fn decode_cursor(kind: char, cursor: &str) -> Result<i64, ApiError> {
    cursor
        .strip_prefix(kind)
        // Only what `encode_cursor` writes: no sign, no upper case.
        .filter(|hex| hex.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)))
        .and_then(|hex| i64::from_str_radix(hex, 16).ok())
        .filter(|id| *id > 0)
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "invalid_cursor",
                "cursor: use the next_cursor of a previous page",
            )
        })
}
