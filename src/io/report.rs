//! The province report (`sammachip report`, and `x` on the Overview): a
//! workbook in Thai for the province's management, each sheet a group of
//! figures with a native Excel chart beside its table, set to print on A4
//! landscape, one page wide, the header row repeated, titled with the date
//! in B.E.
//!
//! Every figure is the Overview's (`service::overview::figures`) or the
//! Ranking's (`service::ranking::export_table`): the report adds no
//! arithmetic of its own beyond the sums of capital by year, which read the
//! funds' own capital events.

use std::{collections::BTreeMap, path::Path};

use rust_xlsxwriter::{Chart, ChartType, Format, FormatAlign, Workbook, Worksheet, XlsxError};

use super::table::{WriteError, save_workbook};
use crate::{
    domain::{
        Date, Lang,
        fund::{CapitalKind, Fund},
        thai,
    },
    i18n::{Key, k, tr, trf},
    service::{
        geo::Geo,
        labels,
        overview::{DistrictRow, FundFacts, Step, figures, step_label},
        ranking::{ExportScope, Scope, Value, export_table},
    },
    store::{Store, StoreError},
};

/// What a report covers.
#[derive(Clone, Copy, Debug)]
pub struct ReportOptions {
    /// `None`: the whole province; a district's code: that district.
    pub district: Option<u16>,
    /// The day the figures are read at.
    pub date: Date,
}

/// What was written: the sheets, and the charts in them.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Written {
    pub sheets: usize,
    pub charts: usize,
}

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("store: {0}")]
    Store(#[from] StoreError),
    #[error(transparent)]
    Write(#[from] WriteError),
    #[error("no district {0}")]
    NoDistrict(u16),
    /// The report is an Excel workbook: written under another name, it
    /// replaced a `.csv` or `.pdf` with a file that is none.
    #[error("{0}: a report is an .xlsx file")]
    NotXlsx(String),
}

/// A4 in Excel's numbering of paper sizes.
const A4: u8 = 9;
/// The table's first row (below the title and a blank row).
const HEAD: u32 = 2;

/// Writes the report to `path` (`.xlsx`), whole or not at all.
pub fn write_report(store: &Store, path: &Path, o: ReportOptions) -> Result<Written, ReportError> {
    if super::table::format_of(path) != Some(super::table::Format::Xlsx) {
        return Err(ReportError::NotXlsx(path.display().to_string()));
    }
    let geo = Geo::new(store.places()?);
    if let Some(d) = o.district
        && !geo.districts().contains(&d)
    {
        return Err(ReportError::NoDistrict(d));
    }
    let funds: Vec<Fund> = store.all::<Fund>()?;
    // The funds are read once: for the figures and the capital by year.
    let facts = FundFacts::of_funds(store, &funds)?;
    let committees = store.all::<crate::domain::programme::NetworkCommittee>()?;
    let (rows, total) = figures(store, geo.districts(), facts, &committees, o.date, o.district)?;
    let lang = Lang::Th;
    let place = match o.district {
        Some(d) => geo.name(u32::from(d), lang).to_string(),
        None => geo.whole_name(lang),
    };
    let title = trf(lang, k::REPORT_TITLE, &[&place, &thai::format_date(o.date, lang)]);
    let mut r = Report { book: Workbook::new(), title, written: Written::default(), lang };
    let name = |d: u16| geo.name(u32::from(d), lang).to_string();
    // A sheet the workbook refuses is said with the file it was for.
    let named = |e: WriteError| match e {
        WriteError::Write { path: p, detail } if p.is_empty() => {
            WriteError::Write { path: path.display().to_string(), detail }
        }
        e => e,
    };
    let scope = o.district.map_or(ExportScope::EachDistrict, |d| ExportScope::One(Scope::District(d)));
    let (header, ranked) = export_table(store, lang, o.date, scope, 30)?;
    let sheets = |r: &mut Report| -> Result<(), WriteError> {
        r.steps(&rows, &total, &name)?;
        r.capital(&rows, &total, &name, &funds, o.district)?;
        r.loans(&rows, &total, &name)?;
        r.coverage(&rows, &total, &name)?;
        r.models(&rows, &total, &name)?;
        r.ranking(&header, &ranked)
    };
    sheets(&mut r).map_err(named)?;
    save_workbook(&mut r.book, path)?;
    Ok(r.written)
}

struct Report {
    book: Workbook,
    title: String,
    written: Written,
    lang: Lang,
}

fn xlsx(e: XlsxError) -> WriteError {
    WriteError::Write { path: String::new(), detail: e.to_string() }
}

/// A figure of a district's row.
type Figure = Box<dyn Fn(&DistrictRow) -> f64>;

/// A column of numbers: its header and each row's value (the total last).
struct Column<'a> {
    head: String,
    of: &'a dyn Fn(&DistrictRow) -> f64,
    percent: bool,
}

