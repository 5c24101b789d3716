/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.servers;

import io.orrery.core.persistence.PersistenceAdapter;
import io.orrery.core.persistence.PersistenceException;
import io.orrery.core.persistence.StowOperation;
import io.orrery.core.persistence.WalletOperation;
import io.orrery.core.persistence.WorldBatch;

/**
 * A real adapter behind a switch: while {@link #down(boolean) down}, every write and operation throws
 * {@link PersistenceException} having changed nothing (a store outage as Scribe sees it); reads pass through.
 * Threading: the switch is volatile, set from the test thread; calls come from Scribe's consumer thread.
 */
final class OutageAdapter implements PersistenceAdapter
{
    private final PersistenceAdapter delegate;
    private volatile boolean down;
    private volatile long refusedCalls;

    OutageAdapter(final PersistenceAdapter delegate)
    {
        this.delegate = delegate;
    }

    void down(final boolean down)
    {
        this.down = down;
    }

    long refusedCalls()
    {
        return refusedCalls;
    }

    private void check(final String what)
    {
        if (down)
        {
            refusedCalls++;
            throw new PersistenceException("outage: " + what + " refused");
        }
    }

    @Override
    public String name()
    {
        return "outage(" + delegate.name() + ")";
    }

    @Override
    public void write(final WorldBatch batch)
    {
        check("write");
        delegate.write(batch);
    }

    @Override
    public int loadZoneSubtree(final long rootZoneId, final NodeHandler handler)
    {
        return delegate.loadZoneSubtree(rootZoneId, handler);
    }

    @Override
    public int loadRegion(
        final long zoneId, final long minX, final long minY, final long minZ, final long maxX, final long maxY,
        final long maxZ, final NodeHandler handler)
    {
        return delegate.loadRegion(zoneId, minX, minY, minZ, maxX, maxY, maxZ, handler);
    }

    @Override
    public int loadAll(final NodeHandler handler)
    {
        return delegate.loadAll(handler);
    }

    @Override
    public int loadEdges(final long entityId, final EdgeHandler handler)
    {
        return delegate.loadEdges(entityId, handler);
    }

    @Override
    public void stow(final StowOperation op)
    {
        check("stow");
        delegate.stow(op);
    }

    @Override
    public void unstow(final StowOperation op)
    {
        check("unstow");
        delegate.unstow(op);
    }

    @Override
    public void changeWallet(final WalletOperation op)
    {
        check("wallet");
        delegate.changeWallet(op);
    }

    @Override
    public void changeReputation(final WalletOperation op)
    {
        check("reputation");
        delegate.changeReputation(op);
    }

    @Override
    public long walletBalance(final long playerId)
    {
        return delegate.walletBalance(playerId);
    }

    @Override
    public long reputation(final long playerId, final int factionId)
    {
        return delegate.reputation(playerId, factionId);
    }

    @Override
    public int loadStowedItems(final long ownerPlayerId, final StowedItemHandler handler)
    {
        return delegate.loadStowedItems(ownerPlayerId, handler);
    }

    @Override
    public boolean isStowed(final long itemId)
    {
        return delegate.isStowed(itemId);
    }

    @Override
    public int recordedOutcome(final StowOperation op, final int type)
    {
        check("recordedOutcome");
        return delegate.recordedOutcome(op, type);
    }

    @Override
    public long nodeCount()
    {
        return delegate.nodeCount();
    }

    @Override
    public void close()
    {
        delegate.close();
    }
}
