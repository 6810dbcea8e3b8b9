//! LTE cell generator, physical layer: the project's LTE receiver finds what was generated
//! (identity, duplex, CP, ports, bandwidth, PHICH, SFN, carrier offset, RSRP), and the resource
//! elements of PSS, SSS, CRS and PBCH agree with a vector srsRAN generated (an independent
//! transmitter): `captures/lte/srsran_signal.1.92M_cf32.dat`.

mod common;

use num_complex::Complex32;
use rustfft::FftPlanner;

use cellsentry_capture::{decode_samples, SampleFormat};
use cellsentry_lte::{CyclicPrefix, Duplex, PhichResource, SearchConfig};
use cellsentry_synth::lte_cell::Layout;
use cellsentry_synth::{LteCellConfig, LteCellGenerator, Scenario};
use common::*;

struct Case {
    pci: u16,
    n_prb: u16,
    ports: u8,
    tdd: Option<[u8; 2]>,
    cp: CyclicPrefix,
    ng: PhichResource,
    rate_sps: f64,
    carrier_hz: f64,
    ppm: f64,
    snr_db: Option<f64>,
    sfn: u16,
}

fn scenario_for(c: &Case, center_hz: f64, duration_s: f64, seed: u64) -> Scenario {
    let mut lte = LteCellConfig::new(c.pci, c.n_prb);
    lte.ports = c.ports;
    lte.cp = c.cp;
    lte.phich_ng = c.ng;
    if let Some(t) = c.tdd {
        lte.duplex = Duplex::Tdd;
        lte.tdd_config = Some(t);
    }
    lte.start_sfn = Some(c.sfn);
    let text = serde_json::json!({
        "name": "lte_case",
        "sample_rate_hz": c.rate_sps,
        "center_freq_hz": center_hz,
        "duration_s": duration_s,
        "seed": seed,
        "cells": [{
            "rat": "lte",
            "freq_hz": c.carrier_hz,
            "power_db": -20.0,
            "impairments": {"freq_offset_ppm": c.ppm, "snr_db": c.snr_db},
            "lte": lte,
        }],
    });
    Scenario::from_json_str(&text.to_string()).unwrap()
}

#[test]
fn receiver_finds_the_generated_cells() {
    let cases = [
        Case {
            pci: 0,
            n_prb: 6,
            ports: 1,
            tdd: None,
            cp: CyclicPrefix::Normal,
            ng: PhichResource::OneSixth,
            rate_sps: 1.92e6,
            carrier_hz: 806e6,
            ppm: 0.0,
            snr_db: None,
            sfn: 0,
        },
        Case {
            pci: 150,
            n_prb: 50,
            ports: 2,
            tdd: None,
            cp: CyclicPrefix::Normal,
            ng: PhichResource::One,
            rate_sps: 15.36e6,
            carrier_hz: 1815.3e6,
            ppm: 3.0,
            snr_db: Some(5.0),
            sfn: 513,
        },
        Case {
            pci: 331,
            n_prb: 25,
            ports: 2,
            tdd: Some([2, 7]),
            cp: CyclicPrefix::Normal,
            ng: PhichResource::Half,
            rate_sps: 7.68e6,
            carrier_hz: 2585e6,
            ppm: -5.0,
            snr_db: Some(0.0),
            sfn: 1023,
        },
        Case {
            pci: 503,
            n_prb: 15,
            ports: 1,
            tdd: None,
            cp: CyclicPrefix::Extended,
            ng: PhichResource::Two,
            rate_sps: 3.84e6,
            carrier_hz: 796e6,
            ppm: 1.0,
            snr_db: Some(10.0),
            sfn: 200,
        },
        Case {
            pci: 77,
            n_prb: 75,
            ports: 2,
            tdd: Some([1, 5]),
            cp: CyclicPrefix::Normal,
            ng: PhichResource::One,
            rate_sps: 19.2e6,
            carrier_hz: 2360e6,
            ppm: 0.5,
            snr_db: Some(3.0),
            sfn: 42,
        },
    ];
    for c in &cases {
        let s = scenario_for(c, c.carrier_hz, 0.05, 7);
        let (x, r) = render(&s, c.carrier_hz, (0.05 * c.rate_sps) as usize);
        let lte = r.rendered_cells()[0].lte.clone().unwrap();
        assert_eq!(lte.start_sfn, c.sfn);
        let found = cellsentry_lte::search_cells(
            &x,
            c.rate_sps,
            Some(c.carrier_hz),
            &SearchConfig::default(),
        )
        .unwrap();
        let d = found
            .iter()
            .find(|d| d.pci == c.pci)
            .unwrap_or_else(|| panic!("PCI {} not found: {found:?}", c.pci));
        let duplex = if c.tdd.is_some() {
            Duplex::Tdd
        } else {
            Duplex::Fdd
        };
        assert_eq!(d.duplex, duplex, "PCI {}", c.pci);
        assert_eq!(d.cp, c.cp, "PCI {}", c.pci);
        let mib = d.mib.as_ref().unwrap_or_else(|| panic!("no MIB: {d:?}"));
        assert_eq!(mib.n_prb, c.n_prb);
        assert_eq!(mib.ports, c.ports);
        assert_eq!(mib.phich_ng, c.ng);
        assert_eq!(mib.payload_bits, lte.mib_bits);
        assert_eq!(d.frame_start_sample, 0, "PCI {}", c.pci);
        assert_eq!(mib.sfn, c.sfn, "PCI {}", c.pci);
        let cfo_hz = c.ppm * 1e-6 * c.carrier_hz;
        assert!(
            (d.freq_offset_hz - cfo_hz).abs() < 100.0,
            "PCI {}: offset {} vs {cfo_hz}",
            c.pci,
            d.freq_offset_hz
        );
        // RS EPRE of the power convention: power_db - 10 log10(12 n_prb).
        if c.snr_db.unwrap_or(99.0) >= 5.0 {
            let want = -20.0 - 10.0 * (12.0 * f64::from(c.n_prb)).log10();
            let got = d.rsrp_dbfs.unwrap();
            assert!(
                (got - want).abs() < 1.5,
                "PCI {}: RSRP {got} vs {want}",
                c.pci
            );
        }
    }
}

