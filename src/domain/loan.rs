//! Loans and repayments. A loan lives inside its member's record.
//!
//! Interest is simple interest, as the funds charge it: a lump-sum loan owes
//! `principal × rate × months / 12` at maturity; a monthly loan repays equal
//! principal instalments (the remainder in the last) with interest on the balance
//! outstanding during each month. Amounts round half up to the satang.
//!
//! Overdue days count from the due date of the earliest instalment whose principal
//! is not yet covered by the principal repaid; a loan's status, balance and
//! arrears are always derived from the schedule and the repayments as of a date.

use serde::{Deserialize, Serialize};

use super::{
    date::Date,
    money::{Money, MoneyError},
    thai::{self, DateError},
};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum RepaymentMode {
    /// Principal and interest at maturity.
    LumpSum,
    /// Equal monthly principal instalments with interest on the balance.
    Monthly,
}

/// What the fund decided about a loan; whether it is current, overdue or repaid
/// is derived (see [`LoanState`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub enum LoanStatus {
    #[default]
    Open,
    WrittenOff,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Repayment {
    pub date: Date,
    pub principal: Money,
    pub interest: Money,
    pub penalty: Money,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Loan {
    /// Unique within the store, so occupation records can cite it.
    pub id: u64,
    pub principal: Money,
    /// Annual rate in basis points (600 = 6 %).
    pub rate_bp: u32,
    pub start: Date,
    pub term_months: u16,
    pub mode: RepaymentMode,
    /// Occupation category code the loan is for.
    pub purpose: u16,
    /// Member ids of the guarantors (same fund).
    pub guarantors: Vec<u64>,
    pub status: LoanStatus,
    pub repayments: Vec<Repayment>,
}

/// An instalment as the ranking needs it: when it fell due, and the day the
/// repayments first covered its principal (if they have).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InstalmentFact {
    pub due: Date,
    pub covered: Option<Date>,
}

/// The repayment record of some instalments as of a day: the share (basis
/// points) of those due that were covered by their due date — `None` when none
/// has fallen due — and how many days the oldest one still unpaid is late.
pub fn repayment_record(facts: &[InstalmentFact], as_of: Date) -> (Option<u32>, i32) {
    let due: Vec<&InstalmentFact> = facts.iter().filter(|f| f.due <= as_of).collect();
    let on_time = due.iter().filter(|f| f.covered.is_some_and(|c| c <= f.due)).count() as u32;
    let share = (!due.is_empty()).then(|| on_time * 10_000 / due.len() as u32);
    let late = facts
        .iter()
        .filter(|f| f.due < as_of && f.covered.is_none_or(|c| c > as_of))
        .map(|f| as_of.days() - f.due.days())
        .max()
        .unwrap_or(0);
    (share, late)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Instalment {
    pub due: Date,
    pub principal: Money,
    pub interest: Money,
}

/// Derived state of a loan on a given day.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LoanState {
    Current,
    Overdue,
    Repaid,
    WrittenOff,
}

/// A loan's figures as of a date.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Position {
    pub outstanding: Money,
    pub paid_principal: Money,
    pub paid_interest: Money,
    pub paid_penalty: Money,
    /// Principal that had fallen due by the date.
    pub due_principal: Money,
    /// Principal due but not paid.
    pub arrears: Money,
    /// Interest of the instalments fallen due by the date.
    pub due_interest: Money,
    /// Interest due but not paid.
    pub interest_arrears: Money,
    pub days_overdue: i32,
    pub state: LoanState,
}

/// `a × b / c`, rounded half up, without overflow.
fn mul_div(a: i64, b: i64, c: i64) -> i64 {
    let n = i128::from(a) * i128::from(b);
    let c = i128::from(c.max(1));
    ((n + c / 2) / c) as i64
}

impl Loan {
    /// The instalments: one at maturity for a lump sum, `term` monthly ones otherwise.
    pub fn schedule(&self) -> Vec<Instalment> {
        let term = i64::from(self.term_months.max(1));
        let rate = i64::from(self.rate_bp);
        let p = self.principal.0;
        match self.mode {
            RepaymentMode::LumpSum => vec![Instalment {
                due: self.start.add_months(i32::from(self.term_months.max(1))),
                principal: self.principal,
                interest: Money(mul_div(p, rate * term, 10_000 * 12)),
            }],
            RepaymentMode::Monthly => {
                let base = p / term;
                let mut balance = p;
                (1..=term)
                    .map(|i| {
                        let principal = if i == term { balance } else { base };
                        let interest = mul_div(balance, rate, 10_000 * 12);
                        balance -= principal;
                        Instalment {
                            due: self.start.add_months(i as i32),
                            principal: Money(principal),
                            interest: Money(interest),
                        }
                    })
                    .collect()
            }
        }
    }

    /// What a repayment on `date` is expected to bring: the principal and
    /// interest fallen due by then and not yet paid; when nothing is owed yet,
    /// the next instalment. Never the whole payoff before it is due.
    pub fn due_now(&self, date: Date) -> (Money, Money) {
        let p = self.position(date);
        if p.arrears.0 > 0 || p.interest_arrears.0 > 0 || p.outstanding.0 <= 0 {
            return (p.arrears, p.interest_arrears);
        }
        let schedule = self.schedule();
        let mut cumulative = 0i64;
        let mut interest = 0i64;
        for inst in &schedule {
            cumulative += inst.principal.0;
            interest += inst.interest.0;
            if cumulative > p.paid_principal.0 {
                return (
                    Money((cumulative - p.paid_principal.0).min(p.outstanding.0)),
                    Money((interest - p.paid_interest.0).max(0)),
                );
            }
        }
        (p.outstanding, Money::ZERO)
    }

