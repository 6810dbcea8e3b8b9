//! LTE: RRC UPER decoding of BCCH-DL-SCH (SIB1, SystemInformation) and BCCH-BCH (the MIB), and
//! the physical-layer decoders a fake cell feeds directly: PBCH, PCFICH, PDCCH/DCI and DL-SCH
//! (rate matching and turbo decoding), all on arbitrary soft bits.

use cellsentry_lte::coding::{crc16_bits, PBCH_CRC_MASKS};
use cellsentry_lte::dci::{alloc_1a, alloc_1c, dci_size, n_prb_1a, parse_1a, parse_1c};
use cellsentry_lte::dlsch::DlschDecoder;
use cellsentry_lte::grid::{combine, qpsk_llr, Equalised};
use cellsentry_lte::mib::parse_mib;
use cellsentry_lte::pbch::{bits_per_frame, PbchDecoder, PbchFrame};
use cellsentry_lte::pcfich::decide_cfi;
use cellsentry_lte::pdcch::{phich_mapping_units, ControlMap, PdcchDecoder, P_RNTI, SI_RNTI};
use cellsentry_lte::tbs::{tbs_bits, tbs_format1c};
use cellsentry_lte::{CyclicPrefix, DciFormat, DlCell, Duplex, PhichDuration, PhichResource};
use cellsentry_lte_rrc::{decode_bcch_dl_sch, BcchDlSchMessage, CellSystemInfo};
use num_complex::Complex32;

use crate::soft::{fill, llr, split};

/// A BCCH-DL-SCH transport block (the whole input): decoded, stored as JSON and read back, and
/// folded into a cell's system information.
pub fn rrc_bcch_dl_sch(data: &[u8]) {
    let Ok(msg) = decode_bcch_dl_sch(data) else {
        return;
    };
    let json = match serde_json::to_string(&msg) {
        Ok(j) => j,
        Err(e) => panic!("a decoded SIB cannot be serialised: {e}"),
    };
    if let Err(e) = serde_json::from_str::<BcchDlSchMessage>(&json) {
        panic!("a stored SIB does not read back: {e}: {json}");
    }
    if let BcchDlSchMessage::Sib1(s) = &msg {
        let _ = s.primary_plmn();
        let _ = s.scheduled_sib_types();
        let _ = s.is_tdd();
        for n in 2..=32 {
            let _ = s.schedules_sib(n);
        }
    }
    let mut cell = CellSystemInfo::new();
    cell.ingest(msg);
    let _ = cell.serving_priority();
    let _ = cell.max_eutra_priority();
    let _ = cell.max_utra_priority();
    let _ = cell.max_geran_priority();
    let _ = cell.legacy_priority_above_serving();
    let _ = cell.si_count();
    let _ = cell.scheduled_sib_types();
}

/// PBCH: control byte bit 0 NaN/inf bytes, bit 1 extended CP, bits 2-3 frames - 1, bits 4-5
/// the port hypothesis and bits 6-7 the SFN phase of a known-cell decode; two bytes of PCI;
/// three bytes parsed directly as a MIB (BCCH-BCH); then the soft bits of each frame in turn.
pub fn pbch(data: &[u8]) {
    let (ctrl, rest) = split(data);
    let special = ctrl & 1 != 0;
    let cp = if ctrl & 2 != 0 {
        CyclicPrefix::Extended
    } else {
        CyclicPrefix::Normal
    };
    let n_frames = usize::from((ctrl >> 2) & 3) + 1;
    let ports = [1u8, 2, 4, 3][usize::from((ctrl >> 4) & 3)];
    let phase = usize::from(ctrl >> 6);
    let pci = u16::from_le_bytes([
        rest.first().copied().unwrap_or(0),
        rest.get(1).copied().unwrap_or(0),
    ]) % 504;
    let mib_bytes = rest.get(2..5).unwrap_or(&[]);
    let mut mib_bits = [0u8; 24];
    for (i, b) in mib_bits.iter_mut().enumerate() {
        *b = mib_bytes.get(i / 8).map_or(0, |v| (v >> (7 - i % 8)) & 1);
    }
    for lsb in 0..4 {
        if let Some(m) = parse_mib(&mib_bits, lsb, ports) {
            assert!([6, 15, 25, 50, 75, 100].contains(&m.n_prb));
            assert!(m.sfn < 1024);
        }
    }
    let soft = rest.get(5..).unwrap_or(&[]);
    let n_bits = bits_per_frame(cp);
    let frames: Vec<PbchFrame> = (0..n_frames)
        .map(|f| {
            let mut s = [0f32; 480];
            fill(
                &mut s[..n_bits],
                soft.get(f * n_bits..).unwrap_or(&[]),
                special,
            );
            PbchFrame {
                soft: [s, s, s],
                n_bits,
                rsrp: 1.0,
                rssi: 1.0,
                signal: 1.0,
                noise: 0.1,
                pilot_rotation: Complex32::new(1.0, 0.0),
                pilot_rotation_short: Complex32::new(1.0, 0.0),
                pilot_short_samples: 1,
            }
        })
        .collect();
    let refs: Vec<&PbchFrame> = frames.iter().collect();
    let mut dec = PbchDecoder::new();
    if let Some(d) = dec.decode(&refs, pci) {
        assert!(d.sfn_mod4 < 4 && [1, 2, 4].contains(&d.ports));
        // A decoded block passed its CRC under the mask of its port count.
        let mask = PBCH_CRC_MASKS
            .iter()
            .find(|(p, _)| *p == d.ports)
            .map(|m| m.1);
        assert!(mask.is_some());
        let _ = crc16_bits(&d.bits);
        if let Some(mib) = parse_mib(&d.bits, u16::from(d.sfn_mod4), d.ports) {
            let _ = dec.frame_agreement(&frames[0], pci, &d.bits, d.ports, mib.sfn);
        }
    }
    let _ = dec.decode_known(&refs, pci, ports, phase);
    let _ = dec.frame_agreement(&frames[0], pci, &mib_bits, ports, u16::from(ctrl) << 2);
}

