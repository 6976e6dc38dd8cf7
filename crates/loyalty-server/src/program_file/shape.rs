//! Every problem of shape in a program file that parses as TOML — a wrong type, an
//! unknown key or kind, a missing field — and not only the first, which is where serde
//! stops. Each earning rule and reward is read on its own, and then the rest of the file
//! without the sections already found wrong, so one run lists them all. What is left, a
//! definition of the parts that were well formed, is returned for the semantic checks.

use loyalty_core::earning::RuleDef;
use loyalty_core::program::{ProgramDef, RewardDef};
use serde::Deserialize;
use std::ops::Range;
use toml::Spanned;
use toml::de::{DeArray, DeTable, DeValue, ValueDeserializer};

/// A problem of shape: the field, the byte offset it is at, and what is wrong.
pub(super) struct Found {
    pub field: Option<String>,
    pub offset: usize,
    pub message: String,
}

/// What reading a file part by part gave: its problems, and the definition of what was
/// well formed (if the file's required parts are), with the index each surviving rule and
/// reward had in the file.
pub(super) struct Shape {
    pub problems: Vec<Found>,
    pub well_formed: Option<(ProgramDef, Vec<usize>, Vec<usize>)>,
}

/// More rounds than a file has sections; each round takes one wrong section out.
const MAX_ROUNDS: usize = 64;

pub(super) fn read(table: &Spanned<DeTable<'_>>) -> Shape {
    let mut problems = Vec::new();
    let mut rest = table.get_ref().clone();
    let rules = each::<RuleDef>(&mut rest, "earning", &mut problems);
    let rewards = each::<RewardDef>(&mut rest, "rewards", &mut problems);
    let mut removed: Vec<String> = Vec::new();
    let mut well_formed = None;
    for _ in 0..MAX_ROUNDS {
        let value = Spanned::new(table.span(), DeValue::Table(rest.clone()));
        let err = match ProgramDef::deserialize(ValueDeserializer::from(value)) {
            Ok(def) => {
                well_formed = Some((def, rules, rewards));
                break;
            }
            Err(err) => err,
        };
        let message = err.message().trim().to_owned();
        // A required key taken out for being wrong is missing now; that was said already.
        if removed.iter().any(|key| message == format!("missing field `{key}`")) {
            break;
        }
        let key = named_key(&message)
            .filter(|k| rest.get(*k).is_some())
            .map(str::to_owned)
            .or_else(|| err.span().and_then(|span| key_holding(&rest, &span)));
        // An unknown key is shown where it is written; anything else where serde says,
        // or at its section.
        let entry = key.as_deref().and_then(|k| rest.iter().find(|(name, _)| name.get_ref() == k));
        let offset = match (named_key(&message), entry, err.span()) {
            (Some(_), Some((name, _)), _) => name.span().start,
            (_, _, Some(span)) => span.start,
            (_, Some((_, value)), None) => value.span().start,
            (_, None, None) => 0,
        };
        let field = key.clone().filter(|k| named_key(&message) != Some(k.as_str()));
        problems.push(Found { field, offset, message });
        match key {
            Some(key) => {
                rest.remove(key.as_str());
                removed.push(key);
            }
            None => break,
        }
    }
    problems.sort_by_key(|p| p.offset);
    Shape { problems, well_formed }
}

/// Reads each item of the array `name` as a `T`, records each that is not one, and leaves
/// in `table` only those that are; returns their indices in the file.
fn each<'de, T: Deserialize<'de>>(
    table: &mut DeTable<'de>,
    name: &str,
    problems: &mut Vec<Found>,
) -> Vec<usize> {
    let Some(items) = table.get_mut(name) else { return Vec::new() };
    let DeValue::Array(list) = items.get_mut() else { return Vec::new() };
    let mut kept = Vec::new();
    let mut survivors = DeArray::new();
    for (i, item) in list.iter().enumerate() {
        match T::deserialize(ValueDeserializer::from(item.clone())) {
            Ok(_) => {
                kept.push(i);
                survivors.push(item.clone());
            }
            Err(err) => {
                let message = err.message().trim().to_owned();
                let key_offset = match (item.get_ref(), named_key(&message)) {
                    (DeValue::Table(t), Some(key)) => {
                        t.iter().find(|(k, _)| k.get_ref() == key).map(|(k, _)| k.span().start)
                    }
                    _ => None,
                };
                let offset = key_offset.or(err.span().map(|s| s.start)).unwrap_or(item.span().start);
                problems.push(Found { field: Some(format!("{name}[{i}]")), offset, message });
            }
        }
    }
    *list = survivors;
    kept
}

/// The key an "unknown field `x`" message names.
fn named_key(message: &str) -> Option<&str> {
    message.starts_with("unknown field").then(|| message.split('`').nth(1)).flatten()
}

/// The top-level key whose value holds the byte range `span`: the one whose value's span
/// contains it, or else (a `[section]`'s span may be its header alone) the last one that
/// starts before it.
fn key_holding(table: &DeTable<'_>, span: &Range<usize>) -> Option<String> {
    let containing = table.iter().find(|(_, v)| v.span().start <= span.start && span.end <= v.span().end);
    containing
        .or_else(|| {
            table.iter().filter(|(_, v)| v.span().start <= span.start).max_by_key(|(_, v)| v.span().start)
        })
        .map(|(key, _)| key.get_ref().to_string())
}
