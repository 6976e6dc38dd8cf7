//! Expiry: each policy's dates in the program's time zone, spending first-to-expire first,
//! the expiry job's exact amounts, its warning ahead, and extension by activity.

use super::*;
use loyalty_core::outcome::JobOutcome;

/// One point per dollar, and `expiry` (TOML under `[expiry]`).
fn shop(expiry: &str) -> Shop {
    let mut shop = Shop::new(&format!(
        r#"
[[earning]]
id = "base"
kind = "base_rate"
points_per_unit = 1

[expiry]
{expiry}
"#
    ));
    shop.enrol("m");
    shop
}

fn buy(shop: &mut Shop, order: &str, at_text: &str, dollars: i64) -> Earned {
    shop.buy("m", order, at_text, vec![line("tee", "", 1, dollars * 100)])
}

fn job(outcome: Outcome) -> JobOutcome {
    match outcome {
        Outcome::Job(j) => j,
        other => panic!("a job rendered {other:?}"),
    }
}

fn expiry_of(shop: &Shop) -> Vec<Option<String>> {
    shop.lots("m").into_iter().map(|(_, _, expires, _)| expires).collect()
}

#[test]
fn lots_expire_twelve_months_after_they_were_earned_at_the_same_wall_clock_time() {
    let mut shop = shop("policy = \"months_after_earning\"\nmonths = 12");
    // 12:00 in New York on 31 March 2026 (summer time); a year later, still 12:00 local.
    buy(&mut shop, "o-1", "2026-03-31T16:00:00Z", 100);
    // 29 February 2028 does not exist in 2027: the lot lives to the month's last day.
    buy(&mut shop, "o-2", "2027-02-28T17:00:00Z", 40);
    assert_eq!(
        expiry_of(&shop),
        vec![Some("2027-03-31T16:00:00Z".into()), Some("2028-02-28T17:00:00Z".into())]
    );
}

#[test]
fn quarter_and_year_ends_are_local_midnights() {
    let mut shop = shop("policy = \"end_of_quarter\"\nquarters = 4");
    // 20:00 on 31 March in New York is 1 April in UTC, but still the first quarter here.
    buy(&mut shop, "o-1", "2026-04-01T00:00:00Z", 10);
    assert_eq!(expiry_of(&shop), vec![Some("2027-04-01T04:00:00Z".into())]);

    let mut shop = self::shop("policy = \"end_of_year\"\nyears = 0");
    buy(&mut shop, "o-1", "2026-06-15T16:00:00Z", 10);
    assert_eq!(expiry_of(&shop), vec![Some("2027-01-01T05:00:00Z".into())]);
}

#[test]
fn the_job_expires_the_unspent_remainder_of_each_due_lot_once() {
    let mut shop = shop("policy = \"months_after_earning\"\nmonths = 6");
    buy(&mut shop, "o-1", "2026-01-10T17:00:00Z", 100);
    buy(&mut shop, "o-2", "2026-02-10T17:00:00Z", 50);
    // Spending takes the first lot to expire first: 30 of the January lot.
    shop.spend("m", 30, "2026-03-01T17:00:00Z").unwrap();
    assert_eq!(shop.lots("m")[0].1, 70);

    // 12:00 in winter time is 12:00 in summer time six months on: 16:00 UTC. A
    // microsecond before, nothing is due.
    let early = shop.expire("m", "2026-07-10T15:59:59.999999Z").unwrap_err();
    assert_eq!(early.code(), "nothing_due");

    let expired = job(shop.expire("m", "2026-07-10T16:00:00Z").unwrap());
    assert_eq!((expired.job.as_str(), expired.points.get()), ("expire", 70));
    assert_eq!((expired.balance.available.get(), shop.available("m")), (50, 50));
    assert_eq!(
        shop.last_entry("m"),
        (EntryKind::Expiry, vec![("member:available".into(), -70), ("program:expired".into(), 70)])
    );
    // Running it again, or later before the next lot is due, finds nothing more.
    assert_eq!(shop.expire("m", "2026-07-10T16:00:00Z").unwrap_err().code(), "nothing_due");
    assert_eq!(shop.expire("m", "2026-08-09T17:00:00Z").unwrap_err().code(), "nothing_due");
    assert_eq!(shop.available("m"), 50);
    // A late run expires everything due by then, exactly what is left.
    assert_eq!(job(shop.expire("m", "2026-12-01T17:00:00Z").unwrap()).points.get(), 50);
    assert_eq!(shop.available("m"), 0);
    assert_eq!(shop.lots("m").iter().map(|l| l.1).collect::<Vec<_>>(), vec![0, 0]);
    shop.ledger.check_invariants().unwrap();
}

