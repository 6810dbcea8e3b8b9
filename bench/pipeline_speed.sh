#!/usr/bin/env bash
# Whole-process replay speed and memory of the pipeline on this machine (issue #12, item 5):
# the mixed LTE + DCS1800 scene (legitimate_urban_mixed.json at 15.36 Msps) and a 20 Msps
# GSM-only band (eight GSM900 cells), each rendered to SigMF (ci16) for SECONDS of signal, then
# replayed into a SQLite store: wall clock, real-time factor and peak RSS (/usr/bin/time), once
# with every receiver on one thread (CELLSENTRY_THREADS=1) and once on all cores; the verdicts
# and cells of both runs must be identical.
# Goal: >= 3x real time and RSS < 100 MB for both scenes on a 2-core machine.
#
# Usage: bench/pipeline_speed.sh [SECONDS]   (default 20; needs /usr/bin/time, python3)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
SECONDS_SIGNAL="${1:-20}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"
if [ -z "${CELLSENTRY_BIN:-}" ]; then
  cargo build --release -q -p cellsentry --manifest-path "$root/Cargo.toml"
fi
BIN="${CELLSENTRY_BIN:-$CARGO_TARGET_DIR/release/cellsentry}"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

python3 - "$root" "$WORK" "$SECONDS_SIGNAL" <<'PY'
import json, sys, copy
root, work, secs = sys.argv[1], sys.argv[2], float(sys.argv[3])
mixed = json.load(open(f"{root}/captures/scenarios/legitimate_urban_mixed.json"))
mixed["duration_s"] = secs
json.dump(mixed, open(f"{work}/mixed.json", "w"))
# 20 Msps around 945 MHz (935-955 MHz: E/P-GSM900 ARFCN 0-100): the three legitimate GSM900
# cells of the street scene, repeated on further channels with their own identities.
street = json.load(open(f"{root}/captures/scenarios/legitimate_urban_gsm.json"))
gsm900 = [c for c in street["cells"] if c.get("arfcn", 999) < 125]
band = copy.deepcopy(street)
band.update(name="gsm900_band_20msps", sample_rate_hz=20_000_000, center_freq_hz=945e6,
            duration_s=secs, format="ci16_le")
cells = []
for i, arfcn in enumerate([3, 14, 27, 40, 59, 64, 66, 88]):
    c = copy.deepcopy(gsm900[i % len(gsm900)])
    c["arfcn"] = arfcn
    c["gsm"]["ci"] = 30000 + i
    c["gsm"]["bsic"] = (c["gsm"]["bsic"] + i) % 64
    c["gsm"]["neighbours"] = [a for a in [3, 14, 27, 40, 59, 64, 66, 88] if a != arfcn][:4]
    cells.append(c)
band["cells"] = cells
json.dump(band, open(f"{work}/band.json", "w"))
PY

printf '| scene | rate | threads | signal s | wall s | real-time factor | CPU s (user+sys) | peak RSS MB |\n|---|---|---|---|---|---|---|---|\n'
for scene in mixed band; do
  "$BIN" synth "$WORK/$scene.json" -o "$WORK/$scene.sigmf-meta" >/dev/null
  rate=$(python3 -c "import json;print(json.load(open('$WORK/$scene.json'))['sample_rate_hz']/1e6)")
  for threads in 1 all; do
    env_threads=""
    [ "$threads" = 1 ] && env_threads="CELLSENTRY_THREADS=1"
    rm -f "$WORK/$scene.sqlite"
    env $env_threads /usr/bin/time -f "%e %M %U %S" -o "$WORK/time" \
      "$BIN" replay "$WORK/$scene.sigmf-meta" --db "$WORK/$scene.sqlite" --json -q \
      > "$WORK/$scene.$threads.json"
    read -r wall rss_kb user_s sys_s < "$WORK/time"
    python3 - "$SECONDS_SIGNAL" "$wall" "$rss_kb" "$user_s" "$sys_s" "$scene" "$rate" "$threads" <<'PY'
import sys
secs, wall, rss, user, sys_s = float(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5])
scene, rate, threads = sys.argv[6:]
print(f"| {scene} | {rate} Msps | {threads} | {secs:.0f} | {wall:.2f} | {secs / wall:.2f}x | {user + sys_s:.1f} | {rss / 1024:.0f} |")
PY
  done
  python3 - "$WORK/$scene.1.json" "$WORK/$scene.all.json" <<'PY'
import json, sys
a, b = (json.loads(open(p).readline()) for p in sys.argv[1:])
strip = lambda v: json.dumps({"verdicts": [(x["key"], x["verdict"]["level"], sorted(d["rule_id"] for d in x["verdict"]["detections"])) for x in v["verdicts"]],
                              "gsm": [(c["arfcn"], c["measurement"]["blocks_ok"], len(c["messages"])) for c in v["result"]["gsm"]],
                              "lte": [(c["detection"]["pci"], c["windows_seen"]) for c in v["result"]["lte"]]}, sort_keys=True)
print("  one thread and all cores give the same cells and verdicts:", strip(a) == strip(b))
PY
done
