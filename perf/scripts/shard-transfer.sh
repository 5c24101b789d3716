#!/usr/bin/env bash
# Shard transfer on real processes: one PostgreSQL server (the Debian package's binaries, run as the postgres user,
# fsync and synchronous_commit on, the settings of PostgresServerSettings.recommended()) holds the Global store; two
# Replication Layer processes (shard-a, shard-b, each on its own embedded media driver, scripted authority) register
# themselves in a shard directory file (--shard-directory); a bot swarm process (BotSwarmMain --shard-directory) moves
# its bots between them with their starter items: unstow in the shard joined, stay ~EVERY, stow into the Global store,
# leave, join the other shard, unstow there. From the swarm's transfer-summary.json: transfers, transfer latency
# (leave A = the stow's result -> own entity spawned in B) and stow / unstow latency (request -> result through the
# shard's Scribe and the Global store), p50 / p99 / max; the load average before and after each repetition.
#
#   perf/scripts/shard-transfer.sh [BOTS] [REPETITIONS]      (builds the classes and the class path itself)
# MODE: two-schema (default: both graphs in schemas of the PostgreSQL database, stow/unstow one transaction) or outbox
# (RocksDB graphs, the Global store in PostgreSQL through the outbox); EVERY (default 2s); DURATION (s, default 40);
# RAMP (bots/s, default 20); SWARM_ARGS (extra BotSwarmMain options, e.g. "--max-joins-in-flight 4"); LAYER_OPTS (extra
# JVM options of the two layers, e.g. "-Dorrery.scribe.group.commit=false" to run Scribe without group commit);
# TRACE=1: each layer keeps Scribe's per-operation timeline (-Dorrery.scribe.trace.file), the consumer's trace next to
# it (timeline-<shard>-consumer.csv: every duty cycle, idle span, world write, group, operation, load) and a GC +
# safepoint log (-Xlog, System.nanoTime() stamps), and perf/scripts/stow-timeline.py prints where the layer's part of
# each stow and unstow went and what the consumer thread did while the slowest ones waited in the ring.
# PG_OPTS: extra server settings, e.g. "-c wal_sync_method=open_datasync" (durable ones only: never fsync=off or
# synchronous_commit=off). PG_STATS=1: the server loads pg_stat_statements and times its WAL writes and syncs
# (track_wal_io_timing); after each repetition it prints the server's time per stow / unstow call and per COMMIT
# (calls, mean, max), its WAL flushes (count, mean sync time), the statements that took the server 1 ms or more
# (log_min_duration_statement=1: how many of 1-2, 2-5, 5+ ms, per kind) and the checkpoints during the run (the log):
# what the store itself spent, apart from the round trips and the clients' scheduling.
# More samples than the default's ~30 a run with one bot: a shorter stay, e.g. EVERY=200ms DURATION=60 (1 bot: ~200
# transfers, ~400 operations; the p99 is then a percentile, not the maximum).
set -euo pipefail
BOTS=${1:-50}
REPS=${2:-1}
MODE=${MODE:-two-schema}
EVERY=${EVERY:-2s}
DURATION=${DURATION:-40}
RAMP=${RAMP:-20}
SWARM_ARGS=${SWARM_ARGS:-}
LAYER_OPTS=${LAYER_OPTS:-}
TRACE=${TRACE:-0}
PG_OPTS=${PG_OPTS:-}
PG_STATS=${PG_STATS:-0}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
WORK=$(mktemp -d /tmp/orrery-shard-transfer.XXXXXX)
chmod 755 "$WORK"
CP_FILE="$WORK/cp.txt"
(cd "$ROOT" && mvn -q -B -o -pl servers/launcher -am compile \
  org.apache.maven.plugins:maven-dependency-plugin:3.8.1:build-classpath \
  -Dmdep.outputFile="$CP_FILE" -Dmdep.includeScope=runtime > /dev/null)
CP="$ROOT/servers/launcher/target/classes:$(cat "$CP_FILE")"
JAVA="java --add-opens java.base/jdk.internal.misc=ALL-UNNAMED -XX:+UseParallelGC"
export ORRERY_TOKEN_SECRET="shard-transfer-perf-secret-0123456789"
PG_PORT=${PG_PORT:-55432}
PG_BIN=$(dirname "$(readlink -f "$(command -v pg_ctl)")")
pg_stats_opts() {
  if [ "$PG_STATS" = 1 ]; then
    echo "-c shared_preload_libraries=pg_stat_statements -c track_wal_io_timing=on -c log_min_duration_statement=1"
  fi
}
pg_sql() { as_postgres "$PG_BIN/psql" -X -q -A -F ' ' -t -h "$PGDATA" -p "$PG_PORT" -U postgres -d postgres \
  -c "$1" 2>&1 || true; }
as_postgres() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

