/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.servers;

import io.aeron.driver.MediaDriver;
import io.orrery.test.ChildJvm;
import org.agrona.CloseHelper;
import org.agrona.IoUtil;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.File;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every process real: three {@code AtlasServer --cluster-member} processes (an Atlas Aeron Cluster, each member with
 * its own media driver), {@code ReplicationLayerServer --atlas-cluster} and game servers on one external media
 * driver. Game server 1 is granted its territory through the cluster; member 0 is killed; game server 2 is still
 * granted its territory by the two members left, and the layer never resent its state after the first time.
 */
@Tag("system")
class AtlasClusterProcessTest
{
    private static final List<String> CHILD_OPTIONS =
        List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");
    private static final String READY = "orrery_atlas_ready{atlas_member=\"1\"}";
    private static final String SECRET = "--token-secret=atlas-cluster-process-test-secret-0123";

    @Test
    @Timeout(240)
    void shouldGrantTerritoriesThroughAnAtlasClusterThatLostAMember() throws Exception
    {
        final File dir = Files.createTempDirectory("orrery-atlas-cluster").toFile();
        final int portBase = 30000 + (int)(ProcessHandle.current().pid() % 1000) * 30;
        final String ports = "--cluster-port-base=" + portBase;
        final MediaDriver driver = MediaDriver.launch(new MediaDriver.Context()
            .aeronDirectoryName(new File(dir, "aeron").getAbsolutePath())
            .threadingMode(io.aeron.driver.ThreadingMode.SHARED)
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true));
        final String aeronDir = "--aeron-dir=" + driver.aeronDirectoryName();
        final List<String> layerOutput = Collections.synchronizedList(new ArrayList<>());
        final List<String> memberOutput = Collections.synchronizedList(new ArrayList<>());
        final List<String> serverOutput = Collections.synchronizedList(new ArrayList<>());
        final Process[] members = new Process[3];
        Process layer = null;
        Process one = null;
        Process two = null;
        try
        {
            // member 1 first, alone, with --status-address: no leader, not ready; ready once the others elect one
            members[1] = ChildJvm.start(memberOutput, CHILD_OPTIONS, AtlasServer.class.getName(), SECRET,
                "--shard=two-servers", "--cluster-member=1", ports, "--cluster-fresh",
                "--cluster-dir=" + new File(dir, "member-1"), "--aeron-dir=" + new File(dir, "aeron-1"),
                "--status-address=127.0.0.1:0");
            final int statusPort = StatusScrape.port(members[1], memberOutput);
            StatusScrape.awaitNotServing(statusPort, READY, 10);
            for (int m = 0; m < members.length; m += 2)
            {
                members[m] = ChildJvm.start(memberOutput, CHILD_OPTIONS, AtlasServer.class.getName(), SECRET,
                    "--shard=two-servers", "--cluster-member=" + m, ports, "--cluster-fresh",
                    "--cluster-dir=" + new File(dir, "member-" + m), "--aeron-dir=" + new File(dir, "aeron-" + m));
            }
            ChildJvm.awaitLines(members[2], memberOutput, "atlas cluster member", 3);
            final String ledMetrics = StatusScrape.awaitServing(statusPort, READY, 60);
            assertTrue(ledMetrics.contains("orrery_atlas_cluster_election_state{atlas_member=\"1\"} 17"), ledMetrics);
            assertTrue(ledMetrics.contains("orrery_atlas_cluster_role{atlas_member=\"1\"} "), ledMetrics);
            layer = ChildJvm.start(layerOutput, CHILD_OPTIONS, ReplicationLayerServer.class.getName(), SECRET,
                aeronDir, "--shard=two-servers", "--atlas-cluster=localhost,localhost,localhost",
                "--atlas-cluster-port-base=" + portBase, "--report-interval-s=60");
            ChildJvm.awaitLines(layer, layerOutput, "Atlas cluster link: resent the layer's state", 1);

            one = ChildJvm.start(serverOutput, CHILD_OPTIONS, GameServer.class.getName(), SECRET, aeronDir,
                "--server-id=1", "--npcs=3", "--report-interval=200ms", "--layer-grace=60s");
            ChildJvm.awaitLines(one, serverOutput, "welcomed", 1);
            ChildJvm.awaitLines(one, serverOutput, "entities 3", 1);

            members[0].destroyForcibly().waitFor();
            two = ChildJvm.start(serverOutput, CHILD_OPTIONS, GameServer.class.getName(), SECRET, aeronDir,
                "--server-id=2", "--npcs=4", "--report-interval=200ms", "--layer-grace=60s");
            ChildJvm.awaitLines(two, serverOutput, "entities 4", 1);

            assertEquals(1, ChildJvm.occurrences(layerOutput, "resent the layer's state"), layerOutput.toString());
            StatusScrape.awaitReady(statusPort, 200, 60); // the two left have a leader
            final String afterMetrics = StatusScrape.get(statusPort, "/metrics");
            assertTrue(afterMetrics.contains("orrery_servers_connected{atlas_member=\"1\"} "), afterMetrics);
            assertTrue(one.isAlive() && two.isAlive(), serverOutput.toString());
        }
        finally
        {
            ChildJvm.destroy(two);
            ChildJvm.destroy(one);
            ChildJvm.destroy(layer);
            for (final Process member : members)
            {
                ChildJvm.destroy(member);
            }
            CloseHelper.quietClose(driver);
            IoUtil.delete(dir, true);
        }
    }
}
