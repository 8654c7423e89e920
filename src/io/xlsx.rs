//! Reading an .xlsx without trusting it.
//!
//! calamine reads the parts of the file it needs (relationships, workbook,
//! styles, theme, shared strings, then the sheet) through a `Guard`. The first
//! time calamine seeks to a part, the guard reads that part itself, through
//! the same zip and XML readers, and refuses it if it is larger than the
//! `Limits` once unpacked (the zip crate stops a part at the size its header
//! declares, so a part cannot grow past what was checked), if one cell, tag
//! or text in it is too large, if it holds too many shared strings, or if its
//! elements and cell formats would cost too much memory. calamine never reads
//! a refused part. In the sheet, cells must sit where Excel puts them (rows of
//! cells inside `<sheetData>`), so that the cells the guard measured are the
//! ones calamine reads.
//!
//! The sheet is then read cell by cell on a thread of its own and handed on a
//! row at a time: a sheet that says it is 16,384 columns wide costs nothing,
//! and a cell outside the limits stops the reading with its name.

use std::{
    collections::{HashMap, HashSet},
    fmt::Write as _,
    fs::File,
    io::{self, BufReader, Read, Seek, SeekFrom},
    path::Path,
    sync::{
        Arc, Mutex, MutexGuard,
        atomic::{AtomicBool, AtomicU64, Ordering},
        mpsc::{Receiver, SyncSender, sync_channel},
    },
};

use calamine::{DataRef, Reader, Xlsx};
use quick_xml::events::Event;
use zip::ZipArchive;

use super::sheet::{KIB, Limits, NotWorkbook, Row, Table, TableError, cell_name};

/// How a part is read, and so which limits it gets.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Role {
    /// Relationships, workbook, styles, theme: read whole when the file opens.
    Part,
    /// The shared strings: read whole when the file opens, and kept.
    Strings,
    /// The sheet: streamed.
    Sheet,
}

/// What the guard found, for the reading thread.
#[derive(Default)]
struct Verdict {
    /// calamine has been asked for the sheet: what it opens now is the sheet.
    sheet: bool,
    refused: Option<TableError>,
    /// Cells in the sheet, for the progress bar.
    cells: u64,
}

fn lock(v: &Mutex<Verdict>) -> MutexGuard<'_, Verdict> {
    v.lock().unwrap_or_else(|e| e.into_inner())
}

/// The file as calamine sees it: each part is checked when calamine first
/// seeks to its data, before it reads a byte of it.
struct Guard {
    file: BufReader<File>,
    /// The same file, for the guard's own reading.
    check: ZipArchive<BufReader<File>>,
    /// The parts by where their data starts.
    starts: HashMap<u64, Vec<usize>>,
    names: Vec<String>,
    vetted: HashSet<(usize, Role)>,
    verdict: Arc<Mutex<Verdict>>,
    limits: Limits,
    path: String,
    stop: Arc<AtomicBool>,
}

impl Guard {
    fn vet(&mut self, parts: &[usize]) -> io::Result<()> {
        let refused = || io::Error::other("refused by the import's limits");
        let sheet = {
            let v = lock(&self.verdict);
            if v.refused.is_some() {
                return Err(refused());
            }
            v.sheet
        };
        for &i in parts {
            let name = &self.names[i];
            let role = if sheet {
                Role::Sheet
            } else if name.to_ascii_lowercase().ends_with("sharedstrings.xml") {
                Role::Strings
            } else {
                Role::Part
            };
            if !self.vetted.insert((i, role)) {
                continue;
            }
            match scan(&mut self.check, i, name, role, &self.limits, &self.stop, &self.path) {
                Ok(cells) if role == Role::Sheet => lock(&self.verdict).cells = cells,
                Ok(_) => {}
                Err(e) => {
                    lock(&self.verdict).refused = Some(e);
                    return Err(refused());
                }
            }
        }
        Ok(())
    }
}

impl Read for Guard {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.file.read(buf)
    }
}

impl Seek for Guard {
    fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
        let at = self.file.seek(to)?;
        if let Some(parts) = self.starts.get(&at).cloned() {
            self.vet(&parts)?;
        }
        Ok(at)
    }

    fn stream_position(&mut self) -> io::Result<u64> {
        self.file.stream_position()
    }
}

/// What the guard's reader may hold beyond one piece (its buffer).
const SLACK: u64 = 64 * KIB;

/// Which limit stopped the guard's own reading.
#[derive(Clone, Copy)]
enum Over {
    Piece,
    Part,
}

/// A part's bytes as unpacked, counted: no more than the part's limit, and
/// no more than a piece past the end of the last XML event.
struct Counted<R> {
    inner: R,
    given: u64,
    mark: u64,
    piece: u64,
    cap: u64,
    over: Option<Over>,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.given - self.mark > self.piece + SLACK {
            self.over = Some(Over::Piece);
            return Err(io::Error::other("a piece larger than the limit"));
        }
        let n = self.inner.read(buf)?;
        self.given += n as u64;
        if self.given > self.cap {
            self.over = Some(Over::Part);
            return Err(io::Error::other("a part larger than the limit"));
        }
        Ok(n)
    }
}

