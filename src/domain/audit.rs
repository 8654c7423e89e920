//! The audit trail: who changed what, when, from what to what.

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum AuditAction {
    Create,
    Update,
    Delete,
    /// Bulk writes (demo data, imports): one entry for the whole batch.
    Bulk,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// Milliseconds since the Unix epoch.
    pub time_ms: i64,
    pub officer: String,
    pub action: AuditAction,
    /// Tree name of the record kind.
    pub kind: String,
    /// The record's key in its tree.
    pub key: Vec<u8>,
    /// The stored value before and after, as written (envelope included), so an
    /// audit view decodes them with the same migrations as live records.
    pub before: Option<Vec<u8>>,
    pub after: Option<Vec<u8>>,
    pub note: String,
}
