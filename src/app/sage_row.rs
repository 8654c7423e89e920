//! One sage as the Sages tab lists it (its own file, so the lists every
//! session shares (`common`) need not know the tab).

use crate::domain::sage::{Candidate, Sage};

/// One sage as the list shows it.
#[derive(Clone, Debug)]
pub struct SageRow {
    pub sage: Sage,
    /// Places taken now.
    pub load: u32,
    /// Name, ID, phone, place and expertise in both languages, folded.
    pub(super) search: String,
}

impl SageRow {
    pub fn full(&self) -> bool {
        self.load >= u32::from(self.sage.capacity)
    }

    pub(super) fn candidate(&self) -> Candidate {
        Candidate {
            sage: self.sage.id,
            home_village: self.sage.home_village,
            expertise: self.sage.expertise.clone(),
            load: self.load,
            capacity: u32::from(self.sage.capacity),
        }
    }
}
