//! The test fixture: a copy of the district demo and an app on it at 80×24,
//! driven through the real keymap.
#![allow(dead_code)]

use std::{
    path::{Path, PathBuf},
    sync::{Arc, OnceLock},
};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::{Terminal, backend::TestBackend};
use sammachip::{
    app::App,
    demo::{self, Scale},
    domain::{Lang, fund::Fund},
    store::Store,
    ui::{self, keymap},
};

/// The demo's "today", fixed so the data and the screens are the same every run.
pub fn demo_day() -> sammachip::domain::Date {
    sammachip::domain::Date::from_ymd(2026, 9, 30).unwrap()
}

/// Sets a new session to the demo's day, its catalog (the ranking's
/// repayment points, days late) included, and waits for that catalog:
/// `App::new` starts one as of the day the tests run.
pub fn on_demo_day(app: &mut App, store: &Arc<Store>) {
    // The catalog `App::new` began to load (as of the real date) is waited
    // for first: left running, it went on reading the store while a test
    // counted the records its keys read (a failure under load).
    app.finish_loading();
    app.today = demo_day();
    app.as_of = demo_day();
    app.load_catalog(store);
    app.finish_loading();
}

pub struct Fixture {
    _dir: tempfile::TempDir,
    pub store: Arc<Store>,
    pub app: App,
}

/// The district demo (120 funds, 20,000 members, fixed seed and date),
/// written once per build of the code for every test binary (see [`cached`]);
/// each test works on its own copy.
pub fn template() -> &'static Path {
    static TEMPLATE: OnceLock<PathBuf> = OnceLock::new();
    TEMPLATE.get_or_init(|| {
        cached("district-seed7-2026-09-30", |path| {
            let store = Store::open(path).unwrap();
            demo::generate(&store, "demo", Scale::District, 7, demo_day(), &|_| {}).unwrap();
        })
    })
}

/// The app's binary, as the end-to-end tests run it.
pub const BIN: &str = env!("CARGO_BIN_EXE_sammachip");

/// The district demo as `sammachip demo --scale district` writes it (today's
/// date, the officer from `$USER`), written once per build of the code for
/// every test binary (see [`cached`]); tests copy it.
pub fn binary_demo() -> &'static Path {
    static DEMO: OnceLock<PathBuf> = OnceLock::new();
    DEMO.get_or_init(|| {
        let today = sammachip::domain::Date::today();
        let user = std::env::var("USER").unwrap_or_default();
        let user: String = user.chars().filter(char::is_ascii_alphanumeric).collect();
        cached(&format!("binary-district-{today:?}-{user}"), |path| {
            let out = std::process::Command::new(BIN)
                .arg("--db")
                .arg(path)
                .args(["demo", "--scale", "district"])
                .output()
                .unwrap();
            assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        })
    })
}

/// A directory that `build` fills, made once per build of the code and kept
/// under the target directory, so that every test binary of a `cargo test`
/// run (and the next run, if nothing was rebuilt) shares it. Built under a
/// file lock and renamed into place whole; what older builds left under the
/// same name is removed. Tests must copy it before they change anything.
pub fn cached(name: &str, build: impl FnOnce(&Path)) -> PathBuf {
    // Debug and release builds keep their own (`.ci/run` runs both).
    let name = &format!("{name}-{}", if cfg!(debug_assertions) { "debug" } else { "release" });
    let root = Path::new(env!("CARGO_TARGET_TMPDIR")).join("sammachip-stores");
    std::fs::create_dir_all(&root).unwrap();
    let done = root.join(format!("{name}@{}", build_stamp()));
    let lock = std::fs::File::create(root.join(format!("{name}.lock"))).unwrap();
    lock.lock().unwrap();
    if !done.exists() {
        for e in std::fs::read_dir(&root).unwrap() {
            let e = e.unwrap();
            if e.file_name().to_string_lossy().starts_with(&format!("{name}@")) {
                std::fs::remove_dir_all(e.path()).unwrap();
            }
        }
        let part = root.join(format!("{name}.part"));
        let _ = std::fs::remove_dir_all(&part);
        std::fs::create_dir_all(&part).unwrap();
        build(&part);
        std::fs::rename(&part, &done).unwrap();
    }
    done
}

/// This build of the code: the size and modification time of the app's
/// binary, which links the library and so is written anew whenever any of
/// the code changes.
fn build_stamp() -> String {
    let meta = std::fs::metadata(BIN).unwrap();
    let t = meta.modified().unwrap().duration_since(std::time::UNIX_EPOCH).unwrap();
    format!("{}-{}.{:09}", meta.len(), t.as_secs(), t.subsec_nanos())
}

