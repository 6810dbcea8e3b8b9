//! Add white Gaussian noise to a cs16 or cf32 recording at a given SNR and write cf32, so the
//! same noisy file can be fed to this receiver and to gr-gsm (bench/gsm_vs_grgsm.sh).
//!
//! `gsm_awgn IN cs16|cf32 SNR_DB SEED OUT.cf32`
//! SNR is per complex sample over the whole sampled band: mean |x|^2 of the input divided by
//! the noise variance E|n|^2 (at 4 sps the band is 1.083 MHz, four times the symbol rate).
use num_complex::Complex32;
use std::io::Write;

fn main() {
    if let Err(e) = run() {
        eprintln!("gsm_awgn: {e}");
        std::process::exit(1);
    }
}

fn run() -> Result<(), String> {
    let a: Vec<String> = std::env::args().collect();
    if a.len() != 6 {
        return Err("usage: gsm_awgn IN cs16|cf32 SNR_DB SEED OUT.cf32".into());
    }
    let raw = std::fs::read(&a[1]).map_err(|e| format!("{}: {e}", a[1]))?;
    let x: Vec<Complex32> = match a[2].as_str() {
        "cs16" => raw
            .chunks_exact(4)
            .map(|c| {
                Complex32::new(
                    f32::from(i16::from_le_bytes([c[0], c[1]])) / 32768.0,
                    f32::from(i16::from_le_bytes([c[2], c[3]])) / 32768.0,
                )
            })
            .collect(),
        "cf32" => raw
            .chunks_exact(8)
            .map(|c| {
                Complex32::new(
                    f32::from_le_bytes([c[0], c[1], c[2], c[3]]),
                    f32::from_le_bytes([c[4], c[5], c[6], c[7]]),
                )
            })
            .collect(),
        f => return Err(format!("unknown format {f}")),
    };
    let snr_db: f64 = a[3].parse().map_err(|e| format!("snr: {e}"))?;
    let seed: u64 = a[4].parse().map_err(|e| format!("seed: {e}"))?;
    let sig = x.iter().map(|s| f64::from(s.norm_sqr())).sum::<f64>() / x.len().max(1) as f64;
    let sigma = (sig / 10f64.powf(snr_db / 10.0) / 2.0).sqrt();
    let mut rng = seed | 1;
    let mut u = move || {
        rng ^= rng >> 12;
        rng ^= rng << 25;
        rng ^= rng >> 27;
        ((rng.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    };
    let mut out = Vec::with_capacity(x.len() * 8);
    for s in &x {
        let r = (-2.0 * u().ln()).sqrt() * sigma;
        let th = 2.0 * std::f64::consts::PI * u();
        let y = Complex32::new(s.re + (r * th.cos()) as f32, s.im + (r * th.sin()) as f32);
        out.extend_from_slice(&y.re.to_le_bytes());
        out.extend_from_slice(&y.im.to_le_bytes());
    }
    let mut f = std::fs::File::create(&a[5]).map_err(|e| format!("{}: {e}", a[5]))?;
    f.write_all(&out).map_err(|e| e.to_string())?;
    eprintln!(
        "signal power {:.2} dBFS, SNR {snr_db} dB",
        10.0 * sig.log10()
    );
    Ok(())
}
