#!/usr/bin/env python3
"""Where a stow's or unstow's time goes inside the Replication Layer, from Scribe's operation timelines.

    perf/scripts/stow-timeline.py TIMELINE.csv [TIMELINE.csv ...] [--gc GC.log ...] [--tail 99]

Each CSV is what a layer wrote at close with -Dorrery.scribe.trace.file=FILE (OperationTimeline: one line per
operation, System.nanoTime() of each step, 0 for a step not reached). Only client stows and unstows that went the
whole way are counted (gatewayRead and resultOffered both set). Prints, per segment of the path, p50 / p90 / p99 / max
over every operation, then the operations at or above the --tail percentile of the in-layer total, each with its
segments, the world changes written in its transaction, its group's size, and the JVM safepoints (from
-Xlog:safepoint...:timenanos logs given with --gc) that overlap it; and which segment the tail spends most in.
Where the layer also wrote Scribe's consumer trace (x-consumer.csv next to x.csv: ConsumerTrace), it prints what the
consumer thread did while each slow operation waited in the ring (world writes, group opens and commits, other
operations, loads, look-ups, idle parks with their longest gap, the rest of its duty cycles, time between them), and
the same summed over every operation that waited >= 1 ms.
"""
import bisect
import csv
import os
import re
import sys

STEPS = ["gatewayRead", "replicantRead", "offered", "pickedUp", "opStart", "opDone", "committed", "posted",
         "completionPolled", "resultOffered"]
SEGMENTS = [
    ("gateway->replicant", "gatewayRead", "replicantRead"),
    ("replicant->offered", "replicantRead", "offered"),
    ("ring wait", "offered", "pickedUp"),
    ("world batch/flush", "pickedUp", "opStart"),
    ("statement", "opStart", "opDone"),
    ("commit", "opDone", "committed"),
    ("post", "committed", "posted"),
    ("completion wait", "posted", "completionPolled"),
    ("result offer", "completionPolled", "resultOffered"),
]
TYPES = {4: "stow", 5: "unstow"}
OP_TYPES = {1: "stow", 2: "unstow", 3: "wallet", 4: "reputation"}
NESTED = ["worldWrite", "groupOpen", "operation", "groupCommit", "load", "lookup", "warmUp", "logCheck", "logFlush"]
LONGEST_ACTIVITY_NS = 5_000_000_000
SAFEPOINT = re.compile(r"\[(\d+)ns\].*Safepoint \"([^\"]+)\".*Total: (\d+) ns")


def pct(values, p):
    if not values:
        return float("nan")
    s = sorted(values)
    k = max(0, min(len(s) - 1, int(round(p / 100.0 * len(s) + 0.5)) - 1))
    return s[k]


def load(paths):
    ops = []
    for path in paths:
        trace = consumer_trace(path)
        with open(path) as f:
            for row in csv.DictReader(f):
                t = int(row["type"])
                if t not in TYPES or int(row["gatewayRead"]) == 0 or int(row["resultOffered"]) == 0:
                    continue
                op = {k: int(row[k]) for k in STEPS}
                op.update(type=TYPES[t], file=path, trace=trace, world=int(row["worldEntries"]),
                          group=int(row["groupSize"]),
                          loads=int(row.get("loadsWaited", 0)), batches=int(row.get("batchesWaited", 0)))
                op["total"] = op["resultOffered"] - op["gatewayRead"]
                for name, a, b in SEGMENTS:
                    op[name] = op[b] - op[a] if op[a] and op[b] else 0
                ops.append(op)
    return ops


def consumer_trace(path):
    """The ConsumerTrace written next to an operation timeline (x.csv: x-consumer.csv), sorted by end; or None."""
    stem = path[:-4] if path.endswith(".csv") else path
    name = stem + "-consumer.csv"
    if not os.path.exists(name):
        return None
    rows = []
    with open(name) as f:
        for row in csv.DictReader(f):
            rows.append((int(row["endNs"]), int(row["startNs"]), row["kind"], int(row["value"]), int(row["value2"])))
    rows.sort()
    return {"rows": rows, "ends": [r[0] for r in rows]}


