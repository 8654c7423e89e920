//! Import and export: every kind goes out and comes back into an empty store
//! unchanged; a file with bad rows imports nothing and lists every bad row with
//! its reason; CSV and XLSX give the same result; random bytes never panic.

mod common;

use std::{path::Path, sync::Arc};

use common::{Fixture, demo_day};
use proptest::prelude::*;
use sammachip::{
    domain::{Lang, fund::Fund, member::Member, occupation::OccupationRecord, officer::Access, sage::Sage},
    io::{
        Kind,
        export::export,
        import::{self, ImportError, Options, Summary},
        table::{self, TableError},
    },
    store::Store,
};

fn run_import(store: &Arc<Store>, kind: Kind, path: &Path, dry_run: bool) -> Summary {
    common::import_file(store, kind, path, dry_run).unwrap_or_else(|e| panic!("{kind:?}: {e}"))
}

/// What the officer reads when an import fails: Thai, then English.
fn why(e: &ImportError) -> [String; 2] {
    let m = sammachip::io::messages::import(e);
    [m.render(Lang::Th), m.render(Lang::En)]
}

const ORDER: [Kind; 8] = [
    Kind::Geography,
    Kind::Funds,
    Kind::Capital,
    Kind::Members,
    Kind::Loans,
    Kind::Repayments,
    Kind::Occupations,
    Kind::Sages,
];

/// Records compared without their ids and versions (a new store numbers them
/// afresh), keyed by what identifies them to an officer.
fn funds_of(s: &Store) -> Vec<Fund> {
    let mut v: Vec<Fund> = s.all::<Fund>().unwrap();
    for f in &mut v {
        f.id = 0;
        f.version = 0;
        // Capital comes back through its own file, numbered in file order.
        for (i, e) in f.capital.iter_mut().enumerate() {
            e.seq = i as u32 + 1;
        }
    }
    v.sort_by(|a, b| a.code.cmp(&b.code));
    v
}

fn members_of(s: &Store) -> Vec<(String, Member)> {
    let codes: std::collections::HashMap<u64, String> =
        s.all::<Fund>().unwrap().into_iter().map(|f| (f.id, f.code)).collect();
    let mut v: Vec<(String, Member)> = s
        .all::<Member>()
        .unwrap()
        .into_iter()
        .map(|mut m| {
            let code = codes[&m.fund_id].clone();
            m.id = 0;
            m.version = 0;
            m.fund_id = 0;
            (code, m)
        })
        .collect();
    v.sort_by_key(|(_, m)| m.national_id.as_u64());
    v
}

fn occupations_of(s: &Store) -> Vec<(u64, u16, i64, Vec<u64>, String)> {
    let nids: std::collections::HashMap<(u64, u64), u64> =
        s.all::<Member>().unwrap().into_iter().map(|m| ((m.fund_id, m.id), m.national_id.as_u64())).collect();
    let mut v: Vec<_> = s
        .all::<OccupationRecord>()
        .unwrap()
        .into_iter()
        .map(|r| {
            (
                nids[&(r.fund_id, r.member_id)],
                r.category,
                r.after.income.satang() - r.before.income.satang(),
                r.loan_ids.clone(),
                format!("{:?} {:?} {} {}", r.status, r.stage, r.start_year, r.member_name),
            )
        })
        .collect();
    v.sort();
    v
}

fn sages_of(s: &Store) -> Vec<Sage> {
    let mut v: Vec<Sage> = s.all::<Sage>().unwrap();
    for x in &mut v {
        x.id = 0;
        x.version = 0;
    }
    v.sort_by_key(|x| x.national_id.as_u64());
    v
}

/// Equal lists, or the first difference (the lists are long).
fn assert_same<T: PartialEq + std::fmt::Debug>(a: &[T], b: &[T], what: &str) {
    assert_eq!(a.len(), b.len(), "{what}: lengths");
    if let Some(i) = (0..a.len()).find(|i| a[*i] != b[*i]) {
        panic!("{what}: first difference at {i}:\n{:?}\n{:?}", a[i], b[i]);
    }
}

#[test]
fn every_kind_round_trips_through_csv_into_an_empty_store() {
    let f = Fixture::new(Lang::Th);
    let dir = tempfile::tempdir().unwrap();
    let empty = Arc::new(Store::open(&dir.path().join("new")).unwrap());
    for kind in ORDER {
        let file = dir.path().join(format!("{}.csv", kind.name()));
        let n = export(&f.store, kind, &file, Lang::Th).unwrap();
        let s = run_import(&empty, kind, &file, false);
        assert!(s.rejects.is_empty(), "{kind:?}: {:?}", &s.rejects[..s.rejects.len().min(5)]);
        assert_eq!((s.read, s.imported), (n, n), "{kind:?}");
    }
    assert_eq!(empty.places().unwrap(), f.store.places().unwrap());
    assert_same(&funds_of(&empty), &funds_of(&f.store), "funds");
    assert_same(&members_of(&empty), &members_of(&f.store), "members");
    assert_same(&occupations_of(&empty), &occupations_of(&f.store), "occupations");
    assert_same(&sages_of(&empty), &sages_of(&f.store), "sages");
    // The exports of the copy are the exports of the original, byte for byte.
    for kind in ORDER {
        let a = dir.path().join(format!("a-{}.csv", kind.name()));
        let b = dir.path().join(format!("b-{}.csv", kind.name()));
        export(&f.store, kind, &a, Lang::En).unwrap();
        export(&empty, kind, &b, Lang::En).unwrap();
        let (a, b) = (std::fs::read(a).unwrap(), std::fs::read(b).unwrap());
        assert!(a == b, "{kind:?} differs after the round trip");
    }
}

