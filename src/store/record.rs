//! How each record kind is keyed, indexed, aggregated and versioned in the store.

use serde::{Serialize, de::DeserializeOwned};

use super::{
    codec::{self, CodecError},
    stats::{DistrictStats, FundRisk, FundStats},
    trees,
};
use crate::domain::{
    fund::Fund,
    member::Member,
    occupation::OccupationRecord,
    occupation::{OccupationStatus, Stage},
    officer::Officer,
    programme::{NetworkCommittee, OtopProduct, SupportActivity},
    sage::{Assignment, Sage, SageStatus},
};

/// One entry a record puts in an index tree.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IndexEntry {
    pub tree: &'static str,
    pub key: Vec<u8>,
    /// Unique entries map key → the record's key and refuse a second record;
    /// the others carry the record's key inside theirs and an empty value.
    pub unique: bool,
}

/// Reads a parent's capacity from its stored bytes.
pub type PlacesOf = fn(&[u8]) -> Result<u64, CodecError>;

pub trait Record: Serialize + DeserializeOwned + Clone + Send + Sync {
    const TREE: &'static str;
    /// The schema version this program writes for the kind.
    const SCHEMA: u8;
    /// Index trees this kind writes to.
    const INDEXES: &'static [&'static str] = &[];
    /// The tree of records that belong to this one, keyed under this record's
    /// key: a record with children cannot be deleted.
    const CHILDREN: Option<&'static str> = None;

    /// The kind of the first other record that names the record at `key`
    /// (not as its parent): while one does, it may not be deleted, or that
    /// record would name nothing. Read before a delete's transaction.
    fn named_by(
        _store: &super::core::Store,
        _key: &[u8],
    ) -> Result<Option<&'static str>, super::core::StoreError> {
        Ok(None)
    }

    /// For records that take one of a parent's limited places (an assignment
    /// of a sage): the parent's tree and how to read, from its stored bytes,
    /// how many places it offers now.
    const PLACES_IN: Option<(&'static str, PlacesOf)> = None;
    /// Whether [`Record::district_stats`] / [`Record::fund_risk`] can give
    /// anything (the transaction then takes in their trees).
    const DISTRICT_STATS: bool = false;
    const FUND_RISK: bool = false;

    /// For records that offer places: each save checks the new capacity
    /// against the places taken.
    const OFFERS_PLACES: bool = false;
    /// Only administrators write these (officer accounts).
    const ADMIN_ONLY: bool = false;
    /// What the record is to the committees' accounts (what they may keep).
    const KIND: crate::domain::officer::RecordKind = crate::domain::officer::RecordKind::Other;

    fn id(&self) -> u64;
    fn set_id(&mut self, id: u64);
    fn version(&self) -> u64;
    fn set_version(&mut self, v: u64);

    /// The record's key: its id, big-endian, unless it lives under a parent.
    fn key(&self) -> Vec<u8> {
        self.id().to_be_bytes().to_vec()
    }

    fn index_entries(&self) -> Vec<IndexEntry> {
        Vec::new()
    }

    /// The key of the record this one belongs to (its parent's [`Record::key`]).
    fn parent_key(&self) -> Option<Vec<u8>> {
        None
    }

    /// The key of the parent whose place this record takes, while it takes one.
    fn place(&self) -> Option<Vec<u8>> {
        None
    }

    /// How many places this record offers, when it offers any.
    fn capacity(&self) -> u64 {
        0
    }

    /// The fund a record belongs to (members, occupation records), for a
    /// fund committee's account.
    fn fund_in(&self) -> Option<u64> {
        None
    }

    /// The district whose officers may change this record; `None` for
    /// records of the whole province (province officers and admins only).
    fn district_in(&self, _store: &super::core::Store) -> Option<u16> {
        None
    }

    /// What the record adds to its district's figures.
    fn district_stats(&self) -> Option<(u16, DistrictStats)> {
        None
    }

    /// What the record adds to its fund's loans at risk.
    fn fund_risk(&self) -> Option<(u64, FundRisk)> {
        None
    }

    /// What the record adds to its fund's aggregates.
    fn fund_stats(&self) -> Option<(u64, FundStats)> {
        None
    }

    /// A child (stored bytes) brought up to date after this record changed, or
    /// `None` when it needs no change.
    fn refresh_child(&self, _child: &[u8]) -> Result<Option<Vec<u8>>, CodecError> {
        Ok(None)
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

/// A member's key: fund id ++ member id.
pub fn member_key(fund_id: u64, member_id: u64) -> Vec<u8> {
    [fund_id.to_be_bytes(), member_id.to_be_bytes()].concat()
}

/// An occupation record's key: fund id ++ member id ++ record id.
pub fn occupation_key(fund_id: u64, member_id: u64, id: u64) -> Vec<u8> {
    [fund_id.to_be_bytes(), member_id.to_be_bytes(), id.to_be_bytes()].concat()
}

impl Record for Fund {
    const TREE: &'static str = trees::FUNDS;
    const SCHEMA: u8 = 1;
    const INDEXES: &'static [&'static str] = &[trees::FUNDS_BY_CODE];
    const CHILDREN: Option<&'static str> = Some(trees::MEMBERS);

    id_and_version!();

    fn district_in(&self, _store: &super::core::Store) -> Option<u16> {
        Some(self.district())
    }

    fn index_entries(&self) -> Vec<IndexEntry> {
        vec![IndexEntry { tree: trees::FUNDS_BY_CODE, key: self.code.as_bytes().to_vec(), unique: true }]
    }
}

impl Record for Member {
    const TREE: &'static str = trees::MEMBERS;
    const SCHEMA: u8 = 1;
    const KIND: crate::domain::officer::RecordKind = crate::domain::officer::RecordKind::Member;

    fn fund_in(&self) -> Option<u64> {
        Some(self.fund_id)
    }

    const FUND_RISK: bool = true;
    const INDEXES: &'static [&'static str] = &[trees::MEMBERS_BY_NID];
    const CHILDREN: Option<&'static str> = Some(trees::OCCUPATIONS);

    id_and_version!();

    fn district_in(&self, store: &super::core::Store) -> Option<u16> {
        store.get::<Fund>(self.fund_id).ok().flatten().map(|f| f.district())
    }

    fn key(&self) -> Vec<u8> {
        member_key(self.fund_id, self.id)
    }

    fn parent_key(&self) -> Option<Vec<u8>> {
        Some(self.fund_id.to_be_bytes().to_vec())
    }

    fn index_entries(&self) -> Vec<IndexEntry> {
        vec![IndexEntry {
            tree: trees::MEMBERS_BY_NID,
            key: self.national_id.as_u64().to_be_bytes().to_vec(),
            unique: true,
        }]
    }

    fn fund_risk(&self) -> Option<(u64, FundRisk)> {
        let mut r = FundRisk::default();
        for (day, owed) in self.loans.iter().filter_map(|l| l.risk()) {
            r.add(&FundRisk { open: owed.0, by_day: vec![(day.days(), owed.0)] }, 1);
        }
        (!r.is_empty()).then_some((self.fund_id, r))
    }

    fn fund_stats(&self) -> Option<(u64, FundStats)> {
        let lent = self.loans.iter().map(|l| l.principal.0).sum();
        let repaid = self.loans.iter().flat_map(|l| &l.repayments).map(|r| r.principal.0).sum();
        Some((
            self.fund_id,
            FundStats { members: 1, loans: self.loans.len() as i64, lent, repaid, occupations: 0 },
        ))
    }

    /// Occupation records carry the member's name for the list of all
    /// occupations; a rename rewrites them in the same transaction ...
    /// ... and the facts of the loans that fund it, which the ranking reads.
    fn refresh_child(&self, child: &[u8]) -> Result<Option<Vec<u8>>, CodecError> {
        let mut occ = OccupationRecord::from_stored(child)?;
        let name = self.full_name();
        let renamed = occ.member_name != name;
        occ.member_name = name;
        let loans_changed = occ.refresh_loans(&self.loans);
        if !renamed && !loans_changed {
            return Ok(None);
        }
        // No new version: these are copies of the member's data, which every
        // save of the record itself takes afresh from the member, so an officer
        // editing the record meanwhile loses nothing.
        occ.to_stored().map(Some)
    }
}

