//! The ranking of successful occupations (programme step 3): a score an officer
//! can explain.
//!
//! Six criteria come from the records: income growth (income after − before),
//! net income after (income − expenses), savings growth (after − before), the
//! loan repayment record, the years the occupation has lasted, and the สัมมาชีพ
//! definition (not met 0, met ½, strong 1).
//!
//! **Repayment record**: the share of the funding loans' instalments that were
//! covered by their due date (none due yet counts as all on time), reduced in
//! proportion to the days the oldest unpaid instalment is late: 30 days late
//! keeps two thirds, 90 days or more keeps nothing.
//!
//! **Normalisation**: within the households being ranked (the scope), each
//! criterion is scaled so that the lowest value scores 0 and the highest 1
//! (`(x − min) ÷ (max − min)`); when everyone has the same value, everyone gets
//! 1. The score is the weighted sum of the six, on a scale of 0–100 points.
//!
//! **Ties** go to the higher net income, then the better repayment record, then
//! the record entered first (lower id). All arithmetic is in integers, so the
//! same data always give the same order.

use serde::{Deserialize, Serialize};
use strength_reduce::StrengthReducedU64;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Criterion {
    IncomeGrowth,
    NetIncome,
    SavingsGrowth,
    Repayment,
    Years,
    Sammachip,
}

impl Criterion {
    pub const ALL: [Criterion; 6] = [
        Criterion::IncomeGrowth,
        Criterion::NetIncome,
        Criterion::SavingsGrowth,
        Criterion::Repayment,
        Criterion::Years,
        Criterion::Sammachip,
    ];
}

/// One household's raw figures for the ranking.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Facts {
    /// The occupation record's id (the last tie-break).
    pub id: u64,
    /// Satang a year.
    pub income_growth: i64,
    pub net_income: i64,
    pub savings_growth: i64,
    /// 0–10,000 (see [`repayment_points`]).
    pub repayment: u32,
    pub years: i32,
    /// 0 not met, 5,000 met, 10,000 strong.
    pub sammachip: u32,
}

impl Facts {
    pub fn value(&self, c: Criterion) -> i64 {
        match c {
            Criterion::IncomeGrowth => self.income_growth,
            Criterion::NetIncome => self.net_income,
            Criterion::SavingsGrowth => self.savings_growth,
            Criterion::Repayment => i64::from(self.repayment),
            Criterion::Years => i64::from(self.years),
            Criterion::Sammachip => i64::from(self.sammachip),
        }
    }
}

/// The repayment criterion from the on-time share (basis points; `None`: no
/// instalment due yet) and the days the oldest unpaid instalment is late.
pub fn repayment_points(on_time_bp: Option<u32>, days_late: i32) -> u32 {
    let share = on_time_bp.unwrap_or(10_000).min(10_000);
    let kept = 90 - days_late.clamp(0, 90);
    share * kept as u32 / 90
}

/// Weights of the six criteria, in [`Criterion::ALL`] order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Weights(pub [u32; 6]);

impl Default for Weights {
    /// Income growth 25, net income 25, savings growth 15, repayment 20,
    /// years 5, สัมมาชีพ 10: what the household earns counts most, then whether
    /// it repays, then whether it saves.
    fn default() -> Self {
        Weights([25, 25, 15, 20, 5, 10])
    }
}

impl Weights {
    pub fn get(&self, c: Criterion) -> u32 {
        Criterion::ALL.iter().position(|x| *x == c).map_or(0, |i| self.0[i])
    }

    pub fn total(&self) -> u32 {
        self.0.iter().sum()
    }
}

/// Weights and list length saved under a name, to rank the same way again.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Profile {
    pub name: String,
    pub weights: Weights,
    /// How many to pick (the programme coaches 20–30).
    pub top: u16,
}

impl Default for Profile {
    fn default() -> Self {
        Profile { name: String::new(), weights: Weights::default(), top: 30 }
    }
}

/// A normalised criterion: 0 to this.
pub const NORM: u32 = 1_000_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ranked {
    /// Position in the slice that was ranked.
    pub index: usize,
    /// 1 for the best.
    pub rank: usize,
    /// Σ weight × normalised criterion.
    pub score: u64,
    pub norms: [u32; 6],
}

impl Ranked {
    /// The score in hundredths of a point (0–10,000 = 0–100 points).
    pub fn points(&self, w: &Weights) -> u32 {
        points(self.score, w)
    }

    /// What one criterion added, in hundredths of a point.
    pub fn contribution(&self, w: &Weights, c: Criterion) -> u32 {
        let i = Criterion::ALL.iter().position(|x| *x == c).unwrap_or(0);
        points(u64::from(w.0[i]) * u64::from(self.norms[i]), w)
    }
}

