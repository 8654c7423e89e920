//! The whole programme: the Overview's figures against hand counts and
//! against the records themselves, briefings and coverage, support, OTOP,
//! stage history, the Overview's way into each list, and snapshots.

mod common;

use std::{collections::HashMap, sync::Arc};

use common::Fixture;
use crossterm::event::KeyCode;
use sammachip::{
    app::{App, Ctx, Tab, action::NetView, overview::Step, ranking::Scope},
    domain::{
        Date, Lang, Money,
        fund::{CapitalEvent, CapitalKind, Fund},
        geo::Place,
        loan::{Loan, LoanStatus, Portfolio, Repayment, RepaymentMode},
        member::{Member, MemberStatus},
        occupation::{Annual, OccupationRecord, OccupationStatus, Stage, StageChange},
        programme::{
            NetworkCommittee, OtopCategory, OtopProduct, Producer, SupportActivity, SupportKind,
            SupportLevel, SupportScope,
        },
        sage::{Assignment, AssignmentStatus, Sage, SageStatus},
        thai::NationalId,
    },
    store::Store,
};

fn day(y: i32, m: u8, d: u8) -> Date {
    Date::from_ymd(y, m, d).unwrap()
}

fn nid(n: u64) -> NationalId {
    let mut d = [0u8; 12];
    let mut n = 110_000_000_000 + n;
    for x in d.iter_mut().rev() {
        *x = (n % 10) as u8;
        n /= 10;
    }
    NationalId::from_first12(&d).unwrap()
}

fn place(code: u32, name: &str) -> Place {
    Place { code, name_th: name.into(), name_en: name.into(), postal: String::new() }
}

fn loan(id: u64, baht: i64, start: Date, months: u16, repaid_baht: i64) -> Loan {
    Loan {
        id,
        principal: Money::baht(baht),
        rate_bp: 0,
        start,
        term_months: months,
        mode: RepaymentMode::Monthly,
        purpose: 1,
        guarantors: Vec::new(),
        status: LoanStatus::Open,
        repayments: if repaid_baht > 0 {
            vec![Repayment {
                date: start.add_days(10),
                principal: Money::baht(repaid_baht),
                interest: Money::ZERO,
                penalty: Money::ZERO,
            }]
        } else {
            Vec::new()
        },
    }
}

fn member(n: u64, fund: u64, loans: Vec<Loan>) -> Member {
    Member {
        id: 0,
        version: 0,
        fund_id: fund,
        national_id: nid(n),
        title: "นาย".into(),
        given_name: format!("สมาชิก{n}"),
        family_name: "ทดสอบ".into(),
        birth_date: None,
        household_no: String::new(),
        phone: String::new(),
        joined: None,
        status: MemberStatus::Active,
        loans,
    }
}

fn record(m: &Member, district: u16, stage: Stage, status: OccupationStatus) -> OccupationRecord {
    let history = Stage::ALL
        .iter()
        .take_while(|s| **s <= stage)
        .map(|s| StageChange { stage: *s, date: day(2025, 1, 1), note: String::new() })
        .collect();
    OccupationRecord {
        id: 0,
        version: 0,
        fund_id: m.fund_id,
        member_id: m.id,
        member_name: m.full_name(),
        district,
        category: 1,
        description: String::new(),
        start_year: 2020,
        loan_ids: Vec::new(),
        before: Annual::default(),
        after: Annual::default(),
        status,
        stage,
        stage_history: history,
        instalments: Vec::new(),
    }
}