#[test]
fn a_file_with_bad_rows_imports_nothing_and_lists_every_bad_row() {
    let f = Fixture::new(Lang::Th);
    let dir = tempfile::tempdir().unwrap();
    let fund = f.funds()[0].code.clone();
    let taken = f.store.all::<Member>().unwrap()[0].national_id.to_string();
    let text = format!(
        "รหัสกองทุน,เลขประจำตัวประชาชน,คำนำหน้า,ชื่อ,นามสกุล,วันเกิด\n\
         {fund},1-1017-00000-01-0,นาย,ดี,มาก,1/1/2520\n\
         {fund},1101700000011,นาย,ผิด,เลขบัตร,1/1/2520\n\
         99999999,1101700000028,นาง,ไม่มี,กองทุน,1/1/2520\n\
         {fund},{taken},นาง,ซ้ำ,ในฐาน,1/1/2520\n\
         {fund},1101700000010,นาย,ซ้ำ,ในไฟล์,1/1/2520\n\
         {fund},1101700000036,นาง,วันที่,ผิด,31/02/2520\n"
    );
    let file = dir.path().join("members.csv");
    std::fs::write(&file, text).unwrap();
    let before = f.store.count::<Member>().unwrap();
    let audit_before = f.store.audit(usize::MAX).unwrap().len();
    let s = run_import(&f.store, Kind::Members, &file, false);
    assert_eq!(s.read, 6);
    assert_eq!(s.imported, 0);
    let rows: Vec<(usize, &str)> = s.rejects.iter().map(|r| (r.row, r.column.as_str())).collect();
    assert_eq!(
        rows,
        vec![(3, "national_id"), (4, "fund_code"), (5, "national_id"), (6, "national_id"), (7, "birth_date")]
    );
    assert_eq!(f.store.count::<Member>().unwrap(), before, "nothing saved");
    assert_eq!(f.store.audit(usize::MAX).unwrap().len(), audit_before);
    let rejects = std::fs::read_to_string(s.rejects_file.unwrap()).unwrap();
    assert!(rejects.contains("ซ้ำกับแถว 2") && rejects.contains("Same as row 2"), "{rejects}");
    assert!(rejects.contains("No fund with code 99999999"), "{rejects}");
    assert_eq!(rejects.lines().count(), 6, "a header and five rows:\n{rejects}");
    // Issue 18: rows as Excel numbers them (the header is row 1), and the
    // header of the rejects file says so.
    assert!(rejects.lines().next().unwrap().contains("header = row 1"), "{rejects}");
    assert!(rejects.lines().nth(1).unwrap().starts_with("3,"), "{rejects}");

    // The good row alone imports; --dry-run checks without saving.
    let good = dir.path().join("good.csv");
    std::fs::write(
        &good,
        format!("fund_code,national_id,title,given_name,family_name\n{fund},1101700000044,Mr,Dee,Mak\n"),
    )
    .unwrap();
    let s = run_import(&f.store, Kind::Members, &good, true);
    assert_eq!((s.read, s.imported, s.rejects.len()), (1, 0, 0));
    assert_eq!(f.store.count::<Member>().unwrap(), before);
    let s = run_import(&f.store, Kind::Members, &good, false);
    assert_eq!(s.imported, 1);
    assert_eq!(f.store.count::<Member>().unwrap(), before + 1);
}

/// A 13-digit national ID with a good checksum, from a 12-digit stem.
fn national_id(stem: u64) -> String {
    let digits: Vec<u32> = format!("{stem:012}").chars().filter_map(|c| c.to_digit(10)).collect();
    let sum: u32 = digits.iter().enumerate().map(|(i, d)| d * (13 - i as u32)).sum();
    format!("{stem:012}{}", (11 - sum % 11) % 10)
}

#[test]
fn members_written_while_checking_are_taken_back_when_a_late_row_is_refused() {
    // Members are written while the file is still being checked: 12,000 good
    // rows go out in batches before the last row turns out bad. The import
    // must still save nothing, and leave the store as `check` wants it.
    let f = Fixture::new(Lang::En);
    let dir = tempfile::tempdir().unwrap();
    let fund = f.funds()[0].code.clone();
    let mut text = String::from("fund_code,national_id,title,given_name,family_name\n");
    for i in 0..12_000u64 {
        text += &format!("{fund},{},Mr,Good,Row{i}\n", national_id(310_170_000_000 + i));
    }
    text += &format!("99999999,{},Ms,No,Fund\n", national_id(310_170_099_999));
    let file = dir.path().join("members.csv");
    std::fs::write(&file, text).unwrap();
    let before = f.store.all::<Member>().unwrap();
    let audit_before = f.store.audit(usize::MAX).unwrap().len();
    let s = run_import(&f.store, Kind::Members, &file, false);
    assert_eq!((s.read, s.imported, s.rejects.len()), (12_001, 0, 1));
    assert_eq!(s.rejects[0].row, 12_002);
    assert_eq!(f.store.all::<Member>().unwrap(), before, "every written member taken back");
    assert_eq!(f.store.audit(usize::MAX).unwrap().len(), audit_before);
    let report = f.store.check().unwrap();
    assert!(report.is_clean(), "{:?}", report.problems);

    // Without the bad row the same file imports whole, and checks clean.
    let text = std::fs::read_to_string(&file).unwrap();
    let good: String = text.lines().take(12_001).map(|l| format!("{l}\n")).collect();
    std::fs::write(&file, good).unwrap();
    let s = run_import(&f.store, Kind::Members, &file, false);
    assert_eq!((s.imported, s.rejects.len()), (12_000, 0));
    assert_eq!(f.store.all::<Member>().unwrap().len(), before.len() + 12_000);
    assert!(f.store.check().unwrap().is_clean());
}

#[test]
fn xlsx_and_csv_give_the_same_store() {
    let f = Fixture::new(Lang::En);
    let dir = tempfile::tempdir().unwrap();
    let stores: Vec<Arc<Store>> = ["csv", "xlsx"]
        .iter()
        .map(|ext| {
            let s = Arc::new(Store::open(&dir.path().join(format!("s-{ext}"))).unwrap());
            for kind in [Kind::Geography, Kind::Funds, Kind::Members, Kind::Loans] {
                let file = dir.path().join(format!("{}.{ext}", kind.name()));
                export(&f.store, kind, &file, Lang::En).unwrap();
                let r = run_import(&s, kind, &file, false);
                assert!(r.rejects.is_empty(), "{ext} {kind:?}: {:?}", &r.rejects[..r.rejects.len().min(3)]);
            }
            s
        })
        .collect();
    assert_eq!(funds_of(&stores[0]).len(), f.funds().len());
    assert_same(&members_of(&stores[0]), &members_of(&stores[1]), "csv vs xlsx");
    let without_repayments: Vec<_> = members_of(&f.store)
        .into_iter()
        .map(|(c, mut m)| {
            for l in &mut m.loans {
                l.repayments.clear();
            }
            (c, m)
        })
        .collect();
    assert_same(&members_of(&stores[0]), &without_repayments, "xlsx vs the original");
}

