//! Reading and writing records: one transaction per save over the record, its
//! indexes, its fund's aggregates, the children it refreshes, the counters and
//! the audit trail; bulk loads for demo data and imports.

use std::{collections::BTreeMap, sync::atomic::Ordering};

use foldhash::HashMap as FastMap;
use sled::{
    Transactional,
    transaction::{ConflictableTransactionError, TransactionError, TransactionalTree},
};

use super::{
    codec,
    core::{
        Actor, ChangeSlot, SCHEMA_AUDIT, SaveError, Store, StoreError, counter_key, id_of, ids_fit, key,
        now_ms,
    },
    index::{self, IndexError},
    page,
    record::Record,
    stats::{DistrictStats, FundRisk, FundStats},
    trees,
};
use crate::domain::audit::{AuditAction, AuditEntry};

const SCHEMA_STATS: u8 = 1;
const BATCH: usize = 10_000;

/// An index key held back until the records are written, with the record's key
/// for unique indexes.
pub(super) type PendingEntry = (Vec<u8>, Option<Vec<u8>>);

enum WriteOp<'a, R> {
    Save(&'a R),
    Restore(&'a R),
    Delete {
        key: Vec<u8>,
        version: u64,
    },
    /// Undo: the record under `key` goes back to `to` (absent: deleted),
    /// exactly, version included, if it is still exactly `expect` (absent:
    /// not there).
    Revert {
        key: Vec<u8>,
        expect: Option<Vec<u8>>,
        to: Option<R>,
        note: String,
    },
}

type Abort = ConflictableTransactionError<SaveError>;

fn abort(e: impl Into<SaveError>) -> Abort {
    ConflictableTransactionError::Abort(e.into())
}

/// The stored value of the record under `k` in the tree `name`, inside a
/// transaction (a tree kept in pages: from its page).
fn tx_get(name: &'static str, t: &TransactionalTree, k: &[u8]) -> Result<Option<sled::IVec>, Abort> {
    let Some(g) = page::group(name) else { return Ok(t.get(k)?) };
    let Some(pk) = page::page_key(g, k) else { return Ok(None) };
    let Some(p) = t.get(&pk)? else { return Ok(None) };
    Ok(page::find(&p, &k[g..]).map_err(|e| abort(page::damaged(name, &pk, e)))?.map(sled::IVec::from))
}

/// Writes (`None`: removes) the record under `k` in the tree `name`, inside
/// a transaction (a tree kept in pages: its page, rewritten).
fn tx_put(name: &'static str, t: &TransactionalTree, k: &[u8], v: Option<&[u8]>) -> Result<(), Abort> {
    let Some(g) = page::group(name) else {
        match v {
            Some(v) => t.insert(k, v)?,
            None => t.remove(k)?,
        };
        return Ok(());
    };
    let Some(pk) = page::page_key(g, k) else {
        return Err(abort(page::damaged(name, k, page::PageError::Short(k.len()))));
    };
    let old = t.get(&pk)?;
    match page::with(old.as_deref(), &k[g..], v).map_err(|e| abort(page::damaged(name, &pk, e)))? {
        Some(p) => t.insert(pk, p)?,
        None => t.remove(pk)?,
    };
    Ok(())
}

/// A district's key in the district aggregates.
pub(super) fn district_key(d: u16) -> Vec<u8> {
    u64::from(d).to_be_bytes().to_vec()
}

/// An aggregate value (absent: all zero).
pub(super) fn decode_aggregate<T: serde::de::DeserializeOwned + Default>(
    tree: &'static str,
    k: &[u8],
    bytes: Option<&[u8]>,
) -> Result<T, StoreError> {
    match bytes {
        None => Ok(T::default()),
        Some(b) => codec::decode(SCHEMA_STATS, b).map_err(|source| StoreError::Codec {
            tree,
            key: k.to_vec(),
            source,
        }),
    }
}

/// Hands out the next id of `tree` inside a transaction: the counter moves with
/// the record, so a refused save leaves no gap and a reopen never jumps.
fn next_id(meta: &TransactionalTree, tree: &str) -> Result<u64, Abort> {
    let k = counter_key(tree);
    let n = meta.get(&k)?.and_then(|v| id_of(&v)).unwrap_or(1);
    if !ids_fit(n, 1) {
        return Err(Abort::Abort(SaveError::Store(StoreError::IdsUsedUp(tree.to_string()))));
    }
    meta.insert(k, &key(n + 1))?;
    Ok(n)
}

/// Where the count of a parent's children of one kind is kept. Parents of
/// different kinds may share a key (a fund and a sage are both keyed by id), so
/// the count is keyed by the child tree's name, a zero byte and the parent's
/// key. Members and occupation records, the first children, keep the bare
/// parent key of schema 1 (8 and 16 bytes, which no named key can be): moving
/// half a million counts would cost an office PC gigabytes of memory.
pub(super) fn children_key(child_tree: &str, parent: &[u8]) -> Vec<u8> {
    if child_tree == trees::MEMBERS || child_tree == trees::OCCUPATIONS {
        parent.to_vec()
    } else {
        [child_tree.as_bytes(), &[0], parent].concat()
    }
}

/// Stores a count; a count of zero is no entry at all, so that taking a
/// change back leaves the counts exactly as they were before it.
fn put_count(
    tree: &sled::transaction::TransactionalTree,
    k: &[u8],
    n: u64,
) -> Result<(), sled::transaction::UnabortableTransactionError> {
    if n == 0 {
        tree.remove(k)?;
    } else {
        tree.insert(k, &n.to_be_bytes())?;
    }
    Ok(())
}

/// A count stored as eight big-endian bytes; absent is zero.
pub(super) fn count_of(bytes: Option<&[u8]>) -> u64 {
    bytes.and_then(|b| b.try_into().ok()).map_or(0, u64::from_be_bytes)
}

fn decode_stats(fund: u64, bytes: Option<&[u8]>) -> Result<FundStats, StoreError> {
    match bytes {
        None => Ok(FundStats::default()),
        Some(b) => codec::decode(SCHEMA_STATS, b).map_err(|source| StoreError::Codec {
            tree: trees::FUND_STATS,
            key: key(fund).to_vec(),
            source,
        }),
    }
}

/// Who may change a record of kind `R` of `district` (and `fund`): the one
/// rule every write of the store checks, and an import asks of each row
/// before anything is written (so a refused row is listed with its reason).
pub fn may_change<R: Record>(
    access: crate::domain::officer::Access,
    district: Option<u16>,
    fund: Option<u64>,
) -> Result<(), crate::domain::officer::Denied> {
    if R::ADMIN_ONLY { access.may_admin() } else { access.may_change_record(R::KIND, district, fund) }
}

impl Store {
    pub(super) fn decode_record<R: Record>(k: &[u8], bytes: &[u8]) -> Result<R, StoreError> {
        R::from_stored(bytes).map_err(|source| StoreError::Codec { tree: R::TREE, key: k.to_vec(), source })
    }

    /// How many records and aggregates this store has read since it was
    /// opened: what the screens' work is counted in (a keystroke's work must
    /// follow the screen, not the number of records; `tests/keystroke_work.rs`).
    pub fn records_read(&self) -> u64 {
        self.reads.load(std::sync::atomic::Ordering::Relaxed)
    }

    pub(super) fn read_one(&self) {
        self.reads.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }

    /// The record stored under `k`.
    pub fn get_at<R: Record>(&self, k: &[u8]) -> Result<Option<R>, StoreError> {
        self.read_one();
        match page::get(R::TREE, &self.tree(R::TREE)?, k)? {
            Some(bytes) => Self::decode_record(k, &bytes).map(Some),
            None => Ok(None),
        }
    }

    /// The record with id `id`, for kinds keyed by id alone.
    pub fn get<R: Record>(&self, id: u64) -> Result<Option<R>, StoreError> {
        self.get_at(&key(id))
    }

    /// Every record of a kind, in key order. A record that does not decode stops
    /// the read with an error naming it, rather than being skipped in silence.
    pub fn all<R: Record>(&self) -> Result<Vec<R>, StoreError> {
        self.scan_prefix(&[])
    }

    /// The records whose keys start with `prefix` (a fund's members, a member's
    /// occupations), in key order.
    pub fn scan_prefix<R: Record>(&self, prefix: &[u8]) -> Result<Vec<R>, StoreError> {
        let mut out = Vec::new();
        self.for_each_prefix::<R>(prefix, |r| out.push(r))?;
        Ok(out)
    }

    /// Calls `f` on each record under `prefix` without collecting them. A long
    /// scan leaves sled's cache settled afterwards (see [`cache::Settle`]).
    pub fn for_each_prefix<R: Record>(&self, prefix: &[u8], mut f: impl FnMut(R)) -> Result<(), StoreError> {
        let tree = self.tree(R::TREE)?;
        let mut settle = match page::group(R::TREE) {
            // A page holds up to 16 records, about 8 of a fund's occupations.
            Some(_) => super::cache::Settle::per_key(page::PER_PAGE as usize / 2),
            None => super::cache::Settle::default(),
        };
        let mut pair = |k: &sled::IVec| -> Result<(), StoreError> {
            settle.saw(k);
            Ok(settle.between(&tree)?)
        };
        page::for_each(R::TREE, &tree, prefix, &mut pair, &mut |k, v| {
            self.read_one();
            f(Self::decode_record(k, v)?);
            Ok(())
        })?;
        settle.finish(&tree)?;
        Ok(())
    }

    /// How many records of a kind there are (a tree kept in pages is read
    /// whole to count them).
    pub fn count<R: Record>(&self) -> Result<usize, StoreError> {
        let tree = self.tree(R::TREE)?;
        if page::group(R::TREE).is_none() {
            return Ok(tree.len());
        }
        let mut n = 0;
        page::for_each(R::TREE, &tree, &[], &mut |_| Ok(()), &mut |_, _| {
            n += 1;
            Ok(())
        })?;
        Ok(n)
    }

    /// Looks a key up in a unique index: the key of the record that holds it.
    pub fn lookup(&self, name: &str, k: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        index::get(&self.tree(name)?, name, k).map_err(index::IndexError::into_store)
    }

    /// The aggregates of one fund.
    pub fn fund_stats(&self, fund: u64) -> Result<FundStats, StoreError> {
        self.read_one();
        decode_stats(fund, self.tree(trees::FUND_STATS)?.get(key(fund))?.as_deref())
    }

    /// Creates `rec` (when its id is 0) or updates it. An update must carry the
    /// version it was read at; if the stored record has moved on, the save is
    /// refused with [`SaveError::Stale`]. Record, indexes, aggregates, refreshed
    /// children, counter and audit entry are written in one transaction, then
    /// synced to disk before this returns.
    pub fn save<'a, R: Record>(&self, who: impl Into<Actor<'a>>, rec: &R) -> Result<R, SaveError> {
        self.write::<R>(who.into(), WriteOp::Save(rec), true)?.ok_or_else(|| SaveError::Gone(rec.key()))
    }

    /// Saves each record as [`Store::save`] does, each in its own transaction
    /// (one refused leaves the others standing), and syncs once at the end:
    /// what an officer accepts as one plan reaches the disk as one.
    pub fn save_each<'a, R: Record>(
        &self,
        who: impl Into<Actor<'a>>,
        recs: &[R],
    ) -> Vec<Result<R, SaveError>> {
        let who = who.into();
        let out: Vec<Result<R, SaveError>> = recs
            .iter()
            .map(|r| self.write::<R>(who, WriteOp::Save(r), false)?.ok_or_else(|| SaveError::Gone(r.key())))
            .collect();
        if out.iter().any(Result::is_ok)
            && let Err(e) = self.finish_write()
        {
            // Not on disk, so not saved (see `write`): every one says so.
            self.generation.fetch_add(1, Ordering::AcqRel);
            return out.into_iter().map(|r| r.and_then(|_| Err(SaveError::Store(e.duplicate())))).collect();
        }
        out
    }

    /// Deletes the record under `k`, which must still be at `version` and have
    /// no children. Returns what was deleted, so the caller can offer undo.
    pub fn delete_at<'a, R: Record>(
        &self,
        who: impl Into<Actor<'a>>,
        k: &[u8],
        version: u64,
    ) -> Result<R, SaveError> {
        self.write::<R>(who.into(), WriteOp::Delete { key: k.to_vec(), version }, true)?
            .ok_or_else(|| SaveError::Gone(k.to_vec()))
    }

    pub fn delete<'a, R: Record>(
        &self,
        who: impl Into<Actor<'a>>,
        id: u64,
        version: u64,
    ) -> Result<R, SaveError> {
        self.delete_at::<R>(who, &key(id), version)
    }

    /// Undo of one audited write: the record under `key` back to `to` (or
    /// deleted), exactly, if it is still exactly `expect`; refused as
    /// [`SaveError::Stale`] if anyone changed it since, as
    /// [`SaveError::HasChildren`] if records came to belong to it.
    pub fn revert<'a, R: Record>(
        &self,
        who: impl Into<Actor<'a>>,
        key: &[u8],
        expect: Option<Vec<u8>>,
        to: Option<R>,
        note: &str,
    ) -> Result<Option<R>, SaveError> {
        self.revert_synced(who, key, expect, to, note, true)
    }

    /// As [`Store::revert`], without syncing: an undo of many records syncs
    /// once, with [`Store::sync_writes`], before it says they are back.
    pub fn revert_unsynced<'a, R: Record>(
        &self,
        who: impl Into<Actor<'a>>,
        key: &[u8],
        expect: Option<Vec<u8>>,
        to: Option<R>,
        note: &str,
    ) -> Result<Option<R>, SaveError> {
        self.revert_synced(who, key, expect, to, note, false)
    }

    fn revert_synced<'a, R: Record>(
        &self,
        who: impl Into<Actor<'a>>,
        key: &[u8],
        expect: Option<Vec<u8>>,
        to: Option<R>,
        note: &str,
        sync: bool,
    ) -> Result<Option<R>, SaveError> {
        let op = WriteOp::Revert { key: key.to_vec(), expect, to, note: note.to_string() };
        self.write::<R>(who.into(), op, sync)
    }

    /// Makes the writes done without syncing durable, and tells the screens.
    pub fn sync_writes(&self) -> Result<(), StoreError> {
        self.finish_write()
    }

    /// Puts a deleted record back under its old key (undo of a delete).
    pub fn restore<'a, R: Record>(&self, who: impl Into<Actor<'a>>, rec: &R) -> Result<R, SaveError> {
        self.write::<R>(who.into(), WriteOp::Restore(rec), true)?.ok_or_else(|| SaveError::Gone(rec.key()))
    }

    fn write<R: Record>(
        &self,
        who: Actor<'_>,
        op: WriteOp<'_, R>,
        sync: bool,
    ) -> Result<Option<R>, SaveError> {
        let officer = who.name;
        let _writing = self.writing()?;
        let existing_key = match &op {
            WriteOp::Save(r) if r.id() == 0 => None,
            WriteOp::Save(r) | WriteOp::Restore(r) => Some(r.key()),
            WriteOp::Delete { key, .. } | WriteOp::Revert { key, .. } => Some(key.clone()),
        };
        // Who may change what: the record's district as it is stored and as it
        // will be. Checked here, below every screen, for every write.
        {
            let allowed = |r: &R| -> Result<(), SaveError> {
                may_change::<R>(who.access, r.district_in(self), r.fund_in()).map_err(SaveError::Denied)
            };
            match &op {
                WriteOp::Save(r) | WriteOp::Restore(r) => allowed(r)?,
                WriteOp::Revert { to: Some(r), .. } => allowed(r)?,
                WriteOp::Delete { .. } | WriteOp::Revert { to: None, .. } => {}
            }
            if let Some(k) = &existing_key
                && let Some(old) = self.get_at::<R>(k)?
            {
                allowed(&old)?;
            }
        }
        // The children an update may have to refresh are listed before the
        // transaction (a transaction cannot scan). Whether a record may be
        // deleted is decided inside it, from the count of its children.
        let mut child_keys = Vec::new();
        let deletes = matches!(op, WriteOp::Delete { .. } | WriteOp::Revert { to: None, .. });
        // Records that name this one (a sage's coaching of an occupation
        // record): a delete would leave them naming nothing, and the sage's
        // place taken. Looked for before the transaction, which cannot scan.
        if let (Some(k), true) = (&existing_key, deletes)
            && let Some(kind) = R::named_by(self, k)?
        {
            return Err(SaveError::HasChildren(kind));
        }
        if let (Some(children), Some(k), false) = (R::CHILDREN, &existing_key, deletes) {
            page::for_each(children, &self.tree(children)?, k, &mut |_| Ok(()), &mut |ck, _| {
                child_keys.push(ck.to_vec());
                Ok(())
            })?;
        }

        let mut names: Vec<&'static str> =
            vec![trees::META, trees::AUDIT, R::TREE, trees::FUND_STATS, trees::CHILDREN];
        let child_pos = R::CHILDREN.map(|c| {
            names.push(c);
            names.len() - 1
        });
        names.extend_from_slice(R::INDEXES);
        let places = (R::PLACES_IN.is_some() || R::OFFERS_PLACES).then(|| {
            names.push(trees::LOADS);
            names.len() - 1
        });
        let district_pos = R::DISTRICT_STATS.then(|| {
            names.push(trees::DISTRICT_STATS);
            names.len() - 1
        });
        let risk_pos = R::FUND_RISK.then(|| {
            names.push(trees::FUND_RISK);
            names.len() - 1
        });
        let places_in = R::PLACES_IN.map(|(tree, of)| {
            names.push(tree);
            (names.len() - 1, of)
        });
        let trees: Vec<sled::Tree> = names.iter().map(|n| self.tree(n)).collect::<Result<_, _>>()?;
        let index_pos = |name: &str| names.iter().position(|n| *n == name);

        // The funds whose figures this write changes (noted once it commits,
        // for the figures kept in memory: `kept`).
        let changed_funds = std::cell::RefCell::new(Vec::new());
        let result = trees.as_slice().transaction(|tx: &Vec<TransactionalTree>| {
            let (meta, audit, primary, stats, children) = (&tx[0], &tx[1], &tx[2], &tx[3], &tx[4]);
            changed_funds.borrow_mut().clear();
            let enc = |r: &R| r.to_stored().map_err(|e| abort(StoreError::Encode(e)));

            let (target_key, new_id) = match (&op, &existing_key) {
                (WriteOp::Save(r), None) => {
                    let mut n = (*r).clone();
                    n.set_id(next_id(meta, R::TREE)?);
                    (n.key(), Some(n.id()))
                }
                (_, Some(k)) => (k.clone(), None),
                (_, None) => return Err(abort(SaveError::Gone(Vec::new()))),
            };
            let old_bytes = tx_get(R::TREE, primary, &target_key)?;
            let old: Option<R> = match &old_bytes {
                Some(b) => Some(Self::decode_record(&target_key, b).map_err(abort)?),
                None => None,
            };
            let stale = |cur: &R| abort(SaveError::Stale { current: cur.version() });

            let (next, action): (Option<R>, AuditAction) = match &op {
                WriteOp::Save(r) if new_id.is_some() => {
                    let mut n = (*r).clone();
                    n.set_id(new_id.unwrap_or_default());
                    n.set_version(1);
                    (Some(n), AuditAction::Create)
                }
                WriteOp::Save(r) => {
                    let Some(cur) = &old else { return Err(abort(SaveError::Gone(target_key.clone()))) };
                    if cur.version() != r.version() {
                        return Err(stale(cur));
                    }
                    let mut n = (*r).clone();
                    n.set_version(cur.version() + 1);
                    (Some(n), AuditAction::Update)
                }
                WriteOp::Restore(r) => {
                    if let Some(cur) = &old {
                        return Err(stale(cur));
                    }
                    let mut n = (*r).clone();
                    n.set_version(r.version() + 1);
                    (Some(n), AuditAction::Create)
                }
                WriteOp::Delete { version, .. } => {
                    let Some(cur) = &old else { return Err(abort(SaveError::Gone(target_key.clone()))) };
                    if cur.version() != *version {
                        return Err(stale(cur));
                    }
                    if let Some(tree) = R::CHILDREN
                        && count_of(children.get(children_key(tree, &target_key))?.as_deref()) > 0
                    {
                        return Err(abort(SaveError::HasChildren(tree)));
                    }
                    (None, AuditAction::Delete)
                }
                WriteOp::Revert { expect, to, .. } => {
                    // Exactly as the change left it, or someone changed it since.
                    if old_bytes.as_deref() != expect.as_deref() {
                        return Err(abort(SaveError::Stale {
                            current: old.as_ref().map_or(0, Record::version),
                        }));
                    }
                    if to.is_none()
                        && let Some(tree) = R::CHILDREN
                        && count_of(children.get(children_key(tree, &target_key))?.as_deref()) > 0
                    {
                        return Err(abort(SaveError::HasChildren(tree)));
                    }
                    let action = match (&old, to) {
                        (None, _) => AuditAction::Create,
                        (Some(_), Some(_)) => AuditAction::Update,
                        (Some(_), None) => AuditAction::Delete,
                    };
                    (to.clone(), action)
                }
            };

            // The parent's count of children follows a child that comes, goes or moves.
            let (was, is) =
                (old.as_ref().and_then(Record::parent_key), next.as_ref().and_then(Record::parent_key));
            if was != is {
                for (parent, step) in [(was, -1i64), (is, 1)] {
                    if let Some(p) = parent {
                        let k = children_key(R::TREE, &p);
                        let n = count_of(children.get(&k)?.as_deref()).saturating_add_signed(step);
                        put_count(children, &k, n)?;
                    }
                }
            }

            // Places: a record that takes one of its parent's moves the count
            // with it and is refused when every place is taken; a parent that
            // offers places may not offer fewer than are taken.
            if let Some(lp) = places {
                let loads = &tx[lp];
                let (was, is) = (old.as_ref().and_then(Record::place), next.as_ref().and_then(Record::place));
                if let (Some((pp, capacity_of)), true) = (places_in, was != is) {
                    if let Some(p) = &was {
                        let n = count_of(loads.get(p)?.as_deref()).saturating_sub(1);
                        put_count(loads, p, n)?;
                    }
                    if let Some(p) = &is {
                        let Some(parent) = tx[pp].get(p)? else {
                            return Err(abort(SaveError::Gone(p.clone())));
                        };
                        let capacity = capacity_of(&parent).map_err(|source| {
                            abort(StoreError::Codec { tree: names[pp], key: p.clone(), source })
                        })?;
                        let n = count_of(loads.get(p)?.as_deref());
                        if n >= capacity {
                            return Err(abort(SaveError::Full { capacity }));
                        }
                        loads.insert(p.as_slice(), &(n + 1).to_be_bytes())?;
                    }
                }
                if let (true, Some(n)) = (R::OFFERS_PLACES, &next) {
                    let taken = count_of(loads.get(&target_key)?.as_deref());
                    if taken > n.capacity() {
                        return Err(abort(SaveError::Full { capacity: n.capacity() }));
                    }
                }
            }

            // Indexes: drop the old record's entries, then check and add the new.
            let ix = |e: IndexError<sled::transaction::UnabortableTransactionError>| match e {
                IndexError::Storage(e) => Abort::from(e),
                IndexError::Codec(c) => abort(StoreError::Encode(c)),
                IndexError::Damaged { at, source } => abort(index::damaged(at, source)),
            };
            if let Some(o) = &old {
                for e in o.index_entries() {
                    if let Some(p) = index_pos(e.tree) {
                        index::remove(&tx[p], e.tree, &e.key).map_err(ix)?;
                    }
                }
            }
            if let Some(n) = &next {
                for e in n.index_entries() {
                    let Some(p) = index_pos(e.tree) else { continue };
                    if e.unique {
                        if let Some(other) = index::get(&tx[p], e.tree, &e.key).map_err(ix)?
                            && other != target_key
                        {
                            return Err(abort(SaveError::Duplicate { index: e.tree, other }));
                        }
                        index::put(&tx[p], e.tree, &e.key, &target_key).map_err(ix)?;
                    } else {
                        index::put(&tx[p], e.tree, &e.key, &[]).map_err(ix)?;
                    }
                }
            }

            // Aggregates: take the old record's share out, put the new one's in.
            let mut deltas: BTreeMap<u64, FundStats> = BTreeMap::new();
            for (rec, sign) in [(old.as_ref(), -1), (next.as_ref(), 1)] {
                if let Some((fund, s)) = rec.and_then(Record::fund_stats) {
                    deltas.entry(fund).or_default().add(&s, sign);
                }
            }
            for (fund, delta) in deltas {
                if delta == FundStats::default() {
                    continue;
                }
                changed_funds.borrow_mut().push(fund);
                let mut s = decode_stats(fund, stats.get(key(fund))?.as_deref()).map_err(abort)?;
                s.add(&delta, 1);
                let bytes = codec::encode(SCHEMA_STATS, &s).map_err(|e| abort(StoreError::Encode(e)))?;
                stats.insert(&key(fund), bytes)?;
            }

            // The district's figures and the fund's loans at risk, the same way.
            if let Some(dp) = district_pos {
                let mut deltas: BTreeMap<u16, DistrictStats> = BTreeMap::new();
                for (rec, sign) in [(old.as_ref(), -1), (next.as_ref(), 1)] {
                    if let Some((d, s)) = rec.and_then(Record::district_stats) {
                        deltas.entry(d).or_default().add(&s, sign);
                    }
                }
                for (d, delta) in deltas {
                    if delta == DistrictStats::default() {
                        continue;
                    }
                    let k = district_key(d);
                    let mut s: DistrictStats =
                        decode_aggregate(trees::DISTRICT_STATS, &k, tx[dp].get(&k)?.as_deref())
                            .map_err(abort)?;
                    s.add(&delta, 1);
                    let bytes = codec::encode(SCHEMA_STATS, &s).map_err(|e| abort(StoreError::Encode(e)))?;
                    tx[dp].insert(k.as_slice(), bytes)?;
                }
            }
            if let Some(rp) = risk_pos {
                let mut deltas: BTreeMap<u64, FundRisk> = BTreeMap::new();
                for (rec, sign) in [(old.as_ref(), -1), (next.as_ref(), 1)] {
                    if let Some((f, r)) = rec.and_then(Record::fund_risk) {
                        deltas.entry(f).or_default().add(&r, sign);
                    }
                }
                for (f, delta) in deltas {
                    if delta.is_empty() {
                        continue;
                    }
                    changed_funds.borrow_mut().push(f);
                    let k = key(f);
                    let mut r: FundRisk =
                        decode_aggregate(trees::FUND_RISK, &k, tx[rp].get(k)?.as_deref()).map_err(abort)?;
                    r.add(&delta, 1);
                    if r.is_empty() {
                        tx[rp].remove(&k)?;
                    } else {
                        let bytes =
                            codec::encode(SCHEMA_STATS, &r).map_err(|e| abort(StoreError::Encode(e)))?;
                        tx[rp].insert(&k, bytes)?;
                    }
                }
            }

            // Children that copy something of this record.
            if let (Some(n), Some(p)) = (&next, child_pos) {
                for ck in &child_keys {
                    if let Some(bytes) = tx_get(names[p], &tx[p], ck)?
                        && let Some(fresh) =
                            n.refresh_child(&bytes).map_err(|e| abort(StoreError::Encode(e)))?
                    {
                        tx_put(names[p], &tx[p], ck, Some(&fresh))?;
                    }
                }
            }

            let new_bytes = match &next {
                Some(n) => {
                    let bytes = enc(n)?;
                    tx_put(R::TREE, primary, &target_key, Some(&bytes))?;
                    Some(bytes)
                }
                None => {
                    tx_put(R::TREE, primary, &target_key, None)?;
                    None
                }
            };

            // The change set: the action's, or this write's own.
            let audit_id = next_id(meta, trees::AUDIT)?;
            let change = who.change.map(ChangeSlot::id).filter(|c| *c != 0).unwrap_or(audit_id);
            let note = match &op {
                WriteOp::Revert { note, .. } => note.clone(),
                _ => String::new(),
            };
            let entry = AuditEntry {
                time_ms: now_ms(),
                officer: officer.to_string(),
                action,
                kind: R::TREE.to_string(),
                key: target_key.clone(),
                before: old_bytes.map(|b| b.to_vec()),
                after: new_bytes,
                note,
                change,
            };
            let audit_bytes =
                codec::encode(SCHEMA_AUDIT, &entry).map_err(|e| abort(StoreError::Encode(e)))?;
            audit.insert(&key(audit_id), audit_bytes)?;
            Ok((next.or(old), audit_id))
        });
        let out = match result {
            Ok((v, audit_id)) => {
                if let Some(slot) = who.change {
                    slot.take(audit_id);
                }
                self.fund_changes.funds(changed_funds.take());
                self.touched(R::TREE);
                self.touched(trees::AUDIT);
                v
            }
            Err(TransactionError::Abort(e)) => return Err(e),
            Err(TransactionError::Storage(e)) => return Err(e.into()),
        };
        // The transaction has committed in memory. If the disk will not take
        // it (full), sled has not written it and refuses every later write
        // until the store is opened again: the save is reported as failed,
        // and after a restart it is not there. (A retry in this process is
        // refused too, so it cannot make a second record.)
        if !sync {
            return Ok(out);
        }
        if let Err(e) = self.finish_write() {
            self.generation.fetch_add(1, Ordering::AcqRel);
            return Err(e.into());
        }
        Ok(out)
    }

    /// After any acknowledged write: to disk, remembered, announced.
    pub(super) fn finish_write(&self) -> Result<(), StoreError> {
        self.sync()?;
        self.acknowledge()?;
        self.generation.fetch_add(1, Ordering::AcqRel);
        Ok(())
    }

    /// Writes many new records at once, as one load (see [`super::load`]):
    /// all of them or, refused or cut off, none.
    pub fn bulk_insert<R: Record>(
        &self,
        officer: &str,
        note: &str,
        recs: Vec<R>,
    ) -> Result<Vec<u64>, SaveError> {
        let load = self.begin_load(officer, note, 0)?;
        let ids = load.bulk_insert(recs)?;
        load.commit(R::TREE, ids.len() as u64)?;
        Ok(ids)
    }
}

