/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.common;

import io.aeron.ExclusivePublication;

/**
 * A session's egress publication and identity, handed from the Gateway to the Replicant once the session is
 * welcomed: from then on the Replicant is the publication's only writer and closes it.
 * <p>
 * Threading: created on the Gateway's thread, passed through a one-to-one queue, read on the Replicant's.
 */
public final class SessionHandover
{
    public final long sessionId;
    public final long playerEntityId;
    public final ExclusivePublication publication;

    public SessionHandover(final long sessionId, final long playerEntityId, final ExclusivePublication publication)
    {
        this.sessionId = sessionId;
        this.playerEntityId = playerEntityId;
        this.publication = publication;
    }
}
