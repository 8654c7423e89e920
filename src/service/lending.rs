//! A fund's money available to lend, read from the store: the loan form
//! checks a new loan against it (with `domain::fund::Lending`, which the
//! property tests and the demo's own check use too).

use crate::{
    domain::{
        fund::{Fund, Lending},
        member::Member,
    },
    store::{Store, StoreError},
};

/// The fund's lending figures now, from its capital and every member's loans
/// (a fund has a few hundred members: one read of them per save).
pub fn of_fund(store: &Store, fund_id: u64) -> Result<Option<Lending>, StoreError> {
    let Some(fund) = store.get::<Fund>(fund_id)? else { return Ok(None) };
    let mut lending = Lending::of(&fund, []);
    store.for_each_prefix::<Member>(&fund_id.to_be_bytes(), |m| lending.add_loans(&m.loans))?;
    Ok(Some(lending))
}
