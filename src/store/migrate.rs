//! Schema migrations, driven by `meta.schema_version` when a store is opened.
//! Before any step runs, the store is backed up beside itself. Each step runs
//! as a load (see `load`): what it changes is journaled, and its changes and
//! the new version stamp count together or not at all; a step cut off is
//! rolled back by the next open, which then runs it again.

use std::path::Path;

use super::{
    core::{OpenError, Store, StoreError},
    load::{Load, Work},
    trees,
    write::children_key,
};

/// The schema version this program writes.
pub const CURRENT: u32 = 3;

/// Upgrades a store from `from` to `from + 1`, writing through the load.
pub struct Step {
    pub from: u32,
    pub run: fn(&Load<'_>) -> Result<(), StoreError>,
}

/// Every migration, oldest first.
pub const STEPS: &[Step] =
    &[Step { from: 1, run: children_by_kind }, Step { from: 2, run: buckets_may_split }];

/// 2 → 3: a national-ID bucket past `index::SPLIT_AT` entries splits in ten,
/// its key holding an empty value (see `index`). Nothing is rewritten: a
/// bucket over the line splits at its next save. The version says that an
/// older program, which would take the marks for damage, must refuse the
/// store (and its backups) as newer instead.
fn buckets_may_split(_: &Load<'_>) -> Result<(), StoreError> {
    Ok(())
}

/// 1 → 2: counts of children were keyed by the parent's key alone, which a
/// fund and a sage (both keyed by id) would share. Version 2 puts the child
/// tree's name in front. In version 1 the only parents were funds (8-byte
/// keys, members) and members (16-byte keys, occupation records).
fn children_by_kind(load: &Load<'_>) -> Result<(), StoreError> {
    let tree = load.store().tree(trees::CHILDREN)?;
    let mut moves = Vec::new();
    for item in tree.iter() {
        let (k, v) = item?;
        let child = match k.len() {
            8 => trees::MEMBERS,
            16 => trees::OCCUPATIONS,
            _ => continue,
        };
        let new = children_key(child, &k);
        moves.push((k, new, v));
    }
    let mut writes: Vec<(Vec<u8>, Option<Vec<u8>>)> = Vec::new();
    for (old, new, v) in moves {
        if old.as_ref() != new.as_slice() {
            writes.push((old.to_vec(), None));
            writes.push((new, Some(v.to_vec())));
        }
    }
    for part in writes.chunks(10_000) {
        load.put_many(trees::CHILDREN, part)?;
    }
    Ok(())
}

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
    // A checksummed backup file, restorable with `sammachip restore`.
    let backup = backup_path(&path, found);
    store.backup_file(&backup).map_err(|e| OpenError::Migration {
        path: path.clone(),
        detail: format!("the backup before the upgrade failed: {e}"),
    })?;
    let mut version = found;
    while version < target {
        let Some(step) = steps.iter().find(|s| s.from == version) else {
            return Err(OpenError::Migration {
                path,
                detail: format!("no step from schema {version}; backup kept at {}", backup.display()),
            });
        };
        let note = format!("schema {version} → {}", version + 1);
        let load = store.begin(Work::Migration { from: version }, "sammachip", &note).map_err(fail)?;
        (step.run)(&load).map_err(fail)?;
        version += 1;
        load.commit_migration(version).map_err(fail)?;
    }
    Ok(())
}

/// `<store>.before-schema-<v>-<ms>.backup` beside the store.
pub fn backup_path(store: &Path, version: u32) -> std::path::PathBuf {
    let name = store.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "store".into());
    let ms = jiff::Timestamp::now().as_millisecond();
    store.with_file_name(format!("{name}.before-schema-{version}-{ms}.backup"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{
        fund::Fund,
        member::{Member, MemberStatus},
        sage::{Sage, SageStatus},
        thai::NationalId,
    };

    fn member(fund_id: u64) -> Member {
        Member {
            id: 0,
            version: 0,
            fund_id,
            national_id: NationalId::from_first12(&[1, 1, 0, 1, 7, 0, 0, 2, 3, 0, 7, 0]).unwrap(),
            title: "นาย".into(),
            given_name: "ทอง".into(),
            family_name: "ดี".into(),
            birth_date: None,
            household_no: String::new(),
            phone: String::new(),
            joined: None,
            status: MemberStatus::Active,
            loans: Vec::new(),
        }
    }

    #[test]
    fn counts_of_children_move_under_their_kind() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s");
        let (fund, sage) = {
            let store = Store::open(&path).unwrap();
            let fund = store.save("t", &Fund { code: "33010101".into(), ..Default::default() }).unwrap();
            store.save("t", &member(fund.id)).unwrap();
            let sage = Sage {
                id: 0,
                version: 0,
                title: "นาง".into(),
                given_name: "มาลี".into(),
                family_name: "ศรี".into(),
                national_id: NationalId::from_first12(&[3, 1, 0, 1, 7, 0, 0, 2, 3, 0, 7, 0]).unwrap(),
                phone: String::new(),
                home_village: 33_010_101,
                expertise: vec![1],
                capacity: 3,
                status: SageStatus::Active,
            };
            let sage = store.save("t", &sage).unwrap();
            assert_eq!(sage.id, fund.id, "a sage and a fund share the key");
            // Write the counts as version 1 did, and call the store version 1.
            let tree = store.tree(trees::CHILDREN).unwrap();
            tree.clear().unwrap();
            tree.insert(fund.id.to_be_bytes(), &1u64.to_be_bytes()).unwrap();
            store.set_schema_version(1).unwrap();
            store.sync().unwrap();
            (fund, sage)
        };
        let store = Store::open(&path).unwrap();
        assert_eq!(store.schema_version().unwrap(), Some(CURRENT));
        // The fund keeps its member; the sage, who has no households, can go.
        assert!(matches!(
            store.delete::<Fund>("t", fund.id, fund.version),
            Err(crate::store::SaveError::HasChildren(t)) if t == trees::MEMBERS
        ));
        store.delete::<Sage>("t", sage.id, sage.version).unwrap();
    }
}
