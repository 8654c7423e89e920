//! The Funds tab: the list, and a fund's detail with its capital ledger and a bar
//! chart of capital by year.

use ratatui::{
    Frame,
    layout::{Constraint, Layout, Position, Rect},
    text::{Line, Span},
    widgets::{Bar, BarChart, BarGroup, Block, Paragraph},
};
use unicode_width::UnicodeWidthStr;

use super::{
    columns::{Col, Grid},
    members,
    theme::Theme,
};
use crate::service::labels;
use crate::{
    app::{
        App,
        funds::{Detail, FundsTab, Screen},
        layout,
    },
    domain::{Money, loan::percent, money::group_thousands, thai},
    i18n::{k, tr, trf},
};

pub fn draw(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    match app.funds.stack.last() {
        Some(Screen::Fund(d)) => draw_detail(frame, area, app, d, theme),
        Some(Screen::Members(v)) => members::draw_members(frame, area, app, v, theme),
        Some(Screen::Member(v)) => members::draw_member(frame, area, app, v, theme),
        Some(Screen::Loan(v)) => members::draw_loan(frame, area, app, v, theme),
        None => draw_list(frame, area, app, &app.funds, theme),
    }
}

fn list_title(app: &App, tab: &FundsTab, theme: &Theme) -> (Line<'static>, Option<u16>) {
    let lang = app.lang;
    let mut spans = vec![Span::styled(
        format!(
            " {} {}/{} ",
            tr(lang, k::TAB_FUNDS),
            group_thousands(tab.view.len() as u64),
            group_thousands(tab.total() as u64)
        ),
        theme.title(),
    )];
    if let Some(d) = tab.district {
        spans.push(Span::styled(
            format!("{} {} ", tr(lang, k::COL_DISTRICT), app.geo.name(u32::from(d), lang)),
            theme.header(),
        ));
    }
    let mut cursor_x = None;
    if tab.filtering || !tab.filter.is_empty() {
        let label = format!("/ {}", tab.filter.as_str());
        let before: usize = spans.iter().map(|s| s.content.width()).sum();
        if tab.filtering {
            cursor_x = Some((before + 2 + tab.filter.cursor_cells()) as u16);
        }
        spans.push(Span::styled(label, if tab.filtering { theme.focus() } else { theme.header() }));
        spans.push(Span::raw(" "));
    }
    (Line::from(spans), cursor_x)
}

fn sort_title(app: &App, tab: &FundsTab, theme: &Theme) -> Line<'static> {
    let arrow = if tab.desc { "↓" } else { "↑" };
    Line::styled(format!(" {} {arrow} ", tr(app.lang, tab.sort.label())), theme.dim()).right_aligned()
}

fn draw_list(frame: &mut Frame, area: Rect, app: &App, tab: &FundsTab, theme: &Theme) {
    let lang = app.lang;
    let (title, cursor_x) = list_title(app, tab, theme);
    let block = Block::bordered().title(title).title_top(sort_title(app, tab, theme));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if let Some(x) = cursor_x {
        frame.set_cursor_position(Position::new((area.x + 1 + x).min(area.right() - 2), area.y));
    }
    if tab.view.is_empty() {
        let msg = if tab.total() == 0 {
            tr(lang, k::FUNDS_EMPTY).to_string()
        } else {
            trf(lang, k::FUNDS_NO_MATCH, &[&tab.filter.as_str()])
        };
        let y = inner.y + inner.height / 2;
        frame
            .render_widget(Paragraph::new(msg).centered().style(theme.dim()), Rect { y, height: 1, ..inner });
        return;
    }
    let page = layout::list_rows(app.size.1);
    let t = |key| tr(lang, key);
    let mut grid = Grid::new(&[
        (Col::exact(), t(k::COL_CODE)),
        (Col::text(5), t(k::COL_NAME)),
        (Col::text(2), t(k::COL_SUBDISTRICT)),
        (Col::text(2), t(k::COL_DISTRICT)),
        (Col::exact(), t(k::COL_GRADE)),
        (Col::num(), t(k::COL_MEMBERS)),
        (Col::num(), t(k::COL_CAPITAL)),
    ]);
    for (n, r) in tab.visible(page) {
        let style = if n == tab.pos.cursor { theme.selected() } else { theme.base() };
        grid.row(
            [
                r.code.to_string(),
                r.name.to_string(),
                app.geo.name(r.subdistrict, lang),
                app.geo.name(u32::from(r.district), lang),
                r.grade.letter().to_string(),
                group_thousands(u64::from(r.members)),
                r.capital.format_whole(),
            ],
            style,
        );
    }
    frame.render_widget(grid.table(inner.width, theme.header()), inner);
}

fn fact<'a>(label: &'a str, value: String, theme: &Theme) -> Vec<Span<'a>> {
    vec![Span::styled(format!("{label} "), theme.dim()), Span::raw(value), Span::raw("   ")]
}

