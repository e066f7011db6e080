#!/usr/bin/env bash
# Wrap "dist/Crisp Console.app" (made by packaging/build.py on macOS) into a compressed .dmg:
#   packaging/macos/build_dmg.sh 0.1.0     -> dist/crisp-console-0.1.0-macos.dmg
# Sign and notarize first when a Developer ID is available (packaging/macos/README.md).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
VERSION="${1:?usage: build_dmg.sh VERSION}"
APP="$ROOT/dist/Crisp Console.app"
DMG="$ROOT/dist/crisp-console-$VERSION-macos.dmg"
[ -d "$APP" ] || { echo "build_dmg: $APP is missing; run packaging/build.py first" >&2; exit 1; }
stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
cp -R "$APP" "$stage/"
ln -s /Applications "$stage/Applications"   # drag-to-install
rm -f "$DMG"
hdiutil create -volname "Crisp Console $VERSION" -srcfolder "$stage" -fs HFS+ \
  -format UDZO -ov "$DMG"
echo "build_dmg: $DMG"
