//! The store: round trips, reopen, stale saves, audit, uniqueness, golden bytes,
//! migrations, and the messages for locked and damaged stores.

mod common;

use std::{fs, path::Path};

use sammachip::{
    domain::{
        Date, Money,
        audit::AuditAction,
        fund::{CapitalEvent, CapitalKind, CommitteeMember, Fund, FundKind, Grade},
        loan::{Loan, LoanStatus, Repayment, RepaymentMode},
        member::{Member, MemberStatus},
        occupation::{Annual, OccupationRecord, OccupationStatus, Stage, StageChange},
        thai::NationalId,
    },
    store::{OpenError, Record, SaveError, Store, StoreError, codec, migrate, trees},
};

fn fund(code: &str, name: &str) -> Fund {
    Fund { code: code.into(), name: name.into(), ..Default::default() }
}

/// A fund with every field set, pinned byte for byte by the version-1 fixture.
fn golden_fund() -> Fund {
    Fund {
        id: 7,
        version: 3,
        code: "33010105".into(),
        name: "กองทุนหมู่บ้านโพธิ์".into(),
        kind: FundKind::Village,
        registration_no: "ศก 0105".into(),
        established: Date::from_ymd(2001, 3, 15),
        grade: Grade::A,
        assessed_year: Some(2023),
        capital: vec![
            CapitalEvent {
                seq: 1,
                kind: CapitalKind::Initial,
                date: Date::from_ymd(2001, 6, 1).unwrap(),
                amount: Money::baht(1_000_000),
                note: String::new(),
            },
            CapitalEvent {
                seq: 2,
                kind: CapitalKind::Pracharat,
                date: Date::from_ymd(2016, 7, 1).unwrap(),
                amount: Money::baht(500_000),
                note: "ประชารัฐ".into(),
            },
        ],
        committee: vec![CommitteeMember {
            name: "นายสมชาย ใจดี".into(), position: "ประธาน".into()
        }],
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn fund_v1_golden_bytes() {
    let fixture = include_str!("fixtures/fund_v1.hex").trim();
    let bytes = golden_fund().to_stored().unwrap();
    assert_eq!(
        hex(&bytes),
        fixture,
        "the version-1 fund layout changed: add a schema version and a migration"
    );
    let decoded: Vec<u8> =
        (0..fixture.len()).step_by(2).map(|i| u8::from_str_radix(&fixture[i..i + 2], 16).unwrap()).collect();
    assert_eq!(Fund::from_stored(&decoded).unwrap(), golden_fund());
}

fn golden_member() -> Member {
    Member {
        id: 12,
        version: 2,
        fund_id: 7,
        national_id: NationalId::parse("3100600445635").unwrap(),
        title: "นาง".into(),
        given_name: "สมศรี".into(),
        family_name: "ใจงาม".into(),
        birth_date: Date::from_ymd(1967, 2, 2),
        household_no: "45/1".into(),
        phone: "0812345678".into(),
        joined: Date::from_ymd(2001, 6, 1),
        status: MemberStatus::Active,
        loans: vec![Loan {
            id: 99,
            principal: Money::baht(20_000),
            rate_bp: 600,
            start: Date::from_ymd(2024, 4, 1).unwrap(),
            term_months: 12,
            mode: RepaymentMode::LumpSum,
            purpose: 12,
            guarantors: vec![13],
            status: LoanStatus::Open,
            repayments: vec![Repayment {
                date: Date::from_ymd(2025, 4, 1).unwrap(),
                principal: Money::baht(20_000),
                interest: Money::baht(1_200),
                penalty: Money::ZERO,
            }],
        }],
    }
}

fn golden_occupation() -> OccupationRecord {
    let m = golden_member();
    let mut r = OccupationRecord {
        id: 5,
        version: 1,
        fund_id: 7,
        member_id: 12,
        member_name: m.full_name(),
        district: 3301,
        category: 12,
        description: "นาข้าวหอมมะลิ 10 ไร่".into(),
        start_year: 2010,
        loan_ids: vec![99],
        before: Annual {
            income: Money::baht(50_000),
            expenses: Money::baht(40_000),
            savings: Money::baht(1_000),
        },
        after: Annual {
            income: Money::baht(90_000),
            expenses: Money::baht(60_000),
            savings: Money::baht(9_000),
        },
        status: OccupationStatus::Active,
        stage: Stage::Coached,
        stage_history: vec![StageChange {
            stage: Stage::Coached,
            date: Date::from_ymd(2025, 5, 1).unwrap(),
            note: "คัดเลือก".into(),
        }],
        instalments: vec![],
    };
    r.refresh_loans(&m.loans);
    r
}

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
}

#[test]
fn member_and_occupation_v1_golden_bytes() {
    let member = include_str!("fixtures/member_v1.hex").trim();
    assert_eq!(hex(&golden_member().to_stored().unwrap()), member, "the version-1 member layout changed");
    assert_eq!(Member::from_stored(&unhex(member)).unwrap(), golden_member());
    let occ = include_str!("fixtures/occupation_v1.hex").trim();
    assert_eq!(
        hex(&golden_occupation().to_stored().unwrap()),
        occ,
        "the version-1 occupation layout changed"
    );
    assert_eq!(OccupationRecord::from_stored(&unhex(occ)).unwrap(), golden_occupation());
}

#[test]
fn round_trip_survives_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store");
    let saved = {
        let store = Store::open(&path).unwrap();
        let saved = store.save("tester", &golden_fund_new()).unwrap();
        assert_eq!((saved.id, saved.version), (1, 1));
        saved
    };
    let store = Store::open(&path).unwrap();
    assert_eq!(store.get::<Fund>(saved.id).unwrap(), Some(saved.clone()));
    assert_eq!(store.all::<Fund>().unwrap(), vec![saved]);
    // Ids come from a counter in meta: the next one follows on, reopen or not.
    let second = store.save("tester", &fund("33010106", "สอง")).unwrap();
    assert_eq!(second.id, 2);
    assert_eq!(store.schema_version().unwrap(), Some(migrate::CURRENT));
}

