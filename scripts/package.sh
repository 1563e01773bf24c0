#!/usr/bin/env bash
# Builds the TwinSeek .deb with CPack, installs it (apt resolves the Debian dependencies) and checks that the
# installed `twinseek --version` runs. Usage: scripts/package.sh [BUILD_DIR] [--no-install]
#   BUILD_DIR     build folder to use (default: build-package next to the sources); configured when new
#   --no-install  only unpack the package into a temporary folder and run the binary from there
# Environment: JOBS (parallel build jobs, default 1), TWINSEEK_ONNXRUNTIME_ROOT (passed to CMake when set).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="$root/build-package"
install=1
for arg in "$@"; do
  case "$arg" in
    --no-install) install=0 ;;
    -h|--help) sed -n '2,6p' "$0"; exit 0 ;;
    *) build="$arg" ;;
  esac
done
jobs="${JOBS:-1}"

if [ ! -f "$build/CMakeCache.txt" ]; then
  args=(-S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTWINSEEK_BUILD_TESTS=OFF)
  if [ -n "${TWINSEEK_ONNXRUNTIME_ROOT:-}" ]; then
    args+=("-DTWINSEEK_ONNXRUNTIME_ROOT=$TWINSEEK_ONNXRUNTIME_ROOT")
  fi
  cmake "${args[@]}"
fi
cmake --build "$build" --target twinseek twinseek-cli -j "$jobs"
version="$(sed -n 's/^CMAKE_PROJECT_VERSION:STATIC=//p' "$build/CMakeCache.txt")"
rm -f "$build"/twinseek_*.deb
(cd "$build" && cpack -G DEB)
deb="$(ls "$build"/twinseek_"$version"_*.deb)"
echo "package: $deb"
dpkg-deb --info "$deb" | sed -n 's/^ \(Package\|Version\|Depends\):/  \1:/p'

if [ "$install" = 1 ]; then
  sudo=""
  if [ "$(id -u)" != 0 ]; then sudo="sudo"; fi
  $sudo apt-get install -y --reinstall "$deb"
  exe="$(command -v twinseek)"
  dpkg -L twinseek | grep -q '/usr/share/twinseek/models/.*\.json$' || { echo "model manifests missing" >&2; exit 1; }
else
  unpacked="$(mktemp -d)"
  trap 'rm -rf "$unpacked"' EXIT
  dpkg-deb -x "$deb" "$unpacked"
  exe="$unpacked/usr/bin/twinseek"
fi

out="$(QT_QPA_PLATFORM=offscreen "$exe" --version)"
echo "$exe --version: $out"
if [ "$out" != "twinseek $version" ]; then
  echo "unexpected version output (wanted: twinseek $version)" >&2
  exit 1
fi
# The CLI shares the install layout; it must find its private libraries too.
"$(dirname "$exe")/twinseek-cli" --help > /dev/null 2>&1 || { echo "twinseek-cli does not start" >&2; exit 1; }
echo "ok"
