#![no_main]
//! Fuzz target `lte_dci`: arbitrary bytes into `cellsentry_fuzz_entry::lte::dci`.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| cellsentry_fuzz_entry::lte::dci(data));
