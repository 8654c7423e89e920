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
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Admin, Role::Province, Role::District, Role::Viewer];

    pub fn parse(s: &str) -> Option<Role> {
        match s.trim().to_ascii_lowercase().as_str() {
            "admin" => Some(Role::Admin),
            "province" => Some(Role::Province),
            "district" => Some(Role::District),
            "viewer" => Some(Role::Viewer),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Province => "province",
            Role::District => "district",
            Role::Viewer => "viewer",
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
    /// District code for district officers.
    pub district: Option<u16>,
    /// OpenSSH public keys (`ssh-ed25519 AAAA… comment`).
    pub keys: Vec<String>,
    pub disabled: bool,
}

impl Officer {
    pub fn access(&self) -> Access {
        match (self.role, self.district) {
            (Role::Admin, _) => Access::Admin,
            (Role::Province, _) => Access::Province,
            (Role::District, Some(d)) => Access::District(d),
            // A district officer without a district can change nothing.
            (Role::District, None) | (Role::Viewer, _) => Access::Viewer,
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
        };
        assert_eq!(o.access(), Access::Viewer, "a district officer needs a district");
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
