//! The embedded store: sled trees, one per record kind, with counters in `meta`,
//! index trees, an audit trail, and saves that are one multi-tree transaction.

pub mod codec;
pub mod migrate;
mod record;

use std::{
    collections::HashMap,
    fs,
    panic::{self, AssertUnwindSafe},
    path::{Path, PathBuf},
    sync::atomic::{AtomicU64, Ordering},
};

use sled::{
    Transactional,
    transaction::{ConflictableTransactionError, TransactionError, TransactionalTree},
};

pub use codec::CodecError;
pub use record::{IndexEntry, Record};

use crate::domain::{
    audit::{AuditAction, AuditEntry},
    geo::Place,
};

/// Tree names. Each is one record kind or one index; nothing else is stored.
pub mod trees {
    pub const META: &str = "meta";
    pub const AUDIT: &str = "audit";
    pub const GEO: &str = "geo";
    pub const FUNDS: &str = "funds";
    pub const FUNDS_BY_CODE: &str = "funds_by_code";

    pub const ALL: [&str; 5] = [META, AUDIT, GEO, FUNDS, FUNDS_BY_CODE];
}

const KEY_SCHEMA: &[u8] = b"schema_version";
const KEY_CREATED: &[u8] = b"created_ms";
const SCHEMA_AUDIT: u8 = 1;
const SCHEMA_PLACE: u8 = 1;

