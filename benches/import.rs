//! Import speed on the province set: the demo's funds, members and loans are
//! exported to CSV, then imported into an empty store — 430,000 member rows and
//! about 1,000,000 loan rows (the budget: ≥ 100,000 rows/s), with the peak
//! memory of the import (VmHWM, reset before each import). A criterion group
//! times a small import (the district's funds) for regressions.
//!
//! `SAMMACHIP_BENCH_SCALE=district` for a quick run.

use std::{path::Path, sync::Arc, time::Instant};

use criterion::{Criterion, criterion_group};
use sammachip::{
    demo::{self, Scale},
    domain::{Date, Lang, officer::Access},
    io::{
        Kind,
        export::export,
        import::{self, Options},
    },
    store::Store,
};

fn scale() -> Scale {
    match std::env::var("SAMMACHIP_BENCH_SCALE").as_deref() {
        Ok("district") => Scale::District,
        _ => Scale::Province,
    }
}

/// Peak resident memory since the last reset, in MB (Linux).
fn peak_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("VmHWM:")).map(str::to_string))
        .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse::<f64>().ok()))
        .map_or(0.0, |kb| kb / 1024.0)
}

fn reset_peak() {
    // Writing 5 to clear_refs resets VmHWM to the current RSS.
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

fn import_one(store: &Arc<Store>, kind: Kind, file: &Path, today: Date) -> (usize, f64, f64, f64) {
    reset_peak();
    let o = Options {
        kind,
        path: file,
        sheet: None,
        dry_run: false,
        officer: "bench",
        today,
        access: Access::Admin,
        rejects_dir: None,
        change: None,
    };
    let t = Instant::now();
    let s = import::import(store, &o, &|_, _| {}).expect("import");
    let secs = t.elapsed().as_secs_f64();
    assert!(s.rejects.is_empty(), "{kind:?}: {:?}", &s.rejects[..s.rejects.len().min(3)]);
    (s.imported, secs, peak_mb(), s.checked_in.as_secs_f64())
}

fn report() {
    let dir = tempfile::tempdir().expect("tempdir");
    let today = Date::today();
    let source = Arc::new(Store::open(&dir.path().join("source")).expect("open"));
    let t = Instant::now();
    demo::generate(&source, "bench", scale(), demo::DEFAULT_SEED, today, &|_| {}).expect("demo");
    eprintln!("{:?} demo written in {:.1} s", scale(), t.elapsed().as_secs_f64());
    let target = Arc::new(Store::open(&dir.path().join("target")).expect("open"));
    eprintln!("kind          rows      seconds   rows/s     peak MB (import)   file MB   checking s");
    for kind in [Kind::Geography, Kind::Funds, Kind::Members, Kind::Loans] {
        let file = dir.path().join(format!("{}.csv", kind.name()));
        export(&source, kind, &file, Lang::Th).expect("export");
        let mb = std::fs::metadata(&file).map(|m| m.len() as f64 / 1e6).unwrap_or(0.0);
        let (n, secs, peak, checking) = import_one(&target, kind, &file, today);
        eprintln!(
            "{:<12} {n:>9} {secs:>10.2} {:>9.0} {peak:>12.0} {mb:>16.1} {checking:>12.2}",
            kind.name(),
            n as f64 / secs
        );
    }
}

fn small(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("tempdir");
    let today = Date::today();
    let source = Arc::new(Store::open(&dir.path().join("source")).expect("open"));
    demo::generate(&source, "bench", Scale::District, demo::DEFAULT_SEED, today, &|_| {}).expect("demo");
    let geo = dir.path().join("geography.csv");
    let funds = dir.path().join("funds.csv");
    export(&source, Kind::Geography, &geo, Lang::Th).expect("export");
    export(&source, Kind::Funds, &funds, Lang::Th).expect("export");
    let mut n = 0;
    c.bench_function("import/district_funds_csv", |b| {
        b.iter(|| {
            n += 1;
            let store = Arc::new(Store::open(&dir.path().join(format!("t{n}"))).expect("open"));
            import_one(&store, Kind::Geography, &geo, today);
            import_one(&store, Kind::Funds, &funds, today)
        })
    });
}

/// The dates of a member row as the department's files write them (two a
/// row: birth and joining), Thai month abbreviations and Buddhist years.
fn dates(c: &mut Criterion) {
    let days: Vec<String> = (0..1_000)
        .map(|i| {
            let month = sammachip::domain::thai::MONTHS_TH[i % 12];
            format!("{} {month} {}", 1 + i % 28, 2480 + i % 60)
        })
        .collect();
    c.bench_function("import/parse_date_thai_1000", |b| {
        b.iter(|| days.iter().filter(|d| sammachip::domain::thai::parse_date(d).is_ok()).count())
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10);
    targets = small, dates
}

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
    // `cargo test --benches` runs this file too: the full report only under `cargo bench`.
    if std::env::args().any(|a| a == "--bench") {
        report();
    }
}
