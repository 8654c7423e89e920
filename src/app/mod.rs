//! Application state and actions. Data flows one way: a key becomes an
//! [`Action`], [`App::update`] hands it to the screen it belongs to, and the
//! UI draws the state. Nothing here knows about terminals.
//!
//! Each tab is its own type in its own file and owns its state and what its
//! keys do. A screen gets a [`Cx`]: the store, what all screens share
//! ([`Shared`]: the officer, the form, the overlay, the status line …), the
//! funds to look up, and a list of [`Effect`]s on the rest of the app. No
//! screen file uses this one or another screen's file; this file alone knows
//! every tab, routes what belongs to whom, applies the effects, and after
//! every action reloads exactly the kinds of record that changed in the store
//! (by anyone), so no save of this session hides another officer's.

/// The officer of an app run on this computer when no login name is known.
pub const LOCAL_OFFICER: &str = "local";

pub mod action;
pub mod admin;
pub mod collection;
pub mod common;
pub mod cx;
pub mod export;
pub mod form;
pub mod fund_row;
use fund_row::NO_FUNDS;
pub mod fund_views;
pub mod funds;
pub mod import;
pub mod job;
pub mod layout;
pub mod list;
pub mod members;
pub mod network;
pub mod occ_edit;
pub mod occupations;
pub mod overlay;
pub mod overview;
pub mod ranking;
pub mod sage_row;
pub mod sages;
pub mod shared;
pub mod text;

use std::sync::{Arc, RwLock, atomic::Ordering, mpsc};

use crate::service::{
    catalog::{self, Catalog},
    changes::{self, UndoError},
    messages,
};
use crate::{
    demo::{self, Scale},
    domain::{
        Date, Lang,
        money::group_thousands,
        officer::{Access, Denied},
    },
    i18n::{Key, Msg, k},
    store::{Generations, Store, StoreError, trees},
};
pub use action::{Action, Ctx, Pending, PickPurpose, Status, StatusKind, Tab};
use admin::AdminTab;
pub use common::Common;
pub use cx::{Cx, Effect};
use form::FormKind;
use funds::FundsTab;
use network::NetworkTab;
use occupations::OccupationsTab;
pub use overlay::Overlay;
use overview::OverviewTab;
use ranking::RankingTab;
use sages::SagesTab;
pub use shared::Shared;

pub use job::{Done, Job};

/// The choices offered on an empty store, in order.
pub const OFFER_CHOICES: [(Key, Option<Scale>); 3] = [
    (k::OFFER_PROVINCE, Some(Scale::Province)),
    (k::OFFER_DISTRICT, Some(Scale::District)),
    (k::OFFER_EMPTY, None),
];

/// How often each part of the screens was read again from the store: what
/// precise live updates are measured by (tests count them).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Reloads {
    /// Places and categories.
    pub reference: u32,
    /// The fund list.
    pub funds: u32,
    /// A fund's open screens (its detail, members, a member, a loan).
    pub fund_screens: u32,
    pub sages: u32,
    /// Committees, support and OTOP.
    pub network: u32,
    /// Officer accounts.
    pub officers: u32,
    /// The occupation record open on the Occupations tab.
    pub occupation: u32,
}

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
    pub admin: AdminTab,
    /// The Import screen, over whichever tab it was opened from.
    pub import: Option<import::ImportScreen>,
    /// Collection day on a fund (see [`collection`]).
    pub collection: Option<collection::CollectionScreen>,
    pub job: Option<Job>,
    /// Ctrl-C pressed once while work runs beside the screen.
    quit_asked: bool,
    /// The store's generations per kind of record when last read.
    seen: Generations,
    pub reloads: Reloads,
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

/// A [`Cx`] for a screen other than the Funds tab: the funds come from it.
macro_rules! cx {
    ($app:expr, $store:expr, $rows:expr, $fx:expr) => {
        Cx { store: $store, sh: &mut $app.sh, funds: $rows, fx: $fx }
    };
}

/// Reads, beside each other, the lists an app that reads everything shows
/// first: the funds with their counts, the network's lists and the sages,
/// and the loans at risk on `today` (into `common` and the store's kept
/// figures), for the reads of the first frame to find them. One after
/// another they took 1.75 s at the nation (issue 23). A failure is left for
/// those reads, which say it; no thread to be had, they read the rest.
fn prefetch(store: &Arc<Store>, common: &Arc<Common>, today: Date) {
    // The committees first: made on a new store, they would make the
    // network's list read here out of date at once.
    drop(common.ensure_committees(store));
    std::thread::scope(|s| {
        let thread = || std::thread::Builder::new().name("prefetch".into());
        drop(thread().spawn_scoped(s, || drop(common.funds(store))));
        drop(thread().spawn_scoped(s, || {
            drop(common.network(store));
            drop(sages::every_sage(common, store));
        }));
        // Kept by the store: the build's read of it costs nothing after.
        drop(store.fund_risk_on(today.days()));
    });
}

