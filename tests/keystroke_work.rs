//! Cost that follows the screen (issue 23): the work of a keystroke — moves,
//! pages, tab switches, opening a fund's members — is counted in records
//! read from the store, and it stays within what one screen shows, whatever
//! the size of the store behind it.

mod common;

use common::Fixture;
use crossterm::event::KeyCode;
use sammachip::{
    domain::{Lang, member::Member, occupation::OccupationRecord},
    store::Store,
};

/// Records read from the store by each key of `keys`, drawing the screen
/// after each as the terminal does.
fn reads_per_key(fx: &mut Fixture, keys: &[KeyCode]) -> Vec<(String, u64)> {
    let mut out = Vec::new();
    for k in keys {
        let before = fx.store.records_read();
        fx.press(*k);
        let _ = fx.screen();
        out.push((format!("{k:?}"), fx.store.records_read() - before));
    }
    out
}

fn sizes(store: &Store) -> (usize, usize) {
    (store.count::<Member>().unwrap(), store.count::<OccupationRecord>().unwrap())
}

#[test]
fn a_keystroke_reads_at_most_a_screenful_of_records() {
    let mut fx = Fixture::new(Lang::Th);
    let (members, occupations) = sizes(&fx.store);
    assert!(members >= 20_000 && occupations >= 5_000, "{members} members, {occupations} records");
    // A screen shows about 20 rows; a keystroke may read them and the
    // selected row's details, never the store's records at large.
    let screenful = 3 * 24;
    let mut moves = vec![KeyCode::Down; 30];
    moves.extend([KeyCode::PageDown, KeyCode::PageDown, KeyCode::Up, KeyCode::End, KeyCode::Home]);
    // The first visit of each tab (the fixture's date differs from the
    // app's start) reads what the tab lists; what follows is measured.
    for tab in ['1', '2', '3', '4', '5', '6'] {
        fx.press(KeyCode::Char(tab));
    }
    let mut worst = Vec::new();
    for tab in ['1', '2', '3', '4', '5', '6'] {
        let mut keys = vec![KeyCode::Char(tab)];
        keys.extend(moves.iter().copied());
        for (key, n) in reads_per_key(&mut fx, &keys) {
            assert!(n <= screenful, "tab {tab}: {key} read {n} records of {members} members");
            worst.push(n);
        }
    }
    // The members of a fund: open one, move through them, go back.
    fx.press(KeyCode::Char('2'));
    let mut keys = vec![KeyCode::Enter];
    keys.extend(moves.iter().copied());
    keys.push(KeyCode::Esc);
    let mut opened = 0;
    for (key, n) in reads_per_key(&mut fx, &keys) {
        // Opening a fund reads its own members (one fund of 120), once.
        if key == "Enter" {
            opened = n;
            assert!(n <= 1_000, "opening a fund read {n} records");
        } else {
            assert!(n <= screenful, "fund members: {key} read {n} records");
        }
    }
    // The counter counts: opening a fund read its members.
    assert!(opened > 0, "opening a fund read no records: the count counts nothing");
    assert!(worst.len() == 6 * (moves.len() + 1));
}

#[test]
fn the_same_keys_read_the_same_after_the_store_grows() {
    // Twice the same keys on the same screens; between them, 2,000 more
    // occupation records are written to funds the screens never show. A
    // keystroke that read the store at large would read more the second time.
    let mut fx = Fixture::new(Lang::Th);
    let keys: Vec<KeyCode> = ['1', '2', '3', '4', '5', '6']
        .into_iter()
        .flat_map(|t| std::iter::once(KeyCode::Char(t)).chain([KeyCode::Down; 10]).chain([KeyCode::Home]))
        .collect();
    // Warm: the first visit of a tab reads what it lists.
    let _ = reads_per_key(&mut fx, &keys);
    let first = reads_per_key(&mut fx, &keys);
    let (_, before) = sizes(&fx.store);
    grow_far_from_the_screen(&fx.store, 2_000);
    let (_, after) = sizes(&fx.store);
    assert_eq!(after, before + 2_000);
    let _ = reads_per_key(&mut fx, &keys);
    let second = reads_per_key(&mut fx, &keys);
    assert_eq!(first, second, "the keys read more records once the store held more");
}

/// Adds `n` occupation records, copies of the last fund's, to that fund's
/// members (the funds list shows the first funds).
fn grow_far_from_the_screen(store: &Store, n: usize) {
    let all: Vec<OccupationRecord> = store.all().unwrap();
    let last_fund = all.iter().map(|r| r.fund_id).max().unwrap();
    let model: Vec<&OccupationRecord> = all.iter().filter(|r| r.fund_id == last_fund).collect();
    let new: Vec<OccupationRecord> = (0..n)
        .map(|i| {
            let mut r = model[i % model.len()].clone();
            r.id = 0;
            r.version = 0;
            r
        })
        .collect();
    for saved in store.save_each("tester", &new) {
        saved.expect("a copy of a record saves");
    }
}

