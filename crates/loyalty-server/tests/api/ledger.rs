use super::*;
use loyalty_testkit::{TestDb, each_backend};

each_backend!(the_ledger_pages_newest_first_with_balanced_postings);

async fn the_ledger_pages_newest_first_with_balanced_postings(db: TestDb) {
    let app = with_member(db).await;
    for points in 1..=7 {
        let got = app
            .post(
                "/v1/members/c-1001/adjustments",
                json!({"points": points, "reason": format!("gift {points}")}),
            )
            .await;
        assert_eq!(got.status, 201);
    }
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    let mut pages = 0;
    loop {
        let path = match &cursor {
            Some(c) => format!("/v1/members/c-1001/ledger?limit=3&cursor={c}"),
            None => "/v1/members/c-1001/ledger?limit=3".to_owned(),
        };
        let page = app.get(&path).await;
        assert_eq!(page.status, 200);
        pages += 1;
        for entry in page.body["entries"].as_array().unwrap() {
            assert_eq!(entry["kind"], "adjustment");
            let amounts: Vec<i64> =
                entry["postings"].as_array().unwrap().iter().map(|p| p["amount"].as_i64().unwrap()).collect();
            assert_eq!(amounts.iter().sum::<i64>(), 0);
            seen.push((entry["reference"].as_str().unwrap().to_owned(), amounts[1]));
        }
        match page.body["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
    }
    assert_eq!(pages, 3);
    let expected: Vec<(String, i64)> = (1..=7).rev().map(|p| (format!("gift {p}"), p)).collect();
    assert_eq!(seen, expected);
}
