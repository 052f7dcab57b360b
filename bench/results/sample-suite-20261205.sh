#!/usr/bin/env bash
# release (R) against the default sampled mode (S: EBB_GUARD=sample) on the suite, one child each per round, order alternating
set -u
rounds=${1:-6}; shift
ws=${*:-larson xmalloc-test mstress rptest alloc-test1 alloc-testN glibc-simple glibc-thread}
d=${DLL:-bench/Ebb.Benchmarks/bin/Release/net10.0/Ebb.Benchmarks.dll}
for r in $(seq $rounds); do
  for w in $ws; do
    order="R S"; [ $((r % 2)) = 0 ] && order="S R"
    for c in $order; do
      if [ $c = S ]; then out=$(EBB_GUARD=sample dotnet $d suite-child $w --allocator ebb --scale ${SCALE:-1} 2>/dev/null); else out=$(dotnet $d suite-child $w --allocator ebb --scale ${SCALE:-1} 2>/dev/null); fi
      s=$(echo "$out" | awk -F'\t' '$2=="seconds"{print $3}'); f=$(echo "$out" | awk -F'\t' '$2=="figure"{print $3}'); cpu=$(echo "$out" | awk -F'\t' '$2=="cpu seconds"{print $3}')
      echo -e "$r\t$w\t$c\t$s\t$f\t$cpu"
    done
  done
done
