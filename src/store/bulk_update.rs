//! Many changed records of one kind at once, inside a load (imports of loans,
//! repayments, capital): each checked against the stored version, copied to
//! the load's journal as it was, written in key order in parts with the
//! children they refresh, and the aggregates moved by the sum of the
//! differences. Changes to indexed fields or to places are not taken here
//! (the caller saves those one by one).

use foldhash::HashMap;

use super::{
    codec,
    core::{SaveError, Store, StoreError, key},
    load::Load,
    page,
    record::Record,
    stats::{DistrictStats, FundRisk, FundStats},
    trees,
    write::{decode_aggregate, district_key},
};

const SCHEMA_STATS: u8 = 1;

/// A part of a bulk update, changed and encoded, not yet written.
struct Changed {
    /// What each written key held before: (tree, key, bytes).
    before: Vec<(&'static str, Vec<u8>, Vec<u8>)>,
    writes: Vec<(Vec<u8>, Vec<u8>)>,
    child_writes: Vec<(Vec<u8>, Vec<u8>)>,
    fund: HashMap<u64, FundStats>,
    district: HashMap<u16, DistrictStats>,
    risk: HashMap<u64, FundRisk>,
}

impl Store {
    /// Writes `recs` over their stored versions (each must carry the version
    /// it was read at) as one load with one audit entry. Refused as a whole,
    /// with nothing changed, when one is stale, gone, or would change an
    /// index entry or a place.
    pub fn bulk_update<R: Record>(&self, officer: &str, note: &str, recs: &[R]) -> Result<usize, SaveError> {
        let load = self.begin_load(officer, note, 0)?;
        let n = load.bulk_update_part(recs)?;
        load.commit(R::TREE, n as u64)?;
        Ok(n)
    }
}

impl Load<'_> {
    /// One part of a bulk update, written but not yet committed (a big import
    /// goes in parts, so its records are never all in memory at once).
    pub fn bulk_update_part<R: Record>(&self, recs: &[R]) -> Result<usize, SaveError> {
        let primary = self.store().tree(R::TREE)?;
        let mut olds = Vec::with_capacity(recs.len());
        for r in recs {
            let k = r.key();
            let Some(bytes) = page::get(R::TREE, &primary, &k)? else { return Err(SaveError::Gone(k)) };
            let old: R = Store::decode_record(&k, &bytes)?;
            if old.version() != r.version() {
                return Err(SaveError::Stale { current: old.version() });
            }
            olds.push(Ok((bytes.to_vec(), old)));
        }
        let mut news = recs.iter().cloned();
        let changed = self.prepare(olds.into_iter(), |old| news.next().unwrap_or(old))?;
        self.write_prepared::<R>(changed)
    }

    /// As [`Load::bulk_update_part`], for the records under `keys` changed by
    /// `change` as they are read (each is read and decoded once, never copied).
    pub fn bulk_update_with<R: Record>(
        &self,
        keys: &[Vec<u8>],
        change: impl FnMut(R) -> R,
    ) -> Result<usize, SaveError> {
        let changed = self.prepare_with(keys, change)?;
        self.write_prepared::<R>(changed)
    }

