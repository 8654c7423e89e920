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