#[test]
fn cell_placed_off_centre_is_found_after_shifting_back() {
    // 10 MHz cell 1.2345 MHz above the tuned centre (not a whole number of subcarriers): the
    // grid takes 82 subcarriers, the renderer rotates the remaining 4.5 kHz.
    let c = Case {
        pci: 222,
        n_prb: 50,
        ports: 1,
        tdd: None,
        cp: CyclicPrefix::Normal,
        ng: PhichResource::One,
        rate_sps: 15.36e6,
        carrier_hz: 1860e6 + 1.2345e6,
        ppm: 0.0,
        snr_db: Some(10.0),
        sfn: 9,
    };
    let s = scenario_for(&c, 1860e6, 0.04, 3);
    let (mut x, _) = render(&s, 1860e6, (0.04 * c.rate_sps) as usize);
    let w = -std::f64::consts::TAU * 1.2345e6 / c.rate_sps;
    for (n, v) in x.iter_mut().enumerate() {
        let p = w * n as f64;
        *v *= Complex32::new(p.cos() as f32, p.sin() as f32);
    }
    let found =
        cellsentry_lte::search_cells(&x, c.rate_sps, None, &SearchConfig::default()).unwrap();
    let d = found.iter().find(|d| d.pci == 222).expect("PCI 222");
    assert!(d.freq_offset_hz.abs() < 50.0, "{}", d.freq_offset_hz);
    assert_eq!(d.mib.as_ref().unwrap().sfn, 9);
}

/// FFT of every symbol of subframe 0 of a 1.92 Msps normal-CP signal: the 72 central
/// subcarriers, index kk = 0..72 (kk = 36 is the first subcarrier above DC).
/// FFT window start inside the cyclic prefix, as a receiver does against the delay spread.
const BACKOFF: usize = 0;

fn demod_central(x: &[Complex32]) -> Vec<[Complex32; 72]> {
    let lay = Layout::new(CyclicPrefix::Normal, 6, 128);
    let fft = FftPlanner::new().plan_fft_forward(128);
    lay.useful_start
        .iter()
        .map(|&u| {
            let b0 = u - BACKOFF;
            let mut b = x[b0..b0 + 128].to_vec();
            fft.process(&mut b);
            let mut out = [Complex32::new(0.0, 0.0); 72];
            for (kk, o) in out.iter_mut().enumerate() {
                let r = kk as i32 - 36;
                let bin = if r < 0 {
                    (128 + r) as usize
                } else {
                    (r + 1) as usize
                };
                *o = b[bin] / 128.0;
            }
            out
        })
        .collect()
}

