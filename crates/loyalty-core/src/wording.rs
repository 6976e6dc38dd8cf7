//! Amounts as people read them: points with the program's name for them, singular or
//! plural ("1 bean", "90 beans"), and money in major units with its currency
//! ("12.50 EUR"). Refusals are written this way when the program is known (at the API);
//! their codes never change, only the words.

use crate::money::MinorUnits;
use crate::points::Points;
use crate::program::Program;
use crate::rejection::Rejection;

impl Program {
    /// "1 bean", "90 beans", "-1 bean".
    pub fn points_text(&self, points: Points) -> String {
        let name =
            if points.get().unsigned_abs() == 1 { self.points_name_singular() } else { self.points_name() };
        format!("{points} {name}")
    }

    /// "1.5 beans", "1 bean": a sum of points before rounding.
    pub fn decimal_points_text(&self, points: rust_decimal::Decimal) -> String {
        let name = if points.abs() == rust_decimal::Decimal::ONE {
            self.points_name_singular()
        } else {
            self.points_name()
        };
        format!("{} {name}", points.normalize())
    }

    /// "1 bean is", "90 beans are".
    pub fn points_are(&self, points: Points) -> String {
        format!("{} {}", self.points_text(points), verb(points))
    }

    /// "12.50 EUR".
    pub fn money_text(&self, minor: i64) -> String {
        let currency = self.currency();
        format!("{} {}", currency.format(MinorUnits::new(minor)), currency.code())
    }
}

/// "is" for one, "are" for any other number.
fn verb(points: Points) -> &'static str {
    if points.get().unsigned_abs() == 1 { "is" } else { "are" }
}

impl Rejection {
    /// The refusal in the program's words: its points name, plurals, and money with its
    /// currency. Refusals without amounts read as their `Display`.
    pub fn message_for(&self, program: &Program) -> String {
        let points = |p: Points| program.points_text(p);
        let money = |m: i64| program.money_text(m);
        match self {
            Rejection::InsufficientPoints { available, required } => format!(
                "{} {} needed but only {} {} available",
                points(*required),
                verb(*required),
                points(*available),
                verb(*available)
            ),
            Rejection::AdjustmentExceedsLimit { max } => {
                format!("an adjustment may move at most {}", points(*max))
            }
            Rejection::GiftCardInsufficientBalance { code, balance_minor, requested_minor } => format!(
                "gift card {code} has {} left, less than the {} asked for",
                money(*balance_minor),
                money(*requested_minor)
            ),
            Rejection::AmountNotPayableInPoints { amount_minor, step, .. } => format!(
                "{} cannot be paid in points: payments go in steps of {}",
                money(*amount_minor),
                points(Points::new(*step))
            ),
            Rejection::PaymentBelowMinimum { min, points: given } => format!(
                "a payment with {} must use at least {}, not {}",
                program.points_name(),
                points(Points::new(*min)),
                points(Points::new(*given))
            ),
            Rejection::PaymentExceedsShare { amount_minor, basket_minor, max_minor } => format!(
                "{} may pay at most {} of this basket of {}, not {}",
                program.points_name(),
                money(*max_minor),
                money(*basket_minor),
                money(*amount_minor)
            ),
            Rejection::NothingInReview { external_id } => {
                format!("{external_id} has no {} held for review", program.points_name())
            }
            Rejection::RewardLimitReached { reward, count, period } => {
                let times = match count {
                    1 => "once".to_owned(),
                    n => format!("{n} times"),
                };
                format!(
                    "reward {reward} may be redeemed {times} per {period}, and this member has reached that"
                )
            }
            other => other.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::fixtures::{COFFEE, coffee, program};
    use crate::points::Points;
    use crate::rejection::Rejection;

    #[test]
    fn points_take_the_programs_name_in_the_singular_for_one() {
        let beans = coffee();
        assert_eq!(beans.points_text(Points::new(1)), "1 bean");
        assert_eq!(beans.points_text(Points::new(-1)), "-1 bean");
        assert_eq!(beans.points_text(Points::new(0)), "0 beans");
        assert_eq!(beans.points_text(Points::new(90)), "90 beans");
        assert_eq!(beans.money_text(1250), "12.50 USD");
        assert_eq!(beans.decimal_points_text(rust_decimal::Decimal::new(10, 1)), "1 bean");
        assert_eq!(beans.decimal_points_text(rust_decimal::Decimal::new(15, 1)), "1.5 beans");
        assert_eq!(beans.points_are(Points::new(1)), "1 bean is");
        assert_eq!(beans.points_are(Points::new(48)), "48 beans are");
        let miles = program(&COFFEE.replace(
            "points_name = \"beans\"",
            "points_name = \"Meilen\"\npoints_name_singular = \"Meile\"",
        ));
        assert_eq!(miles.points_text(Points::new(1)), "1 Meile");
        assert_eq!(miles.points_text(Points::new(2)), "2 Meilen");
    }

    #[test]
    fn refusals_with_amounts_read_in_the_programs_words() {
        let beans = coffee();
        let short = Rejection::InsufficientPoints { available: Points::new(1), required: Points::new(90) };
        assert_eq!(short.message_for(&beans), "90 beans are needed but only 1 bean is available");
        let one = Rejection::InsufficientPoints { available: Points::new(0), required: Points::new(1) };
        assert_eq!(one.message_for(&beans), "1 bean is needed but only 0 beans are available");
        let card = Rejection::GiftCardInsufficientBalance {
            code: "G-1".to_owned(),
            balance_minor: 500,
            requested_minor: 1250,
        };
        assert_eq!(
            card.message_for(&beans),
            "gift card G-1 has 5.00 USD left, less than the 12.50 USD asked for"
        );
        let once = Rejection::RewardLimitReached { reward: "coffee".to_owned(), count: 1, period: "year" };
        assert_eq!(
            once.message_for(&beans),
            "reward coffee may be redeemed once per year, and this member has reached that"
        );
        // The code never changes with the words.
        assert_eq!(card.code(), "gift_card_insufficient_balance");
    }
}
