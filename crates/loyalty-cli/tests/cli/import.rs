//! `loyalty import`: members with opening balances, then their purchases, returns and
//! adjustments, from CSV and JSON Lines, on both backends. Good rows land, bad rows change
//! nothing and are named in the error file, and a second run changes nothing.

use super::*;
use loyalty_testkit::{TestApp, TestDb, bistro_path, each_backend};
use serde_json::json;
use std::path::PathBuf;

each_backend!(imports_members_and_events_once_and_names_every_bad_row);

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/import").join(name)
}

/// Copies the fixture `name` into `dir`, where its error file will be written.
fn copy_fixture(dir: &Path, name: &str) -> PathBuf {
    let to = dir.join(name);
    std::fs::copy(fixture(name), &to).unwrap();
    to
}

fn import(database: &str, what: &str, file: &Path, extra: &[&str]) -> Output {
    run(loyalty().args(["import", what, file.to_str().unwrap(), "--database", database]).args(extra))
}

async fn available(app: &TestApp, member: &str) -> i64 {
    let found = app.get(&format!("/v1/members/{member}")).await;
    assert_eq!(found.status, 200, "{member}: {:?}", found.body);
    found.body["balance"]["available"].as_i64().unwrap()
}

const MEMBER_ERRORS: &str = "row,code,message\n\
    3,invalid_request,email: must be an address like name@example.com of at most 254 characters\n\
    4,invalid_request,birth_date: `1990-02-30` is not a date like 1990-05-17\n\
    5,member_already_exists,a member with external_id c-0 is already enrolled\n\
    6,invalid_request,\"tags[0]: must be 1 to 40 characters of a-z, 0-9, - and _\"\n\
    7,invalid_request,\"opening_points: must not be negative, not -5; import a debt as an adjustment\"\n\
    9,invalid_request,opening_points: `x` is not a whole number\n\
    10,malformed_row,2 fields where the header has 6\n";

const EVENT_ERRORS: &str = "row,code,message\n\
    4,return_exceeds_purchase,\"cannot return 1 of loaf from order o-1: 1 bought, 1 already returned\"\n\
    6,insufficient_points,100 beans are needed but only 0 beans are available\n\
    7,quantity_must_be_positive,\"order o-2 is refused for its row 8: quantity must be a positive whole number, not 0\"\n\
    8,quantity_must_be_positive,\"quantity must be a positive whole number, not 0\"\n\
    9,member_not_found,no member with external_id nobody\n\
    10,malformed_json,not JSON: expected ident at column 2\n\
    11,invalid_request,\"type: `refund` is not an event type; use `purchase`, `return` or `adjustment`\"\n\
    12,occurred_at_in_future,occurred_at 2026-12-25T08:00:00Z is in the future (the server's time is 2026-11-02T12:00:00Z)\n\
    13,invalid_request,\"unknown field `colour`; the fields are: type, member, order_id, occurred_at, sku, category, quantity, unit_price_minor, points, reason\"\n\
    16,invalid_request,\"order o-7 is refused for its row 17: member: not the same as on row 16, the order's first row\"\n\
    17,invalid_request,\"member: not the same as on row 16, the order's first row\"\n\
    18,invalid_request,unit_price_minor: a return row has only sku and quantity: its points come back as the order earned them\n";

const CSV_EVENT_ERRORS: &str = "row,code,message\n\
    5,adjustment_must_not_be_zero,an adjustment must move at least one point\n";

