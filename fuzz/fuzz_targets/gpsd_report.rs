#![no_main]
//! Fuzz target `gpsd_report`: arbitrary bytes into `cellsentry_fuzz_entry::geo::gpsd_report`.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| cellsentry_fuzz_entry::geo::gpsd_report(data));
