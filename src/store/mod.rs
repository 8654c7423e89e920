//! The embedded store: sled trees, one per record kind, with counters in `meta`,
//! index trees, an audit trail, and saves that are one multi-tree transaction.

pub mod backup;
mod bulk_update;
pub mod check;
pub mod codec;
pub mod files;
mod index;
pub mod load;
pub mod migrate;
mod record;
mod reference;
pub mod replace;
mod sages;
mod stats;
mod write;

use std::{
    collections::HashMap,
    fs,
    panic::{self, AssertUnwindSafe},
    path::{Path, PathBuf},
    sync::atomic::{AtomicU64, Ordering},
};

pub use codec::CodecError;
pub use load::{BulkWriter, Load, Recovered};
pub use record::{IndexEntry, Record, assignment_key, member_key, occupation_key};
pub use reference::AddCategoryError;
pub use stats::{DistrictStats, FundRisk, FundStats};

use crate::domain::audit::{AuditAction, AuditEntry};

/// Tree names. Each is one record kind or one index; nothing else is stored.
pub mod trees {
    pub const META: &str = "meta";
    pub const AUDIT: &str = "audit";
    pub const GEO: &str = "geo";
    pub const FUNDS: &str = "funds";
    pub const FUNDS_BY_CODE: &str = "funds_by_code";
    /// Per fund: members, loans, principal lent and repaid, occupation records.
    pub const FUND_STATS: &str = "fund_stats";
    /// Keyed fund id ++ member id, so a fund's members are one prefix scan.
    pub const MEMBERS: &str = "members";
    pub const MEMBERS_BY_NID: &str = "members_by_nid";
    pub const CATEGORIES: &str = "categories";
    /// Keyed fund id ++ member id ++ record id: a member's occupations are one
    /// prefix scan, and the list of all of them comes out grouped by fund.
    pub const OCCUPATIONS: &str = "occupations";
    /// Ranking weight profiles, by name.
    pub const PROFILES: &str = "profiles";
    /// How many records belong to each parent (by the parent's key), kept in
    /// the same transactions as the children, so a parent with children is
    /// never deleted, whatever runs beside it.
    pub const CHILDREN: &str = "children";
    /// Counter only: loan ids (loans live inside their member's record).
    pub const LOANS: &str = "loans";
    pub const SAGES: &str = "sages";
    pub const SAGES_BY_NID: &str = "sages_by_nid";
    /// Keyed sage id ++ assignment id: a sage's households are one prefix scan.
    pub const ASSIGNMENTS: &str = "assignments";
    /// Occupation key ++ assignment key → nothing: a household's sages.
    pub const ASSIGNMENTS_BY_OCC: &str = "assignments_by_occ";
    /// Occupation key → the planned or active assignment's key: one at a time.
    pub const ACTIVE_BY_OCC: &str = "active_by_occ";
    /// Places taken of each parent with limited places (a sage's households),
    /// kept in the same transactions as the records that take them.
    pub const LOADS: &str = "loads";
    /// District network committees (with their briefings).
    pub const COMMITTEES: &str = "committees";
    pub const SUPPORT: &str = "support";
    pub const OTOP: &str = "otop";
    /// Per district: the Overview's counts (see `DistrictStats`).
    pub const DISTRICT_STATS: &str = "district_stats";
    /// Per fund: open loans by the day they turn 30 days late (see `FundRisk`).
    pub const FUND_RISK: &str = "fund_risk";
    pub const OFFICERS: &str = "officers";
    pub const OFFICERS_BY_LOGIN: &str = "officers_by_login";
    /// Copies of what an unfinished bulk load overwrote (see `load`). Empty
    /// between loads; not part of backups.
    pub const JOURNAL: &str = "journal";

    pub const ALL: [&str; 25] = [
        META,
        AUDIT,
        GEO,
        FUNDS,
        FUNDS_BY_CODE,
        FUND_STATS,
        MEMBERS,
        MEMBERS_BY_NID,
        CATEGORIES,
        OCCUPATIONS,
        PROFILES,
        CHILDREN,
        SAGES,
        SAGES_BY_NID,
        ASSIGNMENTS,
        ASSIGNMENTS_BY_OCC,
        ACTIVE_BY_OCC,
        LOADS,
        COMMITTEES,
        SUPPORT,
        OTOP,
        DISTRICT_STATS,
        FUND_RISK,
        OFFICERS,
        OFFICERS_BY_LOGIN,
    ];
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
    /// A directory that holds something else, or a file: `--db` mistyped.
    #[error("{path} is not a sammachip store, and not an empty directory to make one in")]
    NotAStore { path: PathBuf },
    #[error("upgrading store {path} failed: {detail}")]
    Migration { path: PathBuf, detail: String },
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
}

impl<'a> From<&'a str> for Actor<'a> {
    fn from(name: &'a str) -> Self {
        Actor { name, access: crate::domain::officer::Access::Admin }
    }
}

