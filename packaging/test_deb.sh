#!/usr/bin/env bash
# Install the .deb into a clean Debian and run its smoke test there, offscreen and under Xvfb.
#
#   sudo packaging/test_deb.sh [path/to/crisp-console_VERSION_amd64.deb]
#
# Builds the .deb first when none is given and dist/ has none for pyproject's version. The
# clean system is a `debootstrap --variant=minbase` chroot of this machine's Debian release,
# made once and cached as a tarball (CRISP_CHROOT_CACHE, default /var/cache/crisp-console-test);
# every run unpacks a fresh copy, so nothing of an earlier run is seen. Downloaded packages and
# apt's lists are cached there too. Needs root, debootstrap, and the Debian mirror.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="${CRISP_CHROOT_CACHE:-/var/cache/crisp-console-test}"
MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
SUITE="$(. /etc/os-release && echo "$VERSION_CODENAME")"
PY="${CRISP_VENV:-$ROOT/.venv}/bin/python"
t_start=$(date +%s.%N)
say() { printf 'test_deb: %s\n' "$*"; }
since() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1fs", b - a }'; }

[ "$(id -u)" -eq 0 ] || { say "needs root (debootstrap, chroot, mount)"; exit 2; }
command -v debootstrap >/dev/null || { say "apt-get install debootstrap"; exit 2; }

deb="${1:-}"
if [ -z "$deb" ]; then
  version="$("$PY" -c 'import tomllib; print(tomllib.load(open("'"$ROOT"'/pyproject.toml", "rb"))["project"]["version"])')"
  deb="$ROOT/dist/crisp-console_${version}_amd64.deb"
  if [ ! -f "$deb" ]; then
    say "building $deb"
    "$PY" "$ROOT/packaging/build.py"
  fi
fi
deb="$(realpath "$deb")"
say "package $(basename "$deb") ($(du -h "$deb" | cut -f1))"

base="$CACHE/$SUITE-minbase.tar"
mkdir -p "$CACHE/apt-archives/partial" "$CACHE/apt-lists/partial"
if [ ! -f "$base" ]; then
  t=$(date +%s.%N)
  say "debootstrap --variant=minbase $SUITE (once; cached as $base)"
  tmp="$CACHE/$SUITE-minbase.tmp"
  rm -rf "$tmp"
  debootstrap --variant=minbase "$SUITE" "$tmp" "$MIRROR" >"$CACHE/debootstrap.log" 2>&1 \
    || { tail -20 "$CACHE/debootstrap.log"; exit 1; }
  tar -C "$tmp" -cf "$base.new" . && mv "$base.new" "$base" && rm -rf "$tmp"
  say "debootstrap took $(since "$t")"
fi

work="$(mktemp -d /var/tmp/crisp-deb-test.XXXXXX)"
root="$work/root"
mounts=()
cleanup() {
  local i
  for ((i = ${#mounts[@]} - 1; i >= 0; i--)); do
    umount "${mounts[i]}" 2>/dev/null || umount -l "${mounts[i]}" 2>/dev/null || true
  done
  # Only delete once nothing is mounted below it any more.
  if ! grep -q " $work/" /proc/mounts; then rm -rf "$work"; else say "left $work (still mounted)"; fi
}
trap cleanup EXIT INT TERM
bind() { mkdir -p "$root$2"; mount "${@:3}" --bind "$1" "$root$2"; mounts+=("$root$2"); }

t=$(date +%s.%N)
mkdir -p "$root"
tar -C "$root" -xf "$base"
mount -t proc proc "$root/proc"; mounts+=("$root/proc")
mount -t sysfs sysfs "$root/sys"; mounts+=("$root/sys")
bind /dev /dev
bind /dev/pts /dev/pts
bind "$CACHE/apt-archives" /var/cache/apt/archives
bind "$CACHE/apt-lists" /var/lib/apt/lists
cp /etc/resolv.conf "$root/etc/resolv.conf"
cp "$deb" "$root/tmp/"
say "fresh chroot in $(since "$t")"

in_root() { chroot "$root" /usr/bin/env -i HOME=/root TERM=dumb \
  PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin "$@"; }

t=$(date +%s.%N)
in_root apt-get update -qq
in_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
  "/tmp/$(basename "$deb")" xvfb xauth >"$work/apt.log" 2>&1 || { tail -30 "$work/apt.log"; exit 1; }
say "apt install ./$(basename "$deb") xvfb xauth: $(grep -c '^Setting up' "$work/apt.log") packages in $(since "$t")"

for f in /usr/bin/crisp-console /usr/share/applications/crisp-console.desktop \
    /usr/share/icons/hicolor/scalable/apps/crisp-console.svg \
    /usr/share/icons/hicolor/48x48/apps/crisp-console.png \
    /usr/share/metainfo/io.github.crisp_console.crisp_console.metainfo.xml \
    /usr/share/fonts/truetype/noto/NotoColorEmoji.ttf; do
  [ -e "$root$f" ] || { say "FAILED: $f is not installed"; exit 1; }
done

# Start-up: the bundle's interpreter alone, and the time until the smoke test's window shows.
t=$(date +%s.%N)
in_root crisp-console --version >/dev/null
say "start-up: crisp-console --version in $(since "$t")"

run_smoke() {  # $1: label; the rest: the command inside the chroot
  local label="$1" t0 rc=0
  shift
  t0=$(date +%s.%N)
  in_root "$@" >"$work/smoke.out" 2>"$work/smoke.err" || rc=$?
  sed 's/^/    /' "$work/smoke.out"
  if [ "$rc" -ne 0 ]; then
    say "FAILED: smoke test ($label), rc=$rc"; sed 's/^/    stderr: /' "$work/smoke.err" | tail -30
    exit 1
  fi
  if grep -qi "locale" "$work/smoke.err"; then
    say "FAILED: locale warning ($label)"; cat "$work/smoke.err"; exit 1
  fi
  say "smoke test ($label) passed in $(since "$t0")"
}
run_smoke offscreen crisp-console --smoke-test
run_smoke "xcb on Xvfb" xvfb-run -a -s "-screen 0 1280x800x24" \
  env QT_QPA_PLATFORM=xcb crisp-console --smoke-test
grep -q "platform xcb" "$work/smoke.out" || { say "FAILED: not on xcb"; exit 1; }

in_root env DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq crisp-console >/dev/null
[ ! -e "$root/opt/crisp-console" ] && [ ! -e "$root/usr/bin/crisp-console" ] \
  || { say "FAILED: purge left files behind"; exit 1; }
say "purge removes it cleanly"
say "passed in $(since "$t_start")"
