//! `check`: does everything the store keeps beside its records (indexes,
//! counts of children and of places taken, the funds' and districts'
//! figures, counters) agree with the records, and do the records' references
//! lead somewhere? `repair`: rebuild what is derived from the records.
//!
//! Both hold the store's write lock alone (see `backup`), so saves wait.
//!
//! The check reads each tree's pairs from a `Source`: the store's trees,
//! or a backup's pairs as a restore writes them (`StreamCheck`), so a
//! restored store is checked by the same code without being read back.

use std::{
    cmp::Ordering,
    collections::HashMap,
    fmt,
    sync::{
        Arc,
        mpsc::{Receiver, SyncSender, sync_channel},
    },
    thread::JoinHandle,
};

use foldhash::{HashMap as FastMap, HashSet as FastSet};

use super::{
    codec,
    core::{KEY_SCHEMA, SCHEMA_PLACE, Store, StoreError, counter_key, id_of, key, next_id_in, schema_in},
    index,
    load::{Pair, Pairs, Work},
    migrate, page,
    record::Record,
    reference::{SCHEMA_CATEGORY, SCHEMA_PROFILE},
    stats::{DistrictStats, FundRisk, FundStats},
    trees,
    write::{Derived, PendingEntry, count_of, decode_aggregate, district_key},
};
use crate::domain::{
    fund::Fund,
    geo::Place,
    member::Member,
    occupation::{OccupationCategory, OccupationRecord},
    officer::Officer,
    programme::{NetworkCommittee, OtopProduct, Producer, SupportActivity, SupportScope},
    ranking::Profile,
    sage::{Assignment, Sage},
};

/// At most this many problems are listed; the rest are only counted.
pub const MAX_PROBLEMS: usize = 10_000;

/// What kind of thing is wrong: what an officer is told in Thai
/// (`service::messages::fault`), beside [`Problem::what`] in English.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    /// A record, bucket, count or entry that cannot be read.
    Unreadable,
    /// A record under a key its fields do not give, or past the last id.
    Misplaced,
    /// A reference to a record that does not exist.
    Dangling,
    /// One id or code claimed by two records.
    Twice,
    /// An index entry missing, in the wrong place or pointing elsewhere.
    Index,
    /// A total or count that is not what the records add up to.
    Total,
    /// A counter that would give an id already taken.
    Counter,
    /// The schema version missing, or newer than this program.
    Schema,
}

/// One thing found wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub tree: &'static str,
    /// The key as ids (`7/123`), a code or a name.
    pub key: String,
    pub fault: Fault,
    /// What is wrong, in plain English.
    pub what: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}: {}", self.tree, self.key, self.what)
    }
}

