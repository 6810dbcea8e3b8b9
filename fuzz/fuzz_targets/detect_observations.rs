#![no_main]
//! Fuzz target `detect_observations`: arbitrary bytes into `cellsentry_fuzz_entry::detect::observations`.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| cellsentry_fuzz_entry::detect::observations(data));
