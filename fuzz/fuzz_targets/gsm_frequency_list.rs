#![no_main]
//! Fuzz target `gsm_frequency_list`: arbitrary bytes into `cellsentry_fuzz_entry::gsm::frequency_list`.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| cellsentry_fuzz_entry::gsm::frequency_list(data));
