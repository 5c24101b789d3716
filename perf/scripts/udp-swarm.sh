#!/usr/bin/env bash
# Bots over UDP from a separate process. The Replication Layer (embedded media driver, two-servers shard, client
# ingress on UDP loopback) and its two game servers run as processes on the layer's driver; the bots run in another
# JVM on their own media driver (--own-driver), send input to the layer's UDP ingress and receive their updates on
# UDP response endpoints, one per group of BOTS_PER_ENDPOINT bots (ephemeral ports). Printed at the end:
#   - the retransmit ratio: retransmitted bytes over bytes sent, of both drivers (the layer's egress to the bots,
#     the bots' ingress to the layer), from the media drivers' own counters (NAKs sent/received, retransmits);
#   - sessions the layer disconnected as slow consumers (its /metrics);
#   - input -> update latency p50 / p99 (from each input's intended send time), correctness errors.
#
#   perf/scripts/udp-swarm.sh [BOTS] [BOTS_PER_ENDPOINT] [DURATION_S]      (builds the classes and class path itself)
# Defaults 1000 bots, 50 per endpoint, 60 s. BOT_THREADS (default 2), INGRESS_PORT (default 40123), INGRESS_ENDPOINTS
# (default 4: the layer's client ingress listens on INGRESS_PORT .. INGRESS_PORT + INGRESS_ENDPOINTS - 1 and the bots
# spread their sessions over them; Aeron's receiver reads one datagram per socket per duty cycle), STATUS_PORT
# (default 19480), TICK_HZ (game servers, default 30), SWARM_ARGS (extra BotSwarmMain options, e.g. "--mix
# walk=50,crowd=50"), LAYER_OPTS / BOT_OPTS (extra JVM options of the layer / the bots, e.g. Aeron driver properties
# such as -Daeron.nak.unicast.delay=1ms or -Daeron.retransmit.unicast.linger=100ms). Socket buffers: the defaults (see README, "UDP") are capped at net.core.rmem_max / wmem_max,
# printed below; the bots' process says when it capped one. BOTS_NICE (default 0): the bots' JVM and its driver
# at that nice value, so that on a 2-core box the load generator yields the CPU to the layer when both are runnable,
# as if the bots ran on other hosts (report which one a figure was measured with).
set -euo pipefail
BOTS=${1:-1000}
BPE=${2:-50}
DURATION=${3:-60}
BOT_THREADS=${BOT_THREADS:-2}
INGRESS_PORT=${INGRESS_PORT:-40123}
INGRESS_ENDPOINTS=${INGRESS_ENDPOINTS:-4}
STATUS_PORT=${STATUS_PORT:-19480}
TICK_HZ=${TICK_HZ:-30}
SWARM_ARGS=${SWARM_ARGS:-}
LAYER_OPTS=${LAYER_OPTS:-}
BOT_OPTS=${BOT_OPTS:-}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
WORK=$(mktemp -d /tmp/orrery-udp-swarm.XXXXXX)
CP_FILE="$WORK/cp.txt"
(cd "$ROOT" && mvn -q -B -o -pl servers/launcher -am compile > "$WORK/build.log" 2>&1) || { cat "$WORK/build.log"; exit 1; }
# the launcher's runtime class path (the dependency plugin, or offline without it exec-maven-plugin), with every
# Orrery SNAPSHOT jar (in ~/.m2: possibly another build's) replaced by this tree's classes
if ! (cd "$ROOT" && mvn -q -B -o -pl servers/launcher -am \
  org.apache.maven.plugins:maven-dependency-plugin:3.8.1:build-classpath \
  -Dmdep.outputFile="$CP_FILE" -Dmdep.includeScope=runtime > /dev/null 2>&1); then
  (cd "$ROOT" && mvn -q -B -o -pl servers/launcher org.codehaus.mojo:exec-maven-plugin:3.5.0:exec \
    -Dexec.executable=echo -Dexec.args="%classpath" -Dexec.classpathScope=runtime > "$CP_FILE" 2>&1) \
    || { cat "$CP_FILE"; exit 1; }
fi
CP=$(python3 - "$ROOT" "$CP_FILE" <<'PY'
import glob, os, re, sys
root, cp_file = sys.argv[1], sys.argv[2]
modules = {}
for pom in glob.glob(os.path.join(root, "**", "pom.xml"), recursive=True):
    if "/target/" in pom:
        continue
    ids = re.findall(r"<artifactId>([^<]+)</artifactId>", re.sub(r"<parent>.*?</parent>", "", open(pom).read(), 1,
        re.S))
    if ids:
        modules[ids[0]] = os.path.join(os.path.dirname(pom), "target", "classes")
text = re.sub(r"\x1b\[[0-9;]*m", "", open(cp_file).read())
line = [l for l in text.splitlines() if ".jar" in l][-1].strip()
out = [os.path.join(root, "servers", "launcher", "target", "classes")]
for entry in line.split(":"):
    name = os.path.basename(entry)
    match = re.match(r"(orrery-[a-z-]+)-\d.*-SNAPSHOT\.jar$", name)
    mapped = modules.get(match.group(1), entry) if match else entry
    if mapped not in out:
        out.append(mapped)
print(":".join(out))
PY
)
JAVA="java --add-opens java.base/jdk.internal.misc=ALL-UNNAMED -XX:+UseParallelGC"
export ORRERY_TOKEN_SECRET="udp-swarm-perf-secret-0123456789"
INGRESS="aeron:udp?endpoint=127.0.0.1:$INGRESS_PORT"
for ((i = 1; i < INGRESS_ENDPOINTS; i++)); do INGRESS="$INGRESS,aeron:udp?endpoint=127.0.0.1:$((INGRESS_PORT + i))"; done
echo "net.core.rmem_max $(cat /proc/sys/net/core/rmem_max 2>/dev/null || echo '?')," \
  "wmem_max $(cat /proc/sys/net/core/wmem_max 2>/dev/null || echo '?'); work dir $WORK"

