//! Spending on the retail program (`examples/programs/retail.toml`) through the API: a
//! checkout that holds points and pays part of a basket with them, reward codes and gift
//! cards at the till, a donation and its report, and the catalogue managed over the API.

use super::*;
use axum::http::Method;
use loyalty_store::Role;
use loyalty_testkit::{TestDb, at, each_backend, retail_path};

each_backend!(
    a_checkout_holds_points_and_pays_part_of_the_basket_with_them,
    codes_gift_cards_and_donations_are_spent_at_the_till,
    the_catalogue_is_managed_over_the_api_and_filtered_per_member
);

/// Ada joins on 20 November 2026 at 10:00 UTC (100 welcome points) and is given more, to
/// hold `points` in all.
async fn ada_with(db: TestDb, points: i64) -> TestApp {
    let app = TestApp::start_with(db, &retail_path()).await;
    app.clock.set(at("2026-11-20T10:00:00Z"));
    assert_eq!(app.post("/v1/members", json!({"external_id": "ada"})).await.status, 201);
    let given =
        app.post("/v1/members/ada/adjustments", json!({"points": points - 100, "reason": "test"})).await;
    assert_eq!(given.status, 201, "{:?}", given.body);
    app
}

fn balance(available: i64, held: i64) -> Value {
    json!({"available": available, "pending": 0, "pending_review": 0, "held": held})
}

async fn refused(app: &TestApp, path: &str, body: Value, status: u16, code: &str) {
    let got = app.post(path, body).await;
    assert_eq!((got.status, got.code()), (status, code), "{path}: {:?}", got.body);
}