/// Ids stay in 32 bits (the screens' lists hold them so): the last id is
/// handed out, the one after it is refused with a message, nothing is written,
/// and the store keeps working.
#[test]
fn the_store_hands_out_no_id_past_the_last() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("s")).unwrap();
    let first = store.save("a", &fund("33010101", "หนึ่ง")).unwrap();
    // Jump the counter to the last id a record may have.
    store.reserve_ids(trees::FUNDS, sammachip::store::MAX_ID - first.id - 1).unwrap();
    let last = store.save("a", &fund("33010102", "สุดท้าย")).unwrap();
    assert_eq!(last.id, sammachip::store::MAX_ID);
    match store.save("a", &fund("33010103", "เกิน")) {
        Err(SaveError::Store(e @ StoreError::IdsUsedUp(_))) => {
            let msg = sammachip::service::messages::store(&e);
            let (th, en) = (msg.render(sammachip::domain::Lang::Th), msg.render(sammachip::domain::Lang::En));
            assert!(th.contains("funds") && th.contains("ใช้ครบ 4,294,967,294"), "{th}");
            assert!(en.contains("Record numbers of funds used up"), "{en}");
        }
        other => panic!("expected the ids to be used up, got {other:?}"),
    }
    assert_eq!(store.all::<Fund>().unwrap().len(), 2);
    // Ids taken in a block (loans kept from a file, the audit) stop there too,
    // and the counter does not move.
    assert!(matches!(store.reserve_ids(trees::FUNDS, 1), Err(StoreError::IdsUsedUp(_))));
    assert!(matches!(store.reserve_ids(trees::SAGES, sammachip::store::MAX_ID), Ok(1)));
    assert!(matches!(store.reserve_ids(trees::SAGES, 1), Err(StoreError::IdsUsedUp(_))));
    // A bulk load (imports, the demo) is refused at the record past the last.
    {
        let load = store.begin_load("a", "test", 0).unwrap();
        let mut w = load.bulk::<Fund>().unwrap();
        match w.push(fund("33010104", "นำเข้า")) {
            Err(SaveError::Store(StoreError::IdsUsedUp(tree))) => assert_eq!(tree, trees::FUNDS),
            other => panic!("expected the ids to be used up, got {other:?}"),
        }
        drop(w);
        load.roll_back().unwrap();
    }
    assert_eq!(store.all::<Fund>().unwrap().len(), 2);
    // Editing what is there still works.
    let mut edited = last.clone();
    edited.name = "แก้แล้ว".into();
    assert_eq!(store.save("a", &edited).unwrap().version, 2);
    assert!(store.check().unwrap().is_clean());

    // A record past the last id can only come from damage: `check` names it.
    let mut forged = fund("33010105", "เกินขีด");
    forged.id = sammachip::store::MAX_ID + 1;
    forged.version = 1;
    store.raw_tree(trees::FUNDS).unwrap().insert(forged.key(), forged.to_stored().unwrap()).unwrap();
    let report = store.check().unwrap();
    assert!(
        report.problems.iter().any(|p| p.to_string().contains("past the last id a record may have")),
        "{:?}",
        report.problems
    );
}

