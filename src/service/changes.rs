//! Change sets and undo. Every officer action is one change set: each of its
//! saves carries, in the audit trail, the audit id of the first of them (see
//! `store::ChangeSlot`). `u` takes back the officer's own newest change set
//! as a whole: every record it touched goes back exactly as it was (version
//! included), if nobody changed any of them since; otherwise nothing is
//! taken back and the message names the record in the way and who changed
//! it. The undo is a change set of its own, noted `undo #N`, and is not
//! itself taken back by the next `u` (which goes on to the change before).

use std::collections::{HashMap, HashSet};

use crate::{
    domain::{
        audit::{AuditAction, AuditEntry},
        fund::Fund,
        member::Member,
        occupation::OccupationRecord,
        officer::Officer,
        programme::{NetworkCommittee, OtopProduct, SupportActivity},
        sage::{Assignment, Sage},
    },
    store::{
        Actor, ChangeSlot, Notice, Record, SaveError, SavingMark, Store, StoreError, decode_audit, id_of,
        trees,
    },
};

/// How far back the audit trail is read for the officer's last change.
const MAX_SCAN: usize = 200_000;

/// One audited write of a change set.
#[derive(Clone, Debug)]
pub struct Entry {
    pub id: u64,
    pub entry: AuditEntry,
}

/// What an undo took back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Undone {
    /// The change set taken back (its first audit id).
    pub change: u64,
    /// Records put back.
    pub records: usize,
    /// The record, when there was one, by name.
    pub what: String,
}

