//! `sammachip serve` driven by the real OpenSSH client inside tmux, the way
//! officers reach it: the scenarios of `tests/e2e_russh.rs`, with the
//! client officers use (logins by key, the host key pinned in
//! `known_hosts`). In the outside-clients group: `cargo test --features
//! outside-clients --test e2e_ssh` (`.ci/run` installs tmux and
//! openssh-client).
//!
//! Unix only: the server under test is stopped with Unix signals
//! (`tests/support/ssh.rs`).

#![cfg(unix)]

mod common;
#[path = "support/officers.rs"]
mod officers;
#[path = "support/ssh.rs"]
mod ssh;
#[path = "support/tmux.rs"]
mod tmux;
#[path = "support/window.rs"]
mod window;

use std::{path::Path, process::Command, time::Duration};

use officers::{Client, Served};
use tmux::Tmux;
use window::Window;

/// The OpenSSH client, in a tmux window of its own.
struct OpenSsh;

impl OpenSsh {
    /// `ssh` as `login` with the key of `key_of`, accepting this server's
    /// host key and no other.
    fn command(served: &Served, login: &str, key_of: &str) -> String {
        format!("ssh {} {login}@127.0.0.1", Self::options(served, key_of, "-p"))
    }

    /// The options `ssh` and `sftp` share (`port` is `-p` or `-P`).
    fn options(served: &Served, key_of: &str, port: &str) -> String {
        let known_hosts = served.dir.path().join("known_hosts");
        let host_key = served.server.host_key.to_openssh().unwrap();
        std::fs::write(&known_hosts, format!("[127.0.0.1]:{} {host_key}\n", served.port())).unwrap();
        format!(
            "{port} {} -i '{}' -o IdentitiesOnly=yes -o BatchMode=yes -o StrictHostKeyChecking=yes \
             -o UserKnownHostsFile='{}' -o SendEnv=NONE",
            served.port(),
            served.key_file(key_of).display(),
            known_hosts.display()
        )
    }

    /// OpenSSH `sftp -b` with `script`, run in `dir`: (success, stdout + stderr).
    fn sftp(served: &Served, login: &str, dir: &Path, script: &str) -> (bool, String) {
        let batch = dir.join("batch");
        std::fs::write(&batch, script).unwrap();
        let out = Command::new("sh")
            .arg("-c")
            .arg(format!(
                "sftp {} -b '{}' {login}@127.0.0.1 </dev/null",
                Self::options(served, login, "-P"),
                batch.display()
            ))
            .current_dir(dir)
            .output()
            .expect("sh runs sftp (.ci/run installs openssh-client)");
        let text =
            format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        (out.status.success(), text)
    }
}

/// PuTTY's `psftp -b` with `script`, run in `dir`, with the officer's key
/// converted by `puttygen` and the server's host key pinned by fingerprint.
fn psftp(served: &Served, login: &str, dir: &Path, script: &str) -> (bool, String) {
    let ppk = dir.join(format!("{login}.ppk"));
    if !ppk.exists() {
        let out = Command::new("puttygen")
            .arg(served.key_file(login))
            .args(["-O", "private", "-o"])
            .arg(&ppk)
            .output()
            .expect("puttygen runs (.ci/run installs putty-tools)");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }
    let fingerprint = served.server.host_key.fingerprint(russh::keys::HashAlg::Sha256).to_string();
    let batch = dir.join("psftp-batch");
    std::fs::write(&batch, script).unwrap();
    let out = Command::new("psftp")
        .args(["-batch", "-b"])
        .arg(&batch)
        .arg("-i")
        .arg(&ppk)
        .args(["-P", &served.port().to_string(), "-hostkey", &fingerprint])
        .arg(format!("{login}@127.0.0.1"))
        .current_dir(dir)
        .stdin(std::process::Stdio::null())
        .output()
        .expect("psftp runs (.ci/run installs putty-tools)");
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    (out.status.success(), text)
}

impl Client for OpenSsh {
    type W = Tmux;

    fn open(&self, served: &Served, login: &str) -> Tmux {
        Tmux::launch(
            &Self::command(served, login, login),
            &["TERM=xterm-256color"],
            Duration::from_millis(80),
        )
    }

    /// `kill -9` of `ssh`, as a crashed client or a closed window.
    fn cut(&self, w: &mut Tmux) {
        w.kill_program();
    }

