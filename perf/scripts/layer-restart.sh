#!/usr/bin/env bash
# Layer restart on real processes: an external media driver, the layer on RocksDB with the two-servers shard, two
# game servers and a bot swarm, each its own JVM. The layer is SIGKILLed at KILL_AT seconds and started again at
# once on the same store and driver. Measured from outside, on the new layer's /metrics polled every 50 ms: the time
# from the kill until the new layer is up, and from the new layer being up until both game servers are connected
# again and until every bot has a session again (orrery_sessions_opened_total = bots). From the swarm's summary:
# resumptions, resume hellos, how the bots found the layer gone (response image closed / layer silent), correctness
# errors (by kind) and inputs lost in the restart (sent and never acknowledged, or due while resuming: not errors),
# and the longest time a bot went without any update (idle bots with nothing moving in view receive none, so
# that figure is an upper bound, not the resume time). From the new layer's /metrics at the end: sessions opened (one
# per resumed bot when no resume hello is abandoned), hellos ignored on an already bound image (identical resends),
# hellos rejected as duplicate sessions and hellos shed.
#
#   perf/scripts/layer-restart.sh [BOTS] [REPETITIONS]      (builds the classes and the class path itself)
# KILL_AT, DURATION (s); LAYER_GRACE (default 60s: a game server without a layer exits after it, and none restarts
# it here); SWARM_ARGS (extra BotSwarmMain options, e.g. "--mix walk=50,inventory=50"); LAYER_OPTS (JVM options of
# the layer, e.g. "-Dorrery.snapshot.bytes.per.tick=262144"). Slow-consumer disconnects are the new layer's
# (orrery_sessions_slow_consumer_total); the old layer's are in the last report line of its log. Inputs lost in the restart
# (sent and never acknowledged, or due while resuming) are reported apart from the correctness errors.
set -euo pipefail
BOTS=${1:-200}
REPS=${2:-3}
KILL_AT=${KILL_AT:-20}
DURATION=${DURATION:-45}
LAYER_GRACE=${LAYER_GRACE:-60s}
SWARM_ARGS=${SWARM_ARGS:-}
LAYER_OPTS=${LAYER_OPTS:-}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
WORK=$(mktemp -d /tmp/orrery-layer-restart.XXXXXX)
CP_FILE="$WORK/cp.txt"
(cd "$ROOT" && mvn -q -B -o -pl servers/launcher -am compile \
  org.apache.maven.plugins:maven-dependency-plugin:3.8.1:build-classpath \
  -Dmdep.outputFile="$CP_FILE" -Dmdep.includeScope=runtime > /dev/null)
CP="$ROOT/servers/launcher/target/classes:$(cat "$CP_FILE")"
JAVA="java --add-opens java.base/jdk.internal.misc=ALL-UNNAMED -XX:+UseParallelGC"
export ORRERY_TOKEN_SECRET="layer-restart-perf-secret-0123456789"

