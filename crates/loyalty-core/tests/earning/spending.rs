//! Spending: each kind of reward, the catalogue's stock, limits and windows, what happens
//! to issued codes (use, gift card draws, cancel, expiry), checkout holds of points, of a
//! reward and of a payment, and the points of a returned order paid with points.

use super::*;
use loyalty_core::decision::Calculation;
use loyalty_core::event::{
    CodeAction as C, CodeUpdate, HoldRequest, HoldSettlement, HoldSpend, Redemption, SettleAction as S,
    StatusAction, StatusChange,
};
use loyalty_core::ids::{HoldId, RewardCode};
use loyalty_core::money::MinorUnits;
use loyalty_core::outcome::{CodeOutcome, HoldOutcome, HoldView, RedemptionOutcome};
use loyalty_core::program::RewardKind;
use loyalty_core::spending::{HoldRecord, HoldState, RewardInstance};
use loyalty_core::state::LotSource;

/// A point per dollar, points that live 12 months, and a catalogue of every kind of
/// reward; `redemption` is the `[redemption]` section, `archived` archives `old`.
fn rules(redemption: &str, archived: bool) -> String {
    format!(
        r#"
rewards = [
  {{ code = "tee", name = "A tee", sku = "tee", points_cost = 100, stock = 2 }},
  {{ code = "ten-off", name = "10.00 off", kind = "discount", amount_minor = 1000, points_cost = 200, code_valid_days = 30 }},
  {{ code = "gift", name = "Gift card", kind = "gift_card", value_minor = 5000, points_cost = 500, code_valid_days = 365 }},
  {{ code = "coffee", name = "A drink", kind = "free_item", category = "drinks", points_cost = 50, limit = {{ count = 1, period = "year" }} }},
  {{ code = "daily", name = "A treat", points_cost = 10, limit = {{ count = 1, period = "day" }} }},
  {{ code = "trees", name = "Plant trees", kind = "donation", charity = "Plant a Tree", points_cost = 300 }},
  {{ code = "xmas", name = "A mug", points_cost = 10, starts = "2026-12-01T00:00", ends = "2026-12-26T00:00" }},
  {{ code = "old", name = "Old mug", points_cost = 10, archived = {archived} }},
]

[[earning]]
id = "base"
kind = "base_rate"
points_per_unit = 1

[expiry]
policy = "months_after_earning"
months = 12

[redemption]
{redemption}
"#
    )
}

/// Members `m` and `n`, each given `points` on 1 February 2026.
fn shop_with(redemption: &str, points: i64) -> Shop {
    let mut shop = Shop::new(&rules(redemption, false));
    for who in ["m", "n"] {
        shop.enrol(who);
        grant(&mut shop, who, points, "2026-02-01T15:00:00Z");
    }
    shop
}

fn shop(points: i64) -> Shop {
    shop_with("", points)
}

/// A point pays a cent, in steps of 100 points, at least 500 and at most half a basket.
const PAY: &str = r#"
point_value = { points = 100, minor = 100 }
pay_with_points = { min_points = 500, max_share = "0.5", step = 100 }
"#;

/// 10:00 in New York on 2 March 2026, and a quarter of an hour later.
const T: &str = "2026-03-02T15:00:00Z";
const T15: &str = "2026-03-02T15:15:00Z";
/// When lots granted on 1 February 2026 expire.
const FEB_LOT: Option<&str> = Some("2027-02-01T15:00:00Z");

const AVAILABLE: &str = "member:available";
const HELD: &str = "member:held";
const REDEEMED: &str = "program:redeemed";

type Res<T> = Result<T, Rejection>;

fn grant(shop: &mut Shop, who: &str, points: i64, at_text: &str) {
    let reason = Reason::parse("gift").unwrap();
    let adjustment =
        Adjustment { member: external(who), points: Points::new(points), reason, occurred_at: at(at_text) };
    shop.run(Event::Adjust(adjustment)).unwrap();
}

/// Runs `event`, whose outcome must be the `kind` of outcome.
macro_rules! outcome {
    ($shop:expr, $event:expr, $kind:path) => {
        match $shop.run($event)? {
            $kind(outcome) => Ok(outcome),
            other => panic!("{other:?}"),
        }
    };
}

fn redeem(shop: &mut Shop, who: &str, reward: &str, code: &str, at_text: &str) -> Res<RedemptionOutcome> {
    let (reward, code) = (RewardCode::parse(reward).unwrap(), InstanceCode::parse(code).unwrap());
    let redemption = Redemption { member: external(who), reward, code, occurred_at: at(at_text) };
    outcome!(shop, Event::Redeem(redemption), Outcome::Redemption)
}

fn code(shop: &mut Shop, who: &str, code: &str, action: C, at_text: &str) -> Res<CodeOutcome> {
    let code = InstanceCode::parse(code).unwrap();
    let update = CodeUpdate { member: external(who), code, action, occurred_at: at(at_text) };
    outcome!(shop, Event::Code(update), Outcome::Code)
}

/// Opens hold `id` for order `o-{id}`.
fn hold(shop: &mut Shop, who: &str, id: &str, spend: HoldSpend, at_text: &str) -> Res<HoldOutcome> {
    let (hold_id, order_id) = (HoldId::parse(id).unwrap(), OrderId::parse(format!("o-{id}")).unwrap());
    let request = HoldRequest { member: external(who), hold_id, order_id, spend, occurred_at: at(at_text) };
    outcome!(shop, Event::Hold(request), Outcome::Hold)
}

