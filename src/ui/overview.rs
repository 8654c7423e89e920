//! The Overview tab: a row per district with the eight steps as figures, each
//! cell shaded as a gauge of how far the district has come on that step; the
//! province's totals; and the capital and loans of the district under the
//! cursor beside the province's.

use ratatui::{
    Frame,
    layout::{Constraint, Layout, Rect},
    style::{Color, Modifier, Style},
    text::{Line, Span},
    widgets::{Block, Cell, Paragraph, Row, Table},
};

use super::{
    columns::{self, Col},
    theme::Theme,
};
use crate::{
    app::{
        App, layout,
        overview::{DistrictRow, Step},
    },
    domain::{Money, fund::CapitalKind, loan::percent, money::group_thousands, thai},
    i18n::{k, tr, trf},
};

pub use crate::service::overview::{step_label, step_words};

fn gauge_style(theme: &Theme) -> Style {
    if theme.color {
        Style::new().bg(Color::Blue).fg(Color::White)
    } else {
        Style::new().add_modifier(Modifier::UNDERLINED)
    }
}

/// The figure right-aligned in its column of `width` cells, the first cells
/// shaded in proportion to `ratio` (ten-thousandths).
fn gauge_cell(text: &str, ratio_bp: u32, width: usize, style: Style, theme: &Theme) -> Cell<'static> {
    let padded = format!("{text:>width$}");
    let filled = (ratio_bp.min(10_000) as usize * width + 5_000) / 10_000;
    let filled = if ratio_bp > 0 { filled.max(1) } else { 0 };
    let chars: Vec<char> = padded.chars().collect();
    let split = filled.min(chars.len());
    let head: String = chars[..split].iter().collect();
    let tail: String = chars[split..].iter().collect();
    Cell::from(Line::from(vec![
        Span::styled(head, gauge_style(theme).patch(style)),
        Span::styled(tail, style),
    ]))
}

fn ratio_bp(part: i64, whole: i64) -> u32 {
    if whole <= 0 { 0 } else { (part.max(0) as i128 * 10_000 / whole as i128).min(10_000) as u32 }
}

/// Each step's figure for a row and how far along it is, as [`step_figure`].
type Figures = [(String, u32); 8];

/// A step's figure for a row, and how far along it is (ten-thousandths).
fn step_figure(app: &App, r: &DistrictRow, step: Step) -> (String, u32) {
    let figure = r.figure(step);
    match (step, r.whole(step)) {
        (Step::Briefed, Some(whole)) => {
            let bp = ratio_bp(figure, whole);
            (format!("{}%", (bp + 50) / 100), bp)
        }
        (_, Some(whole)) => (group_thousands(figure.max(0) as u64), ratio_bp(figure, whole)),
        // No natural whole: against the district with the most.
        (_, None) => {
            let max = if r.district == 0 { figure } else { app.overview.max(step) };
            (group_thousands(figure.max(0) as u64), ratio_bp(figure, max))
        }
    }
}

