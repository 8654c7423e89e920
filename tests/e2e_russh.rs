//! `sammachip serve` as officers reach it, with an in-process russh client
//! whose output a terminal emulator (vt100) reads: what a PuTTY window would
//! show, without outside programs (`tests/e2e_ssh.rs` runs the same
//! scenarios with the OpenSSH client in tmux). Also the server's own
//! life: SIGTERM, backups through it and on its own.
//!
//! Unix only: the server under test is stopped with Unix signals
//! (`tests/support/ssh.rs`).

#![cfg(unix)]

mod common;
#[path = "support/officers.rs"]
mod officers;
#[path = "support/ssh.rs"]
mod ssh;
#[path = "support/window.rs"]
mod window;

use std::{
    process::Command,
    time::{Duration, Instant},
};

use officers::{Client, Russh, Served};
use ssh::{BIN, run};
use window::Window;

#[test]
fn two_officers_one_saves_the_other_sees_it_and_a_stale_form_is_refused() {
    officers::two_officers_one_saves_the_other_sees_it_and_a_stale_form_is_refused(&Russh);
}

#[test]
fn a_dropped_link_keeps_the_session_and_the_next_login_resumes_it() {
    officers::a_dropped_link_keeps_the_session_and_the_next_login_resumes_it(&Russh);
}

#[test]
fn an_import_cut_off_is_told_to_its_officer_at_the_next_login() {
    officers::an_import_cut_off_is_told_to_its_officer_at_the_next_login(&Russh);
}

#[test]
fn a_second_login_chooses_to_take_over_or_start_anew() {
    officers::a_second_login_chooses_to_take_over_or_start_anew(&Russh);
}

#[test]
fn unknown_and_disabled_keys_are_refused() {
    officers::unknown_and_disabled_keys_are_refused(&Russh);
}

#[test]
fn a_viewer_and_a_district_officer_are_refused_with_the_reason() {
    officers::a_viewer_and_a_district_officer_are_refused_with_the_reason(&Russh);
}

#[test]
fn a_paste_is_text_never_keys() {
    officers::a_paste_is_text_never_keys(&Russh);
}

#[test]
fn the_screen_follows_a_resize_and_f_keys_and_thai_typing_work() {
    officers::the_screen_follows_a_resize_and_f_keys_and_thai_typing_work(&Russh);
}

#[test]
fn a_failing_session_ends_alone_with_a_message() {
    officers::a_failing_session_ends_alone_with_a_message(&Russh);
}

#[test]
fn an_idle_logout_keeps_what_was_typed_for_the_next_login() {
    officers::an_idle_logout_keeps_what_was_typed_for_the_next_login(&Russh);
}

#[test]
fn idle_sessions_are_closed_and_the_session_cap_holds() {
    officers::idle_sessions_are_closed_and_the_session_cap_holds(&Russh);
}

