//! The welcome bonus on enrolment and the birthday bonus, once a year on the birthday as New
//! York sees it (28 February for those born on 29 February, in other years).

use super::*;

const RULES: &str = r#"
[[earning]]
id = "welcome"
kind = "welcome_bonus"
points = 250

[[earning]]
id = "birthday"
kind = "birthday_bonus"
points = 500
"#;

fn born(shop: &mut Shop, who: &str, year: i16, month: i8, day: i8) {
    shop.enrol_with(who, "2026-01-01T12:00:00Z", |e| {
        e.birth_date = Some(jiff::civil::date(year, month, day));
    });
}

fn code(result: Result<Earned, Rejection>) -> &'static str {
    result.unwrap_err().code()
}

#[test]
fn enrolling_earns_the_welcome_bonus_with_its_explanation() {
    let mut shop = Shop::new(RULES);
    let Outcome::Member(view) = shop.enrol("m") else { panic!("an enrolment renders a member") };
    assert_eq!(view.balance.available.get(), 250);
    assert_eq!(view.balance.pending_review.get(), 0);
    let explanation = view.explanation.unwrap();
    assert_eq!(awards(&explanation), vec![triple("welcome", "250", "welcome: 250 points for joining")]);
    assert_eq!(explanation.awards[0].kind, "welcome_bonus");
    assert_eq!(explanation.awards[0].to, None);
    assert_eq!(explanation.points.get(), 250);
    assert!(explanation.limits.is_empty());
    assert_eq!(explanation.held_for_review, None);
    assert_eq!(explanation.summary, "the awards earn 250 points in all; rounded once (floor): 250 points");
    assert_eq!(shop.available("m"), 250);
}

#[test]
fn enrolling_without_a_welcome_bonus_explains_nothing() {
    let mut shop = Shop::new(
        r#"
[[earning]]
id = "birthday"
kind = "birthday_bonus"
points = 500
"#,
    );
    let Outcome::Member(view) = shop.enrol("m") else { panic!("an enrolment renders a member") };
    assert_eq!(view.balance, Balance::default());
    assert_eq!(view.explanation, None);
    assert_eq!(shop.available("m"), 0);
}

#[test]
fn the_birthday_bonus_is_given_on_the_new_york_birthday_once_a_year() {
    let mut shop = Shop::new(RULES);
    born(&mut shop, "m", 1990, 3, 15);
    // 15 March 03:30 UTC is 14 March 23:30 in New York (EDT, UTC-4): the day before.
    let early = shop.try_birthday("m", "2026-03-15T03:30:00Z").unwrap_err();
    assert_eq!(early, Rejection::NotBirthday { external_id: "m".to_owned() });
    assert_eq!(early.code(), "not_birthday");

    // 04:00Z is midnight on 15 March in New York.
    let birthday = shop.try_birthday("m", "2026-03-15T04:00:00Z").unwrap();
    assert_eq!(birthday.points, 500);
    assert_eq!(birthday.awards(), vec![triple("birthday", "500", "birthday: 500 points")]);
    assert_eq!(birthday.explanation.awards[0].kind, "birthday_bonus");
    // 250 welcome + 500.
    assert_eq!(birthday.balance.available.get(), 750);

    // 16 March 03:59:59 UTC is still 15 March in New York: accepted, but nothing more.
    let again = shop.try_birthday("m", "2026-03-16T03:59:59Z").unwrap();
    assert_eq!(again.points, 0);
    assert_eq!(again.awards(), vec![triple("birthday", "0", "birthday: already given this year")]);
    assert_eq!(again.balance.available.get(), 750);
    // 16 March in New York: no longer the birthday.
    assert_eq!(code(shop.try_birthday("m", "2026-03-16T04:00:00Z")), "not_birthday");

    // The next year, again.
    let next_year = shop.try_birthday("m", "2027-03-15T16:00:00Z").unwrap();
    assert_eq!(next_year.points, 500);
    assert_eq!(next_year.awards(), vec![triple("birthday", "500", "birthday: 500 points")]);
    // 250 + 500 + 500.
    assert_eq!(shop.available("m"), 1250);
}

#[test]
fn a_new_year_birthday_counts_the_year_in_new_york() {
    let mut shop = Shop::new(RULES);
    born(&mut shop, "m", 1990, 1, 1);
    // 1 January 2027 02:00 UTC is 31 December 2026 21:00 in New York (EST, UTC-5).
    assert_eq!(code(shop.try_birthday("m", "2027-01-01T02:00:00Z")), "not_birthday");
    // 05:00Z is midnight on 1 January 2027 in New York; the 2027 bonus.
    assert_eq!(shop.try_birthday("m", "2027-01-01T05:00:00Z").unwrap().points, 500);
    // 2 January 04:59:59 UTC is still 1 January 2027 in New York: already given in 2027.
    let again = shop.try_birthday("m", "2027-01-02T04:59:59Z").unwrap();
    assert_eq!(again.awards(), vec![triple("birthday", "0", "birthday: already given this year")]);
    // 250 + 500.
    assert_eq!(shop.available("m"), 750);
}

#[test]
fn those_born_on_29_february_celebrate_on_28_february_in_other_years() {
    let mut shop = Shop::new(RULES);
    born(&mut shop, "leap", 2000, 2, 29);
    // 2027 is not a leap year: 28 February.
    assert_eq!(code(shop.try_birthday("leap", "2027-02-27T17:00:00Z")), "not_birthday");
    assert_eq!(shop.try_birthday("leap", "2027-02-28T17:00:00Z").unwrap().points, 500);
    assert_eq!(code(shop.try_birthday("leap", "2027-03-01T17:00:00Z")), "not_birthday");
    // 2028 is: 29 February, not 28.
    assert_eq!(code(shop.try_birthday("leap", "2028-02-28T17:00:00Z")), "not_birthday");
    assert_eq!(shop.try_birthday("leap", "2028-02-29T17:00:00Z").unwrap().points, 500);
    // 250 + 500 + 500.
    assert_eq!(shop.available("leap"), 1250);

    // Born on 28 February: the 28th in a leap year too, never the 29th.
    born(&mut shop, "eve", 2001, 2, 28);
    assert_eq!(code(shop.try_birthday("eve", "2028-02-29T17:00:00Z")), "not_birthday");
    assert_eq!(shop.try_birthday("eve", "2028-02-28T17:00:00Z").unwrap().points, 500);
}

#[test]
fn a_member_without_a_birth_date_or_unknown_is_refused() {
    let mut shop = Shop::new(RULES);
    shop.enrol("m");
    let refused = shop.try_birthday("m", "2026-03-15T16:00:00Z").unwrap_err();
    assert_eq!(refused, Rejection::BirthDateUnknown { external_id: "m".to_owned() });
    assert_eq!(refused.code(), "birth_date_unknown");
    assert_eq!(code(shop.try_birthday("ghost", "2026-03-15T16:00:00Z")), "member_not_found");
    assert_eq!(shop.available("m"), 250);
}
