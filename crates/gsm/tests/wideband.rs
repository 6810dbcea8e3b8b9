//! Wideband decoding of a scene composed from the two real Osmocom recordings (the shared
//! README's suggestion): both cells must be found in the spectrum and every block gr-gsm
//! decoded from each recording (truth.json) must come out, at the right ARFCN.
mod common;
#[path = "common/scene.rs"]
mod scene;

use cellsentry_gsm::{GsmEvent, WidebandConfig, WidebandGsm};
use common::*;
use scene::{Scene, Source};

const WIDE_RATE: f64 = 10e6;
/// Scene centre: the default cell (1877.0 MHz, ARFCN 871) lands at +3.8 MHz, the blaster
/// recording is moved to 1870.8 MHz (ARFCN 840) at -2.4 MHz.
const CENTER_HZ: f64 = 1873.2e6;
const BLASTER_DELAY_S: f64 = 0.25;

fn check_cell(events: &[(u16, GsmEvent)], arfcn: u16, truth_name: &str, min_sample: u64) {
    let t = truth("osmocom", truth_name);
    let tb = t["decoded_blocks_in_order"].as_array().unwrap();
    let mut missing = Vec::new();
    for b in tb {
        let fn_ = b["frame_nr"].as_u64().unwrap() as u32;
        let want = hex_to_bytes(b["l2_block_hex"].as_str().unwrap());
        let found = events.iter().any(|(a, e)| match e {
            GsmEvent::Block(x) => *a == arfcn && x.fn_ == fn_ && x.bytes.to_vec() == want,
            _ => false,
        });
        if !found {
            missing.push(fn_);
        }
    }
    assert!(
        missing.is_empty(),
        "ARFCN {arfcn}: gr-gsm blocks not decoded at FN {missing:?}"
    );
    for (a, e) in events {
        if let GsmEvent::Block(x) = e {
            if *a == arfcn {
                assert!(
                    x.first_sample >= min_sample,
                    "block before the cell appeared"
                );
            }
        }
    }
}

#[test]
fn two_real_cells_in_a_10msps_scene() {
    let def = load_cs16("osmocom_default_dcs1800_arfcn871.cs16");
    let bla = load_cs16("osmocom_blaster_234-15_gsm900_arfcn62.cs16");
    let dur_s = bla.len() as f64 / OSMO_RATE + BLASTER_DELAY_S + 0.05;
    let total = (dur_s * WIDE_RATE) as usize;
    // Recording power ~ -10.4 dBFS; the blaster at -6 dB; noise over the 10 MHz band equal to
    // the blaster's power (0 dB wideband SNR, ~15 dB in its 270 kHz channel).
    let sig_power = 0.0903f32;
    let noise_power = sig_power * 10f32.powf(-6.0 / 10.0);
    let sources = vec![
        Source::new(def, OSMO_RATE, WIDE_RATE, 0.0, 1877.0e6 - CENTER_HZ, 0.0),
        Source::new(
            bla,
            OSMO_RATE,
            WIDE_RATE,
            BLASTER_DELAY_S,
            1870.8e6 - CENTER_HZ,
            -6.0,
        ),
    ];
    let mut scene = Scene::new(sources, noise_power, 0x5eed, total);
    let mut wb = WidebandGsm::new(WIDE_RATE, CENTER_HZ, &WidebandConfig::default()).unwrap();
    assert!(
        (wb.channel_rate_sps() - OSMO_RATE).abs() < 1e-6,
        "exact 4 sps channels"
    );
    let mut events = Vec::new();
    while let Some(chunk) = scene.next_chunk(1 << 16) {
        events.extend(wb.push(&chunk));
    }
    let active = wb.active_channels();
    let (tail, meas) = wb.finish();
    events.extend(tail);
    println!("active: {active:?}");
    for m in &meas {
        println!("{m:?}");
    }
    // Exactly the two carriers are decoded: the spectral skirts of the strong cell are not
    // taken for carriers.
    let mut arfcns: Vec<u16> = active.iter().map(|a| a.arfcn).collect();
    arfcns.sort();
    assert_eq!(arfcns, vec![840, 871]);
    let bla_ch = active.iter().find(|a| a.arfcn == 840).unwrap();
    let appear = (BLASTER_DELAY_S * WIDE_RATE) as u64;
    // Decoded from the start of the scan interval (0.05 s) in which it appeared, or of the
    // next when only its first moments fell in the one before: never from long before.
    let interval = (0.05 * WIDE_RATE) as u64;
    assert!(
        bla_ch.start_sample + interval > appear && bla_ch.start_sample < appear + interval,
        "blaster decoded from sample {} (on at {appear})",
        bla_ch.start_sample
    );
    check_cell(
        &events,
        871,
        "osmocom_default_dcs1800_arfcn871.truth.json",
        0,
    );
    check_cell(
        &events,
        840,
        "osmocom_blaster_234-15_gsm900_arfcn62.truth.json",
        appear,
    );
    let bsic = |a: u16| {
        meas.iter()
            .find(|m| m.arfcn == Some(a))
            .and_then(|m| m.bsic)
    };
    assert_eq!(bsic(871), Some(63));
    assert_eq!(bsic(840), Some(21));
}

