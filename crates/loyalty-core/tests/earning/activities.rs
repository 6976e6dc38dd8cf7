//! Activities: points per kind, caps per local day and month, kinds rewarded once per member
//! (per target), the program's own kinds, and kinds no rule rewards.

use super::*;

const RULES: &str = r#"
[[earning]]
id = "reviews"
kind = "activity"
activity = "review"
points = 50
per_day = 2
per_month = 5

[[earning]]
id = "photos"
kind = "activity"
activity = "photo_review"
points = 75

[[earning]]
id = "sms"
kind = "activity"
activity = "sms_opt_in"
points = 30
once = true

[[earning]]
id = "follows"
kind = "activity"
activity = "social_follow"
points = 20
once = true

[[earning]]
id = "profile"
kind = "activity"
activity = "profile_completed"
points = 100
once = true

[[earning]]
id = "unboxing"
kind = "activity"
activity = "unboxing_video"
points = 120
"#;

fn shop() -> Shop {
    let mut shop = Shop::new(RULES);
    shop.enrol("m");
    shop
}

fn code(result: Result<Earned, Rejection>) -> &'static str {
    result.unwrap_err().code()
}

#[test]
fn each_kind_earns_its_own_points() {
    let mut shop = shop();
    let review = shop.activity("m", "review", None, "2026-03-02T15:00:00Z");
    assert_eq!(review.points, 50);
    assert_eq!(review.awards(), vec![triple("reviews", "50", "review: 50 points")]);
    assert_eq!(review.explanation.points.get(), 50);
    assert_eq!(
        review.explanation.summary,
        "the awards earn 50 points in all; rounded once (floor): 50 points"
    );
    assert_eq!(review.explanation.awards[0].kind, "activity");
    assert_eq!(review.explanation.awards[0].to, None);

    let photo = shop.activity("m", "photo_review", None, "2026-03-02T15:01:00Z");
    assert_eq!(photo.awards(), vec![triple("photos", "75", "photo_review: 75 points")]);
    let sms = shop.activity("m", "sms_opt_in", None, "2026-03-02T15:02:00Z");
    assert_eq!(sms.awards(), vec![triple("sms", "30", "sms_opt_in: 30 points")]);
    // 50 + 75 + 30.
    assert_eq!(sms.balance.available.get(), 155);
    assert_eq!(shop.available("m"), 155);
}

#[test]
fn a_per_day_cap_is_reached_exactly_then_refused_until_local_midnight_in_new_york() {
    let mut shop = shop();
    // 2 March is in EST (UTC-5): the local day runs 05:00Z to 05:00Z the next day.
    assert_eq!(shop.activity("m", "review", None, "2026-03-02T14:00:00Z").points, 50);
    let second = shop.activity("m", "review", None, "2026-03-02T15:00:00Z");
    // Exactly the cap: 2 of 2, still rewarded in full.
    assert_eq!(second.points, 50);
    assert_eq!(second.balance.available.get(), 100);

    let third = shop.activity("m", "review", None, "2026-03-02T16:00:00Z");
    assert_eq!(third.points, 0);
    assert_eq!(
        third.awards(),
        vec![triple("reviews", "0", "review: at most 2 a day, 2 already rewarded today")]
    );
    assert_eq!(third.balance.available.get(), 100);

    // 3 March 01:00 UTC is still 2 March (20:00) in New York: refused.
    let late = shop.activity("m", "review", None, "2026-03-03T01:00:00Z");
    assert_eq!(late.points, 0);
    assert_eq!(
        late.awards(),
        vec![triple("reviews", "0", "review: at most 2 a day, 2 already rewarded today")]
    );
    // One microsecond before New York's midnight: still 2 March.
    assert_eq!(shop.activity("m", "review", None, "2026-03-03T04:59:59.999999Z").points, 0);
    // 05:00Z is midnight on 3 March in New York: a new day.
    let next_day = shop.activity("m", "review", None, "2026-03-03T05:00:00Z");
    assert_eq!(next_day.points, 50);
    assert_eq!(next_day.awards(), vec![triple("reviews", "50", "review: 50 points")]);
    // 50 + 50 + 50.
    assert_eq!(shop.available("m"), 150);
}

