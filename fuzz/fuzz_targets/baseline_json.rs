#![no_main]
//! Fuzz target `baseline_json`: arbitrary bytes into `cellsentry_fuzz_entry::detect::baseline_json`.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| cellsentry_fuzz_entry::detect::baseline_json(data));
