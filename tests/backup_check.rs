//! Backups and restores (round trip, while saves go on, damaged files), and the
//! store's check and repair.

mod common;

use std::{
    path::Path,
    sync::{
        Arc, OnceLock,
        atomic::{AtomicBool, Ordering},
    },
    time::Instant,
};

use common::Fixture;
use proptest::{prelude::*, sample::Index};
use sammachip::{
    domain::{
        Lang,
        audit::AuditAction,
        fund::Fund,
        member::{Member, MemberStatus},
        programme::{NetworkCommittee, SupportActivity},
        thai::NationalId,
    },
    service::messages,
    store::{
        Record, Store,
        backup::{self, BackupError, END, FORMAT, MAGIC},
        check::Fault,
        member_key, migrate, trees,
    },
};

fn backup_bytes(store: &Store) -> Vec<u8> {
    let mut out = Vec::new();
    store.backup_to(&mut out).unwrap();
    out
}

/// Nothing is left where a failed restore worked: not the target, not its
/// work directory (`dir` held nothing else).
fn assert_nothing_left(dir: &Path) {
    let left: Vec<_> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert!(left.is_empty(), "a failed restore left {left:?} behind");
}

fn assert_same_trees(a: &Store, b: &Store) {
    for name in trees::ALL {
        let pairs = |s: &Store| -> Vec<(sled::IVec, sled::IVec)> {
            s.raw_tree(name).unwrap().iter().map(Result::unwrap).collect()
        };
        let (x, y) = (pairs(a), pairs(b));
        assert_eq!(x.len(), y.len(), "tree {name}: {} pairs, restored {}", x.len(), y.len());
        assert!(x == y, "tree {name} differs after the restore");
    }
}

fn assert_clean(store: &Store) {
    let report = store.check().unwrap();
    assert!(report.is_clean(), "{} problems, first: {:#?}", report.problems.len(), &report.problems[..]);
}

#[test]
fn a_restored_backup_equals_the_store_byte_for_byte_and_checks_clean() {
    let f = Fixture::new(Lang::Th);
    let dir = tempfile::tempdir().unwrap();
    let t = Instant::now();
    let mut bytes = Vec::new();
    let summary = f.store.backup_to(&mut bytes).unwrap();
    let backup_ms = t.elapsed().as_millis();
    assert_eq!(summary.bytes, bytes.len() as u64);
    assert_eq!(summary.header.format, FORMAT);
    assert_eq!(summary.header.schema_version, f.store.schema_version().unwrap().unwrap());
    assert_eq!(summary.trees.len(), trees::ALL.len());
    let members = summary.trees.iter().find(|(t, _)| *t == trees::MEMBERS).unwrap().1;
    // Entries as sled holds them: members are kept in pages of up to 16.
    assert_eq!(members, f.store.raw_tree(trees::MEMBERS).unwrap().len() as u64);
    assert!(members * 16 >= f.store.count::<Member>().unwrap() as u64 && members > 0);

    let t = Instant::now();
    let (restored, read) = Store::restore_from(&bytes[..], &dir.path().join("restored")).unwrap();
    let restore_ms = t.elapsed().as_millis();
    assert_eq!(read, summary);
    assert_same_trees(&f.store, &restored);
    let t = Instant::now();
    assert_clean(&restored);
    let check_ms = t.elapsed().as_millis();
    eprintln!(
        "district demo: backup {backup_ms} ms ({} bytes, {} pairs), restore {restore_ms} ms, check {check_ms} ms",
        bytes.len(),
        summary.pairs
    );
    // Only the restored store is left beside it.
    let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(names, ["restored"]);
}

