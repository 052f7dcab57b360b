#!/usr/bin/env bash
# Whole programs, as a C programmer meets them: the suite's C workloads (bench/c) built once with
# AddressSanitizer (gcc -fsanitize=address: every load and store instrumented, its allocator
# preloaded by the runtime) and once plainly, the plain build run under libebb.so with
# EBB_CHECK=1 (checks at malloc and free only, no recompiling). Also the plain build under
# glibc and under libebb.so in release mode, as the floor. ASan runs with its default options
# (256 MiB quarantine) and with quarantine_size_mb=16, Ebb's quarantine. Rounds interleaved,
# the order rotating; each figure is the median cost (time per unit of work) over rounds, and
# the ratios are per round, then the median. Where bench/asan-vs-checked.sh compares the
# malloc+free pair alone (which leaves out ASan's per-access instrumentation), this compares
# what each costs a program.
#   bench/asan-vs-checked-suite.sh [--rounds N] [--scale F] [--only a,b] [--ebb PATH]
# Writes bench/results/asan-suite-<UTC time>.md (and the raw lines beside it).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
rounds=3
scale=0.25
only=""
ebb=${EBB_PRELOAD_LIB:-}
usage() { sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; }
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) [ $# -ge 2 ] || { echo "asan-vs-checked-suite.sh: --rounds needs a value" >&2; exit 2; }; rounds=$2; shift 2 ;;
    --scale) [ $# -ge 2 ] || { echo "asan-vs-checked-suite.sh: --scale needs a value" >&2; exit 2; }; scale=$2; shift 2 ;;
    --only) [ $# -ge 2 ] || { echo "asan-vs-checked-suite.sh: --only needs a value" >&2; exit 2; }; only=$2; shift 2 ;;
    --ebb) [ $# -ge 2 ] || { echo "asan-vs-checked-suite.sh: --ebb needs a value" >&2; exit 2; }; ebb=$2; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "asan-vs-checked-suite.sh: unknown option '$1' (--help lists them)" >&2; exit 2 ;;
  esac
done
case "$rounds" in ''|*[!0-9]*|0) echo "asan-vs-checked-suite.sh: --rounds must be a positive integer, not '$rounds'" >&2; exit 2 ;; esac
python3 -c "import sys; f=float(sys.argv[1]); sys.exit(0 if 0 < f < 1000 else 1)" "$scale" 2>/dev/null ||
  { echo "asan-vs-checked-suite.sh: --scale must be a number above 0, not '$scale'" >&2; exit 2; }
command -v gcc >/dev/null || { echo "asan-vs-checked-suite.sh: gcc is needed (with libasan)" >&2; exit 2; }
if [ -z "$ebb" ]; then
  ebb=$(find "$root/src" -name libebb.so -path '*Release*' -printf '%T@ %p\n' 2>/dev/null | sort -rn | head -1 | cut -d' ' -f2- || true)
fi
[ -n "$ebb" ] && [ -f "$ebb" ] || { echo "asan-vs-checked-suite.sh: no libebb.so (build src/Ebb.Native, or --ebb PATH)" >&2; exit 2; }
ebb=$(realpath "$ebb")

# name|program and arguments (the scale is added); break-heap and the cache tests are left out:
# the first measures resident memory, the others false sharing, neither an allocator's checks.
workloads=(
  "pairs|pairs"
  "larson|larson"
  "xmalloc-test|xmalloc-test"
  "mstress|mstress"
  "rptest|rptest"
  "alloc-test1|alloc-test -t 1"
  "alloc-testN|alloc-test"
  "glibc-simple|glibc-simple"
  "glibc-thread|glibc-thread"
)
selected=()
for w in "${workloads[@]}"; do
  name=${w%%|*}
  if [ -z "$only" ] || [[ ",$only," == *",$name,"* ]]; then selected+=("$w"); fi
