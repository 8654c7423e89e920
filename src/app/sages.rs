//! The Sages tab (ปราชญ์): the registry of community livelihood sages with
//! their load; a sage's households and visit log; suggestions of sages for one
//! household (from an occupation record or the ranking) assigned with one key;
//! and a plan for every selected household of a district or the province.

use std::{collections::HashMap, sync::Arc};

use super::overlay::{HouseholdRef, Suggestions};
pub use super::sage_row::SageRow;
use super::{
    action::{Action, Ctx, Pending, PickPurpose},
    cx::Cx,
    export::text,
    form::{Field, Form, FormKind, Opt},
    fund_row::{FundLookup, FundRow},
    layout,
    list::ListPos,
    overlay::Overlay,
    shared::Shared,
    text::TextInput,
};
use crate::service::{labels, messages};
use crate::{
    domain::{
        Lang,
        fund::Gazetteer,
        occupation::{OccupationCategory, OccupationRecord, OccupationStatus, Stage},
        sage::{
            self, Assignment, AssignmentStatus, Candidate, Fit, Household, Sage, SageDraft, SageField,
            SageStatus, Uncovered, VisitDraft, VisitField,
        },
        thai,
    },
    i18n::{Msg, k, tr},
    store::{SaveError, Store, assignment_key, occupation_key},
};

/// An assignment on a sage's detail, with what the screen shows of its household.
#[derive(Clone, Debug)]
pub struct AssignmentRow {
    pub assignment: Assignment,
    pub category: Option<u16>,
}

#[derive(Clone, Debug)]
pub struct SageDetail {
    pub sage_id: u64,
    pub assignments: Vec<AssignmentRow>,
    pub pos: ListPos,
}

/// Why a plan line has no sage.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LineGap {
    Uncovered(Uncovered),
    Dropped,
}

#[derive(Clone, Debug)]
pub struct PlanLine {
    pub household: HouseholdRef,
    pub sage: Result<(u64, Fit), LineGap>,
}

/// A proposed plan, shown for the officer to accept, edit or discard.
#[derive(Clone, Debug)]
pub struct PlanView {
    pub district: Option<u16>,
    pub lines: Vec<PlanLine>,
    pub pos: ListPos,
}

impl PlanView {
    pub fn covered(&self) -> usize {
        self.lines.iter().filter(|l| l.sage.is_ok()).count()
    }

    /// Households each sage takes in the plan.
    fn taken(&self) -> HashMap<u64, u32> {
        let mut m = HashMap::new();
        for l in &self.lines {
            if let Ok((s, _)) = l.sage {
                *m.entry(s).or_insert(0) += 1;
            }
        }
        m
    }
}

#[derive(Default)]
pub struct SagesTab {
    /// Every sage, by district, then name in Thai order (shared with the
    /// other sessions that read every sage).
    pub rows: Arc<Vec<SageRow>>,
    /// Indexes into `rows`: what the list shows.
    pub view: Vec<usize>,
    pub pos: ListPos,
    pub filter: TextInput,
    pub filtering: bool,
    pub district: Option<u16>,
    pub expertise: Option<u16>,
    pub detail: Option<SageDetail>,
    pub plan: Option<PlanView>,
}

impl SagesTab {
    pub fn selected(&self) -> Option<&SageRow> {
        self.view.get(self.pos.cursor).and_then(|i| self.rows.get(*i))
    }

    pub fn by_id(&self, id: u64) -> Option<&SageRow> {
        self.rows.iter().find(|r| r.sage.id == id)
    }

    /// The active sages as a plan's candidates, with the places they have taken now.
    pub fn candidates(&self) -> Vec<Candidate> {
        self.rows.iter().filter(|r| r.sage.status == SageStatus::Active).map(SageRow::candidate).collect()
    }
}

const SAGE_FIELDS: [SageField; 9] = [
    SageField::Title,
    SageField::GivenName,
    SageField::FamilyName,
    SageField::NationalId,
    SageField::Phone,
    SageField::HomeVillage,
    SageField::Expertise,
    SageField::Capacity,
    SageField::Status,
];

const VISIT_FIELDS: [VisitField; 3] = [VisitField::Date, VisitField::Notes, VisitField::NextStep];

impl SagesTab {
    pub fn ctx(&self) -> Ctx {
        if self.plan.is_some() {
            Ctx::Plan
        } else if self.detail.is_some() {
            Ctx::Sage
        } else if self.filtering {
            Ctx::Filter
        } else {
            Ctx::Sages
        }
    }

    /// A confirmation of this tab said yes.
    pub fn confirmed(&mut self, cx: &mut Cx<'_>, then: Pending) {
        let store = cx.store;
        match then {
            Pending::DeleteSage { id, version } => self.delete_sage(cx, store, id, version),
            Pending::DiscardPlan => self.plan = None,
            Pending::Reassign { household, from, to } => self.reassign(cx, store, household, from, to),
            _ => {}
        }
    }

    /// The forms of this tab (a sage, a visit).
    pub fn submit(&mut self, cx: &mut Cx<'_>, kind: FormKind) {
        let store = cx.store;
        match kind {
            FormKind::NewSage | FormKind::EditSage { .. } => self.submit_sage(cx, store),
            FormKind::Visit { .. } => self.submit_visit(cx, store),
            _ => {}
        }
    }

