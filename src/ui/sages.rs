//! The Sages tab: the registry with each sage's load as a small bar; a sage's
//! households and the visit log of the one under the cursor; a proposed plan;
//! and the box of sages suggested for one household.

use ratatui::{
    Frame,
    layout::{Constraint, Layout, Position, Rect},
    style::Style,
    text::{Line, Span},
    widgets::{Block, Clear, Paragraph},
};
use unicode_width::UnicodeWidthStr;

use super::{
    columns::{Col, Grid},
    theme::Theme,
    widgets::{centered, empty},
};
use crate::service::labels;
use crate::{
    app::{
        App, layout,
        overlay::Suggestions,
        sages::{LineGap, PlanView, SageDetail},
    },
    domain::{
        money::group_thousands,
        sage::{Fit, Uncovered},
        thai,
    },
    i18n::{k, tr, trf},
};

pub fn draw(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    if let Some(p) = &app.sages.plan {
        return draw_plan(frame, area, app, p, theme);
    }
    if let Some(d) = &app.sages.detail {
        return draw_detail(frame, area, app, d, theme);
    }
    draw_list(frame, area, app, theme)
}

fn draw_list(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let lang = app.lang;
    let t = &app.sages;
    let mut spans = vec![Span::styled(
        format!(
            " {} {}/{} ",
            tr(lang, k::TAB_SAGES),
            group_thousands(t.view.len() as u64),
            group_thousands(t.rows.len() as u64)
        ),
        theme.title(),
    )];
    if let Some(d) = t.district {
        spans.push(Span::styled(
            format!("{} {} ", tr(lang, k::COL_DISTRICT), app.geo.name(u32::from(d), lang)),
            theme.header(),
        ));
    }
    if let Some(c) = t.expertise {
        spans.push(Span::styled(format!("{} ", app.category_label(c)), theme.header()));
    }
    let mut cursor_x = None;
    if t.filtering || !t.filter.is_empty() {
        let before: usize = spans.iter().map(|s| s.content.width()).sum();
        if t.filtering {
            cursor_x = Some((before + 2 + t.filter.cursor_cells()) as u16);
        }
        spans.push(Span::styled(
            format!("/ {}", t.filter.as_str()),
            if t.filtering { theme.focus() } else { theme.header() },
        ));
        spans.push(Span::raw(" "));
    }
    let block = Block::bordered().title(Line::from(spans));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if let Some(x) = cursor_x {
        frame.set_cursor_position(Position::new((area.x + 1 + x).min(area.right() - 2), area.y));
    }
    if t.view.is_empty() {
        let msg = if t.rows.is_empty() { k::SAGES_EMPTY } else { k::SAGES_NONE_MATCH };
        return empty(frame, inner, tr(lang, msg), theme);
    }
    let mut grid = Grid::new(&[
        (Col::name(4), tr(lang, k::COL_PERSON)),
        (Col::text(2), tr(lang, k::COL_DISTRICT)),
        (Col::text(4), tr(lang, k::COL_EXPERTISE)),
        (Col::num(), tr(lang, k::COL_LOAD)),
        (Col::text(0), tr(lang, k::COL_STATUS)),
    ]);
    let page = layout::list_rows(app.size.1);
    let window = t.pos.window(t.view.len(), page);
    for (i, n) in t.view[window.clone()].iter().zip(window) {
        let Some(r) = t.rows.get(*i) else { continue };
        let s = &r.sage;
        let style = if n == t.pos.cursor { theme.selected() } else { theme.base() };
        grid.row(
            [
                s.full_name(),
                app.geo.name(u32::from(s.district()), lang),
                crate::app::sages::expertise_label(&app.sh, &s.expertise),
                format!("{}/{}", r.load, s.capacity),
                tr(lang, labels::sage_status(s.status)).to_string(),
            ],
            style,
        );
    }
    frame.render_widget(grid.table(inner.width, theme.header()), inner);
}

