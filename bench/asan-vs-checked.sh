#!/usr/bin/env bash
# Ebb's checked pair (EBB_CHECK=1: 16 MiB quarantine, allocation and free stacks recorded,
# redzones checked at free) against AddressSanitizer's malloc+free pair, side by side, on the
# same loop (batches of 100 blocks; bench/asan/pairs.c is the C port of the Pairs workload).
# ASan runs twice: with its default options (256 MiB quarantine, 30-frame stacks) and with
# quarantine_size_mb=16, the same quarantine as Ebb's. Thread CPU time, ns per pair; each
# figure is the median of REPS processes. Target (issue 13): Ebb <= 0.5x ASan at every size.
#   bench/asan-vs-checked.sh [REPS]
set -euo pipefail
cd "$(dirname "$0")/.."
reps=${1:-3}
case "$reps" in ''|*[!0-9]*|0) echo "asan-vs-checked.sh: REPS must be a positive integer, not '$reps'" >&2; exit 2;; esac
command -v gcc >/dev/null || { echo "asan-vs-checked.sh: gcc is needed (with libasan)" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
gcc -O2 -g -fsanitize=address -fno-omit-frame-pointer bench/asan/pairs.c -o "$work/pairs"
dotnet build bench/Ebb.Benchmarks -c Release -nologo -v q >/dev/null
dll=bench/Ebb.Benchmarks/bin/Release/net10.0/Ebb.Benchmarks.dll
for r in $(seq "$reps"); do
  ASAN_OPTIONS=detect_leaks=0 "$work/pairs" 100 | sed 's/^/asan-default\t/' >> "$work/out"
  ASAN_OPTIONS=detect_leaks=0:quarantine_size_mb=16 "$work/pairs" 100 | sed 's/^/asan-q16\t/' >> "$work/out"
  EBB_CHECK=1 dotnet "$dll" child time --contender ebb --workloads pairs --ms 100 2>/dev/null |
    awk -F'\t' '/^RESULT\tpairs (16|64|256|1024) B\t/{print "ebb-check\t" $2 "\t" $3}' >> "$work/out"
done
echo "$(date -u '+%Y-%m-%d %H:%M UTC'), load $(cut -d' ' -f1-3 /proc/loadavg), $reps processes each"
python3 - "$work/out" <<'PY'
import sys, statistics as st
rows = {}
for line in open(sys.argv[1]):
    mode, size, v = line.rstrip("\n").split("\t")
    rows.setdefault((mode, size), []).append(float(v))
sizes = ["pairs 16 B", "pairs 64 B", "pairs 256 B", "pairs 1024 B"]
med = lambda m, s: st.median(rows[(m, s)]) if (m, s) in rows else float("nan")
print("| size | ASan default ns | ASan quarantine 16 MiB ns | Ebb EBB_CHECK=1 ns | Ebb / ASan default | Ebb / ASan q16 |")
print("|---|---:|---:|---:|---:|---:|")
for s in sizes:
    a, q, e = med("asan-default", s), med("asan-q16", s), med("ebb-check", s)
    print(f"| {s[6:]} | {a:.0f} | {q:.0f} | {e:.0f} | {e/a:.2f}x | {e/q:.2f}x |")
PY
