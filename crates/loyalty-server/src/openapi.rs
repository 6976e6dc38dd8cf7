//! The API document: an OpenAPI 3.1 description of every route and every error code,
//! served at `GET /openapi.json` and checked in as `openapi.json` at the repository root.
//!
//! It is built from `operations()`, one entry per route and method, and from the error
//! codes: the engine's (`Rejection::ALL_CODES`) and the edge's own ([`STATUSES`]). The
//! API tests hold it to the code: its paths and methods must be those the router serves,
//! its codes those the code base can produce, and `openapi.json` must be what [`render`]
//! gives (`UPDATE_OPENAPI=1 cargo nextest run -p loyalty-server --test api openapi`
//! rewrites the file).
//!
//! Request and response schemas are coarse: objects with their main fields, most of them
//! open to more.

use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};
use loyalty_core::Rejection;
use serde_json::{Map, Value, json};
use std::collections::BTreeSet;
use std::sync::LazyLock;

/// `GET /openapi.json`: the document, needing no key.
pub async fn serve() -> Response {
    static TEXT: LazyLock<String> = LazyLock::new(render);
    ([(CONTENT_TYPE, "application/json")], TEXT.as_str()).into_response()
}

/// The document as `openapi.json` holds it: pretty, keys sorted, a newline at the end.
pub fn render() -> String {
    let mut text = serde_json::to_string_pretty(&sorted(document())).expect("a JSON value always serialises");
    text.push('\n');
    text
}

/// Keys in order whether or not serde_json preserves insertion order, so that the text
/// is the same in every build.
fn sorted(value: Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<(String, Value)> = map.into_iter().collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            Value::Object(entries.into_iter().map(|(k, v)| (k, sorted(v))).collect())
        }
        Value::Array(items) => Value::Array(items.into_iter().map(sorted).collect()),
        other => other,
    }
}

/// The edge's own error codes, and the rejections that `error.rs` does not answer with
/// 422, by status; every other rejection is a 422.
pub const STATUSES: &[(u16, &str, &[&str])] = &[
    (400, "The request could not be read", &["malformed_json", "malformed_request", "invalid_cursor"]),
    (401, "No valid API key was sent", &["unauthorized"]),
    (403, "The key's role does not allow this", &["forbidden"]),
    (
        404,
        "Not found",
        &[
            "member_not_found",
            "reward_not_found",
            "order_not_found",
            "campaign_not_found",
            "tier_not_found",
            "reward_code_not_found",
            "hold_not_found",
            "not_found",
        ],
    ),
    (405, "The route does not take this method", &["method_not_allowed"]),
    (
        409,
        "In conflict with what is stored",
        &[
            "member_already_exists",
            "idempotency_key_reused",
            "order_already_recorded",
            "campaign_already_exists",
            "campaign_already_ended",
            "test_clock_off",
            "member_closed",
            "member_suspended",
            "status_unchanged",
            "member_not_closed",
            "already_subscribed",
            "reward_already_exists",
            "reward_archived",
            "reward_not_active",
            "reward_out_of_stock",
            "reward_limit_reached",
            "reward_already_used",
            "reward_cancelled",
            "reward_expired",
            "gift_card_insufficient_balance",
            "gift_card_partly_used",
            "hold_not_open",
            "hold_expired",
            "member_has_open_holds",
        ],
    ),
    (413, "The body is over the limit of 1 MiB", &["payload_too_large"]),
    (415, "The body is not sent as application/json", &["unsupported_media_type"]),
    (422, "Refused: a field or the request is not acceptable", &["invalid_request", "invalid_program"]),
    (500, "An internal error; its cause is logged, never sent", &["internal_error"]),
];

/// Every error code by status, as the document lists them.
pub fn error_codes() -> Vec<(u16, Vec<&'static str>)> {
    let placed: BTreeSet<&str> = STATUSES.iter().flat_map(|(_, _, codes)| codes.iter().copied()).collect();
    STATUSES
        .iter()
        .map(|&(status, _, codes)| {
            let mut codes = codes.to_vec();
            if status == 422 {
                codes.extend(Rejection::ALL_CODES.iter().filter(|code| !placed.contains(*code)));
            }
            (status, codes)
        })
        .collect()
}

/// The key a route needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Key {
    None,
    Read,
    Pos,
    Admin,
}

