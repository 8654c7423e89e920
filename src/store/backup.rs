//! Backups: a consistent, versioned, checksummed dump of every tree, and a
//! restore that checks the whole file before a new store takes its place.
//!
//! The format, all integers big-endian:
//!
//! ```text
//! header    "SAMMACHIP-BACKUP\n"  format u32 (1)  schema_version u32  created_ms i64
//! each tree 'T' name_len u16 name                        (every tree of trees::ALL)
//!           'R' key_len u32 key value_len u32 value      (each pair, in key order)
//!           'Z' pairs u64                                 (end of the tree)
//! trailer   'E' trees u32 pairs u64
//!           crc32 u32                                     (of every byte before it)
//!           "SAMMACHIP-END\n"
//! ```
//!
//! A backup holds the store's write lock alone while it reads the trees, so
//! it sees every save whole or not at all. A restore first reads the whole
//! file once for its checksum, trusting no length in it; only a file that
//! passes is parsed (each length checked against a limit and against what is
//! left of the file) into a fresh store in a directory beside the target,
//! which is renamed into place at the end. A failed restore leaves nothing.

use std::{
    fs::{self, File},
    io::{self, BufReader, BufWriter, Read, Seek, SeekFrom, Write},
    path::{Path, PathBuf},
    sync::{
        PoisonError, RwLockReadGuard, RwLockWriteGuard,
        atomic::{AtomicU64, Ordering},
    },
};

use super::{KEY_SCHEMA, MIN_ROOM, OpenError, Store, StoreError, files, migrate, now_ms, quietly, trees};

/// The first bytes of every backup.
pub const MAGIC: &[u8; 17] = b"SAMMACHIP-BACKUP\n";
/// The last bytes of every backup: a file without them was cut short.
pub const END: &[u8; 14] = b"SAMMACHIP-END\n";
/// The format this program writes and reads.
pub const FORMAT: u32 = 1;
/// No key or value in a backup may be larger (the codec's own limit is 8 MiB).
pub const MAX_ITEM: u64 = 64 << 20;
/// What backup files are called: `sammachip-YYYYMMDD-HHMMSS.backup` (UTC).
pub const BACKUP_PREFIX: &str = "sammachip-";

const MAX_NAME: u64 = 64;
const HEADER_LEN: usize = MAGIC.len() + 4 + 4 + 8;
const TRAILER_LEN: usize = 1 + 4 + 8;
/// The checksum and the end marker.
const TAIL_LEN: usize = 4 + END.len();
const TAG_TREE: u8 = b'T';
const TAG_PAIR: u8 = b'R';
const TAG_TREE_END: u8 = b'Z';
const TAG_END: u8 = b'E';
const BATCH_ITEMS: usize = 1_000;
const BATCH_BYTES: usize = 4 << 20;

