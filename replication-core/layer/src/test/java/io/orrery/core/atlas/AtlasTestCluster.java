/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.atlas;

import io.aeron.CommonContext;
import io.aeron.archive.Archive;
import io.aeron.archive.ArchiveThreadingMode;
import io.aeron.archive.client.AeronArchive;
import io.aeron.cluster.ClusterControl;
import io.aeron.cluster.ClusteredMediaDriver;
import io.aeron.cluster.ConsensusModule;
import io.aeron.cluster.service.Cluster;
import io.aeron.cluster.service.ClusteredServiceContainer;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import org.agrona.CloseHelper;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.NoOpLock;
import org.agrona.concurrent.status.AtomicCounter;

import java.io.File;
import java.io.IOException;
import java.net.DatagramSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A 3-member Aeron Cluster in the test's JVM, each member a {@link ClusteredMediaDriver} (media driver, archive,
 * consensus module; SHARED threading, backoff idle) and a {@link ClusteredServiceContainer} running an
 * {@link AtlasClusteredService}, with its own directories under {@code target/} and free UDP ports on localhost.
 * Clients must prove the link key ({@link AtlasClusterAuthenticator}).
 */
final class AtlasTestCluster implements AutoCloseable
{
    static final int MEMBERS = 3;

    final AtomicLong proofsFailed = new AtomicLong();
    final AtlasClusteredService[] services = new AtlasClusteredService[MEMBERS];
    private final ClusteredMediaDriver[] drivers = new ClusteredMediaDriver[MEMBERS];
    private final ClusteredServiceContainer[] containers = new ClusteredServiceContainer[MEMBERS];
    private final int[][] ports = new int[MEMBERS][5];
    private final File baseDir;
    private final String members;
    private final ShardConfig config;
    private final byte[] tokenSecret;

    AtlasTestCluster(final String name, final ShardConfig config, final byte[] tokenSecret) throws IOException
    {
        this.config = config;
        this.tokenSecret = tokenSecret;
        baseDir = new File("target/atlas-cluster/" + name + "-" + ProcessHandle.current().pid());
        final StringBuilder sb = new StringBuilder();
        for (int i = 0; i < MEMBERS; i++)
        {
            for (int p = 0; p < 5; p++)
            {
                ports[i][p] = freeUdpPort();
            }
            sb.append(i).append(",localhost:").append(ports[i][0]).append(",localhost:").append(ports[i][1])
                .append(",localhost:").append(ports[i][2]).append(",localhost:").append(ports[i][3])
                .append(",localhost:").append(ports[i][4]).append('|');
        }
        members = sb.toString();
        for (int i = 0; i < MEMBERS; i++)
        {
            start(i, true);
        }
    }

    /**
     * Restarts a killed member from its own cluster directory and archive (its snapshots and log).
     */
    void restart(final int member)
    {
        start(member, false);
    }

    /**
     * Asks the cluster (through a member's consensus module control toggle) to take a snapshot.
     */
    boolean takeSnapshot(final int member)
    {
        final ConsensusModule.Context ctx = drivers[member].consensusModule().context();
        final AtomicCounter toggle = ClusterControl.findControlToggle(ctx.aeron().countersReader(), ctx.clusterId());
        return ClusterControl.ToggleState.SNAPSHOT.toggle(toggle);
    }

    /**
     * @return snapshots a live member took.
     */
    long snapshots(final int member)
    {
        return drivers[member].consensusModule().context().snapshotCounter().get();
    }

    private static int freeUdpPort() throws IOException
    {
        try (DatagramSocket socket = new DatagramSocket(0))
        {
            return socket.getLocalPort();
        }
    }

