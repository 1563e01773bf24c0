#!/usr/bin/env bash
# Set-up (packages, runtimes, build, models), then every test: unit, integration and gui labels.
#   scripts/test.sh [extra ctest arguments]
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${TWINSEEK_BUILD_DIR:-$ROOT/build}
"$ROOT/scripts/setup.sh"
cd "$BUILD"
ctest --output-on-failure --timeout 1200 "$@"
