/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.atlas;

import io.orrery.core.status.OrreryCounter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the layer says while its Atlas cluster is gone: every member killed, the link's {@code ATLAS_SILENT_MS} grows
 * from 0 and its failed connects are logged once, not once per attempt; the members restarted from their logs, the
 * link connects again, says how long the outage lasted, and the gauge is 0 again.
 */
@Tag("system")
class AtlasClusterLinkOutageTest
{
    private AtlasTestCluster cluster;
    private MeshTestShard shard;

    @AfterEach
    void after()
    {
        if (null != shard)
        {
            shard.close();
        }
        if (null != cluster)
        {
            cluster.close();
        }
    }

    @Test
    @Timeout(120)
    void shouldReportTheClusterSilentAndLogItsFailedConnectsBoundedlyWhileEveryMemberIsDown() throws Exception
    {
        cluster = new AtlasTestCluster("outage", ShardConfig.parse(MeshHandoffTest.TWO_SERVERS, "test.shard"),
            MeshTestShard.SECRET);
        final List<String> log = Collections.synchronizedList(new ArrayList<>());
        final AtlasClusterLink link = new AtlasClusterLink(cluster.ingressEndpoints(), "aeron:udp?term-length=256k",
            "aeron:udp?endpoint=localhost:0|term-length=256k", AtlasClusterLink.JOURNAL_CAPACITY_DEFAULT)
            .messageTimeoutNs(TimeUnit.MILLISECONDS.toNanos(300))
            .log(log::add);
        shard = new MeshTestShard(MeshHandoffTest.TWO_SERVERS, (ctx) -> ctx.atlas().atlasLink(link));
        shard.await(() -> link.isReady() && link.resyncs() >= 1 && cluster.leader() >= 0, "the cluster's resync");
        assertEquals(0, shard.counter(OrreryCounter.ATLAS_SILENT_MS));

        // the first connect may have failed too on a loaded box (and said so): count from the outage on
        final int logLinesBefore = log.size();
        final long failuresBefore = link.connectFailures();
        final long killedNs = System.nanoTime();
        for (int member = 0; member < 3; member++)
        {
            cluster.kill(member);
        }
        shard.await(() -> link.connectFailures() >= failuresBefore + 4 &&
            shard.counter(OrreryCounter.ATLAS_SILENT_MS) >= 1_000, "failed connects and a silence of a second");
        final long silentMs = shard.counter(OrreryCounter.ATLAS_SILENT_MS);
        // one line for the outage's first failures, then at most one per interval (the link paces by the wall
        // clock: a loaded box may take longer than an interval to see four failures)
        final long lines = occurrences(log, logLinesBefore, "connect failed");
        final long failures = link.connectFailures() - failuresBefore;
        final long allowed = 1 + (System.nanoTime() - killedNs) / AtlasClusterLink.CONNECT_FAILURE_LOG_INTERVAL_NS;
        assertTrue(lines >= 1 && lines <= allowed && lines < failures,
            lines + " lines for " + failures + " failed connects since the outage: " + log);

        for (int member = 0; member < 3; member++)
        {
            cluster.restart(member);
        }
        final long connects = link.connects();
        shard.await(() -> link.connects() > connects && link.isReady(), "the link back on the restarted cluster");
        shard.await(() -> 0 == shard.counter(OrreryCounter.ATLAS_SILENT_MS), "the silence gauge back to 0");
        assertTrue(occurrences(log, 0, "failed connects") >= 1, "the reconnect says how long it was away: " + log);
        assertTrue(silentMs >= 1_000, String.valueOf(silentMs));
        System.out.println("atlas cluster outage: silent " + silentMs + " ms after " + link.connectFailures() +
            " failed connects; the link's lines: " + log);
    }

    private static int occurrences(final List<String> log, final int fromLine, final String text)
    {
        int count = 0;
        synchronized (log)
        {
            for (int i = fromLine, size = log.size(); i < size; i++)
            {
                count += log.get(i).contains(text) ? 1 : 0;
            }
        }
        return count;
    }
}
