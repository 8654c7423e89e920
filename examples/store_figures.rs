//! Issue 23's figures on a store that already exists (the nation's takes 12
//! minutes to write, so `cargo bench --bench evidence` at the nation scale is
//! rarely run): opening it, the first frame's work, the catalog, the top 30
//! of every district, a server's start and a login's first frame, the
//! Occupations filter keystroke (in slices, as on a screen), the Funds
//! filter keystroke, a weight key on the Ranking tab and one district's sage
//! plan as the Sages tab makes it; with `--saves`, a session's next frame on
//! the Overview and on Funds after another officer's save.
//!
//! `cargo run --release --example store_figures -- STORE [REPEATS] [--saves]`
//!
//! A nation store: `sammachip --db DIR demo --scale nation --geography
//! ../shared/data/thai-geography`. Nothing is written to the store, but with
//! `--saves`: a member's loan is then given 1,000 baht more principal and
//! then the same less, once a repeat (the figures end as they began; the
//! audit trail keeps each save).

use std::{
    path::Path,
    sync::Arc,
    time::{Duration, Instant},
};

use ratatui::{Terminal, backend::TestBackend};
use sammachip::{
    app::{Action, App, occupations::SLICE_TIME, text::TextEdit},
    domain::{Lang, Money, member::Member, officer::Access, ranking::Weights},
    store::{Actor, Store},
    ui,
};

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// `n` keys of typing `word` into a filter and taking it back, over and
/// over: each key's time to its frame, and to the end of its search (the
/// Occupations list goes on at each tick).
fn type_over_and_over(
    app: &mut App,
    store: &Arc<Store>,
    draw: &mut impl FnMut(&App),
    word: &str,
    n: usize,
) -> (Vec<Duration>, Vec<Duration>) {
    let word: Vec<char> = word.chars().collect();
    let k = word.len().max(1);
    let (mut keys, mut whole) = (Vec::new(), Vec::new());
    for i in 0..n {
        let edit = match word.get(i % k) {
            Some(c) if i % (2 * k) < k => TextEdit::Insert(*c),
            _ => TextEdit::Backspace,
        };
        let t = Instant::now();
        app.update(Action::Text(edit), store);
        draw(app);
        keys.push(t.elapsed());
        while app.occ.is_searching() {
            app.update(Action::Tick, store);
            draw(app);
        }
        whole.push(t.elapsed());
    }
    (keys, whole)
}

/// Ticks, as the event loop does while a ranking is made beside the screen,
/// until it has come.
fn settle_ranking(app: &mut App, store: &Arc<Store>) {
    while app.rank.is_ranking() {
        std::thread::sleep(Duration::from_millis(1));
        app.update(Action::Tick, store);
    }
}

fn median(mut v: Vec<Duration>) -> f64 {
    v.sort();
    v.get(v.len() / 2).map_or(0.0, |d| ms(*d))
}

fn p99(mut v: Vec<Duration>) -> (f64, f64) {
    v.sort();
    let at = |p: f64| {
        v.get(((v.len() as f64 * p) as usize).min(v.len().saturating_sub(1))).map_or(0.0, |d| ms(*d))
    };
    (at(0.5), at(0.99))
}

/// A session of the server, as a login opens one.
fn login(store: &Arc<Store>, server: &sammachip::ssh::Shared) -> App {
    let (catalog, common) = (Arc::clone(&server.catalog), Arc::clone(&server.common));
    App::with_catalog(store, "figures", Access::Admin, Lang::Th, (80, 24), catalog, common)
}

