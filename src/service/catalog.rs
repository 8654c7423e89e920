//! The list of every occupation record, held in memory for the Occupations tab:
//! one compact row per record, loaded once in the background and kept current
//! by the saves of this process. Rows are never removed (a deleted record
//! leaves a tombstone), so a view's row numbers stay valid.

use std::collections::HashMap;

use crate::{
    domain::{
        Date, Lang, Money,
        loan::repayment_record,
        occupation::{OccupationRecord, OccupationStatus, Stage, Verdict},
        ranking::{Facts, repayment_points},
        thai,
    },
    store::{Store, StoreError},
};

/// One occupation record in the list. The member's name lives in the
/// catalog's name arena (one allocation for all rows, not one each).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OccRow {
    pub fund_id: u64,
    pub member_id: u64,
    pub id: u64,
    /// Byte offset and length of the member's name in [`Catalog::names`]
    /// (two fields, not a tuple, so the row packs into 80 bytes, not 88).
    name_at: u32,
    name_len: u16,
    pub district: u16,
    pub category: u16,
    pub start_year: i32,
    pub income_before: Money,
    pub income_after: Money,
    /// Income − expenses after, for the ranking.
    pub net_after: Money,
    pub savings_growth: Money,
    /// The ranking's repayment criterion as of the catalog's date.
    pub repayment: u32,
    /// Days the oldest unpaid instalment of its loans is late, as of that date.
    pub days_late: u16,
    pub stage: Stage,
    pub status: OccupationStatus,
    pub verdict: Verdict,
    pub deleted: bool,
}

// 200,000 rows on a province: each 8 bytes is 1.6 MB of the officer's memory.
const _: () = assert!(std::mem::size_of::<OccRow>() <= 80);

impl OccRow {
    fn new(r: &OccupationRecord, name: (u32, u16), as_of: Date) -> Self {
        let (on_time, late) = repayment_record(&r.instalments, as_of);
        Self {
            fund_id: r.fund_id,
            member_id: r.member_id,
            id: r.id,
            name_at: name.0,
            name_len: name.1,
            district: r.district,
            category: r.category,
            start_year: r.start_year,
            income_before: r.before.income,
            income_after: r.after.income,
            net_after: r.after.net(),
            savings_growth: r.savings_growth(),
            repayment: repayment_points(on_time, late),
            days_late: late.clamp(0, i32::from(u16::MAX)) as u16,
            stage: r.stage,
            status: r.status,
            verdict: r.verdict(),
            deleted: false,
        }
    }

    fn name(&self) -> (u32, u16) {
        (self.name_at, self.name_len)
    }

    pub fn key(&self) -> Vec<u8> {
        crate::store::occupation_key(self.fund_id, self.member_id, self.id)
    }

