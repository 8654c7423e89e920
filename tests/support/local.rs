//! The real binary on a local terminal, the way an officer's terminal drives
//! it: what is typed survives a restart, a small window, a held store. Each
//! scenario takes `launch`, which starts `sammachip --db DB` in a fresh
//! 80×24 window (UTF-8, xterm-256color) that stays readable after it exits;
//! `tests/e2e_pty.rs` runs them in a pseudo-terminal, `tests/e2e_tmux.rs` in
//! tmux.
#![allow(dead_code)]

use std::{
    path::{Path, PathBuf},
    process::Command,
    time::Duration,
};

use super::window::Window;

const BIN: &str = env!("CARGO_BIN_EXE_sammachip");

/// A copy of the district demo as the binary writes it, in `dir`.
pub fn demo_store(dir: &Path) -> PathBuf {
    let db = dir.join("store");
    crate::common::copy_dir(crate::common::binary_demo(), &db);
    db
}

/// Waits for the first screen and goes to the Funds tab (the app opens on
/// the Overview).
fn start<W: Window>(mut w: W) -> W {
    w.wait_for("ภาพรวมจังหวัด");
    w.keys(&["2"]);
    w
}

fn quit<W: Window>(w: &mut W) {
    w.keys(&["q"]);
    w.wait_ended(Duration::from_secs(10));
}

pub fn a_fund_created_in_the_form_is_there_after_a_restart<W: Window>(launch: &dyn Fn(&Path) -> W) {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_store(dir.path());
    let mut t = start(launch(&db));
    t.wait_for("กองทุน 120/120");

    t.keys(&["n"]);
    t.wait_for("เพิ่มกองทุน");
    t.keys(&["C-u"]);
    t.text("33010150");
    t.keys(&["Tab"]);
    t.text("กองทุนทดสอบที่น้ำใส");
    t.keys(&["Tab", "Tab", "Tab"]);
    t.text("๑/๔/๒๕๔๔");
    t.keys(&["C-s"]);
    let screen = t.wait_for("บันทึกแล้ว (33010150)");
    assert!(screen.contains("กองทุน 121/121"), "{screen}");
    quit(&mut t);
    drop(t);

    let mut t = start(launch(&db));
    t.wait_for("กองทุน 121/121");
    t.keys(&["/"]);
    t.text("น้ำใส");
    let screen = t.wait_for("กองทุน 1/121");
    assert!(screen.contains("33010150 กองทุนทดสอบที่น้ำใส"), "{screen}");
    t.keys(&["Enter", "Enter"]);
    let screen = t.wait_for("วันที่จัดตั้ง 1 เม.ย. 2544");
    assert!(screen.contains("ทุนรวม 0.00 บาท"), "{screen}");
    t.keys(&["Escape"]);
    quit(&mut t);
}

pub fn a_window_below_80x24_gets_a_polite_message_and_recovers<W: Window>(launch: &dyn Fn(&Path) -> W) {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_store(dir.path());
    let mut t = start(launch(&db));
    t.wait_for("กองทุน 120/120");
    t.resize(60, 20);
    t.wait_for("หน้าจอเล็กเกินไป");
    t.resize(100, 30);
    let screen = t.wait_for("กองทุน 120/120");
    assert_eq!(screen.lines().next().map(|l| l.chars().count() > 60), Some(true));
    quit(&mut t);
}

pub fn a_second_process_on_a_held_store_is_told_so<W: Window>(launch: &dyn Fn(&Path) -> W) {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_store(dir.path());
    let mut t = start(launch(&db));
    t.wait_for("กองทุน 120/120");

    let out = Command::new(BIN).arg("--db").arg(&db).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("กำลังถูกใช้งานโดยโปรแกรม sammachip อื่น"), "{err}");
    assert!(err.contains("is in use by another sammachip"), "{err}");
    assert!(!err.contains("WouldBlock") && !err.contains("panicked"), "{err}");
    quit(&mut t);
}

