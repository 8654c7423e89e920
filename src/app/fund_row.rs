//! One fund as the lists show it, and a way for any screen to look funds up
//! without reaching into the Funds tab.

use std::sync::Arc;

use crate::{
    domain::{
        Lang, Money,
        fund::{Fund, FundKind, Grade},
        thai,
    },
    service::{geo::Geo, overview::FundFacts},
};

/// One line of the fund list: what the columns show (what `/` searches is
/// kept by the [`FundList`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FundRow {
    pub id: u64,
    pub version: u64,
    /// Shared, not copied, when a list is taken again with new member counts.
    pub code: Arc<str>,
    pub name: Arc<str>,
    pub kind: FundKind,
    pub district: u16,
    pub subdistrict: u32,
    pub grade: Grade,
    pub members: u32,
    /// Lending capital ([`Fund::lending_capital`]).
    pub capital: Money,
    /// The Pracharat project budget ([`Fund::project_budget`]).
    pub project_budget: Money,
    /// Capital by kind of event, in `CapitalKind::ALL` order (satang).
    pub capital_by_kind: [i64; 6],
    pub established: Option<crate::domain::Date>,
}

impl FundRow {
    pub fn new(f: &Fund, members: u32) -> Self {
        let facts = FundFacts::of(f, members);
        Self {
            id: f.id,
            version: f.version,
            code: f.code.as_str().into(),
            // Shown as the terminal may show it (see `domain::clean`).
            name: crate::domain::clean::line(&f.name).into(),
            kind: f.kind,
            district: f.district(),
            subdistrict: f.subdistrict(),
            grade: f.grade,
            members,
            capital: Money(facts.lending),
            project_budget: Money(facts.budget),
            capital_by_kind: facts.capital_by_kind,
            established: f.established,
        }
    }

    /// What `/` searches: the code, name and place names in both
    /// languages, folded for matching. A [`FundList`] keeps it.
    pub fn search_text(f: &Fund, geo: &Geo) -> String {
        let (d, s) = (u32::from(f.district()), f.subdistrict());
        thai::fold_for_search(&format!(
            "{} {} {} {} {} {}",
            f.code,
            f.name,
            geo.name(d, Lang::Th),
            geo.name(d, Lang::En),
            geo.name(s, Lang::Th),
            geo.name(s, Lang::En),
        ))
    }

    /// What the Overview's figures take of this fund.
    pub fn facts(&self) -> FundFacts {
        FundFacts {
            id: self.id,
            district: self.district,
            members: self.members,
            lending: self.capital.0,
            budget: self.project_budget.0,
            capital_by_kind: self.capital_by_kind,
        }
    }
}

/// The funds any screen may look up (the Funds tab holds them).
pub trait FundLookup {
    /// Every fund, in no particular order.
    fn rows(&self) -> &[FundRow];

    fn row(&self, id: u64) -> Option<&FundRow> {
        self.rows().iter().find(|r| r.id == id)
    }

    fn code_of(&self, id: u64) -> Option<String> {
        self.row(id).map(|r| r.code.to_string())
    }

    /// Each fund's village code (PPDDSSVV) by fund id, as the sage plan wants it.
    fn villages(&self) -> std::collections::HashMap<u64, u32> {
        self.rows().iter().map(|r| (r.id, r.code.parse().unwrap_or(0))).collect()
    }

    /// The funds of a subdistrict, sorted.
    fn funds_in(&self, subdistrict: u32) -> Vec<u64> {
        let mut v: Vec<u64> =
            self.rows().iter().filter(|r| r.subdistrict == subdistrict).map(|r| r.id).collect();
        v.sort_unstable();
        v
    }
}

impl FundLookup for [FundRow] {
    fn rows(&self) -> &[FundRow] {
        self
    }
}

/// The funds a session may see, their search texts kept in one block beside
/// them: a term is found with one search over the block, not one search a
/// fund (79,600 at the nation). Every session that shares the list shares
/// the block.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FundList {
    rows: Vec<FundRow>,
    block: Arc<TextBlock>,
}

/// Every fund's search text, one after another, each ended by the byte 0xFF,
/// which no UTF-8 text holds: no find runs from one fund's text into the next.
#[derive(Debug, Default, PartialEq)]
struct TextBlock {
    text: Vec<u8>,
    /// Where each fund's text ends (its 0xFF), by row.
    ends: Vec<usize>,
}

