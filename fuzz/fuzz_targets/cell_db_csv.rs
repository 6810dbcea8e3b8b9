#![no_main]
//! Fuzz target `cell_db_csv`: arbitrary bytes into `cellsentry_fuzz_entry::detect::cell_db_csv`.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| cellsentry_fuzz_entry::detect::cell_db_csv(data));
