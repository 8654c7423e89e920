//! The Funds tab (กองทุน): a filtered, sorted, virtualised list of funds; a fund's
//! detail with its capital ledger; forms to create and edit funds and capital
//! events; delete with confirmation; undo.

use std::{collections::HashMap, sync::Arc};

use super::{
    action::{Action, Ctx, Pending, PickPurpose},
    cx::Cx,
    export::{money, text},
    form::{Field, Form, FormKind, Opt},
    layout,
    list::ListPos,
    overlay::Overlay,
    shared::Shared,
    text::{TextEdit, TextInput},
};
use crate::service::{geo::Geo, labels, messages};
use crate::{
    domain::{
        Date, Lang,
        fund::{
            CapitalDraft, CapitalField, CapitalKind, Fund, FundDraft, FundError, FundField, FundKind, Grade,
        },
        member::Member,
        thai,
    },
    i18n::{Msg, k, tr},
    io::table::Cell,
    store::{SaveError, Store, StoreError, member_key},
};

pub use super::fund_row::{FundList, FundRow};
pub use super::fund_views::{Detail, LoanView, MemberRow, MemberView, MembersView, Screen};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum SortCol {
    #[default]
    Code,
    Name,
    Subdistrict,
    District,
    Grade,
    Members,
    Capital,
}

impl SortCol {
    pub const ALL: [SortCol; 7] = [
        SortCol::Code,
        SortCol::Name,
        SortCol::Subdistrict,
        SortCol::District,
        SortCol::Grade,
        SortCol::Members,
        SortCol::Capital,
    ];

    fn next(self) -> SortCol {
        let i = SortCol::ALL.iter().position(|c| *c == self).unwrap_or(0);
        SortCol::ALL[(i + 1) % SortCol::ALL.len()]
    }

    pub fn label(self) -> crate::i18n::Key {
        match self {
            SortCol::Code => k::COL_CODE,
            SortCol::Name => k::COL_NAME,
            SortCol::Subdistrict => k::COL_SUBDISTRICT,
            SortCol::District => k::COL_DISTRICT,
            SortCol::Grade => k::COL_GRADE,
            SortCol::Members => k::COL_MEMBERS,
            SortCol::Capital => k::COL_CAPITAL,
        }
    }
}

#[derive(Default)]
pub struct FundsTab {
    /// Shared with the other screens' lookups (see `Cx::funds`).
    pub rows: Arc<FundList>,
    /// Every row index in the current sort order.
    order: Vec<u32>,
    /// `order` after the text and district filters: what the list shows.
    pub view: Vec<u32>,
    pub pos: ListPos,
    pub filter: TextInput,
    /// Typing into the filter (after `/`).
    pub filtering: bool,
    pub district: Option<u16>,
    pub sort: SortCol,
    pub desc: bool,
    /// Screens opened over the list; empty: the list itself.
    pub stack: Vec<Screen>,
    lang: Lang,
    /// The date the detail's figures are computed for (the app's date).
    as_of: Option<Date>,
    /// Thai collation keys of the fund names, computed on the first sort by name.
    name_keys: Option<Vec<Vec<u8>>>,
    /// Collation keys of place names in the current language.
    place_keys: HashMap<u32, Vec<u8>>,
}

impl FundsTab {
    /// Each fund's village code (PPDDSSVV) by fund id, as the sage plan wants it.
    pub fn villages(&self) -> HashMap<u64, u32> {
        self.rows.iter().map(|r| (r.id, r.code.parse().unwrap_or(0))).collect()
    }

    /// Reads every fund; keeps the selection on the same fund where it still exists.
    /// Reads the funds the session may see (a fund committee its fund, a
    /// network committee its district's, everyone else all).
    /// Every session that reads all funds shares one list (see `Common`).
    pub fn load(
        &mut self,
        common: &super::common::Common,
        store: &Store,
        geo: &Geo,
        lang: Lang,
        access: crate::domain::officer::Access,
    ) -> Result<(), StoreError> {
        let keep = self.selected().map(|r| r.id);
        let all = common.funds(store)?;
        self.rows = if access.reads_all() {
            all
        } else {
            Arc::new(all.only(|r| access.may_read_fund(r.id, r.district)))
        };
        self.lang = lang;
        self.name_keys = None;
        self.place_keys.clear();
        self.resort(geo);
        self.refilter_keeping(keep, usize::MAX);
        Ok(())
    }

    pub fn total(&self) -> usize {
        self.rows.len()
    }

