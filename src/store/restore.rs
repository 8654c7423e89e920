//! Restoring a backup into a new store: the file is checked whole first,
//! built into a fresh directory beside the target, every record checked as
//! `check` does, and only then renamed into place. A failed restore leaves
//! nothing.

use std::{
    fs::{self, File},
    io::{self, BufReader, BufWriter, Read, Seek, SeekFrom, Write},
    path::{Path, PathBuf},
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
};

use super::{
    backup::{
        BATCH_BYTES, BackupError, BackupSummary, HEADER_LEN, MAX_ITEM, MAX_NAME, TAG_END, TAG_PAIR, TAG_TREE,
        TAG_TREE_END, TAIL_LEN, Verified, parent_of, verify,
    },
    check::StreamCheck,
    core::{KEY_SCHEMA, MIN_ROOM, Store, StoreError, quietly},
    files::{self, sync_dir},
    load::{Halves, Pair, Pairs},
    migrate, trees,
};

impl Store {
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
        // Every record is decoded and every reference, counter and total
        // checked before the new store appears: a forged backup whose
        // checksum was made to match is refused here. A backup of this
        // program's schema is checked as it is written, from the same
        // batches, on a thread of its own (the province's restore took
        // 13.0 s when it read the store back to check it). One of an older
        // schema is checked once `open` has brought it up to date.
        let stream = if v.header.schema_version == migrate::CURRENT {
            Some(StreamCheck::start(meta_after(&v))?)
        } else {
            None
        };
        let summary = load(&db, BufReader::with_capacity(1 << 16, file), &v, stream.as_ref())?;
        db.flush()?;
        drop(db);
        let streamed = stream.map(StreamCheck::finish).transpose()?;
        {
            let staged = Store::open(&dir)?;
            let report = match streamed {
                Some(report) => report,
                None => staged.check()?,
            };
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

/// Pairs written at a time (or [`BATCH_BYTES`] of them, whichever comes
/// first).
const RESTORE_BATCH: usize = 10_000;

/// What a restore writes into the meta tree after the backup's pairs: the
/// schema version the header gives (a backup of a store without one is
/// restored without one).
fn meta_after(v: &Verified) -> Vec<Pair> {
    match v.header.schema_version {
        0 => Vec::new(),
        n => vec![(KEY_SCHEMA.to_vec(), n.to_be_bytes().to_vec())],
    }
}

/// Writes a verified backup's trees into `db`; each batch goes to `check`
/// too, when there is one.
fn load(
    db: &sled::Db,
    r: impl Read,
    v: &Verified,
    check: Option<&StreamCheck>,
) -> Result<BackupSummary, BackupError> {
    let hand = |name: &'static str, batch: Pairs, writer: &mut Halves, tree: &sled::Tree| {
        let batch = Arc::new(batch);
        if let Some(c) = check {
            c.pairs(name, Arc::clone(&batch));
        }
        writer.write_shared(tree, batch)
    };
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
                // Two threads write each batch while the next is read (as
                // the bulk loads do): with one `apply_batch` a batch the
                // province's restore took 10.8–12.4 s, now 8.0–8.2 s. The
                // store is built aside and appears only once whole and
                // checked, so a batch need not be written all at once.
                let mut writer = Halves::default();
                let (mut batch, mut bytes) = (Vec::new(), 0);
                let mut last: Vec<u8> = Vec::new();
                let mut n = 0u64;
                loop {
                    match p.u8()? {
                        TAG_PAIR => {
                            let k = p.item("key")?;
                            // A backup lists each tree in key order, each key
                            // once: a repeated key would be counted twice and
                            // kept once.
                            if n > 0 && last >= k {
                                return Err(p.malformed(format!("tree {name} lists a key out of order")));
                            }
                            last.clear();
                            last.extend_from_slice(&k);
                            let val = p.item("value")?;
                            bytes += k.len() + val.len();
                            batch.push((k, val));
                            n += 1;
                            if batch.len() >= RESTORE_BATCH || bytes >= BATCH_BYTES {
                                hand(name, std::mem::take(&mut batch), &mut writer, &tree)?;
                                bytes = 0;
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
                hand(name, batch, &mut writer, &tree)?;
                writer.settle()?;
                if let Some(c) = check {
                    c.end(name);
                }
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
    for (k, val) in meta_after(v) {
        db.open_tree(trees::META)?.insert(k, val)?;
    }
    let trees = trees::ALL
        .iter()
        .map(|t| (*t, counts.iter().find(|(n, _)| n == t).map_or(0, |(_, n)| *n)))
        .collect::<Vec<_>>();
    let pairs = trees.iter().map(|(_, n)| n).sum();
    Ok(BackupSummary { header: v.header, trees, pairs, bytes: v.size, crc: v.crc })
}
