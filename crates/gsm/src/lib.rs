//! GSM downlink receiver for cellsentry: FCCH/SCH sync, GMSK demodulation, equaliser, channel decoding.
//!
//! Input is single-channel complex baseband (carrier near 0 Hz) at any sample rate; output is
//! the decoded 23-octet L2 blocks of timeslot 0 of the BCCH carrier (BCCH, CCCH, SDCCH/4,
//! SACCH/4) with their TDMA frame numbers, the SCH contents (BSIC, FN), and per-cell
//! measurements. Standards: TS 45.002 (bursts, multiframes), TS 45.003 (channel coding),
//! TS 45.004 (GMSK), TS 45.010 (synchronisation).
//!
//! [`WidebandGsm`] does the same for every active BCCH carrier of a wideband capture: it finds
//! them in the power spectrum, channelises once and runs one receiver per carrier.
//!
//! ```no_run
//! # use cellsentry_gsm::{GsmReceiver, GsmEvent};
//! # let samples: Vec<num_complex::Complex32> = Vec::new();
//! let mut rx = GsmReceiver::new(1_083_333.333, Some(1877.0e6)).unwrap();
//! for ev in rx.push(&samples) {
//!     if let GsmEvent::Block(b) = ev { println!("{} {:02x?}", b.fn_, b.bytes); }
//! }
//! let cell = rx.finish();
//! ```

pub mod coding;
pub mod demod;
pub mod fcch;
pub mod gsmtap;
pub mod mapping;
mod receiver;
pub mod resample;
pub mod tables;
pub mod wideband;

pub use mapping::LogicalChannel;
pub use receiver::GsmReceiver;
pub use wideband::{GsmBand, WidebandConfig, WidebandGsm};

use num_complex::Complex32;
use serde::{Deserialize, Serialize};

/// Errors of the GSM receiver.
#[derive(Debug, thiserror::Error, Clone, PartialEq)]
pub enum GsmError {
    /// The sample rate cannot carry a GSM channel or is not a number.
    #[error(
        "unusable sample rate {rate_sps} sps: need a finite rate between 270 ksps and 100 Msps"
    )]
    InvalidSampleRate {
        /// The rate given.
        rate_sps: f64,
    },
    /// The carrier frequency is not a positive finite number.
    #[error("invalid carrier frequency {freq_hz} Hz")]
    InvalidCarrier {
        /// The frequency given.
        freq_hz: f64,
    },
}

/// One decoded 23-octet L2 block with its place in the TDMA structure (TS 45.003 4.1).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct L2Block {
    /// TDMA frame number of the block's first burst (TS 45.002 4.3.3).
    #[serde(rename = "fn")]
    pub fn_: u32,
    /// FN mod 51 of the first burst.
    pub fn_mod51: u8,
    /// Logical channel (TS 45.002 clause 7 table 3).
    pub channel: LogicalChannel,
    /// Timeslot (always 0: the receiver follows TS0 of the BCCH carrier).
    pub timeslot: u8,
    /// The L2 block, octets as transmitted (TS 44.006).
    pub bytes: [u8; 23],
    /// Hard-decision coded bits (of 456) that differ from the re-encoded block: the channel
    /// bit errors the convolutional code corrected (TS 45.003 4.1.3).
    pub coded_bit_errors: u16,
    /// Mean of the four bursts' training-sequence SNR estimates, dB.
    pub snr_db: f32,
    /// Carrier frequency offset estimate when the block was received, Hz.
    pub freq_offset_hz: f64,
    /// Input sample index of the first burst's start.
    pub first_sample: u64,
}

impl L2Block {
    /// Layer 3 view of the block through `cellsentry-gsm-l3` (unknown content stays raw there).
    pub fn parse_l3(&self) -> cellsentry_gsm_l3::L3Message {
        cellsentry_gsm_l3::parse_l2_block(l3_channel(self.channel), &self.bytes)
    }

    /// True when the block is on the extended BCCH rather than the PCH/AGCH. BCCH Ext uses
    /// the frames of CCCH block 0 (FN mod 51 = 6..9, TS 45.002 6.3.1.3 and clause 7 table 3),
    /// so only the content tells them apart: a System Information message (L2 pseudo length
    /// header, TS 44.018 10.5.2.19; protocol discriminator RR; an SI message type of
    /// TS 44.018 10.4) is BCCH Ext, paging and immediate assignment are CCCH.
    pub fn is_bcch_ext(&self) -> bool {
        if self.channel != (LogicalChannel::Ccch { block: 0 }) {
            return false;
        }
        let [hdr, pd, mt, ..] = self.bytes;
        // Pseudo length: bits 8..3 length, bits 2..1 = 01.
        let pseudo_ok = hdr & 0x03 == 0x01 && (hdr >> 2) >= 2;
        // Skip indicator 0, RR management (TS 24.007 11.2.3.1.1).
        let rr = pd == 0x06;
        // SI13, SI2bis, SI2ter, SI9, SI2quater, SI8, SI1-4, SI16, SI17, SI18, SI19, SI20.
        let si = matches!(
            mt,
            0x00 | 0x02 | 0x03 | 0x04 | 0x07 | 0x18..=0x1c | 0x3d | 0x3e | 0x40 | 0x41 | 0x42
        );
        pseudo_ok && rr && si
    }
}

