/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.atlas;

import io.aeron.ChannelUri;
import io.aeron.CommonContext;
import io.aeron.Counter;
import io.aeron.ExclusivePublication;
import io.aeron.Subscription;
import io.orrery.core.status.OrreryCounter;
import org.agrona.CloseHelper;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.NanoClock;

import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * {@link Atlas} in a process of its own ({@code AtlasServer}): reads the layer's commands from an Aeron subscription
 * ({@link AtlasCommandSubscriber}), hands them to Atlas and publishes its decisions ({@link AtlasDecisionPublisher}).
 * <p>
 * Each time it accepts a new command publisher (the first layer, a restarted layer, or any layer after this process
 * restarted) it starts a fresh Atlas and asks the layer to resend its state ({@link AtlasLinkControl}): Atlas's table
 * is always rebuilt from the mesh, never carried over from another layer session. The clock read here only paces the
 * resync requests, the link's challenges and heartbeats; Atlas itself takes time from the commands.
 * <p>
 * Security: a layer publisher is accepted only once it proved it holds the link key ({@link AtlasLinkAuthenticator},
 * {@link AtlasLinkKey}: derived from the shard's token secret, the same as the layer's); until then its commands are
 * counted ({@link OrreryCounter#ATLAS_LINK_UNAUTHENTICATED}) and dropped, and a failed proof is counted
 * ({@link OrreryCounter#ATLAS_LINK_PROOFS_FAILED}) and logged. Atlas proves itself to the layer the same way.
 * <p>
 * Liveness: when it has published nothing for {@link #HEARTBEAT_INTERVAL_NS} it sends a {@code LinkHeartbeat}, so
 * the layer can tell a silent Atlas from a quiet one.
 * <p>
 * Threading: one agent thread. Zero allocation per command in steady state (a new Atlas is the control path).
 */
public final class AtlasRemoteAgent implements Agent, AtlasLinkControl
{
    /**
     * How long an untethered command subscription may stay a flow-control window behind before it stops holding the
     * layer's publication back ({@link #commandSubscriptionChannel(String)}): half the link's takeover time.
     */
    public static final String UNTETHERED_WINDOW_LIMIT_TIMEOUT = "500ms";
    /**
     * How long an untethered command subscription that fell behind rests before it rejoins at the live position.
     */
    public static final String UNTETHERED_RESTING_TIMEOUT = "1s";

    /**
     * How often an unanswered resync request is sent again.
     */
    public static final long RESYNC_REQUEST_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(100);

    /**
     * Command fragments read per duty cycle at most.
     */
    public static final int FRAGMENT_LIMIT = AtlasAgent.COMMAND_LIMIT;

    /**
     * A heartbeat goes to the layer when nothing else was published for this long.
     */
    public static final long HEARTBEAT_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(100);

    private final ShardConfig config;
    private final int entityCapacity;
    private final long welcomeTimeoutNs;
    private final Counter[] counters;
    private final NanoClock clock;
    private final AtlasDecisionPublisher decisions;
    private final AtlasCommandSubscriber commands;
    private Atlas atlas;
    private volatile long generation; // written by the agent's thread; volatile for isResynced() from any thread
    private volatile long resyncedGeneration;
    private long nextRequestNs;
    private long nowNs;
    private long lastPosition = -1;
    private long lastPublishedNs;
    private long heartbeats;

    /**
     * @param config           the shard's static mesh.
     * @param entityCapacity   entities Atlas's table is sized for at first.
     * @param welcomeTimeoutNs silence allowed to a welcomed server session before its first message.
     * @param counters         counters indexed by {@code OrreryCounter#id()}.
     * @param tokenSecret      the shard's token secret, the same as the layer's: the link key is derived from it.
     * @param log              where the link's lines go (authentication).
     * @param commandSubscription where the layer's commands arrive (closed with the agent).
     * @param decisionPublication where decisions go (closed with the agent).
     * @param clock            paces resync requests only.
     */
    public AtlasRemoteAgent(
        final ShardConfig config,
        final int entityCapacity,
        final long welcomeTimeoutNs,
        final Counter[] counters,
        final byte[] tokenSecret,
        final Consumer<String> log,
        final Subscription commandSubscription,
        final ExclusivePublication decisionPublication,
        final NanoClock clock)
    {
        this.config = config;
        this.entityCapacity = entityCapacity;
        this.welcomeTimeoutNs = welcomeTimeoutNs;
        this.counters = counters;
        this.clock = clock;
        decisions = new AtlasDecisionPublisher(decisionPublication);
        atlas = newAtlas();
        final AtlasLinkAuthenticator authenticator = new AtlasLinkAuthenticator(
            commandSubscription, decisions.writer(), new AtlasLinkKey(tokenSecret), AtlasLinkKey.ROLE_ATLAS, "atlas",
            counters[OrreryCounter.ATLAS_LINK_UNAUTHENTICATED.id()],
            counters[OrreryCounter.ATLAS_LINK_PROOFS_FAILED.id()], log);
        commands = new AtlasCommandSubscriber(commandSubscription, atlas, this, authenticator);
    }

    /**
     * The channel an Atlas process subscribes to the layer's commands on: the given one, untethered unless it names
     * its own {@code tether} setting.
     * <p>
     * Why: Atlas and its standbys on one host read the layer's commands through that host's one media driver, and a
     * tethered subscription holds the publication back to its own position. When an Atlas process is killed, its
     * subscription stays until the driver times its client out (10 s by default), and the layer's publication, once
     * that dead reader is a window behind, stalls: the standby that took over after a second of silence would get no
     * command, its resync included, for the rest of those ten seconds, and no handoff, failover or assignment would be
     * decided meanwhile. Untethered, a reader that has been a window behind for
     * {@link #UNTETHERED_WINDOW_LIMIT_TIMEOUT} stops holding the stream back. A live Atlas that falls that far behind (a long pause) loses its image and gets
     * a new one when it rejoins ({@link #UNTETHERED_RESTING_TIMEOUT}): to the link that is a new layer session, proven
     * again, so this agent starts a fresh Atlas and asks for a resync; no command is ever silently skipped.
     *
     * @param channel the command channel as configured.
     * @return the channel to subscribe with.
     */
    public static String commandSubscriptionChannel(final String channel)
    {
        final ChannelUri uri = ChannelUri.parse(channel);
        if (null == uri.get(CommonContext.TETHER_PARAM_NAME))
        {
            uri.put(CommonContext.TETHER_PARAM_NAME, "false");
            if (null == uri.get(CommonContext.UNTETHERED_WINDOW_LIMIT_TIMEOUT_PARAM_NAME))
            {
                uri.put(CommonContext.UNTETHERED_WINDOW_LIMIT_TIMEOUT_PARAM_NAME, UNTETHERED_WINDOW_LIMIT_TIMEOUT);
            }
            if (null == uri.get(CommonContext.UNTETHERED_RESTING_TIMEOUT_PARAM_NAME))
            {
                uri.put(CommonContext.UNTETHERED_RESTING_TIMEOUT_PARAM_NAME, UNTETHERED_RESTING_TIMEOUT);
            }
        }
        return uri.toString();
    }

    @Override
    public int doWork()
    {
        nowNs = clock.nanoTime();
        int work = decisions.flush();
        work += commands.poll(nowNs, FRAGMENT_LIMIT);
        if (resyncedGeneration != generation && commands.isConnected() && nowNs - nextRequestNs >= 0)
        {
            decisions.resyncRequest(generation);
            nextRequestNs = nowNs + RESYNC_REQUEST_INTERVAL_NS;
            work++;
        }
        return work + heartbeat(nowNs);
    }

    private int heartbeat(final long nowNs)
    {
        final long position = decisions.position();
        if (position != lastPosition || decisions.hasBacklog())
        {
            lastPosition = position;
            lastPublishedNs = nowNs;
            return 0;
        }
        if (nowNs - lastPublishedNs >= HEARTBEAT_INTERVAL_NS)
        {
            decisions.heartbeat(++heartbeats);
            lastPublishedNs = nowNs;
            return 1;
        }
        return 0;
    }

    /**
     * @return heartbeats sent.
     */
    public long heartbeats()
    {
        return heartbeats;
    }

    @Override
    public void onSessionAccepted(final int sessionId)
    {
        generation++;
        atlas = newAtlas();
        commands.handler(atlas);
        nextRequestNs = nowNs;
    }

    @Override
    public void onResyncComplete(final long generation)
    {
        if (generation == this.generation)
        {
            resyncedGeneration = generation;
        }
    }

    /**
     * @return the Atlas fed now (this agent's thread only).
     */
    public Atlas atlas()
    {
        return atlas;
    }

    /**
     * @return layer sessions accepted so far (each started a fresh Atlas). Any thread.
     */
    public long generation()
    {
        return generation;
    }

    /**
     * @return whether the layer resent its state for the current generation: Atlas is the layer's, and serves. Any
     * thread.
     */
    public boolean isResynced()
    {
        return 0 != generation && resyncedGeneration == generation;
    }

    public AtlasCommandSubscriber commandSubscriber()
    {
        return commands;
    }

    public AtlasDecisionPublisher decisionPublisher()
    {
        return decisions;
    }

    @Override
    public void onClose()
    {
        CloseHelper.closeAll(commands, decisions);
    }

    @Override
    public String roleName()
    {
        return "orrery-atlas";
    }

    private Atlas newAtlas()
    {
        return new Atlas(config, entityCapacity, welcomeTimeoutNs, counters, decisions);
    }
}