async fn a_checkout_holds_points_and_pays_part_of_the_basket_with_them(db: TestDb) {
    let app = ada_with(db, 3000).await;
    let holds = "/v1/members/ada/holds";
    for (body, status, code) in [
        (
            json!({"order_id": "o-7", "amount_minor": 1550, "basket_minor": 4000}),
            422,
            "amount_not_payable_in_points",
        ),
        (json!({"order_id": "o-7", "amount_minor": 400, "basket_minor": 4000}), 422, "payment_below_minimum"),
        (
            json!({"order_id": "o-7", "amount_minor": 2100, "basket_minor": 4000}),
            422,
            "payment_exceeds_share",
        ),
        (json!({"order_id": "o-7", "amount_minor": 1500}), 422, "basket_required"),
        (json!({"order_id": "o-7", "points": 10, "reward": "tote-bag"}), 422, "invalid_request"),
        (json!({"order_id": "o-7", "points": 3001}), 422, "insufficient_points"),
    ] {
        refused(&app, holds, body, status, code).await;
    }

    // 15.00 of a 40.00 basket paid with points: 1,500 points, held for 15 minutes.
    let held = app.post(holds, json!({"order_id": "o-7", "amount_minor": 1500, "basket_minor": 4000})).await;
    assert_eq!(held.status, 201, "{:?}", held.body);
    assert_eq!(
        (&held.body["points"], &held.body["amount_minor"], &held.body["state"], &held.body["expires_at"]),
        (&json!(1500), &json!(1500), &json!("open"), &json!("2026-11-20T10:15:00Z"))
    );
    assert_eq!(held.body["balance"], balance(1500, 1500));
    assert_eq!(app.get("/v1/members/ada").await.body["balance"], balance(1500, 1500));
    let hold_id = held.body["hold_id"].as_str().unwrap().to_owned();
    // Held points are not spendable elsewhere.
    refused(&app, holds, json!({"order_id": "o-8", "points": 1501}), 422, "insufficient_points").await;

    let captured = app.post(&format!("/v1/holds/{hold_id}/capture"), json!({})).await;
    assert_eq!(captured.status, 201, "{:?}", captured.body);
    assert_eq!((&captured.body["state"], &captured.body["balance"]), (&json!("captured"), &balance(1500, 0)));
    refused(&app, &format!("/v1/holds/{hold_id}/capture"), json!({}), 409, "hold_not_open").await;
    refused(&app, &format!("/v1/holds/{hold_id}/release"), json!({}), 409, "hold_not_open").await;
    refused(&app, "/v1/holds/H-NONE/capture", json!({}), 404, "hold_not_found").await;

    app.clock.set(at("2026-11-20T10:10:00Z"));
    // The order, then a return of a quarter of its value: a quarter of the 1,500 points
    // it was paid with come back, as new points.
    let order = json!({"type": "purchase", "member": "ada", "order_id": "o-7", "occurred_at": "2026-11-20T10:05:00Z",
    "lines": [
        {"sku": "jeans-501", "category": "denim", "quantity": 1, "unit_price_minor": 3000},
        {"sku": "scarf-red", "category": "accessories", "quantity": 1, "unit_price_minor": 1000}
    ]});
    let bought = app.post("/v1/events", order).await;
    assert_eq!(bought.status, 201, "{:?}", bought.body);
    let after_purchase = bought.body["balance"]["available"].as_i64().unwrap();
    let back = json!({"type": "return", "member": "ada", "order_id": "o-7", "occurred_at": "2026-11-20T10:06:00Z",
        "lines": [{"sku": "scarf-red", "quantity": 1}]});
    let returned = app.post("/v1/events", back).await;
    assert_eq!(returned.status, 201, "{:?}", returned.body);
    assert_eq!(returned.body["points_refunded"], 375);
    let reversed = returned.body["points_reversed"].as_i64().unwrap();
    assert_eq!(returned.body["balance"]["available"], after_purchase - reversed + 375);
    let summary = returned.body["explanation"]["summary"].as_str().unwrap();
    assert!(summary.ends_with("375 points of that payment come back as new points"), "{summary}");
    let shown = app.get(&format!("/v1/holds/{hold_id}")).await;
    assert_eq!((&shown.body["refunded"], &shown.body["member"]), (&json!(375), &json!("ada")));

    // A hold left open is released by the jobs once its 15 minutes have passed.
    let open = app.post(holds, json!({"order_id": "o-9", "points": 500})).await;
    assert_eq!(open.status, 201, "{:?}", open.body);
    let before = open.body["balance"]["available"].as_i64().unwrap() + 500;
    app.clock.set(at("2026-11-20T10:25:00Z"));
    let ran = app.post("/v1/jobs/run", json!({})).await;
    assert_eq!((ran.status, &ran.body["report"]["holds_expired"]), (200, &json!(1)), "{:?}", ran.body);
    assert_eq!(app.get("/v1/members/ada").await.body["balance"], balance(before, 0));
    let again = app.post("/v1/jobs/run", json!({})).await;
    assert_eq!(again.body["report"]["holds_expired"], 0);
    let history = app.get("/v1/members/ada/history?topic=hold").await.body["history"].clone();
    let turns: Vec<&str> = history.as_array().unwrap().iter().map(|h| h["to"].as_str().unwrap()).collect();
    assert_eq!(turns, ["open", "captured", "open", "expired"]);
    app.assert_consistent().await;
}

