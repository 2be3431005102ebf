#!/usr/bin/env bash
# Installs what Casefile needs to build, run and test, skipping what is already there.
#
#   scripts/install-deps.sh run    # what `make run` needs: the Tauri build deps
#   scripts/install-deps.sh test   # plus Xvfb, WebKitWebDriver, tauri-driver, a Python venv
#
# Safe to run again: every step checks first. Runs as root on the project's
# machines; elsewhere it uses sudo for apt-get.
set -euo pipefail

what="${1:-test}"
root="$(cd "$(dirname "$0")/.." && pwd)"

SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi

# Debian/Ubuntu packages. Tauri 2 on Linux builds against webkit2gtk 4.1.
run_pkgs=(pkg-config build-essential libwebkit2gtk-4.1-dev libgtk-3-dev libsoup-3.0-dev
          libjavascriptcoregtk-4.1-dev librsvg2-dev libssl-dev libxdo-dev xvfb xauth)
# age and unzip: the encryption and handover tests use the real age tools and unzip as outside
# readers. nodejs runs the UI's unit tests (node --test: catalogues, date parsing).
# libxml2-utils: xmllint checks that report.html is well-formed HTML in each language.
test_pkgs=(webkit2gtk-driver imagemagick libimage-exiftool-perl sqlite3 python3-venv age unzip nodejs
           libxml2-utils)

want=("${run_pkgs[@]}")
if [ "$what" = "test" ]; then want+=("${test_pkgs[@]}"); fi

missing=()
for p in "${want[@]}"; do
  # python3-venv is only needed when the system python lacks ensurepip.
  if [ "$p" = "python3-venv" ] && python3 -c 'import ensurepip, venv' 2>/dev/null; then continue; fi
  # Any node on the PATH will do (one installed outside Debian's packages included).
  if [ "$p" = "nodejs" ] && command -v node >/dev/null 2>&1; then continue; fi
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ "${#missing[@]}" -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -q
  $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
else
  echo "install-deps: system packages present"
fi

if [ "$what" = "test" ]; then
  # make test's gates: cargo fmt --check and cargo clippy (rustup's default profile has both).
  for component in rustfmt clippy; do
    if ! cargo "${component/rustfmt/fmt}" --version >/dev/null 2>&1; then
      echo "install-deps: rustup component add $component"
      rustup component add "$component" || { echo "install-deps: $component is missing and could not be added; install it with your Rust toolchain" >&2; exit 1; }
    fi
  done
  if ! command -v tauri-driver >/dev/null 2>&1 && [ ! -x "$HOME/.cargo/bin/tauri-driver" ]; then
    echo "install-deps: cargo install tauri-driver"
    cargo install tauri-driver --locked
  else
    echo "install-deps: tauri-driver present"
  fi

  venv="$root/target/venv"
  if [ ! -x "$venv/bin/bagit.py" ]; then
    echo "install-deps: creating $venv with the Library of Congress bagit validator"
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q --disable-pip-version-check bagit jsonschema
  else
    echo "install-deps: python venv present"
  fi
  "$venv/bin/python" -c 'import jsonschema' 2>/dev/null || "$venv/bin/pip" install -q --disable-pip-version-check jsonschema
  "$venv/bin/python" -c 'import pytest' 2>/dev/null || "$venv/bin/pip" install -q --disable-pip-version-check pytest
fi
