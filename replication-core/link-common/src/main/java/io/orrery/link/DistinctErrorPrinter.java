/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.link;

import org.agrona.ErrorHandler;
import org.agrona.concurrent.SystemEpochClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.errors.DistinctErrorLog;

import java.io.PrintStream;
import java.nio.ByteBuffer;

/**
 * Error handler that records every error in a {@link DistinctErrorLog} (so repeats only bump a count) and prints an
 * error the first time it is seen. Thread safe.
 */
public final class DistinctErrorPrinter implements ErrorHandler
{
    private final DistinctErrorLog log = new DistinctErrorLog(
        new UnsafeBuffer(ByteBuffer.allocateDirect(1024 * 1024)), SystemEpochClock.INSTANCE);
    private final PrintStream out;
    private final java.util.Set<String> seen = java.util.concurrent.ConcurrentHashMap.newKeySet();

    public DistinctErrorPrinter(final PrintStream out)
    {
        this.out = out;
    }

    @Override
    public void onError(final Throwable throwable)
    {
        log.record(throwable);
        if (seen.add(throwable.getClass().getName() + ':' + throwable.getMessage()))
        {
            out.println("orrery error (reported once): " + throwable);
            throwable.printStackTrace(out);
        }
    }

    /**
     * @return the number of distinct errors observed.
     */
    public int distinctErrors()
    {
        return seen.size();
    }
}
