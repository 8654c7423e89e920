//! A stored record written out for an officer, field by field in their
//! language: the Admin tab's before → after of an audit entry. Labels are the
//! forms' own, dates are Thai (B.E.), money is in baht with its commas, and
//! a fund, sage or place is named; Rust's `Debug` text (`Some(2017-01-01,)`,
//! `Unassessed`, field names) reached the screen before.

use crate::{
    domain::{
        Date, Lang,
        fund::Fund,
        loan::LoanStatus,
        member::Member,
        occupation::OccupationRecord,
        officer::Officer,
        programme::{NetworkCommittee, OtopProduct, Producer, SupportActivity},
        sage::{Assignment, Sage},
        thai,
    },
    i18n::{Key, k, tr},
    service::labels,
    store::{Record, Store},
};

/// The lines of a stored value of kind `tree`, each `label: value`; `None`
/// for kinds without a record type, or bytes that do not decode.
pub fn lines(store: &Store, tree: &str, bytes: &[u8], lang: Lang) -> Option<Vec<String>> {
    fn decode<R: Record>(bytes: &[u8]) -> Option<R> {
        R::from_stored(bytes).ok()
    }
    let mut out = Out { lang, lines: Vec::new() };
    match tree {
        t if t == Fund::TREE => fund(&mut out, &decode::<Fund>(bytes)?),
        t if t == Member::TREE => member(&mut out, store, &decode::<Member>(bytes)?),
        t if t == OccupationRecord::TREE => occupation(&mut out, store, &decode::<OccupationRecord>(bytes)?),
        t if t == Sage::TREE => sage(&mut out, &decode::<Sage>(bytes)?),
        t if t == Assignment::TREE => assignment(&mut out, store, &decode::<Assignment>(bytes)?),
        t if t == NetworkCommittee::TREE => committee(&mut out, store, &decode::<NetworkCommittee>(bytes)?),
        t if t == SupportActivity::TREE => support(&mut out, &decode::<SupportActivity>(bytes)?),
        t if t == OtopProduct::TREE => otop(&mut out, store, &decode::<OtopProduct>(bytes)?),
        t if t == Officer::TREE => officer(&mut out, store, &decode::<Officer>(bytes)?),
        _ => return None,
    }
    Some(out.lines)
}

struct Out {
    lang: Lang,
    lines: Vec<String>,
}

impl Out {
    fn put(&mut self, label: Key, value: impl std::fmt::Display) {
        self.lines.push(format!("{}: {value}", tr(self.lang, label)));
    }

    /// A part of the record (a loan, a payment), indented under it.
    fn part(&mut self, label: Key, value: impl std::fmt::Display) {
        self.lines.push(format!("  {}: {value}", tr(self.lang, label)));
    }

    fn date(&self, d: Date) -> String {
        thai::format_date(d, self.lang)
    }

    fn opt_date(&self, d: Option<Date>) -> String {
        d.map(|d| self.date(d)).unwrap_or_else(|| "-".into())
    }

    fn label(&self, key: Key) -> &'static str {
        tr(self.lang, key)
    }

    fn yes_no(&self, v: bool) -> &'static str {
        tr(self.lang, if v { k::DESC_YES } else { k::DESC_NO })
    }
}

/// A fund's code by its id (`None`: no such fund, or it did not read).
pub fn fund_code(store: &Store, id: u64) -> Option<String> {
    store.get::<Fund>(id).ok().flatten().map(|f| f.code)
}

/// A fund's code, or `#id` when it cannot be read.
fn fund_named(store: &Store, id: u64) -> String {
    fund_code(store, id).unwrap_or_else(|| format!("#{id}"))
}

fn sage_name(store: &Store, id: u64) -> String {
    store.get::<Sage>(id).ok().flatten().map(|s| s.full_name()).unwrap_or_else(|| format!("#{id}"))
}

fn fund(o: &mut Out, f: &Fund) {
    o.put(k::DESC_FUND_CODE, &f.code);
    o.put(k::FIELD_FUND_NAME, &f.name);
    o.put(k::FIELD_FUND_KIND, o.label(labels::fund_kind(f.kind)));
    o.put(k::FIELD_REGISTRATION, &f.registration_no);
    o.put(k::FIELD_ESTABLISHED, o.opt_date(f.established));
    o.put(k::FIELD_GRADE, o.label(labels::grade(f.grade)));
    o.put(k::FIELD_ASSESSED_YEAR, f.assessed_year.map_or("-".to_string(), |y| thai::be_year(y).to_string()));
    for e in &f.capital {
        let note = if e.note.is_empty() { String::new() } else { format!(" ({})", e.note) };
        let kind = o.label(labels::capital_kind(e.kind));
        o.part(
            k::DESC_CAPITAL,
            format!("{kind} {} {} {}{note}", o.date(e.date), e.amount, o.label(k::DESC_BAHT)),
        );
    }
    for c in &f.committee {
        o.part(k::DESC_COMMITTEE, format!("{} ({})", c.name, c.position));
    }
    o.put(k::DESC_VERSION, f.version);
}

