//! The Overview tab (ภาพรวม): where every district stands on the programme's
//! eight steps, with the province's totals, its capital by kind and its loans.
//! Every figure comes from aggregates the store keeps up to date inside each
//! save (district counts, per-fund loans at risk), never from a scan of
//! members or occupation records.

use std::collections::HashMap;

use super::{
    action::{Action, NetView},
    cx::{Cx, Effect},
    layout,
    list::ListPos,
};
use crate::service::messages;
use crate::{
    domain::{occupation::Stage, programme::NetworkCommittee},
    store::{DistrictStats, Store},
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

#[derive(Default)]
pub struct OverviewTab {
    /// Districts in code order.
    pub rows: Vec<DistrictRow>,
    pub total: DistrictRow,
    pub pos: ListPos,
    /// The step column under the cursor (Enter opens its list).
    pub col: usize,
    /// The store generation and the day the figures were read at.
    seen: Option<(u64, crate::domain::Date)>,
}

impl OverviewTab {
    pub fn selected(&self) -> Option<&DistrictRow> {
        self.rows.get(self.pos.cursor)
    }

    /// The largest figure of a step over the districts, for gauges without a whole.
    pub fn max(&self, step: Step) -> i64 {
        self.rows.iter().map(|r| r.figure(step)).max().unwrap_or(0)
    }
}

impl OverviewTab {
    /// Reads the Overview's figures again if the store changed since.
    pub fn refresh(&mut self, cx: &mut Cx<'_>, store: &Store) {
        let generation = store.generation();
        if self.seen == Some((generation, cx.sh.today)) {
            return;
        }
        let (stats, risk) = match (store.all_district_stats(), store.all_fund_risk()) {
            (Ok(s), Ok(r)) => (s, r),
            (Err(e), _) | (_, Err(e)) => return cx.sh.error(messages::store(&e)),
        };
        let committees = match store.all::<NetworkCommittee>() {
            Ok(c) => c,
            Err(e) => return cx.sh.error(messages::store(&e)),
        };
        let briefed: HashMap<u16, usize> =
            committees.iter().map(|c| (c.district, c.briefed().len())).collect();
        let mut rows: HashMap<u16, DistrictRow> = cx
            .sh
            .geo
            .districts()
            .iter()
            .map(|d| (*d, DistrictRow { district: *d, ..Default::default() }))
            .collect();
        let today = cx.sh.today.days();
        for f in cx.funds {
            let r = rows
                .entry(f.district)
                .or_insert_with(|| DistrictRow { district: f.district, ..Default::default() });
            r.funds += 1;
            r.members += u64::from(f.members);
            r.lending += f.capital.0;
            r.budget += f.project_budget.0;
            for (a, b) in r.capital.iter_mut().zip(f.capital_by_kind) {
                *a += b;
            }
            if let Some(x) = risk.get(&f.id) {
                r.open += x.open;
                r.at_risk += x.at_risk(today);
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
        // A committee reads its own district only.
        let own = cx.sh.access.reads_only_district();
        let mut rows: Vec<DistrictRow> =
            rows.into_values().filter(|r| own.is_none_or(|d| d == r.district)).collect();
        rows.sort_by_key(|r| r.district);
        let mut total = DistrictRow::default();
        for r in &rows {
            total.add(r);
        }
        self.rows = rows;
        self.total = total;
        let n = self.rows.len();
        self.pos.clamp(n, layout::overview_rows(cx.sh.size.1));
        self.seen = Some((generation, cx.sh.today));
    }

    pub fn action(&mut self, cx: &mut Cx<'_>, action: Action) {
        let page = layout::overview_rows(cx.sh.size.1);
        let n = self.rows.len();
        if self.pos.navigate(action, n, page) {
            return;
        }
        match action {
            Action::Left => self.col = (self.col + Step::ALL.len() - 1) % Step::ALL.len(),
            Action::Right => self.col = (self.col + 1) % Step::ALL.len(),
            Action::Open => {
                let Some(d) = self.selected().map(|r| r.district) else { return };
                let step = Step::ALL[self.col.min(Step::ALL.len() - 1)];
                Self::open_step(cx, d, step);
            }
            _ => {}
        }
    }

    /// The list behind a figure, filtered to the district.
    fn open_step(cx: &mut Cx<'_>, district: u16, step: Step) {
        cx.effect(match step {
            Step::Briefed => Effect::ShowCommittee(district),
            Step::Occupations => Effect::ShowOccupations { district, stage: None },
            Step::SelfDriving => Effect::ShowOccupations { district, stage: Some(Stage::SelfDriving) },
            Step::Models => Effect::ShowOccupations { district, stage: Some(Stage::Model) },
            Step::Selected => Effect::RankSelected { district },
            Step::WithSage => Effect::ShowCoached { district },
            Step::Support => Effect::ShowNetworkList { view: NetView::Support, district: Some(district) },
            Step::Otop => Effect::ShowNetworkList { view: NetView::Otop, district: Some(district) },
        });
    }
}

/// The committee of a district, if the store has one.
pub fn committee_of(committees: &[NetworkCommittee], district: u16) -> Option<&NetworkCommittee> {
    committees.iter().find(|c| c.district == district)
}
