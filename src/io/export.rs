//! `sammachip export KIND -o FILE`: every record of a kind as rows, Thai
//! headers (English with `--lang en`), money as numbers, dates as B.E. text.

use std::{collections::HashMap, path::Path};

use super::{
    Kind,
    table::{Cell, WriteError, Writer},
};
use crate::{
    domain::{
        Date, Lang, Money,
        fund::Fund,
        loan::LoanStatus,
        member::Member,
        occupation::OccupationRecord,
        programme::{NetworkCommittee, OtopProduct, SupportActivity},
        sage::Sage,
        thai,
    },
    service::labels,
    store::{Store, StoreError},
};

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error(transparent)]
    Write(#[from] WriteError),
    #[error("store: {0}")]
    Store(#[from] StoreError),
    #[error("{0}")]
    Other(String),
}

fn money(m: Money) -> Cell {
    Cell::Number(m.satang() as f64 / 100.0)
}

fn date(d: Date, lang: Lang) -> Cell {
    Cell::Text(thai::format_date(d, lang))
}

fn opt_date(d: Option<Date>, lang: Lang) -> Cell {
    d.map_or(Cell::Text(String::new()), |d| date(d, lang))
}

fn num(n: impl Into<f64>) -> Cell {
    Cell::Number(n.into())
}

fn text(s: impl Into<String>) -> Cell {
    Cell::Text(s.into())
}

fn label<T: Copy>(v: T, f: fn(T) -> crate::i18n::Key, lang: Lang) -> Cell {
    Cell::Text(super::enum_text(v, f, lang))
}

/// How `export` writes: which ranking `export ranking` writes and how many
/// places in each, and whether digits are Thai digits (๐–๙, as official
/// printed documents have them).
#[derive(Clone, Copy, Debug)]
pub struct Options {
    pub scope: crate::service::ranking::ExportScope,
    pub places: usize,
    pub thai_digits: bool,
}

impl Default for Options {
    /// Every district's top 30, ASCII digits.
    fn default() -> Self {
        Self { scope: crate::service::ranking::ExportScope::EachDistrict, places: 30, thai_digits: false }
    }
}

/// Writes every record of `kind` to `path` (`.csv` or `.xlsx`); returns the
/// rows. The ranking: every district's top 30.
pub fn export(
    store: &std::sync::Arc<Store>,
    kind: Kind,
    path: &Path,
    lang: Lang,
) -> Result<usize, ExportError> {
    export_with(store, kind, path, lang, Options::default())
}

/// As [`export`], with the ranking's scope and places and the digits.
pub fn export_with(
    store: &std::sync::Arc<Store>,
    kind: Kind,
    path: &Path,
    lang: Lang,
    how: Options,
) -> Result<usize, ExportError> {
    if kind == Kind::Ranking {
        return export_ranking(store, path, lang, how);
    }
    let headers: Vec<&str> = kind.columns().iter().map(|c| c.header(lang)).collect();
    let mut w = Writer::create(path, &headers)?.with_thai_digits(how.thai_digits);
    let mut n = 0usize;
    let codes: HashMap<u64, String> = store.all::<Fund>()?.into_iter().map(|f| (f.id, f.code)).collect();
    let mut failed: Option<WriteError> = None;
    let mut put = |w: &mut Writer, cells: Vec<Cell>| {
        if failed.is_none()
            && let Err(e) = w.row(&cells)
        {
            failed = Some(e);
        }
        n += 1;
    };
    match kind {
        Kind::Geography => {
            for p in store.places()? {
                put(&mut w, vec![text(p.code.to_string()), text(p.name_th), text(p.name_en), text(p.postal)]);
            }
        }
        Kind::Funds => {
            for f in store.all::<Fund>()? {
                put(
                    &mut w,
                    vec![
                        text(f.code.clone()),
                        text(f.name.clone()),
                        label(f.kind, labels::fund_kind, lang),
                        text(f.registration_no.clone()),
                        opt_date(f.established, lang),
                        label(f.grade, labels::grade, lang),
                        f.assessed_year.map_or(text(""), |y| num(thai::be_year(y))),
                    ],
                );
            }
        }
        Kind::Capital => {
            for f in store.all::<Fund>()? {
                for e in &f.capital {
                    put(
                        &mut w,
                        vec![
                            text(f.code.clone()),
                            label(e.kind, labels::capital_kind, lang),
                            date(e.date, lang),
                            money(e.amount),
                            text(e.note.clone()),
                        ],
                    );
                }
            }
        }
        Kind::Members | Kind::Loans | Kind::Repayments => {
            // Guarantors are written by national ID.
            let mut nids: HashMap<(u64, u64), String> = HashMap::new();
            if kind == Kind::Loans {
                store.for_each_prefix::<Member>(&[], |m| {
                    nids.insert((m.fund_id, m.id), m.national_id.to_string());
                })?;
            }
            store.for_each_prefix::<Member>(&[], |m| {
                let fund = codes.get(&m.fund_id).cloned().unwrap_or_default();
                match kind {
                    Kind::Members => put(
                        &mut w,
                        vec![
                            text(fund),
                            text(m.national_id.to_string()),
                            text(m.title.clone()),
                            text(m.given_name.clone()),
                            text(m.family_name.clone()),
                            opt_date(m.birth_date, lang),
                            text(m.household_no.clone()),
                            text(m.phone.clone()),
                            opt_date(m.joined, lang),
                            label(m.status, labels::member_status, lang),
                        ],
                    ),
                    Kind::Loans => {
                        for l in &m.loans {
                            put(
                                &mut w,
                                vec![
                                    num(l.id as f64),
                                    text(m.national_id.to_string()),
                                    money(l.principal),
                                    num(f64::from(l.rate_bp) / 100.0),
                                    date(l.start, lang),
                                    num(l.term_months),
                                    label(l.mode, labels::repayment_mode, lang),
                                    num(l.purpose),
                                    text(
                                        l.guarantors
                                            .iter()
                                            .filter_map(|g| nids.get(&(m.fund_id, *g)).cloned())
                                            .collect::<Vec<_>>()
                                            .join(" "),
                                    ),
                                    text(if l.status == LoanStatus::WrittenOff { "1" } else { "" }),
                                ],
                            );
                        }
                    }
                    _ => {
                        for l in &m.loans {
                            for r in &l.repayments {
                                put(
                                    &mut w,
                                    vec![
                                        num(l.id as f64),
                                        date(r.date, lang),
                                        money(r.principal),
                                        money(r.interest),
                                        money(r.penalty),
                                    ],
                                );
                            }
                        }
                    }
                }
            })?;
        }
        Kind::Occupations => {
            let nids: HashMap<(u64, u64), String> = {
                let mut m = HashMap::new();
                store.for_each_prefix::<Member>(&[], |x| {
                    m.insert((x.fund_id, x.id), x.national_id.to_string());
                })?;
                m
            };
            store.for_each_prefix::<OccupationRecord>(&[], |r| {
                let ids = r.loan_ids.iter().map(u64::to_string).collect::<Vec<_>>().join(" ");
                put(
                    &mut w,
                    vec![
                        text(nids.get(&(r.fund_id, r.member_id)).cloned().unwrap_or_default()),
                        num(r.category),
                        text(r.description.clone()),
                        num(thai::be_year(r.start_year)),
                        text(ids),
                        money(r.before.income),
                        money(r.before.expenses),
                        money(r.before.savings),
                        money(r.after.income),
                        money(r.after.expenses),
                        money(r.after.savings),
                        label(r.status, labels::occupation_status, lang),
                        label(r.stage, labels::stage, lang),
                    ],
                );
            })?;
        }
        Kind::Sages => {
            for s in store.all::<Sage>()? {
                let expertise = s.expertise.iter().map(u16::to_string).collect::<Vec<_>>().join(" ");
                put(
                    &mut w,
                    vec![
                        text(s.national_id.to_string()),
                        text(s.title.clone()),
                        text(s.given_name.clone()),
                        text(s.family_name.clone()),
                        text(s.phone.clone()),
                        text(s.home_village.to_string()),
                        text(expertise),
                        num(s.capacity),
                        label(s.status, labels::sage_status, lang),
                    ],
                );
            }
        }
        Kind::Briefings => {
            let geo = crate::service::geo::Geo::new(store.places()?);
            for c in store.all::<NetworkCommittee>()? {
                for b in &c.briefings {
                    let funds: Vec<String> = b.funds.iter().filter_map(|f| codes.get(f).cloned()).collect();
                    put(
                        &mut w,
                        vec![
                            text(geo.name(u32::from(c.district), lang)),
                            text(c.chair.clone()),
                            date(b.date, lang),
                            text(b.place.clone()),
                            text(funds.join(" ")),
                            text(b.note.clone()),
                        ],
                    );
                }
            }
        }
        Kind::Support => {
            let geo = crate::service::geo::Geo::new(store.places()?);
            for s in store.all::<SupportActivity>()? {
                put(
                    &mut w,
                    vec![
                        date(s.date, lang),
                        label(s.level, labels::support_level, lang),
                        label(s.kind, labels::support_kind, lang),
                        text(geo.name(u32::from(s.district), lang)),
                        text(s.label.clone()),
                        text(s.note.clone()),
                    ],
                );
            }
        }
        Kind::Otop => {
            let geo = crate::service::geo::Geo::new(store.places()?);
            for p in store.all::<OtopProduct>()? {
                put(
                    &mut w,
                    vec![
                        text(p.name.clone()),
                        label(p.category, labels::otop_category, lang),
                        text(p.producer_name.clone()),
                        text(geo.name(u32::from(p.district), lang)),
                        num(p.stars),
                        num(thai::be_year(p.rating_year)),
                    ],
                );
            }
        }
        Kind::Ranking => {}
    }
    if let Some(e) = failed {
        return Err(e.into());
    }
    w.finish()?;
    Ok(n)
}

/// The ranking of the whole province with the default weights, as the Ranking
/// tab shows it.
fn export_ranking(
    store: &std::sync::Arc<Store>,
    path: &Path,
    lang: Lang,
    how: Options,
) -> Result<usize, ExportError> {
    use crate::service::ranking::{Value, export_table};
    let (header, rows) = export_table(store, lang, crate::domain::Date::today(), how.scope, how.places)?;
    let header: Vec<&str> = header.iter().map(String::as_str).collect();
    let mut w = Writer::create(path, &header)?.with_thai_digits(how.thai_digits);
    for r in &rows {
        let cells: Vec<Cell> = r
            .iter()
            .map(|v| match v {
                Value::Text(t) => Cell::Text(t.clone()),
                Value::Number(n) => Cell::Number(*n),
            })
            .collect();
        w.row(&cells)?;
    }
    w.finish()?;
    Ok(rows.len())
}
