#!/usr/bin/env bash
# Wall time of `render --out-dir` at one size: writing a fresh tree, and a rerun with
# nothing changed (every file's bytes already right).
#
#   benches/out_dir.sh                  # 100x200 (47,904 files), the release binary
#   benches/out_dir.sh 10x20            # regions x modules
#   benches/out_dir.sh 100x200 BIN      # another binary (e.g. an older build)
#   FRESH_RUNS=2 RERUN_RUNS=3 WARMUP=0 benches/out_dir.sh   # fewer runs (a slow binary)
#
# Needs hyperfine (Debian: apt-get install hyperfine). Prints one line per case:
#   size  case  median(s)  min(s)  max(s)  files
# A fresh run starts from a missing folder (`--prepare 'rm -rf DIR'`, not timed).
set -euo pipefail
cd "$(dirname "$0")/.."
size=${1:-100x200}
bin=${2:-}
if [ -z "$bin" ]; then
    cargo build --release --quiet
    bin=target/release/mplp-scale
fi
command -v hyperfine >/dev/null || { echo "hyperfine is not installed (apt-get install hyperfine)" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
profile=$work/$size.yaml
python3 benches/gen_profile.py "${size%x*}" "${size#*x}" > "$profile"
out=$work/tree
median() {
    python3 -c '
import json,sys
r=json.load(open(sys.argv[1]))["results"][0]
print(r["median"], r["min"], r["max"])' "$1"
}
printf '%-9s %-6s %10s %10s %10s %8s\n' size case median_s min_s max_s files
hyperfine --style none --runs "${FRESH_RUNS:-5}" --prepare "rm -rf $out" --export-json "$work/fresh.json" \
    "$bin render -f $profile --out-dir $out" >/dev/null 2>&1
files=$(find "$out" -type f | wc -l)
read -r m lo hi < <(median "$work/fresh.json")
printf '%-9s %-6s %10.4f %10.4f %10.4f %8d\n' "$size" fresh "$m" "$lo" "$hi" "$files"
"$bin" render -f "$profile" --out-dir "$out" >/dev/null 2>&1
hyperfine --style none --warmup "${WARMUP:-1}" --runs "${RERUN_RUNS:-10}" --export-json "$work/rerun.json" \
    "$bin render -f $profile --out-dir $out" >/dev/null 2>&1
read -r m lo hi < <(median "$work/rerun.json")
printf '%-9s %-6s %10.4f %10.4f %10.4f %8d\n' "$size" rerun "$m" "$lo" "$hi" "$files"
