use super::*;
use crate::Event;
use crate::decision::{Calculation, MemberChange};
use crate::fixtures::*;
use crate::ledger::{Account, EntryKind, MemberAccount, Posting, ProgramAccount};
use crate::lots::LotChange;
use crate::memory::MemoryLedger;
use crate::outcome::Outcome;
use crate::state::MemberState;

const AVAILABLE: Account = Account::Member(MemberAccount::Available);
const ISSUED: Account = Account::Program(ProgramAccount::Issued);

fn postings(pairs: &[(Account, i64)]) -> Vec<Posting> {
    pairs
        .iter()
        .map(|(account, amount)| Posting { account: *account, amount: Points::new(*amount) })
        .collect()
}

/// A ledger with the walkthrough's member enrolled.
fn enrolled(program: &Program) -> MemoryLedger {
    let mut ledger = MemoryLedger::new();
    ledger.submit(program, &enrol("c-1001"), now()).unwrap();
    ledger
}

fn available(ledger: &MemoryLedger) -> i64 {
    ledger.member(&id("c-1001")).unwrap().balance.available.get()
}

fn debt(ledger: &MemoryLedger) -> i64 {
    ledger.member(&id("c-1001")).unwrap().debt.get()
}

#[test]
fn the_walkthrough_order_earns_160_beans_with_an_award_per_line_and_rule() {
    let program = coffee();
    let mut ledger = enrolled(&program);
    let event = walkthrough_order();
    let decision = ledger.submit(&program, &event, now()).unwrap();

    assert_eq!(decision.entries.len(), 1);
    assert_eq!(decision.entries[0].kind(), EntryKind::Purchase);
    assert_eq!(decision.entries[0].postings(), postings(&[(ISSUED, -160), (AVAILABLE, 160)]));
    assert_eq!(available(&ledger), 160);

    let Some(Outcome::Purchase(outcome)) =
        Outcome::render(&program, 1, &MemberState::default(), &event, &decision)
    else {
        panic!("a purchase renders a purchase outcome");
    };
    assert_eq!(outcome.points_awarded, Points::new(160));
    let e = &outcome.explanation;
    assert_eq!(e.subtotal.to_string(), "160");
    assert_eq!(e.lines[0].points.to_string(), "95");
    assert_eq!(e.lines[0].awards.len(), 1);
    assert_eq!(e.lines[0].awards[0].rule, "base");
    assert_eq!(e.lines[0].awards[0].reason, "10 beans per 1.00 USD on 9.50 USD");
    assert_eq!(e.lines[1].points.to_string(), "65");
    let loaf: Vec<_> = e.lines[1].awards.iter().map(|a| (a.rule.as_str(), a.points.to_string())).collect();
    assert_eq!(loaf, vec![("base", "32.5".to_owned()), ("pastry-double", "32.5".to_owned())]);
    assert_eq!(e.lines[1].awards[1].reason, "category pastry earns ×2: 32.5 on top of 32.5 base beans");
    assert_eq!(e.summary, "the lines earn 160 beans in all; rounded once per order (floor): 160 beans");
}

#[test]
fn the_walkthrough_return_redeem_and_refusal_leave_exact_balances() {
    let program = coffee();
    let mut ledger = enrolled(&program);
    ledger.submit(&program, &walkthrough_order(), now()).unwrap();

    let back = ledger.submit(&program, &return_of("o-1", &[("pumpkin-loaf", 1)]), now()).unwrap();
    assert_eq!(back.entries[0].postings(), postings(&[(AVAILABLE, -65), (ISSUED, 65)]));
    assert_eq!(available(&ledger), 95);

    let spend = ledger.submit(&program, &redeem("free-drink"), now()).unwrap();
    assert_eq!(
        spend.entries[0].postings(),
        postings(&[(AVAILABLE, -90), (Account::Program(ProgramAccount::Redeemed), 90)])
    );
    assert_eq!(available(&ledger), 5);

    let refused = ledger.submit(&program, &redeem("free-drink"), now()).unwrap_err();
    assert_eq!(
        refused,
        Rejection::InsufficientPoints { available: Points::new(5), required: Points::new(90) }
    );
    assert_eq!(available(&ledger), 5);
    assert_eq!(ledger.journal().len(), 3);
    ledger.check_invariants().unwrap();
}

