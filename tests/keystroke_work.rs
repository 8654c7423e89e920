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