/// Reads part `index` as calamine would and measures it; the sheet's cells.
fn scan(
    zip: &mut ZipArchive<BufReader<File>>,
    index: usize,
    part: &str,
    role: Role,
    limits: &Limits,
    stop: &AtomicBool,
    path: &str,
) -> Result<u64, TableError> {
    let damaged =
        |detail: String| TableError::Xlsx { path: path.to_string(), detail: format!("{part}: {detail}") };
    let cap = match role {
        Role::Sheet => limits.sheet_xml,
        Role::Strings => limits.strings_xml,
        Role::Part => limits.part_xml,
    };
    let too_big = || TableError::PartTooBig { part: part.to_string(), max: cap };
    let too_long = || TableError::PieceTooBig { part: part.to_string(), max: limits.piece };
    let entry = zip.by_index(index).map_err(|e| damaged(e.to_string()))?;
    if entry.size() > cap {
        return Err(too_big());
    }
    let counted = Counted { inner: entry, given: 0, mark: 0, piece: limits.piece, cap, over: None };
    let mut xml = quick_xml::Reader::from_reader(BufReader::with_capacity(SLACK as usize, counted));
    // calamine's settings: the same events, split at the same places.
    let config = xml.config_mut();
    config.check_end_names = false;
    config.trim_text(false);
    config.check_comments = false;
    config.expand_empty_elements = true;
    let mut look = Look::new(role, part, limits);
    let mut buf = Vec::with_capacity(1024);
    for n in 0u64.. {
        if n.is_multiple_of(1 << 16) && stop.load(Ordering::Relaxed) {
            return Err(damaged("no longer read".into()));
        }
        let before = xml.buffer_position();
        buf.clear();
        let event = match xml.read_event_into(&mut buf) {
            Ok(e) => e,
            Err(e) => {
                return match xml.get_ref().get_ref().over {
                    Some(Over::Part) => Err(too_big()),
                    Some(Over::Piece) => Err(too_long()),
                    // The zip crate's: larger than declared, a bad checksum.
                    None if matches!(e, quick_xml::Error::Io(_)) => Err(damaged(e.to_string())),
                    // XML calamine cannot read either: it stops here too.
                    None => look.finish(),
                };
            }
        };
        let after = xml.buffer_position();
        if after - before > limits.piece {
            return Err(too_long());
        }
        let counted = xml.get_mut().get_mut();
        counted.mark = counted.given;
        if !look.event(&event, before, after)? {
            break;
        }
    }
    look.finish()
}

/// What is measured in a part, event by event.
struct Look<'a> {
    role: Role,
    part: &'a str,
    limits: &'a Limits,
    elements: u64,
    largest: u64,
    /// `<xf>` elements: cell formats, each a copy of its font's name and its
    /// number format's code.
    formats: u64,
    strings: u64,
    sst: bool,
    // The sheet: inside `<sheetData>`, the names of the elements open there
    // (one after the other in `names`, starting at `open`), where the open
    // cell started, and the cells seen.
    data: bool,
    names: String,
    open: Vec<usize>,
    cell_start: u64,
    cells: u64,
}

/// Elements that nest no deeper in sheetData than Excel puts them.
const SHEET_NAMES: [&str; 6] = ["sheetData", "row", "c", "v", "f", "is"];

impl<'a> Look<'a> {
    fn new(role: Role, part: &'a str, limits: &'a Limits) -> Self {
        Look {
            role,
            part,
            limits,
            elements: 0,
            largest: 0,
            formats: 0,
            strings: 0,
            sst: false,
            data: false,
            names: String::new(),
            open: Vec::new(),
            cell_start: 0,
            cells: 0,
        }
    }

    /// What reading the part costs, roughly: each element a little, each
    /// cell format its two largest texts.
    fn cost(&self) -> u64 {
        self.elements.saturating_mul(128).saturating_add(self.formats.saturating_mul(2 * self.largest + 256))
    }

    fn unexpected(&self, name: &str) -> TableError {
        let element: String = name.chars().filter(|c| !c.is_control()).take(40).collect();
        TableError::Unexpected { part: self.part.to_string(), element }
    }

