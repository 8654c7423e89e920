//! Schema migrations, driven by `meta.schema_version` when a store is opened.
//! Before any step runs, the store is backed up beside itself. Each step runs
//! as a load (see `load`): what it changes is journaled, and its changes and
//! the new version stamp count together or not at all; a step cut off is
//! rolled back by the next open, which then runs it again.

use std::path::Path;

use super::{
    core::{OpenError, Store, StoreError},
    load::{Load, Work},
    page, trees,
    write::children_key,
};

/// The schema version this program writes.
pub const CURRENT: u32 = 4;

/// Upgrades a store from `from` to `from + 1`, writing through the load.
pub struct Step {
    pub from: u32,
    pub run: fn(&Load<'_>) -> Result<(), StoreError>,
}

/// Every migration, oldest first.
pub const STEPS: &[Step] = &[
    Step { from: 1, run: children_by_kind },
    Step { from: 2, run: buckets_may_split },
    Step { from: 3, run: records_in_pages },
];

/// Records moved into their pages per batch (one sled batch each, which
/// sled applies whole or not at all).
const MOVE_BATCH: usize = 16_384;

/// 3 → 4: members and occupation records are kept in pages (see `page`),
/// each record moved from its own key into its page. The version is stamped first, so that an older
/// program, which would read a page as a damaged member (and whose rollback
/// of this step would take pages for new records), refuses the store as
/// newer; a step cut off goes back to version 3 when the next open rolls it
/// back ([`Store::recover`]), and runs again.
///
/// Nothing is copied to the journal (at the nation it would be 13 million
/// members and 6 million occupation records): each batch writes its pages and removes the records it moved in
/// one sled batch, so the tree is always whole, each member in exactly one
/// place, and a second run moves what the first did not. The store was backed
/// up before the first step.
fn records_in_pages(load: &Load<'_>) -> Result<(), StoreError> {
    let store = load.store();
    store.set_schema_version(4)?;
    store.sync()?;
    for name in [trees::MEMBERS, trees::OCCUPATIONS] {
        move_into_pages(store, name)?;
    }
    Ok(())
}

/// Moves every record of the tree `name` stored alone into its page.
fn move_into_pages(store: &Store, name: &'static str) -> Result<(), StoreError> {
    let Some(g) = page::group(name) else { return Ok(()) };
    let tree = store.tree(name)?;
    let mut from: Vec<u8> = Vec::new();
    loop {
        let mut alone: Vec<(sled::IVec, sled::IVec)> = Vec::new();
        for item in tree.range(from.clone()..) {
            let (k, v) = item?;
            if page::is_page_key(g, &k) {
                continue;
            }
            alone.push((k, v));
            if alone.len() == MOVE_BATCH {
                break;
            }
        }
        let Some((last, _)) = alone.last() else { return Ok(()) };
        from = [last.as_ref(), &[0]].concat();
        let mut batch = sled::Batch::default();
        // A key too short for the tree's is left where it is, for `check`
        // to name.
        let movable = alone.iter().filter(|(k, _)| page::page_key(g, k).is_some());
        let pages = page::by_page(
            name,
            g,
            movable.map(|(k, v)| {
                batch.remove(k.clone());
                (k.to_vec(), Some(v.to_vec()))
            }),
        )?;
        for (pk, records) in pages {
            let old = tree.get(&pk)?;
            let page = page::with_many(old.as_deref(), &records).map_err(|e| page::damaged(name, &pk, e))?;
            if let Some(p) = page {
                batch.insert(pk, p);
            }
        }
        tree.apply_batch(batch)?;
    }
}

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
        occupation::OccupationRecord,
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

    const PAGED: [&str; 2] = [trees::MEMBERS, trees::OCCUPATIONS];

    /// Moves every member and occupation record of `store` out of its page,
    /// under its own key, as schema 3 kept them; `leave` pages of each tree
    /// stay as they are (a step cut off).
    fn unpage(store: &Store, leave: usize) {
        for name in PAGED {
            let tree = store.tree(name).unwrap();
            let g = page::group(name).unwrap();
            let pages: Vec<_> = tree.iter().map(Result::unwrap).collect();
            for (pk, v) in pages.into_iter().skip(leave) {
                page::each_record(g, &pk, &v, &mut |k, v| {
                    tree.insert(k, v).unwrap();
                })
                .unwrap();
                tree.remove(pk).unwrap();
            }
        }
        store.set_schema_version(3).unwrap();
        store.sync().unwrap();
    }

    fn records_of(store: &Store) -> (Vec<Member>, Vec<OccupationRecord>) {
        (store.all::<Member>().unwrap(), store.all::<OccupationRecord>().unwrap())
    }

