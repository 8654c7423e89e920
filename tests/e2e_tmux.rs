//! The real binary, driven through tmux the way an officer's terminal drives it,
//! and its command line on locked and damaged stores.

use std::{
    path::{Path, PathBuf},
    process::{Command, Output},
    thread::sleep,
    time::{Duration, Instant},
};

const BIN: &str = env!("CARGO_BIN_EXE_sammachip");

/// One tmux server of our own per test, so tests do not see each other.
struct Tmux {
    socket: String,
}

impl Tmux {
    fn new(name: &str) -> Self {
        let socket = format!("sammachip-e2e-{}-{name}", std::process::id());
        Self { socket }
    }

    fn cmd(&self, args: &[&str]) -> Output {
        Command::new("tmux")
            .arg("-L")
            .arg(&self.socket)
            .args(args)
            .output()
            .expect("tmux must be installed (.ci/run installs it)")
    }

    /// Starts the app in a fresh 80×24 window and goes to the Funds tab (it
    /// opens on the Overview); the pane stays after it exits.
    fn start(&self, db: &Path) {
        self.launch(db);
        self.wait_for("ภาพรวมจังหวัด");
        self.keys(&["2"]);
    }

    fn launch(&self, db: &Path) {
        let command = format!("{BIN} --db '{}'", db.display());
        let out = self.cmd(&[
            "new-session",
            "-d",
            "-s",
            "app",
            "-x",
            "80",
            "-y",
            "24",
            "-e",
            "LANG=C.UTF-8",
            "-e",
            "TERM=xterm-256color",
            &command,
        ]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        self.cmd(&["set-option", "-t", "app", "remain-on-exit", "on"]);
    }

    fn keys(&self, keys: &[&str]) {
        for k in keys {
            self.cmd(&["send-keys", "-t", "app", k]);
            // A pause between keys, so Esc followed by a letter is not read as Alt.
            sleep(Duration::from_millis(60));
        }
    }

    fn text(&self, s: &str) {
        self.cmd(&["send-keys", "-t", "app", "-l", s]);
        sleep(Duration::from_millis(60));
    }

    fn screen(&self) -> String {
        String::from_utf8_lossy(&self.cmd(&["capture-pane", "-p", "-t", "app"]).stdout).into_owned()
    }

    fn wait_for(&self, needle: &str) -> String {
        let start = Instant::now();
        loop {
            let s = self.screen();
            if s.contains(needle) {
                return s;
            }
            assert!(start.elapsed() < Duration::from_secs(20), "waited for {needle:?}; screen:\n{s}");
            sleep(Duration::from_millis(100));
        }
    }

    fn wait_exit(&self) {
        let start = Instant::now();
        loop {
            let out = self.cmd(&["display-message", "-p", "-t", "app", "#{pane_dead}"]);
            if String::from_utf8_lossy(&out.stdout).trim() == "1" {
                return;
            }
            assert!(start.elapsed() < Duration::from_secs(10), "the app did not exit:\n{}", self.screen());
            sleep(Duration::from_millis(100));
        }
    }

    fn kill(&self) {
        self.cmd(&["kill-server"]);
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        self.kill();
    }
}

fn demo_store(dir: &Path) -> PathBuf {
    let db = dir.join("store");
    let out =
        Command::new(BIN).args(["--db"]).arg(&db).args(["demo", "--scale", "district"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    db
}

#[test]
fn a_fund_created_in_the_form_is_there_after_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_store(dir.path());
    let tmux = Tmux::new("create");
    tmux.start(&db);
    tmux.wait_for("กองทุน 120/120");

    tmux.keys(&["n"]);
    tmux.wait_for("เพิ่มกองทุน");
    tmux.keys(&["C-u"]);
    tmux.text("33010150");
    tmux.keys(&["Tab"]);
    tmux.text("กองทุนทดสอบที่น้ำใส");
    tmux.keys(&["Tab", "Tab", "Tab"]);
    tmux.text("๑/๔/๒๕๔๔");
    tmux.keys(&["C-s"]);
    let screen = tmux.wait_for("บันทึกแล้ว (33010150)");
    assert!(screen.contains("กองทุน 121/121"), "{screen}");
    tmux.keys(&["q"]);
    tmux.wait_exit();
    tmux.kill();

    let tmux = Tmux::new("reopen");
    tmux.start(&db);
    tmux.wait_for("กองทุน 121/121");
    tmux.keys(&["/"]);
    tmux.text("น้ำใส");
    let screen = tmux.wait_for("กองทุน 1/121");
    assert!(screen.contains("33010150 กองทุนทดสอบที่น้ำใส"), "{screen}");
    tmux.keys(&["Enter", "Enter"]);
    let screen = tmux.wait_for("วันที่จัดตั้ง 1 เม.ย. 2544");
    assert!(screen.contains("ทุนรวม 0.00 บาท"), "{screen}");
    tmux.keys(&["Escape"]);
    sleep(Duration::from_millis(150));
    tmux.keys(&["q"]);
    tmux.wait_exit();
}

#[test]
fn a_window_below_80x24_gets_a_polite_message_and_recovers() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_store(dir.path());
    let tmux = Tmux::new("resize");
    tmux.start(&db);
    tmux.wait_for("กองทุน 120/120");
    tmux.cmd(&["resize-window", "-t", "app", "-x", "60", "-y", "20"]);
    tmux.wait_for("หน้าจอเล็กเกินไป");
    tmux.cmd(&["resize-window", "-t", "app", "-x", "100", "-y", "30"]);
    let screen = tmux.wait_for("กองทุน 120/120");
    assert_eq!(screen.lines().next().map(|l| l.chars().count() > 60), Some(true));
    tmux.keys(&["q"]);
    tmux.wait_exit();
}

#[test]
fn a_second_process_on_a_held_store_is_told_so() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_store(dir.path());
    let tmux = Tmux::new("locked");
    tmux.start(&db);
    tmux.wait_for("กองทุน 120/120");

