#!/usr/bin/env bash
# Release (R, build NEW) against EBB_GUARD=sample in two builds (S: NEW, O: OLD), one child each per round, order rotating.
#   NEW=dir OLD=dir SCALE=F bench/results/sample-ab-20261205.sh ROUNDS [WORKLOAD...]
# Output columns as sample-modes-20261205.sh (summarise with sample-modes-summary.py).
set -u
rounds=${1:-4}; shift
ws=${*:-larson xmalloc-test mstress rptest alloc-test1 alloc-testN glibc-simple glibc-thread}
modes=(R S O)
for r in $(seq $rounds); do
  for w in $ws; do
    for k in 0 1 2; do
      c=${modes[$(( (k + r) % 3 ))]}
      case $c in R) e="EBB_NOTHING=1"; d=$NEW;; S) e="EBB_GUARD=sample"; d=$NEW;; O) e="EBB_GUARD=sample"; d=$OLD;; esac
      out=$(env $e dotnet $d/Ebb.Benchmarks.dll suite-child $w --allocator ebb --scale ${SCALE:-1} 2>/dev/null)
      s=$(echo "$out" | awk -F'\t' '$2=="seconds"{print $3}'); f=$(echo "$out" | awk -F'\t' '$2=="figure"{print $3}'); cpu=$(echo "$out" | awk -F'\t' '$2=="cpu seconds"{print $3}'); g=$(echo "$out" | awk -F'\t' '$2=="guarded blocks"{print $3}')
      echo -e "$r\t$w\t$c\t$s\t$f\t$cpu\t${g:-0}"
    done
  done
done
