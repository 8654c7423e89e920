//! Lists that read the same for every session of one store: the gazetteer,
//! the funds, the sages, the Network tab's lists and the Overview's figures
//! (and whether every district has its committee). Each is built once for
//! a state of the store and handed out behind an `Arc`, so a server's
//! sessions hold one copy, not one each, and a login reuses what the last
//! one built instead of reading the store again.
//!
//! A list is kept with the generations of the kinds of record it was read
//! from (see [`Generations`]), taken *before* it was read: a save made while
//! it was being read leaves it older than the store, and the next session to
//! ask reads it again. Sessions that read less than everything (a committee
//! narrowed to its district or fund) read their own.

use std::sync::{Arc, Mutex};

use super::{
    fund_row::{FundList, FundRow},
    sage_row::SageRow,
};
use crate::{
    domain::{
        Date,
        fund::Fund,
        programme::{NetworkCommittee, OtopProduct, SupportActivity},
        thai,
    },
    service::{
        geo::Geo,
        overview::{DistrictRow, figures},
    },
    store::{Generations, Store, StoreError, trees},
};

/// The Overview's rows, district by district, and their total.
pub type Figures = (Vec<DistrictRow>, DistrictRow);

/// What the Network tab lists, sorted as it shows them.
#[derive(Clone, Default)]
pub struct NetworkLists {
    /// One per district, in district order.
    pub committees: Arc<Vec<NetworkCommittee>>,
    /// Newest first.
    pub support: Arc<Vec<SupportActivity>>,
    /// By district, then name.
    pub otop: Arc<Vec<OtopProduct>>,
}

impl NetworkLists {
    /// Reads them (`own`: that district's only).
    pub fn read(store: &Store, own: Option<u16>) -> Result<NetworkLists, StoreError> {
        let mut committees = store.all::<NetworkCommittee>()?;
        let mut support = store.all::<SupportActivity>()?;
        let mut otop = store.all::<OtopProduct>()?;
        if let Some(d) = own {
            committees.retain(|c| c.district == d);
            support.retain(|s| s.district == d);
            otop.retain(|p| p.district == d);
        }
        committees.sort_by_key(|c| c.district);
        support.sort_by(|a, b| b.date.cmp(&a.date).then(b.id.cmp(&a.id)));
        otop.sort_by_cached_key(|p| (p.district, thai::sort_key(&p.name)));
        Ok(NetworkLists {
            committees: Arc::new(committees),
            support: Arc::new(support),
            otop: Arc::new(otop),
        })
    }
}

/// One list and the state of the store it was read at.
struct Slot<K, T> {
    kept: Mutex<Option<(K, Arc<T>)>>,
}

impl<K: PartialEq, T> Default for Slot<K, T> {
    fn default() -> Self {
        Slot { kept: Mutex::new(None) }
    }
}

impl<K: PartialEq, T> Slot<K, T> {
    /// The list kept for `key`, or one `build` reads now and keeps. Sessions
    /// asking while it is read wait for it rather than read it too.
    fn get<E>(&self, key: K, build: impl FnOnce() -> Result<T, E>) -> Result<Arc<T>, E> {
        self.get_from(key, |_| build())
    }

    /// As [`Slot::get`]; `build` is handed the list kept before, if any, and
    /// the state it was read at (to read again only what changed).
    fn get_from<E>(
        &self,
        key: K,
        build: impl FnOnce(Option<&(K, Arc<T>)>) -> Result<T, E>,
    ) -> Result<Arc<T>, E> {
        let mut kept = self.kept.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((k, v)) = &*kept
            && *k == key
        {
            return Ok(Arc::clone(v));
        }
        let v = Arc::new(build(kept.as_ref())?);
        *kept = Some((key, Arc::clone(&v)));
        Ok(v)
    }
}

/// What the sessions of one store share (one per server; an app run on its
/// own has its own).
#[derive(Default)]
pub struct Common {
    geo: Slot<u64, Geo>,
    funds: Slot<[u64; 3], FundList>,
    sages: Slot<[u64; 4], Vec<SageRow>>,
    overview: Slot<(u64, Date), Figures>,
    network: Slot<[u64; 3], NetworkLists>,
    /// The generations at which every district was last seen to have its
    /// network committee.
    committees: Mutex<Option<[u64; 2]>>,
}

fn gens<const N: usize>(g: &Generations, kinds: [&str; N]) -> [u64; N] {
    kinds.map(|t| g.of(t))
}

impl Common {
    pub fn new() -> Arc<Common> {
        Arc::new(Common::default())
    }

    /// The gazetteer.
    pub fn geo(&self, store: &Store) -> Result<Arc<Geo>, StoreError> {
        let key = store.generations().of(trees::GEO);
        self.geo.get(key, || store.places().map(Geo::new))
    }

    /// Every fund as the lists show it, in the store's order.
    /// After a change of members alone (the commonest save), the rows kept
    /// are taken again with each fund's member count read anew: at the
    /// nation that is a third of reading every fund again.
    pub fn funds(&self, store: &Store) -> Result<Arc<FundList>, StoreError> {
        let key = gens(&store.generations(), [trees::FUNDS, trees::MEMBERS, trees::GEO]);
        self.funds.get_from(key, |before| {
            let stats = store.all_fund_stats()?;
            let members = |id: u64| stats.get(&id).map_or(0, |s| s.members.max(0) as u32);
            if let Some((k, rows)) = before
                && (k[0], k[2]) == (key[0], key[2])
            {
                return Ok(rows.with_members(members));
            }
            let geo = self.geo(store)?;
            let funds = store.all::<Fund>()?;
            Ok(FundList::of(&funds, &geo, members))
        })
    }

    /// Every sage as the Sages tab lists it; `build` reads them.
    pub fn sages<E>(
        &self,
        store: &Store,
        build: impl FnOnce() -> Result<Vec<SageRow>, E>,
    ) -> Result<Arc<Vec<SageRow>>, E> {
        let key =
            gens(&store.generations(), [trees::SAGES, trees::ASSIGNMENTS, trees::CATEGORIES, trees::GEO]);
        self.sages.get(key, build)
    }

    /// The Network tab's lists of every district.
    pub fn network(&self, store: &Store) -> Result<Arc<NetworkLists>, StoreError> {
        let key = gens(&store.generations(), [trees::COMMITTEES, trees::SUPPORT, trees::OTOP]);
        self.network.get(key, || NetworkLists::read(store, None))
    }

    /// The Overview's figures of every district on `today`, from the funds
    /// and the gazetteer as they stand (read after the key was taken).
    pub fn overview(&self, store: &Store, today: Date) -> Result<Arc<Figures>, StoreError> {
        self.overview.get((store.generation(), today), || {
            let (geo, funds, network) = (self.geo(store)?, self.funds(store)?, self.network(store)?);
            figures(
                store,
                geo.districts(),
                funds.iter().map(FundRow::facts),
                &network.committees,
                today,
                None,
            )
        })
    }

    /// Gives every district of the gazetteer its network committee, unless
    /// that was done since the committees or the gazetteer last changed.
    pub fn ensure_committees(&self, store: &Store) -> Result<(), crate::store::SaveError> {
        let mut done = self.committees.lock().unwrap_or_else(|p| p.into_inner());
        let key = gens(&store.generations(), [trees::COMMITTEES, trees::GEO]);
        if *done == Some(key) {
            return Ok(());
        }
        let geo = self.geo(store)?;
        // Checked again next time when it made some (its own saves moved
        // the committees' generation on).
        if store.ensure_committees("sammachip", geo.districts())? == 0 {
            *done = Some(key);
        }
        Ok(())
    }
}