fn golden_fund_new() -> Fund {
    Fund { id: 0, version: 0, ..golden_fund() }
}

#[test]
fn a_stale_save_is_refused_and_loses_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("s")).unwrap();
    let original = store.save("a", &fund("33010101", "เดิม")).unwrap();

    // Two officers open the same fund; the first saves.
    let mut first = original.clone();
    first.name = "แก้โดยคนแรก".into();
    let first = store.save("a", &first).unwrap();
    assert_eq!(first.version, 2);

    let mut second = original.clone();
    second.name = "แก้โดยคนที่สอง".into();
    match store.save("b", &second) {
        Err(SaveError::Stale { current }) => assert_eq!(current, 2),
        other => panic!("expected a stale refusal, got {other:?}"),
    }
    assert_eq!(store.get::<Fund>(original.id).unwrap().unwrap().name, "แก้โดยคนแรก");

    // A stale delete is refused too.
    assert!(matches!(store.delete::<Fund>("b", original.id, 1), Err(SaveError::Stale { current: 2 })));
    assert!(store.get::<Fund>(original.id).unwrap().is_some());
}

#[test]
fn every_change_writes_an_audit_entry() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("s")).unwrap();
    let f = store.save("somchai", &fund("33010101", "หนึ่ง")).unwrap();
    let mut g = f.clone();
    g.name = "หนึ่ง (แก้)".into();
    let g = store.save("somsri", &g).unwrap();
    store.delete::<Fund>("somchai", g.id, g.version).unwrap();

    let audit = store.audit(10).unwrap();
    // The oldest entry is the store's own: the seeded occupation categories.
    assert_eq!((audit[3].1.action, audit[3].1.kind.as_str()), (AuditAction::Bulk, trees::CATEGORIES));
    let audit = &audit[..3];
    let actions: Vec<(AuditAction, &str)> =
        audit.iter().map(|(_, e)| (e.action, e.officer.as_str())).collect();
    assert_eq!(
        actions,
        vec![
            (AuditAction::Delete, "somchai"),
            (AuditAction::Update, "somsri"),
            (AuditAction::Create, "somchai")
        ]
    );
    let update = &audit[1].1;
    assert_eq!(update.kind, trees::FUNDS);
    assert_eq!(update.key, f.id.to_be_bytes());
    let before = Fund::from_stored(update.before.as_deref().unwrap()).unwrap();
    let after = Fund::from_stored(update.after.as_deref().unwrap()).unwrap();
    assert_eq!((before.name.as_str(), after.name.as_str()), ("หนึ่ง", "หนึ่ง (แก้)"));
    assert!(audit[0].1.after.is_none());
}

