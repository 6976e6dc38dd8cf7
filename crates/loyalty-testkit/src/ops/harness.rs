//! The harness that applies a random history to the in-memory ledger and checks, at every
//! step and at the end, what the design promises of it.

use super::*;

/// What a refused event must leave as it was: how many journal entries, codes and holds
/// there are, the member's lots and balances, and the hold or code the event names.
#[derive(Debug, PartialEq)]
struct Fingerprint {
    counts: (usize, usize, usize, usize),
    balances: Option<(Balance, Points)>,
    hold: Option<HoldRecord>,
    code: Option<RewardInstance>,
}

/// The in-memory ledger under test, with what the invariants are checked against kept
/// up to date step by step, so that a step costs no more than the members it touches.
#[derive(Debug)]
pub struct Harness {
    pub ledger: MemoryLedger,
    /// Accepted events with their times, in order, for the replay check.
    pub log: Vec<(Event, Timestamp)>,
    /// Sum of the postings of each member's accounts.
    member_postings: HashMap<(ExternalId, MemberAccount), i128>,
    /// Sum of every program-account posting.
    program_side: i128,
    pub accepted: usize,
    pub refused: usize,
    /// How often each refusal code came up.
    pub refusals: HashMap<&'static str, usize>,
    /// How often each kind of rule awarded something, and each limit acted.
    pub features: HashMap<&'static str, usize>,
}

impl Harness {
    pub fn new() -> Harness {
        Harness {
            ledger: MemoryLedger::new(),
            log: Vec::new(),
            member_postings: HashMap::new(),
            program_side: 0,
            accepted: 0,
            refused: 0,
            refusals: HashMap::new(),
            features: HashMap::new(),
        }
    }

    /// Counts what a decision exercised, to show the histories reach every rule and limit.
    fn count_features(&mut self, program: &Program, decision: &Decision) {
        for note in decision.standing.iter().flat_map(|s| s.history.iter()).chain(&decision.notes) {
            let feature = match (note.topic, note.to.as_deref()) {
                (HistoryTopic::Tier, _) if decision_is_review(decision) => "tier_reviewed",
                (HistoryTopic::Tier, _) => "tier_changed",
                (HistoryTopic::Subscription, _) => "subscription",
                (HistoryTopic::Status, Some("closed_inactive")) => "closed_inactive",
                (HistoryTopic::Status, Some("closed_by_request")) => "closed",
                (HistoryTopic::Status, Some("active")) => "status_restored",
                (HistoryTopic::Status, _) => "suspended",
                (HistoryTopic::Hold, Some("open")) => "hold",
                (HistoryTopic::Hold, Some("captured")) => "hold_captured",
                (HistoryTopic::Hold, Some("released")) => "hold_released",
                (HistoryTopic::Hold, _) => "hold_expired",
                (HistoryTopic::Reward, Some("cancelled")) => "reward_cancelled",
                (HistoryTopic::Reward, Some("used")) if note.from.is_none() => "donated",
                (HistoryTopic::Reward, Some("used")) => "reward_used",
                (HistoryTopic::Reward, Some("expired")) => "reward_expired",
                (HistoryTopic::Reward, Some("issued")) if note.from.is_some() => "gift_card_drawn",
                (HistoryTopic::Reward, _) => "reward_issued",
                (HistoryTopic::Achievement, Some(_)) => "achievement_completed",
                (HistoryTopic::Achievement, None) => "achievement_revoked",
                (HistoryTopic::Streak, _) => "streak_milestone",
                (HistoryTopic::Leaderboard, _) => "leaderboard_opt_in",
                (HistoryTopic::Survey, _) => "survey_answered",
            };
            *self.features.entry(feature).or_default() += 1;
        }
        if matches!(decision.calculation, Calculation::Status { points } if points.is_positive()) {
            *self.features.entry("points_forfeited_or_restored").or_default() += 1;
        }
        if matches!(decision.holds.as_slice(), [HoldChange::Open(h)] if h.amount_minor.is_some()) {
            *self.features.entry("paid_with_points").or_default() += 1;
        }
        if matches!(decision.calculation, Calculation::Hold { .. })
            && decision.entries.iter().any(|e| e.kind() == EntryKind::Expiry)
        {
            *self.features.entry("hold_lapsed").or_default() += 1;
        }
        if matches!(&decision.calculation, Calculation::Return(r) if r.refunded.is_positive()) {
            *self.features.entry("payment_refunded").or_default() += 1;
        }
        if matches!(decision.calculation, Calculation::Code { refunded } if refunded.is_positive()) {
            *self.features.entry("code_refunded").or_default() += 1;
        }
        let calc = match &decision.calculation {
            Calculation::Purchase(c)
            | Calculation::Activity(c)
            | Calculation::Enrolment(c)
            | Calculation::Birthday(c) => c,
            Calculation::Review { .. } => {
                *self.features.entry("review_decided").or_default() += 1;
                return;
            }
            Calculation::Expiry { .. } => {
                *self.features.entry("expired").or_default() += 1;
                return;
            }
            Calculation::PendingRelease { .. } => {
                *self.features.entry("released").or_default() += 1;
                return;
            }
            _ => return,
        };
        let mut seen = Vec::new();
        for award in calc.awards.iter().filter(|a| !a.points.is_zero()) {
            if let Some(rule) = program.rules().get(award.rule as usize) {
                seen.push(rule.kind());
            }
        }
        for award in &calc.awards {
            match award.detail {
                Detail::Cut { limit: Limit::Budget, .. } | Detail::Refused(Limit::Budget) => {
                    seen.push("budget_cut")
                }
                Detail::Cut { .. } | Detail::Refused(_) => seen.push("campaign_capped"),
                _ => {}
            }
        }
        if calc.awards.iter().any(|a| matches!(a.detail, Detail::Limited { .. })) {
            seen.push("limited");
        }
        if !calc.cuts.is_empty() {
            seen.push("capped");
        }
        if calc.review.is_some() {
            seen.push("held_for_review");
        }
        if calc.pending_until.is_some() && calc.points.is_positive() {
            seen.push("pending");
        }
        if decision.referrer.is_some() {
            seen.push("referrer_credited");
        }
        if decision.reward.is_some() {
            seen.push("reward_issued");
        }
        seen.sort_unstable();
        seen.dedup();
        for feature in seen {
            *self.features.entry(feature).or_default() += 1;
        }
    }

