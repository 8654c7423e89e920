//! The Ranking tab: scope, profile and weights; the ranked table with a bar per
//! score and a column per criterion; the breakdown of the selected household.

use ratatui::{
    Frame,
    layout::{Constraint, Layout, Rect},
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
    app::{App, layout, ranking},
    domain::{
        money::group_thousands,
        ranking::{Criterion, format_points},
    },
    i18n::{k, tr, trf},
};

/// A bar of `width` cells for `hundredths` of 100 points, in eighths of a cell.
fn bar(hundredths: u32, width: usize) -> String {
    const PARTS: [&str; 8] = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"];
    let eighths = (hundredths.min(10_000) as usize * width * 8) / 10_000;
    format!("{}{}", "█".repeat(eighths / 8), PARTS[eighths % 8])
}

pub fn draw(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let lang = app.lang;
    let t = |key| tr(lang, key);
    let r = &app.rank;
    let [main, breakdown] =
        Layout::vertical([Constraint::Fill(1), Constraint::Length(layout::RANKING_BREAKDOWN)]).areas(area);

    let category = r.category.map_or_else(|| t(k::ALL_CATEGORIES).to_string(), |c| app.category_label(c));
    let profile =
        if r.profile.name.is_empty() { t(k::PROFILE_DEFAULT).to_string() } else { r.profile.name.clone() };
    let what = if app.catalog_loading() {
        t(k::LOADING).to_string()
    } else if r.is_ranking() {
        t(k::RANK_BUSY).to_string()
    } else if r.selected_view {
        trf(lang, k::RANK_SELECTED_OF, &[&group_thousands(r.ranked.len() as u64)])
    } else {
        trf(lang, k::RANK_TOP_OF, &[&r.profile.top, &group_thousands(r.in_scope as u64)])
    };
    let title = Line::from(vec![
        Span::styled(format!(" {} ", t(k::TAB_RANKING)), theme.title()),
        Span::styled(
            format!(
                "{} · {category} · {what} ",
                crate::app::ranking::scope_label(&app.sh, &app.funds.rows, r.scope)
            ),
            theme.header(),
        ),
    ]);
    let block = Block::bordered()
        .title(title)
        .title_top(Line::styled(format!(" {profile} "), theme.dim()).right_aligned());
    let inner = block.inner(main);
    frame.render_widget(block, main);
    let [weights_area, table_area] =
        Layout::vertical([Constraint::Length(1), Constraint::Fill(1)]).areas(inner);

    // The weights, one span each; the one being edited in reverse video. The
    // full names when they fit, else the column heads.
    let full: usize = Criterion::ALL
        .iter()
        .enumerate()
        .map(|(i, c)| t(labels::criterion(*c)).width() + 2 + r.profile.weights.0[i].to_string().len())
        .sum::<usize>()
        + t(k::WEIGHTS).width()
        + 1;
    let name = |c: Criterion| {
        if full <= usize::from(weights_area.width) {
            labels::criterion(c)
        } else {
            labels::criterion_short(c)
        }
    };
    let mut spans = vec![Span::styled(format!("{} ", t(k::WEIGHTS)), theme.dim())];
    for (i, c) in Criterion::ALL.iter().enumerate() {
        let text = format!("{} {}", t(name(*c)), r.profile.weights.0[i]);
        let style = if r.weight_focus == Some(i) { theme.selected() } else { theme.base() };
        spans.push(Span::styled(text, style));
        spans.push(Span::raw(" "));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), weights_area);

    let Ok(cat) = app.catalog.read() else { return };
    if r.ranked.is_empty() {
        let msg = if app.catalog_loading() {
            t(k::LOADING)
        } else if r.is_ranking() {
            t(k::RANK_BUSY)
        } else if r.selected_view {
            t(k::RANK_NONE_SELECTED)
        } else {
            t(k::RANK_EMPTY)
        };
        let y = table_area.y + table_area.height / 2;
        frame.render_widget(
            Paragraph::new(msg).centered().style(theme.dim()),
            Rect { y, height: 1, ..table_area },
        );
        return;
    }
    let w = &r.profile.weights;
    let page = layout::ranking_rows(app.size.1);
    let window = r.pos.window(r.ranked.len(), page);
    // Ranks are never cut: the column is as wide as the largest rank listed,
    // not only the largest on screen, so it keeps its width while scrolling.
    let rank_width = r.ranked.iter().map(|(_, x)| x.rank).max().unwrap_or(0).to_string().len();
    let mut cols = vec![
        (Col::num().min(u16::try_from(rank_width).unwrap_or(u16::MAX)), t(k::COL_RANK_SHORT)),
        (Col::name(2), t(k::COL_MEMBER)),
        (Col::text(1), t(k::COL_CATEGORY)),
        (Col::num(), t(k::COL_SCORE)),
        if r.selected_view { (Col::text(0), t(k::COL_STAGE)) } else { (Col::exact().min(8), "") },
    ];
    cols.extend(Criterion::ALL.iter().map(|c| (Col::num(), t(labels::criterion_short(*c)))));
    let mut grid = Grid::new(&cols);
    for ((row, x), n) in r.ranked[window.clone()].iter().zip(window) {
        let Some(o) = cat.rows.get(*row as usize) else { continue };
        let here = n == r.pos.cursor;
        let style = if here { theme.selected() } else { theme.base() };
        let points = x.points(w);
        // Rank 0: a selected household whose occupation has stopped, not ranked.
        let ranked = x.rank > 0;
        let plain = Style::default();
        let mut cells = vec![
            (if ranked { x.rank.to_string() } else { "–".into() }, plain),
            (cat.name(o).to_string(), plain),
            (app.category_label(o.category), plain),
            (if ranked { format_points(points) } else { "–".into() }, plain),
        ];
        if r.selected_view && ranked {
            cells.push((t(labels::stage(o.stage)).to_string(), plain));
        } else if r.selected_view {
            cells.push((t(labels::occupation_status(o.status)).to_string(), plain));
        } else {
            cells.push((bar(points, 8), if here { plain } else { theme.bar() }));
        }
        // Each criterion as the share of its best in scope, 0–100.
        let norm = |nrm: &u32| if ranked { format!("{}", nrm / 10_000) } else { String::new() };
        cells.extend(x.norms.iter().map(|nrm| (norm(nrm), plain)));
        grid.styled_row(cells, style);
    }
    frame.render_widget(grid.table(table_area.width, theme.header()), table_area);

    // What made the selected household's score.
    let Some((row, x)) = r.selected() else { return };
    let Some(o) = cat.rows.get(*row as usize) else { return };
    if x.rank == 0 {
        let block = Block::bordered().title(Line::styled(format!(" {} ", cat.name(o)), theme.title()));
        let why = trf(lang, k::RANK_NOT_RANKED, &[&t(labels::occupation_status(o.status))]);
        frame.render_widget(Paragraph::new(why).block(block), breakdown);
        return;
    }
    let parts = ranking::explain(&app.sh, &app.rank.profile.weights, &cat, o, x);
    let block = Block::bordered().title(Line::styled(
        format!(" {} · {} {} ", cat.name(o), format_points(x.points(w)), t(k::POINTS)),
        theme.title(),
    ));
    let lines: Vec<Line> = parts.chunks(2).map(|c| Line::from(c.join("   "))).collect();
    frame.render_widget(Paragraph::new(lines).block(block), breakdown);
}

#[cfg(test)]
mod tests {
    use super::bar;

    #[test]
    fn bars_grow_in_eighths() {
        assert_eq!(bar(10_000, 8), "████████");
        assert_eq!(bar(5_000, 8), "████");
        assert_eq!(bar(1_250 + 160, 8), "█▏");
        assert_eq!(bar(1_250 + 150, 8), "█");
        assert_eq!(bar(0, 8), "");
    }
}
