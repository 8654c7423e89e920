//! Ranking by scope: which occupation records a scope holds, their top by
//! the explainable score of `domain::ranking`, every district's top in one
//! pass, and the ranked list as a table for a spreadsheet. The Ranking tab,
//! the Overview, the exports and the benchmarks all rank through here.

use std::collections::HashMap;

use super::{
    catalog::{Catalog, OccRow},
    geo::Geo,
    labels,
};
use crate::{
    domain::{
        Date, Lang,
        member::Member,
        occupation::{OccupationCategory, OccupationStatus},
        ranking::{self, Best, Criterion, Facts, Ranked, Weights},
    },
    i18n::{k, tr},
    store::{Store, member_key},
};

/// Where households are ranked against each other.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Scope {
    #[default]
    Province,
    District(u16),
    Subdistrict(u32),
    Fund(u64),
}

/// One district's ranking: the district, its top (catalog row, ranking) and
/// how many were ranked.
pub type DistrictRanking = (u16, Vec<(u32, Ranked)>, usize);

/// A row the ranking takes: a live, active record (of `category`, if given).
pub fn rankable(x: &OccRow, category: Option<u16>) -> bool {
    !x.deleted && x.status == OccupationStatus::Active && category.is_none_or(|c| x.category == c)
}

/// The best `top` active occupations of a scope (and category), with their
/// catalog rows, and how many were ranked. `subdistrict_funds`: the funds of
/// the subdistrict, sorted (only read for [`Scope::Subdistrict`]).
pub fn rank_in(
    cat: &Catalog,
    scope: Scope,
    category: Option<u16>,
    weights: &Weights,
    top: usize,
    today: Date,
    subdistrict_funds: &[u64],
) -> (Vec<(u32, Ranked)>, usize) {
    let mine = |x: &OccRow| (rankable(x, category) && in_scope(x, scope, subdistrict_funds)).then_some(0);
    let mut all = rank_groups(cat, mine, weights, top, today, PARALLEL_ROWS);
    all.pop().map_or((Vec::new(), 0), |(_, ranked, n)| (ranked, n))
}

/// Whether a row belongs to a scope. `subdistrict_funds`: as for [`rank_in`].
fn in_scope(x: &OccRow, scope: Scope, subdistrict_funds: &[u64]) -> bool {
    match scope {
        Scope::Province => true,
        Scope::District(d) => x.district == d,
        Scope::Subdistrict(_) => subdistrict_funds.binary_search(&x.fund_id()).is_ok(),
        Scope::Fund(f) => x.fund_id() == f,
    }
}

/// Every household of a scope selected for coaching or beyond
/// ([`Stage::is_selected`](crate::domain::occupation::Stage::is_selected), the
/// Overview's "selected" figure), furthest stage first: the active ones with
/// their rank among all the scope's active records, then those whose
/// occupation has stopped, unranked (rank 0).
pub fn selected_in(
    cat: &Catalog,
    scope: Scope,
    category: Option<u16>,
    weights: &Weights,
    today: Date,
    subdistrict_funds: &[u64],
) -> Vec<(u32, Ranked)> {
    selected_in_from(cat, scope, category, weights, today, subdistrict_funds, PARALLEL_ROWS)
}

/// [`selected_in`], on two threads from `parallel_rows` rows on (tests take
/// both ways on a small catalog).
#[doc(hidden)]
pub fn selected_in_from(
    cat: &Catalog,
    scope: Scope,
    category: Option<u16>,
    weights: &Weights,
    today: Date,
    subdistrict_funds: &[u64],
    parallel_rows: usize,
) -> Vec<(u32, Ranked)> {
    let ranked = |x: &OccRow| rankable(x, category) && in_scope(x, scope, subdistrict_funds);
    let mut out = rank_chosen(cat, ranked, |x| x.stage.is_selected(), weights, today, parallel_rows);
    for (i, x) in cat.rows.iter().enumerate() {
        if !x.deleted
            && x.stage.is_selected()
            && x.status != OccupationStatus::Active
            && category.is_none_or(|c| x.category == c)
            && in_scope(x, scope, subdistrict_funds)
        {
            out.push((i as u32, Ranked { index: 0, rank: 0, score: 0, norms: [0; 6] }));
        }
    }
    let stage = |row: u32| cat.rows[row as usize].stage;
    out.sort_by(|a, b| {
        stage(b.0).cmp(&stage(a.0)).then((a.1.rank == 0).cmp(&(b.1.rank == 0))).then(a.1.rank.cmp(&b.1.rank))
    });
    out
}

