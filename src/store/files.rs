//! The store directory as files: what may be opened as a store, what sled
//! leaves behind after a crash, who may read the files, how much room the
//! disk has, and making files and renames durable.

use std::{
    collections::HashSet,
    ffi::OsString,
    fs::{self, File},
    io,
    path::{Path, PathBuf},
};

/// The files sled and sammachip keep in a store directory.
const STORE_FILES: [&str; 4] = ["db", "conf", "acked", "blobs"];

/// What a path given as a store holds.
#[derive(Debug, PartialEq, Eq)]
pub enum Kind {
    /// Nothing there yet: a new store is made.
    Missing,
    /// An empty directory: a new store is made in it.
    Empty,
    /// sled's files: a store (perhaps one being created when a crash came).
    Store,
    /// A file, or a directory holding something else.
    Other,
}

/// Looks at `path` without changing anything.
pub fn kind_of(path: &Path) -> io::Result<Kind> {
    let meta = match fs::symlink_metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Kind::Missing),
        Err(e) => return Err(e),
    };
    // A link to a directory is followed: officers may keep the store elsewhere.
    let is_dir = meta.is_dir() || (meta.file_type().is_symlink() && path.is_dir());
    if !is_dir {
        return Ok(Kind::Other);
    }
    let mut any = false;
    let mut foreign = false;
    let mut has_db = false;
    for entry in fs::read_dir(path)? {
        let name = entry?.file_name();
        let name = name.to_string_lossy();
        any = true;
        if name == "db" {
            has_db = true;
        }
        // sled's files, its snapshots, and what a server keeps in the store.
        let known = STORE_FILES.contains(&name.as_ref())
            || name.starts_with("snap.")
            || name == "control.sock"
            || name == "serving";
        if !known {
            foreign = true;
        }
    }
    Ok(match (any, foreign, has_db) {
        (false, _, _) => Kind::Empty,
        (true, false, _) => Kind::Store,
        (true, true, true) if path.join("conf").is_file() => Kind::Store,
        _ => Kind::Other,
    })
}

/// An officer's own folder beside the store: `files/LOGIN/` (0700), with
/// `inbox/` for the files they bring to import and `outbox/` for what the app
/// writes for them (exports, the rows an import refused). Logins are letters,
/// digits and `._-`, starting with a letter, so the name is one plain folder.
pub fn officer_dir(store: &Path, login: &str) -> PathBuf {
    files_dir(store).join(login)
}

/// The folder of every officer's folder: `files/` beside the store.
pub fn files_dir(store: &Path) -> PathBuf {
    let beside = store.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    beside.join("files")
}

/// Makes `path` (and any missing parents) as a directory only its owner can
/// enter: 0700 on Unix, whatever the umask.
pub fn create_private_dir(path: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
        fs::DirBuilder::new().recursive(true).mode(0o700).create(path)?;
        fs::set_permissions(path, fs::Permissions::from_mode(0o700))?;
    }
    #[cfg(not(unix))]
    fs::create_dir_all(path)?;
    Ok(())
}

/// Opens a new file for writing that only its owner can read (0600 on Unix),
/// failing if anything (a file or a link) is already there.
pub fn create_private_new(path: &Path) -> io::Result<File> {
    let mut o = fs::OpenOptions::new();
    o.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(0o600);
    }
    o.open(path)
}

/// Sets a file to owner-only (0600); a directory to 0700. No-op off Unix.
pub fn make_private(path: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let meta = fs::symlink_metadata(path)?;
        if meta.file_type().is_symlink() {
            return Ok(());
        }
        let mode = if meta.is_dir() { 0o700 } else { 0o600 };
        if meta.permissions().mode() & 0o777 != mode {
            fs::set_permissions(path, fs::Permissions::from_mode(mode))?;
        }
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

/// Files and directories under `path` (itself included) that others than
/// the owner may read, enter or write: what `check` and the server warn of.
pub fn readable_by_others(path: &Path) -> Vec<PathBuf> {
    #[cfg_attr(not(unix), allow(unused_mut))]
    let mut out = Vec::new();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mut todo = vec![path.to_path_buf()];
        while let Some(p) = todo.pop() {
            let Ok(meta) = fs::symlink_metadata(&p) else { continue };
            if meta.file_type().is_symlink() {
                continue;
            }
            if meta.permissions().mode() & 0o077 != 0 {
                out.push(p.clone());
            }
            if meta.is_dir()
                && let Ok(rd) = fs::read_dir(&p)
            {
                todo.extend(rd.flatten().map(|e| e.path()));
            }
        }
        out.sort();
    }
    #[cfg(not(unix))]
    let _ = path;
    out
}

