//! The tab bar across the top and the status / key-hint line at the bottom.

use ratatui::{
    Frame,
    layout::Rect,
    text::{Line, Span},
    widgets::Paragraph,
};
use unicode_width::UnicodeWidthStr;

use super::{keymap, theme::Theme};
use crate::{
    app::{App, StatusKind},
    i18n::{k, tr},
};

pub fn tab_bar(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    // Roomy when it fits; tighter when it would not (seven tabs in English on
    // 80 columns).
    let bar = |roomy: bool| {
        let mut spans = Vec::new();
        for t in app.tabs().iter().copied() {
            let label = if roomy {
                format!(" {} {} ", t.number(), tr(app.lang, t.label()))
            } else {
                format!("{} {}", t.number(), tr(app.lang, t.label()))
            };
            let style = if t == app.tab { theme.tab_active() } else { theme.base() };
            spans.push(Span::styled(label, style));
            spans.push(Span::raw(" "));
        }
        spans
    };
    let width = |spans: &[Span]| spans.iter().map(|s| s.content.width()).sum::<usize>();
    let mut spans = bar(true);
    if width(&spans) > usize::from(area.width) {
        spans = bar(false);
    }
    let used = width(&spans);
    // The app's name and the officer when they fit; the officer alone, or nothing.
    // The app run on this computer without a login says so in the officer's language.
    let officer =
        if app.officer == crate::app::LOCAL_OFFICER { tr(app.lang, k::OFFICER_LOCAL) } else { &app.officer };
    let full = format!("{} · {officer} ", tr(app.lang, k::APP_NAME));
    let short = format!("{officer} ");
    let room = usize::from(area.width).saturating_sub(used);
    let right = if full.width() <= room {
        full
    } else if short.width() <= room {
        short
    } else {
        String::new()
    };
    let pad = usize::from(area.width).saturating_sub(used + right.width());
    spans.push(Span::raw(" ".repeat(pad)));
    spans.push(Span::styled(right, theme.dim()));
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// The most rows a message on the status line takes (from the bottom of
/// the screen, over the list's last rows while it is shown).
pub const STATUS_ROWS: usize = 3;

/// The status line, on the screen's last row `bottom`: the keys of the
/// screen, or the message under way. A message keeps its own line breaks
/// (they were dropped, gluing two words) and each line is wrapped to the
/// width (its end was cut: "press u" was lost); one of two or three lines
/// rises over the rows above (at most `room` rows, [`STATUS_ROWS`] at
/// most), drawn over the list's last rows until the next key.
pub fn status_line(frame: &mut Frame, bottom: Rect, room: u16, app: &App, theme: &Theme) {
    if let Some(s) = &app.status {
        let style = match s.kind {
            StatusKind::Info => theme.info(),
            StatusKind::Error => theme.error(),
        };
        let mut lines = crate::i18n::wrap(&s.msg.render(app.lang), usize::from(bottom.width));
        lines.truncate(STATUS_ROWS);
        let rows = (lines.len() as u16).clamp(1, room.max(1));
        let area = Rect { y: bottom.bottom() - rows, height: rows, ..bottom };
        let lines: Vec<Line> = lines.into_iter().map(|l| Line::styled(l, style)).collect();
        frame.render_widget(ratatui::widgets::Clear, area);
        frame.render_widget(Paragraph::new(lines), area);
        return;
    }
    let mut spans = Vec::new();
    let mut width = 0usize;
    for (key, help) in keymap::hints(app.ctx()) {
        let text = tr(app.lang, help);
        let w = key.width() + 1 + text.width() + 2;
        if width + w > usize::from(bottom.width) {
            break;
        }
        width += w;
        spans.push(Span::styled(key, theme.key()));
        spans.push(Span::raw(format!(" {text}  ")));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), bottom);
}
