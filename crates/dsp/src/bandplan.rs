//! Band plans: GSM ARFCN and LTE EARFCN to/from RF carrier frequency, and which channels fall
//! inside a captured span.
//!
//! GSM follows TS 45.005 clause 2 (frequency bands and channel arrangement); LTE follows
//! TS 36.101 clause 5.7.3 (carrier frequency and EARFCN, Table 5.7.3-1) and Table 5.5-1 (duplex
//! mode per band). All frequencies are computed in integer Hz first, so the `f64` results are
//! exact (e.g. ARFCN 1 gives exactly 935_200_000.0).

use serde::{Deserialize, Serialize};

/// GSM carrier spacing, 200 kHz (TS 45.005 clause 2).
pub const GSM_CHANNEL_SPACING_HZ: f64 = 200_000.0;

/// LTE channel raster, 100 kHz (TS 36.101 5.7.2).
pub const LTE_RASTER_HZ: f64 = 100_000.0;

/// A GSM frequency band of TS 45.005 clause 2.
///
/// ARFCN numbers are shared: 512-810 exist in both DCS 1800 and PCS 1900, and P-, E- and R-GSM 900
/// are nested (same ARFCN, same frequency). The band is what disambiguates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GsmBand {
    /// GSM 450: ARFCN 259-293, DL 460.6-467.4 MHz.
    Gsm450,
    /// GSM 480: ARFCN 306-340, DL 489.0-495.8 MHz.
    Gsm480,
    /// GSM 750: ARFCN 438-511, DL 777.2-791.8 MHz.
    Gsm750,
    /// GSM 850: ARFCN 128-251, DL 869.2-893.8 MHz.
    Gsm850,
    /// Primary GSM 900: ARFCN 1-124, DL 935.2-959.8 MHz.
    PGsm900,
    /// Extended GSM 900: ARFCN 0-124 and 975-1023, DL 925.2-960.0 MHz.
    EGsm900,
    /// Railways GSM 900: ARFCN 0-124 and 955-1023, DL 921.2-960.0 MHz.
    RGsm900,
    /// DCS 1800: ARFCN 512-885, DL 1805.2-1879.8 MHz.
    Dcs1800,
    /// PCS 1900: ARFCN 512-810, DL 1930.2-1989.8 MHz.
    Pcs1900,
}

/// One contiguous ARFCN run of a band: `F_UL(n) = ul_first_hz + 200 kHz · (n − first)`.
struct GsmSegment {
    first: u16,
    last: u16,
    ul_first_hz: i64,
}

impl GsmBand {
    /// Every band, ordered so that for overlapping 900 MHz bands the narrowest comes first.
    pub const ALL: [GsmBand; 9] = [
        GsmBand::Gsm450,
        GsmBand::Gsm480,
        GsmBand::Gsm750,
        GsmBand::Gsm850,
        GsmBand::PGsm900,
        GsmBand::EGsm900,
        GsmBand::RGsm900,
        GsmBand::Dcs1800,
        GsmBand::Pcs1900,
    ];

