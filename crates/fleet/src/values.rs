//! Row values on their way from SQLite to a binary COPY: one small enum so every table goes
//! through the same reader, digest and writer, with PostgreSQL's binary encodings for the two
//! types the `postgres` crate does not take as we hold them (unix-ms timestamps, JSON text).

use std::error::Error;

use bytes::{BufMut, BytesMut};
use postgres::types::{to_sql_checked, IsNull, ToSql, Type};
use rusqlite::types::ValueRef;
use sha2::{Digest, Sha256};

/// Microseconds between the Unix epoch and PostgreSQL's (2000-01-01 UTC).
const PG_EPOCH_UNIX_MS: i64 = 946_684_800_000;

/// How a column is read from SQLite and sent to PostgreSQL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// INTEGER -> int8.
    Int,
    /// REAL -> float8.
    Float,
    /// TEXT -> text.
    Text,
    /// BLOB -> bytea.
    Bytes,
    /// INTEGER unix ms -> timestamptz.
    Time,
    /// TEXT holding JSON -> jsonb (sent as text, parsed by the server).
    Json,
}

impl Kind {
    /// SQL type of the staging column.
    pub fn sql(self) -> &'static str {
        match self {
            Kind::Int => "int8",
            Kind::Float => "float8",
            Kind::Text => "text",
            Kind::Bytes => "bytea",
            Kind::Time => "timestamptz",
            Kind::Json => "jsonb",
        }
    }

    /// `postgres` type of the column, for the binary COPY writer.
    pub fn pg_type(self) -> Type {
        match self {
            Kind::Int => Type::INT8,
            Kind::Float => Type::FLOAT8,
            Kind::Text => Type::TEXT,
            Kind::Bytes => Type::BYTEA,
            Kind::Time => Type::TIMESTAMPTZ,
            Kind::Json => Type::JSONB,
        }
    }
}

/// One value (NULL allowed in every kind).
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// SQL NULL.
    Null,
    /// int8 (or timestamptz as unix ms, by the column's kind).
    Int(i64),
    /// float8.
    Float(f64),
    /// text or JSON text.
    Text(String),
    /// bytea.
    Bytes(Vec<u8>),
}

impl Value {
    /// Reads a SQLite value as `kind`; a value of another storage class is an error (the
    /// sensor database was edited by something else).
    pub fn read(v: ValueRef<'_>, kind: Kind, column: &str) -> Result<Value, String> {
        let bad = || {
            format!(
                "column {column}: unexpected {:?} for {kind:?}",
                v.data_type()
            )
        };
        Ok(match (kind, v) {
            (_, ValueRef::Null) => Value::Null,
            (Kind::Int | Kind::Time, ValueRef::Integer(i)) => Value::Int(i),
            (Kind::Float, ValueRef::Real(f)) => Value::Float(f),
            (Kind::Float, ValueRef::Integer(i)) => Value::Float(i as f64),
            (Kind::Text | Kind::Json, ValueRef::Text(t)) => {
                Value::Text(String::from_utf8(t.to_vec()).map_err(|_| bad())?)
            }
            (Kind::Bytes, ValueRef::Blob(b)) => Value::Bytes(b.to_vec()),
            _ => return Err(bad()),
        })
    }

    /// The value as an integer (ids, times).
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Value::Int(i) => Some(*i),
            _ => None,
        }
    }

    /// Feeds the value into a digest, tagged so that NULL, 0 and "" differ.
    pub fn digest(&self, h: &mut Sha256) {
        match self {
            Value::Null => h.update([0u8]),
            Value::Int(i) => {
                h.update([1u8]);
                h.update(i.to_le_bytes());
            }
            Value::Float(f) => {
                h.update([2u8]);
                h.update(f.to_bits().to_le_bytes());
            }
            Value::Text(s) => {
                h.update([3u8]);
                h.update((s.len() as u64).to_le_bytes());
                h.update(s.as_bytes());
            }
            Value::Bytes(b) => {
                h.update([4u8]);
                h.update((b.len() as u64).to_le_bytes());
                h.update(b);
            }
        }
    }
}