fn points(score: u64, w: &Weights) -> u32 {
    let total = u64::from(w.total().max(1)) * u64::from(NORM);
    (score * 10_000 / total) as u32
}

/// `1234` hundredths → `12.34`.
pub fn format_points(hundredths: u32) -> String {
    format!("{}.{:02}", hundredths / 100, hundredths % 100)
}

/// The lowest and highest value of each criterion among the households of a
/// scope, gathered one household at a time (or part by part, then merged).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Bounds {
    lo: [i64; 6],
    hi: [i64; 6],
}

impl Default for Bounds {
    fn default() -> Self {
        Bounds { lo: [i64::MAX; 6], hi: [i64::MIN; 6] }
    }
}

impl Bounds {
    pub fn add(&mut self, f: &Facts) {
        for (i, c) in Criterion::ALL.iter().enumerate() {
            let v = f.value(*c);
            self.lo[i] = self.lo[i].min(v);
            self.hi[i] = self.hi[i].max(v);
        }
    }

    /// The bounds of both parts.
    pub fn merge(&mut self, other: &Bounds) {
        for i in 0..6 {
            self.lo[i] = self.lo[i].min(other.lo[i]);
            self.hi[i] = self.hi[i].max(other.hi[i]);
        }
    }

    /// The scaling these bounds give (see [`Scale`]).
    pub fn scale(&self) -> Scale {
        let span = std::array::from_fn(|i| match self.hi[i].abs_diff(self.lo[i]) {
            0 => None,
            d => Some(StrengthReducedU64::new(d)),
        });
        let per_unit = span.map(|s| s.map_or(0.0, |s| f64::from(NORM) / s.get() as f64));
        Scale { lo: self.lo, span, per_unit }
    }
}

/// The lowest and highest value of each criterion.
fn bounds(facts: impl Iterator<Item = Facts>) -> Bounds {
    let mut b = Bounds::default();
    for f in facts {
        b.add(&f);
    }
    b
}

/// How a scope's figures are scaled to 0..=NORM: each criterion's lowest
/// value and its span (`None`: everyone has the same value), the span's
/// division prepared once (a multiply a figure in place of a 64-bit
/// division, exact; a quarter of the nation's ranking was divisions).
#[derive(Clone, Copy, Debug)]
pub struct Scale {
    lo: [i64; 6],
    span: [Option<StrengthReducedU64>; 6],
    /// NORM ÷ span, in floating point, for [`Scale::cannot_reach`].
    per_unit: [f64; 6],
}

impl Scale {
    /// Each criterion of `f` scaled to 0..=NORM between the scope's lowest
    /// and highest value.
    pub fn norms(&self, f: &Facts) -> [u32; 6] {
        let mut n = [0u32; 6];
        for (i, c) in Criterion::ALL.iter().enumerate() {
            // lo ≤ value ≤ hi: the offset is whole and not above the span.
            let off = f.value(*c).abs_diff(self.lo[i]);
            n[i] = match self.span[i] {
                None => NORM,
                // Every figure below 184 billion baht.
                Some(span) => match off.checked_mul(u64::from(NORM)) {
                    Some(scaled) => (scaled / span) as u32,
                    None => (u128::from(off) * u128::from(NORM) / u128::from(span.get())) as u32,
                },
            };
        }
        n
    }

    /// Whether `f` certainly scores below `bar`: a bound on its score in
    /// floating point (off by less than 10⁻¹⁴ of it), with a margin of 10⁻⁹
    /// either side. Cheaper than [`Scale::norms`]; a household it passes is
    /// scaled exactly.
    pub fn cannot_reach(&self, f: &Facts, w: &Weights, bar: u64) -> bool {
        let mut most = 0.0;
        for (i, c) in Criterion::ALL.iter().enumerate() {
            let norm = if self.span[i].is_none() {
                f64::from(NORM)
            } else {
                f.value(*c).abs_diff(self.lo[i]) as f64 * self.per_unit[i]
            };
            most += f64::from(w.0[i]) * norm;
        }
        most * (1.0 + 1e-9) < bar as f64 * (1.0 - 1e-9)
    }

    /// A household's place in the ranking; `index`: its position among the
    /// households ranked.
    pub fn place(&self, f: &Facts, index: usize, w: &Weights) -> Place {
        use std::cmp::Reverse;
        let norms = self.norms(f);
        let score = norms.iter().zip(w.0).map(|(x, w)| u64::from(*x) * u64::from(w)).sum();
        Place { key: (Reverse(score), Reverse(f.net_income), Reverse(f.repayment), f.id), index, norms }
    }
}

