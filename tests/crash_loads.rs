//! Bulk loads are all or nothing under SIGKILL: `import members`, `import
//! loans`, `demo`, `demo --replace` and `restore` are killed at random
//! moments; after every kill the store opens (rolling back what was cut
//! off), `check` finds nothing wrong without `--repair`, and the records are
//! exactly those before the load or exactly those after it.
//!
//! `cargo test` kills each a few times (`SAMMACHIP_CRASH_KILLS`, default 3);
//! `.ci/run` runs this file again in release mode with 100 kills each. On the
//! district demo by default; `SAMMACHIP_CRASH_SCALE=province` uses the
//! province's (430,000 members, about a million loans: about half a minute a
//! kill, so an hour for 100 of one kind).

mod common;

use std::{
    path::{Path, PathBuf},
    process::{Command, Stdio},
    sync::{Arc, OnceLock},
    time::Instant,
};

use rand::{Rng, SeedableRng};
use sammachip::{
    domain::{Lang, fund::Fund, member::Member},
    io::{Kind, export::export},
    store::Store,
};

const BIN: &str = env!("CARGO_BIN_EXE_sammachip");

fn kills() -> usize {
    std::env::var("SAMMACHIP_CRASH_KILLS").ok().and_then(|v| v.parse().ok()).unwrap_or(3)
}

/// What every test starts from, made once: the district demo exported, a
/// store of its places and funds, the same with its members, and a backup.
struct Setup {
    dir: PathBuf,
    members_csv: PathBuf,
    loans_csv: PathBuf,
    /// Places and funds only.
    with_funds: PathBuf,
    /// Places, funds and members (no loans).
    with_members: PathBuf,
    /// The whole district demo (seed 7).
    demo: PathBuf,
    backup: PathBuf,
}

fn ok(out: std::process::Output) {
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

fn sammachip(db: &Path, args: &[&str]) -> Command {
    let mut c = Command::new(BIN);
    c.arg("--db").arg(db).args(args);
    c
}

fn setup() -> &'static Setup {
    static S: OnceLock<Setup> = OnceLock::new();
    S.get_or_init(|| {
        let dir = common::scratch().join("setup");
        std::fs::create_dir_all(&dir).unwrap();
        let demo = dir.join("demo");
        match std::env::var("SAMMACHIP_CRASH_SCALE").as_deref() {
            Ok("province") => {
                ok(sammachip(&demo, &["demo", "--scale", "province", "--seed", "7"]).output().unwrap())
            }
            _ => common::copy_dir(common::template(), &demo),
        }
        let store = Arc::new(Store::open(&demo).unwrap());
        let csv = |kind: Kind, name: &str| {
            let p = dir.join(name);
            export(&store, kind, &p, Lang::En).unwrap();
            p
        };
        let geo = csv(Kind::Geography, "geography.csv");
        let funds = csv(Kind::Funds, "funds.csv");
        let members_csv = csv(Kind::Members, "members.csv");
        let loans_csv = csv(Kind::Loans, "loans.csv");
        let backup = dir.join("demo.backup");
        store.backup_file(&backup).unwrap();
        drop(store);
        let with_funds = dir.join("with_funds");
        for (kind, file) in [("geography", &geo), ("funds", &funds)] {
            ok(sammachip(&with_funds, &["import", kind, file.to_str().unwrap()]).output().unwrap());
        }
        let with_members = dir.join("with_members");
        common::copy_dir(&with_funds, &with_members);
        ok(sammachip(&with_members, &["import", "members", members_csv.to_str().unwrap()]).output().unwrap());
        Setup { dir, members_csv, loans_csv, with_funds, with_members, demo, backup }
    })
}

/// What a load changes, counted: funds, members, loans, occupation records,
/// and a fingerprint of every fund's name (two demo seeds differ there).
#[derive(Clone, Debug, PartialEq, Eq)]
struct Counts {
    funds: usize,
    members: usize,
    loans: usize,
    occupations: usize,
    names: u64,
}

/// Opens the store as the program does (which rolls back a load, and takes
/// back an import saved record by record, that was cut off), checks it, and
/// counts it.
fn open_check_count(db: &Path, case: &str) -> Counts {
    let store =
        sammachip::cli::open_store(db).unwrap_or_else(|e| panic!("{case}: the store does not open: {e}"));
    let report = store.check().unwrap();
    assert!(
        report.is_clean(),
        "{case}: check found {} problems, first: {:?}",
        report.problems.len() as u64 + report.more,
        &report.problems[..report.problems.len().min(3)]
    );
    let mut loans = 0;
    store.for_each_prefix::<Member>(&[], |m| loans += m.loans.len()).unwrap();
    let mut names = 0u64;
    for f in store.all::<Fund>().unwrap() {
        for b in f.name.bytes() {
            names = names.wrapping_mul(31).wrapping_add(u64::from(b));
        }
    }
    Counts {
        funds: store.count::<Fund>().unwrap(),
        members: store.count::<Member>().unwrap(),
        loans,
        occupations: store.count::<sammachip::domain::occupation::OccupationRecord>().unwrap(),
        names,
    }
}

