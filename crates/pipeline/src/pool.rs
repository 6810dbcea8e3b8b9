//! The receivers of a session on all cores: each receiver runs on its own thread and sees every
//! block (shared, not copied); the session collects each block's events receiver by receiver,
//! in the receivers' order, so the output is exactly that of running them one after the other
//! on one thread. A few blocks may be in flight, so a slow receiver (wideband GSM, the LTE SI
//! chain) and a fast one overlap instead of waiting for each other.

use std::collections::VecDeque;
use std::sync::Arc;
use std::thread::JoinHandle;

use cellsentry_capture::IqBlock;
use crossbeam_channel::{bounded, Receiver as ChanRx, Sender};

use crate::receiver::{Receiver, RxEvent};

enum Job {
    Block(Arc<IqBlock>),
    Finish,
}

pub(crate) struct Worker {
    jobs: Sender<Job>,
    events: ChanRx<Vec<RxEvent>>,
    handle: Option<JoinHandle<()>>,
}

/// Receivers run inline (one thread) or on workers (one thread each).
pub(crate) enum ReceiverPool {
    Inline(Vec<Box<dyn Receiver>>),
    Threads {
        workers: Vec<Worker>,
        /// Blocks handed out whose events are not collected yet.
        in_flight: VecDeque<()>,
        depth: usize,
    },
}

impl ReceiverPool {
    /// `threads`: run each receiver on its own thread, with up to `depth` blocks in flight.
    pub(crate) fn new(receivers: Vec<Box<dyn Receiver>>, threads: bool, depth: usize) -> Self {
        if !threads || receivers.len() < 2 {
            return ReceiverPool::Inline(receivers);
        }
        let depth = depth.max(1);
        let workers = receivers
            .into_iter()
            .map(|mut rx| {
                let (jobs, job_rx) = bounded::<Job>(depth + 1);
                let (ev_tx, events) = bounded::<Vec<RxEvent>>(depth + 1);
                let handle = std::thread::spawn(move || {
                    for job in job_rx {
                        let mut out = Vec::new();
                        match job {
                            Job::Block(b) => rx.push(&b, &mut out),
                            Job::Finish => rx.finish(&mut out),
                        }
                        if ev_tx.send(out).is_err() {
                            break;
                        }
                    }
                });
                Worker {
                    jobs,
                    events,
                    handle: Some(handle),
                }
            })
            .collect();
        ReceiverPool::Threads {
            workers,
            in_flight: VecDeque::new(),
            depth,
        }
    }

    /// Hands a block to every receiver; appends the events of the blocks whose turn it is (all
    /// of them inline; the oldest when too many are in flight).
    pub(crate) fn push(&mut self, block: IqBlock, out: &mut Vec<RxEvent>) {
        match self {
            ReceiverPool::Inline(rxs) => {
                for rx in rxs {
                    rx.push(&block, out);
                }
            }
            ReceiverPool::Threads {
                workers,
                in_flight,
                depth,
            } => {
                let block = Arc::new(block);
                for w in workers.iter() {
                    // A worker that died (it panicked) has no events to give; the others go on.
                    let _ = w.jobs.send(Job::Block(block.clone()));
                }
                in_flight.push_back(());
                while in_flight.len() > *depth {
                    collect_one(workers, out);
                    in_flight.pop_front();
                }
            }
        }
    }

    /// Collects everything in flight, finishes every receiver and appends their last events.
    pub(crate) fn finish(&mut self, out: &mut Vec<RxEvent>) {
        match self {
            ReceiverPool::Inline(rxs) => {
                for rx in rxs.iter_mut() {
                    rx.finish(out);
                }
                rxs.clear();
            }
            ReceiverPool::Threads {
                workers, in_flight, ..
            } => {
                while in_flight.pop_front().is_some() {
                    collect_one(workers, out);
                }
                for w in workers.iter() {
                    let _ = w.jobs.send(Job::Finish);
                }
                collect_one(workers, out);
                for w in workers.iter_mut() {
                    // Closing the job channel ends the thread.
                    let (closed, _) = bounded::<Job>(0);
                    drop(std::mem::replace(&mut w.jobs, closed));
                    if let Some(h) = w.handle.take() {
                        let _ = h.join();
                    }
                }
                workers.clear();
            }
        }
    }
}

/// The events of the oldest block in flight, receiver by receiver.
fn collect_one(workers: &[Worker], out: &mut Vec<RxEvent>) {
    for w in workers {
        if let Ok(mut ev) = w.events.recv() {
            out.append(&mut ev);
        }
    }
}

impl Drop for ReceiverPool {
    fn drop(&mut self) {
        if let ReceiverPool::Threads { workers, .. } = self {
            for w in workers.iter_mut() {
                let (closed, _) = bounded::<Job>(0);
                drop(std::mem::replace(&mut w.jobs, closed));
                if let Some(h) = w.handle.take() {
                    let _ = h.join();
                }
            }
        }
    }
}
