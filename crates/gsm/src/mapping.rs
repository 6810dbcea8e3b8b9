//! TDMA frame mapping of timeslot 0 of the BCCH carrier onto logical channels, following the
//! 51-multiframe of TS 45.002 clause 7, table 3 (non-combined CCCH and combined CCCH+SDCCH/4).

use serde::{Deserialize, Serialize};

/// Logical channel a decoded block was carried on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum LogicalChannel {
    /// Broadcast control channel; `tc` = (FN div 51) mod 8 selects the SI type (TS 45.002 6.3.1.3).
    Bcch {
        /// BCCH TC.
        tc: u8,
    },
    /// Common control channel block (PCH/AGCH), numbered 0-8 within the 51-multiframe.
    Ccch {
        /// CCCH block index.
        block: u8,
    },
    /// Stand-alone dedicated control channel of a combined CCCH+SDCCH/4 timeslot.
    Sdcch4 {
        /// Sub-channel 0-3.
        sub: u8,
    },
    /// Slow associated control channel of SDCCH/4 sub-channel `sub`.
    Sacch4 {
        /// Sub-channel 0-3.
        sub: u8,
    },
}

/// Role of a TS0 frame in the 51-multiframe.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FrameRole {
    /// Frequency correction burst.
    Fcch,
    /// Synchronisation burst.
    Sch,
    /// Idle frame (FN mod 51 = 50).
    Idle,
    /// Burst `index` (0..3) of a 4-burst block on `channel`.
    Data {
        /// The logical channel.
        channel: LogicalChannel,
        /// Burst index in the block.
        index: u8,
    },
}

/// Start (FN mod 51) of the ten 4-frame blocks of the 51-multiframe.
const BLOCK_STARTS: [u8; 10] = [2, 6, 12, 16, 22, 26, 32, 36, 42, 46];

/// Role of frame `fn_` on TS0 of C0. `combined` is CCCH_CONF = 1 (CCCH + SDCCH/4).
pub fn frame_role(fn_: u32, combined: bool) -> FrameRole {
    let t = (fn_ % 51) as u8;
    match t {
        0 | 10 | 20 | 30 | 40 => return FrameRole::Fcch,
        1 | 11 | 21 | 31 | 41 => return FrameRole::Sch,
        50 => return FrameRole::Idle,
        _ => {}
    }
    let Some(bi) = BLOCK_STARTS.iter().rposition(|&s| s <= t) else {
        return FrameRole::Idle;
    };
    let index = t - BLOCK_STARTS[bi];
    if index > 3 {
        return FrameRole::Idle;
    }
    let channel = match bi {
        0 => LogicalChannel::Bcch {
            tc: ((fn_ / 51) % 8) as u8,
        },
        1..=3 => LogicalChannel::Ccch {
            block: (bi - 1) as u8,
        },
        _ if !combined => LogicalChannel::Ccch {
            block: (bi - 1) as u8,
        },
        4..=7 => LogicalChannel::Sdcch4 {
            sub: (bi - 4) as u8,
        },
        _ => {
            // SACCH/C4: sub-channels 0,1 in even 51-multiframes, 2,3 in odd ones.
            let odd = ((fn_ / 51) % 2) as u8;
            LogicalChannel::Sacch4 {
                sub: (bi - 8) as u8 + 2 * odd,
            }
        }
    };
    FrameRole::Data { channel, index }
}

/// GSMTAP channel type and sub-slot for a logical channel (as written by gr-gsm / osmocom).
pub fn gsmtap_chan(ch: LogicalChannel) -> (u8, u8) {
    match ch {
        LogicalChannel::Bcch { .. } => (1, 0),
        LogicalChannel::Ccch { block } => (2, block),
        LogicalChannel::Sdcch4 { sub } => (7, sub),
        LogicalChannel::Sacch4 { sub } => (7 | 0x80, sub),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multiframe_layout_matches_45002_table_3() {
        assert_eq!(frame_role(0, false), FrameRole::Fcch);
        assert_eq!(frame_role(41, true), FrameRole::Sch);
        assert_eq!(frame_role(50, true), FrameRole::Idle);
        // FN 241946 = SI1 in the Osmocom truth: BCCH, TC 0.
        assert_eq!(
            frame_role(241946, true),
            FrameRole::Data {
                channel: LogicalChannel::Bcch { tc: 0 },
                index: 0
            }
        );
        // GSMSP 2007 truth: FN 675007 (mod 51 = 22) is CCCH block 3 (non-combined).
        assert_eq!(
            frame_role(675007, false),
            FrameRole::Data {
                channel: LogicalChannel::Ccch { block: 3 },
                index: 0
            }
        );
        assert_eq!(
            frame_role(675007 + 3, true),
            FrameRole::Data {
                channel: LogicalChannel::Sdcch4 { sub: 0 },
                index: 3
            }
        );
        assert_eq!(
            frame_role(51 + 46, true),
            FrameRole::Data {
                channel: LogicalChannel::Sacch4 { sub: 3 },
                index: 0
            }
        );
    }
}
