//! Spreadsheets in and out as rows of text: CSV (UTF-8, with or without a BOM)
//! read row by row, XLSX (first sheet or a named one) streamed cell by cell
//! (`super::xlsx`); CSV and XLSX written with a header row. Reading is bounded
//! by `Limits`: a file that declares or holds more is refused with a message,
//! never read into memory whole.

use std::{
    cell::Cell as Shared,
    fs::File,
    io::{self, Read, Write},
    path::Path,
    rc::Rc,
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
};

pub use super::sheet::{GIB, KIB, Limits, MIB, Row, Table, TableError, cell_name, size_text};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Csv,
    Xlsx,
}

pub fn format_of(path: &Path) -> Option<Format> {
    match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
        "csv" | "txt" => Some(Format::Csv),
        "xlsx" | "xlsm" => Some(Format::Xlsx),
        _ => None,
    }
}

/// Counts bytes as they are read.
struct Counting<R> {
    inner: R,
    read: Arc<AtomicU64>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

pub fn open(path: &Path, sheet: Option<&str>) -> Result<Table, TableError> {
    open_with(path, sheet, &Limits::default())
}

pub fn open_with(path: &Path, sheet: Option<&str>, limits: &Limits) -> Result<Table, TableError> {
    let name = path.display().to_string();
    match format_of(path) {
        Some(Format::Csv) => {
            let file = File::open(path).map_err(|source| TableError::Io { path: name.clone(), source })?;
            let size = file.metadata().map(|m| m.len()).unwrap_or(0);
            let read = Arc::new(AtomicU64::new(0));
            csv_table(Counting { inner: file, read: read.clone() }, &name, size, read, limits)
        }
        Some(Format::Xlsx) => super::xlsx::open(path, sheet, limits),
        None => Err(TableError::UnknownFormat { path: name }),
    }
}

/// What the CSV reader keeps in hand past the last record: a record longer
/// than the limit is seen before it is all in memory.
const CSV_BUFFER: usize = 64 * 1024;

/// Hands the CSV reader no more than `max` bytes past the end of the last
/// whole record (`mark`), so one endless record cannot fill the memory; and
/// numbers the rows as Excel does ([`ExcelRows`]) as the bytes go by.
struct RecordGuard<R> {
    inner: R,
    given: u64,
    mark: Rc<Shared<u64>>,
    max: u64,
    tripped: Rc<Shared<bool>>,
    rows: Rc<std::cell::RefCell<ExcelRows>>,
}

impl<R: Read> Read for RecordGuard<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.given.saturating_sub(self.mark.get()) > self.max {
            self.tripped.set(true);
            return Err(io::Error::other("a record longer than the limit"));
        }
        let n = self.inner.read(buf)?;
        self.given += n as u64;
        let mut rows = self.rows.borrow_mut();
        match buf.get(..n) {
            Some(bytes) if n > 0 => rows.feed(bytes),
            _ => rows.end(),
        }
        Ok(n)
    }
}

/// Where a CSV field is, for [`ExcelRows`].
#[derive(Clone, Copy, PartialEq, Eq)]
enum Field {
    Start,
    Plain,
    Quoted,
    /// A quote inside a quoted field: the field's end, or half of `""`.
    QuoteInQuoted,
}

/// The row each record of a CSV starts on, as Excel numbers them: a line
/// break inside a quoted cell does not start a row, a blank line is a row,
/// and `\r\n` ends one row. (The CSV reader's own line numbers lag by one
/// after `\r\n`, the way Excel on Windows saves a CSV, and skip blank lines:
/// a refused row was reported as the one above it.) The rows of records not
/// yet taken are queued; the reader holds at most its buffer ahead.
struct ExcelRows {
    row: usize,
    field: Field,
    /// The last byte ended a row with `\r`: a `\n` right after it is the
    /// same line break.
    after_cr: bool,
    /// The row has something besides line breaks: the reader makes a record of it.
    content: bool,
    ahead: std::collections::VecDeque<usize>,
}

impl Default for ExcelRows {
    fn default() -> Self {
        ExcelRows { row: 1, field: Field::Start, after_cr: false, content: false, ahead: Default::default() }
    }
}

