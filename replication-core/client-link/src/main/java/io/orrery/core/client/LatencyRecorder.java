/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.client;

/**
 * Where a {@link ClientSession} records what it measures (input to update latency, gaps between updates of the
 * player's own entity, gaps across handoffs), in nanoseconds. The link needs no histogram library: a bot or a game
 * client passes whatever records the values (an HdrHistogram's {@code recordValue} clamped to its range, a counter,
 * a log).
 * <p>
 * Called on the session's polling thread; implementations must not allocate, as it runs on every update of the
 * player's own entity.
 */
@FunctionalInterface
public interface LatencyRecorder
{
    /**
     * Record one measured value.
     *
     * @param valueNs nanoseconds, never negative.
     */
    void recordNs(long valueNs);
}