/// What records add to the indexes and aggregates, summed as they come and
/// written out at once: a bulk load's, and `repair`'s rebuild of them all.
#[derive(Default)]
pub(super) struct Derived {
    /// Entries by index tree: (key, the record's key for unique indexes).
    pub(super) index: FastMap<&'static str, Vec<PendingEntry>>,
    pub(super) stats: FastMap<u64, FundStats>,
    /// Counts of children, by [`children_key`].
    pub(super) children: FastMap<Vec<u8>, u64>,
    /// Places taken of each parent, by the parent's key.
    pub(super) places: FastMap<Vec<u8>, u64>,
    pub(super) districts: FastMap<u16, DistrictStats>,
    pub(super) risks: FastMap<u64, FundRisk>,
}

impl Derived {
    /// Index entries and counts held, not yet written.
    pub(super) fn held(&self) -> usize {
        self.index.values().map(Vec::len).sum::<usize>() + self.children.len() + self.places.len()
    }

    /// Adds what `r`, stored under `k`, gives to the indexes and aggregates.
    pub(super) fn add<R: Record>(&mut self, r: &R, k: &[u8]) {
        for e in r.index_entries() {
            self.index.entry(e.tree).or_default().push((e.key, e.unique.then(|| k.to_vec())));
        }
        if let Some((fund, s)) = r.fund_stats() {
            self.stats.entry(fund).or_default().add(&s, 1);
        }
        if let Some(p) = r.parent_key() {
            *self.children.entry(children_key(R::TREE, &p)).or_default() += 1;
        }
        if let Some(p) = r.place() {
            *self.places.entry(p).or_default() += 1;
        }
        if let Some((d, s)) = r.district_stats() {
            self.districts.entry(d).or_default().add(&s, 1);
        }
        if let Some((f, x)) = r.fund_risk() {
            self.risks.entry(f).or_default().add(&x, 1);
        }
    }

