//! `sammachip template KIND --fund CODE -o FILE.xlsx` (and `T` on a fund's
//! screen): a workbook a fund committee fills in and hands back for `import`.
//!
//! The first sheet has the kind's own headers (so it imports as it is), the
//! rows the store already knows (the fund's code on rows for new members;
//! every borrower for occupations; every loan with something due for
//! repayments), grey columns of facts that help but are not imported, and a
//! data validation on every column: the store's own lists (in the officer's
//! language) for choices, numbers, B.E. dates, 13-digit IDs. The header row
//! is frozen and locked (the sheet is protected, without a password); the
//! cells under it are not. The second sheet explains every column and holds
//! the occupation categories, which the category column's list refers to
//! (Excel keeps an inline list to 255 characters).
//!
//! Numbers and dates are typed as officers type them — Thai digits, B.E.
//! dates as text (`15/3/2568`) — so those columns only warn (Excel reads
//! neither as a number or a date); a list refuses anything not on it.

use std::{collections::HashMap, path::Path};

use rust_xlsxwriter::{
    Color, DataValidation, DataValidationErrorStyle, DataValidationRule, Format, FormatAlign, Formula,
    ProtectionOptions, Workbook, Worksheet, XlsxError,
};

use super::{Col, Kind, table::Cell};
use crate::{
    domain::{
        Date, Lang, Money,
        fund::Fund,
        loan::LoanStatus,
        member::{Member, MemberStatus, TITLES},
        occupation::{OccupationRecord, OccupationStatus, Stage},
        thai,
    },
    i18n::{Key, k, tr, trf},
    service::labels,
    store::{Store, StoreError, trees},
};

/// The kinds a template is made for.
pub const KINDS: [Kind; 3] = [Kind::Members, Kind::Occupations, Kind::Repayments];

/// Rows of a members template with the fund's code written in, for new members.
pub const NEW_MEMBER_ROWS: u32 = 300;

/// The last row (0-based) the validations cover: Excel's last.
const LAST_ROW: u32 = 1_048_575;

