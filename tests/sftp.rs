//! SFTP with the officers' own keys (`sammachip serve`'s `sftp` subsystem),
//! reached with an in-process russh + russh-sftp client: each officer's
//! folder is all they can name, viewers only download, uploads are capped,
//! 0600, and never kept half. (`tests/e2e_ssh.rs` drives OpenSSH `sftp -b`
//! and PuTTY's `psftp` through the same.)
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
    os::unix::fs::PermissionsExt,
    path::{Path, PathBuf},
    time::{Duration, Instant},
};

use officers::Served;
use russh_sftp::client::SftpSession;
use tokio::io::AsyncWriteExt;

/// An SFTP session of `login` (with their own key), and its connection.
async fn sftp(served: &Served, login: &str) -> (russh::client::Handle<ssh::Client>, SftpSession) {
    let handle = ssh::connect(&served.server, login, &served.key(login)).await.unwrap();
    let channel = handle.channel_open_session().await.unwrap();
    channel.request_subsystem(true, "sftp").await.unwrap();
    let session = SftpSession::new(channel.into_stream()).await.unwrap();
    (handle, session)
}

fn folder(served: &Served, login: &str) -> PathBuf {
    served.dir.path().join("files").join(login)
}

/// The names in a folder on the server's disk, hidden ones too.
fn on_disk(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|d| d.flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect())
        .unwrap_or_default();
    names.sort();
    names
}

#[test]
fn an_officer_uploads_into_the_inbox_and_downloads_from_the_outbox() {
    let served = Served::start();
    ssh::runtime().block_on(async {
        let (_h, s) = sftp(&served, "malee").await;
        let mut top: Vec<String> = s.read_dir("/").await.unwrap().map(|e| e.file_name()).collect();
        top.sort();
        assert_eq!(top, ["inbox", "outbox"]);
        assert_eq!(s.canonicalize(".").await.unwrap(), "/");

        let sheet = "รหัสกองทุน,เลขประจำตัวประชาชน\n33010101,1101700203451\n".as_bytes();
        let mut f = s.create("inbox/สมาชิก.csv").await.unwrap();
        f.write_all(sheet).await.unwrap();
        f.shutdown().await.unwrap();
        let kept = folder(&served, "malee").join("inbox").join("สมาชิก.csv");
        assert_eq!(std::fs::read(&kept).unwrap(), sheet);
        assert_eq!(std::fs::metadata(&kept).unwrap().permissions().mode() & 0o777, 0o600);
        for dir in ["", "inbox", "outbox"] {
            let mode = std::fs::metadata(folder(&served, "malee").join(dir)).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o700, "{dir}");
        }
        // Uploaded again: replaced whole.
        let mut f = s.create("/inbox/สมาชิก.csv").await.unwrap();
        f.write_all(b"x\n").await.unwrap();
        f.shutdown().await.unwrap();
        assert_eq!(std::fs::read(&kept).unwrap(), b"x\n");

        // What the app wrote for the officer comes down.
        let out = folder(&served, "malee").join("outbox").join("export.csv");
        std::fs::write(&out, "a,b\n1,2\n").unwrap();
        assert_eq!(s.read("outbox/export.csv").await.unwrap(), b"a,b\n1,2\n");
        // Only the officer's inbox takes files.
        assert!(s.create("outbox/mine.csv").await.is_err());
        assert!(s.create("new.csv").await.is_err());
        assert!(s.create_dir("inbox/sub").await.is_err());
        // And they may tidy their own folders.
        s.remove_file("outbox/export.csv").await.unwrap();
        assert!(!out.exists());
    });
    assert!(served.log().contains("uploaded inbox/สมาชิก.csv"), "{}", served.log());
}

