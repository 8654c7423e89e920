//! Deterministic, realistic demo data: Si Sa Ket's 22 real districts, synthetic
//! subdistricts and villages with plausible Thai names, and funds with the
//! capital history of the programme (DESIGN §1). The nation-scale set spreads
//! its funds over every real subdistrict of a gazetteer read from disk
//! (`Land::read`).

mod names;
mod people;
mod programme;
mod sages;

use std::{
    collections::{BTreeMap, BinaryHeap, HashMap, HashSet},
    path::Path,
};

use rand::{Rng, SeedableRng, seq::IndexedRandom};
use rand_chacha::ChaCha8Rng;

use crate::{
    domain::{
        Date, Money,
        fund::{CapitalEvent, CapitalKind, Fund, FundKind, Grade},
        geo::Place,
        member::Member,
        occupation::{OccupationRecord, Stage},
        sage::Sage,
    },
    store::{Load, SaveError, Store, StoreError, trees},
};
use people::{FundPlan, Targets};

pub const DEFAULT_SEED: u64 = 2544;

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Scale {
    /// One district: 120 funds.
    District,
    /// Si Sa Ket province: 2,669 funds in 22 districts.
    Province,
    /// The whole country: 79,600 funds over every subdistrict of a gazetteer
    /// (`sammachip demo --scale nation --geography DIR`).
    Nation,
}

impl Scale {
    /// Room on the disk the data set takes while it is written (the
    /// province's store is about 390 MB, and sled's log needs more meanwhile).
    pub fn disk_bytes(self) -> u64 {
        match self {
            Scale::District => 48 << 20,
            Scale::Province => 640 << 20,
            Scale::Nation => 16 << 30,
        }
    }

    /// Sages at DESIGN §6 scale.
    pub fn sages(self) -> usize {
        match self {
            Scale::District => 50,
            Scale::Province => 1_000,
            Scale::Nation => 30_000,
        }
    }

    pub fn funds(self) -> usize {
        match self {
            Scale::District => 120,
            Scale::Province => 2_669,
            Scale::Nation => 79_600,
        }
    }

    /// DESIGN §6: members, loans and occupation records of the data set.
    pub fn members(self) -> usize {
        match self {
            Scale::District => 20_000,
            Scale::Province => 430_000,
            Scale::Nation => 13_000_000,
        }
    }

    fn targets(self) -> Targets {
        let (loans, occupations) = match self {
            Scale::District => (50_000.0, 10_000.0),
            Scale::Province => (1_000_000.0, 200_000.0),
            Scale::Nation => (30_000_000.0, 6_000_000.0),
        };
        let members = self.members() as f64;
        // Six lending rounds; members who joined late or have not repaid skip
        // some (measured: about one in five), so aim that much higher.
        Targets {
            yearly_borrowing: (loans / members / 6.0 * 1.27).min(1.0),
            occupation_share: (occupations / members / 0.95).min(1.0),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error("the store already holds data")]
    NotEmpty,
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Save(#[from] SaveError),
    #[error("the nation-scale demo needs a gazetteer: sammachip demo --scale nation --geography DIR")]
    NeedsGazetteer,
    #[error("gazetteer {path}: {why}")]
    Gazetteer { path: String, why: String },
    #[error("{funds} funds do not fit in {subdistricts} subdistricts (at most 99 villages in each)")]
    LandTooSmall { funds: usize, subdistricts: usize },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Summary {
    pub funds: usize,
    pub places: usize,
    pub members: usize,
    pub loans: usize,
    pub occupations: usize,
    pub sages: usize,
    pub assignments: usize,
}

/// One district line of `assets/sisaket.tsv`, or one district of a gazetteer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DistrictFact {
    pub place: Place,
    pub subdistricts: u32,
    /// The real subdistricts, when a gazetteer names them; empty: the demo
    /// makes up `subdistricts` of them.
    pub named: Vec<Place>,
}

/// The provinces and districts the demo spreads its funds over.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Land {
    pub provinces: Vec<(Place, Vec<DistrictFact>)>,
}

impl Land {
    /// Si Sa Ket, from the embedded asset.
    pub fn sisaket() -> Land {
        Land { provinces: vec![sisaket()] }
    }

