//! The Overview's figures: where every district stands on the programme's
//! eight steps, with its capital and loans, and the province's totals. The
//! Overview tab and the province report (`io::report`) both read them here.
//! Every figure comes from aggregates the store keeps up to date inside each
//! save (district counts, per-fund loans at risk), never from a scan of
//! members or occupation records.

use foldhash::HashMap;

use crate::{
    domain::{
        Date,
        fund::{CapitalKind, Fund},
        programme::NetworkCommittee,
    },
    i18n::{Key, k},
    store::{DistrictStats, Store, StoreError},
};

/// The eight steps as the Overview's columns, in programme order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    Briefed,
    Occupations,
    Selected,
    WithSage,
    SelfDriving,
    Support,
    Models,
    Otop,
}

impl Step {
    pub const ALL: [Step; 8] = [
        Step::Briefed,
        Step::Occupations,
        Step::Selected,
        Step::WithSage,
        Step::SelfDriving,
        Step::Support,
        Step::Models,
        Step::Otop,
    ];
}

/// One district's figures (or the province's, with `district` 0).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DistrictRow {
    pub district: u16,
    pub funds: u32,
    pub members: u64,
    pub briefed: u32,
    pub stats: DistrictStats,
    /// Capital by kind of event, in `CapitalKind::ALL` order (satang).
    pub capital: [i64; 6],
    /// Lending capital and the Pracharat budget: the sums of the funds'
    /// own figures (`Fund::lending_capital`, `Fund::project_budget`).
    pub lending: i64,
    pub budget: i64,
    /// Outstanding principal of open loans, and of those more than 30 days late.
    pub open: i64,
    pub at_risk: i64,
}

impl DistrictRow {
    fn add(&mut self, o: &DistrictRow) {
        self.lending += o.lending;
        self.budget += o.budget;
        self.funds += o.funds;
        self.members += o.members;
        self.briefed += o.briefed;
        self.stats.add(&o.stats, 1);
        for (a, b) in self.capital.iter_mut().zip(o.capital) {
            *a += b;
        }
        self.open += o.open;
        self.at_risk += o.at_risk;
    }

    /// A step's figure.
    pub fn figure(&self, step: Step) -> i64 {
        let s = &self.stats;
        match step {
            Step::Briefed => i64::from(self.briefed),
            Step::Occupations => s.occupations,
            Step::Selected => s.selected,
            Step::WithSage => s.with_sage,
            Step::SelfDriving => s.self_driving,
            Step::Support => s.support,
            Step::Models => s.models,
            Step::Otop => s.otop_products,
        }
    }

    /// What a step's figure is measured against, for its gauge: funds for
    /// briefings, members for occupation records, active occupations for
    /// selection, the selected for the later steps. Support and OTOP have no
    /// natural whole: `None` (the gauge compares districts instead).
    pub fn whole(&self, step: Step) -> Option<i64> {
        let s = &self.stats;
        match step {
            Step::Briefed => Some(i64::from(self.funds)),
            Step::Occupations => Some(self.members as i64),
            Step::Selected => Some(s.active),
            Step::WithSage | Step::SelfDriving | Step::Models => Some(s.selected),
            Step::Support | Step::Otop => None,
        }
    }

    /// PAR30 in basis points.
    pub fn par30_bp(&self) -> u32 {
        if self.open <= 0 {
            0
        } else {
            (self.at_risk.max(0) as i128 * 10_000 / self.open as i128).min(10_000) as u32
        }
    }
}

/// A step's column header (Overview, report).
pub fn step_label(s: Step) -> Key {
    match s {
        Step::Briefed => k::OV_STEP1,
        Step::Occupations => k::OV_STEP2,
        Step::Selected => k::OV_STEP3,
        Step::WithSage => k::OV_STEP4,
        Step::SelfDriving => k::OV_STEP5,
        Step::Support => k::OV_STEP6,
        Step::Models => k::OV_STEP7,
        Step::Otop => k::OV_STEP8,
    }
}