#[test]
fn a_backup_taken_while_officers_save_restores_to_a_clean_store() {
    let f = Fixture::new(Lang::Th);
    let stop = Arc::new(AtomicBool::new(false));
    let saver = {
        let (store, stop) = (f.store.clone(), stop.clone());
        std::thread::spawn(move || {
            let mut fund = store.all::<Fund>().unwrap()[0].clone();
            let mut saves = 0u32;
            while !stop.load(Ordering::Relaxed) {
                fund.name = format!("กองทุนทดสอบ {saves}");
                fund = store.save("x", &fund).unwrap();
                if saves.is_multiple_of(3) {
                    let new = Fund {
                        code: format!("9{saves:07}"), name: "ใหม่".into(), ..Default::default()
                    };
                    store.save("x", &new).unwrap();
                }
                saves += 1;
            }
            saves
        })
    };
    let dir = tempfile::tempdir().unwrap();
    for round in 0..3 {
        std::thread::sleep(std::time::Duration::from_millis(30));
        let bytes = backup_bytes(&f.store);
        let (restored, _) = Store::restore_from(&bytes[..], &dir.path().join(format!("r{round}"))).unwrap();
        assert_clean(&restored);
    }
    // A check waits for saves, too.
    assert_clean(&f.store);
    stop.store(true, Ordering::Relaxed);
    let saves = saver.join().unwrap();
    assert!(saves > 0, "the saves never ran");
    assert_clean(&f.store);
}

#[test]
fn a_truncated_backup_is_refused_and_leaves_nothing() {
    let f = Fixture::new(Lang::Th);
    let bytes = backup_bytes(&f.store);
    let dir = tempfile::tempdir().unwrap();
    for cut in [bytes.len() / 2, bytes.len() - 1, 30, 0] {
        let e = Store::restore_from(&bytes[..cut], &dir.path().join("r")).err().unwrap();
        assert!(matches!(e, BackupError::Truncated { size } if size == cut as u64), "cut at {cut}: {e}");
        assert!(e.to_string().contains("cut short"));
        assert_nothing_left(dir.path());
    }
}

#[test]
fn a_flipped_byte_is_refused_and_leaves_nothing() {
    let f = Fixture::new(Lang::Th);
    let mut bytes = backup_bytes(&f.store);
    let at = bytes.len() / 3;
    bytes[at] ^= 0x10;
    let dir = tempfile::tempdir().unwrap();
    let e = Store::restore_from(&bytes[..], &dir.path().join("r")).err().unwrap();
    assert!(matches!(e, BackupError::ChecksumMismatch { expected, found } if expected != found), "{e}");
    assert_nothing_left(dir.path());
    // The same from a file.
    let file = dir.path().join("damaged.backup");
    std::fs::write(&file, &bytes).unwrap();
    let e = Store::restore_file(&file, &dir.path().join("r")).err().unwrap();
    assert!(matches!(e, BackupError::ChecksumMismatch { .. }), "{e}");
    assert!(!dir.path().join("r").exists());
}

#[test]
fn a_file_that_is_no_backup_or_a_newer_format_is_refused() {
    let f = Fixture::new(Lang::Th);
    let good = backup_bytes(&f.store);
    let dir = tempfile::tempdir().unwrap();
    let mut bytes = good.clone();
    bytes[0] = b'X';
    let e = Store::restore_from(&bytes[..], &dir.path().join("r")).err().unwrap();
    assert!(matches!(e, BackupError::NotABackup), "{e}");
    assert_nothing_left(dir.path());
    let e = Store::restore_from(&b"PK\x03\x04 a zip file"[..], &dir.path().join("r")).err().unwrap();
    assert!(matches!(e, BackupError::NotABackup), "{e}");
    assert_nothing_left(dir.path());

    let mut bytes = good;
    bytes[MAGIC.len()..MAGIC.len() + 4].copy_from_slice(&2u32.to_be_bytes());
    let e = Store::restore_from(&bytes[..], &dir.path().join("r")).err().unwrap();
    assert!(matches!(e, BackupError::UnsupportedVersion { found: 2, supported: 1 }), "{e}");
    assert_nothing_left(dir.path());
}

#[test]
fn a_restore_wants_a_new_place() {
    let bytes = small_backup();
    let dir = tempfile::tempdir().unwrap();
    let full = dir.path().join("full");
    std::fs::create_dir(&full).unwrap();
    std::fs::write(full.join("keep.txt"), "mine").unwrap();
    let e = Store::restore_from(bytes, &full).err().unwrap();
    assert!(matches!(e, BackupError::TargetNotEmpty { .. }), "{e}");
    assert_eq!(std::fs::read_to_string(full.join("keep.txt")).unwrap(), "mine");
    let file = dir.path().join("file");
    std::fs::write(&file, "x").unwrap();
    assert!(matches!(Store::restore_from(bytes, &file), Err(BackupError::TargetNotEmpty { .. })));
    // An empty directory will do.
    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    let (store, _) = Store::restore_from(bytes, &empty).unwrap();
    assert_eq!(store.count::<Fund>().unwrap(), 1);
    assert_clean(&store);
}

