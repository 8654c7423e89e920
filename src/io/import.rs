//! `sammachip import KIND FILE [--dry-run]`: every row checked with the same
//! rules as the forms (national-ID checksum, B.E. or C.E. dates, Thai digits,
//! amounts with commas or ฿), references and duplicates looked up; all or
//! nothing: one bad row and the store is left as it was, every bad row listed
//! in `FILE.rejects.csv` with its row, column and reason in Thai and English
//! (the first `MAX_LISTED` rows, and how many more).

use std::{
    ffi::OsStr,
    fs::{File, OpenOptions},
    io::{self, Write as _},
    path::{Path, PathBuf},
    sync::Arc,
};

// A fast hasher: the maps of ids and national IDs an import fills hold
// one entry per row.
use foldhash::{HashMap, HashMapExt as _, HashSet};

use super::{Col, Kind, parse_enum, table};
use crate::{
    domain::{
        Date, Lang, clean,
        fund::{CapitalDraft, CapitalKind, Fund, FundDraft, FundKind, Gazetteer, Grade},
        geo::Place,
        loan::{Loan, LoanDraft, LoanStatus, RepaymentDraft, RepaymentMode},
        member::{Member, MemberDraft, MemberStatus},
        occupation::{OccupationDraft, OccupationRecord, OccupationStatus, Stage},
        officer::Access,
        sage::{Sage, SageDraft, SageStatus},
        thai::{self, NationalId},
    },
    i18n::{Msg, k},
    service::{geo::Geo, labels, messages},
    store::{Actor, ChangeSlot, Load, Record, SaveError, Store, StoreError, may_change, member_key, trees},
};

/// One rejected row: where, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reject {
    pub row: usize,
    pub column: String,
    pub reason: Msg,
}

/// Refused rows whose reasons are kept and listed in the rejects file; rows
/// after them are only counted, so a million bad rows cost no more memory
/// (or disk) than ten thousand.
pub const MAX_LISTED: usize = 10_000;

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Summary {
    pub read: usize,
    pub imported: usize,
    /// Every reason of the first `MAX_LISTED` refused rows, in file order.
    pub rejects: Vec<Reject>,
    /// Rows refused in all, listed or not.
    pub refused: usize,
    /// Rows of a template not filled in (only the cells the template filled
    /// in hold something): skipped, not read.
    pub unfilled: usize,
    /// Of those, rows the officer's role may not change (another district's,
    /// another fund's).
    pub denied: usize,
    /// Where the rejects were written.
    pub rejects_file: Option<PathBuf>,
    /// The rejects file that could not be written, and why (a read-only
    /// stick): the reasons are still in `rejects`, and shown.
    pub rejects_unwritten: Option<(String, io::ErrorKind)>,
    /// Time spent reading and checking the rows, and writing them.
    pub checked_in: std::time::Duration,
    pub written_in: std::time::Duration,
}

impl Summary {
    /// Rows that pass every check: what a save would write.
    pub fn accepted(&self) -> usize {
        self.read.saturating_sub(self.refused)
    }

    /// Refused rows that `rejects` does not list.
    pub fn unlisted(&self) -> usize {
        let mut listed = self.rejects.iter().map(|r| r.row).collect::<Vec<_>>();
        listed.dedup();
        self.refused.saturating_sub(listed.len())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error(transparent)]
    Table(#[from] table::TableError),
    #[error("the file has no column for: {0}")]
    MissingColumns(String),
    #[error("store: {0}")]
    Store(#[from] StoreError),
    #[error("saving: {}", .0.render(Lang::En))]
    Save(Msg),
    #[error("{0} can be exported, not imported")]
    ExportOnly(&'static str),
    #[error("writing the rejects file {path}: {source}")]
    Rejects { path: String, source: io::Error },
    /// Saving record by record stopped (the reason); `taken_back` says
    /// whether what was written before has been taken back.
    #[error("saving stopped: {}", .reason.render(Lang::En))]
    Stopped { reason: Msg, written: usize, taken_back: bool },
}

impl ImportError {
    /// The same error with its files named by `shown` (see
    /// [`table::TableError::naming`]).
    pub fn naming(self, shown: &dyn Fn(&str) -> String) -> ImportError {
        match self {
            ImportError::Table(t) => ImportError::Table(t.naming(shown)),
            ImportError::Rejects { path, source } => ImportError::Rejects { path: shown(&path), source },
            e => e,
        }
    }
}

/// Columns a row must have.
pub(crate) fn required(kind: Kind) -> &'static [&'static str] {
    match kind {
        Kind::Geography => &["code", "name_th"],
        Kind::Funds => &["code", "name"],
        Kind::Capital => &["fund_code", "kind", "date", "amount"],
        Kind::Members => &["fund_code", "national_id", "title", "given_name", "family_name"],
        Kind::Loans => &["national_id", "principal", "rate", "start", "term_months"],
        Kind::Repayments => &["loan_id", "date", "principal"],
        Kind::Occupations => &["national_id", "category"],
        Kind::Sages => &["national_id", "title", "given_name", "family_name", "home_village"],
        Kind::Ranking | Kind::Briefings | Kind::Support | Kind::Otop => &[],
    }
}

/// Where each known column is in the file.
struct Columns {
    at: HashMap<&'static str, usize>,
}

impl Columns {
    fn new(kind: Kind, headers: &[String]) -> Result<Columns, ImportError> {
        let mut cols: Vec<Col> = kind.columns().to_vec();
        if kind == Kind::Geography {
            // The gazetteer's own files name the code by level.
            for (en, th) in [
                ("village_code", "รหัสหมู่บ้าน"),
                ("subdistrict_code", "รหัสตำบล"),
                ("district_code", "รหัสอำเภอ"),
                ("province_code", "รหัสจังหวัด"),
            ] {
                cols.push(Col { en, th, old: &[] });
            }
        }
        if kind == Kind::Repayments {
            cols.extend_from_slice(super::COLLECTION_DUE);
        }
        let mut at = HashMap::new();
        for c in &cols {
            if let Some(i) = headers.iter().position(|h| c.matches(h)) {
                at.insert(c.en, i);
            }
        }
        if kind == Kind::Geography && !at.contains_key("code") {
            // The most specific code column is the row's own code.
            for level in ["village_code", "subdistrict_code", "district_code", "province_code"] {
                if let Some(i) = at.get(level).copied() {
                    at.insert("code", i);
                    break;
                }
            }
        }
        let missing: Vec<String> = required(kind)
            .iter()
            .filter(|c| !at.contains_key(*c))
            .map(|c| {
                let th = kind.columns().iter().find(|x| x.en == *c).map_or(*c, |x| x.th);
                format!("{c} ({th})")
            })
            .collect();
        if !missing.is_empty() {
            return Err(ImportError::MissingColumns(missing.join(", ")));
        }
        Ok(Columns { at })
    }

    /// Where the cells the officer fills in a template are (none when the
    /// kind has no template, or the file has no column the template fills).
    fn fills(&self, kind: Kind) -> Vec<usize> {
        let pre = kind.template_fills();
        if pre.is_empty() || !pre.iter().any(|c| self.at.contains_key(c)) {
            return Vec::new();
        }
        let mut at: Vec<usize> = self.at.iter().filter(|(c, _)| !pre.contains(c)).map(|(_, i)| *i).collect();
        at.sort_unstable();
        at
    }

    /// A cell, trimmed; the `'` an export puts before text Excel would take
    /// for a formula is taken off again (see `table::excel_safe`).
    fn get<'a>(&self, row: &'a csv::StringRecord, col: &str) -> &'a str {
        let cell = self.at.get(col).and_then(|i| row.get(*i)).map_or("", str::trim);
        table::from_excel_safe(cell)
    }

