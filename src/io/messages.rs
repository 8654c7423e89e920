//! Why reading or writing a file failed, in the officer's words (Thai and
//! English): an import, a spreadsheet, an export.

use crate::{
    i18n::{Arg, Msg, k},
    service::messages::{io, store},
};

/// Why a file could not be imported.
pub fn import(e: &crate::io::import::ImportError) -> Msg {
    use crate::io::import::ImportError as E;
    match e {
        E::Table(t) => table(t),
        E::MissingColumns(cols) => Msg::with(k::IMP_MISSING_COLUMNS, [lines(&wrap_list(cols))]),
        E::Store(s) => store(s),
        E::Save(m) => m.clone(),
        E::ExportOnly(kind) => Msg::with(k::IMP_EXPORT_ONLY, [kind.to_string()]),
        E::Rejects { path, source } => {
            Msg::with(k::IMP_REJECTS_WRITE, [Arg::Text(path.clone()), io(source).into()])
        }
        E::Stopped { reason, taken_back: true, .. } => {
            Msg::with(k::IMP_STOPPED_TAKEN_BACK, [Arg::Msg(reason.clone())])
        }
        E::Stopped { reason, written, taken_back: false } => Msg::with(
            k::IMP_STOPPED_HALF,
            [Arg::Text(crate::domain::money::group_thousands(*written as u64)), Arg::Msg(reason.clone())],
        ),
    }
}

/// Why a spreadsheet could not be read.
pub fn table(e: &crate::io::table::TableError) -> Msg {
    use crate::io::{
        sheet::NotWorkbook,
        table::{TableError as E, size_text},
    };
    let n = |x: u64| crate::domain::money::group_thousands(x);
    match e {
        E::Io { path, source } => match source.kind() {
            std::io::ErrorKind::NotFound => Msg::with(k::IMP_NO_FILE, [path.clone()]),
            std::io::ErrorKind::PermissionDenied => Msg::with(k::IMP_NO_PERMISSION, [path.clone()]),
            _ => Msg::with(k::IMP_CANNOT_READ, [Arg::Text(path.clone()), io(source).into()]),
        },
        E::UnknownFormat { path } => Msg::with(k::IMP_UNKNOWN_FORMAT, [path.clone()]),
        E::Csv { row, detail } => Msg::with(k::IMP_BAD_ROW_AT, [row.to_string(), detail.clone()]),
        E::NotUtf8 { row } => Msg::with(k::IMP_NOT_UTF8_AT, [row.to_string()]),
        E::Xlsx { path, detail } => Msg::with(
            k::IMP_XLSX_DAMAGED,
            [Arg::Text(path.clone()), lines(&wrap_words(&without_type_paths(detail), 76))],
        ),
        E::NotWorkbook { path, seen } => Msg::with(
            match seen {
                NotWorkbook::Compound => k::IMP_XLSX_PROTECTED,
                NotWorkbook::CutShort => k::IMP_XLSX_CUT_SHORT,
                NotWorkbook::Other => k::IMP_XLSX_NOT_WORKBOOK,
            },
            [path.clone()],
        ),
        E::NoSheet { path, sheet } => Msg::with(k::IMP_NO_SHEET, [path.clone(), sheet.clone()]),
        E::Empty { path } => Msg::with(k::IMP_EMPTY, [path.clone()]),
        E::TooManyRows { max } => Msg::with(k::IMP_TOO_MANY_ROWS, [n(*max as u64)]),
        E::RowTooBig { row, max } => Msg::with(k::IMP_ROW_TOO_BIG, [n(*row as u64), size_text(*max)]),
        E::Outside { cell, last, declared: false } => {
            Msg::with(k::IMP_CELL_OUTSIDE, [cell.clone(), last.clone()])
        }
        E::Outside { cell, last, declared: true } => {
            Msg::with(k::IMP_SIZE_OUTSIDE, [cell.clone(), last.clone()])
        }
        E::OutOfOrder { cell } => Msg::with(k::IMP_OUT_OF_ORDER, [cell.clone()]),
        E::PartTooBig { part, max } => Msg::with(k::IMP_PART_TOO_BIG, [part.clone(), size_text(*max)]),
        E::PieceTooBig { part, max } => Msg::with(k::IMP_PIECE_TOO_BIG, [part.clone(), size_text(*max)]),
        E::TooManyStrings { max } => Msg::with(k::IMP_TOO_MANY_STRINGS, [n(*max)]),
        E::PartTooCostly { part, formats, .. } => {
            Msg::with(k::IMP_PART_TOO_COSTLY, [part.clone(), n(*formats)])
        }
        E::TooManyParts { max } => Msg::with(k::IMP_TOO_MANY_PARTS, [n(*max as u64)]),
        E::Unexpected { part, element } => Msg::with(k::IMP_UNEXPECTED, [part.clone(), element.clone()]),
    }
}

/// Why the rejects file of an import could not be written (see
/// `Summary::rejects_unwritten`).
pub fn rejects_unwritten((path, kind): &(String, std::io::ErrorKind)) -> Msg {
    import(&crate::io::import::ImportError::Rejects { path: path.clone(), source: (*kind).into() })
}

/// Text of several lines as one argument: each line cleaned as outside text
/// is (an argument's own line break would show as `␊`).
fn lines(text: &str) -> Arg {
    let text = text.lines().map(crate::domain::clean::line).collect::<Vec<_>>().join("\n");
    Arg::Both { th: text.clone(), en: text }
}