    fn refuse(&mut self, refused: &Rejection) {
        self.refused += 1;
        *self.refusals.entry(refused.code()).or_default() += 1;
    }

    /// Applies one operation and checks the invariants it could break.
    pub fn step(
        &mut self,
        program: &Program,
        op: &Op,
        step: usize,
    ) -> Result<Result<Decision, Rejection>, String> {
        let at = time_of(step);
        let event = match op.event(step, at, &self.ledger) {
            Ok(event) => event,
            Err(refused) => {
                self.refuse(&refused);
                return Ok(Err(refused));
            }
        };
        let before = self.fingerprint(&event);
        match self.ledger.submit(program, &event, at) {
            Err(refused) => {
                self.refuse(&refused);
                if self.fingerprint(&event) != before {
                    return Err(format!(
                        "step {step}: the refused {op:?} ({}) changed the ledger",
                        refused.code()
                    ));
                }
                Ok(Err(refused))
            }
            Ok(decision) => {
                self.accepted += 1;
                self.count_features(program, &decision);
                self.check_step(program, &event, &decision, step)?;
                self.log.push((event, at));
                Ok(Ok(decision))
            }
        }
    }

    /// What a refused event must leave as it was.
    fn fingerprint(&self, event: &Event) -> Fingerprint {
        let m = self.ledger.member(event.member());
        let lots = m.map_or(0, |m| self.ledger.lots_of(m.id).count());
        let (holds, rewards) = (self.ledger.holds(), self.ledger.rewards());
        Fingerprint {
            counts: (self.ledger.journal().len(), lots, rewards.len(), holds.len()),
            balances: m.map(|m| (m.balance, m.debt)),
            hold: match event {
                Event::Settle(s) => {
                    holds.iter().find(|(_, h)| h.hold_id == s.hold_id).map(|(_, h)| h.clone())
                }
                _ => None,
            },
            code: match event {
                Event::Code(c) => rewards.iter().find(|(_, r)| r.code == c.code).map(|(_, r)| r.clone()),
                _ => None,
            },
        }
    }

    fn post(&mut self, owner: &ExternalId, entry: &loyalty_core::ledger::EntryDraft) -> Result<(), String> {
        let sum: i128 = entry.postings().iter().map(|p| i128::from(p.amount.get())).sum();
        if sum != 0 || entry.postings().len() < 2 {
            return Err(format!("entry does not balance: {:?}", entry.postings()));
        }
        for p in entry.postings() {
            match p.account {
                Account::Member(account) => {
                    *self.member_postings.entry((owner.clone(), account)).or_default() +=
                        i128::from(p.amount.get());
                }
                Account::Program(_) => self.program_side += i128::from(p.amount.get()),
            }
        }
        Ok(())
    }