/// Two districts: A (3301) with funds a1, a2; B (3302) with fund b1.
/// Everything below is counted by hand in the test.
fn small_store(dir: &std::path::Path) -> (Arc<Store>, HashMap<&'static str, u64>) {
    let store = Arc::new(Store::open(&dir.join("s")).unwrap());
    store
        .put_places(
            "t",
            &[
                place(33, "ศรีสะเกษ"),
                place(3301, "อำเภอเอ"),
                place(3302, "อำเภอบี"),
                place(330101, "ตำบลหนึ่ง"),
                place(330201, "ตำบลสอง"),
            ],
        )
        .unwrap();
    let mut ids = HashMap::new();
    let fund = |code: &str, capital: &[(CapitalKind, i64)]| Fund {
        code: code.into(),
        name: format!("กองทุน{code}"),
        capital: capital
            .iter()
            .enumerate()
            .map(|(i, (kind, baht))| CapitalEvent {
                seq: i as u32 + 1,
                kind: *kind,
                date: day(2010, 1, 1),
                amount: Money::baht(*baht),
                note: String::new(),
            })
            .collect(),
        ..Default::default()
    };
    let a1 = store
        .save("t", &fund("33010101", &[(CapitalKind::Initial, 1_000_000), (CapitalKind::Pracharat, 500_000)]))
        .unwrap();
    let a2 = store.save("t", &fund("33010102", &[(CapitalKind::Initial, 1_000_000)])).unwrap();
    let b1 = store
        .save("t", &fund("33020101", &[(CapitalKind::Initial, 1_000_000), (CapitalKind::Increase1, 100_000)]))
        .unwrap();
    ids.insert("a1", a1.id);
    ids.insert("a2", a2.id);
    ids.insert("b1", b1.id);
    // Loans as of 2026-09-30 (12 monthly instalments of 1,000 baht each):
    // m1: from 2026-01-01, 2,000 repaid: oldest unpaid due 2026-04-01 → late > 30 days: at risk 10,000.
    // m2: from 2026-08-01, nothing repaid: first due 2026-09-01 → 29 days late: not at risk, 12,000 open.
    // m3 (district B): from 2025-01-01, all 12,000 repaid: closed.
    let m1 = store.save("t", &member(1, a1.id, vec![loan(1, 12_000, day(2026, 1, 1), 12, 2_000)])).unwrap();
    let m2 = store.save("t", &member(2, a2.id, vec![loan(2, 12_000, day(2026, 8, 1), 12, 0)])).unwrap();
    let m3 = store.save("t", &member(3, b1.id, vec![loan(3, 12_000, day(2025, 1, 1), 12, 12_000)])).unwrap();
    let m4 = store.save("t", &member(4, b1.id, vec![])).unwrap();
    // Occupations: A has 3 (coached, self-driving, target-stopped); B has 2 (model, OTOP).
    let r1 = store.save("t", &record(&m1, 3301, Stage::Coached, OccupationStatus::Active)).unwrap();
    store.save("t", &record(&m2, 3301, Stage::SelfDriving, OccupationStatus::Active)).unwrap();
    store.save("t", &record(&m1, 3301, Stage::Target, OccupationStatus::Stopped)).unwrap();
    store.save("t", &record(&m3, 3302, Stage::Model, OccupationStatus::Active)).unwrap();
    let r5 = store.save("t", &record(&m4, 3302, Stage::Otop, OccupationStatus::Active)).unwrap();
    // A sage coaching r1 (A), plus a finished coaching that no longer counts.
    let sage = store
        .save(
            "t",
            &Sage {
                id: 0,
                version: 0,
                title: "นาง".into(),
                given_name: "ปราชญ์".into(),
                family_name: "ทดสอบ".into(),
                national_id: nid(99),
                phone: String::new(),
                home_village: 33_010_101,
                expertise: vec![1],
                capacity: 5,
                status: SageStatus::Active,
            },
        )
        .unwrap();
    let coach = |r: &OccupationRecord, status| Assignment {
        id: 0,
        version: 0,
        sage_id: sage.id,
        occupation: (r.fund_id, r.member_id, r.id),
        household: r.member_name.clone(),
        district: r.district,
        start: day(2026, 5, 1),
        end: None,
        status,
        visits: Vec::new(),
    };
    store.save("t", &coach(&r1, AssignmentStatus::Active)).unwrap();
    store.save("t", &coach(&r5, AssignmentStatus::Done)).unwrap();
    // Support: two in A, one in B.
    let support = |district, scope| SupportActivity {
        id: 0,
        version: 0,
        level: SupportLevel::District,
        date: day(2026, 6, 1),
        scope,
        district,
        label: String::new(),
        kind: SupportKind::Training,
        note: "อบรม".into(),
    };
    store.save("t", &support(3301, SupportScope::District(3301))).unwrap();
    store.save("t", &support(3301, SupportScope::Fund(a2.id))).unwrap();
    store.save("t", &support(3302, SupportScope::Fund(b1.id))).unwrap();
    // OTOP: one in B.
    store
        .save(
            "t",
            &OtopProduct {
                id: 0,
                version: 0,
                producer: Producer::Household((r5.fund_id, r5.member_id, r5.id)),
                producer_name: r5.member_name.clone(),
                district: 3302,
                name: "ผ้าไหม".into(),
                category: OtopCategory::Textiles,
                stars: 4,
                rating_year: 2025,
            },
        )
        .unwrap();
    (store, ids)
}

