#!/usr/bin/env bash
# The C workloads of bench/c (our own versions of mimalloc-bench's programs, the pair loop and
# the break-heap scenario) run with each allocator preloaded: glibc (no preload), libebb.so (when
# found), mimalloc, jemalloc, tcmalloc. Rounds are interleaved (every workload with every
# allocator, then the next round, the allocators' order rotating), and the report gives per
# workload the median figure, time and peak RSS per allocator, and ratios against mimalloc and
# glibc. It is printed and written to bench/results/preload-<UTC time>.md, the raw lines beside it.
#
#   bench/preload.sh                         every workload, 3 rounds (3.5-5 minutes on 2 cores; --real adds 3)
#   bench/preload.sh --rounds 5 --only pairs,larson --contenders glibc,mimalloc
#   bench/preload.sh --ebb path/to/libebb.so  (or EBB_PRELOAD_LIB; else the newest Release libebb.so under src/, native/, tests/)
#   bench/preload.sh --real                  also redis-server + redis-benchmark, sqlite3, python3, gcc
#   bench/preload.sh --real --only redis,gcc  only those real programs
#   bench/preload.sh --list                  the workloads and what each runs
#
# Figures: the workloads that run for a fixed time (larson, xmalloc-test, glibc-thread) report a
# rate; the others report a rate over fixed work (their time is in the time table). A ratio is a
# cost ratio: below 1 means cheaper than the reference (faster, or for break-heap, less resident).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
args="$*"

rounds=3
only=""
contenders=""
ebb=${EBB_PRELOAD_LIB:-}
real=0
libdir=/usr/lib/x86_64-linux-gnu

usage() { sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'; }

# name|program and arguments. Scales keep each run near a second on 2 cores with glibc.
workloads=(
  "pairs|pairs"
  "larson|larson"
  "xmalloc-test|xmalloc-test"
  "mstress|mstress"
  "rptest|rptest -s 0.25"
  "alloc-test1|alloc-test -t 1"
  "alloc-testN|alloc-test"
  "cache-scratch1|cache-scratch -t 1"
  "cache-scratchN|cache-scratch"
  "cache-thrash1|cache-thrash -t 1"
  "cache-thrashN|cache-thrash"
  "glibc-simple|glibc-simple"
  "glibc-thread|glibc-thread"
  "break-heap|break-heap"
)

while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) rounds=$2; shift 2 ;;
    --only) only=$2; shift 2 ;;
    --contenders) contenders=$2; shift 2 ;;
    --ebb) ebb=$2; shift 2 ;;
    --real) real=1; shift ;;
    --list) for w in "${workloads[@]}"; do echo "${w%%|*}: ${w#*|}"; done
            echo "with --real: redis, sqlite3, python3, gcc (bench/c/real-programs.sh)"; exit 0 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "preload.sh: unknown option '$1' (--help lists them)" >&2; exit 2 ;;
  esac
done
case "$rounds" in ''|*[!0-9]*|0) echo "preload.sh: --rounds must be a positive integer, not '$rounds'" >&2; exit 2 ;; esac
command -v gcc >/dev/null || { echo "preload.sh: gcc is needed to build bench/c (apt-get install gcc)" >&2; exit 2; }
command -v python3 >/dev/null || { echo "preload.sh: python3 is needed for the report" >&2; exit 2; }

if [ "$real" = 1 ]; then bench/install-allocators.sh preload.sh redis-server sqlite3 || true
else bench/install-allocators.sh preload.sh || true; fi

# libebb.so: --ebb, EBB_PRELOAD_LIB, or the newest one a build left under the repository.
if [ -z "$ebb" ]; then
  ebb=$(find "$root/src" "$root/native" "$root/tests" -name libebb.so -path '*Release*' -printf '%T@ %p\n' 2>/dev/null | sort -rn | head -1 | cut -d' ' -f2- || true)
