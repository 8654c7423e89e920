//! The Admin tab (administrators only): officer accounts — add, disable or
//! enable, add and remove keys — and the audit list (who, when, what, before →
//! after) with a filter.

use std::sync::Arc;

use super::{
    Action, App, Overlay, Pending, Tab,
    form::{Field, Form, FormKind, Opt},
    layout,
    list::ListPos,
    text::TextInput,
};
use crate::service::{
    accounts::{self, NewOfficer},
    messages,
};
use crate::{
    domain::{
        audit::{AuditAction, AuditEntry},
        officer::{Officer, Role},
    },
    i18n::{Key, Msg, k},
    store::{Store, trees},
};

/// How many audit entries are read at a time (newest first; `+` reads more).
pub const AUDIT_PAGE: usize = 2_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum AdminView {
    #[default]
    Officers,
    Audit,
}

#[derive(Default)]
pub struct AdminTab {
    pub view: AdminView,
    pub officers: Vec<Officer>,
    pub opos: ListPos,
    /// The officer opened with Enter (index) and the cursor on their keys.
    pub keys: Option<(usize, ListPos)>,
    /// Newest first.
    pub audit: Vec<(u64, AuditEntry)>,
    /// Older entries exist beyond those read.
    pub more: bool,
    /// Indexes into `audit` that match the filter.
    pub shown: Vec<usize>,
    pub apos: ListPos,
    pub filter: TextInput,
    pub filtering: bool,
    /// The audit entry opened with Enter (index into `audit`), with its
    /// before → after lines and the scroll.
    pub entry: Option<EntryView>,
    /// The tab was just opened: read it again.
    pub stale: bool,
}

pub struct EntryView {
    pub index: usize,
    pub lines: Vec<DiffLine>,
    pub scroll: usize,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DiffLine {
    Same(String),
    Before(String),
    After(String),
}

impl AdminTab {
    pub fn selected_officer(&self) -> Option<&Officer> {
        self.officers.get(self.opos.cursor)
    }

    pub fn opened_officer(&self) -> Option<&Officer> {
        self.keys.and_then(|(i, _)| self.officers.get(i))
    }