pub fn draw(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let lang = app.lang;
    let ov = &app.overview;
    let [table_area, money] =
        Layout::vertical([Constraint::Fill(1), Constraint::Length(layout::OVERVIEW_MONEY)]).areas(area);
    // The column under the cursor, numbered as the programme numbers its steps.
    let col = ov.col.min(Step::ALL.len() - 1);
    let step = trf(lang, k::OV_STEP_N, &[&(col + 1), &tr(lang, step_words(Step::ALL[col]))]);
    let block = Block::bordered()
        .title(Line::from(vec![
            Span::styled(format!(" {} ", tr(lang, app.geo.overview_words().0)), theme.title()),
            Span::styled(format!("{} ", thai::format_date(app.today, lang)), theme.dim()),
        ]))
        .title_top(Line::styled(format!(" {step} "), theme.dim()).right_aligned());
    let inner = block.inner(table_area);
    frame.render_widget(block, table_area);

    let page = layout::overview_rows(app.size.1);
    let window = ov.pos.window(ov.rows.len(), page);
    // Each step's column is as wide as its header and its figures: a
    // figure or a header is never cut; the district names take the rest.
    let figures = |r: &DistrictRow| -> Figures { Step::ALL.map(|s| step_figure(app, r, s)) };
    let districts: Vec<(String, Figures, bool)> = ov.rows[window.clone()]
        .iter()
        .zip(window)
        .map(|(r, n)| (app.geo.name(u32::from(r.district), lang), figures(r), n == ov.pos.cursor))
        .collect();
    let total = figures(&ov.total);
    let mut cols = vec![Col::text(2)];
    // Spare width widens the gauges as much as the names.
    cols.extend([Col::num().grow(1); 8]);
    let mut needs = vec![
        districts
            .iter()
            .map(|d| columns::width(&d.0))
            .chain([tr(lang, k::COL_DISTRICT), tr(lang, app.geo.overview_words().1)].map(columns::width))
            .max()
            .unwrap_or(0),
    ];
    for (i, s) in Step::ALL.iter().enumerate() {
        let values = districts.iter().map(|d| &d.1[i]).chain([&total[i]]).map(|f| columns::width(&f.0));
        needs.push(values.chain([columns::width(tr(lang, step_label(*s)))]).max().unwrap_or(0));
    }
    let needs: Vec<u16> = needs.into_iter().map(|n| u16::try_from(n).unwrap_or(u16::MAX)).collect();
    let ws = columns::widths(&cols, &needs, inner.width, columns::SPACING);
    let name = |text: &str| columns::cut(text, usize::from(ws[0])).into_owned();

    let mut header = vec![Cell::from(name(tr(lang, k::COL_DISTRICT)))];
    for (i, s) in Step::ALL.iter().enumerate() {
        let label = columns::cut(tr(lang, step_label(*s)), usize::from(ws[i + 1])).into_owned();
        let style = if i == ov.col { theme.selected() } else { theme.header() };
        header.push(Cell::from(Line::from(Span::styled(label, style)).right_aligned()));
    }
    let header = Row::new(header).style(theme.header());
    let mut rows: Vec<Row> = districts
        .iter()
        .map(|(district, figures, here)| {
            let mut cells =
                vec![Cell::from(name(district)).style(if *here { theme.selected() } else { theme.base() })];
            for (i, (text, ratio)) in figures.iter().enumerate() {
                let style = if *here && i == ov.col { theme.selected() } else { theme.base() };
                cells.push(gauge_cell(text, *ratio, usize::from(ws[i + 1]), style, theme));
            }
            Row::new(cells)
        })
        .collect();
    // The province, always in view under the districts.
    let spare = page.saturating_sub(rows.len());
    for _ in 0..spare {
        rows.push(Row::new(vec![Cell::from("")]));
    }
    let mut cells = vec![Cell::from(name(tr(lang, app.geo.overview_words().1))).style(theme.header())];
    for (i, (text, ratio)) in total.iter().enumerate() {
        cells.push(gauge_cell(text, *ratio, usize::from(ws[i + 1]), theme.header(), theme));
    }
    rows.push(Row::new(cells));
    let widths = ws.iter().map(|w| Constraint::Length(*w));
    frame.render_widget(Table::new(rows, widths).header(header).column_spacing(columns::SPACING), inner);

    draw_money(frame, money, app, theme);
}

