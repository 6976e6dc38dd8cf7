//! Shared builders for the core's unit tests.

use crate::event::{
    Adjustment, Enrolment, Event, Purchase, PurchaseLine, Quantity, Redemption, Return, ReturnLine,
};
use crate::ids::{
    Category, ExternalId, InstanceCode, LotId, MemberId, OrderId, Reason, ReferralCode, RewardCode, Sku,
};
use crate::points::Points;
use crate::program::{Program, ProgramDef};
use crate::state::{Balance, Lot, LotSource, Member, MemberState, MemberStatus, Profile};
use crate::time::Timestamp;

pub const COFFEE: &str = include_str!("../../../examples/programs/coffee.toml");

pub fn coffee() -> Program {
    program(COFFEE)
}

pub fn program(toml_text: &str) -> Program {
    let def: ProgramDef = toml::from_str(toml_text).unwrap();
    Program::from_def(def).unwrap()
}

/// The coffee program with one setting replaced, e.g. `("rounding = \"floor\"", "rounding = \"ceil\"")`.
pub fn coffee_with(from: &str, to: &str) -> Program {
    assert!(COFFEE.contains(from), "coffee.toml has no `{from}`");
    program(&COFFEE.replace(from, to))
}

pub fn at(text: &str) -> Timestamp {
    Timestamp::parse_rfc3339(text).unwrap()
}

pub fn now() -> Timestamp {
    at("2026-11-02T12:00:00Z")
}

pub fn id(text: &str) -> ExternalId {
    ExternalId::parse(text).unwrap()
}

pub fn member(available: i64, debt: i64) -> Member {
    Member {
        id: MemberId(1),
        external_id: id("c-1001"),
        status: MemberStatus::Active,
        balance: Balance { available: Points::new(available), ..Balance::default() },
        debt: Points::new(debt),
        profile: Profile::default(),
        referral_code: ReferralCode::parse("REF-1").unwrap(),
        referred_by: None,
        enrolled_at: at("2026-11-01T08:00:00Z"),
        last_activity_at: at("2026-11-01T08:00:00Z"),
        standing: Default::default(),
    }
}

pub fn state(available: i64, lots: Vec<Lot>) -> MemberState {
    MemberState { member: Some(member(available, 0)), lots, ..MemberState::default() }
}

pub fn lot(id: i64, remaining: i64, order: Option<&str>) -> Lot {
    Lot {
        id: LotId(id),
        amount: Points::new(remaining),
        remaining: Points::new(remaining),
        earned_at: at("2026-11-01T10:00:00Z"),
        expires_at: None,
        order_id: order.map(|o| OrderId::parse(o).unwrap()),
        source: LotSource::Purchase,
        in_review: false,
        pending_until: None,
    }
}

/// A purchase line: (sku, category, quantity, unit price in minor units).
pub fn line(sku: &str, category: &str, quantity: i64, unit_price_minor: i64) -> PurchaseLine {
    let category = (!category.is_empty()).then(|| Category::parse(category).unwrap());
    PurchaseLine::parse(1, Sku::parse(sku).unwrap(), category, quantity, unit_price_minor).unwrap()
}

pub fn purchase(order: &str, lines: Vec<PurchaseLine>) -> Event {
    Event::Purchase(Purchase {
        member: id("c-1001"),
        order_id: OrderId::parse(order).unwrap(),
        occurred_at: at("2026-11-02T09:15:00Z"),
        lines,
        reward_code: Some(InstanceCode::parse("PUNCH-1").unwrap()),
    })
}

/// The walkthrough's order: 2 lattes and a pumpkin loaf.
pub fn walkthrough_order() -> Event {
    purchase("o-1", vec![line("latte", "coffee", 2, 475), line("pumpkin-loaf", "pastry", 1, 325)])
}

pub fn return_of(order: &str, lines: &[(&str, i64)]) -> Event {
    Event::Return(Return {
        member: id("c-1001"),
        order_id: OrderId::parse(order).unwrap(),
        occurred_at: at("2026-11-02T10:00:00Z"),
        lines: lines
            .iter()
            .map(|(sku, q)| ReturnLine {
                sku: Sku::parse(*sku).unwrap(),
                quantity: Quantity::parse(1, *q).unwrap(),
            })
            .collect(),
    })
}

pub fn redeem(reward: &str) -> Event {
    Event::Redeem(Redemption {
        member: id("c-1001"),
        reward: RewardCode::parse(reward).unwrap(),
        code: InstanceCode::parse("CODE-0001").unwrap(),
        occurred_at: at("2026-11-02T11:00:00Z"),
    })
}

pub fn adjust(points: i64) -> Event {
    Event::Adjust(Adjustment {
        member: id("c-1001"),
        points: Adjustment::parse_points(points).unwrap(),
        reason: Reason::parse("goodwill").unwrap(),
        occurred_at: at("2026-11-02T11:30:00Z"),
    })
}

pub fn enrol(external_id: &str) -> Event {
    Event::Enrol(Enrolment::new(
        id(external_id),
        ReferralCode::parse(format!("REF-{external_id}")).unwrap(),
        at("2026-11-01T08:00:00Z"),
    ))
}