async fn codes_gift_cards_and_donations_are_spent_at_the_till(db: TestDb) {
    let app = ada_with(db, 10_000).await;
    let redeem = |reward: &str| app.post("/v1/members/ada/redemptions", json!({"reward": reward}));

    let voucher = redeem("voucher-10").await;
    assert_eq!(voucher.status, 201, "{:?}", voucher.body);
    assert_eq!(
        (
            &voucher.body["kind"],
            &voucher.body["state"],
            &voucher.body["expires_at"],
            &voucher.body["balance"]
        ),
        (&json!("discount"), &json!("issued"), &json!("2027-02-18T10:00:00Z"), &balance(9000, 0))
    );
    let code = voucher.body["code"].as_str().unwrap().to_owned();
    let checked = app.get(&format!("/v1/rewards/codes/{code}")).await;
    assert_eq!((&checked.body["usable"], &checked.body["member"]), (&json!(true), &json!("ada")));
    let used = app.post(&format!("/v1/rewards/codes/{code}/use"), json!({"order_id": "o-1"})).await;
    assert_eq!(
        (used.status, &used.body["state"], &used.body["order_id"]),
        (201, &json!("used"), &json!("o-1"))
    );
    refused(
        &app,
        &format!("/v1/rewards/codes/{code}/use"),
        json!({"order_id": "o-2"}),
        409,
        "reward_already_used",
    )
    .await;
    refused(&app, &format!("/v1/rewards/codes/{code}/cancellation"), json!({}), 409, "reward_already_used")
        .await;
    refused(&app, "/v1/rewards/codes/NOPE/use", json!({"order_id": "o-2"}), 404, "reward_code_not_found")
        .await;

    // A cancelled voucher gives its points back as a new lot.
    let second = redeem("voucher-25").await;
    let second_code = second.body["code"].as_str().unwrap().to_owned();
    assert_eq!(second.body["balance"], balance(6750, 0));
    let cancelled = app.post(&format!("/v1/rewards/codes/{second_code}/cancellation"), json!({})).await;
    assert_eq!(cancelled.status, 201, "{:?}", cancelled.body);
    assert_eq!(
        (&cancelled.body["state"], &cancelled.body["points_refunded"], &cancelled.body["balance"]),
        (&json!("cancelled"), &json!(2250), &balance(9000, 0))
    );
    refused(
        &app,
        &format!("/v1/rewards/codes/{second_code}/cancellation"),
        json!({}),
        409,
        "reward_cancelled",
    )
    .await;

    // A gift card is drawn on until nothing is left.
    let card = redeem("gift-card-20").await;
    assert_eq!((&card.body["kind"], &card.body["balance_minor"]), (&json!("gift_card"), &json!(2000)));
    let card_code = card.body["code"].as_str().unwrap().to_owned();
    let draws = format!("/v1/gift-cards/{card_code}/draws");
    refused(
        &app,
        &format!("/v1/rewards/codes/{card_code}/use"),
        json!({"order_id": "o-3"}),
        422,
        "gift_card_needs_amount",
    )
    .await;
    let drawn = app.post(&draws, json!({"order_id": "o-3", "amount_minor": 1500})).await;
    assert_eq!(
        (drawn.status, &drawn.body["balance_minor"], &drawn.body["state"]),
        (201, &json!(500), &json!("issued"))
    );
    refused(
        &app,
        &draws,
        json!({"order_id": "o-4", "amount_minor": 600}),
        409,
        "gift_card_insufficient_balance",
    )
    .await;
    refused(&app, &draws, json!({"order_id": "o-4", "amount_minor": 0}), 422, "amount_must_be_positive")
        .await;
    refused(
        &app,
        &format!("/v1/rewards/codes/{card_code}/cancellation"),
        json!({}),
        409,
        "gift_card_partly_used",
    )
    .await;
    let emptied = app.post(&draws, json!({"order_id": "o-4", "amount_minor": 500})).await;
    assert_eq!((&emptied.body["balance_minor"], &emptied.body["state"]), (&json!(0), &json!("used")));
    assert_eq!(app.get(&format!("/v1/gift-cards/{card_code}")).await.body["balance_minor"], 0);
    let not_card = app.get(&format!("/v1/gift-cards/{code}")).await;
    assert_eq!((not_card.status, not_card.code()), (422, "not_a_gift_card"));

    // Limits: one tote bag a year; the scarf is for silver and gold members.
    assert_eq!(redeem("tote-bag").await.status, 201);
    let twice = redeem("tote-bag").await;
    assert_eq!((twice.status, twice.code()), (409, "reward_limit_reached"));
    let scarf = redeem("silk-scarf").await;
    assert_eq!((scarf.status, scarf.code()), (422, "tier_required"));

    // Two trees, and the report that finance books.
    for _ in 0..2 {
        let tree = redeem("plant-a-tree").await;
        assert_eq!((&tree.body["state"], &tree.body["charity"]), (&json!("used"), &json!("Reforest Europe")));
    }
    let report = app.get("/v1/reports/donations?from=2026-11-01T00:00:00Z&to=2026-12-01T00:00:00Z").await;
    assert_eq!(report.status, 200, "{:?}", report.body);
    assert_eq!(
        report.body["charities"],
        json!([{"charity": "Reforest Europe", "points": 200, "donations": 2, "value_minor": 200}])
    );
    assert_eq!((&report.body["total_value_minor"], &report.body["currency"]), (&json!(200), &json!("EUR")));
    let empty = app.get("/v1/reports/donations?from=2026-12-01T00:00:00Z&to=2027-01-01T00:00:00Z").await;
    assert_eq!(empty.body["charities"], json!([]));
    let backwards = app.get("/v1/reports/donations?from=2027-01-01T00:00:00Z&to=2026-01-01T00:00:00Z").await;
    assert_eq!((backwards.status, backwards.code()), (422, "invalid_request"));
    // 10,000 - 1,000 - 2,000 - 600 - 200.
    assert_eq!(app.get("/v1/members/ada").await.body["balance"], balance(6200, 0));

    // A voucher left unused expires after its 90 days; its points stay spent.
    let unused = redeem("voucher-10").await.body["code"].as_str().unwrap().to_owned();
    app.clock.set(at("2027-02-18T10:00:00Z"));
    let ran = app.post("/v1/jobs/run", json!({})).await;
    assert_eq!(ran.body["report"]["codes_expired"], 1, "{:?}", ran.body);
    let expired = app.get(&format!("/v1/rewards/codes/{unused}")).await;
    assert_eq!((&expired.body["state"], &expired.body["usable"]), (&json!("expired"), &json!(false)));
    refused(
        &app,
        &format!("/v1/rewards/codes/{unused}/use"),
        json!({"order_id": "o-5"}),
        409,
        "reward_expired",
    )
    .await;
    assert_eq!(app.get("/v1/members/ada").await.body["balance"], balance(5200, 0));
    let codes = app.get("/v1/members/ada/codes").await.body["codes"].as_array().unwrap().len();
    assert_eq!(codes, 7);
    app.assert_consistent().await;
}