#[test]
fn backup_files_are_whole_and_rotate() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("s")).unwrap();
    store.save("t", &Fund { code: "33010101".into(), ..Default::default() }).unwrap();
    let backups = dir.path().join("backups");
    std::fs::create_dir(&backups).unwrap();
    let name = backup::backup_name(jiff::Timestamp::from_second(0).unwrap());
    assert_eq!(name, "sammachip-19700101-000000.backup");
    let path = backups.join(&name);
    let summary = store.backup_file(&path).unwrap();
    assert_eq!(std::fs::metadata(&path).unwrap().len(), summary.bytes);
    assert_eq!(backup::verify_backup(std::fs::File::open(&path).unwrap()).unwrap(), summary.header);
    let (restored, read) = Store::restore_file(&path, &dir.path().join("r")).unwrap();
    assert_eq!(read, summary);
    assert_same_trees(&store, &restored);

    for stamp in ["20260101-000000", "20260301-120000", "20260201-000000", "20250101-000000"] {
        std::fs::write(backups.join(format!("sammachip-{stamp}.backup")), "").unwrap();
    }
    std::fs::write(backups.join("sammachip-20270101-000000.backup.tmp"), "").unwrap();
    std::fs::write(backups.join("notes.txt"), "").unwrap();
    let deleted = backup::rotate_backups(&backups, backup::BACKUP_PREFIX, 2).unwrap();
    assert_eq!(deleted.len(), 3);
    let mut left: Vec<String> =
        std::fs::read_dir(&backups).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
    left.sort();
    assert_eq!(
        left,
        [
            "notes.txt",
            "sammachip-20260201-000000.backup",
            "sammachip-20260301-120000.backup",
            "sammachip-20270101-000000.backup.tmp"
        ]
    );
}

/// A backup with a good checksum around the given body (after the header).
fn forged(body: &[u8]) -> Vec<u8> {
    let mut b = MAGIC.to_vec();
    b.extend_from_slice(&FORMAT.to_be_bytes());
    b.extend_from_slice(&migrate::CURRENT.to_be_bytes());
    b.extend_from_slice(&0i64.to_be_bytes());
    b.extend_from_slice(body);
    let crc = crc32fast::hash(&b);
    b.extend_from_slice(&crc.to_be_bytes());
    b.extend_from_slice(END);
    b
}

#[test]
fn lengths_in_a_forged_backup_are_not_trusted() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("r");
    let mut huge = b"T\x00\x05fundsR".to_vec();
    huge.extend_from_slice(&u32::MAX.to_be_bytes());
    huge.extend_from_slice(&[0; 64]);
    let e = Store::restore_from(&forged(&huge)[..], &target).err().unwrap();
    assert!(matches!(e, BackupError::TooLarge { what: "key", .. }), "{e}");
    assert_nothing_left(dir.path());

    let mut long = b"T\x00\x05fundsR".to_vec();
    long.extend_from_slice(&1_000_000u32.to_be_bytes());
    long.extend_from_slice(&[0; 64]);
    let e = Store::restore_from(&forged(&long)[..], &target).err().unwrap();
    assert!(matches!(e, BackupError::Malformed { .. }), "{e}");
    assert!(e.to_string().contains("runs past the end"), "{e}");
    assert_nothing_left(dir.path());

    let unknown = &[&b"T\x00\x07secrets"[..], &[0; 16]].concat();
    let e = Store::restore_from(&forged(unknown)[..], &target).err().unwrap();
    assert!(e.to_string().contains("unknown tree"), "{e}");
    assert_nothing_left(dir.path());

    // A key listed twice (or out of order) in a tree: counted twice, kept
    // once, so the backup is refused.
    let pair = |k: &[u8], v: &[u8]| {
        [&[b'R'][..], &(k.len() as u32).to_be_bytes(), k, &(v.len() as u32).to_be_bytes(), v].concat()
    };
    for keys in [
        [[0, 0, 0, 0, 0, 0, 0, 1], [0, 0, 0, 0, 0, 0, 0, 1]],
        [[0, 0, 0, 0, 0, 0, 0, 2], [0, 0, 0, 0, 0, 0, 0, 1]],
    ] {
        let mut twice = b"T\x00\x05funds".to_vec();
        for k in keys {
            twice.extend_from_slice(&pair(&k, b"x"));
        }
        twice.push(b'Z');
        twice.extend_from_slice(&2u64.to_be_bytes());
        twice.push(b'E');
        twice.extend_from_slice(&1u32.to_be_bytes());
        twice.extend_from_slice(&2u64.to_be_bytes());
        let e = Store::restore_from(&forged(&twice)[..], &target).err().unwrap();
        assert!(e.to_string().contains("lists a key out of order"), "{e}");
        assert_nothing_left(dir.path());
    }

    // An empty store's backup is a header and a trailer.
    let (store, summary) = Store::restore_from(&forged(b"E\0\0\0\0\0\0\0\0\0\0\0\0")[..], &target).unwrap();
    assert_eq!(summary.pairs, 0);
    assert_eq!(store.schema_version().unwrap(), Some(migrate::CURRENT));
}