/// Why a backup could not be written or restored.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("this is not a sammachip backup")]
    NotABackup,
    #[error("backup format {found} cannot be read (this program reads format {supported})")]
    UnsupportedVersion { found: u32, supported: u32 },
    #[error(
        "the backup was made by a newer sammachip (store schema {found}; this one reads up to {supported})"
    )]
    NewerSchema { found: u32, supported: u32 },
    #[error("the backup is cut short: it ends after {size} bytes, before its end marker")]
    Truncated { size: u64 },
    #[error("the backup is damaged: its checksum is {found:08x}, but it was written as {expected:08x}")]
    ChecksumMismatch { expected: u32, found: u32 },
    #[error("the backup is damaged: a {what} of {len} bytes is over the limit of {limit} bytes")]
    TooLarge { what: &'static str, len: u64, limit: u64 },
    #[error("the backup is damaged at byte {offset}: {detail}")]
    Malformed { offset: u64, detail: String },
    #[error("{} exists and is not an empty directory: restore into a new place", path.display())]
    TargetNotEmpty { path: PathBuf },
    /// A backup written into the store's own directory would be taken for
    /// part of the store (and the store then for damaged).
    #[error("a backup may not go inside the store's directory {}", store.display())]
    InsideStore { store: PathBuf },
    /// The file passed its checksum but what it holds does not check: a
    /// forged or mis-made backup. The first problem, and how many there are.
    #[error("the backup holds damaged records: {first} ({problems} problems)")]
    BadRecords { first: super::check::Problem, problems: u64 },
    #[error("{}: {source}", path.display())]
    File { path: PathBuf, source: io::Error },
    #[error("file system: {0}")]
    Io(#[from] io::Error),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the restored store does not open: {0}")]
    Open(#[from] OpenError),
}

impl From<sled::Error> for BackupError {
    fn from(e: sled::Error) -> Self {
        BackupError::Store(StoreError::Sled(e))
    }
}

/// What a backup's header says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BackupHeader {
    pub format: u32,
    /// The store's schema version when the backup was made (0: none).
    pub schema_version: u32,
    /// When the backup was made (ms since the epoch, UTC).
    pub created_ms: i64,
}

/// What a backup holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BackupSummary {
    pub header: BackupHeader,
    /// Key/value pairs of each tree, in the order of [`trees::ALL`].
    pub trees: Vec<(&'static str, u64)>,
    /// All pairs.
    pub pairs: u64,
    /// Size of the backup file.
    pub bytes: u64,
    pub crc: u32,
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

    /// Writes a backup of the whole store to `w`. Saves wait while the trees
    /// are read (they go on as soon as the last tree is out).
    pub fn backup_to(&self, w: impl Write) -> Result<BackupSummary, BackupError> {
        let mut out = CrcWriter {
            inner: BufWriter::with_capacity(1 << 16, w),
            crc: crc32fast::Hasher::new(),
            bytes: 0,
        };
        let quiet = self.quiesced();
        let header = BackupHeader {
            format: FORMAT,
            schema_version: self.schema_version()?.unwrap_or(0),
            created_ms: now_ms(),
        };
        out.put(MAGIC)?;
        out.put(&header.format.to_be_bytes())?;
        out.put(&header.schema_version.to_be_bytes())?;
        out.put(&header.created_ms.to_be_bytes())?;
        let mut counts = Vec::with_capacity(trees::ALL.len());
        for name in trees::ALL {
            out.put(&[TAG_TREE])?;
            out.put(&(name.len() as u16).to_be_bytes())?;
            out.put(name.as_bytes())?;
            let mut n = 0u64;
            for item in self.tree(name)?.iter() {
                let (k, v) = item?;
                for (what, bytes) in [("key", &k), ("value", &v)] {
                    // Never write what a restore would refuse.
                    if bytes.len() as u64 > MAX_ITEM {
                        return Err(BackupError::TooLarge { what, len: bytes.len() as u64, limit: MAX_ITEM });
                    }
                }
                out.put(&[TAG_PAIR])?;
                out.put(&(k.len() as u32).to_be_bytes())?;
                out.put(&k)?;
                out.put(&(v.len() as u32).to_be_bytes())?;
                out.put(&v)?;
                n += 1;
            }
            out.put(&[TAG_TREE_END])?;
            out.put(&n.to_be_bytes())?;
            counts.push((name, n));
        }
        drop(quiet);
        let pairs = counts.iter().map(|(_, n)| n).sum::<u64>();
        out.put(&[TAG_END])?;
        out.put(&(counts.len() as u32).to_be_bytes())?;
        out.put(&pairs.to_be_bytes())?;
        let crc = out.crc.clone().finalize();
        out.inner.write_all(&crc.to_be_bytes())?;
        out.inner.write_all(END)?;
        out.inner.flush()?;
        Ok(BackupSummary { header, trees: counts, pairs, bytes: out.bytes + TAIL_LEN as u64, crc })
    }

    /// Writes a backup to `path`: to `path.tmp` first (only its owner may
    /// read it, 0600), synced to disk, then renamed, so `path` is always a
    /// whole backup or absent. Refused inside the store's own directory, and
    /// before anything is written when the disk has no room for it.
    pub fn backup_file(&self, path: &Path) -> Result<BackupSummary, BackupError> {
        let parent = parent_of(path);
        if inside(parent, &self.path) {
            return Err(BackupError::InsideStore { store: self.path.clone() });
        }
        let need = files::size_of_dir(&self.path);
        if let Some(free) = files::free_space(parent)
            && free < need.saturating_add(MIN_ROOM)
        {
            return Err(StoreError::DiskFull { need: need.saturating_add(MIN_ROOM), free }.into());
        }
        let tmp = tmp_path(path);
        let written = (|| {
            match fs::remove_file(&tmp) {
                Ok(()) => {}
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(e) => return Err(e.into()),
            }
            let mut f = files::create_private_new(&tmp)?;
            let summary = self.backup_to(&mut f)?;
            f.sync_all()?;
            drop(f);
            fs::rename(&tmp, path)?;
            sync_dir(parent_of(path))?;
            Ok(summary)
        })();
        if written.is_err() {
            let _ = fs::remove_file(&tmp);
        }
        written
    }

    /// Restores a backup read from `r` into a new store at `new_path`, which
    /// must not exist or be an empty directory. The backup is copied beside
    /// the target and checked whole before anything is built from it.
    pub fn restore_from(r: impl Read, new_path: &Path) -> Result<(Store, BackupSummary), BackupError> {
        let target = Target::claim(new_path)?;
        let spool_path = target.work.join("backup");
        let verified = {
            let mut spool = BufWriter::with_capacity(1 << 16, File::create(&spool_path)?);
            let v = verify(r, Some(&mut spool as &mut dyn Write))?;
            spool.flush()?;
            v
        };
        let file = File::open(&spool_path)?;
        target.restore(file, verified)
    }

    /// As [`Store::restore_from`], from a backup file (read twice, not copied).
    pub fn restore_file(backup: &Path, new_path: &Path) -> Result<(Store, BackupSummary), BackupError> {
        let mut file =
            File::open(backup).map_err(|source| BackupError::File { path: backup.to_path_buf(), source })?;
        // The new store takes about twice the backup while it is built.
        let need = file.metadata()?.len().saturating_mul(2).saturating_add(MIN_ROOM);
        if let Some(free) = files::free_space(parent_of(new_path))
            && free < need
        {
            return Err(StoreError::DiskFull { need, free }.into());
        }
        let target = Target::claim(new_path)?;
        let verified = verify(&mut file, None)?;
        file.seek(SeekFrom::Start(0))?;
        target.restore(file, verified)
    }
}

/// Reads a whole backup and checks its header, end marker and checksum
/// without restoring it.
pub fn verify_backup(r: impl Read) -> Result<BackupHeader, BackupError> {
    verify(r, None).map(|v| v.header)
}

/// The name of a backup made at `at`: `sammachip-YYYYMMDD-HHMMSS.backup` (UTC),
/// so name order is time order.
pub fn backup_name(at: jiff::Timestamp) -> String {
    format!("{BACKUP_PREFIX}{}.backup", at.strftime("%Y%m%d-%H%M%S"))
}

/// Deletes all but the newest `keep` files in `dir` whose names start with
/// `prefix` (newest by name; backups being written, `*.tmp`, are left alone).
/// Returns the files deleted.
pub fn rotate_backups(dir: &Path, prefix: &str, keep: usize) -> io::Result<Vec<PathBuf>> {
    let mut found: Vec<(String, PathBuf)> = Vec::new();
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        let Ok(name) = entry.file_name().into_string() else { continue };
        if name.starts_with(prefix) && !name.ends_with(".tmp") && entry.file_type()?.is_file() {
            found.push((name, entry.path()));
        }
    }
    found.sort();
    let excess = found.len().saturating_sub(keep);
    let mut deleted = Vec::with_capacity(excess);
    for (_, path) in found.into_iter().take(excess) {
        fs::remove_file(&path)?;
        deleted.push(path);
    }
    Ok(deleted)
}

