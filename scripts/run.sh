#!/usr/bin/env bash
# The main job: set-up (packages, runtimes, build, models), ingest a video library, answer a query, and open the
# desktop window when there is a display.
#   scripts/run.sh [FOLDER] [QUERY]
# FOLDER defaults to the sample videos of Debian's opencv-doc package; e.g. scripts/run.sh ../shared/corpus
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${TWINSEEK_BUILD_DIR:-$ROOT/build}
LIBRARY=${1:-/usr/share/doc/opencv-doc/examples/data}
QUERY=${2:-"people walking past each other on a pavement"}
DB=${TWINSEEK_DB:-$ROOT/out/library.sqlite}

"$ROOT/scripts/setup.sh"
mkdir -p "$(dirname "$DB")"
CLI="$BUILD/app/twinseek-cli"
echo "==> ingesting $LIBRARY into $DB"
"$CLI" ingest --db "$DB" "$LIBRARY" || echo "(some files could not be ingested; see above)"
echo "==> query: $QUERY"
"$CLI" query --db "$DB" --top 5 "$QUERY"
if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
  echo "==> opening the TwinSeek window"
  exec "$BUILD/app/twinseek" --db "$DB" --query "$QUERY"
fi