impl ExcelRows {
    /// Reads `bytes` on from where the last call stopped. Runs of bytes that
    /// change nothing but the field's state (inside quotes, up to the next
    /// quote; outside, up to the next quote or line break) are passed over
    /// with a vector search: the state after such a run depends only on its
    /// last byte. The same as [`ExcelRows::feed_bytes`], byte for byte (a
    /// property test compares them); a members file's rows were 3% of an
    /// import's time read one byte at a time.
    fn feed(&mut self, mut bytes: &[u8]) {
        while !bytes.is_empty() {
            let run = match self.field {
                Field::Quoted => memchr::memchr(b'"', bytes),
                _ => memchr::memchr3(b'"', b'\r', b'\n', bytes),
            }
            .unwrap_or(bytes.len());
            if let Some(&last) = run.checked_sub(1).and_then(|i| bytes.get(i)) {
                self.after_cr = false;
                self.content = true;
                if self.field != Field::Quoted {
                    self.field = if last == b',' { Field::Start } else { Field::Plain };
                }
            }
            let (Some(one), rest) = (bytes.get(run..=run), bytes.get(run + 1..).unwrap_or_default()) else {
                return;
            };
            self.feed_bytes(one);
            bytes = rest;
        }
    }

    /// Reads `bytes` one at a time.
    fn feed_bytes(&mut self, bytes: &[u8]) {
        for &b in bytes {
            let after_cr = std::mem::take(&mut self.after_cr);
            if b != b'\r' && b != b'\n' {
                self.content = true;
            }
            self.field = match (self.field, b) {
                (Field::Quoted, b'"') => Field::QuoteInQuoted,
                (Field::Quoted, _) => Field::Quoted,
                (Field::QuoteInQuoted, b'"') | (Field::Start, b'"') => Field::Quoted,
                (_, b',') => Field::Start,
                // `\r\n`, `\n` and a lone `\r` each end a row, as the reader takes them.
                (_, b'\n') if after_cr => Field::Start,
                (_, b'\r' | b'\n') => {
                    self.after_cr = b == b'\r';
                    self.end_row();
                    Field::Start
                }
                _ => Field::Plain,
            };
        }
    }

    fn end_row(&mut self) {
        if self.content {
            self.ahead.push_back(self.row);
        }
        self.row += 1;
        self.content = false;
    }

    /// The file has ended: its last row needs no line break.
    fn end(&mut self) {
        if self.content {
            self.end_row();
        }
    }

    /// The row of the next record the reader gives.
    fn next(&mut self) -> Option<usize> {
        self.ahead.pop_front()
    }
}

/// The records of a CSV file, each checked against the limits.
struct Records<R: Read> {
    rdr: csv::Reader<RecordGuard<R>>,
    mark: Rc<Shared<u64>>,
    tripped: Rc<Shared<bool>>,
    limits: Limits,
    name: String,
    /// Records read, the header included.
    count: usize,
    done: bool,
    /// The last record's bytes and fields: room made for the next at once
    /// (a record grown from empty is reallocated as it is read).
    shape: (usize, usize),
    rows: Rc<std::cell::RefCell<ExcelRows>>,
}

