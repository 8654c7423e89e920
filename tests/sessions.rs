//! The sessions of one server share one copy of what every session reads
//! alike (the funds, the sages, the gazetteer, the Overview's figures): a
//! login reuses it, a save by one session is seen by all, and a committee's
//! session still reads only its own district.

mod common;

use std::{
    sync::{Arc, RwLock},
    time::Duration,
};

use common::{Fixture, demo_day};
use sammachip::{
    app::{Action, App, Common, occupations::Shown},
    domain::{
        Lang, Money,
        fund::{CapitalEvent, CapitalKind, Fund},
        officer::Access,
    },
    service::catalog::Catalog,
    store::{Actor, Store},
};

/// The district demo, served: the fixture's own app (a session of its own,
/// on the Overview) and what the SSH server shares between its sessions,
/// made as it makes it.
struct Served {
    f: Fixture,
    store: Arc<Store>,
    lists: Arc<Common>,
    cat: Arc<RwLock<Catalog>>,
}

impl Served {
    fn new() -> Served {
        let mut f = Fixture::new(Lang::Th);
        f.app.update(Action::GoTab(1), &f.store);
        let store = Arc::clone(&f.store);
        let server = sammachip::ssh::Shared::new(Arc::clone(&store), 10, Duration::from_secs(600)).unwrap();
        let (lists, cat) = (Arc::clone(&server.common), Arc::clone(&server.catalog));
        Served { f, store, lists, cat }
    }

    /// A session as the server opens one, for its officer's account.
    fn login(&self, login: &str, access: Access) -> App {
        let (store, cat, lists) = (&self.store, &self.cat, &self.lists);
        App::with_catalog(store, login, access, Lang::Th, (80, 24), Arc::clone(cat), Arc::clone(lists))
    }

    /// A session on the demo's day, on the Overview.
    fn session(&self, login: &str, access: Access) -> App {
        let mut app = self.login(login, access);
        app.today = demo_day();
        app.as_of = demo_day();
        app.update(Action::GoTab(1), &self.store);
        app
    }
}

#[test]
fn sessions_of_one_server_share_one_copy_and_see_each_others_saves() {
    let sv = Served::new();
    let store = Arc::clone(&sv.store);
    let mut a = sv.session("a", Access::Province);
    let mut b = sv.session("b", Access::Admin);
    let funds = store.all::<Fund>().unwrap();
    assert_eq!(a.funds.rows.len(), funds.len());
    assert!(Arc::ptr_eq(&a.funds.rows, &b.funds.rows), "one funds list for both sessions");
    assert!(Arc::ptr_eq(&a.geo, &b.geo), "one gazetteer");
    assert!(!a.sages.rows.is_empty());
    assert!(Arc::ptr_eq(&a.sages.rows, &b.sages.rows), "one list of sages");
    assert!(!a.network.support.is_empty());
    assert!(Arc::ptr_eq(&a.network.support, &b.network.support), "one support log");
    assert!(Arc::ptr_eq(&a.network.committees, &b.network.committees), "one list of committees");
    // The Overview's figures: the same as a session that reads its own.
    assert_eq!((&a.overview.rows, &a.overview.total), (&b.overview.rows, &b.overview.total));
    assert_eq!((&a.overview.rows, &a.overview.total), (&sv.f.app.overview.rows, &sv.f.app.overview.total));

    // A network committee reads its own district only, in a list of its own
    // (the district demo has one district: another district's committee
    // reads nothing of it).
    let district = funds[0].district();
    let mut c = sv.session("c", Access::Network(district));
    let theirs = funds.iter().filter(|x| x.district() == district).count();
    assert_eq!(c.funds.rows.len(), theirs);
    assert!(!Arc::ptr_eq(&c.funds.rows, &a.funds.rows));
    assert!(c.funds.rows.iter().all(|r| r.district == district));
    assert!(c.sages.rows.iter().all(|r| r.sage.district() == district));
    assert!(c.network.support.iter().all(|x| x.district == district));
    assert!(!Arc::ptr_eq(&c.network.support, &a.network.support));
    let other = sv.session("other", Access::Network(district + 1));
    assert_eq!((other.funds.rows.len(), other.sages.rows.len(), other.network.support.len()), (0, 0, 0));
    assert_eq!(other.overview.total.funds, 0);
    assert!(Arc::ptr_eq(&a.funds.rows, &b.funds.rows), "the committees' lists left the shared one alone");

    // The Occupations list of every record: the catalog's order itself, one
    // copy for both; every live record once. A committee's is its own.
    for app in [&mut a, &mut b, &mut c] {
        app.update(Action::GoTab(3), &store);
    }
    match (&a.occ.view, &b.occ.view) {
        (Shown::Shared(x), Shown::Shared(y)) => assert!(Arc::ptr_eq(x, y)),
        _ => panic!("the whole list is copied"),
    }
    let mut rows = a.occ.view.to_vec();
    rows.sort_unstable();
    let live: Vec<u32> = {
        let cat = sv.cat.read().unwrap();
        (0..cat.rows.len() as u32).filter(|i| !cat.rows[*i as usize].deleted).collect()
    };
    assert_eq!((rows, a.occ.view.len()), (live, a.occ.total));
    assert!(!c.occ.view.is_shared());

    // A save by one session (its own change of a fund's name) reaches the
    // others at their next tick, and they share one list again.
    let mut fund = funds.iter().find(|x| x.district() == district).unwrap().clone();
    fund.name = "กองทุนหมู่บ้านทดสอบร่วม".into();
    store.save(Actor::from("a"), &fund).unwrap();
    for app in [&mut a, &mut b, &mut c] {
        app.update(Action::Tick, &store);
    }
    for app in [&a, &b, &c] {
        let row = app.funds.rows.iter().find(|r| r.id == fund.id).unwrap();
        assert_eq!(&*row.name, fund.name, "{}", app.officer);
    }
    assert!(Arc::ptr_eq(&a.funds.rows, &b.funds.rows), "shared again after the save");
    // The list kept is the new one: a login now reads the new name too.
    let d = sv.session("d", Access::Province);
    assert!(Arc::ptr_eq(&d.funds.rows, &a.funds.rows));
}

