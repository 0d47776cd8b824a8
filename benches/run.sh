#!/usr/bin/env bash
# Whole-process wall time and peak memory of `render`, `lint` and `diff` (the size's render
# compared with itself), at several sizes.
#
#   benches/run.sh                 # the default sizes
#   benches/run.sh 100x200 200x100 # regions x modules
#
# Needs hyperfine (Debian: apt-get install hyperfine) and GNU time (/usr/bin/time).
# Builds the release binary first. Prints one line per size and command:
#   size  command  median(s)  min(s)  max(s)  peak RSS (MiB)  output (MB)
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
bin=target/release/mplp-scale
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(default 10x20 100x20 100x200)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
command -v hyperfine >/dev/null || { echo "hyperfine is not installed (apt-get install hyperfine)" >&2; exit 2; }

printf '%-9s %-7s %10s %10s %10s %10s %10s\n' size command median_s min_s max_s rss_MiB out_MB
for size in "${sizes[@]}"; do
    if [ "$size" = default ]; then
        profile=profiles/production.yaml
    else
        profile=$work/$size.yaml
        python3 benches/gen_profile.py "${size%x*}" "${size#*x}" > "$profile"
    fi
    "$bin" render -f "$profile" -o "$work/rendered.yaml" 2>/dev/null
    for cmd in render lint diff; do
        case $cmd in
            render) args=(render -f "$profile") ;;
            lint) args=(lint "$profile") ;;
            diff) args=(diff "$work/rendered.yaml" "$work/rendered.yaml") ;;
        esac
        hyperfine --style none --warmup 2 --runs 10 --export-json "$work/h.json" \
            --output=pipe "$bin ${args[*]}" >/dev/null 2>&1
        read -r median min max < <(python3 -c '
import json,sys
r=json.load(open(sys.argv[1]))["results"][0]
print(r["median"], r["min"], r["max"])' "$work/h.json")
        /usr/bin/time -f '%M' -o "$work/rss" "$bin" "${args[@]}" > "$work/out" 2>/dev/null || true
        rss=$(tail -1 "$work/rss")
        bytes=$(wc -c < "$work/out")
        printf '%-9s %-7s %10.4f %10.4f %10.4f %10.1f %10.1f\n' "$size" "$cmd" "$median" "$min" "$max" \
            "$(echo "$rss / 1024" | bc -l)" "$(echo "$bytes / 1000000" | bc -l)"
    done
done
