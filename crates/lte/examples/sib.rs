//! Decodes the SI-RNTI / P-RNTI transport blocks of the cells in an IQ file.
//!
//! `cargo run --release -p cellsentry-lte --example sib -- FILE FORMAT RATE_SPS
//! [PCI N_PRB PORTS FRAME_START]` with FORMAT cu8, cs8 or cf32. With the four cell arguments
//! the search is skipped (FDD, normal CP, Ng one assumed).

use cellsentry_capture::{decode_samples, SampleFormat};
use cellsentry_lte::downlink::{decode_system_information, decode_system_information_with};
use cellsentry_lte::downlink::{CellTiming, SiReport};
use cellsentry_lte::grid::DlCell;
use cellsentry_lte::{
    CellSearcher, CyclicPrefix, Duplex, PhichDuration, PhichResource, SearchConfig,
};

fn print(rep: &SiReport) {
    println!(
        "PCI {}: {} subframes, {} DCI, {} CRC failures, unusable {:?}",
        rep.cell_pci, rep.subframes_examined, rep.dci_found, rep.crc_failed, rep.dci_unusable
    );
    for b in &rep.blocks {
        let hex: String = b.payload.iter().map(|x| format!("{x:02x}")).collect();
        println!(
            "  SFN {} sf {} rnti {:04x} {:?} L{}@{} cfi {} PRB {}+{} mcs {} rv {} tbs {} rx {}: {}",
            b.sfn,
            b.subframe,
            b.rnti,
            b.dci_format,
            b.aggregation,
            b.first_cce,
            b.cfi,
            b.first_prb,
            b.n_prb,
            b.mcs,
            b.rv,
            b.tbs_bits,
            b.receptions,
            hex
        );
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 4 {
        eprintln!("usage: sib FILE cu8|cs8|cf32 RATE_SPS [PCI N_PRB PORTS FRAME_START]");
        std::process::exit(2);
    }
    let fmt =
        SampleFormat::from_token(&args[2]).ok_or_else(|| format!("unknown format {}", args[2]))?;
    let rate: f64 = args[3].parse()?;
    let mut iq = decode_samples(&std::fs::read(&args[1])?, fmt)?;
    // SIB_NOISE=sigma adds white Gaussian noise (deterministic), to try weak-signal behaviour.
    if let Some(sigma) = std::env::var("SIB_NOISE")
        .ok()
        .and_then(|v| v.parse::<f32>().ok())
    {
        let mut st = 0x1234_5678_9abc_def0u64;
        let mut uni = || {
            st = st
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((st >> 40) as f32 + 0.5) / (1u64 << 24) as f32
        };
        for v in iq.iter_mut() {
            let (u1, u2) = (uni(), uni());
            let r = (-2.0 * u1.ln()).sqrt() * sigma;
            let a = 2.0 * std::f32::consts::PI * u2;
            *v += num_complex::Complex32::new(r * a.cos(), r * a.sin());
        }
    }
    let t0 = std::time::Instant::now();
    if args.len() >= 8 {
        let cell = DlCell {
            pci: args[4].parse()?,
            n_prb: args[5].parse()?,
            ports: args[6].parse()?,
            cp: CyclicPrefix::Normal,
            duplex: Duplex::Fdd,
            phich_ng: PhichResource::One,
            phich_duration: PhichDuration::Normal,
            tdd_config: None,
        };
        let timing = CellTiming {
            frame_start_sample: args[7].parse()?,
            freq_offset_hz: 0.0,
            sfn: None,
        };
        print(&decode_system_information_with(&iq, rate, &cell, &timing)?);
    } else {
        let cells = CellSearcher::new(SearchConfig::default()).search(&iq, rate, None)?;
        let t1 = t0.elapsed();
        for c in &cells {
            println!(
                "cell PCI {} {:?} cfo {:.0} fs {} mib {:?}",
                c.pci, c.duplex, c.freq_offset_hz, c.frame_start_sample, c.mib
            );
            let reps: usize = std::env::var("SIB_REPEAT")
                .ok()
                .and_then(|v| v.parse().ok())
                .unwrap_or(1);
            for _ in 1..reps {
                let _ = decode_system_information(&iq, rate, c);
            }
            let t = std::time::Instant::now();
            match decode_system_information(&iq, rate, c) {
                Ok(r) => print(&r),
                Err(e) => println!("  {e}"),
            }
            println!(
                "  SI decoding {:.1} ms for {:.1} ms of signal",
                t.elapsed().as_secs_f64() * 1e3,
                iq.len() as f64 / rate * 1e3
            );
        }
        println!("search {:?}, total {:?}", t1, t0.elapsed());
    }
    Ok(())
}
