//! A realistic, repeatable workload: members buying baskets of 1 to 10 lines over several
//! categories, returning some items, and redeeming rewards.

use loyalty_core::event::{
    Enrolment, HoldSpend, Purchase, PurchaseLine, Quantity, Redemption, Return, ReturnLine,
    SubscriptionAction,
};
use loyalty_core::ids::{Category, ExternalId, InstanceCode, OrderId, ReferralCode, RewardCode, Sku};
use loyalty_core::{Event, Timestamp};
use serde_json::{Value, json};

/// What the shop sells: sku, category, price in cents.
const CATALOGUE: [(&str, &str, i64); 12] = [
    ("latte", "coffee", 475),
    ("mocha", "coffee", 525),
    ("espresso", "coffee", 300),
    ("drip", "coffee", 250),
    ("croissant", "pastry", 375),
    ("scone", "pastry", 325),
    ("muffin", "pastry", 350),
    ("mug", "merch", 1500),
    ("beans-1lb", "merch", 1800),
    ("sandwich", "food", 850),
    ("salad", "food", 950),
    ("soup", "food", 600),
];

/// Percent of events that are returns, and redemptions; the rest are purchases.
const RETURNS_PERCENT: u64 = 10;
const REDEMPTIONS_PERCENT: u64 = 10;

#[derive(Debug)]
pub struct Workload {
    pub enrolments: Vec<Event>,
    /// In the order they happen; each member's events keep their order when split up.
    pub events: Vec<(usize, Event)>,
    pub purchases: usize,
    pub returns: usize,
    pub redemptions: usize,
}

/// SplitMix64: small, fast and the same on every machine, so runs are comparable.
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn valid<T, E: std::fmt::Debug>(parsed: Result<T, E>) -> T {
    match parsed {
        Ok(value) => value,
        Err(e) => unreachable!("the workload builds only valid values: {e:?}"),
    }
}

pub fn member(i: usize) -> ExternalId {
    valid(ExternalId::parse(format!("b-{i}")))
}

/// A basket of `lines` lines, as the pure decision benchmark uses.
pub fn basket(lines: usize) -> Vec<PurchaseLine> {
    (0..lines)
        .map(|i| {
            let (sku, category, price) = CATALOGUE[i % CATALOGUE.len()];
            let line = PurchaseLine::parse(
                i + 1,
                valid(Sku::parse(sku)),
                Some(valid(Category::parse(category))),
                1 + (i % 3) as i64,
                price,
            );
            valid(line)
        })
        .collect()
}

/// A member's order as the generator remembers it: its lines as (catalogue item, units
/// bought, units returned).
type OrderBook = (OrderId, Vec<(usize, u32, u32)>);

/// `events` events of `members` members from `start`, one a second; redemptions ask for
/// `rewards` in turn (none if the program has none).
pub fn generate(members: usize, events: usize, start: Timestamp, rewards: &[RewardCode]) -> Workload {
    let mut random = Random(0x5EED);
    let at = |i: usize| Timestamp::from_micros(start.as_micros() + i64::try_from(i).unwrap_or(0) * 1_000_000);
    let enrolments =
        (0..members).map(|m| Event::Enrol(Enrolment::new(member(m), referral_code(m), at(0)))).collect();
    let mut orders: Vec<Vec<OrderBook>> = vec![Vec::new(); members];
    let mut workload =
        Workload { enrolments, events: Vec::with_capacity(events), purchases: 0, returns: 0, redemptions: 0 };
    for i in 0..events {
        let m = random.below(members);
        let roll = random.next() % 100;
        let returnable = orders[m].iter_mut().filter(|(_, lines)| lines.iter().any(|(_, b, r)| r < b)).last();
        let event = match returnable {
            Some((order_id, lines)) if roll < RETURNS_PERCENT => {
                let Some(line) = lines.iter_mut().find(|(_, b, r)| r < b) else { continue };
                line.2 += 1;
                workload.returns += 1;
                Event::Return(Return {
                    member: member(m),
                    order_id: order_id.clone(),
                    occurred_at: at(i + 1),
                    lines: vec![ReturnLine {
                        sku: valid(Sku::parse(CATALOGUE[line.0].0)),
                        quantity: valid(Quantity::parse(1, 1)),
                    }],
                })
            }
            _ if roll < RETURNS_PERCENT + REDEMPTIONS_PERCENT && !rewards.is_empty() => {
                workload.redemptions += 1;
                let reward = rewards[random.below(rewards.len().min(2))].clone();
                Event::Redeem(Redemption {
                    member: member(m),
                    reward,
                    code: valid(InstanceCode::parse(format!("B{i}"))),
                    occurred_at: at(i + 1),
                })
            }
            _ => {
                let order_id = valid(OrderId::parse(format!("bo-{i}")));
                let mut lines = Vec::new();
                let mut record = Vec::new();
                for l in 0..1 + random.below(10) {
                    let item = random.below(CATALOGUE.len());
                    let (sku, category, price) = CATALOGUE[item];
                    let quantity = 1 + random.below(3) as u32;
                    let line = PurchaseLine::parse(
                        l + 1,
                        valid(Sku::parse(sku)),
                        Some(valid(Category::parse(category))),
                        i64::from(quantity),
                        price,
                    );
                    lines.push(valid(line));
                    record.push((item, quantity, 0));
                }
                orders[m].push((order_id.clone(), record));
                workload.purchases += 1;
                Event::Purchase(Purchase {
                    member: member(m),
                    order_id,
                    occurred_at: at(i + 1),
                    lines,
                    reward_code: Some(valid(InstanceCode::parse(format!("P{i}")))),
                })
            }
        };
        workload.events.push((m, event));
    }
    workload
}

