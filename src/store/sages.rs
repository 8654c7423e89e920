//! Reading sages' loads and the assignments of a sage or a household, and
//! the figures every fund and district keeps (the fund figures through what
//! `kept` holds).

use std::{
    collections::{HashMap, HashSet},
    sync::{Arc, Mutex},
};

use foldhash::{HashMap as FastMap, HashMapExt};

use super::{
    core::{Store, StoreError, id_of, key},
    kept::{Kept, RISK_DAYS, RiskOn, Since, lock},
    record::occupation_key,
    stats::{FundRisk, FundStats},
    trees,
    write::{count_of, decode_aggregate},
};
use crate::domain::sage::Assignment;

impl Store {
    /// Places taken now (planned and active assignments), by sage id.
    pub fn sage_loads(&self) -> Result<HashMap<u64, u32>, StoreError> {
        let mut out = HashMap::new();
        for item in self.tree(trees::LOADS)?.iter() {
            let (k, v) = item?;
            self.read_one();
            if let Some(id) = id_of(&k) {
                out.insert(id, u32::try_from(count_of(Some(&v))).unwrap_or(u32::MAX));
            }
        }
        Ok(out)
    }

    /// Places one sage has taken now.
    pub fn sage_load(&self, sage: u64) -> Result<u32, StoreError> {
        let v = self.tree(trees::LOADS)?.get(sage.to_be_bytes())?;
        Ok(u32::try_from(count_of(v.as_deref())).unwrap_or(u32::MAX))
    }

    /// A sage's assignments, oldest first.
    pub fn assignments_of_sage(&self, sage: u64) -> Result<Vec<Assignment>, StoreError> {
        self.scan_prefix(&sage.to_be_bytes())
    }

    /// Every assignment a household has had, oldest first.
    pub fn assignments_of(&self, occ: (u64, u64, u64)) -> Result<Vec<Assignment>, StoreError> {
        let prefix = occupation_key(occ.0, occ.1, occ.2);
        let mut out = Vec::new();
        for item in self.tree(trees::ASSIGNMENTS_BY_OCC)?.scan_prefix(&prefix).keys() {
            let k = item?;
            self.read_one();
            if let Some(a) = self.get_at::<Assignment>(&k[prefix.len()..])? {
                out.push(a);
            }
        }
        out.sort_by_key(|a| (a.start, a.id));
        Ok(out)
    }

    /// The sages who have coached (or are to coach) a household of `fund`.
    pub fn sages_of_fund(&self, fund: u64) -> Result<HashSet<u64>, StoreError> {
        let mut out = HashSet::new();
        for item in self.tree(trees::ASSIGNMENTS_BY_OCC)?.scan_prefix(fund.to_be_bytes()).keys() {
            // The household's key (fund, member, record), then the assignment's (sage, id).
            self.read_one();
            if let Some(sage) = item?.get(24..32).and_then(id_of) {
                out.insert(sage);
            }
        }
        Ok(out)
    }

    /// The households with a planned or active assignment.
    pub fn coached_households(&self) -> Result<HashSet<(u64, u64, u64)>, StoreError> {
        let mut out = HashSet::new();
        for item in self.tree(trees::ACTIVE_BY_OCC)?.iter().keys() {
            let k = item?;
            self.read_one();
            let part = |i: usize| k.get(i * 8..i * 8 + 8).and_then(id_of);
            if let (Some(f), Some(m), Some(o)) = (part(0), part(1), part(2)) {
                out.insert((f, m, o));
            }
        }
        Ok(out)
    }
}

impl Store {
    /// The Overview's counts, by district.
    pub fn all_district_stats(&self) -> Result<HashMap<u16, crate::store::DistrictStats>, StoreError> {
        let mut out = HashMap::new();
        for item in self.tree(trees::DISTRICT_STATS)?.iter() {
            let (k, v) = item?;
            self.read_one();
            let d = id_of(&k).and_then(|d| u16::try_from(d).ok()).unwrap_or(0);
            out.insert(d, super::write::decode_aggregate(trees::DISTRICT_STATS, &k, Some(&v))?);
        }
        Ok(out)
    }

