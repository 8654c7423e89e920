//! Damaged stores: truncated files, flipped bytes, a zeroed block, a damaged
//! snapshot, a cut config. Every case ends with a clear message that names
//! the way out (restore from a backup) or with a clean check when the damage
//! hit nothing in use; never a panic, an abort or a hang; and the backup made
//! before restores a clean store.

use std::{
    path::{Path, PathBuf},
    process::{Command, Output},
    sync::OnceLock,
    time::{Duration, Instant},
};

mod common;

use common::copy_dir;

const BIN: &str = env!("CARGO_BIN_EXE_sammachip");

/// The district demo as the binary writes it and a backup of it, made once
/// per build of the code (`common::cached`).
fn template() -> &'static (PathBuf, PathBuf) {
    static T: OnceLock<(PathBuf, PathBuf)> = OnceLock::new();
    T.get_or_init(|| {
        let today = sammachip::domain::Date::today();
        let dir = common::cached(&format!("binary-district-backup-{today:?}"), |dir| {
            let db = dir.join("store");
            copy_dir(common::binary_demo(), &db);
            let backup = dir.join("store.backup");
            let out = Command::new(BIN).arg("--db").arg(&db).arg("backup").arg(&backup).output().unwrap();
            assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        });
        (dir.join("store"), dir.join("store.backup"))
    })
}