impl App {
    /// Loads what the screens need from the store. An empty store opens on the
    /// offer to load demo data.
    pub fn new(store: &Arc<Store>, officer: impl Into<String>, lang: Lang, size: (u16, u16)) -> Self {
        let common = Common::new();
        prefetch(store, &common, Date::today());
        let mut app = Self::build(store, officer.into(), Access::Admin, lang, size, None, common);
        app.load_catalog(store);
        // What opening put right (a load cut off and rolled back) is news.
        if let Some(n) = store.notices().last() {
            app.sh.info(messages::notice(n));
        }
        app
    }

    /// An app that reads the occupation catalog `shared` with other sessions
    /// of the same server (one copy in memory; every session's saves keep it
    /// current for all), and the lists of `common` (see [`Common`]). A
    /// session that picks its own as-of date gets its own catalog. Its lists
    /// are read for `access` from the first: a committee's session never
    /// holds what only others may read.
    pub fn with_catalog(
        store: &Arc<Store>,
        officer: impl Into<String>,
        access: Access,
        lang: Lang,
        size: (u16, u16),
        shared: Arc<RwLock<Catalog>>,
        common: Arc<Common>,
    ) -> Self {
        Self::build(store, officer.into(), access, lang, size, Some(shared), common)
    }

    /// Reads into `common` every list a session's first frame shows, as a
    /// server does once when it starts: each login then only narrows them to
    /// its own access (at the nation, the lists took 1.2–2.1 s to read).
    pub fn warm(store: &Arc<Store>, catalog: &Arc<RwLock<Catalog>>, common: &Arc<Common>) {
        prefetch(store, common, Date::today());
        let (catalog, common) = (Some(Arc::clone(catalog)), Arc::clone(common));
        drop(Self::build(store, "sammachip".into(), Access::Admin, Lang::Th, (80, 24), catalog, common));
    }

    fn build(
        store: &Arc<Store>,
        officer: String,
        access: Access,
        lang: Lang,
        size: (u16, u16),
        shared: Option<Arc<RwLock<Catalog>>>,
        common: Arc<Common>,
    ) -> Self {
        let today = Date::today();
        let catalog_shared = shared.is_some();
        let mut app = App {
            sh: Shared {
                lang,
                no_color: false,
                officer,
                access,
                export_dir: None,
                inbox_dir: None,
                today,
                size,
                geo: Arc::default(),
                common,
                categories: Vec::new(),
                catalog: shared.unwrap_or_else(|| Arc::new(RwLock::new(Catalog::empty(today)))),
                catalog_shared,
                catalog_rx: None,
                as_of: today,
                form: None,
                overlay: None,
                status: None,
                change: Default::default(),
                quit: false,
            },
            tab: Tab::Overview,
            funds: FundsTab::default(),
            occ: OccupationsTab::default(),
            rank: RankingTab::default(),
            sages: SagesTab::default(),
            overview: OverviewTab::default(),
            network: NetworkTab::default(),
            admin: AdminTab::default(),
            import: None,
            collection: None,
            job: None,
            quit_asked: false,
            seen: store.generations(),
            reloads: Reloads::default(),
        };
        app.ensure_committees(store);
        app.reload(store);
        // The first frame shows the Overview's figures, not an empty table
        // until the first key.
        app.refresh_shown(store);
        if matches!(store.is_empty(), Ok(true)) {
            app.sh.overlay = Some(Overlay::Offer { cursor: 0 });
        }
        app
    }

    /// Starts reading the catalog of occupation records beside the screen.
    pub fn load_catalog(&mut self, store: &Arc<Store>) {
        let (tx, rx) = mpsc::channel();
        let store = Arc::clone(store);
        // The ranking and the occupation records are as of today, whatever
        // date a member's screen is set to.
        let today = self.sh.today;
        std::thread::spawn(move || {
            let _ = tx.send(Catalog::load(&store, today));
        });
        self.sh.catalog_rx = Some(rx);
    }

