//! A fund's members (reached from the fund's detail with `m`), a member's loan
//! book and occupation records, and a loan's schedule and repayments; their
//! forms; deletes that ask first and can be undone.

use std::sync::Arc;

use super::{
    Action, App, Overlay, Pending, Undo,
    form::{Field, Form, FormKind, Opt},
    funds::Screen,
    layout,
    list::ListPos,
    text::TextInput,
};
use crate::service::{labels, messages};
use crate::{
    domain::{
        Date, Money,
        loan::{
            GuarantorLookup, Loan, LoanDraft, LoanField, LoanStatus, RepaymentDraft, RepaymentField,
            RepaymentMode, format_rate,
        },
        member::{Member, MemberDraft, MemberError, MemberField, MemberStatus},
        occupation::OccupationRecord,
        thai::{self, NationalId},
    },
    i18n::{Msg, k},
    store::{SaveError, Store, StoreError, member_key, trees},
};

/// One line of a fund's member list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MemberRow {
    pub id: u64,
    pub version: u64,
    pub name: String,
    pub national_id: NationalId,
    pub status: MemberStatus,
    pub loans: usize,
    pub outstanding: Money,
    pub days_overdue: i32,
    sort: Vec<u8>,
    search: String,
}

impl MemberRow {
    pub fn new(m: &Member, as_of: Date) -> Self {
        let positions: Vec<_> = m.loans.iter().map(|l| l.position(as_of)).collect();
        Self {
            id: m.id,
            version: m.version,
            // Shown as the terminal may show it (see `domain::clean`).
            name: crate::domain::clean::line(&m.full_name()).into_owned(),
            national_id: m.national_id,
            status: m.status,
            loans: m.loans.len(),
            outstanding: positions.iter().map(|p| p.outstanding).sum(),
            days_overdue: positions.iter().map(|p| p.days_overdue).max().unwrap_or(0),
            sort: m.sort_key(),
            search: thai::fold_for_search(&format!("{} {} {}", m.full_name(), m.national_id, m.phone)),
        }
    }
}

/// A fund's members, in Thai order of given name (the title does not count).
#[derive(Clone, Debug, Default)]
pub struct MembersView {
    pub fund_id: u64,
    pub fund_code: String,
    pub fund_name: String,
    pub fund_start: Option<Date>,
    pub rows: Vec<MemberRow>,
    pub view: Vec<u32>,
    pub pos: ListPos,
    pub filter: TextInput,
    pub filtering: bool,
}

impl MembersView {
    pub fn load(&mut self, store: &Store, as_of: Date) -> Result<(), StoreError> {
        let keep = self.selected().map(|r| r.id);
        let mut rows = Vec::new();
        store.for_each_prefix::<Member>(&self.fund_id.to_be_bytes(), |m| {
            rows.push(MemberRow::new(&m, as_of))
        })?;
        rows.sort_by(|a, b| a.sort.cmp(&b.sort).then(a.id.cmp(&b.id)));
        self.rows = rows;
        self.refilter(keep, usize::MAX);
        Ok(())
    }

    pub fn selected(&self) -> Option<&MemberRow> {
        self.rows.get(*self.view.get(self.pos.cursor)? as usize)
    }

    /// Filters by name or national ID (Thai digits and dashes allowed).
    pub fn refilter(&mut self, keep: Option<u64>, page: usize) {
        let q = thai::fold_for_search(self.filter.as_str());
        let digits: String = q.chars().filter(|c| c.is_ascii_digit()).collect();
        let terms: Vec<&str> = q.split_whitespace().collect();
        let rows = &self.rows;
        self.view = (0..rows.len() as u32)
            .filter(|i| {
                let r = &rows[*i as usize];
                let by_id = digits.len() >= 4 && r.national_id.to_string().contains(&digits);
                by_id || terms.iter().all(|t| r.search.contains(t))
            })
            .collect();
        let at = keep.and_then(|id| self.view.iter().position(|i| rows[*i as usize].id == id));
        self.pos.set(at.unwrap_or(0), self.view.len(), page);
    }

    pub fn visible(&self, page: usize) -> impl Iterator<Item = (usize, &MemberRow)> {
        let w = self.pos.window(self.view.len(), page);
        self.view[w.clone()].iter().zip(w).map(|(i, n)| (n, &self.rows[*i as usize]))
    }
}

