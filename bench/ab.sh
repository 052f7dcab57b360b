#!/usr/bin/env bash
# Two builds of the benchmark runner side by side: the single-thread pair benchmark of Ebb in single
# child processes, A and B alternating REPS times; per size the median and the minimum ns a pair of
# each and B/A (the minimum is steadier where processes are bimodal on this shared machine), and
# their geometric means over 16-1024 B.
# The check behind "no change makes the pair benchmark more than 3% slower".
#   bench/ab.sh A/Ebb.Benchmarks.dll B/Ebb.Benchmarks.dll [REPS]
set -euo pipefail
[ $# -ge 2 ] || { echo "usage: bench/ab.sh A.dll B.dll [REPS]" >&2; exit 2; }
a=$1; b=$2; reps=${3:-10}
for f in "$a" "$b"; do [ -f "$f" ] || { echo "ab.sh: no such file: $f" >&2; exit 2; }; done
case "$reps" in ''|*[!0-9]*|0) echo "ab.sh: REPS must be a positive integer, not '$reps'" >&2; exit 2;; esac
out=$(mktemp)
one() { dotnet "$2" child time --contender ebb --workloads pairs --ms 100 2>/dev/null |
        awk -F'\t' -v who="$1" '/^RESULT\tpairs [0-9]+ B/{print who "\t" $2 "\t" $3}' >> "$out"; }
for r in $(seq "$reps"); do
  if [ $((r % 2)) = 1 ]; then one A "$a"; one B "$b"; else one B "$b"; one A "$a"; fi
done
echo "$(date -u '+%Y-%m-%d %H:%M UTC'), load $(cut -d' ' -f1-3 /proc/loadavg), $reps processes each"
python3 - "$out" <<'PY'
import sys, statistics as st, math
rows = {}
for line in open(sys.argv[1]):
    who, name, v = line.rstrip("\n").split("\t")
    rows.setdefault(name, {}).setdefault(who, []).append(float(v))
print("| workload | A median ns | B median ns | B / A (medians) | A min ns | B min ns | B / A (minima) |")
print("|---|---:|---:|---:|---:|---:|---:|")
logs, mins = [], []
for name, d in rows.items():
    ma, mb, na, nb = st.median(d["A"]), st.median(d["B"]), min(d["A"]), min(d["B"])
    if not name.startswith("pairs 8192"):
        logs.append(math.log(mb / ma)); mins.append(math.log(nb / na))
    print(f"| {name} | {ma:.2f} | {mb:.2f} | {mb/ma:.3f} | {na:.2f} | {nb:.2f} | {nb/na:.3f} |")
print(f"| geometric mean, 16-1024 B | | | {math.exp(sum(logs)/len(logs)):.3f} | | | {math.exp(sum(mins)/len(mins)):.3f} |")
PY
rm -f "$out"