impl Report {
    /// A sheet with the title, a table of districts (code, name, then
    /// `columns`) and the total, set up for A4; returns it with the rows'
    /// range for the chart.
    fn table(
        &mut self,
        sheet: Key,
        rows: &[DistrictRow],
        total: &DistrictRow,
        name: &dyn Fn(u16) -> String,
        columns: &[Column<'_>],
    ) -> Result<(&mut Worksheet, String, u32), WriteError> {
        let lang = self.lang;
        let sheet_name = tr(lang, sheet).to_string();
        let bold = Format::new().set_bold();
        let head = Format::new()
            .set_bold()
            .set_text_wrap()
            .set_align(FormatAlign::Center)
            .set_border_bottom(rust_xlsxwriter::FormatBorder::Thin);
        let number = Format::new().set_num_format("#,##0");
        let percent = Format::new().set_num_format("0.0%");
        let title = self.title.clone();
        let ws = self.book.add_worksheet();
        ws.set_name(&sheet_name).map_err(xlsx)?;
        ws.write_with_format(0, 0, format!("{title} · {sheet_name}"), &bold).map_err(xlsx)?;
        ws.write_with_format(HEAD, 0, tr(lang, k::REPORT_CODE), &head).map_err(xlsx)?;
        ws.write_with_format(HEAD, 1, tr(lang, k::COL_DISTRICT), &head).map_err(xlsx)?;
        for (i, c) in columns.iter().enumerate() {
            ws.write_with_format(HEAD, 2 + i as u16, c.head.as_str(), &head).map_err(xlsx)?;
        }
        let mut at = HEAD + 1;
        for r in rows.iter().chain([total]) {
            let is_total = std::ptr::eq(r, total);
            if is_total {
                ws.write_with_format(at, 1, tr(lang, k::REPORT_TOTAL), &bold).map_err(xlsx)?;
            } else {
                ws.write(at, 0, r.district.to_string()).map_err(xlsx)?;
                ws.write(at, 1, name(r.district)).map_err(xlsx)?;
            }
            for (i, c) in columns.iter().enumerate() {
                let f = if c.percent { &percent } else { &number };
                ws.write_number_with_format(at, 2 + i as u16, (c.of)(r), f).map_err(xlsx)?;
            }
            at += 1;
        }
        ws.set_column_width(0, 8).map_err(xlsx)?;
        ws.set_column_width(1, 18).map_err(xlsx)?;
        ws.set_column_range_width(2, 1 + columns.len() as u16, 13).map_err(xlsx)?;
        ws.set_row_height(HEAD, 32).map_err(xlsx)?;
        print_setup(ws, &title)?;
        self.written.sheets += 1;
        Ok((ws, sheet_name, at))
    }

    fn steps(
        &mut self,
        rows: &[DistrictRow],
        total: &DistrictRow,
        name: &dyn Fn(u16) -> String,
    ) -> Result<(), WriteError> {
        let lang = self.lang;
        let funds = |r: &DistrictRow| f64::from(r.funds);
        let members = |r: &DistrictRow| r.members as f64;
        let step_fns: Vec<Figure> = Step::ALL
            .iter()
            .map(|s| Box::new(move |r: &DistrictRow| r.figure(*s) as f64) as Box<_>)
            .collect();
        let mut columns = vec![
            Column { head: tr(lang, k::REPORT_FUNDS).into(), of: &funds, percent: false },
            Column { head: tr(lang, k::REPORT_MEMBERS).into(), of: &members, percent: false },
        ];
        for (i, s) in Step::ALL.iter().enumerate() {
            let head = format!("{} {}", i + 1, tr(lang, step_label(*s)));
            columns.push(Column { head, of: &*step_fns[i], percent: false });
        }
        let n = rows.len() as u32;
        let chart_title = tr(lang, k::REPORT_STEPS_CHART).to_string();
        let (ws, sheet, _) = self.table(k::REPORT_SHEET_STEPS, rows, total, name, &columns)?;
        // Households along the steps, district by district.
        let series: Vec<(u16, Step)> = [Step::Selected, Step::WithSage, Step::SelfDriving, Step::Models]
            .map(|s| (step_col(s), s))
            .to_vec();
        let mut chart = Chart::new(ChartType::Column);
        for (col, _) in &series {
            chart
                .add_series()
                .set_categories((sheet.as_str(), HEAD + 1, 1, HEAD + n, 1))
                .set_values((sheet.as_str(), HEAD + 1, *col, HEAD + n, *col))
                .set_name((sheet.as_str(), HEAD, *col));
        }
        self.written.charts += place_chart(ws, &mut chart, &chart_title, n, true)?;
        Ok(())
    }

    fn capital(
        &mut self,
        rows: &[DistrictRow],
        total: &DistrictRow,
        name: &dyn Fn(u16) -> String,
        funds: &[Fund],
        district: Option<u16>,
    ) -> Result<(), WriteError> {
        let lang = self.lang;
        let kinds: Vec<Figure> = (0..CapitalKind::ALL.len())
            .map(|i| Box::new(move |r: &DistrictRow| r.capital[i] as f64 / 100.0) as Box<_>)
            .collect();
        let lending = |r: &DistrictRow| r.lending as f64 / 100.0;
        let budget = |r: &DistrictRow| r.budget as f64 / 100.0;
        let mut columns: Vec<Column<'_>> = CapitalKind::ALL
            .iter()
            .enumerate()
            .map(|(i, kind)| Column {
                head: tr(lang, labels::capital_kind(*kind)).into(),
                of: &*kinds[i],
                percent: false,
            })
            .collect();
        columns.push(Column { head: tr(lang, k::REPORT_LENDING).into(), of: &lending, percent: false });
        columns.push(Column { head: tr(lang, k::REPORT_BUDGET).into(), of: &budget, percent: false });
        let n = rows.len() as u32;
        let chart_title = tr(lang, k::REPORT_CAPITAL_CHART).to_string();
        let year_head = [tr(lang, k::REPORT_YEAR).to_string(), tr(lang, k::REPORT_BAHT).to_string()];
        let (ws, sheet, end) = self.table(k::REPORT_SHEET_CAPITAL, rows, total, name, &columns)?;
        // Capital by year (B.E.), below the table: the funds' own events.
        let mut by_year: BTreeMap<i32, f64> = BTreeMap::new();
        for f in funds.iter().filter(|f| district.is_none_or(|d| f.district() == d)) {
            for (year, m) in f.capital_by_year() {
                *by_year.entry(thai::be_year(year)).or_default() += m.0 as f64 / 100.0;
            }
        }
        let top = end + 2;
        let bold = Format::new().set_bold();
        let number = Format::new().set_num_format("#,##0");
        ws.write_with_format(top, 1, year_head[0].as_str(), &bold).map_err(xlsx)?;
        ws.write_with_format(top, 2, year_head[1].as_str(), &bold).map_err(xlsx)?;
        for (i, (year, baht)) in by_year.iter().enumerate() {
            let row = top + 1 + i as u32;
            ws.write(row, 1, year.to_string()).map_err(xlsx)?;
            ws.write_number_with_format(row, 2, *baht, &number).map_err(xlsx)?;
        }
        let years = by_year.len() as u32;
        let mut chart = Chart::new(ChartType::Column);
        if years > 0 {
            chart
                .add_series()
                .set_categories((sheet.as_str(), top + 1, 1, top + years, 1))
                .set_values((sheet.as_str(), top + 1, 2, top + years, 2))
                .set_name(year_head[1].as_str());
        }
        self.written.charts += place_chart(ws, &mut chart, &chart_title, n, years > 0)?;
        Ok(())
    }

    fn loans(
        &mut self,
        rows: &[DistrictRow],
        total: &DistrictRow,
        name: &dyn Fn(u16) -> String,
    ) -> Result<(), WriteError> {
        let lang = self.lang;
        let open = |r: &DistrictRow| r.open as f64 / 100.0;
        let at_risk = |r: &DistrictRow| r.at_risk as f64 / 100.0;
        let par30 = |r: &DistrictRow| f64::from(r.par30_bp()) / 10_000.0;
        let columns = [
            Column { head: tr(lang, k::REPORT_OPEN).into(), of: &open, percent: false },
            Column { head: tr(lang, k::REPORT_AT_RISK).into(), of: &at_risk, percent: false },
            Column { head: tr(lang, k::REPORT_PAR30).into(), of: &par30, percent: true },
        ];
        self.one_series_sheet(k::REPORT_SHEET_LOANS, k::REPORT_PAR30_CHART, rows, total, name, &columns, 4)
    }

    fn coverage(
        &mut self,
        rows: &[DistrictRow],
        total: &DistrictRow,
        name: &dyn Fn(u16) -> String,
    ) -> Result<(), WriteError> {
        let lang = self.lang;
        let selected = |r: &DistrictRow| r.figure(Step::Selected) as f64;
        let coached = |r: &DistrictRow| r.figure(Step::WithSage) as f64;
        let share = |r: &DistrictRow| {
            let whole = r.figure(Step::Selected);
            if whole > 0 { r.figure(Step::WithSage) as f64 / whole as f64 } else { 0.0 }
        };
        let columns = [
            Column { head: tr(lang, step_label(Step::Selected)).into(), of: &selected, percent: false },
            Column { head: tr(lang, step_label(Step::WithSage)).into(), of: &coached, percent: false },
            Column { head: tr(lang, k::REPORT_COVERAGE).into(), of: &share, percent: true },
        ];
        self.one_series_sheet(k::REPORT_SHEET_SAGES, k::REPORT_SAGES_CHART, rows, total, name, &columns, 4)
    }

    fn models(
        &mut self,
        rows: &[DistrictRow],
        total: &DistrictRow,
        name: &dyn Fn(u16) -> String,
    ) -> Result<(), WriteError> {
        let lang = self.lang;
        let models = |r: &DistrictRow| r.figure(Step::Models) as f64;
        let otop = |r: &DistrictRow| r.figure(Step::Otop) as f64;
        let columns = [
            Column { head: tr(lang, k::STAGE_MODEL).into(), of: &models, percent: false },
            Column { head: tr(lang, k::REPORT_OTOP).into(), of: &otop, percent: false },
        ];
        self.one_series_sheet(k::REPORT_SHEET_MODELS, k::REPORT_MODELS_CHART, rows, total, name, &columns, 2)
    }

    /// A table and a chart of its column `col` by district.
    #[allow(clippy::too_many_arguments)]
    fn one_series_sheet(
        &mut self,
        sheet: Key,
        chart_title: Key,
        rows: &[DistrictRow],
        total: &DistrictRow,
        name: &dyn Fn(u16) -> String,
        columns: &[Column<'_>],
        col: u16,
    ) -> Result<(), WriteError> {
        let n = rows.len() as u32;
        let chart_title = tr(self.lang, chart_title).to_string();
        let (ws, sheet, _) = self.table(sheet, rows, total, name, columns)?;
        let mut chart = Chart::new(ChartType::Bar);
        chart
            .add_series()
            .set_categories((sheet.as_str(), HEAD + 1, 1, HEAD + n, 1))
            .set_values((sheet.as_str(), HEAD + 1, col, HEAD + n, col))
            .set_name((sheet.as_str(), HEAD, col));
        self.written.charts += place_chart(ws, &mut chart, &chart_title, n, true)?;
        Ok(())
    }

    /// Each district's top 30 with their scores, as `export ranking` lists them.
    fn ranking(&mut self, header: &[String], ranked: &[Vec<Value>]) -> Result<(), WriteError> {
        let lang = self.lang;
        let title = self.title.clone();
        let sheet_name = tr(lang, k::REPORT_SHEET_RANKING);
        let bold = Format::new().set_bold();
        let ws = self.book.add_worksheet();
        ws.set_name(sheet_name).map_err(xlsx)?;
        ws.write_with_format(0, 0, format!("{title} · {sheet_name}"), &bold).map_err(xlsx)?;
        for (i, h) in header.iter().enumerate() {
            ws.write_with_format(HEAD, i as u16, h.as_str(), &bold).map_err(xlsx)?;
        }
        for (r, row) in ranked.iter().enumerate() {
            for (c, v) in row.iter().enumerate() {
                let (r, c) = (HEAD + 1 + r as u32, c as u16);
                match v {
                    Value::Text(t) => ws.write(r, c, t.as_str()),
                    Value::Number(x) => ws.write(r, c, *x),
                }
                .map_err(xlsx)?;
            }
        }
        ws.set_column_range_width(0, header.len().saturating_sub(1) as u16, 14).map_err(xlsx)?;
        print_setup(ws, &title)?;
        self.written.sheets += 1;
        Ok(())
    }
}

/// The column of a step in the steps sheet (code, district, funds, members,
/// then the steps).
fn step_col(s: Step) -> u16 {
    4 + Step::ALL.iter().position(|x| *x == s).unwrap_or(0) as u16
}

/// A chart beside its table, sized to the districts; whether it was placed.
/// A chart with nothing to draw (no district, or no series: a new store's
/// funds without capital yet) is left out, not an error: Excel refuses a
/// chart without a series, and the table above says the same.
fn place_chart(
    ws: &mut Worksheet,
    chart: &mut Chart,
    title: &str,
    districts: u32,
    series: bool,
) -> Result<usize, WriteError> {
    if districts == 0 || !series {
        return Ok(0);
    }
    chart.title().set_name(title);
    chart.set_width(720).set_height(300 + 14 * districts.min(40));
    ws.insert_chart(HEAD + districts + 3, 1, chart).map_err(xlsx)?;
    Ok(1)
}

/// A4 landscape, one page wide, the header row on every page, the title and
/// the date at the top of each.
fn print_setup(ws: &mut Worksheet, title: &str) -> Result<(), WriteError> {
    ws.set_paper_size(A4);
    ws.set_landscape();
    ws.set_print_fit_to_pages(1, 0);
    ws.set_repeat_rows(HEAD, HEAD).map_err(xlsx)?;
    ws.set_header(format!("&C{}", title.replace('&', "&&")));
    ws.set_footer("&C&P / &N");
    ws.set_freeze_panes(HEAD + 1, 2).map_err(xlsx)?;
    Ok(())
}
