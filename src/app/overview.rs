//! The Overview tab (ภาพรวม): where every district stands on the programme's
//! eight steps, with the province's totals, its capital by kind and its loans.
//! Every figure comes from aggregates the store keeps up to date inside each
//! save (district counts, per-fund loans at risk), never from a scan of
//! members or occupation records.

use super::{
    action::{Action, NetView},
    cx::{Cx, Effect},
    layout,
    list::ListPos,
};
use crate::service::{messages, overview::figures};
use crate::{
    domain::{occupation::Stage, programme::NetworkCommittee},
    store::Store,
};

pub use crate::service::overview::{DistrictRow, Step};

#[derive(Default)]
pub struct OverviewTab {
    /// Districts in code order.
    pub rows: Vec<DistrictRow>,
    pub total: DistrictRow,
    pub pos: ListPos,
    /// The step column under the cursor (Enter opens its list).
    pub col: usize,
    /// The store generation, the day and the district (a committee's
    /// account; `None`: all) the figures were read for.
    seen: Option<(u64, crate::domain::Date, Option<u16>)>,
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
        // A committee reads its own district only.
        let own = cx.sh.access.reads_only_district();
        if self.seen == Some((generation, cx.sh.today, own)) {
            return;
        }
        let (rows, total) = if own.is_none() {
            // Every session that reads the whole province reads the same.
            match cx.sh.common.overview(store, cx.sh.today) {
                Ok(x) => x.as_ref().clone(),
                Err(e) => return cx.sh.error(messages::store(&e)),
            }
        } else {
            let facts = cx.funds.iter().map(|f| f.facts());
            let network = match cx.sh.common.network(store) {
                Ok(n) => n,
                Err(e) => return cx.sh.error(messages::store(&e)),
            };
            match figures(store, cx.sh.geo.districts(), facts, &network.committees, cx.sh.today, own) {
                Ok(x) => x,
                Err(e) => return cx.sh.error(messages::store(&e)),
            }
        };
        self.rows = rows;
        self.total = total;
        let n = self.rows.len();
        self.pos.clamp(n, layout::overview_rows(cx.sh.size.1));
        self.seen = Some((generation, cx.sh.today, own));
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
            Action::Export => super::export::open_report_form(cx.sh),
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
