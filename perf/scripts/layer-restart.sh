#!/usr/bin/env bash
# Layer restart on real processes: an external media driver, the layer on RocksDB with the two-servers shard, two
# game servers and a bot swarm, each its own JVM. The layer is SIGKILLed at KILL_AT seconds and started again at
# once on the same store and driver. Reports, from the swarm's summary, how many bots resumed, the longest time any
# bot went without updates, and the time from the new layer being up until every bot had updates again.
#
#   perf/scripts/layer-restart.sh [BOTS] [REPETITIONS]      (builds the classes and the class path itself)
set -euo pipefail
BOTS=${1:-200}
REPS=${2:-3}
KILL_AT=${KILL_AT:-20}
DURATION=${DURATION:-45}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
WORK=$(mktemp -d /tmp/orrery-layer-restart.XXXXXX)
CP_FILE="$WORK/cp.txt"
(cd "$ROOT" && mvn -q -B -pl servers -am compile \
  org.apache.maven.plugins:maven-dependency-plugin:3.8.1:build-classpath \
  -Dmdep.outputFile="$CP_FILE" -Dmdep.includeScope=runtime > /dev/null)
CP="$ROOT/servers/target/classes:$(cat "$CP_FILE")"
JAVA="java --add-opens java.base/jdk.internal.misc=ALL-UNNAMED -XX:+UseParallelGC"
export ORRERY_TOKEN_SECRET="layer-restart-perf-secret-0123456789"

for rep in $(seq 1 "$REPS"); do
  DIR="$WORK/rep-$rep"; mkdir -p "$DIR"
  AERON="$DIR/aeron"
  $JAVA -Xmx512m -Daeron.dir="$AERON" -Daeron.threading.mode=SHARED -Daeron.client.liveness.timeout=2000000000 \
    -cp "$CP" io.aeron.driver.MediaDriver > "$DIR/driver.log" 2>&1 &
  DRIVER=$!
  sleep 2
  start_layer() {
    $JAVA -Xmx2g -cp "$CP" io.orrery.servers.ReplicationLayerServer --aeron-dir="$AERON" --shard=two-servers \
      --store="rocksdb:$DIR/store" --max-sessions=$((BOTS + 64)) --report-interval-s=5 >> "$DIR/layer.log" 2>&1 &
    LAYER=$!
  }
  start_layer
  until grep -q "replication layer up" "$DIR/layer.log"; do sleep 0.1; done
  for id in 1 2; do
    $JAVA -Xmx512m -cp "$CP" io.orrery.servers.GameServer --server-id=$id --aeron-dir="$AERON" --report-interval=5s \
      > "$DIR/gs-$id.log" 2>&1 &
    eval "GS$id=\$!"
  done
  $JAVA -Xmx2g -cp "$CP" io.orrery.bots.BotSwarmMain --aeron-dir="$AERON" -b "$BOTS" -d "${DURATION}s" \
    --output "$DIR/swarm" --progress-interval=5s > "$DIR/swarm.log" 2>&1 &
  SWARM=$!
  sleep "$KILL_AT"
  kill -9 "$LAYER"; wait "$LAYER" 2>/dev/null || true
  KILLED_MS=$(date +%s%3N)
  start_layer
  until grep -c "replication layer up" "$DIR/layer.log" | grep -q 2; do sleep 0.05; done
  UP_MS=$(date +%s%3N)
  wait "$SWARM" || true
  kill "$GS1" "$GS2" "$LAYER" 2>/dev/null || true
  wait "$GS1" "$GS2" "$LAYER" 2>/dev/null || true
  kill "$DRIVER"; wait "$DRIVER" 2>/dev/null || true
  python3 - "$DIR/swarm/summary.json" "$((UP_MS - KILLED_MS))" "$rep" <<'PY'
import json, sys
summary = json.load(open(sys.argv[1]))
counts = {}
def walk(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if isinstance(value, (int, float)):
                counts.setdefault(key, value)
            else:
                walk(value)
walk(summary)
down_ms = int(sys.argv[2])
gap = counts.get("longestUpdateGapMs", -1)
print("rep %s: layer down->up %d ms, bots resumed %s, resuming at end %s, longest update gap %s ms, "
      "updates again %d ms after the layer was up, longest resume %s ms, correctness errors %s" % (
      sys.argv[3], down_ms, counts.get("sessionsResumed"), counts.get("sessionsResumingAtEnd"), gap,
      gap - down_ms, counts.get("longestResumeMs"), counts.get("correctnessErrors", counts.get("errors"))))
PY
done
echo "logs in $WORK"
