//! The demo generator over a gazetteer (the nation-scale data set's places).

mod common;

use std::path::{Path, PathBuf};

use sammachip::{
    demo::{self, DemoError, Land, Scale},
    domain::{fund::Fund, member::Member},
    store::Store,
};

/// A gazetteer of two provinces: Si Sa Ket with one district of three
/// subdistricts and one district with none, and Ubon with one district. One
/// subdistrict belongs to no listed district.
fn small_gazetteer(dir: &Path) {
    std::fs::write(
        dir.join("provinces.csv"),
        "province_code,name_th,name_en\n33,ศรีสะเกษ,Si Sa Ket\n34,อุบลราชธานี,Ubon Ratchathani\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("districts.csv"),
        "district_code,province_code,name_th,name_en,postal_code\n\
         3305,33,ขุขันธ์,Khukhan,33140\n3306,33,ไพรบึง,Phrai Bueng,33180\n3401,34,เมืองอุบลราชธานี,Mueang Ubon Ratchathani,34000\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("subdistricts.csv"),
        "subdistrict_code,district_code,province_code,name_th,name_en,postal_code\n\
         330503,3305,33,ห้วยเหนือ,Huai Nuea,33140\n330501,3305,33,ห้วยใต้,Huai Tai,33140\n\
         330502,3305,33,หนองฉลอง,Nong Chalong,33140\n340101,3401,34,ในเมือง,Nai Mueang,34000\n\
         349901,3499,34,ไม่มีอำเภอ,No District,34000\n",
    )
    .unwrap();
}

#[test]
fn a_gazetteer_gives_provinces_districts_and_their_real_subdistricts() {
    let dir = tempfile::tempdir().unwrap();
    small_gazetteer(dir.path());
    let land = Land::read(dir.path()).unwrap();
    type Shape = Vec<(u32, Vec<(u32, Vec<u32>)>)>;
    let shape: Shape = land
        .provinces
        .iter()
        .map(|(p, d)| {
            (p.code, d.iter().map(|d| (d.place.code, d.named.iter().map(|s| s.code).collect())).collect())
        })
        .collect();
    // The district without subdistricts and the orphan subdistrict are left
    // out; subdistricts come in code order.
    assert_eq!(
        shape,
        vec![(33, vec![(3305, vec![330501, 330502, 330503])]), (34, vec![(3401, vec![340101])])]
    );
    assert_eq!((land.districts(), land.subdistricts()), (2, 4));
    let huai_tai = &land.provinces[0].1[0].named[0];
    assert_eq!(
        (huai_tai.name_th.as_str(), huai_tai.name_en.as_str(), huai_tai.postal.as_str()),
        ("ห้วยใต้", "Huai Tai", "33140")
    );
}

#[test]
fn a_bad_gazetteer_names_the_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    small_gazetteer(dir.path());
    std::fs::write(
        dir.path().join("districts.csv"),
        "district_code,province_code,name_th,name_en,postal_code\n3305,33,ขุขันธ์,Khukhan,33140\n33x6,33,ไพรบึง,,\n",
    )
    .unwrap();
    let e = Land::read(dir.path()).unwrap_err().to_string();
    assert!(e.contains("districts.csv") && e.contains("line 3") && e.contains("4 digits"), "{e}");

    small_gazetteer(dir.path());
    std::fs::remove_file(dir.path().join("subdistricts.csv")).unwrap();
    let e = Land::read(dir.path()).unwrap_err().to_string();
    assert!(e.contains("subdistricts.csv"), "{e}");

    let empty = tempfile::tempdir().unwrap();
    for f in ["provinces.csv", "districts.csv", "subdistricts.csv"] {
        std::fs::write(empty.path().join(f), "code,name_th,name_en\n").unwrap();
    }
    assert!(matches!(Land::read(empty.path()), Err(DemoError::Gazetteer { .. })));
}

