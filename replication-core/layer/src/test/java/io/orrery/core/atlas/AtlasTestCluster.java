/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.atlas;

import io.aeron.CommonContext;
import io.aeron.cluster.service.Cluster;

import org.agrona.IoUtil;

import java.io.File;
import java.io.IOException;
import java.net.DatagramSocket;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A 3-member Aeron Cluster of {@link AtlasClusterMember}s in the test's JVM, each with its own directories under
 * {@code target/} and free UDP ports on localhost.
 */
final class AtlasTestCluster implements AutoCloseable
{
    static final int MEMBERS = 3;
    private static final int START_ATTEMPTS = 3;

    final AtomicLong proofsFailed = new AtomicLong();
    final AtlasClusteredService[] services = new AtlasClusteredService[MEMBERS];
    private final AtlasClusterMember[] members = new AtlasClusterMember[MEMBERS];
    private final int[][] ports = new int[MEMBERS][5];
    private final File baseDir;
    private final String clusterMembers;
    private final ShardConfig config;
    private final byte[] tokenSecret;

    AtlasTestCluster(final String name, final ShardConfig config, final byte[] tokenSecret) throws IOException
    {
        this.config = config;
        this.tokenSecret = tokenSecret;
        baseDir = new File("target/atlas-cluster/" + name + "-" + ProcessHandle.current().pid());
        // a port found free can be taken by another socket of the box before a member binds it (CI saw "Address
        // already in use" once): a cluster that fails to bind is closed and started again on other ports
        String members = null;
        for (int attempt = 1; null == members; attempt++)
        {
            final String candidate = choosePorts();
            try
            {
                startAll(candidate);
                members = candidate;
            }
            catch (final RuntimeException ex)
            {
                close();
                if (attempt == START_ATTEMPTS || !String.valueOf(ex.getMessage()).contains("Address already in use"))
                {
                    throw ex;
                }
                System.out.println("atlas test cluster: a port was taken (" + ex.getMessage() + "), attempt " +
                    (attempt + 1) + " on other ports");
                IoUtil.delete(baseDir, true);
            }
        }
        clusterMembers = members;
    }

    /**
     * Choose every member's ports, holding each probe socket open until all are chosen so no two are the same (a
     * closed probe's port can be handed out again by the next one).
     */
    private String choosePorts() throws IOException
    {
        final DatagramSocket[] probes = new DatagramSocket[MEMBERS * 5];
        try
        {
            final StringBuilder sb = new StringBuilder();
            for (int i = 0; i < MEMBERS; i++)
            {
                sb.append(i);
                for (int p = 0; p < 5; p++)
                {
                    final DatagramSocket probe = new DatagramSocket(0);
                    probes[i * 5 + p] = probe;
                    ports[i][p] = probe.getLocalPort();
                    sb.append(",localhost:").append(ports[i][p]);
                }
                sb.append('|');
            }
            return sb.toString();
        }
        finally
        {
            for (final DatagramSocket probe : probes)
            {
                if (null != probe)
                {
                    probe.close();
                }
            }
        }
    }

    private void startAll(final String members)
    {
        for (int i = 0; i < MEMBERS; i++)
        {
            start(i, true, members);
        }
    }

    private void start(final int member, final boolean fresh)
    {
        start(member, fresh, clusterMembers);
    }

    private void start(final int member, final boolean fresh, final String clusterMembers)
    {
        members[member] = AtlasClusterMember.launch(new AtlasClusterMember.Settings()
            .member(member, clusterMembers, "localhost", ports[member][4])
            .directories(new File(baseDir, "member-" + member), CommonContext.getAeronDirectoryName() +
                "-atlas-cluster-" + ProcessHandle.current().pid() + "-" + member, fresh)
            .shard(config, tokenSecret)
            .entityCapacity(256)
            .proofsFailed(proofsFailed));
        services[member] = members[member].service();
    }

    /**
     * Restarts a killed member from its own cluster directory and archive (its snapshots and log).
     */
    void restart(final int member)
    {
        start(member, false);
    }

    boolean takeSnapshot(final int member)
    {
        return members[member].takeSnapshot();
    }

    long snapshots(final int member)
    {
        return members[member].snapshots();
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
            if (null != members[i] && Cluster.Role.LEADER == services[i].role())
            {
                return i;
            }
        }
        return -1;
    }

    /**
     * @return the highest command sequence a live member's service applied.
     */
    long appliedCommandSequence()
    {
        long applied = -1;
        for (int i = 0; i < MEMBERS; i++)
        {
            if (null != members[i])
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
            if (null != members[i] && services[i].appliedCommandSequence() > applied)
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
        final AtlasClusterMember killed = members[member];
        members[member] = null;
        if (null != killed)
        {
            killed.close();
        }
    }

    @Override
    public void close()
    {
        for (int i = 0; i < MEMBERS; i++)
        {
            kill(i);
        }
    }
}
