#!/usr/bin/env bash
# Before/after CPU per delivered update of the Replicant pass (issue 17), two builds of the layer alternated in the
# same minutes: InterestWorkersProbe at the issue's density (thread CPU per delivered update of the interest path)
# and shard command B (the pass profile's "pass CPU per delivered update"), one JVM per run, BEFORE then AFTER in
# each set, medians at the end.
#
#   perf/scripts/pass-ab.sh BEFORE_REV AFTER_REV [sets=3] [what=probe,shard]
#
# Each revision is exported (git archive) to a tree of its own under ${PASS_AB_DIR:-/tmp/pass-ab} and built there
# (mvn -o compile of perf and servers/launcher with their modules); the runs use those trees' classes. The box must be quiet for the
# figures to mean anything: on a shared box read only ratios of the same set, and only across several sets.
set -euo pipefail

before=${1:?before revision}
after=${2:?after revision}
sets=${3:-3}
what=${4:-probe,shard}
repo=$(git rev-parse --show-toplevel)
dir=${PASS_AB_DIR:-/tmp/pass-ab}
opens="--add-opens java.base/jdk.internal.misc=ALL-UNNAMED"
mkdir -p "$dir"

build()
{
    local name=$1 rev=$2 tree="$dir/$1"
    rm -rf "$tree" && mkdir -p "$tree"
    git -C "$repo" archive "$rev" | tar -x -C "$tree"
    (cd "$tree" && mvn -q -B -o -pl perf,servers/launcher -am compile \
        org.apache.maven.plugins:maven-dependency-plugin:3.8.1:build-classpath \
        -Dmdep.outputFile=target/pass-ab.cp -Dmdep.includeScope=runtime >/dev/null)
    # one classpath file per module of the reactor (a relative outputFile is the module's own): the probe's and the
    # launcher's, their own classes first
    echo "$tree/perf/target/classes:$tree/servers/launcher/target/classes:$(cat "$tree/perf/target/pass-ab.cp"):$(
        cat "$tree/servers/launcher/target/pass-ab.cp")" > "$dir/$name.cp"
}

probe()
{
    java $opens -cp "$(cat "$dir/$1.cp")" io.orrery.perf.jmh.InterestWorkersProbe observers=500 entities=500 \
        worldSideM=800 workers=1 warmup=400 ticks=800 repetitions=1 | grep "rep 1" | sed 's/.*= \([0-9.]*\) ns;.*/\1/'
}

shard()
{
    (cd "$dir/$1/servers/launcher" && java $opens -Dorrery.dev=true -XX:+UseParallelGC \
        -Dorrery.replicant.pass.profile=true -cp "$(cat "$dir/$1.cp")" io.orrery.launcher.ShardLauncher --bots 500 \
        --duration 20s --shard "$dir/$1/perf/shards/spread-450.shard" --world-half-extent-m 600 \
        --mix idle=5,walk=95 2>&1) | grep -o 'pass CPU per delivered update [0-9.]*' | awk '{print $NF}'
}

median()
{
    sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'
}

build before "$before"
build after "$after"
: > "$dir/results.txt"
for s in $(seq 1 "$sets"); do
    for kind in ${what//,/ }; do
        for name in before after; do
            value=$($kind $name)
            load=$(cut -d' ' -f1 /proc/loadavg)
            echo "set $s $kind $name $value ns (load $load)" | tee -a "$dir/results.txt"
        done
    done
done
for kind in ${what//,/ }; do
    b=$(grep " $kind before " "$dir/results.txt" | awk '{print $5}' | median)
    a=$(grep " $kind after " "$dir/results.txt" | awk '{print $5}' | median)
    echo "$kind: median before $b ns, after $a ns, ratio $(awk -v a="$a" -v b="$b" 'BEGIN {printf "%.3f", a / b}')"
done
