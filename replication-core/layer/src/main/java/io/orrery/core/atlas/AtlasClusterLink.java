/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.atlas;

import io.aeron.Counter;
import io.aeron.Publication;
import io.aeron.cluster.client.AeronCluster;
import io.aeron.cluster.client.EgressListener;
import io.aeron.logbuffer.Header;
import io.orrery.core.common.LayerResources;
import io.orrery.core.replicant.EntityStore;
import io.orrery.core.status.OrreryCounter;
import io.orrery.wire.atlas.CommandsAppliedDecoder;
import io.orrery.wire.atlas.LinkAppliedEncoder;
import io.orrery.wire.atlas.MessageHeaderDecoder;
import io.orrery.wire.atlas.MessageHeaderEncoder;
import io.orrery.wire.atlas.ResyncRequestDecoder;
import io.orrery.wire.atlas.SequencedDecoder;
import io.orrery.wire.atlas.SequencedEncoder;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The layer's side of Atlas on an Aeron Cluster ({@link AtlasClusteredService}): an {@link AeronCluster} client polled
 * on the Replicant's thread. Protocol: see the service.
 * <ul>
 *   <li>Every command is numbered ({@code Sequenced}) and kept in a bounded {@link AtlasJournal}; it is sent when the
 *   cluster has told where to start ({@code CommandsApplied}), and resent from there after each new leader, so no
 *   command is lost in an election. While there is no leader (or no connection) commands wait in the journal; the ones
 *   the journal overwrote before they were sent are counted ({@link #commandsLost()}) and the cluster, seeing the
 *   gap, starts a fresh table and asks for the layer's state.</li>
 *   <li>Decisions carry the cluster's sequence: one at or below the last applied is a duplicate (a replay after an
 *   election) and is dropped ({@link #duplicatesDropped()}); a gap makes the link say hello again so the cluster
 *   resends from the last applied one.</li>
 *   <li>A {@code ResyncRequest} (a fresh table: a new session, or a gap) is answered with the mesh's state
 *   ({@link AtlasResync}), as for an Atlas process.</li>
 *   <li>Authentication: the cluster admits the client only with the proof of the link key
 *   ({@link AtlasClusterAuthenticator.Credentials}). A failed connect is logged and retried.</li>
 * </ul>
 * The link paces its own messages (hello, keep-alive, reconnect) by {@link System#nanoTime()}, not by the layer's
 * clock: they are about the network, not about the mesh.
 * <p>
 * For an operator: {@link OrreryCounter#ATLAS_SILENT_MS} is 0 while the link has a cluster session that takes its
 * commands, else the ms since it last had one (since the link opened if it never had); a failed connect is logged at
 * once and then at most every {@link #CONNECT_FAILURE_LOG_INTERVAL_NS} with the count since the last line, so a cluster
 * that stays away for hours does not fill the log; the connect that ends an outage says how long it lasted.
 * <p>
 * Threading: the Replicant's thread. Zero allocation per command in steady state (connecting allocates).
 */
public final class AtlasClusterLink implements AtlasLink, EgressListener
{
    /**
     * Commands the journal holds by default.
     */
    public static final int JOURNAL_CAPACITY_DEFAULT = 64 * 1024;
    static final long HELLO_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(100);
    static final long KEEP_ALIVE_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(500);
    static final long RECONNECT_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(500);
    static final long CONNECT_FAILURE_LOG_INTERVAL_NS = TimeUnit.SECONDS.toNanos(10);
    private static final int HEADER_LENGTH = MessageHeaderEncoder.ENCODED_LENGTH;
    private static final int SEQUENCED_LENGTH = HEADER_LENGTH + SequencedEncoder.BLOCK_LENGTH;

    private final String ingressEndpoints;
    private final String ingressChannel;
    private final String egressChannel;
    private final AtlasJournal journal;
    private final MessageHeaderDecoder header = new MessageHeaderDecoder();
    private final MessageHeaderDecoder commandHeader = new MessageHeaderDecoder();
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final SequencedDecoder sequenced = new SequencedDecoder();
    private final SequencedEncoder sequencedEncoder = new SequencedEncoder();
    private final ResyncRequestDecoder resyncRequest = new ResyncRequestDecoder();
    private final CommandsAppliedDecoder commandsApplied = new CommandsAppliedDecoder();
    private final LinkAppliedEncoder linkApplied = new LinkAppliedEncoder();
    private final UnsafeBuffer scratch = new UnsafeBuffer(new byte[256]);
    private final UnsafeBuffer hello = new UnsafeBuffer(new byte[64]);
    private final UnsafeBuffer view = new UnsafeBuffer(0, 0);
    private final AtlasCommandEncoder commands;
    private Consumer<String> log = System.err::println;
    private long messageTimeoutNs = TimeUnit.SECONDS.toNanos(5);
    private LayerResources resources;
    private Counter proofsFailed;
    private Counter silentMs;
    private long lastUpNs;
    private long lastSilentMs = -1;
    private long outageFailures;
    private long failuresSinceLog;
    private long nextFailureLogNs;
    private AeronCluster.AsyncConnect connecting;
    private AeronCluster cluster;
    private AtlasResync resync;
    private AtlasDecisionAdapter decisions;
    private long nowNs;
    private long wallNs;
    private long nextConnectNs;
    private long nextHelloNs;
    private long lastOfferNs;
    private boolean helloPending;
    private boolean commandsReady;
    private long commandsSent;
    private long lastDecisionApplied;
    private long answeredGeneration = -1;
    private long resyncs;
    private long duplicates;
    private long gaps;
    private long lost;
    private long newLeaders;
    private long connects;
    private long connectFailures;
    private long malformed;

    /**
     * @param ingressEndpoints the members' ingress endpoints ({@code 0=host:port,1=host:port,...}).
     * @param ingressChannel   e.g. {@code aeron:udp}.
     * @param egressChannel    e.g. {@code aeron:udp?endpoint=localhost:0}.
     * @param journalCapacity  commands kept for resending ({@link #JOURNAL_CAPACITY_DEFAULT}): at least the layer's
     *                         whole state (a resync) plus what it sends during an election.
     */
    public AtlasClusterLink(
        final String ingressEndpoints,
        final String ingressChannel,
        final String egressChannel,
        final int journalCapacity)
    {
        this.ingressEndpoints = ingressEndpoints;
        this.ingressChannel = ingressChannel;
        this.egressChannel = egressChannel;
        journal = new AtlasJournal(journalCapacity, SEQUENCED_LENGTH + AtlasCommandEncoder.MAX_MESSAGE_LENGTH);
        commands = new AtlasCommandEncoder(new JournalWriter());
    }

    /**
     * @param log where the link's lines go (connects, leaders, resyncs); default standard error.
     * @return this.
     */
    public AtlasClusterLink log(final Consumer<String> log)
    {
        this.log = log;
        return this;
    }

    /**
     * @param messageTimeoutNs the cluster client's message timeout (connect, new leader).
     * @return this.
     */
    public AtlasClusterLink messageTimeoutNs(final long messageTimeoutNs)
    {
        this.messageTimeoutNs = messageTimeoutNs;
        return this;
    }

    @Override
    public void open(final LayerResources resources, final Counter[] counters)
    {
        this.resources = resources;
        proofsFailed = counters[OrreryCounter.ATLAS_LINK_PROOFS_FAILED.id()];
        silentMs = counters[OrreryCounter.ATLAS_SILENT_MS.id()];
        lastUpNs = System.nanoTime();
    }

    @Override
    public AtlasCommandHandler commands()
    {
        return commands;
    }

    @Override
    public void attach(final ServerMesh mesh, final EntityStore store)
    {
        resync = new AtlasResync(mesh, store);
        decisions = new AtlasDecisionAdapter(null, resync);
    }

    @Override
    public int poll(final long nowNs, final int limit)
    {
        this.nowNs = nowNs;
        final long wallNs = System.nanoTime();
        this.wallNs = wallNs;
        final int work = doPoll(wallNs);
        updateSilence(wallNs);
        return work;
    }

    private int doPoll(final long wallNs)
    {
        if (null == cluster)
        {
            return connect(wallNs);
        }
        if (cluster.isClosed())
        {
            log.accept("orrery: Atlas cluster link: the cluster session closed; reconnecting");
            disconnect(wallNs);
            return 1;
        }
        int work = cluster.pollEgress();
        if (null == cluster)
        {
            return work;
        }
        if (helloPending || (!commandsReady && wallNs - nextHelloNs >= 0))
        {
            work += sayHello(wallNs);
        }
        if (commandsReady)
        {
            work += sendCommands();
        }
        if (wallNs - lastOfferNs >= KEEP_ALIVE_INTERVAL_NS && cluster.sendKeepAlive())
        {
            lastOfferNs = wallNs;
        }
        return work;
    }

    private void updateSilence(final long wallNs)
    {
        if (null != cluster && commandsReady)
        {
            lastUpNs = wallNs;
        }
        final long ms = TimeUnit.NANOSECONDS.toMillis(wallNs - lastUpNs);
        if (ms != lastSilentMs && null != silentMs)
        {
            lastSilentMs = ms;
            silentMs.setOrdered(ms);
        }
    }

    private int connect(final long nowNs)
    {
        if (null == connecting)
        {
            if (nowNs - nextConnectNs < 0)
            {
                return 0;
            }
            final AeronCluster.Context ctx = new AeronCluster.Context()
                .aeron(resources.aeron())
                .ownsAeronClient(false)
                .ingressEndpoints(ingressEndpoints)
                .ingressChannel(ingressChannel)
                .egressChannel(egressChannel)
                .messageTimeoutNs(messageTimeoutNs)
                .egressListener(this)
                .credentialsSupplier(new AtlasClusterAuthenticator.Credentials(resources.tokenSecret()));
            connecting = AeronCluster.asyncConnect(ctx);
        }
        try
        {
            final AeronCluster connected = connecting.poll();
            if (null == connected)
            {
                return 0;
            }
            connecting = null;
            cluster = connected;
            connects++;
            helloPending = true;
            commandsReady = false;
            log.accept("orrery: Atlas cluster link: connected, cluster session " + connected.clusterSessionId() +
                ", leader member " + connected.leaderMemberId() + (0 == outageFailures ? "" : " (after " +
                outageFailures + " failed connects, " + TimeUnit.NANOSECONDS.toMillis(nowNs - lastUpNs) +
                " ms without a cluster session)"));
            outageFailures = 0;
            failuresSinceLog = 0;
            return 1;
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietClose(connecting);
            connecting = null;
            connectFailures++;
            if (ex instanceof io.aeron.security.AuthenticationException)
            {
                proofsFailed.incrementOrdered();
            }
            nextConnectNs = nowNs + RECONNECT_INTERVAL_NS;
            outageFailures++;
            failuresSinceLog++;
            if (1 == outageFailures || nowNs - nextFailureLogNs >= 0)
            {
                log.accept("orrery: Atlas cluster link: connect failed" + (1 == failuresSinceLog ? "" :
                    " " + failuresSinceLog + " times since the last line") + " (" + ex + "); retrying every " +
                    TimeUnit.NANOSECONDS.toMillis(RECONNECT_INTERVAL_NS) + " ms, " +
                    TimeUnit.NANOSECONDS.toMillis(nowNs - lastUpNs) + " ms without a cluster session");
                failuresSinceLog = 0;
                nextFailureLogNs = nowNs + CONNECT_FAILURE_LOG_INTERVAL_NS;
            }
            return 1;
        }
    }

    private void disconnect(final long nowNs)
    {
        CloseHelper.quietClose(cluster);
        cluster = null;
        commandsReady = false;
        nextConnectNs = nowNs + RECONNECT_INTERVAL_NS;
    }

    private int sayHello(final long nowNs)
    {
        linkApplied.wrapAndApplyHeader(hello, 0, headerEncoder)
            .lastDecisionSequence(lastDecisionApplied)
            .lastCommandSequence(journal.lastSequence());
        nextHelloNs = nowNs + HELLO_INTERVAL_NS;
        if (offer(hello, 0, HEADER_LENGTH + LinkAppliedEncoder.BLOCK_LENGTH))
        {
            helloPending = false;
            return 1;
        }
        return 0;
    }

    private int sendCommands()
    {
        int sent = 0;
        while (commandsSent < journal.lastSequence())
        {
            final long next = commandsSent + 1;
            if (!journal.contains(next))
            {
                lost += journal.oldestSequence() - next;
                commandsSent = journal.oldestSequence() - 1;
                continue;
            }
            if (!offer(journal.buffer(), journal.offset(next), journal.length(next)))
            {
                break;
            }
            commandsSent = next;
            sent++;
        }
        return sent;
    }

    private boolean offer(final DirectBuffer buffer, final int offset, final int length)
    {
        final long result = cluster.offer(buffer, offset, length);
        if (result > 0)
        {
            lastOfferNs = wallNs;
            return true;
        }
        if (Publication.CLOSED == result || Publication.MAX_POSITION_EXCEEDED == result)
        {
            commandsReady = false;
        }
        return false;
    }

    @Override
    public void onMessage(
        final long clusterSessionId,
        final long timestamp,
        final DirectBuffer buffer,
        final int offset,
        final int length,
        final Header aeronHeader)
    {
        if (length < HEADER_LENGTH)
        {
            malformed++;
            return;
        }
        header.wrap(buffer, offset);
        if (MessageHeaderDecoder.SCHEMA_ID != header.schemaId())
        {
            malformed++;
            return;
        }
        final int bodyOffset = offset + HEADER_LENGTH;
        final int block = header.blockLength();
        if (CommandsAppliedDecoder.TEMPLATE_ID == header.templateId())
        {
            if (block < CommandsAppliedDecoder.BLOCK_LENGTH || length - HEADER_LENGTH < block)
            {
                malformed++;
                return;
            }
            commandsApplied.wrap(buffer, bodyOffset, block, header.version());
            final long applied = commandsApplied.lastCommandSequence();
            commandsSent = Math.min(applied, journal.lastSequence());
            commandsReady = true;
            return;
        }
        if (SequencedDecoder.TEMPLATE_ID != header.templateId() || block < SequencedDecoder.BLOCK_LENGTH ||
            length - HEADER_LENGTH - block < HEADER_LENGTH)
        {
            malformed++;
            return;
        }
        sequenced.wrap(buffer, bodyOffset, block, header.version());
        final long sequence = sequenced.sequence();
        final int innerOffset = bodyOffset + block;
        final int innerLength = length - HEADER_LENGTH - block;
        header.wrap(buffer, innerOffset);
        if (ResyncRequestDecoder.TEMPLATE_ID == header.templateId())
        {
            if (header.blockLength() < ResyncRequestDecoder.BLOCK_LENGTH ||
                innerLength - HEADER_LENGTH < header.blockLength())
            {
                malformed++;
                return;
            }
            resyncRequest.wrap(buffer, innerOffset + HEADER_LENGTH, header.blockLength(), header.version());
            onResyncRequest(sequence, resyncRequest.generation());
            return;
        }
        if (sequence <= lastDecisionApplied)
        {
            duplicates++;
            return;
        }
        if (sequence != lastDecisionApplied + 1)
        {
            if (!helloPending)
            {
                gaps++;
                helloPending = true;
            }
            return;
        }
        lastDecisionApplied = sequence;
        view.wrap(buffer, innerOffset, innerLength);
        decisions.onMessage(AtlasRings.MSG_TYPE_ID, view, 0, innerLength);
    }

    private void onResyncRequest(final long sequence, final long generation)
    {
        if (sequence <= lastDecisionApplied && generation == answeredGeneration)
        {
            duplicates++;
            return;
        }
        lastDecisionApplied = sequence;
        answeredGeneration = generation;
        resyncs++;
        final int sent = resync.resend(nowNs, commands);
        log.accept("orrery: Atlas cluster link: resent the layer's state (" + sent + " commands) for the cluster's " +
            "generation " + generation + " (resync " + resyncs + ")");
    }

    @Override
    public void onNewLeader(
        final long clusterSessionId,
        final long leadershipTermId,
        final int leaderMemberId,
        final String ingressEndpoints)
    {
        newLeaders++;
        helloPending = true;
        commandsReady = false;
        log.accept("orrery: Atlas cluster link: new leader member " + leaderMemberId + " (term " +
            leadershipTermId + "); resending from the last decision applied, " + lastDecisionApplied);
    }

    /**
     * @return whether the link is connected and sending commands.
     */
    public boolean isReady()
    {
        return null != cluster && commandsReady && !helloPending;
    }

    /**
     * @return the last command sequence journaled.
     */
    public long lastCommandSequence()
    {
        return journal.lastSequence();
    }

    /**
     * @return the last command sequence sent to the cluster.
     */
    public long commandsSent()
    {
        return commandsSent;
    }

    public long lastDecisionApplied()
    {
        return lastDecisionApplied;
    }

    public long resyncs()
    {
        return resyncs;
    }

    /**
     * @return decisions received again (replays after an election), dropped.
     */
    public long duplicatesDropped()
    {
        return duplicates;
    }

    public long gaps()
    {
        return gaps;
    }

    /**
     * @return commands the journal overwrote before they were sent.
     */
    public long commandsLost()
    {
        return lost;
    }

    /**
     * @return cluster messages too short for their header or block, of another schema or template: dropped.
     */
    public long malformed()
    {
        return malformed + decisions.malformed() + decisions.unknown();
    }

    public long newLeaders()
    {
        return newLeaders;
    }

    public long connects()
    {
        return connects;
    }

    public long connectFailures()
    {
        return connectFailures;
    }

    public AtlasResync resync()
    {
        return resync;
    }

    @Override
    public void close()
    {
        CloseHelper.quietCloseAll(connecting, cluster);
        connecting = null;
        cluster = null;
    }

    /**
     * Encodes each command after a {@code Sequenced} prefix, journals it at commit and sends it if the link is
     * ready and nothing waits before it.
     */
    private final class JournalWriter implements AtlasMessageWriter
    {
        @Override
        public int claim(final int length)
        {
            return SEQUENCED_LENGTH;
        }

        @Override
        public MutableDirectBuffer buffer()
        {
            return scratch;
        }

        @Override
        public void commit()
        {
            commandHeader.wrap(scratch, SEQUENCED_LENGTH);
            final int length = SEQUENCED_LENGTH + HEADER_LENGTH + commandHeader.blockLength();
            sequencedEncoder.wrapAndApplyHeader(scratch, 0, headerEncoder).sequence(journal.lastSequence() + 1);
            final long sequence = journal.append(scratch, 0, length);
            if (null != cluster && commandsReady && commandsSent == sequence - 1 &&
                offer(scratch, 0, length))
            {
                commandsSent = sequence;
            }
        }
    }
}
