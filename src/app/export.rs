//! `x` on a list: the list as it is on screen — filtered and sorted — to a
//! `.csv` or `.xlsx` file. Each screen makes its own table (a header and
//! rows); this writes it, over SSH only into the officer's own folder.

use super::{
    form::{Field, Form, FormKind},
    shared::Shared,
};
use crate::service::messages;
use crate::{
    domain::{Date, Money, thai},
    i18n::{Msg, k},
    io::table::{Cell, WriteError, Writer},
};

/// The name an officer typed for a file in their own folder: one name, no
/// folder (no `/`, `\\`, `:`, no leading `.`), nothing a terminal would
/// obey, at most 100 characters, ending in `.csv` or `.xlsx`.
pub fn confined_name(typed: &str) -> Result<String, Msg> {
    let name = typed.trim();
    let plain = !name.is_empty()
        && name.chars().count() <= 100
        && !name.starts_with('.')
        && !name.contains(['/', '\\', ':'])
        && crate::domain::clean::forbidden(name).is_none();
    let lower = name.to_lowercase();
    if !plain || !(lower.ends_with(".csv") || lower.ends_with(".xlsx")) {
        return Err(Msg::new(k::ERR_EXPORT_NAME));
    }
    Ok(name.to_string())
}

/// A sum of money as a number cell (baht, with satang as decimals).
pub fn money(m: Money) -> Cell {
    Cell::Number(m.satang() as f64 / 100.0)
}

pub fn text(s: impl Into<String>) -> Cell {
    Cell::Text(s.into())
}

/// Asks where to write the list on screen, named `name` and dated (over SSH:
/// only its name).
pub fn open_form(sh: &mut Shared, name: &str) {
    let path = format!("{name}-{}.csv", today_stamp(sh.today));
    let hint = if sh.export_dir.is_some() { k::HINT_FILE_OUTBOX } else { k::HINT_FILE };
    let field = Field::text(k::FIELD_FILE, path, Some(hint));
    // Official printed documents use Thai digits.
    let opt = |value: u32, key| crate::service::labels::Opt {
        value,
        th: crate::i18n::tr(crate::domain::Lang::Th, key).to_string(),
        en: crate::i18n::tr(crate::domain::Lang::En, key).to_string(),
    };
    let digits = Field::choice(k::FIELD_DIGITS, vec![opt(0, k::DIGITS_ARABIC), opt(1, k::DIGITS_THAI)], 0);
    sh.form = Some(Form::new(FormKind::Export, Msg::new(k::FORM_EXPORT), vec![field, digits]));
}

/// Today, for an export's file name.
pub fn today_stamp(d: Date) -> String {
    let (y, m, day) = d.ymd();
    format!("{}{m:02}{day:02}", thai::be_year(y))
}

/// The officer's outbox, made theirs alone if it is not there yet.
fn own_outbox(dir: &std::path::Path) -> std::io::Result<()> {
    crate::store::files::create_private_dir(dir).and_then(|()| match dir.parent() {
        Some(own) => crate::store::files::make_private(own),
        None => Ok(()),
    })
}

/// `t` on a fund: the templates its committee fills in (members,
/// occupations, repayments), written into the outbox over SSH or the
/// working folder; the status line names them.
pub fn write_templates(sh: &mut Shared, store: &crate::store::Store, fund_code: &str) {
    use crate::io::template;
    let (dir, shown) = match &sh.export_dir {
        Some(dir) => {
            if let Err(e) = own_outbox(dir) {
                return sh.error(messages::io(&e));
            }
            (dir.clone(), "outbox")
        }
        None => (std::path::PathBuf::from("."), "."),
    };
    for kind in template::KINDS {
        let path = dir.join(template::file_name(kind, fund_code, sh.today));
        if let Err(e) = template::write(store, kind, fund_code, &path, sh.lang, sh.today) {
            return sh.error(crate::io::messages::template(&e));
        }
    }
    sh.info(Msg::with(k::TPL_APP_WRITTEN, [shown.to_string(), template::file_stem(fund_code, sh.today)]));
}

