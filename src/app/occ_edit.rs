//! Occupation records changed from any screen: the occupation form (from
//! the Occupations tab, a member's screen or a record's detail), a stage
//! moved with its date and reason (from a record or the Ranking tab), a
//! record deleted. The catalog every list reads follows each save.

use super::{
    cx::{Cx, Effect},
    form::{Field, Form, FormKind},
};
use crate::service::{labels, messages};
use crate::{
    domain::{
        Lang,
        member::Member,
        occupation::{
            OccupationDraft, OccupationError, OccupationField, OccupationRecord, OccupationStatus, Stage,
            StageChange,
        },
        thai::{self, NationalId},
    },
    i18n::{Msg, k, tr},
    store::{Store, member_key, occupation_key, trees},
};

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

/// Saves the occupation form, or a stage change, whichever is open.
pub fn submit(cx: &mut Cx<'_>) {
    let store = cx.store;
    match cx.sh.form.as_ref().map(|f| f.kind) {
        Some(FormKind::NewOccupation { .. } | FormKind::EditOccupation { .. }) => submit_record(cx, store),
        Some(FormKind::Mark { .. } | FormKind::StageChange { .. }) => submit_mark(cx, store),
        _ => {}
    }
}

/// Asks before deleting an occupation record.
pub fn confirm_delete(cx: &mut Cx<'_>, r: &OccupationRecord) {
    let msg = Msg::with(
        k::CONFIRM_DELETE_OCCUPATION,
        [format!("{} · {}", r.member_name, cx.sh.category_label(r.category))],
    );
    let then =
        super::action::Pending::DeleteOccupation { key: (r.fund_id, r.member_id, r.id), version: r.version };
    cx.sh.overlay = Some(super::overlay::Overlay::Confirm { msg, then });
}

/// The form that moves a record to another stage, with a date and a reason.
pub fn open_stage_form(cx: &mut Cx<'_>, r: &OccupationRecord) {
    let next = Stage::ALL.iter().position(|s| *s > r.stage).unwrap_or(Stage::ALL.len() - 1);
    let kind = FormKind::StageChange { key: (r.fund_id, r.member_id, r.id), version: r.version };
    let fields = vec![
        Field::choice(k::FIELD_STAGE, labels::options(&Stage::ALL, labels::stage), next as u32),
        Field::text(k::FIELD_DATE, thai::format_date(cx.sh.today, Lang::Th), Some(k::HINT_DATE)),
        Field::text(k::FIELD_REASON, "", None),
    ];
    let title = Msg::with(k::FORM_STAGE_CHANGE, [r.member_name.clone()]);
    cx.sh.form = Some(Form::new(kind, title, fields));
}