/// The POST request that sends `event`: its path and JSON body. `None` for the events
/// that no POST route takes (birthdays, expiry, releases, tier evaluations and inactivity
/// closures come from the job runner, profiles by PATCH, and holds and codes are settled
/// by the ids the server gave them).
pub fn request(event: &Event) -> Option<(String, Value)> {
    Some(match event {
        Event::Purchase(p) => (
            "/v1/events".to_owned(),
            json!({"type": "purchase", "member": p.member, "order_id": p.order_id, "occurred_at": p.occurred_at,
                "lines": p.lines.iter().map(|l| json!({"sku": l.sku, "category": l.category,
                    "quantity": l.quantity, "unit_price_minor": l.unit_price})).collect::<Vec<_>>()}),
        ),
        Event::Return(r) => (
            "/v1/events".to_owned(),
            json!({"type": "return", "member": r.member, "order_id": r.order_id, "occurred_at": r.occurred_at,
                "lines": r.lines.iter().map(|l| json!({"sku": l.sku, "quantity": l.quantity})).collect::<Vec<_>>()}),
        ),
        Event::Redeem(r) => (format!("/v1/members/{}/redemptions", r.member), json!({"reward": r.reward})),
        Event::Enrol(e) => ("/v1/members".to_owned(), json!({"external_id": e.member})),
        Event::Adjust(a) => {
            (format!("/v1/members/{}/adjustments", a.member), json!({"points": a.points, "reason": a.reason}))
        }
        Event::Activity(a) => (
            "/v1/events".to_owned(),
            json!({"type": "activity", "member": a.member, "kind": a.kind, "target": a.target,
                "occurred_at": a.occurred_at}),
        ),
        Event::Refer(r) => (format!("/v1/members/{}/referrer", r.member), json!({"code": r.code})),
        Event::Survey(s) => (
            format!("/v1/members/{}/survey-responses", s.member),
            json!({"survey": s.survey, "score": s.score, "comment": s.comment, "order_id": s.order_id,
                "occurred_at": s.occurred_at}),
        ),
        Event::Review(r) => {
            let decision = if r.release { "release" } else { "void" };
            (format!("/v1/members/{}/review/{decision}", r.member), json!({"reason": r.reason}))
        }
        Event::Subscription(u) => {
            let path = format!("/v1/members/{}/subscription", u.member);
            match &u.action {
                SubscriptionAction::Start { tier } => (path, json!({"tier": tier})),
                SubscriptionAction::Renew => (format!("{path}/renewal"), json!({})),
                SubscriptionAction::PaymentFailed => (format!("{path}/payment-failure"), json!({})),
                SubscriptionAction::Cancel => (format!("{path}/cancellation"), json!({})),
            }
        }
        Event::Status(s) => {
            (format!("/v1/members/{}/status", s.member), json!({"action": s.action, "reason": s.reason}))
        }
        Event::Hold(h) => {
            let mut body = json!({"order_id": h.order_id});
            match &h.spend {
                HoldSpend::Points { points } => body["points"] = json!(points),
                HoldSpend::Reward { reward, .. } => body["reward"] = json!(reward),
                HoldSpend::Payment { amount, basket } => {
                    body["amount_minor"] = json!(amount);
                    body["basket_minor"] = json!(basket);
                }
            }
            (format!("/v1/members/{}/holds", h.member), body)
        }
        // Holds and codes are named by ids the server makes, which a workload cannot know.
        Event::Settle(_)
        | Event::Code(_)
        | Event::Birthday(_)
        | Event::Profile(_)
        | Event::Expire(_)
        | Event::ReleasePending(_)
        | Event::ExpiryNotice(_)
        | Event::TierReview(_)
        | Event::CloseInactive(_) => return None,
    })
}

pub fn referral_code(i: usize) -> ReferralCode {
    valid(ReferralCode::parse(format!("BR{i}")))
}