    /// The list as it is on screen, for `x`.
    pub fn list_table(&self, sh: &Shared) -> Option<(Vec<String>, Vec<Vec<crate::io::table::Cell>>)> {
        if self.detail.is_some() || self.plan.is_some() {
            return None;
        }
        let lang = sh.lang;
        let t = |key| tr(lang, key).to_string();
        Some((
            [
                k::COL_SAGE,
                k::FIELD_NATIONAL_ID,
                k::FIELD_PHONE,
                k::COL_HOME_VILLAGE,
                k::COL_EXPERTISE,
                k::COL_LOAD,
            ]
            .map(t)
            .to_vec(),
            self.view
                .iter()
                .filter_map(|i| self.rows.get(*i))
                .map(|r| {
                    vec![
                        text(r.sage.full_name()),
                        text(r.sage.national_id.to_string()),
                        text(r.sage.phone.clone()),
                        text(sh.geo.name(r.sage.home_village, lang)),
                        text(expertise_label(sh, &r.sage.expertise)),
                        text(format!("{}/{}", r.load, r.sage.capacity)),
                    ]
                })
                .collect(),
        ))
    }

    // ------------------------------------------------------------ loading

    /// Reads every sage and their loads again, keeping the selection.
    pub fn load(&mut self, cx: &mut Cx<'_>, store: &Store) {
        let keep = self.selected().map(|r| r.sage.id);
        // A committee reads its own district's sages only; a fund committee,
        // only the sages of its own fund's households.
        let own = cx.sh.access.reads_only_district();
        let coaches = match cx.sh.access.reads_only_fund().map(|f| store.sages_of_fund(f)) {
            None => None,
            Some(Ok(ids)) => Some(ids),
            Some(Err(e)) => return cx.sh.error(messages::store(&e)),
        };
        let sh: &Shared = cx.sh;
        // Everyone else reads the same list: one copy for all sessions, read
        // with the places and categories as they stand after its key.
        let rows = if own.is_none() && coaches.is_none() {
            every_sage(&sh.common, store)
        } else {
            sage_rows(&sh.geo, &sh.categories, store, own, coaches.as_ref()).map(Arc::new)
        };
        match rows {
            Ok(rows) => self.rows = rows,
            Err(e) => return cx.sh.error(messages::store(&e)),
        }
        self.refilter(cx.sh, keep);
        if let Some(d) = &self.detail {
            let id = d.sage_id;
            self.open_sage(cx, store, id);
        }
    }

    /// Applies the search and the district and expertise filters.
    pub fn refilter(&mut self, sh: &Shared, keep: Option<u64>) {
        let q = thai::fold_for_search(self.filter.as_str());
        let t = &*self;
        let view: Vec<usize> = (0..t.rows.len())
            .filter(|i| {
                let r = &t.rows[*i];
                t.district.is_none_or(|d| r.sage.district() == d)
                    && t.expertise.is_none_or(|c| r.sage.expertise.contains(&c))
                    && q.split_whitespace().all(|w| r.search.contains(w))
            })
            .collect();
        let at = keep.and_then(|id| view.iter().position(|i| t.rows[*i].sage.id == id)).unwrap_or(0);
        let page = sh.page();
        self.view = view;
        let n = self.view.len();
        self.pos.set(at, n, page);
    }

    // ------------------------------------------------------------ keys

    pub fn action(&mut self, cx: &mut Cx<'_>, action: Action) {
        let store = cx.store;
        if self.plan.is_some() {
            return self.plan_action(cx, action, store);
        }
        if self.detail.is_some() {
            return self.sage_detail_action(cx, action);
        }
        let page = cx.sh.page();
        if self.pos.navigate(action, self.view.len(), page) {
            return;
        }
        match action {
            Action::Open => {
                if let Some(id) = self.selected().map(|r| r.sage.id) {
                    self.open_sage(cx, store, id);
                }
            }
            Action::Filter => self.filtering = true,
            Action::Export => super::export::open_form(cx.sh, "sages"),
            Action::Back => {
                let keep = self.selected().map(|r| r.sage.id);
                self.filter.set("");
                self.district = None;
                self.expertise = None;
                self.refilter(cx.sh, keep);
            }
            Action::PickDistrict => {
                let options = self.district_options(cx);
                let current = self.district.map(u32::from);
                cx.sh.open_picker(k::PICK_DISTRICT, options, current, PickPurpose::SageDistrict);
            }
            Action::PickCategory => {
                let options = cx.sh.category_options();
                let current = self.expertise.map(u32::from);
                cx.sh.open_picker(k::PICK_EXPERTISE, options, current, PickPurpose::SageExpertise);
            }
            Action::New => self.open_sage_form(cx, None),
            Action::Edit => {
                if let Some(r) = self.selected() {
                    let (s, load) = (r.sage.clone(), r.load);
                    self.open_sage_form(cx, Some((&s, load)));
                }
            }
            Action::Delete => {
                if let Some(r) = self.selected() {
                    let msg = Msg::with(k::CONFIRM_DELETE_SAGE, [r.sage.full_name()]);
                    let then = Pending::DeleteSage { id: r.sage.id, version: r.sage.version };
                    cx.sh.overlay = Some(Overlay::Confirm { msg, then });
                }
            }
            Action::Plan => {
                let mut options = self.district_options(cx);
                let whole = cx.sh.geo.whole();
                options.insert(0, Opt::new(u32::MAX, tr(Lang::Th, whole), tr(Lang::En, whole)));
                cx.sh.open_choice(k::PICK_PLAN_SCOPE, options, None, PickPurpose::PlanScope);
            }
            _ => {}
        }
    }

