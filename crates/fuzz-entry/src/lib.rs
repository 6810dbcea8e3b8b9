//! Fuzzing entry points: each function feeds arbitrary bytes to one parser or decoder that reads
//! input an adversary controls (a recording handed over by someone else, a fake base station's
//! broadcast, an imported cell database, a shared baseline or scenario) and returns nothing.
//!
//! They must never panic, whatever the bytes: a panic here is a bug in the library under test
//! (or a broken invariant the entry point checks, such as "what we write we can read back").
//!
//! The same functions are driven two ways:
//! * by `cargo fuzz` (nightly, coverage guided) from the `fuzz/` directory at the repository
//!   root, one target per entry of [`TARGETS`];
//! * by the ordinary test suite (`tests/corpus.rs`), which replays every committed corpus and
//!   regression file through them on stable Rust, so every input that ever crashed stays covered.
//!
//! Input layouts are chosen so the fuzzer can reach deep code: a leading control byte picks the
//! variant (sample format, logical channel, cell bandwidth, ...) and the rest is the payload.

pub mod detect;
pub mod geo;
pub mod gsm;
pub mod iq;
pub mod locate;
pub mod lte;
pub mod scenario;
pub mod share;
mod soft;

/// An entry point: arbitrary bytes in, nothing out, never panics.
pub type Entry = fn(&[u8]);

/// Every entry point by its fuzz target name (the `fuzz/fuzz_targets/<name>.rs` file and the
/// `fuzz/corpus/<name>/` directory).
pub const TARGETS: &[(&str, Entry)] = &[
    ("iq_raw", iq::raw),
    ("sigmf_meta", iq::sigmf_meta),
    ("sigmf_recording", iq::sigmf_recording),
    ("sigmf_archive", iq::sigmf_archive),
    ("gsm_l2", gsm::l2_block),
    ("gsm_frequency_list", gsm::frequency_list),
    ("gsm_sch", gsm::sch),
    ("gsm_xcch", gsm::xcch),
    ("lte_rrc", lte::rrc_bcch_dl_sch),
    ("lte_pbch", lte::pbch),
    ("lte_pcfich", lte::pcfich),
    ("lte_dci", lte::dci),
    ("lte_dlsch", lte::dlsch),
    ("cell_db_csv", detect::cell_db_csv),
    ("baseline_json", detect::baseline_json),
    ("detect_observations", detect::observations),
    ("scenario_json", scenario::scenario_json),
    ("gpx_track", geo::gpx_track),
    ("nmea_track", geo::nmea_track),
    ("gpsd_report", geo::gpsd_report),
    ("bearings_csv", locate::bearings_csv),
    ("share_import", share::import),
];

/// The entry point of a target name.
pub fn entry(name: &str) -> Option<Entry> {
    TARGETS.iter().find(|(n, _)| *n == name).map(|(_, f)| *f)
}
