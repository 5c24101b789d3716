/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.atlas;

import io.aeron.Counter;
import io.orrery.core.authority.Authority;
import io.orrery.core.common.LayerResources;
import io.orrery.core.replicant.EntityStore;
import io.orrery.core.replicant.TickCompletion;
import io.orrery.wire.codec.PlayerInputDecoder;
import org.agrona.CloseHelper;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.ringbuffer.RingBuffer;

/**
 * Static server meshing as the Replicant's {@link Authority}: game servers connected through the server link
 * simulate the world, {@link Atlas} decides who simulates what. Chosen by {@code ReplicationLayer.Context} when a
 * {@link ShardConfig} is set in its {@link AtlasContext}.
 * <p>
 * Each Replicant duty cycle polls the server ingress ({@link ServerIngressAdapter}) into the {@link ServerMesh},
 * which applies server writes to the cache and tells {@link Atlas} what happened through an SBE command ring; Atlas's
 * decisions come back through an SBE decision ring and the mesh applies them. Atlas runs as its own
 * {@link AtlasAgent}: on a thread of its own when the layer gives each role one ({@link #ownAgent()}), otherwise
 * stepped here right after the commands are sent, so in {@code INVOKER} and {@code SHARED} modes a tick's decisions
 * are applied within that tick. With an {@link AtlasLink} in the {@link AtlasContext} Atlas runs in another process
 * instead: commands go to the link and decisions come from it, and no Atlas runs here. Each tick, once the interest
 * engine has streamed the cache to the clients ({@link #onPassStreamed}: Atlas's work and the server views are no
 * part of a client's residence), the mesh reports cache changes and liveness and runs Atlas's timer, then sends
 * heartbeats and views of the state the clients just got. Clients see every server's writes through the same cache
 * and nothing in the client link knows which server simulates what. Servers that mark the end of their ticks
 * ({@code ServerTickEnd}) drive those ticks: the Replicant streams once every live server has ended its tick
 * ({@link TickCompletion}).
 * <p>
 * Threading: Replicant thread only, like every {@link Authority}, except {@link #ownAgent()} (called before the
 * layer starts) and Atlas's agent.
 */
public final class MeshAuthority implements Authority
{
    private final AtlasContext ctx;
    private final ShardConfig config;
    private final RingBuffer commandRing;
    private final RingBuffer decisionRing;
    private final AtlasCommandProxy commands;
    private final AtlasDecisionProxy decisions;
    private final AtlasAgent atlasAgent;
    private final AtlasLink link;
    private boolean stepsAtlas = true;
    private AtlasDecisionAdapter decisionAdapter;
    private volatile Atlas atlas;
    private ServerMesh mesh;
    private ServerIngressAdapter ingress;
    private TickCompletion tickCompletion;
    private long tick;

    /**
     * @param ctx Atlas's settings, concluded, with a {@link AtlasContext#shardConfig()}.
     */
    public MeshAuthority(final AtlasContext ctx)
    {
        this.ctx = ctx;
        this.config = ctx.shardConfig();
        commandRing = AtlasRings.newRing(AtlasRings.DEFAULT_COMMAND_RING_BYTES);
        decisionRing = AtlasRings.newRing(AtlasRings.DEFAULT_DECISION_RING_BYTES);
        commands = new AtlasCommandProxy(commandRing);
        decisions = new AtlasDecisionProxy(decisionRing);
        atlasAgent = new AtlasAgent(commandRing, decisions);
        link = ctx.atlasLink();
    }

    /**
     * Atlas's agent, to run on its own thread: from now on the Replicant no longer steps it.
     */
    @Override
    public Agent ownAgent()
    {
        if (null != link)
        {
            return null; // Atlas runs in another process
        }
        stepsAtlas = false;
        return atlasAgent;
    }

    @Override
    public void onStart(final LayerResources resources, final Counter[] counters, final EntityStore store)
    {
        final ServerEgressProxy proxy = new ServerEgressProxy(store.maxStateBytes(), ctx.serverViewsEncoding());
        if (null != link)
        {
            link.open(resources, counters);
            mesh = new ServerMesh(config, store, counters, proxy, link.commands()).fleet(ctx.fleetControl());
            link.attach(mesh, store);
        }
        else
        {
            atlas = new Atlas(config, store.capacity(), resources.publicationConnectTimeoutNs(), counters, decisions);
            mesh = new ServerMesh(config, store, counters, proxy, commands).fleet(ctx.fleetControl());
            decisionAdapter = new AtlasDecisionAdapter(decisionRing, mesh);
            atlasAgent.start(atlas);
        }
        tickCompletion = new TickCompletion(
            ctx.serverTickWaitNs(), ctx.serverTickStaleNs(), ctx.layerTickIntervalNs() / 2);
        ingress = new ServerIngressAdapter(resources.aeron(), ctx.serverIngressChannel(),
            ctx.serverIngressStreamId(), mesh, proxy, counters, resources.tokenSecret(), resources.epochClock(),
            resources.publicationConnectTimeoutNs(), ctx.serverIngressLimits(), ctx.serverEgressTermLength());
        ingress.tickCompletion(tickCompletion);
    }

