#!/bin/sh
# Fuzzes targets one after the other (one core), each through run.sh (nice 19), and keeps each
# run's log for the figures of bench/FUZZING.md (fuzz/summary.sh reads them).
#   LOGDIR=DIR fuzz/campaign.sh TARGET:SECONDS [TARGET:SECONDS...]
# Start it twice with different targets to use a second idle core. A run that finds a crash
# stops early (libFuzzer's default); the next target starts anyway.
set -u
logdir=${LOGDIR:?set LOGDIR to a directory for the logs}
mkdir -p "$logdir"
here=$(dirname "$0")
for spec in "$@"; do
    target=${spec%%:*}
    seconds=${spec#*:}
    log="$logdir/$target.$(date -u +%Y%m%dT%H%M%SZ).log"
    echo "start $(date -u +%FT%TZ) $target ${seconds}s -> $log"
    "$here/run.sh" "$target" "$seconds" >"$log" 2>&1
    echo "end   $(date -u +%FT%TZ) $target exit $?"
done
