//! Village and urban-community funds, their capital events, and the rules a fund
//! form must pass.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{
    date::Date,
    money::{Money, MoneyError},
    thai::{self, DateError},
};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub enum FundKind {
    #[default]
    Village,
    Urban,
}

/// The fund's management grade from the national assessment.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default)]
pub enum Grade {
    A,
    B,
    C,
    D,
    #[default]
    Unassessed,
}

impl Grade {
    pub const ALL: [Grade; 5] = [Grade::A, Grade::B, Grade::C, Grade::D, Grade::Unassessed];

    pub fn letter(self) -> &'static str {
        match self {
            Grade::A => "A",
            Grade::B => "B",
            Grade::C => "C",
            Grade::D => "D",
            Grade::Unassessed => "-",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum CapitalKind {
    /// 1,000,000 baht from 2544 (2001).
    Initial,
    /// +100,000 in 2546 (2003) for grade-A funds.
    Increase1,
    /// +200,000–600,000 by member count in 2552 (2009).
    Increase2,
    /// +1,000,000 in 2555 (2012) for grade A/B funds.
    Increase3,
    /// 500,000 Pracharat project money in 2559 (2016).
    Pracharat,
    Other,
}

impl CapitalKind {
    /// Money the fund lends: every kind but the 2559 Pracharat project
    /// budget. The one test of it for the lending rule, the fund's screens
    /// and the Overview.
    pub fn is_lending(self) -> bool {
        self != CapitalKind::Pracharat
    }

    pub const ALL: [CapitalKind; 6] = [
        CapitalKind::Initial,
        CapitalKind::Increase1,
        CapitalKind::Increase2,
        CapitalKind::Increase3,
        CapitalKind::Pracharat,
        CapitalKind::Other,
    ];
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CapitalEvent {
    /// Unique within its fund; never reused.
    pub seq: u32,
    pub kind: CapitalKind,
    pub date: Date,
    pub amount: Money,
    pub note: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommitteeMember {
    pub name: String,
    pub position: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Fund {
    pub id: u64,
    pub version: u64,
    /// Village code PPDDSSVV, or the urban community's 8-digit code.
    pub code: String,
    pub name: String,
    pub kind: FundKind,
    pub registration_no: String,
    pub established: Option<Date>,
    pub grade: Grade,
    /// C.E. year of the assessment behind `grade`.
    pub assessed_year: Option<i32>,
    /// Capital events in the order they were recorded; sorted by date for display.
    pub capital: Vec<CapitalEvent>,
    pub committee: Vec<CommitteeMember>,
}

impl Fund {
    /// District code (first four digits of the fund code).
    pub fn district(&self) -> u16 {
        self.code.get(..4).and_then(|s| s.parse().ok()).unwrap_or(0)
    }

    /// Subdistrict code (first six digits of the fund code).
    pub fn subdistrict(&self) -> u32 {
        self.code.get(..6).and_then(|s| s.parse().ok()).unwrap_or(0)
    }

    /// หมู่ที่ (last two digits of the code).
    pub fn village_no(&self) -> u8 {
        self.code.get(6..8).and_then(|s| s.parse().ok()).unwrap_or(0)
    }

    pub fn capital_total(&self) -> Money {
        self.capital.iter().map(|e| e.amount).sum()
    }

    /// Capital received per C.E. year, oldest first.
    pub fn capital_by_year(&self) -> BTreeMap<i32, Money> {
        let mut years = BTreeMap::new();
        for e in &self.capital {
            let slot = years.entry(e.date.year()).or_insert(Money::ZERO);
            *slot = Money(slot.0 + e.amount.0);
        }
        years
    }

    /// Capital events by date (then by the order they were recorded).
    pub fn ledger(&self) -> Vec<&CapitalEvent> {
        let mut v: Vec<&CapitalEvent> = self.capital.iter().collect();
        v.sort_by_key(|e| (e.date, e.seq));
        v
    }

    /// The fund's lending capital: the allocation and every top-up, not the
    /// 2559 Pracharat money (a project budget, not capital to lend).
    pub fn lending_capital(&self) -> Money {
        self.capital.iter().filter(|e| e.kind.is_lending()).map(|e| e.amount).sum()
    }

    /// The Pracharat project budget the fund received (shown apart).
    pub fn project_budget(&self) -> Money {
        self.capital.iter().filter(|e| !e.kind.is_lending()).map(|e| e.amount).sum()
    }

    pub fn next_capital_seq(&self) -> u32 {
        self.capital.iter().map(|e| e.seq).max().map_or(1, |s| s + 1)
    }
}

/// What a fund has to lend: its lending capital, plus the interest and
/// penalties its loans have brought in, minus the principal lent and not
/// repaid (a written-off loan's too: that money is gone).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Lending {
    pub capital: Money,
    pub earned: Money,
    pub out: Money,
}

impl Lending {
    /// The fund's figures from its capital events and every loan of its members.
    pub fn of<'a>(fund: &Fund, loans: impl IntoIterator<Item = &'a crate::domain::loan::Loan>) -> Lending {
        let mut l = Lending { capital: fund.lending_capital(), ..Lending::default() };
        l.add_loans(loans);
        l
    }

    /// Adds loans to what is lent and earned.
    pub fn add_loans<'a>(&mut self, loans: impl IntoIterator<Item = &'a crate::domain::loan::Loan>) {
        for loan in loans {
            let repaid: i64 = loan.repayments.iter().map(|r| r.principal.0).sum();
            let earned: i64 = loan.repayments.iter().map(|r| r.interest.0 + r.penalty.0).sum();
            self.out = Money(self.out.0 + loan.principal.0 - repaid);
            self.earned = Money(self.earned.0 + earned);
        }
    }

    /// Money available to lend now (negative when more is out than the fund has).
    pub fn available(&self) -> Money {
        Money(self.capital.0 + self.earned.0 - self.out.0)
    }
}

// ---------------------------------------------------------------- validation

/// What the gazetteer knows, as far as fund rules need it.
pub trait Gazetteer {
    fn district_exists(&self, code: u16) -> bool;
    /// `None` when the store holds no subdistricts for this district (nothing to
    /// check against); otherwise whether this one exists.
    fn subdistrict_exists(&self, code: u32) -> Option<bool>;
}

/// First day of the Village Fund programme (2544 B.E.).
pub fn programme_start() -> Date {
    Date::from_ymd(2001, 1, 1).unwrap_or(Date::from_days(11_323))
}

/// Why a date is not a date of the programme.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DateWindow {
    Parse(DateError),
    BeforeProgramme,
    Future,
}

/// A typed date that lies between the programme's start and today.
pub fn programme_date(s: &str, today: Date) -> Result<Date, DateWindow> {
    match thai::parse_date(s) {
        Ok(d) if d < programme_start() => Err(DateWindow::BeforeProgramme),
        Ok(d) if d > today => Err(DateWindow::Future),
        Ok(d) => Ok(d),
        Err(e) => Err(DateWindow::Parse(e)),
    }
}

impl From<DateWindow> for FundError {
    fn from(e: DateWindow) -> Self {
        match e {
            DateWindow::Parse(e) => FundError::Date(e),
            DateWindow::BeforeProgramme => FundError::BeforeProgramme,
            DateWindow::Future => FundError::Future,
        }
    }
}

impl From<DateWindow> for CapitalError {
    fn from(e: DateWindow) -> Self {
        match e {
            DateWindow::Parse(e) => CapitalError::Date(e),
            DateWindow::BeforeProgramme => CapitalError::BeforeProgramme,
            DateWindow::Future => CapitalError::Future,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FundField {
    Code,
    Name,
    Kind,
    District,
    RegistrationNo,
    Established,
    Grade,
    AssessedYear,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FundError {
    /// A control character or a bidi override (see `domain::clean`).
    #[error("holds the character {}, which cannot be saved", crate::domain::clean::line(&.0.to_string()))]
    Unsafe(char),
    #[error("code needs 8 digits")]
    CodeFormat,
    #[error("code must start with district {0}")]
    CodeDistrict(u16),
    #[error("no subdistrict {0} in this district")]
    UnknownSubdistrict(u32),
    #[error("village number 00")]
    VillageNo,
    #[error("unknown district {0}")]
    UnknownDistrict(u16),
    #[error("name required")]
    NameEmpty,
    #[error("name longer than {0} characters")]
    TooLong(usize),
    #[error("date: {0}")]
    Date(DateError),
    #[error("year: {0}")]
    Year(DateError),
    #[error("before the programme began")]
    BeforeProgramme,
    #[error("in the future")]
    Future,
    #[error("assessment year needed for a grade")]
    YearNeeded,
    #[error("assessment before the fund was established")]
    YearBeforeEstablished,
    #[error("code already used by fund {0}")]
    DuplicateCode(String),
    #[error("a fund with members cannot move to another district")]
    MovesWithMembers,
}

pub const NAME_MAX: usize = 120;

/// The fund form as typed.
#[derive(Clone, Debug, Default)]
pub struct FundDraft {
    pub code: String,
    pub name: String,
    pub kind: FundKind,
    pub district: u16,
    pub registration_no: String,
    pub established: String,
    pub grade: Grade,
    pub assessed_year: String,
}

impl FundDraft {
    pub fn from_fund(f: &Fund, lang: super::lang::Lang) -> Self {
        Self {
            code: f.code.clone(),
            name: f.name.clone(),
            kind: f.kind,
            district: f.district(),
            registration_no: f.registration_no.clone(),
            established: f.established.map(|d| thai::format_date(d, lang)).unwrap_or_default(),
            grade: f.grade,
            assessed_year: f.assessed_year.map(|y| thai::be_year(y).to_string()).unwrap_or_default(),
        }
    }

    /// Checks every field and reports every problem at once, each against its
    /// field; on success writes the values into `fund` (id, version and capital
    /// are left alone).
    /// `has_members`: the fund already has members, so it keeps its district.
    pub fn apply(
        &self,
        fund: &mut Fund,
        geo: &dyn Gazetteer,
        has_members: bool,
        today: Date,
    ) -> Result<(), Vec<(FundField, FundError)>> {
        let mut errs = Vec::new();
        let code = thai::normalize_digits(self.code.trim()).replace([' ', '-'], "");
        // Members' occupation records carry the district: a fund that has
        // members stays in its district (correct its code within it).
        if has_members && fund.district() != self.district {
            errs.push((FundField::District, FundError::MovesWithMembers));
        }
        if !geo.district_exists(self.district) {
            errs.push((FundField::District, FundError::UnknownDistrict(self.district)));
        }
        if code.len() != 8 || !code.chars().all(|c| c.is_ascii_digit()) {
            errs.push((FundField::Code, FundError::CodeFormat));
        } else if !code.starts_with(&format!("{:04}", self.district)) {
            errs.push((FundField::Code, FundError::CodeDistrict(self.district)));
        } else if code.ends_with("00") {
            errs.push((FundField::Code, FundError::VillageNo));
        } else {
            let sub: u32 = code[..6].parse().unwrap_or(0);
            if geo.subdistrict_exists(sub) == Some(false) {
                errs.push((FundField::Code, FundError::UnknownSubdistrict(sub)));
            }
        }
        let name = self.name.trim();
        if name.is_empty() {
            errs.push((FundField::Name, FundError::NameEmpty));
        } else if name.chars().count() > NAME_MAX {
            errs.push((FundField::Name, FundError::TooLong(NAME_MAX)));
        } else if let Some(c) = crate::domain::clean::forbidden(name) {
            errs.push((FundField::Name, FundError::Unsafe(c)));
        }
        let reg = self.registration_no.trim();
        if reg.chars().count() > 40 {
            errs.push((FundField::RegistrationNo, FundError::TooLong(40)));
        } else if let Some(c) = crate::domain::clean::forbidden(reg) {
            errs.push((FundField::RegistrationNo, FundError::Unsafe(c)));
        }
        let established = match self.established.trim() {
            "" => None,
            s => match programme_date(s, today) {
                Ok(d) => Some(d),
                Err(e) => {
                    errs.push((FundField::Established, e.into()));
                    None
                }
            },
        };
        let assessed_year = match self.assessed_year.trim() {
            "" if self.grade != Grade::Unassessed => {
                errs.push((FundField::AssessedYear, FundError::YearNeeded));
                None
            }
            "" => None,
            s => match thai::parse_year(s) {
                Ok(y) if y > today.year() => {
                    errs.push((FundField::AssessedYear, FundError::Future));
                    None
                }
                Ok(y) if established.is_some_and(|d| y < d.year()) => {
                    errs.push((FundField::AssessedYear, FundError::YearBeforeEstablished));
                    None
                }
                Ok(y) if y < programme_start().year() => {
                    errs.push((FundField::AssessedYear, FundError::BeforeProgramme));
                    None
                }
                Ok(y) => Some(y),
                Err(e) => {
                    errs.push((FundField::AssessedYear, FundError::Year(e)));
                    None
                }
            },
        };
        if !errs.is_empty() {
            return Err(errs);
        }
        fund.code = code;
        fund.name = name.to_string();
        fund.kind = self.kind;
        // A code: Thai digits kept as the digits they are.
        fund.registration_no = thai::normalize_digits(reg).into_owned();
        fund.established = established;
        fund.grade = self.grade;
        fund.assessed_year = assessed_year;
        Ok(())
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CapitalField {
    Kind,
    Date,
    Amount,
    Note,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CapitalError {
    /// A control character or a bidi override (see `domain::clean`).
    #[error("holds the character {}, which cannot be saved", crate::domain::clean::line(&.0.to_string()))]
    Unsafe(char),
    #[error("date: {0}")]
    Date(DateError),
    #[error("before the programme began")]
    BeforeProgramme,
    #[error("before the fund was established")]
    BeforeEstablished,
    #[error("in the future")]
    Future,
    #[error("amount: {0}")]
    Amount(MoneyError),
    #[error("amount must be more than zero")]
    Zero,
    #[error("amount over 100,000,000 baht")]
    TooLarge,
    #[error("the fund already has an initial allocation")]
    SecondInitial,
    #[error("a note is needed for 'other'")]
    NoteNeeded,
    #[error("note too long")]
    NoteTooLong,
}

#[derive(Clone, Debug)]
pub struct CapitalDraft {
    pub kind: CapitalKind,
    pub date: String,
    pub amount: String,
    pub note: String,
}

impl CapitalDraft {
    /// Adds the event to `fund` (`seq = None`) or corrects the event `seq`.
    pub fn apply(
        &self,
        fund: &mut Fund,
        seq: Option<u32>,
        today: Date,
    ) -> Result<u32, Vec<(CapitalField, CapitalError)>> {
        let mut errs = Vec::new();
        let date = match programme_date(&self.date, today) {
            Ok(d) if fund.established.is_some_and(|e| d < e) => {
                errs.push((CapitalField::Date, CapitalError::BeforeEstablished));
                None
            }
            Ok(d) => Some(d),
            Err(e) => {
                errs.push((CapitalField::Date, e.into()));
                None
            }
        };
        let amount = match Money::parse(&self.amount) {
            Ok(Money(0)) => {
                errs.push((CapitalField::Amount, CapitalError::Zero));
                None
            }
            Ok(m) if m > Money::baht(100_000_000) => {
                errs.push((CapitalField::Amount, CapitalError::TooLarge));
                None
            }
            Ok(m) => Some(m),
            Err(e) => {
                errs.push((CapitalField::Amount, CapitalError::Amount(e)));
                None
            }
        };
        if self.kind == CapitalKind::Initial
            && fund.capital.iter().any(|e| e.kind == CapitalKind::Initial && Some(e.seq) != seq)
        {
            errs.push((CapitalField::Kind, CapitalError::SecondInitial));
        }
        let note = self.note.trim();
        if self.kind == CapitalKind::Other && note.is_empty() {
            errs.push((CapitalField::Note, CapitalError::NoteNeeded));
        }
        if note.chars().count() > 200 {
            errs.push((CapitalField::Note, CapitalError::NoteTooLong));
        } else if let Some(c) = crate::domain::clean::forbidden(note) {
            errs.push((CapitalField::Note, CapitalError::Unsafe(c)));
        }
        let (Some(date), Some(amount), true) = (date, amount, errs.is_empty()) else {
            return Err(errs);
        };
        let event = CapitalEvent {
            seq: seq.unwrap_or_else(|| fund.next_capital_seq()),
            kind: self.kind,
            date,
            amount,
            note: note.to_string(),
        };
        let seq = event.seq;
        match fund.capital.iter_mut().find(|e| e.seq == seq) {
            Some(slot) => *slot = event,
            None => fund.capital.push(event),
        }
        Ok(seq)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Geo;
    impl Gazetteer for Geo {
        fn district_exists(&self, code: u16) -> bool {
            (3301..=3322).contains(&code)
        }
        fn subdistrict_exists(&self, code: u32) -> Option<bool> {
            (code / 100 == 3301).then_some(code % 100 <= 18)
        }
    }

    fn today() -> Date {
        Date::from_ymd(2026, 11, 25).unwrap()
    }

    fn draft() -> FundDraft {
        FundDraft {
            code: "33010105".into(),
            name: "กองทุนหมู่บ้านโพธิ์".into(),
            kind: FundKind::Village,
            district: 3301,
            registration_no: "3301-0105".into(),
            established: "15/3/2544".into(),
            grade: Grade::A,
            assessed_year: "2566".into(),
        }
    }

    #[test]
    fn a_good_draft_fills_the_fund() {
        let mut f = Fund::default();
        assert_eq!(draft().apply(&mut f, &Geo, false, today()), Ok(()));
        assert_eq!(f.code, "33010105");
        assert_eq!((f.district(), f.subdistrict(), f.village_no()), (3301, 330101, 5));
        assert_eq!(f.assessed_year, Some(2023));
        assert_eq!(f.established, Date::from_ymd(2001, 3, 15));
    }

    #[test]
    fn a_fund_with_members_keeps_its_district() {
        let mut f = Fund::default();
        draft().apply(&mut f, &Geo, false, today()).unwrap();
        let moved = FundDraft { district: 3302, code: "33020105".into(), ..draft() };
        assert_eq!(
            moved.apply(&mut f.clone(), &Geo, true, today()),
            Err(vec![(FundField::District, FundError::MovesWithMembers)])
        );
        assert_eq!(moved.apply(&mut f, &Geo, false, today()), Ok(()));
    }

    #[test]
    fn thai_digit_codes_are_accepted() {
        let mut f = Fund::default();
        let d = FundDraft { code: "๓๓๐๑๐๑๐๕".into(), ..draft() };
        assert_eq!(d.apply(&mut f, &Geo, false, today()), Ok(()));
        assert_eq!(f.code, "33010105");
    }

    #[test]
    fn every_problem_is_reported_against_its_field() {
        let d = FundDraft {
            code: "33020105".into(),
            name: "  ".into(),
            established: "1/1/2540".into(),
            assessed_year: String::new(),
            ..draft()
        };
        let errs = d.apply(&mut Fund::default(), &Geo, false, today()).unwrap_err();
        assert_eq!(
            errs,
            vec![
                (FundField::Code, FundError::CodeDistrict(3301)),
                (FundField::Name, FundError::NameEmpty),
                (FundField::Established, FundError::BeforeProgramme),
                (FundField::AssessedYear, FundError::YearNeeded),
            ]
        );
    }

    #[test]
    fn code_checks() {
        let check = |code: &str| {
            FundDraft { code: code.into(), ..draft() }.apply(&mut Fund::default(), &Geo, false, today()).err()
        };
        assert_eq!(check("3301010"), Some(vec![(FundField::Code, FundError::CodeFormat)]));
        assert_eq!(check("33010100"), Some(vec![(FundField::Code, FundError::VillageNo)]));
        assert_eq!(check("33019905"), Some(vec![(FundField::Code, FundError::UnknownSubdistrict(330199))]));
        assert_eq!(check("3301-01-05"), None);
    }

    #[test]
    fn dates_and_years_are_checked() {
        let d = FundDraft { established: "1/1/2580".into(), assessed_year: "2543".into(), ..draft() };
        let errs = d.apply(&mut Fund::default(), &Geo, false, today()).unwrap_err();
        assert_eq!(
            errs,
            vec![
                (FundField::Established, FundError::Future),
                (FundField::AssessedYear, FundError::BeforeProgramme),
            ]
        );
        let d = FundDraft { established: "1/6/2550".into(), assessed_year: "2549".into(), ..draft() };
        let errs = d.apply(&mut Fund::default(), &Geo, false, today()).unwrap_err();
        assert_eq!(errs, vec![(FundField::AssessedYear, FundError::YearBeforeEstablished)]);
    }

    #[test]
    fn capital_events_add_correct_and_total() {
        let mut f = Fund::default();
        let add = |f: &mut Fund, kind, date: &str, amount: &str, seq| {
            CapitalDraft { kind, date: date.into(), amount: amount.into(), note: String::new() }.apply(
                f,
                seq,
                today(),
            )
        };
        assert_eq!(add(&mut f, CapitalKind::Initial, "1/6/2544", "1,000,000", None), Ok(1));
        assert_eq!(add(&mut f, CapitalKind::Pracharat, "1/6/2559", "500000", None), Ok(2));
        assert_eq!(
            add(&mut f, CapitalKind::Initial, "1/6/2545", "1", None),
            Err(vec![(CapitalField::Kind, CapitalError::SecondInitial)])
        );
        // Correcting event 2 keeps its sequence number.
        assert_eq!(add(&mut f, CapitalKind::Pracharat, "1/7/2559", "๕๐๐,๐๐๐.๐๐", Some(2)), Ok(2));
        assert_eq!(f.capital_total(), Money::baht(1_500_000));
        assert_eq!(f.capital_by_year().get(&2016), Some(&Money::baht(500_000)));
        assert_eq!(
            add(&mut f, CapitalKind::Other, "1/7/2599", "0", None),
            Err(vec![
                (CapitalField::Date, CapitalError::Future),
                (CapitalField::Amount, CapitalError::Zero),
                (CapitalField::Note, CapitalError::NoteNeeded),
            ])
        );
        // Issue 18: a capital event dated before the fund was established was accepted.
        f.established = Date::from_ymd(2001, 7, 1);
        assert_eq!(
            add(&mut f, CapitalKind::Increase1, "30/6/2544", "100000", None),
            Err(vec![(CapitalField::Date, CapitalError::BeforeEstablished)])
        );
        assert_eq!(add(&mut f, CapitalKind::Increase1, "1/7/2544", "100000", None), Ok(3));
        // Lending capital leaves the Pracharat project budget out; what the
        // fund has to lend adds interest earned and takes away principal out.
        assert_eq!(f.lending_capital(), Money::baht(1_100_000));
        let mut loan = crate::domain::loan::Loan {
            id: 1,
            principal: Money::baht(300_000),
            rate_bp: 600,
            start: Date::from_ymd(2024, 1, 1).unwrap(),
            term_months: 12,
            mode: crate::domain::loan::RepaymentMode::LumpSum,
            purpose: 1,
            guarantors: vec![],
            status: crate::domain::loan::LoanStatus::Open,
            repayments: vec![],
        };
        loan.repayments.push(crate::domain::loan::Repayment {
            date: Date::from_ymd(2024, 6, 1).unwrap(),
            principal: Money::baht(100_000),
            interest: Money::baht(9_000),
            penalty: Money::baht(1_000),
        });
        let l = Lending::of(&f, [&loan]);
        assert_eq!((l.earned, l.out), (Money::baht(10_000), Money::baht(200_000)));
        assert_eq!(l.available(), Money::baht(1_100_000 + 10_000 - 200_000));
    }
}
