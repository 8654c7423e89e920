//! Tree names. Each is one record kind or one index; nothing else is stored.

pub const META: &str = "meta";
pub const AUDIT: &str = "audit";
pub const GEO: &str = "geo";
pub const FUNDS: &str = "funds";
pub const FUNDS_BY_CODE: &str = "funds_by_code";
/// Per fund: members, loans, principal lent and repaid, occupation records.
pub const FUND_STATS: &str = "fund_stats";
/// Keyed fund id ++ member id, so a fund's members are one prefix scan.
pub const MEMBERS: &str = "members";
pub const MEMBERS_BY_NID: &str = "members_by_nid";
pub const CATEGORIES: &str = "categories";
/// Keyed fund id ++ member id ++ record id: a member's occupations are one
/// prefix scan, and the list of all of them comes out grouped by fund.
pub const OCCUPATIONS: &str = "occupations";
/// Ranking weight profiles, by name.
pub const PROFILES: &str = "profiles";
/// How many records belong to each parent (by the parent's key), kept in
/// the same transactions as the children, so a parent with children is
/// never deleted, whatever runs beside it.
pub const CHILDREN: &str = "children";
/// Counter only: loan ids (loans live inside their member's record).
pub const LOANS: &str = "loans";
pub const SAGES: &str = "sages";
pub const SAGES_BY_NID: &str = "sages_by_nid";
/// Keyed sage id ++ assignment id: a sage's households are one prefix scan.
pub const ASSIGNMENTS: &str = "assignments";
/// Occupation key ++ assignment key → nothing: a household's sages.
pub const ASSIGNMENTS_BY_OCC: &str = "assignments_by_occ";
/// Occupation key → the planned or active assignment's key: one at a time.
pub const ACTIVE_BY_OCC: &str = "active_by_occ";
/// Places taken of each parent with limited places (a sage's households),
/// kept in the same transactions as the records that take them.
pub const LOADS: &str = "loads";
/// District network committees (with their briefings).
pub const COMMITTEES: &str = "committees";
pub const SUPPORT: &str = "support";
pub const OTOP: &str = "otop";
/// Per district: the Overview's counts (see `DistrictStats`).
pub const DISTRICT_STATS: &str = "district_stats";
/// Per fund: open loans by the day they turn 30 days late (see `FundRisk`).
pub const FUND_RISK: &str = "fund_risk";
pub const OFFICERS: &str = "officers";
pub const OFFICERS_BY_LOGIN: &str = "officers_by_login";
/// Copies of what an unfinished bulk load overwrote (see `load`). Empty
/// between loads; not part of backups.
pub const JOURNAL: &str = "journal";

pub const ALL: [&str; 25] = [
    META,
    AUDIT,
    GEO,
    FUNDS,
    FUNDS_BY_CODE,
    FUND_STATS,
    MEMBERS,
    MEMBERS_BY_NID,
    CATEGORIES,
    OCCUPATIONS,
    PROFILES,
    CHILDREN,
    SAGES,
    SAGES_BY_NID,
    ASSIGNMENTS,
    ASSIGNMENTS_BY_OCC,
    ACTIVE_BY_OCC,
    LOADS,
    COMMITTEES,
    SUPPORT,
    OTOP,
    DISTRICT_STATS,
    FUND_RISK,
    OFFICERS,
    OFFICERS_BY_LOGIN,
];
