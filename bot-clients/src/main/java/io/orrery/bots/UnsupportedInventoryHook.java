/*
 * Copyright 2026 The Orrery authors. Licensed under the Apache License, Version 2.0.
 */
package io.orrery.bots;

/**
 * The inventory hook until persistence arrives: every stow and unstow is counted as "not supported yet".
 * <p>
 * Threading: one instance per {@link BotAgent} thread.
 */
public final class UnsupportedInventoryHook implements InventoryHook
{
    private long notSupported;

    @Override
    public int stow(final Bot bot, final long itemId, final long nowNs)
    {
        notSupported++;
        return NOT_SUPPORTED;
    }

    @Override
    public int unstow(final Bot bot, final long itemId, final long nowNs)
    {
        notSupported++;
        return NOT_SUPPORTED;
    }

    @Override
    public long notSupported()
    {
        return notSupported;
    }
}
