//! Officers (users of the app) and what their role lets them do.

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Role {
    /// Everything, officer accounts included.
    Admin,
    /// Reads and changes every record.
    Province,
    /// Changes the records of one district; reads the province.
    District,
    /// Reads only.
    Viewer,
    /// A village fund's committee: its own fund's members, loans,
    /// repayments and occupation records (the programme's step 2).
    Fund,
    /// A district network committee: its briefings and support activities;
    /// reads its district.
    Network,
}

impl Role {
    pub const ALL: [Role; 6] =
        [Role::Admin, Role::Province, Role::District, Role::Viewer, Role::Fund, Role::Network];

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.name() == s.trim().to_ascii_lowercase())
    }

    pub fn name(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Province => "province",
            Role::District => "district",
            Role::Viewer => "viewer",
            Role::Fund => "fund",
            Role::Network => "network",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Officer {
    pub id: u64,
    pub version: u64,
    pub login: String,
    pub display_name: String,
    pub role: Role,
    /// District code for district officers, network committees and fund
    /// committees (their fund's district).
    pub district: Option<u16>,
    /// OpenSSH public keys (`ssh-ed25519 AAAA… comment`).
    pub keys: Vec<String>,
    pub disabled: bool,
    /// The fund (its id) of a fund committee's account.
    pub fund: Option<u64>,
}

/// An officer as stored before fund and network committees had accounts
/// (schema 1): read and upgraded, never written.
#[derive(Deserialize)]
pub struct OfficerV1 {
    pub id: u64,
    pub version: u64,
    pub login: String,
    pub display_name: String,
    pub role: Role,
    pub district: Option<u16>,
    pub keys: Vec<String>,
    pub disabled: bool,
}

impl From<OfficerV1> for Officer {
    fn from(o: OfficerV1) -> Self {
        let OfficerV1 { id, version, login, display_name, role, district, keys, disabled } = o;
        Officer { id, version, login, display_name, role, district, keys, disabled, fund: None }
    }
}

impl Officer {
    pub fn access(&self) -> Access {
        match (self.role, self.district) {
            (Role::Admin, _) => Access::Admin,
            (Role::Province, _) => Access::Province,
            (Role::District, Some(d)) => Access::District(d),
            (Role::Network, Some(d)) => Access::Network(d),
            (Role::Fund, Some(district)) => match self.fund {
                Some(fund) => Access::Fund { fund, district },
                None => Access::Viewer,
            },
            // An account without its district or fund can change nothing.
            (Role::District | Role::Network | Role::Fund, None) | (Role::Viewer, _) => Access::Viewer,
        }
    }
}

/// What a session may do, checked by the store on every write.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Access {
    Admin,
    Province,
    District(u16),
    Viewer,
    /// A fund committee: the fund's id and its district.
    Fund {
        fund: u64,
        district: u16,
    },
    /// A district network committee.
    Network(u16),
}

/// Why a change is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Denied {
    #[error("read-only account")]
    ReadOnly,
    /// A district officer touching another district's record (or a
    /// province-wide one: `theirs` is `None`).
    #[error("district {mine} cannot change records of {theirs:?}")]
    OtherDistrict { mine: u16, theirs: Option<u16> },
    #[error("only administrators")]
    AdminOnly,
    /// A fund committee touching another fund's record.
    #[error("fund committee of {mine} cannot change another fund's records")]
    OtherFund { mine: u64 },
    /// A committee touching a kind of record outside its work.
    #[error("not a record this committee keeps")]
    NotTheirs,
}

/// What a record is, as far as the committees' accounts care.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RecordKind {
    /// A fund's members (with their loans and repayments).
    Member,
    OccupationRecord,
    /// A network committee (its briefings).
    Committee,
    SupportActivity,
    Other,
}

impl Access {
    /// May this session change a record of `district` (`None`: a record of
    /// the whole province, such as an occupation category)?
    pub fn may_change(self, district: Option<u16>) -> Result<(), Denied> {
        match (self, district) {
            (Access::Admin | Access::Province, _) => Ok(()),
            (Access::District(mine), Some(d)) if d == mine => Ok(()),
            (Access::District(mine), theirs) => Err(Denied::OtherDistrict { mine, theirs }),
            (Access::Viewer, _) => Err(Denied::ReadOnly),
            // The committees go through `may_change_record`; a record of no
            // kind they keep is not theirs.
            (Access::Fund { .. } | Access::Network(_), _) => Err(Denied::NotTheirs),
        }
    }

    /// May this session change a record of `kind`, of `district` and (for
    /// members and occupation records) of `fund`? The committees' accounts
    /// keep only their own records of their own work.
    pub fn may_change_record(
        self,
        kind: RecordKind,
        district: Option<u16>,
        fund: Option<u64>,
    ) -> Result<(), Denied> {
        match self {
            Access::Fund { fund: mine, .. } => match kind {
                RecordKind::Member | RecordKind::OccupationRecord if fund == Some(mine) => Ok(()),
                RecordKind::Member | RecordKind::OccupationRecord => Err(Denied::OtherFund { mine }),
                _ => Err(Denied::NotTheirs),
            },
            Access::Network(mine) => match kind {
                RecordKind::Committee | RecordKind::SupportActivity if district == Some(mine) => Ok(()),
                RecordKind::Committee | RecordKind::SupportActivity => {
                    Err(Denied::OtherDistrict { mine, theirs: district })
                }
                _ => Err(Denied::NotTheirs),
            },
            other => other.may_change(district),
        }
    }