/// One member: their loans (newest first), then their occupation records.
#[derive(Clone, Debug)]
pub struct MemberView {
    pub member: Member,
    pub fund_code: String,
    pub occupations: Vec<OccupationRecord>,
    pub pos: ListPos,
}

impl MemberView {
    pub fn loans(&self) -> Vec<&Loan> {
        let mut v: Vec<&Loan> = self.member.loans.iter().collect();
        v.sort_by(|a, b| b.start.cmp(&a.start).then(b.id.cmp(&a.id)));
        v
    }

    pub fn len(&self) -> usize {
        self.member.loans.len() + self.occupations.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn selected_loan(&self) -> Option<&Loan> {
        self.loans().get(self.pos.cursor).copied()
    }

    pub fn selected_occupation(&self) -> Option<&OccupationRecord> {
        self.occupations.get(self.pos.cursor.checked_sub(self.member.loans.len())?)
    }
}

/// One loan of a member: schedule and repayments.
#[derive(Clone, Debug)]
pub struct LoanView {
    pub member: Member,
    pub loan_id: u64,
    /// Cursor in the repayments.
    pub pos: ListPos,
}

impl LoanView {
    pub fn loan(&self) -> Option<&Loan> {
        self.member.loan(self.loan_id)
    }
}

// ---------------------------------------------------------------- forms

const MEMBER_FIELDS: [MemberField; 9] = [
    MemberField::Title,
    MemberField::GivenName,
    MemberField::FamilyName,
    MemberField::NationalId,
    MemberField::BirthDate,
    MemberField::HouseholdNo,
    MemberField::Phone,
    MemberField::Joined,
    MemberField::Status,
];

const LOAN_FIELDS: [LoanField; 7] = [
    LoanField::Principal,
    LoanField::Rate,
    LoanField::Start,
    LoanField::Term,
    LoanField::Mode,
    LoanField::Purpose,
    LoanField::Guarantors,
];

const REPAYMENT_FIELDS: [RepaymentField; 4] =
    [RepaymentField::Date, RepaymentField::Principal, RepaymentField::Interest, RepaymentField::Penalty];

const MODES: [RepaymentMode; 2] = [RepaymentMode::LumpSum, RepaymentMode::Monthly];

fn member_form(kind: FormKind, d: &MemberDraft) -> Form {
    let title = match kind {
        FormKind::EditMember { .. } => Msg::new(k::FORM_EDIT_MEMBER),
        _ => Msg::new(k::FORM_NEW_MEMBER),
    };
    let status = MemberStatus::ALL.iter().position(|s| *s == d.status).unwrap_or(0) as u32;
    let fields = vec![
        Field::text(k::FIELD_TITLE, &d.title, Some(k::HINT_TITLE)),
        Field::text(k::FIELD_GIVEN_NAME, &d.given_name, None),
        Field::text(k::FIELD_FAMILY_NAME, &d.family_name, None),
        Field::text(k::FIELD_NATIONAL_ID, &d.national_id, Some(k::HINT_NATIONAL_ID)),
        Field::text(k::FIELD_BIRTH_DATE, &d.birth_date, Some(k::HINT_DATE)),
        Field::text(k::FIELD_HOUSEHOLD, &d.household_no, None),
        Field::text(k::FIELD_PHONE, &d.phone, None),
        Field::text(k::FIELD_JOINED, &d.joined, Some(k::HINT_DATE)),
        Field::choice(
            k::FIELD_MEMBER_STATUS,
            labels::options(&MemberStatus::ALL, labels::member_status),
            status,
        ),
    ];
    Form::new(kind, title, fields)
}

fn member_draft(f: &Form) -> MemberDraft {
    let t = |i: usize| f.fields.get(i).map(|x| x.text_value().to_string()).unwrap_or_default();
    MemberDraft {
        title: t(0),
        given_name: t(1),
        family_name: t(2),
        national_id: t(3),
        birth_date: t(4),
        household_no: t(5),
        phone: t(6),
        joined: t(7),
        status: labels::pick(&MemberStatus::ALL, f.fields.get(8).and_then(Field::choice_value))
            .unwrap_or_default(),
    }
}

impl App {
    /// Category choices in the officer's language.
    pub(super) fn category_options(&self) -> Vec<Opt> {
        self.sh.categories.iter().map(|c| Opt::new(u32::from(c.code), &c.name_th, &c.name_en)).collect()
    }