#[test]
fn fund_codes_are_unique_and_the_index_follows_edits() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("s")).unwrap();
    let a = store.save("t", &fund("33010101", "ก")).unwrap();
    match store.save("t", &fund("33010101", "ข")) {
        Err(SaveError::Duplicate { index, other }) => {
            assert_eq!((index, other), (trees::FUNDS_BY_CODE, a.id.to_be_bytes().to_vec()))
        }
        other => panic!("expected duplicate, got {other:?}"),
    }
    // A refused create used no id.
    let b = store.save("t", &fund("33010102", "ข")).unwrap();
    assert_eq!(b.id, a.id + 1);
    // Changing a's code frees the old one.
    let mut a2 = a.clone();
    a2.code = "33010103".into();
    store.save("t", &a2).unwrap();
    assert_eq!(store.lookup(trees::FUNDS_BY_CODE, b"33010103").unwrap(), Some(a.id.to_be_bytes().to_vec()));
    assert_eq!(store.lookup(trees::FUNDS_BY_CODE, b"33010101").unwrap(), None);
    store.save("t", &fund("33010101", "ค")).unwrap();
}

#[test]
fn a_deleted_record_can_be_restored() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("s")).unwrap();
    let f = store.save("t", &fund("33010101", "ก")).unwrap();
    let gone = store.delete::<Fund>("t", f.id, f.version).unwrap();
    assert_eq!(store.get::<Fund>(f.id).unwrap(), None);
    let back = store.restore("t", &gone).unwrap();
    assert_eq!((back.id, back.code.as_str()), (f.id, "33010101"));
    assert_eq!(store.lookup(trees::FUNDS_BY_CODE, b"33010101").unwrap(), Some(f.id.to_be_bytes().to_vec()));
}

#[test]
fn bulk_insert_numbers_in_order_and_refuses_repeats() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("s")).unwrap();
    let ids = store
        .bulk_insert("demo", "test", (1..=2500).map(|i| fund(&format!("3301{i:04}"), "x")).collect())
        .unwrap();
    assert_eq!(ids.first(), Some(&1));
    assert_eq!(ids.last(), Some(&2500));
    assert_eq!(store.count::<Fund>().unwrap(), 2500);
    assert_eq!(
        store.lookup(trees::FUNDS_BY_CODE, b"33012500").unwrap(),
        Some(2500u64.to_be_bytes().to_vec())
    );
    assert!(matches!(
        store.bulk_insert("demo", "again", vec![fund("33019999", "y"), fund("33019999", "z")]),
        Err(SaveError::Duplicate { .. })
    ));
    assert!(matches!(
        store.bulk_insert("demo", "again", vec![fund("33010001", "y")]),
        Err(SaveError::Duplicate { .. })
    ));
    assert_eq!(store.count::<Fund>().unwrap(), 2500);
    assert_eq!(store.save("t", &fund("33019998", "n")).unwrap().id, 2501);
}

#[test]
fn a_locked_store_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s");
    let _holder = Store::open(&path).unwrap();
    match Store::open(&path) {
        Err(OpenError::Locked { path: p }) => assert_eq!(p, path),
        Err(e) => panic!("expected Locked, got {e}"),
        Ok(_) => panic!("a second open of a held store succeeded"),
    }
}

fn damaged_copy(damage: impl FnOnce(&Path)) -> Result<Store, OpenError> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s");
    {
        let store = Store::open(&path).unwrap();
        store
            .bulk_insert("t", "x", (1..=3000).map(|i| fund(&format!("3301{i:04}"), "กองทุนหมู่บ้าน")).collect())
            .unwrap();
        for id in 1..=50u64 {
            let mut f = store.get::<Fund>(id).unwrap().unwrap();
            f.name.push_str(" (แก้)");
            store.save("t", &f).unwrap();
        }
    }
    damage(&path.join("db"));
    let out = Store::open(&path);
    // Keep the directory alive while the store is read.
    let out = out.and_then(|s| match s.all::<Fund>() {
        Ok(_) => Ok(s),
        Err(e) => Err(OpenError::Damaged { path: path.clone(), detail: e.to_string() }),
    });
    drop(dir);
    out
}

