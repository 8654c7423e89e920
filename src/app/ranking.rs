//! The Ranking tab (จัดอันดับ): the successful occupations of a scope ranked by
//! an explainable score (see `domain::ranking`), weights edited live and kept
//! as named profiles, households marked for coaching (step 3) and as models
//! (step 7), and the ranked list exported to CSV.

use std::sync::{Arc, mpsc};

use super::{
    action::{Action, Ctx, PickPurpose},
    cx::{Cx, Effect},
    form::{Field, Form, FormKind, Opt},
    fund_row::{FundLookup, FundRow},
    layout,
    list::ListPos,
    occ_edit,
    shared::Shared,
};
use crate::service::{
    catalog::{Catalog, OccRow},
    labels, messages,
};
use crate::{
    domain::{
        Lang,
        occupation::{OccupationRecord, Stage},
        ranking::{self, Criterion, Profile, Ranked},
    },
    i18n::{Msg, k, tr},
    io::table::Cell,
    store::Store,
};

pub use crate::service::ranking::{DistrictRanking, Scope, criterion_value};

#[derive(Default)]
pub struct RankingTab {
    pub scope: Scope,
    pub category: Option<u16>,
    /// The weights and length in use; `name` is empty until saved or picked.
    pub profile: Profile,
    /// Catalog row and ranking of each household shown, best first.
    pub ranked: Vec<(u32, Ranked)>,
    /// Households ranked (active occupations in the scope).
    pub in_scope: usize,
    pub pos: ListPos,
    /// Editing weights: which criterion has the focus.
    pub weight_focus: Option<usize>,
    /// Showing the households selected for coaching or as models, instead of the top.
    pub selected_view: bool,
    /// Scope choices of the open scope picker, by option value.
    scope_choices: Vec<Scope>,
    /// Profile choices of the open profile picker.
    profile_choices: Vec<Profile>,
    pub seen_revision: Option<u64>,
    /// The ranking being made beside the screen, if any.
    beside: Option<Beside>,
    /// See [`RankingTab::set_beside_rows`].
    beside_rows: usize,
    /// Rankings started beside the screen.
    pub made_beside: u64,
}

/// Catalogs of this many rows or more are ranked beside the screen: at the
/// nation (six million rows) a weight key took 190 ms to rank its scope, and
/// a few keys pressed together took each of theirs before the next frame.
/// Below it (a province: 200,000 rows, 15 ms) the key ranks at once.
pub const BESIDE_ROWS: usize = 1_000_000;

/// A ranking made on a thread of its own.
struct Beside {
    rx: mpsc::Receiver<Answer>,
    /// The question changed while it was made: ask again when it comes.
    again: bool,
}

/// What the tab asks of the catalog.
struct Ask {
    scope: Scope,
    category: Option<u16>,
    weights: ranking::Weights,
    top: usize,
    selected_view: bool,
    today: crate::domain::Date,
    /// The funds of a subdistrict scope.
    funds: Vec<u64>,
    /// The record to keep selected.
    keep: Option<u64>,
}

/// The list the tab shows, and the catalog's revision it was made from.
struct Answer {
    ranked: Vec<(u32, Ranked)>,
    in_scope: usize,
    revision: u64,
    /// Where `keep` is in the list.
    at: Option<usize>,
}

impl Ask {
    fn answer(&self, cat: &Catalog) -> Answer {
        let (ranked, in_scope) = if self.selected_view {
            let list = crate::service::ranking::selected_in(
                cat,
                self.scope,
                self.category,
                &self.weights,
                self.today,
                &self.funds,
            );
            let n = list.len();
            (list, n)
        } else {
            crate::service::ranking::rank_in(
                cat,
                self.scope,
                self.category,
                &self.weights,
                self.top,
                self.today,
                &self.funds,
            )
        };
        let at =
            self.keep.and_then(|id| ranked.iter().position(|(row, _)| cat.rows[*row as usize].id() == id));
        Answer { ranked, in_scope, revision: cat.revision, at }
    }
}

