#![no_main]
//! Fuzz target `lte_dlsch`: arbitrary bytes into `cellsentry_fuzz_entry::lte::dlsch`.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| cellsentry_fuzz_entry::lte::dlsch(data));
