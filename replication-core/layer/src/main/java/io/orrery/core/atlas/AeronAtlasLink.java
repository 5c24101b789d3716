/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.atlas;

import io.aeron.Aeron;
import io.aeron.Counter;
import io.aeron.Subscription;
import io.orrery.core.common.LayerResources;
import io.orrery.core.replicant.EntityStore;
import io.orrery.core.status.OrreryCounter;
import org.agrona.CloseHelper;

import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The layer's side of an Atlas in another process ({@code AtlasServer}), over Aeron: the mesh's commands go out through
 * an {@link AtlasCommandPublisher}, decisions come in through an {@link AtlasDecisionSubscriber}.
 * <p>
 * While Atlas is gone the layer keeps streaming: clients stay connected, every entity keeps its current authority,
 * servers keep simulating; commands are dropped (counted) and no decision is made (no handoff, no failover, no
 * assignment of new entities) until an Atlas is back. A fresh Atlas asks for the layer's state
 * ({@link AtlasLinkControl}); the link resends it ({@link AtlasResync}) and acknowledges, and decisions flow again.
 * <p>
 * Security: the link is mutually authenticated ({@link AtlasLinkAuthenticator}, key {@link AtlasLinkKey}: derived from
 * the layer's token secret, which the Atlas process must share): no decision of an Atlas publisher is applied, nor
 * its resync request answered, before it proved it holds the key, and the layer proves itself to Atlas the same way
 * before Atlas applies its commands. Fragments of unauthenticated publishers count in
 * {@link OrreryCounter#ATLAS_LINK_UNAUTHENTICATED}, failed proofs in {@link OrreryCounter#ATLAS_LINK_PROOFS_FAILED}.
 * The channels must still be a private network or IPC (see the authenticator for what it does not cover).
 * <p>
 * Silence: Atlas sends a heartbeat when it has sent nothing else for {@link AtlasRemoteAgent#HEARTBEAT_INTERVAL_NS}.
 * The link keeps {@link OrreryCounter#ATLAS_SILENT_MS} (ms since it last heard from its accepted Atlas, or since it
 * opened while it never did), counts in {@link OrreryCounter#ATLAS_SILENCE_EPISODES} each time that exceeds
 * {@link #silenceThresholdNs(long)} (default {@value #SILENCE_THRESHOLD_MS_DEFAULT} ms, system property
 * {@value #SILENCE_THRESHOLD_MS_PROP}), and logs one line when Atlas goes silent and one when it is heard again.
 * <p>
 * Threading: the Replicant's thread. Zero allocation in steady state (authentication, silence lines: control path).
 */
public final class AeronAtlasLink implements AtlasLink, AtlasLinkControl
{
    /**
     * Fragments of decisions read per poll at most.
     */
    public static final int FRAGMENT_LIMIT = 4096;
    /**
     * System property of the silence threshold in milliseconds.
     */
    public static final String SILENCE_THRESHOLD_MS_PROP = "orrery.atlas.silence.threshold.ms";
    /**
     * Default silence threshold.
     */
    public static final long SILENCE_THRESHOLD_MS_DEFAULT = 1000;

    private final String commandChannel;
    private final int commandStreamId;
    private final String decisionChannel;
    private final int decisionStreamId;
    private long silenceThresholdNs = TimeUnit.MILLISECONDS.toNanos(
        Long.getLong(SILENCE_THRESHOLD_MS_PROP, SILENCE_THRESHOLD_MS_DEFAULT));
    private Consumer<String> log = System.err::println;
    private AtlasCommandPublisher commands;
    private Subscription decisionSubscription;
    private AtlasDecisionSubscriber decisions;
    private AtlasResync resync;
    private AtlasLinkKey key;
    private Counter silentMs;
    private Counter unauthenticated;
    private Counter proofsFailed;
    private Counter silenceEpisodes;
    private long nowNs;
    private int answeredSession;
    private long answeredGeneration = -1;
    private long resyncs;
    private boolean opened;
    private long lastHeardNs;
    private long heardFragments;
    private long lastSilentMs = -1;
    private boolean silent;
    private long episodes;

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

    /**
     * @param silenceThresholdNs how long Atlas may be silent before the link reports it (set before the layer starts).
     * @return this.
     */
    public AeronAtlasLink silenceThresholdNs(final long silenceThresholdNs)
    {
        if (silenceThresholdNs <= 0)
        {
            throw new IllegalArgumentException("silence threshold must be positive: " + silenceThresholdNs);
        }
        this.silenceThresholdNs = silenceThresholdNs;
        return this;
    }

    public long silenceThresholdNs()
    {
        return silenceThresholdNs;
    }

    /**
     * @param log where the link's lines go (authentication, silence); default standard error.
     * @return this.
     */
    public AeronAtlasLink log(final Consumer<String> log)
    {
        this.log = log;
        return this;
    }

    @Override
    public void open(final LayerResources resources, final Counter[] counters)
    {
        final Aeron aeron = resources.aeron();
        key = new AtlasLinkKey(resources.tokenSecret());
        silentMs = counters[OrreryCounter.ATLAS_SILENT_MS.id()];
        silenceEpisodes = counters[OrreryCounter.ATLAS_SILENCE_EPISODES.id()];
        unauthenticated = counters[OrreryCounter.ATLAS_LINK_UNAUTHENTICATED.id()];
        proofsFailed = counters[OrreryCounter.ATLAS_LINK_PROOFS_FAILED.id()];
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
        final AtlasLinkAuthenticator authenticator = new AtlasLinkAuthenticator(
            decisionSubscription, commands.writer(), key, AtlasLinkKey.ROLE_LAYER, "layer", unauthenticated,
            proofsFailed, log);
        decisions = new AtlasDecisionSubscriber(decisionSubscription, resync, this, authenticator);
    }

    @Override
    public int poll(final long nowNs, final int limit)
    {
        this.nowNs = nowNs;
        final int work = commands.flush() + decisions.poll(nowNs, Math.min(limit, FRAGMENT_LIMIT));
        checkSilence(nowNs);
        return work;
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
        log.accept("orrery: Atlas link (layer): resent the layer's state to Atlas session " + atlasSessionId +
            " for its generation " + generation + " (resync " + resyncs + ")");
    }

    private void checkSilence(final long nowNs)
    {
        final long fragments = decisions.acceptedFragments();
        if (!opened)
        {
            opened = true;
            lastHeardNs = nowNs;
        }
        if (fragments != heardFragments)
        {
            heardFragments = fragments;
            if (silent)
            {
                silent = false;
                log.accept("orrery: Atlas heard again after " + TimeUnit.NANOSECONDS.toMillis(nowNs - lastHeardNs) +
                    " ms of silence (Aeron session " + decisions.sessionId() + ")");
            }
            lastHeardNs = nowNs;
        }
        final long silentNs = nowNs - lastHeardNs;
        final long ms = TimeUnit.NANOSECONDS.toMillis(silentNs);
        if (ms != lastSilentMs)
        {
            lastSilentMs = ms;
            silentMs.setOrdered(ms);
        }
        if (!silent && silentNs > silenceThresholdNs)
        {
            silent = true;
            episodes++;
            silenceEpisodes.incrementOrdered();
            log.accept("orrery: Atlas SILENT: nothing heard from an authenticated Atlas for " + ms + " ms (threshold " +
                TimeUnit.NANOSECONDS.toMillis(silenceThresholdNs) + " ms; " +
                (decisions.isConnected() ? "its Aeron session " + decisions.sessionId() + " is still connected" :
                "no authenticated Atlas connected") + "): no handoff, failover or assignment until it is back");
        }
    }

    /**
     * @return whether an Atlas is connected both ways (and authenticated).
     */
    public boolean isAtlasConnected()
    {
        return null != commands && commands.isConnected() && decisions.isConnected();
    }

    /**
     * @return whether Atlas is silent now (not heard for longer than the threshold).
     */
    public boolean isAtlasSilent()
    {
        return silent;
    }

    /**
     * @return times Atlas went silent.
     */
    public long silenceEpisodes()
    {
        return episodes;
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