impl RankingTab {
    pub fn selected(&self) -> Option<&(u32, Ranked)> {
        self.ranked.get(self.pos.cursor)
    }
}

/// Step of the weight editor: ↑↓ by five, + − by one.
const WEIGHT_MAX: u32 = 100;

impl RankingTab {
    pub fn ctx(&self) -> Ctx {
        if self.weight_focus.is_some() { Ctx::Weights } else { Ctx::Ranking }
    }

    /// The household under the cursor, by id, in the catalog `cat`.
    pub fn selected_id(&self, cat: &Catalog) -> Option<u64> {
        self.selected().and_then(|(row, _)| cat.rows.get(*row as usize)).map(|x| x.id())
    }

    /// Ranks the scope again from the catalog (after any change of scope,
    /// weights, data or date).
    pub fn refresh(&mut self, sh: &Shared, funds: &[FundRow]) {
        let keep = sh.catalog.read().ok().and_then(|cat| self.selected_id(&cat));
        self.refresh_keeping(sh, funds, keep);
    }

    /// As [`RankingTab::refresh`], selecting the record `keep` if it is shown.
    /// A catalog of [`BESIDE_ROWS`] rows or more is ranked on a thread of its
    /// own: the key that asked returns at once, the list shown stays (marked
    /// as being ranked) until the new one comes ([`RankingTab::go_on`]).
    pub fn refresh_keeping(&mut self, sh: &Shared, funds: &[FundRow], keep: Option<u64>) {
        self.fit_scope(sh, funds);
        let ask = self.ask(sh, funds, keep);
        let Ok(cat) = sh.catalog.read() else { return };
        if cat.rows.len() < self.beside_rows() {
            let answer = ask.answer(&cat);
            drop(cat);
            return self.show(sh, answer);
        }
        drop(cat);
        if let Some(b) = &mut self.beside {
            // One ranking at a time: the last question is asked when it ends.
            b.again = true;
            return;
        }
        let (tx, rx) = mpsc::channel();
        let catalog = Arc::clone(&sh.catalog);
        let spawned = std::thread::Builder::new().name("ranking".into()).spawn(move || {
            if let Ok(cat) = catalog.read() {
                let _ = tx.send(ask.answer(&cat));
            }
        });
        match spawned {
            Ok(_) => {
                self.beside = Some(Beside { rx, again: false });
                self.made_beside += 1;
            }
            // No thread to be had (a process at its limit): ranked here.
            Err(_) => {
                let Ok(cat) = sh.catalog.read() else { return };
                let answer = self.ask(sh, funds, keep).answer(&cat);
                drop(cat);
                self.show(sh, answer);
            }
        }
    }

    /// The question the tab asks now, keeping `keep` selected.
    fn ask(&self, sh: &Shared, funds: &[FundRow], keep: Option<u64>) -> Ask {
        Ask {
            scope: self.scope,
            category: self.category,
            weights: self.profile.weights,
            top: usize::from(self.profile.top),
            selected_view: self.selected_view,
            today: sh.today,
            funds: subdistrict_funds(funds, self.scope),
            keep,
        }
    }

    /// A committee ranks within its own fund or district.
    fn fit_scope(&mut self, sh: &Shared, funds: &[FundRow]) {
        match (sh.access.reads_only_fund(), sh.access.reads_only_district()) {
            (Some(f), _) => self.scope = Scope::Fund(f),
            (None, Some(d)) => {
                // A subdistrict or fund of its own district stays as chosen.
                let inside = match self.scope {
                    Scope::District(x) => x == d,
                    Scope::Subdistrict(s) => s / 100 == u32::from(d),
                    Scope::Fund(f) => funds.iter().any(|r| r.id == f && r.district == d),
                    Scope::Province => false,
                };
                if !inside {
                    self.scope = Scope::District(d)
                }
            }
            _ => {}
        }
    }

    fn show(&mut self, sh: &Shared, answer: Answer) {
        let page = layout::ranking_rows(sh.size.1);
        self.in_scope = answer.in_scope;
        self.ranked = answer.ranked;
        self.seen_revision = Some(answer.revision);
        let n = self.ranked.len();
        self.pos.set(answer.at.unwrap_or(0), n, page);
    }

