/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.common;

/**
 * The layout the Gateway and the Replicant agree on for their ring buffer, so that neither imports the other.
 * <p>
 * A {@code PlayerInput}, {@code StowRequest} or {@code UnstowRequest} on the ring to the Replicant is the validated
 * client message followed by {@link #INPUT_STAMP_LENGTH} bytes: the Gateway's nano clock when it read it (little
 * endian), from which the Replicant records the layer's input residence, or an operation's timeline its first step.
 */
public final class GatewayRing
{
    /**
     * Bytes after a {@code PlayerInput}, {@code StowRequest} or {@code UnstowRequest} on the ring to the Replicant:
     * the Gateway's nano clock when it read it.
     */
    public static final int INPUT_STAMP_LENGTH = 8;

    private GatewayRing()
    {
    }
}
