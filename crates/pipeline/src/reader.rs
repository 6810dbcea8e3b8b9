//! The session's reader: the source is read on its own thread into a bounded queue, so a
//! radio is drained while the receivers decode. When decoding falls behind, a live reader
//! drops what the queue cannot hold and counts it (a radio cannot wait; the samples are gone
//! either way, and counting them keeps time true); a file reader waits instead. A scan's
//! steps (retunes) are made here, between blocks, so no block mixes two frequencies.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use cellsentry_capture::{CaptureError, IqBlock, IqSource};
use crossbeam_channel::{bounded, Receiver, RecvTimeoutError, TrySendError};

/// What the reader hands over.
pub enum ReaderItem {
    Block(IqBlock),
    /// The stream ended.
    End,
    /// The stream failed (after every sample before the failure was handed over).
    Error(CaptureError),
}

/// A source being read on its own thread.
pub struct Reader {
    rx: Receiver<ReaderItem>,
    stop: Arc<AtomicBool>,
    dropped: Arc<AtomicU64>,
    handle: Option<JoinHandle<()>>,
}

impl Reader {
    /// Starts reading `source` in blocks of `block_samples`; at most `depth` blocks wait.
    /// `steps`: centre frequencies to visit, `dwell_s` seconds of signal each (scan).
    pub fn spawn(
        mut source: Box<dyn IqSource>,
        block_samples: usize,
        depth: usize,
        live: bool,
        steps: Vec<f64>,
        dwell_s: f64,
    ) -> Reader {
        let (tx, rx) = bounded(depth.max(1));
        let stop = Arc::new(AtomicBool::new(false));
        let dropped = Arc::new(AtomicU64::new(0));
        let (stop2, dropped2) = (stop.clone(), dropped.clone());
        let rate = source.info().sample_rate_hz.max(1.0);
        let handle = std::thread::spawn(move || {
            let mut step = 0usize;
            let mut step_start: Option<u64> = None;
            // Samples dropped by this queue; added to every later block's count.
            let mut queue_dropped = 0u64;
            loop {
                if stop2.load(Ordering::Relaxed) {
                    break;
                }
                let block = match source.read_block(block_samples.max(1)) {
                    Ok(Some(b)) => b,
                    Ok(None) => {
                        let _ = tx.send(ReaderItem::End);
                        break;
                    }
                    Err(e) => {
                        let _ = tx.send(ReaderItem::Error(e));
                        break;
                    }
                };
                if block.samples.is_empty() {
                    // A live radio that delivered nothing for a while: check for shutdown.
                    continue;
                }
                if !steps.is_empty() {
                    let start = *step_start.get_or_insert(block.first_sample);
                    if (block.first_sample - start.min(block.first_sample)) as f64 / rate >= dwell_s
                    {
                        step += 1;
                        let Some(f) = steps.get(step) else {
                            let _ = tx.send(ReaderItem::End);
                            break;
                        };
                        if let Err(e) = source.retune(*f) {
                            let _ = tx.send(ReaderItem::Error(e));
                            break;
                        }
                        step_start = None;
                        // The block read before the retune belongs to the old frequency.
                        continue;
                    }
                }
                let mut block = block;
                block.dropped_total += queue_dropped;
                let item = ReaderItem::Block(block);
                if live {
                    match tx.try_send(item) {
                        Ok(()) => {}
                        Err(TrySendError::Full(ReaderItem::Block(b))) => {
                            queue_dropped += b.samples.len() as u64;
                            dropped2
                                .store(b.dropped_total + b.samples.len() as u64, Ordering::Relaxed);
                        }
                        Err(_) => break,
                    }
                } else if tx.send(item).is_err() {
                    break;
                }
            }
        });
        Reader {
            rx,
            stop,
            dropped,
            handle: Some(handle),
        }
    }

    /// The next item, or `None` when nothing came within `timeout`.
    pub fn next(&self, timeout: Duration) -> Option<ReaderItem> {
        match self.rx.recv_timeout(timeout) {
            Ok(item) => Some(item),
            Err(RecvTimeoutError::Timeout) => None,
            Err(RecvTimeoutError::Disconnected) => Some(ReaderItem::End),
        }
    }

    /// Stops the thread (the source is dropped there, releasing a radio) and gives the number
    /// of samples dropped in all (source overflows and queue).
    pub fn shutdown(mut self) -> u64 {
        self.stop.store(true, Ordering::Relaxed);
        // Unblock a sender waiting on a full queue.
        while self.rx.try_recv().is_ok() {}
        drop(std::mem::replace(&mut self.rx, crossbeam_channel::never()));
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
        self.dropped.load(Ordering::Relaxed)
    }
}