#[test]
fn the_district_demo_on_a_gazetteer_uses_its_real_places() {
    let dir = tempfile::tempdir().unwrap();
    small_gazetteer(dir.path());
    let land = Land::read(dir.path()).unwrap();
    let db = tempfile::tempdir().unwrap();
    let store = Store::open(db.path()).unwrap();
    let s =
        demo::generate_in(&store, "demo", Scale::District, &land, 7, common::demo_day(), &|_| {}).unwrap();
    assert_eq!(s.funds, 120);

    // The first district of the first province, its three real subdistricts,
    // 40 villages in each.
    let places = store.places().unwrap();
    let subs: Vec<(u32, String)> = places
        .iter()
        .filter(|p| (100_000..1_000_000).contains(&p.code))
        .map(|p| (p.code, p.name_th.clone()))
        .collect();
    assert_eq!(
        subs,
        vec![(330501, "ห้วยใต้".to_string()), (330502, "หนองฉลอง".into()), (330503, "ห้วยเหนือ".into())]
    );
    assert!(places.iter().any(|p| p.code == 3305 && p.name_th == "ขุขันธ์"));
    assert!(!places.iter().any(|p| p.code == 34 || p.code == 3401));
    let mut funds = Vec::new();
    store.for_each_prefix::<Fund>(&[], |f| funds.push(f)).unwrap();
    assert_eq!(funds.len(), 120);
    for sub in [330501, 330502, 330503] {
        assert_eq!(funds.iter().filter(|f| f.subdistrict() == sub).count(), 40, "{sub}");
    }

    // National IDs carry the district of registration: 3305.
    let mut ids = Vec::new();
    store.for_each_prefix::<Member>(&[], |m| ids.push(m.national_id.to_string())).unwrap();
    assert_eq!(ids.len(), s.members);
    let digits = |id: &String| id.chars().filter(char::is_ascii_digit).skip(1).take(4).collect::<String>();
    assert!(ids.iter().all(|id| digits(id) == "3305"), "{:?}", ids.first());
}

#[test]
fn the_nation_scale_needs_a_gazetteer_and_room_for_its_funds() {
    let db = tempfile::tempdir().unwrap();
    let store = Store::open(db.path()).unwrap();
    let day = common::demo_day();
    assert!(matches!(
        demo::generate(&store, "demo", Scale::Nation, 7, day, &|_| {}),
        Err(DemoError::NeedsGazetteer)
    ));
    // Si Sa Ket's 206 subdistricts hold at most 20,394 villages, not 79,600.
    assert!(matches!(
        demo::generate_in(&store, "demo", Scale::Nation, &Land::sisaket(), 7, day, &|_| {}),
        Err(DemoError::LandTooSmall { funds: 79_600, subdistricts: 206 })
    ));
    assert!(store.is_empty().unwrap(), "nothing written");
}

/// The real gazetteer beside the repository (`shared/data/thai-geography`), or
/// `SAMMACHIP_GEOGRAPHY`. A checkout without it skips this test, saying so.
fn real_gazetteer() -> Option<PathBuf> {
    let dir = std::env::var_os("SAMMACHIP_GEOGRAPHY")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/thai-geography"));
    dir.join("subdistricts.csv").exists().then_some(dir)
}

#[test]
fn the_real_gazetteer_holds_the_country_and_room_for_the_nation_set() {
    let Some(dir) = real_gazetteer() else {
        eprintln!("skipped: no gazetteer at ../shared/data/thai-geography (set SAMMACHIP_GEOGRAPHY)");
        return;
    };
    let land = Land::read(&dir).unwrap();
    assert_eq!(land.provinces.len(), 77);
    assert!(land.provinces.iter().any(|(p, d)| p.code == 33 && d.len() == 22), "Si Sa Ket's 22 districts");
    assert!(land.districts() >= 900, "{}", land.districts());
    assert!(land.subdistricts() >= 7_000, "{}", land.subdistricts());
    assert!(Scale::Nation.funds() <= land.subdistricts() * 99);
}

