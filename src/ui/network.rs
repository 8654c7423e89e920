//! The Network tab: the district committees with their briefing coverage, the
//! support log and the OTOP products; a committee's members and briefings.

use ratatui::{
    Frame,
    layout::{Constraint, Layout, Rect},
    text::{Line, Span},
    widgets::{Block, Cell, Paragraph, Row, Table, Wrap},
};

use super::{theme::Theme, widgets::empty};
use crate::service::labels;
use crate::{
    app::{App, action::NetView, layout, network::NetworkTab},
    domain::{loan::percent, money::group_thousands, programme::NetworkCommittee, thai},
    i18n::{Key, k, tr, trf},
};

fn view_label(v: NetView) -> Key {
    match v {
        NetView::Committees => k::NET_COMMITTEES,
        NetView::Support => k::NET_SUPPORT,
        NetView::Otop => k::NET_OTOP,
    }
}

fn right(s: impl Into<String>) -> Cell<'static> {
    Cell::from(Line::from(s.into()).right_aligned())
}

/// Funds of a district, from the fund list.
fn funds_in(app: &App, district: u16) -> usize {
    app.funds.rows.iter().filter(|r| r.district == district).count()
}

pub fn draw(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let n = &app.network;
    if let Some(c) = n.committee() {
        return draw_committee(frame, area, app, n, c, theme);
    }
    let lang = app.lang;
    let mut spans = Vec::new();
    for v in NetView::ALL {
        let style = if v == n.view { theme.tab_active() } else { theme.dim() };
        spans.push(Span::styled(format!(" {} ", tr(lang, view_label(v))), style));
    }
    spans.push(Span::styled(format!(" {} ", group_thousands(n.len() as u64)), theme.title()));
    if let (Some(d), false) = (n.district, n.view == NetView::Committees) {
        spans.push(Span::styled(
            format!("{} {} ", tr(lang, k::COL_DISTRICT), app.geo.name(u32::from(d), lang)),
            theme.header(),
        ));
    }
    let block = Block::bordered().title(Line::from(spans));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if n.is_empty() {
        return empty(frame, inner, tr(lang, k::NET_EMPTY), theme);
    }
    let page = layout::list_rows(app.size.1);
    let pos = n.pos();
    let window = pos.window(n.len(), page);
    let t = |key| tr(lang, key);
    let (header, rows, widths): (Vec<Cell>, Vec<Row>, Vec<Constraint>) = match n.view {
        NetView::Committees => (
            vec![
                Cell::from(t(k::COL_DISTRICT)),
                Cell::from(t(k::COL_CHAIR)),
                right(t(k::COL_SEATS)),
                right(t(k::COL_BRIEFINGS)),
                right(t(k::COL_BRIEFED)),
                right(t(k::COL_COVERAGE)),
            ],
            n.committees[window.clone()]
                .iter()
                .zip(window)
                .map(|(c, i)| {
                    let funds = funds_in(app, c.district);
                    let style = if i == pos.cursor { theme.selected() } else { theme.base() };
                    Row::new(vec![
                        Cell::from(app.geo.name(u32::from(c.district), lang)),
                        Cell::from(if c.chair.is_empty() {
                            t(k::NET_NO_CHAIR).to_string()
                        } else {
                            c.chair.clone()
                        }),
                        right(c.members.len().to_string()),
                        right(c.briefings.len().to_string()),
                        right(format!("{}/{}", c.briefed().len().min(funds), funds)),
                        right(percent(c.coverage_bp(funds))),
                    ])
                    .style(style)
                })
                .collect(),
            vec![
                Constraint::Fill(2),
                Constraint::Fill(3),
                Constraint::Length(7),
                Constraint::Length(9),
                Constraint::Length(9),
                Constraint::Length(8),
            ],
        ),
        NetView::Support => (
            vec![
                Cell::from(t(k::COL_DATE)),
                Cell::from(t(k::COL_KIND)),
                Cell::from(t(k::COL_SCOPE)),
                Cell::from(t(k::COL_DISTRICT)),
                Cell::from(t(k::COL_BY)),
            ],
            n.support_view[window.clone()]
                .iter()
                .zip(window)
                .filter_map(|(ix, i)| {
                    let s = n.support.get(*ix)?;
                    let style = if i == pos.cursor { theme.selected() } else { theme.base() };
                    Some(
                        Row::new(vec![
                            Cell::from(thai::format_date(s.date, lang)),
                            Cell::from(t(labels::support_kind(s.kind))),
                            Cell::from(s.label.clone()),
                            Cell::from(app.geo.name(u32::from(s.district), lang)),
                            Cell::from(t(labels::support_level(s.level))),
                        ])
                        .style(style),
                    )
                })
                .collect(),
            vec![
                Constraint::Length(12),
                Constraint::Fill(2),
                Constraint::Fill(3),
                Constraint::Fill(2),
                Constraint::Fill(2),
            ],
        ),
        NetView::Otop => (
            vec![
                Cell::from(t(k::COL_PRODUCT)),
                Cell::from(t(k::COL_KIND)),
                Cell::from(t(k::COL_PRODUCER)),
                Cell::from(t(k::COL_STARS)),
                right(t(k::COL_YEAR)),
            ],
            n.otop_view[window.clone()]
                .iter()
                .zip(window)
                .filter_map(|(ix, i)| {
                    let p = n.otop.get(*ix)?;
                    let style = if i == pos.cursor { theme.selected() } else { theme.base() };
                    let stars = format!(
                        "{}{}",
                        "★".repeat(usize::from(p.stars)),
                        "☆".repeat(5 - usize::from(p.stars.min(5)))
                    );
                    Some(
                        Row::new(vec![
                            Cell::from(p.name.clone()),
                            Cell::from(t(labels::otop_category(p.category))),
                            Cell::from(p.producer_name.clone()),
                            Cell::from(stars),
                            right(thai::be_year(p.rating_year).to_string()),
                        ])
                        .style(style),
                    )
                })
                .collect(),
            vec![
                Constraint::Fill(3),
                Constraint::Fill(2),
                Constraint::Fill(3),
                Constraint::Length(5),
                Constraint::Length(4),
            ],
        ),
    };
    let header = Row::new(header).style(theme.header());
    frame.render_widget(Table::new(rows, widths).header(header).column_spacing(1), inner);
}

