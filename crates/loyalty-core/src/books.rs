//! The books finance keeps of a program: the liability roll-forward (what members held at
//! the start of a period, what moved, what they held at its end) and the breakage estimate
//! that sets how much of that liability is expected never to be claimed. Pure arithmetic
//! on sums the store reads from the journal.

use crate::ledger::{Account, ProgramAccount};
use crate::points::Points;
use crate::program::PointValue;
use rust_decimal::Decimal;
use serde::Serialize;

/// One line of the roll-forward: opening + issued − redeemed − expired − donated
/// ± adjusted ± return_loss = closing. Each movement is signed as it changes what members
/// hold, except those that only take away (redeemed, expired, donated), shown positive.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct RollForward {
    /// The members' tier now (`None`: no tier); the program's total has `total: true`.
    pub tier: Option<String>,
    pub opening: i64,
    /// Points issued, less those returns took back.
    pub issued: i64,
    /// Points spent on rewards and at the till, less those given back.
    pub redeemed: i64,
    /// Points that expired or were forfeited, less those reinstated.
    pub expired: i64,
    pub donated: i64,
    /// Points added (positive) or removed (negative) by administrators.
    pub adjusted: i64,
    /// Points a return should have taken back but could not (they were spent): the program
    /// wrote them off, so they count as still issued.
    pub return_loss: i64,
    pub closing: i64,
}

impl RollForward {
    /// The line of one group from its opening and closing holdings (the members' side of
    /// the journal) and the sums the period posted to each program account.
    pub fn of(tier: Option<String>, opening: i64, closing: i64, posted: &[(Account, i64)]) -> RollForward {
        let sum = |wanted: ProgramAccount| -> i64 {
            posted.iter().filter(|(a, _)| *a == Account::Program(wanted)).map(|(_, v)| *v).sum()
        };
        RollForward {
            tier,
            opening,
            issued: -sum(ProgramAccount::Issued),
            redeemed: sum(ProgramAccount::Redeemed),
            expired: sum(ProgramAccount::Expired),
            donated: sum(ProgramAccount::Donated),
            adjusted: -sum(ProgramAccount::Adjusted),
            return_loss: -sum(ProgramAccount::ReturnLoss),
            closing,
        }
    }

    /// The closing the movements imply.
    pub fn rolled(&self) -> i64 {
        self.opening + self.issued - self.redeemed - self.expired - self.donated
            + self.adjusted
            + self.return_loss
    }

    /// Whether the movements lead from the opening to the closing exactly.
    pub fn reconciles(&self) -> bool {
        self.rolled() == self.closing
    }

    /// The sum of several lines, as the program's total.
    pub fn total(lines: &[RollForward]) -> RollForward {
        lines.iter().fold(RollForward::default(), |t, l| RollForward {
            tier: None,
            opening: t.opening + l.opening,
            issued: t.issued + l.issued,
            redeemed: t.redeemed + l.redeemed,
            expired: t.expired + l.expired,
            donated: t.donated + l.donated,
            adjusted: t.adjusted + l.adjusted,
            return_loss: t.return_loss + l.return_loss,
            closing: t.closing + l.closing,
        })
    }

    /// The same line in money at `value`, each figure rounded down to a minor unit.
    pub fn in_money(&self, value: PointValue) -> RollForward {
        let money = |points: i64| {
            let worth = value.value_of(Points::new(points.abs())).get();
            if points < 0 { -worth } else { worth }
        };
        RollForward {
            tier: self.tier.clone(),
            opening: money(self.opening),
            issued: money(self.issued),
            redeemed: money(self.redeemed),
            expired: money(self.expired),
            donated: money(self.donated),
            adjusted: money(self.adjusted),
            return_loss: money(self.return_loss),
            closing: money(self.closing),
        }
    }
}

/// The points issued in one local month, and where they went.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Cohort {
    /// `YYYY-MM`.
    pub month: String,
    pub issued: i64,
    /// Spent: on rewards, donations or checkouts (and on debts a return left).
    pub redeemed: i64,
    /// Expired, or forfeited when the account closed.
    pub expired: i64,
    /// Taken back by a return, an adjustment or a rejected review.
    pub reversed: i64,
    /// Still in members' lots (spendable, pending or in review).
    pub open: i64,
}

impl Cohort {
    /// The cohort of `issued` points of which `open` remain and `expired` and `reversed`
    /// left otherwise: the rest was redeemed.
    pub fn of(month: String, issued: i64, open: i64, expired: i64, reversed: i64) -> Cohort {
        Cohort { month, issued, redeemed: issued - open - expired - reversed, expired, reversed, open }
    }
}

