//! Spreadsheets in and out as rows of text: CSV (UTF-8, with or without a BOM)
//! read row by row, XLSX (first sheet or a named one) through calamine; CSV
//! and XLSX written with a header row.

use std::{
    fs::File,
    io::{self, BufReader, Read},
    path::Path,
};

use calamine::{Data, Reader};

#[derive(Debug, thiserror::Error)]
pub enum TableError {
    #[error("cannot read {path}: {source}")]
    Io { path: String, source: io::Error },
    #[error("{path} is not a CSV or XLSX file (by its name)")]
    UnknownFormat { path: String },
    #[error("row {row}: {detail}")]
    Csv { row: usize, detail: String },
    #[error("row {row}: the text is not UTF-8 (save the file as \"CSV UTF-8\")")]
    NotUtf8 { row: usize },
    #[error("{path}: {detail}")]
    Xlsx { path: String, detail: String },
    #[error("{path} has no sheet named {sheet}")]
    NoSheet { path: String, sheet: String },
    #[error("{path} is empty (no header row)")]
    Empty { path: String },
}

/// A data row: its number in the file (the header is row 1) and its cells.
/// (One allocation per row: a million-row file is read without a String per cell.)
pub type Row = (usize, csv::StringRecord);

/// Rows of a file, after its header.
pub struct Table {
    pub headers: Vec<String>,
    pub rows: Box<dyn Iterator<Item = Result<Row, TableError>>>,
    /// Bytes in the file, and a counter of bytes read so far (CSV), for a
    /// progress bar.
    pub size: u64,
    pub read: std::sync::Arc<std::sync::atomic::AtomicU64>,
}

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
    read: std::sync::Arc<std::sync::atomic::AtomicU64>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read.fetch_add(n as u64, std::sync::atomic::Ordering::Relaxed);
        Ok(n)
    }
}

pub fn open(path: &Path, sheet: Option<&str>) -> Result<Table, TableError> {
    let name = path.display().to_string();
    match format_of(path) {
        Some(Format::Csv) => {
            let file = File::open(path).map_err(|source| TableError::Io { path: name.clone(), source })?;
            let size = file.metadata().map(|m| m.len()).unwrap_or(0);
            let read = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
            csv_table(
                Counting { inner: BufReader::with_capacity(1 << 16, file), read: read.clone() },
                &name,
                size,
                read,
            )
        }
        Some(Format::Xlsx) => xlsx_table(path, sheet),
        None => Err(TableError::UnknownFormat { path: name }),
    }
}

/// A CSV from any reader (a leading UTF-8 BOM is dropped).
pub fn csv_table<R: Read + 'static>(
    reader: R,
    name: &str,
    size: u64,
    read: std::sync::Arc<std::sync::atomic::AtomicU64>,
) -> Result<Table, TableError> {
    let r = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(reader);
    let mut records = r.into_byte_records().enumerate();
    let headers = loop {
        match records.next() {
            None => return Err(TableError::Empty { path: name.to_string() }),
            Some((i, rec)) => {
                let rec = rec.map_err(|e| TableError::Csv { row: i + 1, detail: e.to_string() })?;
                let cells = cells_of(&rec, i + 1)?;
                if cells.iter().all(|c| c.trim().is_empty()) {
                    continue;
                }
                break cells;
            }
        }
    };
    let rows = records.filter_map(|(i, rec)| {
        // The line where the record starts (exact unless blank lines come
        // right before it: the reader skips them and reports the first).
        let row = match &rec {
            Ok(r) => r.position().map_or(i + 1, |p| p.line() as usize),
            Err(e) => e.position().map_or(i + 1, |p| p.line() as usize),
        };
        let cells = rec
            .map_err(|e| TableError::Csv { row, detail: e.to_string() })
            .and_then(|r| csv::StringRecord::from_byte_record(r).map_err(|_| TableError::NotUtf8 { row }));
        match cells {
            Ok(c) if c.iter().all(|x| x.trim().is_empty()) => None,
            Ok(c) => Some(Ok((row, c))),
            Err(e) => Some(Err(e)),
        }
    });
    Ok(Table { headers, rows: Box::new(rows), size, read })
}

fn cells_of(rec: &csv::ByteRecord, row: usize) -> Result<Vec<String>, TableError> {
    rec.iter()
        .enumerate()
        .map(|(i, b)| {
            let b = if row == 1 && i == 0 { b.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(b) } else { b };
            std::str::from_utf8(b).map(|s| s.to_string()).map_err(|_| TableError::NotUtf8 { row })
        })
        .collect()
}

fn cell_text(c: &Data) -> String {
    match c {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        // Whole numbers without ".0": codes and IDs typed as numbers.
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(d) if d.is_datetime() => {
            let (y, m, day, ..) = d.to_ymd_hms_milli();
            format!("{y:04}-{m:02}-{day:02}")
        }
        Data::DateTime(d) => d.as_f64().to_string(),
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Error(e) => format!("#{e:?}"),
    }
}

