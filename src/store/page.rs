//! Records kept several to a sled value: a *page*.
//!
//! sled 0.34.7 (pinned) copies a leaf for every insert, so a bulk load or a
//! restore costs about the same per record whatever the record's size: the
//! province's 430,000 members took most of an import's time
//! (`examples/paged_writes`: 843,685 records one at a time 11.15 s, in pages
//! of at most 16 1.52 s). A tree kept in pages stores together the records
//! of one fund whose *member* ids fall in the same run of [`PER_PAGE`] ids:
//! up to 16 members, or the occupation records of up to 16 members, under
//! one key:
//!
//! ```text
//! page key   = the fund's id (the first `group` bytes of the record's key)
//!              ++ (member id >> 4 | 1 << 63), big-endian
//! page value = PAGE_FORMAT PAGE_VERSION
//!              then per record, in key order:
//!              rest_len u16 ++ rest ++ value_len u32 ++ value
//! ```
//!
//! where `rest` is the record's key after the fund's (the member's id; the
//! member's and the record's for an occupation record) and `value` its
//! stored bytes (`[format][schema][payload]`, as a record stored alone). The
//! top bit keeps a page's key apart from any record's (ids stop at
//! [`super::MAX_ID`]). Pages follow each other in member order and a page's
//! records are in key order, so a scan still gives records in key order, and
//! a member's records are in one page. Everything above the store still
//! speaks of records and their keys (`fund ++ member ++ record`); only this
//! module, and the few places that write a tree's raw pairs, know of pages.
//! A page is the unit sled writes: a member's save rewrites its page (about
//! 16 members) in the same transaction as before.

use sled::IVec;

use super::{core::StoreError, trees};

/// Records of a group whose ids share all but the last four bits share a page.
pub(super) const SHIFT: u32 = 4;
pub(super) const PER_PAGE: u64 = 1 << SHIFT;
const TOP: u64 = 1 << 63;
/// The first byte of a page: not a codec format, so a page is never taken
/// for a record nor a record for a page.
pub(super) const PAGE_FORMAT: u8 = 0xB7;
const PAGE_VERSION: u8 = 1;
/// A page never holds more than this (16 members with many loans each fit
/// many times over); a damaged length cannot make a reader allocate more.
const MAX_PAGE: usize = 64 << 20;

/// How many leading bytes of a record's key name its group, for the trees
/// kept in pages; `None` for the others.
pub(super) fn group(tree: &str) -> Option<usize> {
    match tree {
        trees::MEMBERS | trees::OCCUPATIONS => Some(8),
        _ => None,
    }
}

/// Whether `k` is a page's key in a tree whose groups are `group` bytes.
pub(super) fn is_page_key(group: usize, k: &[u8]) -> bool {
    k.len() == group + 8 && k[group] & 0x80 != 0
}

/// The key of the page that holds (or will hold) the record under `k`:
/// the page of the eight bytes after the group (a member's id).
pub(super) fn page_key(group: usize, k: &[u8]) -> Option<Vec<u8>> {
    let id = u64::from_be_bytes(k.get(group..group + 8)?.try_into().ok()?);
    let mut out = Vec::with_capacity(group + 8);
    out.extend_from_slice(&k[..group]);
    out.extend_from_slice(&((id >> SHIFT) | TOP).to_be_bytes());
    Some(out)
}

/// What is wrong with a value stored as a page.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PageError {
    #[error("a page that does not start as one (byte {0})")]
    NotPage(u8),
    #[error("a page of an unknown version {0}")]
    Version(u8),
    #[error("a page cut short at byte {0}")]
    Short(usize),
    #[error("a page whose records are out of order or repeated at byte {0}")]
    Order(usize),
    #[error("a page of {0} bytes, more than a page may hold")]
    TooBig(usize),
}

impl From<PageError> for super::codec::CodecError {
    fn from(e: PageError) -> Self {
        super::codec::CodecError::Decode(e.to_string())
    }
}

/// A page's records: (rest of the key, stored value), in key order.
pub(super) type Entries<'a> = Vec<(&'a [u8], &'a [u8])>;

