/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.atlas;

import io.aeron.Counter;
import io.aeron.ExclusivePublication;
import io.aeron.Image;
import io.aeron.cluster.codecs.CloseReason;
import io.aeron.cluster.service.ClientSession;
import io.aeron.cluster.service.Cluster;
import io.aeron.cluster.service.ClusteredService;
import io.aeron.logbuffer.FragmentHandler;
import io.aeron.logbuffer.Header;
import io.orrery.core.status.OrreryCounter;
import io.orrery.wire.atlas.CommandsAppliedEncoder;
import io.orrery.wire.atlas.LinkAppliedDecoder;
import io.orrery.wire.atlas.MessageHeaderDecoder;
import io.orrery.wire.atlas.MessageHeaderEncoder;
import io.orrery.wire.atlas.ResyncRequestEncoder;
import io.orrery.wire.atlas.SequencedDecoder;
import io.orrery.wire.atlas.SequencedEncoder;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * {@link Atlas} as the replicated state machine of an Aeron Cluster (Raft): server membership, territory grants,
 * epochs, handoffs and the balancer are decided identically by every member from the cluster's log.
 * <h2>Protocol (with {@link AtlasClusterLink}, the layer's side)</h2>
 * <ul>
 *   <li>Only a client session that proved it holds the link key reaches the service ({@link AtlasClusterAuthenticator}
 *   in the consensus module). The last session opened is <em>the layer</em>; messages of any other session are
 *   counted ({@link #foreignMessages()}) and dropped.</li>
 *   <li>Commands are the Atlas schema's, each prefixed by {@code Sequenced(sequence)}: the layer numbers its commands
 *   and keeps a journal of them. A command at or below the last applied sequence is a duplicate (dropped, counted); a
 *   gap (commands lost beyond the layer's journal) starts a fresh table (below).</li>
 *   <li>Decisions leave as egress to the layer's session, each prefixed by {@code Sequenced(sequence)}; the sequence
 *   and a bounded journal of recent decisions ({@link AtlasJournal}) are replicated state (every member journals the
 *   same decisions), so a new leader can resend what the old leader emitted but the layer never got.</li>
 *   <li>The layer says hello ({@code LinkApplied(lastDecisionSequence, lastCommandSequence)}) when it connects and
 *   after each new leader; the service resends the decisions after the layer's (never those made before the current
 *   table's {@code ResyncRequest}: they belong to an earlier table), or starts a fresh table if its journal no
 *   longer holds them, and answers {@code CommandsApplied(lastCommandSequence)} so the layer resends its
 *   commands after that.</li>
 *   <li>A fresh table (a new layer session, or a gap either way) asks the layer to resend its state
 *   ({@code ResyncRequest(generation)}, itself a sequenced decision), exactly as an {@link AtlasRemoteAgent} does:
 *   the layer stays the source of truth for entities; territory epochs and entity epochs go on from the layer's.</li>
 * </ul>
 * Atlas takes its time from the commands, never from a clock, so the members agree.
 * <h2>Snapshots</h2>
 * A snapshot is the replicated state that is not Atlas's table (generation, sequences, the layer's session) and the
 * commands applied since the last fresh table. Loading it starts a fresh table and applies those commands again, which
 * rebuilds Atlas's table and the decision journal exactly (checked: the decision sequence must come out the same).
 * Known limit: the snapshot grows with the commands since the last fresh table (about 60 bytes a command).
 * <p>
 * Bad input of the layer's session (too short, another schema, an unknown template, a block longer than the message)
 * is counted ({@link #malformed()}) and dropped; the command inside a {@code Sequenced} is checked by the
 * {@link AtlasCommandAdapter} as for the rings.
 * <p>
 * Threading: the cluster's service thread. Zero allocation per command in steady state (a fresh table allocates).
 */
public final class AtlasClusteredService implements ClusteredService
{
    /**
     * Decisions the journal holds by default.
     */
    public static final int JOURNAL_CAPACITY_DEFAULT = 64 * 1024;
    static final int HEADER_LENGTH = MessageHeaderEncoder.ENCODED_LENGTH;
    static final int SEQUENCED_LENGTH = HEADER_LENGTH + SequencedEncoder.BLOCK_LENGTH;
    private static final int SNAPSHOT_MAGIC = 0x41544c53;
    private static final int SNAPSHOT_HEADER_LENGTH = 64;

    private final ShardConfig config;
    private final int entityCapacity;
    private final long welcomeTimeoutNs;
    private final AtlasJournal journal;
    private final MessageHeaderDecoder header = new MessageHeaderDecoder();
    private final MessageHeaderDecoder decisionHeader = new MessageHeaderDecoder();
    private final SequencedDecoder sequenced = new SequencedDecoder();
    private final LinkAppliedDecoder linkApplied = new LinkAppliedDecoder();
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final SequencedEncoder sequencedEncoder = new SequencedEncoder();
    private final CommandsAppliedEncoder commandsApplied = new CommandsAppliedEncoder();
    private final UnsafeBuffer scratch = new UnsafeBuffer(new byte[256]);
    private final UnsafeBuffer reply = new UnsafeBuffer(new byte[64]);
    private final UnsafeBuffer view = new UnsafeBuffer(0, 0);
    private final ExpandableArrayBuffer commandLog = new ExpandableArrayBuffer(64 * 1024);
    private final JournalWriter writer = new JournalWriter();
    private final AtlasDecisionEncoder decisions;
    private final ResyncRequestEncoder resyncRequest = new ResyncRequestEncoder();
    private Cluster cluster;
    private Counter[] counters;
    private volatile Counter[] publishedCounters;
    private boolean ownsCounters;
    private volatile Atlas atlas;
    private AtlasCommandAdapter adapter;
    private ClientSession layer;

    // replicated state (also in the snapshot)
    private long layerSessionId;
    private long generation;
    private long sequenceBeforeReset;
    private long lastCommandApplied;
    private boolean commandBaseKnown;
    private int commandLogLength;
    private int commandsSinceReset;

    // this member's only: how far egress went (a follower's offers are mocked and succeed)
    private long egressSent;
    private long duplicates;
    private long gaps;
    private long foreign;
    private long malformed;
    private long snapshotsLoaded;
    private volatile long appliedCommandSequence;
    private volatile long decisionSequence;
    private volatile Cluster.Role role = Cluster.Role.FOLLOWER;

    /**
     * @param config           the shard's mesh.
     * @param entityCapacity   entities Atlas's table is sized for at first.
     * @param welcomeTimeoutNs silence allowed to a welcomed server session before its first message.
     * @param journalCapacity  decisions kept for a layer that missed them ({@link #JOURNAL_CAPACITY_DEFAULT}).
     * @param counters         counters indexed by {@code OrreryCounter#id()}, or null: allocated on the cluster's
     *                         Aeron client when the service starts.
     */
    public AtlasClusteredService(
        final ShardConfig config,
        final int entityCapacity,
        final long welcomeTimeoutNs,
        final int journalCapacity,
        final Counter[] counters)
    {
        this.config = config;
        this.entityCapacity = entityCapacity;
        this.welcomeTimeoutNs = welcomeTimeoutNs;
        this.counters = counters;
        journal = new AtlasJournal(journalCapacity, SEQUENCED_LENGTH + AtlasDecisionEncoder.MAX_MESSAGE_LENGTH);
        decisions = new AtlasDecisionEncoder(writer);
    }

    @Override
    public void onStart(final Cluster cluster, final Image snapshotImage)
    {
        this.cluster = cluster;
        if (null == counters)
        {
            counters = OrreryCounter.allocate(cluster.aeron(), "atlas-cluster-" + cluster.memberId());
            ownsCounters = true;
        }
        publishedCounters = counters;
        if (null == snapshotImage)
        {
            newAtlas();
        }
        else
        {
            loadSnapshot(snapshotImage);
        }
    }

    @Override
    public void onSessionOpen(final ClientSession session, final long timestamp)
    {
        layer = session;
        layerSessionId = session.id();
        commandBaseKnown = false;
        freshTable();
        flushEgress();
    }

    @Override
    public void onSessionClose(final ClientSession session, final long timestamp, final CloseReason closeReason)
    {
        if (session.id() == layerSessionId)
        {
            layer = null;
            layerSessionId = 0;
        }
    }

    @Override
    public void onSessionMessage(
        final ClientSession session,
        final long timestamp,
        final DirectBuffer buffer,
        final int offset,
        final int length,
        final Header header)
    {
        if (session.id() != layerSessionId)
        {
            foreign++;
            counters[OrreryCounter.ATLAS_LINK_UNAUTHENTICATED.id()].incrementOrdered();
            return;
        }
        layer = session;
        if (length < HEADER_LENGTH)
        {
            malformed++;
            return;
        }
        this.header.wrap(buffer, offset);
        final int templateId = this.header.templateId();
        final int block = this.header.blockLength();
        if (MessageHeaderDecoder.SCHEMA_ID != this.header.schemaId())
        {
            malformed++;
        }
        else if (SequencedDecoder.TEMPLATE_ID == templateId && block >= SequencedDecoder.BLOCK_LENGTH &&
            length - HEADER_LENGTH - block >= HEADER_LENGTH)
        {
            sequenced.wrap(buffer, offset + HEADER_LENGTH, block, this.header.version());
            onCommand(sequenced.sequence(), buffer, offset + HEADER_LENGTH + block, length - HEADER_LENGTH - block);
        }
        else if (LinkAppliedDecoder.TEMPLATE_ID == templateId && block >= LinkAppliedDecoder.BLOCK_LENGTH &&
            length - HEADER_LENGTH >= block)
        {
            linkApplied.wrap(buffer, offset + HEADER_LENGTH, block, this.header.version());
            onLinkApplied(session, linkApplied.lastDecisionSequence(), linkApplied.lastCommandSequence());
        }
        else
        {
            malformed++;
        }
        flushEgress();
    }

    private void onCommand(final long sequence, final DirectBuffer buffer, final int offset, final int length)
    {
        if (!commandBaseKnown || sequence <= lastCommandApplied)
        {
            duplicates++;
            return;
        }
        if (sequence != lastCommandApplied + 1)
        {
            gaps++;
            lastCommandApplied = sequence;
            appliedCommandSequence = sequence;
            freshTable();
            return;
        }
        lastCommandApplied = sequence;
        appliedCommandSequence = sequence;
        commandLog.putInt(commandLogLength, length);
        commandLog.putBytes(commandLogLength + 4, buffer, offset, length);
        commandLogLength += 4 + length;
        commandsSinceReset++;
        apply(buffer, offset, length);
    }

    private void apply(final DirectBuffer buffer, final int offset, final int length)
    {
        view.wrap(buffer, offset, length);
        adapter.onMessage(AtlasRings.MSG_TYPE_ID, view, 0, length);
    }

    private void onLinkApplied(final ClientSession session, final long lastDecision, final long lastCommand)
    {
        if (!commandBaseKnown)
        {
            commandBaseKnown = true;
            lastCommandApplied = lastCommand;
            appliedCommandSequence = lastCommand;
        }
        final long from = Math.max(lastDecision, sequenceBeforeReset);
        if (journal.canReplayAfter(from))
        {
            egressSent = from;
        }
        else
        {
            gaps++;
            egressSent = journal.lastSequence();
            freshTable();
        }
        commandsApplied.wrapAndApplyHeader(reply, 0, headerEncoder).lastCommandSequence(lastCommandApplied);
        session.offer(reply, 0, HEADER_LENGTH + CommandsAppliedEncoder.BLOCK_LENGTH);
    }

    /**
     * A fresh Atlas table: asks the layer to resend its state.
     */
    private void freshTable()
    {
        generation++;
        sequenceBeforeReset = journal.lastSequence();
        commandLogLength = 0;
        commandsSinceReset = 0;
        newAtlas();
        resyncRequest();
    }

    private void resyncRequest()
    {
        resyncRequest.wrapAndApplyHeader(scratch, writer.claim(0), headerEncoder).generation(generation);
        writer.commit();
    }

    private void newAtlas()
    {
        atlas = new Atlas(config, entityCapacity, welcomeTimeoutNs, counters, decisions);
        adapter = new AtlasCommandAdapter(null, atlas);
    }

    private void flushEgress()
    {
        if (null == layer && 0 != layerSessionId)
        {
            layer = cluster.getClientSession(layerSessionId);
        }
        if (null == layer)
        {
            return;
        }
        while (egressSent < journal.lastSequence())
        {
            final long next = egressSent + 1;
            if (!journal.contains(next))
            {
                egressSent = journal.oldestSequence() - 1;
                continue;
            }
            if (layer.offer(journal.buffer(), journal.offset(next), journal.length(next)) < 0)
            {
                break;
            }
            egressSent = next;
        }
    }

    @Override
    public void onTimerEvent(final long correlationId, final long timestamp)
    {
    }

    @Override
    public void onTakeSnapshot(final ExclusivePublication snapshotPublication)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[SNAPSHOT_HEADER_LENGTH]);
        buffer.putInt(0, SNAPSHOT_MAGIC);
        buffer.putInt(4, commandsSinceReset);
        buffer.putLong(8, generation);
        buffer.putLong(16, sequenceBeforeReset);
        buffer.putLong(24, journal.lastSequence());
        buffer.putLong(32, lastCommandApplied);
        buffer.putLong(40, layerSessionId);
        buffer.putInt(48, commandBaseKnown ? 1 : 0);
        offer(snapshotPublication, buffer, 0, SNAPSHOT_HEADER_LENGTH);
        for (int offset = 0; offset < commandLogLength; )
        {
            final int length = commandLog.getInt(offset);
            offer(snapshotPublication, commandLog, offset + 4, length);
            offset += 4 + length;
        }
    }

    private void offer(
        final ExclusivePublication publication, final DirectBuffer buffer, final int offset, final int length)
    {
        final IdleStrategy idle = cluster.idleStrategy();
        idle.reset();
        while (publication.offer(buffer, offset, length) < 0)
        {
            if (publication.isClosed())
            {
                throw new IllegalStateException("Atlas cluster: snapshot publication closed");
            }
            idle.idle();
        }
    }

    private void loadSnapshot(final Image image)
    {
        final long[] header = new long[8];
        final int[] read = {-1, 0};
        final FragmentHandler handler = (buffer, offset, length, aeronHeader) ->
        {
            if (-1 == read[0])
            {
                if (length < SNAPSHOT_HEADER_LENGTH || SNAPSHOT_MAGIC != buffer.getInt(offset))
                {
                    throw new IllegalStateException("Atlas cluster: not an Atlas snapshot");
                }
                read[0] = buffer.getInt(offset + 4);
                for (int i = 0; i < 5; i++)
                {
                    header[i] = buffer.getLong(offset + 8 + i * 8);
                }
                header[5] = buffer.getInt(offset + 48);
                return;
            }
            commandLog.putInt(commandLogLength, length);
            commandLog.putBytes(commandLogLength + 4, buffer, offset, length);
            commandLogLength += 4 + length;
            read[1]++;
        };
        final IdleStrategy idle = cluster.idleStrategy();
        idle.reset();
        commandLogLength = 0;
        while (-1 == read[0] || read[1] < read[0])
        {
            if (0 == image.poll(handler, 64))
            {
                if (image.isClosed() || image.isEndOfStream())
                {
                    throw new IllegalStateException("Atlas cluster: snapshot ended early");
                }
                idle.idle();
            }
        }
        generation = header[0];
        sequenceBeforeReset = header[1];
        lastCommandApplied = header[3];
        appliedCommandSequence = lastCommandApplied;
        layerSessionId = header[4];
        commandBaseKnown = 0 != header[5];
        commandsSinceReset = read[0];
        journal.reset(sequenceBeforeReset);
        newAtlas();
        resyncRequest();
        for (int offset = 0; offset < commandLogLength; )
        {
            final int length = commandLog.getInt(offset);
            apply(commandLog, offset + 4, length);
            offset += 4 + length;
        }
        if (journal.lastSequence() != header[2])
        {
            throw new IllegalStateException("Atlas cluster: snapshot replay made decision " + journal.lastSequence() +
                ", the snapshot says " + header[2]);
        }
        egressSent = journal.lastSequence();
        snapshotsLoaded++;
    }

    /**
     * @return snapshots this service started from (0 or 1).
     */
    public long snapshotsLoaded()
    {
        return snapshotsLoaded;
    }

    @Override
    public void onRoleChange(final Cluster.Role newRole)
    {
        role = newRole;
    }

    /**
     * @return Atlas's counters indexed by {@code OrreryCounter#id()} (readable from any thread), or null before the
     * service started.
     */
    public Counter[] counters()
    {
        return publishedCounters;
    }

    /**
     * @return this member's role (readable from any thread).
     */
    public Cluster.Role role()
    {
        return role;
    }

    @Override
    public void onTerminate(final Cluster cluster)
    {
        if (ownsCounters)
        {
            CloseHelper.quietCloseAll(counters);
        }
    }

    /**
     * @return the Atlas fed now (read from other threads only by tests, when the service is quiet).
     */
    public Atlas atlas()
    {
        return atlas;
    }

    /**
     * @return the last command sequence applied (readable from any thread).
     */
    public long appliedCommandSequence()
    {
        return appliedCommandSequence;
    }

    /**
     * @return the last decision sequence journaled (readable from any thread).
     */
    public long decisionSequence()
    {
        return decisionSequence;
    }

    public long generation()
    {
        return generation;
    }

    public long duplicates()
    {
        return duplicates;
    }

    public long gaps()
    {
        return gaps;
    }

    /**
     * @return messages of sessions other than the layer's, dropped.
     */
    public long foreignMessages()
    {
        return foreign;
    }

    public long malformed()
    {
        return malformed;
    }

    /**
     * Encodes each decision after a {@code Sequenced} prefix in a scratch buffer and journals it at commit.
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
            decisionHeader.wrap(scratch, SEQUENCED_LENGTH);
            final int length = SEQUENCED_LENGTH + HEADER_LENGTH + decisionHeader.blockLength();
            sequencedEncoder.wrapAndApplyHeader(scratch, 0, headerEncoder).sequence(journal.lastSequence() + 1);
            journal.append(scratch, 0, length);
            decisionSequence = journal.lastSequence();
        }
    }
}
