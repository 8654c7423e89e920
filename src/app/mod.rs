//! Application state and actions. Data flows one way: a key becomes an
//! [`Action`], [`App::update`] changes the state (and the store), and the UI draws
//! the state. Nothing here knows about terminals.

pub mod admin;
pub mod export;
pub mod form;
pub mod funds;
pub mod layout;
pub mod list;
pub mod members;
pub mod network;
pub mod occupations;
pub mod overview;
pub mod ranking;
pub mod sages;
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
        fund::Fund,
        member::Member,
        money::group_thousands,
        occupation::{OccupationCategory, OccupationRecord, Stage},
        officer::{Access, Denied},
        programme::{NetworkCommittee, OtopProduct, SupportActivity},
        sage::{Assignment, Sage},
        thai,
    },
    i18n::{Key, Msg, k},
    store::{Actor, Record, SaveError, Store, StoreError, assignment_key, member_key, occupation_key},
};
use form::{Form, FormKind, Opt};
use funds::{FundsTab, Screen};
use list::ListPos;
use network::NetworkTab;
use occupations::OccupationsTab;
use overview::OverviewTab;
use ranking::RankingTab;
use sages::{SagesTab, Suggestions};
use text::{TextEdit, TextInput};

/// The tabs in DESIGN order; the digit keys 1–6 follow this order whether or
/// not a tab is shown yet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tab {
    Overview,
    Funds,
    Occupations,
    Ranking,
    Sages,
    Network,
    /// Accounts and the audit list, for administrators.
    Admin,
}

impl Tab {
    pub const ALL: [Tab; 7] =
        [Tab::Overview, Tab::Funds, Tab::Occupations, Tab::Ranking, Tab::Sages, Tab::Network, Tab::Admin];

    /// Tabs every officer sees; administrators also see [`Tab::Admin`].
    pub const SHOWN: [Tab; 6] =
        [Tab::Overview, Tab::Funds, Tab::Occupations, Tab::Ranking, Tab::Sages, Tab::Network];

    pub fn number(self) -> u8 {
        Tab::ALL.iter().position(|t| *t == self).map_or(0, |i| i as u8 + 1)
    }

    pub fn label(self) -> Key {
        match self {
            Tab::Overview => k::TAB_OVERVIEW,
            Tab::Funds => k::TAB_FUNDS,
            Tab::Occupations => k::TAB_OCCUPATIONS,
            Tab::Ranking => k::TAB_RANKING,
            Tab::Sages => k::TAB_SAGES,
            Tab::Network => k::TAB_NETWORK,
            Tab::Admin => k::TAB_ADMIN,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    Quit,
    NextTab,
    PrevTab,
    GoTab(u8),
    Help,
    ToggleLang,
    Up,
    Down,
    PageUp,
    PageDown,
    Home,
    End,
    /// Enter: open the selection / accept.
    Open,
    /// Esc: close, clear, go back.
    Back,
    New,
    Edit,
    Delete,
    Undo,
    Filter,
    SortNext,
    SortReverse,
    PickDistrict,
    PickCategory,
    PickFund,
    PickStage,
    NewCategory,
    /// `m`: a fund's members.
    Members,
    /// `o`: a new occupation record for the member on screen.
    NewOccupation,
    /// `a`: the date balances and overdue days are computed for.
    AsOf,
    PickProfile,
    EditWeights,
    SaveProfile,
    /// `+` / `-`: a longer or shorter list, a heavier or lighter weight.
    More,
    Less,
    Left,
    Right,
    ToggleSelected,
    MarkSelected,
    MarkModel,
    Export,
    /// `P`: a plan of sages for the selected households of a district.
    Plan,
    /// `v`: a visit to the household under the cursor.
    Visit,
    /// `t`: the status of the assignment under the cursor.
    SetStatus,
    /// `s`: sages suggested for a household.
    Suggest,
    /// `a`: accept the plan.
    Accept,
    /// `v`: the next list of the Network tab.
    NextView,
    /// `t` in the help: the Thai display check.
    ThaiCheck,
    Text(TextEdit),
    NextField,
    PrevField,
    Save,
    Yes,
    No,
    Resize(u16, u16),
    /// Time passed: finish background work, notice other officers' saves.
    Tick,
}

/// Which keys mean what right now. Navigation screens fall back to `Nav`
/// (moving) and `Global` (tabs, help, language, quit).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Ctx {
    Global,
    /// Moving in any list or table.
    Nav,
    /// The fund list.
    List,
    /// A fund's detail.
    Detail,
    Members,
    Member,
    Loan,
    /// The list of all occupation records.
    Occupations,
    /// One occupation record.
    Occupation,
    Ranking,
    /// Editing the ranking's weights.
    Weights,
    /// The list of sages.
    Sages,
    /// One sage, their households and visits.
    Sage,
    /// A proposed plan of sages for many households.
    Plan,
    /// Sages suggested for one household.
    Suggest,
    /// The districts on the programme's eight steps.
    Overview,
    /// Committees, support or OTOP.
    Network,
    /// One committee and its briefings.
    Committee,
    /// Officer accounts or the audit list.
    Admin,
    /// One officer's keys.
    AdminKeys,
    /// One audit entry, before → after.
    AuditEntry,
    Filter,
    Form,
    Confirm,
    Help,
    Picker,
    Offer,
    Busy,
}

impl Ctx {
    /// Keys are commands here (and Thai-layout letters count as Latin ones).
    pub fn is_navigation(self) -> bool {
        !matches!(self, Ctx::Form | Ctx::Filter | Ctx::Picker)
    }