    fn refused(&self, served: &Served, login: &str, key_of: &str) -> bool {
        let out = Command::new("sh")
            .arg("-c")
            .arg(format!("{} true </dev/null", Self::command(served, login, key_of)))
            .output()
            .expect("sh runs ssh (.ci/run installs openssh-client)");
        let err = String::from_utf8_lossy(&out.stderr);
        !out.status.success() && err.contains("Permission denied")
    }
}

#[test]
fn two_officers_one_saves_the_other_sees_it_and_a_stale_form_is_refused() {
    officers::two_officers_one_saves_the_other_sees_it_and_a_stale_form_is_refused(&OpenSsh);
}

#[test]
fn a_dropped_link_keeps_the_session_and_the_next_login_resumes_it() {
    officers::a_dropped_link_keeps_the_session_and_the_next_login_resumes_it(&OpenSsh);
}

#[test]
fn a_second_login_chooses_to_take_over_or_start_anew() {
    officers::a_second_login_chooses_to_take_over_or_start_anew(&OpenSsh);
}

#[test]
fn unknown_and_disabled_keys_are_refused() {
    officers::unknown_and_disabled_keys_are_refused(&OpenSsh);
}

#[test]
fn a_viewer_and_a_district_officer_are_refused_with_the_reason() {
    officers::a_viewer_and_a_district_officer_are_refused_with_the_reason(&OpenSsh);
}

#[test]
fn a_paste_is_text_never_keys() {
    officers::a_paste_is_text_never_keys(&OpenSsh);
}

#[test]
fn the_screen_follows_a_resize_and_f_keys_and_thai_typing_work() {
    officers::the_screen_follows_a_resize_and_f_keys_and_thai_typing_work(&OpenSsh);
}

#[test]
fn a_failing_session_ends_alone_with_a_message() {
    officers::a_failing_session_ends_alone_with_a_message(&OpenSsh);
}

#[test]
fn an_idle_logout_keeps_what_was_typed_for_the_next_login() {
    officers::an_idle_logout_keeps_what_was_typed_for_the_next_login(&OpenSsh);
}

#[test]
fn an_import_cut_off_is_told_to_its_officer_at_the_next_login() {
    officers::an_import_cut_off_is_told_to_its_officer_at_the_next_login(&OpenSsh);
}

#[test]
fn idle_sessions_are_closed_and_the_session_cap_holds() {
    officers::idle_sessions_are_closed_and_the_session_cap_holds(&OpenSsh);
}

#[test]
fn committees_over_ssh_see_and_keep_their_own() {
    officers::committees_over_ssh_see_and_keep_their_own(&OpenSsh);
}

/// Where the server keeps an officer's files.
fn folder(served: &Served, login: &str) -> std::path::PathBuf {
    served.dir.path().join("files").join(login)
}

#[test]
fn openssh_sftp_uploads_into_the_inbox_and_reaches_nothing_else() {
    let served = Served::start();
    let here = tempfile::tempdir().unwrap();
    let sheet = "รหัสกองทุน,เลขประจำตัวประชาชน\n33010101,1101700203451\n";
    std::fs::write(here.path().join("members.csv"), sheet).unwrap();
    let (ok, out) = OpenSsh::sftp(&served, "malee", here.path(), "ls\nput members.csv inbox/\nls -l inbox\n");
    assert!(ok, "{out}");
    assert!(out.contains("inbox") && out.contains("outbox") && out.contains("-rw-------"), "{out}");
    assert_eq!(std::fs::read_to_string(folder(&served, "malee").join("inbox/members.csv")).unwrap(), sheet);

    std::fs::write(folder(&served, "malee").join("outbox/export.csv"), "a,b\n").unwrap();
    let (ok, out) = OpenSsh::sftp(&served, "malee", here.path(), "get outbox/export.csv\n");
    assert!(ok, "{out}");
    assert_eq!(std::fs::read_to_string(here.path().join("export.csv")).unwrap(), "a,b\n");

    // Each of these fails (`-` keeps the batch going); none reaches the store
    // or another officer.
    std::fs::create_dir_all(folder(&served, "kanharom").join("inbox")).unwrap();
    std::os::unix::fs::symlink(served.db().join("conf"), folder(&served, "malee").join("inbox/conf.csv"))
        .unwrap();
    let (_, out) = OpenSsh::sftp(
        &served,
        "malee",
        here.path(),
        "-get ../../store/conf stolen1\n-get /etc/passwd stolen2\n-get inbox/conf.csv stolen3\n\
         -put members.csv ../kanharom/inbox/x.csv\n-put members.csv /x.csv\n-symlink /etc/passwd inbox/p\n\
         -mkdir inbox/sub\n",
    );
    for stolen in ["stolen1", "stolen2", "stolen3"] {
        assert!(!here.path().join(stolen).exists(), "{stolen}: {out}");
    }
    assert!(!folder(&served, "kanharom").join("inbox/x.csv").exists());
    assert!(
        !served.dir.path().join("files/x.csv").exists() && !folder(&served, "malee").join("x.csv").exists()
    );
    assert!(!folder(&served, "malee").join("inbox/p").exists());

    // A viewer downloads but cannot upload.
    std::fs::create_dir_all(folder(&served, "viewer1").join("outbox")).unwrap();
    std::fs::write(folder(&served, "viewer1").join("outbox/report.csv"), "r\n").unwrap();
    let (ok, out) = OpenSsh::sftp(&served, "viewer1", here.path(), "get outbox/report.csv\n");
    assert!(ok, "{out}");
    let (ok, out) = OpenSsh::sftp(&served, "viewer1", here.path(), "put members.csv inbox/\n");
    assert!(!ok && out.contains("Permission denied"), "{out}");
    assert!(!folder(&served, "viewer1").join("inbox/members.csv").exists());
}

