//! Lots: points earned together, spent first-to-expire first.

use crate::ids::{LotId, OrderId};
use crate::points::Points;
use crate::state::{Lot, LotSource};
use crate::time::Timestamp;

/// A change to the member's lots that a decision makes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LotChange {
    Open(NewLot),
    Draw {
        lot: LotId,
        amount: Points,
    },
    /// A lot held for review, or pending, becomes spendable.
    Release {
        lot: LotId,
    },
    /// Every open lot of the member that would expire before `until` expires then instead.
    Extend {
        until: Timestamp,
    },
    /// A lot held for review is taken back whole.
    Void {
        lot: LotId,
    },
    /// Points a released hold had drawn go back to their lot.
    Restore {
        lot: LotId,
        amount: Points,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewLot {
    pub amount: Points,
    /// Less than `amount` when part of the lot went straight to repaying debt.
    pub remaining: Points,
    pub earned_at: Timestamp,
    pub expires_at: Option<Timestamp>,
    pub order_id: Option<OrderId>,
    pub source: LotSource,
    /// Held for a fraud review.
    pub in_review: bool,
    /// Pending until then, for the return window.
    pub pending_until: Option<Timestamp>,
}

/// Makes the `held` lots spendable, repaying `debt` from them first, as earnings do.
/// Returns the changes and what is still owed.
pub fn release(held: &[&Lot], debt: Points) -> (Vec<LotChange>, Points) {
    let mut changes: Vec<LotChange> = held.iter().map(|l| LotChange::Release { lot: l.id }).collect();
    let mut owed = debt;
    for lot in held {
        let repay = lot.remaining.min(owed);
        if repay.is_positive() {
            changes.push(LotChange::Draw { lot: lot.id, amount: repay });
            owed = Points::new(owed.get() - repay.get());
        }
    }
    (changes, owed)
}

/// The points `wanted` drawn from `lots`: the lots of `prefer` first (a return takes back
/// from its own order's points, even those held for review), then the other spendable
/// lots first-to-expire first, oldest first among equals. Returns the draws and how many
/// points they cover, which is less than `wanted` only when the lots run out.
pub fn draw(lots: &[Lot], wanted: Points, prefer: Option<&OrderId>) -> (Vec<LotChange>, Points) {
    let own = |l: &Lot| prefer.is_some() && l.order_id.as_ref() == prefer;
    let mut order: Vec<&Lot> =
        lots.iter().filter(|l| l.remaining.is_positive() && (!l.is_held() || own(l))).collect();
    order.sort_by_key(|l| {
        (
            prefer.is_none_or(|o| l.order_id.as_ref() != Some(o)),
            l.expires_at.map_or(i64::MAX, Timestamp::as_micros),
            l.earned_at,
            l.id,
        )
    });
    let mut changes = Vec::new();
    let mut left = wanted.get();
    for lot in order {
        if left <= 0 {
            break;
        }
        let take = lot.remaining.get().min(left);
        changes.push(LotChange::Draw { lot: lot.id, amount: Points::new(take) });
        left -= take;
    }
    (changes, Points::new(wanted.get() - left.max(0)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lot(id: i64, remaining: i64, earned: i64, expires: Option<i64>, order: Option<&str>) -> Lot {
        Lot {
            id: LotId(id),
            amount: Points::new(remaining),
            remaining: Points::new(remaining),
            earned_at: Timestamp::from_micros(earned),
            expires_at: expires.map(Timestamp::from_micros),
            order_id: order.map(|o| OrderId::parse(o).unwrap()),
            source: LotSource::Purchase,
            in_review: false,
            pending_until: None,
        }
    }

    fn draws(changes: &[LotChange]) -> Vec<(i64, i64)> {
        changes
            .iter()
            .map(|c| match c {
                LotChange::Draw { lot, amount } => (lot.0, amount.get()),
                other => panic!("draw only draws, not {other:?}"),
            })
            .collect()
    }

    #[test]
    fn spends_first_to_expire_then_oldest() {
        let lots = [lot(1, 50, 10, None, None), lot(2, 30, 20, Some(1_000), None), lot(3, 40, 5, None, None)];
        let (changes, drawn) = draw(&lots, Points::new(100), None);
        assert_eq!(drawn, Points::new(100));
        assert_eq!(draws(&changes), vec![(2, 30), (3, 40), (1, 30)]);
    }

    #[test]
    fn a_preferred_order_is_drawn_first() {
        let lots = [lot(1, 50, 10, None, None), lot(2, 30, 20, None, Some("o-2"))];
        let order = OrderId::parse("o-2").unwrap();
        let (changes, _) = draw(&lots, Points::new(40), Some(&order));
        assert_eq!(draws(&changes), vec![(2, 30), (1, 10)]);
    }

    #[test]
    fn lots_in_review_are_not_spent() {
        let mut held = lot(1, 50, 10, None, None);
        held.in_review = true;
        let lots = [held, lot(2, 30, 20, None, None)];
        let (changes, drawn) = draw(&lots, Points::new(40), None);
        assert_eq!((draws(&changes), drawn.get()), (vec![(2, 30)], 30));
    }

    #[test]
    fn pending_lots_are_not_spent_but_a_return_takes_its_own() {
        let mut pending = lot(1, 50, 10, None, Some("o-1"));
        pending.pending_until = Some(Timestamp::from_micros(1_000));
        let lots = [pending, lot(2, 30, 20, None, None)];
        let (changes, drawn) = draw(&lots, Points::new(40), None);
        assert_eq!((draws(&changes), drawn.get()), (vec![(2, 30)], 30));
        let order = OrderId::parse("o-1").unwrap();
        let (changes, drawn) = draw(&lots, Points::new(40), Some(&order));
        assert_eq!((draws(&changes), drawn.get()), (vec![(1, 40)], 40));
    }

    #[test]
    fn reports_a_shortfall_when_lots_run_out() {
        let lots = [lot(1, 20, 10, None, None), lot(2, 0, 5, None, None)];
        let (changes, drawn) = draw(&lots, Points::new(25), None);
        assert_eq!(drawn, Points::new(20));
        assert_eq!(draws(&changes), vec![(1, 20)]);
    }
}