#[derive(Debug, thiserror::Error)]
pub enum TemplateError {
    #[error("no template for {0}: members, occupations or repayments")]
    Kind(&'static str),
    #[error("no fund with code {0}")]
    NoFund(String),
    #[error("{0}: a template is an .xlsx file")]
    NotXlsx(String),
    #[error("store: {0}")]
    Store(#[from] StoreError),
    #[error(transparent)]
    Write(#[from] super::table::WriteError),
}

/// What a template wrote: its kind and the rows filled in for the officer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Written {
    pub kind: Kind,
    pub rows: usize,
}

/// What goes in a column, and so its format and validation.
#[derive(Clone, Debug)]
enum What {
    Text,
    NationalId,
    Date,
    Money,
    /// A B.E. year.
    Year,
    /// A loan number (a whole number).
    LoanId,
    /// One of these (`open`: other text is allowed, after a note).
    List {
        items: Vec<String>,
        open: bool,
    },
    /// The occupation categories (on the explanation sheet).
    Categories,
    /// A fact from the store, not imported.
    Fact,
}

/// A column of a template.
struct Column {
    head: String,
    /// The kind's column, or `None` for a fact.
    col: Option<Col>,
    what: What,
    help: String,
    required: bool,
}

fn import_col(kind: Kind, en: &str) -> Option<Col> {
    kind.columns().iter().find(|c| c.en == en).copied()
}

/// Names of the values of an enum, in `lang`, in order.
fn names<T: Copy>(all: &[T], label: fn(T) -> Key, lang: Lang) -> Vec<String> {
    all.iter().map(|v| tr(lang, label(*v)).to_string()).collect()
}

/// A category as its list shows it: `1 เลี้ยงโคเนื้อ` (the import reads the code).
pub fn category_item(code: u16, name: &str) -> String {
    format!("{code} {name}")
}

fn columns(kind: Kind, lang: Lang, required: &[&str]) -> Vec<Column> {
    let t = |key: Key| tr(lang, key).to_string();
    let choice = |all: Vec<String>, default: &str| {
        (What::List { items: all, open: false }, trf(lang, k::TPL_HELP_CHOICE, &[&default]))
    };
    let fact = |key: Key| Column {
        head: tr(lang, key).to_string(),
        col: None,
        what: What::Fact,
        help: t(k::TPL_HELP_HELPER),
        required: false,
    };
    let mut out = Vec::new();
    let imp = |en: &str, what: What, help: String| {
        import_col(kind, en).map(|col| Column {
            head: col.header(lang).to_string(),
            col: Some(col),
            what,
            help,
            required: required.contains(&en),
        })
    };
    match kind {
        Kind::Members => {
            let statuses = names(&MemberStatus::ALL, labels::member_status, lang);
            let default = statuses.first().cloned().unwrap_or_default();
            out.extend(imp("fund_code", What::Text, t(k::TPL_HELP_FUND_CODE)));
            out.extend(imp("national_id", What::NationalId, t(k::TPL_HELP_NATIONAL_ID)));
            let titles = TITLES.iter().map(|s| s.to_string()).collect();
            out.extend(imp("title", What::List { items: titles, open: true }, t(k::TPL_HELP_TITLE)));
            out.extend(imp("given_name", What::Text, t(k::TPL_HELP_GIVEN_NAME)));
            out.extend(imp("family_name", What::Text, t(k::TPL_HELP_FAMILY_NAME)));
            out.extend(imp("birth_date", What::Date, t(k::TPL_HELP_DATE)));
            out.extend(imp("household_no", What::Text, t(k::TPL_HELP_HOUSEHOLD_NO)));
            out.extend(imp("phone", What::Text, t(k::TPL_HELP_PHONE)));
            out.extend(imp("joined", What::Date, t(k::TPL_HELP_DATE)));
            let (what, help) = choice(statuses, &default);
            out.extend(imp("status", what, help));
        }
        Kind::Occupations => {
            out.extend(imp("national_id", What::NationalId, t(k::TPL_HELP_BORROWER_ID)));
            out.push(fact(k::TPL_COL_NAME));
            out.extend(imp("loan_ids", What::Text, t(k::TPL_HELP_LOAN_IDS)));
            out.push(fact(k::TPL_COL_RECORDED));
            out.extend(imp("category", What::Categories, t(k::TPL_HELP_CATEGORY)));
            out.extend(imp("description", What::Text, t(k::TPL_HELP_DESCRIPTION)));
            out.extend(imp("start_year", What::Year, t(k::TPL_HELP_START_YEAR)));
            for en in ["income_before", "expenses_before", "savings_before"] {
                out.extend(imp(en, What::Money, t(k::TPL_HELP_MONEY_BEFORE)));
            }
            for en in ["income_after", "expenses_after", "savings_after"] {
                out.extend(imp(en, What::Money, t(k::TPL_HELP_MONEY_AFTER)));
            }
            let statuses = names(
                &[OccupationStatus::Active, OccupationStatus::Stopped],
                labels::occupation_status,
                lang,
            );
            let default = statuses.first().cloned().unwrap_or_default();
            let (what, help) = choice(statuses, &default);
            out.extend(imp("status", what, help));
            let stages = names(&Stage::ALL, labels::stage, lang);
            let default = stages.first().cloned().unwrap_or_default();
            let (what, help) = choice(stages, &default);
            out.extend(imp("stage", what, help));
        }
        Kind::Repayments => {
            out.extend(imp("loan_id", What::LoanId, t(k::TPL_HELP_LOAN_ID)));
            out.push(fact(k::TPL_COL_NAME));
            out.push(fact(k::TPL_COL_MODE));
            out.push(fact(k::TPL_COL_OUTSTANDING));
            out.push(fact(k::TPL_COL_DUE_PRINCIPAL));
            out.push(fact(k::TPL_COL_DUE_INTEREST));
            out.push(fact(k::TPL_COL_DAYS_OVERDUE));
            out.extend(imp("date", What::Date, t(k::TPL_HELP_DATE)));
            for en in ["principal", "interest", "penalty"] {
                out.extend(imp(en, What::Money, t(k::TPL_HELP_PAID)));
            }
        }
        _ => {}
    }
    out
}

fn money(m: Money) -> Cell {
    Cell::Number(m.satang() as f64 / 100.0)
}

fn text(s: impl Into<String>) -> Cell {
    Cell::Text(s.into())
}

/// The fund whose code is `code` (Thai digits, spaces and dashes allowed).
pub fn fund_by_code(store: &Store, code: &str) -> Result<Fund, TemplateError> {
    let code = thai::normalize_digits(code.trim()).replace([' ', '-'], "");
    let key = store.lookup(trees::FUNDS_BY_CODE, code.as_bytes())?;
    match key.as_deref().and_then(crate::store::id_of) {
        Some(id) => store.get::<Fund>(id)?.ok_or(TemplateError::NoFund(code)),
        None => Err(TemplateError::NoFund(code)),
    }
}

/// The rows the store fills in, cell by cell in the order of `columns`.
fn rows(
    store: &Store,
    kind: Kind,
    fund: &Fund,
    lang: Lang,
    today: Date,
) -> Result<Vec<Vec<Cell>>, StoreError> {
    let prefix = fund.id.to_be_bytes();
    let mut out = Vec::new();
    match kind {
        Kind::Members => {
            for _ in 0..NEW_MEMBER_ROWS {
                out.push(vec![text(fund.code.clone())]);
            }
        }
        Kind::Occupations => {
            let cats: HashMap<u16, String> =
                store.categories()?.into_iter().map(|c| (c.code, c.name(lang).to_string())).collect();
            let mut recorded: HashMap<u64, Vec<String>> = HashMap::new();
            store.for_each_prefix::<OccupationRecord>(&prefix, |r| {
                let name = cats.get(&r.category).cloned().unwrap_or_else(|| r.category.to_string());
                recorded.entry(r.member_id).or_default().push(name);
            })?;
            let mut borrowers = Vec::new();
            store.for_each_prefix::<Member>(&prefix, |m| {
                if !m.loans.is_empty() {
                    borrowers.push(m);
                }
            })?;
            borrowers.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()).then(a.id.cmp(&b.id)));
            for m in borrowers {
                let ids = m.loans.iter().map(|l| l.id.to_string()).collect::<Vec<_>>().join(" ");
                out.push(vec![
                    text(m.national_id.to_string()),
                    text(m.full_name()),
                    text(ids),
                    text(recorded.remove(&m.id).unwrap_or_default().join(", ")),
                ]);
            }
        }
        Kind::Repayments => {
            let mut loans = Vec::new();
            store.for_each_prefix::<Member>(&prefix, |m| {
                for l in &m.loans {
                    if l.status == LoanStatus::WrittenOff {
                        continue;
                    }
                    let (principal, interest) = l.due_now(today);
                    if principal.0 + interest.0 <= 0 {
                        continue;
                    }
                    let p = l.position(today);
                    loans.push((
                        l.id,
                        vec![
                            Cell::Number(l.id as f64),
                            text(m.full_name()),
                            text(tr(lang, labels::repayment_mode(l.mode))),
                            money(p.outstanding),
                            money(principal),
                            money(interest),
                            Cell::Number(f64::from(p.days_overdue.max(0))),
                        ],
                    ));
                }
            })?;
            loans.sort_by_key(|(id, _)| *id);
            out.extend(loans.into_iter().map(|(_, cells)| cells));
        }
        _ => {}
    }
    Ok(out)
}

