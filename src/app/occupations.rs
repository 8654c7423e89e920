//! The Occupations tab (อาชีพ): every occupation record across all funds, with
//! search and filters by category, district, fund and stage; a record's
//! detail; the occupation form (from the tab or from a member); new categories.

use std::sync::Arc;

use super::{
    Action, App, Overlay, Pending, PickPurpose, Undo,
    form::{Field, Form, FormKind, Opt},
    list::ListPos,
    text::TextInput,
};
use crate::service::{
    catalog::{Catalog, OccFilter, OccSort, Term},
    labels, messages,
};
use crate::{
    domain::{
        Lang,
        member::Member,
        occupation::{OccupationDraft, OccupationField, OccupationRecord, OccupationStatus, Stage},
        thai::{self, NationalId},
    },
    i18n::{Msg, k, tr},
    store::{AddCategoryError, Store, member_key, occupation_key, trees},
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

#[derive(Default)]
pub struct OccupationsTab {
    /// Row numbers of the catalog, filtered and sorted: what the list shows.
    pub view: Vec<u32>,
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
    narrowing: Vec<(String, Vec<u32>)>,
    /// Live rows at the last refresh.
    pub total: usize,
}

impl OccupationsTab {
    pub fn seen_revision(&self) -> u64 {
        self.seen_revision
    }
}

const OCC_FIELDS: [OccupationField; 12] = [
    OccupationField::Category,
    OccupationField::Description,
    OccupationField::StartYear,
    OccupationField::Loans,
    OccupationField::IncomeBefore,
    OccupationField::ExpensesBefore,
    OccupationField::SavingsBefore,
    OccupationField::IncomeAfter,
    OccupationField::ExpensesAfter,
    OccupationField::SavingsAfter,
    OccupationField::Status,
    OccupationField::Stage,
];

const OCC_STATUSES: [OccupationStatus; 2] = [OccupationStatus::Active, OccupationStatus::Stopped];

impl App {
    /// Search terms resolved against categories, districts and funds.
    fn terms(&self, query: &str) -> Vec<Term> {
        let q = thai::fold_for_search(query);
        q.split_whitespace()
            .map(|t| {
                let categories = self
                    .categories
                    .iter()
                    .filter(|c| c.name_th.contains(t) || c.name_en.to_lowercase().contains(t))
                    .map(|c| c.code)
                    .collect();
                let districts = self
                    .geo
                    .districts()
                    .iter()
                    .filter(|d| {
                        let c = u32::from(**d);
                        self.sh.geo.name(c, Lang::Th).contains(t)
                            || self.sh.geo.name(c, Lang::En).to_lowercase().contains(t)
                    })
                    .copied()
                    .collect();
                let mut funds: Vec<u64> =
                    self.funds.rows.iter().filter(|r| r.matches(t)).map(|r| r.id).collect();
                funds.sort_unstable();
                Term { text: t.to_string(), categories, districts, funds }
            })
            .collect()
    }

    /// Recomputes the Occupations view from the catalog, keeping the selection.
    pub(super) fn occ_refresh(&mut self) {
        let keep = self.sh.catalog.read().ok().and_then(|cat| {
            self.occ.view.get(self.occ.pos.cursor).and_then(|i| cat.rows.get(*i as usize)).map(|r| r.id)
        });
        self.occ_refresh_keeping(keep);
    }

    /// As [`App::occ_refresh`], selecting the record `keep` if it is shown.
    pub(super) fn occ_refresh_keeping(&mut self, keep: Option<u64>) {
        let page = self.page();
        let Ok(mut cat) = self.sh.catalog.write() else { return };
        let (lang, geo, categories) = (self.sh.lang, &self.sh.geo, &self.sh.categories);
        let place = |c: u32| geo.name(c, lang);
        let category = |c: u16| {
            categories
                .iter()
                .find(|x| x.code == c)
                .map_or_else(|| c.to_string(), |x| x.name(lang).to_string())
        };
        let order = cat.order(self.occ.sort, lang, &place, &category).to_vec();
        let cat: &Catalog = &cat;
        let terms = self.terms(self.occ.filter.as_str());
        let select = &self.occ.select;
        let iter: Box<dyn Iterator<Item = u32>> =
            if self.occ.desc { Box::new(order.into_iter().rev()) } else { Box::new(order.into_iter()) };
        self.occ.view = iter
            .filter(|i| {
                let r = &cat.rows[*i as usize];
                select.matches(r) && terms.iter().all(|t| t.matches(r, cat.name(r)))
            })
            .collect();
        self.occ.total = cat.live();
        self.occ.seen_revision = cat.revision;
        self.occ.narrowing.clear();
        let at =
            keep.and_then(|id| cat.row_of(id)).and_then(|row| self.occ.view.iter().position(|i| *i == row));
        self.occ.pos.set(at.unwrap_or(0), self.occ.view.len(), page);
    }

    /// One keystroke in the Occupations filter.
    pub(super) fn occ_filter_edit(&mut self, edit: super::text::TextEdit) {
        let before = self.occ.filter.as_str().to_string();
        if !self.occ.filter.apply(edit) {
            return;
        }
        let now = self.occ.filter.as_str().to_string();
        if let Some(i) = self.occ.narrowing.iter().position(|(q, _)| *q == now) {
            // Back to a query typed before: its view is still at hand.
            self.occ.narrowing.truncate(i + 1);
            self.occ.view = self.occ.narrowing[i].1.clone();
        } else if now.starts_with(&before)
            && !before.trim().is_empty()
            && now.split_whitespace().count() == before.split_whitespace().count()
        {
            // One more letter of the same words: narrow what is shown.
            self.occ.narrowing.push((before, self.occ.view.clone()));
            let terms = self.terms(&now);
            if let Ok(cat) = self.sh.catalog.read() {
                self.occ.view.retain(|i| {
                    cat.rows.get(*i as usize).is_some_and(|r| terms.iter().all(|t| t.matches(r, cat.name(r))))
                });
            }
        } else {
            let saved = std::mem::take(&mut self.occ.narrowing);
            self.occ_refresh();
            self.occ.narrowing = saved;
            self.occ.narrowing.retain(|(q, _)| now.starts_with(q.as_str()));
        }
        let page = self.page();
        self.occ.pos.set(0, self.occ.view.len(), page);
    }

    pub(super) fn occupations_action(&mut self, action: Action, store: &Arc<Store>) {
        if self.occ.detail.is_some() {
            return self.occ_detail_action(action, store);
        }
        let page = self.page();
        if self.occ.pos.navigate(action, self.occ.view.len(), page) {
            return;
        }
        match action {
            Action::Open => {
                if let Some(key) = self.occ_selected_key() {
                    self.open_occ_detail(store, &key);
                }
            }
            Action::Filter => self.occ.filtering = true,
            Action::Export => self.open_export_form(),
            Action::Back if !self.occ.filter.is_empty() || !self.occ.select.is_empty() => {
                self.occ.filter.set("");
                self.occ.select = OccFilter::default();
                self.occ_refresh();
            }
            Action::SortNext => {
                self.occ.sort = self.occ.sort.next();
                self.occ.desc = false;
                self.occ_refresh();
                self.sh.info(Msg::with(
                    k::SORTED_BY,
                    [tr(self.sh.lang, labels::occ_sort(self.occ.sort)).to_string()],
                ));
            }
            Action::SortReverse => {
                self.occ.desc = !self.occ.desc;
                self.occ_refresh();
            }
            Action::PickDistrict => self.open_picker(
                k::PICK_DISTRICT,
                self.sh.geo
                    .districts()
                    .iter()
                    .map(|d| {
                        let c = u32::from(*d);
                        Opt::new(
                            c,
                            format!("{d} {}", self.sh.geo.name(c, Lang::Th)),
                            format!("{d} {}", self.sh.geo.name(c, Lang::En)),
                        )
                    })
                    .collect(),
                self.occ.select.district.map(u32::from),
                PickPurpose::OccDistrict,
            ),
            Action::PickCategory => {
                let opts = self.category_options();
                self.open_picker(
                    k::PICK_CATEGORY,
                    opts,
                    self.occ.select.category.map(u32::from),
                    PickPurpose::OccCategory,
                )
            }
            Action::PickStage => self.open_picker(
                k::PICK_STAGE,
                labels::options(&Stage::ALL, labels::stage),
                self.occ.select.stage.and_then(|s| Stage::ALL.iter().position(|x| *x == s)).map(|i| i as u32),
                PickPurpose::OccStage,
            ),
            Action::PickFund => {
                let opts = self
                    .funds
                    .rows
                    .iter()
                    .map(|r| {
                        let label = format!("{} {}", r.code, r.name);
                        Opt::new(r.id as u32, label.clone(), label)
                    })
                    .collect();
                self.open_picker(
                    k::PICK_FUND,
                    opts,
                    self.occ.select.fund.map(|f| f as u32),
                    PickPurpose::OccFund,
                )
            }
            Action::New => self.open_occupation_form(None, None),
            Action::Edit => {
                if let Some(key) = self.occ_selected_key() {
                    match store.get_at::<OccupationRecord>(&key) {
                        Ok(Some(r)) => self.open_occupation_form(Some(&r), None),
                        Ok(None) => self.sh.error(k::ERR_GONE),
                        Err(e) => self.sh.error(messages::store(&e)),
                    }
                }
            }
            Action::Delete => self.confirm_delete_selected_occ(store),
            Action::NewCategory => {
                let fields =
                    vec![Field::text(k::FIELD_NAME_TH, "", None), Field::text(k::FIELD_NAME_EN, "", None)];
                self.sh.form = Some(Form::new(FormKind::NewCategory, Msg::new(k::FORM_NEW_CATEGORY), fields));
            }
            Action::Undo => self.undo(store),
            _ => {}
        }
    }

    fn occ_selected_key(&self) -> Option<Vec<u8>> {
        let i = *self.occ.view.get(self.occ.pos.cursor)?;
        self.sh.catalog.read().ok()?.rows.get(i as usize).map(|r| r.key())
    }

    fn confirm_delete_selected_occ(&mut self, store: &Store) {
        let Some(i) = self.occ.view.get(self.occ.pos.cursor).copied() else { return };
        let Some((key, name, cat)) = self.sh.catalog.read().ok().and_then(|c| {
            c.rows
                .get(i as usize)
                .map(|r| ((r.fund_id, r.member_id, r.id), c.name(r).to_string(), r.category))
        }) else {
            return;
        };
        let Ok(Some(rec)) = store.get_at::<OccupationRecord>(&occupation_key(key.0, key.1, key.2)) else {
            return self.sh.error(k::ERR_GONE);
        };
        let msg = Msg::with(k::CONFIRM_DELETE_OCCUPATION, [format!("{name} · {}", self.category_label(cat))]);
        self.sh.overlay =
            Some(Overlay::Confirm { msg, then: Pending::DeleteOccupation { key, version: rec.version } });
    }

    /// A pick list headed by "All" (which clears the filter).
    pub(super) fn open_picker(
        &mut self,
        title: crate::i18n::Key,
        mut options: Vec<Opt>,
        current: Option<u32>,
        purpose: PickPurpose,
    ) {
        options.insert(0, Opt::new(u32::MAX, tr(Lang::Th, k::ALL), tr(Lang::En, k::ALL)));
        self.open_choice(title, options, current, purpose);
    }

    /// A pick list of exactly these options.
    pub(super) fn open_choice(
        &mut self,
        title: crate::i18n::Key,
        options: Vec<Opt>,
        current: Option<u32>,
        purpose: PickPurpose,
    ) {
        let at = current.and_then(|c| options.iter().position(|o| o.value == c)).unwrap_or(0);
        let page = self.page().saturating_sub(4).max(1);
        let mut pos = ListPos::default();
        pos.set(at, options.len(), page);
        self.sh.overlay = Some(Overlay::Picker {
            title,
            options,
            pos,
            purpose,
            filter: TextInput::default(),
            shown: Vec::new(),
        });
        self.picker_refilter();
    }

    pub fn open_occ_detail(&mut self, store: &Store, key: &[u8]) {
        match store.get_at::<OccupationRecord>(key) {
            Ok(Some(record)) => {
                let member =
                    store.get_at::<Member>(&member_key(record.fund_id, record.member_id)).ok().flatten();
                self.occ.detail =
                    Some(OccDetail { record, member, pos: ListPos::default(), assignments: Vec::new() });
                self.occ_detail_assignments(store);
            }
            Ok(None) => self.sh.error(k::ERR_GONE),
            Err(e) => self.sh.error(messages::store(&e)),
        }
    }

    fn occ_detail_action(&mut self, action: Action, store: &Arc<Store>) {
        let Some(d) = &mut self.occ.detail else { return };
        let n = d.record.loan_ids.len();
        if d.pos.navigate(action, n, super::layout::occupation_loan_rows(self.sh.size.1)) {
            return;
        }
        match action {
            Action::Back => self.occ.detail = None,
            Action::Edit => {
                let (r, m) = (d.record.clone(), d.member.clone());
                self.open_occupation_form(Some(&r), m.as_ref());
            }
            Action::Delete => {
                let r = d.record.clone();
                let msg = Msg::with(
                    k::CONFIRM_DELETE_OCCUPATION,
                    [format!("{} · {}", r.member_name, self.category_label(r.category))],
                );
                let then =
                    Pending::DeleteOccupation { key: (r.fund_id, r.member_id, r.id), version: r.version };
                self.sh.overlay = Some(Overlay::Confirm { msg, then });
            }
            Action::Suggest => {
                let r = d.record.clone();
                self.open_suggestions(store, &r);
            }
            Action::SetStatus => {
                let r = &d.record;
                let next = Stage::ALL.iter().position(|s| *s > r.stage).unwrap_or(Stage::ALL.len() - 1);
                let kind = FormKind::StageChange { key: (r.fund_id, r.member_id, r.id), version: r.version };
                let fields = vec![
                    Field::choice(k::FIELD_STAGE, labels::options(&Stage::ALL, labels::stage), next as u32),
                    Field::text(k::FIELD_DATE, thai::format_date(self.sh.today, Lang::Th), Some(k::HINT_DATE)),
                    Field::text(k::FIELD_REASON, "", None),
                ];
                let title = Msg::with(k::FORM_STAGE_CHANGE, [r.member_name.clone()]);
                self.sh.form = Some(Form::new(kind, title, fields));
            }
            Action::Undo => self.undo(store),
            _ => {}
        }
    }

    /// The occupation form: for `record` (edit), or new for `member`, or new
    /// from the tab, where the member is named by national ID.
    pub(super) fn open_occupation_form(
        &mut self,
        record: Option<&OccupationRecord>,
        member: Option<&Member>,
    ) {
        let (kind, draft) = match (record, member) {
            (Some(r), _) => (
                FormKind::EditOccupation { key: (r.fund_id, r.member_id, r.id), version: r.version },
                OccupationDraft::from_record(r),
            ),
            (None, m) => {
                let category = m
                    .and_then(|m| m.loans.iter().max_by_key(|l| l.start).map(|l| l.purpose))
                    .or_else(|| self.sh.categories.first().map(|c| c.code))
                    .unwrap_or(0);
                let loans = m
                    .map(|m| {
                        m.loans
                            .iter()
                            .filter(|l| l.purpose == category)
                            .map(|l| l.id.to_string())
                            .collect::<Vec<_>>()
                    })
                    .unwrap_or_default()
                    .join(", ");
                let start =
                    m.and_then(|m| m.loans.iter().map(|l| l.start.year()).min()).unwrap_or(self.sh.today.year());
                (
                    FormKind::NewOccupation { member: m.map(|m| (m.fund_id, m.id)) },
                    OccupationDraft {
                        category,
                        start_year: thai::be_year(start).to_string(),
                        loans,
                        ..Default::default()
                    },
                )
            }
        };
        let title = match (record, member) {
            (Some(r), _) => Msg::with(k::FORM_EDIT_OCCUPATION, [r.member_name.clone()]),
            (None, Some(m)) => Msg::with(k::FORM_NEW_OCCUPATION_FOR, [m.full_name()]),
            (None, None) => Msg::new(k::FORM_NEW_OCCUPATION),
        };
        let mut fields = Vec::new();
        if kind == (FormKind::NewOccupation { member: None }) {
            fields.push(Field::text(k::FIELD_MEMBER_NID, "", Some(k::HINT_NATIONAL_ID)));
        }
        let money = |label, v: &String| Field::text(label, v.clone(), Some(k::HINT_AMOUNT_YEAR));
        fields.extend([
            Field::choice(k::FIELD_CATEGORY, self.category_options(), u32::from(draft.category)),
            Field::text(k::FIELD_DESCRIPTION, &draft.description, None),
            Field::text(k::FIELD_START_YEAR, &draft.start_year, Some(k::HINT_YEAR)),
            Field::text(k::FIELD_LOANS, &draft.loans, Some(k::HINT_LOANS)),
            money(k::FIELD_INCOME_BEFORE, &draft.before[0]),
            money(k::FIELD_EXPENSES_BEFORE, &draft.before[1]),
            money(k::FIELD_SAVINGS_BEFORE, &draft.before[2]),
            money(k::FIELD_INCOME_AFTER, &draft.after[0]),
            money(k::FIELD_EXPENSES_AFTER, &draft.after[1]),
            money(k::FIELD_SAVINGS_AFTER, &draft.after[2]),
            Field::choice(
                k::FIELD_OCC_STATUS,
                labels::options(&OCC_STATUSES, labels::occupation_status),
                OCC_STATUSES.iter().position(|s| *s == draft.status).unwrap_or(0) as u32,
            ),
            Field::choice(
                k::FIELD_STAGE,
                labels::options(&Stage::ALL, labels::stage),
                Stage::ALL.iter().position(|s| *s == draft.stage).unwrap_or(0) as u32,
            ),
        ]);
        self.sh.form = Some(Form::new(kind, title, fields));
    }

    pub(super) fn submit_occupation(&mut self, store: &Store) {
        let Some(form) = &self.sh.form else { return };
        let by_nid = form.kind == (FormKind::NewOccupation { member: None });
        let off = usize::from(by_nid);
        let t = |i: usize| form.fields.get(i + off).map(|x| x.text_value().to_string()).unwrap_or_default();
        let c = |i: usize| form.fields.get(i + off).and_then(Field::choice_value);
        let draft = OccupationDraft {
            category: c(0).unwrap_or(0) as u16,
            description: t(1),
            start_year: t(2),
            loans: t(3),
            before: [t(4), t(5), t(6)],
            after: [t(7), t(8), t(9)],
            status: labels::pick(&OCC_STATUSES, c(10)).unwrap_or_default(),
            stage: labels::pick(&Stage::ALL, c(11)).unwrap_or_default(),
        };
        // Which member, and the record as it stands.
        let (member_key_bytes, before) = match form.kind {
            FormKind::NewOccupation { member: Some((f, m)) } => (member_key(f, m), None),
            FormKind::NewOccupation { member: None } => {
                let typed = form.fields.first().map(|f| f.text_value().to_string()).unwrap_or_default();
                let found = NationalId::parse(&typed)
                    .map_err(|e| messages::member(&crate::domain::member::MemberError::NationalId(e)))
                    .and_then(|nid| {
                        store
                            .lookup(trees::MEMBERS_BY_NID, &nid.as_u64().to_be_bytes())
                            .map_err(|e| messages::store(&e))?
                            .ok_or_else(|| Msg::new(k::ERR_NOT_A_MEMBER))
                    });
                match found {
                    Ok(key) => (key, None),
                    Err(msg) => {
                        if let Some(form) = &mut self.sh.form {
                            form.set_error(0, msg);
                        }
                        return;
                    }
                }
            }
            FormKind::EditOccupation { key: (f, m, id), version } => {
                match store.get_at::<OccupationRecord>(&occupation_key(f, m, id)) {
                    Ok(Some(mut r)) => {
                        r.version = version;
                        (member_key(f, m), Some(r))
                    }
                    Ok(None) => return self.sh.form_error(Msg::new(k::ERR_GONE)),
                    Err(e) => return self.sh.form_error(messages::store(&e)),
                }
            }
            _ => return,
        };
        let member = match store.get_at::<Member>(&member_key_bytes) {
            Ok(Some(m)) => m,
            Ok(None) => return self.sh.form_error(Msg::new(k::ERR_GONE)),
            Err(e) => return self.sh.form_error(messages::store(&e)),
        };
        let district = self.funds.rows.iter().find(|r| r.id == member.fund_id).map_or(0, |r| r.district);
        let mut record =
            before.clone().unwrap_or_else(|| OccupationRecord::new(&member, district, self.sh.today.year()));
        record.member_name = member.full_name();
        record.district = district;
        let loans: Vec<u64> = member.loans.iter().map(|l| l.id).collect();
        let exists = self.sh.categories.iter().any(|c| c.code == draft.category);
        let applied = draft.apply(&mut record, exists, &loans, self.sh.today);
        record.refresh_loans(&member.loans);
        if let Err(errs) = applied {
            if let Some(form) = &mut self.sh.form {
                for (field, e) in errs {
                    let i = OCC_FIELDS.iter().position(|f| *f == field).unwrap_or(0) + off;
                    form.set_error(i, messages::occupation(&e));
                }
            }
            return;
        }
        match store.save(self.sh.who(), &record) {
            Ok(saved) => {
                let after = Some(((saved.fund_id, saved.member_id, saved.id), saved.version));
                self.sh.undo.push(Undo::Occupation { before, after });
                self.sh.form = None;
                self.sh.info(Msg::with(
                    k::SAVED,
                    [format!("{} · {}", saved.member_name, self.category_label(saved.category))],
                ));
                self.occupation_changed(store, Some(&saved), (saved.fund_id, saved.member_id, saved.id));
                self.seen_generation = store.generation();
            }
            Err(e) => self.sh.form_error(messages::save(&e)),
        }
    }

    /// Brings the catalog and every screen showing this record up to date
    /// (`saved = None`: it was deleted).
    pub(super) fn occupation_changed(
        &mut self,
        store: &Store,
        saved: Option<&OccupationRecord>,
        key: (u64, u64, u64),
    ) {
        if let Ok(mut c) = self.sh.catalog.write() {
            match saved {
                Some(r) => c.upsert(r),
                None => c.remove(key.2),
            }
        }
        if let Some(d) = &mut self.occ.detail
            && d.record.id == key.2
        {
            match saved {
                Some(r) => d.record = r.clone(),
                None => self.occ.detail = None,
            }
        }
        if let Ok(Some(m)) = store.get_at::<Member>(&member_key(key.0, key.1)) {
            self.member_changed(store, &m);
        }
        self.occ_refresh();
        if self.tab == super::Tab::Ranking {
            self.rank_refresh();
        }
    }

    pub(super) fn delete_occupation(&mut self, store: &Store, key: (u64, u64, u64), version: u64) {
        match store.delete_at::<OccupationRecord>(self.sh.who(), &occupation_key(key.0, key.1, key.2), version) {
            Ok(gone) => {
                self.sh.info(Msg::with(k::DELETED_OCCUPATION, [gone.member_name.clone()]));
                self.sh.undo.push(Undo::Occupation { before: Some(gone), after: None });
                self.occupation_changed(store, None, key);
                self.seen_generation = store.generation();
            }
            Err(e) => self.sh.error(messages::save(&e)),
        }
    }

    pub(super) fn submit_category(&mut self, store: &Store) {
        let Some(form) = &mut self.sh.form else { return };
        let th = form.fields.first().map(|f| f.text_value().to_string()).unwrap_or_default();
        let en = form.fields.get(1).map(|f| f.text_value().to_string()).unwrap_or_default();
        if let Err(d) = self.sh.access.may_change(None) {
            form.error = Some(messages::denied(&d));
            return;
        }
        match store.add_category(&self.sh.officer, &th, &en) {
            Ok(c) => {
                self.sh.form = None;
                self.sh.info(Msg::with(k::CATEGORY_ADDED, [c.name(self.sh.lang).to_string()]));
                self.sh.categories = store.categories().unwrap_or_default();
            }
            Err(AddCategoryError::NameRequired) => form.set_error(0, Msg::new(k::ERR_REQUIRED)),
            Err(AddCategoryError::Exists) => form.set_error(0, Msg::new(k::ERR_CATEGORY_EXISTS)),
            Err(AddCategoryError::Store(e)) => form.error = Some(messages::store(&e)),
        }
    }
}
