#!/usr/bin/env bash
# Memory of a replay of a recording far larger than memory (issue #12 item 4, #16): the shared
# Osmocom blaster recording (10.2 MB of cs16 at 1.083 Msps) concatenated GB_TARGET times over
# (default 1000 copies: 10.2 GB, 2350 s... 39 min of signal), replayed into a SQLite store while
# the process's RSS is sampled every 2 s. Prints RSS at start (after 5 s) and at the end, its
# maximum, the run's status and row counts. Optionally under a virtual-memory limit
# (LIMIT_MB=1024 runs it under `ulimit -v`), as the hardening issue asks.
#
# Usage: bench/replay_memory.sh [COPIES] [WORK_DIR]   (needs ~10.2 GB free per 1000 copies)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
COPIES="${1:-1000}"
WORK="${2:-$(mktemp -d)}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"
if [ -z "${CELLSENTRY_BIN:-}" ]; then
  cargo build --release -q -p cellsentry --manifest-path "$root/Cargo.toml"
fi
BIN="${CELLSENTRY_BIN:-$CARGO_TARGET_DIR/release/cellsentry}"
SRC="$root/captures/osmocom/osmocom_blaster_234-15_gsm900_arfcn62.cs16"
BIG="$WORK/big_947.4M_1.08333333Msps.cs16"
if [ ! -f "$BIG" ] || [ "$(stat -c %s "$BIG")" -ne $(( $(stat -c %s "$SRC") * COPIES )) ]; then
  rm -f "$BIG"
  for _ in $(seq "$COPIES"); do cat "$SRC"; done > "$BIG"
fi
echo "recording: $(du -h "$BIG" | cut -f1), $(python3 -c "print(round($(stat -c %s "$BIG")/4/1083333.33))") s of signal"
rm -f "$WORK/m.sqlite"*
LIMIT="${LIMIT_MB:-}"
start=$(date +%s.%N)
( if [ -n "$LIMIT" ]; then ulimit -v $(( LIMIT * 1024 )); fi
  exec "$BIN" replay "$BIG" --rate 1083333.33 --freq 947.4e6 --db "$WORK/m.sqlite" -q ) \
  > "$WORK/out.txt" 2> "$WORK/err.txt" &
pid=$!
: > "$WORK/rss.txt"
while kill -0 "$pid" 2>/dev/null; do
  t=$(python3 -c "import time;print(round(time.time()-$start,1))")
  rss=$(awk '/VmRSS/{print $2}' "/proc/$pid/status" 2>/dev/null || true)
  [ -n "$rss" ] && echo "$t $rss" >> "$WORK/rss.txt"
  sleep 2
done
wait "$pid" && rc=0 || rc=$?
end=$(date +%s.%N)
python3 - "$WORK/rss.txt" "$rc" "$start" "$end" <<'PY'
import sys
rows = [tuple(map(float, l.split())) for l in open(sys.argv[1]) if l.strip()]
rc, start, end = int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
early = [r for r in rows if r[0] >= 5] or rows
print(f"exit {rc}, wall {end - start:.0f} s")
if rows:
    print(f"RSS at 5 s: {early[0][1] / 1024:.1f} MB; at the end: {rows[-1][1] / 1024:.1f} MB; "
          f"max: {max(r[1] for r in rows) / 1024:.1f} MB ({len(rows)} samples)")
PY
sqlite3 "$WORK/m.sqlite" "select status, samples_read, round(signal_seconds), samples_dropped from runs; \
  select count(*) || ' observations' from observations; select count(*) || ' messages' from messages;" 2>/dev/null \
  || echo "(sqlite3 not installed: row counts skipped)"
tail -2 "$WORK/err.txt"