    /// Rows from which a catalog is ranked beside the screen.
    fn beside_rows(&self) -> usize {
        if self.beside_rows == 0 { BESIDE_ROWS } else { self.beside_rows }
    }

    /// Ranks beside the screen from catalogs of `rows` rows (tests: 0 for
    /// [`BESIDE_ROWS`]).
    pub fn set_beside_rows(&mut self, rows: usize) {
        self.beside_rows = rows;
    }

    /// A ranking is being made beside the screen.
    pub fn is_ranking(&self) -> bool {
        self.beside.is_some()
    }

    /// Takes the ranking made beside the screen, if it has come (and asks
    /// again if the question changed meanwhile). Returns whether the list
    /// changed.
    pub fn go_on(&mut self, sh: &mut Shared, funds: &[FundRow]) -> bool {
        let Some(b) = &self.beside else { return false };
        let got = match b.rx.try_recv() {
            Ok(answer) => Ok(answer),
            Err(mpsc::TryRecvError::Empty) => return false,
            Err(mpsc::TryRecvError::Disconnected) => Err(()),
        };
        self.came(sh, funds, got);
        true
    }

    /// Waits for the ranking made beside the screen, and any asked after it
    /// (an export, tests).
    pub fn settle(&mut self, sh: &mut Shared, funds: &[FundRow]) {
        while let Some(b) = &self.beside {
            let got = b.rx.recv().map_err(|_| ());
            self.came(sh, funds, got);
        }
    }

    fn came(&mut self, sh: &mut Shared, funds: &[FundRow], got: Result<Answer, ()>) {
        let again = self.beside.take().is_some_and(|b| b.again);
        match got {
            Ok(answer) => self.show(sh, answer),
            Err(()) => sh.error(k::ERR_RANKING),
        }
        if again {
            self.refresh(sh, funds);
        }
    }

    /// Forgets a ranking being made (the catalog it reads was replaced: its
    /// row numbers would not be this catalog's).
    pub fn forget(&mut self) {
        self.beside = None;
    }

    /// A district's households selected for coaching or as models (from the Overview).
    pub fn show_selected(&mut self, cx: &mut Cx<'_>, district: u16) {
        self.scope = Scope::District(district);
        self.category = None;
        if self.selected_view {
            self.refresh(cx.sh, cx.funds);
        } else {
            self.selected_view = true;
            self.other_view(cx.sh, cx.funds);
        }
    }

    /// The view changed (the top or the selected): the list shown was the
    /// other view's, under other heads, so it goes (the household under the
    /// cursor stays selected if the new list has it). While the new one is
    /// ranked beside the screen the tab says it is ranking, with no list.
    fn other_view(&mut self, sh: &Shared, funds: &[FundRow]) {
        let keep = sh.catalog.read().ok().and_then(|cat| self.selected_id(&cat));
        self.ranked.clear();
        self.in_scope = 0;
        self.pos.home();
        self.refresh_keeping(sh, funds, keep);
    }

