//! The program the random histories run against: every kind of rule, reward and limit,
//! sized so that short histories reach them all.

/// A program with every kind of earning rule and both limits, for property tests: its
/// campaign runs over the days the histories cover, with a budget they can exhaust; its
/// purchases are pending for two days and its points expire after a month, which the
/// histories' later, slower steps reach. Its catalogue has every kind of reward, one of
/// small stock, one limited per month whose codes last a day; its holds last a day (the
/// brisk steps capture them, the slow ones let them run out), and points pay for part of
/// a basket.
pub const PROPERTY_PROGRAM: &str = r#"
id = "property"
name = "Every rule at once"
currency = "USD"
time_zone = "America/New_York"
points_name = "points"
rounding = "floor"

[[earning]]
id = "base"
kind = "base_rate"
points_per_unit = 10

[[earning]]
id = "pastry"
kind = "category_multiplier"
category = "pastry"
multiplier = 2

[[earning]]
id = "water-bonus"
kind = "product_bonus"
skus = ["water"]
points_per_unit = 3

[[earning]]
id = "no-gift-cards"
kind = "exclusion"
categories = ["gift"]

[[earning]]
id = "small-baskets"
kind = "minimum_basket"
amount_minor = 150

[[earning]]
id = "tiers"
kind = "tier_multiplier"
multipliers = { gold = "2", silver = "1.5" }

[[earning]]
id = "coffee-week"
kind = "campaign"
starts = "2026-11-02T06:00"
ends = "2026-11-05T00:00"
categories = ["coffee"]
multiplier = 2
points = 5
budget = 2500
max_points_per_day = 600

[[earning]]
id = "big-spender"
kind = "spend_threshold"
spend_minor = 5000
window_days = 2
points = 300

[[earning]]
id = "coffee-card"
kind = "punch_card"
every = 3
categories = ["coffee"]
points = 50

[[earning]]
id = "mug-card"
kind = "punch_card"
every = 4
categories = ["pastry"]
reward = "mug"

[[earning]]
id = "reviews"
kind = "activity"
activity = "review"
points = 20
per_day = 2

[[earning]]
id = "follows"
kind = "activity"
activity = "social_follow"
points = 15
once = true

[[earning]]
id = "surveys"
kind = "activity"
activity = "survey_answered"
points = 5
per_month = 3

[[earning]]
id = "welcome"
kind = "welcome_bonus"
points = 25

[[earning]]
id = "friends"
kind = "referral"
referrer_points = 100
referee_points = 50
min_purchase_minor = 1000

[[rewards]]
code = "free-drink"
name = "Any drink"
points_cost = 90

[[rewards]]
code = "pastry-voucher"
name = "Any pastry"
points_cost = 60
tiers = ["silver", "gold"]

[[rewards]]
code = "plant-a-tree"
name = "A tree planted"
kind = "donation"
charity = "Forests Forever"
points_cost = 40

[[rewards]]
code = "gift-card-5"
name = "A five dollar gift card"
kind = "gift_card"
value_minor = 500
points_cost = 120

[[rewards]]
code = "mug"
name = "The last mugs"
kind = "product"
sku = "mug"
points_cost = 50
stock = 3

[[rewards]]
code = "monthly-treat"
name = "A pastry a month"
kind = "free_item"
category = "pastry"
points_cost = 30
limit = { count = 1, period = "month" }
code_valid_days = 1

[redemption]
hold_minutes = 1440
refund_expired_codes = true
point_value = { points = 2, minor = 1 }
pay_with_points = { min_points = 50, max_share = "0.5", step = 10 }

[returns]
when_points_spent = "negative_balance"
pending_days = 2

[expiry]
policy = "months_after_earning"
months = 1

[tiers]
metric = "spend"
grace_days = 1

[[tiers.levels]]
code = "silver"
name = "Silver"
threshold = 5000

[[tiers.levels]]
code = "gold"
name = "Gold"
threshold = 40000
price_minor = 500

[lifecycle]
inactivity_months = 2
reinstatement_months = 12

[limits]
max_points_per_day = 5000

[limits.velocity]
minutes = 120
max_purchases = 2
max_points = 20000
# Achievements of every measure, and a streak with a freeze, so that
# histories complete them, take them back with returns, and replay them.
[[streaks]]
code = "daily"
name = "Daily visit"
period = "day"
qualifies = "purchase"
freezes_per_month = 1
milestones = [2, 4]
points_per_milestone = 7

[[achievements]]
code = "three-in-a-week"
name = "Three in a week"
criteria = [{ measure = "purchases", threshold = 3, period = "7d" }]
recurrence = "each_period"
max_completions = 3
points = 30

[[achievements]]
code = "pastry-lover"
name = "Pastry lover"
criteria = [
  { measure = "spend_minor", filter = "pastry", threshold = 800, period = "calendar_month" },
  { measure = "distinct_categories", threshold = 2, period = "calendar_month" },
]
points = 25

[[achievements]]
code = "regular"
name = "Regular"
criteria = [
  { measure = "visits_on_distinct_days", threshold = 2, period = "30d" },
  { measure = "points_earned", threshold = 100 },
  { measure = "activity", kind = "review", threshold = 1 },
]
points = 15

[[achievements]]
code = "ambassador"
name = "Ambassador"
criteria = [{ measure = "referrals", threshold = 1, period = "calendar_year" }]
points = 5

[[achievements]]
code = "on-a-roll"
name = "On a roll"
criteria = [{ measure = "streak", filter = "daily", threshold = 3 }]

# Boards of each measure, so that histories move scores of members opted in and out.
[[leaderboards]]
code = "weekly-points"
name = "Points this week"
measure = "points_earned"
period = "week"

[[leaderboards]]
code = "spenders-30d"
name = "Spend, last 30 days"
measure = "spend_minor"
period = "30d"

[[leaderboards]]
code = "badges"
name = "Badges this year"
measure = "achievements"
period = "calendar_year"

# One survey a member answers once, one they may answer weekly with a pause between.
[[surveys]]
code = "nps"
question = "How likely are you to recommend us?"
kind = "nps"
points = 20

[[surveys]]
code = "pulse"
question = "How was your visit?"
kind = "csat"
points = 5
once = "per_period"
period = "week"
cooldown_days = 5
"#;