#[test]
fn nothing_outside_the_officers_folder_can_be_reached() {
    let served = Served::start();
    let store_conf = served.db().join("conf");
    assert!(store_conf.exists());
    // Another officer's file, and a link an administrator left in the inbox.
    let theirs = folder(&served, "kanharom").join("inbox");
    std::fs::create_dir_all(&theirs).unwrap();
    std::fs::write(theirs.join("secret.csv"), "theirs").unwrap();
    let inbox = folder(&served, "malee").join("inbox");
    std::fs::create_dir_all(&inbox).unwrap();
    std::os::unix::fs::symlink(&store_conf, inbox.join("link.csv")).unwrap();
    std::os::unix::fs::symlink(served.dir.path(), folder(&served, "malee").join("up")).unwrap();
    ssh::runtime().block_on(async {
        let (_h, s) = sftp(&served, "malee").await;
        for path in [
            "../../store/conf",
            "/../store/conf",
            "../kanharom/inbox/secret.csv",
            "/etc/passwd",
            "inbox/link.csv",
            "up/store/conf",
            "..\\..\\store\\conf",
        ] {
            assert!(s.read(path).await.is_err(), "{path} was read");
        }
        assert_eq!(s.canonicalize("../../..").await.unwrap(), "/");
        for path in ["../x.csv", "/../../x.csv", "../kanharom/inbox/x.csv", "inbox/../../x.csv", "up/x.csv"] {
            assert!(s.create(path).await.is_err(), "{path} was written");
        }
        assert!(s.symlink("inbox/l.csv", "/etc/passwd").await.is_err());
        assert!(s.read_dir("up").await.is_err());
        let listed: Vec<String> = s.read_dir("inbox").await.unwrap().map(|e| e.file_name()).collect();
        assert!(listed.is_empty(), "links are not listed: {listed:?}");
        assert!(s.remove_file("inbox/link.csv").await.is_err(), "a link is not a file to remove");
    });
    assert!(store_conf.exists());
    assert_eq!(std::fs::read(theirs.join("secret.csv")).unwrap(), b"theirs");
    assert_eq!(on_disk(served.dir.path()).iter().filter(|n| n.ends_with(".csv")).count(), 0);
    assert!(!served.dir.path().join("files").join("x.csv").exists());
}

#[test]
fn a_viewer_downloads_but_cannot_upload() {
    let served = Served::start();
    let outbox = folder(&served, "viewer1").join("outbox");
    std::fs::create_dir_all(&outbox).unwrap();
    std::fs::write(outbox.join("report.csv"), "r\n").unwrap();
    ssh::runtime().block_on(async {
        let (_h, s) = sftp(&served, "viewer1").await;
        assert_eq!(s.read("outbox/report.csv").await.unwrap(), b"r\n");
        let e = s.create("inbox/members.csv").await.err().expect("a viewer's upload is refused");
        let text = e.to_string();
        assert!(text.contains("ดาวน์โหลดได้อย่างเดียว") && text.contains("viewer"), "{text}");
        assert!(s.remove_file("outbox/report.csv").await.is_err());
    });
    assert!(on_disk(&folder(&served, "viewer1").join("inbox")).is_empty());
    assert!(outbox.join("report.csv").exists());
}