fn member(o: &mut Out, store: &Store, m: &Member) {
    o.put(k::DESC_FUND, fund_named(store, m.fund_id));
    o.put(k::FIELD_NATIONAL_ID, m.national_id);
    o.put(k::FIELD_TITLE, &m.title);
    o.put(k::FIELD_GIVEN_NAME, &m.given_name);
    o.put(k::FIELD_FAMILY_NAME, &m.family_name);
    o.put(k::FIELD_BIRTH_DATE, o.opt_date(m.birth_date));
    o.put(k::FIELD_HOUSEHOLD, &m.household_no);
    o.put(k::FIELD_PHONE, &m.phone);
    o.put(k::FIELD_JOINED, o.opt_date(m.joined));
    o.put(k::FIELD_MEMBER_STATUS, o.label(labels::member_status(m.status)));
    for l in &m.loans {
        let written_off = if l.status == LoanStatus::WrittenOff {
            format!(", {}", o.label(k::DESC_WRITTEN_OFF))
        } else {
            String::new()
        };
        o.part(
            k::DESC_LOAN,
            format!(
                "{} {} {}, {}% {}, {} {} {}, {}{written_off}",
                l.id,
                l.principal,
                o.label(k::DESC_BAHT),
                f64::from(l.rate_bp) / 100.0,
                o.date(l.start),
                l.term_months,
                o.label(k::DESC_MONTHS),
                o.label(labels::repayment_mode(l.mode)),
                l.purpose,
            ),
        );
        for r in &l.repayments {
            o.part(
                k::DESC_REPAYMENT,
                format!(
                    "{} {} {} {}, {} {}, {} {}",
                    o.date(r.date),
                    o.label(k::FIELD_PRINCIPAL),
                    r.principal,
                    o.label(k::DESC_BAHT),
                    o.label(k::FIELD_INTEREST),
                    r.interest,
                    o.label(k::FIELD_PENALTY),
                    r.penalty,
                ),
            );
        }
    }
    o.put(k::DESC_VERSION, m.version);
}

fn occupation(o: &mut Out, store: &Store, r: &OccupationRecord) {
    o.put(k::DESC_FUND, fund_named(store, r.fund_id));
    o.put(k::DESC_HOUSEHOLD, &r.member_name);
    o.put(k::FIELD_CATEGORY, r.category);
    o.put(k::FIELD_DESCRIPTION, &r.description);
    o.put(k::FIELD_START_YEAR, thai::be_year(r.start_year));
    let loans: Vec<String> = r.loan_ids.iter().map(u64::to_string).collect();
    o.put(k::FIELD_LOANS, loans.join(" "));
    o.put(k::FIELD_INCOME_BEFORE, r.before.income);
    o.put(k::FIELD_EXPENSES_BEFORE, r.before.expenses);
    o.put(k::FIELD_SAVINGS_BEFORE, r.before.savings);
    o.put(k::FIELD_INCOME_AFTER, r.after.income);
    o.put(k::FIELD_EXPENSES_AFTER, r.after.expenses);
    o.put(k::FIELD_SAVINGS_AFTER, r.after.savings);
    o.put(k::FIELD_OCC_STATUS, o.label(labels::occupation_status(r.status)));
    o.put(k::FIELD_STAGE, o.label(labels::stage(r.stage)));
    for c in &r.stage_history {
        let note = if c.note.is_empty() { String::new() } else { format!(" ({})", c.note) };
        o.part(k::DESC_STAGE_MOVED, format!("{} {}{note}", o.date(c.date), o.label(labels::stage(c.stage))));
    }
    o.put(k::DESC_VERSION, r.version);
}

