//! What the Funds tab shows over its list, as data: a fund's detail, its
//! members, one member, one loan. The Funds tab (`funds.rs`) and the member
//! screens (`members.rs`) both work on these; neither uses the other.

use super::{list::ListPos, text::TextInput};
use crate::service::messages;
use crate::{
    domain::{
        Date, Money,
        fund::Fund,
        loan::{Loan, Portfolio},
        member::{Member, MemberStatus},
        occupation::OccupationRecord,
        thai::{self, NationalId},
    },
    i18n::Msg,
    store::{FundStats, Store, StoreError},
};

/// The fund opened with Enter.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Detail {
    pub fund: Fund,
    /// Cursor in the ledger (capital events by date).
    pub ledger: ListPos,
    pub stats: FundStats,
    /// The fund's loans as of the app's date: outstanding, PAR30, repayment rate.
    pub portfolio: Portfolio,
    /// Why the figures could not be read in full.
    pub figures_error: Option<Msg>,
}

impl Detail {
    pub fn new(store: &Store, fund: Fund, as_of: Date) -> Self {
        let mut d = Detail {
            stats: FundStats::default(),
            portfolio: Portfolio::default(),
            figures_error: None,
            fund,
            ledger: ListPos::default(),
        };
        d.refresh_figures(store, as_of);
        d
    }

    /// Reads the fund's aggregates and walks its members' loans (a few hundred
    /// records) for the figures that depend on the date.
    pub fn refresh_figures(&mut self, store: &Store, as_of: Date) {
        let mut p = Portfolio::default();
        let read = store.fund_stats(self.fund.id).and_then(|s| {
            self.stats = s;
            store.for_each_prefix::<Member>(&self.fund.id.to_be_bytes(), |m| {
                for l in &m.loans {
                    p.add(l, as_of);
                }
            })
        });
        self.portfolio = p;
        // Partial figures must not pass for whole ones.
        self.figures_error = read.err().map(|e| messages::store(&e));
    }
}

/// What the Funds tab shows above its list: a fund's detail, its members, one
/// member, one loan — Esc goes back down the stack.
#[derive(Clone, Debug)]
pub enum Screen {
    Fund(Detail),
    Members(MembersView),
    Member(MemberView),
    Loan(LoanView),
}

/// One line of a fund's member list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MemberRow {
    pub id: u64,
    pub version: u64,
    pub name: String,
    pub national_id: NationalId,
    pub status: MemberStatus,
    pub loans: usize,
    pub outstanding: Money,
    pub days_overdue: i32,
    pub(super) sort: Vec<u8>,
    search: String,
}

impl MemberRow {
    pub fn new(m: &Member, as_of: Date) -> Self {
        let positions: Vec<_> = m.loans.iter().map(|l| l.position(as_of)).collect();
        Self {
            id: m.id,
            version: m.version,
            // Shown as the terminal may show it (see `domain::clean`).
            name: crate::domain::clean::line(&m.full_name()).into_owned(),
            national_id: m.national_id,
            status: m.status,
            loans: m.loans.len(),
            outstanding: positions.iter().map(|p| p.outstanding).sum(),
            days_overdue: positions.iter().map(|p| p.days_overdue).max().unwrap_or(0),
            sort: m.sort_key(),
            search: thai::fold_for_search(&format!("{} {} {}", m.full_name(), m.national_id, m.phone)),
        }
    }
}

/// A fund's members, in Thai order of given name (the title does not count).
#[derive(Clone, Debug, Default)]
pub struct MembersView {
    pub fund_id: u64,
    pub fund_code: String,
    pub fund_name: String,
    pub fund_start: Option<Date>,
    pub rows: Vec<MemberRow>,
    pub view: Vec<u32>,
    pub pos: ListPos,
    pub filter: TextInput,
    pub filtering: bool,
}

impl MembersView {
    pub fn load(&mut self, store: &Store, as_of: Date) -> Result<(), StoreError> {
        let keep = self.selected().map(|r| r.id);
        let mut rows = Vec::new();
        store.for_each_prefix::<Member>(&self.fund_id.to_be_bytes(), |m| {
            rows.push(MemberRow::new(&m, as_of))
        })?;
        rows.sort_by(|a, b| a.sort.cmp(&b.sort).then(a.id.cmp(&b.id)));
        self.rows = rows;
        self.refilter(keep, usize::MAX);
        Ok(())
    }

    pub fn selected(&self) -> Option<&MemberRow> {
        self.rows.get(*self.view.get(self.pos.cursor)? as usize)
    }

    /// Filters by name or national ID (Thai digits and dashes allowed).
    pub fn refilter(&mut self, keep: Option<u64>, page: usize) {
        let q = thai::fold_for_search(self.filter.as_str());
        let digits: String = q.chars().filter(|c| c.is_ascii_digit()).collect();
        let terms: Vec<&str> = q.split_whitespace().collect();
        let rows = &self.rows;
        self.view = (0..rows.len() as u32)
            .filter(|i| {
                let r = &rows[*i as usize];
                let by_id = digits.len() >= 4 && r.national_id.to_string().contains(&digits);
                by_id || terms.iter().all(|t| r.search.contains(t))
            })
            .collect();
        let at = keep.and_then(|id| self.view.iter().position(|i| rows[*i as usize].id == id));
        self.pos.set(at.unwrap_or(0), self.view.len(), page);
    }

    pub fn visible(&self, page: usize) -> impl Iterator<Item = (usize, &MemberRow)> {
        let w = self.pos.window(self.view.len(), page);
        self.view[w.clone()].iter().zip(w).map(|(i, n)| (n, &self.rows[*i as usize]))
    }
}

/// One member: their loans (newest first), then their occupation records.
#[derive(Clone, Debug)]
pub struct MemberView {
    pub member: Member,
    pub fund_code: String,
    pub occupations: Vec<OccupationRecord>,
    pub pos: ListPos,
}

impl MemberView {
    pub fn loans(&self) -> Vec<&Loan> {
        let mut v: Vec<&Loan> = self.member.loans.iter().collect();
        v.sort_by(|a, b| b.start.cmp(&a.start).then(b.id.cmp(&a.id)));
        v
    }

    pub fn len(&self) -> usize {
        self.member.loans.len() + self.occupations.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn selected_loan(&self) -> Option<&Loan> {
        self.loans().get(self.pos.cursor).copied()
    }

    pub fn selected_occupation(&self) -> Option<&OccupationRecord> {
        self.occupations.get(self.pos.cursor.checked_sub(self.member.loans.len())?)
    }
}

/// One loan of a member: schedule and repayments.
#[derive(Clone, Debug)]
pub struct LoanView {
    pub member: Member,
    pub loan_id: u64,
    /// Cursor in the repayments.
    pub pos: ListPos,
}

impl LoanView {
    pub fn loan(&self) -> Option<&Loan> {
        self.member.loan(self.loan_id)
    }
}