#[test]
fn a_change_of_figures_reaches_every_sessions_overview_alike() {
    let mut sv = Served::new();
    let store = Arc::clone(&sv.store);
    let mut a = sv.session("a", Access::Province);
    let mut b = sv.session("b", Access::Province);
    let before = a.overview.total.clone();
    // A fund's capital grows by 100,000 baht: the province's lending too.
    let mut fund = store.all::<Fund>().unwrap().into_iter().next().unwrap();
    let seq = fund.capital.iter().map(|c| c.seq).max().unwrap_or(0) + 1;
    fund.capital.push(CapitalEvent {
        seq,
        kind: CapitalKind::Increase1,
        date: demo_day(),
        amount: Money(10_000_000),
        note: String::new(),
    });
    store.save(Actor::from("b"), &fund).unwrap();
    for app in [&mut a, &mut b, &mut sv.f.app] {
        app.update(Action::Tick, &store);
    }
    assert_eq!(a.overview.total.lending, before.lending + 10_000_000);
    assert_eq!((&a.overview.rows, &a.overview.total), (&b.overview.rows, &b.overview.total));
    assert_eq!((&a.overview.rows, &a.overview.total), (&sv.f.app.overview.rows, &sv.f.app.overview.total));
}

/// A committee's first screen, the Overview, shows its own district only,
/// and so does an account narrowed to a committee while its session is
/// open (an administrator's change): its figures are read for the account,
/// not kept from before (when the session could read every district).
#[test]
fn a_committees_first_overview_is_its_own_district_only() {
    let sv = Served::new();
    let district = sv.store.all::<Fund>().unwrap()[0].district();
    let theirs = sv.login("c", Access::Network(district));
    assert!(!theirs.overview.rows.is_empty());
    assert!(theirs.overview.rows.iter().all(|r| r.district == district));
    assert!(!Arc::ptr_eq(&theirs.funds.rows, &sv.lists.funds(&sv.store).unwrap()));
    let mut other = sv.login("c", Access::Admin);
    assert!(other.overview.rows.iter().any(|r| r.district == district));
    other.set_access(Access::Network(district + 1), &sv.store);
    assert!(other.overview.rows.iter().all(|r| r.district == district + 1), "{:?}", other.overview.rows);
    assert_eq!((other.overview.total.funds, other.overview.total.members), (0, 0));
}

/// Lists read while another session saves are never kept older than the
/// store: one thread renames a fund again and again while another reads
/// the shared funds list; once the saves stop, the list handed out holds the
/// last name (a list read during a save was kept under the generations
/// taken before it was read, so the next asker reads it again).
#[test]
fn a_list_read_during_saves_is_read_again_after_them() {
    let sv = Served::new();
    let store = Arc::clone(&sv.store);
    let mut fund = store.all::<Fund>().unwrap()[0].clone();
    let reader = {
        let (store, lists) = (Arc::clone(&store), Arc::clone(&sv.lists));
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let flag = Arc::clone(&stop);
        let t = std::thread::spawn(move || {
            let mut reads = 0;
            while !flag.load(std::sync::atomic::Ordering::Acquire) {
                lists.funds(&store).unwrap();
                reads += 1;
            }
            reads
        });
        (stop, t)
    };
    for i in 0..40 {
        fund.name = format!("กองทุนหมู่บ้านทดสอบ {i}");
        fund = store.save(Actor::from("a"), &fund).unwrap();
    }
    reader.0.store(true, std::sync::atomic::Ordering::Release);
    assert!(reader.1.join().unwrap() > 0);
    let rows = sv.lists.funds(&store).unwrap();
    let row = rows.iter().find(|r| r.id == fund.id).unwrap();
    assert_eq!(&*row.name, "กองทุนหมู่บ้านทดสอบ 39");
}

