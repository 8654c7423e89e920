//! Per-fund aggregate figures, kept up to date inside every save that changes
//! them, so screens never count by scanning.

use serde::{Deserialize, Serialize};

/// What a fund's members and occupation records add up to. Money in satang.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FundStats {
    pub members: i64,
    pub loans: i64,
    /// Principal lent, all loans.
    pub lent: i64,
    /// Principal repaid, all loans.
    pub repaid: i64,
    pub occupations: i64,
}

impl FundStats {
    pub fn outstanding(&self) -> i64 {
        self.lent - self.repaid
    }

    /// `self + sign × other`, field by field.
    pub fn add(&mut self, other: &FundStats, sign: i64) {
        self.members += sign * other.members;
        self.loans += sign * other.loans;
        self.lent += sign * other.lent;
        self.repaid += sign * other.repaid;
        self.occupations += sign * other.occupations;
    }
}

/// What a district's records add up to, for the Overview: counts kept up to
/// date inside every save of an occupation record, a coaching, a support
/// activity or an OTOP product.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DistrictStats {
    pub occupations: i64,
    /// Occupations still carried on (the ones ranked).
    pub active: i64,
    /// Selected for coaching or beyond (stage coached and later).
    pub selected: i64,
    pub self_driving: i64,
    pub models: i64,
    /// Households with a planned or active sage.
    pub with_sage: i64,
    pub support: i64,
    pub otop_products: i64,
}

impl DistrictStats {
    pub fn add(&mut self, o: &DistrictStats, sign: i64) {
        self.occupations += sign * o.occupations;
        self.active += sign * o.active;
        self.selected += sign * o.selected;
        self.self_driving += sign * o.self_driving;
        self.models += sign * o.models;
        self.with_sage += sign * o.with_sage;
        self.support += sign * o.support;
        self.otop_products += sign * o.otop_products;
    }
}

/// A fund's open loans for PAR30 on any day: the outstanding principal, and
/// for each day on which loans turn more than 30 days late (if nothing more is
/// paid) the principal they owe. Kept up to date inside every member save.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FundRisk {
    /// Outstanding principal of open loans (satang).
    pub open: i64,
    /// (day number, principal), sorted by day, no zero entries.
    pub by_day: Vec<(i32, i64)>,
}

impl FundRisk {
    /// `self + sign × o`. A member's few days go into a fund's many in
    /// place: a bulk load adds every member of a fund to one sum, and a
    /// merge into a new vector each time cost the loans import 5% of its
    /// time (a fund's days copied once per member).
    pub fn add(&mut self, o: &FundRisk, sign: i64) {
        self.open += sign * o.open;
        for &(day, p) in &o.by_day {
            let p = sign * p;
            match self.by_day.binary_search_by_key(&day, |(d, _)| *d) {
                Ok(i) => {
                    self.by_day[i].1 += p;
                    if self.by_day[i].1 == 0 {
                        self.by_day.remove(i);
                    }
                }
                Err(i) if p != 0 => self.by_day.insert(i, (day, p)),
                Err(_) => {}
            }
        }
    }

    /// Principal of loans more than 30 days late on `day`.
    pub fn at_risk(&self, day: i32) -> i64 {
        self.by_day.iter().take_while(|(d, _)| *d <= day).map(|(_, p)| p).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.open == 0 && self.by_day.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn risk_merges_adds_and_takes_away() {
        let mut r = FundRisk::default();
        r.add(&FundRisk { open: 100, by_day: vec![(10, 60), (20, 40)] }, 1);
        r.add(&FundRisk { open: 50, by_day: vec![(15, 50)] }, 1);
        assert_eq!(r.by_day, vec![(10, 60), (15, 50), (20, 40)]);
        assert_eq!((r.at_risk(9), r.at_risk(15), r.at_risk(99)), (0, 110, 150));
        r.add(&FundRisk { open: 100, by_day: vec![(10, 60), (20, 40)] }, -1);
        assert_eq!(r, FundRisk { open: 50, by_day: vec![(15, 50)] });
        r.add(&FundRisk { open: 50, by_day: vec![(15, 50)] }, -1);
        assert!(r.is_empty());
    }

    proptest::proptest! {
        /// Adding and taking away in any order gives the sum of the parts,
        /// day by day, sorted, with no zero days.
        #[test]
        fn risk_sums_like_a_map(
            parts in proptest::collection::vec(
                (proptest::collection::btree_map(0i32..40, -5i64..6, 0..8), proptest::bool::ANY),
                0..12,
            )
        ) {
            let mut r = FundRisk::default();
            let mut want = std::collections::BTreeMap::<i32, i64>::new();
            for (days, take) in &parts {
                let sign = if *take { -1 } else { 1 };
                let by_day: Vec<(i32, i64)> = days.iter().filter(|(_, p)| **p != 0).map(|(d, p)| (*d, *p)).collect();
                let open = by_day.iter().map(|(_, p)| p).sum();
                r.add(&FundRisk { open, by_day: by_day.clone() }, sign);
                for (d, p) in by_day {
                    *want.entry(d).or_default() += sign * p;
                }
            }
            want.retain(|_, p| *p != 0);
            let open: i64 = parts
                .iter()
                .map(|(days, take)| days.values().sum::<i64>() * if *take { -1 } else { 1 })
                .sum();
            proptest::prop_assert_eq!(r.open, open);
            proptest::prop_assert_eq!(r.by_day, want.into_iter().collect::<Vec<_>>());
        }
    }
}