// Issue 18: `sammachip backup` while the officer's app had the store open
// failed, with English in the Thai line ("no server answers on
// …/control.sock: No such file or directory (os error 2)").
pub fn a_backup_while_the_app_is_open_is_written_by_the_app<W: Window>(launch: &dyn Fn(&Path) -> W) {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_store(dir.path());
    let mut t = start(launch(&db));
    t.wait_for("กองทุน 120/120");

    let file = dir.path().join("while-open.backup");
    let out = Command::new(BIN).arg("--db").arg(&db).arg("backup").arg(&file).output().unwrap();
    let said = String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{said}");
    assert!(file.exists(), "{said}");
    // The backup is whole: a new store made from it holds the 120 funds.
    let copy = dir.path().join("restored");
    let out = Command::new(BIN).arg("--db").arg(&copy).arg("restore").arg(&file).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let out = Command::new(BIN).arg("--db").arg(&copy).args(["check"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));
    let store = sammachip::store::Store::open(&copy).unwrap();
    assert_eq!(store.count::<sammachip::domain::fund::Fund>().unwrap(), 120);
    drop(store);
    quit(&mut t);
    // After the app has ended, its socket is gone and the store is backed
    // up directly.
    assert!(!db.join("control.sock").exists());
    let again = dir.path().join("after.backup");
    let out = Command::new(BIN).arg("--db").arg(&db).arg("backup").arg(&again).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

pub fn a_member_a_loan_and_an_occupation_typed_in_thai_survive_a_restart<W: Window>(
    launch: &dyn Fn(&Path) -> W,
) {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_store(dir.path());
    let mut t = start(launch(&db));
    t.wait_for("กองทุน 120/120");
    // The first fund's members, then a new member.
    t.keys(&["Enter"]);
    t.wait_for("สมาชิก ");
    t.keys(&["m"]);
    t.wait_for("ค้นหาชื่อหรือเลขประจำตัว");
    t.keys(&["n"]);
    t.wait_for("เพิ่มสมาชิก");
    t.keys(&["C-u"]);
    t.text("นาง");
    t.keys(&["Tab"]);
    t.text("ทองม้วน");
    t.keys(&["Tab"]);
    t.text("ศรีสุขใจ");
    t.keys(&["Tab"]);
    t.text("๑-๑๐๑๗-๐๐๒๓๐-๗๐-๘");
    t.keys(&["C-s"]);
    t.wait_for("บันทึกแล้ว (นางทองม้วน ศรีสุขใจ)");
    // Open her and lend her 25,000 baht.
    t.keys(&["Enter"]);
    t.wait_for("นางทองม้วน ศรีสุขใจ (");
    t.keys(&["n"]);
    t.wait_for("เพิ่มสัญญาเงินกู้");
    t.text("25,000");
    t.keys(&["Tab", "C-u"]);
    t.text("5");
    t.keys(&["C-s"]);
    t.wait_for("25,000");
    // And her occupation.
    t.keys(&["o"]);
    t.wait_for("เพิ่มข้อมูลอาชีพของ นางทองม้วน ศรีสุขใจ");
    t.keys(&["Tab"]);
    t.text("ทอผ้าไหมมัดหมี่");
    for amount in ["", "", "48000", "40000", "1000", "96000", "60000", "15000"] {
        t.keys(&["Tab"]);
        if !amount.is_empty() {
            t.text(amount);
        }
    }
    t.keys(&["C-s"]);
    t.wait_for("อาชีพ 1");
    quit(&mut t);
    drop(t);

    let mut t = start(launch(&db));
    t.wait_for("กองทุน 120/120");
    t.keys(&["3"]);
    t.wait_for("อาชีพ ");
    t.keys(&["/"]);
    t.text("ทองม้วน ศรีสุขใจ");
    let screen = t.wait_for("นางทองม้วน ศรีสุขใจ");
    assert!(screen.contains("48→96"), "{screen}");
    t.keys(&["Enter", "Enter"]);
    let screen = t.wait_for("ทอผ้าไหมมัดหมี่");
    assert!(screen.contains("25,000"), "{screen}");
    assert!(screen.contains("สัมมาชีพเข้มแข็ง"), "{screen}");
    t.keys(&["Escape"]);
    quit(&mut t);
}

pub fn a_sage_assigned_from_a_household_is_still_there_after_a_restart<W: Window>(
    launch: &dyn Fn(&Path) -> W,
) {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_store(dir.path());
    let mut t = start(launch(&db));
    t.wait_for("กองทุน 120/120");
    // The households selected for coaching, the first one opened.
    t.keys(&["3"]);
    t.wait_for("อาชีพ 10,");
    t.keys(&["t"]);
    t.wait_for("เลือกระยะ");
    t.text("ได้รับ");
    t.keys(&["Enter"]);
    t.wait_for("ได้รับการพัฒนา");
    t.keys(&["Enter"]);
    t.wait_for("เริ่มอาชีพปี");
    t.keys(&["s"]);
    t.wait_for("ปราชญ์สำหรับ");
    // The second suggestion: the first may be the sage the household has.
    t.keys(&["Down", "Enter"]);
    // A household that had a sage already is moved after a question.
    let assigned = |s: &str| s.lines().any(|l| l.contains("มอบหมาย ") && l.contains(" ดูแล "));
    let screen = t.wait_until("the question or the assignment", Duration::from_secs(20), &|s| {
        s.contains("ใช่หรือไม่") || assigned(s)
    });
    if screen.contains("ใช่หรือไม่") {
        t.keys(&["y"]);
    }
    let screen = t.wait_until("the assignment", Duration::from_secs(20), &assigned);
    let status = screen.lines().rev().find(|l| l.contains("มอบหมาย")).unwrap_or_else(|| panic!("{screen}"));
    let sage =
        status.split("มอบหมาย ").nth(1).and_then(|s| s.split(" ดูแล ").next()).unwrap().trim().to_string();
    let screen = t.wait_for(&format!("ปราชญ์ {sage} (วางแผนแล้ว"));
    assert!(screen.contains("เยี่ยม 0 ครั้ง"), "{screen}");
    quit(&mut t);
    drop(t);

    // After a restart the household still names its sage, whose load counts it.
    let mut t = start(launch(&db));
    t.wait_for("กองทุน 120/120");
    t.keys(&["3"]);
    t.wait_for("อาชีพ 10,");
    t.keys(&["t"]);
    t.wait_for("เลือกระยะ");
    t.text("ได้รับ");
    t.keys(&["Enter"]);
    t.wait_for("ได้รับการพัฒนา");
    t.keys(&["Enter"]);
    t.wait_for(&format!("ปราชญ์ {sage} (วางแผนแล้ว"));
    t.keys(&["5"]);
    t.wait_for("ปราชญ์ 50/50");
    t.keys(&["/"]);
    t.text(&sage);
    t.keys(&["Enter", "Enter"]);
    let screen = t.wait_for("วางแผนแล้ว");
    assert!(screen.contains(&sage), "{screen}");
    quit(&mut t);
}