#[test]
fn bad_wideband_settings_are_errors() {
    let cfg = WidebandConfig::default();
    assert!(WidebandGsm::new(f64::NAN, 1e9, &cfg).is_err());
    assert!(WidebandGsm::new(500e3, 1e9, &cfg).is_err());
    assert!(WidebandGsm::new(20e6, -5.0, &cfg).is_err());
    // A capture with no GSM band inside decodes nothing and does not panic.
    let mut wb = WidebandGsm::new(2e6, 100e6, &cfg).unwrap();
    let x = vec![num_complex::Complex32::new(0.1, 0.0); 300_000];
    assert!(wb.push(&x).is_empty());
    let (ev, m) = wb.finish();
    assert!(ev.is_empty() && m.is_empty());
}

/// Blocks (ARFCN, FN, bytes) decoded from a 0.6 s scene holding the default cell only.
fn short_scene(rate_sps: f64, chunk: usize, swap: bool) -> (Vec<(u16, u32, [u8; 23])>, f64) {
    let def = load_cs16("osmocom_default_dcs1800_arfcn871.cs16");
    let def = def[..(0.6 * OSMO_RATE) as usize].to_vec();
    let center = 1877.0e6 - 1.2e6;
    let src = vec![Source::new(def, OSMO_RATE, rate_sps, 0.0, 1.2e6, 0.0)];
    let mut scene = Scene::new(src, 0.01, 9, (0.6 * rate_sps) as usize);
    let cfg = WidebandConfig {
        bands: vec![cellsentry_gsm::GsmBand::Dcs1800],
        iq_swapped: swap,
        ..WidebandConfig::default()
    };
    let mut wb = WidebandGsm::new(rate_sps, center, &cfg).unwrap();
    let out_rate = wb.channel_rate_sps();
    let mut ev = Vec::new();
    while let Some(mut c) = scene.next_chunk(chunk) {
        if swap {
            c.iter_mut()
                .for_each(|s| *s = num_complex::Complex32::new(s.im, s.re));
        }
        ev.extend(wb.push(&c));
    }
    ev.extend(wb.finish().0);
    let blocks = ev
        .into_iter()
        .filter_map(|(a, e)| match e {
            GsmEvent::Block(b) => Some((a, b.fn_, b.bytes)),
            _ => None,
        })
        .collect();
    (blocks, out_rate)
}

#[test]
fn block_size_does_not_matter_and_odd_rates_work() {
    let t = truth("osmocom", "osmocom_default_dcs1800_arfcn871.truth.json");
    let want: Vec<(u32, Vec<u8>)> = t["decoded_blocks_in_order"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| {
            let fn_ = b["frame_nr"].as_u64().unwrap() as u32;
            (fn_, hex_to_bytes(b["l2_block_hex"].as_str().unwrap()))
        })
        .collect();
    // 4 Msps gives exact 4 sps channels; 3.3333333 Msps (non-integer) goes through the
    // receiver's own resampler from the channeliser's power-of-two output rate.
    for (rate, exact) in [(4e6, true), (10e6 / 3.0, false)] {
        let (big, out_rate) = short_scene(rate, 1 << 16, false);
        assert_eq!((out_rate - OSMO_RATE).abs() < 1e-6, exact, "rate {rate}");
        let (small, _) = short_scene(rate, 777, false);
        assert_eq!(big, small, "push size changed the result at {rate}");
        if exact {
            // The same scene with I and Q swapped, undone by the config: same blocks, same ARFCN
            // (without it the cell would sit at the mirrored ARFCN 859).
            let (swapped, _) = short_scene(rate, 1 << 16, true);
            assert_eq!(big, swapped, "I/Q swap at {rate}");
        }
        let mut matched = 0;
        for (a, fn_, bytes) in &big {
            assert_eq!(*a, 871);
            if let Some((_, w)) = want.iter().find(|(f, _)| f == fn_) {
                assert_eq!(bytes.to_vec(), *w, "FN {fn_} at {rate}");
                matched += 1;
            }
        }
        // The gr-gsm blocks that lie wholly inside the 0.6 s cut: those the narrowband
        // receiver (itself checked against all of gr-gsm's blocks in tests/osmocom.rs) gets
        // from the same cut at its native rate.
        let def = load_cs16("osmocom_default_dcs1800_arfcn871.cs16");
        let nb = cellsentry_gsm::decode_all(&def[..(0.6 * OSMO_RATE) as usize], OSMO_RATE).unwrap();
        let in_window = nb
            .blocks()
            .filter(|b| want.iter().any(|(f, _)| *f == b.fn_))
            .count();
        assert!(in_window >= 8);
        assert_eq!(matched, in_window, "at {rate}");
    }
}

