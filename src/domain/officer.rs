//! Officers (users of the app) and what their role lets them do.

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Role {
    Admin,
    Province,
    District,
    Viewer,
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
