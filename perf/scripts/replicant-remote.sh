#!/usr/bin/env bash
# A shard with two Replicants, Replicant 1 in the layer's process (local) or in a ReplicantServer process of its own
# behind the layer's bridge (remote), the two alternated REPS times in the same minutes. Each run: a media driver, a
# ReplicationLayerServer (scripted authority, -Dorrery.replicants=2) and, remote, a ReplicantServer (-Dorrery.replicant
# .remote.ids=1 on the layer); then a BotSwarmMain. Over the swarm's run (from its start to its end, ramp included),
# from /proc/<pid>/stat (utime + stime): the layer process's CPU, the Replicant process's, the media driver's (the
# layer's and the bots' driver, which carries IPC; over UDP the Replicant's own embedded driver is in its process);
# from the swarm's summary: updates delivered (updatesReceived by the bots, the same count in both modes: the layer's
# own update counters do not see what a remote Replicant sends), input->update p50 and p99 (ms) and correctness
# errors; the steady-state p99 (the swarm's intervals from a report interval after every bot connected: the ramp's
# first spawns, and the inputs that waited for them, left out) and the first spawn's p50 (a new player's welcome ->
# its own entity spawned). CPU per delivered update: the layer alone, and the layer + the Replicant process (remote;
# local: the layer).
#
#   perf/scripts/replicant-remote.sh [BOTS] [REPS]                       default: 200 bots, 3 repetitions
#   TRANSPORT=udp|ipc   the bridge link and the feed: udp (default) over localhost, the ReplicantServer on an embedded
#                       media driver of its own, as on another host; ipc: the ReplicantServer on the layer's media
#                       driver (the bridge's copy without the network stack)
#   DURATION=20 (s)     MODES="local remote"     LAYER_OPTS, SWARM_ARGS: extra options of the layer JVM, the swarm
#   REPLICANT_JVM_OPTS  extra JVM options of the ReplicantServer process (e.g. "-XX:TieredStopAtLevel=1")
#   SWARMS=1            swarms per run: those before the last warm the processes up (their summaries in KEEP as
#                       summary-<mode>-<rep>-first-<n>.json); the line and the CPU figures are the last swarm's
#   RESTART=layer|replicant  (remote, with SWARMS >= 2) before the last swarm, start a fresh process of that role
#                       (the other stays warm): which process's warm-up the first spawns wait for
#   LINK_PARAMS         appended to the UDP bridge and feed channels; a value named there wins over the defaults of
#                       UdpChannels.tuneLink, e.g. "|so-rcvbuf=212992|rcv-wnd=131072" for the OS buffer and Aeron's
#                       window
# One line per run, then the medians per mode; each run's logs, swarm summary and counters (CountersDump.java) in
# KEEP. Run it on a quiet box: on a shared one read only the ratios of runs of the same repetition, and only across
# several repetitions.
set -euo pipefail
BOTS=${1:-200}
REPS=${2:-3}
DURATION=${DURATION:-20}
TRANSPORT=${TRANSPORT:-udp}
MODES=${MODES:-local remote}
LAYER_OPTS=${LAYER_OPTS:-}
SWARM_ARGS=${SWARM_ARGS:-}
LINK_PARAMS=${LINK_PARAMS:-}
REPLICANT_JVM_OPTS=${REPLICANT_JVM_OPTS:-}
KEEP=${KEEP:-/tmp/orrery-replicant-remote-logs}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
WORK=$(mktemp -d /tmp/orrery-replicant-remote.XXXXXX)
CP_FILE="$WORK/cp.txt"
case "$TRANSPORT" in udp|ipc) ;; *) echo "TRANSPORT is udp or ipc" >&2; exit 2 ;; esac
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
export ORRERY_TOKEN_SECRET="replicant-remote-perf-secret-0123456789"
export ORRERY_REPLICANT_LINK_SECRET="replicant-remote-perf-link-secret-0123456789"
# the Replicant settings must be the same on the layer and the ReplicantServer
REPLICANT_OPTS="-Dorrery.replicants=2"
HZ=$(getconf CLK_TCK)
cpu_ticks() { cut -d' ' -f14,15 "/proc/$1/stat" 2>/dev/null | awk '{print $1 + $2}' || echo 0; }
trap 'kill -TERM ${SWARM:-} ${REPLICANT:-} ${LAYER:-} ${DRIVER:-} 2>/dev/null || true' EXIT
wait_for() { # file text seconds pid
  local deadline=$((SECONDS + $3))
  until grep -q "$2" "$1" 2>/dev/null; do
    if (( SECONDS > deadline )) || ! kill -0 "$4" 2>/dev/null; then
      echo "no '$2' in $1:" >&2; cat "$1" >&2; exit 1
    fi
    sleep 0.1
  done
}
median() { sort -g | awk '{v[NR] = $1} END {if (NR) print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
mkdir -p "$KEEP"
echo "bots $BOTS, ${DURATION}s, transport $TRANSPORT, load before: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-4s %-7s %9s %9s %9s %10s %12s %14s %8s %8s %10s %9s %6s %s\n' rep mode "layer %" "repl %" "driver %" \
  updates "us/upd layer" "us/upd l+repl" "p50 ms" "p99 ms" "p99 steady" "spawn p50" errors load
RESULTS="$WORK/results.txt"; : > "$RESULTS"
for rep in $(seq 1 "$REPS"); do
  for mode in $MODES; do
    DIR="$WORK/$mode-$rep"; mkdir -p "$DIR"
    PORT=$((19560 + RANDOM % 20))
    AERON="$DIR/aeron"
    $JAVA -Xmx256m -Daeron.dir="$AERON" -Daeron.threading.mode=SHARED -Daeron.dir.delete.on.start=true \
      -Daeron.dir.delete.on.shutdown=true -cp "$CP" io.aeron.driver.MediaDriver > "$DIR/driver.log" 2>&1 &
    DRIVER=$!
    until [[ -e "$AERON/cnc.dat" ]]; do sleep 0.1; done
    BRIDGE_OPTS=""; REPLICANT=""
    if [[ "$mode" == remote ]]; then
      if [[ "$TRANSPORT" == ipc ]]; then
        LINK="aeron:ipc"; FEED="aeron:ipc"; REPLICANT_DRIVER="--aeron-dir=$AERON"
      else
        LINK="aeron:udp?endpoint=localhost:$((20571 + rep % 5))$LINK_PARAMS"
        FEED="aeron:udp?endpoint=localhost:$((20581 + rep % 5))$LINK_PARAMS"
        REPLICANT_DRIVER=""
      fi
      BRIDGE_OPTS="-Dorrery.replicant.remote.ids=1 -Dorrery.replicant.bridge.channel=$LINK"
    fi
    # shellcheck disable=SC2086
    $JAVA -Xmx2g $REPLICANT_OPTS $BRIDGE_OPTS $LAYER_OPTS -cp "$CP" io.orrery.servers.ReplicationLayerServer \
      --aeron-dir="$AERON" --max-sessions=$((BOTS + 64)) --report-interval-s=3600 \
      --status-address=127.0.0.1:$PORT > "$DIR/layer.log" 2>&1 &
    LAYER=$!
    wait_for "$DIR/layer.log" "replication layer up" 60 "$LAYER"
    if [[ "$mode" == remote ]]; then
      # udp: no --aeron-dir, so an embedded media driver of its own (SHARED, a directory of its own), as on a host
      # of its own; ipc: the layer's media driver
      # shellcheck disable=SC2086
      $JAVA -Xmx1g $REPLICANT_OPTS $REPLICANT_JVM_OPTS -cp "$CP" io.orrery.servers.ReplicantServer \
        --replicant-id=1 --layer-channel="$LINK" --feed-channel="$FEED" --max-sessions=$((BOTS + 64)) \
        $REPLICANT_DRIVER > "$DIR/replicant.log" 2>&1 &
      REPLICANT=$!
      wait_for "$DIR/layer.log" "bridge linked to image" 60 "$REPLICANT"
      # a remote Replicant owns nothing until it is synced and heard for orrery.replicant.return.after.ms (2 s): start
      # the swarm once it owns its range, or the run measures the one-time move of that range from the primary to it
      wait_for "$DIR/layer.log" "its subtrees go to it" 60 "$REPLICANT"
    fi
    for w in $(seq 2 "${SWARMS:-1}"); do
      # shellcheck disable=SC2086
      $JAVA -Xmx2g -cp "$CP" io.orrery.bots.BotSwarmMain --aeron-dir="$AERON" -b "$BOTS" -d "${DURATION}s" \
        --output "$DIR/swarm-w$w" $SWARM_ARGS > "$DIR/swarm-w$w.log" 2>&1 || true
      cp "$DIR/swarm-w$w/summary.json" "$KEEP/summary-$mode-$rep-first-$w.json" || true
      sleep 3
    done
    if [[ "$mode" == remote && "${RESTART:-}" == layer ]]; then
      kill -TERM "$LAYER"; wait "$LAYER" 2>/dev/null || true
      mv "$DIR/layer.log" "$DIR/layer-first.log"
      # shellcheck disable=SC2086
      $JAVA -Xmx2g $REPLICANT_OPTS $BRIDGE_OPTS $LAYER_OPTS -cp "$CP" io.orrery.servers.ReplicationLayerServer \
        --aeron-dir="$AERON" --max-sessions=$((BOTS + 64)) --report-interval-s=3600 \
        --status-address=127.0.0.1:$((PORT + 40)) > "$DIR/layer.log" 2>&1 &
      LAYER=$!
      wait_for "$DIR/layer.log" "its subtrees go to it" 90 "$LAYER"
    elif [[ "$mode" == remote && "${RESTART:-}" == replicant ]]; then
      kill -TERM "$REPLICANT"; wait "$REPLICANT" 2>/dev/null || true
      mv "$DIR/replicant.log" "$DIR/replicant-first.log"
      MARK=$(wc -l < "$DIR/layer.log")
      # shellcheck disable=SC2086
      $JAVA -Xmx1g $REPLICANT_OPTS $REPLICANT_JVM_OPTS -cp "$CP" io.orrery.servers.ReplicantServer \
        --replicant-id=1 --layer-channel="$LINK" --feed-channel="$FEED" --max-sessions=$((BOTS + 64)) \
        $REPLICANT_DRIVER > "$DIR/replicant.log" 2>&1 &
      REPLICANT=$!
      deadline=$((SECONDS + 90))
      until tail -n +$((MARK + 1)) "$DIR/layer.log" | grep -q "its subtrees go to it"; do
        if (( SECONDS > deadline )); then echo "the fresh Replicant did not take its subtrees" >&2; exit 1; fi
        sleep 0.1
      done
    fi
    # shellcheck disable=SC2086
    $JAVA -Xmx2g -cp "$CP" io.orrery.bots.BotSwarmMain --aeron-dir="$AERON" -b "$BOTS" -d "${DURATION}s" \
      --output "$DIR/swarm" $SWARM_ARGS > "$DIR/swarm.log" 2>&1 &
    SWARM=$!
    t0=$(date +%s.%N); l0=$(cpu_ticks "$LAYER"); d0=$(cpu_ticks "$DRIVER"); r0=0
    [[ -n "$REPLICANT" ]] && r0=$(cpu_ticks "$REPLICANT")
    l1=$l0; d1=$d0; r1=$r0; t1=$t0
    # sample the CPU just before the swarm ends (its summary is written after its run), then let it finish
    while kill -0 "$SWARM" 2>/dev/null && [[ ! -e "$DIR/swarm/summary.json" ]]; do
      l1=$(cpu_ticks "$LAYER"); d1=$(cpu_ticks "$DRIVER"); r1=0; t1=$(date +%s.%N)
      [[ -n "$REPLICANT" ]] && r1=$(cpu_ticks "$REPLICANT")
      sleep 0.2
    done
    wait "$SWARM" || true
    # the counters behind the input->update tail, while the processes still run: resyncs and dropped ticks per
    # Replicant (the layer's: the primary and local secondaries; the ReplicantServer's: Replicant 1), the bridge's
    # relay, the link's refusals, and the Replicant process's own driver (its duty cycle, flow control, NAKs)
    COUNTERS='.*(ticks dropped|resynchronisations|refused|relay|NAKs|flow control|max cycle|exceeded|deferred).*'
    java --add-opens java.base/jdk.internal.misc=ALL-UNNAMED -cp "$CP" "$ROOT/perf/scripts/CountersDump.java" \
      "$AERON" "$COUNTERS" > "$DIR/counters.log" 2>&1 || true
    if [[ -n "$REPLICANT" && -e "$DIR/replicant.log" ]]; then
      RDIR=$(grep -o 'aeron dir [^,]*' "$DIR/replicant.log" | head -1 | cut -d' ' -f3)
      echo "-- replicant process ($RDIR)" >> "$DIR/counters.log"
      java --add-opens java.base/jdk.internal.misc=ALL-UNNAMED -cp "$CP" "$ROOT/perf/scripts/CountersDump.java" \
        "$RDIR" "$COUNTERS" >> "$DIR/counters.log" 2>&1 || true
    fi
    kill -TERM $REPLICANT "$LAYER" 2>/dev/null || true; wait $REPLICANT "$LAYER" 2>/dev/null || true
    kill -TERM "$DRIVER" 2>/dev/null || true; wait "$DRIVER" 2>/dev/null || true
    SWARM=""; REPLICANT_PID=$REPLICANT; REPLICANT=""; LAYER=""; DRIVER=""
    for f in layer swarm replicant counters; do
      [[ -e "$DIR/$f.log" ]] && cp "$DIR/$f.log" "$KEEP/$f-$mode-$rep.log"
    done
    [[ -e "$DIR/swarm/summary.json" ]] && cp "$DIR/swarm/summary.json" "$KEEP/summary-$mode-$rep.json"
    read -r updates p50 p99 sp99 errors spawn50 < <(python3 -c "
import json
s=json.load(open('$DIR/swarm/summary.json'))
l=s['latencyNs']['input-latency']
st=s.get('latencyNsSteady', {}).get('input-latency', {}).get('p99', float('nan'))
print(s['counts']['updatesReceived'], l['p50']/1e6, l['p99']/1e6, st/1e6, s['correctnessErrors'],
      s['latencyNs']['spawn-latency']['p50']/1e6)")
    read -r lp rp dp ul ulr < <(python3 -c "
hz, dt = $HZ, $t1 - $t0
l, r, d, u = ($l1 - $l0) / hz, ($r1 - $r0) / hz, ($d1 - $d0) / hz, max(1, $updates)
print('%.1f %.1f %.1f %.3f %.3f' % (100 * l / dt, 100 * r / dt, 100 * d / dt, 1e6 * l / u, 1e6 * (l + r) / u))")
    [[ -z "$REPLICANT_PID" ]] && rp="-"
    printf '%-4s %-7s %9s %9s %9s %10s %12s %14s %8.1f %8.1f %10.1f %9.1f %6s %s\n' "$rep" "$mode" "$lp" "$rp" \
      "$dp" "$updates" "$ul" "$ulr" "$p50" "$p99" "$sp99" "$spawn50" "$errors" "$(cut -d' ' -f1-3 /proc/loadavg)"
    echo "$mode $lp $ul $ulr $p50 $p99 $sp99 $errors $spawn50" >> "$RESULTS"
  done
done
echo "medians per mode (layer %, us/update layer, us/update layer + Replicant process, p50 ms, p99 ms, steady-state" \
  "p99 ms, first spawn p50 ms; errors summed):"
for mode in $MODES; do
  line="$mode"
  for col in 2 3 4 5 6 7 9; do
    line="$line $(awk -v m="$mode" -v c="$col" '$1 == m {print $c}' "$RESULTS" | median | xargs printf '%.3g')"
  done
  echo "$line errors $(awk -v m="$mode" '$1 == m {s += $8} END {print s + 0}' "$RESULTS")"
done
echo "logs in $KEEP"
rm -rf "$WORK"