    let out = Command::new(BIN).arg("--db").arg(&db).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("กำลังถูกใช้งานโดยโปรแกรม sammachip อื่น"), "{err}");
    assert!(err.contains("is in use by another sammachip"), "{err}");
    assert!(!err.contains("WouldBlock") && !err.contains("panicked"), "{err}");
    tmux.keys(&["q"]);
    tmux.wait_exit();
}

#[test]
fn a_damaged_store_gets_a_message_and_a_way_out() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_store(dir.path());
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
    let db = demo_store(dir.path());
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
fn a_member_a_loan_and_an_occupation_typed_in_thai_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_store(dir.path());
    let tmux = Tmux::new("member");
    tmux.start(&db);
    tmux.wait_for("กองทุน 120/120");
    // The first fund's members, then a new member.
    tmux.keys(&["Enter"]);
    tmux.wait_for("สมาชิก ");
    tmux.keys(&["m"]);
    tmux.wait_for("ค้นหาชื่อหรือเลขประจำตัว");
    tmux.keys(&["n"]);
    tmux.wait_for("เพิ่มสมาชิก");
    tmux.keys(&["C-u"]);
    tmux.text("นาง");
    tmux.keys(&["Tab"]);
    tmux.text("ทองม้วน");
    tmux.keys(&["Tab"]);
    tmux.text("ศรีสุขใจ");
    tmux.keys(&["Tab"]);
    tmux.text("๑-๑๐๑๗-๐๐๒๓๐-๗๐-๘");
    tmux.keys(&["C-s"]);
    tmux.wait_for("บันทึกแล้ว (นางทองม้วน ศรีสุขใจ)");
    // Open her and lend her 25,000 baht.
    tmux.keys(&["Enter"]);
    tmux.wait_for("นางทองม้วน ศรีสุขใจ (");
    tmux.keys(&["n"]);
    tmux.wait_for("เพิ่มสัญญาเงินกู้");
    tmux.text("25,000");
    tmux.keys(&["Tab", "C-u"]);
    tmux.text("5");
    tmux.keys(&["C-s"]);
    tmux.wait_for("25,000");
    // And her occupation.
    tmux.keys(&["o"]);
    tmux.wait_for("เพิ่มข้อมูลอาชีพของ นางทองม้วน ศรีสุขใจ");
    tmux.keys(&["Tab"]);
    tmux.text("ทอผ้าไหมมัดหมี่");
    for amount in ["", "", "48000", "40000", "1000", "96000", "60000", "15000"] {
        tmux.keys(&["Tab"]);
        if !amount.is_empty() {
            tmux.text(amount);
        }
    }
    tmux.keys(&["C-s"]);
    tmux.wait_for("อาชีพ 1");
    tmux.keys(&["q"]);
    tmux.wait_exit();
    tmux.kill();

    let tmux = Tmux::new("member-reopen");
    tmux.start(&db);
    tmux.wait_for("กองทุน 120/120");
    tmux.keys(&["3"]);
    tmux.wait_for("อาชีพ ");
    tmux.keys(&["/"]);
    tmux.text("ทองม้วน ศรีสุขใจ");
    let screen = tmux.wait_for("นางทองม้วน ศรีสุขใจ");
    assert!(screen.contains("48→96"), "{screen}");
    tmux.keys(&["Enter", "Enter"]);
    let screen = tmux.wait_for("ทอผ้าไหมมัดหมี่");
    assert!(screen.contains("25,000"), "{screen}");
    assert!(screen.contains("สัมมาชีพเข้มแข็ง"), "{screen}");
    tmux.keys(&["Escape"]);
    sleep(Duration::from_millis(150));
    tmux.keys(&["q"]);
    tmux.wait_exit();
}

