/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.bots;

/**
 * Counters of the inventory behaviour of one {@link BotAgent}. Plain fields: written on the agent's thread, read by
 * the summary after that thread stopped.
 */
public final class InventoryCounters
{
    /** Requests sent, including resends after a timeout. */
    public long requestsSent;
    /** Resends of an outstanding request with the same operation id after the result timed out. */
    public long resends;
    /** Results {@code ok} for a stow. */
    public long stowed;
    /** Results {@code ok} for an unstow. */
    public long unstowed;
    /** Results {@code duplicate}: a resend whose first attempt had been applied. */
    public long duplicates;
    /** Results that refused the request (not found, not owner, rejected). */
    public long refused;
    /** Results {@code storeUnavailable}: the store could not take the operation now. */
    public long storeUnavailable;
    /** Results that contradict where the bot knew its item to be: a correctness error. */
    public long mismatches;
    /** Results for an operation the bot was not waiting for. */
    public long unexpectedResults;

    public void add(final InventoryCounters o)
    {
        requestsSent += o.requestsSent;
        resends += o.resends;
        stowed += o.stowed;
        unstowed += o.unstowed;
        duplicates += o.duplicates;
        refused += o.refused;
        storeUnavailable += o.storeUnavailable;
        mismatches += o.mismatches;
        unexpectedResults += o.unexpectedResults;
    }
}
