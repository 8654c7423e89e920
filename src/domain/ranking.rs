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

/// The lowest and highest value of each criterion.
fn bounds(facts: impl Iterator<Item = Facts>) -> ([i64; 6], [i64; 6]) {
    let mut lo = [i64::MAX; 6];
    let mut hi = [i64::MIN; 6];
    for f in facts {
        for (i, c) in Criterion::ALL.iter().enumerate() {
            let v = f.value(*c);
            lo[i] = lo[i].min(v);
            hi[i] = hi[i].max(v);
        }
    }
    (lo, hi)
}

/// Each criterion of `f` scaled to 0..=NORM between `lo` and `hi`.
fn normalise(f: &Facts, lo: &[i64; 6], hi: &[i64; 6]) -> [u32; 6] {
    let mut n = [0u32; 6];
    for (i, c) in Criterion::ALL.iter().enumerate() {
        // lo ≤ value ≤ hi: both differences are whole and not negative.
        let span = hi[i].abs_diff(lo[i]);
        let off = f.value(*c).abs_diff(lo[i]);
        n[i] = if span == 0 {
            NORM
        } else if let Some(scaled) = off.checked_mul(u64::from(NORM)) {
            // 64-bit division, several times quicker than 128-bit: every
            // figure below 184 billion baht.
            (scaled / span) as u32
        } else {
            (u128::from(off) * u128::from(NORM) / u128::from(span)) as u32
        };
    }
    n
}

/// A household's place in the ranking: ordered as the ranking orders them
/// (score, then net income, then repayment, highest first; then the lowest
/// id), so the smallest is the best.
#[derive(PartialEq, Eq, PartialOrd, Ord)]
struct Place {
    key: (std::cmp::Reverse<u64>, std::cmp::Reverse<i64>, std::cmp::Reverse<u32>, u64),
    index: usize,
    norms: [u32; 6],
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
    use std::cmp::Reverse;
    let top = top.min(n);
    if top == 0 {
        return Vec::new();
    }
    let (lo, hi) = bounds((0..n).map(&fact));
    let place = |index: usize| {
        let f = fact(index);
        let norms = normalise(&f, &lo, &hi);
        let score = norms.iter().zip(w.0).map(|(x, w)| u64::from(*x) * u64::from(w)).sum();
        Place { key: (Reverse(score), Reverse(f.net_income), Reverse(f.repayment), f.id), index, norms }
    };
    let places = if top < n {
        // The best `top` so far, the worst of them on top of the heap.
        let mut best = std::collections::BinaryHeap::with_capacity(top + 1);
        for i in 0..n {
            let p = place(i);
            if best.len() < top {
                best.push(p);
            } else if best.peek().is_some_and(|worst| p < *worst) {
                best.pop();
                best.push(p);
            }
        }
        best.into_sorted_vec()
    } else {
        let mut all: Vec<Place> = (0..n).map(place).collect();
        all.sort_unstable();
        all
    };
    places
        .into_iter()
        .enumerate()
        .map(|(i, p)| Ranked { index: p.index, rank: i + 1, score: p.key.0.0, norms: p.norms })
        .collect()
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
            let (lo, hi) = bounds(fs.iter().copied());
            for f in &fs {
                let n = normalise(f, &lo, &hi);
                for (i, c) in Criterion::ALL.iter().enumerate() {
                    let span = i128::from(hi[i]) - i128::from(lo[i]);
                    let want = if span == 0 {
                        NORM
                    } else {
                        ((i128::from(f.value(*c)) - i128::from(lo[i])) * i128::from(NORM) / span) as u32
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