/// The rows `chosen` picks among those `ranked` takes, each with its rank
/// among all of these, best first: what [`rank_in`] with no limit gives
/// them, without keeping every household (at the nation, 5.8 million places
/// for 23,000 selected: 12.8 s and half a gigabyte more). The first pass
/// finds the bounds and the chosen rows' places; the second counts, for each
/// chosen place, the rows placed before it (each row a binary search among
/// the chosen places), on two threads from `parallel_rows` rows on.
fn rank_chosen(
    cat: &Catalog,
    ranked: impl Fn(&OccRow) -> bool + Sync,
    chosen: impl Fn(&OccRow) -> bool,
    weights: &Weights,
    today: Date,
    parallel_rows: usize,
) -> Vec<(u32, Ranked)> {
    let year = today.year();
    let mut bounds = ranking::Bounds::default();
    for x in cat.rows.iter().filter(|x| ranked(x)) {
        bounds.add(&cat.facts_in(x, year));
    }
    let scale = bounds.scale();
    // The chosen rows' places, best first; `index` counts the ranked rows
    // before each, as in any ranking.
    let mut places = Vec::new();
    let mut index = 0;
    for (row, x) in cat.rows.iter().enumerate() {
        if !ranked(x) {
            continue;
        }
        if chosen(x) {
            places.push((scale.place(&cat.facts_in(x, year), index, weights), row as u32));
        }
        index += 1;
    }
    places.sort_unstable();
    let Some(lowest) = places.iter().map(|(p, _)| p.score()).min() else { return Vec::new() };
    // How many rows are placed before each chosen place: a row adds one to
    // every chosen place after its own (a difference list, summed after).
    let count = |rows: std::ops::Range<usize>| {
        let mut before = vec![0u32; places.len() + 1];
        for x in cat.rows[rows].iter().filter(|x| ranked(x)) {
            let facts = cat.facts_in(x, year);
            // A row certainly below every chosen place is before none.
            if scale.cannot_reach(&facts, weights, lowest) {
                continue;
            }
            let p = scale.place(&facts, 0, weights);
            before[places.partition_point(|(q, _)| q.cmp_household(&p).is_le())] += 1;
        }
        before
    };
    let n = cat.rows.len();
    let cut = if n >= parallel_rows { n / 2 } else { n };
    let (mut before, more) = both(cut < n, || count(0..cut), || count(cut..n));
    for (a, b) in before.iter_mut().zip(more.iter().flatten()) {
        *a += b;
    }
    let mut placed_before = 0usize;
    places
        .into_iter()
        .zip(before)
        .map(|((place, row), n)| {
            placed_before += n as usize;
            (row, place.ranked(placed_before + 1))
        })
        .collect()
}

/// The top `top` of every district, with how many were ranked in each, in
/// district order: each district ranked as [`rank_in`] ranks one, all in
/// two passes over the catalog (a `rank_in` per district would read the
/// nation's six million rows 928 times).
pub fn rank_districts(
    cat: &Catalog,
    category: Option<u16>,
    weights: &Weights,
    top: usize,
    today: Date,
) -> Vec<DistrictRanking> {
    rank_districts_from(cat, category, weights, top, today, PARALLEL_ROWS)
}

/// [`rank_districts`], on two threads from `parallel_rows` rows on (tests
/// take both ways on a small catalog).
#[doc(hidden)]
pub fn rank_districts_from(
    cat: &Catalog,
    category: Option<u16>,
    weights: &Weights,
    top: usize,
    today: Date,
    parallel_rows: usize,
) -> Vec<DistrictRanking> {
    rank_groups(cat, |x| rankable(x, category).then_some(x.district), weights, top, today, parallel_rows)
}

/// Rows past which the ranking reads the catalog on two threads, each half
/// of it (the nation's six million rows: about 200 ms on two threads).
const PARALLEL_ROWS: usize = 200_000;