def during(trace, a, b):
    """Activities of the consumer that overlap [a, b), with their overlap (ns)."""
    result = []
    if trace is None or b <= a:
        return result
    rows = trace["rows"]
    i = bisect.bisect_right(trace["ends"], a)
    while i < len(rows) and rows[i][0] - LONGEST_ACTIVITY_NS < b:
        end, start, kind, value, value2 = rows[i]
        if start < b and end > a:
            result.append((kind, min(end, b) - max(start, a), start, end, value, value2))
        i += 1
    return result


def wait_breakdown(trace, a, b):
    """Where the consumer was while an operation waited in the ring [a, b): ns per activity, the rest uncovered."""
    acts = during(trace, a, b)
    spent = {}
    for kind, overlap, _, _, _, _ in acts:
        spent[kind] = spent.get(kind, 0) + overlap
    nested = sum(spent.get(k, 0) for k in NESTED)
    spent["dutyCycle(other)"] = max(0, spent.pop("dutyCycle", 0) - nested)
    spent["between cycles"] = max(0, (b - a) - spent["dutyCycle(other)"] - nested - spent.get("idle", 0))
    return spent, acts


def describe_wait(trace, o):
    spent, acts = wait_breakdown(trace, o["offered"], o["pickedUp"])
    parts = ["%s %.2f" % (k, v / 1e6) for k, v in sorted(spent.items(), key=lambda kv: -kv[1]) if v >= 100_000]
    details = []
    for kind, overlap, start, end, value, value2 in acts:
        if kind == "operation" and overlap >= 100_000:
            details.append("%s %.2f ms (trace %d)" % (OP_TYPES.get(value, value), (end - start) / 1e6, value2))
        elif kind in ("worldWrite", "groupOpen") and overlap >= 100_000:
            details.append("%s of %d %.2f ms" % (kind, value, (end - start) / 1e6))
        elif kind in ("groupCommit", "load", "lookup", "warmUp", "logCheck", "logFlush") and overlap >= 100_000:
            details.append("%s %.2f ms" % (kind, (end - start) / 1e6))
        elif kind == "idle" and value2 >= 1_000_000:
            details.append("idle %d cycles, longest gap %.2f ms" % (value, value2 / 1e6))
        elif kind == "dutyCycle" and end - start >= 1_000_000:
            details.append("dutyCycle %.2f ms of %d events (backlog %d)" % ((end - start) / 1e6, value, value2))
        elif kind == "failure":
            details.append("store failure, backoff %.2f ms" % (value / 1e6))
    return spent, "ring wait on the consumer (ms): " + (", ".join(parts) or "-") + (
        " | " + "; ".join(details) if details else "")


def safepoints(paths):
    result = []
    for path in paths:
        with open(path, errors="replace") as f:
            for line in f:
                m = SAFEPOINT.search(line)
                if m:
                    end, total = int(m.group(1)), int(m.group(3))
                    result.append((end - total, end, m.group(2), total))
    return result


