#!/usr/bin/env bash
# libFuzzer runs of the readers of untrusted input: the RLE decoder, the twin JSON reader, the query-set parser and
# the LLM reply parser (fuzz/). Each target runs for 10^6 executions or 10 minutes, whichever comes first, from the
# committed corpus (fuzz/corpus/TARGET); new coverage goes to a scratch corpus in the build folder, crashes to
# build-fuzz/artifacts/TARGET. A crash stops the script: fix it, then commit the input as
# fuzz/corpus/TARGET/regress-WHAT so tests/tst_fuzzcorpus.cpp replays it on every test run.
#   scripts/fuzz.sh [TARGET...]            (default: all four)
#   FUZZ_RUNS=1000000 FUZZ_SECONDS=600 scripts/fuzz.sh
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${TWINSEEK_FUZZ_BUILD_DIR:-$ROOT/build-fuzz}
RUNS=${FUZZ_RUNS:-1000000}
SECONDS_PER_TARGET=${FUZZ_SECONDS:-600}
say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

# clang and its libFuzzer runtime (Debian bookworm: clang-14, libclang-rt-14-dev); the rest comes with the set-up.
if ! command -v clang++-14 >/dev/null 2>&1 || ! dpkg-query -W -f='${Status}' libclang-rt-14-dev 2>/dev/null |
     grep -q "install ok installed"; then
  say "installing clang-14 and libclang-rt-14-dev"
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends clang-14 libclang-rt-14-dev
fi
for p in qt6-base-dev nlohmann-json3-dev cmake ninja-build; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
    { echo "fuzz.sh: $p is missing; run scripts/setup.sh first" >&2; exit 1; }
done

CC=clang-14 CXX=clang++-14 cmake -S "$ROOT/fuzz" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$BUILD"

targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(rle twin_json query_set llm_reply)
summary=()
for t in "${targets[@]}"; do
  [ -x "$BUILD/fuzz_$t" ] || { echo "fuzz.sh: no target $t" >&2; exit 2; }
  scratch="$BUILD/corpus/$t"
  artifacts="$BUILD/artifacts/$t"
  mkdir -p "$scratch" "$artifacts"
  say "fuzz_$t: up to $RUNS executions or $SECONDS_PER_TARGET s"
  log="$BUILD/fuzz_$t.log"
  status=0
  # The scratch corpus first: libFuzzer adds what it finds there and only reads the committed one.
  "$BUILD/fuzz_$t" -runs="$RUNS" -max_total_time="$SECONDS_PER_TARGET" -rss_limit_mb=2048 -max_len=16384 \
    -artifact_prefix="$artifacts/" -print_final_stats=1 "$scratch" "$ROOT/fuzz/corpus/$t" >"$log" 2>&1 || status=$?
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo "?")
  secs=$(grep -o 'Done [0-9]* runs in [0-9]* second' "$log" | grep -o 'in [0-9]*' | grep -o '[0-9]*' || echo "?")
  if [ "$status" -ne 0 ]; then
    grep -E 'ERROR|SUMMARY|fuzz property' "$log" | head -5 >&2
    echo "fuzz.sh: fuzz_$t failed; input in $artifacts, log in $log" >&2
    exit 1
  fi
  summary+=("fuzz_$t: $execs executions in ${secs:-?} s, no crash")
done
say "done"
printf '%s\n' "${summary[@]}"