PIDS=()
cleanup() { for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

$JAVA -Xmx2g $LAYER_OPTS -cp "$CP" io.orrery.servers.ReplicationLayerServer --shard=two-servers --ingress-channel="$INGRESS" \
  --max-sessions=$((BOTS + 64)) --report-interval-s=10 --status-address=127.0.0.1:$STATUS_PORT \
  > "$WORK/layer.log" 2>&1 &
LAYER=$!; PIDS+=("$LAYER")
DEADLINE=$((SECONDS + 60))
until grep -q "replication layer up" "$WORK/layer.log"; do
  [ $SECONDS -gt $DEADLINE ] && { echo "layer did not start:"; cat "$WORK/layer.log"; exit 1; }
  sleep 0.1
done
AERON=$(sed -n 's/.*replication layer up, aeron dir \([^,]*\),.*/\1/p' "$WORK/layer.log" | head -1)
for id in 1 2; do
  $JAVA -Xmx512m -cp "$CP" io.orrery.servers.GameServer --server-id=$id --aeron-dir="$AERON" --tick-hz="$TICK_HZ" \
    --report-interval=10s > "$WORK/gs-$id.log" 2>&1 &
  PIDS+=("$!")
done
sleep 3
# near the end of the run: every UDP socket of the host with the datagrams the kernel dropped on it (full receive
# buffer), to see which socket loses (the layer's ingress, a bots' endpoint, a sender's control socket)
(sleep $((DURATION > 8 ? DURATION - 3 : DURATION)); cat /proc/net/udp /proc/net/udp6 > "$WORK/udp-sockets.txt" 2>/dev/null) &
PIDS+=("$!")
set +e
nice -n "${BOTS_NICE:-0}" $JAVA -Xmx2g $BOT_OPTS -cp "$CP" io.orrery.bots.BotSwarmMain --embedded-shard=false --own-driver -b "$BOTS" \
  -t "$BOT_THREADS" -d "${DURATION}s" --ingress-channel="$INGRESS" --response-channel="aeron:udp?endpoint=127.0.0.1:0" \
  --bots-per-endpoint="$BPE" --layer-aeron-dir="$AERON" --output "$WORK/swarm" --progress-interval=10s \
  $SWARM_ARGS > "$WORK/swarm.log" 2>&1
SWARM_EXIT=$?
set -e
curl -s --max-time 2 "http://127.0.0.1:$STATUS_PORT/metrics" > "$WORK/layer-metrics.txt" || true
grep -E "^UDP|capped|own media driver" "$WORK/swarm.log" || true
python3 - "$WORK/swarm/summary.json" "$WORK/layer-metrics.txt" "$BOTS" "$BPE" "$DURATION" "$SWARM_EXIT" <<'PY'
import json, sys
summary = json.load(open(sys.argv[1]))
extra = summary.get("process", {})
layer = {}
for line in open(sys.argv[2]):
    if line.startswith("orrery_") and "{" in line:
        layer[line.split("{")[0]] = line.split()[-1]
latency = summary["latencyNs"]["input-latency"]
ratio = extra.get("retransmitRatio", -1)
print("udp-swarm: %s bots, %s per endpoint (%s endpoints), %s s: retransmit ratio %.4f %% (layer: NAKs received %s, "
      "retransmits %s, %s bytes of %s; bots: NAKs sent %s, retransmitted %s bytes of %s)" % (
      sys.argv[3], sys.argv[4], extra.get("responseEndpoints"), sys.argv[5], 100 * ratio,
      extra.get("layerUdpNaksReceived"), extra.get("layerUdpRetransmitsSent"), extra.get("layerUdpRetransmittedBytes"),
      extra.get("layerUdpBytesSent"), extra.get("udpNaksSent"), extra.get("udpRetransmittedBytes"),
      extra.get("udpBytesSent")))
print("  ingress: layer NAKs sent %s, bots NAKs received %s, bots retransmits %s" % (
      extra.get("layerUdpNaksSent"), extra.get("udpNaksReceived"), extra.get("udpRetransmitsSent")))
print("  slow-consumer drops %s, bots connected %s of %s, correctness errors %s, input -> update p50 %.1f ms "
      "p99 %.1f ms max %.1f ms, swarm exit %s" % (
      layer.get("orrery_sessions_slow_consumer_total", "?"), summary["counts"].get("botsConnected"),
      sys.argv[3], summary.get("correctnessErrors"), latency["p50"] / 1e6, latency["p99"] / 1e6,
      latency["max"] / 1e6, sys.argv[6]))
PY
if [ -s "$WORK/udp-sockets.txt" ]; then
  echo "UDP sockets with kernel drops near the end (full receive buffer):"
  python3 - "$WORK/udp-sockets.txt" <<'PY'
import sys
rows = []
for line in open(sys.argv[1]):
    fields = line.split()
    if len(fields) > 12 and fields[0].endswith(":") and fields[0][:-1].isdigit() and int(fields[-1]) > 0:
        rows.append((int(fields[-1]), int(fields[1].split(":")[1], 16), int(fields[4].split(":")[1], 16)))
for drops, port, queue in sorted(rows, reverse=True)[:20]:
    print("  port %d: %d datagrams dropped, %d bytes queued" % (port, drops, queue))
PY
fi
echo "logs in $WORK"
