/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.common;

import org.agrona.DirectBuffer;

/**
 * Where the Replicant writes one client session's messages: the session's own egress publication when the Gateway
 * runs in the layer's process ({@link PublicationClientEgress}), or the session's view of its Gateway's link when the
 * Gateway runs as its own process (the Gateway link's {@code RemoteClientEgress}).
 * <p>
 * The contract is that of an Aeron {@code ExclusivePublication} as the Replicant uses it: {@link #offer} returns the
 * new position (positive) or one of {@code Publication}'s negative results; {@link #availableWindow()} is what may
 * still be written before the client's reading holds the writer back; {@link #position()} advances by the bytes a
 * message takes in the client's egress log (frame headers and alignment included).
 * <p>
 * Threading: one writer at a time (the Replicant's thread, or the interest worker that owns the session during a
 * tick), as for the publication it stands for.
 */
public interface ClientEgress extends AutoCloseable
{
    /**
     * @return whether the client reads this egress.
     */
    boolean isConnected();

    /**
     * @return bytes that may be written before the client's reading holds the writer back.
     */
    long availableWindow();

    /**
     * @return the position of the stream: bytes written so far in the client's egress log.
     */
    long position();

    /**
     * Offer one message, once more on a term rotation.
     *
     * @return the new position (positive), or a negative {@code Publication} result.
     */
    long offer(DirectBuffer buffer, int offset, int length);

    /**
     * End the session's egress; idempotent, never throws.
     */
    @Override
    void close();
}