/// Asks where to write the province report (`x` on the Overview).
pub fn open_report_form(sh: &mut Shared) {
    let path = format!("report-{}.xlsx", today_stamp(sh.today));
    let hint = if sh.export_dir.is_some() { k::HINT_FILE_OUTBOX } else { k::HINT_FILE };
    let field = Field::text(k::FIELD_FILE, path, Some(hint));
    sh.form = Some(Form::new(FormKind::Export, Msg::new(k::FORM_REPORT), vec![field]));
}

/// Writes the province report (the district's, for a committee) where the
/// form says, as `sammachip report` does.
pub fn submit_report(sh: &mut Shared, store: &crate::store::Store) {
    let Some((path, shown)) = target(sh) else { return };
    if !shown.to_lowercase().ends_with(".xlsx") {
        if let Some(form) = &mut sh.form {
            form.set_error(0, Msg::new(k::ERR_REPORT_XLSX));
        }
        return;
    }
    let o = crate::io::report::ReportOptions { district: sh.access.reads_only_district(), date: sh.today };
    match crate::io::report::write_report(store, &path, o) {
        Ok(w) => {
            sh.form = None;
            sh.info(Msg::with(k::REPORT_DONE, [shown, w.sheets.to_string(), w.charts.to_string()]));
        }
        Err(e) => sh.form_error(crate::io::messages::report(&e)),
    }
}

/// Where the export form's file goes, and how to name it to the officer;
/// `None` (with the reason on the form) if the name will not do.
fn target(sh: &mut Shared) -> Option<(std::path::PathBuf, String)> {
    let form = sh.form.as_mut()?;
    let typed = form.fields.first().map(|f| f.text_value().trim().to_string()).unwrap_or_default();
    if typed.is_empty() {
        form.set_error(0, Msg::new(k::ERR_REQUIRED));
        return None;
    }
    // Over SSH, a name in the officer's own folder and nothing else.
    match &sh.export_dir {
        None => Some((std::path::PathBuf::from(&typed), typed)),
        Some(dir) => match confined_name(&typed) {
            Ok(name) => {
                // The officer's folder and its outbox: theirs alone.
                if let Err(e) = own_outbox(dir) {
                    sh.form_error(messages::io(&e));
                    return None;
                }
                Some((dir.join(&name), format!("outbox/{name}")))
            }
            Err(m) => {
                form.set_error(0, m);
                None
            }
        },
    }
}

/// Writes `table` (a header and rows: the list on screen) where the export
/// form says; over SSH only into the officer's own folder.
pub fn submit(sh: &mut Shared, table: Option<(Vec<String>, Vec<Vec<Cell>>)>) {
    let thai_digits = sh.form.as_ref().and_then(|f| f.fields.get(1)).and_then(Field::choice_value) == Some(1);
    let Some((path, shown)) = target(sh) else { return };
    let Some((header, rows)) = table else { return sh.form = None };
    match write(&path, &header, &rows, thai_digits) {
        Ok(n) => {
            sh.form = None;
            sh.info(Msg::with(k::EXPORTED, [n.to_string(), shown]));
        }
        Err(e) => sh.form_error(crate::io::messages::write(&e)),
    }
}

/// Writes a header and rows to `.csv` or `.xlsx` (by the name's ending),
/// digits as Thai digits if asked.
pub fn write(
    path: &std::path::Path,
    header: &[String],
    rows: &[Vec<Cell>],
    thai_digits: bool,
) -> Result<usize, WriteError> {
    let header: Vec<&str> = header.iter().map(String::as_str).collect();
    let mut w = Writer::create(path, &header)?.with_thai_digits(thai_digits);
    for r in rows {
        w.row(r)?;
    }
    w.finish()?;
    Ok(rows.len())
}
