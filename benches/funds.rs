//! The Funds tab on the province demo (2,669 funds): start to first frame, a list
//! move and a filter keystroke, each measured as update + draw on an 80×24
//! `TestBackend`. Besides criterion's estimates, each keystroke bench prints its
//! own p50/p99 over individually timed keystrokes (the budget is stated at p99).

use std::{
    path::Path,
    sync::Arc,
    time::{Duration, Instant},
};

use criterion::{Criterion, criterion_group, criterion_main};
use ratatui::{Terminal, backend::TestBackend};
use sammachip::{
    app::{Action, App, text::TextEdit},
    demo::{self, Scale},
    domain::Lang,
    store::Store,
    ui,
};

fn province(dir: &Path) -> Arc<Store> {
    let store = Store::open(&dir.join("store")).expect("open");
    let today = sammachip::domain::Date::today();
    demo::generate(&store, "bench", Scale::Province, demo::DEFAULT_SEED, today, &|_| {}).expect("demo");
    Arc::new(store)
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for e in std::fs::read_dir(from).expect("read_dir") {
        let e = e.expect("entry");
        if e.file_type().expect("type").is_dir() {
            copy_dir(&e.path(), &to.join(e.file_name()));
        } else {
            std::fs::copy(e.path(), to.join(e.file_name())).expect("copy");
        }
    }
}

fn percentiles(name: &str, mut samples: Vec<Duration>) {
    samples.sort();
    let at = |p: f64| samples[((samples.len() as f64 * p) as usize).min(samples.len() - 1)];
    eprintln!(
        "{name}: n={} p50={:.3} ms p99={:.3} ms max={:.3} ms",
        samples.len(),
        at(0.50).as_secs_f64() * 1e3,
        at(0.99).as_secs_f64() * 1e3,
        samples[samples.len() - 1].as_secs_f64() * 1e3
    );
}

fn funds(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = province(dir.path());
    let source = dir.path().join("store");
    drop(store);
    std::thread::sleep(Duration::from_millis(300));

    // Open a fresh copy of the store, load the Funds tab, draw the first frame.
    let mut n = 0;
    c.bench_function("province/start_to_first_frame", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                n += 1;
                let copy = dir.path().join(format!("copy{n}"));
                copy_dir(&source, &copy);
                let start = Instant::now();
                let store = Arc::new(Store::open(&copy).expect("open"));
                let app = App::new(&store, "bench", Lang::Th, (80, 24));
                let mut t = Terminal::new(TestBackend::new(80, 24)).expect("terminal");
                t.draw(|f| ui::draw(f, &app)).expect("draw");
                total += start.elapsed();
                drop(store);
                let _ = std::fs::remove_dir_all(&copy);
            }
            total
        })
    });

    let store = Arc::new(Store::open(&source).expect("open"));
    let mut app = App::new(&store, "bench", Lang::Th, (80, 24));
    let mut term = Terminal::new(TestBackend::new(80, 24)).expect("terminal");
    term.draw(|f| ui::draw(f, &app)).expect("draw");

    let mut moves = Vec::new();
    let mut down = true;
    c.bench_function("province/list_move", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                // Walk down the whole list and back up again.
                if app.funds.pos.cursor + 1 >= app.funds.view.len() {
                    down = false;
                } else if app.funds.pos.cursor == 0 {
                    down = true;
                }
                let start = Instant::now();
                app.update(if down { Action::Down } else { Action::Up }, &store);
                term.draw(|f| ui::draw(f, &app)).expect("draw");
                let d = start.elapsed();
                moves.push(d);
                total += d;
            }
            total
        })
    });
    percentiles("province/list_move", moves);

    app.update(Action::Filter, &store);
    let mut keys = Vec::new();
    let mut i = 0usize;
    c.bench_function("province/filter_keystroke", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                // Type "หนอง" and take it back, over and over: every keystroke
                // re-filters all 2,669 funds.
                let edit = match i % 8 {
                    0 => TextEdit::Insert('ห'),
                    1 => TextEdit::Insert('น'),
                    2 => TextEdit::Insert('อ'),
                    3 => TextEdit::Insert('ง'),
                    _ => TextEdit::Backspace,
                };
                i += 1;
                let start = Instant::now();
                app.update(Action::Text(edit), &store);
                term.draw(|f| ui::draw(f, &app)).expect("draw");
                let d = start.elapsed();
                keys.push(d);
                total += d;
            }
            total
        })
    });
    percentiles("province/filter_keystroke", keys);
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(50).measurement_time(Duration::from_secs(3));
    targets = funds
}
criterion_main!(benches);
