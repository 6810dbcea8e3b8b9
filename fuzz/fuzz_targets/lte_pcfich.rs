#![no_main]
//! Fuzz target `lte_pcfich`: arbitrary bytes into `cellsentry_fuzz_entry::lte::pcfich`.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| cellsentry_fuzz_entry::lte::pcfich(data));
