#!/usr/bin/env bash
# Prepare a fresh machine: the system libraries Qt needs, a virtual environment, the package.
# Safe to run again: each step is skipped when already done. Sourced by test.sh and demo.sh:
# SETUP_FOR=demo installs what the console needs, SETUP_FOR=test (the default) adds the test
# tools (the node client is test.sh's own).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${CRISP_VENV:-$ROOT/.venv}"
PYTHON="${PYTHON:-python3}"
SETUP_FOR="${SETUP_FOR:-test}"

# Qt's xcb/offscreen plugins need these even headless (stack-check.md section 3); Xvfb and
# xauth run the real-window tests; xkb data and fonts make text render.
APT_PACKAGES=(libgl1 libegl1 libx11-6 libx11-xcb1 libdbus-1-3 libfontconfig1 libfreetype6
  libxkbcommon0 libxkbcommon-x11-0 libglib2.0-0 libbrotli1 fonts-dejavu-core
  libxcb1 libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-randr0
  libxcb-render-util0 libxcb-render0 libxcb-shape0 libxcb-shm0 libxcb-sync1 libxcb-util1
  libxcb-xfixes0 libxcb-xkb1
  # Colour emoji in visitors' messages (Qt falls back to it by itself; DejaVu shows boxes).
  fonts-noto-color-emoji
  # Time-zone rules for zoneinfo: reminder presets keep 9:00 across daylight-saving changes.
  tzdata)
# The tests' own tools: nothing the demo needs.
TEST_APT_PACKAGES=(xvfb xauth
  # A real Secret Service (GNOME Keyring on a private D-Bus session) for the keyring test.
  dbus dbus-user-session gnome-keyring libsecret-tools
  # A real notification daemon (no tray) on a private bus, for the desktop notification test.
  dunst
  # The packaging test: packaging/build.py (.deb checks) and packaging/test_deb.sh (chroot).
  debootstrap desktop-file-utils appstream)
[ "$SETUP_FOR" = demo ] || APT_PACKAGES+=("${TEST_APT_PACKAGES[@]}")

missing=()
if command -v dpkg-query >/dev/null 2>&1; then
  for pkg in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" \
      || missing+=("$pkg")
  done
fi
if ((${#missing[@]})); then
  echo "setup: installing system packages: ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null
fi

"$PYTHON" - <<'PY'
import sys
if sys.version_info < (3, 11):
    sys.exit(f"setup: Python 3.11 or newer is needed, this is {sys.version.split()[0]}")
PY

if [ ! -x "$VENV/bin/python" ]; then
  echo "setup: creating $VENV"
  "$PYTHON" -m venv "$VENV"
fi
# Reinstall only when the dependency list changed, or when the tests need their tools and
# only the demo's were installed. The stamp holds the pyproject hash and "demo" or "test".
stamp="$VENV/.crisp-console-installed"
want="$(sha256sum "$ROOT/pyproject.toml" | cut -d' ' -f1)"
have="$(cat "$stamp" 2>/dev/null || true)"
if [ "$have" != "$want test" ] && { [ "$SETUP_FOR" != demo ] || [ "$have" != "$want demo" ]; }; then
  if [ "$SETUP_FOR" = demo ]; then
    echo "setup: installing crisp-console into $VENV"
    extras="" check="import crisp_console, PySide6, qasync"
  else
    echo "setup: installing crisp-console and its test tools into $VENV"
    extras="[dev,package]" check="import crisp_console, PySide6, qasync, crisp_api"
  fi
  "$VENV/bin/python" -m pip install -q --upgrade pip 2>&1 | grep -v "is ignored" || true
  "$VENV/bin/python" -m pip install -q -e "$ROOT$extras" 2>&1 | grep -v "is ignored" || true
  "$VENV/bin/python" -c "$check" || { echo "setup: installation failed" >&2; exit 1; }
  echo "$want $SETUP_FOR" > "$stamp"
fi