#[test]
fn the_demo_checks_clean() {
    let f = Fixture::new(Lang::Th);
    let t = Instant::now();
    let report = f.store.check().unwrap();
    eprintln!("check of the district demo: {} ms", t.elapsed().as_millis());
    assert!(report.is_clean(), "{:#?}", &report.problems[..report.problems.len().min(20)]);
    let count = |name| report.counts.iter().find(|(t, _)| *t == name).unwrap().1;
    assert_eq!(count(trees::MEMBERS), 20_000);
    assert_eq!(count(trees::FUNDS), 120);
}

#[test]
fn a_missing_index_entry_is_found_and_repaired() {
    let f = Fixture::new(Lang::Th);
    let fund = f.funds()[3].clone();
    f.store.raw_tree(trees::FUNDS_BY_CODE).unwrap().remove(fund.code.as_bytes()).unwrap();
    let member = f.store.scan_prefix::<Member>(&fund.id.to_be_bytes()).unwrap()[0].clone();
    let nid = member.national_id.as_u64().to_be_bytes();
    // The national ID index is kept in buckets: a lost bucket loses many.
    let bucket = (member.national_id.as_u64() / 1_000_000).to_be_bytes();
    assert!(f.store.raw_tree(trees::MEMBERS_BY_NID).unwrap().remove(bucket).unwrap().is_some());
    assert_eq!(f.store.lookup(trees::FUNDS_BY_CODE, fund.code.as_bytes()).unwrap(), None);
    assert_eq!(f.store.lookup(trees::MEMBERS_BY_NID, &nid).unwrap(), None);

    let report = f.store.check().unwrap();
    let by_code: Vec<_> = report.problems.iter().filter(|p| p.tree == trees::FUNDS_BY_CODE).collect();
    assert_eq!(by_code.len(), 1, "{:#?}", report.problems);
    assert_eq!(by_code[0].key, format!("{:?}", fund.code));
    assert!(by_code[0].what.contains("missing"), "{}", by_code[0]);
    assert!(by_code[0].what.contains(&fund.id.to_string()), "{}", by_code[0]);
    let nid_problem = report
        .problems
        .iter()
        .find(|p| p.tree == trees::MEMBERS_BY_NID && p.key == member.national_id.as_u64().to_string())
        .unwrap_or_else(|| panic!("{:#?}", report.problems));
    assert!(nid_problem.what.contains(&format!("{}/{}", fund.id, member.id)), "{nid_problem}");
    assert!(
        report.problems.iter().all(|p| p.tree == trees::FUNDS_BY_CODE || p.tree == trees::MEMBERS_BY_NID)
    );

    let t = Instant::now();
    let repaired = f.store.repair("tester").unwrap();
    eprintln!("repair of the district demo: {} ms", t.elapsed().as_millis());
    assert!(repaired.left.is_empty(), "{:#?}", repaired.left);
    assert!(repaired.counters.is_empty());
    assert_clean(&f.store);
    assert_eq!(f.store.lookup(trees::FUNDS_BY_CODE, fund.code.as_bytes()).unwrap(), Some(fund.key()));
    assert_eq!(f.store.lookup(trees::MEMBERS_BY_NID, &nid).unwrap(), Some(member.key()));
    let (_, last) = f.store.audit(1).unwrap().remove(0);
    assert_eq!((last.action, last.officer.as_str()), (AuditAction::Bulk, "tester"));
    assert!(last.note.starts_with("repair"), "{}", last.note);
}

