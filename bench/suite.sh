#!/usr/bin/env bash
# The multi-threaded suite: C# ports of mimalloc-bench's programs (larson, xmalloc-test, mstress,
# rptest, alloc-test, cache-scratch, cache-thrash, glibc simple/thread) against Ebb, mimalloc
# (P/Invoke), glibc, jemalloc and tcmalloc (LD_PRELOAD), each run in a child process of its own,
# rounds interleaved. Installs the allocators it compares against (when root and missing), builds
# Release, and writes a markdown report with the machine, date, command and load average to
# bench/results/suite-<UTC time>.md, and every child's figures to the .log beside it.
#   bench/suite.sh                                   everything, 3 rounds (about 5 minutes on 2 cores)
#   bench/suite.sh --rounds 5 --only larson,mstress  any option of `Ebb.Benchmarks suite` (--scale F, --contenders LIST)
set -euo pipefail
cd "$(dirname "$0")/.."

bench/install-allocators.sh suite.sh

dotnet build bench/Ebb.Benchmarks -c Release -nologo -v q
dll=bench/Ebb.Benchmarks/bin/Release/net10.0/Ebb.Benchmarks.dll

mkdir -p bench/results
stamp=$(date -u +%Y%m%dT%H%MZ)
out=bench/results/suite-$stamp.md
log=bench/results/suite-$stamp.log
model=$(lscpu | sed -n 's/^Model name:[[:space:]]*//p' | head -1)
{
  echo "Machine: ${model:-unknown CPU}, $(nproc) cores ($(lscpu | sed -n 's/^Thread(s) per core:[[:space:]]*//p') thread(s) per core), $(free -g | awk '/^Mem:/{print $2}') GiB;" \
       "kernel $(uname -r); glibc $(ldd --version | head -1 | awk '{print $NF}');" \
       "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)."
  echo "Date: $(date -u '+%Y-%m-%d %H:%M UTC')."
  echo "Command: \`bench/suite.sh $*\` (= \`dotnet $dll suite $*\`)."
  echo
} > "$out"

rc=0
dotnet "$dll" suite "$@" --markdown "$out.body" 2> >(tee "$log" >&2) >/dev/null || rc=$?
[ -e "$out.body" ] && cat "$out.body" >> "$out"
rm -f "$out.body"
echo "Load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)." >> "$out"
echo "suite.sh: report written to $out, raw log to $log" >&2
exit $rc