/// The README's example files import, in order, into an empty store.
#[test]
fn the_example_files_import_into_an_empty_store() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(Store::open(&dir.path().join("s")).unwrap());
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/examples");
    for kind in ORDER {
        // A copy, so a failing run leaves no rejects file in the repository.
        let file = dir.path().join(format!("{}.csv", kind.name()));
        std::fs::copy(examples.join(format!("{}.csv", kind.name())), &file).unwrap();
        let s = run_import(&store, kind, &file, false);
        assert!(s.rejects.is_empty() && s.imported > 0, "{kind:?}: {:?}", s.rejects);
    }
    let m = store.all::<Member>().unwrap();
    assert_eq!(m.len(), 3);
    assert_eq!(m.iter().map(|m| m.loans.len()).sum::<usize>(), 3);
    assert_eq!(store.all::<OccupationRecord>().unwrap().len(), 2);
    assert_eq!(store.all::<Sage>().unwrap().len(), 2);
    // Issue 18: the files agree with themselves. An occupation is described
    // as its category says, its loans were lent for it, and its member
    // joined the fund after it was set up and before the loans.
    let categories = sammachip::domain::occupation::seed_categories();
    let loans: Vec<_> = m.iter().flat_map(|m| &m.loans).collect();
    let funds = store.all::<sammachip::domain::fund::Fund>().unwrap();
    for r in store.all::<OccupationRecord>().unwrap() {
        let c = categories.iter().find(|c| c.code == r.category).unwrap();
        assert!(r.description.contains(c.name_th.as_str()), "{} is category {}", r.description, c.name_th);
        for id in &r.loan_ids {
            assert_eq!(loans.iter().find(|l| l.id == *id).unwrap().purpose, r.category, "loan {id}");
        }
    }
    for member in &m {
        let fund = funds.iter().find(|f| f.id == member.fund_id).unwrap();
        let joined = member.joined.unwrap();
        assert!(fund.established.is_none_or(|e| e <= joined), "{}", member.given_name);
        assert!(member.loans.iter().all(|l| l.start >= joined), "{}", member.given_name);
    }
}

#[test]
fn a_file_without_the_needed_columns_says_which() {
    let f = Fixture::new(Lang::En);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("x.csv");
    std::fs::write(&file, "fund_code,name\n33010101,x\n").unwrap();
    let o = Options {
        kind: Kind::Members,
        path: &file,
        sheet: None,
        dry_run: false,
        officer: "t",
        today: demo_day(),
        access: Access::Admin,
        rejects_dir: None,
        change: None,
    };
    let e = import::import(&f.store, &o, &|_, _| {}).unwrap_err().to_string();
    assert!(e.contains("national_id (เลขประจำตัวประชาชน)"), "{e}");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// Random bytes as a .csv or an .xlsx: an error or rows, never a panic.
    #[test]
    fn random_files_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2_000), xlsx in any::<bool>()) {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join(if xlsx { "r.xlsx" } else { "r.csv" });
        std::fs::write(&file, &bytes).unwrap();
        if let Ok(t) = table::open(&file, None) {
            for r in t.rows.take(1_000) {
                let _ = r;
            }
        }
    }

    /// A real CSV with bytes changed: imports or rejects, never panics.
    #[test]
    fn damaged_member_files_never_panic(flips in proptest::collection::vec((0usize..400, any::<u8>()), 1..8)) {
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(Store::open(&dir.path().join("s")).unwrap());
        let mut text = "fund_code,national_id,title,given_name,family_name,birth_date\n\
                        33010101,1101700000010,นาย,ดี,มาก,1/1/2520\n\
                        33010101,1101700000028,นาง,สม,ใจ,2/2/2522\n".as_bytes().to_vec();
        for (at, b) in flips {
            let n = text.len();
            text[at % n] = b;
        }
        let file = dir.path().join("m.csv");
        std::fs::write(&file, &text).unwrap();
        let o = Options { kind: Kind::Members, path: &file, sheet: None, dry_run: false, officer: "t", today: demo_day(), access: Access::Admin, rejects_dir: None, change: None };
        let _ = import::import(&store, &o, &|_, _| {});
    }
}

/// `x` writes the list as it is on screen: filtered, in its order.
#[test]
fn x_exports_the_list_on_screen() {
    use crossterm::event::KeyCode;
    let mut f = Fixture::new(Lang::Th);
    let dir = tempfile::tempdir().unwrap();
    f.press(KeyCode::Char('/'));
    f.type_str("โคก");
    f.press(KeyCode::Enter);
    let shown: Vec<String> =
        f.app.funds.view.iter().map(|i| f.app.funds.rows[*i as usize].code.to_string()).collect();
    assert!(!shown.is_empty() && shown.len() < f.app.funds.rows.len());
    for ext in ["csv", "xlsx"] {
        let file = dir.path().join(format!("list.{ext}"));
        f.press(KeyCode::Char('x'));
        assert!(f.app.form.is_some(), "{}", f.screen());
        f.ctrl('u');
        f.type_str(&file.display().to_string());
        f.ctrl('s');
        assert!(f.app.form.is_none(), "{}", f.screen());
        let t = table::open(&file, None).unwrap();
        assert_eq!(t.headers[0], "รหัส");
        let codes: Vec<String> = t.rows.map(|r| r.unwrap().1[0].to_string()).collect();
        assert_eq!(codes, shown, "{ext}");
    }
}

// Files made to break the reader: they are refused with a message, in both
// languages, and never read whole into memory.

/// An .xlsx made by hand, part by part: its parts are zip entries whose
/// declared size and checksum are given, whatever the data inflates to.
struct Part {
    name: &'static str,
    deflated: bool,
    data: Vec<u8>,
    crc: u32,
    size: u32,
}

fn stored(name: &'static str, text: &str) -> Part {
    let data = text.as_bytes().to_vec();
    Part { name, deflated: false, crc: crc32fast::hash(&data), size: data.len() as u32, data }
}

