#!/usr/bin/env bash
# Makes docs/screenshot.png: ingests a few real corpus clips into a scratch library, starts the explorer under
# Xvfb, runs a query, lets the first result open in the inspector, saves the window as PNG and checks that the
# picture is not blank (grey-level variance). Usage: scripts/screenshot.sh [BUILD_DIR] [OUT.png]
# Environment: TWINSEEK_CORPUS_DIR (default ../shared/corpus next to the sources), SCREENSHOT_QUERY,
#              SCREENSHOT_CLIPS (corpus-relative clip paths, space separated), KEEP_LIBRARY=1 to keep the scratch folder,
#              SCREENSHOT_LIBRARY=LIB.sqlite to use an already ingested library instead of ingesting the clips,
#              SCREENSHOT_SIZE=WIDTHxHEIGHT for the virtual screen (default 1600x1000; 1366x768 is a common laptop),
#              SCREENSHOT_ANNOTATE=QUERIES.jsonl to show the annotator with that query set open.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${1:-$root/build}"
out="${2:-$root/docs/screenshot.png}"
corpus="${TWINSEEK_CORPUS_DIR:-$root/../shared/corpus}"
query="${SCREENSHOT_QUERY:-a brown bear walking over rocks in a zoo}"
clips="${SCREENSHOT_CLIPS:-davis2016/videos/bear.mp4 davis2016/videos/blackswan.mp4 davis2016/videos/camel.mp4 davis2016/videos/car-roundabout.mp4 davis2016/videos/boat.mp4 clips/cotracker-teddy.mp4}"

gui="$build/app/twinseek"
cli="$build/app/twinseek-cli"
for exe in "$gui" "$cli"; do
  [ -x "$exe" ] || { echo "missing $exe: build the twinseek and twinseek-cli targets in $build first" >&2; exit 1; }
done
[ -f "$corpus/MANIFEST.jsonl" ] || { echo "no corpus at $corpus (set TWINSEEK_CORPUS_DIR)" >&2; exit 1; }
command -v xvfb-run > /dev/null || { echo "xvfb-run is needed (Debian package xvfb)" >&2; exit 1; }

work="$(mktemp -d)"
if [ "${KEEP_LIBRARY:-0}" != 1 ]; then trap 'rm -rf "$work"' EXIT; else echo "scratch folder: $work"; fi

library="$work/library.sqlite"
if [ -n "${SCREENSHOT_LIBRARY:-}" ]; then
  library="$SCREENSHOT_LIBRARY"
  [ -f "$library" ] || { echo "no library at $library" >&2; exit 1; }
else
  paths=()
  for c in $clips; do paths+=("$corpus/$c"); done
  echo "ingesting ${#paths[@]} clips..."
  "$cli" ingest --db "$library" "${paths[@]}"
fi

# A settings file of its own: the user's layout, history and libraries stay untouched. English interface.
mkdir -p "$(dirname "$out")"
rm -f "$out"
echo "query: $query"
size="${SCREENSHOT_SIZE:-1600x1000}"
extra=()
[ -n "${SCREENSHOT_ANNOTATE:-}" ] && extra+=(--annotate "$SCREENSHOT_ANNOTATE")
xvfb-run -a -s "-screen 0 ${size}x24" \
  "$gui" --settings "$work/settings.ini" --lang en --db "$library" --query "$query" --screenshot "$out" "${extra[@]}"
[ -s "$out" ] || { echo "no screenshot was written" >&2; exit 1; }

# Not blank: the grey levels must vary (a failed paint is one flat colour).
ffmpeg -v error -i "$out" -f rawvideo -pix_fmt gray - | python3 -c '
import sys
data = sys.stdin.buffer.read()
n = len(data)
mean = sum(data) / n
var = sum((b - mean) ** 2 for b in data[::7]) / len(data[::7])
print(f"{n} pixels, grey mean {mean:.1f}, variance {var:.1f}")
sys.exit(0 if var > 100.0 else 1)
' || { echo "the screenshot looks blank" >&2; exit 1; }
echo "saved $out"
