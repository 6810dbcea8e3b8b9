//! Salted hashing of subscriber identities (IMSI, TMSI) seen in paging.
//!
//! Bystanders' identities are personal data: the store keeps `SHA-256(salt || identity)` so the
//! detector can still count distinct identities and spot IMSI-paging floods, without the file
//! revealing who was paged. The 32-byte salt is random per database, which defeats a table of
//! precomputed hashes over the (small) IMSI space of one operator.

use sha2::{Digest, Sha256};

use crate::types::hex_bytes;

/// Canonical form hashed: surrounding blanks removed and ASCII lower-cased, so "1A2B" and
/// "1a2b " (a TMSI printed by two decoders) count as one identity.
pub(crate) fn canonical(identity: &str) -> String {
    identity.trim().to_ascii_lowercase()
}

/// Lower-case hex SHA-256 of `salt` followed by the canonical identity's UTF-8 bytes.
pub(crate) fn hash_identity(salt: &[u8], identity: &str) -> String {
    let mut h = Sha256::new();
    h.update(salt);
    h.update(canonical(identity).as_bytes());
    hex_bytes::encode(&h.finalize())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// FIPS 180-2 appendix B.1 example: SHA-256("abc"). With an empty salt the function must
    /// be plain SHA-256, which pins down both the hash and the hex encoding.
    #[test]
    fn empty_salt_is_plain_sha256_fips_example() {
        assert_eq!(
            hash_identity(&[], "abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    /// The salt is a prefix of the hashed message: SHA-256("abc") again when salt "ab" meets "c".
    #[test]
    fn salt_is_prepended() {
        assert_eq!(hash_identity(b"ab", "c"), hash_identity(&[], "abc"));
        assert_ne!(
            hash_identity(b"x", "001010123456789"),
            hash_identity(b"y", "001010123456789")
        );
    }

    #[test]
    fn canonical_form_ignores_case_and_blanks() {
        assert_eq!(
            hash_identity(b"s", " 1A2B3C4D "),
            hash_identity(b"s", "1a2b3c4d")
        );
    }
}
