#!/usr/bin/env bash
# How many bots the layer carries in its own process: for each number of interest workers and each swarm size, a
# media driver, a ReplicationLayerServer (scripted authority, --interest-workers W) and a BotSwarmMain in three
# processes. Over the run's steady window (after WARM seconds) the layer's utime + stime (/proc/<pid>/stat) and its
# delivered update entries (UPDATE_ENTRIES_SENT from /metrics) give the CPU per delivered update; the swarm's summary
# gives input->update p50 and p99 (ms) and its correctness errors. The target of issue 17: the largest swarm whose
# input->update p99 stays under two ticks (67 ms at 30 Hz). One repetition per cell; run it on a quiet box.
#
#   perf/scripts/layer-capacity.sh [BOTS...]          default: 250 500 750 1000
#   WORKERS="1 2" DURATION=40 WARM=15 perf/scripts/layer-capacity.sh 500 1000
#   LAYER_OPTS=-Dorrery.replicants=2 perf/scripts/layer-capacity.sh 500   extra JVM options of the layer (here two
#                                                    Replicants in its process); LAYER_ARGS=--threading=DEDICATED:
#                                                    extra arguments of ReplicationLayerServer
#   BOTS_NICE=10 perf/scripts/layer-capacity.sh 500   the bots' JVM at nice 10: on a 2-core box the load generator
#                                                    then yields the CPU to the layer and its driver when both are
#                                                    runnable, as if the bots ran on other hosts (default 0: same
#                                                    priority). Measured: it makes the bots' own input->update
#                                                    figures worse (their receiving waits), so report which was used
set -euo pipefail
BOTS_LIST=${*:-250 500 750 1000}
WORKERS=${WORKERS:-1 2}
DURATION=${DURATION:-40}
WARM=${WARM:-15}
PROFILE=${PROFILE:-0}
BOTS_NICE=${BOTS_NICE:-0}
LAYER_OPTS=${LAYER_OPTS:-}
LAYER_ARGS=${LAYER_ARGS:-}
KEEP=${KEEP:-/tmp/orrery-capacity-logs}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
WORK=$(mktemp -d /tmp/orrery-capacity.XXXXXX)
CP_FILE="$WORK/cp.txt"
(cd "$ROOT" && mvn -q -B -o -pl servers/launcher -am compile \
  org.apache.maven.plugins:maven-dependency-plugin:3.8.1:build-classpath \
  -Dmdep.outputFile="$CP_FILE" -Dmdep.includeScope=runtime > /dev/null)
# a copy of the classes, so that a rebuild while this runs does not change what it runs
CP=""
for entry in $ROOT/servers/launcher/target/classes $(tr ':' ' ' < "$CP_FILE"); do
  if [[ -d "$entry" ]]; then
    copy="$WORK/classes/$(basename "$(dirname "$(dirname "$entry")")")"; mkdir -p "$copy"; cp -r "$entry/." "$copy"
    entry="$copy"
  fi
  CP="${CP:+$CP:}$entry"
done
JAVA="java --add-opens java.base/jdk.internal.misc=ALL-UNNAMED -XX:+UseParallelGC"
export ORRERY_TOKEN_SECRET="layer-capacity-perf-secret-0123456789"
HZ=$(getconf CLK_TCK)
# awk reads the whole page (an early exit made curl fail with a broken pipe, which stopped the script under pipefail)
metric() { curl -s --max-time 2 "http://127.0.0.1:$1/metrics" | awk -v m="$2" '!found && $1 ~ "^"m"(\\{|$)" {print $2; found=1}'; }
cpu_ticks() { cut -d' ' -f14,15 "/proc/$1/stat" | awk '{print $1 + $2}'; }
# a run stopped half way (an error, ^C) takes its media driver, layer and swarm with it: an orphan layer would hold
# the status port of a later run, whose layer then never comes up
trap 'kill -TERM ${SWARM:-} ${LAYER:-} ${DRIVER:-} 2>/dev/null || true' EXIT
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg); bots at nice $BOTS_NICE; layer options: ${LAYER_OPTS:-none} ${LAYER_ARGS}"
residence() { python3 - "$1" "$2" <<'PY'
import re, sys
def buckets(path):
    out = {}
    for line in open(path):
        m = re.match(r'orrery_layer_state_residence_seconds_bucket\{.*le="([^"]+)"\}\s+(\S+)', line)
        if m:
            out[float('inf') if m.group(1) == '+Inf' else float(m.group(1))] = float(m.group(2))
    return out
b0, b1 = buckets(sys.argv[1]), buckets(sys.argv[2])
bounds = sorted(b1)
counts = [b1[b] - b0.get(b, 0) for b in bounds]
total = counts[-1] if counts else 0
def pct(q):
    lo, below = 0.0, 0.0
    for bound, cum in zip(bounds, counts):
        if cum >= q * total:
            if bound == float('inf'):
                return float('inf')
            return 1e3 * (lo + (bound - lo) * (q * total - below) / max(1.0, cum - below))
        lo, below = bound, cum
    return float('nan')
share = 100.0 * counts[bounds.index(0.005)] / total if total and 0.005 in bounds else float('nan')
print("%.1f %.1f %.1f" % (pct(0.5), pct(0.99), share))
PY
}
mkdir -p "$KEEP"
printf '%-8s %-6s %12s %12s %10s %16s %8s %22s %s\n' workers bots "p50 ms" "p99 ms" "layer CPU" "CPU us/update" errors \
  "residence p50/p99/<=5ms" load
