//! LTE cell generator, system information: the project's SI receiver
//! (`cellsentry_lte::downlink`) gets back the SIB bytes the generator sends (real SIB1 and
//! SIB2+SIB3 of the f1815.3 capture, with the DCI parameters the real eNB used), and the PCFICH
//! resource elements match an Amarisoft eNB recording (shared folder) for CFI 3 / PCI 1.

mod common;

use num_complex::Complex32;
use rustfft::FftPlanner;

use cellsentry_capture::{decode_samples, SampleFormat};
use cellsentry_lte::dci::sib1_rv;
use cellsentry_lte::downlink::decode_system_information;
use cellsentry_lte::grid::DlCell;
use cellsentry_lte::pcfich::{pcfich_bits, pcfich_regs};
use cellsentry_lte::pdcch::SI_RNTI;
use cellsentry_lte::{CyclicPrefix, Duplex, PhichResource, SearchConfig};
use cellsentry_synth::lte_cell::{parse_hex, Layout};
use cellsentry_synth::{LteCellConfig, LteCellGenerator, LteSiMessage, Scenario};
use common::*;

/// f1815.3 SIB1 and SI(SIB2+SIB3) from captures/lte/sib_vectors.json (decoded from the real
/// capture by LTE_DL_receiver.m; PLMN 206-01, si-WindowLength ms20, SIB3 at rf8).
const SIB1_F1815: &str = "48481803247c2bffd02810210081044c43250b900000";
const SI_F1815: &str = "00805b29186fe0288035899062d0010601207bb16aa04406006be2340c2a106ff4a30884f0";

fn vectors() -> serde_json::Value {
    let p = format!(
        "{}/../../captures/lte/sib_vectors.json",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
}

fn f1815_cell(n_prb: u16, ports: u8, duplex: Duplex) -> LteCellConfig {
    let mut c = LteCellConfig::new(301, n_prb);
    c.ports = ports;
    c.phich_ng = PhichResource::One;
    if duplex == Duplex::Tdd {
        c.duplex = Duplex::Tdd;
        c.tdd_config = Some([2, 7]);
    }
    c.sib1_hex = Some(SIB1_F1815.into());
    c.si = vec![LteSiMessage {
        periodicity_rf: 8,
        hex: SI_F1815.into(),
    }];
    c.si_window_ms = 20;
    c.start_sfn = Some(14);
    c
}

fn scene(cell: &LteCellConfig, rate_sps: f64, ppm: f64, snr_db: f64, dur_s: f64) -> Scenario {
    let text = serde_json::json!({
        "name": "lte_si",
        "sample_rate_hz": rate_sps,
        "center_freq_hz": 1815.3e6,
        "duration_s": dur_s,
        "seed": 11,
        "cells": [{
            "rat": "lte", "freq_hz": 1815.3e6, "power_db": -25.0,
            "impairments": {"freq_offset_ppm": ppm, "snr_db": snr_db},
            "lte": cell,
        }],
    });
    Scenario::from_json_str(&text.to_string()).unwrap()
}

#[test]
fn si_vectors_are_the_ones_in_the_truth_file() {
    let v = vectors();
    let hexes: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["hex"].as_str().unwrap())
        .collect();
    assert!(hexes.contains(&SIB1_F1815) && hexes.contains(&SI_F1815));
}