#[test]
fn points_are_rounded_once_per_order_as_the_program_says() {
    // 3.33 + 3.35 earn 33.3 + 33.5 = 66.8 beans before rounding.
    let order = || purchase("o-r", vec![line("a", "coffee", 1, 333), line("b", "coffee", 1, 335)]);
    for (rounding, expected) in [("floor", 66), ("ceil", 67), ("half_up", 67)] {
        let program = coffee_with("rounding = \"floor\"", &format!("rounding = \"{rounding}\""));
        let mut ledger = enrolled(&program);
        let d = ledger.submit(&program, &order(), now()).unwrap();
        let Calculation::Purchase(calc) = &d.calculation else { panic!() };
        assert_eq!(calc.subtotal.normalize().to_string(), "66.8");
        assert_eq!(calc.points, Points::new(expected), "{rounding}");
    }
    // Rounding per line would have given 33 + 33 = 66 with half_up; once per order gives 67.
    let program = coffee_with("rounding = \"floor\"", "rounding = \"half_up\"");
    let mut ledger = enrolled(&program);
    let d = ledger
        .submit(
            &program,
            &purchase("o-h", vec![line("a", "coffee", 1, 334), line("b", "coffee", 1, 334)]),
            now(),
        )
        .unwrap();
    let Calculation::Purchase(calc) = &d.calculation else { panic!() };
    assert_eq!(calc.points, Points::new(67));
}

#[test]
fn partial_returns_reverse_exactly_what_the_order_earned_in_total() {
    let program = coffee();
    let mut ledger = enrolled(&program);
    ledger.submit(&program, &walkthrough_order(), now()).unwrap();

    // One latte of two: the order keeps 47.5 + 65 = 112.5, floored to 112, so 48 go back.
    let first = ledger.submit(&program, &return_of("o-1", &[("latte", 1)]), now()).unwrap();
    let Calculation::Return(calc) = &first.calculation else { panic!() };
    assert_eq!((calc.held_before.get(), calc.held_after.get(), calc.reversed.get()), (160, 112, 48));
    assert_eq!(calc.subtotal_after.normalize().to_string(), "112.5");

    let second =
        ledger.submit(&program, &return_of("o-1", &[("latte", 1), ("pumpkin-loaf", 1)]), now()).unwrap();
    let Calculation::Return(calc) = &second.calculation else { panic!() };
    assert_eq!((calc.held_before.get(), calc.held_after.get(), calc.reversed.get()), (112, 0, 112));
    assert_eq!(available(&ledger), 0);
    ledger.check_invariants().unwrap();
}

#[test]
fn returning_more_than_was_bought_is_refused_and_names_the_counts() {
    let program = coffee();
    let mut ledger = enrolled(&program);
    ledger.submit(&program, &walkthrough_order(), now()).unwrap();
    ledger.submit(&program, &return_of("o-1", &[("latte", 1)]), now()).unwrap();

    let err = ledger.submit(&program, &return_of("o-1", &[("latte", 2)]), now()).unwrap_err();
    assert_eq!(
        err,
        Rejection::ReturnExceedsPurchase {
            order_id: "o-1".into(),
            sku: "latte".into(),
            bought: 2,
            returned: 1,
            requested: 2
        }
    );
    let never_bought = ledger.submit(&program, &return_of("o-1", &[("muffin", 1)]), now()).unwrap_err();
    assert_eq!(never_bought.code(), "return_exceeds_purchase");
    assert_eq!(available(&ledger), 112);
}