/// Writes the template of `kind` for the fund `fund_code` to `path` (`.xlsx`).
pub fn write(
    store: &Store,
    kind: Kind,
    fund_code: &str,
    path: &Path,
    lang: Lang,
    today: Date,
) -> Result<Written, TemplateError> {
    if !KINDS.contains(&kind) {
        return Err(TemplateError::Kind(kind.name()));
    }
    if super::table::format_of(path) != Some(super::table::Format::Xlsx) {
        return Err(TemplateError::NotXlsx(path.display().to_string()));
    }
    let fund = fund_by_code(store, fund_code)?;
    let categories = store.categories()?;
    let data = rows(store, kind, &fund, lang, today)?;
    let cols = columns(kind, lang, super::import::required(kind));
    let err = |e: XlsxError| {
        TemplateError::Write(super::table::WriteError::Write {
            path: path.display().to_string(),
            detail: e.to_string(),
        })
    };
    let mut book = Workbook::new();
    let kind_name = tr(lang, kind_key(kind));
    {
        let sheet = book.add_worksheet();
        sheet.set_name(kind_name).map_err(err)?;
        data_sheet(sheet, &cols, &data, categories.len(), lang).map_err(err)?;
    }
    {
        let sheet = book.add_worksheet();
        sheet.set_name(tr(lang, k::TPL_SHEET_HELP)).map_err(err)?;
        help_sheet(sheet, kind, &fund, &cols, &categories, lang, today).map_err(err)?;
    }
    super::table::save_workbook(&mut book, path)?;
    Ok(Written { kind, rows: data.len() })
}