fn settle(shop: &mut Shop, who: &str, id: &str, action: S, at_text: &str) -> Res<HoldOutcome> {
    let hold_id = HoldId::parse(id).unwrap();
    let settlement = HoldSettlement { member: external(who), hold_id, action, occurred_at: at(at_text) };
    outcome!(shop, Event::Settle(settlement), Outcome::Hold)
}

/// The code of a refusal.
fn no<T: std::fmt::Debug>(result: Res<T>) -> &'static str {
    result.unwrap_err().code()
}

/// A refusal as `code: message`.
fn why<T: std::fmt::Debug>(result: Res<T>) -> String {
    let refusal = result.unwrap_err();
    format!("{}: {refusal}", refusal.code())
}

fn points(n: i64) -> HoldSpend {
    HoldSpend::Points { points: Points::new(n) }
}

fn reward(reward: &str, code: &str) -> HoldSpend {
    HoldSpend::Reward { reward: RewardCode::parse(reward).unwrap(), code: InstanceCode::parse(code).unwrap() }
}

fn pay(amount: i64, basket: Option<i64>) -> HoldSpend {
    HoldSpend::Payment { amount: MinorUnits::new(amount), basket: basket.map(MinorUnits::new) }
}

fn use_on(order: &str) -> C {
    C::Use { order_id: OrderId::parse(order).unwrap() }
}

fn draw(order: &str, amount: i64) -> C {
    C::Draw { order_id: OrderId::parse(order).unwrap(), amount: MinorUnits::new(amount) }
}

fn stored_code(shop: &Shop, code: &str) -> RewardInstance {
    shop.ledger.rewards().iter().map(|(_, r)| r).find(|r| r.code.as_str() == code).unwrap().clone()
}

fn hold_record(shop: &Shop, id: &str) -> HoldRecord {
    shop.ledger.holds().iter().map(|(_, h)| h).find(|h| h.hold_id.as_str() == id).unwrap().clone()
}

/// How many of `reward` are out (its stock counter).
fn issued(shop: &Shop, reward: &str) -> i64 {
    shop.ledger.snapshot().counters.get(&format!("reward:{reward}:issued")).copied().unwrap_or(0)
}

/// (available, held)
fn held(balance: Balance) -> (i64, i64) {
    (balance.available.get(), balance.held.get())
}

fn lot(amount: i64, remaining: i64, expires_at: Option<&str>) -> (i64, i64, Option<String>, Option<String>) {
    (amount, remaining, expires_at.map(str::to_owned), None)
}

/// A journal entry that moves `n` points from one account to another.
fn moved(kind: EntryKind, from: &str, to: &str, n: i64) -> (EntryKind, Vec<(String, i64)>) {
    (kind, vec![(from.to_owned(), -n), (to.to_owned(), n)])
}

/// The member's last `n` journal entries, oldest first.
fn last_entries(shop: &Shop, who: &str, n: usize) -> Vec<(EntryKind, Vec<(String, i64)>)> {
    let member = shop.ledger.member(&external(who)).unwrap().id;
    let rows: Vec<_> = shop.ledger.journal().iter().filter(|r| r.member == member).collect();
    let postings = |r: &loyalty_core::memory::JournalRow| {
        r.postings.iter().map(|p| (Account::name(p.account).to_owned(), p.amount.get())).collect()
    };
    rows[rows.len() - n..].iter().map(|r| (r.kind, postings(r))).collect()
}

/// An issued code: `reward kind state points`, then a gift card's `balance/value`, the
/// order it was used on, a donation's charity and when it expires, where it has them.
fn shown(i: &RewardInstance) -> String {
    let mut text = format!("{} {} {} {}", i.reward, i.kind.as_str(), i.state.as_str(), i.points);
    if let (Some(value), Some(balance)) = (i.value_minor, i.balance_minor) {
        text += &format!(" {balance}/{value}");
    }
    let parts = [(" on ", i.order_id.as_ref().map(ToString::to_string)), (" to ", i.charity.clone())];
    for (word, part) in parts.into_iter().chain([(" until ", i.expires_at.map(|e| e.to_string()))]) {
        if let Some(part) = part {
            text += &format!("{word}{part}");
        }
    }
    text
}

/// A hold: `state points`, what it is for, and when it was opened and runs out.
fn shown_hold(h: &HoldView) -> String {
    let what = match (&h.reward, h.amount_minor) {
        (Some(r), _) => format!(" for {} as {}", r.reward, r.code),
        (None, Some(amount)) => format!(" paying {amount}"),
        (None, None) => String::new(),
    };
    let (state, points, order) = (h.state.as_str(), h.points, &h.order_id);
    format!("{state} {points} on {order}{what} from {} to {}", h.created_at, h.expires_at)
}

