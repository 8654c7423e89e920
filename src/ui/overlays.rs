//! Overlays: help, yes/no questions, pick lists, the first-start offer, and the
//! progress of background work.

use ratatui::{
    Frame,
    layout::Rect,
    text::{Line, Span},
    widgets::{Block, Clear, Gauge, Paragraph, Wrap},
};
use unicode_width::UnicodeWidthStr;

use super::{keymap, theme::Theme, widgets::centered};
use crate::{
    app::{App, Ctx, OFFER_CHOICES, Overlay},
    i18n::{Key, k, tr},
};

/// A bordered, titled box of wrapped lines over whatever is below it.
fn popup(frame: &mut Frame, area: Rect, title: &str, lines: Vec<Line>, theme: &Theme) {
    frame.render_widget(Clear, area);
    let block = Block::bordered().title(Line::styled(format!(" {title} "), theme.title()));
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }).block(block), area);
}

pub fn draw(frame: &mut Frame, body: Rect, app: &App, theme: &Theme) {
    if let Some((what, permille)) = app.job_progress() {
        let area = centered(body, 60, 5);
        frame.render_widget(Clear, area);
        let gauge = Gauge::default()
            .block(
                Block::bordered().title(Line::styled(format!(" {} ", what.render(app.lang)), theme.title())),
            )
            .gauge_style(theme.bar())
            .ratio(f64::from(permille.min(1000)) / 1000.0);
        frame.render_widget(gauge, area);
        return;
    }
    match &app.overlay {
        None => {}
        Some(Overlay::Help { scroll }) => help(frame, body, app, *scroll, theme),
        Some(Overlay::ThaiCheck) => thai_check(frame, body, app, theme),
        Some(Overlay::Suggest(s)) => super::sages::draw_suggestions(frame, body, app, s, theme),
        Some(Overlay::Confirm { msg, .. }) => {
            let text = msg.render(app.lang);
            let w = (text.width() as u16 + 4).clamp(40, body.width.saturating_sub(4));
            // Tall enough for the question however it wraps, and the keys.
            let rows = (text.width() as u16).div_ceil(w.saturating_sub(2).max(1)).max(1);
            let h = (rows + 4).min(body.height);
            let lines = vec![
                Line::raw(text),
                Line::raw(""),
                Line::from(vec![
                    Span::styled("y", theme.key()),
                    Span::raw(format!(" {}    ", tr(app.lang, k::HELP_YES))),
                    Span::styled("n", theme.key()),
                    Span::raw(format!(" {}", tr(app.lang, k::HELP_NO))),
                ]),
            ];
            popup(frame, centered(body, w, h), tr(app.lang, k::CONFIRM_TITLE), lines, theme);
        }
        Some(Overlay::Picker { title, options, pos, filter, shown, .. }) => {
            let page = body.height.saturating_sub(7).max(1);
            let area = centered(body, 60, page + 3);
            let window = pos.window(shown.len(), usize::from(page));
            let mut lines = vec![Line::from(vec![
                Span::styled(format!("/ {}", filter.as_str()), theme.focus()),
                Span::styled(format!("  {}/{}", shown.len(), options.len()), theme.dim()),
            ])];
            lines.extend(shown[window.clone()].iter().zip(window).filter_map(|(i, n)| {
                let o = options.get(*i as usize)?;
                let style = if n == pos.cursor { theme.selected() } else { theme.base() };
                Some(Line::styled(format!(" {} ", o.label(app.lang)), style))
            }));
            popup(frame, area, tr(app.lang, *title), lines, theme);
            frame.set_cursor_position((area.x + 3 + filter.cursor_cells() as u16, area.y + 1));
        }
        Some(Overlay::Offer { cursor }) => {
            let text = tr(app.lang, k::OFFER_TEXT);
            // Borders, the wrapped text, a blank line, the choices.
            let text_rows = (text.width() as u16).div_ceil(66);
            let area = centered(body, 70, 2 + text_rows + 1 + OFFER_CHOICES.len() as u16);
            let mut lines = vec![Line::raw(text), Line::raw("")];
            for (i, (label, _)) in OFFER_CHOICES.iter().enumerate() {
                let style = if i == *cursor { theme.selected() } else { theme.base() };
                lines.push(Line::styled(format!("  {}  ", tr(app.lang, *label)), style));
            }
            popup(frame, area, tr(app.lang, k::OFFER_TITLE), lines, theme);
        }
    }
}

/// Every line of the help overlay, generated from the keymap.
pub fn help_text(app: &App, theme: &Theme) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    // Every context with a section, in the order `Ctx` declares them.
    for (ctx, title) in Ctx::ALL.iter().filter_map(|c| c.help_title().map(|t| (*c, t))) {
        lines.push(Line::styled(tr(app.lang, title).to_string(), theme.header()));
        for (keys, help) in keymap::help_lines(ctx) {
            let pad = 22usize.saturating_sub(keys.width());
            lines.push(Line::from(vec![
                Span::styled(format!("  {keys}{}", " ".repeat(pad)), theme.key()),
                Span::raw(tr(app.lang, help).to_string()),
            ]));
        }
        lines.push(Line::raw(""));
    }
    lines
}

/// Test words, each with what it must look like. Every word sits in a box of
/// the same width: a terminal that gives a vowel or tone mark a cell of its own
/// pushes that line's right edge out of line with the others.
pub const THAI_CHECK: [(&str, Key); 7] = [
    ("ที่", k::CHECK_THI),
    ("น้ำ", k::CHECK_NAM),
    ("ปู่", k::CHECK_PU),
    ("กิ๊ก", k::CHECK_KIK),
    ("ญี่ปุ่น", k::CHECK_YIPUN),
    ("สัมมาชีพ", k::CHECK_NAME),
    ("๑๒๓ ฿", k::CHECK_DIGITS),
];

fn thai_check(frame: &mut Frame, body: Rect, app: &App, theme: &Theme) {
    let area = centered(body, 76, 18);
    let cell = 10;
    let mut lines = vec![
        Line::styled(tr(app.lang, k::CHECK_HOW).to_string(), theme.info()),
        Line::raw(""),
        Line::raw(format!("│{}│ {}", "0123456789", tr(app.lang, k::CHECK_RULER))),
    ];
    for (word, what) in THAI_CHECK {
        let pad = " ".repeat(cell - word.width().min(cell));
        lines.push(Line::from(vec![
            Span::raw("│"),
            Span::styled(format!("{word}{pad}"), theme.title()),
            Span::raw("│ "),
            Span::raw(tr(app.lang, what).to_string()),
        ]));
    }
    lines.push(Line::raw(""));
    lines.push(Line::styled(tr(app.lang, k::CHECK_FIX).to_string(), theme.dim()));
    popup(frame, area, tr(app.lang, k::HELP_THAI_CHECK), lines, theme);
}

fn help(frame: &mut Frame, body: Rect, app: &App, scroll: usize, theme: &Theme) {
    let area = centered(body, 72, body.height);
    frame.render_widget(Clear, area);
    let lines = help_text(app, theme);
    let height = usize::from(area.height.saturating_sub(2));
    let top = scroll.min(lines.len().saturating_sub(height));
    let shown: Vec<Line> = lines.into_iter().skip(top).collect();
    let block = Block::bordered()
        .title(Line::styled(format!(" {} ", tr(app.lang, k::HELP_TITLE)), theme.title()))
        .title_bottom(
            Line::styled(format!(" {} ", tr(app.lang, k::HELP_SCROLL)), theme.dim()).right_aligned(),
        );
    frame.render_widget(Paragraph::new(shown).block(block), area);
}
