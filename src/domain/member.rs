//! Fund members. A member's loans travel with the member record (the loan book),
//! because every screen that shows one shows the other.

use serde::{Deserialize, Serialize};

use super::{
    date::Date,
    loan::Loan,
    thai::{self, DateError, NationalId, NationalIdError},
};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub enum MemberStatus {
    #[default]
    Active,
    Left,
    Deceased,
}

impl MemberStatus {
    pub const ALL: [MemberStatus; 3] = [MemberStatus::Active, MemberStatus::Left, MemberStatus::Deceased];
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    pub id: u64,
    pub version: u64,
    pub fund_id: u64,
    pub national_id: NationalId,
    /// นาย / นาง / นางสาว / …
    pub title: String,
    pub given_name: String,
    pub family_name: String,
    pub birth_date: Option<Date>,
    pub household_no: String,
    pub phone: String,
    pub joined: Option<Date>,
    pub status: MemberStatus,
    pub loans: Vec<Loan>,
}

impl Member {
    /// A new member of `fund_id`, before the form's fields are applied.
    pub fn new(fund_id: u64) -> Member {
        Member {
            id: 0,
            version: 0,
            fund_id,
            national_id: NationalId::PLACEHOLDER,
            title: String::new(),
            given_name: String::new(),
            family_name: String::new(),
            birth_date: None,
            household_no: String::new(),
            phone: String::new(),
            joined: None,
            status: MemberStatus::Active,
            loans: Vec::new(),
        }
    }

    /// `นายสมชาย ใจดี`: Thai writes the title against the given name.
    pub fn full_name(&self) -> String {
        format!("{}{} {}", self.title, self.given_name, self.family_name)
    }

    /// Sorts by given name, then family name, ignoring the title (Thai custom).
    pub fn sort_key(&self) -> Vec<u8> {
        thai::sort_key(&format!("{} {}", self.given_name, self.family_name))
    }

    pub fn loan(&self, id: u64) -> Option<&Loan> {
        self.loans.iter().find(|l| l.id == id)
    }
}

