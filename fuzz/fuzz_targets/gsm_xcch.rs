#![no_main]
//! Fuzz target `gsm_xcch`: arbitrary bytes into `cellsentry_fuzz_entry::gsm::xcch`.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| cellsentry_fuzz_entry::gsm::xcch(data));
