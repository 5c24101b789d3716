/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.common;

import org.agrona.DirectBuffer;

/**
 * One Replicant's view of a session's egress when several Replicants per shard write it: each call holds the
 * session egress's monitor, so the Replicants' whole messages interleave in the session's one exclusive publication
 * (one writer at a time, each seeing the others' writes). The lock is per session and held for one offer (a copy
 * into the term), so it is uncontended but for the moments two Replicants write to the same client.
 * <p>
 * Why not a concurrent Aeron {@code Publication} per session: the media driver keeps one concurrent IPC publication
 * per channel and stream (a second with another {@code session-id} is refused: "existing publication has different
 * 'session-id'"), so on IPC every client would share one log; a lock works alike over IPC and UDP.
 * <p>
 * Only the primary Replicant's view closes the egress ({@code owner}); a secondary's {@link #close()} does nothing.
 * <p>
 * Threading: any number of Replicant threads, one view each.
 */
public final class SharedClientEgress implements ClientEgress
{
    private final ClientEgress egress;
    private final boolean owner;

    /**
     * @param egress the session's egress.
     * @param owner  true for the primary Replicant's view: its {@link #close()} ends the session's egress.
     */
    public SharedClientEgress(final ClientEgress egress, final boolean owner)
    {
        this.egress = egress;
        this.owner = owner;
    }

    @Override
    public boolean isConnected()
    {
        synchronized (egress)
        {
            return egress.isConnected();
        }
    }

    @Override
    public long availableWindow()
    {
        synchronized (egress)
        {
            return egress.availableWindow();
        }
    }

    @Override
    public long position()
    {
        synchronized (egress)
        {
            return egress.position();
        }
    }

    @Override
    public long offer(final DirectBuffer buffer, final int offset, final int length)
    {
        synchronized (egress)
        {
            return egress.offer(buffer, offset, length);
        }
    }

    @Override
    public void close()
    {
        if (owner)
        {
            synchronized (egress)
            {
                egress.close();
            }
        }
    }
}
