//! Imports saved record by record (the app's Import screen): a mark in `meta`
//! for as long as one is being saved, so that an import cut off half-way (the
//! process killed, the server stopped, the power gone) is taken back when the
//! store is next opened, as a cut-off bulk load is. The mark names the
//! import's change set, which the import's every save joins (see
//! `io::import::save_records` and `service::changes::take_back_cut_imports`).

use super::{
    core::{ChangeSlot, Notice, Store, StoreError, id_of},
    trees,
};

const PREFIX: &[u8] = b"saving:";

/// An import being saved: its change set, officer and file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SavingMark {
    pub change: u64,
    pub officer: String,
    pub file: String,
}

impl SavingMark {
    fn key(&self) -> Vec<u8> {
        [PREFIX, &self.change.to_be_bytes()].concat()
    }
}

impl Store {
    /// Gives `slot` its change set now (an id of the audit trail no entry
    /// takes) and marks it, on disk, as an import being saved by `officer`
    /// from `file`, before its first record is written.
    pub fn mark_saving(
        &self,
        officer: &str,
        file: &str,
        slot: &ChangeSlot,
    ) -> Result<SavingMark, StoreError> {
        if slot.id() == 0 {
            slot.take(self.reserve_ids(trees::AUDIT, 1)?);
        }
        let mark = SavingMark { change: slot.id(), officer: officer.to_string(), file: file.to_string() };
        let value = [officer.as_bytes(), &[0], file.as_bytes()].concat();
        self.tree(trees::META)?.insert(mark.key(), value)?;
        self.sync()?;
        Ok(mark)
    }

    /// The import is saved whole, or taken back: the mark goes.
    pub fn unmark_saving(&self, mark: &SavingMark) -> Result<(), StoreError> {
        self.tree(trees::META)?.remove(mark.key())?;
        self.sync()
    }

    /// The imports marked as being saved: after opening, those a cut-off
    /// process left.
    pub fn saving_marks(&self) -> Result<Vec<SavingMark>, StoreError> {
        let mut out = Vec::new();
        for item in self.tree(trees::META)?.scan_prefix(PREFIX) {
            let (k, v) = item?;
            let Some(change) = id_of(&k) else { continue };
            let mut parts = v.splitn(2, |b| *b == 0);
            let officer = String::from_utf8_lossy(parts.next().unwrap_or_default()).into_owned();
            let file = String::from_utf8_lossy(parts.next().unwrap_or_default()).into_owned();
            out.push(SavingMark { change, officer, file });
        }
        Ok(out)
    }

    /// Adds what was put right after opening to [`Store::notices`].
    pub fn add_notice(&self, n: Notice) {
        if let Ok(mut all) = self.notices.lock() {
            all.push(n);
        }
    }
}
