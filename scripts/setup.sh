#!/usr/bin/env bash
# TwinSeek set-up, idempotent: Debian packages, ONNX Runtime (from the npm registry), the build, the model cache.
#   scripts/setup.sh [--no-build] [--no-models]
# Environment: TWINSEEK_CACHE_DIR (default ~/.cache/twinseek), TWINSEEK_BUILD_DIR (default build/),
#              TWINSEEK_MODEL_MIRROR (default ../shared/models when present).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# ccache hits across checkouts: paths relative to the checkout, the working directory not hashed.
export CCACHE_BASEDIR="$ROOT" CCACHE_NOHASHDIR=1
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
#    python3-torch for model derivation and the TorchScript test module, strace for the no-network test.
PACKAGES=(
  build-essential cmake ninja-build pkg-config git ca-certificates ccache file dpkg-dev
  qt6-base-dev qt6-base-dev-tools qt6-tools-dev qt6-tools-dev-tools qt6-l10n-tools libqt6sql6-sqlite
  libqt6svg6-dev libgl-dev qt6-translations-l10n
  libavformat-dev libavcodec-dev libswscale-dev libavutil-dev ffmpeg
  libopencv-dev libopencv-contrib-dev opencv-doc
  nlohmann-json3-dev libsqlite3-dev sqlite3
  libtorch-dev python3-torch python3-onnx python3-numpy
  wordnet-base wordnet-dev tesseract-ocr-eng libtesseract-dev
  libfaiss-dev libopenblas-dev python3-pip python3-venv
  xvfb xauth fonts-dejavu-core strace
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

# 2b. ONNX Runtime with CUDA, on request (TWINSEEK_ONNXRUNTIME_GPU=1): a matched 1.29.0 set from the npm registry
#     (the library from com.github.asus4.onnxruntime, the CUDA provider libraries from its linux-x64-gpu package;
#     they need the CUDA 13 runtime, cuBLAS and cuDNN 9 installed). The build then uses it: every ONNX model runs on
#     the GPU when the CUDA provider loads, on the CPU otherwise (`twinseek-cli models` says which and why).
ORT_GPU="$CACHE/onnxruntime-gpu"
ORT_GPU_SHA=(5715f06d8992ca8eeeddcce43df3a7d38f97d537052126f558e912cb312460ca
             56cf3254b118ad837ccc4ed8f6d1b23504bbf7ef91b34cbc0b289cb7f10b3037
             c6a12593396095f5670160e284c35d1700b7708cf3037b7042e2a5200ccae772)
ort_gpu_ok() {
  printf '%s  %s\n' "${ORT_GPU_SHA[0]}" "$ORT_GPU/lib/libonnxruntime.so" "${ORT_GPU_SHA[1]}" \
    "$ORT_GPU/lib/libonnxruntime_providers_cuda.so" "${ORT_GPU_SHA[2]}" "$ORT_GPU/lib/libonnxruntime_providers_shared.so" |
    sha256sum -c --status 2>/dev/null && [ -f "$ORT_GPU/include/onnxruntime_cxx_api.h" ]
}
if [ "${TWINSEEK_ONNXRUNTIME_GPU:-0}" = 1 ] && ort_ok; then
  if ! ort_gpu_ok; then
    say "fetching ONNX Runtime 1.29.0 with its CUDA provider from the npm registry"
    mkdir -p "$ORT_GPU/lib" "$ORT_GPU/include"
    (
      cd "$CACHE/npm"
      gpu=com.github.asus4.onnxruntime.linux-x64-gpu-0.4.9.tgz
      [ -f "$gpu" ] || npm pack com.github.asus4.onnxruntime.linux-x64-gpu@0.4.9 --silent >/dev/null
      tmp=$(mktemp -d)
      lib=package/Plugins/Linux/x64
      tar -xzf com.github.asus4.onnxruntime-0.4.9.tgz -C "$tmp" "$lib/libonnxruntime.so"
      tar -xzf "$gpu" -C "$tmp" "$lib/libonnxruntime_providers_cuda.so" "$lib/libonnxruntime_providers_shared.so"
      cp "$tmp/$lib/"*.so "$ORT_GPU/lib/"
      ln -sf libonnxruntime.so "$ORT_GPU/lib/libonnxruntime.so.1"
      cp "$ORT/include/"*.h "$ORT_GPU/include/"
      rm -rf "$tmp"
    ) || echo "warning: ONNX Runtime with CUDA could not be fetched" >&2
  fi
  if ort_gpu_ok; then
    ORT="$ORT_GPU"
  else
    echo "warning: ONNX Runtime with CUDA is incomplete or does not match its checksums; building with the CPU one" >&2
  fi
fi

# 3. llama.cpp, the embedded LLM runtime: built from the sources vendored in the llama-cpp-python sdist (PyPI),
#    pinned by the archive's sha256; only the C/C++ library and llama-server (the real OpenAI-compatible peer of the
#    client tests) are built, with this CPU's instruction set, into a folder keyed by version and CPU flags.
LLAMA_SDIST=llama-cpp-python==0.3.36
LLAMA_SDIST_SHA=832db0699007f1be95a7e41ef12e88926b02ba836461e36a36372db2760c1a2e
cpu_key=$(grep -m1 '^flags' /proc/cpuinfo 2>/dev/null | sha256sum | cut -c1-8)
LLAMA="$CACHE/llama.cpp/0.3.36-$cpu_key"
llama_ok() { [ -f "$LLAMA/lib/libllama.so" ] && [ -f "$LLAMA/include/llama.h" ] && [ -x "$LLAMA/bin/llama-server" ]; }
build_llama() {
  # Each step is checked explicitly: errexit does not apply inside a function called from an || list.
  mkdir -p "$CACHE/pypi" "$CACHE/llama.cpp" || return 1
  local sdist="$CACHE/pypi/llama_cpp_python-0.3.36.tar.gz" src="$CACHE/llama.cpp/src-0.3.36" tmp
  if [ ! -f "$sdist" ]; then
    /usr/bin/python3 -m pip download --no-deps --no-binary :all: --disable-pip-version-check \
      -q -d "$CACHE/pypi" "$LLAMA_SDIST" >/dev/null 2>&1
  fi
  if ! echo "$LLAMA_SDIST_SHA  $sdist" | sha256sum -c --status; then
    echo "llama-cpp-python sdist: missing or checksum mismatch" >&2
    rm -f "$sdist"
    return 1
  fi
  if [ ! -f "$src/CMakeLists.txt" ]; then
    tmp=$(mktemp -d "$CACHE/llama.cpp/unpack.XXXXXX") || return 1
    tar -xzf "$sdist" -C "$tmp" llama_cpp_python-0.3.36/vendor/llama.cpp || return 1
    rm -rf "$src" && mv "$tmp/llama_cpp_python-0.3.36/vendor/llama.cpp" "$src" && rm -rf "$tmp" || return 1
  fi
  cmake -S "$src" -B "$LLAMA/build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DBUILD_SHARED_LIBS=ON \
        -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_TOOLS=ON -DLLAMA_BUILD_SERVER=ON \
        -DLLAMA_BUILD_APP=OFF -DLLAMA_BUILD_UI=OFF -DLLAMA_USE_PREBUILT_UI=OFF -DLLAMA_OPENSSL=OFF \
        -DGGML_NATIVE=ON -DGGML_OPENMP=OFF -DCMAKE_C_COMPILER_LAUNCHER=ccache \
        -DCMAKE_CXX_COMPILER_LAUNCHER=ccache >/dev/null || return 1
  cmake --build "$LLAMA/build" --target llama llama-server -j "$(nproc)" || return 1
  mkdir -p "$LLAMA/lib" "$LLAMA/include" "$LLAMA/bin" &&
    cp -P "$LLAMA"/build/bin/lib*.so* "$LLAMA/lib/" &&
    cp "$src/include/llama.h" "$src"/ggml/include/*.h "$LLAMA/include/" &&
    cp "$LLAMA/build/bin/llama-server" "$LLAMA/bin/"
}
if [ "${TWINSEEK_WITH_LLAMA:-ON}" != OFF ] && ! llama_ok; then
  say "building llama.cpp from $LLAMA_SDIST (PyPI sdist, vendor/llama.cpp)"
  build_llama || echo "warning: llama.cpp could not be built; the LLM roles fall back to endpoints or the built-in reasoner" >&2
fi

# 4. Build.
if [ "$DO_BUILD" = 1 ]; then
  say "building in $BUILD"
  cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
        -DTWINSEEK_ONNXRUNTIME_ROOT="$ORT" -DTWINSEEK_LLAMA_ROOT="$LLAMA" >/dev/null
  cmake --build "$BUILD" -j "$(nproc)"
fi

# 5. Models: mirror first, then upstream; checksums always verified.
if [ "$DO_MODELS" = 1 ]; then
  say "filling the model cache $CACHE/models"
  mirror_args=()
  [ -d "$MIRROR" ] && mirror_args=(--mirror "$MIRROR")
  /usr/bin/python3 "$ROOT/scripts/fetch_models.py" --cache "$CACHE/models" "${mirror_args[@]}" \
    | sed 's/^/    /'
fi
say "set-up done"
