use super::*;
use loyalty_testkit::coffee_path;

#[test]
fn a_valid_program_is_described() {
    let checked = run(loyalty().args(["program", "check"]).arg(coffee_path()));
    assert!(checked.status.success(), "{}", stderr(&checked));
    assert!(
        stdout(&checked).contains(
            "program `coffee` is valid (2 earning rules, 2 rewards, currency USD, time zone America/New_York)"
        ),
        "{}",
        stdout(&checked)
    );
}

#[test]
fn every_example_program_is_valid() {
    let examples = coffee_path().parent().unwrap().to_path_buf();
    let mut files: Vec<_> = std::fs::read_dir(&examples).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    let mut described = Vec::new();
    for file in &files {
        let checked = run(loyalty().args(["program", "check"]).arg(file));
        assert!(checked.status.success(), "{}: {}", file.display(), stderr(&checked));
        described.push(stdout(&checked).split_once(": ").unwrap().1.trim().to_owned());
    }
    assert_eq!(
        described,
        [
            "program `bakery` is valid (3 earning rules, 1 rewards, currency USD, time zone America/New_York)",
            "program `bistro` is valid (2 earning rules, 1 rewards, currency EUR, time zone Europe/Paris)",
            "program `coffee` is valid (2 earning rules, 2 rewards, currency USD, time zone America/New_York)",
            "program `retail` is valid (19 earning rules, 6 rewards, currency EUR, time zone Europe/Paris)",
        ]
    );
}

#[test]
fn an_invalid_program_names_each_field_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("broken.toml");
    let text = std::fs::read_to_string(coffee_path())
        .unwrap()
        .replace("time_zone = \"America/New_York\"", "time_zone = \"America/Gotham\"")
        .replace("points_cost = 60", "points_cost = 0");
    std::fs::write(&file, text).unwrap();
    let checked = run(loyalty().args(["program", "check"]).arg(&file));
    assert_eq!(checked.status.code(), Some(1));
    let err = stderr(&checked);
    assert!(err.contains("is not a valid program"), "{err}");
    assert!(err.contains("line 7, column 13: time_zone: `America/Gotham` is not an IANA time zone"), "{err}");
    assert!(err.contains("line 32, column 15: rewards[1].points_cost: must be between 1 and"), "{err}");
}

#[test]
fn help_lists_every_command() {
    let help = run(loyalty().arg("--help"));
    assert!(help.status.success());
    for command in ["serve", "program", "verify", "jobs", "replay", "export", "import", "report", "keys"] {
        assert!(stdout(&help).contains(command), "{}", stdout(&help));
    }
}

/// One run lists every problem of a file that parses, each with its line: wrong types,
/// unknown keys and kinds, bad values, and references to tiers the program lacks.
#[test]
fn program_check_lists_every_problem_of_a_file_in_one_run() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("broken.toml");
    let text = std::fs::read_to_string(coffee_path())
        .unwrap()
        .replace("time_zone = \"America/New_York\"", "time_zone = \"America/Gotham\"")
        .replace("points_name = \"beans\"", "points_name = \"beans\"\ncolour = \"red\"")
        .replace("multiplier = 2", "multipler = 2")
        .replace("points_cost = 90", "points_cost = \"ninety\"")
        .replace("points_cost = 60", "points_cost = 0\ntiers = [\"platinum\"]")
        .replace("pay_with_points = { step = 20 }", "pay_with_points = { step = \"twenty\" }")
        + "\n[[earning]]\nid = \"beam-me-up\"\nkind = \"teleport\"\n";
    std::fs::write(&file, &text).unwrap();
    let line_of = |needle: &str| text.lines().position(|l| l.contains(needle)).unwrap() + 1;
    let checked = run(loyalty().args(["program", "check"]).arg(&file));
    assert_eq!(checked.status.code(), Some(1));
    let err = stderr(&checked);
    let expected = [
        format!(
            "line {}, column 13: time_zone: `America/Gotham` is not an IANA time zone",
            line_of("Gotham")
        ),
        format!("line {}, column 1: unknown field `colour`", line_of("colour")),
        format!("line {}, column 1: earning[1]: unknown field `multipler`", line_of("multipler")),
        format!("line {}, column 15: rewards[0]: invalid type: string \"ninety\"", line_of("ninety")),
        format!(
            "line {}, column 15: rewards[1].points_cost: must be between 1 and",
            line_of("points_cost = 0")
        ),
        format!(
            "line {}, column 10: rewards[1].tiers[0]: `platinum` is not one of the program's tiers",
            line_of("platinum")
        ),
        format!("line {}, column 8: earning[2]: unknown variant `teleport`", line_of("teleport")),
    ];
    let listed: Vec<&str> = err.lines().skip(1).map(str::trim).collect();
    for problem in &expected {
        assert!(listed.iter().any(|l| l.starts_with(problem.as_str())), "missing {problem:?} in\n{err}");
    }
    let redemption = listed.iter().find(|l| l.contains("twenty")).unwrap_or_else(|| panic!("{err}"));
    assert!(redemption.starts_with(&format!("line {}", line_of("twenty"))), "{redemption}");
    assert_eq!(listed.len(), expected.len() + 1, "{err}");
}
