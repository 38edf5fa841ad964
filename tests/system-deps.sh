#!/usr/bin/env bash
# The system programs the tests start or use, installed from Debian's packages when missing
# (only then: nothing is downloaded when everything is there). Run as root, as CI does; anyone
# else is told what to install, and the tests that need a missing program say so when skipped.
# Add a line to WANTED for each new service or tool the tests need: "command package".
set -euo pipefail

WANTED=(
  "initdb postgresql"        # a throwaway PostgreSQL for the store's tests (initdb, pg_ctl)
  "pdftoppm poppler-utils"   # PDF pages as pictures and text, to check the client sheet
  "chromium chromium"        # the browser tests of imbalance serve (headless, through Selenium)
  "chromedriver chromium-driver"
)

have() {
  command -v "$1" >/dev/null 2>&1 || compgen -G "/usr/lib/postgresql/*/bin/$1" >/dev/null
}

missing=()
for line in "${WANTED[@]}"; do
  read -r cmd pkg <<<"$line"
  have "$cmd" || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing test prerequisites: ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "note: ${missing[*]} not installed (needs root: apt-get install ${missing[*]});" \
       "the tests that use them will be skipped" >&2
fi
