#![no_main]
//! Fuzz target `sigmf_archive`: arbitrary bytes into `cellsentry_fuzz_entry::iq::sigmf_archive`.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| cellsentry_fuzz_entry::iq::sigmf_archive(data));