fn app_on(store: &Arc<Store>, lang: Lang) -> App {
    let mut app = App::new(store, "tester", lang, (80, 24));
    app.today = day(2026, 9, 30);
    app.as_of = app.today;
    app.finish_loading();
    // Read the figures again as of the test's "today".
    app.update(sammachip::app::Action::GoTab(2), store);
    app.update(sammachip::app::Action::GoTab(1), store);
    app
}

#[test]
fn every_overview_figure_matches_a_hand_count() {
    let dir = tempfile::tempdir().unwrap();
    let (store, ids) = small_store(dir.path());
    let mut app = app_on(&store, Lang::Th);
    assert_eq!(app.tab, Tab::Overview, "the app opens on the Overview");
    // Every district got its committee; brief one fund of A.
    let committees = store.all::<NetworkCommittee>().unwrap();
    assert_eq!(committees.iter().map(|c| c.district).collect::<Vec<_>>(), vec![3301, 3302]);
    let mut a = committees[0].clone();
    a.briefings.push(sammachip::domain::programme::Briefing {
        date: day(2026, 2, 1),
        place: "อำเภอ".into(),
        funds: vec![ids["a1"]],
        note: String::new(),
    });
    store.save("t", &a).unwrap();
    app.update(sammachip::app::Action::Tick, &store);

    let ov = &app.overview;
    let row = |d: u16| ov.rows.iter().find(|r| r.district == d).unwrap().clone();
    let (ra, rb) = (row(3301), row(3302));
    let figures = |r: &sammachip::app::overview::DistrictRow| Step::ALL.map(|s| r.figure(s));
    // briefed, occupations, selected, with sage, self-driving, support, models, OTOP
    assert_eq!(figures(&ra), [1, 3, 2, 1, 1, 2, 0, 0]);
    assert_eq!(figures(&rb), [0, 2, 2, 0, 2, 1, 2, 1]);
    assert_eq!(figures(&ov.total), [1, 5, 4, 1, 3, 3, 2, 1]);
    assert_eq!((ra.funds, rb.funds, ra.members, rb.members), (2, 1, 2, 2));
    assert_eq!((ra.whole(Step::Briefed), ra.whole(Step::Selected)), (Some(2), Some(2)));
    // Capital by kind.
    assert_eq!(ra.capital[0], Money::baht(2_000_000).0);
    assert_eq!(ra.capital[4], Money::baht(500_000).0);
    assert_eq!(rb.capital[1], Money::baht(100_000).0);
    // Loans: A owes 10,000 + 12,000, of which 10,000 is more than 30 days late.
    assert_eq!((ra.open, ra.at_risk), (Money::baht(22_000).0, Money::baht(10_000).0));
    assert_eq!(ra.par30_bp(), 4_545);
    assert_eq!((rb.open, rb.at_risk), (0, 0));
    // Thirty days later m2's loan is late too.
    app.today = day(2026, 10, 30);
    store.save("t", &store.all::<Fund>().unwrap()[0]).unwrap(); // any save: figures are read again
    app.update(sammachip::app::Action::Tick, &store);
    let ra = app.overview.rows[0].clone();
    assert_eq!(ra.at_risk, Money::baht(22_000).0, "{ra:?}");
    let screen = common::screen_of(&app);
    assert!(screen.contains("อำเภอเอ") && screen.contains("รวมทั้งจังหวัด"), "{screen}");
}