/// A member leaving a fund changes that fund's count in every session's
/// list; the rows kept are taken again with the counts read anew, and they
/// equal a list read whole.
#[test]
fn a_change_of_members_alone_reaches_the_shared_funds_list() {
    use sammachip::{
        domain::{member::Member, occupation::OccupationRecord},
        store::member_key,
    };
    let sv = Served::new();
    let store = Arc::clone(&sv.store);
    let mut a = sv.session("a", Access::Province);
    let before = Arc::clone(&a.funds.rows);
    let busy: std::collections::HashSet<u64> =
        store.all::<OccupationRecord>().unwrap().iter().map(|o| o.member_id).collect();
    let m = store.all::<Member>().unwrap().into_iter().find(|m| m.loans.is_empty() && !busy.contains(&m.id));
    let m = m.expect("a member with no loan and no occupation record");
    let count =
        |rows: &[sammachip::app::fund_row::FundRow]| rows.iter().find(|r| r.id == m.fund_id).unwrap().members;
    store.delete_at::<Member>(Actor::from("b"), &member_key(m.fund_id, m.id), m.version).unwrap();
    a.update(Action::Tick, &store);
    assert_eq!(count(&a.funds.rows), count(&before) - 1);
    assert!(!Arc::ptr_eq(&a.funds.rows, &before));
    let whole = Common::new().funds(&store).unwrap();
    assert_eq!(*a.funds.rows, *whole);
}

/// A server reads what its sessions share when it starts: the first login
/// reads no more of the store than a later one, and neither reads the
/// lists again (at the nation they took 1.2–2.1 s).
#[test]
fn the_first_login_finds_every_shared_list_read() {
    let sv = Served::new();
    let funds = sv.store.all::<Fund>().unwrap().len() as u64;
    let mut read = Vec::new();
    for login in ["first", "second"] {
        let before = sv.store.records_read();
        let app = sv.login(login, Access::Admin);
        read.push(sv.store.records_read() - before);
        assert!(!app.sages.rows.is_empty() && !app.network.committees.is_empty());
    }
    assert_eq!(read[0], read[1], "records read by the first login and by the second");
    assert!(read[0] < funds, "a login read {} records ({funds} funds)", read[0]);
}

/// What every fund's members and loans add up to, read from the records
/// themselves: (members, open principal, of it more than 30 days late on the
/// demo's day) by fund.
fn figures_from_the_records(store: &Store) -> std::collections::BTreeMap<u64, (u64, i64, i64)> {
    figures_on(store, demo_day().days())
}

/// As [`figures_from_the_records`], late as of day number `day`.
fn figures_on(store: &Store, day: i32) -> std::collections::BTreeMap<u64, (u64, i64, i64)> {
    use sammachip::{domain::member::Member, store::Record};
    let mut out = std::collections::BTreeMap::new();
    for m in store.all::<Member>().unwrap() {
        let e: &mut (u64, i64, i64) = out.entry(m.fund_id).or_default();
        e.0 += 1;
        if let Some((_, r)) = m.fund_risk() {
            e.1 += r.open;
            e.2 += r.at_risk(day);
        }
    }
    out
}

/// A member's loan changed by a save: 1,000 baht more principal on the
/// first open loan of the `nth` member who has one. Returns the fund.
fn lend_more(store: &Store, nth: usize) -> u64 {
    use sammachip::{domain::member::Member, store::Record};
    let mut m =
        store.all::<Member>().unwrap().into_iter().filter(|m| m.fund_risk().is_some()).nth(nth).unwrap();
    let loan = m.loans.iter_mut().find(|l| l.risk().is_some()).unwrap();
    loan.principal = Money(loan.principal.0 + 100_000);
    store.save(Actor::from("b"), &m).unwrap().fund_id
}