impl<R: Read> Records<R> {
    /// The next record and the line it starts on.
    fn next_record(&mut self) -> Option<Result<(usize, csv::ByteRecord), TableError>> {
        if self.done {
            return None;
        }
        let start = self.rdr.position().clone();
        let mut rec = csv::ByteRecord::with_capacity(self.shape.0, self.shape.1);
        let result = self.rdr.read_byte_record(&mut rec);
        self.shape = (rec.as_slice().len(), rec.len());
        // The row Excel shows it on; the reader's line if the two ever part.
        let excel = self.rows.borrow_mut().next();
        let row_of = |line: u64| excel.unwrap_or(line as usize);
        let too_big = TableError::RowTooBig { row: row_of(start.line()), max: self.limits.row_bytes };
        match result {
            Ok(false) => {
                self.done = true;
                None
            }
            Ok(true) => {
                let end = self.rdr.position().byte();
                self.mark.set(end);
                self.count += 1;
                let line = row_of(rec.position().map_or(start.line(), |p| p.line()));
                if self.count > self.limits.csv_rows {
                    self.done = true;
                    return Some(Err(TableError::TooManyRows { max: self.limits.csv_rows }));
                }
                if end - start.byte() > self.limits.row_bytes {
                    self.done = true;
                    return Some(Err(TableError::RowTooBig { row: line, max: self.limits.row_bytes }));
                }
                Some(Ok((line, rec)))
            }
            Err(_) if self.tripped.get() => {
                self.done = true;
                Some(Err(too_big))
            }
            Err(e) => {
                let row = row_of(e.position().map_or(start.line(), |p| p.line()));
                let detail = e.to_string();
                self.count += 1;
                match e.into_kind() {
                    // A broken disk or pipe says so again at every read: it
                    // ends the file, where a bad record is one row.
                    csv::ErrorKind::Io(source) => {
                        self.done = true;
                        Some(Err(TableError::Io { path: self.name.clone(), source }))
                    }
                    _ => Some(Err(TableError::Csv { row, detail })),
                }
            }
        }
    }
}
/// A CSV from any reader (a leading UTF-8 BOM is dropped).
pub fn csv_table<R: Read + 'static>(
    reader: R,
    name: &str,
    size: u64,
    read: Arc<AtomicU64>,
    limits: &Limits,
) -> Result<Table, TableError> {
    let mark = Rc::new(Shared::new(0));
    let tripped = Rc::new(Shared::new(false));
    let rows = Rc::new(std::cell::RefCell::new(ExcelRows::default()));
    let guard = RecordGuard {
        inner: reader,
        given: 0,
        mark: mark.clone(),
        // What the reader holds besides the record: its buffer, twice over.
        max: limits.row_bytes + 2 * CSV_BUFFER as u64,
        tripped: tripped.clone(),
        rows: Rc::clone(&rows),
    };
    let rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .buffer_capacity(CSV_BUFFER)
        .from_reader(guard);
    let mut records = Records {
        rdr,
        mark,
        tripped,
        limits: limits.clone(),
        name: name.to_string(),
        count: 0,
        done: false,
        shape: (0, 0),
        rows,
    };
    let headers = loop {
        match records.next_record() {
            None => return Err(TableError::Empty { path: name.to_string() }),
            Some(rec) => {
                let (line, rec) = rec?;
                let cells = cells_of(&rec, records.count == 1, line)?;
                if cells.iter().all(|c| c.trim().is_empty()) {
                    continue;
                }
                break cells;
            }
        }
    };
    let rows = std::iter::from_fn(move || {
        loop {
            // The row where the record starts, as Excel numbers it.
            let (row, rec) = match records.next_record()? {
                Ok(r) => r,
                Err(e) => return Some(Err(e)),
            };
            match csv::StringRecord::from_byte_record(rec) {
                Ok(c) if c.iter().all(|x| x.trim().is_empty()) => continue,
                Ok(c) => return Some(Ok((row, c))),
                Err(_) => return Some(Err(TableError::NotUtf8 { row })),
            }
        }
    });
    Ok(Table { headers, rows: Box::new(rows), size, read })
}

fn cells_of(rec: &csv::ByteRecord, first: bool, row: usize) -> Result<Vec<String>, TableError> {
    rec.iter()
        .enumerate()
        .map(|(i, b)| {
            let b = if first && i == 0 { b.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(b) } else { b };
            std::str::from_utf8(b).map(|s| s.to_string()).map_err(|_| TableError::NotUtf8 { row })
        })
        .collect()
}

/// First characters that make Excel (and LibreOffice) read a CSV cell as a
/// formula: `=HYPERLINK(…)` or `@SUM(…)` in a name would run when an officer
/// opens the file.
const FORMULA_START: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// Text for a CSV cell that Excel shows as text: one that would start a
/// formula gets a leading `'` (OWASP's advice on CSV injection). Numbers
/// are written as numbers, never through this.
pub fn excel_safe(s: &str) -> std::borrow::Cow<'_, str> {
    if s.starts_with(FORMULA_START) {
        std::borrow::Cow::Owned(format!("'{s}"))
    } else {
        std::borrow::Cow::Borrowed(s)
    }
}

/// A cell read back from a file this program wrote: the `'` of
/// [`excel_safe`] taken off (only before what it guards).
pub fn from_excel_safe(s: &str) -> &str {
    match s.strip_prefix('\'') {
        Some(rest) if rest.starts_with(FORMULA_START) => rest,
        _ => s,
    }
}

/// A cell to write: text or a number (money and counts stay numbers in Excel).
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    Text(String),
    Number(f64),
}