fn draw_detail(frame: &mut Frame, area: Rect, app: &App, d: &SageDetail, theme: &Theme) {
    let lang = app.lang;
    let tt = |key| tr(lang, key);
    let Some(row) = app.sages.by_id(d.sage_id) else { return };
    let s = &row.sage;
    let [facts, list, visits] = Layout::vertical([
        Constraint::Length(layout::SAGE_FACTS),
        Constraint::Fill(1),
        Constraint::Length(layout::SAGE_VISITS),
    ])
    .areas(area);
    let dim = |x: &'static str| Span::styled(format!("{x} "), theme.dim());
    let lines = vec![
        Line::from(vec![
            dim(tt(k::FIELD_NATIONAL_ID)),
            Span::raw(format!("{}   ", s.national_id.grouped())),
            dim(tt(k::FIELD_PHONE)),
            Span::raw(s.phone.clone()),
        ]),
        Line::from(vec![
            dim(tt(k::FIELD_HOME_VILLAGE)),
            Span::raw(crate::app::sages::village_label(&app.sh, s.home_village)),
        ]),
        Line::from(vec![
            dim(tt(k::FIELD_EXPERTISE)),
            Span::raw(crate::app::sages::expertise_label(&app.sh, &s.expertise)),
        ]),
    ];
    let block =
        Block::bordered().title(Line::styled(format!(" {} ", s.full_name()), theme.title())).title_top(
            Line::styled(
                format!(
                    " {} {}/{} · {} ",
                    tt(k::COL_LOAD),
                    row.load,
                    s.capacity,
                    tt(labels::sage_status(s.status))
                ),
                if row.full() { theme.error() } else { theme.dim() },
            )
            .right_aligned(),
        );
    frame.render_widget(Paragraph::new(lines).block(block), facts);

    let block = Block::bordered()
        .title(Line::styled(format!(" {} {} ", tt(k::COL_HOUSEHOLD), d.assignments.len()), theme.title()));
    let inner = block.inner(list);
    frame.render_widget(block, list);
    if d.assignments.is_empty() {
        empty(frame, inner, tt(k::NO_ASSIGNMENT), theme);
    } else {
        let mut grid = Grid::new(&[
            (Col::name(3), tt(k::COL_HOUSEHOLD)),
            (Col::text(2), tt(k::COL_CATEGORY)),
            (Col::exact(), tt(k::COL_START)),
            (Col::text(0), tt(k::COL_STATUS)),
            (Col::num(), tt(k::COL_VISITS)),
        ]);
        let page = layout::sage_assignment_rows(app.size.1);
        let window = d.pos.window(d.assignments.len(), page);
        for (r, n) in d.assignments[window.clone()].iter().zip(window) {
            let a = &r.assignment;
            let style = if n == d.pos.cursor { theme.selected() } else { theme.base() };
            grid.row(
                [
                    a.household.clone(),
                    r.category.map(|c| app.category_label(c)).unwrap_or_default(),
                    thai::format_date(a.start, lang),
                    tt(labels::assignment_status(a.status)).to_string(),
                    a.visits.len().to_string(),
                ],
                style,
            );
        }
        frame.render_widget(grid.table(inner.width, theme.header()), inner);
    }

    // The visits of the household under the cursor, newest first.
    let selected = d.assignments.get(d.pos.cursor).map(|r| &r.assignment);
    let title =
        selected.map_or_else(String::new, |a| format!(" {} ", trf(lang, k::FORM_VISIT, &[&a.household])));
    let block = Block::bordered().title(Line::styled(title, theme.title()));
    let inner = block.inner(visits);
    frame.render_widget(block, visits);
    match selected {
        Some(a) if !a.visits.is_empty() => {
            let mut grid =
                Grid::new(&[(Col::exact(), ""), (Col::text(3), ""), (Col::text(2), "")]).headless();
            for v in a.visits.iter().rev().take(usize::from(inner.height)) {
                grid.row(
                    [thai::format_date(v.date, lang), v.notes.clone(), v.next_step.clone()],
                    Style::default(),
                );
            }
            frame.render_widget(grid.table(inner.width, theme.header()), inner);
        }
        Some(_) => empty(frame, inner, tt(k::SAGE_NO_VISITS), theme),
        None => {}
    }
}

/// "Expert · same district", or why a household has no sage.
fn fit_label(app: &App, fit: Fit) -> String {
    let expertise = if fit.expertise == 0 { k::SAGE_EXPERT } else { k::SAGE_NOT_EXPERT };
    format!("{} · {}", tr(app.lang, expertise), crate::app::sages::place_label(app.lang, fit))
}

fn gap_label(gap: LineGap) -> crate::i18n::Key {
    match gap {
        LineGap::Uncovered(Uncovered::NoExpertFree) => k::PLAN_NO_EXPERT_FREE,
        LineGap::Uncovered(Uncovered::NotEnoughPlaces) => k::PLAN_NOT_ENOUGH,
        LineGap::Dropped => k::PLAN_DROPPED,
    }
}