    /// Measures one event; false at the end of what calamine reads.
    fn event(&mut self, event: &Event<'_>, before: u64, after: u64) -> Result<bool, TableError> {
        self.largest = self.largest.max(after - before);
        match event {
            Event::Start(e) => {
                self.elements += 1;
                let name = e.local_name();
                let name = name.as_ref();
                match self.role {
                    Role::Part => {
                        if name == "xf" {
                            self.formats += 1;
                        }
                        // The elements alone: the formats are counted to the end.
                        if self.elements.saturating_mul(128) > self.limits.part_memory {
                            return Err(self.too_costly());
                        }
                    }
                    Role::Strings => {
                        if name == "sst" && !self.sst {
                            self.sst = true;
                            // calamine reserves room for this many strings.
                            if declared_count(e.attributes_raw().as_bytes()) > self.limits.strings {
                                return Err(TableError::TooManyStrings { max: self.limits.strings });
                            }
                        }
                        if name == "si" {
                            self.strings += 1;
                            if self.strings > self.limits.strings {
                                return Err(TableError::TooManyStrings { max: self.limits.strings });
                            }
                        }
                    }
                    Role::Sheet if !self.data => self.data = name == "sheetData",
                    Role::Sheet => {
                        let parent = self.open.last().map(|at| local(&self.names[*at..]));
                        let fits = match (self.open.len(), parent) {
                            (0, _) => name == "row",
                            (1, _) => name == "c" || name == "extLst",
                            (_, Some("c")) => matches!(name, "v" | "f" | "is"),
                            (_, Some("v" | "f")) => false,
                            (depth, _) => depth < 16 && !SHEET_NAMES.contains(&name),
                        };
                        if !fits {
                            return Err(self.unexpected(e.name().as_ref()));
                        }
                        if name == "c" {
                            self.cells += 1;
                            self.cell_start = before;
                        }
                        self.open.push(self.names.len());
                        self.names.push_str(e.name().as_ref());
                    }
                }
            }
            Event::End(e) if self.role == Role::Sheet && self.data => {
                let Some(at) = self.open.pop() else {
                    // calamine stops at the end of sheetData.
                    return if e.local_name().as_ref() == "sheetData" {
                        Ok(false)
                    } else {
                        Err(self.unexpected(&format!("/{}", e.name().as_ref())))
                    };
                };
                if self.names[at..] != *e.name().as_ref() {
                    return Err(self.unexpected(&format!("/{}", e.name().as_ref())));
                }
                let cell = self.open.len() == 1 && local(&self.names[at..]) == "c";
                self.names.truncate(at);
                if cell && after - self.cell_start > self.limits.piece {
                    return Err(TableError::PieceTooBig {
                        part: self.part.to_string(),
                        max: self.limits.piece,
                    });
                }
            }
            Event::Eof => return Ok(false),
            _ => {}
        }
        Ok(true)
    }

    fn too_costly(&self) -> TableError {
        TableError::PartTooCostly {
            part: self.part.to_string(),
            max: self.limits.part_memory,
            elements: self.elements,
            formats: self.formats,
        }
    }

    fn finish(self) -> Result<u64, TableError> {
        if self.role == Role::Part && self.cost() > self.limits.part_memory {
            return Err(self.too_costly());
        }
        Ok(self.cells)
    }
}

fn local(name: &str) -> &str {
    name.rsplit(':').next().unwrap_or(name)
}

/// The largest number any `uniqueCount` attribute in `attrs` says, read as
/// loosely as any reader might (u64::MAX when it does not fit).
fn declared_count(attrs: &[u8]) -> u64 {
    let key = b"uniqueCount";
    let mut largest = 0;
    let mut at = 0;
    while let Some(i) = attrs[at..].windows(key.len()).position(|w| w == key) {
        at += i + key.len();
        // The digits after it: past `=` and the quote (or further: more is safer).
        let rest = &attrs[at..];
        let digits = &rest[rest.iter().position(u8::is_ascii_digit).unwrap_or(rest.len())..];
        let digits = &digits[..digits.iter().position(|b| !b.is_ascii_digit()).unwrap_or(digits.len())];
        let n = digits
            .iter()
            .try_fold(0u64, |n, d| n.checked_mul(10)?.checked_add(u64::from(d - b'0')))
            .unwrap_or(u64::MAX);
        largest = largest.max(n);
    }
    largest
}

/// What the reading thread hands over.
enum Out {
    /// The header row, and the cells in the sheet.
    Head {
        headers: Vec<String>,
        cells: u64,
    },
    Rows(Vec<Row>),
    Fail(TableError),
}

pub(super) fn open(path: &Path, sheet: Option<&str>, limits: &Limits) -> Result<Table, TableError> {
    let name = path.display().to_string();
    let damaged = || TableError::Xlsx { path: name.clone(), detail: "the file is damaged".into() };
    let (tx, rx) = sync_channel::<Out>(2);
    let stop = Arc::new(AtomicBool::new(false));
    let read = Arc::new(AtomicU64::new(0));
    let job = {
        let (path, sheet, limits) = (path.to_path_buf(), sheet.map(str::to_string), limits.clone());
        let (stop, read, name) = (stop.clone(), read.clone(), name.clone());
        move || {
            // calamine can panic on some damaged files: a damaged file is an error.
            let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                read_sheet(&path, sheet.as_deref(), &limits, &tx, &stop, &read)
            }));
            let failure = match outcome {
                Ok(Ok(())) => None,
                Ok(Err(e)) => Some(e),
                Err(_) => Some(TableError::Xlsx { path: name, detail: "the file is damaged".into() }),
            };
            if let Some(e) = failure {
                drop(tx.send(Out::Fail(e)));
            }
        }
    };
    std::thread::Builder::new()
        .name("xlsx".into())
        .spawn(job)
        .map_err(|source| TableError::Io { path: name.clone(), source })?;
    match rx.recv() {
        Ok(Out::Head { headers, cells }) => Ok(Table {
            headers,
            rows: Box::new(SheetRows { rx, batch: Vec::new().into_iter(), stop, done: false }),
            size: cells,
            read,
        }),
        Ok(Out::Fail(e)) => Err(e),
        Ok(Out::Rows(_)) | Err(_) => Err(damaged()),
    }
}

/// The rows the reading thread hands over; dropped, it stops the thread.
struct SheetRows {
    rx: Receiver<Out>,
    batch: std::vec::IntoIter<Row>,
    stop: Arc<AtomicBool>,
    done: bool,
}

