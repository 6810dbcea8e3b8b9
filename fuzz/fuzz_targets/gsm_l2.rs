#![no_main]
//! Fuzz target `gsm_l2`: arbitrary bytes into `cellsentry_fuzz_entry::gsm::l2_block`.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| cellsentry_fuzz_entry::gsm::l2_block(data));