/// PCFICH: control byte bits 0-1 ports (1, 2, 4, 3), bit 2 NaN/inf bytes, bits 4-7 subframe;
/// two bytes of PCI; one byte of noise variance; then 32 soft bits, decided directly, and the
/// same bytes (and more) as 16 received REs and their 4-port channels, equalised first the
/// way the receiver does.
pub fn pcfich(data: &[u8]) {
    let (ctrl, rest) = split(data);
    let ports = [1usize, 2, 4, 3][usize::from(ctrl & 3)];
    let special = ctrl & 4 != 0;
    let subframe = usize::from(ctrl >> 4);
    let pci = u16::from_le_bytes([
        rest.first().copied().unwrap_or(0),
        rest.get(1).copied().unwrap_or(0),
    ]) % 504;
    let noise_var = rest.get(2).map_or(0.0, |&b| llr(b, special) / 16.0);
    let payload = rest.get(3..).unwrap_or(&[]);
    let mut soft = [0f32; 32];
    fill(&mut soft, payload, special);
    check_cfi(decide_cfi(&soft, pci, subframe));

    let val = |i: usize| payload.get(i).map_or(0.0, |&b| llr(b, special) / 64.0);
    let y: Vec<Complex32> = (0..16)
        .map(|i| Complex32::new(val(2 * i), val(2 * i + 1)))
        .collect();
    let h: Vec<[Complex32; 4]> = (0..16)
        .map(|i| {
            let base = 32 + 8 * i;
            [0, 1, 2, 3].map(|p| Complex32::new(val(base + 2 * p), val(base + 2 * p + 1)))
        })
        .collect();
    let mut eq = [Equalised::default(); 16];
    combine(ports, &y, &h, noise_var, &mut eq);
    let mut llrs = [0f32; 32];
    qpsk_llr(&eq, &mut llrs);
    check_cfi(decide_cfi(&llrs, pci, subframe));
}

fn check_cfi(d: Option<cellsentry_lte::pcfich::CfiDecision>) {
    if let Some(d) = d {
        assert!((1..=3).contains(&d.cfi), "CFI {} out of 1..3", d.cfi);
        assert!(d.margin >= 0.0 || d.margin.is_nan());
    }
}

const BANDWIDTHS: [u16; 6] = [6, 15, 25, 50, 75, 100];

/// The cell a control byte describes: bits 0-2 bandwidth, 3 TDD, 4-5 ports, 6 extended PHICH
/// duration, 7 extended CP; `ng` picks the PHICH resource.
fn cell_of(ctrl: u8, ng: u8, pci: u16) -> DlCell {
    DlCell {
        pci,
        n_prb: BANDWIDTHS[usize::from(ctrl & 7) % BANDWIDTHS.len()],
        ports: [1u8, 2, 4, 4][usize::from((ctrl >> 4) & 3)],
        cp: if ctrl & 0x80 != 0 {
            CyclicPrefix::Extended
        } else {
            CyclicPrefix::Normal
        },
        duplex: if ctrl & 8 != 0 {
            Duplex::Tdd
        } else {
            Duplex::Fdd
        },
        phich_ng: [
            PhichResource::OneSixth,
            PhichResource::Half,
            PhichResource::One,
            PhichResource::Two,
        ][usize::from(ng & 3)],
        phich_duration: if ctrl & 0x40 != 0 {
            PhichDuration::Extended
        } else {
            PhichDuration::Normal
        },
        tdd_config: None,
    }
}

