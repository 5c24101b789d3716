/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.status;

import java.io.PrintStream;
import java.util.concurrent.ThreadFactory;

/**
 * What happens when an agent thread dies. Agrona's {@code AgentRunner} hands an {@code Exception} from
 * {@code doWork()} to the error handler and keeps the agent running, but rethrows an {@link Error} (an
 * {@code OutOfMemoryError}, a {@code StackOverflowError}, a linkage error), which ends the thread. A process whose
 * agent thread is gone but whose other threads live on is a zombie: its counters freeze, its clients time out, and
 * a supervisor sees nothing wrong. So every agent thread Orrery starts gets an uncaught-exception handler that calls a
 * {@link Handler}; the default one, {@link #EXIT_PROCESS}, prints one line naming the thread and the cause and halts
 * the JVM with {@link #EXIT_CODE}.
 * <p>
 * Halting (not {@code System.exit}) is deliberate: after an {@code Error} the heap or a lock may be in any state and
 * shutdown hooks may never finish. What was acknowledged is durable by contract; the write-behind world state of the
 * last flush interval may be lost, as after any crash. Embedders that want something else (a test, a supervisor
 * thread of their own) pass another handler to the Context.
 */
public final class AgentDeath
{
    /**
     * Exit code of a process whose agent thread died ({@code EX_SOFTWARE} in sysexits.h); distinct from the
     * command line's usage error (2) and from a JVM crash (134).
     */
    public static final int EXIT_CODE = 70;

    /**
     * Called on the dying thread with what killed it.
     */
    @FunctionalInterface
    public interface Handler
    {
        void onAgentDeath(Thread thread, Throwable cause);
    }

    /**
     * Print one line to standard error and halt with {@link #EXIT_CODE}.
     */
    public static final Handler EXIT_PROCESS = (thread, cause) -> exitProcess(System.err, thread, cause);

    private AgentDeath()
    {
    }

    /**
     * @param delegate makes the threads.
     * @param handler  called when one of them ends with an uncaught throwable.
     * @return a thread factory whose threads report their death to the handler.
     */
    public static ThreadFactory reportingTo(final ThreadFactory delegate, final Handler handler)
    {
        return (runnable) ->
        {
            final Thread thread = delegate.newThread(runnable);
            thread.setUncaughtExceptionHandler(handler::onAgentDeath);
            return thread;
        };
    }

    /**
     * Start an agent runner on a new daemon thread that reports its death to the handler.
     *
     * @param runner  to start.
     * @param handler called when the thread ends with an uncaught throwable.
     * @return the thread.
     */
    public static Thread start(final org.agrona.concurrent.AgentRunner runner, final Handler handler)
    {
        return org.agrona.concurrent.AgentRunner.startOnThread(runner, reportingTo(
            (runnable) ->
            {
                final Thread thread = new Thread(runnable);
                thread.setDaemon(true);
                return thread;
            },
            handler));
    }

    static void exitProcess(final PrintStream out, final Thread thread, final Throwable cause)
    {
        try
        {
            out.println("orrery: FATAL: agent thread '" + thread.getName() + "' died of " + cause +
                "; the process cannot serve without it and exits with code " + EXIT_CODE);
            out.flush();
        }
        catch (final Throwable ignore)
        {
            // nothing left to say it with
        }
        finally
        {
            Runtime.getRuntime().halt(EXIT_CODE);
        }
    }
}