    /// The fund detail, when it is the screen on top.
    pub fn detail(&self) -> Option<&Detail> {
        match self.stack.last() {
            Some(Screen::Fund(d)) => Some(d),
            _ => None,
        }
    }

    pub fn detail_mut(&mut self) -> Option<&mut Detail> {
        match self.stack.last_mut() {
            Some(Screen::Fund(d)) => Some(d),
            _ => None,
        }
    }

    pub fn code_of(&self, fund: u64) -> Option<String> {
        self.rows.iter().find(|r| r.id == fund).map(|r| r.code.to_string())
    }

    /// A fund's figures in the detail follow a change to its members. (Its
    /// member count in the list follows when the app reads the funds again
    /// at the end of the action: the list may be shared with other sessions.)
    pub fn refresh_stats(&mut self, store: &Store, fund: u64) {
        let as_of = self.as_of.unwrap_or_else(Date::today);
        for s in &mut self.stack {
            if let Screen::Fund(d) = s
                && d.fund.id == fund
            {
                d.refresh_figures(store, as_of);
            }
        }
    }

    /// The date-dependent figures after the app's date changed.
    pub fn refresh_portfolio(&mut self, store: &Store, as_of: Date) {
        self.as_of = Some(as_of);
        for s in &mut self.stack {
            if let Screen::Fund(d) = s {
                d.refresh_figures(store, as_of);
            }
        }
    }

    pub fn selected(&self) -> Option<&FundRow> {
        let i = *self.view.get(self.pos.cursor)?;
        self.rows.get(i as usize)
    }

    /// The rows on screen: `page` rows from the scroll offset.
    pub fn visible(&self, page: usize) -> impl Iterator<Item = (usize, &FundRow)> {
        let w = self.pos.window(self.view.len(), page);
        self.view[w.clone()].iter().zip(w).map(|(i, n)| (n, &self.rows[*i as usize]))
    }

    pub fn language_changed(&mut self, lang: Lang, geo: &Geo) {
        self.lang = lang;
        self.place_keys.clear();
        if matches!(self.sort, SortCol::District | SortCol::Subdistrict) {
            let keep = self.selected().map(|r| r.id);
            self.resort(geo);
            self.refilter_keeping(keep, usize::MAX);
        }
    }

    fn place_key(&mut self, geo: &Geo, code: u32) -> Vec<u8> {
        let lang = self.lang;
        self.place_keys.entry(code).or_insert_with(|| thai::sort_key(&geo.name(code, lang))).clone()
    }

    fn resort(&mut self, geo: &Geo) {
        let mut order: Vec<u32> = (0..self.rows.len() as u32).collect();
        let rows = &self.rows;
        let by_code = |a: &u32, b: &u32| rows[*a as usize].code.cmp(&rows[*b as usize].code);
        match self.sort {
            SortCol::Code => order.sort_by(by_code),
            SortCol::Name => {
                let keys = self
                    .name_keys
                    .get_or_insert_with(|| rows.iter().map(|r| thai::sort_key(&r.name)).collect());
                order.sort_by(|a, b| keys[*a as usize].cmp(&keys[*b as usize]).then_with(|| by_code(a, b)));
            }
            SortCol::District | SortCol::Subdistrict => {
                let place = |r: &FundRow| {
                    if self.sort == SortCol::District { u32::from(r.district) } else { r.subdistrict }
                };
                let codes: Vec<u32> = self.rows.iter().map(place).collect();
                let keys: Vec<Vec<u8>> = codes.iter().map(|c| self.place_key(geo, *c)).collect();
                let rows = &self.rows;
                order.sort_by(|a, b| {
                    keys[*a as usize]
                        .cmp(&keys[*b as usize])
                        .then_with(|| rows[*a as usize].code.cmp(&rows[*b as usize].code))
                });
            }
            SortCol::Grade => order.sort_by(|a, b| {
                rows[*a as usize].grade.cmp(&rows[*b as usize].grade).then_with(|| by_code(a, b))
            }),
            SortCol::Members => order.sort_by(|a, b| {
                rows[*a as usize].members.cmp(&rows[*b as usize].members).then_with(|| by_code(a, b))
            }),
            SortCol::Capital => order.sort_by(|a, b| {
                rows[*a as usize].capital.cmp(&rows[*b as usize].capital).then_with(|| by_code(a, b))
            }),
        }
        if self.desc {
            order.reverse();
        }
        self.order = order;
    }