#[test]
fn receiver_decodes_the_generated_sib1_and_si_message() {
    for (n_prb, ports, duplex, rate_sps, snr_db) in [
        (25u16, 2u8, Duplex::Fdd, 7.68e6, 8.0),
        (6, 1, Duplex::Fdd, 1.92e6, 10.0),
        (15, 2, Duplex::Tdd, 3.84e6, 10.0),
    ] {
        let cell = f1815_cell(n_prb, ports, duplex);
        let s = scene(&cell, rate_sps, 1.0, snr_db, 0.2);
        let (x, r) = render(&s, 1815.3e6, (0.2 * rate_sps) as usize);
        let tbs = r.rendered_cells()[0]
            .lte
            .as_ref()
            .unwrap()
            .transport_blocks
            .clone();
        // TBS 176 and 296 bits: the f1815.3 SIB1 is 22 bytes, the SI message 37.
        assert_eq!(tbs[0], parse_hex(SIB1_F1815).unwrap());
        assert_eq!(tbs[1], parse_hex(SI_F1815).unwrap());
        let found =
            cellsentry_lte::search_cells(&x, rate_sps, Some(1815.3e6), &SearchConfig::default())
                .unwrap();
        let det = found.iter().find(|d| d.pci == 301).expect("PCI 301");
        let rep = decode_system_information(&x, rate_sps, det).unwrap();
        let label = format!("{n_prb} PRB {ports} ports {duplex:?}");
        println!(
            "{label}: {} blocks, {} DCIs, {} CRC failures, unusable {:?}",
            rep.blocks.len(),
            rep.dci_found,
            rep.crc_failed,
            rep.dci_unusable
        );
        let sib1: Vec<_> = rep.blocks.iter().filter(|b| b.payload == tbs[0]).collect();
        // 200 ms from SFN 14: SIB1 in SFN 14, 16, ..., 32 (10 times).
        assert!(sib1.len() >= 9, "{label}: {} SIB1", sib1.len());
        for b in &sib1 {
            assert_eq!((b.subframe, b.sfn % 2, b.rnti), (5, 0, SI_RNTI), "{label}");
            assert_eq!(b.rv, sib1_rv(b.sfn), "{label}");
            // The real eNB sent this SIB1 with MCS 3 (TBS 176, N_PRB^1A = 3).
            assert_eq!((b.mcs, b.tbs_bits), (3, 176), "{label}");
        }
        // SI message 1 (SIB2+SIB3): window of 20 ms at the start of every 8th frame; the real
        // eNB sent it in subframe 0 of SFN 16 with MCS 9, RV 0, as here.
        let si: Vec<_> = rep.blocks.iter().filter(|b| b.payload == tbs[1]).collect();
        let sfns: Vec<u16> = si.iter().map(|b| b.sfn).collect();
        assert_eq!(sfns, vec![16, 24, 32], "{label}");
        for b in &si {
            assert_eq!(
                (b.subframe, b.rv, b.mcs, b.tbs_bits),
                (0, 0, 9, 296),
                "{label}"
            );
        }
        assert_eq!(rep.blocks.len(), sib1.len() + si.len(), "{label}");
    }
}

#[test]
fn pcfich_matches_the_amarisoft_recording() {
    // srsRAN's srsran_signal.1.92M.amar_cf32.dat: an Amarisoft eNB, PCI 1, 6 PRB, 1 port,
    // CFI 3, starting at subframe 0 (shared folder only; skipped without it).
    let path = format!(
        "{}/../../../shared/captures/lte/srsran_signal.1.92M.amar_cf32.dat",
        env!("CARGO_MANIFEST_DIR")
    );
    let Ok(bytes) = std::fs::read(&path) else {
        println!("skipped: {path} not present");
        return;
    };
    let file = decode_samples(&bytes, SampleFormat::Cf32Le).unwrap();
    let mut cfg = LteCellConfig::new(1, 6);
    cfg.cfi = 3;
    let mut gen = LteCellGenerator::new(&cfg, 1.92e6, 0, 0, 0).unwrap();
    let cell = DlCell {
        pci: 1,
        n_prb: 6,
        ports: 1,
        cp: CyclicPrefix::Normal,
        duplex: Duplex::Fdd,
        phich_ng: PhichResource::One,
        phich_duration: cellsentry_lte::PhichDuration::Normal,
        tdd_config: None,
    };
    let regs = pcfich_regs(&cell);
    let lay = Layout::new(CyclicPrefix::Normal, 6, 128);
    let fft = FftPlanner::<f32>::new().plan_fft_forward(128);
    let bin = |k: usize| {
        let r = k as i32 - 36;
        if r < 0 {
            (128 + r) as usize
        } else {
            (r + 1) as usize
        }
    };
    let mut checked = 0;
    for sf in 0..10 {
        let s0 = sf * 1920 + lay.useful_start[0];
        let Some(seg) = file.get(s0..s0 + 128) else {
            break;
        };
        let mut y = seg.to_vec();
        fft.process(&mut y);
        let grid = gen.grid(0, sf);
        // Channel from the port-0 CRS of symbol 0 (k = 6m + 1 for PCI 1), our CRS as reference.
        let h: Vec<(usize, Complex32)> = (1..72)
            .step_by(6)
            .map(|k| (k, y[bin(k)] / grid.ports[0][k]))
            .collect();
        let h_at = |k: usize| {
            let (_, hn) = h
                .iter()
                .min_by_key(|(kk, _)| (*kk as i32 - k as i32).abs())
                .unwrap();
            *hn
        };
        let mut rx = Vec::new();
        let mut ours = Vec::new();
        for reg in &regs {
            for &k in &reg.k {
                rx.push(y[bin(k as usize)]);
                ours.push(grid.ports[0][k as usize] * h_at(k as usize));
            }
        }
        let c = corr(&rx, &ours);
        // The other CFIs' codewords for comparison.
        let alt: Vec<f32> = [1u8, 2]
            .iter()
            .map(|&cfi| {
                let bits = pcfich_bits(1, sf, cfi).unwrap();
                let sym: Vec<Complex32> = (0..16)
                    .zip(regs.iter().flat_map(|r| r.k.iter()))
                    .map(|(i, &k)| {
                        let b0 = (bits >> (31 - 2 * i)) & 1;
                        let b1 = (bits >> (30 - 2 * i)) & 1;
                        Complex32::new(1.0 - 2.0 * b0 as f32, 1.0 - 2.0 * b1 as f32)
                            * h_at(k as usize)
                    })
                    .collect();
                corr(&rx, &sym)
            })
            .collect();
        println!("subframe {sf}: PCFICH correlation {c:.4}, CFI 1/2 codewords {alt:?}");
        assert!(c > 0.97, "subframe {sf}: {c}");
        assert!(alt.iter().all(|&a| a < 0.6), "subframe {sf}: {alt:?}");
        checked += 1;
    }
    assert_eq!(checked, 10);
}

