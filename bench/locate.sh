#!/usr/bin/env bash
# Accuracy of `cellsentry locate` against the weighted centroid (figures in bench/LOCATING.md).
#  1. measurement level: the synth drive model (log-distance loss, correlated shadowing, Doppler
#     fading, receiver noise) over SEEDS seeds and every geometry of the drive_bench example;
#  2. through the real receiver: IQ_SEEDS drive scenes rendered by `cellsentry synth`, replayed
#     with their GPS track (NMEA) so the powers are the GSM receiver's own, then `locate`.
# Not part of CI (minutes of CPU). Usage: bash bench/locate.sh [SEEDS] [IQ_SEEDS] [IQ_FIRST]
# (IQ_FIRST: the first IQ seed, to continue an earlier run.)
set -euo pipefail
cd "$(dirname "$0")/.."
SEEDS=${1:-100}
IQ_SEEDS=${2:-5}
IQ_FIRST=${3:-0}
TARGET=${CARGO_TARGET_DIR:-target}
cargo build --release -q -p cellsentry -p cellsentry-locate --examples --bins
BIN=$TARGET/release/cellsentry
EX=$TARGET/release/examples

echo "## Measurement level, $SEEDS seeds per geometry"
echo
nice "$EX/drive_bench" "$SEEDS" --csv "${TMPDIR:-/tmp}/locate_seeds.csv"
echo
echo "## Through the real receiver (L-shaped drive passing at 150 m, $IQ_SEEDS seeds)"
echo
echo "| seed | exponent | shadowing dB | locate error m | 95 % radius m | centroid error m | observations |"
echo "|---|---|---|---|---|---|---|"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for seed in $(seq "$IQ_FIRST" $((IQ_FIRST + IQ_SEEDS - 1))); do
    d="$work/s$seed"
    "$EX/drive_scene" "$seed" 150 "$d" l
    start=$(python3 -c "import json;print(json.load(open('$d/truth.json'))['recording_start'])")
    nice "$BIN" synth "$d/scene.json" -o "$d/scene.sigmf-meta" >/dev/null
    nice "$BIN" replay "$d/scene.sigmf-meta" --track "$d/track.nmea" --start "$start" \
        --db "$d/db.sqlite" -q --json >/dev/null
    "$BIN" locate --db "$d/db.sqlite" --json >"$d/locate.json" || true
    rm -f "$d/scene.sigmf-data"
    python3 - "$d" <<'PY'
import json, math, sys
d = sys.argv[1]
t = json.load(open(f"{d}/truth.json"))
cells = [c for c in json.load(open(f"{d}/locate.json"))["cells"] if c["estimate"]]
def dist(lat, lon):
    r = 6371008.8
    dn = math.radians(lat - t["tx_lat_deg"]) * r
    de = math.radians(lon - t["tx_lon_deg"]) * r * math.cos(math.radians(t["tx_lat_deg"]))
    return math.hypot(dn, de)
if not cells:
    print(f"| {t['seed']} | {t['exponent']:.2f} | {t['shadowing_db']:.1f} | no estimate | - | - | - |")
else:
    c = max(cells, key=lambda c: c["estimate"]["measurements"])
    e = c["estimate"]
    print(f"| {t['seed']} | {t['exponent']:.2f} | {t['shadowing_db']:.1f} | {dist(e['lat_deg'], e['lon_deg']):.0f} | "
          f"{e['radius95_m']:.0f} | {dist(*c['centroid']):.0f} | {e['measurements']} |")
PY
done