/// Why an undo took nothing back.
#[derive(Debug, thiserror::Error)]
pub enum UndoError {
    #[error("nothing of yours to undo")]
    Nothing,
    /// Someone changed a record of the change set since (or records came to
    /// belong to one it would delete).
    #[error("{what} was changed since")]
    Blocked { what: String, by: Option<String>, at_ms: Option<i64> },
    #[error(transparent)]
    Save(#[from] SaveError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn note_of_undo(change: u64) -> String {
    format!("undo #{change}")
}

fn undone_change(note: &str) -> Option<u64> {
    note.strip_prefix("undo #")?.parse().ok()
}

/// The officer's newest change set that is not an undo and has not been
/// undone, with its entries newest first.
pub fn last_change(store: &Store, officer: &str) -> Result<Option<(u64, Vec<Entry>)>, StoreError> {
    let audit = store.raw_tree(trees::AUDIT)?;
    let mut undone: HashSet<u64> = HashSet::new();
    let mut found = None;
    for item in audit.iter().rev().take(MAX_SCAN) {
        let (k, v) = item?;
        let e = decode(&k, &v)?;
        if e.officer != officer {
            continue;
        }
        if let Some(n) = undone_change(&e.note) {
            undone.insert(n);
            continue;
        }
        if e.change == 0 || e.action == AuditAction::Bulk || undone.contains(&e.change) {
            continue;
        }
        found = Some(e.change);
        break;
    }
    let Some(change) = found else { return Ok(None) };
    Ok(Some((change, entries_of(store, officer, change)?)))
}

/// The officer's entries of change set `change`, newest first.
fn entries_of(store: &Store, officer: &str, change: u64) -> Result<Vec<Entry>, StoreError> {
    let audit = store.raw_tree(trees::AUDIT)?;
    let mut entries = Vec::new();
    for item in audit.range(change.to_be_bytes()..).rev() {
        let (k, v) = item?;
        let e = decode(&k, &v)?;
        if e.change == change && e.officer == officer {
            entries.push(Entry { id: id_of(&k).unwrap_or(0), entry: e });
        }
    }
    Ok(entries)
}

fn decode(k: &[u8], v: &[u8]) -> Result<AuditEntry, StoreError> {
    decode_audit(v).map_err(|source| StoreError::Codec { tree: trees::AUDIT, key: k.to_vec(), source })
}

/// A record's name for a message: a fund's code and name, a person's name,
/// a household, a product.
pub fn name_of(tree: &str, bytes: &[u8]) -> Option<String> {
    fn decode<R: Record>(bytes: &[u8]) -> Option<R> {
        R::from_stored(bytes).ok()
    }
    Some(match tree {
        t if t == Fund::TREE => decode::<Fund>(bytes).map(|f| format!("{} {}", f.code, f.name))?,
        t if t == Member::TREE => decode::<Member>(bytes)?.full_name(),
        t if t == OccupationRecord::TREE => decode::<OccupationRecord>(bytes)?.member_name,
        t if t == Sage::TREE => decode::<Sage>(bytes)?.full_name(),
        t if t == Assignment::TREE => decode::<Assignment>(bytes)?.household,
        t if t == NetworkCommittee::TREE => decode::<NetworkCommittee>(bytes)?.district.to_string(),
        t if t == SupportActivity::TREE => decode::<SupportActivity>(bytes)?.note.chars().take(30).collect(),
        t if t == OtopProduct::TREE => decode::<OtopProduct>(bytes)?.name,
        t if t == Officer::TREE => decode::<Officer>(bytes)?.login,
        _ => return None,
    })
}

fn name_in(e: &AuditEntry) -> String {
    e.after
        .as_deref()
        .or(e.before.as_deref())
        .and_then(|b| name_of(&e.kind, b))
        .unwrap_or_else(|| crate::store::check::show_key(&e.kind, &e.key))
}

/// Takes back the officer's newest change set (see the module's
/// documentation). Refused as a whole, with nothing changed, when a record of
/// it was changed since.
pub fn undo_last(store: &Store, who: Actor<'_>) -> Result<Undone, UndoError> {
    let Some((change, entries)) = last_change(store, who.name)? else { return Err(UndoError::Nothing) };
    undo_entries(store, who, change, &entries)
}

/// Takes back change set `change` of the officer, whole, as `u` would (an
/// import that failed half-way takes back what it wrote with this).
pub fn undo_change(store: &Store, who: Actor<'_>, change: u64) -> Result<Undone, UndoError> {
    let entries = entries_of(store, who.name, change)?;
    if change == 0 || entries.is_empty() {
        return Err(UndoError::Nothing);
    }
    undo_entries(store, who, change, &entries)
}

/// Takes back the imports a cut-off process left half-saved (the marks of
/// [`Store::mark_saving`]), each as its officer's `u` would, and says so in
/// the store's notices. One whose record was changed after it (by another
/// officer, while it was being saved) is left for its officer to look at.
/// Run once the store is open, before anyone reads it.
///
/// A take-back is cut off like anything else (the process killed again, a
/// full disk): the mark stays until it is whole, and the next open goes on
/// from where it was, each record put back from the state it is in. The
/// newest import is taken back first, so that one written over another's
/// records does not stand in the older one's way; one that meets a store
/// error stops the rest ([`Stuck`]).
pub fn take_back_cut_imports(store: &Store) -> Result<(), Box<Stuck>> {
    fn stuck(mark: Option<&SavingMark>) -> impl FnOnce(StoreError) -> Box<Stuck> + '_ {
        move |error| Box::new(Stuck { mark: mark.cloned(), error })
    }
    let mut marks = store.saving_marks().map_err(stuck(None))?;
    marks.sort_by_key(|m| std::cmp::Reverse(m.change));
    for mark in &marks {
        let taken_back = match take_back(store, Actor::from(mark.officer.as_str()), mark.change) {
            Ok(n) => n,
            Err(UndoError::Store(e) | UndoError::Save(SaveError::Store(e))) => {
                return Err(stuck(Some(mark))(e));
            }
            Err(_) => None,
        };
        store.unmark_saving(mark).map_err(stuck(Some(mark)))?;
        if taken_back != Some(0) {
            store.add_notice(Notice::CutImport {
                officer: mark.officer.clone(),
                file: mark.file.clone(),
                taken_back,
            });
        }
    }
    Ok(())
}

/// An import cut off whose take-back met a store error: the mark stays.
#[derive(Debug)]
pub struct Stuck {
    /// The import (`None`: the marks themselves could not be read).
    pub mark: Option<SavingMark>,
    pub error: StoreError,
}