/// |<y, x>| / (|y| |x|).
fn corr(y: &[Complex32], x: &[Complex32]) -> f32 {
    let dot: Complex32 = y.iter().zip(x).map(|(a, b)| a * b.conj()).sum();
    let ny: f32 = y.iter().map(|v| v.norm_sqr()).sum::<f32>().sqrt();
    let nx: f32 = x.iter().map(|v| v.norm_sqr()).sum::<f32>().sqrt();
    dot.norm() / (ny * nx)
}

/// Symbols (of subframe 0) and first subcarrier of the CRS of port `p` for PCI 150 (v_shift 0).
fn crs_positions(p: usize) -> Vec<(usize, usize)> {
    [(0usize, 0usize), (4, 4), (7, 0), (11, 4)]
        .iter()
        .map(|&(l, l_slot)| (l, if (p == 0) == (l_slot == 0) { 0 } else { 3 }))
        .collect()
}

/// Channel of port `p` on every RE of the central 72 subcarriers, from the received CRS `y`
/// divided by our CRS `x`: linear in frequency between pilots, linear in time between CRS
/// symbols (flat beyond the ends). CRS symbol `skip` is left out (to test it).
fn channel(
    y: &[[Complex32; 72]],
    x: &dyn Fn(usize, usize) -> Complex32,
    p: usize,
    skip: Option<usize>,
) -> Vec<[Complex32; 72]> {
    let mut rows: Vec<(usize, [Complex32; 72])> = Vec::new();
    for (l, first) in crs_positions(p) {
        if Some(l) == skip {
            continue;
        }
        let pilots: Vec<(usize, Complex32)> = (first..72)
            .step_by(6)
            .map(|kk| (kk, y[l][kk] / x(l, kk)))
            .collect();
        let mut row = [Complex32::new(0.0, 0.0); 72];
        for (kk, o) in row.iter_mut().enumerate() {
            let j = pilots.iter().rposition(|(k, _)| *k <= kk);
            *o = match j {
                None => pilots[0].1,
                Some(j) if j + 1 >= pilots.len() => pilots[j].1,
                Some(j) => {
                    let (k0, h0) = pilots[j];
                    let (k1, h1) = pilots[j + 1];
                    let t = (kk - k0) as f32 / (k1 - k0) as f32;
                    h0 * (1.0 - t) + h1 * t
                }
            };
        }
        rows.push((l, row));
    }
    // The vector's channel changes little within 1 ms: average the CRS symbols, then smooth
    // over +-SMOOTH subcarriers against the noise.
    const SMOOTH: usize = 4;
    let mut avg = [Complex32::new(0.0, 0.0); 72];
    for (_, r) in &rows {
        for kk in 0..72 {
            avg[kk] += r[kk] / rows.len() as f32;
        }
    }
    let mut sm = [Complex32::new(0.0, 0.0); 72];
    for (kk, o) in sm.iter_mut().enumerate() {
        let lo = kk.saturating_sub(SMOOTH);
        let hi = (kk + SMOOTH + 1).min(72);
        *o = avg[lo..hi].iter().sum::<Complex32>() / (hi - lo) as f32;
    }
    vec![sm; 14]
}

/// Our subframe-0 REs (central 72 subcarriers) for a cell like the srsRAN one.
fn our_grid(pci: u16, n_prb: u16, sfn: u16) -> Vec<[[Complex32; 72]; 14]> {
    let mut cfg = LteCellConfig::new(pci, n_prb);
    cfg.ports = 2;
    let mut gen = LteCellGenerator::new(&cfg, 1.92e6, 0, sfn, 0).unwrap();
    let g = gen.grid(sfn, 0);
    let n_sc = 12 * usize::from(n_prb);
    (0..2)
        .map(|p| {
            let mut o = [[Complex32::new(0.0, 0.0); 72]; 14];
            for (l, row) in o.iter_mut().enumerate() {
                for (kk, v) in row.iter_mut().enumerate() {
                    *v = g.ports[p][l * n_sc + n_sc / 2 - 36 + kk];
                }
            }
            o
        })
        .collect()
}