#[test]
fn a_damaged_aggregate_is_found_and_repaired() {
    let f = Fixture::new(Lang::Th);
    let funds = f.funds();
    let (a, b) = (funds[0].id, funds[1].id);
    let before = f.store.fund_stats(a).unwrap();
    assert_ne!(before, f.store.fund_stats(b).unwrap());
    let stats = f.store.raw_tree(trees::FUND_STATS).unwrap();
    let other = stats.get(b.to_be_bytes()).unwrap().unwrap();
    stats.insert(a.to_be_bytes(), other).unwrap();

    let report = f.store.check().unwrap();
    assert_eq!(report.problems.len(), 1, "{:#?}", report.problems);
    let p = &report.problems[0];
    assert_eq!((p.tree, p.key.as_str()), (trees::FUND_STATS, a.to_string().as_str()));
    assert!(p.what.contains(&format!("the records {}", before.members)), "{p}");

    f.store.repair("tester").unwrap();
    assert_clean(&f.store);
    assert_eq!(f.store.fund_stats(a).unwrap(), before);
}

#[test]
fn a_counter_behind_its_ids_is_found_and_raised() {
    let f = Fixture::new(Lang::Th);
    let next = f.store.counter(trees::FUNDS).unwrap();
    f.store.raw_tree(trees::META).unwrap().insert(b"next:funds", &1u64.to_be_bytes()).unwrap();
    let report = f.store.check().unwrap();
    assert_eq!(report.problems.len(), 1, "{:#?}", report.problems);
    assert_eq!(report.problems[0].tree, trees::META);
    assert!(report.problems[0].what.contains("counter of funds"), "{}", report.problems[0]);
    let repaired = f.store.repair("tester").unwrap();
    assert_eq!(repaired.counters, [(trees::FUNDS, 1, next)]);
    assert_clean(&f.store);
    let fund = f.store.save("t", &Fund { code: "33999901".into(), ..Default::default() }).unwrap();
    assert_eq!(fund.id, next);
}

