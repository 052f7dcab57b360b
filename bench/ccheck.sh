#!/usr/bin/env bash
# What a C programmer has without recompiling, side by side: libebb.so's checked and guarded
# modes (LD_PRELOAD), valgrind's memcheck and Electric Fence (Debian's libefence preloaded), and
# glibc's own malloc checks, on
#   - the C pair loop (bench/c/pairs.c: batches of 100 malloc+free at 16, 64, 256, 1024 B): ns
#     a pair, the median of REPS processes (each the best of 5 runs a size; slow tools run fewer
#     pairs, -s SCALE below);
#   - the one-error programs of tests/Ebb.Preload.Tests/c/errors.c: which tool stops or flags
#     each (a non-zero exit: a report and abort, a fault, valgrind's --error-exitcode, the leak
#     exit code).
#   bench/ccheck.sh [REPS]        (default 3; about 2 minutes on 2 cores)
# Writes the tables to stdout and the run (tables and raw lines) to bench/results/ccheck-<UTC>.md.
set -euo pipefail
cd "$(dirname "$0")/.."
reps=${1:-3}
case "$reps" in ''|*[!0-9]*|0) echo "ccheck.sh: REPS must be a positive integer, not '$reps'" >&2; exit 2;; esac
command -v gcc >/dev/null || { echo "ccheck.sh: gcc is needed (apt-get install gcc)" >&2; exit 2; }

ebb=${EBB_PRELOAD_LIB:-$PWD/src/Ebb.Native/bin/Release/net10.0/libebb.so}
[ -f "$ebb" ] || dotnet build src/Ebb.Native -c Release -nologo -v q >/dev/null
[ -f "$ebb" ] || { echo "ccheck.sh: no libebb.so at $ebb (build src/Ebb.Native; it needs a C compiler)" >&2; exit 2; }
efence=""
for f in /usr/lib/libefence.so.0 /usr/lib/libefence.so.0.0 /usr/lib/x86_64-linux-gnu/libefence.so.0; do
  [ -f "$f" ] && { efence=$f; break; }
done
[ -n "$efence" ] || echo "ccheck.sh: Electric Fence is not installed (apt-get install electric-fence): its columns are left out" >&2
command -v valgrind >/dev/null || echo "ccheck.sh: valgrind is not installed (apt-get install valgrind): its columns are left out" >&2

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
gcc -O2 -g -Ibench/c -o "$work/pairs" bench/c/pairs.c -lm -pthread
gcc -O2 -g -fno-builtin -Wall -o "$work/errors" tests/Ebb.Preload.Tests/c/errors.c

# name | scale of the pair loop | how to run a command under the tool
tools=(
  "glibc|1|env"
  "ebb release|1|env LD_PRELOAD=$ebb"
  "ebb EBB_CHECK=1|0.05|env LD_PRELOAD=$ebb EBB_CHECK=1 EBB_LEAKS=1"
  "ebb EBB_CHECK=1 EBB_STACKS=0|0.05|env LD_PRELOAD=$ebb EBB_CHECK=1 EBB_STACKS=0"
  "ebb EBB_GUARD=all|0.002|env LD_PRELOAD=$ebb EBB_GUARD=all"
  "ebb EBB_GUARD=sample|1|env LD_PRELOAD=$ebb EBB_GUARD=sample"
  "ebb EBB_GUARD=sample:1|0.002|env LD_PRELOAD=$ebb EBB_GUARD=sample:1"
)
command -v valgrind >/dev/null &&
  tools+=("valgrind memcheck|0.002|valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite")
[ -n "$efence" ] && tools+=("Electric Fence|0.0005|env LD_PRELOAD=$efence")

out=$work/pairs.txt
for r in $(seq "$reps"); do
  for t in "${tools[@]}"; do
    IFS='|' read -r name scale run <<<"$t"
    line=$($run "$work/pairs" -s "$scale" 2>/dev/null | grep '^workload=pairs' || true)
    echo "$name|$line" >> "$out"
  done
done

scen=$work/scenarios.txt
scenarios=(overflow underflow double-free use-after-free read-after-free guard-overflow interior-free stack-free global-free leak)
for t in "${tools[@]}"; do
  IFS='|' read -r name scale run <<<"$t"
  [ "$name" = "ebb release" ] && continue
  for s in "${scenarios[@]}"; do
    set +e
    $run "$work/errors" "$s" >/dev/null 2>&1
    code=$?
    set -e
    echo "$name|$s|$code" >> "$scen"
  done
done

stamp=$(date -u +%Y%m%dT%H%MZ)
result=bench/results/ccheck-$stamp.md
{
  echo "# bench/ccheck.sh, $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo
  echo "Load average at the end: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) CPUs; $reps processes a tool; $(gcc --version | head -1)."
  command -v valgrind >/dev/null && echo "valgrind: $(valgrind --version)."
  [ -n "$efence" ] && echo "Electric Fence: $efence ($(dpkg-query -W -f '${Version}' electric-fence 2>/dev/null || echo '?'))."
  echo
  python3 - "$out" "$scen" <<'PY'
import sys, statistics as st, re
rows, order = {}, []
for line in open(sys.argv[1]):
    name, rest = line.rstrip("\n").split("|", 1)
    if name not in order: order.append(name)
    m = dict(re.findall(r"(\w+)=([0-9.]+)", rest))
    if m: rows.setdefault(name, []).append(m)
print("## The pair loop (ns a malloc+free pair, median of the processes)\n")
print("| tool | 16 B | 64 B | 256 B | 1024 B | geometric mean | x ebb release |")
print("|---|---:|---:|---:|---:|---:|---:|")
base = st.median(float(m["figure"]) for m in rows.get("ebb release", [{"figure": "nan"}]))
for name in order:
    ms = rows.get(name)
    if not ms:
        print(f"| {name} | (failed) | | | | | |"); continue
    med = lambda k: st.median(float(m[k]) for m in ms)
    g = med("figure")
    print(f"| {name} | " + " | ".join(f"{med('ns_' + s):,.0f}" for s in ("16", "64", "256", "1024")) + f" | {g:,.0f} | {g / base:,.0f}x |")
codes, tools, scen = {}, [], []
for line in open(sys.argv[2]):
    name, s, code = line.rstrip("\n").split("|")
    if name not in tools: tools.append(name)
    if s not in scen: scen.append(s)
    codes[(name, s)] = int(code)
def cell(c):
    if c == 0: return "-"
    if c == 23: return "yes (exit 23)"
    if c == 99: return "yes (report)"
    if c == 139: return "yes (fault)"
    if c == 134: return "yes (abort)"
    return f"yes (exit {c})"
print("\n## Which tool catches which error (errors.c; '-': ran to the end unnoticed)\n")
print("| scenario | " + " | ".join(tools) + " |")
print("|---|" + "---|" * len(tools))
for s in scen:
    print(f"| {s} | " + " | ".join(cell(codes.get((t, s), 0)) for t in tools) + " |")
PY
  echo
  echo "## Raw lines"
  echo
  echo '```'
  cat "$out"
  cat "$scen"
  echo '```'
} > "$result"
sed -n '/^## The pair loop/,/^## Raw lines/p' "$result" | sed '$d'
echo "written: $result"
