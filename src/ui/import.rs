//! The Import screen: the inbox's files, then what a check of one found.
//! Only the rows on screen are drawn.

use ratatui::{
    Frame,
    layout::Rect,
    text::{Line, Span},
    widgets::{Block, Clear, Paragraph},
};
use unicode_width::UnicodeWidthStr;

use super::{
    columns::{cut, pad},
    theme::Theme,
};
use crate::{
    app::{
        App,
        import::{self, CheckSummary, FileKind, ImportScreen, InboxFile, Step, kind_label, size_text},
    },
    domain::{Lang, clean, money::group_thousands},
    i18n::{Msg, k, tr, trf},
};

pub fn draw(frame: &mut Frame, area: Rect, app: &App, s: &ImportScreen, theme: &Theme) {
    frame.render_widget(Clear, area);
    let block =
        Block::bordered().title(Line::styled(format!(" {} ", tr(app.lang, k::IMPORT_TITLE)), theme.title()));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let w = usize::from(inner.width);
    let mut lines = match &s.step {
        Step::Files => files(app, s, w, theme),
        Step::Checked { file, kind, summary } => checked(app, s, file, *kind, summary, w, theme),
    };
    if let Some(p) = &s.problem {
        let said = crate::i18n::wrap(&p.render(app.lang), w);
        let room = usize::from(inner.height).saturating_sub(said.len());
        lines.truncate(room);
        while lines.len() < room {
            lines.push(Line::raw(""));
        }
        lines.extend(said.into_iter().map(|l| Line::styled(l, theme.error())));
    }
    frame.render_widget(Paragraph::new(lines), inner);
}

fn files<'a>(app: &App, s: &ImportScreen, w: usize, theme: &Theme) -> Vec<Line<'a>> {
    let lang = app.lang;
    // Over SSH the officer knows the folder as SFTP shows it, not by the
    // server's path.
    let folder = if app.export_dir.is_some() {
        tr(lang, k::IMPORT_FOLDER_SFTP).to_string()
    } else {
        trf(lang, k::IMPORT_FOLDER, &[&clean::line(&s.dir.display().to_string())])
    };
    // Wrapped, not cut: the folder's end (`inbox`) is the part that tells.
    let mut lines: Vec<Line> =
        crate::i18n::wrap(&folder, w).into_iter().map(|l| Line::styled(l, theme.dim())).collect();
    if s.files.is_empty() {
        lines.push(Line::raw(""));
        // Only over SSH is the file sent by SFTP; here it is copied in.
        let empty = if app.export_dir.is_some() { k::IMPORT_EMPTY } else { k::IMPORT_EMPTY_LOCAL };
        lines.extend(tr(lang, empty).lines().map(|l| Line::raw(cut(l, w).into_owned())));
        return lines;
    }
    let (size_w, when_w) = (10, 20);
    let name_w = w.saturating_sub(size_w + when_w + 2);
    lines.push(Line::styled(
        format!(
            "{} {:>size_w$} {}",
            pad(tr(lang, k::IMPORT_COL_FILE), name_w, false),
            tr(lang, k::IMPORT_COL_SIZE),
            pad(tr(lang, k::IMPORT_COL_MODIFIED), when_w, false)
        ),
        theme.header(),
    ));
    let page = import::page(&app.sh);
    let window = s.pos.window(s.files.len(), page);
    for (i, f) in s.files[window.clone()].iter().enumerate() {
        let n = window.start + i;
        let style = if n == s.pos.cursor { theme.selected() } else { theme.base() };
        lines.push(Line::styled(file_row(f, lang, name_w, size_w, when_w), style));
    }
    lines
}

fn file_row(f: &InboxFile, lang: Lang, name_w: usize, size_w: usize, when_w: usize) -> String {
    let name = clean::line(&f.name).into_owned();
    let size = size_text(f.size);
    let when = f.modified.map(|t| crate::app::admin::time_text(t, lang)).unwrap_or_default();
    format!("{} {size:>size_w$} {}", pad(&name, name_w, false), pad(&when, when_w, false))
}

fn checked<'a>(
    app: &App,
    s: &ImportScreen,
    file: &str,
    kind: FileKind,
    summary: &CheckSummary,
    w: usize,
    theme: &Theme,
) -> Vec<Line<'a>> {
    let lang = app.lang;
    let n = |x: usize| group_thousands(x as u64);
    let name = clean::line(file).into_owned();
    let mut lines = vec![Line::styled(
        cut(&trf(lang, k::IMPORT_FILE_KIND, &[&name, &tr(lang, kind_label(kind))]), w).into_owned(),
        theme.title(),
    )];
    let mut counts =
        trf(lang, k::IMPORT_COUNTS, &[&n(summary.read), &n(summary.accepted()), &n(summary.refused)]);
    if summary.denied > 0 {
        counts = format!("{counts} {}", trf(lang, k::IMPORT_COUNTS_DENIED, &[&n(summary.denied)]));
    }
    lines.push(Line::raw(cut(&counts, w).into_owned()));
    if summary.refused == 0 {
        lines.push(Line::styled(cut(tr(lang, k::IMPORT_ALL_PASS), w).into_owned(), theme.info()));
        return lines;
    }
    if let Some(f) = summary.rejects_file.as_ref().and_then(|p| p.file_name()) {
        let shown = format!("outbox/{}", clean::line(&f.to_string_lossy()));
        lines.push(Line::styled(
            cut(&trf(lang, k::IMPORT_REJECTS_IN, &[&shown]), w).into_owned(),
            theme.dim(),
        ));
    }
    // The rejects file could not be written: why, then the reasons as ever.
    if let Some(why) = &summary.rejects_unwritten {
        for l in crate::i18n::wrap(&crate::app::import::rejects_unwritten(why).render(lang), w) {
            lines.push(Line::styled(l, theme.error()));
        }
    }
    // The reason gets what the row number and the column name leave.
    let row_w = summary
        .rejects
        .iter()
        .map(|r| r.row.to_string().len())
        .chain([tr(lang, k::IMPORT_COL_ROW).width()])
        .max()
        .unwrap_or(3);
    let col_w = summary
        .rejects
        .iter()
        .map(|r| clean::line(kind.column_name(&r.column, lang)).width())
        .chain([tr(lang, k::IMPORT_COL_COLUMN).width()])
        .max()
        .unwrap_or(6)
        .min(20);
    let reason_w = w.saturating_sub(row_w + col_w + 2);
    lines.push(Line::styled(
        format!(
            "{} {} {}",
            pad(tr(lang, k::IMPORT_COL_ROW), row_w, false),
            pad(tr(lang, k::IMPORT_COL_COLUMN), col_w, false),
            tr(lang, k::IMPORT_COL_REASON)
        ),
        theme.header(),
    ));
    let rows = import::reject_rows(&app.sh);
    let end = (s.scroll + rows).min(summary.rejects.len());
    for r in summary.rejects.get(s.scroll..end).unwrap_or_default() {
        let reason = clean::line(&r.reason.render(lang)).into_owned();
        lines.push(Line::from(vec![
            Span::raw(format!("{:>row_w$} ", r.row)),
            Span::styled(
                format!("{} ", pad(&clean::line(kind.column_name(&r.column, lang)), col_w, false)),
                theme.dim(),
            ),
            Span::raw(cut(&reason, reason_w).into_owned()),
        ]));
    }
    let unlisted = summary.unlisted();
    if unlisted > 0 && end == summary.rejects.len() {
        lines.push(Line::styled(Msg::with(k::IMPORT_MORE, [n(unlisted)]).render(lang), theme.dim()));
    }
    lines
}