fn write_zip(path: &Path, parts: &[Part]) {
    let (mut out, mut central) = (Vec::new(), Vec::new());
    for p in parts {
        let offset = out.len() as u32;
        let fields = |v: &mut Vec<u8>| {
            v.extend_from_slice(&20u16.to_le_bytes()); // version needed
            v.extend_from_slice(&0u16.to_le_bytes()); // flags
            v.extend_from_slice(&(if p.deflated { 8u16 } else { 0 }).to_le_bytes());
            v.extend_from_slice(&[0, 0, 0x21, 0]); // 1980-01-01
            v.extend_from_slice(&p.crc.to_le_bytes());
            v.extend_from_slice(&(p.data.len() as u32).to_le_bytes());
            v.extend_from_slice(&p.size.to_le_bytes());
            v.extend_from_slice(&(p.name.len() as u16).to_le_bytes());
            v.extend_from_slice(&0u16.to_le_bytes()); // extra
        };
        out.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
        fields(&mut out);
        out.extend_from_slice(p.name.as_bytes());
        out.extend_from_slice(&p.data);
        central.extend_from_slice(&0x0201_4b50u32.to_le_bytes());
        central.extend_from_slice(&20u16.to_le_bytes()); // made by
        fields(&mut central);
        central.extend_from_slice(&[0; 6]); // comment, disk, internal attributes
        central.extend_from_slice(&[0; 4]); // external attributes
        central.extend_from_slice(&offset.to_le_bytes());
        central.extend_from_slice(p.name.as_bytes());
    }
    let at = out.len() as u32;
    out.extend_from_slice(&central);
    out.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
    out.extend_from_slice(&[0; 4]);
    out.extend_from_slice(&(parts.len() as u16).to_le_bytes());
    out.extend_from_slice(&(parts.len() as u16).to_le_bytes());
    out.extend_from_slice(&(central.len() as u32).to_le_bytes());
    out.extend_from_slice(&at.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    std::fs::write(path, out).unwrap();
}

/// Bits, least significant first, as deflate packs them.
#[derive(Default)]
struct Bits {
    out: Vec<u8>,
    acc: u64,
    n: u32,
}

impl Bits {
    fn put(&mut self, value: u64, n: u32) {
        self.acc |= value << self.n;
        self.n += n;
        while self.n >= 8 {
            self.out.push(self.acc as u8);
            self.acc >>= 8;
            self.n -= 8;
        }
    }

    /// Stored blocks of `data`; the last one ends the stream when `last`.
    fn stored(&mut self, data: &[u8], last: bool) {
        let chunks: Vec<&[u8]> = if data.is_empty() { vec![&[]] } else { data.chunks(65_535).collect() };
        for (i, c) in chunks.iter().enumerate() {
            self.put(u64::from(last && i + 1 == chunks.len()), 1);
            self.put(0, 2);
            if self.n > 0 {
                self.put(0, 8 - self.n);
            }
            let len = c.len() as u64;
            self.put(len, 16);
            self.put(!len & 0xffff, 16);
            for b in c.iter() {
                self.put(u64::from(*b), 8);
            }
        }
    }
}

/// A Huffman code, most significant bit first, as `Bits::put` wants it.
fn code(value: u64, n: u32) -> u64 {
    (0..n).fold(0, |r, i| r | (((value >> i) & 1) << (n - 1 - i)))
}

/// `head`, then `run` bytes `fill` (below 144), then `tail`, deflated as a
/// bomb is: each 258 bytes of the run in 13 bits. And the checksum of it all.
fn deflate_run(head: &[u8], fill: u8, run: u64, tail: &[u8]) -> (Vec<u8>, u32) {
    let mut b = Bits::default();
    b.stored(&[head, &[fill]].concat(), false);
    b.put(0, 1);
    b.put(1, 2); // a block of fixed codes
    let (copy, literal) = (code(0b1100_0101, 8), code(0x30 + u64::from(fill), 8));
    let mut left = run - 1;
    // Length 258 (code 285) from distance 1 (code 0: five zero bits); eight
    // of them are 13 bytes once the bits line up with bytes.
    let mut eight = Bits::default();
    for _ in 0..8 {
        eight.put(copy, 13);
    }
    while left >= 258 {
        if b.n == 0 && left >= 8 * 258 {
            b.out.extend_from_slice(&eight.out);
            left -= 8 * 258;
            continue;
        }
        b.put(copy, 13);
        left -= 258;
    }
    for _ in 0..left {
        b.put(literal, 8);
    }
    b.put(0, 7); // end of block
    b.stored(tail, true);
    let mut crc = crc32fast::Hasher::new();
    crc.update(head);
    let (mut piece, mut n) = (crc32fast::Hasher::new(), run);
    piece.update(&[fill]);
    while n > 0 {
        if n & 1 == 1 {
            crc.combine(&piece);
        }
        let same = piece.clone();
        piece.combine(&same);
        n >>= 1;
    }
    crc.update(tail);
    (b.out, crc.finalize())
}

const SHEET_HEAD: &str = r#"<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"#;
const SHEET_TAIL: &str = "</sheetData></worksheet>";

/// An .xlsx of the parts every workbook has, then `more`.
fn bomb(path: &Path, more: Vec<Part>) {
    let mut parts = vec![
        stored(
            "_rels/.rels",
            r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#,
        ),
        stored(
            "xl/workbook.xml",
            r#"<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>"#,
        ),
        stored(
            "xl/_rels/workbook.xml.rels",
            r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#,
        ),
    ];
    parts.extend(more);
    write_zip(path, &parts);
}

/// A sheet part of `head`, `run` bytes `fill` and `tail`, inside sheetData.
fn sheet_run(head: &str, fill: u8, run: u64, tail: &str, declared: Option<u32>) -> Part {
    let (head, tail) = (format!("{SHEET_HEAD}{head}"), format!("{tail}{SHEET_TAIL}"));
    let (data, crc) = deflate_run(head.as_bytes(), fill, run, tail.as_bytes());
    let size = declared.unwrap_or((head.len() as u64 + run + tail.len() as u64) as u32);
    Part { name: "xl/worksheets/sheet1.xml", deflated: true, data, crc, size }
}

const HEADER_ROW: &str = r#"<row r="1"><c r="A1" t="inlineStr"><is><t>fund_code</t></is></c></row>"#;

#[test]
fn a_sheet_declaring_a_million_rows_of_16384_columns_is_refused_by_its_corner() {
    // Two cells, at A1 and XFD1048576: calamine's worksheet_range wanted
    // 512 GiB for the cells between them and aborted the process.
    let f = Fixture::new(Lang::Th);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("members.xlsx");
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.write_string(0, 0, "fund_code").unwrap();
    sheet.write_string(1_048_575, 16_383, "x").unwrap();
    book.save(&file).unwrap();
    assert!(std::fs::metadata(&file).unwrap().len() < 10_000);
    let e = common::import_file(&f.store, Kind::Members, &file, true).unwrap_err();
    assert!(
        matches!(&e, ImportError::Table(TableError::Outside { cell, declared: true, .. }) if cell == "XFD1048576"),
        "{e}"
    );
    let [th, en] = why(&e);
    assert!(th.contains("XFD1048576") && th.contains("A1:IV1048576"), "{th}");
    assert!(en.contains("XFD1048576") && en.contains("A1:IV1048576"), "{en}");
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1, "no rejects file for a refused file");
}