#[test]
fn a_truncated_store_is_reported_as_damaged() {
    for keep in [0.9, 0.5, 0.01] {
        let r = damaged_copy(|db| {
            let len = fs::metadata(db).unwrap().len();
            let f = fs::OpenOptions::new().write(true).open(db).unwrap();
            f.set_len((len as f64 * keep) as u64).unwrap();
        });
        assert!(matches!(r, Err(OpenError::Damaged { .. })), "kept {keep}: {:?}", r.err());
    }
}

#[test]
fn flipped_bytes_in_live_data_are_reported_as_damaged() {
    let r = damaged_copy(|db| {
        let mut bytes = fs::read(db).unwrap();
        let n = bytes.len();
        for b in &mut bytes[n - 4096..n - 4000] {
            *b ^= 0xff;
        }
        fs::write(db, bytes).unwrap();
    });
    assert!(matches!(r, Err(OpenError::Damaged { .. })), "{:?}", r.err());
}

#[test]
fn a_value_that_does_not_decode_is_named_not_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s");
    {
        let store = Store::open(&path).unwrap();
        store.save("t", &fund("33010101", "ก")).unwrap();
    }
    {
        // Write a value with a trailing byte straight into the fund tree.
        let db = raw_sled(&path);
        let t = db.open_tree(trees::FUNDS).unwrap();
        let mut v = t.get(1u64.to_be_bytes()).unwrap().unwrap().to_vec();
        v.push(0);
        t.insert(1u64.to_be_bytes(), v).unwrap();
        db.flush().unwrap();
    }
    let store = Store::open(&path).unwrap();
    match store.all::<Fund>() {
        Err(StoreError::Codec { tree, key, source }) => {
            assert_eq!(
                (tree, key, source),
                (trees::FUNDS, 1u64.to_be_bytes().to_vec(), codec::CodecError::Trailing(1))
            );
        }
        other => panic!("expected a codec error, got {other:?}"),
    }
}

/// sled itself, bypassing the store; waits out the lock a just-dropped store
/// releases from a background thread.
fn raw_sled(path: &Path) -> sled::Db {
    for _ in 0..40 {
        if let Ok(db) = sled::open(path) {
            return db;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    panic!("sled did not release {path:?}");
}

fn add_marker(load: &sammachip::store::Load<'_>) -> Result<(), StoreError> {
    load.bulk_insert(vec![fund("33019999", "migrated")]).map(|_| ()).map_err(|e| match e {
        SaveError::Store(s) => s,
        other => StoreError::Io(std::io::Error::other(other.to_string())),
    })
}

#[test]
fn migrations_run_once_after_a_backup_and_newer_stores_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s");
    Store::open(&path).unwrap().save("t", &fund("33010101", "ก")).unwrap();

    let steps = [migrate::Step { from: migrate::CURRENT, run: add_marker }];
    {
        let store = Store::open_with(&path, &steps).unwrap();
        assert_eq!(store.schema_version().unwrap(), Some(migrate::CURRENT + 1));
        assert_eq!(store.count::<Fund>().unwrap(), 2);
    }
    // The step does not run twice.
    assert_eq!(Store::open_with(&path, &steps).unwrap().count::<Fund>().unwrap(), 2);
    // The backup holds the store as it was before the step.
    let backups: Vec<_> = fs::read_dir(dir.path())
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| {
            e.file_name().to_string_lossy().starts_with(&format!("s.before-schema-{}-", migrate::CURRENT))
        })
        .collect();
    assert_eq!(backups.len(), 1);
    let (restored, _) = Store::restore_file(&backups[0].path(), &dir.path().join("restored")).unwrap();
    assert_eq!(restored.count::<Fund>().unwrap(), 1);
    // This program (schema CURRENT) refuses the upgraded store.
    match Store::open(&path) {
        Err(OpenError::Newer { found, supported, .. }) => {
            assert_eq!((found, supported), (migrate::CURRENT + 1, migrate::CURRENT))
        }
        other => panic!("expected Newer, got {:?}", other.err()),
    }
}