    fn district_options(&self, cx: &Cx<'_>) -> Vec<Opt> {
        cx.sh
            .geo
            .districts()
            .iter()
            .map(|d| {
                let c = u32::from(*d);
                Opt::new(c, cx.sh.geo.name(c, Lang::Th), cx.sh.geo.name(c, Lang::En))
            })
            .collect()
    }

    /// A pick of the Sages tab came back.
    pub fn picked(&mut self, cx: &mut Cx<'_>, purpose: PickPurpose, value: u32, all: bool) {
        let store = cx.store;
        let keep = self.selected().map(|r| r.sage.id);
        match purpose {
            PickPurpose::SageDistrict => self.district = (!all).then_some(value as u16),
            PickPurpose::SageExpertise => self.expertise = (!all).then_some(value as u16),
            PickPurpose::PlanScope => return self.make_plan(cx, store, (!all).then_some(value as u16)),
            PickPurpose::AssignmentStatus => {
                if let Some(s) = AssignmentStatus::ALL.get(value as usize) {
                    self.set_assignment_status(cx, store, *s);
                }
                return;
            }
            _ => return,
        }
        self.refilter(cx.sh, keep);
    }

    /// Typing into the sage search.
    pub fn filter_action(&mut self, cx: &mut Cx<'_>, action: Action) {
        let keep = self.selected().map(|r| r.sage.id);
        match action {
            Action::Text(e) => {
                if self.filter.apply(e) {
                    self.refilter(cx.sh, keep);
                }
            }
            Action::Back => {
                self.filter.set("");
                self.filtering = false;
                self.refilter(cx.sh, keep);
            }
            Action::Open => self.filtering = false,
            Action::Quit => cx.sh.quit = true,
            _ => {
                let page = cx.sh.page();
                self.pos.navigate(action, self.view.len(), page);
            }
        }
    }

    // ------------------------------------------------------------ one sage

    pub fn open_sage(&mut self, cx: &mut Cx<'_>, store: &Store, id: u64) {
        let found = match store.get::<Sage>(id) {
            Ok(Some(_)) => store.assignments_of_sage(id),
            Ok(None) => {
                self.detail = None;
                return cx.sh.error(k::ERR_GONE);
            }
            Err(e) => Err(e),
        };
        let list = match found {
            Ok(l) => l,
            Err(e) => return cx.sh.error(messages::store(&e)),
        };
        // Current ones first (planned, active), then the rest, newest first.
        let mut rows: Vec<AssignmentRow> = list
            .into_iter()
            .map(|a| {
                let (f, m, o) = a.occupation;
                let category = store
                    .get_at::<OccupationRecord>(&occupation_key(f, m, o))
                    .ok()
                    .flatten()
                    .map(|r| r.category);
                AssignmentRow { assignment: a, category }
            })
            .collect();
        rows.sort_by(|a, b| {
            let (x, y) = (&a.assignment, &b.assignment);
            (!x.status.takes_a_place(), std::cmp::Reverse(x.start), x.id).cmp(&(
                !y.status.takes_a_place(),
                std::cmp::Reverse(y.start),
                y.id,
            ))
        });
        let pos = match &self.detail {
            Some(d) if d.sage_id == id => d.pos,
            _ => ListPos::default(),
        };
        let mut detail = SageDetail { sage_id: id, assignments: rows, pos };
        let n = detail.assignments.len();
        detail.pos.clamp(n, layout::sage_assignment_rows(cx.sh.size.1));
        self.detail = Some(detail);
    }

    fn sage_detail_action(&mut self, cx: &mut Cx<'_>, action: Action) {
        let page = layout::sage_assignment_rows(cx.sh.size.1);
        let Some(d) = &mut self.detail else { return };
        if d.pos.navigate(action, d.assignments.len(), page) {
            return;
        }
        let selected = d.assignments.get(d.pos.cursor).map(|r| r.assignment.clone());
        let sage_id = d.sage_id;
        match action {
            Action::Back => self.detail = None,
            Action::Edit => {
                if let Some(r) = self.by_id(sage_id) {
                    let (s, load) = (r.sage.clone(), r.load);
                    self.open_sage_form(cx, Some((&s, load)));
                }
            }
            Action::Visit => match selected {
                Some(a) => self.open_visit_form(cx, &a),
                None => cx.sh.info(k::NO_ASSIGNMENT),
            },
            Action::SetStatus => match selected {
                Some(a) => {
                    let options = labels::options(&AssignmentStatus::ALL, labels::assignment_status);
                    let at = AssignmentStatus::ALL.iter().position(|s| *s == a.status).map(|i| i as u32);
                    cx.sh.open_choice(k::PICK_ASSIGNMENT_STATUS, options, at, PickPurpose::AssignmentStatus);
                }
                None => cx.sh.info(k::NO_ASSIGNMENT),
            },
            _ => {}
        }
    }

    /// The assignment under the cursor of the sage's detail.
    fn selected_assignment(&self) -> Option<&Assignment> {
        let d = self.detail.as_ref()?;
        d.assignments.get(d.pos.cursor).map(|r| &r.assignment)
    }

    fn set_assignment_status(&mut self, cx: &mut Cx<'_>, store: &Store, status: AssignmentStatus) {
        let Some(a) = self.selected_assignment().cloned() else { return };
        if a.status == status {
            return;
        }
        let mut next = a.clone();
        next.status = status;
        next.end = (!status.takes_a_place()).then_some(cx.sh.today);
        let msg = Msg::with(
            k::ASSIGNMENT_STATUS_SET,
            [a.household.clone(), tr(cx.sh.lang, labels::assignment_status(status)).to_string()],
        );
        self.save_assignment(cx, store, next, msg);
    }