#[test]
fn zip_bombs_are_refused_before_they_are_unpacked() {
    let f = Fixture::new(Lang::Th);
    let dir = tempfile::tempdir().unwrap();
    let started = std::time::Instant::now();
    // 1.1 GiB of sheet XML (blanks between rows) in 8 MB of file.
    let gib = 1u64 << 30;
    let file = dir.path().join("big.xlsx");
    let sheet = sheet_run(HEADER_ROW, b' ', gib + gib / 10, "", None);
    let liar = Part { data: sheet.data.clone(), size: 1 << 20, ..sheet };
    bomb(&file, vec![sheet]);
    assert!(std::fs::metadata(&file).unwrap().len() < 10 << 20);
    let e = common::import_file(&f.store, Kind::Members, &file, true).unwrap_err();
    assert!(
        matches!(&e, ImportError::Table(TableError::PartTooBig { part, max }) if part == "xl/worksheets/sheet1.xml" && *max == gib),
        "{e}"
    );
    let [th, en] = why(&e);
    assert!(th.contains("xl/worksheets/sheet1.xml") && th.contains("1 GiB"), "{th}");
    assert!(en.contains("Part xl/worksheets/sheet1.xml of the file is over 1 GiB unpacked"), "{en}");
    // The same data saying it is 1 MiB: the zip reader stops at 1 MiB.
    let file = dir.path().join("liar.xlsx");
    bomb(&file, vec![liar]);
    let e = common::import_file(&f.store, Kind::Members, &file, true).unwrap_err();
    assert!(
        matches!(&e, ImportError::Table(TableError::Xlsx { detail, .. }) if detail.contains("declared")),
        "{e}"
    );
    // One cell of 64 MiB in a sheet under the limit.
    let file = dir.path().join("cell.xlsx");
    let head = r#"<row r="1"><c r="A1" t="inlineStr"><is><t>"#;
    bomb(&file, vec![sheet_run(head, b'x', 64 << 20, "</t></is></c></row>", None)]);
    let e = common::import_file(&f.store, Kind::Members, &file, true).unwrap_err();
    assert!(matches!(&e, ImportError::Table(TableError::PieceTooBig { max, .. }) if *max == 4 << 20), "{e}");
    // Shared strings: 300 MiB of them, or a count calamine would make room
    // for (a trillion strings: 24 TB, and the process aborted).
    let cell = r#"<row r="1"><c r="A1" t="s"><v>0</v></c></row>"#;
    let sst = r#"<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" uniqueCount="1">"#;
    let tail = "<si><t>fund_code</t></si></sst>";
    let (data, crc) = deflate_run(sst.as_bytes(), b' ', 300 << 20, tail.as_bytes());
    let size = (sst.len() + tail.len() + (300 << 20)) as u32;
    let file = dir.path().join("strings.xlsx");
    bomb(
        &file,
        vec![
            stored("xl/worksheets/sheet1.xml", &format!("{SHEET_HEAD}{cell}{SHEET_TAIL}")),
            Part { name: "xl/sharedStrings.xml", deflated: true, data, crc, size },
        ],
    );
    let e = common::import_file(&f.store, Kind::Members, &file, true).unwrap_err();
    assert!(
        matches!(&e, ImportError::Table(TableError::PartTooBig { part, .. }) if part == "xl/sharedStrings.xml"),
        "{e}"
    );
    let file = dir.path().join("count.xlsx");
    bomb(
        &file,
        vec![
            stored("xl/worksheets/sheet1.xml", &format!("{SHEET_HEAD}{cell}{SHEET_TAIL}")),
            stored(
                "xl/sharedStrings.xml",
                &sst.replace("uniqueCount=\"1\"", "uniqueCount=\"1000000000000\""),
            ),
        ],
    );
    let e = common::import_file(&f.store, Kind::Members, &file, true).unwrap_err();
    assert!(matches!(&e, ImportError::Table(TableError::TooManyStrings { max: 4_194_304 })), "{e}");
    assert!(why(&e)[1].contains("4,194,304"), "{:?}", why(&e));
    assert!(started.elapsed().as_secs() < 10, "{:?}", started.elapsed());
}

#[test]
fn a_csv_row_without_end_and_a_csv_of_too_many_rows_are_refused() {
    let f = Fixture::new(Lang::Th);
    let dir = tempfile::tempdir().unwrap();
    // A quote left open: 3 MiB of one field.
    let file = dir.path().join("members.csv");
    let text =
        format!("fund_code,national_id,title,given_name,family_name\n33010101,\"{}\n", "x".repeat(3 << 20));
    std::fs::write(&file, text).unwrap();
    let e = common::import_file(&f.store, Kind::Members, &file, true).unwrap_err();
    assert!(matches!(&e, ImportError::Table(TableError::RowTooBig { row: 2, .. })), "{e}");
    let [th, en] = why(&e);
    assert!(
        th.contains("แถว 2") && th.contains("1 MiB") && en.contains("Row 2 holds more than 1 MiB"),
        "{th}\n{en}"
    );
    // A CSV of the most rows allowed (here Excel's 1,048,576, the header
    // included; by default 40 million) and one more.
    let file = dir.path().join("places.csv");
    std::fs::write(&file, format!("code,name_th\n{}", "1,x\n".repeat(1_048_576))).unwrap();
    let limits = table::Limits { csv_rows: 1_048_576, ..Default::default() };
    let rows: Vec<_> = table::open_with(&file, None, &limits).unwrap().rows.collect();
    assert_eq!(rows.len(), 1_048_576);
    assert!(rows[..1_048_575].iter().all(Result::is_ok));
    assert!(
        matches!(rows.last(), Some(Err(TableError::TooManyRows { max: 1_048_576 }))),
        "{:?}",
        rows.last()
    );
}

#[test]
fn the_rejects_file_lists_ten_thousand_rows_and_counts_the_rest() {
    let f = Fixture::new(Lang::Th);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("members.csv");
    let mut text = String::from("fund_code,national_id,title,given_name,family_name\n");
    for i in 0..10_050u64 {
        text += &format!("99999999,{},Mr,No,Fund{i}\n", national_id(310_170_000_000 + i));
    }
    std::fs::write(&file, text).unwrap();
    let s = run_import(&f.store, Kind::Members, &file, true);
    assert_eq!((s.read, s.refused, s.rejects.len(), s.unlisted()), (10_050, 10_050, 10_000, 50));
    assert_eq!(s.rejects.last().map(|r| r.row), Some(10_001));
    let rejects = std::fs::read_to_string(s.rejects_file.unwrap()).unwrap();
    let lines: Vec<&str> = rejects.lines().collect();
    assert_eq!(lines.len(), 1 + 10_000 + 1);
    assert!(lines[10_000].starts_with("10001,fund_code,"), "{}", lines[10_000]);
    assert!(
        lines[10_001].contains("อีก 50 แถว") && lines[10_001].contains("50 more rows were refused"),
        "{}",
        lines[10_001]
    );
}

