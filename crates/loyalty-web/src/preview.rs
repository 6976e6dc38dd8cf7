//! A basket under a program that is not in force: what a new member would earn for it,
//! line by line with the explanation, worked out by `decide` against a ledger in memory.
//! Nothing is written anywhere.

use loyalty_core::event::Enrolment;
use loyalty_core::ids::{ExternalId, ReferralCode};
use loyalty_core::memory::MemoryLedger;
use loyalty_core::{Outcome, Program, Timestamp, decide};
use serde_json::{Value, json};

/// One line of a basket as typed: `sku, quantity, unit price in minor units[, category]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    pub sku: String,
    pub quantity: i64,
    pub unit_price_minor: i64,
    pub category: Option<String>,
}

/// The basket typed one line per item; a line that cannot be read is refused with its
/// number.
pub fn basket(text: &str) -> Result<Vec<Line>, String> {
    text.lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty())
        .map(|(n, line)| {
            let cells: Vec<&str> = line.split(',').map(str::trim).collect();
            let problem = || {
                format!("basket line {}: write `sku, quantity, unit price in minor units[, category]`", n + 1)
            };
            let [sku, quantity, price, rest @ ..] = cells.as_slice() else { return Err(problem()) };
            Ok(Line {
                sku: (*sku).to_owned(),
                quantity: quantity.parse().map_err(|_| problem())?,
                unit_price_minor: price.parse().map_err(|_| problem())?,
                category: rest.first().filter(|c| !c.is_empty()).map(|c| (*c).to_owned()),
            })
        })
        .collect()
}

/// What a member enrolled just now would earn for `lines` under `program` (as version
/// `version`): the API's purchase answer, explanation and all; or why it is refused.
pub fn purchase(program: &Program, version: i64, lines: &[Line], now: Timestamp) -> Result<Value, String> {
    let member = ExternalId::parse("preview-member").map_err(|e| e.to_string())?;
    let code = ReferralCode::parse("REF-PREVIEW").map_err(|e| e.to_string())?;
    let mut ledger = MemoryLedger::new();
    let enrolment = loyalty_core::Event::Enrol(Enrolment::new(member, code, now));
    ledger.submit(program, &enrolment, now).map_err(|r| r.message_for(program))?;
    let body = json!({
        "type": "purchase",
        "member": "preview-member",
        "order_id": "preview",
        "occurred_at": now,
        "lines": lines.iter().map(|l| {
            let mut line = json!({"sku": l.sku, "quantity": l.quantity, "unit_price_minor": l.unit_price_minor});
            if let Some(category) = &l.category {
                line["category"] = json!(category);
            }
            line
        }).collect::<Vec<_>>(),
    });
    let event =
        loyalty_server::decode_event(body.to_string().as_bytes(), now).map_err(|e| e.message().to_owned())?;
    let state = ledger.state_for(program, &event);
    let decision = decide(program, &state, &event, now).map_err(|r| r.message_for(program))?;
    let outcome = Outcome::render(program, version, &state, &event, &decision)
        .ok_or_else(|| "the purchase could not be explained".to_owned())?;
    serde_json::to_value(outcome).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_basket_is_read_one_line_per_item_and_a_bad_line_is_named() {
        let lines = basket("coat, 1, 52000, outerwear\n\n scarf,2,1500\n").unwrap();
        assert_eq!(
            lines,
            vec![
                Line {
                    sku: "coat".into(),
                    quantity: 1,
                    unit_price_minor: 52000,
                    category: Some("outerwear".into())
                },
                Line { sku: "scarf".into(), quantity: 2, unit_price_minor: 1500, category: None },
            ]
        );
        assert_eq!(
            basket("coat, 1, 52000\nscarf, two, 1500").unwrap_err(),
            "basket line 2: write `sku, quantity, unit price in minor units[, category]`"
        );
    }
}