    pub fn selected_entry(&self) -> Option<&(u64, AuditEntry)> {
        self.shown.get(self.apos.cursor).and_then(|i| self.audit.get(*i))
    }
}

/// The record kind of an audit entry, as officers call it.
pub fn kind_label(tree: &str) -> Key {
    match tree {
        trees::FUNDS => k::KIND_FUND,
        trees::MEMBERS => k::KIND_MEMBER,
        trees::OCCUPATIONS => k::KIND_OCCUPATION,
        trees::SAGES => k::KIND_SAGE,
        trees::ASSIGNMENTS => k::KIND_ASSIGNMENT,
        trees::COMMITTEES => k::KIND_COMMITTEE,
        trees::SUPPORT => k::KIND_SUPPORT,
        trees::OTOP => k::KIND_OTOP,
        trees::OFFICERS => k::KIND_OFFICER,
        _ => k::KIND_OTHER,
    }
}

pub fn action_label(a: AuditAction) -> Key {
    match a {
        AuditAction::Create => k::AUDIT_CREATE,
        AuditAction::Update => k::AUDIT_UPDATE,
        AuditAction::Delete => k::AUDIT_DELETE,
        AuditAction::Bulk => k::AUDIT_BULK,
    }
}

/// A record key as ids: `12/345/6`.
pub fn key_text(key: &[u8]) -> String {
    if key.len().is_multiple_of(8) && !key.is_empty() {
        key.chunks(8)
            .map(|c| u64::from_be_bytes(c.try_into().unwrap_or([0; 8])).to_string())
            .collect::<Vec<_>>()
            .join("/")
    } else {
        String::from_utf8_lossy(key).into_owned()
    }
}

/// The audit time (UTC milliseconds) as local-looking text `YYYY-MM-DD HH:MM`.
pub fn time_text(ms: i64) -> String {
    jiff::Timestamp::from_millisecond(ms)
        .map(|t| t.strftime("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_else(|_| ms.to_string())
}

/// Line-by-line differences of two texts (longest common subsequence; the
/// texts are a record written out one field per line).
pub fn diff(before: &str, after: &str) -> Vec<DiffLine> {
    let a: Vec<&str> = before.lines().collect();
    let b: Vec<&str> = after.lines().collect();
    // Too long to compare cell by cell: show both whole.
    if a.len().saturating_mul(b.len()) > 4_000_000 {
        let mut out: Vec<DiffLine> = a.iter().map(|l| DiffLine::Before(l.to_string())).collect();
        out.extend(b.iter().map(|l| DiffLine::After(l.to_string())));
        return out;
    }
    let (n, m) = (a.len(), b.len());
    let mut lcs = vec![0u32; (n + 1) * (m + 1)];
    let at = |i: usize, j: usize| i * (m + 1) + j;
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[at(i, j)] = if a[i] == b[j] {
                lcs[at(i + 1, j + 1)] + 1
            } else {
                lcs[at(i + 1, j)].max(lcs[at(i, j + 1)])
            };
        }
    }
    let (mut i, mut j) = (0, 0);
    let mut out = Vec::with_capacity(n.max(m));
    while i < n || j < m {
        if i < n && j < m && a[i] == b[j] {
            out.push(DiffLine::Same(a[i].to_string()));
            i += 1;
            j += 1;
        } else if i < n && (j == m || lcs[at(i + 1, j)] >= lcs[at(i, j + 1)]) {
            out.push(DiffLine::Before(a[i].to_string()));
            i += 1;
        } else {
            out.push(DiffLine::After(b[j].to_string()));
            j += 1;
        }
    }
    out
}

fn entry_lines(e: &AuditEntry) -> Vec<DiffLine> {
    let show = |b: &Option<Vec<u8>>| {
        b.as_ref().map(|b| Store::describe(&e.kind, b).unwrap_or_else(|| format!("({} bytes)", b.len())))
    };
    let (before, after) = (show(&e.before), show(&e.after));
    let mut lines = match (before, after) {
        (Some(b), Some(a)) => diff(&b, &a),
        (Some(b), None) => b.lines().map(|l| DiffLine::Before(l.to_string())).collect(),
        (None, Some(a)) => a.lines().map(|l| DiffLine::After(l.to_string())).collect(),
        (None, None) => Vec::new(),
    };
    if !e.note.is_empty() {
        lines.insert(0, DiffLine::Same(e.note.clone()));
    }
    lines
}

impl App {
    pub(super) fn admin_load(&mut self, store: &Store) {
        if self.sh.access.may_admin().is_err() {
            return;
        }
        match store.all::<Officer>() {
            Ok(mut o) => {
                o.sort_by(|a, b| a.login.cmp(&b.login));
                self.admin.officers = o;
            }
            Err(e) => self.sh.error(messages::store(&e)),
        }
        let page = self.page();
        self.admin.opos.clamp(self.admin.officers.len(), page);
        if let Some((i, _)) = self.admin.keys
            && i >= self.admin.officers.len()
        {
            self.admin.keys = None;
        }
        if self.tab == Tab::Admin && self.admin.view == AdminView::Audit {
            self.audit_read(store, false);
        }
    }

    /// Reads the newest entries again (`older`: also the next page back).
    fn audit_read(&mut self, store: &Store, older: bool) {
        let want =
            if older { self.admin.audit.len() + AUDIT_PAGE } else { self.admin.audit.len().max(AUDIT_PAGE) };
        match store.audit_where(None, want, usize::MAX, |_| true) {
            Ok((entries, more)) => {
                let keep = self.admin.selected_entry().map(|(id, _)| *id);
                self.admin.audit = entries;
                self.admin.more = more;
                self.audit_refilter(keep);
            }
            Err(e) => self.sh.error(messages::store(&e)),
        }
    }