#[cfg(unix)]
#[test]
fn the_rejects_file_replaces_a_link_left_at_its_name_and_a_dry_run_writes_nothing_else() {
    let f = Fixture::new(Lang::Th);
    let dir = tempfile::tempdir().unwrap();
    let fund = f.funds()[0].code.clone();
    let file = dir.path().join("members.csv");
    std::fs::write(
        &file,
        format!("fund_code,national_id,title,given_name,family_name\n{fund},1101700000011,นาย,ผิด,เลขบัตร\n"),
    )
    .unwrap();
    let precious = dir.path().join("precious.txt");
    std::fs::write(&precious, "keep me").unwrap();
    let rejects = dir.path().join("members.csv.rejects.csv");
    let names = || {
        let mut v: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    };
    let members = f.store.count::<Member>().unwrap();
    let audit = f.store.audit(usize::MAX).unwrap().len();
    for dry_run in [true, false] {
        std::os::unix::fs::symlink(&precious, &rejects).unwrap();
        let s = run_import(&f.store, Kind::Members, &file, dry_run);
        assert_eq!(s.rejects_file.as_deref(), Some(rejects.as_path()));
        assert_eq!(std::fs::read_to_string(&precious).unwrap(), "keep me", "dry run {dry_run}");
        assert!(
            std::fs::symlink_metadata(&rejects).unwrap().file_type().is_file(),
            "the link itself replaced"
        );
        assert!(std::fs::read_to_string(&rejects).unwrap().contains("2,national_id,"));
        assert_eq!(names(), ["members.csv", "members.csv.rejects.csv", "precious.txt"], "dry run {dry_run}");
        std::fs::remove_file(&rejects).unwrap();
    }
    // A dry run of a good file writes nothing at all, nor saves anything.
    std::fs::write(
        &file,
        format!("fund_code,national_id,title,given_name,family_name\n{fund},1101700000044,Mr,Dee,Mak\n"),
    )
    .unwrap();
    let s = run_import(&f.store, Kind::Members, &file, true);
    assert_eq!((s.read, s.imported, s.refused), (1, 0, 0));
    assert_eq!(names(), ["members.csv", "precious.txt"]);
    assert_eq!(
        (f.store.count::<Member>().unwrap(), f.store.audit(usize::MAX).unwrap().len()),
        (members, audit)
    );
}

/// A loan without an id and a loan whose id the file keeps never get the same
/// number (fresh ids come after every kept one), and the import stays
/// consistent.
#[test]
fn fresh_loan_ids_never_meet_the_ids_a_file_keeps() {
    let f = Fixture::new(Lang::Th);
    let member = f.store.all::<Member>().unwrap().into_iter().find(|m| m.joined.is_some()).unwrap();
    let next = f.store.counter(sammachip::store::trees::LOANS).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("loans.csv");
    let nid = member.national_id.to_string();
    std::fs::write(
        &file,
        format!(
            "national_id,principal,rate,start,term_months,loan_id\n\
             {nid},10000,5,1/6/2569,12,\n\
             {nid},10000,5,1/6/2569,12,{next}\n\
             {nid},10000,5,1/6/2569,12,\n"
        ),
    )
    .unwrap();
    let s =
        common::import_file(&f.store, Kind::Loans, &file, false).unwrap_or_else(|e| panic!("{:?}", why(&e)));
    assert_eq!(s.imported, 3);
    let m = f.store.get_at::<Member>(&sammachip::store::Record::key(&member)).unwrap().unwrap();
    let mut ids: Vec<u64> = m.loans.iter().map(|l| l.id).filter(|id| *id >= next).collect();
    ids.sort_unstable();
    assert_eq!(ids, vec![next, next + 1, next + 2], "the kept id, then fresh ones after it");
    assert!(f.store.check().unwrap().is_clean());
}

/// Text that Excel would run as a formula (`=HYPERLINK(…)`, `@SUM(…)`, a
/// leading `+`, `-`, tab or carriage return) is written to a CSV with a
/// leading `'`, so Excel shows it as text; numbers stay numbers; and the
/// file imports back to the names as they were. In an .xlsx such text is a
/// string cell, never a formula.
#[test]
fn exported_text_never_becomes_an_excel_formula() {
    let f = Fixture::new(Lang::En);
    let names = [
        "=HYPERLINK(\"http://x.example/\",\"click\")",
        "@SUM(A1:A9)",
        "+66 81 000",
        "-1+2",
        "\tเทส",
        "กองทุนปกติ",
    ];
    let mut funds = f.store.all::<Fund>().unwrap();
    for (fund, name) in funds.iter_mut().zip(names) {
        fund.name = name.to_string();
        f.store.save("tester", &*fund).unwrap();
    }
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("funds.csv");
    export(&f.store, Kind::Funds, &csv, Lang::En).unwrap();
    let text = std::fs::read_to_string(&csv).unwrap();
    for name in &names[..5] {
        let quoted = format!("'{name}");
        // As a field, with or without the CSV quotes around it.
        assert!(
            text.contains(&format!(",{quoted},"))
                || text.contains(&format!(",\"{}\",", quoted.replace('"', "\"\""))),
            "{name:?} is not written as text:\n{}",
            text.lines().take(8).collect::<Vec<_>>().join("\n")
        );
    }
    assert!(text.contains(",กองทุนปกติ,"), "ordinary names are left alone");
    // Numbers stay numbers: a fund's member count has no quote.
    assert!(!text.contains(",'1"), "numbers are not quoted");
    // The file imports back to the names as they were.
    let back = Arc::new(Store::open(&dir.path().join("back")).unwrap());
    let geo = dir.path().join("geo.csv");
    export(&f.store, Kind::Geography, &geo, Lang::En).unwrap();
    run_import(&back, Kind::Geography, &geo, false);
    run_import(&back, Kind::Funds, &csv, false);
    let mut got: Vec<String> = back.all::<Fund>().unwrap().into_iter().map(|f| f.name).collect();
    got.sort();
    for name in names {
        let want = if name.starts_with('\t') { name.trim().to_string() } else { name.to_string() };
        assert!(got.contains(&want), "{want:?} came back as something else");
    }
    // In an .xlsx the same text is a string cell, never a formula.
    let xlsx = dir.path().join("funds.xlsx");
    export(&f.store, Kind::Funds, &xlsx, Lang::En).unwrap();
    let mut zip = zip::ZipArchive::new(std::fs::File::open(&xlsx).unwrap()).unwrap();
    let mut sheet = String::new();
    std::io::Read::read_to_string(&mut zip.by_name("xl/worksheets/sheet1.xml").unwrap(), &mut sheet).unwrap();
    assert!(!sheet.contains("<f>"), "no formula cells");
}

