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
    fs::{self},
    io::{self, BufWriter, Read, Write},
    path::{Path, PathBuf},
};

use super::{
    core::{MIN_ROOM, OpenError, Store, StoreError, now_ms},
    files, migrate, trees,
};

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

pub(super) const MAX_NAME: u64 = 64;
pub(super) const HEADER_LEN: usize = MAGIC.len() + 4 + 4 + 8;
pub(super) const TRAILER_LEN: usize = 1 + 4 + 8;
/// The checksum and the end marker.
pub(super) const TAIL_LEN: usize = 4 + END.len();
pub(super) const TAG_TREE: u8 = b'T';
pub(super) const TAG_PAIR: u8 = b'R';
pub(super) const TAG_TREE_END: u8 = b'Z';
pub(super) const TAG_END: u8 = b'E';
pub(super) const BATCH_BYTES: usize = 4 << 20;

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

pub(super) fn parent_of(path: &Path) -> &Path {
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
pub(super) struct Verified {
    pub(super) header: BackupHeader,
    pub(super) size: u64,
    pub(super) crc: u32,
}

/// Reads until `buf` is full or the input ends; returns how much was read.
pub(super) fn read_full(r: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
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
pub(super) fn verify(mut r: impl Read, mut tee: Option<&mut dyn Write>) -> Result<Verified, BackupError> {
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