#[test]
fn a_sage_assigned_from_a_household_is_still_there_after_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_store(dir.path());
    let tmux = Tmux::new("sage");
    tmux.start(&db);
    tmux.wait_for("กองทุน 120/120");
    // The households selected for coaching, the first one opened.
    tmux.keys(&["3"]);
    tmux.wait_for("อาชีพ 10,");
    tmux.keys(&["t"]);
    tmux.wait_for("เลือกระยะ");
    tmux.text("ได้รับ");
    tmux.keys(&["Enter"]);
    tmux.wait_for("ได้รับการพัฒนา");
    tmux.keys(&["Enter"]);
    tmux.wait_for("เริ่มอาชีพปี");
    tmux.keys(&["s"]);
    tmux.wait_for("ปราชญ์สำหรับ");
    tmux.keys(&["Enter"]);
    // A household that had a sage already is moved after a question.
    sleep(Duration::from_millis(300));
    if tmux.screen().contains("ใช่หรือไม่") {
        tmux.keys(&["y"]);
    }
    let screen = tmux.wait_for("ดูแล");
    let status = screen.lines().rev().find(|l| l.contains("มอบหมาย")).unwrap_or_else(|| panic!("{screen}"));
    let sage =
        status.split("มอบหมาย ").nth(1).and_then(|s| s.split(" ดูแล ").next()).unwrap().trim().to_string();
    let screen = tmux.wait_for(&format!("ปราชญ์ {sage} (วางแผนแล้ว"));
    assert!(screen.contains("เยี่ยม 0 ครั้ง"), "{screen}");
    tmux.keys(&["q"]);
    tmux.wait_exit();
    tmux.kill();

    // After a restart the household still names its sage, whose load counts it.
    let tmux = Tmux::new("sage-reopen");
    tmux.start(&db);
    tmux.wait_for("กองทุน 120/120");
    tmux.keys(&["3"]);
    tmux.wait_for("อาชีพ 10,");
    tmux.keys(&["t"]);
    tmux.wait_for("เลือกระยะ");
    tmux.text("ได้รับ");
    tmux.keys(&["Enter"]);
    tmux.wait_for("ได้รับการพัฒนา");
    tmux.keys(&["Enter"]);
    tmux.wait_for(&format!("ปราชญ์ {sage} (วางแผนแล้ว"));
    tmux.keys(&["5"]);
    tmux.wait_for("ปราชญ์ 50/50");
    tmux.keys(&["/"]);
    tmux.text(&sage);
    tmux.keys(&["Enter", "Enter"]);
    let screen = tmux.wait_for("วางแผนแล้ว");
    assert!(screen.contains(&sage), "{screen}");
    tmux.keys(&["q"]);
    tmux.wait_exit();
}
