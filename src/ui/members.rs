//! A fund's members, one member's loans and occupations, one loan's schedule
//! and repayments.

use ratatui::{
    Frame,
    layout::{Constraint, Layout, Rect},
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
    app::{
        App,
        fund_views::{LoanView, MemberView, MembersView},
        layout,
    },
    domain::{loan::format_rate, money::group_thousands, thai},
    i18n::{k, tr, trf},
};

/// The filter part of a list title: `/ text` while typing or when set.
fn filter_span(text: &str, typing: bool, theme: &Theme) -> Option<Span<'static>> {
    (typing || !text.is_empty())
        .then(|| Span::styled(format!("/ {text} "), if typing { theme.focus() } else { theme.header() }))
}

pub fn draw_members(frame: &mut Frame, area: Rect, app: &App, v: &MembersView, theme: &Theme) {
    let lang = app.lang;
    let mut title = vec![Span::styled(
        format!(
            " {} {} {}/{} ",
            tr(lang, k::TITLE_MEMBERS),
            v.fund_name,
            group_thousands(v.view.len() as u64),
            group_thousands(v.rows.len() as u64)
        ),
        theme.title(),
    )];
    title.extend(filter_span(v.filter.as_str(), v.filtering, theme));
    let block = Block::bordered().title(Line::from(title.clone()));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if v.filtering {
        // The title starts one cell in; then the count, then "/ " and the text.
        let before: usize = title.iter().take(1).map(|s| s.content.width()).sum();
        let x = before + 2 + v.filter.cursor_cells();
        frame.set_cursor_position((area.x + 1 + (x as u16).min(area.width.saturating_sub(3)), area.y));
    }
    if v.view.is_empty() {
        let msg = if v.rows.is_empty() {
            tr(lang, k::MEMBERS_EMPTY).to_string()
        } else {
            trf(lang, k::NO_MATCH, &[&v.filter.as_str()])
        };
        let y = inner.y + inner.height / 2;
        frame
            .render_widget(Paragraph::new(msg).centered().style(theme.dim()), Rect { y, height: 1, ..inner });
        return;
    }
    let page = layout::list_rows(app.size.1);
    let t = |key| tr(lang, key);
    let mut grid = Grid::new(&[
        (Col::name(1), t(k::COL_MEMBER)),
        (Col::exact(), t(k::FIELD_NATIONAL_ID)),
        (Col::exact(), t(k::COL_STATUS)),
        (Col::num(), t(k::COL_LOANS)),
        (Col::num(), t(k::COL_OUTSTANDING)),
        (Col::num(), t(k::COL_DAYS_LATE)),
    ]);
    for (n, r) in v.visible(page) {
        let style = if n == v.pos.cursor { theme.selected() } else { theme.base() };
        let overdue = if r.days_overdue > 0 { group_thousands(r.days_overdue as u64) } else { String::new() };
        grid.row(
            [
                r.name.clone(),
                r.national_id.grouped(),
                t(labels::member_status(r.status)).to_string(),
                r.loans.to_string(),
                r.outstanding.format_whole(),
                overdue,
            ],
            style,
        );
    }
    frame.render_widget(grid.table(inner.width, theme.header()), inner);
}

fn fact<'a>(label: &'a str, value: String, theme: &Theme) -> Vec<Span<'a>> {
    vec![Span::styled(format!("{label} "), theme.dim()), Span::raw(value), Span::raw("   ")]
}

