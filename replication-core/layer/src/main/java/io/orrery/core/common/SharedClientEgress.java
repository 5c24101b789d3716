/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.common;

import org.agrona.DirectBuffer;

/**
 * A secondary Replicant's view of a session's egress when several Replicants per shard write it: everything goes to
 * the session's egress (a concurrent Aeron {@code Publication}: whole messages of several writers interleave), but
 * closing the view does not end the session's egress: the primary Replicant owns it and closes it.
 * <p>
 * Threading: one secondary Replicant's thread; the egress it wraps must take concurrent writers.
 */
public final class SharedClientEgress implements ClientEgress
{
    private final ClientEgress egress;

    /**
     * @param egress the session's egress, owned by the primary Replicant.
     */
    public SharedClientEgress(final ClientEgress egress)
    {
        this.egress = egress;
    }

    @Override
    public boolean isConnected()
    {
        return egress.isConnected();
    }

    @Override
    public long availableWindow()
    {
        return egress.availableWindow();
    }

    @Override
    public long position()
    {
        return egress.position();
    }

    @Override
    public long offer(final DirectBuffer buffer, final int offset, final int length)
    {
        return egress.offer(buffer, offset, length);
    }

    /**
     * Does nothing: the primary Replicant closes the session's egress.
     */
    @Override
    public void close()
    {
    }
}
