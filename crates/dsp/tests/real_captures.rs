//! Spectrum measurements on real recordings from the shared captures folder, checked against
//! the numbers their truth files and READMEs state (independent of this crate).

use std::path::PathBuf;

use cellsentry_dsp::bandplan::GsmBand;
use cellsentry_dsp::spectrum::welch;
use cellsentry_dsp::{WelchConfig, Window};
use num_complex::Complex32;

fn shared(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/captures")
        .join(rel)
}

fn read_cf32(rel: &str) -> Vec<Complex32> {
    let b = std::fs::read(shared(rel)).unwrap();
    b.chunks_exact(8)
        .map(|c| {
            let re = f32::from_le_bytes([c[0], c[1], c[2], c[3]]);
            let im = f32::from_le_bytes([c[4], c[5], c[6], c[7]]);
            Complex32::new(re, im)
        })
        .collect()
}

fn read_cs16(rel: &str, max_samples: usize) -> Vec<Complex32> {
    let b = std::fs::read(shared(rel)).unwrap();
    b.chunks_exact(4)
        .take(max_samples)
        .map(|c| {
            let re = i16::from_le_bytes([c[0], c[1]]) as f32 / 32768.0;
            let im = i16::from_le_bytes([c[2], c[3]]) as f32 / 32768.0;
            Complex32::new(re, im)
        })
        .collect()
}

#[test]
fn gsmsp2007_arfcn30_power_and_channel() {
    // Truth file: rms 4437.0 (raw USRP scale), P-GSM ARFCN 30 at the 941.0 MHz centre.
    let x = read_cf32("gsm/gsmsp2007_941.0M_500ksps_arfcn30.cf32");
    assert_eq!(x.len(), 80_000);
    let cfg = WelchConfig::new(1024).with_window(Window::BlackmanHarris);
    let s = welch(&x, cfg, 941.0e6, 500e3).unwrap();
    let want_total_db = 20.0 * 4437.0f64.log10();
    assert!(
        (s.total_power_dbfs() - want_total_db).abs() < 0.02,
        "{} vs {want_total_db}",
        s.total_power_dbfs()
    );
    let active = s.gsm_active_channels(&[GsmBand::PGsm900], 10.0);
    assert_eq!(active.len(), 1);
    assert_eq!(active[0].channel.arfcn, 30);
    // Most of the capture's power is the carrier: within 1 dB of the total.
    assert!(
        (active[0].power_dbfs - want_total_db).abs() < 1.0,
        "{:?}",
        active[0]
    );
    assert!(active[0].snr_db > 15.0, "{:?}", active[0]);
    // The strongest peak is within one GSM channel of the stated carrier.
    let peaks = s.find_peaks(10.0, 200e3);
    assert!((peaks[0].freq_hz - 941.0e6).abs() < 100e3, "{:?}", peaks[0]);
}

#[test]
fn osmocom_arfcn62_channel_power() {
    // README: cs16 at 4 sps centred on ARFCN 62 (947.4 MHz), |x| ≈ 9850 → −10.4 dBFS, noise-free.
    let x = read_cs16(
        "osmocom/osmocom_blaster_234-15_gsm900_arfcn62.cs16",
        200_000,
    );
    let rate = cellsentry_dsp::GSM_4SPS_RATE_SPS;
    let cfg = WelchConfig::new(2048).with_window(Window::BlackmanHarris);
    let s = welch(&x, cfg, 947.4e6, rate).unwrap();
    let mean_pow: f64 = x.iter().map(|v| f64::from(v.norm_sqr())).sum::<f64>() / x.len() as f64;
    let mean_db = 10.0 * mean_pow.log10();
    assert!((mean_db - 20.0 * (9850.0f64 / 32768.0).log10()).abs() < 0.5);
    assert!((s.total_power_dbfs() - mean_db).abs() < 0.05);
    let ch = s.gsm_channel_powers(&[GsmBand::EGsm900]);
    assert_eq!(
        ch.iter().map(|c| c.channel.arfcn).collect::<Vec<_>>(),
        vec![60, 61, 62, 63, 64]
    );
    let c62 = ch.iter().find(|c| c.channel.arfcn == 62).unwrap();
    // In-channel (±90 kHz) power of a GMSK carrier: ≈0.3 dB below its total.
    assert!(
        (c62.power_dbfs - (mean_db - 0.3)).abs() < 0.2,
        "{c62:?} {mean_db}"
    );
    // GMSK skirts: the neighbours hold ≈20 dB less (the ideal GMSK of the unit tests gives
    // 19 dB), the next ones much less.
    for c in &ch {
        let below = c62.power_dbfs - c.power_dbfs;
        match c.channel.arfcn {
            61 | 63 => assert!((15.0..25.0).contains(&below), "{c:?}"),
            60 | 64 => assert!(below > 40.0, "{c:?}"),
            _ => {}
        }
    }
}