/// Counts and checksums what passes through it.
struct CrcWriter<W: Write> {
    inner: BufWriter<W>,
    crc: crc32fast::Hasher,
    bytes: u64,
}

impl<W: Write> CrcWriter<W> {
    fn put(&mut self, b: &[u8]) -> io::Result<()> {
        self.inner.write_all(b)?;
        self.crc.update(b);
        self.bytes += b.len() as u64;
        Ok(())
    }
}

fn tmp_path(path: &Path) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(".tmp");
    PathBuf::from(s)
}

fn parent_of(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

use files::sync_dir;

/// Whether `dir` is `store` or lies inside it (both resolved through links).
fn inside(dir: &Path, store: &Path) -> bool {
    match (fs::canonicalize(dir), fs::canonicalize(store)) {
        (Ok(d), Ok(s)) => d.starts_with(s),
        _ => false,
    }
}

/// A backup whose checksum has been verified.
struct Verified {
    header: BackupHeader,
    size: u64,
    crc: u32,
}

/// Reads until `buf` is full or the input ends; returns how much was read.
fn read_full(r: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut got = 0;
    while got < buf.len() {
        match r.read(&mut buf[got..]) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(got)
}

/// Checksums everything but the last `TAIL_LEN` bytes seen, which it holds.
struct Tail {
    crc: crc32fast::Hasher,
    held: Vec<u8>,
}

impl Tail {
    fn feed(&mut self, chunk: &[u8]) {
        let emit = (self.held.len() + chunk.len()).saturating_sub(TAIL_LEN);
        let from_held = emit.min(self.held.len());
        self.crc.update(&self.held[..from_held]);
        self.held.drain(..from_held);
        let from_chunk = emit - from_held;
        self.crc.update(&chunk[..from_chunk]);
        self.held.extend_from_slice(&chunk[from_chunk..]);
    }
}

/// Reads a whole backup once (copying it to `tee`), checking the magic bytes
/// and format first, then the end marker and the checksum. No length inside
/// the file is read, let alone trusted.
fn verify(mut r: impl Read, mut tee: Option<&mut dyn Write>) -> Result<Verified, BackupError> {
    let mut head = [0u8; HEADER_LEN];
    let got = read_full(&mut r, &mut head)?;
    let seen = got.min(MAGIC.len());
    if head[..seen] != MAGIC[..seen] {
        return Err(BackupError::NotABackup);
    }
    let be32 = |b: &[u8]| u32::from_be_bytes([b[0], b[1], b[2], b[3]]);
    if got < MAGIC.len() + 4 {
        return Err(BackupError::Truncated { size: got as u64 });
    }
    let format = be32(&head[MAGIC.len()..]);
    if format != FORMAT {
        return Err(BackupError::UnsupportedVersion { found: format, supported: FORMAT });
    }
    if got < HEADER_LEN {
        return Err(BackupError::Truncated { size: got as u64 });
    }
    let mut ms = [0u8; 8];
    ms.copy_from_slice(&head[MAGIC.len() + 8..HEADER_LEN]);
    let header = BackupHeader {
        format,
        schema_version: be32(&head[MAGIC.len() + 4..]),
        created_ms: i64::from_be_bytes(ms),
    };
    let mut tail = Tail { crc: crc32fast::Hasher::new(), held: Vec::with_capacity(2 * TAIL_LEN) };
    tail.feed(&head);
    if let Some(t) = tee.as_mut() {
        t.write_all(&head)?;
    }
    let mut size = HEADER_LEN as u64;
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = match r.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e.into()),
        };
        if let Some(t) = tee.as_mut() {
            t.write_all(&buf[..n])?;
        }
        tail.feed(&buf[..n]);
        size += n as u64;
    }
    if size < (HEADER_LEN + TRAILER_LEN + TAIL_LEN) as u64 || tail.held[4..] != END[..] {
        return Err(BackupError::Truncated { size });
    }
    let expected = be32(&tail.held);
    let found = tail.crc.finalize();
    if expected != found {
        return Err(BackupError::ChecksumMismatch { expected, found });
    }
    if header.schema_version > migrate::CURRENT {
        return Err(BackupError::NewerSchema { found: header.schema_version, supported: migrate::CURRENT });
    }
    Ok(Verified { header, size, crc: found })
}