pub fn draw_member(frame: &mut Frame, area: Rect, app: &App, v: &MemberView, theme: &Theme) {
    let lang = app.lang;
    let t = |key| tr(lang, key);
    let m = &v.member;
    let date =
        |d: Option<crate::domain::Date>| d.map(|d| thai::format_date(d, lang)).unwrap_or_else(|| "-".into());
    let [facts, table] =
        Layout::vertical([Constraint::Length(layout::MEMBER_FACTS), Constraint::Fill(1)]).areas(area);
    let block = Block::bordered()
        .title(Line::styled(format!(" {} ({}) ", m.full_name(), v.fund_code), theme.title()))
        .title_top(
            Line::styled(format!(" {} ", trf(lang, k::TITLE_VERSION, &[&m.version])), theme.dim())
                .right_aligned(),
        );
    let lines = vec![
        Line::from(
            [
                fact(t(k::FIELD_NATIONAL_ID), m.national_id.grouped(), theme),
                fact(t(k::FIELD_BIRTH_DATE), date(m.birth_date), theme),
                fact(t(k::COL_STATUS), t(labels::member_status(m.status)).to_string(), theme),
            ]
            .concat(),
        ),
        Line::from(
            [
                fact(
                    t(k::FIELD_HOUSEHOLD),
                    if m.household_no.is_empty() { "-".into() } else { m.household_no.clone() },
                    theme,
                ),
                fact(t(k::FIELD_PHONE), if m.phone.is_empty() { "-".into() } else { m.phone.clone() }, theme),
                fact(t(k::FIELD_JOINED), date(m.joined), theme),
            ]
            .concat(),
        ),
        Line::from(fact(t(k::DETAIL_AS_OF), thai::format_date(app.as_of, lang), theme)),
    ];
    frame.render_widget(Paragraph::new(lines).block(block), facts);

    let block = Block::bordered().title(Line::styled(
        format!(
            " {} {} · {} {} ",
            t(k::TITLE_LOANS),
            m.loans.len(),
            t(k::TITLE_OCCUPATIONS),
            v.occupations.len()
        ),
        theme.title(),
    ));
    if v.is_empty() {
        let inner = block.inner(table);
        frame.render_widget(block, table);
        frame.render_widget(Paragraph::new(t(k::MEMBER_EMPTY)).style(theme.dim()), inner);
        return;
    }
    let page = layout::member_rows(app.size.1);
    let loans = v.loans();
    let window = v.pos.window(v.len(), page);
    let mut grid = Grid::new(&[
        (Col::exact(), t(k::COL_NUMBER)),
        (Col::exact(), t(k::COL_START)),
        (Col::text(1), t(k::COL_PURPOSE)),
        (Col::num(), t(k::COL_AMOUNT_OR_BEFORE)),
        (Col::num(), t(k::COL_OUTSTANDING_OR_AFTER)),
        (Col::text(0), t(k::COL_STATE)),
    ]);
    for n in window {
        let style = if n == v.pos.cursor { theme.selected() } else { theme.base() };
        if let Some(l) = loans.get(n) {
            let p = l.position(app.as_of);
            let late = if p.days_overdue > 0 {
                trf(lang, k::DAYS_LATE, &[&p.days_overdue])
            } else {
                t(labels::loan_state(p.state)).to_string()
            };
            grid.row(
                [
                    l.id.to_string(),
                    thai::format_date(l.start, lang),
                    format!("{} · {}", app.category_label(l.purpose), t(labels::repayment_mode(l.mode))),
                    l.principal.format_whole(),
                    p.outstanding.format_whole(),
                    late,
                ],
                style,
            );
        } else {
            let o = &v.occupations[n - loans.len()];
            grid.row(
                [
                    t(k::OCCUPATION_SHORT).to_string(),
                    trf(lang, k::SINCE_YEAR, &[&thai::be_year(o.start_year)]),
                    app.category_label(o.category),
                    o.before.income.format_whole(),
                    o.after.income.format_whole(),
                    t(labels::stage(o.stage)).to_string(),
                ],
                style,
            );
        }
    }
    let width = block.inner(table).width;
    frame.render_widget(grid.table(width, theme.header()).block(block), table);
}

