//! Patrol records: who looked at what, when, what they found.

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// One visit as recorded in the field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PatrolRecord {
    /// Plan followed.
    pub plan: String,
    /// Asset visited.
    pub asset: String,
    /// Who did it.
    pub inspector: String,
    /// When (local time).
    pub time: NaiveDateTime,
    /// Checklist answers: question to yes/no.
    pub answers: BTreeMap<String, bool>,
    /// What was found, in words.
    #[serde(default)]
    pub findings: String,
    /// Where the record was made (longitude, latitude in degrees).
    #[serde(default)]
    pub position: Option<(f64, f64)>,
    /// Photos by content hash (see [`photo_hash`]).
    #[serde(default)]
    pub photos: Vec<String>,
}

impl PatrolRecord {
    /// Checklist questions answered "no": each one is a finding to follow up.
    pub fn failed_checks(&self) -> impl Iterator<Item = &str> {
        self.answers
            .iter()
            .filter(|(_, ok)| !**ok)
            .map(|(question, _)| question.as_str())
    }
}

/// The content hash a photo is stored under: SHA-256, lower-case hex. The same photo uploaded
/// twice is stored once.
pub fn photo_hash(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn photo_hash_is_sha256_hex() {
        // SHA-256 of the empty input, from FIPS 180-2 test vectors.
        assert_eq!(
            photo_hash(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_eq!(
            photo_hash(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