#[test]
fn the_district_figures_follow_the_records_through_changes() {
    // On the demo district: the aggregates kept in each save equal a count
    // over every record, before and after changes made through the app.
    let mut f = Fixture::new(Lang::En);
    let check = |f: &Fixture| {
        let stats = f.store.all_district_stats().unwrap();
        let mut want: HashMap<u16, [i64; 8]> = HashMap::new();
        for r in f.store.all::<OccupationRecord>().unwrap() {
            let e = want.entry(r.district).or_default();
            e[0] += 1;
            e[1] += i64::from(r.status == OccupationStatus::Active);
            e[2] += i64::from(r.stage >= Stage::Coached);
            e[3] += i64::from(r.stage >= Stage::SelfDriving);
            e[4] += i64::from(r.stage >= Stage::Model);
        }
        for a in f.store.all::<Assignment>().unwrap() {
            want.entry(a.district).or_default()[5] += i64::from(a.status.takes_a_place());
        }
        for s in f.store.all::<SupportActivity>().unwrap() {
            want.entry(s.district).or_default()[6] += 1;
        }
        for p in f.store.all::<OtopProduct>().unwrap() {
            want.entry(p.district).or_default()[7] += 1;
        }
        for (d, w) in want {
            let s = stats.get(&d).copied().unwrap_or_default();
            let got = [
                s.occupations,
                s.active,
                s.selected,
                s.self_driving,
                s.models,
                s.with_sage,
                s.support,
                s.otop_products,
            ];
            assert_eq!(got, w, "district {d}");
        }
        // PAR30 against the loan books, as of the demo day.
        let mut p = Portfolio::default();
        for m in f.store.all::<Member>().unwrap() {
            for l in &m.loans {
                p.add(l, common::demo_day());
            }
        }
        let total = &f.app.overview.total;
        assert_eq!((total.open, total.at_risk), (p.outstanding.0, p.at_risk_30.0));
    };
    f.press(KeyCode::Char('1'));
    check(&f);
    // A stage change, a plan of sages accepted, a support activity deleted.
    let r = f
        .store
        .all::<OccupationRecord>()
        .unwrap()
        .into_iter()
        .find(|r| r.stage == Stage::Coached && r.status == OccupationStatus::Active)
        .unwrap();
    f.press(KeyCode::Char('3'));
    f.app.open_occ_detail(&f.store, &sammachip::store::occupation_key(r.fund_id, r.member_id, r.id));
    f.press(KeyCode::Char('t'));
    assert_eq!(f.app.ctx(), Ctx::Form);
    f.press(KeyCode::Tab);
    f.press(KeyCode::Tab);
    f.type_str("ขายได้ต่อเนื่อง");
    f.ctrl('s');
    assert!(f.app.form.is_none());
    f.press(KeyCode::Char('5'));
    f.press(KeyCode::Char('P'));
    f.press(KeyCode::Enter);
    f.press(KeyCode::Char('a'));
    f.press(KeyCode::Char('6'));
    f.press(KeyCode::Char('v'));
    f.press(KeyCode::Char('d'));
    f.press(KeyCode::Char('y'));
    f.press(KeyCode::Char('1'));
    check(&f);
    // And once more after taking the deletion back.
    f.press(KeyCode::Char('6'));
    f.press(KeyCode::Char('u'));
    f.press(KeyCode::Char('1'));
    check(&f);
}

#[test]
fn stage_history_is_kept_and_stays_in_order() {
    let mut f = Fixture::new(Lang::Th);
    let r = f
        .store
        .all::<OccupationRecord>()
        .unwrap()
        .into_iter()
        .find(|r| r.stage == Stage::Coached && r.status == OccupationStatus::Active)
        .unwrap();
    let before = r.stage_history.clone();
    let key = sammachip::store::occupation_key(r.fund_id, r.member_id, r.id);
    f.press(KeyCode::Char('3'));
    f.app.open_occ_detail(&f.store, &key);
    // Self-driving (the next stage is offered), dated and explained.
    f.press(KeyCode::Char('t'));
    f.press(KeyCode::Tab);
    f.ctrl('u');
    f.type_str("1/9/2569");
    f.press(KeyCode::Tab);
    f.type_str("มีรายได้สม่ำเสมอ");
    f.ctrl('s');
    assert!(f.app.form.is_none(), "{:?}", f.app.form);
    // A change dated before the last one is refused.
    f.press(KeyCode::Char('t'));
    f.press(KeyCode::Tab);
    f.ctrl('u');
    f.type_str("1/1/2560");
    f.press(KeyCode::Tab);
    f.type_str("ย้อนหลัง");
    f.ctrl('s');
    assert!(f.app.form.as_ref().unwrap().fields[1].error.is_some());
    f.press(KeyCode::Esc);
    f.press(KeyCode::Char('y'));
    // Model, the next day.
    f.press(KeyCode::Char('t'));
    f.press(KeyCode::Tab);
    f.ctrl('u');
    f.type_str("2/9/2569");
    f.press(KeyCode::Tab);
    f.type_str("เป็นแบบอย่างให้เพื่อนบ้าน");
    f.ctrl('s');
    let now = f.store.get_at::<OccupationRecord>(&key).unwrap().unwrap();
    assert_eq!(now.stage, Stage::Model);
    assert_eq!(&now.stage_history[..before.len()], &before[..], "older entries are never rewritten");
    let added: Vec<(Stage, Date, &str)> =
        now.stage_history[before.len()..].iter().map(|c| (c.stage, c.date, c.note.as_str())).collect();
    assert_eq!(
        added,
        vec![
            (Stage::SelfDriving, day(2026, 9, 1), "มีรายได้สม่ำเสมอ"),
            (Stage::Model, day(2026, 9, 2), "เป็นแบบอย่างให้เพื่อนบ้าน")
        ]
    );
    // Undo takes the last change back, and only it.
    f.press(KeyCode::Char('u'));
    let now = f.store.get_at::<OccupationRecord>(&key).unwrap().unwrap();
    assert_eq!(now.stage, Stage::SelfDriving);
    assert_eq!(now.stage_history.len(), before.len() + 1);
}

