//! The one place that knows the value encoding: `[format u8][schema version u8]
//! [bincode payload]`. bincode is pinned (=2.0.1) and carries an "unmaintained"
//! advisory, so nothing else in the crate names it.

use serde::{Serialize, de::DeserializeOwned};

/// bincode 2, standard configuration (little-endian, variable-length integers).
pub const FORMAT_BINCODE: u8 = 1;

/// No stored value is larger than this; a corrupted length prefix cannot make the
/// decoder allocate more.
pub const LIMIT: usize = 8 << 20;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CodecError {
    #[error("value too short for its header")]
    Short,
    #[error("unknown value format {0}")]
    Format(u8),
    #[error("schema version {found} cannot be read (this program reads up to {supported})")]
    Version { found: u8, supported: u8 },
    #[error("payload does not decode: {0}")]
    Decode(String),
    #[error("{0} unexpected bytes after the value")]
    Trailing(usize),
    #[error("value does not encode: {0}")]
    Encode(String),
}

fn config() -> impl bincode::config::Config {
    bincode::config::standard().with_limit::<LIMIT>()
}

/// Encodes `value` as the current `schema` version of its kind.
pub fn encode<T: Serialize>(schema: u8, value: &T) -> Result<Vec<u8>, CodecError> {
    let mut out = vec![FORMAT_BINCODE, schema];
    bincode::serde::encode_into_std_write(value, &mut out, config())
        .map_err(|e| CodecError::Encode(e.to_string()))?;
    Ok(out)
}

/// Splits a stored value into its schema version and payload.
pub fn envelope(bytes: &[u8]) -> Result<(u8, &[u8]), CodecError> {
    match bytes {
        [FORMAT_BINCODE, schema, payload @ ..] => Ok((*schema, payload)),
        [format, _, ..] => Err(CodecError::Format(*format)),
        _ => Err(CodecError::Short),
    }
}

/// Decodes a payload; every byte must belong to the value.
pub fn decode_payload<T: DeserializeOwned>(payload: &[u8]) -> Result<T, CodecError> {
    let (value, used) = bincode::serde::decode_from_slice(payload, config())
        .map_err(|e| CodecError::Decode(e.to_string()))?;
    if used != payload.len() {
        return Err(CodecError::Trailing(payload.len() - used));
    }
    Ok(value)
}

/// Decodes a value written at exactly `schema`.
pub fn decode<T: DeserializeOwned>(schema: u8, bytes: &[u8]) -> Result<T, CodecError> {
    let (found, payload) = envelope(bytes)?;
    if found != schema {
        return Err(CodecError::Version { found, supported: schema });
    }
    decode_payload(payload)
}

#[cfg(test)]
mod tests {
    /// Issue 19 renamed the stages on screen, not in the store: each stage is
    /// stored as the number it always was, so a store written before opens
    /// with the same meaning (no migration). A reordering would fail here.
    #[test]
    fn stages_are_stored_as_they_always_were() {
        use crate::domain::occupation::Stage;
        let stored: Vec<Vec<u8>> = Stage::ALL.iter().map(|s| encode(1, s).unwrap()).collect();
        let expected: Vec<Vec<u8>> = (0u8..5).map(|n| vec![FORMAT_BINCODE, 1, n]).collect();
        assert_eq!(stored, expected);
        for (s, bytes) in Stage::ALL.iter().zip(&expected) {
            assert_eq!(decode::<Stage>(1, bytes).unwrap(), *s);
        }
    }

    use super::*;
    use proptest::prelude::*;

    #[test]
    fn round_trip_and_envelope() {
        let v = (42u64, "กองทุน".to_string(), vec![1i64, -2]);
        let bytes = encode(1, &v).unwrap();
        assert_eq!(&bytes[..2], &[FORMAT_BINCODE, 1]);
        assert_eq!(decode::<(u64, String, Vec<i64>)>(1, &bytes), Ok(v));
    }

    #[test]
    fn trailing_bytes_are_rejected() {
        let mut bytes = encode(1, &7u32).unwrap();
        bytes.push(0);
        assert_eq!(decode::<u32>(1, &bytes), Err(CodecError::Trailing(1)));
    }

    #[test]
    fn wrong_headers_are_named() {
        assert_eq!(decode::<u32>(1, &[]), Err(CodecError::Short));
        assert_eq!(decode::<u32>(1, &[9, 1, 0]), Err(CodecError::Format(9)));
        assert_eq!(decode::<u32>(1, &[1, 2, 0]), Err(CodecError::Version { found: 2, supported: 1 }));
    }

    #[test]
    fn a_huge_length_prefix_does_not_allocate() {
        // A Vec<u8> claiming u64::MAX elements: varint tag 253 + 8 bytes.
        let mut bytes = vec![FORMAT_BINCODE, 1, 253];
        bytes.extend_from_slice(&u64::MAX.to_le_bytes());
        assert!(matches!(decode::<Vec<u8>>(1, &bytes), Err(CodecError::Decode(_))));
    }

    proptest! {
        #[test]
        fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
            let _ = decode::<(u64, String, Vec<(i64, Option<String>)>)>(1, &bytes);
        }
    }
}
