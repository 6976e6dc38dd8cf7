//! Generates the client from `openapi.json`. progenitor reads OpenAPI 3.0, the document
//! is 3.1 (JSON Schema 2020-12): it is first written in 3.0's words, which say the same
//! of every schema the engine's document uses (`nullable` for a `null` type, `enum` of
//! one for `const`, `allOf` around a `$ref` with siblings), less the rules between an
//! object's fields, which no generated type holds. Routes that answer no JSON (the
//! reference pages, the metrics) are left out: they are not for a client, and bodies are
//! sent as JSON only.

use serde_json::{Map, Value, json};
use std::path::Path;

fn main() {
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../openapi.json");
    println!("cargo:rerun-if-changed={}", source.display());
    let text = std::fs::read_to_string(&source).expect("openapi.json is readable");
    let mut document: Value = serde_json::from_str(&text).expect("openapi.json is JSON");
    to_openapi_3_0(&mut document);
    let spec: openapiv3::OpenAPI =
        serde_json::from_value(document).expect("the document reads as OpenAPI 3.0");
    let mut generator = progenitor::Generator::default();
    let tokens = generator.generate_tokens(&spec).unwrap_or_else(|e| panic!("progenitor: {e}"));
    let file = syn::parse2(tokens).expect("progenitor's output parses");
    let out = Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("client.rs");
    std::fs::write(out, prettyplease::unparse(&file)).expect("the client is written");
}

fn to_openapi_3_0(document: &mut Value) {
    document["openapi"] = json!("3.0.3");
    if let Some(license) = document["info"]["license"].as_object_mut() {
        license.remove("identifier");
    }
    if let Some(paths) = document["paths"].as_object_mut() {
        for item in paths.values_mut() {
            if let Some(item) = item.as_object_mut() {
                item.retain(|_, operation| answers_json(operation));
                for operation in item.values_mut() {
                    keep_json_only(operation);
                }
            }
        }
        paths.retain(|_, item| item.as_object().is_some_and(|i| !i.is_empty()));
    }
    // Each status's error response lists its own codes; the client reads every error
    // as the one `Error` body, so that an error of any status is one type.
    if let Some(responses) = document["components"]["responses"].as_object_mut() {
        for response in responses.values_mut() {
            response["content"]["application/json"]["schema"] =
                json!({ "$ref": "#/components/schemas/Error" });
        }
    }
    schemas_to_3_0(document);
}

/// Whether an operation's success answer is JSON.
fn answers_json(operation: &Value) -> bool {
    operation["responses"].as_object().is_some_and(|responses| {
        responses
            .iter()
            .any(|(status, r)| status.starts_with('2') && r["content"].get("application/json").is_some())
    })
}

/// An answer that comes as JSON or CSV is read as JSON; a body that may be sent as JSON
/// or TOML (a program) is sent as JSON.
fn keep_json_only(operation: &mut Value) {
    if let Some(content) = operation.pointer_mut("/requestBody/content").and_then(Value::as_object_mut) {
        content.retain(|media, _| media == "application/json");
    }
    if let Some(responses) = operation["responses"].as_object_mut() {
        for response in responses.values_mut() {
            if let Some(content) = response.get_mut("content").and_then(Value::as_object_mut) {
                content.retain(|media, _| media == "application/json");
            }
        }
    }
}

/// Rewrites every schema object, wherever it is, in 3.0's words.
fn schemas_to_3_0(value: &mut Value) {
    match value {
        Value::Object(map) => {
            map.values_mut().for_each(schemas_to_3_0);
            rewrite(map);
        }
        Value::Array(items) => items.iter_mut().for_each(schemas_to_3_0),
        _ => {}
    }
}

fn rewrite(map: &mut Map<String, Value>) {
    // A rule between an object's fields (branches that only add conditions, with no type
    // of their own: "exactly one of these") is the server's to check; a generated type
    // cannot hold it, and progenitor would read its branches as types.
    if map.contains_key("properties") {
        for key in ["anyOf", "oneOf"] {
            let only_conditions = map.get(key).and_then(Value::as_array).is_some_and(|branches| {
                branches.iter().all(|b| b.get("type").is_none() && b.get("$ref").is_none())
            });
            if only_conditions {
                map.remove(key);
            }
        }
    }
    if let Some(Value::Array(types)) = map.get("type").cloned() {
        let real: Vec<Value> = types.iter().filter(|t| *t != "null").cloned().collect();
        if real.len() < types.len() {
            map.insert("nullable".into(), json!(true));
        }
        match real.as_slice() {
            [one] => {
                map.insert("type".into(), one.clone());
            }
            _ => {
                map.remove("type");
            }
        }
    }
    if let Some(constant) = map.remove("const") {
        map.insert("enum".into(), json!([constant]));
    }
    if let Some(Value::Array(examples)) = map.remove("examples")
        && let Some(first) = examples.into_iter().next()
    {
        map.insert("example".into(), first);
    }
    for key in ["anyOf", "oneOf"] {
        if let Some(Value::Array(options)) = map.get(key).cloned() {
            let real: Vec<Value> =
                options.iter().filter(|o| o.get("type") != Some(&json!("null"))).cloned().collect();
            if real.len() < options.len() {
                map.insert("nullable".into(), json!(true));
                if let [one] = real.as_slice() {
                    map.remove(key);
                    map.insert("allOf".into(), json!([one]));
                } else {
                    map.insert(key.into(), Value::Array(real));
                }
            }
        }
    }
    if map.contains_key("$ref") && map.len() > 1 {
        let reference = map.remove("$ref").unwrap_or_default();
        let siblings: Map<String, Value> = std::mem::take(map);
        let (about, rest): (Map<String, Value>, Map<String, Value>) = siblings
            .into_iter()
            .partition(|(k, _)| matches!(k.as_str(), "description" | "nullable" | "default"));
        let mut parts = vec![json!({ "$ref": reference })];
        if !rest.is_empty() {
            parts.push(Value::Object(rest));
        }
        map.extend(about);
        map.insert("allOf".into(), Value::Array(parts));
    }
    map.remove("unevaluatedProperties");
    map.remove("$schema");
}
