//! Plain data types written to and read from the store.
//!
//! The store knows no receiver or detector crate: the CLI maps `GsmCell`, `LteCell`, `Detection`,
//! `Verdict` ... into these rows. Decoded messages and evidence travel as `serde_json::Value`,
//! raw radio messages as bytes, so a new message type never needs a schema change.

use serde::{Deserialize, Serialize};
use serde_json::Value;

pub use cellsentry_model::{CellKey, Plmn, Rat, Severity, VerdictLevel};

use crate::error::StoreError;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
        )]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, "{}", self.0)
            }
        }
    };
}

id_type!(
    /// Row id of a run (`runs.id`).
    RunId
);
id_type!(
    /// Row id of a cell (`cells.id`).
    CellId
);
id_type!(
    /// Row id of an observation (`observations.id`).
    ObservationId
);
id_type!(
    /// Row id of a stored radio message (`messages.id`).
    MessageId
);
id_type!(
    /// Row id of a detection (`detections.id`).
    DetectionId
);
id_type!(
    /// Row id of a verdict (`verdicts.id`).
    VerdictId
);

/// Text enums stored as lower-case words with a SQL `CHECK`; parsing a stored word that is not
/// one of them means the file was edited by something else, reported as `StoreError::Corrupt`.
macro_rules! text_enum {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        pub enum $name {
            $($(#[$vdoc])* #[serde(rename = $text)] $variant),+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The word stored in the database and printed in reports.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = StoreError;
            fn from_str(s: &str) -> Result<Self, StoreError> {
                match s {
                    $($text => Ok($name::$variant),)+
                    other => Err(StoreError::Corrupt(format!(
                        "unknown {} value {:?}",
                        stringify!($name),
                        other
                    ))),
                }
            }
        }
    };
}

text_enum!(
    /// What produced a run.
    RunKind {
        /// Decoding a recorded IQ file.
        Replay => "replay",
        /// Live watch of a set of channels.
        Monitor => "monitor",
        /// Live sweep of bands looking for cells.
        Scan => "scan",
        /// Moving survey (drive/walk test).
        Survey => "survey",
        /// Synthetic scene from the generator.
        Synth => "synth",
    }
);

text_enum!(
    /// Life-cycle state of a run.
    RunStatus {
        /// Still being written (or its writer died: see `Store::mark_running_runs_interrupted`).
        Running => "running",
        /// Finished normally.
        Completed => "completed",
        /// Stopped by an error.
        Failed => "failed",
        /// Stopped by the user or a crash.
        Interrupted => "interrupted",
    }
);

text_enum!(
    /// Kind of mobile identity seen in a paging message (TS 24.008 10.5.1.4, TS 36.331 PagingUE-Identity).
    IdentityKind {
        /// IMSI (GSM Mobile Identity type 1, LTE `imsi`).
        Imsi => "imsi",
        /// TMSI / P-TMSI (GSM) or S-TMSI (LTE: MMEC + M-TMSI).
        Tmsi => "tmsi",
        /// IMEI / IMEISV (not normally paged, kept for completeness).
        Imei => "imei",
    }
);

/// A run to start (`Store::begin_run`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewRun {
    /// Wall-clock start, ms since the Unix epoch.
    pub started_unix_ms: i64,
    /// What kind of run this is.
    pub kind: RunKind,
    /// Human description of the source: file path as given, device string, scene name.
    pub source: String,
    /// Radio device (driver/serial), `None` for files.
    pub device: Option<String>,
    /// Settings the run used (CLI options, rule thresholds), as JSON.
    pub settings: Value,
    /// Sample rate of the IQ stream.
    pub sample_rate_hz: Option<f64>,
    /// Centre frequency of the IQ stream (first one for sweeps).
    pub center_freq_hz: Option<f64>,
    /// Version of cellsentry that wrote the run.
    pub cellsentry_version: String,
    /// Sensor position, WGS84 latitude.
    pub host_lat_deg: Option<f64>,
    /// Sensor position, WGS84 longitude.
    pub host_lon_deg: Option<f64>,
    /// Free text.
    pub note: Option<String>,
}