/// A restore checks a backup's pairs as it writes them (not the store read
/// back). It finds what `check` finds in the store the backup was made from:
/// the same first problem, as many problems. The damage reaches trees the
/// backup lists before the records they are checked against (the counters in
/// `meta`, `fund_stats`, `children`, `categories`).
#[test]
fn a_restore_finds_what_check_finds() {
    let f = Fixture::new(Lang::Th);
    let fund = f.funds()[5].clone();
    f.store.raw_tree(trees::FUNDS_BY_CODE).unwrap().remove(fund.code.as_bytes()).unwrap();
    f.store.raw_tree(trees::META).unwrap().insert(b"next:funds", &1u64.to_be_bytes()).unwrap();
    let stats = f.store.raw_tree(trees::FUND_STATS).unwrap();
    let other = stats.get(f.funds()[6].id.to_be_bytes()).unwrap().unwrap();
    stats.insert(fund.id.to_be_bytes(), other).unwrap();
    let children = f.store.raw_tree(trees::CHILDREN).unwrap();
    let (first_child, _) = children.first().unwrap().unwrap();
    children.remove(first_child).unwrap();
    let categories = f.store.raw_tree(trees::CATEGORIES).unwrap();
    let (category, _) = categories.first().unwrap().unwrap();
    categories.insert(category, &b"not a category"[..]).unwrap();
    let members = f.store.raw_tree(trees::MEMBERS).unwrap();
    let (member, _) = members.iter().nth(100).unwrap().unwrap();
    members.insert(member, &b"not a member"[..]).unwrap();

    let report = f.store.check().unwrap();
    // Each damage is found, as the kind of thing it is.
    for (tree, fault) in [
        (trees::FUNDS_BY_CODE, Fault::Index),
        (trees::META, Fault::Counter),
        (trees::FUND_STATS, Fault::Total),
        (trees::CHILDREN, Fault::Total),
        (trees::CATEGORIES, Fault::Unreadable),
        (trees::MEMBERS, Fault::Unreadable),
    ] {
        let found = report.problems.iter().any(|p| p.tree == tree && p.fault == fault);
        assert!(found, "{tree} {fault:?}: {:#?}", report.problems);
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("damaged.backup");
    f.store.backup_file(&file).unwrap();
    let target = dir.path().join("restored");
    let refused = Store::restore_file(&file, &target).map(|(_, s)| s);
    let Err(e) = &refused else { panic!("a damaged store's backup was restored: {refused:?}") };
    let BackupError::BadRecords { first, problems } = e else { panic!("refused for another reason: {e:?}") };
    assert_eq!(*first, report.problems[0]);
    assert_eq!(*problems, report.problems.len() as u64 + report.more, "{:#?}", report.problems);
    // The officer is told where, and what kind of damage, in Thai and in
    // English.
    let msg = messages::backup(e);
    for lang in [Lang::Th, Lang::En] {
        let text = msg.render(lang);
        let kind = messages::fault(first.fault).render(lang);
        assert!(text.contains(&kind) && text.contains(&format!("{} {}", first.tree, first.key)), "{text}");
    }
    assert!(msg.render(Lang::Th).contains("ไม่กู้คืน"), "{}", msg.render(Lang::Th));
    assert!(!target.exists(), "nothing is left behind");
}

#[test]
fn repair_leaves_records_alone() {
    let f = Fixture::new(Lang::Th);
    // A support activity that no longer decodes, under an id past the counter.
    let support = f.store.raw_tree(trees::SUPPORT).unwrap();
    support.insert(999_999u64.to_be_bytes(), &[1, 1, 0xff][..]).unwrap();
    // A member moved under a fund that does not exist.
    let member = f.store.all::<Member>().unwrap()[10].clone();
    f.store.raw_record(trees::MEMBERS, &member.key(), None).unwrap();
    let moved = Member { fund_id: 999_999, ..member.clone() };
    let moved_bytes = moved.to_stored().unwrap();
    f.store.raw_record(trees::MEMBERS, &moved.key(), Some(&moved_bytes)).unwrap();

    let report = f.store.check().unwrap();
    let about = |tree: &str| report.problems.iter().filter(|p| p.tree == tree).count();
    assert_eq!(about(trees::SUPPORT), 1);
    assert!(about(trees::MEMBERS_BY_NID) > 0 && about(trees::FUND_STATS) > 0 && about(trees::CHILDREN) > 0);
    let gone_fund = report
        .problems
        .iter()
        .find(|p| p.tree == trees::MEMBERS && p.what.contains("fund 999999, which does not exist"));
    assert!(gone_fund.is_some_and(|p| p.fault == Fault::Dangling), "{:#?}", report.problems);
    assert!(report.problems.iter().any(|p| p.tree == trees::META && p.what.contains("counter of support")));

    let repaired = f.store.repair("tester").unwrap();
    assert_eq!(repaired.left.len(), 1, "{:#?}", repaired.left);
    assert_eq!(repaired.left[0].tree, trees::SUPPORT);
    assert!(repaired.counters.iter().any(|(t, _, to)| *t == trees::SUPPORT && *to == 1_000_000));
    // The records are as they were.
    assert_eq!(support.get(999_999u64.to_be_bytes()).unwrap().unwrap(), &[1, 1, 0xff][..]);
    assert_eq!(f.store.stored(trees::MEMBERS, &moved.key()).unwrap().unwrap(), moved_bytes);
    // What is left is in the records, not in what repair rebuilds.
    let after = f.store.check().unwrap();
    assert!(!after.is_clean());
    for p in &after.problems {
        assert!([trees::SUPPORT, trees::MEMBERS, trees::OCCUPATIONS].contains(&p.tree), "{p}");
    }
    // The moved member is found under its new key.
    let nid = member.national_id.as_u64().to_be_bytes();
    assert_eq!(f.store.lookup(trees::MEMBERS_BY_NID, &nid).unwrap(), Some(member_key(999_999, member.id)));
    assert_eq!(f.store.count::<SupportActivity>().unwrap(), f.store.raw_tree(trees::SUPPORT).unwrap().len());
}

/// A small store's backup, made once.
fn small_backup() -> &'static [u8] {
    static BYTES: OnceLock<Vec<u8>> = OnceLock::new();
    BYTES.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("s")).unwrap();
        let fund = store.save("t", &Fund { code: "33010101".into(), ..Default::default() }).unwrap();
        let member = Member {
            id: 0,
            version: 0,
            fund_id: fund.id,
            national_id: NationalId::from_first12(&[1, 1, 0, 1, 7, 0, 0, 2, 3, 0, 7, 0]).unwrap(),
            title: "นาย".into(),
            given_name: "ทอง".into(),
            family_name: "ดี".into(),
            birth_date: None,
            household_no: String::new(),
            phone: String::new(),
            joined: None,
            status: MemberStatus::Active,
            loans: Vec::new(),
        };
        store.save("t", &member).unwrap();
        store.save("t", &NetworkCommittee::new(3301)).unwrap();
        backup_bytes(&store)
    })
}

