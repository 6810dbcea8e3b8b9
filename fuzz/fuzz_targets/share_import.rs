#![no_main]
//! Fuzz target `share_import`: arbitrary bytes into `cellsentry_fuzz_entry::share::import`.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| cellsentry_fuzz_entry::share::import(data));
