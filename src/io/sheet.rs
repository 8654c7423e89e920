//! What reading a spreadsheet hands on and how far it goes: the limits, the
//! rows, the errors. Shared by the CSV reader (`table`) and the XLSX reader
//! (`xlsx`).

use std::{
    io,
    sync::{Arc, atomic::AtomicU64},
};

/// How much of a file is read before it is refused. Officers always get
/// `Limits::default()`; tests shrink them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Rows of a sheet, the header included: Excel's own maximum, 1,048,576.
    pub rows: usize,
    /// Records of a CSV file, the header included: 40,000,000 (the nation's
    /// loan book is about 30 million; each row is read, checked and let go,
    /// so memory follows the rows kept, not the file).
    pub csv_rows: usize,
    /// Columns of a sheet: A to IV, 256 (the widest kind has 13).
    pub columns: u32,
    /// Text of one row, its cells together: 1 MiB (a CSV quote left open
    /// turns the rest of the file into one row).
    pub row_bytes: u64,
    /// A sheet's XML once unpacked: 1 GiB, a million rows of 25 cells.
    pub sheet_xml: u64,
    /// The shared strings' XML once unpacked (calamine keeps all of them in
    /// memory), and how many there may be: 256 MiB and 4,194,304.
    pub strings_xml: u64,
    pub strings: u64,
    /// Any other part calamine reads (relationships, workbook, styles,
    /// theme) once unpacked: 16 MiB.
    pub part_xml: u64,
    /// What those parts may cost once read: 128 bytes an element, and for
    /// each cell format its two largest texts (styles.xml): 128 MiB.
    pub part_memory: u64,
    /// One cell's XML, or one tag or text anywhere in a part: 4 MiB.
    pub piece: u64,
    /// Files inside an .xlsx: 10,000.
    pub parts: usize,
}

pub const KIB: u64 = 1 << 10;
pub const MIB: u64 = 1 << 20;
pub const GIB: u64 = 1 << 30;

impl Default for Limits {
    fn default() -> Self {
        Limits {
            rows: 1_048_576,
            csv_rows: 40_000_000,
            columns: 256,
            row_bytes: MIB,
            sheet_xml: GIB,
            strings_xml: 256 * MIB,
            strings: 4 * 1_048_576,
            part_xml: 16 * MIB,
            part_memory: 128 * MIB,
            piece: 4 * MIB,
            parts: 10_000,
        }
    }
}

/// `1 GiB`, `256 MiB`, `4 KiB`, `100 bytes`.
pub fn size_text(n: u64) -> String {
    match [(GIB, "GiB"), (MIB, "MiB"), (KIB, "KiB")].into_iter().find(|(unit, _)| n >= *unit) {
        Some((unit, name)) if n.is_multiple_of(unit) => format!("{} {name}", n / unit),
        Some((unit, name)) => format!("{:.1} {name}", n as f64 / unit as f64),
        None => format!("{n} bytes"),
    }
}

/// A cell's name from its 0-based row and column: (1047575, 16383) is
/// `XFD1048576`.
pub fn cell_name(row: u32, col: u32) -> String {
    let mut letters = Vec::new();
    let mut c = u64::from(col) + 1;
    while c > 0 {
        c -= 1;
        letters.push(b'A' + (c % 26) as u8);
        c /= 26;
    }
    letters.reverse();
    format!("{}{}", String::from_utf8_lossy(&letters), u64::from(row) + 1)
}

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
    /// A file named `.xlsx` that is not a workbook that can be read, and
    /// what it looks like instead.
    #[error("{path}: {}", .seen.describe())]
    NotWorkbook { path: String, seen: NotWorkbook },
    #[error("{path} has no sheet named {sheet}")]
    NoSheet { path: String, sheet: String },
    #[error("{path} is empty (no header row)")]
    Empty { path: String },
    #[error("more than {max} rows")]
    TooManyRows { max: usize },
    #[error("row {row} holds more than {} of text", size_text(*max))]
    RowTooBig { row: usize, max: u64 },
    /// A cell past the last column or row read; `declared` when the sheet's
    /// size (its `<dimension>`) says so, whether or not the cell is there.
    #[error("cell {cell} is outside A1:{last}{}", if *declared { " (the sheet's declared size)" } else { "" })]
    Outside { cell: String, last: String, declared: bool },
    #[error("cell {cell} comes after a later row")]
    OutOfOrder { cell: String },
    #[error("{part} is larger than {} unpacked", size_text(*max))]
    PartTooBig { part: String, max: u64 },
    #[error("{part} holds a cell, tag or text larger than {}", size_text(*max))]
    PieceTooBig { part: String, max: u64 },
    #[error("more than {max} shared strings")]
    TooManyStrings { max: u64 },
    #[error("{part} would take more than {} to read ({elements} elements, {formats} cell formats)", size_text(*max))]
    PartTooCostly { part: String, max: u64, elements: u64, formats: u64 },
    #[error("more than {max} files inside the .xlsx")]
    TooManyParts { max: usize },
    #[error("{part}: <{element}> where Excel never puts it")]
    Unexpected { part: String, element: String },
}

/// What a file named `.xlsx` that is no workbook looks like, by its bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotWorkbook {
    /// A compound file: a workbook with a password, or an old `.xls`.
    Compound,
    /// A zip whose end is missing: cut short while copied or uploaded.
    CutShort,
    /// Neither (a CSV or a web page renamed, say).
    Other,
}

impl NotWorkbook {
    /// In English, for the error's text (the officer's message is Thai and
    /// English, from `io::messages`).
    pub fn describe(self) -> &'static str {
        match self {
            NotWorkbook::Compound => "it has a password, or is an old .xls",
            NotWorkbook::CutShort => "its end is missing (cut short)",
            NotWorkbook::Other => "it is not an Excel workbook",
        }
    }
}

impl TableError {
    /// The same error with its file named by `shown` (the Import screen
    /// names a file by its folder, `inbox/NAME`, not the server's path).
    pub fn naming(mut self, shown: &dyn Fn(&str) -> String) -> TableError {
        use TableError as E;
        if let E::Io { path, .. }
        | E::NotWorkbook { path, .. }
        | E::UnknownFormat { path }
        | E::Xlsx { path, .. }
        | E::NoSheet { path, .. }
        | E::Empty { path } = &mut self
        {
            *path = shown(path);
        }
        self
    }
}

/// A data row: its number in the file (the header is row 1) and its cells.
/// (One allocation per row: a million-row file is read without a String per cell.)
pub type Row = (usize, csv::StringRecord);

/// Rows of a file, after its header.
pub struct Table {
    pub headers: Vec<String>,
    pub rows: Box<dyn Iterator<Item = Result<Row, TableError>>>,
    /// How much there is to read, and a counter of how much has been read
    /// (bytes of a CSV file, cells of a sheet), for a progress bar.
    pub size: u64,
    pub read: Arc<AtomicU64>,
}
