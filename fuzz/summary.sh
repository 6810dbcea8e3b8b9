#!/bin/sh
# One line per libFuzzer log: target, wall seconds, executions, exec/s, final cov and ft,
# corpus (files/bytes) at the end, and whether the run stopped on a crash.
#   fuzz/summary.sh LOG...
printf '%-20s %6s %10s %7s %6s %6s %-14s %s\n' target secs execs exec/s cov ft corpus crash
for f in "$@"; do
    t=$(basename "$f" | cut -d. -f1)
    secs=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$f" | tail -n 1)
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$f" | tail -n 1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$f" | tail -n 1)
    last=$(grep -E '^#[0-9]+.*cov: [0-9]+ ft: [0-9]+ corp: ' "$f" | tail -n 1)
    cov=$(echo "$last" | sed -n 's/.*cov: \([0-9]*\).*/\1/p')
    ft=$(echo "$last" | sed -n 's/.* ft: \([0-9]*\).*/\1/p')
    corp=$(echo "$last" | sed -n 's/.* corp: \([^ ]*\).*/\1/p')
    crash=no
    grep -qE 'deadly signal|panicked at|ERROR: libFuzzer' "$f" && crash=yes
    printf '%-20s %6s %10s %7s %6s %6s %-14s %s\n' "$t" "${secs:--}" "${execs:--}" \
        "${rate:--}" "${cov:--}" "${ft:--}" "${corp:--}" "$crash"
done
