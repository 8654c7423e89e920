//! A fund's members (reached from the fund's detail with `m`), a member's loan
//! book and occupation records, and a loan's schedule and repayments; their
//! forms; deletes that ask first and can be undone.

use super::{
    action::{Action, Pending},
    cx::{Cx, Effect},
    form::{Field, Form, FormKind},
    fund_views::{LoanView, MemberRow, MemberView, MembersView, Screen},
    funds::FundsTab,
    layout,
    list::ListPos,
    occ_edit,
    overlay::Overlay,
    shared::Shared,
};
use crate::service::{labels, messages};
use crate::{
    domain::{
        Date, Money,
        loan::{
            GuarantorLookup, Loan, LoanCheck, LoanDraft, LoanField, LoanStatus, RepaymentDraft,
            RepaymentField, RepaymentMode, format_rate,
        },
        member::{Member, MemberDraft, MemberError, MemberField, MemberStatus},
        occupation::OccupationRecord,
        thai::{self, NationalId},
    },
    i18n::{Msg, k},
    store::{SaveError, Store, member_key, trees},
};

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

/// The person is already a member (`other`: their key): the message names the
/// fund that has them.
fn member_duplicate(store: &Store, other: &[u8]) -> Msg {
    let fund = other.get(..8).and_then(crate::store::id_of).unwrap_or(0);
    let name =
        store.get::<crate::domain::fund::Fund>(fund).ok().flatten().map(|f| format!("{} {}", f.code, f.name));
    messages::member(&MemberError::Duplicate(name.unwrap_or_default()))
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

impl FundsTab {
    fn loan_form(
        &self,
        cx: &Cx<'_>,
        kind: FormKind,
        loan: Option<&Loan>,
        member: &Member,
        guarantor_nids: String,
    ) -> Form {
        let title = match kind {
            FormKind::EditLoan { .. } => Msg::new(k::FORM_EDIT_LOAN),
            _ => Msg::new(k::FORM_NEW_LOAN),
        };
        let date = |d: Date| thai::format_date(d, cx.sh.lang);
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
                    date(cx.sh.today),
                    "12".into(),
                    RepaymentMode::LumpSum,
                    last.map_or(cx.sh.categories.first().map_or(0, |c| c.code), |l| l.purpose),
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
            Field::choice(k::FIELD_PURPOSE, cx.sh.category_options(), u32::from(purpose)),
            Field::text(k::FIELD_GUARANTORS, guarantor_nids, Some(k::HINT_GUARANTORS)),
        ];
        Form::new(kind, title, fields)
    }

    fn repayment_form(&self, cx: &Cx<'_>, kind: FormKind, loan: &Loan, index: Option<usize>) -> Form {
        let title = match index {
            Some(_) => Msg::new(k::FORM_EDIT_REPAYMENT),
            None => Msg::new(k::FORM_NEW_REPAYMENT),
        };
        let (date, principal, interest, penalty) = match index.and_then(|i| loan.repayments.get(i)) {
            Some(r) => (
                thai::format_date(r.date, cx.sh.lang),
                r.principal.format(),
                r.interest.format(),
                r.penalty.format(),
            ),
            None => {
                // Offer what is due today (fallen due and not paid, or the next
                // instalment), not the whole payoff: one Ctrl-S must not record
                // a loan repaid in full. The payoff is one key away (Ctrl-P).
                let (principal, interest) = loan.due_now(cx.sh.today);
                (
                    thai::format_date(cx.sh.today, cx.sh.lang),
                    principal.format(),
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

    /// The repayment form's payoff key: the amounts become what closes the
    /// loan (all the principal left and all the interest unpaid, see
    /// [`Loan::payoff`]) and the status line says what that comes to. The
    /// date and a penalty typed stay as they are.
    pub(super) fn fill_payoff(&mut self, cx: &mut Cx<'_>) {
        let store = cx.store;
        let Some(form) = &cx.sh.form else { return };
        let FormKind::Repayment { fund_id, member_id, loan_id, index, .. } = form.kind else { return };
        let loan = match store.get_at::<Member>(&member_key(fund_id, member_id)) {
            Ok(m) => m.and_then(|m| m.loans.into_iter().find(|l| l.id == loan_id)),
            Err(e) => return cx.sh.form_error(messages::store(&e)),
        };
        let Some(loan) = loan else { return cx.sh.form_error(Msg::new(k::ERR_GONE)) };
        let (principal, interest) = loan.payoff(index);
        if principal == Money::ZERO && interest == Money::ZERO {
            return cx.sh.info(k::PAYOFF_NOTHING);
        }
        if let Some(form) = &mut cx.sh.form {
            form.set_text(1, principal.format());
            form.set_text(2, interest.format());
        }
        let total = Money(principal.0.saturating_add(interest.0));
        cx.sh.info(Msg::with(k::PAYOFF_FILLED, [principal.format(), interest.format(), total.format()]));
    }

    /// Opens the fund's member list on top of its detail.
    pub(super) fn open_members(&mut self, cx: &mut Cx<'_>, store: &Store) {
        let Some(d) = self.detail() else { return };
        let f = &d.fund;
        let mut v = MembersView {
            fund_id: f.id,
            fund_code: f.code.clone(),
            fund_name: f.name.clone(),
            fund_start: f.established,
            ..Default::default()
        };
        match v.load(store, cx.sh.as_of) {
            Ok(()) => self.stack.push(Screen::Members(v)),
            Err(e) => cx.sh.error(messages::store(&e)),
        }
    }

    fn open_member(&mut self, cx: &mut Cx<'_>, store: &Store, fund_id: u64, id: u64) {
        let key = member_key(fund_id, id);
        match (store.get_at::<Member>(&key), store.scan_prefix::<OccupationRecord>(&key)) {
            (Ok(Some(member)), Ok(occupations)) => {
                let fund_code = self.code_of(fund_id).unwrap_or_default();
                self.stack.push(Screen::Member(MemberView {
                    member,
                    fund_code,
                    occupations,
                    pos: ListPos::default(),
                }))
            }
            (Ok(None), _) => cx.sh.error(k::ERR_GONE),
            (Err(e), _) | (_, Err(e)) => cx.sh.error(messages::store(&e)),
        }
    }

    pub(super) fn members_action(&mut self, cx: &mut Cx<'_>, action: Action) {
        let store = cx.store;
        let page = cx.sh.page();
        if action == Action::Export {
            return super::export::open_form(cx.sh, "members");
        }
        let Some(Screen::Members(v)) = self.stack.last_mut() else { return };
        if v.pos.navigate(action, v.view.len(), page) {
            return;
        }
        match action {
            Action::Open => {
                if let Some((fund, id)) = v.selected().map(|r| (v.fund_id, r.id)) {
                    self.open_member(cx, store, fund, id);
                }
            }
            Action::Filter => v.filtering = true,
            Action::Back if !v.filter.is_empty() => {
                v.filter.set("");
                let keep = v.selected().map(|r| r.id);
                v.refilter(keep, page);
            }
            Action::Back => {
                self.stack.pop();
            }
            Action::New => {
                let (fund, start) = (v.fund_id, v.fund_start);
                let draft = MemberDraft {
                    title: "นาย".into(),
                    joined: thai::format_date(cx.sh.today.max(start.unwrap_or(cx.sh.today)), cx.sh.lang),
                    ..Default::default()
                };
                cx.sh.form = Some(member_form(FormKind::NewMember { fund_id: fund }, &draft));
            }
            Action::Edit => {
                if let Some((fund, id)) = v.selected().map(|r| (v.fund_id, r.id)) {
                    match store.get_at::<Member>(&member_key(fund, id)) {
                        Ok(Some(m)) => {
                            let kind = FormKind::EditMember { fund_id: fund, id, version: m.version };
                            cx.sh.form = Some(member_form(kind, &MemberDraft::from_member(&m, cx.sh.lang)));
                        }
                        Ok(None) => cx.sh.error(k::ERR_GONE),
                        Err(e) => cx.sh.error(messages::store(&e)),
                    }
                }
            }
            Action::Delete => {
                if let Some(r) = v.selected() {
                    if r.loans > 0 {
                        cx.sh.error(k::ERR_MEMBER_HAS_LOANS);
                    } else {
                        let msg = Msg::with(k::CONFIRM_DELETE_MEMBER, [r.name.clone()]);
                        let then = Pending::DeleteMember { fund_id: v.fund_id, id: r.id, version: r.version };
                        cx.sh.overlay = Some(Overlay::Confirm { msg, then });
                    }
                }
            }
            _ => {}
        }
    }

    pub(super) fn member_action(&mut self, cx: &mut Cx<'_>, action: Action) {
        let page = layout::member_rows(cx.sh.size.1);
        let Some(Screen::Member(v)) = self.stack.last_mut() else { return };
        let len = v.len();
        if v.pos.navigate(action, len, page) {
            return;
        }
        let m = v.member.clone();
        let key = (m.fund_id, m.id, m.version);
        match action {
            Action::Back => {
                self.stack.pop();
                // Leaving the member: balances are as of today again.
                if cx.sh.as_of != cx.sh.today {
                    let store = cx.store;
                    self.set_as_of(cx, store, cx.sh.today);
                }
            }
            Action::Open => {
                if let Some(l) = v.selected_loan() {
                    let loan_id = l.id;
                    self.stack.push(Screen::Loan(LoanView { member: m, loan_id, pos: ListPos::default() }));
                } else if let Some(o) = v.selected_occupation().cloned() {
                    occ_edit::open_form(cx, Some(&o), Some(&m));
                }
            }
            Action::New => {
                let kind = FormKind::NewLoan { fund_id: key.0, member_id: key.1, version: key.2 };
                cx.sh.form = Some(self.loan_form(cx, kind, None, &m, String::new()));
            }
            Action::NewOccupation => occ_edit::open_form(cx, None, Some(&m)),
            Action::Edit => {
                let kind = FormKind::EditMember { fund_id: key.0, id: key.1, version: key.2 };
                cx.sh.form = Some(member_form(kind, &MemberDraft::from_member(&m, cx.sh.lang)));
            }
            Action::Delete => {
                if let Some(l) = v.selected_loan() {
                    let used = v.occupations.iter().any(|o| o.loan_ids.contains(&l.id));
                    if !l.repayments.is_empty() {
                        cx.sh.error(k::ERR_LOAN_HAS_REPAYMENTS);
                    } else if used {
                        cx.sh.error(k::ERR_LOAN_IN_OCCUPATION);
                    } else {
                        let msg = Msg::with(k::CONFIRM_DELETE_LOAN, [l.id.to_string(), l.principal.format()]);
                        let then = Pending::DeleteLoan {
                            fund_id: key.0,
                            member_id: key.1,
                            version: key.2,
                            loan_id: l.id,
                        };
                        cx.sh.overlay = Some(Overlay::Confirm { msg, then });
                    }
                } else if let Some(o) = v.selected_occupation().cloned() {
                    let msg = Msg::with(k::CONFIRM_DELETE_OCCUPATION, [cx.sh.category_label(o.category)]);
                    let then =
                        Pending::DeleteOccupation { key: (o.fund_id, o.member_id, o.id), version: o.version };
                    cx.sh.overlay = Some(Overlay::Confirm { msg, then });
                }
            }
            Action::AsOf => self.open_as_of_form(cx),
            _ => {}
        }
    }

    pub(super) fn loan_action(&mut self, cx: &mut Cx<'_>, action: Action) {
        let store = cx.store;
        let page = layout::ledger_rows(cx.sh.size.1);
        let Some(Screen::Loan(v)) = self.stack.last_mut() else { return };
        let Some(loan) = v.loan().cloned() else {
            self.stack.pop();
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
                self.stack.pop();
            }
            Action::New => {
                let kind = FormKind::Repayment { fund_id, member_id, version, loan_id, index: None };
                cx.sh.form = Some(self.repayment_form(cx, kind, &loan, None));
            }
            Action::Open if index < loan.repayments.len() => {
                let kind = FormKind::Repayment { fund_id, member_id, version, loan_id, index: Some(index) };
                cx.sh.form = Some(self.repayment_form(cx, kind, &loan, Some(index)));
            }
            Action::Edit => {
                let nids = Self::guarantor_nids(store, &m, &loan);
                let kind = FormKind::EditLoan { fund_id, member_id, version, loan_id };
                cx.sh.form = Some(self.loan_form(cx, kind, Some(&loan), &m, nids));
            }
            Action::Delete if index < loan.repayments.len() => {
                let r = &loan.repayments[index];
                let msg = Msg::with(
                    k::CONFIRM_DELETE_REPAYMENT,
                    [
                        thai::format_date(r.date, cx.sh.lang),
                        Money(r.principal.0 + r.interest.0 + r.penalty.0).format(),
                    ],
                );
                let then = Pending::DeleteRepayment { fund_id, member_id, version, loan_id, index };
                cx.sh.overlay = Some(Overlay::Confirm { msg, then });
            }
            Action::AsOf => self.open_as_of_form(cx),
            _ => {}
        }
    }

    /// National IDs of a loan's guarantors, for its form.
    fn guarantor_nids(store: &Store, m: &Member, loan: &Loan) -> String {
        loan.guarantors
            .iter()
            .filter_map(|g| store.get_at::<Member>(&member_key(m.fund_id, *g)).ok().flatten())
            .map(|g| g.national_id.grouped())
            .collect::<Vec<_>>()
            .join(", ")
    }

    // ------------------------------------------------------------ saving

    /// The member a form edits, at the version the form was opened with.
    fn member_at(
        &mut self,
        cx: &mut Cx<'_>,
        store: &Store,
        fund_id: u64,
        id: u64,
        version: u64,
    ) -> Option<Member> {
        match store.get_at::<Member>(&member_key(fund_id, id)) {
            Ok(Some(mut m)) => {
                m.version = version;
                Some(m)
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

    pub(super) fn submit_member(&mut self, cx: &mut Cx<'_>, store: &Store) {
        let Some(form) = &cx.sh.form else { return };
        let draft = member_draft(form);
        let (mut m, before) = match form.kind {
            FormKind::NewMember { fund_id } => (Member::new(fund_id), None),
            FormKind::EditMember { fund_id, id, version } => {
                match self.member_at(cx, store, fund_id, id, version) {
                    Some(m) => (m.clone(), Some(m)),
                    None => return,
                }
            }
            _ => return,
        };
        let fund_start = self.rows.iter().find(|r| r.id == m.fund_id).and_then(|r| r.established);
        let nid_field = MEMBER_FIELDS.iter().position(|f| *f == MemberField::NationalId).unwrap_or(0);
        if let Err(errs) = draft.apply(&mut m, fund_start, cx.sh.today) {
            cx.sh.set_field_errors(&MEMBER_FIELDS, errs, messages::member);
            // An ID that is already someone's is named now as well, not only
            // once the rest is fixed (the save checks it for certain).
            let taken = NationalId::parse(&draft.national_id)
                .ok()
                .and_then(|nid| {
                    store.lookup(trees::MEMBERS_BY_NID, &nid.as_u64().to_be_bytes()).ok().flatten()
                })
                .filter(|key| crate::store::id_of(key) != Some(m.id));
            if let (Some(key), Some(form)) = (taken, &mut cx.sh.form) {
                form.set_error(nid_field, member_duplicate(store, &key));
            }
            return;
        }
        self.save_member(cx, store, m, before, |app, e| {
            let SaveError::Duplicate { other, .. } = e else { return false };
            if let Some(form) = &mut app.form {
                form.set_error(nid_field, member_duplicate(store, other));
            }
            true
        });
    }

    pub(super) fn submit_loan(&mut self, cx: &mut Cx<'_>, store: &Store) {
        let Some(form) = &cx.sh.form else { return };
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
        let Some(before) = self.member_at(cx, store, fund_id, member_id, version) else { return };
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
        let fund_start = self.rows.iter().find(|r| r.id == fund_id).and_then(|r| r.established);
        let category_exists = cx.sh.categories.iter().any(|c| c.code == draft.purpose);
        let mut loan = match loan_id.and_then(|id| m.loan(id).cloned()) {
            Some(l) => l,
            None => match store.reserve_ids(trees::LOANS, 1) {
                Ok(id) => Loan {
                    id,
                    principal: Money::ZERO,
                    rate_bp: 0,
                    start: cx.sh.today,
                    term_months: 12,
                    mode: RepaymentMode::LumpSum,
                    purpose: 0,
                    guarantors: Vec::new(),
                    status: LoanStatus::Open,
                    repayments: Vec::new(),
                },
                Err(e) => return cx.sh.form_error(messages::store(&e)),
            },
        };
        let available = match crate::service::lending::of_fund(store, fund_id) {
            Ok(l) => l.map(|l| l.available()),
            Err(e) => return cx.sh.form_error(messages::store(&e)),
        };
        let check = LoanCheck {
            borrower: (member_id, fund_id),
            fund_start,
            joined: m.joined,
            guarantors: &guarantors,
            category_exists,
            today: cx.sh.today,
            available,
        };
        if let Err(errs) = draft.apply(&mut loan, &check) {
            cx.sh.set_field_errors(&LOAN_FIELDS, errs, messages::loan);
            return;
        }
        match m.loans.iter_mut().find(|l| l.id == loan.id) {
            Some(slot) => *slot = loan,
            None => m.loans.push(loan),
        }
        self.save_member(cx, store, m, Some(before), |_, _| false);
    }

    pub(super) fn submit_repayment(&mut self, cx: &mut Cx<'_>, store: &Store) {
        let Some(form) = &cx.sh.form else { return };
        let t = |i: usize| form.fields.get(i).map(|x| x.text_value().to_string()).unwrap_or_default();
        let draft = RepaymentDraft { date: t(0), principal: t(1), interest: t(2), penalty: t(3) };
        let FormKind::Repayment { fund_id, member_id, version, loan_id, index } = form.kind else { return };
        let Some(before) = self.member_at(cx, store, fund_id, member_id, version) else { return };
        let mut m = before.clone();
        let Some(loan) = m.loans.iter_mut().find(|l| l.id == loan_id) else {
            return cx.sh.form_error(Msg::new(k::ERR_GONE));
        };
        match draft.apply(loan, index, cx.sh.today) {
            Ok(at) => {
                if self.save_member(cx, store, m, Some(before), |_, _| false)
                    && let Some(Screen::Loan(v)) = self.stack.last_mut()
                {
                    let n = v.loan().map_or(0, |l| l.repayments.len());
                    v.pos.set(at, n, layout::ledger_rows(cx.sh.size.1));
                }
            }
            Err(errs) => cx.sh.set_field_errors(&REPAYMENT_FIELDS, errs, messages::repayment),
        }
    }

    /// Saves a member (and what changed in their loan book); on success every
    /// screen that shows them follows, and the change can be undone.
    pub(super) fn save_member(
        &mut self,
        cx: &mut Cx<'_>,
        store: &Store,
        m: Member,
        before: Option<Member>,
        special: impl FnOnce(&mut Shared, &SaveError) -> bool,
    ) -> bool {
        match store.save(cx.sh.who(), &m) {
            Ok(saved) => {
                let renamed = before.as_ref().is_some_and(|b| b.full_name() != saved.full_name());
                cx.sh.form = None;
                cx.sh.info(Msg::with(k::SAVED, [saved.full_name()]));
                if renamed && let Ok(mut c) = cx.sh.catalog.write() {
                    c.rename_member(saved.id, &saved.full_name());
                }
                self.member_changed(cx, store, &saved);
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

    /// Brings every screen that shows this member up to date.
    pub(super) fn member_changed(&mut self, cx: &mut Cx<'_>, store: &Store, m: &Member) {
        let as_of = cx.sh.as_of;
        let page = cx.sh.page();
        // The member's occupation records carry copies of the name and loans:
        // the store has refreshed them; the list, the ranking and an open
        // record follow.
        let occupations =
            store.scan_prefix::<OccupationRecord>(&member_key(m.fund_id, m.id)).unwrap_or_default();
        if !occupations.is_empty() {
            for o in &occupations {
                cx.sh.occupation_saved(Some(o), o.id);
            }
            cx.effect(Effect::CatalogChanged);
        }
        for s in &mut self.stack {
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
                    v.pos.clamp(len, layout::member_rows(cx.sh.size.1));
                }
                Screen::Loan(v) if v.member.id == m.id => v.member = m.clone(),
                _ => {}
            }
        }
        self.refresh_stats(store, m.fund_id);
    }

    pub(super) fn member_removed(&mut self, cx: &mut Cx<'_>, store: &Store, fund_id: u64, id: u64) {
        let page = cx.sh.page();
        self.stack.retain(|s| match s {
            Screen::Member(v) => v.member.id != id,
            Screen::Loan(v) => v.member.id != id,
            _ => true,
        });
        for s in &mut self.stack {
            if let Screen::Members(v) = s
                && v.fund_id == fund_id
            {
                v.rows.retain(|r| r.id != id);
                let cursor = v.pos.cursor;
                v.refilter(None, page);
                v.pos.set(cursor, v.view.len(), page);
            }
        }
        self.refresh_stats(store, fund_id);
    }

    pub(super) fn delete_member(
        &mut self,
        cx: &mut Cx<'_>,
        store: &Store,
        fund_id: u64,
        id: u64,
        version: u64,
    ) {
        match store.delete_at::<Member>(cx.sh.who(), &member_key(fund_id, id), version) {
            Ok(gone) => {
                cx.sh.info(Msg::with(k::DELETED_MEMBER, [gone.full_name()]));
                self.member_removed(cx, store, fund_id, id);
            }
            Err(e) => cx.sh.error(messages::save(&e)),
        }
    }

    /// Removes a loan or a repayment from a member and saves.
    pub(super) fn edit_loan_book(
        &mut self,
        cx: &mut Cx<'_>,
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
            Ok(None) => return cx.sh.error(k::ERR_GONE),
            Err(e) => return cx.sh.error(messages::store(&e)),
        };
        let mut m = before.clone();
        change(&mut m);
        match store.save(cx.sh.who(), &m) {
            Ok(saved) => {
                self.member_changed(cx, store, &saved);
                cx.sh.info(done);
            }
            Err(e) => cx.sh.error(messages::save(&e)),
        }
    }

    fn open_as_of_form(&mut self, cx: &mut Cx<'_>) {
        let field =
            Field::text(k::FIELD_AS_OF, thai::format_date(cx.sh.as_of, cx.sh.lang), Some(k::HINT_DATE));
        cx.sh.form = Some(Form::new(FormKind::AsOf, Msg::new(k::FORM_AS_OF), vec![field]));
    }

    /// Balances as of `d` on the member screens and the fund's figures. The
    /// ranking and the occupation records keep today: the date is a member's
    /// screens' only.
    fn set_as_of(&mut self, cx: &mut Cx<'_>, store: &Store, d: Date) {
        cx.sh.as_of = d;
        let page = cx.sh.page();
        for s in &mut self.stack {
            if let Screen::Members(v) = s {
                let _ = v.load(store, d);
                v.pos.clamp(v.view.len(), page);
            }
        }
        self.refresh_portfolio(store, d);
    }

    pub(super) fn submit_as_of(&mut self, cx: &mut Cx<'_>, store: &Store) {
        let Some(form) = &mut cx.sh.form else { return };
        let text = form.fields.first().map(|f| f.text_value().to_string()).unwrap_or_default();
        // On a loan's screen, a date before the loan began has nothing to show
        // ("outstanding 2,000,000 … normal" for a loan not yet made).
        let loan_start = match self.stack.last() {
            Some(Screen::Loan(v)) => v.loan().map(|l| l.start),
            _ => None,
        };
        match thai::parse_date(&text) {
            Ok(d) if loan_start.is_some_and(|s| d < s) => {
                let start = loan_start.map(|s| thai::format_date(s, cx.sh.lang)).unwrap_or_default();
                form.set_error(0, Msg::with(k::ERR_AS_OF_BEFORE_LOAN, [start]));
            }
            Ok(d) => {
                cx.sh.form = None;
                cx.sh.info(Msg::with(k::AS_OF_SET, [thai::format_date(d, cx.sh.lang)]));
                self.set_as_of(cx, store, d);
            }
            Err(e) => form.set_error(0, messages::date(&e)),
        }
    }
}
