//! What lies over a screen for a moment: the help, a question, a pick list,
//! the first-start offer, the sages suggested for a household, the Thai
//! display check.

use super::{
    action::{Pending, PickPurpose},
    list::ListPos,
    text::TextInput,
};
use crate::{
    domain::sage::{Fit, Household},
    i18n::{Key, Msg},
    service::labels::Opt,
};

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Overlay {
    Help {
        scroll: usize,
    },
    Confirm {
        msg: Msg,
        then: Pending,
    },
    /// A list to choose from; typing narrows it.
    Picker {
        title: Key,
        options: Vec<Opt>,
        pos: ListPos,
        purpose: PickPurpose,
        filter: TextInput,
        /// Indexes of the options that match the filter.
        shown: Vec<u32>,
    },
    /// First start on an empty store: load demo data or start empty.
    Offer {
        cursor: usize,
    },
    /// Sages for one household, best first.
    Suggest(Box<Suggestions>),
    /// Test words that show whether this terminal draws Thai fully.
    ThaiCheck,
}

/// A household to find a sage for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HouseholdRef {
    pub key: (u64, u64, u64),
    pub name: String,
    pub category: u16,
    pub village: u32,
}

impl HouseholdRef {
    pub fn household(&self) -> Household {
        Household { key: self.key, category: self.category, village: self.village }
    }
}

/// The sages for one household, best first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Suggestions {
    pub household: HouseholdRef,
    /// (sage id, fit, load, capacity) in suggestion order.
    pub rows: Vec<(u64, Fit, u32, u32)>,
    pub pos: ListPos,
    /// Choosing for a line of the open plan instead of assigning now.
    pub plan_line: Option<usize>,
    /// The sage coaching the household now, if any.
    pub current: Option<u64>,
}