    /// A gazetteer directory of `provinces.csv`, `districts.csv` and
    /// `subdistricts.csv` (codes, Thai and English names, postal codes), as
    /// in `shared/data/thai-geography`.
    pub fn read(dir: &Path) -> Result<Land, DemoError> {
        let mut districts: BTreeMap<u32, DistrictFact> = read_places(&dir.join("districts.csv"), 4)?
            .into_iter()
            .map(|place| (place.code, DistrictFact { place, subdistricts: 0, named: Vec::new() }))
            .collect();
        for sub in read_places(&dir.join("subdistricts.csv"), 6)? {
            if let Some(d) = districts.get_mut(&(sub.code / 100)) {
                d.named.push(sub);
                d.subdistricts += 1;
            }
        }
        let mut provinces: BTreeMap<u32, (Place, Vec<DistrictFact>)> =
            read_places(&dir.join("provinces.csv"), 2)?
                .into_iter()
                .map(|p| (p.code, (p, Vec::new())))
                .collect();
        for mut d in districts.into_values().filter(|d| d.subdistricts > 0) {
            d.named.sort_by_key(|p| p.code);
            if let Some((_, list)) = provinces.get_mut(&(d.place.code / 100)) {
                list.push(d);
            }
        }
        let provinces: Vec<(Place, Vec<DistrictFact>)> =
            provinces.into_values().filter(|(_, d)| !d.is_empty()).collect();
        if provinces.is_empty() {
            return Err(DemoError::Gazetteer {
                path: dir.display().to_string(),
                why: "no subdistrict belongs to a listed district and province".into(),
            });
        }
        Ok(Land { provinces })
    }

    pub fn districts(&self) -> usize {
        self.provinces.iter().map(|(_, d)| d.len()).sum()
    }

