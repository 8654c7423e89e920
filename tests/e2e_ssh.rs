//! `sammachip serve` driven by the real OpenSSH client inside tmux, the way
//! officers reach it: logins by key (host key pinned), two officers seeing each
//! other's saves, roles and districts refused with their reason, resizing,
//! F-keys and Thai typing.

use std::{
    io::{BufRead, BufReader},
    path::PathBuf,
    process::{Child, Command, Output, Stdio},
    thread::sleep,
    time::{Duration, Instant},
};

const BIN: &str = env!("CARGO_BIN_EXE_sammachip");

fn run(cmd: &mut Command) -> Output {
    let out = cmd.output().expect("command runs (.ci/run installs tmux and openssh-client)");
    assert!(out.status.success(), "{cmd:?}: {}", String::from_utf8_lossy(&out.stderr));
    out
}

/// A store with the district demo, officer accounts and their keys, and a
/// server on a free port.
struct Server {
    dir: tempfile::TempDir,
    child: Child,
    port: u16,
}

const OFFICERS: &[(&str, &[&str])] = &[
    ("somchai", &["--role", "admin"]),
    ("malee", &["--role", "province"]),
    ("viewer1", &["--role", "viewer"]),
    ("kanharom", &["--role", "district", "--district", "3302"]),
];

impl Server {
    fn start() -> Server {
        Self::start_with(&[], &[])
    }

    /// With more `serve` arguments and environment.
    fn start_with(args: &[&str], env: &[(&str, &str)]) -> Server {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("store");
        run(Command::new(BIN).arg("--db").arg(&db).args(["demo", "--scale", "district"]));
        for (login, role) in OFFICERS.iter().chain([&("stranger", &[][..])]) {
            let key = dir.path().join(login);
            run(Command::new("ssh-keygen")
                .args(["-q", "-t", "ed25519", "-N", "", "-C", login, "-f"])
                .arg(&key));
            if !role.is_empty() {
                run(Command::new(BIN)
                    .arg("--db")
                    .arg(&db)
                    .args(["user", "add", login, "--key"])
                    .arg(key.with_extension("pub"))
                    .args(*role));
            }
        }
        let host_key = dir.path().join("host_key");
        let mut child = Command::new(BIN)
            .arg("--db")
            .arg(&db)
            .args(["serve", "--listen", "127.0.0.1:0", "--host-key"])
            .arg(&host_key)
            .args(args)
            .envs(env.iter().copied())
            .stdout(Stdio::piped())
            .stderr(Stdio::from(std::fs::File::create(dir.path().join("server.log")).unwrap()))
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        let port: u16 = line
            .trim()
            .rsplit(':')
            .next()
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("server said {line:?}"));
        // Pin the host key: the client accepts this server and no other.
        let public = run(Command::new("ssh-keygen").arg("-y").arg("-f").arg(&host_key)).stdout;
        let line = format!("[127.0.0.1]:{port} {}", String::from_utf8_lossy(&public));
        std::fs::write(dir.path().join("known_hosts"), line).unwrap();
        Server { dir, child, port }
    }

    fn ssh_command(&self, login: &str) -> String {
        format!(
            "ssh -p {} -i '{}' -o IdentitiesOnly=yes -o BatchMode=yes -o StrictHostKeyChecking=yes \
             -o UserKnownHostsFile='{}' -o SendEnv=NONE {login}@127.0.0.1",
            self.port,
            self.dir.path().join(login).display(),
            self.dir.path().join("known_hosts").display()
        )
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("server.log")).unwrap_or_default()
    }

    fn db(&self) -> PathBuf {
        self.dir.path().join("store")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Ok(Some(_)) = self.child.try_wait() {
            return;
        }
        let _ = Command::new("kill").arg("-TERM").arg(self.child.id().to_string()).status();
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(10) {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
    }
}

/// One officer's terminal: a tmux server of its own running `ssh`.
struct Term {
    socket: String,
}