/// The breakage estimate and what it implies for the liability.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Breakage {
    pub method: String,
    /// Points redeemed (and donated) and expired over the observed window.
    pub redeemed: i64,
    pub expired: i64,
    /// The share of points expected never to be redeemed, 0 to 1.
    #[cfg_attr(feature = "schema", schemars(with = "crate::schema::DecimalText"))]
    pub rate: Decimal,
    /// Points members hold now.
    pub outstanding: i64,
    /// Of those, the points expected to be redeemed: the deferred liability.
    pub expected_redemptions: i64,
    /// The deferred revenue that implies, at the program's point value.
    pub deferred_revenue_minor: Option<i64>,
    pub cohorts: Vec<Cohort>,
}

/// `part / whole` to four decimals; 0 when `whole` is not positive.
pub fn share(part: i64, whole: i64) -> Decimal {
    if whole > 0 { (Decimal::from(part) / Decimal::from(whole)).round_dp(4) } else { Decimal::ZERO }
}

pub const BREAKAGE_METHOD: &str = "redemption-rate method: of the points that left members' hands in the \
     observed window (redeemed, donated or expired), the share that expired is the breakage rate; \
     outstanding points are expected to settle in the same proportion, so the deferred liability is \
     outstanding x (1 - rate), valued at the program's point value. Cohorts show, per month of issue, \
     how much of the points issued was redeemed, expired, taken back (by returns and adjustments) or is \
     still open: a cohort whose points can no longer be spent has settled for good.";

impl Breakage {
    pub fn estimate(
        redeemed: i64,
        expired: i64,
        outstanding: i64,
        value: Option<PointValue>,
        cohorts: Vec<Cohort>,
    ) -> Breakage {
        let settled = redeemed + expired;
        let rate = share(expired, settled);
        let expected = (Decimal::from(outstanding) * (Decimal::ONE - rate)).floor();
        let expected_redemptions = i64::try_from(expected).unwrap_or(outstanding);
        Breakage {
            method: BREAKAGE_METHOD.to_owned(),
            redeemed,
            expired,
            rate,
            outstanding,
            expected_redemptions,
            deferred_revenue_minor: value.map(|v| v.value_of(Points::new(expected_redemptions.max(0))).get()),
            cohorts,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ledger::MemberAccount;

    fn program(account: ProgramAccount, amount: i64) -> (Account, i64) {
        (Account::Program(account), amount)
    }

    #[test]
    fn a_period_rolls_from_its_opening_to_its_closing() {
        let posted = [
            program(ProgramAccount::Issued, -1000),
            program(ProgramAccount::Redeemed, 300),
            program(ProgramAccount::Expired, 50),
            program(ProgramAccount::Donated, 20),
            program(ProgramAccount::Adjusted, 10),
            program(ProgramAccount::ReturnLoss, -5),
            (Account::Member(MemberAccount::Available), 999),
        ];
        let line = RollForward::of(Some("gold".into()), 200, 825, &posted);
        assert_eq!(
            (line.issued, line.redeemed, line.expired, line.donated, line.adjusted, line.return_loss),
            (1000, 300, 50, 20, -10, 5)
        );
        assert_eq!(line.rolled(), 825);
        assert!(line.reconciles());
        let total = RollForward::total(&[line.clone(), line.clone()]);
        assert_eq!((total.opening, total.closing, total.tier), (400, 1650, None));
        let money = line.in_money(PointValue { points: 100, minor: 100 });
        assert_eq!((money.issued, money.adjusted), (1000, -10));
        let money = line.in_money(PointValue { points: 3, minor: 1 });
        assert_eq!((money.issued, money.redeemed, money.adjusted), (333, 100, -3));
    }

    #[test]
    fn breakage_is_the_expired_share_of_what_settled() {
        let b = Breakage::estimate(750, 250, 1000, Some(PointValue { points: 100, minor: 100 }), Vec::new());
        assert_eq!(
            (b.rate, b.expected_redemptions, b.deferred_revenue_minor),
            (Decimal::new(25, 2), 750, Some(750))
        );
        let none = Breakage::estimate(0, 0, 40, None, Vec::new());
        assert_eq!(
            (none.rate, none.expected_redemptions, none.deferred_revenue_minor),
            (Decimal::ZERO, 40, None)
        );
    }
}