    /// Saves an assignment changed on screen (status, visit), with undo.
    fn save_assignment(&mut self, cx: &mut Cx<'_>, store: &Store, after: Assignment, msg: Msg) {
        match store.save(cx.sh.who(), &after) {
            Ok(_) => {
                cx.sh.form = None;
                cx.sh.info(msg);
                self.assignments_changed(cx, store);
            }
            Err(e) => {
                let msg = Self::assignment_error(store, &e);
                if cx.sh.form.is_some() {
                    cx.sh.form_error(msg);
                } else {
                    cx.sh.error(msg);
                }
            }
        }
    }

    /// The sages' loads and the sage's detail after assignments change (the
    /// household's detail on the Occupations tab follows after the action).
    fn assignments_changed(&mut self, cx: &mut Cx<'_>, store: &Store) {
        self.load(cx, store);
    }

    /// What to tell the officer when an assignment is refused.
    fn assignment_error(store: &Store, e: &SaveError) -> Msg {
        match e {
            SaveError::Full { capacity } => Msg::with(k::ERR_SAGE_FULL, [capacity.to_string()]),
            SaveError::Duplicate { index, other } if *index == crate::store::trees::ACTIVE_BY_OCC => {
                let who = other
                    .get(..8)
                    .and_then(crate::store::id_of)
                    .and_then(|id| store.get::<Sage>(id).ok().flatten())
                    .map_or_else(String::new, |s| s.full_name());
                Msg::with(k::ERR_HOUSEHOLD_HAS_SAGE, [who])
            }
            e => messages::save(e),
        }
    }

    // ------------------------------------------------------------ suggestions

    /// Sages for the household of an occupation record, best first.
    pub fn open_suggestions(&mut self, cx: &mut Cx<'_>, store: &Store, record: &OccupationRecord) {
        if record.status != OccupationStatus::Active {
            return cx.sh.error(k::ERR_OCCUPATION_STOPPED);
        }
        let household = household_of(cx.funds, record);
        let current = match store.assignments_of(household.key) {
            Ok(list) => list.iter().find(|a| a.status.takes_a_place()).map(|a| a.sage_id),
            Err(e) => return cx.sh.error(messages::store(&e)),
        };
        self.show_suggestions(cx, household, None, current, &HashMap::new());
    }

    /// `extra`: places a plan takes on top of the stored loads.
    fn show_suggestions(
        &mut self,
        cx: &mut Cx<'_>,
        household: HouseholdRef,
        plan_line: Option<usize>,
        current: Option<u64>,
        extra: &HashMap<u64, u32>,
    ) {
        let candidates: Vec<Candidate> = self
            .candidates()
            .into_iter()
            .map(|mut c| {
                c.load += extra.get(&c.sage).copied().unwrap_or(0);
                c
            })
            .collect();
        if candidates.is_empty() {
            return cx.sh.error(k::ERR_NO_SAGES);
        }
        let rows: Vec<(u64, Fit, u32, u32)> = sage::suggest(&candidates, &household.household())
            .into_iter()
            .map(|(c, f)| (c.sage, f, c.load, c.capacity))
            .collect();
        // The cursor starts on the best sage who can take the household.
        let mut pos = ListPos::default();
        let first_free = rows.iter().position(|r| r.2 < r.3).unwrap_or(0);
        pos.set(first_free, rows.len(), layout::suggestion_rows(cx.sh.size.1));
        cx.sh.overlay =
            Some(Overlay::Suggest(Box::new(Suggestions { household, rows, pos, plan_line, current })));
    }

    pub fn suggest_action(&mut self, cx: &mut Cx<'_>, action: Action) {
        let store = cx.store;
        let page = layout::suggestion_rows(cx.sh.size.1);
        let Some(Overlay::Suggest(s)) = &mut cx.sh.overlay else { return };
        if s.pos.navigate(action, s.rows.len(), page) {
            return;
        }
        match action {
            Action::Back => cx.sh.overlay = None,
            Action::Quit => cx.sh.quit = true,
            Action::Open => {
                let Some(&(sage_id, fit, load, capacity)) = s.rows.get(s.pos.cursor) else { return };
                if load >= capacity {
                    return cx.sh.error(Msg::with(k::ERR_SAGE_FULL, [capacity.to_string()]));
                }
                if s.current == Some(sage_id) {
                    return cx.sh.info(k::ALREADY_THIS_SAGE);
                }
                let (household, line) = (s.household.clone(), s.plan_line);
                if let (Some(from), None) = (s.current, line) {
                    // Moving the household: ask, naming both sages.
                    let msg = Msg::with(
                        k::CONFIRM_REASSIGN,
                        [household.name.clone(), self.sage_name(from), self.sage_name(sage_id)],
                    );
                    let then = Pending::Reassign { household: household.key, from, to: sage_id };
                    cx.sh.overlay = Some(Overlay::Confirm { msg, then });
                    return;
                }
                cx.sh.overlay = None;
                match line {
                    Some(i) => {
                        if let Some(l) = self.plan.as_mut().and_then(|p| p.lines.get_mut(i)) {
                            l.sage = Ok((sage_id, fit));
                        }
                    }
                    None => self.assign(cx, store, &household, sage_id),
                }
            }
            _ => {}
        }
    }