impl Iterator for SheetRows {
    type Item = Result<Row, TableError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(r) = self.batch.next() {
                return Some(Ok(r));
            }
            if self.done {
                return None;
            }
            match self.rx.recv() {
                Ok(Out::Rows(v)) => self.batch = v.into_iter(),
                Ok(Out::Fail(e)) => {
                    self.done = true;
                    return Some(Err(e));
                }
                Ok(Out::Head { .. }) => {}
                Err(_) => self.done = true,
            }
        }
    }
}

impl Drop for SheetRows {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

/// The reading thread: opens the file through the guard, then streams the
/// sheet's cells into rows.
fn read_sheet(
    path: &Path,
    sheet: Option<&str>,
    limits: &Limits,
    tx: &SyncSender<Out>,
    stop: &Arc<AtomicBool>,
    read: &AtomicU64,
) -> Result<(), TableError> {
    let name = path.display().to_string();
    let io = |source| TableError::Io { path: name.clone(), source };
    let damaged = |detail: String| TableError::Xlsx { path: name.clone(), detail };
    let mut check = ZipArchive::new(BufReader::new(File::open(path).map_err(io)?))
        .map_err(|e| not_a_zip(path, &name, e))?;
    if check.len() > limits.parts {
        return Err(TableError::TooManyParts { max: limits.parts });
    }
    let mut starts: HashMap<u64, Vec<usize>> = HashMap::new();
    let mut names = Vec::with_capacity(check.len());
    for i in 0..check.len() {
        // A part whose header cannot be read cannot be read by calamine either.
        let (start, part) = match check.by_index_raw(i) {
            Ok(f) => (f.data_start(), String::from_utf8_lossy(f.name_raw()).into_owned()),
            Err(_) => (None, String::new()),
        };
        if let Some(s) = start {
            starts.entry(s).or_default().push(i);
        }
        names.push(part);
    }
    let verdict = Arc::new(Mutex::new(Verdict::default()));
    let guard = Guard {
        file: BufReader::new(File::open(path).map_err(io)?),
        check,
        starts,
        names,
        vetted: HashSet::new(),
        verdict: verdict.clone(),
        limits: limits.clone(),
        path: name.clone(),
        stop: stop.clone(),
    };
    // A part the guard refused is why calamine failed, whatever it says.
    let failed = |detail: String| lock(&verdict).refused.take().unwrap_or_else(|| damaged(detail));
    let mut book: Xlsx<Guard> = Xlsx::new(guard).map_err(|e| failed(e.to_string()))?;
    if let Some(e) = lock(&verdict).refused.take() {
        // calamine reads on without a theme it could not read.
        return Err(e);
    }
    let sheets = book.sheet_names();
    let chosen = match sheet {
        Some(s) => sheets
            .iter()
            .find(|n| n.as_str() == s)
            .cloned()
            .ok_or_else(|| TableError::NoSheet { path: name.clone(), sheet: s.to_string() })?,
        None => sheets.first().cloned().ok_or_else(|| TableError::Empty { path: name.clone() })?,
    };
    lock(&verdict).sheet = true;
    let mut cells = book.worksheet_cells_reader(&chosen).map_err(|e| failed(e.to_string()))?;
    let last = cell_name((limits.rows as u32).saturating_sub(1), limits.columns.saturating_sub(1));
    let outside = |(r, c): (u32, u32)| r as usize >= limits.rows || c >= limits.columns;
    let size = cells.dimensions();
    for corner in [size.start, size.end] {
        if outside(corner) {
            return Err(TableError::Outside { cell: cell_name(corner.0, corner.1), last, declared: true });
        }
    }
    let mut rows = Rows::new(tx, limits, lock(&verdict).cells);
    let mut done = 0u64;
    while let Some(cell) = cells.next_cell().map_err(|e| failed(e.to_string()))? {
        let (r, c) = cell.get_position();
        if outside((r, c)) {
            return Err(TableError::Outside { cell: cell_name(r, c), last, declared: false });
        }
        if !rows.cell(r, c, cell.get_value())? {
            return Ok(());
        }
        done += 1;
        if done.is_multiple_of(4096) {
            read.store(done, Ordering::Relaxed);
            if stop.load(Ordering::Relaxed) {
                return Ok(());
            }
        }
    }
    read.store(done, Ordering::Relaxed);
    rows.finish(&name)
}

/// Why a file named `.xlsx` did not open as a zip: by its bytes, what it
/// is instead; a zip that does open but is damaged further in is named by
/// the library's words.
fn not_a_zip(path: &Path, name: &str, e: zip::result::ZipError) -> TableError {
    let library = || TableError::Xlsx { path: name.to_string(), detail: e.to_string() };
    let Ok(mut file) = File::open(path) else { return library() };
    let mut head = Vec::new();
    if (&mut file).take(8).read_to_end(&mut head).is_err() {
        return library();
    }
    let seen = match head.as_slice() {
        // Nothing in it: an upload that failed, or is still under way.
        [] => return TableError::Empty { path: name.to_string() },
        // A compound file: a workbook with a password, or an old .xls.
        [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1] => NotWorkbook::Compound,
        // A zip's first part starts so; its directory's end record is in
        // its last 64 KiB.
        [b'P', b'K', 3, 4, ..] if !has_end_record(&mut file) => NotWorkbook::CutShort,
        [b'P', b'K', ..] => return library(),
        _ => NotWorkbook::Other,
    };
    TableError::NotWorkbook { path: name.to_string(), seen }
}

/// A zip's end record (`PK\x05\x06` and 18 bytes more) is in the file's
/// last 65,557 bytes (with a comment of at most 65,535); one cut short has
/// none, or only its start.
fn has_end_record(file: &mut File) -> bool {
    const TAIL: u64 = 22 + 65_535;
    let mut tail = Vec::new();
    let read = file
        .seek(SeekFrom::End(0))
        .and_then(|len| file.seek(SeekFrom::Start(len.saturating_sub(TAIL))))
        .and_then(|_| file.take(TAIL).read_to_end(&mut tail));
    // A tail that cannot be read is not said to be missing; a record cut
    // in its middle is.
    read.is_err() || memchr::memmem::rfind(&tail, b"PK\x05\x06").is_some_and(|at| tail.len() - at >= 22)
}

/// Rows built from cells that come in row order, handed over in batches.
struct Rows<'a> {
    tx: &'a SyncSender<Out>,
    limits: &'a Limits,
    cells_in_sheet: u64,
    header: bool,
    batch: Vec<Row>,
    batch_bytes: u64,
    /// The row being built (0-based), its cells and their bytes.
    row: Option<u32>,
    cells: Vec<String>,
    width: usize,
    bytes: u64,
}

