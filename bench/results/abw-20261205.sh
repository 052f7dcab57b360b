#!/bin/bash
# usage: abw.sh ROUNDS "w1 w2" "v1 v2" [allocator]  -> prints TSV: round workload build figure seconds rssMiB
R=$1; W=$2; V=$3; A=${4:-ebb}
for r in $(seq 1 $R); do for w in $W; do for v in $V; do
  b=${v%%:*}; a=$A; [[ $v == *:* ]] && a=${v#*:}
  out=$(dotnet /tmp/bench-$b/Ebb.Benchmarks.dll suite-child $w --allocator $a 2>&1)
  fig=$(echo "$out" | awk '$2=="figure"{print $3}'); sec=$(echo "$out" | awk '$2=="seconds"{print $3}'); rss=$(echo "$out" | awk '$2=="peak"{printf "%.1f", $4/1048576}')
  echo -e "$r\t$w\t$v\t$fig\t$sec\t$rss"
done; done; done