/// Scores of srsRAN's subframe 0 (`y`) against one of our grids: CRS correlation per port
/// (each CRS symbol against the channel from the other three), PSS and SSS correlation, and
/// the number of the 240 PBCH QPSK symbols equal after SFBC combining.
fn scores(y: &[[Complex32; 72]], ours: &[[[Complex32; 72]; 14]]) -> ([f32; 2], f32, f32, usize) {
    let x0 = |l: usize, kk: usize| ours[0][l][kk];
    let x1 = |l: usize, kk: usize| ours[1][l][kk];
    let port_fn: [&dyn Fn(usize, usize) -> Complex32; 2] = [&x0, &x1];
    let mut crs = [0f32; 2];
    for p in 0..2 {
        let (mut yy, mut mm) = (Vec::new(), Vec::new());
        for (l, first) in crs_positions(p) {
            let h = channel(y, port_fn[p], p, Some(l));
            for kk in (first..72).step_by(6) {
                yy.push(y[l][kk]);
                mm.push(ours[p][l][kk] * h[l][kk]);
            }
        }
        crs[p] = corr(&yy, &mm);
    }
    let h0 = channel(y, &x0, 0, None);
    let h1 = channel(y, &x1, 1, None);
    let sync = |l: usize| {
        let a: Vec<_> = (5..67).map(|kk| y[l][kk]).collect();
        let b: Vec<_> = (5..67).map(|kk| ours[0][l][kk] * h0[l][kk]).collect();
        corr(&a, &b)
    };
    let mut res = Vec::new();
    for l in 7..11 {
        for kk in 0..72 {
            if !(l < 9 && kk % 3 == 0) {
                res.push((l, kk));
            }
        }
    }
    assert_eq!(res.len(), 240);
    let mut same = 0;
    for pair in res.chunks_exact(2) {
        let (a, b) = (pair[0], pair[1]);
        let (ya, yb) = (y[a.0][a.1], y[b.0][b.1]);
        let (ha0, ha1) = (h0[a.0][a.1], h1[a.0][a.1]);
        // Alamouti (TS 36.211 6.3.4.3): ya = h0 d0 - h1 d1*, yb = h0 d1 + h1 d0* (/ sqrt 2).
        let d0 = ha0.conj() * ya + ha1 * yb.conj();
        let d1 = ha0.conj() * yb - ha1 * ya.conj();
        let agree = |r: Complex32, s: Complex32| {
            r.re.signum() == s.re.signum() && r.im.signum() == s.im.signum()
        };
        same += usize::from(agree(d0, x0(a.0, a.1))) + usize::from(agree(d1, x0(b.0, b.1)));
    }
    (crs, sync(6), sync(5), same)
}

#[test]
fn resource_elements_match_the_srsran_pbch_vector() {
    // srsRAN_4G lib/src/phy/phch/test/signal.1.92M.dat: PCI 150, 2 ports, MIB n50 / PHICH
    // normal, Ng one / SFN 28, FDD, normal CP, starting at subframe 0 (see captures/lte). The
    // vector is noisy (about 10 dB SNR per RE in its empty PSS/SSS guard subcarriers) and went
    // through a frequency-selective channel, so each RE class is compared with our REs times
    // the channel estimated from the CRS (with our CRS values as reference), and every score
    // is also computed for wrong cells, which must score far lower.
    let path = format!(
        "{}/../../captures/lte/srsran_signal.1.92M_cf32.dat",
        env!("CARGO_MANIFEST_DIR")
    );
    let mut file = decode_samples(&std::fs::read(path).unwrap(), SampleFormat::Cf32Le).unwrap();
    // The vector has a small carrier offset; take it out first (our receiver's estimate, a
    // nuisance parameter here).
    let found =
        cellsentry_lte::search_cells(&file, 1.92e6, None, &SearchConfig::default()).unwrap();
    let cfo_hz = found.iter().find(|d| d.pci == 150).unwrap().freq_offset_hz;
    let w = -std::f64::consts::TAU * cfo_hz / 1.92e6;
    for (n, v) in file.iter_mut().enumerate() {
        let p = w * n as f64;
        *v *= Complex32::new(p.cos() as f32, p.sin() as f32);
    }
    let y = demod_central(&file[..1920]);

    let (crs, pss, sss, pbch) = scores(&y, &our_grid(150, 50, 28));
    println!(
        "PCI 150 SFN 28: CRS corr {:.3}/{:.3}, PSS {pss:.3}, SSS {sss:.3}, PBCH {pbch}/240 QPSK equal",
        crs[0], crs[1]
    );
    assert!(crs[0] > 0.75 && crs[1] > 0.8, "{crs:?}");
    assert!(pss > 0.85 && sss > 0.85, "{pss} {sss}");
    assert!(pbch >= 195, "{pbch}");
    // Wrong cells: PCI 156 (same CRS positions, other CRS sequence); our PCI 150 grid with
    // the PSS of PCI 151 (other root) and the SSS of PCI 156 (other group).
    let (crs_w, _, _, _) = scores(&y, &our_grid(156, 50, 28));
    let mut mixed = our_grid(150, 50, 28);
    mixed[0][6] = our_grid(151, 50, 28)[0][6];
    mixed[0][5] = our_grid(156, 50, 28)[0][5];
    let (_, pss_w, sss_w, _) = scores(&y, &mixed);
    println!("wrong cells: CRS {crs_w:?}, PSS {pss_w:.3}, SSS {sss_w:.3}");
    assert!(crs_w[0] < 0.4 && crs_w[1] < 0.4 && pss_w < 0.4 && sss_w < 0.4);
    // Other SFN phase (29: next 480 bits of the 40 ms block), other MIB (SFN 32, n_prb 25).
    for (n_prb, sfn) in [(50u16, 29u16), (50, 32), (25, 28)] {
        let (_, _, _, wrong) = scores(&y, &our_grid(150, n_prb, sfn));
        println!("n_prb {n_prb} SFN {sfn}: PBCH {wrong}/240");
        assert!(wrong < 120, "n_prb {n_prb} SFN {sfn}: {wrong}");
    }
}