#[test]
fn a_return_of_spent_points_leaves_a_debt_that_the_next_purchase_repays() {
    let program = coffee();
    let mut ledger = enrolled(&program);
    ledger.submit(&program, &walkthrough_order(), now()).unwrap();
    ledger.submit(&program, &redeem("free-drink"), now()).unwrap();
    assert_eq!(available(&ledger), 70);

    // The lattes earned 95 but only 70 are left: the balance goes to -25.
    let back = ledger.submit(&program, &return_of("o-1", &[("latte", 2)]), now()).unwrap();
    assert_eq!(back.entries[0].postings(), postings(&[(AVAILABLE, -95), (ISSUED, 95)]));
    assert_eq!((available(&ledger), debt(&ledger)), (-25, 25));
    ledger.check_invariants().unwrap();

    let again =
        ledger.submit(&program, &purchase("o-2", vec![line("mocha", "coffee", 1, 500)]), now()).unwrap();
    assert_eq!(again.entries[0].postings(), postings(&[(ISSUED, -50), (AVAILABLE, 50)]));
    let LotChange::Open(lot) = &again.lots[0] else { panic!() };
    assert_eq!((lot.amount.get(), lot.remaining.get()), (50, 25));
    assert_eq!((available(&ledger), debt(&ledger)), (25, 0));
    ledger.check_invariants().unwrap();
}

#[test]
fn a_clamping_program_books_spent_points_to_return_loss() {
    let program = coffee_with("when_points_spent = \"negative_balance\"", "when_points_spent = \"clamp\"");
    let mut ledger = enrolled(&program);
    ledger.submit(&program, &walkthrough_order(), now()).unwrap();
    ledger.submit(&program, &redeem("free-drink"), now()).unwrap();

    let event = return_of("o-1", &[("latte", 2)]);
    let back = ledger.submit(&program, &event, now()).unwrap();
    assert_eq!(
        back.entries[0].postings(),
        postings(&[(AVAILABLE, -70), (ISSUED, 95), (Account::Program(ProgramAccount::ReturnLoss), -25)])
    );
    assert_eq!((available(&ledger), debt(&ledger)), (0, 0));
    let Some(Outcome::Return(outcome)) = Outcome::render(&program, 1, &MemberState::default(), &event, &back)
    else {
        panic!()
    };
    assert_eq!((outcome.points_reversed.get(), outcome.points_unrecovered.get()), (95, 25));
    assert!(outcome.explanation.summary.ends_with("written off"), "{}", outcome.explanation.summary);
    ledger.check_invariants().unwrap();
}

#[test]
fn a_return_takes_back_from_its_own_order_first() {
    let program = coffee();
    let mut state = state(260, vec![lot(7, 100, None), lot(8, 160, Some("o-1"))]);
    state.order = Some(crate::state::OrderRecord {
        order_id: crate::ids::OrderId::parse("o-1").unwrap(),
        member_id: crate::ids::MemberId(1),
        awarded: Points::new(160),
        occurred_at: now(),
        bonuses: Vec::new(),
        lines: vec![crate::state::OrderLineRecord {
            sku: crate::ids::Sku::parse("pumpkin-loaf").unwrap(),
            category: None,
            quantity: 1,
            returned: 0,
            points: rust_decimal::Decimal::from(160),
            unit_price_minor: 325,
            spend_minor: None,
        }],
    });
    let d = decide(&program, &state, &return_of("o-1", &[("pumpkin-loaf", 1)]), now()).unwrap();
    assert_eq!(d.lots, vec![LotChange::Draw { lot: crate::ids::LotId(8), amount: Points::new(160) }]);
}

#[test]
fn adjustments_add_a_lot_or_spend_without_overdrawing() {
    let program = coffee();
    let mut ledger = enrolled(&program);
    let plus = ledger.submit(&program, &adjust(30), now()).unwrap();
    assert_eq!(
        plus.entries[0].postings(),
        postings(&[(Account::Program(ProgramAccount::Adjusted), -30), (AVAILABLE, 30)])
    );
    let minus = ledger.submit(&program, &adjust(-20), now()).unwrap();
    assert_eq!(
        minus.entries[0].postings(),
        postings(&[(AVAILABLE, -20), (Account::Program(ProgramAccount::Adjusted), 20)])
    );
    assert_eq!(available(&ledger), 10);
    let refused = ledger.submit(&program, &adjust(-11), now()).unwrap_err();
    assert_eq!(
        refused,
        Rejection::InsufficientPoints { available: Points::new(10), required: Points::new(11) }
    );
    ledger.check_invariants().unwrap();
}

