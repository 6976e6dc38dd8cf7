//! Each earning rule and limit, and what time does to the points (expiry, pending), on
//! exact numbers: the points a member ends with, and every entry of the explanation that
//! says why. Events run through the in-memory ledger, which
//! loads for each event what a store would (windows, counters, the referrer).

#![allow(clippy::unwrap_used)]

mod activities;
mod campaigns;
mod expiry;
mod lifecycle;
mod limits;
mod order_bonuses;
mod pending;
mod products;
mod punch_card;
mod referrals;
mod spend_threshold;
mod spending;
mod tiers;
mod welcome_and_birthday;

use loyalty_core::event::{
    Activity, Adjustment, Birthday, Enrolment, ExpiryNotice, JobTick, ProfileChanges, ProfileUpdate,
    Purchase, PurchaseLine, Quantity, Referral, Return, ReturnLine, ReviewDecision,
};
use loyalty_core::ids::{
    ActivityKind, ActivityTarget, Category, ExternalId, InstanceCode, OrderId, Reason, ReferralCode, Sku,
    Tag, TierCode,
};
use loyalty_core::ledger::{Account, EntryKind};
use loyalty_core::memory::MemoryLedger;
use loyalty_core::outcome::{AwardExplanation, Explanation};
use loyalty_core::points::Points;
use loyalty_core::program::ProgramDef;
use loyalty_core::state::Balance;
use loyalty_core::state::Lot;
use loyalty_core::{Event, Outcome, Program, Rejection, Timestamp};

/// What every test program starts with: a US shop in New York time, rounding down.
const HEADER: &str = r#"
id = "shop"
name = "Test Shop"
currency = "USD"
time_zone = "America/New_York"
points_name = "points"
rounding = "floor"
"#;

/// A program made of `HEADER` and `rules` (TOML), with a ledger to run events through.
#[derive(Debug)]
pub struct Shop {
    pub program: Program,
    pub ledger: MemoryLedger,
    /// Numbers the reward codes of punch cards.
    codes: usize,
}

pub fn at(text: &str) -> Timestamp {
    Timestamp::parse_rfc3339(text).unwrap()
}

pub fn program(rules: &str) -> Program {
    let def: ProgramDef = toml::from_str(&format!("{HEADER}\n{rules}")).unwrap();
    Program::from_def(def).unwrap()
}

/// Why `rules` is not a valid program.
pub fn invalid(rules: &str) -> String {
    let def: ProgramDef = toml::from_str(&format!("{HEADER}\n{rules}")).unwrap();
    Program::from_def(def).unwrap_err().to_string()
}

fn external(who: &str) -> ExternalId {
    ExternalId::parse(who).unwrap()
}

/// The referral code a member enrolled by `Shop::enrol` shares.
pub fn code_of(who: &str) -> String {
    format!("REF-{who}")
}

/// A purchase line: (sku, category or "", quantity, unit price in minor units).
pub fn line(sku: &str, category: &str, quantity: i64, unit_price_minor: i64) -> PurchaseLine {
    let category = (!category.is_empty()).then(|| Category::parse(category).unwrap());
    PurchaseLine::parse(1, Sku::parse(sku).unwrap(), category, quantity, unit_price_minor).unwrap()
}

/// Every award of an explanation, lines first, as (rule, points, reason).
pub fn awards(e: &Explanation) -> Vec<(String, String, String)> {
    let all = e.lines.iter().flat_map(|l| l.awards.iter()).chain(e.awards.iter());
    all.map(|a: &AwardExplanation| (a.rule.clone(), a.points.normalize().to_string(), a.reason.clone()))
        .collect()
}

pub fn triple(rule: &str, points: &str, reason: &str) -> (String, String, String) {
    (rule.to_owned(), points.to_owned(), reason.to_owned())
}

impl Shop {
    pub fn new(rules: &str) -> Shop {
        Shop { program: program(rules), ledger: MemoryLedger::new(), codes: 0 }
    }

