//! Community livelihood sages (ปราชญ์สัมมาชีพชุมชน) and their assignments.

use serde::{Deserialize, Serialize};

use super::{date::Date, thai::NationalId};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub enum SageStatus {
    #[default]
    Active,
    Inactive,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sage {
    pub id: u64,
    pub version: u64,
    pub title: String,
    pub given_name: String,
    pub family_name: String,
    pub national_id: NationalId,
    pub phone: String,
    /// Village code of the sage's home.
    pub home_village: u32,
    /// Occupation category codes.
    pub expertise: Vec<u16>,
    /// Households coached at once.
    pub capacity: u16,
    pub status: SageStatus,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub enum AssignmentStatus {
    #[default]
    Planned,
    Active,
    Done,
    Cancelled,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Visit {
    pub date: Date,
    pub notes: String,
    pub next_step: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assignment {
    pub id: u64,
    pub version: u64,
    pub sage_id: u64,
    pub occupation_id: u64,
    pub start: Date,
    pub end: Option<Date>,
    pub status: AssignmentStatus,
    pub visits: Vec<Visit>,
}
