#!/usr/bin/env bash
# TwinSeek set-up, idempotent: Debian packages, ONNX Runtime (from the npm registry), the build, the model cache.
#   scripts/setup.sh [--no-build] [--no-models]
# Environment: TWINSEEK_CACHE_DIR (default ~/.cache/twinseek), TWINSEEK_BUILD_DIR (default build/),
#              TWINSEEK_MODEL_MIRROR (default ../shared/models when present).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE=${TWINSEEK_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/twinseek}
BUILD=${TWINSEEK_BUILD_DIR:-$ROOT/build}
MIRROR=${TWINSEEK_MODEL_MIRROR:-$ROOT/../shared/models}
DO_BUILD=1
DO_MODELS=1
for arg in "$@"; do
  case "$arg" in
    --no-build) DO_BUILD=0 ;;
    --no-models) DO_MODELS=0 ;;
    *) echo "unknown option $arg" >&2; exit 2 ;;
  esac
done
say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

# 1. Debian packages: build tools, Qt 6, FFmpeg, OpenCV (+contrib), LibTorch, SQLite, JSON, WordNet, Tesseract,
#    FAISS, the sample videos of opencv-doc (the default library), Xvfb for GUI tests, python3-onnx and
#    python3-torch for model derivation and the TorchScript test module.
PACKAGES=(
  build-essential cmake ninja-build pkg-config git ca-certificates ccache file dpkg-dev
  qt6-base-dev qt6-base-dev-tools qt6-tools-dev qt6-tools-dev-tools qt6-l10n-tools libqt6sql6-sqlite
  libqt6svg6-dev libgl-dev qt6-translations-l10n
  libavformat-dev libavcodec-dev libswscale-dev libavutil-dev ffmpeg
  libopencv-dev libopencv-contrib-dev opencv-doc
  nlohmann-json3-dev libsqlite3-dev sqlite3
  libtorch-dev python3-torch python3-onnx python3-numpy
  wordnet-base wordnet-dev tesseract-ocr-eng libtesseract-dev
  libfaiss-dev libopenblas-dev
  xvfb xauth fonts-dejavu-core valgrind
)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
command -v npm >/dev/null 2>&1 || missing+=(nodejs npm)
if [ ${#missing[@]} -gt 0 ]; then
  say "installing Debian packages: ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# 2. ONNX Runtime: the official CPU library from onnxruntime-node, C/C++ headers from com.github.asus4.onnxruntime.
ORT="$CACHE/onnxruntime"
ORT_LIB_SHA=ffb75a925ba05e47b235bb66e3e3911714a80b328a9c9425539feb204aa32a23
ORT_HDR_SHA=9c63ed5bf0427ddf1c10a99aca0beeec77318ce77d2ea6f7ae76d7d933660f67
ort_ok() {
  [ -f "$ORT/lib/libonnxruntime.so.1" ] && [ -f "$ORT/include/onnxruntime_cxx_api.h" ] &&
    echo "$ORT_LIB_SHA  $ORT/lib/libonnxruntime.so.1" | sha256sum -c --status &&
    echo "$ORT_HDR_SHA  $ORT/include/onnxruntime_cxx_api.h" | sha256sum -c --status
}
if ! ort_ok; then
  say "fetching ONNX Runtime 1.30.0 from the npm registry"
  mkdir -p "$CACHE/npm" "$ORT/lib" "$ORT/include"
  (
    cd "$CACHE/npm"
    [ -f onnxruntime-node-1.30.0.tgz ] || npm pack onnxruntime-node@1.30.0 --silent >/dev/null
    [ -f com.github.asus4.onnxruntime-0.4.9.tgz ] || npm pack com.github.asus4.onnxruntime@0.4.9 --silent >/dev/null
    tmp=$(mktemp -d)
    tar -xzf onnxruntime-node-1.30.0.tgz -C "$tmp" package/bin/napi-v6/linux/x64/libonnxruntime.so.1
    hdr='package/Plugins/iOS~/onnxruntime.xcframework/ios-arm64/onnxruntime.framework/Headers'
    tar -xzf com.github.asus4.onnxruntime-0.4.9.tgz -C "$tmp" --wildcards "$hdr/*.h"
    cp "$tmp/package/bin/napi-v6/linux/x64/libonnxruntime.so.1" "$ORT/lib/"
    ln -sf libonnxruntime.so.1 "$ORT/lib/libonnxruntime.so"
    cp "$tmp/$hdr/"*.h "$ORT/include/"
    rm -rf "$tmp"
  ) || echo "warning: ONNX Runtime could not be fetched; the build falls back to OpenCV DNN" >&2
  if ! ort_ok; then
    echo "warning: ONNX Runtime files do not match their checksums; not using them" >&2
    rm -rf "$ORT"
  fi
fi

# 3. Build.
if [ "$DO_BUILD" = 1 ]; then
  say "building in $BUILD"
  cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
        -DTWINSEEK_ONNXRUNTIME_ROOT="$ORT" >/dev/null
  cmake --build "$BUILD" -j "$(nproc)"
fi

# 4. Models: mirror first, then upstream; checksums always verified.
if [ "$DO_MODELS" = 1 ]; then
  say "filling the model cache $CACHE/models"
  mirror_args=()
  [ -d "$MIRROR" ] && mirror_args=(--mirror "$MIRROR")
  /usr/bin/python3 "$ROOT/scripts/fetch_models.py" --cache "$CACHE/models" "${mirror_args[@]}" \
    | sed 's/^/    /'
fi
say "set-up done"