    /// Screens whose keys fall back to moving and to the global keys.
    pub fn is_screen(self) -> bool {
        matches!(
            self,
            Ctx::List
                | Ctx::Detail
                | Ctx::Members
                | Ctx::Member
                | Ctx::Loan
                | Ctx::Occupations
                | Ctx::Occupation
                | Ctx::Ranking
                | Ctx::Sages
                | Ctx::Sage
                | Ctx::Plan
                | Ctx::Overview
                | Ctx::Admin
                | Ctx::AdminKeys
                | Ctx::AuditEntry
                | Ctx::Network
                | Ctx::Committee
        )
    }
}

/// What a confirmation does when the officer says yes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pending {
    DeleteFund {
        id: u64,
        version: u64,
    },
    DeleteCapital {
        fund_id: u64,
        version: u64,
        seq: u32,
    },
    DeleteMember {
        fund_id: u64,
        id: u64,
        version: u64,
    },
    DeleteLoan {
        fund_id: u64,
        member_id: u64,
        version: u64,
        loan_id: u64,
    },
    DeleteRepayment {
        fund_id: u64,
        member_id: u64,
        version: u64,
        loan_id: u64,
        index: usize,
    },
    DeleteOccupation {
        key: (u64, u64, u64),
        version: u64,
    },
    DeleteSage {
        id: u64,
        version: u64,
    },
    Reassign {
        household: (u64, u64, u64),
        from: u64,
        to: u64,
    },
    DeleteSupport {
        id: u64,
        version: u64,
    },
    DeleteOtop {
        id: u64,
        version: u64,
    },
    DeleteBriefing {
        id: u64,
        version: u64,
        index: usize,
    },
    DiscardPlan,
    DiscardForm,
    Quit,
    /// Disable an enabled officer, enable a disabled one.
    ToggleOfficer {
        id: u64,
        version: u64,
    },
    /// Remove key `n` (from 0) of an officer.
    RemoveKey {
        id: u64,
        version: u64,
        n: usize,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PickPurpose {
    DistrictFilter,
    OccDistrict,
    OccCategory,
    OccFund,
    OccStage,
    RankScope,
    RankCategory,
    RankProfile,
    SageDistrict,
    SageExpertise,
    PlanScope,
    AssignmentStatus,
    NetworkDistrict,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Overlay {
    Help {
        scroll: usize,
    },
    Confirm {
        msg: Msg,
        then: Pending,
    },
    /// A list to choose from; typing narrows it.
    Picker {
        title: Key,
        options: Vec<Opt>,
        pos: ListPos,
        purpose: PickPurpose,
        filter: TextInput,
        /// Indexes of the options that match the filter.
        shown: Vec<u32>,
    },
    /// First start on an empty store: load demo data or start empty.
    Offer {
        cursor: usize,
    },
    /// Sages for one household, best first.
    Suggest(Box<Suggestions>),
    /// Test words that show whether this terminal draws Thai fully.
    ThaiCheck,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StatusKind {
    Info,
    Error,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Status {
    pub msg: Msg,
    pub kind: StatusKind,
}

/// A change that can be taken back with `u`: the record as it was before, and
/// where it is now.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Undo {
    Fund {
        before: Option<Fund>,
        after: Option<(u64, u64)>,
    },
    /// `after`: (fund, member, version).
    Member {
        before: Option<Member>,
        after: Option<(u64, u64, u64)>,
    },
    Occupation {
        before: Option<OccupationRecord>,
        after: Option<((u64, u64, u64), u64)>,
    },
    Sage {
        before: Option<Sage>,
        after: Option<(u64, u64)>,
    },
    /// `after`: ((sage, assignment), version).
    Assignment {
        before: Option<Assignment>,
        after: Option<((u64, u64), u64)>,
    },
    Committee {
        before: Option<NetworkCommittee>,
        after: Option<(u64, u64)>,
    },
    Support {
        before: Option<SupportActivity>,
        after: Option<(u64, u64)>,
    },
    Otop {
        before: Option<OtopProduct>,
        after: Option<(u64, u64)>,
    },
    /// Several changes made as one (a plan accepted), taken back together.
    Many(Vec<Undo>),
}

impl Undo {
    /// What the change was about, for the message that takes it back.
    fn describe(&self) -> String {
        match self {
            Undo::Fund { before: Some(f), .. } => format!("{} {}", f.code, f.name),
            Undo::Member { before: Some(m), .. } => m.full_name(),
            Undo::Occupation { before: Some(r), .. } => r.member_name.clone(),
            Undo::Sage { before: Some(s), .. } => s.full_name(),
            Undo::Assignment { before: Some(a), .. } => a.household.clone(),
            Undo::Many(list) => list.len().to_string(),
            Undo::Committee { before: Some(c), .. } => c.district.to_string(),
            Undo::Support { before: Some(s), .. } => s.note.chars().take(30).collect(),
            Undo::Otop { before: Some(p), .. } => p.name.clone(),
            Undo::Fund { after: Some((id, _)), .. } => format!("#{id}"),
            Undo::Member { after: Some((_, id, _)), .. } => format!("#{id}"),
            Undo::Occupation { after: Some(((_, _, id), _)), .. } => format!("#{id}"),
            Undo::Sage { after: Some((id, _)), .. } => format!("#{id}"),
            Undo::Assignment { after: Some(((_, id), _)), .. } => format!("#{id}"),
            Undo::Committee { after: Some((id, _)), .. }
            | Undo::Support { after: Some((id, _)), .. }
            | Undo::Otop { after: Some((id, _)), .. } => format!("#{id}"),
            _ => String::new(),
        }
    }
}

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
    pub lang: Lang,
    pub no_color: bool,
    pub officer: String,
    /// What this session may change (the store checks it on every write).
    pub access: Access,
    /// Over SSH: the officer's own folder, where every export goes under a
    /// name they choose but no path (`files/LOGIN/outbox/`); `None` when the
    /// officer runs the app as themselves and writes where they like.
    pub export_dir: Option<std::path::PathBuf>,
    pub today: Date,
    pub size: (u16, u16),
    pub tab: Tab,
    pub geo: Geo,
    pub funds: FundsTab,
    pub occ: OccupationsTab,
    pub rank: RankingTab,
    pub sages: SagesTab,
    pub overview: OverviewTab,
    pub network: NetworkTab,
    pub admin: admin::AdminTab,
    pub categories: Vec<OccupationCategory>,
    /// Every occupation record, for the Occupations tab (see [`Catalog`]).
    pub catalog: Arc<RwLock<Catalog>>,
    /// Whether the catalog is a server's, shared with other sessions.
    catalog_shared: bool,
    /// Set while the catalog loads in the background.
    catalog_rx: Option<mpsc::Receiver<Result<Catalog, StoreError>>>,
    /// Balances and overdue days are computed as of this day (`a` changes it).
    pub as_of: Date,
    pub form: Option<Form>,
    pub overlay: Option<Overlay>,
    pub status: Option<Status>,
    pub undo: Vec<Undo>,
    pub job: Option<Job>,
    pub quit: bool,
    /// Ctrl-C pressed once while work runs beside the screen.
    quit_asked: bool,
    seen_generation: u64,
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
            lang,
            no_color: false,
            officer,
            access: Access::Admin,
            export_dir: None,
            today,
            size,
            tab: Tab::Overview,
            geo: Geo::default(),
            funds: FundsTab::default(),
            occ: OccupationsTab::default(),
            rank: RankingTab::default(),
            sages: SagesTab::default(),
            overview: OverviewTab::default(),
            network: NetworkTab::default(),
            admin: admin::AdminTab::default(),
            categories: Vec::new(),
            catalog: shared.unwrap_or_else(|| Arc::new(RwLock::new(Catalog::empty(today)))),
            catalog_shared,
            catalog_rx: None,
            as_of: today,
            form: None,
            overlay: None,
            status: None,
            undo: Vec::new(),
            job: None,
            quit: false,
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
        let as_of = self.as_of;
        std::thread::spawn(move || {
            let _ = tx.send(Catalog::load(&store, as_of));
        });
        self.catalog_rx = Some(rx);
    }

    /// Waits for the catalog (tests, benchmarks, and a tab that needs it now).
    pub fn finish_loading(&mut self) {
        if let Some(rx) = self.catalog_rx.take() {
            match rx.recv() {
                Ok(result) => self.catalog_loaded(result),
                Err(_) => self.error(k::ERR_CATALOG),
            }
        }
    }

    fn catalog_loaded(&mut self, result: Result<Catalog, StoreError>) {
        release_free_memory();
        match result {
            Ok(c) => {
                // Row numbers change with a new catalog: keep the selections by id.
                let mut keep = (None, None);
                if self.catalog_shared {
                    // Another date than the server's: this session's own copy.
                    if let Ok(slot) = self.catalog.read() {
                        let id_at =
                            |row: Option<&u32>| row.and_then(|i| slot.rows.get(*i as usize)).map(|r| r.id);
                        keep = (
                            id_at(self.occ.view.get(self.occ.pos.cursor)),
                            id_at(self.rank.selected().map(|(row, _)| row)),
                        );
                    }
                    let mut c = c;
                    c.revision = self.catalog.read().map_or(1, |x| x.revision + 1);
                    self.catalog = Arc::new(RwLock::new(c));
                    self.catalog_shared = false;
                } else if let Ok(mut slot) = self.catalog.write() {
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
            Err(e) => self.error(messages::store(&e)),
        }
    }

    pub fn catalog_loading(&self) -> bool {
        self.catalog_rx.is_some()
    }

    /// Re-reads everything from the store (after demo data, or another officer's
    /// save), keeping the officer's place.
    pub fn reload(&mut self, store: &Store) {
        match store.places() {
            Ok(places) => self.geo = Geo::new(places),
            Err(e) => self.error(messages::store(&e)),
        }
        match store.categories() {
            Ok(c) => self.categories = c,
            Err(e) => self.error(messages::store(&e)),
        }
        if let Err(e) = self.funds.load(store, &self.geo, self.lang) {
            self.error(messages::store(&e));
        }
        self.funds.refresh_screens(store, self.as_of);
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

    /// This session, as the store's writes name it and check it.
    pub fn who(&self) -> Actor<'_> {
        Actor { name: &self.officer, access: self.access, change: None }
    }

    pub fn info(&mut self, msg: impl Into<Msg>) {
        self.status = Some(Status { msg: msg.into(), kind: StatusKind::Info });
    }

    pub fn error(&mut self, msg: impl Into<Msg>) {
        self.status = Some(Status { msg: msg.into(), kind: StatusKind::Error });
    }

    pub fn ctx(&self) -> Ctx {
        if self.job.is_some() {
            return Ctx::Busy;
        }
        match &self.overlay {
            Some(Overlay::Help { .. } | Overlay::ThaiCheck) => return Ctx::Help,
            Some(Overlay::Confirm { .. }) => return Ctx::Confirm,
            Some(Overlay::Picker { .. }) => return Ctx::Picker,
            Some(Overlay::Offer { .. }) => return Ctx::Offer,
            Some(Overlay::Suggest(_)) => return Ctx::Suggest,
            None => {}
        }
        if self.form.is_some() {
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
        layout::list_rows(self.size.1)
    }

    fn clamp_lists(&mut self) {
        let page = self.page();
        self.funds.clamp(page, layout::ledger_rows(self.size.1), layout::member_rows(self.size.1));
        self.occ.pos.clamp(self.occ.view.len(), page);
        let n = self.rank.ranked.len();
        self.rank.pos.clamp(n, layout::ranking_rows(self.size.1));
        if let Some(d) = &mut self.occ.detail {
            d.pos.clamp(d.record.loan_ids.len(), layout::occupation_loan_rows(self.size.1));
        }
        let picker_page = page.saturating_sub(4).max(1);
        if let Some(Overlay::Picker { pos, shown, .. }) = &mut self.overlay {
            pos.clamp(shown.len(), picker_page);
        }
    }

    /// Applies one action. Returns whether the screen may have changed.
    pub fn update(&mut self, action: Action, store: &Arc<Store>) -> bool {
        match action {
            Action::Resize(w, h) => {
                self.size = (w, h);
                self.clamp_lists();
                return true;
            }
            Action::Tick => return self.tick(store),
            _ => {}
        }
        if self.ctx() != Ctx::Busy {
            self.status = None;
        }
        match self.ctx() {
            // Quitting now would leave the demo half written: ask first.
            Ctx::Busy if action == Action::Quit => {
                if self.quit_asked {
                    self.quit = true;
                } else {
                    self.quit_asked = true;
                    self.error(k::BUSY_QUIT);
                }
            }
            Ctx::Busy => self.info(k::BUSY_WAIT),
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
        if let Some(f) = &self.form
            && f.kind.writes()
            && let Err(d) = self.access.may_write()
        {
            self.form = None;
            self.error(messages::denied(&d));
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
            self.error(messages::store(&t));
        }
    }

    /// Keys that work on every tab in navigation mode. Returns whether it acted.
    fn global_action(&mut self, action: Action) -> bool {
        match action {
            Action::Quit => self.quit = true,
            Action::Help => self.overlay = Some(Overlay::Help { scroll: 0 }),
            Action::ToggleLang => {
                self.lang = self.lang.toggled();
                self.funds.language_changed(self.lang, &self.geo);
                if matches!(self.occ.sort, catalog::OccSort::District | catalog::OccSort::Category) {
                    self.occ_refresh();
                }
            }
            Action::NextTab | Action::PrevTab => self.step_tab(action == Action::NextTab),
            Action::GoTab(n) => match self.tabs().iter().find(|t| t.number() == n) {
                Some(t) => self.switch_tab(*t),
                None if n == Tab::Admin.number() => self.error(messages::denied(&Denied::AdminOnly)),
                None => {
                    let name = Tab::ALL.get(usize::from(n).saturating_sub(1)).map(|t| t.label());
                    match name {
                        Some(label) => self
                            .info(Msg::with(k::TAB_NOT_YET, [crate::i18n::tr(self.lang, label).to_string()])),
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
        if self.access.may_admin().is_ok() { &Tab::ALL } else { &Tab::SHOWN }
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
        let stale = self.catalog.read().is_ok_and(|c| c.revision != self.occ.seen_revision());
        if tab == Tab::Occupations && stale {
            self.occ_refresh();
        }
        if tab == Tab::Ranking {
            self.rank_refresh_if_stale();
        }
    }

    fn help_action(&mut self, action: Action) {
        if self.overlay == Some(Overlay::ThaiCheck) {
            if matches!(action, Action::Back | Action::Help | Action::Quit | Action::Open) {
                self.overlay = Some(Overlay::Help { scroll: 0 });
            }
            return;
        }
        let Some(Overlay::Help { scroll }) = &mut self.overlay else {
            return;
        };
        match action {
            Action::ThaiCheck => self.overlay = Some(Overlay::ThaiCheck),
            Action::Up => *scroll = scroll.saturating_sub(1),
            Action::Down => *scroll += 1,
            Action::PageUp => *scroll = scroll.saturating_sub(10),
            Action::PageDown => *scroll += 10,
            Action::Home => *scroll = 0,
            Action::Back | Action::Help | Action::Quit | Action::Open => self.overlay = None,
            _ => {}
        }
    }

    fn confirm_action(&mut self, action: Action, store: &Arc<Store>) {
        let Some(Overlay::Confirm { then, .. }) = &self.overlay else {
            return;
        };
        let then = *then;
        match action {
            Action::Yes => {
                self.overlay = None;
                match then {
                    Pending::Quit => self.quit = true,
                    Pending::DiscardForm => self.form = None,
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
            Action::No | Action::Back => self.overlay = None,
            Action::Quit => self.quit = true,
            _ => {}
        }
    }

    /// Re-applies the pick list's filter.
    pub(super) fn picker_refilter(&mut self) {
        let page = self.page().saturating_sub(4).max(1);
        let Some(Overlay::Picker { options, pos, filter, shown, .. }) = &mut self.overlay else { return };
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
        let Some(Overlay::Picker { options, pos, purpose, filter, shown, .. }) = &mut self.overlay else {
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
            Action::Back | Action::Quit => self.overlay = None,
            Action::Open => {
                let value = shown.get(pos.cursor).and_then(|i| options.get(*i as usize)).map(|o| o.value);
                let Some(value) = value else { return };
                let purpose = *purpose;
                self.overlay = None;
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
                Action::Quit => self.quit = true,
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
                Action::Quit => self.quit = true,
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
            Action::Quit => self.quit = true,
            _ if self.funds.pos.navigate(action, self.funds.view.len(), page) => {}
            _ => {}
        }
    }

    fn form_action(&mut self, action: Action, store: &Arc<Store>) {
        let Some(form) = &mut self.form else { return };
        match action {
            Action::Text(e) => form.edit(e),
            Action::NextField | Action::Down | Action::Open => form.next_field(),
            Action::PrevField | Action::Up => form.prev_field(),
            Action::Save => self.submit_form(store),
            Action::Back => {
                if form.dirty {
                    self.overlay = Some(Overlay::Confirm {
                        msg: Msg::new(k::CONFIRM_DISCARD),
                        then: Pending::DiscardForm,
                    });
                } else {
                    self.form = None;
                }
            }
            Action::Quit => {
                if form.dirty {
                    self.overlay = Some(Overlay::Confirm {
                        msg: Msg::new(k::CONFIRM_QUIT_UNSAVED),
                        then: Pending::Quit,
                    });
                } else {
                    self.quit = true;
                }
            }
            _ => {}
        }
    }

    fn offer_action(&mut self, action: Action, store: &Arc<Store>) {
        let Some(Overlay::Offer { cursor }) = &mut self.overlay else {
            return;
        };
        let n = OFFER_CHOICES.len();
        match action {
            Action::Up => *cursor = (*cursor + n - 1) % n,
            Action::Down => *cursor = (*cursor + 1) % n,
            Action::Quit => self.quit = true,
            Action::Back => self.overlay = None,
            Action::Open => {
                let choice = OFFER_CHOICES[(*cursor).min(n - 1)].1;
                self.overlay = None;
                if let Err(d) = self.access.may_admin() {
                    return self.error(messages::denied(&d));
                }
                match choice {
                    Some(scale) => self.start_demo(store, scale, demo::DEFAULT_SEED),
                    None => match demo::seed_geography(store, &self.officer) {
                        Ok(n) => {
                            self.ensure_committees(store);
                            self.reload(store);
                            self.info(Msg::with(k::STARTED_EMPTY, [(n - 1).to_string()]));
                        }
                        Err(e) => self.error(messages::store(&e)),
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
        let (store, p, officer) = (Arc::clone(store), Arc::clone(&progress), self.officer.clone());
        let today = self.today;
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
        if let Some(rx) = &self.catalog_rx {
            match rx.try_recv() {
                Ok(result) => {
                    self.catalog_rx = None;
                    self.catalog_loaded(result);
                    return true;
                }
                Err(mpsc::TryRecvError::Empty) => {}
                Err(mpsc::TryRecvError::Disconnected) => {
                    self.catalog_rx = None;
                    self.error(k::ERR_CATALOG);
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
                        Ok(msg) => self.info(msg),
                        Err(msg) => self.error(msg),
                    }
                }
                Err(mpsc::TryRecvError::Empty) => {}
                Err(mpsc::TryRecvError::Disconnected) => {
                    self.job = None;
                    self.reload(store);
                    self.error(k::DEMO_FAILED);
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
        let revision = self.catalog.read().map(|c| c.revision).ok();
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
        self.catalog_rx = None;
        self.catalog_loaded(Catalog::load(store, self.as_of));
    }

    /// Every district in the gazetteer gets its network committee.
    fn ensure_committees(&mut self, store: &Store) {
        let districts: Vec<u16> = match store.places() {
            Ok(places) => Geo::new(places).districts().to_vec(),
            Err(e) => return self.error(messages::store(&e)),
        };
        if let Err(e) = store.ensure_committees(&self.officer, &districts) {
            self.error(messages::save(&e));
        }
    }

    /// Which form is open decides how it saves.
    pub(super) fn submit_form(&mut self, store: &Arc<Store>) {
        let Some(form) = &mut self.form else { return };
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

    pub(super) fn form_error(&mut self, msg: Msg) {
        if let Some(form) = &mut self.form {
            form.error = Some(msg);
        }
    }

    /// Puts each error beside its field; `fields` lists the form's fields in order.
    pub(super) fn set_field_errors<F: PartialEq, E>(
        &mut self,
        fields: &[F],
        errs: Vec<(F, E)>,
        msg: fn(&E) -> Msg,
    ) {
        if let Some(form) = &mut self.form {
            for (field, e) in errs {
                let i = fields.iter().position(|f| *f == field).unwrap_or(0);
                form.set_error(i, msg(&e));
            }
        }
    }

    /// Takes back the officer's last change, if nobody has changed the record
    /// since, and shows the result everywhere.
    pub(super) fn undo(&mut self, store: &Arc<Store>) {
        let Some(entry) = self.undo.pop() else {
            self.info(k::NOTHING_TO_UNDO);
            return;
        };
        let what = entry.describe();
        let result = self.apply_undo(store, entry.clone());
        match result {
            Ok(()) => {
                self.reload(store);
                self.info(Msg::with(k::UNDONE_WHAT, [what]));
            }
            // Someone changed it since: the old state cannot come back.
            Err(SaveError::Stale { .. }) => self.error(Msg::with(k::ERR_UNDO_STALE, [what])),
            Err(e) => {
                // Anything else (the disk, say) may pass: keep the entry to try again.
                self.undo.push(entry);
                self.error(messages::save(&e));
            }
        }
    }

    /// Takes one change back (see [`App::undo`]).
    fn apply_undo(&mut self, store: &Arc<Store>, entry: Undo) -> Result<(), SaveError> {
        let officer = self.officer.clone();
        let who = Actor { name: &officer, access: self.access, change: None };
        match entry {
            Undo::Fund { before, after } => {
                revert(store, who, before, after.map(|(id, v)| (id.to_be_bytes().to_vec(), v))).map(|_| ())
            }
            Undo::Member { before, after } => {
                let fund = before.as_ref().map(|m| m.fund_id).or(after.map(|a| a.0)).unwrap_or(0);
                let r = revert(store, who, before, after.map(|(f, m, v)| (member_key(f, m), v)));
                match &r {
                    Ok(Some(m)) => {
                        if let Ok(mut c) = self.catalog.write() {
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