#[test]
fn briefings_count_each_fund_once_toward_coverage() {
    let mut f = Fixture::new(Lang::En);
    f.press(KeyCode::Char('6'));
    assert_eq!(f.app.ctx(), Ctx::Network);
    let c = f.app.network.committees[0].clone();
    let funds: Vec<String> =
        f.app.funds.rows.iter().filter(|r| r.district == c.district).map(|r| r.code.to_string()).collect();
    let unbriefed: Vec<&String> = {
        let briefed = c.briefed();
        funds
            .iter()
            .filter(|code| f.app.funds.rows.iter().any(|r| *r.code == ***code && !briefed.contains(&r.id)))
            .collect()
    };
    assert!(unbriefed.len() >= 2);
    f.press(KeyCode::Enter);
    assert_eq!(f.app.ctx(), Ctx::Committee);
    f.press(KeyCode::Char('n'));
    f.press(KeyCode::Tab);
    f.type_str("ศาลาประชาคม");
    f.press(KeyCode::Tab);
    // Two new funds, one of them twice, and one already briefed: coverage grows by two.
    let already = f.app.funds.code_of(*c.briefed().iter().next().unwrap()).unwrap();
    f.type_str(&format!("{}, {}, {}, {already}", unbriefed[0], unbriefed[1], unbriefed[0]));
    f.ctrl('s');
    assert!(f.app.form.is_none(), "{:?}", f.app.form);
    let now = f.store.get::<NetworkCommittee>(c.id).unwrap().unwrap();
    assert_eq!(now.briefings.len(), c.briefings.len() + 1);
    assert_eq!(now.briefed().len(), c.briefed().len() + 2);
    // A code from another district is refused, beside the field.
    f.press(KeyCode::Char('n'));
    f.press(KeyCode::Tab);
    f.type_str("ที่ว่าการอำเภอ");
    f.press(KeyCode::Tab);
    f.type_str("34010101");
    f.ctrl('s');
    assert!(f.app.form.as_ref().unwrap().fields[2].error.is_some());
    // Issue 18: with a wrong date and no place too, every problem shows at
    // once, each beside its field, in the officer's language.
    f.press(KeyCode::Up);
    f.press(KeyCode::Up);
    f.ctrl('u');
    f.type_str("31/2/2569");
    f.press(KeyCode::Tab);
    f.ctrl('u');
    f.ctrl('s');
    let form = f.app.form.as_ref().unwrap();
    let errors: Vec<(usize, String)> = form
        .fields
        .iter()
        .enumerate()
        .filter_map(|(i, x)| x.error.as_ref().map(|e| (i, e.render(Lang::En))))
        .collect();
    assert_eq!(errors.iter().map(|e| e.0).collect::<Vec<_>>(), vec![0, 1, 2], "{errors:?}");
    assert!(errors[0].1.contains("no such day") && errors[2].1.contains("34010101"), "{errors:?}");
    assert!(form.fields[0].error.as_ref().unwrap().render(Lang::Th).contains("ไม่มีวันที่นี้"));
    assert_eq!(form.focus, 0);
    f.press(KeyCode::Esc);
    f.press(KeyCode::Char('y'));
    // "*" briefs the whole district: 100%.
    f.press(KeyCode::Char('n'));
    f.press(KeyCode::Tab);
    f.type_str("ที่ว่าการอำเภอ");
    f.press(KeyCode::Tab);
    f.type_str("*");
    f.ctrl('s');
    let now = f.store.get::<NetworkCommittee>(c.id).unwrap().unwrap();
    assert_eq!(now.coverage_bp(funds.len()), 10_000);
    f.press(KeyCode::Char('1'));
    assert_eq!(f.app.overview.rows[0].figure(Step::Briefed), funds.len() as i64);
    // Undo brings the coverage back.
    f.press(KeyCode::Char('6'));
    f.press(KeyCode::Char('u'));
    let now = f.store.get::<NetworkCommittee>(c.id).unwrap().unwrap();
    assert_eq!(now.briefed().len(), c.briefed().len() + 2);
}

