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

use super::theme::Theme;
use crate::{
    app::{
        App, layout,
        overview::{DistrictRow, Step},
    },
    domain::{Money, fund::CapitalKind, loan::percent, money::group_thousands, thai},
    i18n::{Key, k, tr, trf},
};

/// Cells of each step's column.
const STEP_WIDTH: usize = 7;

pub fn step_label(s: Step) -> Key {
    match s {
        Step::Briefed => k::OV_STEP1,
        Step::Occupations => k::OV_STEP2,
        Step::Selected => k::OV_STEP3,
        Step::WithSage => k::OV_STEP4,
        Step::SelfDriving => k::OV_STEP5,
        Step::Support => k::OV_STEP6,
        Step::Models => k::OV_STEP7,
        Step::Otop => k::OV_STEP8,
    }
}

fn gauge_style(theme: &Theme) -> Style {
    if theme.color {
        Style::new().bg(Color::Blue).fg(Color::White)
    } else {
        Style::new().add_modifier(Modifier::UNDERLINED)
    }
}

/// The figure right-aligned in its column, the first cells shaded in
/// proportion to `ratio` (ten-thousandths).
fn gauge_cell(text: String, ratio_bp: u32, style: Style, theme: &Theme) -> Cell<'static> {
    let padded = format!("{text:>STEP_WIDTH$}");
    let filled = (ratio_bp.min(10_000) as usize * STEP_WIDTH + 5_000) / 10_000;
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

fn step_cell(app: &App, r: &DistrictRow, step: Step, style: Style, theme: &Theme) -> Cell<'static> {
    let figure = r.figure(step);
    let (text, ratio) = match (step, r.whole(step)) {
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
    };
    gauge_cell(text, ratio, style, theme)
}

pub fn draw(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let lang = app.lang;
    let ov = &app.overview;
    let [table_area, money] =
        Layout::vertical([Constraint::Fill(1), Constraint::Length(layout::OVERVIEW_MONEY)]).areas(area);
    let block = Block::bordered().title(Line::from(vec![
        Span::styled(format!(" {} ", tr(lang, k::OV_TITLE)), theme.title()),
        Span::styled(format!("{} ", thai::format_date(app.today, lang)), theme.dim()),
    ]));
    let inner = block.inner(table_area);
    frame.render_widget(block, table_area);

    let mut header = vec![Cell::from(tr(lang, k::COL_DISTRICT))];
    for (i, s) in Step::ALL.iter().enumerate() {
        let label = format!("{:>w$}", tr(lang, step_label(*s)), w = STEP_WIDTH);
        let style = if i == ov.col { theme.selected() } else { theme.header() };
        header.push(Cell::from(Line::from(Span::styled(label, style)).right_aligned()));
    }
    let header = Row::new(header).style(theme.header());
    let page = layout::overview_rows(app.size.1);
    let window = ov.pos.window(ov.rows.len(), page);
    let mut rows: Vec<Row> = ov.rows[window.clone()]
        .iter()
        .zip(window)
        .map(|(r, n)| {
            let here = n == ov.pos.cursor;
            let mut cells = vec![Cell::from(app.geo.name(u32::from(r.district), lang)).style(if here {
                theme.selected()
            } else {
                theme.base()
            })];
            for (i, s) in Step::ALL.iter().enumerate() {
                let style = if here && i == ov.col { theme.selected() } else { theme.base() };
                cells.push(step_cell(app, r, *s, style, theme));
            }
            Row::new(cells)
        })
        .collect();
    // The province, always in view under the districts.
    let spare = page.saturating_sub(rows.len());
    for _ in 0..spare {
        rows.push(Row::new(vec![Cell::from("")]));
    }
    let mut total = vec![Cell::from(tr(lang, k::OV_TOTAL)).style(theme.header())];
    for s in Step::ALL {
        total.push(step_cell(app, &ov.total, s, theme.header(), theme));
    }
    rows.push(Row::new(total));
    let mut widths = vec![Constraint::Fill(1)];
    widths.extend(std::iter::repeat_n(Constraint::Length(STEP_WIDTH as u16), Step::ALL.len()));
    frame.render_widget(Table::new(rows, widths).header(header).column_spacing(1), inner);

    // Capital and loans: the district under the cursor, and the province.
    let here = ov.selected();
    let name = here.map_or_else(String::new, |r| app.geo.name(u32::from(r.district), lang));
    let block = Block::bordered()
        .title(Line::styled(format!(" {} ", trf(lang, k::OV_MONEY_TITLE, &[&name])), theme.title()));
    let inner = block.inner(money);
    frame.render_widget(block, money);
    let Some(r) = here else { return };
    let millions = |satang: i64| format!("{:.1}", satang as f64 / 100.0 / 1_000_000.0);
    let short = |kind: CapitalKind| match kind {
        CapitalKind::Initial => k::OV_CAP_INITIAL,
        CapitalKind::Increase1 => k::OV_CAP_1,
        CapitalKind::Increase2 => k::OV_CAP_2,
        CapitalKind::Increase3 => k::OV_CAP_3,
        CapitalKind::Pracharat => k::OV_CAP_PRACHARAT,
        CapitalKind::Other => k::OV_CAP_OTHER,
    };
    let mut kinds: Vec<Span> = vec![Span::styled(format!("{}: ", tr(lang, k::OV_CAPITAL_M)), theme.dim())];
    for (i, kind) in CapitalKind::ALL.iter().enumerate() {
        if r.capital[i] == 0 {
            continue;
        }
        kinds.push(Span::styled(format!("{} ", tr(lang, short(*kind))), theme.dim()));
        kinds.push(Span::raw(format!("{}  ", millions(r.capital[i]))));
    }
    let total_capital: i64 = r.capital.iter().sum();
    let province_capital: i64 = ov.total.capital.iter().sum();
    let lines = vec![
        Line::from(kinds),
        Line::from(vec![
            Span::raw(trf(lang, k::OV_CAPITAL_TOTAL, &[&Money(total_capital).format_whole()])),
            Span::styled(
                format!("   {} {}", tr(lang, k::OV_TOTAL), Money(province_capital).format_whole()),
                theme.dim(),
            ),
        ]),
        Line::from(vec![
            Span::raw(trf(lang, k::OV_LOANS, &[&Money(r.open).format_whole(), &percent(r.par30_bp())])),
            Span::styled(
                format!(
                    "   {} {} · {}",
                    tr(lang, k::OV_TOTAL),
                    Money(ov.total.open).format_whole(),
                    percent(ov.total.par30_bp())
                ),
                theme.dim(),
            ),
        ]),
        Line::from(Span::styled(
            format!(
                "{} {} · {} {}",
                tr(lang, k::COL_FUNDS),
                group_thousands(u64::from(r.funds)),
                tr(lang, k::COL_MEMBERS),
                group_thousands(r.members)
            ),
            theme.dim(),
        )),
    ];
    frame.render_widget(Paragraph::new(lines), inner);
}
