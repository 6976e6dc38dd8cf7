//! Event rows: purchases and returns, one row a line (consecutive rows of one type and
//! `order_id` are one order), and adjustments, one row each.

use super::rows::{Row, Source};
use super::{Failure, Importer, Landed, Problem, Stopped, field, fingerprint};
use loyalty_core::event::{
    Adjustment, Purchase, PurchaseLine, Quantity, Return, ReturnLine, check_line_count,
};
use loyalty_core::ids::{Category, ExternalId, OrderId, Reason, Sku};
use loyalty_core::{Event, Rejection, Timestamp};
use serde::Serialize;

const EVENT_TYPES: &str = "`purchase`, `return` or `adjustment`";

/// An event row, read and checked.
#[derive(Debug)]
enum Parsed {
    Line(Head, Line),
    Adjust(Adjustment),
}

/// What every row of one order says alike.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
struct Head {
    member: ExternalId,
    order_id: OrderId,
    occurred_at: Timestamp,
}

#[derive(Debug, Serialize)]
#[serde(untagged)]
enum Line {
    Purchase(PurchaseLine),
    Return(ReturnLine),
}

fn occurred_at(row: &Row) -> Result<Timestamp, Problem> {
    Timestamp::parse_rfc3339(row.required_text("occurred_at")?)
        .map_err(|e| Problem::invalid(format!("occurred_at: {e}")))
}

/// A rejection of one line, without the line number the core puts first: here the row
/// number says where it is.
fn line_problem(rejection: Rejection) -> Problem {
    let problem = Problem::from(rejection);
    match problem.message.strip_prefix("line 1: ") {
        Some(rest) => Problem::new(problem.code, rest),
        None => problem,
    }
}

fn read(row: &Row) -> Result<Parsed, Problem> {
    if let Some(problem) = row.problem() {
        return Err(problem.clone());
    }
    let kind = row.required_text("type")?;
    if !matches!(kind, "purchase" | "return" | "adjustment") {
        return Err(Problem::invalid(format!("type: `{kind}` is not an event type; use {EVENT_TYPES}")));
    }
    let member = field("member", ExternalId::parse(row.required_text("member")?))?;
    let occurred_at = occurred_at(row)?;
    if kind == "adjustment" {
        row.absent(
            &["order_id", "sku", "category", "quantity", "unit_price_minor"],
            "an adjustment row has only member, occurred_at, points and reason",
        )?;
        let points = Adjustment::parse_points(row.required_int("points")?)?;
        let reason = field("reason", Reason::parse(row.required_text("reason")?))?;
        return Ok(Parsed::Adjust(Adjustment { member, points, reason, occurred_at }));
    }
    row.absent(&["points", "reason"], "only adjustment rows have points and a reason")?;
    let order_id = field("order_id", OrderId::parse(row.required_text("order_id")?))?;
    let sku = field("sku", Sku::parse(row.required_text("sku")?))?;
    let quantity = row.required_int("quantity")?;
    let line = if kind == "purchase" {
        let category = row.text("category")?.map(|c| field("category", Category::parse(c))).transpose()?;
        let unit_price_minor = row.required_int("unit_price_minor")?;
        Line::Purchase(
            PurchaseLine::parse(1, sku, category, quantity, unit_price_minor).map_err(line_problem)?,
        )
    } else {
        row.absent(
            &["category", "unit_price_minor"],
            "a return row has only sku and quantity: its points come back as the order earned them",
        )?;
        Line::Return(ReturnLine { sku, quantity: Quantity::parse(1, quantity).map_err(line_problem)? })
    };
    Ok(Parsed::Line(Head { member, order_id, occurred_at }, line))
}

/// What puts a row in one order with its neighbours, if it has it: the type and order id,
/// and for a return its time too, as an order may be returned bit by bit.
fn order_key(row: &Row) -> Option<(String, String, String)> {
    let kind = row.text("type").ok()??;
    let order_id = row.text("order_id").ok()??;
    let when = match kind {
        "purchase" => "",
        "return" => row.text("occurred_at").ok()??,
        _ => return None,
    };
    Some((kind.to_owned(), order_id.to_owned(), when.to_owned()))
}

pub(crate) async fn import(importer: &mut Importer<'_>, source: &mut Source) -> Result<(), Stopped> {
    let mut group: Vec<Row> = Vec::new();
    let mut key = None;
    loop {
        let row = source.next_row().map_err(|e| (source.next_number(), Failure::Input(e)))?;
        let row_key = row.as_ref().and_then(order_key);
        if !group.is_empty() && (row.is_none() || row_key.is_none() || row_key != key) {
            flush(importer, &group, key.as_ref().map(|(_, order, _)| order.as_str())).await?;
            group.clear();
            importer.advance(source.position());
        }
        let Some(row) = row else { return Ok(()) };
        key = row_key;
        group.push(row);
    }
}