#[test]
fn each_kind_of_reward_is_issued_with_what_it_gives() {
    let mut shop = shop(2000);
    let tee = redeem(&mut shop, "m", "tee", "C-1", T).unwrap();
    assert_eq!(
        (tee.kind, tee.points_spent.get(), held(tee.balance)),
        (Some(RewardKind::Product), 100, (1900, 0))
    );
    assert_eq!(shop.last_entry("m"), moved(EntryKind::Redemption, AVAILABLE, REDEEMED, 100));
    assert_eq!(shown(&stored_code(&shop, "C-1")), "tee product issued 100");

    // Valid 30 days: to the same wall-clock time, 10:00, in summer time by then.
    assert_eq!(redeem(&mut shop, "m", "ten-off", "C-2", T).unwrap().kind, Some(RewardKind::Discount));
    assert_eq!(shown(&stored_code(&shop, "C-2")), "ten-off discount issued 200 until 2026-04-01T14:00:00Z");
    assert_eq!(redeem(&mut shop, "m", "coffee", "C-3", T).unwrap().kind, Some(RewardKind::FreeItem));
    assert_eq!(shown(&stored_code(&shop, "C-3")), "coffee free_item issued 50");
    let card = redeem(&mut shop, "m", "gift", "G-1", T).unwrap();
    assert_eq!(
        (card.kind, card.balance_minor, card.state.as_str()),
        (Some(RewardKind::GiftCard), Some(5000), "issued")
    );
    assert_eq!(
        shown(&stored_code(&shop, "G-1")),
        "gift gift_card issued 500 5000/5000 until 2027-03-02T15:00:00Z"
    );

    // A donation is given at once: its receipt is born used, its points go to the charity.
    let gift = redeem(&mut shop, "m", "trees", "D-1", T).unwrap();
    assert_eq!(
        (gift.kind, gift.state.as_str(), gift.balance.available.get()),
        (Some(RewardKind::Donation), "used", 850)
    );
    assert_eq!(gift.charity.as_deref(), Some("Plant a Tree"));
    assert_eq!(shop.last_entry("m"), moved(EntryKind::Donation, AVAILABLE, "program:donated", 300));
    assert_eq!(shown(&stored_code(&shop, "D-1")), "trees donation used 300 to Plant a Tree");
    assert_eq!(
        why(code(&mut shop, "m", "D-1", C::Cancel, T15)),
        "reward_already_used: reward code D-1 was already used (order none)"
    );

    // All of it came from the one lot.
    assert_eq!(shop.lots("m"), vec![lot(2000, 850, FEB_LOT)]);
    redeem(&mut shop, "m", "gift", "G-2", T15).unwrap();
    let short = redeem(&mut shop, "m", "gift", "G-3", T15);
    assert_eq!(why(short), "insufficient_points: 500 points are needed but only 350 are available");
    assert_eq!((shop.available("m"), shop.ledger.rewards().len()), (350, 6));
    shop.ledger.check_invariants().unwrap();
}

#[test]
fn stock_runs_out_and_a_cancellation_gives_back_the_stock_and_the_points() {
    let mut shop = shop(1000);
    redeem(&mut shop, "m", "tee", "C-1", T).unwrap();
    redeem(&mut shop, "n", "tee", "C-2", T).unwrap();
    assert_eq!(issued(&shop, "tee"), 2);
    assert_eq!(
        why(redeem(&mut shop, "m", "tee", "C-3", T)),
        "reward_out_of_stock: reward tee is out of stock"
    );
    assert_eq!(shop.available("m"), 900);

    // n gives theirs back: the points return as a new lot that lives as new points do.
    let back = code(&mut shop, "n", "C-2", C::Cancel, "2026-03-03T15:00:00Z").unwrap();
    assert_eq!(
        (shown(&back.instance), back.points_refunded.get(), held(back.balance)),
        ("tee product cancelled 100".into(), 100, (1000, 0))
    );
    assert_eq!(shop.last_entry("n"), moved(EntryKind::Refund, REDEEMED, AVAILABLE, 100));
    assert_eq!(shop.lots("n"), vec![lot(1000, 900, FEB_LOT), lot(100, 100, Some("2027-03-03T15:00:00Z"))]);
    let n = shop.ledger.member(&external("n")).unwrap().id;
    assert_eq!(shop.ledger.lots_of(n).last().unwrap().source, LotSource::Refund);
    assert_eq!(issued(&shop, "tee"), 1);
    assert_eq!(no(code(&mut shop, "n", "C-2", C::Cancel, T15)), "reward_cancelled");
    assert_eq!(no(code(&mut shop, "n", "C-2", use_on("o-1"), T15)), "reward_cancelled");

    // The stock given back is m's to take.
    assert_eq!(redeem(&mut shop, "m", "tee", "C-3", T15).unwrap().balance.available.get(), 800);
    assert_eq!(issued(&shop, "tee"), 2);
    shop.ledger.check_invariants().unwrap();
}

#[test]
fn a_limited_reward_is_taken_once_a_year_and_a_cancellation_frees_that_year() {
    let mut shop = shop(1000);
    redeem(&mut shop, "m", "coffee", "C-1", T).unwrap();
    // 23:00 on New Year's Eve in New York is still 2026.
    let again = redeem(&mut shop, "m", "coffee", "C-2", "2027-01-01T04:00:00Z");
    assert_eq!(
        why(again),
        "reward_limit_reached: reward coffee may be redeemed 1 time(s) per year, and this member has reached that"
    );
    // Another member has a count of their own.
    redeem(&mut shop, "n", "coffee", "C-3", "2027-01-01T04:00:00Z").unwrap();
    // Midnight in New York: 2027.
    redeem(&mut shop, "m", "coffee", "C-4", "2027-01-01T05:00:00Z").unwrap();
    assert_eq!(no(redeem(&mut shop, "m", "coffee", "C-5", "2027-06-01T15:00:00Z")), "reward_limit_reached");
    // Giving back the one of 2026 frees 2026, not 2027.
    code(&mut shop, "m", "C-1", C::Cancel, "2027-01-02T15:00:00Z").unwrap();
    assert_eq!(no(redeem(&mut shop, "m", "coffee", "C-6", "2027-06-01T15:00:00Z")), "reward_limit_reached");
    redeem(&mut shop, "m", "coffee", "C-7", "2026-12-31T15:00:00Z").unwrap();
    assert_eq!(shop.available("m"), 900);
    let counters: Vec<_> = shop.ledger.snapshot().members["m"].counters.clone().into_iter().collect();
    assert_eq!(counters, vec![("reward:coffee:2026".to_owned(), 1), ("reward:coffee:2027".to_owned(), 1)]);
    shop.ledger.check_invariants().unwrap();
}