/// |<y, x>| / (|y| |x|).
fn corr(y: &[Complex32], x: &[Complex32]) -> f32 {
    let dot: Complex32 = y.iter().zip(x).map(|(a, b)| a * b.conj()).sum();
    let ny: f32 = y.iter().map(|v| v.norm_sqr()).sum::<f32>().sqrt();
    let nx: f32 = x.iter().map(|v| v.norm_sqr()).sum::<f32>().sqrt();
    dot.norm() / (ny * nx)
}

/// Subframe `sf` of a 1.92 Msps normal-CP capture, 72 subcarriers per symbol (index k of the
/// 6 PRB grid), carrier offset `cfo_hz` removed.
fn demod_subframe(x: &[Complex32], sf: usize, cfo_hz: f64) -> Vec<[Complex32; 72]> {
    let lay = Layout::new(CyclicPrefix::Normal, 6, 128);
    let fft = FftPlanner::<f32>::new().plan_fft_forward(128);
    lay.useful_start
        .iter()
        .map(|&u| {
            let s0 = sf * 1920 + u;
            let mut b: Vec<Complex32> = x[s0..s0 + 128]
                .iter()
                .enumerate()
                .map(|(i, v)| {
                    let p = -std::f64::consts::TAU * cfo_hz * (s0 + i) as f64 / 1.92e6;
                    v * Complex32::new(p.cos() as f32, p.sin() as f32)
                })
                .collect();
            fft.process(&mut b);
            let mut out = [Complex32::new(0.0, 0.0); 72];
            for (k, o) in out.iter_mut().enumerate() {
                let r = k as i32 - 36;
                *o = b[if r < 0 {
                    (128 + r) as usize
                } else {
                    (r + 1) as usize
                }];
            }
            out
        })
        .collect()
}