    /// Writes the index entries (sorted first; unique ones are not checked
    /// here) and adds the aggregates to what their trees hold.
    pub(super) fn write(&mut self, store: &Store) -> Result<(), StoreError> {
        for entries in self.index.values_mut() {
            entries.sort_by(|a, b| a.0.cmp(&b.0));
        }
        let loads = store.tree(trees::LOADS)?;
        for (name, entries) in &self.index {
            let tree = store.tree(name)?;
            let mut batch = sled::Batch::default();
            let mut in_batch = 0;
            let mut i = 0;
            while i < entries.len() {
                let (k, value) = &entries[i];
                let value = value.as_deref().unwrap_or(&[]);
                match index::bucket_of(name, k) {
                    None => {
                        batch.insert(k.as_slice(), value);
                        i += 1;
                    }
                    Some(b) => {
                        // Entries are sorted, so a bucket's entries are adjacent.
                        let mut fresh = Vec::new();
                        while i < entries.len() && index::bucket_of(name, &entries[i].0) == Some(b) {
                            let (k, v) = &entries[i];
                            fresh.push((k.clone(), v.clone().unwrap_or_default()));
                            i += 1;
                        }
                        let mut pairs = Vec::new();
                        index::merge(&tree, b.to_vec(), fresh, &mut pairs)
                            .map_err(index::IndexError::into_store)?;
                        for (k, v) in pairs {
                            batch.insert(k, v);
                        }
                    }
                }
                in_batch += 1;
                if in_batch == BATCH {
                    tree.apply_batch(std::mem::take(&mut batch))?;
                    in_batch = 0;
                }
            }
            tree.apply_batch(batch)?;
        }
        let stats_tree = store.tree(trees::FUND_STATS)?;
        let mut funds: Vec<(&u64, &FundStats)> = self.stats.iter().collect();
        funds.sort_by_key(|(f, _)| **f);
        for (fund, delta) in funds {
            let mut s = decode_stats(*fund, stats_tree.get(key(*fund))?.as_deref())?;
            s.add(delta, 1);
            stats_tree.insert(key(*fund), codec::encode(SCHEMA_STATS, &s).map_err(StoreError::Encode)?)?;
        }
        let children = store.tree(trees::CHILDREN)?;
        let mut parents: Vec<(&Vec<u8>, &u64)> = self.children.iter().collect();
        parents.sort();
        // A load's new parents (its members, as a rule) are new keys in key
        // order: written so that sled's leaves come out full (`fill`).
        let mut fresh = Vec::new();
        for (parent, n) in parents {
            match children.get(parent)? {
                Some(old) => {
                    let now = count_of(Some(old.as_ref())) + n;
                    children.insert(parent.as_slice(), &now.to_be_bytes())?;
                }
                None => fresh.push((parent.clone(), n.to_be_bytes().to_vec())),
            }
        }
        super::fill::write(&children, &fresh)?;
        let tree = store.tree(trees::DISTRICT_STATS)?;
        let mut districts: Vec<(&u16, &DistrictStats)> = self.districts.iter().collect();
        districts.sort_by_key(|(d, _)| **d);
        for (d, delta) in districts {
            let k = district_key(*d);
            let mut s: DistrictStats = decode_aggregate(trees::DISTRICT_STATS, &k, tree.get(&k)?.as_deref())?;
            s.add(delta, 1);
            tree.insert(k, codec::encode(SCHEMA_STATS, &s).map_err(StoreError::Encode)?)?;
        }
        let tree = store.tree(trees::FUND_RISK)?;
        let mut risks: Vec<(&u64, &FundRisk)> = self.risks.iter().collect();
        risks.sort_by_key(|(f, _)| **f);
        for chunk in risks.chunks(BATCH) {
            let mut batch = sled::Batch::default();
            for (f, delta) in chunk {
                let k = key(**f);
                let mut r: FundRisk = decode_aggregate(trees::FUND_RISK, &k, tree.get(k)?.as_deref())?;
                r.add(delta, 1);
                batch.insert(&k, codec::encode(SCHEMA_STATS, &r).map_err(StoreError::Encode)?);
            }
            tree.apply_batch(batch)?;
        }
        let mut parents: Vec<(&Vec<u8>, &u64)> = self.places.iter().collect();
        parents.sort();
        for (parent, n) in parents {
            let now = count_of(loads.get(parent)?.as_deref()) + n;
            loads.insert(parent.as_slice(), &now.to_be_bytes())?;
        }
        Ok(())
    }
}
