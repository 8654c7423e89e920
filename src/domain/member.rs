//! Fund members. A member's loans travel with the member record (the loan book),
//! because every screen that shows one shows the other.

use serde::{Deserialize, Serialize};

use super::{date::Date, loan::Loan, thai::NationalId};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub enum MemberStatus {
    #[default]
    Active,
    Left,
    Deceased,
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
    pub fn full_name(&self) -> String {
        format!("{}{} {}", self.title, self.given_name, self.family_name)
    }
}
