#!/usr/bin/env bash
# Real-time factor of the LTE receiver on one core.
#
# 1. Cell search + MIB at 1.92 Msps: the streaming scanner (`CellScanner`, as replay/monitor run
#    it: a window every 0.5 s, a blind sweep every 10 s, tracking windows in between) over
#    - synthetic continuous streams (bench/scenes, rendered by `cellsentry synth`): one cell, and
#      two co-sited cells, 20 s, 25 ppm LO error;
#    - real RTL-SDR captures looped to 60 s (they are whole numbers of radio frames, so the
#      timing loops without a jump; the SFN does jump at each seam, which defeats the scanner's
#      one-hypothesis PBCH decoding for known cells and makes these runs pessimistic);
#    - the real noise-only capture looped to 60 s (no cell ever: every window is blind, the
#      costliest case).
# 2. SI decoding (PCFICH, PDCCH, PDSCH, turbo, SIB bytes) of a 10 MHz cell at 15.36 Msps over
#    2 s of synthetic signal.
#
# Usage: bench/lte_scan_speed.sh   Env: WORK (scratch dir), SECONDS_REAL (default 60).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
WORK="${WORK:-$(mktemp -d)}"
SECONDS_REAL="${SECONDS_REAL:-60}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"
cargo build --release -q --manifest-path "$root/Cargo.toml" -p cellsentry \
  -p cellsentry-lte --example scan_stream --example sib
cargo build --release -q --manifest-path "$root/Cargo.toml" -p cellsentry
EX="$CARGO_TARGET_DIR/release/examples"
CLI="$CARGO_TARGET_DIR/release/cellsentry"
for s in lte_1p92_one_cell lte_1p92_two_cells lte_15p36_si; do
  "$CLI" synth "$here/scenes/$s.json" -o "$WORK/$s.sigmf-meta" >/dev/null
done
echo "== cell search + MIB, 1.92 Msps (streaming scanner)"
for s in lte_1p92_one_cell lte_1p92_two_cells; do
  echo "-- $s (synthetic, continuous, 20 s)"
  "$EX/scan_stream" "$WORK/$s.sigmf-data" cf32 1.92e6 1815.3e6 20
done
L="$root/captures/lte"
while read -r file fmt fc; do
  echo "-- $file (real, looped to $SECONDS_REAL s)"
  "$EX/scan_stream" "$L/$file" "$fmt" 1.92e6 "$fc" "$SECONDS_REAL"
done <<LIST
f806_s1.92_cu8_rtlsdr_80ms.bin cu8 806e6
f1860_s1.92_cu8_rtlsdr_240ms.bin cu8 1860e6
f2645_s1.92_cu8_rtlsdr_tdd_ppm26_300ms.bin cu8 2645e6
f2646_s1.92_cs8_hackrf_noise_200ms.bin cs8 2646e6
LIST
echo "== SI decoding, 10 MHz cell at 15.36 Msps (2 s, synthetic)"
"$EX/sib" "$WORK/lte_15p36_si.sigmf-data" cf32 15.36e6 | grep -v '^  SFN'