    fn loan_form(
        &self,
        kind: FormKind,
        loan: Option<&Loan>,
        member: &Member,
        guarantor_nids: String,
    ) -> Form {
        let title = match kind {
            FormKind::EditLoan { .. } => Msg::new(k::FORM_EDIT_LOAN),
            _ => Msg::new(k::FORM_NEW_LOAN),
        };
        let date = |d: Date| thai::format_date(d, self.sh.lang);
        let (principal, rate, start, term, mode, purpose) = match loan {
            Some(l) => (
                l.principal.format(),
                format_rate(l.rate_bp),
                date(l.start),
                l.term_months.to_string(),
                l.mode,
                l.purpose,
            ),
            None => {
                // A new loan starts from the member's last one: same rate, purpose.
                let last = member.loans.iter().max_by_key(|l| l.start);
                (
                    String::new(),
                    last.map(|l| format_rate(l.rate_bp)).unwrap_or_default(),
                    date(self.sh.today),
                    "12".into(),
                    RepaymentMode::LumpSum,
                    last.map_or(self.sh.categories.first().map_or(0, |c| c.code), |l| l.purpose),
                )
            }
        };
        let fields = vec![
            Field::text(k::FIELD_PRINCIPAL, principal, Some(k::HINT_AMOUNT)),
            Field::text(k::FIELD_RATE, rate, Some(k::HINT_RATE)),
            Field::text(k::FIELD_START, start, Some(k::HINT_DATE)),
            Field::text(k::FIELD_TERM, term, Some(k::HINT_TERM)),
            Field::choice(
                k::FIELD_MODE,
                labels::options(&MODES, labels::repayment_mode),
                MODES.iter().position(|m| *m == mode).unwrap_or(0) as u32,
            ),
            Field::choice(k::FIELD_PURPOSE, self.category_options(), u32::from(purpose)),
            Field::text(k::FIELD_GUARANTORS, guarantor_nids, Some(k::HINT_GUARANTORS)),
        ];
        Form::new(kind, title, fields)
    }

    fn repayment_form(&self, kind: FormKind, loan: &Loan, index: Option<usize>) -> Form {
        let title = match index {
            Some(_) => Msg::new(k::FORM_EDIT_REPAYMENT),
            None => Msg::new(k::FORM_NEW_REPAYMENT),
        };
        let (date, principal, interest, penalty) = match index.and_then(|i| loan.repayments.get(i)) {
            Some(r) => (
                thai::format_date(r.date, self.sh.lang),
                r.principal.format(),
                r.interest.format(),
                r.penalty.format(),
            ),
            None => {
                // Offer what is owed today: the outstanding principal and the
                // interest not yet paid.
                let p = loan.position(self.sh.today);
                let interest = Money((loan.scheduled_interest().0 - p.paid_interest.0).max(0));
                (
                    thai::format_date(self.sh.today, self.sh.lang),
                    p.outstanding.format(),
                    interest.format(),
                    String::new(),
                )
            }
        };
        let fields = vec![
            Field::text(k::FIELD_DATE, date, Some(k::HINT_DATE)),
            Field::text(k::FIELD_PRINCIPAL, principal, Some(k::HINT_AMOUNT)),
            Field::text(k::FIELD_INTEREST, interest, Some(k::HINT_AMOUNT)),
            Field::text(k::FIELD_PENALTY, penalty, Some(k::HINT_AMOUNT)),
        ];
        Form::new(kind, title, fields)
    }

    /// Opens the fund's member list on top of its detail.
    pub(super) fn open_members(&mut self, store: &Store) {
        let Some(d) = self.funds.detail() else { return };
        let f = &d.fund;
        let mut v = MembersView {
            fund_id: f.id,
            fund_code: f.code.clone(),
            fund_name: f.name.clone(),
            fund_start: f.established,
            ..Default::default()
        };
        match v.load(store, self.sh.as_of) {
            Ok(()) => self.funds.stack.push(Screen::Members(v)),
            Err(e) => self.sh.error(messages::store(&e)),
        }
    }

