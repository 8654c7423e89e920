//! The Import screen (`i` anywhere in navigation, also from the help): the
//! files of the officer's inbox, newest first; Enter checks one — its kind
//! guessed from its headers, `c` to choose another — as a dry run beside the
//! screen, and shows what a save would do: rows read, rows that would be
//! saved, and each refused row (as the spreadsheet numbers it, the column,
//! why), while the refused rows also go to `outbox/FILE.rejects.csv`. `s`
//! then asks, and `y` saves the file record by record as one change set,
//! which `u` takes back whole, and which the next open takes back if the
//! process is cut off half-way (see `io::import::save_records` for why not a
//! bulk load). Roles apply row by row, as for forms: a district officer's
//! row of another district, a fund committee's row of another fund, is
//! refused with the reason, and then nothing is saved.

use std::{
    path::{Path, PathBuf},
    sync::Arc,
    time::SystemTime,
};

use super::{
    action::{Action, Pending, PickPurpose},
    job::{Done, Job},
    list::ListPos,
    overlay::Overlay,
    shared::Shared,
};
use crate::{
    domain::{Date, Lang, officer::Access},
    i18n::{Key, Msg, k},
    io::{
        Kind,
        import::{self, FROM_APP, Options, Summary},
    },
    service::{labels::Opt, messages},
    store::{ChangeSlot, Store},
};

/// What the screen's drawing needs of the spreadsheet module (the UI
/// reaches it through the app).
pub use crate::io::{
    Kind as FileKind, import::Summary as CheckSummary, messages::rejects_unwritten, table::size_text,
};

/// A file in the inbox.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InboxFile {
    pub name: String,
    pub size: u64,
    /// Last modified, milliseconds since the epoch.
    pub modified: Option<i64>,
}

/// Where the screen is.
#[derive(Clone, Debug, PartialEq)]
pub enum Step {
    /// Choosing a file.
    Files,
    /// A file checked as `kind`: what a save would do.
    Checked { file: String, kind: Kind, summary: Summary },
}

pub struct ImportScreen {
    /// The inbox it lists.
    pub dir: PathBuf,
    /// Where refused rows are written (the outbox), if anywhere but beside
    /// the file.
    pub outbox: Option<PathBuf>,
    pub files: Vec<InboxFile>,
    pub pos: ListPos,
    pub step: Step,
    /// The first reject shown.
    pub scroll: usize,
    /// What went wrong with the inbox or the file, shown on the screen.
    pub problem: Option<Msg>,
    /// The file being checked and the kinds its headers fit (best first).
    pending: Option<(String, Vec<Kind>)>,
}

/// A kind's name for the officer: the Thai word with the command line's.
pub fn kind_label(kind: Kind) -> Key {
    match kind {
        Kind::Geography => k::IMPORT_KIND_GEOGRAPHY,
        Kind::Funds => k::IMPORT_KIND_FUNDS,
        Kind::Capital => k::IMPORT_KIND_CAPITAL,
        Kind::Members => k::IMPORT_KIND_MEMBERS,
        Kind::Loans => k::IMPORT_KIND_LOANS,
        Kind::Repayments => k::IMPORT_KIND_REPAYMENTS,
        Kind::Occupations => k::IMPORT_KIND_OCCUPATIONS,
        Kind::Sages => k::IMPORT_KIND_SAGES,
        Kind::Ranking | Kind::Briefings | Kind::Support | Kind::Otop => k::IMPORT_KIND_OTHER,
    }
}

/// What the app does after a key on the screen.
pub enum Then {
    Stay,
    Close,
    Start(Job),
}

/// The files of `dir` an import can read (`.csv`, `.xlsx`), newest first;
/// links and folders are left out (a link could point anywhere).
pub fn inbox_files(dir: &Path) -> std::io::Result<Vec<InboxFile>> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir)? {
        let e = e?;
        let Ok(meta) = std::fs::symlink_metadata(e.path()) else { continue };
        if !meta.is_file() {
            continue;
        }
        let name = e.file_name().to_string_lossy().into_owned();
        let lower = name.to_lowercase();
        if name.starts_with('.') || !(lower.ends_with(".csv") || lower.ends_with(".xlsx")) {
            continue;
        }
        let modified = meta
            .modified()
            .ok()
            .and_then(|t| t.duration_since(SystemTime::UNIX_EPOCH).ok())
            .map(|d| d.as_millis() as i64);
        out.push(InboxFile { name, size: meta.len(), modified });
    }
    out.sort_by(|a, b| b.modified.cmp(&a.modified).then_with(|| a.name.cmp(&b.name)));
    Ok(out)
}