/// The occupation form: for `record` (edit), or new for `member`, or new
/// from the tab, where the member is named by national ID.
pub fn open_form(cx: &mut Cx<'_>, record: Option<&OccupationRecord>, member: Option<&Member>) {
    let (kind, draft) = match (record, member) {
        (Some(r), _) => (
            FormKind::EditOccupation { key: (r.fund_id, r.member_id, r.id), version: r.version },
            OccupationDraft::from_record(r),
        ),
        (None, m) => {
            let category = m
                .and_then(|m| m.loans.iter().max_by_key(|l| l.start).map(|l| l.purpose))
                .or_else(|| cx.sh.categories.first().map(|c| c.code))
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
                m.and_then(|m| m.loans.iter().map(|l| l.start.year()).min()).unwrap_or(cx.sh.today.year());
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
        Field::choice(k::FIELD_CATEGORY, cx.sh.category_options(), u32::from(draft.category)),
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
    cx.sh.form = Some(Form::new(kind, title, fields));
}

fn submit_record(cx: &mut Cx<'_>, store: &Store) {
    let Some(form) = &cx.sh.form else { return };
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
    // Which member (a national ID that names nobody is an error beside it),
    // and the record as it stands.
    let (member_key_bytes, before) = match form.kind {
        FormKind::NewOccupation { member: Some((f, m)) } => (Ok(member_key(f, m)), None),
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
            (found, None)
        }
        FormKind::EditOccupation { key: (f, m, id), version } => {
            match store.get_at::<OccupationRecord>(&occupation_key(f, m, id)) {
                Ok(Some(mut r)) => {
                    r.version = version;
                    (Ok(member_key(f, m)), Some(r))
                }
                Ok(None) => return cx.sh.form_error(Msg::new(k::ERR_GONE)),
                Err(e) => return cx.sh.form_error(messages::store(&e)),
            }
        }
        _ => return,
    };
    let exists = cx.sh.categories.iter().any(|c| c.code == draft.category);
    let show = |cx: &mut Cx<'_>, errs: Vec<(OccupationField, OccupationError)>| {
        if let Some(form) = &mut cx.sh.form {
            for (field, e) in errs {
                let i = OCC_FIELDS.iter().position(|f| *f == field).unwrap_or(0) + off;
                form.set_error(i, messages::occupation(&e));
            }
        }
    };
    let member_key_bytes = match member_key_bytes {
        Ok(key) => key,
        Err(msg) => {
            if let Some(form) = &mut cx.sh.form {
                form.set_error(0, msg);
            }
            // No member to check the loans against; every other field is
            // still checked, so the officer sees all that needs fixing.
            let mut scratch = OccupationRecord::new(&Member::new(0), 0, cx.sh.today.year());
            if let Err(errs) = draft.apply(&mut scratch, exists, None, cx.sh.today) {
                show(cx, errs);
            }
            return;
        }
    };
    let member = match store.get_at::<Member>(&member_key_bytes) {
        Ok(Some(m)) => m,
        Ok(None) => return cx.sh.form_error(Msg::new(k::ERR_GONE)),
        Err(e) => return cx.sh.form_error(messages::store(&e)),
    };
    let district = cx.funds.iter().find(|r| r.id == member.fund_id).map_or(0, |r| r.district);
    let mut record =
        before.clone().unwrap_or_else(|| OccupationRecord::new(&member, district, cx.sh.today.year()));
    record.member_name = member.full_name();
    record.district = district;
    let loans: Vec<u64> = member.loans.iter().map(|l| l.id).collect();
    let applied = draft.apply(&mut record, exists, Some(&loans), cx.sh.today);
    record.refresh_loans(&member.loans);
    if let Err(errs) = applied {
        return show(cx, errs);
    }
    match store.save(cx.sh.who(), &record) {
        Ok(saved) => {
            cx.sh.form = None;
            cx.sh.info(Msg::with(
                k::SAVED,
                [format!("{} · {}", saved.member_name, cx.sh.category_label(saved.category))],
            ));
            changed(cx, Some(&saved), (saved.fund_id, saved.member_id, saved.id));
        }
        Err(e) => cx.sh.form_error(messages::save(&e)),
    }
}

/// The catalog follows (`saved = None`: deleted), and the lists that show it;
/// screens showing the record or its member read it again after the action
/// (the store's generations say they changed).
fn changed(cx: &mut Cx<'_>, saved: Option<&OccupationRecord>, key: (u64, u64, u64)) {
    cx.sh.occupation_saved(saved, key.2);
    cx.effect(Effect::CatalogChanged);
}

pub fn delete(cx: &mut Cx<'_>, key: (u64, u64, u64), version: u64) {
    let store = cx.store;
    match store.delete_at::<OccupationRecord>(cx.sh.who(), &occupation_key(key.0, key.1, key.2), version) {
        Ok(gone) => {
            cx.sh.info(Msg::with(k::DELETED_OCCUPATION, [gone.member_name.clone()]));
            changed(cx, None, key);
        }
        Err(e) => cx.sh.error(messages::save(&e)),
    }
}

/// The form that moves a household to `stage` (from the Ranking tab).
pub fn open_mark_form(cx: &mut Cx<'_>, key: &[u8], stage: Stage) {
    let store = cx.store;
    let record = match store.get_at::<OccupationRecord>(key) {
        Ok(Some(r)) => r,
        Ok(None) => return cx.sh.error(k::ERR_GONE),
        Err(e) => return cx.sh.error(messages::store(&e)),
    };
    if record.stage >= stage {
        return cx.sh.info(Msg::with(
            k::ALREADY_AT_STAGE,
            [record.member_name.clone(), tr(cx.sh.lang, labels::stage(record.stage)).to_string()],
        ));
    }
    let title = match stage {
        Stage::Model => Msg::with(k::FORM_MARK_MODEL, [record.member_name.clone()]),
        _ => Msg::with(k::FORM_MARK_SELECTED, [record.member_name.clone()]),
    };
    let kind =
        FormKind::Mark { key: (record.fund_id, record.member_id, record.id), version: record.version, stage };
    let fields = vec![
        Field::text(k::FIELD_DATE, thai::format_date(cx.sh.today, cx.sh.lang), Some(k::HINT_DATE)),
        Field::text(k::FIELD_REASON, "", None),
    ];
    cx.sh.form = Some(Form::new(kind, title, fields));
}

