//! Demo members of one fund, with their loan books and occupation records.
//!
//! Most members borrow once a year at the fund's lending round (10,000–50,000
//! baht, one-year lump sum, sometimes monthly instalments) and repay on time;
//! about one in eight pays late, one in twenty stops paying, and a member who
//! has not repaid gets no new loan. Members are at least 15 when they join,
//! borrow only after joining, and the fund lends only what it has on the day
//! (its capital so far, plus what repayments and interest have brought back,
//! minus what is out): loan sizes follow the fund's capital, and a loan that
//! would still overdraw it is made smaller or not made.

use std::{
    cmp::Reverse,
    collections::{BinaryHeap, HashSet},
};

use rand::{
    Rng,
    seq::{IndexedRandom, SliceRandom},
};
use rand_chacha::ChaCha8Rng;

use super::names;
use crate::domain::{
    Date, Money,
    loan::{Loan, LoanStatus, Repayment, RepaymentMode},
    member::{Member, MemberStatus},
    occupation::{Annual, OccupationRecord, OccupationStatus, Stage, StageChange},
    thai::NationalId,
};

/// One fund's share of the demo.
pub struct FundPlan {
    pub fund_id: u64,
    pub district: u16,
    pub established: Date,
    pub members: usize,
    /// The fund's yearly rate, in basis points.
    pub rate_bp: u32,
    /// Month of the fund's yearly lending round.
    pub lending_month: u8,
    /// The fund's lending capital as it came in (the Pracharat project budget
    /// is not lent), by date.
    pub capital: Vec<(Date, Money)>,
    /// Loans are this many thousandths of the usual sizes, so what the
    /// members ask for fits what the fund has.
    pub loan_scale: i64,
}

