//! The harness's checks of spending: holds reserve and settle exactly, codes give back
//! what they cost, and stock and limit counters match the live codes and holds.

use super::*;

impl Harness {
    /// Spending (8): a hold reserves what it is for costs, moved from the available points
    /// to the held; a settlement leaves the hold as it says and moves all its points out of
    /// the held, and a captured reward's code carries them; a code's change gives back what
    /// it says, a cancelled code all it cost; a return gives back no more than the points
    /// that paid for its order.
    pub(super) fn check_spending(
        &self,
        program: &Program,
        event: &Event,
        decision: &Decision,
    ) -> Result<(), String> {
        let net = |account| {
            (decision.entries.iter())
                .map(|e| e.net(Account::Member(account)))
                .try_fold(Points::ZERO, Points::checked_add)
        };
        let moved = || net(MemberAccount::Available);
        match event {
            Event::Hold(h) => {
                let [HoldChange::Open(record)] = decision.holds.as_slice() else {
                    return Err(format!("a hold changed {:?}", decision.holds));
                };
                let cost = match &h.spend {
                    HoldSpend::Points { points } => Some(*points),
                    HoldSpend::Reward { reward, .. } => program.reward(reward).map(|r| r.points_cost),
                    HoldSpend::Payment { amount, .. } => (program.redemption().point_value)
                        .and_then(|v| v.points_for(*amount))
                        .map(Points::new),
                };
                if Some(record.points) != cost
                    || moved() != cost.and_then(Points::checked_neg)
                    || net(MemberAccount::Held) != cost
                    || record.hold_id != h.hold_id
                    || record.state != HoldState::Open
                {
                    return Err(format!("a hold for {:?} costing {cost:?} reserved {record:?}", h.spend));
                }
            }
            Event::Settle(s) => {
                let [HoldChange::Update(after)] = decision.holds.as_slice() else {
                    return Err(format!("a settlement changed {:?}", decision.holds));
                };
                let issued = match &decision.reward {
                    Some(RewardChange::Issue(instance)) => Some(instance),
                    _ => None,
                };
                let want = match s.action {
                    SettleAction::Capture => HoldState::Captured,
                    SettleAction::Release => HoldState::Released,
                    SettleAction::Expire => HoldState::Expired,
                };
                let reward_ok = match (&after.reward, issued) {
                    (Some(held), Some(i)) => {
                        s.action == SettleAction::Capture && i.code == held.code && i.points == after.points
                    }
                    (Some(_), None) => s.action != SettleAction::Capture,
                    (None, issued) => issued.is_none(),
                };
                // Whatever becomes of the held points, they leave the held account.
                let unheld = net(MemberAccount::Held).and_then(Points::checked_neg);
                if after.hold_id != s.hold_id
                    || after.state != want
                    || !reward_ok
                    || unheld != Some(after.points)
                {
                    return Err(format!("a {} left {after:?} and issued {issued:?}", s.action.as_str()));
                }
            }
            Event::Code(c) => {
                let (Some(RewardChange::Update(after)), Calculation::Code { refunded }) =
                    (&decision.reward, &decision.calculation)
                else {
                    return Err(format!("a code's {} changed {:?}", c.action.as_str(), decision.reward));
                };
                let cancelled = matches!(c.action, CodeAction::Cancel);
                if after.code != c.code
                    || (cancelled && (*refunded != after.points || after.state != InstanceState::Cancelled))
                    || moved() != Some(*refunded)
                {
                    return Err(format!(
                        "a code's {} gave back {refunded} and left {after:?}",
                        c.action.as_str()
                    ));
                }
            }
            // A return gives back at most what a captured payment of its order spent.
            Event::Return(r) => {
                let fine = |h: &HoldRecord| {
                    h.order_id == r.order_id
                        && h.state == HoldState::Captured
                        && h.amount_minor.is_some()
                        && h.refunded <= h.points
                };
                if !decision.holds.iter().all(|change| fine(change.record())) {
                    return Err(format!("a return of {} left the holds {:?}", r.order_id, decision.holds));
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// Rewards' counters (9): a reward's stock counts its codes bought with points (not
    /// those a punch card gave) that are still issued or used, and its open holds; a
    /// member's count in a period counts their codes of it taken then (expired ones too)
    /// and their holds of it opened then and still open. A held code was taken when its
    /// hold was opened.
    pub(super) fn check_counters(&self, program: &Program) -> Result<(), String> {
        let (holds, codes) = (self.ledger.holds(), self.ledger.rewards());
        let hold_of = |code: &InstanceCode| {
            holds.iter().map(|(_, h)| h).find(|h| h.reward.as_ref().is_some_and(|held| held.code == *code))
        };
        for reward in program.rewards() {
            let bought = || codes.iter().filter(|(_, c)| c.reward == reward.code && c.points.is_positive());
            let held = || {
                holds.iter().filter(|(_, h)| h.reward.as_ref().is_some_and(|held| held.reward == reward.code))
            };
            if reward.stock.is_some() {
                let out =
                    bought().filter(|(_, c)| matches!(c.state, InstanceState::Issued | InstanceState::Used));
                let want = out.count() + held().filter(|(_, h)| h.state == HoldState::Open).count();
                let counted = self.ledger.counter(None, &Counter::program(reward.stock_key()));
                if usize::try_from(counted).ok() != Some(want) {
                    return Err(format!("{} has {counted} taken from its stock, not {want}", reward.code));
                }
            }
            let Some(limit) = reward.limit else { continue };
            let period = |at| reward.limit_key(limit, program.calendar().local(at));
            // Every period a code or hold touches, so that one counted in the wrong period shows.
            let mut want: HashMap<(MemberId, String), i64> = HashMap::new();
            for (owner, code) in bought() {
                let taken_at = hold_of(&code.code).map_or(code.issued_at, |h| h.created_at);
                *want.entry((*owner, period(taken_at))).or_default() +=
                    i64::from(code.state != InstanceState::Cancelled);
                want.entry((*owner, period(code.issued_at))).or_default();
            }
            for (owner, hold) in held() {
                *want.entry((*owner, period(hold.created_at))).or_default() +=
                    i64::from(hold.state == HoldState::Open);
            }
            for ((owner, key), want) in want {
                let counted = self.ledger.counter(Some(owner), &Counter::member(key.as_str()));
                if counted != want {
                    return Err(format!("member {owner:?} has taken {counted} of {key}, not {want}"));
                }
            }
        }
        Ok(())
    }
}