    fn audit_refilter(&mut self, keep: Option<u64>) {
        let lang = self.sh.lang;
        let terms: Vec<String> =
            self.admin.filter.as_str().split_whitespace().map(|t| t.to_lowercase()).collect();
        let a = &mut self.admin;
        a.shown = (0..a.audit.len())
            .filter(|i| {
                let e = &a.audit[*i].1;
                let hay = format!(
                    "{} {} {} {} {} {}",
                    e.officer,
                    e.kind,
                    crate::i18n::tr(lang, kind_label(&e.kind)),
                    crate::i18n::tr(lang, action_label(e.action)),
                    time_text(e.time_ms),
                    key_text(&e.key)
                )
                .to_lowercase();
                terms.iter().all(|t| hay.contains(t.as_str()))
            })
            .collect();
        let page = layout::list_rows(self.sh.size.1);
        let at =
            keep.and_then(|id| a.shown.iter().position(|i| a.audit[*i].0 == id)).unwrap_or(a.apos.cursor);
        a.apos.set(at, a.shown.len(), page);
        if a.shown.is_empty() {
            a.apos = ListPos::default();
        }
    }

    /// The tab opens: accounts and (on that view) the audit, read afresh.
    pub(super) fn admin_open(&mut self, store: &Store) {
        if let Err(d) = self.sh.access.may_admin() {
            self.tab = Tab::Overview;
            return self.sh.error(messages::denied(&d));
        }
        // Opened afresh: the newest entry first.
        self.admin.audit.clear();
        self.admin.apos = ListPos::default();
        self.admin_load(store);
    }

    pub(super) fn admin_filter_action(&mut self, action: Action) {
        let keep = self.admin.selected_entry().map(|(id, _)| *id);
        match action {
            Action::Text(e) => {
                if self.admin.filter.apply(e) {
                    self.audit_refilter(keep);
                }
            }
            Action::Back => {
                self.admin.filter.set("");
                self.admin.filtering = false;
                self.audit_refilter(keep);
            }
            Action::Open => self.admin.filtering = false,
            Action::Quit => self.sh.quit = true,
            _ => {
                let page = self.page();
                self.admin.apos.navigate(action, self.admin.shown.len(), page);
            }
        }
    }

    pub(super) fn admin_action(&mut self, action: Action, store: &Arc<Store>) {
        let page = self.page();
        if let Some(view) = &mut self.admin.entry {
            match action {
                Action::Back | Action::Open => self.admin.entry = None,
                Action::Up => view.scroll = view.scroll.saturating_sub(1),
                Action::Down => view.scroll = (view.scroll + 1).min(view.lines.len().saturating_sub(1)),
                Action::PageUp => view.scroll = view.scroll.saturating_sub(page),
                Action::PageDown => {
                    view.scroll = (view.scroll + page).min(view.lines.len().saturating_sub(1))
                }
                Action::Home => view.scroll = 0,
                _ => {}
            }
            return;
        }
        if let Some((i, pos)) = &mut self.admin.keys {
            let n = self.admin.officers.get(*i).map_or(0, |o| o.keys.len());
            if pos.navigate(action, n, page) {
                return;
            }
            let (i, cursor) = (*i, pos.cursor);
            match action {
                Action::Back => self.admin.keys = None,
                Action::New => self.open_key_form(i),
                Action::Delete => {
                    if let Some(o) = self.admin.officers.get(i)
                        && cursor < o.keys.len()
                    {
                        let fp = accounts::fingerprint(&o.keys[cursor]);
                        self.sh.overlay = Some(Overlay::Confirm {
                            msg: Msg::with(k::CONFIRM_REMOVE_KEY, [fp, o.login.clone()]),
                            then: Pending::RemoveKey { id: o.id, version: o.version, n: cursor },
                        });
                    }
                }
                _ => {}
            }
            return;
        }
        match action {
            Action::NextView => {
                self.admin.view = match self.admin.view {
                    AdminView::Officers => AdminView::Audit,
                    AdminView::Audit => AdminView::Officers,
                };
                if self.admin.view == AdminView::Audit {
                    self.audit_read(store, false);
                }
            }
            _ if self.admin.view == AdminView::Audit => self.audit_action(action, store),
            Action::Open => {
                if !self.admin.officers.is_empty() {
                    self.admin.keys = Some((self.admin.opos.cursor, ListPos::default()));
                }
            }
            Action::New => self.open_officer_form(),
            Action::Delete => {
                if let Some(o) = self.admin.selected_officer() {
                    let key = if o.disabled { k::CONFIRM_ENABLE_OFFICER } else { k::CONFIRM_DISABLE_OFFICER };
                    self.sh.overlay = Some(Overlay::Confirm {
                        msg: Msg::with(key, [o.login.clone()]),
                        then: Pending::ToggleOfficer { id: o.id, version: o.version },
                    });
                }
            }
            _ => {
                let n = self.admin.officers.len();
                self.admin.opos.navigate(action, n, page);
            }
        }
    }

