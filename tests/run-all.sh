#!/usr/bin/env bash
# The project's whole test suite: unit tests, the real-capture cross-checks and the end-to-end
# runs of the binary, all in release mode with every feature (the `soapy` feature needs
# libsoapysdr-dev and libclang-dev; see the README).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo test --workspace --all-features --release "$@"
