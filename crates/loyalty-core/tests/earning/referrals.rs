//! Referrals: a referee's first purchase of at least the minimum earns them and their referrer
//! points, once; self-referrals, loops and referees already enrolled are refused by name.

use super::*;
use loyalty_core::ids::Email;

const RULES: &str = r#"
[[earning]]
id = "base"
kind = "base_rate"
points_per_unit = 1

[[earning]]
id = "refer"
kind = "referral"
referrer_points = 500
referee_points = 200
min_purchase_minor = 5000
"#;

fn referral_code(code: &str) -> ReferralCode {
    ReferralCode::parse(code).unwrap()
}

/// Enrols `who`, referred by the owner of `code`.
fn try_enrol_referred(shop: &mut Shop, who: &str, code: &str) -> Result<Outcome, Rejection> {
    shop.try_enrol_with(who, "2026-01-02T12:00:00Z", |e| e.referred_by = Some(referral_code(code)))
}

fn refused(result: Result<Outcome, Rejection>) -> &'static str {
    result.unwrap_err().code()
}

#[test]
fn enrolling_with_a_referral_code_links_the_referee_to_the_referrer() {
    let mut shop = Shop::new(RULES);
    shop.enrol("ann");
    let Outcome::Member(view) = try_enrol_referred(&mut shop, "bob", &code_of("ann")).unwrap() else {
        panic!("an enrolment renders a member")
    };
    assert_eq!(view.referred_by.as_deref(), Some("ann"));
    assert_eq!(view.referral_code, "REF-bob");
    let ann = shop.ledger.member(&ExternalId::parse("ann").unwrap()).unwrap().id;
    let bob = shop.ledger.member(&ExternalId::parse("bob").unwrap()).unwrap();
    assert_eq!(bob.referred_by, Some(ann));
    // Nothing is earned for enrolling.
    assert_eq!(shop.available("ann"), 0);
    assert_eq!(shop.available("bob"), 0);
}

#[test]
fn the_first_purchase_of_at_least_the_minimum_rewards_both_members_once() {
    let mut shop = Shop::new(RULES);
    shop.enrol("ann");
    try_enrol_referred(&mut shop, "bob", &code_of("ann")).unwrap();

    // 49.99 USD is under the 50.00 minimum: base points only.
    let under = shop.buy("bob", "o-1", "2026-03-02T15:00:00Z", vec![line("tee", "", 1, 4_999)]);
    assert_eq!(under.points, 49);
    assert_eq!(under.awards(), vec![triple("base", "49.99", "1 point per 1.00 USD on 49.99 USD")]);
    assert_eq!(shop.available("ann"), 0);

    // Exactly 50.00 USD qualifies: 50 base + 200 for bob, 500 for ann.
    let first = shop.buy("bob", "o-2", "2026-03-03T15:00:00Z", vec![line("tee", "", 2, 2_500)]);
    assert_eq!(first.points, 250);
    assert_eq!(
        first.awards(),
        vec![
            triple("base", "50", "1 point per 1.00 USD on 50.00 USD"),
            triple("refer", "200", "referral: 200 points for a first purchase of 50.00 USD or more"),
            triple("refer", "500", "referral: 500 points for the member who referred"),
        ]
    );
    let order_awards = &first.explanation.awards;
    assert_eq!(order_awards[0].kind, "referral");
    assert_eq!(order_awards[0].to, None);
    assert_eq!(order_awards[1].to.as_deref(), Some("ann"));
    assert_eq!(first.explanation.points.get(), 250);
    assert_eq!(
        first.explanation.summary,
        "the lines and the order's awards earn 250 points in all; rounded once per order (floor): 250 points; \
         500 points go to the member who referred"
    );
    // 49 from the first order + 250.
    assert_eq!(first.balance.available.get(), 299);
    assert_eq!(shop.available("bob"), 299);
    assert_eq!(shop.available("ann"), 500);

    // Only once: a second qualifying purchase earns base points alone.
    let second = shop.buy("bob", "o-3", "2026-03-04T15:00:00Z", vec![line("tee", "", 4, 2_500)]);
    assert_eq!(second.points, 100);
    assert_eq!(second.awards(), vec![triple("base", "100", "1 point per 1.00 USD on 100.00 USD")]);
    // 299 + 100.
    assert_eq!(shop.available("bob"), 399);
    assert_eq!(shop.available("ann"), 500);

    // The referrer's own purchases earn no referral.
    let own = shop.buy("ann", "o-4", "2026-03-04T16:00:00Z", vec![line("tee", "", 4, 2_500)]);
    assert_eq!(own.awards(), vec![triple("base", "100", "1 point per 1.00 USD on 100.00 USD")]);
    assert_eq!(shop.available("ann"), 600);
}

