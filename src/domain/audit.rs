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
    /// The change set the entry belongs to: every save of one officer's
    /// action (a form saved, a plan accepted) carries the audit id of the
    /// first of them, so `u` takes them back together. 0: none (entries
    /// written before change sets).
    pub change: u64,
}

/// An entry as schema 1 wrote it, before change sets.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntryV1 {
    pub time_ms: i64,
    pub officer: String,
    pub action: AuditAction,
    pub kind: String,
    pub key: Vec<u8>,
    pub before: Option<Vec<u8>>,
    pub after: Option<Vec<u8>>,
    pub note: String,
}

impl From<AuditEntryV1> for AuditEntry {
    fn from(e: AuditEntryV1) -> Self {
        AuditEntry {
            time_ms: e.time_ms,
            officer: e.officer,
            action: e.action,
            kind: e.kind,
            key: e.key,
            before: e.before,
            after: e.after,
            note: e.note,
            change: 0,
        }
    }
}