    /// A fund code as typed: Thai digits, spaces and dashes allowed.
    fn code(&self, row: &csv::StringRecord, col: &str) -> String {
        thai::normalize_digits(self.get(row, col)).replace([' ', '-'], "")
    }
}

/// `NationalId` → `national_id`.
fn snake(field: impl std::fmt::Debug) -> String {
    let name = format!("{field:?}");
    let mut out = String::new();
    for (i, c) in name.chars().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            out.push('_');
        }
        out.push(c.to_ascii_lowercase());
    }
    out
}

/// Refused rows in file order: the reasons of the first `MAX_LISTED`, and
/// how many rows in all.
#[derive(Default)]
struct RejectList {
    listed: Vec<Reject>,
    rows: usize,
    last: Option<usize>,
}

impl RejectList {
    fn push(&mut self, r: Reject) {
        if self.last != Some(r.row) {
            self.rows += 1;
            self.last = Some(r.row);
        }
        if self.rows <= MAX_LISTED {
            self.listed.push(r);
        }
    }

    fn is_empty(&self) -> bool {
        self.rows == 0
    }

    /// Two lists of different rows as one: the reasons of the first
    /// `MAX_LISTED` rows of both, and the rows in all.
    fn merge(self, other: RejectList) -> (Vec<Reject>, usize) {
        let rows = self.rows + other.rows;
        let mut all = self.listed;
        all.extend(other.listed);
        all.sort_by_key(|r| r.row);
        let (mut n, mut last) = (0, None);
        let past = all.iter().position(|r| {
            if last != Some(r.row) {
                n += 1;
                last = Some(r.row);
            }
            n > MAX_LISTED
        });
        all.truncate(past.unwrap_or(all.len()));
        (all, rows)
    }
}

struct Rejects(RejectList, Access, usize);

impl Rejects {
    fn new(access: Access) -> Self {
        Rejects(RejectList::default(), access, 0)
    }

    fn add(&mut self, row: usize, column: &str, reason: Msg) {
        self.0.push(Reject { row, column: column.to_string(), reason });
    }

    /// Whether the officer may change this row's record, a record of kind
    /// `R` of `district` (and `fund`): by the rule the store checks on every
    /// save (`store::may_change`), so an import refuses exactly the rows a
    /// form would, each with the reason (another district's, another fund's,
    /// a read-only account). A refused row is listed under `column`.
    fn allowed<R: Record>(
        &mut self,
        row: usize,
        column: &str,
        district: Option<u16>,
        fund: Option<u64>,
    ) -> bool {
        match may_change::<R>(self.1, district, fund) {
            Ok(()) => true,
            Err(d) => {
                self.add(row, column, messages::denied(&d));
                self.2 += 1;
                false
            }
        }
    }

    fn fields<F: std::fmt::Debug, E>(
        &mut self,
        row: usize,
        errs: Vec<(F, E)>,
        msg: fn(&E) -> Msg,
        map: fn(&str) -> &str,
    ) {
        for (f, e) in errs {
            let col = snake(f);
            self.add(row, map(&col), msg(&e));
        }
    }
}

impl Rejects {
    /// An optional choice column: empty gives `default`; a text that names
    /// no value is a reject (and `None`).
    fn choice<T>(
        &mut self,
        row: usize,
        column: &str,
        text: &str,
        default: T,
        parse: impl FnOnce(&str) -> Option<T>,
    ) -> Option<T> {
        if text.is_empty() {
            return Some(default);
        }
        let v = parse(text);
        if v.is_none() {
            self.add(row, column, Msg::with(k::IMP_BAD_VALUE, [text.to_string()]));
        }
        v
    }
}

fn same(c: &str) -> &str {
    c
}

/// A progress report: bytes or rows done of a total.
pub type Progress<'a> = &'a dyn Fn(u64, u64);

pub struct Options<'a> {
    pub kind: Kind,
    pub path: &'a Path,
    pub sheet: Option<&'a str>,
    pub dry_run: bool,
    pub officer: &'a str,
    pub today: Date,
    /// What the officer may change: every row is checked as a form's save
    /// would be, and a row of another district or fund is refused with the
    /// reason (the command line runs as the computer's administrator:
    /// `Access::Admin`).
    pub access: Access,
    /// Where `FILE.rejects.csv` goes: `None`, beside the file; the app puts
    /// it in the officer's outbox.
    pub rejects_dir: Option<&'a Path>,
    /// How the rows are saved: `None`, as one bulk load (the command line;
    /// see `store::load`); `Some`, record by record in this change set (the
    /// app; see [`save_records`]).
    pub change: Option<&'a ChangeSlot>,
}

/// The kinds the app imports (the gazetteer and the export-only kinds are
/// the command line's).
pub const FROM_APP: [Kind; 7] = [
    Kind::Funds,
    Kind::Capital,
    Kind::Members,
    Kind::Loans,
    Kind::Repayments,
    Kind::Occupations,
    Kind::Sages,
];

/// The kinds whose required columns a file's headers all have, best first
/// (the most of the kind's columns, then the fewest it lacks), from `among`.
pub fn guess_kinds(headers: &[String], among: &[Kind]) -> Vec<Kind> {
    let mut fits: Vec<(usize, usize, Kind)> = among
        .iter()
        .filter(|k| Columns::new(**k, headers).is_ok())
        .map(|k| {
            let cols = k.columns();
            let have = cols.iter().filter(|c| headers.iter().any(|h| c.matches(h))).count();
            (have, cols.len() - have, *k)
        })
        .collect();
    fits.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    fits.into_iter().map(|(_, _, k)| k).collect()
}

/// A file's header row, for guessing its kind.
pub fn headers(path: &Path) -> Result<Vec<String>, ImportError> {
    Ok(table::open(path, None)?.headers)
}

