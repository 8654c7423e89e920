//! The list of every occupation record, held in memory for the Occupations tab:
//! one compact row per record, loaded once in the background and kept current
//! by the saves of this process. Rows are never removed (a deleted record
//! leaves a tombstone), so a view's row numbers stay valid.

use std::collections::HashMap;

use crate::{
    domain::{
        Date, Lang, Money,
        occupation::{OccupationRecord, OccupationStatus, Stage, Verdict},
        thai,
    },
    store::{Store, StoreError},
};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OccRow {
    pub fund_id: u64,
    pub member_id: u64,
    pub id: u64,
    pub member_name: String,
    pub district: u16,
    pub category: u16,
    pub start_year: i32,
    pub income_before: Money,
    pub income_after: Money,
    pub stage: Stage,
    pub status: OccupationStatus,
    pub verdict: Verdict,
    pub deleted: bool,
}

impl OccRow {
    pub fn new(r: &OccupationRecord) -> Self {
        Self {
            fund_id: r.fund_id,
            member_id: r.member_id,
            id: r.id,
            member_name: r.member_name.clone(),
            district: r.district,
            category: r.category,
            start_year: r.start_year,
            income_before: r.before.income,
            income_after: r.after.income,
            stage: r.stage,
            status: r.status,
            verdict: r.verdict(),
            deleted: false,
        }
    }

    pub fn key(&self) -> Vec<u8> {
        crate::store::occupation_key(self.fund_id, self.member_id, self.id)
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

#[derive(Default)]
pub struct Catalog {
    pub rows: Vec<OccRow>,
    /// Row number by record id.
    by_id: HashMap<u64, u32>,
    /// Sort orders computed so far (row numbers), dropped when rows change.
    orders: HashMap<(OccSort, Lang), Vec<u32>>,
    /// Bumped on every change, so views know to refresh.
    pub revision: u64,
}

impl Catalog {
    /// Reads every occupation record (in key order: grouped by fund).
    pub fn load(store: &Store) -> Result<Catalog, StoreError> {
        let mut c = Catalog::default();
        store.for_each_prefix::<OccupationRecord>(&[], |r| c.push(OccRow::new(&r)))?;
        Ok(c)
    }

    fn push(&mut self, row: OccRow) {
        self.by_id.insert(row.id, self.rows.len() as u32);
        self.rows.push(row);
    }

    pub fn live(&self) -> usize {
        self.rows.iter().filter(|r| !r.deleted).count()
    }

    pub fn row_of(&self, id: u64) -> Option<u32> {
        self.by_id.get(&id).copied()
    }

    /// A saved record enters or replaces its row.
    pub fn upsert(&mut self, r: &OccupationRecord) {
        let row = OccRow::new(r);
        match self.by_id.get(&r.id) {
            Some(i) => self.rows[*i as usize] = row,
            None => self.push(row),
        }
        self.orders.clear();
        self.revision += 1;
    }

    pub fn remove(&mut self, id: u64) {
        if let Some(i) = self.by_id.get(&id) {
            self.rows[*i as usize].deleted = true;
            self.orders.clear();
            self.revision += 1;
        }
    }

    /// Renames a member in every row of theirs (the store has done the same).
    pub fn rename_member(&mut self, member_id: u64, name: &str) {
        let mut changed = false;
        for r in self.rows.iter_mut().filter(|r| r.member_id == member_id && r.member_name != name) {
            r.member_name = name.to_string();
            changed = true;
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
        self.orders.entry((sort, lang)).or_insert_with(|| {
            let mut order: Vec<u32> = (0..rows.len() as u32).collect();
            let by_key = |a: &u32, b: &u32| {
                let (x, y) = (&rows[*a as usize], &rows[*b as usize]);
                (x.fund_id, x.member_id, x.id).cmp(&(y.fund_id, y.member_id, y.id))
            };
            match sort {
                OccSort::Fund => order.sort_by(by_key),
                OccSort::Member => {
                    let keys: Vec<Vec<u8>> = rows.iter().map(|r| thai::sort_key(&r.member_name)).collect();
                    order
                        .sort_by(|a, b| keys[*a as usize].cmp(&keys[*b as usize]).then_with(|| by_key(a, b)));
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
            && self.stage.is_none_or(|s| r.stage == s)
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
    pub fn matches(&self, r: &OccRow) -> bool {
        r.member_name.contains(&self.text)
            || self.categories.contains(&r.category)
            || self.districts.contains(&r.district)
            || self.funds.binary_search(&r.fund_id).is_ok()
    }
}

/// Today's year for the "since" column, kept here so views agree.
pub fn years_running(r: &OccRow, today: Date) -> i32 {
    (today.year() - r.start_year).max(0)
}