    pub fn action(&mut self, cx: &mut Cx<'_>, action: Action) {
        let store = cx.store;
        if self.weight_focus.is_some() {
            return self.weights_action(cx, action);
        }
        let page = layout::ranking_rows(cx.sh.size.1);
        if self.pos.navigate(action, self.ranked.len(), page) {
            return;
        }
        match action {
            Action::PickDistrict => self.open_scope_picker(cx),
            Action::PickCategory => {
                let opts = cx.sh.category_options();
                let current = self.category.map(u32::from);
                cx.sh.open_picker(k::PICK_CATEGORY, opts, current, PickPurpose::RankCategory);
            }
            Action::PickProfile => self.open_profile_picker(cx, store),
            Action::EditWeights => self.weight_focus = Some(0),
            Action::SaveProfile => {
                let name = self.profile.name.clone();
                let field = Field::text(k::FIELD_PROFILE_NAME, name, None);
                cx.sh.form =
                    Some(Form::new(FormKind::SaveProfile, Msg::new(k::FORM_SAVE_PROFILE), vec![field]));
            }
            Action::More | Action::Less => {
                let step: i32 = if action == Action::More { 5 } else { -5 };
                let top = (i32::from(self.profile.top) + step).clamp(5, 200);
                self.profile.top = top as u16;
                self.refresh(cx.sh, cx.funds);
            }
            Action::ToggleSelected => {
                self.selected_view = !self.selected_view;
                self.pos.home();
                self.other_view(cx.sh, cx.funds);
            }
            Action::MarkSelected | Action::MarkModel => {
                let stage = if action == Action::MarkModel { Stage::Model } else { Stage::Coached };
                if let Some(key) = self.selected_key(cx.sh) {
                    occ_edit::open_mark_form(cx, &key, stage);
                }
            }
            Action::Export => {
                // The list exported is the one the screen is about to show.
                self.settle(cx.sh, cx.funds);
                let name = format!("ranking-{}", scope_slug(self.scope));
                super::export::open_form(cx.sh, &name);
            }
            Action::Open => {
                if let Some(key) = self.selected_key(cx.sh) {
                    cx.effect(Effect::OpenOccupation(key));
                }
            }
            Action::Suggest => {
                let record = self
                    .selected_key(cx.sh)
                    .and_then(|key| store.get_at::<OccupationRecord>(&key).ok().flatten());
                match record {
                    Some(r) => cx.effect(Effect::Suggest(Box::new(r))),
                    None => cx.sh.error(k::ERR_GONE),
                }
            }
            _ => {}
        }
    }

    fn selected_key(&self, sh: &Shared) -> Option<Vec<u8>> {
        let (row, _) = self.selected()?;
        sh.catalog.read().ok()?.rows.get(*row as usize).map(OccRow::key)
    }

    fn weights_action(&mut self, cx: &mut Cx<'_>, action: Action) {
        let Some(i) = self.weight_focus else { return };
        let w = &mut self.profile.weights.0;
        match action {
            Action::Left => self.weight_focus = Some((i + 5) % 6),
            Action::Right | Action::NextField => self.weight_focus = Some((i + 1) % 6),
            Action::Up => w[i] = (w[i] + 5).min(WEIGHT_MAX),
            Action::Down => w[i] = w[i].saturating_sub(5),
            Action::More => w[i] = (w[i] + 1).min(WEIGHT_MAX),
            Action::Less => w[i] = w[i].saturating_sub(1),
            Action::Back | Action::Open => self.weight_focus = None,
            _ => return,
        }
        if matches!(action, Action::Up | Action::Down | Action::More | Action::Less) {
            self.refresh(cx.sh, cx.funds);
        }
    }

    fn open_scope_picker(&mut self, cx: &mut Cx<'_>) {
        let geo = &cx.sh.geo;
        let mut choices = vec![Scope::Province];
        let whole = geo.whole();
        let mut opts = vec![Opt::new(0, tr(Lang::Th, whole), tr(Lang::En, whole))];
        for d in geo.districts() {
            let c = u32::from(*d);
            opts.push(Opt::new(
                choices.len() as u32,
                format!("{} {}", tr(Lang::Th, k::COL_DISTRICT), geo.name(c, Lang::Th)),
                format!("{} {}", tr(Lang::En, k::COL_DISTRICT), geo.name(c, Lang::En)),
            ));
            choices.push(Scope::District(*d));
        }
        let mut subs: Vec<u32> = cx.funds.iter().map(|r| r.subdistrict).collect();
        subs.sort_unstable();
        subs.dedup();
        for s in subs {
            let district = geo.name(s / 100, Lang::Th);
            opts.push(Opt::new(
                choices.len() as u32,
                format!("{} {} ({})", tr(Lang::Th, k::COL_SUBDISTRICT), geo.name(s, Lang::Th), district),
                format!("{} {}", tr(Lang::En, k::COL_SUBDISTRICT), geo.name(s, Lang::En)),
            ));
            choices.push(Scope::Subdistrict(s));
        }
        for r in cx.funds.iter() {
            let label = format!("{} {}", r.code, r.name);
            opts.push(Opt::new(choices.len() as u32, label.clone(), label));
            choices.push(Scope::Fund(r.id));
        }
        let current = choices.iter().position(|c| *c == self.scope).map(|i| i as u32);
        self.scope_choices = choices;
        // No "All": the province is the first choice.
        cx.sh.open_choice(k::PICK_SCOPE, opts, current, PickPurpose::RankScope);
    }