    /// Short display name ("P-GSM900", "DCS1800", ...).
    pub fn name(self) -> &'static str {
        match self {
            GsmBand::Gsm450 => "GSM450",
            GsmBand::Gsm480 => "GSM480",
            GsmBand::Gsm750 => "GSM750",
            GsmBand::Gsm850 => "GSM850",
            GsmBand::PGsm900 => "P-GSM900",
            GsmBand::EGsm900 => "E-GSM900",
            GsmBand::RGsm900 => "R-GSM900",
            GsmBand::Dcs1800 => "DCS1800",
            GsmBand::Pcs1900 => "PCS1900",
        }
    }

    /// Downlink minus uplink carrier frequency (TS 45.005 clause 2).
    pub fn duplex_spacing_hz(self) -> f64 {
        match self {
            GsmBand::Gsm450 | GsmBand::Gsm480 => 10e6,
            GsmBand::Gsm750 => 30e6,
            GsmBand::Gsm850 | GsmBand::PGsm900 | GsmBand::EGsm900 | GsmBand::RGsm900 => 45e6,
            GsmBand::Dcs1800 => 95e6,
            GsmBand::Pcs1900 => 80e6,
        }
    }

    fn duplex_spacing_int_hz(self) -> i64 {
        self.duplex_spacing_hz() as i64
    }

    /// TS 45.005 clause 2 channel arrangement, `Fl(n)` (uplink) per ARFCN run.
    fn segments(self) -> &'static [GsmSegment] {
        const fn seg(first: u16, last: u16, ul_first_hz: i64) -> GsmSegment {
            GsmSegment {
                first,
                last,
                ul_first_hz,
            }
        }
        // Fl(n) = 450.6 + 0.2(n-259), Fl(n) = 479 + 0.2(n-306), Fl(n) = 747.2 + 0.2(n-438),
        // Fl(n) = 824.2 + 0.2(n-128), Fl(n) = 890 + 0.2n, Fl(n) = 890 + 0.2(n-1024),
        // Fl(n) = 1710.2 + 0.2(n-512), Fl(n) = 1850.2 + 0.2(n-512).
        const GSM450: [GsmSegment; 1] = [seg(259, 293, 450_600_000)];
        const GSM480: [GsmSegment; 1] = [seg(306, 340, 479_000_000)];
        const GSM750: [GsmSegment; 1] = [seg(438, 511, 747_200_000)];
        const GSM850: [GsmSegment; 1] = [seg(128, 251, 824_200_000)];
        const PGSM: [GsmSegment; 1] = [seg(1, 124, 890_200_000)];
        const EGSM: [GsmSegment; 2] = [seg(0, 124, 890_000_000), seg(975, 1023, 880_200_000)];
        const RGSM: [GsmSegment; 2] = [seg(0, 124, 890_000_000), seg(955, 1023, 876_200_000)];
        const DCS: [GsmSegment; 1] = [seg(512, 885, 1_710_200_000)];
        const PCS: [GsmSegment; 1] = [seg(512, 810, 1_850_200_000)];
        match self {
            GsmBand::Gsm450 => &GSM450,
            GsmBand::Gsm480 => &GSM480,
            GsmBand::Gsm750 => &GSM750,
            GsmBand::Gsm850 => &GSM850,
            GsmBand::PGsm900 => &PGSM,
            GsmBand::EGsm900 => &EGSM,
            GsmBand::RGsm900 => &RGSM,
            GsmBand::Dcs1800 => &DCS,
            GsmBand::Pcs1900 => &PCS,
        }
    }

    /// All ARFCNs of the band in ascending number order.
    pub fn arfcns(self) -> Vec<u16> {
        self.segments()
            .iter()
            .flat_map(|s| s.first..=s.last)
            .collect()
    }

    /// Whether `arfcn` is a channel of this band.
    pub fn contains(self, arfcn: u16) -> bool {
        self.segments()
            .iter()
            .any(|s| (s.first..=s.last).contains(&arfcn))
    }

    fn ul_int_hz(self, arfcn: u16) -> Option<i64> {
        self.segments()
            .iter()
            .find(|s| (s.first..=s.last).contains(&arfcn))
            .map(|s| s.ul_first_hz + 200_000 * i64::from(arfcn - s.first))
    }

    /// Uplink (MS transmit) carrier frequency `Fl(n)`, or `None` if `arfcn` is not in the band.
    pub fn ul_freq_hz(self, arfcn: u16) -> Option<f64> {
        self.ul_int_hz(arfcn).map(|f| f as f64)
    }

    /// Downlink (BTS transmit) carrier frequency `Fu(n) = Fl(n) + duplex`, or `None` if `arfcn`
    /// is not in the band.
    pub fn dl_freq_hz(self, arfcn: u16) -> Option<f64> {
        self.ul_int_hz(arfcn)
            .map(|f| (f + self.duplex_spacing_int_hz()) as f64)
    }

    /// The channel of this band whose downlink centre is nearest `freq_hz`, if that is within
    /// half a channel (±100 kHz).
    pub fn arfcn_for_dl_freq(self, freq_hz: f64) -> Option<u16> {
        self.nearest(freq_hz - self.duplex_spacing_hz())
    }

    /// The channel of this band whose uplink centre is nearest `freq_hz`, within ±100 kHz.
    pub fn arfcn_for_ul_freq(self, freq_hz: f64) -> Option<u16> {
        self.nearest(freq_hz)
    }

    fn nearest(self, ul_freq_hz: f64) -> Option<u16> {
        if !ul_freq_hz.is_finite() {
            return None;
        }
        self.segments().iter().find_map(|s| {
            let k = ((ul_freq_hz - s.ul_first_hz as f64) / GSM_CHANNEL_SPACING_HZ).round();
            let span = f64::from(s.last - s.first);
            if !(0.0..=span).contains(&k) {
                return None;
            }
            let centre = s.ul_first_hz as f64 + k * GSM_CHANNEL_SPACING_HZ;
            if (ul_freq_hz - centre).abs() <= GSM_CHANNEL_SPACING_HZ / 2.0 {
                Some(s.first + k as u16)
            } else {
                None
            }
        })
    }

    /// The full channel description of `arfcn` in this band.
    pub fn channel(self, arfcn: u16) -> Option<GsmChannel> {
        Some(GsmChannel {
            band: self,
            arfcn,
            dl_freq_hz: self.dl_freq_hz(arfcn)?,
            ul_freq_hz: self.ul_freq_hz(arfcn)?,
        })
    }
}

/// One GSM radio channel: band, ARFCN and both carrier frequencies.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct GsmChannel {
    pub band: GsmBand,
    pub arfcn: u16,
    pub dl_freq_hz: f64,
    pub ul_freq_hz: f64,
}

/// Bands that contain `arfcn` (e.g. `[Dcs1800, Pcs1900]` for 600; `[EGsm900, RGsm900]` for 0).
pub fn gsm_bands_for_arfcn(arfcn: u16) -> Vec<GsmBand> {
    GsmBand::ALL
        .iter()
        .copied()
        .filter(|b| b.contains(arfcn))
        .collect()
}

/// Downlink frequency of `arfcn`. With `band` given that band is used; without, the ARFCN must
/// be unambiguous in frequency (P/E/R-GSM 900 share frequencies, so they are fine), and 512-810
/// (DCS 1800 or PCS 1900) gives `None`.
pub fn gsm_dl_freq_hz(arfcn: u16, band: Option<GsmBand>) -> Option<f64> {
    match band {
        Some(b) => b.dl_freq_hz(arfcn),
        None => {
            let freqs: Vec<f64> = gsm_bands_for_arfcn(arfcn)
                .iter()
                .filter_map(|b| b.dl_freq_hz(arfcn))
                .collect();
            let first = *freqs.first()?;
            freqs.iter().all(|f| *f == first).then_some(first)
        }
    }
}

