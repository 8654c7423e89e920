//! The Occupations tab (อาชีพ): every occupation record across all funds, with
//! search and filters by category, district, fund and stage; a record's
//! detail; new categories. The occupation form itself is in `occ_edit`.

use std::sync::Arc;

use super::{
    action::{Action, Ctx, PickPurpose},
    cx::{Cx, Effect},
    export::{money, text},
    form::{Field, Form, FormKind, Opt},
    fund_row::FundList,
    list::ListPos,
    occ_edit,
    shared::Shared,
    text::{TextEdit, TextInput},
};
use crate::service::{
    catalog::{Catalog, OccFilter, OccSort, Term},
    labels, messages,
};
use crate::{
    domain::{
        Lang,
        member::Member,
        occupation::{OccupationRecord, Stage},
        thai,
    },
    i18n::{Msg, k, tr},
    io::table::Cell,
    store::{AddCategoryError, Store, member_key, occupation_key},
};

/// An occupation record opened with Enter, with its member for the loans.
#[derive(Clone, Debug)]
pub struct OccDetail {
    pub record: OccupationRecord,
    pub member: Option<Member>,
    /// Cursor in the loans that fund it.
    pub pos: ListPos,
    /// The sages the household has had, oldest first.
    pub assignments: Vec<crate::domain::sage::Assignment>,
}

/// The rows a list shows: its own, or a list kept elsewhere, not copied:
/// when it shows every live row, the catalog's order itself (one copy for
/// every session showing it: at the nation, 24 MB each); back to a shorter
/// query, the list kept for it.
#[derive(Clone, Debug)]
pub enum Shown {
    Own(Vec<u32>),
    Shared(Arc<Vec<u32>>),
}

impl Default for Shown {
    fn default() -> Self {
        Shown::Own(Vec::new())
    }
}

impl std::ops::Deref for Shown {
    type Target = [u32];
    fn deref(&self) -> &[u32] {
        match self {
            Shown::Own(v) => v,
            Shown::Shared(v) => v,
        }
    }
}

impl PartialEq<Vec<u32>> for Shown {
    fn eq(&self, other: &Vec<u32>) -> bool {
        **self == **other
    }
}

impl Shown {
    fn push(&mut self, row: u32) {
        if let Shown::Shared(v) = self {
            *self = Shown::Own(v.to_vec());
        }
        if let Shown::Own(v) = self {
            v.push(row);
        }
    }

    pub(super) fn clear(&mut self) {
        match self {
            Shown::Own(v) => v.clear(),
            Shown::Shared(_) => *self = Shown::default(),
        }
    }

    /// Kept for narrowing, without a copy.
    fn into_shared(self) -> Arc<Vec<u32>> {
        match self {
            Shown::Own(v) => Arc::new(v),
            Shown::Shared(v) => v,
        }
    }

    /// Whether this is a list kept elsewhere (no copy of its own).
    pub fn is_shared(&self) -> bool {
        matches!(self, Shown::Shared(_))
    }
}

#[derive(Default)]
pub struct OccupationsTab {
    /// Row numbers of the catalog, filtered and sorted: what the list shows.
    pub view: Shown,
    pub pos: ListPos,
    pub filter: TextInput,
    pub filtering: bool,
    pub select: OccFilter,
    pub sort: OccSort,
    pub desc: bool,
    pub detail: Option<OccDetail>,
    /// The catalog revision the view was computed from.
    seen_revision: u64,
    /// While typing: the view for each query typed so far, so each further
    /// letter narrows the previous view instead of scanning every row again,
    /// and Backspace goes back without scanning at all.
    narrowing: Vec<(String, Arc<Vec<u32>>)>,
    /// Live rows at the last refresh.
    pub total: usize,
    /// The store generation the households with a sage were read at.
    coached_read: Option<u64>,
    /// A search still going through the rows: on a catalog larger than
    /// [`SLICE`] rows, a keystroke looks at that many and the rest follow
    /// between keystrokes, so typing never waits for the whole catalog.
    scan: Option<Scan>,
    /// Rows per keystroke (0: [`SLICE`]; tests set fewer).
    slice: usize,
    /// Time per keystroke, if the front end asks for one (see
    /// [`OccupationsTab::set_time_per_slice`]).
    time_per_slice: Option<std::time::Duration>,
    /// Rows the last keystroke or tick looked at (what [`SLICE`] bounds).
    pub rows_looked_at: usize,
    /// The tab a record was opened from (the Ranking's list): `Esc` on the
    /// record goes back there, not to this tab's list.
    pub back_to: Option<super::action::Tab>,
}