#[test]
fn the_server_flushes_and_stops_on_sigterm_and_the_store_opens_locally() {
    let mut served = Served::start();
    let db = served.db();
    served.server.wait_accepting();
    served.server.terminate();
    let start = Instant::now();
    loop {
        if let Ok(Some(status)) = served.server.child.try_wait() {
            assert!(status.success(), "{status:?}");
            break;
        }
        assert!(start.elapsed() < Duration::from_secs(10), "the server did not stop");
        std::thread::sleep(Duration::from_millis(10));
    }
    assert!(served.log().contains("store flushed"), "{}", served.log());
    assert!(!db.join("serving").exists());
    let out = Command::new(BIN).arg("--db").arg(&db).args(["user", "list"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("kanharom\tdistrict 3302"));
}

#[test]
fn a_backup_of_a_served_store_goes_through_the_server_and_restores_clean() {
    let served = Served::start();
    let file = served.dir.path().join("through-server.backup");
    let out = Command::new(BIN).arg("--db").arg(served.db()).arg("backup").arg(&file).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(served.log().contains("asked on the control socket"), "{}", served.log());
    let restored = served.dir.path().join("restored");
    run(Command::new(BIN).arg("--db").arg(&restored).arg("restore").arg(&file));
    let out = run(Command::new(BIN).arg("--db").arg(&restored).arg("check"));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no problems"));
    // The restored store has the officers the server knows.
    let out = run(Command::new(BIN).arg("--db").arg(&restored).args(["user", "list"]));
    assert!(String::from_utf8_lossy(&out.stdout).contains("kanharom"));
}

#[test]
fn the_server_backs_up_on_its_own_and_keeps_the_newest() {
    let dir = tempfile::tempdir().unwrap();
    let backups = dir.path().join("backups");
    let b = backups.display().to_string();
    let served =
        Served::start_with(&["--backup-every-seconds", "1", "--keep-backups", "2", "--backup-dir", &b], &[]);
    let start = Instant::now();
    loop {
        let log = served.log();
        if log.matches("daily backup ").count() >= 4 && log.contains("removed") {
            break;
        }
        assert!(start.elapsed() < Duration::from_secs(30), "{log}");
        std::thread::sleep(Duration::from_millis(50));
    }
    let mut files: Vec<_> =
        std::fs::read_dir(&backups).unwrap().filter_map(Result::ok).map(|e| e.path()).collect();
    files.retain(|p| p.extension().is_some_and(|e| e == "backup"));
    assert!(files.len() <= 3 && files.len() >= 2, "{files:?}");
    files.sort();
    let restored = dir.path().join("restored");
    run(Command::new(BIN).arg("--db").arg(&restored).arg("restore").arg(files.last().unwrap()));
    let out = run(Command::new(BIN).arg("--db").arg(&restored).arg("check"));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no problems"));
}

#[test]
fn committees_over_ssh_see_and_keep_their_own() {
    officers::committees_over_ssh_see_and_keep_their_own(&Russh);
}

/// 50 sessions of one officer (each a second login choosing "new"), their
/// links all dropped: kept, then ended after the keep time. Prints the
/// server's resident memory at each point (the figures in the issue note).
#[test]
fn fifty_kept_sessions_are_ended_and_freed_after_the_keep_time() {
    let served = Served::start_with(&["--keep-seconds", "8", "--max-sessions", "60"], &[]);
    served.server.wait_accepting();
    let rss_start = served.server.rss_kb();
    let mut windows = Vec::new();
    for i in 0..50 {
        let mut w = Russh.open(&served, "malee");
        if i > 0 {
            w.wait_for("คุณเปิดหน้าจอนี้อยู่แล้ว");
            w.keys(&["2"]);
        }
        w.wait_for("ภาพรวมจังหวัด");
        w.keys(&["3"]);
        w.wait_for("┌ อาชีพ 1");
        windows.push(w);
    }
    let rss_open = served.server.rss_kb();
    for w in &mut windows {
        w.cut();
    }
    let start = Instant::now();
    while served.log().matches("kept (").count() < 50 {
        assert!(start.elapsed() < Duration::from_secs(20), "{}", served.log());
        std::thread::sleep(Duration::from_millis(50));
    }
    let rss_kept = served.server.rss_kb();
    while !served.log().contains("0 sessions kept for a resume, 0 in all") {
        assert!(start.elapsed() < Duration::from_secs(60), "{}", served.log());
        std::thread::sleep(Duration::from_millis(100));
    }
    std::thread::sleep(Duration::from_millis(500));
    let rss_after = served.server.rss_kb();
    eprintln!(
        "server resident memory: start {rss_start} kB, 50 sessions {rss_open} kB, 50 kept {rss_kept} kB, \
         after the keep time {rss_after} kB"
    );
    assert_eq!(served.log().matches("ended (client left)").count(), 50, "{}", served.log());
    // A login now starts anew: nothing of the 50 is left to resume.
    let mut w = Russh.open(&served, "malee");
    let s = w.wait_for("ภาพรวมจังหวัด");
    assert!(!s.contains("ต่อหน้าจอเดิม"), "{s}");
}
