//! JSON Schemas of the types whose serde form is written by hand, for the API document
//! (the `schema` feature). Each says what its `Serialize` and `Deserialize` write and read.

use crate::program::decimal::Strict;
use crate::time::Timestamp;
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use std::borrow::Cow;

impl JsonSchema for Timestamp {
    fn schema_name() -> Cow<'static, str> {
        "Timestamp".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "string",
            "format": "date-time",
            "description": "An RFC 3339 instant, such as `2026-11-02T09:15:00Z`.",
        })
    }
}

/// A decimal as the engine writes it: a string, so that no binary floating point stands
/// between the number and its reader.
#[derive(Debug)]
pub struct DecimalText;

impl JsonSchema for DecimalText {
    fn schema_name() -> Cow<'static, str> {
        "DecimalText".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "string",
            "pattern": "^-?[0-9]+(\\.[0-9]+)?$",
            "description": "A decimal number written as a string, such as `\"1.25\"`.",
        })
    }
}

impl JsonSchema for Strict {
    fn schema_name() -> Cow<'static, str> {
        "Decimal".into()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "A decimal number: an integer, or a string such as `\"1.25\"` (never a JSON \
                floating-point number, whose binary value is not the number written). The engine writes it \
                as a string.",
            "anyOf": [
                { "type": "integer", "format": "int64" },
                generator.subschema_for::<DecimalText>(),
            ],
        })
    }
}

/// A calendar day as `YYYY-MM-DD`.
#[derive(Debug)]
pub struct DateText;

impl JsonSchema for DateText {
    fn schema_name() -> Cow<'static, str> {
        "Date".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({ "type": "string", "format": "date", "description": "A calendar day, `YYYY-MM-DD`." })
    }
}