/// Ranks the rows `group` puts in a group (a district; `None`: not ranked)
/// against the rest of their group: each group's top `top` and how many it
/// ranked, by group. Two passes over the catalog, each on two threads (each
/// half of the rows) from `parallel_rows` rows on: the first finds each
/// group's bounds, the second scales each row and keeps its group's best.
/// A row's `index` counts the rows of its group before it.
fn rank_groups(
    cat: &Catalog,
    group: impl Fn(&OccRow) -> Option<u16> + Sync,
    weights: &Weights,
    top: usize,
    today: Date,
    parallel_rows: usize,
) -> Vec<DistrictRanking> {
    let n = cat.rows.len();
    let year = today.year();
    // The second half: none for a small catalog.
    let cut = if n >= parallel_rows { n / 2 } else { n };
    let (first, second) = (0..cut, cut..n);
    let apart = !second.is_empty();
    // Pass 1: each group's count and bounds, half by half, then together.
    let tally = |rows: std::ops::Range<usize>| {
        let mut groups = Groups::default();
        for x in &cat.rows[rows] {
            if let Some(g) = group(x) {
                let (count, bounds) = groups.entry(g);
                *count += 1;
                bounds.add(&cat.facts_in(x, year));
            }
        }
        groups
    };
    let (mut groups, more) = both(apart, || tally(first.clone()), || tally(second.clone()));
    // Where the second half's rows start counting, group by group.
    let mut starts: Vec<u32> = groups.items.iter().map(|(count, _)| *count).collect();
    for (g, (count, bounds)) in more.iter().flat_map(|m| m.codes.iter().zip(&m.items)) {
        let (all, b) = groups.entry(*g);
        *all += count;
        b.merge(bounds);
    }
    starts.resize(groups.items.len(), 0);
    let scales: Vec<_> = groups.items.iter().map(|(_, b)| b.scale()).collect();
    // Pass 2: each row's place, kept if among its group's best so far.
    let keep = |rows: std::ops::Range<usize>, start: &[u32]| {
        let mut next = start.to_vec();
        let mut best: Vec<Best<u32>> =
            groups.items.iter().map(|(count, _)| Best::new(top, *count as usize)).collect();
        for (i, x) in cat.rows[rows.clone()].iter().enumerate() {
            let Some(g) = group(x) else { continue };
            let s = groups.slot(g);
            best[s].consider(
                &scales[s],
                &cat.facts_in(x, year),
                next[s] as usize,
                weights,
                (rows.start + i) as u32,
            );
            next[s] += 1;
        }
        best
    };
    let zero = vec![0; starts.len()];
    let (mut best, more) = both(apart, || keep(first.clone(), &zero), || keep(second.clone(), &starts));
    for (b, m) in best.iter_mut().zip(more.into_iter().flatten()) {
        b.merge(m);
    }
    let mut out: Vec<DistrictRanking> = groups
        .codes
        .iter()
        .zip(best)
        .zip(&groups.items)
        .map(|((g, b), (count, _))| (*g, b.ranked(), *count as usize))
        .collect();
    out.sort_unstable_by_key(|(g, _, _)| *g);
    out
}

/// What a pass keeps for each group it has met: its code, and a slot by code.
struct Groups {
    /// The slot of each code (`NO_SLOT`: not met).
    slots: Vec<u32>,
    codes: Vec<u16>,
    items: Vec<(u32, ranking::Bounds)>,
}

const NO_SLOT: u32 = u32::MAX;

impl Default for Groups {
    fn default() -> Self {
        Groups { slots: vec![NO_SLOT; usize::from(u16::MAX) + 1], codes: Vec::new(), items: Vec::new() }
    }
}

impl Groups {
    /// A group's count and bounds, met now if not before.
    fn entry(&mut self, code: u16) -> &mut (u32, ranking::Bounds) {
        let at = &mut self.slots[usize::from(code)];
        if *at == NO_SLOT {
            *at = self.items.len() as u32;
            self.codes.push(code);
            self.items.push((0, ranking::Bounds::default()));
        }
        let s = *at as usize;
        &mut self.items[s]
    }

