//! The order a sorted run of new keys is written in, so that sled's leaves
//! come out full.
//!
//! sled 0.34.7 (pinned) splits a leaf when it holds more than 16 entries,
//! keeping 9 on the left (`Node::should_split`, `Node::split`). Keys written
//! in key order therefore leave every leaf behind with 9 entries, and each
//! leaf costs memory (its page table entry) for as long as the store is open,
//! and time when it is opened. At the nation the page table was most of the
//! app's resident memory (issue 23).
//!
//! So a run is written in two passes:
//! 1. every other key, from the last to the first. sled goes on inserting
//!    into the left half of each split, so the right halves are left behind,
//!    with 8 entries each, and each one's 8 keys span 16 keys of the run;
//! 2. the keys between them: each leaf takes the 8 between and after its
//!    own, and ends with 16 entries, sled's most, not 9.
//!
//! A page also keeps one pointer per change written since it was last
//! written whole, up to ten (`PAGE_CONSOLIDATION_THRESHOLD`), and those
//! pointers cost memory too. A leaf left behind by a split has just been
//! written whole; eight inserts would leave it with nine pointers. So every
//! eighth key of the second pass is written, removed and written again: each
//! leaf takes exactly ten changes in the second pass, and the tenth writes it
//! whole, with one pointer.
//!
//! The keys must be new to the tree (a load's new records, a restore into an
//! empty store): a key of the second pass is briefly absent between its
//! removal and its rewrite, which for a new key is the state before the load.
//! Other writes go as they come.

/// One write of a run: insert the key at this position, or remove it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Step {
    Insert(usize),
    Remove(usize),
}

fn first_pass(i: usize) -> bool {
    i.is_multiple_of(2)
}

/// The steps that write a sorted run of `len` new keys (see the module).
/// Each position is inserted, and its last step is an insert.
pub(super) fn order(len: usize) -> impl Iterator<Item = Step> {
    let first = (0..len).rev().filter(|&i| first_pass(i)).map(Step::Insert);
    let second = (0..len).filter(|&i| !first_pass(i)).enumerate().flat_map(|(n, i)| {
        let again = n.is_multiple_of(8);
        let steps =
            [Some(Step::Insert(i)), again.then_some(Step::Remove(i)), again.then_some(Step::Insert(i))];
        steps.into_iter().flatten()
    });
    first.chain(second)
}

/// Writes a sorted run of pairs with keys new to `tree`, in [`order`].
pub(super) fn write(tree: &sled::Tree, pairs: &[(Vec<u8>, Vec<u8>)]) -> Result<(), sled::Error> {
    for step in order(pairs.len()) {
        match step {
            Step::Insert(i) => {
                if let Some((k, v)) = pairs.get(i) {
                    tree.insert(k.as_slice(), v.as_slice())?;
                }
            }
            Step::Remove(i) => {
                if let Some((k, _)) = pairs.get(i) {
                    tree.remove(k.as_slice())?;
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every position ends inserted, once removed at most, and never removed
    /// before it is inserted.
    #[test]
    fn every_key_ends_written() {
        for len in [0, 1, 2, 14, 15, 16, 29, 30, 31, 1000, 10_007] {
            let mut state = vec![0u8; len];
            for step in order(len) {
                match step {
                    Step::Insert(i) => state[i] = 1,
                    Step::Remove(i) => {
                        assert_eq!(state[i], 1, "removed before written ({len}, {i})");
                        state[i] = 2;
                    }
                }
            }
            assert!(state.iter().all(|&s| s == 1), "a key not written (len {len})");
        }
    }

    /// The first pass goes from the last key to the first; any eight of its
    /// keys in a row have eight of the second after them, one of which is
    /// written three times: ten changes to each leaf.
    #[test]
    fn each_leaf_takes_eight_keys_and_ten_changes() {
        let len = 16 * 40;
        let firsts: Vec<usize> = (0..len).filter(|&i| first_pass(i)).collect();
        let pass: Vec<Step> = order(len).take(firsts.len()).collect();
        let descending: Vec<Step> = firsts.iter().rev().map(|&i| Step::Insert(i)).collect();
        assert_eq!(pass, descending);
        let steps: Vec<Step> = order(len).skip(firsts.len()).collect();
        for w in firsts.windows(9) {
            let (lo, hi) = (w[0], w[8]);
            let inside = |i: usize| lo < i && i < hi;
            let keys = (lo..hi).filter(|&i| !first_pass(i)).count();
            let changes = steps
                .iter()
                .filter(|s| match s {
                    Step::Insert(i) | Step::Remove(i) => inside(*i),
                })
                .count();
            assert_eq!((keys, changes), (8, 10), "a leaf from key {lo}");
        }
    }

    fn snapshot_bytes(dir: &std::path::Path) -> u64 {
        std::fs::read_dir(dir)
            .expect("store dir")
            .filter_map(Result::ok)
            .filter(|e| e.file_name().to_string_lossy().starts_with("snap."))
            .filter_map(|e| e.metadata().ok())
            .map(|m| m.len())
            .sum()
    }

    /// Written in this order, a tree reads back the same and its page table
    /// (sled's snapshot, one entry per page) is about 9/16 the size it is
    /// when the same keys are written in key order.
    #[test]
    fn the_same_pairs_in_fewer_pages() {
        let pairs: Vec<(Vec<u8>, Vec<u8>)> = (0..60_000u64)
            .map(|i| ([7u64.to_be_bytes(), i.to_be_bytes()].concat(), vec![(i % 251) as u8; 40]))
            .collect();
        let dir = tempfile::tempdir().expect("temp dir");
        let mut sizes = Vec::new();
        for filled in [false, true] {
            let path = dir.path().join(if filled { "filled" } else { "sorted" });
            {
                let db = sled::Config::new().path(&path).open().expect("open");
                let tree = db.open_tree("t").expect("tree");
                if filled {
                    write(&tree, &pairs).expect("write");
                } else {
                    for (k, v) in &pairs {
                        tree.insert(k.as_slice(), v.as_slice()).expect("insert");
                    }
                }
                db.flush().expect("flush");
            }
            // Opening again writes the snapshot of the page table.
            let db = sled::Config::new().path(&path).open().expect("reopen");
            let tree = db.open_tree("t").expect("tree");
            let back: Vec<(Vec<u8>, Vec<u8>)> =
                tree.iter().map(|kv| kv.map(|(k, v)| (k.to_vec(), v.to_vec())).expect("read")).collect();
            assert!(back == pairs, "read back differs (filled: {filled})");
            drop(db);
            sizes.push(snapshot_bytes(&path));
        }
        let (sorted, filled) = (sizes[0], sizes[1]);
        assert!(filled * 4 < sorted * 3, "snapshot {filled} bytes filled against {sorted} in key order");
    }
}