/// Candidate channels whose downlink centre is within ±100 kHz of `freq_hz`. With a band hint
/// only that band is tried. Nested 900 MHz bands each give a candidate (narrowest band first).
pub fn gsm_channels_for_dl_freq(freq_hz: f64, band: Option<GsmBand>) -> Vec<GsmChannel> {
    let bands: &[GsmBand] = match &band {
        Some(b) => std::slice::from_ref(b),
        None => &GsmBand::ALL,
    };
    bands
        .iter()
        .filter_map(|b| b.arfcn_for_dl_freq(freq_hz).and_then(|n| b.channel(n)))
        .collect()
}

/// GSM downlink channels of `bands` whose whole 200 kHz channel lies inside the captured span
/// `[center_freq_hz − rate_sps/2, center_freq_hz + rate_sps/2]`, sorted by frequency. A channel
/// present in several of the given bands (nested 900 MHz bands) is listed once, under the first
/// band of `bands` that has it. An invalid rate gives an empty list.
pub fn gsm_channels_in_span(
    center_freq_hz: f64,
    rate_sps: f64,
    bands: &[GsmBand],
) -> Vec<GsmChannel> {
    if !(rate_sps.is_finite() && rate_sps > 0.0 && center_freq_hz.is_finite()) {
        return Vec::new();
    }
    let lo = center_freq_hz - rate_sps / 2.0 + GSM_CHANNEL_SPACING_HZ / 2.0;
    let hi = center_freq_hz + rate_sps / 2.0 - GSM_CHANNEL_SPACING_HZ / 2.0;
    let mut out: Vec<GsmChannel> = Vec::new();
    for band in bands {
        for arfcn in band.arfcns() {
            if let Some(ch) = band.channel(arfcn) {
                let dup = out
                    .iter()
                    .any(|c| c.arfcn == ch.arfcn && c.dl_freq_hz == ch.dl_freq_hz);
                if ch.dl_freq_hz >= lo - 1e-3 && ch.dl_freq_hz <= hi + 1e-3 && !dup {
                    out.push(ch);
                }
            }
        }
    }
    out.sort_by(|a, b| a.dl_freq_hz.total_cmp(&b.dl_freq_hz));
    out
}

/// LTE duplex mode of a band (TS 36.101 Table 5.5-1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Duplex {
    Fdd,
    Tdd,
}

/// One row of TS 36.101 Table 5.7.3-1. Frequencies are in units of 100 kHz so the table is exact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct LteBandInfo {
    /// E-UTRA operating band number.
    pub band: u16,
    pub duplex: Duplex,
    /// F_DL_low in units of 100 kHz.
    pub dl_low_100khz: u32,
    /// N_Offs-DL.
    pub dl_offset: u32,
    /// Last downlink EARFCN of the band (range is `dl_offset..=dl_last`).
    pub dl_last: u32,
    /// F_UL_low in units of 100 kHz.
    pub ul_low_100khz: u32,
    /// N_Offs-UL.
    pub ul_offset: u32,
    /// Last uplink EARFCN of the band.
    pub ul_last: u32,
}

// One argument per column of the 3GPP table keeps the table below readable.
#[allow(clippy::too_many_arguments)]
const fn lte(
    band: u16,
    duplex: Duplex,
    dl_low_mhz10: u32,
    dl_offset: u32,
    dl_last: u32,
    ul_low_mhz10: u32,
    ul_offset: u32,
    ul_last: u32,
) -> LteBandInfo {
    LteBandInfo {
        band,
        duplex,
        dl_low_100khz: dl_low_mhz10,
        dl_offset,
        dl_last,
        ul_low_100khz: ul_low_mhz10,
        ul_offset,
        ul_last,
    }
}

/// The supported rows of TS 36.101 Table 5.7.3-1 (F_low in 100 kHz units, N_Offs, N range).
pub const LTE_BANDS: [LteBandInfo; 20] = [
    lte(1, Duplex::Fdd, 21100, 0, 599, 19200, 18000, 18599),
    lte(2, Duplex::Fdd, 19300, 600, 1199, 18500, 18600, 19199),
    lte(3, Duplex::Fdd, 18050, 1200, 1949, 17100, 19200, 19949),
    lte(4, Duplex::Fdd, 21100, 1950, 2399, 17100, 19950, 20399),
    lte(5, Duplex::Fdd, 8690, 2400, 2649, 8240, 20400, 20649),
    lte(7, Duplex::Fdd, 26200, 2750, 3449, 25000, 20750, 21449),
    lte(8, Duplex::Fdd, 9250, 3450, 3799, 8800, 21450, 21799),
    lte(12, Duplex::Fdd, 7290, 5010, 5179, 6990, 23010, 23179),
    lte(13, Duplex::Fdd, 7460, 5180, 5279, 7770, 23180, 23279),
    lte(17, Duplex::Fdd, 7340, 5730, 5849, 7040, 23730, 23849),
    lte(20, Duplex::Fdd, 7910, 6150, 6449, 8320, 24150, 24449),
    lte(25, Duplex::Fdd, 19300, 8040, 8689, 18500, 26040, 26689),
    lte(26, Duplex::Fdd, 8590, 8690, 9039, 8140, 26690, 27039),
    lte(28, Duplex::Fdd, 7580, 9210, 9659, 7030, 27210, 27659),
    lte(38, Duplex::Tdd, 25700, 37750, 38249, 25700, 37750, 38249),
    lte(39, Duplex::Tdd, 18800, 38250, 38649, 18800, 38250, 38649),
    lte(40, Duplex::Tdd, 23000, 38650, 39649, 23000, 38650, 39649),
    lte(41, Duplex::Tdd, 24960, 39650, 41589, 24960, 39650, 41589),
    lte(66, Duplex::Fdd, 21100, 66436, 67335, 17100, 131972, 132671),
    lte(71, Duplex::Fdd, 6170, 68586, 68935, 6630, 133122, 133471),
];

