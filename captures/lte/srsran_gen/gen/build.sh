#!/bin/sh
# Builds lte_dl_gen and lte_dl_check against a built srsRAN 4G tree.
#   SRSRAN_SRC   = srsRAN_4G source checkout
#   SRSRAN_BUILD = its CMake build directory (after `make srsran_phy`)
set -e
: "${SRSRAN_SRC:?set SRSRAN_SRC}"
: "${SRSRAN_BUILD:?set SRSRAN_BUILD}"
for prog in lte_dl_gen lte_dl_check; do
  gcc -O2 -std=gnu99 -Wall -I"$SRSRAN_SRC/lib/include" -I"$SRSRAN_BUILD/lib/include" \
    "$(dirname "$0")/$prog.c" -o "$prog" \
    "$SRSRAN_BUILD/lib/src/phy/libsrsran_phy.a" -lfftw3f -lm -lpthread -lstdc++
done
