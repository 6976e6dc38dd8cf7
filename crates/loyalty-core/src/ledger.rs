//! Double-entry bookkeeping of points. Every movement is a journal entry whose postings sum
//! to zero; the entry types below can only be built balanced.

use crate::points::Points;
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};

/// An account a posting moves points into (positive) or out of (negative).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum Account {
    /// An account of the event's member.
    Member(MemberAccount),
    /// An account of the program itself; these mirror the members' holdings.
    Program(ProgramAccount),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum MemberAccount {
    /// Points the member can spend.
    Available,
    /// Points earned but not yet released to the member.
    Pending,
    /// Points held for a fraud review, released or voided by an administrator.
    Review,
    /// Points reserved for a checkout, until the hold is captured or released.
    Held,
}

impl MemberAccount {
    /// The account that holds a lot's points: review first, then pending.
    pub fn holding(in_review: bool, pending_until: Option<Timestamp>) -> MemberAccount {
        match (in_review, pending_until) {
            (true, _) => MemberAccount::Review,
            (false, Some(_)) => MemberAccount::Pending,
            (false, None) => MemberAccount::Available,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum ProgramAccount {
    /// The source of every point earned (negative: the program's liability).
    Issued,
    /// Points members spent on rewards.
    Redeemed,
    /// Points added or removed by hand.
    Adjusted,
    /// Points a return should have taken back but could not, because the member had
    /// already spent them and the program does not allow negative balances.
    ReturnLoss,
    /// Points that expired unspent, or were forfeited when an account closed.
    Expired,
    /// Points members gave to a charity.
    Donated,
}

impl Account {
    /// The name stored in the journal and shown in the API: `member:available`,
    /// `program:issued`, ...
    pub fn name(self) -> &'static str {
        match self {
            Account::Member(MemberAccount::Available) => "member:available",
            Account::Member(MemberAccount::Pending) => "member:pending",
            Account::Member(MemberAccount::Review) => "member:pending_review",
            Account::Member(MemberAccount::Held) => "member:held",
            Account::Program(ProgramAccount::Issued) => "program:issued",
            Account::Program(ProgramAccount::Redeemed) => "program:redeemed",
            Account::Program(ProgramAccount::Adjusted) => "program:adjusted",
            Account::Program(ProgramAccount::ReturnLoss) => "program:return_loss",
            Account::Program(ProgramAccount::Expired) => "program:expired",
            Account::Program(ProgramAccount::Donated) => "program:donated",
        }
    }

    pub fn parse(name: &str) -> Option<Account> {
        ALL_ACCOUNTS.iter().copied().find(|a| a.name() == name)
    }

    pub fn is_member(self) -> bool {
        matches!(self, Account::Member(_))
    }
}

const ALL_ACCOUNTS: [Account; 10] = [
    Account::Member(MemberAccount::Available),
    Account::Member(MemberAccount::Pending),
    Account::Member(MemberAccount::Review),
    Account::Member(MemberAccount::Held),
    Account::Program(ProgramAccount::Donated),
    Account::Program(ProgramAccount::Issued),
    Account::Program(ProgramAccount::Redeemed),
    Account::Program(ProgramAccount::Adjusted),
    Account::Program(ProgramAccount::ReturnLoss),
    Account::Program(ProgramAccount::Expired),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Posting {
    pub account: Account,
    pub amount: Points,
}

/// Why an entry was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum EntryKind {
    Purchase,
    Return,
    Redemption,
    Adjustment,
    Activity,
    /// A bonus not tied to a purchase: welcome, birthday.
    Bonus,
    /// The referrer's share of a referral.
    Referral,
    /// Points held for review made available.
    ReviewRelease,
    /// Points held for review taken back.
    ReviewVoid,
    /// Points whose lots reached their expiry date unspent.
    Expiry,
    /// Pending points made available once the return window passed.
    PendingRelease,
    /// Points a closed account lost.
    Forfeit,
    /// Forfeited points given back when the account was reinstated.
    Reinstatement,
    /// Points reserved for a checkout.
    Hold,
    /// Reserved points freed when a hold was released or ran out.
    HoldRelease,
    /// Points given to a charity.
    Donation,
    /// Spent points given back: a cancelled reward, the points part of a returned order.
    Refund,
    /// Points for completing an achievement, or taken back when a return undid it.
    Achievement,
    /// Points for a streak's milestone.
    Streak,
    /// Points for answering a survey.
    Survey,
}

impl EntryKind {
    const ALL: [EntryKind; 20] = [
        EntryKind::Achievement,
        EntryKind::Survey,
        EntryKind::Streak,
        EntryKind::Hold,
        EntryKind::HoldRelease,
        EntryKind::Donation,
        EntryKind::Refund,
        EntryKind::Purchase,
        EntryKind::Return,
        EntryKind::Redemption,
        EntryKind::Adjustment,
        EntryKind::Activity,
        EntryKind::Bonus,
        EntryKind::Referral,
        EntryKind::ReviewRelease,
        EntryKind::ReviewVoid,
        EntryKind::Expiry,
        EntryKind::PendingRelease,
        EntryKind::Forfeit,
        EntryKind::Reinstatement,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EntryKind::Purchase => "purchase",
            EntryKind::Return => "return",
            EntryKind::Redemption => "redemption",
            EntryKind::Adjustment => "adjustment",
            EntryKind::Activity => "activity",
            EntryKind::Bonus => "bonus",
            EntryKind::Referral => "referral",
            EntryKind::ReviewRelease => "review_release",
            EntryKind::ReviewVoid => "review_void",
            EntryKind::Expiry => "expiry",
            EntryKind::PendingRelease => "pending_release",
            EntryKind::Forfeit => "forfeit",
            EntryKind::Reinstatement => "reinstatement",
            EntryKind::Hold => "hold",
            EntryKind::HoldRelease => "hold_release",
            EntryKind::Donation => "donation",
            EntryKind::Refund => "refund",
            EntryKind::Achievement => "achievement",
            EntryKind::Streak => "streak",
            EntryKind::Survey => "survey",
        }
    }

    pub fn parse(text: &str) -> Option<EntryKind> {
        EntryKind::ALL.into_iter().find(|k| k.as_str() == text)
    }
}

/// A journal entry about to be written: two or more postings that sum to zero.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryDraft {
    kind: EntryKind,
    postings: Vec<Posting>,
}