#[test]
fn a_reward_is_refused_outside_its_window_and_once_archived_but_its_codes_stay_good() {
    let mut shop = shop(1000);
    // From midnight 1 December to midnight 26 December, New York time.
    assert_eq!(
        why(redeem(&mut shop, "m", "xmas", "X-1", "2026-12-01T04:59:59Z")),
        "reward_not_active: reward xmas can be redeemed from 2026-12-01T05:00:00Z until 2026-12-26T05:00:00Z, not now"
    );
    redeem(&mut shop, "m", "xmas", "X-1", "2026-12-01T05:00:00Z").unwrap();
    redeem(&mut shop, "m", "xmas", "X-2", "2026-12-26T04:59:59Z").unwrap();
    assert_eq!(no(redeem(&mut shop, "m", "xmas", "X-3", "2026-12-26T05:00:00Z")), "reward_not_active");
    assert_eq!(shop.available("m"), 980);

    redeem(&mut shop, "m", "old", "O-1", T).unwrap();
    shop.program = program(&rules("", true));
    let archived = redeem(&mut shop, "m", "old", "O-2", T15);
    assert_eq!(why(archived), "reward_archived: reward old is archived and can no longer be redeemed");
    assert_eq!(no(hold(&mut shop, "m", "H-1", reward("old", "O-3"), T15)), "reward_archived");
    // A code issued before the archiving is still accepted.
    let used = code(&mut shop, "m", "O-1", use_on("o-7"), T15).unwrap();
    assert_eq!((shown(&used.instance), held(used.balance)), ("old product used 10 on o-7".into(), (970, 0)));
    shop.ledger.check_invariants().unwrap();
}

#[test]
fn a_code_expires_after_its_valid_days_giving_back_its_points_only_if_the_program_says_so() {
    for refund in [false, true] {
        let mut shop = shop_with(if refund { "refund_expired_codes = true" } else { "" }, 1000);
        redeem(&mut shop, "m", "ten-off", "C-1", T).unwrap();
        let entries = shop.ledger.journal().len();
        // Valid for 30 days: until 10:00 (summer time) on 1 April.
        let early = code(&mut shop, "m", "C-1", C::Expire, "2026-04-01T13:59:59Z");
        assert_eq!(why(early), "nothing_due: m has no reward code expiry due by 2026-04-01T13:59:59Z");
        let late = code(&mut shop, "m", "C-1", use_on("o-1"), "2026-04-01T14:00:00Z");
        assert_eq!(why(late), "reward_expired: reward code C-1 expired at 2026-04-01T14:00:00Z");

        let expired = code(&mut shop, "m", "C-1", C::Expire, "2026-04-01T14:00:00Z").unwrap();
        assert_eq!(shown(&expired.instance), "ten-off discount expired 200 until 2026-04-01T14:00:00Z");
        if refund {
            assert_eq!((expired.points_refunded.get(), expired.balance.available.get()), (200, 1000));
            assert_eq!(shop.last_entry("m"), moved(EntryKind::Refund, REDEEMED, AVAILABLE, 200));
            assert_eq!(
                shop.lots("m"),
                vec![lot(1000, 800, FEB_LOT), lot(200, 200, Some("2027-04-01T14:00:00Z"))]
            );
        } else {
            assert_eq!((expired.points_refunded.get(), expired.balance.available.get()), (0, 800));
            assert_eq!(
                (shop.ledger.journal().len(), shop.lots("m")),
                (entries, vec![lot(1000, 800, FEB_LOT)])
            );
        }
        assert_eq!(no(code(&mut shop, "m", "C-1", C::Expire, "2026-04-02T14:00:00Z")), "nothing_due");
        assert_eq!(no(code(&mut shop, "m", "C-1", C::Cancel, "2026-04-02T14:00:00Z")), "reward_expired");
        // A code without valid days never expires.
        redeem(&mut shop, "m", "tee", "C-2", T).unwrap();
        assert_eq!(no(code(&mut shop, "m", "C-2", C::Expire, "2036-01-01T00:00:00Z")), "nothing_due");
        shop.ledger.check_invariants().unwrap();
    }
}

#[test]
fn a_code_is_used_once_and_cannot_be_cancelled_after() {
    let mut shop = shop(1000);
    redeem(&mut shop, "m", "tee", "C-1", T).unwrap();
    redeem(&mut shop, "m", "ten-off", "C-2", T).unwrap();
    assert_eq!(no(code(&mut shop, "m", "C-2", draw("o-1", 100), T15)), "not_a_gift_card");
    assert_eq!(no(code(&mut shop, "n", "C-1", use_on("o-1"), T15)), "reward_code_not_found");
    assert_eq!(no(code(&mut shop, "m", "NOPE", use_on("o-1"), T15)), "reward_code_not_found");

    let used = code(&mut shop, "m", "C-1", use_on("o-9"), T15).unwrap();
    assert_eq!(
        (shown(&used.instance), used.points_refunded.get(), held(used.balance)),
        ("tee product used 100 on o-9".into(), 0, (700, 0))
    );
    let twice = code(&mut shop, "m", "C-1", use_on("o-10"), T15);
    assert_eq!(why(twice), "reward_already_used: reward code C-1 was already used (order o-9)");
    assert_eq!(no(code(&mut shop, "m", "C-1", C::Cancel, T15)), "reward_already_used");
    assert_eq!(no(code(&mut shop, "m", "C-1", C::Expire, T15)), "nothing_due");
    assert_eq!((shop.available("m"), issued(&shop, "tee")), (700, 1));
    shop.ledger.check_invariants().unwrap();
}

