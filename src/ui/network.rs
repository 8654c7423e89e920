//! The Network tab: the district committees with their briefing coverage, the
//! support log and the OTOP products; a committee's members and briefings.

use ratatui::{
    Frame,
    layout::{Constraint, Layout, Rect},
    text::{Line, Span},
    widgets::{Block, Paragraph},
};

use super::{
    columns::{self, Col, Grid},
    theme::Theme,
    widgets::empty,
};
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
    let grid = match n.view {
        NetView::Committees => {
            let mut grid = Grid::new(&[
                (Col::text(2), t(k::COL_DISTRICT)),
                (Col::name(3), t(k::COL_CHAIR)),
                (Col::num(), t(k::COL_SEATS)),
                (Col::num(), t(k::COL_BRIEFINGS)),
                (Col::num(), t(k::COL_BRIEFED)),
                (Col::num(), t(k::COL_COVERAGE)),
            ]);
            for (c, i) in n.committees[window.clone()].iter().zip(window) {
                let funds = funds_in(app, c.district);
                let style = if i == pos.cursor { theme.selected() } else { theme.base() };
                grid.row(
                    [
                        app.geo.name(u32::from(c.district), lang),
                        if c.chair.is_empty() { t(k::NET_NO_CHAIR).to_string() } else { c.chair.clone() },
                        c.members.len().to_string(),
                        c.briefings.len().to_string(),
                        format!("{}/{}", c.briefed().len().min(funds), funds),
                        percent(c.coverage_bp(funds)),
                    ],
                    style,
                );
            }
            grid
        }
        NetView::Support => {
            let mut grid = Grid::new(&[
                (Col::exact(), t(k::COL_DATE)),
                (Col::text(2), t(k::COL_KIND)),
                (Col::text(3), t(k::COL_SCOPE)),
                (Col::text(2), t(k::COL_DISTRICT)),
                (Col::text(2), t(k::COL_BY)),
            ]);
            for (ix, i) in n.support_view[window.clone()].iter().zip(window) {
                let Some(s) = n.support.get(*ix) else { continue };
                let style = if i == pos.cursor { theme.selected() } else { theme.base() };
                grid.row(
                    [
                        thai::format_date(s.date, lang),
                        t(labels::support_kind(s.kind)).to_string(),
                        s.label.clone(),
                        app.geo.name(u32::from(s.district), lang),
                        t(labels::support_level(s.level)).to_string(),
                    ],
                    style,
                );
            }
            grid
        }
        NetView::Otop => {
            let mut grid = Grid::new(&[
                (Col::text(3), t(k::COL_PRODUCT)),
                (Col::text(2), t(k::COL_KIND)),
                (Col::text(3), t(k::COL_PRODUCER)),
                (Col::exact(), t(k::COL_STARS)),
                (Col::num(), t(k::COL_YEAR)),
            ]);
            for (ix, i) in n.otop_view[window.clone()].iter().zip(window) {
                let Some(p) = n.otop.get(*ix) else { continue };
                let style = if i == pos.cursor { theme.selected() } else { theme.base() };
                let stars = format!(
                    "{}{}",
                    "★".repeat(usize::from(p.stars)),
                    "☆".repeat(5 - usize::from(p.stars.min(5)))
                );
                grid.row(
                    [
                        p.name.clone(),
                        t(labels::otop_category(p.category)).to_string(),
                        p.producer_name.clone(),
                        stars,
                        thai::be_year(p.rating_year).to_string(),
                    ],
                    style,
                );
            }
            grid
        }
    };
    frame.render_widget(grid.table(inner.width, theme.header()), inner);
}

/// The committee's seats on at most `lines` lines of `width` cells, the
/// first line after `indent` cells (its label): a seat moves whole to the
/// next line rather than being split, one wider than a line is cut, and when
/// seats are left over the last line ends in `…`.
fn seat_lines(seats: &[String], indent: usize, width: usize, lines: usize) -> Vec<String> {
    let room = |n: usize| if n == 0 { width.saturating_sub(indent) } else { width };
    let mut packed: Vec<String> = vec![String::new()];
    for (i, seat) in seats.iter().enumerate() {
        let piece = if i + 1 < seats.len() { format!("{seat};") } else { seat.clone() };
        let n = packed.len() - 1;
        let line = &mut packed[n];
        if line.is_empty() {
            *line = piece;
        } else if columns::width(line) + 1 + columns::width(&piece) <= room(n) {
            line.push(' ');
            line.push_str(&piece);
        } else {
            packed.push(piece);
        }
    }
    if packed.len() > lines && lines > 0 {
        // The last line shown runs on into the next seat and is cut there.
        let next = packed[lines].clone();
        packed.truncate(lines);
        let last = packed.last_mut().expect("lines > 0");
        *last = format!("{last} {next}");
    }
    packed.truncate(lines);
    packed.iter().enumerate().map(|(n, l)| columns::cut(l, room(n)).into_owned()).collect()
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
    // The facts are cut to their lines, never wrapped mid-name: the chair
    // and the coverage take a line each, the seats the rest.
    let width = usize::from(facts.width.saturating_sub(2));
    let seat_room = usize::from(facts.height.saturating_sub(2)).saturating_sub(2);
    let chair_label = format!("{} ", t(k::FIELD_CHAIR));
    let chair = if c.chair.is_empty() { t(k::NET_NO_CHAIR).to_string() } else { c.chair.clone() };
    let chair = columns::cut(&chair, width.saturating_sub(columns::width(&chair_label))).into_owned();
    let seats_label = format!("{} ", t(k::FIELD_SEATS));
    let seats: Vec<String> =
        c.members.iter().map(|s| crate::domain::programme::format_seats(std::slice::from_ref(s))).collect();
    let coverage =
        trf(lang, k::NET_COVERAGE, &[&c.briefed().len().min(funds), &funds, &percent(c.coverage_bp(funds))]);
    let mut lines = vec![
        Line::from(vec![Span::styled(chair_label, theme.dim()), Span::raw(chair)]),
        Line::from(vec![Span::styled(columns::cut(&coverage, width).into_owned(), theme.info())]),
    ];
    for (i, l) in seat_lines(&seats, columns::width(&seats_label), width, seat_room).into_iter().enumerate() {
        lines.push(if i == 0 {
            Line::from(vec![Span::styled(seats_label.clone(), theme.dim()), Span::raw(l)])
        } else {
            Line::from(l)
        });
    }
    let block = Block::bordered().title(Line::styled(
        format!(" {} ", trf(lang, k::FORM_COMMITTEE, &[&app.geo.name(u32::from(c.district), lang)])),
        theme.title(),
    ));
    frame.render_widget(Paragraph::new(lines).block(block), facts);

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
    let mut grid = Grid::new(&[
        (Col::exact(), t(k::COL_DATE)),
        (Col::text(3), t(k::COL_PLACE)),
        (Col::num(), t(k::COL_FUNDS)),
        (Col::text(3), t(k::FIELD_NOTE)),
    ]);
    for (b, i) in newest[window.clone()].iter().zip(window) {
        let style = if i == pos.cursor { theme.selected() } else { theme.base() };
        grid.row(
            [thai::format_date(b.date, lang), b.place.clone(), b.funds.len().to_string(), b.note.clone()],
            style,
        );
    }
    frame.render_widget(grid.table(inner.width, theme.header()), inner);
}