    /// Runs `event` as the store would: decide against what it loads, apply, render.
    pub fn run(&mut self, event: Event) -> Result<Outcome, Rejection> {
        let state = self.ledger.state_for(&self.program, &event);
        let decision = self.ledger.submit(&self.program, &event, event.occurred_at())?;
        Ok(Outcome::render(&self.program, 1, &state, &event, &decision).unwrap())
    }

    pub fn enrol_with(&mut self, who: &str, at_text: &str, edit: impl FnOnce(&mut Enrolment)) -> Outcome {
        self.try_enrol_with(who, at_text, edit).unwrap()
    }

    pub fn try_enrol_with(
        &mut self,
        who: &str,
        at_text: &str,
        edit: impl FnOnce(&mut Enrolment),
    ) -> Result<Outcome, Rejection> {
        let mut enrolment =
            Enrolment::new(external(who), ReferralCode::parse(code_of(who)).unwrap(), at(at_text));
        edit(&mut enrolment);
        self.run(Event::Enrol(enrolment))
    }

    pub fn enrol(&mut self, who: &str) -> Outcome {
        self.enrol_with(who, "2026-01-01T12:00:00Z", |_| {})
    }

    /// A purchase, refused or accepted; its explanation when accepted.
    pub fn try_buy(
        &mut self,
        who: &str,
        order: &str,
        at_text: &str,
        lines: Vec<PurchaseLine>,
    ) -> Result<Earned, Rejection> {
        self.codes += 1;
        let event = Event::Purchase(Purchase {
            member: external(who),
            order_id: OrderId::parse(order).unwrap(),
            occurred_at: at(at_text),
            lines,
            reward_code: Some(InstanceCode::parse(format!("PUNCH-{}", self.codes)).unwrap()),
        });
        match self.run(event)? {
            Outcome::Purchase(p) => Ok(Earned {
                points: p.points_awarded.get(),
                balance: p.balance,
                reward: p.reward.map(|r| r.reward.to_string()),
                explanation: p.explanation,
            }),
            other => panic!("a purchase rendered {other:?}"),
        }
    }

    pub fn buy(&mut self, who: &str, order: &str, at_text: &str, lines: Vec<PurchaseLine>) -> Earned {
        self.try_buy(who, order, at_text, lines).unwrap()
    }

    pub fn try_activity(
        &mut self,
        who: &str,
        kind: &str,
        target: Option<&str>,
        at_text: &str,
    ) -> Result<Earned, Rejection> {
        let event = Event::Activity(Activity {
            member: external(who),
            kind: ActivityKind::parse(kind).unwrap(),
            target: target.map(|t| ActivityTarget::parse(t).unwrap()),
            occurred_at: at(at_text),
            reward_code: None,
        });
        self.earning(event)
    }

    pub fn activity(&mut self, who: &str, kind: &str, target: Option<&str>, at_text: &str) -> Earned {
        self.try_activity(who, kind, target, at_text).unwrap()
    }

    pub fn try_birthday(&mut self, who: &str, at_text: &str) -> Result<Earned, Rejection> {
        self.earning(Event::Birthday(Birthday {
            member: external(who),
            occurred_at: at(at_text),
            reward_code: None,
        }))
    }

    fn earning(&mut self, event: Event) -> Result<Earned, Rejection> {
        match self.run(event)? {
            Outcome::Earning(e) => Ok(Earned {
                points: e.points_awarded.get(),
                balance: e.balance,
                reward: None,
                explanation: e.explanation,
            }),
            other => panic!("an earning rendered {other:?}"),
        }
    }

    pub fn try_refer(&mut self, who: &str, code: &str, at_text: &str) -> Result<Outcome, Rejection> {
        self.run(Event::Refer(Referral {
            member: external(who),
            code: ReferralCode::parse(code).unwrap(),
            occurred_at: at(at_text),
        }))
    }