#[test]
fn a_gift_card_is_drawn_on_down_to_zero_and_cannot_be_cancelled_once_drawn_on() {
    let mut shop = shop(1000);
    redeem(&mut shop, "m", "gift", "G-1", T).unwrap();
    redeem(&mut shop, "m", "gift", "G-2", T).unwrap();
    let entries = shop.ledger.journal().len();
    assert_eq!(
        why(code(&mut shop, "m", "G-1", use_on("o-1"), T15)),
        "gift_card_needs_amount: reward code G-1 is a gift card: draw an amount from it instead"
    );
    assert_eq!(no(code(&mut shop, "m", "G-1", draw("o-1", 0), T15)), "amount_must_be_positive");
    let until = " until 2027-03-02T15:00:00Z";
    let part = code(&mut shop, "m", "G-1", draw("o-1", 2000), T15).unwrap();
    assert_eq!(shown(&part.instance), format!("gift gift_card issued 500 3000/5000 on o-1{until}"));
    assert_eq!(
        why(code(&mut shop, "m", "G-1", C::Cancel, T15)),
        "gift_card_partly_used: gift card G-1 was partly spent and can no longer be cancelled"
    );
    assert_eq!(
        why(code(&mut shop, "m", "G-1", draw("o-2", 3001), T15)),
        "gift_card_insufficient_balance: gift card G-1 has 3000 left, less than the 3001 asked for"
    );
    let rest = code(&mut shop, "m", "G-1", draw("o-2", 3000), T15).unwrap();
    assert_eq!(shown(&rest.instance), format!("gift gift_card used 500 0/5000 on o-2{until}"));
    // An emptied card is `used`; a draw on it is one beyond its balance (issue 15, item 25).
    assert_eq!(
        why(code(&mut shop, "m", "G-1", draw("o-3", 1), T15)),
        "gift_card_insufficient_balance: gift card G-1 has 0 left, less than the 1 asked for"
    );
    // Draws move money, not points.
    assert_eq!((shop.ledger.journal().len(), shop.available("m")), (entries, 0));

    // A card not drawn on may still be given back whole.
    let back = code(&mut shop, "m", "G-2", C::Cancel, T15).unwrap();
    assert_eq!(shown(&back.instance), format!("gift gift_card cancelled 500 5000/5000{until}"));
    assert_eq!((back.points_refunded.get(), held(back.balance)), (500, (500, 0)));
    shop.ledger.check_invariants().unwrap();
}

#[test]
fn an_expiring_gift_card_gives_back_no_more_than_its_unspent_share() {
    let mut shop = shop_with("refund_expired_codes = true", 500);
    redeem(&mut shop, "m", "gift", "G-1", T).unwrap();
    code(&mut shop, "m", "G-1", draw("o-1", 2000), T15).unwrap();
    // 20.00 of the 50.00 was spent: at most the 3/5 left (300 points) may come back.
    let expired = code(&mut shop, "m", "G-1", C::Expire, "2027-03-02T15:00:00Z").unwrap();
    assert_eq!((expired.points_refunded.get(), expired.balance.available.get()), (300, 300));
    shop.ledger.check_invariants().unwrap();
}

#[test]
fn a_hold_of_points_reserves_them_and_a_capture_spends_them() {
    let mut shop = shop(1000);
    assert_eq!(no(hold(&mut shop, "m", "H-0", points(0), T)), "invalid_request");
    assert_eq!(no(hold(&mut shop, "m", "H-0", points(1001), T)), "insufficient_points");

    // Fifteen minutes by default.
    let open = hold(&mut shop, "m", "H-1", points(300), T).unwrap();
    assert_eq!(shown_hold(&open.hold), format!("open 300 on o-H-1 from {T} to {T15}"));
    assert_eq!((held(open.balance), held(shop.balance("m"))), ((700, 300), (700, 300)));
    assert_eq!(shop.last_entry("m"), moved(EntryKind::Hold, AVAILABLE, HELD, 300));
    assert_eq!(shop.lots("m"), vec![lot(1000, 700, FEB_LOT)]);
    // Held points cannot be spent again.
    assert_eq!(no(hold(&mut shop, "m", "H-2", points(701), T)), "insufficient_points");
    assert_eq!(redeem(&mut shop, "m", "gift", "G-1", T).unwrap().balance.available.get(), 200);

    let captured = settle(&mut shop, "m", "H-1", S::Capture, "2026-03-02T15:14:59Z").unwrap();
    assert_eq!(shown_hold(&captured.hold), format!("captured 300 on o-H-1 from {T} to {T15}"));
    assert_eq!((captured.issued, held(captured.balance)), (None, (200, 0)));
    assert_eq!(shop.last_entry("m"), moved(EntryKind::Redemption, HELD, REDEEMED, 300));
    assert_eq!(
        why(settle(&mut shop, "m", "H-1", S::Capture, T)),
        "hold_not_open: hold H-1 is captured, no longer open"
    );
    assert_eq!(no(settle(&mut shop, "m", "H-1", S::Release, T15)), "hold_not_open");
    assert_eq!(no(settle(&mut shop, "m", "H-9", S::Release, T15)), "hold_not_found");
    // Another member's hold is not found either.
    assert_eq!(no(settle(&mut shop, "n", "H-1", S::Release, T15)), "hold_not_found");
    assert_eq!(held(shop.balance("m")), (200, 0));
    shop.ledger.check_invariants().unwrap();
}