    fn new_assignment(today: crate::domain::Date, household: &HouseholdRef, sage_id: u64) -> Assignment {
        Assignment {
            id: 0,
            version: 0,
            sage_id,
            occupation: household.key,
            household: household.name.clone(),
            district: (household.village / 10_000) as u16,
            start: today,
            end: None,
            status: AssignmentStatus::Planned,
            visits: Vec::new(),
        }
    }

    /// One sage for one household, now.
    fn assign(&mut self, cx: &mut Cx<'_>, store: &Store, household: &HouseholdRef, sage_id: u64) {
        let a = Self::new_assignment(cx.sh.today, household, sage_id);
        match store.save(cx.sh.who(), &a) {
            Ok(_) => {
                let name = self.by_id(sage_id).map(|r| r.sage.full_name()).unwrap_or_default();
                cx.sh.info(Msg::with(k::ASSIGNED, [name, household.name.clone()]));
                self.assignments_changed(cx, store);
            }
            Err(e) => {
                let msg = Self::assignment_error(store, &e);
                cx.sh.error(msg);
            }
        }
    }

    /// Moves a household from one sage to another: the old coaching is
    /// cancelled and the new one planned; one undo takes both back.
    fn reassign(&mut self, cx: &mut Cx<'_>, store: &Store, key: (u64, u64, u64), from: u64, to: u64) {
        let record = match store.get_at::<OccupationRecord>(&occupation_key(key.0, key.1, key.2)) {
            Ok(Some(r)) => r,
            Ok(None) => return cx.sh.error(k::ERR_GONE),
            Err(e) => return cx.sh.error(messages::store(&e)),
        };
        let household = household_of(cx.funds, &record);
        let old = match store.assignments_of(key) {
            Ok(list) => list.into_iter().find(|a| a.status.takes_a_place() && a.sage_id == from),
            Err(e) => return cx.sh.error(messages::store(&e)),
        };
        let Some(old) = old else { return self.assign(cx, store, &household, to) };
        let mut cancelled = old.clone();
        cancelled.status = AssignmentStatus::Cancelled;
        cancelled.end = Some(cx.sh.today);
        let first = match store.save(cx.sh.who(), &cancelled) {
            Ok(c) => c,
            Err(e) => {
                let msg = Self::assignment_error(store, &e);
                return cx.sh.error(msg);
            }
        };
        match store.save(cx.sh.who(), &Self::new_assignment(cx.sh.today, &household, to)) {
            Ok(_) => {
                cx.sh.info(Msg::with(k::ASSIGNED, [self.sage_name(to), household.name.clone()]));
            }
            Err(e) => {
                // Put the old coaching back as it was.
                let msg = Self::assignment_error(store, &e);
                let mut back = old;
                back.version = first.version;
                if let Err(e2) = store.save(cx.sh.who(), &back) {
                    self.assignments_changed(cx, store);
                    return cx.sh.error(messages::save(&e2));
                }
                cx.sh.error(msg);
            }
        }
        self.assignments_changed(cx, store);
    }

    // ------------------------------------------------------------ a plan

    /// Proposes sages for every selected household of a district (or the
    /// province) that has none yet.
    fn make_plan(&mut self, cx: &mut Cx<'_>, store: &Store, district: Option<u16>) {
        let taken = match store.coached_households() {
            Ok(t) => t,
            Err(e) => return cx.sh.error(messages::store(&e)),
        };
        let households: Vec<HouseholdRef> = {
            let Ok(cat) = cx.sh.catalog.read() else { return };
            cat.rows
                .iter()
                .filter(|r| {
                    !r.deleted
                        && r.stage == Stage::Coached
                        && r.status == OccupationStatus::Active
                        && district.is_none_or(|d| r.district == d)
                        && !taken.contains(&(r.fund_id(), r.member_id(), r.id()))
                })
                .map(|r| HouseholdRef {
                    key: (r.fund_id(), r.member_id(), r.id()),
                    name: cat.name(r).to_string(),
                    category: r.category,
                    village: 0,
                })
                .collect()
        };
        let villages = cx.funds.villages();
        let households: Vec<HouseholdRef> = households
            .into_iter()
            .map(|mut h| {
                h.village = villages.get(&h.key.0).copied().unwrap_or(0);
                h
            })
            .collect();
        if households.is_empty() {
            return cx.sh.info(k::PLAN_NOBODY);
        }
        let candidates = self.candidates();
        let hs: Vec<Household> = households.iter().map(HouseholdRef::household).collect();
        let plan = sage::plan(&hs, &candidates);
        let mut lines: Vec<PlanLine> = households
            .into_iter()
            .map(|h| PlanLine { household: h, sage: Err(LineGap::Uncovered(Uncovered::NotEnoughPlaces)) })
            .collect();
        for (i, s, f) in &plan.matches {
            if let Some(l) = lines.get_mut(*i) {
                l.sage = Ok((*s, *f));
            }
        }
        for (i, why) in &plan.uncovered {
            if let Some(l) = lines.get_mut(*i) {
                l.sage = Err(LineGap::Uncovered(*why));
            }
        }
        // Covered first, then by name.
        lines.sort_by_cached_key(|l| (l.sage.is_err(), thai::sort_key(&l.household.name)));
        self.detail = None;
        self.plan = Some(PlanView { district, lines, pos: ListPos::default() });
    }

