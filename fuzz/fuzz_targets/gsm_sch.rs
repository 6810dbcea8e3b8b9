#![no_main]
//! Fuzz target `gsm_sch`: arbitrary bytes into `cellsentry_fuzz_entry::gsm::sch`.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| cellsentry_fuzz_entry::gsm::sch(data));