impl TextBlock {
    fn of<T: AsRef<[u8]>>(texts: impl ExactSizeIterator<Item = T>) -> TextBlock {
        let mut block = TextBlock { text: Vec::new(), ends: Vec::with_capacity(texts.len()) };
        for t in texts {
            block.push(t.as_ref());
        }
        block.text.shrink_to_fit();
        block
    }

    fn push(&mut self, t: &[u8]) {
        self.text.extend_from_slice(t);
        self.ends.push(self.text.len());
        self.text.push(0xFF);
    }

    /// Row `i`'s text.
    fn get(&self, i: usize) -> &[u8] {
        let start = i.checked_sub(1).and_then(|p| self.ends.get(p)).map_or(0, |e| e + 1);
        self.ends.get(i).and_then(|end| self.text.get(start..*end)).unwrap_or(&[])
    }
}

/// An empty list, for the screens that are given no funds.
pub static NO_FUNDS: std::sync::LazyLock<FundList> = std::sync::LazyLock::new(FundList::default);

impl FundList {
    /// The funds as the lists show them, each with its member count from
    /// `members`.
    pub fn of(funds: &[Fund], geo: &Geo, members: impl Fn(u64) -> u32) -> FundList {
        FundList::new(funds.iter().map(|f| (FundRow::new(f, members(f.id)), FundRow::search_text(f, geo))))
    }

    /// Rows, each with its [`FundRow::search_text`].
    pub fn new(rows: impl ExactSizeIterator<Item = (FundRow, String)>) -> FundList {
        let mut kept = Vec::with_capacity(rows.len());
        // Each text goes into the block as its row is taken (and is then
        // dropped), never held by the rows.
        let block = TextBlock::of(rows.map(|(row, text)| {
            kept.push(row);
            text
        }));
        FundList { rows: kept, block: Arc::new(block) }
    }

    /// The funds for which `keep` is true, with their texts.
    pub fn only(&self, keep: impl Fn(&FundRow) -> bool) -> FundList {
        let kept: Vec<usize> = (0..self.rows.len()).filter(|i| keep(&self.rows[*i])).collect();
        let block = TextBlock::of(kept.iter().map(|i| self.block.get(*i)));
        FundList { rows: kept.iter().map(|i| self.rows[*i].clone()).collect(), block: Arc::new(block) }
    }

    /// The same funds with each one's member count from `members`; the
    /// search texts (which do not hold it) are shared.
    pub fn with_members(&self, members: impl Fn(u64) -> u32) -> FundList {
        let rows = self.rows.iter().map(|r| FundRow { members: members(r.id), ..r.clone() }).collect();
        FundList { rows, block: Arc::clone(&self.block) }
    }

    /// Puts a row with its [`FundRow::search_text`] in the place of the row
    /// with its id, or at the end.
    pub fn put(&mut self, row: FundRow, text: &str) {
        let at = self.rows.iter().position(|r| r.id == row.id);
        let n = self.rows.len();
        let block = TextBlock::of(
            (0..n + usize::from(at.is_none()))
                .map(|i| if Some(i) == at || i == n { text.as_bytes() } else { self.block.get(i) }),
        );
        match at {
            Some(i) => self.rows[i] = row,
            None => self.rows.push(row),
        }
        self.block = Arc::new(block);
    }

    /// Takes the fund `id` out of the list.
    pub fn remove(&mut self, id: u64) {
        *self = self.only(|r| r.id != id);
    }

    /// Row `i`'s search text (code, name and places, folded).
    pub fn text(&self, i: usize) -> &str {
        std::str::from_utf8(self.block.get(i)).unwrap_or("")
    }