    pub fn subdistricts(&self) -> usize {
        self.provinces.iter().flat_map(|(_, d)| d).map(|d| d.subdistricts as usize).sum()
    }
}

/// The places of one gazetteer file, each with its code of `digits` digits
/// (the first column): name_th, name_en and, when there, postal_code.
fn read_places(path: &Path, digits: u32) -> Result<Vec<Place>, DemoError> {
    let fail = |why: String| DemoError::Gazetteer { path: path.display().to_string(), why };
    let mut rd = csv::Reader::from_path(path).map_err(|e| fail(e.to_string()))?;
    let headers = rd.headers().map_err(|e| fail(e.to_string()))?.clone();
    let col = |name: &str| headers.iter().position(|h| h.trim() == name);
    let (Some(th), Some(en)) = (col("name_th"), col("name_en")) else {
        return Err(fail("needs the columns name_th and name_en".into()));
    };
    let postal = col("postal_code");
    let range = 10u32.pow(digits - 1)..10u32.pow(digits);
    let mut out = Vec::new();
    for (i, row) in rd.records().enumerate() {
        let row = row.map_err(|e| fail(e.to_string()))?;
        let line = i + 2;
        let code = row.get(0).and_then(|c| c.trim().parse::<u32>().ok()).filter(|c| range.contains(c));
        let Some(code) = code else {
            return Err(fail(format!("line {line}: the code must be a number of {digits} digits")));
        };
        let field = |c: Option<usize>| c.and_then(|c| row.get(c)).unwrap_or("").trim().to_string();
        let place = Place { code, name_th: field(Some(th)), name_en: field(Some(en)), postal: field(postal) };
        if place.name_th.is_empty() {
            return Err(fail(format!("line {line}: no Thai name")));
        }
        out.push(place);
    }
    Ok(out)
}

const SISAKET: &str = include_str!("../../assets/sisaket.tsv");

/// The province and its 22 districts, from the embedded asset.
pub fn sisaket() -> (Place, Vec<DistrictFact>) {
    let mut province =
        Place {
            code: 33, name_th: "ศรีสะเกษ".into(), name_en: "Si Sa Ket".into(), postal: String::new()
        };
    let mut districts = Vec::new();
    for line in SISAKET.lines().filter(|l| !l.starts_with('#') && !l.trim().is_empty()) {
        let cols: Vec<&str> = line.split('\t').collect();
        let (Some(code), Some(th), Some(en)) = (cols.first(), cols.get(1), cols.get(2)) else {
            continue;
        };
        let Ok(code) = code.parse::<u32>() else {
            continue;
        };
        let place = Place {
            code,
            name_th: th.to_string(),
            name_en: en.to_string(),
            postal: cols.get(3).unwrap_or(&"").to_string(),
        };
        if code < 100 {
            province = place;
        } else {
            let subdistricts = cols.get(4).and_then(|n| n.trim().parse().ok()).unwrap_or(1);
            districts.push(DistrictFact { place, subdistricts, named: Vec::new() });
        }
    }
    (province, districts)
}

/// Seeds a new, empty store with Si Sa Ket's districts so funds can be created.
pub fn seed_geography(store: &Store, officer: &str) -> Result<usize, StoreError> {
    let (province, districts) = sisaket();
    let mut places = vec![province];
    places.extend(districts.into_iter().map(|d| d.place));
    store.put_places(officer, &places)?;
    Ok(places.len())
}

/// A date in `year` (C.E.), between the given months.
fn date_in(rng: &mut ChaCha8Rng, year: i32, months: std::ops::RangeInclusive<u8>) -> Date {
    let m = rng.random_range(months);
    let d = rng.random_range(1..=28);
    Date::from_ymd(year, m, d).unwrap_or(Date::from_days(0))
}

/// A fund's share of the members: most funds have 80–250, a few are small and
/// a few large. The shares are scaled to the data set's member count.
fn member_weight(rng: &mut ChaCha8Rng) -> u32 {
    let base: u32 = rng.random_range(80..=250);
    match rng.random_range(0..20) {
        0 => rng.random_range(40..80),
        1 => rng.random_range(250..=450),
        _ => base,
    }
}

/// Phase 2 top-up (2552) by member count.
fn increase2_amount(members: u32) -> Money {
    Money::baht(match members {
        0..=100 => 200_000,
        101..=200 => 300_000,
        201..=300 => 400_000,
        301..=400 => 500_000,
        _ => 600_000,
    })
}

fn grade(rng: &mut ChaCha8Rng) -> Grade {
    match rng.random_range(0..100) {
        0..30 => Grade::A,
        30..60 => Grade::B,
        60..85 => Grade::C,
        85..95 => Grade::D,
        _ => Grade::Unassessed,
    }
}

fn capital_history(rng: &mut ChaCha8Rng, grade: Grade, members: u32, established: Date) -> Vec<CapitalEvent> {
    let mut events = Vec::new();
    let mut push = |kind, date, amount: Money, note: &str| {
        let seq = events.len() as u32 + 1;
        events.push(CapitalEvent { seq, kind, date, amount, note: note.to_string() });
    };
    let initial = established
        .add_days(rng.random_range(14..90))
        .min(Date::from_ymd(2001, 12, 28).unwrap_or(established));
    push(CapitalKind::Initial, initial, Money::baht(1_000_000), "");
    if grade == Grade::A {
        push(CapitalKind::Increase1, date_in(rng, 2003, 3..=9), Money::baht(100_000), "");
    }
    if matches!(grade, Grade::A | Grade::B | Grade::C) {
        push(CapitalKind::Increase2, date_in(rng, 2009, 2..=11), increase2_amount(members), "");
    }
    if matches!(grade, Grade::A | Grade::B) {
        push(CapitalKind::Increase3, date_in(rng, 2012, 4..=10), Money::baht(1_000_000), "");
    }
    push(CapitalKind::Pracharat, date_in(rng, 2016, 5..=9), Money::baht(500_000), "โครงการประชารัฐ");
    events
}

/// An occupation record on its district's short list, waiting for the
/// coaching draw, with the id it took and its fund's village.
struct Held {
    candidate: people::Candidate,
    id: u64,
    village: u32,
    record: OccupationRecord,
}

/// The worst-ranked record of a short list is the greatest: the first out.
impl Ord for Held {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.candidate.rank().cmp(&other.candidate.rank())
    }
}