pub fn import(store: &Arc<Store>, o: &Options<'_>, progress: Progress<'_>) -> Result<Summary, ImportError> {
    let started = std::time::Instant::now();
    let t = table::open(o.path, o.sheet)?;
    let cols = Columns::new(o.kind, &t.headers)?;
    let size = t.size;
    let read_bytes = t.read.clone();
    let mut rows = Rows {
        inner: t.rows,
        errors: RejectList::default(),
        fatal: None,
        count: 0,
        fills: cols.fills(o.kind),
        unfilled: 0,
        size,
        read: read_bytes,
        progress,
    };
    let mut rejects = Rejects::new(o.access);
    let file_name = o.path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let note = format!("import {} {file_name}", o.kind.name());
    // The whole import is one load (see `store::load`): all or nothing, even
    // if the process is killed or the disk fills half-way. It is begun before
    // the rows are checked, since members are written while they are.
    let load = if o.dry_run || o.change.is_some() {
        None
    } else {
        Some(store.begin_load(o.officer, &note, room_for(store, o.kind, size))?)
    };
    let plan = match o.kind {
        Kind::Geography => geography(store, &cols, &mut rows, &mut rejects)?,
        Kind::Funds => funds(store, &cols, &mut rows, &mut rejects, o.today)?,
        Kind::Capital => capital(store, &cols, &mut rows, &mut rejects, o.today)?,
        Kind::Members => members(store, &cols, &mut rows, &mut rejects, o.today, load.as_ref())?,
        Kind::Loans => loans(store, &cols, &mut rows, &mut rejects, o.today)?,
        Kind::Repayments => repayments(store, &cols, &mut rows, &mut rejects, o.today)?,
        Kind::Occupations => occupations(store, &cols, &mut rows, &mut rejects, o.today)?,
        Kind::Sages => sages(store, &cols, &mut rows, &mut rejects)?,
        Kind::Ranking | Kind::Briefings | Kind::Support | Kind::Otop => {
            return Err(ImportError::ExportOnly(o.kind.name()));
        }
    };
    if let Some(e) = rows.fatal.take() {
        return Err(e.into());
    }
    let mut s = Summary {
        read: rows.count,
        unfilled: rows.unfilled,
        denied: rejects.2,
        checked_in: started.elapsed(),
        ..Summary::default()
    };
    let writing = std::time::Instant::now();
    (s.rejects, s.refused) = rejects.0.merge(std::mem::take(&mut rows.errors));
    if s.refused > 0 {
        if let Some(load) = load {
            load.roll_back()?;
        }
        match write_rejects(o.path, o.rejects_dir, &s.rejects, s.unlisted()) {
            Ok(f) => s.rejects_file = Some(f),
            Err(ImportError::Rejects { path, source }) => s.rejects_unwritten = Some((path, source.kind())),
            Err(e) => return Err(e),
        }
        return Ok(s);
    }
    if let (Some(change), false) = (o.change, o.dry_run) {
        let who = Actor { name: o.officer, access: o.access, change: Some(change) };
        let file = o
            .path
            .file_name()
            .map_or_else(|| o.path.display().to_string(), |n| n.to_string_lossy().into_owned());
        s.imported = save_records(store, who, &file, plan, progress)?;
        s.written_in = writing.elapsed();
        return Ok(s);
    }
    let Some(mut load) = load else {
        s.imported = 0;
        return Ok(s);
    };
    let save = |e: SaveError| ImportError::Save(messages::save(&e));
    s.imported = match plan {
        Plan::Places(p) => {
            load.put_places(&p)?;
            p.len()
        }
        Plan::NewFunds(v) => load.bulk_insert(v).map_err(save)?.len(),
        Plan::NewMembers(v) => load.bulk_insert(v).map_err(save)?.len(),
        Plan::Written(n) => n,
        Plan::NewOccupations(v) => load.bulk_insert(v).map_err(save)?.len(),
        Plan::NewSages(v) => load.bulk_insert(v).map_err(save)?.len(),
        Plan::Funds(v, n) => update(&load, &v).map(|_| n)?,
        Plan::Members(v, n) => update(&load, &v).map(|_| n)?,
        Plan::Loans { mut added, order, rows, raise, .. } => {
            // Taken back, if need be, by removing the new loans again: ids
            // from the counter on, and those kept from the file below it.
            let first = store.counter(trees::LOANS)?;
            let mut below: Vec<u64> =
                added.values().flatten().map(|l| l.id).filter(|id| *id < first).collect();
            below.sort_unstable();
            let mut kept: Vec<(u64, u64)> = Vec::new();
            for id in below {
                match kept.last_mut() {
                    Some((_, b)) if *b + 1 == id => *b = id,
                    _ => kept.push((id, id)),
                }
            }
            load.note_inverse(crate::store::load::Inverse::NewLoans { first, kept })?;
            if let Some(next) = raise {
                let have = store.counter(trees::LOANS)?;
                if next > have {
                    load.reserve_ids(trees::LOANS, next - have)?;
                }
            }
            load.bulk_update_parts_with(order.chunks(PART), |mut m: Member| {
                m.loans.append(&mut added.remove(&member_key(m.fund_id, m.id)).unwrap_or_default());
                m
            })
            .map_err(save)?;
            rows
        }
    };
    load.commit(o.kind.name(), s.imported as u64)?;
    progress(size.max(1), size.max(1));
    s.written_in = writing.elapsed();
    Ok(s)
}

/// The file's rows one at a time (a million loan rows are never all in
/// memory); rows the reader could not read are kept as rejects.
pub struct Rows<'a> {
    inner: Box<dyn Iterator<Item = Result<table::Row, table::TableError>>>,
    errors: RejectList,
    fatal: Option<table::TableError>,
    /// Rows read, readable or not (rows of a template not filled in apart).
    count: usize,
    /// Where the cells an officer fills in are, when the template fills in
    /// the others (see `Kind::template_fills`): a row with all of them empty
    /// is a row not filled in, skipped and counted here.
    fills: Vec<usize>,
    unfilled: usize,
    size: u64,
    read: Arc<std::sync::atomic::AtomicU64>,
    progress: Progress<'a>,
}

impl Rows<'_> {
    fn unfilled_row(&self, row: &csv::StringRecord) -> bool {
        !self.fills.is_empty() && self.fills.iter().all(|i| row.get(*i).is_none_or(|c| c.trim().is_empty()))
    }
}

impl Iterator for Rows<'_> {
    type Item = table::Row;

    fn next(&mut self) -> Option<table::Row> {
        loop {
            let r = self.inner.next()?;
            self.count += 1;
            if self.count.is_multiple_of(20_000) {
                (self.progress)(self.read.load(std::sync::atomic::Ordering::Relaxed), self.size.max(1));
            }
            match r {
                Ok(row) if self.unfilled_row(&row.1) => {
                    self.count -= 1;
                    self.unfilled += 1;
                }
                Ok(row) => return Some(row),
                Err(table::TableError::Csv { row, detail }) => self.errors.push(Reject {
                    row,
                    column: String::new(),
                    reason: Msg::with(k::IMP_BAD_ROW, [detail]),
                }),
                Err(table::TableError::NotUtf8 { row }) => {
                    self.errors.push(Reject { row, column: String::new(), reason: Msg::new(k::IMP_NOT_UTF8) })
                }
                Err(e) => {
                    self.fatal = Some(e);
                    return None;
                }
            }
        }
    }
}

enum Plan {
    /// Written while the file was checked, and accepted: the rows.
    Written(usize),
    Places(Vec<Place>),
    NewFunds(Vec<Fund>),
    NewMembers(Vec<Member>),
    NewOccupations(Vec<OccupationRecord>),
    NewSages(Vec<Sage>),
    /// Updated funds, and the rows they hold.
    Funds(Vec<Fund>, usize),
    /// Updated members, and the rows.
    Members(Vec<Member>, usize),
    /// New loans by member, the members in file order, the rows, and the loan
    /// counter to raise to.
    Loans {
        added: HashMap<Vec<u8>, Vec<Loan>>,
        order: Vec<Vec<u8>>,
        rows: usize,
        raise: Option<u64>,
        /// The loan counter the new ids were given after.
        counter: u64,
    },
}

/// Records saved per sync when saving record by record.
const RECORDS_PER_SYNC: usize = 500;

/// Saves a checked file's records one by one through the store's ordinary
/// save (the same access check, versions, indexes and audit entry as a
/// form), all in the change set of `who`, syncing every
/// [`RECORDS_PER_SYNC`]: what the app does on the officer's confirmation.
///
/// Why not the bulk load the command line uses: a load holds the store
/// alone for its whole length (every other officer's save is refused as
/// busy meanwhile) and is one audit entry that `u` cannot take back. Saved
/// record by record, other officers keep working, and `u` takes the whole
/// file back as one change set. All or nothing still holds as officers read
/// it: nothing is saved unless every row passed the check just before, and
/// if a save fails half-way (the disk, a record another officer changed
/// since the check) what was written is taken back at once, and the error
/// says so. If the process is cut off in the middle (killed, the server
/// stopped, the power gone), the mark the import left in the store
/// (`Store::mark_saving`) has the next open take the records saved until
/// then back, as one change set, before anyone reads them.
fn save_records(
    store: &Store,
    who: Actor<'_>,
    file: &str,
    plan: Plan,
    progress: Progress<'_>,
) -> Result<usize, ImportError> {
    let own = ChangeSlot::default();
    let slot = who.change.unwrap_or(&own);
    let who = Actor { change: Some(slot), ..who };
    let mark = store.mark_saving(who.name, file, slot).map_err(|e| ImportError::Save(messages::store(&e)))?;
    let mut written = 0usize;
    let result = save_plan(store, who, plan, progress, &mut written);
    // What was written, taken back as one change set, as `u` would.
    let undo = || {
        written == 0
            || crate::service::changes::undo_change(store, Actor { change: None, ..who }, slot.id()).is_ok()
    };
    let result = match result {
        Ok(()) => Ok(written),
        Err(reason) => Err(ImportError::Stopped { reason, written, taken_back: undo() }),
    };
    // Saved whole, or taken back (or left for the officer's `u`, said in
    // the error): the mark goes. If it cannot, the save is taken back and
    // the officer told it failed.
    match (store.unmark_saving(&mark), result) {
        (Ok(()), r) => r,
        (Err(e), Ok(_)) => {
            Err(ImportError::Stopped { reason: messages::store(&e), written, taken_back: undo() })
        }
        (Err(_), Err(e)) => Err(e),
    }
}