impl Stuck {
    /// Damage in what the take-back reads (its record of changes, a record,
    /// an index), which trying again will not mend. Anything else (the disk
    /// full or failing, the store busy) may pass: the mark stays.
    pub fn damaged(&self) -> bool {
        matches!(self.error, StoreError::Codec { .. } | StoreError::Sled(sled::Error::Corruption { .. }))
    }
}

/// For a command that only reads (`check`, `backup`): the imports a
/// take-back could not put back are told in the store's notices, and what is
/// read holds the records they saved; their marks stay for the next open.
pub fn tell_stuck(store: &Store, stuck: &Stuck) {
    let damaged = stuck.damaged();
    let mut marks = store.saving_marks().unwrap_or_default();
    if marks.is_empty() {
        // The marks themselves could not be read: said all the same.
        let (officer, file) =
            stuck.mark.as_ref().map_or(("-".into(), "-".into()), |m| (m.officer.clone(), m.file.clone()));
        marks.push(SavingMark { change: 0, officer, file });
    }
    let told = store.notices();
    for mark in marks {
        let notice = Notice::CutImportStuck { officer: mark.officer, file: mark.file, damaged, kept: false };
        if !told.contains(&notice) {
            store.add_notice(notice);
        }
    }
}

/// For `check --repair`, once the store is repaired: takes the cut-off
/// imports back again, and of one that still meets damage (its record of
/// changes unreadable, so it can never be taken back) keeps the records it
/// saved and drops its mark, so that the store opens for work; said in the
/// notices. A disk error leaves the mark, told as pending.
pub fn settle_stuck_imports(store: &Store) -> Result<(), StoreError> {
    loop {
        let Err(stuck) = take_back_cut_imports(store) else { return Ok(()) };
        match &stuck.mark {
            Some(mark) if stuck.damaged() => {
                store.unmark_saving(mark)?;
                store.add_notice(Notice::CutImportStuck {
                    officer: mark.officer.clone(),
                    file: mark.file.clone(),
                    damaged: true,
                    kept: true,
                });
            }
            _ => {
                tell_stuck(store, &stuck);
                return Ok(());
            }
        }
    }
}

/// A record by its tree and key.
type RecordAt<'a> = (&'a str, &'a [u8]);

/// Puts back every record of change set `change` of the officer as it was
/// before it, whichever part of the change set an earlier, cut-off take-back
/// already put back: how many records (`Some(0)`: none were written), or
/// `None` when a record is in a state the change set never left it in
/// (someone changed it since), and then nothing is touched.
fn take_back(store: &Store, who: Actor<'_>, change: u64) -> Result<Option<usize>, UndoError> {
    let entries = entries_of(store, who.name, change)?;
    if change == 0 || entries.is_empty() {
        return Ok(Some(0));
    }
    // Each record's states within the change set: after each of its writes,
    // and before each (its entries run newest first).
    let mut states: HashMap<RecordAt<'_>, Vec<Option<&[u8]>>> = HashMap::new();
    for e in &entries {
        let s = states.entry((e.entry.kind.as_str(), e.entry.key.as_slice())).or_default();
        s.push(e.entry.after.as_deref());
        s.push(e.entry.before.as_deref());
    }
    for ((tree, key), s) in &states {
        let now = store.stored(tree, key)?;
        if !s.contains(&now.as_deref()) {
            return Ok(None);
        }
    }
    put_back(store, who, change, &entries, true).map_err(|(err, _)| err)?;
    Ok(Some(states.len()))
}