    /// Waits for the catalog (tests, benchmarks, and a tab that needs it now).
    /// Something typed and not saved yet: a form changed, payments typed on
    /// the collection day's sheet.
    pub fn has_unsaved(&self) -> bool {
        self.sh.form.as_ref().is_some_and(|f| f.dirty)
            || self
                .collection
                .as_ref()
                .is_some_and(|c| !c.typing.is_empty() || c.paid.iter().any(Option::is_some))
    }

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
                let keep = self
                    .sh
                    .catalog
                    .read()
                    .map(|slot| (self.occ.selected_id(&slot), self.rank.selected_id(&slot)))
                    .unwrap_or((None, None));
                if self.sh.catalog_shared {
                    // Another date than the server's: this session's own copy.
                    let mut c = c;
                    c.revision = self.sh.catalog.read().map_or(1, |x| x.revision + 1);
                    self.sh.catalog = Arc::new(RwLock::new(c));
                    self.sh.catalog_shared = false;
                } else if let Ok(mut slot) = self.sh.catalog.write() {
                    let revision = slot.revision + 1;
                    *slot = c;
                    slot.revision = revision;
                }
                self.occ.view.clear();
                self.rank.ranked.clear();
                self.rank.forget();
                self.occ.refresh_keeping(&self.sh, &self.funds.rows, keep.0);
                self.rank.refresh_keeping(&self.sh, &self.funds.rows, keep.1);
            }
            Err(e) => self.sh.error(messages::store(&e)),
        }
    }

    pub fn catalog_loading(&self) -> bool {
        self.sh.catalog_rx.is_some()
    }

    /// The session's account (an SSH login, or its change by an
    /// administrator): what it may change, and what it reads — a committee's
    /// lists narrow to its fund or district.
    pub fn set_access(&mut self, access: Access, store: &Arc<Store>) {
        if self.sh.access == access {
            return;
        }
        self.sh.access = access;
        self.reload(store);
        self.occ.refresh(&self.sh, &self.funds.rows);
        self.rank.seen_revision = None;
        self.refresh_shown(store);
    }

    /// Re-reads everything from the store (after demo data), keeping the
    /// officer's place.
    pub fn reload(&mut self, store: &Arc<Store>) {
        self.seen = store.generations();
        self.reload_kinds(store, &trees::ALL);
    }

    /// Reads again what shows records of the kinds (trees) that changed.
    fn reload_kinds(&mut self, store: &Arc<Store>, changed: &[&str]) {
        let any = |kinds: &[&str]| kinds.iter().any(|t| changed.contains(t));
        if any(&[trees::GEO]) {
            self.reloads.reference += 1;
            match self.sh.common.geo(store) {
                Ok(geo) => self.sh.geo = geo,
                Err(e) => self.sh.error(messages::store(&e)),
            }
        }
        if any(&[trees::CATEGORIES]) {
            match store.categories() {
                Ok(c) => self.sh.categories = c,
                Err(e) => self.sh.error(messages::store(&e)),
            }
        }
        // A fund's row shows its member count and capital; the overview's
        // figures are read again when it is shown.
        if any(&[trees::FUNDS, trees::MEMBERS, trees::GEO]) {
            self.reloads.funds += 1;
            if let Err(e) =
                self.funds.load(&self.sh.common, store, &self.sh.geo, self.sh.lang, self.sh.access)
            {
                self.sh.error(messages::store(&e));
            }
        }
        let rows = Arc::clone(&self.funds.rows);
        let mut fx = Vec::new();
        if any(&[trees::FUNDS, trees::MEMBERS, trees::OCCUPATIONS]) && !self.funds.stack.is_empty() {
            self.reloads.fund_screens += 1;
            self.funds.refresh_screens(store, self.sh.as_of);
        }
        if any(&[trees::SAGES, trees::ASSIGNMENTS, trees::CATEGORIES, trees::GEO]) {
            self.reloads.sages += 1;
            self.sages.load(&mut cx!(self, store, &rows, &mut fx), store);
        }
        if any(&[trees::COMMITTEES, trees::SUPPORT, trees::OTOP]) {
            self.reloads.network += 1;
            self.network.load(&mut cx!(self, store, &rows, &mut fx), store);
        }
        if any(&[trees::OFFICERS]) {
            self.reloads.officers += 1;
            self.admin.load(&mut cx!(self, store, &rows, &mut fx), store);
        }
        if any(&[trees::AUDIT]) && self.tab == Tab::Admin {
            self.admin.stale = true;
        }
        if any(&[trees::OCCUPATIONS, trees::MEMBERS, trees::ASSIGNMENTS]) && self.occ.detail.is_some() {
            self.reloads.occupation += 1;
            self.occ.reload_detail(&mut cx!(self, store, &rows, &mut fx), store);
        }
        self.clamp_lists();
    }

    /// Reloads what changed in the store since last seen, by this session or
    /// any other. Returns whether anything did.
    fn sync(&mut self, store: &Arc<Store>) -> bool {
        let now = store.generations();
        let changed = now.changed_since(&self.seen);
        if changed.is_empty() {
            return false;
        }
        self.seen = now;
        self.reload_kinds(store, &changed);
        true
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
        if self.import.is_some() {
            return Ctx::Import;
        }
        if self.collection.is_some() {
            return Ctx::Collection;
        }
        if let Some(f) = &self.sh.form {
            return match f.kind {
                FormKind::Repayment { .. } => Ctx::RepaymentForm,
                _ => Ctx::Form,
            };
        }
        match self.tab {
            Tab::Overview => Ctx::Overview,
            Tab::Funds => self.funds.ctx(),
            Tab::Occupations => self.occ.ctx(),
            Tab::Ranking => self.rank.ctx(),
            Tab::Sages => self.sages.ctx(),
            Tab::Network => self.network.ctx(),
            Tab::Admin => self.admin.ctx(),
        }
    }

    /// Rows a list shows on the current screen.
    pub fn page(&self) -> usize {
        self.sh.page()
    }

    fn clamp_lists(&mut self) {
        let page = self.page();
        self.funds.clamp(page, self.sh.size.1);
        self.occ.clamp(self.sh.size.1);
        let n = self.rank.ranked.len();
        self.rank.pos.clamp(n, layout::ranking_rows(self.sh.size.1));
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
        let ctx = self.ctx();
        if ctx != Ctx::Busy {
            self.sh.status = None;
        }
        // Every save this action makes is one change set, taken back whole by `u`.
        self.sh.change.clear();
        let mut fx = Vec::new();
        match ctx {
            // Quitting now would leave the demo half written: ask first.
            Ctx::Busy if action == Action::Quit => {
                if self.quit_asked {
                    self.sh.quit = true;
                } else {
                    self.quit_asked = true;
                    let quit = self.job.as_ref().map_or(k::BUSY_QUIT, |j| j.quit);
                    self.sh.error(quit);
                }
            }
            Ctx::Busy => self.sh.info(k::BUSY_WAIT),
            Ctx::Offer => self.offer_action(action, store),
            Ctx::Help => self.help_action(action),
            Ctx::Confirm => self.confirm_action(action, store, &mut fx),
            Ctx::Picker => self.picker_action(action, store, &mut fx),
            Ctx::Suggest => {
                let rows = Arc::clone(&self.funds.rows);
                self.sages.suggest_action(&mut cx!(self, store, &rows, &mut fx), action);
            }
            Ctx::Form | Ctx::RepaymentForm => self.form_action(action, store, &mut fx),
            Ctx::Import => self.import_action(action, store),
            Ctx::Collection => self.collection_action(action, store),
            Ctx::Filter => self.screen_action(action, store, &mut fx, true),
            Ctx::Weights => self.screen_action(action, store, &mut fx, false),
            _ if self.global_action(action, store) => {}
            _ => self.screen_action(action, store, &mut fx, false),
        }
        self.apply(fx, store);
        // A read-only account is told at once, not after typing a whole form
        // (the store refuses the save anyway).
        if let Some(f) = &self.sh.form
            && f.kind.writes()
            && let Err(d) = self.sh.access.may_write()
        {
            self.sh.form = None;
            self.sh.error(messages::denied(&d));
        }
        self.sync(store);
        self.refresh_shown(store);
        self.show_trouble(store);
        true
    }

    /// The tab on screen reads what it shows when it is shown.
    fn refresh_shown(&mut self, store: &Arc<Store>) {
        let rows = Arc::clone(&self.funds.rows);
        let mut fx = Vec::new();
        if self.tab == Tab::Overview {
            self.overview.refresh(&mut cx!(self, store, &rows, &mut fx), store);
        }
        if self.tab == Tab::Occupations && self.occ.select.coached.is_some() {
            self.occ.reload_coached(&mut cx!(self, store, &rows, &mut fx));
        }
        if self.tab == Tab::Admin && self.admin.stale {
            self.admin.stale = false;
            self.admin.open(&mut cx!(self, store, &rows, &mut fx), store);
        }
    }

    /// The key goes to the screen on show (`filter`: to its search line).
    fn screen_action(&mut self, action: Action, store: &Arc<Store>, fx: &mut Vec<Effect>, filter: bool) {
        if action == Action::Undo {
            return self.undo(store);
        }
        if action == Action::Collection {
            return self.open_collection(store);
        }
        let rows = Arc::clone(&self.funds.rows);
        match self.tab {
            Tab::Overview => self.overview.action(&mut cx!(self, store, &rows, fx), action),
            Tab::Funds => {
                let mut cx = Cx { store, sh: &mut self.sh, funds: &NO_FUNDS, fx };
                if filter {
                    self.funds.filter_action(&mut cx, action)
                } else {
                    self.funds.action(&mut cx, action)
                }
            }
            Tab::Occupations => {
                let mut cx = cx!(self, store, &rows, fx);
                if filter {
                    self.occ.filter_action(&mut cx, action)
                } else {
                    self.occ.action(&mut cx, action)
                }
            }
            Tab::Ranking => self.rank.action(&mut cx!(self, store, &rows, fx), action),
            Tab::Sages => {
                let mut cx = cx!(self, store, &rows, fx);
                if filter {
                    self.sages.filter_action(&mut cx, action)
                } else {
                    self.sages.action(&mut cx, action)
                }
            }
            Tab::Network => self.network.action(&mut cx!(self, store, &rows, fx), action),
            Tab::Admin => {
                let mut cx = cx!(self, store, &rows, fx);
                if filter {
                    self.admin.filter_action(&mut cx, action)
                } else {
                    self.admin.action(&mut cx, action)
                }
            }
        }
    }

    /// What screens asked of the rest of the app, in order.
    fn apply(&mut self, effects: Vec<Effect>, store: &Arc<Store>) {
        for e in effects {
            let rows = Arc::clone(&self.funds.rows);
            let mut more = Vec::new();
            match e {
                Effect::SwitchTab(t) => self.switch_tab(t),
                Effect::OpenOccupation(key) => {
                    let from = self.tab;
                    self.switch_tab(Tab::Occupations);
                    self.occ.open_detail(&mut cx!(self, store, &rows, &mut more), store, &key);
                    self.occ.back_to =
                        (from != Tab::Occupations && self.occ.detail.is_some()).then_some(from);
                }
                Effect::ShowOccupations { district, stage } => {
                    self.switch_tab(Tab::Occupations);
                    self.occ.show(&mut cx!(self, store, &rows, &mut more), district, stage);
                }
                Effect::ShowCoached { district } => {
                    self.switch_tab(Tab::Occupations);
                    self.occ.show_coached(&mut cx!(self, store, &rows, &mut more), district);
                }
                Effect::ShowCommittee(d) => {
                    self.switch_tab(Tab::Network);
                    self.network.show_committee(&mut cx!(self, store, &rows, &mut more), d);
                }
                Effect::ShowNetworkList { view, district } => {
                    self.switch_tab(Tab::Network);
                    self.network.show_list(view, district);
                }
                Effect::RankSelected { district } => {
                    self.switch_tab(Tab::Ranking);
                    self.rank.show_selected(&mut cx!(self, store, &rows, &mut more), district);
                }
                Effect::Suggest(record) => {
                    self.sages.open_suggestions(&mut cx!(self, store, &rows, &mut more), store, &record);
                }
                Effect::CatalogChanged => {
                    self.occ.refresh(&self.sh, &self.funds.rows);
                    if self.tab == Tab::Ranking {
                        self.rank.refresh(&self.sh, &self.funds.rows);
                    }
                }
            }
            // Effects of effects (none so far) are applied too.
            if !more.is_empty() {
                self.apply(more, store);
            }
        }
    }

    /// A save that the disk did not confirm is news the officer must see.
    fn show_trouble(&mut self, store: &Store) {
        if let Some(t) = store.take_trouble() {
            self.sh.error(messages::store(&t));
        }
    }

    /// Keys that work on every tab in navigation mode. Returns whether it acted.
    fn global_action(&mut self, action: Action, store: &Arc<Store>) -> bool {
        match action {
            Action::Quit => self.sh.quit = true,
            Action::Help => self.sh.overlay = Some(Overlay::Help { scroll: 0 }),
            Action::Undo => self.undo(store),
            Action::Import => self.open_import(),
            Action::ToggleLang => {
                self.sh.lang = self.sh.lang.toggled();
                self.funds.language_changed(self.sh.lang, &self.sh.geo);
                if matches!(self.occ.sort, catalog::OccSort::District | catalog::OccSort::Category) {
                    self.occ.refresh(&self.sh, &self.funds.rows);
                }
            }
            Action::NextTab | Action::PrevTab => self.step_tab(action == Action::NextTab),
            Action::GoTab(n) => match self.tabs().iter().find(|t| t.number() == n) {
                Some(t) => self.switch_tab(*t),
                None if n == Tab::Admin.number() => self.sh.error(messages::denied(&Denied::AdminOnly)),
                None => {
                    let name = Tab::ALL.get(usize::from(n).saturating_sub(1)).map(|t| t.label());
                    match name {
                        Some(label) => self.sh.info(Msg::with(
                            k::TAB_NOT_YET,
                            [crate::i18n::tr(self.sh.lang, label).to_string()],
                        )),
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
        if self.sh.access.may_admin().is_ok() { Tab::ALL } else { Tab::SHOWN }
    }

    fn step_tab(&mut self, forward: bool) {
        let shown = self.tabs();
        let i = shown.iter().position(|t| *t == self.tab).unwrap_or(0);
        let n = shown.len();
        self.switch_tab(shown[if forward { (i + 1) % n } else { (i + n - 1) % n }]);
    }

    pub fn switch_tab(&mut self, tab: Tab) {
        self.tab = tab;
        // Gone elsewhere: `Esc` on an open record no longer leads back.
        if tab != Tab::Occupations {
            self.occ.back_to = None;
        }
        // Read when the tab opens (at the end of this update, with the store).
        self.admin.stale |= tab == Tab::Admin;
        let revision = self.sh.catalog.read().map(|c| c.revision).ok();
        if tab == Tab::Occupations && revision != Some(self.occ.seen_revision()) {
            self.occ.refresh(&self.sh, &self.funds.rows);
        }
        if tab == Tab::Ranking && revision != self.rank.seen_revision && !self.rank.is_ranking() {
            self.rank.refresh(&self.sh, &self.funds.rows);
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
            Action::Import => {
                self.sh.overlay = None;
                self.open_import();
            }
            Action::Up => *scroll = scroll.saturating_sub(1),
            Action::Down => *scroll += 1,
            Action::PageUp => *scroll = scroll.saturating_sub(10),
            Action::PageDown => *scroll += 10,
            Action::Home => *scroll = 0,
            Action::Back | Action::Help | Action::Quit | Action::Open => self.sh.overlay = None,
            _ => {}
        }
    }

    /// Yes to a question: what it asked is done by the screen that asked.
    fn confirm_action(&mut self, action: Action, store: &Arc<Store>, fx: &mut Vec<Effect>) {
        let Some(Overlay::Confirm { then, .. }) = &self.sh.overlay else {
            return;
        };
        let then = *then;
        match action {
            Action::Yes => {
                self.sh.overlay = None;
                let rows = Arc::clone(&self.funds.rows);
                match then {
                    Pending::Quit => self.sh.quit = true,
                    Pending::ImportSave => {
                        if let Some(screen) = &mut self.import {
                            self.job = screen.save(&self.sh, store);
                        }
                    }
                    Pending::DiscardForm => self.sh.form = None,
                    Pending::DiscardCollection => self.collection = None,
                    Pending::SaveCollection => {
                        let saved = self.collection.as_ref().is_some_and(|c| c.save(&mut self.sh, store));
                        if saved {
                            self.collection = None;
                        }
                    }
                    Pending::DeleteFund { .. }
                    | Pending::DeleteCapital { .. }
                    | Pending::DeleteMember { .. }
                    | Pending::DeleteLoan { .. }
                    | Pending::DeleteRepayment { .. } => {
                        self.funds.confirmed(&mut Cx { store, sh: &mut self.sh, funds: &NO_FUNDS, fx }, then)
                    }
                    Pending::DeleteOccupation { key, version } => {
                        occ_edit::delete(&mut cx!(self, store, &rows, fx), key, version)
                    }
                    Pending::DeleteSage { .. } | Pending::DiscardPlan | Pending::Reassign { .. } => {
                        self.sages.confirmed(&mut cx!(self, store, &rows, fx), then)
                    }
                    Pending::ToggleOfficer { .. } | Pending::RemoveKey { .. } => {
                        self.admin.confirmed(&mut cx!(self, store, &rows, fx), then)
                    }
                    Pending::DeleteSupport { .. }
                    | Pending::DeleteOtop { .. }
                    | Pending::DeleteBriefing { .. } => {
                        self.network.confirmed(&mut cx!(self, store, &rows, fx), then)
                    }
                }
            }
            Action::No | Action::Back => self.sh.overlay = None,
            Action::Quit => self.sh.quit = true,
            _ => {}
        }
    }

    fn picker_action(&mut self, action: Action, store: &Arc<Store>, fx: &mut Vec<Effect>) {
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
                self.sh.picker_refilter();
            }
            Action::Back | Action::Quit => self.sh.overlay = None,
            Action::Open => {
                let value = shown.get(pos.cursor).and_then(|i| options.get(*i as usize)).map(|o| o.value);
                let Some(value) = value else { return };
                let purpose = *purpose;
                self.sh.overlay = None;
                let all = value == u32::MAX;
                let rows = Arc::clone(&self.funds.rows);
                match purpose {
                    PickPurpose::DistrictFilter => {
                        let page = self.page();
                        self.funds.set_district((!all).then_some(value as u16), page);
                    }
                    PickPurpose::OccDistrict
                    | PickPurpose::OccCategory
                    | PickPurpose::OccFund
                    | PickPurpose::OccStage => {
                        self.occ.picked(&mut cx!(self, store, &rows, fx), purpose, value, all)
                    }
                    PickPurpose::RankScope | PickPurpose::RankCategory | PickPurpose::RankProfile => {
                        self.rank.picked(&mut cx!(self, store, &rows, fx), purpose, value, all)
                    }
                    PickPurpose::SageDistrict
                    | PickPurpose::SageExpertise
                    | PickPurpose::PlanScope
                    | PickPurpose::AssignmentStatus => {
                        self.sages.picked(&mut cx!(self, store, &rows, fx), purpose, value, all)
                    }
                    PickPurpose::NetworkDistrict => self.network.picked(value, all),
                    PickPurpose::ImportKind => {
                        if let Some(screen) = &mut self.import
                            && let Some(job) = screen.picked(&mut self.sh, store, value)
                        {
                            self.job = Some(job);
                        }
                    }
                }
            }
            _ => {}
        }
    }

    fn form_action(&mut self, action: Action, store: &Arc<Store>, fx: &mut Vec<Effect>) {
        let Some(form) = &mut self.sh.form else { return };
        match action {
            Action::Text(e) => form.edit(e),
            Action::NextField | Action::Down | Action::Open => form.next_field(),
            Action::PrevField | Action::Up => form.prev_field(),
            Action::Save => self.submit_form(store, fx),
            Action::Payoff => {
                self.funds.fill_payoff(&mut Cx { store, sh: &mut self.sh, funds: &NO_FUNDS, fx })
            }
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

    /// The Import screen on the officer's inbox (refused, and said why, to
    /// a read-only account).
    fn open_import(&mut self) {
        self.import = import::ImportScreen::open(&mut self.sh);
    }

    /// A key on the collection screen.
    fn collection_action(&mut self, action: Action, store: &Arc<Store>) {
        match action {
            Action::Help => return self.sh.overlay = Some(Overlay::Help { scroll: 0 }),
            Action::Quit => return self.sh.quit = true,
            _ => {}
        }
        let _ = store;
        let Some(screen) = &mut self.collection else { return };
        match screen.action(&mut self.sh, action) {
            collection::Then::Stay => {}
            collection::Then::Close => self.collection = None,
        }
    }

    /// `c` on a fund's screen: collection day for that fund.
    fn open_collection(&mut self, store: &Arc<Store>) {
        let Some((id, name)) = self.funds.detail().map(|d| (d.fund.id, d.fund.name.clone())) else { return };
        self.collection = collection::CollectionScreen::open(&mut self.sh, store, id, name);
    }

    /// A key on the Import screen.
    fn import_action(&mut self, action: Action, store: &Arc<Store>) {
        match action {
            Action::Undo => return self.undo(store),
            Action::Help => return self.sh.overlay = Some(Overlay::Help { scroll: 0 }),
            Action::Quit => return self.sh.quit = true,
            Action::ToggleLang => {
                self.global_action(action, store);
                return;
            }
            _ => {}
        }
        let Some(screen) = &mut self.import else { return };
        match screen.action(&mut self.sh, store, action) {
            import::Then::Stay => {}
            import::Then::Close => self.import = None,
            import::Then::Start(job) => self.job = Some(job),
        }
    }

    /// Which form is open decides who saves it.
    fn submit_form(&mut self, store: &Arc<Store>, fx: &mut Vec<Effect>) {
        let Some(form) = &mut self.sh.form else { return };
        form.clear_errors();
        let kind = form.kind;
        let rows = Arc::clone(&self.funds.rows);
        match kind {
            FormKind::NewFund
            | FormKind::EditFund { .. }
            | FormKind::NewCapital { .. }
            | FormKind::EditCapital { .. }
            | FormKind::NewMember { .. }
            | FormKind::EditMember { .. }
            | FormKind::NewLoan { .. }
            | FormKind::EditLoan { .. }
            | FormKind::Repayment { .. }
            | FormKind::AsOf => {
                self.funds.submit(&mut Cx { store, sh: &mut self.sh, funds: &NO_FUNDS, fx }, kind)
            }
            FormKind::NewOccupation { .. }
            | FormKind::EditOccupation { .. }
            | FormKind::Mark { .. }
            | FormKind::StageChange { .. } => occ_edit::submit(&mut cx!(self, store, &rows, fx)),
            FormKind::NewCategory => self.occ.submit(&mut cx!(self, store, &rows, fx), kind),
            FormKind::SaveProfile => self.rank.submit(&mut cx!(self, store, &rows, fx), kind),
            FormKind::NewOfficer | FormKind::AddKey { .. } => {
                self.admin.submit(&mut cx!(self, store, &rows, fx), kind)
            }
            FormKind::NewSage | FormKind::EditSage { .. } | FormKind::Visit { .. } => {
                self.sages.submit(&mut cx!(self, store, &rows, fx), kind)
            }
            FormKind::Committee { .. }
            | FormKind::Briefing { .. }
            | FormKind::NewSupport
            | FormKind::EditSupport { .. }
            | FormKind::NewOtop
            | FormKind::EditOtop { .. } => self.network.submit(&mut cx!(self, store, &rows, fx), kind),
            FormKind::Export => self.submit_export(store),
        }
    }

    /// Writes the list on screen where the export form says.
    fn submit_export(&mut self, store: &Store) {
        if self.tab == Tab::Overview {
            return export::submit_report(&mut self.sh, store);
        }
        let table = match self.tab {
            Tab::Funds => self.funds.list_table(&self.sh),
            Tab::Occupations => {
                // The whole list, not the part a search has reached.
                self.occ.settle(&self.sh);
                self.occ.list_table(&self.sh)
            }
            Tab::Sages => self.sages.list_table(&self.sh),
            Tab::Ranking => Some(self.rank.table(&self.sh, &self.funds.rows, store)),
            Tab::Overview | Tab::Network | Tab::Admin => None,
        };
        export::submit(&mut self.sh, table);
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
        let (store, officer) = (Arc::clone(store), self.sh.officer.clone());
        let today = self.sh.today;
        self.job = Some(Job::spawn(Msg::new(k::DEMO_LOADING), k::BUSY_QUIT, move |p| {
            let result = demo::generate(&store, &officer, scale, seed, today, &|done| p(done))
                .map(|s| {
                    Msg::with(
                        k::DEMO_LOADED,
                        [s.funds, s.members, s.loans, s.occupations].map(|n| group_thousands(n as u64)),
                    )
                })
                .map_err(|e| Msg::with(k::DEMO_FAILED, [demo::message(&e)]));
            Done::Demo(result)
        }));
    }

    fn tick(&mut self, store: &Arc<Store>) -> bool {
        // A search going through a large catalog: its next slice (the loop
        // ticks again at once while it lasts).
        let searched = self.occ.go_on(&self.sh);
        // A ranking made beside the screen, when it comes.
        let ranked = self.rank.go_on(&mut self.sh, &self.funds.rows);
        self.tick_rest(store) || searched || ranked
    }

    fn tick_rest(&mut self, store: &Arc<Store>) -> bool {
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
                Ok(Done::Demo(result)) => {
                    self.job = None;
                    self.ensure_committees(store);
                    self.reload(store);
                    self.reload_catalog(store);
                    match result {
                        Ok(msg) => self.sh.info(msg),
                        Err(msg) => self.sh.error(msg),
                    }
                }
                Ok(Done::Checked(result)) => {
                    self.job = None;
                    if let Some(screen) = &mut self.import {
                        screen.checked(&mut self.sh, result);
                    }
                }
                Ok(Done::Saved(result)) => {
                    self.job = None;
                    let saved = result.is_ok();
                    if let Some(screen) = &mut self.import {
                        screen.saved(&mut self.sh, result);
                    }
                    if saved {
                        self.import = None;
                    }
                    // The records the import wrote, or took back, are news
                    // to every list; occupation records to the catalog.
                    self.sync(store);
                    self.reload_catalog(store);
                    self.refresh_shown(store);
                }
                Err(mpsc::TryRecvError::Empty) => {}
                Err(mpsc::TryRecvError::Disconnected) => {
                    self.job = None;
                    self.reload(store);
                    self.sh.error(k::JOB_FAILED);
                }
            }
            return true;
        }
        let mut changed = self.sync(store);
        if changed {
            self.refresh_shown(store);
        }
        // Another session's save changed the shared catalog: the list on
        // screen follows.
        let revision = self.sh.catalog.read().map(|c| c.revision).ok();
        if self.tab == Tab::Occupations && revision != Some(self.occ.seen_revision()) {
            self.occ.refresh(&self.sh, &self.funds.rows);
            changed = true;
        }
        if self.tab == Tab::Ranking
            && self.rank.seen_revision.is_some()
            && revision != self.rank.seen_revision
            && !self.rank.is_ranking()
        {
            self.rank.refresh(&self.sh, &self.funds.rows);
            changed = true;
        }
        changed
    }

    /// Reads the catalog again, now (after demo data).
    fn reload_catalog(&mut self, store: &Store) {
        self.sh.catalog_rx = None;
        self.catalog_loaded(Catalog::load(store, self.sh.today));
    }

    /// Every district in the gazetteer gets its network committee. The app
    /// makes them, not the officer: they are not the officer's change to undo.
    fn ensure_committees(&mut self, store: &Store) {
        if let Err(e) = self.sh.common.ensure_committees(store) {
            self.sh.error(messages::save(&e));
        }
    }

    /// Takes back the officer's newest change set, whole, if nobody has
    /// changed its records since; otherwise says which record and who.
    pub fn undo(&mut self, store: &Arc<Store>) {
        let touched = match changes::last_change(store, &self.sh.officer) {
            Ok(Some((_, entries))) => entries.into_iter().map(|e| (e.entry.kind, e.entry.key)).collect(),
            _ => Vec::new(),
        };
        let result = changes::undo_last(store, self.sh.who());
        match result {
            Ok(u) => {
                self.sh.catalog_follow(store, &touched);
                let msg = if u.records > 1 || u.what.is_empty() {
                    Msg::with(k::UNDONE_MANY, [crate::domain::money::group_thousands(u.records as u64)])
                } else {
                    Msg::with(k::UNDONE_WHAT, [crate::domain::clean::line(&u.what).into_owned()])
                };
                self.sh.info(msg);
                self.apply(vec![Effect::CatalogChanged], store);
            }
            Err(UndoError::Nothing) => self.sh.info(k::NOTHING_TO_UNDO),
            Err(UndoError::Blocked { what, by, at_ms }) => {
                // A long name is cut: the message must fit the status line.
                let mut what = crate::domain::clean::line(&what).into_owned();
                if what.chars().count() > 28 {
                    what = what.chars().take(27).chain(['…']).collect();
                }
                let msg = match (by, at_ms) {
                    (Some(by), Some(at)) => {
                        let by: String = crate::domain::clean::line(&by).chars().take(16).collect();
                        let when = jiff::Timestamp::from_millisecond(at)
                            .map(|t| t.strftime("%d/%m %H:%M").to_string())
                            .unwrap_or_default();
                        Msg::with(k::ERR_UNDO_BLOCKED_BY, [what, by, when])
                    }
                    _ => Msg::with(k::ERR_UNDO_STALE, [what]),
                };
                self.sh.error(msg);
            }
            Err(UndoError::Save(e)) => self.sh.error(messages::save(&e)),
            Err(UndoError::Store(e)) => self.sh.error(messages::store(&e)),
        }
    }

    pub fn job_progress(&self) -> Option<(Msg, u32)> {
        self.job.as_ref().map(|j| (j.what.clone(), j.progress.load(Ordering::Relaxed)))
    }

    // ------------------------------------------------------------ for tests and the UI

    /// Opens an occupation record on the Occupations tab.
    pub fn open_occ_detail(&mut self, store: &Arc<Store>, key: &[u8]) {
        let rows = Arc::clone(&self.funds.rows);
        let mut fx = Vec::new();
        self.occ.open_detail(&mut cx!(self, store, &rows, &mut fx), store, key);
        self.apply(fx, store);
    }

    /// The best `top` active occupations of a scope (see `service::ranking`).
    pub fn rank_in(
        &self,
        cat: &Catalog,
        scope: ranking::Scope,
        category: Option<u16>,
        weights: &crate::domain::ranking::Weights,
        top: usize,
    ) -> (Vec<(u32, crate::domain::ranking::Ranked)>, usize) {
        ranking::rank_in(&self.sh, &self.funds.rows, cat, scope, category, weights, top)
    }

    /// The top `top` of every district, with how many were ranked in each.
    pub fn rank_districts(
        &self,
        cat: &Catalog,
        category: Option<u16>,
        weights: &crate::domain::ranking::Weights,
        top: usize,
    ) -> Vec<ranking::DistrictRanking> {
        crate::service::ranking::rank_districts(cat, category, weights, top, self.sh.today)
    }

    /// Opens a sage's detail on the Sages tab.
    pub fn open_sage(&mut self, store: &Arc<Store>, id: u64) {
        let rows = Arc::clone(&self.funds.rows);
        let mut fx = Vec::new();
        self.sages.open_sage(&mut cx!(self, store, &rows, &mut fx), store, id);
        self.apply(fx, store);
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
