//! The embedded store: sled trees, one per record kind, with counters in `meta`,
//! index trees, an audit trail, and saves that are one multi-tree transaction.
//!
//! This file only names the parts. From the bottom up: `codec`, `files`,
//! `stats`, `kept` (every fund's figures kept in memory) and `trees` stand
//! alone; `core` is the store itself (its errors,
//! counters, audit trail, locks and syncing); `record` says how each kind is
//! keyed and indexed; `page` keeps a tree's records several to a sled
//! value; `index` and `write` save one record at a time; `check`
//! checks and rebuilds what is derived; `load` is the all-or-nothing bulk
//! load, with `bulk_update`, `reference` and `sages` beside it; `backup`
//! writes backups; `migrate` and `open` open a store; `restore` and `replace`
//! make new ones.

pub mod backup;
mod bulk_update;
mod cache;
pub mod check;
pub mod codec;
mod core;
pub mod files;
mod fill;
mod index;
mod kept;
pub mod load;
pub mod migrate;
mod open;
mod page;
mod record;
mod reference;
pub mod replace;
mod restore;
mod sages;
mod saving;
mod stats;
pub mod trees;
mod write;

pub use self::core::{
    Actor, ChangeSlot, Generations, MAX_ID, MIN_ROOM, Notice, OpenError, SaveError, Store, StoreError,
    decode_audit, id_of,
};
pub use codec::CodecError;
pub use index::SPLIT_AT;
pub use kept::RiskOn;
pub use load::{BulkWriter, Load, Recovered};
pub use record::{IndexEntry, Record, assignment_key, member_key, occupation_key};
pub use reference::AddCategoryError;
pub use saving::SavingMark;
pub use stats::{DistrictStats, FundRisk, FundStats};
pub use write::may_change;
