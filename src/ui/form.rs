//! A form drawn over the tab: one line per field, its error on the line below,
//! the cursor in the focused text field.

use ratatui::{
    Frame,
    layout::{Position, Rect},
    text::{Line, Span},
    widgets::{Block, Clear, Paragraph},
};
use unicode_segmentation::UnicodeSegmentation;
use unicode_width::UnicodeWidthStr;

use super::theme::Theme;
use crate::{
    app::form::{Form, Input},
    domain::Lang,
    i18n::tr,
};

const LABEL_WIDTH: usize = 24;
const INPUT_WIDTH: usize = 30;

/// The part of `text` that fits in `width` cells and keeps `cursor_cells` in
/// view, and where the cursor falls in it. A cluster two cells wide that would
/// straddle the left edge is left out whole, and the cursor moves with it.
fn window(text: &str, cursor_cells: usize, width: usize) -> (String, usize) {
    let skip = cursor_cells.saturating_sub(width.saturating_sub(1));
    let mut out = String::new();
    let mut col = 0;
    let mut start = None;
    for g in text.graphemes(true) {
        let w = g.width();
        if col >= skip {
            let first = *start.get_or_insert(col);
            if col + w - first <= width {
                out.push_str(g);
            }
        }
        col += w;
    }
    let first = start.unwrap_or(skip.min(col));
    (out, cursor_cells.saturating_sub(first))
}

pub fn draw(frame: &mut Frame, area: Rect, form: &Form, lang: Lang, theme: &Theme) {
    frame.render_widget(Clear, area);
    let block =
        Block::bordered().title(Line::styled(format!(" {} ", form.title.render(lang)), theme.title()));
    let inner = block.inner(area);
    frame.render_widget(block, area);

    let mut lines: Vec<Line> = Vec::new();
    let mut cursor = None;
    let mut focus_line = 0;
    // The last line of the focused field: its hint and error under it.
    let mut focus_end = 0;
    // A message of more than one line (or wider than the form) wraps under
    // its mark: its line breaks were dropped, gluing two words.
    let warning = |indent: usize, text: &str| -> Vec<Line<'static>> {
        let room = usize::from(inner.width).saturating_sub(indent + 2);
        crate::i18n::wrap(text, room)
            .into_iter()
            .enumerate()
            .map(|(i, l)| {
                let mark = if i == 0 { "⚠ " } else { "  " };
                Line::styled(format!("{}{mark}{l}", " ".repeat(indent)), theme.error())
            })
            .collect()
    };
    if let Some(e) = &form.error {
        lines.extend(warning(0, &e.render(lang)));
        lines.push(Line::raw(""));
    }
    for (i, f) in form.fields.iter().enumerate() {
        let focused = i == form.focus;
        let label = tr(lang, f.label);
        let pad = LABEL_WIDTH.saturating_sub(label.width() + 1);
        // A label longer than the column pushes the input right.
        let input_x = pad + label.width() + 1;
        let mut spans = vec![
            Span::raw(" ".repeat(pad)),
            Span::styled(format!("{label} "), if focused { theme.focus() } else { theme.dim() }),
        ];
        match &f.input {
            Input::Text(t) => {
                let (shown, at) = window(t.as_str(), t.cursor_cells(), INPUT_WIDTH);
                let fill = INPUT_WIDTH.saturating_sub(shown.width());
                let style = if focused { theme.selected() } else { theme.base() };
                spans.push(Span::styled(
                    format!("{shown}{}", if focused { " ".repeat(fill) } else { "_".repeat(fill) }),
                    style,
                ));
                if focused {
                    focus_line = lines.len();
                    cursor = Some(input_x + at);
                }
            }
            Input::Choice { options, index } => {
                let label = options.get(*index).map(|o| o.label(lang)).unwrap_or("-");
                let text = if focused { format!("◀ {label} ▶") } else { format!("  {label}") };
                let fill = INPUT_WIDTH.saturating_sub(text.width());
                let style = if focused { theme.selected() } else { theme.base() };
                spans.push(Span::styled(format!("{text}{}", " ".repeat(fill)), style));
                if focused {
                    focus_line = lines.len();
                }
            }
        }
        // The hint beside the input when it fits; else the focused field's
        // whole, on lines of its own under it ("เช่น 15/3/2568 หรือ 15 มี."
        // was all an 80-column window showed), and the others' cut with "…".
        let room = usize::from(inner.width).saturating_sub(input_x + INPUT_WIDTH + 1);
        let mut below = Vec::new();
        if let Some(h) = f.hint {
            let text = tr(lang, h);
            if text.width() <= room {
                spans.push(Span::styled(format!(" {text}"), theme.dim()));
            } else if focused {
                below = crate::i18n::wrap(text, usize::from(inner.width).saturating_sub(LABEL_WIDTH).max(10));
            } else if room > 1 {
                let mut hint = String::new();
                for g in text.graphemes(true) {
                    if hint.width() + g.width() > room - 1 {
                        break;
                    }
                    hint.push_str(g);
                }
                spans.push(Span::styled(format!(" {hint}…"), theme.dim()));
            }
        }
        lines.push(Line::from(spans));
        for l in below {
            lines.push(Line::styled(format!("{}{l}", " ".repeat(LABEL_WIDTH)), theme.dim()));
        }
        if let Some(e) = &f.error {
            lines.extend(warning(LABEL_WIDTH, &e.render(lang)));
        }
        if focused {
            focus_end = lines.len().saturating_sub(1);
        }
    }
    // Scroll so the focused field is always visible, with what stands under
    // it (its hint, its error) where there is room.
    let height = usize::from(inner.height);
    let top = (focus_end + 1).max(focus_line + 2).saturating_sub(height).min(focus_line);
    let shown: Vec<Line> = lines.into_iter().skip(top).collect();
    frame.render_widget(Paragraph::new(shown), inner);
    if let Some(x) = cursor {
        let y = inner.y + (focus_line - top) as u16;
        frame.set_cursor_position(Position::new(inner.x + (x as u16).min(inner.width.saturating_sub(1)), y));
    }
}

#[cfg(test)]
mod tests {
    use super::window;

    #[test]
    fn long_text_scrolls_to_the_cursor() {
        assert_eq!(window("abc", 3, 10), ("abc".into(), 3));
        let (shown, at) = window("abcdefghij", 10, 5);
        assert_eq!((shown.as_str(), at), ("ghij", 4));
        let (shown, _) = window("ที่นาที่นา", 6, 4);
        assert_eq!(shown, "ที่นา");
        // น้ำ is two cells; scrolled so it would be cut, it is left out whole and
        // the cursor counts from what is shown.
        let (shown, at) = window("กกน้ำกก", 6, 4);
        assert_eq!((shown.as_str(), at), ("กก", 2));
    }
}
