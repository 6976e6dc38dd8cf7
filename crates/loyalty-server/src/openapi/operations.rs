//! The routes the document describes: one entry per route and method.

use super::*;

/// Every route and method the API serves.
pub(super) fn operations() -> Vec<Operation> {
    use Body::{Json, Optional};
    use Key::{Admin, Pos};
    vec![
        op("get", "/health", "health", "system")
            .says("Liveness: 200 when the database answers")
            .key(Key::None)
            .reply(200, "The database answers", "Health")
            .reply(503, "The database does not answer", "Health"),
        op("get", "/metrics", "metrics", "system")
            .says("Prometheus metrics of requests and events")
            .key(Key::None)
            .text_reply(),
        op("get", "/openapi.json", "openapi", "system").says("This document").key(Key::None).reply(
            200,
            "The OpenAPI 3.1 document",
            "OpenApiDocument",
        ),
        op("get", "/docs", "docs", "system").says("This document as an interactive reference").key(Key::None).page_reply("The reference page", "text/html"),
        op("get", "/docs/{file}", "docs_file", "system")
            .says("A file the reference page loads (`swagger-ui-bundle.js`, `swagger-ui.css`, `docs.js`)")
            .key(Key::None)
            .page_reply("The file", "text/javascript")
            .errors(&[404]),
        op("post", "/v1/members", "enrol_member", "members")
            .says("Enrol a member")
            .key(Pos)
            .body(Json("Enrolment"))
            .idempotent()
            .ok(201, "Member"),
        op("get", "/v1/members/{external_id}", "get_member", "members")
            .says("A member with their balance, tier, standing and punch cards")
            .ok(200, "Member")
            .errors(&[404]),
        op("patch", "/v1/members/{external_id}", "update_member", "members")
            .says("Change a member's profile; `tier` needs an admin key")
            .key(Pos)
            .body(Json("ProfileChanges"))
            .idempotent()
            .ok(200, "Member")
            .errors(&[404]),
        op("post", "/v1/members/{external_id}/referrer", "name_referrer", "members")
            .says("Name the member who referred them, before their first purchase")
            .key(Pos)
            .body(Json("ReferrerRequest"))
            .idempotent()
            .ok(201, "Member")
            .errors(&[404]),
        op("post", "/v1/members/{external_id}/erasure", "erase_member", "members")
            .says("Erase a member's personal data; their points and journal stay")
            .key(Admin)
            .body(Optional("ErasureRequest"))
            .ok(200, "Erased")
            .errors(&[404]),
        op("get", "/v1/members/{external_id}/ledger", "member_ledger", "members")
            .says("The member's journal entries with postings, newest first")
            .query("limit", json!({ "type": "integer", "minimum": 1, "maximum": 500, "default": 50 }))
            .query("cursor", json!({ "type": "string", "description": "`next_cursor` of the previous page" }))
            .ok(200, "LedgerPage")
            .errors(&[400, 404]),
        op("post", "/v1/events", "record_event", "events")
            .says("Record a purchase, a return or an activity")
            .key(Pos)
            .body(Json("Event"))
            .idempotent()
            .ok(201, "EventOutcome")
            .errors(&[404]),
        op("post", "/v1/members/{external_id}/redemptions", "redeem", "spending")
            .says("Redeem a reward: its points are spent and a reward code issued")
            .key(Pos)
            .body(Json("RedemptionRequest"))
            .idempotent()
            .ok(201, "Redemption")
            .errors(&[404]),
        op("post", "/v1/members/{external_id}/adjustments", "adjust", "spending")
            .says("Add or take points by hand")
            .key(Admin)
            .body(Json("AdjustmentRequest"))
            .idempotent()
            .ok(201, "Adjustment")
            .errors(&[404]),
        op("post", "/v1/members/{external_id}/review/release", "release_review", "spending")
            .says("Make available the points held for review")
            .key(Admin)
            .body(Json("ReviewRequest"))
            .idempotent()
            .ok(201, "Review")
            .errors(&[404]),
        op("post", "/v1/members/{external_id}/review/void", "void_review", "spending")
            .says("Take back the points held for review")
            .key(Admin)
            .body(Json("ReviewRequest"))
            .idempotent()
            .ok(201, "Review")
            .errors(&[404]),
        op("get", "/v1/program", "get_program", "program")
            .says("The program's latest version and definition")
            .ok(200, "ProgramVersion"),
        op("put", "/v1/program", "replace_program", "program")
            .says("A new definition, in force from now")
            .key(Admin)
            .body(Json("ProgramDefinition"))
            .reply(201, "A new version", "ProgramVersion")
            .reply(200, "The definition is unchanged: the latest version", "ProgramVersion"),
        op("get", "/v1/program/versions", "program_versions", "program")
            .says("Every version of the program, with `effective_from`")
            .ok(200, "ProgramVersions"),
        op("get", "/v1/campaigns", "list_campaigns", "campaigns")
            .says("The campaigns with their status and the budget they spent")
            .ok(200, "CampaignList"),
        op("post", "/v1/campaigns", "create_campaign", "campaigns")
            .says("Add a campaign: a new program version")
            .key(Admin)
            .body(Json("Campaign"))
            .ok(201, "NewVersion")
            .errors(&[409]),
        op("patch", "/v1/campaigns/{id}", "update_campaign", "campaigns")
            .says("Change a campaign's fields: a new program version")
            .key(Admin)
            .body(Json("Changes"))
            .ok(200, "NewVersion")
            .errors(&[404]),
        op("post", "/v1/campaigns/{id}/end", "end_campaign", "campaigns")
            .says("End a campaign now (one not started yet is withdrawn)")
            .key(Admin)
            .ok(200, "NewVersion")
            .errors(&[404, 409]),
        op("post", "/v1/members/{external_id}/status", "change_status", "standing")
            .says("Suspend, resume, close or reinstate a member")
            .key(Admin)
            .body(Json("StatusRequest"))
            .idempotent()
            .ok(201, "Member")
            .errors(&[404]),
        op("post", "/v1/members/{external_id}/subscription", "start_subscription", "standing")
            .says("Billing took the first month of a paid tier")
            .key(Pos)
            .body(Json("SubscriptionRequest"))
            .idempotent()
            .ok(201, "Member")
            .errors(&[404]),
        op("get", "/v1/members/{external_id}/subscription", "get_subscription", "standing")
            .says("The paid tier's state and its history")
            .ok(200, "SubscriptionView")
            .errors(&[404]),
        op("post", "/v1/members/{external_id}/subscription/{news}", "subscription_news", "standing")
            .says("Billing's later news of the paid tier")
            .key(Pos)
            .idempotent()
            .ok(201, "Member")
            .errors(&[404]),
        op("get", "/v1/members/{external_id}/tiers", "member_tiers", "standing")
            .says("The member's tier, their progress and their tier history")
            .ok(200, "TierView")
            .errors(&[404]),
        op("get", "/v1/members/{external_id}/history", "member_history", "standing")
            .says("Every tier, subscription, status, reward code and hold change, oldest first")
            .query(
                "topic",
                json!({ "type": "string", "enum": ["tier", "subscription", "status", "reward", "hold"] }),
            )
            .ok(200, "History")
            .errors(&[404]),
        op("get", "/v1/rewards", "list_rewards", "rewards")
            .says("The catalogue, with what was issued and what is left")
            .ok(200, "RewardList"),
        op("post", "/v1/rewards", "create_reward", "rewards")
            .says("Add a reward: a new program version")
            .key(Admin)
            .body(Json("RewardDefinition"))
            .ok(201, "NewVersion")
            .errors(&[409]),
        op("get", "/v1/rewards/{code}", "get_reward", "rewards")
            .says("One reward")
            .ok(200, "Reward")
            .errors(&[404]),
        op("patch", "/v1/rewards/{code}", "update_reward", "rewards")
            .says("Change a reward's fields (`null` removes one): a new program version")
            .key(Admin)
            .body(Json("Changes"))
            .ok(200, "NewVersion")
            .errors(&[404]),
        op("delete", "/v1/rewards/{code}", "archive_reward", "rewards")
            .says("Archive a reward: no more redemptions; codes issued stay valid")
            .key(Admin)
            .ok(200, "NewVersion")
            .errors(&[404, 409]),
        op("get", "/v1/members/{external_id}/rewards", "eligible_rewards", "rewards")
            .says("What the member may redeem now, each with whether they can afford it")
            .ok(200, "EligibleRewards")
            .errors(&[404]),
        op("get", "/v1/members/{external_id}/codes", "member_codes", "codes")
            .says("The member's reward codes and their states")
            .ok(200, "MemberCodes")
            .errors(&[404]),
        op("get", "/v1/rewards/codes/{code}", "get_code", "codes")
            .says("A reward code as the till checks it")
            .ok(200, "RewardCode")
            .errors(&[404]),
        op("post", "/v1/rewards/codes/{code}/use", "use_code", "codes")
            .says("The till accepted the code")
            .key(Pos)
            .body(Json("UseRequest"))
            .idempotent()
            .ok(201, "CodeOutcome")
            .errors(&[404]),
        op("post", "/v1/rewards/codes/{code}/cancellation", "cancel_code", "codes")
            .says("The member gives an unused reward back: its points and stock return")
            .key(Pos)
            .idempotent()
            .ok(201, "CodeOutcome")
            .errors(&[404]),
        op("get", "/v1/gift-cards/{code}", "get_gift_card", "codes")
            .says("A gift card and its balance")
            .ok(200, "RewardCode")
            .errors(&[404]),
        op("post", "/v1/gift-cards/{code}/draws", "draw_gift_card", "codes")
            .says("Draw part of a gift card's balance")
            .key(Pos)
            .body(Json("DrawRequest"))
            .idempotent()
            .ok(201, "CodeOutcome")
            .errors(&[404]),
        op("post", "/v1/members/{external_id}/holds", "open_hold", "holds")
            .says("Reserve points for an order: a number of points, a reward, or an amount paid with points")
            .key(Pos)
            .body(Json("HoldRequest"))
            .idempotent()
            .ok(201, "HoldOutcome")
            .errors(&[404]),
        op("get", "/v1/holds/{hold_id}", "get_hold", "holds").says("A hold").ok(200, "Hold").errors(&[404]),
        op("post", "/v1/holds/{hold_id}/capture", "capture_hold", "holds")
            .says("Spend a hold's points (a reward's code is issued now)")
            .key(Pos)
            .idempotent()
            .ok(201, "HoldOutcome")
            .errors(&[404]),
        op("post", "/v1/holds/{hold_id}/release", "release_hold", "holds")
            .says("Free a hold's points")
            .key(Pos)
            .idempotent()
            .ok(201, "HoldOutcome")
            .errors(&[404]),
        op("get", "/v1/reports/liability", "liability_report", "reports")
            .says("The liability roll-forward of the period, per tier and in total")
            .query("from", bound())
            .query("to", bound())
            .query("format", format())
            .ok(200, "Report")
            .or_csv()
            .errors(&[422]),
        op("get", "/v1/reports/breakage", "breakage_report", "reports")
            .says("The breakage rate, the liability it implies, and the cohorts of issued points")
            .query("from", bound())
            .query("to", bound())
            .query("format", format())
            .ok(200, "Report")
            .or_csv()
            .errors(&[422]),
        op("get", "/v1/reports/kpis", "kpi_report", "reports")
            .says("Active members, enrolments, points earned and burned, redemption rate, top rewards")
            .query("from", bound())
            .query("to", bound())
            .query("format", format())
            .ok(200, "Report")
            .or_csv()
            .errors(&[422]),
        op("get", "/v1/reports/donations", "donation_report", "reports")
            .says("Points donated in the period per charity, with their money value")
            .query("from", bound())
            .query("to", bound())
            .ok(200, "Donations")
            .errors(&[422]),
        op("post", "/v1/jobs/run", "run_jobs", "jobs")
            .says("Run the program's due jobs now")
            .key(Admin)
            .ok(200, "JobRun"),
        op("get", "/v1/admin/clock", "get_clock", "jobs")
            .says("The caller's program's time (its test clock, or the system's)")
            .key(Admin)
            .ok(200, "Clock"),
        op("get", "/v1/webhooks", "list_webhooks", "webhooks")
            .says("The webhook subscriptions, and the event types one can name")
            .key(Admin)
            .ok(200, "WebhookList"),
        op("post", "/v1/webhooks", "create_webhook", "webhooks")
            .says("Subscribe a URL to event types; the answer shows the signing secret, once")
            .key(Admin)
            .body(Json("WebhookRequest"))
            .ok(201, "Webhook")
            .errors(&[422]),
        op("delete", "/v1/webhooks/{id}", "remove_webhook", "webhooks")
            .says("End a subscription; its deliveries not yet sent are cancelled")
            .key(Admin)
            .ok(200, "WebhookRemoved")
            .errors(&[404]),
        op("get", "/v1/webhooks/deliveries", "list_deliveries", "webhooks")
            .says("The delivery log, newest first")
            .key(Admin)
            .query(
                "state",
                json!({ "type": "string", "enum": ["pending", "delivered", "failed", "cancelled"] }),
            )
            .query(
                "before",
                json!({ "type": "integer", "description": "`next_before` of the previous page" }),
            )
            .query("limit", json!({ "type": "integer", "minimum": 1, "maximum": 500, "default": 50 }))
            .ok(200, "DeliveryPage")
            .errors(&[422]),
        op("get", "/v1/webhooks/deliveries/{id}", "get_delivery", "webhooks")
            .says("One delivery with its attempts")
            .key(Admin)
            .ok(200, "DeliveryDetail")
            .errors(&[404]),
        op("post", "/v1/webhooks/deliveries/{id}/replay", "replay_delivery", "webhooks")
            .says("Send a delivery again")
            .key(Admin)
            .ok(200, "DeliveryReplayed")
            .errors(&[404]),
        op("post", "/v1/webhooks/dispatch", "dispatch_webhooks", "webhooks")
            .says("Send every delivery of the caller's program due now")
            .key(Admin)
            .ok(200, "DispatchRun"),
        op("put", "/v1/admin/clock", "set_clock", "jobs")
            .says("Set the caller's program's test clock, and no other program's (only on a server started with LOYALTY_TEST_CLOCK)")
            .key(Admin)
            .body(Json("SetClock"))
            .ok(200, "Clock")
            .errors(&[409]),
    ]
}