fn xlsx_table(path: &Path, sheet: Option<&str>) -> Result<Table, TableError> {
    let name = path.display().to_string();
    let bad = |detail: String| TableError::Xlsx { path: name.clone(), detail };
    // calamine can panic on some damaged files: a damaged file is an error.
    let opened = std::panic::catch_unwind(|| calamine::open_workbook_auto(path));
    let mut book = match opened {
        Ok(Ok(b)) => b,
        Ok(Err(e)) => return Err(bad(e.to_string())),
        Err(_) => return Err(bad("the file is damaged".into())),
    };
    let names = book.sheet_names();
    let chosen = match sheet {
        Some(s) => names
            .iter()
            .find(|n| n.as_str() == s)
            .cloned()
            .ok_or_else(|| TableError::NoSheet { path: name.clone(), sheet: s.to_string() })?,
        None => names.first().cloned().ok_or_else(|| TableError::Empty { path: name.clone() })?,
    };
    let range = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| book.worksheet_range(&chosen)));
    let range = match range {
        Ok(Ok(r)) => r,
        Ok(Err(e)) => return Err(bad(e.to_string())),
        Err(_) => return Err(bad("the sheet is damaged".into())),
    };
    let start_row = range.start().map_or(0, |(r, _)| r as usize);
    let mut rows: Vec<Row> = Vec::new();
    let mut headers = None;
    for (i, r) in range.rows().enumerate() {
        let cells: Vec<String> = r.iter().map(cell_text).collect();
        if cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let number = start_row + i + 1;
        if headers.is_none() {
            headers = Some(cells);
        } else {
            rows.push((number, csv::StringRecord::from(cells)));
        }
    }
    let headers = headers.ok_or(TableError::Empty { path: name })?;
    let size = rows.len() as u64;
    Ok(Table {
        headers,
        rows: Box::new(rows.into_iter().map(Ok)),
        size,
        read: std::sync::Arc::new(std::sync::atomic::AtomicU64::new(size)),
    })
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
    kind: WriterKind,
    path: std::path::PathBuf,
}

enum WriterKind {
    Csv(Box<csv::Writer<io::BufWriter<File>>>),
    Xlsx { book: Box<rust_xlsxwriter::Workbook>, row: u32 },
}

#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("cannot write {path}: {detail}")]
    Write { path: String, detail: String },
    #[error("{path}: the name must end in .csv or .xlsx")]
    UnknownFormat { path: String },
}

impl Writer {
    pub fn create(path: &Path, headers: &[&str]) -> Result<Writer, WriteError> {
        let err = |detail: String| WriteError::Write { path: path.display().to_string(), detail };
        let kind = match format_of(path) {
            Some(Format::Csv) => {
                let mut f = io::BufWriter::new(File::create(path).map_err(|e| err(e.to_string()))?);
                io::Write::write_all(&mut f, b"\xEF\xBB\xBF").map_err(|e| err(e.to_string()))?;
                let mut w = csv::Writer::from_writer(f);
                w.write_record(headers).map_err(|e| err(e.to_string()))?;
                WriterKind::Csv(Box::new(w))
            }
            Some(Format::Xlsx) => {
                let mut book = rust_xlsxwriter::Workbook::new();
                let sheet = book.add_worksheet();
                let bold = rust_xlsxwriter::Format::new().set_bold();
                for (c, h) in headers.iter().enumerate() {
                    sheet.write_string_with_format(0, c as u16, *h, &bold).map_err(|e| err(e.to_string()))?;
                }
                WriterKind::Xlsx { book: Box::new(book), row: 1 }
            }
            None => return Err(WriteError::UnknownFormat { path: path.display().to_string() }),
        };
        Ok(Writer { kind, path: path.to_path_buf() })
    }

    pub fn row(&mut self, cells: &[Cell]) -> Result<(), WriteError> {
        let err = |detail: String| WriteError::Write { path: self.path.display().to_string(), detail };
        match &mut self.kind {
            WriterKind::Csv(w) => {
                w.write_record(cells.iter().map(Cell::text)).map_err(|e| err(e.to_string()))
            }
            WriterKind::Xlsx { book, row } => {
                let sheet = book.worksheet_from_index(0).map_err(|e| err(e.to_string()))?;
                for (c, cell) in cells.iter().enumerate() {
                    let c = c as u16;
                    match cell {
                        Cell::Text(s) => sheet.write_string(*row, c, s.as_str()).map(|_| ()),
                        Cell::Number(n) => sheet.write_number(*row, c, *n).map(|_| ()),
                    }
                    .map_err(|e| err(e.to_string()))?;
                }
                *row += 1;
                Ok(())
            }
        }
    }

    pub fn finish(self) -> Result<(), WriteError> {
        let err = |detail: String| WriteError::Write { path: self.path.display().to_string(), detail };
        match self.kind {
            WriterKind::Csv(mut w) => w.flush().map_err(|e| err(e.to_string())),
            WriterKind::Xlsx { mut book, .. } => book.save(&self.path).map_err(|e| err(e.to_string())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn csv_rows(bytes: &'static [u8]) -> (Vec<String>, Vec<Result<Row, String>>) {
        let t = csv_table(bytes, "t.csv", bytes.len() as u64, Default::default()).unwrap();
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

    #[test]
    fn bad_utf8_is_a_row_error_not_a_panic() {
        let (_, rows) = csv_rows(b"a,b\n\xff\xfe,1\nok,2\n");
        assert!(matches!(&rows[0], Err(e) if e.contains("UTF-8")));
        assert_eq!(rows[1], Ok((3, csv::StringRecord::from(vec!["ok", "2"]))));
    }
}