/// A directory for what one test binary makes once and shares among its
/// tests, under the target directory and named after this process (a static
/// is never dropped, so a temporary directory would be left behind). Those of
/// processes that have ended are removed the first time it is asked for.
/// Whether no process `pid` runs (signal 0 only asks).
#[cfg(unix)]
fn process_gone(pid: i32) -> bool {
    let asked = unsafe { libc::kill(pid, 0) };
    asked != 0 && std::io::Error::last_os_error().raw_os_error() == Some(libc::ESRCH)
}

/// Off Unix (the tests under Wine) a scratch directory is left for the next
/// Unix run to remove.
#[cfg(not(unix))]
fn process_gone(_pid: i32) -> bool {
    false
}

pub fn scratch() -> &'static Path {
    static SCRATCH: OnceLock<PathBuf> = OnceLock::new();
    SCRATCH.get_or_init(|| {
        let root = Path::new(env!("CARGO_TARGET_TMPDIR")).join("sammachip-scratch");
        std::fs::create_dir_all(&root).unwrap();
        for e in std::fs::read_dir(&root).unwrap() {
            let e = e.unwrap();
            let pid: Option<i32> = e.file_name().to_str().and_then(|n| n.parse().ok());
            // Signal 0 only asks whether the process is there.
            if let Some(pid) = pid
                && process_gone(pid)
            {
                let _ = std::fs::remove_dir_all(e.path());
            }
        }
        let dir = root.join(std::process::id().to_string());
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    })
}

pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &to.join(e.file_name()));
        } else {
            std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
        }
    }
}

impl Fixture {
    /// A copy of the district demo, at 80×24, with the occupation list loaded.
    pub fn new(lang: Lang) -> Self {
        let dir = tempfile::tempdir().unwrap();
        copy_dir(template(), &dir.path().join("s"));
        let store = Arc::new(Store::open(&dir.path().join("s")).unwrap());
        let mut app = App::new(&store, "tester", lang, (80, 24));
        on_demo_day(&mut app, &store);
        let mut f = Self { _dir: dir, store, app };
        // The app opens on the Overview; most tests start from the Funds tab.
        f.press(KeyCode::Char('2'));
        f
    }

    pub fn key(&mut self, code: KeyCode, mods: KeyModifiers) {
        if let Some(a) = keymap::action_for(self.app.ctx(), KeyEvent::new(code, mods)) {
            self.app.update(a, &self.store);
        }
    }

    pub fn press(&mut self, code: KeyCode) {
        self.key(code, KeyModifiers::NONE);
    }

    pub fn type_str(&mut self, s: &str) {
        for c in s.chars() {
            self.press(KeyCode::Char(c));
        }
    }

    pub fn ctrl(&mut self, c: char) {
        self.key(KeyCode::Char(c), KeyModifiers::CONTROL);
    }

    pub fn terminal(&self, w: u16, h: u16) -> Terminal<TestBackend> {
        let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
        t.draw(|f| ui::draw(f, &self.app)).unwrap();
        t
    }

    pub fn screen(&self) -> String {
        screen_of(&self.app)
    }

    pub fn funds(&self) -> Vec<Fund> {
        self.store.all::<Fund>().unwrap()
    }
}

/// The app drawn at 80×24, as text.
pub fn screen_of(app: &App) -> String {
    screen_at(app, 80, 24)
}

/// The app drawn at `w`×`h`, as text.
#[allow(dead_code)]
pub fn screen_at(app: &App, w: u16, h: u16) -> String {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| ui::draw(f, app)).unwrap();
    let buf = t.backend().buffer();
    (0..buf.area.height)
        .map(|y| (0..buf.area.width).map(|x| buf[(x, y)].symbol()).collect::<String>())
        .collect::<Vec<_>>()
        .join("\n")
}

/// Imports `path` as `kind` the way the command line does, as an
/// administrator ("tester") on the demo's day; `dry_run` checks only.
pub fn import_file(
    store: &Arc<Store>,
    kind: sammachip::io::Kind,
    path: &Path,
    dry_run: bool,
) -> Result<sammachip::io::import::Summary, sammachip::io::import::ImportError> {
    let o = sammachip::io::import::Options {
        kind,
        path,
        sheet: None,
        dry_run,
        officer: "tester",
        today: demo_day(),
        access: sammachip::domain::officer::Access::Admin,
        rejects_dir: None,
        change: None,
    };
    sammachip::io::import::import(store, &o, &|_, _| {})
}

/// A part of an .xlsx file (a zip), as text.
pub fn xlsx_part(path: &Path, name: &str) -> String {
    use std::io::Read;
    let mut zip = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut text = String::new();
    zip.by_name(name).unwrap().read_to_string(&mut text).unwrap();
    text
}