pub const TITLES: [&str; 3] = ["นาย", "นาง", "นางสาว"];

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MemberField {
    Title,
    GivenName,
    FamilyName,
    NationalId,
    BirthDate,
    HouseholdNo,
    Phone,
    Joined,
    Status,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum MemberError {
    /// A control character or a bidi override (see `domain::clean`).
    #[error("holds the character {}, which cannot be saved", crate::domain::clean::line(&.0.to_string()))]
    Unsafe(char),
    #[error("required")]
    Required,
    #[error("longer than {0} characters")]
    TooLong(usize),
    #[error("national ID: {0}")]
    NationalId(NationalIdError),
    #[error("date: {0}")]
    Date(DateError),
    #[error("in the future")]
    Future,
    #[error("younger than {0}")]
    TooYoung(i32),
    #[error("older than {0}")]
    TooOld(i32),
    #[error("phone: 9 or 10 digits starting with 0")]
    Phone,
    #[error("joined before the fund was established")]
    BeforeFund,
    #[error("younger than {0} when joining")]
    YoungAtJoining(i32),
    #[error("already a member of fund {0}")]
    Duplicate(String),
}

/// Members must be adults (20 in Thai law; the funds accept from 18 with consent,
/// so the form refuses only the obviously wrong).
pub const MIN_AGE: i32 = 15;

/// No member is older: a birth date further back is a year typed wrong
/// (2400 for 2500, or a C.E. year read as B.E.), and would skew every age.
pub const MAX_AGE: i32 = 120;

#[derive(Clone, Debug, Default)]
pub struct MemberDraft {
    pub title: String,
    pub given_name: String,
    pub family_name: String,
    pub national_id: String,
    pub birth_date: String,
    pub household_no: String,
    pub phone: String,
    pub joined: String,
    pub status: MemberStatus,
}

fn optional_date(s: &str, today: Date) -> Result<Option<Date>, MemberError> {
    match s.trim() {
        "" => Ok(None),
        s => match thai::parse_date(s) {
            Ok(d) if d > today => Err(MemberError::Future),
            Ok(d) => Ok(Some(d)),
            Err(e) => Err(MemberError::Date(e)),
        },
    }
}

impl MemberDraft {
    pub fn from_member(m: &Member, lang: super::lang::Lang) -> Self {
        let date = |d: Option<Date>| d.map(|d| thai::format_date(d, lang)).unwrap_or_default();
        Self {
            title: m.title.clone(),
            given_name: m.given_name.clone(),
            family_name: m.family_name.clone(),
            national_id: m.national_id.grouped(),
            birth_date: date(m.birth_date),
            household_no: m.household_no.clone(),
            phone: m.phone.clone(),
            joined: date(m.joined),
            status: m.status,
        }
    }

    /// Checks every field; on success writes them into `m` (id, fund, loans and
    /// version are left alone).
    pub fn apply(
        &self,
        m: &mut Member,
        fund_start: Option<Date>,
        today: Date,
    ) -> Result<(), Vec<(MemberField, MemberError)>> {
        let mut errs = Vec::new();
        let mut text = |field, s: &str, max: usize, required: bool| {
            let s = s.trim();
            if required && s.is_empty() {
                errs.push((field, MemberError::Required));
            } else if s.chars().count() > max {
                errs.push((field, MemberError::TooLong(max)));
            } else if let Some(c) = crate::domain::clean::forbidden(s) {
                errs.push((field, MemberError::Unsafe(c)));
            }
            s.to_string()
        };
        let title = text(MemberField::Title, &self.title, 20, true);
        let given = text(MemberField::GivenName, &self.given_name, 60, true);
        let family = text(MemberField::FamilyName, &self.family_name, 60, true);
        let household = text(MemberField::HouseholdNo, &self.household_no, 20, false);
        let nid = match NationalId::parse(&self.national_id) {
            Ok(n) => Some(n),
            Err(e) => {
                errs.push((MemberField::NationalId, MemberError::NationalId(e)));
                None
            }
        };
        let birth = match optional_date(&self.birth_date, today) {
            Ok(Some(b)) if today.years_since(b) < MIN_AGE => {
                errs.push((MemberField::BirthDate, MemberError::TooYoung(MIN_AGE)));
                None
            }
            Ok(Some(b)) if today.years_since(b) > MAX_AGE => {
                errs.push((MemberField::BirthDate, MemberError::TooOld(MAX_AGE)));
                None
            }
            Ok(b) => b,
            Err(e) => {
                errs.push((MemberField::BirthDate, e));
                None
            }
        };
        let joined = match optional_date(&self.joined, today) {
            Ok(Some(j)) if fund_start.is_some_and(|f| j < f) => {
                errs.push((MemberField::Joined, MemberError::BeforeFund));
                None
            }
            Ok(j) => j,
            Err(e) => {
                errs.push((MemberField::Joined, e));
                None
            }
        };
        // A member is at least MIN_AGE on the day they join.
        if let (Some(b), Some(j)) = (birth, joined)
            && j.years_since(b) < MIN_AGE
        {
            errs.push((MemberField::Joined, MemberError::YoungAtJoining(MIN_AGE)));
        }
        let phone: String =
            thai::normalize_digits(self.phone.trim()).chars().filter(|c| !" -".contains(*c)).collect();
        let valid_phone = phone.starts_with('0')
            && (9..=10).contains(&phone.len())
            && phone.chars().all(|c| c.is_ascii_digit());
        if !phone.is_empty() && !valid_phone {
            errs.push((MemberField::Phone, MemberError::Phone));
        }
        let Some(nid) = nid.filter(|_| errs.is_empty()) else {
            return Err(errs);
        };
        m.title = title;
        m.given_name = given;
        m.family_name = family;
        m.national_id = nid;
        m.birth_date = birth;
        // A house number: Thai digits kept as the digits they are.
        m.household_no = thai::normalize_digits(&household).into_owned();
        m.phone = phone;
        m.joined = joined;
        m.status = self.status;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> Date {
        Date::from_ymd(2026, 11, 25).unwrap()
    }

    fn blank() -> Member {
        Member { national_id: NationalId::parse("1101700230708").unwrap(), ..Member::new(1) }
    }

    #[test]
    fn a_good_member_form() {
        let d = MemberDraft {
            title: "นาง".into(),
            given_name: "สมศรี".into(),
            family_name: "ใจงาม".into(),
            national_id: "๓-๑๐๐๖-๐๐๔๔๕-๖๓-๕".into(),
            birth_date: "2/2/2510".into(),
            household_no: "45/1".into(),
            phone: "081-234-5678".into(),
            joined: "1/6/2544".into(),
            status: MemberStatus::Active,
        };
        let mut m = blank();
        assert_eq!(d.apply(&mut m, Date::from_ymd(2001, 3, 1), today()), Ok(()));
        assert_eq!(m.full_name(), "นางสมศรี ใจงาม");
        assert_eq!(m.national_id.to_string(), "3100600445635");
        assert_eq!(m.phone, "0812345678");
    }

    #[test]
    fn a_wrong_national_id_says_which_check_digit() {
        let d = MemberDraft {
            title: "นาย".into(),
            given_name: "ก".into(),
            family_name: "ข".into(),
            national_id: "1101700230705".into(),
            phone: "12345".into(),
            birth_date: "1/1/2565".into(),
            joined: "1/1/2543".into(),
            ..Default::default()
        };
        let errs = d.apply(&mut blank(), Date::from_ymd(2001, 3, 1), today()).unwrap_err();
        assert_eq!(
            errs,
            vec![
                (
                    MemberField::NationalId,
                    MemberError::NationalId(NationalIdError::Checksum { expected: 8, found: 5 })
                ),
                (MemberField::BirthDate, MemberError::TooYoung(MIN_AGE)),
                (MemberField::Joined, MemberError::BeforeFund),
                (MemberField::Phone, MemberError::Phone),
            ]
        );
    }

    // Issue 18: a member born 2541 was shown joining in 2545.
    #[test]
    fn a_member_is_fifteen_on_the_day_they_join() {
        let d = |joined: &str| MemberDraft {
            title: "นาย".into(),
            given_name: "ก".into(),
            family_name: "ข".into(),
            national_id: "3100600445635".into(),
            birth_date: "2/2/2530".into(),
            joined: joined.into(),
            ..Default::default()
        };
        let errs = d("1/2/2545").apply(&mut blank(), Date::from_ymd(2001, 3, 1), today()).unwrap_err();
        assert_eq!(errs, vec![(MemberField::Joined, MemberError::YoungAtJoining(MIN_AGE))]);
        assert_eq!(d("2/2/2545").apply(&mut blank(), Date::from_ymd(2001, 3, 1), today()), Ok(()));
    }

    // A hunt typed 1/1/2400: a member of 169 was saved.
    #[test]
    fn a_birth_year_typed_wrong_is_refused() {
        let d = |born: &str| MemberDraft {
            title: "นาย".into(),
            given_name: "ก".into(),
            family_name: "ข".into(),
            national_id: "3100600445635".into(),
            birth_date: born.into(),
            ..Default::default()
        };
        let errs = d("1/1/2400").apply(&mut blank(), None, today()).unwrap_err();
        assert_eq!(errs, vec![(MemberField::BirthDate, MemberError::TooOld(MAX_AGE))]);
        // 25 Nov 2026: born 26 Nov 1906 is 119, born 25 Nov 1905 is 121.
        assert_eq!(d("26/11/2449").apply(&mut blank(), None, today()), Ok(()));
        let errs = d("25/11/1905").apply(&mut blank(), None, today()).unwrap_err();
        assert_eq!(errs, vec![(MemberField::BirthDate, MemberError::TooOld(MAX_AGE))]);
    }

    #[test]
    fn ages_count_whole_years() {
        let born = Date::from_ymd(1990, 6, 15).unwrap();
        let on = |y, m, d| Date::from_ymd(y, m, d).unwrap().years_since(born);
        assert_eq!((on(2005, 6, 14), on(2005, 6, 15), on(2006, 1, 1)), (14, 15, 15));
    }

    #[test]
    fn sorting_ignores_the_title() {
        let mut a = blank();
        a.title = "นางสาว".into();
        a.given_name = "กนกพร".into();
        let mut b = blank();
        b.title = "นาย".into();
        b.given_name = "ไก่".into();
        let mut c = blank();
        c.title = "นาง".into();
        c.given_name = "ขวัญ".into();
        let mut v = [c.clone(), b.clone(), a.clone()];
        v.sort_by_key(Member::sort_key);
        assert_eq!(v.map(|m| m.given_name), ["กนกพร", "ไก่", "ขวัญ"]);
    }
}