    /// Re-applies the filters after a keystroke, keeping the selected fund.
    pub fn refilter(&mut self, page: usize) {
        let keep = self.selected().map(|r| r.id);
        self.refilter_keeping(keep, page);
    }

    fn refilter_keeping(&mut self, keep: Option<u64>, page: usize) {
        let query = thai::fold_for_search(self.filter.as_str());
        let district = self.district;
        let rows = &self.rows;
        let mut hit = vec![true; rows.len()];
        for t in query.split_whitespace() {
            rows.keep_holding(t, &mut hit);
        }
        self.view = self
            .order
            .iter()
            .copied()
            .filter(|i| {
                let i = *i as usize;
                hit.get(i).is_some_and(|h| *h) && district.is_none_or(|d| rows[i].district == d)
            })
            .collect();
        let at = keep.and_then(|id| self.view.iter().position(|i| rows[*i as usize].id == id));
        self.pos.set(at.unwrap_or(0), self.view.len(), page);
    }

    pub fn set_district(&mut self, district: Option<u16>, page: usize) {
        self.district = district;
        self.refilter(page);
    }

    fn set_sort(&mut self, sort: SortCol, desc: bool, geo: &Geo, page: usize) {
        let keep = self.selected().map(|r| r.id);
        self.sort = sort;
        self.desc = desc;
        self.resort(geo);
        self.refilter_keeping(keep, page);
    }

    /// Keeps every cursor of the tab within its list on a screen `height`
    /// rows tall (`page`: the rows of a full-height list).
    pub fn clamp(&mut self, page: usize, height: u16) {
        let (fund_page, ledger_page) = (layout::fund_ledger_rows(height), layout::ledger_rows(height));
        let member_page = layout::member_rows(height);
        self.pos.clamp(self.view.len(), page);
        for s in &mut self.stack {
            match s {
                Screen::Fund(d) => d.ledger.clamp(d.fund.capital.len(), fund_page),
                Screen::Members(v) => v.pos.clamp(v.view.len(), page),
                Screen::Member(v) => {
                    let n = v.len();
                    v.pos.clamp(n, member_page)
                }
                Screen::Loan(v) => {
                    let n = v.loan().map_or(0, |l| l.repayments.len());
                    v.pos.clamp(n, ledger_page)
                }
            }
        }
    }

    /// Puts a saved fund into the list (new or changed) and selects it.
    fn upsert(&mut self, f: &Fund, geo: &Geo, page: usize) {
        let row = FundRow::new(f, self.rows.iter().find(|r| r.id == f.id).map_or(0, |r| r.members));
        Arc::make_mut(&mut self.rows).put(row, &FundRow::search_text(f, geo));
        self.name_keys = None;
        self.resort(geo);
        self.refilter_keeping(Some(f.id), page);
        for s in &mut self.stack {
            if let Screen::Fund(d) = s
                && d.fund.id == f.id
            {
                d.fund = f.clone();
            }
        }
    }

    fn remove(&mut self, id: u64, geo: &Geo, page: usize) {
        let cursor = self.pos.cursor;
        Arc::make_mut(&mut self.rows).remove(id);
        self.name_keys = None;
        self.resort(geo);
        self.refilter_keeping(None, page);
        self.pos.set(cursor, self.view.len(), page);
        if self.stack.iter().any(|s| matches!(s, Screen::Fund(d) if d.fund.id == id)) {
            self.stack.clear();
        }
    }

    /// Re-reads what the open screens show (another officer may have changed
    /// it); a screen whose record is gone closes.
    pub fn refresh_screens(&mut self, store: &Store, as_of: Date) {
        self.as_of = Some(as_of);
        let page = usize::MAX;
        let mut keep = 0;
        for s in &mut self.stack {
            let alive = match s {
                Screen::Fund(d) => match store.get::<Fund>(d.fund.id) {
                    Ok(Some(f)) => {
                        d.fund = f;
                        d.refresh_figures(store, as_of);
                        true
                    }
                    Ok(None) => false,
                    Err(_) => true,
                },
                Screen::Members(v) => {
                    let keep = v.selected().map(|r| r.id);
                    let ok = v.load(store, as_of).is_ok();
                    v.refilter(keep, page);
                    ok
                }
                Screen::Member(v) => match store.get_at::<Member>(&member_key(v.member.fund_id, v.member.id))
                {
                    Ok(Some(m)) => {
                        if let Ok(o) = store.scan_prefix(&member_key(m.fund_id, m.id)) {
                            v.occupations = o;
                        }
                        v.member = m;
                        true
                    }
                    Ok(None) => false,
                    Err(_) => true,
                },
                Screen::Loan(v) => match store.get_at::<Member>(&member_key(v.member.fund_id, v.member.id)) {
                    Ok(Some(m)) => {
                        v.member = m;
                        v.loan().is_some()
                    }
                    Ok(None) => false,
                    Err(_) => true,
                },
            };
            if !alive {
                break;
            }
            keep += 1;
        }
        self.stack.truncate(keep);
    }
}

