//! The order of the system calls of a save, read with `strace` (an outside
//! program: the outside-clients group, `cargo test --features
//! outside-clients --test syscalls`; `.ci/run` installs strace): every file
//! a save writes is synced, and so is its directory, before the save is
//! acknowledged.

use std::{
    fs,
    path::Path,
    process::{Command, Output},
};

use sammachip::{domain::fund::Fund, store::Store};

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn fund(code: &str) -> Fund {
    Fund {
        code: code.into(), name: format!("กองทุนหมู่บ้าน {code}"), ..Default::default()
    }
}

#[test]
#[ignore = "run by `every_file_a_save_writes_is_synced_before_it_is_acknowledged` under strace"]
fn syscall_child() {
    let Ok(path) = std::env::var("SAMMACHIP_SYSCALL_STORE") else { return };
    let store = Store::open(Path::new(&path)).unwrap();
    for c in ["33010101", "33010102"] {
        store.save("t", &fund(c)).unwrap();
        // Written only once the save returned: the acknowledgement.
        eprintln!("ACKNOWLEDGED {c}");
    }
    // Enough to make sled write a large value as a file of its own (blobs/).
    let mut big = fund("33010103");
    big.name = "ก".repeat(200);
    big.committee = (0..2_000)
        .map(|i| sammachip::domain::fund::CommitteeMember {
            name: format!("นายสมชาย{i} {}", "ใจดี".repeat(20)),
            position: "กรรมการ".into(),
        })
        .collect();
    let _ = store.save("t", &big);
    eprintln!("ACKNOWLEDGED big");
}

/// Reads strace's log: every file under `store` written before an
/// acknowledgement was fsynced after its last write and before it, and so
/// was the directory after files came, went or were renamed in it.
fn unsynced_at_acknowledgements(log: &str, store: &Path) -> (usize, Vec<String>) {
    use std::collections::{HashMap, HashSet};
    let store = store.display().to_string();
    let mut fds: HashMap<i64, String> = HashMap::new();
    let mut dirty: HashSet<String> = HashSet::new();
    let mut dirty_dirs: HashSet<String> = HashSet::new();
    let mut acks = 0;
    let mut problems = Vec::new();
    let quoted = |s: &str| -> Vec<String> { s.split('"').skip(1).step_by(2).map(str::to_string).collect() };
    let parent = |p: &str| Path::new(p).parent().map(|d| d.display().to_string()).unwrap_or_default();
    for line in log.lines() {
        // "PID syscall(args) = ret", with "<unfinished ...>" halves joined by strace -qq? Keep whole lines only.
        let Some(call_at) = line.find(|c: char| c.is_ascii_alphabetic()) else { continue };
        let call = &line[call_at..];
        let name = call.split('(').next().unwrap_or("");
        let ret: i64 = call
            .rsplit("= ")
            .next()
            .and_then(|r| r.split_whitespace().next())
            .and_then(|r| r.parse().ok())
            .unwrap_or(-1);
        let first_arg = call.split('(').nth(1).and_then(|a| a.split([',', ')']).next()).unwrap_or("");
        let fd: i64 = first_arg.trim().parse().unwrap_or(-1);
        match name {
            "openat" | "open" | "creat" => {
                if let Some(p) = quoted(call).first()
                    && ret >= 0
                {
                    fds.insert(ret, p.clone());
                    if p.starts_with(&store) && call.contains("O_CREAT") {
                        dirty_dirs.insert(parent(p));
                    }
                }
            }
            "close" => {
                fds.remove(&fd);
            }
            "write" | "pwrite64" | "pwritev" | "pwritev2" | "writev" => {
                if fd == 2 && call.contains("ACKNOWLEDGED") {
                    acks += 1;
                    let mut left: Vec<String> = dirty.iter().chain(dirty_dirs.iter()).cloned().collect();
                    left.sort();
                    for l in left {
                        problems.push(format!("ack {acks}: {l} not synced"));
                    }
                } else if let Some(p) = fds.get(&fd)
                    && p.starts_with(&store)
                    && ret > 0
                {
                    dirty.insert(p.clone());
                }
            }
            "ftruncate" | "fallocate" => {
                if let Some(p) = fds.get(&fd)
                    && p.starts_with(&store)
                {
                    dirty.insert(p.clone());
                }
            }
            "fsync" | "fdatasync" => {
                if let Some(p) = fds.get(&fd)
                    && ret == 0
                {
                    dirty.remove(p);
                    dirty_dirs.remove(p);
                }
            }
            "rename" | "renameat" | "renameat2" | "unlink" | "unlinkat" | "mkdir" | "mkdirat" => {
                for p in quoted(call) {
                    if p.starts_with(&store) && ret == 0 {
                        dirty_dirs.insert(parent(&p));
                    }
                }
            }
            _ => {}
        }
    }
    (acks, problems)
}

#[test]
fn every_file_a_save_writes_is_synced_before_it_is_acknowledged() {
    assert!(
        Command::new("strace").arg("-V").output().is_ok(),
        "strace must be installed (.ci/run installs it)"
    );
    let dir = tempfile::tempdir().unwrap();
    let db = fs::canonicalize(dir.path()).unwrap().join("store");
    let log = dir.path().join("trace");
    let out = Command::new("strace")
        .args(["-f", "-qq", "-s", "64", "-e", "trace=%file,%desc,write,pwrite64,pwritev,fsync,fdatasync"])
        .arg("-o")
        .arg(&log)
        .arg(std::env::current_exe().unwrap())
        .args(["--ignored", "--exact", "syscall_child", "--nocapture", "--test-threads", "1"])
        .env("SAMMACHIP_SYSCALL_STORE", &db)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let text = fs::read_to_string(&log).unwrap();
    // strace splits a call that another thread interrupts into two lines:
    // join "<unfinished ...>" with its "<... resumed>".
    let joined = join_resumed(&text);
    let (acks, problems) = unsynced_at_acknowledgements(&joined, &db);
    assert_eq!(acks, 3, "three saves acknowledged");
    assert!(
        problems.is_empty(),
        "written but not synced when a save was acknowledged:\n{}",
        problems.join("\n")
    );
    assert!(db.join("blobs").read_dir().unwrap().next().is_some(), "the large save went to a blob file");
}

fn join_resumed(text: &str) -> String {
    use std::collections::HashMap;
    let mut pending: HashMap<String, String> = HashMap::new();
    let mut out = String::new();
    for line in text.lines() {
        let pid = line.split_whitespace().next().unwrap_or("").to_string();
        if let Some(head) = line.strip_suffix(" <unfinished ...>") {
            pending.insert(pid, head.to_string());
        } else if let Some(i) = line.find("<... ") {
            let rest = line[i..].split_once("resumed>").map_or("", |(_, r)| r);
            let head = pending.remove(&pid).unwrap_or_default();
            out.push_str(&head);
            out.push_str(rest);
            out.push('\n');
        } else {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}
