//! Fixed bit patterns and numerology of the GSM downlink air interface.
//!
//! Training sequences, the SCH extended training sequence and the dummy burst are copied
//! from TS 45.002 clause 5.2; the numerology (symbol rate, burst layout) from TS 45.002 5.2
//! and TS 45.010.

/// GSM symbol rate in symbols per second (13 MHz / 48, TS 45.010 5.1).
pub const SYMBOL_RATE_HZ: f64 = 1_625_000.0 / 6.0;
/// Internal processing rate: 4 samples per symbol.
pub const SPS: usize = 4;
/// Internal sample rate in samples per second (4 samples per symbol).
pub const INTERNAL_RATE_SPS: f64 = SYMBOL_RATE_HZ * SPS as f64;
/// Symbols per TDMA frame (8 timeslots of 156.25 symbols).
pub const FRAME_SYMBOLS: usize = 1250;
/// Internal samples per TDMA frame.
pub const FRAME_SAMPLES: usize = FRAME_SYMBOLS * SPS;
/// Useful symbols in a burst (TS 45.002 5.2: 148 bits, without guard period).
pub const BURST_SYMBOLS: usize = 148;
/// Offset of the FCCH tone from the carrier: a quarter of the symbol rate (TS 45.002 5.2.4).
pub const FCCH_TONE_HZ: f64 = SYMBOL_RATE_HZ / 4.0;
/// Frames in a hyperframe (TS 45.002 4.3.3).
pub const HYPERFRAME: u32 = 2_715_648;

/// Normal burst training sequence codes TSC 0-7 (TS 45.002 5.2.3, table 5.2.3-1, set 1).
pub const TSC: [[u8; 26]; 8] = [
    [
        0, 0, 1, 0, 0, 1, 0, 1, 1, 1, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 1, 0, 1, 1, 1,
    ],
    [
        0, 0, 1, 0, 1, 1, 0, 1, 1, 1, 0, 1, 1, 1, 1, 0, 0, 0, 1, 0, 1, 1, 0, 1, 1, 1,
    ],
    [
        0, 1, 0, 0, 0, 0, 1, 1, 1, 0, 1, 1, 1, 0, 1, 0, 0, 1, 0, 0, 0, 0, 1, 1, 1, 0,
    ],
    [
        0, 1, 0, 0, 0, 1, 1, 1, 1, 0, 1, 1, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 1, 1, 0,
    ],
    [
        0, 0, 0, 1, 1, 0, 1, 0, 1, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 1, 1, 0, 1, 0, 1, 1,
    ],
    [
        0, 1, 0, 0, 1, 1, 1, 0, 1, 0, 1, 1, 0, 0, 0, 0, 0, 1, 0, 0, 1, 1, 1, 0, 1, 0,
    ],
    [
        1, 0, 1, 0, 0, 1, 1, 1, 1, 1, 0, 1, 1, 0, 0, 0, 1, 0, 1, 0, 0, 1, 1, 1, 1, 1,
    ],
    [
        1, 1, 1, 0, 1, 1, 1, 1, 0, 0, 0, 1, 0, 0, 1, 0, 1, 1, 1, 0, 1, 1, 1, 1, 0, 0,
    ],
];

/// First burst bit of the normal burst training sequence (TS 45.002 5.2.3).
pub const NB_TSC_START: usize = 61;

/// SCH extended training sequence, 64 bits (TS 45.002 5.2.5).
pub const SCH_SYNC: [u8; 64] = [
    1, 0, 1, 1, 1, 0, 0, 1, 0, 1, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1,
    0, 0, 1, 0, 1, 1, 0, 1, 0, 1, 0, 0, 0, 1, 0, 1, 0, 1, 1, 1, 0, 1, 1, 0, 0, 0, 0, 1, 1, 0, 1, 1,
];

/// First burst bit of the SCH extended training sequence (TS 45.002 5.2.5: 3 tail + 39 data).
pub const SB_SYNC_START: usize = 42;

/// Dummy burst, all 148 bits (TS 45.002 5.2.6).
pub const DUMMY_BURST: [u8; 148] = [
    0, 0, 0, 1, 1, 1, 1, 1, 0, 1, 1, 0, 1, 1, 1, 0, 1, 1, 0, 0, 0, 0, 0, 1, 0, 1, 0, 0, 1, 0, 0, 1,
    1, 1, 0, 0, 0, 0, 0, 1, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 0, 0, 0, 1, 1,
    1, 0, 0, 0, 1, 0, 1, 1, 1, 0, 0, 0, 1, 0, 1, 1, 1, 0, 0, 0, 1, 0, 1, 0, 1, 1, 1, 0, 1, 0, 0, 1,
    0, 1, 0, 0, 0, 1, 1, 0, 0, 1, 1, 0, 0, 1, 1, 1, 0, 0, 1, 1, 1, 1, 0, 1, 0, 0, 1, 1, 1, 1, 1, 0,
    0, 0, 1, 0, 0, 1, 0, 1, 1, 1, 1, 1, 0, 1, 0, 1, 0, 0, 0, 0,
];
