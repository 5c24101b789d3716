#!/usr/bin/env bash
# The bots' CPU per received entity update (issues 16/17): the shard command of issue 17 (500 walking bots, 20 s,
# spread-450.shard), alternating "before" (every bot and session visited on every duty cycle of the bot thread:
# -Dorrery.bots.sweep.interval.ns=0) and "after" (the default 1 ms sweep), REPETITIONS of each. From the launcher's
# per-thread schedstat table (printed with -Dorrery.replicant.pass.profile=true) it reports the bot thread's CPU ms,
# the updates the bots received and CPU ns per update, per run and the medians. Then the client link's decode path
# alone (ClientDecodeProbe: ns per update, no media driver).
#
#   perf/scripts/bot-cpu.sh [REPETITIONS]        (default 3; logs in a temporary directory, printed at the end)
set -euo pipefail
REPS=${1:-3}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
WORK=$(mktemp -d /tmp/orrery-bot-cpu.XXXXXX)
ARGS="--bots 500 --duration 20s --shard $ROOT/perf/shards/spread-450.shard --world-half-extent-m 600 \
--mix idle=5,walk=95"

run() # name sweepNs rep
{
  (cd "$ROOT" && mvn -q -B -o -Pshard -pl servers/launcher -am verify -DskipTests \
    -Dorrery.jvm.args="-Dorrery.replicant.pass.profile=true -Dorrery.bots.sweep.interval.ns=$2" \
    -Dorrery.args="$ARGS") > "$WORK/$1-$3.log" 2>&1 || true
  local cpu updates
  cpu=$(awk '/orrery-bots-0/ {print $3; exit}' "$WORK/$1-$3.log")
  updates=$(awk '/^updatesReceived/ {gsub(",", "", $2); print $2; exit}' "$WORK/$1-$3.log")
  if [[ -n "$cpu" && -n "$updates" && "$updates" != 0 ]]; then
    echo "$1 $3: bot thread CPU ${cpu} ms, updates ${updates}, $(echo "scale=1; $cpu * 1000000 / $updates" | bc) ns/update"
    echo "$cpu $updates" >> "$WORK/$1.txt"
  else
    echo "$1 $3: no figures (see $WORK/$1-$3.log)"
  fi
}

for rep in $(seq 1 "$REPS"); do
  run before 0 "$rep"
  run after 1000000 "$rep"
done
for name in before after; do
  if [[ -f "$WORK/$name.txt" ]]; then
    awk -v n="$name" '{print $1 * 1000000 / $2}' "$WORK/$name.txt" | sort -n | \
      awk -v n="$name" '{v[NR]=$1} END {printf "%s: median %.1f ns of bot thread CPU per update (%d runs)\n", n, v[int((NR+1)/2)], NR}'
  fi
done

(cd "$ROOT" && mvn -q -B -o verify -pl replication-core/client-link -am -DskipTests > /dev/null)
CP="$ROOT/replication-core/client-link/target/test-classes:$ROOT/replication-core/client-link/target/classes"
CP="$CP:$ROOT/replication-core/link-common/target/classes:$ROOT/wire-protocol/target/classes"
CP="$CP:$(find ~/.m2/repository/org/agrona/agrona -name 'agrona-2.4.1.jar' | head -1)"
CP="$CP:$(find ~/.m2/repository/io/aeron/aeron-client -name 'aeron-client-1.51.0.jar' | head -1)"
CP="$CP:$(find ~/.m2/repository/org/hdrhistogram/HdrHistogram -name 'HdrHistogram-2.2.2.jar' | head -1)"
java --add-opens java.base/jdk.internal.misc=ALL-UNNAMED -cp "$CP" io.orrery.core.client.ClientDecodeProbe 7
echo "logs: $WORK"