fn save_plan(
    store: &Store,
    who: Actor<'_>,
    plan: Plan,
    progress: Progress<'_>,
    written: &mut usize,
) -> Result<(), Msg> {
    fn each<R: Record>(
        store: &Store,
        who: Actor<'_>,
        recs: &[R],
        progress: Progress<'_>,
        written: &mut usize,
    ) -> Result<(), Msg> {
        let total = recs.len() as u64;
        for part in recs.chunks(RECORDS_PER_SYNC) {
            for r in store.save_each(who, part) {
                match r {
                    Ok(_) => *written += 1,
                    Err(e) => return Err(messages::save(&e)),
                }
            }
            progress(*written as u64, total.max(1));
        }
        Ok(())
    }
    match plan {
        Plan::Places(_) | Plan::Written(_) => Err(Msg::new(k::IMP_GEO_CLI)),
        Plan::NewFunds(v) | Plan::Funds(v, _) => each(store, who, &v, progress, written),
        Plan::NewMembers(v) | Plan::Members(v, _) => each(store, who, &v, progress, written),
        Plan::NewOccupations(v) => each(store, who, &v, progress, written),
        Plan::NewSages(v) => each(store, who, &v, progress, written),
        Plan::Loans { mut added, order, raise, counter, .. } => {
            // The new loans took ids after the counter as it was checked:
            // they are taken now, and if another officer took one since, the
            // file is checked again rather than two loans sharing an id.
            if let Some(next) = raise {
                let at = store
                    .reserve_ids(trees::LOANS, next.saturating_sub(counter))
                    .map_err(|e| messages::store(&e))?;
                if at != counter {
                    return Err(Msg::new(k::IMP_CHANGED_MEANWHILE));
                }
            } else if store.counter(trees::LOANS).map_err(|e| messages::store(&e))? != counter {
                return Err(Msg::new(k::IMP_CHANGED_MEANWHILE));
            }
            let total = order.len() as u64;
            for keys in order.chunks(RECORDS_PER_SYNC) {
                let mut part = Vec::with_capacity(keys.len());
                for key in keys {
                    let Some(mut m) = store.get_at::<Member>(key).map_err(|e| messages::store(&e))? else {
                        return Err(Msg::new(k::IMP_CHANGED_MEANWHILE));
                    };
                    m.loans.append(&mut added.remove(key).unwrap_or_default());
                    part.push(m);
                }
                for r in store.save_each(who, &part) {
                    match r {
                        Ok(_) => *written += 1,
                        Err(e) => return Err(messages::save(&e)),
                    }
                }
                progress(*written as u64, total.max(1));
            }
            Ok(())
        }
    }
}

/// Changed records in bulk, in parts: checked against their stored versions.
fn update<R: crate::store::Record>(load: &Load<'_>, v: &[R]) -> Result<(), ImportError> {
    for part in v.chunks(PART) {
        load.bulk_update_part(part).map_err(|e| ImportError::Save(messages::save(&e)))?;
    }
    Ok(())
}

/// Room on the disk an import of a file of `size` bytes may take: the
/// records, their indexes and sled's log come to a few times the file; an
/// import that changes records also keeps a copy of each as it was.
fn room_for(store: &Store, kind: Kind, size: u64) -> u64 {
    let changes = matches!(kind, Kind::Loans | Kind::Repayments | Kind::Capital);
    let copies = if changes { crate::store::files::size_of_dir(store.path()) / 2 } else { 0 };
    size.saturating_mul(4).saturating_add(copies)
}

/// Records written per part of a bulk update.
const PART: usize = 20_000;

/// `FILE.rejects.csv` beside the file (or in `dir`): row, column, reason in Thai and
/// English, and a last line for the refused rows not listed. It is written
/// as a new file beside it, then renamed over it: never through a link left
/// at that name, and never half written.
fn write_rejects(
    path: &Path,
    dir: Option<&Path>,
    rejects: &[Reject],
    unlisted: usize,
) -> Result<PathBuf, ImportError> {
    let name = rejects_name(path.file_name().unwrap_or_default());
    let out = match dir {
        Some(d) => d.join(&name),
        None => path.with_file_name(&name),
    };
    let err = |source: io::Error| ImportError::Rejects { path: out.display().to_string(), source };
    let (temp, file) = new_file_beside(&out, &name).map_err(err)?;
    let written = write_rejects_to(file, rejects, unlisted).and_then(|()| std::fs::rename(&temp, &out));
    if let Err(e) = written {
        let _ = std::fs::remove_file(&temp);
        return Err(err(e));
    }
    Ok(out)
}

fn write_rejects_to(file: File, rejects: &[Reject], unlisted: usize) -> io::Result<()> {
    let mut f = io::BufWriter::new(file);
    // A BOM, so Excel shows the Thai.
    f.write_all(b"\xEF\xBB\xBF")?;
    let mut w = csv::Writer::from_writer(f);
    // Rows are numbered as the spreadsheet numbers them: the header is row 1.
    w.write_record(["แถว row (หัวตาราง = แถว 1, header = row 1)", "คอลัมน์ column", "เหตุผล", "reason"])?;
    // A reason quotes the cell it refused: shown with its control
    // characters made visible, and safe to open in Excel.
    let safe = |m: &Msg, lang| crate::io::table::excel_safe(&clean::line(&m.render(lang))).into_owned();
    for r in rejects {
        let row = r.row.to_string();
        w.write_record([row.as_str(), &r.column, &safe(&r.reason, Lang::Th), &safe(&r.reason, Lang::En)])?;
    }
    if unlisted > 0 {
        let n = |x: usize| crate::domain::money::group_thousands(x as u64);
        let more = Msg::with(k::IMP_MORE_REFUSED, [n(unlisted), n(MAX_LISTED)]);
        w.write_record(["", "", &more.render(Lang::Th), &more.render(Lang::En)])?;
    }
    let f = w.into_inner().map_err(|e| e.into_error())?;
    f.into_inner().map_err(|e| e.into_error())?.sync_all()
}

/// The longest name of a rejects file, in bytes: a file system takes 255,
/// and its temporary name beside it ([`new_file_beside`]) adds about 40.
const MAX_REJECTS_NAME: usize = 200;

/// `FILE.rejects.csv`; a long name cut (at a letter, with "…") so that it
/// and its temporary name fit: 80 Thai letters made no rejects file at all.
fn rejects_name(file: &OsStr) -> std::ffi::OsString {
    use unicode_segmentation::UnicodeSegmentation;
    const END: &str = ".rejects.csv";
    if file.len() + END.len() <= MAX_REJECTS_NAME {
        let mut name = file.to_os_string();
        name.push(END);
        return name;
    }
    // Cut between letters (a Thai consonant keeps its vowel and tone marks).
    let room = MAX_REJECTS_NAME - END.len() - "…".len();
    let mut name = String::new();
    for g in file.to_string_lossy().graphemes(true) {
        if name.len() + g.len() > room {
            break;
        }
        name.push_str(g);
    }
    name.push('…');
    name.push_str(END);
    name.into()
}

