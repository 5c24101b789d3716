#!/usr/bin/env bash
# CPU of an idle Replication Layer process: ReplicationLayerServer --dev with no client (embedded media driver, the
# scripted authority unless LAYER_ARGS say otherwise), each repetition a fresh JVM. After a warm-up of WARMUP
# seconds, utime + stime of the process are read from /proc/<pid>/stat at the start and the end of WINDOW seconds;
# reported as percent of one core per repetition and the median.
#
#   perf/scripts/idle-cpu.sh [REPETITIONS]     (builds the classes and the class path itself)
#   LAYER_ARGS="--shard two-servers" WINDOW=30 WARMUP=10 perf/scripts/idle-cpu.sh 3
set -euo pipefail
REPS=${1:-3}
WINDOW=${WINDOW:-30}
WARMUP=${WARMUP:-10}
LAYER_ARGS=${LAYER_ARGS:-}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
WORK=$(mktemp -d /tmp/orrery-idle-cpu.XXXXXX)
CP_FILE="$WORK/cp.txt"
(cd "$ROOT" && mvn -q -B -o -pl servers/processes -am compile \
  org.apache.maven.plugins:maven-dependency-plugin:3.8.1:build-classpath \
  -Dmdep.outputFile="$CP_FILE" -Dmdep.includeScope=runtime > /dev/null)
# a copy of the module classes, so that a rebuild while this runs does not change what later repetitions run
CP=""
for entry in $ROOT/servers/processes/target/classes $(tr ':' ' ' < "$CP_FILE"); do
  if [[ -d "$entry" ]]; then
    copy="$WORK/classes/$(basename "$(dirname "$(dirname "$entry")")")"; mkdir -p "$copy"; cp -r "$entry/." "$copy"
    entry="$copy"
  fi
  CP="${CP:+$CP:}$entry"
done
HZ=$(getconf CLK_TCK)
results=()
for rep in $(seq 1 "$REPS"); do
  # shellcheck disable=SC2086
  java --add-opens java.base/jdk.internal.misc=ALL-UNNAMED -Xmx512m -cp "$CP" \
    io.orrery.servers.ReplicationLayerServer --dev --report-interval-s=3600 $LAYER_ARGS > "$WORK/layer-$rep.log" 2>&1 &
  pid=$!
  sleep "$WARMUP"
  read -r -a s0 < <(cut -d' ' -f14,15 "/proc/$pid/stat")
  t0=$(date +%s.%N)
  sleep "$WINDOW"
  read -r -a s1 < <(cut -d' ' -f14,15 "/proc/$pid/stat")
  t1=$(date +%s.%N)
  kill -TERM "$pid"; wait "$pid" || true
  pct=$(echo "scale=3; 100 * ((${s1[0]} + ${s1[1]}) - (${s0[0]} + ${s0[1]})) / $HZ / ($t1 - $t0)" | bc)
  echo "repetition $rep: ${pct} % of a core over $(echo "$t1 - $t0" | bc | cut -c1-5) s"
  results+=("$pct")
done
median=$(printf '%s\n' "${results[@]}" | sort -n | sed -n "$(( (REPS + 1) / 2 ))p")
echo "idle layer CPU median of $REPS: ${median} % of a core ($LAYER_ARGS)"
rm -rf "$WORK"