#[test]
fn a_member_referred_after_enrolling_is_rewarded_on_their_first_purchase() {
    let mut shop = Shop::new(RULES);
    shop.enrol("ann");
    shop.enrol("cid");
    let Outcome::Member(view) = shop.try_refer("cid", &code_of("ann"), "2026-03-01T12:00:00Z").unwrap()
    else {
        panic!("a referral renders a member")
    };
    assert_eq!(view.referred_by.as_deref(), Some("ann"));
    let earned = shop.buy("cid", "o-1", "2026-03-02T15:00:00Z", vec![line("tee", "", 3, 2_500)]);
    // 75 base + 200.
    assert_eq!(earned.points, 275);
    assert_eq!(earned.explanation.awards[1].to.as_deref(), Some("ann"));
    assert_eq!(shop.available("cid"), 275);
    assert_eq!(shop.available("ann"), 500);
}

#[test]
fn an_unknown_referral_code_is_refused() {
    let mut shop = Shop::new(RULES);
    shop.enrol("ann");
    let at_enrolment = try_enrol_referred(&mut shop, "bob", "REF-nobody").unwrap_err();
    assert_eq!(at_enrolment, Rejection::ReferralCodeNotFound { code: "REF-nobody".to_owned() });
    assert_eq!(at_enrolment.code(), "referral_code_not_found");
    assert!(shop.ledger.member(&ExternalId::parse("bob").unwrap()).is_none());
    assert_eq!(
        refused(shop.try_refer("ann", "REF-nobody", "2026-03-01T12:00:00Z")),
        "referral_code_not_found"
    );
}

#[test]
fn a_member_cannot_refer_themselves() {
    let mut shop = Shop::new(RULES);
    shop.enrol_with("ann", "2026-01-01T12:00:00Z", |e| {
        e.email = Some(Email::parse("ann@example.com").unwrap())
    });
    // Their own code, after enrolling.
    let own_code = shop.try_refer("ann", &code_of("ann"), "2026-03-01T12:00:00Z").unwrap_err();
    assert_eq!(own_code, Rejection::SelfReferral);
    assert_eq!(own_code.code(), "self_referral");
    // A second account with the same email (in other case), enrolling with the first's code.
    let same_email = shop.try_enrol_with("ann2", "2026-01-02T12:00:00Z", |e| {
        e.email = Some(Email::parse("ANN@example.com").unwrap());
        e.referred_by = Some(referral_code(&code_of("ann")));
    });
    assert_eq!(refused(same_email), "self_referral");
    assert!(shop.ledger.member(&ExternalId::parse("ann2").unwrap()).is_none());
    assert_eq!(shop.ledger.member(&ExternalId::parse("ann").unwrap()).unwrap().referred_by, None);
}

#[test]
fn a_referral_cannot_go_round() {
    let mut shop = Shop::new(RULES);
    shop.enrol("ann");
    try_enrol_referred(&mut shop, "bob", &code_of("ann")).unwrap();
    try_enrol_referred(&mut shop, "cid", &code_of("bob")).unwrap();
    // ann referred bob: bob cannot refer ann.
    let direct = shop.try_refer("ann", &code_of("bob"), "2026-03-01T12:00:00Z").unwrap_err();
    assert_eq!(direct, Rejection::ReferralLoop { external_id: "ann".to_owned() });
    assert_eq!(direct.code(), "referral_loop");
    // ann referred bob who referred cid: cid cannot refer ann either.
    assert_eq!(refused(shop.try_refer("ann", &code_of("cid"), "2026-03-01T12:00:00Z")), "referral_loop");
    assert_eq!(shop.ledger.member(&ExternalId::parse("ann").unwrap()).unwrap().referred_by, None);
}

#[test]
fn a_member_already_enrolled_referred_or_buying_cannot_be_referred() {
    let mut shop = Shop::new(RULES);
    shop.enrol("ann");
    shop.enrol("dan");
    try_enrol_referred(&mut shop, "bob", &code_of("ann")).unwrap();

    // Enrolling again with a code: already enrolled.
    let again = try_enrol_referred(&mut shop, "dan", &code_of("ann")).unwrap_err();
    assert_eq!(again, Rejection::RefereeAlreadyEnrolled { external_id: "dan".to_owned() });
    assert_eq!(again.code(), "referee_already_enrolled");
    // Without a code it is a plain duplicate.
    assert_eq!(refused(shop.try_enrol_with("dan", "2026-01-02T12:00:00Z", |_| {})), "member_already_exists");
    // Already referred: judged before the code is even looked up.
    assert_eq!(
        refused(shop.try_refer("bob", &code_of("dan"), "2026-03-01T12:00:00Z")),
        "referee_already_enrolled"
    );
    assert_eq!(
        refused(shop.try_refer("bob", "REF-nobody", "2026-03-01T12:00:00Z")),
        "referee_already_enrolled"
    );

    // Has bought something: too late, even at the same instant as the purchase.
    shop.buy("dan", "o-1", "2026-03-01T12:00:00Z", vec![line("tee", "", 1, 1_000)]);
    assert_eq!(
        refused(shop.try_refer("dan", &code_of("ann"), "2026-03-01T12:00:00Z")),
        "referee_already_enrolled"
    );
    assert_eq!(shop.ledger.member(&ExternalId::parse("dan").unwrap()).unwrap().referred_by, None);
    // An unknown member.
    assert_eq!(refused(shop.try_refer("ghost", &code_of("ann"), "2026-03-01T12:00:00Z")), "member_not_found");
}