fn draw_detail(frame: &mut Frame, area: Rect, app: &App, d: &Detail, theme: &Theme) {
    let lang = app.lang;
    let f = &d.fund;
    let [facts, bottom] =
        Layout::vertical([Constraint::Length(layout::FUND_FACTS), Constraint::Fill(1)]).areas(area);
    let title = Line::styled(format!(" {} ({}) ", f.name, f.code), theme.title());
    let block = Block::bordered().title(title).title_top(
        Line::styled(format!(" {} ", trf(lang, k::TITLE_VERSION, &[&f.version])), theme.dim())
            .right_aligned(),
    );
    let t = |key| tr(lang, key);
    let established = f.established.map(|x| thai::format_date(x, lang)).unwrap_or_else(|| "-".into());
    let assessed = match f.assessed_year {
        Some(y) => trf(lang, k::DETAIL_ASSESSED_IN, &[&thai::be_year(y)]),
        None => String::new(),
    };
    let members = d.stats.members.max(0) as u64;
    let p = &d.portfolio;
    let lines = vec![
        Line::from(
            [
                fact(t(k::FIELD_FUND_KIND), t(labels::fund_kind(f.kind)).to_string(), theme),
                fact(
                    t(k::FIELD_REGISTRATION),
                    if f.registration_no.is_empty() { "-".into() } else { f.registration_no.clone() },
                    theme,
                ),
                fact(t(k::FIELD_ESTABLISHED), established, theme),
            ]
            .concat(),
        ),
        Line::from(
            [
                fact(t(k::COL_SUBDISTRICT), app.geo.name(f.subdistrict(), lang), theme),
                fact(t(k::COL_DISTRICT), app.geo.name(u32::from(f.district()), lang), theme),
                fact(t(k::DETAIL_VILLAGE_NO), f.village_no().to_string(), theme),
            ]
            .concat(),
        ),
        Line::from(fact(t(k::FIELD_GRADE), format!("{} {assessed}", t(labels::grade(f.grade))), theme)),
        // Lending capital, and the Pracharat project budget apart.
        Line::from(
            [
                fact(
                    t(k::DETAIL_CAPITAL_TOTAL),
                    format!("{} {}", f.lending_capital().format(), t(k::BAHT)),
                    theme,
                ),
                fact(
                    t(k::DETAIL_PROJECT_BUDGET),
                    format!("{} {}", f.project_budget().format(), t(k::BAHT)),
                    theme,
                ),
            ]
            .concat(),
        ),
        match &d.figures_error {
            Some(e) => Line::styled(format!("⚠ {}", e.render(lang)), theme.error()),
            None => Line::from(
                [
                    fact(t(k::COL_MEMBERS), group_thousands(members), theme),
                    fact(t(k::DETAIL_OPEN_LOANS), group_thousands(u64::from(p.open_loans)), theme),
                    fact(t(k::DETAIL_OUTSTANDING), p.outstanding.format_whole(), theme),
                ]
                .concat(),
            ),
        },
        Line::from(
            [
                fact(t(k::DETAIL_PAR30), percent(p.par30_bp()), theme),
                fact(
                    t(k::DETAIL_REPAYMENT_RATE),
                    p.repayment_rate_bp().map_or_else(|| "-".into(), percent),
                    theme,
                ),
                fact(t(k::DETAIL_AS_OF), thai::format_date(app.as_of, lang), theme),
            ]
            .concat(),
        ),
    ];
    frame.render_widget(Paragraph::new(lines).block(block), facts);

    let [ledger_area, chart_area] =
        Layout::horizontal([Constraint::Percentage(55), Constraint::Percentage(45)]).areas(bottom);
    draw_ledger(frame, ledger_area, app, d, theme);
    draw_capital_chart(frame, chart_area, app, d, theme);
}

fn draw_ledger(frame: &mut Frame, area: Rect, app: &App, d: &Detail, theme: &Theme) {
    let lang = app.lang;
    let ledger = d.fund.ledger();
    let title = Line::styled(
        format!(" {} {} ", tr(lang, k::DETAIL_LEDGER), group_thousands(ledger.len() as u64)),
        theme.title(),
    );
    let block = Block::bordered().title(title);
    if ledger.is_empty() {
        let inner = block.inner(area);
        frame.render_widget(block, area);
        frame.render_widget(Paragraph::new(tr(lang, k::LEDGER_EMPTY)).style(theme.dim()), inner);
        return;
    }
    let page = layout::fund_ledger_rows(app.size.1);
    let mut grid = Grid::new(&[
        (Col::text(1), tr(lang, k::FIELD_CAPITAL_KIND)),
        (Col::exact(), tr(lang, k::FIELD_DATE)),
        (Col::num(), tr(lang, k::BAHT)),
    ]);
    let window = d.ledger.window(ledger.len(), page);
    for (e, n) in ledger[window.clone()].iter().zip(window) {
        let style = if n == d.ledger.cursor { theme.selected() } else { theme.base() };
        grid.row(
            [
                tr(lang, labels::capital_kind(e.kind)).to_string(),
                thai::format_date(e.date, lang),
                e.amount.format(),
            ],
            style,
        );
    }
    let width = block.inner(area).width;
    frame.render_widget(grid.table(width, theme.header()).block(block), area);
}

fn draw_capital_chart(frame: &mut Frame, area: Rect, app: &App, d: &Detail, theme: &Theme) {
    let lang = app.lang;
    let block =
        Block::bordered().title(Line::styled(format!(" {} ", tr(lang, k::DETAIL_CHART)), theme.title()));
    let years = d.fund.capital_by_year();
    // Bars of 5 cells with a gap of 1: as many recent years as fit.
    let fit = usize::from(area.width.saturating_sub(2) / 6).max(1);
    let skip = years.len().saturating_sub(fit);
    let bars: Vec<Bar> = years
        .iter()
        .skip(skip)
        .map(|(year, amount)| {
            let thousands = (amount.satang() / 100_000).max(0) as u64;
            Bar::default()
                .value(thousands)
                .label(Line::from(thai::be_year(*year).to_string()))
                .text_value(group_thousands(thousands))
        })
        .collect();
    let max = years.values().map(|m: &Money| (m.satang() / 100_000).max(0) as u64).max().unwrap_or(1);
    let chart = BarChart::default()
        .block(block)
        .data(BarGroup::default().bars(&bars))
        .bar_width(5)
        .bar_gap(1)
        .max(max)
        .bar_style(theme.bar())
        .value_style(theme.selected());
    frame.render_widget(chart, area);
}
