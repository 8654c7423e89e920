//! The Admin tab (administrators only): officer accounts — add, disable or
//! enable, add and remove keys — and the audit list (who, when, what, before →
//! after) with a filter.

use super::{
    action::{Action, Ctx, Pending, Tab},
    cx::{Cx, Effect},
    form::{Field, Form, FormKind, Opt},
    layout,
    list::ListPos,
    overlay::Overlay,
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

/// The audit time (UTC milliseconds) as officers read a time: Thai time
/// (Asia/Bangkok, UTC+7 all year, no summer time), the date as the app
/// writes dates (B.E.), then `HH:MM`.
pub fn time_text(ms: i64, lang: crate::domain::Lang) -> String {
    let Ok(t) = jiff::Timestamp::from_millisecond(ms) else { return ms.to_string() };
    let dt = jiff::tz::offset(7).to_datetime(t);
    let month = u8::try_from(dt.month()).unwrap_or(1);
    let day = u8::try_from(dt.day()).unwrap_or(1);
    match crate::domain::Date::from_ymd(i32::from(dt.year()), month, day) {
        Some(d) => {
            format!("{} {:02}:{:02}", crate::domain::thai::format_date(d, lang), dt.hour(), dt.minute())
        }
        None => ms.to_string(),
    }
}

/// The record an audit entry is about, by name (a fund's code and name, a
/// person's name …), or by its key when it has none.
pub fn record_text(e: &crate::domain::audit::AuditEntry) -> String {
    e.after
        .as_deref()
        .or(e.before.as_deref())
        .and_then(|b| crate::service::changes::name_of(&e.kind, b))
        .unwrap_or_else(|| key_text(&e.key))
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

fn entry_lines(store: &Store, e: &AuditEntry, lang: crate::domain::Lang) -> Vec<DiffLine> {
    let show = |b: &Option<Vec<u8>>| {
        b.as_ref().map(|b| match crate::service::describe::lines(store, &e.kind, b, lang) {
            Some(lines) => lines.join("\n"),
            None => format!("({} bytes)", b.len()),
        })
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

impl AdminTab {
    pub fn ctx(&self) -> Ctx {
        if self.entry.is_some() {
            Ctx::AuditEntry
        } else if self.keys.is_some() {
            Ctx::AdminKeys
        } else if self.filtering {
            Ctx::Filter
        } else {
            Ctx::Admin
        }
    }

    /// A confirmation of this tab said yes.
    pub fn confirmed(&mut self, cx: &mut Cx<'_>, then: Pending) {
        let store = cx.store;
        match then {
            Pending::ToggleOfficer { id, version } => self.toggle_officer(cx, store, id, version),
            Pending::RemoveKey { id, version, n } => self.remove_officer_key(cx, store, id, version, n),
            _ => {}
        }
    }

    /// The forms of this tab (a new officer, a key added).
    pub fn submit(&mut self, cx: &mut Cx<'_>, _kind: FormKind) {
        let store = cx.store;
        self.submit_officer(cx, store);
    }

    /// Reads the officer accounts again.
    pub fn load(&mut self, cx: &mut Cx<'_>, store: &Store) {
        if cx.sh.access.may_admin().is_err() {
            return;
        }
        match store.all::<Officer>() {
            Ok(mut o) => {
                o.sort_by(|a, b| a.login.cmp(&b.login));
                self.officers = o;
            }
            Err(e) => cx.sh.error(messages::store(&e)),
        }
        let page = cx.sh.page();
        self.opos.clamp(self.officers.len(), page);
        if let Some((i, _)) = self.keys
            && i >= self.officers.len()
        {
            self.keys = None;
        }
    }

    /// Reads the newest entries again (`older`: also the next page back).
    fn audit_read(&mut self, cx: &mut Cx<'_>, store: &Store, older: bool) {
        let want = if older { self.audit.len() + AUDIT_PAGE } else { self.audit.len().max(AUDIT_PAGE) };
        match store.audit_where(None, want, usize::MAX, |_| true) {
            Ok((entries, more)) => {
                let keep = self.selected_entry().map(|(id, _)| *id);
                self.audit = entries;
                self.more = more;
                self.audit_refilter(cx, keep);
            }
            Err(e) => cx.sh.error(messages::store(&e)),
        }
    }

    fn audit_refilter(&mut self, cx: &mut Cx<'_>, keep: Option<u64>) {
        let lang = cx.sh.lang;
        let terms: Vec<String> = self.filter.as_str().split_whitespace().map(|t| t.to_lowercase()).collect();
        let a = &mut *self;
        a.shown = (0..a.audit.len())
            .filter(|i| {
                let e = &a.audit[*i].1;
                let hay = format!(
                    "{} {} {} {} {} {}",
                    e.officer,
                    e.kind,
                    crate::i18n::tr(lang, kind_label(&e.kind)),
                    crate::i18n::tr(lang, action_label(e.action)),
                    time_text(e.time_ms, lang),
                    record_text(e)
                )
                .to_lowercase();
                terms.iter().all(|t| hay.contains(t.as_str()))
            })
            .collect();
        let page = layout::list_rows(cx.sh.size.1);
        let at =
            keep.and_then(|id| a.shown.iter().position(|i| a.audit[*i].0 == id)).unwrap_or(a.apos.cursor);
        a.apos.set(at, a.shown.len(), page);
        if a.shown.is_empty() {
            a.apos = ListPos::default();
        }
    }

    /// The tab opens: accounts and (on that view) the audit, read afresh.
    pub fn open(&mut self, cx: &mut Cx<'_>, store: &Store) {
        if let Err(d) = cx.sh.access.may_admin() {
            cx.effect(Effect::SwitchTab(Tab::Overview));
            return cx.sh.error(messages::denied(&d));
        }
        // Opened afresh: the newest entry first.
        self.audit.clear();
        self.apos = ListPos::default();
        self.load(cx, store);
        if self.view == AdminView::Audit {
            self.audit_read(cx, store, false);
        }
    }

    pub fn filter_action(&mut self, cx: &mut Cx<'_>, action: Action) {
        let keep = self.selected_entry().map(|(id, _)| *id);
        match action {
            Action::Text(e) => {
                if self.filter.apply(e) {
                    self.audit_refilter(cx, keep);
                }
            }
            Action::Back => {
                self.filter.set("");
                self.filtering = false;
                self.audit_refilter(cx, keep);
            }
            Action::Open => self.filtering = false,
            Action::Quit => cx.sh.quit = true,
            _ => {
                let page = cx.sh.page();
                self.apos.navigate(action, self.shown.len(), page);
            }
        }
    }

    pub fn action(&mut self, cx: &mut Cx<'_>, action: Action) {
        let store = cx.store;
        let page = cx.sh.page();
        if let Some(view) = &mut self.entry {
            match action {
                Action::Back | Action::Open => self.entry = None,
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
        if let Some((i, pos)) = &mut self.keys {
            let n = self.officers.get(*i).map_or(0, |o| o.keys.len());
            if pos.navigate(action, n, page) {
                return;
            }
            let (i, cursor) = (*i, pos.cursor);
            match action {
                Action::Back => self.keys = None,
                Action::New => self.open_key_form(cx, i),
                Action::Delete => {
                    if let Some(o) = self.officers.get(i)
                        && cursor < o.keys.len()
                    {
                        let fp = accounts::fingerprint(&o.keys[cursor]);
                        cx.sh.overlay = Some(Overlay::Confirm {
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
                self.view = match self.view {
                    AdminView::Officers => AdminView::Audit,
                    AdminView::Audit => AdminView::Officers,
                };
                if self.view == AdminView::Audit {
                    self.audit_read(cx, store, false);
                }
            }
            _ if self.view == AdminView::Audit => self.audit_action(cx, action, store),
            Action::Open => {
                if !self.officers.is_empty() {
                    self.keys = Some((self.opos.cursor, ListPos::default()));
                }
            }
            Action::New => self.open_officer_form(cx),
            Action::Delete => {
                if let Some(o) = self.selected_officer() {
                    let key = if o.disabled { k::CONFIRM_ENABLE_OFFICER } else { k::CONFIRM_DISABLE_OFFICER };
                    cx.sh.overlay = Some(Overlay::Confirm {
                        msg: Msg::with(key, [o.login.clone()]),
                        then: Pending::ToggleOfficer { id: o.id, version: o.version },
                    });
                }
            }
            _ => {
                let n = self.officers.len();
                self.opos.navigate(action, n, page);
            }
        }
    }

    fn audit_action(&mut self, cx: &mut Cx<'_>, action: Action, store: &Store) {
        let page = cx.sh.page();
        match action {
            Action::Filter => self.filtering = true,
            Action::Back => {
                let keep = self.selected_entry().map(|(id, _)| *id);
                self.filter.set("");
                self.audit_refilter(cx, keep);
            }
            Action::More => {
                if self.more {
                    self.audit_read(cx, store, true);
                }
            }
            Action::Open => {
                if let Some(i) = self.shown.get(self.apos.cursor).copied()
                    && let Some((_, e)) = self.audit.get(i)
                {
                    let lines = entry_lines(store, e, cx.sh.lang);
                    let scroll = lines
                        .iter()
                        .position(|l| !matches!(l, DiffLine::Same(_)))
                        .unwrap_or(0)
                        .saturating_sub(3);
                    self.entry = Some(EntryView { index: i, lines, scroll });
                }
            }
            _ => {
                let n = self.shown.len();
                self.apos.navigate(action, n, page);
            }
        }
    }

    fn open_officer_form(&mut self, cx: &mut Cx<'_>) {
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
        cx.sh.form = Some(Form::new(FormKind::NewOfficer, Msg::new(k::FORM_NEW_OFFICER), fields));
    }

    fn open_key_form(&mut self, cx: &mut Cx<'_>, i: usize) {
        let Some(o) = self.officers.get(i) else { return };
        let fields = vec![Field::text(k::FIELD_PUBLIC_KEY, "", Some(k::HINT_PUBLIC_KEY))];
        cx.sh.form = Some(Form::new(
            FormKind::AddKey { id: o.id, version: o.version },
            Msg::with(k::FORM_ADD_KEY, [o.login.clone()]),
            fields,
        ));
    }

    fn submit_officer(&mut self, cx: &mut Cx<'_>, store: &Store) {
        let Some(form) = &cx.sh.form else { return };
        let t = |i: usize| form.fields.get(i).map(|f| f.text_value().trim().to_string()).unwrap_or_default();
        let (login, display, district, key) = match form.kind {
            FormKind::AddKey { id, .. } => {
                let Some(o) = self.officers.iter().find(|o| o.id == id) else {
                    return cx.sh.form_error(Msg::new(k::ERR_GONE));
                };
                // A fund committee's fund by its code; anyone else's district.
                let place = match accounts::fund_code_of(store, o) {
                    Some(code) => code,
                    None => o.district.map(|d| d.to_string()).unwrap_or_default(),
                };
                (o.login.clone(), String::new(), place, t(0))
            }
            _ => (t(0), t(1), t(3), t(4)),
        };
        let role = match form.kind {
            FormKind::AddKey { id, .. } => {
                self.officers.iter().find(|o| o.id == id).map_or(Role::Viewer, |o| o.role)
            }
            _ => {
                Role::ALL
                    [form.fields.get(2).and_then(Field::choice_value).unwrap_or(3) as usize % Role::ALL.len()]
            }
        };
        // The place field holds a fund committee's fund code.
        let fund_code = (role == Role::Fund && !district.is_empty()).then(|| district.clone());
        let district = if district.is_empty() || role == Role::Fund {
            None
        } else {
            match crate::domain::thai::normalize_digits(&district).parse::<u16>() {
                Ok(d) => Some(d),
                Err(_) => return cx.sh.form_error(Msg::with(k::ERR_BAD_DISTRICT, [district])),
            }
        };
        let n = NewOfficer {
            login: &login,
            display_name: &display,
            role,
            district,
            fund_code: fund_code.as_deref(),
            key_line: &key,
        };
        // Adding a key to an account of another role, district or fund also
        // moves it: said, and saved only when asked again.
        match accounts::changes(store, &n) {
            Err(msg) => return cx.sh.form_error(msg),
            Ok(Some((was, will))) => {
                let warning = Msg::with(k::WARN_ACCOUNT_MOVES, [login.clone(), was, will]);
                if let Some(form) = cx.sh.form.as_mut()
                    && !form.confirmed(warning)
                {
                    return;
                }
            }
            Ok(None) => {}
        }
        match accounts::add(store, cx.sh.who(), &n) {
            Ok(o) => {
                cx.sh.form = None;
                cx.sh.info(Msg::with(
                    k::USER_ADDED,
                    [o.login.clone(), o.role.name().to_string(), o.keys.len().to_string()],
                ));
                self.load(cx, store);
                if let Some(i) = self.officers.iter().position(|x| x.id == o.id) {
                    let page = cx.sh.page();
                    let n = self.officers.len();
                    self.opos.set(i, n, page);
                }
            }
            Err(msg) => cx.sh.form_error(msg),
        }
    }

    fn toggle_officer(&mut self, cx: &mut Cx<'_>, store: &Store, id: u64, version: u64) {
        let Some(o) = self.officers.iter().find(|o| o.id == id && o.version == version) else {
            return cx.sh.error(k::ERR_STALE);
        };
        let (login, disable) = (o.login.clone(), !o.disabled);
        let who = cx.sh.who();
        match accounts::set_disabled(store, who, &login, disable) {
            Ok(o) => {
                let key = if o.disabled { k::USER_DISABLED } else { k::USER_ENABLED };
                cx.sh.info(Msg::with(key, [o.login]));
            }
            Err(m) => cx.sh.error(m),
        }
        self.load(cx, store);
    }

    fn remove_officer_key(&mut self, cx: &mut Cx<'_>, store: &Store, id: u64, version: u64, n: usize) {
        let Some(o) = self.officers.iter().find(|o| o.id == id && o.version == version) else {
            return cx.sh.error(k::ERR_STALE);
        };
        let login = o.login.clone();
        let who = cx.sh.who();
        match accounts::remove_key(store, who, &login, n + 1) {
            Ok(o) => cx.sh.info(Msg::with(k::USER_KEY_REMOVED, [o.login, o.keys.len().to_string()])),
            Err(m) => cx.sh.error(m),
        }
        self.load(cx, store);
    }
}

pub fn role_label(r: Role) -> Key {
    match r {
        Role::Admin => k::ROLE_ADMIN,
        Role::Province => k::ROLE_PROVINCE,
        Role::District => k::ROLE_DISTRICT,
        Role::Viewer => k::ROLE_VIEWER,
        Role::Fund => k::ROLE_FUND,
        Role::Network => k::ROLE_NETWORK,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Issue 18: the audit list showed UTC times with C.E. years.
    #[test]
    fn audit_times_are_thai_time_with_the_be_year() {
        // 25 Nov 2026 17:30 UTC is 26 Nov, 00:30 in Bangkok.
        let ms = jiff::Timestamp::from_second(1_795_627_800).map(|t| t.as_millisecond()).unwrap_or(0);
        assert_eq!(time_text(ms, crate::domain::Lang::Th), "26 พ.ย. 2569 00:30");
        assert_eq!(time_text(ms, crate::domain::Lang::En), "26 Nov 2569 00:30");
    }

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