#[test]
fn never_is_the_default_and_nothing_expires() {
    let mut shop = shop("");
    buy(&mut shop, "o-1", "2026-01-10T17:00:00Z", 100);
    assert_eq!(expiry_of(&shop), vec![None]);
    assert_eq!(shop.expire("m", "2036-01-10T17:00:00Z").unwrap_err().code(), "nothing_due");
}

#[test]
fn earning_extends_every_open_lot_when_the_program_says_so() {
    let mut shop = shop("policy = \"months_after_earning\"\nmonths = 12\nactivity_extends_all_lots = true");
    buy(&mut shop, "o-1", "2026-01-10T17:00:00Z", 100);
    buy(&mut shop, "o-2", "2026-09-10T16:00:00Z", 10);
    let until = Some("2027-09-10T16:00:00Z".to_owned());
    assert_eq!(expiry_of(&shop), vec![until.clone(), until]);
    // The January lot would have expired in January 2027; it is still there.
    assert_eq!(shop.expire("m", "2027-01-10T17:00:00Z").unwrap_err().code(), "nothing_due");
    assert_eq!(job(shop.expire("m", "2027-09-10T16:00:00Z").unwrap()).points.get(), 110);
}

#[test]
fn a_notice_tells_the_points_and_the_date_and_moves_nothing() {
    let mut shop = shop("policy = \"months_after_earning\"\nmonths = 6\nnotice_days = 14");
    buy(&mut shop, "o-1", "2026-01-10T17:00:00Z", 100);
    shop.spend("m", 25, "2026-02-01T17:00:00Z").unwrap();
    let notice = job(shop.notice("m", "2026-07-10T16:00:00Z", "2026-06-26T16:00:00Z").unwrap());
    assert_eq!(notice.job, "expiry_notice");
    assert_eq!(notice.points.get(), 75);
    assert_eq!(notice.expires_at, Some(at("2026-07-10T16:00:00Z")));
    assert_eq!(shop.available("m"), 75);
    // No lot expires at another instant.
    let none = shop.notice("m", "2026-07-11T17:00:00Z", "2026-06-27T17:00:00Z").unwrap_err();
    assert_eq!(none.code(), "nothing_due");
}

#[test]
fn expiry_policies_that_do_not_add_up_name_their_fields() {
    let invalid = |expiry: &str| super::invalid(&format!("[expiry]\n{expiry}"));
    assert_eq!(
        invalid("policy = \"months_after_earning\""),
        "expiry.months: is required by policy `months_after_earning`"
    );
    assert_eq!(
        invalid("policy = \"end_of_year\"\nyears = 1\nmonths = 3"),
        "expiry.months: does not apply to policy `end_of_year`"
    );
    assert_eq!(
        invalid("policy = \"months_after_earning\"\nmonths = 0"),
        "expiry.months: must be between 1 and 120, not 0"
    );
    assert_eq!(
        invalid("activity_extends_all_lots = true"),
        "expiry.activity_extends_all_lots: needs a policy under which points expire"
    );
    assert_eq!(
        invalid("policy = \"end_of_quarter\"\nquarters = 2\nnotice_days = 400"),
        "expiry.notice_days: must be at most 365, not 400"
    );
}
