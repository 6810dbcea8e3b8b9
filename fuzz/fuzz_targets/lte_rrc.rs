#![no_main]
//! Fuzz target `lte_rrc`: arbitrary bytes into `cellsentry_fuzz_entry::lte::rrc_bcch_dl_sch`.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| cellsentry_fuzz_entry::lte::rrc_bcch_dl_sch(data));
