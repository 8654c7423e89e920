//! Application state and actions. Data flows one way: a key becomes an
//! [`Action`], [`App::update`] changes the state (and the store), and the UI draws
//! the state. Nothing here knows about terminals.

pub mod form;
pub mod funds;
pub mod geo;
pub mod labels;
pub mod layout;
pub mod list;
pub mod messages;
pub mod text;

use std::sync::{
    Arc,
    atomic::{AtomicU32, Ordering},
    mpsc,
};

use crate::{
    demo::{self, Scale},
    domain::{Date, Lang, fund::Fund, money::group_thousands},
    i18n::{Key, Msg, k},
    store::Store,
};
use form::{Form, Opt};
use funds::FundsTab;
use geo::Geo;
use list::ListPos;
use text::TextEdit;

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
}

impl Tab {
    pub const ALL: [Tab; 6] =
        [Tab::Overview, Tab::Funds, Tab::Occupations, Tab::Ranking, Tab::Sages, Tab::Network];

    /// Tabs that work in this build; later capabilities add theirs.
    pub const SHOWN: [Tab; 1] = [Tab::Funds];

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

/// Which keys mean what right now.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Ctx {
    Global,
    List,
    Detail,
    Filter,
    Form,
    Confirm,
    Help,
    Picker,
    Offer,
    Busy,
}

/// What a confirmation does when the officer says yes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pending {
    DeleteFund { id: u64, version: u64 },
    DeleteCapital { fund_id: u64, version: u64, seq: u32 },
    DiscardForm,
    Quit,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PickPurpose {
    DistrictFilter,
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
    Picker {
        title: Key,
        options: Vec<Opt>,
        pos: ListPos,
        purpose: PickPurpose,
    },
    /// First start on an empty store: load demo data or start empty.
    Offer {
        cursor: usize,
    },
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
    Fund { before: Option<Fund>, after: Option<(u64, u64)> },
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
    pub today: Date,
    pub size: (u16, u16),
    pub tab: Tab,
    pub geo: Geo,
    pub funds: FundsTab,
    pub form: Option<Form>,
    pub overlay: Option<Overlay>,
    pub status: Option<Status>,
    pub undo: Vec<Undo>,
    pub job: Option<Job>,
    pub quit: bool,
    seen_generation: u64,
}

impl App {
    /// Loads what the screens need from the store. An empty store opens on the
    /// offer to load demo data.
    pub fn new(store: &Store, officer: impl Into<String>, lang: Lang, size: (u16, u16)) -> Self {
        let mut app = App {
            lang,
            no_color: false,
            officer: officer.into(),
            today: Date::today(),
            size,
            tab: Tab::Funds,
            geo: Geo::default(),
            funds: FundsTab::default(),
            form: None,
            overlay: None,
            status: None,
            undo: Vec::new(),
            job: None,
            quit: false,
            seen_generation: store.generation(),
        };
        app.reload(store);
        if matches!(store.is_empty(), Ok(true)) {
            app.overlay = Some(Overlay::Offer { cursor: 0 });
        }
        app
    }