fi
[ -z "$ebb" ] || [ -f "$ebb" ] || { echo "preload.sh: no libebb.so at '$ebb'" >&2; exit 2; }
# Absolute: the programs run in a temporary folder, where a relative LD_PRELOAD finds nothing (and
# the loader only warns, so the run would silently measure glibc).
[ -z "$ebb" ] || ebb=$(realpath "$ebb")

# The contenders that exist here, in the report's order.
declare -A lib=([glibc]="" [ebb]="$ebb" [mimalloc]="$libdir/libmimalloc.so.2" [jemalloc]="$libdir/libjemalloc.so.2" [tcmalloc]="$libdir/libtcmalloc_minimal.so.4")
all=(glibc ebb mimalloc jemalloc tcmalloc)
chosen=()
for c in "${all[@]}"; do
  if [ -n "$contenders" ] && [[ ",$contenders," != *",$c,"* ]]; then continue; fi
  if [ "$c" = ebb ] && [ -z "$ebb" ]; then
    [ -n "$contenders" ] && echo "preload.sh: ebb asked for but no libebb.so found (--ebb PATH or EBB_PRELOAD_LIB)" >&2
    continue
  fi
  if [ "$c" != glibc ] && [ ! -e "${lib[$c]}" ]; then echo "preload.sh: ${lib[$c]} missing, $c left out" >&2; continue; fi
  chosen+=("$c")