impl EntryDraft {
    /// Moves `amount` (positive) from one account to another.
    pub fn transfer(kind: EntryKind, from: Account, to: Account, amount: Points) -> Option<EntryDraft> {
        if !amount.is_positive() {
            return None;
        }
        let out = amount.checked_neg()?;
        Some(EntryDraft {
            kind,
            postings: vec![Posting { account: from, amount: out }, Posting { account: to, amount }],
        })
    }

    /// An entry of any number of postings; `None` unless there are at least two, none is
    /// zero and they sum to zero.
    pub fn balanced(kind: EntryKind, postings: Vec<Posting>) -> Option<EntryDraft> {
        if postings.len() < 2 || postings.iter().any(|p| p.amount.is_zero()) {
            return None;
        }
        let sum = postings.iter().try_fold(Points::ZERO, |acc, p| acc.checked_add(p.amount))?;
        sum.is_zero().then_some(EntryDraft { kind, postings })
    }

    pub fn kind(&self) -> EntryKind {
        self.kind
    }

    pub fn postings(&self) -> &[Posting] {
        &self.postings
    }

    /// The net change of one account.
    pub fn net(&self, account: Account) -> Points {
        self.postings
            .iter()
            .filter(|p| p.account == account)
            .fold(Points::ZERO, |acc, p| Points::new(acc.get() + p.amount.get()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const AVAILABLE: Account = Account::Member(MemberAccount::Available);
    const ISSUED: Account = Account::Program(ProgramAccount::Issued);

    #[test]
    fn transfers_balance_by_construction() {
        let e = EntryDraft::transfer(EntryKind::Purchase, ISSUED, AVAILABLE, Points::new(160)).unwrap();
        assert_eq!(e.postings()[0], Posting { account: ISSUED, amount: Points::new(-160) });
        assert_eq!(e.postings()[1], Posting { account: AVAILABLE, amount: Points::new(160) });
        assert_eq!(e.net(AVAILABLE), Points::new(160));
    }

    #[test]
    fn empty_or_unbalanced_entries_cannot_be_built() {
        assert!(EntryDraft::transfer(EntryKind::Purchase, ISSUED, AVAILABLE, Points::ZERO).is_none());
        let unbalanced = vec![
            Posting { account: ISSUED, amount: Points::new(-5) },
            Posting { account: AVAILABLE, amount: Points::new(4) },
        ];
        assert!(EntryDraft::balanced(EntryKind::Return, unbalanced).is_none());
    }

    #[test]
    fn account_names_round_trip() {
        for account in ALL_ACCOUNTS {
            assert_eq!(Account::parse(account.name()), Some(account));
        }
        assert_eq!(Account::parse("member:savings"), None);
    }

    #[test]
    fn every_entry_kind_reads_back_from_its_name() {
        // The match makes a new kind fail to compile here until it is listed.
        let listed = |kind: EntryKind| match kind {
            EntryKind::Purchase
            | EntryKind::Return
            | EntryKind::Redemption
            | EntryKind::Adjustment
            | EntryKind::Activity
            | EntryKind::Bonus
            | EntryKind::Referral
            | EntryKind::ReviewRelease
            | EntryKind::ReviewVoid
            | EntryKind::Expiry
            | EntryKind::PendingRelease
            | EntryKind::Forfeit
            | EntryKind::Reinstatement
            | EntryKind::Hold
            | EntryKind::HoldRelease
            | EntryKind::Donation
            | EntryKind::Refund
            | EntryKind::Achievement
            | EntryKind::Streak
            | EntryKind::Survey => EntryKind::ALL.contains(&kind),
        };
        for kind in EntryKind::ALL {
            assert!(listed(kind));
            assert_eq!(EntryKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(EntryKind::ALL.len(), 20);
        assert_eq!(EntryKind::parse("gift"), None);
    }
}
