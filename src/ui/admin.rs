//! The Admin tab: officer accounts, one officer's keys, the audit list and one
//! entry's before → after.

use ratatui::{
    Frame,
    layout::{Constraint, Rect},
    text::{Line, Span},
    widgets::{Block, Paragraph},
};

use super::{
    columns::{Col, Grid},
    theme::Theme,
    widgets::empty,
};
use crate::{
    app::{
        App,
        admin::{self, AdminView, DiffLine},
        layout,
    },
    domain::money::group_thousands,
    i18n::{k, tr, trf},
    service::accounts,
};

pub fn draw(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let a = &app.admin;
    if let Some(e) = &a.entry {
        return draw_entry(frame, area, app, e, theme);
    }
    if let Some(o) = a.opened_officer() {
        return draw_keys(frame, area, app, o, theme);
    }
    let lang = app.lang;
    let t = |key| tr(lang, key);
    let mut spans = Vec::new();
    for (v, label) in [(AdminView::Officers, k::ADMIN_OFFICERS), (AdminView::Audit, k::ADMIN_AUDIT)] {
        let style = if v == a.view { theme.tab_active() } else { theme.dim() };
        spans.push(Span::styled(format!(" {} ", t(label)), style));
    }
    let n = match a.view {
        AdminView::Officers => a.officers.len(),
        AdminView::Audit => a.shown.len(),
    };
    spans.push(Span::styled(format!(" {} ", group_thousands(n as u64)), theme.title()));
    if a.view == AdminView::Audit && (a.filtering || !a.filter.as_str().is_empty()) {
        let cursor = if a.filtering { "▏" } else { "" };
        spans.push(Span::styled(format!("/ {}{cursor} ", a.filter.as_str()), theme.header()));
    }
    let block = Block::bordered().title(Line::from(spans));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let page = layout::list_rows(app.size.1);
    match a.view {
        AdminView::Officers => {
            if a.officers.is_empty() {
                return empty(frame, inner, t(k::ADMIN_NO_OFFICERS), theme);
            }
            let window = a.opos.window(a.officers.len(), page);
            let mut grid = Grid::new(&[
                (Col::text(2), t(k::COL_LOGIN)),
                (Col::text(3), t(k::COL_OFFICER_NAME)),
                (Col::text(2), t(k::COL_ROLE)),
                (Col::text(2), t(k::COL_DISTRICT)),
                (Col::num(), t(k::COL_KEYS)),
                (Col::text(0), t(k::COL_STATE)),
            ]);
            for (o, i) in a.officers[window.clone()].iter().zip(window) {
                let style = if i == a.opos.cursor { theme.selected() } else { theme.base() };
                grid.row(
                    [
                        o.login.clone(),
                        crate::domain::clean::line(&o.display_name).into_owned(),
                        t(admin::role_label(o.role)).to_string(),
                        o.district.map(|d| app.geo.name(u32::from(d), lang)).unwrap_or_default(),
                        o.keys.len().to_string(),
                        t(if o.disabled { k::ADMIN_DISABLED } else { k::ADMIN_ENABLED }).to_string(),
                    ],
                    if o.disabled && i != a.opos.cursor { theme.dim() } else { style },
                );
            }
            frame.render_widget(grid.table(inner.width, theme.header()), inner);
        }
        AdminView::Audit => {
            if a.shown.is_empty() {
                return empty(frame, inner, t(k::ADMIN_NO_AUDIT), theme);
            }
            let [list, foot] = ratatui::layout::Layout::vertical([
                Constraint::Fill(1),
                Constraint::Length(u16::from(a.more)),
            ])
            .areas(inner);
            let window = a.apos.window(a.shown.len(), page);
            let mut grid = Grid::new(&[
                (Col::exact(), t(k::COL_TIME)),
                (Col::text(2), t(k::COL_OFFICER)),
                (Col::text(0), t(k::COL_ACTION)),
                (Col::text(2), t(k::COL_KIND)),
                (Col::text(4), t(k::COL_RECORD)),
            ]);
            for (ix, i) in a.shown[window.clone()].iter().zip(window) {
                let Some((_, e)) = a.audit.get(*ix) else { continue };
                let style = if i == a.apos.cursor { theme.selected() } else { theme.base() };
                grid.row(
                    [
                        admin::time_text(e.time_ms, lang),
                        e.officer.clone(),
                        t(admin::action_label(e.action)).to_string(),
                        t(admin::kind_label(&e.kind)).to_string(),
                        admin::record_text(e),
                    ],
                    style,
                );
            }
            frame.render_widget(grid.table(list.width, theme.header()), list);
            if a.more {
                frame.render_widget(
                    Paragraph::new(trf(lang, k::ADMIN_AUDIT_MORE, &[&group_thousands(a.audit.len() as u64)]))
                        .style(theme.dim()),
                    foot,
                );
            }
        }
    }
}

fn draw_keys(frame: &mut Frame, area: Rect, app: &App, o: &crate::domain::officer::Officer, theme: &Theme) {
    let lang = app.lang;
    let t = |key| tr(lang, key);
    let title = trf(lang, k::ADMIN_KEYS_OF, &[&o.login, &t(admin::role_label(o.role))]);
    let block = Block::bordered().title(Line::styled(format!(" {title} "), theme.title()));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if o.keys.is_empty() {
        return empty(frame, inner, t(k::ADMIN_NO_KEYS), theme);
    }
    let Some((_, pos)) = app.admin.keys else { return };
    let mut grid = Grid::new(&[
        (Col::exact(), t(k::COL_RANK_SHORT)),
        (Col::exact(), ""),
        (Col::exact(), t(k::COL_FINGERPRINT)),
        (Col::text(1), t(k::COL_COMMENT)),
    ]);
    for (i, line) in o.keys.iter().enumerate() {
        let style = if i == pos.cursor { theme.selected() } else { theme.base() };
        let mut parts = line.split_whitespace();
        let kind = parts.next().unwrap_or("").to_string();
        let comment = crate::domain::clean::line(parts.nth(1).unwrap_or("")).into_owned();
        grid.row([format!("{}.", i + 1), kind, accounts::fingerprint(line), comment], style);
    }
    frame.render_widget(grid.table(inner.width, theme.header()), inner);
}

fn draw_entry(frame: &mut Frame, area: Rect, app: &App, view: &admin::EntryView, theme: &Theme) {
    let lang = app.lang;
    let t = |key| tr(lang, key);
    let Some((_, e)) = app.admin.audit.get(view.index) else { return };
    let title = trf(
        lang,
        k::ADMIN_ENTRY,
        &[
            &admin::time_text(e.time_ms, lang),
            &e.officer,
            &t(admin::action_label(e.action)),
            &t(admin::kind_label(&e.kind)),
            &admin::record_text(e),
        ],
    );
    let block = Block::bordered().title(Line::styled(format!(" {title} "), theme.title()));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let lines: Vec<Line> = view
        .lines
        .iter()
        .skip(view.scroll)
        .take(usize::from(inner.height))
        .map(|l| match l {
            DiffLine::Same(s) => Line::styled(format!("  {s}"), theme.dim()),
            DiffLine::Before(s) => Line::styled(format!("- {s}"), theme.error()),
            DiffLine::After(s) => Line::styled(format!("+ {s}"), theme.info()),
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), inner);
}
