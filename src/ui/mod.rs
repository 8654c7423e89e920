//! Drawing. Reads the app state, never changes it, never touches the store.
//! Every list draws only its visible rows, so the cost follows the screen size.

pub mod admin;
pub mod chrome;
pub mod collection;
pub mod columns;
pub mod form;
pub mod funds;
pub mod import;
pub mod keymap;
pub mod members;
pub mod network;
pub mod occupations;
pub mod overlays;
pub mod overview;
pub mod ranking;
pub mod sages;
pub mod theme;
pub mod widgets;

use ratatui::{
    Frame,
    layout::{Alignment, Constraint, Layout, Rect},
    text::Line,
    widgets::{Paragraph, Wrap},
};

use crate::{
    app::{
        App, Tab,
        layout::{MIN_HEIGHT, MIN_WIDTH},
    },
    i18n::{k, trf},
};
use theme::Theme;

/// What an app run on its own shows while it opens its store and reads its
/// first lists (at the nation, seconds): its name and what it is doing, in
/// the officer's language, instead of a blank terminal.
pub fn draw_opening(frame: &mut Frame, lang: crate::domain::Lang, no_color: bool) {
    let theme = Theme::new(no_color);
    let area = frame.area();
    let lines = vec![
        Line::styled(crate::i18n::tr(lang, k::APP_NAME), theme.title()),
        Line::raw(""),
        Line::raw(crate::i18n::tr(lang, k::OPENING_STORE)),
        Line::raw(""),
        Line::styled(crate::i18n::tr(lang, k::OPENING_CANCEL), theme.dim()),
    ];
    let middle = centered(area, area.width, lines.len() as u16);
    frame.render_widget(Paragraph::new(lines).alignment(Alignment::Center).wrap(Wrap { trim: true }), middle);
    split_spacing_clusters(frame.buffer_mut());
    clean_cells(frame.buffer_mut());
}

/// Draws one frame of `app`.
pub fn draw(frame: &mut Frame, app: &App) {
    let area = frame.area();
    let theme = Theme::new(app.no_color);
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        too_small(frame, area, app);
        return;
    }
    let [tabs, body, status] =
        Layout::vertical([Constraint::Length(1), Constraint::Fill(1), Constraint::Length(1)]).areas(area);
    chrome::tab_bar(frame, tabs, app, &theme);
    match app.tab {
        Tab::Funds => funds::draw(frame, body, app, &theme),
        Tab::Occupations => occupations::draw(frame, body, app, &theme),
        Tab::Ranking => ranking::draw(frame, body, app, &theme),
        Tab::Sages => sages::draw(frame, body, app, &theme),
        Tab::Overview => overview::draw(frame, body, app, &theme),
        Tab::Network => network::draw(frame, body, app, &theme),
        Tab::Admin => admin::draw(frame, body, app, &theme),
    }
    if let Some(s) = &app.import {
        import::draw(frame, body, app, s, &theme);
    }
    if let Some(s) = &app.collection {
        collection::draw(frame, body, app, s, &theme);
    }
    if let Some(f) = &app.form {
        form::draw(frame, body, f, app.lang, &theme);
    }
    overlays::draw(frame, body, app, &theme);
    // Drawn last: a message of two or three lines rises over the body's
    // last rows (the lists keep their size; it goes with the next key).
    chrome::status_line(frame, status, body.height, app, &theme);
    split_spacing_clusters(frame.buffer_mut());
    clean_cells(frame.buffer_mut());
}

/// The last guard between data and the terminal: no cell may carry a
/// control character or a bidi override (see `domain::clean`), whatever
/// widget drew it. One that only hangs on a visible character is dropped; a
/// cell of nothing else shows `�`. (Text the screens take from records is
/// made visible before it is drawn, with its escapes; this catches the rest.)
pub fn clean_cells(buf: &mut ratatui::buffer::Buffer) {
    use crate::domain::clean::is_unsafe;
    for cell in buf.content.iter_mut() {
        let symbol = cell.symbol();
        if !symbol.chars().any(is_unsafe) {
            continue;
        }
        let kept: String = symbol.chars().filter(|c| !is_unsafe(*c)).collect();
        cell.set_symbol(if kept.is_empty() { "\u{FFFD}" } else { &kept });
    }
}

