//! What each of the API's extractors adds to an operation of the document: the key it
//! needs, the path, query, header or body it reads, and the errors it may answer with
//! before the handler runs.

use super::errors::early;
use crate::auth::{Access, AdminCaller, BillingCaller, Caller, PosCaller};
use crate::extract::{ApiPath, ApiQuery};
use crate::json::{ApiJson, MaybeJson};
use crate::routes::erasure::NoFields;
use crate::routes::{Idempotency, MemberPath};
use aide::generate::GenContext;
use aide::openapi::{
    HeaderStyle, MediaType, Operation, Parameter, ParameterData, ParameterSchemaOrContent, RequestBody,
    Response, SchemaObject, SecurityRequirement,
};
use aide::operation::{OperationInput, ParamLocation, add_parameters, parameters_from_schema, set_body};
use indexmap::IndexMap;
use loyalty_core::ids::{ExternalId, IdempotencyKey};
use schemars::{JsonSchema, Schema};

/// Marks the operation as needing a key that `access` allows: in words, and as
/// `x-required-role` (the least role; an `admin` key may do everything).
fn needs_key(operation: &mut Operation, access: Access, roles: &str) {
    needs(operation, access.as_str(), roles);
}

/// Marks the operation as needing the bearer key named `role` in `x-required-role`.
fn needs(operation: &mut Operation, role: &str, roles: &str) {
    let bearer: SecurityRequirement = IndexMap::from_iter([("bearer".to_owned(), Vec::new())]);
    if !operation.security.contains(&bearer) {
        operation.security.push(bearer);
    }
    operation.description = Some(roles.to_owned());
    operation.extensions.insert("x-required-role".to_owned(), role.into());
}

/// A JSON request body of this schema.
fn json_body(schema: Schema, required: bool) -> RequestBody {
    let media = MediaType {
        schema: Some(SchemaObject { json_schema: schema, example: None, external_docs: None }),
        ..MediaType::default()
    };
    RequestBody {
        content: IndexMap::from_iter([("application/json".to_owned(), media)]),
        required,
        ..RequestBody::default()
    }
}

/// A parameter of this name and schema.
fn parameter(name: &str, description: &str, schema: Schema, required: bool) -> ParameterData {
    ParameterData {
        name: name.to_owned(),
        description: Some(description.to_owned()),
        required,
        format: ParameterSchemaOrContent::Schema(SchemaObject {
            json_schema: schema,
            example: None,
            external_docs: None,
        }),
        extensions: IndexMap::default(),
        deprecated: None,
        example: None,
        examples: IndexMap::default(),
        explode: None,
    }
}

impl OperationInput for Caller {
    fn operation_input(_: &mut GenContext, operation: &mut Operation) {
        needs_key(operation, Access::Read, "Any key.");
    }

    /// 403: the platform key, which reaches no program's data.
    fn inferred_early_responses(ctx: &mut GenContext, _: &mut Operation) -> Vec<(Option<u16>, Response)> {
        early(ctx, &[401, 403, 429])
    }
}

impl OperationInput for crate::platform::PlatformCaller {
    fn operation_input(_: &mut GenContext, operation: &mut Operation) {
        needs(operation, "platform", "The platform key (no program's key).");
    }

    fn inferred_early_responses(ctx: &mut GenContext, _: &mut Operation) -> Vec<(Option<u16>, Response)> {
        early(ctx, &[401, 403, 429])
    }
}

impl OperationInput for PosCaller {
    fn operation_input(_: &mut GenContext, operation: &mut Operation) {
        needs_key(operation, Access::Pos, "An `admin` or `pos` key.");
    }

    fn inferred_early_responses(ctx: &mut GenContext, _: &mut Operation) -> Vec<(Option<u16>, Response)> {
        early(ctx, &[401, 403, 409, 429])
    }
}

impl OperationInput for AdminCaller {
    fn operation_input(_: &mut GenContext, operation: &mut Operation) {
        needs_key(operation, Access::Admin, "An `admin` key.");
    }

    fn inferred_early_responses(ctx: &mut GenContext, _: &mut Operation) -> Vec<(Option<u16>, Response)> {
        early(ctx, &[401, 403, 409, 429])
    }
}

impl OperationInput for BillingCaller {
    fn operation_input(_: &mut GenContext, operation: &mut Operation) {
        needs_key(operation, Access::Billing, "An `admin` or `billing` key.");
    }

    fn inferred_early_responses(ctx: &mut GenContext, _: &mut Operation) -> Vec<(Option<u16>, Response)> {
        early(ctx, &[401, 403, 409, 429])
    }
}

impl<T: JsonSchema> OperationInput for ApiJson<T> {
    fn operation_input(ctx: &mut GenContext, operation: &mut Operation) {
        let schema = ctx.schema.subschema_for::<T>();
        set_body(ctx, operation, json_body(schema, true));
    }