impl<'a> From<&'a String> for Actor<'a> {
    fn from(name: &'a String) -> Self {
        Actor { name, access: crate::domain::officer::Access::Admin }
    }
}

impl<'a> From<&Actor<'a>> for Actor<'a> {
    fn from(a: &Actor<'a>) -> Self {
        *a
    }
}

pub struct Store {
    db: sled::Db,
    path: PathBuf,
    trees: HashMap<&'static str, sled::Tree>,
    /// Bumped after every acknowledged save, so open screens know to refresh.
    generation: AtomicU64,
    acked: std::sync::Mutex<Option<fs::File>>,
    /// The last failure the store met on its own, for the screen.
    trouble: std::sync::Mutex<Option<StoreError>>,
    /// Every write holds this shared while it applies; a backup, check,
    /// repair or bulk load holds it alone, so it sees no write half applied
    /// (see `backup`).
    quiesce: std::sync::RwLock<()>,
    /// A bulk load holds the store: saves are refused as busy meanwhile.
    loading: std::sync::atomic::AtomicBool,
    /// Whether writes first ask the disk for room (tests turn it off to meet
    /// a full disk half-way).
    space_check: std::sync::atomic::AtomicBool,
    /// The store's files known to be on disk (see `files::Synced`).
    synced: std::sync::Mutex<files::Synced>,
    /// What opening found and put right (an unfinished load rolled back,
    /// debris removed), for the log or the screen.
    notices: std::sync::Mutex<Vec<Notice>>,
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
}

/// Room every write keeps free beyond what it needs: sled's next log
/// segments and a snapshot of its page table.
pub const MIN_ROOM: u64 = 16 << 20;

fn now_ms() -> i64 {
    jiff::Timestamp::now().as_millisecond()
}

fn key(id: u64) -> [u8; 8] {
    id.to_be_bytes()
}

