//! The README's walkthrough through the generated client, against the real server on a
//! real socket: if the document stops describing what the server answers, a call here
//! fails to compile or to read its answer.

#![allow(clippy::unwrap_used)]

use loyalty_client::{Client, Error, types};
use loyalty_testkit::{TestDb, TestServer};
use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderValue};
use std::num::{NonZeroU32, NonZeroU64};

fn client(server: &TestServer) -> Client {
    let mut headers = HeaderMap::new();
    headers.insert(AUTHORIZATION, HeaderValue::from_str(&format!("Bearer {}", server.key)).unwrap());
    let http = reqwest::Client::builder().default_headers(headers).build().unwrap();
    Client::new_with_client(&server.base, http)
}

fn purchase_line(
    sku: &str,
    category: &str,
    quantity: i64,
    unit_price_minor: i64,
) -> types::PurchaseLineRequest {
    types::PurchaseLineRequest {
        sku: sku.to_owned(),
        category: Some(category.to_owned()),
        quantity,
        unit_price_minor,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_walkthrough_runs_through_the_generated_client() {
    let server = TestServer::start(TestDb::sqlite()).await;
    let api = client(&server);

    let enrol = types::EnrolRequest {
        external_id: "c-1001".parse().unwrap(),
        email: Some("ada@example.com".parse().unwrap()),
        name: Some("Ada".parse().unwrap()),
        birth_date: None,
        referred_by: None,
        tags: None,
    };
    let member = api.enrol_member(None, &enrol).await.unwrap().into_inner();
    assert_eq!(member.external_id, "c-1001");
    assert_eq!(member.balance.available, 0);

    let bought = types::EventRequest::Purchase {
        member: "c-1001".to_owned(),
        order_id: "o-1".to_owned(),
        occurred_at: None,
        lines: vec![
            purchase_line("latte", "coffee", 2, 475),
            purchase_line("pumpkin-loaf", "pastry", 1, 325),
        ],
    };
    let outcome = api.record_event(None, &bought).await.unwrap().into_inner();
    let types::EventOutcome::PurchaseOutcome(purchase) = outcome else {
        panic!("a purchase's outcome: {outcome:?}")
    };
    assert_eq!(purchase.points_awarded, 160);
    assert_eq!(purchase.balance.available, 160);

    let returned = types::EventRequest::Return {
        member: "c-1001".to_owned(),
        order_id: "o-1".to_owned(),
        occurred_at: None,
        lines: vec![types::ReturnLineRequest { sku: "pumpkin-loaf".to_owned(), quantity: 1 }],
    };
    let outcome = api.record_event(None, &returned).await.unwrap().into_inner();
    let types::EventOutcome::ReturnOutcome(refund) = outcome else {
        panic!("a return's outcome: {outcome:?}")
    };
    assert_eq!(refund.balance.available, 95);

    let key: types::IdempotencyKey = "redeem-1".parse().unwrap();
    let drink = types::RedemptionRequest { reward: "free-drink".parse().unwrap() };
    let redeemed = api.redeem(&"c-1001".parse().unwrap(), Some(&key), &drink).await.unwrap().into_inner();
    assert_eq!(redeemed.points_spent, 90);
    assert_eq!(redeemed.balance.available, 5);

    match api.redeem(&"c-1001".parse().unwrap(), None, &drink).await {
        Err(Error::ErrorResponse(refused)) => {
            assert_eq!(refused.status().as_u16(), 422);
            assert_eq!(refused.into_inner().error.code, types::ErrorCode::InsufficientPoints);
        }
        other => panic!("a second redemption with 5 points: {other:?}"),
    }
    let again = api.redeem(&"c-1001".parse().unwrap(), Some(&key), &drink).await.unwrap().into_inner();
    assert_eq!(again.code, redeemed.code);
    assert_eq!(again.balance.available, 5);

    let ledger = api
        .member_ledger(&"c-1001".parse().unwrap(), None, Some(NonZeroU32::new(50).unwrap()))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(ledger.entries.len(), 3);
    assert_eq!(ledger.next_cursor, None);

    let correction = types::AdjustmentRequest { points: 20, reason: "spilt latte".parse().unwrap() };
    let adjusted = api.adjust(&"c-1001".parse().unwrap(), None, &correction).await.unwrap().into_inner();
    assert_eq!(adjusted.balance.available, 25);

    let hold = types::HoldBody {
        order_id: "o-2".parse().unwrap(),
        amount_minor: NonZeroU64::new(100),
        basket_minor: NonZeroU64::new(475),
        points: None,
        reward: None,
    };
    let held = api.open_hold(&"c-1001".parse().unwrap(), None, &hold).await.unwrap().into_inner();
    assert_eq!(held.balance.held, 20);
    let captured = api.capture_hold(&held.hold_id, None).await.unwrap().into_inner();
    assert_eq!(captured.balance.held, 0);
    assert_eq!(captured.balance.available, 5);

    let member = api.get_member(&"c-1001".parse().unwrap()).await.unwrap().into_inner();
    assert_eq!(member.name.as_deref(), Some("Ada"));
    assert_eq!(member.balance.available, 5);
    server.stop().await;
}