    fn open_member(&mut self, store: &Store, fund_id: u64, id: u64) {
        let key = member_key(fund_id, id);
        match (store.get_at::<Member>(&key), store.scan_prefix::<OccupationRecord>(&key)) {
            (Ok(Some(member)), Ok(occupations)) => {
                let fund_code = self.funds.code_of(fund_id).unwrap_or_default();
                self.funds.stack.push(Screen::Member(MemberView {
                    member,
                    fund_code,
                    occupations,
                    pos: ListPos::default(),
                }))
            }
            (Ok(None), _) => self.sh.error(k::ERR_GONE),
            (Err(e), _) | (_, Err(e)) => self.sh.error(messages::store(&e)),
        }
    }

    pub(super) fn members_action(&mut self, action: Action, store: &Arc<Store>) {
        let page = self.page();
        if action == Action::Export {
            return self.open_export_form();
        }
        let Some(Screen::Members(v)) = self.funds.stack.last_mut() else { return };
        if v.pos.navigate(action, v.view.len(), page) {
            return;
        }
        match action {
            Action::Open => {
                if let Some((fund, id)) = v.selected().map(|r| (v.fund_id, r.id)) {
                    self.open_member(store, fund, id);
                }
            }
            Action::Filter => v.filtering = true,
            Action::Back if !v.filter.is_empty() => {
                v.filter.set("");
                let keep = v.selected().map(|r| r.id);
                v.refilter(keep, page);
            }
            Action::Back => {
                self.funds.stack.pop();
            }
            Action::New => {
                let (fund, start) = (v.fund_id, v.fund_start);
                let draft = MemberDraft {
                    title: "นาย".into(),
                    joined: thai::format_date(self.sh.today.max(start.unwrap_or(self.sh.today)), self.sh.lang),
                    ..Default::default()
                };
                self.sh.form = Some(member_form(FormKind::NewMember { fund_id: fund }, &draft));
            }
            Action::Edit => {
                if let Some((fund, id)) = v.selected().map(|r| (v.fund_id, r.id)) {
                    match store.get_at::<Member>(&member_key(fund, id)) {
                        Ok(Some(m)) => {
                            let kind = FormKind::EditMember { fund_id: fund, id, version: m.version };
                            self.sh.form = Some(member_form(kind, &MemberDraft::from_member(&m, self.sh.lang)));
                        }
                        Ok(None) => self.sh.error(k::ERR_GONE),
                        Err(e) => self.sh.error(messages::store(&e)),
                    }
                }
            }
            Action::Delete => {
                if let Some(r) = v.selected() {
                    if r.loans > 0 {
                        self.sh.error(k::ERR_MEMBER_HAS_LOANS);
                    } else {
                        let msg = Msg::with(k::CONFIRM_DELETE_MEMBER, [r.name.clone()]);
                        let then = Pending::DeleteMember { fund_id: v.fund_id, id: r.id, version: r.version };
                        self.sh.overlay = Some(Overlay::Confirm { msg, then });
                    }
                }
            }
            Action::Undo => self.undo(store),
            _ => {}
        }
    }