impl LteBandInfo {
    /// Table row of `band`, or `None` if the band is not supported.
    pub fn of(band: u16) -> Option<&'static LteBandInfo> {
        LTE_BANDS.iter().find(|b| b.band == band)
    }

    /// Downlink frequency range [first carrier, last carrier] in Hz.
    pub fn dl_range_hz(&self) -> (f64, f64) {
        (
            self.dl_low_100khz as f64 * LTE_RASTER_HZ,
            (self.dl_low_100khz + (self.dl_last - self.dl_offset)) as f64 * LTE_RASTER_HZ,
        )
    }

    /// Whether `earfcn` is a downlink EARFCN of this band.
    pub fn contains_dl(&self, earfcn: u32) -> bool {
        (self.dl_offset..=self.dl_last).contains(&earfcn)
    }

    /// `F_DL = F_DL_low + 0.1 (N_DL − N_Offs-DL)` MHz (TS 36.101 5.7.3).
    pub fn dl_freq_hz(&self, earfcn: u32) -> Option<f64> {
        self.contains_dl(earfcn)
            .then(|| (self.dl_low_100khz + (earfcn - self.dl_offset)) as f64 * LTE_RASTER_HZ)
    }

    /// `F_UL = F_UL_low + 0.1 (N_UL − N_Offs-UL)` MHz (TS 36.101 5.7.3).
    pub fn ul_freq_hz(&self, ul_earfcn: u32) -> Option<f64> {
        (self.ul_offset..=self.ul_last)
            .contains(&ul_earfcn)
            .then(|| (self.ul_low_100khz + (ul_earfcn - self.ul_offset)) as f64 * LTE_RASTER_HZ)
    }

    /// The uplink EARFCN paired with a downlink EARFCN at the band's default duplex spacing
    /// (TDD: the same number). `None` for downlink-only parts (band 66 above 2180 MHz).
    pub fn paired_ul_earfcn(&self, dl_earfcn: u32) -> Option<u32> {
        if !self.contains_dl(dl_earfcn) {
            return None;
        }
        let ul = dl_earfcn - self.dl_offset + self.ul_offset;
        (ul <= self.ul_last).then_some(ul)
    }

    /// Downlink EARFCN whose carrier is nearest `freq_hz`, within ±50 kHz (half the raster).
    pub fn dl_earfcn_for_freq(&self, freq_hz: f64) -> Option<u32> {
        if !freq_hz.is_finite() {
            return None;
        }
        let k = (freq_hz / LTE_RASTER_HZ - self.dl_low_100khz as f64).round();
        if k < 0.0 || k > f64::from(self.dl_last - self.dl_offset) {
            return None;
        }
        let earfcn = self.dl_offset + k as u32;
        let f = self.dl_freq_hz(earfcn)?;
        ((freq_hz - f).abs() <= LTE_RASTER_HZ / 2.0).then_some(earfcn)
    }

    /// Full channel description of a downlink EARFCN of this band.
    pub fn channel(&self, dl_earfcn: u32) -> Option<LteChannel> {
        let dl_freq_hz = self.dl_freq_hz(dl_earfcn)?;
        let ul_earfcn = self.paired_ul_earfcn(dl_earfcn);
        Some(LteChannel {
            band: self.band,
            duplex: self.duplex,
            earfcn: dl_earfcn,
            dl_freq_hz,
            ul_earfcn,
            ul_freq_hz: ul_earfcn.and_then(|n| self.ul_freq_hz(n)),
        })
    }
}

/// One LTE carrier position: band, downlink EARFCN and frequencies.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LteChannel {
    pub band: u16,
    pub duplex: Duplex,
    /// Downlink EARFCN (N_DL).
    pub earfcn: u32,
    pub dl_freq_hz: f64,
    /// Paired uplink EARFCN (same as `earfcn` for TDD), `None` for downlink-only EARFCNs.
    pub ul_earfcn: Option<u32>,
    pub ul_freq_hz: Option<f64>,
}

/// Band of a downlink EARFCN (downlink EARFCN ranges do not overlap across bands).
pub fn lte_band_for_dl_earfcn(earfcn: u32) -> Option<u16> {
    LTE_BANDS
        .iter()
        .find(|b| b.contains_dl(earfcn))
        .map(|b| b.band)
}

/// Downlink carrier frequency of a downlink EARFCN (TS 36.101 5.7.3).
pub fn lte_dl_freq_hz(earfcn: u32) -> Option<f64> {
    LTE_BANDS.iter().find_map(|b| b.dl_freq_hz(earfcn))
}

