//! Reading typed values out of rows; a value that does not fit its type is corruption.

use crate::StoreError;
use loyalty_core::Timestamp;
use serde::de::DeserializeOwned;
use sqlx::Row;
use sqlx::any::AnyRow;

pub(super) fn int(row: &AnyRow, column: &str) -> Result<i64, StoreError> {
    Ok(row.try_get::<i64, _>(column)?)
}

pub(super) fn opt_int(row: &AnyRow, column: &str) -> Result<Option<i64>, StoreError> {
    Ok(row.try_get::<Option<i64>, _>(column)?)
}

pub(super) fn text(row: &AnyRow, column: &str) -> Result<String, StoreError> {
    Ok(row.try_get::<String, _>(column)?)
}

pub(super) fn opt_text(row: &AnyRow, column: &str) -> Result<Option<String>, StoreError> {
    Ok(row.try_get::<Option<String>, _>(column)?)
}

pub(super) fn timestamp(row: &AnyRow, column: &str) -> Result<Timestamp, StoreError> {
    int(row, column).map(Timestamp::from_micros)
}

pub(super) fn opt_timestamp(row: &AnyRow, column: &str) -> Result<Option<Timestamp>, StoreError> {
    Ok(opt_int(row, column)?.map(Timestamp::from_micros))
}

pub(super) fn json<T: DeserializeOwned>(row: &AnyRow, column: &str) -> Result<T, StoreError> {
    let raw = text(row, column)?;
    serde_json::from_str(&raw).map_err(|e| StoreError::corrupt(format!("column {column}: {e}")))
}

/// Parses a stored text into a core type that validates itself.
pub(super) fn parsed<T, E: std::fmt::Display>(
    row: &AnyRow,
    column: &str,
    parse: impl FnOnce(String) -> Result<T, E>,
) -> Result<T, StoreError> {
    parse(text(row, column)?).map_err(|e| StoreError::corrupt(format!("column {column}: {e}")))
}

pub(super) fn to_json<T: serde::Serialize>(value: &T) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|e| StoreError::corrupt(format!("cannot encode as JSON: {e}")))
}