/// Rows a keystroke looks at, at most: the province's 203,015 in one go
/// (about 2 ms); the nation's six million in 25 slices between keys.
pub const SLICE: usize = 250_000;

/// Time a keystroke's slice may take, on the officer's screen (the event
/// loop sets it): a slower PC, or rows spread wider in memory, make smaller
/// slices, so typing stays within a frame (16 ms) with the drawing.
pub const SLICE_TIME: std::time::Duration = std::time::Duration::from_millis(6);

/// How often a slice looks at the clock, in rows: also what a keystroke
/// looks at when its terms alone took the slice's time (at the nation,
/// every fund's text is searched for each term). With 8,192 rows such a
/// keystroke took 11–12 ms at the nation, against a slice of 6.
pub const CLOCK_EVERY: usize = 1_024;

/// A search in progress (see [`OccupationsTab::scan`]).
struct Scan {
    /// What it goes through: the catalog's order of the tab's sort (`None`),
    /// or the rows of a shorter query being narrowed.
    rows: Option<Arc<Vec<u32>>>,
    /// How many of them it has looked at.
    next: usize,
    terms: Vec<Term>,
    /// The record to select when it ends.
    keep: Option<u64>,
    /// When the keystroke that started it began: its first slice's time
    /// counts from there, so resolving the terms (every fund's places, at
    /// the nation 79,600 of them) comes out of the same budget.
    began: Option<std::time::Instant>,
}

impl OccupationsTab {
    pub fn seen_revision(&self) -> u64 {
        self.seen_revision
    }

    /// Whether a search is still going through the rows, and how far (per cent).
    pub fn searching(&self, cat: &Catalog) -> Option<usize> {
        let s = self.scan.as_ref()?;
        let of = s.rows.as_ref().map_or(cat.rows.len(), |r| r.len()).max(1);
        Some(s.next * 100 / of)
    }

    pub fn is_searching(&self) -> bool {
        self.scan.is_some()
    }

    /// Rows per keystroke; fewer than [`SLICE`] for tests (0: [`SLICE`]).
    pub fn set_slice(&mut self, rows: usize) {
        self.slice = rows;
    }

    /// A slice also ends after `time` (checked every [`CLOCK_EVERY`] rows):
    /// the event loop asks for [`SLICE_TIME`]. Without it (tests) a slice is
    /// counted in rows only, the same on every machine.
    pub fn set_time_per_slice(&mut self, time: Option<std::time::Duration>) {
        self.time_per_slice = time;
    }
}

impl OccupationsTab {
    pub fn ctx(&self) -> Ctx {
        if self.detail.is_some() {
            Ctx::Occupation
        } else if self.filtering {
            Ctx::Filter
        } else {
            Ctx::Occupations
        }
    }

    /// The record under the cursor, by id, in the catalog `cat`.
    pub fn selected_id(&self, cat: &Catalog) -> Option<u64> {
        self.view.get(self.pos.cursor).and_then(|i| cat.rows.get(*i as usize)).map(|r| r.id())
    }

    pub fn clamp(&mut self, height: u16) {
        self.pos.clamp(self.view.len(), super::layout::list_rows(height));
        if let Some(d) = &mut self.detail {
            d.pos.clamp(d.record.loan_ids.len(), super::layout::occupation_loan_rows(height));
        }
    }