    pub(super) fn member_action(&mut self, action: Action, store: &Arc<Store>) {
        let page = layout::member_rows(self.sh.size.1);
        let Some(Screen::Member(v)) = self.funds.stack.last_mut() else { return };
        let len = v.len();
        if v.pos.navigate(action, len, page) {
            return;
        }
        let m = v.member.clone();
        let key = (m.fund_id, m.id, m.version);
        match action {
            Action::Back => {
                self.funds.stack.pop();
            }
            Action::Open => {
                if let Some(l) = v.selected_loan() {
                    let loan_id = l.id;
                    self.funds.stack.push(Screen::Loan(LoanView {
                        member: m,
                        loan_id,
                        pos: ListPos::default(),
                    }));
                } else if let Some(o) = v.selected_occupation().cloned() {
                    self.open_occupation_form(Some(&o), Some(&m));
                }
            }
            Action::New => {
                let kind = FormKind::NewLoan { fund_id: key.0, member_id: key.1, version: key.2 };
                self.sh.form = Some(self.loan_form(kind, None, &m, String::new()));
            }
            Action::NewOccupation => self.open_occupation_form(None, Some(&m)),
            Action::Edit => {
                let kind = FormKind::EditMember { fund_id: key.0, id: key.1, version: key.2 };
                self.sh.form = Some(member_form(kind, &MemberDraft::from_member(&m, self.sh.lang)));
            }
            Action::Delete => {
                if let Some(l) = v.selected_loan() {
                    let used = v.occupations.iter().any(|o| o.loan_ids.contains(&l.id));
                    if !l.repayments.is_empty() {
                        self.sh.error(k::ERR_LOAN_HAS_REPAYMENTS);
                    } else if used {
                        self.sh.error(k::ERR_LOAN_IN_OCCUPATION);
                    } else {
                        let msg = Msg::with(k::CONFIRM_DELETE_LOAN, [l.id.to_string(), l.principal.format()]);
                        let then = Pending::DeleteLoan {
                            fund_id: key.0,
                            member_id: key.1,
                            version: key.2,
                            loan_id: l.id,
                        };
                        self.sh.overlay = Some(Overlay::Confirm { msg, then });
                    }
                } else if let Some(o) = v.selected_occupation().cloned() {
                    let msg = Msg::with(k::CONFIRM_DELETE_OCCUPATION, [self.category_label(o.category)]);
                    let then =
                        Pending::DeleteOccupation { key: (o.fund_id, o.member_id, o.id), version: o.version };
                    self.sh.overlay = Some(Overlay::Confirm { msg, then });
                }
            }
            Action::AsOf => self.open_as_of_form(),
            Action::Undo => self.undo(store),
            _ => {}
        }
    }

    pub(super) fn loan_action(&mut self, action: Action, store: &Arc<Store>) {
        let page = layout::ledger_rows(self.sh.size.1);
        let Some(Screen::Loan(v)) = self.funds.stack.last_mut() else { return };
        let Some(loan) = v.loan().cloned() else {
            self.funds.stack.pop();
            return;
        };
        if v.pos.navigate(action, loan.repayments.len(), page) {
            return;
        }
        let m = v.member.clone();
        let (fund_id, member_id, version, loan_id) = (m.fund_id, m.id, m.version, loan.id);
        let index = v.pos.cursor;
        match action {
            Action::Back => {
                self.funds.stack.pop();
            }
            Action::New => {
                let kind = FormKind::Repayment { fund_id, member_id, version, loan_id, index: None };
                self.sh.form = Some(self.repayment_form(kind, &loan, None));
            }
            Action::Open if index < loan.repayments.len() => {
                let kind = FormKind::Repayment { fund_id, member_id, version, loan_id, index: Some(index) };
                self.sh.form = Some(self.repayment_form(kind, &loan, Some(index)));
            }
            Action::Edit => {
                let nids = self.guarantor_nids(store, &m, &loan);
                let kind = FormKind::EditLoan { fund_id, member_id, version, loan_id };
                self.sh.form = Some(self.loan_form(kind, Some(&loan), &m, nids));
            }
            Action::Delete if index < loan.repayments.len() => {
                let r = &loan.repayments[index];
                let msg = Msg::with(
                    k::CONFIRM_DELETE_REPAYMENT,
                    [
                        thai::format_date(r.date, self.sh.lang),
                        Money(r.principal.0 + r.interest.0 + r.penalty.0).format(),
                    ],
                );
                let then = Pending::DeleteRepayment { fund_id, member_id, version, loan_id, index };
                self.sh.overlay = Some(Overlay::Confirm { msg, then });
            }
            Action::AsOf => self.open_as_of_form(),
            Action::Undo => self.undo(store),
            _ => {}
        }
    }

    /// National IDs of a loan's guarantors, for its form.
    fn guarantor_nids(&self, store: &Store, m: &Member, loan: &Loan) -> String {
        loan.guarantors
            .iter()
            .filter_map(|g| store.get_at::<Member>(&member_key(m.fund_id, *g)).ok().flatten())
            .map(|g| g.national_id.grouped())
            .collect::<Vec<_>>()
            .join(", ")
    }

    pub fn category_label(&self, code: u16) -> String {
        self.sh.categories
            .iter()
            .find(|c| c.code == code)
            .map_or_else(|| code.to_string(), |c| c.name(self.sh.lang).into())
    }

