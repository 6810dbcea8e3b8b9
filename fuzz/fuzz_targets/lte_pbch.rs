#![no_main]
//! Fuzz target `lte_pbch`: arbitrary bytes into `cellsentry_fuzz_entry::lte::pbch`.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| cellsentry_fuzz_entry::lte::pbch(data));
