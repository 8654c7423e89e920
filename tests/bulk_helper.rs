//! `sammachip` hands `import`, `restore`, `demo`, `backup` and `check` to
//! `sammachip-bulk` (the
//! same program on mimalloc) beside it, and only to one of the same build
//! (src/cli/helper.rs). Stand-in scripts record what each binary was asked.
#![cfg(unix)]

use std::{
    fs,
    os::unix::fs::PermissionsExt,
    path::{Path, PathBuf},
    process::{Command, Output},
};

const MAIN: &str = env!("CARGO_BIN_EXE_sammachip");
const BULK: &str = env!("CARGO_BIN_EXE_sammachip-bulk");

/// `bin` as `name` in `dir` (a hard link when it can be: the debug binaries
/// are large).
fn place(bin: &str, dir: &Path, name: &str) -> PathBuf {
    let to = dir.join(name);
    if fs::hard_link(bin, &to).is_err() {
        fs::copy(bin, &to).expect("copy the binary");
    }
    to
}

/// A stand-in for one of the binaries: it writes the two variables,
/// mimalloc's huge-page setting and its arguments, one per line, to `ran`
/// beside it, and exits with `code`.
fn stand_in(dir: &Path, name: &str, code: u8) {
    let to = dir.join(name);
    let script = format!(
        "#!/bin/sh\n{{ echo \"for=$SAMMACHIP_BULK_FOR\"; echo \"here=$SAMMACHIP_IN_PROCESS\"; \
         echo \"thp=$MIMALLOC_ALLOW_THP\"; printf '%s\\n' \"$@\"; }} > \"$(dirname \"$0\")/ran\"\nexit {code}\n"
    );
    fs::write(&to, script).expect("write the stand-in");
    fs::set_permissions(&to, fs::Permissions::from_mode(0o755)).expect("make it runnable");
}

fn run(exe: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut c = Command::new(exe);
    c.args(args)
        .env_remove("SAMMACHIP_BULK_FOR")
        .env_remove("SAMMACHIP_IN_PROCESS")
        .env_remove("MIMALLOC_ALLOW_THP");
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().expect("run the binary")
}

fn ran(dir: &Path) -> Option<Vec<String>> {
    let text = fs::read_to_string(dir.join("ran")).ok()?;
    fs::remove_file(dir.join("ran")).expect("clear the record");
    Some(text.lines().map(str::to_owned).collect())
}

#[test]
fn whole_store_commands_go_to_the_helper_beside_it_and_nothing_else_does() {
    let dir = tempfile::tempdir().expect("temp dir");
    let d = dir.path();
    let main = place(MAIN, d, "sammachip");
    stand_in(d, "sammachip-bulk", 7);
    let db = d.join("store");
    let db = db.to_str().expect("utf-8 path");
    for args in [
        vec!["--db", db, "import", "members", "members.csv"],
        vec!["--db", db, "import", "loans", "loans.xlsx", "--dry-run"],
        vec!["--db", db, "restore", "backup.smc"],
        vec!["--db", db, "demo", "--scale", "district"],
        vec!["--db", db, "backup", "store.backup"],
        vec!["--db", db, "check", "--repair"],
    ] {
        let out = run(&main, &args, &[]);
        assert_eq!(out.status.code(), Some(7), "{args:?}: the helper's exit code is the command's");
        let seen = ran(d).unwrap_or_else(|| panic!("{args:?}: the helper was not run"));
        let id = seen[0].strip_prefix("for=").expect("the build it expects");
        assert!(id.len() == 16 && id.bytes().all(|b| b.is_ascii_hexdigit()), "{args:?}: {id:?}");
        assert_eq!(seen[1], "here=", "{args:?}");
        assert_eq!(seen[2], "thp=0", "{args:?}: mimalloc's huge pages off");
        assert_eq!(&seen[3..], &args[..], "the same arguments, in order");
    }
    // A huge-page setting made by hand is left as it is.
    let args = ["--db", db, "restore", "backup.smc"];
    run(&main, &args, &[("MIMALLOC_ALLOW_THP", "1")]);
    assert_eq!(ran(d).expect("the helper was run")[2], "thp=1");
    // Everything else runs in the main binary.
    let csv = d.join("funds.csv");
    let csv = csv.to_str().expect("utf-8 path");
    for args in
        [vec!["--db", db, "export", "funds", "-o", csv], vec!["--db", db, "user", "list"], vec!["--version"]]
    {
        let out = run(&main, &args, &[]);
        assert_eq!(ran(d), None, "{args:?} went to the helper");
        assert_ne!(out.status.code(), Some(7), "{args:?}");
    }
    // SAMMACHIP_IN_PROCESS keeps a whole-store command here too.
    let out = run(&main, &["--db", db, "import", "members", "none.csv"], &[("SAMMACHIP_IN_PROCESS", "1")]);
    assert_eq!(ran(d), None);
    assert_eq!(out.status.code(), Some(1), "the main binary's own answer: no such file");
}

#[test]
fn without_a_helper_the_main_binary_runs_the_command_itself() {
    let dir = tempfile::tempdir().expect("temp dir");
    let d = dir.path();
    let main = place(MAIN, d, "sammachip");
    let db = d.join("store");
    // A store first: `check` makes none (it only reads).
    sammachip::store::Store::open(&db).expect("a new store");
    let out = run(&main, &["--db", db.to_str().expect("utf-8"), "check"], &[]);
    let told = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{told}");
    assert!(told.contains("ตรวจแล้ว ไม่พบปัญหา") && told.contains("no problems"), "{told}");
}

#[test]
fn a_helper_of_another_build_gives_the_command_back_to_the_main_binary() {
    let dir = tempfile::tempdir().expect("temp dir");
    let d = dir.path();
    let bulk = place(BULK, d, "sammachip-bulk");
    stand_in(d, "sammachip", 9);
    let args = ["--db", "store", "import", "members", "members.csv"];
    let out = run(&bulk, &args, &[("SAMMACHIP_BULK_FOR", "0123456789abcdef")]);
    assert_eq!(out.status.code(), Some(9), "{}", String::from_utf8_lossy(&out.stderr));
    let seen = ran(d).expect("the main binary was run");
    assert_eq!(seen[0], "for=", "the expected build is not passed on");
    assert_eq!(seen[1], "here=1", "and the main binary is told to run it itself");
    assert_eq!(seen[2], "thp=", "handing back sets no huge-page setting");
    assert_eq!(&seen[3..], &args[..]);
    // Run by hand, or by a main binary of its own build, it runs the command.
    let other = tempfile::tempdir().expect("temp dir");
    let main = place(MAIN, other.path(), "sammachip");
    stand_in(other.path(), "sammachip-bulk", 7);
    run(&main, &args, &[]);
    let seen = ran(other.path()).expect("the main binary hands over");
    let id = seen[0].strip_prefix("for=").expect("its build");
    for env in [vec![], vec![("SAMMACHIP_BULK_FOR", id)]] {
        let out = run(&bulk, &["--version"], &env);
        assert_eq!(ran(d), None, "{env:?}: given back");
        assert!(String::from_utf8_lossy(&out.stdout).starts_with("sammachip "), "{env:?}: ran here");
    }
}