/// Cost that follows the change (issue 23): after another officer's save
/// changes a member's loan, a session's Overview and funds list are brought
/// up to date by reading again the one fund the save changed (and each
/// district's figures), not every fund (at the nation, 79,600 of them made
/// the next Overview take 0.35 s after any save). The figures equal those
/// counted from the records.
#[test]
fn a_save_reaches_the_figures_by_reading_again_only_its_fund() {
    let sv = Served::new();
    let store = Arc::clone(&sv.store);
    let mut a = sv.session("a", Access::Province);
    let funds = store.all::<Fund>().unwrap().len() as u64;
    let districts = a.overview.rows.len() as u64;
    // Each district's figures and committee, and the fund changed.
    let bound = 2 * districts + 4;
    assert!(funds > 4 * bound, "{funds} funds, {districts} districts: the test could not tell");
    let before = a.overview.total.clone();
    for nth in [0, 7, 30] {
        let fund = lend_more(&store, nth);
        let read = store.records_read();
        a.update(Action::Tick, &store);
        let read = store.records_read() - read;
        assert!(read <= bound, "the tick after one save read {read} records ({funds} funds)");
        let whole = figures_from_the_records(&store);
        let (members, open, at_risk) =
            whole.values().fold((0, 0, 0), |t, v| (t.0 + v.0, t.1 + v.1, t.2 + v.2));
        assert_eq!(
            (a.overview.total.members, a.overview.total.open, a.overview.total.at_risk),
            (members, open, at_risk)
        );
        let row = a.funds.rows.iter().find(|r| r.id == fund).unwrap();
        assert_eq!(u64::from(row.members), whole[&fund].0);
    }
    assert_eq!(a.overview.total.open, before.open + 3 * 100_000);
}

/// The loans at risk on two days are kept at once: a report written for
/// another date (the report form, `report --date`) used to drop today's
/// sums, and the next Overview read every fund's loans again (79,600 at the
/// nation). Each day kept is brought up to date by the funds changed since
/// it was read, and equals what the records give on its day.
#[test]
fn the_loans_at_risk_of_another_day_leave_todays_kept() {
    let sv = Served::new();
    let store = Arc::clone(&sv.store);
    let funds = store.all::<Fund>().unwrap().len() as u64;
    // Days nothing read before (the server's warm-up reads the real date's).
    let far = sammachip::domain::Date::today().days() - 1_000;
    let (today, other, third) = (far, far - 45, far + 60);
    let read = |day: i32| {
        let before = store.records_read();
        let figures = store.fund_risk_on(day).unwrap();
        (store.records_read() - before, figures)
    };
    let (first, _) = read(today);
    assert!(first >= funds / 2, "the first read is whole: {first} of {funds} funds");
    assert!(read(other).0 >= funds / 2);
    assert_eq!(read(today).0, 0, "today's sums were kept beside the other day's");
    assert_eq!(read(other).0, 0);
    // A save: each day kept reads again the one fund it changed.
    let fund = lend_more(&store, 5);
    for day in [today, other] {
        let (n, figures) = read(day);
        assert!(n <= 1, "{n} records read for one fund changed");
        let whole = figures_on(&store, day);
        let r = figures.get(&fund).copied().unwrap_or_default();
        assert_eq!((r.open, r.at_risk), (whole[&fund].1, whole[&fund].2));
        let open: i64 = figures.values().map(|r| r.open).sum();
        assert_eq!(open, whole.values().map(|w| w.1).sum::<i64>());
    }
    // A third day drops the day asked longest ago: `other` here, though
    // `today` was read first (kept in the order asked, not the order read).
    assert_eq!(read(today).0, 0);
    assert!(read(third).0 >= funds / 2);
    assert_eq!(read(today).0, 0);
    assert!(read(other).0 >= funds / 2);
}

/// The figures kept in memory stay true while saves and readers race: one
/// thread reads every fund's figures again and again while loans change;
/// once the saves stop, what is handed out equals the records counted.
#[test]
fn figures_read_during_saves_are_true_after_them() {
    let sv = Served::new();
    let store = Arc::clone(&sv.store);
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let reader = {
        let (store, stop) = (Arc::clone(&store), Arc::clone(&stop));
        std::thread::spawn(move || {
            let mut reads = 0;
            while !stop.load(std::sync::atomic::Ordering::Acquire) {
                store.fund_risk_on(demo_day().days()).unwrap();
                store.all_fund_stats().unwrap();
                reads += 1;
            }
            reads
        })
    };
    for nth in 0..40 {
        lend_more(&store, nth * 3);
    }
    stop.store(true, std::sync::atomic::Ordering::Release);
    assert!(reader.join().unwrap() > 0);
    let day = demo_day().days();
    let (risk, stats) = (store.fund_risk_on(day).unwrap(), store.all_fund_stats().unwrap());
    for (fund, (members, open, at_risk)) in figures_from_the_records(&store) {
        let r = risk.get(&fund).copied().unwrap_or_default();
        assert_eq!((r.open, r.at_risk), (open, at_risk), "fund {fund}");
        assert_eq!(stats[&fund].members, members as i64, "fund {fund}");
    }
}
