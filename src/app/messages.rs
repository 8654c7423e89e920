//! Every error the officer can meet, as a message in their language.

use crate::{
    domain::{
        fund::{CapitalError, FundError},
        money::MoneyError,
        thai::DateError,
    },
    i18n::{Msg, k},
    store::{OpenError, SaveError, StoreError, trees},
};

pub fn date(e: &DateError) -> Msg {
    match e {
        DateError::Empty => Msg::new(k::ERR_REQUIRED),
        DateError::Format => Msg::new(k::ERR_DATE_FORMAT),
        DateError::Month(m) => Msg::with(k::ERR_DATE_MONTH, [m.clone()]),
        DateError::NoSuchDay => Msg::new(k::ERR_DATE_NO_SUCH_DAY),
        DateError::Year => Msg::new(k::ERR_DATE_YEAR),
    }
}

pub fn money(e: &MoneyError) -> Msg {
    match e {
        MoneyError::Empty => Msg::new(k::ERR_REQUIRED),
        MoneyError::Invalid => Msg::new(k::ERR_MONEY_INVALID),
        MoneyError::Decimals => Msg::new(k::ERR_MONEY_DECIMALS),
        MoneyError::TooLarge => Msg::new(k::ERR_MONEY_TOO_LARGE),
        MoneyError::Negative => Msg::new(k::ERR_MONEY_NEGATIVE),
    }
}

pub fn fund(e: &FundError) -> Msg {
    match e {
        FundError::CodeFormat => Msg::new(k::ERR_FUND_CODE_FORMAT),
        FundError::CodeDistrict(d) => Msg::with(k::ERR_FUND_CODE_DISTRICT, [format!("{d:04}")]),
        FundError::UnknownSubdistrict(s) => Msg::with(k::ERR_FUND_UNKNOWN_SUBDISTRICT, [s.to_string()]),
        FundError::VillageNo => Msg::new(k::ERR_FUND_VILLAGE_NO),
        FundError::UnknownDistrict(d) => Msg::with(k::ERR_FUND_UNKNOWN_DISTRICT, [d.to_string()]),
        FundError::NameEmpty => Msg::new(k::ERR_REQUIRED),
        FundError::TooLong(n) => Msg::with(k::ERR_TOO_LONG, [n.to_string()]),
        FundError::Date(d) => date(d),
        FundError::BeforeProgramme => Msg::new(k::ERR_BEFORE_PROGRAMME),
        FundError::Future => Msg::new(k::ERR_FUTURE),
        FundError::YearNeeded => Msg::new(k::ERR_FUND_YEAR_NEEDED),
        FundError::YearBeforeEstablished => Msg::new(k::ERR_FUND_YEAR_BEFORE_ESTABLISHED),
        FundError::DuplicateCode(name) => Msg::with(k::ERR_FUND_DUPLICATE_CODE, [name.clone()]),
    }
}

pub fn capital(e: &CapitalError) -> Msg {
    match e {
        CapitalError::Date(d) => date(d),
        CapitalError::BeforeProgramme => Msg::new(k::ERR_BEFORE_PROGRAMME),
        CapitalError::Future => Msg::new(k::ERR_FUTURE),
        CapitalError::Amount(m) => money(m),
        CapitalError::Zero => Msg::new(k::ERR_MONEY_ZERO),
        CapitalError::TooLarge => Msg::new(k::ERR_MONEY_TOO_LARGE),
        CapitalError::SecondInitial => Msg::new(k::ERR_CAPITAL_SECOND_INITIAL),
        CapitalError::NoteNeeded => Msg::new(k::ERR_CAPITAL_NOTE_NEEDED),
        CapitalError::NoteTooLong => Msg::with(k::ERR_TOO_LONG, ["200".to_string()]),
    }
}

pub fn store(e: &StoreError) -> Msg {
    Msg::with(k::ERR_STORE, [e.to_string()])
}

pub fn save(e: &SaveError) -> Msg {
    match e {
        SaveError::Stale { .. } => Msg::new(k::ERR_STALE),
        SaveError::Gone(_) => Msg::new(k::ERR_GONE),
        SaveError::Duplicate { index, .. } => Msg::with(k::ERR_DUPLICATE, [index.to_string()]),
        SaveError::HasChildren(t) if *t == trees::MEMBERS => Msg::new(k::ERR_HAS_MEMBERS),
        SaveError::HasChildren(_) => Msg::new(k::ERR_HAS_OCCUPATIONS),
        SaveError::Store(s) => store(s),
    }
}

/// What to tell an officer whose store would not open, and what to do about it.
pub fn open(e: &OpenError) -> Msg {
    match e {
        OpenError::Locked { path } => Msg::with(k::ERR_OPEN_LOCKED, [path.display().to_string()]),
        OpenError::Damaged { path, detail } => {
            Msg::with(k::ERR_OPEN_DAMAGED, [path.display().to_string(), detail.clone()])
        }
        OpenError::Newer { path, found, supported } => Msg::with(
            k::ERR_OPEN_NEWER,
            [path.display().to_string(), found.to_string(), supported.to_string()],
        ),
        OpenError::Foreign { path } => Msg::with(k::ERR_OPEN_FOREIGN, [path.display().to_string()]),
        OpenError::Io { path, source } => {
            Msg::with(k::ERR_OPEN_IO, [path.display().to_string(), source.to_string()])
        }
        OpenError::Migration { path, detail } => {
            Msg::with(k::ERR_OPEN_MIGRATION, [path.display().to_string(), detail.clone()])
        }
    }
}