impl ImportScreen {
    /// Opens the screen on the officer's inbox, made (0700) if need be. A
    /// read-only account is refused before anything.
    pub fn open(sh: &mut Shared) -> Option<ImportScreen> {
        if let Err(d) = sh.access.may_write() {
            sh.error(messages::denied(&d));
            return None;
        }
        let Some(dir) = sh.inbox_dir.clone() else {
            sh.error(k::IMPORT_NO_INBOX);
            return None;
        };
        let mut s = ImportScreen {
            dir: dir.clone(),
            // Refused rows go to the officer's outbox beside it (over SSH,
            // where exports go too), never beside the uploaded file.
            outbox: dir.parent().map(|own| own.join("outbox")),
            files: Vec::new(),
            pos: ListPos::default(),
            step: Step::Files,
            scroll: 0,
            problem: None,
            pending: None,
        };
        s.read_inbox(sh);
        Some(s)
    }

    /// Reads the inbox again (a file uploaded meanwhile).
    pub fn read_inbox(&mut self, sh: &Shared) {
        let made =
            crate::store::files::create_private_dir(&self.dir).and_then(|()| match self.dir.parent() {
                Some(own) => crate::store::files::make_private(own),
                None => Ok(()),
            });
        self.problem = None;
        match made.and_then(|()| inbox_files(&self.dir)) {
            Ok(files) => self.files = files,
            Err(e) => {
                self.files.clear();
                self.problem = Some(messages::io(&e));
            }
        }
        self.pos.clamp(self.files.len(), page(sh));
    }

    pub fn action(&mut self, sh: &mut Shared, store: &Arc<Store>, action: Action) -> Then {
        match &self.step {
            Step::Files => {
                if self.pos.navigate(action, self.files.len(), page(sh)) {
                    return Then::Stay;
                }
                // Every key the bar shows does something on this page too.
                match action {
                    Action::Back => return Then::Close,
                    Action::Reload => self.read_inbox(sh),
                    Action::Open => {
                        let Some(f) = self.files.get(self.pos.cursor) else { return Then::Stay };
                        let name = f.name.clone();
                        return self.guess(sh, store, name);
                    }
                    // The kind of the file under the cursor, chosen by hand.
                    Action::PickCategory => {
                        let Some(f) = self.files.get(self.pos.cursor) else { return Then::Stay };
                        let name = f.name.clone();
                        if self.fits(&name) {
                            self.choose_kind(sh, None);
                        }
                    }
                    Action::Save => sh.info(k::IMPORT_CHECK_FIRST),
                    _ => {}
                }
            }
            Step::Checked { summary, kind, .. } => {
                let (lines, refused, kind) = (summary.rejects.len(), summary.refused, *kind);
                let rows = reject_rows(sh);
                match action {
                    Action::Up => self.scroll = self.scroll.saturating_sub(1),
                    Action::Down => self.scroll = (self.scroll + 1).min(lines.saturating_sub(rows)),
                    Action::PageUp => self.scroll = self.scroll.saturating_sub(rows),
                    Action::PageDown => self.scroll = (self.scroll + rows).min(lines.saturating_sub(rows)),
                    Action::Home => self.scroll = 0,
                    Action::End => self.scroll = lines.saturating_sub(rows),
                    // `r` as the file list's: back to the folder, read again.
                    Action::Back | Action::Reload => {
                        self.step = Step::Files;
                        self.read_inbox(sh);
                    }
                    // The same file checked again (sent again fixed, say).
                    Action::Open => {
                        if let Step::Checked { file, .. } = &self.step {
                            let file = file.clone();
                            return Then::Start(self.check(sh, store, file, kind));
                        }
                    }
                    Action::PickCategory => self.choose_kind(sh, Some(kind)),
                    Action::Save if refused > 0 => sh.error(k::IMPORT_FIX_FIRST),
                    Action::Save => {
                        if let Step::Checked { file, summary, .. } = &self.step {
                            let n = crate::domain::money::group_thousands(summary.accepted() as u64);
                            let what = crate::i18n::Arg::Msg(Msg::new(kind_label(kind)));
                            sh.overlay = Some(Overlay::Confirm {
                                msg: Msg::with(
                                    k::IMPORT_CONFIRM,
                                    [n.into(), what, crate::domain::clean::line(file).into_owned().into()],
                                ),
                                then: Pending::ImportSave,
                            });
                        }
                    }
                    _ => {}
                }
            }
        }
        Then::Stay
    }