impl Term {
    fn open(server: &Server, login: &str) -> Term {
        let t = Term { socket: format!("sammachip-ssh-{}-{login}-{}", std::process::id(), server.port) };
        let out = t.cmd(&[
            "new-session",
            "-d",
            "-s",
            "app",
            "-x",
            "80",
            "-y",
            "24",
            "-e",
            "TERM=xterm-256color",
            &server.ssh_command(login),
        ]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        t.cmd(&["set-option", "-t", "app", "remain-on-exit", "on"]);
        t
    }

    fn cmd(&self, args: &[&str]) -> Output {
        Command::new("tmux").arg("-L").arg(&self.socket).args(args).output().expect("tmux")
    }

    fn keys(&self, keys: &[&str]) {
        for k in keys {
            self.cmd(&["send-keys", "-t", "app", k]);
            sleep(Duration::from_millis(80));
        }
    }

    fn text(&self, s: &str) {
        self.cmd(&["send-keys", "-t", "app", "-l", s]);
        sleep(Duration::from_millis(80));
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

    /// Logged in, on the Funds tab.
    fn funds(&self) {
        self.wait_for("ภาพรวมจังหวัด");
        self.keys(&["2"]);
        self.wait_for("ชื่อกองทุน");
    }
}

impl Drop for Term {
    fn drop(&mut self) {
        self.cmd(&["kill-server"]);
    }
}

/// The name of the first fund on the Funds tab (the line under the header).
fn first_fund_line(screen: &str) -> String {
    screen.lines().find(|l| l.contains("│3301")).unwrap_or_default().to_string()
}

#[test]
fn two_officers_one_saves_the_other_sees_it_and_a_stale_form_is_refused() {
    let server = Server::start();
    let a = Term::open(&server, "somchai");
    let b = Term::open(&server, "malee");
    a.funds();
    b.funds();
    // B opens the same fund for editing before A saves.
    b.keys(&["e"]);
    b.wait_for("แก้ไขกองทุน");

    // A renames the first fund.
    a.keys(&["e"]);
    a.wait_for("แก้ไขกองทุน");
    a.keys(&["Tab", "Tab", "End"]);
    a.text("ทดสอบ");
    a.keys(&["C-s"]);
    a.wait_for("ทดสอบ");

    // B's list behind the form follows within a second or two; B's form, opened
    // before the change, is refused with the reason and keeps what was typed.
    b.keys(&["Tab", "Tab", "End"]);
    b.text("ของบี");
    b.keys(&["C-s"]);
    let s = b.wait_for("แก้ไขโดยเจ้าหน้าที่อื่น");
    assert!(s.contains("ของบี"), "the form keeps the typing:\n{s}");
    b.keys(&["Escape"]);
    b.wait_for("สิ่งที่พิมพ์จะหายไป");
    b.keys(&["y"]);
    let s = b.wait_for("ทดสอบ");
    assert!(first_fund_line(&s).contains("ทดสอบ"), "{s}");

    // And the reverse, with no key pressed on A's side: A's screen redraws.
    b.keys(&["e"]);
    b.wait_for("แก้ไขกองทุน");
    b.keys(&["Tab", "Tab", "End"]);
    b.text("สอง");
    b.keys(&["C-s"]);
    // (The name column cuts the longer name after its first letters.)
    a.wait_for("ทดสอบส");
    let log = server.log();
    assert!(log.contains("login somchai") && log.contains("login malee"), "{log}");
}

#[test]
fn unknown_and_disabled_keys_are_refused() {
    let server = Server::start();
    let refused = |login: &str| {
        let out = Command::new("sh")
            .arg("-c")
            .arg(format!("{} true </dev/null", server.ssh_command(login)))
            .output()
            .unwrap();
        assert!(!out.status.success());
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    assert!(refused("stranger").contains("Permission denied"));
    // A registered login with somebody else's key.
    let out = Command::new("sh")
        .arg("-c")
        .arg(format!("{} true </dev/null", server.ssh_command("somchai").replace("/somchai'", "/stranger'")))
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("Permission denied"));
    assert!(server.log().contains("refused"), "{}", server.log());

    // An administrator disables viewer1 on the Admin tab: their open session
    // ends with the reason, and their key stops working.
    let viewer = Term::open(&server, "viewer1");
    viewer.wait_for("ภาพรวมจังหวัด");
    let admin = Term::open(&server, "somchai");
    admin.wait_for("ภาพรวมจังหวัด");
    admin.keys(&["7"]);
    admin.wait_for("viewer1");
    admin.keys(&["End", "d"]);
    admin.wait_for("ปิดบัญชี viewer1");
    admin.keys(&["y"]);
    admin.wait_for("ปิดใช้งาน");
    assert!(refused("viewer1").contains("Permission denied"));
    let s = wait_dead(&viewer);
    assert!(s.contains("disabled by an administrator"), "{s}");

    // The store is the server's: a local run says so and names the ssh command.
    let out = Command::new(BIN).arg("--db").arg(server.db()).args(["user", "list"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(&format!("ssh -p {}", server.port)), "{err}");
}

#[test]
fn a_viewer_and_a_district_officer_are_refused_with_the_reason() {
    let server = Server::start();
    let v = Term::open(&server, "viewer1");
    v.funds();
    v.keys(&["e"]);
    v.wait_for("ดูได้อย่างเดียว");
    v.keys(&["n"]);
    let s = v.wait_for("ดูได้อย่างเดียว");
    assert!(!s.contains("แก้ไขกองทุน") && !s.contains("กองทุนใหม่"), "{s}");

    let d = Term::open(&server, "kanharom");
    d.funds();
    d.keys(&["e"]);
    d.wait_for("แก้ไขกองทุน");
    d.keys(&["Tab", "Tab", "End"]);
    d.text("X");
    d.keys(&["C-s"]);
    d.wait_for("เจ้าหน้าที่อำเภอ 3302 แก้ไขข้อมูลของอำเภอ 3301 ไม่ได้");
}

#[test]
fn the_screen_follows_a_resize_and_f_keys_and_thai_typing_work() {
    let server = Server::start();
    let t = Term::open(&server, "somchai");
    t.funds();
    // The box's bottom border: one character per column.
    let width = |s: &str| s.lines().find(|l| l.starts_with('└')).map_or(0, |l| l.chars().count());
    assert_eq!(width(&t.screen()), 80);
    t.cmd(&["resize-window", "-t", "app", "-x", "110", "-y", "32"]);
    let start = Instant::now();
    loop {
        let s = t.screen();
        if width(&s) == 110 && s.lines().nth(30).is_some_and(|l| l.starts_with('└')) {
            break;
        }
        assert!(start.elapsed() < Duration::from_secs(10), "the frame did not follow the resize:\n{s}");
        sleep(Duration::from_millis(100));
    }
    // F1 opens the help, Esc (alone) closes it.
    t.keys(&["F1"]);
    t.wait_for("ปุ่มที่ใช้ได้");
    t.keys(&["Escape"]);
    let start = Instant::now();
    while t.screen().contains("ปุ่มที่ใช้ได้") {
        assert!(start.elapsed() < Duration::from_secs(5), "Esc did not close the help");
        sleep(Duration::from_millis(100));
    }
    // Thai typed into the filter narrows the list.
    t.keys(&["/"]);
    t.text("โคก");
    let s = t.wait_for("/ โคก");
    let rows: Vec<&str> = s.lines().filter(|l| l.contains("│3301")).collect();
    assert!(!rows.is_empty() && rows.iter().all(|l| l.contains("โคก")), "{s}");
    // q leaves; the connection closes.
    t.keys(&["Escape", "q"]);
    let start = Instant::now();
    loop {
        let dead = t.cmd(&["display-message", "-p", "-t", "app", "#{pane_dead}"]);
        if String::from_utf8_lossy(&dead.stdout).trim() == "1" {
            break;
        }
        assert!(start.elapsed() < Duration::from_secs(10), "ssh did not end:\n{}", t.screen());
        sleep(Duration::from_millis(100));
    }
    assert!(server.log().contains("ended (quit)"));
}

#[test]
fn the_server_flushes_and_stops_on_sigterm_and_the_store_opens_locally() {
    let mut server = Server::start();
    let db = server.db();
    run(Command::new("kill").arg("-TERM").arg(server.child.id().to_string()));
    let start = Instant::now();
    loop {
        if let Ok(Some(status)) = server.child.try_wait() {
            assert!(status.success(), "{status:?}");
            break;
        }
        assert!(start.elapsed() < Duration::from_secs(10), "the server did not stop");
        sleep(Duration::from_millis(50));
    }
    assert!(server.log().contains("store flushed"), "{}", server.log());
    assert!(!db.join("serving").exists());
    let out = Command::new(BIN).arg("--db").arg(&db).args(["user", "list"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("kanharom\tdistrict 3302"));
}

fn wait_dead(t: &Term) -> String {
    let start = Instant::now();
    loop {
        let dead = t.cmd(&["display-message", "-p", "-t", "app", "#{pane_dead}"]);
        if String::from_utf8_lossy(&dead.stdout).trim() == "1" {
            return t.screen();
        }
        assert!(start.elapsed() < Duration::from_secs(15), "ssh did not end:\n{}", t.screen());
        sleep(Duration::from_millis(100));
    }
}

#[test]
fn a_failing_session_ends_alone_with_a_message() {
    let server = Server::start_with(&[], &[("SAMMACHIP_TEST_FAULT_LOGIN", "viewer1")]);
    let ok = Term::open(&server, "somchai");
    ok.funds();
    let bad = Term::open(&server, "viewer1");
    bad.wait_for("ภาพรวมจังหวัด");
    bad.keys(&["2"]);
    let s = wait_dead(&bad);
    assert!(s.contains("ข้อผิดพลาดภายใน") && s.contains("internal error"), "{s}");
    assert!(server.log().contains("session viewer1@") && server.log().contains("ended on an internal error"));
    // The other officer goes on working.
    ok.keys(&["Down", "e"]);
    ok.wait_for("แก้ไขกองทุน");
}

#[test]
fn idle_sessions_are_closed_and_the_session_cap_holds() {
    let server = Server::start_with(&["--idle-seconds", "3", "--max-sessions", "1"], &[]);
    let first = Term::open(&server, "somchai");
    first.wait_for("ภาพรวมจังหวัด");
    // A second session while the first is on: the server is full.
    let second = Term::open(&server, "malee");
    let s = wait_dead(&second);
    assert!(s.contains("already has 1 sessions"), "{s}");
    // The first, left alone, is closed with a message.
    let s = wait_dead(&first);
    assert!(s.contains("idle"), "{s}");
    assert!(server.log().contains("ended (idle)"), "{}", server.log());
}

#[test]
fn a_backup_of_a_served_store_goes_through_the_server_and_restores_clean() {
    let server = Server::start();
    let file = server.dir.path().join("through-server.backup");
    let out = Command::new(BIN).arg("--db").arg(server.db()).arg("backup").arg(&file).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(server.log().contains("asked on the control socket"), "{}", server.log());
    let restored = server.dir.path().join("restored");
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
    let server =
        Server::start_with(&["--backup-every-seconds", "1", "--keep-backups", "2", "--backup-dir", &b], &[]);
    let start = Instant::now();
    loop {
        let log = server.log();
        if log.matches("daily backup ").count() >= 4 && log.contains("removed") {
            break;
        }
        assert!(start.elapsed() < Duration::from_secs(30), "{log}");
        sleep(Duration::from_millis(200));
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
