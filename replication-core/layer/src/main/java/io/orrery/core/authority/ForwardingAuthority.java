/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.authority;

import io.aeron.Counter;
import io.orrery.core.common.LayerResources;
import io.orrery.core.replicant.EntityStore;
import io.orrery.wire.codec.PlayerInputDecoder;
import org.agrona.concurrent.Agent;

/**
 * An {@link Authority} that forwards every call to another one: the base of a wrapper that changes or watches some
 * calls (tests, diagnostics) and must pass on all the others, including those with defaults (a wrapper that kept
 * the default of {@link #onPassStreamed} would silently drop a mesh's Atlas work and server views).
 * <p>
 * Threading: as {@link Authority}.
 */
public class ForwardingAuthority implements Authority
{
    protected final Authority delegate;

    /**
     * @param delegate the authority every call goes to.
     */
    public ForwardingAuthority(final Authority delegate)
    {
        this.delegate = delegate;
    }

    @Override
    public void onPlayerJoined(final long playerEntityId, final long nowNs, final EntityStore store)
    {
        delegate.onPlayerJoined(playerEntityId, nowNs, store);
    }

    @Override
    public void onPlayerLeft(final long playerEntityId, final long nowNs, final EntityStore store)
    {
        delegate.onPlayerLeft(playerEntityId, nowNs, store);
    }

    @Override
    public void onPlayerInput(final PlayerInputDecoder input, final long nowNs, final EntityStore store)
    {
        delegate.onPlayerInput(input, nowNs, store);
    }

    @Override
    public int onTick(final long nowNs, final EntityStore store)
    {
        return delegate.onTick(nowNs, store);
    }

    @Override
    public int onPassStreamed(final long nowNs, final EntityStore store)
    {
        return delegate.onPassStreamed(nowNs, store);
    }

    @Override
    public void onStart(final LayerResources resources, final Counter[] counters, final EntityStore store)
    {
        delegate.onStart(resources, counters, store);
    }

    @Override
    public int doWork(final long nowNs, final EntityStore store)
    {
        return delegate.doWork(nowNs, store);
    }

    @Override
    public int tickReadiness(final long nowNs)
    {
        return delegate.tickReadiness(nowNs);
    }

    @Override
    public long stateInNs(final long nowNs)
    {
        return delegate.stateInNs(nowNs);
    }

    @Override
    public void onClose()
    {
        delegate.onClose();
    }

    @Override
    public Agent ownAgent()
    {
        return delegate.ownAgent();
    }

    @Override
    public int timeDilationPerMille(final long entityId)
    {
        return delegate.timeDilationPerMille(entityId);
    }

    @Override
    public int serverOf(final long entityId)
    {
        return delegate.serverOf(entityId);
    }

    @Override
    public boolean removeEntity(final long entityId, final short despawnReason, final EntityStore store)
    {
        return delegate.removeEntity(entityId, despawnReason, store);
    }
}
