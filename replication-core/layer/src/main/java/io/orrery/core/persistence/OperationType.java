/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.core.persistence;

/**
 * Kinds of Global store operation that Scribe runs and acknowledges through {@link CompletionHandler}.
 */
public final class OperationType
{
    public static final int STOW = 1;
    public static final int UNSTOW = 2;
    public static final int WALLET = 3;
    public static final int REPUTATION = 4;

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
            default: return "UNKNOWN(" + type + ")";
        }
    }
}