impl Record for OccupationRecord {
    const TREE: &'static str = trees::OCCUPATIONS;

    /// A sage's coaching (now or before), a support activity for the
    /// household, or an OTOP product it makes. Support and products are few
    /// (hundreds at the province) and have no index by household: read whole.
    fn named_by(
        store: &super::core::Store,
        key: &[u8],
    ) -> Result<Option<&'static str>, super::core::StoreError> {
        use crate::domain::programme::{Producer, SupportActivity, SupportScope};
        if store.tree(trees::ASSIGNMENTS_BY_OCC)?.scan_prefix(key).next().transpose()?.is_some() {
            return Ok(Some(trees::ASSIGNMENTS_BY_OCC));
        }
        let names = |h: &(u64, u64, u64)| occupation_key(h.0, h.1, h.2) == key;
        let mut found = None;
        store.for_each_prefix::<SupportActivity>(&[], |s| {
            if matches!(&s.scope, SupportScope::Household(h) if names(h)) {
                found = Some(trees::SUPPORT);
            }
        })?;
        if found.is_none() {
            store.for_each_prefix::<OtopProduct>(&[], |p| {
                if matches!(&p.producer, Producer::Household(h) if names(h)) {
                    found = Some(trees::OTOP);
                }
            })?;
        }
        Ok(found)
    }
    const SCHEMA: u8 = 1;
    const KIND: crate::domain::officer::RecordKind = crate::domain::officer::RecordKind::OccupationRecord;

    fn fund_in(&self) -> Option<u64> {
        Some(self.fund_id)
    }

    const DISTRICT_STATS: bool = true;

    fn district_stats(&self) -> Option<(u16, DistrictStats)> {
        let n = |b: bool| i64::from(b);
        Some((
            self.district,
            DistrictStats {
                occupations: 1,
                active: n(self.status == OccupationStatus::Active),
                selected: n(self.stage.is_selected()),
                self_driving: n(self.stage >= Stage::SelfDriving),
                models: n(self.stage >= Stage::Model),
                ..Default::default()
            },
        ))
    }

    id_and_version!();

    fn district_in(&self, _store: &super::core::Store) -> Option<u16> {
        Some(self.district)
    }

    fn key(&self) -> Vec<u8> {
        occupation_key(self.fund_id, self.member_id, self.id)
    }

    fn parent_key(&self) -> Option<Vec<u8>> {
        Some(member_key(self.fund_id, self.member_id))
    }

    fn fund_stats(&self) -> Option<(u64, FundStats)> {
        Some((self.fund_id, FundStats { occupations: 1, ..Default::default() }))
    }
}