    /// What closes the loan (principal, interest): all the principal not yet
    /// repaid and all the interest its schedule charges not yet paid, counting
    /// every repayment but `except` (the one a form corrects). Interest is
    /// simple interest for the term (see the module), so repaying early does
    /// not lessen it, and a loan paid off never shows interest due later. The
    /// domain charges no penalty of its own: one the fund levies is typed by
    /// the officer. These are also the most a repayment may bring.
    pub fn payoff(&self, except: Option<usize>) -> (Money, Money) {
        let (principal, interest) = self
            .repayments
            .iter()
            .enumerate()
            .filter(|(i, _)| Some(*i) != except)
            .fold((0i64, 0i64), |(p, i), (_, r)| {
                (p.saturating_add(r.principal.0), i.saturating_add(r.interest.0))
            });
        (Money((self.principal.0 - principal).max(0)), Money((self.scheduled_interest().0 - interest).max(0)))
    }

    pub fn scheduled_interest(&self) -> Money {
        self.schedule().iter().map(|i| i.interest).sum()
    }

    pub fn maturity(&self) -> Date {
        self.start.add_months(i32::from(self.term_months.max(1)))
    }

    /// Balance, arrears, overdue days and state as of `as_of`: only repayments
    /// made on or before that day count.
    pub fn position(&self, as_of: Date) -> Position {
        let paid = |f: fn(&Repayment) -> Money| -> Money {
            Money(
                self.repayments
                    .iter()
                    .filter(|r| r.date <= as_of)
                    .fold(0i64, |a, r| a.saturating_add(f(r).0)),
            )
        };
        let paid_principal = paid(|r| r.principal);
        let outstanding = Money(self.principal.0 - paid_principal.0);
        let mut due_principal = Money::ZERO;
        let mut due_interest = Money::ZERO;
        let mut first_unpaid_due = None;
        let mut cumulative = 0i64;
        for inst in self.schedule() {
            cumulative += inst.principal.0;
            if inst.due <= as_of {
                due_principal = Money(cumulative);
                due_interest = Money(due_interest.0.saturating_add(inst.interest.0));
            }
            if first_unpaid_due.is_none() && cumulative > paid_principal.0 {
                first_unpaid_due = Some(inst.due);
            }
        }
        let arrears = Money((due_principal.0 - paid_principal.0).max(0));
        let days_overdue = match first_unpaid_due {
            Some(due) if due < as_of && arrears.0 > 0 => as_of.days() - due.days(),
            _ => 0,
        };
        let state = if self.status == LoanStatus::WrittenOff {
            LoanState::WrittenOff
        } else if outstanding.0 <= 0 {
            LoanState::Repaid
        } else if days_overdue > 0 {
            LoanState::Overdue
        } else {
            LoanState::Current
        };
        let paid_interest = paid(|r| r.interest);
        Position {
            outstanding,
            paid_principal,
            paid_interest,
            due_interest,
            interest_arrears: Money((due_interest.0 - paid_interest.0).max(0)),
            paid_penalty: paid(|r| r.penalty),
            due_principal,
            arrears,
            days_overdue,
            state,
        }
    }

    /// When an open loan turns more than 30 days late if nothing more is paid
    /// (the day after the 30th day past its oldest unpaid instalment), and its
    /// outstanding principal. `None` for a loan repaid or written off.
    pub fn risk(&self) -> Option<(Date, Money)> {
        if self.status == LoanStatus::WrittenOff {
            return None;
        }
        let paid: i64 = self.repayments.iter().map(|r| r.principal.0).sum();
        let outstanding = self.principal.0 - paid;
        if outstanding <= 0 {
            return None;
        }
        let mut cumulative = 0i64;
        let due = self.schedule().into_iter().find_map(|inst| {
            cumulative += inst.principal.0;
            (cumulative > paid).then_some(inst.due)
        })?;
        Some((due.add_days(31), Money(outstanding)))
    }

    /// Each instalment's due date and the day the repayments first covered its
    /// principal: cumulative principal paid, in date order, against the
    /// cumulative principal due.
    pub fn instalment_facts(&self) -> Vec<InstalmentFact> {
        let mut paid: Vec<&Repayment> = self.repayments.iter().collect();
        paid.sort_by_key(|r| r.date);
        let mut cumulative_due = 0i64;
        self.schedule()
            .iter()
            .map(|inst| {
                cumulative_due += inst.principal.0;
                let mut cumulative_paid = 0i64;
                let covered = paid.iter().find_map(|r| {
                    cumulative_paid += r.principal.0;
                    (cumulative_paid >= cumulative_due).then_some(r.date)
                });
                InstalmentFact { due: inst.due, covered }
            })
            .collect()
    }

    /// Share of its instalments, by number, whose principal was covered on or
    /// before the due date. Instalments not yet due do not count. `None` when
    /// nothing has fallen due.
    pub fn on_time_share_bp(&self, as_of: Date) -> Option<u32> {
        repayment_record(&self.instalment_facts(), as_of).0
    }
}

/// A fund's (or any group of loans') portfolio figures as of a date.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Portfolio {
    pub loans: u32,
    pub open_loans: u32,
    pub outstanding: Money,
    /// Outstanding principal of loans more than 30 days late.
    pub at_risk_30: Money,
    pub due_principal: Money,
    /// Principal repaid against what fell due (capped at what fell due, loan by loan).
    pub collected_due: Money,
}

impl Portfolio {
    pub fn add(&mut self, loan: &Loan, as_of: Date) {
        if loan.start > as_of {
            return;
        }
        let p = loan.position(as_of);
        self.loans += 1;
        if p.state != LoanState::WrittenOff && p.outstanding.0 > 0 {
            self.open_loans += 1;
            self.outstanding.0 += p.outstanding.0;
            if p.days_overdue > 30 {
                self.at_risk_30.0 += p.outstanding.0;
            }
        }
        self.due_principal.0 += p.due_principal.0;
        self.collected_due.0 += p.paid_principal.0.min(p.due_principal.0);
    }