#[test]
fn modulator_carries_the_grid() {
    // FFT of our own time signal gives back the grid (port 1 with its fixed phase).
    let mut cfg = LteCellConfig::new(150, 50);
    cfg.ports = 2;
    let mut gen = LteCellGenerator::new(&cfg, 1.92e6, 0, 28, 5).unwrap();
    let g = gen.grid(28, 0);
    let mut t = Vec::new();
    gen.next_subframe(&mut t);
    assert_eq!(t.len(), 1920);
    let f = demod_central(&t);
    let ours = |p: usize, l: usize, kk: usize| g.ports[p][l * 600 + 300 - 36 + kk];
    for (l, row) in f.iter().enumerate() {
        let y: Vec<_> = row.to_vec();
        let ph = gen_port1_phase(&y, &|kk| ours(0, l, kk), &|kk| ours(1, l, kk));
        let x: Vec<_> = (0..72)
            .map(|kk| ours(0, l, kk) + ours(1, l, kk) * ph)
            .collect();
        let c = corr(&y, &x);
        assert!(
            c > 0.9999 || x.iter().all(|v| v.norm() == 0.0),
            "symbol {l}: {c}"
        );
    }
}

/// Least-squares phase factor g of port 1 in y = x0 + g x1 (g = <y - x0, x1> / |x1|^2).
fn gen_port1_phase(
    y: &[Complex32],
    x0: &dyn Fn(usize) -> Complex32,
    x1: &dyn Fn(usize) -> Complex32,
) -> Complex32 {
    let mut num = Complex32::new(0.0, 0.0);
    let mut den = 0.0;
    for (kk, v) in y.iter().enumerate() {
        num += (v - x0(kk)) * x1(kk).conj();
        den += x1(kk).norm_sqr();
    }
    if den > 0.0 {
        num / den
    } else {
        Complex32::new(0.0, 0.0)
    }
}

#[test]
fn one_second_of_a_10_mhz_cell_renders_fast() {
    let mut cfg = LteCellConfig::new(123, 50);
    cfg.ports = 2;
    let mut gen = LteCellGenerator::new(&cfg, 15.36e6, 0, 0, 0).unwrap();
    let mut out = Vec::with_capacity(15_360_000);
    let t = std::time::Instant::now();
    for _ in 0..1000 {
        gen.next_subframe(&mut out);
    }
    let dt = t.elapsed().as_secs_f64();
    println!("1 s of a 10 MHz 2-port cell at 15.36 Msps: {dt:.3} s");
    assert_eq!(out.len(), 15_360_000);
    assert!(dt < 1.0, "{dt} s");
    // Mean power of an idle cell is below the fully-loaded 0 dB but not far below.
    let p = power_db(&out);
    assert!(p < -3.0 && p > -15.0, "{p}");
}

