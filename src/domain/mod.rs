//! Pure records and rules: no I/O, no terminal, no store.

pub mod audit;
pub mod clean;
pub mod date;
pub mod fund;
pub mod geo;
pub mod lang;
pub mod loan;
pub mod member;
pub mod money;
pub mod occupation;
pub mod officer;
pub mod programme;
pub mod ranking;
pub mod sage;
pub mod thai;

pub use date::Date;
pub use lang::Lang;
pub use money::Money;
