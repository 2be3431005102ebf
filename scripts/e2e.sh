#!/usr/bin/env bash
# Runs Casefile's end-to-end tests: the real app, driven through tauri-driver
# and WebKitWebDriver under a virtual X display.
#
#   scripts/e2e.sh                 # whole suite
#   scripts/e2e.sh -k restart      # extra arguments go to pytest
#
# Needs what `scripts/install-deps.sh test` installs (Xvfb, WebKitWebDriver,
# tauri-driver, the venv at target/venv). Screenshots (case-list.png and, for
# failed tests, a screenshot, the DOM and the app's log) land in tests/e2e/artifacts/.
# Set CASEFILE_APP to test another binary; SKIP_BUILD=1 skips the cargo build; E2E_VENV
# names another venv.
# Every library is encrypted: the tests type the test passphrase at the lock screen, and new
# key slots use a cheap key derivation (CASEFILE_KDF, set by conftest.py).
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
# Build outputs go to $CARGO_TARGET_DIR when it is set (conftest.py looks there too).
target="${CARGO_TARGET_DIR:-$root/target}"
venv="${E2E_VENV:-$root/target/venv}"

for tool in xvfb-run WebKitWebDriver; do
  command -v "$tool" >/dev/null || { echo "e2e: $tool missing; run scripts/install-deps.sh test" >&2; exit 2; }
done
if ! command -v tauri-driver >/dev/null && [ ! -x "$HOME/.cargo/bin/tauri-driver" ]; then
  echo "e2e: tauri-driver missing; run scripts/install-deps.sh test" >&2; exit 2
fi
if [ ! -x "$venv/bin/python" ]; then
  echo "e2e: $venv missing; run scripts/install-deps.sh test" >&2; exit 2
fi
if ! "$venv/bin/python" -c 'import pytest' 2>/dev/null; then
  echo "e2e: installing pytest into $venv"
  "$venv/bin/pip" install -q --disable-pip-version-check pytest
fi

if [ "${SKIP_BUILD:-0}" != "1" ] && [ -z "${CASEFILE_APP:-}" ]; then
  cargo build -p casefile-app -p casefile-bench
  # Helpers the tests run: a library as Casefile made them before encryption (test_lock.py),
  # SQL behind the app's back on an encrypted library (test_handover.py).
  cargo build -p casefile-app --examples
fi

# Start from an empty artifacts folder so what is there belongs to this run.
rm -rf tests/e2e/artifacts
mkdir -p tests/e2e/artifacts
# -a: pick a free display number; a real-size screen for the screenshots.
exec xvfb-run -a -s "-screen 0 1280x1024x24 -nolisten tcp" \
  "$venv/bin/python" -m pytest tests/e2e -v -p no:cacheprovider "$@"