done
if [ -n "$contenders" ]; then
  for c in ${contenders//,/ }; do [[ " ${all[*]} " == *" $c "* ]] || { echo "preload.sh: unknown contender '$c' (known: ${all[*]})" >&2; exit 2; }; done
fi
[ ${#chosen[@]} -gt 0 ] || { echo "preload.sh: no contender left to run" >&2; exit 2; }
# Each library must really load: the loader only warns when it cannot, and the run would measure glibc.
for c in "${chosen[@]}"; do
  [ "$c" = glibc ] && continue
  if LD_PRELOAD="${lib[$c]}" /bin/true 2>&1 | grep -q "cannot be preloaded"; then
    echo "preload.sh: ${lib[$c]} cannot be preloaded ($c)" >&2; exit 2
  fi
done

# --only names workloads and, with --real, real programs; without --only, all of them run.
real_programs=(redis sqlite3 python3 gcc)
selected=()
for w in "${workloads[@]}"; do
  name=${w%%|*}
  if [ -z "$only" ] || [[ ",$only," == *",$name,"* ]]; then selected+=("$w"); fi
done
selected_real=()
for p in "${real_programs[@]}"; do
  if [ -z "$only" ] || [[ ",$only," == *",$p,"* ]]; then selected_real+=("$p"); fi
done
if [ -n "$only" ]; then
  for o in ${only//,/ }; do
    printf '%s\n' "${workloads[@]}" | grep -q "^$o|" || [[ " ${real_programs[*]} " == *" $o "* ]] ||
      { echo "preload.sh: unknown workload '$o' (--list names them)" >&2; exit 2; }
  done
fi

[ "$real" = 1 ] || selected_real=()
[ ${#selected[@]} -gt 0 ] || [ ${#selected_real[@]} -gt 0 ] ||
  { echo "preload.sh: nothing to run (real programs need --real)" >&2; exit 2; }

# Build: one binary per program, -O2 as a real program is built; the malloc family is kept as
# calls (gcc may otherwise drop a malloc+free pair whose block is never read).
bin=$(mktemp -d /tmp/ebb-preload-bench.XXXXXX)
trap 'rm -rf "$bin"' EXIT
for src in bench/c/*.c; do
  gcc -O2 -g -pthread -fno-builtin-malloc -fno-builtin-free -fno-builtin-calloc -fno-builtin-realloc \
      -Wall -o "$bin/$(basename "$src" .c)" "$src" -lm
done

mkdir -p bench/results
stamp=$(date -u +%Y%m%dT%H%MZ)
out=$root/bench/results/preload-$stamp.md
raw=$root/bench/results/preload-$stamp.log
: > "$raw"

# One run: prints "round<TAB>allocator<TAB>result line" to the raw log (or a FAIL line).
run_one() {
  local r=$1 c=$2 name=$3 cmd=$4 line rc=0
  line=$(cd "$bin" && LD_PRELOAD="${lib[$c]}" ./$cmd 2>>"$raw.stderr") || rc=$?
  if [ $rc -ne 0 ] || [[ "$line" != workload=* ]]; then
    printf '%s\t%s\tFAIL workload=%s exit=%s\n' "$r" "$c" "$name" "$rc" >> "$raw"
    echo "preload.sh: $name with $c failed (exit $rc)" >&2
  else
    # The program's own name (cache-thrash1 ...) is replaced by the workload's, which is unique.
    printf '%s\t%s\t%s\n' "$r" "$c" "$(sed "s/^workload=[^ ]*/workload=$name/" <<< "$line")" >> "$raw"
  fi
}

start=$(date +%s)
echo "preload.sh: ${#selected[@]} workloads x ${#chosen[@]} allocators (${chosen[*]}) x $rounds rounds" >&2
for r in $(seq "$rounds"); do
  [ ${#selected[@]} -gt 0 ] || break
  for w in ${selected[@]+"${selected[@]}"}; do
    name=${w%%|*}; cmd=${w#*|}
    n=${#chosen[@]}
    for i in $(seq 0 $((n - 1))); do
      c=${chosen[$(((i + r + ${#name}) % n))]} # the order rotates with the round (and the workload)
      run_one "$r" "$c" "$name" "$cmd"
    done
  done
  echo "preload.sh: round $r done after $(( $(date +%s) - start )) s" >&2
done

# Real programs, each contender once per round, interleaved the same way.
if [ "$real" = 1 ]; then
  . bench/c/real-programs.sh
  for r in $(seq "$rounds"); do
    for prog in ${selected_real[@]+"${selected_real[@]}"}; do
      n=${#chosen[@]}
      for i in $(seq 0 $((n - 1))); do
        c=${chosen[$(((i + r) % n))]}
        line=$(real_"$prog" "${lib[$c]}" "$bin" 2>>"$raw.stderr") || line=""
        if [[ "$line" == workload=* ]]; then printf '%s\t%s\t%s\n' "$r" "$c" "$line" >> "$raw"
        elif [ -n "$line" ]; then printf '%s\t%s\t%s\n' "$r" "$c" "$line" >> "$raw"
        else printf '%s\t%s\tFAIL workload=%s exit=1\n' "$r" "$c" "$prog" >> "$raw"; fi
      done
    done
    echo "preload.sh: real programs, round $r done after $(( $(date +%s) - start )) s" >&2
  done
fi

model=$(lscpu | sed -n 's/^Model name:[[:space:]]*//p' | head -1)
{
  echo "# LD_PRELOAD benchmarks, $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo
  echo "Machine: ${model:-unknown CPU}, $(nproc) cores, $(free -g | awk '/^Mem:/{print $2}') GiB; kernel $(uname -r);" \
       "glibc $(ldd --version | head -1 | awk '{print $NF}'); gcc $(gcc -dumpfullversion). Load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)."
  echo "Command: \`bench/preload.sh $args\` ($rounds rounds, $(( $(date +%s) - start )) s)."
  for c in "${chosen[@]}"; do
    if [ "$c" = glibc ]; then echo "- glibc: no preload ($(ldd --version | head -1))"
    else echo "- $c: \`${lib[$c]}\` ($(readlink -f "${lib[$c]}" | xargs basename))"; fi
  done
  echo
  python3 bench/c/report.py "$raw" "${chosen[@]}"
} > "$out"
cat "$out"
[ -s "$raw.stderr" ] || rm -f "$raw.stderr"
echo "preload.sh: report written to $out, raw lines to $raw" >&2