impl NewRun {
    /// A run with empty settings, no device/position/note and this crate's version (the
    /// workspace shares one version).
    pub fn new(kind: RunKind, source: impl Into<String>, started_unix_ms: i64) -> Self {
        NewRun {
            started_unix_ms,
            kind,
            source: source.into(),
            device: None,
            settings: Value::Object(serde_json::Map::new()),
            sample_rate_hz: None,
            center_freq_hz: None,
            cellsentry_version: env!("CARGO_PKG_VERSION").to_string(),
            host_lat_deg: None,
            host_lon_deg: None,
            note: None,
        }
    }
}

/// A stored run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunRow {
    /// Row id.
    pub id: RunId,
    /// Wall-clock start, ms since the Unix epoch.
    pub started_unix_ms: i64,
    /// Wall-clock end, `None` while running or after a crash.
    pub ended_unix_ms: Option<i64>,
    /// What kind of run.
    pub kind: RunKind,
    /// Source description.
    pub source: String,
    /// Radio device.
    pub device: Option<String>,
    /// Settings JSON.
    pub settings: Value,
    /// Sample rate of the IQ stream.
    pub sample_rate_hz: Option<f64>,
    /// Centre frequency of the IQ stream.
    pub center_freq_hz: Option<f64>,
    /// Version of cellsentry that wrote it.
    pub cellsentry_version: String,
    /// Sensor latitude.
    pub host_lat_deg: Option<f64>,
    /// Sensor longitude.
    pub host_lon_deg: Option<f64>,
    /// Life-cycle state.
    pub status: RunStatus,
    /// Free text.
    pub note: Option<String>,
    /// Samples read so far (updated with every commit of a streaming session).
    pub samples_read: u64,
    /// Samples lost: radio overflows and what the session's queue could not hold.
    pub samples_dropped: u64,
    /// Signal time covered so far, seconds.
    pub signal_seconds: f64,
}

/// A live alert to store (`Batch::alert`): a cell's verdict rose while the run went on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewAlert {
    pub run_id: RunId,
    pub cell_id: CellId,
    /// Signal time of the observation that raised it, ms since the Unix epoch.
    pub time_unix_ms: i64,
    pub previous_level: VerdictLevel,
    pub level: VerdictLevel,
    pub score: f64,
    /// Ids (and versions) of the rules that fired, as JSON.
    pub rules: Value,
    /// Signal time from the cell's first burst to the alert, ms.
    pub latency_ms: Option<i64>,
}

/// A stored alert.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlertRow {
    pub id: i64,
    pub run_id: RunId,
    pub cell_id: CellId,
    pub time_unix_ms: i64,
    pub previous_level: VerdictLevel,
    pub level: VerdictLevel,
    pub score: f64,
    pub rules: Value,
    pub latency_ms: Option<i64>,
}

/// A stored cell.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CellRow {
    /// Row id.
    pub id: CellId,
    /// Natural key: identity as decoded (PLMN as broadcast).
    pub key: CellKey,
    /// First time seen in any run, ms since the Unix epoch.
    pub first_seen_unix_ms: i64,
    /// Last time seen in any run.
    pub last_seen_unix_ms: i64,
    /// User label ("operator X macro cell", "blaster #1").
    pub label: Option<String>,
}

/// One measurement of one cell (`Batch::observation`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewObservation {
    /// Run it belongs to.
    pub run_id: RunId,
    /// Cell measured.
    pub cell_id: CellId,
    /// Time of the measurement, ms since the Unix epoch (sample time for replays).
    pub time_unix_ms: i64,
    /// Carrier frequency measured.
    pub freq_hz: f64,
    /// ARFCN (GSM) or EARFCN (LTE) the receiver was on.
    pub channel_number: Option<u32>,
    /// Received power relative to full scale; NaN when not measured (stored as NULL).
    pub power_dbfs: f64,
    /// Received power in dBm when the front end is calibrated.
    pub power_dbm: Option<f64>,
    /// Signal-to-noise ratio.
    pub snr_db: Option<f64>,
    /// Carrier offset measured against the nominal channel frequency.
    pub freq_offset_hz: Option<f64>,
    /// The same offset in parts per million of the carrier.
    pub freq_offset_ppm: Option<f64>,
    /// Blocks/transport blocks that passed CRC in this observation.
    pub blocks_ok: u32,
    /// Blocks that failed CRC.
    pub blocks_failed: u32,
    /// Sensor latitude at the time (surveys).
    pub lat_deg: Option<f64>,
    /// Sensor longitude at the time (surveys).
    pub lon_deg: Option<f64>,
    /// Receiver-specific extras (timing advance, CP, n_prb, rsrq ...), as JSON.
    pub summary: Value,
}