    /// Makes the network committee of every district that has none yet.
    pub fn ensure_committees(
        &self,
        officer: &str,
        districts: &[u16],
    ) -> Result<usize, crate::store::SaveError> {
        use crate::domain::programme::NetworkCommittee;
        let have: std::collections::HashSet<u16> =
            self.all::<NetworkCommittee>()?.iter().map(|c| c.district).collect();
        let mut made = 0;
        for d in districts.iter().filter(|d| !have.contains(d)) {
            self.save(officer, &NetworkCommittee::new(*d))?;
            made += 1;
        }
        Ok(made)
    }
}

impl Store {
    /// Members, loans, principal lent and repaid, and occupation records,
    /// by fund.
    pub fn all_fund_stats(&self) -> Result<Arc<FastMap<u64, FundStats>>, StoreError> {
        self.kept_figures(&self.kept.stats, 1, trees::FUND_STATS, 0, |s: FundStats| s)
    }

    /// Every fund's open loans on day number `day` (see [`RiskOn`]), by
    /// fund; a fund with none is left out.
    pub fn fund_risk_on(&self, day: i32) -> Result<Arc<FastMap<u64, RiskOn>>, StoreError> {
        self.kept_figures(&self.kept.risk, RISK_DAYS, trees::FUND_RISK, day, |r: FundRisk| RiskOn {
            open: r.open,
            at_risk: r.at_risk(day),
        })
    }

    /// One tree's figures of every fund (of `day`), from what is kept: only
    /// the funds changed since are read again. `keep` days are kept, the
    /// last asked first; a day not kept is read whole.
    fn kept_figures<S, V>(
        &self,
        slot: &Mutex<Vec<Kept<V>>>,
        keep: usize,
        name: &'static str,
        day: i32,
        of: impl Fn(S) -> V,
    ) -> Result<Arc<FastMap<u64, V>>, StoreError>
    where
        S: serde::de::DeserializeOwned + Default,
        V: Clone,
    {
        let mut slot = lock(slot);
        let at = slot.iter().position(|k| k.day == day);
        let seen = at.and_then(|i| slot.get(i)).map(|k| k.seq);
        let (now, since) = self.fund_changes.since(seen);
        let tree = self.tree(name)?;
        // The day asked goes first (the one dropped is the last asked).
        if let Some(i) = at {
            slot[..=i].rotate_right(1);
        }
        match (slot.first_mut().filter(|_| at.is_some()), since) {
            (Some(kept), Since::Funds(funds)) => {
                if !funds.is_empty() {
                    // Read again, then put in: a failure leaves what was kept.
                    let mut fresh = Vec::with_capacity(funds.len());
                    for f in funds {
                        self.read_one();
                        let k = key(f);
                        let v = tree.get(k)?.map(|v| decode_aggregate(name, &k, Some(&v))).transpose()?;
                        fresh.push((f, v.map(&of)));
                    }
                    let map = Arc::make_mut(&mut kept.map);
                    for (f, v) in fresh {
                        match v {
                            Some(v) => map.insert(f, v),
                            None => map.remove(&f),
                        };
                    }
                }
                kept.seq = now;
                Ok(Arc::clone(&kept.map))
            }
            _ => {
                let mut map = FastMap::new();
                for item in tree.iter() {
                    let (k, v) = item?;
                    self.read_one();
                    map.insert(id_of(&k).unwrap_or(0), of(decode_aggregate(name, &k, Some(&v))?));
                }
                let map = Arc::new(map);
                if at.is_some() {
                    slot.remove(0);
                }
                slot.insert(0, Kept { seq: now, day, map: Arc::clone(&map) });
                slot.truncate(keep);
                Ok(map)
            }
        }
    }
}
