#![no_main]
//! Fuzz target `nmea_track`: arbitrary bytes into `cellsentry_fuzz_entry::geo::nmea_track`.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| cellsentry_fuzz_entry::geo::nmea_track(data));
