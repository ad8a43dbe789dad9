#!/bin/sh
# Prints the path of a usable Chromium on stdout (progress and errors go to stderr).
#
#   1. $CHROMIUM_PATH, if set (must be an executable file);
#   2. /usr/bin/chromium, if present;
#   3. otherwise, when running as root on a machine with apt-get, installs
#      Debian's `chromium` package (measured: ~70 s on 2 cores, ~125 packages,
#      ~350 MB; CI can pre-install it once instead);
#   4. otherwise exits 1, saying how to install it.
#
# Used by test/integration/temporalUi.test.ts and usable by hand:
#   CHROMIUM=$(sh scripts/ensure-chromium.sh)
# Browsers downloaded by `npx playwright install` do not work here (no access
# to their download hosts); the tests use playwright-core with this browser.
set -eu

if [ -n "${CHROMIUM_PATH:-}" ]; then
  if [ -x "$CHROMIUM_PATH" ] && [ -f "$CHROMIUM_PATH" ]; then
    echo "$CHROMIUM_PATH"
    exit 0
  fi
  echo "ensure-chromium: CHROMIUM_PATH=$CHROMIUM_PATH is not an executable file" >&2
  exit 1
fi

if [ -x /usr/bin/chromium ]; then
  echo /usr/bin/chromium
  exit 0
fi

if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  # Two test files may ask at once on a fresh machine: one installs, the other waits for it
  # (a second apt-get would fail on dpkg's lock).
  if command -v flock >/dev/null 2>&1; then
    exec 9>/tmp/railbook-ensure-chromium.lock
    flock 9
    if [ -x /usr/bin/chromium ]; then
      echo /usr/bin/chromium
      exit 0
    fi
  fi
  echo "ensure-chromium: installing Debian's chromium package (about a minute)..." >&2
  if DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2 \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >&2 \
    && [ -x /usr/bin/chromium ]; then
    echo "ensure-chromium: installed $(/usr/bin/chromium --version 2>/dev/null || echo chromium)" >&2
    echo /usr/bin/chromium
    exit 0
  fi
  echo "ensure-chromium: apt-get install chromium failed (see the output above)" >&2
  exit 1
fi

cat >&2 <<'EOF'
ensure-chromium: no Chromium found.
  Install Debian's package:  sudo apt-get update && sudo apt-get install -y chromium
  (on Ubuntu: a Chromium that is not a snap, or Google Chrome), or point
  CHROMIUM_PATH at an existing Chromium/Chrome binary, e.g.
  CHROMIUM_PATH=/usr/bin/google-chrome npm test
EOF
exit 1