impl ToSql for Value {
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut BytesMut,
    ) -> Result<IsNull, Box<dyn Error + Sync + Send>> {
        match self {
            Value::Null => Ok(IsNull::Yes),
            Value::Int(ms) if *ty == Type::TIMESTAMPTZ => {
                let us = ms
                    .checked_sub(PG_EPOCH_UNIX_MS)
                    .and_then(|d| d.checked_mul(1000))
                    .ok_or_else(|| format!("time {ms} ms is out of range"))?;
                out.put_i64(us);
                Ok(IsNull::No)
            }
            Value::Int(i) => i.to_sql(ty, out),
            Value::Float(f) => f.to_sql(ty, out),
            Value::Text(s) if *ty == Type::JSONB => {
                // jsonb binary format: version byte 1, then the JSON text.
                out.put_u8(1);
                out.put_slice(s.as_bytes());
                Ok(IsNull::No)
            }
            Value::Text(s) => s.to_sql(ty, out),
            Value::Bytes(b) => b.to_sql(ty, out),
        }
    }

    fn accepts(ty: &Type) -> bool {
        [
            Type::INT8,
            Type::FLOAT8,
            Type::TEXT,
            Type::BYTEA,
            Type::TIMESTAMPTZ,
            Type::JSONB,
        ]
        .contains(ty)
    }

    to_sql_checked!();
}

/// Days since 1970-01-01 to (year, month) in the proleptic Gregorian calendar (the civil
///-from-days algorithm of H. Hinnant's date library).
pub fn year_month(days: i64) -> (i64, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month)
}

/// "YYYY-MM-01" of the UTC month holding `unix_ms`.
pub fn month_of(unix_ms: i64) -> String {
    let (y, m) = year_month(unix_ms.div_euclid(86_400_000));
    format!("{y:04}-{m:02}-01")
}

/// RFC 3339 UTC text of a unix-ms time ("2026-03-01T12:00:00.250Z").
pub fn rfc3339(unix_ms: i64) -> String {
    let days = unix_ms.div_euclid(86_400_000);
    let ms_of_day = unix_ms.rem_euclid(86_400_000);
    let z = days + 719_468;
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let (year, month) = year_month(days);
    let s = ms_of_day / 1000;
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
        s / 3600,
        (s / 60) % 60,
        s % 60,
        ms_of_day % 1000
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Dates checked against `date -u -d @SECONDS` (GNU coreutils).
    #[test]
    fn calendar_matches_gnu_date() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00.000Z");
        // date -u -d @951782400 -> Tue Feb 29 00:00:00 UTC 2000 (a leap day of a 400-year).
        assert_eq!(rfc3339(951_782_400_000), "2000-02-29T00:00:00.000Z");
        // date -u -d @1772323199 -> Sat Feb 28 23:59:59 UTC 2026
        assert_eq!(rfc3339(1_772_323_199_250), "2026-02-28T23:59:59.250Z");
        // date -u -d @-1 -> Wed Dec 31 23:59:59 UTC 1969
        assert_eq!(rfc3339(-1000), "1969-12-31T23:59:59.000Z");
        assert_eq!(month_of(1_772_323_200_000), "2026-03-01");
        assert_eq!(month_of(-1), "1969-12-01");
    }

    #[test]
    fn timestamps_encode_as_microseconds_since_2000() {
        let mut out = BytesMut::new();
        Value::Int(PG_EPOCH_UNIX_MS + 1)
            .to_sql(&Type::TIMESTAMPTZ, &mut out)
            .unwrap();
        assert_eq!(&out[..], &1000i64.to_be_bytes());
        let mut out = BytesMut::new();
        Value::Text("{}".into())
            .to_sql(&Type::JSONB, &mut out)
            .unwrap();
        assert_eq!(&out[..], b"\x01{}");
        assert!(Value::Int(i64::MIN)
            .to_sql(&Type::TIMESTAMPTZ, &mut BytesMut::new())
            .is_err());
    }
}