    /// The slot of a group the first pass met.
    fn slot(&self, code: u16) -> usize {
        self.slots[usize::from(code)] as usize
    }
}

/// `a` here and, when `apart`, `b` on a second thread (a panic there: `b`
/// again here); without `apart`, `a` alone.
fn both<A: Send, B: Send>(
    apart: bool,
    a: impl FnOnce() -> A + Send,
    b: impl Fn() -> B + Send + Sync,
) -> (A, Option<B>) {
    if !apart {
        return (a(), None);
    }
    std::thread::scope(|s| {
        let second = s.spawn(&b);
        let first = a();
        let second = second.join().unwrap_or_else(|_| b());
        (first, Some(second))
    })
}

/// A criterion's raw value as a number for a spreadsheet: baht, percent, years.
pub fn criterion_value(c: Criterion, f: &Facts) -> String {
    let baht = |satang: i64| format!("{}.{:02}", satang / 100, (satang % 100).abs());
    match c {
        Criterion::IncomeGrowth => baht(f.income_growth),
        Criterion::NetIncome => baht(f.net_income),
        Criterion::SavingsGrowth => baht(f.savings_growth),
        Criterion::Repayment => format!("{}.{:02}", f.repayment / 100, f.repayment % 100),
        Criterion::Years => f.years.to_string(),
        Criterion::Sammachip => (f.sammachip / 5_000).to_string(),
    }
}

/// A cell of the ranking's table: text, or a number that stays a number.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Text(String),
    Number(f64),
}

/// What the table names: funds (code and name by id), places, categories.
pub struct Names<'a> {
    pub funds: &'a HashMap<u64, (String, String)>,
    pub geo: &'a Geo,
    pub categories: &'a [OccupationCategory],
}

/// The ranked rows with every criterion, raw and in points: a header and rows
/// for a spreadsheet.
pub fn table(
    store: &Store,
    cat: &Catalog,
    ranked: &[(u32, Ranked)],
    weights: &Weights,
    today: Date,
    lang: Lang,
    names: &Names<'_>,
) -> (Vec<String>, Vec<Vec<Value>>) {
    let mut header: Vec<String> = [
        k::COL_RANK,
        k::COL_MEMBER,
        k::FIELD_NATIONAL_ID,
        k::COL_FUND,
        k::COL_FUND_NAME,
        k::COL_DISTRICT,
        k::COL_CATEGORY,
        k::COL_STAGE,
        k::COL_SCORE,
    ]
    .iter()
    .map(|x| tr(lang, *x).to_string())
    .collect();
    for c in Criterion::ALL {
        header.push(tr(lang, labels::criterion(c)).to_string());
        header.push(format!("{} ({})", tr(lang, labels::criterion(c)), tr(lang, k::POINTS)));
    }
    let number = |s: String| s.replace(',', "").parse::<f64>().map_or(Value::Text(s), Value::Number);
    let category = |code: u16| {
        names
            .categories
            .iter()
            .find(|c| c.code == code)
            .map_or_else(|| code.to_string(), |c| c.name(lang).into())
    };
    let mut rows = Vec::with_capacity(ranked.len());
    for (row, r) in ranked {
        let Some(x) = cat.rows.get(*row as usize) else { continue };
        let fund = names.funds.get(&x.fund_id());
        let nid = store
            .get_at::<Member>(&member_key(x.fund_id(), x.member_id()))
            .ok()
            .flatten()
            .map(|m| m.national_id.to_string())
            .unwrap_or_default();
        let facts = cat.facts(x, today);
        // Rank 0: selected, occupation stopped, not ranked (see [`selected_in`]).
        let unranked = || Value::Text("–".into());
        let mut rec = vec![
            if r.rank == 0 { unranked() } else { Value::Number(f64::from(r.rank as u32)) },
            Value::Text(cat.name(x).to_string()),
            Value::Text(nid),
            Value::Text(fund.map(|f| f.0.clone()).unwrap_or_default()),
            Value::Text(fund.map(|f| f.1.clone()).unwrap_or_default()),
            Value::Text(names.geo.name(u32::from(x.district), lang)),
            Value::Text(category(x.category)),
            Value::Text(tr(lang, labels::stage(x.stage)).to_string()),
            if r.rank == 0 { unranked() } else { number(ranking::format_points(r.points(weights))) },
        ];
        for c in Criterion::ALL {
            // The verdict in words, as the Ranking shows it (its 0, 1 or 2
            // matched neither the screen nor the README's 0, ½, 1).
            rec.push(match c {
                Criterion::Sammachip => Value::Text(tr(lang, labels::verdict_short(x.verdict)).to_string()),
                c => number(criterion_value(c, &facts)),
            });
            rec.push(if r.rank == 0 {
                unranked()
            } else {
                number(ranking::format_points(r.contribution(weights, c)))
            });
        }
        rows.push(rec);
    }
    (header, rows)
}

