//! System Information Type 2quater (TS 44.018 9.1.34a) and its rest octets (10.5.2.33b): the
//! CSN.1 structure that carries UTRAN (3G) and E-UTRAN (LTE) neighbour lists and the priority
//! based reselection parameters. A fake 2G cell that wants to keep phones will often omit or
//! distort these, which is why they are decoded here.
//!
//! The decoder walks the whole CSN.1 tree up to and including the Rel-8 "Priority and E-UTRAN
//! Parameters Description" (neighbour cells and not-allowed cells); structures that are not needed
//! are skipped bit-exactly. If the data ends inside a structure (or a length field points past
//! it) decoding stops, keeps what it has, and reports where in `stopped_at`. The Rel-8 CSG
//! descriptions and Rel-9+ additions that follow are not decoded.

use serde::{Deserialize, Serialize};

use crate::bits::BitReader;
use crate::freq::range_f;
use crate::ParseError;

/// Serving cell priority parameters (10.5.2.33b, TS 45.008 6.6.6).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServingCellPriority {
    /// GERAN_PRIORITY (0 = lowest .. 7 = highest).
    pub geran_priority: u8,
    pub thresh_priority_search: u8,
    pub thresh_gsm_low: u8,
    pub h_prio: u8,
    pub t_reselection: u8,
}

/// One "Repeated E-UTRAN Neighbour Cells" group: EARFCNs sharing priority and thresholds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EutranNeighbourGroup {
    pub earfcns: Vec<u16>,
    /// Measurement bandwidth per EARFCN (coded, TS 44.018 table 10.5.2.33b.1), if sent.
    pub measurement_bandwidths: Vec<Option<u8>>,
    /// E-UTRAN_PRIORITY (0..7), if sent.
    pub priority: Option<u8>,
    /// THRESH_E-UTRAN_high (coded, 2 dB steps).
    pub thresh_high: u8,
    pub thresh_low: Option<u8>,
    pub qrxlevmin: Option<u8>,
}

/// One "Repeated UTRAN FDD Neighbour Cells" entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UtranFddNeighbours {
    pub uarfcn: u16,
    /// Scrambling codes in transmission order (FDD_Indic0 adds code 0 first).
    pub scrambling_codes: Vec<u16>,
    pub diversity: Vec<bool>,
}

/// One "Repeated UTRAN TDD Neighbour Cells" entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UtranTddNeighbours {
    pub uarfcn: u16,
    pub cell_parameters: Vec<u16>,
}

/// Decoded SI2quater rest octets.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Si2quater {
    pub ba_ind: u8,
    pub ba_ind_3g: u8,
    pub mp_change_mark: u8,
    pub index: u8,
    pub count: u8,
    pub utran_fdd: Vec<UtranFddNeighbours>,
    pub utran_tdd: Vec<UtranTddNeighbours>,
    /// A 3G Neighbour Cell Description was present.
    pub utran_neighbour_description_present: bool,
    pub serving_cell_priority: Option<ServingCellPriority>,
    /// A 3G Priority Parameters Description was present.
    pub utran_priority_present: bool,
    /// An E-UTRAN Parameters Description was present.
    pub eutran_parameters_present: bool,
    pub eutran_neighbours: Vec<EutranNeighbourGroup>,
    /// Number of "E-UTRAN not allowed cells" groups (a cell hiding LTE neighbours may use them).
    pub eutran_not_allowed_groups: u8,
    /// Set if decoding stopped early (unsupported or truncated structure): what and at which bit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stopped_at: Option<String>,
}

impl Si2quater {
    /// All EARFCNs of all E-UTRAN neighbour groups.
    pub fn earfcns(&self) -> Vec<u16> {
        self.eutran_neighbours
            .iter()
            .flat_map(|g| g.earfcns.iter().copied())
            .collect()
    }

    /// Decode the rest octets (everything after the 2-octet RR header).
    pub fn parse(b: &[u8]) -> Result<Self, ParseError> {
        let mut r = BitReader::new(b);
        let mut q = Si2quater {
            ba_ind: r.u8(1)?,
            ba_ind_3g: r.u8(1)?,
            mp_change_mark: r.u8(1)?,
            index: r.u8(4)?,
            count: r.u8(4)?,
            ..Default::default()
        };
        if let Err(e) = q.parse_body(&mut r) {
            q.stopped_at = Some(format!("{e} (bit {})", r.position_bits()));
        }
        Ok(q)
    }