    /// Reads the file's headers and checks it as the kind they fit best;
    /// if they fit none, asks.
    fn guess(&mut self, sh: &mut Shared, store: &Arc<Store>, name: String) -> Then {
        if !self.fits(&name) {
            return Then::Stay;
        }
        match self.pending.as_ref().and_then(|(_, fits)| fits.first().copied()) {
            Some(kind) => Then::Start(self.check(sh, store, name, kind)),
            None => {
                self.choose_kind(sh, None);
                Then::Stay
            }
        }
    }

    /// Reads the headers of `name` and notes the kinds they fit (first the
    /// best) as the file pending a check; false, with the reason on screen,
    /// if the file cannot be read.
    fn fits(&mut self, name: &str) -> bool {
        match import::headers(&self.dir.join(name)) {
            Ok(headers) => {
                self.pending = Some((name.to_string(), import::guess_kinds(&headers, &FROM_APP)));
                true
            }
            Err(e) => {
                self.problem = Some(refusal(&self.dir, e));
                false
            }
        }
    }

    /// The kinds to choose from: those the headers fit first.
    fn choose_kind(&mut self, sh: &mut Shared, current: Option<Kind>) {
        if let Step::Checked { file, .. } = &self.step
            && self.pending.as_ref().is_none_or(|(f, _)| f != file)
        {
            self.pending = Some((file.clone(), Vec::new()));
        }
        let fits = self.pending.as_ref().map(|(_, f)| f.clone()).unwrap_or_default();
        let mut kinds = fits.clone();
        kinds.extend(FROM_APP.iter().filter(|k| !fits.contains(k)));
        let options = kinds
            .iter()
            .map(|kind| {
                let i = FROM_APP.iter().position(|x| x == kind).unwrap_or(0) as u32;
                let mark = |lang| {
                    let name = crate::i18n::tr(lang, kind_label(*kind));
                    if fits.contains(kind) { format!("{name} ✓") } else { name.to_string() }
                };
                Opt { value: i, th: mark(Lang::Th), en: mark(Lang::En) }
            })
            .collect();
        let current = current.and_then(|c| FROM_APP.iter().position(|x| *x == c)).map(|i| i as u32);
        sh.open_choice(k::IMPORT_PICK_KIND, options, current, PickPurpose::ImportKind);
    }

    /// The kind chosen from the list: the file is checked as that.
    pub fn picked(&mut self, sh: &mut Shared, store: &Arc<Store>, value: u32) -> Option<Job> {
        let kind = *FROM_APP.get(value as usize)?;
        let name = self.pending.as_ref().map(|(f, _)| f.clone())?;
        Some(self.check(sh, store, name, kind))
    }

    /// The dry run of `name` as `kind`, beside the screen.
    fn check(&mut self, sh: &Shared, store: &Arc<Store>, name: String, kind: Kind) -> Job {
        self.problem = None;
        self.scroll = 0;
        self.step = Step::Checked { file: name.clone(), kind, summary: Summary::default() };
        let run = Run::new(sh, self, name.clone(), kind);
        let store = Arc::clone(store);
        let what = Msg::with(k::IMPORT_CHECKING, [crate::domain::clean::line(&name).into_owned()]);
        Job::spawn(what, k::IMPORT_QUIT_CHECK, move |p| Done::Checked(run.go(&store, true, p)))
    }

    /// The officer said yes: the file is checked again and saved, beside
    /// the screen, as one change set.
    pub fn save(&mut self, sh: &Shared, store: &Arc<Store>) -> Option<Job> {
        let Step::Checked { file, kind, summary } = &self.step else { return None };
        if summary.refused > 0 {
            return None;
        }
        let run = Run::new(sh, self, file.clone(), *kind);
        let store = Arc::clone(store);
        let what = Msg::with(k::IMPORT_SAVING, [crate::domain::clean::line(file).into_owned()]);
        Some(Job::spawn(what, k::IMPORT_QUIT_SAVE, move |p| Done::Saved(run.go(&store, false, p))))
    }

