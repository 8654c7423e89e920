//! One fund as the lists show it, and a way for any screen to look funds up
//! without reaching into the Funds tab.

use crate::{
    domain::{
        Lang, Money,
        fund::{Fund, FundKind, Grade},
        thai,
    },
    service::{geo::Geo, overview::FundFacts},
};

/// One line of the fund list: what the columns show and what `/` searches.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FundRow {
    pub id: u64,
    pub version: u64,
    pub code: String,
    pub name: String,
    pub kind: FundKind,
    pub district: u16,
    pub subdistrict: u32,
    pub grade: Grade,
    pub members: u32,
    /// Lending capital ([`Fund::lending_capital`]).
    pub capital: Money,
    /// The Pracharat project budget ([`Fund::project_budget`]).
    pub project_budget: Money,
    /// Capital by kind of event, in `CapitalKind::ALL` order (satang).
    pub capital_by_kind: [i64; 6],
    pub established: Option<crate::domain::Date>,
    /// Code, name and place names in both languages, folded for matching.
    pub(super) search: String,
}

impl FundRow {
    pub fn new(f: &Fund, geo: &Geo, members: u32) -> Self {
        let facts = FundFacts::of(f, members);
        let (d, s) = (u32::from(f.district()), f.subdistrict());
        let search = thai::fold_for_search(&format!(
            "{} {} {} {} {} {}",
            f.code,
            f.name,
            geo.name(d, Lang::Th),
            geo.name(d, Lang::En),
            geo.name(s, Lang::Th),
            geo.name(s, Lang::En),
        ));
        Self {
            id: f.id,
            version: f.version,
            code: f.code.clone(),
            // Shown as the terminal may show it (see `domain::clean`).
            name: crate::domain::clean::line(&f.name).into_owned(),
            kind: f.kind,
            district: f.district(),
            subdistrict: f.subdistrict(),
            grade: f.grade,
            members,
            capital: Money(facts.lending),
            project_budget: Money(facts.budget),
            capital_by_kind: facts.capital_by_kind,
            established: f.established,
            search,
        }
    }

    /// What the Overview's figures take of this fund.
    pub fn facts(&self) -> FundFacts {
        FundFacts {
            id: self.id,
            district: self.district,
            members: self.members,
            lending: self.capital.0,
            budget: self.project_budget.0,
            capital_by_kind: self.capital_by_kind,
        }
    }

    /// Whether a (folded) search term occurs in the code, name or places,
    /// with the search for the term prepared once for many rows
    /// ([`FundRow::finder`]): a filter keystroke on the nation's 79,600 funds.
    pub fn matches_found(&self, term: &memchr::memmem::Finder<'_>) -> bool {
        term.find(self.search.as_bytes()).is_some()
    }

    /// A search term prepared for [`FundRow::matches_found`].
    pub fn finder(term: &str) -> memchr::memmem::Finder<'_> {
        memchr::memmem::Finder::new(term.as_bytes())
    }
}

/// The funds any screen may look up (the Funds tab holds them).
pub trait FundLookup {
    /// Every fund, in no particular order.
    fn rows(&self) -> &[FundRow];

    fn row(&self, id: u64) -> Option<&FundRow> {
        self.rows().iter().find(|r| r.id == id)
    }

    fn code_of(&self, id: u64) -> Option<String> {
        self.row(id).map(|r| r.code.clone())
    }

    /// Each fund's village code (PPDDSSVV) by fund id, as the sage plan wants it.
    fn villages(&self) -> std::collections::HashMap<u64, u32> {
        self.rows().iter().map(|r| (r.id, r.code.parse().unwrap_or(0))).collect()
    }

    /// The funds of a subdistrict, sorted.
    fn funds_in(&self, subdistrict: u32) -> Vec<u64> {
        let mut v: Vec<u64> =
            self.rows().iter().filter(|r| r.subdistrict == subdistrict).map(|r| r.id).collect();
        v.sort_unstable();
        v
    }
}

impl FundLookup for [FundRow] {
    fn rows(&self) -> &[FundRow] {
        self
    }
}