/// Puts back each entry of change set `change` (newest first), as a change
/// set of `who`'s noted `undo #N`. When `resuming` (a take-back, which a
/// cut-off one may have begun), an entry whose record is not as the entry
/// left it was put back already and is passed over; otherwise (`u`) every
/// entry is put back, and one whose record moved on fails as stale. Each
/// record is put back in its own transaction, unsynced; the whole reaches
/// the disk with one sync (an import's thousands of records would otherwise
/// wait for as many). A save that failed comes with its entry.
fn put_back<'e>(
    store: &Store,
    who: Actor<'_>,
    change: u64,
    entries: &'e [Entry],
    resuming: bool,
) -> Result<(), (UndoError, Option<&'e Entry>)> {
    let slot = ChangeSlot::default();
    let undoer = Actor { change: Some(&slot), ..who };
    let note = note_of_undo(change);
    for e in entries {
        if resuming {
            let now = match store.stored(&e.entry.kind, &e.entry.key) {
                Ok(now) => now,
                Err(err) => return Err((err.into(), None)),
            };
            if now.as_deref() != e.entry.after.as_deref() {
                continue;
            }
        }
        if let Err(err) = revert_entry(store, undoer, &e.entry, &note) {
            let _ = store.sync_writes();
            return Err((err.into(), Some(e)));
        }
    }
    store.sync_writes().map_err(|err| (err.into(), None))
}

fn undo_entries(store: &Store, who: Actor<'_>, change: u64, entries: &[Entry]) -> Result<Undone, UndoError> {
    // Every record must still be as the change left it (its newest write).
    let mut newest: HashMap<(&str, &[u8]), &Entry> = HashMap::new();
    for e in entries {
        newest.entry((e.entry.kind.as_str(), e.entry.key.as_slice())).or_insert(e);
    }
    for ((tree, key), e) in &newest {
        let now = store.stored(tree, key)?;
        if now.as_deref() != e.entry.after.as_deref() {
            return Err(blocked(store, e)?);
        }
    }
    if let Err((err, at)) = put_back(store, who, change, entries, false) {
        return Err(match (err, at) {
            (UndoError::Save(SaveError::Stale { .. } | SaveError::HasChildren(_)), Some(e)) => {
                blocked(store, e)?
            }
            (other, _) => other,
        });
    }
    let what = if newest.len() == 1 {
        entries.first().map(|e| name_in(&e.entry)).unwrap_or_default()
    } else {
        String::new()
    };
    Ok(Undone { change, records: newest.len(), what })
}

/// Who changed the record of `e` after it, for the message.
fn blocked(store: &Store, e: &Entry) -> Result<UndoError, StoreError> {
    let audit = store.raw_tree(trees::AUDIT)?;
    let mut by = None;
    for item in audit.range((e.id + 1).to_be_bytes()..).rev() {
        let (k, v) = item?;
        let later = decode(&k, &v)?;
        if later.kind == e.entry.kind && later.key == e.entry.key {
            by = Some((later.officer, later.time_ms));
            break;
        }
    }
    Ok(UndoError::Blocked {
        what: name_in(&e.entry),
        by: by.as_ref().map(|(o, _)| o.clone()),
        at_ms: by.map(|(_, t)| t),
    })
}

fn revert_entry(store: &Store, who: Actor<'_>, e: &AuditEntry, note: &str) -> Result<(), SaveError> {
    fn go<R: Record>(store: &Store, who: Actor<'_>, e: &AuditEntry, note: &str) -> Result<(), SaveError> {
        let to = match &e.before {
            Some(b) => Some(R::from_stored(b).map_err(|source| {
                SaveError::Store(StoreError::Codec { tree: R::TREE, key: e.key.clone(), source })
            })?),
            None => None,
        };
        store.revert_unsynced::<R>(who, &e.key, e.after.clone(), to, note).map(|_| ())
    }
    match e.kind.as_str() {
        t if t == Fund::TREE => go::<Fund>(store, who, e, note),
        t if t == Member::TREE => go::<Member>(store, who, e, note),
        t if t == OccupationRecord::TREE => go::<OccupationRecord>(store, who, e, note),
        t if t == Sage::TREE => go::<Sage>(store, who, e, note),
        t if t == Assignment::TREE => go::<Assignment>(store, who, e, note),
        t if t == NetworkCommittee::TREE => go::<NetworkCommittee>(store, who, e, note),
        t if t == SupportActivity::TREE => go::<SupportActivity>(store, who, e, note),
        t if t == OtopProduct::TREE => go::<OtopProduct>(store, who, e, note),
        t if t == Officer::TREE => go::<Officer>(store, who, e, note),
        _ => Ok(()),
    }
}