fn draw_plan(frame: &mut Frame, area: Rect, app: &App, p: &PlanView, theme: &Theme) {
    let lang = app.lang;
    let tt = |key| tr(lang, key);
    let scope = match p.district {
        Some(d) => format!("{} {}", tt(k::COL_DISTRICT), app.geo.name(u32::from(d), lang)),
        None => tt(app.geo.whole()).to_string(),
    };
    let block = Block::bordered().title(Line::from(vec![
        Span::styled(format!(" {} ", tt(k::PLAN_TITLE)), theme.title()),
        Span::styled(format!("{scope} "), theme.header()),
    ]));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let [summary, table] = Layout::vertical([Constraint::Length(1), Constraint::Fill(1)]).areas(inner);
    let free: u32 = app
        .sages
        .rows
        .iter()
        .filter(|r| r.sage.status == crate::domain::sage::SageStatus::Active)
        .map(|r| u32::from(r.sage.capacity).saturating_sub(r.load + app.sages.plan_load(r.sage.id)))
        .sum();
    frame.render_widget(
        Paragraph::new(trf(lang, k::PLAN_SUMMARY, &[&p.covered(), &p.lines.len(), &free]))
            .style(theme.info()),
        summary,
    );
    let mut grid = Grid::new(&[
        (Col::name(3), tt(k::COL_HOUSEHOLD)),
        (Col::text(2), tt(k::COL_CATEGORY)),
        (Col::text(3), tt(k::COL_SAGE)),
        (Col::text(3), tt(k::COL_FIT)),
    ]);
    let page = layout::plan_rows(app.size.1);
    let window = p.pos.window(p.lines.len(), page);
    for (l, n) in p.lines[window.clone()].iter().zip(window) {
        let selected = n == p.pos.cursor;
        let style = if selected { theme.selected() } else { theme.base() };
        let (sage, fit, fit_style) = match l.sage {
            Ok((s, f)) => (app.sages.sage_name(s), fit_label(app, f), style),
            Err(g) => {
                (String::new(), tt(gap_label(g)).to_string(), if selected { style } else { theme.error() })
            }
        };
        let plain = Style::default();
        grid.styled_row(
            vec![
                (l.household.name.clone(), plain),
                (app.category_label(l.household.category), plain),
                (sage, plain),
                (fit, fit_style),
            ],
            style,
        );
    }
    frame.render_widget(grid.table(table.width, theme.header()), table);
}

/// The box of sages suggested for one household.
pub fn draw_suggestions(frame: &mut Frame, body: Rect, app: &App, s: &Suggestions, theme: &Theme) {
    let lang = app.lang;
    let tt = |key| tr(lang, key);
    let area = centered(body, body.width.saturating_sub(4), body.height);
    frame.render_widget(Clear, area);
    let block = Block::bordered().title(Line::styled(
        format!(" {} ", trf(lang, k::SUGGEST_TITLE, &[&s.household.name])),
        theme.title(),
    ));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let [top, table] = Layout::vertical([Constraint::Length(1), Constraint::Fill(1)]).areas(inner);
    let current = s.current.map_or_else(|| tt(k::NO_SAGE_YET).to_string(), |id| app.sages.sage_name(id));
    frame.render_widget(
        Paragraph::new(Line::from(vec![
            Span::raw(format!(
                "{} · {} · {} · ",
                app.category_label(s.household.category),
                app.geo.name(s.household.village / 100, lang),
                app.geo.name(s.household.village / 10_000, lang)
            )),
            Span::styled(format!("{} {current}", tt(k::COL_SAGE)), theme.dim()),
        ])),
        top,
    );
    let mut grid = Grid::new(&[
        (Col::num(), tt(k::COL_RANK_SHORT)),
        (Col::name(3), tt(k::COL_PERSON)),
        (Col::text(4), tt(k::COL_FIT)),
        (Col::num(), tt(k::COL_LOAD)),
        (Col::text(0), ""),
    ]);
    let page = layout::suggestion_rows(app.size.1);
    let window = s.pos.window(s.rows.len(), page);
    for (&(id, fit, load, capacity), n) in s.rows[window.clone()].iter().zip(window) {
        let full = load >= capacity;
        let style = if n == s.pos.cursor {
            theme.selected()
        } else if full {
            theme.dim()
        } else {
            theme.base()
        };
        grid.row(
            [
                (n + 1).to_string(),
                app.sages.sage_name(id),
                fit_label(app, fit),
                format!("{load}/{capacity}"),
                if full { tt(k::SAGE_FULL) } else { "" }.to_string(),
            ],
            style,
        );
    }
    frame.render_widget(grid.table(table.width, theme.header()), table);
}
