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
    assert!(screen.contains("เงินทุนกองทุน 0.00 บาท"), "{screen}");
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

pub fn a_paste_is_text_never_keys<W: Window>(launch: &dyn Fn(&Path) -> W) {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_store(dir.path());
    let mut t = start(launch(&db));
    t.wait_for("กองทุน 120/120");
    super::window::a_paste_is_text_never_keys(&mut t);
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
    // In a terminal the second process first shows that it is opening the
    // store; refused, it gives the terminal back and says why on the
    // ordinary screen, both languages, nothing of the opening screen left.
    let mut second = launch(&db);
    let said = second.wait_ended(Duration::from_secs(20));
    assert!(said.contains("กำลังถูกใช้งานโดยโปรแกรม"), "{said}");
    assert!(said.contains("in use by another"), "{said}");
    assert!(!said.contains("กำลังเปิดฐานข้อมูล"), "{said}");
    quit(&mut t);
    // Opened, the app's first frame replaces the opening screen whole: no
    // letter of it is left in a cell the frame leaves blank (the empty
    // store's dialog once read "(120เกองทุน)").
    let mut fresh = launch(&dir.path().join("empty"));
    let first = fresh.wait_for("ฐานข้อมูลยังว่าง");
    assert!(first.contains("(120 กองทุน)") && !first.contains("กำลัง"), "{first}");
    quit(&mut fresh);
}