def main(argv):
    files, gc, tail = [], [], 99.0
    i = 0
    while i < len(argv):
        if argv[i] == "--gc":
            i += 1
            while i < len(argv) and not argv[i].startswith("--"):
                gc.append(argv[i])
                i += 1
            continue
        if argv[i] == "--tail":
            tail = float(argv[i + 1])
            i += 2
            continue
        if not argv[i].endswith("-consumer.csv"):  # a consumer trace: read with its timeline
            files.append(argv[i])
        i += 1
    ops = load(files)
    if not ops:
        print("no traced client stow/unstow in", files)
        return
    ms = lambda v: "%7.3f" % (v / 1e6)
    print("%d operations (%d stows, %d unstows) from %d timelines; in-layer segments, ms:"
          % (len(ops), sum(o["type"] == "stow" for o in ops), sum(o["type"] == "unstow" for o in ops), len(files)))
    print("  %-20s %8s %8s %8s %8s" % ("segment", "p50", "p90", "p99", "max"))
    for name in [s[0] for s in SEGMENTS] + ["total"]:
        v = [o[name] for o in ops]
        print("  %-20s %s %s %s %s" % (name, ms(pct(v, 50)), ms(pct(v, 90)), ms(pct(v, 99)), ms(max(v))))
    for label, subset in (("world rows in their transaction", [o for o in ops if o["world"] > 0]),
                          ("no world rows in their transaction", [o for o in ops if o["world"] == 0])):
        if subset:
            own = [o["world batch/flush"] + o["statement"] + o["commit"] for o in subset]
            total = [o["total"] for o in subset]
            print("  %s: %d (world entries max %d); batch + statement + commit p50 %s p99 %s ms, total p50 %s p99 %s"
                  " ms" % (label, len(subset), max(o["world"] for o in subset), ms(pct(own, 50)).strip(),
                           ms(pct(own, 99)).strip(), ms(pct(total, 50)).strip(), ms(pct(total, 99)).strip()))
    for kind in ("stow", "unstow"):
        v = [o["ring wait"] for o in ops if o["type"] == kind]
        if v:
            print("  ring wait of %ss: p50 %s p90 %s p99 %s max %s ms" % (
                kind, ms(pct(v, 50)).strip(), ms(pct(v, 90)).strip(), ms(pct(v, 99)).strip(), ms(max(v)).strip()))
    waited = [o for o in ops if o["ring wait"] >= 1_000_000]
    print("operations that waited >= 1 ms in the ring: %d; behind a region load %d, behind a world batch %d, "
          "behind neither %d" % (len(waited), sum(o["loads"] > 0 for o in waited),
                                 sum(o["loads"] == 0 and o["batches"] > 0 for o in waited),
                                 sum(o["loads"] == 0 and o["batches"] == 0 for o in waited)))
    traced = [o for o in waited if o["trace"] is not None]
    if traced:
        for kind in ("stow", "unstow"):
            of_kind = [o for o in traced if o["type"] == kind]
            if not of_kind:
                continue
            total_wait, spent_all, mostly = 0, {}, {}
            for o in of_kind:
                spent, _ = wait_breakdown(o["trace"], o["offered"], o["pickedUp"])
                total_wait += o["ring wait"]
                for k, v in spent.items():
                    spent_all[k] = spent_all.get(k, 0) + v
                top = max(spent.items(), key=lambda kv: kv[1])[0]
                mostly[top] = mostly.get(top, 0) + 1
            print("  %ss that waited >= 1 ms (%d, %.1f ms in all): the consumer meanwhile: %s; mostly in: %s" % (
                kind, len(of_kind), total_wait / 1e6, ", ".join(
                    "%s %.0f%%" % (k, 100.0 * v / total_wait)
                    for k, v in sorted(spent_all.items(), key=lambda kv: -kv[1]) if v > 0),
                ", ".join("%s %d" % kv for kv in sorted(mostly.items(), key=lambda kv: -kv[1]))))
    sps = safepoints(gc)
    threshold = pct([o["total"] for o in ops], tail)
    slow = sorted((o for o in ops if o["total"] >= threshold), key=lambda o: -o["total"])
    print("operations at or above p%g of the in-layer total (%s ms): %d" % (tail, ms(threshold).strip(), len(slow)))
    dominant = {}
    for o in slow:
        top = max((s[0] for s in SEGMENTS), key=lambda n: o[n])
        dominant[top] = dominant.get(top, 0) + 1
        overlap = [(name, total) for start, end, name, total in sps if start < o["resultOffered"]
                   and end > o["gatewayRead"]]
        print("  %-6s total %s ms | %s | world %d, group %d, waited behind %d loads %d batches%s" % (
            o["type"], ms(o["total"]).strip(),
            ", ".join("%s %s" % (s[0], ms(o[s[0]]).strip()) for s in SEGMENTS if o[s[0]] >= 200_000),
            o["world"], o["group"], o["loads"], o["batches"],
            (" | safepoints " + ", ".join("%s %.2f ms" % (n, t / 1e6) for n, t in overlap)) if overlap else ""))
        if o["trace"] is not None and o["ring wait"] >= 200_000:
            print("         " + describe_wait(o["trace"], o)[1])
    print("tail's largest segment: " + ", ".join("%s %d" % kv for kv in sorted(dominant.items(), key=lambda kv: -kv[1])))
    if sps:
        longest = sorted(sps, key=lambda s: -s[3])[:5]
        print("longest safepoints: " + ", ".join("%s %.2f ms" % (s[2], s[3] / 1e6) for s in longest))


if __name__ == "__main__":
    main(sys.argv[1:])