    fn parse_body(&mut self, r: &mut BitReader) -> Result<(), ParseError> {
        // Measurement Parameters Description: REPORT_TYPE, SERVING_BAND_REPORTING(2).
        if r.bit()? {
            r.skip(3)?;
        }
        // GPRS_Real Time Difference Description.
        if r.bit()? {
            for rtd_bits in [6usize, 12] {
                if r.bit()? {
                    if r.bit()? {
                        r.skip(5)?; // BA_Index_Start_RTD
                    }
                    skip_rtd_struct(r, rtd_bits)?;
                    while !r.bit()? {
                        skip_rtd_struct(r, rtd_bits)?;
                    }
                }
            }
        }
        // GPRS_BSIC Description.
        if r.bit()? {
            if r.bit()? {
                r.skip(5)?;
            }
            r.skip(6)?;
            let n = r.u8(7)?;
            r.skip(usize::from(n) * 7)?;
        }
        // GPRS_REPORT PRIORITY Description.
        if r.bit()? {
            let n = r.u8(7)?;
            r.skip(usize::from(n))?;
        }
        // GPRS_MEASUREMENT_Parameters Description.
        if r.bit()? {
            r.skip(3)?; // REPORT_TYPE, REPORTING_RATE, INVALID_BSIC_REPORTING
            if r.bit()? {
                r.skip(2)?;
            }
            if r.bit()? {
                r.skip(2)?;
            }
            r.skip(2)?; // SCALE_ORD
            for _ in 0..5 {
                if r.bit()? {
                    r.skip(6)?; // band REPORTING_OFFSET + THRESHOLD
                }
            }
        }
        // NC Measurement Parameters.
        if r.bit()? {
            r.skip(2)?;
            if r.bit()? {
                r.skip(9)?;
            }
        }
        // SI2q Extension Information: length-prefixed, skip it whole.
        if r.bit()? {
            let len = usize::from(r.u8(8)?) + 1;
            r.skip(len)?;
        }
        // 3G Neighbour Cell Description.
        if r.bit()? {
            self.utran_neighbour_description_present = true;
            if r.bit()? {
                r.skip(7)?; // Index_Start_3G
            }
            if r.bit()? {
                r.skip(7)?; // Absolute_Index_Start_EMR
            }
            if r.bit()? {
                // UTRAN FDD Description
                if r.bit()? {
                    r.skip(3)?; // Bandwidth_FDD
                }
                while r.bit()? {
                    self.utran_fdd.push(parse_utran_fdd(r)?);
                }
            }
            if r.bit()? {
                // UTRAN TDD Description
                if r.bit()? {
                    r.skip(3)?;
                }
                while r.bit()? {
                    self.utran_tdd.push(parse_utran_tdd(r)?);
                }
            }
        }
        // 3G Measurement Parameters Description.
        if r.bit()? {
            r.skip(4)?; // Qsearch_I
            if r.bit()? {
                r.skip(1)?;
            }
            if r.bit()? {
                r.skip(10)?; // FDD_Qoffset, FDD_REP_QUANT, FDD_MULTIRAT_REPORTING, FDD_Qmin
            }
            if r.bit()? {
                r.skip(6)?; // TDD_Qoffset, TDD_MULTIRAT_REPORTING
            }
        }
        // GPRS_3G_MEASUREMENT Parameters Description.
        if r.bit()? {
            r.skip(5)?; // Qsearch_P, 3G_SEARCH_PRIO
            if r.bit()? {
                r.skip(3)?;
            }
            if r.bit()? {
                r.skip(6)?;
            }
            if r.bit()? {
                r.skip(2)?;
            }
            if r.bit()? {
                r.skip(6)?;
            }
        }
        // Release 5 additions.
        if r.opt_high() != Some(true) {
            return Ok(());
        }
        if r.bit()? {
            r.skip(7)?; // FDD_Qmin_Offset, FDD_RSCPmin
        }
        if r.bit()? && r.bit()? {
            r.skip(6)?; // FDD_REPORTING_THRESHOLD_2
        }
        // Release 6 additions.
        if r.opt_high() != Some(true) {
            return Ok(());
        }
        r.skip(1)?; // 3G_CCN_ACTIVE
                    // Release 7 additions.
        if r.opt_high() != Some(true) {
            return Ok(());
        }
        for _ in 0..2 {
            if r.bit()? {
                r.skip(6)?; // 700 / 810 REPORTING_OFFSET + THRESHOLD
            }
        }
        // Release 8 additions.
        if r.opt_high() != Some(true) {
            return Ok(());
        }
        if r.bit()? {
            self.parse_priority_and_eutran(r)?;
        }
        Ok(())
    }