#[test]
fn putty_psftp_uploads_and_downloads_with_the_same_key() {
    let served = Served::start();
    let here = tempfile::tempdir().unwrap();
    std::fs::write(here.path().join("members.csv"), "x,y\n1,2\n").unwrap();
    let (ok, out) = psftp(&served, "kanharom", here.path(), "put members.csv inbox/members.csv\nls inbox\n");
    assert!(ok, "{out}");
    assert!(out.contains("members.csv"), "{out}");
    assert_eq!(std::fs::read(folder(&served, "kanharom").join("inbox/members.csv")).unwrap(), b"x,y\n1,2\n");
    let (ok, out) = psftp(&served, "kanharom", here.path(), "get inbox/members.csv back.csv\n");
    assert!(ok, "{out}");
    assert_eq!(std::fs::read(here.path().join("back.csv")).unwrap(), b"x,y\n1,2\n");
    let (ok, out) = psftp(&served, "kanharom", here.path(), "put members.csv ../malee/inbox/m.csv\n");
    assert!(!ok, "{out}");
    assert!(!folder(&served, "malee").join("inbox/m.csv").exists());
    let (ok, out) = psftp(&served, "viewer1", here.path(), "put members.csv inbox/members.csv\n");
    assert!(!ok, "{out}");
}

/// A national ID with its check digit, from 12 digits.
fn national_id(stem: u64) -> String {
    let digits: Vec<u32> = format!("{stem:012}").chars().filter_map(|c| c.to_digit(10)).collect();
    let sum: u32 = digits.iter().enumerate().map(|(i, d)| d * (13 - i as u32)).sum();
    format!("{stem:012}{}", (11 - sum % 11) % 10)
}

/// The members sheet an officer brings: two members of fund 33010101, the
/// first with `first_id`.
fn members_sheet(first_id: &str, second_id: &str) -> String {
    format!(
        "รหัสกองทุน,เลขประจำตัวประชาชน,คำนำหน้า,ชื่อ,นามสกุล,วันเกิด,วันที่เป็นสมาชิก\n\
         33010101,{first_id},นาย,ทดลอง,นำเข้าไฟล์,12/5/2510,1/7/2560\n\
         33010101,{second_id},นาง,สมศรี,นำเข้าไฟล์,3/1/2515,1/7/2560\n"
    )
}

