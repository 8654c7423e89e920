//! Loans and repayments. A loan lives inside its member's record.

use serde::{Deserialize, Serialize};

use super::{date::Date, money::Money};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum RepaymentMode {
    /// Principal and interest at maturity.
    LumpSum,
    /// Equal monthly principal instalments with interest on the balance.
    Monthly,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub enum LoanStatus {
    #[default]
    Open,
    Closed,
    WrittenOff,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Repayment {
    pub date: Date,
    pub principal: Money,
    pub interest: Money,
    pub penalty: Money,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Loan {
    /// Unique within the store (a counter), so occupation records can cite it.
    pub id: u64,
    pub principal: Money,
    /// Annual rate in basis points (600 = 6 %).
    pub rate_bp: u32,
    pub start: Date,
    pub term_months: u16,
    pub mode: RepaymentMode,
    /// Occupation category code the loan is for.
    pub purpose: u16,
    /// Member ids of the guarantors (same fund).
    pub guarantors: Vec<u64>,
    pub status: LoanStatus,
    pub repayments: Vec<Repayment>,
}