#[test]
fn a_directory_that_is_not_a_store_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s");
    {
        let db = raw_sled(&path);
        db.open_tree("something_else").unwrap().insert(b"k", b"v").unwrap();
        db.flush().unwrap();
    }
    assert!(matches!(Store::open(&path), Err(OpenError::Foreign { .. })));
    let file = dir.path().join("file");
    fs::write(&file, "x").unwrap();
    assert!(matches!(Store::open(&file), Err(OpenError::Foreign { .. })));
}

#[test]
fn a_sage_and_a_fund_with_the_same_id_do_not_share_children() {
    use sammachip::domain::sage::{Sage, SageStatus};
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("s")).unwrap();
    let f = store.save("t", &fund("33010101", "ก")).unwrap();
    let mut m = golden_member();
    (m.id, m.version, m.fund_id) = (0, 0, f.id);
    store.save("t", &m).unwrap();
    let sage = Sage {
        id: 0,
        version: 0,
        title: "นาง".into(),
        given_name: "มาลี".into(),
        family_name: "ศรี".into(),
        national_id: NationalId::from_first12(&[3, 1, 0, 1, 7, 0, 0, 2, 3, 0, 7, 0]).unwrap(),
        phone: String::new(),
        home_village: 33_010_101,
        expertise: vec![1],
        capacity: 3,
        status: SageStatus::Active,
    };
    let sage = store.save("t", &sage).unwrap();
    assert_eq!(sage.id, f.id, "both keyed by id 1");
    assert!(matches!(
        store.delete::<Fund>("t", f.id, f.version),
        Err(SaveError::HasChildren(t)) if t == trees::MEMBERS
    ));
    store.delete::<Sage>("t", sage.id, sage.version).unwrap();
}

#[test]
fn an_update_in_parts_writes_every_part_and_stops_at_a_gone_record() {
    let dir = tempfile::tempdir().unwrap();
    common::copy_dir(common::template(), dir.path());
    let store = Store::open(dir.path()).unwrap();
    let members: Vec<Member> = store.all::<Member>().unwrap().into_iter().take(1_000).collect();
    let keys: Vec<Vec<u8>> = members.iter().map(Record::key).collect();
    // A loan for each of 1,000 members, in parts of 70 written while the
    // next is prepared.
    let first = store.counter(trees::LOANS).unwrap();
    store.reserve_ids(trees::LOANS, 1_000).unwrap();
    let ids: std::collections::HashMap<u64, u64> =
        members.iter().enumerate().map(|(i, m)| (m.id, first + i as u64)).collect();
    let loan = |m: &Member| Loan {
        id: ids[&m.id],
        principal: Money::baht(10_000),
        rate_bp: 500,
        start: Date::from_ymd(2024, 5, 1).unwrap(),
        term_months: 12,
        mode: RepaymentMode::LumpSum,
        purpose: 0,
        guarantors: Vec::new(),
        status: LoanStatus::Open,
        repayments: Vec::new(),
    };
    let load = store.begin_load("test", "loans", 0).unwrap();
    let written = load
        .bulk_update_parts_with(keys.chunks(70), |mut m: Member| {
            m.loans.push(loan(&m));
            m
        })
        .unwrap();
    assert_eq!(written, 1_000);
    load.commit(trees::MEMBERS, written as u64).unwrap();
    for before in &members {
        let after = store.get_at::<Member>(&before.key()).unwrap().unwrap();
        assert_eq!((after.version, after.loans.len()), (before.version + 1, before.loans.len() + 1));
    }
    let report = store.check().unwrap();
    assert!(report.is_clean(), "{:#?}", &report.problems[..report.problems.len().min(5)]);

    // A record gone in the third part: the two parts before it are written,
    // the rest is not, and the error says which record; the load is then
    // taken back whole, and the store is as it was.
    let mut keys: Vec<Vec<u8>> = keys[..300].to_vec();
    keys[150] = sammachip::store::member_key(999_999, 999_999);
    let load = store.begin_load("test", "phones", 0).unwrap();
    let e = load
        .bulk_update_parts_with(keys.chunks(70), |mut m: Member| {
            m.phone = "0800000000".into();
            m
        })
        .unwrap_err();
    assert!(matches!(e, SaveError::Gone(ref k) if *k == keys[150]), "{e:?}");
    let phone = |i: usize| store.get_at::<Member>(&members[i].key()).unwrap().unwrap().phone;
    assert_eq!(phone(139), "0800000000");
    assert_ne!(phone(140), "0800000000");
    load.roll_back().unwrap();
    for m in &members[..300] {
        assert_eq!(store.get_at::<Member>(&m.key()).unwrap().unwrap().phone, m.phone);
    }
    let report = store.check().unwrap();
    assert!(report.is_clean(), "{:#?}", &report.problems[..report.problems.len().min(5)]);
}