/// A stored observation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ObservationRow {
    /// Row id.
    pub id: ObservationId,
    /// Run.
    pub run_id: RunId,
    /// Cell.
    pub cell_id: CellId,
    /// Time, ms since the Unix epoch.
    pub time_unix_ms: i64,
    /// Carrier frequency.
    pub freq_hz: f64,
    /// ARFCN / EARFCN.
    pub channel_number: Option<u32>,
    /// Power relative to full scale; NaN when not measured (`null` in JSON).
    pub power_dbfs: f64,
    /// Calibrated power.
    pub power_dbm: Option<f64>,
    /// SNR.
    pub snr_db: Option<f64>,
    /// Carrier offset.
    pub freq_offset_hz: Option<f64>,
    /// Carrier offset in ppm.
    pub freq_offset_ppm: Option<f64>,
    /// CRC-good blocks.
    pub blocks_ok: u32,
    /// CRC-failed blocks.
    pub blocks_failed: u32,
    /// Latitude.
    pub lat_deg: Option<f64>,
    /// Longitude.
    pub lon_deg: Option<f64>,
    /// Extras JSON.
    pub summary: Value,
}

/// One broadcast/common-channel message (`Batch::message`). Unknown or malformed messages are
/// kept with `decoded: None` and the reason in `error`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewMessage {
    /// Run.
    pub run_id: RunId,
    /// Cell that sent it.
    pub cell_id: CellId,
    /// Observation it was decoded in, if any.
    pub observation_id: Option<ObservationId>,
    /// Time, ms since the Unix epoch.
    pub time_unix_ms: i64,
    /// TDMA frame number (GSM, TS 45.002 4.3.3) or SFN*10+subframe (LTE).
    pub frame_number: Option<u32>,
    /// Logical channel: "BCCH", "CCCH", "PCH", "AGCH", "BCCH-DL-SCH", "PCCH" ...
    pub channel: String,
    /// Message type name: "SI3", "PagingRequestType1", "SIB1", "MIB", "unknown" ...
    pub message_type: String,
    /// Raw message bytes as received (after channel decoding).
    #[serde(with = "crate::types::hex_bytes")]
    pub raw: Vec<u8>,
    /// Decoded content, `None` when not decoded.
    pub decoded: Option<Value>,
    /// Why it was not (fully) decoded, e.g. "unknown message type 0x1f".
    pub error: Option<String>,
}

/// A stored message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MessageRow {
    /// Row id.
    pub id: MessageId,
    /// Run.
    pub run_id: RunId,
    /// Cell.
    pub cell_id: CellId,
    /// Observation.
    pub observation_id: Option<ObservationId>,
    /// Time, ms since the Unix epoch.
    pub time_unix_ms: i64,
    /// Frame number.
    pub frame_number: Option<u32>,
    /// Logical channel.
    pub channel: String,
    /// Message type.
    pub message_type: String,
    /// Raw bytes (hex in JSON).
    #[serde(with = "crate::types::hex_bytes")]
    pub raw: Vec<u8>,
    /// Decoded JSON.
    pub decoded: Option<Value>,
    /// Decode error / reason.
    pub error: Option<String>,
}