fn sage(o: &mut Out, s: &Sage) {
    o.put(k::FIELD_NATIONAL_ID, s.national_id);
    o.put(k::FIELD_TITLE, &s.title);
    o.put(k::FIELD_GIVEN_NAME, &s.given_name);
    o.put(k::FIELD_FAMILY_NAME, &s.family_name);
    o.put(k::FIELD_PHONE, &s.phone);
    o.put(k::FIELD_HOME_VILLAGE, s.home_village);
    let expertise: Vec<String> = s.expertise.iter().map(u16::to_string).collect();
    o.put(k::FIELD_EXPERTISE, expertise.join(" "));
    o.put(k::FIELD_CAPACITY, s.capacity);
    o.put(k::FIELD_SAGE_STATUS, o.label(labels::sage_status(s.status)));
    o.put(k::DESC_VERSION, s.version);
}

fn assignment(o: &mut Out, store: &Store, a: &Assignment) {
    o.put(k::DESC_SAGE, sage_name(store, a.sage_id));
    o.put(k::DESC_HOUSEHOLD, &a.household);
    o.put(k::DESC_FUND, fund_named(store, a.occupation.0));
    o.put(k::DESC_STARTED, o.date(a.start));
    o.put(k::DESC_ENDED, o.opt_date(a.end));
    o.put(k::DESC_STATUS, o.label(labels::assignment_status(a.status)));
    for v in &a.visits {
        let next = if v.next_step.is_empty() {
            String::new()
        } else {
            format!("; {}: {}", o.label(k::FIELD_NEXT_STEP), v.next_step)
        };
        o.part(k::DESC_VISIT, format!("{} {}{next}", o.date(v.date), v.notes));
    }
    o.put(k::DESC_VERSION, a.version);
}

fn committee(o: &mut Out, store: &Store, c: &NetworkCommittee) {
    o.put(k::FIELD_DISTRICT, c.district);
    o.put(k::FIELD_CHAIR, &c.chair);
    for s in &c.members {
        o.part(k::DESC_COMMITTEE, format!("{} ({})", s.name, s.position));
    }
    for b in &c.briefings {
        let funds: Vec<String> = b.funds.iter().map(|f| fund_named(store, *f)).collect();
        let note = if b.note.is_empty() { String::new() } else { format!(" ({})", b.note) };
        o.part(k::DESC_BRIEFING, format!("{} {}: {}{note}", o.date(b.date), b.place, funds.join(" ")));
    }
    o.put(k::DESC_VERSION, c.version);
}

fn support(o: &mut Out, s: &SupportActivity) {
    o.put(k::FIELD_DATE, o.date(s.date));
    o.put(k::FIELD_SUPPORT_BY, o.label(labels::support_level(s.level)));
    o.put(k::FIELD_SUPPORT_KIND, o.label(labels::support_kind(s.kind)));
    o.put(k::FIELD_SUPPORT_SCOPE, &s.label);
    o.put(k::FIELD_DISTRICT, s.district);
    o.put(k::FIELD_NOTE, &s.note);
    o.put(k::DESC_VERSION, s.version);
}

fn otop(o: &mut Out, store: &Store, p: &OtopProduct) {
    o.put(k::FIELD_PRODUCT, &p.name);
    o.put(k::FIELD_OTOP_CATEGORY, o.label(labels::otop_category(p.category)));
    let fund = match &p.producer {
        Producer::Household((f, _, _)) | Producer::Group { fund: f, .. } => fund_named(store, *f),
    };
    o.put(k::FIELD_PRODUCER, format!("{} ({} {fund})", p.producer_name, o.label(k::DESC_FUND)));
    o.put(k::FIELD_DISTRICT, p.district);
    o.put(k::FIELD_STARS, p.stars);
    o.put(k::FIELD_RATING_YEAR, thai::be_year(p.rating_year));
    o.put(k::DESC_VERSION, p.version);
}

fn officer(o: &mut Out, store: &Store, x: &Officer) {
    o.put(k::FIELD_LOGIN, &x.login);
    o.put(k::FIELD_OFFICER_NAME, &x.display_name);
    o.put(k::FIELD_ROLE, x.role.name());
    if let Some(d) = x.district {
        o.put(k::FIELD_DISTRICT, d);
    }
    if let Some(f) = x.fund {
        o.put(k::DESC_FUND, fund_named(store, f));
    }
    for key in &x.keys {
        // The key's kind and comment: its body is long and means nothing here.
        let mut words = key.split_whitespace();
        let (kind, comment) = (words.next().unwrap_or_default(), words.nth(1).unwrap_or_default());
        o.part(k::DESC_KEY, format!("{kind} {comment}"));
    }
    o.put(k::DESC_DISABLED, o.yes_no(x.disabled));
    o.put(k::DESC_VERSION, x.version);
}