    private void start(final int member, final boolean fresh)
    {
        final File dir = new File(baseDir, "member-" + member);
        final String aeronDir = CommonContext.getAeronDirectoryName() + "-atlas-cluster-" +
            ProcessHandle.current().pid() + "-" + member;
        final MediaDriver.Context driver = new MediaDriver.Context()
            .aeronDirectoryName(aeronDir)
            .threadingMode(ThreadingMode.SHARED)
            .sharedIdleStrategy(new BackoffIdleStrategy())
            .termBufferSparseFile(true)
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true);
        final String localControl = "aeron:ipc?term-length=64k";
        final Archive.Context archive = new Archive.Context()
            .aeronDirectoryName(aeronDir)
            .archiveDir(new File(dir, "archive"))
            .deleteArchiveOnStart(fresh)
            .archiveId(member)
            .controlChannel("aeron:udp?endpoint=localhost:" + ports[member][4])
            .localControlChannel(localControl)
            .replicationChannel("aeron:udp?endpoint=localhost:0")
            .archiveClientContext(new AeronArchive.Context().controlResponseChannel("aeron:udp?endpoint=localhost:0"))
            .recordingEventsEnabled(false)
            .segmentFileLength(1024 * 1024)
            .threadingMode(ArchiveThreadingMode.SHARED)
            .idleStrategySupplier(BackoffIdleStrategy::new);
        final AeronArchive.Context archiveClient = new AeronArchive.Context()
            .lock(NoOpLock.INSTANCE)
            .controlRequestChannel(localControl)
            .controlRequestStreamId(archive.localControlStreamId())
            .controlResponseChannel(localControl)
            .aeronDirectoryName(aeronDir);
        final ConsensusModule.Context consensus = new ConsensusModule.Context()
            .clusterMemberId(member)
            .clusterMembers(members)
            .clusterDir(new File(dir, "cluster"))
            .deleteDirOnStart(fresh)
            .archiveContext(archiveClient.clone())
            .ingressChannel("aeron:udp?term-length=256k")
            .logChannel("aeron:udp?term-length=512k")
            .replicationChannel("aeron:udp?endpoint=localhost:0")
            .leaderHeartbeatIntervalNs(TimeUnit.MILLISECONDS.toNanos(100))
            .leaderHeartbeatTimeoutNs(TimeUnit.SECONDS.toNanos(1))
            .electionTimeoutNs(TimeUnit.MILLISECONDS.toNanos(500))
            .startupCanvassTimeoutNs(TimeUnit.SECONDS.toNanos(3))
            .sessionTimeoutNs(TimeUnit.SECONDS.toNanos(10))
            .authenticatorSupplier(AtlasClusterAuthenticator.supplier(tokenSecret, proofsFailed))
            .idleStrategySupplier(BackoffIdleStrategy::new);
        services[member] = new AtlasClusteredService(config, 256, TimeUnit.SECONDS.toNanos(2),
            AtlasClusteredService.JOURNAL_CAPACITY_DEFAULT, null);
        final ClusteredServiceContainer.Context container = new ClusteredServiceContainer.Context()
            .aeronDirectoryName(aeronDir)
            .archiveContext(archiveClient.clone())
            .clusterDir(new File(dir, "cluster"))
            .clusteredService(services[member])
            .idleStrategySupplier(BackoffIdleStrategy::new);
        drivers[member] = ClusteredMediaDriver.launch(driver, archive, consensus);
        containers[member] = ClusteredServiceContainer.launch(container);
    }

    String ingressEndpoints()
    {
        final StringBuilder sb = new StringBuilder();
        for (int i = 0; i < MEMBERS; i++)
        {
            sb.append(i > 0 ? "," : "").append(i).append("=localhost:").append(ports[i][0]);
        }
        return sb.toString();
    }

    /**
     * @return the member whose service is the leader, or -1.
     */
    int leader()
    {
        for (int i = 0; i < MEMBERS; i++)
        {
            if (null != containers[i] && Cluster.Role.LEADER == services[i].role())
            {
                return i;
            }
        }
        return -1;
    }

    boolean isAlive(final int member)
    {
        return null != containers[member];
    }

    /**
     * @return the highest command sequence a live member's service applied.
     */
    long appliedCommandSequence()
    {
        long applied = -1;
        for (int i = 0; i < MEMBERS; i++)
        {
            if (null != containers[i])
            {
                applied = Math.max(applied, services[i].appliedCommandSequence());
            }
        }
        return applied;
    }

    /**
     * @return the decision sequence of the live service that applied the most commands.
     */
    long decisionSequence()
    {
        long applied = -1;
        long decisions = -1;
        for (int i = 0; i < MEMBERS; i++)
        {
            if (null != containers[i] && services[i].appliedCommandSequence() > applied)
            {
                applied = services[i].appliedCommandSequence();
                decisions = services[i].decisionSequence();
            }
        }
        return decisions;
    }

    /**
     * Kills a member: its service container, consensus module, archive and media driver are closed at once, in
     * the middle of whatever they were doing.
     */
    void kill(final int member)
    {
        final ClusteredServiceContainer container = containers[member];
        final ClusteredMediaDriver driver = drivers[member];
        containers[member] = null;
        drivers[member] = null;
        CloseHelper.quietCloseAll(container, driver);
    }

    @Override
    public void close()
    {
        for (int i = 0; i < MEMBERS; i++)
        {
            kill(i);
        }
    }

    List<Integer> alive()
    {
        final List<Integer> alive = new ArrayList<>();
        for (int i = 0; i < MEMBERS; i++)
        {
            if (null != containers[i])
            {
                alive.add(i);
            }
        }
        return alive;
    }
}