/// One rule firing (`Batch::detection`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewDetection {
    /// Run.
    pub run_id: RunId,
    /// Cell it is about; `None` for run-wide findings (e.g. jamming of a whole band).
    pub cell_id: Option<CellId>,
    /// Stable rule id, e.g. "gsm.no_neighbours".
    pub rule_id: String,
    /// Version of the rule's logic/thresholds.
    pub rule_version: u32,
    /// Severity.
    pub severity: Severity,
    /// Rule score contribution.
    pub score: f64,
    /// Time, ms since the Unix epoch.
    pub time_unix_ms: i64,
    /// One-line human summary.
    pub summary: Option<String>,
    /// Evidence (values, thresholds, message ids), as JSON.
    pub evidence: Value,
}

/// A stored detection.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DetectionRow {
    /// Row id.
    pub id: DetectionId,
    /// Run.
    pub run_id: RunId,
    /// Cell.
    pub cell_id: Option<CellId>,
    /// Rule id.
    pub rule_id: String,
    /// Rule version.
    pub rule_version: u32,
    /// Severity.
    pub severity: Severity,
    /// Score.
    pub score: f64,
    /// Time, ms since the Unix epoch.
    pub time_unix_ms: i64,
    /// Summary.
    pub summary: Option<String>,
    /// Evidence JSON.
    pub evidence: Value,
}

/// A verdict on one cell (`Batch::verdict`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewVerdict {
    /// Run.
    pub run_id: RunId,
    /// Cell.
    pub cell_id: CellId,
    /// Level.
    pub level: VerdictLevel,
    /// Total score.
    pub score: f64,
    /// Time, ms since the Unix epoch.
    pub time_unix_ms: i64,
    /// Rules that fired (ids, versions, detection ids), as JSON.
    pub rules_fired: Value,
}

/// A stored verdict.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VerdictRow {
    /// Row id.
    pub id: VerdictId,
    /// Run.
    pub run_id: RunId,
    /// Cell.
    pub cell_id: CellId,
    /// Level.
    pub level: VerdictLevel,
    /// Score.
    pub score: f64,
    /// Time, ms since the Unix epoch.
    pub time_unix_ms: i64,
    /// Rules fired JSON.
    pub rules_fired: Value,
}

/// A power spectrum snapshot (`Batch::spectrum`). Bin `i` is centred on
/// `center_freq_hz + (i - n/2) * bin_spacing_hz` (FFT-shifted order, DC at `n/2`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewSpectrum {
    /// Run.
    pub run_id: RunId,
    /// Time, ms since the Unix epoch.
    pub time_unix_ms: i64,
    /// Centre frequency of the snapshot.
    pub center_freq_hz: f64,
    /// Spacing between bins.
    pub bin_spacing_hz: f64,
    /// Power per bin relative to full scale (stored as f32 little-endian BLOB).
    pub power_dbfs: Vec<f32>,
}

/// A stored spectrum snapshot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SpectrumRow {
    /// Row id.
    pub id: i64,
    /// Run.
    pub run_id: RunId,
    /// Time.
    pub time_unix_ms: i64,
    /// Centre frequency.
    pub center_freq_hz: f64,
    /// Bin spacing.
    pub bin_spacing_hz: f64,
    /// Power per bin.
    pub power_dbfs: Vec<f32>,
}

/// Power measured in one channel at one time (band scans), whether or not a cell was decoded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewChannelPower {
    /// Run.
    pub run_id: RunId,
    /// Time, ms since the Unix epoch.
    pub time_unix_ms: i64,
    /// Technology the channel raster belongs to.
    pub rat: Rat,
    /// Band name, e.g. "GSM900", "B20".
    pub band: Option<String>,
    /// ARFCN / EARFCN.
    pub channel_number: u32,
    /// Channel centre frequency.
    pub freq_hz: f64,
    /// Bandwidth the power was integrated over.
    pub bandwidth_hz: f64,
    /// Power relative to full scale.
    pub power_dbfs: f64,
    /// Calibrated power.
    pub power_dbm: Option<f64>,
}