// ---------------------------------------------------------------- forms

const FUND_FIELDS: [FundField; 8] = [
    FundField::District,
    FundField::Code,
    FundField::Name,
    FundField::Kind,
    FundField::RegistrationNo,
    FundField::Established,
    FundField::Grade,
    FundField::AssessedYear,
];

const CAPITAL_FIELDS: [CapitalField; 4] =
    [CapitalField::Kind, CapitalField::Date, CapitalField::Amount, CapitalField::Note];

fn district_options(geo: &Geo) -> Vec<Opt> {
    geo.districts()
        .iter()
        .map(|d| {
            let c = u32::from(*d);
            Opt::new(c, format!("{d} {}", geo.name(c, Lang::Th)), format!("{d} {}", geo.name(c, Lang::En)))
        })
        .collect()
}

fn fund_form(kind: FormKind, draft: &FundDraft, geo: &Geo) -> Form {
    let title = match kind {
        FormKind::EditFund { .. } => Msg::with(k::FORM_EDIT_FUND, [draft.code.clone()]),
        _ => Msg::new(k::FORM_NEW_FUND),
    };
    let kinds = [FundKind::Village, FundKind::Urban];
    let fields = FUND_FIELDS
        .iter()
        .map(|f| match f {
            FundField::District => {
                Field::choice(k::FIELD_DISTRICT, district_options(geo), u32::from(draft.district))
            }
            FundField::Code => Field::text(k::FIELD_FUND_CODE, &draft.code, Some(k::HINT_FUND_CODE)),
            FundField::Name => Field::text(k::FIELD_FUND_NAME, &draft.name, None),
            FundField::Kind => Field::choice(
                k::FIELD_FUND_KIND,
                labels::options(&kinds, labels::fund_kind),
                kinds.iter().position(|x| *x == draft.kind).unwrap_or(0) as u32,
            ),
            FundField::RegistrationNo => Field::text(k::FIELD_REGISTRATION, &draft.registration_no, None),
            FundField::Established => {
                Field::text(k::FIELD_ESTABLISHED, &draft.established, Some(k::HINT_DATE))
            }
            FundField::Grade => Field::choice(
                k::FIELD_GRADE,
                labels::options(&Grade::ALL, labels::grade),
                Grade::ALL.iter().position(|g| *g == draft.grade).unwrap_or(0) as u32,
            ),
            FundField::AssessedYear => {
                Field::text(k::FIELD_ASSESSED_YEAR, &draft.assessed_year, Some(k::HINT_YEAR))
            }
        })
        .collect();
    Form::new(kind, title, fields)
}

fn fund_draft(form: &Form) -> FundDraft {
    let field = |f: FundField| FUND_FIELDS.iter().position(|x| *x == f).and_then(|i| form.fields.get(i));
    let text = |f| field(f).map(|x| x.text_value().to_string()).unwrap_or_default();
    let choice = |f| field(f).and_then(Field::choice_value);
    FundDraft {
        code: text(FundField::Code),
        name: text(FundField::Name),
        kind: labels::pick(&[FundKind::Village, FundKind::Urban], choice(FundField::Kind))
            .unwrap_or_default(),
        district: choice(FundField::District).unwrap_or(0) as u16,
        registration_no: text(FundField::RegistrationNo),
        established: text(FundField::Established),
        grade: labels::pick(&Grade::ALL, choice(FundField::Grade)).unwrap_or_default(),
        assessed_year: text(FundField::AssessedYear),
    }
}

fn capital_form(kind: FormKind, draft: &CapitalDraft) -> Form {
    let title = match kind {
        FormKind::EditCapital { .. } => Msg::new(k::FORM_EDIT_CAPITAL),
        _ => Msg::new(k::FORM_NEW_CAPITAL),
    };
    let fields = vec![
        Field::choice(
            k::FIELD_CAPITAL_KIND,
            labels::options(&CapitalKind::ALL, labels::capital_kind),
            CapitalKind::ALL.iter().position(|c| *c == draft.kind).unwrap_or(0) as u32,
        ),
        Field::text(k::FIELD_DATE, &draft.date, Some(k::HINT_DATE)),
        Field::text(k::FIELD_AMOUNT, &draft.amount, Some(k::HINT_AMOUNT)),
        Field::text(k::FIELD_NOTE, &draft.note, None),
    ];
    Form::new(kind, title, fields)
}