/// Runs `prepare` then the command to the end once, for its length and what
/// it leaves; then `kills()` times: `prepare`, start, SIGKILL at a random
/// moment, and the store must hold exactly `before` or `after`.
fn kill_at_random_moments(
    name: &str,
    seed: u64,
    db: &Path,
    prepare: &dyn Fn(&Path),
    before: &Counts,
    args: &[&str],
) {
    prepare(db);
    let started = Instant::now();
    ok(sammachip(db, args).output().unwrap());
    let length = started.elapsed();
    let after = open_check_count(db, &format!("{name}, run to the end"));
    assert_ne!(&after, before, "{name}: the load changes something");
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let (mut saw_before, mut saw_after) = (0, 0);
    for round in 0..kills() {
        prepare(db);
        let wait = length.mul_f64(rng.random_range(0.0..1.1));
        let mut child = sammachip(db, args).stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
        std::thread::sleep(wait);
        let _ = child.kill(); // SIGKILL; it may have finished already
        child.wait().unwrap();
        let case = format!("{name}, kill {round} after {} ms of {} ms", wait.as_millis(), length.as_millis());
        let now = open_check_count(db, &case);
        if now == *before {
            saw_before += 1;
        } else if now == after {
            saw_after += 1;
        } else {
            panic!("{case}: neither before nor after:\nbefore {before:?}\nafter  {after:?}\nnow    {now:?}");
        }
    }
    eprintln!("{name}: {} kills, {saw_before} left it as before, {saw_after} as after", kills());
}

fn fresh_copy(from: &Path) -> impl Fn(&Path) + '_ {
    move |db: &Path| {
        let _ = std::fs::remove_dir_all(db);
        common::copy_dir(from, db);
    }
}

#[test]
fn import_members_killed_at_random_moments() {
    let s = setup();
    let db = s.dir.join("work-members");
    let before = open_check_count(
        &{
            let p = s.dir.join("count-members");
            common::copy_dir(&s.with_funds, &p);
            p
        },
        "with funds",
    );
    kill_at_random_moments(
        "import members",
        1,
        &db,
        &fresh_copy(&s.with_funds),
        &before,
        &["import", "members", s.members_csv.to_str().unwrap()],
    );
}

/// The app's Import screen saves record by record, as one change set (other
/// officers keep working meanwhile). Killed half-way (the server stopped,
/// the power gone), it left the records saved until then; the next open now
/// takes them back.
#[test]
fn import_members_record_by_record_killed_at_random_moments() {
    let s = setup();
    let db = s.dir.join("work-members-1by1");
    let before = open_check_count(
        &{
            let p = s.dir.join("count-members-1by1");
            common::copy_dir(&s.with_funds, &p);
            p
        },
        "with funds",
    );
    // The first 2,000 members: a save per record takes ten times a bulk
    // load's time, and the kills fall anywhere in it all the same.
    let part = s.dir.join("members-2000.csv");
    let text = std::fs::read_to_string(&s.members_csv).unwrap();
    std::fs::write(&part, text.lines().take(2001).collect::<Vec<_>>().join("\n")).unwrap();
    kill_at_random_moments(
        "import members record by record",
        11,
        &db,
        &fresh_copy(&s.with_funds),
        &before,
        &["import", "members", part.to_str().unwrap(), "--one-by-one"],
    );
}

#[test]
fn import_loans_killed_at_random_moments() {
    let s = setup();
    let db = s.dir.join("work-loans");
    let before = open_check_count(
        &{
            let p = s.dir.join("count-loans");
            common::copy_dir(&s.with_members, &p);
            p
        },
        "with members",
    );
    kill_at_random_moments(
        "import loans",
        2,
        &db,
        &fresh_copy(&s.with_members),
        &before,
        &["import", "loans", s.loans_csv.to_str().unwrap()],
    );
}

#[test]
fn demo_killed_at_random_moments() {
    let s = setup();
    let db = s.dir.join("work-demo");
    let empty = Counts { funds: 0, members: 0, loans: 0, occupations: 0, names: 0 };
    let fresh = |db: &Path| {
        let _ = std::fs::remove_dir_all(db);
    };
    let scale = std::env::var("SAMMACHIP_CRASH_SCALE").unwrap_or_else(|_| "district".into());
    kill_at_random_moments("demo", 3, &db, &fresh, &empty, &["demo", "--scale", &scale]);
}

#[test]
fn demo_replace_killed_at_random_moments() {
    let s = setup();
    let db = s.dir.join("work-replace");
    let before = open_check_count(
        &{
            let p = s.dir.join("count-demo");
            common::copy_dir(&s.demo, &p);
            p
        },
        "the demo",
    );
    let scale = std::env::var("SAMMACHIP_CRASH_SCALE").unwrap_or_else(|_| "district".into());
    kill_at_random_moments(
        "demo --replace",
        4,
        &db,
        &fresh_copy(&s.demo),
        &before,
        &["demo", "--scale", &scale, "--seed", "8", "--replace"],
    );
}

#[test]
fn restore_killed_at_random_moments() {
    let s = setup();
    let db = s.dir.join("work-restore");
    // Before: no store at all (opening one makes it, empty).
    let empty = Counts { funds: 0, members: 0, loans: 0, occupations: 0, names: 0 };
    let fresh = |db: &Path| {
        let _ = std::fs::remove_dir_all(db);
    };
    kill_at_random_moments("restore", 5, &db, &fresh, &empty, &["restore", s.backup.to_str().unwrap()]);
    // What killed restores left beside the target is gone after the next.
    let _ = std::fs::remove_dir_all(&db);
    ok(sammachip(&db, &["restore", s.backup.to_str().unwrap()]).output().unwrap());
    let left: Vec<String> = std::fs::read_dir(&s.dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("restoring"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}
