#!/usr/bin/env bash
# Bytes on the wire against the layer's own byte counters, in one run (issue 13). Runs perf/scripts/udp-swarm.sh
# (the layer and two game servers as processes, the bots in another JVM on their own media driver, every client
# stream over UDP loopback) while dumpcap captures the layer's client egress on the loopback interface: every UDP
# datagram except those to or from the layer's client ingress port, that is the layer -> bots data frames and the
# bots' status messages and NAKs about them. The capture is then read twice:
#   - by tshark's Aeron dissector (heuristic aeron_udp enabled), counting DATA, PAD, SM and NAK frames;
#   - by the parser below, which walks every Aeron frame of every datagram, attributes each DATA frame (and the
#     fragments after it) to the SBE template of its message, and tells first transmissions from retransmissions
#     (the same session, term and offset seen before).
# Printed: both frame counts (they must agree); the entity messages' bytes on the wire against
# orrery_wire_bytes_out_total, the layer's count of what its entity messages took in the egress logs (term-end
# padding included: only a pad frame's header crosses the wire, so the two agree once the pads' lengths are added;
# the Gateway's own messages, Welcome, Disconnect, results, are on the wire and not in that count); the bytes per
# template; the bytes per update entry on the wire (Aeron headers, alignment and IP/UDP headers included) against
# orrery_update_entries_sent_total.
#
#   perf/scripts/wire-check.sh [BOTS] [DURATION_S]      (defaults 200 bots, 30 s; BOTS_PER_ENDPOINT default 50)
# Needs dumpcap and tshark (Debian package tshark) and root or the capture capability on lo.
set -euo pipefail
BOTS=${1:-200}
DURATION=${2:-30}
BPE=${BOTS_PER_ENDPOINT:-50}
INGRESS_PORT=${INGRESS_PORT:-40123}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
command -v dumpcap > /dev/null && command -v tshark > /dev/null || { echo "needs dumpcap and tshark"; exit 1; }
OUT=$(mktemp -d /tmp/orrery-wire-check.XXXXXX)
CAPTURE="$OUT/egress.pcapng"
dumpcap -q -i lo -f "udp and not port $INGRESS_PORT" -B 64 -w "$CAPTURE" > "$OUT/dumpcap.log" 2>&1 &
DUMPCAP=$!
trap 'kill $DUMPCAP 2>/dev/null || true' EXIT
DEADLINE=$((SECONDS + 10))
until [ -s "$CAPTURE" ]; do
  [ $SECONDS -gt $DEADLINE ] && { echo "dumpcap did not start:"; cat "$OUT/dumpcap.log"; exit 1; }
  sleep 0.1
done
INGRESS_PORT=$INGRESS_PORT "$ROOT/perf/scripts/udp-swarm.sh" "$BOTS" "$BPE" "$DURATION" | tee "$OUT/udp-swarm.log"
sleep 1
kill -INT $DUMPCAP; wait $DUMPCAP 2>/dev/null || true
grep -i "packets dropped\|dropped" "$OUT/dumpcap.log" || true
WORK=$(sed -n 's/^logs in \(.*\)$/\1/p' "$OUT/udp-swarm.log" | tail -1)
tshark -r "$CAPTURE" --enable-heuristic aeron_udp -T fields -E occurrence=a -E separator=';' \
  -e aeron.data.frame_length -e aeron.heartbeat.frame_length -e aeron.pad.frame_length -e aeron.sm.frame_length \
  -e aeron.nak.frame_length \
  > "$OUT/dissected.txt" 2> "$OUT/tshark.log"
tshark -r "$CAPTURE" -T fields -e udp.payload > "$OUT/payloads.hex" 2>> "$OUT/tshark.log"
python3 - "$OUT/dissected.txt" "$OUT/payloads.hex" "$WORK/layer-metrics.txt" <<'PY'
import collections, struct, sys

TEMPLATES = {2: "Welcome", 3: "Reject", 4: "Heartbeat", 5: "Disconnect", 7: "EntitySpawn", 8: "EntityUpdateBatch",
             9: "EntityDespawn", 12: "StowResult", 15: "EntityUpdatesCompact", 16: "TimeDilation"}
dissected = collections.Counter()
for line in open(sys.argv[1]):
    for kind, field in zip(("DATA", "HEARTBEAT", "PAD", "SM", "NAK"), line.rstrip("\n").split(";")):
        if field:
            dissected[kind] += len(field.split(","))

