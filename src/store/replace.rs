//! `demo --replace`: a store emptied and filled again, all or nothing.
//!
//! Emptying a store in place cannot be taken back, so the new store is
//! written beside the old one, in `.NAME.replacing-PID`, starting from the
//! old audit trail. Only when it is whole and on disk do the two directories
//! change places (one atomic `renameat2(RENAME_EXCHANGE)` on Linux); the old
//! records are then deleted. A kill before the exchange leaves the old store
//! as it was (the half-made one beside it is removed by the next
//! replacement); a kill after leaves the new one.
//!
//! Where the system has no atomic exchange, the old store is first renamed
//! to `.NAME.replaced-PID` and the new one into place; a kill between the
//! two renames leaves no store at `NAME`, and the next open puts the old one
//! back (see [`restore_replaced`]).

use std::{
    fs, io,
    path::{Path, PathBuf},
};

use super::{
    core::{OpenError, Store, StoreError, id_of, key},
    files, trees,
};
use crate::domain::audit::AuditAction;

fn sibling(path: &Path, what: &str) -> (PathBuf, String) {
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "store".into());
    (parent, format!(".{name}.{what}-"))
}

fn open_error(e: OpenError) -> StoreError {
    match e {
        OpenError::Io { source, .. } => StoreError::Io(source),
        e => StoreError::Io(io::Error::other(e.to_string())),
    }
}

/// Replaces the records of `old` by what `build` writes into an empty store
/// (which already holds `old`'s audit trail and a line saying it was
/// replaced). `old` is closed on the way; open the store again afterwards.
pub fn replace<T, E: From<StoreError>>(
    old: Store,
    officer: &str,
    build: impl FnOnce(&Store) -> Result<T, E>,
) -> Result<T, E> {
    let path = old.path().to_path_buf();
    let (parent, prefix) = sibling(&path, "replacing");
    files::remove_abandoned(&parent, &prefix);
    let staging = parent.join(format!("{prefix}{}", std::process::id()));
    if staging.exists() {
        fs::remove_dir_all(&staging).map_err(StoreError::Io)?;
    }
    let built = (|| -> Result<T, E> {
        let new = Store::open(&staging).map_err(open_error)?;
        copy_audit(&old, &new)?;
        new.append_audit(officer, AuditAction::Bulk, trees::META, &[], "store emptied and filled anew")?;
        new.sync()?;
        let out = build(&new)?;
        new.sync()?;
        Ok(out)
    })();
    let out = match built {
        Ok(out) => out,
        Err(e) => {
            let _ = fs::remove_dir_all(&staging);
            return Err(e);
        }
    };
    drop(old);
    swap(&path, &staging).map_err(StoreError::Io)?;
    fs::remove_dir_all(&staging).map_err(StoreError::Io)?;
    Ok(out)
}

/// The old store's audit trail and its counter, into the new store.
fn copy_audit(old: &Store, new: &Store) -> Result<(), StoreError> {
    let from = old.tree(trees::AUDIT)?;
    let to = new.tree(trees::AUDIT)?;
    // The new store was just made: its own few entries (none yet, but be
    // safe) move after the old ones.
    to.clear()?;
    let mut batch = sled::Batch::default();
    let mut n = 0;
    for item in from.iter() {
        let (k, v) = item?;
        batch.insert(k, v);
        n += 1;
        if n % 10_000 == 0 {
            to.apply_batch(std::mem::take(&mut batch))?;
        }
    }
    to.apply_batch(batch)?;
    let next =
        from.last()?.and_then(|(k, _)| id_of(&k)).map_or(1, |id| id + 1).max(old.counter(trees::AUDIT)?);
    new.tree(trees::META)?.insert(super::core::counter_key(trees::AUDIT), &key(next))?;
    Ok(())
}

/// Puts the new store (`staging`) at `path` and the old one at `staging`,
/// holding the old store's lock meanwhile so no other process opens it half
/// way.
fn swap(path: &Path, staging: &Path) -> io::Result<()> {
    let db = fs::OpenOptions::new().read(true).write(true).open(path.join("db"))?;
    // sled lets go of its lock from a background thread after a drop.
    let mut locked = false;
    for _ in 0..100 {
        match db.try_lock() {
            Ok(()) => {
                locked = true;
                break;
            }
            Err(std::fs::TryLockError::WouldBlock) => {
                std::thread::sleep(std::time::Duration::from_millis(20))
            }
            Err(std::fs::TryLockError::Error(e)) => return Err(e),
        }
    }
    if !locked {
        return Err(io::Error::new(io::ErrorKind::ResourceBusy, "the store is in use"));
    }
    let parent = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    if !exchange(path, staging)? {
        let (_, prefix) = sibling(path, "replaced");
        let aside = parent.join(format!("{prefix}{}", std::process::id()));
        fs::rename(path, &aside)?;
        files::sync_dir(parent)?;
        fs::rename(staging, path)?;
        fs::rename(&aside, staging)?;
    }
    files::sync_dir(parent)?;
    drop(db);
    Ok(())
}

/// Swaps two directories in one step; false where the system cannot.
fn exchange(a: &Path, b: &Path) -> io::Result<bool> {
    #[cfg(target_os = "linux")]
    {
        use std::{ffi::CString, os::unix::ffi::OsStrExt};
        let ca = CString::new(a.as_os_str().as_bytes()).map_err(io::Error::other)?;
        let cb = CString::new(b.as_os_str().as_bytes()).map_err(io::Error::other)?;
        // SAFETY: two valid NUL-terminated paths; the call only renames.
        let r = unsafe {
            libc::syscall(
                libc::SYS_renameat2,
                libc::AT_FDCWD,
                ca.as_ptr(),
                libc::AT_FDCWD,
                cb.as_ptr(),
                libc::RENAME_EXCHANGE,
            )
        };
        if r == 0 {
            return Ok(true);
        }
        let e = io::Error::last_os_error();
        // Kernels or file systems without it fall back to two renames.
        if matches!(e.raw_os_error(), Some(libc::ENOSYS) | Some(libc::EINVAL)) {
            return Ok(false);
        }
        Err(e)
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = (a, b);
        Ok(false)
    }
}

/// Where a replacement without an atomic exchange was cut off between its
/// two renames, `path` is missing and the old store waits aside: put it back.
/// Returns whether it did.
pub fn restore_replaced(path: &Path) -> io::Result<bool> {
    if path.exists() {
        return Ok(false);
    }
    let (parent, prefix) = sibling(path, "replaced");
    let Ok(rd) = fs::read_dir(&parent) else { return Ok(false) };
    for entry in rd.flatten() {
        if entry.file_name().to_string_lossy().starts_with(&prefix) {
            fs::rename(entry.path(), path)?;
            files::sync_dir(&parent)?;
            return Ok(true);
        }
    }
    Ok(false)
}