/// Reads a page's records.
pub(super) fn decode(v: &[u8]) -> Result<Entries<'_>, PageError> {
    match v {
        [PAGE_FORMAT, PAGE_VERSION, ..] => {}
        [PAGE_FORMAT, version, ..] => return Err(PageError::Version(*version)),
        [b, ..] => return Err(PageError::NotPage(*b)),
        [] => return Err(PageError::Short(0)),
    }
    if v.len() > MAX_PAGE {
        return Err(PageError::TooBig(v.len()));
    }
    let mut out: Entries<'_> = Vec::with_capacity(PER_PAGE as usize);
    let mut at = 2;
    let take = |at: &mut usize, n: usize| -> Result<&[u8], PageError> {
        let end = at.checked_add(n).filter(|e| *e <= v.len()).ok_or(PageError::Short(*at))?;
        let s = &v[*at..end];
        *at = end;
        Ok(s)
    };
    while at < v.len() {
        let start = at;
        let n = u16::from_be_bytes(take(&mut at, 2)?.try_into().map_err(|_| PageError::Short(start))?);
        let rest = take(&mut at, usize::from(n))?;
        let n = u32::from_be_bytes(take(&mut at, 4)?.try_into().map_err(|_| PageError::Short(start))?);
        let value = take(&mut at, n as usize)?;
        if out.last().is_some_and(|(r, _)| *r >= rest) {
            return Err(PageError::Order(start));
        }
        out.push((rest, value));
    }
    Ok(out)
}

/// Writes a page of records given in key order (an empty page is no page:
/// callers remove its key instead).
pub(super) fn encode<'a>(entries: impl IntoIterator<Item = (&'a [u8], &'a [u8])>) -> Vec<u8> {
    let mut out = vec![PAGE_FORMAT, PAGE_VERSION];
    for (rest, value) in entries {
        out.extend_from_slice(&(rest.len() as u16).to_be_bytes());
        out.extend_from_slice(rest);
        out.extend_from_slice(&(value.len() as u32).to_be_bytes());
        out.extend_from_slice(value);
    }
    out
}

/// The stored value of the record whose key ends in `rest`, if the page has it.
pub(super) fn find<'a>(page: &'a [u8], rest: &[u8]) -> Result<Option<&'a [u8]>, PageError> {
    let entries = decode(page)?;
    Ok(entries.binary_search_by(|(r, _)| (*r).cmp(rest)).ok().map(|i| entries[i].1))
}

/// The page with the record whose key ends in `rest` set to `value` (`None`:
/// taken out). `None` when the page ends empty.
pub(super) fn with(
    page: Option<&[u8]>,
    rest: &[u8],
    value: Option<&[u8]>,
) -> Result<Option<Vec<u8>>, PageError> {
    let mut entries = match page {
        Some(p) => decode(p)?,
        None => Vec::new(),
    };
    match (entries.binary_search_by(|(r, _)| (*r).cmp(rest)), value) {
        (Ok(i), Some(v)) => entries[i] = (rest, v),
        (Ok(i), None) => {
            entries.remove(i);
        }
        (Err(i), Some(v)) => entries.insert(i, (rest, v)),
        (Err(_), None) => {}
    }
    Ok((!entries.is_empty()).then(|| encode(entries)))
}

/// The page with many records set at once (`changes` in any order; `None`
/// takes a record out). `None` when the page ends empty.
pub(super) fn with_many(
    page: Option<&[u8]>,
    changes: &[(Vec<u8>, Option<Vec<u8>>)],
) -> Result<Option<Vec<u8>>, PageError> {
    let mut map: std::collections::BTreeMap<&[u8], &[u8]> = match page {
        Some(p) => decode(p)?.into_iter().collect(),
        None => std::collections::BTreeMap::new(),
    };
    for (rest, value) in changes {
        match value {
            Some(v) => map.insert(rest.as_slice(), v.as_slice()),
            None => map.remove(rest.as_slice()),
        };
    }
    Ok((!map.is_empty()).then(|| encode(map)))
}

/// Calls `each` with the key and stored value of every record in the pair
/// (`k`, `v`) of a tree kept in pages of `group`-byte groups: each record of
/// a page, or the pair itself when `k` is not a page's key (a record stored
/// alone, which only a damaged or half-migrated tree holds).
pub(super) fn each_record(
    group: usize,
    k: &[u8],
    v: &[u8],
    each: &mut dyn FnMut(&[u8], &[u8]),
) -> Result<(), PageError> {
    if !is_page_key(group, k) {
        each(k, v);
        return Ok(());
    }
    let mut key = k[..group].to_vec();
    for (rest, value) in decode(v)? {
        key.truncate(group);
        key.extend_from_slice(rest);
        each(&key, value);
    }
    Ok(())
}

