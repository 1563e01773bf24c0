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
"$CLI" query --db "$DB" --top 5 "$QUERY" || echo "(the query failed; see above)"

# What a user needs to know next: where the library is, what is in it, what runs on a real model.
echo
echo "==> summary"
echo "library:  $DB"
"$CLI" list --db "$DB" --json 2>/dev/null | /usr/bin/python3 -c '
import json, sys
try:
    rows = json.load(sys.stdin)
except Exception:
    rows = []
rows = rows.get("videos", rows) if isinstance(rows, dict) else rows
done = [r for r in rows if r.get("status") == "done"]
print("ingested: %d of %d videos ready to query" % (len(done), len(rows)))
' || true
"$CLI" models --summary
echo "next:     $CLI query --db \"$DB\" \"your own query\"   (--mode deep lets the LLM judge; --json for masks)"
if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
  echo "==> opening the TwinSeek window"
  exec "$BUILD/app/twinseek" --db "$DB" --query "$QUERY"
fi