#[test]
fn support_and_otop_are_logged_by_code_or_national_id() {
    let mut f = Fixture::new(Lang::Th);
    let m = f.store.all::<Member>().unwrap().into_iter().find(|m| {
        !f.store
            .scan_prefix::<OccupationRecord>(&sammachip::store::member_key(m.fund_id, m.id))
            .unwrap()
            .is_empty()
    });
    let m = m.unwrap();
    f.press(KeyCode::Char('6'));
    f.press(KeyCode::Char('v'));
    assert_eq!(f.app.network.view, NetView::Support);
    let before = f.store.count::<SupportActivity>().unwrap();
    f.press(KeyCode::Char('n'));
    f.press(KeyCode::Tab);
    f.press(KeyCode::Tab);
    f.type_str(&m.national_id.grouped());
    f.press(KeyCode::Tab);
    f.press(KeyCode::Right); // Visit
    f.press(KeyCode::Tab);
    f.type_str("ติดตามผลการเลี้ยงไก่");
    f.ctrl('s');
    assert!(f.app.form.is_none(), "{:?}", f.app.form);
    assert_eq!(f.store.count::<SupportActivity>().unwrap(), before + 1);
    let s = f.store.all::<SupportActivity>().unwrap().into_iter().max_by_key(|s| s.id).unwrap();
    assert!(
        matches!(s.scope, SupportScope::Household((fund, member, _)) if fund == m.fund_id && member == m.id)
    );
    assert_eq!((s.kind, s.label.clone()), (SupportKind::Visit, m.full_name()));
    // A scope that is nothing known is refused.
    f.press(KeyCode::Char('n'));
    f.press(KeyCode::Tab);
    f.press(KeyCode::Tab);
    f.type_str("12345");
    f.press(KeyCode::Tab);
    f.press(KeyCode::Tab);
    f.type_str("x");
    f.ctrl('s');
    assert!(f.app.form.as_ref().unwrap().fields[2].error.is_some());
    f.press(KeyCode::Esc);
    f.press(KeyCode::Char('y'));

    // An OTOP product of a village group.
    f.press(KeyCode::Char('v'));
    assert_eq!(f.app.network.view, NetView::Otop);
    let fund = f.app.funds.rows[0].clone();
    f.press(KeyCode::Char('n'));
    f.type_str("น้ำพริกแกง");
    f.press(KeyCode::Tab);
    f.press(KeyCode::Tab);
    f.type_str(&format!("{}: กลุ่มแม่บ้านเกษตรกร", fund.code));
    f.press(KeyCode::Tab);
    f.type_str("6");
    f.ctrl('s');
    assert!(f.app.form.as_ref().unwrap().fields[3].error.is_some(), "six stars refused");
    f.ctrl('u');
    f.type_str("๔");
    f.ctrl('s');
    assert!(f.app.form.is_none(), "{:?}", f.app.form);
    let p = f.store.all::<OtopProduct>().unwrap().into_iter().max_by_key(|p| p.id).unwrap();
    assert_eq!((p.name.as_str(), p.stars, p.district), ("น้ำพริกแกง", 4, fund.district));
    assert_eq!(
        p.producer,
        Producer::Group {
            fund: fund.id, name: "กลุ่มแม่บ้านเกษตรกร".into()
        }
    );
}