impl Cell {
    pub fn text(&self) -> String {
        match self {
            Cell::Text(s) => s.clone(),
            Cell::Number(n) if n.fract() == 0.0 => format!("{}", *n as i64),
            Cell::Number(n) => format!("{n:.2}"),
        }
    }
}

impl From<String> for Cell {
    fn from(s: String) -> Self {
        Cell::Text(s)
    }
}

impl From<&str> for Cell {
    fn from(s: &str) -> Self {
        Cell::Text(s.to_string())
    }
}

/// Writes rows to `.csv` (UTF-8 with a BOM, so Excel shows Thai) or `.xlsx`.
pub struct Writer {
    /// `None` once finished.
    kind: Option<WriterKind>,
    /// Digits as Thai digits (๐–๙): text cells, and numbers too — in a CSV
    /// as Thai text, in an `.xlsx` kept numbers shown with Thai digits.
    thai_digits: bool,
    path: std::path::PathBuf,
    /// Where the file is written first: a new file beside `path` (created
    /// only if nothing is there, 0600), renamed over `path` when whole. So a
    /// half-written export never stands under the real name, and a link
    /// planted at the name is replaced, never followed.
    temp: std::path::PathBuf,
}

enum WriterKind {
    Csv(Box<csv::Writer<io::BufWriter<File>>>),
    Xlsx { book: Box<rust_xlsxwriter::Workbook>, row: u32 },
}

#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("cannot write {path}: {source}")]
    Io { path: String, source: io::Error },
    #[error("cannot write {path}: {detail}")]
    Write { path: String, detail: String },
    #[error("{path}: the name must end in .csv or .xlsx")]
    UnknownFormat { path: String },
}

