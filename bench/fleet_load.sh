#!/usr/bin/env bash
# Fleet load test (not run in CI): 50 simulated sensors with an hour of monitor data each sync
# at once into one private PostgreSQL + PostGIS server on this machine. Prints the figures
# recorded in bench/FLEET.md. Needs Debian's postgresql and postgresql-15-postgis-3.
#   bash bench/fleet_load.sh [WORK_DIR] [SENSORS] [MINUTES] [CELLS]
# Runs under nice 19 (FLEET_NICE=0 on an otherwise idle machine): the machine is shared.
set -euo pipefail
cd "$(dirname "$0")/.."
work="${1:-$(mktemp -d)}"
sensors="${2:-50}"
minutes="${3:-60}"
cells="${4:-8}"
cargo build --release -p cellsentry -p cellsentry-fleet --example fleet_load
target="${CARGO_TARGET_DIR:-target}"
nice -n "${FLEET_NICE:-19}" "$target/release/examples/fleet_load" "$target/release/cellsentry" "$work" \
    "$sensors" "$minutes" "$cells"
