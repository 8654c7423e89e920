//! Application state and actions. Data flows one way: a key becomes an
//! [`Action`], [`App::update`] changes the state (and the store), and the UI draws
//! the state. Nothing here knows about terminals.

pub mod action;
pub mod admin;
pub mod export;
pub mod form;
pub mod funds;
pub mod layout;
pub mod list;
pub mod members;
pub mod network;
pub mod occupations;
pub mod overlay;
pub mod overview;
pub mod ranking;
pub mod sages;
pub mod shared;
pub mod text;

use std::sync::{
    Arc, RwLock,
    atomic::{AtomicU32, Ordering},
    mpsc,
};

use crate::service::{
    catalog::{self, Catalog},
    geo::Geo,
    messages,
};
use crate::{
    demo::{self, Scale},
    domain::{
        Date, Lang,
        money::group_thousands,
        occupation::{OccupationRecord, Stage},
        officer::{Access, Denied},
        thai,
    },
    i18n::{Key, Msg, k},
    store::{Actor, Record, SaveError, Store, StoreError, assignment_key, member_key, occupation_key},
};
use form::FormKind;
use funds::{FundsTab, Screen};
use network::NetworkTab;
use occupations::OccupationsTab;
use overview::OverviewTab;
use ranking::RankingTab;
use sages::SagesTab;
use text::TextEdit;
pub use action::{Action, Ctx, Pending, PickPurpose, Status, StatusKind, Tab};
pub use overlay::Overlay;
pub use shared::{Shared, Undo};

/// Work that runs beside the screen (loading demo data).
pub struct Job {
    pub what: Msg,
    /// Progress in thousandths.
    pub progress: Arc<AtomicU32>,
    rx: mpsc::Receiver<Result<Msg, Msg>>,
}

/// The choices offered on an empty store, in order.
pub const OFFER_CHOICES: [(Key, Option<Scale>); 3] = [
    (k::OFFER_PROVINCE, Some(Scale::Province)),
    (k::OFFER_DISTRICT, Some(Scale::District)),
    (k::OFFER_EMPTY, None),
];

pub struct App {
    /// What every screen sees: see [`Shared`]. `App` dereferences to it.
    pub sh: Shared,
    pub tab: Tab,
    pub funds: FundsTab,
    pub occ: OccupationsTab,
    pub rank: RankingTab,
    pub sages: SagesTab,
    pub overview: OverviewTab,
    pub network: NetworkTab,
    pub admin: admin::AdminTab,
    pub job: Option<Job>,
    /// Ctrl-C pressed once while work runs beside the screen.
    quit_asked: bool,
    seen_generation: u64,
}

impl std::ops::Deref for App {
    type Target = Shared;
    fn deref(&self) -> &Shared {
        &self.sh
    }
}

impl std::ops::DerefMut for App {
    fn deref_mut(&mut self) -> &mut Shared {
        &mut self.sh
    }
}

impl App {
    /// Loads what the screens need from the store. An empty store opens on the
    /// offer to load demo data.
    pub fn new(store: &Arc<Store>, officer: impl Into<String>, lang: Lang, size: (u16, u16)) -> Self {
        let mut app = Self::build(store, officer.into(), lang, size, None);
        app.load_catalog(store);
        // What opening put right (a load cut off and rolled back) is news.
        if let Some(n) = store.notices().last() {
            app.info(messages::notice(n));
        }
        app
    }

    /// An app that reads the occupation catalog `shared` with other sessions
    /// of the same server (one copy in memory; every session's saves keep it
    /// current for all). A session that picks its own as-of date gets its own.
    pub fn with_catalog(
        store: &Arc<Store>,
        officer: impl Into<String>,
        lang: Lang,
        size: (u16, u16),
        shared: Arc<RwLock<Catalog>>,
    ) -> Self {
        Self::build(store, officer.into(), lang, size, Some(shared))
    }

    fn build(
        store: &Arc<Store>,
        officer: String,
        lang: Lang,
        size: (u16, u16),
        shared: Option<Arc<RwLock<Catalog>>>,
    ) -> Self {
        let today = Date::today();
        let catalog_shared = shared.is_some();
        let mut app = App {
            sh: Shared {
                lang,
                no_color: false,
                officer,
                access: Access::Admin,
                export_dir: None,
                today,
                size,
                geo: Geo::default(),
                categories: Vec::new(),
                catalog: shared.unwrap_or_else(|| Arc::new(RwLock::new(Catalog::empty(today)))),
                catalog_shared,
                catalog_rx: None,
                as_of: today,
                form: None,
                overlay: None,
                status: None,
                undo: Vec::new(),
                quit: false,
            },
            tab: Tab::Overview,
            funds: FundsTab::default(),
            occ: OccupationsTab::default(),
            rank: RankingTab::default(),
            sages: SagesTab::default(),
            overview: OverviewTab::default(),
            network: NetworkTab::default(),
            admin: admin::AdminTab::default(),
            job: None,
            quit_asked: false,
            seen_generation: store.generation(),
        };
        app.ensure_committees(store);
        app.reload(store);
        if matches!(store.is_empty(), Ok(true)) {
            app.overlay = Some(Overlay::Offer { cursor: 0 });
        }
        app
    }

