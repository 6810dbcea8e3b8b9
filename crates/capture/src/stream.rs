//! Reading a source on its own thread, handing blocks over a bounded channel.
//!
//! The channel bound is what keeps memory constant: when the consumer (the DSP chain) is
//! slower than the disk, the reader blocks instead of queueing the whole file. Live radios get
//! the opposite benefit: the reader keeps draining the driver while the consumer catches up.

use std::thread::JoinHandle;

use crossbeam_channel::{bounded, Receiver};

use crate::{CaptureError, IqBlock, IqSource};

/// What the reader thread sends: a block, or the error that ended the stream.
pub type BlockResult = Result<IqBlock, CaptureError>;

/// Reads `source` in blocks of `block_len` samples on a new thread; at most `channel_depth`
/// blocks wait in the channel (both are raised to at least 1).
///
/// The thread ends after the end of the stream, after sending an error (a
/// [`CaptureError::Truncated`] comes after all the samples), or when the receiver is dropped.
/// Joining the handle gives the source back (e.g. to read its counters).
pub fn spawn_reader(
    mut source: Box<dyn IqSource>,
    block_len: usize,
    channel_depth: usize,
) -> (Receiver<BlockResult>, JoinHandle<Box<dyn IqSource>>) {
    let block_len = block_len.max(1);
    let (tx, rx) = bounded(channel_depth.max(1));
    // Like `std::thread::spawn`, this panics only if the OS cannot create a thread at all,
    // which is not an input error and leaves nothing sensible to do.
    let handle = std::thread::spawn(move || {
        loop {
            match source.read_block(block_len) {
                Ok(Some(block)) => {
                    if tx.send(Ok(block)).is_err() {
                        break;
                    }
                }
                Ok(None) => break,
                Err(e) => {
                    let _ = tx.send(Err(e));
                    break;
                }
            }
        }
        source
    });
    (rx, handle)
}
