//! Throughput of the DSP stages with a real-time goal: Welch spectrum, resamplers, and the
//! wideband GSM channel bank (20 Msps in, every 200 kHz channel out).
//!
//! Criterion reports elements/s = input samples/s; the real-time factor is that divided by the
//! input rate (printed once per channeliser case as well).

use std::time::Instant;

use cellsentry_dsp::bandplan::{gsm_channels_in_span, GsmBand};
use cellsentry_dsp::{
    ChannelBank, ChannelBankConfig, Resampler, ResamplerSpec, WelchAccumulator, WelchConfig,
    Window, GSM_4SPS_RATE_SPS,
};
use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use num_complex::Complex32;

/// CPU time of this thread in ns (Linux `/proc/thread-self/schedstat`), so the figures stay
/// meaningful on a machine busy with other work; `None` elsewhere.
fn thread_cpu_ns() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    s.split_whitespace().next()?.parse().ok()
}

/// Run `f` (which processes `samples` input samples) `reps` times and print throughput by
/// wall-clock and by thread CPU time, plus the real-time factor at `rate_sps`.
fn report(name: &str, samples: usize, rate_sps: f64, reps: usize, mut f: impl FnMut()) {
    f(); // warm-up: plans, first-touch of buffers
    let c0 = thread_cpu_ns();
    let t0 = Instant::now();
    for _ in 0..reps {
        f();
    }
    let wall = t0.elapsed().as_secs_f64();
    let cpu = match (c0, thread_cpu_ns()) {
        (Some(a), Some(b)) => (b - a) as f64 * 1e-9,
        _ => wall,
    };
    let n = (samples * reps) as f64;
    eprintln!(
        "REPORT {name}: {:.1} Msps by CPU time ({:.1} Msps wall), {:.2}x real time at {:.2} Msps on one core",
        n / cpu / 1e6,
        n / wall / 1e6,
        n / cpu / rate_sps,
        rate_sps / 1e6
    );
}

fn noise(n: usize) -> Vec<Complex32> {
    // Cheap deterministic pseudo-noise; the content does not change the work done.
    let mut s: u32 = 0x1234_5678;
    (0..n)
        .map(|_| {
            s ^= s << 13;
            s ^= s >> 17;
            s ^= s << 5;
            let a = (s & 0xffff) as f32 / 65536.0 - 0.5;
            let b = (s >> 16) as f32 / 65536.0 - 0.5;
            Complex32::new(a, b)
        })
        .collect()
}

fn welch(c: &mut Criterion) {
    let x = noise(1 << 20);
    let mut g = c.benchmark_group("welch");
    g.throughput(Throughput::Elements(x.len() as u64));
    for n in [1024usize, 4096] {
        for (name, overlap) in [("50pct", n / 2), ("0pct", 0)] {
            let cfg = WelchConfig::new(n)
                .with_window(Window::Hann)
                .with_overlap(overlap);
            let mut acc = WelchAccumulator::new(cfg).unwrap();
            report(
                &format!("welch fft{n} {name} overlap"),
                x.len(),
                20e6,
                10,
                || {
                    acc.reset();
                    acc.push(&x);
                },
            );
            g.bench_function(format!("fft{n}_{name}"), |b| {
                let mut acc = WelchAccumulator::new(cfg).unwrap();
                b.iter(|| {
                    acc.reset();
                    acc.push(black_box(&x));
                    black_box(acc.segments())
                })
            });
        }
    }
    g.finish();
}

fn resample(c: &mut Criterion) {
    let mut g = c.benchmark_group("resample");
    g.sample_size(10);
    let cases = [
        ("19.2M_to_1.92M", 19.2e6, 1.92e6),
        ("19.2M_to_30.72M", 19.2e6, 30.72e6),
        ("19.2M_to_23.04M", 19.2e6, 23.04e6),
        ("500k_to_gsm4sps", 500e3, GSM_4SPS_RATE_SPS),
        ("arbitrary_1M_to_1.0945M", 1e6, 1e6 / 0.9137),
    ];
    for (name, fin, fout) in cases {
        let x = noise(1 << 18);
        g.throughput(Throughput::Elements(x.len() as u64));
        let mut r = Resampler::new(fin, fout, &ResamplerSpec::default()).unwrap();
        let mut out = Vec::with_capacity(x.len() * 2);
        report(&format!("resample {name}"), x.len(), fin, 5, || {
            out.clear();
            r.process(&x, &mut out);
        });
        g.bench_function(name, |b| {
            let mut r = Resampler::new(fin, fout, &ResamplerSpec::default()).unwrap();
            let mut out = Vec::with_capacity(x.len() * 2);
            b.iter(|| {
                out.clear();
                r.process(black_box(&x), &mut out);
                black_box(out.len())
            })
        });
    }
    g.finish();
}

fn channel_bank(c: &mut Criterion) {
    let fs = 20e6;
    let center = 950e6;
    let freqs: Vec<f64> = gsm_channels_in_span(center, fs, &[GsmBand::PGsm900])
        .iter()
        .map(|c| c.dl_freq_hz)
        .collect();
    let x = noise(2_000_000); // 0.1 s at 20 Msps
    let mut g = c.benchmark_group("channel_bank_20Msps");
    g.sample_size(10);
    g.throughput(Throughput::Elements(x.len() as u64));
    for (name, out_rate) in [
        ("2x_400ksps", 400e3),
        ("4sps_1.0833Msps", GSM_4SPS_RATE_SPS),
    ] {
        let cfg = ChannelBankConfig::gsm(fs, center, &freqs, out_rate);
        let mut bank = ChannelBank::new(&cfg).unwrap();
        let mut outs = vec![Vec::with_capacity(250_000); freqs.len()];
        eprintln!(
            "channel bank {name}: {} channels, FFT {} / IFFT {} / hop {}",
            freqs.len(),
            bank.fft_size(),
            bank.channel_fft_size(),
            bank.hop()
        );
        report(&format!("channel bank {name}"), x.len(), fs, 3, || {
            for o in outs.iter_mut() {
                o.clear();
            }
            bank.process(&x, &mut outs).unwrap();
        });
        g.bench_function(format!("{}ch_{name}", freqs.len()), |b| {
            b.iter(|| {
                for o in outs.iter_mut() {
                    o.clear();
                }
                bank.process(black_box(&x), &mut outs).unwrap();
                black_box(outs[0].len())
            })
        });
    }
    g.finish();
}

criterion_group!(benches, welch, resample, channel_bank);
criterion_main!(benches);