#[test]
fn a_released_or_expired_hold_puts_the_points_back_in_the_lots_they_came_from() {
    let mut shop = shop(100);
    grant(&mut shop, "m", 500, "2026-03-01T15:00:00Z");
    let march = Some("2027-03-01T15:00:00Z");
    hold(&mut shop, "m", "H-1", points(300), T).unwrap();
    // First to expire first: all of the February lot, then 200 of the March one.
    assert_eq!(shop.lots("m"), vec![lot(100, 0, FEB_LOT), lot(500, 300, march)]);
    let released = settle(&mut shop, "m", "H-1", S::Release, "2026-03-02T15:05:00Z").unwrap();
    assert_eq!((released.hold.state, held(released.balance)), (HoldState::Released, (600, 0)));
    assert_eq!(shop.last_entry("m"), moved(EntryKind::HoldRelease, HELD, AVAILABLE, 300));
    assert_eq!(shop.lots("m"), vec![lot(100, 100, FEB_LOT), lot(500, 500, march)]);

    // The job's expiry comes once the hold's time is up, and a capture then is too late.
    hold(&mut shop, "m", "H-2", points(150), T).unwrap();
    let early = settle(&mut shop, "m", "H-2", S::Expire, "2026-03-02T15:14:59Z");
    assert_eq!(why(early), "nothing_due: m has no hold expiry due by 2026-03-02T15:14:59Z");
    assert_eq!(
        why(settle(&mut shop, "m", "H-2", S::Capture, T15)),
        "hold_expired: hold H-2 expired at 2026-03-02T15:15:00Z; its points are being released"
    );
    let expired = settle(&mut shop, "m", "H-2", S::Expire, T15).unwrap();
    assert_eq!((expired.hold.state, held(expired.balance)), (HoldState::Expired, (600, 0)));
    assert_eq!(shop.last_entry("m"), moved(EntryKind::HoldRelease, HELD, AVAILABLE, 150));
    assert_eq!(no(settle(&mut shop, "m", "H-2", S::Capture, T15)), "hold_not_open");
    assert_eq!(shop.lots("m"), vec![lot(100, 100, FEB_LOT), lot(500, 500, march)]);
    shop.ledger.check_invariants().unwrap();
}

#[test]
fn points_of_a_held_lot_that_expired_meanwhile_expire_when_the_hold_is_released() {
    let mut shop = Shop::new(&rules("hold_minutes = 10080", false));
    shop.enrol("m");
    grant(&mut shop, "m", 100, "2026-01-10T15:00:00Z");
    grant(&mut shop, "m", 500, "2026-06-01T14:00:00Z");
    // A week's hold from 8 January 2027; the first lot expires on the 10th.
    let open = hold(&mut shop, "m", "H-1", points(300), "2027-01-08T15:00:00Z").unwrap();
    assert_eq!(open.hold.expires_at.to_string(), "2027-01-15T15:00:00Z");
    let draws: Vec<_> = hold_record(&shop, "H-1").draws.iter().map(|d| d.points.get()).collect();
    assert_eq!(draws, vec![100, 200]);
    // What is held is not the expiry job's to take.
    assert_eq!(no(shop.expire("m", "2027-01-11T15:00:00Z")), "nothing_due");
    let released = settle(&mut shop, "m", "H-1", S::Release, "2027-01-12T15:00:00Z").unwrap();
    assert_eq!(held(released.balance), (500, 0));
    let expired = moved(EntryKind::Expiry, HELD, "program:expired", 100);
    assert_eq!(
        last_entries(&shop, "m", 2),
        vec![moved(EntryKind::HoldRelease, HELD, AVAILABLE, 200), expired]
    );
    assert_eq!(
        shop.lots("m"),
        vec![lot(100, 0, Some("2027-01-10T15:00:00Z")), lot(500, 500, Some("2027-06-01T14:00:00Z"))]
    );
    shop.ledger.check_invariants().unwrap();
}