/// A file that did not exist, beside `out`, named after it (`O_EXCL`: not
/// a file or link someone put there).
fn new_file_beside(out: &Path, name: &OsStr) -> io::Result<(PathBuf, File)> {
    let stamp =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default().as_nanos();
    let mut last = io::Error::other("no name was free");
    for attempt in 0..16u32 {
        let mut temp = std::ffi::OsString::from(".");
        temp.push(name);
        temp.push(format!(".{}-{stamp}-{attempt}.tmp", std::process::id()));
        let temp = out.with_file_name(temp);
        match OpenOptions::new().write(true).create_new(true).open(&temp) {
            Ok(f) => return Ok((temp, f)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => last = e,
            Err(e) => return Err(e),
        }
    }
    Err(last)
}

/// Places, new or corrected. A name in English or a postal code the file
/// leaves out (no column, or a blank cell) stays as the store has it: a file
/// of Thai names only used to wipe them. A place whose province, district or
/// subdistrict is neither in the store nor in the file is refused.
fn geography(
    store: &Store,
    cols: &Columns,
    rows: &mut Rows<'_>,
    rj: &mut Rejects,
) -> Result<Plan, StoreError> {
    let known: HashMap<u32, Place> = store.places()?.into_iter().map(|p| (p.code, p)).collect();
    let mut seen: HashMap<u32, usize> = HashMap::new();
    let mut out = Vec::new();
    for (row, r) in rows.by_ref() {
        let (row, r) = (&row, &r);
        let code_text = thai::normalize_digits(cols.get(r, "code")).to_string();
        let ok_len = matches!(code_text.len(), 2 | 4 | 6 | 8);
        let code =
            code_text.parse::<u32>().ok().filter(|_| ok_len && code_text.chars().all(|c| c.is_ascii_digit()));
        let Some(code) = code else {
            rj.add(*row, "code", Msg::with(k::IMP_BAD_PLACE_CODE, [code_text]));
            continue;
        };
        // Places are the whole province's (as a fund of no district would be).
        if !rj.allowed::<Fund>(*row, "code", None, None) {
            continue;
        }
        let name_th = cols.get(r, "name_th");
        if name_th.is_empty() {
            rj.add(*row, "name_th", Msg::new(k::ERR_REQUIRED));
            continue;
        }
        if let Some(first) = seen.insert(code, *row) {
            rj.add(*row, "code", Msg::with(k::IMP_DUPLICATE_ROW, [first.to_string()]));
            continue;
        }
        let kept = |given: &str, stored: fn(&Place) -> &String| match (given.trim(), known.get(&code)) {
            ("", Some(p)) => stored(p).clone(),
            (g, _) => g.to_string(),
        };
        out.push((
            *row,
            Place {
                code,
                name_th: name_th.to_string(),
                name_en: kept(cols.get(r, "name_en"), |p| &p.name_en),
                postal: kept(cols.get(r, "postal_code"), |p| &p.postal),
            },
        ));
    }
    let mut places = Vec::with_capacity(out.len());
    for (row, p) in out {
        let parent = p.code / 100;
        if p.code >= 100 && !known.contains_key(&parent) && !seen.contains_key(&parent) {
            rj.add(row, "code", Msg::with(k::IMP_PLACE_NO_PARENT, [p.code.to_string(), parent.to_string()]));
            continue;
        }
        places.push(p);
    }
    Ok(Plan::Places(places))
}

fn geo_of(store: &Store) -> Result<Geo, StoreError> {
    Ok(Geo::new(store.places()?))
}

fn fund_ids(store: &Store) -> Result<HashMap<String, Fund>, StoreError> {
    Ok(store.all::<Fund>()?.into_iter().map(|f| (f.code.clone(), f)).collect())
}

fn funds(
    store: &Store,
    cols: &Columns,
    rows: &mut Rows<'_>,
    rj: &mut Rejects,
    today: Date,
) -> Result<Plan, ImportError> {
    let geo = geo_of(store)?;
    let existing = fund_ids(store)?;
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut out = Vec::new();
    for (row, r) in rows.by_ref() {
        let (row, r) = (&row, &r);
        let code = cols.code(r, "code");
        let district = code.get(..4).and_then(|d| d.parse::<u16>().ok()).unwrap_or(0);
        let kind = rj.choice(*row, "kind", cols.get(r, "kind"), FundKind::Village, |t| {
            parse_enum(&[FundKind::Village, FundKind::Urban], labels::fund_kind, t)
        });
        let grade = rj.choice(*row, "grade", cols.get(r, "grade"), Grade::Unassessed, |t| {
            Grade::ALL
                .iter()
                .copied()
                .find(|g| g.letter().eq_ignore_ascii_case(t))
                .or_else(|| parse_enum(&Grade::ALL, labels::grade, t))
        });
        let (Some(kind), Some(grade)) = (kind, grade) else { continue };
        let draft = FundDraft {
            code: code.clone(),
            name: cols.get(r, "name").to_string(),
            kind,
            district,
            registration_no: cols.get(r, "registration_no").to_string(),
            established: cols.get(r, "established").to_string(),
            grade,
            assessed_year: cols.get(r, "assessed_year").to_string(),
        };
        let mut f = Fund::default();
        if let Err(errs) = draft.apply(&mut f, &geo as &dyn Gazetteer, false, today) {
            rj.fields(*row, errs, messages::fund, same);
            continue;
        }
        if !rj.allowed::<Fund>(*row, "code", Some(f.district()), None) {
            continue;
        }
        if existing.contains_key(&f.code) {
            rj.add(*row, "code", Msg::new(k::ERR_DUPLICATE_FUND_CODE));
            continue;
        }
        if let Some(first) = seen.insert(f.code.clone(), *row) {
            rj.add(*row, "code", Msg::with(k::IMP_DUPLICATE_ROW, [first.to_string()]));
            continue;
        }
        out.push(f);
    }
    Ok(Plan::NewFunds(out))
}

fn capital(
    store: &Store,
    cols: &Columns,
    rows: &mut Rows<'_>,
    rj: &mut Rejects,
    today: Date,
) -> Result<Plan, ImportError> {
    let mut funds = fund_ids(store)?;
    let mut touched: Vec<String> = Vec::new();
    // Each fund's capital as the store has it, before this file.
    let mut stored: HashMap<String, Vec<crate::domain::fund::CapitalEvent>> = HashMap::new();
    for (row, r) in rows.by_ref() {
        let (row, r) = (&row, &r);
        let code = cols.code(r, "fund_code");
        let Some(f) = funds.get_mut(&code) else {
            rj.add(*row, "fund_code", Msg::with(k::IMP_NO_FUND, [code]));
            continue;
        };
        if !rj.allowed::<Fund>(*row, "fund_code", Some(f.district()), None) {
            continue;
        }
        let kind_text = cols.get(r, "kind");
        let Some(kind) = parse_enum(&CapitalKind::ALL, labels::capital_kind, kind_text) else {
            rj.add(*row, "kind", Msg::with(k::IMP_BAD_VALUE, [kind_text.to_string()]));
            continue;
        };
        let draft = CapitalDraft {
            kind,
            date: cols.get(r, "date").to_string(),
            amount: cols.get(r, "amount").to_string(),
            note: cols.get(r, "note").to_string(),
        };
        let stored = stored.entry(code.clone()).or_insert_with(|| f.capital.clone());
        match draft.apply(f, None, today) {
            // The same event (kind, day, amount) as one the store has: a
            // file imported twice. (Two alike in one file may both be real.)
            Ok(seq)
                if f.capital.iter().find(|e| e.seq == seq).is_some_and(|n| {
                    stored.iter().any(|e| (e.kind, e.date, e.amount) == (n.kind, n.date, n.amount))
                }) =>
            {
                f.capital.retain(|e| e.seq != seq);
                rj.add(*row, "date", Msg::new(k::IMP_SAME_CAPITAL));
            }
            Ok(_) => {
                if !touched.contains(&code) {
                    touched.push(code);
                }
            }
            Err(errs) => rj.fields(*row, errs, messages::capital, same),
        }
    }
    let n = rows.count;
    Ok(Plan::Funds(touched.iter().filter_map(|c| funds.remove(c)).collect(), n))
}

/// What the checking thread hands the writing thread.
enum Feed {
    /// Checked members, a thousand at a time (one at a time, the two threads
    /// spent their time waking each other).
    Members(Vec<Member>),
    /// Every row is checked and none was refused: make the load count.
    Finish,
    /// Something was refused (or the file could not be read): take it back.
    Cancel,
}

/// New members. Unless `write` is `None` (a dry run), members are written
/// while the file is still being checked, by a second thread through one
/// bulk load that counts only when every row has passed (else it is taken
/// back): on two cores the province's 430,000 members import in 3.9–4.4 s
/// (about 100,000 rows/s), not the 4.7 s of checking first and writing after.
fn members(
    store: &Store,
    cols: &Columns,
    rows: &mut Rows<'_>,
    rj: &mut Rejects,
    today: Date,
    write: Option<&Load<'_>>,
) -> Result<Plan, ImportError> {
    let statuses = super::Choices::new(&MemberStatus::ALL, labels::member_status);
    let funds = fund_ids(store)?;
    let existing = member_index(store, false)?.by_nid;
    let mut seen: HashMap<u64, usize> = HashMap::new();
    let mut out = Vec::new();
    std::thread::scope(|s| {
        let (tx, writer) = match write {
            Some(load) => {
                let (tx, rx) = std::sync::mpsc::sync_channel::<Feed>(8);
                // What the writer wrote is taken back with the load when a
                // row is refused (the import then fails and drops it).
                let writer = s.spawn(move || -> Result<usize, SaveError> {
                    let mut w = load.bulk::<Member>()?;
                    loop {
                        match rx.recv() {
                            Ok(Feed::Members(ms)) => {
                                for m in ms {
                                    w.push(m)?;
                                }
                            }
                            Ok(Feed::Finish) => return w.finish().map(|n| n as usize),
                            Ok(Feed::Cancel) | Err(_) => return Ok(0),
                        }
                    }
                });
                (Some(tx), Some(writer))
            }
            None => (None, None),
        };
        for (row, r) in rows.by_ref() {
            let (row, r) = (&row, &r);
            let code = cols.code(r, "fund_code");
            let Some(f) = funds.get(&code) else {
                rj.add(*row, "fund_code", Msg::with(k::IMP_NO_FUND, [code]));
                continue;
            };
            if !rj.allowed::<Member>(*row, "fund_code", Some(f.district()), Some(f.id)) {
                continue;
            }
            let status =
                rj.choice(*row, "status", cols.get(r, "status"), MemberStatus::Active, |t| statuses.parse(t));
            let Some(status) = status else { continue };
            let draft = MemberDraft {
                title: cols.get(r, "title").to_string(),
                given_name: cols.get(r, "given_name").to_string(),
                family_name: cols.get(r, "family_name").to_string(),
                national_id: cols.get(r, "national_id").to_string(),
                birth_date: cols.get(r, "birth_date").to_string(),
                household_no: cols.get(r, "household_no").to_string(),
                phone: cols.get(r, "phone").to_string(),
                joined: cols.get(r, "joined").to_string(),
                status,
            };
            let mut m = Member::new(f.id);
            if let Err(errs) = draft.apply(&mut m, f.established, today) {
                rj.fields(*row, errs, messages::member, same);
                continue;
            }
            let nid = m.national_id.as_u64();
            if existing.contains_key(&nid) {
                rj.add(*row, "national_id", Msg::new(k::ERR_DUPLICATE_NID));
                continue;
            }
            if let Some(first) = seen.insert(nid, *row) {
                rj.add(*row, "national_id", Msg::with(k::IMP_DUPLICATE_ROW, [first.to_string()]));
                continue;
            }
            out.push(m);
            if let Some(tx) = &tx
                && out.len() >= 1_000
            {
                // A writer that stopped on an error says so when joined below;
                // the checking goes on, so every reject is still reported.
                drop(tx.send(Feed::Members(std::mem::take(&mut out))));
            }
        }
        let Some((tx, writer)) = tx.zip(writer) else {
            // Members go into the store in key order (fund, then file order).
            out.sort_by_key(|m| m.fund_id);
            return Ok(Plan::NewMembers(out));
        };
        let clean = rj.0.is_empty() && rows.errors.is_empty() && rows.fatal.is_none();
        if !out.is_empty() {
            drop(tx.send(Feed::Members(out)));
        }
        drop(tx.send(if clean { Feed::Finish } else { Feed::Cancel }));
        drop(tx);
        let save = |e: SaveError| ImportError::Save(messages::save(&e));
        match writer.join() {
            Ok(written) => Ok(Plan::Written(written.map_err(save)?)),
            Err(_) => Err(ImportError::Save(Msg::new(k::IMP_WRITER_FAILED))),
        }
    })
}

fn member_of(store: &Store, nid_text: &str) -> Result<Result<Member, Msg>, StoreError> {
    let nid = match NationalId::parse(nid_text) {
        Ok(n) => n,
        Err(e) => return Ok(Err(messages::national_id(&e))),
    };
    match store.lookup(trees::MEMBERS_BY_NID, &nid.as_u64().to_be_bytes())? {
        Some(key) => {
            Ok(store.get_at::<Member>(&key)?.ok_or_else(|| Msg::with(k::IMP_NO_MEMBER, [nid.to_string()])))
        }
        None => Ok(Err(Msg::with(k::IMP_NO_MEMBER, [nid.to_string()]))),
    }
}

/// What the store's members say, from one scan instead of an index lookup
/// per row: each member's (fund, id) by national ID and, when `loans` is set,
/// every loan id with its member's key.
#[derive(Default)]
struct MemberIndex {
    by_nid: HashMap<u64, (u64, u64)>,
    owners: HashMap<u64, Vec<u8>>,
}

fn member_index(store: &Store, loans: bool) -> Result<MemberIndex, StoreError> {
    let mut x = MemberIndex::default();
    store.for_each_prefix::<Member>(&[], |m| {
        x.by_nid.insert(m.national_id.as_u64(), (m.fund_id, m.id));
        if loans {
            for l in &m.loans {
                x.owners.insert(l.id, member_key(m.fund_id, m.id));
            }
        }
    })?;
    Ok(x)
}

fn loans(
    store: &Store,
    cols: &Columns,
    rows: &mut Rows<'_>,
    rj: &mut Rejects,
    today: Date,
) -> Result<Plan, ImportError> {
    let modes =
        super::Choices::new(&[RepaymentMode::LumpSum, RepaymentMode::Monthly], labels::repayment_mode);
    let all_categories = store.categories()?;
    let categories: HashSet<u16> = all_categories.iter().map(|c| c.code).collect();
    let funds: HashMap<u64, (Option<Date>, u16)> =
        store.all::<Fund>()?.into_iter().map(|f| (f.id, (f.established, f.district()))).collect();
    let MemberIndex { by_nid, owners } = member_index(store, true)?;
    // The new loans of each member; the members themselves are read only
    // when they are written, a part at a time.
    let mut added: HashMap<Vec<u8>, Vec<Loan>> = HashMap::new();
    let mut order: Vec<Vec<u8>> = Vec::new();
    let mut seen_ids: HashMap<u64, usize> = HashMap::new();
    // Loans without an id take fresh ones after the store's counter.
    let counter = store.counter(trees::LOANS)?;
    let mut next = counter;
    let mut unnumbered: Vec<(Vec<u8>, usize)> = Vec::new();
    let mut raise_to = None;
    for (row, r) in rows.by_ref() {
        let (row, r) = (&row, &r);
        let nid_text = cols.get(r, "national_id");
        let ids = match NationalId::parse(nid_text) {
            Ok(n) => {
                by_nid.get(&n.as_u64()).copied().ok_or_else(|| Msg::with(k::IMP_NO_MEMBER, [n.to_string()]))
            }
            Err(e) => Err(messages::national_id(&e)),
        };
        let (fund_id, member_id) = match ids {
            Ok(x) => x,
            Err(msg) => {
                rj.add(*row, "national_id", msg);
                continue;
            }
        };
        let district = funds.get(&fund_id).map(|f| f.1);
        if !rj.allowed::<Member>(*row, "national_id", district, Some(fund_id)) {
            continue;
        }
        let key = member_key(fund_id, member_id);
        let id_text = thai::normalize_digits(cols.get(r, "loan_id")).to_string();
        // A loan without an id gets one once the whole file is read, after
        // every id the file keeps (so the two never meet).
        let id = if id_text.is_empty() {
            0
        } else {
            match id_text.parse::<u64>() {
                Ok(id) if id > 0 => {
                    if owners.contains_key(&id) {
                        rj.add(*row, "loan_id", Msg::with(k::IMP_LOAN_EXISTS, [id.to_string()]));
                        continue;
                    }
                    if let Some(first) = seen_ids.insert(id, *row) {
                        rj.add(*row, "loan_id", Msg::with(k::IMP_DUPLICATE_ROW, [first.to_string()]));
                        continue;
                    }
                    raise_to = Some(raise_to.unwrap_or(0).max(id + 1));
                    id
                }
                _ => {
                    rj.add(*row, "loan_id", Msg::with(k::IMP_BAD_VALUE, [id_text]));
                    continue;
                }
            }
        };
        let mode = rj.choice(*row, "mode", cols.get(r, "mode"), RepaymentMode::Monthly, |t| modes.parse(t));
        let Some(mode) = mode else { continue };
        let purpose_text = thai::normalize_digits(cols.get(r, "purpose")).to_string();
        let Some(purpose) = rj.choice(*row, "purpose", &purpose_text, 0, |t| t.parse::<u16>().ok()) else {
            continue;
        };
        let draft = LoanDraft {
            principal: cols.get(r, "principal").to_string(),
            rate: cols.get(r, "rate").to_string(),
            start: cols.get(r, "start").to_string(),
            term: cols.get(r, "term_months").to_string(),
            mode,
            purpose,
        };
        let mut loan = Loan {
            id,
            principal: crate::domain::Money::ZERO,
            rate_bp: 0,
            start: today,
            term_months: 1,
            mode,
            purpose,
            guarantors: Vec::new(),
            status: LoanStatus::Open,
            repayments: Vec::new(),
        };
        let fund_start = funds.get(&fund_id).and_then(|f| f.0);
        let exists = purpose == 0 || categories.contains(&purpose);
        let mut guarantors = Vec::new();
        for typed in cols.get(r, "guarantors").split([' ', ',', ';']).filter(|x| !x.is_empty()) {
            let found =
                NationalId::parse(typed).ok().and_then(|n| by_nid.get(&n.as_u64())).map(|(f, m)| (*m, *f));
            guarantors.push(crate::domain::loan::GuarantorLookup { typed: typed.to_string(), member: found });
        }
        // A file of loans is the fund's past as well as its present, and its
        // repayments come in another file: what the fund had to lend on each
        // day is not known here (the loan form checks it).
        let check = crate::domain::loan::LoanCheck {
            borrower: (member_id, fund_id),
            fund_start,
            joined: None,
            guarantors: &guarantors,
            category_exists: exists,
            today,
            available: None,
        };
        if let Err(errs) = draft.apply(&mut loan, &check) {
            rj.fields(*row, errs, messages::loan, |c| match c {
                "term" => "term_months",
                c => c,
            });
            continue;
        }
        loan.id = id;
        if !matches!(cols.get(r, "written_off"), "" | "0" | "no" | "ไม่") {
            loan.status = LoanStatus::WrittenOff;
        }
        let at = match added.get_mut(&key) {
            Some(v) => {
                v.push(loan);
                v.len() - 1
            }
            None => {
                order.push(key.clone());
                added.insert(key.clone(), vec![loan]);
                0
            }
        };
        if id == 0 {
            unnumbered.push((key, at));
        }
    }
    // Fresh ids in file order, past the counter and past every kept id.
    next = next.max(raise_to.unwrap_or(0));
    for (key, at) in unnumbered {
        if let Some(l) = added.get_mut(&key).and_then(|v| v.get_mut(at)) {
            l.id = next;
            next += 1;
        }
    }
    let fresh = (next > store.counter(trees::LOANS)?).then_some(next);
    let raise = match (fresh, raise_to) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    };
    Ok(Plan::Loans { added, order, rows: rows.count, raise, counter })
}