/// `sammachip --db DB ARGS…` on a copy of the binary's district demo: exit
/// code, stdout and stderr.
fn cli(db: &Path, args: &[&str]) -> (i32, String) {
    let out = std::process::Command::new(common::BIN).arg("--db").arg(db).args(args).output().unwrap();
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    (out.status.code().unwrap_or(-1), text)
}

/// The rows of a CSV the app wrote (its header first).
fn csv_rows(path: &Path) -> Vec<Vec<String>> {
    let mut r = csv::ReaderBuilder::new().has_headers(false).from_path(path).unwrap();
    r.records()
        .map(|x| x.unwrap().iter().map(|c| c.trim_start_matches('\u{feff}').to_string()).collect())
        .collect()
}

// Issue 18: `export ranking` wrote the province's top 30 only, though its help
// says every district; it had no scope or number of places; `--lang en` after
// the subcommand was refused.
#[test]
fn export_ranking_takes_a_scope_and_places_and_options_after_the_subcommand() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("store");
    common::copy_dir(common::binary_demo(), &db);
    let out = |name: &str| dir.path().join(name);

    // Default: every district's top 30 (the district demo has one district).
    let (code, said) = cli(&db, &["export", "ranking", "-o", out("all.csv").to_str().unwrap()]);
    assert_eq!(code, 0, "{said}");
    let all = csv_rows(&out("all.csv"));
    assert_eq!(all.len(), 31, "a header and 30 rows");
    let (code, said) =
        cli(&db, &["export", "ranking", "--scope", "3301", "-o", out("d.csv").to_str().unwrap()]);
    assert_eq!(code, 0, "{said}");
    assert_eq!(csv_rows(&out("d.csv")), all, "one district's top 30 is all of it here");

    // More places than 30, and global options after the subcommand.
    let (code, said) = cli(
        &db,
        &["export", "ranking", "--places", "1200", "-o", out("more.csv").to_str().unwrap(), "--lang", "en"],
    );
    assert_eq!(code, 0, "{said}");
    assert!(said.contains("Exported 1,200 rows"), "{said}");
    let more = csv_rows(&out("more.csv"));
    assert_eq!(more[0][0], "Rank", "English headers: {:?}", more[0]);
    let ranks: Vec<String> = more[1..].iter().map(|r| r[0].clone()).collect();
    assert_eq!(ranks, (1..=1200).map(|n| n.to_string()).collect::<Vec<_>>());

    // One fund, typed with Thai digits.
    let (code, said) =
        cli(&db, &["export", "ranking", "--scope", "๓๓๐๑๐๑๐๑", "-o", out("f.csv").to_str().unwrap()]);
    assert_eq!(code, 0, "{said}");
    let fund = csv_rows(&out("f.csv"));
    assert!(fund.len() > 1 && fund[1..].iter().all(|r| r[3] == "33010101"), "{fund:?}");

    // What names nothing is refused, in Thai and English, and writes nothing.
    let no = out("no.csv");
    let no = no.to_str().unwrap();
    for (args, th, en) in [
        (vec!["--scope", "9999"], "ไม่พบอำเภอ", "No district, subdistrict or fund 9999"),
        (vec!["--scope", "amphoe"], "ไม่รู้จักขอบเขต", "Not a scope: \"amphoe\""),
    ] {
        let mut a = vec!["export", "ranking"];
        a.extend(args);
        a.extend(["-o", no]);
        let (code, said) = cli(&db, &a);
        assert_eq!(code, 2, "{said}");
        assert!(said.contains(th) && said.contains(en), "{said}");
        assert!(!out("no.csv").exists());
    }
    let (code, said) = cli(&db, &["export", "funds", "--places", "5", "-o", no]);
    assert_eq!(code, 2, "{said}");
    assert!(said.contains("export ranking only"), "{said}");
}

/// Issue 19: files written before the terminology pass — the stage column
/// headed ระยะ, the stages named เป้าหมาย, ได้รับการพัฒนา, พึ่งตนเองได้, ต้นแบบ —
/// still import, each to the stage it always meant.
#[test]
fn files_with_the_old_stage_header_and_names_still_import() {
    use sammachip::domain::occupation::Stage;
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(Store::open(&dir.path().join("s")).unwrap());
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/examples");
    for kind in ORDER.iter().take_while(|k| **k != Kind::Occupations) {
        let file = dir.path().join(format!("{}.csv", kind.name()));
        std::fs::copy(examples.join(format!("{}.csv", kind.name())), &file).unwrap();
        run_import(&store, *kind, &file, false);
    }
    let file = dir.path().join("occupations.csv");
    std::fs::write(
        &file,
        "เลขประจำตัวประชาชน,รหัสอาชีพ,ปีที่เริ่ม,สถานะ,ระยะ\n\
         3330199001211,1,2550,ดำเนินการอยู่,ได้รับการพัฒนา\n\
         3330199001229,12,2548,ดำเนินการอยู่,เป้าหมาย\n\
         3330199001237,10,2549,ดำเนินการอยู่,พึ่งตนเองได้\n",
    )
    .unwrap();
    let s = run_import(&store, Kind::Occupations, &file, false);
    assert!(s.rejects.is_empty(), "{:?}", s.rejects);
    let mut stages: Vec<(u16, Stage)> =
        store.all::<OccupationRecord>().unwrap().iter().map(|r| (r.category, r.stage)).collect();
    stages.sort();
    assert_eq!(stages, vec![(1, Stage::Coached), (10, Stage::SelfDriving), (12, Stage::Target)]);
    // And the new names, under the new header.
    let file = dir.path().join("more.csv");
    std::fs::write(
        &file,
        "เลขประจำตัวประชาชน,รหัสอาชีพ,ปีที่เริ่ม,สถานะ,ขั้น\n3330199001237,4,2560,ดำเนินการอยู่,ครัวเรือนต้นแบบ\n",
    )
    .unwrap();
    let s = run_import(&store, Kind::Occupations, &file, false);
    assert!(s.rejects.is_empty(), "{:?}", s.rejects);
    assert!(
        store.all::<OccupationRecord>().unwrap().iter().any(|r| r.category == 4 && r.stage == Stage::Model)
    );
}

