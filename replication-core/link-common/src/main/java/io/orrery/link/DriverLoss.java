/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.link;

import io.aeron.exceptions.ConductorServiceTimeoutException;
import io.aeron.exceptions.DriverTimeoutException;
import org.agrona.ErrorHandler;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * What a process does when its media driver goes away. The Aeron client notices it (no keepalive within the driver
 * timeout, or its own conductor starved past the service interval), force-closes its resources and then unmaps the
 * driver's files. Agents that go on writing counters in the unmapped counters file crash the JVM with SIGSEGV, and
 * agents that go on offering simulate into nothing. So the Aeron client's error handler is routed: the first
 * {@link DriverTimeoutException} or {@link ConductorServiceTimeoutException} calls the owner's stop action on the
 * Aeron conductor's thread, before it unmaps anything, and then the {@link Handler}; the default one,
 * {@link #EXIT_PROCESS}, prints one line naming the driver directory and halts with {@link #EXIT_CODE}.
 */
public final class DriverLoss
{
    /**
     * Exit code of a process whose media driver went away ({@code EX_OSERR} in sysexits.h).
     */
    public static final int EXIT_CODE = 71;

    /**
     * Called once, on the Aeron client's conductor thread, after the owner stopped its agents.
     */
    @FunctionalInterface
    public interface Handler
    {
        void onDriverLoss(String aeronDirectoryName, Throwable cause);
    }

    /**
     * Print one line to standard error and halt with {@link #EXIT_CODE}.
     */
    public static final Handler EXIT_PROCESS = (dir, cause) ->
    {
        try
        {
            System.err.println("orrery: FATAL: the media driver at " + dir + " is gone (" + cause.getMessage() +
                "); agents stopped, exiting with code " + EXIT_CODE);
            System.err.flush();
        }
        finally
        {
            Runtime.getRuntime().halt(EXIT_CODE);
        }
    };

    private DriverLoss()
    {
    }

    /**
     * @return true if the throwable means the media driver is gone or unreachable.
     */
    public static boolean isDriverLoss(final Throwable throwable)
    {
        return throwable instanceof DriverTimeoutException || throwable instanceof ConductorServiceTimeoutException;
    }

    /**
     * An Aeron client error handler that sends the first driver loss to {@code onLoss} and everything else (and any
     * later driver loss) to {@code delegate}.
     *
     * @param delegate handles every other error.
     * @param onLoss   stops the owner and calls its {@link Handler}.
     * @return the routing handler.
     */
    public static ErrorHandler routing(final ErrorHandler delegate, final ErrorHandler onLoss)
    {
        final AtomicBoolean lost = new AtomicBoolean();
        return (throwable) ->
        {
            if (isDriverLoss(throwable) && lost.compareAndSet(false, true))
            {
                onLoss.onError(throwable);
            }
            else
            {
                delegate.onError(throwable);
            }
        };
    }
}