    /// Starts reading the catalog of occupation records beside the screen.
    pub fn load_catalog(&mut self, store: &Arc<Store>) {
        let (tx, rx) = mpsc::channel();
        let store = Arc::clone(store);
        let as_of = self.sh.as_of;
        std::thread::spawn(move || {
            let _ = tx.send(Catalog::load(&store, as_of));
        });
        self.sh.catalog_rx = Some(rx);
    }

    /// Waits for the catalog (tests, benchmarks, and a tab that needs it now).
    pub fn finish_loading(&mut self) {
        if let Some(rx) = self.sh.catalog_rx.take() {
            match rx.recv() {
                Ok(result) => self.catalog_loaded(result),
                Err(_) => self.sh.error(k::ERR_CATALOG),
            }
        }
    }

    fn catalog_loaded(&mut self, result: Result<Catalog, StoreError>) {
        release_free_memory();
        match result {
            Ok(c) => {
                // Row numbers change with a new catalog: keep the selections by id.
                let mut keep = (None, None);
                if self.sh.catalog_shared {
                    // Another date than the server's: this session's own copy.
                    if let Ok(slot) = self.sh.catalog.read() {
                        let id_at =
                            |row: Option<&u32>| row.and_then(|i| slot.rows.get(*i as usize)).map(|r| r.id);
                        keep = (
                            id_at(self.occ.view.get(self.occ.pos.cursor)),
                            id_at(self.rank.selected().map(|(row, _)| row)),
                        );
                    }
                    let mut c = c;
                    c.revision = self.sh.catalog.read().map_or(1, |x| x.revision + 1);
                    self.sh.catalog = Arc::new(RwLock::new(c));
                    self.sh.catalog_shared = false;
                } else if let Ok(mut slot) = self.sh.catalog.write() {
                    let id_at =
                        |row: Option<&u32>| row.and_then(|i| slot.rows.get(*i as usize)).map(|r| r.id);
                    keep = (
                        id_at(self.occ.view.get(self.occ.pos.cursor)),
                        id_at(self.rank.selected().map(|(row, _)| row)),
                    );
                    let revision = slot.revision + 1;
                    *slot = c;
                    slot.revision = revision;
                }
                self.occ.view.clear();
                self.rank.ranked.clear();
                self.occ_refresh_keeping(keep.0);
                self.rank_refresh_keeping(keep.1);
            }
            Err(e) => self.sh.error(messages::store(&e)),
        }
    }

    pub fn catalog_loading(&self) -> bool {
        self.sh.catalog_rx.is_some()
    }

    /// Re-reads everything from the store (after demo data, or another officer's
    /// save), keeping the officer's place.
    pub fn reload(&mut self, store: &Store) {
        match store.places() {
            Ok(places) => self.sh.geo = Geo::new(places),
            Err(e) => self.sh.error(messages::store(&e)),
        }
        match store.categories() {
            Ok(c) => self.sh.categories = c,
            Err(e) => self.sh.error(messages::store(&e)),
        }
        if let Err(e) = self.funds.load(store, &self.sh.geo, self.sh.lang) {
            self.sh.error(messages::store(&e));
        }
        self.funds.refresh_screens(store, self.sh.as_of);
        self.sages_load(store);
        self.network_load(store);
        self.admin_load(store);
        if let Some(d) = &mut self.occ.detail {
            let key = occupation_key(d.record.fund_id, d.record.member_id, d.record.id);
            match store.get_at::<OccupationRecord>(&key) {
                Ok(Some(r)) => d.record = r,
                Ok(None) => self.occ.detail = None,
                Err(_) => {}
            }
        }
        self.occ_detail_assignments(store);
        if self.tab == Tab::Overview {
            self.overview_refresh(store);
        }
        self.clamp_lists();
        self.seen_generation = store.generation();
    }