fn kind_key(kind: Kind) -> Key {
    match kind {
        Kind::Members => k::TPL_KIND_MEMBERS,
        Kind::Occupations => k::TPL_KIND_OCCUPATIONS,
        _ => k::TPL_KIND_REPAYMENTS,
    }
}

/// The name a kind's template has in the officer's language (`สมาชิก`).
pub fn kind_name(kind: Kind, lang: Lang) -> &'static str {
    tr(lang, kind_key(kind))
}

/// Excel's title of an input message: at most 32 characters.
fn short(s: &str) -> String {
    s.chars().take(32).collect()
}

fn data_sheet(
    sheet: &mut Worksheet,
    cols: &[Column],
    data: &[Vec<Cell>],
    categories: usize,
    lang: Lang,
) -> Result<(), XlsxError> {
    let head = Format::new()
        .set_bold()
        .set_text_wrap()
        .set_align(FormatAlign::Top)
        .set_background_color(Color::Theme(4, 2))
        .set_border_bottom(rust_xlsxwriter::FormatBorder::Thin);
    let fact_head = head.clone().set_background_color(Color::Theme(0, 2));
    let open = Format::new().set_unlocked();
    let fact = Format::new().set_background_color(Color::Theme(0, 1));
    let t = |key: Key| tr(lang, key).to_string();
    for (c, col) in cols.iter().enumerate() {
        let c = c as u16;
        let (format, width) = match col.what {
            What::Fact => (fact.clone(), 18.0),
            What::Text | What::NationalId | What::Date => (open.clone().set_num_format("@"), 16.0),
            What::Money => (open.clone().set_num_format("#,##0.00"), 14.0),
            What::Year | What::LoanId => (open.clone().set_num_format("0"), 11.0),
            What::List { .. } | What::Categories => (open.clone(), 20.0),
        };
        let width = match col.col.map(|x| x.en) {
            Some("national_id") => 17.0,
            Some("description" | "loan_ids") => 24.0,
            Some("category") => 28.0,
            _ => width,
        };
        sheet.set_column_format(c, &format)?;
        sheet.set_column_width(c, width)?;
        let hf = if matches!(col.what, What::Fact) { &fact_head } else { &head };
        sheet.write_string_with_format(0, c, &col.head, hf)?;
        // Each column's validation, with its header's words as input message.
        let first = super::table::cell_name(1, u32::from(c));
        let warn = |dv: DataValidation, key: Key| -> Result<DataValidation, XlsxError> {
            dv.set_error_style(DataValidationErrorStyle::Warning)
                .set_error_title(short(&t(k::TPL_ERR_TITLE)))?
                .set_error_message(t(key))
        };
        let dv = match &col.what {
            What::Fact => DataValidation::new().allow_any_value(),
            What::Text => DataValidation::new().allow_any_value(),
            What::NationalId => warn(
                DataValidation::new().allow_text_length(DataValidationRule::EqualTo(13)),
                k::TPL_ERR_NATIONAL_ID,
            )?,
            // An Excel date, or a B.E. date typed as text: two slashes.
            What::Date => warn(
                DataValidation::new().allow_custom(Formula::new(format!(
                    "=OR(ISNUMBER({first}),LEN({first})-LEN(SUBSTITUTE({first},\"/\",\"\"))=2)"
                ))),
                k::TPL_ERR_DATE,
            )?,
            What::Money => warn(
                DataValidation::new().allow_decimal_number(DataValidationRule::GreaterThanOrEqualTo(0.0)),
                k::TPL_ERR_NUMBER,
            )?,
            What::Year => warn(
                DataValidation::new().allow_whole_number(DataValidationRule::Between(2400, 2700)),
                k::TPL_ERR_NUMBER,
            )?,
            What::LoanId => warn(
                DataValidation::new().allow_whole_number(DataValidationRule::GreaterThanOrEqualTo(1)),
                k::TPL_ERR_NUMBER,
            )?,
            What::List { items, open } => {
                let dv = DataValidation::new()
                    .allow_list_strings(items)?
                    .set_error_title(short(&t(k::TPL_ERR_TITLE)))?
                    .set_error_message(t(k::TPL_ERR_LIST))?;
                if *open { dv.set_error_style(DataValidationErrorStyle::Information) } else { dv }
            }
            What::Categories => {
                let sheet_name = t(k::TPL_SHEET_HELP);
                let last = categories.max(1) + 1;
                DataValidation::new()
                    .allow_list_formula(Formula::new(format!("='{sheet_name}'!$G$2:$G${last}")))
                    .set_error_title(short(&t(k::TPL_ERR_TITLE)))?
                    .set_error_message(t(k::TPL_ERR_LIST))?
            }
        };
        let dv = dv.set_input_title(short(&col.head))?.set_input_message(col.help.clone())?;
        sheet.add_data_validation(1, c, LAST_ROW, c, &dv)?;
    }
    for (r, row) in data.iter().enumerate() {
        let r = r as u32 + 1;
        for (c, cell) in row.iter().enumerate() {
            // Unformatted cells take their column's format (unlocked, or grey).
            match cell {
                Cell::Text(s) if s.is_empty() => {}
                Cell::Text(s) => {
                    sheet.write_string(r, c as u16, s)?;
                }
                Cell::Number(n) => {
                    sheet.write_number(r, c as u16, *n)?;
                }
            }
        }
    }
    sheet.set_row_height(0, 36)?;
    sheet.set_freeze_panes(1, 0)?;
    sheet.protect_with_options(&protection());
    sheet.set_active(true);
    Ok(())
}