async fn the_catalogue_is_managed_over_the_api_and_filtered_per_member(db: TestDb) {
    let app = ada_with(db, 1000).await;
    let mug = json!({"code": "mug", "name": "Enamel mug", "kind": "product", "points_cost": 300, "stock": 2});
    let created = app.post("/v1/rewards", mug.clone()).await;
    assert_eq!((created.status, &created.body["code"]), (201, &json!("mug")), "{:?}", created.body);
    refused(&app, "/v1/rewards", mug, 409, "reward_already_exists").await;
    let broken = app
        .post("/v1/rewards", json!({"code": "card", "name": "Card", "kind": "gift_card", "points_cost": 5}))
        .await;
    assert_eq!((broken.status, broken.code()), (422, "invalid_program"));
    assert!(
        broken.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("rewards[7].value_minor: a gift_card reward needs it")
    );
    let pos = app.add_key(Role::Pos).await;
    let denied = app
        .send_as(&pos, Method::POST, "/v1/rewards", Some(json!({"code": "x", "name": "X", "points_cost": 1})))
        .await;
    assert_eq!(denied.status, 403);

    assert_eq!(app.patch("/v1/rewards/mug", json!({"stock": 1})).await.status, 200);
    assert_eq!(app.post("/v1/members/ada/redemptions", json!({"reward": "mug"})).await.status, 201);
    refused(&app, "/v1/members/ada/redemptions", json!({"reward": "mug"}), 409, "reward_out_of_stock").await;
    let shown = app.get("/v1/rewards/mug").await.body;
    assert_eq!((&shown["stock"], &shown["stock_left"], &shown["issued"]), (&json!(1), &json!(0), &json!(1)));

    // Ada has 700 points: the vouchers cost more, the tree less; the mug is out of stock,
    // the scarf not for her tier, and the tote bag is hers to take.
    let listed = app.get("/v1/members/ada/rewards").await.body;
    let offered: Vec<(&str, bool)> = listed["rewards"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["code"].as_str().unwrap(), r["affordable"].as_bool().unwrap()))
        .collect();
    assert_eq!(
        offered,
        [
            ("voucher-10", false),
            ("voucher-25", false),
            ("tote-bag", true),
            ("gift-card-20", false),
            ("plant-a-tree", true)
        ]
    );

    let archived = app.send_as(&app.key, Method::DELETE, "/v1/rewards/tote-bag", None).await;
    assert_eq!(archived.status, 200, "{:?}", archived.body);
    refused(&app, "/v1/members/ada/redemptions", json!({"reward": "tote-bag"}), 409, "reward_archived").await;
    let again = app.send_as(&app.key, Method::DELETE, "/v1/rewards/tote-bag", None).await;
    assert_eq!((again.status, again.code()), (409, "reward_archived"));
    let missing = app.patch("/v1/rewards/nothing", json!({"stock": 3})).await;
    assert_eq!((missing.status, missing.code()), (404, "reward_not_found"));
    app.assert_consistent().await;
}