/// Issue 18: the demo taught the wrong picture (every record a right
/// livelihood, a thousand households coached per district, funds lending
/// more than they had, coaching done without visits, members joining as
/// children, funds set up in January 2544). The district demo, checked
/// against the programme's own rules.
#[test]
fn the_demo_follows_the_programmes_rules() {
    use sammachip::domain::{
        Date,
        fund::{CapitalKind, Lending},
        occupation::{OccupationRecord, OccupationStatus, Stage, Verdict},
        programme::{OtopProduct, Producer},
        sage::{Assignment, AssignmentStatus, Sage},
    };
    use std::collections::HashMap;
    let store = Store::open(common::template()).unwrap();
    let funds = store.all::<Fund>().unwrap();
    let members = store.all::<Member>().unwrap();
    let records = store.all::<OccupationRecord>().unwrap();
    // 15–30 % of the records are not yet a right livelihood.
    let not_yet = records.iter().filter(|r| r.verdict() == Verdict::NotYet).count();
    let share = not_yet * 100 / records.len();
    assert!((15..=30).contains(&share), "{share}% not yet");
    // 20–30 households selected per district, a few models, stages in order.
    let mut selected: HashMap<u16, usize> = HashMap::new();
    for r in &records {
        *selected.entry(r.district).or_default() += usize::from(r.stage.is_selected());
        let stages: Vec<Stage> = r.stage_history.iter().map(|c| c.stage).collect();
        let expected: Vec<Stage> = Stage::ALL.into_iter().filter(|s| *s <= r.stage).collect();
        assert_eq!(stages, expected, "stages in order, none skipped");
        assert!(r.stage_history.windows(2).all(|w| w[0].date <= w[1].date));
    }
    assert!(selected.values().all(|n| (20..=30).contains(n)), "{selected:?}");
    assert!(records.iter().any(|r| r.stage >= Stage::Model));
    assert!(records.iter().any(|r| r.stage.is_selected() && r.status == OccupationStatus::Stopped));
    // Funds from the middle of 2544, capital after establishment.
    let mid_2544 = Date::from_ymd(2001, 6, 1).unwrap();
    for f in &funds {
        let est = f.established.unwrap();
        assert!(est >= mid_2544, "{} established {est:?}", f.code);
        assert!(f.capital.iter().all(|e| e.date >= est), "{}", f.code);
    }
    // Members at least 15 when they join, loans after joining.
    for m in &members {
        let (Some(b), Some(j)) = (m.birth_date, m.joined) else { continue };
        assert!(j.years_since(b) >= 15, "member {} born {b:?} joined {j:?}", m.id);
        assert!(m.loans.iter().all(|l| l.start >= j), "member {}", m.id);
    }
    // Each fund lends within what it has, on the day of every loan.
    let by_fund: HashMap<u64, &Fund> = funds.iter().map(|f| (f.id, f)).collect();
    let mut loans: HashMap<u64, Vec<&sammachip::domain::loan::Loan>> = HashMap::new();
    for m in &members {
        loans.entry(m.fund_id).or_default().extend(&m.loans);
    }
    for (fund, book) in &loans {
        let f = by_fund[fund];
        for day in book.iter().map(|l| l.start) {
            let capital: i64 = f
                .capital
                .iter()
                .filter(|e| e.kind != CapitalKind::Pracharat && e.date <= day)
                .map(|e| e.amount.0)
                .sum();
            let mut cash = capital;
            for l in book.iter().filter(|l| l.start <= day) {
                cash -= l.principal.0;
                for r in l.repayments.iter().filter(|r| r.date <= day) {
                    cash += r.principal.0 + r.interest.0 + r.penalty.0;
                }
            }
            assert!(cash >= 0, "fund {} overdrawn by {} satang on {day:?}", f.code, -cash);
        }
        let now = Lending::of(f, book.iter().copied());
        assert!(now.available().0 >= 0, "fund {}", f.code);
        assert_eq!(Some(now), sammachip::service::lending::of_fund(&store, *fund).unwrap());
    }
    // Coaching done only with visits; sages of the household's district.
    let sages: HashMap<u64, Sage> = store.all::<Sage>().unwrap().into_iter().map(|s| (s.id, s)).collect();
    let assignments = store.all::<Assignment>().unwrap();
    assert!(!assignments.is_empty());
    for a in &assignments {
        if a.status == AssignmentStatus::Done {
            assert!(!a.visits.is_empty(), "assignment {} done without visits", a.id);
        }
        assert_eq!(sages[&a.sage_id].district(), a.district, "assignment {}", a.id);
    }
    // OTOP products of households come from model households or later.
    let stage: HashMap<(u64, u64, u64), Stage> =
        records.iter().map(|r| ((r.fund_id, r.member_id, r.id), r.stage)).collect();
    for p in store.all::<OtopProduct>().unwrap() {
        if let Producer::Household(key) = p.producer {
            assert!(stage[&key].may_produce_otop(), "{}", p.name);
        }
    }
}
