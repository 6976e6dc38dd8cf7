//! The schemas of the bodies the routes take and give.

use super::*;

/// The schemas but `ErrorCode`, which is made from the codes.
pub(super) fn schemas() -> Value {
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
        ("Page", json!({ "type": "string", "description": "A page or file of the API reference." })),
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
                    "points_name_singular": string(),
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
                "required": ["from", "to", "window_from", "window_to", "currency", "charities", "total_points"],
                "properties": {
                    "from": bound(),
                    "to": bound(),
                    "window_from": instant(),
                    "window_to": instant(),
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
                    "state": { "type": "string", "enum": ["pending", "delivered", "failed", "cancelled"] },
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
