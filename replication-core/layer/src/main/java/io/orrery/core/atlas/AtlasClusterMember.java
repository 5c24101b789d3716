/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.atlas;

import io.aeron.archive.Archive;
import io.aeron.archive.ArchiveThreadingMode;
import io.aeron.archive.client.AeronArchive;
import io.aeron.cluster.ClusterControl;
import io.aeron.cluster.ClusteredMediaDriver;
import io.aeron.cluster.ConsensusModule;
import io.aeron.cluster.ElectionState;
import io.aeron.cluster.service.ClusteredServiceContainer;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import org.agrona.CloseHelper;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.NoOpLock;
import org.agrona.concurrent.status.AtomicCounter;

import java.io.File;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One member of an Atlas cluster: a {@link ClusteredMediaDriver} (media driver, archive, consensus module; SHARED
 * threading, backoff idle) and a {@link ClusteredServiceContainer} running an {@link AtlasClusteredService}. Clients
 * must prove the link key ({@link AtlasClusterAuthenticator}).
 * <p>
 * Ports: member {@code m} uses {@code portBase + m * }{@value #PORTS_PER_MEMBER}{@code  + offset}: ingress 0,
 * consensus 1, log 2, catch-up 3, archive control 4 ({@link #clusterMembers}, {@link #ingressEndpoints}).
 */
public final class AtlasClusterMember implements AutoCloseable
{
    public static final int PORTS_PER_MEMBER = 10;
    public static final int PORT_BASE_DEFAULT = 20200;

    private final ClusteredMediaDriver driver;
    private final ClusteredServiceContainer container;
    private final AtlasClusteredService service;

    private AtlasClusterMember(final Settings settings)
    {
        final File dir = settings.baseDir;
        final MediaDriver.Context driverCtx = new MediaDriver.Context()
            .threadingMode(ThreadingMode.SHARED)
            .sharedIdleStrategy(new BackoffIdleStrategy())
            .termBufferSparseFile(true)
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true);
        if (null != settings.aeronDir)
        {
            driverCtx.aeronDirectoryName(settings.aeronDir);
        }
        final String aeronDir = driverCtx.aeronDirectoryName();
        final String localControl = "aeron:ipc?term-length=64k";
        final String host = settings.host;
        final Archive.Context archive = new Archive.Context()
            .aeronDirectoryName(aeronDir)
            .archiveDir(new File(dir, "archive"))
            .deleteArchiveOnStart(settings.fresh)
            .archiveId(settings.memberId)
            .controlChannel("aeron:udp?endpoint=" + host + ":" + settings.archivePort)
            .localControlChannel(localControl)
            .replicationChannel("aeron:udp?endpoint=" + host + ":0")
            .archiveClientContext(
                new AeronArchive.Context().controlResponseChannel("aeron:udp?endpoint=" + host + ":0"))
            .recordingEventsEnabled(false)
            .segmentFileLength(settings.segmentFileLength)
            .threadingMode(ArchiveThreadingMode.SHARED)
            .idleStrategySupplier(BackoffIdleStrategy::new);
        final AeronArchive.Context archiveClient = new AeronArchive.Context()
            .lock(NoOpLock.INSTANCE)
            .controlRequestChannel(localControl)
            .controlRequestStreamId(archive.localControlStreamId())
            .controlResponseChannel(localControl)
            .aeronDirectoryName(aeronDir);
        final ConsensusModule.Context consensus = new ConsensusModule.Context()
            .clusterMemberId(settings.memberId)
            .clusterMembers(settings.members)
            .clusterDir(new File(dir, "cluster"))
            .deleteDirOnStart(settings.fresh)
            .archiveContext(archiveClient.clone())
            .ingressChannel("aeron:udp?term-length=" + settings.termLength)
            .logChannel("aeron:udp?term-length=" + settings.termLength)
            .replicationChannel("aeron:udp?endpoint=" + host + ":0")
            .leaderHeartbeatIntervalNs(settings.leaderHeartbeatTimeoutNs / 10)
            .leaderHeartbeatTimeoutNs(settings.leaderHeartbeatTimeoutNs)
            .electionTimeoutNs(settings.leaderHeartbeatTimeoutNs / 2)
            .startupCanvassTimeoutNs(settings.leaderHeartbeatTimeoutNs * 3)
            .sessionTimeoutNs(TimeUnit.SECONDS.toNanos(10))
            .authenticatorSupplier(AtlasClusterAuthenticator.supplier(settings.tokenSecret, settings.proofsFailed))
            .idleStrategySupplier(BackoffIdleStrategy::new);
        service = new AtlasClusteredService(settings.config, settings.entityCapacity, settings.welcomeTimeoutNs,
            settings.journalCapacity, null);
        final ClusteredServiceContainer.Context containerCtx = new ClusteredServiceContainer.Context()
            .aeronDirectoryName(aeronDir)
            .archiveContext(archiveClient.clone())
            .clusterDir(new File(dir, "cluster"))
            .clusteredService(service)
            .idleStrategySupplier(BackoffIdleStrategy::new);
        final ClusteredMediaDriver launched = ClusteredMediaDriver.launch(driverCtx, archive, consensus);
        try
        {
            container = ClusteredServiceContainer.launch(containerCtx);
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietClose(launched);
            throw ex;
        }
        driver = launched;
    }

    /**
     * Starts a member.
     */
    public static AtlasClusterMember launch(final Settings settings)
    {
        return new AtlasClusterMember(settings);
    }

    /**
     * @return the cluster members string of Aeron's consensus module for members on {@code hosts} (member ids 0..).
     */
    public static String clusterMembers(final String[] hosts, final int portBase)
    {
        final StringBuilder sb = new StringBuilder();
        for (int m = 0; m < hosts.length; m++)
        {
            sb.append(m);
            for (int offset = 0; offset < 5; offset++)
            {
                sb.append(',').append(hosts[m]).append(':').append(port(m, portBase, offset));
            }
            sb.append('|');
        }
        return sb.toString();
    }

    /**
     * @return the clients' ingress endpoints for members on {@code hosts}.
     */
    public static String ingressEndpoints(final String[] hosts, final int portBase)
    {
        final StringBuilder sb = new StringBuilder();
        for (int m = 0; m < hosts.length; m++)
        {
            sb.append(m > 0 ? "," : "").append(m).append('=').append(hosts[m]).append(':').append(port(m, portBase, 0));
        }
        return sb.toString();
    }

    /**
     * @return the port of a member at an offset (0 ingress, 1 consensus, 2 log, 3 catch-up, 4 archive control).
     */
    public static int port(final int member, final int portBase, final int offset)
    {
        return portBase + member * PORTS_PER_MEMBER + offset;
    }

    public AtlasClusteredService service()
    {
        return service;
    }

    /**
     * Asks the cluster, through this member's consensus module, to take a snapshot.
     *
     * @return whether the request was made (no other control action pending).
     */
    public boolean takeSnapshot()
    {
        final ConsensusModule.Context ctx = driver.consensusModule().context();
        final AtomicCounter toggle = ClusterControl.findControlToggle(ctx.aeron().countersReader(), ctx.clusterId());
        return ClusterControl.ToggleState.SNAPSHOT.toggle(toggle);
    }

    /**
     * @return this member's consensus module's election state: {@link ElectionState#CLOSED} while the cluster has a
     * leader this member follows or is (any thread, until {@link #close()}).
     */
    public ElectionState electionState()
    {
        return ElectionState.get(driver.consensusModule().context().electionStateCounter());
    }

    /**
     * @return snapshots this member took.
     */
    public long snapshots()
    {
        return driver.consensusModule().context().snapshotCounter().get();
    }

    /**
     * Closes the service container, then the consensus module, archive and media driver.
     */
    @Override
    public void close()
    {
        CloseHelper.quietCloseAll(container, driver);
    }

    /**
     * What a member needs. Defaults suit a test or a small shard: 256 KiB terms, 1 MiB archive segments, a 1 s leader
     * heartbeat timeout.
     */
    public static final class Settings
    {
        int memberId;
        String members;
        String host = "localhost";
        int archivePort;
        File baseDir;
        String aeronDir;
        boolean fresh = true;
        byte[] tokenSecret;
        ShardConfig config;
        int entityCapacity = 1024;
        long welcomeTimeoutNs = TimeUnit.SECONDS.toNanos(2);
        int journalCapacity = AtlasClusteredService.JOURNAL_CAPACITY_DEFAULT;
        String termLength = "256k";
        int segmentFileLength = 1024 * 1024;
        long leaderHeartbeatTimeoutNs = TimeUnit.SECONDS.toNanos(1);
        AtomicLong proofsFailed = new AtomicLong();

        /**
         * @param memberId     this member's id.
         * @param members      the consensus module's members string ({@link #clusterMembers}).
         * @param host         this member's host (archive control and replication endpoints).
         * @param archivePort  this member's archive control port (as in {@code members}).
         * @return this.
         */
        public Settings member(final int memberId, final String members, final String host, final int archivePort)
        {
            this.memberId = memberId;
            this.members = members;
            this.host = host;
            this.archivePort = archivePort;
            return this;
        }

        /**
         * @param baseDir  cluster directory and archive go under it.
         * @param aeronDir the member's media driver directory, or null for Aeron's default.
         * @param fresh    delete the cluster directory and archive on start (else restart from them).
         * @return this.
         */
        public Settings directories(final File baseDir, final String aeronDir, final boolean fresh)
        {
            this.baseDir = baseDir;
            this.aeronDir = aeronDir;
            this.fresh = fresh;
            return this;
        }

        /**
         * @param config      the shard's mesh.
         * @param tokenSecret the shard's token secret (the link key is derived from it).
         * @return this.
         */
        public Settings shard(final ShardConfig config, final byte[] tokenSecret)
        {
            this.config = config;
            this.tokenSecret = tokenSecret;
            return this;
        }

        public Settings entityCapacity(final int entityCapacity)
        {
            this.entityCapacity = entityCapacity;
            return this;
        }

        public Settings welcomeTimeoutNs(final long welcomeTimeoutNs)
        {
            this.welcomeTimeoutNs = welcomeTimeoutNs;
            return this;
        }

        public Settings journalCapacity(final int journalCapacity)
        {
            this.journalCapacity = journalCapacity;
            return this;
        }

        public Settings leaderHeartbeatTimeoutNs(final long leaderHeartbeatTimeoutNs)
        {
            this.leaderHeartbeatTimeoutNs = leaderHeartbeatTimeoutNs;
            return this;
        }

        /**
         * @param proofsFailed counts clients' failed proofs of the link key.
         * @return this.
         */
        public Settings proofsFailed(final AtomicLong proofsFailed)
        {
            this.proofsFailed = proofsFailed;
            return this;
        }
    }
}