    fn plan_action(&mut self, cx: &mut Cx<'_>, action: Action, store: &Store) {
        let page = layout::plan_rows(cx.sh.size.1);
        let Some(p) = &mut self.plan else { return };
        if p.pos.navigate(action, p.lines.len(), page) {
            return;
        }
        let cursor = p.pos.cursor;
        match action {
            Action::Back => {
                cx.sh.overlay = Some(Overlay::Confirm {
                    msg: Msg::new(k::CONFIRM_DISCARD_PLAN),
                    then: Pending::DiscardPlan,
                })
            }
            Action::Delete => {
                if let Some(l) = p.lines.get_mut(cursor) {
                    l.sage = Err(LineGap::Dropped);
                }
            }
            Action::Open | Action::Edit => {
                let Some(line) = p.lines.get(cursor) else { return };
                let household = line.household.clone();
                let mut extra = p.taken();
                if let Ok((s, _)) = line.sage
                    && let Some(n) = extra.get_mut(&s)
                {
                    *n -= 1;
                }
                self.show_suggestions(cx, household, Some(cursor), None, &extra);
            }
            Action::Accept => self.accept_plan(cx, store),
            _ => {}
        }
    }

    /// Saves every line of the plan that has a sage; one undo takes them all back.
    fn accept_plan(&mut self, cx: &mut Cx<'_>, store: &Store) {
        let Some(p) = self.plan.take() else { return };
        let lines: Vec<&PlanLine> = p.lines.iter().filter(|l| l.sage.is_ok()).collect();
        let new: Vec<Assignment> = lines
            .iter()
            .filter_map(|l| l.sage.ok().map(|(s, _)| Self::new_assignment(cx.sh.today, &l.household, s)))
            .collect();
        let mut done = Vec::new();
        let mut refused = Vec::new();
        for (l, result) in lines.iter().zip(store.save_each(cx.sh.who(), &new)) {
            match result {
                Ok(saved) => done.push(saved.id),
                Err(e) => refused.push((l.household.name.clone(), Self::assignment_error(store, &e))),
            }
        }
        let n = done.len();
        self.assignments_changed(cx, store);
        match refused.first() {
            None => cx.sh.info(Msg::with(k::PLAN_ACCEPTED, [n.to_string()])),
            Some((who, why)) => cx.sh.error(Msg::with(
                k::PLAN_ACCEPTED_REFUSED,
                [
                    crate::i18n::Arg::Text(n.to_string()),
                    crate::i18n::Arg::Text(refused.len().to_string()),
                    crate::i18n::Arg::Text(who.clone()),
                    why.clone().into(),
                ],
            )),
        }
    }

    // ------------------------------------------------------------ forms

    fn open_sage_form(&mut self, cx: &mut Cx<'_>, sage: Option<(&Sage, u32)>) {
        let (kind, title) = match sage {
            Some((s, _)) => (
                FormKind::EditSage { id: s.id, version: s.version },
                Msg::with(k::FORM_EDIT_SAGE, [s.full_name()]),
            ),
            None => (FormKind::NewSage, Msg::new(k::FORM_NEW_SAGE)),
        };
        let s = sage.map(|(s, _)| s);
        let text = |f: fn(&Sage) -> String| s.map(f).unwrap_or_default();
        let status_at = s.map_or(0, |s| SageStatus::ALL.iter().position(|x| *x == s.status).unwrap_or(0));
        let fields = vec![
            Field::text(k::FIELD_TITLE, text(|s| s.title.clone()), None),
            Field::text(k::FIELD_GIVEN_NAME, text(|s| s.given_name.clone()), None),
            Field::text(k::FIELD_FAMILY_NAME, text(|s| s.family_name.clone()), None),
            Field::text(
                k::FIELD_NATIONAL_ID,
                s.map(|s| s.national_id.grouped()).unwrap_or_default(),
                Some(k::HINT_NATIONAL_ID),
            ),
            Field::text(k::FIELD_PHONE, text(|s| s.phone.clone()), None),
            Field::text(
                k::FIELD_HOME_VILLAGE,
                s.map(|s| s.home_village.to_string()).unwrap_or_default(),
                Some(k::HINT_VILLAGE),
            ),
            Field::text(
                k::FIELD_EXPERTISE,
                s.map(|s| expertise_label(cx.sh, &s.expertise)).unwrap_or_default(),
                Some(k::HINT_EXPERTISE),
            ),
            Field::text(
                k::FIELD_CAPACITY,
                s.map_or_else(|| "5".to_string(), |s| s.capacity.to_string()),
                Some(k::HINT_CAPACITY),
            ),
            Field::choice(
                k::FIELD_SAGE_STATUS,
                labels::options(&SageStatus::ALL, labels::sage_status),
                status_at as u32,
            ),
        ];
        cx.sh.form = Some(Form::new(kind, title, fields));
    }

    /// Occupation categories named in `text`, by code or by (part of) their
    /// name in either language, separated by commas.
    pub fn parse_expertise(sh: &Shared, text: &str) -> Result<Vec<u16>, String> {
        let mut out = Vec::new();
        for part in text.split([',', '、']).map(str::trim).filter(|p| !p.is_empty()) {
            let folded = thai::fold_for_search(part);
            let by_code = thai::parse_int(part)
                .and_then(|n| u16::try_from(n).ok())
                .filter(|c| sh.categories.iter().any(|x| x.code == *c));
            let exact = sh.categories.iter().find(|c| {
                thai::fold_for_search(&c.name_th) == folded || thai::fold_for_search(&c.name_en) == folded
            });
            let partial: Vec<u16> = sh
                .categories
                .iter()
                .filter(|c| {
                    thai::fold_for_search(&c.name_th).contains(&folded)
                        || thai::fold_for_search(&c.name_en).contains(&folded)
                })
                .map(|c| c.code)
                .collect();
            match (by_code, exact, partial.as_slice()) {
                (Some(c), _, _) => out.push(c),
                (None, Some(c), _) => out.push(c.code),
                (None, None, [only]) => out.push(*only),
                _ => return Err(part.to_string()),
            }
        }
        Ok(out)
    }