/// sled writes a snapshot as `snap.N.generating` and renames it when whole;
/// a crash or a full disk can leave the unfinished one behind, and sled then
/// takes it for the newest snapshot and calls the store damaged. Removing it
/// is what finishing the rename would have made of it: the older snapshot
/// and the log still hold everything. Returns the files removed.
pub fn remove_debris(path: &Path) -> io::Result<Vec<PathBuf>> {
    let mut removed = Vec::new();
    let Ok(rd) = fs::read_dir(path) else { return Ok(removed) };
    for entry in rd {
        let entry = entry?;
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with("snap.") && name.ends_with(".generating") && entry.file_type()?.is_file() {
            fs::remove_file(entry.path())?;
            removed.push(entry.path());
        }
    }
    if !removed.is_empty() {
        sync_dir(path)?;
    }
    Ok(removed)
}

/// Removes what a process killed half-way left in `dir` under names
/// `PREFIX<pid>-…` (a restore's or a replacement's work directory), when
/// that process is gone. Only where the system says which processes run.
pub fn remove_abandoned(dir: &Path, prefix: &str) {
    let Ok(rd) = fs::read_dir(dir) else { return };
    for entry in rd.flatten() {
        let name = entry.file_name();
        let Some(rest) = name.to_str().and_then(|n| n.strip_prefix(prefix)) else { continue };
        let Some(pid) = rest.split('-').next().and_then(|p| p.parse::<u32>().ok()) else { continue };
        if pid != std::process::id() && process_gone(pid) {
            let _ = fs::remove_dir_all(entry.path());
        }
    }
}

/// True only when the process is known not to run (Linux: no `/proc/PID`).
fn process_gone(pid: u32) -> bool {
    cfg!(target_os = "linux")
        && Path::new("/proc/self").exists()
        && !Path::new(&format!("/proc/{pid}")).exists()
}

