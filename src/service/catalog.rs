//! The list of every occupation record, held in memory for the Occupations tab:
//! one compact row per record, loaded once in the background and kept current
//! by the saves of this process. Rows are never removed (a deleted record
//! leaves a tombstone), so a view's row numbers stay valid.

use std::{borrow::Cow, collections::HashMap, sync::Arc};

use memchr::memmem::Finder;

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
    /// The ids in 32 bits: the store hands out none past
    /// [`crate::store::MAX_ID`] (read them with [`OccRow::fund_id`] and the
    /// like).
    fund_id: u32,
    member_id: u32,
    id: u32,
    /// Byte offset and length of the member's name in [`Catalog::names`]
    /// (two fields, not a tuple, so the row packs into 64 bytes).
    name_at: u32,
    /// The length; its top bit ([`WIDE`]) says the name is held as UTF-8 (it
    /// has a character outside ASCII and Thai), not in [`narrow`]'s one byte
    /// a character.
    name_len: u16,
    pub district: u16,
    pub category: u16,
    /// The year the occupation began (years far outside the calendar, which
    /// no form or import accepts, are held at the ends of 16 bits).
    start_year: i16,
    /// The four figures in satang, in 32 bits (±21 million baht); one that
    /// does not fit is [`WIDE_MONEY`] here and held whole in the catalog's
    /// `wide` map (read them with [`Catalog::figures`]).
    money: [i32; 4],
    /// The ranking's repayment criterion as of the catalog's date (at most
    /// 10,000 points: [`repayment_points`]).
    repayment: u16,
    /// Days the oldest unpaid instalment of its loans is late, as of that date.
    pub days_late: u16,
    pub stage: Stage,
    pub status: OccupationStatus,
    pub verdict: Verdict,
    pub deleted: bool,
}

// 200,000 rows on a province: each 8 bytes is 1.6 MB of the officer's memory.
const _: () = assert!(std::mem::size_of::<OccRow>() <= 48);

/// A row's money figure that does not fit 32 bits: the catalog holds it.
const WIDE_MONEY: i32 = i32::MIN;

/// A row's four money figures, whole.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Figures {
    pub income_before: Money,
    pub income_after: Money,
    /// Income − expenses after, for the ranking.
    pub net_after: Money,
    pub savings_growth: Money,
}

impl Figures {
    fn of(r: &OccupationRecord) -> Figures {
        Figures {
            income_before: r.before.income,
            income_after: r.after.income,
            net_after: r.after.net(),
            savings_growth: r.savings_growth(),
        }
    }

    fn all(&self) -> [Money; 4] {
        [self.income_before, self.income_after, self.net_after, self.savings_growth]
    }

    /// In 32 bits each, and whether one did not fit.
    fn narrow(&self) -> ([i32; 4], bool) {
        let mut wide = false;
        let money = self.all().map(|m| match i32::try_from(m.0) {
            Ok(v) if v != WIDE_MONEY => v,
            _ => {
                wide = true;
                WIDE_MONEY
            }
        });
        (money, wide)
    }
}

impl OccRow {
    /// The row of a record; `None` if an id is past [`crate::store::MAX_ID`]
    /// (which the store does not hand out: only damage could bring one). The
    /// bool says a money figure did not fit the row: the catalog keeps it.
    fn new(r: &OccupationRecord, name: Name, as_of: Date) -> Option<(Self, bool)> {
        let (on_time, late) = repayment_record(&r.instalments, as_of);
        let (money, wide) = Figures::of(r).narrow();
        let row = Self {
            fund_id: u32::try_from(r.fund_id).ok()?,
            member_id: u32::try_from(r.member_id).ok()?,
            id: u32::try_from(r.id).ok()?,
            name_at: name.0,
            name_len: name.1 | if name.2 { WIDE } else { 0 },
            district: r.district,
            category: r.category,
            start_year: r.start_year.clamp(i32::from(i16::MIN), i32::from(i16::MAX)) as i16,
            money,
            repayment: repayment_points(on_time, late).min(u32::from(u16::MAX)) as u16,
            days_late: late.clamp(0, i32::from(u16::MAX)) as u16,
            stage: r.stage,
            status: r.status,
            verdict: r.verdict(),
            deleted: false,
        };
        Some((row, wide))
    }

