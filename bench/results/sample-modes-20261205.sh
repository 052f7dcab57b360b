#!/usr/bin/env bash
# Release against sampled-mode variants on the .NET suite, one child per mode per round, order rotating.
# MODES: space-separated names; each name's environment is in the case below. SCALE, DLL as in sample-suite-20261205.sh.
#   MODES="R S N" bench/results/sample-modes-20261205.sh ROUNDS [WORKLOAD...]
set -u
rounds=${1:-4}; shift
ws=${*:-larson xmalloc-test mstress rptest alloc-test1 alloc-testN glibc-simple glibc-thread}
d=${DLL:-bench/Ebb.Benchmarks/bin/Release/net10.0/Ebb.Benchmarks.dll}
read -r -a modes <<< "${MODES:-R S N}"
envof() { case $1 in R) echo "EBB_NOTHING=1";; S) echo "EBB_GUARD=sample";; N) echo "EBB_GUARD=sample EBB_STACKS=0";; X) echo "EBB_GUARD=sample:1000000000";; esac; }
n=${#modes[@]}
for r in $(seq $rounds); do
  for w in $ws; do
    for k in $(seq 0 $((n - 1))); do
      c=${modes[$(( (k + r) % n ))]}
      out=$(env $(envof $c) dotnet $d suite-child $w --allocator ebb --scale ${SCALE:-1} 2>/dev/null)
      s=$(echo "$out" | awk -F'\t' '$2=="seconds"{print $3}'); f=$(echo "$out" | awk -F'\t' '$2=="figure"{print $3}'); cpu=$(echo "$out" | awk -F'\t' '$2=="cpu seconds"{print $3}'); g=$(echo "$out" | awk -F'\t' '$2=="guarded blocks"{print $3}')
      echo -e "$r\t$w\t$c\t$s\t$f\t$cpu\t${g:-0}"
    done
  done
done