    /// Search terms resolved against categories, districts and funds.
    fn terms(sh: &Shared, funds: &FundList, query: &str) -> Vec<Term> {
        let q = thai::fold_for_search(query);
        q.split_whitespace()
            .map(|t| {
                let categories = sh
                    .categories
                    .iter()
                    .filter(|c| c.name_th.contains(t) || c.name_en.to_lowercase().contains(t))
                    .map(|c| c.code)
                    .collect();
                let districts = sh
                    .geo
                    .districts()
                    .iter()
                    .filter(|d| {
                        let c = u32::from(**d);
                        sh.geo.name(c, Lang::Th).contains(t)
                            || sh.geo.name(c, Lang::En).to_lowercase().contains(t)
                    })
                    .copied()
                    .collect();
                let mut hit = vec![true; funds.len()];
                funds.keep_holding(t, &mut hit);
                let mut funds: Vec<u64> =
                    funds.iter().zip(&hit).filter(|(_, h)| **h).map(|(r, _)| r.id).collect();
                funds.sort_unstable();
                Term {
                    text: t.to_string(),
                    narrow: crate::service::catalog::narrow::finder(t),
                    categories,
                    districts,
                    funds,
                }
            })
            .collect()
    }

    /// Recomputes the Occupations view from the catalog, keeping the selection.
    pub fn refresh(&mut self, sh: &Shared, funds: &FundList) {
        let keep = sh.catalog.read().ok().and_then(|cat| self.selected_id(&cat));
        self.refresh_keeping(sh, funds, keep);
    }

    /// As [`OccupationsTab::refresh`], selecting the record `keep` if it is shown.
    pub fn refresh_keeping(&mut self, sh: &Shared, funds: &FundList, keep: Option<u64>) {
        let began = Some(std::time::Instant::now());
        let terms = Self::terms(sh, funds, self.filter.as_str());
        self.narrowing.clear();
        self.start(sh, Scan { rows: None, next: 0, terms, keep, began });
    }

    /// Starts a search over the rows: the first slice now, the rest by
    /// [`OccupationsTab::go_on`].
    fn start(&mut self, sh: &Shared, scan: Scan) {
        self.view.clear();
        self.rows_looked_at = 0;
        self.pos.set(0, 0, sh.page());
        if let Ok(cat) = sh.catalog.read() {
            self.total = cat.live();
            self.seen_revision = cat.revision;
        }
        self.scan = Some(scan);
        self.go_on(sh);
    }

    /// Looks at the next slice of rows of a search in progress; true if there
    /// was one (the screen changed).
    pub fn go_on(&mut self, sh: &Shared) -> bool {
        let slice = if self.slice == 0 { SLICE } else { self.slice };
        self.look(sh, slice)
    }

    /// Ends a search in progress now: what a key that needs the whole list
    /// (a move, an export) waits for.
    pub fn settle(&mut self, sh: &Shared) {
        while self.look(sh, usize::MAX) {}
    }