    /// The row's figures for the ranking, as of `today` for the years.
    pub fn facts(&self, today: Date) -> Facts {
        Facts {
            id: self.id,
            income_growth: self.income_after.0 - self.income_before.0,
            net_income: self.net_after.0,
            savings_growth: self.savings_growth.0,
            repayment: self.repayment,
            years: (today.year() - self.start_year).max(0),
            sammachip: match self.verdict {
                Verdict::NotYet => 0,
                Verdict::Sammachip => 5_000,
                Verdict::Strong => 10_000,
            },
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum OccSort {
    /// Key order: by fund, then member.
    #[default]
    Fund,
    Member,
    District,
    Category,
    StartYear,
    IncomeAfter,
    Stage,
}

impl OccSort {
    pub const ALL: [OccSort; 7] = [
        OccSort::Fund,
        OccSort::Member,
        OccSort::District,
        OccSort::Category,
        OccSort::StartYear,
        OccSort::IncomeAfter,
        OccSort::Stage,
    ];

    pub fn next(self) -> OccSort {
        let i = OccSort::ALL.iter().position(|c| *c == self).unwrap_or(0);
        OccSort::ALL[(i + 1) % OccSort::ALL.len()]
    }
}

pub struct Catalog {
    pub rows: Vec<OccRow>,
    /// Every member name, back to back.
    names: String,
    /// Sort orders computed so far (row numbers), dropped when rows change.
    orders: HashMap<(OccSort, Lang), Vec<u32>>,
    /// Bumped on every change, so views know to refresh.
    pub revision: u64,
    /// The day repayment records are computed for.
    pub as_of: Date,
}

impl Catalog {
    /// Reads every occupation record (in key order: grouped by fund). The
    /// funds' aggregates say how many there are, so the rows are allocated once.
    pub fn load(store: &Store, as_of: Date) -> Result<Catalog, StoreError> {
        let expected: i64 = store.all_fund_stats()?.values().map(|s| s.occupations.max(0)).sum();
        let expected = expected as usize;
        let mut c = Catalog {
            rows: Vec::with_capacity(expected),
            names: String::with_capacity(expected * 40),
            ..Catalog::empty(as_of)
        };
        store.for_each_prefix::<OccupationRecord>(&[], |r| c.push(&r))?;
        Ok(c)
    }

    pub fn empty(as_of: Date) -> Catalog {
        Catalog { rows: Vec::new(), names: String::new(), orders: HashMap::new(), revision: 0, as_of }
    }

    fn intern(&mut self, name: &str) -> (u32, u16) {
        let start = self.names.len() as u32;
        let name = &name[..name.len().min(u16::MAX as usize)];
        self.names.push_str(name);
        (start, name.len() as u16)
    }

    /// The member's name of a row.
    pub fn name(&self, r: &OccRow) -> &str {
        let (start, len) = (r.name_at as usize, usize::from(r.name_len));
        self.names.get(start..start + len).unwrap_or("")
    }

    fn push(&mut self, r: &OccupationRecord) {
        let name = self.intern(&crate::domain::clean::line(&r.member_name));
        self.rows.push(OccRow::new(r, name, self.as_of));
    }

    pub fn live(&self) -> usize {
        self.rows.iter().filter(|r| !r.deleted).count()
    }

    /// The row of a record. A scan: it runs once per save, not per keystroke,
    /// and a map would cost more memory than the rows' names.
    pub fn row_of(&self, id: u64) -> Option<u32> {
        self.rows.iter().position(|r| r.id == id).map(|i| i as u32)
    }

    /// A saved record enters or replaces its row.
    pub fn upsert(&mut self, r: &OccupationRecord) {
        match self.row_of(r.id) {
            Some(i) => {
                let row = &self.rows[i as usize];
                let shown = crate::domain::clean::line(&r.member_name);
                let name = if self.name(row) == shown { row.name() } else { self.intern(&shown) };
                self.rows[i as usize] = OccRow::new(r, name, self.as_of);
            }
            None => self.push(r),
        }
        self.orders.clear();
        self.revision += 1;
    }

    pub fn remove(&mut self, id: u64) {
        if let Some(i) = self.row_of(id) {
            self.rows[i as usize].deleted = true;
            self.orders.clear();
            self.revision += 1;
        }
    }

    /// Renames a member in every row of theirs (the store has done the same).
    pub fn rename_member(&mut self, member_id: u64, name: &str) {
        let name = &*crate::domain::clean::line(name);
        let stale: Vec<usize> = (0..self.rows.len())
            .filter(|i| self.rows[*i].member_id == member_id && self.name(&self.rows[*i]) != name)
            .collect();
        let changed = !stale.is_empty();
        if changed {
            let interned = self.intern(name);
            for i in stale {
                (self.rows[i].name_at, self.rows[i].name_len) = interned;
            }
        }
        if changed {
            self.orders.clear();
            self.revision += 1;
        }
    }

    /// All row numbers in `sort` order (ascending), computed once per sort.
    /// `place` names districts and `category` names categories in `lang`.
    pub fn order(
        &mut self,
        sort: OccSort,
        lang: Lang,
        place: &dyn Fn(u32) -> String,
        category: &dyn Fn(u16) -> String,
    ) -> &[u32] {
        let rows = &self.rows;
        let names = &self.names;
        let name_of = |r: &OccRow| {
            names.get(r.name_at as usize..r.name_at as usize + usize::from(r.name_len)).unwrap_or("")
        };
        self.orders.entry((sort, lang)).or_insert_with(|| {
            let mut order: Vec<u32> = (0..rows.len() as u32).collect();
            let by_key = |a: &u32, b: &u32| {
                let (x, y) = (&rows[*a as usize], &rows[*b as usize]);
                (x.fund_id, x.member_id, x.id).cmp(&(y.fund_id, y.member_id, y.id))
            };
            match sort {
                OccSort::Fund => order.sort_by(by_key),
                OccSort::Member => {
                    // All collation keys in one buffer: one allocation to free
                    // afterwards, not one per row.
                    let mut keys = Vec::with_capacity(rows.len() * 48);
                    let mut ends = Vec::with_capacity(rows.len() + 1);
                    ends.push(0usize);
                    for r in rows {
                        keys.extend_from_slice(&thai::sort_key(name_of(r)));
                        ends.push(keys.len());
                    }
                    let key = |i: u32| &keys[ends[i as usize]..ends[i as usize + 1]];
                    order.sort_by(|a, b| key(*a).cmp(key(*b)).then_with(|| by_key(a, b)));
                }
                OccSort::District => {
                    let mut names: HashMap<u16, Vec<u8>> = HashMap::new();
                    for r in rows {
                        names
                            .entry(r.district)
                            .or_insert_with(|| thai::sort_key(&place(u32::from(r.district))));
                    }
                    order.sort_by(|a, b| {
                        let (x, y) = (&rows[*a as usize], &rows[*b as usize]);
                        names[&x.district].cmp(&names[&y.district]).then_with(|| by_key(a, b))
                    });
                }
                OccSort::Category => {
                    let mut names: HashMap<u16, Vec<u8>> = HashMap::new();
                    for r in rows {
                        names.entry(r.category).or_insert_with(|| thai::sort_key(&category(r.category)));
                    }
                    order.sort_by(|a, b| {
                        let (x, y) = (&rows[*a as usize], &rows[*b as usize]);
                        names[&x.category].cmp(&names[&y.category]).then_with(|| by_key(a, b))
                    });
                }
                OccSort::StartYear => order.sort_by(|a, b| {
                    rows[*a as usize].start_year.cmp(&rows[*b as usize].start_year).then_with(|| by_key(a, b))
                }),
                OccSort::IncomeAfter => order.sort_by(|a, b| {
                    rows[*a as usize]
                        .income_after
                        .cmp(&rows[*b as usize].income_after)
                        .then_with(|| by_key(a, b))
                }),
                OccSort::Stage => order.sort_by(|a, b| {
                    rows[*a as usize].stage.cmp(&rows[*b as usize].stage).then_with(|| by_key(a, b))
                }),
            }
            order
        })
    }
}

/// What the Occupations list is narrowed to.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OccFilter {
    pub category: Option<u16>,
    pub district: Option<u16>,
    pub fund: Option<u64>,
    pub stage: Option<Stage>,
    /// The stage or any later one (the Overview's "reached" figures).
    pub stage_or_later: bool,
    /// Only the households a sage coaches or is planned to: their (fund,
    /// member, occupation) keys as the store's index of sages' places holds
    /// them (the Overview's "with a sage" figure counts the same places).
    pub coached: Option<std::sync::Arc<std::collections::HashSet<(u64, u64, u64)>>>,
}

impl OccFilter {
    pub fn is_empty(&self) -> bool {
        *self == OccFilter::default()
    }

    pub fn matches(&self, r: &OccRow) -> bool {
        !r.deleted
            && self.category.is_none_or(|c| r.category == c)
            && self.district.is_none_or(|d| r.district == d)
            && self.fund.is_none_or(|f| r.fund_id == f)
            && self.stage.is_none_or(|s| r.stage == s || self.stage_or_later && r.stage > s)
            && self.coached.as_ref().is_none_or(|c| c.contains(&(r.fund_id, r.member_id, r.id)))
    }
}

/// One search term, resolved against the small dictionaries once per keystroke
/// so that each of the many rows is matched with a substring test and three
/// set lookups.
pub struct Term {
    pub text: String,
    pub categories: Vec<u16>,
    pub districts: Vec<u16>,
    pub funds: Vec<u64>,
}

impl Term {
    /// `name` is the row's member name ([`Catalog::name`]).
    pub fn matches(&self, r: &OccRow, name: &str) -> bool {
        name.contains(&self.text)
            || self.categories.contains(&r.category)
            || self.districts.contains(&r.district)
            || self.funds.binary_search(&r.fund_id).is_ok()
    }
}
