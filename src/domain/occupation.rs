//! Occupation categories and the occupation record of a member who borrowed.
//!
//! A livelihood counts as สัมมาชีพ when its expenses stay below its income; a
//! strong one also shows rising savings (DESIGN §1).

use serde::{Deserialize, Serialize};

use super::{
    date::Date,
    loan::{InstalmentFact, Loan},
    money::{Money, MoneyError},
    thai::{self, DateError},
};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OccupationCategory {
    pub code: u16,
    pub name_th: String,
    pub name_en: String,
}

impl OccupationCategory {
    pub fn name(&self, lang: super::lang::Lang) -> &str {
        match lang {
            super::lang::Lang::Th => &self.name_th,
            super::lang::Lang::En => &self.name_en,
        }
    }
}

/// The programme's stages a household moves through.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default)]
pub enum Stage {
    #[default]
    Target,
    Coached,
    SelfDriving,
    Model,
    Otop,
}

impl Stage {
    pub const ALL: [Stage; 5] =
        [Stage::Target, Stage::Coached, Stage::SelfDriving, Stage::Model, Stage::Otop];

    /// Selected for coaching or beyond: what every screen counts as "selected"
    /// (the Overview's figure, the Ranking's selected households, exports),
    /// whether or not the occupation is still carried on.
    pub fn is_selected(self) -> bool {
        self >= Stage::Coached
    }

    /// The stages a move from this one to `to` passes over (none for the next
    /// stage or a move back): a skip the officer must confirm with a reason.
    pub fn skipped_to(self, to: Stage) -> Vec<Stage> {
        Stage::ALL.into_iter().filter(|s| *s > self && *s < to).collect()
    }

