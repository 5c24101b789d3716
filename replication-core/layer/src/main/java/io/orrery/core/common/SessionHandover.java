/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.common;

import io.aeron.ExclusivePublication;

/**
 * A session's egress and identity, handed from a Gateway to the Replicant once the session is welcomed: from then on
 * the Replicant is the egress's only writer and closes it. The egress is the session's own publication (the Gateway in
 * the layer's process) or its view of a remote Gateway's link.
 * <p>
 * Threading: created on the Gateway's (or the Gateway link's) thread, passed through a one-to-one queue, read on the
 * Replicant's.
 */
public final class SessionHandover
{
    public final long sessionId;
    public final long playerEntityId;
    public final ClientEgress egress;
    /**
     * The token the client presented ({@link io.orrery.core.auth.SessionTokens#TOKEN_LENGTH} bytes), verified by the
     * Gateway; a Gateway in its own process sends it on to the layer, which verifies it again. Null when the layer
     * took over the session from a remote Gateway (it verified it then).
     */
    public final byte[] playerToken;

    public SessionHandover(
        final long sessionId, final long playerEntityId, final ClientEgress egress, final byte[] playerToken)
    {
        this.sessionId = sessionId;
        this.playerEntityId = playerEntityId;
        this.egress = egress;
        this.playerToken = playerToken;
    }

    /**
     * A session of a Gateway: its publication, written directly by the Replicant in the layer's process or relayed
     * by a remote Gateway's link.
     */
    public SessionHandover(
        final long sessionId, final long playerEntityId, final ExclusivePublication publication,
        final byte[] playerToken)
    {
        this(sessionId, playerEntityId, new PublicationClientEgress(publication), playerToken);
    }
}