fn capital_draft(form: &Form) -> CapitalDraft {
    let text = |i: usize| form.fields.get(i).map(|f| f.text_value().to_string()).unwrap_or_default();
    CapitalDraft {
        kind: labels::pick(&CapitalKind::ALL, form.fields.first().and_then(Field::choice_value))
            .unwrap_or(CapitalKind::Other),
        date: text(1),
        amount: text(2),
        note: text(3),
    }
}

impl FundsTab {
    pub fn ctx(&self) -> Ctx {
        match self.stack.last() {
            Some(Screen::Fund(_)) => Ctx::Detail,
            Some(Screen::Members(v)) if v.filtering => Ctx::Filter,
            Some(Screen::Members(_)) => Ctx::Members,
            Some(Screen::Member(_)) => Ctx::Member,
            Some(Screen::Loan(_)) => Ctx::Loan,
            None if self.filtering => Ctx::Filter,
            None => Ctx::List,
        }
    }

    /// A key on the Funds tab: the list, or the screen on top of it.
    pub fn action(&mut self, cx: &mut Cx<'_>, action: Action) {
        match self.stack.last() {
            Some(Screen::Members(_)) => self.members_action(cx, action),
            Some(Screen::Member(_)) => self.member_action(cx, action),
            Some(Screen::Loan(_)) => self.loan_action(cx, action),
            _ => self.funds_action(cx, action),
        }
    }

    /// Typing into the search line of the fund list or a fund's members.
    pub fn filter_action(&mut self, cx: &mut Cx<'_>, action: Action) {
        let page = cx.sh.page();
        if let Some(Screen::Members(v)) = self.stack.last_mut() {
            let keep = v.selected().map(|r| r.id);
            match action {
                Action::Text(e) if v.filter.apply(e) => v.refilter(keep, page),
                Action::Back => {
                    v.filter.set("");
                    v.filtering = false;
                    v.refilter(keep, page);
                }
                Action::Open => v.filtering = false,
                Action::Quit => cx.sh.quit = true,
                _ => {
                    v.pos.navigate(action, v.view.len(), page);
                }
            }
            return;
        }
        match action {
            Action::Text(e) if self.filter.apply(e) => self.refilter(page),
            Action::Back => {
                self.filter.apply(TextEdit::Clear);
                self.filtering = false;
                self.refilter(page);
            }
            Action::Open => self.filtering = false,
            Action::Quit => cx.sh.quit = true,
            _ => {
                self.pos.navigate(action, self.view.len(), page);
            }
        }
    }