    pub fn fund_id(&self) -> u64 {
        u64::from(self.fund_id)
    }

    pub fn member_id(&self) -> u64 {
        u64::from(self.member_id)
    }

    pub fn id(&self) -> u64 {
        u64::from(self.id)
    }

    pub fn start_year(&self) -> i32 {
        i32::from(self.start_year)
    }

    pub fn repayment(&self) -> u32 {
        u32::from(self.repayment)
    }

    fn name(&self) -> Name {
        (self.name_at, self.name_len & !WIDE, self.name_len & WIDE != 0)
    }

    fn set_name(&mut self, (at, len, wide): Name) {
        self.name_at = at;
        self.name_len = len | if wide { WIDE } else { 0 };
    }

    pub fn key(&self) -> Vec<u8> {
        crate::store::occupation_key(self.fund_id(), self.member_id(), self.id())
    }

    /// The row's figures for the ranking (its money `f`), as of `this_year`
    /// (C.E.) for the years.
    fn facts(&self, f: &Figures, this_year: i32) -> Facts {
        Facts {
            id: self.id(),
            income_growth: f.income_after.0 - f.income_before.0,
            net_income: f.net_after.0,
            savings_growth: f.savings_growth.0,
            repayment: self.repayment(),
            years: (this_year - self.start_year()).max(0),
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

/// Where a row's name is in the arena: offset, length in bytes, held wide.
type Name = (u32, u16, bool);

/// The top bit of [`OccRow`]'s name length: the name is held as UTF-8.
const WIDE: u16 = 0x8000;

/// Member names in one byte a character: ASCII as it is, the Thai block
/// (U+0E00–U+0E7F) as 0x80 + its offset. A Thai name takes a third of its
/// UTF-8 bytes (the province's 203,015 names: about 11 MB → 4 MB). A
/// character-for-byte code, so a substring of the name is a substring of
/// its bytes.
pub mod narrow {
    /// `text` in one byte a character, or `None` if it has any other character.
    pub fn encode(text: &str) -> Option<Vec<u8>> {
        let mut out = Vec::with_capacity(text.len());
        encode_into(text, &mut out).then_some(out)
    }

    /// A search for `text` in this code (`None` if it has no code). A
    /// prepared search: a keystroke runs it on every row's name.
    pub fn finder(text: &str) -> Option<super::Finder<'static>> {
        encode(text).map(|bytes| super::Finder::new(&bytes).into_owned())
    }

    /// Appends `text` to `out`; false (and `out` as it may be half written) if
    /// a character has no one-byte code.
    pub fn encode_into(text: &str, out: &mut Vec<u8>) -> bool {
        for c in text.chars() {
            match u32::from(c) {
                a @ 0..=0x7F => out.push(a as u8),
                t @ 0x0E00..=0x0E7F => out.push(0x80 + (t - 0x0E00) as u8),
                _ => return false,
            }
        }
        true
    }

    pub fn decode(bytes: &[u8]) -> String {
        bytes
            .iter()
            .map(|b| match b {
                0..=0x7F => char::from(*b),
                _ => char::from_u32(0x0E00 + u32::from(b - 0x80)).unwrap_or('\u{FFFD}'),
            })
            .collect()
    }
}

/// A row's name read from the arena.
fn name_in<'a>(names: &'a [u8], r: &OccRow) -> Cow<'a, str> {
    let (bytes, wide) = name_bytes(names, r);
    if wide { String::from_utf8_lossy(bytes) } else { Cow::Owned(narrow::decode(bytes)) }
}