    fn audit_action(&mut self, action: Action, store: &Store) {
        let page = self.page();
        match action {
            Action::Filter => self.admin.filtering = true,
            Action::Back => {
                let keep = self.admin.selected_entry().map(|(id, _)| *id);
                self.admin.filter.set("");
                self.audit_refilter(keep);
            }
            Action::More => {
                if self.admin.more {
                    self.audit_read(store, true);
                }
            }
            Action::Open => {
                if let Some(i) = self.admin.shown.get(self.admin.apos.cursor).copied()
                    && let Some((_, e)) = self.admin.audit.get(i)
                {
                    let lines = entry_lines(e);
                    let scroll = lines
                        .iter()
                        .position(|l| !matches!(l, DiffLine::Same(_)))
                        .unwrap_or(0)
                        .saturating_sub(3);
                    self.admin.entry = Some(EntryView { index: i, lines, scroll });
                }
            }
            _ => {
                let n = self.admin.shown.len();
                self.admin.apos.navigate(action, n, page);
            }
        }
    }

    fn open_officer_form(&mut self) {
        let roles = Role::ALL
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let key = role_label(*r);
                Opt::new(
                    i as u32,
                    crate::i18n::tr(crate::domain::Lang::Th, key),
                    crate::i18n::tr(crate::domain::Lang::En, key),
                )
            })
            .collect();
        let fields = vec![
            Field::text(k::FIELD_LOGIN, "", Some(k::HINT_LOGIN)),
            Field::text(k::FIELD_OFFICER_NAME, "", None),
            Field::choice(k::FIELD_ROLE, roles, 2),
            Field::text(k::FIELD_DISTRICT_CODE, "", Some(k::HINT_DISTRICT_CODE)),
            Field::text(k::FIELD_PUBLIC_KEY, "", Some(k::HINT_PUBLIC_KEY)),
        ];
        self.sh.form = Some(Form::new(FormKind::NewOfficer, Msg::new(k::FORM_NEW_OFFICER), fields));
    }

    fn open_key_form(&mut self, i: usize) {
        let Some(o) = self.admin.officers.get(i) else { return };
        let fields = vec![Field::text(k::FIELD_PUBLIC_KEY, "", Some(k::HINT_PUBLIC_KEY))];
        self.sh.form = Some(Form::new(
            FormKind::AddKey { id: o.id, version: o.version },
            Msg::with(k::FORM_ADD_KEY, [o.login.clone()]),
            fields,
        ));
    }

    pub(super) fn submit_officer(&mut self, store: &Arc<Store>) {
        let Some(form) = &self.sh.form else { return };
        let t = |i: usize| form.fields.get(i).map(|f| f.text_value().trim().to_string()).unwrap_or_default();
        let (login, display, district, key) = match form.kind {
            FormKind::AddKey { id, .. } => {
                let Some(o) = self.admin.officers.iter().find(|o| o.id == id) else {
                    return self.sh.form_error(Msg::new(k::ERR_GONE));
                };
                (o.login.clone(), String::new(), o.district.map(|d| d.to_string()).unwrap_or_default(), t(0))
            }
            _ => (t(0), t(1), t(3), t(4)),
        };
        let role = match form.kind {
            FormKind::AddKey { id, .. } => {
                self.admin.officers.iter().find(|o| o.id == id).map_or(Role::Viewer, |o| o.role)
            }
            _ => Role::ALL[form.fields.get(2).and_then(Field::choice_value).unwrap_or(3) as usize % 4],
        };
        let district = if district.is_empty() {
            None
        } else {
            match crate::domain::thai::normalize_digits(&district).parse::<u16>() {
                Ok(d) => Some(d),
                Err(_) => return self.sh.form_error(Msg::with(k::ERR_BAD_DISTRICT, [district])),
            }
        };
        let who = self.sh.who();
        let n = NewOfficer { login: &login, display_name: &display, role, district, key_line: &key };
        match accounts::add(store, who, &n) {
            Ok(o) => {
                self.sh.form = None;
                self.sh.info(Msg::with(
                    k::USER_ADDED,
                    [o.login.clone(), o.role.name().to_string(), o.keys.len().to_string()],
                ));
                self.admin_load(store);
                if let Some(i) = self.admin.officers.iter().position(|x| x.id == o.id) {
                    let page = self.page();
                    let n = self.admin.officers.len();
                    self.admin.opos.set(i, n, page);
                }
            }
            Err(msg) => self.sh.form_error(msg),
        }
    }

    pub(super) fn toggle_officer(&mut self, store: &Store, id: u64, version: u64) {
        let Some(o) = self.admin.officers.iter().find(|o| o.id == id && o.version == version) else {
            return self.sh.error(k::ERR_STALE);
        };
        let (login, disable) = (o.login.clone(), !o.disabled);
        let who = self.sh.who();
        match accounts::set_disabled(store, who, &login, disable) {
            Ok(o) => {
                let key = if o.disabled { k::USER_DISABLED } else { k::USER_ENABLED };
                self.sh.info(Msg::with(key, [o.login]));
            }
            Err(m) => self.sh.error(m),
        }
        self.admin_load(store);
    }

    pub(super) fn remove_officer_key(&mut self, store: &Store, id: u64, version: u64, n: usize) {
        let Some(o) = self.admin.officers.iter().find(|o| o.id == id && o.version == version) else {
            return self.sh.error(k::ERR_STALE);
        };
        let login = o.login.clone();
        let who = self.sh.who();
        match accounts::remove_key(store, who, &login, n + 1) {
            Ok(o) => self.sh.info(Msg::with(k::USER_KEY_REMOVED, [o.login, o.keys.len().to_string()])),
            Err(m) => self.sh.error(m),
        }
        self.admin_load(store);
    }
}

pub fn role_label(r: Role) -> Key {
    match r {
        Role::Admin => k::ROLE_ADMIN,
        Role::Province => k::ROLE_PROVINCE,
        Role::District => k::ROLE_DISTRICT,
        Role::Viewer => k::ROLE_VIEWER,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diff_marks_changed_lines_only() {
        let d = diff("a\nb\nc\nd", "a\nB\nc\nd\ne");
        assert_eq!(
            d,
            vec![
                DiffLine::Same("a".into()),
                DiffLine::Before("b".into()),
                DiffLine::After("B".into()),
                DiffLine::Same("c".into()),
                DiffLine::Same("d".into()),
                DiffLine::After("e".into()),
            ]
        );
        assert!(diff("x", "x").iter().all(|l| matches!(l, DiffLine::Same(_))));
    }

    #[test]
    fn keys_read_as_ids() {
        let k: Vec<u8> = [12u64, 345].iter().flat_map(|x| x.to_be_bytes()).collect();
        assert_eq!(key_text(&k), "12/345");
        assert_eq!(key_text(b"cat"), "cat");
    }
}