#[test]
fn a_per_month_cap_is_reached_exactly_then_refused_until_the_local_month_turns() {
    let mut shop = shop();
    // Two a day on 2 and 3 March, one on 4 March: 5 of the 5 a month.
    for at_text in [
        "2026-03-02T15:00:00Z",
        "2026-03-02T16:00:00Z",
        "2026-03-03T15:00:00Z",
        "2026-03-03T16:00:00Z",
        "2026-03-04T15:00:00Z",
    ] {
        assert_eq!(shop.activity("m", "review", None, at_text).points, 50, "{at_text}");
    }
    assert_eq!(shop.available("m"), 250);
    // 5 March has none today, but the month is full.
    let refused = shop.activity("m", "review", None, "2026-03-05T15:00:00Z");
    assert_eq!(refused.points, 0);
    assert_eq!(
        refused.awards(),
        vec![triple("reviews", "0", "review: at most 5 a month, 5 already rewarded this month")]
    );
    // 1 April 03:59:59 UTC is 31 March 23:59:59 in New York (EDT, UTC-4): still March.
    let last_minute = shop.activity("m", "review", None, "2026-04-01T03:59:59Z");
    assert_eq!(last_minute.points, 0);
    assert_eq!(
        last_minute.awards(),
        vec![triple("reviews", "0", "review: at most 5 a month, 5 already rewarded this month")]
    );
    // 04:00Z is midnight on 1 April in New York: a new month.
    let april = shop.activity("m", "review", None, "2026-04-01T04:00:00Z");
    assert_eq!(april.points, 50);
    // 5 × 50 + 50.
    assert_eq!(shop.available("m"), 300);
}

#[test]
fn once_per_member_kinds_reward_each_target_once() {
    let mut shop = shop();
    let instagram = shop.activity("m", "social_follow", Some("instagram"), "2026-03-02T15:00:00Z");
    assert_eq!(instagram.awards(), vec![triple("follows", "20", "social_follow: 20 points")]);
    let tiktok = shop.activity("m", "social_follow", Some("tiktok"), "2026-03-02T15:01:00Z");
    assert_eq!(tiktok.points, 20);
    // Months later, instagram again: already given.
    let again = shop.activity("m", "social_follow", Some("instagram"), "2026-07-02T15:00:00Z");
    assert_eq!(again.points, 0);
    assert_eq!(
        again.awards(),
        vec![triple("follows", "0", "social_follow: rewarded once per member, and already given")]
    );
    // 20 + 20.
    assert_eq!(shop.available("m"), 40);

    // A kind without a target is once per member.
    assert_eq!(shop.activity("m", "profile_completed", None, "2026-03-02T16:00:00Z").points, 100);
    let twice = shop.activity("m", "profile_completed", None, "2027-03-02T16:00:00Z");
    assert_eq!(twice.points, 0);
    assert_eq!(
        twice.awards(),
        vec![triple("profile", "0", "profile_completed: rewarded once per member, and already given")]
    );
    // 40 + 100.
    assert_eq!(shop.available("m"), 140);

    // Once is per member: another member follows on instagram too.
    shop.enrol("n");
    assert_eq!(shop.activity("n", "social_follow", Some("instagram"), "2026-03-02T17:00:00Z").points, 20);
    assert_eq!(shop.available("n"), 20);
}

#[test]
fn a_kind_of_the_programs_own_earns_its_points_without_caps() {
    let mut shop = shop();
    for (i, at_text) in
        ["2026-03-02T15:00:00Z", "2026-03-02T15:00:01Z", "2026-03-02T15:00:02Z"].iter().enumerate()
    {
        let earned = shop.activity("m", "unboxing_video", Some("youtube"), at_text);
        assert_eq!(earned.awards(), vec![triple("unboxing", "120", "unboxing_video: 120 points")]);
        // 120 each time.
        assert_eq!(earned.balance.available.get(), 120 * (i as i64 + 1));
    }
    assert_eq!(shop.available("m"), 360);
}

#[test]
fn a_kind_no_rule_rewards_and_an_unknown_member_are_refused() {
    let mut shop = shop();
    let refused = shop.try_activity("m", "survey_answered", None, "2026-03-02T15:00:00Z").unwrap_err();
    assert_eq!(refused, Rejection::ActivityNotRewarded { kind: "survey_answered".to_owned() });
    assert_eq!(refused.code(), "activity_not_rewarded");
    assert_eq!(shop.available("m"), 0);
    // Judged before the member is looked up.
    assert_eq!(
        code(shop.try_activity("ghost", "event_attended", None, "2026-03-02T15:00:00Z")),
        "activity_not_rewarded"
    );
    assert_eq!(code(shop.try_activity("ghost", "review", None, "2026-03-02T15:00:00Z")), "member_not_found");
}
