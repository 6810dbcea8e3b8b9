#![no_main]
//! Fuzz target `scenario_json`: arbitrary bytes into `cellsentry_fuzz_entry::scenario::scenario_json`.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| cellsentry_fuzz_entry::scenario::scenario_json(data));