    pub fn ctx(&self) -> Ctx {
        if self.job.is_some() {
            return Ctx::Busy;
        }
        match &self.sh.overlay {
            Some(Overlay::Help { .. } | Overlay::ThaiCheck) => return Ctx::Help,
            Some(Overlay::Confirm { .. }) => return Ctx::Confirm,
            Some(Overlay::Picker { .. }) => return Ctx::Picker,
            Some(Overlay::Offer { .. }) => return Ctx::Offer,
            Some(Overlay::Suggest(_)) => return Ctx::Suggest,
            None => {}
        }
        if self.sh.form.is_some() {
            return Ctx::Form;
        }
        match self.tab {
            Tab::Overview => Ctx::Overview,
            Tab::Admin if self.admin.entry.is_some() => Ctx::AuditEntry,
            Tab::Admin if self.admin.keys.is_some() => Ctx::AdminKeys,
            Tab::Admin if self.admin.filtering => Ctx::Filter,
            Tab::Admin => Ctx::Admin,
            Tab::Network if self.network.detail.is_some() => Ctx::Committee,
            Tab::Network => Ctx::Network,
            Tab::Ranking if self.rank.weight_focus.is_some() => Ctx::Weights,
            Tab::Ranking => Ctx::Ranking,
            Tab::Sages if self.sages.plan.is_some() => Ctx::Plan,
            Tab::Sages if self.sages.detail.is_some() => Ctx::Sage,
            Tab::Sages if self.sages.filtering => Ctx::Filter,
            Tab::Sages => Ctx::Sages,
            Tab::Occupations if self.occ.detail.is_some() => Ctx::Occupation,
            Tab::Occupations if self.occ.filtering => Ctx::Filter,
            Tab::Occupations => Ctx::Occupations,
            _ => match self.funds.stack.last() {
                Some(Screen::Fund(_)) => Ctx::Detail,
                Some(Screen::Members(v)) if v.filtering => Ctx::Filter,
                Some(Screen::Members(_)) => Ctx::Members,
                Some(Screen::Member(_)) => Ctx::Member,
                Some(Screen::Loan(_)) => Ctx::Loan,
                None if self.funds.filtering => Ctx::Filter,
                None => Ctx::List,
            },
        }
    }

    /// Rows a list shows on the current screen.
    pub fn page(&self) -> usize {
        layout::list_rows(self.sh.size.1)
    }

    fn clamp_lists(&mut self) {
        let page = self.page();
        self.funds.clamp(page, layout::ledger_rows(self.sh.size.1), layout::member_rows(self.sh.size.1));
        self.occ.pos.clamp(self.occ.view.len(), page);
        let n = self.rank.ranked.len();
        self.rank.pos.clamp(n, layout::ranking_rows(self.sh.size.1));
        if let Some(d) = &mut self.occ.detail {
            d.pos.clamp(d.record.loan_ids.len(), layout::occupation_loan_rows(self.sh.size.1));
        }
        let picker_page = page.saturating_sub(4).max(1);
        if let Some(Overlay::Picker { pos, shown, .. }) = &mut self.sh.overlay {
            pos.clamp(shown.len(), picker_page);
        }
    }

    /// Applies one action. Returns whether the screen may have changed.
    pub fn update(&mut self, action: Action, store: &Arc<Store>) -> bool {
        match action {
            Action::Resize(w, h) => {
                self.sh.size = (w, h);
                self.clamp_lists();
                return true;
            }
            Action::Tick => return self.tick(store),
            _ => {}
        }
        if self.ctx() != Ctx::Busy {
            self.sh.status = None;
        }
        match self.ctx() {
            // Quitting now would leave the demo half written: ask first.
            Ctx::Busy if action == Action::Quit => {
                if self.quit_asked {
                    self.sh.quit = true;
                } else {
                    self.quit_asked = true;
                    self.sh.error(k::BUSY_QUIT);
                }
            }
            Ctx::Busy => self.sh.info(k::BUSY_WAIT),
            Ctx::Offer => self.offer_action(action, store),
            Ctx::Help => self.help_action(action),
            Ctx::Confirm => self.confirm_action(action, store),
            Ctx::Picker => self.picker_action(action, store),
            Ctx::Suggest => self.suggest_action(action, store),
            Ctx::Sages | Ctx::Sage | Ctx::Plan if !self.global_action(action) => {
                self.sages_action(action, store)
            }
            Ctx::Overview if !self.global_action(action) => self.overview_action(action, store),
            Ctx::Admin | Ctx::AdminKeys | Ctx::AuditEntry if !self.global_action(action) => {
                self.admin_action(action, store)
            }
            Ctx::Network | Ctx::Committee if !self.global_action(action) => {
                self.network_action(action, store)
            }
            Ctx::Form => self.form_action(action, store),
            Ctx::Filter => self.filter_action(action),
            Ctx::Occupations | Ctx::Occupation if !self.global_action(action) => {
                self.occupations_action(action, store)
            }
            Ctx::Ranking if !self.global_action(action) => self.ranking_action(action, store),
            Ctx::Weights => self.ranking_action(action, store),
            Ctx::Members if !self.global_action(action) => self.members_action(action, store),
            Ctx::Member if !self.global_action(action) => self.member_action(action, store),
            Ctx::Loan if !self.global_action(action) => self.loan_action(action, store),
            Ctx::List | Ctx::Detail if !self.global_action(action) => self.funds_action(action, store),
            _ => {}
        }
        // A read-only account is told at once, not after typing a whole form
        // (the store refuses the save anyway).
        if let Some(f) = &self.sh.form
            && f.kind.writes()
            && let Err(d) = self.sh.access.may_write()
        {
            self.sh.form = None;
            self.sh.error(messages::denied(&d));
        }
        if self.tab == Tab::Overview {
            self.overview_refresh(store);
        }
        if self.tab == Tab::Admin && self.admin.stale {
            self.admin.stale = false;
            self.admin_open(store);
        }
        self.show_trouble(store);
        true
    }

