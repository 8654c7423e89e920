//! Reference data: the gazetteer and the occupation categories. Both are keyed
//! by their own codes rather than by counters.

use super::{
    codec,
    core::{SCHEMA_PLACE, Store, StoreError},
    trees,
};
use crate::domain::{
    audit::{AuditAction, AuditEntry},
    geo::Place,
    occupation::OccupationCategory,
    ranking::Profile,
};

pub(super) const SCHEMA_CATEGORY: u8 = 1;
pub(super) const SCHEMA_PROFILE: u8 = 1;

impl Store {
    /// Adds or replaces gazetteer places (sorted batches, one audit entry).
    pub fn put_places(&self, officer: &str, places: &[Place]) -> Result<(), StoreError> {
        let load = self.begin_load(officer, &format!("{} places", places.len()), 0)?;
        load.put_places(places)?;
        load.commit(trees::GEO, places.len() as u64)
    }

    /// Every place in code order.
    pub fn places(&self) -> Result<Vec<Place>, StoreError> {
        let mut out = Vec::new();
        for item in self.tree(trees::GEO)?.iter() {
            let (k, v) = item?;
            self.read_one();
            let place = codec::decode(SCHEMA_PLACE, &v).map_err(|source| StoreError::Codec {
                tree: trees::GEO,
                key: k.to_vec(),
                source,
            })?;
            out.push(place);
        }
        Ok(out)
    }

    /// Whether the gazetteer knows the place `code`; `None` when the store
    /// holds no gazetteer at all, so there is nothing to check against.
    pub fn knows_place(&self, code: u32) -> Result<Option<bool>, StoreError> {
        let tree = self.tree(trees::GEO)?;
        self.read_one();
        if tree.is_empty() {
            return Ok(None);
        }
        Ok(Some(tree.contains_key(code.to_be_bytes())?))
    }

    /// Every occupation category in code order.
    pub fn categories(&self) -> Result<Vec<OccupationCategory>, StoreError> {
        let mut out = Vec::new();
        for item in self.tree(trees::CATEGORIES)?.iter() {
            let (k, v) = item?;
            self.read_one();
            out.push(codec::decode(SCHEMA_CATEGORY, &v).map_err(|source| StoreError::Codec {
                tree: trees::CATEGORIES,
                key: k.to_vec(),
                source,
            })?);
        }
        Ok(out)
    }

    fn put_category(&self, c: &OccupationCategory) -> Result<(), StoreError> {
        let bytes = codec::encode(SCHEMA_CATEGORY, c).map_err(StoreError::Encode)?;
        self.tree(trees::CATEGORIES)?.insert(c.code.to_be_bytes(), bytes)?;
        Ok(())
    }

    /// Writes the seeded categories into a store that has none.
    pub fn seed_categories(&self, seed: &[OccupationCategory]) -> Result<(), StoreError> {
        // A store that has them writes nothing (and opens on a full disk).
        if !self.tree(trees::CATEGORIES)?.is_empty() {
            return Ok(());
        }
        // Held shared while writing: a backup waits for this write to finish.
        let _writing = self.writing()?;
        for c in seed {
            self.put_category(c)?;
        }
        self.append_audit("sammachip", AuditAction::Bulk, trees::CATEGORIES, &[], "seeded categories")?;
        self.touched(trees::CATEGORIES);
        self.finish_write()
    }

    /// Adds a category with the next free code; refuses a name already used.
    pub fn add_category(
        &self,
        officer: &str,
        name_th: &str,
        name_en: &str,
    ) -> Result<OccupationCategory, AddCategoryError> {
        let _writing = self.writing()?;
        let (th, en) = (name_th.trim(), name_en.trim());
        if th.is_empty() {
            return Err(AddCategoryError::NameRequired);
        }
        let existing = self.categories()?;
        if existing.iter().any(|c| c.name_th == th || (!en.is_empty() && c.name_en.eq_ignore_ascii_case(en)))
        {
            return Err(AddCategoryError::Exists);
        }
        let code = existing.iter().map(|c| c.code).max().unwrap_or(0) + 1;
        let c = OccupationCategory {
            code,
            name_th: th.to_string(),
            name_en: if en.is_empty() { th } else { en }.to_string(),
        };
        self.put_category(&c)?;
        self.append_audit(officer, AuditAction::Create, trees::CATEGORIES, &code.to_be_bytes(), &c.name_th)?;
        self.touched(trees::CATEGORIES);
        self.finish_write()?;
        Ok(c)
    }
}

impl Store {
    /// Saved ranking profiles, by name.
    pub fn profiles(&self) -> Result<Vec<Profile>, StoreError> {
        let mut out = Vec::new();
        for item in self.tree(trees::PROFILES)?.iter() {
            let (k, v) = item?;
            self.read_one();
            out.push(codec::decode(SCHEMA_PROFILE, &v).map_err(|source| StoreError::Codec {
                tree: trees::PROFILES,
                key: k.to_vec(),
                source,
            })?);
        }
        Ok(out)
    }

    /// Saves (or replaces) a profile under its name, with an audit entry that
    /// keeps what it replaced.
    pub fn save_profile(&self, officer: &str, p: &Profile) -> Result<(), StoreError> {
        // Held shared while writing: a backup waits for this write to finish.
        let _writing = self.writing()?;
        let tree = self.tree(trees::PROFILES)?;
        let key = p.name.as_bytes();
        let bytes = codec::encode(SCHEMA_PROFILE, p).map_err(StoreError::Encode)?;
        let before = tree.insert(key, bytes.as_slice())?;
        let entry = AuditEntry {
            time_ms: super::core::now_ms(),
            officer: officer.to_string(),
            action: if before.is_some() { AuditAction::Update } else { AuditAction::Create },
            kind: trees::PROFILES.to_string(),
            key: key.to_vec(),
            before: before.map(|b| b.to_vec()),
            after: Some(bytes),
            note: String::new(),
            change: 0,
        };
        let id = self.reserve_ids(trees::AUDIT, 1)?;
        let audit = codec::encode(super::core::SCHEMA_AUDIT, &entry).map_err(StoreError::Encode)?;
        self.tree(trees::AUDIT)?.insert(id.to_be_bytes(), audit)?;
        self.touched(trees::PROFILES);
        self.finish_write()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AddCategoryError {
    #[error("a Thai name is required")]
    NameRequired,
    #[error("a category of that name exists")]
    Exists,
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl super::load::Load<'_> {
    /// Adds or replaces places (by code) in the load, keeping copies of the
    /// ones replaced.
    pub fn put_places(&self, places: &[Place]) -> Result<(), StoreError> {
        let tree = self.store().tree(trees::GEO)?;
        let mut sorted: Vec<&Place> = places.iter().collect();
        sorted.sort_by_key(|p| p.code);
        for chunk in sorted.chunks(1_000) {
            let mut before = Vec::new();
            let mut batch = sled::Batch::default();
            for p in chunk {
                let k = p.code.to_be_bytes();
                before.push((k, tree.get(k)?));
                batch.insert(&k, codec::encode(SCHEMA_PLACE, p).map_err(StoreError::Encode)?);
            }
            self.journal(before.iter().map(|(k, v)| (trees::GEO, k.as_slice(), v.as_deref())))?;
            tree.apply_batch(batch)?;
        }
        Ok(())
    }
}