/// Rows handed over at a time: fewer wake-ups, and little held in the channel.
const BATCH_ROWS: usize = 256;
const BATCH_BYTES: u64 = 256 * KIB;

impl<'a> Rows<'a> {
    fn new(tx: &'a SyncSender<Out>, limits: &'a Limits, cells_in_sheet: u64) -> Self {
        Rows {
            tx,
            limits,
            cells_in_sheet,
            header: false,
            batch: Vec::new(),
            batch_bytes: 0,
            row: None,
            cells: Vec::new(),
            width: 0,
            bytes: 0,
        }
    }

    /// Adds a cell; false when no one reads the rows any more.
    fn cell(&mut self, r: u32, c: u32, value: &DataRef<'_>) -> Result<bool, TableError> {
        match self.row {
            Some(at) if r < at => return Err(TableError::OutOfOrder { cell: cell_name(r, c) }),
            Some(at) if r > at => {
                if !self.flush(at) {
                    return Ok(false);
                }
                self.row = Some(r);
            }
            Some(_) => {}
            None => self.row = Some(r),
        }
        let len = match value {
            DataRef::String(s) | DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => s.len(),
            DataRef::SharedString(s) => s.len(),
            _ => 32,
        } as u64;
        self.bytes += len;
        if self.bytes > self.limits.row_bytes {
            return Err(TableError::RowTooBig { row: r as usize + 1, max: self.limits.row_bytes });
        }
        let c = c as usize;
        if self.cells.len() <= c {
            self.cells.resize_with(c + 1, String::new);
        }
        self.width = self.width.max(c + 1);
        let out = &mut self.cells[c];
        out.clear();
        text_of(value, out);
        Ok(true)
    }

    /// Hands over row `at` unless it is blank; false when no one listens.
    fn flush(&mut self, at: u32) -> bool {
        let width = self.width;
        let mut sent = true;
        if !self.cells[..width].iter().all(|c| c.trim().is_empty()) {
            if !self.header {
                self.header = true;
                let headers = self.cells[..width].to_vec();
                sent = self.tx.send(Out::Head { headers, cells: self.cells_in_sheet }).is_ok();
            } else {
                let mut rec = csv::StringRecord::with_capacity(self.bytes as usize, width);
                for c in &self.cells[..width] {
                    rec.push_field(c);
                }
                self.batch.push((at as usize + 1, rec));
                self.batch_bytes += self.bytes;
                if self.batch.len() >= BATCH_ROWS || self.batch_bytes >= BATCH_BYTES {
                    sent = self.send();
                }
            }
        }
        for c in &mut self.cells[..width] {
            // A long cell does not keep its room for every row after it.
            if c.capacity() > 4 * KIB as usize {
                *c = String::new();
            } else {
                c.clear();
            }
        }
        self.width = 0;
        self.bytes = 0;
        sent
    }

    fn send(&mut self) -> bool {
        self.batch_bytes = 0;
        self.tx.send(Out::Rows(std::mem::take(&mut self.batch))).is_ok()
    }

    fn finish(mut self, name: &str) -> Result<(), TableError> {
        if let Some(at) = self.row.take()
            && !self.flush(at)
        {
            return Ok(());
        }
        if !self.header {
            return Err(TableError::Empty { path: name.to_string() });
        }
        if !self.batch.is_empty() {
            self.send();
        }
        Ok(())
    }
}

/// Writes to a String, which cannot fail.
fn put(out: &mut String, args: std::fmt::Arguments<'_>) {
    let _ = out.write_fmt(args);
}

