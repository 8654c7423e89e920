//! Collection day (วันรับชำระเงินกู้): at a fund's meeting the committee takes
//! the repayments of every loan with an instalment due by the day. The list
//! of what is due, how a payment is split (interest first, as the fund's
//! books take it), the summary before saving, and the saving — every
//! repayment checked exactly as the single repayment form checks it
//! (`RepaymentDraft::apply`), all of them one change set that `u` takes
//! back. The Funds tab's collection screen and `sammachip collection`
//! (the same sheet as `.xlsx`) both work through here.

use std::collections::BTreeMap;

use crate::{
    domain::{
        Date, Money,
        loan::{RepaymentDraft, RepaymentError, RepaymentField},
        member::Member,
        thai,
    },
    store::{Actor, SaveError, Store, StoreError, member_key},
};

/// One loan with something due by the day.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Due {
    pub fund_id: u64,
    pub member_id: u64,
    pub member: String,
    pub loan_id: u64,
    /// Principal and interest fallen due by the day and not paid.
    pub principal: Money,
    pub interest: Money,
    /// Days the oldest unpaid instalment is late on the day.
    pub days_late: i32,
}

impl Due {
    pub fn total(&self) -> Money {
        Money(self.principal.0 + self.interest.0)
    }

    /// A payment split as the fund's books take it: the interest due first,
    /// the rest to principal.
    pub fn split(&self, paid: Money) -> (Money, Money) {
        let interest = Money(paid.0.clamp(0, self.interest.0));
        (Money(paid.0.max(0) - interest.0), interest)
    }
}

/// Every loan of the fund's members with an instalment due by `date` and
/// not paid, members in their order, loans in theirs.
pub fn dues(store: &Store, fund_id: u64, date: Date) -> Result<Vec<Due>, StoreError> {
    let mut out = Vec::new();
    for m in store.scan_prefix::<Member>(&fund_id.to_be_bytes())? {
        for l in &m.loans {
            let p = l.position(date);
            if p.arrears.0 > 0 || p.interest_arrears.0 > 0 {
                out.push(Due {
                    fund_id,
                    member_id: m.id,
                    member: m.full_name(),
                    loan_id: l.id,
                    principal: p.arrears,
                    interest: p.interest_arrears,
                    days_late: p.days_overdue,
                });
            }
        }
    }
    Ok(out)
}

/// What a collection would do.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    /// Repayments to record, and what they bring.
    pub payments: usize,
    pub collected: Money,
    /// Due and not brought.
    pub still_due: Money,
    /// Loans left with something due after the meeting.
    pub now_late: usize,
}

pub fn summary<'a>(entries: impl IntoIterator<Item = (&'a Due, Option<Money>)>) -> Summary {
    let mut s = Summary::default();
    for (d, paid) in entries {
        let paid = paid.unwrap_or(Money::ZERO);
        if paid.0 > 0 {
            s.payments += 1;
        }
        s.collected.0 += paid.0;
        let left = (d.total().0 - paid.0).max(0);
        s.still_due.0 += left;
        if left > 0 {
            s.now_late += 1;
        }
    }
    s
}

/// Why a collection was not saved.
#[derive(Debug, thiserror::Error)]
pub enum CollectError {
    /// A payment the single form would refuse: the loan and why.
    #[error("loan {0}: {1:?}")]
    Refused(u64, Vec<(RepaymentField, RepaymentError)>),
    #[error("loan {0} is no longer there")]
    Gone(u64),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("saving: {0:?}")]
    Save(SaveError),
}

/// Records every payment (entries with an amount above zero) on `date`:
/// all checked first, each as the repayment form checks it, then saved
/// member by member in `who`'s change set. Returns how many were recorded.
pub fn record(
    store: &Store,
    who: Actor<'_>,
    date: Date,
    today: Date,
    entries: &[(Due, Option<Money>)],
) -> Result<usize, CollectError> {
    let mut members: BTreeMap<(u64, u64), Member> = BTreeMap::new();
    let mut n = 0;
    for (d, paid) in entries {
        let Some(paid) = paid.filter(|p| p.0 > 0) else { continue };
        let key = (d.fund_id, d.member_id);
        let member = match members.entry(key) {
            std::collections::btree_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::btree_map::Entry::Vacant(e) => e.insert(
                store
                    .get_at::<Member>(&member_key(d.fund_id, d.member_id))?
                    .ok_or(CollectError::Gone(d.loan_id))?,
            ),
        };
        let loan =
            member.loans.iter_mut().find(|l| l.id == d.loan_id).ok_or(CollectError::Gone(d.loan_id))?;
        let (principal, interest) = d.split(paid);
        let draft = RepaymentDraft {
            date: thai::format_date(date, crate::domain::Lang::Th),
            principal: principal.format(),
            interest: interest.format(),
            penalty: String::new(),
        };
        draft.apply(loan, None, today).map_err(|e| CollectError::Refused(d.loan_id, e))?;
        n += 1;
    }
    for m in members.values() {
        store.save(who, m).map_err(CollectError::Save)?;
    }
    Ok(n)
}
