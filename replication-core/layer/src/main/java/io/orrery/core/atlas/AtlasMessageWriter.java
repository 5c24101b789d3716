/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.atlas;

import org.agrona.MutableDirectBuffer;

/**
 * Where an Atlas message encoder ({@link AtlasCommandEncoder}, {@link AtlasDecisionEncoder}) puts each message: claim
 * room for it, encode it in place in {@link #buffer()} at the offset returned, then {@link #commit()}. Implemented by
 * the carrier: {@link AtlasPublicationWriter} (an Aeron publication); the ring proxies' {@code AtlasRingWriter} has the
 * same three methods.
 * <p>
 * Threading: one writer thread.
 */
public interface AtlasMessageWriter
{
    /**
     * Claims room for one message of {@code length} bytes, SBE header included.
     *
     * @return offset in {@link #buffer()} at which to encode it.
     */
    int claim(int length);

    /**
     * @return the buffer the last {@link #claim(int)} returned an offset in.
     */
    MutableDirectBuffer buffer();

    /**
     * Publishes the message encoded since the last {@link #claim(int)}.
     */
    void commit();
}
