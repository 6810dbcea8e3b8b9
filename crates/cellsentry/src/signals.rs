//! SIGINT and SIGTERM end a run cleanly: the session stops reading, finishes its receivers,
//! commits what it decoded and marks the run `interrupted`; a sync stops between batches. A
//! second signal exits at once (code 130), for a user who really wants out.

use std::sync::atomic::AtomicBool;
use std::sync::{Arc, OnceLock};

static STOP: OnceLock<Arc<AtomicBool>> = OnceLock::new();

/// The flag the signals set.
pub fn stop_flag() -> &'static AtomicBool {
    STOP.get_or_init(|| Arc::new(AtomicBool::new(false)))
}

/// The same flag, shared (for libraries that take an `Arc`).
pub fn stop_handle() -> Arc<AtomicBool> {
    STOP.get_or_init(|| Arc::new(AtomicBool::new(false)))
        .clone()
}

/// Installs the handlers (once; later calls do nothing).
pub fn install() {
    static INSTALLED: OnceLock<()> = OnceLock::new();
    INSTALLED.get_or_init(|| {
        let flag = STOP
            .get_or_init(|| Arc::new(AtomicBool::new(false)))
            .clone();
        for sig in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
            // A second signal while the first is being handled: exit now.
            let _ = signal_hook::flag::register_conditional_shutdown(sig, 130, flag.clone());
            let _ = signal_hook::flag::register(sig, flag.clone());
        }
    });
}