/// Runs `sammachip --db DB check` with a time limit.
fn check(db: &Path) -> Output {
    let mut child = Command::new(BIN)
        .arg("--db")
        .arg(db)
        .arg("check")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > Duration::from_secs(90) {
            let _ = child.kill();
            panic!("check hung on {}", db.display());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    child.wait_with_output().unwrap()
}

/// The outcome of a damaged store: clean, or a message with the way out.
fn assert_told(case: &str, out: &Output) {
    let err = String::from_utf8_lossy(&out.stderr);
    let code = out.status.code();
    assert!(code.is_some(), "{case}: killed by a signal (abort?): {:?}\n{err}", out.status);
    assert!(!err.contains("panicked") && !err.contains("RUST_BACKTRACE"), "{case}: {err}");
    // No developer's text: sled's and Rust's debug forms.
    for raw in ["Some(", "Inline(", "backtrace", "Os {", "kind:"] {
        assert!(!err.contains(raw), "{case}: raw text {raw:?} reached the officer:\n{err}");
    }
    match code {
        Some(0) => assert!(err.contains("no problems"), "{case}: {err}"),
        // Damaged at open (3), problems found (5), a store error (1).
        Some(3 | 5 | 1) => assert!(
            err.contains("restore") || err.contains("--repair") || err.contains("กู้คืน"),
            "{case}: no way out named:\n{err}"
        ),
        other => panic!("{case}: exit {other:?}\n{err}"),
    }
}

/// A copy of the template store named `name`, in a directory of its own.
fn copy_of_template(name: &str) -> (tempfile::TempDir, PathBuf) {
    let (db, _) = template();
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join(name);
    copy_dir(db, &copy);
    (dir, copy)
}

fn damaged(name: &str, damage: impl FnOnce(&Path)) -> Output {
    let (_dir, copy) = copy_of_template(name);
    damage(&copy);
    check(&copy)
}

#[test]
fn truncated_data_file() {
    for frac in [0.1, 0.5, 0.9, 0.99] {
        let out = damaged("truncated", |db| {
            let f = db.join("db");
            let len = std::fs::metadata(&f).unwrap().len();
            std::fs::OpenOptions::new()
                .write(true)
                .open(&f)
                .unwrap()
                .set_len((len as f64 * frac) as u64)
                .unwrap();
        });
        assert_told(&format!("truncated to {frac}"), &out);
    }
}

#[test]
fn flipped_bytes_in_the_data_file() {
    let len = std::fs::metadata(template().0.join("db")).unwrap().len();
    for (i, at) in [len / 7, len / 3, len / 2, len * 2 / 3, len - 4096].into_iter().enumerate() {
        let out = damaged(&format!("flipped-{i}"), |db| {
            use std::io::{Read, Seek, SeekFrom, Write};
            let mut f = std::fs::OpenOptions::new().read(true).write(true).open(db.join("db")).unwrap();
            let mut buf = [0u8; 64];
            f.seek(SeekFrom::Start(at)).unwrap();
            f.read_exact(&mut buf).unwrap();
            for b in &mut buf {
                *b ^= 0x5a;
            }
            f.seek(SeekFrom::Start(at)).unwrap();
            f.write_all(&buf).unwrap();
        });
        assert_told(&format!("64 bytes flipped at {at}"), &out);
    }
}

#[test]
fn a_zeroed_block() {
    let len = std::fs::metadata(template().0.join("db")).unwrap().len();
    for at in [0, len / 4, len / 2] {
        let out = damaged("zeroed", |db| {
            use std::io::{Seek, SeekFrom, Write};
            let mut f = std::fs::OpenOptions::new().write(true).open(db.join("db")).unwrap();
            f.seek(SeekFrom::Start(at)).unwrap();
            f.write_all(&[0u8; 65_536]).unwrap();
        });
        assert_told(&format!("64 KiB zeroed at {at}"), &out);
    }
}

#[test]
fn a_damaged_snapshot_and_a_cut_config() {
    let out = damaged("snap", |db| {
        for e in std::fs::read_dir(db).unwrap() {
            let p = e.unwrap().path();
            if p.file_name().is_some_and(|n| n.to_string_lossy().starts_with("snap.")) {
                let mut bytes = std::fs::read(&p).unwrap();
                let n = bytes.len();
                for b in &mut bytes[n / 3..n / 3 + 32.min(n - n / 3)] {
                    *b ^= 0xff;
                }
                std::fs::write(&p, bytes).unwrap();
            }
        }
    });
    assert_told("damaged snapshot", &out);
    let out = damaged("conf", |db| {
        let f = db.join("conf");
        let len = std::fs::metadata(&f).unwrap().len();
        std::fs::OpenOptions::new().write(true).open(&f).unwrap().set_len(len / 2).unwrap();
    });
    assert_told("cut config", &out);
}

/// The way out works: the backup restores a clean store.
#[test]
fn the_backup_restores_a_clean_store() {
    let (_, backup) = template();
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("restored");
    let out = Command::new(BIN).arg("--db").arg(&target).arg("restore").arg(backup).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let out = check(&target);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
}

/// The other way out: `check --repair` says what it rebuilt and raised in
/// Thai and English, in the officers' words, each line within 80 columns
/// (it printed `rebuilt members_by_nid: 200` and `counter funds: 1 -> 121`).
#[test]
fn a_repair_says_what_it_did_in_both_languages() {
    use sammachip::store::{Store, trees};
    let (_dir, copy) = copy_of_template("store");
    {
        let store = Store::open(&copy).unwrap();
        let stats = store.raw_tree(trees::FUND_STATS).unwrap();
        let (first, _) = stats.first().unwrap().unwrap();
        stats.remove(first).unwrap();
        store.raw_tree(trees::META).unwrap().insert(b"next:funds", &1u64.to_be_bytes()).unwrap();
        store.sync().unwrap();
    }
    let out = Command::new(BIN).arg("--db").arg(&copy).args(["check", "--repair"]).output().unwrap();
    let said = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{said}\n{}", String::from_utf8_lossy(&out.stderr));
    for line in said.lines() {
        assert!(unicode_width::UnicodeWidthStr::width(line) <= 80, "over 80 columns: {line}");
        assert!(!line.contains('_') && !line.contains("->"), "an internal name reached the officer: {line}");
    }
    assert!(said.contains("สร้างยอดรวมของแต่ละกองทุนใหม่จากข้อมูลหลักแล้ว"), "{said}");
    assert!(said.contains("Rebuilt each fund's totals from the records"), "{said}");
    assert!(said.contains("เลื่อนตัวนับของกองทุน จาก 1 เป็น 121"), "{said}");
    assert!(said.contains("Raised the counter of funds from 1 to 121"), "{said}");
}

/// The count of acknowledged saves beside sled's files: saves sled lost are
/// refused with the way out; a byte of that file damaged (it had no check)
/// made a healthy store refuse to open, and now opens it with a word.
#[test]
fn the_acknowledged_count_tells_lost_saves_from_its_own_damage() {
    use sammachip::{domain::fund::Fund, store::Store};
    let (_dir, copy) = copy_of_template("store");
    {
        let store = Store::open(&copy).unwrap();
        store.save("t", &Fund { code: "33999901".into(), ..Default::default() }).unwrap();
    }
    let acked = copy.join("acked");
    let bytes = std::fs::read(&acked).unwrap();
    assert_eq!(bytes.len(), 16, "the number and its check");
    let next = u64::from_be_bytes(bytes[..8].try_into().unwrap());
    assert_eq!(u64::from_be_bytes(bytes[8..].try_into().unwrap()), !next);

    // One flipped byte: the store opens, says so, and is clean.
    let mut flipped = bytes.clone();
    flipped[0] ^= 0x01; // a count far ahead of the store
    std::fs::write(&acked, &flipped).unwrap();
    let out = check(&copy);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(err.contains("ไฟล์นับการบันทึก (acked) เสีย") && err.contains("(acked) was damaged"), "{err}");
    assert!(err.contains("no problems"), "{err}");

    // Saves acknowledged that the store does not have: refused, as before,
    // in the old eight-byte form as in the new.
    let ahead = next + 5;
    for file in [[ahead.to_be_bytes(), (!ahead).to_be_bytes()].concat(), ahead.to_be_bytes().to_vec()] {
        std::fs::write(&acked, &file).unwrap();
        let out = check(&copy);
        assert_eq!(out.status.code(), Some(3), "{}", String::from_utf8_lossy(&out.stderr));
        assert_told("saves lost", &out);
    }
}