/// A row's name as the arena holds it, and whether that is UTF-8.
fn name_bytes<'a>(names: &'a [u8], r: &OccRow) -> (&'a [u8], bool) {
    let (start, len, wide) = r.name();
    let start = start as usize;
    (names.get(start..start + usize::from(len)).unwrap_or(&[]), wide)
}

fn figures_in(wide: &HashMap<u32, [Money; 4]>, r: &OccRow) -> Figures {
    let whole = || wide.get(&r.id).copied().unwrap_or([Money(0); 4]);
    let [income_before, income_after, net_after, savings_growth] = if r.money.contains(&WIDE_MONEY) {
        let whole = whole();
        std::array::from_fn(
            |i| if r.money[i] == WIDE_MONEY { whole[i] } else { Money(i64::from(r.money[i])) },
        )
    } else {
        r.money.map(|m| Money(i64::from(m)))
    };
    Figures { income_before, income_after, net_after, savings_growth }
}

pub struct Catalog {
    pub rows: Vec<OccRow>,
    /// Every member name, back to back (see [`narrow`]).
    names: Vec<u8>,
    /// The figures of the rows with one past 32 bits (by record id; on a
    /// real store, none).
    wide: HashMap<u32, [Money; 4]>,
    /// Sort orders computed so far (the live rows' numbers), dropped when
    /// rows change; shared with the lists that show every row.
    orders: HashMap<(OccSort, Lang), Arc<Vec<u32>>>,
    /// Rows not deleted (kept, so a keystroke need not count them).
    live: usize,
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
            names: Vec::with_capacity(expected * 20),
            ..Catalog::empty(as_of)
        };
        // A record with an id past 32 bits (only damage brings one: the
        // store hands none out) is left out of the list; `check` names it.
        store.for_each_prefix::<OccupationRecord>(&[], |r| _ = c.push(&r))?;
        Ok(c)
    }

    pub fn empty(as_of: Date) -> Catalog {
        Catalog {
            rows: Vec::new(),
            names: Vec::new(),
            wide: HashMap::new(),
            orders: HashMap::new(),
            live: 0,
            revision: 0,
            as_of,
        }
    }

    /// A row's four money figures, whole.
    pub fn figures(&self, r: &OccRow) -> Figures {
        figures_in(&self.wide, r)
    }

    /// A row's figures for the ranking, as of `today` for the years.
    pub fn facts(&self, r: &OccRow, today: Date) -> Facts {
        self.facts_in(r, today.year())
    }

    /// [`Catalog::facts`] as of a year (C.E.): for a loop over many rows,
    /// which works the year out once (a date's year is a calendar sum).
    pub fn facts_in(&self, r: &OccRow, this_year: i32) -> Facts {
        r.facts(&self.figures(r), this_year)
    }

    /// Keeps (or forgets) the whole figures of a record's row.
    fn keep_wide(&mut self, r: &OccupationRecord, wide: bool) {
        let id = r.id as u32;
        if wide {
            self.wide.insert(id, Figures::of(r).all());
        } else if !self.wide.is_empty() {
            self.wide.remove(&id);
        }
    }

    fn intern(&mut self, name: &str) -> Name {
        let start = self.names.len();
        // A name longer than a row can say is cut at a character.
        let mut end = name.len().min(usize::from(!WIDE));
        while !name.is_char_boundary(end) {
            end -= 1;
        }
        let name = &name[..end];
        let wide = !narrow::encode_into(name, &mut self.names);
        if wide {
            self.names.truncate(start);
            self.names.extend_from_slice(name.as_bytes());
        }
        (start as u32, (self.names.len() - start) as u16, wide)
    }

    /// The member's name of a row.
    pub fn name(&self, r: &OccRow) -> Cow<'_, str> {
        name_in(&self.names, r)
    }

    /// Whether the member's name of a row holds `text` (`narrow`: a search
    /// for `text` in [`narrow`]'s code, `None` when it has no such code). No
    /// name is decoded.
    pub fn name_contains(&self, r: &OccRow, text: &str, narrow: Option<&Finder<'_>>) -> bool {
        let (bytes, wide) = name_bytes(&self.names, r);
        if wide {
            std::str::from_utf8(bytes).is_ok_and(|name| name.contains(text))
        } else {
            narrow.is_some_and(|n| n.find(bytes).is_some())
        }
    }

    /// Adds a record's row; false if its ids do not fit a row.
    fn push(&mut self, r: &OccupationRecord) -> bool {
        let start = self.names.len();
        let mut name = self.intern(&crate::domain::clean::line(&r.member_name));
        // A member's records come one after another (key order): the second
        // one shares the first one's name (compared as held, not decoded).
        if let Some(last) = self.rows.last()
            && u64::from(last.member_id) == r.member_id
            && name_bytes(&self.names[..start], last) == (&self.names[start..], name.2)
        {
            name = last.name();
            self.names.truncate(start);
        }
        match OccRow::new(r, name, self.as_of) {
            Some((row, wide)) => {
                self.keep_wide(r, wide);
                self.rows.push(row);
                self.live += 1;
            }
            None => {
                self.names.truncate(start);
                return false;
            }
        }
        true
    }

    pub fn live(&self) -> usize {
        self.live
    }

    /// The row of a record. A scan: it runs once per save, not per keystroke,
    /// and a map would cost more memory than the rows' names.
    pub fn row_of(&self, id: u64) -> Option<u32> {
        let id = u32::try_from(id).ok()?;
        self.rows.iter().position(|r| r.id == id).map(|i| i as u32)
    }

    /// A saved record enters or replaces its row.
    pub fn upsert(&mut self, r: &OccupationRecord) {
        match self.row_of(r.id) {
            Some(i) => {
                let row = &self.rows[i as usize];
                let shown = crate::domain::clean::line(&r.member_name);
                let name = if *self.name(row) == *shown { row.name() } else { self.intern(&shown) };
                // The row's ids are the record's, which fit.
                if let Some((new, wide)) = OccRow::new(r, name, self.as_of) {
                    self.keep_wide(r, wide);
                    // A record saved again after a deletion lives again.
                    if self.rows[i as usize].deleted {
                        self.live += 1;
                    }
                    self.rows[i as usize] = new;
                }
            }
            // Saved records have ids the store handed out, which fit.
            None => _ = self.push(r),
        }
        self.orders.clear();
        self.revision += 1;
    }

    pub fn remove(&mut self, id: u64) {
        if let Some(i) = self.row_of(id) {
            if !self.rows[i as usize].deleted {
                self.live -= 1;
            }
            self.rows[i as usize].deleted = true;
            self.orders.clear();
            self.revision += 1;
        }
    }

    /// Renames a member in every row of theirs (the store has done the same).
    pub fn rename_member(&mut self, member_id: u64, name: &str) {
        let name = &*crate::domain::clean::line(name);
        let stale: Vec<usize> = (0..self.rows.len())
            .filter(|i| self.rows[*i].member_id() == member_id && *self.name(&self.rows[*i]) != *name)
            .collect();
        let changed = !stale.is_empty();
        if changed {
            let interned = self.intern(name);
            for i in stale {
                self.rows[i].set_name(interned);
            }
        }
        if changed {
            self.orders.clear();
            self.revision += 1;
        }
    }

    /// The order [`Catalog::order`] computed for `sort` in `lang`, if it is
    /// still current.
    pub fn cached_order(&self, sort: OccSort, lang: Lang) -> Option<&[u32]> {
        self.orders.get(&(sort, lang)).map(|o| o.as_slice())
    }

    /// As [`Catalog::cached_order`], to keep: a list of every live row
    /// shows this one copy, not its own.
    pub fn shared_order(&self, sort: OccSort, lang: Lang) -> Option<Arc<Vec<u32>>> {
        self.orders.get(&(sort, lang)).map(Arc::clone)
    }

    /// The live rows' numbers in `sort` order (ascending), computed once per sort.
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
        let wide = &self.wide;
        let name_of = |r: &OccRow| name_in(names, r);
        self.orders.entry((sort, lang)).or_insert_with(|| {
            // Deleted rows are left out: every change drops the orders.
            let mut order: Vec<u32> = (0..rows.len() as u32).filter(|i| !rows[*i as usize].deleted).collect();
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
                        keys.extend_from_slice(&thai::sort_key(&name_of(r)));
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
                OccSort::IncomeAfter => {
                    let income = |i: &u32| figures_in(wide, &rows[*i as usize]).income_after;
                    order.sort_by(|a, b| income(a).cmp(&income(b)).then_with(|| by_key(a, b)))
                }
                OccSort::Stage => order.sort_by(|a, b| {
                    rows[*a as usize].stage.cmp(&rows[*b as usize].stage).then_with(|| by_key(a, b))
                }),
            }
            Arc::new(order)
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
            && self.fund.is_none_or(|f| r.fund_id() == f)
            && self.stage.is_none_or(|s| r.stage == s || self.stage_or_later && r.stage > s)
            && self.coached.as_ref().is_none_or(|c| c.contains(&(r.fund_id(), r.member_id(), r.id())))
    }
}

