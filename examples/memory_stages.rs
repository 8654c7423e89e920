//! Where the memory of a session goes, stage by stage: the store opened, the
//! app and its first frame, the occupation catalog read, every tab browsed.
//! Each line is the process's VmRSS and its anonymous part after the freed
//! memory is handed back, as the screens do after a second without a key.
//!
//! `cargo run --release --example memory_stages -- STORE [all|no-catalog|catalog]`
//! - `all` (default): the app as an officer starts it, then every tab;
//! - `no-catalog`: the app with an empty catalog (what the rest costs);
//! - `catalog`: the store and the catalog alone, with the time to read it;
//! - `sessions N` (default 20): N sessions as the SSH server opens them,
//!   sharing its catalog and lists, each to its first frame and then
//!   through every tab, with the time each took to its first frame;
//!   `sessions N apart`: each with lists of its own, as before they were
//!   shared.
//!
//! Linux only (it reads /proc/self). Issue 23's figures in BENCHMARKS.md.

use std::{
    path::Path,
    sync::{Arc, RwLock},
    time::{Duration, Instant},
};

use ratatui::{Terminal, backend::TestBackend};
use sammachip::{
    app::{Action, App, Common},
    domain::{Date, Lang, officer::Access},
    service::catalog::Catalog,
    store::Store,
    ui,
};

fn status_kb(file: &str, field: &str) -> u64 {
    let text = std::fs::read_to_string(file).unwrap_or_default();
    text.lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

fn stage(what: &str) {
    sammachip::app::release_free_memory();
    std::thread::sleep(Duration::from_millis(300));
    let rss = status_kb("/proc/self/status", "VmRSS:");
    let peak = status_kb("/proc/self/status", "VmHWM:");
    let anon = status_kb("/proc/self/smaps_rollup", "Anonymous:");
    println!(
        "{what:24} VmRSS {:>6.1} MB  anonymous {:>6.1} MB  peak so far {:>6.1} MB",
        mb(rss),
        mb(anon),
        mb(peak)
    );
}

fn mb(kb: u64) -> f64 {
    kb as f64 * 1024.0 / 1e6
}

fn browse(app: &mut App, store: &Arc<Store>, term: &mut Terminal<TestBackend>) {
    for tab in 1..=6 {
        app.update(Action::GoTab(tab), store);
        for _ in 0..30 {
            app.update(Action::Down, store);
            term.draw(|f| ui::draw(f, app)).expect("draw");
        }
        stage(&format!("tab {tab}, 30 moves"));
    }
}

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(path) = args.next() else {
        eprintln!("usage: memory_stages STORE [all|no-catalog|catalog]");
        std::process::exit(2);
    };
    let mode = args.next().unwrap_or_else(|| "all".into());
    stage("start");
    let store = match Store::open(Path::new(&path)) {
        Ok(s) => Arc::new(s),
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    };
    stage("store open");
    let mut term = Terminal::new(TestBackend::new(80, 24)).expect("terminal");
    match mode.as_str() {
        "catalog" => {
            let t = Instant::now();
            let c = Catalog::load(&store, Date::today()).expect("catalog");
            println!("catalog: {} rows read in {:.0} ms", c.rows.len(), t.elapsed().as_secs_f64() * 1e3);
            stage("catalog read");
        }
        "sessions" => {
            let n: usize = args.next().and_then(|v| v.parse().ok()).unwrap_or(20);
            let apart = args.next().as_deref() == Some("apart");
            let cat = Catalog::load(&store, Date::today()).expect("catalog");
            let cat = Arc::new(RwLock::new(cat));
            let lists = Common::new();
            lists.funds(&store).expect("funds");
            stage("server ready");
            let mut apps = Vec::new();
            let mut took = Vec::new();
            for i in 0..n {
                let t = Instant::now();
                let login = format!("officer{i}");
                let lists = if apart { Common::new() } else { Arc::clone(&lists) };
                let app = App::with_catalog(
                    &store,
                    login,
                    Access::Province,
                    Lang::Th,
                    (80, 24),
                    Arc::clone(&cat),
                    lists,
                );
                term.draw(|f| ui::draw(f, &app)).expect("draw");
                took.push(t.elapsed().as_secs_f64() * 1e3);
                apps.push(app);
                if i < 3 || i + 1 == n {
                    stage(&format!("{} sessions, first frame", i + 1));
                }
            }
            took.sort_by(f64::total_cmp);
            println!(
                "first frame of a session: median {:.1} ms, slowest {:.1} ms (n={n})",
                took[took.len() / 2],
                took[took.len() - 1]
            );
            for (i, app) in apps.iter_mut().enumerate() {
                for tab in 1..=6 {
                    app.update(Action::GoTab(tab), &store);
                    for _ in 0..5 {
                        app.update(Action::Down, &store);
                    }
                    term.draw(|f| ui::draw(f, app)).expect("draw");
                }
                if i < 3 || i + 1 == n {
                    stage(&format!("{} sessions, every tab", i + 1));
                }
            }
            std::process::exit(0);
        }
        "no-catalog" => {
            let empty = Arc::new(RwLock::new(Catalog::empty(Date::today())));
            let mut app =
                App::with_catalog(&store, "stages", Access::Admin, Lang::Th, (80, 24), empty, Common::new());
            term.draw(|f| ui::draw(f, &app)).expect("draw");
            stage("app, first frame");
            browse(&mut app, &store, &mut term);
            // Ends here, the app alive: see below.
            std::process::exit(0);
        }
        _ => {
            let mut app = App::new(&store, "stages", Lang::Th, (80, 24));
            term.draw(|f| ui::draw(f, &app)).expect("draw");
            stage("app, first frame");
            std::thread::sleep(Duration::from_secs(2));
            stage("catalog read, 2 s");
            // Linux: writing 5 to clear_refs starts the peak again from here.
            let _ = std::fs::write("/proc/self/clear_refs", "5");
            app.finish_loading();
            stage("catalog loaded");
            browse(&mut app, &store, &mut term);
            // Ends here, the app alive: see below.
            std::process::exit(0);
        }
    }
    // Ends here, without dropping the store and the app: under heaptrack,
    // what a session holds at the end is then reported as "leaked".
    std::process::exit(0);
}