/// Some damage to a backup: cut it, flip bytes, or both.
fn damage(bytes: &[u8], how: u8, flips: &[(Index, u8)], cut: Index) -> Vec<u8> {
    let mut b = bytes.to_vec();
    if how != 0 {
        let mut done = Vec::new();
        for (at, x) in flips {
            let i = at.index(b.len());
            if !done.contains(&i) {
                b[i] ^= x;
                done.push(i);
            }
        }
    }
    if how != 1 {
        b.truncate(cut.index(b.len()));
    }
    b
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn random_bytes_never_restore(bytes in prop::collection::vec(any::<u8>(), 0..600), magic in any::<bool>()) {
        let bytes = if magic { [&MAGIC[..], &FORMAT.to_be_bytes(), &bytes].concat() } else { bytes };
        let dir = tempfile::tempdir().unwrap();
        prop_assert!(Store::restore_from(&bytes[..], &dir.path().join("r")).is_err());
        assert_nothing_left(dir.path());
    }

    #[test]
    fn a_damaged_backup_never_restores(
        how in 0u8..3,
        flips in prop::collection::vec((any::<Index>(), 1u8..), 1..4),
        cut in any::<Index>(),
    ) {
        let bytes = damage(small_backup(), how, &flips, cut);
        let dir = tempfile::tempdir().unwrap();
        prop_assert!(Store::restore_from(&bytes[..], &dir.path().join("r")).is_err());
        assert_nothing_left(dir.path());
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(40))]

    /// Damage behind a good checksum reaches the parser: it may restore
    /// (a changed value byte), or fail and leave nothing; it never panics.
    #[test]
    fn damage_behind_a_good_checksum_never_panics(
        how in 0u8..3,
        flips in prop::collection::vec((any::<Index>(), 1u8..), 1..4),
        cut in any::<Index>(),
        random in prop::collection::vec(any::<u8>(), 0..200),
        use_random in any::<bool>(),
    ) {
        let header = MAGIC.len() + 16;
        let full = small_backup();
        let body = &full[header..full.len() - 4 - END.len()];
        let body = if use_random { random } else { damage(body, how, &flips, cut) };
        let bytes = forged(&body);
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("r");
        match Store::restore_from(&bytes[..], &target) {
            Ok((store, _)) => {
                drop(store);
                let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
                prop_assert_eq!(names, ["r"]);
            }
            Err(_) => assert_nothing_left(dir.path()),
        }
    }
}

#[test]
fn an_occupation_naming_a_loan_its_member_lacks_is_found() {
    use sammachip::domain::occupation::OccupationRecord;
    let f = Fixture::new(Lang::Th);
    let all = f.store.all::<OccupationRecord>().unwrap();
    // Another member's loan: taken, but not by this member.
    let with_loans: Vec<_> = all.iter().filter(|o| !o.loan_ids.is_empty()).collect();
    assert!(with_loans.len() > 100, "the demo's records name loans: the check looks them up");
    let (a, b) = (with_loans[0], with_loans.iter().find(|o| o.member_id != with_loans[0].member_id).unwrap());
    let stranger = b.loan_ids[0];
    let mut forged = a.clone();
    forged.loan_ids.push(stranger);
    f.store.raw_record(trees::OCCUPATIONS, &forged.key(), Some(&forged.to_stored().unwrap())).unwrap();

    let report = f.store.check().unwrap();
    assert_eq!(report.problems.len(), 1, "{:#?}", report.problems);
    let p = &report.problems[0];
    assert_eq!(p.tree, trees::OCCUPATIONS);
    let want = format!("names loan {stranger}, which member {}/{} does not have", a.fund_id, a.member_id);
    assert!(p.what.contains(&want), "{p}");
}