/// Imports one order (or one other row) and counts or refuses its rows.
async fn flush(importer: &mut Importer<'_>, rows: &[Row], order_id: Option<&str>) -> Result<(), Stopped> {
    let first = rows.first().map_or(0, |r| r.number);
    match apply(importer, rows, order_id).await.map_err(|e| (first, e))? {
        Ok(landed) => importer.landed(rows.len(), landed),
        Err(problems) => {
            for (row, problem) in rows.iter().zip(problems) {
                importer.refuse(row.number, &problem)?;
            }
        }
    }
    Ok(())
}

/// One command for the rows; `Err` has a problem for each row.
async fn apply(
    importer: &Importer<'_>,
    rows: &[Row],
    order_id: Option<&str>,
) -> Result<Result<Landed, Vec<Problem>>, Failure> {
    let mut parsed = Vec::with_capacity(rows.len());
    let mut bad = Vec::new();
    for (i, row) in rows.iter().enumerate() {
        match read(row) {
            Ok(p) => parsed.push(p),
            Err(problem) => bad.push((i, problem)),
        }
    }
    if !bad.is_empty() {
        return Ok(Err(refuse_order(rows, bad, order_id)));
    }
    let mut head = None;
    let mut lines = Vec::with_capacity(parsed.len());
    for (i, p) in parsed.into_iter().enumerate() {
        match p {
            Parsed::Adjust(adjustment) => {
                return adjust(importer, adjustment).await.map(|r| r.map_err(|p| vec![p]));
            }
            Parsed::Line(this, line) => {
                let first = head.get_or_insert_with(|| this.clone());
                for (name, same) in [
                    ("member", first.member == this.member),
                    ("occurred_at", first.occurred_at == this.occurred_at),
                ] {
                    if !same {
                        let problem = Problem::invalid(format!(
                            "{name}: not the same as on row {}, the order's first row",
                            rows[0].number
                        ));
                        bad.push((i, problem));
                    }
                }
                lines.push(line);
            }
        }
    }
    if !bad.is_empty() {
        return Ok(Err(refuse_order(rows, bad, order_id)));
    }
    let Some(head) = head else { return Ok(Err(Vec::new())) };
    if let Err(rejection) = check_line_count(lines.len()) {
        return Ok(Err(vec![rejection.into(); rows.len()]));
    }
    let is_purchase = matches!(lines.first(), Some(Line::Purchase(_)));
    let digest =
        fingerprint(&(if is_purchase { "import_purchase" } else { "import_return" }, &head, &lines))?;
    let order = head.order_id.as_str().to_owned();
    let (event, key) = if is_purchase {
        let reward_code = loyalty_server::secrets::new_reward_code()
            .map_err(|_| Failure::Internal("cannot make a reward code"))?;
        let lines = lines.into_iter().filter_map(|l| if let Line::Purchase(l) = l { Some(l) } else { None });
        let purchase = Purchase {
            member: head.member,
            order_id: head.order_id,
            occurred_at: head.occurred_at,
            lines: lines.collect(),
            reward_code: Some(reward_code),
        };
        (Event::Purchase(purchase), format!("import:order:{order}"))
    } else {
        let lines = lines.into_iter().filter_map(|l| if let Line::Return(l) = l { Some(l) } else { None });
        let refund = Return {
            member: head.member,
            order_id: head.order_id,
            occurred_at: head.occurred_at,
            lines: lines.collect(),
        };
        (Event::Return(refund), format!("import:return:{order}:{}", &digest[..16]))
    };
    Ok(importer.submit(event, &key, digest).await?.map_err(|problem| vec![problem; rows.len()]))
}

async fn adjust(importer: &Importer<'_>, adjustment: Adjustment) -> Result<Result<Landed, Problem>, Failure> {
    let digest = fingerprint(&("import_adjustment", &adjustment))?;
    let key = format!("import:adjust:{}", &digest[..16]);
    importer.submit(Event::Adjust(adjustment), &key, digest).await
}

/// The problems of an order some of whose rows are bad: each bad row its own, each other
/// row the first bad row's.
fn refuse_order(rows: &[Row], bad: Vec<(usize, Problem)>, order_id: Option<&str>) -> Vec<Problem> {
    let Some((first_bad, cause)) = bad.first().cloned() else { return Vec::new() };
    let mut problems: Vec<Option<Problem>> = vec![None; rows.len()];
    for (i, problem) in bad {
        problems[i].get_or_insert(problem);
    }
    let order = order_id.unwrap_or_default();
    let number = rows[first_bad].number;
    problems
        .into_iter()
        .map(|p| {
            p.unwrap_or_else(|| {
                Problem::new(
                    cause.code,
                    format!("order {order} is refused for its row {number}: {}", cause.message),
                )
            })
        })
        .collect()
}