done
[ ${#selected[@]} -gt 0 ] || { echo "asan-vs-checked-suite.sh: --only names no workload" >&2; exit 2; }

work=$(mktemp -d /tmp/ebb-asan-suite.XXXXXX)
trap 'rm -rf "$work"' EXIT
flags="-O2 -g -pthread -fno-builtin-malloc -fno-builtin-free -fno-builtin-calloc -fno-builtin-realloc -Wall"
for src in bench/c/*.c; do
  p=$(basename "$src" .c)
  gcc $flags -o "$work/$p" "$src" -lm
  gcc $flags -fsanitize=address -fno-omit-frame-pointer -o "$work/$p.asan" "$src" -lm
done

modes=(glibc ebb-release ebb-check asan asan-q16)
run_mode() { # mode program args... -> the program's report line
  local mode=$1; shift
  local prog=$1; shift
  case "$mode" in
    glibc) "$work/$prog" "$@" ;;
    ebb-release) LD_PRELOAD=$ebb "$work/$prog" "$@" ;;
    ebb-check) LD_PRELOAD=$ebb EBB_CHECK=1 "$work/$prog" "$@" ;;
    asan) ASAN_OPTIONS=detect_leaks=0 "$work/$prog.asan" "$@" ;;
    asan-q16) ASAN_OPTIONS=detect_leaks=0:quarantine_size_mb=16 "$work/$prog.asan" "$@" ;;
  esac
}

mkdir -p bench/results
stamp=$(date -u +%Y%m%dT%H%MZ)
out=bench/results/asan-suite-$stamp.md
raw=bench/results/asan-suite-$stamp.log
: > "$raw"
start=$(date +%s)
for r in $(seq "$rounds"); do
  for w in "${selected[@]}"; do
    name=${w%%|*}
    read -r -a cmd <<< "${w#*|}"
    n=${#modes[@]}
    for k in $(seq 0 $((n - 1))); do
      mode=${modes[$(((k + r) % n))]}
      if line=$(run_mode "$mode" "${cmd[@]}" -s "$scale" 2>/dev/null | grep '^workload='); then
        printf '%s\t%s\t%s\t%s\n' "$r" "$name" "$mode" "$line" >> "$raw"
      else
        printf '%s\t%s\t%s\tFAILED\n' "$r" "$name" "$mode" >> "$raw"
      fi
    done
  done
  echo "asan-vs-checked-suite.sh: round $r done after $(( $(date +%s) - start )) s" >&2
done

python3 - "$raw" "$out" "$rounds" "$scale" "$ebb" <<'PY'
import sys, statistics as st, collections, re, subprocess, platform, os
raw, out, rounds, scale, ebb = sys.argv[1:6]
cost = collections.defaultdict(dict)   # (round, workload) -> mode -> cost
failed = []
order = []
for line in open(raw):
    r, w, mode, rest = line.rstrip("\n").split("\t", 3)
    if w not in order: order.append(w)
    if rest == "FAILED":
        failed.append(f"round {r}, {w}, {mode}")
        continue
    f = dict(kv.split("=", 1) for kv in rest.split() if "=" in kv)
    fig, unit = float(f["figure"]), f["unit"]
    # A rate (per second) is inverted into a cost; ns/pair is a cost already.
    cost[(r, w)][mode] = 1.0 / fig if unit.endswith("/s") else fig
modes = ["glibc", "ebb-release", "ebb-check", "asan", "asan-q16"]
def ratios(w, a, b):
    return [c[a] / c[b] for (r, ww), c in cost.items() if ww == w and a in c and b in c]
def med(xs): return f"{st.median(xs):.2f}x" if xs else "-"
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), platform.machine())
load = open("/proc/loadavg").read().split()[:3]
with open(out, "w") as o:
    o.write(f"# Checked modes as whole programs: Ebb's EBB_CHECK=1 against AddressSanitizer\n\n")
    o.write(f"Machine: {cpu}, {os.cpu_count()} cores. Load average at the end: {' '.join(load)}.\n")
    o.write(f"Command: `bench/asan-vs-checked-suite.sh --rounds {rounds} --scale {scale}` (libebb.so: `{ebb}`).\n\n")
    o.write("Cost of each run against the same program's plain build under glibc (median of per-round ratios; "
            "time per unit of work, so 2.00x is twice as slow). ASan: the program rebuilt with -fsanitize=address "
            "(every load and store checked); Ebb: the plain build with libebb.so preloaded and EBB_CHECK=1 "
            "(quarantine 16 MiB, stacks recorded, redzones and freed contents checked, at malloc and free only).\n\n")
    o.write("| workload | Ebb release | Ebb EBB_CHECK=1 | ASan default | ASan quarantine 16 MiB | Ebb check / ASan default | Ebb check / ASan q16 |\n")
    o.write("|---|---:|---:|---:|---:|---:|---:|\n")
    for w in order:
        o.write(f"| {w} | {med(ratios(w, 'ebb-release', 'glibc'))} | {med(ratios(w, 'ebb-check', 'glibc'))} | "
                f"{med(ratios(w, 'asan', 'glibc'))} | {med(ratios(w, 'asan-q16', 'glibc'))} | "
                f"{med(ratios(w, 'ebb-check', 'asan'))} | {med(ratios(w, 'ebb-check', 'asan-q16'))} |\n")
    if failed:
        o.write("\nFailed runs: " + "; ".join(failed) + "\n")
    o.write("\nRaw lines: " + os.path.basename(raw.replace(".md", ".log")) + "\n")
print(open(out).read())
PY
echo "asan-vs-checked-suite.sh: report written to $out, raw lines to $raw" >&2
