//! What a store of fewer, bigger records would save a restore or an import:
//! the same bytes written into a new sled store one record at a time (as
//! the store keeps them: a member, an occupation record, a count, an index
//! entry each), or a fund's records packed into pages of at most N.
//!
//! `cargo run --release --example paged_writes -- STORE [RUNS] [N ...]`
//! reads the four trees that hold nearly all of a store's entries
//! (`members`, `occupations`, `children`, `members_by_nid`) from STORE
//! (closed: no app or server may hold it), then writes them RUNS times
//! (default 3) each way, the ways in turn (each run starting with the
//! next), into a temporary store, and prints the median time of each. The
//! N default to 16, 64 and whole funds (0). A page here is the records' bytes one after another, keyed by
//! the first record's key; nothing reads it back. It measures sled's side of
//! a paged layout, not a layout the app has.
//!
//! Issue 23's twenty-second round in BENCHMARKS.md. It was run on a store of
//! schema 3, one sled value per member; since schema 4 members are kept in
//! pages (`src/store/page.rs`), so on a newer store its `members` entries are
//! pages already.

use std::{error::Error, path::Path, time::Instant};

const TREES: [&str; 4] = ["members", "occupations", "children", "members_by_nid"];

type Pairs = Vec<(sled::IVec, sled::IVec)>;

fn main() -> Result<(), Box<dyn Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(store) = args.first() else {
        return Err("usage: paged_writes STORE [RUNS] [N ...]".into());
    };
    let runs: usize = args.get(1).map(|r| r.parse()).transpose()?.unwrap_or(3);
    let mut pages: Vec<usize> = args.iter().skip(2).map(|n| n.parse()).collect::<Result<_, _>>()?;
    if pages.is_empty() {
        pages = vec![16, 64, 0];
    }
    let trees = read(Path::new(store))?;
    let tmp = tempfile::tempdir()?;
    let mut ways: Vec<(String, Vec<f64>, usize, usize)> = Vec::new();
    ways.push(("one record at a time".into(), Vec::new(), 0, 0));
    for n in &pages {
        let name = if *n == 0 { "a page per fund".to_string() } else { format!("pages of at most {n}") };
        ways.push((name, Vec::new(), 0, 0));
    }
    for run in 0..runs {
        // Each run starts with another way, so none always follows the
        // same one (whose writes may still be going to disk).
        for j in 0..ways.len() {
            let i = (j + run) % ways.len();
            let way = &mut ways[i];
            let at = tmp.path().join(format!("run-{run}-{i}"));
            let page = if i == 0 { None } else { Some(pages[i - 1]) };
            let (secs, inserts, biggest) = write(&at, &trees, page)?;
            way.1.push(secs);
            (way.2, way.3) = (inserts, biggest);
            std::fs::remove_dir_all(&at)?;
        }
    }
    println!("{:<24} {:>10} {:>12} {:>14}", "written", "inserts", "median (s)", "biggest (B)");
    for (name, mut secs, inserts, biggest) in ways {
        secs.sort_by(f64::total_cmp);
        println!("{name:<24} {inserts:>10} {:>12.2} {biggest:>14}", secs[secs.len() / 2]);
    }
    Ok(())
}

/// The four trees' pairs, in key order.
fn read(store: &Path) -> Result<Vec<(&'static str, Pairs)>, Box<dyn Error>> {
    let db = sled::Config::new().path(store).open()?;
    let mut out = Vec::new();
    for name in TREES {
        let pairs: Pairs = db.open_tree(name)?.iter().collect::<Result<_, _>>()?;
        let bytes: usize = pairs.iter().map(|(k, v)| k.len() + v.len()).sum();
        eprintln!("{name}: {} entries, {bytes} bytes", pairs.len());
        out.push((name, pairs));
    }
    Ok(out)
}

/// Writes the trees into a new store at `at`, a record at a time (`None`)
/// or in pages of at most N of a fund's records (0: the whole fund), and
/// flushes it. Seconds, inserts and the biggest value written.
fn write(
    at: &Path,
    trees: &[(&str, Pairs)],
    page: Option<usize>,
) -> Result<(f64, usize, usize), Box<dyn Error>> {
    let db = sled::Config::new().path(at).cache_capacity(8 << 20).open()?;
    let started = Instant::now();
    let (mut inserts, mut biggest) = (0, 0);
    for (name, pairs) in trees {
        let tree = db.open_tree(name)?;
        let Some(most) = page else {
            for (k, v) in pairs {
                tree.insert(k, v.clone())?;
                biggest = biggest.max(v.len());
            }
            inserts += pairs.len();
            continue;
        };
        let most = if most == 0 { usize::MAX } else { most };
        let mut rest = &pairs[..];
        while let Some((first, _)) = rest.first() {
            let fund = &first[..first.len().min(8)];
            let n = rest.iter().take(most).take_while(|(k, _)| k.starts_with(fund)).count();
            let mut value = Vec::new();
            for (k, v) in &rest[..n] {
                value.extend_from_slice(&(k.len() as u32).to_le_bytes());
                value.extend_from_slice(k);
                value.extend_from_slice(&(v.len() as u32).to_le_bytes());
                value.extend_from_slice(v);
            }
            biggest = biggest.max(value.len());
            tree.insert(first, value)?;
            inserts += 1;
            rest = &rest[n..];
        }
    }
    db.flush()?;
    Ok((started.elapsed().as_secs_f64(), inserts, biggest))
}