    fn all_in_pages(store: &Store) -> bool {
        PAGED.iter().all(|name| {
            let g = page::group(name).unwrap();
            store.tree(name).unwrap().iter().keys().all(|k| page::is_page_key(g, &k.unwrap()))
        })
    }

    /// Schema 3 kept each member and occupation record under its own key;
    /// opened, the store keeps them in pages, every record as it was, and
    /// checks clean. A step cut
    /// off (some pages written, the version stamped, the mark left) goes back
    /// to version 3 and runs again to the end.
    #[test]
    fn records_move_into_pages_whole_and_a_step_cut_off_runs_again() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s");
        let funds: Vec<Fund> =
            (0..3).map(|i| Fund { code: format!("3301010{i}"), ..Default::default() }).collect();
        let expected = {
            let store = Store::open(&path).unwrap();
            let ids = store.bulk_insert("t", "funds", funds).unwrap();
            let mut ms = Vec::new();
            for (i, fund) in (0..100).map(|i| (i, ids[i % 3])) {
                let mut m = member(fund);
                m.national_id = NationalId::from_first12(&{
                    let mut d = [1, 1, 0, 1, 7, 0, 0, 2, 3, 0, 0, 0];
                    d[9] = (i / 100) as u8;
                    d[10] = ((i / 10) % 10) as u8;
                    d[11] = (i % 10) as u8;
                    d
                })
                .unwrap();
                ms.push(m);
            }
            ms.sort_by_key(|m| m.fund_id);
            store.bulk_insert("t", "members", ms).unwrap();
            // Two occupation records each for every third member.
            let mut occs = Vec::new();
            for m in store.all::<Member>().unwrap().iter().step_by(3) {
                for year in [2015, 2020] {
                    occs.push(OccupationRecord::new(m, 3301, year));
                }
            }
            store.bulk_insert("t", "occupations", occs).unwrap();
            let expected = records_of(&store);
            assert_eq!((expected.0.len(), expected.1.len()), (100, 68));
            unpage(&store, 0);
            assert_eq!(store.tree(trees::MEMBERS).unwrap().len(), 100, "stored alone");
            assert_eq!(store.tree(trees::OCCUPATIONS).unwrap().len(), 68, "stored alone");
            expected
        };
        let store = Store::open(&path).unwrap();
        assert_eq!(store.schema_version().unwrap(), Some(CURRENT));
        assert!(all_in_pages(&store));
        let tree = store.tree(trees::MEMBERS).unwrap();
        assert!(tree.len() < 20, "{} pages for 100 members of 3 funds", tree.len());
        assert_eq!(records_of(&store), expected);
        assert!(store.check().unwrap().is_clean());
        // A member's occupation records, from their one page, in key order.
        let m = &expected.0[0];
        let mine: Vec<OccupationRecord> =
            store.scan_prefix(&crate::store::member_key(m.fund_id, m.id)).unwrap();
        let want: Vec<OccupationRecord> =
            expected.1.iter().filter(|o| o.member_id == m.id).cloned().collect();
        assert_eq!((mine.len(), &mine), (2, &want));

        // Cut off: three pages written, the rest alone, version 4 stamped,
        // the step's mark left behind.
        unpage(&store, 3);
        let load = store.begin(Work::Migration { from: 3 }, "sammachip", "schema 3 → 4").unwrap();
        store.set_schema_version(4).unwrap();
        store.sync().unwrap();
        std::mem::forget(load);
        drop(tree);
        drop(store);
        let store = Store::open(&path).unwrap();
        assert_eq!(store.schema_version().unwrap(), Some(CURRENT));
        assert!(all_in_pages(&store));
        assert_eq!(records_of(&store), expected);
        assert!(store.check().unwrap().is_clean());
    }

    /// A caller that gives up on a store that hangs sled (the command line,
    /// after 20 s) is told sled has opened before an upgrade runs: the nation's
    /// upgrade takes minutes, and timed with sled's open it was cut off at
    /// every open and never finished.
    #[test]
    fn sled_is_noted_open_before_an_upgrade_runs() {
        use std::sync::atomic::{AtomicBool, Ordering};
        static NOTED: AtomicBool = AtomicBool::new(false);
        static NOTED_WHEN_RUN: AtomicBool = AtomicBool::new(false);
        fn step(_: &Load<'_>) -> Result<(), StoreError> {
            NOTED_WHEN_RUN.store(NOTED.load(Ordering::SeqCst), Ordering::SeqCst);
            Ok(())
        }
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s");
        drop(Store::open(&path).unwrap());
        let steps = [Step { from: CURRENT, run: step }];
        let store = Store::open_watched(&path, &steps, &|| NOTED.store(true, Ordering::SeqCst)).unwrap();
        assert_eq!(store.schema_version().unwrap(), Some(CURRENT + 1));
        assert!(NOTED_WHEN_RUN.load(Ordering::SeqCst), "the step ran before sled was noted open");
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