/// Where a restore builds its store: a fresh directory beside the target,
/// removed with everything in it however the restore ends.
struct Target {
    path: PathBuf,
    work: PathBuf,
    /// The target is an empty directory (to be replaced by the new store).
    empty_dir: bool,
}

impl Target {
    fn claim(path: &Path) -> Result<Target, BackupError> {
        let not_empty = || BackupError::TargetNotEmpty { path: path.to_path_buf() };
        let empty_dir = match fs::symlink_metadata(path) {
            Ok(m) if m.is_dir() => {
                if fs::read_dir(path)?.next().is_some() {
                    return Err(not_empty());
                }
                true
            }
            Ok(_) => return Err(not_empty()),
            Err(e) if e.kind() == io::ErrorKind::NotFound => false,
            Err(e) => return Err(e.into()),
        };
        static SEQ: AtomicU64 = AtomicU64::new(0);
        let parent = parent_of(path);
        fs::create_dir_all(parent)?;
        let name =
            path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "store".into());
        // What a restore killed half-way left beside the target.
        files::remove_abandoned(parent, &format!(".{name}.restoring-"));
        let work = parent.join(format!(
            ".{name}.restoring-{}-{}",
            std::process::id(),
            SEQ.fetch_add(1, Ordering::Relaxed)
        ));
        fs::create_dir(&work)?;
        files::make_private(&work)?;
        Ok(Target { path: path.to_path_buf(), work, empty_dir })
    }

    /// Builds the store from a verified backup, puts it in place and opens it.
    fn restore(self, file: File, v: Verified) -> Result<(Store, BackupSummary), BackupError> {
        let dir = self.work.join("store");
        files::create_private_dir(&dir)?;
        let config = sled::Config::new().path(&dir).cache_capacity(8 << 20);
        let db = quietly(|| config.open())
            .map_err(|panic| StoreError::Io(io::Error::other(panic)))?
            .map_err(StoreError::Sled)?;
        let summary = load(&db, BufReader::with_capacity(1 << 16, file), &v)?;
        db.flush()?;
        drop(db);
        // Every record is decoded and every reference, counter and total
        // checked before the new store appears: a forged backup whose
        // checksum was made to match is refused here.
        {
            let staged = Store::open(&dir)?;
            let report = staged.check()?;
            if let Some(first) = report.problems.first() {
                return Err(BackupError::BadRecords {
                    first: first.clone(),
                    problems: report.problems.len() as u64 + report.more,
                });
            }
            // `open` wrote what it needed and synced every file (0600).
        }
        sync_dir(&dir)?;
        if self.empty_dir {
            fs::remove_dir(&self.path)?;
        }
        fs::rename(&dir, &self.path)?;
        sync_dir(parent_of(&self.path))?;
        let path = self.path.clone();
        drop(self);
        match Store::open(&path) {
            Ok(store) => Ok((store, summary)),
            Err(e) => {
                let _ = fs::remove_dir_all(&path);
                Err(e.into())
            }
        }
    }
}