pub fn draw_loan(frame: &mut Frame, area: Rect, app: &App, v: &LoanView, theme: &Theme) {
    let lang = app.lang;
    let t = |key| tr(lang, key);
    let Some(l) = v.loan() else { return };
    let p = l.position(app.as_of);
    let [facts, bottom] =
        Layout::vertical([Constraint::Length(layout::DETAIL_FACTS), Constraint::Fill(1)]).areas(area);
    let block = Block::bordered().title(Line::styled(
        format!(" {} #{} · {} ", t(k::TITLE_LOAN), l.id, v.member.full_name()),
        theme.title(),
    ));
    let state = if p.days_overdue > 0 {
        format!("{} ({})", t(labels::loan_state(p.state)), trf(lang, k::DAYS_LATE, &[&p.days_overdue]))
    } else {
        t(labels::loan_state(p.state)).to_string()
    };
    let lines = vec![
        Line::from(
            [
                fact(t(k::FIELD_PRINCIPAL), l.principal.format(), theme),
                fact(t(k::DETAIL_RATE), format!("{}%", format_rate(l.rate_bp)), theme),
                fact(t(k::FIELD_START), thai::format_date(l.start, lang), theme),
            ]
            .concat(),
        ),
        Line::from(
            [
                fact(t(k::DETAIL_TERM), trf(lang, k::MONTHS, &[&l.term_months]), theme),
                fact(t(k::FIELD_MODE), t(labels::repayment_mode(l.mode)).to_string(), theme),
                fact(t(k::FIELD_PURPOSE), app.category_label(l.purpose), theme),
            ]
            .concat(),
        ),
        Line::from(
            [
                fact(t(k::COL_OUTSTANDING), p.outstanding.format(), theme),
                // Principal and interest fallen due and not paid, as the paid
                // line below adds them up.
                fact(
                    t(k::DETAIL_ARREARS),
                    if p.interest_arrears.0 > 0 {
                        format!("{} + {}", p.arrears.format(), p.interest_arrears.format())
                    } else {
                        p.arrears.format()
                    },
                    theme,
                ),
                fact(t(k::COL_STATE), state, theme),
            ]
            .concat(),
        ),
        Line::from(
            [
                fact(
                    t(k::DETAIL_PAID),
                    format!(
                        "{} + {} + {}",
                        p.paid_principal.format(),
                        p.paid_interest.format(),
                        p.paid_penalty.format()
                    ),
                    theme,
                ),
                fact(t(k::FIELD_GUARANTORS), l.guarantors.len().to_string(), theme),
            ]
            .concat(),
        ),
        Line::from(fact(t(k::DETAIL_AS_OF), thai::format_date(app.as_of, lang), theme)),
    ];
    frame.render_widget(Paragraph::new(lines).block(block), facts);

    let [sched_area, pay_area] =
        Layout::horizontal([Constraint::Percentage(45), Constraint::Percentage(55)]).areas(bottom);
    let page = layout::ledger_rows(app.size.1);
    let schedule = l.schedule();
    // The schedule shows the instalments around the first one still unpaid.
    let first_open = {
        let mut cum = 0i64;
        schedule.iter().position(|i| {
            cum += i.principal.0;
            cum > p.paid_principal.0
        })
    };
    let start = first_open.unwrap_or(0).saturating_sub(page / 2).min(schedule.len().saturating_sub(page));
    let mut grid = Grid::new(&[
        (Col::exact(), t(k::COL_DUE)),
        (Col::num().grow(1), t(k::FIELD_PRINCIPAL)),
        (Col::num(), t(k::FIELD_INTEREST)),
    ]);
    for (n, i) in schedule.iter().enumerate().skip(start).take(page) {
        // Unpaid and past due: from the first instalment not covered on.
        let late = first_open.is_some_and(|f| n >= f) && i.due < app.as_of;
        let style = if late { theme.error() } else { theme.base() };
        grid.row([thai::format_date(i.due, lang), i.principal.format(), i.interest.format()], style);
    }
    let block = Block::bordered()
        .title(Line::styled(format!(" {} {} ", t(k::TITLE_SCHEDULE), schedule.len()), theme.title()));
    let width = block.inner(sched_area).width;
    frame.render_widget(grid.table(width, theme.header()).block(block), sched_area);

    let block = Block::bordered()
        .title(Line::styled(format!(" {} {} ", t(k::TITLE_REPAYMENTS), l.repayments.len()), theme.title()));
    if l.repayments.is_empty() {
        let inner = block.inner(pay_area);
        frame.render_widget(block, pay_area);
        frame.render_widget(Paragraph::new(t(k::REPAYMENTS_EMPTY)).style(theme.dim()), inner);
        return;
    }
    let window = v.pos.window(l.repayments.len(), page);
    let mut grid = Grid::new(&[
        (Col::exact(), t(k::FIELD_DATE)),
        (Col::num().grow(1), t(k::FIELD_PRINCIPAL)),
        (Col::num(), t(k::FIELD_INTEREST)),
        (Col::num(), t(k::FIELD_PENALTY)),
    ]);
    for (r, n) in l.repayments[window.clone()].iter().zip(window) {
        let style = if n == v.pos.cursor { theme.selected() } else { theme.base() };
        grid.row(
            [
                thai::format_date(r.date, lang),
                r.principal.format(),
                r.interest.format(),
                if r.penalty.0 > 0 { r.penalty.format() } else { String::new() },
            ],
            style,
        );
    }
    let width = block.inner(pay_area).width;
    frame.render_widget(grid.table(width, theme.header()).block(block), pay_area);
}