#[derive(Clone, Debug, Default)]
pub struct CheckReport {
    /// What is wrong, tree by tree (at most [`MAX_PROBLEMS`]).
    pub problems: Vec<Problem>,
    /// Problems found beyond those listed.
    pub more: u64,
    /// Entries in each tree, in the order of [`trees::ALL`].
    pub counts: Vec<(&'static str, u64)>,
}

impl CheckReport {
    pub fn is_clean(&self) -> bool {
        self.problems.is_empty() && self.more == 0
    }
}

#[derive(Clone, Debug, Default)]
pub struct RepairReport {
    /// Entries in each rebuilt tree afterwards.
    pub rebuilt: Vec<(&'static str, u64)>,
    /// Counters moved up: the tree, the id it would have given next, the id it gives now.
    pub counters: Vec<(&'static str, u64, u64)>,
    /// What repair cannot put right and left as it was: records that do not
    /// decode, index keys two records claim (the first keeps it).
    pub left: Vec<Problem>,
}

impl Store {
    /// A tree by name, for tests and tools that must reach past the records.
    #[doc(hidden)]
    pub fn raw_tree(&self, name: &str) -> Result<sled::Tree, StoreError> {
        self.tree(name)
    }

    /// Writes (`None`: removes) a record's stored bytes where the store keeps
    /// them (in its page, for a tree kept in pages), past every check and
    /// index: for tests and tools that must damage a store on purpose.
    #[doc(hidden)]
    pub fn raw_record(&self, name: &'static str, k: &[u8], v: Option<&[u8]>) -> Result<(), StoreError> {
        page::put(name, &self.tree(name)?, k, v)
    }

    /// The stored bytes of the record under `k` in the tree named `tree`
    /// (as an audit entry names them), wherever the store keeps them; `None`
    /// for no such record or no such tree.
    pub fn stored(&self, tree: &str, k: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        let Some(name) = trees::ALL.iter().copied().find(|t| *t == tree) else { return Ok(None) };
        Ok(page::get(name, &self.tree(name)?, k)?.map(|v| v.to_vec()))
    }

    /// Checks the whole store (see the module's documentation). Reads every
    /// tree once; saves wait until it is done.
    pub fn check(&self) -> Result<CheckReport, StoreError> {
        let _quiet = self.quiesced();
        check_pairs(&mut Trees(self), Vec::new())
    }

    /// Rebuilds every index and aggregate tree from the records, raises the
    /// counters that are behind, notes it in the audit trail and syncs.
    /// Records are never changed: one that does not decode is left as it is
    /// (and reported), and so are records whose references lead nowhere.
    /// Everything is worked out before the first tree is cleared; a repair
    /// cut short is put right by running it again.
    ///
    /// The repair marks the store first (see [`super::load`]): one cut off
    /// by a crash is finished by the next open.
    pub fn repair(&self, who: &str) -> Result<RepairReport, StoreError> {
        let load = self.begin(Work::Repair, who, "repair")?;
        let report = self.rebuild()?;
        let note = format!(
            "repair: rebuilt {} index and aggregate trees from the records; {} counters raised; {} problems left",
            report.rebuilt.len(),
            report.counters.len(),
            report.left.len()
        );
        load.commit_note(&note)?;
        Ok(report)
    }

    /// Rebuilds every index and aggregate tree from the records and raises
    /// the counters that are behind; the caller holds the store alone.
    pub(super) fn rebuild(&self) -> Result<RepairReport, StoreError> {
        let mut plan = Plan::default();
        plan.kind::<Fund>(self, |_| {})?;
        let mut max_loan = 0;
        plan.kind::<Member>(self, |m| {
            max_loan = m.loans.iter().map(|l| l.id).fold(max_loan, u64::max);
        })?;
        plan.kind::<OccupationRecord>(self, |_| {})?;
        plan.kind::<Sage>(self, |_| {})?;
        plan.kind::<Assignment>(self, |_| {})?;
        plan.kind::<NetworkCommittee>(self, |_| {})?;
        plan.kind::<SupportActivity>(self, |_| {})?;
        plan.kind::<OtopProduct>(self, |_| {})?;
        plan.kind::<Officer>(self, |_| {})?;
        plan.maxima.push((trees::LOANS, max_loan));
        let last_audit = self.tree(trees::AUDIT)?.last()?.and_then(|(k, _)| id_of(&k)).unwrap_or(0);
        plan.maxima.push((trees::AUDIT, last_audit));

        let mut rebuilt: Vec<&'static str> =
            vec![trees::FUND_STATS, trees::CHILDREN, trees::LOADS, trees::DISTRICT_STATS, trees::FUND_RISK];
        rebuilt.extend(plan.indexes.iter().copied());
        self.fund_changes.all();
        for name in &rebuilt {
            self.tree(name)?.clear()?;
        }
        for mut d in plan.derived {
            d.write(self)?;
        }
        let meta = self.tree(trees::META)?;
        let mut counters = Vec::new();
        for (tree, max) in plan.maxima {
            let next = self.counter(tree)?;
            if max > 0 && next <= max {
                meta.insert(counter_key(tree), &key(max + 1))?;
                counters.push((tree, next, max + 1));
            }
        }
        let mut report = RepairReport { rebuilt: Vec::new(), counters, left: plan.left };
        for name in rebuilt {
            report.rebuilt.push((name, self.tree(name)?.len() as u64));
        }
        Ok(report)
    }
}

/// Where a check reads the pairs of each tree: the store's own trees, or a
/// backup's as a restore writes them ([`StreamCheck`]).
pub(super) trait Source {
    /// Calls `each` with every pair of `tree`, in key order (none for a tree
    /// that is not there). Each tree is asked for once.
    fn pairs(&mut self, tree: &'static str, each: &mut dyn FnMut(&[u8], &[u8])) -> Result<(), StoreError>;
}

/// The store's trees.
struct Trees<'s>(&'s Store);

impl Source for Trees<'_> {
    fn pairs(&mut self, tree: &'static str, each: &mut dyn FnMut(&[u8], &[u8])) -> Result<(), StoreError> {
        for item in self.0.tree(tree)?.iter() {
            let (k, v) = item?;
            each(&k, &v);
        }
        Ok(())
    }
}

/// The check itself, whatever the pairs are read from. `meta_after`: pairs
/// of the meta tree written after those `src` gives (a restore's schema
/// version), which take their place.
fn check_pairs(src: &mut dyn Source, meta_after: Vec<Pair>) -> Result<CheckReport, StoreError> {
    let mut c = Checker::new();
    src.pairs(trees::META, &mut |k, v| {
        c.meta.insert(k.to_vec(), v.to_vec());
    })?;
    c.meta.extend(meta_after);
    c.counts.insert(trees::META, c.meta.len() as u64);
    c.records::<Fund>(src, |c, _, f| {
        c.funds.insert(f.id);
    })?;
    let mut guarantors = Guarantors::default();
    c.records::<Member>(src, |c, k, m| c.member(k, m, &mut guarantors))?;
    guarantors.settle(&mut c);
    c.records::<OccupationRecord>(src, |c, k, o| c.occupation(k, o))?;
    c.records::<Sage>(src, |c, _, s| {
        c.sages.insert(s.id);
    })?;
    c.records::<Assignment>(src, |c, k, a| {
        if !c.sages.contains(&a.sage_id) {
            c.problem(
                trees::ASSIGNMENTS,
                k,
                Fault::Dangling,
                format!("belongs to sage {}, who does not exist", a.sage_id),
            );
        }
        c.household(trees::ASSIGNMENTS, k, a.occupation, "is for");
    })?;
    c.records::<NetworkCommittee>(src, |c, k, n| {
        for b in &n.briefings {
            for f in &b.funds {
                let (y, m, d) = b.date.ymd();
                c.fund(trees::COMMITTEES, k, *f, &format!("the briefing of {y}-{m:02}-{d:02}"));
            }
        }
    })?;
    c.records::<SupportActivity>(src, |c, k, s| match s.scope {
        SupportScope::District(_) => {}
        SupportScope::Fund(f) => c.fund(trees::SUPPORT, k, f, "its scope"),
        SupportScope::Household(h) => c.household(trees::SUPPORT, k, h, "is for"),
    })?;
    c.records::<OtopProduct>(src, |c, k, o| match &o.producer {
        Producer::Household(h) => c.household(trees::OTOP, k, *h, "is made by"),
        Producer::Group { fund, .. } => c.fund(trees::OTOP, k, *fund, "its producer group"),
    })?;
    c.records::<Officer>(src, |_, _, _| {})?;
    c.aggregates(src)?;
    c.rest(src)?;
    let mut counts = Vec::with_capacity(trees::ALL.len());
    for name in trees::ALL {
        let n = match c.counts.get(name) {
            Some(n) => *n,
            None => {
                let mut n = 0u64;
                src.pairs(name, &mut |_, _| n += 1)?;
                n
            }
        };
        counts.push((name, n));
    }
    Ok(CheckReport { problems: c.problems, more: c.more, counts })
}

/// What a restore hands its check: a batch of a tree's pairs, or the end of
/// a tree.
enum Feed {
    Pairs(&'static str, Arc<Pairs>),
    End(&'static str),
}

/// Batches on their way to the check; the restore waits when this many are.
const FEED_DEPTH: usize = 4;

/// A check of a backup's pairs as a restore writes them, on a thread of its
/// own: the restored store need not be read back to be checked. It sees
/// exactly the pairs the store is given (the same batches), in the order the
/// backup lists its trees; a tree the check is not ready for is held until it
/// is.
pub(super) struct StreamCheck {
    tx: Option<SyncSender<Feed>>,
    thread: Option<JoinHandle<Result<CheckReport, StoreError>>>,
}

impl StreamCheck {
    /// `meta_after`: what the restore writes into the meta tree after the
    /// backup's own pairs.
    pub(super) fn start(meta_after: Vec<Pair>) -> std::io::Result<StreamCheck> {
        let (tx, rx) = sync_channel(FEED_DEPTH);
        let thread = std::thread::Builder::new().name("restore-check".into()).spawn(move || {
            let mut src = Stream { rx: Some(rx), held: HashMap::new(), ended: Vec::new() };
            check_pairs(&mut src, meta_after)
        })?;
        Ok(StreamCheck { tx: Some(tx), thread: Some(thread) })
    }

    /// A batch of `tree`'s pairs, in key order after the batch before.
    pub(super) fn pairs(&self, tree: &'static str, batch: Arc<Pairs>) {
        // A check that has stopped (it failed) reports why when finished.
        if let Some(tx) = &self.tx {
            let _ = tx.send(Feed::Pairs(tree, batch));
        }
    }

    /// Every pair of `tree` has been given.
    pub(super) fn end(&self, tree: &'static str) {
        if let Some(tx) = &self.tx {
            let _ = tx.send(Feed::End(tree));
        }
    }

    /// The report, once every tree has been given.
    pub(super) fn finish(mut self) -> Result<CheckReport, StoreError> {
        self.tx = None;
        match self.thread.take().map(JoinHandle::join) {
            Some(Ok(report)) => report,
            _ => Err(StoreError::Io(std::io::Error::other("the restore's check stopped"))),
        }
    }
}

impl Drop for StreamCheck {
    /// A restore that fails half-way waits for its check to stop.
    fn drop(&mut self) {
        self.tx = None;
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// The pairs a restore hands over, as a [`Source`].
struct Stream {
    /// None once the restore has given everything.
    rx: Option<Receiver<Feed>>,
    /// Batches of trees that came before they were asked for.
    held: HashMap<&'static str, Vec<Arc<Pairs>>>,
    /// Trees whose end has come.
    ended: Vec<&'static str>,
}

impl Source for Stream {
    fn pairs(&mut self, tree: &'static str, each: &mut dyn FnMut(&[u8], &[u8])) -> Result<(), StoreError> {
        for batch in self.held.remove(tree).unwrap_or_default() {
            batch.iter().for_each(|(k, v)| each(k, v));
        }
        if self.ended.contains(&tree) {
            return Ok(());
        }
        while let Some(rx) = &self.rx {
            match rx.recv() {
                Ok(Feed::Pairs(t, batch)) if t == tree => batch.iter().for_each(|(k, v)| each(k, v)),
                Ok(Feed::Pairs(t, batch)) => self.held.entry(t).or_default().push(batch),
                Ok(Feed::End(t)) => {
                    self.ended.push(t);
                    if t == tree {
                        break;
                    }
                }
                // Everything given: a tree not seen is not in the backup.
                Err(_) => self.rx = None,
            }
        }
        Ok(())
    }
}

/// What repair will write, worked out before anything is cleared.
#[derive(Default)]
struct Plan {
    derived: Vec<Derived>,
    indexes: Vec<&'static str>,
    maxima: Vec<(&'static str, u64)>,
    left: Vec<Problem>,
}

impl Plan {
    fn kind<R: Record>(&mut self, store: &Store, mut each: impl FnMut(&R)) -> Result<(), StoreError> {
        let mut d = Derived::default();
        let mut max = 0;
        let group = page::group(R::TREE);
        for item in store.tree(R::TREE)?.iter() {
            let (k, v) = item?;
            let mut one = |k: &[u8], v: &[u8]| {
                max = max.max(id_of(k).unwrap_or(0));
                match R::from_stored(v) {
                    Ok(r) => {
                        max = max.max(r.id());
                        d.add(&r, k);
                        each(&r);
                    }
                    Err(e) => self.left.push(problem(
                        R::TREE,
                        k,
                        Fault::Unreadable,
                        format!("does not decode ({e}); left as it is"),
                    )),
                }
            };
            let Some(g) = group else {
                one(&k, &v);
                continue;
            };
            if !page::is_page_key(g, &k) {
                self.left.push(problem(
                    R::TREE,
                    &k,
                    Fault::Misplaced,
                    "is stored alone, not in its page; left as it is".to_string(),
                ));
                continue;
            }
            if let Err(e) = page::each_record(g, &k, &v, &mut one) {
                self.left.push(problem(
                    R::TREE,
                    &k,
                    Fault::Unreadable,
                    format!("a page that does not read ({e}); left as it is"),
                ));
            }
        }
        // A unique key claimed twice: the first record (in key order) keeps it.
        for (name, entries) in d.index.iter_mut() {
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            let left = &mut self.left;
            entries.dedup_by(|later, kept| {
                let twice = later.0 == kept.0;
                if twice {
                    left.push(problem(
                        name,
                        &later.0,
                        Fault::Twice,
                        format!(
                            "claimed by {} and {}; the index keeps the first",
                            show_key(R::TREE, kept.1.as_deref().unwrap_or_default()),
                            show_key(R::TREE, later.1.as_deref().unwrap_or_default())
                        ),
                    ));
                }
                twice
            });
        }
        self.indexes.extend_from_slice(R::INDEXES);
        self.maxima.push((R::TREE, max));
        self.derived.push(d);
        Ok(())
    }
}

fn problem(tree: &'static str, k: &[u8], fault: Fault, what: String) -> Problem {
    Problem { tree, key: show_key(tree, k), fault, what }
}

/// A key as a person reads it: ids joined by `/`, a code or name in quotes,
/// `assignments of 7` for counts kept by kind, hex for anything else.
pub fn show_key(tree: &str, k: &[u8]) -> String {
    fn ids(k: &[u8]) -> String {
        k.chunks_exact(8)
            .map(|c| u64::from_be_bytes(c.try_into().unwrap_or_default()).to_string())
            .collect::<Vec<_>>()
            .join("/")
    }
    let text = |k: &[u8]| {
        std::str::from_utf8(k).ok().filter(|s| !s.chars().any(char::is_control)).map(|s| format!("{s:?}"))
    };
    if k.is_empty() {
        return "(empty key)".into();
    }
    let by_text = [trees::FUNDS_BY_CODE, trees::OFFICERS_BY_LOGIN, trees::META, trees::PROFILES];
    if by_text.contains(&tree)
        && let Some(s) = text(k)
    {
        return s;
    }
    if let Some(z) = k.iter().position(|b| *b == 0)
        && let Some(kind) = trees::ALL.iter().find(|t| t.as_bytes() == &k[..z])
        && z + 1 < k.len()
        && (k.len() - z - 1).is_multiple_of(8)
    {
        return format!("{kind} of {}", ids(&k[z + 1..]));
    }
    if k.len().is_multiple_of(8) {
        return ids(k);
    }
    text(k).unwrap_or_else(|| super::core::hex(k))
}

/// Guarantors are members of the same fund, and a fund's members are stored
/// together: each fund's are checked when its last member has been read.
#[derive(Default)]
struct Guarantors {
    fund: u64,
    /// (member key, loan id, guarantor id)
    pending: Vec<(Vec<u8>, u64, u64)>,
}

impl Guarantors {
    fn settle(&mut self, c: &mut Checker) {
        for (k, loan, g) in std::mem::take(&mut self.pending) {
            if !c.members.contains_key(&(self.fund, g)) {
                c.problem(
                    trees::MEMBERS,
                    &k,
                    Fault::Dangling,
                    format!("loan {loan} names guarantor {g}, who is not a member of fund {}", self.fund),
                );
            }
        }
    }
}

struct Checker {
    /// The meta tree: counters and the schema version.
    meta: FastMap<Vec<u8>, Vec<u8>>,
    problems: Vec<Problem>,
    more: u64,
    counts: HashMap<&'static str, u64>,
    /// Indexes of the kind being read; aggregates of every kind read so far.
    derived: Derived,
    funds: FastSet<u64>,
    /// (fund, member) → where the member's loan ids lie in `loan_ids`.
    members: FastMap<(u64, u64), (usize, usize)>,
    /// Every member's loan ids, one member after another.
    loan_ids: Vec<u64>,
    loans: FastSet<u64>,
    max_loan: u64,
    occupations: FastSet<(u64, u64, u64)>,
    sages: FastSet<u64>,
}

impl Checker {
    fn new() -> Self {
        Checker {
            meta: FastMap::default(),
            problems: Vec::new(),
            more: 0,
            counts: HashMap::new(),
            derived: Derived::default(),
            funds: FastSet::default(),
            members: FastMap::default(),
            loan_ids: Vec::new(),
            loans: FastSet::default(),
            max_loan: 0,
            occupations: FastSet::default(),
            sages: FastSet::default(),
        }
    }

    fn problem(&mut self, tree: &'static str, k: &[u8], fault: Fault, what: String) {
        if self.problems.len() < MAX_PROBLEMS {
            self.problems.push(problem(tree, k, fault, what));
        } else {
            self.more += 1;
        }
    }

    /// Reads every record of a kind: it must decode and sit under its own
    /// key; its index entries must be in its indexes and no others there;
    /// the kind's counter must be past its ids. `each` checks references.
    fn records<R: Record>(
        &mut self,
        src: &mut dyn Source,
        mut each: impl FnMut(&mut Self, &[u8], &R),
    ) -> Result<(), StoreError> {
        let (mut n, mut max) = (0u64, 0u64);
        let group = page::group(R::TREE);
        src.pairs(R::TREE, &mut |k, v| {
            let mut one =
                |this: &mut Self, k: &[u8], v: &[u8]| this.record::<R>(k, v, &mut n, &mut max, &mut each);
            let Some(g) = group else { return one(self, k, v) };
            if !page::is_page_key(g, k) {
                self.problem(R::TREE, k, Fault::Misplaced, "is stored alone, not in its page".to_string());
                return;
            }
            let entries = match page::decode(v) {
                Ok(entries) => entries,
                Err(e) => {
                    self.problem(R::TREE, k, Fault::Unreadable, format!("a page that does not read: {e}"));
                    return;
                }
            };
            let mut rk = k[..g].to_vec();
            for (rest, rv) in entries {
                rk.truncate(g);
                rk.extend_from_slice(rest);
                if page::page_key(g, &rk).as_deref() != Some(k) {
                    self.problem(
                        R::TREE,
                        &rk,
                        Fault::Misplaced,
                        format!("is kept in the page {}", show_key(R::TREE, k)),
                    );
                    continue;
                }
                one(self, &rk, rv);
            }
        })?;
        self.counts.insert(R::TREE, n);
        for name in R::INDEXES {
            let entries = self.derived.index.remove(name).unwrap_or_default();
            self.index(src, name, R::TREE, entries)?;
        }
        self.counter(R::TREE, max);
        Ok(())
    }

    /// One record of [`Checker::records`], stored under `k`.
    fn record<R: Record>(
        &mut self,
        k: &[u8],
        v: &[u8],
        n: &mut u64,
        max: &mut u64,
        each: &mut impl FnMut(&mut Self, &[u8], &R),
    ) {
        {
            *n += 1;
            *max = (*max).max(id_of(k).unwrap_or(0));
            let r = match R::from_stored(v) {
                Ok(r) => r,
                Err(e) => {
                    self.problem(R::TREE, k, Fault::Unreadable, format!("does not decode: {e}"));
                    return;
                }
            };
            let own = r.key();
            if own != k {
                self.problem(
                    R::TREE,
                    k,
                    Fault::Misplaced,
                    format!("is stored under the wrong key: its fields give {}", show_key(R::TREE, &own)),
                );
            }
            *max = (*max).max(r.id());
            if r.id() > super::core::MAX_ID {
                self.problem(
                    R::TREE,
                    k,
                    Fault::Misplaced,
                    format!(
                        "has id {}, past the last id a record may have ({})",
                        r.id(),
                        super::core::MAX_ID
                    ),
                );
            }
            self.derived.add(&r, k);
            each(self, k, &r);
        }
    }

    /// The counter of `tree` must be past `max`, the largest id in use.
    fn counter(&mut self, tree: &'static str, max: u64) {
        let key = counter_key(tree);
        let next = next_id_in(self.meta.get(&key).map(Vec::as_slice));
        if max > 0 && next <= max {
            self.problem(
                trees::META,
                &key,
                Fault::Counter,
                format!("the counter of {tree} would give id {next} next, but id {max} is taken"),
            );
        }
    }

    fn fund(&mut self, tree: &'static str, k: &[u8], fund: u64, via: &str) {
        if !self.funds.contains(&fund) {
            self.problem(tree, k, Fault::Dangling, format!("{via} names fund {fund}, which does not exist"));
        }
    }

    fn household(&mut self, tree: &'static str, k: &[u8], h: (u64, u64, u64), verb: &str) {
        if !self.occupations.contains(&h) {
            self.problem(
                tree,
                k,
                Fault::Dangling,
                format!("{verb} household {}/{}/{}, whose occupation record does not exist", h.0, h.1, h.2),
            );
        }
    }

    fn member(&mut self, k: &[u8], m: &Member, guarantors: &mut Guarantors) {
        if m.fund_id != guarantors.fund {
            guarantors.settle(self);
            guarantors.fund = m.fund_id;
        }
        if !self.funds.contains(&m.fund_id) {
            self.problem(
                trees::MEMBERS,
                k,
                Fault::Dangling,
                format!("belongs to fund {}, which does not exist", m.fund_id),
            );
        }
        for l in &m.loans {
            if !self.loans.insert(l.id) {
                self.problem(
                    trees::MEMBERS,
                    k,
                    Fault::Twice,
                    format!("loan {} has the id of another loan", l.id),
                );
            }
            self.max_loan = self.max_loan.max(l.id);
            for g in &l.guarantors {
                guarantors.pending.push((k.to_vec(), l.id, *g));
            }
        }
        let start = self.loan_ids.len();
        self.loan_ids.extend(m.loans.iter().map(|l| l.id));
        self.members.insert((m.fund_id, m.id), (start, m.loans.len()));
    }

    fn occupation(&mut self, k: &[u8], o: &OccupationRecord) {
        match self.members.get(&(o.fund_id, o.member_id)) {
            None => self.problem(
                trees::OCCUPATIONS,
                k,
                Fault::Dangling,
                format!("belongs to member {}/{}, who does not exist", o.fund_id, o.member_id),
            ),
            Some(&(start, n)) => {
                let loans = self.loan_ids.get(start..start + n).unwrap_or_default();
                let missing: Vec<u64> = o.loan_ids.iter().copied().filter(|l| !loans.contains(l)).collect();
                for l in missing {
                    self.problem(
                        trees::OCCUPATIONS,
                        k,
                        Fault::Dangling,
                        format!("names loan {l}, which member {}/{} does not have", o.fund_id, o.member_id),
                    );
                }
            }
        }
        self.occupations.insert((o.fund_id, o.member_id, o.id));
    }

    /// Compares an index tree with the entries its records give.
    fn index(
        &mut self,
        src: &mut dyn Source,
        name: &'static str,
        of: &'static str,
        mut want: Vec<PendingEntry>,
    ) -> Result<(), StoreError> {
        want.sort_by(|a, b| a.0.cmp(&b.0));
        let mut wanted: Vec<PendingEntry> = Vec::with_capacity(want.len());
        for (k, v) in want {
            if let Some((last, first)) = wanted.last()
                && *last == k
            {
                let what = format!(
                    "claimed by {} and {}; the index can hold only one",
                    show_key(of, first.as_deref().unwrap_or_default()),
                    show_key(of, v.as_deref().unwrap_or_default())
                );
                self.problem(name, &k, Fault::Twice, what);
                continue;
            }
            wanted.push((k, v));
        }
        let bucketed = index::bucket_of(name, &[0; 8]).is_some();
        let mut have: Vec<(Vec<u8>, Vec<u8>)> = Vec::new();
        let mut n = 0u64;
        // Split marks met so far: a bucket below one is found by lookups
        // only when every shorter key above it is a mark (they come first,
        // in key order).
        let mut splits: std::collections::HashSet<Vec<u8>> = std::collections::HashSet::new();
        src.pairs(name, &mut |k, v| {
            n += 1;
            if !bucketed {
                have.push((k.to_vec(), v.to_vec()));
                return;
            }
            let Some(depth) = index::depth_of(k) else {
                self.problem(name, k, Fault::Misplaced, "not a bucket's key: lookups cannot find it".into());
                return;
            };
            if (8..k.len()).any(|above| !splits.contains(&k[..above])) {
                let what = "bucket below one that is not split: lookups cannot find its entries".into();
                self.problem(name, k, Fault::Index, what);
                return;
            }
            if index::is_split(v) {
                if depth < index::MAX_DEPTH {
                    splits.insert(k.to_vec());
                } else {
                    self.problem(
                        name,
                        k,
                        Fault::Unreadable,
                        "split past the last digit: its entries are lost".into(),
                    );
                }
                return;
            }
            let bucket = match index::decode_bucket(Some(v)) {
                Ok(b) => b,
                Err(e) => {
                    self.problem(
                        name,
                        k,
                        Fault::Unreadable,
                        format!("bucket does not decode ({e}): its entries are lost"),
                    );
                    return;
                }
            };
            if bucket.windows(2).any(|w| w[0].0 >= w[1].0) {
                self.problem(
                    name,
                    k,
                    Fault::Index,
                    "bucket's entries are out of order: lookups may miss them".into(),
                );
            }
            for (ek, ev) in bucket {
                match index::bucket_of(name, &ek) {
                    Some(_) if index::bucket_key(&ek, depth) == k => have.push((ek, ev)),
                    _ => {
                        let what = format!(
                            "entry {} is in the wrong bucket: lookups cannot find it",
                            show_key(name, &ek)
                        );
                        self.problem(name, k, Fault::Index, what);
                    }
                }
            }
        })?;
        self.counts.insert(name, n);
        if bucketed {
            have.sort();
        }
        let (mut i, mut j) = (0, 0);
        loop {
            let (w, h) = (wanted.get(i), have.get(j));
            let order = match (w, h) {
                (Some(w), Some(h)) => w.0.cmp(&h.0),
                (Some(_), None) => Ordering::Less,
                (None, Some(_)) => Ordering::Greater,
                (None, None) => break,
            };
            match (order, w, h) {
                (Ordering::Equal, Some(w), Some(h)) => {
                    let should = w.1.as_deref().unwrap_or_default();
                    if should != h.1 {
                        let what = format!(
                            "points to {}, but belongs to {}",
                            show_key(of, &h.1),
                            show_key(of, should)
                        );
                        self.problem(name, &w.0, Fault::Index, what);
                    }
                    (i, j) = (i + 1, j + 1);
                }
                (Ordering::Less, Some(w), _) => {
                    let what = match &w.1 {
                        Some(rk) => format!("missing: {} {} gives this entry", of, show_key(of, rk)),
                        None => format!("missing: a record of {of} gives this entry"),
                    };
                    self.problem(name, &w.0, Fault::Index, what);
                    i += 1;
                }
                (_, _, Some(h)) => {
                    let what = if h.1.is_empty() {
                        "no record gives this entry".to_string()
                    } else {
                        format!("points to {}, but no record gives this entry", show_key(of, &h.1))
                    };
                    self.problem(name, &h.0, Fault::Index, what);
                    j += 1;
                }
                (_, _, None) => break,
            }
        }
        Ok(())
    }

    /// The aggregate trees against what the records add up to.
    fn aggregates(&mut self, src: &mut dyn Source) -> Result<(), StoreError> {
        let d = std::mem::take(&mut self.derived);
        let stats = d.stats.into_iter().map(|(f, s)| (key(f).to_vec(), s)).collect();
        self.aggregate(src, trees::FUND_STATS, stats, decoded::<FundStats>, |have, want| {
            differences(&[
                ("members", have.members, want.members),
                ("loans", have.loans, want.loans),
                ("satang lent", have.lent, want.lent),
                ("satang repaid", have.repaid, want.repaid),
                ("occupation records", have.occupations, want.occupations),
            ])
        })?;
        let districts = d.districts.into_iter().map(|(n, s)| (district_key(n), s)).collect();
        self.aggregate(src, trees::DISTRICT_STATS, districts, decoded::<DistrictStats>, |have, want| {
            differences(&[
                ("occupation records", have.occupations, want.occupations),
                ("active", have.active, want.active),
                ("selected", have.selected, want.selected),
                ("self-driving", have.self_driving, want.self_driving),
                ("models", have.models, want.models),
                ("with a sage", have.with_sage, want.with_sage),
                ("support activities", have.support, want.support),
                ("OTOP products", have.otop_products, want.otop_products),
            ])
        })?;
        let risks = d.risks.into_iter().map(|(f, r)| (key(f).to_vec(), r)).collect();
        self.aggregate(src, trees::FUND_RISK, risks, decoded::<FundRisk>, |have: &FundRisk, want| {
            if have.open != want.open {
                format!("open loans owe {} satang, the records {}", have.open, want.open)
            } else {
                format!(
                    "the days loans turn late differ ({} days, the records {})",
                    have.by_day.len(),
                    want.by_day.len()
                )
            }
        })?;
        let count = |v: &[u8]| match v.len() {
            8 => Ok(count_of(Some(v))),
            n => Err(format!("holds {n} bytes, not a count")),
        };
        self.aggregate(src, trees::CHILDREN, d.children, count, |have, want| {
            format!("counts {have} children, the records {want}")
        })?;
        self.aggregate(src, trees::LOADS, d.places, count, |have, want| {
            format!("counts {have} places taken, the records take {want}")
        })
    }

    /// Compares an aggregate tree with what it should hold (absent counts as
    /// the default, zero or empty).
    fn aggregate<T: PartialEq + Default>(
        &mut self,
        src: &mut dyn Source,
        tree: &'static str,
        mut want: FastMap<Vec<u8>, T>,
        read: impl Fn(&[u8]) -> Result<T, String>,
        differ: impl Fn(&T, &T) -> String,
    ) -> Result<(), StoreError> {
        let mut n = 0u64;
        src.pairs(tree, &mut |k, v| {
            n += 1;
            let should = want.remove(k).unwrap_or_default();
            match read(v) {
                Ok(have) if have == should => {}
                Ok(have) => {
                    let what = differ(&have, &should);
                    self.problem(tree, k, Fault::Total, what);
                }
                Err(e) => self.problem(tree, k, Fault::Unreadable, e),
            }
        })?;
        self.counts.insert(tree, n);
        let mut missing: Vec<(Vec<u8>, T)> = want.into_iter().filter(|(_, t)| *t != T::default()).collect();
        missing.sort_by(|a, b| a.0.cmp(&b.0));
        for (k, should) in missing {
            let what = format!("missing: {}", differ(&T::default(), &should));
            self.problem(tree, &k, Fault::Total, what);
        }
        Ok(())
    }

    /// The audit trail, the gazetteer, categories, profiles, the schema
    /// version and the counters of loans and audit entries.
    fn rest(&mut self, src: &mut dyn Source) -> Result<(), StoreError> {
        let mut max = 0u64;
        self.decodes(src, trees::AUDIT, |k, v| {
            max = max.max(id_of(k).unwrap_or(0));
            super::core::decode_audit(v).map(drop)
        })?;
        self.counter(trees::AUDIT, max);
        self.counter(trees::LOANS, self.max_loan);
        self.decodes(src, trees::GEO, |_, v| codec::decode::<Place>(SCHEMA_PLACE, v).map(drop))?;
        self.decodes(src, trees::CATEGORIES, |_, v| {
            codec::decode::<OccupationCategory>(SCHEMA_CATEGORY, v).map(drop)
        })?;
        self.decodes(src, trees::PROFILES, |_, v| codec::decode::<Profile>(SCHEMA_PROFILE, v).map(drop))?;
        match schema_in(self.meta.get(KEY_SCHEMA).map(Vec::as_slice)) {
            None => self.problem(trees::META, KEY_SCHEMA, Fault::Schema, "no schema version".into()),
            Some(v) if v > migrate::CURRENT => self.problem(
                trees::META,
                KEY_SCHEMA,
                Fault::Schema,
                format!("schema version {v} is newer than this program ({})", migrate::CURRENT),
            ),
            Some(_) => {}
        }
        Ok(())
    }

    /// Every value of `tree` must decode.
    fn decodes<E: fmt::Display>(
        &mut self,
        src: &mut dyn Source,
        tree: &'static str,
        mut decode: impl FnMut(&[u8], &[u8]) -> Result<(), E>,
    ) -> Result<(), StoreError> {
        let mut n = 0u64;
        src.pairs(tree, &mut |k, v| {
            n += 1;
            if let Err(e) = decode(k, v) {
                self.problem(tree, k, Fault::Unreadable, format!("does not decode: {e}"));
            }
        })?;
        self.counts.insert(tree, n);
        Ok(())
    }
}

/// An aggregate value, or why it does not decode.
fn decoded<T: serde::de::DeserializeOwned + Default>(v: &[u8]) -> Result<T, String> {
    decode_aggregate(trees::FUND_STATS, &[], Some(v)).map_err(|e| match e {
        StoreError::Codec { source, .. } => format!("does not decode: {source}"),
        e => e.to_string(),
    })
}

/// `members 3, the records 4; loans …`: the fields that differ.
fn differences(fields: &[(&str, i64, i64)]) -> String {
    fields
        .iter()
        .filter(|(_, have, want)| have != want)
        .map(|(name, have, want)| format!("{name} {have}, the records {want}"))
        .collect::<Vec<_>>()
        .join("; ")
}
