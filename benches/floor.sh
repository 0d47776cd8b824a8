#!/usr/bin/env bash
# The floors issue 23 measures against, in one run: `render` of the embedded profile
# against a process that does nothing (`/bin/true`) and a Rust hello-world (built here
# with `rustc -O`), and `render` of a 100 x 200 profile against a `cat` of its own output
# (all to a pipe); then instruction counts
# (valgrind --tool=callgrind) of render (embedded and 100 x 200) and lint 100 x 200.
#
#   benches/floor.sh                # RUNS=20
#   benches/floor.sh OTHER-BINARY   # the same for another build (before/after)
#
# Needs hyperfine, GNU time and valgrind. Prints medians, ratios, peak RSS and counts.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ $# -gt 0 ]; then bin=$1; else cargo build --release --quiet; bin=target/release/mplp-scale; fi
runs=${RUNS:-20}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 benches/gen_profile.py 100 200 > "$work/big.yaml"
"$bin" render -f "$work/big.yaml" -o "$work/big-render.yaml" 2>/dev/null
median() {
    hyperfine -N --style none --warmup 3 --runs "$runs" --export-json "$work/h.json" \
        --output=pipe "$@" >/dev/null 2>&1
    python3 -c '
import json,sys
for r in json.load(open(sys.argv[1]))["results"]: print("%.6f" % r["median"])' "$work/h.json"
}
printf 'fn main() { println!("hello"); }\n' > "$work/hello.rs"
rustc -O -o "$work/hello" "$work/hello.rs"
read -r -d '' true_s hello_s render_s < <(median /bin/true "$work/hello" "$bin render" && printf '\0') || true
read -r -d '' cat_s big_s < <(median "cat $work/big-render.yaml" "$bin render -f $work/big.yaml" && printf '\0') || true
/usr/bin/time -f '%M' -o "$work/rss" "$bin" render -f "$work/big.yaml" > /dev/null 2>&1
printf '%-34s %10s %10s %8s\n' case median_s floor_s ratio
printf '%-34s %10.4f %10.4f %8.2f\n' 'render (embedded) / /bin/true' "$render_s" "$true_s" "$(python3 -c "print($render_s / $true_s)")"
printf '%-34s %10.4f %10.4f %8.2f\n' 'render (embedded) / hello-world' "$render_s" "$hello_s" "$(python3 -c "print($render_s / $hello_s)")"
printf '%-34s %10.4f %10.4f %8.2f\n' 'render 100x200 / cat of output' "$big_s" "$cat_s" "$(python3 -c "print($big_s / $cat_s)")"
printf 'render 100x200 peak RSS: %.1f MiB\n' "$(echo "$(tail -1 "$work/rss") / 1024" | bc -l)"
if command -v valgrind >/dev/null; then
    for args in "render -o /dev/null" "render -f $work/big.yaml -o /dev/null" "lint $work/big.yaml"; do
        # shellcheck disable=SC2086
        ir=$(valgrind --tool=callgrind --callgrind-out-file="$work/cg" "$bin" $args 2>&1 >/dev/null \
            | sed -n 's/.*Collected : //p')
        printf 'instructions  %-40s %14s\n' "${args//$work\//}" "$ir"
    done
fi