/// Unit-power complex Gaussian noise (xorshift + Box-Muller), `n` samples.
fn unit_noise(n: usize, mut state: u64) -> Vec<num_complex::Complex32> {
    let mut uniform = move || {
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        ((state.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 40) as f32 + 0.5) / (1u64 << 24) as f32
    };
    (0..n)
        .map(|_| {
            let r = (-uniform().ln()).sqrt();
            let (s, c) = (2.0 * std::f32::consts::PI * uniform()).sin_cos();
            num_complex::Complex32::new(r * c, r * s)
        })
        .collect()
}

#[test]
fn a_carrier_switched_on_where_a_non_gsm_signal_was_given_up_is_decoded_at_once() {
    // A non-GSM signal (noise over about 1 MHz: an LTE or UMTS carrier's look) sits on
    // ARFCN 871 from the start, so the receiver tries the channel, finds no GSM and holds it
    // off. The real blaster recording is switched on at 1.6 s on the same carrier, 10 dB
    // above what the noise puts into the channel: the jump must bring the channel back at
    // once, not after the hold-off (5 s, longer than this scene).
    const RATE: f64 = 4e6;
    const APPEAR_S: f64 = 1.6;
    let bla = load_cs16("osmocom_blaster_234-15_gsm900_arfcn62.cs16");
    let dur_s = APPEAR_S + bla.len() as f64 / OSMO_RATE;
    let noise = unit_noise((dur_s * OSMO_RATE) as usize + 1000, 0x0dd);
    let offset_hz = 1.2e6;
    let center = 1877.0e6 - offset_hz;
    // Recording power ~0.09; 17 % of the noise falls within +-90 kHz of the carrier.
    let noise_db = 10.0 * (0.0903f32 * 0.1 / 0.166).log10();
    let sources = vec![
        Source::new(noise, OSMO_RATE, RATE, 0.0, offset_hz, noise_db),
        Source::new(bla, OSMO_RATE, RATE, APPEAR_S, offset_hz, 0.0),
    ];
    let mut scene = Scene::new(sources, 1e-4, 77, (dur_s * RATE) as usize);
    let cfg = WidebandConfig {
        bands: vec![cellsentry_gsm::GsmBand::Dcs1800],
        ..WidebandConfig::default()
    };
    let mut wb = WidebandGsm::new(RATE, center, &cfg).unwrap();
    let mut events = Vec::new();
    let mut tried_early = false;
    while let Some(chunk) = scene.next_chunk(1 << 16) {
        events.extend(wb.push(&chunk));
        if wb.active_channels().iter().any(|a| a.arfcn == 871) && events.is_empty() {
            tried_early = true;
        }
    }
    events.extend(wb.finish().0);
    assert!(tried_early, "the noise carrier was never tried");
    let appear = (APPEAR_S * RATE) as u64;
    let first_block = events
        .iter()
        .filter_map(|(a, e)| match e {
            GsmEvent::Block(b) if *a == 871 => Some(b.first_sample),
            _ => None,
        })
        .min()
        .expect("the blaster was never decoded");
    assert!(
        first_block >= appear && first_block < appear + (0.7 * RATE) as u64,
        "first block at {:.2} s, blaster on at {APPEAR_S} s",
        first_block as f64 / RATE
    );
    // Its system information comes out as gr-gsm decoded it.
    check_cell(
        &events,
        871,
        "osmocom_blaster_234-15_gsm900_arfcn62.truth.json",
        appear,
    );
}