#[test]
fn lookups_are_refused_with_their_own_codes() {
    let program = coffee();
    let empty = MemberState::default();
    let codes = |state: &MemberState, event| decide(&program, state, &event, now()).unwrap_err().code();
    assert_eq!(codes(&empty, walkthrough_order()), "member_not_found");
    assert_eq!(codes(&empty, redeem("free-drink")), "member_not_found");
    assert_eq!(codes(&state(0, vec![]), enrol("c-1001")), "member_already_exists");
    assert_eq!(codes(&state(500, vec![lot(1, 500, None)]), redeem("yacht")), "reward_not_found");
    assert_eq!(codes(&state(0, vec![]), return_of("o-9", &[("latte", 1)])), "order_not_found");

    let mut ledger = enrolled(&program);
    ledger.submit(&program, &walkthrough_order(), now()).unwrap();
    assert_eq!(
        ledger.submit(&program, &walkthrough_order(), now()).unwrap_err().code(),
        "order_already_recorded"
    );
    ledger.submit(&program, &enrol("c-2002"), now()).unwrap();
    let mut other = ledger.state_for(&program, &return_of("o-1", &[("latte", 1)]));
    let stranger = ledger.member(&id("c-2002")).unwrap().clone();
    other.member = Some(stranger);
    assert_eq!(codes(&other, return_of("o-1", &[("latte", 1)])), "order_belongs_to_another_member");
}

#[test]
fn events_from_the_future_are_refused_beyond_five_minutes_of_skew() {
    let program = coffee();
    let ledger = enrolled(&program);
    let event = walkthrough_order(); // occurred at 09:15
    let state = ledger.state_for(&program, &event);
    assert!(decide(&program, &state, &event, at("2026-11-02T09:10:00Z")).is_ok());
    let err = decide(&program, &state, &event, at("2026-11-02T09:09:59Z")).unwrap_err();
    assert_eq!(err.code(), "occurred_at_in_future");
}

#[test]
fn an_order_that_earns_nothing_is_recorded_without_a_journal_entry() {
    let program = coffee();
    let mut ledger = enrolled(&program);
    let d = ledger.submit(&program, &purchase("o-free", vec![line("water", "", 1, 0)]), now()).unwrap();
    assert!(d.entries.is_empty() && d.lots.is_empty());
    assert!(ledger.order(&crate::ids::OrderId::parse("o-free").unwrap()).is_some());
    assert!(matches!(d.member, MemberChange::Update { .. }));
}

#[test]
fn the_largest_possible_order_is_decided_without_overflow() {
    let program = coffee_with("multiplier = 2", "multiplier = 1000");
    let mut ledger = enrolled(&program);
    let lines = (0..500).map(|_| line("gold", "pastry", 100_000, 1_000_000_000)).collect();
    let err = ledger.submit(&program, &purchase("o-max", lines), now()).unwrap_err();
    assert_eq!(err, Rejection::PointsOverflow);
    assert_eq!(available(&ledger), 0);
}

#[test]
fn a_repeated_order_id_is_judged_before_the_member_lookup() {
    let program = coffee();
    let mut ledger = enrolled(&program);
    ledger.submit(&program, &walkthrough_order(), now()).unwrap();
    let Event::Purchase(mut stranger) = walkthrough_order() else { panic!() };
    stranger.member = id("c-unknown");
    let err = ledger.submit(&program, &Event::Purchase(stranger), now()).unwrap_err();
    assert_eq!(err.code(), "order_already_recorded");
}
