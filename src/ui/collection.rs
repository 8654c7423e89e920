//! Collection day on screen: the fund's loans due, what each brought, and
//! the running summary. Only the lines on screen are drawn.

use ratatui::{
    Frame,
    layout::Rect,
    text::{Line, Span},
    widgets::{Block, Clear, Paragraph},
};

use super::{
    columns::{cut, pad},
    theme::Theme,
};
use crate::{
    app::{
        App,
        collection::{CollectionScreen, page},
    },
    domain::{clean, thai},
    i18n::{Msg, k, tr},
};

pub fn draw(frame: &mut Frame, area: Rect, app: &App, s: &CollectionScreen, theme: &Theme) {
    let lang = app.lang;
    frame.render_widget(Clear, area);
    let title = Msg::with(
        k::COLLECT_TITLE,
        [clean::line(&s.fund_name).into_owned(), thai::format_date(s.date, lang)],
    );
    let block = Block::bordered().title(Line::styled(format!(" {} ", title.render(lang)), theme.title()));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let w = usize::from(inner.width);
    // Loan, principal, interest, days late, paid: numbers get their width;
    // the member's name the rest.
    let (loan_w, money_w, late_w, paid_w) = (7, 11, 8, 12);
    let name_w = w.saturating_sub(loan_w + 2 * money_w + late_w + paid_w + 5).max(6);
    let row = |cells: [(&str, usize, bool); 6]| {
        cells.iter().map(|(t, width, right)| pad(t, *width, *right)).collect::<Vec<_>>().join(" ")
    };
    let mut lines = vec![Line::styled(
        row([
            (tr(lang, k::COLLECT_COL_MEMBER), name_w, false),
            (tr(lang, k::COLLECT_COL_LOAN), loan_w, true),
            (tr(lang, k::COLLECT_COL_PRINCIPAL), money_w, true),
            (tr(lang, k::COLLECT_COL_INTEREST), money_w, true),
            (tr(lang, k::COLLECT_COL_LATE), late_w, true),
            (tr(lang, k::COLLECT_COL_PAID), paid_w, true),
        ]),
        theme.header(),
    )];
    let rows = page(&app.sh).min(usize::from(inner.height).saturating_sub(3));
    let first = s.pos.cursor.saturating_sub(rows.saturating_sub(1));
    for (i, d) in s.rows.iter().enumerate().skip(first).take(rows) {
        let here = i == s.pos.cursor;
        let paid = match (here && !s.typing.is_empty(), s.paid[i]) {
            (true, _) => format!("{}▏", s.typing),
            (false, Some(m)) => m.format(),
            (false, None) => String::from("·"),
        };
        let text = row([
            (&clean::line(&d.member), name_w, false),
            (&d.loan_id.to_string(), loan_w, true),
            (&d.principal.format(), money_w, true),
            (&d.interest.format(), money_w, true),
            (&d.days_late.max(0).to_string(), late_w, true),
            (&paid, paid_w, true),
        ]);
        lines.push(if here { Line::styled(text, theme.selected()) } else { Line::raw(text) });
    }
    let sum = s.summary();
    let summary = Msg::with(
        k::COLLECT_SUMMARY,
        [sum.collected.format(), sum.still_due.format(), sum.now_late.to_string()],
    );
    let room = usize::from(inner.height).saturating_sub(1);
    while lines.len() < room {
        lines.push(Line::raw(""));
    }
    lines.push(Line::from(Span::styled(cut(&summary.render(lang), w).into_owned(), theme.dim())));
    frame.render_widget(Paragraph::new(lines), inner);
}