/// What a route takes as its body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Body {
    None,
    /// A JSON body of this schema.
    Json(&'static str),
    /// No body, or a JSON body of this schema; no content type is needed.
    Optional(&'static str),
}

/// An answer that is not an error: its status, its description, and the media type and
/// schema of each form it comes in.
type Reply = (u16, &'static str, Vec<(&'static str, &'static str)>);

/// One route and method.
#[derive(Debug)]
struct Operation {
    method: &'static str,
    path: &'static str,
    id: &'static str,
    tag: &'static str,
    summary: &'static str,
    key: Key,
    body: Body,
    idempotent: bool,
    query: Vec<(&'static str, Value)>,
    replies: Vec<Reply>,
    errors: Vec<u16>,
}

fn op(method: &'static str, path: &'static str, id: &'static str, tag: &'static str) -> Operation {
    Operation {
        method,
        path,
        id,
        tag,
        summary: "",
        key: Key::Read,
        body: Body::None,
        idempotent: false,
        query: Vec::new(),
        replies: Vec::new(),
        errors: Vec::new(),
    }
}

impl Operation {
    fn says(mut self, summary: &'static str) -> Operation {
        self.summary = summary;
        self
    }

    fn key(mut self, key: Key) -> Operation {
        self.key = key;
        self
    }

    fn body(mut self, body: Body) -> Operation {
        self.body = body;
        self
    }

    /// A write that takes an `Idempotency-Key` and answers 201 with the event's outcome.
    fn idempotent(mut self) -> Operation {
        self.idempotent = true;
        self
    }

    fn query(mut self, name: &'static str, schema: Value) -> Operation {
        self.query.push((name, schema));
        self
    }

    fn ok(self, status: u16, schema: &'static str) -> Operation {
        let description = match status {
            201 => "Created",
            _ => "OK",
        };
        self.reply(status, description, schema)
    }

    fn reply(mut self, status: u16, description: &'static str, schema: &'static str) -> Operation {
        self.replies.push((status, description, vec![("application/json", schema)]));
        self
    }

    /// The last answer can also be CSV (`?format=csv`).
    fn or_csv(mut self) -> Operation {
        if let Some((_, _, content)) = self.replies.last_mut() {
            content.push(("text/csv", "Csv"));
        }
        self
    }

    /// The metrics answer in Prometheus text.
    fn text_reply(mut self) -> Operation {
        self.replies.push((200, "Prometheus text exposition", vec![("text/plain", "Metrics")]));
        self
    }

    fn errors(mut self, statuses: &[u16]) -> Operation {
        self.errors.extend_from_slice(statuses);
        self
    }
}

fn string() -> Value {
    json!({ "type": "string" })
}

fn date() -> Value {
    json!({ "type": "string", "format": "date" })
}

fn instant() -> Value {
    json!({ "type": "string", "format": "date-time" })
}

fn format() -> Value {
    json!({ "type": "string", "enum": ["json", "csv"], "default": "json" })
}

/// Every route and method the API serves.
fn operations() -> Vec<Operation> {
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
            .says("The liability roll-forward of local days, per tier and in total")
            .query("from", date())
            .query("to", date())
            .query("format", format())
            .ok(200, "Report")
            .or_csv()
            .errors(&[422]),
        op("get", "/v1/reports/breakage", "breakage_report", "reports")
            .says("The breakage rate, the liability it implies, and the cohorts of issued points")
            .query("format", format())
            .ok(200, "Report")
            .or_csv()
            .errors(&[422]),
        op("get", "/v1/reports/kpis", "kpi_report", "reports")
            .says("Active members, enrolments, points earned and burned, redemption rate, top rewards")
            .query("from", date())
            .query("to", date())
            .query("format", format())
            .ok(200, "Report")
            .or_csv()
            .errors(&[422]),
        op("get", "/v1/reports/donations", "donation_report", "reports")
            .says("Points donated in [from, to) per charity, with their money value")
            .query("from", instant())
            .query("to", instant())
            .ok(200, "Donations")
            .errors(&[422]),
        op("post", "/v1/jobs/run", "run_jobs", "jobs")
            .says("Run the program's due jobs now")
            .key(Admin)
            .ok(200, "JobRun"),
        op("get", "/v1/admin/clock", "get_clock", "jobs")
            .says("The server's time")
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
            .ok(201, "Webhook"),
        op("delete", "/v1/webhooks/{id}", "remove_webhook", "webhooks")
            .says("End a subscription")
            .key(Admin)
            .ok(200, "WebhookRemoved")
            .errors(&[404]),
        op("get", "/v1/webhooks/deliveries", "list_deliveries", "webhooks")
            .says("The delivery log, newest first")
            .key(Admin)
            .query("state", json!({ "type": "string", "enum": ["pending", "delivered", "failed"] }))
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
            .says("Send every delivery due now")
            .key(Admin)
            .ok(200, "DispatchRun"),
        op("put", "/v1/admin/clock", "set_clock", "jobs")
            .says("Set the server's time (only on a server started with LOYALTY_TEST_CLOCK)")
            .key(Admin)
            .body(Json("SetClock"))
            .ok(200, "Clock")
            .errors(&[409]),
    ]
}

impl Operation {
    /// Every status this route can answer an error with.
    fn error_statuses(&self) -> BTreeSet<u16> {
        let mut statuses: BTreeSet<u16> = self.errors.iter().copied().collect();
        statuses.insert(500);
        if self.key != Key::None {
            statuses.insert(401);
        }
        if matches!(self.key, Key::Pos | Key::Admin) {
            statuses.insert(403);
        }
        match self.body {
            Body::Json(_) => statuses.extend([400, 413, 415, 422]),
            Body::Optional(_) => statuses.extend([400, 413, 422]),
            Body::None => {}
        }
        let parsed = ["{external_id}", "{hold_id}", "/v1/rewards/codes/{", "/v1/gift-cards/{"];
        if parsed.iter().any(|p| self.path.contains(p)) {
            // An id of the wrong shape.
            statuses.insert(422);
        }
        if self.path.contains("{external_id}") {
            // A member's path that cannot be read at all.
            statuses.insert(400);
        }
        if self.idempotent {
            // A reused key, and a key of the wrong shape.
            statuses.extend([409, 422]);
        }
        statuses
    }

    fn render(&self) -> Value {
        let mut parameters: Vec<Value> = path_parameters(self.path);
        for (name, schema) in &self.query {
            parameters.push(json!({ "name": name, "in": "query", "required": false, "schema": schema }));
        }
        if self.idempotent {
            parameters.push(json!({ "$ref": "#/components/parameters/IdempotencyKey" }));
        }
        let mut responses = Map::new();
        for (status, description, content) in &self.replies {
            let content: Map<String, Value> = content
                .iter()
                .map(|(media, schema)| (media.to_string(), json!({ "schema": reference(schema) })))
                .collect();
            let mut response = json!({ "description": description, "content": content });
            if self.idempotent {
                response["headers"] = json!({
                    "Idempotent-Replayed": { "$ref": "#/components/headers/IdempotentReplayed" }
                });
            }
            responses.insert(status.to_string(), response);
        }
        for status in self.error_statuses() {
            responses.insert(
                status.to_string(),
                json!({ "$ref": format!("#/components/responses/Error{status}") }),
            );
        }
        let role = match self.key {
            Key::None => "No key needed.",
            Key::Read => "Any key.",
            Key::Pos => "An `admin` or `pos` key.",
            Key::Admin => "An `admin` key.",
        };
        let mut operation = json!({
            "operationId": self.id,
            "tags": [self.tag],
            "summary": self.summary,
            "description": role,
            "responses": responses,
        });
        if !parameters.is_empty() {
            operation["parameters"] = Value::Array(parameters);
        }
        if self.key == Key::None {
            operation["security"] = json!([]);
        }
        match self.body {
            Body::None => {}
            Body::Json(schema) => {
                operation["requestBody"] = json!({
                    "required": true,
                    "content": { "application/json": { "schema": reference(schema) } },
                });
            }
            Body::Optional(schema) => {
                operation["requestBody"] = json!({
                    "required": false,
                    "content": { "application/json": { "schema": reference(schema) } },
                });
            }
        }
        operation
    }
}

fn reference(schema: &str) -> Value {
    json!({ "$ref": format!("#/components/schemas/{schema}") })
}

/// The parameters a path template names, in order.
fn path_parameters(path: &str) -> Vec<Value> {
    path.split('/')
        .filter_map(|segment| segment.strip_prefix('{')?.strip_suffix('}'))
        .map(|name| {
            let (description, schema) = match name {
                "external_id" => ("The member's external id", string()),
                "id" if path.starts_with("/v1/webhooks/deliveries/") => {
                    ("The delivery's id", json!({ "type": "integer" }))
                }
                "id" if path.starts_with("/v1/webhooks/") => ("The subscription's id", json!({ "type": "integer" })),
                "id" => ("The campaign's id", string()),
                "hold_id" => ("The hold's id", string()),
                "news" => (
                    "What billing reports",
                    json!({ "type": "string", "enum": ["renewal", "payment-failure", "cancellation"] }),
                ),
                "code" if path.starts_with("/v1/rewards/codes/") => ("An issued reward code", string()),
                "code" if path.starts_with("/v1/gift-cards/") => ("The gift card's code", string()),
                "code" => ("The reward's code in the catalogue", string()),
                _ => ("", string()),
            };
            json!({ "name": name, "in": "path", "required": true, "description": description, "schema": schema })
        })
        .collect()
}

/// The whole document.
pub fn document() -> Value {
    let mut paths = Map::new();
    for operation in operations() {
        let item = paths.entry(operation.path).or_insert_with(|| json!({}));
        item[operation.method] = operation.render();
    }
    let codes = error_codes();
    let mut responses = Map::new();
    for (status, codes) in &codes {
        let what = STATUSES.iter().find(|(s, _, _)| s == status).map_or("", |(_, what, _)| *what);
        let listed: Vec<String> = codes.iter().map(|c| format!("`{c}`")).collect();
        responses.insert(
            format!("Error{status}"),
            json!({
                "description": format!("{what}. Codes: {}.", listed.join(", ")),
                "content": { "application/json": { "schema": {
                    "allOf": [{ "$ref": "#/components/schemas/Error" }],
                    "properties": { "error": { "properties": { "code": { "enum": codes } } } },
                } } },
            }),
        );
    }
    let every_code: Vec<&str> = codes.iter().flat_map(|(_, codes)| codes.iter().copied()).collect();
    let mut schemas = schemas();
    schemas["ErrorCode"] = json!({
        "type": "string",
        "description": "Every error code the API answers with; each response lists the codes of its status.",
        "enum": every_code,
    });
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Loyalty engine API",
            "version": env!("CARGO_PKG_VERSION"),
            "license": { "name": "Apache-2.0", "identifier": "Apache-2.0" },
            "description": "The HTTP API of the loyalty engine. JSON in and out; timestamps are RFC 3339. \
                Every route but `/health`, `/metrics` and `/openapi.json` needs `Authorization: Bearer <key>`; \
                a key belongs to one program and has a role: `admin`, `pos` or `read`. \
                Writes that record an event take an `Idempotency-Key`. Every error is \
                `{\"error\": {\"code\", \"message\"}}` with a stable code. Every response carries an \
                `x-request-id`. Schemas are coarse: the main fields of each object.",
        },
        "tags": [
            { "name": "system", "description": "Health, metrics and this document" },
            { "name": "members", "description": "Enrolment, profiles, erasure and the journal" },
            { "name": "events", "description": "Purchases, returns and activities" },
            { "name": "spending", "description": "Redemptions, adjustments and review decisions" },
            { "name": "program", "description": "The program's definition and versions" },
            { "name": "campaigns", "description": "Campaigns, each change a new program version" },
            { "name": "standing", "description": "Status, paid tiers and history" },
            { "name": "rewards", "description": "The reward catalogue" },
            { "name": "codes", "description": "Issued reward codes and gift cards at the till" },
            { "name": "holds", "description": "Checkout holds" },
            { "name": "reports", "description": "Liability, breakage, KPIs and donations" },
            { "name": "jobs", "description": "Due jobs and the test clock" },
            { "name": "webhooks", "description": "Webhook subscriptions and their deliveries" },
        ],
        "security": [{ "bearer": [] }],
        "paths": paths,
        "components": {
            "securitySchemes": {
                "bearer": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "An API key of the program, as `Authorization: Bearer <key>`.",
                },
            },
            "parameters": {
                "IdempotencyKey": {
                    "name": "Idempotency-Key",
                    "in": "header",
                    "required": false,
                    "description": "The same key with the same body returns the first response and changes \
                        nothing; with another body it is `409 idempotency_key_reused`.",
                    "schema": { "type": "string" },
                },
            },
            "headers": {
                "IdempotentReplayed": {
                    "description": "`true` when the response repeats the stored result of an earlier request.",
                    "schema": { "type": "string", "enum": ["true"] },
                },
            },
            "responses": responses,
            "schemas": schemas,
        },
    })
}

