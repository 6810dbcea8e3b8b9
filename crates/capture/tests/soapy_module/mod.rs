//! Builds the `cellsentry_test` SoapySDR module (`cellsentry_test.cpp`, see README.md) for the
//! tests: g++ against libSoapySDR (flags from pkg-config), once per source version, into the
//! test target's scratch folder. Shared by the capture and CLI tests (`#[path]`-included).

use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The module's C++ source, compiled into the test so the copy built is the one reviewed.
const SOURCE: &str = include_str!("cellsentry_test.cpp");

/// SoapySDR driver name of the module.
pub const DRIVER: &str = "cellsentry_test";

/// Builds the module (if this source was not built yet) under `scratch` and returns the
/// folder to give SoapySDR in SOAPY_SDR_PLUGIN_PATH: it holds the module and nothing else.
/// Panics with the compiler's message if it cannot be built.
pub fn build(scratch: &Path) -> PathBuf {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    SOURCE.hash(&mut hasher);
    let dir = scratch.join(format!("soapy_module-{:016x}", hasher.finish()));
    let plugins = dir.join("plugins");
    let module = plugins.join("libcellsentry_test.so");
    if module.exists() {
        return plugins;
    }
    std::fs::create_dir_all(&plugins).expect("create the module folder");
    let source = dir.join("cellsentry_test.cpp");
    std::fs::write(&source, SOURCE).expect("write the module source");

    let flags = Command::new("pkg-config")
        .args(["--cflags", "--libs", "SoapySDR"])
        .output()
        .expect("pkg-config runs (Debian: apt install pkg-config)");
    assert!(
        flags.status.success(),
        "pkg-config finds no SoapySDR (Debian: apt install libsoapysdr-dev): {}",
        String::from_utf8_lossy(&flags.stderr)
    );
    let flags = String::from_utf8_lossy(&flags.stdout).into_owned();
    let flags: Vec<&str> = flags.split_whitespace().collect();
    let cxx = std::env::var("CXX").unwrap_or_else(|_| "g++".to_string());
    // Built beside the final name and renamed, so a concurrent test never loads half a file.
    let partial = dir.join(format!("libcellsentry_test.so.{}", std::process::id()));
    let out = Command::new(&cxx)
        .args(["-std=c++14", "-O2", "-Wall", "-Wextra", "-shared", "-fPIC"])
        .arg(&source)
        .arg("-o")
        .arg(&partial)
        .args(&flags)
        .output()
        .unwrap_or_else(|e| panic!("{cxx} runs (Debian: apt install g++): {e}"));
    assert!(
        out.status.success(),
        "{cxx} cannot build the SoapySDR test module: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::rename(&partial, &module).expect("move the module into place");
    plugins
}