#[test]
fn uploads_over_the_cap_or_cut_off_are_not_kept() {
    let served = Served::start_with(&["--max-upload-bytes", "4096"], &[]);
    let inbox = folder(&served, "malee").join("inbox");
    ssh::runtime().block_on(async {
        let (_h, s) = sftp(&served, "malee").await;
        let mut f = s.create("inbox/big.csv").await.unwrap();
        let sent = f.write_all(&[b'1'; 10_000]).await.and(f.shutdown().await);
        assert!(sent.is_err(), "10,000 bytes over a 4,096-byte cap were taken");
        drop(f);
        // Under the cap is fine.
        s.write("inbox/small.csv", &[b'2'; 4096]).await.unwrap();

        // A link that drops mid-upload: nothing half-written is left.
        let (h2, s2) = sftp(&served, "malee").await;
        let mut f = s2.create("inbox/cut.csv").await.unwrap();
        f.write_all(b"half a file").await.unwrap();
        f.flush().await.unwrap();
        assert!(
            on_disk(&inbox).iter().any(|n| n.starts_with('.') && n.ends_with(".upload")),
            "{:?}",
            on_disk(&inbox)
        );
        let _ = h2.disconnect(russh::Disconnect::ByApplication, "", "").await;
        drop(f);
        drop(s2);
    });
    let start = Instant::now();
    while on_disk(&inbox) != ["small.csv"] && start.elapsed() < Duration::from_secs(10) {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(on_disk(&inbox), ["small.csv"]);
}

#[test]
fn a_hostile_client_gets_a_bounded_number_of_open_files() {
    let served = Served::start();
    std::fs::create_dir_all(folder(&served, "malee").join("outbox")).unwrap();
    std::fs::write(folder(&served, "malee").join("outbox").join("a.csv"), "a").unwrap();
    ssh::runtime().block_on(async {
        let (_h, s) = sftp(&served, "malee").await;
        let mut open = Vec::new();
        for _ in 0..100 {
            match s.open("outbox/a.csv").await {
                Ok(f) => open.push(f),
                Err(_) => break,
            }
        }
        assert_eq!(open.len(), 32);
        // Closing one lets the next in.
        let f = open.pop().unwrap();
        f.sync_all().await.ok();
        drop(f);
        tokio::time::sleep(Duration::from_millis(200)).await;
        assert!(s.open("outbox/a.csv").await.is_ok());
    });
}

/// Uploads side by side share the inbox's room: eight opened at once and
/// written in turn, 30,000 bytes each time, into a 1 MiB inbox keep at most
/// 1 MiB between them (each took all the room it saw when it opened: a hunt
/// kept 14.8 MiB in a 5 MiB inbox); an upload refused is closed by its
/// client, and the room it took is given back to the others and to the next.
#[test]
fn uploads_side_by_side_share_the_inbox_cap() {
    let served = Served::start_with(&["--max-inbox-mib", "1"], &[]);
    let inbox = folder(&served, "malee").join("inbox");
    let total = |inbox: &Path| -> u64 {
        std::fs::read_dir(inbox).unwrap().flatten().map(|e| e.metadata().unwrap().len()).sum()
    };
    ssh::runtime().block_on(async {
        let (_h, s) = sftp(&served, "malee").await;
        let mut files = Vec::new();
        for i in 0..8 {
            files.push(Some(s.create(format!("inbox/p{i}.csv")).await.unwrap()));
        }
        let (mut kept, mut refused) = (0, 0);
        for _ in 0..10 {
            for slot in files.iter_mut() {
                let Some(f) = slot else { continue };
                if f.write_all(&[b'7'; 30_000]).await.and(f.flush().await).is_err() {
                    // Refused: the client closes it, and its room goes back.
                    let _ = f.shutdown().await;
                    *slot = None;
                    refused += 1;
                }
            }
        }
        for mut f in files.into_iter().flatten() {
            match f.shutdown().await {
                Ok(()) => kept += 1,
                Err(_) => refused += 1,
            }
        }
        assert!(kept >= 1 && refused >= 1, "{kept} kept, {refused} refused");
        let used = total(&inbox);
        assert!(used <= 1 << 20, "{used} bytes kept in a 1 MiB inbox");
        assert_eq!(used, kept * 300_000, "what was kept is whole");
        // Every refused upload gave its room back: the rest fits.
        let rest = (1u64 << 20) - used - 1_000;
        s.write("inbox/rest.csv", &vec![b'8'; rest as usize]).await.unwrap();
    });
    let start = Instant::now();
    while on_disk(&inbox).iter().any(|n| n.starts_with('.')) && start.elapsed() < Duration::from_secs(10) {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(total(&inbox) <= 1 << 20);
    assert!(on_disk(&inbox).iter().all(|n| !n.starts_with('.')), "{:?}", on_disk(&inbox));
}

/// What a server killed mid-upload left is removed at its next start (it
/// used the inbox's room and, under the old names, stood in the way of an
/// upload of that name); any name the file system takes can be sent, and
/// one it would not take is refused with its reason before a byte is sent.
#[test]
fn a_killed_servers_leftovers_go_and_long_names_are_sent_or_refused_plainly() {
    let leftovers = [".kill9.csv.13.upload", ".4242-13.upload"];
    let served = Served::start_after(
        |db| {
            let inbox = db.parent().unwrap().join("files").join("malee").join("inbox");
            std::fs::create_dir_all(&inbox).unwrap();
            for name in leftovers {
                std::fs::write(inbox.join(name), vec![0u8; 1 << 20]).unwrap();
            }
            std::fs::write(inbox.join("kept.csv"), "a\n").unwrap();
        },
        &[],
        &[],
    );
    let inbox = folder(&served, "malee").join("inbox");
    assert_eq!(on_disk(&inbox), ["kept.csv"], "the leftovers went, the officer's file stayed");
    assert!(served.log().contains("removed 2 unfinished uploads"), "{}", served.log());
    // 81 Thai letters and ".csv": 247 bytes, under the 255 a name may take.
    let long = format!("{}.csv", "ก".repeat(81));
    let too_long = format!("{}.csv", "ก".repeat(84));
    ssh::runtime().block_on(async {
        let (_h, s) = sftp(&served, "malee").await;
        s.write(format!("inbox/{long}"), b"x\n").await.unwrap();
        match s.create(format!("inbox/{too_long}")).await {
            Err(e) => assert!(e.to_string().contains("too long"), "{e}"),
            Ok(_) => panic!("a 256-byte name was taken"),
        }
    });
    let mut want = vec!["kept.csv".to_string(), long];
    want.sort();
    assert_eq!(on_disk(&inbox), want);
}