/// Uplink carrier frequency of an uplink EARFCN (TS 36.101 5.7.3). TDD EARFCNs are both.
pub fn lte_ul_freq_hz(ul_earfcn: u32) -> Option<f64> {
    LTE_BANDS.iter().find_map(|b| b.ul_freq_hz(ul_earfcn))
}

/// Full channel description of a downlink EARFCN.
pub fn lte_channel(earfcn: u32) -> Option<LteChannel> {
    LTE_BANDS.iter().find_map(|b| b.channel(earfcn))
}

/// Bands whose downlink range contains `freq_hz` (bands overlap: 1/4/66 at 2.11 GHz, 2/25,
/// 7/38/41 at 2.6 GHz ...), in table order.
pub fn lte_band_for_dl_freq(freq_hz: f64) -> Vec<u16> {
    lte_channels_for_dl_freq(freq_hz)
        .iter()
        .map(|c| c.band)
        .collect()
}

/// Candidate downlink channels (one per band) on the 100 kHz raster within ±50 kHz of `freq_hz`.
pub fn lte_channels_for_dl_freq(freq_hz: f64) -> Vec<LteChannel> {
    LTE_BANDS
        .iter()
        .filter_map(|b| b.dl_earfcn_for_freq(freq_hz).and_then(|n| b.channel(n)))
        .collect()
}

/// LTE channel bandwidths of TS 36.101 Table 5.6-1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum LteBandwidth {
    Mhz1_4,
    Mhz3,
    Mhz5,
    Mhz10,
    Mhz15,
    Mhz20,
}

impl LteBandwidth {
    pub const ALL: [LteBandwidth; 6] = [
        LteBandwidth::Mhz1_4,
        LteBandwidth::Mhz3,
        LteBandwidth::Mhz5,
        LteBandwidth::Mhz10,
        LteBandwidth::Mhz15,
        LteBandwidth::Mhz20,
    ];

    /// Transmission bandwidth configuration N_RB (TS 36.101 Table 5.6-1).
    pub fn n_prb(self) -> u16 {
        match self {
            LteBandwidth::Mhz1_4 => 6,
            LteBandwidth::Mhz3 => 15,
            LteBandwidth::Mhz5 => 25,
            LteBandwidth::Mhz10 => 50,
            LteBandwidth::Mhz15 => 75,
            LteBandwidth::Mhz20 => 100,
        }
    }

    /// From a resource-block count (as the MIB gives it).
    pub fn from_n_prb(n_prb: u16) -> Option<Self> {
        Self::ALL.iter().copied().find(|b| b.n_prb() == n_prb)
    }

    /// Channel bandwidth in Hz.
    pub fn channel_bw_hz(self) -> f64 {
        match self {
            LteBandwidth::Mhz1_4 => 1.4e6,
            LteBandwidth::Mhz3 => 3e6,
            LteBandwidth::Mhz5 => 5e6,
            LteBandwidth::Mhz10 => 10e6,
            LteBandwidth::Mhz15 => 15e6,
            LteBandwidth::Mhz20 => 20e6,
        }
    }

    /// Occupied (transmission) bandwidth N_RB × 180 kHz: 90 % of the channel bandwidth for
    /// 3-20 MHz, 1.08 MHz for 1.4 MHz. This is what channel power integrates over.
    pub fn occupied_bw_hz(self) -> f64 {
        f64::from(self.n_prb()) * 180e3
    }
}