    @Override
    public void onPlayerJoined(final long playerEntityId, final long nowNs, final EntityStore store)
    {
        mesh.onPlayerJoined(playerEntityId, nowNs);
    }

    @Override
    public void onPlayerLeft(final long playerEntityId, final long nowNs, final EntityStore store)
    {
        mesh.onPlayerLeft(playerEntityId, nowNs);
    }

    @Override
    public void onPlayerInput(final PlayerInputDecoder input, final long nowNs, final EntityStore store)
    {
        mesh.onPlayerInput(input, nowNs);
    }

    @Override
    public int doWork(final long nowNs, final EntityStore store)
    {
        final int work = ingress.poll(nowNs) + mesh.doWork(nowNs);
        return work + exchangeWithAtlas(nowNs);
    }

    /**
     * Send Atlas what waited for room in its ring, step it when it runs in this duty cycle, apply its decisions.
     */
    private int exchangeWithAtlas(final long nowNs)
    {
        if (null != link)
        {
            return link.poll(nowNs, AtlasAgent.COMMAND_LIMIT);
        }
        int work = commands.flush();
        if (stepsAtlas)
        {
            work += atlasAgent.doWork();
        }
        return work + decisionAdapter.poll(AtlasAgent.COMMAND_LIMIT);
    }

    /**
     * The pass starts: the servers' tick ends so far are consumed. Nothing else of the mesh's tick is ahead of the
     * clients' streaming (see {@link #onPassStreamed}).
     */
    @Override
    public int onTick(final long nowNs, final EntityStore store)
    {
        tickCompletion.onPass(nowNs);
        tick++;
        return 1;
    }

    /**
     * After the clients were offered the pass: report the cache's changes and liveness to Atlas, run its timer and
     * apply its decisions, then heartbeats and the server views of the state the clients just got.
     */
    @Override
    public int onPassStreamed(final long nowNs, final EntityStore store)
    {
        int work = mesh.onTick(nowNs, tick);
        work += exchangeWithAtlas(nowNs);
        work += mesh.sendViews(nowNs, tick);
        return work + mesh.doWork(nowNs);
    }

    @Override
    public int tickReadiness(final long nowNs)
    {
        final int readiness = tickCompletion.readiness(nowNs);
        // a layer behind on server ingress reads what is queued (later tick ends among it) before it streams
        return TickCompletion.READY == readiness && !ingress.isCaughtUp() ? TickCompletion.WAITING : readiness;
    }

    @Override
    public long stateInNs(final long nowNs)
    {
        return tickCompletion.firstStateInNs();
    }

    /**
     * Server tick completion (Replicant thread only).
     */
    public TickCompletion tickCompletion()
    {
        return tickCompletion;
    }

    @Override
    public int timeDilationPerMille(final long entityId)
    {
        return mesh.timeDilationOf(entityId);
    }

    @Override
    public int serverOf(final long entityId)
    {
        return mesh.authorityOf(entityId);
    }

    @Override
    public boolean removeEntity(final long entityId, final short despawnReason, final EntityStore store)
    {
        return mesh.removeEntity(entityId, despawnReason);
    }

    @Override
    public void onClose()
    {
        CloseHelper.quietCloseAll(ingress, link);
    }

    /**
     * @return the mesh as Atlas last published it (territories, boxes, servers, costs), any thread; null before
     * Atlas's first tick.
     */
    public MeshSnapshot meshSnapshot()
    {
        return null == atlas ? null : atlas.snapshot();
    }

    /**
     * Bytes of Atlas messages written and not yet read on this side of the rings: commands Atlas's agent has not read,
     * then decisions the Replicant has not applied. 0 means every command written so far was decided and its decisions
     * applied (commands waiting for room in a full ring are not counted). Any thread: the rings' positions. Always 0
     * when Atlas runs in another process ({@link AtlasLink}).
     * <p>
     * For tests that drive the layer's clock while Atlas runs on a thread of its own: a virtual clock outruns a thread
     * it does not wait for.
     *
     * @return bytes still in the command and decision rings.
     */
    public long atlasBacklogBytes()
    {
        if (null != link)
        {
            return 0;
        }
        // commands first: Atlas writes a command's decisions before it moves the command ring's consumer position, so
        // an empty command ring seen here means those decisions are visible in the decision ring read next; in each
        // ring the consumer position first, so the difference is never negative
        final long commandsRead = commandRing.consumerPosition();
        final long commandBytes = commandRing.producerPosition() - commandsRead;
        final long decisionsRead = decisionRing.consumerPosition();
        return commandBytes + decisionRing.producerPosition() - decisionsRead;
    }

    /**
     * Atlas (null when it runs in another process), for tests and status: read it only on the thread that steps it
     * (the Replicant's, unless the layer runs Atlas's agent on its own thread).
     */
    public Atlas atlas()
    {
        return atlas;
    }

    /**
     * The Replicant's side of the mesh: the authority map as applied, connections, input routing (for status and
     * tests; Replicant thread only).
     */
    public ServerMesh mesh()
    {
        return mesh;
    }

    /**
     * The server ingress, for status and tests (Replicant thread only).
     */
    public ServerIngressAdapter ingress()
    {
        return ingress;
    }

    public ShardConfig config()
    {
        return config;
    }
}
