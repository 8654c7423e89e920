//! The Network tab (เครือข่าย): the district network committees and their
//! briefings (step 1), the support log (step 6) and OTOP products (step 8).

use std::sync::Arc;

use super::{
    action::{Action, Ctx, NetView, Pending, PickPurpose},
    common::NetworkLists,
    cx::Cx,
    form::{Field, Form, FormKind, Opt},
    fund_row::FundLookup,
    layout,
    list::ListPos,
    overlay::Overlay,
};
use crate::service::{labels, messages};
use crate::{
    domain::{
        Lang,
        member::Member,
        occupation::OccupationRecord,
        programme::{
            self, BriefingDraft, CommitteeDraft, NetworkCommittee, OtopCategory, OtopDraft, OtopProduct,
            Producer, SupportActivity, SupportDraft, SupportKind, SupportLevel, SupportScope,
        },
        thai::{self, NationalId},
    },
    i18n::{Msg, k, tr},
    store::{Store, member_key, trees},
};

#[derive(Default)]
pub struct NetworkTab {
    pub view: NetView,
    /// One per district, in district order (see [`NetworkLists`]).
    pub committees: Arc<Vec<NetworkCommittee>>,
    /// Newest first.
    pub support: Arc<Vec<SupportActivity>>,
    /// By district, then name.
    pub otop: Arc<Vec<OtopProduct>>,
    /// Support and OTOP lists: only this district.
    pub district: Option<u16>,
    /// Indexes into `support` / `otop` that the list shows.
    pub support_view: Vec<usize>,
    pub otop_view: Vec<usize>,
    pub pos: [ListPos; 3],
    /// The committee opened with Enter (its index), and the cursor in its briefings.
    pub detail: Option<(usize, ListPos)>,
}