/// An assignment's key: sage id ++ assignment id.
pub fn assignment_key(sage_id: u64, id: u64) -> Vec<u8> {
    [sage_id.to_be_bytes(), id.to_be_bytes()].concat()
}

impl Record for Sage {
    const TREE: &'static str = trees::SAGES;
    const SCHEMA: u8 = 1;
    const INDEXES: &'static [&'static str] = &[trees::SAGES_BY_NID];
    const CHILDREN: Option<&'static str> = Some(trees::ASSIGNMENTS);
    const OFFERS_PLACES: bool = true;

    id_and_version!();

    fn district_in(&self, _store: &super::core::Store) -> Option<u16> {
        Some(self.district())
    }

    fn index_entries(&self) -> Vec<IndexEntry> {
        vec![IndexEntry {
            tree: trees::SAGES_BY_NID,
            key: self.national_id.as_u64().to_be_bytes().to_vec(),
            unique: true,
        }]
    }

    /// A sage who has stopped coaching takes no new households, but keeps the
    /// ones they have until those are done or moved.
    fn capacity(&self) -> u64 {
        u64::from(self.capacity)
    }
}

fn open_places(bytes: &[u8]) -> Result<u64, CodecError> {
    let s = Sage::from_stored(bytes)?;
    Ok(if s.status == SageStatus::Active { u64::from(s.capacity) } else { 0 })
}