fn repayments(
    store: &Store,
    cols: &Columns,
    rows: &mut Rows<'_>,
    rj: &mut Rejects,
    today: Date,
) -> Result<Plan, ImportError> {
    let owners = member_index(store, true)?.owners;
    let districts: HashMap<u64, u16> =
        store.all::<Fund>()?.into_iter().map(|f| (f.id, f.district())).collect();
    let mut changed: HashMap<Vec<u8>, Member> = HashMap::new();
    // Each member as the store has it, before this file.
    let mut stored: HashMap<Vec<u8>, Member> = HashMap::new();
    let mut order = Vec::new();
    let collection_sheet = cols.at.contains_key("due_total");
    for (row, r) in rows.by_ref() {
        let (row, r) = (&row, &r);
        let id_text = thai::normalize_digits(cols.get(r, "loan_id")).to_string();
        let Some(key) = id_text.parse::<u64>().ok().and_then(|id| owners.get(&id).map(|k| (id, k))) else {
            rj.add(*row, "loan_id", Msg::with(k::IMP_NO_LOAN, [id_text]));
            continue;
        };
        let (id, key) = key;
        // A collection sheet's line with no amount: that loan brought nothing.
        if collection_sheet && ["principal", "interest", "penalty"].iter().all(|c| cols.get(r, c).is_empty())
        {
            continue;
        }
        let fund = key.get(..8).and_then(crate::store::id_of);
        let district = fund.and_then(|f| districts.get(&f).copied());
        if !rj.allowed::<Member>(*row, "loan_id", district, fund) {
            continue;
        }
        if !changed.contains_key(key) {
            let Some(m) = store.get_at::<Member>(key)? else {
                rj.add(*row, "loan_id", Msg::with(k::IMP_NO_LOAN, [id_text]));
                continue;
            };
            stored.insert(key.clone(), m.clone());
            changed.insert(key.clone(), m);
            order.push(key.clone());
        }
        let Some(loan) = changed.get_mut(key).and_then(|m| m.loans.iter_mut().find(|l| l.id == id)) else {
            continue;
        };
        let draft = RepaymentDraft {
            date: cols.get(r, "date").to_string(),
            principal: cols.get(r, "principal").to_string(),
            interest: cols.get(r, "interest").to_string(),
            penalty: cols.get(r, "penalty").to_string(),
        };
        // The same payment (day and amounts) as one the store has: a sheet
        // imported twice. (Two alike in one file may both be real: two
        // instalments paid on one day.)
        let recorded = stored.get(key).and_then(|m| m.loans.iter().find(|l| l.id == id));
        if draft.parsed().is_some_and(|p| recorded.is_some_and(|l| l.repayments.contains(&p))) {
            rj.add(*row, "date", Msg::new(k::IMP_SAME_REPAYMENT));
            continue;
        }
        if let Err(errs) = draft.apply(loan, None, today) {
            rj.fields(*row, errs, messages::repayment, same);
        }
    }
    let n = rows.count;
    Ok(Plan::Members(order.into_iter().filter_map(|k| changed.remove(&k)).collect(), n))
}

