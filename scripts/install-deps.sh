#!/bin/bash
# Install what lynccheck needs to build, test and run its lab on Debian 12.
# Idempotent: installs only what is missing; runs apt-get update only then.
set -euo pipefail

packages=(
    # build
    gcc make autoconf automake pkg-config
    libcurl4-openssl-dev libc-ares-dev libssl-dev libjansson-dev libxml2-dev libinih-dev
    # tests
    check libxml2-utils jq locales python3-jsonschema valgrind time
    # the HTML report's browser test (tests/report-html.test): print to PDF, read it back
    chromium poppler-utils fonts-dejavu-core
    # fuzzing (scripts/fuzz.sh): clang-14 and its libFuzzer / sanitizer runtimes
    clang libclang-rt-14-dev
    # the lab (tests/lab/lab.sh): real servers on loopback
    knot knot-dnsutils
)

SUDO=()
if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "install-deps: run as root (or install sudo)" >&2; exit 1; }
    SUDO=(sudo)
fi

missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "install-deps: installing ${missing[*]}"
    "${SUDO[@]}" apt-get update -qq
    "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The JUnit/JSON writers are tested under a locale whose decimal separator
# is a comma; generate one so that test really runs.
# (grep without -q: under pipefail, -q leaving early can kill locale -a
# with SIGPIPE and fail the pipeline though the locale is there.)
if ! locale -a 2>/dev/null | grep -i '^de_DE\.utf-\?8$' >/dev/null; then
    if [ -f /etc/locale.gen ]; then
        "${SUDO[@]}" sed -i 's/^# *\(de_DE.UTF-8 UTF-8\)/\1/' /etc/locale.gen
        "${SUDO[@]}" locale-gen >/dev/null 2>&1 || echo "install-deps: locale-gen failed (locale test will skip)" >&2
    fi
fi
