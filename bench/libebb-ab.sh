#!/usr/bin/env bash
# Side-by-side C pair loop (bench/c/pairs.c) for two or more libebb.so builds and mimalloc, each
# preloaded into one process per round, rounds interleaved: the A/B for a change to libebb.so's
# malloc or free. Prints per size (16, 64, 256, 1024 B) the median and minimum ns a pair over the
# rounds and the medians' ratio to mimalloc; the raw lines go to the file given with --raw.
#   bench/libebb-ab.sh ROUNDS LIB.so [LIB.so ...] [--raw FILE]
#   bench/libebb-ab.sh 9 /tmp/before/libebb.so src/Ebb.Native/bin/Release/net10.0/libebb.so
set -euo pipefail
cd "$(dirname "$0")/.."
usage() { sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'; }
rounds=${1:-}
case "$rounds" in ''|*[!0-9]*|0) usage >&2; exit 2;; esac
shift
libs=(); raw=""
while [ $# -gt 0 ]; do
  case "$1" in
    --raw) [ $# -ge 2 ] || { echo "libebb-ab.sh: --raw needs a file" >&2; exit 2; }; raw=$2; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) [ -f "$1" ] || { echo "libebb-ab.sh: no such library: $1" >&2; exit 2; }; libs+=("$(realpath "$1")"); shift ;;
  esac
done
[ ${#libs[@]} -ge 1 ] || { usage >&2; exit 2; }
mimalloc=/usr/lib/x86_64-linux-gnu/libmimalloc.so.2
[ -f "$mimalloc" ] || { echo "libebb-ab.sh: $mimalloc is missing (apt-get install libmimalloc2.0)" >&2; exit 2; }
command -v gcc >/dev/null || { echo "libebb-ab.sh: gcc is needed" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
gcc -O2 -pthread -fno-builtin-malloc -fno-builtin-free -o "$work/pairs" bench/c/pairs.c -lm
out=${raw:-$work/raw}
: > "$out"
all=("${libs[@]}" "$mimalloc")
n=${#all[@]}
for r in $(seq "$rounds"); do
  # The order rotates each round: the first process of a round tends to run slower.
  for k in $(seq 0 $((n - 1))); do
    i=$(((k + r) % n))
    lib=${all[$i]}
    name=$([ "$lib" = "$mimalloc" ] && echo mimalloc || echo "lib$i")
    line=$(LD_PRELOAD=$lib "$work/pairs")
    echo "$name $(echo "$line" | grep -o 'ns_[0-9]*=[0-9.]*' | cut -d= -f2 | tr '\n' ' ')" >> "$out"
  done
done
i=0
for lib in "${libs[@]}"; do echo "lib$i = $lib"; i=$((i + 1)); done
echo "$(date -u '+%Y-%m-%d %H:%M UTC'), load $(cut -d' ' -f1-3 /proc/loadavg), $rounds rounds"
python3 - "$out" <<'PY'
import sys, statistics as st, collections
d = collections.OrderedDict()
for line in open(sys.argv[1]):
    f = line.split()
    if len(f) == 5: d.setdefault(f[0], []).append([float(x) for x in f[1:]])
ref = [st.median(c) for c in zip(*d["mimalloc"])]
print("| build | median ns at 16 / 64 / 256 / 1024 B | minimum | median / mimalloc's |")
print("|---|---|---|---|")
for k, v in sorted(d.items(), key=lambda kv: (kv[0] == "mimalloc", kv[0])):
    med = [st.median(c) for c in zip(*v)]
    mn = [min(c) for c in zip(*v)]
    print(f"| {k} | {' / '.join(f'{x:.2f}' for x in med)} | {' / '.join(f'{x:.2f}' for x in mn)} | {' / '.join(f'{a / b:.2f}' for a, b in zip(med, ref))} |")
PY