impl Drop for Target {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.work);
    }
}

/// Reads a verified backup from its start, checking every tag, length and
/// count again (and the checksum, in case the file changed meanwhile).
struct Parser<R: Read> {
    r: R,
    at: u64,
    /// Where the checksum starts: no data lies beyond.
    end: u64,
    crc: crc32fast::Hasher,
}

impl<R: Read> Parser<R> {
    fn malformed(&self, detail: impl Into<String>) -> BackupError {
        BackupError::Malformed { offset: self.at, detail: detail.into() }
    }

    fn fill(&mut self, buf: &mut [u8], what: &str) -> Result<(), BackupError> {
        if self.at + buf.len() as u64 > self.end {
            return Err(self.malformed(format!("the {what} runs past the end of the data")));
        }
        self.r.read_exact(buf).map_err(|e| match e.kind() {
            io::ErrorKind::UnexpectedEof => self.malformed("the file changed while it was being restored"),
            _ => BackupError::Io(e),
        })?;
        self.crc.update(buf);
        self.at += buf.len() as u64;
        Ok(())
    }

    fn array<const N: usize>(&mut self, what: &str) -> Result<[u8; N], BackupError> {
        let mut b = [0u8; N];
        self.fill(&mut b, what)?;
        Ok(b)
    }

    fn u8(&mut self) -> Result<u8, BackupError> {
        Ok(self.array::<1>("tag")?[0])
    }

    fn u64(&mut self, what: &str) -> Result<u64, BackupError> {
        self.array(what).map(u64::from_be_bytes)
    }

