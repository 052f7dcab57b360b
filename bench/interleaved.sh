#!/usr/bin/env bash
# Single child processes of the pair benchmark, one per mode, interleaved REPS times, and the
# median and minimum per mode against release (geometric mean over 16-1024 B, thread CPU time).
# Sees past the quick runner's medians when processes are bimodal (docs/benchmarks.md,
# "Sampled mode").
#   bench/interleaved.sh [REPS] [MODE ...]     e.g. bench/interleaved.sh 12 EBB_GUARD=sample:1000
# A MODE is a space-separated list of VAR=VALUE; release (no variable) always runs first.
set -euo pipefail
cd "$(dirname "$0")/.."
reps=${1:-12}; shift || true
modes=("$@")
[ ${#modes[@]} -gt 0 ] || modes=("EBB_GUARD=sample:1000" "EBB_GUARD=sample:2147483647")
case "$reps" in ''|*[!0-9]*) reps_ok=0;; *) [ "$reps" -ge 1 ] && reps_ok=1 || reps_ok=0;; esac
[ "$reps_ok" = 1 ] || { echo "interleaved.sh: REPS must be a positive integer, not '$reps'" >&2; exit 2; }
dotnet build bench/Ebb.Benchmarks -c Release -nologo -v q >/dev/null
dll=bench/Ebb.Benchmarks/bin/Release/net10.0/Ebb.Benchmarks.dll
one() { env $1 dotnet "$dll" child time --contender ebb --workloads pairs --ms 100 2>/dev/null |
        awk -F'\t' '/^RESULT\tpairs (16|64|256|1024) B/{s+=log($3);n++} END{if(n) printf "%.3f", exp(s/n); else print "nan"}'; }
out=$(mktemp)
for r in $(seq "$reps"); do
  printf 'release\t%s\n' "$(one X=1)" >> "$out"
  for m in "${modes[@]}"; do printf '%s\t%s\n' "$m" "$(one "$m")" >> "$out"; done
done
echo "$(date -u '+%Y-%m-%d %H:%M UTC'), load $(cut -d' ' -f1-3 /proc/loadavg), $reps processes per mode"
python3 - "$out" <<'PY'
import sys, statistics as st
rows = {}
for line in open(sys.argv[1]):
    mode, v = line.rstrip("\n").split("\t")
    rows.setdefault(mode, []).append(float(v))
rel = rows["release"]
print("| mode | median ns | min ns | median × release | min × release | processes > 1.25 × release median |")
print("|---|---:|---:|---:|---:|---:|")
for mode, v in rows.items():
    slow = sum(x > 1.25 * st.median(rel) for x in v)
    print(f"| {mode} | {st.median(v):.2f} | {min(v):.2f} | {st.median(v)/st.median(rel):.2f}x | {min(v)/min(rel):.2f}x | {slow} of {len(v)} |")
PY
rm -f "$out"