    fn open_profile_picker(&mut self, cx: &mut Cx<'_>, store: &Store) {
        let mut choices =
            vec![Profile { name: tr(cx.sh.lang, k::PROFILE_DEFAULT).to_string(), ..Profile::default() }];
        match store.profiles() {
            Ok(p) => choices.extend(p),
            Err(e) => return cx.sh.error(messages::store(&e)),
        }
        let opts = choices
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let w = p.weights.0.map(|x| x.to_string()).join("/");
                let label = format!("{} ({w}, {})", p.name, p.top);
                Opt::new(i as u32, label.clone(), label)
            })
            .collect();
        let current = choices.iter().position(|p| p.name == self.profile.name).map(|i| i as u32);
        self.profile_choices = choices;
        cx.sh.open_choice(k::PICK_PROFILE, opts, current, PickPurpose::RankProfile);
    }

    /// A choice made in one of the Ranking tab's pick lists.
    pub fn picked(&mut self, cx: &mut Cx<'_>, purpose: PickPurpose, value: u32, all: bool) {
        match purpose {
            PickPurpose::RankScope => {
                if let Some(s) = self.scope_choices.get(value as usize) {
                    self.scope = *s;
                }
            }
            PickPurpose::RankCategory => self.category = (!all).then_some(value as u16),
            PickPurpose::RankProfile => {
                if let Some(p) = self.profile_choices.get(value as usize) {
                    self.profile = p.clone();
                    if value == 0 {
                        self.profile.name.clear();
                    }
                }
            }
            _ => return,
        }
        self.pos.home();
        self.refresh(cx.sh, cx.funds);
    }

    /// The forms of this tab (a weight profile saved under a name).
    pub fn submit(&mut self, cx: &mut Cx<'_>, kind: FormKind) {
        if kind != FormKind::SaveProfile {
            return;
        }
        let store = cx.store;
        let Some(form) = &mut cx.sh.form else { return };
        let name = form.fields.first().map(|f| f.text_value().trim().to_string()).unwrap_or_default();
        if name.is_empty() {
            return form.set_error(0, Msg::new(k::ERR_REQUIRED));
        }
        if name.chars().count() > 40 {
            return form.set_error(0, Msg::with(k::ERR_TOO_LONG, ["40".to_string()]));
        }
        let profile = Profile { name: name.clone(), ..self.profile.clone() };
        if let Err(d) = cx.sh.access.may_write() {
            return cx.sh.form_error(messages::denied(&d));
        }
        match store.save_profile(&cx.sh.officer, &profile) {
            Ok(()) => {
                self.profile = profile;
                cx.sh.form = None;
                cx.sh.info(Msg::with(k::PROFILE_SAVED, [name]));
            }
            Err(e) => cx.sh.form_error(messages::store(&e)),
        }
    }

    /// The ranked rows with every criterion, raw and in points: a header and
    /// rows for a spreadsheet (numbers stay numbers).
    pub fn table(&self, sh: &Shared, funds: &[FundRow], store: &Store) -> (Vec<String>, Vec<Vec<Cell>>) {
        use crate::service::ranking::Value;
        let funds: std::collections::HashMap<u64, (String, String)> =
            funds.iter().map(|f| (f.id, (f.code.to_string(), f.name.to_string()))).collect();
        let names =
            crate::service::ranking::Names { funds: &funds, geo: &sh.geo, categories: &sh.categories };
        let Ok(cat) = sh.catalog.read() else { return (Vec::new(), Vec::new()) };
        let (header, rows) = crate::service::ranking::table(
            store,
            &cat,
            &self.ranked,
            &self.profile.weights,
            sh.today,
            sh.lang,
            &names,
        );
        let cell = |v: Value| match v {
            Value::Text(t) => Cell::Text(t),
            Value::Number(n) => Cell::Number(n),
        };
        (header, rows.into_iter().map(|r| r.into_iter().map(cell).collect()).collect())
    }
}

