#!/usr/bin/env bash
# Set-up (packages, runtimes, build, models), then every test: unit, integration and gui labels in the main build,
# then the memory checks: the units that parse untrusted bytes, built with ASan + UBSan in a second build directory.
#   scripts/test.sh [extra ctest arguments]
# Under CI (CI=true) a test whose requirement (corpus, default model) is missing fails instead of skipping.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# ccache hits across checkouts: paths relative to the checkout, the working directory not hashed.
export CCACHE_BASEDIR="$ROOT" CCACHE_NOHASHDIR=1
BUILD=${TWINSEEK_BUILD_DIR:-$ROOT/build}
SANITIZE_BUILD=${TWINSEEK_SANITIZE_BUILD_DIR:-$ROOT/build-sanitize}
"$ROOT/scripts/setup.sh"

status=0
ctest --test-dir "$BUILD" --output-on-failure --timeout 1200 "$@" || status=$?

printf '\033[1m==> memory checks (AddressSanitizer + UndefinedBehaviorSanitizer) in %s\033[0m\n' "$SANITIZE_BUILD"
cmake -S "$ROOT" -B "$SANITIZE_BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DTWINSEEK_SANITIZE=ON \
      -DTWINSEEK_BUILD_GUI=OFF -DTWINSEEK_WITH_TORCH=OFF -DTWINSEEK_WITH_FAISS=OFF -DTWINSEEK_WITH_ONNXRUNTIME=OFF \
      -DTWINSEEK_WITH_LLAMA=OFF >/dev/null
cmake --build "$SANITIZE_BUILD" --target sanitizer-tests -j "$(nproc)"
ctest --test-dir "$SANITIZE_BUILD" -L sanitize --output-on-failure --timeout 1200 || status=$?
exit $status
