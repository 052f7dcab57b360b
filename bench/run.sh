#!/usr/bin/env bash
# Ebb's benchmarks in one go: installs the allocators it compares against (when root and missing),
# builds Release, runs the quick side-by-side runner and writes a markdown report with the machine,
# date and command to bench/results/quick-<UTC time>.md (the figures that go into docs/benchmarks.md).
#   bench/run.sh                  everything (about 10 minutes on 2 cores)
#   bench/run.sh --rounds 3 --only pairs,pc     any option of `Ebb.Benchmarks quick`
# Set EBB_BENCH_HYPERFINE=1 to add whole-process wall times of the mixed workload, by hyperfine.
set -euo pipefail
cd "$(dirname "$0")/.."

bench/install-allocators.sh run.sh hyperfine

dotnet build bench/Ebb.Benchmarks -c Release -nologo -v q
dll=bench/Ebb.Benchmarks/bin/Release/net10.0/Ebb.Benchmarks.dll

mkdir -p bench/results
stamp=$(date -u +%Y%m%dT%H%MZ)
out=bench/results/quick-$stamp.md
model=$(lscpu | sed -n 's/^Model name:[[:space:]]*//p' | head -1)
{
  echo "Machine: ${model:-unknown CPU}, $(nproc) cores ($(lscpu | sed -n 's/^Thread(s) per core:[[:space:]]*//p') thread(s) per core), $(free -g | awk '/^Mem:/{print $2}') GiB;" \
       "kernel $(uname -r); glibc $(ldd --version | head -1 | awk '{print $NF}');" \
       "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)."
  echo "Date: $(date -u '+%Y-%m-%d %H:%M UTC')."
  echo "Command: \`bench/run.sh $*\` (= \`dotnet $dll quick $*\`)."
  echo
} > "$out"

dotnet "$dll" quick "$@" --markdown "$out.body"
cat "$out.body" >> "$out"
rm -f "$out.body"

if [ "${EBB_BENCH_HYPERFINE:-0}" = 1 ] && command -v hyperfine >/dev/null 2>&1; then
  cmds=(-n glibc "dotnet $dll child mixed --contender nativememory")
  for lib in libmimalloc.so.2 libjemalloc.so.2 libtcmalloc_minimal.so.4; do
    [ -e "$libdir/$lib" ] && cmds+=(-n "${lib%%.so*}" "env LD_PRELOAD=$libdir/$lib dotnet $dll child mixed --contender nativememory")
  done
  if dotnet "$dll" child mixed --contender ebb >/dev/null 2>&1; then
    cmds+=(-n ebb "dotnet $dll child mixed --contender ebb")
  fi
  hyperfine --warmup 1 --runs 5 --export-markdown "$out.hf" "${cmds[@]}" >&2
  { echo "### Mixed workload, whole process (hyperfine, 5 runs)"; echo; cat "$out.hf"; echo; } >> "$out"
  rm -f "$out.hf"
fi

echo "run.sh: report written to $out" >&2