/// Makes renames and new files in `dir` durable.
pub fn sync_dir(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    File::open(dir)?.sync_all()?;
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

/// fsync through a handle that may write (Windows refuses to flush a file
/// opened for reading only).
pub fn sync_file(path: &Path) -> io::Result<()> {
    fs::OpenOptions::new().write(true).open(path)?.sync_all()
}

/// Bytes free for this user on the file system that holds `path` (or its
/// nearest existing parent). `None` when the system does not say.
pub fn free_space(path: &Path) -> Option<u64> {
    let mut p = path;
    loop {
        if p.exists() {
            return fs4::available_space(p).ok();
        }
        p = p.parent()?;
        if p.as_os_str().is_empty() {
            p = Path::new(".");
        }
    }
}

/// The bytes of every regular file under `dir`.
pub fn size_of_dir(dir: &Path) -> u64 {
    let mut total = 0;
    let mut todo = vec![dir.to_path_buf()];
    while let Some(p) = todo.pop() {
        let Ok(rd) = fs::read_dir(&p) else { continue };
        for e in rd.flatten() {
            match e.file_type() {
                Ok(t) if t.is_dir() => todo.push(e.path()),
                Ok(t) if t.is_file() => total += e.metadata().map_or(0, |m| m.len()),
                _ => {}
            }
        }
    }
    total
}

/// The files of a store known to be on disk (fsynced and made private), so
/// each save syncs only `db` and what is new: sled adds blob files and
/// snapshots as it goes, and renames snapshots into place.
#[derive(Default)]
pub struct Synced {
    /// Names in the store directory and in `blobs/` at the last sync.
    seen: HashSet<OsString>,
    blobs: HashSet<OsString>,
}

impl Synced {
    /// Makes every file sled has written under `store` durable: `db` always,
    /// any file not seen at the last sync (made private, then fsynced), and
    /// the directories whenever their listing changed.
    pub fn sync(&mut self, store: &Path) -> io::Result<()> {
        sync_file(&store.join("db"))?;
        if sync_new(store, &mut self.seen)? {
            sync_dir(store)?;
        }
        let blobs = store.join("blobs");
        if blobs.is_dir() && sync_new(&blobs, &mut self.blobs)? {
            sync_dir(&blobs)?;
        }
        Ok(())
    }
}

/// fsyncs the files in `dir` that are not in `seen` and brings `seen` up to
/// date; true when the listing changed (a file came or went).
fn sync_new(dir: &Path, seen: &mut HashSet<OsString>) -> io::Result<bool> {
    let mut now = HashSet::with_capacity(seen.len() + 4);
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name();
        if !seen.contains(&name) {
            let t = entry.file_type()?;
            let path = entry.path();
            let done = if t.is_file() {
                make_private(&path).and_then(|()| sync_file(&path))
            } else if t.is_dir() {
                make_private(&path)
            } else {
                Ok(())
            };
            match done {
                Ok(()) => {}
                // sled removed it meanwhile (an old snapshot or blob).
                Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
                Err(e) => return Err(e),
            }
        }
        now.insert(name);
    }
    let changed = now != *seen;
    *seen = now;
    Ok(changed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_of_paths() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path();
        assert_eq!(kind_of(&p.join("nope")).unwrap(), Kind::Missing);
        fs::create_dir(p.join("empty")).unwrap();
        assert_eq!(kind_of(&p.join("empty")).unwrap(), Kind::Empty);
        fs::create_dir_all(p.join("etc/x")).unwrap();
        fs::write(p.join("etc/readme.txt"), "x").unwrap();
        assert_eq!(kind_of(&p.join("etc")).unwrap(), Kind::Other);
        fs::write(p.join("file"), "x").unwrap();
        assert_eq!(kind_of(&p.join("file")).unwrap(), Kind::Other);
        let s = p.join("store");
        fs::create_dir(&s).unwrap();
        fs::write(s.join("conf"), "x").unwrap();
        assert_eq!(kind_of(&s).unwrap(), Kind::Store, "a store cut off while being made");
        fs::write(s.join("db"), "x").unwrap();
        fs::write(s.join("snap.0000000000000001"), "x").unwrap();
        assert_eq!(kind_of(&s).unwrap(), Kind::Store);
        fs::write(s.join("notes.txt"), "x").unwrap();
        assert_eq!(kind_of(&s).unwrap(), Kind::Store, "db and conf make a store whatever lies beside");
        fs::remove_file(s.join("conf")).unwrap();
        assert_eq!(kind_of(&s).unwrap(), Kind::Other);
    }

    #[test]
    fn debris_is_the_unfinished_snapshot_only() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path();
        fs::write(p.join("snap.00000000000000AB.generating"), "").unwrap();
        fs::write(p.join("snap.00000000000000AA"), "x").unwrap();
        fs::write(p.join("db"), "x").unwrap();
        let removed = remove_debris(p).unwrap();
        assert_eq!(removed, vec![p.join("snap.00000000000000AB.generating")]);
        assert!(p.join("snap.00000000000000AA").exists() && p.join("db").exists());
    }

    #[cfg(unix)]
    #[test]
    fn private_files_and_directories() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path().join("a/b");
        create_private_dir(&d).unwrap();
        assert_eq!(fs::metadata(&d).unwrap().permissions().mode() & 0o777, 0o700);
        let f = d.join("f");
        drop(create_private_new(&f).unwrap());
        assert_eq!(fs::metadata(&f).unwrap().permissions().mode() & 0o777, 0o600);
        assert!(create_private_new(&f).is_err(), "never over something already there");
        assert!(readable_by_others(&d).is_empty());
        fs::set_permissions(&f, fs::Permissions::from_mode(0o644)).unwrap();
        assert_eq!(readable_by_others(&d), vec![f.clone()]);
        make_private(&f).unwrap();
        assert!(readable_by_others(&d).is_empty());
    }
}