    /// Re-reads everything from the store (after demo data, or another officer's
    /// save), keeping the officer's place.
    pub fn reload(&mut self, store: &Store) {
        match store.places() {
            Ok(places) => self.geo = Geo::new(places),
            Err(e) => self.error(messages::store(&e)),
        }
        if let Err(e) = self.funds.load(store, &self.geo, self.lang) {
            self.error(messages::store(&e));
        }
        self.funds.refresh_detail(store);
        self.clamp_lists();
        self.seen_generation = store.generation();
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
            Some(Overlay::Help { .. }) => return Ctx::Help,
            Some(Overlay::Confirm { .. }) => return Ctx::Confirm,
            Some(Overlay::Picker { .. }) => return Ctx::Picker,
            Some(Overlay::Offer { .. }) => return Ctx::Offer,
            None => {}
        }
        if self.form.is_some() {
            Ctx::Form
        } else if self.funds.filtering {
            Ctx::Filter
        } else if self.funds.detail.is_some() {
            Ctx::Detail
        } else {
            Ctx::List
        }
    }

    /// Rows a list shows on the current screen.
    pub fn page(&self) -> usize {
        layout::list_rows(self.size.1)
    }

    fn clamp_lists(&mut self) {
        let page = self.page();
        self.funds.clamp(page, layout::ledger_rows(self.size.1));
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
            Ctx::Busy => self.info(k::BUSY_WAIT),
            Ctx::Offer => self.offer_action(action, store),
            Ctx::Help => self.help_action(action),
            Ctx::Confirm => self.confirm_action(action, store),
            Ctx::Picker => self.picker_action(action),
            Ctx::Form => self.form_action(action, store),
            Ctx::Filter => self.filter_action(action),
            Ctx::List | Ctx::Detail | Ctx::Global => {
                if !self.global_action(action) {
                    self.funds_action(action, store);
                }
            }
        }
        true
    }

    /// Keys that work on every tab in navigation mode. Returns whether it acted.
    fn global_action(&mut self, action: Action) -> bool {
        match action {
            Action::Quit => self.quit = true,
            Action::Help => self.overlay = Some(Overlay::Help { scroll: 0 }),
            Action::ToggleLang => {
                self.lang = self.lang.toggled();
                self.funds.language_changed(self.lang, &self.geo);
            }
            Action::NextTab | Action::PrevTab => self.step_tab(action == Action::NextTab),
            Action::GoTab(n) => match Tab::SHOWN.iter().find(|t| t.number() == n) {
                Some(t) => self.tab = *t,
                None => {
                    let name = Tab::ALL.get(usize::from(n).saturating_sub(1)).map(|t| t.label());
                    match name {
                        Some(label) => {
                            self.info(Msg::with(k::TAB_NOT_YET, [crate::i18n::tr(self.lang, label).into()]))
                        }
                        None => return false,
                    }
                }
            },
            _ => return false,
        }
        true
    }

    fn step_tab(&mut self, forward: bool) {
        let shown = Tab::SHOWN;
        let i = shown.iter().position(|t| *t == self.tab).unwrap_or(0);
        let n = shown.len();
        self.tab = shown[if forward { (i + 1) % n } else { (i + n - 1) % n }];
    }

    fn help_action(&mut self, action: Action) {
        let Some(Overlay::Help { scroll }) = &mut self.overlay else {
            return;
        };
        match action {
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
                }
            }
            Action::No | Action::Back => self.overlay = None,
            Action::Quit => self.quit = true,
            _ => {}
        }
    }

    fn picker_action(&mut self, action: Action) {
        let page = self.page().saturating_sub(4).max(1);
        let Some(Overlay::Picker { options, pos, purpose, .. }) = &mut self.overlay else {
            return;
        };
        if pos.navigate(action, options.len(), page) {
            return;
        }
        match action {
            Action::Back | Action::Quit => self.overlay = None,
            Action::Open => {
                let value = options.get(pos.cursor).map(|o| o.value);
                let purpose = *purpose;
                self.overlay = None;
                match purpose {
                    PickPurpose::DistrictFilter => {
                        let district = value.filter(|v| *v != 0).map(|v| v as u16);
                        self.funds.set_district(district, self.page());
                    }
                }
            }
            _ => {}
        }
    }

    fn filter_action(&mut self, action: Action) {
        let page = self.page();
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
                match choice {
                    Some(scale) => self.start_demo(store, scale, demo::DEFAULT_SEED),
                    None => match demo::seed_geography(store, &self.officer) {
                        Ok(n) => {
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
            .map_err(|e| Msg::with(k::DEMO_FAILED, [e.to_string()]));
            // The screen may be gone; nothing to tell then.
            let _ = tx.send(result);
        });
        self.job = Some(Job { what: Msg::new(k::DEMO_LOADING), progress, rx });
    }

    fn tick(&mut self, store: &Store) -> bool {
        if let Some(job) = &self.job {
            match job.rx.try_recv() {
                Ok(result) => {
                    self.job = None;
                    self.reload(store);
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
        if store.generation() != self.seen_generation {
            self.reload(store);
            return true;
        }
        false
    }

    pub fn job_progress(&self) -> Option<(Msg, u32)> {
        self.job.as_ref().map(|j| (j.what.clone(), j.progress.load(Ordering::Relaxed)))
    }
}
