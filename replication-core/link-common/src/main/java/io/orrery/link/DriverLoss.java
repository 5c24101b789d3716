/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.link;

import io.aeron.exceptions.AeronException;
import io.aeron.exceptions.ClientTimeoutException;
import io.aeron.exceptions.ConductorServiceTimeoutException;
import io.aeron.exceptions.DriverTimeoutException;
import org.agrona.ErrorHandler;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * What a process does when its media driver goes away, or drops this client. The Aeron client notices it (no keepalive
 * within the driver timeout, its own conductor starved past the service interval, or the driver timed the client out:
 * a {@code ClientTimeoutException}, or the client's heartbeat counter freed under it, which Aeron 1.51 reports as a
 * plain {@link AeronException}), force-closes its resources and then unmaps the driver's files: the client is dead
 * and Aeron does not reconnect it. Agents that go on writing counters in the unmapped counters file crash the JVM with SIGSEGV, and
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
     * What Aeron's client says when the driver freed its heartbeat counter (it timed the client out).
     */
    static final String HEARTBEAT_COUNTER_CLOSED = "unexpected close of heartbeat timestamp counter";

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
            System.err.println("orrery: FATAL: the media driver at " + dir + " is gone or dropped this client (" +
                cause.getMessage() + "); agents stopped, exiting with code " + EXIT_CODE);
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
     * @return true if the throwable means the media driver is gone or unreachable, or that it dropped this client (the
     * Aeron client has then terminated its conductor and closed every resource).
     */
    public static boolean isDriverLoss(final Throwable throwable)
    {
        return throwable instanceof DriverTimeoutException ||
            throwable instanceof ConductorServiceTimeoutException ||
            throwable instanceof ClientTimeoutException ||
            isHeartbeatCounterClosed(throwable);
    }

    private static boolean isHeartbeatCounterClosed(final Throwable throwable)
    {
        // Aeron's ClientConductor.checkLiveness: thrown after it terminated the conductor, with no type of its own
        final String message = throwable.getMessage();
        return throwable instanceof AeronException && null != message &&
            message.contains(HEARTBEAT_COUNTER_CLOSED);
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
