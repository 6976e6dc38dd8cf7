//! Birthday bonus: points on the member's birthday, once a year in the program's time zone.

use super::{
    Award, Beneficiary, BuildContext, Detail, EarningRule, Judging, Limit, Occasion, RuleSpec, Stage, Tally,
};
use crate::calendar::Calendar;
use crate::event::{Event, PurchaseLine};
use crate::needs::{Counter, Needs};
use crate::points::Points;
use crate::program::{DefinitionErrors, Program};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// `kind = "birthday_bonus"`: `points` on the member's birthday (28 February for those born
/// on 29 February, in other years), once a year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct BirthdayBonusDef {
    pub id: String,
    pub points: i64,
}

impl RuleSpec for BirthdayBonusDef {
    fn id(&self) -> &str {
        &self.id
    }

    fn build(&self, ctx: &BuildContext<'_>, errors: &mut DefinitionErrors) -> Option<Box<dyn EarningRule>> {
        ctx.check_count(errors, "points", self.points, 1, Points::MAX_PER_EVENT.get())
            .then(|| Box::new(BirthdayBonus { id: self.id.clone(), points: Decimal::from(self.points) }) as _)
    }
}

#[derive(Debug)]
struct BirthdayBonus {
    id: String,
    points: Decimal,
}

fn given_in(year: i16) -> Counter {
    Counter::member(format!("birthday:{year}"))
}

impl EarningRule for BirthdayBonus {
    fn id(&self) -> &str {
        &self.id
    }

    fn kind(&self) -> &'static str {
        "birthday_bonus"
    }

    fn stage(&self) -> Stage {
        Stage::Order
    }

    fn needs(&self, event: &Event, calendar: &Calendar, needs: &mut Needs) {
        if let Event::Birthday(b) = event {
            needs.counter(given_in(calendar.local(b.occurred_at).year()));
        }
    }

    fn evaluate(&self, judging: &Judging<'_>, tally: &mut Tally) {
        let Occasion::Birthday = judging.occasion else { return };
        let counter = given_in(judging.calendar.local(judging.occurred_at).year());
        let given = judging.aggregates.counter(&counter);
        if given > 0 {
            tally.award_order(
                Decimal::ZERO,
                Detail::Limited { limit: Limit::Once, count: given },
                Beneficiary::Member,
            );
            return;
        }
        tally.award_order(self.points, Detail::None, Beneficiary::Member);
        tally.count(counter, 1);
    }

    fn reason(&self, award: &Award, _line: Option<&PurchaseLine>, program: &Program) -> String {
        match award.detail {
            Detail::Limited { .. } => "birthday: already given this year".to_owned(),
            _ => format!("birthday: {}", program.decimal_points_text(award.points)),
        }
    }
}

/// Whether `on` is the birthday of someone born on `born` (28 February stands for
/// 29 February in other years).
pub fn is_birthday(born: jiff::civil::Date, on: jiff::civil::Date) -> bool {
    if born.month() == 2 && born.day() == 29 && !on.in_leap_year() {
        return on.month() == 2 && on.day() == 28;
    }
    born.month() == on.month() && born.day() == on.day()
}