/// The `cellsentry-gsm-l3` channel kind that decides how a block's L2 header is read.
pub fn l3_channel(ch: LogicalChannel) -> cellsentry_gsm_l3::Channel {
    match ch {
        LogicalChannel::Bcch { .. } => cellsentry_gsm_l3::Channel::Bcch,
        LogicalChannel::Ccch { .. } => cellsentry_gsm_l3::Channel::Ccch,
        LogicalChannel::Sdcch4 { .. } => cellsentry_gsm_l3::Channel::Sdcch,
        LogicalChannel::Sacch4 { .. } => cellsentry_gsm_l3::Channel::Sacch,
    }
}

/// Alias kept for callers that name blocks by what they carry.
pub type GsmBurstBlock = L2Block;

/// Decoded synchronisation channel (TS 45.003 4.7, TS 44.018 9.1.30).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SchInfo {
    /// Base station identity code: NCC * 8 + BCC (TS 23.003 4.3.2).
    pub bsic: u8,
    /// Network colour code.
    pub ncc: u8,
    /// Base station colour code (= TSC of the BCCH/CCCH).
    pub bcc: u8,
    /// Full TDMA frame number of the SCH burst.
    #[serde(rename = "fn")]
    pub fn_: u32,
    /// Reduced frame number T1 (FN div 1326).
    pub t1: u16,
    /// T2 = FN mod 26.
    pub t2: u8,
    /// T3 = FN mod 51.
    pub t3: u8,
    /// Input sample index of the SCH burst start.
    pub sample: u64,
}

/// Timing of the followed cell relative to the input sample clock.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct GsmTiming {
    /// Input sample index (fractional) of the start of TS0 of the first synchronised frame.
    pub first_ts0_sample: f64,
    /// Input sample clock error against the BTS clock, ppm (positive = more samples per GSM
    /// frame than nominal), from the tracked burst positions.
    pub clock_offset_ppm: f64,
    /// TDMA frames tracked.
    pub frames_tracked: u32,
}

/// Summary of one GSM cell as received (TS0 of its BCCH carrier).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct GsmCellMeasurement {
    /// ARFCN derived from the carrier frequency, when it was given and matches a GSM band.
    pub arfcn: Option<u16>,
    /// Carrier frequency given to the receiver, Hz.
    pub carrier_freq_hz: Option<f64>,
    /// BSIC from the SCH.
    pub bsic: Option<u8>,
    /// Mean power of the received TS0 bursts, dB relative to a full-scale (|x| = 1) sine.
    pub power_dbfs: Option<f32>,
    /// Mean training-sequence SNR of the correctly decoded blocks, dB (symbol-rate samples
    /// after the channel filter: channel energy over residual).
    pub snr_db: Option<f32>,
    /// Carrier frequency offset (received minus nominal), Hz.
    pub freq_offset_hz: Option<f64>,
    /// The same offset in ppm of the carrier frequency, when it was given.
    pub freq_offset_ppm: Option<f64>,
    /// Frame timing and sample-clock offset.
    pub timing: Option<GsmTiming>,
    /// Blocks whose Fire code checked.
    pub blocks_ok: u32,
    /// Blocks whose Fire code failed (emitted as `BlockFailed`).
    pub blocks_failed: u32,
    /// Blocks made of dummy bursts (idle channel, TS 45.002 5.2.6): neither ok nor failed.
    pub blocks_idle: u32,
    /// SCH bursts decoded with a good CRC.
    pub sch_ok: u32,
    /// SCH bursts whose CRC failed while synchronised.
    pub sch_failed: u32,
    /// Input sample index of the first burst decoded.
    pub first_sample: Option<u64>,
    /// Input sample index of the last burst decoded.
    pub last_sample: Option<u64>,
}

/// What the receiver reports while it runs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum GsmEvent {
    /// FCCH and SCH found; the receiver now follows the cell.
    SyncAcquired {
        /// Input sample index of the SCH burst.
        sample: u64,
        /// Frequency offset measured on the FCCH, Hz.
        freq_offset_hz: f64,
    },
    /// The SCH kept failing: the receiver went back to searching.
    SyncLost {
        /// Input sample index where sync was dropped.
        sample: u64,
    },
    /// A decoded SCH.
    Sch(SchInfo),
    /// A decoded block.
    Block(L2Block),
    /// A block whose Fire code failed.
    BlockFailed {
        /// FN of its first burst.
        #[serde(rename = "fn")]
        fn_: u32,
        /// FN mod 51.
        fn_mod51: u8,
        /// Logical channel.
        channel: LogicalChannel,
        /// Input sample index of its first burst.
        first_sample: u64,
    },
}

/// Everything decoded from one capture.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GsmDecode {
    /// Events in order.
    pub events: Vec<GsmEvent>,
    /// Cell summary.
    pub measurement: GsmCellMeasurement,
}