/// The list one pass of the Occupations search finds for `query` (the
/// default slice holds the district demo whole), with the search line
/// closed again.
fn one_pass(fx: &mut Fixture, query: &str) -> Vec<u32> {
    fx.press(KeyCode::Char('/'));
    fx.type_str(query);
    assert!(!fx.app.occ.is_searching());
    assert!(!fx.app.occ.view.is_empty(), "nothing matches {query}");
    let found = fx.app.occ.view.to_vec();
    fx.press(KeyCode::Esc);
    found
}

/// The Occupations search on a catalog larger than a keystroke's slice: each
/// keystroke, and each tick between keystrokes, looks at no more rows than
/// the slice, however many the catalog holds; the screen says how far the
/// search is; and what it finds in the end is what one pass finds.
#[test]
fn a_search_looks_at_a_slice_of_rows_per_keystroke_and_finds_them_all() {
    use sammachip::app::Action;
    let mut fx = Fixture::new(Lang::Th);
    fx.press(KeyCode::Char('3'));
    let total = fx.app.occ.total;
    let slice = 1_000;
    assert!(total > 4 * slice, "{total} records");
    // The answers of one pass.
    let whole = [one_pass(&mut fx, "ส"), one_pass(&mut fx, "สม")];
    assert!(whole[1].len() < whole[0].len());

    fx.app.occ.set_slice(slice);
    let finish = |fx: &mut Fixture| {
        let mut ticks = 0;
        while fx.app.occ.is_searching() {
            fx.app.update(Action::Tick, &fx.store);
            assert!(
                fx.app.occ.rows_looked_at <= slice,
                "a tick looked at {} rows",
                fx.app.occ.rows_looked_at
            );
            ticks += 1;
            assert!(ticks <= total / slice + 1, "the search does not end");
        }
        ticks
    };
    // A letter: a slice now, the rest between keystrokes.
    fx.press(KeyCode::Char('/'));
    fx.type_str("ส");
    assert_eq!(fx.app.occ.rows_looked_at, slice);
    assert!(fx.app.occ.is_searching());
    assert!(fx.screen().contains("กำลังค้นหา"), "{}", fx.screen());
    let ticks = finish(&mut fx);
    assert!(ticks >= total / slice - 1, "{ticks} ticks for {total} rows");
    assert_eq!(fx.app.occ.view, whole[0]);
    assert!(!fx.screen().contains("กำลังค้นหา"));
    // One more letter narrows what the first found, a slice at a time.
    fx.type_str("ม");
    assert!(fx.app.occ.rows_looked_at <= slice);
    finish(&mut fx);
    assert_eq!(fx.app.occ.view, whole[1]);
    // Letters typed faster than the search: each keystroke still looks at
    // one slice, and a move waits for the whole list.
    fx.press(KeyCode::Esc);
    fx.press(KeyCode::Char('/'));
    for c in ["ส", "ม"] {
        fx.type_str(c);
        assert_eq!(fx.app.occ.rows_looked_at, slice);
        assert!(fx.app.occ.is_searching());
    }
    fx.press(KeyCode::Down);
    assert!(!fx.app.occ.is_searching());
    assert_eq!(fx.app.occ.view, whole[1]);
    assert_eq!(fx.app.occ.pos.cursor, 1);
}

/// The event loop goes on with a search between keystrokes without waiting
/// (a zero timeout while it lasts, the usual second after), and draws its
/// progress: the officer sees the list fill without pressing anything.
#[test]
fn the_event_loop_goes_on_with_a_search_without_a_key() {
    use crossterm::event::{Event, KeyEvent, KeyModifiers};
    use sammachip::front::{self, Frontend, Input, Next};
    use std::{io, time::Duration};

    struct Script {
        keys: Vec<char>,
        waits: Vec<Duration>,
        frames: usize,
    }
    impl Frontend for Script {
        fn next(&mut self, timeout: Duration) -> io::Result<Next> {
            self.waits.push(timeout);
            if !self.keys.is_empty() {
                let c = self.keys.remove(0);
                let key = KeyEvent::new(crossterm::event::KeyCode::Char(c), KeyModifiers::NONE);
                return Ok(Next::Inputs(vec![Input::Event(Event::Key(key))]));
            }
            // Once the search has ended the loop waits as usual: the script ends.
            Ok(if timeout.is_zero() { Next::Timeout } else { Next::Closed })
        }
        fn draw(&mut self, _app: &sammachip::app::App) -> io::Result<()> {
            self.frames += 1;
            Ok(())
        }
    }

    let mut fx = Fixture::new(Lang::Th);
    fx.press(KeyCode::Char('3'));
    let total = fx.app.occ.total;
    let whole = one_pass(&mut fx, "ส");
    fx.press(KeyCode::Char('/'));

    let slice = 500;
    fx.app.occ.set_slice(slice);
    let mut script = Script { keys: vec!['ส'], waits: Vec::new(), frames: 0 };
    let store = std::sync::Arc::clone(&fx.store);
    let end = front::run(&mut script, &mut fx.app, &store, None).unwrap();
    assert_eq!(end, front::End::Left("client left"));
    assert!(!fx.app.occ.is_searching());
    assert_eq!(fx.app.occ.view, whole);
    // After the key: a zero wait for each slice but the first, then the
    // usual wait once the search is done.
    let zero = script.waits.iter().filter(|w| w.is_zero()).count();
    assert_eq!(zero, total.div_ceil(slice) - 1, "{:?}", script.waits);
    assert!(!script.waits.last().unwrap().is_zero());
    // A frame for each slice, so the count grows on screen.
    assert!(script.frames >= zero, "{} frames for {zero} slices", script.frames);
}