/// A page that does not read, as the store's error for the tree and key.
pub(super) fn damaged(tree: &'static str, k: &[u8], e: PageError) -> StoreError {
    StoreError::Codec { tree, key: k.to_vec(), source: e.into() }
}

/// The stored value of the record under `k` in the tree `name`.
pub(super) fn get(name: &'static str, tree: &sled::Tree, k: &[u8]) -> Result<Option<IVec>, StoreError> {
    let Some(g) = group(name) else { return Ok(tree.get(k)?) };
    let Some(pk) = page_key(g, k) else { return Ok(None) };
    let Some(page) = tree.get(&pk)? else { return Ok(None) };
    Ok(find(&page, &k[g..]).map_err(|e| damaged(name, &pk, e))?.map(IVec::from))
}

/// Writes (or, `None`, removes) the record under `k` in the tree `name`,
/// outside a transaction: for loads and their rollbacks, which hold the
/// store alone.
pub(super) fn put(
    name: &'static str,
    tree: &sled::Tree,
    k: &[u8],
    v: Option<&[u8]>,
) -> Result<(), StoreError> {
    let Some(g) = group(name) else {
        match v {
            Some(v) => tree.insert(k, v)?,
            None => tree.remove(k)?,
        };
        return Ok(());
    };
    let Some(pk) = page_key(g, k) else {
        return Err(damaged(name, k, PageError::Short(k.len())));
    };
    let old = tree.get(&pk)?;
    match with(old.as_deref(), &k[g..], v).map_err(|e| damaged(name, &pk, e))? {
        Some(page) => tree.insert(pk, page)?,
        None => tree.remove(pk)?,
    };
    Ok(())
}

/// Writes many records (`None`: removes), each page read and written once.
/// Outside a transaction, as [`put`].
pub(super) fn put_many(
    name: &'static str,
    tree: &sled::Tree,
    items: impl IntoIterator<Item = (Vec<u8>, Option<Vec<u8>>)>,
) -> Result<usize, StoreError> {
    let Some(g) = group(name) else {
        let mut n = 0;
        for (k, v) in items {
            put(name, tree, &k, v.as_deref())?;
            n += 1;
        }
        return Ok(n);
    };
    let mut n = 0;
    let pages = by_page(name, g, items.into_iter().inspect(|_| n += 1))?;
    for (pk, changes) in pages {
        let old = tree.get(&pk)?;
        match with_many(old.as_deref(), &changes).map_err(|e| damaged(name, &pk, e))? {
            Some(page) => tree.insert(pk, page)?,
            None => tree.remove(pk)?,
        };
    }
    Ok(n)
}

/// Changes to a page's records: (rest of the key, new value or `None`).
pub(super) type Changes = Vec<(Vec<u8>, Option<Vec<u8>>)>;

/// Changes to records (key, new value or `None`) sorted out by the page
/// they fall in, pages in key order.
pub(super) fn by_page(
    name: &'static str,
    g: usize,
    items: impl IntoIterator<Item = (Vec<u8>, Option<Vec<u8>>)>,
) -> Result<std::collections::BTreeMap<Vec<u8>, Changes>, StoreError> {
    let mut pages: std::collections::BTreeMap<Vec<u8>, Changes> = std::collections::BTreeMap::new();
    for (k, v) in items {
        let Some(pk) = page_key(g, &k) else {
            return Err(damaged(name, &k, PageError::Short(k.len())));
        };
        pages.entry(pk).or_default().push((k[g..].to_vec(), v));
    }
    Ok(pages)
}

/// What [`for_each`] calls with each record's key and stored value.
pub(super) type EachRecord<'a> = dyn FnMut(&[u8], &[u8]) -> Result<(), StoreError> + 'a;

