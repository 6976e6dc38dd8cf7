//! What a route says of itself in the document beyond what its extractors say: its
//! name, its group, a line on what it does, its success answers and its own errors.

use super::errors::add_errors;
use aide::transform::TransformOperation;
use axum::Json;
use schemars::JsonSchema;

/// The name (`operationId`), group (tag) and summary of a route.
pub fn doc(
    id: &'static str,
    tag: &'static str,
    summary: &'static str,
) -> impl FnOnce(TransformOperation<'_>) -> TransformOperation<'_> {
    move |op| op.id(id).tag(tag).summary(summary)
}

/// Answers and errors a route declares in its transform.
pub trait Documented: Sized {
    /// A JSON answer of `T` with this status.
    fn answers<const STATUS: u16, T: JsonSchema>(self, description: &'static str) -> Self;

    /// Statuses of errors the handler itself may answer with (its extractors' are known).
    fn errors(self, statuses: &[u16]) -> Self;
}

impl Documented for TransformOperation<'_> {
    fn answers<const STATUS: u16, T: JsonSchema>(self, description: &'static str) -> Self {
        self.response_with::<STATUS, Json<T>, _>(|r| r.description(description))
    }

    fn errors(mut self, statuses: &[u16]) -> Self {
        add_errors(self.inner_mut(), statuses);
        self
    }
}

/// Marks the operation's body as optional, for a handler that takes `Option<ApiJson<_>>`:
/// a request without one is answered as if its every field were left out.
pub fn optional_body(mut op: TransformOperation<'_>) -> TransformOperation<'_> {
    if let Some(aide::openapi::ReferenceOr::Item(body)) = op.inner_mut().request_body.as_mut() {
        body.required = false;
    }
    op
}

/// A success answer that is not a JSON body of a Rust type: a page, a file, Prometheus
/// text, or the document itself.
pub fn answers_raw(
    status: u16,
    media: &'static str,
    schema: schemars::Schema,
    description: &'static str,
) -> impl FnOnce(TransformOperation<'_>) -> TransformOperation<'_> {
    move |mut op| {
        let responses = op.inner_mut().responses.get_or_insert_with(Default::default);
        let content = aide::openapi::MediaType {
            schema: Some(aide::openapi::SchemaObject {
                json_schema: schema,
                example: None,
                external_docs: None,
            }),
            ..aide::openapi::MediaType::default()
        };
        responses.responses.insert(
            aide::openapi::StatusCode::Code(status),
            aide::openapi::ReferenceOr::Item(aide::openapi::Response {
                description: description.to_owned(),
                content: indexmap::IndexMap::from_iter([(media.to_owned(), content)]),
                ..aide::openapi::Response::default()
            }),
        );
        op
    }
}