    fn submit_sage(&mut self, cx: &mut Cx<'_>, store: &Store) {
        let Some(form) = &cx.sh.form else { return };
        let kind = form.kind;
        let t = |i: usize| form.fields.get(i).map(|f| f.text_value().to_string()).unwrap_or_default();
        // An unknown occupation is named beside the expertise, and the other
        // fields are still checked, so every problem shows at once.
        let (expertise, unknown) = match Self::parse_expertise(cx.sh, &t(6)) {
            Ok(e) => (e, None),
            // A stand-in, so the draft does not also say "no expertise".
            Err(bad) => (vec![0], Some(Msg::with(k::ERR_UNKNOWN_EXPERTISE, [bad]))),
        };
        let status = labels::pick(&SageStatus::ALL, form.fields.get(8).and_then(Field::choice_value))
            .unwrap_or_default();
        let draft = SageDraft {
            title: t(0),
            given_name: t(1),
            family_name: t(2),
            national_id: t(3),
            phone: t(4),
            home_village: t(5),
            expertise,
            capacity: t(7),
            status,
        };
        let (before, load) = match kind {
            FormKind::EditSage { id, version } => match store.get::<Sage>(id) {
                Ok(Some(mut s)) => {
                    s.version = version;
                    let load = store.sage_load(id).unwrap_or(0);
                    (Some(s), load)
                }
                Ok(None) => return cx.sh.form_error(Msg::new(k::ERR_GONE)),
                Err(e) => return cx.sh.form_error(messages::store(&e)),
            },
            _ => (None, 0),
        };
        let mut sage = before.clone().unwrap_or_else(Sage::blank);
        let geo = &cx.sh.geo;
        let known = |v: u32| geo.subdistrict_exists(v / 100);
        let problems = draft.apply(&mut sage, &known, load).err();
        let bad = problems.is_some() || unknown.is_some();
        if let Some(errs) = problems {
            cx.sh.set_field_errors(&SAGE_FIELDS, errs, messages::sage);
        }
        if bad {
            // An ID that is already another sage's is named now as well, not
            // only once the rest is fixed (the save checks it for certain).
            let taken = thai::NationalId::parse(&draft.national_id)
                .ok()
                .and_then(|nid| {
                    store
                        .lookup(crate::store::trees::SAGES_BY_NID, &nid.as_u64().to_be_bytes())
                        .ok()
                        .flatten()
                })
                .filter(|key| crate::store::id_of(key) != Some(sage.id));
            if let (Some(_), Some(form)) = (taken, &mut cx.sh.form) {
                form.set_error(3, Msg::new(k::ERR_DUPLICATE_SAGE_NID));
            }
        }
        if let (Some(msg), Some(form)) = (unknown, &mut cx.sh.form) {
            form.set_error(6, msg);
        }
        if bad {
            return;
        }
        match store.save(cx.sh.who(), &sage) {
            Ok(saved) => {
                cx.sh.form = None;
                cx.sh.info(Msg::with(k::SAVED, [saved.full_name()]));
                self.load(cx, store);
                self.refilter(cx.sh, Some(saved.id));
            }
            Err(SaveError::Duplicate { index, .. }) if index == crate::store::trees::SAGES_BY_NID => {
                if let Some(form) = &mut cx.sh.form {
                    form.set_error(3, Msg::new(k::ERR_DUPLICATE_SAGE_NID));
                }
            }
            Err(SaveError::Full { .. }) => {
                if let Some(form) = &mut cx.sh.form {
                    form.set_error(7, messages::sage(&sage::SageError::BelowLoad(load)));
                }
            }
            Err(e) => cx.sh.form_error(messages::save(&e)),
        }
    }

    fn delete_sage(&mut self, cx: &mut Cx<'_>, store: &Store, id: u64, version: u64) {
        match store.delete::<Sage>(cx.sh.who(), id, version) {
            Ok(gone) => {
                cx.sh.info(Msg::with(k::DELETED_SAGE, [gone.full_name()]));
                self.detail = None;
                self.load(cx, store);
            }
            Err(SaveError::HasChildren(_)) => cx.sh.error(k::ERR_SAGE_HAS_HOUSEHOLDS),
            Err(e) => cx.sh.error(messages::save(&e)),
        }
    }

    fn open_visit_form(&mut self, cx: &mut Cx<'_>, a: &Assignment) {
        if a.status == AssignmentStatus::Cancelled {
            return cx.sh.error(k::ERR_ASSIGNMENT_CANCELLED);
        }
        let fields = vec![
            Field::text(k::FIELD_DATE, thai::format_date(cx.sh.today, Lang::Th), Some(k::HINT_DATE)),
            Field::text(k::FIELD_NOTES, "", None),
            Field::text(k::FIELD_NEXT_STEP, "", None),
        ];
        let kind = FormKind::Visit { key: (a.sage_id, a.id), version: a.version };
        cx.sh.form = Some(Form::new(kind, Msg::with(k::FORM_VISIT, [a.household.clone()]), fields));
    }