fn occupations(
    store: &Store,
    cols: &Columns,
    rows: &mut Rows<'_>,
    rj: &mut Rejects,
    today: Date,
) -> Result<Plan, ImportError> {
    let stages = super::Choices::new(&Stage::ALL, labels::stage).with_old(labels::stage_before_19);
    let all_categories = store.categories()?;
    let categories: HashSet<u16> = all_categories.iter().map(|c| c.code).collect();
    let districts: HashMap<u64, u16> =
        store.all::<Fund>()?.into_iter().map(|f| (f.id, f.district())).collect();
    let mut out = Vec::new();
    for (row, r) in rows.by_ref() {
        let (row, r) = (&row, &r);
        let member = match member_of(store, cols.get(r, "national_id"))? {
            Ok(m) => m,
            Err(msg) => {
                rj.add(*row, "national_id", msg);
                continue;
            }
        };
        let district = districts.get(&member.fund_id).copied();
        if !rj.allowed::<OccupationRecord>(*row, "national_id", district, Some(member.fund_id)) {
            continue;
        }
        let cat_text = thai::normalize_digits(cols.get(r, "category")).to_string();
        let Some(category) = category_code(&cat_text, &all_categories) else {
            rj.add(*row, "category", Msg::with(k::IMP_BAD_VALUE, [cat_text]));
            continue;
        };
        let status = rj.choice(*row, "status", cols.get(r, "status"), OccupationStatus::Active, |t| {
            parse_enum(&[OccupationStatus::Active, OccupationStatus::Stopped], labels::occupation_status, t)
        });
        let stage = rj.choice(*row, "stage", cols.get(r, "stage"), Stage::Target, |t| stages.parse(t));
        let (Some(status), Some(stage)) = (status, stage) else { continue };
        let draft = OccupationDraft {
            category,
            description: cols.get(r, "description").to_string(),
            start_year: cols.get(r, "start_year").to_string(),
            loans: cols.get(r, "loan_ids").to_string(),
            before: [
                cols.get(r, "income_before"),
                cols.get(r, "expenses_before"),
                cols.get(r, "savings_before"),
            ]
            .map(str::to_string),
            after: [cols.get(r, "income_after"), cols.get(r, "expenses_after"), cols.get(r, "savings_after")]
                .map(str::to_string),
            status,
            stage,
        };
        let mut rec = OccupationRecord::new(
            &member,
            districts.get(&member.fund_id).copied().unwrap_or(0),
            today.year(),
        );
        let loan_ids: Vec<u64> = member.loans.iter().map(|l| l.id).collect();
        if let Err(errs) = draft.apply(&mut rec, categories.contains(&category), Some(&loan_ids), today) {
            rj.fields(*row, errs, messages::occupation, |c| match c {
                "loans" => "loan_ids",
                c => c,
            });
            continue;
        }
        rec.refresh_loans(&member.loans);
        out.push(rec);
    }
    out.sort_by_key(|r| (r.fund_id, r.member_id));
    Ok(Plan::NewOccupations(out))
}