impl NetworkTab {
    pub fn len(&self) -> usize {
        match self.view {
            NetView::Committees => self.committees.len(),
            NetView::Support => self.support_view.len(),
            NetView::Otop => self.otop_view.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn pos(&self) -> &ListPos {
        &self.pos[self.view as usize]
    }

    fn refilter(&mut self) {
        let d = self.district;
        self.support_view =
            (0..self.support.len()).filter(|i| d.is_none_or(|d| self.support[*i].district == d)).collect();
        self.otop_view =
            (0..self.otop.len()).filter(|i| d.is_none_or(|d| self.otop[*i].district == d)).collect();
    }

    pub fn committee(&self) -> Option<&NetworkCommittee> {
        self.detail.and_then(|(i, _)| self.committees.get(i))
    }

    pub fn selected_support(&self) -> Option<&SupportActivity> {
        self.support_view.get(self.pos[1].cursor).and_then(|i| self.support.get(*i))
    }

    pub fn selected_otop(&self) -> Option<&OtopProduct> {
        self.otop_view.get(self.pos[2].cursor).and_then(|i| self.otop.get(*i))
    }
}

impl NetworkTab {
    /// Reads committees, support and OTOP again (they are small).
    pub fn load(&mut self, cx: &mut Cx<'_>, store: &Store) {
        // A committee reads its own district only; everyone else the lists
        // every session shares.
        let lists = match cx.access.reads_only_district() {
            Some(d) => NetworkLists::read(store, Some(d)),
            None => cx.common.network(store).map(|l| NetworkLists::clone(&l)),
        };
        let NetworkLists { committees, support, otop } = match lists {
            Ok(x) => x,
            Err(e) => return cx.error(messages::store(&e)),
        };
        let n = self;
        n.committees = committees;
        n.support = support;
        n.otop = otop;
        n.refilter();
        let rows = layout::list_rows(cx.size.1);
        for (i, len) in [n.committees.len(), n.support_view.len(), n.otop_view.len()].into_iter().enumerate()
        {
            n.pos[i].clamp(len, rows);
        }
        if let Some((i, _)) = n.detail
            && i >= n.committees.len()
        {
            n.detail = None;
        }
    }

    pub fn ctx(&self) -> Ctx {
        if self.detail.is_some() { Ctx::Committee } else { Ctx::Network }
    }

    /// A confirmation of this tab said yes.
    pub fn confirmed(&mut self, cx: &mut Cx<'_>, then: Pending) {
        let store = cx.store;
        match then {
            Pending::DeleteSupport { id, version } => self.delete_support(cx, store, id, version),
            Pending::DeleteOtop { id, version } => self.delete_otop(cx, store, id, version),
            Pending::DeleteBriefing { id, version, index } => {
                self.delete_briefing(cx, store, id, version, index)
            }
            _ => {}
        }
    }

    /// Which form of this tab is open decides how it saves.
    pub fn submit(&mut self, cx: &mut Cx<'_>, kind: FormKind) {
        let store = cx.store;
        match kind {
            FormKind::Committee { .. } => self.submit_committee(cx, store),
            FormKind::Briefing { .. } => self.submit_briefing(cx, store),
            FormKind::NewSupport | FormKind::EditSupport { .. } => self.submit_support(cx, store),
            FormKind::NewOtop | FormKind::EditOtop { .. } => self.submit_otop(cx, store),
            _ => {}
        }
    }

    /// The committee of `district`, opened.
    pub fn show_committee(&mut self, cx: &mut Cx<'_>, district: u16) {
        self.view = NetView::Committees;
        if let Some(i) = self.committees.iter().position(|c| c.district == district) {
            let rows = layout::list_rows(cx.size.1);
            let n = self.committees.len();
            self.pos[0].set(i, n, rows);
            self.detail = Some((i, ListPos::default()));
        }
    }

    /// The support or OTOP list, for one district or all.
    pub fn show_list(&mut self, view: NetView, district: Option<u16>) {
        self.view = view;
        self.detail = None;
        self.district = district;
        self.refilter();
        self.pos[view as usize] = ListPos::default();
    }

    pub fn action(&mut self, cx: &mut Cx<'_>, action: Action) {
        let store = cx.store;
        if self.detail.is_some() {
            return self.committee_action(cx, action);
        }
        let rows = layout::list_rows(cx.size.1);
        let len = self.len();
        let view = self.view;
        if self.pos[view as usize].navigate(action, len, rows) {
            return;
        }
        match action {
            Action::NextView => {
                let i = NetView::ALL.iter().position(|v| *v == view).unwrap_or(0);
                self.view = NetView::ALL[(i + 1) % NetView::ALL.len()];
            }
            Action::PickDistrict => {
                let options = cx
                    .geo
                    .districts()
                    .iter()
                    .map(|d| {
                        let c = u32::from(*d);
                        Opt::new(c, cx.geo.name(c, Lang::Th), cx.geo.name(c, Lang::En))
                    })
                    .collect();
                let current = self.district.map(u32::from);
                cx.open_picker(k::PICK_DISTRICT, options, current, PickPurpose::NetworkDistrict);
            }
            Action::Back => {
                self.district = None;
                self.refilter();
            }
            Action::Open if view == NetView::Committees => {
                let i = self.pos[0].cursor;
                if i < self.committees.len() {
                    self.detail = Some((i, ListPos::default()));
                }
            }
            Action::Open | Action::Edit => match view {
                NetView::Committees => {
                    if let Some(c) = self.committees.get(self.pos[0].cursor).cloned() {
                        self.open_committee_form(cx, &c);
                    }
                }
                NetView::Support => {
                    if let Some(s) = self.selected_support().cloned() {
                        self.open_support_form(cx, store, Some(&s));
                    }
                }
                NetView::Otop => {
                    if let Some(p) = self.selected_otop().cloned() {
                        self.open_otop_form(cx, store, Some(&p));
                    }
                }
            },
            Action::New => match view {
                NetView::Committees => {
                    let i = self.pos[0].cursor;
                    if i < self.committees.len() {
                        self.detail = Some((i, ListPos::default()));
                        self.open_briefing_form(cx, None);
                    }
                }
                NetView::Support => self.open_support_form(cx, store, None),
                NetView::Otop => self.open_otop_form(cx, store, None),
            },
            Action::Delete => {
                let (msg, then) = match view {
                    NetView::Committees => return,
                    NetView::Support => {
                        let Some(s) = self.selected_support() else { return };
                        (
                            Msg::with(k::CONFIRM_DELETE_SUPPORT, [thai::format_date(s.date, cx.lang)]),
                            Pending::DeleteSupport { id: s.id, version: s.version },
                        )
                    }
                    NetView::Otop => {
                        let Some(p) = self.selected_otop() else { return };
                        (
                            Msg::with(k::CONFIRM_DELETE_OTOP, [p.name.clone()]),
                            Pending::DeleteOtop { id: p.id, version: p.version },
                        )
                    }
                };
                cx.overlay = Some(Overlay::Confirm { msg, then });
            }
            _ => {}
        }
    }

    fn committee_action(&mut self, cx: &mut Cx<'_>, action: Action) {
        let rows = layout::briefing_rows(cx.size.1);
        let Some((i, mut pos)) = self.detail else { return };
        let Some(c) = self.committees.get(i).cloned() else {
            self.detail = None;
            return;
        };
        if pos.navigate(action, c.briefings.len(), rows) {
            self.detail = Some((i, pos));
            return;
        }
        // Briefings are shown newest first.
        let at = c.briefings.len().checked_sub(pos.cursor + 1);
        match action {
            Action::Back => self.detail = None,
            Action::Edit => self.open_committee_form(cx, &c),
            Action::New => self.open_briefing_form(cx, None),
            Action::Open => {
                if let Some(at) = at {
                    self.open_briefing_form(cx, Some(at));
                }
            }
            Action::Delete => {
                if let Some(b) = at.and_then(|a| c.briefings.get(a)) {
                    let msg = Msg::with(k::CONFIRM_DELETE_BRIEFING, [thai::format_date(b.date, cx.lang)]);
                    let then =
                        Pending::DeleteBriefing { id: c.id, version: c.version, index: at.unwrap_or(0) };
                    cx.overlay = Some(Overlay::Confirm { msg, then });
                }
            }
            _ => {}
        }
    }

    /// A pick of the Network tab came back.
    pub fn picked(&mut self, value: u32, all: bool) {
        self.district = (!all).then_some(value as u16);
        self.refilter();
        let v = self.view as usize;
        self.pos[v] = ListPos::default();
    }

    // ------------------------------------------------------------ committees

    fn open_committee_form(&mut self, cx: &mut Cx<'_>, c: &NetworkCommittee) {
        let fields = vec![
            Field::text(k::FIELD_CHAIR, c.chair.clone(), None),
            Field::text(k::FIELD_SEATS, programme::format_seats(&c.members), Some(k::HINT_SEATS)),
        ];
        let kind = FormKind::Committee { id: c.id, version: c.version };
        cx.form = Some(Form::new(kind, Msg::with(k::FORM_COMMITTEE, [cx.district_name(c.district)]), fields));
    }

    fn submit_committee(&mut self, cx: &mut Cx<'_>, store: &Store) {
        let Some(form) = &cx.form else { return };
        let FormKind::Committee { id, version } = form.kind else { return };
        let t = |i: usize| form.fields.get(i).map(|f| f.text_value().to_string()).unwrap_or_default();
        let draft = CommitteeDraft { chair: t(0), members: t(1) };
        self.save_committee(cx, store, id, version, |c| draft.apply(c).map_err(|e| e.into_iter().collect()));
    }

    /// Reads the committee, changes it, saves it with undo; errors go beside
    /// the form's fields.
    fn save_committee(
        &mut self,
        cx: &mut Cx<'_>,
        store: &Store,
        id: u64,
        version: u64,
        change: impl FnOnce(&mut NetworkCommittee) -> Result<(), programme::FieldErrors>,
    ) {
        let before = match store.get::<NetworkCommittee>(id) {
            Ok(Some(mut c)) => {
                c.version = version;
                c
            }
            Ok(None) => return cx.form_error(Msg::new(k::ERR_GONE)),
            Err(e) => return cx.form_error(messages::store(&e)),
        };
        let mut after = before.clone();
        if let Err(errs) = change(&mut after) {
            if let Some(form) = &mut cx.form {
                for (i, e) in errs {
                    form.set_error(i, messages::programme(&e));
                }
            }
            return;
        }
        match store.save(cx.who(), &after) {
            Ok(saved) => {
                cx.form = None;
                cx.sh.info(Msg::with(k::SAVED, [cx.sh.district_name(saved.district)]));
            }
            Err(e) => {
                let msg = messages::save(&e);
                if cx.form.is_some() { cx.form_error(msg) } else { cx.error(msg) }
            }
        }
    }

    /// `index`: the briefing to correct (in stored order), or a new one.
    fn open_briefing_form(&mut self, cx: &mut Cx<'_>, index: Option<usize>) {
        let Some(c) = self.committee().cloned() else { return };
        let b = index.and_then(|i| c.briefings.get(i));
        let codes =
            |ids: &[u64]| ids.iter().filter_map(|id| cx.funds.code_of(*id)).collect::<Vec<_>>().join(", ");
        let fields = vec![
            Field::text(
                k::FIELD_DATE,
                thai::format_date(b.map_or(cx.today, |b| b.date), Lang::Th),
                Some(k::HINT_DATE),
            ),
            Field::text(k::FIELD_PLACE, b.map(|b| b.place.clone()).unwrap_or_default(), None),
            Field::text(
                k::FIELD_FUNDS_BRIEFED,
                b.map(|b| codes(&b.funds)).unwrap_or_default(),
                Some(k::HINT_FUNDS_BRIEFED),
            ),
            Field::text(k::FIELD_NOTE, b.map(|b| b.note.clone()).unwrap_or_default(), None),
        ];
        let kind = FormKind::Briefing { id: c.id, version: c.version, index };
        cx.form = Some(Form::new(kind, Msg::with(k::FORM_BRIEFING, [cx.district_name(c.district)]), fields));
    }

    /// Fund codes (8 digits), subdistrict codes (6 digits: all its funds) or
    /// `*` (every fund of the district), separated by commas.
    pub fn parse_funds(&self, cx: &Cx<'_>, district: u16, text: &str) -> Result<Vec<u64>, String> {
        let in_district: Vec<&super::funds::FundRow> =
            cx.funds.iter().filter(|r| r.district == district).collect();
        let mut out = Vec::new();
        for part in text.split([',', ' ', ';']).map(str::trim).filter(|p| !p.is_empty()) {
            let p = thai::normalize_digits(part).to_string();
            if ["*", "ทั้งหมด", "all"].contains(&p.to_lowercase().as_str()) {
                out.extend(in_district.iter().map(|r| r.id));
                continue;
            }
            let hits: Vec<u64> = match p.len() {
                8 => in_district.iter().filter(|r| *r.code == *p).map(|r| r.id).collect(),
                6 => in_district.iter().filter(|r| r.code.starts_with(&p)).map(|r| r.id).collect(),
                _ => Vec::new(),
            };
            if hits.is_empty() {
                return Err(part.to_string());
            }
            out.extend(hits);
        }
        Ok(out)
    }

    fn submit_briefing(&mut self, cx: &mut Cx<'_>, store: &Store) {
        let Some(form) = &cx.form else { return };
        let FormKind::Briefing { id, version, index } = form.kind else { return };
        let t = |i: usize| form.fields.get(i).map(|f| f.text_value().to_string()).unwrap_or_default();
        let district = self.committees.iter().find(|c| c.id == id).map_or(0, |c| c.district);
        // A code that is no fund of the district is named beside the funds,
        // and the date, place and note are still checked.
        let (funds, unknown) = match self.parse_funds(cx, district, &t(2)) {
            Ok(f) => (f, None),
            // A stand-in, so the draft does not also say "no fund".
            Err(bad) => (vec![0], Some(Msg::with(k::ERR_NOT_A_FUND_HERE, [bad]))),
        };
        let draft = BriefingDraft { date: t(0), place: t(1), funds, note: t(3) };
        let today = cx.today;
        if let Some(msg) = unknown {
            if let Some(form) = &mut cx.form {
                form.set_error(2, msg);
                for (i, e) in draft.build(today).err().unwrap_or_default() {
                    form.set_error(i, messages::programme(&e));
                }
            }
            return;
        }
        self.save_committee(cx, store, id, version, |c| {
            let b = draft.build(today)?;
            match index.and_then(|i| c.briefings.get_mut(i)) {
                Some(slot) => *slot = b,
                None => c.briefings.push(b),
            }
            c.briefings.sort_by_key(|b| b.date);
            Ok(())
        });
    }

    fn delete_briefing(&mut self, cx: &mut Cx<'_>, store: &Store, id: u64, version: u64, index: usize) {
        self.save_committee(cx, store, id, version, |c| {
            if index < c.briefings.len() {
                c.briefings.remove(index);
            }
            Ok(())
        });
    }

    // ------------------------------------------------------------ support

    fn scope_text(&self, cx: &Cx<'_>, store: &Store, scope: SupportScope) -> String {
        match scope {
            SupportScope::District(d) => format!("{d:04}"),
            SupportScope::Fund(f) => cx.funds.code_of(f).unwrap_or_default(),
            SupportScope::Household((f, m, _)) => store
                .get_at::<Member>(&member_key(f, m))
                .ok()
                .flatten()
                .map(|m| m.national_id.grouped())
                .unwrap_or_default(),
        }
    }

    /// What a scope means on screen.
    pub fn scope_name(&self, cx: &Cx<'_>, scope: &SupportScope, household: &str) -> String {
        match scope {
            SupportScope::District(d) => {
                format!("{} {}", tr(cx.lang, k::COL_DISTRICT), cx.district_name(*d))
            }
            SupportScope::Fund(f) => {
                let row = cx.funds.iter().find(|r| r.id == *f);
                row.map_or_else(|| format!("#{f}"), |r| r.name.to_string())
            }
            SupportScope::Household(_) => household.to_string(),
        }
    }

    fn open_support_form(&mut self, cx: &mut Cx<'_>, store: &Store, s: Option<&SupportActivity>) {
        let scope = match s {
            Some(s) => self.scope_text(cx, store, s.scope),
            // A district officer's own district first: another's is refused.
            None => cx
                .access
                .changes_only_district()
                .or(self.district)
                .map(|d| format!("{d:04}"))
                .unwrap_or_default(),
        };
        fn at<T: PartialEq>(all: &[T], v: T) -> u32 {
            all.iter().position(|x| *x == v).unwrap_or(0) as u32
        }
        let fields = vec![
            Field::text(
                k::FIELD_DATE,
                thai::format_date(s.map_or(cx.today, |s| s.date), Lang::Th),
                Some(k::HINT_DATE),
            ),
            Field::choice(
                k::FIELD_SUPPORT_BY,
                labels::options(&SupportLevel::ALL, labels::support_level),
                at(&SupportLevel::ALL, s.map(|s| s.level).unwrap_or_default()),
            ),
            Field::text(k::FIELD_SUPPORT_SCOPE, scope, Some(k::HINT_SUPPORT_SCOPE)),
            Field::choice(
                k::FIELD_SUPPORT_KIND,
                labels::options(&SupportKind::ALL, labels::support_kind),
                at(&SupportKind::ALL, s.map(|s| s.kind).unwrap_or_default()),
            ),
            Field::text(k::FIELD_NOTE, s.map(|s| s.note.clone()).unwrap_or_default(), None),
        ];
        let (kind, title) = match s {
            Some(s) => (FormKind::EditSupport { id: s.id, version: s.version }, k::FORM_EDIT_SUPPORT),
            None => (FormKind::NewSupport, k::FORM_NEW_SUPPORT),
        };
        cx.form = Some(Form::new(kind, Msg::new(title), fields));
    }

    /// The occupation record of a member named by national ID: the one furthest
    /// along (then the newest).
    fn household_by_nid(&self, store: &Store, text: &str) -> Result<OccupationRecord, Msg> {
        let nid = NationalId::parse(text)
            .map_err(|e| messages::member(&crate::domain::member::MemberError::NationalId(e)))?;
        let key = store
            .lookup(trees::MEMBERS_BY_NID, &nid.as_u64().to_be_bytes())
            .map_err(|e| messages::store(&e))?
            .ok_or_else(|| Msg::new(k::ERR_NOT_A_MEMBER))?;
        let records: Vec<OccupationRecord> = store.scan_prefix(&key).map_err(|e| messages::store(&e))?;
        records.into_iter().max_by_key(|r| (r.stage, r.id)).ok_or_else(|| Msg::new(k::ERR_NO_OCCUPATION))
    }

    /// A scope typed as a district code (4 digits), a fund code (8) or a
    /// member's national ID (13): the scope, its district and the household's name.
    fn parse_scope(
        &self,
        cx: &Cx<'_>,
        store: &Store,
        text: &str,
    ) -> Result<(SupportScope, u16, String), Msg> {
        let t: String = thai::normalize_digits(text.trim()).chars().filter(|c| !" -".contains(*c)).collect();
        match t.len() {
            4 => {
                let d: u16 = t.parse().map_err(|_| Msg::new(k::ERR_SCOPE))?;
                if cx.geo.districts().contains(&d) {
                    Ok((SupportScope::District(d), d, String::new()))
                } else {
                    Err(Msg::new(k::ERR_SCOPE))
                }
            }
            8 => {
                let r = cx.funds.iter().find(|r| *r.code == *t).ok_or_else(|| Msg::new(k::ERR_SCOPE))?;
                Ok((SupportScope::Fund(r.id), r.district, String::new()))
            }
            13 => {
                let r = self.household_by_nid(store, &t)?;
                Ok((SupportScope::Household((r.fund_id, r.member_id, r.id)), r.district, r.member_name))
            }
            _ => Err(Msg::new(k::ERR_SCOPE)),
        }
    }

    fn submit_support(&mut self, cx: &mut Cx<'_>, store: &Store) {
        let Some(form) = &cx.form else { return };
        let kind = form.kind;
        let t = |i: usize| form.fields.get(i).map(|f| f.text_value().to_string()).unwrap_or_default();
        let c = |i: usize| form.fields.get(i).and_then(Field::choice_value);
        let draft = SupportDraft {
            date: t(0),
            level: labels::pick(&SupportLevel::ALL, c(1)).unwrap_or_default(),
            kind: labels::pick(&SupportKind::ALL, c(3)).unwrap_or_default(),
            note: t(4),
        };
        let scope = self.parse_scope(cx, store, &t(2));
        let before = match kind {
            FormKind::EditSupport { id, version } => match store.get::<SupportActivity>(id) {
                Ok(Some(mut s)) => {
                    s.version = version;
                    Some(s)
                }
                Ok(None) => return cx.form_error(Msg::new(k::ERR_GONE)),
                Err(e) => return cx.form_error(messages::store(&e)),
            },
            _ => None,
        };
        let mut s = before.clone().unwrap_or(SupportActivity {
            id: 0,
            version: 0,
            level: SupportLevel::Province,
            date: cx.today,
            scope: SupportScope::District(0),
            district: 0,
            label: String::new(),
            kind: SupportKind::Training,
            note: String::new(),
        });
        let applied = draft.apply(&mut s, cx.today);
        if let (Err(_), Some(form)) = (&scope, &mut cx.form)
            && let Err(m) = &scope
        {
            form.set_error(2, m.clone());
        }
        if let Err(errs) = &applied
            && let Some(form) = &mut cx.form
        {
            for (i, e) in errs {
                form.set_error(*i, messages::programme(e));
            }
        }
        let (Ok((scope, district, household)), Ok(())) = (scope, applied) else { return };
        s.label = self.scope_name(cx, &scope, &household);
        s.scope = scope;
        s.district = district;
        match store.save(cx.who(), &s) {
            Ok(saved) => {
                cx.form = None;
                let what = tr(cx.lang, labels::support_kind(saved.kind)).to_string();
                cx.info(Msg::with(k::SAVED, [what]));
            }
            Err(e) => cx.form_error(messages::save(&e)),
        }
    }

    // ------------------------------------------------------------ OTOP

    fn open_otop_form(&mut self, cx: &mut Cx<'_>, store: &Store, p: Option<&OtopProduct>) {
        let producer = match p.map(|p| &p.producer) {
            Some(Producer::Household((f, m, _))) => store
                .get_at::<Member>(&member_key(*f, *m))
                .ok()
                .flatten()
                .map(|m| m.national_id.grouped())
                .unwrap_or_default(),
            Some(Producer::Group { fund, name }) => {
                format!("{}: {name}", cx.funds.code_of(*fund).unwrap_or_default())
            }
            None => String::new(),
        };
        let at = OtopCategory::ALL.iter().position(|c| Some(*c) == p.map(|p| p.category)).unwrap_or(0) as u32;
        let fields = vec![
            Field::text(k::FIELD_PRODUCT, p.map(|p| p.name.clone()).unwrap_or_default(), None),
            Field::choice(
                k::FIELD_OTOP_CATEGORY,
                labels::options(&OtopCategory::ALL, labels::otop_category),
                at,
            ),
            Field::text(k::FIELD_PRODUCER, producer, Some(k::HINT_PRODUCER)),
            Field::text(
                k::FIELD_STARS,
                p.map(|p| p.stars.to_string()).unwrap_or_default(),
                Some(k::HINT_STARS),
            ),
            Field::text(
                k::FIELD_RATING_YEAR,
                p.map_or_else(
                    || thai::be_year(cx.today.year()).to_string(),
                    |p| thai::be_year(p.rating_year).to_string(),
                ),
                Some(k::HINT_YEAR),
            ),
        ];
        let (kind, title) = match p {
            Some(p) => (FormKind::EditOtop { id: p.id, version: p.version }, k::FORM_EDIT_OTOP),
            None => (FormKind::NewOtop, k::FORM_NEW_OTOP),
        };
        cx.form = Some(Form::new(kind, Msg::new(title), fields));
    }

    /// A producer typed as a member's national ID (a household) or as
    /// `fund code: group name`.
    fn parse_producer(&self, cx: &Cx<'_>, store: &Store, text: &str) -> Result<(Producer, String, u16), Msg> {
        if let Some((code, name)) = text.split_once([':', '：']) {
            let code = thai::normalize_digits(code.trim()).to_string();
            let name = name.trim();
            let r = cx.funds.iter().find(|r| *r.code == *code).ok_or_else(|| Msg::new(k::ERR_PRODUCER))?;
            if name.is_empty() || name.chars().count() > 120 {
                return Err(Msg::new(k::ERR_PRODUCER));
            }
            return Ok((
                Producer::Group { fund: r.id, name: name.to_string() },
                name.to_string(),
                r.district,
            ));
        }
        if text.trim().is_empty() {
            return Err(Msg::new(k::ERR_PRODUCER));
        }
        let r = self.household_by_nid(store, text)?;
        if !r.stage.may_produce_otop() {
            let stage = tr(cx.lang, labels::stage(r.stage)).to_string();
            return Err(Msg::with(k::ERR_PRODUCER_STAGE, [r.member_name, stage]));
        }
        Ok((Producer::Household((r.fund_id, r.member_id, r.id)), r.member_name, r.district))
    }

    fn submit_otop(&mut self, cx: &mut Cx<'_>, store: &Store) {
        let Some(form) = &cx.form else { return };
        let kind = form.kind;
        let t = |i: usize| form.fields.get(i).map(|f| f.text_value().to_string()).unwrap_or_default();
        let draft = OtopDraft {
            name: t(0),
            category: labels::pick(&OtopCategory::ALL, form.fields.get(1).and_then(Field::choice_value))
                .unwrap_or_default(),
            stars: t(3),
            year: t(4),
        };
        let producer = self.parse_producer(cx, store, &t(2));
        let before = match kind {
            FormKind::EditOtop { id, version } => match store.get::<OtopProduct>(id) {
                Ok(Some(mut p)) => {
                    p.version = version;
                    Some(p)
                }
                Ok(None) => return cx.form_error(Msg::new(k::ERR_GONE)),
                Err(e) => return cx.form_error(messages::store(&e)),
            },
            _ => None,
        };
        let mut p = before.clone().unwrap_or(OtopProduct {
            id: 0,
            version: 0,
            producer: Producer::Group { fund: 0, name: String::new() },
            producer_name: String::new(),
            district: 0,
            name: String::new(),
            category: OtopCategory::Food,
            stars: 1,
            rating_year: cx.today.year(),
        });
        let applied = draft.apply(&mut p, cx.today);
        if let Some(form) = &mut cx.form {
            if let Err(m) = &producer {
                form.set_error(2, m.clone());
            }
            if let Err(errs) = &applied {
                for (i, e) in errs {
                    form.set_error(*i, messages::programme(e));
                }
            }
        }
        let (Ok((producer, producer_name, district)), Ok(())) = (producer, applied) else { return };
        p.producer = producer;
        p.producer_name = producer_name;
        p.district = district;
        match store.save(cx.who(), &p) {
            Ok(saved) => {
                cx.form = None;
                cx.info(Msg::with(k::SAVED, [saved.name.clone()]));
            }
            Err(e) => cx.form_error(messages::save(&e)),
        }
    }

    fn delete_support(&mut self, cx: &mut Cx<'_>, store: &Store, id: u64, version: u64) {
        match store.delete::<SupportActivity>(cx.who(), id, version) {
            Ok(gone) => {
                let what = tr(cx.lang, labels::support_kind(gone.kind)).to_string();
                cx.info(Msg::with(k::DELETED_WHAT, [what]));
            }
            Err(e) => cx.error(messages::save(&e)),
        }
    }

    fn delete_otop(&mut self, cx: &mut Cx<'_>, store: &Store, id: u64, version: u64) {
        match store.delete::<OtopProduct>(cx.who(), id, version) {
            Ok(gone) => {
                cx.info(Msg::with(k::DELETED_WHAT, [gone.name.clone()]));
            }
            Err(e) => cx.error(messages::save(&e)),
        }
    }
}
