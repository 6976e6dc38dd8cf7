//! The store's contract, run on each backend: what `Store` promises, checked through the
//! trait and, where it matters, by looking at the rows themselves.

#![allow(clippy::unwrap_used)]

mod commands;
mod keys;
mod liability;
mod programs;
mod properties;
mod verify;
mod webhooks;

use loyalty_core::event::{Adjustment, Enrolment, Purchase, PurchaseLine, Redemption};
use loyalty_core::ids::{
    Category, ExternalId, IdempotencyKey, InstanceCode, OrderId, Reason, ReferralCode, RewardCode, Sku,
};
use loyalty_core::{Event, Timestamp};
use loyalty_store::{Command, LoadedProgram, SqlStore, Store};
pub use loyalty_testkit::{TestDb, at, coffee};

pub fn now() -> Timestamp {
    at("2026-11-02T12:00:00Z")
}

pub async fn installed(store: &SqlStore) -> LoadedProgram {
    let program = coffee();
    let done = store.install_program(program.definition(), now()).await.unwrap();
    LoadedProgram::installed(done, program)
}

pub fn member(id: &str) -> ExternalId {
    ExternalId::parse(id).unwrap()
}

pub fn command(event: Event, key: Option<&str>) -> Command {
    Command {
        fingerprint: format!("{event:?}"),
        event,
        idempotency_key: key.map(|k| IdempotencyKey::parse(k).unwrap()),
        now: now(),
        recorded_segment: None,
    }
}

pub fn enrol(id: &str) -> Event {
    Event::Enrol(Enrolment::new(member(id), ReferralCode::parse(format!("R-{id}")).unwrap(), now()))
}

/// An order of `quantity` lattes at 4.75 (47.5 beans each).
pub fn buy(id: &str, order: &str, quantity: i64) -> Event {
    let line = PurchaseLine::parse(
        1,
        Sku::parse("latte").unwrap(),
        Some(Category::parse("coffee").unwrap()),
        quantity,
        475,
    )
    .unwrap();
    Event::Purchase(Purchase {
        member: member(id),
        order_id: OrderId::parse(order).unwrap(),
        occurred_at: at("2026-11-02T09:15:00Z"),
        lines: vec![line],
        reward_code: Some(InstanceCode::parse(format!("P-{order}")).unwrap()),
    })
}

pub fn redeem(id: &str, reward: &str, code: &str) -> Event {
    Event::Redeem(Redemption {
        member: member(id),
        reward: RewardCode::parse(reward).unwrap(),
        code: InstanceCode::parse(code).unwrap(),
        occurred_at: now(),
    })
}

pub fn adjust(id: &str, points: i64) -> Event {
    Event::Adjust(Adjustment {
        member: member(id),
        points: Adjustment::parse_points(points).unwrap(),
        reason: Reason::parse("test").unwrap(),
        occurred_at: now(),
    })
}