/// A stored channel power row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChannelPowerRow {
    /// Row id.
    pub id: i64,
    /// Run.
    pub run_id: RunId,
    /// Time.
    pub time_unix_ms: i64,
    /// Technology.
    pub rat: Rat,
    /// Band.
    pub band: Option<String>,
    /// ARFCN / EARFCN.
    pub channel_number: u32,
    /// Centre frequency.
    pub freq_hz: f64,
    /// Integration bandwidth.
    pub bandwidth_hz: f64,
    /// Power relative to full scale.
    pub power_dbfs: f64,
    /// Calibrated power.
    pub power_dbm: Option<f64>,
}

/// One identity found in a paging message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PagedIdentity {
    /// Kind of identity.
    pub kind: IdentityKind,
    /// Its digits (IMSI/IMEI) or hex (TMSI), as the decoder printed it. Stored only hashed
    /// unless the store was opened with `store_identities_clear`.
    pub value: String,
}

/// One paging message and the identities it carried (`Batch::paging`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PagingEvent {
    /// Run.
    pub run_id: RunId,
    /// Cell that paged.
    pub cell_id: CellId,
    /// Time, ms since the Unix epoch.
    pub time_unix_ms: i64,
    /// Identities paged (a GSM Paging Request Type 1 carries up to 2, TS 44.018 9.1.22).
    pub identities: Vec<PagedIdentity>,
}

/// Paging counters for one run and cell.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PagingCountRow {
    /// Run.
    pub run_id: RunId,
    /// Cell.
    pub cell_id: CellId,
    /// Paging messages recorded.
    pub paging_messages: u64,
    /// Identities paged by IMSI (IMSI paging is rare on real networks).
    pub imsi_pages: u64,
    /// Identities paged by TMSI / S-TMSI.
    pub tmsi_pages: u64,
    /// Identities of other kinds.
    pub other_pages: u64,
    /// Distinct IMSIs paged.
    pub distinct_imsis: u64,
    /// Distinct TMSIs paged.
    pub distinct_tmsis: u64,
    /// First paging message.
    pub first_unix_ms: i64,
    /// Last paging message.
    pub last_unix_ms: i64,
}

/// One paged identity, per run and cell, hashed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PagingIdentityRow {
    /// Run.
    pub run_id: RunId,
    /// Cell.
    pub cell_id: CellId,
    /// Kind.
    pub kind: IdentityKind,
    /// Salted SHA-256 of the identity, lower-case hex (`Store::hash_identity`).
    pub identity_hash: String,
    /// Clear identity, only when the writer opted in.
    pub identity_clear: Option<String>,
    /// Times paged.
    pub count: u64,
    /// First time paged.
    pub first_unix_ms: i64,
    /// Last time paged.
    pub last_unix_ms: i64,
}

/// Serde helper: bytes as a lower-case hex string (JSON reports stay readable and compact).
pub mod hex_bytes {
    use serde::{Deserialize, Deserializer, Serializer};

    /// Lower-case hex of `bytes`.
    pub fn encode(bytes: &[u8]) -> String {
        const DIGITS: &[u8; 16] = b"0123456789abcdef";
        let mut s = String::with_capacity(bytes.len() * 2);
        for b in bytes {
            s.push(DIGITS[usize::from(b >> 4)] as char);
            s.push(DIGITS[usize::from(b & 0x0f)] as char);
        }
        s
    }

    /// Bytes of a hex string (either case), `None` if it is not hex of even length.
    pub fn decode(s: &str) -> Option<Vec<u8>> {
        let digits = s.as_bytes();
        if !digits.len().is_multiple_of(2) {
            return None;
        }
        let nibble = |c: u8| -> Option<u8> {
            match c {
                b'0'..=b'9' => Some(c - b'0'),
                b'a'..=b'f' => Some(c - b'a' + 10),
                b'A'..=b'F' => Some(c - b'A' + 10),
                _ => None,
            }
        };
        digits
            .chunks_exact(2)
            .map(|pair| Some((nibble(pair[0])? << 4) | nibble(pair[1])?))
            .collect()
    }

    /// Serialize as hex.
    pub fn serialize<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&encode(bytes))
    }

    /// Deserialize from hex.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let s = String::deserialize(d)?;
        decode(&s).ok_or_else(|| serde::de::Error::custom("invalid hex string"))
    }
}