    // ------------------------------------------------------------ saving

    /// The member a form edits, at the version the form was opened with.
    fn member_at(&mut self, store: &Store, fund_id: u64, id: u64, version: u64) -> Option<Member> {
        match store.get_at::<Member>(&member_key(fund_id, id)) {
            Ok(Some(mut m)) => {
                m.version = version;
                Some(m)
            }
            Ok(None) => {
                self.sh.form_error(Msg::new(k::ERR_GONE));
                None
            }
            Err(e) => {
                self.sh.form_error(messages::store(&e));
                None
            }
        }
    }

    pub(super) fn submit_member(&mut self, store: &Store) {
        let Some(form) = &self.sh.form else { return };
        let draft = member_draft(form);
        let (mut m, before) = match form.kind {
            FormKind::NewMember { fund_id } => (Member::new(fund_id), None),
            FormKind::EditMember { fund_id, id, version } => {
                match self.member_at(store, fund_id, id, version) {
                    Some(m) => (m.clone(), Some(m)),
                    None => return,
                }
            }
            _ => return,
        };
        let fund_start = self.funds.rows.iter().find(|r| r.id == m.fund_id).and_then(|r| r.established);
        if let Err(errs) = draft.apply(&mut m, fund_start, self.sh.today) {
            self.sh.set_field_errors(&MEMBER_FIELDS, errs, messages::member);
            return;
        }
        self.save_member(store, m, before, |app, e| {
            let SaveError::Duplicate { other, .. } = e else { return false };
            // The person is already a member: name the fund that has them.
            let fund = other.get(..8).and_then(crate::store::id_of).unwrap_or(0);
            let name = app.funds.rows.iter().find(|r| r.id == fund).map(|r| format!("{} {}", r.code, r.name));
            let field = MEMBER_FIELDS.iter().position(|f| *f == MemberField::NationalId).unwrap_or(0);
            if let Some(form) = &mut app.form {
                form.set_error(field, messages::member(&MemberError::Duplicate(name.unwrap_or_default())));
            }
            true
        });
    }

    pub(super) fn submit_loan(&mut self, store: &Store) {
        let Some(form) = &self.sh.form else { return };
        let t = |i: usize| form.fields.get(i).map(|x| x.text_value().to_string()).unwrap_or_default();
        let c = |i: usize| form.fields.get(i).and_then(Field::choice_value);
        let draft = LoanDraft {
            principal: t(0),
            rate: t(1),
            start: t(2),
            term: t(3),
            mode: labels::pick(&MODES, c(4)).unwrap_or(RepaymentMode::LumpSum),
            purpose: c(5).unwrap_or(0) as u16,
        };
        let guarantors_text = t(6);
        let (fund_id, member_id, version, loan_id) = match form.kind {
            FormKind::NewLoan { fund_id, member_id, version } => (fund_id, member_id, version, None),
            FormKind::EditLoan { fund_id, member_id, version, loan_id } => {
                (fund_id, member_id, version, Some(loan_id))
            }
            _ => return,
        };
        let Some(before) = self.member_at(store, fund_id, member_id, version) else { return };
        let mut m = before.clone();
        let guarantors: Vec<GuarantorLookup> = guarantors_text
            .split([',', ';'])
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|typed| {
                let member = NationalId::parse(typed)
                    .ok()
                    .and_then(|nid| {
                        store.lookup(trees::MEMBERS_BY_NID, &nid.as_u64().to_be_bytes()).ok().flatten()
                    })
                    .and_then(|key| Some((crate::store::id_of(&key)?, crate::store::id_of(key.get(..8)?)?)));
                GuarantorLookup { typed: typed.to_string(), member }
            })
            .collect();
        let fund_start = self.funds.rows.iter().find(|r| r.id == fund_id).and_then(|r| r.established);
        let category_exists = self.sh.categories.iter().any(|c| c.code == draft.purpose);
        let mut loan = match loan_id.and_then(|id| m.loan(id).cloned()) {
            Some(l) => l,
            None => match store.reserve_ids(trees::LOANS, 1) {
                Ok(id) => Loan {
                    id,
                    principal: Money::ZERO,
                    rate_bp: 0,
                    start: self.sh.today,
                    term_months: 12,
                    mode: RepaymentMode::LumpSum,
                    purpose: 0,
                    guarantors: Vec::new(),
                    status: LoanStatus::Open,
                    repayments: Vec::new(),
                },
                Err(e) => return self.sh.form_error(messages::store(&e)),
            },
        };
        if let Err(errs) =
            draft.apply(&mut loan, (member_id, fund_id), fund_start, &guarantors, category_exists, self.sh.today)
        {
            self.sh.set_field_errors(&LOAN_FIELDS, errs, messages::loan);
            return;
        }
        match m.loans.iter_mut().find(|l| l.id == loan.id) {
            Some(slot) => *slot = loan,
            None => m.loans.push(loan),
        }
        self.save_member(store, m, Some(before), |_, _| false);
    }

