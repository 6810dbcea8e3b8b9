#![no_main]
//! Fuzz target `iq_raw`: arbitrary bytes into `cellsentry_fuzz_entry::iq::raw`.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| cellsentry_fuzz_entry::iq::raw(data));