/// One search term, resolved against the small dictionaries once per keystroke
/// so that each of the many rows is matched with a substring test and three
/// set lookups.
pub struct Term {
    pub text: String,
    /// A search for `text` in [`narrow`]'s code, if it has one (built once
    /// per keystroke, run on every row).
    pub narrow: Option<Finder<'static>>,
    pub categories: Vec<u16>,
    pub districts: Vec<u16>,
    pub funds: Vec<u64>,
}

impl Term {
    /// `cat` holds the row's member name.
    pub fn matches(&self, r: &OccRow, cat: &Catalog) -> bool {
        cat.name_contains(r, &self.text, self.narrow.as_ref())
            || self.categories.contains(&r.category)
            || self.districts.contains(&r.district)
            || self.funds.binary_search(&r.fund_id()).is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::member::Member;

    fn catalog(names: &[&str]) -> Catalog {
        let mut c = Catalog::empty(Date::from_ymd(2026, 9, 30).expect("date"));
        for (i, name) in names.iter().enumerate() {
            let mut m = Member::new(1);
            m.id = i as u64 + 1;
            let mut r = OccupationRecord::new(&m, 3301, 2020);
            r.id = i as u64 + 1;
            r.member_name = (*name).to_string();
            c.upsert(&r);
        }
        c
    }

    fn found(c: &Catalog, text: &str) -> Vec<String> {
        let n = narrow::finder(text);
        c.rows
            .iter()
            .filter(|r| c.name_contains(r, text, n.as_ref()))
            .map(|r| c.name(r).into_owned())
            .collect()
    }

    #[test]
    fn a_row_keeps_the_record_s_ids_and_figures_in_48_bytes() {
        assert_eq!(std::mem::size_of::<OccRow>(), 48);
        let max = crate::store::MAX_ID;
        let mut c = catalog(&["นายสมชาย ใจดี"]);
        // Three different ids, so a field read from another would show.
        let mut m = Member::new(max - 2);
        m.id = max - 1;
        m.given_name = "สมศรี".into();
        let mut r = OccupationRecord::new(&m, 3301, 2551);
        r.id = max;
        r.before.income = Money(1_234_567);
        r.after.income = Money(7_654_321);
        c.upsert(&r);
        let row = &c.rows[1];
        assert_eq!((row.fund_id(), row.member_id(), row.id()), (max - 2, max - 1, max));
        assert_eq!(row.key(), crate::store::occupation_key(max - 2, max - 1, max));
        let money = c.figures(row);
        assert_eq!((money.income_before, money.income_after), (r.before.income, r.after.income));
        assert_eq!((row.start_year(), row.repayment()), (2551, 10_000));
        assert_eq!(c.row_of(max), Some(1));
        // A year far outside the calendar is held at the end of 16 bits.
        r.start_year = 100_000;
        c.upsert(&r);
        assert_eq!(c.rows[1].start_year(), i32::from(i16::MAX));

        // An id past 32 bits (only damage brings one) makes no row and
        // leaves no name behind.
        let names = c.names.len();
        let mut other = Member::new(1);
        other.id = 99;
        other.given_name = "ชื่อใหม่ที่ยังไม่มี".into();
        let mut past = OccupationRecord::new(&other, 3301, 2551);
        past.id = u64::from(u32::MAX) + 1;
        assert!(!c.push(&past));
        assert_eq!((c.rows.len(), c.names.len()), (2, names));
        assert_eq!(c.row_of(past.id), None);
    }

    /// A figure past 32 bits of satang (21 million baht) is kept whole beside
    /// the row: shown, sorted and ranked as it is, and forgotten when the
    /// record comes back within 32 bits.
    #[test]
    fn money_past_32_bits_is_kept_whole_beside_the_row() {
        let mut c = catalog(&["นายสมชาย ใจดี", "นางสมศรี ใจงาม"]);
        let big = Money(i64::from(i32::MAX) * 3 + 7);
        let mut m = Member::new(1);
        m.id = 1;
        let mut r = OccupationRecord::new(&m, 3301, 2551);
        r.id = 1;
        r.before.income = Money(-i64::from(i32::MAX) * 2);
        r.after.income = big;
        r.after.expenses = Money(i64::from(i32::MIN));
        c.upsert(&r);
        let f = c.figures(&c.rows[0]);
        assert_eq!(f, Figures::of(&r));
        assert_eq!((f.income_before, f.income_after), (r.before.income, big));
        assert_eq!(f.net_after, Money(big.0 - i64::from(i32::MIN)));
        let facts = c.facts(&c.rows[0], Date::from_ymd(2026, 1, 1).expect("date"));
        assert_eq!(facts.income_growth, big.0 + i64::from(i32::MAX) * 2);
        assert_eq!(facts.net_income, big.0 - i64::from(i32::MIN));
        // The richest household sorts last by income after.
        let order = c.order(OccSort::IncomeAfter, Lang::Th, &|_| String::new(), &|_| String::new()).to_vec();
        assert_eq!(order.last(), Some(&0));
        // Back within 32 bits: the row holds it, the catalog forgets it.
        r.before.income = Money(100);
        r.after.income = Money(200);
        r.after.expenses = Money(50);
        c.upsert(&r);
        assert_eq!(c.figures(&c.rows[0]), Figures::of(&r));
        assert!(c.wide.is_empty());
    }

    /// The count of live rows follows deletions and a record saved again,
    /// as a count of the rows does.
    #[test]
    fn the_live_count_follows_deletions_and_saves() {
        let mut c = catalog(&["ก", "ข", "ค"]);
        let counted = |c: &Catalog| c.rows.iter().filter(|r| !r.deleted).count();
        assert_eq!((c.live(), counted(&c)), (3, 3));
        c.remove(2);
        c.remove(2);
        assert_eq!((c.live(), counted(&c)), (2, 2));
        let mut m = Member::new(1);
        m.id = 2;
        let mut r = OccupationRecord::new(&m, 3301, 2020);
        r.id = 2;
        c.upsert(&r);
        c.upsert(&r);
        assert_eq!((c.live(), counted(&c)), (3, 3));
        r.id = 9;
        c.upsert(&r);
        assert_eq!((c.live(), counted(&c)), (4, 4));
    }

    /// A member's second record shares the first one's name; renaming the
    /// member renames both, and another member's row keeps its own.
    #[test]
    fn a_member_s_records_share_a_name_and_are_renamed_together() {
        let mut c = Catalog::empty(Date::from_ymd(2026, 9, 30).expect("date"));
        let mut m = Member::new(1);
        m.id = 7;
        m.given_name = "สมชาย".into();
        let mut n = Member::new(1);
        n.id = 8;
        n.given_name = "สมหญิง".into();
        for (id, who) in [(1, &m), (2, &m), (3, &n)] {
            let mut r = OccupationRecord::new(who, 3301, 2551);
            r.id = id;
            assert!(c.push(&r));
        }
        assert_eq!(c.rows[0].name(), c.rows[1].name(), "shared");
        let shared = c.names.len();
        c.rename_member(7, "สมชาติ");
        assert!(c.names.len() > shared);
        assert_eq!(c.name(&c.rows[0]), "สมชาติ");
        assert_eq!(c.name(&c.rows[1]), "สมชาติ");
        assert_eq!(c.name(&c.rows[2]), crate::domain::clean::line(&n.full_name()));
    }

    #[test]
    fn thai_names_take_one_byte_a_character_and_read_back_whole() {
        let names = ["นายสมชาย ใจดี", "นางสาวกัญญ์ณัฏฐ์ ศรีสุข", "Mr. John Smith", "นาย A. สมศักดิ์ 2"];
        let c = catalog(&names);
        for (r, name) in c.rows.iter().zip(names) {
            assert_eq!(c.name(r), name);
            assert!(!r.name().2, "{name} held wide");
            assert_eq!(usize::from(r.name().1), name.chars().count());
        }
        assert_eq!(c.names.len(), names.iter().map(|n| n.chars().count()).sum::<usize>());
    }

    #[test]
    fn a_name_with_other_characters_is_kept_as_it_is_and_still_found() {
        // Vietnamese and an emoji have no one-byte code; a Thai tone mark
        // (U+0E48) does. The wide name's UTF-8 bytes must not be matched as
        // one-byte Thai, nor a one-byte query outside a narrow name.
        let c = catalog(&["Nguyễn Văn สมชาย", "นายสมชาย ใจดี", "สมหญิง 🌾", "นายก่อ"]);
        assert!(c.rows[0].name().2 && c.rows[2].name().2 && !c.rows[1].name().2);
        assert_eq!(c.name(&c.rows[0]), "Nguyễn Văn สมชาย");
        assert_eq!(found(&c, "สมชาย"), ["Nguyễn Văn สมชาย", "นายสมชาย ใจดี"]);
        assert_eq!(found(&c, "ễn"), ["Nguyễn Văn สมชาย"]);
        assert_eq!(found(&c, "🌾"), ["สมหญิง 🌾"]);
        assert_eq!(found(&c, "ก่"), ["นายก่อ"]);
        assert_eq!(found(&c, "ใจดี"), ["นายสมชาย ใจดี"]);
        assert_eq!(found(&c, ""), c.rows.iter().map(|r| c.name(r).into_owned()).collect::<Vec<_>>());
        assert!(found(&c, "สมชายx").is_empty());
    }

    #[test]
    fn a_rename_and_a_saved_record_keep_the_name_right() {
        let mut c = catalog(&["นายสมชาย ใจดี", "นางมาลี ดีใจ"]);
        c.rename_member(1, "Nguyễn สมชาย");
        assert_eq!(c.name(&c.rows[0]), "Nguyễn สมชาย");
        c.rename_member(1, "นายสมชาย ใจดี");
        assert_eq!(c.name(&c.rows[0]), "นายสมชาย ใจดี");
        assert_eq!(c.name(&c.rows[1]), "นางมาลี ดีใจ");
        // A name too long for a row is cut at a character, never mid-way.
        let long = "ก".repeat(40_000);
        c.rename_member(2, &long);
        let cut = c.name(&c.rows[1]).into_owned();
        assert!(
            long.starts_with(&cut) && cut.len() <= usize::from(!WIDE) && cut.len() > usize::from(!WIDE) - 3
        );
    }
}