/// Gives each spacing character of a cluster its own cell.
///
/// A Thai cluster with SARA AM (สำ, น้ำ) is one grapheme two cells wide, which
/// ratatui treats like a CJK wide character: it writes it once and assumes the
/// terminal clears both cells when the first is overwritten. Terminals store it as
/// two ordinary cells (ส, ำ), so overwriting the first leaves a stray ำ behind.
/// Splitting the cluster into one cell per spacing character matches what the
/// terminal holds, and the frame-to-frame diff stays exact.
pub fn split_spacing_clusters(buf: &mut ratatui::buffer::Buffer) {
    use unicode_width::UnicodeWidthChar;
    let area = buf.area;
    for y in area.top()..area.bottom() {
        let mut x = area.left();
        while x < area.right() {
            let symbol = buf[(x, y)].symbol();
            let width = unicode_width::UnicodeWidthStr::width(symbol);
            if width < 2 || symbol.chars().count() < 2 {
                x += 1;
                continue;
            }
            let mut parts: Vec<String> = Vec::new();
            for c in symbol.chars() {
                match (c.width().unwrap_or(0), parts.last_mut()) {
                    (0, Some(last)) => last.push(c),
                    (1, _) | (0, None) => parts.push(c.to_string()),
                    _ => {
                        parts.clear();
                        break;
                    }
                }
            }
            if parts.len() == width && x + width as u16 <= area.right() {
                let style = buf[(x, y)].style();
                for (i, part) in parts.iter().enumerate() {
                    let cell = &mut buf[(x + i as u16, y)];
                    cell.set_symbol(part);
                    cell.set_style(style);
                }
            }
            x += width as u16;
        }
    }
}

fn too_small(frame: &mut Frame, area: Rect, app: &App) {
    let text = trf(app.lang, k::TOO_SMALL, &[&MIN_WIDTH, &MIN_HEIGHT, &area.width, &area.height]);
    let lines: Vec<Line> = text.lines().map(|l| Line::from(l.to_string())).collect();
    let y = area.height.saturating_sub(lines.len() as u16) / 2;
    let inner = Rect { y: area.y + y, height: area.height - y, ..area };
    frame.render_widget(Paragraph::new(lines).alignment(Alignment::Center).wrap(Wrap { trim: true }), inner);
}

pub use widgets::{centered, empty};

#[cfg(test)]
mod tests {
    use ratatui::{Terminal, backend::TestBackend};

    use crate::domain::Lang;

    /// The opening screen names the app and what it is doing, in the
    /// officer's language, whole, on the smallest window and a wide one.
    #[test]
    fn the_opening_screen_says_what_it_is_doing() {
        for (lang, name, doing, cancel) in [
            (Lang::Th, "สัมมาชีพ", "กำลังเปิดฐานข้อมูลและอ่านรายการ…", "Ctrl-C ยกเลิก"),
            (Lang::En, "sammachip", "Opening the store and reading its lists…", "Ctrl-C cancels"),
        ] {
            for (w, h) in [(80, 24), (160, 45)] {
                let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
                t.draw(|f| super::draw_opening(f, lang, false)).unwrap();
                let rows: Vec<String> = t
                    .backend()
                    .buffer()
                    .content
                    .chunks(usize::from(w))
                    .map(|r| r.iter().map(|c| c.symbol()).collect::<String>().trim().to_string())
                    .collect();
                assert!(rows.iter().any(|r| r == name), "{rows:?}");
                assert!(rows.iter().any(|r| r == doing), "{rows:?}");
                assert!(rows.iter().any(|r| r == cancel), "{rows:?}");
            }
        }
    }
}