for rep in $(seq 1 "$REPS"); do
  DIR="$WORK/rep-$rep"; mkdir -p "$DIR"
  STATUS_PORT=$((19460 + rep))
  AERON="$DIR/aeron"
  $JAVA -Xmx512m -Daeron.dir="$AERON" -Daeron.threading.mode=SHARED -Daeron.client.liveness.timeout=2000000000 \
    -cp "$CP" io.aeron.driver.MediaDriver > "$DIR/driver.log" 2>&1 &
  DRIVER=$!
  sleep 2
  start_layer() {
    $JAVA -Xmx2g $LAYER_OPTS -cp "$CP" io.orrery.servers.ReplicationLayerServer --aeron-dir="$AERON" --shard=two-servers \
      --store="rocksdb:$DIR/store" --max-sessions=$((BOTS + 64)) --report-interval-s=5 \
      --status-address=127.0.0.1:$STATUS_PORT >> "$DIR/layer.log" 2>&1 &
    LAYER=$!
  }
  start_layer
  until grep -q "replication layer up" "$DIR/layer.log"; do sleep 0.1; done
  for id in 1 2; do
    $JAVA -Xmx512m -cp "$CP" io.orrery.servers.GameServer --server-id=$id --aeron-dir="$AERON" --report-interval=5s \
      --layer-grace="$LAYER_GRACE" > "$DIR/gs-$id.log" 2>&1 &
    eval "GS$id=\$!"
  done
  $JAVA -Xmx2g -cp "$CP" io.orrery.bots.BotSwarmMain --aeron-dir="$AERON" -b "$BOTS" -d "${DURATION}s" \
    --output "$DIR/swarm" --progress-interval=5s $SWARM_ARGS > "$DIR/swarm.log" 2>&1 &
  SWARM=$!
  sleep "$KILL_AT"
  kill -9 "$LAYER"; wait "$LAYER" 2>/dev/null || true
  KILLED_MS=$(date +%s%3N); echo "layer killed at $KILLED_MS" > "$DIR/killed.txt"
  start_layer
  until grep -c "replication layer up" "$DIR/layer.log" | grep -q 2; do sleep 0.05; done
  UP_MS=$(date +%s%3N)
  SERVERS_MS=-1; SESSIONS_MS=-1
  DEADLINE=$((UP_MS + 60000))
  while [ "$SERVERS_MS" -lt 0 ] || [ "$SESSIONS_MS" -lt 0 ]; do
    NOW=$(date +%s%3N)
    [ "$NOW" -gt "$DEADLINE" ] && break
    METRICS=$(curl -s --max-time 1 "http://127.0.0.1:$STATUS_PORT/metrics" || true)
    SERVERS=$(echo "$METRICS" | awk '/^orrery_servers_connected\{/ {print $2}')
    OPENED=$(echo "$METRICS" | awk '/^orrery_sessions_opened_total\{/ {print $2}')
    if [ "$SERVERS_MS" -lt 0 ] && [ "${SERVERS:-0}" = "2" ]; then SERVERS_MS=$((NOW - UP_MS)); fi
    if [ "$SESSIONS_MS" -lt 0 ] && [ "${OPENED:-0}" -ge "$BOTS" ]; then SESSIONS_MS=$((NOW - UP_MS)); fi
    sleep 0.05
  done
  wait "$SWARM" || true
  curl -s --max-time 2 "http://127.0.0.1:$STATUS_PORT/metrics" > "$DIR/layer-metrics.txt" || true
  kill "$GS1" "$GS2" "$LAYER" 2>/dev/null || true
  wait "$GS1" "$GS2" "$LAYER" 2>/dev/null || true
  kill "$DRIVER"; wait "$DRIVER" 2>/dev/null || true
  python3 - "$DIR/swarm/summary.json" "$((UP_MS - KILLED_MS))" "$rep" "$SERVERS_MS" "$SESSIONS_MS" \
    "$DIR/layer-metrics.txt" <<'PY'
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
layer = {}
for line in open(sys.argv[6]):
    if line.startswith("orrery_") and "{" in line:
        layer[line.split("{")[0]] = line.split()[-1]
print("rep %s: kill -> new layer up %d ms; after up: game servers back %s ms, every bot back %s ms; bots resumed %s, "
      "resuming at end %s, correctness errors %s %s, inputs lost in layer restart %s, longest resume %s ms, "
      "longest update gap %s ms" % (
      sys.argv[3], down_ms, sys.argv[4], sys.argv[5], counts.get("sessionsResumed"),
      counts.get("sessionsResumingAtEnd"), summary.get("correctnessErrors"),
      {k: v for k, v in summary.get("correctness", {}).items() if v}, counts.get("inputsLostInLayerRestart"),
      counts.get("longestResumeMs"), gap))
print("  resume hellos %s (hellos resent %s, lost with their subscriber %s), layer found gone by image %s / by "
      "silence %s; new layer: sessions opened %s, hellos on a bound image %s, duplicate-session rejects %s, hellos "
      "shed %s, slow-consumer disconnects %s" % (counts.get("resumeHellos"), counts.get("hellosResent"), counts.get("hellosLost"),
      counts.get("layerLossesByImage"), counts.get("layerLossesBySilence"), layer.get("orrery_sessions_opened_total"),
      layer.get("orrery_hellos_on_bound_image_total"), layer.get("orrery_rejected_duplicate_session_total"),
      layer.get("orrery_hellos_shed_total"), layer.get("orrery_sessions_slow_consumer_total")))
PY
done
echo "logs in $WORK"