    /// [`Load::bulk_update_with`] over many parts, each written by a second
    /// thread while the next is read and changed (the loans of a million-row
    /// import spend half their time in each). Returns how many were written;
    /// an error stops it (the load is then rolled back as a whole).
    pub fn bulk_update_parts_with<'k, R: Record>(
        &self,
        parts: impl Iterator<Item = &'k [Vec<u8>]>,
        mut change: impl FnMut(R) -> R,
    ) -> Result<usize, SaveError> {
        std::thread::scope(|s| {
            let (tx, rx) = std::sync::mpsc::sync_channel::<Changed>(1);
            let writer = s.spawn(move || -> Result<usize, SaveError> {
                let mut done = 0;
                for changed in rx {
                    done += self.write_prepared::<R>(changed)?;
                }
                Ok(done)
            });
            let mut prepared = Ok(());
            for part in parts {
                match self.prepare_with(part, &mut change) {
                    // A writer that stopped on an error says so when joined.
                    Ok(changed) => {
                        if tx.send(changed).is_err() {
                            break;
                        }
                    }
                    Err(e) => {
                        prepared = Err(e);
                        break;
                    }
                }
            }
            drop(tx);
            let written = match writer.join() {
                Ok(r) => r?,
                Err(_) => {
                    return Err(StoreError::Io(std::io::Error::other("bulk update thread failed")).into());
                }
            };
            prepared.map(|()| written)
        })
    }

    fn prepare_with<R: Record>(
        &self,
        keys: &[Vec<u8>],
        change: impl FnMut(R) -> R,
    ) -> Result<Changed, SaveError> {
        let primary = self.store().tree(R::TREE)?;
        let olds = keys.iter().map(|k| match page::get(R::TREE, &primary, k)? {
            Some(bytes) => Ok((bytes.to_vec(), Store::decode_record::<R>(k, &bytes)?)),
            None => Err(SaveError::Gone(k.clone())),
        });
        self.prepare(olds, change)
    }

    /// Reads nothing but the records and their children: what to write, what
    /// it overwrites, and how the aggregates move.
    fn prepare<R: Record>(
        &self,
        olds: impl Iterator<Item = Result<(Vec<u8>, R), SaveError>>,
        mut change: impl FnMut(R) -> R,
    ) -> Result<Changed, SaveError> {
        let mut fund: HashMap<u64, FundStats> = HashMap::default();
        let mut district: HashMap<u16, DistrictStats> = HashMap::default();
        let mut risk: HashMap<u64, FundRisk> = HashMap::default();
        let mut before = Vec::new();
        let mut writes: Vec<(Vec<u8>, Vec<u8>)> = Vec::new();
        let mut child_writes: Vec<(Vec<u8>, Vec<u8>)> = Vec::new();
        let children = R::CHILDREN.map(|c| self.store().tree(c)).transpose()?;
        for old in olds {
            let (old_bytes, old) = old?;
            let facts = |r: &R| {
                let ix: Vec<(&'static str, Vec<u8>)> =
                    r.index_entries().into_iter().map(|e| (e.tree, e.key)).collect();
                (r.key(), ix, r.place(), r.parent_key())
            };
            let (was, version) = (facts(&old), old.version());
            let mut add = |rec: &R, sign: i64| {
                if let Some((f, s)) = rec.fund_stats() {
                    fund.entry(f).or_default().add(&s, sign);
                }
                if let Some((d, s)) = rec.district_stats() {
                    district.entry(d).or_default().add(&s, sign);
                }
                if let Some((f, x)) = rec.fund_risk() {
                    risk.entry(f).or_default().add(&x, sign);
                }
            };
            add(&old, -1);
            let mut n = change(old);
            // Keys, index entries and places do not change here: such
            // changes go through `save`.
            if facts(&n) != was {
                return Err(SaveError::Stale { current: version });
            }
            n.set_version(version + 1);
            add(&n, 1);
            let k = n.key();
            if let (Some(ct), Some(ctree)) = (&children, R::CHILDREN) {
                let inverted = self.inverted();
                page::for_each(ctree, ct, &k, &mut |_| Ok(()), &mut |ck, cv| {
                    if let Some(bytes) = n.refresh_child(cv).map_err(StoreError::Encode)? {
                        if !inverted {
                            before.push((ctree, ck.to_vec(), cv.to_vec()));
                        }
                        child_writes.push((ck.to_vec(), bytes));
                    }
                    Ok(())
                })?;
            }
            if !self.inverted() {
                before.push((R::TREE, k.clone(), old_bytes));
            }
            writes.push((k, n.to_stored().map_err(StoreError::Encode)?));
        }
        Ok(Changed { before, writes, child_writes, fund, district, risk })
    }

    /// Writes what [`Load::prepare`] made: the copies to the journal first,
    /// then the records in key order, the children, and the aggregates moved
    /// by the differences.
    fn write_prepared<R: Record>(&self, changed: Changed) -> Result<usize, SaveError> {
        let Changed { before, mut writes, mut child_writes, fund, district, risk } = changed;
        let store = self.store();
        // Copies, unless the load said how to take these changes back.
        if !self.inverted() {
            self.journal(before.iter().map(|(t, k, v)| (*t, k.as_slice(), Some(v.as_slice()))))?;
        }
        drop(before);
        let primary = store.tree(R::TREE)?;
        let children = R::CHILDREN.map(|c| store.tree(c)).transpose()?;
        let n_pairs = writes.len();
        // One insert at a time, not `apply_batch`: a batch takes sled's
        // store-wide write lock and stops every read meanwhile, such as the
        // next part being prepared (`bulk_update_parts_with`).
        writes.sort_by(|a, b| a.0.cmp(&b.0));
        if page::group(R::TREE).is_some() {
            // Each page read and written once, with all of its changes.
            page::put_many(R::TREE, &primary, writes.into_iter().map(|(k, v)| (k, Some(v))))?;
        } else {
            for (k, v) in &writes {
                primary.insert(k.as_slice(), v.as_slice())?;
            }
        }
        if let (Some(ct), Some(ctree)) = (&children, R::CHILDREN) {
            child_writes.sort_by(|a, b| a.0.cmp(&b.0));
            if page::group(ctree).is_some() {
                page::put_many(ctree, ct, child_writes.into_iter().map(|(k, v)| (k, Some(v))))?;
            } else {
                for (k, v) in &child_writes {
                    ct.insert(k.as_slice(), v.as_slice())?;
                }
            }
        }
        self.touch_derived();
        let stats = store.tree(trees::FUND_STATS)?;
        for (f, delta) in fund {
            if delta == FundStats::default() {
                continue;
            }
            let k = key(f);
            let mut s: FundStats = decode_aggregate(trees::FUND_STATS, &k, stats.get(k)?.as_deref())?;
            s.add(&delta, 1);
            stats.insert(k, codec::encode(SCHEMA_STATS, &s).map_err(StoreError::Encode)?)?;
        }
        let dt = store.tree(trees::DISTRICT_STATS)?;
        for (d, delta) in district {
            if delta == DistrictStats::default() {
                continue;
            }
            let k = district_key(d);
            let mut s: DistrictStats = decode_aggregate(trees::DISTRICT_STATS, &k, dt.get(&k)?.as_deref())?;
            s.add(&delta, 1);
            dt.insert(k, codec::encode(SCHEMA_STATS, &s).map_err(StoreError::Encode)?)?;
        }
        let rt = store.tree(trees::FUND_RISK)?;
        for (f, delta) in risk {
            if delta.is_empty() {
                continue;
            }
            let k = key(f);
            let mut r: FundRisk = decode_aggregate(trees::FUND_RISK, &k, rt.get(k)?.as_deref())?;
            r.add(&delta, 1);
            if r.is_empty() {
                rt.remove(k)?;
            } else {
                rt.insert(k, codec::encode(SCHEMA_STATS, &r).map_err(StoreError::Encode)?)?;
            }
        }
        Ok(n_pairs)
    }
}