    /// The check's result.
    pub fn checked(&mut self, sh: &mut Shared, result: Result<Summary, Msg>) {
        match (result, &mut self.step) {
            (Ok(s), Step::Checked { summary, .. }) => *summary = s,
            (Err(m), _) => {
                self.step = Step::Files;
                self.problem = Some(m);
            }
            (Ok(_), Step::Files) => {}
        }
        let _ = sh;
    }

    /// The save's result: said on the status line when it saved (the
    /// screen then closes), on the screen when not.
    pub fn saved(&mut self, sh: &mut Shared, result: Result<Summary, Msg>) {
        match result {
            Ok(s) if s.refused == 0 => {
                let file = match &self.step {
                    Step::Checked { file, .. } => crate::domain::clean::line(file).into_owned(),
                    Step::Files => String::new(),
                };
                let n = crate::domain::money::group_thousands(s.imported as u64);
                sh.info(Msg::with(k::IMPORT_SAVED, [n, file]));
            }
            // Rows that passed before were refused now (another officer's
            // change meanwhile): nothing was saved; the new list shows why.
            Ok(s) => {
                sh.error(k::IMPORT_REFUSED_NOW);
                if let Step::Checked { summary, .. } = &mut self.step {
                    *summary = s;
                }
            }
            Err(m) => {
                self.problem = Some(m.clone());
                sh.error(m);
            }
        }
    }
}

/// Rows of the file list on screen.
pub fn page(sh: &Shared) -> usize {
    usize::from(sh.size.1).saturating_sub(7).max(1)
}

/// Rows of the rejects list on screen.
pub fn reject_rows(sh: &Shared) -> usize {
    usize::from(sh.size.1).saturating_sub(10).max(1)
}

/// One run of the import, as the thread beside the screen needs it.
struct Run {
    path: PathBuf,
    kind: Kind,
    officer: String,
    access: Access,
    today: Date,
    outbox: Option<PathBuf>,
}

impl Run {
    fn new(sh: &Shared, screen: &ImportScreen, name: String, kind: Kind) -> Run {
        Run {
            path: screen.dir.join(name),
            kind,
            officer: sh.officer.clone(),
            access: sh.access,
            today: sh.today,
            outbox: screen.outbox.clone(),
        }
    }

    fn go(&self, store: &Arc<Store>, dry_run: bool, progress: &dyn Fn(u32)) -> Result<Summary, Msg> {
        // The refused rows go to the outbox (the officer's own folder over
        // SSH); made if need be.
        if let Some(dir) = &self.outbox {
            crate::store::files::create_private_dir(dir).map_err(|e| messages::io(&e))?;
        }
        // This import's own change set: keys pressed meanwhile start others.
        let change = ChangeSlot::default();
        let o = Options {
            kind: self.kind,
            path: &self.path,
            sheet: None,
            dry_run,
            officer: &self.officer,
            today: self.today,
            access: self.access,
            rejects_dir: self.outbox.as_deref(),
            change: Some(&change),
        };
        let report = |done: u64, total: u64| {
            progress((done.min(total).saturating_mul(1000) / total.max(1)) as u32);
        };
        let inbox = self.path.parent().unwrap_or(&self.path);
        match import::import(store, &o, &report) {
            Ok(mut summary) => {
                summary.rejects_unwritten =
                    summary.rejects_unwritten.map(|(p, kind)| (by_folder(inbox, &p), kind));
                Ok(summary)
            }
            Err(e) => Err(refusal(inbox, e)),
        }
    }
}

/// Why a file of the officer's inbox could not be read or imported, the
/// file named by its folder ([`by_folder`]).
fn refusal(inbox: &Path, e: import::ImportError) -> Msg {
    crate::io::messages::import(&e.naming(&|p| by_folder(inbox, p)))
}

/// A file of the officer's own folder named in their words: by its folder
/// (`inbox/NAME`, `outbox/NAME.rejects.csv`), as SFTP shows it, not by the
/// server's path (`./files/LOGIN/inbox/NAME`). Any other path as it is.
fn by_folder(inbox: &Path, p: &str) -> String {
    let own = inbox.parent().map(|o| o.display().to_string());
    match own.as_deref().and_then(|o| p.strip_prefix(o)) {
        // SFTP shows `/` on every system.
        Some(rest) if rest.starts_with(std::path::is_separator) => {
            rest.trim_start_matches(std::path::is_separator).replace(std::path::MAIN_SEPARATOR, "/")
        }
        _ => p.to_string(),
    }
}
