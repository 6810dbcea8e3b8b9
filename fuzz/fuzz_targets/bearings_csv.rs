#![no_main]
//! Fuzz target `bearings_csv`: arbitrary bytes into `cellsentry_fuzz_entry::locate::bearings_csv`.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| cellsentry_fuzz_entry::locate::bearings_csv(data));