    /// The district a session sees, when it sees only one (network and fund
    /// committees); district officers read the province.
    pub fn reads_only_district(self) -> Option<u16> {
        match self {
            Access::Network(d) | Access::Fund { district: d, .. } => Some(d),
            _ => None,
        }
    }

    /// The one district whose records this session may change, when it
    /// changes only one (a district officer, the committees): what a new
    /// record's district starts as.
    pub fn changes_only_district(self) -> Option<u16> {
        match self {
            Access::District(d) => Some(d),
            other => other.reads_only_district(),
        }
    }

    /// Whether this session reads every record (no committee's account):
    /// it may then share the lists every such session reads alike.
    pub fn reads_all(self) -> bool {
        self.reads_only_district().is_none() && self.reads_only_fund().is_none()
    }

    /// May this session read the records of fund `fund` of `district`?
    pub fn may_read_fund(self, fund: u64, district: u16) -> bool {
        self.reads_only_fund().is_none_or(|f| f == fund)
            && self.reads_only_district().is_none_or(|d| d == district)
    }

    /// The fund a session sees, when it sees only one (a fund committee).
    pub fn reads_only_fund(self) -> Option<u64> {
        match self {
            Access::Fund { fund, .. } => Some(fund),
            _ => None,
        }
    }

    pub fn may_write(self) -> Result<(), Denied> {
        if self == Access::Viewer { Err(Denied::ReadOnly) } else { Ok(()) }
    }

    pub fn may_admin(self) -> Result<(), Denied> {
        if self == Access::Admin { Ok(()) } else { Err(Denied::AdminOnly) }
    }
}

/// Login names: 2–32 of a–z, 0–9, `.`, `_`, `-`, starting with a letter.
pub fn valid_login(s: &str) -> bool {
    let ok_len = (2..=32).contains(&s.len());
    let first = s.chars().next().is_some_and(|c| c.is_ascii_lowercase());
    ok_len && first && s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-".contains(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_decide_what_may_change() {
        assert_eq!(Access::Admin.may_change(None), Ok(()));
        assert_eq!(Access::Province.may_change(Some(3302)), Ok(()));
        assert_eq!(Access::District(3301).may_change(Some(3301)), Ok(()));
        assert_eq!(
            Access::District(3301).may_change(Some(3302)),
            Err(Denied::OtherDistrict { mine: 3301, theirs: Some(3302) })
        );
        assert_eq!(
            Access::District(3301).may_change(None),
            Err(Denied::OtherDistrict { mine: 3301, theirs: None })
        );
        assert_eq!(Access::Viewer.may_change(Some(3301)), Err(Denied::ReadOnly));
        assert_eq!(Access::Viewer.may_write(), Err(Denied::ReadOnly));
        assert_eq!(Access::Province.may_admin(), Err(Denied::AdminOnly));
        let o = Officer {
            id: 1,
            version: 1,
            login: "somchai".into(),
            display_name: String::new(),
            role: Role::District,
            district: None,
            keys: vec![],
            disabled: false,
            fund: None,
        };
        assert_eq!(o.access(), Access::Viewer, "a district officer needs a district");
    }

    // Issue 20: a fund committee keeps its own fund's members and occupation
    // records, nothing else; a network committee its district's briefings
    // and support.
    #[test]
    fn committees_keep_their_own_records_only() {
        use RecordKind as K;
        let fund = Access::Fund { fund: 7, district: 3301 };
        assert_eq!(fund.may_change_record(K::Member, Some(3301), Some(7)), Ok(()));
        assert_eq!(fund.may_change_record(K::OccupationRecord, Some(3301), Some(7)), Ok(()));
        assert_eq!(
            fund.may_change_record(K::Member, Some(3301), Some(8)),
            Err(Denied::OtherFund { mine: 7 })
        );
        assert_eq!(fund.may_change_record(K::SupportActivity, Some(3301), None), Err(Denied::NotTheirs));
        assert_eq!(fund.may_change_record(K::Other, Some(3301), Some(7)), Err(Denied::NotTheirs));
        let net = Access::Network(3301);
        assert_eq!(net.may_change_record(K::SupportActivity, Some(3301), None), Ok(()));
        assert_eq!(net.may_change_record(K::Committee, Some(3301), None), Ok(()));
        assert_eq!(
            net.may_change_record(K::Committee, Some(3302), None),
            Err(Denied::OtherDistrict { mine: 3301, theirs: Some(3302) })
        );
        assert_eq!(net.may_change_record(K::Member, Some(3301), Some(7)), Err(Denied::NotTheirs));
        // The others as before.
        assert_eq!(Access::District(3301).may_change_record(K::Member, Some(3301), Some(7)), Ok(()));
        assert_eq!(Access::Viewer.may_change_record(K::Member, Some(3301), Some(7)), Err(Denied::ReadOnly));
        assert_eq!((fund.reads_only_fund(), fund.reads_only_district()), (Some(7), Some(3301)));
        assert_eq!((net.reads_only_fund(), net.reads_only_district()), (None, Some(3301)));
        assert_eq!(Access::District(3301).reads_only_district(), None);
        assert_eq!(Role::parse("Fund"), Some(Role::Fund));
        assert_eq!(Role::parse("network"), Some(Role::Network));
    }

    #[test]
    fn logins_are_plain() {
        assert!(valid_login("somchai.j"));
        assert!(!valid_login("Somchai"));
        assert!(!valid_login("1abc"));
        assert!(!valid_login("สมชาย"));
        assert!(!valid_login("a"));
        assert_eq!(Role::parse("District"), Some(Role::District));
        assert_eq!(Role::parse("boss"), None);
    }
}