    /// PAR30: unpaid principal of loans more than 30 days late ÷ outstanding
    /// principal, in basis points.
    pub fn par30_bp(&self) -> u32 {
        ratio_bp(self.at_risk_30.0, self.outstanding.0)
    }

    /// Repayment rate: principal collected against principal due, in basis points.
    pub fn repayment_rate_bp(&self) -> Option<u32> {
        (self.due_principal.0 > 0).then(|| ratio_bp(self.collected_due.0, self.due_principal.0))
    }
}

fn ratio_bp(num: i64, den: i64) -> u32 {
    if den <= 0 { 0 } else { mul_div(num, 10_000, den).clamp(0, 10_000) as u32 }
}

/// `1234` basis points → `12.3%`.
pub fn percent(bp: u32) -> String {
    let tenths = (bp + 5) / 10;
    format!("{}.{}%", tenths / 10, tenths % 10)
}

// ---------------------------------------------------------------- validation

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LoanField {
    Principal,
    Rate,
    Start,
    Term,
    Mode,
    Purpose,
    Guarantors,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum LoanError {
    #[error("amount: {0}")]
    Amount(MoneyError),
    #[error("must be more than zero")]
    Zero,
    #[error("more than {0}")]
    TooLarge(Money),
    #[error("rate: not a percentage")]
    Rate,
    #[error("rate above {0}%")]
    RateTooHigh(u32),
    #[error("date: {0}")]
    Date(DateError),
    #[error("before the fund was established")]
    BeforeFund,
    #[error("in the future")]
    Future,
    #[error("term: 1 to {0} months")]
    Term(u16),
    #[error("unknown occupation category")]
    Purpose,
    #[error("guarantor {0}: not a national ID")]
    GuarantorId(String),
    #[error("guarantor {0} is not a member of this fund")]
    GuarantorFund(String),
    #[error("the borrower cannot guarantee their own loan")]
    GuarantorSelf,
    #[error("guarantor {0} named twice")]
    GuarantorTwice(String),
    #[error("repayments already recorded exceed the new principal")]
    BelowRepaid,
    #[error("a repayment on {0:?} comes before this start")]
    AfterRepayment(Date),
    #[error("interest already paid ({0}) exceeds what these terms charge")]
    BelowPaidInterest(Money),
    #[error("before the borrower joined the fund")]
    BeforeJoining,
    #[error("more than the fund has to lend ({0})")]
    OverAvailable(Money),
}

pub const MAX_LOAN: Money = Money(10_000_000 * 100);
pub const MAX_RATE_BP: u32 = 1_500;
pub const MAX_TERM: u16 = 120;

/// Reads a yearly rate as typed: `6`, `5.5`, `๖`, `6%`.
pub fn parse_rate_bp(s: &str) -> Option<u32> {
    let s = thai::normalize_digits(s.trim());
    let s = s.trim_end_matches('%').trim();
    let (whole, frac) = s.split_once('.').unwrap_or((s, ""));
    if whole.is_empty() && frac.is_empty() || frac.len() > 2 {
        return None;
    }
    if !whole.chars().chain(frac.chars()).all(|c| c.is_ascii_digit()) {
        return None;
    }
    let w: u32 = if whole.is_empty() { 0 } else { whole.parse().ok()? };
    let f: u32 = match frac.len() {
        0 => 0,
        1 => frac.parse::<u32>().ok()? * 10,
        _ => frac.parse().ok()?,
    };
    w.checked_mul(100)?.checked_add(f)
}

/// `600` → `6`, `550` → `5.5`.
pub fn format_rate(bp: u32) -> String {
    match bp % 100 {
        0 => (bp / 100).to_string(),
        f if f % 10 == 0 => format!("{}.{}", bp / 100, f / 10),
        f => format!("{}.{f:02}", bp / 100),
    }
}

/// A guarantor as typed (national ID) and what the store knows of that person:
/// their member id and fund, if they are a member at all.
pub struct GuarantorLookup {
    pub typed: String,
    pub member: Option<(u64, u64)>,
}

/// The loan form as typed.
#[derive(Clone, Debug)]
pub struct LoanDraft {
    pub principal: String,
    pub rate: String,
    pub start: String,
    pub term: String,
    pub mode: RepaymentMode,
    pub purpose: u16,
}

/// What a loan is checked against besides what was typed.
pub struct LoanCheck<'a> {
    /// (member id, fund id).
    pub borrower: (u64, u64),
    /// The fund's establishment.
    pub fund_start: Option<Date>,
    /// The day the borrower joined the fund.
    pub joined: Option<Date>,
    /// The guarantors' national IDs, looked up.
    pub guarantors: &'a [GuarantorLookup],
    pub category_exists: bool,
    pub today: Date,
    /// The fund's money available to lend before this save
    /// ([`crate::domain::fund::Lending::available`]); `None` where the
    /// fund's book is not at hand (an import of past loans, whose
    /// repayments come in another file).
    pub available: Option<Money>,
}