    /// Marks each row that holds the (folded) search term in its code, name
    /// or places: `hit[i]` stays true only for a row `i` that holds it, so
    /// calling it once a term leaves true the rows that hold every term.
    /// `hit` is as long as the list.
    pub fn keep_holding(&self, term: &str, hit: &mut [bool]) {
        let finder = memchr::memmem::Finder::new(term.as_bytes());
        let (text, ends) = (&self.block.text[..], &self.block.ends[..]);
        // `next`: the first row not yet known to hold the term or not.
        let (mut row, mut next, mut at) = (0usize, 0usize, 0usize);
        while let Some(found) = text.get(at..).and_then(|t| finder.find(t)) {
            // The row whose text holds the find: rows only move forward, so
            // the walk is one step a row over the whole search.
            while ends.get(row).is_some_and(|end| *end < at + found) {
                row += 1;
            }
            let Some(end) = ends.get(row) else { break };
            for h in hit.iter_mut().take(row).skip(next) {
                *h = false;
            }
            // The next search starts at the next fund's text.
            (row, next, at) = (row + 1, row + 1, end + 1);
        }
        for h in hit.iter_mut().skip(next) {
            *h = false;
        }
    }
}

impl std::ops::Deref for FundList {
    type Target = [FundRow];
    fn deref(&self) -> &[FundRow] {
        &self.rows
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn row(id: u64, search: &str) -> (FundRow, String) {
        let row = FundRow {
            id,
            version: 1,
            code: id.to_string().into(),
            name: "".into(),
            kind: FundKind::default(),
            district: 3301,
            subdistrict: 330101,
            grade: Grade::default(),
            members: 0,
            capital: Money(0),
            project_budget: Money(0),
            capital_by_kind: [0; 6],
            established: None,
        };
        (row, search.to_string())
    }

    fn holding(list: &FundList, terms: &[&str]) -> Vec<u64> {
        let mut hit = vec![true; list.len()];
        for t in terms {
            list.keep_holding(t, &mut hit);
        }
        list.iter().zip(&hit).filter(|(_, h)| **h).map(|(r, _)| r.id).collect()
    }

    fn each_holding(list: &FundList, terms: &[&str]) -> Vec<u64> {
        (0..list.len())
            .filter(|i| terms.iter().all(|t| list.text(*i).contains(t)))
            .map(|i| list[i].id)
            .collect()
    }

    proptest! {
        /// One search over the block finds exactly the funds whose own text
        /// holds every term: Thai letters, marks, digits, the space.
        #[test]
        fn the_block_finds_what_each_text_holds(
            texts in prop::collection::vec("[สมชายกันทร่้ั ก1-3a]{0,12}", 0..40),
            terms in prop::collection::vec("[สมชายก่1a]{0,3}", 1..3),
        ) {
            let list = FundList::new(texts.iter().enumerate().map(|(i, t)| row(i as u64, t)));
            prop_assert!((0..list.len()).all(|i| list.text(i) == texts[i]));
            let terms: Vec<&str> = terms.iter().map(String::as_str).collect();
            prop_assert_eq!(holding(&list, &terms), each_holding(&list, &terms));
            // A list of some of them keeps their texts.
            let odd = list.only(|r| r.id % 2 == 1);
            prop_assert!((0..odd.len()).all(|i| odd.text(i) == texts[odd[i].id as usize]));
            prop_assert_eq!(holding(&odd, &terms), each_holding(&odd, &terms));
        }
    }

    #[test]
    fn a_changed_list_is_searched_as_it_now_is() {
        let mut list = FundList::new([row(1, "บ้านสมชาย"), row(2, "บ้านนา")].into_iter());
        assert_eq!(holding(&list, &["นา"]), vec![2]);
        let shared = list.clone();
        let put = |list: &mut FundList, (r, t): (FundRow, String)| list.put(r, &t);
        put(&mut list, row(3, "หนองนา"));
        put(&mut list, row(1, "นาดี"));
        assert_eq!(holding(&list, &["นา"]), vec![1, 2, 3]);
        assert_eq!((list.text(0), list.text(2)), ("นาดี", "หนองนา"));
        // A session that shared the list before keeps what it had.
        assert_eq!(holding(&shared, &["นา"]), vec![2]);
        list.remove(2);
        assert_eq!(holding(&list, &["นา"]), vec![1, 3]);
        // A member count changed keeps the texts, and what they hold.
        let counted = list.with_members(|id| id as u32 * 10);
        assert_eq!(holding(&counted, &["นา"]), vec![1, 3]);
        assert_eq!(counted.iter().map(|r| r.members).collect::<Vec<_>>(), vec![10, 30]);
        // No find runs from one text into the next.
        assert_eq!(holding(&list, &["ดีหนอง"]), Vec::<u64>::new());
        assert_eq!(holding(&NO_FUNDS, &["นา"]), Vec::<u64>::new());
    }
}
