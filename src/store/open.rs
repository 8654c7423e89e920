//! Opening a store: what a path may be, what a crash left behind, sled's own
//! open (with its lock), the check against saves sled lost, the rollback of a
//! load cut off, migrations, and a first sync.

use std::path::Path;

use super::{
    core::{ACKED_FILE, Notice, OpenError, Store, StoreError, id_of, quietly},
    files, migrate, replace, trees,
};
use std::collections::HashMap;
use std::fs;
use std::sync::atomic::AtomicU64;

/// What the acknowledged-saves file says (see [`ACKED_FILE`]).
#[derive(Debug, PartialEq, Eq)]
enum Acked {
    /// No file yet, or one cut short before its number.
    Unknown,
    /// The number of the save after the last one acknowledged.
    Next(u64),
    /// The number and its check disagree: a byte of the file itself was
    /// damaged, so it says nothing about lost saves.
    Damaged,
}

fn read_acked(path: &Path) -> Acked {
    let Ok(bytes) = fs::read(path.join(ACKED_FILE)) else { return Acked::Unknown };
    let Some(next) = bytes.get(..8).and_then(id_of) else { return Acked::Unknown };
    match bytes.get(8..16).and_then(id_of) {
        Some(check) if check == !next => Acked::Next(next),
        Some(_) => Acked::Damaged,
        // Eight bytes: written before the check was (this open writes it).
        None => Acked::Next(next),
    }
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
        Self::open_watched(path, steps, &|| {})
    }

    /// As [`Store::open`], calling `sled_opened` once sled has opened the
    /// store, before this program's own work on it (rolling back a load cut
    /// off, an upgrade of the schema), which may take minutes on a big store:
    /// a caller that gives up on a store that hangs sled times only sled.
    pub fn open_noting(path: &Path, sled_opened: &dyn Fn()) -> Result<Store, OpenError> {
        Self::open_watched(path, migrate::STEPS, sled_opened)
    }

    pub(super) fn open_watched(
        path: &Path,
        steps: &[migrate::Step],
        sled_opened: &dyn Fn(),
    ) -> Result<Store, OpenError> {
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
        // page table, and grows with the pages read (DESIGN §5): 1 MiB keeps the
        // province's browsing under 64 MiB (2 MiB held 1.1 MB more, 8 MiB 4.7 MB
        // more) and slows no keystroke (BENCHMARKS.md, issue 23).
        let config = sled::Config::new().path(path).cache_capacity(1 << 20);
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
            kinds: std::array::from_fn(|_| AtomicU64::new(0)),
            acked: std::sync::Mutex::new(None),
            trouble: std::sync::Mutex::new(None),
            quiesce: std::sync::RwLock::new(()),
            loading: std::sync::atomic::AtomicBool::new(false),
            space_check: std::sync::atomic::AtomicBool::new(true),
            synced: std::sync::Mutex::new(files::Synced::default()),
            notices: std::sync::Mutex::new(Vec::new()),
            reads: std::sync::atomic::AtomicU64::new(0),
            fund_changes: Default::default(),
            kept: Default::default(),
        };
        if store.has_foreign_trees().map_err(|e| damaged(e.to_string()))? {
            return Err(OpenError::Foreign { path: path.to_path_buf() });
        }
        sled_opened();
        let audit_next = store.counter(trees::AUDIT).map_err(|e| damaged(e.to_string()))?;
        // sled rolls a torn log back without a word; the acknowledged count says
        // whether that lost saves.
        match read_acked(path) {
            Acked::Next(acked) if audit_next < acked => {
                return Err(damaged(format!(
                    "saves are missing: the store ends before save #{}, but save #{} was acknowledged",
                    audit_next,
                    acked - 1
                )));
            }
            // A flipped byte in that file alone made a healthy store refuse
            // to open. This open writes it anew.
            Acked::Damaged => notices.push(Notice::AckedDamaged),
            Acked::Next(_) | Acked::Unknown => {}
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

    /// What opening failed on after the store itself opened (`what`: the
    /// step, for the message): a full disk or another I/O error as such,
    /// anything else as damage.
    pub fn open_failed(path: &Path, e: StoreError, what: &str) -> OpenError {
        match e {
            StoreError::Io(source) | StoreError::Sled(sled::Error::Io(source)) => {
                OpenError::Io { path: path.to_path_buf(), source }
            }
            StoreError::DiskFull { .. } => {
                OpenError::Io { path: path.to_path_buf(), source: std::io::ErrorKind::StorageFull.into() }
            }
            e => OpenError::Damaged { path: path.to_path_buf(), detail: format!("{what}: {e}") },
        }
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
}