    /// A save that the disk did not confirm is news the officer must see.
    fn show_trouble(&mut self, store: &Store) {
        if let Some(t) = store.take_trouble() {
            self.sh.error(messages::store(&t));
        }
    }

    /// Keys that work on every tab in navigation mode. Returns whether it acted.
    fn global_action(&mut self, action: Action) -> bool {
        match action {
            Action::Quit => self.sh.quit = true,
            Action::Help => self.sh.overlay = Some(Overlay::Help { scroll: 0 }),
            Action::ToggleLang => {
                self.sh.lang = self.sh.lang.toggled();
                self.funds.language_changed(self.sh.lang, &self.sh.geo);
                if matches!(self.occ.sort, catalog::OccSort::District | catalog::OccSort::Category) {
                    self.occ_refresh();
                }
            }
            Action::NextTab | Action::PrevTab => self.step_tab(action == Action::NextTab),
            Action::GoTab(n) => match self.tabs().iter().find(|t| t.number() == n) {
                Some(t) => self.switch_tab(*t),
                None if n == Tab::Admin.number() => self.sh.error(messages::denied(&Denied::AdminOnly)),
                None => {
                    let name = Tab::ALL.get(usize::from(n).saturating_sub(1)).map(|t| t.label());
                    match name {
                        Some(label) => self
                            .sh
                            .info(Msg::with(k::TAB_NOT_YET, [crate::i18n::tr(self.sh.lang, label).to_string()])),
                        None => return false,
                    }
                }
            },
            _ => return false,
        }
        true
    }