/// Why a store could not be opened. Each case has a message and a way out.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error("store {path} is in use by another sammachip process")]
    Locked { path: PathBuf },
    #[error("store {path} is damaged: {detail}")]
    Damaged { path: PathBuf, detail: String },
    #[error(
        "store {path} was written by a newer sammachip (schema {found}, this one reads up to {supported})"
    )]
    Newer { path: PathBuf, found: u32, supported: u32 },
    #[error("{path} holds something that is not a sammachip store")]
    Foreign { path: PathBuf },
    #[error("cannot use {path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("upgrading store {path} failed: {detail}")]
    Migration { path: PathBuf, detail: String },
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("storage: {0}")]
    Sled(#[from] sled::Error),
    #[error("{tree}/{key}: {source}")]
    Codec { tree: &'static str, key: u64, source: CodecError },
    #[error("file system: {0}")]
    Io(#[from] std::io::Error),
    #[error("value encoding: {0}")]
    Encode(CodecError),
}

#[derive(Debug, thiserror::Error)]
pub enum SaveError {
    /// The record changed since the form was opened: "changed by another officer".
    #[error("changed by another officer (now version {current})")]
    Stale { current: u64 },
    #[error("record {0} no longer exists")]
    Gone(u64),
    /// A unique index already holds this key for another record.
    #[error("{index} already used by record {other}")]
    Duplicate { index: &'static str, other: u64 },
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sled::Error> for SaveError {
    fn from(e: sled::Error) -> Self {
        SaveError::Store(StoreError::Sled(e))
    }
}

pub struct Store {
    db: sled::Db,
    path: PathBuf,
    trees: HashMap<&'static str, sled::Tree>,
    /// Bumped after every acknowledged save, so open screens know to refresh.
    generation: AtomicU64,
    acked: std::sync::Mutex<Option<fs::File>>,
}

fn now_ms() -> i64 {
    jiff::Timestamp::now().as_millisecond()
}

fn key(id: u64) -> [u8; 8] {
    id.to_be_bytes()
}

fn id_of(bytes: &[u8]) -> Option<u64> {
    bytes.try_into().ok().map(u64::from_be_bytes)
}

thread_local! {
    static QUIET: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Runs `f`, turning a panic inside sled into an error. The panic message is kept
/// off the officer's screen; other threads' panics still print as usual.
fn quietly<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    static HOOK: std::sync::Once = std::sync::Once::new();
    HOOK.call_once(|| {
        let prev = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if !QUIET.with(|q| q.get()) {
                prev(info);
            }
        }));
    });
    QUIET.with(|q| q.set(true));
    let out = panic::catch_unwind(AssertUnwindSafe(f));
    QUIET.with(|q| q.set(false));
    out.map_err(|p| {
        p.downcast_ref::<String>()
            .cloned()
            .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_else(|| "panic while reading".into())
    })
}

/// The number of the last acknowledged save, kept beside sled's files. sled
/// recovers a torn or truncated log by rolling back to an earlier state without
/// saying so; comparing its audit counter with this file turns that silent loss
/// into a "damaged" message.
const ACKED_FILE: &str = "acked";

fn read_acked(path: &Path) -> Option<u64> {
    let bytes = fs::read(path.join(ACKED_FILE)).ok()?;
    id_of(bytes.get(..8)?)
}

impl Store {
    /// Opens (or creates) the store at `path`. Never panics: a locked, damaged or
    /// foreign store comes back as an [`OpenError`].
    pub fn open(path: &Path) -> Result<Store, OpenError> {
        Self::open_with(path, migrate::STEPS)
    }

    /// As [`Store::open`], with an explicit list of migration steps (tests).
    pub fn open_with(path: &Path, steps: &[migrate::Step]) -> Result<Store, OpenError> {
        let io = |source| OpenError::Io { path: path.to_path_buf(), source };
        let damaged = |detail: String| OpenError::Damaged { path: path.to_path_buf(), detail };
        if path.exists() && !path.is_dir() {
            return Err(OpenError::Foreign { path: path.to_path_buf() });
        }
        fs::create_dir_all(path).map_err(io)?;
        let config = sled::Config::new().path(path).cache_capacity(16 << 20);
        let is_lock = |r: &Result<Result<sled::Db, sled::Error>, String>| matches!(r, Ok(Err(sled::Error::Io(e))) if e.to_string().contains("could not acquire lock"));
        let mut opened = quietly(|| config.open());
        // sled releases its file lock from a background thread after the Db is
        // dropped: a reopen in the same process can race it. Another process
        // holding the store keeps failing and is reported below.
        for _ in 0..20 {
            if !is_lock(&opened) {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
            opened = quietly(|| config.open());
        }
        let db = match opened {
            Ok(Ok(db)) => db,
            r if is_lock(&r) => {
                return Err(OpenError::Locked { path: path.to_path_buf() });
            }
            Ok(Err(sled::Error::Io(e))) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
                return Err(damaged(e.to_string()));
            }
            Ok(Err(sled::Error::Io(e))) => return Err(io(e)),
            Ok(Err(e)) => return Err(damaged(e.to_string())),
            Err(panic) => return Err(damaged(panic)),
        };
        let mut trees = HashMap::new();
        for name in trees::ALL {
            let t = quietly(|| db.open_tree(name)).map_err(damaged)?.map_err(|e| damaged(e.to_string()))?;
            trees.insert(name, t);
        }
        let store = Store {
            db,
            path: path.to_path_buf(),
            trees,
            generation: AtomicU64::new(0),
            acked: std::sync::Mutex::new(None),
        };
        if store.has_foreign_trees().map_err(|e| damaged(e.to_string()))? {
            return Err(OpenError::Foreign { path: path.to_path_buf() });
        }
        let audit_next = store.counter(trees::AUDIT).map_err(|e| damaged(e.to_string()))?;
        if let Some(acked) = read_acked(path)
            && audit_next < acked
        {
            return Err(damaged(format!(
                "saves are missing: the store ends before save #{}, but save #{} was acknowledged",
                audit_next,
                acked - 1
            )));
        }
        migrate::prepare(&store, steps)?;
        store.acknowledge().map_err(|e| damaged(e.to_string()))?;
        Ok(store)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub(crate) fn tree(&self, name: &'static str) -> Result<sled::Tree, StoreError> {
        match self.trees.get(name) {
            Some(t) => Ok(t.clone()),
            None => Ok(self.db.open_tree(name)?),
        }
    }

    /// Changes acknowledged since this process opened the store.
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// `flush()` writes sled's buffers; on Linux that is `sync_file_range`, which
    /// neither flushes the drive cache nor the file's metadata. Only after the
    /// explicit fsync of the data file is a save "saved".
    pub fn sync(&self) -> Result<(), StoreError> {
        self.db.flush()?;
        fs::File::open(self.path.join("db"))?.sync_all()?;
        Ok(())
    }

    /// Records the newest save as acknowledged (see [`ACKED_FILE`]).
    fn acknowledge(&self) -> Result<(), StoreError> {
        use std::io::{Seek, SeekFrom, Write};
        let next = self.counter(trees::AUDIT)?;
        let mut guard = self.acked.lock().unwrap_or_else(|p| p.into_inner());
        if guard.is_none() {
            let f = fs::OpenOptions::new()
                .create(true)
                .truncate(false)
                .read(true)
                .write(true)
                .open(self.path.join(ACKED_FILE))?;
            *guard = Some(f);
        }
        if let Some(f) = guard.as_mut() {
            f.seek(SeekFrom::Start(0))?;
            f.write_all(&next.to_be_bytes())?;
            f.sync_data()?;
        }
        Ok(())
    }

    /// Trees that hold data but are none of ours: this is some other program's
    /// sled database.
    fn has_foreign_trees(&self) -> Result<bool, StoreError> {
        if !self.db.is_empty() {
            return Ok(true);
        }
        for name in self.db.tree_names() {
            let known = trees::ALL.iter().any(|t| t.as_bytes() == name.as_ref())
                || name.as_ref() == b"__sled__default";
            if !known && !self.db.open_tree(&name)?.is_empty() {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// True when the store holds no records (the audit trail does not count).
    pub fn is_empty(&self) -> Result<bool, StoreError> {
        for name in trees::ALL {
            if name != trees::META && name != trees::AUDIT && !self.tree(name)?.is_empty() {
                return Ok(false);
            }
        }
        Ok(true)
    }

    pub fn schema_version(&self) -> Result<Option<u32>, StoreError> {
        let meta = self.tree(trees::META)?;
        Ok(meta.get(KEY_SCHEMA)?.and_then(|v| v.as_ref().try_into().ok()).map(u32::from_be_bytes))
    }

    pub(crate) fn set_schema_version(&self, v: u32) -> Result<(), StoreError> {
        let meta = self.tree(trees::META)?;
        meta.insert(KEY_SCHEMA, &v.to_be_bytes())?;
        if meta.get(KEY_CREATED)?.is_none() {
            meta.insert(KEY_CREATED, &now_ms().to_be_bytes())?;
        }
        Ok(())
    }

    /// The next id the counter of `tree` would hand out.
    pub fn counter(&self, tree: &str) -> Result<u64, StoreError> {
        let meta = self.tree(trees::META)?;
        Ok(meta.get(counter_key(tree))?.and_then(|v| id_of(&v)).unwrap_or(1))
    }

    // ------------------------------------------------------------ records

    fn decode_record<R: Record>(id: u64, bytes: &[u8]) -> Result<R, StoreError> {
        R::from_stored(bytes).map_err(|source| StoreError::Codec { tree: R::TREE, key: id, source })
    }

    pub fn get<R: Record>(&self, id: u64) -> Result<Option<R>, StoreError> {
        match self.tree(R::TREE)?.get(key(id))? {
            Some(bytes) => Self::decode_record(id, &bytes).map(Some),
            None => Ok(None),
        }
    }

    /// Every record of a kind, in id order. A record that does not decode stops
    /// the scan with an error naming it, rather than being skipped in silence.
    pub fn all<R: Record>(&self) -> Result<Vec<R>, StoreError> {
        let tree = self.tree(R::TREE)?;
        let mut out = Vec::with_capacity(tree.len());
        for item in tree.iter() {
            let (k, v) = item?;
            let id = id_of(&k).unwrap_or(0);
            out.push(Self::decode_record(id, &v)?);
        }
        Ok(out)
    }

    pub fn count<R: Record>(&self) -> Result<usize, StoreError> {
        Ok(self.tree(R::TREE)?.len())
    }

    /// Looks a key up in a unique index.
    pub fn lookup(&self, index: &'static str, k: &[u8]) -> Result<Option<u64>, StoreError> {
        Ok(self.tree(index)?.get(k)?.and_then(|v| id_of(&v)))
    }

    /// Creates `rec` (when its id is 0) or updates it. An update must carry the
    /// version it was read at; if the stored record has moved on, the save is
    /// refused with [`SaveError::Stale`]. Record, indexes, counter and audit entry
    /// are written in one transaction, then synced to disk before returning.
    pub fn save<R: Record>(&self, officer: &str, rec: &R) -> Result<R, SaveError> {
        let saved = self.write::<R>(officer, WriteOp::Save(rec))?;
        saved.ok_or(SaveError::Gone(rec.id()))
    }

    /// Deletes record `id`, which must still be at `version`. Returns what was
    /// deleted, so the caller can offer to undo.
    pub fn delete<R: Record>(&self, officer: &str, id: u64, version: u64) -> Result<R, SaveError> {
        match self.write::<R>(officer, WriteOp::Delete { id, version })? {
            Some(r) => Ok(r),
            None => Err(SaveError::Gone(id)),
        }
    }

    /// Puts a deleted record back under its old id (undo of a delete).
    pub fn restore<R: Record>(&self, officer: &str, rec: &R) -> Result<R, SaveError> {
        self.write::<R>(officer, WriteOp::Restore(rec))?.ok_or(SaveError::Gone(rec.id()))
    }

    fn write<R: Record>(&self, officer: &str, op: WriteOp<'_, R>) -> Result<Option<R>, SaveError> {
        let mut names: Vec<&'static str> = vec![trees::META, trees::AUDIT, R::TREE];
        names.extend_from_slice(R::INDEXES);
        let trees: Vec<sled::Tree> = names.iter().map(|n| self.tree(n)).collect::<Result<_, _>>()?;
        let index_pos = |name: &str| names.iter().position(|n| *n == name);

        let result = trees.as_slice().transaction(|tx: &Vec<TransactionalTree>| {
            let (meta, audit, primary) = (&tx[0], &tx[1], &tx[2]);
            let abort = |e: SaveError| ConflictableTransactionError::Abort(e);
            let enc = |r: &R| r.to_stored().map_err(|e| abort(StoreError::Encode(e).into()));

            let target_id = match &op {
                WriteOp::Save(r) if r.id() == 0 => next_id(meta, R::TREE)?,
                WriteOp::Save(r) | WriteOp::Restore(r) => r.id(),
                WriteOp::Delete { id, .. } => *id,
            };
            let old_bytes = primary.get(key(target_id))?;
            let old: Option<R> = match &old_bytes {
                Some(b) => Some(Self::decode_record(target_id, b).map_err(|e| abort(e.into()))?),
                None => None,
            };

            let (next, action): (Option<R>, AuditAction) = match &op {
                WriteOp::Save(r) if r.id() == 0 => {
                    let mut n = (*r).clone();
                    n.set_id(target_id);
                    n.set_version(1);
                    (Some(n), AuditAction::Create)
                }
                WriteOp::Save(r) => {
                    let Some(cur) = &old else {
                        return Err(abort(SaveError::Gone(target_id)));
                    };
                    if cur.version() != r.version() {
                        return Err(abort(SaveError::Stale { current: cur.version() }));
                    }
                    let mut n = (*r).clone();
                    n.set_version(cur.version() + 1);
                    (Some(n), AuditAction::Update)
                }
                WriteOp::Restore(r) => {
                    if old.is_some() {
                        return Err(abort(SaveError::Stale {
                            current: old.as_ref().map_or(0, |o| o.version()),
                        }));
                    }
                    let mut n = (*r).clone();
                    n.set_version(r.version() + 1);
                    (Some(n), AuditAction::Create)
                }
                WriteOp::Delete { version, .. } => {
                    let Some(cur) = &old else {
                        return Err(abort(SaveError::Gone(target_id)));
                    };
                    if cur.version() != *version {
                        return Err(abort(SaveError::Stale { current: cur.version() }));
                    }
                    (None, AuditAction::Delete)
                }
            };

            // Indexes: drop the old record's entries, then check and add the new.
            if let Some(o) = &old {
                for e in o.index_entries() {
                    if let Some(p) = index_pos(e.tree) {
                        tx[p].remove(e.key.as_slice())?;
                    }
                }
            }
            let new_bytes = match &next {
                Some(n) => {
                    for e in n.index_entries() {
                        let Some(p) = index_pos(e.tree) else { continue };
                        if e.unique {
                            if let Some(other) = tx[p].get(e.key.as_slice())?.and_then(|v| id_of(&v))
                                && other != target_id
                            {
                                return Err(abort(SaveError::Duplicate { index: e.tree, other }));
                            }
                            tx[p].insert(e.key.as_slice(), &key(target_id))?;
                        } else {
                            tx[p].insert(e.key.as_slice(), &[])?;
                        }
                    }
                    let bytes = enc(n)?;
                    primary.insert(&key(target_id), bytes.as_slice())?;
                    Some(bytes)
                }
                None => {
                    primary.remove(&key(target_id))?;
                    None
                }
            };

            let entry = AuditEntry {
                time_ms: now_ms(),
                officer: officer.to_string(),
                action,
                kind: R::TREE.to_string(),
                key: target_id,
                before: old_bytes.map(|b| b.to_vec()),
                after: new_bytes,
                note: String::new(),
            };
            let audit_bytes =
                codec::encode(SCHEMA_AUDIT, &entry).map_err(|e| abort(StoreError::Encode(e).into()))?;
            let audit_id = next_id(meta, trees::AUDIT)?;
            audit.insert(&key(audit_id), audit_bytes)?;
            Ok(next.or(old))
        });
        let out = match result {
            Ok(v) => v,
            Err(TransactionError::Abort(e)) => return Err(e),
            Err(TransactionError::Storage(e)) => return Err(e.into()),
        };
        self.sync()?;
        self.acknowledge()?;
        self.generation.fetch_add(1, Ordering::AcqRel);
        Ok(out)
    }

    /// Writes many new records at once (demo data, imports): ids from the counter
    /// in order, records then each index written sorted in batches, one audit
    /// entry, one flush. Refuses the whole load if a unique key repeats.
    pub fn bulk_insert<R: Record>(
        &self,
        officer: &str,
        note: &str,
        mut recs: Vec<R>,
    ) -> Result<Vec<u64>, SaveError> {
        const BATCH: usize = 1_000;
        let meta = self.tree(trees::META)?;
        let first = self.counter(R::TREE)?;
        let mut index: HashMap<&'static str, Vec<PendingEntry>> = HashMap::new();
        for (i, r) in recs.iter_mut().enumerate() {
            r.set_id(first + i as u64);
            r.set_version(1);
            for e in r.index_entries() {
                index.entry(e.tree).or_default().push((e.key, e.unique.then_some(r.id())));
            }
        }
        for (name, entries) in index.iter_mut() {
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            for (i, (k, unique)) in entries.iter().enumerate() {
                if unique.is_some() {
                    let repeated = i > 0 && entries[i - 1].0 == *k;
                    if let Some(other) =
                        self.lookup(name, k)?.or(if repeated { entries[i - 1].1 } else { None })
                    {
                        return Err(SaveError::Duplicate { index: name, other });
                    }
                }
            }
        }
        let primary = self.tree(R::TREE)?;
        for chunk in recs.chunks(BATCH) {
            let mut batch = sled::Batch::default();
            for r in chunk {
                batch.insert(&key(r.id()), r.to_stored().map_err(StoreError::Encode)?);
            }
            primary.apply_batch(batch)?;
        }
        for (name, entries) in index {
            let tree = self.tree(name)?;
            for chunk in entries.chunks(BATCH) {
                let mut batch = sled::Batch::default();
                for (k, unique) in chunk {
                    match unique {
                        Some(id) => batch.insert(k.as_slice(), &key(*id)),
                        None => batch.insert(k.as_slice(), &[]),
                    }
                }
                tree.apply_batch(batch)?;
            }
        }
        let next = first + recs.len() as u64;
        meta.insert(counter_key(R::TREE), &key(next))?;
        self.append_audit(officer, AuditAction::Bulk, R::TREE, first, note)?;
        self.sync()?;
        self.acknowledge()?;
        self.generation.fetch_add(1, Ordering::AcqRel);
        Ok(recs.iter().map(Record::id).collect())
    }

    fn append_audit(
        &self,
        officer: &str,
        action: AuditAction,
        kind: &str,
        k: u64,
        note: &str,
    ) -> Result<(), StoreError> {
        let meta = self.tree(trees::META)?;
        let audit = self.tree(trees::AUDIT)?;
        let entry = AuditEntry {
            time_ms: now_ms(),
            officer: officer.to_string(),
            action,
            kind: kind.to_string(),
            key: k,
            before: None,
            after: None,
            note: note.to_string(),
        };
        let bytes = codec::encode(SCHEMA_AUDIT, &entry).map_err(StoreError::Encode)?;
        let id = meta
            .update_and_fetch(counter_key(trees::AUDIT), |v| {
                let n = v.and_then(id_of).unwrap_or(1);
                Some((n + 1).to_be_bytes().to_vec())
            })?
            .and_then(|v| id_of(&v))
            .unwrap_or(2)
            - 1;
        audit.insert(key(id), bytes)?;
        Ok(())
    }

    /// Removes every record, index and counter but keeps the audit trail (and
    /// notes the clearing in it): `demo --replace`.
    pub fn clear(&self, officer: &str) -> Result<(), StoreError> {
        for name in trees::ALL {
            if name != trees::META && name != trees::AUDIT {
                self.tree(name)?.clear()?;
            }
        }
        let meta = self.tree(trees::META)?;
        for name in trees::ALL {
            if name != trees::AUDIT {
                meta.remove(counter_key(name))?;
            }
        }
        self.append_audit(officer, AuditAction::Bulk, trees::META, 0, "store cleared")?;
        self.sync()?;
        self.acknowledge()?;
        self.generation.fetch_add(1, Ordering::AcqRel);
        Ok(())
    }

    /// The audit trail, newest first, at most `limit` entries.
    pub fn audit(&self, limit: usize) -> Result<Vec<(u64, AuditEntry)>, StoreError> {
        let tree = self.tree(trees::AUDIT)?;
        let mut out = Vec::new();
        for item in tree.iter().rev().take(limit) {
            let (k, v) = item?;
            let id = id_of(&k).unwrap_or(0);
            let entry = codec::decode(SCHEMA_AUDIT, &v).map_err(|source| StoreError::Codec {
                tree: trees::AUDIT,
                key: id,
                source,
            })?;
            out.push((id, entry));
        }
        Ok(out)
    }

    // ------------------------------------------------------------ geography

    /// Adds or replaces gazetteer places (bulk, sorted, one audit entry).
    pub fn put_places(&self, officer: &str, places: &[Place]) -> Result<(), StoreError> {
        let tree = self.tree(trees::GEO)?;
        let mut sorted: Vec<&Place> = places.iter().collect();
        sorted.sort_by_key(|p| p.code);
        for chunk in sorted.chunks(1_000) {
            let mut batch = sled::Batch::default();
            for p in chunk {
                batch.insert(
                    &p.code.to_be_bytes(),
                    codec::encode(SCHEMA_PLACE, p).map_err(StoreError::Encode)?,
                );
            }
            tree.apply_batch(batch)?;
        }
        self.append_audit(officer, AuditAction::Bulk, trees::GEO, 0, &format!("{} places", places.len()))?;
        self.sync()?;
        self.acknowledge()?;
        self.generation.fetch_add(1, Ordering::AcqRel);
        Ok(())
    }

    /// Every place in code order.
    pub fn places(&self) -> Result<Vec<Place>, StoreError> {
        let tree = self.tree(trees::GEO)?;
        let mut out = Vec::with_capacity(tree.len());
        for item in tree.iter() {
            let (k, v) = item?;
            let code = k.as_ref().try_into().map(u32::from_be_bytes).unwrap_or(0);
            let place = codec::decode(SCHEMA_PLACE, &v).map_err(|source| StoreError::Codec {
                tree: trees::GEO,
                key: u64::from(code),
                source,
            })?;
            out.push(place);
        }
        Ok(out)
    }
}

/// An index key waiting to be written, with the record id for unique indexes.
type PendingEntry = (Vec<u8>, Option<u64>);

enum WriteOp<'a, R> {
    Save(&'a R),
    Restore(&'a R),
    Delete { id: u64, version: u64 },
}

fn counter_key(tree: &str) -> Vec<u8> {
    let mut k = b"next:".to_vec();
    k.extend_from_slice(tree.as_bytes());
    k
}

/// Hands out the next id of `tree` inside a transaction: the counter moves with
/// the record, so a failed save leaves no gap and a reopen never jumps.
fn next_id(meta: &TransactionalTree, tree: &str) -> Result<u64, ConflictableTransactionError<SaveError>> {
    let k = counter_key(tree);
    let n = meta.get(&k)?.and_then(|v| id_of(&v)).unwrap_or(1);
    meta.insert(k, &key(n + 1))?;
    Ok(n)
}
