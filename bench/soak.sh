#!/usr/bin/env bash
# Soak (issue #12 item 8): `monitor` on the simulated radio, paced at its sample rate, for
# SECONDS (default 3600): the SMS-blaster scene (2 Msps wideband GSM around 947.4 MHz) made as
# long as the soak. Samples the process's RSS every 60 s; at the end prints RSS at start (after
# 60 s) and end with the growth (goal <= 10 %), the database's size and its growth per hour,
# and the samples dropped (goal 0) from the run's own row.
# For 8 hours: `bench/soak.sh 28800` (about 1.3 GB of database: 166 MB per hour measured with
# 3 cells, each observed every 0.5 s, and every decoded message).
#
# Usage: bench/soak.sh [SECONDS] [WORK_DIR]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
SECS="${1:-3600}"
WORK="${2:-$(mktemp -d)}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"
# CELLSENTRY_BIN: a binary to soak instead of building one (a copy keeps rebuilds out of it).
if [ -z "${CELLSENTRY_BIN:-}" ]; then
  cargo build --release -q -p cellsentry --manifest-path "$root/Cargo.toml"
fi
BIN="${CELLSENTRY_BIN:-$CARGO_TARGET_DIR/release/cellsentry}"
python3 - "$root" "$WORK" "$SECS" <<'PY'
import json, sys
root, work, secs = sys.argv[1], sys.argv[2], float(sys.argv[3])
s = json.load(open(f"{root}/captures/scenarios/sms_blaster.json"))
s["duration_s"] = secs + 10
json.dump(s, open(f"{work}/soak.json", "w"))
PY
rm -f "$WORK/soak.sqlite"*
"$BIN" monitor --sim "$WORK/soak.json" --seconds "$SECS" --db "$WORK/soak.sqlite" \
  > "$WORK/out.txt" 2> "$WORK/err.txt" &
pid=$!
start=$(date +%s)
: > "$WORK/rss.txt"
while kill -0 "$pid" 2>/dev/null; do
  sleep 60
  rss=$(awk '/VmRSS/{print $2}' "/proc/$pid/status" 2>/dev/null || true)
  db=$(du -k "$WORK/soak.sqlite" 2>/dev/null | cut -f1 || echo 0)
  [ -n "$rss" ] && echo "$(( $(date +%s) - start )) $rss $db" >> "$WORK/rss.txt"
done
wait "$pid" || true
python3 - "$WORK/rss.txt" <<'PY'
import sys
rows = [tuple(map(float, l.split())) for l in open(sys.argv[1]) if l.strip()]
if len(rows) >= 2:
    (t0, r0, d0), (t1, r1, d1) = rows[0], rows[-1]
    print(f"RSS at {t0:.0f} s: {r0/1024:.1f} MB, at {t1:.0f} s: {r1/1024:.1f} MB "
          f"(growth {100 * (r1 - r0) / r0:.1f} %; max {max(r[1] for r in rows)/1024:.1f} MB)")
    print(f"database: {d1/1024:.1f} MB, {((d1 - d0) / 1024) / ((t1 - t0) / 3600):.1f} MB per hour")
PY
python3 - "$WORK/soak.sqlite" <<'PY'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
for row in c.execute("select status, round(signal_seconds), samples_read, samples_dropped from runs"):
    print("run: status %s, %s s of signal, %s samples read, %s dropped" % row)
print("alerts:", c.execute("select count(*) from alerts").fetchone()[0],
      "observations:", c.execute("select count(*) from observations").fetchone()[0],
      "messages:", c.execute("select count(*) from messages").fetchone()[0])
PY
