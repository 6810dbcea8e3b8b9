#![no_main]
//! Fuzz target `gpx_track`: arbitrary bytes into `cellsentry_fuzz_entry::geo::gpx_track`.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| cellsentry_fuzz_entry::geo::gpx_track(data));
