use super::*;
use crate::fixtures::COFFEE;

fn errors_of(toml_text: &str) -> Vec<String> {
    let def: ProgramDef = toml::from_str(toml_text).unwrap();
    Program::from_def(def).unwrap_err().iter().map(ToString::to_string).collect()
}

#[test]
fn the_coffee_program_validates() {
    let program = crate::fixtures::coffee();
    assert_eq!(program.code(), "coffee");
    assert_eq!(program.currency().code(), "USD");
    assert_eq!(program.points_name(), "beans");
    assert_eq!(program.rounding(), Rounding::Floor);
    let kinds: Vec<_> = program.rules().iter().map(|r| (r.id(), r.kind())).collect();
    assert_eq!(kinds, vec![("base", "base_rate"), ("pastry-double", "category_multiplier")]);
    let drink = program.reward(&RewardCode::parse("free-drink").unwrap()).unwrap();
    assert_eq!(drink.points_cost, Points::new(90));
    let voucher = program.reward(&RewardCode::parse("pastry-voucher").unwrap()).unwrap();
    assert_eq!(voucher.points_cost, Points::new(60));
}

#[test]
fn base_rules_run_before_bonus_rules_whatever_the_file_order() {
    let moved = COFFEE.replace("id = \"base\"", "id = \"zz\"");
    let reordered =
        format!("{}\n[[earning]]\nid = \"late-base\"\nkind = \"base_rate\"\npoints_per_unit = 1\n", moved);
    let def: ProgramDef = toml::from_str(&reordered).unwrap();
    let program = Program::from_def(def).unwrap();
    let ids: Vec<_> = program.rules().iter().map(|r| r.id()).collect();
    assert_eq!(ids, vec!["zz", "late-base", "pastry-double"]);
}

#[test]
fn every_problem_is_reported_with_its_field() {
    let broken = COFFEE
        .replace("currency = \"USD\"", "currency = \"usd\"")
        .replace("America/New_York", "Mars/Olympus")
        .replace("points_per_unit = 10", "points_per_unit = 0")
        .replace("multiplier = 2", "multiplier = \"-1\"")
        .replace("points_cost = 60", "points_cost = 0");
    assert_eq!(
        errors_of(&broken),
        vec![
            "currency: must be a three-letter upper-case ISO 4217 code such as \"USD\"",
            "time_zone: `Mars/Olympus` is not an IANA time zone such as \"America/New_York\"",
            "rewards[1].points_cost: must be between 1 and 1000000000000",
        ]
    );
    let rates = COFFEE
        .replace("points_per_unit = 10", "points_per_unit = 0")
        .replace("multiplier = 2", "multiplier = \"-1\"");
    assert_eq!(
        errors_of(&rates),
        vec![
            "earning[0].points_per_unit: must be above 0, not 0",
            "earning[1].multiplier: must be between 0 and 1000, not -1",
        ]
    );
}

#[test]
fn duplicate_codes_are_refused() {
    let twice = COFFEE
        .replace("id = \"pastry-double\"", "id = \"base\"")
        .replace("code = \"pastry-voucher\"", "code = \"free-drink\"");
    assert_eq!(
        errors_of(&twice),
        vec![
            "earning[1].id: `base` is used by another earning rule",
            "rewards[1].code: `free-drink` is used by another reward",
        ]
    );
}

#[test]
fn unknown_currencies_need_their_minor_digits() {
    let odd = COFFEE.replace("currency = \"USD\"", "currency = \"XTS\"");
    assert_eq!(
        errors_of(&odd),
        vec!["currency: is not a currency this engine knows; state `currency_minor_digits` to use it"]
    );
    let stated = odd.replace("currency = \"XTS\"", "currency = \"XTS\"\ncurrency_minor_digits = 3");
    let def: ProgramDef = toml::from_str(&stated).unwrap();
    assert_eq!(Program::from_def(def).unwrap().currency().minor_digits(), 3);
}

#[test]
fn floats_unknown_fields_and_unknown_kinds_fail_to_parse() {
    let float = COFFEE.replace("multiplier = 2", "multiplier = 1.5");
    let err = toml::from_str::<ProgramDef>(&float).unwrap_err().to_string();
    assert!(err.contains("decimal written as a string"), "{err}");

    let typo = COFFEE.replace("points_name", "point_name");
    let err = toml::from_str::<ProgramDef>(&typo).unwrap_err().to_string();
    assert!(err.contains("unknown field `point_name`"), "{err}");

    let kind = COFFEE.replace("kind = \"category_multiplier\"", "kind = \"lucky_dip\"");
    let err = toml::from_str::<ProgramDef>(&kind).unwrap_err().to_string();
    assert!(err.contains("unknown variant `lucky_dip`"), "{err}");
}

#[test]
fn a_definition_survives_a_json_round_trip() {
    let program = crate::fixtures::coffee();
    let json = serde_json::to_string(program.definition()).unwrap();
    let back: ProgramDef = serde_json::from_str(&json).unwrap();
    assert_eq!(&back, program.definition());
}

#[test]
fn notifications_take_a_share_below_one_and_rising_milestones() {
    let good =
        format!("{COFFEE}\n[notifications]\ntier_progress_share = 0.8\nbalance_milestones = [500, 1000]\n");
    let def: ProgramDef = toml::from_str(&good).unwrap();
    let program = Program::from_def(def).unwrap();
    assert_eq!(program.notifications().tier_progress_share, Some(rust_decimal::Decimal::new(8, 1)));
    assert_eq!(program.notifications().balance_milestones, [500, 1000]);

    let bad = format!(
        "{COFFEE}\n[notifications]\ntier_progress_share = 1.5\nbalance_milestones = [1000, 1000, 0]\n"
    );
    assert_eq!(
        errors_of(&bad),
        [
            "notifications.tier_progress_share: must be a share between 0 and 1 such as 0.8, not 1.5",
            "notifications.balance_milestones[1]: milestones must rise: 1000 does not exceed 1000",
            "notifications.balance_milestones[2]: must be positive, not 0",
        ]
    );
}

#[test]
fn segments_and_achievement_rewards_must_be_known() {
    let text = format!(
        "{COFFEE}{}",
        r#"
[[earning]]
id = "win-back"
kind = "campaign"
starts = "2026-06-01"
ends = "2026-07-01"
segments = ["at_risk", "vip"]
points = 100

[[achievements]]
code = "comeback"
name = "Welcome back"
criteria = [{ measure = "purchases", threshold = 1 }]
segments = ["lost", "lost"]
reward = "free-cake"
"#
    );
    assert_eq!(
        errors_of(&text),
        vec![
            "earning[2].segments[1]: `vip` is not a segment; the segments are champions, loyal, potential_loyalist, \
             new, promising, need_attention, about_to_sleep, at_risk, cannot_lose, hibernating, lost",
            "achievements[0].segments[1]: `lost` is listed twice",
            "achievements[0].reward: `free-cake` is not a reward of the catalogue",
        ]
    );
}
