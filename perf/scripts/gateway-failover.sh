#!/usr/bin/env bash
# Gateway failover on real processes: an external media driver, the layer (scripted authority) with --gateway-link,
# two GatewayServer processes with UDP client ingress on loopback, and a bot swarm spread over both Gateways
# (--ingress-channel with both channels, resumption on). Gateway 1 is SIGKILLed at KILL_AT seconds. Measured from
# outside, on the layer's /metrics polled every 50 ms: the time from the kill until the layer has dropped the lost
# Gateway (orrery_gateway_links_lost_total = 1) and every bot has a session through a Gateway again
# (orrery_gateway_link_sessions = bots); from the swarm's summary: sessions resumed, longest resume, correctness
# errors. The driver's client liveness timeout (2 s here, Aeron's default 10 s) bounds how soon a killed Gateway's
# publications close, so it is part of what is measured.
#
#   perf/scripts/gateway-failover.sh [BOTS] [REPETITIONS]      (builds the classes and the class path itself)
# KILL_AT, DURATION (s); LIVENESS_NS (the driver's client liveness timeout, default 2 s); SWARM_ARGS.
# Prints one line per repetition and the median of the failover times.
set -euo pipefail
BOTS=${1:-200}
REPS=${2:-3}
KILL_AT=${KILL_AT:-15}
DURATION=${DURATION:-35}
LIVENESS_NS=${LIVENESS_NS:-2000000000}
SWARM_ARGS=${SWARM_ARGS:-}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
WORK=$(mktemp -d /tmp/orrery-gateway-failover.XXXXXX)
CP_FILE="$WORK/cp.txt"
(cd "$ROOT" && mvn -q -B -o -pl servers/launcher -am compile \
  org.apache.maven.plugins:maven-dependency-plugin:3.8.1:build-classpath \
  -Dmdep.outputFile="$CP_FILE" -Dmdep.includeScope=runtime > /dev/null)
CP="$ROOT/servers/launcher/target/classes:$(cat "$CP_FILE")"
JAVA="java --add-opens java.base/jdk.internal.misc=ALL-UNNAMED -XX:+UseParallelGC"
export ORRERY_TOKEN_SECRET="gateway-failover-perf-secret-0123456789"
# the Gateways run as exposed Gateways should: the player key and the link secret, not the shard's token secret
export ORRERY_GATEWAY_LINK_SECRET="gateway-failover-perf-link-secret-0123456789"
PLAYER_KEY=$($JAVA -cp "$CP" io.orrery.servers.GatewayServer --print-player-token-key)
LINK="aeron:ipc?term-length=16m"
RESULTS=()

for rep in $(seq 1 "$REPS"); do
  DIR="$WORK/rep-$rep"; mkdir -p "$DIR"
  STATUS_PORT=$((19480 + rep))
  AERON="$DIR/aeron"
  PORT1=$((40600 + 2 * rep)); PORT2=$((40601 + 2 * rep))
  $JAVA -Xmx512m -Daeron.dir="$AERON" -Daeron.threading.mode=SHARED -Daeron.client.liveness.timeout="$LIVENESS_NS" \
    -cp "$CP" io.aeron.driver.MediaDriver > "$DIR/driver.log" 2>&1 &
  DRIVER=$!
  sleep 2
  $JAVA -Xmx2g -cp "$CP" io.orrery.servers.ReplicationLayerServer --aeron-dir="$AERON" --gateway-link="$LINK" \
    --max-sessions=$((BOTS + 64)) --report-interval-s=5 --status-address=127.0.0.1:$STATUS_PORT > "$DIR/layer.log" 2>&1 &
  LAYER=$!
  until grep -q "replication layer up" "$DIR/layer.log"; do sleep 0.1; done
  for id in 1 2; do
    PORT=$([ "$id" = 1 ] && echo "$PORT1" || echo "$PORT2")
    env -u ORRERY_TOKEN_SECRET ORRERY_PLAYER_TOKEN_KEY="$PLAYER_KEY" \
      $JAVA -Xmx512m -cp "$CP" io.orrery.servers.GatewayServer --aeron-dir="$AERON" --gateway-id=$id \
      --layer-link="$LINK" --ingress-channel="aeron:udp?endpoint=127.0.0.1:$PORT" --max-sessions=$((BOTS + 64)) \
      --report-interval-s=5 > "$DIR/gw-$id.log" 2>&1 &
    eval "GW$id=\$!"
  done
  until grep -q "linked to the layer" "$DIR/gw-1.log" && grep -q "linked to the layer" "$DIR/gw-2.log"; do
    sleep 0.1
  done
  $JAVA -Xmx2g -cp "$CP" io.orrery.bots.BotSwarmMain --aeron-dir="$AERON" -b "$BOTS" -d "${DURATION}s" \
    --ingress-channel="aeron:udp?endpoint=127.0.0.1:$PORT1,aeron:udp?endpoint=127.0.0.1:$PORT2" \
    --response-channel="aeron:udp?endpoint=127.0.0.1:0" \
    --output "$DIR/swarm" --progress-interval=5s $SWARM_ARGS > "$DIR/swarm.log" 2>&1 &
  SWARM=$!
  sleep "$KILL_AT"
  kill -9 "$GW1"; wait "$GW1" 2>/dev/null || true
  KILLED_MS=$(date +%s%3N)
  LOST_MS=-1; BACK_MS=-1
  DEADLINE=$((KILLED_MS + 60000))
  while [ "$BACK_MS" -lt 0 ]; do
    NOW=$(date +%s%3N)
    [ "$NOW" -gt "$DEADLINE" ] && break
    METRICS=$(curl -s --max-time 1 "http://127.0.0.1:$STATUS_PORT/metrics" || true)
    LOST=$(echo "$METRICS" | awk '/^orrery_gateway_links_lost_total\{/ {print $2}')
    SESSIONS=$(echo "$METRICS" | awk '/^orrery_gateway_link_sessions\{/ {print $2}')
    if [ "$LOST_MS" -lt 0 ] && [ "${LOST:-0}" = "1" ]; then LOST_MS=$((NOW - KILLED_MS)); fi
    if [ "$LOST_MS" -ge 0 ] && [ "${SESSIONS:-0}" = "$BOTS" ]; then BACK_MS=$((NOW - KILLED_MS)); fi
    sleep 0.05
  done
  wait "$SWARM" || true
  kill "$GW2" "$LAYER" 2>/dev/null || true
  wait "$GW2" "$LAYER" 2>/dev/null || true
  kill "$DRIVER"; wait "$DRIVER" 2>/dev/null || true
  python3 - "$DIR/swarm/summary.json" "$rep" "$LOST_MS" "$BACK_MS" <<'PY'
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
print("rep %s: gateway 1 killed -> layer dropped it %s ms, every bot through a gateway again %s ms; bots resumed %s, "
      "longest resume %s ms, resuming at end %s, correctness errors %s" % (
      sys.argv[2], sys.argv[3], sys.argv[4], counts.get("sessionsResumed"), counts.get("longestResumeMs"),
      counts.get("sessionsResumingAtEnd"), summary.get("correctnessErrors")))
PY
  RESULTS+=("$BACK_MS")
done
printf '%s\n' "${RESULTS[@]}" | sort -n | awk '{a[NR]=$1} END {print "median kill -> every bot back: " a[int((NR+1)/2)] " ms over " NR " runs"}'
echo "logs in $WORK"
