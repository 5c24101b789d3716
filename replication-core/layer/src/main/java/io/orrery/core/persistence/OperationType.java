/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.persistence;

/**
 * Kinds of Global store operation that Scribe runs and acknowledges through {@link CompletionHandler}, and the two
 * look-ups of a recorded stow or unstow ({@link Scribe#offerOperationLookup}), which change nothing.
 */
public final class OperationType
{
    public static final int STOW = 1;
    public static final int UNSTOW = 2;
    public static final int WALLET = 3;
    public static final int REPUTATION = 4;
    /**
     * Completion of a look-up of a stow's key: the recorded outcome, or {@link OperationStatus#PENDING} when none.
     */
    public static final int STOW_LOOKUP = 5;
    /**
     * Completion of a look-up of an unstow's key: the recorded outcome, or {@link OperationStatus#PENDING} when none.
     */
    public static final int UNSTOW_LOOKUP = 6;

    private OperationType()
    {
    }

    public static String name(final int type)
    {
        switch (type)
        {
            case STOW: return "STOW";
            case UNSTOW: return "UNSTOW";
            case WALLET: return "WALLET";
            case REPUTATION: return "REPUTATION";
            case STOW_LOOKUP: return "STOW_LOOKUP";
            case UNSTOW_LOOKUP: return "UNSTOW_LOOKUP";
            default: return "UNKNOWN(" + type + ")";
        }
    }
}