/// A new file beside `path`, for writing it whole before it takes the name.
fn temp_beside(path: &Path) -> io::Result<(std::path::PathBuf, File)> {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let stamp =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default().as_nanos();
    let mut last = io::Error::other("no temporary name was free");
    for attempt in 0..16u32 {
        let temp = path.with_file_name(format!(".{name}.{}-{stamp}-{attempt}.tmp", std::process::id()));
        match crate::store::files::create_private_new(&temp) {
            Ok(f) => return Ok((temp, f)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => last = e,
            Err(e) => return Err(e),
        }
    }
    Err(last)
}

impl Writer {
    pub fn create(path: &Path, headers: &[&str]) -> Result<Writer, WriteError> {
        let io_err = |source: io::Error| WriteError::Io { path: path.display().to_string(), source };
        let err = |detail: String| WriteError::Write { path: path.display().to_string(), detail };
        let Some(format) = format_of(path) else {
            return Err(WriteError::UnknownFormat { path: path.display().to_string() });
        };
        let (temp, file) = temp_beside(path).map_err(io_err)?;
        let kind = match format {
            Format::Csv => {
                let mut f = io::BufWriter::new(file);
                io::Write::write_all(&mut f, b"\xEF\xBB\xBF").map_err(io_err)?;
                let mut w = csv::Writer::from_writer(f);
                w.write_record(headers).map_err(|e| err(e.to_string()))?;
                WriterKind::Csv(Box::new(w))
            }
            Format::Xlsx => {
                // rust_xlsxwriter writes the file itself, at the end.
                drop(file);
                let mut book = rust_xlsxwriter::Workbook::new();
                let sheet = book.add_worksheet();
                let bold = rust_xlsxwriter::Format::new().set_bold();
                for (c, h) in headers.iter().enumerate() {
                    sheet.write_string_with_format(0, c as u16, *h, &bold).map_err(|e| err(e.to_string()))?;
                }
                WriterKind::Xlsx { book: Box::new(book), row: 1 }
            }
        };
        Ok(Writer { kind: Some(kind), path: path.to_path_buf(), temp, thai_digits: false })
    }

    /// Writes every digit of the rows as a Thai digit (see the field).
    pub fn with_thai_digits(mut self, on: bool) -> Self {
        self.thai_digits = on;
        self
    }

    pub fn row(&mut self, cells: &[Cell]) -> Result<(), WriteError> {
        let err = |detail: String| WriteError::Write { path: self.path.display().to_string(), detail };
        let thai = self.thai_digits;
        let digits = |s: String| if thai { crate::domain::thai::to_thai_digits(&s).into_owned() } else { s };
        match &mut self.kind {
            None => Err(err("already finished".into())),
            Some(WriterKind::Csv(w)) => w
                .write_record(cells.iter().map(|c| match c {
                    Cell::Text(s) => digits(excel_safe(s).into_owned()),
                    n => digits(n.text()),
                }))
                .map_err(|e| match e.into_kind() {
                    csv::ErrorKind::Io(source) => {
                        WriteError::Io { path: self.path.display().to_string(), source }
                    }
                    other => err(format!("{other:?}")),
                }),
            Some(WriterKind::Xlsx { book, row }) => {
                let sheet = book.worksheet_from_index(0).map_err(|e| err(e.to_string()))?;
                for (c, cell) in cells.iter().enumerate() {
                    let c = c as u16;
                    // A text cell is stored as text: Excel never runs it as a formula.
                    match cell {
                        Cell::Text(s) => sheet.write_string(*row, c, digits(s.clone())).map(|_| ()),
                        // Excel's `[$-D000000]`: the number in Thai digits.
                        Cell::Number(n) if thai => {
                            let pattern =
                                if n.fract() == 0.0 { "[$-D000000]0" } else { "[$-D000000]#,##0.00" };
                            let format = rust_xlsxwriter::Format::new().set_num_format(pattern);
                            sheet.write_number_with_format(*row, c, *n, &format).map(|_| ())
                        }
                        Cell::Number(n) => sheet.write_number(*row, c, *n).map(|_| ()),
                    }
                    .map_err(|e| err(e.to_string()))?;
                }
                *row += 1;
                Ok(())
            }
        }
    }

    pub fn finish(mut self) -> Result<(), WriteError> {
        let path = self.path.display().to_string();
        let io_err = |source: io::Error| WriteError::Io { path: path.clone(), source };
        let Some(kind) = self.kind.take() else { return Ok(()) };
        let written = match kind {
            WriterKind::Csv(w) => w
                .into_inner()
                // The write's own error, kind and all ("the disk is full"),
                // not its text: a small CSV meets a full disk only here.
                .map_err(|e| io_err(e.into_error()))
                .and_then(|f| f.into_inner().map_err(|e| io_err(e.into_error())))
                .and_then(|f| f.sync_all().map_err(io_err)),
            WriterKind::Xlsx { mut book, .. } => save_xlsx(&mut book, &self.temp, &path),
        };
        put_in_place(written, &self.temp, &self.path)
    }
}

/// A file written whole at `temp` takes its name `path` (private); one that
/// could not be written leaves nothing behind.
fn put_in_place(written: Result<(), WriteError>, temp: &Path, path: &Path) -> Result<(), WriteError> {
    let io_err = |source: io::Error| WriteError::Io { path: path.display().to_string(), source };
    let written = written.and_then(|()| {
        crate::store::files::make_private(temp).map_err(io_err)?;
        // A workbook saved by rust_xlsxwriter is not synced by it.
        crate::store::files::sync_file(temp).map_err(io_err)?;
        std::fs::rename(temp, path).map_err(io_err)
    });
    if written.is_err() {
        let _ = std::fs::remove_file(temp);
    }
    written
}

/// Saves a workbook made elsewhere (a template) as [`Writer`] saves its own:
/// written beside `path`, then put in its place.
pub fn save_workbook(book: &mut rust_xlsxwriter::Workbook, path: &Path) -> Result<(), WriteError> {
    let io_err = |source: io::Error| WriteError::Io { path: path.display().to_string(), source };
    let (temp, file) = temp_beside(path).map_err(io_err)?;
    drop(file);
    let written = save_xlsx(book, &temp, &path.display().to_string());
    put_in_place(written, &temp, path)
}

/// Writes `book` into `temp`; errors name `path`. The zip writer under
/// rust_xlsxwriter prints its own failure when it is dropped unfinished, in
/// Rust's debug form, on the officer's terminal ("ZipWriter::drop: failed to
/// finalize archive: Io(Os { code: 28, kind: StorageFull, … })", a full
/// disk). So the file's first error is kept aside ([`Latch`]) and every write
/// after it is taken as done; the save is then refused with that error,
/// said the way every other one is.
fn save_xlsx(book: &mut rust_xlsxwriter::Workbook, temp: &Path, path: &str) -> Result<(), WriteError> {
    let io_err = |source: io::Error| WriteError::Io { path: path.to_string(), source };
    let file = File::create(temp).map_err(io_err)?;
    let mut out = Latch { inner: io::BufWriter::new(file), failed: None };
    let saved = book.save_to_writer(&mut out);
    let _ = out.flush();
    if let Some(e) = out.failed.take() {
        return Err(io_err(e));
    }
    saved.map_err(|e| match e {
        rust_xlsxwriter::XlsxError::IoError(source) => io_err(source),
        e => WriteError::Write { path: path.to_string(), detail: e.to_string() },
    })
}

/// A writer that keeps its first error and takes every write after it as
/// done (see [`save_xlsx`]).
struct Latch<W> {
    inner: W,
    failed: Option<io::Error>,
}

impl<W: Write> Write for Latch<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.failed.is_none() {
            match self.inner.write(buf) {
                Ok(n) => return Ok(n),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => return Err(e),
                Err(e) => self.failed = Some(e),
            }
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        if self.failed.is_none()
            && let Err(e) = self.inner.flush()
        {
            self.failed = Some(e);
        }
        Ok(())
    }
}