    /// Puts a member in `tier` and gives them `tags`.
    pub fn profile(&mut self, who: &str, tier: Option<&str>, tags: &[&str]) {
        let changes = ProfileChanges {
            tier: tier.map(|t| TierCode::parse(t).unwrap()),
            tags: Some(tags.iter().map(|t| Tag::parse(*t).unwrap()).collect()),
            ..ProfileChanges::default()
        };
        self.run(Event::Profile(ProfileUpdate {
            member: external(who),
            changes,
            occurred_at: at("2026-01-01T12:00:00Z"),
        }))
        .unwrap();
    }

    pub fn review(&mut self, who: &str, release: bool, at_text: &str) -> Result<Outcome, Rejection> {
        self.run(Event::Review(ReviewDecision {
            member: external(who),
            release,
            reason: Reason::parse("checked").unwrap(),
            occurred_at: at(at_text),
        }))
    }

    /// Spends `points` by hand (as a redemption would: first-to-expire first).
    pub fn spend(&mut self, who: &str, points: i64, at_text: &str) -> Result<Outcome, Rejection> {
        self.run(Event::Adjust(Adjustment {
            member: external(who),
            points: Points::new(-points),
            reason: Reason::parse("spent").unwrap(),
            occurred_at: at(at_text),
        }))
    }

    /// Returns `quantity` units of `sku` from `order`.
    pub fn give_back(&mut self, who: &str, order: &str, sku: &str, quantity: i64, at_text: &str) -> Outcome {
        self.run(Event::Return(Return {
            member: external(who),
            order_id: OrderId::parse(order).unwrap(),
            occurred_at: at(at_text),
            lines: vec![ReturnLine {
                sku: Sku::parse(sku).unwrap(),
                quantity: Quantity::parse(1, quantity).unwrap(),
            }],
        }))
        .unwrap()
    }

    /// The expiry job's tick for one member.
    pub fn expire(&mut self, who: &str, at_text: &str) -> Result<Outcome, Rejection> {
        self.run(Event::Expire(JobTick { member: external(who), occurred_at: at(at_text) }))
    }

    /// The pending-release job's tick for one member.
    pub fn release(&mut self, who: &str, at_text: &str) -> Result<Outcome, Rejection> {
        self.run(Event::ReleasePending(JobTick { member: external(who), occurred_at: at(at_text) }))
    }

    pub fn notice(&mut self, who: &str, expires_at: &str, at_text: &str) -> Result<Outcome, Rejection> {
        self.run(Event::ExpiryNotice(ExpiryNotice {
            member: external(who),
            expires_at: at(expires_at),
            occurred_at: at(at_text),
        }))
    }

    /// The member's lots, oldest first, as (amount, remaining, expires_at, pending_until).
    pub fn lots(&self, who: &str) -> Vec<(i64, i64, Option<String>, Option<String>)> {
        let member = self.ledger.member(&external(who)).unwrap().id;
        let show = |t: Option<Timestamp>| t.map(|t| t.to_string());
        self.ledger
            .lots_of(member)
            .map(|l: &Lot| (l.amount.get(), l.remaining.get(), show(l.expires_at), show(l.pending_until)))
            .collect()
    }

    /// The member's last journal entry: its kind and postings as (account, amount).
    pub fn last_entry(&self, who: &str) -> (EntryKind, Vec<(String, i64)>) {
        let member = self.ledger.member(&external(who)).unwrap().id;
        let row = self.ledger.journal().iter().rev().find(|r| r.member == member).unwrap();
        let postings = row.postings.iter().map(|p| (Account::name(p.account).to_owned(), p.amount.get()));
        (row.kind, postings.collect())
    }

    pub fn balance(&self, who: &str) -> Balance {
        self.ledger.member(&external(who)).unwrap().balance
    }

    pub fn available(&self, who: &str) -> i64 {
        self.balance(who).available.get()
    }
}

/// What an accepted earning event gave.
#[derive(Debug)]
pub struct Earned {
    pub points: i64,
    pub balance: Balance,
    pub reward: Option<String>,
    pub explanation: Explanation,
}

impl Earned {
    pub fn awards(&self) -> Vec<(String, String, String)> {
        awards(&self.explanation)
    }
}