    /// Invariants 2 and 3 for one member: balances equal postings and lots.
    fn check_member(&self, external_id: &ExternalId) -> Result<(), String> {
        let m = self.ledger.member(external_id).ok_or_else(|| format!("member {external_id} is missing"))?;
        let posted =
            |account| self.member_postings.get(&(external_id.clone(), account)).copied().unwrap_or(0);
        let (mut spendable, mut held, mut pending) = (0i128, 0i128, 0i128);
        for lot in self.ledger.lots_of(m.id) {
            // 3. No lot below zero or above its amount (6: nothing spent twice).
            if lot.remaining.get() < 0 || lot.remaining > lot.amount {
                return Err(format!("lot {:?} has {} of {}", lot.id, lot.remaining, lot.amount));
            }
            let remaining = i128::from(lot.remaining.get());
            match lot.account() {
                MemberAccount::Review => held += remaining,
                MemberAccount::Pending => pending += remaining,
                MemberAccount::Available | MemberAccount::Held => spendable += remaining,
            }
        }
        let shown = i128::from(m.balance.pending.get());
        if shown != posted(MemberAccount::Pending) || shown != pending {
            return Err(format!(
                "{external_id} has {shown} pending but its postings sum to {} and its pending lots to {pending}",
                posted(MemberAccount::Pending)
            ));
        }
        let available = i128::from(m.balance.available.get());
        let review = i128::from(m.balance.pending_review.get());
        if available != posted(MemberAccount::Available) || available != spendable - i128::from(m.debt.get())
        {
            return Err(format!(
                "{external_id} holds {available} but its postings sum to {} and its lots to {spendable} with debt {}",
                posted(MemberAccount::Available),
                m.debt
            ));
        }
        if review != posted(MemberAccount::Review) || review != held {
            return Err(format!(
                "{external_id} has {review} in review but its postings sum to {} and its held lots to {held}",
                posted(MemberAccount::Review)
            ));
        }
        // Points held at the till are what the member's open holds reserve.
        let reserved: i128 = self
            .ledger
            .holds()
            .iter()
            .filter(|(owner, h)| *owner == m.id && h.state == HoldState::Open)
            .map(|(_, h)| i128::from(h.points.get()))
            .sum();
        let on_hold = i128::from(m.balance.held.get());
        if on_hold != posted(MemberAccount::Held) || on_hold != reserved {
            return Err(format!(
                "{external_id} has {on_hold} held but its postings sum to {} and its open holds to {reserved}",
                posted(MemberAccount::Held)
            ));
        }
        Ok(())
    }

    fn check_step(
        &mut self,
        program: &Program,
        event: &Event,
        decision: &Decision,
        step: usize,
    ) -> Result<(), String> {
        let fail = |what: String| format!("step {step} ({:?}): {what}", event.kind());
        // 1. Every entry balances; all postings together balance.
        for entry in &decision.entries {
            self.post(event.member(), entry).map_err(fail)?;
        }
        if let Some(credit) = &decision.referrer {
            self.post(&credit.external_id, &credit.entry).map_err(fail)?;
            self.check_member(&credit.external_id).map_err(fail)?;
        }
        let members_side: i128 = self.member_postings.values().sum();
        if members_side + self.program_side != 0 {
            return Err(fail(format!("all postings sum to {}", members_side + self.program_side)));
        }
        self.check_member(event.member()).map_err(fail)?;
        // 7. What members hold is what the program's accounts say it gave them (a few
        // members, so this costs little).
        let held = self.ledger.snapshot_outstanding();
        if held != -self.program_side {
            return Err(fail(format!(
                "members hold {held} but the program accounts say {}",
                -self.program_side
            )));
        }
        // 6. A redemption spends exactly the reward's cost.
        if let (Event::Redeem(r), Some(issued)) = (event, decision.reward.as_ref().map(|r| r.instance())) {
            let cost = program.reward(&r.reward).map(|reward| reward.points_cost);
            let spent = decision.entries.first().map(|e| e.net(Account::Member(MemberAccount::Available)));
            if Some(issued.points) != cost || spent != cost.and_then(Points::checked_neg) {
                return Err(fail(format!("a reward of cost {cost:?} spent {:?}", issued.points)));
            }
        }
        self.check_spending(program, event, decision).map_err(fail)
    }

    /// The checks of a whole history: every invariant over the whole ledger, the log
    /// replayed from empty (4), and every accepted enrolment, purchase, settlement and
    /// change of a code but a draw refused when sent again (5).
    pub fn finish(&self, program: &Program) -> Result<(), String> {
        self.ledger.check_invariants()?;
        self.check_counters(program)?;
        // 7. Members hold what the program's accounts say they were given.
        let snapshot = self.ledger.snapshot();
        if snapshot.outstanding() != -self.program_side {
            return Err(format!(
                "members hold {} but the program accounts say {}",
                snapshot.outstanding(),
                -self.program_side
            ));
        }
        let mut replayed = MemoryLedger::new();
        for (event, at) in &self.log {
            replayed
                .submit(program, event, *at)
                .map_err(|r| format!("replay refused {:?}: {}", event.kind(), r.code()))?;
        }
        let differences = replayed.snapshot().differences(&snapshot);
        if !differences.is_empty() {
            return Err(format!("replay differs: {differences:?}"));
        }
        let mut again = self.ledger.clone();
        // Settled holds and used, cancelled or expired codes stay so.
        let once = |e: &Event| match e {
            Event::Enrol(_) | Event::Purchase(_) | Event::Settle(_) => true,
            Event::Code(c) => !matches!(c.action, CodeAction::Draw { .. }),
            _ => false,
        };
        for (event, at) in self.log.iter().filter(|(e, _)| once(e)) {
            if again.submit(program, event, *at).is_ok() {
                return Err(format!("a repeated {:?} was accepted", event.kind()));
            }
        }
        Ok(())
    }
}

impl Default for Harness {
    fn default() -> Self {
        Harness::new()
    }
}
