//! Keeping sled's cache to its size during and after a long scan.
//!
//! sled 0.34 records each page it reads in one of 256 access queues (by page
//! number) and only weighs a queue against the cache size once 64 reads have
//! gathered in it. A scan reads each page once or twice, so the queues fill
//! slowly and the pages a scan read stay in memory long after it, whatever
//! the cache size: after the province's 203,015 occupation records, about
//! 20 MB held for as long as the screens run, and as much again left in
//! pieces the allocator cannot give back. Measured, not guessed:
//! `BENCHMARKS.md`, issue 23.
//!
//! [`Settle`] keeps every other key a scan just passed and, every [`EVERY`]
//! records and at the end, reads them again twice: those reads hit pages
//! still in memory and fill the queues, so sled weighs them and pages out all
//! but its cache size while the scan goes on. On the province's occupation
//! records the scan then holds 66.7 MB instead of 104 MB (store and catalog),
//! and takes 0.60 s instead of 0.55 s.

use sled::{IVec, Tree};

/// Records between two settlings; a shorter scan is left alone.
const EVERY: usize = 5_000;
/// One key in this many is read again.
const STRIDE: usize = 2;
/// How many times the kept keys are read again.
const ROUNDS: usize = 2;

pub(crate) struct Settle {
    seen: usize,
    recent: Vec<IVec>,
    /// Keys between two settlings: [`EVERY`], or fewer when each key holds
    /// a page of records (about [`EVERY`] records all the same).
    every: usize,
}

impl Default for Settle {
    fn default() -> Self {
        Settle { seen: 0, recent: Vec::new(), every: EVERY }
    }
}

impl Settle {
    /// For a scan of keys that each hold about `per_key` records.
    pub(crate) fn per_key(per_key: usize) -> Self {
        Settle { every: (EVERY / per_key.max(1)).max(1), ..Settle::default() }
    }

    /// The scan passed `key`.
    pub(crate) fn saw(&mut self, key: &IVec) {
        if self.seen.is_multiple_of(STRIDE) {
            self.recent.push(key.clone());
        }
        self.seen += 1;
    }

    /// Between two records: settles every [`EVERY`] records.
    pub(crate) fn between(&mut self, tree: &Tree) -> sled::Result<()> {
        if self.seen.is_multiple_of(self.every) { self.settle(tree) } else { Ok(()) }
    }

    /// After the last record.
    pub(crate) fn finish(mut self, tree: &Tree) -> sled::Result<()> {
        if self.seen >= self.every { self.settle(tree) } else { Ok(()) }
    }

    fn settle(&mut self, tree: &Tree) -> sled::Result<()> {
        for _ in 0..ROUNDS {
            for k in &self.recent {
                tree.get(k)?;
            }
        }
        self.recent.clear();
        Ok(())
    }
}