    /// The tabs this officer has: the Admin tab is for administrators.
    pub fn tabs(&self) -> &'static [Tab] {
        if self.sh.access.may_admin().is_ok() { &Tab::ALL } else { &Tab::SHOWN }
    }

    fn step_tab(&mut self, forward: bool) {
        let shown = self.tabs();
        let i = shown.iter().position(|t| *t == self.tab).unwrap_or(0);
        let n = shown.len();
        self.switch_tab(shown[if forward { (i + 1) % n } else { (i + n - 1) % n }]);
    }

    pub(super) fn switch_tab(&mut self, tab: Tab) {
        self.tab = tab;
        // Read when the tab opens (at the end of this update, with the store).
        self.admin.stale |= tab == Tab::Admin;
        let stale = self.sh.catalog.read().is_ok_and(|c| c.revision != self.occ.seen_revision());
        if tab == Tab::Occupations && stale {
            self.occ_refresh();
        }
        if tab == Tab::Ranking {
            self.rank_refresh_if_stale();
        }
    }

    fn help_action(&mut self, action: Action) {
        if self.sh.overlay == Some(Overlay::ThaiCheck) {
            if matches!(action, Action::Back | Action::Help | Action::Quit | Action::Open) {
                self.sh.overlay = Some(Overlay::Help { scroll: 0 });
            }
            return;
        }
        let Some(Overlay::Help { scroll }) = &mut self.sh.overlay else {
            return;
        };
        match action {
            Action::ThaiCheck => self.sh.overlay = Some(Overlay::ThaiCheck),
            Action::Up => *scroll = scroll.saturating_sub(1),
            Action::Down => *scroll += 1,
            Action::PageUp => *scroll = scroll.saturating_sub(10),
            Action::PageDown => *scroll += 10,
            Action::Home => *scroll = 0,
            Action::Back | Action::Help | Action::Quit | Action::Open => self.sh.overlay = None,
            _ => {}
        }
    }

    fn confirm_action(&mut self, action: Action, store: &Arc<Store>) {
        let Some(Overlay::Confirm { then, .. }) = &self.sh.overlay else {
            return;
        };
        let then = *then;
        match action {
            Action::Yes => {
                self.sh.overlay = None;
                match then {
                    Pending::Quit => self.sh.quit = true,
                    Pending::DiscardForm => self.sh.form = None,
                    Pending::DeleteFund { id, version } => self.delete_fund(store, id, version),
                    Pending::DeleteCapital { fund_id, version, seq } => {
                        self.delete_capital(store, fund_id, version, seq)
                    }
                    Pending::DeleteMember { fund_id, id, version } => {
                        self.delete_member(store, fund_id, id, version)
                    }
                    Pending::DeleteLoan { fund_id, member_id, version, loan_id } => self.edit_loan_book(
                        store,
                        (fund_id, member_id, version),
                        |m| m.loans.retain(|l| l.id != loan_id),
                        Msg::new(k::DELETED_LOAN),
                    ),
                    Pending::DeleteRepayment { fund_id, member_id, version, loan_id, index } => self
                        .edit_loan_book(
                            store,
                            (fund_id, member_id, version),
                            |m| {
                                if let Some(l) = m.loans.iter_mut().find(|l| l.id == loan_id)
                                    && index < l.repayments.len()
                                {
                                    l.repayments.remove(index);
                                }
                            },
                            Msg::new(k::DELETED_REPAYMENT),
                        ),
                    Pending::DeleteOccupation { key, version } => self.delete_occupation(store, key, version),
                    Pending::DeleteSage { id, version } => self.delete_sage(store, id, version),
                    Pending::DiscardPlan => self.sages.plan = None,
                    Pending::ToggleOfficer { id, version } => self.toggle_officer(store, id, version),
                    Pending::RemoveKey { id, version, n } => self.remove_officer_key(store, id, version, n),
                    Pending::Reassign { household, from, to } => self.reassign(store, household, from, to),
                    Pending::DeleteSupport { id, version } => self.delete_support(store, id, version),
                    Pending::DeleteOtop { id, version } => self.delete_otop(store, id, version),
                    Pending::DeleteBriefing { id, version, index } => {
                        self.delete_briefing(store, id, version, index)
                    }
                }
            }
            Action::No | Action::Back => self.sh.overlay = None,
            Action::Quit => self.sh.quit = true,
            _ => {}
        }
    }

    /// Re-applies the pick list's filter.
    pub(super) fn picker_refilter(&mut self) {
        let page = self.page().saturating_sub(4).max(1);
        let Some(Overlay::Picker { options, pos, filter, shown, .. }) = &mut self.sh.overlay else { return };
        let q = thai::fold_for_search(filter.as_str());
        *shown = (0..options.len() as u32)
            .filter(|i| {
                let o = &options[*i as usize];
                q.is_empty() || thai::fold_for_search(&o.th).contains(&q) || o.en.to_lowercase().contains(&q)
            })
            .collect();
        pos.clamp(shown.len(), page);
    }

    fn picker_action(&mut self, action: Action, store: &Arc<Store>) {
        let page = self.page().saturating_sub(4).max(1);
        let Some(Overlay::Picker { options, pos, purpose, filter, shown, .. }) = &mut self.sh.overlay else {
            return;
        };
        if pos.navigate(action, shown.len(), page) {
            return;
        }
        match action {
            Action::Text(e) if filter.apply(e) => {
                pos.home();
                self.picker_refilter();
            }
            Action::Back | Action::Quit => self.sh.overlay = None,
            Action::Open => {
                let value = shown.get(pos.cursor).and_then(|i| options.get(*i as usize)).map(|o| o.value);
                let Some(value) = value else { return };
                let purpose = *purpose;
                self.sh.overlay = None;
                let all = value == u32::MAX;
                match purpose {
                    PickPurpose::DistrictFilter => {
                        let district = (!all).then_some(value as u16);
                        self.funds.set_district(district, self.page());
                    }
                    PickPurpose::OccDistrict => self.occ.select.district = (!all).then_some(value as u16),
                    PickPurpose::OccCategory => self.occ.select.category = (!all).then_some(value as u16),
                    PickPurpose::OccFund => self.occ.select.fund = (!all).then_some(u64::from(value)),
                    PickPurpose::OccStage => {
                        self.occ.select.stage =
                            (!all).then(|| Stage::ALL.get(value as usize).copied()).flatten();
                        self.occ.select.stage_or_later = false;
                    }
                    PickPurpose::RankScope | PickPurpose::RankCategory | PickPurpose::RankProfile => {
                        return self.ranking_picked(purpose, value, all);
                    }
                    PickPurpose::SageDistrict
                    | PickPurpose::SageExpertise
                    | PickPurpose::PlanScope
                    | PickPurpose::AssignmentStatus => return self.sages_picked(store, purpose, value, all),
                    PickPurpose::NetworkDistrict => return self.network_picked(value, all),
                }
                if purpose != PickPurpose::DistrictFilter {
                    self.occ_refresh();
                }
            }
            _ => {}
        }
    }

    /// Typing into a list's filter: the fund list, a fund's members, or the
    /// Occupations tab.
    fn filter_action(&mut self, action: Action) {
        let page = self.page();
        if self.tab == Tab::Admin {
            return self.admin_filter_action(action);
        }
        if self.tab == Tab::Sages {
            return self.sages_filter_action(action);
        }
        if self.tab == Tab::Occupations {
            match action {
                Action::Text(e) => self.occ_filter_edit(e),
                Action::Back => {
                    self.occ.filter.set("");
                    self.occ.filtering = false;
                    self.occ_refresh();
                }
                Action::Open => self.occ.filtering = false,
                Action::Quit => self.sh.quit = true,
                _ => {
                    self.occ.pos.navigate(action, self.occ.view.len(), page);
                }
            }
            return;
        }
        if let Some(Screen::Members(v)) = self.funds.stack.last_mut() {
            let keep = v.selected().map(|r| r.id);
            match action {
                Action::Text(e) if v.filter.apply(e) => v.refilter(keep, page),
                Action::Back => {
                    v.filter.set("");
                    v.filtering = false;
                    v.refilter(keep, page);
                }
                Action::Open => v.filtering = false,
                Action::Quit => self.sh.quit = true,
                _ => {
                    v.pos.navigate(action, v.view.len(), page);
                }
            }
            return;
        }
        match action {
            Action::Text(e) if self.funds.filter.apply(e) => self.funds.refilter(page),
            Action::Back => {
                self.funds.filter.apply(TextEdit::Clear);
                self.funds.filtering = false;
                self.funds.refilter(page);
            }
            Action::Open => self.funds.filtering = false,
            Action::Quit => self.sh.quit = true,
            _ if self.funds.pos.navigate(action, self.funds.view.len(), page) => {}
            _ => {}
        }
    }

    fn form_action(&mut self, action: Action, store: &Arc<Store>) {
        let Some(form) = &mut self.sh.form else { return };
        match action {
            Action::Text(e) => form.edit(e),
            Action::NextField | Action::Down | Action::Open => form.next_field(),
            Action::PrevField | Action::Up => form.prev_field(),
            Action::Save => self.submit_form(store),
            Action::Back => {
                if form.dirty {
                    self.sh.overlay = Some(Overlay::Confirm {
                        msg: Msg::new(k::CONFIRM_DISCARD),
                        then: Pending::DiscardForm,
                    });
                } else {
                    self.sh.form = None;
                }
            }
            Action::Quit => {
                if form.dirty {
                    self.sh.overlay = Some(Overlay::Confirm {
                        msg: Msg::new(k::CONFIRM_QUIT_UNSAVED),
                        then: Pending::Quit,
                    });
                } else {
                    self.sh.quit = true;
                }
            }
            _ => {}
        }
    }

    fn offer_action(&mut self, action: Action, store: &Arc<Store>) {
        let Some(Overlay::Offer { cursor }) = &mut self.sh.overlay else {
            return;
        };
        let n = OFFER_CHOICES.len();
        match action {
            Action::Up => *cursor = (*cursor + n - 1) % n,
            Action::Down => *cursor = (*cursor + 1) % n,
            Action::Quit => self.sh.quit = true,
            Action::Back => self.sh.overlay = None,
            Action::Open => {
                let choice = OFFER_CHOICES[(*cursor).min(n - 1)].1;
                self.sh.overlay = None;
                if let Err(d) = self.sh.access.may_admin() {
                    return self.sh.error(messages::denied(&d));
                }
                match choice {
                    Some(scale) => self.start_demo(store, scale, demo::DEFAULT_SEED),
                    None => match demo::seed_geography(store, &self.sh.officer) {
                        Ok(n) => {
                            self.ensure_committees(store);
                            self.reload(store);
                            self.sh.info(Msg::with(k::STARTED_EMPTY, [(n - 1).to_string()]));
                        }
                        Err(e) => self.sh.error(messages::store(&e)),
                    },
                }
            }
            _ => {}
        }
    }

    /// Loads demo data beside the screen, which shows progress meanwhile.
    pub fn start_demo(&mut self, store: &Arc<Store>, scale: Scale, seed: u64) {
        let progress = Arc::new(AtomicU32::new(0));
        let (tx, rx) = mpsc::channel();
        let (store, p, officer) = (Arc::clone(store), Arc::clone(&progress), self.sh.officer.clone());
        let today = self.sh.today;
        std::thread::spawn(move || {
            let result = demo::generate(&store, &officer, scale, seed, today, &|done| {
                p.store(done, Ordering::Relaxed)
            })
            .map(|s| {
                Msg::with(
                    k::DEMO_LOADED,
                    [s.funds, s.members, s.loans, s.occupations].map(|n| group_thousands(n as u64)),
                )
            })
            .map_err(|e| Msg::with(k::DEMO_FAILED, [demo::message(&e)]));
            // The screen may be gone; nothing to tell then.
            let _ = tx.send(result);
        });
        self.job = Some(Job { what: Msg::new(k::DEMO_LOADING), progress, rx });
    }

    fn tick(&mut self, store: &Store) -> bool {
        if let Some(rx) = &self.sh.catalog_rx {
            match rx.try_recv() {
                Ok(result) => {
                    self.sh.catalog_rx = None;
                    self.catalog_loaded(result);
                    return true;
                }
                Err(mpsc::TryRecvError::Empty) => {}
                Err(mpsc::TryRecvError::Disconnected) => {
                    self.sh.catalog_rx = None;
                    self.sh.error(k::ERR_CATALOG);
                }
            }
        }
        if let Some(job) = &self.job {
            match job.rx.try_recv() {
                Ok(result) => {
                    self.job = None;
                    self.ensure_committees(store);
                    self.reload(store);
                    self.reload_catalog(store);
                    match result {
                        Ok(msg) => self.sh.info(msg),
                        Err(msg) => self.sh.error(msg),
                    }
                }
                Err(mpsc::TryRecvError::Empty) => {}
                Err(mpsc::TryRecvError::Disconnected) => {
                    self.job = None;
                    self.reload(store);
                    self.sh.error(k::DEMO_FAILED);
                }
            }
            return true;
        }
        let mut changed = false;
        if store.generation() != self.seen_generation {
            self.reload(store);
            changed = true;
        }
        // Another session's save changed the shared catalog: the list on
        // screen follows.
        let revision = self.sh.catalog.read().map(|c| c.revision).ok();
        if self.tab == Tab::Occupations && revision != Some(self.occ.seen_revision()) {
            self.occ_refresh();
            changed = true;
        }
        if self.tab == Tab::Ranking
            && self.rank.seen_revision.is_some()
            && revision != self.rank.seen_revision
        {
            self.rank_refresh();
            changed = true;
        }
        changed
    }

    /// Reads the catalog again, now (after demo data).
    fn reload_catalog(&mut self, store: &Store) {
        self.sh.catalog_rx = None;
        self.catalog_loaded(Catalog::load(store, self.sh.as_of));
    }

    /// Every district in the gazetteer gets its network committee.
    fn ensure_committees(&mut self, store: &Store) {
        let districts: Vec<u16> = match store.places() {
            Ok(places) => Geo::new(places).districts().to_vec(),
            Err(e) => return self.sh.error(messages::store(&e)),
        };
        if let Err(e) = store.ensure_committees(&self.sh.officer, &districts) {
            self.sh.error(messages::save(&e));
        }
    }

    /// Which form is open decides how it saves.
    pub(super) fn submit_form(&mut self, store: &Arc<Store>) {
        let Some(form) = &mut self.sh.form else { return };
        form.clear_errors();
        match form.kind {
            FormKind::NewFund | FormKind::EditFund { .. } => self.submit_fund(store),
            FormKind::NewCapital { .. } | FormKind::EditCapital { .. } => self.submit_capital(store),
            FormKind::NewMember { .. } | FormKind::EditMember { .. } => self.submit_member(store),
            FormKind::NewLoan { .. } | FormKind::EditLoan { .. } => self.submit_loan(store),
            FormKind::Repayment { .. } => self.submit_repayment(store),
            FormKind::NewOccupation { .. } | FormKind::EditOccupation { .. } => self.submit_occupation(store),
            FormKind::NewCategory => self.submit_category(store),
            FormKind::AsOf => self.submit_as_of(store),
            FormKind::SaveProfile => self.submit_profile(store),
            FormKind::NewOfficer | FormKind::AddKey { .. } => self.submit_officer(store),
            FormKind::Mark { .. } => self.submit_mark(store),
            FormKind::Export => self.submit_export(store),
            FormKind::NewSage | FormKind::EditSage { .. } => self.submit_sage(store),
            FormKind::Visit { .. } => self.submit_visit(store),
            FormKind::Committee { .. } => self.submit_committee(store),
            FormKind::Briefing { .. } => self.submit_briefing(store),
            FormKind::NewSupport | FormKind::EditSupport { .. } => self.submit_support(store),
            FormKind::NewOtop | FormKind::EditOtop { .. } => self.submit_otop(store),
            FormKind::StageChange { .. } => self.submit_mark(store),
        }
    }

    /// Takes back the officer's last change, if nobody has changed the record
    /// since, and shows the result everywhere.
    pub(super) fn undo(&mut self, store: &Arc<Store>) {
        let Some(entry) = self.sh.undo.pop() else {
            self.sh.info(k::NOTHING_TO_UNDO);
            return;
        };
        let what = entry.describe();
        let result = self.apply_undo(store, entry.clone());
        match result {
            Ok(()) => {
                self.reload(store);
                self.sh.info(Msg::with(k::UNDONE_WHAT, [what]));
            }
            // Someone changed it since: the old state cannot come back.
            Err(SaveError::Stale { .. }) => self.sh.error(Msg::with(k::ERR_UNDO_STALE, [what])),
            Err(e) => {
                // Anything else (the disk, say) may pass: keep the entry to try again.
                self.sh.undo.push(entry);
                self.sh.error(messages::save(&e));
            }
        }
    }

    /// Takes one change back (see [`App::undo`]).
    fn apply_undo(&mut self, store: &Arc<Store>, entry: Undo) -> Result<(), SaveError> {
        let officer = self.sh.officer.clone();
        let who = Actor { name: &officer, access: self.sh.access, change: None };
        match entry {
            Undo::Fund { before, after } => {
                revert(store, who, before, after.map(|(id, v)| (id.to_be_bytes().to_vec(), v))).map(|_| ())
            }
            Undo::Member { before, after } => {
                let fund = before.as_ref().map(|m| m.fund_id).or(after.map(|a| a.0)).unwrap_or(0);
                let r = revert(store, who, before, after.map(|(f, m, v)| (member_key(f, m), v)));
                match &r {
                    Ok(Some(m)) => {
                        if let Ok(mut c) = self.sh.catalog.write() {
                            c.rename_member(m.id, &m.full_name());
                        }
                        self.member_changed(store, m);
                    }
                    Ok(None) => self.member_removed(store, fund, after.map(|a| a.1).unwrap_or(0)),
                    Err(_) => {}
                }
                r.map(|_| ())
            }
            Undo::Sage { before, after } => {
                revert(store, who, before, after.map(|(id, v)| (id.to_be_bytes().to_vec(), v))).map(|_| ())
            }
            Undo::Assignment { before, after } => {
                let r = revert(store, who, before, after.map(|((s, id), v)| (assignment_key(s, id), v)));
                self.assignments_changed(store);
                r.map(|_| ())
            }
            Undo::Committee { before, after } => {
                revert(store, who, before, after.map(|(id, v)| (id.to_be_bytes().to_vec(), v))).map(|_| ())
            }
            Undo::Support { before, after } => {
                revert(store, who, before, after.map(|(id, v)| (id.to_be_bytes().to_vec(), v))).map(|_| ())
            }
            Undo::Otop { before, after } => {
                revert(store, who, before, after.map(|(id, v)| (id.to_be_bytes().to_vec(), v))).map(|_| ())
            }
            Undo::Many(list) => {
                for e in list.into_iter().rev() {
                    self.apply_undo(store, e)?;
                }
                Ok(())
            }
            Undo::Occupation { before, after } => {
                let key = before.as_ref().map(|r| (r.fund_id, r.member_id, r.id)).or(after.map(|a| a.0));
                let r =
                    revert(store, who, before, after.map(|((f, m, id), v)| (occupation_key(f, m, id), v)));
                if let (Ok(now), Some(key)) = (&r, key) {
                    self.occupation_changed(store, now.as_ref(), key);
                }
                r.map(|_| ())
            }
        }
    }

    pub fn job_progress(&self) -> Option<(Msg, u32)> {
        self.job.as_ref().map(|j| (j.what.clone(), j.progress.load(Ordering::Relaxed)))
    }
}

/// Returns the memory freed after a large read (the catalog's decoded
/// records) to the system: glibc keeps freed memory of a finished thread's
/// arena mapped, which would count against the officer's PC for nothing.
pub fn release_free_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only walks glibc's own free lists; it takes no
    // pointers from us and is safe to call at any time from any thread.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// Puts a record back as it was: deletes what was created, rewrites what was
/// changed, restores what was deleted. Each step is a save of its own, refused
/// if someone changed the record since. Returns the record as it now stands.
fn revert<R: Record>(
    store: &Store,
    officer: Actor<'_>,
    before: Option<R>,
    after: Option<(Vec<u8>, u64)>,
) -> Result<Option<R>, SaveError> {
    match (before, after) {
        (None, Some((key, version))) => store.delete_at::<R>(officer, &key, version).map(|_| None),
        (Some(mut b), Some((_, version))) => {
            b.set_version(version);
            store.save(officer, &b).map(Some)
        }
        (Some(b), None) => store.restore(officer, &b).map(Some),
        (None, None) => Ok(None),
    }
}
