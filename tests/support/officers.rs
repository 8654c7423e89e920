//! `sammachip serve` reached the way officers reach it: logins by key (host
//! key pinned), two officers seeing each other's saves, roles and districts
//! refused with their reason, resizing, F-keys and Thai typing. Each
//! scenario takes a [`Client`]: `tests/e2e_russh.rs` runs them with a russh
//! client read through a terminal emulator, `tests/e2e_ssh.rs` with the real
//! OpenSSH client in tmux.
#![allow(dead_code)]

use std::{
    path::{Path, PathBuf},
    process::Command,
    sync::{Arc, OnceLock},
    time::Duration,
};

use russh::keys::PrivateKey;

use super::{
    ssh::{self, BIN, Server, run},
    window::Window,
};

pub const OFFICERS: &[(&str, &[&str])] = &[
    ("somchai", &["--role", "admin"]),
    ("malee", &["--role", "province"]),
    ("viewer1", &["--role", "viewer"]),
    ("kanharom", &["--role", "district", "--district", "3302"]),
    ("sakhuang", &["--role", "fund", "--fund", "33010101"]),
    ("net3301", &["--role", "network", "--district", "3301"]),
];

/// The district demo as the binary writes it, with the officers' accounts,
/// and a key pair for each of them and for a stranger (`keys/LOGIN`, mode
/// 0600, and `keys/LOGIN.pub`): made once per build of the code.
fn world() -> &'static Path {
    static W: OnceLock<PathBuf> = OnceLock::new();
    W.get_or_init(|| {
        let today = sammachip::domain::Date::today();
        // The accounts are part of the name: a world made for fewer is not reused.
        let logins: Vec<&str> = OFFICERS.iter().map(|o| o.0).collect();
        crate::common::cached(&format!("ssh-officers-{today:?}-{}", logins.join("+")), |dir| {
            let db = dir.join("store");
            crate::common::copy_dir(crate::common::binary_demo(), &db);
            // kanharom's district beside the demo's one: an account is only
            // given a district the store's geography has.
            let kanthararom = sammachip::domain::geo::Place {
                code: 3302,
                name_th: "กันทรารมย์".into(),
                name_en: "Kanthararom".into(),
                postal: "33130".into(),
            };
            sammachip::store::Store::open(&db).unwrap().put_places("setup", &[kanthararom]).unwrap();
            let keys = dir.join("keys");
            std::fs::create_dir_all(&keys).unwrap();
            for (login, role) in OFFICERS.iter().chain([&("stranger", &[][..])]) {
                let seed: [u8; 32] = rand::random();
                let mut key =
                    PrivateKey::from(russh::keys::ssh_key::private::Ed25519Keypair::from_seed(&seed));
                key.set_comment(*login);
                key.write_openssh_file(keys.join(login), russh::keys::ssh_key::LineEnding::LF).unwrap();
                let public = keys.join(format!("{login}.pub"));
                std::fs::write(&public, format!("{}\n", key.public_key().to_openssh().unwrap())).unwrap();
                if !role.is_empty() {
                    run(Command::new(BIN)
                        .arg("--db")
                        .arg(&db)
                        .args(["user", "add", login, "--key"])
                        .arg(&public)
                        .args(*role));
                }
            }
        })
    })
}

/// A server on a copy of the world's store, in a directory of its own.
pub struct Served {
    pub dir: tempfile::TempDir,
    pub server: Server,
}

impl Served {
    pub fn start() -> Served {
        Self::start_with(&[], &[])
    }

    /// With more `serve` arguments and environment.
    pub fn start_with(args: &[&str], env: &[(&str, &str)]) -> Served {
        Self::start_after(|_| {}, args, env)
    }

    /// With the store's copy changed by `prepare` before the server opens it.
    pub fn start_after(prepare: impl FnOnce(&Path), args: &[&str], env: &[(&str, &str)]) -> Served {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("store");
        crate::common::copy_dir(&world().join("store"), &db);
        prepare(&db);
        let server = Server::start_with_env(dir.path(), &db, None, args, env);
        Served { dir, server }
    }

    pub fn db(&self) -> PathBuf {
        self.dir.path().join("store")
    }

    pub fn log(&self) -> String {
        String::from_utf8_lossy(&self.server.log()).into_owned()
    }

    pub fn port(&self) -> u16 {
        self.server.port()
    }

    /// The private key file of `login` (an officer or "stranger").
    pub fn key_file(&self, login: &str) -> PathBuf {
        world().join("keys").join(login)
    }

