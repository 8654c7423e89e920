//! The other steps of the programme: district network committees and their
//! briefings (step 1), support activities (step 6), OTOP products (step 8).

use serde::{Deserialize, Serialize};

use super::date::Date;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommitteeSeat {
    pub name: String,
    pub position: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Briefing {
    pub date: Date,
    pub place: String,
    /// Fund ids briefed in this session.
    pub funds: Vec<u64>,
}

/// คณะกรรมการเครือข่ายกองทุนหมู่บ้านระดับอำเภอ — one per district.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NetworkCommittee {
    pub id: u64,
    pub version: u64,
    pub district: u16,
    pub chair: String,
    pub members: Vec<CommitteeSeat>,
    pub briefings: Vec<Briefing>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SupportLevel {
    Province,
    District,
    Network,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SupportKind {
    Training,
    Visit,
    MarketLink,
    Materials,
    Budget,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SupportScope {
    District(u16),
    Fund(u64),
    Household(u64),
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SupportActivity {
    pub id: u64,
    pub version: u64,
    pub level: SupportLevel,
    pub date: Date,
    pub scope: SupportScope,
    pub kind: SupportKind,
    pub note: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum OtopCategory {
    Food,
    Beverage,
    Textiles,
    Decorative,
    HerbalNonFood,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Producer {
    /// An occupation record (household).
    Household(u64),
    /// A community group, by fund.
    Group(u64),
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OtopProduct {
    pub id: u64,
    pub version: u64,
    pub producer: Producer,
    pub name: String,
    pub category: OtopCategory,
    /// 1–5
    pub stars: u8,
    /// C.E. year of the rating.
    pub rating_year: i32,
}
