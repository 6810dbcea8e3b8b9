#!/bin/sh
# Minimises the corpus of each named target (all targets when none is named) with
# `cargo fuzz cmin`, at the lowest CPU priority, keeping the hand-made seeds (`seed-*`, which
# document where fuzzing started) whatever their coverage. fuzz/regressions/ is never touched.
#   fuzz/cmin.sh [TARGET...]
# Scratch files go to TMPDIR (point it at a tmpfs such as /dev/shm).
set -eu
cd "$(dirname "$0")"
[ $# -gt 0 ] || set -- $(ls corpus)
keep=$(mktemp -d)
trap 'rm -rf "$keep"' EXIT
for target in "$@"; do
    before=$(ls "corpus/$target" | wc -l)
    mkdir -p "$keep/$target"
    find "corpus/$target" -maxdepth 1 -name 'seed-*' -exec cp {} "$keep/$target/" \;
    nice -n 19 cargo +nightly fuzz cmin --sanitizer none \
        ${FUZZ_TARGET_DIR:+--target-dir "$FUZZ_TARGET_DIR"} "$target" "corpus/$target" \
        -- -timeout=10 -rss_limit_mb=2048 >"$keep/$target.log" 2>&1 ||
        { tail -n 20 "$keep/$target.log"; exit 1; }
    for seed in "$keep/$target"/seed-*; do
        [ -e "$seed" ] || continue
        # libFuzzer names a kept input by the SHA-1 of its bytes: drop that copy of a seed.
        rm -f "corpus/$target/$(sha1sum "$seed" | cut -d' ' -f1)"
        cp "$seed" "corpus/$target/"
    done
    echo "$target: $before -> $(ls "corpus/$target" | wc -l) files"
done