    pub fn key(&self, login: &str) -> Arc<PrivateKey> {
        Arc::new(PrivateKey::read_openssh_file(self.key_file(login)).unwrap())
    }
}

/// How officers reach the server.
pub trait Client {
    type W: Window;
    /// A logged-in window of `login` (with their own key), 80×24.
    fn open(&self, served: &Served, login: &str) -> Self::W;
    /// Logging in as `login` with the key of `key_of` is refused by the
    /// server (the client says so).
    fn refused(&self, served: &Served, login: &str, key_of: &str) -> bool;
    /// The client goes without the officer quitting (killed, or its window
    /// closed).
    fn cut(&self, w: &mut Self::W);
}

/// The title of the form that edits a fund of district 3301 (the key hint
/// under the list says "แก้ไขกองทุน" alone).
const EDIT_FORM: &str = "แก้ไขกองทุน 3301";

/// The name of the first fund on the Funds tab (the line under the header).
fn first_fund_line(screen: &str) -> String {
    screen.lines().find(|l| l.contains("│3301")).unwrap_or_default().to_string()
}

/// Logged in, on the Funds tab.
fn funds<W: Window>(w: &mut W) {
    w.wait_for("ภาพรวมจังหวัด");
    w.keys(&["2"]);
    w.wait_for("ชื่อกองทุน");
}

pub fn two_officers_one_saves_the_other_sees_it_and_a_stale_form_is_refused<C: Client>(c: &C) {
    let served = Served::start();
    let mut a = c.open(&served, "somchai");
    let mut b = c.open(&served, "malee");
    funds(&mut a);
    funds(&mut b);
    // B opens the same fund for editing before A saves.
    b.keys(&["e"]);
    b.wait_for(EDIT_FORM);

    // A renames the first fund.
    a.keys(&["e"]);
    a.wait_for(EDIT_FORM);
    a.keys(&["Tab", "Tab", "End"]);
    a.text("ทดสอบ");
    a.keys(&["C-s"]);
    a.wait_for("ทดสอบ");

    // B's list behind the form follows within a second or two; B's form, opened
    // before the change, is refused with the reason and keeps what was typed.
    b.keys(&["Tab", "Tab", "End"]);
    b.text("ของบี");
    b.keys(&["C-s"]);
    let s = b.wait_for("ได้แก้ไขข้อมูลนี้แล้ว");
    assert!(s.contains("ของบี"), "the form keeps the typing:\n{s}");
    b.keys(&["Escape"]);
    b.wait_for("สิ่งที่พิมพ์จะหายไป");
    b.keys(&["y"]);
    let s = b.wait_for("ทดสอบ");
    assert!(first_fund_line(&s).contains("ทดสอบ"), "{s}");

    // And the reverse, with no key pressed on A's side: A's screen redraws.
    b.keys(&["e"]);
    b.wait_for(EDIT_FORM);
    b.keys(&["Tab", "Tab", "End"]);
    b.text("สอง");
    b.keys(&["C-s"]);
    // (The name column cuts the longer name after its first letters.)
    a.wait_for("ทดสอบส");
    let log = served.log();
    assert!(log.contains("login somchai") && log.contains("login malee"), "{log}");
}