impl Record for Assignment {
    const TREE: &'static str = trees::ASSIGNMENTS;
    const SCHEMA: u8 = 1;
    const INDEXES: &'static [&'static str] = &[trees::ASSIGNMENTS_BY_OCC, trees::ACTIVE_BY_OCC];
    const PLACES_IN: Option<(&'static str, PlacesOf)> = Some((trees::SAGES, open_places));
    const DISTRICT_STATS: bool = true;

    fn district_stats(&self) -> Option<(u16, DistrictStats)> {
        self.status
            .takes_a_place()
            .then_some((self.district, DistrictStats { with_sage: 1, ..Default::default() }))
    }

    id_and_version!();

    fn district_in(&self, _store: &super::core::Store) -> Option<u16> {
        Some(self.district)
    }

    fn key(&self) -> Vec<u8> {
        assignment_key(self.sage_id, self.id)
    }

    fn parent_key(&self) -> Option<Vec<u8>> {
        Some(self.sage_id.to_be_bytes().to_vec())
    }

    fn place(&self) -> Option<Vec<u8>> {
        self.status.takes_a_place().then(|| self.sage_id.to_be_bytes().to_vec())
    }

    fn index_entries(&self) -> Vec<IndexEntry> {
        let (f, m, o) = self.occupation;
        let occ = occupation_key(f, m, o);
        let mut v = vec![IndexEntry {
            tree: trees::ASSIGNMENTS_BY_OCC,
            key: [occ.as_slice(), &self.key()].concat(),
            unique: false,
        }];
        if self.status.takes_a_place() {
            v.push(IndexEntry { tree: trees::ACTIVE_BY_OCC, key: occ, unique: true });
        }
        v
    }
}

impl Record for NetworkCommittee {
    const TREE: &'static str = trees::COMMITTEES;
    const SCHEMA: u8 = 1;
    const KIND: crate::domain::officer::RecordKind = crate::domain::officer::RecordKind::Committee;

    id_and_version!();

    fn district_in(&self, _store: &super::core::Store) -> Option<u16> {
        Some(self.district)
    }
}

impl Record for SupportActivity {
    const TREE: &'static str = trees::SUPPORT;
    const SCHEMA: u8 = 1;
    const KIND: crate::domain::officer::RecordKind = crate::domain::officer::RecordKind::SupportActivity;
    const DISTRICT_STATS: bool = true;

    id_and_version!();

    fn district_in(&self, _store: &super::core::Store) -> Option<u16> {
        Some(self.district)
    }

    fn district_stats(&self) -> Option<(u16, DistrictStats)> {
        Some((self.district, DistrictStats { support: 1, ..Default::default() }))
    }
}

impl Record for OtopProduct {
    const TREE: &'static str = trees::OTOP;
    const SCHEMA: u8 = 1;
    const DISTRICT_STATS: bool = true;

    id_and_version!();

    fn district_in(&self, _store: &super::core::Store) -> Option<u16> {
        Some(self.district)
    }

    fn district_stats(&self) -> Option<(u16, DistrictStats)> {
        Some((self.district, DistrictStats { otop_products: 1, ..Default::default() }))
    }
}

impl Record for Officer {
    const TREE: &'static str = trees::OFFICERS;
    /// 2: an account may name its fund (fund committees).
    const SCHEMA: u8 = 2;
    const INDEXES: &'static [&'static str] = &[trees::OFFICERS_BY_LOGIN];
    const ADMIN_ONLY: bool = true;

    id_and_version!();

    fn upgrade(schema: u8, payload: &[u8]) -> Result<Self, CodecError> {
        match schema {
            1 => codec::decode_payload::<crate::domain::officer::OfficerV1>(payload).map(Officer::from),
            _ => Err(CodecError::Version { found: schema, supported: Self::SCHEMA }),
        }
    }

    fn index_entries(&self) -> Vec<IndexEntry> {
        vec![IndexEntry { tree: trees::OFFICERS_BY_LOGIN, key: self.login.as_bytes().to_vec(), unique: true }]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::officer::{Officer, Role};

    /// Accounts written before fund committees had accounts (schema 1, no
    /// fund) read as they were, with no fund.
    #[test]
    fn an_officer_of_schema_1_reads_with_no_fund() {
        let v1 =
            (7u64, 2u64, "malee", "มาลี", Role::District, Some(3301u16), vec!["ssh-ed25519 AAAA k"], false);
        let o = Officer::from_stored(&codec::encode(1, &v1).unwrap()).unwrap();
        assert_eq!(
            (o.id, o.login.as_str(), o.role, o.district, o.fund),
            (7, "malee", Role::District, Some(3301), None)
        );
        assert_eq!(Officer::from_stored(&o.to_stored().unwrap()).unwrap(), o);
    }
}