/// How many loans and occupation records the demo aims for, per member.
pub struct Targets {
    /// Chance of borrowing in each of the last six years.
    pub yearly_borrowing: f64,
    /// Chance that a member who borrowed has an occupation record.
    pub occupation_share: f64,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Payer {
    Good,
    Late,
    Bad,
}

/// Occupation categories by how common they are in Si Sa Ket (weights).
const CATEGORY_WEIGHTS: [(u16, u32); 25] = [
    (12, 14),
    (11, 8),
    (1, 10),
    (4, 8),
    (13, 8),
    (10, 6),
    (23, 6),
    (6, 4),
    (7, 4),
    (14, 4),
    (17, 4),
    (19, 4),
    (3, 3),
    (5, 3),
    (8, 3),
    (15, 3),
    (16, 3),
    (18, 3),
    (22, 3),
    (24, 3),
    (9, 2),
    (21, 2),
    (25, 2),
    (2, 1),
    (20, 1),
];

fn category(rng: &mut ChaCha8Rng) -> u16 {
    CATEGORY_WEIGHTS.choose_weighted(rng, |c| c.1).map(|c| c.0).unwrap_or(12)
}

pub(super) fn date_between(rng: &mut ChaCha8Rng, from: Date, to: Date) -> Date {
    if to <= from { from } else { Date::from_days(rng.random_range(from.days()..=to.days())) }
}

/// Whole hundreds of baht.
fn baht_100(rng: &mut ChaCha8Rng, lo: i64, hi: i64) -> Money {
    Money::baht(rng.random_range(lo / 100..=hi / 100) * 100)
}

pub(super) fn national_id(
    rng: &mut ChaCha8Rng,
    born: i32,
    district: u16,
    used: &mut HashSet<u64>,
) -> NationalId {
    loop {
        let mut d = [0u8; 12];
        // Born before the 1984 registration: 3; after: 1. Then the province and
        // district of registration, then the book and the person.
        d[0] = if born < 1984 { 3 } else { 1 };
        let digits = [district / 1000, district / 100 % 10, district / 10 % 10, district % 10];
        for (d, x) in d[1..5].iter_mut().zip(digits) {
            *d = x as u8;
        }
        for x in &mut d[5..] {
            *x = rng.random_range(0..10);
        }
        if let Some(id) = NationalId::from_first12(&d)
            && used.insert(id.as_u64())
        {
            return id;
        }
    }
}

fn repay(rng: &mut ChaCha8Rng, loan: &mut Loan, payer: Payer, as_of: Date) {
    let schedule = loan.schedule();
    let mut interest_left = schedule.iter().map(|i| i.interest.0).sum::<i64>();
    let mut pay = |loan: &mut Loan, date: Date, principal: i64, interest: i64| {
        if date > as_of || date < loan.start || (principal <= 0 && interest <= 0) {
            return;
        }
        let interest = interest.min(interest_left);
        interest_left -= interest;
        loan.repayments.push(Repayment {
            date,
            principal: Money(principal),
            interest: Money(interest),
            penalty: Money::ZERO,
        });
    };
    match loan.mode {
        RepaymentMode::LumpSum => {
            let Some(inst) = schedule.first().copied() else { return };
            let (p, i) = (inst.principal.0, inst.interest.0);
            match payer {
                Payer::Good => pay(loan, inst.due.add_days(-rng.random_range(0..20)), p, i),
                Payer::Late => {
                    if rng.random_bool(0.3) {
                        let part = p * rng.random_range(30..70) / 100 / 10_000 * 10_000;
                        let first = inst.due.add_days(rng.random_range(10..60));
                        pay(loan, first, part, i);
                        pay(loan, first.add_days(rng.random_range(30..150)), p - part, 0);
                    } else {
                        pay(loan, inst.due.add_days(rng.random_range(5..120)), p, i);
                    }
                }
                Payer::Bad => {
                    if rng.random_bool(0.5) {
                        let part = p * rng.random_range(10..60) / 100 / 10_000 * 10_000;
                        pay(loan, inst.due.add_days(rng.random_range(30..200)), part, i / 2);
                    }
                }
            }
        }
        RepaymentMode::Monthly => {
            let stop =
                if payer == Payer::Bad { rng.random_range(0..schedule.len().max(1)) } else { usize::MAX };
            for (n, inst) in schedule.iter().enumerate() {
                if n >= stop {
                    break;
                }
                let date = match payer {
                    Payer::Good => inst.due.add_days(-rng.random_range(0..5)),
                    Payer::Late => inst.due.add_days(rng.random_range(0..45)),
                    Payer::Bad => inst.due.add_days(rng.random_range(0..20)),
                };
                pay(loan, date, inst.principal.0, inst.interest.0);
            }
            loan.repayments.sort_by_key(|r| r.date);
        }
    }
}

/// The members of one fund with their loans, and the occupation records of
/// some of them. Member ids run from `first_member_id`; loan ids from
/// `next_loan_id` (advanced); national IDs are unique across `used`.
pub fn fund_people(
    rng: &mut ChaCha8Rng,
    plan: &FundPlan,
    first_member_id: u64,
    next_loan_id: &mut u64,
    targets: &Targets,
    as_of: Date,
    used: &mut HashSet<u64>,
) -> (Vec<Member>, Vec<OccupationRecord>) {
    let mut members = Vec::with_capacity(plan.members);
    let mut mains = Vec::with_capacity(plan.members);
    let n = plan.members as u64;
    for i in 0..n {
        let id = first_member_id + i;
        let p = names::person(rng);
        let born = rng.random_range(1950..=2000);
        let birth = Date::from_ymd(born, rng.random_range(1..=12), rng.random_range(1..=28));
        // Members join from the fund's start, and at 15 at the youngest.
        let earliest = birth.map_or(plan.established, |b| {
            plan.established.max(b.add_months(crate::domain::member::MIN_AGE * 12))
        });
        let joined = if rng.random_bool(0.6) {
            date_between(rng, earliest, earliest.add_days(365))
        } else {
            date_between(rng, earliest, as_of.add_days(-200))
        };
        let payer = match rng.random_range(0..100) {
            0..82 => Payer::Good,
            82..95 => Payer::Late,
            _ => Payer::Bad,
        };
        let main = category(rng);
        let mut loans: Vec<Loan> = Vec::new();
        for year in (as_of.year() - 5)..=as_of.year() {
            if !rng.random_bool(targets.yearly_borrowing) {
                continue;
            }
            let start = Date::from_ymd(year, plan.lending_month, rng.random_range(1..=28)).unwrap_or(as_of);
            if start > as_of || start < joined {
                continue;
            }
            // A member who has not repaid the last loan gets no new one.
            if loans.last().is_some_and(|l| l.position(start).outstanding.0 > 0) {
                continue;
            }
            let thousands = match rng.random_range(0..10) {
                0 => rng.random_range(5..10),
                1 => rng.random_range(50..=100),
                _ => rng.random_range(10..=50),
            };
            let principal = Money::baht((thousands * plan.loan_scale / 1_000).max(5) * 1_000);
            let (mode, term) = if rng.random_bool(0.8) {
                (RepaymentMode::LumpSum, 12)
            } else {
                (RepaymentMode::Monthly, *[12u16, 18, 24].choose(rng).unwrap_or(&12))
            };
            let guarantors = (0..rng.random_range(1..=2))
                .map(|_| first_member_id + rng.random_range(0..n))
                .filter(|g| *g != id)
                .collect::<std::collections::BTreeSet<_>>()
                .into_iter()
                .collect();
            let mut loan = Loan {
                id: *next_loan_id,
                principal,
                rate_bp: plan.rate_bp,
                start,
                term_months: term,
                mode,
                purpose: if rng.random_bool(0.85) { main } else { category(rng) },
                guarantors,
                status: LoanStatus::Open,
                repayments: Vec::new(),
            };
            *next_loan_id += 1;
            repay(rng, &mut loan, payer, as_of);
            loans.push(loan);
        }
        let member = Member {
            id,
            version: 1,
            fund_id: plan.fund_id,
            national_id: national_id(rng, born, plan.district, used),
            title: p.title.to_string(),
            given_name: p.given.to_string(),
            family_name: p.family,
            birth_date: birth,
            household_no: if rng.random_bool(0.7) {
                rng.random_range(1..250).to_string()
            } else {
                format!("{}/{}", rng.random_range(1..250), rng.random_range(1..5))
            },
            phone: if rng.random_bool(0.7) {
                format!("08{}", rng.random_range(10_000_000..100_000_000))
            } else {
                String::new()
            },
            joined: Some(joined),
            status: if rng.random_bool(0.97) { MemberStatus::Active } else { MemberStatus::Left },
            loans,
        };
        members.push(member);
        mains.push(main);
    }
    keep_within_capital(&mut members, &plan.capital);
    let mut occupations = Vec::new();
    for (member, main) in members.iter().zip(mains) {
        if !member.loans.is_empty() && rng.random_bool(targets.occupation_share) {
            occupations.push(occupation(rng, member, main, plan, as_of));
        }
    }
    (members, occupations)
}

/// The fund lends only what it has on the day a loan starts: its capital so
/// far, plus the repayments, interest and penalties come in by then, minus
/// every loan made. A loan that would overdraw it is made smaller (whole
/// thousands of baht, at least 5,000, its repayments in proportion) or, if
/// less than that is left, not made.
pub(super) fn keep_within_capital(members: &mut [Member], capital: &[(Date, Money)]) {
    let mut order: Vec<(Date, usize, usize)> = members
        .iter()
        .enumerate()
        .flat_map(|(i, m)| m.loans.iter().enumerate().map(move |(j, l)| (l.start, i, j)))
        .collect();
    order.sort_unstable();
    let mut inflow: BinaryHeap<Reverse<(Date, i64)>> =
        capital.iter().map(|(d, m)| Reverse((*d, m.0))).collect();
    let mut cash = 0i64;
    let mut dropped = Vec::new();
    for (start, i, j) in order {
        while let Some(Reverse((d, amount))) = inflow.peek().copied()
            && d <= start
        {
            inflow.pop();
            cash += amount;
        }
        let loan = &mut members[i].loans[j];
        if loan.principal.0 > cash {
            let fits = cash / Money::baht(1_000).0 * Money::baht(1_000).0;
            if fits < Money::baht(5_000).0 {
                dropped.push((i, j));
                continue;
            }
            shrink(loan, Money(fits));
        }
        cash -= loan.principal.0;
        for r in &loan.repayments {
            inflow.push(Reverse((r.date, r.principal.0 + r.interest.0 + r.penalty.0)));
        }
    }
    dropped.sort_unstable();
    for (i, j) in dropped.into_iter().rev() {
        members[i].loans.remove(j);
    }
}

/// A loan made smaller: its repayments in proportion (a loan repaid in full
/// stays repaid in full).
fn shrink(loan: &mut Loan, to: Money) {
    let from = loan.principal.0.max(1);
    let scale = |x: Money| Money((i128::from(x.0) * i128::from(to.0) / i128::from(from)) as i64);
    let repaid_all = loan.repayments.iter().map(|r| r.principal.0).sum::<i64>() >= loan.principal.0;
    for r in &mut loan.repayments {
        r.principal = scale(r.principal);
        r.interest = scale(r.interest);
        r.penalty = scale(r.penalty);
    }
    loan.repayments.retain(|r| r.principal.0 > 0 || r.interest.0 > 0 || r.penalty.0 > 0);
    let paid: i64 = loan.repayments.iter().map(|r| r.principal.0).sum();
    if repaid_all && let Some(last) = loan.repayments.last_mut() {
        last.principal = Money(last.principal.0 + to.0 - paid);
    }
    loan.principal = to;
}

fn occupation(
    rng: &mut ChaCha8Rng,
    m: &Member,
    category: u16,
    plan: &FundPlan,
    as_of: Date,
) -> OccupationRecord {
    let first_loan = m.loans.first().map_or(as_of, |l| l.start);
    let start_year = rng.random_range(1995..=first_loan.year());
    let income_before = baht_100(rng, 30_000, 120_000);
    let growth = rng.random_range(85..190);
    let income_after = Money(income_before.0 * growth / 100 / 10_000 * 10_000);
    let expenses_before = Money(income_before.0 * rng.random_range(60..105) / 100 / 10_000 * 10_000);
    // About one household in five spends all it earns or more: not yet a
    // right livelihood (สัมมาชีพ).
    let spent = if rng.random_bool(0.22) { rng.random_range(100..125) } else { rng.random_range(50..95) };
    let expenses_after = Money(income_after.0 * spent / 100 / 10_000 * 10_000);
    let savings_before = baht_100(rng, 0, 40_000);
    let savings_after = Money((savings_before.0 + Money::baht(rng.random_range(-150..250) * 100).0).max(0));
    // Every record starts as a target household; `select_for_coaching` picks
    // the few a district coaches.
    let stage = Stage::Target;
    let history = vec![StageChange { stage, date: first_loan.min(as_of), note: String::new() }];
    let mut record = OccupationRecord {
        id: 0,
        version: 0,
        fund_id: plan.fund_id,
        member_id: m.id,
        member_name: m.full_name(),
        district: plan.district,
        category,
        description: String::new(),
        start_year,
        loan_ids: m.loans.iter().filter(|l| l.purpose == category).map(|l| l.id).collect(),
        before: Annual { income: income_before, expenses: expenses_before, savings: savings_before },
        after: Annual { income: income_after, expenses: expenses_after, savings: savings_after },
        status: if rng.random_bool(0.95) { OccupationStatus::Active } else { OccupationStatus::Stopped },
        stage,
        stage_history: history,
        instalments: Vec::new(),
    };
    record.refresh_loans(&m.loans);
    record
}

/// What the selection needs of a record that could be selected for
/// coaching (a right livelihood still carried on): its place among all the
/// demo's records, its district, its merit and its last stage's date.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Candidate {
    pub(super) index: u32,
    pub(super) district: u16,
    merit: i64,
    last: Option<Date>,
}