/// The programme's own words for a step (the seed document's eight steps).
pub fn step_words(s: Step) -> Key {
    match s {
        Step::Briefed => k::OV_STEP1_WORDS,
        Step::Occupations => k::OV_STEP2_WORDS,
        Step::Selected => k::OV_STEP3_WORDS,
        Step::WithSage => k::OV_STEP4_WORDS,
        Step::SelfDriving => k::OV_STEP5_WORDS,
        Step::Support => k::OV_STEP6_WORDS,
        Step::Models => k::OV_STEP7_WORDS,
        Step::Otop => k::OV_STEP8_WORDS,
    }
}

/// What the figures take of one fund.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FundFacts {
    pub id: u64,
    pub district: u16,
    pub members: u32,
    /// Lending capital ([`Fund::lending_capital`]), satang.
    pub lending: i64,
    /// The Pracharat project budget ([`Fund::project_budget`]), satang.
    pub budget: i64,
    /// Capital by kind of event, in `CapitalKind::ALL` order (satang).
    pub capital_by_kind: [i64; 6],
}

impl FundFacts {
    pub fn of(f: &Fund, members: u32) -> FundFacts {
        let mut by = [0i64; 6];
        for e in &f.capital {
            if let Some(i) = CapitalKind::ALL.iter().position(|k| *k == e.kind) {
                by[i] += e.amount.0;
            }
        }
        FundFacts {
            id: f.id,
            district: f.district(),
            members,
            lending: f.lending_capital().0,
            budget: f.project_budget().0,
            capital_by_kind: by,
        }
    }

    /// The facts of `funds` (members from the fund totals the store keeps).
    pub fn of_funds(store: &Store, funds: &[Fund]) -> Result<Vec<FundFacts>, StoreError> {
        let stats = store.all_fund_stats()?;
        let members = |id: u64| stats.get(&id).map_or(0, |s| s.members.max(0) as u32);
        Ok(funds.iter().map(|f| FundFacts::of(f, members(f.id))).collect())
    }
}

/// Every district's figures on `today` (the districts of `districts`, and
/// any a fund names), in code order, and their total; `own`: only that
/// district (a committee's account). `committees`: every district's (the
/// lists the sessions share hold them).
pub fn figures(
    store: &Store,
    districts: &[u16],
    funds: impl IntoIterator<Item = FundFacts>,
    committees: &[NetworkCommittee],
    today: Date,
    own: Option<u16>,
) -> Result<(Vec<DistrictRow>, DistrictRow), StoreError> {
    let stats = store.all_district_stats()?;
    let risk = store.fund_risk_on(today.days())?;
    let briefed: HashMap<u16, usize> = committees.iter().map(|c| (c.district, c.briefed().len())).collect();
    let mut rows: HashMap<u16, DistrictRow> =
        districts.iter().map(|d| (*d, DistrictRow { district: *d, ..Default::default() })).collect();
    for f in funds {
        let r = rows
            .entry(f.district)
            .or_insert_with(|| DistrictRow { district: f.district, ..Default::default() });
        r.funds += 1;
        r.members += u64::from(f.members);
        r.lending += f.lending;
        r.budget += f.budget;
        for (a, b) in r.capital.iter_mut().zip(f.capital_by_kind) {
            *a += b;
        }
        if let Some(x) = risk.get(&f.id) {
            r.open += x.open;
            r.at_risk += x.at_risk;
        }
    }
    for (d, s) in stats {
        if let Some(r) = rows.get_mut(&d) {
            r.stats = s;
        }
    }
    for (d, n) in briefed {
        if let Some(r) = rows.get_mut(&d) {
            r.briefed = n.min(r.funds as usize) as u32;
        }
    }
    let mut rows: Vec<DistrictRow> =
        rows.into_values().filter(|r| own.is_none_or(|d| d == r.district)).collect();
    rows.sort_by_key(|r| r.district);
    let mut total = DistrictRow::default();
    for r in &rows {
        total.add(r);
    }
    Ok((rows, total))
}
