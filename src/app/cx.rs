//! What a screen gets when it acts: the store, what the screens share, the
//! funds to look up, and a list of effects on the rest of the app (another
//! tab to show, a record to open there) that the app applies once the
//! screen is done. A screen reaches no other screen's state: it asks.

use std::sync::Arc;

use super::{
    action::{NetView, PickPurpose, Tab},
    fund_row::{FundList, FundLookup},
    layout,
    list::ListPos,
    overlay::Overlay,
    shared::Shared,
    text::TextInput,
};
use crate::{
    domain::Lang,
    i18n::{Key, k, tr},
    service::labels::Opt,
    store::Store,
};

/// What a screen asks of the rest of the app.
#[derive(Clone, Debug, PartialEq)]
pub enum Effect {
    /// Show another tab.
    SwitchTab(Tab),
    /// Open an occupation record (by its key) on the Occupations tab.
    OpenOccupation(Vec<u8>),
    /// The Occupations tab's list, narrowed to a district and a stage or later.
    ShowOccupations { district: u16, stage: Option<crate::domain::occupation::Stage> },
    /// The district's households with a sage, in the Occupations tab.
    ShowCoached { district: u16 },
    /// The Network tab on a district's committee.
    ShowCommittee(u16),
    /// The Network tab's support or OTOP list, for a district.
    ShowNetworkList { view: NetView, district: Option<u16> },
    /// The Ranking tab on a district's households selected for coaching.
    RankSelected { district: u16 },
    /// Sages suggested for the household of this occupation record.
    Suggest(Box<crate::domain::occupation::OccupationRecord>),
    /// The catalog of occupation records changed: the lists follow.
    CatalogChanged,
}

pub struct Cx<'a> {
    pub store: &'a Arc<Store>,
    pub sh: &'a mut Shared,
    /// The funds, for screens other than the Funds tab (which has them;
    /// it gets none here).
    pub funds: &'a FundList,
    pub fx: &'a mut Vec<Effect>,
}

impl std::ops::Deref for Cx<'_> {
    type Target = Shared;
    fn deref(&self) -> &Shared {
        self.sh
    }
}

impl std::ops::DerefMut for Cx<'_> {
    fn deref_mut(&mut self) -> &mut Shared {
        self.sh
    }
}

impl Cx<'_> {
    pub fn effect(&mut self, e: Effect) {
        self.fx.push(e);
    }

    /// A fund's code, when the funds are at hand.
    pub fn fund_code(&self, id: u64) -> Option<String> {
        self.funds.code_of(id)
    }
}

impl Shared {
    /// Rows a list shows on the current screen.
    pub fn page(&self) -> usize {
        layout::list_rows(self.size.1)
    }

    /// A district's name in the officer's language.
    pub fn district_name(&self, d: u16) -> String {
        self.geo.name(u32::from(d), self.lang)
    }

    /// A category's name in the officer's language (its code if unknown).
    pub fn category_label(&self, code: u16) -> String {
        self.categories
            .iter()
            .find(|c| c.code == code)
            .map_or_else(|| code.to_string(), |c| c.name(self.lang).into())
    }

    pub fn category_options(&self) -> Vec<Opt> {
        self.categories.iter().map(|c| Opt::new(u32::from(c.code), &c.name_th, &c.name_en)).collect()
    }

    /// A pick list headed by "All" (which clears the filter).
    pub fn open_picker(
        &mut self,
        title: Key,
        mut options: Vec<Opt>,
        current: Option<u32>,
        purpose: PickPurpose,
    ) {
        options.insert(0, Opt::new(u32::MAX, tr(Lang::Th, k::ALL), tr(Lang::En, k::ALL)));
        self.open_choice(title, options, current, purpose);
    }

    /// A pick list of exactly these options.
    pub fn open_choice(&mut self, title: Key, options: Vec<Opt>, current: Option<u32>, purpose: PickPurpose) {
        let at = current.and_then(|c| options.iter().position(|o| o.value == c)).unwrap_or(0);
        let page = self.page().saturating_sub(4).max(1);
        let mut pos = ListPos::default();
        pos.set(at, options.len(), page);
        let shown = (0..options.len() as u32).collect();
        self.overlay =
            Some(Overlay::Picker { title, options, pos, purpose, filter: TextInput::default(), shown });
    }

    /// Re-applies the pick list's filter.
    pub fn picker_refilter(&mut self) {
        let page = self.page().saturating_sub(4).max(1);
        let Some(Overlay::Picker { options, pos, filter, shown, .. }) = &mut self.overlay else { return };
        let q = crate::domain::thai::fold_for_search(filter.as_str());
        *shown = (0..options.len() as u32)
            .filter(|i| {
                let o = &options[*i as usize];
                q.is_empty()
                    || crate::domain::thai::fold_for_search(&o.th).contains(&q)
                    || o.en.to_lowercase().contains(&q)
            })
            .collect();
        pos.clamp(shown.len(), page);
    }
}