#[test]
fn impairments_apply_to_lte_cells() {
    let base = |imp: &str, rate: f64, extra: &str| {
        let text = format!(
            r#"{{"name": "x", "sample_rate_hz": {rate}, "center_freq_hz": 806e6, "duration_s": 1,
            "seed": 4, "noise_dbfs": -80,
            "cells": [{{"rat": "lte", "freq_hz": 806e6, "power_db": -20, "impairments": {imp}
                        {extra}, "lte": {{"pci": 17, "n_prb": 15, "ports": 2, "start_sfn": 3}}}}]}}"#
        );
        Scenario::from_json_str(&text).unwrap()
    };
    let cfg = SearchConfig::default();
    // Sampling clock 20 ppm fast and a TU6 channel with 5 Hz Doppler: still found, MIB read.
    let s = base(
        r#"{"clock_offset_ppm": 20, "snr_db": 15, "multipath": {"model": "tu6", "doppler_hz": 5}}"#,
        3.84e6,
        "",
    );
    let (x, _) = render(&s, 806e6, 153_600);
    let found = cellsentry_lte::search_cells(&x, 3.84e6, Some(806e6), &cfg).unwrap();
    let d = found
        .iter()
        .find(|d| d.pci == 17)
        .expect("PCI 17 through TU6");
    assert_eq!(d.mib.as_ref().unwrap().n_prb, 15);
    // On/off and power profile: off for the first 20 ms, then -20 dB -> 0 dB over 40 ms.
    let s = base(
        "{}",
        1.92e6,
        r#", "on": [[0.02, null]], "profile": [[0.02, -20], [0.06, 0]]"#,
    );
    let (x, _) = render(&s, 806e6, 1920 * 70);
    let p = |a: usize, b: usize| power_db(&x[1920 * a..1920 * b]);
    assert!(p(0, 20) < -75.0, "{}", p(0, 20));
    let (p1, p2) = (p(20, 30), p(60, 70));
    println!("off {:.1}, ramp start {p1:.1}, end {p2:.1} dBFS", p(0, 20));
    // (the renderer interpolates the profile per rendered block, so only the trend is checked)
    assert!((p2 - p1) > 10.0, "{p1} {p2}");
    // A scene rate that is not 1.92 Msps times k (4 Msps): generated at 3.84 Msps and
    // resampled; brought back to 3.84 Msps here, the receiver finds the cell.
    let s = base("{}", 4e6, "");
    let (x, _) = render(&s, 806e6, 200_000);
    let mut rs = cellsentry_dsp::Resampler::new(4e6, 3.84e6, &Default::default()).unwrap();
    let mut y = Vec::new();
    rs.process(&x, &mut y);
    let found = cellsentry_lte::search_cells(&y, 3.84e6, Some(806e6), &cfg).unwrap();
    assert!(
        found.iter().any(|d| d.pci == 17 && d.mib.is_some()),
        "{found:?}"
    );
}

#[test]
fn scene_renderer_speed_for_a_10_mhz_cell() {
    // The whole chain (generation, power, offset rotation, noise) for 1 s at 15.36 Msps.
    let text = r#"{"name": "x", "sample_rate_hz": 15360000, "center_freq_hz": 1815e6,
        "duration_s": 1, "noise_dbfs": -70,
        "cells": [{"rat": "lte", "freq_hz": 1815.3e6, "power_db": -20,
                   "impairments": {"freq_offset_ppm": 0.1},
                   "lte": {"pci": 5, "n_prb": 50, "ports": 2,
                           "sib1_hex": "48481803247c2bffd02810210081044c43250b900000"}}]}"#;
    for noise in [true, false] {
        let t = if noise {
            text.to_string()
        } else {
            text.replace(r#""noise_dbfs": -70,"#, "")
        };
        let s = Scenario::from_json_str(&t).unwrap();
        let mut r = cellsentry_synth::SceneRenderer::new(&s, 1815e6, 0).unwrap();
        let mut buf = Vec::new();
        let t = std::time::Instant::now();
        for _ in 0..(15_360_000 / 61_440) {
            r.render(61_440, &mut buf);
        }
        let dt = t.elapsed().as_secs_f64();
        println!(
            "SceneRenderer, 1 s of a 10 MHz cell (300 kHz off centre){}: {dt:.3} s",
            if noise { " + noise floor" } else { "" }
        );
        assert!(dt < 3.0, "{dt}");
    }
}
