#!/bin/sh
# Fuzzes one target for a while at the lowest CPU priority and prints libFuzzer's final
# statistics (executions, coverage, features, corpus).
#   fuzz/run.sh TARGET [SECONDS] [extra libFuzzer flags...]
# Needs nightly Rust and cargo-fuzz (`cargo install cargo-fuzz`). New inputs go to
# fuzz/corpus/TARGET, crashes to fuzz/artifacts/TARGET. Scratch files (recordings written by
# the IQ targets) go to TMPDIR: point it at a tmpfs such as /dev/shm for speed.
set -eu
target=$1
seconds=${2:-1800}
shift $(( $# < 2 ? $# : 2 ))
cd "$(dirname "$0")"
mkdir -p "corpus/$target"
exec nice -n 19 cargo +nightly fuzz run --sanitizer none ${FUZZ_TARGET_DIR:+--target-dir "$FUZZ_TARGET_DIR"} \
    "$target" "corpus/$target" -- \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 "$@"