    pub(super) fn submit_repayment(&mut self, store: &Store) {
        let Some(form) = &self.sh.form else { return };
        let t = |i: usize| form.fields.get(i).map(|x| x.text_value().to_string()).unwrap_or_default();
        let draft = RepaymentDraft { date: t(0), principal: t(1), interest: t(2), penalty: t(3) };
        let FormKind::Repayment { fund_id, member_id, version, loan_id, index } = form.kind else { return };
        let Some(before) = self.member_at(store, fund_id, member_id, version) else { return };
        let mut m = before.clone();
        let Some(loan) = m.loans.iter_mut().find(|l| l.id == loan_id) else {
            return self.sh.form_error(Msg::new(k::ERR_GONE));
        };
        match draft.apply(loan, index, self.sh.today) {
            Ok(at) => {
                if self.save_member(store, m, Some(before), |_, _| false)
                    && let Some(Screen::Loan(v)) = self.funds.stack.last_mut()
                {
                    let n = v.loan().map_or(0, |l| l.repayments.len());
                    v.pos.set(at, n, layout::ledger_rows(self.sh.size.1));
                }
            }
            Err(errs) => self.sh.set_field_errors(&REPAYMENT_FIELDS, errs, messages::repayment),
        }
    }

    /// Saves a member (and what changed in their loan book); on success every
    /// screen that shows them follows, and the change can be undone.
    pub(super) fn save_member(
        &mut self,
        store: &Store,
        m: Member,
        before: Option<Member>,
        special: impl FnOnce(&mut App, &SaveError) -> bool,
    ) -> bool {
        match store.save(self.sh.who(), &m) {
            Ok(saved) => {
                let renamed = before.as_ref().is_some_and(|b| b.full_name() != saved.full_name());
                self.sh.undo
                    .push(Undo::Member { before, after: Some((saved.fund_id, saved.id, saved.version)) });
                self.sh.form = None;
                self.sh.info(Msg::with(k::SAVED, [saved.full_name()]));
                if renamed && let Ok(mut c) = self.sh.catalog.write() {
                    c.rename_member(saved.id, &saved.full_name());
                }
                self.member_changed(store, &saved);
                self.seen_generation = store.generation();
                true
            }
            Err(e) => {
                if !special(self, &e) {
                    self.sh.form_error(messages::save(&e));
                }
                false
            }
        }
    }

    /// Brings every screen that shows this member up to date.
    pub(super) fn member_changed(&mut self, store: &Store, m: &Member) {
        let as_of = self.sh.as_of;
        let page = self.page();
        // The member's occupation records carry copies of the name and loans:
        // the store has refreshed them; the list, the ranking and an open
        // record follow.
        let occupations =
            store.scan_prefix::<OccupationRecord>(&member_key(m.fund_id, m.id)).unwrap_or_default();
        if !occupations.is_empty() {
            if let Ok(mut c) = self.sh.catalog.write() {
                for o in &occupations {
                    c.upsert(o);
                }
            }
            if let Some(d) = &mut self.occ.detail
                && d.record.member_id == m.id
                && let Some(o) = occupations.iter().find(|o| o.id == d.record.id)
            {
                d.record = o.clone();
                d.member = Some(m.clone());
            }
        }
        for s in &mut self.funds.stack {
            match s {
                Screen::Members(v) if v.fund_id == m.fund_id => {
                    let row = MemberRow::new(m, as_of);
                    match v.rows.iter().position(|r| r.id == m.id) {
                        Some(i) => v.rows[i] = row,
                        None => v.rows.push(row),
                    }
                    v.rows.sort_by(|a, b| a.sort.cmp(&b.sort).then(a.id.cmp(&b.id)));
                    v.refilter(Some(m.id), page);
                }
                Screen::Member(v) if v.member.id == m.id => {
                    v.member = m.clone();
                    v.occupations = occupations.clone();
                    let len = v.len();
                    v.pos.clamp(len, layout::member_rows(self.sh.size.1));
                }
                Screen::Loan(v) if v.member.id == m.id => v.member = m.clone(),
                _ => {}
            }
        }
        self.funds.refresh_stats(store, m.fund_id);
    }

