//! The sensor's identity for a central fleet database: a random id generated once per store
//! (kept in `meta`), plus the name and organisation an operator gave it. `cellsentry sync`
//! sends these with every row so the central database knows which sensor saw what.
//!
//! The id lives in the database file, not in the machine: copying the file to another machine
//! carries the identity with it (a sensor that moves to a new laptop stays the same sensor).

use rusqlite::{params, OptionalExtension};
use serde::{Deserialize, Serialize};

use crate::error::StoreError;
use crate::types::hex_bytes;
use crate::Store;

/// Who this sensor is, as a central database sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SensorIdentity {
    /// Random UUID (version 4, RFC 9562 5.4), lower-case hyphenated; never changes.
    pub id: String,
    /// Operator-given name ("london-north-3"); `None` until one is set.
    pub name: Option<String>,
    /// Operator's organisation ("Ofcom"); `None` until one is set.
    pub organisation: Option<String>,
    /// ISO 3166 alpha-2 country the sensor works in ("gb"), lower case; `None` until set.
    pub country: Option<String>,
}

const ID_KEY: &str = "sensor_id";
const NAME_KEY: &str = "sensor_name";
const ORG_KEY: &str = "sensor_organisation";
const COUNTRY_KEY: &str = "sensor_country";

/// 16 random bytes as a version-4, RFC 9562 variant UUID.
fn uuid_v4(mut b: Vec<u8>) -> String {
    b.resize(16, 0);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = hex_bytes::encode(&b);
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

impl Store {
    fn meta(&self, key: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .conn
            .prepare_cached("SELECT value FROM meta WHERE key = ?1")?
            .query_row([key], |r| r.get(0))
            .optional()?)
    }

    fn set_meta(&self, key: &str, value: Option<&str>) -> Result<(), StoreError> {
        match value {
            Some(v) => self.conn.execute(
                "INSERT INTO meta (key, value) VALUES (?1, ?2)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value
                 WHERE value IS NOT excluded.value",
                params![key, v],
            )?,
            None => self
                .conn
                .execute("DELETE FROM meta WHERE key = ?1", [key])?,
        };
        Ok(())
    }

    /// The sensor's identity, generating its id on first use (two processes racing keep the
    /// first id written).
    pub fn sensor_identity(&self) -> Result<SensorIdentity, StoreError> {
        let id = match self.meta(ID_KEY)? {
            Some(id) => id,
            None => {
                // randomblob() draws from SQLite's OS-seeded PRNG, as the identity salt does.
                let bytes: Vec<u8> = self
                    .conn
                    .query_row("SELECT randomblob(16)", [], |r| r.get(0))?;
                self.conn.execute(
                    "INSERT OR IGNORE INTO meta (key, value) VALUES (?1, ?2)",
                    params![ID_KEY, uuid_v4(bytes)],
                )?;
                self.meta(ID_KEY)?
                    .ok_or_else(|| StoreError::Corrupt("sensor id vanished".to_string()))?
            }
        };
        Ok(SensorIdentity {
            id,
            name: self.meta(NAME_KEY)?,
            organisation: self.meta(ORG_KEY)?,
            country: self.meta(COUNTRY_KEY)?,
        })
    }

    /// Remember the operator-given name, organisation and country (each only when `Some`;
    /// an empty string clears it). Returns the identity as now stored.
    pub fn set_sensor_details(
        &self,
        name: Option<&str>,
        organisation: Option<&str>,
        country: Option<&str>,
    ) -> Result<SensorIdentity, StoreError> {
        let country = country.map(|c| c.trim().to_ascii_lowercase());
        if let Some(c) = country.as_deref() {
            if !c.is_empty() && (c.len() != 2 || !c.bytes().all(|b| b.is_ascii_alphabetic())) {
                return Err(StoreError::InvalidInput(format!(
                    "country must be a two-letter ISO 3166 code, got {c:?}"
                )));
            }
        }
        for (key, value) in [
            (NAME_KEY, name.map(str::trim)),
            (ORG_KEY, organisation.map(str::trim)),
            (COUNTRY_KEY, country.as_deref()),
        ] {
            if let Some(v) = value {
                self.set_meta(key, (!v.is_empty()).then_some(v))?;
            }
        }
        self.sensor_identity()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::StoreOptions;

    /// RFC 9562 5.4: version nibble 4, variant bits 10.
    #[test]
    fn uuid_has_version_and_variant_bits() {
        let u = uuid_v4(vec![0xff; 16]);
        assert_eq!(u, "ffffffff-ffff-4fff-bfff-ffffffffffff");
        let u = uuid_v4(vec![0; 16]);
        assert_eq!(u, "00000000-0000-4000-8000-000000000000");
    }

    #[test]
    fn identity_is_generated_once_and_survives_reopening() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.sqlite");
        let first = {
            let s = Store::open(&path, &StoreOptions::default()).unwrap();
            let a = s.sensor_identity().unwrap();
            assert_eq!(a, s.sensor_identity().unwrap());
            a
        };
        assert_eq!(first.id.len(), 36);
        assert_eq!(first.name, None);
        let s = Store::open(&path, &StoreOptions::default()).unwrap();
        let got = s
            .set_sensor_details(Some(" north-3 "), Some("Ofcom"), Some("GB"))
            .unwrap();
        assert_eq!(got.id, first.id);
        assert_eq!(got.name.as_deref(), Some("north-3"));
        assert_eq!(got.organisation.as_deref(), Some("Ofcom"));
        assert_eq!(got.country.as_deref(), Some("gb"));
        // None keeps, "" clears.
        let got = s.set_sensor_details(None, Some(""), None).unwrap();
        assert_eq!(got.name.as_deref(), Some("north-3"));
        assert_eq!(got.organisation, None);
        assert!(s.set_sensor_details(None, None, Some("gbr")).is_err());
        // Another database, another id.
        let other = Store::open_in_memory().unwrap().sensor_identity().unwrap();
        assert_ne!(other.id, first.id);
    }
}