/// Locked cells (the header, the grey facts) stay as they are; everything
/// else an officer does to fill in rows stays allowed. No password: a
/// committee that must change more can unprotect the sheet.
fn protection() -> ProtectionOptions {
    ProtectionOptions {
        select_locked_cells: true,
        select_unlocked_cells: true,
        format_columns: true,
        format_rows: true,
        insert_rows: true,
        delete_rows: true,
        sort: true,
        use_autofilter: true,
        ..ProtectionOptions::default()
    }
}

fn help_sheet(
    sheet: &mut Worksheet,
    kind: Kind,
    fund: &Fund,
    cols: &[Column],
    categories: &[crate::domain::occupation::OccupationCategory],
    lang: Lang,
    today: Date,
) -> Result<(), XlsxError> {
    let t = |key: Key| tr(lang, key).to_string();
    let bold = Format::new().set_bold();
    let head = Format::new().set_bold().set_background_color(Color::Theme(4, 2));
    let wrap = Format::new().set_text_wrap().set_align(FormatAlign::Top);
    sheet.set_column_width(0, 26)?;
    sheet.set_column_width(1, 12)?;
    sheet.set_column_width(2, 60)?;
    sheet.set_column_width(3, 2)?;
    sheet.set_column_width(4, 2)?;
    sheet.set_column_width(5, 10)?;
    sheet.set_column_width(6, 34)?;
    sheet.write_string_with_format(0, 0, t(k::TPL_H_COLUMN), &head)?;
    sheet.write_string_with_format(0, 1, t(k::TPL_H_USE), &head)?;
    sheet.write_string_with_format(0, 2, t(k::TPL_H_HOW), &head)?;
    let mut r = 1;
    for col in cols {
        let usage = match (col.col, col.required) {
            (None, _) => k::TPL_NOT_IMPORTED,
            (Some(_), true) => k::TPL_REQUIRED,
            (Some(_), false) => k::TPL_OPTIONAL,
        };
        let mut how = col.help.clone();
        if let What::List { items, .. } = &col.what {
            how.push_str(": ");
            how.push_str(&items.join(", "));
        }
        sheet.write_string_with_format(r, 0, &col.head, &bold)?;
        sheet.write_string(r, 1, t(usage))?;
        sheet.write_string_with_format(r, 2, how, &wrap)?;
        r += 1;
    }
    r += 1;
    let title = trf(lang, k::TPL_TITLE, &[&kind_name(kind, lang), &fund.code, &fund.name]);
    sheet.write_string_with_format(r, 0, title, &bold)?;
    r += 1;
    let made = trf(lang, k::TPL_MADE, &[&thai::format_date(today, lang), &kind.name()]);
    let notes = [made, t(k::TPL_NOTE_HEADER), t(k::TPL_NOTE_SKIP), t(k::TPL_NOTE_GREY)];
    for line in notes.iter().flat_map(|n| n.lines()) {
        sheet.write_string(r, 0, line)?;
        r += 1;
    }
    // The occupation categories: the category column's list refers to G.
    sheet.write_string_with_format(0, 5, t(k::TPL_H_CODE), &head)?;
    sheet.write_string_with_format(0, 6, t(k::TPL_H_CATEGORY), &head)?;
    for (i, c) in categories.iter().enumerate() {
        let i = i as u32 + 1;
        sheet.write_number(i, 5, f64::from(c.code))?;
        sheet.write_string(i, 6, category_item(c.code, c.name(lang)))?;
    }
    sheet.set_freeze_panes(1, 0)?;
    sheet.protect_with_options(&ProtectionOptions {
        select_locked_cells: true,
        select_unlocked_cells: true,
        format_columns: true,
        ..ProtectionOptions::default()
    });
    Ok(())
}

