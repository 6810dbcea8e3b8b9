#![no_main]
//! Fuzz target `sigmf_meta`: arbitrary bytes into `cellsentry_fuzz_entry::iq::sigmf_meta`.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| cellsentry_fuzz_entry::iq::sigmf_meta(data));