    /// A confirmation of this tab said yes.
    pub fn confirmed(&mut self, cx: &mut Cx<'_>, then: Pending) {
        let store = cx.store;
        match then {
            Pending::DeleteFund { id, version } => self.delete_fund(cx, store, id, version),
            Pending::DeleteCapital { fund_id, version, seq } => {
                self.delete_capital(cx, store, fund_id, version, seq)
            }
            Pending::DeleteMember { fund_id, id, version } => {
                self.delete_member(cx, store, fund_id, id, version)
            }
            Pending::DeleteLoan { fund_id, member_id, version, loan_id } => self.edit_loan_book(
                cx,
                store,
                (fund_id, member_id, version),
                |m| m.loans.retain(|l| l.id != loan_id),
                Msg::new(k::DELETED_LOAN),
            ),
            Pending::DeleteRepayment { fund_id, member_id, version, loan_id, index } => self.edit_loan_book(
                cx,
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
            _ => {}
        }
    }

    /// The forms of this tab: funds, capital, members, loans, repayments, the date.
    pub fn submit(&mut self, cx: &mut Cx<'_>, kind: FormKind) {
        let store = cx.store;
        match kind {
            FormKind::NewFund | FormKind::EditFund { .. } => self.submit_fund(cx, store),
            FormKind::NewCapital { .. } | FormKind::EditCapital { .. } => self.submit_capital(cx, store),
            FormKind::NewMember { .. } | FormKind::EditMember { .. } => self.submit_member(cx, store),
            FormKind::NewLoan { .. } | FormKind::EditLoan { .. } => self.submit_loan(cx, store),
            FormKind::Repayment { .. } => self.submit_repayment(cx, store),
            FormKind::AsOf => self.submit_as_of(cx, store),
            _ => {}
        }
    }

    /// The list on screen (funds, or a fund's members), for `x`.
    pub fn list_table(&self, sh: &Shared) -> Option<(Vec<String>, Vec<Vec<Cell>>)> {
        let lang = sh.lang;
        let t = |key| tr(lang, key).to_string();
        match self.stack.last() {
            None => Some((
                [
                    k::COL_CODE,
                    k::COL_FUND_NAME,
                    k::COL_SUBDISTRICT,
                    k::COL_DISTRICT,
                    k::COL_GRADE,
                    k::COL_MEMBERS,
                    k::COL_CAPITAL,
                ]
                .map(t)
                .to_vec(),
                self.view
                    .iter()
                    .filter_map(|i| self.rows.get(*i as usize))
                    .map(|r| {
                        vec![
                            text(r.code.to_string()),
                            text(r.name.to_string()),
                            text(sh.geo.name(r.subdistrict, lang)),
                            text(sh.geo.name(u32::from(r.district), lang)),
                            text(r.grade.letter()),
                            Cell::Number(f64::from(r.members)),
                            money(r.capital),
                        ]
                    })
                    .collect(),
            )),
            Some(Screen::Members(v)) => Some((
                [
                    k::COL_MEMBER,
                    k::FIELD_NATIONAL_ID,
                    k::COL_STATUS,
                    k::COL_LOANS,
                    k::COL_OUTSTANDING,
                    k::COL_DAYS_LATE,
                ]
                .map(t)
                .to_vec(),
                v.view
                    .iter()
                    .filter_map(|i| v.rows.get(*i as usize))
                    .map(|r| {
                        vec![
                            text(r.name.clone()),
                            text(r.national_id.to_string()),
                            text(t(labels::member_status(r.status))),
                            Cell::Number(r.loans as f64),
                            money(r.outstanding),
                            Cell::Number(f64::from(r.days_overdue.max(0))),
                        ]
                    })
                    .collect(),
            )),
            _ => None,
        }
    }

    fn funds_action(&mut self, cx: &mut Cx<'_>, action: Action) {
        let store = cx.store;
        let page = cx.sh.page();
        if self.detail().is_some() {
            return self.detail_action(cx, action, store);
        }
        if self.pos.navigate(action, self.view.len(), page) {
            return;
        }
        match action {
            Action::Open => {
                if let Some(id) = self.selected().map(|r| r.id) {
                    match store.get::<Fund>(id) {
                        Ok(Some(fund)) => {
                            let as_of = cx.sh.as_of;
                            self.stack.push(Screen::Fund(Detail::new(store, fund, as_of)))
                        }
                        Ok(None) => cx.sh.error(k::ERR_GONE),
                        Err(e) => cx.sh.error(messages::store(&e)),
                    }
                }
            }
            Action::Filter => self.filtering = true,
            Action::Export => super::export::open_form(cx.sh, "funds"),
            Action::Back if !self.filter.is_empty() || self.district.is_some() => {
                self.filter.apply(TextEdit::Clear);
                self.set_district(None, page);
            }
            Action::SortNext => {
                let next = self.sort.next();
                self.set_sort(next, false, &cx.sh.geo, page);
                cx.sh.info(Msg::with(k::SORTED_BY, [tr(cx.sh.lang, next.label()).to_string()]));
            }
            Action::SortReverse => {
                let (sort, desc) = (self.sort, !self.desc);
                self.set_sort(sort, desc, &cx.sh.geo, page);
            }
            Action::PickDistrict => self.open_district_picker(cx),
            Action::New => self.open_fund_form(cx, None),
            Action::Edit => {
                if let Some(id) = self.selected().map(|r| r.id) {
                    match store.get::<Fund>(id) {
                        Ok(Some(f)) => self.open_fund_form(cx, Some(&f)),
                        Ok(None) => cx.sh.error(k::ERR_GONE),
                        Err(e) => cx.sh.error(messages::store(&e)),
                    }
                }
            }
            Action::Delete => {
                if let Some(r) = self.selected() {
                    let msg = Msg::with(k::CONFIRM_DELETE_FUND, [r.code.to_string(), r.name.to_string()]);
                    let then = Pending::DeleteFund { id: r.id, version: r.version };
                    cx.sh.overlay = Some(Overlay::Confirm { msg, then });
                }
            }
            _ => {}
        }
    }

    fn detail_action(&mut self, cx: &mut Cx<'_>, action: Action, store: &Store) {
        let ledger_page = layout::fund_ledger_rows(cx.sh.size.1);
        let Some(d) = self.detail_mut() else {
            return;
        };
        if d.ledger.navigate(action, d.fund.capital.len(), ledger_page) {
            return;
        }
        match action {
            Action::Back => {
                self.stack.pop();
            }
            Action::Members => self.open_members(cx, store),
            Action::Templates => {
                let code = d.fund.code.clone();
                super::export::write_templates(cx.sh, store, &code);
            }
            Action::Edit => {
                let f = d.fund.clone();
                self.open_fund_form(cx, Some(&f));
            }
            Action::New => {
                let f = &d.fund;
                let kind = if f.capital.iter().any(|e| e.kind == CapitalKind::Initial) {
                    CapitalKind::Other
                } else {
                    CapitalKind::Initial
                };
                let draft =
                    CapitalDraft { kind, date: String::new(), amount: String::new(), note: String::new() };
                cx.sh.form =
                    Some(capital_form(FormKind::NewCapital { fund_id: f.id, version: f.version }, &draft));
            }
            Action::Open => {
                let f = &d.fund;
                if let Some(e) = f.ledger().get(d.ledger.cursor) {
                    let draft = CapitalDraft {
                        kind: e.kind,
                        date: thai::format_date(e.date, cx.sh.lang),
                        amount: e.amount.format(),
                        note: e.note.clone(),
                    };
                    let kind = FormKind::EditCapital { fund_id: f.id, version: f.version, seq: e.seq };
                    cx.sh.form = Some(capital_form(kind, &draft));
                }
            }
            Action::Delete => {
                let f = &d.fund;
                if let Some(e) = f.ledger().get(d.ledger.cursor) {
                    let msg = Msg::with(
                        k::CONFIRM_DELETE_CAPITAL,
                        [tr(cx.sh.lang, labels::capital_kind(e.kind)).to_string(), e.amount.format()],
                    );
                    let then = Pending::DeleteCapital { fund_id: f.id, version: f.version, seq: e.seq };
                    cx.sh.overlay = Some(Overlay::Confirm { msg, then });
                }
            }
            _ => {}
        }
    }

    fn open_district_picker(&mut self, cx: &mut Cx<'_>) {
        let options = district_options(&cx.sh.geo);
        let current = self.district.map(u32::from);
        cx.sh.open_picker(k::PICK_DISTRICT, options, current, PickPurpose::DistrictFilter);
    }

    fn open_fund_form(&mut self, cx: &mut Cx<'_>, fund: Option<&Fund>) {
        let (kind, draft) = match fund {
            Some(f) => {
                (FormKind::EditFund { id: f.id, version: f.version }, FundDraft::from_fund(f, cx.sh.lang))
            }
            None => {
                // A district officer's own district first: another's is refused.
                let district = cx
                    .sh
                    .access
                    .changes_only_district()
                    .or(self.district)
                    .or_else(|| self.selected().map(|r| r.district))
                    .or_else(|| cx.sh.geo.districts().first().copied())
                    .unwrap_or(0);
                (
                    FormKind::NewFund,
                    FundDraft { district, code: format!("{district:04}"), ..Default::default() },
                )
            }
        };
        let mut form = fund_form(kind, &draft, &cx.sh.geo);
        if kind == FormKind::NewFund {
            // The district is preset from the filter or selection; start at the code.
            form.focus = 1;
        }
        cx.sh.form = Some(form);
    }

    /// The fund a form edits, at the version the form was opened with, so a save
    /// over another officer's change is refused rather than lost.
    fn fund_at(&mut self, cx: &mut Cx<'_>, store: &Store, id: u64, version: u64) -> Option<Fund> {
        match store.get::<Fund>(id) {
            Ok(Some(mut f)) => {
                f.version = version;
                Some(f)
            }
            Ok(None) => {
                cx.sh.form_error(Msg::new(k::ERR_GONE));
                None
            }
            Err(e) => {
                cx.sh.form_error(messages::store(&e));
                None
            }
        }
    }

    fn submit_fund(&mut self, cx: &mut Cx<'_>, store: &Store) {
        let Some(form) = &cx.sh.form else { return };
        let draft = fund_draft(form);
        let mut fund = match form.kind {
            FormKind::EditFund { id, version } => match self.fund_at(cx, store, id, version) {
                Some(f) => f,
                None => return,
            },
            _ => Fund::default(),
        };
        let has_members = fund.id != 0 && store.fund_stats(fund.id).is_ok_and(|s| s.members > 0);
        if let Err(errs) = draft.apply(&mut fund, &*cx.sh.geo, has_members, cx.sh.today) {
            if let Some(form) = &mut cx.sh.form {
                for (field, e) in errs {
                    let i = FUND_FIELDS.iter().position(|f| *f == field).unwrap_or(0);
                    form.set_error(i, messages::fund(&e));
                }
            }
            return;
        }
        self.save_fund(cx, store, fund, |sh, e| {
            let code_field = FUND_FIELDS.iter().position(|f| *f == FundField::Code).unwrap_or(0);
            if let SaveError::Duplicate { other, .. } = e {
                let name = store.get_at::<Fund>(other).ok().flatten().map(|f| f.name).unwrap_or_default();
                if let Some(form) = &mut sh.form {
                    form.set_error(code_field, messages::fund(&FundError::DuplicateCode(name)));
                }
                return true;
            }
            false
        });
    }

    fn submit_capital(&mut self, cx: &mut Cx<'_>, store: &Store) {
        let Some(form) = &cx.sh.form else { return };
        let draft = capital_draft(form);
        let (fund_id, version, seq) = match form.kind {
            FormKind::NewCapital { fund_id, version } => (fund_id, version, None),
            FormKind::EditCapital { fund_id, version, seq } => (fund_id, version, Some(seq)),
            _ => return,
        };
        let Some(before) = self.fund_at(cx, store, fund_id, version) else {
            return;
        };
        let mut fund = before.clone();
        match draft.apply(&mut fund, seq, cx.sh.today) {
            Ok(seq) => {
                if self.save_fund(cx, store, fund, |_, _| false)
                    && let Some(d) = self.detail_mut()
                {
                    let at = d.fund.ledger().iter().position(|e| e.seq == seq).unwrap_or(0);
                    d.ledger.set(at, d.fund.capital.len(), layout::fund_ledger_rows(cx.sh.size.1));
                }
            }
            Err(errs) => {
                if let Some(form) = &mut cx.sh.form {
                    for (field, e) in errs {
                        let i = CAPITAL_FIELDS.iter().position(|f| *f == field).unwrap_or(0);
                        form.set_error(i, messages::capital(&e));
                    }
                }
            }
        }
    }

    /// Saves a fund from a form. On success the form closes, the list and detail
    /// show the new state, and the change can be undone; on failure the form
    /// stays open with everything typed. `special` may claim an error for a field.
    fn save_fund(
        &mut self,
        cx: &mut Cx<'_>,
        store: &Store,
        fund: Fund,
        special: impl FnOnce(&mut Shared, &SaveError) -> bool,
    ) -> bool {
        match store.save(cx.sh.who(), &fund) {
            Ok(saved) => {
                let page = cx.sh.page();
                self.upsert(&saved, &cx.sh.geo, page);
                cx.sh.form = None;
                cx.sh.info(Msg::with(k::SAVED, [saved.code.clone()]));
                true
            }
            Err(e) => {
                if !special(cx.sh, &e) {
                    cx.sh.form_error(messages::save(&e));
                }
                false
            }
        }
    }

    fn delete_fund(&mut self, cx: &mut Cx<'_>, store: &Store, id: u64, version: u64) {
        match store.delete::<Fund>(cx.sh.who(), id, version) {
            Ok(gone) => {
                let page = cx.sh.page();
                self.remove(id, &cx.sh.geo, page);
                cx.sh.info(Msg::with(k::DELETED_FUND, [gone.code.clone()]));
            }
            Err(e) => cx.sh.error(messages::save(&e)),
        }
    }

    fn delete_capital(&mut self, cx: &mut Cx<'_>, store: &Store, fund_id: u64, version: u64, seq: u32) {
        let before = match store.get::<Fund>(fund_id) {
            Ok(Some(mut f)) => {
                f.version = version;
                f
            }
            Ok(None) => return cx.sh.error(k::ERR_GONE),
            Err(e) => return cx.sh.error(messages::store(&e)),
        };
        let mut fund = before.clone();
        fund.capital.retain(|e| e.seq != seq);
        match store.save(cx.sh.who(), &fund) {
            Ok(saved) => {
                let page = cx.sh.page();
                self.upsert(&saved, &cx.sh.geo, page);
                self.clamp(page, cx.sh.size.1);
                cx.sh.info(Msg::new(k::DELETED_CAPITAL));
            }
            Err(e) => cx.sh.error(messages::save(&e)),
        }
    }
}