    /// A household may make an OTOP product from the model stage on.
    pub fn may_produce_otop(self) -> bool {
        self >= Stage::Model
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StageChange {
    pub stage: Stage,
    pub date: Date,
    pub note: String,
}

/// Annual household figures for one occupation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Annual {
    pub income: Money,
    pub expenses: Money,
    pub savings: Money,
}

impl Annual {
    pub fn net(&self) -> Money {
        Money(self.income.0 - self.expenses.0)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub enum OccupationStatus {
    #[default]
    Active,
    Stopped,
}

/// Whether a livelihood meets the สัมมาชีพ definition.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Verdict {
    /// Expenses at or above income.
    NotYet,
    /// Expenses below income.
    Sammachip,
    /// Expenses below income and savings rising.
    Strong,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OccupationRecord {
    pub id: u64,
    pub version: u64,
    pub fund_id: u64,
    pub member_id: u64,
    /// The member's name and the fund's district, copied here so the list of all
    /// occupations needs no join; a member's save keeps the copy current.
    pub member_name: String,
    pub district: u16,
    pub category: u16,
    pub description: String,
    /// C.E. year the occupation started.
    pub start_year: i32,
    pub loan_ids: Vec<u64>,
    pub before: Annual,
    pub after: Annual,
    pub status: OccupationStatus,
    pub stage: Stage,
    /// Every change of stage, oldest first; never rewritten.
    pub stage_history: Vec<StageChange>,
    /// The instalments of the loans that fund it, for the ranking's repayment
    /// record; every save of the member or of this record brings them up to date.
    pub instalments: Vec<InstalmentFact>,
}

impl OccupationRecord {
    /// A new record for `member` of a fund in `district`, before the form's
    /// fields are applied.
    pub fn new(member: &crate::domain::member::Member, district: u16, start_year: i32) -> OccupationRecord {
        OccupationRecord {
            id: 0,
            version: 0,
            fund_id: member.fund_id,
            member_id: member.id,
            member_name: member.full_name(),
            district,
            category: 0,
            description: String::new(),
            start_year,
            loan_ids: Vec::new(),
            before: Annual::default(),
            after: Annual::default(),
            status: OccupationStatus::Active,
            stage: Stage::Target,
            stage_history: Vec::new(),
            instalments: Vec::new(),
        }
    }

    /// Copies the facts of its funding loans from the member's loan book.
    /// Returns whether anything changed.
    pub fn refresh_loans(&mut self, loans: &[Loan]) -> bool {
        let facts: Vec<InstalmentFact> =
            loans.iter().filter(|l| self.loan_ids.contains(&l.id)).flat_map(Loan::instalment_facts).collect();
        let changed = facts != self.instalments;
        self.instalments = facts;
        changed
    }

    pub fn income_growth(&self) -> Money {
        Money(self.after.income.0 - self.before.income.0)
    }

    pub fn savings_growth(&self) -> Money {
        Money(self.after.savings.0 - self.before.savings.0)
    }

    pub fn verdict(&self) -> Verdict {
        if self.after.expenses >= self.after.income {
            Verdict::NotYet
        } else if self.after.savings > self.before.savings {
            Verdict::Strong
        } else {
            Verdict::Sammachip
        }
    }

    /// Years the occupation has lasted by `today`.
    pub fn years(&self, today: Date) -> i32 {
        (today.year() - self.start_year).max(0)
    }
}

// ---------------------------------------------------------------- validation

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OccupationField {
    Category,
    Description,
    StartYear,
    Loans,
    IncomeBefore,
    ExpensesBefore,
    SavingsBefore,
    IncomeAfter,
    ExpensesAfter,
    SavingsAfter,
    Status,
    Stage,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum OccupationError {
    /// A control character or a bidi override (see `domain::clean`).
    #[error("holds the character {}, which cannot be saved", crate::domain::clean::line(&.0.to_string()))]
    Unsafe(char),
    #[error("unknown category")]
    Category,
    #[error("longer than {0} characters")]
    TooLong(usize),
    #[error("year: {0}")]
    Year(DateError),
    #[error("in the future")]
    Future,
    #[error("before {0}")]
    TooOld(i32),
    #[error("amount: {0}")]
    Amount(MoneyError),
    #[error("loan {0} is not this member's")]
    Loan(String),
    #[error("{0} is not a loan number")]
    LoanNumber(String),
    #[error("more than {0} a year")]
    TooLarge(Money),
}

/// No household's yearly figure is larger than this (a billion baht).
pub const MAX_YEARLY: Money = Money(1_000_000_000 * 100);

#[derive(Clone, Debug, Default)]
pub struct OccupationDraft {
    pub category: u16,
    pub description: String,
    pub start_year: String,
    pub loans: String,
    pub before: [String; 3],
    pub after: [String; 3],
    pub status: OccupationStatus,
    pub stage: Stage,
}

impl OccupationDraft {
    pub fn from_record(r: &OccupationRecord) -> Self {
        let m = |a: &Annual| [a.income.format(), a.expenses.format(), a.savings.format()];
        Self {
            category: r.category,
            description: r.description.clone(),
            start_year: thai::be_year(r.start_year).to_string(),
            loans: r.loan_ids.iter().map(u64::to_string).collect::<Vec<_>>().join(", "),
            before: m(&r.before),
            after: m(&r.after),
            status: r.status,
            stage: r.stage,
        }
    }

    /// Checks every field and reports every problem at once; on success writes
    /// the form into `r`. `member_loans` are the ids of the member's loans
    /// (`None`: the member is not known, as when the national ID typed names
    /// nobody; the loans are then checked only as numbers, and nothing is
    /// written). A change of stage is added to the history, dated `today`.
    pub fn apply(
        &self,
        r: &mut OccupationRecord,
        category_exists: bool,
        member_loans: Option<&[u64]>,
        today: Date,
    ) -> Result<(), Vec<(OccupationField, OccupationError)>> {
        use OccupationField as F;
        let mut errs = Vec::new();
        if !category_exists {
            errs.push((F::Category, OccupationError::Category));
        }
        let description = self.description.trim();
        if description.chars().count() > 200 {
            errs.push((F::Description, OccupationError::TooLong(200)));
        } else if let Some(c) = crate::domain::clean::forbidden(description) {
            errs.push((F::Description, OccupationError::Unsafe(c)));
        }
        let start_year = match thai::parse_year(&self.start_year) {
            Ok(y) if y > today.year() => {
                errs.push((F::StartYear, OccupationError::Future));
                None
            }
            Ok(y) if y < 1950 => {
                errs.push((F::StartYear, OccupationError::TooOld(1950 + thai::BE_OFFSET)));
                None
            }
            Ok(y) => Some(y),
            Err(e) => {
                errs.push((F::StartYear, OccupationError::Year(e)));
                None
            }
        };
        let mut loan_ids = Vec::new();
        for part in self.loans.split([',', ' ', ';']).filter(|p| !p.trim().is_empty()) {
            // As the screens show a loan: `#997365` (Thai digits too).
            let number = part.trim().trim_start_matches('#');
            match thai::parse_int(number).and_then(|n| u64::try_from(n).ok()) {
                Some(id) if member_loans.is_none_or(|m| m.contains(&id)) => {
                    if !loan_ids.contains(&id) {
                        loan_ids.push(id);
                    }
                }
                Some(_) => errs.push((F::Loans, OccupationError::Loan(part.trim().to_string()))),
                None => errs.push((F::Loans, OccupationError::LoanNumber(part.trim().to_string()))),
            }
        }
        let fields = [
            (F::IncomeBefore, &self.before[0]),
            (F::ExpensesBefore, &self.before[1]),
            (F::SavingsBefore, &self.before[2]),
            (F::IncomeAfter, &self.after[0]),
            (F::ExpensesAfter, &self.after[1]),
            (F::SavingsAfter, &self.after[2]),
        ];
        let mut amounts = [Money::ZERO; 6];
        for (i, (field, s)) in fields.iter().enumerate() {
            match if s.trim().is_empty() { Ok(Money::ZERO) } else { Money::parse(s) } {
                Ok(m) if m > MAX_YEARLY => errs.push((*field, OccupationError::TooLarge(MAX_YEARLY))),
                Ok(m) => amounts[i] = m,
                Err(e) => errs.push((*field, OccupationError::Amount(e))),
            }
        }
        let Some(start_year) = start_year.filter(|_| errs.is_empty() && member_loans.is_some()) else {
            return Err(errs);
        };
        r.category = self.category;
        r.description = description.to_string();
        r.start_year = start_year;
        r.loan_ids = loan_ids;
        r.before = Annual { income: amounts[0], expenses: amounts[1], savings: amounts[2] };
        r.after = Annual { income: amounts[3], expenses: amounts[4], savings: amounts[5] };
        r.status = self.status;
        if r.stage != self.stage || r.stage_history.is_empty() {
            r.stage_history.push(StageChange { stage: self.stage, date: today, note: String::new() });
        }
        r.stage = self.stage;
        Ok(())
    }
}

/// The categories a new store starts with (`assets/categories.tsv`).
pub fn seed_categories() -> Vec<OccupationCategory> {
    include_str!("../../assets/categories.tsv")
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .filter_map(|l| {
            let mut cols = l.split('\t');
            let code = cols.next()?.trim().parse().ok()?;
            let name_th = cols.next()?.trim().to_string();
            let name_en = cols.next()?.trim().to_string();
            Some(OccupationCategory { code, name_th, name_en })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record() -> OccupationRecord {
        OccupationRecord {
            id: 0,
            version: 0,
            fund_id: 1,
            member_id: 2,
            member_name: "นายสมชาย ใจดี".into(),
            district: 3301,
            category: 0,
            description: String::new(),
            start_year: 0,
            loan_ids: vec![],
            before: Annual::default(),
            after: Annual::default(),
            status: OccupationStatus::Active,
            stage: Stage::Target,
            stage_history: vec![],
            instalments: vec![],
        }
    }

    #[test]
    fn the_seed_has_the_common_occupations() {
        let cats = seed_categories();
        assert!(cats.len() >= 20);
        for th in ["เลี้ยงโคเนื้อ", "ปลูกพริก", "ทอผ้าไหม", "ข้าวหอมมะลิ"]
        {
            assert!(cats.iter().any(|c| c.name_th.contains(th)), "{th}");
        }
        let mut codes: Vec<u16> = cats.iter().map(|c| c.code).collect();
        codes.dedup();
        assert_eq!(codes.len(), cats.len(), "codes are unique and sorted");
    }

    #[test]
    fn verdicts_follow_the_definition() {
        let mut r = record();
        r.after =
            Annual { income: Money::baht(100_000), expenses: Money::baht(100_000), savings: Money::ZERO };
        assert_eq!(r.verdict(), Verdict::NotYet);
        r.after.expenses = Money::baht(60_000);
        assert_eq!(r.verdict(), Verdict::Sammachip);
        r.after.savings = Money::baht(5_000);
        assert_eq!(r.verdict(), Verdict::Strong);
        r.before.income = Money::baht(70_000);
        assert_eq!(
            (r.income_growth(), r.after.net(), r.savings_growth()),
            (Money::baht(30_000), Money::baht(40_000), Money::baht(5_000))
        );
    }

    // Issue 18: a loan typed as the screens show it (`#997365`) was refused
    // as not the member's.
    #[test]
    fn loans_are_taken_as_the_screens_show_them() {
        let today = Date::from_ymd(2026, 11, 25).unwrap();
        let d = OccupationDraft {
            category: 1,
            start_year: "2560".into(),
            loans: "#7; #๙".into(),
            before: ["50,000".into(), "40,000".into(), "".into()],
            after: ["90,000".into(), "55000".into(), "".into()],
            ..Default::default()
        };
        let mut r = record();
        assert_eq!(d.apply(&mut r, true, Some(&[7, 9]), today), Ok(()));
        assert_eq!(r.loan_ids, vec![7, 9]);
        let other = OccupationDraft { loans: "#8".into(), ..d };
        assert_eq!(
            other.apply(&mut r, true, Some(&[7, 9]), today).unwrap_err(),
            vec![(OccupationField::Loans, OccupationError::Loan("#8".into()))]
        );
    }

    #[test]
    fn the_form_checks_loans_years_and_amounts_and_keeps_stage_history() {
        let today = Date::from_ymd(2026, 11, 25).unwrap();
        let mut d = OccupationDraft {
            category: 1,
            description: "เลี้ยงวัวพันธุ์พื้นเมือง".into(),
            start_year: "2560".into(),
            loans: "7, 9".into(),
            before: ["50,000".into(), "40,000".into(), "".into()],
            after: ["๙๐,๐๐๐".into(), "55000".into(), "12000".into()],
            status: OccupationStatus::Active,
            stage: Stage::Target,
        };
        let mut r = record();
        assert_eq!(d.apply(&mut r, true, Some(&[7, 9]), today), Ok(()));
        assert_eq!(
            (r.start_year, r.loan_ids.clone(), r.after.income),
            (2017, vec![7, 9], Money::baht(90_000))
        );
        assert_eq!(r.stage_history.len(), 1);
        d.stage = Stage::Coached;
        d.apply(&mut r, true, Some(&[7, 9]), today).unwrap();
        assert_eq!(
            r.stage_history.iter().map(|c| c.stage).collect::<Vec<_>>(),
            [Stage::Target, Stage::Coached]
        );
        d.apply(&mut r, true, Some(&[7, 9]), today).unwrap();
        assert_eq!(r.stage_history.len(), 2, "no change, no new entry");

        let bad = OccupationDraft {
            start_year: "2580".into(),
            loans: "8".into(),
            after: ["x".into(), "".into(), "".into()],
            ..d
        };
        assert_eq!(
            bad.apply(&mut r, false, Some(&[7]), today).unwrap_err(),
            vec![
                (OccupationField::Category, OccupationError::Category),
                (OccupationField::StartYear, OccupationError::Future),
                (OccupationField::Loans, OccupationError::Loan("8".into())),
                (OccupationField::IncomeAfter, OccupationError::Amount(MoneyError::Invalid)),
            ]
        );
    }

    #[test]
    fn without_a_member_the_form_is_still_checked_and_nothing_is_written() {
        let today = Date::from_ymd(2026, 11, 25).unwrap();
        let d = OccupationDraft {
            category: 1,
            start_year: "25x0".into(),
            loans: "#7, abc".into(),
            before: ["1.234".into(), "".into(), "".into()],
            ..Default::default()
        };
        let mut r = record();
        assert_eq!(
            d.apply(&mut r, true, None, today).unwrap_err(),
            vec![
                (OccupationField::StartYear, OccupationError::Year(DateError::Format)),
                (OccupationField::Loans, OccupationError::LoanNumber("abc".into())),
                (OccupationField::IncomeBefore, OccupationError::Amount(MoneyError::Decimals)),
            ]
        );
        let fine = OccupationDraft { start_year: "2560".into(), loans: "7".into(), ..Default::default() };
        assert_eq!(fine.apply(&mut r, true, None, today), Err(vec![]));
        assert_eq!(r, record(), "nothing written without a member");
    }
}