fn draw_committee(
    frame: &mut Frame,
    area: Rect,
    app: &App,
    n: &NetworkTab,
    c: &NetworkCommittee,
    theme: &Theme,
) {
    let lang = app.lang;
    let t = |key| tr(lang, key);
    let [facts, list] =
        Layout::vertical([Constraint::Length(layout::COMMITTEE_FACTS), Constraint::Fill(1)]).areas(area);
    let funds = funds_in(app, c.district);
    let dim = |s: &'static str| Span::styled(format!("{s} "), theme.dim());
    let seats = crate::domain::programme::format_seats(&c.members);
    let lines = vec![
        Line::from(vec![
            dim(t(k::FIELD_CHAIR)),
            Span::raw(if c.chair.is_empty() { t(k::NET_NO_CHAIR).to_string() } else { c.chair.clone() }),
        ]),
        Line::from(vec![Span::styled(
            trf(
                lang,
                k::NET_COVERAGE,
                &[&c.briefed().len().min(funds), &funds, &percent(c.coverage_bp(funds))],
            ),
            theme.info(),
        )]),
        Line::from(vec![dim(t(k::FIELD_SEATS)), Span::raw(seats)]),
    ];
    let block = Block::bordered().title(Line::styled(
        format!(" {} ", trf(lang, k::FORM_COMMITTEE, &[&app.geo.name(u32::from(c.district), lang)])),
        theme.title(),
    ));
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: true }).block(block), facts);

    let block = Block::bordered()
        .title(Line::styled(format!(" {} {} ", t(k::COL_BRIEFINGS), c.briefings.len()), theme.title()));
    let inner = block.inner(list);
    frame.render_widget(block, list);
    if c.briefings.is_empty() {
        return empty(frame, inner, t(k::NET_NO_BRIEFINGS), theme);
    }
    let Some((_, pos)) = n.detail else { return };
    let page = layout::briefing_rows(app.size.1);
    // Newest first.
    let newest: Vec<_> = c.briefings.iter().rev().collect();
    let window = pos.window(newest.len(), page);
    let rows = newest[window.clone()].iter().zip(window).map(|(b, i)| {
        let style = if i == pos.cursor { theme.selected() } else { theme.base() };
        Row::new(vec![
            Cell::from(thai::format_date(b.date, lang)),
            Cell::from(b.place.clone()),
            right(b.funds.len().to_string()),
            Cell::from(b.note.clone()),
        ])
        .style(style)
    });
    let header = Row::new(vec![
        Cell::from(t(k::COL_DATE)),
        Cell::from(t(k::COL_PLACE)),
        right(t(k::COL_FUNDS)),
        Cell::from(t(k::FIELD_NOTE)),
    ])
    .style(theme.header());
    let widths = [Constraint::Length(12), Constraint::Fill(3), Constraint::Length(7), Constraint::Fill(3)];
    frame.render_widget(Table::new(rows, widths).header(header).column_spacing(1), inner);
}