pub fn unknown_and_disabled_keys_are_refused<C: Client>(c: &C) {
    let served = Served::start();
    assert!(c.refused(&served, "stranger", "stranger"));
    // A registered login with somebody else's key.
    assert!(c.refused(&served, "somchai", "stranger"));
    assert!(served.log().contains("refused"), "{}", served.log());

    // An administrator disables viewer1 on the Admin tab: their open session
    // ends with the reason, and their key stops working.
    let mut viewer = c.open(&served, "viewer1");
    viewer.wait_for("ภาพรวมจังหวัด");
    let mut admin = c.open(&served, "somchai");
    admin.wait_for("ภาพรวมจังหวัด");
    admin.keys(&["7"]);
    admin.wait_for("viewer1");
    admin.keys(&["End", "d"]);
    admin.wait_for("ปิดบัญชี viewer1");
    admin.keys(&["y"]);
    admin.wait_for("ปิดใช้งาน");
    assert!(c.refused(&served, "viewer1", "viewer1"));
    let s = viewer.wait_ended(Duration::from_secs(15));
    assert!(s.contains("disabled by an administrator"), "{s}");

    // The store is the server's: a local run says so and names the ssh command.
    let out = Command::new(BIN).arg("--db").arg(served.db()).args(["user", "list"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(&format!("ssh -p {}", served.port())), "{err}");
}

pub fn a_viewer_and_a_district_officer_are_refused_with_the_reason<C: Client>(c: &C) {
    let served = Served::start();
    let mut v = c.open(&served, "viewer1");
    funds(&mut v);
    v.keys(&["e"]);
    v.wait_for("ดูได้อย่างเดียว");
    v.keys(&["n"]);
    let s = v.wait_for("ดูได้อย่างเดียว");
    assert!(!s.contains("แก้ไขกองทุน") && !s.contains("กองทุนใหม่"), "{s}");

    let mut d = c.open(&served, "kanharom");
    funds(&mut d);
    d.keys(&["e"]);
    d.wait_for(EDIT_FORM);
    d.keys(&["Tab", "Tab", "End"]);
    d.text("X");
    d.keys(&["C-s"]);
    d.wait_for("เจ้าหน้าที่อำเภอ 3302 แก้ไขข้อมูลของอำเภอ 3301 ไม่ได้");
}

/// Issue 20: a village fund's committee logs in and sees its own fund alone,
/// and may not change the fund's own record (its capital); a network
/// committee sees its district and may not edit a fund.
pub fn committees_over_ssh_see_and_keep_their_own<C: Client>(c: &C) {
    let served = Served::start();
    let mut f = c.open(&served, "sakhuang");
    funds(&mut f);
    let s = f.wait_for("กองทุน 1/1");
    assert!(s.contains("33010101"), "{s}");
    f.keys(&["e"]);
    f.wait_for(EDIT_FORM);
    f.keys(&["Tab", "Tab", "End"]);
    f.text("X");
    f.keys(&["C-s"]);
    f.wait_for("บัญชีนี้แก้ไขข้อมูลประเภทนี้ไม่ได้");

    let mut n = c.open(&served, "net3301");
    n.wait_for("ภาพรวมจังหวัด");
    let s = n.wait_for("เมืองศรีสะเกษ");
    assert!(s.contains("ขั้นตอนที่ 1"), "{s}");
    n.keys(&["2"]);
    n.wait_for("กองทุน 120/120");
}

pub fn the_screen_follows_a_resize_and_f_keys_and_thai_typing_work<C: Client>(c: &C) {
    let served = Served::start();
    let mut t = c.open(&served, "somchai");
    funds(&mut t);
    // The box's bottom border: one character per column.
    let width = |s: &str| s.lines().find(|l| l.starts_with('└')).map_or(0, |l| l.chars().count());
    let s = t.screen();
    assert_eq!(width(&s), 80, "{s}");
    t.resize(110, 32);
    t.wait_until("the frame to follow the resize", Duration::from_secs(10), &|s| {
        width(s) == 110 && s.lines().nth(30).is_some_and(|l| l.starts_with('└'))
    });
    // F1 opens the help, Esc (alone) closes it.
    t.keys(&["F1"]);
    t.wait_for("ปุ่มที่ใช้ได้");
    t.keys(&["Escape"]);
    t.wait_until("Esc to close the help", Duration::from_secs(5), &|s| !s.contains("ปุ่มที่ใช้ได้"));
    // Thai typed into the filter narrows the list.
    t.keys(&["/"]);
    t.text("โคก");
    let s = t.wait_for("/ โคก");
    let rows: Vec<&str> = s.lines().filter(|l| l.contains("│3301")).collect();
    assert!(!rows.is_empty() && rows.iter().all(|l| l.contains("โคก")), "{s}");
    // q leaves; the connection closes.
    t.keys(&["Escape", "q"]);
    t.wait_ended(Duration::from_secs(10));
    assert!(served.log().contains("ended (quit)"));
}

pub fn a_paste_is_text_never_keys<C: Client>(c: &C) {
    let served = Served::start();
    let mut t = c.open(&served, "somchai");
    funds(&mut t);
    super::window::a_paste_is_text_never_keys(&mut t);
    t.keys(&["q"]);
    t.wait_ended(Duration::from_secs(10));
}

pub fn a_failing_session_ends_alone_with_a_message<C: Client>(c: &C) {
    let served = Served::start_with(&[], &[("SAMMACHIP_TEST_FAULT_LOGIN", "viewer1")]);
    let mut ok = c.open(&served, "somchai");
    funds(&mut ok);
    let mut bad = c.open(&served, "viewer1");
    bad.wait_for("ภาพรวมจังหวัด");
    bad.keys(&["2"]);
    let s = bad.wait_ended(Duration::from_secs(15));
    assert!(s.contains("ข้อผิดพลาดภายใน") && s.contains("internal error"), "{s}");
    assert!(served.log().contains("session viewer1@") && served.log().contains("ended on an internal error"));
    // The other officer goes on working.
    ok.keys(&["Down", "e"]);
    ok.wait_for(EDIT_FORM);
}

pub fn idle_sessions_are_closed_and_the_session_cap_holds<C: Client>(c: &C) {
    let served = Served::start_with(&["--idle-seconds", "3", "--max-sessions", "1"], &[]);
    let mut first = c.open(&served, "somchai");
    first.wait_for("ภาพรวมจังหวัด");
    // A second session while the first is on: the server is full.
    let mut second = c.open(&served, "malee");
    let s = second.wait_ended(Duration::from_secs(15));
    assert!(s.contains("already has 1 sessions"), "{s}");
    // The first, left alone, is closed with a message.
    let s = first.wait_ended(Duration::from_secs(15));
    assert!(s.contains("idle"), "{s}");
    assert!(served.log().contains("ended (idle)"), "{}", served.log());
}

/// An officer called away from a half-typed form is logged out when idle,
/// as before, but what they typed is kept as a dropped link's is, and their
/// next login is back in the form (it used to be thrown away).
pub fn an_idle_logout_keeps_what_was_typed_for_the_next_login<C: Client>(c: &C) {
    let served = Served::start_with(&["--idle-seconds", "3", "--keep-seconds", "30"], &[]);
    let mut w = c.open(&served, "malee");
    half_type_a_new_fund(&mut w);
    let s = w.wait_ended(Duration::from_secs(15));
    assert!(s.contains("งานที่พิมพ์ค้างไว้ยังไม่บันทึก") && s.contains("kept for 1 min;"), "{s}");
    wait_log(&served, "kept (idle", 1);
    let mut back = c.open(&served, "malee");
    let s = back.wait_for("ต่อหน้าจอเดิมแล้ว");
    assert!(s.contains("เพิ่มกองทุน") && s.contains(HALF_TYPED), "{s}");
    // Nothing typed: the idle logout ends the session, as it always did.
    back.keys(&["Escape"]);
    back.wait_for("ยกเลิก");
    back.keys(&["y"]);
    let s = back.wait_ended(Duration::from_secs(15));
    assert!(s.contains("Everything saved is safe"), "{s}");
    wait_log(&served, "ended (idle)", 1);
}

/// Waits (20 s at most) until the server's log has `needle` `times` times.
fn wait_log(served: &Served, needle: &str, times: usize) {
    let start = std::time::Instant::now();
    while served.log().matches(needle).count() < times {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "no {needle:?} x{times} in the log:\n{}",
            served.log()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The form's name field, as typed before the link dropped.
const HALF_TYPED: &str = "กองทุนหนองครก";

/// A new fund's form on the Funds tab, half filled: the village code, then
/// [`HALF_TYPED`] in the name.
fn half_type_a_new_fund<W: Window>(w: &mut W) {
    w.wait_for("ภาพรวมจังหวัด");
    w.keys(&["2"]);
    w.wait_for("┌ กองทุน 1");
    w.keys(&["n"]);
    w.wait_for("เพิ่มกองทุน");
    w.text("01");
    w.keys(&["Tab"]);
    w.text(HALF_TYPED);
    w.wait_for(HALF_TYPED);
}

pub fn a_dropped_link_keeps_the_session_and_the_next_login_resumes_it<C: Client>(c: &C) {
    let served = Served::start_with(&["--keep-seconds", "6"], &[]);
    let mut w = c.open(&served, "malee");
    half_type_a_new_fund(&mut w);
    c.cut(&mut w);
    wait_log(&served, "kept (", 1);

    // The next login with the same key is back in the form, every character there.
    let mut back = c.open(&served, "malee");
    let s = back.wait_for("ต่อหน้าจอเดิมแล้ว");
    assert!(s.contains("เพิ่มกองทุน") && s.contains(HALF_TYPED) && s.contains("330101"), "{s}");
    // The cursor is still in the name field.
    back.text("ใต้");
    back.wait_for(&format!("{HALF_TYPED}ใต้"));
    assert!(served.log().contains("resumed"), "{}", served.log());

    // Cut again and not back within the keep time: the session is gone.
    c.cut(&mut back);
    wait_log(&served, "kept (", 2);
    wait_log(&served, "0 sessions kept for a resume, 0 in all", 1);
    let mut fresh = c.open(&served, "malee");
    let s = fresh.wait_for("ภาพรวมจังหวัด");
    assert!(!s.contains("เพิ่มกองทุน") && !s.contains("ต่อหน้าจอเดิม"), "{s}");
}

pub fn a_second_login_chooses_to_take_over_or_start_anew<C: Client>(c: &C) {
    let served = Served::start();
    let mut first = c.open(&served, "malee");
    first.wait_for("ภาพรวมจังหวัด");
    first.keys(&["3"]);
    first.wait_for("┌ อาชีพ 1");
    let mut second = c.open(&served, "malee");
    let s = second.wait_for("คุณเปิดหน้าจอนี้อยู่แล้ว");
    assert!(s.contains("You already have a session open elsewhere"), "{s}");
    second.keys(&["1"]);
    let s = second.wait_for("ต่อหน้าจอเดิมแล้ว");
    assert!(s.contains("อาชีพ 1"), "the Occupations tab came along: {s}");
    let s = first.wait_ended(Duration::from_secs(15));
    assert!(s.contains("continues on your new connection"), "{s}");

    // A third login asks again, and `2` opens a session of its own.
    let mut third = c.open(&served, "malee");
    third.wait_for("คุณเปิดหน้าจอนี้อยู่แล้ว");
    third.keys(&["2"]);
    let s = third.wait_for("ภาพรวมจังหวัด");
    assert!(!s.contains("ต่อหน้าจอเดิม"), "{s}");
    // Both work.
    second.keys(&["2"]);
    second.wait_for("┌ กองทุน 1");
    third.keys(&["5"]);
    third.wait_for("┌ ปราชญ์");
    assert!(!second.ended());
}

/// The russh client, its output read by a terminal emulator.
pub struct Russh;

impl Client for Russh {
    type W = ssh::SshWindow;

    fn open(&self, served: &Served, login: &str) -> ssh::SshWindow {
        ssh::SshWindow::open(&served.server, login, &served.key(login))
            .unwrap_or_else(|e| panic!("{login}: {e}\n{}", served.log()))
    }

    fn refused(&self, served: &Served, login: &str, key_of: &str) -> bool {
        ssh::login_refused(&served.server, login, &served.key(key_of))
    }

    fn cut(&self, w: &mut ssh::SshWindow) {
        w.cut();
    }
}

/// An officer's import from the Import screen, cut off by a server stopped
/// half-way, is taken back when the server next opens the store. The server
/// said so in its log only, which officers do not read; now the officer whose
/// import it was is told at their next login, once, and nobody else is.
pub fn an_import_cut_off_is_told_to_its_officer_at_the_next_login<C: Client>(c: &C) {
    use sammachip::{
        domain::fund::Fund,
        store::{Actor, ChangeSlot, Store},
    };
    let served = Served::start_after(
        |db| {
            // What a server stopped half-way through malee's import leaves.
            let store = Store::open(db).unwrap();
            let slot = ChangeSlot::default();
            store.mark_saving("malee", "กองทุน.xlsx", &slot).unwrap();
            let who = Actor { change: Some(&slot), ..Actor::from("malee") };
            for mut f in store.all::<Fund>().unwrap().into_iter().take(2) {
                f.name.push_str(" (นำเข้า)");
                store.save(who, &f).unwrap();
            }
        },
        &[],
        &[],
    );
    assert!(served.log().contains("all 2 records were taken back"), "{}", served.log());
    // Another officer is not told.
    let mut other = c.open(&served, "somchai");
    let s = other.wait_for("ภาพรวมจังหวัด");
    assert!(!s.contains("หยุดกลางคัน"), "{s}");
    other.keys(&["q"]);
    other.wait_ended(Duration::from_secs(10));
    // malee is, in Thai on the first screen.
    let mut w = c.open(&served, "malee");
    let s = w.wait_for("หยุดกลางคัน");
    assert!(s.contains("กองทุน.xlsx"), "{s}");
    w.keys(&["q"]);
    w.wait_ended(Duration::from_secs(10));
    // Once.
    let mut again = c.open(&served, "malee");
    let s = again.wait_for("ภาพรวมจังหวัด");
    assert!(!s.contains("หยุดกลางคัน"), "{s}");
}