#[test]
fn a_hold_of_a_reward_takes_the_stock_at_once_and_issues_the_code_at_capture() {
    let mut shop = shop(1000);
    let open = hold(&mut shop, "m", "H-1", reward("tee", "C-1"), T).unwrap();
    assert_eq!(shown_hold(&open.hold), format!("open 100 on o-H-1 for tee as C-1 from {T} to {T15}"));
    assert_eq!((open.issued, held(open.balance)), (None, (900, 100)));
    hold(&mut shop, "m", "H-2", reward("tee", "C-2"), T).unwrap();
    assert_eq!((issued(&shop, "tee"), shop.ledger.rewards().len()), (2, 0));
    assert_eq!(no(redeem(&mut shop, "n", "tee", "C-3", T)), "reward_out_of_stock");
    assert_eq!(no(hold(&mut shop, "n", "H-3", reward("tee", "C-3"), T)), "reward_out_of_stock");

    // A release gives the stock back.
    settle(&mut shop, "m", "H-1", S::Release, "2026-03-02T15:05:00Z").unwrap();
    assert_eq!((issued(&shop, "tee"), held(shop.balance("m"))), (1, (900, 100)));
    redeem(&mut shop, "n", "tee", "C-3", "2026-03-02T15:06:00Z").unwrap();
    assert_eq!(issued(&shop, "tee"), 2);

    let captured = settle(&mut shop, "m", "H-2", S::Capture, "2026-03-02T15:10:00Z").unwrap();
    let code = captured.issued.unwrap();
    assert_eq!(
        (shown(&code), code.code.as_str(), code.issued_at.to_string()),
        // Dated when the hold took the reward, whose stock and limit counted then.
        ("tee product issued 100".into(), "C-2", "2026-03-02T15:00:00Z".into())
    );
    assert_eq!((held(captured.balance), issued(&shop, "tee")), ((900, 0), 2));
    assert_eq!(shop.last_entry("m"), moved(EntryKind::Redemption, HELD, REDEEMED, 100));
    let codes: Vec<_> = shop.ledger.rewards().iter().map(|(_, r)| r.code.to_string()).collect();
    assert_eq!(codes, vec!["C-3", "C-2"]);

    assert_eq!(
        why(hold(&mut shop, "m", "H-4", reward("trees", "D-1"), T15)),
        "donation_not_held: reward trees is a donation, given at once; it cannot be held"
    );
    shop.ledger.check_invariants().unwrap();
}

#[test]
fn cancelling_a_code_captured_after_midnight_gives_back_the_day_its_hold_counted_in() {
    let mut shop = shop(1000);
    // Held at 23:50 on 1 March in New York, captured at 00:01 on 2 March, then given back.
    hold(&mut shop, "m", "H-1", reward("daily", "D-1"), "2026-03-02T04:50:00Z").unwrap();
    settle(&mut shop, "m", "H-1", S::Capture, "2026-03-02T05:01:00Z").unwrap();
    code(&mut shop, "m", "D-1", C::Cancel, "2026-03-02T06:00:00Z").unwrap();
    let counters: Vec<_> = shop.ledger.snapshot().members["m"].counters.clone().into_iter().collect();
    assert_eq!(counters, vec![]);
    // One a day on 2 March, as on any day.
    redeem(&mut shop, "m", "daily", "D-2", T).unwrap();
    assert_eq!(no(redeem(&mut shop, "m", "daily", "D-3", T15)), "reward_limit_reached");
    shop.ledger.check_invariants().unwrap();
}

#[test]
fn points_pay_part_of_a_basket_in_steps_above_a_minimum_and_up_to_a_share() {
    let mut shop = shop_with(PAY, 10_000);
    let mut refused = |spend: HoldSpend| why(hold(&mut shop, "m", "H-1", spend, T));
    assert_eq!(
        refused(pay(1050, Some(10_000))),
        "amount_not_payable_in_points: 1050 minor units is not a whole number of payment steps of 100 points (100)"
    );
    assert_eq!(
        refused(pay(400, Some(10_000))),
        "payment_below_minimum: a payment with points must use at least 500 points, not 400"
    );
    assert_eq!(
        refused(pay(5100, Some(10_000))),
        "payment_exceeds_share: points may pay at most 5000 of this basket of 10000, not 5100"
    );
    assert!(refused(pay(1000, None)).starts_with("basket_required: "));
    assert!(refused(pay(0, Some(10_000))).starts_with("amount_must_be_positive: "));
    assert!(refused(pay(12_000, Some(30_000))).starts_with("insufficient_points: "));
    assert_eq!(shop.ledger.journal().len(), 2);

    let paid = hold(&mut shop, "m", "H-1", pay(5000, Some(10_000)), T).unwrap();
    assert_eq!(
        (shown_hold(&paid.hold), held(paid.balance)),
        (format!("open 5000 on o-H-1 paying 5000 from {T} to {T15}"), (5000, 5000))
    );
    let captured = settle(&mut shop, "m", "H-1", S::Capture, T).unwrap();
    assert_eq!((captured.hold.state, held(captured.balance)), (HoldState::Captured, (5000, 0)));
    assert_eq!(shop.last_entry("m"), moved(EntryKind::Redemption, HELD, REDEEMED, 5000));

    // With no rules, any whole number of points up to the basket; a point is a tenth of a cent here.
    let mut loose = shop_with("point_value = { points = 10, minor = 1 }", 10_000);
    assert_eq!(hold(&mut loose, "m", "H-1", pay(250, None), T).unwrap().hold.points.get(), 2500);
    assert_eq!(no(hold(&mut loose, "m", "H-2", pay(251, Some(250)), T)), "payment_exceeds_share");
    let mut none = shop_with("", 10_000);
    assert_eq!(no(hold(&mut none, "m", "H-1", pay(1000, Some(10_000)), T)), "pay_with_points_not_offered");
    for s in [shop, loose, none] {
        s.ledger.check_invariants().unwrap();
    }
}