/// A record saved (by another officer of the server) while a search goes
/// through the rows: the search starts again on the new rows and finds it.
#[test]
fn a_search_starts_again_when_the_rows_change_under_it() {
    use sammachip::app::Action;
    let mut fx = Fixture::new(Lang::Th);
    fx.press(KeyCode::Char('3'));
    let total = fx.app.occ.total;
    fx.app.occ.set_slice(1_000);
    fx.press(KeyCode::Char('/'));
    fx.type_str("ส");
    assert!(fx.app.occ.is_searching());
    // Another session's save, as the server's shared catalog takes it.
    let all: Vec<OccupationRecord> = fx.store.all().unwrap();
    let mut new = all.iter().find(|r| r.member_name.contains('ส')).unwrap().clone();
    new.id = all.iter().map(|r| r.id).max().unwrap() + 1;
    let row = {
        let mut cat = fx.app.sh.catalog.write().unwrap();
        cat.upsert(&new);
        cat.rows.len() as u32 - 1
    };
    let mut ticks = 0;
    while fx.app.occ.is_searching() {
        fx.app.update(Action::Tick, &fx.store);
        ticks += 1;
        assert!(ticks < 100, "the search does not end");
    }
    assert_eq!(fx.app.occ.total, total + 1);
    assert!(fx.app.occ.view.contains(&row), "the new record is not found");
    // It went through every row again: as many ticks as a whole search.
    assert!(ticks >= total / 1_000, "{ticks} ticks");
}

/// On a screen a slice also ends with its time (the event loop asks for
/// `SLICE_TIME`), looked at every `CLOCK_EVERY` rows: with no time at all,
/// each keystroke and tick looks at that many rows, and the list found is
/// the same.
#[test]
fn a_slice_also_ends_with_its_time() {
    use sammachip::app::{Action, occupations::CLOCK_EVERY};
    let mut fx = Fixture::new(Lang::Th);
    fx.press(KeyCode::Char('3'));
    let total = fx.app.occ.total;
    assert!(total > CLOCK_EVERY, "{total} records");
    let whole = one_pass(&mut fx, "ส");
    fx.press(KeyCode::Char('/'));
    fx.app.occ.set_time_per_slice(Some(std::time::Duration::ZERO));
    fx.type_str("ส");
    assert_eq!(fx.app.occ.rows_looked_at, CLOCK_EVERY);
    assert!(fx.app.occ.is_searching());
    while fx.app.occ.is_searching() {
        fx.app.update(Action::Tick, &fx.store);
        assert!(fx.app.occ.rows_looked_at <= CLOCK_EVERY);
    }
    assert_eq!(fx.app.occ.view, whole);
}

/// The whole list (no query, no filter) is the catalog's order itself: no
/// row is looked at and none copied, however many the catalog holds, and
/// Backspace to a shorter query takes the list kept for it, not a copy. Its
/// rows are every live record, once each.
#[test]
fn the_whole_list_and_a_shorter_query_look_at_no_rows() {
    use sammachip::app::Action;
    let mut fx = Fixture::new(Lang::Th);
    fx.press(KeyCode::Char('3'));
    fx.app.occ.set_slice(1_000);
    assert!(fx.app.occ.view.is_shared());
    let total = fx.app.occ.total;
    assert_eq!(fx.app.occ.view.len(), total);
    let mut every = fx.app.occ.view.to_vec();
    every.sort_unstable();
    every.dedup();
    assert_eq!(every.len(), total);
    fx.press(KeyCode::Char('/'));
    fx.type_str("ส");
    while fx.app.occ.is_searching() {
        fx.app.update(Action::Tick, &fx.store);
    }
    let s = fx.app.occ.view.to_vec();
    fx.type_str("ม");
    while fx.app.occ.is_searching() {
        fx.app.update(Action::Tick, &fx.store);
    }
    fx.press(KeyCode::Backspace);
    assert_eq!((fx.app.occ.rows_looked_at, fx.app.occ.view.is_shared()), (0, true));
    assert_eq!(fx.app.occ.view, s);
    fx.press(KeyCode::Backspace);
    assert_eq!((fx.app.occ.rows_looked_at, fx.app.occ.view.len()), (0, total));
    assert!(fx.app.occ.view.is_shared());
}
