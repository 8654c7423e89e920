//! Nothing acknowledged is lost: a child process saves funds in a loop and
//! prints each save the store acknowledged; it is killed with SIGKILL at a
//! random moment, 200 times; after every kill the store opens, holds every
//! acknowledged save, and `check` finds nothing wrong. The 200 kills are
//! shared by four stores, each with its own child, killed side by side.
//!
//! The child is this test binary run again (`crash_child`, ignored unless run
//! on purpose with `SAMMACHIP_CRASH_STORE` set).

use std::{
    io::{BufRead, BufReader},
    process::{Command, Stdio},
    time::{Duration, Instant},
};

use rand::{Rng, SeedableRng};
use sammachip::{
    domain::fund::Fund,
    store::{Store, trees},
};

const KILLS: usize = 200;
/// Stores killed side by side, each `KILLS / STORES` times.
const STORES: usize = 4;

/// The n-th fund code: 3301 and four digits that never end in 00.
fn code(n: u64) -> String {
    let k = n + n / 99 + 101;
    format!("3301{k:04}")
}

#[test]
#[ignore = "run by `saves_survive_sigkill` as its child"]
fn crash_child() {
    let Ok(path) = std::env::var("SAMMACHIP_CRASH_STORE") else { return };
    let store = Store::open(std::path::Path::new(&path)).expect("the child opens the store");
    let mut n = store.count::<Fund>().expect("count") as u64;
    loop {
        let f = Fund {
            code: code(n), name: format!("กองทุนทดสอบ {n}"), ..Default::default()
        };
        store.save("crash", &f).expect("save");
        // Printed only after the save returned: acknowledged.
        println!("acked {}", code(n));
        n += 1;
    }
}

#[test]
fn saves_survive_sigkill() {
    let started = Instant::now();
    let acked: usize = std::thread::scope(|s| {
        let shards: Vec<_> = (0..STORES).map(|k| s.spawn(move || kill_rounds(k, KILLS / STORES))).collect();
        shards.into_iter().map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e))).sum()
    });
    assert!(acked > KILLS, "the children saved too little to test anything: {acked}");
    eprintln!(
        "{KILLS} kills, {acked} acknowledged saves, all kept, in {:.0} s",
        started.elapsed().as_secs_f64()
    );
}

/// Kills a child saving into a store of its own `kills` times; checks the
/// store after each kill; the number of acknowledged saves.
fn kill_rounds(shard: usize, kills: usize) -> usize {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store");
    Store::open(&path).unwrap();
    let exe = std::env::current_exe().unwrap();
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7 + shard as u64);
    let mut acked: Vec<String> = Vec::new();
    for round in 0..kills {
        let mut child = Command::new(&exe)
            .args(["--ignored", "--exact", "crash_child", "--nocapture", "--test-threads", "1"])
            .env("SAMMACHIP_CRASH_STORE", &path)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        // Read acknowledgements on a thread; kill after a random pause, at a
        // random point of a save.
        let reader = std::thread::spawn(move || {
            let mut got = Vec::new();
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if let Some(c) = line.strip_prefix("acked ") {
                    got.push(c.to_string());
                }
            }
            got
        });
        std::thread::sleep(Duration::from_millis(rng.random_range(30..250)));
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        acked.extend(reader.join().unwrap());

        let store = Store::open(&path)
            .unwrap_or_else(|e| panic!("store {shard}, round {round}: the store does not open: {e}"));
        for c in &acked {
            assert!(
                store.lookup(trees::FUNDS_BY_CODE, c.as_bytes()).unwrap().is_some(),
                "store {shard}, round {round}: acknowledged save {c} is lost"
            );
        }
        let report = store.check().unwrap();
        assert!(
            report.is_clean(),
            "store {shard}, round {round}: {:?}",
            &report.problems[..report.problems.len().min(5)]
        );
    }
    acked.len()
}
