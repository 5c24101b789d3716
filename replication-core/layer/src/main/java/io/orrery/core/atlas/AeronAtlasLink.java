/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.atlas;

import io.aeron.Aeron;
import io.aeron.Subscription;
import io.orrery.core.common.LayerResources;
import io.orrery.core.replicant.EntityStore;
import org.agrona.CloseHelper;

/**
 * The layer's side of an Atlas in another process ({@code AtlasServer}), over Aeron: the mesh's commands go out through
 * an {@link AtlasCommandPublisher}, decisions come in through an {@link AtlasDecisionSubscriber}.
 * <p>
 * While Atlas is gone the layer keeps streaming: clients stay connected, every entity keeps its current authority,
 * servers keep simulating; commands are dropped (counted) and no decision is made (no handoff, no failover, no
 * assignment of new entities) until an Atlas is back. A fresh Atlas asks for the layer's state
 * ({@link AtlasLinkControl}); the link resends it ({@link AtlasResync}) and acknowledges, and decisions flow again.
 * <p>
 * Security: the channels carry authority; they must be a private network or IPC (never a public interface), and only
 * the first Atlas publisher's Aeron session is accepted until its image goes away.
 * <p>
 * Threading: the Replicant's thread. Zero allocation in steady state.
 */
public final class AeronAtlasLink implements AtlasLink, AtlasLinkControl
{
    /**
     * Fragments of decisions read per poll at most.
     */
    public static final int FRAGMENT_LIMIT = 4096;

    private final String commandChannel;
    private final int commandStreamId;
    private final String decisionChannel;
    private final int decisionStreamId;
    private AtlasCommandPublisher commands;
    private Subscription decisionSubscription;
    private AtlasDecisionSubscriber decisions;
    private AtlasResync resync;
    private long nowNs;
    private int answeredSession;
    private long answeredGeneration = -1;
    private long resyncs;

    /**
     * @param commandChannel   channel Atlas subscribes to for commands (IPC or a private network).
     * @param commandStreamId  its stream id.
     * @param decisionChannel  channel Atlas publishes decisions to.
     * @param decisionStreamId its stream id.
     */
    public AeronAtlasLink(
        final String commandChannel,
        final int commandStreamId,
        final String decisionChannel,
        final int decisionStreamId)
    {
        this.commandChannel = commandChannel;
        this.commandStreamId = commandStreamId;
        this.decisionChannel = decisionChannel;
        this.decisionStreamId = decisionStreamId;
    }

    @Override
    public void open(final LayerResources resources)
    {
        final Aeron aeron = resources.aeron();
        commands = new AtlasCommandPublisher(aeron.addExclusivePublication(commandChannel, commandStreamId));
        decisionSubscription = aeron.addSubscription(decisionChannel, decisionStreamId);
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
        decisions = new AtlasDecisionSubscriber(decisionSubscription, resync, this);
    }

    @Override
    public int poll(final long nowNs, final int limit)
    {
        this.nowNs = nowNs;
        return commands.flush() + decisions.poll(Math.min(limit, FRAGMENT_LIMIT));
    }

    @Override
    public void onResyncRequest(final int atlasSessionId, final long generation)
    {
        if (atlasSessionId == answeredSession && generation == answeredGeneration)
        {
            return;
        }
        answeredSession = atlasSessionId;
        answeredGeneration = generation;
        resyncs++;
        resync.resend(nowNs, commands);
        commands.resyncComplete(generation);
    }

    /**
     * @return whether an Atlas is connected both ways.
     */
    public boolean isAtlasConnected()
    {
        return null != commands && commands.isConnected() && decisions.isConnected();
    }

    /**
     * @return times the layer resent its state to a fresh Atlas.
     */
    public long resyncs()
    {
        return resyncs;
    }

    public AtlasCommandPublisher commandPublisher()
    {
        return commands;
    }

    public AtlasDecisionSubscriber decisionSubscriber()
    {
        return decisions;
    }

    public AtlasResync resync()
    {
        return resync;
    }

    @Override
    public void close()
    {
        CloseHelper.closeAll(decisions, decisionSubscription, commands);
    }

}
