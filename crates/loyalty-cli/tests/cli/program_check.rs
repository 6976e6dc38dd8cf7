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