/// A cell as text: whole numbers without ".0" (codes and IDs typed as
/// numbers), dates as YYYY-MM-DD.
fn text_of(value: &DataRef<'_>, out: &mut String) {
    match value {
        DataRef::Empty => {}
        DataRef::String(s) | DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => out.push_str(s),
        DataRef::SharedString(s) => out.push_str(s),
        DataRef::Int(i) => put(out, format_args!("{i}")),
        DataRef::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => put(out, format_args!("{}", *f as i64)),
        DataRef::Float(f) => put(out, format_args!("{f}")),
        DataRef::Bool(b) => put(out, format_args!("{b}")),
        DataRef::DateTime(d) if d.is_datetime() => {
            let (y, m, day, ..) = d.to_ymd_hms_milli();
            put(out, format_args!("{y:04}-{m:02}-{day:02}"));
        }
        DataRef::DateTime(d) => put(out, format_args!("{}", d.as_f64())),
        DataRef::Error(e) => put(out, format_args!("{e}")),
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write as _;

    use super::*;
    use crate::io::table::{MIB, open_with};

    const RELS: &str = r#"<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#;
    const WORKBOOK: &str = r#"<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>"#;
    const WORKBOOK_RELS: &str = r#"<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#;

    /// An .xlsx of one sheet whose `<sheetData>` holds `data`, and other parts.
    fn book(dir: &Path, data: &str, parts: &[(&str, String)]) -> std::path::PathBuf {
        book_with(dir, "", data, parts)
    }

    fn book_with(dir: &Path, before: &str, data: &str, parts: &[(&str, String)]) -> std::path::PathBuf {
        let path = dir.join(format!("b{}.xlsx", std::fs::read_dir(dir).unwrap().count()));
        let mut z = zip::ZipWriter::new(File::create(&path).unwrap());
        let o = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
        let sheet = format!(
            r#"<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">{before}<sheetData>{data}</sheetData></worksheet>"#
        );
        let fixed = [
            ("_rels/.rels", RELS.to_string()),
            ("xl/workbook.xml", WORKBOOK.to_string()),
            ("xl/_rels/workbook.xml.rels", WORKBOOK_RELS.to_string()),
            ("xl/worksheets/sheet1.xml", sheet),
        ];
        for (name, text) in fixed.iter().chain(parts) {
            z.start_file(*name, o).unwrap();
            z.write_all(text.as_bytes()).unwrap();
        }
        z.finish().unwrap();
        path
    }

    fn s(r: &str, text: &str) -> String {
        format!(r#"<c r="{r}" t="inlineStr"><is><t>{text}</t></is></c>"#)
    }

    /// The rows of a book, or why it was refused.
    fn read(path: &Path, limits: &Limits) -> Result<Vec<(usize, Vec<String>)>, TableError> {
        let t = open_with(path, None, limits)?;
        let mut rows = vec![(1, t.headers)];
        for r in t.rows {
            let (n, r) = r?;
            rows.push((n, r.iter().map(str::to_string).collect()));
        }
        Ok(rows)
    }

    #[test]
    fn rows_come_one_at_a_time_in_order_with_their_numbers() {
        let dir = tempfile::tempdir().unwrap();
        let data = format!(
            r#"<row r="1">{}{}</row><row r="2"/><row r="3">{}<c r="A3"><v>42</v></c></row><row r="5">{}</row>"#,
            s("A1", "code"),
            s("B1", "name"),
            s("B3", "&amp; x"),
            s("A5", "z")
        );
        let t = open_with(&book(dir.path(), &data, &[]), None, &Limits::default()).unwrap();
        assert_eq!((t.headers.clone(), t.size), (vec!["code".to_string(), "name".to_string()], 5));
        let rows: Vec<_> = t.rows.map(|r| r.unwrap()).collect();
        assert_eq!(rows[0], (3, csv::StringRecord::from(vec!["42", "& x"])));
        assert_eq!(rows[1], (5, csv::StringRecord::from(vec!["z"])));
        assert_eq!(t.read.load(Ordering::Relaxed), 5, "every cell counted for the progress bar");
    }

    #[test]
    fn a_cell_outside_the_limits_is_refused_by_name() {
        let dir = tempfile::tempdir().unwrap();
        let limits = Limits { rows: 3, columns: 4, ..Limits::default() };
        let wide = book(
            dir.path(),
            &format!(r#"<row r="1">{}</row><row r="2">{}</row>"#, s("A1", "a"), s("E2", "x")),
            &[],
        );
        let e = read(&wide, &limits).unwrap_err();
        assert!(
            matches!(&e, TableError::Outside { cell, last, declared: false } if cell == "E2" && last == "D3"),
            "{e}"
        );
        let long = book(
            dir.path(),
            &format!(r#"<row r="1">{}</row><row r="4">{}</row>"#, s("A1", "a"), s("A4", "x")),
            &[],
        );
        assert!(matches!(read(&long, &limits), Err(TableError::Outside { cell, .. }) if cell == "A4"));
        // A sheet that says it is larger is refused before any cell is read.
        let said = book_with(
            dir.path(),
            r#"<dimension ref="A1:XFD1048576"/>"#,
            &format!(r#"<row r="1">{}</row>"#, s("A1", "a")),
            &[],
        );
        let e = read(&said, &Limits::default()).unwrap_err();
        assert!(
            matches!(&e, TableError::Outside { cell, last, declared: true } if cell == "XFD1048576" && last == "IV1048576"),
            "{e}"
        );
    }

    #[test]
    fn cells_out_of_row_order_are_refused_and_out_of_column_order_are_not() {
        let dir = tempfile::tempdir().unwrap();
        let data = format!(
            r#"<row r="1">{}{}</row><row r="3">{}</row><row r="2">{}</row>"#,
            s("B1", "b"),
            s("A1", "a"),
            s("A3", "x"),
            s("A2", "y")
        );
        let e = read(&book(dir.path(), &data, &[]), &Limits::default()).unwrap_err();
        assert!(matches!(&e, TableError::OutOfOrder { cell } if cell == "A2"), "{e}");
        let data = format!(r#"<row r="1">{}{}</row>"#, s("B1", "b"), s("A1", "a"));
        assert_eq!(read(&book(dir.path(), &data, &[]), &Limits::default()).unwrap()[0].1, ["a", "b"]);
    }

    #[test]
    fn a_part_larger_than_its_limit_is_refused_before_calamine_reads_it() {
        let dir = tempfile::tempdir().unwrap();
        let rows: String = (1..=100)
            .map(|r| format!(r#"<row r="{r}">{}</row>"#, s(&format!("A{r}"), "some text")))
            .collect();
        let path = book(dir.path(), &rows, &[]);
        assert_eq!(read(&path, &Limits::default()).unwrap().len(), 100);
        let e = read(&path, &Limits { sheet_xml: 4 * KIB, ..Limits::default() }).unwrap_err();
        assert!(
            matches!(&e, TableError::PartTooBig { part, max } if part == "xl/worksheets/sheet1.xml" && *max == 4 * KIB),
            "{e}"
        );
        let e = read(&path, &Limits { part_xml: 256, ..Limits::default() }).unwrap_err();
        assert!(
            matches!(&e, TableError::PartTooBig { part, .. } if part.ends_with(".rels") || part.ends_with("workbook.xml")),
            "{e}"
        );
    }

    #[test]
    fn a_cell_larger_than_a_piece_is_refused_however_it_is_split() {
        let dir = tempfile::tempdir().unwrap();
        let limits = Limits { piece: 8 * KIB, ..Limits::default() };
        let head = format!(r#"<row r="1">{}</row>"#, s("A1", "a"));
        // One text, rich text in many short runs, many short entities.
        let one = format!(r#"{head}<row r="2">{}</row>"#, s("A2", &"x".repeat(9000)));
        let runs: String = (0..2000).map(|_| "<r><t>xy</t></r>").collect();
        let runs = format!(r#"{head}<row r="2"><c r="A2" t="inlineStr"><is>{runs}</is></c></row>"#);
        let refs = format!(r#"{head}<row r="2"><c r="A2" t="str"><v>{}</v></c></row>"#, "&amp;".repeat(2000));
        for data in [one, runs, refs] {
            let e = read(&book(dir.path(), &data, &[]), &limits).unwrap_err();
            assert!(
                matches!(&e, TableError::PieceTooBig { part, .. } if part == "xl/worksheets/sheet1.xml"),
                "{e}"
            );
        }
        // The same cell, smaller, is read.
        let data = format!(r#"{head}<row r="2">{}</row>"#, s("A2", &"x".repeat(7000)));
        assert_eq!(read(&book(dir.path(), &data, &[]), &limits).unwrap()[1].1[0].len(), 7000);
    }

    #[test]
    fn cells_where_excel_never_puts_them_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let head = format!(r#"<row r="1">{}</row>"#, s("A1", "a"));
        for (data, element) in [
            // A cell inside a cell's text: calamine would read on past the inner cell's end.
            (
                format!(r#"{head}<row r="2"><c r="A2" t="inlineStr"><is><t>x</t><c r="B2"/></is></c></row>"#),
                "c",
            ),
            (format!(r#"{head}<c r="A2"><v>1</v></c>"#), "c"),
            (format!(r#"{head}<row r="2"><c r="A2"><v>1</v></row></c>"#), "/row"),
            (format!(r#"{head}<row r="2"><c r="A2"><v><v>1</v></v></c></row>"#), "v"),
        ] {
            let e = read(&book(dir.path(), &data, &[]), &Limits::default()).unwrap_err();
            assert!(matches!(&e, TableError::Unexpected { element: x, .. } if x == element), "{data}: {e}");
        }
        // Prefixed names are Excel's names.
        let data = r#"<x:row r="1"><x:c r="A1" t="inlineStr"><x:is><x:t>a</x:t></x:is></x:c></x:row>"#;
        assert_eq!(read(&book(dir.path(), data, &[]), &Limits::default()).unwrap()[0].1, ["a"]);
    }

    fn strings(count: &str, n: usize) -> (&'static str, String) {
        let si: String = (0..n).map(|i| format!("<si><t>s{i}</t></si>")).collect();
        (
            "xl/sharedStrings.xml",
            format!(
                r#"<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" uniqueCount="{count}">{si}</sst>"#
            ),
        )
    }

    #[test]
    fn shared_strings_are_counted_before_calamine_makes_room_for_them() {
        let dir = tempfile::tempdir().unwrap();
        let data = r#"<row r="1"><c r="A1" t="s"><v>2</v></c></row>"#;
        let limits = Limits { strings: 10, ..Limits::default() };
        assert_eq!(read(&book(dir.path(), data, &[strings("3", 3)]), &limits).unwrap()[0].1, ["s2"]);
        // A count calamine would reserve room for, and a count of strings.
        for part in [strings("1000000000000", 3), strings("99999999999999999999999", 3), strings("3", 11)] {
            let e = read(&book(dir.path(), data, &[part]), &limits).unwrap_err();
            assert!(matches!(e, TableError::TooManyStrings { max: 10 }), "{e}");
        }
        let e = read(&book(dir.path(), data, &[strings("3", 300)]), &Limits { strings_xml: KIB, ..limits })
            .unwrap_err();
        assert!(matches!(&e, TableError::PartTooBig { part, .. } if part == "xl/sharedStrings.xml"), "{e}");
    }

    #[test]
    fn styles_that_would_cost_too_much_to_read_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let data = r#"<row r="1"><c r="A1" s="1"><v>45000</v></c></row>"#;
        let styles = |name: usize, xfs: usize| {
            let xf: String = (0..xfs).map(|_| r#"<xf numFmtId="14" fontId="0"/>"#).collect();
            (
                "xl/styles.xml",
                format!(
                    r#"<?xml version="1.0"?><styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><fonts count="1"><font><name val="{}"/></font></fonts><cellXfs count="{xfs}">{xf}</cellXfs></styleSheet>"#,
                    "F".repeat(name)
                ),
            )
        };
        let limits = Limits { part_memory: MIB, ..Limits::default() };
        // A date format, read as a date.
        assert_eq!(read(&book(dir.path(), data, &[styles(10, 2)]), &limits).unwrap()[0].1, ["2023-03-15"]);
        // Each format would copy a 64 KiB font name.
        let e = read(&book(dir.path(), data, &[styles(64 * 1024, 20)]), &limits).unwrap_err();
        assert!(
            matches!(&e, TableError::PartTooCostly { part, formats: 20, .. } if part == "xl/styles.xml"),
            "{e}"
        );
        // Or there are too many elements.
        let e = read(&book(dir.path(), data, &[styles(10, 10_000)]), &limits).unwrap_err();
        assert!(matches!(&e, TableError::PartTooCostly { .. }), "{e}");
    }

    #[test]
    fn a_row_with_too_much_text_and_a_file_of_too_many_parts_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        // The same shared string in every cell: little XML, much text.
        let cells: String =
            (0..20).map(|c| format!(r#"<c r="{}" t="s"><v>0</v></c>"#, cell_name(1, c))).collect();
        let data = format!(r#"<row r="1">{}</row><row r="2">{cells}</row>"#, s("A1", "a"));
        let big = (
            "xl/sharedStrings.xml",
            format!(r#"<sst uniqueCount="1"><si><t>{}</t></si></sst>"#, "x".repeat(1000)),
        );
        let e = read(&book(dir.path(), &data, &[big]), &Limits { row_bytes: 10_000, ..Limits::default() })
            .unwrap_err();
        assert!(matches!(e, TableError::RowTooBig { row: 2, max: 10_000 }), "{e}");
        let e = read(&book(dir.path(), &data, &[]), &Limits { parts: 3, ..Limits::default() }).unwrap_err();
        assert!(matches!(e, TableError::TooManyParts { max: 3 }), "{e}");
    }

    #[test]
    fn a_workbook_with_a_password_says_so() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("locked.xlsx");
        let mut bytes = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
        bytes.resize(4096, 0);
        std::fs::write(&path, bytes).unwrap();
        let e = read(&path, &Limits::default()).unwrap_err();
        assert!(matches!(&e, TableError::NotWorkbook { seen: NotWorkbook::Compound, .. }), "{e}");
        assert!(e.to_string().contains("password"), "{e}");
    }

    /// A file named `.xlsx` that is no workbook is named for what it is:
    /// cut short, not a workbook at all, or a zip damaged further in.
    #[test]
    fn a_file_that_is_no_workbook_says_what_it_is() {
        let dir = tempfile::tempdir().unwrap();
        let data =
            format!(r#"<row r="1">{}</row><row r="2">{}</row>"#, s("A1", "fund_code"), s("A2", "33010101"));
        let whole = std::fs::read(book(dir.path(), &data, &[])).unwrap();
        let cases: [(&str, Vec<u8>, Option<NotWorkbook>); 6] = [
            ("cut.xlsx", whole[..whole.len() / 2].to_vec(), Some(NotWorkbook::CutShort)),
            ("text.xlsx", b"fund_code\n33010101\n".to_vec(), Some(NotWorkbook::Other)),
            ("empty.xlsx", Vec::new(), None),
            ("pk.xlsx", b"PK".to_vec(), None),
            ("cut-end.xlsx", whole[..whole.len() - 10].to_vec(), Some(NotWorkbook::CutShort)),
            ("odd.xlsx", [b"PK\x05\x06".as_slice(), &[0; 18]].concat(), None),
        ];
        for (name, bytes, want) in cases {
            let path = dir.path().join(name);
            std::fs::write(&path, bytes).unwrap();
            match (read(&path, &Limits::default()), want) {
                (Err(TableError::NotWorkbook { seen, .. }), Some(want)) => assert_eq!(seen, want, "{name}"),
                (Err(TableError::Empty { .. }), None) if name == "empty.xlsx" => {}
                (Err(TableError::Xlsx { .. }), None) if name != "empty.xlsx" => {}
                (other, _) => panic!("{name}: {:?}", other.err()),
            }
        }
    }

    #[test]
    fn declared_counts_are_read_loosely() {
        assert_eq!(declared_count(br#"count="5" uniqueCount="3""#), 3);
        assert_eq!(declared_count(br#"uniqueCount = '0012' x:uniqueCount="40""#), 40);
        assert_eq!(declared_count(br#"uniqueCount="184467440737095516160""#), u64::MAX);
        assert_eq!(declared_count(br#"count="5""#), 0);
    }
}
