//! Every fund's figures (members, loans, money, loans at risk) kept in
//! memory, brought up to date from the funds that saves changed.
//!
//! The Funds list's member counts and the Overview read every fund's
//! figures. At the nation that is 79,600 entries of two trees, and any save
//! (a member's loan, say) made the next of those screens read them all again
//! (0.35 s for the Overview alone). Now the store notes, after each save, the
//! funds whose figures it changed; a reader reads only those again. A bulk
//! load, a repair or anything else that writes figures wholesale marks every
//! fund changed ([`FundChanges::all`]), and the next reader reads the trees
//! whole, as before. This file holds what is kept; `sages` reads through it
//! (`Store::all_fund_stats`, `Store::fund_risk_on`).

use std::{
    collections::VecDeque,
    sync::{Arc, Mutex, MutexGuard, PoisonError},
};

use foldhash::HashMap;

use super::stats::FundStats;

/// Changes listed before a reader that fell further behind reads the trees
/// whole: a few thousand saves between two looks at the Overview.
const LISTED: usize = 4_096;

pub(super) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The funds whose figures changed, in the order of the changes.
#[derive(Default)]
pub(super) struct FundChanges(Mutex<Log>);

#[derive(Default)]
struct Log {
    /// Changes so far; the last one's number.
    seq: u64,
    /// Changes up to this number are not listed (dropped, or wholesale).
    floor: u64,
    /// (change number, fund), oldest first.
    listed: VecDeque<(u64, u64)>,
}

/// What changed since a reader's last look.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Since {
    /// Only these funds (maybe none).
    Funds(Vec<u64>),
    /// Anything may have: read every fund.
    All,
}

impl FundChanges {
    /// Notes that the figures of `funds` changed (after the save committed).
    pub(super) fn funds(&self, funds: impl IntoIterator<Item = u64>) {
        let mut log = lock(&self.0);
        for f in funds {
            log.seq += 1;
            let seq = log.seq;
            log.listed.push_back((seq, f));
            if log.listed.len() > LISTED
                && let Some((dropped, _)) = log.listed.pop_front()
            {
                log.floor = dropped;
            }
        }
    }

    /// Notes that any fund's figures may have changed.
    pub(super) fn all(&self) {
        let mut log = lock(&self.0);
        log.seq += 1;
        log.floor = log.seq;
        log.listed.clear();
    }

    /// The latest change's number and what changed after `seen` (none: the
    /// reader has not looked yet).
    pub(super) fn since(&self, seen: Option<u64>) -> (u64, Since) {
        let log = lock(&self.0);
        let since = match seen {
            Some(s) if s >= log.floor => {
                let mut funds: Vec<u64> =
                    log.listed.iter().filter(|(n, _)| *n > s).map(|(_, f)| *f).collect();
                funds.sort_unstable();
                funds.dedup();
                Since::Funds(funds)
            }
            _ => Since::All,
        };
        (log.seq, since)
    }
}

/// A fund's open loans on a day: the principal outstanding, and of it the
/// principal of loans more than 30 days late (what the Overview shows).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RiskOn {
    pub open: i64,
    pub at_risk: i64,
}

/// One tree's figures of every fund, as of a change number (and, for the
/// loans at risk, of a day).
pub(super) struct Kept<V> {
    pub(super) seq: u64,
    pub(super) day: i32,
    pub(super) map: Arc<HashMap<u64, V>>,
}

/// The two kinds of figure kept, the last asked first. Of the loans at risk
/// only a day's sums are kept: every fund's days (3.4 million at the nation,
/// 54 MB) are read, summed and let go. Two days are kept ([`RISK_DAYS`]): a
/// report written for another date does not make the next Overview read
/// every fund again.
#[derive(Default)]
pub(super) struct KeptFigures {
    pub(super) stats: Mutex<Vec<Kept<FundStats>>>,
    pub(super) risk: Mutex<Vec<Kept<RiskOn>>>,
}

/// Days of loans-at-risk sums kept (today's, and one other).
pub(super) const RISK_DAYS: usize = 2;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reader_is_told_the_funds_changed_since_it_looked_or_to_read_all() {
        let c = FundChanges::default();
        let (first, since) = c.since(None);
        assert_eq!(since, Since::All);
        c.funds([7, 3, 7]);
        let (second, since) = c.since(Some(first));
        assert_eq!(since, Since::Funds(vec![3, 7]));
        assert_eq!(c.since(Some(second)).1, Since::Funds(vec![]));
        c.all();
        assert_eq!(c.since(Some(second)).1, Since::All);
        let (third, _) = c.since(None);
        c.funds(0..LISTED as u64 + 1);
        // The oldest change was dropped: a reader from before it reads all.
        assert_eq!(c.since(Some(third)).1, Since::All);
        let (_, since) = c.since(Some(third + 1));
        assert_eq!(since, Since::Funds((1..LISTED as u64 + 1).collect()));
    }
}
