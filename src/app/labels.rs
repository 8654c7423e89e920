//! Names of enumerated values in both languages.

use super::form::Opt;
use crate::{
    domain::fund::{CapitalKind, FundKind, Grade},
    i18n::{Key, k, tr},
};

pub fn fund_kind(v: FundKind) -> Key {
    match v {
        FundKind::Village => k::FUND_KIND_VILLAGE,
        FundKind::Urban => k::FUND_KIND_URBAN,
    }
}

pub fn grade(v: Grade) -> Key {
    match v {
        Grade::A => k::GRADE_A,
        Grade::B => k::GRADE_B,
        Grade::C => k::GRADE_C,
        Grade::D => k::GRADE_D,
        Grade::Unassessed => k::GRADE_NONE,
    }
}

pub fn capital_kind(v: CapitalKind) -> Key {
    match v {
        CapitalKind::Initial => k::CAPITAL_INITIAL,
        CapitalKind::Increase1 => k::CAPITAL_INCREASE1,
        CapitalKind::Increase2 => k::CAPITAL_INCREASE2,
        CapitalKind::Increase3 => k::CAPITAL_INCREASE3,
        CapitalKind::Pracharat => k::CAPITAL_PRACHARAT,
        CapitalKind::Other => k::CAPITAL_OTHER,
    }
}

/// Choice options for an enum, valued by position in `all`.
pub fn options<T: Copy>(all: &[T], label: fn(T) -> Key) -> Vec<Opt> {
    all.iter()
        .enumerate()
        .map(|(i, v)| {
            let key = label(*v);
            Opt::new(i as u32, tr(crate::domain::Lang::Th, key), tr(crate::domain::Lang::En, key))
        })
        .collect()
}

/// The enum value an option stands for.
pub fn pick<T: Copy>(all: &[T], value: Option<u32>) -> Option<T> {
    all.get(value? as usize).copied()
}