    fn parse_priority_and_eutran(&mut self, r: &mut BitReader) -> Result<(), ParseError> {
        if r.bit()? {
            self.serving_cell_priority = Some(ServingCellPriority {
                geran_priority: r.u8(3)?,
                thresh_priority_search: r.u8(4)?,
                thresh_gsm_low: r.u8(4)?,
                h_prio: r.u8(2)?,
                t_reselection: r.u8(2)?,
            });
        }
        if r.bit()? {
            self.utran_priority_present = true;
            // 3G Priority Parameters Description.
            r.skip(2)?; // UTRAN_Start, UTRAN_Stop (unconditional, like E-UTRAN_Start/Stop)
            if r.bit()? {
                r.skip(13)?; // DEFAULT_UTRAN_PRIORITY, _THRESH, _QRXLEVMIN
            }
            while r.bit()? {
                while r.bit()? {
                    r.skip(5)?; // UTRAN_FREQUENCY_INDEX
                }
                if r.bit()? {
                    r.skip(3)?;
                }
                r.skip(5)?;
                if r.bit()? {
                    r.skip(5)?;
                }
                if r.bit()? {
                    r.skip(5)?;
                }
            }
        }
        if r.bit()? {
            self.eutran_parameters_present = true;
            r.skip(3)?; // E-UTRAN_CCN_ACTIVE, E-UTRAN_Start, E-UTRAN_Stop
            if r.bit()? {
                skip_eutran_measurement_parameters(r)?;
            }
            if r.bit()? {
                skip_gprs_eutran_measurement_parameters(r)?;
            }
            while r.bit()? {
                let mut g = EutranNeighbourGroup {
                    earfcns: Vec::new(),
                    measurement_bandwidths: Vec::new(),
                    priority: None,
                    thresh_high: 0,
                    thresh_low: None,
                    qrxlevmin: None,
                };
                while r.bit()? {
                    g.earfcns.push(r.u16(16)?);
                    g.measurement_bandwidths
                        .push(if r.bit()? { Some(r.u8(3)?) } else { None });
                }
                g.priority = if r.bit()? { Some(r.u8(3)?) } else { None };
                g.thresh_high = r.u8(5)?;
                g.thresh_low = if r.bit()? { Some(r.u8(5)?) } else { None };
                g.qrxlevmin = if r.bit()? { Some(r.u8(5)?) } else { None };
                self.eutran_neighbours.push(g);
            }
            while r.bit()? {
                // Repeated E-UTRAN Not Allowed Cells: < PCID group > { 1 < FREQ_INDEX(3) > } ** 0
                skip_pcid_group(r)?;
                while r.bit()? {
                    r.skip(3)?;
                }
                self.eutran_not_allowed_groups = self.eutran_not_allowed_groups.saturating_add(1);
            }
        }
        Ok(())
    }
}

/// `{ 0 | 1 < THRESHOLD_or_OFFSET : bit (n) > { 0 | 1 < THRESHOLD_2 : bit (6) > }
/// { 0 | 1 < REPORTING_OFFSET : bit (3) > } }` for one of FDD/TDD.
fn skip_eutran_reporting(r: &mut BitReader, first_bits: usize) -> Result<(), ParseError> {
    if r.bit()? {
        r.skip(first_bits)?;
        if r.bit()? {
            r.skip(6)?;
        }
        if r.bit()? {
            r.skip(3)?;
        }
    }
    Ok(())
}

/// E-UTRAN Measurement Parameters Description (10.5.2.33b): Qsearch_C_E-UTRAN_Initial(4),
/// REP_QUANT(1), MULTIRAT_REPORTING(2), then either FDD/TDD REPORTING_THRESHOLD (3 bits) groups,
/// or FDD/TDD MEASUREMENT_REPORT_OFFSET (6 bits) groups plus REPORTING_GRANULARITY.
/// Layout cross-checked with tshark 4.0 (captures/gsm-l3/si2quater_eutran_tshark.json).
fn skip_eutran_measurement_parameters(r: &mut BitReader) -> Result<(), ParseError> {
    r.skip(7)?;
    if !r.bit()? {
        skip_eutran_reporting(r, 3)?;
        skip_eutran_reporting(r, 3)?;
    } else {
        skip_eutran_reporting(r, 6)?;
        skip_eutran_reporting(r, 6)?;
        r.skip(1)?; // REPORTING_GRANULARITY
    }
    Ok(())
}