/// Another officer saves a member's loan (1,000 baht more principal, then
/// the same less); a session of the server showing the Overview, then
/// Funds, takes it in at its next tick and draws.
fn after_a_save(
    store: &Arc<Store>,
    server: &sammachip::ssh::Shared,
    draw: &mut impl FnMut(&App),
    reps: usize,
) {
    let first_fund = server.common.funds(store).ok().and_then(|f| f.iter().next().map(|r| r.id));
    let member = first_fund.and_then(|f| {
        store
            .scan_prefix::<Member>(&f.to_be_bytes())
            .ok()?
            .into_iter()
            .find(|m| m.loans.iter().any(|l| l.risk().is_some()))
    });
    let Some(mut member) = member else {
        println!("after a save: no member with an open loan in the first fund");
        return;
    };
    let mut session = login(store, server);
    for (tab, name) in [(1, "Overview"), (2, "Funds")] {
        session.update(Action::GoTab(tab), store);
        draw(&session);
        let mut times = Vec::new();
        for i in 0..reps * 2 {
            let step = if i % 2 == 0 { 100_000 } else { -100_000 };
            if let Some(loan) = member.loans.iter_mut().find(|l| l.risk().is_some()) {
                loan.principal = Money(loan.principal.0 + step);
            }
            member = match store.save(Actor::from("another"), &member) {
                Ok(m) => m,
                Err(e) => {
                    println!("after a save: the save was refused: {e}");
                    return;
                }
            };
            let t = Instant::now();
            session.update(Action::Tick, store);
            draw(&session);
            times.push(t.elapsed());
        }
        let (p50, p99) = p99(times);
        println!(
            "after another officer's save, the next {name} frame: p50 {p50:.1} ms, p99 {p99:.1} ms (n={})",
            reps * 2
        );
    }
}

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(path) = args.next() else {
        eprintln!("usage: store_figures STORE [REPEATS]");
        std::process::exit(2);
    };
    let rest: Vec<String> = args.collect();
    let reps: usize = rest.iter().find_map(|n| n.parse().ok()).unwrap_or(7);
    let saves = rest.iter().any(|a| a == "--saves");

    let t = Instant::now();
    let store = match Store::open(Path::new(&path)) {
        Ok(s) => Arc::new(s),
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    };
    let opened = t.elapsed();
    let t = Instant::now();
    let mut app = App::new(&store, "figures", Lang::Th, (80, 24));
    let built = t.elapsed();
    let mut term = match Terminal::new(TestBackend::new(80, 24)) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    };
    let mut draw = |app: &App| {
        let _ = term.draw(|f| ui::draw(f, app));
    };
    let t = Instant::now();
    draw(&app);
    let drawn = t.elapsed();
    println!(
        "open {:.0} ms, app (every list the first frame reads) {:.0} ms, first draw {:.1} ms: {} funds",
        ms(opened),
        ms(built),
        ms(drawn),
        app.funds.total()
    );

    let t = Instant::now();
    app.load_catalog(&store);
    app.finish_loading();
    let rows = app.catalog.read().map(|c| c.rows.len()).unwrap_or(0);
    println!("catalog: {rows} rows in {:.0} ms", ms(t.elapsed()));

    // A server: it reads the catalog and the lists every session shares
    // once, when it starts; each login then builds its own app and draws.
    let t = Instant::now();
    let server = match sammachip::ssh::Shared::new(Arc::clone(&store), 200, Duration::from_secs(600)) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    };
    let started = t.elapsed();
    let mut times = Vec::new();
    for _ in 0..reps {
        let t = Instant::now();
        let session = login(&store, &server);
        draw(&session);
        times.push(t.elapsed());
    }
    let first = times.first().map_or(0.0, |d| ms(*d));
    println!(
        "server start (catalog and shared lists) {:.0} ms; a login's first frame: the first {first:.1} ms, median {:.1} ms of {reps}",
        ms(started),
        median(times)
    );
    if saves {
        after_a_save(&store, &server, &mut draw, reps);
    }
    drop(server);

    // The top 30 of every district, from scratch.
    let w = Weights::default();
    let mut times = Vec::new();
    let mut districts = 0;
    for _ in 0..reps {
        let t = Instant::now();
        let Ok(cat) = app.catalog.read() else { break };
        let ranked = app.rank_districts(&cat, None, &w, 30);
        times.push(t.elapsed());
        districts = ranked.len();
    }
    println!("top 30 of all {districts} districts: median {:.0} ms of {reps}", median(times));

    // A weight key on the Ranking tab (the whole store as the scope): its
    // time to its frame, and to the frame of the new list. First as a key
    // ranked before it returned (as before issue 23's fifteenth round), then
    // beside the screen.
    app.update(Action::GoTab(4), &store);
    settle_ranking(&mut app, &store);
    app.update(Action::EditWeights, &store);
    for (how, rows) in [("ranked on the key", usize::MAX), ("ranked beside the screen", 0)] {
        app.rank.set_beside_rows(rows);
        let (mut keys, mut whole) = (Vec::new(), Vec::new());
        for i in 0..reps * 4 {
            let t = Instant::now();
            app.update(if i % 2 == 0 { Action::Down } else { Action::Up }, &store);
            draw(&app);
            keys.push(t.elapsed());
            settle_ranking(&mut app, &store);
            draw(&app);
            whole.push(t.elapsed());
        }
        let (k50, k99) = p99(keys);
        let (w50, w99) = p99(whole);
        println!(
            "ranking weight key, {how}: to its frame p50 {k50:.1} ms, p99 {k99:.1} ms; to the new list p50 {w50:.0} ms, p99 {w99:.0} ms (n={}, {} in scope)",
            reps * 4,
            app.rank.in_scope
        );
    }
    app.update(Action::Back, &store);

    // One district's plan, as the Sages tab makes it (`p`, the first
    // district, Enter): every household selected for coaching without a sage
    // found in the catalog and the store, then matched to the sages.
    let first = app.geo.districts().first().copied().unwrap_or(0);
    app.update(Action::GoTab(5), &store);
    let mut times = Vec::new();
    let mut lines = 0;
    for _ in 0..reps {
        app.update(Action::Plan, &store);
        app.update(Action::Down, &store);
        let t = Instant::now();
        app.update(Action::Open, &store);
        draw(&app);
        times.push(t.elapsed());
        lines = app.sages.plan.as_ref().map_or(0, |p| p.lines.len());
        app.update(Action::Back, &store);
    }
    println!("district {first}'s sage plan on screen ({lines} households): median {:.1} ms", median(times));

    // The Occupations filter: a keystroke (one slice, cut at SLICE_TIME as the
    // event loop asks), and the whole list with its count.
    app.occ.set_time_per_slice(Some(SLICE_TIME));
    app.update(Action::GoTab(3), &store);
    draw(&app);
    app.update(Action::Filter, &store);
    let (keys, whole) = type_over_and_over(&mut app, &store, &mut draw, "สมชาย", reps * 20);
    let mut worst: Vec<(Duration, usize)> = keys.iter().copied().zip(0..).collect();
    worst.sort();
    let worst: Vec<String> =
        worst.iter().rev().take(5).map(|(d, i)| format!("{:.1} ms (key {})", ms(*d), i + 1)).collect();
    println!("slowest keystrokes: {}", worst.join(", "));
    let (k50, k99) = p99(keys);
    let (w50, w99) = p99(whole);
    println!(
        "occupations filter keystroke: p50 {k50:.1} ms, p99 {k99:.1} ms; whole list: p50 {w50:.0} ms, p99 {w99:.0} ms (n={})",
        reps * 20
    );

    // The Funds filter: a letter of หนอง typed or taken back, the list
    // filtered again and drawn.
    app.update(Action::Back, &store);
    app.update(Action::GoTab(2), &store);
    draw(&app);
    app.update(Action::Filter, &store);
    let (keys, _) = type_over_and_over(&mut app, &store, &mut draw, "หนอง", reps * 20);
    let (k50, k99) = p99(keys);
    println!("funds filter keystroke: p50 {k50:.1} ms, p99 {k99:.1} ms (n={})", reps * 20);
}