/// The id in the last eight bytes of a key (every kind's key ends in its id).
pub fn id_of(bytes: &[u8]) -> Option<u64> {
    bytes.get(bytes.len().checked_sub(8)?..)?.try_into().ok().map(u64::from_be_bytes)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
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
    ///
    /// `path` must be a store, or not exist yet, or be an empty directory (a
    /// new store is made there, 0700); anything else is refused as
    /// [`OpenError::NotAStore`], so a mistyped `--db` never turns a folder of
    /// documents into a store. Before sled reads it, what a crash or a full
    /// disk left half-written is cleared away; after, an unfinished bulk load
    /// is rolled back (see [`load`]). Both are in [`Store::notices`].
    pub fn open_with(path: &Path, steps: &[migrate::Step]) -> Result<Store, OpenError> {
        let io = |source| OpenError::Io { path: path.to_path_buf(), source };
        let damaged = |detail: String| OpenError::Damaged { path: path.to_path_buf(), detail };
        let mut notices = Vec::new();
        if replace::restore_replaced(path).map_err(io)? {
            notices.push(Notice::PutBack);
        }
        match files::kind_of(path).map_err(io)? {
            files::Kind::Missing => {
                files::create_private_dir(path).map_err(io)?;
                // The new directory's name is durable too.
                if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
                    files::sync_dir(parent).map_err(io)?;
                }
            }
            files::Kind::Empty => files::create_private_dir(path).map_err(io)?,
            files::Kind::Store => {
                let removed = files::remove_debris(path).map_err(io)?;
                if !removed.is_empty() {
                    notices.push(Notice::Debris(removed));
                }
            }
            // A file is another program's; a folder of other things, a mistyped path.
            files::Kind::Other if !path.is_dir() => {
                return Err(OpenError::Foreign { path: path.to_path_buf() });
            }
            files::Kind::Other => return Err(OpenError::NotAStore { path: path.to_path_buf() }),
        }
        // sled's own cache. What it really holds is about twice this plus its
        // page table, and grows with the pages read (DESIGN §5): 2 MiB keeps the
        // province's browsing under the memory budget (8 MiB held 3.6 MB more)
        // and slows no keystroke (BENCHMARKS.md).
        let config = sled::Config::new().path(path).cache_capacity(2 << 20);
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
        for name in trees::ALL.into_iter().chain([trees::JOURNAL]) {
            let t = quietly(|| db.open_tree(name)).map_err(damaged)?.map_err(|e| damaged(e.to_string()))?;
            trees.insert(name, t);
        }
        let store = Store {
            db,
            path: path.to_path_buf(),
            trees,
            generation: AtomicU64::new(0),
            acked: std::sync::Mutex::new(None),
            trouble: std::sync::Mutex::new(None),
            quiesce: std::sync::RwLock::new(()),
            loading: std::sync::atomic::AtomicBool::new(false),
            space_check: std::sync::atomic::AtomicBool::new(true),
            synced: std::sync::Mutex::new(files::Synced::default()),
            notices: std::sync::Mutex::new(Vec::new()),
        };
        if store.has_foreign_trees().map_err(|e| damaged(e.to_string()))? {
            return Err(OpenError::Foreign { path: path.to_path_buf() });
        }
        let audit_next = store.counter(trees::AUDIT).map_err(|e| damaged(e.to_string()))?;
        // sled rolls a torn log back without a word; the acknowledged count says
        // whether that lost saves.
        if let Some(acked) = read_acked(path)
            && audit_next < acked
        {
            return Err(damaged(format!(
                "saves are missing: the store ends before save #{}, but save #{} was acknowledged",
                audit_next,
                acked - 1
            )));
        }
        // A full disk or another I/O error is said as such; anything else
        // met while reading is damage.
        let fail = |e: StoreError| match e {
            StoreError::Io(e) | StoreError::Sled(sled::Error::Io(e)) => io(e),
            StoreError::DiskFull { .. } => io(std::io::ErrorKind::StorageFull.into()),
            e => damaged(e.to_string()),
        };
        match store.recover() {
            Ok(Some(r)) => notices.push(Notice::Recovered(r)),
            Ok(None) => {}
            Err(
                e @ (StoreError::Io(_) | StoreError::Sled(sled::Error::Io(_)) | StoreError::DiskFull { .. }),
            ) => {
                return Err(fail(e));
            }
            Err(e) => return Err(damaged(format!("an unfinished load could not be rolled back: {e}"))),
        }
        migrate::prepare(&store, steps)?;
        store.acknowledge().map_err(fail)?;
        store.seed_categories(&crate::domain::occupation::seed_categories()).map_err(fail)?;
        // Every file on disk and private before the first screen.
        store.sync().map_err(fail)?;
        if let Ok(mut n) = store.notices.lock() {
            *n = notices;
        }
        Ok(store)
    }

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
    fn acknowledge(&self) -> Result<(), StoreError> {
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
                || name.as_ref() == trees::JOURNAL.as_bytes()
                || name.as_ref() == b"__sled__default";
            if !known && !self.db.open_tree(&name)?.is_empty() {
                return Ok(true);
            }
        }
        Ok(false)
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

    fn append_audit(
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
        let after = meta.update_and_fetch(counter_key(tree), |v| {
            let next = v.and_then(id_of).unwrap_or(1);
            Some((next + n).to_be_bytes().to_vec())
        })?;
        Ok(after.as_deref().and_then(id_of).unwrap_or(1 + n) - n)
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
            let entry: AuditEntry = codec::decode(SCHEMA_AUDIT, &v).map_err(|source| StoreError::Codec {
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

    /// A stored value of kind `tree`, decoded and written out field by field
    /// (for the audit's before → after). `None` for kinds without a record type
    /// or bytes that do not decode.
    pub fn describe(tree: &str, bytes: &[u8]) -> Option<String> {
        fn show<R: Record + std::fmt::Debug>(bytes: &[u8]) -> Option<String> {
            R::from_stored(bytes).ok().map(|r| unescape_marks(&format!("{r:#?}")))
        }
        use crate::domain::{
            fund::Fund,
            member::Member,
            occupation::OccupationRecord,
            officer::Officer,
            programme::{NetworkCommittee, OtopProduct, SupportActivity},
            sage::{Assignment, Sage},
        };
        match tree {
            t if t == Fund::TREE => show::<Fund>(bytes),
            t if t == Member::TREE => show::<Member>(bytes),
            t if t == OccupationRecord::TREE => show::<OccupationRecord>(bytes),
            t if t == Sage::TREE => show::<Sage>(bytes),
            t if t == Assignment::TREE => show::<Assignment>(bytes),
            t if t == NetworkCommittee::TREE => show::<NetworkCommittee>(bytes),
            t if t == SupportActivity::TREE => show::<SupportActivity>(bytes),
            t if t == OtopProduct::TREE => show::<OtopProduct>(bytes),
            t if t == Officer::TREE => show::<Officer>(bytes),
            _ => None,
        }
    }
}

/// `Debug` writes Thai vowels and tone marks as `\u{e38}`: put them back.
fn unescape_marks(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(at) = rest.find("\\u{") {
        out.push_str(&rest[..at]);
        let tail = &rest[at + 3..];
        let decoded = tail
            .find('}')
            .and_then(|end| u32::from_str_radix(&tail[..end], 16).ok().map(|c| (c, end)))
            .and_then(|(c, end)| char::from_u32(c).map(|c| (c, end)));
        match decoded {
            Some((c, end)) => {
                out.push(c);
                rest = &tail[end + 1..];
            }
            None => {
                out.push_str("\\u{");
                rest = tail;
            }
        }
    }
    out.push_str(rest);
    out
}

fn counter_key(tree: &str) -> Vec<u8> {
    let mut k = b"next:".to_vec();
    k.extend_from_slice(tree.as_bytes());
    k
}

#[cfg(test)]
mod unescape_tests {
    #[test]
    fn thai_marks_come_back_from_debug_text() {
        assert_eq!(super::unescape_marks(r#"name: "กองท\u{e38}น""#), r#"name: "กองทุน""#);
        assert_eq!(super::unescape_marks(r"\u{zz} \u{"), r"\u{zz} \u{");
    }
}