async fn imports_members_and_events_once_and_names_every_bad_row(db: TestDb) {
    let app = TestApp::start(db).await;
    assert_eq!(app.post("/v1/members", json!({"external_id": "c-0"})).await.status, 201);
    let database = app.db.url_text();
    let dir = tempfile::tempdir().unwrap();
    let members = copy_fixture(dir.path(), "members.csv");
    let events = copy_fixture(dir.path(), "events.jsonl");
    let more_events = copy_fixture(dir.path(), "events.csv");
    let member_errors = dir.path().join("members.errors.csv");
    let event_errors = dir.path().join("events.errors.csv");
    let csv_event_errors = dir.path().join("csv-errors.csv");
    let now = ["--now", "2026-11-02T12:00:00Z"];
    let csv_extra = ["--now", "2026-11-02T12:00:00Z", "--errors", csv_event_errors.to_str().unwrap()];

    for run in 1..=2 {
        let first = run == 1;
        let counts = |imported: u64| if first { (imported, 0) } else { (0, imported) };

        let out = import(&database, "members", &members, &["--now", "2026-09-01T00:00:00Z"]);
        assert_eq!(out.status.code(), Some(1), "run {run}: {}", stderr(&out));
        let (n, m) = counts(3);
        assert_eq!(
            stdout(&out),
            format!("{n} imported, {m} already imported, 7 refused; see {}\n", member_errors.display())
        );
        assert_eq!(stderr(&out), "");
        assert_eq!(std::fs::read_to_string(&member_errors).unwrap(), MEMBER_ERRORS);

        let out = import(&database, "events", &events, &[now[0], now[1], "--progress-every", "5"]);
        assert_eq!(out.status.code(), Some(1), "run {run}: {}", stderr(&out));
        let (n, m) = counts(5);
        assert_eq!(
            stdout(&out),
            format!("{n} imported, {m} already imported, 12 refused; see {}\n", event_errors.display())
        );
        assert_eq!(std::fs::read_to_string(&event_errors).unwrap(), EVENT_ERRORS);
        // A plain progress line every 5 rows, as stderr is not a terminal; an order's rows
        // are counted together.
        let progress: String = [(5, 4, 1), (10, 4, 6), (16, 5, 11)]
            .map(|(rows, landed, refused)| {
                let (n, m) = counts(landed);
                format!("{rows} rows: {n} imported, {m} already imported, {refused} refused\n")
            })
            .concat();
        assert_eq!(stderr(&out), progress);

        let out = import(&database, "events", &more_events, &csv_extra);
        assert_eq!(out.status.code(), Some(1), "run {run}: {}", stderr(&out));
        let (n, m) = counts(4);
        assert_eq!(
            stdout(&out),
            format!("{n} imported, {m} already imported, 1 refused; see {}\n", csv_event_errors.display())
        );
        assert_eq!(std::fs::read_to_string(&csv_event_errors).unwrap(), CSV_EVENT_ERRORS);

        // m-1: an opening balance of 250, then 2 lattes and a loaf (95 + 65) and the loaf
        // back. m-2: 40 of goodwill, then a latte and two scones (47.5 + 100, floored) and
        // one scone back. m-7: three espressos, and 15 beans.
        for (member, balance) in
            [("m-1", 250 + 160 - 65), ("m-2", 40 + 147 - 50), ("m-7", 90 + 15), ("c-0", 0)]
        {
            assert_eq!(available(&app, member).await, balance, "run {run}: {member}");
        }
        for absent in ["m-3", "m-4", "m-5", "m-6", "m-8", "m-9", "nobody"] {
            assert_eq!(app.get(&format!("/v1/members/{absent}")).await.code(), "member_not_found");
        }
        // 1 enrolment by the API; 3 imported enrolments and 1 opening balance; 2 orders, a
        // return and an adjustment; an order, a return and an adjustment.
        assert_eq!(app.db.count("events").await, 1 + 4 + 4 + 3, "run {run}");
    }

    let ann = app.get("/v1/members/m-1").await.body;
    assert_eq!((ann["name"].clone(), ann["email"].clone()), (json!("Lee, Ann"), json!("ann@example.com")));
    assert_eq!(ann["birth_date"], "1990-05-17");
    assert_eq!(ann["tags"], json!(["staff", "vip"]));
    assert_eq!(ann["enrolled_at"], "2026-09-01T00:00:00Z");
    let ledger = app.get("/v1/members/m-1/ledger").await.body;
    let entries: Vec<String> = ledger["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| ["occurred_at", "kind", "reference"].map(|f| e[f].as_str().unwrap()).join(" "))
        .collect();
    assert_eq!(
        entries,
        [
            "2026-10-02T09:00:00Z return o-1",
            "2026-10-01T09:00:00Z purchase o-1",
            "2026-09-01T00:00:00Z adjustment opening balance"
        ]
    );
    app.assert_consistent().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn import_refuses_a_missing_file_an_unknown_program_or_column() {
    let app = TestApp::start(TestDb::sqlite()).await.restart(Some(&bistro_path())).await;
    let database = app.db.url_text();
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path
    };
    let refused = |out: Output, said: String| {
        assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
        assert_eq!(stderr(&out), said);
        assert_eq!(stdout(&out), "");
    };

    let members = write("members.csv", "external_id,nickname\nm-1,Al\n");
    refused(
        import(&database, "members", &members, &["--program", "coffee"]),
        format!(
            "error: {}: unknown column `nickname`; the columns are: external_id, email, name, birth_date, \
             tags, opening_points\n",
            members.display()
        ),
    );
    let events = write("events.csv", "type,member,sku\n");
    refused(
        import(&database, "events", &events, &["--program", "coffee"]),
        format!("error: {}: there is no column `occurred_at`, which every row needs\n", events.display()),
    );
    let twice = write("twice.csv", "external_id,name,name\n");
    refused(
        import(&database, "members", &twice, &["--program", "coffee"]),
        format!("error: {}: the column `name` appears twice\n", twice.display()),
    );
    let missing = dir.path().join("missing.jsonl");
    refused(
        import(&database, "members", &missing, &["--program", "coffee"]),
        format!("error: cannot read {}: No such file or directory (os error 2)\n", missing.display()),
    );
    let text = write("members.txt", "external_id\nm-1\n");
    refused(
        import(&database, "members", &text, &["--program", "coffee"]),
        format!("error: cannot tell how {} is written: name it .csv or .jsonl\n", text.display()),
    );
    let good = copy_fixture(dir.path(), "members.jsonl");
    refused(
        import(&database, "members", &good, &[]),
        "error: the database holds several programs (coffee, bistro); name one with --program\n".to_owned(),
    );
    refused(
        import(&database, "members", &good, &["--program", "tea"]),
        "error: there is no program `tea`; the database holds: coffee, bistro\n".to_owned(),
    );
    // Nothing was imported, and no error file was written.
    assert_eq!(app.db.count("events").await, 0);
    assert!(!dir.path().join("members.errors.csv").exists());

    // The same file into bistro: JSON's tags are a list; a string is refused.
    let errors = dir.path().join("errors.csv");
    let out =
        import(&database, "members", &good, &["--program", "bistro", "--errors", errors.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        format!("1 imported, 0 already imported, 1 refused; see {}\n", errors.display())
    );
    assert_eq!(
        std::fs::read_to_string(&errors).unwrap(),
        "row,code,message\n2,invalid_request,tags: must be a list of strings\n"
    );
    assert_eq!(app.db.count("members WHERE external_id = 'b-1' AND available = 30").await, 1);
    assert_eq!(app.db.count("members").await, 1);

    // A file with no bad row: exit 0, and an error file with its header only.
    let clean = write("clean.jsonl", "{\"external_id\": \"b-3\"}\n\n");
    let out =
        import(&database, "members", &clean, &["--program", "bistro", "--errors", errors.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stdout(&out), "1 imported, 0 already imported, 0 refused\n");
    assert_eq!(std::fs::read_to_string(&errors).unwrap(), "row,code,message\n");
}