/// PDCCH blind search and DCI parsing: control byte (see `cell_of`), a byte of control symbols
/// (bits 0-1), PHICH resource (2-3), TDD PHICH multiplier (4-5) and NaN/inf bytes (6); two bytes
/// of PCI; then the descrambled soft bits of the 16 common-space CCEs (72 each). Every DCI
/// found is parsed and its allocation and TBS worked out, as the SI receiver does; the first
/// DCI-sized run of bytes is also parsed directly as 1A and 1C payloads.
pub fn dci(data: &[u8]) {
    let (ctrl, rest) = split(data);
    let (opts, rest) = split(rest);
    let pci = u16::from_le_bytes([
        rest.first().copied().unwrap_or(0),
        rest.get(1).copied().unwrap_or(0),
    ]) % 504;
    let soft = rest.get(2..).unwrap_or(&[]);
    let special = opts & 0x40 != 0;
    let cell = cell_of(ctrl, opts >> 2, pci);
    let n_ctrl = usize::from(opts & 3) + 1;
    let tdd_m = (opts >> 4) & 3;
    let map = ControlMap::new(&cell, n_ctrl, phich_mapping_units(&cell, tdd_m));
    assert!(map.quad_reg.iter().all(|&q| (q as usize) < map.pdcch.len()));
    let mut dec = PdcchDecoder::new();
    dec.llr = vec![0.0; 72 * 16];
    fill(&mut dec.llr, soft, special);
    dec.cce_snr = vec![1.0; 16];
    for found in dec.search_common(&cell, &map, &[SI_RNTI, P_RNTI]) {
        grant(&cell, found.format, &found.bits);
    }
    // The payload parsers on bits taken straight from the input.
    for format in [DciFormat::Format1A, DciFormat::Format1C] {
        if let Some(size) = dci_size(format, cell.n_prb, cell.duplex) {
            let bits: Vec<u8> = (0..size)
                .map(|i| soft.get(i).map_or(0, |b| b & 1))
                .collect();
            grant(&cell, format, &bits);
        }
    }
    let first = usize::from(soft.first().copied().unwrap_or(0) % 20);
    let l_agg = [1usize, 2, 4, 8][usize::from(opts & 3)];
    let payload = usize::from(soft.get(1).copied().unwrap_or(0) % 130);
    let _ = dec.try_candidate(first, l_agg, payload, &[SI_RNTI, P_RNTI]);
}

/// What the SI receiver works out from a DCI: allocation and transport block size.
fn grant(cell: &DlCell, format: DciFormat, bits: &[u8]) {
    match format {
        DciFormat::Format1A => {
            if let Ok(d) = parse_1a(bits, cell.n_prb, cell.duplex) {
                if let Ok(a) = alloc_1a(&d, cell.n_prb) {
                    assert!(a.n_prb() <= cell.n_prb, "allocation wider than the cell");
                }
                let _ = tbs_bits(d.mcs, n_prb_1a(d.tpc));
            }
        }
        DciFormat::Format1C => {
            if let Ok(d) = parse_1c(bits, cell.n_prb) {
                if let Ok(a) = alloc_1c(&d, cell.n_prb) {
                    assert!(a.n_prb() <= cell.n_prb, "allocation wider than the cell");
                }
                let _ = tbs_format1c(d.tbs_index);
            }
        }
    }
}

/// DL-SCH decoding (rate matching, turbo decoding, CRCs) of one reception: control byte bits
/// 0-4 the TBS index of a format 1C grant (the sizes SI and paging use), bits 5-6 the RV, bit 7
/// two layers; a byte choosing the modulation (bits 0-1: QPSK, 16QAM, 64QAM) and NaN/inf
/// bytes (bit 2); then the G soft bits.
pub fn dlsch(data: &[u8]) {
    let (ctrl, rest) = split(data);
    let (opts, soft) = split(rest);
    let Some(tbs) = tbs_format1c(ctrl & 31) else {
        return;
    };
    let rv = (ctrl >> 5) & 3;
    let n_l = if ctrl & 0x80 != 0 { 2 } else { 1 };
    let qm = [2u8, 4, 6, 2][usize::from(opts & 3)];
    let special = opts & 4 != 0;
    if soft.is_empty() {
        return;
    }
    let mut llrs = vec![0f32; soft.len()];
    fill(&mut llrs, soft, special);
    let mut dec = DlschDecoder::new();
    dec.set_max_iterations(2);
    if let Ok(bytes) = dec.decode(&llrs, tbs as usize, qm, n_l, rv, None) {
        assert_eq!(
            bytes.len() * 8,
            tbs as usize,
            "a transport block of the wrong size"
        );
    }
}