for rep in $(seq 1 "$REPS"); do
  DIR="$WORK/rep-$rep"; mkdir -p "$DIR"; chmod 755 "$DIR"
  PGDATA="$DIR/pg"; mkdir -p "$PGDATA"
  [ "$(id -u)" = 0 ] && chown postgres "$PGDATA"
  as_postgres "$PG_BIN/initdb" -D "$PGDATA" --auth=trust -U postgres > "$DIR/initdb.log" 2>&1
  as_postgres "$PG_BIN/pg_ctl" -D "$PGDATA" -l "$PGDATA/server.log" -w start -o "-p $PG_PORT -k $PGDATA \
    -c listen_addresses=127.0.0.1 -c fsync=on -c synchronous_commit=on -c full_page_writes=on \
    -c max_wal_size=8GB -c checkpoint_timeout=15min -c log_checkpoints=on $PG_OPTS $(pg_stats_opts)" > /dev/null
  JDBC="jdbc:postgresql://127.0.0.1:$PG_PORT/postgres?user=postgres"
  SHARDS="$DIR/shards.txt"
  LAYERS=()
  for s in a b; do
    if [ "$MODE" = outbox ]; then
      STORE="rocksdb:$DIR/graph-$s|$JDBC&currentSchema=transfer_global"
    else
      STORE="postgres:$JDBC&currentSchema=shard_$s,transfer_global"
    fi
    TRACE_OPTS=""
    if [ "$TRACE" = 1 ]; then
      TRACE_OPTS="-Dorrery.scribe.trace.file=$DIR/timeline-$s.csv -Xlog:gc,safepoint:file=$DIR/gc-$s.log:tn,tg"
    fi
    $JAVA -Xmx1g $LAYER_OPTS $TRACE_OPTS -cp "$CP" io.orrery.servers.ReplicationLayerServer --store="$STORE" --npcs=50 \
      --max-sessions=$((BOTS + 64)) --report-interval-s=10 --shard-directory="$SHARDS" --shard-name="shard-$s" \
      > "$DIR/layer-$s.log" 2>&1 &
    LAYERS+=($!)
    until grep -q "registered shard shard-$s" "$DIR/layer-$s.log"; do sleep 0.1; done
  done
  if [ "$PG_STATS" = 1 ]; then
    pg_sql "CREATE EXTENSION IF NOT EXISTS pg_stat_statements" > /dev/null
    pg_sql "SELECT pg_stat_statements_reset(); SELECT pg_stat_reset_shared('wal')" > /dev/null
  fi
  LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
  $JAVA -Xmx1g -cp "$CP" io.orrery.bots.BotSwarmMain --shard-directory="$SHARDS" -b "$BOTS" -d "${DURATION}s" \
    -r "$RAMP" --transfer-every="$EVERY" --output "$DIR/swarm" --progress-interval=10s $SWARM_ARGS \
    > "$DIR/swarm.log" 2>&1 || true
  LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)
  if [ "$PG_STATS" = 1 ]; then
    echo "  server side (pg_stat_statements: calls, mean ms, max ms, stddev ms; the layers' warm-up included):"
    pg_sql "SELECT calls, round(mean_exec_time::numeric, 3), round(max_exec_time::numeric, 3),
      round(stddev_exec_time::numeric, 3), left(regexp_replace(query, '\s+', ' ', 'g'), 60)
      FROM pg_stat_statements WHERE query ~* '(orrery_|commit|begin|unnest)' ORDER BY calls DESC" \
      | sed 's/^/    /'
    echo "  WAL (pg_stat_wal: records, writes, syncs, mean ms per sync, per write; open_datasync syncs in the write;"
    echo "  then bytes and how often a backend found the WAL buffers full):"
    pg_sql "SELECT wal_records, wal_write, wal_sync,
      CASE WHEN wal_sync > 0 THEN round((wal_sync_time / wal_sync)::numeric, 3) ELSE 0 END,
      CASE WHEN wal_write > 0 THEN round((wal_write_time / wal_write)::numeric, 3) ELSE 0 END,
      pg_size_pretty(wal_bytes), wal_buffers_full FROM pg_stat_wal" \
      | sed 's/^/    /'
    echo "  statements the server took >= 1 ms for (server log: kind, 1-2 ms, 2-5 ms, >= 5 ms, max ms):"
    awk '/duration: / { d = $0; sub(/.*duration: /, "", d); d = d + 0;
        k = /orrery_stow/ ? "stow" : /orrery_unstow/ ? "unstow" : /unnest/ ? "world batch" : \
          /COMMIT/ ? "COMMIT" : "other";
        n[k, d < 2 ? 1 : d < 5 ? 2 : 3]++; if (d > m[k]) m[k] = d; seen[k] = 1 }
      END { for (k in seen) printf "    %-12s %5d %5d %5d  %8.3f\n", k, n[k, 1], n[k, 2], n[k, 3], m[k] }' \
      "$PGDATA/server.log"
  fi
  echo "  checkpoints during the run (server log): $(grep -c 'checkpoint starting' "$PGDATA/server.log" || true)"
  kill "${LAYERS[@]}" 2>/dev/null || true   # SIGTERM: deregister, drain Scribe, close the stores
  wait "${LAYERS[@]}" 2>/dev/null || true
  as_postgres "$PG_BIN/pg_ctl" -D "$PGDATA" -m fast -w stop > /dev/null
  python3 - "$DIR/swarm/transfer-summary.json" "$rep" "$MODE" "$BOTS" "$EVERY" "$LOAD_BEFORE" "$LOAD_AFTER" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
c, l = s["counts"], s["latencyNs"]
ms = lambda v: "%.2f" % (v / 1e6)
print("rep %s %s: %s bots, a transfer every ~%s: %d transfers, %d bots welcomed, correctness errors %d; load %s -> %s"
      % (sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5], c.get("transfersCompleted", c.get("transfers")),
         c["botsWelcomed"],
         sum(s["correctness"].values()), sys.argv[6], sys.argv[7]))
for name in ("transfer", "stow", "unstow"):
    h = l[name]
    print("  %-8s n=%-6d p50 %8s ms  p99 %8s ms  max %8s ms" % (name, h["count"], ms(h["p50"]), ms(h["p99"]),
          ms(h["max"])))
PY
  if [ "$TRACE" = 1 ]; then
    python3 "$ROOT/perf/scripts/stow-timeline.py" "$DIR"/timeline-*.csv --gc "$DIR"/gc-*.log
  fi
done
echo "logs and summaries in $WORK"