/// A store that does not answer while it opens (its `conf` a pipe that
/// nobody writes yet, as a stalled network drive would): the terminal is
/// raw, so Ctrl-C was a key nobody read and the officer waited out the
/// 20 s limit. Ctrl-C on the opening screen now stops opening, says so in
/// both languages and leaves the store as it was; any other key typed
/// meanwhile still reaches the app once the store answers.
#[cfg(unix)]
pub fn opening_is_cancelled_by_ctrl_c_and_keeps_the_keys_typed_meanwhile<W: Window>(
    launch: &dyn Fn(&Path) -> W,
) {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_store(dir.path());
    let conf = db.join("conf");
    let bytes = std::fs::read(&conf).unwrap();
    let pipe = |path: &Path| {
        std::fs::remove_file(path).unwrap();
        let c = std::ffi::CString::new(path.as_os_str().as_encoded_bytes()).unwrap();
        // SAFETY: a valid NUL-terminated path; mkfifo only makes the pipe.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
    };
    pipe(&conf);
    let mut t = launch(&db);
    t.wait_for("Ctrl-C ยกเลิก");
    t.keys(&["C-c"]);
    let said = t.wait_ended(Duration::from_secs(15));
    assert!(said.contains("ยกเลิกการเปิดฐานข้อมูล"), "{said}");
    assert!(said.contains("was cancelled (Ctrl-C); nothing was lost"), "{said}");
    assert!(!said.contains("no answer after"), "{said}");

    // Opened again, "2" typed on the opening screen, then the store answers.
    let mut t = launch(&db);
    t.wait_for("Ctrl-C ยกเลิก");
    t.keys(&["2"]);
    std::thread::sleep(Duration::from_millis(300));
    // The store answers: sled opens `conf` to read it (waiting for a writer),
    // finds it empty and writes its settings back (waiting for a reader).
    drop(std::fs::OpenOptions::new().write(true).open(&conf).unwrap());
    let mut written = Vec::new();
    std::io::Read::read_to_end(&mut std::fs::File::open(&conf).unwrap(), &mut written).unwrap();
    assert!(!written.is_empty());
    // The store is a plain one again for whoever opens it next.
    let plain = db.join("conf.plain");
    std::fs::write(&plain, &bytes).unwrap();
    std::fs::rename(&plain, &conf).unwrap();
    t.wait_for("กองทุน 120/120");
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

/// Opens the first household of the list whose occupation is still active
/// (the demo of some days has stopped the first selected one, and a stopped
/// occupation is offered no sage): how many rows down it is.
fn open_first_active<W: Window>(t: &mut W) -> usize {
    for down in 0..20 {
        t.keys(&["Enter"]);
        let screen = t.wait_for("เริ่มอาชีพปี");
        if !screen.contains("สถานะอาชีพ เลิกแล้ว") {
            return down;
        }
        t.keys(&["Escape", "Down"]);
        t.wait_for("คัดเลือกแล้ว");
    }
    panic!("no active household among the first 20 selected");
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
    t.wait_for("เลือกขั้น");
    t.text("คัดเลือก");
    t.keys(&["Enter"]);
    t.wait_for("คัดเลือกแล้ว");
    let down = open_first_active(&mut t);
    t.keys(&["s"]);
    t.wait_for("ปราชญ์สัมมาชีพชุมชนสำหรับ");
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
    t.wait_for("เลือกขั้น");
    t.text("คัดเลือก");
    t.keys(&["Enter"]);
    t.wait_for("คัดเลือกแล้ว");
    for _ in 0..down {
        t.keys(&["Down"]);
    }
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

/// Issue 18, on the real binary: a plan of sages and two stage moves of one
/// record are taken back one change at a time, each whole (the second move's
/// undo is not refused as "changed since", the plan goes back with every
/// assignment), until nothing is left to undo and the store is as the demo
/// wrote it; and a household ranked past 1,000 shows its whole rank among
/// the selected.
pub fn undo_steps_back_whole_and_big_ranks_show_whole<W: Window>(launch: &dyn Fn(&Path) -> W) {
    use sammachip::{
        app::ranking::Scope,
        domain::{
            Date,
            occupation::{OccupationRecord, Stage, StageChange},
            ranking::Weights,
            sage::Assignment,
        },
        service::{catalog::Catalog, ranking},
        store::Store,
    };
    let dir = tempfile::tempdir().unwrap();
    let db = demo_store(dir.path());
    // A household ranked last in the province (rank past 1,000) selected by
    // the committee, before the app starts.
    let last_rank = {
        let store = Store::open(&db).unwrap();
        let today = Date::today();
        let cat = Catalog::load(&store, today).unwrap();
        let (all, _) =
            ranking::rank_in(&cat, Scope::Province, None, &Weights::default(), usize::MAX, today, &[]);
        let (row, x) =
            all.iter().rev().find(|(row, _)| cat.rows[*row as usize].stage == Stage::Target).unwrap();
        assert!(x.rank >= 1_000, "{}", x.rank);
        let mut r = store.get_at::<OccupationRecord>(&cat.rows[*row as usize].key()).unwrap().unwrap();
        r.stage = Stage::Coached;
        r.stage_history.push(StageChange {
            stage: Stage::Coached,
            date: today,
            note: "เสนอโดยเครือข่าย".into(),
        });
        store.save("e2e", &r).unwrap();
        x.rank
    };
    let before = {
        let store = Store::open(&db).unwrap();
        (store.all::<OccupationRecord>().unwrap(), store.all::<Assignment>().unwrap())
    };

    let mut t = start(launch(&db));
    t.wait_for("กองทุน 120/120");
    // The rank, whole, at the end of the selected households.
    t.keys(&["4"]);
    t.wait_for("จัดอันดับ");
    t.keys(&["t"]);
    // Once the catalog has loaded (the title counts the households).
    t.wait_until("the selected households", Duration::from_secs(20), &|s| {
        s.contains("คัดเลือกแล้ว") && s.contains("ครัวเรือน") && !s.contains("กำลังโหลด")
    });
    t.keys(&["End"]);
    let rank = format!("│{last_rank} ");
    let screen = t.wait_until("the last rank", Duration::from_secs(20), &|s| s.contains(&rank));
    assert!(!screen.contains(&format!("│ {} ", last_rank % 1_000)), "{screen}");

    // A plan of sages for the district, accepted.
    t.keys(&["5"]);
    t.wait_for("ปราชญ์ 50/50");
    t.keys(&["P", "Enter"]);
    t.wait_for("ครอบคลุม");
    t.keys(&["a"]);
    t.wait_for("บันทึกแผนแล้ว");
    // Two stage moves of one target household.
    t.keys(&["3"]);
    t.wait_for("อาชีพ 10,");
    t.keys(&["t"]);
    t.wait_for("เลือกขั้น");
    t.text("มีข้อมูลอาชีพ");
    t.keys(&["Enter"]);
    t.wait_for("มีข้อมูลอาชีพ");
    t.keys(&["Enter"]);
    t.wait_for("เริ่มอาชีพปี");
    for reason in ["ผ่านการคัดเลือก", "ขายได้ต่อเนื่อง"]
    {
        t.keys(&["t"]);
        t.wait_for("เปลี่ยนขั้นของ");
        t.keys(&["Tab", "Tab"]);
        t.text(reason);
        t.keys(&["C-s"]);
        t.wait_until("the stage saved", Duration::from_secs(20), &|s| !s.contains("เปลี่ยนขั้นของ"));
    }
    // Back, one change at a time: each whole, none refused.
    for (n, what) in [(1, "ย้อนกลับการเปลี่ยนแปลงล่าสุด ("), (2, "ย้อนกลับการเปลี่ยนแปลงล่าสุด ("), (3, "ทั้งชุดแล้ว")]
    {
        t.keys(&["u"]);
        let screen = t.wait_until(&format!("undo {n}"), Duration::from_secs(20), &|s| {
            s.contains(what) || s.contains("ไม่ได้")
        });
        assert!(!screen.contains("ไม่ได้"), "undo {n} refused:\n{screen}");
        // The next undo's message replaces this one only after a key.
        t.keys(&["Escape"]);
    }
    t.keys(&["u"]);
    t.wait_for("ไม่มีการเปลี่ยนแปลงให้ย้อนกลับ");
    quit(&mut t);
    drop(t);
    let store = Store::open(&db).unwrap();
    assert!(store.all::<OccupationRecord>().unwrap() == before.0, "the records as before");
    assert!(store.all::<Assignment>().unwrap() == before.1, "the assignments as before");
}

/// Collection day on one fund: the first fund (from the top) with loans due
/// today; the first line paid in full with Enter, the summary, the save, and
/// `u` taking it back.
pub fn a_collection_day_on_one_fund<W: Window>(launch: &dyn Fn(&Path) -> W) {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_store(dir.path());
    let mut t = start(launch(&db));
    t.wait_for("กองทุน 120/120");
    let mut found = false;
    for _ in 0..20 {
        t.keys(&["Enter"]);
        t.wait_for("ทะเบียนทุน");
        t.keys(&["c"]);
        let s = t.wait_until("collection or nothing due", Duration::from_secs(10), &|s| {
            s.contains("วันรับชำระเงินกู้") || s.contains("ไม่มีสัญญาที่ถึงกำหนดชำระ")
        });
        if s.contains("วันรับชำระเงินกู้") {
            found = true;
            break;
        }
        t.keys(&["Escape", "Down"]);
    }
    assert!(found, "no fund of the demo has a loan due today");
    t.keys(&["Enter"]);
    t.wait_until("the first line paid", Duration::from_secs(10), &|s| !s.contains("รับแล้ว 0.00 บาท"));
    t.keys(&["C-s"]);
    t.wait_for("บันทึกหรือไม่?");
    t.keys(&["y"]);
    let s = t.wait_for("(u ย้อนกลับได้ทั้งหมด)");
    assert!(s.contains("บันทึกการชำระ 1 รายการ") && !s.contains("วันรับชำระเงินกู้"), "{s}");
    t.keys(&["u"]);
    t.wait_for("ย้อนกลับการเปลี่ยนแปลงล่าสุด");
    // The loan is due again in full.
    t.keys(&["c"]);
    t.wait_for("รับแล้ว 0.00 บาท");
    t.keys(&["Escape"]);
    quit(&mut t);
}