    pub(super) fn member_removed(&mut self, store: &Store, fund_id: u64, id: u64) {
        let page = self.page();
        self.funds.stack.retain(|s| match s {
            Screen::Member(v) => v.member.id != id,
            Screen::Loan(v) => v.member.id != id,
            _ => true,
        });
        for s in &mut self.funds.stack {
            if let Screen::Members(v) = s
                && v.fund_id == fund_id
            {
                v.rows.retain(|r| r.id != id);
                let cursor = v.pos.cursor;
                v.refilter(None, page);
                v.pos.set(cursor, v.view.len(), page);
            }
        }
        self.funds.refresh_stats(store, fund_id);
    }

    pub(super) fn delete_member(&mut self, store: &Store, fund_id: u64, id: u64, version: u64) {
        match store.delete_at::<Member>(self.sh.who(), &member_key(fund_id, id), version) {
            Ok(gone) => {
                self.sh.info(Msg::with(k::DELETED_MEMBER, [gone.full_name()]));
                self.sh.undo.push(Undo::Member { before: Some(gone), after: None });
                self.member_removed(store, fund_id, id);
                self.seen_generation = store.generation();
            }
            Err(e) => self.sh.error(messages::save(&e)),
        }
    }

    /// Removes a loan or a repayment from a member and saves.
    pub(super) fn edit_loan_book(
        &mut self,
        store: &Store,
        (fund_id, member_id, version): (u64, u64, u64),
        change: impl FnOnce(&mut Member),
        done: Msg,
    ) {
        let key = member_key(fund_id, member_id);
        let before = match store.get_at::<Member>(&key) {
            Ok(Some(mut m)) => {
                m.version = version;
                m
            }
            Ok(None) => return self.sh.error(k::ERR_GONE),
            Err(e) => return self.sh.error(messages::store(&e)),
        };
        let mut m = before.clone();
        change(&mut m);
        match store.save(self.sh.who(), &m) {
            Ok(saved) => {
                self.sh.undo.push(Undo::Member {
                    before: Some(before),
                    after: Some((fund_id, member_id, saved.version)),
                });
                self.member_changed(store, &saved);
                self.sh.info(done);
                self.seen_generation = store.generation();
            }
            Err(e) => self.sh.error(messages::save(&e)),
        }
    }

    fn open_as_of_form(&mut self) {
        let field = Field::text(k::FIELD_AS_OF, thai::format_date(self.sh.as_of, self.sh.lang), Some(k::HINT_DATE));
        self.sh.form = Some(Form::new(FormKind::AsOf, Msg::new(k::FORM_AS_OF), vec![field]));
    }

    pub(super) fn submit_as_of(&mut self, store: &Arc<Store>) {
        let Some(form) = &mut self.sh.form else { return };
        let text = form.fields.first().map(|f| f.text_value().to_string()).unwrap_or_default();
        match thai::parse_date(&text) {
            Ok(d) => {
                self.sh.as_of = d;
                self.sh.form = None;
                self.sh.info(Msg::with(k::AS_OF_SET, [thai::format_date(d, self.sh.lang)]));
                let page = self.page();
                for s in &mut self.funds.stack {
                    if let Screen::Members(v) = s {
                        let _ = v.load(store, d);
                        v.pos.clamp(v.view.len(), page);
                    }
                }
                self.funds.refresh_portfolio(store, d);
                // Repayment records in the occupation list and the ranking follow.
                self.load_catalog(store);
            }
            Err(e) => form.set_error(0, messages::date(&e)),
        }
    }
}