/// Calls `each` with the key and stored value of every record whose key
/// starts with `prefix` in the tree `name`, in key order, and `pair` with
/// each sled key read, before its records (for [`super::cache::Settle`]).
pub(super) fn for_each(
    name: &'static str,
    tree: &sled::Tree,
    prefix: &[u8],
    pair: &mut dyn FnMut(&IVec) -> Result<(), StoreError>,
    each: &mut EachRecord<'_>,
) -> Result<(), StoreError> {
    let Some(g) = group(name) else {
        for item in tree.scan_prefix(prefix) {
            let (k, v) = item?;
            pair(&k)?;
            each(&k, &v)?;
        }
        return Ok(());
    };
    let mut failed = Ok(());
    // A prefix that names a member names one page.
    if let Some(pk) = page_key(g, prefix) {
        let Some(v) = tree.get(&pk)? else { return Ok(()) };
        pair(&IVec::from(pk.as_slice()))?;
        each_record(g, &pk, &v, &mut |rk, rv| {
            if failed.is_ok() && rk.starts_with(prefix) {
                failed = each(rk, rv);
            }
        })
        .map_err(|e| damaged(name, &pk, e))?;
        return failed;
    }
    for item in tree.scan_prefix(&prefix[..prefix.len().min(g)]) {
        let (k, v) = item?;
        pair(&k)?;
        each_record(g, &k, &v, &mut |rk, rv| {
            if failed.is_ok() && rk.starts_with(prefix) {
                failed = each(rk, rv);
            }
        })
        .map_err(|e| damaged(name, &k, e))?;
        std::mem::replace(&mut failed, Ok(()))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn member(fund: u64, id: u64) -> Vec<u8> {
        [fund.to_be_bytes(), id.to_be_bytes()].concat()
    }

    #[test]
    fn sixteen_ids_of_a_fund_share_a_page_and_no_page_key_is_a_record_key() {
        let g = group(trees::MEMBERS).expect("members are kept in pages");
        let p = page_key(g, &member(7, 32)).expect("page key");
        assert_eq!(p, page_key(g, &member(7, 47)).expect("page key"));
        assert_ne!(p, page_key(g, &member(7, 48)).expect("page key"));
        assert_ne!(p, page_key(g, &member(8, 32)).expect("page key"));
        assert!(is_page_key(g, &p));
        assert!(!is_page_key(g, &member(7, super::super::MAX_ID)));
        assert!(p.starts_with(&7u64.to_be_bytes()));
        assert_eq!(group(trees::FUNDS), None);
        // An occupation record is in the page of its member.
        let occ =
            |member: u64, id: u64| [7u64.to_be_bytes(), member.to_be_bytes(), id.to_be_bytes()].concat();
        assert_eq!(page_key(g, &occ(40, 1)), Some(p.clone()));
        assert_eq!(page_key(g, &occ(47, 90_000)), Some(p.clone()));
        assert_eq!(page_key(g, &7u64.to_be_bytes()), None);
    }

    #[test]
    fn records_go_in_come_out_in_key_order_and_an_empty_page_is_none() {
        let a = 3u64.to_be_bytes();
        let b = 9u64.to_be_bytes();
        let page = with(None, &b, Some(b"nine")).unwrap().unwrap();
        let page = with(Some(&page), &a, Some(b"three")).unwrap().unwrap();
        assert_eq!(decode(&page).unwrap(), vec![(&a[..], &b"three"[..]), (&b[..], &b"nine"[..])]);
        assert_eq!(find(&page, &b).unwrap(), Some(&b"nine"[..]));
        let page = with(Some(&page), &b, Some(b"NINE")).unwrap().unwrap();
        assert_eq!(find(&page, &b).unwrap(), Some(&b"NINE"[..]));
        let page = with(Some(&page), &a, None).unwrap().unwrap();
        assert_eq!(find(&page, &a).unwrap(), None);
        assert_eq!(with(Some(&page), &b, None).unwrap(), None);
        let many = with_many(None, &[(b.to_vec(), Some(b"9".to_vec())), (a.to_vec(), Some(b"3".to_vec()))])
            .unwrap()
            .unwrap();
        assert_eq!(decode(&many).unwrap(), vec![(&a[..], &b"3"[..]), (&b[..], &b"9"[..])]);
    }

    #[test]
    fn damaged_pages_are_named() {
        assert_eq!(decode(&[]), Err(PageError::Short(0)));
        assert_eq!(decode(&[1, 1, 0]), Err(PageError::NotPage(1)));
        assert_eq!(decode(&[PAGE_FORMAT, 9]), Err(PageError::Version(9)));
        let page = encode([(&[1u8][..], &b"x"[..])]);
        assert_eq!(decode(&page[..page.len() - 1]), Err(PageError::Short(9)));
        let twice = encode([(&[1u8][..], &b"x"[..]), (&[1u8][..], &b"y"[..])]);
        assert!(matches!(decode(&twice), Err(PageError::Order(_))));
    }

    proptest! {
        #[test]
        fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
            let mut v = vec![PAGE_FORMAT, PAGE_VERSION];
            v.extend_from_slice(&bytes);
            let _ = decode(&v);
            let _ = find(&v, &[0; 8]);
        }
    }
}