impl Candidate {
    /// How it ranks in its district's short list: the best first.
    pub(super) fn rank(&self) -> (Reverse<i64>, u32) {
        (Reverse(self.merit), self.index)
    }

    /// The record at `index` among the demo's records, if it could be selected.
    pub(super) fn of(index: usize, r: &OccupationRecord) -> Option<Candidate> {
        let index = u32::try_from(index).ok()?;
        (r.status == OccupationStatus::Active && r.verdict() != crate::domain::occupation::Verdict::NotYet)
            .then(|| Candidate {
                index,
                district: r.district,
                merit: r.after.net().0 + r.income_growth().0,
                last: r.stage_history.last().map(|c| c.date),
            })
    }
}

/// What became of a selected record: the stages it reached, each with its
/// date, and whether it has stopped since.
pub(super) struct Coaching {
    stage: Stage,
    history: Vec<StageChange>,
    stopped: bool,
}

impl Coaching {
    pub(super) fn apply(self, r: &mut OccupationRecord) {
        r.stage_history.extend(self.history);
        r.stage = self.stage;
        if self.stopped {
            r.status = OccupationStatus::Stopped;
        }
    }
}

/// The programme's steps 3 to 7 in each district: from the records that are
/// a right livelihood and still carried on, the best by net income and
/// income growth are short-listed and 20–30 of them selected for coaching
/// (about two years before `as_of`); of those, some have gone on to drive
/// their own livelihood, a few became model households and fewer still an
/// OTOP product, each stage months after the last; an odd one stopped since.
///
/// `districts` holds each district's candidates, in the order of the
/// districts' codes; only each one's best [`SHORT_LIST`] count. Returns each
/// selected record's place among the records, in order.
pub(super) fn select_for_coaching(
    rng: &mut ChaCha8Rng,
    districts: Vec<Vec<Candidate>>,
    as_of: Date,
) -> Vec<(u32, Coaching)> {
    let mut chosen = Vec::new();
    for mut list in districts.into_iter().filter(|l| !l.is_empty()) {
        list.sort_by_key(Candidate::rank);
        list.truncate(SHORT_LIST);
        list.shuffle(rng);
        let n = rng.random_range(20..=30);
        for c in list.iter().take(n) {
            let stage = match rng.random_range(0..100) {
                0..60 => Stage::Coached,
                60..85 => Stage::SelfDriving,
                85..96 => Stage::Model,
                _ => Stage::Otop,
            };
            let mut history = Vec::new();
            let mut last = c.last;
            let mut when = date_between(rng, as_of.add_days(-800), as_of.add_days(-400));
            for s in Stage::ALL.iter().filter(|s| **s > Stage::Target && **s <= stage) {
                when = when.max(last.unwrap_or(when)).min(as_of);
                history.push(StageChange { stage: *s, date: when, note: NOTES[*s as usize].into() });
                last = Some(when);
                when = date_between(rng, when.add_days(60), when.add_days(200));
            }
            let stopped = rng.random_bool(0.05);
            chosen.push((c.index, Coaching { stage, history, stopped }));
        }
    }
    chosen.sort_unstable_by_key(|(i, _)| *i);
    chosen
}

/// The records of a district short-listed before 20–30 are selected.
pub(super) const SHORT_LIST: usize = 60;

/// The reason each stage was reached, as the history keeps it.
const NOTES: [&str; 5] = [
    "",
    "ผ่านการคัดเลือกของคณะกรรมการเครือข่ายอำเภอ",
    "ประกอบอาชีพได้ต่อเนื่อง มีรายได้มั่นคง",
    "คัดเลือกเป็นครัวเรือนต้นแบบสัมมาชีพ",
    "ต่อยอดเป็นผลิตภัณฑ์ OTOP",
];
