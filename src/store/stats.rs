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
    pub fn add(&mut self, o: &FundRisk, sign: i64) {
        self.open += sign * o.open;
        let mut merged: Vec<(i32, i64)> = Vec::with_capacity(self.by_day.len() + o.by_day.len());
        let (mut i, mut j) = (0, 0);
        while i < self.by_day.len() || j < o.by_day.len() {
            let a = self.by_day.get(i).copied();
            let b = o.by_day.get(j).map(|(d, p)| (*d, sign * p));
            let next = match (a, b) {
                (Some(x), Some(y)) if x.0 == y.0 => {
                    i += 1;
                    j += 1;
                    (x.0, x.1 + y.1)
                }
                (Some(x), Some(y)) if x.0 < y.0 => {
                    i += 1;
                    x
                }
                (Some(_), Some(y)) | (None, Some(y)) => {
                    j += 1;
                    y
                }
                (Some(x), None) => {
                    i += 1;
                    x
                }
                (None, None) => break,
            };
            if next.1 != 0 {
                merged.push(next);
            }
        }
        self.by_day = merged;
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
}
