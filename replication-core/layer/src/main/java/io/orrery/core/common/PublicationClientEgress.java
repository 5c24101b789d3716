/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.common;

import io.aeron.ExclusivePublication;
import io.orrery.link.Publications;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;

/**
 * A client session's own egress publication (the Gateway in the layer's process): every call goes straight to it.
 * <p>
 * Threading: as {@link ClientEgress}.
 */
public final class PublicationClientEgress implements ClientEgress
{
    private final ExclusivePublication publication;

    /**
     * @param publication the session's egress publication, owned (and closed) by this egress from now on.
     */
    public PublicationClientEgress(final ExclusivePublication publication)
    {
        this.publication = publication;
    }

    /**
     * @return the publication written to.
     */
    public ExclusivePublication publication()
    {
        return publication;
    }

    @Override
    public boolean isConnected()
    {
        return publication.isConnected();
    }

    @Override
    public long availableWindow()
    {
        return publication.availableWindow();
    }

    @Override
    public long position()
    {
        return publication.position();
    }

    @Override
    public long offer(final DirectBuffer buffer, final int offset, final int length)
    {
        return Publications.offer(publication, buffer, offset, length);
    }

    @Override
    public void close()
    {
        CloseHelper.quietClose(publication);
    }
}