impl Drop for Writer {
    /// A writer given up (an error half-way) leaves nothing behind.
    fn drop(&mut self) {
        if self.kind.is_some() {
            let _ = std::fs::remove_file(&self.temp);
        }
    }
}

#[cfg(test)]
mod tests {
    /// The vector search over runs numbers every row as the byte-at-a-time
    /// reading does, however a file is cut into reads.
    mod excel_rows {
        use proptest::prelude::*;

        use super::super::ExcelRows;

        fn rows(chunks: &[&[u8]], fast: bool) -> (Vec<usize>, usize) {
            let mut r = ExcelRows::default();
            for c in chunks {
                if fast { r.feed(c) } else { r.feed_bytes(c) }
            }
            r.end();
            (r.ahead.iter().copied().collect(), r.row)
        }

        proptest! {
            #[test]
            fn runs_read_as_bytes_do(
                text in proptest::collection::vec(
                    prop_oneof![
                        1 => Just(b'"'), 1 => Just(b','), 1 => Just(b'\r'), 1 => Just(b'\n'),
                        8 => Just(b'a'), 2 => Just(0xE0u8),
                    ],
                    0..300,
                ),
                // Where the reads end, as fractions of the text.
                cuts in proptest::collection::vec(0.0f64..1.0, 0..6),
            ) {
                let mut cuts: Vec<usize> = cuts.into_iter().map(|c| (c * text.len() as f64) as usize).collect();
                cuts.sort_unstable();
                let mut chunks = Vec::new();
                let mut at = 0;
                for c in cuts.into_iter().chain([text.len()]) {
                    chunks.push(&text[at..c]);
                    at = c;
                }
                prop_assert_eq!(rows(&chunks, true), rows(&chunks, false));
            }
        }
    }

    use super::*;

    fn csv_rows(bytes: &'static [u8]) -> (Vec<String>, Vec<Result<Row, String>>) {
        csv_rows_with(bytes, &Limits::default())
    }

    fn csv_rows_with(bytes: &'static [u8], limits: &Limits) -> (Vec<String>, Vec<Result<Row, String>>) {
        let t = csv_table(bytes, "t.csv", bytes.len() as u64, Default::default(), limits).unwrap();
        (t.headers, t.rows.map(|r| r.map_err(|e| e.to_string())).collect())
    }