for W in $WORKERS; do
  for B in $BOTS_LIST; do
    DIR="$WORK/w$W-b$B"; mkdir -p "$DIR"
    PORT=$((19500 + W * 10 + RANDOM % 10))
    AERON="$DIR/aeron"
    $JAVA -Xmx256m -Daeron.dir="$AERON" -Daeron.threading.mode=SHARED -cp "$CP" io.aeron.driver.MediaDriver \
      > "$DIR/driver.log" 2>&1 &
    DRIVER=$!
    sleep 2
    PROFILE_OPT=""; REPORT_S=3600
    if [[ "$PROFILE" == 1 ]]; then PROFILE_OPT="-Dorrery.replicant.pass.profile=true"; REPORT_S=$WARM; fi
    # shellcheck disable=SC2086
    $JAVA -Xmx2g $PROFILE_OPT $LAYER_OPTS -cp "$CP" io.orrery.servers.ReplicationLayerServer --aeron-dir="$AERON" \
      --max-sessions=$((B + 64)) --interest-workers="$W" --report-interval-s=$REPORT_S \
      --status-address=127.0.0.1:$PORT $LAYER_ARGS > "$DIR/layer.log" 2>&1 &
    LAYER=$!
    until grep -q "replication layer up" "$DIR/layer.log"; do sleep 0.1; done
    nice -n "$BOTS_NICE" $JAVA -Xmx2g -cp "$CP" io.orrery.bots.BotSwarmMain --aeron-dir="$AERON" -b "$B" \
      -d "${DURATION}s" \
      --output "$DIR/swarm" > "$DIR/swarm.log" 2>&1 &
    SWARM=$!
    sleep "$WARM"
    c0=$(cpu_ticks "$LAYER"); u0=$(metric $PORT orrery_update_entries_sent_total); t0=$(date +%s.%N)
    curl -s --max-time 2 "http://127.0.0.1:$PORT/metrics" > "$DIR/metrics0.txt" || true
    sleep $((DURATION - WARM - 5))
    c1=$(cpu_ticks "$LAYER"); u1=$(metric $PORT orrery_update_entries_sent_total); t1=$(date +%s.%N)
    curl -s --max-time 2 "http://127.0.0.1:$PORT/metrics" > "$DIR/metrics1.txt" || true
    wait "$SWARM" || true
    kill -TERM "$LAYER" "$DRIVER" 2>/dev/null || true; wait "$LAYER" "$DRIVER" 2>/dev/null || true
    SUMMARY="$DIR/swarm/summary.json"
    read -r p50 p99 errors < <(python3 -c "
import json,sys
s=json.load(open('$SUMMARY'))
l=s['latencyNs']['input-latency']
print(l['p50']/1e6, l['p99']/1e6, s['correctnessErrors'])")
    read -r r50 r99 r5 < <(residence "$DIR/metrics0.txt" "$DIR/metrics1.txt")
    cp "$DIR/layer.log" "$KEEP/layer-w$W-b$B.log"
    cp "$DIR/metrics1.txt" "$KEEP/metrics-w$W-b$B.txt" 2>/dev/null || true
    pct=$(echo "scale=1; 100 * ($c1 - $c0) / $HZ / ($t1 - $t0)" | bc)
    per=$(echo "scale=3; 1000000 * ($c1 - $c0) / $HZ / (${u1:-0} - ${u0:-0} + 1)" | bc)
    printf '%-8s %-6s %12.1f %12.1f %9s%% %16s %8s %22s %s\n' "$W" "$B" "$p50" "$p99" "$pct" "$per" "$errors" \
      "$r50/$r99/$r5%" "$(cut -d' ' -f1-3 /proc/loadavg)"
  done
done
rm -rf "$WORK"