    fn look(&mut self, sh: &Shared, slice: usize) -> bool {
        let Some(mut scan) = self.scan.take() else { return false };
        let lang = sh.lang;
        if scan.rows.is_none()
            && sh.catalog.read().is_ok_and(|c| c.cached_order(self.sort, lang).is_none())
            && let Ok(mut cat) = sh.catalog.write()
        {
            // The sort's order, once (other sessions read it too).
            cat.order(self.sort, lang, &|c| sh.geo.name(c, lang), &|c| sh.category_label(c));
        }
        let Ok(guard) = sh.catalog.read() else { return false };
        let sorted = guard.cached_order(self.sort, lang).is_some();
        if guard.revision != self.seen_revision || (scan.rows.is_none() && !sorted) {
            // The rows changed under the search: it starts again on them
            // (at the next slice, which sorts them first).
            self.view.clear();
            self.narrowing.clear();
            self.total = guard.live();
            self.seen_revision = guard.revision;
            self.scan = Some(Scan { rows: None, next: 0, began: None, ..scan });
            return true;
        }
        let cat: &Catalog = &guard;
        let (rows, desc): (&[u32], bool) = match &scan.rows {
            Some(rows) => (rows.as_slice(), false),
            None => (cat.cached_order(self.sort, lang).unwrap_or(&[]), self.desc),
        };
        let (select, access, terms) = (&self.select, sh.access, &scan.terms);
        let limit = scan.next.saturating_add(slice).min(rows.len());
        let began = scan.began.take().unwrap_or_else(std::time::Instant::now);
        let clock = self.time_per_slice.filter(|_| slice != usize::MAX).map(|t| (began, t));
        let mut end = scan.next;
        // Every live row, in the catalog's order: that order itself, no row
        // looked at.
        if scan.rows.is_none()
            && end == 0
            && !desc
            && terms.is_empty()
            && select.is_empty()
            && access.reads_all()
            && let Some(order) = cat.shared_order(self.sort, lang)
        {
            self.view = Shown::Shared(order);
            scan.next = rows.len();
            end = rows.len();
        }
        while end < limit {
            let stop = end.saturating_add(CLOCK_EVERY).min(limit);
            for n in end..stop {
                let i = if desc { rows[rows.len() - 1 - n] } else { rows[n] };
                let Some(r) = cat.rows.get(i as usize) else { continue };
                if select.matches(r)
                    && access.may_read_fund(r.fund_id(), r.district)
                    && terms.iter().all(|t| t.matches(r, cat))
                {
                    self.view.push(i);
                }
            }
            end = stop;
            if clock.is_some_and(|(started, time)| started.elapsed() >= time) {
                break;
            }
        }
        self.rows_looked_at = end - scan.next;
        scan.next = end;
        let page = sh.page();
        if end < rows.len() {
            self.pos.clamp(self.view.len(), page);
            self.scan = Some(scan);
        } else {
            let at = scan
                .keep
                .and_then(|id| cat.row_of(id))
                .and_then(|row| self.view.iter().position(|i| *i == row));
            self.pos.set(at.unwrap_or(0), self.view.len(), page);
        }
        true
    }

    /// One keystroke in the Occupations filter.
    fn filter_edit(&mut self, cx: &mut Cx<'_>, edit: TextEdit) {
        let before = self.filter.as_str().to_string();
        if !self.filter.apply(edit) {
            return;
        }
        let began = Some(std::time::Instant::now());
        let now = self.filter.as_str().to_string();
        // A search cut short by this keystroke leaves no view to narrow.
        let whole = self.scan.take().is_none();
        if let Some(i) = self.narrowing.iter().position(|(q, _)| *q == now) {
            // Back to a query typed before: its view is still at hand.
            self.narrowing.truncate(i + 1);
            self.view = Shown::Shared(Arc::clone(&self.narrowing[i].1));
            self.rows_looked_at = 0;
        } else if whole
            && now.starts_with(&before)
            && !before.trim().is_empty()
            && now.split_whitespace().count() == before.split_whitespace().count()
        {
            // One more letter of the same words: narrow what is shown.
            // Kept once for both (a copy of a nation's list took 10 ms).
            let shown = std::mem::take(&mut self.view).into_shared();
            self.narrowing.push((before, Arc::clone(&shown)));
            let terms = Self::terms(cx.sh, cx.funds, &now);
            self.start(cx.sh, Scan { rows: Some(shown), next: 0, terms, keep: None, began });
        } else {
            let terms = Self::terms(cx.sh, cx.funds, &now);
            self.start(cx.sh, Scan { rows: None, next: 0, terms, keep: None, began });
            self.narrowing.retain(|(q, _)| now.starts_with(q.as_str()));
        }
        let page = cx.sh.page();
        self.pos.set(0, self.view.len(), page);
    }

