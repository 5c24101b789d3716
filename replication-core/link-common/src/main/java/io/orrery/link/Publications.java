/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.link;

import io.aeron.Publication;
import org.agrona.DirectBuffer;

/**
 * The one way Orrery offers a message to an Aeron publication.
 * <p>
 * Threading: stateless; call from the thread that owns the publication.
 */
public final class Publications
{
    private Publications()
    {
    }

    /**
     * Offer once, and once more if the first offer met a term rotation ({@link Publication#ADMIN_ACTION}), as Aeron
     * advises: the retry nearly always succeeds and saves the caller a duty cycle. Any other refusal is returned for
     * the caller to count and handle.
     *
     * @return the new stream position (positive) or the publication's negative result.
     */
    public static long offer(
        final Publication publication, final DirectBuffer buffer, final int offset, final int length)
    {
        final long result = publication.offer(buffer, offset, length);
        return Publication.ADMIN_ACTION == result ? publication.offer(buffer, offset, length) : result;
    }
}
