#!/usr/bin/env bash
# ebb pmap -X against procps pmap -X on one process with 50,000 mappings, side by side.
#
#   bench/pmap/run.sh [--mappings N] [--runs N] [--r2r] [--no-build]
#
# Starts tests/Ebb.Cli.Tests/native/pmap-subject.c (built with cc into a temp dir) with N
# anonymous mappings of alternating protection (the kernel cannot merge them), stopped, and
# times `pmap -X PID` and `ebb pmap -X PID` (the built apphost, src/Ebb.Cli/bin/Release/net10.0/Ebb.Cli;
# with --r2r also a ReadyToRun publish of it) with hyperfine, interleaved rounds otherwise.
# Prints mean wall times and the ratio ebb/procps. The subject is killed on exit.
set -euo pipefail
cd "$(dirname "$0")/../.."
mappings=50000 runs=10 r2r=0 build=1
while [ $# -gt 0 ]; do
  case "$1" in
    --mappings) mappings=$2; shift ;;
    --runs) runs=$2; shift ;;
    --r2r) r2r=1 ;;
    --no-build) build=0 ;;
    *) echo "usage: $0 [--mappings N] [--runs N] [--r2r] [--no-build]" >&2; exit 2 ;;
  esac
  shift
done
command -v pmap >/dev/null || { echo "run.sh: procps pmap is not installed" >&2; exit 1; }
if ! command -v hyperfine >/dev/null && [ "$(id -u)" = 0 ]; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq hyperfine >/dev/null 2>&1 || true
fi
work=$(mktemp -d)
subject_pid=
cleanup() { [ -n "$subject_pid" ] && kill -9 "$subject_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

if [ $build = 1 ]; then dotnet build src/Ebb.Cli -c Release -v q -nologo >/dev/null; fi
ebb=src/Ebb.Cli/bin/Release/net10.0/Ebb.Cli
commands=("pmap -X PID" "$ebb pmap -X PID")
if [ $r2r = 1 ]; then
  dotnet publish src/Ebb.Cli -c Release -r linux-x64 --self-contained false -p:PublishReadyToRun=true -o "$work/r2r" -v q -nologo >/dev/null
  commands+=("$work/r2r/Ebb.Cli pmap -X PID")
fi

cc -O1 -pthread -o "$work/subject" tests/Ebb.Cli.Tests/native/pmap-subject.c
mkdir "$work/files"
"$work/subject" "$work/files" "$mappings" > "$work/pid" 2>/dev/null < /dev/null &
subject_pid=$!
while [ ! -s "$work/pid" ]; do sleep 0.1; done
pid=$(cat "$work/pid")
while [ "$(awk '{print $3}' "/proc/$pid/stat")" != T ]; do sleep 0.1; done
echo "subject: pid $pid, $(wc -l < "/proc/$pid/maps") mappings; $(nproc) cores; $(pmap -V)"

# The outputs must agree (Pss may move between reads: compare them without the Pss columns).
strip_pss() { awk 'NR==2 { for (i=1;i<=NF;i++) if ($i ~ /^(Pss|SwapPss)/) skip[i]=1 } { n=0; for (i=1;i<=NF;i++) if (!skip[i-0]) printf "%s ", $i; print "" }'; }
if ! diff <(pmap -X "$pid" | strip_pss) <("$ebb" pmap -X "$pid" | strip_pss) >/dev/null; then
  echo "run.sh: ebb pmap -X and pmap -X disagree beyond Pss" >&2; exit 1
fi

cmds=("${commands[@]//PID/$pid}")
if command -v hyperfine >/dev/null; then
  hyperfine -N -w 2 -r "$runs" --export-csv "$work/times.csv" "${cmds[@]}" | grep -vE '^\s*$'
  means=$(awk -F, 'NR>1 { print $2 }' "$work/times.csv")
else
  # No hyperfine: interleaved rounds, so that load from other processes hits every command alike.
  declare -a total
  for ((r = 0; r < runs; r++)); do
    for i in "${!cmds[@]}"; do
      t0=$(date +%s%N); ${cmds[$i]} > /dev/null; t1=$(date +%s%N)
      total[$i]=$(( ${total[$i]:-0} + t1 - t0 ))
    done
  done
  means=$(for i in "${!cmds[@]}"; do awk -v t="${total[$i]}" -v n="$runs" 'BEGIN { printf "%.6f\n", t / n / 1e9 }'; done)
  i=0; for m in $means; do echo "${cmds[$i]}: mean $m s"; i=$((i+1)); done
fi
base=$(echo "$means" | sed -n 1p)
i=0
for m in $means; do
  if [ $i -gt 0 ]; then awk -v a="$m" -v b="$base" -v c="${commands[$i]}" 'BEGIN { printf "ratio %s / procps: %.2f\n", c, a / b }'; fi
  i=$((i+1))
done
