//! Referrals: on a referred member's first qualifying purchase, both they and the member who
//! referred them earn points, once.

use super::{
    Award, Beneficiary, BuildContext, Detail, EarningRule, Judging, Occasion, RuleSpec, Stage, Tally,
};
use crate::calendar::Calendar;
use crate::event::{Event, PurchaseLine};
use crate::money::MinorUnits;
use crate::needs::{Counter, Needs};
use crate::points::Points;
use crate::program::{DefinitionErrors, Program};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// `kind = "referral"`: a referred member's first purchase of at least `min_purchase_minor`
/// earns them `referee_points` and the member who referred them `referrer_points`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ReferralDef {
    pub id: String,
    pub referrer_points: i64,
    pub referee_points: i64,
    #[serde(default)]
    pub min_purchase_minor: i64,
}

/// Set on a referred member once the referral has paid out.
pub fn rewarded() -> Counter {
    Counter::member("referral:rewarded")
}

impl RuleSpec for ReferralDef {
    fn id(&self) -> &str {
        &self.id
    }

    fn build(&self, ctx: &BuildContext<'_>, errors: &mut DefinitionErrors) -> Option<Box<dyn EarningRule>> {
        let max = Points::MAX_PER_EVENT.get();
        let ok = ctx.check_count(errors, "referrer_points", self.referrer_points, 0, max)
            & ctx.check_count(errors, "referee_points", self.referee_points, 0, max)
            & ctx.check_count(errors, "min_purchase_minor", self.min_purchase_minor, 0, i64::MAX / 4);
        ok.then(|| {
            Box::new(Referral {
                id: self.id.clone(),
                referrer: Decimal::from(self.referrer_points),
                referee: Decimal::from(self.referee_points),
                min_purchase: MinorUnits::new(self.min_purchase_minor),
            }) as _
        })
    }
}

#[derive(Debug)]
struct Referral {
    id: String,
    referrer: Decimal,
    referee: Decimal,
    min_purchase: MinorUnits,
}

impl EarningRule for Referral {
    fn id(&self) -> &str {
        &self.id
    }

    fn kind(&self) -> &'static str {
        "referral"
    }

    fn stage(&self) -> Stage {
        Stage::Order
    }

    fn needs(&self, event: &Event, _calendar: &Calendar, needs: &mut Needs) {
        if matches!(event, Event::Purchase(_)) {
            needs.counter(rewarded());
            needs.referrer = true;
        }
    }

    fn evaluate(&self, judging: &Judging<'_>, tally: &mut Tally) {
        let Occasion::Purchase(_) = judging.occasion else { return };
        let amount = super::spend(judging, tally);
        if judging.member.referred_by.is_none()
            || judging.referrer.is_none()
            || judging.aggregates.counter(&rewarded()) > 0
            || amount < self.min_purchase
        {
            return;
        }
        let spent = Detail::Spend(amount.get());
        tally.award_order(self.referee, spent, Beneficiary::Member);
        // The referee's bonus needs the order to keep the minimum; the referrer's stays.
        tally.keep_while(Vec::new(), self.min_purchase.get().max(1), false);
        tally.award_order(self.referrer, spent, Beneficiary::Referrer);
        tally.count(rewarded(), 1);
    }

    fn reason(&self, award: &Award, _line: Option<&PurchaseLine>, program: &Program) -> String {
        let currency = program.currency();
        match award.beneficiary {
            Beneficiary::Member => format!(
                "referral: {} for a first purchase of {} {currency} or more",
                program.decimal_points_text(award.points),
                currency.format(self.min_purchase)
            ),
            Beneficiary::Referrer => {
                format!("referral: {} for the member who referred", program.decimal_points_text(award.points))
            }
        }
    }
}
