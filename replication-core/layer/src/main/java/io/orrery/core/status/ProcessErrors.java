/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.status;

import java.io.PrintStream;

/**
 * How a process's main reports an error that stops it from starting or running: one line naming the culprit (a taken
 * port, a malformed duration, an unreadable store), built from the exception and its causes, and an exit code for a
 * supervisor. The stack trace only when asked for ({@value #STACK_TRACE_PROP}{@code =true}).
 */
public final class ProcessErrors
{
    /**
     * System property that adds the stack trace to the line.
     */
    public static final String STACK_TRACE_PROP = "orrery.stacktrace";
    /**
     * Exit code of a process that cannot start or go on for its configuration or environment ({@code EX_CONFIG}).
     */
    public static final int EXIT_CONFIGURATION = 78;

    private ProcessErrors()
    {
    }

    /**
     * Print one line for the error and return the exit code.
     *
     * @param who   names the process.
     * @param error what stopped it.
     * @param out   where the line goes.
     * @return {@link #EXIT_CONFIGURATION}.
     */
    public static int report(final String who, final Throwable error, final PrintStream out)
    {
        out.println("orrery: " + who + ": " + describe(error));
        if (Boolean.getBoolean(STACK_TRACE_PROP))
        {
            error.printStackTrace(out);
        }
        else
        {
            out.println("orrery: (-D" + STACK_TRACE_PROP + "=true for the stack trace)");
        }
        out.flush();
        return EXIT_CONFIGURATION;
    }

    /**
     * @return the messages of the error and its causes, most general first, without repeats.
     */
    public static String describe(final Throwable error)
    {
        final StringBuilder line = new StringBuilder();
        String previous = null;
        for (Throwable t = error; null != t; t = t.getCause() == t ? null : t.getCause())
        {
            final String message = null == t.getMessage() ? t.getClass().getSimpleName() : t.getMessage();
            if (null == previous || !previous.contains(message))
            {
                if (line.length() > 0)
                {
                    line.append(": ");
                }
                line.append(message);
            }
            previous = message;
        }
        return line.toString();
    }
}
