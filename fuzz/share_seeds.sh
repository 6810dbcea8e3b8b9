#!/bin/sh
# Writes the seeds of the `share_import` target: the MISP events (one per run and one per
# cell) and the STIX 2.1 bundle that `cellsentry export` makes of replays of the two Osmocom
# recordings in captures/osmocom/ (one a blaster, one a default-configured osmo-bts).
#   fuzz/share_seeds.sh [PATH-TO-cellsentry]   (default: cellsentry on PATH)
set -eu
cli=${1:-cellsentry}
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# Both are 1 083 333.33 samples/s complex int16 with the carrier at 0 Hz (PROVENANCE.md).
d=captures/osmocom
"$cli" replay -q --db "$work/db.sqlite" --rate 1083333.33 --freq 947.4e6 \
    "$d/osmocom_blaster_234-15_gsm900_arfcn62.cs16" >/dev/null || [ $? -eq 10 ]
"$cli" replay -q --db "$work/db.sqlite" --rate 1083333.33 --freq 1877.0e6 \
    "$d/osmocom_default_dcs1800_arfcn871.cs16" >/dev/null || [ $? -eq 10 ]
out=fuzz/corpus/share_import
mkdir -p "$out"
"$cli" export --db "$work/db.sqlite" --format misp --per run -o "$out/seed-osmocom-misp"
"$cli" export --db "$work/db.sqlite" --format misp --per cell -o "$out/seed-osmocom-misp-per-cell"
"$cli" export --db "$work/db.sqlite" --format stix -o "$out/seed-osmocom-stix"