// Issue 18: an OTOP product was accepted from a target-stage household.
#[test]
fn an_otop_producer_is_a_model_household_or_later_or_a_group() {
    let mut f = Fixture::new(Lang::En);
    let records = f.store.all::<OccupationRecord>().unwrap();
    let nid = |r: &OccupationRecord| {
        f.store
            .get_at::<Member>(&sammachip::store::member_key(r.fund_id, r.member_id))
            .unwrap()
            .unwrap()
            .national_id
            .grouped()
    };
    let target = records.iter().find(|r| r.stage == Stage::Target).unwrap();
    let model = records.iter().find(|r| r.stage >= Stage::Model).unwrap();
    let (target_nid, model_nid) = (nid(target), nid(model));
    f.press(KeyCode::Char('6'));
    f.press(KeyCode::Char('v'));
    f.press(KeyCode::Char('v'));
    assert_eq!(f.app.network.view, NetView::Otop);
    let before = f.store.count::<OtopProduct>().unwrap();
    f.press(KeyCode::Char('n'));
    f.type_str("ผ้าไหมลายลูกแก้ว");
    f.press(KeyCode::Tab);
    f.press(KeyCode::Tab);
    f.type_str(&target_nid);
    f.press(KeyCode::Tab);
    f.type_str("4");
    f.ctrl('s');
    let screen = f.screen();
    assert!(screen.contains("not yet a model household"), "{screen}");
    assert_eq!(f.store.count::<OtopProduct>().unwrap(), before);
    // The model household is accepted (the focus is on the field in error).
    assert_eq!(f.app.form.as_ref().map(|x| x.focus), Some(2));
    f.ctrl('u');
    f.type_str(&model_nid);
    f.ctrl('s');
    assert!(f.app.form.is_none(), "{:?}", f.app.form.as_ref().map(|x| &x.fields));
    let p = f.store.all::<OtopProduct>().unwrap().into_iter().max_by_key(|p| p.id).unwrap();
    assert_eq!(p.producer, Producer::Household((model.fund_id, model.member_id, model.id)));
}

#[test]
fn enter_on_a_figure_opens_its_list_filtered_to_the_district() {
    let mut f = Fixture::new(Lang::En);
    f.press(KeyCode::Char('1'));
    let d = f.app.overview.rows[0].district;
    let figure = |f: &Fixture, s| f.app.overview.rows[0].figure(s);
    // Self-driving: the Occupations tab, this district, that stage or later, as many as the figure.
    let want = figure(&f, Step::SelfDriving);
    for _ in 0..4 {
        f.press(KeyCode::Right);
    }
    f.press(KeyCode::Enter);
    assert_eq!(f.app.tab, Tab::Occupations);
    assert_eq!((f.app.occ.select.district, f.app.occ.select.stage), (Some(d), Some(Stage::SelfDriving)));
    assert_eq!(f.app.occ.view.len() as i64, want);
    // Selected: the Ranking's selected households of the district.
    f.press(KeyCode::Char('1'));
    f.press(KeyCode::Left);
    f.press(KeyCode::Left);
    f.press(KeyCode::Enter);
    assert_eq!(f.app.tab, Tab::Ranking);
    assert_eq!((f.app.rank.scope, f.app.rank.selected_view), (Scope::District(d), true));
    // Support: the Network tab's support list, filtered.
    f.press(KeyCode::Char('1'));
    assert_eq!((f.app.tab, f.app.overview.col), (Tab::Overview, 2));
    for _ in 0..3 {
        f.press(KeyCode::Right);
    }
    assert_eq!(f.app.overview.col, 5);
    let want = figure(&f, Step::Support);
    f.press(KeyCode::Enter);
    assert_eq!(
        (f.app.tab, f.app.network.view, f.app.network.district),
        (Tab::Network, NetView::Support, Some(d))
    );
    assert_eq!(f.app.network.len() as i64, want);
    // Briefed: the district's committee.
    f.press(KeyCode::Char('1'));
    f.press(KeyCode::Home);
    while f.app.overview.col != 0 {
        f.press(KeyCode::Left);
    }
    f.press(KeyCode::Enter);
    assert_eq!(f.app.ctx(), Ctx::Committee);
    assert_eq!(f.app.network.committee().map(|c| c.district), Some(d));
}