#[test]
fn a_return_gives_back_the_points_that_paid_for_the_returned_part_of_the_order() {
    let mut shop = shop_with(PAY, 10_000);
    // 40.00 of an order of two tees at 50.00 paid with points, the rest with money: the
    // 60.00 paid in money earns.
    hold(&mut shop, "m", "H-1", pay(4000, Some(10_000)), T).unwrap();
    settle(&mut shop, "m", "H-1", S::Capture, T).unwrap();
    assert_eq!(shop.buy("m", "o-H-1", T15, vec![line("tee", "", 2, 5000)]).points, 60);
    assert_eq!(shop.available("m"), 6060);

    let Outcome::Return(back) = shop.give_back("m", "o-H-1", "tee", 1, "2026-03-03T15:00:00Z") else {
        panic!()
    };
    assert_eq!(
        (back.points_reversed.get(), back.points_refunded.get(), held(back.balance)),
        (30, 2000, (8030, 0))
    );
    assert_eq!(
        back.explanation.summary,
        "order o-H-1 held 60 points; the items kept earn 30 before rounding (floor): 30 points, so 30 points are \
         taken back; the order was paid partly with points, and 2000 points of that payment come back as new points"
    );
    let refund = moved(EntryKind::Refund, REDEEMED, AVAILABLE, 2000);
    assert_eq!(
        last_entries(&shop, "m", 2),
        vec![moved(EntryKind::Return, AVAILABLE, "program:issued", 30), refund]
    );
    assert_eq!(shop.lots("m").last(), Some(&lot(2000, 2000, Some("2027-03-03T15:00:00Z"))));
    assert_eq!(hold_record(&shop, "H-1").refunded.get(), 2000);

    // The other tee: the rest of the payment, and not a point more.
    let event = Event::Return(Return {
        member: external("m"),
        order_id: OrderId::parse("o-H-1").unwrap(),
        occurred_at: at("2026-03-04T15:00:00Z"),
        lines: vec![ReturnLine { sku: Sku::parse("tee").unwrap(), quantity: Quantity::parse(1, 1).unwrap() }],
    });
    let decision = shop.ledger.submit(&shop.program, &event, event.occurred_at()).unwrap();
    let Calculation::Return(calc) = decision.calculation else { panic!("{:?}", decision.calculation) };
    assert_eq!(
        (calc.held_before.get(), calc.held_after.get(), calc.reversed.get(), calc.refunded.get()),
        (30, 0, 30, 2000)
    );
    assert_eq!((shop.available("m"), hold_record(&shop, "H-1").refunded.get()), (10_000, 4000));
    shop.ledger.check_invariants().unwrap();
}

#[test]
fn an_open_hold_keeps_an_account_open_and_a_suspended_member_holds_nothing() {
    let mut shop = shop(1000);
    let status = |shop: &mut Shop, who: &str, action: StatusAction, at_text: &str| {
        let change = StatusChange { member: external(who), action, reason: None, occurred_at: at(at_text) };
        shop.run(Event::Status(change))
    };
    hold(&mut shop, "m", "H-1", points(300), T).unwrap();
    assert_eq!(
        why(status(&mut shop, "m", StatusAction::Close, "2026-03-02T15:01:00Z")),
        "member_has_open_holds: m has points held for a checkout; capture or release them first"
    );
    settle(&mut shop, "m", "H-1", S::Release, "2026-03-02T15:02:00Z").unwrap();
    status(&mut shop, "m", StatusAction::Close, "2026-03-02T15:03:00Z").unwrap();
    assert_eq!(shop.last_entry("m"), moved(EntryKind::Forfeit, AVAILABLE, "program:expired", 1000));

    hold(&mut shop, "n", "H-2", points(200), T).unwrap();
    status(&mut shop, "n", StatusAction::Suspend, "2026-03-02T15:01:00Z").unwrap();
    assert_eq!(no(hold(&mut shop, "n", "H-3", points(100), "2026-03-02T15:02:00Z")), "member_suspended");
    assert_eq!(
        no(hold(&mut shop, "n", "H-3", reward("tee", "C-1"), "2026-03-02T15:02:00Z")),
        "member_suspended"
    );
    // The hold already open may still be let go.
    let released = settle(&mut shop, "n", "H-2", S::Release, "2026-03-02T15:03:00Z").unwrap();
    assert_eq!(held(released.balance), (1000, 0));
    shop.ledger.check_invariants().unwrap();
}

#[test]
fn a_second_payment_captured_after_the_purchase_takes_back_what_its_share_of_the_money_earned() {
    let mut shop = shop_with(PAY, 10_000);
    let order = || OrderId::parse("o-two").unwrap();
    let pay_on = |shop: &mut Shop, id: &str, amount: i64| {
        let hold_id = HoldId::parse(id).unwrap();
        let request = HoldRequest {
            member: external("m"),
            hold_id,
            order_id: order(),
            spend: pay(amount, Some(10_000)),
            occurred_at: at(T),
        };
        shop.run(Event::Hold(request)).unwrap();
        settle(shop, "m", id, S::Capture, T).unwrap()
    };
    // 20.00 of 100.00 paid with points first: the 80.00 paid in money earns 80.
    pay_on(&mut shop, "H-1", 2000);
    assert_eq!(shop.buy("m", "o-two", T15, vec![line("tee", "", 2, 5000)]).points, 80);
    // 30.00 more after the purchase: 50.00 is left in money, so 30 of the 80 go back.
    let second = pay_on(&mut shop, "H-2", 3000);
    assert_eq!(second.balance.available.get(), 10_000 - 2000 + 80 - 3000 - 30);
    assert_eq!(shop.last_entry("m"), moved(EntryKind::Return, AVAILABLE, "program:issued", 30));
    shop.ledger.check_invariants().unwrap();
}