impl GsmDecode {
    /// The decoded blocks.
    pub fn blocks(&self) -> impl Iterator<Item = &L2Block> {
        self.events.iter().filter_map(|e| match e {
            GsmEvent::Block(b) => Some(b),
            _ => None,
        })
    }
}

/// Decode a whole capture at `rate_sps` (carrier at 0 Hz, frequency unknown).
pub fn decode_all(samples: &[Complex32], rate_sps: f64) -> Result<GsmDecode, GsmError> {
    decode_all_at(samples, rate_sps, None)
}

/// Decode a whole capture whose carrier frequency is known (for ARFCN and ppm figures).
pub fn decode_all_at(
    samples: &[Complex32],
    rate_sps: f64,
    carrier_freq_hz: Option<f64>,
) -> Result<GsmDecode, GsmError> {
    let mut rx = GsmReceiver::new(rate_sps, carrier_freq_hz)?;
    let mut events = Vec::new();
    for chunk in samples.chunks(1 << 16) {
        events.extend(rx.push(chunk));
    }
    Ok(GsmDecode {
        events,
        measurement: rx.finish(),
    })
}

/// Whether a capture's I and Q are swapped, from the first SCH found in at most `max_s` seconds.
///
/// Swapping gives `j conj(x)`, and for GMSK `conj(x)` equals the original burst shifted by half
/// the symbol rate (-135.4 kHz) up to a sign pattern the equaliser absorbs: the receiver still
/// decodes a swapped capture but reports a carrier offset near -135 kHz minus the true one. The
/// two cases are therefore told apart by that offset: beyond a quarter of the symbol rate
/// (67.7 kHz; 36 ppm even at 1.9 GHz, far outside a BTS's 0.05 ppm, TS 45.010 5.1) it is taken
/// as a swap. `Some(true)` = swapped, `Some(false)` = not, `None` = no SCH found (no cell, or too
/// weak). Undo the swap with [`GsmReceiver::with_iq_swapped`].
pub fn detect_iq_swap(
    samples: &[Complex32],
    rate_sps: f64,
    max_s: f64,
) -> Result<Option<bool>, GsmError> {
    let n = ((max_s.max(0.0) * rate_sps) as usize).min(samples.len());
    let x = samples.get(..n).unwrap_or(samples);
    let mut rx = GsmReceiver::new(rate_sps, None)?;
    let mut sync_offset_hz = None;
    for chunk in x.chunks(1 << 16) {
        for e in rx.push(chunk) {
            match e {
                GsmEvent::SyncAcquired { freq_offset_hz, .. } => {
                    sync_offset_hz = Some(freq_offset_hz)
                }
                GsmEvent::Sch(_) => {
                    if let Some(f) = sync_offset_hz {
                        return Ok(Some(f < -tables::SYMBOL_RATE_HZ / 4.0));
                    }
                }
                _ => {}
            }
        }
    }
    Ok(None)
}

/// Downlink ARFCN of a carrier frequency (TS 45.005 2), for GSM 850, P/E/R-GSM 900,
/// DCS 1800 and PCS 1900 (PCS numbers overlap DCS ones; the frequency decides).
pub fn arfcn_from_downlink_hz(freq_hz: f64) -> Option<u16> {
    let mhz = freq_hz / 1e6;
    let pick = |f0: f64, n0: i64, lo: i64, hi: i64| -> Option<u16> {
        let n = ((mhz - f0) / 0.2).round() as i64 + n0;
        let back = f0 + 0.2 * (n - n0) as f64;
        ((lo..=hi).contains(&n) && (back - mhz).abs() < 0.02).then_some(n as u16)
    };
    if (869.0..=894.0).contains(&mhz) {
        return pick(869.2, 128, 128, 251);
    }
    if (935.0..=960.0).contains(&mhz) {
        return pick(935.0, 0, 0, 124);
    }
    if (921.0..935.0).contains(&mhz) {
        // E-GSM / R-GSM: 935 + 0.2 (n - 1024) for n = 955..1023.
        return pick(935.0 - 0.2 * 1024.0, 0, 955, 1023);
    }
    if (1805.0..=1880.0).contains(&mhz) {
        return pick(1805.2, 512, 512, 885);
    }
    if (1930.0..=1990.0).contains(&mhz) {
        return pick(1930.2, 512, 512, 810);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arfcn_of_the_shared_captures() {
        assert_eq!(arfcn_from_downlink_hz(1877.0e6), Some(871));
        assert_eq!(arfcn_from_downlink_hz(947.4e6), Some(62));
        assert_eq!(arfcn_from_downlink_hz(941.0e6), Some(30));
        assert_eq!(arfcn_from_downlink_hz(953.6e6), Some(93));
        assert_eq!(arfcn_from_downlink_hz(925.2e6), Some(975));
        assert_eq!(arfcn_from_downlink_hz(100.0e6), None);
    }

    #[test]
    fn bad_rates_are_errors() {
        assert!(GsmReceiver::new(f64::NAN, None).is_err());
        assert!(GsmReceiver::new(100_000.0, None).is_err());
        assert!(GsmReceiver::new(1e6, Some(-1.0)).is_err());
    }
}
