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

/**
 * Static server meshing as the Replicant's {@link Authority}: game servers connected through the server link
 * simulate the world, {@link Atlas} decides who simulates what. Chosen by {@code ReplicationLayer.Context} when a
 * {@link ShardConfig} is set in its {@link AtlasContext}.
 * <p>
 * Each Replicant duty cycle polls the server ingress ({@link ServerIngressAdapter}); each tick runs Atlas
 * (heartbeats, handoff timeouts, territory crossings, views) before the interest engine streams the cache to
 * clients, so clients see every server's writes through the same cache and nothing in the client link knows which
 * server simulates what. Servers that mark the end of their ticks ({@code ServerTickEnd}) drive those ticks: the
 * Replicant streams once every live server has ended its tick ({@link TickCompletion}).
 * <p>
 * Threading: Replicant thread only, like every {@link Authority}.
 */
public final class MeshAuthority implements Authority
{
    private final AtlasContext ctx;
    private final ShardConfig config;
    private Atlas atlas;
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
    }

    @Override
    public void onStart(final LayerResources resources, final Counter[] counters, final EntityStore store)
    {
        final ServerEgressProxy proxy = new ServerEgressProxy(store.maxStateBytes());
        final AtlasDecisionRelay relay = new AtlasDecisionRelay();
        atlas = new Atlas(config, store.capacity(), resources.publicationConnectTimeoutNs(), counters, relay);
        mesh = new ServerMesh(config, store, counters, proxy, atlas);
        relay.target(mesh);
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
        return ingress.poll(nowNs) + mesh.doWork(nowNs);
    }

    @Override
    public int onTick(final long nowNs, final EntityStore store)
    {
        tickCompletion.onPass(nowNs);
        tick++;
        int work = mesh.onTick(nowNs, tick);
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
    public boolean removeEntity(final long entityId, final short despawnReason, final EntityStore store)
    {
        return mesh.removeEntity(entityId, despawnReason);
    }

    @Override
    public void onClose()
    {
        CloseHelper.quietClose(ingress);
    }

    /**
     * Atlas, for status and tests (Replicant thread only).
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
