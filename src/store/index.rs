//! Index trees. A plain index maps a key to the key of the record that holds
//! it. A sparse unique index (national IDs) is kept in buckets of nearby keys
//! instead: sled spends hundreds of bytes of memory per key when a bulk load
//! writes keys with large gaps between them, and about one hundredth of that
//! when the keys are dense. Bucketing by the leading digits makes them dense.
//!
//! A save rewrites its whole bucket, and real IDs crowd: people registered in
//! one district in 1984 share their first seven digits, so one bucket could
//! hold a district's elders, and every save among them rewrite it. A bucket
//! past [`SPLIT_AT`] entries is therefore split in ten by the ID's next digit:
//! its key then holds an empty value (the split mark) and its entries move to
//! keys one byte longer (the digit), which split again in their turn, down to
//! [`MAX_DEPTH`] digits. A lookup follows the marks down; a bucket is never
//! joined back (an empty one is removed, its mark stays).

use sled::{
    IVec, Tree,
    transaction::{TransactionalTree, UnabortableTransactionError},
};

use super::{codec, codec::CodecError, trees};

const SCHEMA_BUCKET: u8 = 1;

/// National IDs that share their first seven digits (type, province, district,
/// first two digits of the house register book) share a bucket.
const BUCKET_SPAN: u64 = 1_000_000;

/// A bucket holding more entries than this is split in ten.
pub const SPLIT_AT: usize = 512;

/// Digits below the first seven a bucket may split by: buckets of ten
/// digits hold at most the hundred IDs that share them.
pub(super) const MAX_DEPTH: usize = 3;

/// The top bucket a key of `tree` lives in, for bucketed indexes.
pub(super) fn bucket_of(tree: &str, key: &[u8]) -> Option<[u8; 8]> {
    if tree != trees::MEMBERS_BY_NID {
        return None;
    }
    let n = u64::from_be_bytes(key.try_into().ok()?);
    Some((n / BUCKET_SPAN).to_be_bytes())
}

/// The key of the bucket `depth` splits below the top one that would hold
/// `key`: the top bucket's key and then one byte per digit.
pub(super) fn bucket_key(key: &[u8], depth: usize) -> Vec<u8> {
    let n = key.try_into().map(u64::from_be_bytes).unwrap_or_default();
    let mut out = (n / BUCKET_SPAN).to_be_bytes().to_vec();
    let rest = n % BUCKET_SPAN;
    for d in 1..=depth.min(MAX_DEPTH) {
        // The digits after the first seven, one per level.
        out.push(((rest / 10u64.pow(6 - d as u32)) % 10) as u8);
    }
    out
}

/// How many digits a stored bucket key splits by (`None`: not a bucket key).
pub(super) fn depth_of(bucket: &[u8]) -> Option<usize> {
    bucket.len().checked_sub(8).filter(|d| *d <= MAX_DEPTH && bucket[8..].iter().all(|b| *b < 10))
}

/// Whether a stored value is a split mark rather than a bucket.
pub(super) fn is_split(value: &[u8]) -> bool {
    value.is_empty()
}

/// The pairs that store `bucket` (sorted) at `key`: the bucket itself, or,
/// when it holds more than [`SPLIT_AT`], a split mark and its tens.
pub(super) fn layout(
    key: Vec<u8>,
    bucket: Bucket,
    out: &mut Vec<(Vec<u8>, Vec<u8>)>,
) -> Result<(), CodecError> {
    let depth = depth_of(&key).unwrap_or(MAX_DEPTH);
    if bucket.len() <= SPLIT_AT || depth >= MAX_DEPTH {
        out.push((key, encode_bucket(&bucket)?));
        return Ok(());
    }
    out.push((key.clone(), Vec::new()));
    for (digit, ten) in by_next_digit(bucket, depth) {
        layout([key.as_slice(), &[digit]].concat(), ten, out)?;
    }
    Ok(())
}

/// `entries` of a bucket at `depth`, sorted into the ten below it by their
/// next digit (those with none left out), in order.
fn by_next_digit(entries: Bucket, depth: usize) -> impl Iterator<Item = (u8, Bucket)> {
    let mut tens: Vec<Bucket> = vec![Vec::new(); 10];
    for e in entries {
        let below = bucket_key(&e.0, depth + 1);
        tens[usize::from(below[below.len() - 1])].push(e);
    }
    (0u8..).zip(tens).filter(|(_, ten)| !ten.is_empty())
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
    /// A bucket could not be written.
    Codec(CodecError),
    /// The bucket at `at` could not be read: damage.
    Damaged {
        at: Vec<u8>,
        source: CodecError,
    },
}

impl<E> From<CodecError> for IndexError<E> {
    fn from(e: CodecError) -> Self {
        IndexError::Codec(e)
    }
}