    fn submit_visit(&mut self, cx: &mut Cx<'_>, store: &Store) {
        let Some(form) = &cx.sh.form else { return };
        let FormKind::Visit { key: (sage_id, id), version } = form.kind else { return };
        let t = |i: usize| form.fields.get(i).map(|f| f.text_value().to_string()).unwrap_or_default();
        let draft = VisitDraft { date: t(0), notes: t(1), next_step: t(2) };
        let before = match store.get_at::<Assignment>(&assignment_key(sage_id, id)) {
            Ok(Some(mut a)) => {
                a.version = version;
                a
            }
            Ok(None) => return cx.sh.form_error(Msg::new(k::ERR_GONE)),
            Err(e) => return cx.sh.form_error(messages::store(&e)),
        };
        let visit = match draft.build(&before, cx.sh.today) {
            Ok(v) => v,
            Err(errs) => return cx.sh.set_field_errors(&VISIT_FIELDS, errs, messages::visit),
        };
        let mut after = before.clone();
        after.visits.push(visit);
        after.visits.sort_by_key(|v| v.date);
        // The first visit starts the coaching.
        if after.status == AssignmentStatus::Planned {
            after.status = AssignmentStatus::Active;
        }
        let msg = Msg::with(k::VISIT_SAVED, [before.household.clone()]);
        self.save_assignment(cx, store, after, msg);
    }

    /// The name of a sage, or their id when they are gone.
    pub fn sage_name(&self, id: u64) -> String {
        self.by_id(id).map_or_else(|| format!("#{id}"), |r| r.sage.full_name())
    }

    /// Households of a sage counted in the plan on screen.
    pub fn plan_load(&self, sage: u64) -> u32 {
        self.plan.as_ref().and_then(|p| p.taken().get(&sage).copied()).unwrap_or(0)
    }
}

/// Every sage, as every session that reads them all shares them.
pub(super) fn every_sage(
    common: &super::common::Common,
    store: &Store,
) -> Result<std::sync::Arc<Vec<SageRow>>, crate::store::StoreError> {
    common.sages(store, || {
        let (geo, categories) = (common.geo(store)?, store.categories()?);
        sage_rows(&geo, &categories, store, None, None)
    })
}

/// What the sage search matches: name, ID, phone, places and expertise in
/// both languages, folded.
/// The sages a session reads (`own`: of that district only; `coaches`: only
/// these), by district, then name in Thai order.
fn sage_rows(
    geo: &crate::service::geo::Geo,
    categories: &[OccupationCategory],
    store: &Store,
    own: Option<u16>,
    coaches: Option<&std::collections::HashSet<u64>>,
) -> Result<Vec<SageRow>, crate::store::StoreError> {
    let sages = store.all::<Sage>()?;
    let loads = store.sage_loads()?;
    let mut rows: Vec<(u16, Vec<u8>, SageRow)> = sages
        .into_iter()
        .filter(|s| own.is_none_or(|d| s.district() == d))
        .filter(|s| coaches.is_none_or(|ids| ids.contains(&s.id)))
        .map(|s| {
            let load = loads.get(&s.id).copied().unwrap_or(0);
            let search = sage_search_text(geo, categories, &s);
            (s.district(), thai::sort_key(&s.given_name), SageRow { sage: s, load, search })
        })
        .collect();
    rows.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
    Ok(rows.into_iter().map(|r| r.2).collect())
}

fn sage_search_text(geo: &crate::service::geo::Geo, categories: &[OccupationCategory], s: &Sage) -> String {
    let mut text = format!("{} {} {}", s.full_name(), s.national_id.grouped(), s.phone);
    for code in [u32::from(s.district()), s.subdistrict()] {
        for lang in [Lang::Th, Lang::En] {
            text.push(' ');
            text.push_str(&geo.name(code, lang));
        }
    }
    for c in categories.iter().filter(|c| s.expertise.contains(&c.code)) {
        text.push_str(&format!(" {} {}", c.name_th, c.name_en));
    }
    thai::fold_for_search(&text)
}

/// The household of an occupation record, living in its fund's village.
fn household_of(funds: &[FundRow], r: &OccupationRecord) -> HouseholdRef {
    HouseholdRef {
        key: (r.fund_id, r.member_id, r.id),
        name: r.member_name.clone(),
        category: r.category,
        village: funds.row(r.fund_id).and_then(|f| f.code.parse().ok()).unwrap_or(0),
    }
}

/// A sage's expertise in the officer's language.
pub fn expertise_label(sh: &Shared, codes: &[u16]) -> String {
    codes.iter().map(|c| sh.category_label(*c)).collect::<Vec<_>>().join(", ")
}

/// How near a sage lives to a household.
pub fn place_label(lang: Lang, fit: Fit) -> &'static str {
    tr(
        lang,
        match fit.place {
            0 => k::PLACE_SUBDISTRICT,
            1 => k::PLACE_DISTRICT,
            2 => k::PLACE_PROVINCE,
            _ => k::PLACE_ELSEWHERE,
        },
    )
}

/// A village code as its subdistrict and district names.
pub fn village_label(sh: &Shared, village: u32) -> String {
    let (s, d) = (village / 100, village / 10_000);
    let lang = sh.lang;
    format!(
        "{} {} · {} {} · {} {}",
        tr(lang, k::VILLAGE_NO),
        village % 100,
        tr(lang, k::COL_SUBDISTRICT),
        sh.geo.name(s, lang),
        tr(lang, k::COL_DISTRICT),
        sh.geo.name(d, lang)
    )
}