#[test]
fn pdcch_and_pdsch_match_the_amarisoft_recording() {
    // The Amarisoft recording (PCI 1, 6 PRB, 1 port, CFI 3, SFN 656 at its start) carries an
    // SI message in subframe 2 and SIB1 in subframe 5, each with DCI 1A at CCE 0, L = 4, over
    // all 6 PRB. Our receiver supplies the transport blocks and DCI fields (a nuisance here);
    // the check is that our PDCCH and PDSCH modulation symbols for the same grant equal
    // Amarisoft's on every RE (through the channel estimated from the CRS).
    let path = format!(
        "{}/../../../shared/captures/lte/srsran_signal.1.92M.amar_cf32.dat",
        env!("CARGO_MANIFEST_DIR")
    );
    let Ok(bytes) = std::fs::read(&path) else {
        println!("skipped: {path} not present");
        return;
    };
    let x = decode_samples(&bytes, SampleFormat::Cf32Le).unwrap();
    let found = cellsentry_lte::search_cells(&x, 1.92e6, None, &SearchConfig::default()).unwrap();
    let det = &found[0];
    assert_eq!((det.pci, det.mib.as_ref().unwrap().sfn), (1, 656));
    let rep = decode_system_information(&x, 1.92e6, det).unwrap();
    assert_eq!(rep.blocks.len(), 2);
    let mut cfg = LteCellConfig::new(1, 6);
    cfg.cfi = 3;
    let mut gen = LteCellGenerator::new(&cfg, 1.92e6, 0, 656, 0).unwrap();
    for b in &rep.blocks {
        let sf = usize::from(b.subframe);
        let y = demod_subframe(&x, sf, det.freq_offset_hz);
        let base = gen.grid(656, sf);
        // Channel: port-0 CRS (k = 6m + 1 at l = 0, 7; 6m + 4 at l = 4, 11) over ours,
        // averaged over the subframe, linear in frequency.
        let mut pil: Vec<(usize, Complex32)> = Vec::new();
        for (l, off) in [(0usize, 1usize), (4, 4), (7, 1), (11, 4)] {
            for k in (off..72).step_by(6) {
                pil.push((k, y[l][k] / base.ports[0][l * 72 + k]));
            }
        }
        pil.sort_by_key(|p| p.0);
        let h = |k: usize| {
            let near: Vec<Complex32> = pil
                .iter()
                .filter(|(kk, _)| (*kk as i32 - k as i32).abs() <= 3)
                .map(|p| p.1)
                .collect();
            near.iter().sum::<Complex32>() / near.len() as f32
        };
        let tpc_lsb = u8::from(cellsentry_lte::tbs::tbs_bits(b.mcs, 2) != Some(b.tbs_bits));
        let tb = {
            let mut t = b.payload.clone();
            t.truncate(b.tbs_bits as usize / 8);
            t
        };
        let alloc = cellsentry_lte::dci::PrbAllocation::localized(b.first_prb, b.n_prb);
        let grant = |rv: u8, harq: u8, ndi: u8, tpc: u8| cellsentry_synth::lte_control::SiGrant {
            dci: cellsentry_lte::dci::Dci1A {
                distributed: false,
                riv: cellsentry_lte::dci::riv_encode(b.first_prb, b.n_prb, 6),
                mcs: b.mcs,
                harq,
                ndi,
                rv,
                tpc,
                dai: None,
            },
            alloc,
            first_cce: usize::from(b.first_cce),
            aggregation: usize::from(b.aggregation),
            tb: tb.clone(),
        };
        let score = |g: &[Complex32], res: &[(usize, usize)]| {
            let a: Vec<Complex32> = res.iter().map(|&(l, k)| y[l][k]).collect();
            let m: Vec<Complex32> = res.iter().map(|&(l, k)| g[l * 72 + k] * h(k)).collect();
            corr(&a, &m)
        };
        let pdsch: Vec<(usize, usize)> = gen
            .control()
            .pdsch_res(sf, &alloc)
            .iter()
            .map(|&(l, k)| (usize::from(l), usize::from(k)))
            .collect();
        let pdcch: Vec<(usize, usize)> = gen
            .control()
            .cce_regs(sf, usize::from(b.first_cce), usize::from(b.aggregation))
            .iter()
            .flat_map(|r| r.k.iter().map(move |&k| (usize::from(r.l), usize::from(k))))
            .collect();
        assert_eq!(pdcch.len(), 36 * usize::from(b.aggregation));
        // The DCI fields SI ignores (HARQ, NDI, TPC MSB) as Amarisoft set them: the best fit.
        let mut best = (0f32, 0, 0, 0);
        for harq in 0..8u8 {
            for ndi in 0..2u8 {
                for tpc in [tpc_lsb, tpc_lsb + 2] {
                    let g = gen.grid_with_grant(656, sf, &grant(b.rv, harq, ndi, tpc));
                    let c = score(&g.ports[0], &pdcch);
                    if c > best.0 {
                        best = (c, harq, ndi, tpc);
                    }
                }
            }
        }
        let g = gen.grid_with_grant(656, sf, &grant(b.rv, best.1, best.2, best.3));
        let c_pdsch = score(&g.ports[0], &pdsch);
        let wrong_rv = gen.grid_with_grant(656, sf, &grant((b.rv + 1) % 4, best.1, best.2, best.3));
        let c_wrong = score(&wrong_rv.ports[0], &pdsch);
        println!(
            "subframe {sf}: PDCCH {:.4} (harq {} ndi {} tpc {}), PDSCH {} REs {c_pdsch:.4}, other RV {c_wrong:.3}",
            best.0, best.1, best.2, best.3, pdsch.len()
        );
        assert!(best.0 > 0.98, "PDCCH {}", best.0);
        assert!(c_pdsch > 0.98, "PDSCH {c_pdsch}");
        assert!(c_wrong < 0.5, "{c_wrong}");
    }
}
