//! Streaming a large recording through `spawn_reader`: every sample arrives in order, and the
//! live heap stays bounded by the channel depth, not by the file size. The heap is measured by
//! a counting global allocator, so this file holds a single test (no other test's allocations
//! can mix in).

use std::alloc::{GlobalAlloc, Layout, System};
use std::io::Write;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use cellsentry_capture::{open_source, spawn_reader, OpenOptions};
use num_complex::Complex32;

struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = System.alloc(layout);
        if !p.is_null() {
            let now = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(now, Ordering::Relaxed);
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout);
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

/// cu8 sample k carries k in its two bytes: I = k mod 256, Q = (k / 256) mod 256.
fn expected(k: u64) -> Complex32 {
    let i = (k & 0xff) as f32;
    let q = ((k >> 8) & 0xff) as f32;
    Complex32::new((i - 127.5) / 128.0, (q - 127.5) / 128.0)
}

#[test]
fn large_file_streams_in_order_with_bounded_memory() {
    const N: u64 = 16 << 20; // 16 Mi samples: 32 MiB on disk, 128 MiB decoded.
    const BLOCK: usize = 1 << 16;
    const DEPTH: usize = 4;

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big_2Msps.cu8");
    {
        let mut w = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
        let mut chunk = Vec::with_capacity(1 << 20);
        for k in 0..N {
            chunk.push((k & 0xff) as u8);
            chunk.push(((k >> 8) & 0xff) as u8);
            if chunk.len() == chunk.capacity() {
                w.write_all(&chunk).unwrap();
                chunk.clear();
            }
        }
        w.write_all(&chunk).unwrap();
    }

    let source = open_source(&path, &OpenOptions::default()).unwrap();
    assert_eq!(source.info().total_samples, Some(N));
    let base = LIVE.load(Ordering::Relaxed);
    PEAK.store(base, Ordering::Relaxed);

    let (rx, handle) = spawn_reader(source, BLOCK, DEPTH);
    assert_eq!(rx.capacity(), Some(DEPTH));
    // Let the reader run ahead: it must stop at DEPTH queued blocks.
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(rx.len(), DEPTH, "the channel bound holds the reader back");

    let mut next = 0u64;
    let mut blocks = 0usize;
    for block in &rx {
        let block = block.unwrap();
        assert_eq!(block.first_sample, next);
        assert_eq!(block.dropped_total, 0);
        for (j, s) in block.samples.iter().enumerate() {
            let k = next + j as u64;
            assert_eq!(*s, expected(k), "sample {k}");
        }
        next += block.samples.len() as u64;
        blocks += 1;
    }
    let _source = handle.join().unwrap();
    assert_eq!(next, N);
    assert_eq!(blocks, (N as usize).div_ceil(BLOCK));

    let peak = PEAK.load(Ordering::Relaxed) - base;
    let block_bytes = BLOCK * std::mem::size_of::<Complex32>();
    // Queued blocks + the one being filled + the one being checked + the reader's byte buffer
    // and thread stack bookkeeping; the decoded file is 128 MiB.
    let bound = (DEPTH + 3) * block_bytes + (1 << 20);
    println!(
        "peak live heap while streaming {} MiB decoded: {:.2} MiB (bound {:.2} MiB)",
        (N as usize * 8) >> 20,
        peak as f64 / (1 << 20) as f64,
        bound as f64 / (1 << 20) as f64
    );
    assert!(peak < bound, "peak heap {peak} B exceeds {bound} B");
}
