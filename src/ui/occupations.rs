//! The Occupations tab: every occupation record, and one record's detail.

use ratatui::{
    Frame,
    layout::{Constraint, Layout, Position, Rect},
    style::Style,
    text::{Line, Span},
    widgets::{Block, Paragraph},
};
use unicode_width::UnicodeWidthStr;

use super::{
    columns::{Col, Grid},
    theme::Theme,
};
use crate::service::labels;
use crate::{
    app::{App, layout, occupations::OccDetail},
    domain::{Money, loan::percent, money::group_thousands, occupation::Verdict, thai},
    i18n::{k, tr, trf},
};

/// Thousands of baht, for narrow columns.
fn thousands(m: Money) -> String {
    group_thousands(((m.0.max(0) + 50_000) / 100_000) as u64)
}

pub fn draw(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    if let Some(d) = &app.occ.detail {
        return draw_detail(frame, area, app, d, theme);
    }
    let lang = app.lang;
    let occ = &app.occ;
    // A search still going through a large catalog says how far it is.
    let searching = app.catalog.read().ok().and_then(|cat| occ.searching(&cat));
    // While the catalog loads there is no count to show: "0/0" would read
    // as "no records".
    let counts = if app.catalog_loading() {
        tr(lang, k::LOADING).to_string()
    } else {
        let shown =
            format!("{}/{}", group_thousands(occ.view.len() as u64), group_thousands(occ.total as u64));
        match searching {
            Some(done) => format!("{shown} · {}", trf(lang, k::OCCUPATIONS_SEARCHING, &[&done])),
            None => shown,
        }
    };
    let mut spans = vec![Span::styled(format!(" {} {counts} ", tr(lang, k::TAB_OCCUPATIONS)), theme.title())];
    let sel = &occ.select;
    let mut chips = Vec::new();
    if let Some(c) = sel.category {
        chips.push(app.category_label(c));
    }
    if let Some(d) = sel.district {
        chips.push(app.geo.name(u32::from(d), lang));
    }
    if let Some(f) = sel.fund {
        chips.push(app.funds.code_of(f).unwrap_or_default());
    }
    if let Some(s) = sel.stage {
        let name = tr(lang, labels::stage(s));
        chips.push(if sel.stage_or_later {
            trf(lang, k::STAGE_OR_LATER, &[&name])
        } else {
            name.to_string()
        });
    }
    if sel.coached.is_some() {
        chips.push(tr(lang, k::OCC_WITH_SAGE).to_string());
    }
    if !chips.is_empty() {
        spans.push(Span::styled(format!("{} ", chips.join(" · ")), theme.header()));
    }
    let mut cursor = None;
    if occ.filtering || !occ.filter.is_empty() {
        let before: usize = spans.iter().map(|s| s.content.width()).sum();
        if occ.filtering {
            cursor = Some(before + 2 + occ.filter.cursor_cells());
        }
        spans.push(Span::styled(
            format!("/ {} ", occ.filter.as_str()),
            if occ.filtering { theme.focus() } else { theme.header() },
        ));
    }
    let arrow = if occ.desc { "↓" } else { "↑" };
    let block = Block::bordered().title(Line::from(spans)).title_top(
        Line::styled(format!(" {} {arrow} ", tr(lang, labels::occ_sort(occ.sort))), theme.dim())
            .right_aligned(),
    );
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if let Some(x) = cursor {
        frame.set_cursor_position(Position::new((area.x + 1 + x as u16).min(area.right() - 2), area.y));
    }
    let Ok(cat) = app.catalog.read() else { return };
    if occ.view.is_empty() {
        let msg = if app.catalog_loading() {
            tr(lang, k::LOADING).to_string()
        } else if let Some(done) = searching {
            trf(lang, k::OCCUPATIONS_SEARCHING, &[&done])
        } else if occ.total == 0 {
            tr(lang, k::OCCUPATIONS_EMPTY).to_string()
        } else {
            trf(lang, k::NO_MATCH, &[&occ.filter.as_str()])
        };
        let y = inner.y + inner.height / 2;
        frame
            .render_widget(Paragraph::new(msg).centered().style(theme.dim()), Rect { y, height: 1, ..inner });
        return;
    }
    let page = layout::list_rows(app.size.1);
    let window = occ.pos.window(occ.view.len(), page);
    let t = |key| tr(lang, key);
    let mut grid = Grid::new(&[
        (Col::name(3), t(k::COL_MEMBER)),
        (Col::exact(), t(k::COL_FUND)),
        (Col::text(2), t(k::COL_DISTRICT)),
        (Col::text(2), t(k::COL_CATEGORY)),
        (Col::num(), t(k::COL_SINCE)),
        (Col::num(), t(k::COL_INCOME_K)),
        (Col::exact().min(2), ""),
        (Col::text(0), t(k::COL_STAGE)),
    ]);
    for (i, n) in occ.view[window.clone()].iter().zip(window) {
        let Some(r) = cat.rows.get(*i as usize) else { continue };
        let money = cat.figures(r);
        let style = if n == occ.pos.cursor { theme.selected() } else { theme.base() };
        let mark = match r.verdict {
            Verdict::Strong => "✓✓",
            Verdict::Sammachip => "✓",
            Verdict::NotYet => "",
        };
        grid.row(
            [
                cat.name(r).to_string(),
                app.funds.code_of(r.fund_id()).unwrap_or_default(),
                app.geo.name(u32::from(r.district), lang),
                app.category_label(r.category),
                thai::be_year(r.start_year()).to_string(),
                format!("{}→{}", thousands(money.income_before), thousands(money.income_after)),
                mark.to_string(),
                t(labels::stage(r.stage)).to_string(),
            ],
            style,
        );
    }
    frame.render_widget(grid.table(inner.width, theme.header()), inner);
}

