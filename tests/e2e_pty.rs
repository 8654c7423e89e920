//! The real binary driven the way an officer's terminal drives it, in a
//! pseudo-terminal of its own read through a terminal emulator (no tmux
//! needed: `tests/e2e_tmux.rs` runs the same scenarios in tmux), and its
//! command line on locked and damaged stores.

mod common;
#[path = "support/local.rs"]
mod local;
#[path = "support/pty.rs"]
mod pty;
#[path = "support/window.rs"]
mod window;

use std::{path::Path, process::Command};

use common::BIN;
use pty::Pty;

fn launch(db: &Path) -> Pty {
    Pty::spawn(BIN, &["--db".as_ref(), db.as_os_str()], db.parent().unwrap())
}

#[test]
fn a_fund_created_in_the_form_is_there_after_a_restart() {
    local::a_fund_created_in_the_form_is_there_after_a_restart(&launch);
}

#[test]
fn a_window_below_80x24_gets_a_polite_message_and_recovers() {
    local::a_window_below_80x24_gets_a_polite_message_and_recovers(&launch);
}

#[test]
fn a_second_process_on_a_held_store_is_told_so() {
    local::a_second_process_on_a_held_store_is_told_so(&launch);
}

#[cfg(unix)]
#[test]
fn opening_is_cancelled_by_ctrl_c_and_keeps_the_keys_typed_meanwhile() {
    local::opening_is_cancelled_by_ctrl_c_and_keeps_the_keys_typed_meanwhile(&launch);
}

#[test]
fn a_backup_while_the_app_is_open_is_written_by_the_app() {
    local::a_backup_while_the_app_is_open_is_written_by_the_app(&launch);
}

#[test]
fn a_member_a_loan_and_an_occupation_typed_in_thai_survive_a_restart() {
    local::a_member_a_loan_and_an_occupation_typed_in_thai_survive_a_restart(&launch);
}

#[test]
fn a_sage_assigned_from_a_household_is_still_there_after_a_restart() {
    local::a_sage_assigned_from_a_household_is_still_there_after_a_restart(&launch);
}

#[test]
fn a_damaged_store_gets_a_message_and_a_way_out() {
    let dir = tempfile::tempdir().unwrap();
    let db = local::demo_store(dir.path());
    let data = db.join("db");
    let len = std::fs::metadata(&data).unwrap().len();
    std::fs::OpenOptions::new().write(true).open(&data).unwrap().set_len(len / 2).unwrap();

    let out = Command::new(BIN).arg("--db").arg(&db).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{err}");
    assert!(err.contains("เสียหาย") && err.contains("sammachip restore"), "{err}");
    assert!(err.contains("is damaged"), "{err}");
    assert!(!err.contains("panicked") && !err.contains("RUST_BACKTRACE"), "{err}");
}

#[test]
fn demo_refuses_a_store_that_holds_data_unless_told_to_replace() {
    let dir = tempfile::tempdir().unwrap();
    let db = local::demo_store(dir.path());
    let out = Command::new(BIN).arg("--db").arg(&db).args(["demo", "--scale", "district"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--replace"));
    let out = Command::new(BIN)
        .arg("--db")
        .arg(&db)
        .args(["demo", "--scale", "district", "--replace"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stderr).contains("120"));
}

#[test]
fn undo_steps_back_whole_and_big_ranks_show_whole() {
    local::undo_steps_back_whole_and_big_ranks_show_whole(&launch);
}

#[test]
fn a_paste_is_text_never_keys() {
    local::a_paste_is_text_never_keys(&launch);
}

#[test]
fn a_collection_day_on_one_fund() {
    local::a_collection_day_on_one_fund(&launch);
}
