//! Schema migrations, driven by `meta.schema_version` when a store is opened.
//! Before any step runs, the store's files are copied aside.

use std::{fs, io, path::Path};

use super::{OpenError, Store, StoreError};

/// The schema version this program writes.
pub const CURRENT: u32 = 1;

/// Upgrades a store from `from` to `from + 1`.
pub struct Step {
    pub from: u32,
    pub run: fn(&Store) -> Result<(), StoreError>,
}

/// Every migration, oldest first. Version 1 is the first schema: none yet.
pub const STEPS: &[Step] = &[];

/// Brings a freshly opened store to the newest schema `steps` lead to: stamps a
/// new store, refuses one written by a newer program, and otherwise backs the
/// store up and runs each step in order.
pub(super) fn prepare(store: &Store, steps: &[Step]) -> Result<(), OpenError> {
    let path = store.path().to_path_buf();
    let fail = |e: StoreError| OpenError::Migration { path: path.clone(), detail: e.to_string() };
    let target = steps.iter().map(|s| s.from + 1).max().unwrap_or(CURRENT).max(CURRENT);
    let found = store.schema_version().map_err(fail)?;
    let found = match found {
        None if store.is_empty().map_err(fail)? => {
            store.set_schema_version(CURRENT).map_err(fail)?;
            store.sync().map_err(fail)?;
            CURRENT
        }
        None => return Err(OpenError::Foreign { path }),
        Some(v) => v,
    };
    if found > target {
        return Err(OpenError::Newer { path, found, supported: target });
    }
    if found == target {
        return Ok(());
    }
    store.sync().map_err(fail)?;
    let backup = backup_path(&path, found);
    copy_dir(&path, &backup).map_err(|e| fail(StoreError::Io(e)))?;
    let mut version = found;
    while version < target {
        let Some(step) = steps.iter().find(|s| s.from == version) else {
            return Err(OpenError::Migration {
                path,
                detail: format!("no step from schema {version}; backup kept at {}", backup.display()),
            });
        };
        (step.run)(store).map_err(fail)?;
        version += 1;
        store.set_schema_version(version).map_err(fail)?;
        store.sync().map_err(fail)?;
    }
    Ok(())
}

/// `<store>.before-schema-<v>-<ms>` beside the store.
pub fn backup_path(store: &Path, version: u32) -> std::path::PathBuf {
    let name = store.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "store".into());
    let ms = jiff::Timestamp::now().as_millisecond();
    store.with_file_name(format!("{name}.before-schema-{version}-{ms}"))
}

fn copy_dir(from: &Path, to: &Path) -> io::Result<()> {
    fs::create_dir_all(to)?;
    for entry in fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            fs::copy(entry.path(), target)?;
        }
    }
    Ok(())
}
