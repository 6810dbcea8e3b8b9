//! File ingestion throughput per sample format: open a 16 Mi-sample temporary recording and
//! read it to the end in 64 Ki-sample blocks (the file is in the page cache after the first
//! pass, so this measures our conversion and copying, not the disk).

use std::io::Write;
use std::path::Path;
use std::time::Duration;

use cellsentry_capture::{open_source, spawn_reader, OpenOptions, SampleFormat, ALL_FORMATS};
use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};

const SAMPLES: usize = 16 << 20;
const BLOCK: usize = 1 << 16;

fn make_file(dir: &Path, format: SampleFormat) -> std::path::PathBuf {
    let path = dir.join(format!("bench.{}", format.short_name()));
    let mut w = std::io::BufWriter::new(std::fs::File::create(&path).expect("create"));
    // A pseudo-random byte pattern (xorshift) so no conversion gets an easy constant input.
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    let mut chunk = vec![0u8; 1 << 20];
    let total = SAMPLES * format.bytes_per_sample();
    let mut written = 0;
    while written < total {
        for b in chunk.iter_mut() {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            *b = state as u8;
        }
        if format == SampleFormat::Cf32Le {
            // Keep floats finite: overwrite each exponent byte with a moderate one.
            for f in chunk.chunks_exact_mut(4) {
                f[3] = 0x3f;
            }
        }
        let n = chunk.len().min(total - written);
        w.write_all(&chunk[..n]).expect("write");
        written += n;
    }
    w.flush().expect("flush");
    path
}

fn read_through(path: &Path) -> f32 {
    let opts = OpenOptions {
        rate_hz: Some(1e6),
        ..Default::default()
    };
    let mut src = open_source(path, &opts).expect("open");
    let mut acc = 0.0f32;
    while let Some(b) = src.read_block(BLOCK).expect("read") {
        acc += b.samples[b.samples.len() / 2].re;
    }
    acc
}

fn ingest(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut group = c.benchmark_group("ingest");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3))
        .throughput(Throughput::Elements(SAMPLES as u64));
    for format in ALL_FORMATS {
        let path = make_file(dir.path(), format);
        group.bench_function(format.short_name(), |b| {
            b.iter(|| black_box(read_through(&path)))
        });
        if format == SampleFormat::Ci16Le {
            // The same file through the reader thread and bounded channel.
            group.bench_function("cs16_spawn_reader", |b| {
                b.iter(|| {
                    let opts = OpenOptions {
                        rate_hz: Some(1e6),
                        ..Default::default()
                    };
                    let src = open_source(&path, &opts).expect("open");
                    let (rx, h) = spawn_reader(src, BLOCK, 8);
                    let mut n = 0usize;
                    for blk in rx {
                        n += blk.expect("read").samples.len();
                    }
                    h.join().expect("join");
                    black_box(n)
                })
            });
        }
        std::fs::remove_file(&path).ok();
    }
    group.finish();
}

criterion_group!(benches, ingest);
criterion_main!(benches);