    /// Typing into the search line.
    pub fn filter_action(&mut self, cx: &mut Cx<'_>, action: Action) {
        match action {
            Action::Text(e) => self.filter_edit(cx, e),
            Action::Back => {
                self.filter.set("");
                self.filtering = false;
                self.refresh(cx.sh, cx.funds);
            }
            Action::Open => self.filtering = false,
            Action::Quit => cx.sh.quit = true,
            _ => {
                self.settle(cx.sh);
                let page = cx.sh.page();
                self.pos.navigate(action, self.view.len(), page);
            }
        }
    }

    /// The list, narrowed to a district and a stage or later (from the Overview).
    pub fn show(&mut self, cx: &mut Cx<'_>, district: u16, stage: Option<Stage>) {
        self.detail = None;
        self.select = OccFilter::default();
        self.select.district = Some(district);
        self.select.stage = stage;
        self.select.stage_or_later = stage.is_some();
        self.refresh(cx.sh, cx.funds);
    }

    /// The district's households with a sage (from the Overview).
    pub fn show_coached(&mut self, cx: &mut Cx<'_>, district: u16) {
        self.show(cx, district, None);
        self.coached_read = None;
        self.reload_coached(cx);
    }

    /// Reads again which households have a sage, when the list is narrowed
    /// to them (after any change to the store).
    pub fn reload_coached(&mut self, cx: &mut Cx<'_>) {
        let generation = cx.store.generation();
        if self.coached_read == Some(generation) && self.select.coached.is_some() {
            return;
        }
        self.coached_read = Some(generation);
        match cx.store.coached_households() {
            Ok(set) => self.select.coached = Some(std::sync::Arc::new(set)),
            Err(e) => return cx.sh.error(crate::service::messages::store(&e)),
        }
        self.refresh(cx.sh, cx.funds);
    }

    /// A pick of this tab came back.
    pub fn picked(&mut self, cx: &mut Cx<'_>, purpose: PickPurpose, value: u32, all: bool) {
        match purpose {
            PickPurpose::OccDistrict => self.select.district = (!all).then_some(value as u16),
            PickPurpose::OccCategory => self.select.category = (!all).then_some(value as u16),
            PickPurpose::OccFund => self.select.fund = (!all).then_some(u64::from(value)),
            PickPurpose::OccStage => {
                self.select.stage = (!all).then(|| Stage::ALL.get(value as usize).copied()).flatten();
                self.select.stage_or_later = false;
            }
            _ => return,
        }
        self.refresh(cx.sh, cx.funds);
    }