frames = collections.Counter()
data_bytes = 0                 # UDP payload bytes of datagrams carrying DATA frames, first transmissions
retransmitted = 0
padding = 0                    # bytes the PAD frames stand for in the logs (only their header crosses the wire)
datagrams = 0
by_template = collections.Counter()
seen = set()
open_message = {}              # (session, stream) -> template of the message whose fragments are in flight
for line in open(sys.argv[2]):
    payload = bytes.fromhex(line.strip())
    offset = 0
    datagram_data = 0
    while offset + 8 <= len(payload):
        length, version, flags, kind = struct.unpack_from("<iBBH", payload, offset)
        if kind == 0x01 or kind == 0x00:
            term_offset, session, stream, term = struct.unpack_from("<iiii", payload, offset + 8)
            aligned = (max(length, 32) + 31) & ~31
            if kind == 0x00:
                frames["PAD"] += 1
                padding += length
            elif length == 0:
                frames["HEARTBEAT"] += 1
            else:
                frames["DATA"] += 1
                key = (session, stream, term, term_offset)
                if key in seen:
                    retransmitted += aligned
                else:
                    seen.add(key)
                    datagram_data += aligned
                    if flags & 0x80:
                        template = struct.unpack_from("<H", payload, offset + 32 + 2)[0]
                        open_message[(session, stream)] = template
                    template = open_message.get((session, stream), -1)
                    by_template[TEMPLATES.get(template, "template %d" % template)] += aligned
                    if flags & 0x40:
                        open_message.pop((session, stream), None)
            offset += aligned
        else:
            frames[{0x02: "NAK", 0x03: "SM", 0x05: "SETUP", 0x06: "RTTM"}.get(kind, "type %d" % kind)] += 1
            offset += max(length, 8)
    if datagram_data:
        datagrams += 1
        data_bytes += datagram_data

metrics = {}
for line in open(sys.argv[3]):
    if line.startswith("orrery_"):
        metrics[line.split("{")[0].split()[0]] = float(line.split()[-1])
layer_wire = metrics.get("orrery_wire_bytes_out_total", 0)
layer_update_wire = metrics.get("orrery_update_wire_bytes_out_total", 0)
entries = metrics.get("orrery_update_entries_sent_total", 0)

# the dissector names a zero-length DATA frame DATA or heartbeat by its flags: compare the two together
print("frames, tshark's Aeron dissector / this parser: DATA and heartbeats %d / %d, " % (
    dissected["DATA"] + dissected["HEARTBEAT"], frames["DATA"] + frames["HEARTBEAT"]) + ", ".join(
    "%s %d / %d" % (kind, dissected[kind], frames[kind]) for kind in ("PAD", "SM", "NAK")))
print("data on the wire (Aeron frames, aligned, first transmissions): %d B in %d datagrams; retransmitted %d B; "
      "%d heartbeats" % (data_bytes, datagrams, retransmitted, frames["HEARTBEAT"]))
print("layer's counters: orrery_wire_bytes_out_total %d B, orrery_update_wire_bytes_out_total %d B, "
      "orrery_update_entries_sent_total %d" % (layer_wire, layer_update_wire, entries))
ENTITY_MESSAGES = ("EntitySpawn", "EntityUpdateBatch", "EntityUpdatesCompact", "EntityDespawn", "TimeDilation")
entity = sum(size for name, size in by_template.items() if name in ENTITY_MESSAGES)
print("entity messages on the wire %d B + padding in the logs %d B = %d B; the layer's count %d B; difference %d B"
      " (%.4f %%)" % (entity, padding, entity + padding, layer_wire, entity + padding - layer_wire,
      100.0 * (entity + padding - layer_wire) / layer_wire if layer_wire else 0))
for name, size in by_template.most_common():
    print("  %-22s %12d B on the wire" % (name, size))
updates = by_template.get("EntityUpdatesCompact", 0) + by_template.get("EntityUpdateBatch", 0)
if layer_update_wire:
    print("update messages: wire %d B / layer's count %d B = %.4f" % (updates, layer_update_wire,
          updates / layer_update_wire))
if entries:
    headers = 28.0 * datagrams * updates / data_bytes if data_bytes else 0
    print("per update entry: %.2f B in Aeron frames, %.2f B with IP/UDP headers (28 B per datagram, shared by "
          "bytes)" % (updates / entries, (updates + headers) / entries))
PY
echo "capture and decoded files in $OUT"