/// Issue 19: official printed documents use Thai digits. `--thai-digits`
/// writes every digit as ๐–๙ (a CSV as text; an `.xlsx` keeps numbers as
/// numbers), and such files import back unchanged.
#[test]
fn exports_in_thai_digits_read_back_unchanged() {
    use sammachip::io::export::{Options as How, export_with};
    let f = Fixture::new(Lang::Th);
    for ext in ["csv", "xlsx"] {
        let dir = tempfile::tempdir().unwrap();
        let empty = Arc::new(Store::open(&dir.path().join("new")).unwrap());
        let how = How { thai_digits: true, ..How::default() };
        for kind in [Kind::Geography, Kind::Funds, Kind::Capital, Kind::Members] {
            let file = dir.path().join(format!("{}.{ext}", kind.name()));
            let n = export_with(&f.store, kind, &file, Lang::Th, how).unwrap();
            if ext == "csv" {
                let text = std::fs::read_to_string(&file).unwrap();
                let rows: String = text.lines().skip(1).collect();
                assert!(
                    !rows.chars().any(|c| c.is_ascii_digit()),
                    "{kind:?}: {}",
                    &rows[..200.min(rows.len())]
                );
                assert!(rows.contains('๐') || rows.contains('๑'), "{kind:?}");
            }
            let s = run_import(&empty, kind, &file, false);
            assert!(s.rejects.is_empty(), "{kind:?} {ext}: {:?}", &s.rejects[..s.rejects.len().min(3)]);
            assert_eq!(s.imported, n);
        }
        assert_same(&funds_of(&empty), &funds_of(&f.store), "funds");
        let members = |s: &Store| {
            members_of(s)
                .into_iter()
                .map(|(c, mut m)| {
                    m.loans.clear();
                    (c, m)
                })
                .collect::<Vec<_>>()
        };
        assert_same(&members(&empty), &members(&f.store), "members");
    }
}

/// A gazetteer file of Thai names only (no English column, or blank cells)
/// corrects the Thai names and keeps the English names and postal codes the
/// store has: it used to wipe them. A place whose parent is neither in the
/// store nor in the file is refused, with the row.
#[test]
fn a_geography_file_of_thai_names_keeps_the_english_and_refuses_orphans() {
    let f = common::Fixture::new(Lang::Th);
    let dir = tempfile::tempdir().unwrap();
    let before: std::collections::HashMap<u32, sammachip::domain::geo::Place> =
        f.store.places().unwrap().into_iter().map(|p| (p.code, p)).collect();
    let district = before.get(&3301).unwrap().clone();
    assert!(!district.name_en.is_empty() && !district.postal.is_empty(), "{district:?}");
    let sub = before.keys().copied().find(|c| *c / 100 == 3301 && *c > 9999).unwrap();
    for (name, text) in [
        ("thai_only.csv", format!("code,name_th\n3301,{}ใหม่\n{sub},ตำบลใหม่\n", district.name_th)),
        (
            "blank_cells.csv",
            format!("code,name_th,name_en,postal_code\n3301,{}ใหม่,,\n{sub},ตำบลใหม่, ,\n", district.name_th),
        ),
    ] {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        let s = run_import(&f.store, Kind::Geography, &path, false);
        assert_eq!((s.imported, s.refused), (2, 0), "{name}: {:?}", s.rejects);
        let now: std::collections::HashMap<u32, sammachip::domain::geo::Place> =
            f.store.places().unwrap().into_iter().map(|p| (p.code, p)).collect();
        let d = &now[&3301];
        assert_eq!(d.name_th, format!("{}ใหม่", district.name_th), "{name}");
        assert_eq!((&d.name_en, &d.postal), (&district.name_en, &district.postal), "{name}");
        assert_eq!((&now[&sub].name_en, &now[&sub].postal), (&before[&sub].name_en, &before[&sub].postal));
    }
    // A village of a province the store does not have, and a district
    // whose province comes in the same file.
    let path = dir.path().join("orphans.csv");
    std::fs::write(&path, "code,name_th\n98010101,บ้านลอย\n34,อุบลราชธานี\n3401,เมืองอุบล\n").unwrap();
    let s = run_import(&f.store, Kind::Geography, &path, false);
    assert_eq!((s.imported, s.refused), (0, 1), "{:?}", s.rejects);
    assert_eq!(s.rejects[0].row, 2, "{:?}", s.rejects);
    std::fs::write(&path, "code,name_th\n34,อุบลราชธานี\n3401,เมืองอุบล\n").unwrap();
    let s = run_import(&f.store, Kind::Geography, &path, false);
    assert_eq!((s.imported, s.refused), (2, 0), "{:?}", s.rejects);
}

/// A repayments or capital file imported twice recorded the money twice:
/// members' balances read too low, a fund's capital doubled. A payment
/// (loan, day, amounts) or capital event (fund, kind, day, amount) the store
/// already has is refused with the reason; an exported file imported back
/// refuses every row.
#[test]
fn a_payment_or_capital_event_already_recorded_is_refused() {
    let f = common::Fixture::new(Lang::En);
    let dir = tempfile::tempdir().unwrap();
    for kind in [Kind::Repayments, Kind::Capital] {
        let path = dir.path().join(format!("{}.csv", kind.name()));
        export(&f.store, kind, &path, Lang::En).unwrap();
        let rows = std::fs::read_to_string(&path).unwrap().lines().count() - 1;
        assert!(rows > 10, "{kind:?}: {rows}");
        let s = run_import(&f.store, kind, &path, true);
        assert_eq!((s.read, s.refused), (rows, rows), "{kind:?}");
        // Each refused as recorded already (a fund's initial allocation as
        // the one it already has).
        let said = |r: &sammachip::io::import::Reject| r.reason.render(Lang::En);
        let other: Vec<String> = s
            .rejects
            .iter()
            .map(said)
            .filter(|m| !m.contains("lready recorded") && !m.contains("already has an initial"))
            .take(3)
            .collect();
        assert!(other.is_empty(), "{kind:?}: {other:?}");
    }
    // Two identical new rows in one file: the second is refused.
    let (loan, date) = {
        let mut found = None;
        f.store
            .for_each_prefix::<Member>(&[], |m| {
                for l in &m.loans {
                    if found.is_none()
                        && l.payoff(None).0 >= sammachip::domain::Money::baht(200)
                        && l.start < f.app.today
                    {
                        found = Some(l.id);
                    }
                }
            })
            .unwrap();
        (found.unwrap(), sammachip::domain::thai::format_date(f.app.today, Lang::Th))
    };
    // Two alike in one file may both be real (two instalments paid on one
    // day): both go in. The same file again: both refused.
    let path = dir.path().join("twice.csv");
    std::fs::write(
        &path,
        format!("loan_id,date,principal,interest,penalty\n{loan},{date},100,0,0\n{loan},{date},100,0,0\n"),
    )
    .unwrap();
    let s = run_import(&f.store, Kind::Repayments, &path, false);
    assert_eq!((s.imported, s.refused), (2, 0), "{:?}", s.rejects);
    let s = run_import(&f.store, Kind::Repayments, &path, false);
    assert_eq!((s.imported, s.refused), (0, 2), "{:?}", s.rejects);
}
