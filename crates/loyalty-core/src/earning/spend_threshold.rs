//! Spend threshold: members who spend enough within a rolling window earn a bonus, once per
//! window.

use super::{
    Award, Beneficiary, BuildContext, Detail, EarningRule, Judging, Occasion, RuleSpec, Stage, Tally,
};
use crate::calendar::Calendar;
use crate::event::{Event, PurchaseLine};
use crate::money::MinorUnits;
use crate::needs::{Counter, Measure, Needs, Window};
use crate::points::Points;
use crate::program::{DefinitionErrors, Program};
use crate::time::Timestamp;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// `kind = "spend_threshold"`: when a member's spend over the last `window_days` (this
/// order included) reaches `spend_minor`, they earn `points`; then not again while the
/// moment of that bonus is within the window, so no spend counts towards two bonuses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct SpendThresholdDef {
    pub id: String,
    pub spend_minor: i64,
    pub window_days: i64,
    pub points: i64,
}

const DAY_MICROS: i64 = 86_400_000_000;

impl RuleSpec for SpendThresholdDef {
    fn id(&self) -> &str {
        &self.id
    }

    fn build(&self, ctx: &BuildContext<'_>, errors: &mut DefinitionErrors) -> Option<Box<dyn EarningRule>> {
        let ok = ctx.check_count(errors, "spend_minor", self.spend_minor, 1, i64::MAX / 4)
            & ctx.check_count(errors, "window_days", self.window_days, 1, 3_660)
            & ctx.check_count(errors, "points", self.points, 1, Points::MAX_PER_EVENT.get());
        ok.then(|| {
            Box::new(SpendThreshold {
                id: self.id.clone(),
                spend: MinorUnits::new(self.spend_minor),
                window_micros: self.window_days * DAY_MICROS,
                window_days: self.window_days,
                points: Decimal::from(self.points),
                last: Counter::member(format!("threshold:{}:last_us", self.id)),
            }) as _
        })
    }
}

#[derive(Debug)]
struct SpendThreshold {
    id: String,
    spend: MinorUnits,
    window_micros: i64,
    window_days: i64,
    points: Decimal,
    /// When the bonus was last given, in microseconds since the epoch.
    last: Counter,
}

impl SpendThreshold {
    /// Spend before the order, over the window ending at it (both edges included).
    fn window(&self, at: Timestamp) -> Window {
        Window {
            from: Timestamp::from_micros(at.as_micros() - self.window_micros),
            to: Timestamp::from_micros(at.as_micros() + 1),
            measure: Measure::Spend,
        }
    }
}

impl EarningRule for SpendThreshold {
    fn id(&self) -> &str {
        &self.id
    }

    fn kind(&self) -> &'static str {
        "spend_threshold"
    }

    fn stage(&self) -> Stage {
        Stage::Order
    }

    fn needs(&self, event: &Event, _calendar: &Calendar, needs: &mut Needs) {
        if let Event::Purchase(p) = event {
            needs.window(self.window(p.occurred_at));
            needs.counter(self.last.clone());
        }
    }

    fn evaluate(&self, judging: &Judging<'_>, tally: &mut Tally) {
        let Occasion::Purchase(_) = judging.occasion else { return };
        let at = judging.occurred_at.as_micros();
        let before = judging.aggregates.window(&self.window(judging.occurred_at));
        let spend = before + super::spend(judging, tally).get();
        let last = judging.aggregates.counter(&self.last);
        // The window includes its first edge: a bonus exactly `window_days` ago is still in it.
        let due = last == 0 || last < at - self.window_micros;
        if spend >= self.spend.get() && due {
            tally.award_order(self.points, Detail::Spend(spend), Beneficiary::Member);
            tally.count(self.last.clone(), at - last);
            // A return that takes the window back under the threshold takes the bonus back,
            // and the member may earn it again.
            tally.keep_while(Vec::new(), (self.spend.get() - before).max(1), true);
        }
    }

    fn reason(&self, award: &Award, _line: Option<&PurchaseLine>, program: &Program) -> String {
        let currency = program.currency();
        let spent = match award.detail {
            Detail::Spend(s) => currency.format(MinorUnits::new(s)),
            _ => String::new(),
        };
        format!(
            "{spent} {currency} spent in {} days reaches {} {currency}: a bonus of {}",
            self.window_days,
            currency.format(self.spend),
            program.decimal_points_text(award.points)
        )
    }
}