/// A category as a file names it: its code (`101`), its code and name as a
/// template's list has it (`1 เลี้ยงโคเนื้อ`), or its name in either
/// language. A code with another category's name is no category.
fn category_code(text: &str, all: &[crate::domain::occupation::OccupationCategory]) -> Option<u16> {
    let text = text.trim();
    let named = |c: &crate::domain::occupation::OccupationCategory, name: &str| {
        let name = name.trim().to_lowercase();
        c.name_th.to_lowercase() == name || c.name_en.to_lowercase() == name
    };
    let digits = text.find(|c: char| !c.is_ascii_digit()).unwrap_or(text.len());
    match text.split_at(digits) {
        ("", _) => all.iter().find(|c| named(c, text)).map(|c| c.code),
        (code, "") => code.parse().ok(),
        (code, rest) if rest.starts_with(char::is_whitespace) => {
            let code = code.parse::<u16>().ok()?;
            all.iter().find(|c| c.code == code && named(c, rest)).map(|c| c.code)
        }
        _ => None,
    }
}

fn sages(store: &Store, cols: &Columns, rows: &mut Rows<'_>, rj: &mut Rejects) -> Result<Plan, ImportError> {
    let geo = geo_of(store)?;
    let mut seen: HashMap<u64, usize> = HashMap::new();
    let mut out = Vec::new();
    for (row, r) in rows.by_ref() {
        let (row, r) = (&row, &r);
        let status = rj.choice(*row, "status", cols.get(r, "status"), SageStatus::Active, |t| {
            parse_enum(&SageStatus::ALL, labels::sage_status, t)
        });
        let Some(status) = status else { continue };
        let expertise_text = thai::normalize_digits(cols.get(r, "expertise")).to_string();
        let expertise: Result<Vec<u16>, _> =
            expertise_text.split([' ', ',', ';']).filter(|x| !x.is_empty()).map(str::parse::<u16>).collect();
        let Ok(expertise) = expertise else {
            rj.add(*row, "expertise", Msg::with(k::IMP_BAD_VALUE, [expertise_text]));
            continue;
        };
        let capacity = cols.get(r, "capacity");
        let draft = SageDraft {
            title: cols.get(r, "title").to_string(),
            given_name: cols.get(r, "given_name").to_string(),
            family_name: cols.get(r, "family_name").to_string(),
            national_id: cols.get(r, "national_id").to_string(),
            phone: cols.get(r, "phone").to_string(),
            home_village: cols.get(r, "home_village").to_string(),
            expertise,
            capacity: if capacity.is_empty() { "5".to_string() } else { capacity.to_string() },
            status,
        };
        let mut s = Sage::blank();
        let known = |v: u32| geo.subdistrict_exists(v / 100);
        if let Err(errs) = draft.apply(&mut s, &known, 0) {
            rj.fields(*row, errs, messages::sage, same);
            continue;
        }
        if !rj.allowed::<Sage>(*row, "home_village", Some(s.district()), None) {
            continue;
        }
        let nid = s.national_id.as_u64();
        if store.lookup(trees::SAGES_BY_NID, &nid.to_be_bytes())?.is_some() {
            rj.add(*row, "national_id", Msg::new(k::ERR_DUPLICATE_SAGE_NID));
            continue;
        }
        if let Some(first) = seen.insert(nid, *row) {
            rj.add(*row, "national_id", Msg::with(k::IMP_DUPLICATE_ROW, [first.to_string()]));
            continue;
        }
        out.push(s);
    }
    Ok(Plan::NewSages(out))
}

#[cfg(test)]
mod tests {
    /// A name of 80 Thai letters (243 bytes with `.csv`) gets a rejects
    /// file whose name, and its temporary name, fit in 255 bytes.
    #[test]
    fn a_long_file_name_gets_a_rejects_name_that_fits() {
        let long = format!("{}.csv", "ก".repeat(80));
        let name = super::rejects_name(std::ffi::OsStr::new(&long));
        let name = name.to_string_lossy();
        assert!(name.len() <= super::MAX_REJECTS_NAME && name.ends_with("….rejects.csv"), "{name}");
        assert!(name.starts_with("กกก"));
        let dir = tempfile::tempdir().unwrap();
        let out = super::write_rejects(&dir.path().join(&long), None, &[], 1).unwrap();
        assert!(out.exists() && out.file_name().unwrap().to_string_lossy() == name);
        // A short name is kept whole; a long one is cut between letters.
        assert_eq!(super::rejects_name(std::ffi::OsStr::new("สมาชิก.xlsx")), "สมาชิก.xlsx.rejects.csv");
        let marks = format!("{}.csv", "กุ้".repeat(40));
        let cut = super::rejects_name(std::ffi::OsStr::new(&marks));
        let cut = cut.to_string_lossy();
        assert!(cut.trim_end_matches("….rejects.csv").ends_with("กุ้"), "{cut}");
    }
}
