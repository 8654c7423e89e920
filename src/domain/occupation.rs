//! Occupation categories and the occupation record of a member who borrowed.

use serde::{Deserialize, Serialize};

use super::{date::Date, money::Money};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OccupationCategory {
    pub code: u16,
    pub name_th: String,
    pub name_en: String,
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

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub enum OccupationStatus {
    #[default]
    Active,
    Stopped,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OccupationRecord {
    pub id: u64,
    pub version: u64,
    pub member_id: u64,
    pub fund_id: u64,
    pub category: u16,
    pub description: String,
    /// C.E. year the occupation started.
    pub start_year: i32,
    pub loan_ids: Vec<u64>,
    pub before: Annual,
    pub after: Annual,
    pub status: OccupationStatus,
    pub stage: Stage,
    pub stage_history: Vec<StageChange>,
}
