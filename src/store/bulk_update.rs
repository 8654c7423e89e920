//! Many changed records of one kind at once (imports of loans, repayments,
//! capital): each checked against the stored version, written in sorted
//! batches with the children they refresh, the aggregates moved by the sum of
//! the differences, one audit entry and one sync. Changes to indexed fields or
//! to places are not taken here (the caller saves those one by one).

use std::collections::HashMap;

use super::{
    SaveError, Store, StoreError, codec, key,
    record::Record,
    stats::{DistrictStats, FundRisk, FundStats},
    trees,
    write::{decode_aggregate, district_key},
};
use crate::domain::audit::AuditAction;

const SCHEMA_STATS: u8 = 1;
const BATCH: usize = 2_000;

impl Store {
    /// Writes `recs` over their stored versions (each must carry the version
    /// it was read at). Returns how many were written. Refused as a whole,
    /// before anything is written, when one is stale, gone, or would change an
    /// index entry or a place.
    pub fn bulk_update<R: Record>(&self, officer: &str, note: &str, recs: &[R]) -> Result<usize, SaveError> {
        let n = self.bulk_update_part(recs)?;
        self.bulk_update_done::<R>(officer, note, n)?;
        Ok(n)
    }

    /// The audit entry and the sync after one or more [`Store::bulk_update_part`].
    pub fn bulk_update_done<R: Record>(&self, officer: &str, note: &str, n: usize) -> Result<(), SaveError> {
        self.append_audit(officer, AuditAction::Bulk, R::TREE, &[], &format!("{note}: {n} records"))?;
        self.finish_write()?;
        Ok(())
    }

    /// One part of a bulk update, written but not yet synced or audited (a big
    /// import goes in parts, so its records are never all in memory at once).
    pub fn bulk_update_part<R: Record>(&self, recs: &[R]) -> Result<usize, SaveError> {
        let primary = self.tree(R::TREE)?;
        let mut olds = Vec::with_capacity(recs.len());
        for r in recs {
            let k = r.key();
            let Some(bytes) = primary.get(&k)? else { return Err(SaveError::Gone(k)) };
            let old: R = Self::decode_record(&k, &bytes)?;
            if old.version() != r.version() {
                return Err(SaveError::Stale { current: old.version() });
            }
            olds.push(old);
        }
        let mut news = recs.iter().cloned();
        self.write_changed(olds.into_iter().map(Ok), |old| news.next().unwrap_or(old))
    }

    /// As [`Store::bulk_update_part`], for the records under `keys` changed by
    /// `change` as they are read (each is read and decoded once, never copied).
    pub fn bulk_update_with<R: Record>(
        &self,
        keys: &[Vec<u8>],
        change: impl FnMut(R) -> R,
    ) -> Result<usize, SaveError> {
        let primary = self.tree(R::TREE)?;
        let olds = keys.iter().map(|k| match primary.get(k)? {
            Some(bytes) => Ok(Self::decode_record::<R>(k, &bytes)?),
            None => Err(SaveError::Gone(k.clone())),
        });
        self.write_changed(olds, change)
    }

    fn write_changed<R: Record>(
        &self,
        olds: impl Iterator<Item = Result<R, SaveError>>,
        mut change: impl FnMut(R) -> R,
    ) -> Result<usize, SaveError> {
        let primary = self.tree(R::TREE)?;
        let mut fund: HashMap<u64, FundStats> = HashMap::new();
        let mut district: HashMap<u16, DistrictStats> = HashMap::new();
        let mut risk: HashMap<u64, FundRisk> = HashMap::new();
        let mut writes: Vec<(Vec<u8>, Vec<u8>)> = Vec::new();
        let mut child_writes: Vec<(Vec<u8>, Vec<u8>)> = Vec::new();
        let children = R::CHILDREN.map(|c| self.tree(c)).transpose()?;
        for old in olds {
            let old = old?;
            let facts = |r: &R| {
                let ix: Vec<(&'static str, Vec<u8>)> =
                    r.index_entries().into_iter().map(|e| (e.tree, e.key)).collect();
                (r.key(), ix, r.place(), r.parent_key())
            };
            let (before, version) = (facts(&old), old.version());
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
            if facts(&n) != before {
                return Err(SaveError::Stale { current: version });
            }
            n.set_version(version + 1);
            add(&n, 1);
            let k = n.key();
            if let Some(ct) = &children {
                for item in ct.scan_prefix(&k) {
                    let (ck, cv) = item?;
                    if let Some(bytes) = n.refresh_child(&cv).map_err(StoreError::Encode)? {
                        child_writes.push((ck.to_vec(), bytes));
                    }
                }
            }
            writes.push((k, n.to_stored().map_err(StoreError::Encode)?));
        }
        let n_pairs = writes.len();
        let _writing = self.writing();
        writes.sort_by(|a, b| a.0.cmp(&b.0));
        for chunk in writes.chunks(BATCH) {
            let mut batch = sled::Batch::default();
            for (k, v) in chunk {
                batch.insert(k.as_slice(), v.as_slice());
            }
            primary.apply_batch(batch)?;
        }
        if let (Some(ct), false) = (&children, child_writes.is_empty()) {
            child_writes.sort_by(|a, b| a.0.cmp(&b.0));
            for chunk in child_writes.chunks(BATCH) {
                let mut batch = sled::Batch::default();
                for (k, v) in chunk {
                    batch.insert(k.as_slice(), v.as_slice());
                }
                ct.apply_batch(batch)?;
            }
        }
        let stats = self.tree(trees::FUND_STATS)?;
        for (f, delta) in fund {
            if delta == FundStats::default() {
                continue;
            }
            let k = key(f);
            let mut s: FundStats = decode_aggregate(trees::FUND_STATS, &k, stats.get(k)?.as_deref())?;
            s.add(&delta, 1);
            stats.insert(k, codec::encode(SCHEMA_STATS, &s).map_err(StoreError::Encode)?)?;
        }
        let dt = self.tree(trees::DISTRICT_STATS)?;
        for (d, delta) in district {
            if delta == DistrictStats::default() {
                continue;
            }
            let k = district_key(d);
            let mut s: DistrictStats = decode_aggregate(trees::DISTRICT_STATS, &k, dt.get(&k)?.as_deref())?;
            s.add(&delta, 1);
            dt.insert(k, codec::encode(SCHEMA_STATS, &s).map_err(StoreError::Encode)?)?;
        }
        let rt = self.tree(trees::FUND_RISK)?;
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
        drop(_writing);
        Ok(n_pairs)
    }
}