/// Records the new stage with its date and reason on the occupation record.
fn submit_mark(cx: &mut Cx<'_>, store: &Store) {
    let Some(form) = &mut cx.sh.form else { return };
    // A stage change from the occupation record has the stage as its first field.
    let (key, version, stage, off) = match form.kind {
        FormKind::Mark { key, version, stage } => (key, version, stage, 0),
        FormKind::StageChange { key, version } => {
            let Some(stage) = labels::pick(&Stage::ALL, form.fields.first().and_then(Field::choice_value))
            else {
                return;
            };
            (key, version, stage, 1)
        }
        _ => return,
    };
    let date_text = form.fields.get(off).map(|f| f.text_value().to_string()).unwrap_or_default();
    let reason = form.fields.get(off + 1).map(|f| f.text_value().trim().to_string()).unwrap_or_default();
    let date = match thai::parse_date(&date_text) {
        Ok(d) if d > cx.sh.today => Err(Msg::new(k::ERR_FUTURE)),
        Ok(d) => Ok(d),
        Err(e) => Err(messages::date(&e)),
    };
    let mut bad = false;
    if let Err(m) = &date {
        form.set_error(off, m.clone());
        bad = true;
    }
    if reason.is_empty() {
        form.set_error(off + 1, Msg::new(k::ERR_REASON_NEEDED));
        bad = true;
    } else if reason.chars().count() > 200 {
        form.set_error(off + 1, Msg::with(k::ERR_TOO_LONG, ["200".to_string()]));
        bad = true;
    }
    let (Ok(date), false) = (date, bad) else { return };
    let k = occupation_key(key.0, key.1, key.2);
    let mut record = match store.get_at::<OccupationRecord>(&k) {
        Ok(Some(r)) => r,
        Ok(None) => return cx.sh.form_error(Msg::new(k::ERR_GONE)),
        Err(e) => return cx.sh.form_error(messages::store(&e)),
    };
    if record.stage == stage {
        return cx.sh.form_error(Msg::with(
            k::ALREADY_AT_STAGE,
            [record.member_name.clone(), tr(cx.sh.lang, labels::stage(stage)).to_string()],
        ));
    }
    if let Some(last) = record.stage_history.last()
        && date < last.date
    {
        // History stays in order: a change cannot predate the last one.
        if let Some(form) = &mut cx.sh.form {
            form.set_error(
                off,
                Msg::with(k::ERR_BEFORE_LAST_STAGE, [thai::format_date(last.date, cx.sh.lang)]),
            );
        }
        return;
    }
    // Stages go in order: a skip is saved only once the officer has seen
    // which stages it passes over (the reason goes into the history).
    let skipped = record.stage.skipped_to(stage);
    if !skipped.is_empty() {
        let names: Vec<&str> = skipped.iter().map(|s| tr(cx.sh.lang, labels::stage(*s))).collect();
        let warning = Msg::with(k::WARN_STAGE_SKIP, [names.join(", ")]);
        if let Some(form) = &mut cx.sh.form
            && !form.confirmed(warning)
        {
            return;
        }
    }
    record.version = version;
    record.stage = stage;
    record.stage_history.push(StageChange { stage, date, note: reason });
    match store.save(cx.sh.who(), &record) {
        Ok(saved) => {
            cx.sh.form = None;
            cx.sh.info(Msg::with(
                k::MARKED,
                [saved.member_name.clone(), tr(cx.sh.lang, labels::stage(stage)).to_string()],
            ));
            changed(cx, Some(&saved), key);
        }
        Err(e) => cx.sh.form_error(messages::save(&e)),
    }
}
