#!/usr/bin/env bash
# The project's whole test suite: unit tests, the real-capture cross-checks and the end-to-end
# runs of the binary, all in release mode.
#
# The `soapy` feature (live radios; its tests drive a SoapySDR device module we build) needs
# system packages: libSoapySDR with its headers, libclang (bindgen) and g++. When they are
# missing this script installs them (Debian/Ubuntu, apt-get as root or through password-less
# sudo; set CELLSENTRY_NO_INSTALL=1 to never install) and otherwise runs everything else with a
# note: a missing system library is never a build failure. Extra arguments go to `cargo test`.
set -euo pipefail
cd "$(dirname "$0")/.."

SOAPY_PACKAGES="pkg-config libsoapysdr-dev libclang-dev g++"

has_libclang() {
    [ -n "${LIBCLANG_PATH:-}" ] && return 0
    local cache
    cache=$(ldconfig -p 2>/dev/null || /sbin/ldconfig -p 2>/dev/null || true)
    grep -q 'libclang[-.0-9]*\.so' <<<"$cache" && return 0
    compgen -G '/usr/lib/llvm-*/lib/libclang*.so*' >/dev/null
}

soapy_ready() {
    command -v pkg-config >/dev/null && pkg-config --exists SoapySDR && has_libclang &&
        command -v "${CXX:-g++}" >/dev/null
}

install_soapy_packages() {
    [ "${CELLSENTRY_NO_INSTALL:-0}" = 1 ] && return 1
    command -v apt-get >/dev/null || return 1
    local sudo=""
    if [ "$(id -u)" != 0 ]; then
        # -n: never ask for a password; without password-less sudo we just do not install.
        sudo -n true 2>/dev/null || return 1
        sudo="sudo -n"
    fi
    echo "== installing $SOAPY_PACKAGES (for the soapy feature)"
    export DEBIAN_FRONTEND=noninteractive
    $sudo apt-get update -q >/dev/null &&
        $sudo apt-get install -y -q --no-install-recommends $SOAPY_PACKAGES >/dev/null
}

# The sharing tests check the MISP/STIX exports with the official validators (from PyPI; not
# installed here: .ci/run does it). Say so up front rather than let them fail unexplained.
# The real parts other tests use (each Debian package, installed when this script may, as for
# the soapy feature; otherwise a note names the tests that need it): the HTML report in
# headless Chromium, a private PostgreSQL + PostGIS cluster (those tests skip without it), the
# gpsd daemon through gpsfake, libfaketime for a clock stepped back (skips without it).
OTHER_PACKAGES="chromium postgresql postgresql-15-postgis-3 openssl gpsd gpsd-clients faketime"
missing_other() {
    local m=""
    command -v chromium >/dev/null || m="$m chromium"
    compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || m="$m postgresql"
    compgen -G '/usr/share/postgresql/*/extension/postgis.control' >/dev/null ||
        m="$m postgresql-15-postgis-3"
    command -v gpsfake >/dev/null || m="$m gpsd-clients"
    [ -x /usr/sbin/gpsd ] || command -v gpsd >/dev/null || m="$m gpsd"
    command -v faketime >/dev/null || m="$m faketime"
    echo "$m"
}
if [ -n "$(missing_other)" ] && [ "${CELLSENTRY_NO_INSTALL:-0}" != 1 ] && command -v apt-get >/dev/null &&
    { [ "$(id -u)" = 0 ] || sudo -n true 2>/dev/null; }; then
    sudo=""
    [ "$(id -u)" = 0 ] || sudo="sudo -n"
    echo "== installing$(missing_other) (for the report, fleet, gpsd and clock tests)"
    export DEBIAN_FRONTEND=noninteractive
    $sudo apt-get update -q >/dev/null &&
        $sudo apt-get install -y -q --no-install-recommends $OTHER_PACKAGES >/dev/null || true
fi
still_missing="$(missing_other)"
if [ -n "$still_missing" ]; then
    echo "note: missing$still_missing: the HTML report test (chromium) and the gpsd tests (gpsd," \
        "gpsd-clients) will fail; the fleet (postgresql) and clock (faketime) tests skip." \
        "Debian: sudo apt-get install -y $OTHER_PACKAGES" >&2
fi

if ! python3 -c "import pymisp, stix2validator" 2>/dev/null; then
    echo "note: python3 with pymisp and stix2-validator is missing: the sharing tests (crates/cellsentry/tests/share.rs) will fail;" \
        "install them: python3 -m pip install pymisp stix2-validator" >&2
fi

if soapy_ready || { install_soapy_packages && soapy_ready; }; then
    cargo test --workspace --all-features --release "$@"
else
    echo "note: the soapy feature (live radios) is NOT tested: it needs $SOAPY_PACKAGES" >&2
    echo "note: install them (Debian: sudo apt-get install -y $SOAPY_PACKAGES) and run again" >&2
    cargo test --workspace --release "$@"
    echo "note: every test passed except the soapy feature's, which did not run (see above)" >&2
fi