/// The schemas but `ErrorCode`, which is made from the codes.
fn schemas() -> Value {
    let points = json!({ "type": "integer" });
    let optional_string = json!({ "type": ["string", "null"] });
    let history = json!({ "type": "array", "items": { "$ref": "#/components/schemas/HistoryEntry" } });
    let outcome = |extra: Value| -> Value {
        let mut properties = json!({
            "member": string(),
            "occurred_at": instant(),
            "balance": { "$ref": "#/components/schemas/Balance" },
        });
        if let (Some(all), Value::Object(extra)) = (properties.as_object_mut(), extra) {
            all.extend(extra);
        }
        json!({ "type": "object", "required": ["member", "occurred_at", "balance"], "properties": properties })
    };
    let entries = [
        (
            "Error",
            json!({
                "type": "object",
                "required": ["error"],
                "properties": { "error": {
                    "type": "object",
                    "required": ["code", "message"],
                    "properties": {
                        "code": { "$ref": "#/components/schemas/ErrorCode" },
                        "message": { "type": "string", "description": "For people; names the field when one is at fault." },
                    },
                } },
            }),
        ),
        (
            "Health",
            json!({
                "type": "object",
                "required": ["status"],
                "properties": { "status": { "type": "string", "enum": ["ok", "unavailable"] } },
            }),
        ),
        ("Metrics", json!({ "type": "string", "description": "Prometheus text exposition format." })),
        ("OpenApiDocument", json!({ "type": "object", "description": "An OpenAPI 3.1 document." })),
        ("Csv", json!({ "type": "string", "description": "CSV with a header row." })),
        (
            "Balance",
            json!({
                "type": "object",
                "required": ["available", "pending"],
                "properties": {
                    "available": points,
                    "pending": points,
                    "pending_review": points,
                    "held": points,
                },
            }),
        ),
        (
            "Member",
            json!({
                "type": "object",
                "required": ["external_id", "status", "balance", "referral_code"],
                "properties": {
                    "external_id": string(),
                    "email": string(),
                    "name": string(),
                    "birth_date": date(),
                    "tier": string(),
                    "tags": { "type": "array", "items": string() },
                    "referral_code": string(),
                    "referred_by": string(),
                    "status": { "type": "string", "enum": ["active", "suspended", "closed_by_request", "closed_inactive"] },
                    "enrolled_at": instant(),
                    "last_activity_at": instant(),
                    "balance": { "$ref": "#/components/schemas/Balance" },
                    "tier_progress": { "type": "object", "description": "value, next_tier, needed, next_evaluation, perks" },
                    "subscription": { "type": "object" },
                    "closure": { "type": "object" },
                    "expiring_soon": { "type": "array", "items": {
                        "type": "object",
                        "properties": { "points": points, "expires_at": instant() },
                    } },
                    "punch_cards": { "type": "array", "items": {
                        "type": "object",
                        "properties": { "rule": string(), "punches": points, "every": points },
                    } },
                    "explanation": { "$ref": "#/components/schemas/Explanation" },
                },
            }),
        ),
        (
            "Explanation",
            json!({
                "type": "object",
                "description": "Every rule that awarded points, its points and a sentence saying why, and the rounding.",
            }),
        ),
        (
            "Enrolment",
            json!({
                "type": "object",
                "additionalProperties": false,
                "required": ["external_id"],
                "properties": {
                    "external_id": string(),
                    "email": string(),
                    "name": string(),
                    "birth_date": date(),
                    "tags": { "type": "array", "items": string() },
                    "referred_by": { "type": "string", "description": "The referral code of the member who referred them." },
                },
            }),
        ),
        (
            "ProfileChanges",
            json!({
                "type": "object",
                "additionalProperties": false,
                "properties": {
                    "name": string(),
                    "email": string(),
                    "birth_date": date(),
                    "tags": { "type": "array", "items": string() },
                    "tier": { "type": "string", "description": "Admin keys only." },
                },
            }),
        ),
        (
            "ReferrerRequest",
            json!({
                "type": "object",
                "additionalProperties": false,
                "required": ["code"],
                "properties": { "code": { "type": "string", "description": "The referrer's referral code." } },
            }),
        ),
        (
            "ErasureRequest",
            json!({ "type": "object", "maxProperties": 0, "description": "No body, or `{}`." }),
        ),
        (
            "Erased",
            json!({
                "type": "object",
                "required": ["external_id", "erased_at"],
                "properties": {
                    "external_id": { "type": "string", "description": "`erased-<16 hex>`: the member's id from now on." },
                    "erased_at": instant(),
                },
            }),
        ),
        (
            "LedgerPage",
            json!({
                "type": "object",
                "required": ["member", "entries", "next_cursor"],
                "properties": {
                    "member": string(),
                    "entries": { "type": "array", "items": {
                        "type": "object",
                        "properties": {
                            "entry": { "type": "integer" },
                            "kind": string(),
                            "reference": optional_string,
                            "occurred_at": instant(),
                            "recorded_at": instant(),
                            "postings": { "type": "array", "items": {
                                "type": "object",
                                "properties": { "account": string(), "points": points },
                            } },
                        },
                    } },
                    "next_cursor": optional_string,
                },
            }),
        ),
        (
            "Event",
            json!({
                "oneOf": [
                    { "$ref": "#/components/schemas/Purchase" },
                    { "$ref": "#/components/schemas/Return" },
                    { "$ref": "#/components/schemas/Activity" },
                ],
                "discriminator": {
                    "propertyName": "type",
                    "mapping": {
                        "purchase": "#/components/schemas/Purchase",
                        "return": "#/components/schemas/Return",
                        "activity": "#/components/schemas/Activity",
                    },
                },
            }),
        ),
        (
            "Purchase",
            json!({
                "type": "object",
                "additionalProperties": false,
                "required": ["type", "member", "order_id", "lines"],
                "properties": {
                    "type": { "const": "purchase" },
                    "member": string(),
                    "order_id": string(),
                    "occurred_at": instant(),
                    "lines": { "type": "array", "maxItems": 500, "items": {
                        "type": "object",
                        "additionalProperties": false,
                        "required": ["sku", "quantity", "unit_price_minor"],
                        "properties": {
                            "sku": string(),
                            "category": string(),
                            "quantity": { "type": "integer", "minimum": 1, "maximum": 100_000 },
                            "unit_price_minor": { "type": "integer", "minimum": 0, "maximum": 1_000_000_000_i64 },
                        },
                    } },
                },
            }),
        ),
        (
            "Return",
            json!({
                "type": "object",
                "additionalProperties": false,
                "required": ["type", "member", "order_id", "lines"],
                "properties": {
                    "type": { "const": "return" },
                    "member": string(),
                    "order_id": string(),
                    "occurred_at": instant(),
                    "lines": { "type": "array", "maxItems": 500, "items": {
                        "type": "object",
                        "additionalProperties": false,
                        "required": ["sku", "quantity"],
                        "properties": { "sku": string(), "quantity": { "type": "integer", "minimum": 1 } },
                    } },
                },
            }),
        ),
        (
            "Activity",
            json!({
                "type": "object",
                "additionalProperties": false,
                "required": ["type", "member", "kind"],
                "properties": {
                    "type": { "const": "activity" },
                    "member": string(),
                    "kind": string(),
                    "target": string(),
                    "occurred_at": instant(),
                },
            }),
        ),
        (
            "EventOutcome",
            json!({
                "anyOf": [
                    outcome(json!({
                        "order_id": string(),
                        "points_awarded": points,
                        "reward": { "type": "object", "properties": { "reward": string(), "code": string() } },
                        "explanation": { "$ref": "#/components/schemas/Explanation" },
                    })),
                    outcome(json!({
                        "order_id": string(),
                        "points_reversed": points,
                        "points_unrecovered": points,
                        "points_refunded": points,
                        "explanation": { "$ref": "#/components/schemas/Explanation" },
                    })),
                    outcome(json!({
                        "kind": string(),
                        "points_awarded": points,
                        "explanation": { "$ref": "#/components/schemas/Explanation" },
                    })),
                ],
                "description": "A purchase's, a return's or an activity's outcome, with the points and why.",
            }),
        ),
        (
            "RedemptionRequest",
            json!({
                "type": "object",
                "additionalProperties": false,
                "required": ["reward"],
                "properties": { "reward": { "type": "string", "description": "The reward's code in the catalogue." } },
            }),
        ),
        (
            "Redemption",
            outcome(json!({
                "reward": string(),
                "code": { "type": "string", "description": "The reward code issued." },
                "points_spent": points,
                "state": string(),
                "kind": string(),
                "expires_at": instant(),
                "balance_minor": { "type": "integer" },
                "charity": string(),
            })),
        ),
        (
            "AdjustmentRequest",
            json!({
                "type": "object",
                "additionalProperties": false,
                "required": ["points", "reason"],
                "properties": { "points": { "type": "integer", "not": { "const": 0 } }, "reason": string() },
            }),
        ),
        ("Adjustment", outcome(json!({ "points": points, "reason": string() }))),
        (
            "ReviewRequest",
            json!({
                "type": "object",
                "additionalProperties": false,
                "required": ["reason"],
                "properties": { "reason": string() },
            }),
        ),
        ("Review", outcome(json!({ "decision": string(), "points": points, "reason": string() }))),
        (
            "ProgramDefinition",
            json!({
                "type": "object",
                "description": "A program file's tables as JSON (see the README's program files and earning rules).",
                "required": ["id", "name", "currency", "time_zone"],
                "properties": {
                    "id": string(),
                    "name": string(),
                    "currency": string(),
                    "currency_minor_digits": { "type": "integer" },
                    "time_zone": string(),
                    "points_name": string(),
                    "rounding": { "type": "string", "enum": ["floor", "half_up", "ceil"] },
                    "earning": { "type": "array", "items": {
                        "type": "object",
                        "required": ["id", "kind"],
                        "properties": { "id": string(), "kind": string() },
                    } },
                    "rewards": { "type": "array", "items": { "$ref": "#/components/schemas/RewardDefinition" } },
                    "redemption": { "type": "object" },
                    "returns": { "type": "object" },
                    "limits": { "type": "object" },
                    "expiry": { "type": "object" },
                    "tiers": { "type": "object" },
                    "lifecycle": { "type": "object" },
                },
            }),
        ),
        (
            "ProgramVersion",
            json!({
                "type": "object",
                "required": ["code", "version", "effective_from", "definition"],
                "properties": {
                    "code": string(),
                    "version": { "type": "integer" },
                    "effective_from": instant(),
                    "definition": { "$ref": "#/components/schemas/ProgramDefinition" },
                },
            }),
        ),
        (
            "ProgramVersions",
            json!({
                "type": "object",
                "required": ["versions"],
                "properties": { "versions": { "type": "array", "items": { "$ref": "#/components/schemas/ProgramVersion" } } },
            }),
        ),
        (
            "NewVersion",
            json!({
                "type": "object",
                "required": ["program_version", "effective_from"],
                "properties": {
                    "program_version": { "type": "integer" },
                    "effective_from": instant(),
                    "code": { "type": "string", "description": "A created reward's code." },
                },
            }),
        ),
        (
            "Changes",
            json!({
                "type": "object",
                "description": "The fields to change, as the object has them; the others stay.",
            }),
        ),
        (
            "Campaign",
            json!({
                "type": "object",
                "required": ["id", "starts", "ends"],
                "properties": {
                    "id": string(),
                    "name": string(),
                    "starts": { "type": "string", "description": "Wall-clock time in the program's time zone." },
                    "ends": { "type": "string", "description": "Wall-clock time in the program's time zone." },
                    "days": { "type": "array", "items": string() },
                    "hours": string(),
                    "tags": { "type": "array", "items": string() },
                    "tiers": { "type": "array", "items": string() },
                    "skus": { "type": "array", "items": string() },
                    "categories": { "type": "array", "items": string() },
                    "multiplier": { "type": ["string", "integer"] },
                    "points": points,
                    "budget": points,
                    "max_points_per_day": points,
                    "max_points_per_month": points,
                    "status": { "type": "string", "enum": ["scheduled", "running", "ended"], "readOnly": true },
                    "budget_spent": { "type": "integer", "readOnly": true },
                },
            }),
        ),
        (
            "CampaignList",
            json!({
                "type": "object",
                "required": ["program_version", "campaigns"],
                "properties": {
                    "program_version": { "type": "integer" },
                    "campaigns": { "type": "array", "items": { "$ref": "#/components/schemas/Campaign" } },
                },
            }),
        ),
        (
            "RewardDefinition",
            json!({
                "type": "object",
                "required": ["code", "name", "points_cost"],
                "properties": {
                    "code": string(),
                    "name": string(),
                    "kind": { "type": "string", "enum": ["product", "discount", "gift_card", "free_item", "donation"] },
                    "points_cost": points,
                    "sku": string(),
                    "category": string(),
                    "amount_minor": { "type": "integer" },
                    "percent": { "type": ["string", "integer"] },
                    "max_minor": { "type": "integer" },
                    "value_minor": { "type": "integer" },
                    "charity": string(),
                    "starts": string(),
                    "ends": string(),
                    "stock": { "type": "integer" },
                    "limit": { "type": "object" },
                    "tiers": { "type": "array", "items": string() },
                    "archived": { "type": "boolean" },
                },
            }),
        ),
        (
            "Reward",
            json!({
                "allOf": [{ "$ref": "#/components/schemas/RewardDefinition" }],
                "properties": {
                    "issued": { "type": "integer" },
                    "stock_left": { "type": "integer" },
                    "available_now": { "type": "boolean" },
                },
            }),
        ),
        (
            "RewardList",
            json!({
                "type": "object",
                "required": ["program_version", "rewards"],
                "properties": {
                    "program_version": { "type": "integer" },
                    "rewards": { "type": "array", "items": { "$ref": "#/components/schemas/Reward" } },
                },
            }),
        ),
        (
            "EligibleRewards",
            json!({
                "type": "object",
                "required": ["member", "balance", "rewards"],
                "properties": {
                    "member": string(),
                    "balance": { "$ref": "#/components/schemas/Balance" },
                    "rewards": { "type": "array", "items": {
                        "allOf": [{ "$ref": "#/components/schemas/Reward" }],
                        "properties": { "affordable": { "type": "boolean" } },
                    } },
                },
            }),
        ),
        (
            "RewardCode",
            json!({
                "type": "object",
                "required": ["code", "reward", "kind", "state", "points", "issued_at"],
                "properties": {
                    "code": string(),
                    "reward": string(),
                    "kind": string(),
                    "state": { "type": "string", "enum": ["issued", "used", "cancelled", "expired"] },
                    "points": points,
                    "issued_at": instant(),
                    "expires_at": instant(),
                    "order_id": string(),
                    "value_minor": { "type": "integer" },
                    "balance_minor": { "type": "integer" },
                    "charity": string(),
                    "member": string(),
                    "usable": { "type": "boolean" },
                },
            }),
        ),
        (
            "MemberCodes",
            json!({
                "type": "object",
                "required": ["member", "codes"],
                "properties": {
                    "member": string(),
                    "codes": { "type": "array", "items": { "$ref": "#/components/schemas/RewardCode" } },
                },
            }),
        ),
        (
            "UseRequest",
            json!({
                "type": "object",
                "additionalProperties": false,
                "required": ["order_id"],
                "properties": { "order_id": string() },
            }),
        ),
        (
            "DrawRequest",
            json!({
                "type": "object",
                "additionalProperties": false,
                "required": ["order_id", "amount_minor"],
                "properties": { "order_id": string(), "amount_minor": { "type": "integer", "minimum": 1 } },
            }),
        ),
        (
            "CodeOutcome",
            json!({
                "allOf": [{ "$ref": "#/components/schemas/RewardCode" }],
                "required": ["member", "occurred_at", "balance"],
                "properties": {
                    "points_refunded": points,
                    "occurred_at": instant(),
                    "balance": { "$ref": "#/components/schemas/Balance" },
                },
            }),
        ),
        (
            "HoldRequest",
            json!({
                "type": "object",
                "additionalProperties": false,
                "description": "Exactly one of `points`, `reward` or `amount_minor`; `basket_minor` only beside `amount_minor`.",
                "required": ["order_id"],
                "properties": {
                    "order_id": string(),
                    "points": { "type": "integer", "minimum": 1 },
                    "reward": string(),
                    "amount_minor": { "type": "integer", "minimum": 1 },
                    "basket_minor": { "type": "integer", "minimum": 1 },
                },
            }),
        ),
        (
            "Hold",
            json!({
                "type": "object",
                "required": ["hold_id", "order_id", "state", "points", "created_at", "expires_at"],
                "properties": {
                    "hold_id": string(),
                    "order_id": string(),
                    "state": { "type": "string", "enum": ["open", "captured", "released", "expired"] },
                    "points": points,
                    "amount_minor": { "type": "integer" },
                    "reward": { "type": "object" },
                    "created_at": instant(),
                    "expires_at": instant(),
                    "refunded": points,
                    "member": string(),
                },
            }),
        ),
        (
            "HoldOutcome",
            json!({
                "allOf": [{ "$ref": "#/components/schemas/Hold" }],
                "required": ["member", "occurred_at", "balance"],
                "properties": {
                    "issued": { "$ref": "#/components/schemas/RewardCode" },
                    "occurred_at": instant(),
                    "balance": { "$ref": "#/components/schemas/Balance" },
                },
            }),
        ),
        (
            "StatusRequest",
            json!({
                "type": "object",
                "additionalProperties": false,
                "required": ["action"],
                "properties": {
                    "action": { "type": "string", "enum": ["suspend", "resume", "close", "reinstate"] },
                    "reason": string(),
                },
            }),
        ),
        (
            "SubscriptionRequest",
            json!({
                "type": "object",
                "additionalProperties": false,
                "required": ["tier"],
                "properties": { "tier": string() },
            }),
        ),
        (
            "HistoryEntry",
            json!({
                "type": "object",
                "required": ["topic", "reason", "occurred_at"],
                "properties": {
                    "topic": { "type": "string", "enum": ["tier", "subscription", "status", "reward", "hold"] },
                    "from": optional_string,
                    "to": optional_string,
                    "reason": string(),
                    "occurred_at": instant(),
                },
            }),
        ),
        (
            "SubscriptionView",
            json!({
                "type": "object",
                "required": ["member", "subscription", "history"],
                "properties": {
                    "member": string(),
                    "subscription": { "type": ["object", "null"] },
                    "history": history,
                },
            }),
        ),
        (
            "TierView",
            json!({
                "type": "object",
                "required": ["member", "history"],
                "properties": {
                    "member": string(),
                    "tier": optional_string,
                    "tier_progress": { "type": ["object", "null"] },
                    "history": history,
                },
            }),
        ),
        (
            "History",
            json!({
                "type": "object",
                "required": ["member", "history"],
                "properties": { "member": string(), "history": history },
            }),
        ),
        ("Report", json!({ "type": "object", "description": "The report's figures; see the README." })),
        (
            "Donations",
            json!({
                "type": "object",
                "required": ["from", "to", "currency", "charities", "total_points"],
                "properties": {
                    "from": instant(),
                    "to": instant(),
                    "currency": string(),
                    "charities": { "type": "array", "items": {
                        "type": "object",
                        "properties": {
                            "charity": string(),
                            "points": points,
                            "donations": { "type": "integer" },
                            "value_minor": { "type": ["integer", "null"] },
                        },
                    } },
                    "total_points": points,
                    "total_value_minor": { "type": ["integer", "null"] },
                },
            }),
        ),
        (
            "JobRun",
            json!({
                "type": "object",
                "required": ["now", "report"],
                "properties": {
                    "now": instant(),
                    "report": {
                        "type": "object",
                        "properties": {
                            "expired": { "type": "integer" },
                            "released": { "type": "integer" },
                            "notices": { "type": "integer" },
                            "birthdays": { "type": "integer" },
                            "tier_reviews": { "type": "integer" },
                            "closed_inactive": { "type": "integer" },
                            "holds_expired": { "type": "integer" },
                            "codes_expired": { "type": "integer" },
                            "skipped": { "type": "integer" },
                            "refused": { "type": "integer" },
                        },
                    },
                },
            }),
        ),
        (
            "Clock",
            json!({
                "type": "object",
                "required": ["now", "settable"],
                "properties": { "now": instant(), "settable": { "type": "boolean" } },
            }),
        ),
        (
            "Webhook",
            json!({
                "type": "object",
                "required": ["id", "url", "event_types", "active", "created_at"],
                "properties": {
                    "id": { "type": "integer" },
                    "url": { "type": "string", "format": "uri" },
                    "event_types": { "type": "array", "items": { "$ref": "#/components/schemas/WebhookEventType" } },
                    "active": { "type": "boolean" },
                    "created_at": instant(),
                    "secret": { "type": "string", "description": "Only in the answer that made the subscription." },
                },
            }),
        ),
        ("WebhookEventType", json!({ "type": "string", "enum": loyalty_store::WEBHOOK_EVENT_TYPES })),
        (
            "WebhookRequest",
            json!({
                "type": "object",
                "additionalProperties": false,
                "required": ["url", "event_types"],
                "properties": {
                    "url": { "type": "string", "format": "uri", "description": "An http(s) URL." },
                    "event_types": {
                        "type": "array",
                        "minItems": 1,
                        "items": { "$ref": "#/components/schemas/WebhookEventType" },
                    },
                    "secret": { "type": "string", "minLength": 16, "maxLength": 256, "description": "Made if not given." },
                },
            }),
        ),
        (
            "WebhookList",
            json!({
                "type": "object",
                "required": ["webhooks", "event_types"],
                "properties": {
                    "webhooks": { "type": "array", "items": { "$ref": "#/components/schemas/Webhook" } },
                    "event_types": { "type": "array", "items": { "$ref": "#/components/schemas/WebhookEventType" } },
                },
            }),
        ),
        (
            "WebhookRemoved",
            json!({
                "type": "object",
                "required": ["id", "active"],
                "properties": { "id": { "type": "integer" }, "active": { "const": false } },
            }),
        ),
        (
            "Delivery",
            json!({
                "type": "object",
                "required": ["id", "subscription_id", "event_type", "state", "attempts"],
                "properties": {
                    "id": { "type": "integer" },
                    "subscription_id": { "type": "integer" },
                    "event_type": string(),
                    "state": { "type": "string", "enum": ["pending", "delivered", "failed"] },
                    "attempts": { "type": "integer" },
                    "next_attempt_at": instant(),
                    "last_status": { "type": ["integer", "null"] },
                    "last_error": { "type": ["string", "null"] },
                    "created_at": instant(),
                    "delivered_at": { "type": ["string", "null"], "format": "date-time" },
                },
            }),
        ),
        (
            "DeliveryPage",
            json!({
                "type": "object",
                "required": ["deliveries", "next_before"],
                "properties": {
                    "deliveries": { "type": "array", "items": { "$ref": "#/components/schemas/Delivery" } },
                    "next_before": { "type": ["integer", "null"] },
                },
            }),
        ),
        (
            "DeliveryDetail",
            json!({
                "allOf": [{ "$ref": "#/components/schemas/Delivery" }],
                "properties": { "attempt_log": { "type": "array", "items": {
                    "type": "object",
                    "properties": {
                        "attempted_at": instant(),
                        "status": { "type": ["integer", "null"] },
                        "error": { "type": ["string", "null"] },
                        "duration_ms": { "type": "integer" },
                    },
                } } },
            }),
        ),
        (
            "DeliveryReplayed",
            json!({
                "type": "object",
                "required": ["id", "state"],
                "properties": { "id": { "type": "integer" }, "state": { "const": "pending" } },
            }),
        ),
        (
            "DispatchRun",
            json!({
                "type": "object",
                "required": ["now", "report"],
                "properties": {
                    "now": instant(),
                    "report": {
                        "type": "object",
                        "properties": {
                            "delivered": { "type": "integer" },
                            "retrying": { "type": "integer" },
                            "given_up": { "type": "integer" },
                        },
                    },
                },
            }),
        ),
        (
            "SetClock",
            json!({
                "type": "object",
                "additionalProperties": false,
                "required": ["now"],
                "properties": { "now": instant() },
            }),
        ),
    ];
    Value::Object(entries.into_iter().map(|(name, schema)| (name.to_owned(), schema)).collect())
}
