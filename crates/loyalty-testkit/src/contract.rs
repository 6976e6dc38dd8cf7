//! Every answer the API tests receive is held to the API document: its status must be
//! one the route documents, and its body must fit the documented schema exactly — a
//! field the document does not declare, or a required one missing, fails the test.

use jsonschema::Validator;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};

static DOCUMENT: LazyLock<Value> = LazyLock::new(loyalty_server::openapi::document);

/// Compiled validators by JSON pointer of their schema in the document.
static VALIDATORS: LazyLock<Mutex<HashMap<String, Arc<Validator>>>> = LazyLock::new(Mutex::default);

/// Panics, naming the route and what does not fit, when an answer is not what the
/// document says `method path` answers.
pub fn check(method: &str, uri: &str, status: u16, media: Option<&str>, body: &Value) {
    let method = method.to_ascii_lowercase();
    if method == "head" || method == "options" {
        return;
    }
    let path = uri.split_once('?').map_or(uri, |(path, _)| path);
    let operation = template_of(path).and_then(|template| {
        let pointer = format!("/paths/{}/{method}", escape(&template));
        DOCUMENT.pointer(&pointer).map(|_| (template, pointer))
    });
    let Some((template, operation)) = operation else {
        // No documented route takes this: the router's own refusal (404, 405).
        if status >= 400 {
            check_body(
                &format!("/components/responses/Error{status}"),
                media,
                body,
                &format!("{method} {uri}"),
            );
        }
        return;
    };
    let what = format!("{} {template} → {status}", method.to_uppercase());
    let response = format!("{operation}/responses/{status}");
    let Some(documented) = DOCUMENT.pointer(&response) else {
        panic!("{what}: the document does not say this route answers {status}; body: {body}");
    };
    let response = match documented.get("$ref").and_then(Value::as_str) {
        Some(target) => target.trim_start_matches('#').to_owned(),
        None => response,
    };
    check_body(&response, media, body, &what);
}

fn check_body(response: &str, media: Option<&str>, body: &Value, what: &str) {
    let Some(content) = DOCUMENT.pointer(&format!("{response}/content")) else {
        assert!(body.is_null(), "{what}: the document says no body, but one came: {body}");
        return;
    };
    let media = media.map_or("", |m| m.split(';').next().unwrap_or_default().trim());
    let Some(declared) = content.get(media) else {
        panic!(
            "{what}: a body of {media:?} is not documented; the document has {:?}",
            content.as_object().map(|c| c.keys().collect::<Vec<_>>())
        );
    };
    if media != "application/json" {
        return;
    }
    let pointer = format!("{response}/content/{}/schema", escape(media));
    let validator = validator(&pointer, &declared["schema"]);
    let errors: Vec<String> =
        validator.iter_errors(body).map(|e| format!("  at {}: {}", e.instance_path(), e)).collect();
    assert!(
        errors.is_empty(),
        "{what}: the body does not fit the document\n{}\nbody: {body}",
        errors.join("\n")
    );
}

/// The schema compiled with the document's components at hand, once per process.
fn validator(pointer: &str, schema: &Value) -> Arc<Validator> {
    let mut compiled = VALIDATORS.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some(found) = compiled.get(pointer) {
        return Arc::clone(found);
    }
    let root = json!({ "allOf": [schema], "components": DOCUMENT["components"] });
    // Formats are asserted too: a `date-time` that is not one fails.
    let validator = jsonschema::draft202012::options()
        .should_validate_formats(true)
        .build(&root)
        .unwrap_or_else(|e| panic!("the document's schema at {pointer} does not compile: {e}"));
    let validator = Arc::new(validator);
    compiled.insert(pointer.to_owned(), Arc::clone(&validator));
    validator
}

/// The documented path template `path` is an instance of; where several fit
/// (`/v1/rewards/codes/x` and `/v1/rewards/{code}/...`), the one with the most fixed
/// segments.
fn template_of(path: &str) -> Option<String> {
    let segments: Vec<&str> = path.split('/').collect();
    DOCUMENT["paths"]
        .as_object()?
        .keys()
        .filter_map(|template| {
            let parts: Vec<&str> = template.split('/').collect();
            let fits = parts.len() == segments.len()
                && parts.iter().zip(&segments).all(|(p, s)| p.starts_with('{') || p == s);
            fits.then(|| (parts.iter().filter(|p| !p.starts_with('{')).count(), template))
        })
        .max_by_key(|(fixed, _)| *fixed)
        .map(|(_, template)| template.clone())
}

/// A JSON pointer's escape of one key.
fn escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}