/// A library's words about a damaged file without its Rust type names:
/// "Unexpected end of zip::format::blocks::Zip32CDEBlock" reached officers.
fn without_type_paths(detail: &str) -> String {
    detail
        .split(' ')
        .map(|w| match w {
            w if w.starts_with("zip::") => "the archive",
            w if w.contains("::") => "",
            w => w,
        })
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Text on lines of at most `width` cells, broken at spaces.
fn wrap_words(text: &str, width: usize) -> String {
    use unicode_width::UnicodeWidthStr;
    let mut out = String::new();
    let mut line = 0;
    for word in text.split(' ') {
        if line > 0 && line + 1 + word.width() > width {
            out.push('\n');
            line = 0;
        } else if !out.is_empty() {
            out.push(' ');
            line += 1;
        }
        out.push_str(word);
        line += word.width();
    }
    out
}

/// A list `a, b, c` on indented lines of at most 78 cells.
fn wrap_list(items: &str) -> String {
    use unicode_width::UnicodeWidthStr;
    let mut lines = vec![String::from("  ")];
    for item in items.split(", ") {
        let line = lines.last_mut().map_or(0, |l| l.width());
        if line > 2 && line + 2 + item.width() > 78 {
            lines.push(String::from("  "));
        }
        if let Some(l) = lines.last_mut() {
            if l.len() > 2 {
                l.push_str(", ");
            }
            l.push_str(item);
        }
    }
    lines.join("\n")
}

/// A file that could not be written (an export, a list on screen).
pub fn write(e: &crate::io::table::WriteError) -> Msg {
    use crate::io::table::WriteError as W;
    match e {
        W::Io { path, source } => Msg::with(k::ERR_BACKUP_FILE, [Arg::Text(path.clone()), io(source).into()]),
        W::UnknownFormat { .. } => Msg::new(k::ERR_EXPORT_FORMAT),
        W::Write { path, .. } => Msg::with(k::ERR_EXPORT, [path.clone()]),
    }
}

/// An export that could not be written.
pub fn export(e: &crate::io::export::ExportError) -> Msg {
    use crate::io::export::ExportError as X;
    match e {
        X::Store(s) => store(s),
        X::Write(w) => write(w),
        e => Msg::with(k::ERR_EXPORT, [e.to_string()]),
    }
}

pub fn report(e: &crate::io::report::ReportError) -> Msg {
    use crate::io::report::ReportError;
    match e {
        ReportError::Store(e) => crate::service::messages::store(e),
        ReportError::Write(e) => write(e),
        ReportError::NoDistrict(d) => Msg::with(k::REPORT_NO_DISTRICT, [d.to_string()]),
        ReportError::NotXlsx(_) => Msg::new(k::ERR_REPORT_XLSX),
    }
}

pub fn collection(e: &crate::io::collection::SheetError) -> Msg {
    use crate::io::collection::SheetError;
    match e {
        SheetError::NoFund(code) => Msg::with(k::ERR_NO_SUCH_FUND, [code.clone()]),
        SheetError::Store(e) => crate::service::messages::store(e),
        SheetError::Write(e) => write(e),
    }
}

/// A template that could not be written.
pub fn template(e: &crate::io::template::TemplateError) -> Msg {
    use crate::io::template::TemplateError as T;
    match e {
        T::Kind(_) => Msg::new(k::ERR_TPL_KIND),
        T::NoFund(code) => Msg::with(k::ERR_NO_SUCH_FUND, [code.clone()]),
        T::NotXlsx(_) => Msg::new(k::ERR_TPL_XLSX),
        T::Store(s) => store(s),
        T::Write(w) => write(w),
    }
}

#[cfg(test)]
mod tests {
    use unicode_width::UnicodeWidthStr;

    #[test]
    fn a_long_list_wraps_at_78_cells() {
        let items = (0..12).map(|i| format!("column_{i} (คอลัมน์ที่ {i})")).collect::<Vec<_>>().join(", ");
        let wrapped = super::wrap_list(&items);
        assert!(
            wrapped.lines().count() > 1 && wrapped.lines().all(|l| l.width() <= 78 && l.starts_with("  "))
        );
        assert_eq!(wrapped.lines().map(str::trim).collect::<Vec<_>>().join(", "), items);
        let detail =
            "xl/worksheets/sheet1.xml: I/O error: File is larger than its declared uncompressed size";
        let wrapped = super::wrap_words(detail, 76);
        assert!(wrapped.lines().count() == 2 && wrapped.lines().all(|l| l.width() <= 76), "{wrapped}");
        assert_eq!(wrapped.replace('\n', " "), detail);
    }

    /// A message whose argument is a wrapped list or a library's words on
    /// two lines: real line breaks, no `␊`, no Rust type name.
    #[test]
    fn wrapped_arguments_keep_their_line_breaks_and_lose_type_names() {
        use crate::{domain::Lang, io::import::ImportError, io::table::TableError};
        let cols = (0..8).map(|i| format!("column_{i} (คอลัมน์ที่ {i})")).collect::<Vec<_>>().join(", ");
        let detail = "invalid Zip archive: Unexpected end of zip::format::blocks::Zip32CDEBlock".to_string();
        for e in [
            ImportError::MissingColumns(cols),
            ImportError::Table(TableError::Xlsx { path: "a.xlsx".into(), detail }),
        ] {
            for lang in [Lang::Th, Lang::En] {
                let text = super::import(&e).render(lang);
                assert!(!text.contains('␊') && !text.contains("::"), "{text}");
                assert!(text.lines().count() >= 2 && text.lines().all(|l| l.width() <= 80), "{text}");
            }
        }
        let text = super::import(&ImportError::Table(TableError::Xlsx {
            path: "a.xlsx".into(),
            detail: "invalid Zip archive: Unexpected end of zip::format::blocks::Zip32CDEBlock".into(),
        }))
        .render(Lang::En);
        assert!(text.contains("(invalid Zip archive: Unexpected end of the archive)"), "{text}");
    }
}
