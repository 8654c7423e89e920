//! How each record kind is keyed, indexed and versioned in the store.

use serde::{Serialize, de::DeserializeOwned};

use super::{
    codec::{self, CodecError},
    trees,
};
use crate::domain::fund::Fund;

/// One entry a record puts in an index tree.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IndexEntry {
    pub tree: &'static str,
    pub key: Vec<u8>,
    /// Unique entries map key → record id and refuse a second record; the others
    /// carry the id inside the key and an empty value.
    pub unique: bool,
}

pub trait Record: Serialize + DeserializeOwned + Clone + Send + Sync {
    const TREE: &'static str;
    /// The schema version this program writes for the kind.
    const SCHEMA: u8;
    /// Index trees this kind writes to.
    const INDEXES: &'static [&'static str] = &[];

    fn id(&self) -> u64;
    fn set_id(&mut self, id: u64);
    fn version(&self) -> u64;
    fn set_version(&mut self, v: u64);

    fn index_entries(&self) -> Vec<IndexEntry> {
        Vec::new()
    }

    /// Reads an older schema version through its frozen struct and upgrades it.
    /// Version 1 is the first of every kind: nothing older exists yet.
    fn upgrade(schema: u8, _payload: &[u8]) -> Result<Self, CodecError> {
        Err(CodecError::Version { found: schema, supported: Self::SCHEMA })
    }

    fn from_stored(bytes: &[u8]) -> Result<Self, CodecError> {
        let (schema, payload) = codec::envelope(bytes)?;
        if schema == Self::SCHEMA {
            codec::decode_payload(payload)
        } else if schema < Self::SCHEMA {
            Self::upgrade(schema, payload)
        } else {
            Err(CodecError::Version { found: schema, supported: Self::SCHEMA })
        }
    }

    fn to_stored(&self) -> Result<Vec<u8>, CodecError> {
        codec::encode(Self::SCHEMA, self)
    }
}

macro_rules! id_and_version {
    () => {
        fn id(&self) -> u64 {
            self.id
        }
        fn set_id(&mut self, id: u64) {
            self.id = id;
        }
        fn version(&self) -> u64 {
            self.version
        }
        fn set_version(&mut self, v: u64) {
            self.version = v;
        }
    };
}

impl Record for Fund {
    const TREE: &'static str = trees::FUNDS;
    const SCHEMA: u8 = 1;
    const INDEXES: &'static [&'static str] = &[trees::FUNDS_BY_CODE];

    id_and_version!();

    fn index_entries(&self) -> Vec<IndexEntry> {
        vec![IndexEntry { tree: trees::FUNDS_BY_CODE, key: self.code.as_bytes().to_vec(), unique: true }]
    }
}