/// Which ranking `export ranking` writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExportScope {
    /// Every district's own top, district by district (the default).
    EachDistrict,
    /// One scope's top.
    One(Scope),
}

/// What an export scope typed on the command line names: `province`, a
/// district (4 digits), a subdistrict (6) or a fund (8), Thai digits too.
pub fn parse_scope(store: &Store, text: &str) -> Result<Scope, ScopeError> {
    let t = crate::domain::thai::normalize_digits(text.trim()).into_owned();
    if t.eq_ignore_ascii_case("province") || t == "จังหวัด" {
        return Ok(Scope::Province);
    }
    let bad = || ScopeError::Unknown(text.trim().to_string());
    if t.is_empty() || !t.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    match t.len() {
        4 => {
            let d: u16 = t.parse().map_err(|_| bad())?;
            let geo = Geo::new(store.places()?);
            if geo.districts().contains(&d) { Ok(Scope::District(d)) } else { Err(ScopeError::NotFound(t)) }
        }
        6 => {
            let x: u32 = t.parse().map_err(|_| bad())?;
            let any = store.all::<crate::domain::fund::Fund>()?.iter().any(|f| f.subdistrict() == x);
            if any { Ok(Scope::Subdistrict(x)) } else { Err(ScopeError::NotFound(t)) }
        }
        8 => match store.all::<crate::domain::fund::Fund>()?.into_iter().find(|f| f.code == t) {
            Some(f) => Ok(Scope::Fund(f.id)),
            None => Err(ScopeError::NotFound(t)),
        },
        _ => Err(bad()),
    }
}

/// Why a scope typed on the command line names nothing.
#[derive(Debug, thiserror::Error)]
pub enum ScopeError {
    #[error("not a scope: {0}")]
    Unknown(String),
    #[error("no such place or fund: {0}")]
    NotFound(String),
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
}

/// The ranking with the default weights for an export: every district's top
/// `places` in district order, or one scope's; read from the store.
pub fn export_table(
    store: &Store,
    lang: Lang,
    today: Date,
    scope: ExportScope,
    places: usize,
) -> Result<(Vec<String>, Vec<Vec<Value>>), crate::store::StoreError> {
    let cat = Catalog::load(store, today)?;
    let geo = Geo::new(store.places()?);
    let categories = store.categories()?;
    let all_funds = store.all::<crate::domain::fund::Fund>()?;
    let profile = ranking::Profile::default();
    let ranked: Vec<(u32, Ranked)> = match scope {
        ExportScope::EachDistrict => rank_districts(&cat, None, &profile.weights, places, today)
            .into_iter()
            .flat_map(|(_, top, _)| top)
            .collect(),
        ExportScope::One(scope) => {
            let mut in_subdistrict: Vec<u64> = match scope {
                Scope::Subdistrict(x) => {
                    all_funds.iter().filter(|f| f.subdistrict() == x).map(|f| f.id).collect()
                }
                _ => Vec::new(),
            };
            in_subdistrict.sort_unstable();
            rank_in(&cat, scope, None, &profile.weights, places, today, &in_subdistrict).0
        }
    };
    let funds: HashMap<u64, (String, String)> =
        all_funds.into_iter().map(|f| (f.id, (f.code, f.name))).collect();
    let names = Names { funds: &funds, geo: &geo, categories: &categories };
    Ok(table(store, &cat, &ranked, &profile.weights, today, lang, &names))
}
