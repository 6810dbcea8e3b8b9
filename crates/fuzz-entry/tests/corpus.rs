//! Replays every committed fuzz input through the entry points on stable Rust: the minimised
//! corpus of each target (`fuzz/corpus/<target>/`) and every input that ever crashed a target
//! (`fuzz/regressions/<target>/`, kept forever). A panic names the target and the file.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

use cellsentry_fuzz_entry::TARGETS;

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz")
}

fn files(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut out: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .collect();
    out.sort();
    out
}

/// Runs each file of `kind/<target>/` through its target; returns (files run, failures).
fn replay(kind: &str) -> (usize, Vec<String>) {
    let mut run = 0;
    let mut failures = Vec::new();
    for (name, entry) in TARGETS {
        for path in files(&fuzz_dir().join(kind).join(name)) {
            let data = match std::fs::read(&path) {
                Ok(d) => d,
                // A fuzzer running on the same corpus replaces inputs by smaller ones as it
                // goes: a file listed a moment ago may be gone. Anything else is an error.
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                Err(e) => panic!("{}: {e}", path.display()),
            };
            run += 1;
            if catch_unwind(AssertUnwindSafe(|| entry(&data))).is_err() {
                failures.push(format!("{name}: {}", path.display()));
            }
        }
    }
    (run, failures)
}

#[test]
fn every_target_has_a_corpus_and_every_corpus_a_target() {
    for (name, _) in TARGETS {
        let n = files(&fuzz_dir().join("corpus").join(name)).len();
        assert!(n > 0, "fuzz/corpus/{name} is empty or missing");
    }
    for kind in ["corpus", "regressions"] {
        let Ok(dirs) = std::fs::read_dir(fuzz_dir().join(kind)) else {
            continue;
        };
        for d in dirs.filter_map(Result::ok).filter(|d| d.path().is_dir()) {
            let name = d.file_name().to_string_lossy().into_owned();
            assert!(
                cellsentry_fuzz_entry::entry(&name).is_some(),
                "fuzz/{kind}/{name} has no entry point"
            );
        }
    }
}

#[test]
fn corpus_replays_without_panic() {
    let (run, failures) = replay("corpus");
    assert!(run > 0);
    assert!(failures.is_empty(), "panicked on:\n{}", failures.join("\n"));
}

#[test]
fn past_crashes_stay_fixed() {
    let (_, failures) = replay("regressions");
    assert!(failures.is_empty(), "panicked on:\n{}", failures.join("\n"));
}
