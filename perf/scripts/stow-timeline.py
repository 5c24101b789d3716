#!/usr/bin/env python3
"""Where a stow's or unstow's time goes inside the Replication Layer, from Scribe's operation timelines.

    perf/scripts/stow-timeline.py TIMELINE.csv [TIMELINE.csv ...] [--gc GC.log ...] [--tail 99]

Each CSV is what a layer wrote at close with -Dorrery.scribe.trace.file=FILE (OperationTimeline: one line per
operation, System.nanoTime() of each step, 0 for a step not reached). Only client stows and unstows that went the
whole way are counted (gatewayRead and resultOffered both set). Prints, per segment of the path, p50 / p90 / p99 / max
over every operation, then the operations at or above the --tail percentile of the in-layer total, each with its
segments, the world changes written in its transaction, its group's size, and the JVM safepoints (from
-Xlog:safepoint...:timenanos logs given with --gc) that overlap it; and which segment the tail spends most in.
"""
import csv
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
        with open(path) as f:
            for row in csv.DictReader(f):
                t = int(row["type"])
                if t not in TYPES or int(row["gatewayRead"]) == 0 or int(row["resultOffered"]) == 0:
                    continue
                op = {k: int(row[k]) for k in STEPS}
                op.update(type=TYPES[t], file=path, world=int(row["worldEntries"]), group=int(row["groupSize"]),
                          loads=int(row.get("loadsWaited", 0)), batches=int(row.get("batchesWaited", 0)))
                op["total"] = op["resultOffered"] - op["gatewayRead"]
                for name, a, b in SEGMENTS:
                    op[name] = op[b] - op[a] if op[a] and op[b] else 0
                ops.append(op)
    return ops


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
    waited = [o for o in ops if o["ring wait"] >= 1_000_000]
    print("operations that waited >= 1 ms in the ring: %d; behind a region load %d, behind a world batch %d, "
          "behind neither %d" % (len(waited), sum(o["loads"] > 0 for o in waited),
                                 sum(o["loads"] == 0 and o["batches"] > 0 for o in waited),
                                 sum(o["loads"] == 0 and o["batches"] == 0 for o in waited)))
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
    print("tail's largest segment: " + ", ".join("%s %d" % kv for kv in sorted(dominant.items(), key=lambda kv: -kv[1])))
    if sps:
        longest = sorted(sps, key=lambda s: -s[3])[:5]
        print("longest safepoints: " + ", ".join("%s %.2f ms" % (s[2], s[3] / 1e6) for s in longest))


if __name__ == "__main__":
    main(sys.argv[1:])