    /// Unreadable JSON, a body over the limit, another media type, a field refused.
    fn inferred_early_responses(ctx: &mut GenContext, _: &mut Operation) -> Vec<(Option<u16>, Response)> {
        early(ctx, &[400, 413, 415, 422])
    }
}

impl<T: JsonSchema> OperationInput for MaybeJson<T> {
    fn operation_input(ctx: &mut GenContext, operation: &mut Operation) {
        let schema = ctx.schema.subschema_for::<T>();
        set_body(ctx, operation, json_body(schema, false));
    }

    /// Unreadable JSON, a body over the limit, another media type, a field refused.
    fn inferred_early_responses(ctx: &mut GenContext, _: &mut Operation) -> Vec<(Option<u16>, Response)> {
        early(ctx, &[400, 413, 415, 422])
    }
}

impl OperationInput for crate::program_body::ProgramBody {
    fn operation_input(ctx: &mut GenContext, operation: &mut Operation) {
        let mut body = json_body(ctx.schema.subschema_for::<loyalty_core::program::ProgramDef>(), true);
        let toml = schemars::json_schema!({
            "type": "string",
            "description": "The program as the TOML of a program file (see examples/programs/coffee.toml)",
        });
        body.content.insert(
            "application/toml".to_owned(),
            MediaType {
                schema: Some(SchemaObject { json_schema: toml, example: None, external_docs: None }),
                ..MediaType::default()
            },
        );
        set_body(ctx, operation, body);
    }

    /// Unreadable JSON or TOML, a body over the limit, another media type, a program refused.
    fn inferred_early_responses(ctx: &mut GenContext, _: &mut Operation) -> Vec<(Option<u16>, Response)> {
        early(ctx, &[400, 413, 415, 422])
    }
}

impl<T: JsonSchema> OperationInput for ApiPath<T> {
    fn operation_input(ctx: &mut GenContext, operation: &mut Operation) {
        let schema = ctx.schema.subschema_for::<T>();
        let params = parameters_from_schema(ctx, schema, ParamLocation::Path);
        add_parameters(ctx, operation, params);
    }

    /// A path that cannot be read, or whose id has the wrong shape.
    fn inferred_early_responses(ctx: &mut GenContext, _: &mut Operation) -> Vec<(Option<u16>, Response)> {
        early(ctx, &[400, 422])
    }
}

impl<T: JsonSchema> OperationInput for ApiQuery<T> {
    fn operation_input(ctx: &mut GenContext, operation: &mut Operation) {
        let schema = ctx.schema.subschema_for::<T>();
        let params = parameters_from_schema(ctx, schema, ParamLocation::Query);
        add_parameters(ctx, operation, params);
    }

    /// A parameter given twice or of the wrong shape.
    fn inferred_early_responses(ctx: &mut GenContext, _: &mut Operation) -> Vec<(Option<u16>, Response)> {
        early(ctx, &[400])
    }
}

impl OperationInput for MemberPath {
    fn operation_input(ctx: &mut GenContext, operation: &mut Operation) {
        let schema = ctx.schema.subschema_for::<ExternalId>();
        let parameter = Parameter::Path {
            parameter_data: parameter(
                "external_id",
                "The member's external id: the merchant's own id for them",
                schema,
                true,
            ),
            style: aide::openapi::PathStyle::Simple,
        };
        add_parameters(ctx, operation, [parameter]);
    }

    /// A path that cannot be read, an id of the wrong shape, no such member.
    fn inferred_early_responses(ctx: &mut GenContext, _: &mut Operation) -> Vec<(Option<u16>, Response)> {
        early(ctx, &[400, 404, 422])
    }
}

impl OperationInput for Idempotency {
    fn operation_input(ctx: &mut GenContext, operation: &mut Operation) {
        let parameter = Parameter::Header {
            parameter_data: parameter(
                "Idempotency-Key",
                "The same key with the same body returns the first response and changes nothing; with \
                 another body it is `409 idempotency_key_reused`.",
                ctx.schema.subschema_for::<IdempotencyKey>(),
                false,
            ),
            style: HeaderStyle::Simple,
        };
        add_parameters(ctx, operation, [parameter]);
    }

    /// A key reused with another body, or a key of the wrong shape.
    fn inferred_early_responses(ctx: &mut GenContext, _: &mut Operation) -> Vec<(Option<u16>, Response)> {
        early(ctx, &[409, 422])
    }
}

impl OperationInput for NoFields {
    fn operation_input(ctx: &mut GenContext, operation: &mut Operation) {
        let empty = schemars::json_schema!({
            "type": "object",
            "description": "Nothing, or an empty object: the request takes no fields.",
            "maxProperties": 0,
        });
        set_body(ctx, operation, json_body(empty, false));
    }

    /// Unreadable JSON, a body over the limit, a field.
    fn inferred_early_responses(ctx: &mut GenContext, _: &mut Operation) -> Vec<(Option<u16>, Response)> {
        early(ctx, &[400, 413, 422])
    }
}