/// Each criterion of `f` scaled to 0..=NORM between `b`'s lowest and highest.
#[cfg(test)]
fn normalise(f: &Facts, b: &Bounds) -> [u32; 6] {
    b.scale().norms(f)
}

/// A household's place in the ranking: ordered as the ranking orders them
/// (score, then net income, then repayment, highest first; then the lowest
/// id), so the smallest is the best.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Place {
    key: (std::cmp::Reverse<u64>, std::cmp::Reverse<i64>, std::cmp::Reverse<u32>, u64),
    index: usize,
    norms: [u32; 6],
}

impl Place {
    /// The household at this place, ranked `rank`.
    pub fn ranked(&self, rank: usize) -> Ranked {
        Ranked { index: self.index, rank, score: self.key.0.0, norms: self.norms }
    }

    /// Its score (Σ weight × normalised criterion).
    pub fn score(&self) -> u64 {
        self.key.0.0
    }

    /// Which of two households the ranking puts first, whatever the
    /// positions they were given (`Less`: this one).
    pub fn cmp_household(&self, other: &Place) -> std::cmp::Ordering {
        self.key.cmp(&other.key)
    }
}

/// The best `top` places offered so far, each with what the caller tags it
/// with (a catalog row): the worst of them on top of a heap, so a place that
/// would not make the list costs one comparison.
#[derive(Debug)]
pub struct Best<T: Ord> {
    top: usize,
    heap: std::collections::BinaryHeap<(Place, T)>,
}

impl<T: Ord> Best<T> {
    /// Room for `top`; `expected`: how many will be offered at most (the
    /// heap is made no larger than the list can grow).
    pub fn new(top: usize, expected: usize) -> Self {
        Best { top, heap: std::collections::BinaryHeap::with_capacity(top.min(expected)) }
    }

    pub fn offer(&mut self, place: Place, tag: T) {
        if self.heap.len() < self.top {
            self.heap.push((place, tag));
        } else if let Some(mut worst) = self.heap.peek_mut()
            && place < worst.0
        {
            *worst = (place, tag);
        }
    }

    /// Offers a household scaled by `scale`, unless its bound shows that it
    /// would not make a full list (see [`Scale::cannot_reach`]).
    pub fn consider(&mut self, scale: &Scale, f: &Facts, index: usize, w: &Weights, tag: T) {
        if self.heap.len() >= self.top {
            match self.heap.peek() {
                Some((worst, _)) if !scale.cannot_reach(f, w, worst.key.0.0) => {}
                // A list of none, or one this household cannot enter.
                _ => return,
            }
        }
        self.offer(scale.place(f, index, w), tag);
    }

    /// Both lists' best `top`.
    pub fn merge(&mut self, other: Best<T>) {
        for (p, t) in other.heap {
            self.offer(p, t);
        }
    }

    /// The list, best first, ranked 1, 2, …
    pub fn ranked(self) -> Vec<(T, Ranked)> {
        self.heap.into_sorted_vec().into_iter().enumerate().map(|(i, (p, t))| (t, p.ranked(i + 1))).collect()
    }
}

/// Ranks every household in `facts` against the others and returns the best
/// `top`, best first.
pub fn rank(facts: &[Facts], w: &Weights, top: usize) -> Vec<Ranked> {
    rank_by(facts.len(), |i| facts[i], w, top)
}

