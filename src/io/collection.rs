//! The collection sheet (`sammachip collection --fund CODE --date D -o
//! FILE.xlsx`): the same list as the collection screen, to take to the
//! meeting. Each line: the loan, the member, what is due, and the repayment
//! columns to fill (the date already there). `import repayments` of the
//! filled sheet records what was typed; a line left empty brought nothing.

use std::path::Path;

use super::{
    COLLECTION_DUE, REPAYMENTS,
    table::{Cell, WriteError, Writer},
};
use crate::{
    domain::{Date, Lang, thai},
    service::collection,
    store::{Store, StoreError, trees},
};

#[derive(Debug, thiserror::Error)]
pub enum SheetError {
    #[error("no fund with code {0}")]
    NoFund(String),
    #[error("store: {0}")]
    Store(#[from] StoreError),
    #[error(transparent)]
    Write(#[from] WriteError),
}

/// The headers, in the officer's language: loan, member, the dues, then
/// the repayment's date and amounts.
pub fn headers(lang: Lang) -> Vec<&'static str> {
    let name = |c: &super::Col| if lang == Lang::Th { c.th } else { c.en };
    let mut out = vec![name(&REPAYMENTS[0])];
    out.extend(COLLECTION_DUE.iter().map(name));
    out.extend(REPAYMENTS[1..].iter().map(name));
    out
}

/// Writes the collection sheet of the fund `code` for `date`; returns the
/// number of loans on it.
pub fn write_sheet(
    store: &Store,
    code: &str,
    date: Date,
    path: &Path,
    lang: Lang,
) -> Result<usize, SheetError> {
    let code = thai::normalize_digits(code.trim()).replace([' ', '-'], "");
    let fund_id = store
        .lookup(trees::FUNDS_BY_CODE, code.as_bytes())?
        .and_then(|k| crate::store::id_of(&k))
        .ok_or(SheetError::NoFund(code))?;
    let dues = collection::dues(store, fund_id, date)?;
    let mut w = Writer::create(path, &headers(lang))?;
    let day = thai::format_date(date, Lang::Th);
    for d in &dues {
        let baht = |m: crate::domain::Money| Cell::Number(m.0 as f64 / 100.0);
        w.row(&[
            Cell::Text(d.loan_id.to_string()),
            Cell::Text(d.member.clone()),
            baht(d.principal),
            baht(d.interest),
            baht(d.total()),
            Cell::Text(day.clone()),
            Cell::Text(String::new()),
            Cell::Text(String::new()),
            Cell::Text(String::new()),
        ])?;
    }
    w.finish()?;
    Ok(dues.len())
}