/// GPRS E-UTRAN Measurement Parameters Description (10.5.2.33b): Qsearch_P_E-UTRAN(4),
/// REP_QUANT(1), MULTIRAT_REPORTING(2), FDD and TDD REPORTING_THRESHOLD groups.
fn skip_gprs_eutran_measurement_parameters(r: &mut BitReader) -> Result<(), ParseError> {
    r.skip(7)?;
    skip_eutran_reporting(r, 3)?;
    skip_eutran_reporting(r, 3)
}

fn skip_rtd_struct(r: &mut BitReader, bits: usize) -> Result<(), ParseError> {
    // < RTD Struct > ::= { 0 < RTD > } ** 1
    while !r.bit()? {
        r.skip(bits)?;
    }
    Ok(())
}

fn skip_pcid_group(r: &mut BitReader) -> Result<(), ParseError> {
    // PCID Group IE (10.5.2.33b): { 1 < PCID : bit (9) > } ** 0
    //   { 0 | 1 < PCID_BITMAP_GROUP : bit (6) > } { 1 < PCID_Pattern_length(3) PCID_Pattern
    //   PCID_pattern_sense(1) > } ** 0
    while r.bit()? {
        r.skip(9)?;
    }
    if r.bit()? {
        r.skip(6)?;
    }
    while r.bit()? {
        let len = usize::from(r.u8(3)?) + 1;
        r.skip(len + 1)?;
    }
    Ok(())
}

/// p(n): FDD_CELL_INFORMATION field length for NR_OF_FDD_CELLS = n (TS 44.018 9.1.54.1a).
const FDD_CELL_INFO_BITS: [u8; 17] = [
    0, 10, 19, 28, 36, 44, 52, 60, 67, 74, 81, 88, 95, 102, 109, 116, 122,
];
/// q(n): TDD_CELL_INFORMATION field length for NR_OF_TDD_CELLS = n (TS 44.018 9.1.54.1b).
const TDD_CELL_INFO_BITS: [u8; 21] = [
    0, 9, 17, 25, 32, 39, 46, 53, 59, 65, 71, 77, 83, 89, 95, 101, 106, 111, 116, 121, 126,
];

/// Read the W(k) of a range-coded cell information field of `total_bits` bits, W(1) being
/// `w1_bits` wide (10.5.2.13.3-style tree, used by 9.1.54 for FDD/TDD cells).
fn read_ws(r: &mut BitReader, total_bits: usize, w1_bits: usize) -> Result<Vec<u16>, ParseError> {
    let start = r.position_bits();
    let mut w = Vec::new();
    let mut k = 1usize;
    loop {
        let used = r.position_bits() - start;
        let log2k = (usize::BITS - 1 - k.leading_zeros()) as usize;
        if log2k >= w1_bits {
            break;
        }
        let width = w1_bits - log2k;
        if used + width > total_bits {
            break;
        }
        let v = r.u16(width)?;
        if v == 0 {
            break;
        }
        w.push(v);
        k += 1;
    }
    let used = r.position_bits() - start;
    r.skip(total_bits.saturating_sub(used))?;
    Ok(w)
}

fn parse_utran_fdd(r: &mut BitReader) -> Result<UtranFddNeighbours, ParseError> {
    r.skip(1)?; // earlier-version bit, reserved (0)
    let uarfcn = r.u16(14)?;
    let indic0 = r.bit()?;
    let n = usize::from(r.u8(5)?);
    let bits = usize::from(*FDD_CELL_INFO_BITS.get(n).unwrap_or(&0));
    let w = read_ws(r, bits, 10)?;
    let mut scrambling_codes = Vec::new();
    let mut diversity = Vec::new();
    if indic0 {
        scrambling_codes.push(0);
        diversity.push(false);
    }
    for k in 1..=w.len() {
        let v = range_f(&w, k, 1024)?;
        scrambling_codes.push((v & 0x1ff) as u16);
        diversity.push((v >> 9) & 1 == 1);
    }
    Ok(UtranFddNeighbours {
        uarfcn,
        scrambling_codes,
        diversity,
    })
}

fn parse_utran_tdd(r: &mut BitReader) -> Result<UtranTddNeighbours, ParseError> {
    r.skip(1)?;
    let uarfcn = r.u16(14)?;
    let indic0 = r.bit()?;
    let n = usize::from(r.u8(5)?);
    let bits = usize::from(*TDD_CELL_INFO_BITS.get(n).unwrap_or(&0));
    let w = read_ws(r, bits, 9)?;
    let mut cell_parameters = Vec::new();
    if indic0 {
        cell_parameters.push(0);
    }
    for k in 1..=w.len() {
        cell_parameters.push(range_f(&w, k, 512)? as u16);
    }
    Ok(UtranTddNeighbours {
        uarfcn,
        cell_parameters,
    })
}
