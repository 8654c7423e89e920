//! The store itself: the sled database and its trees, the errors, who writes,
//! the counters, the audit trail, the lock that writes share and bulk work
//! takes alone, and making everything durable.

use serde::{Deserialize, Serialize};

use super::{
    codec::{self, CodecError},
    files, trees,
};
use crate::domain::audit::{AuditAction, AuditEntry};
use std::{
    collections::HashMap,
    fs,
    panic::{self, AssertUnwindSafe},
    path::{Path, PathBuf},
    sync::{
        PoisonError, RwLockReadGuard, RwLockWriteGuard,
        atomic::{AtomicU64, Ordering},
    },
};

pub(super) const KEY_SCHEMA: &[u8] = b"schema_version";
pub(super) const KEY_CREATED: &[u8] = b"created_ms";
/// Audit entries: 2 since they carry their change set (1 is read too).
pub(super) const SCHEMA_AUDIT: u8 = 2;
pub(super) const SCHEMA_PLACE: u8 = 1;

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
    /// A directory that holds something else, or a file: `--db` mistyped.
    #[error("{path} is not a sammachip store, and not an empty directory to make one in")]
    NotAStore { path: PathBuf },
    #[error("upgrading store {path} failed: {detail}")]
    Migration { path: PathBuf, detail: String },
    /// An import a cut-off process left half-saved cannot be taken back: what
    /// the take-back reads is damaged. `check --repair` keeps its records.
    #[error("store {path}: the import of {file} by {officer}, cut off, cannot be taken back: {detail}")]
    CutImportStuck { path: PathBuf, officer: String, file: String, detail: String },
    /// Nothing there, or an empty folder, where a command that only reads
    /// (backup, check, export…) was pointed: it makes no store there.
    #[error("there is no store at {path}")]
    Absent { path: PathBuf },
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("storage: {0}")]
    Sled(#[from] sled::Error),
    /// Not enough room on the disk for what was asked; nothing was written.
    #[error("the disk is full: {need} bytes are needed, {free} are free")]
    DiskFull { need: u64, free: u64 },
    /// An import or the demo is being written; saves wait until it is done.
    #[error("an import is being written; try again when it is done")]
    Busy,
    /// A load begun while another's mark is still there (it is finished on
    /// the next open).
    #[error("an earlier load did not finish: {0}")]
    Unfinished(String),
    #[error("{tree}/{}: {source}", hex(key))]
    Codec { tree: &'static str, key: Vec<u8>, source: CodecError },
    #[error("file system: {0}")]
    Io(#[from] std::io::Error),
    #[error("value encoding: {0}")]
    Encode(CodecError),
    /// A kind of record has used every id it may have ([`MAX_ID`]).
    #[error("the ids of {0} are used up")]
    IdsUsedUp(String),
}

/// The largest id a record may have. Ids are handed out one by one from 1,
/// so four thousand million records of a kind would be needed to reach it;
/// the store refuses to go past it (saves, bulk loads, reserved ids such as
/// loans' and the audit's), `check` reports a record past it, and the
/// screens' lists keep ids in 32 bits (`service::catalog::OccRow`, 48 bytes
/// a row). `u32::MAX` itself stays free: pick lists use it for "all".
pub const MAX_ID: u64 = u32::MAX as u64 - 1;

/// Whether `n` ids from `first` on stay within [`MAX_ID`]: the one rule of
/// every way ids are handed out (a save, a bulk load, a block reserved).
pub(super) fn ids_fit(first: u64, n: u64) -> bool {
    first.saturating_add(n) <= MAX_ID + 1
}

impl StoreError {
    /// The same error again (an I/O error keeps its kind and code only).
    pub fn duplicate(&self) -> StoreError {
        let io = |e: &std::io::Error| match e.raw_os_error() {
            Some(code) => std::io::Error::from_raw_os_error(code),
            None => std::io::Error::from(e.kind()),
        };
        match self {
            StoreError::Sled(sled::Error::Io(e)) | StoreError::Io(e) => StoreError::Io(io(e)),
            StoreError::Sled(e) => StoreError::Sled(e.clone()),
            StoreError::Codec { tree, key, source } => {
                StoreError::Codec { tree, key: key.clone(), source: source.clone() }
            }
            StoreError::Encode(e) => StoreError::Encode(e.clone()),
            StoreError::DiskFull { need, free } => StoreError::DiskFull { need: *need, free: *free },
            StoreError::Busy => StoreError::Busy,
            StoreError::Unfinished(s) => StoreError::Unfinished(s.clone()),
            StoreError::IdsUsedUp(s) => StoreError::IdsUsedUp(s.clone()),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SaveError {
    /// The record changed since the form was opened: "changed by another officer".
    #[error("changed by another officer (now version {current})")]
    Stale { current: u64 },
    #[error("record {} no longer exists", hex(.0))]
    Gone(Vec<u8>),
    /// A unique index already holds this key for another record (its key).
    #[error("{index} already used by record {}", hex(other))]
    Duplicate { index: &'static str, other: Vec<u8> },
    /// A record that others belong to (a fund's members, a member's occupations)
    /// cannot be deleted while they exist.
    #[error("{0} still belong to this record")]
    HasChildren(&'static str),
    /// Every place of the parent is taken (a sage coaching as many households
    /// as they can), or would be by this change of capacity.
    #[error("all {capacity} places taken")]
    Full { capacity: u64 },
    /// The session's role or district does not allow this change.
    #[error("not allowed: {0}")]
    Denied(crate::domain::officer::Denied),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sled::Error> for SaveError {
    fn from(e: sled::Error) -> Self {
        SaveError::Store(StoreError::Sled(e))
    }
}

/// Who writes: the name the audit trail records, and what they may change.
/// A plain name (`"demo"`, the local app, the command line) may change
/// everything; SSH sessions carry their officer's access.
#[derive(Clone, Copy, Debug)]
pub struct Actor<'a> {
    pub name: &'a str,
    pub access: crate::domain::officer::Access,
    /// The change set this write joins (see [`ChangeSlot`]); `None`: a
    /// change set of its own.
    pub change: Option<&'a ChangeSlot>,
}

impl<'a> From<&'a str> for Actor<'a> {
    fn from(name: &'a str) -> Self {
        Actor { name, access: crate::domain::officer::Access::Admin, change: None }
    }
}

impl<'a> From<&'a String> for Actor<'a> {
    fn from(name: &'a String) -> Self {
        Actor { name, access: crate::domain::officer::Access::Admin, change: None }
    }
}

/// One officer action's change set: empty until its first write, which
/// gives it that write's audit id; every later write of the action carries
/// the same id (see `AuditEntry::change`). A screen takes a fresh slot for
/// each action.
#[derive(Debug, Default)]
pub struct ChangeSlot(AtomicU64);

impl ChangeSlot {
    /// The change set's id, or 0 before its first write.
    pub fn id(&self) -> u64 {
        self.0.load(Ordering::Acquire)
    }

    /// Empties the slot for the next action.
    pub fn clear(&self) {
        self.0.store(0, Ordering::Release);
    }

    pub(super) fn take(&self, first: u64) {
        let _ = self.0.compare_exchange(0, first, Ordering::AcqRel, Ordering::Acquire);
    }
}

impl<'a> From<&Actor<'a>> for Actor<'a> {
    fn from(a: &Actor<'a>) -> Self {
        *a
    }
}

pub struct Store {
    pub(super) db: sled::Db,
    pub(super) path: PathBuf,
    pub(super) trees: HashMap<&'static str, sled::Tree>,
    /// Bumped after every acknowledged save, so open screens know to refresh.
    pub(super) generation: AtomicU64,
    /// Bumped, tree by tree, when that tree's records change (see
    /// [`Generations`]): a screen reloads only the kinds that changed.
    pub(super) kinds: [AtomicU64; trees::ALL.len()],
    pub(super) acked: std::sync::Mutex<Option<fs::File>>,
    /// The last failure the store met on its own, for the screen.
    pub(super) trouble: std::sync::Mutex<Option<StoreError>>,
    /// Every write holds this shared while it applies; a backup, check,
    /// repair or bulk load holds it alone, so it sees no write half applied
    /// (see `backup`).
    pub(super) quiesce: std::sync::RwLock<()>,
    /// A bulk load holds the store: saves are refused as busy meanwhile.
    pub(super) loading: std::sync::atomic::AtomicBool,
    /// Whether writes first ask the disk for room (tests turn it off to meet
    /// a full disk half-way).
    pub(super) space_check: std::sync::atomic::AtomicBool,
    /// The store's files known to be on disk (see `files::Synced`).
    pub(super) synced: std::sync::Mutex<files::Synced>,
    /// What opening found and put right (an unfinished load rolled back,
    /// debris removed), for the log or the screen.
    pub(super) notices: std::sync::Mutex<Vec<Notice>>,
    /// Records and aggregates read so far (see [`Store::records_read`]).
    pub(super) reads: AtomicU64,
    /// The funds whose figures saves changed, and every fund's figures as
    /// last read (see `kept`).
    pub(super) fund_changes: super::kept::FundChanges,
    pub(super) kept: super::kept::KeptFigures,
}

/// Something opening a store found and put right.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Notice {
    /// Files sled left unfinished after a crash or a full disk, removed.
    Debris(Vec<PathBuf>),
    /// A bulk load that was cut off, rolled back (or a repair, finished).
    Recovered(Recovered),
    /// A `demo --replace` cut off between its two renames: the old store
    /// was put back.
    PutBack,
    /// An import saved record by record was cut off: its records taken
    /// back (how many), or not (`None`: one was changed after it).
    CutImport { officer: String, file: String, taken_back: Option<usize> },
    /// An import cut off whose take-back met a store error: `damaged` (what
    /// it reads is unreadable) or the disk. Pending (`kept` false: a command
    /// that only reads went on, the mark stays), or given up by a repair
    /// (`kept`: its records stay as saved, the mark is gone).
    CutImportStuck { officer: String, file: String, damaged: bool, kept: bool },
    /// The file of acknowledged saves was damaged, so whether sled lost
    /// saves could not be told this once.
    AckedDamaged,
}

/// Room every write keeps free beyond what it needs: sled's next log
/// segments and a snapshot of its page table.
pub const MIN_ROOM: u64 = 16 << 20;

pub(super) fn now_ms() -> i64 {
    jiff::Timestamp::now().as_millisecond()
}

pub(super) fn key(id: u64) -> [u8; 8] {
    id.to_be_bytes()
}

/// The id in the last eight bytes of a key (every kind's key ends in its id).
pub fn id_of(bytes: &[u8]) -> Option<u64> {
    bytes.get(bytes.len().checked_sub(8)?..)?.try_into().ok().map(u64::from_be_bytes)
}

pub(super) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

thread_local! {
    static QUIET: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Runs `f`, turning a panic inside sled into an error. The panic message is kept
/// off the officer's screen; other threads' panics still print as usual.
pub(super) fn quietly<T>(f: impl FnOnce() -> T) -> Result<T, String> {
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
pub(super) const ACKED_FILE: &str = "acked";

impl Store {
    /// What opening found and put right (see [`Notice`]).
    pub fn notices(&self) -> Vec<Notice> {
        self.notices.lock().map(|n| n.clone()).unwrap_or_default()
    }

    /// Whether writes first make sure the disk has room (on by default).
    #[doc(hidden)]
    pub fn set_space_check(&self, on: bool) {
        self.space_check.store(on, Ordering::Release);
    }

    /// Refuses, before anything is written, a write of about `need` bytes
    /// that the disk has no room for (with [`MIN_ROOM`] to spare).
    pub fn ensure_room(&self, need: u64) -> Result<(), StoreError> {
        if !self.space_check.load(Ordering::Acquire) {
            return Ok(());
        }
        let need = need.saturating_add(MIN_ROOM);
        match files::free_space(&self.path) {
            Some(free) if free < need => Err(StoreError::DiskFull { need, free }),
            _ => Ok(()),
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub(crate) fn tree(&self, name: &str) -> Result<sled::Tree, StoreError> {
        match self.trees.get(name) {
            Some(t) => Ok(t.clone()),
            None => Ok(self.db.open_tree(name)?),
        }
    }

    pub(crate) fn note_trouble(&self, e: &StoreError) {
        if let Ok(mut t) = self.trouble.lock() {
            *t = Some(e.duplicate());
        }
    }

    /// A failure the store met on its own (a load it could not take back),
    /// once (then cleared).
    pub fn take_trouble(&self) -> Option<StoreError> {
        self.trouble.lock().ok()?.take()
    }

    /// Changes acknowledged since this process opened the store.
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// `flush()` writes sled's buffers; on Linux that is `sync_file_range`, which
    /// neither flushes the drive cache nor the file's metadata. Only after the
    /// explicit fsync of the data file is a save "saved".
    ///
    /// sled also writes large values as files in `blobs/` and snapshots of
    /// its page table, renamed into place, without an fsync of their own: each
    /// sync also fsyncs every file that is new since the last (making it
    /// private, 0600) and the directory whenever files came or went.
    pub fn sync(&self) -> Result<(), StoreError> {
        self.db.flush()?;
        let mut synced = self.synced.lock().unwrap_or_else(|p| p.into_inner());
        synced.sync(&self.path)?;
        Ok(())
    }

    /// Records the newest save as acknowledged (see [`ACKED_FILE`]).
    pub(super) fn acknowledge(&self) -> Result<(), StoreError> {
        use std::io::{Seek, SeekFrom, Write};
        let next = self.counter(trees::AUDIT)?;
        let mut guard = self.acked.lock().unwrap_or_else(|p| p.into_inner());
        if guard.is_none() {
            let mut o = fs::OpenOptions::new();
            o.create(true).truncate(false).read(true).write(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut o, 0o600);
            let f = o.open(self.path.join(ACKED_FILE))?;
            *guard = Some(f);
        }
        if let Some(f) = guard.as_mut() {
            // The number, then its complement: a byte of this file damaged
            // is told from saves lost (see `open`).
            let mut bytes = [0; 16];
            bytes[..8].copy_from_slice(&next.to_be_bytes());
            bytes[8..].copy_from_slice(&(!next).to_be_bytes());
            f.seek(SeekFrom::Start(0))?;
            f.write_all(&bytes)?;
            f.sync_data()?;
        }
        Ok(())
    }

    /// True when the store holds no records (the audit trail and the seeded
    /// categories do not count).
    pub fn is_empty(&self) -> Result<bool, StoreError> {
        for name in trees::ALL {
            let bookkeeping = [trees::META, trees::AUDIT, trees::CATEGORIES, trees::CHILDREN].contains(&name);
            if !bookkeeping && !self.tree(name)?.is_empty() {
                return Ok(false);
            }
        }
        Ok(true)
    }

    pub fn schema_version(&self) -> Result<Option<u32>, StoreError> {
        let meta = self.tree(trees::META)?;
        Ok(schema_in(meta.get(KEY_SCHEMA)?.as_deref()))
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
        Ok(next_id_in(meta.get(counter_key(tree))?.as_deref()))
    }

    pub(super) fn append_audit(
        &self,
        officer: &str,
        action: AuditAction,
        kind: &str,
        k: &[u8],
        note: &str,
    ) -> Result<(), StoreError> {
        let entry = AuditEntry {
            time_ms: now_ms(),
            officer: officer.to_string(),
            action,
            kind: kind.to_string(),
            key: k.to_vec(),
            before: None,
            after: None,
            note: note.to_string(),
            change: 0,
        };
        let bytes = codec::encode(SCHEMA_AUDIT, &entry).map_err(StoreError::Encode)?;
        let id = self.reserve_ids(trees::AUDIT, 1)?;
        self.tree(trees::AUDIT)?.insert(key(id), bytes)?;
        Ok(())
    }

    /// Takes `n` ids from the counter of `tree` outside any transaction (gaps are
    /// harmless; ids are never reused). Returns the first.
    pub fn reserve_ids(&self, tree: &str, n: u64) -> Result<u64, StoreError> {
        let meta = self.tree(trees::META)?;
        let mut past = false;
        let after = meta.update_and_fetch(counter_key(tree), |v| {
            let next = v.and_then(id_of).unwrap_or(1);
            // The counter stays where it is when the ids would run past the last.
            past = !ids_fit(next, n);
            Some(if past { next } else { next + n }.to_be_bytes().to_vec())
        })?;
        if past {
            return Err(StoreError::IdsUsedUp(tree.to_string()));
        }
        Ok(after.as_deref().and_then(id_of).unwrap_or(1 + n) - n)
    }

    /// The audit trail, newest first, at most `limit` entries.
    pub fn audit(&self, limit: usize) -> Result<Vec<(u64, AuditEntry)>, StoreError> {
        let tree = self.tree(trees::AUDIT)?;
        let mut out = Vec::new();
        for item in tree.iter().rev().take(limit) {
            let (k, v) = item?;
            let id = id_of(&k).unwrap_or(0);
            let entry = decode_audit(&v).map_err(|source| StoreError::Codec {
                tree: trees::AUDIT,
                key: k.to_vec(),
                source,
            })?;
            out.push((id, entry));
        }
        Ok(out)
    }
}

impl Store {
    /// Audit entries older than `before` (all when `None`), newest first, that
    /// `keep` accepts: at most `limit` of them, looking at most at `max_scan`
    /// entries. Also says whether older entries were left unread.
    pub fn audit_where(
        &self,
        before: Option<u64>,
        limit: usize,
        max_scan: usize,
        mut keep: impl FnMut(&AuditEntry) -> bool,
    ) -> Result<(Vec<(u64, AuditEntry)>, bool), StoreError> {
        let tree = self.tree(trees::AUDIT)?;
        let iter = match before {
            Some(b) => tree.range(..key(b).to_vec()),
            None => tree.range::<Vec<u8>, _>(..),
        };
        let mut out = Vec::new();
        for (scanned, item) in iter.rev().enumerate() {
            if out.len() >= limit || scanned >= max_scan {
                return Ok((out, true));
            }
            let (k, v) = item?;
            let entry: AuditEntry = decode_audit(&v).map_err(|source| StoreError::Codec {
                tree: trees::AUDIT,
                key: k.to_vec(),
                source,
            })?;
            if keep(&entry) {
                out.push((id_of(&k).unwrap_or(0), entry));
            }
        }
        Ok((out, false))
    }
}

/// The schema version as the meta tree keeps it.
pub(super) fn schema_in(v: Option<&[u8]>) -> Option<u32> {
    v.and_then(|v| v.try_into().ok()).map(u32::from_be_bytes)
}

/// The next id a counter gives, as the meta tree keeps it (1 when unset).
pub(super) fn next_id_in(v: Option<&[u8]>) -> u64 {
    v.and_then(id_of).unwrap_or(1)
}

pub(super) fn counter_key(tree: &str) -> Vec<u8> {
    let mut k = b"next:".to_vec();
    k.extend_from_slice(tree.as_bytes());
    k
}

impl Store {
    /// Held (shared) by every write while it applies. Refused at once as
    /// busy while a bulk load holds the store (it may take a minute), and
    /// when the disk has no room for a save.
    pub(super) fn writing(&self) -> Result<RwLockReadGuard<'_, ()>, StoreError> {
        if self.loading.load(Ordering::Acquire) {
            return Err(StoreError::Busy);
        }
        self.ensure_room(0)?;
        Ok(self.quiesce.read().unwrap_or_else(PoisonError::into_inner))
    }

    /// Held alone by a backup, a check, a repair or a bulk load: while it is
    /// held no write is half applied and none starts. Never taken while this
    /// thread holds [`Store::writing`], which would wait for ever.
    pub(super) fn quiesced(&self) -> RwLockWriteGuard<'_, ()> {
        self.quiesce.write().unwrap_or_else(PoisonError::into_inner)
    }
}

/// What a mark stands for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Work {
    /// New and changed records: rolled back if cut off.
    Load,
    /// Indexes and aggregates rebuilt: finished if cut off.
    Repair,
    /// A schema step from this version: rolled back (then run again) if cut off.
    Migration { from: u32 },
}

/// What the next open found and did about an unfinished load.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Recovered {
    pub work: Work,
    pub officer: String,
    pub note: String,
    /// When it began (ms since the epoch).
    pub started_ms: i64,
}

/// An audit entry as stored, whichever schema wrote it.
pub fn decode_audit(bytes: &[u8]) -> Result<AuditEntry, codec::CodecError> {
    match codec::envelope(bytes)? {
        (SCHEMA_AUDIT, payload) => codec::decode_payload(payload),
        (1, payload) => codec::decode_payload::<crate::domain::audit::AuditEntryV1>(payload).map(Into::into),
        (found, _) => Err(codec::CodecError::Version { found, supported: SCHEMA_AUDIT }),
    }
}

/// How often each kind of record has changed since the store was opened,
/// tree by tree in the order of [`trees::ALL`]. A screen keeps the last it
/// saw and asks [`Generations::changed_since`] which kinds to reload: its
/// own saves and other officers' alike, so none hides another.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Generations([u64; trees::ALL.len()]);

impl Generations {
    /// The trees whose records changed since `seen`.
    pub fn changed_since(&self, seen: &Generations) -> Vec<&'static str> {
        trees::ALL
            .iter()
            .zip(self.0.iter().zip(seen.0.iter()))
            .filter(|(_, (a, b))| a != b)
            .map(|(t, _)| *t)
            .collect()
    }

    pub fn of(&self, tree: &str) -> u64 {
        trees::ALL.iter().position(|t| *t == tree).map_or(0, |i| self.0[i])
    }
}

impl Store {
    /// How often each kind has changed (see [`Generations`]).
    pub fn generations(&self) -> Generations {
        let mut g = [0; trees::ALL.len()];
        for (slot, a) in g.iter_mut().zip(self.kinds.iter()) {
            *slot = a.load(Ordering::Acquire);
        }
        Generations(g)
    }

    /// Notes that the records of `tree` changed.
    pub(super) fn touched(&self, tree: &str) {
        if let Some(i) = trees::ALL.iter().position(|t| *t == tree) {
            self.kinds[i].fetch_add(1, Ordering::AcqRel);
        }
    }

    /// Notes that records of every kind may have changed (a bulk load, a repair).
    pub(super) fn touched_all(&self) {
        self.fund_changes.all();
        for a in &self.kinds {
            a.fetch_add(1, Ordering::AcqRel);
        }
    }
}