impl LoanDraft {
    /// Fills `loan` from the form, checked against `check`; every problem is
    /// returned at once.
    pub fn apply(&self, loan: &mut Loan, check: &LoanCheck<'_>) -> Result<(), Vec<(LoanField, LoanError)>> {
        let LoanCheck { borrower, fund_start, joined, guarantors, category_exists, today, available } =
            *check;
        let mut errs = Vec::new();
        let principal = match Money::parse(&self.principal) {
            Ok(Money(0)) => {
                errs.push((LoanField::Principal, LoanError::Zero));
                None
            }
            Ok(m) if m > MAX_LOAN => {
                errs.push((LoanField::Principal, LoanError::TooLarge(MAX_LOAN)));
                None
            }
            Ok(m) => {
                let repaid: i64 = loan.repayments.iter().map(|r| r.principal.0).sum();
                if m.0 < repaid {
                    errs.push((LoanField::Principal, LoanError::BelowRepaid));
                }
                Some(m)
            }
            Err(e) => {
                errs.push((LoanField::Principal, LoanError::Amount(e)));
                None
            }
        };
        let rate = match parse_rate_bp(&self.rate) {
            Some(r) if r > MAX_RATE_BP => {
                errs.push((LoanField::Rate, LoanError::RateTooHigh(MAX_RATE_BP / 100)));
                None
            }
            Some(r) => Some(r),
            None => {
                errs.push((LoanField::Rate, LoanError::Rate));
                None
            }
        };
        let start = match thai::parse_date(&self.start) {
            Ok(d) if fund_start.is_some_and(|f| d < f) => {
                errs.push((LoanField::Start, LoanError::BeforeFund));
                None
            }
            Ok(d) if d > today => {
                errs.push((LoanField::Start, LoanError::Future));
                None
            }
            Ok(d) if joined.is_some_and(|j| d < j) => {
                errs.push((LoanField::Start, LoanError::BeforeJoining));
                None
            }
            Ok(d) => Some(d),
            Err(e) => {
                errs.push((LoanField::Start, LoanError::Date(e)));
                None
            }
        };
        let term = match thai::parse_int(&self.term) {
            Some(t) if (1..=i64::from(MAX_TERM)).contains(&t) => Some(t as u16),
            _ => {
                errs.push((LoanField::Term, LoanError::Term(MAX_TERM)));
                None
            }
        };
        if !category_exists {
            errs.push((LoanField::Purpose, LoanError::Purpose));
        }
        let mut ids = Vec::new();
        for g in guarantors {
            match g.member {
                _ if g.typed.is_empty() => {}
                None => errs.push((LoanField::Guarantors, LoanError::GuarantorId(g.typed.clone()))),
                Some((id, _)) if id == borrower.0 => {
                    errs.push((LoanField::Guarantors, LoanError::GuarantorSelf))
                }
                Some((_, fund)) if fund != borrower.1 => {
                    errs.push((LoanField::Guarantors, LoanError::GuarantorFund(g.typed.clone())))
                }
                Some((id, _)) if ids.contains(&id) => {
                    errs.push((LoanField::Guarantors, LoanError::GuarantorTwice(g.typed.clone())))
                }
                Some((id, _)) => ids.push(id),
            }
        }
        // Changing a loan that has repayments must not leave them out of reach:
        // none may come before the start, nor more interest than the new terms
        // charge.
        if let Some(first) = loan.repayments.iter().map(|r| r.date).min()
            && start.is_some_and(|s| s > first)
        {
            errs.push((LoanField::Start, LoanError::AfterRepayment(first)));
        }
        if let (Some(principal), Some(rate), Some(start), Some(term)) = (principal, rate, start, term) {
            let paid: i64 = loan.repayments.iter().map(|r| r.interest.0).sum();
            let terms =
                Loan { principal, rate_bp: rate, start, term_months: term, mode: self.mode, ..loan.clone() };
            if paid > terms.scheduled_interest().0 {
                errs.push((LoanField::Rate, LoanError::BelowPaidInterest(Money(paid))));
            }
        }
        // The fund lends only what it has: what this save adds to the
        // principal out (a new loan: all of it) must be available.
        if let (Some(principal), Some(available)) = (principal, available) {
            let added = principal.0 - loan.principal.0;
            if added > 0 && added > available.0 {
                errs.push((LoanField::Principal, LoanError::OverAvailable(Money(available.0.max(0)))));
            }
        }
        let (Some(principal), Some(rate), Some(start), Some(term), true) =
            (principal, rate, start, term, errs.is_empty())
        else {
            return Err(errs);
        };
        loan.principal = principal;
        loan.rate_bp = rate;
        loan.start = start;
        loan.term_months = term;
        loan.mode = self.mode;
        loan.purpose = self.purpose;
        loan.guarantors = ids;
        Ok(())
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RepaymentField {
    Date,
    Principal,
    Interest,
    Penalty,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RepaymentError {
    #[error("date: {0}")]
    Date(DateError),
    #[error("before the loan started")]
    BeforeLoan,
    #[error("in the future")]
    Future,
    #[error("amount: {0}")]
    Amount(MoneyError),
    #[error("nothing paid")]
    Nothing,
    #[error("more principal than is owed ({0})")]
    TooMuchPrincipal(Money),
    #[error("more interest than is owed ({0})")]
    TooMuchInterest(Money),
    #[error("more than {0}")]
    TooLarge(Money),
}

#[derive(Clone, Debug)]
pub struct RepaymentDraft {
    pub date: String,
    pub principal: String,
    pub interest: String,
    pub penalty: String,
}

fn money_or_zero(s: &str) -> Result<Money, MoneyError> {
    if s.trim().is_empty() { Ok(Money::ZERO) } else { Money::parse(s) }
}

impl RepaymentDraft {
    /// The repayment as typed, when its date and amounts read, before any
    /// check against the loan (an import looks for one already recorded).
    pub fn parsed(&self) -> Option<Repayment> {
        Some(Repayment {
            date: thai::parse_date(&self.date).ok()?,
            principal: money_or_zero(&self.principal).ok()?,
            interest: money_or_zero(&self.interest).ok()?,
            penalty: money_or_zero(&self.penalty).ok()?,
        })
    }

    /// Records a repayment on `loan` (`index = None`) or corrects repayment
    /// `index`. A repayment may not pay more principal than is outstanding, nor
    /// more interest than the schedule charges, counting every other repayment.
    pub fn apply(
        &self,
        loan: &mut Loan,
        index: Option<usize>,
        today: Date,
    ) -> Result<usize, Vec<(RepaymentField, RepaymentError)>> {
        let mut errs = Vec::new();
        let date = match thai::parse_date(&self.date) {
            Ok(d) if d < loan.start => {
                errs.push((RepaymentField::Date, RepaymentError::BeforeLoan));
                None
            }
            Ok(d) if d > today => {
                errs.push((RepaymentField::Date, RepaymentError::Future));
                None
            }
            Ok(d) => Some(d),
            Err(e) => {
                errs.push((RepaymentField::Date, RepaymentError::Date(e)));
                None
            }
        };
        let mut amount = |field, s: &str| match money_or_zero(s) {
            Ok(m) => Some(m),
            Err(e) => {
                errs.push((field, RepaymentError::Amount(e)));
                None
            }
        };
        let principal = amount(RepaymentField::Principal, &self.principal);
        let interest = amount(RepaymentField::Interest, &self.interest);
        let mut penalty = amount(RepaymentField::Penalty, &self.penalty);
        if penalty.is_some_and(|p| p > MAX_LOAN) {
            errs.push((RepaymentField::Penalty, RepaymentError::TooLarge(MAX_LOAN)));
            penalty = None;
        }
        // Every amount is checked even when the date is wrong, so the officer
        // sees all that needs fixing at once.
        if let (Some(p), Some(i), Some(x)) = (principal, interest, penalty)
            && p.0 == 0
            && i.0 == 0
            && x.0 == 0
        {
            errs.push((RepaymentField::Principal, RepaymentError::Nothing));
        }
        // At most the payoff, counting every other repayment.
        let (max_principal, max_interest) = loan.payoff(index);
        if principal.is_some_and(|p| p > max_principal) {
            errs.push((RepaymentField::Principal, RepaymentError::TooMuchPrincipal(max_principal)));
        }
        if interest.is_some_and(|i| i > max_interest) {
            errs.push((RepaymentField::Interest, RepaymentError::TooMuchInterest(max_interest)));
        }
        let (Some(date), Some(principal), Some(interest), Some(penalty), true) =
            (date, principal, interest, penalty, errs.is_empty())
        else {
            return Err(errs);
        };
        let r = Repayment { date, principal, interest, penalty };
        let at = match index.filter(|i| *i < loan.repayments.len()) {
            Some(i) => {
                loan.repayments[i] = r;
                i
            }
            None => {
                loan.repayments.push(r);
                loan.repayments.len() - 1
            }
        };
        // Keep repayments in date order; return where this one ended up.
        let marker = loan.repayments[at].clone();
        loan.repayments.sort_by_key(|r| r.date);
        Ok(loan.repayments.iter().rposition(|r| *r == marker).unwrap_or(at))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u8, day: u8) -> Date {
        Date::from_ymd(y, m, day).unwrap()
    }

    fn loan(mode: RepaymentMode, principal: i64, rate_bp: u32, term: u16) -> Loan {
        Loan {
            id: 1,
            principal: Money::baht(principal),
            rate_bp,
            start: d(2024, 1, 15),
            term_months: term,
            mode,
            purpose: 1,
            guarantors: vec![],
            status: LoanStatus::Open,
            repayments: vec![],
        }
    }

    fn pay(l: &mut Loan, date: Date, principal: i64, interest: i64) {
        l.repayments.push(Repayment {
            date,
            principal: Money(principal),
            interest: Money(interest),
            penalty: Money::ZERO,
        });
    }

    // Issue 18: the repayment form offered the whole remaining principal plus
    // the interest of the full term (a payoff) where less had fallen due.
    #[test]
    fn what_is_due_now_is_what_fell_due_or_the_next_instalment() {
        let l = loan(RepaymentMode::Monthly, 60_000, 600, 12);
        let sched = l.schedule();
        let upto = |n: usize| -> (Money, Money) {
            (sched[..n].iter().map(|i| i.principal).sum(), sched[..n].iter().map(|i| i.interest).sum())
        };
        // Before the first instalment: the first instalment.
        assert_eq!(l.due_now(d(2024, 2, 1)), upto(1));
        // Five instalments fallen due, nothing paid: those five.
        assert_eq!(l.due_now(d(2024, 6, 20)), upto(5));
        let p = l.position(d(2024, 6, 20));
        assert_eq!((p.arrears, p.interest_arrears), upto(5));
        // Three of them paid in full: the other two.
        let mut paid = l.clone();
        let (p3, i3) = upto(3);
        pay(&mut paid, d(2024, 4, 20), p3.0, i3.0);
        let (p5, i5) = upto(5);
        assert_eq!(paid.due_now(d(2024, 6, 20)), (Money(p5.0 - p3.0), Money(i5.0 - i3.0)));
        // Never more than the payoff, never negative.
        let (pr, it) = l.due_now(d(2030, 1, 1));
        assert_eq!((pr, it), (l.principal, l.scheduled_interest()));
        // A matured lump sum: the principal and its interest.
        let lump = loan(RepaymentMode::LumpSum, 47_000, 600, 6);
        assert_eq!(lump.due_now(d(2024, 8, 1)), (Money::baht(47_000), lump.scheduled_interest()));
        assert_eq!(lump.position(d(2024, 8, 1)).interest_arrears, Money::baht(1_410));
    }

    #[test]
    fn the_payoff_is_all_principal_left_and_all_interest_unpaid_and_closes_the_loan() {
        let today = d(2026, 1, 1);
        // Monthly, 60,000 at 6 % over 12 months: interest 1,950 in all.
        let mut l = loan(RepaymentMode::Monthly, 60_000, 600, 12);
        assert_eq!(l.scheduled_interest(), Money::baht(1_950));
        assert_eq!(l.payoff(None), (Money::baht(60_000), Money::baht(1_950)));
        // Three instalments paid (15,000 and their interest 300 + 275 + 250).
        pay(&mut l, d(2024, 4, 15), 1_500_000, 82_500);
        assert_eq!(l.payoff(None), (Money::baht(45_000), Money::baht(1_125)));
        // More than what has fallen due, which is all `due_now` offers.
        let (due_p, due_i) = l.due_now(d(2024, 6, 20));
        assert!(due_p < Money::baht(45_000) && due_i < Money::baht(1_125));
        // Correcting that repayment: as if it were not there.
        assert_eq!(l.payoff(Some(0)), (Money::baht(60_000), Money::baht(1_950)));
        // Recorded through the form, the payoff closes the loan: nothing
        // outstanding, nothing due then or ever after.
        let (p, i) = l.payoff(None);
        let draft = RepaymentDraft {
            date: "20/6/2567".into(),
            principal: p.format(),
            interest: i.format(),
            penalty: String::new(),
        };
        assert_eq!(draft.apply(&mut l, None, today), Ok(1));
        for day in [d(2024, 6, 20), d(2025, 6, 1), d(2030, 1, 1)] {
            let pos = l.position(day);
            assert_eq!(
                (pos.state, pos.outstanding, pos.arrears, pos.interest_arrears),
                (LoanState::Repaid, Money::ZERO, Money::ZERO, Money::ZERO),
                "{day:?}"
            );
            assert_eq!(l.due_now(day), (Money::ZERO, Money::ZERO));
        }
        assert_eq!(l.payoff(None), (Money::ZERO, Money::ZERO));
        // A matured lump sum: its principal and the whole term's interest.
        let lump = loan(RepaymentMode::LumpSum, 20_000, 600, 12);
        assert_eq!(lump.payoff(None), (Money::baht(20_000), Money::baht(1_200)));
        // A penny more than the payoff is refused.
        let over = RepaymentDraft {
            date: "1/2/2568".into(),
            principal: "20,000.01".into(),
            interest: "1,200".into(),
            penalty: "50".into(),
        };
        assert_eq!(
            over.apply(&mut lump.clone(), None, today),
            Err(vec![(RepaymentField::Principal, RepaymentError::TooMuchPrincipal(Money::baht(20_000)))])
        );
    }

    #[test]
    fn lump_sum_schedule_by_hand() {
        // 20,000 baht at 6 % for 12 months: 1,200 baht interest at 15 Jan 2025.
        let l = loan(RepaymentMode::LumpSum, 20_000, 600, 12);
        assert_eq!(
            l.schedule(),
            vec![Instalment {
                due: d(2025, 1, 15),
                principal: Money::baht(20_000),
                interest: Money::baht(1_200)
            }]
        );
        // 10,000 at 5.5 % for 6 months: 10,000 × 0.055 × 6/12 = 275.
        assert_eq!(loan(RepaymentMode::LumpSum, 10_000, 550, 6).scheduled_interest(), Money::baht(275));
    }

    #[test]
    fn monthly_schedule_by_hand() {
        // 10,000 baht at 12 % over 4 months: principal 2,500 a month; interest 1 %
        // of the balance: 100, 75, 50, 25.
        let l = loan(RepaymentMode::Monthly, 10_000, 1_200, 4);
        let s = l.schedule();
        assert_eq!(s.iter().map(|i| i.principal).collect::<Vec<_>>(), vec![Money::baht(2_500); 4]);
        assert_eq!(
            s.iter().map(|i| i.interest).collect::<Vec<_>>(),
            [100, 75, 50, 25].map(Money::baht).to_vec()
        );
        assert_eq!(
            s.iter().map(|i| i.due).collect::<Vec<_>>(),
            vec![d(2024, 2, 15), d(2024, 3, 15), d(2024, 4, 15), d(2024, 5, 15)]
        );
        // 1,000 baht over 3 months: 333.33, 333.33, 333.34 — the remainder goes last.
        let l = loan(RepaymentMode::Monthly, 1_000, 0, 3);
        assert_eq!(
            l.schedule().iter().map(|i| i.principal.0).collect::<Vec<_>>(),
            vec![33_333, 33_333, 33_334]
        );
    }

    #[test]
    fn lump_sum_late_then_partly_paid() {
        let mut l = loan(RepaymentMode::LumpSum, 20_000, 600, 12);
        // Before maturity: current, nothing due.
        let p = l.position(d(2024, 12, 1));
        assert_eq!(
            (p.state, p.days_overdue, p.arrears, p.outstanding),
            (LoanState::Current, 0, Money::ZERO, Money::baht(20_000))
        );
        // Due 15 Jan 2025; on 14 Mar 2025 it is 58 days late (16 + 28 + 14).
        let p = l.position(d(2025, 3, 14));
        assert_eq!((p.state, p.days_overdue, p.arrears), (LoanState::Overdue, 58, Money::baht(20_000)));
        // A partial payment does not cure the arrears: still late from 15 Jan.
        pay(&mut l, d(2025, 2, 1), 500_000, 120_000);
        let p = l.position(d(2025, 3, 14));
        assert_eq!(
            (p.days_overdue, p.outstanding, p.arrears),
            (58, Money::baht(15_000), Money::baht(15_000))
        );
        // Paid off on 20 Mar.
        pay(&mut l, d(2025, 3, 20), 1_500_000, 0);
        let p = l.position(d(2025, 4, 1));
        assert_eq!((p.state, p.days_overdue, p.outstanding), (LoanState::Repaid, 0, Money::ZERO));
        // As of an earlier day, the later payment does not count.
        assert_eq!(l.position(d(2025, 3, 19)).outstanding, Money::baht(15_000));
        assert_eq!(l.on_time_share_bp(d(2025, 4, 1)), Some(0));
    }

    #[test]
    fn monthly_late_and_partial() {
        let mut l = loan(RepaymentMode::Monthly, 10_000, 1_200, 4);
        pay(&mut l, d(2024, 2, 15), 250_000, 10_000); // instalment 1 on time
        pay(&mut l, d(2024, 3, 20), 100_000, 7_500); // part of instalment 2, late
        // On 1 May: due 7,500 (three instalments), paid 3,500: arrears 4,000,
        // late since instalment 2 (15 Mar): 47 days.
        let p = l.position(d(2024, 5, 1));
        assert_eq!(
            (p.due_principal, p.paid_principal, p.arrears, p.days_overdue),
            (Money::baht(7_500), Money::baht(3_500), Money::baht(4_000), 47)
        );
        assert_eq!(p.outstanding, Money::baht(6_500));
        // One of three instalments due by then was covered on time.
        assert_eq!(l.on_time_share_bp(d(2024, 5, 1)), Some(3_333));
    }

    #[test]
    fn par30_and_repayment_rate_of_a_portfolio() {
        let as_of = d(2025, 3, 14);
        let late = loan(RepaymentMode::LumpSum, 20_000, 600, 12); // 58 days late
        let mut fine = loan(RepaymentMode::LumpSum, 30_000, 600, 12);
        fine.start = d(2024, 6, 1); // due 1 Jun 2025
        let mut recent = loan(RepaymentMode::LumpSum, 10_000, 600, 12);
        recent.start = d(2024, 2, 20); // due 20 Feb 2025: 22 days late, not in PAR30
        let mut repaid = loan(RepaymentMode::LumpSum, 5_000, 0, 12);
        pay(&mut repaid, d(2025, 1, 10), 500_000, 0);
        let mut pf = Portfolio::default();
        for l in [&late, &fine, &recent, &repaid] {
            pf.add(l, as_of);
        }
        assert_eq!(pf.outstanding, Money::baht(60_000));
        assert_eq!(pf.at_risk_30, Money::baht(20_000));
        assert_eq!(pf.par30_bp(), 3_333);
        // Due: 20,000 + 10,000 + 5,000 = 35,000; collected 5,000.
        assert_eq!(pf.repayment_rate_bp(), Some(1_429));
        assert_eq!((pf.loans, pf.open_loans), (4, 3));
    }

    #[test]
    fn repayments_that_overpay_or_predate_the_loan_are_refused() {
        let today = d(2026, 1, 1);
        let mut l = loan(RepaymentMode::LumpSum, 20_000, 600, 12);
        let draft = |date: &str, p: &str, i: &str| RepaymentDraft {
            date: date.into(),
            principal: p.into(),
            interest: i.into(),
            penalty: String::new(),
        };
        assert_eq!(
            draft("1/1/2567", "1000", "").apply(&mut l, None, today),
            Err(vec![(RepaymentField::Date, RepaymentError::BeforeLoan)])
        );
        assert_eq!(
            draft("1/2/2568", "20,000.01", "1,200.01").apply(&mut l, None, today),
            Err(vec![
                (RepaymentField::Principal, RepaymentError::TooMuchPrincipal(Money::baht(20_000))),
                (RepaymentField::Interest, RepaymentError::TooMuchInterest(Money::baht(1_200))),
            ])
        );
        assert_eq!(draft("1/2/2568", "15000", "1200").apply(&mut l, None, today), Ok(0));
        assert_eq!(
            draft("2/2/2568", "5000.01", "").apply(&mut l, None, today),
            Err(vec![(RepaymentField::Principal, RepaymentError::TooMuchPrincipal(Money::baht(5_000)))])
        );
        // Correcting the first repayment counts only the others.
        assert_eq!(draft("1/2/2568", "20000", "1200").apply(&mut l, Some(0), today), Ok(0));
        assert_eq!(
            draft("1/2/2568", "", "").apply(&mut l, None, today),
            Err(vec![(RepaymentField::Principal, RepaymentError::Nothing)])
        );
        // Every problem at once: a future date, and nothing left to repay.
        assert_eq!(
            draft("1/2/2570", "1", "").apply(&mut l, None, today),
            Err(vec![
                (RepaymentField::Date, RepaymentError::Future),
                (RepaymentField::Principal, RepaymentError::TooMuchPrincipal(Money::ZERO)),
            ])
        );
    }

    /// A check with nothing but the borrower, the guarantors, the fund's start and the day.
    fn check<'a>(
        borrower: (u64, u64),
        fund_start: Option<Date>,
        guarantors: &'a [GuarantorLookup],
        category_exists: bool,
        today: Date,
    ) -> LoanCheck<'a> {
        LoanCheck { borrower, fund_start, joined: None, guarantors, category_exists, today, available: None }
    }

    #[test]
    fn loan_form_checks_guarantors_and_ranges() {
        let today = d(2026, 1, 1);
        let draft = LoanDraft {
            principal: "30,000".into(),
            rate: "๖".into(),
            start: "1/6/2568".into(),
            term: "12".into(),
            mode: RepaymentMode::LumpSum,
            purpose: 3,
        };
        let g = |typed: &str, member| GuarantorLookup { typed: typed.into(), member };
        let mut l = loan(RepaymentMode::Monthly, 1, 0, 1);
        let borrower = (10, 1);
        let ok = [g("a", Some((11, 1))), g("b", Some((12, 1)))];
        assert_eq!(draft.apply(&mut l, &check(borrower, None, &ok, true, today)), Ok(()));
        assert_eq!((l.principal, l.rate_bp, l.guarantors.clone()), (Money::baht(30_000), 600, vec![11, 12]));
        let bad = [
            g("x", Some((20, 2))),
            g("self", Some((10, 1))),
            g("nobody", None),
            g("b", Some((12, 1))),
            g("b2", Some((12, 1))),
        ];
        let errs = draft.apply(&mut l, &check(borrower, None, &bad, true, today)).unwrap_err();
        assert_eq!(
            errs,
            vec![
                (LoanField::Guarantors, LoanError::GuarantorFund("x".into())),
                (LoanField::Guarantors, LoanError::GuarantorSelf),
                (LoanField::Guarantors, LoanError::GuarantorId("nobody".into())),
                (LoanField::Guarantors, LoanError::GuarantorTwice("b2".into())),
            ]
        );
        let wild =
            LoanDraft { rate: "16".into(), term: "0".into(), start: "1/1/2570".into(), ..draft.clone() };
        let errs = wild.apply(&mut l, &check(borrower, Some(d(2001, 1, 1)), &[], false, today)).unwrap_err();
        assert_eq!(
            errs,
            vec![
                (LoanField::Rate, LoanError::RateTooHigh(15)),
                (LoanField::Start, LoanError::Future),
                (LoanField::Term, LoanError::Term(120)),
                (LoanField::Purpose, LoanError::Purpose),
            ]
        );
    }

    proptest::proptest! {
        /// The instalment facts kept for the ranking say what the loan itself
        /// says: the same days late as its position, on any day.
        #[test]
        fn instalment_facts_agree_with_the_position(
            monthly in proptest::bool::ANY,
            term in 1u16..24,
            pays in proptest::collection::vec((0i32..900, 0i64..600_000), 0..8),
            day in 0i32..1200,
        ) {
            let mut l = loan(if monthly { RepaymentMode::Monthly } else { RepaymentMode::LumpSum }, 20_000, 600, term);
            let mut left = l.principal.0;
            let start = l.start;
            for (after, p) in pays {
                let p = p.min(left);
                left -= p;
                pay(&mut l, start.add_days(after), p, 0);
            }
            let as_of = l.start.add_days(day);
            let (_, late) = repayment_record(&l.instalment_facts(), as_of);
            proptest::prop_assert_eq!(late, l.position(as_of).days_overdue);
        }
    }

    #[test]
    fn editing_a_loan_keeps_its_repayments_within_reach() {
        let today = d(2026, 1, 1);
        let mut l = loan(RepaymentMode::LumpSum, 20_000, 600, 12);
        pay(&mut l, d(2024, 6, 1), 500_000, 120_000);
        let draft = LoanDraft {
            principal: "20000".into(),
            rate: "6".into(),
            start: "1/7/2567".into(),
            term: "12".into(),
            mode: RepaymentMode::LumpSum,
            purpose: 1,
        };
        // Starting after a repayment, and at a rate that charges less than the
        // 1,200 baht of interest already paid (20,000 × 5 % = 1,000).
        let late = LoanDraft { rate: "5".into(), ..draft.clone() };
        assert_eq!(
            late.apply(&mut l.clone(), &check((1, 1), None, &[], true, today)).unwrap_err(),
            vec![
                (LoanField::Start, LoanError::AfterRepayment(d(2024, 6, 1))),
                (LoanField::Rate, LoanError::BelowPaidInterest(Money::baht(1_200))),
            ]
        );
        let fine = LoanDraft { start: "15/1/2567".into(), ..draft };
        assert_eq!(fine.apply(&mut l, &check((1, 1), None, &[], true, today)), Ok(()));
    }

    // Issue 18: a 2,000,000-baht loan was accepted in a fund of 1,500,000;
    // a loan dated before the member joined was accepted.
    #[test]
    fn a_loan_is_within_what_the_fund_has_and_after_joining() {
        let today = d(2026, 1, 1);
        let draft = LoanDraft {
            principal: "30,000".into(),
            rate: "6".into(),
            start: "1/6/2568".into(),
            term: "12".into(),
            mode: RepaymentMode::LumpSum,
            purpose: 3,
        };
        let mut c = check((1, 1), None, &[], true, today);
        c.joined = Some(d(2025, 7, 1));
        c.available = Some(Money::baht(29_999));
        let mut l = loan(RepaymentMode::LumpSum, 0, 600, 12);
        assert_eq!(
            draft.apply(&mut l, &c).unwrap_err(),
            vec![
                (LoanField::Start, LoanError::BeforeJoining),
                (LoanField::Principal, LoanError::OverAvailable(Money::baht(29_999))),
            ]
        );
        c.joined = Some(d(2025, 6, 1));
        c.available = Some(Money::baht(30_000));
        assert_eq!(draft.apply(&mut l, &c), Ok(()));
        // Raising a loan asks only for the difference; lowering it, for nothing.
        c.available = Some(Money::baht(4_999));
        let more = LoanDraft { principal: "35,000".into(), ..draft.clone() };
        assert_eq!(
            more.apply(&mut l.clone(), &c).unwrap_err(),
            vec![(LoanField::Principal, LoanError::OverAvailable(Money::baht(4_999)))]
        );
        c.available = Some(Money::baht(-100));
        let less = LoanDraft { principal: "25,000".into(), ..draft };
        assert_eq!(less.apply(&mut l, &c), Ok(()));
    }

    #[test]
    fn rates_parse_and_print() {
        assert_eq!(parse_rate_bp("6"), Some(600));
        assert_eq!(parse_rate_bp("5.5%"), Some(550));
        assert_eq!(parse_rate_bp("๕.๒๕"), Some(525));
        assert_eq!(parse_rate_bp("x"), None);
        assert_eq!(parse_rate_bp("1.234"), None);
        assert_eq!(format_rate(550), "5.5");
        assert_eq!(format_rate(525), "5.25");
        assert_eq!(format_rate(600), "6");
        assert_eq!(percent(3_333), "33.3%");
        assert_eq!(percent(1_429), "14.3%");
        assert_eq!(percent(10_000), "100.0%");
    }
}