    #[test]
    fn csv_with_a_bom_blank_lines_and_thai() {
        let (h, rows) = csv_rows("\u{feff}รหัส,ชื่อ\n33010101,\"กองทุน, บ้าน\"\n\n\n,\n33010102,x\n".as_bytes());
        assert_eq!(h, ["รหัส", "ชื่อ"]);
        assert_eq!(rows[0], Ok((2, csv::StringRecord::from(vec!["33010101", "กองทุน, บ้าน"]))));
        // Blank lines and rows of empty cells are not data.
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[1].as_ref().map(|r| r.1[0].to_string()), Ok("33010102".to_string()));
    }

    /// Rows are numbered as Excel shows them, whatever ends the lines: a
    /// CSV saved by Excel on Windows (`\r\n`) had every refused row reported
    /// as the one above it (its first data row as the header), and rows
    /// after blank lines or a cell of two lines were off too.
    #[test]
    fn rows_are_numbered_as_excel_numbers_them() {
        let numbers = |bytes: &'static [u8]| -> Vec<(usize, String)> {
            let (_, rows) = csv_rows(bytes);
            rows.into_iter().map(|r| r.map(|(n, c)| (n, c[0].to_string())).unwrap()).collect()
        };
        let want = |v: &[(usize, &str)]| v.iter().map(|(n, s)| (*n, s.to_string())).collect::<Vec<_>>();
        for end in ["\n", "\r\n", "\r"] {
            let text =
                ["h,x", "a,1", "b,2", "", "", "c,3", "\"d\nd\",4", "e,5", "  ,", "f,\"\"\"q\"\"\"", "g,7"]
                    .join(end);
            let text: &'static str = Box::leak(text.into_boxed_str());
            let got = numbers(text.as_bytes());
            let expect = want(&[(2, "a"), (3, "b"), (6, "c"), (7, "d\nd"), (8, "e"), (10, "f"), (11, "g")]);
            assert_eq!(got, expect, "lines ended by {end:?}");
        }
        // With a BOM, a last line without its break, and a field with quotes in its middle.
        let got = numbers("\u{feff}h\r\na\"b,1\r\n\r\nc,2".as_bytes());
        assert_eq!(got, want(&[(2, "a\"b"), (4, "c")]));
    }

    #[test]
    fn bad_utf8_is_a_row_error_not_a_panic() {
        let (_, rows) = csv_rows(b"a,b\n\xff\xfe,1\nok,2\n");
        assert!(matches!(&rows[0], Err(e) if e.contains("UTF-8")));
        assert_eq!(rows[1], Ok((3, csv::StringRecord::from(vec!["ok", "2"]))));
    }

    #[test]
    fn a_csv_longer_than_the_limit_is_refused_at_the_row_past_it() {
        let limits = Limits { csv_rows: 3, ..Limits::default() };
        let (_, rows) = csv_rows_with(b"a,b\n1,2\n3,4\n5,6\n7,8\n", &limits);
        // The header and two rows are read; the third row is one too many.
        assert_eq!(rows.len(), 3, "{rows:?}");
        assert_eq!(rows[1].as_ref().map(|r| r.0), Ok(3));
        assert!(matches!(&rows[2], Err(e) if e.contains("more than 3 rows")), "{rows:?}");
    }

    #[test]
    fn an_endless_record_is_refused_without_reading_it_all() {
        // A quote never closed: the rest of the stream is one field, forever.
        let endless = std::io::Read::chain(&b"a,b\n1,\"x"[..], std::io::repeat(b'x'));
        let limits = Limits { row_bytes: 64 * KIB, ..Limits::default() };
        let t = csv_table(endless, "t.csv", 0, Default::default(), &limits).unwrap();
        let rows: Vec<_> = t.rows.collect();
        assert_eq!(rows.len(), 1);
        assert!(matches!(&rows[0], Err(TableError::RowTooBig { row: 2, .. })), "{rows:?}");
        // A record just under the limit is read.
        let field = "y".repeat(60 * 1024);
        let text: &'static [u8] = format!("a,b\n1,\"{field}\"\n2,z\n").leak().as_bytes();
        let (_, rows) = csv_rows_with(text, &limits);
        assert_eq!(rows.len(), 2, "{:?}", rows.iter().map(|r| r.as_ref().map(|r| r.0)).collect::<Vec<_>>());
        assert_eq!(rows[0].as_ref().map(|r| r.1[1].len()), Ok(field.len()));
    }

    #[test]
    fn cell_names_and_sizes_read_as_excel_and_people_write_them() {
        assert_eq!(cell_name(0, 0), "A1");
        assert_eq!(cell_name(9, 25), "Z10");
        assert_eq!(cell_name(0, 26), "AA1");
        assert_eq!(cell_name(1_048_575, 255), "IV1048576");
        assert_eq!(cell_name(1_048_575, 16_383), "XFD1048576");
        assert_eq!(cell_name(u32::MAX, u32::MAX), "MWLQKWV4294967296");
        assert_eq!(size_text(GIB), "1 GiB");
        assert_eq!(size_text(256 * MIB), "256 MiB");
        assert_eq!(size_text(64 * KIB), "64 KiB");
        assert_eq!(size_text(3 * MIB / 2), "1.5 MiB");
        assert_eq!(size_text(100), "100 bytes");
    }
}
