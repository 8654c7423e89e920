//! Pure records and rules: no I/O, no terminal, no store.

pub mod audit;
pub mod clean;
pub mod date;
pub mod fund;
pub mod geo;
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
pub use money::Money;

/// The officer's language. Thai by default.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Lang {
    #[default]
    Th,
    En,
}

impl Lang {
    pub fn toggled(self) -> Lang {
        match self {
            Lang::Th => Lang::En,
            Lang::En => Lang::Th,
        }
    }
}
