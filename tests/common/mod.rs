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

pub struct Fixture {
    _dir: tempfile::TempDir,
    pub store: Arc<Store>,
    pub app: App,
}

/// The district demo (120 funds, 20,000 members, fixed seed and date), written
/// once per test run; each test works on its own copy.
pub fn template() -> &'static Path {
    static TEMPLATE: OnceLock<PathBuf> = OnceLock::new();
    TEMPLATE.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap().keep();
        let path = dir.join("template");
        let store = Store::open(&path).unwrap();
        demo::generate(&store, "demo", Scale::District, 7, demo_day(), &|_| {}).unwrap();
        path
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
        app.today = demo_day();
        app.as_of = demo_day();
        app.finish_loading();
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
    let mut t = Terminal::new(TestBackend::new(80, 24)).unwrap();
    t.draw(|f| ui::draw(f, app)).unwrap();
    let buf = t.backend().buffer();
    (0..buf.area.height)
        .map(|y| (0..buf.area.width).map(|x| buf[(x, y)].symbol()).collect::<String>())
        .collect::<Vec<_>>()
        .join("\n")
}