/// As [`rank`], for `n` households whose figures `fact(i)` gives (computed
/// on the fly: twice each, never all at once). For a short list out of many
/// (the top 30 of a province's 200,000 records) it holds only that list, not
/// a ranked copy of every household.
pub fn rank_by(n: usize, fact: impl Fn(usize) -> Facts, w: &Weights, top: usize) -> Vec<Ranked> {
    let top = top.min(n);
    if top == 0 {
        return Vec::new();
    }
    let scale = bounds((0..n).map(&fact)).scale();
    let mut best = Best::new(top, n);
    for i in 0..n {
        best.consider(&scale, &fact(i), i, w, ());
    }
    best.ranked().into_iter().map(|(_, r)| r).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn facts(
        id: u64,
        income_growth: i64,
        net: i64,
        savings: i64,
        repayment: u32,
        years: i32,
        s: u32,
    ) -> Facts {
        Facts { id, income_growth, net_income: net, savings_growth: savings, repayment, years, sammachip: s }
    }

    #[test]
    fn repayment_points_by_hand() {
        assert_eq!(repayment_points(None, 0), 10_000);
        assert_eq!(repayment_points(Some(7_500), 0), 7_500);
        assert_eq!(repayment_points(Some(9_000), 30), 6_000);
        assert_eq!(repayment_points(Some(10_000), 90), 0);
        assert_eq!(repayment_points(Some(10_000), 400), 0);
    }

    #[test]
    fn three_households_by_hand() {
        // Income growth 10k / 20k / 30k → 0, ½, 1; net income 50k / 50k / 20k →
        // 1, 1, 0; savings growth 0 / 5k / 10k → 0, ½, 1; repayment all equal
        // → 1; years 10 / 5 / 0 → 1, ½, 0; สัมมาชีพ strong / met / not → 1, ½, 0.
        let f = [
            facts(1, 1_000_000, 5_000_000, 0, 10_000, 10, 10_000),
            facts(2, 2_000_000, 5_000_000, 500_000, 10_000, 5, 5_000),
            facts(3, 3_000_000, 2_000_000, 1_000_000, 10_000, 0, 0),
        ];
        let w = Weights::default(); // 25 25 15 20 5 10
        let r = rank(&f, &w, 3);
        // 1: 0 + 25 + 0 + 20 + 5 + 10 = 60; 2: 12.5 + 25 + 7.5 + 20 + 2.5 + 5 = 72.5;
        // 3: 25 + 0 + 15 + 20 + 0 + 0 = 60 — a tie with 1, broken by net income.
        assert_eq!(r.iter().map(|x| f[x.index].id).collect::<Vec<_>>(), vec![2, 1, 3]);
        assert_eq!(r.iter().map(|x| x.points(&w)).collect::<Vec<_>>(), vec![7_250, 6_000, 6_000]);
        assert_eq!(r.iter().map(|x| x.rank).collect::<Vec<_>>(), vec![1, 2, 3]);
        assert_eq!(r[0].contribution(&w, Criterion::IncomeGrowth), 1_250);
        assert_eq!(r[0].contribution(&w, Criterion::Repayment), 2_000);
        // Only income growth counting: 3, 2, 1.
        let only = Weights([1, 0, 0, 0, 0, 0]);
        let r = rank(&f, &only, 2);
        assert_eq!(r.iter().map(|x| f[x.index].id).collect::<Vec<_>>(), vec![3, 2]);
    }

    #[test]
    fn normalisation_is_within_the_scope() {
        let a = facts(1, 1_000_000, 0, 0, 0, 0, 0);
        let b = facts(2, 2_000_000, 0, 0, 0, 0, 0);
        let c = facts(3, 9_000_000, 0, 0, 0, 0, 0);
        let w = Weights([1, 0, 0, 0, 0, 0]);
        // With c in scope, b is near the bottom; without it, b is the top.
        let with_c = rank(&[a, b, c], &w, 3);
        let b_with = with_c.iter().find(|r| r.index == 1).unwrap();
        assert_eq!(b_with.norms[0], NORM / 8);
        let without = rank(&[a, b], &w, 2);
        assert_eq!(without[0].index, 1);
        assert_eq!(without[0].norms[0], NORM);
        // Everyone equal: everyone gets the full criterion.
        assert!(rank(&[a, a], &w, 2).iter().all(|r| r.norms[0] == NORM));
    }

    #[test]
    fn ties_fall_to_net_income_then_repayment_then_the_older_record() {
        let w = Weights([1, 0, 0, 0, 0, 0]);
        let f = [
            facts(9, 100, 10, 0, 5_000, 0, 0),
            facts(4, 100, 10, 0, 5_000, 0, 0),
            facts(7, 100, 10, 0, 9_000, 0, 0),
            facts(8, 100, 20, 0, 0, 0, 0),
        ];
        let r = rank(&f, &w, 4);
        assert_eq!(r.iter().map(|x| f[x.index].id).collect::<Vec<_>>(), vec![8, 7, 4, 9]);
    }

    #[test]
    fn top_n_is_the_head_of_the_full_order() {
        let f: Vec<Facts> =
            (0..200).map(|i| facts(i, (i as i64 * 7919) % 1000, (i as i64 * 31) % 97, 0, 0, 0, 0)).collect();
        let w = Weights::default();
        let all = rank(&f, &w, 200);
        let top = rank(&f, &w, 30);
        assert_eq!(top, all[..30].to_vec());
    }

    fn arb_facts() -> impl Strategy<Value = Facts> {
        (
            -50_000_000i64..50_000_000,
            -50_000_000i64..50_000_000,
            -5_000_000i64..5_000_000,
            0u32..=10_000,
            0i32..40,
            prop_oneof![Just(0u32), Just(5_000u32), Just(10_000u32)],
        )
            .prop_map(|(a, b, c, d, e, s)| facts(0, a, b, c, d, e, s))
    }

    proptest! {
        /// The 64-bit scaling gives what 128-bit arithmetic gives, from
        /// satang to figures near the ends of i64.
        #[test]
        fn normalising_in_64_bits_is_exact(
            values in proptest::collection::vec(
                prop_oneof![-1_000_000_000i64..1_000_000_000, any::<i64>(), Just(i64::MIN), Just(i64::MAX)],
                1..6,
            )
        ) {
            let fs: Vec<Facts> = values.iter().map(|v| facts(1, *v, *v, *v, 0, 0, 0)).collect();
            let b = bounds(fs.iter().copied());
            for f in &fs {
                let n = normalise(f, &b);
                for (i, c) in Criterion::ALL.iter().enumerate() {
                    let span = i128::from(b.hi[i]) - i128::from(b.lo[i]);
                    let want = if span == 0 {
                        NORM
                    } else {
                        ((i128::from(f.value(*c)) - i128::from(b.lo[i])) * i128::from(NORM) / span) as u32
                    };
                    prop_assert_eq!(n[i], want, "criterion {:?}", c);
                }
            }
        }

        /// Improving one criterion of one household never lowers its rank.
        #[test]
        fn improving_a_criterion_never_lowers_the_rank(
            mut f in proptest::collection::vec(arb_facts(), 2..40),
            who in 0usize..40,
            which in 0usize..6,
            by in 1i64..20_000_000,
            w in proptest::array::uniform6(0u32..50),
        ) {
            for (i, x) in f.iter_mut().enumerate() {
                x.id = i as u64;
            }
            let who = who % f.len();
            let w = Weights(w);
            let before = rank(&f, &w, f.len()).iter().find(|r| r.index == who).map(|r| r.rank);
            let x = &mut f[who];
            match Criterion::ALL[which] {
                Criterion::IncomeGrowth => x.income_growth += by,
                Criterion::NetIncome => x.net_income += by,
                Criterion::SavingsGrowth => x.savings_growth += by,
                Criterion::Repayment => x.repayment = (x.repayment + by as u32 % 10_000).min(10_000),
                Criterion::Years => x.years += 1 + (by % 10) as i32,
                Criterion::Sammachip => x.sammachip = (x.sammachip + 5_000).min(10_000),
            }
            let after = rank(&f, &w, f.len()).iter().find(|r| r.index == who).map(|r| r.rank);
            prop_assert!(after <= before, "rank went from {before:?} to {after:?}");
        }

        /// The floating-point bound that passes over a household without
        /// scaling it never drops one that belongs in the short list: figures
        /// from satang to the ends of i64, any weights.
        #[test]
        fn the_bound_never_drops_a_household_of_the_short_list(
            f in proptest::collection::vec(
                (
                    prop_oneof![-50_000_000i64..50_000_000, any::<i64>()],
                    prop_oneof![-50_000_000i64..50_000_000, any::<i64>()],
                    0u32..=10_000,
                    0i32..40,
                ),
                1..150,
            ),
            top in 1usize..20,
            w in proptest::array::uniform6(prop_oneof![0u32..100, any::<u32>()]),
        ) {
            let f: Vec<Facts> = f
                .iter()
                .enumerate()
                .map(|(i, (a, b, d, y))| facts(i as u64, *a, *b, *a / 3, *d, *y, 5_000 * (i as u32 % 3)))
                .collect();
            let w = Weights(w);
            let all = rank(&f, &w, usize::MAX);
            let short = rank(&f, &w, top);
            prop_assert_eq!(&short[..], &all[..top.min(f.len())]);
        }

        /// The short list kept on the way (`top` < n) is the head of the
        /// whole ranking, ties and all (few distinct figures, so many ties).
        #[test]
        fn the_short_list_is_the_head_of_the_whole_ranking(
            f in proptest::collection::vec((0i64..4, 0i64..3, 0u32..3), 1..120),
            top in 1usize..40,
            w in proptest::array::uniform6(0u32..5),
        ) {
            let f: Vec<Facts> = f
                .iter()
                .enumerate()
                .map(|(i, (a, b, d))| facts(1_000 - i as u64, *a, *b, 0, *d, 0, 0))
                .collect();
            let w = Weights(w);
            let all = rank(&f, &w, usize::MAX);
            let short = rank(&f, &w, top);
            prop_assert_eq!(&short[..], &all[..top.min(f.len())]);
            prop_assert_eq!(all.len(), f.len());
        }
    }
}