    /// A length-prefixed key or value.
    fn item(&mut self, what: &'static str) -> Result<Vec<u8>, BackupError> {
        let len = u64::from(u32::from_be_bytes(self.array(what)?));
        if len > MAX_ITEM {
            return Err(BackupError::TooLarge { what, len, limit: MAX_ITEM });
        }
        if len > self.end - self.at {
            return Err(self.malformed(format!("a {what} of {len} bytes runs past the end of the data")));
        }
        let mut b = vec![0u8; len as usize];
        self.fill(&mut b, what)?;
        Ok(b)
    }
}

/// Writes a verified backup's trees into `db`.
fn load(db: &sled::Db, r: impl Read, v: &Verified) -> Result<BackupSummary, BackupError> {
    let mut p = Parser { r, at: 0, end: v.size - TAIL_LEN as u64, crc: crc32fast::Hasher::new() };
    let mut head = [0u8; HEADER_LEN];
    p.fill(&mut head, "header")?;
    let mut counts: Vec<(&'static str, u64)> = Vec::new();
    loop {
        match p.u8()? {
            TAG_TREE => {
                let len = u64::from(u16::from_be_bytes(p.array("tree name")?));
                if len > MAX_NAME {
                    return Err(BackupError::TooLarge { what: "tree name", len, limit: MAX_NAME });
                }
                let mut name = vec![0u8; len as usize];
                p.fill(&mut name, "tree name")?;
                let Some(name) = trees::ALL.iter().copied().find(|t| t.as_bytes() == name) else {
                    return Err(p.malformed(format!("unknown tree {:?}", String::from_utf8_lossy(&name))));
                };
                if counts.iter().any(|(n, _)| *n == name) {
                    return Err(p.malformed(format!("tree {name} appears twice")));
                }
                let tree = db.open_tree(name)?;
                let (mut batch, mut items, mut bytes) = (sled::Batch::default(), 0, 0);
                let mut n = 0u64;
                loop {
                    match p.u8()? {
                        TAG_PAIR => {
                            let k = p.item("key")?;
                            let val = p.item("value")?;
                            bytes += k.len() + val.len();
                            batch.insert(k, val);
                            items += 1;
                            n += 1;
                            if items >= BATCH_ITEMS || bytes >= BATCH_BYTES {
                                tree.apply_batch(std::mem::take(&mut batch))?;
                                (items, bytes) = (0, 0);
                            }
                        }
                        TAG_TREE_END => {
                            let said = p.u64("count")?;
                            if said != n {
                                return Err(
                                    p.malformed(format!("tree {name} says {said} pairs but holds {n}"))
                                );
                            }
                            break;
                        }
                        t => return Err(p.malformed(format!("unexpected tag {t:#04x} in tree {name}"))),
                    }
                }
                tree.apply_batch(batch)?;
                counts.push((name, n));
            }
            TAG_END => {
                let tree_count = u64::from(u32::from_be_bytes(p.array("tree count")?));
                let pairs = p.u64("pair count")?;
                let total = counts.iter().map(|(_, n)| n).sum::<u64>();
                if tree_count != counts.len() as u64 || pairs != total {
                    return Err(p.malformed(format!(
                        "the trailer says {tree_count} trees and {pairs} pairs, but there are {} and {total}",
                        counts.len()
                    )));
                }
                if p.at != p.end {
                    return Err(p.malformed("data after the trailer"));
                }
                break;
            }
            t => return Err(p.malformed(format!("unexpected tag {t:#04x} between trees"))),
        }
    }
    if p.crc.clone().finalize() != v.crc {
        return Err(p.malformed("the file changed while it was being restored"));
    }
    if v.header.schema_version != 0 {
        db.open_tree(trees::META)?.insert(KEY_SCHEMA, &v.header.schema_version.to_be_bytes())?;
    }
    let trees = trees::ALL
        .iter()
        .map(|t| (*t, counts.iter().find(|(n, _)| n == t).map_or(0, |(_, n)| *n)))
        .collect::<Vec<_>>();
    let pairs = trees.iter().map(|(_, n)| n).sum();
    Ok(BackupSummary { header: v.header, trees, pairs, bytes: v.size, crc: v.crc })
}