    pub fn action(&mut self, cx: &mut Cx<'_>, action: Action) {
        let store = cx.store;
        if self.detail.is_some() {
            return self.detail_action(cx, action);
        }
        // A key on the list sees the whole of it.
        self.settle(cx.sh);
        let page = cx.sh.page();
        if self.pos.navigate(action, self.view.len(), page) {
            return;
        }
        match action {
            Action::Open => {
                if let Some(key) = self.selected_key(cx.sh) {
                    self.open_detail(cx, store, &key);
                }
            }
            Action::Filter => self.filtering = true,
            Action::Export => super::export::open_form(cx.sh, "occupations"),
            Action::Back if !self.filter.is_empty() || !self.select.is_empty() => {
                self.filter.set("");
                self.select = OccFilter::default();
                self.refresh(cx.sh, cx.funds);
            }
            Action::SortNext => {
                self.sort = self.sort.next();
                self.desc = false;
                self.refresh(cx.sh, cx.funds);
                cx.sh
                    .info(Msg::with(k::SORTED_BY, [tr(cx.sh.lang, labels::occ_sort(self.sort)).to_string()]));
            }
            Action::SortReverse => {
                self.desc = !self.desc;
                self.refresh(cx.sh, cx.funds);
            }
            Action::PickDistrict => {
                let geo = &cx.sh.geo;
                let options = geo
                    .districts()
                    .iter()
                    .map(|d| {
                        let c = u32::from(*d);
                        Opt::new(
                            c,
                            format!("{d} {}", geo.name(c, Lang::Th)),
                            format!("{d} {}", geo.name(c, Lang::En)),
                        )
                    })
                    .collect();
                cx.sh.open_picker(
                    k::PICK_DISTRICT,
                    options,
                    self.select.district.map(u32::from),
                    PickPurpose::OccDistrict,
                )
            }
            Action::PickCategory => {
                let opts = cx.sh.category_options();
                cx.sh.open_picker(
                    k::PICK_CATEGORY,
                    opts,
                    self.select.category.map(u32::from),
                    PickPurpose::OccCategory,
                )
            }
            Action::PickStage => cx.sh.open_picker(
                k::PICK_STAGE,
                labels::options(&Stage::ALL, labels::stage),
                self.select.stage.and_then(|s| Stage::ALL.iter().position(|x| *x == s)).map(|i| i as u32),
                PickPurpose::OccStage,
            ),
            Action::PickFund => {
                let opts = cx
                    .funds
                    .iter()
                    .map(|r| {
                        let label = format!("{} {}", r.code, r.name);
                        Opt::new(r.id as u32, label.clone(), label)
                    })
                    .collect();
                cx.sh.open_picker(
                    k::PICK_FUND,
                    opts,
                    self.select.fund.map(|f| f as u32),
                    PickPurpose::OccFund,
                )
            }
            Action::New => occ_edit::open_form(cx, None, None),
            Action::Edit => {
                if let Some(key) = self.selected_key(cx.sh) {
                    match store.get_at::<OccupationRecord>(&key) {
                        Ok(Some(r)) => occ_edit::open_form(cx, Some(&r), None),
                        Ok(None) => cx.sh.error(k::ERR_GONE),
                        Err(e) => cx.sh.error(messages::store(&e)),
                    }
                }
            }
            Action::Delete => {
                if let Some(key) = self.selected_key(cx.sh) {
                    match store.get_at::<OccupationRecord>(&key) {
                        Ok(Some(r)) => occ_edit::confirm_delete(cx, &r),
                        Ok(None) => cx.sh.error(k::ERR_GONE),
                        Err(e) => cx.sh.error(messages::store(&e)),
                    }
                }
            }
            Action::NewCategory => {
                let fields =
                    vec![Field::text(k::FIELD_NAME_TH, "", None), Field::text(k::FIELD_NAME_EN, "", None)];
                cx.sh.form = Some(Form::new(FormKind::NewCategory, Msg::new(k::FORM_NEW_CATEGORY), fields));
            }
            _ => {}
        }
    }

    fn selected_key(&self, sh: &Shared) -> Option<Vec<u8>> {
        let i = *self.view.get(self.pos.cursor)?;
        sh.catalog.read().ok()?.rows.get(i as usize).map(|r| r.key())
    }

    pub fn open_detail(&mut self, cx: &mut Cx<'_>, store: &Store, key: &[u8]) {
        match store.get_at::<OccupationRecord>(key) {
            Ok(Some(record)) => {
                let member =
                    store.get_at::<Member>(&member_key(record.fund_id, record.member_id)).ok().flatten();
                self.detail =
                    Some(OccDetail { record, member, pos: ListPos::default(), assignments: Vec::new() });
                self.detail_assignments(store);
            }
            Ok(None) => cx.sh.error(k::ERR_GONE),
            Err(e) => cx.sh.error(messages::store(&e)),
        }
    }

    /// The open record, its member and its sages as they now stand.
    pub fn reload_detail(&mut self, _cx: &mut Cx<'_>, store: &Store) {
        let Some(d) = &mut self.detail else { return };
        let key = occupation_key(d.record.fund_id, d.record.member_id, d.record.id);
        match store.get_at::<OccupationRecord>(&key) {
            Ok(Some(r)) => {
                d.member = store.get_at::<Member>(&member_key(r.fund_id, r.member_id)).ok().flatten();
                d.record = r;
            }
            Ok(None) => self.detail = None,
            Err(_) => {}
        }
        self.detail_assignments(store);
    }