/// A scope in the officer's words.
pub fn scope_label(sh: &Shared, funds: &[FundRow], scope: Scope) -> String {
    let lang = sh.lang;
    match scope {
        Scope::Province => tr(lang, sh.geo.whole()).to_string(),
        Scope::District(d) => format!("{} {}", tr(lang, k::COL_DISTRICT), sh.geo.name(u32::from(d), lang)),
        Scope::Subdistrict(s) => format!("{} {}", tr(lang, k::COL_SUBDISTRICT), sh.geo.name(s, lang)),
        Scope::Fund(f) => {
            let row = funds.iter().find(|r| r.id == f);
            row.map_or_else(|| f.to_string(), |r| format!("{} {}", r.code, r.name))
        }
    }
}

/// The best `top` active occupations of a scope (and category), with their
/// catalog rows, and how many were ranked (see `service::ranking`).
pub fn rank_in(
    sh: &Shared,
    funds: &[FundRow],
    cat: &Catalog,
    scope: Scope,
    category: Option<u16>,
    weights: &ranking::Weights,
    top: usize,
) -> (Vec<(u32, Ranked)>, usize) {
    let funds = subdistrict_funds(funds, scope);
    crate::service::ranking::rank_in(cat, scope, category, weights, top, sh.today, &funds)
}

/// The funds of a subdistrict scope, sorted (none for other scopes).
fn subdistrict_funds(funds: &[FundRow], scope: Scope) -> Vec<u64> {
    match scope {
        Scope::Subdistrict(s) => funds.funds_in(s),
        _ => Vec::new(),
    }
}

fn scope_slug(s: Scope) -> String {
    match s {
        Scope::Province => "province".into(),
        Scope::District(d) => format!("district-{d}"),
        Scope::Subdistrict(x) => format!("subdistrict-{x}"),
        Scope::Fund(f) => format!("fund-{f}"),
    }
}

/// The ranking in its own words, for the breakdown line of the selected row.
pub fn explain(sh: &Shared, w: &ranking::Weights, cat: &Catalog, row: &OccRow, r: &Ranked) -> Vec<String> {
    let lang = sh.lang;
    let f = cat.facts(row, sh.today);
    Criterion::ALL
        .iter()
        .map(|c| {
            let value = match c {
                Criterion::IncomeGrowth => signed(f.income_growth),
                Criterion::NetIncome => crate::domain::Money(f.net_income).format_whole(),
                Criterion::SavingsGrowth => signed(f.savings_growth),
                Criterion::Repayment => {
                    if row.days_late > 0 {
                        format!(
                            "{}% {}",
                            f.repayment / 100,
                            crate::i18n::trf(lang, k::DAYS_LATE, &[&row.days_late])
                        )
                    } else {
                        format!("{}%", f.repayment / 100)
                    }
                }
                Criterion::Years => crate::i18n::trf(lang, k::YEARS, &[&f.years]),
                Criterion::Sammachip => tr(lang, labels::verdict_short(row.verdict)).to_string(),
            };
            // The points it earned out of the most it could earn.
            let most = (u64::from(w.get(*c)) * 10_000 / u64::from(w.total().max(1))) as u32;
            format!(
                "{} {value} → {}/{}",
                tr(lang, labels::criterion(*c)),
                ranking::format_points(r.contribution(w, *c)),
                ranking::format_points(most)
            )
        })
        .collect()
}

fn signed(satang: i64) -> String {
    let m = crate::domain::Money(satang);
    if satang > 0 { format!("+{}", m.format_whole()) } else { m.format_whole() }
}