impl IndexError<sled::Error> {
    /// As the store says it: a bucket that did not read is named (damage);
    /// one that could not be written is an encoding error, as in a save.
    pub(super) fn into_store(self) -> super::core::StoreError {
        match self {
            IndexError::Storage(e) => super::core::StoreError::Sled(e),
            IndexError::Codec(source) => super::core::StoreError::Encode(source),
            IndexError::Damaged { at, source } => damaged(at, source),
        }
    }
}

/// A bucket that did not read, as the store says it.
pub(super) fn damaged(at: Vec<u8>, source: CodecError) -> super::core::StoreError {
    super::core::StoreError::Codec { tree: trees::MEMBERS_BY_NID, key: at, source }
}

/// The bucket stored at `at`.
fn read_bucket<E>(at: &[u8], bytes: Option<&[u8]>) -> Result<Bucket, IndexError<E>> {
    decode_bucket(bytes).map_err(|source| IndexError::Damaged { at: at.to_vec(), source })
}

fn storage<E>(e: E) -> IndexError<E> {
    IndexError::Storage(e)
}

/// The bucket that holds (or would hold) `key`, found by following the
/// split marks down from the top one: its key and its entries.
fn leaf<A: Access>(a: &A, key: &[u8]) -> Result<(Vec<u8>, Bucket), IndexError<A::Error>> {
    let mut depth = 0;
    loop {
        let at = bucket_key(key, depth);
        match a.get(&at).map_err(storage)? {
            Some(v) if is_split(&v) && depth < MAX_DEPTH => depth += 1,
            v => {
                let bucket = read_bucket(&at, v.as_deref())?;
                return Ok((at, bucket));
            }
        }
    }
}

/// The record key that holds `key` in a unique index.
pub(super) fn get<A: Access>(a: &A, tree: &str, key: &[u8]) -> Result<Option<Vec<u8>>, IndexError<A::Error>> {
    if bucket_of(tree, key).is_none() {
        return Ok(a.get(key).map_err(storage)?.map(|v| v.to_vec()));
    }
    let (_, bucket) = leaf(a, key)?;
    Ok(bucket.binary_search_by(|e| e.0.as_slice().cmp(key)).ok().map(|i| bucket[i].1.clone()))
}

/// Points `key` at `value` (a record key; empty for non-unique indexes).
pub(super) fn put<A: Access>(
    a: &A,
    tree: &str,
    key: &[u8],
    value: &[u8],
) -> Result<(), IndexError<A::Error>> {
    if bucket_of(tree, key).is_none() {
        return a.put(key, value).map_err(storage);
    }
    let (at, mut bucket) = leaf(a, key)?;
    match bucket.binary_search_by(|e| e.0.as_slice().cmp(key)) {
        Ok(i) => bucket[i].1 = value.to_vec(),
        Err(i) => bucket.insert(i, (key.to_vec(), value.to_vec())),
    }
    let mut pairs = Vec::new();
    layout(at, bucket, &mut pairs)?;
    for (k, v) in pairs {
        a.put(&k, &v).map_err(storage)?;
    }
    Ok(())
}

pub(super) fn remove<A: Access>(a: &A, tree: &str, key: &[u8]) -> Result<(), IndexError<A::Error>> {
    if bucket_of(tree, key).is_none() {
        return a.del(key).map_err(storage);
    }
    let (at, mut bucket) = leaf(a, key)?;
    if let Ok(i) = bucket.binary_search_by(|e| e.0.as_slice().cmp(key)) {
        bucket.remove(i);
    }
    if bucket.is_empty() {
        a.del(&at).map_err(storage)
    } else {
        a.put(&at, &encode_bucket(&bucket)?).map_err(storage)
    }
}

/// Adds `entries` (sorted, all of the top bucket `top`) to what the tree
/// holds under it, following and making split marks: the pairs to write.
pub(super) fn merge(
    tree: &sled::Tree,
    top: Vec<u8>,
    entries: Bucket,
    out: &mut Vec<(Vec<u8>, Vec<u8>)>,
) -> Result<(), IndexError<sled::Error>> {
    let depth = depth_of(&top).unwrap_or(MAX_DEPTH);
    match tree.get(&top).map_err(storage)? {
        Some(v) if is_split(&v) && depth < MAX_DEPTH => {
            for (digit, ten) in by_next_digit(entries, depth) {
                merge(tree, [top.as_slice(), &[digit]].concat(), ten, out)?;
            }
            Ok(())
        }
        v => {
            let mut bucket = read_bucket(&top, v.as_deref())?;
            bucket.extend(entries);
            bucket.sort_by(|x, y| x.0.cmp(&y.0));
            Ok(layout(top, bucket, out)?)
        }
    }
}