impl PartialOrd for Held {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Held {
    fn eq(&self, other: &Self) -> bool {
        self.candidate.rank() == other.candidate.rank()
    }
}

impl Eq for Held {}

/// A fund before its capital history is known (that needs its member count).
struct FundSpec {
    fund: Fund,
    weight: u32,
}

/// Writes the demo data set into an empty store, as of `as_of` (repayments and
/// loans stop there). The same seed and date give the same data. `progress`
/// receives thousandths. Si Sa Ket's places; the nation scale needs a
/// gazetteer (`generate_in`).
pub fn generate(
    store: &Store,
    officer: &str,
    scale: Scale,
    seed: u64,
    as_of: Date,
    progress: &dyn Fn(u32),
) -> Result<Summary, DemoError> {
    if scale == Scale::Nation {
        return Err(DemoError::NeedsGazetteer);
    }
    generate_in(store, officer, scale, &Land::sisaket(), seed, as_of, progress)
}

/// `generate` over the provinces of `land`; the district scale takes its
/// first district.
pub fn generate_in(
    store: &Store,
    officer: &str,
    scale: Scale,
    land: &Land,
    seed: u64,
    as_of: Date,
    progress: &dyn Fn(u32),
) -> Result<Summary, DemoError> {
    if !store.is_empty()? {
        return Err(DemoError::NotEmpty);
    }
    // One load (see `store::load`): a demo cut off by a kill or a full disk
    // leaves the store as empty as it was.
    // Whether the land holds the funds is known before anything is asked of
    // the disk: the officer hears of the real problem first.
    let subdistricts = land_subdistricts(scale, land);
    if scale.funds() > subdistricts * 99 {
        return Err(DemoError::LandTooSmall { funds: scale.funds(), subdistricts });
    }
    let note = format!("demo {scale:?} seed {seed}");
    let load = store.begin_load(officer, &note, scale.disk_bytes())?;
    let summary = write_demo(&load, scale, land, seed, as_of, progress)?;
    load.commit(trees::META, (summary.funds + summary.members + summary.occupations) as u64)?;
    Ok(summary)
}

/// The subdistricts of the land a demo of this scale is spread over (the
/// district demo takes the first district of the first province).
fn land_subdistricts(scale: Scale, land: &Land) -> usize {
    let districts: Box<dyn Iterator<Item = &DistrictFact>> = match scale {
        Scale::District => Box::new(land.provinces.iter().take(1).flat_map(|(_, d)| d.iter().take(1))),
        _ => Box::new(land.provinces.iter().flat_map(|(_, d)| d.iter())),
    };
    districts.map(|f| f.subdistricts as usize).sum()
}

fn write_demo(
    load: &Load<'_>,
    scale: Scale,
    land: &Land,
    seed: u64,
    as_of: Date,
    progress: &dyn Fn(u32),
) -> Result<Summary, DemoError> {
    let store = load.store();
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let land: Vec<(&Place, Vec<&DistrictFact>)> = match scale {
        Scale::District => {
            land.provinces.iter().take(1).map(|(p, d)| (p, d.iter().take(1).collect())).collect()
        }
        _ => land.provinces.iter().map(|(p, d)| (p, d.iter().collect())).collect(),
    };
    let facts: Vec<&DistrictFact> = land.iter().flat_map(|(_, d)| d.iter().copied()).collect();
    let per_district =
        names::apportion(scale.funds(), &facts.iter().map(|f| f.subdistricts).collect::<Vec<_>>());

    let mut places = Vec::new();
    let mut specs: Vec<FundSpec> = Vec::with_capacity(scale.funds());
    let mut per_district = per_district.into_iter();
    for (province, districts) in &land {
        places.push((*province).clone());
        for fact in districts {
            let n_funds = per_district.next().unwrap_or(0);
            places.push(fact.place.clone());
            let district = fact.place.code;
            let per_sub = names::apportion(n_funds, &vec![1; fact.subdistricts as usize]);
            let mut used = HashSet::new();
            for (s, villages) in per_sub.iter().enumerate() {
                let sub = match fact.named.get(s) {
                    Some(named) => named.clone(),
                    None => {
                        let (mut th, mut en) = names::place(&mut rng);
                        while !used.insert(th.clone()) {
                            (th, en) = names::place(&mut rng);
                        }
                        Place {
                            code: district * 100 + s as u32 + 1,
                            name_th: th,
                            name_en: en,
                            postal: fact.place.postal.clone(),
                        }
                    }
                };
                let sub_code = sub.code;
                places.push(sub);
                let mut village_names = HashSet::new();
                for v in 1..=*villages as u32 {
                    let code = sub_code * 100 + v;
                    let (mut vth, mut ven) = names::place(&mut rng);
                    while !village_names.insert(vth.clone()) {
                        (vth, ven) = names::place(&mut rng);
                    }
                    // The first subdistrict of a province's capital district has
                    // a few urban community funds.
                    let urban = district % 100 == 1 && s == 0 && v > villages.saturating_sub(3) as u32;
                    places.push(Place {
                        code,
                        name_th: format!("บ้าน{vth}"),
                        name_en: format!("Ban {ven}"),
                        postal: String::new(),
                    });
                    let code_s = code.to_string();
                    let grade = grade(&mut rng);
                    let fund = Fund {
                        name: if urban {
                            format!("กองทุนชุมชนเมือง{vth}")
                        } else {
                            format!("กองทุนหมู่บ้าน{vth}")
                        },
                        kind: if urban { FundKind::Urban } else { FundKind::Village },
                        registration_no: format!("{}/{:04}", district, specs.len() + 1),
                        // The first funds were set up from the middle of 2544.
                        established: Some(date_in(&mut rng, 2001, 6..=11)),
                        grade,
                        assessed_year: (grade != Grade::Unassessed).then(|| rng.random_range(2022..=2024)),
                        ..Fund { code: code_s.clone(), ..Default::default() }
                    };
                    specs.push(FundSpec { weight: member_weight(&mut rng), fund });
                }
            }
        }
    }
    let member_counts =
        names::apportion(scale.members(), &specs.iter().map(|s| s.weight).collect::<Vec<_>>());
    let mut funds = Vec::with_capacity(specs.len());
    for (spec, members) in specs.into_iter().zip(&member_counts) {
        let mut fund = spec.fund;
        let established = fund.established.unwrap_or(as_of);
        fund.capital = capital_history(&mut rng, fund.grade, *members as u32, established);
        funds.push(fund);
    }
    progress(20);
    load.put_places(&places)?;
    let fund_ids = load.bulk_insert(funds.clone())?;
    progress(50);

    // Members, their loan books and their occupation records go out fund by
    // fund, in key order, as they are made. Which records a district selects
    // for coaching is drawn only once all are made, from the random state
    // that follows them all; so each district's short list waits, with the
    // ids its records took in turn, and is written after the draw. (Held
    // whole until then, the nation's 6 million records took 2.2 GB.)
    let targets = scale.targets();
    let mut next_loan = store.counter(trees::LOANS)?;
    let first_loan = next_loan;
    let mut nids = HashSet::with_capacity(scale.members());
    let mut members_out = load.bulk::<Member>()?;
    let mut records_out = load.bulk::<OccupationRecord>()?;
    let mut short_lists: BTreeMap<u16, BinaryHeap<Held>> = BTreeMap::new();
    let mut members_written = 0usize;
    let mut loans_written = 0usize;
    let mut n_occ = 0usize;
    // What the sages need of the records: how common each category is in
    // each district.
    let mut common: HashMap<u16, HashMap<u16, usize>> = HashMap::new();
    for (i, ((fund, fund_id), members)) in funds.iter().zip(&fund_ids).zip(&member_counts).enumerate() {
        let capital: Vec<(Date, Money)> =
            fund.capital.iter().filter(|e| e.kind.is_lending()).map(|e| (e.date, e.amount)).collect();
        // What the members would ask for at a lending round (a loan is about
        // 32,000 baht), against the fund's lending capital: a fund lends
        // about four fifths of what it has.
        let asked = (*members as f64 * targets.yearly_borrowing * 32_000.0).max(1.0);
        let scale = 800.0 * fund.lending_capital().0 as f64 / 100.0 / asked;
        let plan = FundPlan {
            fund_id: *fund_id,
            district: fund.district(),
            established: fund.established.unwrap_or(as_of),
            members: *members,
            rate_bp: *[0u32, 300, 400, 500, 500, 600, 600].choose(&mut rng).unwrap_or(&500),
            lending_month: rng.random_range(3..=6),
            capital,
            loan_scale: (scale as i64).clamp(250, 1_000),
        };
        let (people, records) = people::fund_people(
            &mut rng,
            &plan,
            members_out.next_id(),
            &mut next_loan,
            &targets,
            as_of,
            &mut nids,
        );
        members_written += people.len();
        loans_written += people.iter().map(|m| m.loans.len()).sum::<usize>();
        for m in people {
            members_out.push(m)?;
        }
        let village = fund.code.parse().unwrap_or(0);
        for record in records {
            *common.entry(record.district).or_default().entry(record.category).or_default() += 1;
            let id = records_out.take_id()?;
            let candidate = people::Candidate::of(n_occ, &record);
            n_occ += 1;
            let Some(candidate) = candidate else {
                records_out.push_as(id, record)?;
                continue;
            };
            let list = short_lists.entry(candidate.district).or_default();
            list.push(Held { candidate, id, village, record });
            if list.len() > people::SHORT_LIST
                && let Some(out) = list.pop()
            {
                records_out.push_as(out.id, out.record)?;
            }
        }
        if i % 50 == 0 {
            progress(50 + (800 * i / funds.len().max(1)) as u32);
        }
    }
    drop(nids);
    let lists = short_lists.values().map(|l| l.iter().map(|h| h.candidate).collect()).collect();
    let mut coaching = people::select_for_coaching(&mut rng, lists, as_of).into_iter().peekable();
    let mut held: Vec<Held> = short_lists.into_values().flat_map(BinaryHeap::into_vec).collect();
    held.sort_unstable_by_key(|h| h.candidate.index);
    // The households being coached, in the records' order.
    let mut households: Vec<sages::Coachable> = Vec::new();
    for Held { candidate, id, village, mut record } in held {
        if let Some((_, c)) = coaching.next_if(|(at, _)| *at == candidate.index) {
            c.apply(&mut record);
        }
        if record.stage >= Stage::Coached {
            let since =
                record.stage_history.iter().find(|c| c.stage == Stage::Coached).map_or(as_of, |c| c.date);
            households.push(sages::Coachable {
                key: (record.fund_id, record.member_id, id),
                name: record.member_name.clone(),
                category: record.category,
                village,
                stage: record.stage,
                status: record.status,
                since,
            });
        }
        records_out.push_as(id, record)?;
    }
    // The loans' ids are taken before the records that hold them are indexed.
    load.reserve_ids(trees::LOANS, next_loan - first_loan)?;
    members_out.finish()?;
    records_out.finish()?;
    progress(930);
    let mut villages: Vec<(u16, Vec<u32>)> = Vec::new();
    for f in &funds {
        let (d, v) = (f.district(), f.code.parse().unwrap_or(0));
        match villages.last_mut() {
            Some((last, list)) if *last == d => list.push(v),
            _ => villages.push((d, vec![v])),
        }
    }
    let common: HashMap<u16, Vec<(u16, usize)>> = common
        .into_iter()
        .map(|(d, m)| {
            let mut v: Vec<(u16, usize)> = m.into_iter().collect();
            v.sort_unstable();
            (d, v)
        })
        .collect();
    let new_sages = sages::sages(&mut rng, scale.sages(), &villages, &common);
    let n_sages = new_sages.len();
    let sage_ids = load.bulk_insert(new_sages.clone())?;
    let stored: Vec<Sage> =
        new_sages.into_iter().zip(sage_ids).map(|(s, id)| Sage { id, version: 1, ..s }).collect();
    let assignments = sages::assignments(&mut rng, &stored, &households, as_of);
    let n_assignments = assignments.len();
    load.bulk_insert(assignments)?;
    progress(960);

    // The network committees, the support log and OTOP products.
    let mut by_district: Vec<(u16, Vec<u64>)> = Vec::new();
    for (f, id) in funds.iter().zip(&fund_ids) {
        match by_district.last_mut() {
            Some((d, ids)) if *d == f.district() => ids.push(*id),
            _ => by_district.push((f.district(), vec![*id])),
        }
    }
    let fund_names: HashMap<u64, String> =
        funds.iter().zip(&fund_ids).map(|(f, id)| (*id, f.name.clone())).collect();
    let district_names: HashMap<u16, String> = places
        .iter()
        .filter(|p| p.code >= 1_000 && p.code < 10_000)
        .map(|p| (p.code as u16, p.name_th.clone()))
        .collect();
    load.bulk_insert(programme::committees(&mut rng, &by_district, as_of))?;
    let per_district = match scale {
        Scale::District => 30..=40,
        Scale::Province | Scale::Nation => 10..=40,
    };
    let support = programme::support(
        &mut rng,
        &by_district,
        &fund_names,
        &households,
        &district_names,
        per_district,
        as_of,
    );
    load.bulk_insert(support)?;
    load.bulk_insert(programme::otop(&mut rng, &by_district, &households, as_of))?;
    progress(1000);
    Ok(Summary {
        funds: funds.len(),
        places: places.len(),
        members: members_written,
        loans: loans_written,
        occupations: n_occ,
        sages: n_sages,
        assignments: n_assignments,
    })
}

/// Demo data that could not be written.
pub fn message(e: &DemoError) -> crate::i18n::Msg {
    use DemoError as D;
    match e {
        D::Store(s) => crate::service::messages::store(s),
        D::Save(s) => crate::service::messages::save(s),
        e => crate::i18n::Msg::with(crate::i18n::k::IMP_BAD_FILE, [e.to_string()]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn apportion_adds_up() {
        assert_eq!(names::apportion(2669, &[18, 7, 16]).iter().sum::<usize>(), 2669);
        assert_eq!(names::apportion(10, &[1, 1, 1]), vec![4, 3, 3]);
    }

    #[test]
    fn the_asset_holds_22_districts_and_206_subdistricts() {
        let (p, d) = sisaket();
        assert_eq!((p.code, p.name_th.as_str()), (33, "ศรีสะเกษ"));
        assert_eq!(d.len(), 22);
        assert_eq!(d.iter().map(|f| f.place.code).collect::<Vec<_>>(), (3301..=3322).collect::<Vec<_>>());
        assert_eq!(d.iter().map(|f| f.subdistricts).sum::<u32>(), 206);
    }

    #[test]
    fn capital_follows_grade() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let est = Date::from_ymd(2001, 3, 1).unwrap();
        let a = capital_history(&mut rng, Grade::A, 150, est);
        let kinds: Vec<CapitalKind> = a.iter().map(|e| e.kind).collect();
        assert_eq!(
            kinds,
            [
                CapitalKind::Initial,
                CapitalKind::Increase1,
                CapitalKind::Increase2,
                CapitalKind::Increase3,
                CapitalKind::Pracharat
            ]
        );
        assert_eq!(
            a.iter().map(|e| e.amount).sum::<Money>(),
            Money::baht(1_000_000 + 100_000 + 300_000 + 1_000_000 + 500_000)
        );
        let d = capital_history(&mut rng, Grade::D, 150, est);
        assert_eq!(d.iter().map(|e| e.amount).sum::<Money>(), Money::baht(1_500_000));
        assert!(a.iter().all(|e| e.date >= est));
    }
}