fn signed(m: Money) -> String {
    if m.0 > 0 { format!("+{}", m.format_whole()) } else { m.format_whole() }
}

fn draw_detail(frame: &mut Frame, area: Rect, app: &App, d: &OccDetail, theme: &Theme) {
    let lang = app.lang;
    let t = |key| tr(lang, key);
    let r = &d.record;
    let [top, middle, bottom] = Layout::vertical([
        Constraint::Length(layout::OCCUPATION_TOP),
        Constraint::Length(layout::OCCUPATION_FIGURES),
        Constraint::Fill(1),
    ])
    .areas(area);
    let fund = app.funds.rows.iter().find(|f| f.id == r.fund_id);
    let block = Block::bordered()
        .title(Line::styled(
            format!(" {} · {} ", r.member_name, app.category_label(r.category)),
            theme.title(),
        ))
        .title_top(
            Line::styled(format!(" {} ", trf(lang, k::TITLE_VERSION, &[&r.version])), theme.dim())
                .right_aligned(),
        );
    let dim = |s: &'static str| Span::styled(s, theme.dim());
    let lines = vec![
        Line::from(vec![
            dim(t(k::COL_FUND)),
            Span::raw(format!(
                " {} {}   ",
                fund.map(|f| &*f.code).unwrap_or(""),
                fund.map(|f| &*f.name).unwrap_or("")
            )),
            dim(t(k::COL_DISTRICT)),
            Span::raw(format!(" {}", app.geo.name(u32::from(r.district), lang))),
        ]),
        Line::from(vec![
            dim(t(k::FIELD_START_YEAR)),
            Span::raw(format!(
                " {} ({})   ",
                thai::be_year(r.start_year),
                trf(lang, k::YEARS, &[&r.years(app.today)])
            )),
            dim(t(k::FIELD_OCC_STATUS)),
            Span::raw(format!(" {}   ", t(labels::occupation_status(r.status)))),
            dim(t(k::FIELD_STAGE)),
            Span::raw(format!(" {}", t(labels::stage(r.stage)))),
        ]),
        {
            // The sage coaching the household now, else the last one.
            let current =
                d.assignments.iter().rev().find(|a| a.status.takes_a_place()).or(d.assignments.last());
            let mut spans = vec![dim(t(k::COL_SAGE)), Span::raw(" ")];
            match current {
                Some(a) => spans.push(Span::raw(format!(
                    "{} ({}, {})   ",
                    app.sages.sage_name(a.sage_id),
                    t(labels::assignment_status(a.status)),
                    trf(lang, k::VISITS_N, &[&a.visits.len()])
                ))),
                None => spans.push(Span::styled(format!("{}   ", t(k::NO_SAGE_YET)), theme.dim())),
            }
            spans.push(Span::raw(r.description.clone()));
            Line::from(spans)
        },
    ];
    frame.render_widget(Paragraph::new(lines).block(block), top);

    let [figures, history] =
        Layout::horizontal([Constraint::Percentage(62), Constraint::Percentage(38)]).areas(middle);
    let mut grid = Grid::new(&[
        (Col::text(1), t(k::COL_PER_YEAR)),
        (Col::num(), t(k::COL_BEFORE)),
        (Col::num(), t(k::COL_AFTER)),
        (Col::num(), t(k::COL_CHANGE)),
    ]);
    for (label, before, after) in [
        (k::ROW_INCOME, r.before.income, r.after.income),
        (k::ROW_EXPENSES, r.before.expenses, r.after.expenses),
        (k::ROW_NET, r.before.net(), r.after.net()),
        (k::ROW_SAVINGS, r.before.savings, r.after.savings),
    ] {
        grid.row(
            [
                t(label).to_string(),
                before.format_whole(),
                after.format_whole(),
                signed(Money(after.0 - before.0)),
            ],
            Style::default(),
        );
    }
    let verdict = r.verdict();
    let verdict_style = if verdict == Verdict::NotYet { theme.error() } else { theme.info() };
    let block = Block::bordered()
        .title(Line::styled(format!(" {} ", t(k::TITLE_FIGURES)), theme.title()))
        .title_bottom(Line::styled(format!(" {} ", t(labels::verdict(verdict))), verdict_style));
    let width = block.inner(figures).width;
    frame.render_widget(grid.table(width, theme.header()).block(block), figures);

    let lines: Vec<Line> = r
        .stage_history
        .iter()
        .rev()
        .map(|c| Line::from(format!("{} {}", thai::format_date(c.date, lang), t(labels::stage(c.stage)))))
        .collect();
    let block = Block::bordered().title(Line::styled(format!(" {} ", t(k::TITLE_STAGES)), theme.title()));
    frame.render_widget(Paragraph::new(lines).block(block), history);

    let block = Block::bordered()
        .title(Line::styled(format!(" {} {} ", t(k::TITLE_FUNDING_LOANS), r.loan_ids.len()), theme.title()));
    let loans: Vec<_> = match &d.member {
        Some(m) => r.loan_ids.iter().filter_map(|id| m.loan(*id)).collect(),
        None => Vec::new(),
    };
    if loans.is_empty() {
        let inner = block.inner(bottom);
        frame.render_widget(block, bottom);
        frame.render_widget(Paragraph::new(t(k::NO_FUNDING_LOANS)).style(theme.dim()), inner);
        return;
    }
    let page = layout::occupation_loan_rows(app.size.1);
    let window = d.pos.window(loans.len(), page);
    let mut grid = Grid::new(&[
        (Col::exact(), t(k::COL_NUMBER)),
        (Col::exact(), t(k::COL_START)),
        (Col::num(), t(k::FIELD_PRINCIPAL)),
        (Col::num(), t(k::COL_OUTSTANDING)),
        (Col::num(), t(k::COL_DAYS_LATE)),
        (Col::num(), t(k::COL_ON_TIME)),
        (Col::text(1), t(k::COL_STATE)),
    ]);
    for (l, n) in loans[window.clone()].iter().zip(window) {
        let p = l.position(app.as_of);
        let style = if n == d.pos.cursor { theme.selected() } else { theme.base() };
        grid.row(
            [
                l.id.to_string(),
                thai::format_date(l.start, lang),
                l.principal.format_whole(),
                p.outstanding.format_whole(),
                if p.days_overdue > 0 { p.days_overdue.to_string() } else { String::new() },
                l.on_time_share_bp(app.as_of).map_or_else(|| "-".into(), percent),
                t(labels::loan_state(p.state)).to_string(),
            ],
            style,
        );
    }
    let width = block.inner(bottom).width;
    frame.render_widget(grid.table(width, theme.header()).block(block), bottom);
}