    /// The sages the household of the open record has had, oldest first.
    fn detail_assignments(&mut self, store: &Store) {
        if let Some(d) = &mut self.detail {
            let key = (d.record.fund_id, d.record.member_id, d.record.id);
            d.assignments = store.assignments_of(key).unwrap_or_default();
        }
    }

    fn detail_action(&mut self, cx: &mut Cx<'_>, action: Action) {
        let Some(d) = &mut self.detail else { return };
        let n = d.record.loan_ids.len();
        if d.pos.navigate(action, n, super::layout::occupation_loan_rows(cx.sh.size.1)) {
            return;
        }
        match action {
            Action::Back => {
                self.detail = None;
                if let Some(tab) = self.back_to.take() {
                    cx.effect(Effect::SwitchTab(tab));
                }
            }
            Action::Edit => {
                let (r, m) = (d.record.clone(), d.member.clone());
                occ_edit::open_form(cx, Some(&r), m.as_ref());
            }
            Action::Delete => {
                let r = d.record.clone();
                occ_edit::confirm_delete(cx, &r);
            }
            Action::Suggest => cx.effect(Effect::Suggest(Box::new(d.record.clone()))),
            Action::SetStatus => {
                let r = d.record.clone();
                occ_edit::open_stage_form(cx, &r);
            }
            _ => {}
        }
    }

    /// The list as it is on screen, for `x`.
    pub fn list_table(&self, sh: &Shared) -> Option<(Vec<String>, Vec<Vec<Cell>>)> {
        if self.detail.is_some() {
            return None;
        }
        let lang = sh.lang;
        let t = |key| tr(lang, key).to_string();
        let cat = sh.catalog.read().ok()?;
        Some((
            [
                k::COL_MEMBER,
                k::COL_DISTRICT,
                k::COL_CATEGORY,
                k::COL_YEAR,
                k::COL_INCOME_BEFORE,
                k::COL_INCOME_AFTER,
                k::COL_STAGE,
                k::COL_STATUS,
            ]
            .map(t)
            .to_vec(),
            self.view
                .iter()
                .filter_map(|i| cat.rows.get(*i as usize))
                .map(|r| {
                    let money_of = cat.figures(r);
                    vec![
                        text(cat.name(r)),
                        text(sh.geo.name(u32::from(r.district), lang)),
                        text(sh.category_label(r.category)),
                        Cell::Number(f64::from(thai::be_year(r.start_year()))),
                        money(money_of.income_before),
                        money(money_of.income_after),
                        text(t(labels::stage(r.stage))),
                        text(t(labels::occupation_status(r.status))),
                    ]
                })
                .collect(),
        ))
    }

    /// The forms of this tab (a new category).
    pub fn submit(&mut self, cx: &mut Cx<'_>, kind: FormKind) {
        if kind != FormKind::NewCategory {
            return;
        }
        let store = cx.store;
        let Some(form) = &mut cx.sh.form else { return };
        let th = form.fields.first().map(|f| f.text_value().to_string()).unwrap_or_default();
        let en = form.fields.get(1).map(|f| f.text_value().to_string()).unwrap_or_default();
        if let Err(d) = cx.sh.access.may_change(None) {
            form.error = Some(messages::denied(&d));
            return;
        }
        match store.add_category(&cx.sh.officer, &th, &en) {
            Ok(c) => {
                cx.sh.form = None;
                cx.sh.info(Msg::with(k::CATEGORY_ADDED, [c.name(cx.sh.lang).to_string()]));
            }
            Err(AddCategoryError::NameRequired) => form.set_error(0, Msg::new(k::ERR_REQUIRED)),
            Err(AddCategoryError::Exists) => form.set_error(0, Msg::new(k::ERR_CATEGORY_EXISTS)),
            Err(AddCategoryError::Store(e)) => form.error = Some(messages::store(&e)),
        }
    }
}