#[test]
fn snapshots_of_the_overview_and_network_at_80x24() {
    for (lang, name) in [(Lang::Th, "thai"), (Lang::En, "english")] {
        let mut f = Fixture::new(lang);
        f.press(KeyCode::Char('1'));
        insta::assert_snapshot!(format!("overview_{name}_80x24"), f.screen());
        f.press(KeyCode::Char('6'));
        insta::assert_snapshot!(format!("network_committees_{name}_80x24"), f.screen());
        f.press(KeyCode::Enter);
        insta::assert_snapshot!(format!("network_committee_{name}_80x24"), f.screen());
        f.press(KeyCode::Esc);
        f.press(KeyCode::Char('v'));
        insta::assert_snapshot!(format!("network_support_{name}_80x24"), f.screen());
        f.press(KeyCode::Char('v'));
        insta::assert_snapshot!(format!("network_otop_{name}_80x24"), f.screen());
    }
}

/// A store of more than one province (a region's, the nation's) calls its
/// whole "ทุกจังหวัด / All provinces", not "ทั้งจังหวัด / Whole province":
/// the Overview's title and total, and the Ranking tab's scope.
#[test]
fn a_store_of_many_provinces_calls_its_whole_all_provinces() {
    use sammachip::app::Action;
    let dir = tempfile::tempdir().unwrap();
    let (store, _) = small_store(dir.path());
    let mut app = app_on(&store, Lang::Th);
    let screen = common::screen_of(&app);
    assert!(screen.contains("ภาพรวมจังหวัด") && screen.contains("รวมทั้งจังหวัด"), "{screen}");
    app.update(Action::GoTab(4), &store);
    assert!(common::screen_of(&app).contains("ทั้งจังหวัด"), "{}", common::screen_of(&app));

    store.put_places("t", &[place(34, "อุบลราชธานี"), place(3401, "อำเภอซี")]).unwrap();
    app.update(Action::GoTab(1), &store);
    let screen = common::screen_of(&app);
    assert!(screen.contains("ภาพรวมทุกจังหวัด") && screen.contains("รวมทุกจังหวัด"), "{screen}");
    assert!(!screen.contains("ทั้งจังหวัด"), "{screen}");
    app.update(Action::GoTab(4), &store);
    let screen = common::screen_of(&app);
    assert!(screen.contains("ทุกจังหวัด") && !screen.contains("ทั้งจังหวัด"), "{screen}");
    app.update(Action::ToggleLang, &store);
    app.update(Action::GoTab(1), &store);
    let screen = common::screen_of(&app);
    assert!(screen.contains("Overview, all provinces") && screen.contains("All provinces"), "{screen}");
    assert!(!screen.contains("Whole province"), "{screen}");
}

/// Bangkok is a special administrative area, not a จังหวัด: a Bangkok
/// store's Overview, its total and the Ranking tab's scope say
/// "กรุงเทพมหานคร / Bangkok", never "จังหวัด / province" (the report's
/// title already did).
#[test]
fn a_bangkok_store_is_not_called_a_province() {
    use sammachip::app::Action;
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(Store::open(&dir.path().join("s")).unwrap());
    store.put_places("t", &[place(10, "กรุงเทพมหานคร"), place(1001, "เขตพระนคร")]).unwrap();
    let mut app = app_on(&store, Lang::Th);
    let screen = common::screen_of(&app);
    assert!(screen.contains("ภาพรวมกรุงเทพมหานคร") && screen.contains("รวมทั้งกรุงเทพมหานคร"), "{screen}");
    assert!(!screen.contains("จังหวัด"), "{screen}");
    app.update(Action::GoTab(4), &store);
    let screen = common::screen_of(&app);
    assert!(screen.contains("ทั้งกรุงเทพมหานคร") && !screen.contains("จังหวัด"), "{screen}");
    app.update(Action::ToggleLang, &store);
    app.update(Action::GoTab(1), &store);
    let screen = common::screen_of(&app);
    assert!(screen.contains("Bangkok overview") && screen.contains("All of Bangkok"), "{screen}");
    assert!(!screen.to_lowercase().contains("province"), "{screen}");
}
