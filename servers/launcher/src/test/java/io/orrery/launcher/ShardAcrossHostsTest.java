/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.launcher;

import io.aeron.CncFileDescriptor;
import io.aeron.CommonContext;
import io.aeron.driver.MediaDriver;
import io.orrery.bots.BotSwarmMain;
import io.orrery.core.replicant.bridge.ReplicantBridgeSettings;
import io.orrery.core.status.OrreryCounter;
import io.orrery.servers.AtlasServer;
import io.orrery.servers.GatewayServer;
import io.orrery.servers.GameServer;
import io.orrery.servers.ReplicantServer;
import io.orrery.servers.ReplicationLayerServer;
import io.orrery.test.ChildJvm;
import io.orrery.test.NetworkNamespaces;
import org.agrona.DirectBuffer;
import org.agrona.IoUtil;
import org.agrona.concurrent.status.CountersReader;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.File;
import java.nio.MappedByteBuffer;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A shard across hosts, on one machine: five network namespaces on one bridge, each a host with its own media
 * driver, every stream between them Aeron UDP. The layer (client ingress, server ingress and its end of the Atlas
 * link on its own address), Atlas ({@code AtlasServer}, commands to its address, decisions to the layer's), two game
 * servers, and a bot swarm whose walking bots cross the border between the two servers' territories. A standby Atlas
 * waits on Atlas's host; Atlas's process is killed: the standby takes over once the dead one has been silent for a
 * second and is resynced while the shard goes on; then game server 1 is killed: its territory fails over to game
 * server 2; then Atlas again: the third one restores the failed-over territory from the layer. The swarm ends with
 * every bot connected, no input acknowledged out of order, no update for an unknown entity and no unexpected
 * disconnect, no input-acknowledgement stall (an entity unsimulated for 3 s); players were handed off across hosts, and
 * game server 2 dropped no input as a duplicate.
 * <p>
 * The second scenario runs Atlas on a 3-member Aeron Cluster instead, one member per host (seven hosts): the cluster's
 * leader is killed mid-swarm, then game server 1, with the same checks, and the layer's state sent to the cluster once.
 * The third puts two Gateways on hosts of their own and kills one. The fourth puts Replicant 1 on a host of its own
 * ({@code ReplicantServer} behind the layer's bridge), kills that host and starts it again. The fifth runs all of it
 * at once on ten hosts (the cluster, Replicant 1, two Gateways, two game servers, the bots) and kills the cluster's
 * leader, a Gateway and a game server in turn.
 * <p>
 * Needs root for the namespaces (CI runs as root); elsewhere the test says why and is skipped, unless
 * {@code ORRERY_REQUIRE_NETNS=1} (set by {@code .ci/run}) makes that a failure.
 */
@Tag("system")
class ShardAcrossHostsTest
{
    private static final List<String> CHILD_OPTIONS =
        List.of("-Xmx384m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");
    private static final int BOTS = 12;
    private static final Pattern SERVERS_CONNECTED = Pattern.compile("servers_connected=(\\d+)");
    private static final Pattern HANDOFFS = Pattern.compile("handoffs_committed=(\\d+)");
    private static final Pattern FAILOVERS = Pattern.compile("server_failovers=(\\d+)");
    /**
     * The Replicant settings both the layer and the {@code ReplicantServer} run with (they must be the same): two
     * Replicants, the boundary between them at x = 0 (the default).
     */
    private static final List<String> REPLICANT_OPTIONS = List.of("-Dorrery.replicants=2");
    private static final String REPLICANT_LINK_SECRET = "shard-across-hosts-replicant-link-0123456789";
    private static final String REPLICANT_LINKED = "bridge linked to image";
    private static final String REPLICANT_HANDOFFS_METRIC = "orrery_replicant_handoffs_total";

    @Test
    @Timeout(300)
    void shouldKeepTheShardRunningAcrossHostsWhenAtlasAndAGameServerAreKilled() throws Exception
    {
        requireNamespaces();
        final File dir = Files.createTempDirectory("orrery-across-hosts").toFile();
        final String prefix = "orr" + ProcessHandle.current().pid() % 100_000 + "-";
        final List<Process> processes = new ArrayList<>();
        final List<String> kills = new ArrayList<>();
        try (NetworkNamespaces hosts = NetworkNamespaces.create(prefix, "10.77.41", "layer", "atlas", "gs1", "gs2",
            "bots"))
        {
            final String layerHost = hosts.address("layer");
            final String atlasCommands = "--atlas-channel=aeron:udp?endpoint=" + hosts.address("atlas") + ":20120";
            final String atlasDecisions = "--atlas-decision-channel=aeron:udp?endpoint=" + layerHost + ":20121";
            final String serverIngress = "aeron:udp?endpoint=" + layerHost + ":20110";

            final List<String> layerOutput = output();
            final Process layer = start(processes, hosts, "layer", layerOutput, ReplicationLayerServer.class, "--dev",
                "--shard=two-servers", "--ingress-channel=aeron:udp?endpoint=" + layerHost + ":40123",
                "--server-ingress-channel=" + serverIngress, atlasCommands, atlasDecisions, "--atlas-silence-ms=1000",
                "--max-sessions=64", "--report-interval-s=1", "--status-address=" + layerHost + ":19481");
            ChildJvm.awaitLines(layer, layerOutput, "replication layer up", 1);

            final String atlasDir = driver(processes, hosts, "atlas", dir);
            final List<String> atlasOutput = output();
            Process atlas = start(processes, hosts, "atlas", atlasOutput, AtlasServer.class, "--dev",
                "--shard=two-servers", "--aeron-dir=" + atlasDir, atlasCommands, atlasDecisions,
                "--report-interval-s=1");
            ChildJvm.awaitLines(layer, layerOutput, "authenticated and accepted", 1);

            final List<List<String>> serverOutputs = new ArrayList<>();
            final Process[] servers = startGameServers(processes, hosts, dir, serverIngress, layerOutput,
                serverOutputs);
            final List<String> swarmOutput = output();
            final Process swarm = startSwarm(processes, hosts, dir, swarmOutput, "50s");
            awaitReport(atlas, atlasOutput, HANDOFFS, 1, "a handoff between the hosts of the two game servers");

            // a standby Atlas on Atlas's host proves itself and waits; Atlas's process dies: once it has been silent
            // for the takeover time (1 s) the standby takes over and is resynced, without waiting for the media
            // driver to time out the dead one's image (10 s, during which no handoff or failover would happen)
            final List<String> secondAtlasOutput = output();
            final Process second = standby(processes, hosts, secondAtlasOutput, atlasDir, atlasCommands, atlasDecisions,
                layer, layerOutput, 1);
            kills.add("atlas 1 " + System.currentTimeMillis());
            atlas.destroyForcibly().waitFor();
            ChildJvm.awaitLines(layer, layerOutput, "takes over", 1);
            atlas = second;
            awaitReportEquals(atlas, secondAtlasOutput, SERVERS_CONNECTED, 2, "both game servers joined Atlas 2");

            // game server 1's host loses its process: its territory fails over to game server 2
            final List<String> thirdAtlasOutput = output();
            final Process third = standby(processes, hosts, thirdAtlasOutput, atlasDir, atlasCommands, atlasDecisions,
                layer, layerOutput, 2);
            kills.add("game server 1 " + System.currentTimeMillis());
            servers[0].destroyForcibly().waitFor();
            awaitReport(atlas, secondAtlasOutput, FAILOVERS, 1, "game server 1 failed over");
            awaitReportEquals(atlas, secondAtlasOutput, SERVERS_CONNECTED, 1, "one game server left connected");

            // and Atlas again: the third one restores the failed-over territory from the layer (game server 2 keeps
            // it; from configuration it would go back to the dead game server 1 and its players would have none)
            kills.add("atlas 2 " + System.currentTimeMillis());
            atlas.destroyForcibly().waitFor();
            ChildJvm.awaitLines(layer, layerOutput, "takes over", 2);
            atlas = third;
            awaitReportEquals(atlas, thirdAtlasOutput, SERVERS_CONNECTED, 1, "game server 2 joined the third Atlas");

            // every correctness counter 0, input-acknowledgement stalls included (an entity unsimulated for 3 s):
            // they found a killed Atlas's subscription holding the layer's commands back for 10 s and game servers
            // dropping entities on rejects of writes older than their stream-in; after a stall every process's
            // output is printed (and, with ORRERY_CHILD_LOG_DIR set, kept with wall-clock stamps)
            assertShardRanClean(swarm, swarmOutput, servers[1], serverOutputs.get(1), kills,
                "\nlayer: " + layerOutput + "\nservers: " + serverOutputs + "\natlas: " + atlasOutput +
                "\nsecond atlas: " + secondAtlasOutput + "\nthird atlas: " + thirdAtlasOutput);
            assertTrue(atlas.isAlive(), "the third Atlas kept running: " + thirdAtlasOutput);
            assertEquals(0, ChildJvm.occurrences(layerOutput, "failed:"), String.valueOf(layerOutput));
        }
        finally
        {
            stopAll(processes, dir);
        }
    }

    /**
     * Atlas on a 3-member Aeron Cluster, one member per host: the layer's cluster link follows the leader. Players
     * are handed off between the game servers' hosts; the leader's process is killed: the two members left elect a
     * new leader, the link follows it and handoffs go on with no resync of the layer's state (no command lost, no epoch
     * reused); then game server 1 is killed and its territory fails over to game server 2 through the new leader.
     */
    @Test
    @Timeout(300)
    void shouldKeepTheShardRunningAcrossHostsWhenTheAtlasClusterLeaderAndAGameServerAreKilled() throws Exception
    {
        requireNamespaces();
        final File dir = Files.createTempDirectory("orrery-across-hosts-cluster").toFile();
        final String prefix = "orc" + ProcessHandle.current().pid() % 100_000 + "-";
        final List<Process> processes = new ArrayList<>();
        final List<String> kills = new ArrayList<>();
        try (NetworkNamespaces hosts = NetworkNamespaces.create(prefix, "10.77.42", "layer", "atlas0", "atlas1",
            "atlas2", "gs1", "gs2", "bots"))
        {
            final String layerHost = hosts.address("layer");
            final String serverIngress = "aeron:udp?endpoint=" + layerHost + ":20110";
            final String memberHosts = hosts.address("atlas0") + "," + hosts.address("atlas1") + "," +
                hosts.address("atlas2");
            final List<List<String>> memberOutputs = new ArrayList<>();
            final Process[] members = startAtlasCluster(processes, hosts, dir, memberHosts, memberOutputs);

            final List<String> layerOutput = output();
            final Process layer = start(processes, hosts, "layer", layerOutput, ReplicationLayerServer.class, "--dev",
                "--shard=two-servers", "--ingress-channel=aeron:udp?endpoint=" + layerHost + ":40123",
                "--server-ingress-channel=" + serverIngress, "--atlas-cluster=" + memberHosts,
                "--atlas-cluster-egress=aeron:udp?endpoint=" + layerHost + ":20122", "--max-sessions=64",
                "--report-interval-s=1", "--status-address=" + layerHost + ":19481");
            ChildJvm.awaitLines(layer, layerOutput, "resent the layer's state", 1);

            final List<List<String>> serverOutputs = new ArrayList<>();
            final Process[] servers = startGameServers(processes, hosts, dir, serverIngress, layerOutput,
                serverOutputs);
            final List<String> swarmOutput = output();
            final Process swarm = startSwarm(processes, hosts, dir, swarmOutput, "40s");
            final Matcher leaderLine = Pattern.compile("leader member (\\d)").matcher(lastLine(layerOutput,
                "leader member"));
            assertTrue(leaderLine.find(), String.valueOf(layerOutput));
            final int leader = Integer.parseInt(leaderLine.group(1));
            final int survivor = (leader + 1) % members.length;
            awaitReport(members[survivor], memberOutputs.get(survivor), HANDOFFS, 1,
                "a handoff between the hosts of the two game servers");

            // the leader's host loses its process: the two left elect a new leader, the layer's link follows it
            final long handoffsBefore = lastReported(memberOutputs.get(survivor), HANDOFFS);
            kills.add("atlas leader (member " + leader + ") " + System.currentTimeMillis());
            members[leader].destroyForcibly().waitFor();
            ChildJvm.awaitLines(layer, layerOutput, "new leader member", 1);
            awaitReport(members[survivor], memberOutputs.get(survivor), HANDOFFS, handoffsBefore + 1,
                "a handoff after the new leader");

            // game server 1's host loses its process: its territory fails over to game server 2
            kills.add("game server 1 " + System.currentTimeMillis());
            servers[0].destroyForcibly().waitFor();
            awaitReport(members[survivor], memberOutputs.get(survivor), FAILOVERS, 1, "game server 1 failed over");
            awaitReportEquals(members[survivor], memberOutputs.get(survivor), SERVERS_CONNECTED, 1,
                "one game server left connected");

            assertShardRanClean(swarm, swarmOutput, servers[1], serverOutputs.get(1), kills,
                "\nlayer: " + layerOutput + "\nservers: " + serverOutputs + "\natlas members: " + memberOutputs);
            assertEquals(1, ChildJvm.occurrences(layerOutput, "resent the layer's state"),
                "the layer's state was sent once, never resent after the election: " + layerOutput);
            assertEquals(0, ChildJvm.occurrences(layerOutput, "failed:"), String.valueOf(layerOutput));
        }
        finally
        {
            stopAll(processes, dir);
        }
    }

    /**
     * Clients through two Gateways on hosts of their own ({@code GatewayServer}, linked to the layer over UDP; the
     * layer listens for no client itself, {@code --ingress-channel none}): the bots are spread over both; Gateway 1's
     * host dies (its Gateway and media driver killed): the layer drops that
     * Gateway and its bots resume through Gateway 2 while handoffs go on, and the swarm ends with 0 correctness errors.
     */
    @Test
    @Timeout(300)
    void shouldResumeTheClientsOfAKilledGatewayHostThroughAnotherGateway() throws Exception
    {
        requireNamespaces();
        final File dir = Files.createTempDirectory("orrery-across-hosts-gateways").toFile();
        final String prefix = "org" + ProcessHandle.current().pid() % 100_000 + "-";
        final List<Process> processes = new ArrayList<>();
        final List<String> kills = new ArrayList<>();
        try (NetworkNamespaces hosts = NetworkNamespaces.create(prefix, "10.77.43", "layer", "gw1", "gw2", "gs1",
            "gs2", "bots"))
        {
            final String layerHost = hosts.address("layer");
            final String serverIngress = "aeron:udp?endpoint=" + layerHost + ":20110";
            final String gatewayLink = "aeron:udp?endpoint=" + layerHost + ":40500";
            final List<String> layerOutput = output();
            // the layer's host takes no client of its own: players reach it only through the Gateways' hosts
            final Process layer = start(processes, hosts, "layer", layerOutput, ReplicationLayerServer.class, "--dev",
                "--shard=two-servers", "--ingress-channel=none",
                "--server-ingress-channel=" + serverIngress, "--gateway-link=" + gatewayLink, "--max-sessions=64",
                "--report-interval-s=1", "--status-address=" + layerHost + ":19481");
            ChildJvm.awaitLines(layer, layerOutput, "replication layer up", 1);

            final List<List<String>> gatewayOutputs = new ArrayList<>();
            final Process[] gatewayDrivers = new Process[2];
            final Process[] gateways = startGatewayHosts(processes, hosts, dir, gatewayLink, gatewayOutputs,
                gatewayDrivers);

            final List<List<String>> serverOutputs = new ArrayList<>();
            final Process[] servers = startGameServers(processes, hosts, dir, serverIngress, layerOutput,
                serverOutputs);
            final List<String> swarmOutput = output();
            final Process swarm = startSwarm(processes, hosts, dir, swarmOutput, "40s", gatewayIngresses(hosts));
            awaitReport(layer, layerOutput, HANDOFFS, 1, "a handoff between the hosts of the two game servers");

            // Gateway 1's host dies: its Gateway and its media driver, no goodbye
            final long handoffsBefore = lastReported(layerOutput, HANDOFFS);
            kills.add("gateway 1's host " + System.currentTimeMillis());
            gateways[0].destroyForcibly();
            gatewayDrivers[0].destroyForcibly();
            gateways[0].waitFor();
            gatewayDrivers[0].waitFor();
            ChildJvm.awaitLines(layer, layerOutput, "gateway link: gateway 1 lost", 1);
            awaitReport(layer, layerOutput, HANDOFFS, handoffsBefore + 1, "a handoff after the Gateway's loss");

            assertShardRanClean(swarm, swarmOutput, servers[1], serverOutputs.get(1), kills,
                "\nlayer: " + layerOutput + "\nservers: " + serverOutputs + "\ngateways: " + gatewayOutputs);
            assertTrue(ChildJvm.summaryCount(swarmOutput, "sessionsResumed") > 0,
                "gateway 1's bots resumed through gateway 2: " + swarmOutput);
            assertTrue(gateways[1].isAlive(), "gateway 2 kept running: " + gatewayOutputs.get(1));
            assertEquals(0, ChildJvm.occurrences(layerOutput, "failed:"), String.valueOf(layerOutput));
        }
        finally
        {
            stopAll(processes, dir);
        }
    }

    /**
     * Replicant 1 on a host of its own ({@code ReplicantServer} behind the layer's {@code ReplicantBridge}, its own
     * media driver, the feed and the frames back over UDP between the hosts), two game servers and the bots on theirs:
     * walking players cross the Replicants' boundary (x = 0, also the game servers' border), so entities are handed
     * over between the primary Replicant on the layer's host and Replicant 1; Replicant 1's host dies (its process
     * and its media driver, no goodbye); the bridge notices, the primary takes its subtrees over (the bots' default
     * 3 s input stall holds through the outage), a new process on a new driver on that host links, is
     * proven and gets a snapshot, handoffs between the Replicants go on through it and its own counters show it
     * streaming to the clients. The swarm ends with the clean-run checks.
     */
    @Test
    @Timeout(300)
    void shouldHandEntitiesBetweenReplicantHostsWhenReplicantOnesHostIsKilledAndRestarted() throws Exception
    {
        requireNamespaces();
        final File dir = Files.createTempDirectory("orrery-across-hosts-replicant").toFile();
        final String prefix = "orp" + ProcessHandle.current().pid() % 100_000 + "-";
        final List<Process> processes = new ArrayList<>();
        final List<String> kills = new ArrayList<>();
        try (NetworkNamespaces hosts = NetworkNamespaces.create(prefix, "10.77.44", "layer", "rep1", "gs1", "gs2",
            "bots"))
        {
            final String layerHost = hosts.address("layer");
            final String serverIngress = "aeron:udp?endpoint=" + layerHost + ":20110";
            final String bridgeChannel = "aeron:udp?endpoint=" + layerHost + ":20571";
            final String status = layerHost + ":19481";
            final List<String> layerOptions = layerOptionsWithRemoteReplicant(bridgeChannel);
            final List<String> layerOutput = output();
            final Process layer = start(processes, withLinkSecret(hosts, "layer"), layerOutput, layerOptions,
                ReplicationLayerServer.class, "--dev", "--shard=two-servers",
                "--ingress-channel=aeron:udp?endpoint=" + layerHost + ":40123", "--server-ingress-channel=" +
                serverIngress, "--max-sessions=64", "--report-interval-s=1", "--status-address=" + status);
            ChildJvm.awaitLines(layer, layerOutput, "replication layer up", 1);

            final List<String> replicantOutput = output();
            final Process[] replicant = startReplicantHost(processes, hosts, dir, bridgeChannel, replicantOutput);
            ChildJvm.awaitLines(layer, layerOutput, REPLICANT_LINKED, 1);

            final List<List<String>> serverOutputs = new ArrayList<>();
            final Process[] servers = startGameServers(processes, hosts, dir, serverIngress, layerOutput,
                serverOutputs);
            final List<String> swarmOutput = output();
            // the bots' default input-acknowledgement stall (3 s) applies: while Replicant 1 is down the primary takes
            // its subtrees over (after 1 s of its silence), so a bot whose own entity it owned sees its inputs
            // acknowledged again within the stall; before the takeover (session 16) such a bot stalled for the whole
            // outage (one run: 7 stalls, 6 of them 6.2-6.3 s, the kill to the relink)
            final Process swarm = startSwarm(processes, hosts, dir, swarmOutput, "50s",
                "aeron:udp?endpoint=" + layerHost + ":40123");
            awaitMetric(layer, hosts, status, REPLICANT_HANDOFFS_METRIC, 1, "a handoff between the Replicants' hosts",
                layerOutput);
            awaitReport(layer, layerOutput, HANDOFFS, 1, "a handoff between the hosts of the two game servers");

            // Replicant 1's host dies: its process and its media driver, no goodbye; the bridge notices (its image
            // gone, or its feed publication no longer connected) and the ring fills until a Replicant is proven again
            kills.add("replicant 1's host " + System.currentTimeMillis());
            replicant[0].destroyForcibly();
            replicant[1].destroyForcibly();
            replicant[0].waitFor();
            replicant[1].waitFor();
            ChildJvm.awaitLines(layer, layerOutput, "bridge lost its Replicant", 1);
            // while it is down, the primary owns its subtrees: the entities it streamed were taken over
            awaitMetric(layer, hosts, status, "orrery_replicants_lost_total", 1, "Replicant 1 declared lost",
                layerOutput);
            awaitMetric(layer, hosts, status, "orrery_replicant_takeovers_total", 1,
                "Replicant 1's entities taken over while it is down", layerOutput);

            // the host comes back as after a reboot: no Aeron directory left (the killed driver's CnC file, with its
            // stale keepalive, would otherwise be found before the new driver replaces it, and the new process would
            // give up on it), a new media driver and a new process, proven by the bridge and sent a snapshot
            IoUtil.delete(new File(dir, "aeron-rep1"), false);
            final List<String> secondReplicantOutput = output();
            kills.add("replicant 1 restarted " + System.currentTimeMillis());
            final Process[] second = startReplicantHost(processes, hosts, dir, bridgeChannel, secondReplicantOutput);
            ChildJvm.awaitLines(layer, layerOutput, REPLICANT_LINKED, 2);
            ChildJvm.awaitLines(second[0], secondReplicantOutput, "linked to the layer's bridge", 1);
            kills.add("replicant 1 relinked " + System.currentTimeMillis());
            final long handoffsAtRelink = metric(hosts, status, REPLICANT_HANDOFFS_METRIC);
            awaitMetric(layer, hosts, status, REPLICANT_HANDOFFS_METRIC, handoffsAtRelink + 1,
                "a handoff between the Replicants after the restart", layerOutput);
            // the new process streams to the clients: its own counters (on its media driver) count spawns and updates
            final String secondAeronDir = new File(dir, "aeron-rep1").getAbsolutePath();
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (replicantCounter(secondAeronDir, OrreryCounter.SPAWNS_SENT) <= 0 ||
                replicantCounter(secondAeronDir, OrreryCounter.UPDATES_SENT) <= 0)
            {
                if (!second[0].isAlive() || System.nanoTime() > deadline)
                {
                    fail("the restarted Replicant sent no spawn or update within 60 s: " + secondReplicantOutput);
                }
                Thread.sleep(200);
            }
            final long updatesAtRelink = replicantCounter(secondAeronDir, OrreryCounter.UPDATES_SENT);

            assertShardRanClean(swarm, swarmOutput, servers[1], serverOutputs.get(1), kills,
                "\nlayer: " + layerOutput + "\nservers: " + serverOutputs + "\nreplicant 1: " + replicantOutput +
                "\nrestarted replicant 1: " + secondReplicantOutput);
            final long replicantHandoffs = metric(hosts, status, REPLICANT_HANDOFFS_METRIC);
            final long resyncs = metric(hosts, status, "orrery_replicant_feed_resyncs_total");
            final long spawns = replicantCounter(secondAeronDir, OrreryCounter.SPAWNS_SENT);
            final long updates = replicantCounter(secondAeronDir, OrreryCounter.UPDATES_SENT);
            System.out.println("shard across hosts, replicant host: " + replicantHandoffs + " handoffs between " +
                "Replicants (" + handoffsAtRelink + " at the relink), " + resyncs + " feed resyncs, bridge links " +
                ChildJvm.occurrences(layerOutput, REPLICANT_LINKED) + "; the restarted Replicant sent " + spawns +
                " spawns and " + updates + " updates (" + updatesAtRelink + " when first seen)");
            assertTrue(updates > updatesAtRelink, "the restarted Replicant kept streaming: " + secondReplicantOutput);
            assertTrue(second[0].isAlive(), "the restarted Replicant kept running: " + secondReplicantOutput);
            assertEquals(2, ChildJvm.occurrences(layerOutput, REPLICANT_LINKED), String.valueOf(layerOutput));
            assertEquals(0, ChildJvm.occurrences(layerOutput, "failed:"), String.valueOf(layerOutput));
        }
        finally
        {
            stopAll(processes, dir);
        }
    }

    /**
     * The whole shard across ten hosts at once, as issue 16 describes it: the layer (the primary Replicant, no client
     * ingress of its own) on one host, Atlas as a 3-member Aeron Cluster on three, Replicant 1 ({@code ReplicantServer}
     * behind the layer's bridge) on one, two Gateways on two, two game servers on two, and the bots on the last one,
     * spread over both Gateways. Once players are handed off between the game servers and entities between the
     * Replicants, three hosts die in turn: the Atlas cluster's leader (a new leader is elected and the layer's link
     * follows it, with no resync), Gateway 1 (its bots resume through Gateway 2) and game server 1 (its territory fails
     * over to game server 2 through the new leader). Handoffs go on after each; the swarm ends with the clean-run
     * checks (0 correctness errors, no input-acknowledgement stall of 3 s, no input forwarded twice).
     */
    @Test
    @Timeout(300)
    void shouldKeepAShardOnTenHostsRunningWhenTheAtlasLeaderAGatewayAndAGameServerAreKilled() throws Exception
    {
        requireNamespaces();
        final File dir = Files.createTempDirectory("orrery-across-hosts-all").toFile();
        final String prefix = "ora" + ProcessHandle.current().pid() % 100_000 + "-";
        final List<Process> processes = new ArrayList<>();
        final List<String> kills = new ArrayList<>();
        try (NetworkNamespaces hosts = NetworkNamespaces.create(prefix, "10.77.45", "layer", "atlas0", "atlas1",
            "atlas2", "rep1", "gw1", "gw2", "gs1", "gs2", "bots"))
        {
            final String layerHost = hosts.address("layer");
            final String serverIngress = "aeron:udp?endpoint=" + layerHost + ":20110";
            final String gatewayLink = "aeron:udp?endpoint=" + layerHost + ":40500";
            final String bridgeChannel = "aeron:udp?endpoint=" + layerHost + ":20571";
            final String status = layerHost + ":19481";
            final String memberHosts = hosts.address("atlas0") + "," + hosts.address("atlas1") + "," +
                hosts.address("atlas2");
            final List<List<String>> memberOutputs = new ArrayList<>();
            final Process[] members = startAtlasCluster(processes, hosts, dir, memberHosts, memberOutputs);

            final List<String> layerOptions = layerOptionsWithRemoteReplicant(bridgeChannel);
            final List<String> layerOutput = output();
            final Process layer = start(processes, withLinkSecret(hosts, "layer"), layerOutput, layerOptions,
                ReplicationLayerServer.class, "--dev", "--shard=two-servers", "--ingress-channel=none",
                "--server-ingress-channel=" + serverIngress, "--gateway-link=" + gatewayLink,
                "--atlas-cluster=" + memberHosts, "--atlas-cluster-egress=aeron:udp?endpoint=" + layerHost + ":20122",
                "--max-sessions=64", "--report-interval-s=1", "--status-address=" + status);
            ChildJvm.awaitLines(layer, layerOutput, "resent the layer's state", 1);

            final List<String> replicantOutput = output();
            final Process[] replicant = startReplicantHost(processes, hosts, dir, bridgeChannel, replicantOutput);
            ChildJvm.awaitLines(layer, layerOutput, REPLICANT_LINKED, 1);

            final List<List<String>> gatewayOutputs = new ArrayList<>();
            final Process[] gatewayDrivers = new Process[2];
            final Process[] gateways = startGatewayHosts(processes, hosts, dir, gatewayLink, gatewayOutputs,
                gatewayDrivers);

            final List<List<String>> serverOutputs = new ArrayList<>();
            final Process[] servers = startGameServers(processes, hosts, dir, serverIngress, layerOutput,
                serverOutputs);
            final List<String> swarmOutput = output();
            final Process swarm = startSwarm(processes, hosts, dir, swarmOutput, "60s", gatewayIngresses(hosts));
            // handoffs between game servers are committed by the cluster: its members report them, the layer does not
            final Matcher leaderLine = Pattern.compile("leader member (\\d)").matcher(lastLine(layerOutput,
                "leader member"));
            assertTrue(leaderLine.find(), String.valueOf(layerOutput));
            final int leader = Integer.parseInt(leaderLine.group(1));
            final int survivor = (leader + 1) % members.length;
            final Process atlas = members[survivor];
            final List<String> atlasOutput = memberOutputs.get(survivor);
            awaitReport(atlas, atlasOutput, HANDOFFS, 1, "a handoff between the hosts of the two game servers");
            awaitMetric(layer, hosts, status, REPLICANT_HANDOFFS_METRIC, 1, "a handoff between the Replicants' hosts",
                layerOutput);

            // the Atlas cluster's leader dies: the two members left elect a new leader, the layer's link follows it
            kills.add("atlas leader (member " + leader + ") " + System.currentTimeMillis());
            members[leader].destroyForcibly().waitFor();
            ChildJvm.awaitLines(layer, layerOutput, "new leader member", 1);
            awaitReport(atlas, atlasOutput, HANDOFFS, lastReported(atlasOutput, HANDOFFS) + 1,
                "a handoff after the new leader");

            // Gateway 1's host dies, its Gateway and its media driver, no goodbye: its bots resume through Gateway 2
            kills.add("gateway 1's host " + System.currentTimeMillis());
            gateways[0].destroyForcibly();
            gatewayDrivers[0].destroyForcibly();
            gateways[0].waitFor();
            gatewayDrivers[0].waitFor();
            ChildJvm.awaitLines(layer, layerOutput, "gateway link: gateway 1 lost", 1);
            awaitReport(atlas, atlasOutput, HANDOFFS, lastReported(atlasOutput, HANDOFFS) + 1,
                "a handoff after the Gateway's loss");
            final long replicantHandoffs = metric(hosts, status, REPLICANT_HANDOFFS_METRIC);
            awaitMetric(layer, hosts, status, REPLICANT_HANDOFFS_METRIC, replicantHandoffs + 1,
                "a handoff between the Replicants after the Gateway's loss", layerOutput);

            // game server 1's host loses its process: its territory fails over to game server 2 via the new leader
            kills.add("game server 1 " + System.currentTimeMillis());
            servers[0].destroyForcibly().waitFor();
            awaitReport(atlas, atlasOutput, FAILOVERS, 1, "game server 1 failed over");
            awaitReportEquals(atlas, atlasOutput, SERVERS_CONNECTED, 1, "one game server left connected");

            assertShardRanClean(swarm, swarmOutput, servers[1], serverOutputs.get(1), kills,
                "\nlayer: " + layerOutput + "\nservers: " + serverOutputs + "\natlas members: " + memberOutputs +
                "\ngateways: " + gatewayOutputs + "\nreplicant 1: " + replicantOutput);
            System.out.println("shard on ten hosts: " + metric(hosts, status, REPLICANT_HANDOFFS_METRIC) +
                " handoffs between Replicants, " + ChildJvm.summaryCount(swarmOutput, "sessionsResumed") +
                " sessions resumed, Replicant 1 sent " + replicantCounter(new File(dir, "aeron-rep1")
                .getAbsolutePath(), OrreryCounter.UPDATES_SENT) + " updates");
            assertTrue(ChildJvm.summaryCount(swarmOutput, "sessionsResumed") > 0,
                "gateway 1's bots resumed through gateway 2: " + swarmOutput);
            assertEquals(1, ChildJvm.occurrences(layerOutput, "resent the layer's state"),
                "the layer's state was sent once, never resent after the election: " + layerOutput);
            assertEquals(1, ChildJvm.occurrences(layerOutput, REPLICANT_LINKED),
                "Replicant 1 stayed linked through the other hosts' deaths: " + layerOutput);
            assertTrue(replicant[0].isAlive() && gateways[1].isAlive() && atlas.isAlive(),
                "Replicant 1, Gateway 2 and the surviving Atlas members kept running");
            assertEquals(0, ChildJvm.occurrences(layerOutput, "failed:"), String.valueOf(layerOutput));
        }
        finally
        {
            stopAll(processes, dir);
        }
    }

    /**
     * Start Atlas as a 3-member Aeron Cluster, member m on host "atlas" + m (each with its own embedded driver and
     * cluster directory), and wait until every member is up.
     */
    private static Process[] startAtlasCluster(
        final List<Process> processes,
        final NetworkNamespaces hosts,
        final File dir,
        final String memberHosts,
        final List<List<String>> memberOutputs)
        throws Exception
    {
        final Process[] members = new Process[3];
        for (int m = 0; m < members.length; m++)
        {
            memberOutputs.add(output());
            members[m] = start(processes, hosts, "atlas" + m, memberOutputs.get(m), AtlasServer.class, "--dev",
                "--shard=two-servers", "--cluster-member=" + m, "--cluster-hosts=" + memberHosts,
                "--cluster-fresh", "--cluster-dir=" + new File(dir, "member-" + m),
                "--aeron-dir=" + new File(dir, "aeron-atlas" + m), "--report-interval-s=1");
        }
        for (int m = 0; m < members.length; m++)
        {
            ChildJvm.awaitLines(members[m], memberOutputs.get(m), "atlas cluster member " + m + " up", 1);
        }
        return members;
    }

    /**
     * Start Gateways 1 and 2 on hosts "gw1" and "gw2", each with its own media driver (returned in {@code drivers}),
     * clients taken on port 40456 of its host, and wait until both are linked to the layer.
     */
    private static Process[] startGatewayHosts(
        final List<Process> processes,
        final NetworkNamespaces hosts,
        final File dir,
        final String gatewayLink,
        final List<List<String>> gatewayOutputs,
        final Process[] drivers)
        throws Exception
    {
        final Process[] gateways = new Process[2];
        for (int g = 0; g < gateways.length; g++)
        {
            final String host = "gw" + (g + 1);
            final String gatewayDir = driver(processes, hosts, host, dir);
            drivers[g] = processes.get(processes.size() - 1);
            gatewayOutputs.add(output());
            gateways[g] = start(processes, hosts, host, gatewayOutputs.get(g), GatewayServer.class, "--dev",
                "--gateway-id=" + (g + 1), "--aeron-dir=" + gatewayDir, "--layer-link=" + gatewayLink,
                "--link-response-channel=aeron:udp?endpoint=" + hosts.address(host) + ":40510",
                "--ingress-channel=aeron:udp?endpoint=" + hosts.address(host) + ":40456",
                "--report-interval-s=5");
        }
        for (int g = 0; g < gateways.length; g++)
        {
            ChildJvm.awaitLines(gateways[g], gatewayOutputs.get(g), "gateway " + (g + 1) + ": linked to the layer", 1);
        }
        return gateways;
    }

    /**
     * The client ingress channels of the Gateways {@link #startGatewayHosts} starts, for the bots' list.
     */
    private static String gatewayIngresses(final NetworkNamespaces hosts)
    {
        return "aeron:udp?endpoint=" + hosts.address("gw1") + ":40456,aeron:udp?endpoint=" + hosts.address("gw2") +
            ":40456";
    }

    /**
     * The layer's JVM options for two Replicants with Replicant 1 behind the bridge on {@code bridgeChannel}.
     */
    private static List<String> layerOptionsWithRemoteReplicant(final String bridgeChannel)
    {
        final List<String> options = new ArrayList<>(CHILD_OPTIONS);
        options.addAll(REPLICANT_OPTIONS);
        options.add("-Dorrery.replicant.remote.ids=1");
        options.add("-Dorrery.replicant.bridge.channel=" + bridgeChannel);
        return options;
    }

    /**
     * Start Replicant 1's host: a media driver and a {@code ReplicantServer} on it, its feed received on its own
     * address (the bridge answers a hello only on the host it came from).
     *
     * @return the Replicant process and its driver.
     */
    private static Process[] startReplicantHost(
        final List<Process> processes,
        final NetworkNamespaces hosts,
        final File dir,
        final String bridgeChannel,
        final List<String> output)
        throws Exception
    {
        final String aeronDir = driver(processes, hosts, "rep1", dir);
        final Process driver = processes.get(processes.size() - 1);
        final List<String> options = new ArrayList<>(CHILD_OPTIONS);
        options.addAll(REPLICANT_OPTIONS);
        final Process replicant = start(processes, withLinkSecret(hosts, "rep1"), output, options,
            ReplicantServer.class, "--replicant-id=1", "--layer-channel=" + bridgeChannel,
            "--feed-channel=aeron:udp?endpoint=" + hosts.address("rep1") + ":20581", "--max-sessions=64",
            "--aeron-dir=" + aeronDir);
        ChildJvm.awaitLines(replicant, output, "replicant 1 up", 1);
        return new Process[]{ replicant, driver };
    }

    /**
     * One of a {@code ReplicantServer}'s counters, read from its media driver's CnC file (the hosts share the file
     * system), without an Aeron client of the test's on that driver.
     *
     * @return its value, or -1 when the file or the counter is not there.
     */
    private static long replicantCounter(final String aeronDir, final OrreryCounter counter)
    {
        final File cnc = new File(aeronDir, CncFileDescriptor.CNC_FILE);
        if (!cnc.exists())
        {
            return -1;
        }
        final MappedByteBuffer buffer = IoUtil.mapExistingFile(cnc, "cnc");
        try
        {
            final DirectBuffer metaData = CncFileDescriptor.createMetaDataBuffer(buffer);
            final CountersReader reader = new CountersReader(
                CncFileDescriptor.createCountersMetaDataBuffer(buffer, metaData),
                CncFileDescriptor.createCountersValuesBuffer(buffer, metaData));
            final String label = "orrery: " + counter.label() + " shard=replicant-1";
            final long[] value = { -1 };
            reader.forEach((counterId, typeId, keyBuffer, counterLabel) ->
            {
                if (OrreryCounter.COUNTER_TYPE_ID == typeId && label.equals(counterLabel))
                {
                    value[0] = reader.getCounterValue(counterId);
                }
            });
            return value[0];
        }
        finally
        {
            IoUtil.unmap(buffer);
        }
    }

    private static List<String> withLinkSecret(final NetworkNamespaces hosts, final String host)
    {
        final List<String> prefix = new ArrayList<>(hosts.exec(host));
        prefix.add("env");
        prefix.add(ReplicantBridgeSettings.LINK_SECRET_ENV + "=" + REPLICANT_LINK_SECRET);
        return prefix;
    }

    private static void awaitMetric(
        final Process layer,
        final NetworkNamespaces hosts,
        final String status,
        final String name,
        final long atLeast,
        final String what,
        final List<String> layerOutput)
        throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (metric(hosts, status, name) < atLeast)
        {
            if (!layer.isAlive() || System.nanoTime() > deadline)
            {
                fail("no " + what + " within 60 s (" + name + " " + metric(hosts, status, name) + "): " +
                    layerOutput);
            }
            Thread.sleep(200);
        }
    }

    /**
     * One counter of the layer's /metrics, fetched on its host.
     *
     * @return its value, or -1 when it could not be read.
     */
    private static long metric(final NetworkNamespaces hosts, final String address, final String name)
    {
        try
        {
            final List<String> command = new ArrayList<>(hosts.exec("layer"));
            command.addAll(List.of("curl", "-s", "--max-time", "5", "http://" + address + "/metrics"));
            final Process curl = new ProcessBuilder(command).redirectErrorStream(true).start();
            for (final String line : new String(curl.getInputStream().readAllBytes()).split("\n"))
            {
                if (line.startsWith(name + "{") || line.startsWith(name + " "))
                {
                    return (long)Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                }
            }
            curl.waitFor();
        }
        catch (final Exception ignore)
        {
            // not readable now: -1
        }
        return -1;
    }

    private static void requireNamespaces()
    {
        final String unavailable = NetworkNamespaces.unavailableReason();
        if ("1".equals(System.getenv("ORRERY_REQUIRE_NETNS")))
        {
            assertNull(unavailable, "ORRERY_REQUIRE_NETNS=1 but network namespaces cannot be made");
        }
        Assumptions.assumeTrue(null == unavailable, () -> "skipped: " + unavailable);
    }

    private static void stopAll(final List<Process> processes, final File dir) throws InterruptedException
    {
        for (int i = processes.size() - 1; i >= 0; i--)
        {
            ChildJvm.destroy(processes.get(i));
        }
        for (final Process process : processes)
        {
            process.waitFor(10, TimeUnit.SECONDS);
        }
        IoUtil.delete(dir, true);
    }

    private static String lastLine(final List<String> output, final String containing)
    {
        String last = "";
        synchronized (output)
        {
            for (final String line : output)
            {
                if (line.contains(containing))
                {
                    last = line;
                }
            }
        }
        return last;
    }

    /**
     * The layer's non-zero server counters from its /metrics, fetched on its host, for a failure message.
     */
    private static String serverCounters(final NetworkNamespaces hosts, final String address)
    {
        try
        {
            final List<String> command = new ArrayList<>(hosts.exec("layer"));
            command.addAll(List.of("curl", "-s", "--max-time", "5", "http://" + address + "/metrics"));
            final Process curl = new ProcessBuilder(command).redirectErrorStream(true).start();
            final StringBuilder counters = new StringBuilder();
            for (final String line : new String(curl.getInputStream().readAllBytes()).split("\n"))
            {
                if (line.startsWith("orrery_server") && !line.endsWith(" 0"))
                {
                    counters.append(line).append('\n');
                }
            }
            return counters.toString();
        }
        catch (final Exception ex)
        {
            return "unavailable: " + ex;
        }
    }

    /**
     * Start game servers 1 and 2, each on its own host with its own media driver, and wait until the layer welcomed
     * both.
     */
    private static Process[] startGameServers(
        final List<Process> processes,
        final NetworkNamespaces hosts,
        final File dir,
        final String serverIngress,
        final List<String> layerOutput,
        final List<List<String>> serverOutputs)
        throws Exception
    {
        final Process[] servers = new Process[2];
        for (int i = 0; i < servers.length; i++)
        {
            final String host = "gs" + (i + 1);
            final String serverDir = driver(processes, hosts, host, dir);
            serverOutputs.add(output());
            servers[i] = start(processes, hosts, host, serverOutputs.get(i), GameServer.class, "--dev",
                "--server-id=" + (i + 1), "--aeron-dir=" + serverDir, "--ingress-channel=" + serverIngress,
                "--response-channel=aeron:udp?endpoint=" + hosts.address(host) + ":20111", "--npcs=5",
                "--report-interval=1s", "--layer-grace=60s", "--stop-on-stdin-close");
        }
        for (int i = 0; i < servers.length; i++)
        {
            try
            {
                ChildJvm.awaitLines(servers[i], serverOutputs.get(i), "welcomed", 1);
            }
            catch (final AssertionError ex)
            {
                throw new AssertionError(ex.getMessage() + "\nlayer: " + layerOutput + "\nlayer's server "
                    + "counters: " + serverCounters(hosts, hosts.address("layer") + ":19481"), ex);
            }
        }
        return servers;
    }

    /**
     * Start the walking bot swarm on the bots' host, with its own media driver, against the layer's client ingress.
     */
    private static Process startSwarm(
        final List<Process> processes,
        final NetworkNamespaces hosts,
        final File dir,
        final List<String> swarmOutput,
        final String duration)
        throws Exception
    {
        return startSwarm(processes, hosts, dir, swarmOutput, duration,
            "aeron:udp?endpoint=" + hosts.address("layer") + ":40123");
    }

    private static Process startSwarm(
        final List<Process> processes,
        final NetworkNamespaces hosts,
        final File dir,
        final List<String> swarmOutput,
        final String duration,
        final String ingressChannels,
        final String... extraArgs)
        throws Exception
    {
        final List<String> args = new ArrayList<>(List.of("--dev",
            "--embedded-shard=false", "--own-driver", "-b", String.valueOf(BOTS), "-t", "1", "-d", duration,
            "--ingress-channel=" + ingressChannels,
            "--response-channel=aeron:udp?endpoint=" + hosts.address("bots") + ":0", "--bots-per-endpoint=6",
            "--mix", "walk=100", "--progress-interval=5s", "--output", new File(dir, "swarm").getPath()));
        args.addAll(List.of(extraArgs));
        return start(processes, hosts, "bots", swarmOutput, BotSwarmMain.class, args.toArray(new String[0]));
    }

    /**
     * Wait for the swarm's end and check its outcome: every bot connected, every correctness counter 0, players
     * handed off; then stop game server 2 and check it dropped no input as a duplicate.
     */
    private static void assertShardRanClean(
        final Process swarm,
        final List<String> swarmOutput,
        final Process lastServer,
        final List<String> lastServerOutput,
        final List<String> kills,
        final String others)
        throws Exception
    {
        assertTrue(swarm.waitFor(120, TimeUnit.SECONDS), "the swarm ended: " + swarmOutput);
        final String context = "\nswarm: " + swarmOutput + others;
        assertEquals(BOTS, ChildJvm.summaryCount(swarmOutput, "botsConnected"), "every bot connected" + context);
        for (final String counter : new String[]{ "botsFailed", "unexpectedDisconnects",
            "acknowledgementRegressions", "updatesForUnknownEntities", "despawnsForUnknownEntities",
            "malformedMessages", "inputsBackPressured", "inputAcknowledgementStalls" })
        {
            assertEquals(0, ChildJvm.summaryCount(swarmOutput, counter), counter + context);
        }
        System.out.println("shard across hosts: handoffs seen by bots " +
            ChildJvm.summaryCount(swarmOutput, "authorityChangesSeen") + ", kills at " + kills);
        assertTrue(ChildJvm.summaryCount(swarmOutput, "authorityChangesSeen") > 0,
            "players handed off: " + swarmOutput);
        lastServer.getOutputStream().close();
        assertTrue(lastServer.waitFor(30, TimeUnit.SECONDS), String.valueOf(lastServerOutput));
        final Matcher duplicate = Pattern.compile("duplicate (\\d+)").matcher(String.join("\n", lastServerOutput));
        assertTrue(duplicate.find(), String.valueOf(lastServerOutput));
        assertEquals("0", duplicate.group(1), "inputs forwarded twice to game server 2 (dropped there)");
    }

    /**
     * Start a standby Atlas on Atlas's host and wait until the layer has it proven and waiting.
     */
    private static Process standby(
        final List<Process> processes,
        final NetworkNamespaces hosts,
        final List<String> output,
        final String atlasDir,
        final String atlasCommands,
        final String atlasDecisions,
        final Process layer,
        final List<String> layerOutput,
        final int standbys)
        throws Exception
    {
        final Process atlas = start(processes, hosts, "atlas", output, AtlasServer.class, "--dev",
            "--shard=two-servers", "--aeron-dir=" + atlasDir, atlasCommands, atlasDecisions, "--report-interval-s=1");
        ChildJvm.awaitLines(layer, layerOutput, "proved itself; waiting", standbys);
        return atlas;
    }

    private static List<String> output()
    {
        return Collections.synchronizedList(new ArrayList<>());
    }

    private static Process start(
        final List<Process> processes,
        final NetworkNamespaces hosts,
        final String host,
        final List<String> output,
        final Class<?> mainClass,
        final String... args)
        throws Exception
    {
        return start(processes, hosts.exec(host), output, CHILD_OPTIONS, mainClass, args);
    }

    private static Process start(
        final List<Process> processes,
        final List<String> prefix,
        final List<String> output,
        final List<String> jvmOptions,
        final Class<?> mainClass,
        final String... args)
        throws Exception
    {
        final Process process = ChildJvm.startWithPrefix(prefix, output, jvmOptions, mainClass.getName(), args);
        processes.add(process);
        return process;
    }

    /**
     * Start a media driver on a host (its own Aeron directory: the hosts share the file system) and wait for it.
     */
    private static String driver(
        final List<Process> processes, final NetworkNamespaces hosts, final String host, final File dir)
        throws Exception
    {
        final File aeronDir = new File(dir, "aeron-" + host);
        final List<String> options = new ArrayList<>(CHILD_OPTIONS);
        options.add("-Daeron.dir=" + aeronDir.getAbsolutePath());
        options.add("-Daeron.threading.mode=SHARED");
        options.add("-Daeron.dir.delete.on.start=true");
        options.add("-Daeron.dir.delete.on.shutdown=true");
        final List<String> output = output();
        final Process driver = ChildJvm.startWithPrefix(hosts.exec(host), output, options,
            MediaDriver.class.getName());
        processes.add(driver);
        // active, not only there: a CnC file exists before the driver has written its version and heartbeat
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!isDriverActive(aeronDir))
        {
            if (!driver.isAlive() || System.nanoTime() > deadline)
            {
                fail("media driver on " + host + " not up: " + output);
            }
            Thread.sleep(20);
        }
        return aeronDir.getAbsolutePath();
    }

    private static boolean isDriverActive(final File aeronDir)
    {
        if (!new File(aeronDir, CncFileDescriptor.CNC_FILE).exists())
        {
            return false;
        }
        try
        {
            return CommonContext.isDriverActive(aeronDir, TimeUnit.SECONDS.toMillis(10), (message) -> {});
        }
        catch (final RuntimeException ex)
        {
            return false; // the file is there but not yet initialised
        }
    }

    private static void awaitReport(
        final Process process, final List<String> output, final Pattern pattern, final long atLeast, final String what)
        throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (lastReported(output, pattern) < atLeast)
        {
            if (!process.isAlive() || System.nanoTime() > deadline)
            {
                fail("no " + what + " within 60 s: " + output);
            }
            Thread.sleep(50);
        }
    }

    private static void awaitReportEquals(
        final Process process, final List<String> output, final Pattern pattern, final long value, final String what)
        throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (lastReported(output, pattern) != value)
        {
            if (!process.isAlive() || System.nanoTime() > deadline)
            {
                fail("no " + what + " within 60 s: " + output);
            }
            Thread.sleep(50);
        }
    }

    private static long lastReported(final List<String> output, final Pattern pattern)
    {
        long value = -1;
        synchronized (output)
        {
            for (final String line : output)
            {
                final Matcher matcher = pattern.matcher(line);
                if (matcher.find())
                {
                    value = Long.parseLong(matcher.group(1));
                }
            }
        }
        return value;
    }
}