/// The issue's whole round, as an officer does it from a PC: upload a
/// members sheet with OpenSSH `sftp`, import it from the app (tmux over
/// `ssh`), read the refused row on screen, fix the file, upload and import
/// it again, then download the rejects and an export.
#[test]
fn an_officer_uploads_imports_fixes_and_downloads_over_ssh() {
    let served = Served::start();
    let here = tempfile::tempdir().unwrap();
    let good = national_id(190_000_000_123);
    let wrong = {
        let right = national_id(190_000_000_456);
        let last = right.chars().last().and_then(|c| c.to_digit(10)).unwrap();
        format!("{}{}", &right[..12], (last + 1) % 10)
    };
    std::fs::write(here.path().join("สมาชิก.csv"), members_sheet(&wrong, &good)).unwrap();
    let (ok, out) = OpenSsh::sftp(&served, "malee", here.path(), "put สมาชิก.csv inbox/\n");
    assert!(ok, "{out}");

    let mut w = OpenSsh.open(&served, "malee");
    w.wait_for("ภาพรวมจังหวัด");
    w.keys(&["i"]);
    let s = w.wait_for("สมาชิก.csv");
    assert!(s.contains("นำเข้าไฟล์") && s.contains("SFTP"), "{s}");
    w.keys(&["Enter"]);
    let s = w.wait_for("ไม่ผ่าน 1 แถว");
    assert!(s.contains("บันทึกได้ 1 แถว"), "{s}");
    assert!(s.contains("เลขประจำตัวประชาชนไม่ถูกต้อง"), "{s}");
    assert!(s.contains("outbox/สมาชิก.csv.rejects.csv"), "{s}");
    // Nothing is saved while a row is refused.
    w.keys(&["s"]);
    std::thread::sleep(Duration::from_millis(300));
    assert!(!w.screen().contains("y ใช่"), "{}", w.screen());

    // The rejects come down to the PC; the file is fixed and sent again.
    let (ok, out) = OpenSsh::sftp(&served, "malee", here.path(), "get outbox/สมาชิก.csv.rejects.csv\n");
    assert!(ok, "{out}");
    let rejects = std::fs::read_to_string(here.path().join("สมาชิก.csv.rejects.csv")).unwrap();
    let refused: Vec<&str> = rejects.lines().skip(1).collect();
    assert_eq!(refused.len(), 1, "{rejects}");
    assert!(refused[0].starts_with("2,") && refused[0].contains("Wrong national ID"), "{rejects}");
    let fixed = national_id(190_000_000_456);
    std::fs::write(here.path().join("สมาชิก.csv"), members_sheet(&fixed, &good)).unwrap();
    let (ok, out) = OpenSsh::sftp(&served, "malee", here.path(), "put สมาชิก.csv inbox/\n");
    assert!(ok, "{out}");
    w.keys(&["Escape"]);
    w.keys(&["r"]);
    w.wait_for("สมาชิก.csv");
    w.keys(&["Enter"]);
    let s = w.wait_for("บันทึกได้ 2 แถว");
    assert!(s.contains("ไม่ผ่าน 0 แถว"), "{s}");
    w.keys(&["s"]);
    w.wait_for("y ใช่");
    w.keys(&["y"]);
    w.wait_for("นำเข้า 2 รายการจาก สมาชิก.csv");

    // The new members are in the fund, and an export of its members comes down.
    w.keys(&["2"]);
    w.wait_for("33010101");
    w.keys(&["Enter"]);
    w.wait_for("ทะเบียนทุน");
    w.keys(&["m"]);
    w.wait_for("┌ สมาชิก กองทุนหมู่บ้าน");
    w.keys(&["x"]);
    w.wait_for("ส่งออกรายการบนหน้าจอนี้เป็นไฟล์");
    w.keys(&["C-u"]);
    w.text("สมาชิก33010101.csv");
    w.keys(&["C-s"]);
    w.wait_for("outbox/สมาชิก33010101.csv");
    let (ok, out) = OpenSsh::sftp(&served, "malee", here.path(), "get outbox/สมาชิก33010101.csv\n");
    assert!(ok, "{out}");
    let export = std::fs::read_to_string(here.path().join("สมาชิก33010101.csv")).unwrap();
    assert!(export.contains(&fixed) || export.contains(&fixed[..12]), "{export}");
    assert!(export.contains("สมศรี"), "{export}");
}

/// The systemd unit in `assets/` passes `systemd-analyze verify` (with the
/// built binary in its `ExecStart`), and keeps the hardening the README
/// promises.
#[test]
fn the_systemd_unit_verifies() {
    let unit =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/assets/systemd/sammachip.service"))
            .unwrap();
    for line in [
        "User=sammachip",
        "ProtectSystem=strict",
        "ReadWritePaths=/var/lib/sammachip",
        "NoNewPrivileges=yes",
        "Restart=on-failure",
        "KillSignal=SIGTERM",
    ] {
        assert!(unit.lines().any(|l| l == line), "{line} missing");
    }
    let dir = tempfile::tempdir().unwrap();
    let here = dir.path().join("sammachip.service");
    std::fs::write(&here, unit.replace("/usr/local/bin/sammachip", ssh::BIN)).unwrap();
    let out = Command::new("systemd-analyze")
        .args(["verify", "--man=no"])
        .arg(&here)
        .output()
        .expect("systemd-analyze runs (.ci/run installs systemd)");
    let said = String::from_utf8_lossy(&out.stderr);
    // A container without a running systemd may add notes about itself;
    // nothing may be said about the unit.
    assert!(out.status.success() && !said.contains("sammachip.service"), "{said}");
}
