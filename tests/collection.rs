//! Collection day (issue 22, item 2) on a hand-checked loan: what is due,
//! the payment typed on the screen split interest first, saved as one change
//! set that `u` takes back; and the same sheet as `.xlsx`, filled and
//! imported back.

mod common;

use std::sync::Arc;

use calamine::{Data, Reader, Xlsx};
use common::Fixture;
use crossterm::event::KeyCode;
use sammachip::{
    domain::{
        Date, Lang, Money,
        loan::{Loan, LoanStatus, RepaymentMode},
        member::Member,
    },
    io::{Kind, import},
    service::collection,
    store::{Actor, Store, member_key},
};

const LOAN: u64 = 9_000_001;

/// 12,000 baht at 12 % a year, 12 monthly instalments from 30 Jun 2026: by
/// 30 Sep 2026 three have fallen due — principal 3 × 1,000; interest on the
/// falling balance 120 + 110 + 100 = 330 (by hand).
fn hand_checked(store: &Arc<Store>, fund_id: u64) -> Member {
    let mut m = store.scan_prefix::<Member>(&fund_id.to_be_bytes()).unwrap().remove(0);
    m.loans = vec![Loan {
        id: LOAN,
        principal: Money::baht(12_000),
        rate_bp: 1200,
        start: Date::from_ymd(2026, 6, 30).unwrap(),
        term_months: 12,
        mode: RepaymentMode::Monthly,
        purpose: 1,
        guarantors: vec![],
        status: LoanStatus::Open,
        repayments: vec![],
    }];
    store.save(Actor::from("admin"), &m).unwrap()
}

fn loan_of(store: &Store, m: &Member) -> Loan {
    let m = store.get_at::<Member>(&member_key(m.fund_id, m.id)).unwrap().unwrap();
    m.loans.into_iter().find(|l| l.id == LOAN).unwrap()
}

#[test]
fn a_collection_on_screen_records_each_payment_and_undo_takes_it_all_back() {
    let mut f = Fixture::new(Lang::Th);
    let fund = f.app.funds.rows[0].clone();
    let m = hand_checked(&f.store, fund.id);
    let day = common::demo_day();
    let dues = collection::dues(&f.store, fund.id, day).unwrap();
    let ours = dues.iter().position(|d| d.loan_id == LOAN).expect("the loan is due");
    assert_eq!((dues[ours].principal, dues[ours].interest), (Money::baht(3_000), Money::baht(330)));

    // The fund's screen, then `c`: collection day.
    f.press(KeyCode::Char('2'));
    f.press(KeyCode::Enter);
    f.press(KeyCode::Char('c'));
    let screen = f.screen();
    assert!(screen.contains("วันรับชำระเงินกู้") && screen.contains("3,000.00"), "{screen}");
    let n = f.app.collection.as_ref().unwrap().rows.len();
    assert_eq!(n, dues.len());
    for _ in 0..ours {
        f.press(KeyCode::Down);
    }
    f.type_str("2000");
    f.press(KeyCode::Enter);
    // The next line paid in full with Enter alone, and the one after with `0`.
    if ours + 1 < n {
        f.press(KeyCode::Enter);
    }
    if ours + 2 < n {
        f.type_str("0");
        f.press(KeyCode::Enter);
    }
    let s = f.app.collection.as_ref().unwrap().summary();
    let full_next = dues.get(ours + 1).map_or(0, |d| d.total().0);
    assert_eq!(s.collected.0, Money::baht(2_000).0 + full_next);
    let owed: i64 = dues.iter().map(|d| d.total().0).sum();
    assert_eq!(s.still_due.0, owed - s.collected.0);
    f.ctrl('s');
    assert!(f.screen().contains(&s.collected.format()), "the summary before saving: {}", f.screen());
    f.press(KeyCode::Char('y'));
    assert!(f.app.collection.is_none(), "{}", f.screen());

    // Interest first: 330 of the 2,000, the rest to principal.
    let loan = loan_of(&f.store, &m);
    assert_eq!(loan.repayments.len(), 1);
    let r = &loan.repayments[0];
    assert_eq!((r.date, r.principal, r.interest), (day, Money::baht(1_670), Money::baht(330)));
    let left = collection::dues(&f.store, fund.id, day).unwrap();
    let still = left.iter().find(|d| d.loan_id == LOAN).unwrap();
    assert_eq!((still.principal, still.interest), (Money::baht(1_330), Money::ZERO));

    // `u` takes the whole collection back.
    f.press(KeyCode::Char('u'));
    assert!(loan_of(&f.store, &m).repayments.is_empty(), "{}", f.screen());
    assert_eq!(collection::dues(&f.store, fund.id, day).unwrap(), dues);
}

#[test]
fn the_collection_sheet_filled_and_imported_records_the_payments() {
    let f = Fixture::new(Lang::Th);
    let fund = f.app.funds.rows[0].clone();
    let m = hand_checked(&f.store, fund.id);
    let day = common::demo_day();
    let dir = tempfile::tempdir().unwrap();
    let sheet = dir.path().join("collection.xlsx");
    let n = sammachip::io::collection::write_sheet(&f.store, &fund.code, day, &sheet, Lang::Th).unwrap();
    assert_eq!(n, collection::dues(&f.store, fund.id, day).unwrap().len());

    // The committee fills our loan's line at the meeting (Thai digits and
    // all) and leaves the others empty.
    let mut book: Xlsx<_> = calamine::open_workbook(&sheet).unwrap();
    let name = book.sheet_names()[0].clone();
    let rows: Vec<Vec<Data>> = book.worksheet_range(&name).unwrap().rows().map(|r| r.to_vec()).collect();
    let header: Vec<String> = rows[0].iter().map(|c| c.to_string()).collect();
    assert_eq!(header, sammachip::io::collection::headers(Lang::Th));
    let mut out = rust_xlsxwriter::Workbook::new();
    let ws = out.add_worksheet();
    for (c, h) in header.iter().enumerate() {
        ws.write(0, c as u16, h.as_str()).unwrap();
    }
    let mut ours = 0;
    for (i, row) in rows.iter().enumerate().skip(1) {
        for (c, cell) in row.iter().enumerate() {
            let text = match cell {
                Data::Float(x) => x.to_string(),
                other => other.to_string(),
            };
            ws.write(i as u32, c as u16, text).unwrap();
        }
        if row[0].to_string() == LOAN.to_string() {
            ours = i;
            assert_eq!(row[4], Data::Float(3_330.0), "due in all");
            ws.write(i as u32, 6, "๑,๖๗๐").unwrap();
            ws.write(i as u32, 7, "330").unwrap();
        }
    }
    assert!(ours > 0);
    let filled = dir.path().join("filled.xlsx");
    out.save(&filled).unwrap();
    let o = import::Options {
        kind: Kind::Repayments,
        path: &filled,
        sheet: None,
        dry_run: false,
        officer: "admin",
        today: day,
        access: sammachip::domain::officer::Access::Admin,
        rejects_dir: None,
        change: None,
    };
    let s = import::import(&f.store, &o, &|_, _| {}).unwrap();
    assert_eq!((s.refused, s.imported), (0, rows.len() - 1), "{:?}", s.rejects);
    let loan = loan_of(&f.store, &m);
    assert_eq!(loan.repayments.len(), 1);
    assert_eq!(
        (loan.repayments[0].principal, loan.repayments[0].interest),
        (Money::baht(1_670), Money::baht(330))
    );
}
