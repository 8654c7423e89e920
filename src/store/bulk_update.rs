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
        let primary = self.tree(R::TREE)?;
        let mut olds = Vec::with_capacity(recs.len());
        for r in recs {
            let k = r.key();
            let Some(bytes) = primary.get(&k)? else { return Err(SaveError::Gone(k)) };
            let old: R = Self::decode_record(&k, &bytes)?;
            if old.version() != r.version() {
                return Err(SaveError::Stale { current: old.version() });
            }
            let same_index = old
                .index_entries()
                .iter()
                .map(|e| (e.tree, &e.key))
                .eq(r.index_entries().iter().map(|e| (e.tree, &e.key)));
            if !same_index || old.place() != r.place() || old.parent_key() != r.parent_key() {
                return Err(SaveError::Stale { current: old.version() });
            }
            olds.push(old);
        }
        let mut fund: HashMap<u64, FundStats> = HashMap::new();
        let mut district: HashMap<u16, DistrictStats> = HashMap::new();
        let mut risk: HashMap<u64, FundRisk> = HashMap::new();
        let mut writes: Vec<(Vec<u8>, Vec<u8>)> = Vec::with_capacity(recs.len());
        let mut child_writes: Vec<(Vec<u8>, Vec<u8>)> = Vec::new();
        let children = R::CHILDREN.map(|c| self.tree(c)).transpose()?;
        for (old, new) in olds.iter().zip(recs) {
            let mut n = new.clone();
            n.set_version(old.version() + 1);
            for (rec, sign) in [(old, -1), (&n, 1)] {
                if let Some((f, s)) = rec.fund_stats() {
                    fund.entry(f).or_default().add(&s, sign);
                }
                if let Some((d, s)) = rec.district_stats() {
                    district.entry(d).or_default().add(&s, sign);
                }
                if let Some((f, x)) = rec.fund_risk() {
                    risk.entry(f).or_default().add(&x, sign);
                }
            }
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
        self.append_audit(
            officer,
            AuditAction::Bulk,
            R::TREE,
            &[],
            &format!("{note}: {} records", recs.len()),
        )?;
        drop(_writing);
        self.finish_write()?;
        Ok(recs.len())
    }
}