/// The capital and loans pane: the district under the cursor and the whole
/// as two rows of one table, then the district's capital by kind. Money is
/// in whole baht when every column fits the pane with room for the row's
/// name, else in millions of baht (a Thai 80-column window, the nation's
/// sums): a figure is never cut, and the header says which.
fn draw_money(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let (lang, ov) = (app.lang, &app.overview);
    let here = ov.selected();
    let name = here.map_or_else(String::new, |r| app.geo.name(u32::from(r.district), lang));
    let block = Block::bordered()
        .title(Line::styled(format!(" {} ", trf(lang, k::OV_MONEY_TITLE, &[&name])), theme.title()));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let Some(r) = here else { return };
    let whole = tr(lang, app.geo.overview_words().1);
    let grid = |money: fn(Money) -> String, unit: &str| {
        let cols = [
            (Col::text(0), unit),
            (Col::num(), tr(lang, k::OV_LENDING)),
            (Col::num(), tr(lang, k::OV_CAP_PRACHARAT)),
            (Col::num(), tr(lang, k::DETAIL_OUTSTANDING)),
            (Col::num(), tr(lang, k::DETAIL_PAR30)),
            (Col::num(), tr(lang, k::COL_FUNDS)),
            (Col::num(), tr(lang, k::COL_MEMBERS)),
        ];
        let mut g = columns::Grid::new(&cols);
        for (label, row, style) in [(name.as_str(), r, theme.base()), (whole, &ov.total, theme.header())] {
            let cells = vec![
                label.to_string(),
                money(Money(row.lending)),
                money(Money(row.budget)),
                money(Money(row.open)),
                percent(row.par30_bp()),
                group_thousands(u64::from(row.funds)),
                group_thousands(row.members),
            ];
            g.row(cells, style);
        }
        g
    };
    let exact = grid(Money::format_whole, tr(lang, k::OV_UNIT_BAHT));
    let needs = exact.needs();
    // The figures, the gaps, and the row's name or the whole's, up to 12 cells.
    let name_room = needs.first().map_or(0, |n| usize::from(*n).min(12));
    let fits = needs.iter().skip(1).map(|n| usize::from(*n) + usize::from(columns::SPACING)).sum::<usize>()
        + name_room
        <= usize::from(inner.width);
    let table = if fits { exact } else { grid(Money::format_millions, tr(lang, k::OV_UNIT_MILLION)) };
    let [table_area, kinds_area] =
        Layout::vertical([Constraint::Length(3), Constraint::Fill(1)]).areas(inner);
    frame.render_widget(table.table(table_area.width, theme.header()), table_area);

    // The district's capital by kind, in millions, wrapped whole at the width.
    let short = |kind: CapitalKind| match kind {
        CapitalKind::Initial => k::OV_CAP_INITIAL,
        CapitalKind::Increase1 => k::OV_CAP_1,
        CapitalKind::Increase2 => k::OV_CAP_2,
        CapitalKind::Increase3 => k::OV_CAP_3,
        CapitalKind::Pracharat => k::OV_CAP_PRACHARAT,
        CapitalKind::Other => k::OV_CAP_OTHER,
    };
    let items: Vec<(&str, String)> = CapitalKind::ALL
        .iter()
        .enumerate()
        .filter(|(i, _)| r.capital[*i] != 0)
        .map(|(i, kind)| (tr(lang, short(*kind)), Money(r.capital[i]).format_millions()))
        .collect();
    if items.is_empty() {
        // No capital yet (a new store): no heading over nothing.
        return;
    }
    let width = usize::from(kinds_area.width);
    let head = format!("{}:", tr(lang, k::OV_CAPITAL_M));
    let mut used = columns::width(&head);
    let mut line = vec![Span::styled(head, theme.dim())];
    let mut lines = Vec::new();
    // One space after the heading, two between kinds; a kind that would
    // pass the edge starts the next line.
    let mut sep = 1;
    for (label, figure) in items {
        let w = columns::width(label) + 1 + columns::width(&figure);
        if used > 0 && used + sep + w > width {
            lines.push(Line::from(std::mem::take(&mut line)));
            used = 0;
        }
        if used > 0 {
            line.push(Span::raw(" ".repeat(sep)));
            used += sep;
        }
        line.push(Span::styled(format!("{label} "), theme.dim()));
        line.push(Span::raw(figure));
        used += w;
        sep = 2;
    }
    lines.push(Line::from(line));
    // Lines past the pane are not dropped without a sign.
    let room = usize::from(kinds_area.height).max(1);
    if lines.len() > room {
        lines.truncate(room);
        if let Some(last) = lines.last_mut() {
            last.push_span(Span::raw(" …"));
        }
    }
    frame.render_widget(Paragraph::new(lines), kinds_area);
}
