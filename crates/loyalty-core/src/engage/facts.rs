//! What an event adds to (or, for a return, takes from) the counts achievements read, at
//! the instant it counts for: a return counts at its order's time, so that it comes off
//! the period the purchase counted in.

use super::Engagement;
use super::count::Count;
use crate::decision::{Calculation, Decision, OrderChange};
use crate::event::Event;
use crate::state::{MemberState, OrderLineRecord};
use crate::time::Timestamp;
use std::collections::BTreeSet;

/// One change to a count. `item` names the category or the day of a distinct count.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fact {
    pub count: Count,
    pub item: Option<String>,
    pub at: Timestamp,
    pub by: i64,
}

/// The facts of `event`, for the counts the program keeps. Without the decision, the
/// values are 0: enough to know which counters the event touches.
pub fn facts(
    engagement: &Engagement,
    state: &MemberState,
    event: &Event,
    decision: Option<&Decision>,
) -> Vec<Fact> {
    let mut out = Vec::new();
    let earned = decision.and_then(|d| match &d.calculation {
        Calculation::Purchase(c) | Calculation::Activity(c) | Calculation::Birthday(c) => {
            Some(c.points.get())
        }
        Calculation::Return(r) => Some(-r.reversed.get()),
        _ => None,
    });
    let (lines_before, lines_after, at) = match (event, decision.and_then(|d| d.order.as_ref())) {
        (Event::Purchase(p), Some(OrderChange::Record { lines, .. })) => {
            (Vec::new(), lines.clone(), p.occurred_at)
        }
        (Event::Purchase(p), _) => (Vec::new(), purchase_lines(p), p.occurred_at),
        (Event::Return(_), change) => {
            let Some(order) = &state.order else { return out };
            let after = match change {
                Some(OrderChange::Update { lines, .. }) => lines.clone(),
                _ => order
                    .lines
                    .iter()
                    .map(|l| OrderLineRecord { returned: l.quantity, ..l.clone() })
                    .collect(),
            };
            (order.lines.clone(), after, order.occurred_at)
        }
        (Event::Activity(a), _) => {
            let kind = Count::Activity(a.kind.to_string());
            if engagement.tracked.contains_key(&kind) {
                out.push(Fact { count: kind, item: None, at: a.occurred_at, by: 1 });
            }
            push_points(engagement, earned, a.occurred_at, &mut out);
            return out;
        }
        (Event::Birthday(b), _) => {
            push_points(engagement, earned, b.occurred_at, &mut out);
            return out;
        }
        _ => return out,
    };
    let with_values = decision.is_some();
    for count in engagement.tracked.keys() {
        let by = |n: i64| if with_values { n } else { 0 };
        match count {
            Count::Purchases(filter) => {
                let (before, after) = (bought(&lines_before, filter), bought(&lines_after, filter));
                if before != after {
                    out.push(Fact {
                        count: count.clone(),
                        item: None,
                        at,
                        by: by(i64::from(after) - i64::from(before)),
                    });
                }
            }
            Count::Spend(filter) => {
                let spent = |lines: &[OrderLineRecord]| {
                    lines
                        .iter()
                        .filter(|l| matches(l, filter))
                        .map(OrderLineRecord::kept_spend_minor)
                        .sum::<i64>()
                };
                out.push(Fact {
                    count: count.clone(),
                    item: None,
                    at,
                    by: by(spent(&lines_after) - spent(&lines_before)),
                });
            }
            Count::Categories => {
                let categories: BTreeSet<&str> = lines_before
                    .iter()
                    .chain(&lines_after)
                    .filter_map(|l| l.category.as_ref())
                    .map(|c| c.as_str())
                    .collect();
                for category in categories {
                    let filter = Some(category.to_owned());
                    let (before, after) = (bought(&lines_before, &filter), bought(&lines_after, &filter));
                    if before != after {
                        let item = Some(category.to_owned());
                        out.push(Fact {
                            count: Count::Categories,
                            item,
                            at,
                            by: by(i64::from(after) - i64::from(before)),
                        });
                    }
                }
            }
            Count::Visits => {
                let (before, after) = (bought(&lines_before, &None), bought(&lines_after, &None));
                if before != after {
                    out.push(Fact {
                        count: Count::Visits,
                        item: None,
                        at,
                        by: by(i64::from(after) - i64::from(before)),
                    });
                }
            }
            Count::Points | Count::Activity(_) | Count::Referrals | Count::Streak(_) => {}
        }
    }
    push_points(engagement, earned, at, &mut out);
    out
}

fn push_points(engagement: &Engagement, earned: Option<i64>, at: Timestamp, out: &mut Vec<Fact>) {
    if engagement.tracked.contains_key(&Count::Points) {
        out.push(Fact { count: Count::Points, item: None, at, by: earned.unwrap_or(0) });
    }
}

/// A purchase's lines as its order will record them, for the counters it touches.
fn purchase_lines(p: &crate::event::Purchase) -> Vec<OrderLineRecord> {
    p.lines
        .iter()
        .map(|l| OrderLineRecord {
            sku: l.sku.clone(),
            category: l.category.clone(),
            quantity: l.quantity.get(),
            returned: 0,
            points: rust_decimal::Decimal::ZERO,
            unit_price_minor: l.unit_price.get(),
            spend_minor: None,
        })
        .collect()
}

fn matches(line: &OrderLineRecord, filter: &Option<String>) -> bool {
    match filter {
        None => true,
        Some(f) => line.sku.as_str() == f || line.category.as_ref().is_some_and(|c| c.as_str() == f),
    }
}

/// Whether the order keeps a unit of a line matching `filter`.
fn bought(lines: &[OrderLineRecord], filter: &Option<String>) -> bool {
    lines.iter().any(|l| l.returned < l.quantity && matches(l, filter))
}
