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
        ranking::{self, Criterion, Facts, Ranked, Weights},
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
    let rows: Vec<u32> = (0..cat.rows.len() as u32)
        .filter(|i| {
            let x = &cat.rows[*i as usize];
            rankable(x, category) && in_scope(x, scope, subdistrict_funds)
        })
        .collect();
    let n = rows.len();
    (rank_rows(cat, &rows, weights, top, today), n)
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
    let (mut out, _) = rank_in(cat, scope, category, weights, usize::MAX, today, subdistrict_funds);
    out.retain(|(row, _)| cat.rows[*row as usize].stage.is_selected());
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

/// The top `top` of every district, with how many were ranked in each: one
/// pass over the catalog sorts the rows into their districts, then each
/// district is ranked as [`rank_in`] ranks one. (A `rank_in` per district
/// reads the whole catalog each time: for the nation's 928 districts, 928
/// reads of six million rows.) The rows are sorted by counting, into one
/// list (a map entry per row took a fifth of the nation's time), and the
/// districts are ranked on two threads when there are many rows.
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
    // Where each district's rows start in `flat`, by district code.
    let mut start = vec![0u32; usize::from(u16::MAX) + 2];
    for x in &cat.rows {
        if rankable(x, category) {
            start[usize::from(x.district) + 1] += 1;
        }
    }
    for d in 1..start.len() {
        start[d] += start[d - 1];
    }
    let districts: Vec<u16> =
        (0..=u16::MAX).filter(|d| start[usize::from(*d) + 1] > start[usize::from(*d)]).collect();
    let mut next = start.clone();
    let mut flat = vec![0u32; start[start.len() - 1] as usize];
    for (i, x) in cat.rows.iter().enumerate() {
        if rankable(x, category) {
            let at = &mut next[usize::from(x.district)];
            flat[*at as usize] = i as u32;
            *at += 1;
        }
    }
    let rows_of = |d: u16| &flat[start[usize::from(d)] as usize..start[usize::from(d) + 1] as usize];
    let rank = |ds: &[u16]| -> Vec<DistrictRanking> {
        ds.iter()
            .map(|&d| {
                let rows = rows_of(d);
                (d, rank_rows(cat, rows, weights, top, today), rows.len())
            })
            .collect()
    };
    if flat.len() < parallel_rows || districts.len() < 2 {
        return rank(&districts);
    }
    // Two halves of about as many rows each.
    let half = flat.len() / 2;
    let cut = districts.partition_point(|d| (start[usize::from(*d)] as usize) < half).max(1);
    let (a, b) = districts.split_at(cut.min(districts.len()));
    std::thread::scope(|s| {
        let second = s.spawn(|| rank(b));
        let mut out = rank(a);
        match second.join() {
            Ok(more) => out.extend(more),
            // A panic on the second thread: rank its half here instead.
            Err(_) => out.extend(rank(b)),
        }
        out
    })
}

/// Rows past which [`rank_districts`] ranks on two threads (a district's
/// ranking costs about 80 ns a row).
const PARALLEL_ROWS: usize = 200_000;

/// Rows whose figures are worked out once and kept while they are ranked
/// (56 bytes each); a larger scope works them out twice rather than hold
/// them all (the nation's six million would take 340 MB).
const FACTS_KEPT: usize = 100_000;

/// Ranks the given catalog rows: the top `top`, as (row, ranking).
fn rank_rows(cat: &Catalog, rows: &[u32], weights: &Weights, top: usize, today: Date) -> Vec<(u32, Ranked)> {
    // `x.index` counts in `rows`.
    let ranked = if rows.len() <= FACTS_KEPT {
        let facts: Vec<Facts> = rows.iter().map(|r| cat.facts(&cat.rows[*r as usize], today)).collect();
        ranking::rank(&facts, weights, top)
    } else {
        ranking::rank_by(rows.len(), |i| cat.facts(&cat.rows[rows[i] as usize], today), weights, top)
    };
    ranked.into_iter().map(|x| (rows[x.index], x)).collect()
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
            rec.push(number(criterion_value(c, &facts)));
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
