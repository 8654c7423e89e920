//! Index trees. A plain index maps a key to the key of the record that holds
//! it. A sparse unique index (national IDs) is kept in buckets of nearby keys
//! instead: sled spends hundreds of bytes of memory per key when a bulk load
//! writes keys with large gaps between them, and about one hundredth of that
//! when the keys are dense. Bucketing by the leading digits makes them dense.

use sled::{
    IVec, Tree,
    transaction::{TransactionalTree, UnabortableTransactionError},
};

use super::{codec, codec::CodecError, trees};

const SCHEMA_BUCKET: u8 = 1;

/// National IDs that share their first seven digits (type, province, district,
/// first two digits of the house register book) share a bucket.
const BUCKET_SPAN: u64 = 1_000_000;

/// The bucket a key of `tree` lives in, for bucketed indexes.
pub(super) fn bucket_of(tree: &str, key: &[u8]) -> Option<[u8; 8]> {
    if tree != trees::MEMBERS_BY_NID {
        return None;
    }
    let n = u64::from_be_bytes(key.try_into().ok()?);
    Some((n / BUCKET_SPAN).to_be_bytes())
}

/// Entries of one bucket, sorted by key: (key, record key).
pub(super) type Bucket = Vec<(Vec<u8>, Vec<u8>)>;

pub(super) fn decode_bucket(bytes: Option<&[u8]>) -> Result<Bucket, CodecError> {
    match bytes {
        None => Ok(Vec::new()),
        Some(b) => codec::decode(SCHEMA_BUCKET, b),
    }
}

pub(super) fn encode_bucket(b: &Bucket) -> Result<Vec<u8>, CodecError> {
    codec::encode(SCHEMA_BUCKET, b)
}

/// A tree reached inside or outside a transaction.
pub(super) trait Access {
    type Error;
    fn get(&self, k: &[u8]) -> Result<Option<IVec>, Self::Error>;
    fn put(&self, k: &[u8], v: &[u8]) -> Result<(), Self::Error>;
    fn del(&self, k: &[u8]) -> Result<(), Self::Error>;
}

impl Access for Tree {
    type Error = sled::Error;
    fn get(&self, k: &[u8]) -> Result<Option<IVec>, sled::Error> {
        Tree::get(self, k)
    }
    fn put(&self, k: &[u8], v: &[u8]) -> Result<(), sled::Error> {
        self.insert(k, v).map(|_| ())
    }
    fn del(&self, k: &[u8]) -> Result<(), sled::Error> {
        self.remove(k).map(|_| ())
    }
}

impl Access for TransactionalTree {
    type Error = UnabortableTransactionError;
    fn get(&self, k: &[u8]) -> Result<Option<IVec>, Self::Error> {
        TransactionalTree::get(self, k)
    }
    fn put(&self, k: &[u8], v: &[u8]) -> Result<(), Self::Error> {
        self.insert(k, v).map(|_| ())
    }
    fn del(&self, k: &[u8]) -> Result<(), Self::Error> {
        self.remove(k).map(|_| ())
    }
}

pub(super) enum IndexError<E> {
    Storage(E),
    Codec(CodecError),
}

impl<E> From<CodecError> for IndexError<E> {
    fn from(e: CodecError) -> Self {
        IndexError::Codec(e)
    }
}

fn storage<E>(e: E) -> IndexError<E> {
    IndexError::Storage(e)
}

/// The record key that holds `key` in a unique index.
pub(super) fn get<A: Access>(a: &A, tree: &str, key: &[u8]) -> Result<Option<Vec<u8>>, IndexError<A::Error>> {
    match bucket_of(tree, key) {
        None => Ok(a.get(key).map_err(storage)?.map(|v| v.to_vec())),
        Some(b) => {
            let bucket = decode_bucket(a.get(&b).map_err(storage)?.as_deref())?;
            Ok(bucket.binary_search_by(|e| e.0.as_slice().cmp(key)).ok().map(|i| bucket[i].1.clone()))
        }
    }
}

/// Points `key` at `value` (a record key; empty for non-unique indexes).
pub(super) fn put<A: Access>(
    a: &A,
    tree: &str,
    key: &[u8],
    value: &[u8],
) -> Result<(), IndexError<A::Error>> {
    match bucket_of(tree, key) {
        None => a.put(key, value).map_err(storage),
        Some(b) => {
            let mut bucket = decode_bucket(a.get(&b).map_err(storage)?.as_deref())?;
            match bucket.binary_search_by(|e| e.0.as_slice().cmp(key)) {
                Ok(i) => bucket[i].1 = value.to_vec(),
                Err(i) => bucket.insert(i, (key.to_vec(), value.to_vec())),
            }
            a.put(&b, &encode_bucket(&bucket)?).map_err(storage)
        }
    }
}

pub(super) fn remove<A: Access>(a: &A, tree: &str, key: &[u8]) -> Result<(), IndexError<A::Error>> {
    match bucket_of(tree, key) {
        None => a.del(key).map_err(storage),
        Some(b) => {
            let mut bucket = decode_bucket(a.get(&b).map_err(storage)?.as_deref())?;
            if let Ok(i) = bucket.binary_search_by(|e| e.0.as_slice().cmp(key)) {
                bucket.remove(i);
            }
            if bucket.is_empty() {
                a.del(&b).map_err(storage)
            } else {
                a.put(&b, &encode_bucket(&bucket)?).map_err(storage)
            }
        }
    }
}
