//! Small pieces every screen draws with.

use ratatui::{
    Frame,
    layout::{Constraint, Rect},
    widgets::Paragraph,
};

use super::theme::Theme;

/// A dimmed one-line message in the middle of an empty list.
pub fn empty(frame: &mut Frame, inner: Rect, msg: &str, theme: &Theme) {
    let y = inner.y + inner.height / 2;
    frame.render_widget(
        Paragraph::new(msg.to_string()).centered().style(theme.dim()),
        Rect { y, height: 1.min(inner.height), ..inner },
    );
}

/// A rectangle of at most `w`×`h` centred in `area`.
pub fn centered(area: Rect, w: u16, h: u16) -> Rect {
    area.centered(Constraint::Length(w.min(area.width)), Constraint::Length(h.min(area.height)))
}