/// Members of a fund with neighbouring ids share a page (one sled value).
/// Officers saving different members of one page at the same moment each
/// keep their change: no save takes another's back, none is refused as stale,
/// and the store checks clean.
#[test]
fn saves_of_members_that_share_a_page_lose_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let store = std::sync::Arc::new(Store::open(&dir.path().join("s")).unwrap());
    let f = store.save("t", &fund("33010101", "ก")).unwrap();
    let nid = |i: u8| {
        let mut d = [1, 1, 0, 1, 7, 0, 0, 2, 3, 0, 7, 0];
        d[11] = i;
        NationalId::from_first12(&d).unwrap()
    };
    let members: Vec<Member> = (1..=4)
        .map(|i| {
            let m = Member {
                id: 0,
                version: 0,
                fund_id: f.id,
                national_id: nid(i),
                loans: Vec::new(),
                ..golden_member()
            };
            store.save("t", &m).unwrap()
        })
        .collect();
    assert_eq!(store.raw_tree(trees::MEMBERS).unwrap().len(), 1, "four members, one page");
    const ROUNDS: u64 = 40;
    std::thread::scope(|s| {
        for m in &members {
            let store = &store;
            s.spawn(move || {
                let mut m = m.clone();
                for round in 0..ROUNDS {
                    m.phone = format!("08{:08}", m.id * 1000 + round);
                    m = store.save("t", &m).unwrap();
                }
            });
        }
    });
    for m in &members {
        let now = store.get_at::<Member>(&m.key()).unwrap().unwrap();
        assert_eq!(now.version, m.version + ROUNDS, "member {}", m.id);
        assert_eq!(now.phone, format!("08{:08}", m.id * 1000 + ROUNDS - 1));
    }
    assert!(store.check().unwrap().is_clean());
}

/// A page that does not read is named (tree and page key) by a read that
/// meets it, and by `check`, never skipped in silence.
#[test]
fn a_damaged_page_is_named_not_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("s")).unwrap();
    let f = store.save("t", &fund("33010101", "ก")).unwrap();
    let m = store.save("t", &Member { id: 0, version: 0, fund_id: f.id, ..golden_member() }).unwrap();
    let tree = store.raw_tree(trees::MEMBERS).unwrap();
    let (page, mut bytes) = tree.first().unwrap().map(|(k, v)| (k, v.to_vec())).unwrap();
    bytes.truncate(bytes.len() - 3);
    tree.insert(&page, bytes).unwrap();
    match store.get_at::<Member>(&m.key()) {
        Err(StoreError::Codec { tree, key, .. }) => assert_eq!((tree, key), (trees::MEMBERS, page.to_vec())),
        other => panic!("expected the page named, got {other:?}"),
    }
    assert!(store.scan_prefix::<Member>(&f.id.to_be_bytes()).is_err());
    let report = store.check().unwrap();
    assert!(
        report
            .problems
            .iter()
            .any(|p| p.tree == trees::MEMBERS && p.what.contains("page that does not read")),
        "{:#?}",
        report.problems
    );
}