/// The file name a template gets in an outbox: `33010101-25690930-members.xlsx`
/// (plain letters, which every SFTP client and Windows folder keeps as they are).
pub fn file_name(kind: Kind, fund_code: &str, today: Date) -> String {
    format!("{}-{}.xlsx", file_stem(fund_code, today), kind.name())
}

/// What the three templates of a fund have in common: `33010101-25690930`.
pub fn file_stem(fund_code: &str, today: Date) -> String {
    let (y, m, d) = today.ymd();
    format!("{fund_code}-{}{m:02}{d:02}", thai::be_year(y))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_template_column_of_the_kind_is_its_import_column() {
        for kind in KINDS {
            for lang in [Lang::Th, Lang::En] {
                let cols = columns(kind, lang, &[]);
                let mut imported: Vec<&str> = cols.iter().filter_map(|c| c.col.map(|x| x.en)).collect();
                let mut all: Vec<&str> = kind.columns().iter().map(|c| c.en).collect();
                imported.sort_unstable();
                all.sort_unstable();
                assert_eq!(imported, all, "{kind:?} {lang:?}");
                // A fact's header is no column's: the import passes it by.
                for c in cols.iter().filter(|c| c.col.is_none()) {
                    assert!(!kind.columns().iter().any(|x| x.matches(&c.head)), "{}", c.head);
                }
                for c in &cols {
                    assert!(c.help.encode_utf16().count() <= 255, "{}", c.help);
                }
            }
        }
    }

    #[test]
    fn prefilled_columns_are_columns_of_the_kind() {
        for kind in KINDS {
            for en in kind.template_fills() {
                assert!(import_col(kind, en).is_some(), "{kind:?} {en}");
            }
        }
    }
}