/// Downlink EARFCNs (every 100 kHz raster point of every supported band) inside the captured
/// span. With `bandwidth` given, the whole occupied bandwidth must fit inside the span;
/// without, only the carrier itself. An EARFCN is listed once per band that has it (overlapping
/// bands give several entries at the same frequency). Sorted by frequency, then band.
pub fn lte_earfcns_in_span(
    center_freq_hz: f64,
    rate_sps: f64,
    bandwidth: Option<LteBandwidth>,
) -> Vec<LteChannel> {
    if !(rate_sps.is_finite() && rate_sps > 0.0 && center_freq_hz.is_finite()) {
        return Vec::new();
    }
    let half = rate_sps / 2.0 - bandwidth.map_or(0.0, |b| b.occupied_bw_hz() / 2.0);
    if half < 0.0 {
        return Vec::new();
    }
    let (lo, hi) = (center_freq_hz - half, center_freq_hz + half);
    let mut out = Vec::new();
    for b in &LTE_BANDS {
        let first_k = ((lo / LTE_RASTER_HZ) - b.dl_low_100khz as f64)
            .ceil()
            .max(0.0);
        let last_k = ((hi / LTE_RASTER_HZ) - b.dl_low_100khz as f64)
            .floor()
            .min(f64::from(b.dl_last - b.dl_offset));
        if last_k < first_k {
            continue;
        }
        for k in first_k as u32..=last_k as u32 {
            if let Some(ch) = b.channel(b.dl_offset + k) {
                out.push(ch);
            }
        }
    }
    out.sort_by(|a, b| {
        a.dl_freq_hz
            .total_cmp(&b.dl_freq_hz)
            .then(a.band.cmp(&b.band))
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dl(band: GsmBand, arfcn: u16) -> f64 {
        band.dl_freq_hz(arfcn).unwrap()
    }

    #[test]
    fn gsm_band_edges_ts45005() {
        // (band, first ARFCN, first DL Hz, last ARFCN, last DL Hz) from TS 45.005 clause 2.
        let rows = [
            (GsmBand::Gsm450, 259, 460.6e6, 293, 467.4e6),
            (GsmBand::Gsm480, 306, 489.0e6, 340, 495.8e6),
            (GsmBand::Gsm750, 438, 777.2e6, 511, 791.8e6),
            (GsmBand::Gsm850, 128, 869.2e6, 251, 893.8e6),
            (GsmBand::PGsm900, 1, 935.2e6, 124, 959.8e6),
            (GsmBand::Dcs1800, 512, 1805.2e6, 885, 1879.8e6),
            (GsmBand::Pcs1900, 512, 1930.2e6, 810, 1989.8e6),
        ];
        for (band, first, f_first, last, f_last) in rows {
            assert_eq!(dl(band, first), f_first, "{band:?}");
            assert_eq!(dl(band, last), f_last, "{band:?}");
            assert!(band.dl_freq_hz(first - 1).is_none(), "{band:?}");
            assert!(band.dl_freq_hz(last + 1).is_none(), "{band:?}");
            assert_eq!(band.arfcns().len(), usize::from(last - first + 1));
        }
        // E-GSM: 0-124 and 975-1023; R-GSM: 0-124 and 955-1023.
        assert_eq!(dl(GsmBand::EGsm900, 0), 935.0e6);
        assert_eq!(dl(GsmBand::EGsm900, 975), 925.2e6);
        assert_eq!(dl(GsmBand::EGsm900, 1023), 934.8e6);
        assert!(GsmBand::EGsm900.dl_freq_hz(974).is_none());
        assert!(GsmBand::EGsm900.dl_freq_hz(1024).is_none());
        assert_eq!(dl(GsmBand::RGsm900, 955), 921.2e6);
        assert!(GsmBand::RGsm900.dl_freq_hz(954).is_none());
        assert!(GsmBand::PGsm900.dl_freq_hz(0).is_none());
        assert_eq!(GsmBand::EGsm900.arfcns().len(), 174);
        assert_eq!(GsmBand::RGsm900.arfcns().len(), 194);
        // Uplink = downlink − duplex.
        assert_eq!(GsmBand::PGsm900.ul_freq_hz(1), Some(890.2e6));
        assert_eq!(GsmBand::Dcs1800.ul_freq_hz(512), Some(1710.2e6));
        assert_eq!(GsmBand::Pcs1900.ul_freq_hz(810), Some(1909.8e6));
        assert_eq!(GsmBand::Gsm850.ul_freq_hz(128), Some(824.2e6));
    }

    #[test]
    fn gsm_published_examples() {
        assert_eq!(gsm_dl_freq_hz(1, None), Some(935.2e6));
        assert_eq!(gsm_dl_freq_hz(124, None), Some(959.8e6));
        assert_eq!(gsm_dl_freq_hz(975, None), Some(925.2e6));
        // The shared captures: ARFCN 30 at 941.0 MHz, 93 at 953.6 MHz, 62 at 947.4 MHz,
        // DCS 871 at 1877.0 MHz (their READMEs/truth files, decoded by gr-gsm).
        assert_eq!(gsm_dl_freq_hz(30, None), Some(941.0e6));
        assert_eq!(gsm_dl_freq_hz(93, None), Some(953.6e6));
        assert_eq!(gsm_dl_freq_hz(62, None), Some(947.4e6));
        assert_eq!(gsm_dl_freq_hz(871, None), Some(1877.0e6));
        assert_eq!(gsm_dl_freq_hz(885, None), Some(1879.8e6));
        // 512-810 is ambiguous without a band.
        assert_eq!(gsm_dl_freq_hz(512, None), None);
        assert_eq!(gsm_dl_freq_hz(512, Some(GsmBand::Dcs1800)), Some(1805.2e6));
        assert_eq!(gsm_dl_freq_hz(512, Some(GsmBand::Pcs1900)), Some(1930.2e6));
        assert_eq!(gsm_dl_freq_hz(810, Some(GsmBand::Pcs1900)), Some(1989.8e6));
        assert_eq!(gsm_dl_freq_hz(128, None), Some(869.2e6));
        assert_eq!(gsm_dl_freq_hz(251, None), Some(893.8e6));
        assert_eq!(
            gsm_bands_for_arfcn(600),
            vec![GsmBand::Dcs1800, GsmBand::Pcs1900]
        );
        assert_eq!(gsm_dl_freq_hz(1024, None), None);
        assert_eq!(gsm_dl_freq_hz(900, None), None);
    }

    #[test]
    fn gsm_reverse_lookup() {
        let c = gsm_channels_for_dl_freq(941.0e6, None);
        assert_eq!(c.len(), 3); // P-, E-, R-GSM: same ARFCN 30
        assert!(c.iter().all(|c| c.arfcn == 30));
        assert_eq!(c[0].band, GsmBand::PGsm900);
        // 40 kHz off still maps to the nearest channel; 100.1 kHz between rasters picks nearer.
        assert_eq!(GsmBand::PGsm900.arfcn_for_dl_freq(941.04e6), Some(30));
        assert_eq!(GsmBand::PGsm900.arfcn_for_dl_freq(941.16e6), Some(31));
        let dcs = gsm_channels_for_dl_freq(1877.0e6, None);
        assert_eq!(dcs.len(), 1);
        assert_eq!((dcs[0].band, dcs[0].arfcn), (GsmBand::Dcs1800, 871));
        let pcs = gsm_channels_for_dl_freq(1930.2e6, Some(GsmBand::Pcs1900));
        assert_eq!(pcs[0].arfcn, 512);
        assert!(gsm_channels_for_dl_freq(1930.2e6, Some(GsmBand::Dcs1800)).is_empty());
        assert!(gsm_channels_for_dl_freq(2.4e9, None).is_empty());
        assert!(gsm_channels_for_dl_freq(f64::NAN, None).is_empty());
        // Every channel of every band round-trips.
        for band in GsmBand::ALL {
            for n in band.arfcns() {
                assert_eq!(band.arfcn_for_dl_freq(dl(band, n)), Some(n), "{band:?} {n}");
                let ul = band.ul_freq_hz(n).unwrap();
                assert_eq!(band.arfcn_for_ul_freq(ul), Some(n));
            }
        }
        // Just outside the band edge by more than half a channel: nothing.
        assert_eq!(GsmBand::PGsm900.arfcn_for_dl_freq(935.2e6 - 150e3), None);
    }

    #[test]
    fn gsm_span_listing() {
        // The 500 ksps ARFCN 30 capture holds exactly one whole channel.
        let c = gsm_channels_in_span(941.0e6, 500e3, &[GsmBand::PGsm900]);
        assert_eq!(c.iter().map(|c| c.arfcn).collect::<Vec<_>>(), vec![30]);
        // 4 sps (1.0833 Msps) around ARFCN 62: 60..=64.
        let c = gsm_channels_in_span(947.4e6, crate::GSM_4SPS_RATE_SPS, &[GsmBand::EGsm900]);
        assert_eq!(
            c.iter().map(|c| c.arfcn).collect::<Vec<_>>(),
            vec![60, 61, 62, 63, 64]
        );
        // 20 Msps at 950 MHz with nested bands listed once each: 940.1..959.9 -> 30..124 (95)
        // plus E-GSM 0 is below; P-GSM first so they carry PGsm900.
        let c = gsm_channels_in_span(
            950.0e6,
            20e6,
            &[GsmBand::PGsm900, GsmBand::EGsm900, GsmBand::RGsm900],
        );
        assert_eq!(c.first().unwrap().arfcn, 26);
        assert_eq!(c.last().unwrap().arfcn, 124);
        assert_eq!(c.len(), 99);
        assert!(c.iter().all(|c| c.band == GsmBand::PGsm900));
        assert!(gsm_channels_in_span(950e6, -1.0, &[GsmBand::PGsm900]).is_empty());
    }

    #[test]
    fn lte_band_edges_ts36101() {
        // (band, first DL EARFCN, its F_DL, last DL EARFCN, its F_DL) from Table 5.7.3-1.
        let rows: [(u16, u32, f64, u32, f64); 20] = [
            (1, 0, 2110.0, 599, 2169.9),
            (2, 600, 1930.0, 1199, 1989.9),
            (3, 1200, 1805.0, 1949, 1879.9),
            (4, 1950, 2110.0, 2399, 2154.9),
            (5, 2400, 869.0, 2649, 893.9),
            (7, 2750, 2620.0, 3449, 2689.9),
            (8, 3450, 925.0, 3799, 959.9),
            (12, 5010, 729.0, 5179, 745.9),
            (13, 5180, 746.0, 5279, 755.9),
            (17, 5730, 734.0, 5849, 745.9),
            (20, 6150, 791.0, 6449, 820.9),
            (25, 8040, 1930.0, 8689, 1994.9),
            (26, 8690, 859.0, 9039, 893.9),
            (28, 9210, 758.0, 9659, 802.9),
            (38, 37750, 2570.0, 38249, 2619.9),
            (39, 38250, 1880.0, 38649, 1919.9),
            (40, 38650, 2300.0, 39649, 2399.9),
            (41, 39650, 2496.0, 41589, 2689.9),
            (66, 66436, 2110.0, 67335, 2199.9),
            (71, 68586, 617.0, 68935, 651.9),
        ];
        for (band, first, f_first, last, f_last) in rows {
            let info = LteBandInfo::of(band).unwrap();
            let close = |a: f64, b_mhz: f64| (a - b_mhz * 1e6).abs() < 1e-3;
            assert!(
                close(info.dl_freq_hz(first).unwrap(), f_first),
                "band {band}"
            );
            assert!(close(info.dl_freq_hz(last).unwrap(), f_last), "band {band}");
            assert!(info.dl_freq_hz(last + 1).is_none());
            assert_eq!(lte_band_for_dl_earfcn(first), Some(band));
            assert_eq!(lte_band_for_dl_earfcn(last), Some(band));
            let tdd = matches!(band, 38..=41);
            assert_eq!(info.duplex == Duplex::Tdd, tdd);
        }
        assert_eq!(lte_band_for_dl_earfcn(6000), None); // gap between bands 17 and 20
        assert_eq!(lte_dl_freq_hz(1_000_000), None);
        assert!(LteBandInfo::of(6).is_none());
    }

    #[test]
    fn lte_published_examples() {
        // Each value below is F_DL = F_DL_low + 0.1 (N_DL − N_Offs-DL) worked by hand.
        let mhz = |e: u32| lte_dl_freq_hz(e).unwrap() / 1e6;
        assert_eq!(mhz(300), 2140.0); // band 1: 2110 + 0.1·300
        assert_eq!(mhz(6300), 806.0); // band 20: 791 + 0.1·150
        assert_eq!(mhz(1575), 1842.5); // band 3: 1805 + 0.1·375
        assert_eq!(mhz(3350), 2680.0); // band 7: 2620 + 0.1·600
        assert_eq!(mhz(37900), 2585.0); // band 38: 2570 + 0.1·150
        assert_eq!(mhz(38000), 2595.0); // band 38: 2570 + 0.1·250
        assert_eq!(mhz(38350), 1890.0); // band 39: 1880 + 0.1·100
        assert_eq!(mhz(38650), 2300.0); // band 40 first channel
        assert_eq!(mhz(39150), 2350.0); // band 40: 2300 + 0.1·500
        assert_eq!(mhz(39250), 2360.0); // band 40
        assert_eq!(mhz(5230), 751.0); // band 13: 746 + 0.1·50
        assert_eq!(mhz(66536), 2120.0); // band 66
        assert_eq!(lte_band_for_dl_earfcn(39150), Some(40));
        // Uplink: band 1 EARFCN 300 pairs with UL 18300 = 1950 MHz (190 MHz duplex).
        let c = lte_channel(300).unwrap();
        assert_eq!(c.ul_earfcn, Some(18300));
        assert_eq!(c.ul_freq_hz, Some(1950.0e6));
        assert_eq!(lte_ul_freq_hz(18300), Some(1950.0e6));
        // Band 13 is reverse duplex: UL above DL.
        assert_eq!(lte_channel(5230).unwrap().ul_freq_hz, Some(782.0e6));
        // Band 20 is reverse duplex too: 806 DL pairs with 847 UL.
        assert_eq!(lte_channel(6300).unwrap().ul_freq_hz, Some(847.0e6));
        // TDD: UL EARFCN = DL EARFCN.
        let t = lte_channel(37900).unwrap();
        assert_eq!(
            (t.duplex, t.ul_earfcn, t.ul_freq_hz),
            (Duplex::Tdd, Some(37900), Some(2585e6))
        );
        // Band 66 above 2180 MHz is downlink only.
        assert_eq!(lte_channel(67335).unwrap().ul_earfcn, None);
    }

    #[test]
    fn lte_reverse_lookup() {
        assert_eq!(lte_band_for_dl_freq(2140e6), vec![1, 4, 66]);
        assert_eq!(lte_band_for_dl_freq(2585e6), vec![38, 41]);
        assert_eq!(lte_band_for_dl_freq(2645e6), vec![7, 41]);
        assert_eq!(lte_band_for_dl_freq(1890e6), vec![39]);
        assert_eq!(lte_band_for_dl_freq(806e6), vec![20]);
        assert_eq!(lte_band_for_dl_freq(1815.3e6), vec![3]);
        assert!(lte_band_for_dl_freq(3.5e9).is_empty());
        let c = lte_channels_for_dl_freq(2585e6);
        assert_eq!(c[0].earfcn, 37900);
        assert_eq!(c[1].earfcn, 39650 + 890);
        assert_eq!(
            LteBandInfo::of(3).unwrap().dl_earfcn_for_freq(1815.3e6),
            Some(1303)
        );
        assert_eq!(
            LteBandInfo::of(3).unwrap().dl_earfcn_for_freq(1815.34e6),
            Some(1303)
        );
        assert_eq!(
            LteBandInfo::of(3).unwrap().dl_earfcn_for_freq(1815.36e6),
            Some(1304)
        );
        for b in &LTE_BANDS {
            for n in b.dl_offset..=b.dl_last {
                let f = b.dl_freq_hz(n).unwrap();
                assert_eq!(b.dl_earfcn_for_freq(f), Some(n));
            }
        }
    }

    #[test]
    fn lte_span_listing() {
        // 1.92 Msps at 1890 MHz (band 39 TDD capture): 1889.1 .. 1890.9 MHz -> 19 raster points.
        let c = lte_earfcns_in_span(1890e6, 1.92e6, None);
        assert_eq!(c.len(), 19);
        assert_eq!(c[0].earfcn, 38350 - 9);
        assert_eq!(c[18].earfcn, 38350 + 9);
        // A 20 MHz carrier fits in 19.2 Msps only if it were ≤ 19.2 MHz occupied (18 MHz): only
        // the centre ±0.6 MHz remains.
        let c = lte_earfcns_in_span(2585e6, 19.2e6, Some(LteBandwidth::Mhz20));
        assert!(c.iter().all(|c| (c.dl_freq_hz - 2585e6).abs() <= 0.6e6));
        assert!(c.iter().any(|c| c.band == 38 && c.earfcn == 37900));
        assert!(c.iter().any(|c| c.band == 41));
        assert!(lte_earfcns_in_span(2585e6, 1.92e6, Some(LteBandwidth::Mhz5)).is_empty());
        assert_eq!(LteBandwidth::Mhz20.occupied_bw_hz(), 18e6);
        assert_eq!(LteBandwidth::from_n_prb(25), Some(LteBandwidth::Mhz5));
        assert_eq!(LteBandwidth::from_n_prb(7), None);
    }
}
