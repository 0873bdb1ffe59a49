//! The parsed-release cache format: a knowledge base as compact binary (postcard), framed so
//! that a corrupt, truncated or foreign file is detected and never trusted.
//!
//! Layout: magic `ATKMAPKB`, format version (u32 LE), the atkmap version (u16 LE length +
//! bytes), the bundle's SHA-256 (32 bytes), payload length (u64 LE), the payload's SHA-256
//! (32 bytes), the payload. Every field is checked on read; any mismatch is an error the
//! caller answers by parsing the bundle again and rewriting the file.

use sha2::{Digest, Sha256};

use super::KnowledgeBase;

const MAGIC: &[u8; 8] = b"ATKMAPKB";
/// Bumped whenever the knowledge base's shape changes.
const FORMAT_VERSION: u32 = 3;

/// Why a cache file was not used.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CacheError {
    /// The file does not start with the `ATKMAPKB` magic: it is no cache file at all.
    #[error("not an atkmap cache file")]
    Foreign,
    /// Written by another atkmap version or cache format; says which (`format 3, atkmap 0.1.0`).
    #[error("written by another atkmap or cache format ({0})")]
    OtherVersion(String),
    /// Built from another bundle: the SHA-256 recorded is not the one expected.
    #[error("built from another bundle")]
    OtherBundle,
    /// The file ends before a header field or the payload it announces.
    #[error("truncated")]
    Truncated,
    /// The payload's SHA-256 differs from the one recorded, or bytes follow the payload.
    #[error("corrupt (checksum mismatch)")]
    Corrupt,
    /// postcard could not serialise or deserialise the knowledge base; postcard's message.
    #[error("cannot be decoded: {0}")]
    Undecodable(String),
}

/// Serialises a knowledge base built from the bundle whose SHA-256 is `bundle_sha256`.
pub fn encode(kb: &KnowledgeBase, bundle_sha256: &[u8; 32]) -> Result<Vec<u8>, CacheError> {
    let payload = postcard::to_stdvec(kb).map_err(|e| CacheError::Undecodable(e.to_string()))?;
    let version = env!("CARGO_PKG_VERSION").as_bytes();
    let mut out = Vec::with_capacity(payload.len() + 128);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    out.extend_from_slice(&(version.len() as u16).to_le_bytes());
    out.extend_from_slice(version);
    out.extend_from_slice(bundle_sha256);
    out.extend_from_slice(&(payload.len() as u64).to_le_bytes());
    out.extend_from_slice(&Sha256::digest(&payload));
    out.extend_from_slice(&payload);
    Ok(out)
}

/// Reads a cache file back, checking every field; `bundle_sha256` is the bundle expected.
pub fn decode(bytes: &[u8], bundle_sha256: &[u8; 32]) -> Result<KnowledgeBase, CacheError> {
    let mut rest = bytes;
    let mut take = |n: usize| -> Result<&[u8], CacheError> {
        if rest.len() < n {
            return Err(CacheError::Truncated);
        }
        let (head, tail) = rest.split_at(n);
        rest = tail;
        Ok(head)
    };
    if take(MAGIC.len()).map_err(|_| CacheError::Foreign)? != MAGIC {
        return Err(CacheError::Foreign);
    }
    let format = u32::from_le_bytes(take(4)?.try_into().map_err(|_| CacheError::Truncated)?);
    let version_len = u16::from_le_bytes(take(2)?.try_into().map_err(|_| CacheError::Truncated)?);
    let version = take(version_len as usize)?;
    if format != FORMAT_VERSION || version != env!("CARGO_PKG_VERSION").as_bytes() {
        return Err(CacheError::OtherVersion(format!(
            "format {format}, atkmap {}",
            String::from_utf8_lossy(version)
        )));
    }
    if take(32)? != bundle_sha256 {
        return Err(CacheError::OtherBundle);
    }
    let length = u64::from_le_bytes(take(8)?.try_into().map_err(|_| CacheError::Truncated)?);
    let checksum = take(32)?.to_vec();
    let payload = take(usize::try_from(length).map_err(|_| CacheError::Truncated)?)?;
    if !rest.is_empty() {
        return Err(CacheError::Corrupt);
    }
    if Sha256::digest(payload).as_slice() != checksum.as_slice() {
        return Err(CacheError::Corrupt);
    }
    postcard::from_bytes(payload).map_err(|e| CacheError::Undecodable(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> (KnowledgeBase, [u8; 32]) {
        (crate::testing::kb(), [7u8; 32])
    }

    #[test]
    fn round_trips() {
        let (kb, sha) = sample();
        let bytes = encode(&kb, &sha).expect("encodes");
        let back = decode(&bytes, &sha).expect("decodes");
        assert_eq!(back.stats().techniques, kb.stats().techniques);
        assert_eq!(back.lookup("T1078.004", None), kb.lookup("T1078.004", None));
        assert_eq!(back.release, kb.release);
    }

    #[test]
    fn detects_every_kind_of_damage() {
        let (kb, sha) = sample();
        let bytes = encode(&kb, &sha).expect("encodes");
        assert_eq!(
            decode(b"{\"type\": \"bundle\"}", &sha).err(),
            Some(CacheError::Foreign)
        );
        assert_eq!(
            decode(&bytes[..bytes.len() - 10], &sha).err(),
            Some(CacheError::Truncated)
        );
        assert_eq!(
            decode(&bytes, &[8u8; 32]).err(),
            Some(CacheError::OtherBundle)
        );
        let mut flipped = bytes.clone();
        let last = flipped.len() - 1;
        flipped[last] ^= 0xff;
        assert_eq!(decode(&flipped, &sha).err(), Some(CacheError::Corrupt));
        let mut longer = bytes.clone();
        longer.push(0);
        assert_eq!(decode(&longer, &sha).err(), Some(CacheError::Corrupt));
        let mut other = bytes.clone();
        other[8] = 99;
        assert!(matches!(
            decode(&other, &sha),
            Err(CacheError::OtherVersion(_))
        ));
        for cut in [0, 3, 8, 12, 20, 60] {
            assert!(decode(&bytes[..cut.min(bytes.len())], &sha).is_err());
        }
    }
}
